// Package consistency is a read-only cross-domain reporting layer: it walks
// the invariants that hold BETWEEN domains (a ticket and its work orders, a
// work order and its repair, a return and its unit, a survey answer and its
// complaint, stock and its ledger, a ticket and its SLA log) and names every
// record that breaks one.
//
// Like the readiness engine's SQL measures, it reads the operational tables
// directly (the documented exception to "another domain only through its
// service"): checking a million rows through service calls could not finish
// in bounded time. It never writes. The rules themselves stay in the domain
// that owns them (workorder.ResultAgrees, repair.Outcome, the unit statuses
// of package product); this package only applies them to stored rows. Each
// invariant runs in one or a few indexed queries, under a deadline, and
// names at most Options.MaxPerInvariant records (the total count is always
// exact), so a run is bounded in time however large the database is.
//
// `aftersales check` and GET /api/v1/admin/consistency run it; CI runs it
// on the seeded demo enterprise and on the database the browser suite left.
package consistency

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Invariant names.
const (
	NoLiveWorkOnClosedTicket    = "no_live_work_on_closed_ticket"
	WorkOrderResultAgreesRepair = "work_order_result_agrees_with_repair"
	ReturnedUnitHasStatus       = "returned_or_exchanged_unit_has_status"
	SurveyComplaintLinksTicket  = "survey_complaint_links_ticket"
	StockEqualsLedger           = "stock_equals_ledger"
	ClosedTicketSLALogClosed    = "closed_ticket_sla_log_closed"
	defaultMaxPerInvariant      = 1000
	defaultTimeout              = 2 * time.Minute
	workOrderRepairBatch        = 5000
)

// Violation names one record that breaks an invariant.
type Violation struct {
	// Entity and ID name the record (e.g. work_order 42); Ref is its
	// human-readable number when it has one.
	Entity string `json:"entity"`
	ID     uint64 `json:"id"`
	Ref    string `json:"ref,omitempty"`
	// Detail says what disagrees, with the other record's id.
	Detail string `json:"detail"`
}

// Result is one invariant's outcome.
type Result struct {
	Invariant   string      `json:"invariant"`
	Description string      `json:"description"`
	Count       int64       `json:"count"` // every violating record, even beyond those named
	Violations  []Violation `json:"violations"`
	Truncated   bool        `json:"truncated"` // more violations than named
	Millis      int64       `json:"millis"`
}

// Report is a whole run.
type Report struct {
	CheckedAt  time.Time `json:"checked_at"`
	Millis     int64     `json:"millis"`
	Violations int64     `json:"violations"`
	Results    []Result  `json:"results"`
}

// OK reports whether no invariant is broken.
func (r Report) OK() bool { return r.Violations == 0 }

// Options bound a run.
type Options struct {
	// MaxPerInvariant is how many violating records each invariant names
	// (default 1000); Count is exact regardless.
	MaxPerInvariant int
	// Timeout bounds the whole run (default 2 minutes).
	Timeout time.Duration
	Now     func() time.Time
}

// Checker walks the invariants over one database.
type Checker struct {
	db *gorm.DB
	o  Options
}

// New returns a Checker.
func New(db *gorm.DB, o Options) *Checker {
	if o.MaxPerInvariant <= 0 {
		o.MaxPerInvariant = defaultMaxPerInvariant
	}
	if o.Timeout <= 0 {
		o.Timeout = defaultTimeout
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Checker{db: db, o: o}
}

// invariant is one check: it appends violations through add and returns
// the exact count.
type invariant struct {
	name, description string
	run               func(ctx context.Context, db *gorm.DB, limit int, add func(Violation)) (int64, error)
}

func (c *Checker) invariants() []invariant {
	return []invariant{
		{NoLiveWorkOnClosedTicket, "no open offer or unstarted work order on a resolved, closed or merged ticket", liveWorkOnClosedTickets},
		{WorkOrderResultAgreesRepair, "every completed work order's result agrees with its repair (workorder.ResultAgrees)", workOrderResultsVsRepairs},
		{ReturnedUnitHasStatus, "every completed return marks its unit returned; every completed exchange marks its unit exchanged and registers the replacement, linked both ways", returnedUnits},
		{SurveyComplaintLinksTicket, "every complaint raised from a survey answer about a ticket links that ticket", surveyComplaints},
		{StockEqualsLedger, "every stock balance equals the sum of its ledger movements and is not negative", stockVsLedger},
		{ClosedTicketSLALogClosed, "every closed ticket has its SLA result frozen and no clock left running", closedTicketSLA},
	}
}

// Run walks every invariant. An invariant whose query fails (or runs out of
// time) fails the run with an error naming it: a partial report must not
// read as a clean one.
func (c *Checker) Run(ctx context.Context) (Report, error) {
	ctx, cancel := context.WithTimeout(ctx, c.o.Timeout)
	defer cancel()
	start := c.o.Now()
	rep := Report{CheckedAt: start.UTC()}
	db := c.db.WithContext(ctx)
	for _, inv := range c.invariants() {
		t0 := time.Now()
		res := Result{Invariant: inv.name, Description: inv.description, Violations: []Violation{}}
		add := func(v Violation) {
			if len(res.Violations) < c.o.MaxPerInvariant {
				res.Violations = append(res.Violations, v)
			}
		}
		n, err := inv.run(ctx, db, c.o.MaxPerInvariant, add)
		if err != nil {
			return rep, fmt.Errorf("consistency: %s: %w", inv.name, err)
		}
		res.Count = n
		res.Truncated = n > int64(len(res.Violations))
		sort.SliceStable(res.Violations, func(i, j int) bool { return res.Violations[i].ID < res.Violations[j].ID })
		res.Millis = time.Since(t0).Milliseconds()
		rep.Violations += n
		rep.Results = append(rep.Results, res)
	}
	rep.Millis = time.Since(start).Milliseconds()
	return rep, nil
}

// Text writes the report for a terminal: one line per invariant with its
// count and time, then every named violation.
func (r Report) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "consistency check at %s: %d violation(s) in %d ms\n", r.CheckedAt.Format(time.RFC3339), r.Violations, r.Millis)
	for _, res := range r.Results {
		mark := "ok  "
		if res.Count > 0 {
			mark = "FAIL"
		}
		fmt.Fprintf(&b, "%s %-40s %6d  (%d ms)  %s\n", mark, res.Invariant, res.Count, res.Millis, res.Description)
		for _, v := range res.Violations {
			ref := ""
			if v.Ref != "" {
				ref = " " + v.Ref
			}
			fmt.Fprintf(&b, "       %s #%d%s: %s\n", v.Entity, v.ID, ref, v.Detail)
		}
		if res.Truncated {
			fmt.Fprintf(&b, "       … %d more not named\n", res.Count-int64(len(res.Violations)))
		}
	}
	return b.String()
}
