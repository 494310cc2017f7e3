// Package report is the read-only reporting layer behind the managers'
// reports (GET /api/v1/reports/...): backlog and volume by product, fault
// code, region and production lot; the failure rate per production lot; and
// technician productivity. Its SQL aggregates over the operational tables
// of several domains (tickets, units, product models, repair orders, work
// orders, staff, outlets) in the database, which a service call per row
// could not do at scale; it never writes. archtest's reportingReads lists
// the package for that reason (docs/reports.md defines every figure).
package report

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/region"
)

// MaxPeriod is the longest period one report covers (as the KPIs).
const MaxPeriod = 5 * 366 * 24 * time.Hour

// Options are the layer's dependencies.
type Options struct {
	DB      *gorm.DB
	Regions *region.Directory
	// FailureRateWarning is the failure rate (repairs per installed unit)
	// at or above which a production lot is flagged (reports.failure_rate_warning).
	FailureRateWarning float64
}

// Reads runs the reports.
type Reads struct {
	o Options
}

// New returns the reporting layer on o.DB.
func New(o Options) *Reads { return &Reads{o: o} }

// FailureRateWarning returns the configured warning threshold.
func (r *Reads) FailureRateWarning() float64 { return r.o.FailureRateWarning }

// Filter is what every report is asked for: the period [From, To) and,
// optionally, one outlet. Outlet users always get their own outlet (Scope).
type Filter struct {
	From     time.Time
	To       time.Time
	OutletID uint64
	// scoped is set by Scope for an outlet user: the outlet filter then
	// applies even when OutletID is 0 (an outlet role without an outlet
	// sees nothing, never everything).
	scoped bool
}

// outlet reports whether the filter names one outlet, and which.
func (f Filter) outlet() (uint64, bool) { return f.OutletID, f.OutletID != 0 || f.scoped }

// Scope validates f and confines it to the caller's outlet: an outlet user
// asking for another outlet gets their own (the figures never leave the
// outlet). Errors: validation (from/to missing, reversed, longer than
// MaxPeriod).
func Scope(ctx context.Context, f Filter) (Filter, error) {
	fields := apperr.Fields{}
	switch {
	case f.From.IsZero():
		fields["from"] = apperr.Required()
	case f.To.IsZero():
		fields["to"] = apperr.Required()
	case !f.To.After(f.From):
		fields["to"] = apperr.Code("before_from", "must be after from")
	case f.To.Sub(f.From) > MaxPeriod:
		fields["to"] = apperr.Code("span_too_long", "the period may span at most 5 years").With("years", 5)
	}
	if len(fields) > 0 {
		return f, apperr.FieldsErr(fields)
	}
	if id, ok := actor.From(ctx).OutletScoped(); ok {
		f.OutletID, f.scoped = id, true
	}
	f.From, f.To = f.From.UTC(), f.To.UTC()
	return f, nil
}

// rate is n/d rounded to 4 decimals; nil when d is 0.
func rate(n, d int64) *float64 {
	if d == 0 {
		return nil
	}
	v := float64(n) / float64(d)
	v = float64(int64(v*10000+0.5)) / 10000
	return &v
}

func wrap(err error, what string) error {
	if err == nil {
		return nil
	}
	return apperr.Internal(fmt.Errorf("report %s: %w", what, err))
}

// sqlite reports whether the database is SQLite (date arithmetic differs).
func (r *Reads) sqlite() bool { return db.IsSQLite(r.o.DB) }

// secondsBetween is an SQL expression for b − a in seconds.
func (r *Reads) secondsBetween(a, b string) string {
	if r.sqlite() {
		return fmt.Sprintf("((julianday(%s) - julianday(%s)) * 86400.0)", b, a)
	}
	return fmt.Sprintf("TIMESTAMPDIFF(SECOND, %s, %s)", a, b)
}
