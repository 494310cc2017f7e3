package survey

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/passport"
)

var _ passport.Source = (*Service)(nil)

// ResponseFilter selects responses; From/To bound answered_at.
type ResponseFilter struct {
	From, To     *time.Time
	TicketID     *uint64
	CustomerID   *uint64
	UnitID       *uint64
	Channel      string
	Dissatisfied *bool
	// BeforeID pages by keyset (newest first): pass the last id seen.
	BeforeID uint64
	Size     int
}

// ListResponses returns responses newest first, keyset-paged on id (the
// table grows by hundreds of thousands a year, so no OFFSET and no total).
func (s *Service) ListResponses(ctx context.Context, f ResponseFilter) ([]Response, error) {
	q := s.o.DB.WithContext(ctx).Model(&Response{})
	if f.From != nil {
		q = q.Where("answered_at >= ?", f.From.UTC())
	}
	if f.To != nil {
		q = q.Where("answered_at < ?", f.To.UTC())
	}
	for col, v := range map[string]*uint64{"ticket_id": f.TicketID, "customer_id": f.CustomerID, "unit_id": f.UnitID} {
		if v != nil {
			q = q.Where(col+" = ?", *v)
		}
	}
	if f.Channel != "" {
		if f.Channel != ChannelLink && f.Channel != ChannelPhone {
			return nil, apperr.Field("channel", "link or phone")
		}
		q = q.Where("channel = ?", f.Channel)
	}
	if f.Dissatisfied != nil {
		q = q.Where("dissatisfied = ?", *f.Dissatisfied)
	}
	if f.BeforeID > 0 {
		q = q.Where("id < ?", f.BeforeID)
	}
	if outlet, ok := actor.From(ctx).OutletScoped(); ok {
		q = q.Where("outlet_id = ?", outlet)
	}
	if f.Size <= 0 || f.Size > 200 {
		f.Size = 50
	}
	var out []Response
	if err := q.Order("id DESC").Limit(f.Size).Find(&out).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("list survey responses: %w", err))
	}
	return out, nil
}

// GetResponse returns one response. Errors: not found.
func (s *Service) GetResponse(ctx context.Context, rid uint64) (Response, error) {
	var r Response
	q := s.o.DB.WithContext(ctx).Where("id = ?", rid)
	if outlet, ok := actor.From(ctx).OutletScoped(); ok {
		q = q.Where("outlet_id = ?", outlet)
	}
	if err := q.Take(&r).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return r, apperr.NotFound("survey response")
		}
		return r, apperr.Internal(fmt.Errorf("get survey response: %w", err))
	}
	return r, nil
}

// ResponseExists returns nil when the response exists (for corrective actions).
func (s *Service) ResponseExists(ctx context.Context, rid uint64) error {
	_, err := s.GetResponse(ctx, rid)
	return err
}

// InvitationFilter selects invitations.
type InvitationFilter struct {
	Status     string // a stored status, or expired (derived)
	Channel    string
	TicketID   *uint64
	CustomerID *uint64
	BeforeID   uint64
	Size       int
}

// ListInvitations returns invitations newest first (keyset on id).
func (s *Service) ListInvitations(ctx context.Context, f InvitationFilter) ([]Invitation, error) {
	q := s.o.DB.WithContext(ctx).Model(&Invitation{})
	now := s.now()
	switch f.Status {
	case "":
	case InvExpired:
		q = q.Where("status = ? AND channel = ? AND expires_at <= ?", InvSent, ChannelLink, now)
	case InvSent:
		q = q.Where("status = ? AND (expires_at IS NULL OR expires_at > ?)", InvSent, now)
	case InvScheduled, InvAnswered, InvCancelled, InvUnreachable, InvRefused:
		q = q.Where("status = ?", f.Status)
	default:
		return nil, apperr.Field("status", "one of scheduled, sent, answered, expired, cancelled, unreachable, refused")
	}
	if f.Channel != "" {
		q = q.Where("channel = ?", f.Channel)
	}
	if f.TicketID != nil {
		q = q.Where("ticket_id = ?", *f.TicketID)
	}
	if f.CustomerID != nil {
		q = q.Where("customer_id = ?", *f.CustomerID)
	}
	if f.BeforeID > 0 {
		q = q.Where("id < ?", f.BeforeID)
	}
	if f.Size <= 0 || f.Size > 200 {
		f.Size = 50
	}
	var out []Invitation
	if err := q.Order("id DESC").Limit(f.Size).Find(&out).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("list survey invitations: %w", err))
	}
	return out, nil
}

