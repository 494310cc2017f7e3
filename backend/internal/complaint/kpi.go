package complaint

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
)

// KPI are the complaint figures of a period. Complaints are counted by the
// time they were received, in [From, To).
//
// Definitions (fixed, documented in docs/kpi.md):
//   - complaint rate = complaints received ÷ installed base (units in service);
//   - acknowledged within limit % = acknowledged on or before ack_due_at ÷
//     complaints whose acknowledgement is done or already due (a complaint
//     still inside its 2 h neither counts for nor against);
//   - resolved within limit % = resolved on or before resolve_due_at ÷
//     complaints whose resolution is done or already due;
//   - resolution rate = complaints resolved (resolved, confirmed or closed) ÷
//     complaints received.
type KPI struct {
	From                    time.Time        `json:"from"`
	To                      time.Time        `json:"to"`
	Complaints              int64            `json:"complaints"`
	InstalledBase           *int64           `json:"installed_base"`
	ComplaintRate           *float64         `json:"complaint_rate"`
	AckMeasured             int64            `json:"ack_measured"`
	AckWithinLimit          int64            `json:"ack_within_limit"`
	AckWithinLimitRate      *float64         `json:"ack_within_limit_rate"`
	ResolveMeasured         int64            `json:"resolve_measured"`
	ResolvedWithinLimit     int64            `json:"resolved_within_limit"`
	ResolvedWithinLimitRate *float64         `json:"resolved_within_limit_rate"`
	Resolved                int64            `json:"resolved"`
	ResolutionRate          *float64         `json:"resolution_rate"`
	Closed                  int64            `json:"closed"`
	CustomerConfirmed       int64            `json:"customer_confirmed"`
	FollowedUp              int64            `json:"followed_up"`
	Escalated               int64            `json:"escalated"`
	BySeverity              map[string]int64 `json:"by_severity"`
	ByCategory              map[string]int64 `json:"by_category"`
	BySource                map[string]int64 `json:"by_source"`
}

// KPI computes the figures for [from, to) with aggregate queries on the
// received_at index. An outlet user gets the figures of complaints about
// their outlet, without the complaint rate (the installed base is not
// counted per outlet). Errors: validation (to not after from).
func (s *Service) KPI(ctx context.Context, from, to time.Time) (KPI, error) {
	if !to.After(from) {
		return KPI{}, apperr.FieldErr("to", apperr.Code("before_from", "must be after from"))
	}
	now := s.now()
	k := KPI{From: from.UTC().Truncate(time.Microsecond), To: to.UTC().Truncate(time.Microsecond), BySeverity: map[string]int64{}, ByCategory: map[string]int64{}, BySource: map[string]int64{}}
	// One pass over the period: the breakdowns by severity, category and
	// source are sums over their closed sets of values, not GROUP BYs, so
	// the database reads the rows once and needs no temporary table.
	cols := []string{
		"COUNT(*)",
		"SUM(CASE WHEN ack_at IS NOT NULL OR ack_due_at <= ? THEN 1 ELSE 0 END)",
		"SUM(CASE WHEN ack_at IS NOT NULL AND ack_at <= ack_due_at THEN 1 ELSE 0 END)",
		"SUM(CASE WHEN resolved_at IS NOT NULL OR resolve_due_at <= ? THEN 1 ELSE 0 END)",
		"SUM(CASE WHEN resolved_at IS NOT NULL AND resolved_at <= resolve_due_at THEN 1 ELSE 0 END)",
		"SUM(CASE WHEN resolved_at IS NOT NULL THEN 1 ELSE 0 END)",
		"SUM(CASE WHEN status = 'closed' THEN 1 ELSE 0 END)",
		"SUM(CASE WHEN customer_confirmed = 1 THEN 1 ELSE 0 END)",
		"SUM(CASE WHEN followup_at IS NOT NULL THEN 1 ELSE 0 END)",
		"SUM(CASE WHEN escalation_level > 0 THEN 1 ELSE 0 END)",
	}
	fixed := len(cols)
	type breakdown struct {
		col    string
		values []string
		dst    map[string]int64
	}
	bds := []breakdown{{"severity", Severities, k.BySeverity}, {"category", Categories, k.ByCategory}, {"source", Sources, k.BySource}}
	for _, b := range bds {
		for _, v := range b.values { // values are package constants, never input
			cols = append(cols, "SUM(CASE WHEN "+b.col+" = '"+v+"' THEN 1 ELSE 0 END)")
		}
	}
	vals := make([]sql.NullInt64, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	row := s.scoped(ctx, s.o.DB.WithContext(ctx).Model(&Complaint{})).Where("received_at >= ? AND received_at < ?", from.UTC().Truncate(time.Microsecond), to.UTC().Truncate(time.Microsecond)).
		Select(strings.Join(cols, ", "), now, now).Row()
	if err := row.Scan(ptrs...); err != nil {
		return KPI{}, apperr.Internal(fmt.Errorf("complaint kpi: %w", err))
	}
	v := func(i int) int64 { return vals[i].Int64 }
	k.Complaints, k.AckMeasured, k.AckWithinLimit = v(0), v(1), v(2)
	k.ResolveMeasured, k.ResolvedWithinLimit, k.Resolved = v(3), v(4), v(5)
	k.Closed, k.CustomerConfirmed, k.FollowedUp, k.Escalated = v(6), v(7), v(8), v(9)
	k.AckWithinLimitRate = Rate(k.AckWithinLimit, k.AckMeasured)
	k.ResolvedWithinLimitRate = Rate(k.ResolvedWithinLimit, k.ResolveMeasured)
	k.ResolutionRate = Rate(k.Resolved, k.Complaints)
	i := fixed
	for _, b := range bds {
		for _, val := range b.values {
			if c := v(i); c > 0 {
				b.dst[val] = c
			}
			i++
		}
	}
	if _, scoped := actor.From(ctx).OutletScoped(); s.o.InstalledBase != nil && !scoped {
		base, err := s.o.InstalledBase(ctx)
		if err != nil {
			return KPI{}, apperr.Internal(fmt.Errorf("complaint kpi: installed base: %w", err))
		}
		k.InstalledBase = &base
		k.ComplaintRate = Rate(k.Complaints, base)
	}
	return k, nil
}