// Now is the service clock (for effective statuses in responses).
func (s *Service) Now() time.Time { return s.now() }

// ChannelKPI are the response figures of one channel.
type ChannelKPI struct {
	Sent         int64    `json:"sent"`
	Answered     int64    `json:"answered"`
	ResponseRate *float64 `json:"response_rate"`
}

// FollowupKPI are the 回访 figures of a period (follow-ups created in it).
type FollowupKPI struct {
	Total          int64    `json:"total"`
	Answered       int64    `json:"answered"`
	Unreachable    int64    `json:"unreachable"`
	Refused        int64    `json:"refused"`
	Cancelled      int64    `json:"cancelled"`
	Open           int64    `json:"open"`
	OpenOverdue    int64    `json:"open_overdue"`
	Measured       int64    `json:"measured"`
	WithinLimit    int64    `json:"within_limit"`
	WithinRate     *float64 `json:"within_limit_rate"`
	Callbacks      int64    `json:"callbacks"`
	CallbacksDone  int64    `json:"callbacks_done"`
	CallbacksLate  int64    `json:"callbacks_late"`
	AttemptsPerFUP *float64 `json:"attempts_per_followup"`
}

// KPI are the satisfaction figures of a period [From, To).
//
// Definitions (docs/kpi.md): invitations are counted by when they were sent
// (a link when issued, a 回访 when queued), cancelled ones (answered through
// the other channel) excluded; response rate = answered ÷ sent;
// non-response = expired links + unreachable + refused; pending = sent, not
// answered, not yet expired or ended. Scores are averaged over responses
// answered in the period; NPS = % promoters (9–10) − % detractors (0–6).
// A 回访 is within limit when it ended (answered, refused, unreachable) on or
// before its due time, 3 days after the close by default.
type KPI struct {
	From              time.Time             `json:"from"`
	To                time.Time             `json:"to"`
	Sent              int64                 `json:"sent"`
	Answered          int64                 `json:"answered"`
	ResponseRate      *float64              `json:"response_rate"`
	NonResponse       int64                 `json:"non_response"`
	Expired           int64                 `json:"expired"`
	Unreachable       int64                 `json:"unreachable"`
	Refused           int64                 `json:"refused"`
	Pending           int64                 `json:"pending"`
	ByChannel         map[string]ChannelKPI `json:"by_channel"`
	Responses         int64                 `json:"responses"`
	CSATCount         int64                 `json:"csat_count"`
	CSATAverage       *float64              `json:"csat_average"`
	CSATSatisfied     int64                 `json:"csat_satisfied"` // 4–5
	CSATSatisfiedRate *float64              `json:"csat_satisfied_rate"`
	NPSCount          int64                 `json:"nps_count"`
	Promoters         int64                 `json:"promoters"`
	Passives          int64                 `json:"passives"`
	Detractors        int64                 `json:"detractors"`
	NPS               *float64              `json:"nps"`
	AgentCount        int64                 `json:"agent_count"`
	AgentAverage      *float64              `json:"agent_average"`
	TechnicianCount   int64                 `json:"technician_count"`
	TechnicianAverage *float64              `json:"technician_average"`
	Dissatisfied      int64                 `json:"dissatisfied"`
	Followups         FollowupKPI           `json:"followups"`
}

func rate(part, whole int64) *float64 {
	if whole <= 0 {
		return nil
	}
	v := float64(part) / float64(whole)
	return &v
}

func avg(sum, count int64) *float64 {
	if count == 0 {
		return nil
	}
	v := float64(sum) / float64(count)
	return &v
}

// KPI computes the figures with one aggregate query per table, each served
// by a covering index on its time column. An outlet user gets the figures of
// their outlet's tickets. Errors: validation (to not after from).
func (s *Service) KPI(ctx context.Context, from, to time.Time) (KPI, error) {
	if !to.After(from) {
		return KPI{}, apperr.Field("to", "must be after from")
	}
	from, to = from.UTC(), to.UTC()
	k := KPI{From: from, To: to, ByChannel: map[string]ChannelKPI{}}
	// The three aggregates read different tables: they run side by side, so
	// the answer takes as long as the slowest, not the sum.
	parts := []func() error{
		func() error { return s.invitationKPI(ctx, from, to, &k) },
		func() error { return s.responseKPI(ctx, from, to, &k) },
		func() error { return s.followupKPI(ctx, from, to, &k.Followups) },
	}
	errs := make([]error, len(parts))
	var wg sync.WaitGroup
	for i, p := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = p()
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return KPI{}, err
		}
	}
	return k, nil
}

// kpiScope restricts a KPI query to the caller's outlet.
func kpiScope(ctx context.Context, q *gorm.DB) *gorm.DB {
	if outlet, ok := actor.From(ctx).OutletScoped(); ok {
		return q.Where("outlet_id = ?", outlet)
	}
	return q
}

// sums scans one row of integer aggregates.
func sums(q *gorm.DB, cols []string, args ...any) ([]int64, error) {
	vals := make([]sql.NullInt64, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := q.Select(strings.Join(cols, ", "), args...).Row().Scan(ptrs...); err != nil {
		return nil, err
	}
	out := make([]int64, len(vals))
	for i, v := range vals {
		out[i] = v.Int64
	}
	return out, nil
}

// invitationKPI counts the invitations sent in the period in one pass over
// the covering index (sent_at, status, channel, expires_at), grouped by
// channel, status and whether the expiry has passed: about ten groups, so
// the database hashes each row once instead of comparing strings a dozen
// times.
func (s *Service) invitationKPI(ctx context.Context, from, to time.Time, k *KPI) error {
	now := s.now()
	var rows []struct {
		Channel, Status string
		Expired         bool
		N               int64
	}
	err := kpiScope(ctx, s.o.DB.WithContext(ctx).Model(&Invitation{})).
		Where("sent_at >= ? AND sent_at < ? AND status <> ?", from, to, InvCancelled).
		Select("channel, status, CASE WHEN expires_at <= ? THEN 1 ELSE 0 END AS expired, COUNT(*) AS n", now).
		Group("channel, status, expired").Scan(&rows).Error
	if err != nil {
		return apperr.Internal(fmt.Errorf("survey kpi: invitations: %w", err))
	}
	for _, r := range rows {
		c := k.ByChannel[r.Channel]
		c.Sent += r.N
		k.Sent += r.N
		switch {
		case r.Status == InvAnswered:
			c.Answered += r.N
			k.Answered += r.N
		case r.Status == InvUnreachable:
			k.Unreachable += r.N
		case r.Status == InvRefused:
			k.Refused += r.N
		case r.Status == InvSent && r.Channel == ChannelLink && r.Expired:
			k.Expired += r.N
		case r.Status == InvSent:
			k.Pending += r.N
		}
		k.ByChannel[r.Channel] = c
	}
	for ch, c := range k.ByChannel {
		c.ResponseRate = rate(c.Answered, c.Sent)
		k.ByChannel[ch] = c
	}
	k.NonResponse = k.Expired + k.Unreachable + k.Refused
	k.ResponseRate = rate(k.Answered, k.Sent)
	return nil
}

// responseKPI averages the scores of the responses answered in the period
// (covering index on answered_at and the score columns).
func (s *Service) responseKPI(ctx context.Context, from, to time.Time, k *KPI) error {
	v, err := sums(kpiScope(ctx, s.o.DB.WithContext(ctx).Model(&Response{})).Where("answered_at >= ? AND answered_at < ?", from, to),
		[]string{"COUNT(*)", "COUNT(csat)", "SUM(csat)", "SUM(CASE WHEN csat >= 4 THEN 1 ELSE 0 END)", "COUNT(nps)",
			"SUM(CASE WHEN nps >= 9 THEN 1 ELSE 0 END)", "SUM(CASE WHEN nps <= 6 THEN 1 ELSE 0 END)",
			"COUNT(agent_score)", "SUM(agent_score)", "COUNT(technician_score)", "SUM(technician_score)",
			"SUM(CASE WHEN dissatisfied = 1 THEN 1 ELSE 0 END)"})
	if err != nil {
		return apperr.Internal(fmt.Errorf("survey kpi: responses: %w", err))
	}
	k.Responses, k.CSATCount, k.CSATSatisfied = v[0], v[1], v[3]
	k.NPSCount, k.Promoters, k.Detractors = v[4], v[5], v[6]
	k.Passives = k.NPSCount - k.Promoters - k.Detractors
	k.AgentCount, k.TechnicianCount, k.Dissatisfied = v[7], v[9], v[11]
	k.CSATAverage, k.AgentAverage, k.TechnicianAverage = avg(v[2], k.CSATCount), avg(v[8], k.AgentCount), avg(v[10], k.TechnicianCount)
	k.CSATSatisfiedRate = rate(k.CSATSatisfied, k.CSATCount)
	k.NPS = NPS(k.Promoters, k.Detractors, k.NPSCount)
	return nil
}

// followupKPI counts the 回访 and supervisor call-backs created in the
// period in one pass over the covering index (created_at, kind, status,
// due_at, completed_at, attempts), grouped by kind, status and two
// timeliness flags (a handful of groups).
func (s *Service) followupKPI(ctx context.Context, from, to time.Time, f *FollowupKPI) error {
	now := s.now()
	var rows []struct {
		Kind, Status    string
		PastDue, OnTime bool
		N, Attempts     int64
	}
	err := kpiScope(ctx, s.o.DB.WithContext(ctx).Model(&Followup{})).Where("created_at >= ? AND created_at < ?", from, to).
		Select(`kind, status, CASE WHEN due_at < ? THEN 1 ELSE 0 END AS past_due,
			CASE WHEN completed_at IS NOT NULL AND completed_at <= due_at THEN 1 ELSE 0 END AS on_time,
			COUNT(*) AS n, SUM(attempts) AS attempts`, now).
		Group("kind, status, past_due, on_time").Scan(&rows).Error
	if err != nil {
		return apperr.Internal(fmt.Errorf("survey kpi: follow-ups: %w", err))
	}
	*f = FollowupKPI{}
	var attempts int64
	for _, r := range rows {
		ended := r.Status == FUAnswered || r.Status == FUUnreachable || r.Status == FURefused
		if r.Kind == FollowupSupervisorCallback {
			f.Callbacks += r.N
			if ended || r.Status == FUDone {
				f.CallbacksDone += r.N
			}
			if (r.Status != FUDue && r.Status != FUCancelled && !r.OnTime) || (r.Status == FUDue && r.PastDue) {
				f.CallbacksLate += r.N
			}
			continue
		}
		f.Total += r.N
		attempts += r.Attempts
		switch r.Status {
		case FUAnswered:
			f.Answered += r.N
		case FUUnreachable:
			f.Unreachable += r.N
		case FURefused:
			f.Refused += r.N
		case FUCancelled:
			f.Cancelled += r.N
		case FUDue:
			f.Open += r.N
			if r.PastDue {
				f.OpenOverdue += r.N
				f.Measured += r.N
			}
		}
		if ended {
			f.Measured += r.N
			if r.OnTime {
				f.WithinLimit += r.N
			}
		}
	}
	f.WithinRate = rate(f.WithinLimit, f.Measured)
	if f.Total > 0 {
		x := float64(attempts) / float64(f.Total)
		f.AttemptsPerFUP = &x
	}
	return nil
}

// PassportEntries lists a unit's survey responses and 回访 that ended
// without an answer (newest 200 each), for the unit passport.
func (s *Service) PassportEntries(ctx context.Context, unitID uint64) ([]passport.Entry, error) {
	db := s.o.DB.WithContext(ctx)
	var rs []Response
	if err := db.Where("unit_id = ?", unitID).Order("answered_at DESC").Limit(200).Find(&rs).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("survey passport: %w", err))
	}
	var out []passport.Entry
	channel := map[string]string{ChannelLink: "短信/网页评价", ChannelPhone: "电话回访"}
	for _, r := range rs {
		title := fmt.Sprintf("满意度评价（%s）", channel[r.Channel])
		if r.Csat != nil {
			title += fmt.Sprintf(" 总体 %d 分", *r.Csat)
		}
		if r.Dissatisfied {
			title += " — 不满意"
		}
		out = append(out, passport.Entry{At: r.AnsweredAt, Kind: "survey", Title: title, Ref: fmt.Sprintf("survey_response:%d", r.ID),
			Data: map[string]any{"ticket_id": r.TicketID, "csat": r.Csat, "nps": r.Nps, "channel": r.Channel, "dissatisfied": r.Dissatisfied}})
	}
	var fus []Followup
	if err := db.Where("unit_id = ? AND status IN ?", unitID, []string{FUUnreachable, FURefused, FUDone}).
		Order("id DESC").Limit(200).Find(&fus).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("survey passport: %w", err))
	}
	label := map[string]string{FUUnreachable: "电话回访未接通", FURefused: "客户拒绝回访", FUDone: "主管回电已完成"}
	for _, f := range fus {
		at := f.CreatedAt
		if f.CompletedAt != nil {
			at = *f.CompletedAt
		}
		out = append(out, passport.Entry{At: at, Kind: "followup", Title: label[f.Status], Ref: fmt.Sprintf("survey_followup:%d", f.ID),
			Data: map[string]any{"ticket_id": f.TicketID, "kind": f.Kind, "attempts": f.Attempts}})
	}
	return out, nil
}
