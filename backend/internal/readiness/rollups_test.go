package readiness_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/complaint"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/parts"
	"github.com/aftersales/aftersales/backend/internal/readiness"
	"github.com/aftersales/aftersales/backend/internal/repair"
	"github.com/aftersales/aftersales/backend/internal/returns"
	"github.com/aftersales/aftersales/backend/internal/sla"
	"github.com/aftersales/aftersales/backend/internal/survey"
	"github.com/aftersales/aftersales/backend/internal/testutil"
	"github.com/aftersales/aftersales/backend/internal/ticket"
	"github.com/aftersales/aftersales/backend/internal/workorder"
)

// rollupMeasures are the measures summed from day rollups.
var rollupMeasures = []string{"first_response_on_time", "followup_within_3d", "outlet_accept_on_time", "onsite_arrival_on_time",
	"delivery_on_time", "installation_on_time", "survey_response_rate", "survey_satisfaction", "complaint_ack_within_limit",
	"complaint_resolved_within_limit", "spare_parts_fill_rate", "repair_first_time_fix", "repair_record_complete",
	"return_within_legal_window"}

// TestRollupsAgreeWithRows: on random operations spread over 400 days and
// eight outlets — tickets, follow-ups, work orders, complaints, surveys,
// repairs, returns and requisitions — every rollup-based measure equals a
// recomputation from the rows, exactly: built cold, read back steady, after
// late changes to old records (a ticket reopened, a complaint resolved
// late, a survey answered late, a repeat repair, a return decided and a
// requisition received late) marked dirty through the event consumer, a
// week later when deadlines passed without any change, and at an earlier
// as-of than the rollups were made at.
func TestRollupsAgreeWithRows(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := actor.With(context.Background(), actor.System("test"))
		rng := rand.New(rand.NewPCG(15, 2026))
		asOf := sqlAsOf
		f := seedRandomOperations(t, db, rng, asOf)

		rolled := readiness.NewSQLMeasures(db, cst, slog.Default())
		clock := asOf
		svc, err := readiness.New(ctx, readiness.Options{DB: db, StandardFile: "../../../configs/standards/gbt27922-2011.yaml",
			Measures: rolled, Location: cst, Debounce: time.Hour, Now: func() time.Time { return clock }})
		if err != nil {
			t.Fatal(err)
		}
		defer svc.Close()
		reqs := make([]readiness.MeasureRequest, 0, len(rollupMeasures))
		for _, m := range rollupMeasures {
			reqs = append(reqs, readiness.MeasureRequest{Measure: m, WindowMonths: 12})
		}
		compare := func(label string, at time.Time) {
			t.Helper()
			full := readiness.NewSQLMeasures(db, cst, slog.Default())
			full.NoDayCache = true
			want := full.Measures(ctx, at, reqs)
			got := rolled.Measures(ctx, at, reqs)
			for _, name := range rollupMeasures {
				w, g := want[name], got[name]
				if !w.Known || w.Note != g.Note && w.Note != "" {
					t.Errorf("%s: %s not computed: %+v", label, name, w)
				}
				if g.Known != w.Known || g.Numerator != w.Numerator || g.Denominator != w.Denominator || !slices.Equal(g.RecordIDs, w.RecordIDs) {
					t.Errorf("%s: %s from rollups %v/%v %v, from rows %v/%v %v", label, name, g.Numerator, g.Denominator, g.RecordIDs,
						w.Numerator, w.Denominator, w.RecordIDs)
				}
			}
		}
		compare("cold", asOf)
		var rows int64
		db.Model(&readiness.Rollup{}).Count(&rows)
		if rows < 14*300 {
			t.Fatalf("%d rollup rows after a cold run", rows)
		}
		compare("steady", asOf.Add(time.Minute))

		// Late changes to old records, each announced by its event.
		mark := func(name string, data map[string]any) {
			t.Helper()
			if err := svc.MarkDirty(ctx, db, event.Event{Name: name, Data: data}); err != nil {
				t.Fatal(err)
			}
		}
		late := asOf.Add(-time.Hour)
		for _, c := range f.complaints[:40] {
			if c.ResolvedAt == nil && c.ReceivedAt.Before(asOf.AddDate(0, 0, -20)) {
				// The resolution was recorded late, with its real time.
				at := c.ReceivedAt.Add(30 * time.Minute)
				db.Model(&complaint.Complaint{}).Where("id = ?", c.ID).Updates(map[string]any{"resolved_at": at, "closed_at": late, "status": "closed"})
				mark("complaint.closed", map[string]any{"complaint_id": c.ID})
			}
		}
		for _, tk := range f.tickets[:60] {
			if tk.ClosedAt != nil && tk.ClosedAt.Before(asOf.AddDate(0, 0, -10)) {
				db.Model(&ticket.Ticket{}).Where("id = ?", tk.ID).Updates(map[string]any{"status": "in_progress", "closed_at": nil})
				mark("ticket.status_changed", map[string]any{"ticket_id": tk.ID})
			}
		}
		for _, in := range f.invitations[:60] {
			if in.AnsweredAt == nil && in.Status == "sent" && in.SentAt.Before(asOf.AddDate(0, 0, -3)) {
				db.Model(&survey.Invitation{}).Where("id = ?", in.ID).Updates(map[string]any{"answered_at": late, "status": "answered"})
				mark("survey.answered", map[string]any{"invitation_id": in.ID})
			}
		}
		for _, wo := range f.workOrders[:60] {
			if wo.CompletedAt == nil && wo.CompleteDueAt != nil && wo.CompleteDueAt.Before(asOf.AddDate(0, 0, -5)) {
				db.Model(&workorder.WorkOrder{}).Where("id = ?", wo.ID).Updates(map[string]any{"completed_at": late, "result": "done", "accepted_at": late})
				mark("workorder.completed", map[string]any{"work_order_id": wo.ID})
			}
		}
		for _, r := range f.repairs {
			if r.CompletedAt != nil && r.CompletedAt.After(asOf.AddDate(0, 0, -25)) && r.NextReceivedAt == nil {
				again := repair.Order{Number: fmt.Sprintf("RA%d", r.ID), OutletID: r.OutletID, UnitID: r.UnitID, Serial: r.Serial, ModelID: 1,
					Channel: "hotline", Status: "received", ReceivedAt: late, Version: 1, CreatedAt: late, UpdatedAt: late}
				if err := db.Create(&again).Error; err != nil {
					t.Fatal(err)
				}
				db.Model(&repair.Order{}).Where("id = ?", r.ID).Update("next_received_at", late)
				mark("repair.created", map[string]any{"id": again.ID})
				break
			}
		}
		for _, r := range f.returns[:40] {
			if r.DecidedAt == nil && r.Eligible && r.CancelledAt == nil {
				db.Model(&returns.Request{}).Where("id = ?", r.ID).Updates(map[string]any{"decided_at": late, "decision": "accepted", "status": "decided"})
				mark("return.decided", map[string]any{"id": r.ID})
			}
		}
		for _, r := range f.requisitions[:40] {
			if r.ReceivedAt == nil && r.CancelledAt == nil {
				db.Model(&parts.Requisition{}).Where("id = ?", r.ID).Update("cancelled_at", late)
				mark("parts.requisition_cancelled", map[string]any{"id": r.ID})
			}
		}
		var marks int64
		db.Model(&readiness.RollupDirty{}).Count(&marks)
		if marks < 10 {
			t.Fatalf("only %d dirty marks", marks)
		}
		compare("after late changes", asOf.Add(2*time.Minute))
		compare("steady after late changes", asOf.Add(3*time.Minute))
		compare("a week later, deadlines passed", asOf.Add(7*24*time.Hour+5*time.Hour))
		compare("earlier as-of than the rollups", asOf.Add(-50*time.Hour))

		// The runs already rolled up every closed day: the job finds
		// nothing to build.
		clock = asOf.Add(4 * time.Minute)
		if err := svc.BuildRollups(ctx); err != nil {
			t.Fatal(err)
		}
		if st, err := svc.RollupStatus(ctx); err != nil || st.Status != readiness.BuildDone || st.DaysDone != st.DaysTotal {
			t.Fatalf("rolled up by runs: %+v %v", st, err)
		}
		// From scratch, the background build makes the same figures.
		for _, m := range []any{&readiness.Rollup{}, &readiness.RollupBuild{}} {
			if err := db.Where("1 = 1").Delete(m).Error; err != nil {
				t.Fatal(err)
			}
		}
		if err := svc.BuildRollups(ctx); err != nil {
			t.Fatal(err)
		}
		st, err := svc.RollupStatus(ctx)
		if err != nil || st.Status != readiness.BuildDone || st.DaysDone != st.DaysTotal || st.DaysTotal < 300 {
			t.Fatalf("build %+v %v", st, err)
		}
		compare("after a build from scratch", asOf.Add(5*time.Minute))

		// Twice a day the job renews, in the background, the days of tables
		// whose changes do not all raise events (here the follow-ups), so
		// that no run meets their 24 h limit.
		old := time.Now().UTC().Add(-13 * time.Hour)
		db.Where("1 = 1").Delete(&readiness.RollupDirty{}) // all rolled up since
		clock = asOf.Add(6 * time.Minute)
		db.Model(&readiness.Rollup{}).Where("1 = 1").Update("computed_at", old)
		db.Model(&readiness.RollupBuild{}).Where("name = ?", "rollups").Update("finished_at", old)
		if err := svc.BuildRollups(ctx); err != nil {
			t.Fatal(err)
		}
		var renewed, kept int64
		db.Model(&readiness.Rollup{}).Where("measure = ? AND computed_at > ?", "followup_within_3d:followed", old).Count(&renewed)
		db.Model(&readiness.Rollup{}).Where("measure = ? AND computed_at > ?", "complaint_ack_within_limit", old).Count(&kept)
		if renewed < 300 || kept != 0 {
			t.Fatalf("refresh renewed %d follow-up days and %d complaint days", renewed, kept)
		}
	})
}

type randomOps struct {
	tickets      []ticket.Ticket
	complaints   []complaint.Complaint
	workOrders   []workorder.WorkOrder
	invitations  []survey.Invitation
	repairs      []repair.Order
	returns      []returns.Request
	requisitions []parts.Requisition
}

// seedRandomOperations spreads records over the 400 days before asOf.
func seedRandomOperations(t *testing.T, db *gorm.DB, rng *rand.Rand, asOf time.Time) *randomOps {
	t.Helper()
	f := &randomOps{}
	day := 24 * time.Hour
	when := func() time.Time { return asOf.Add(-time.Duration(rng.Int64N(int64(400 * day)))).Truncate(time.Second) }
	after := func(t0 time.Time, span time.Duration) *time.Time {
		v := t0.Add(time.Duration(rng.Int64N(int64(span)))).Truncate(time.Second)
		if !v.Before(asOf) {
			return nil
		}
		return &v
	}
	chance := func(p float64) bool { return rng.Float64() < p }
	outlet := func() *uint64 { v := uint64(1 + rng.IntN(8)); return &v }
	create := func(v any) {
		t.Helper()
		if err := db.CreateInBatches(v, 100).Error; err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Create(&[]workorder.KindPolicy{{Kind: "repair", Name: "维修", AcceptMinutes: 60, UpdatedAt: asOf},
		{Kind: "installation", Name: "安装", AcceptMinutes: 120, UpdatedAt: asOf}, {Kind: "delivery", Name: "送货", AcceptMinutes: 90, UpdatedAt: asOf}}).Error; err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 250; i++ {
		c := when()
		tk := ticket.Ticket{Number: fmt.Sprintf("RT%05d", i), Channel: "phone", Type: "repair", Priority: "normal", Status: "in_progress",
			CustomerID: 1, OutletID: outlet(), SLACheckedAt: c, Version: 1, CreatedAt: c, UpdatedAt: c}
		if chance(0.8) {
			tk.FirstResponseAt = after(c, 3*time.Hour)
		}
		if chance(0.6) {
			if tk.ClosedAt = after(c, 10*day); tk.ClosedAt != nil {
				tk.Status = "closed"
			}
		}
		f.tickets = append(f.tickets, tk)
	}
	create(&f.tickets)
	var alerts []sla.Alert
	for i, tk := range f.tickets {
		if tk.FirstResponseAt == nil && chance(0.5) || tk.FirstResponseAt != nil && chance(0.1) {
			alerts = append(alerts, sla.Alert{TicketID: tk.ID, Target: "first_response", Kind: "breach", RaisedAt: tk.CreatedAt.Add(2 * time.Hour)})
		}
		if tk.ClosedAt != nil && chance(0.7) {
			cl := *tk.ClosedAt
			done := after(cl, 6*day)
			if err := db.Exec(`INSERT INTO survey_followups (dedupe_key, kind, status, template_id, ticket_id, customer_id, closed_at, due_at,
				completed_at, version, created_at, updated_at) VALUES (?, 'after_close', ?, 1, ?, 1, ?, ?, ?, 1, ?, ?)`,
				fmt.Sprintf("rf%d", i), []string{"answered", "unreachable", "pending"}[rng.IntN(3)], tk.ID, cl, cl.Add(3*day), done, cl, cl).Error; err != nil {
				t.Fatal(err)
			}
		}
	}
	create(&alerts)
	for i := 0; i < 250; i++ {
		r := when()
		c := complaint.Complaint{Number: fmt.Sprintf("RC%05d", i), Source: "hotline", CustomerID: 1, OutletID: outlet(), Category: "delay",
			Severity: "normal", Status: "received", Title: "随机投诉", ReceivedAt: r, AckDueAt: r.Add(2 * time.Hour),
			ResolveDueAt: r.Add(time.Duration(1+rng.IntN(7)) * day), Version: 1, CreatedAt: r, UpdatedAt: r}
		if chance(0.8) {
			c.AckAt = after(r, 4*time.Hour)
		}
		if chance(0.7) {
			if c.ResolvedAt = after(r, 10*day); c.ResolvedAt != nil {
				c.ClosedAt, c.Status = c.ResolvedAt, "closed"
			}
		}
		f.complaints = append(f.complaints, c)
	}
	create(&f.complaints)
	kinds := []string{"repair", "installation", "delivery"}
	for i := 0; i < 200; i++ {
		c := when()
		due, arr := c.Add(72*time.Hour), c.Add(24*time.Hour)
		wo := workorder.WorkOrder{Number: fmt.Sprintf("RW%05d", i), TicketID: uint64(i + 1), Kind: kinds[rng.IntN(3)], Status: "accepted",
			CustomerID: 1, OutletID: outlet(), Attempts: rng.IntN(3), CompleteDueAt: &due, Version: 1, CreatedAt: c, UpdatedAt: c}
		if chance(0.8) {
			wo.AcceptedAt = after(c, 3*time.Hour)
		}
		if chance(0.7) {
			wo.ArrivalDueAt = &arr
			if wo.ArrivedAt = after(c, 36*time.Hour); wo.ArrivedAt != nil && chance(0.8) {
				ok := !wo.ArrivedAt.After(arr)
				wo.ArrivalOnTime = &ok
			}
		}
		if chance(0.7) {
			wo.CompletedAt = after(c, 5*day)
			wo.Result = []string{"done", "done", "failed"}[rng.IntN(3)]
		}
		if chance(0.05) {
			wo.CancelledAt = after(c, 4*day)
		}
		f.workOrders = append(f.workOrders, wo)
	}
	create(&f.workOrders)
	for i := 0; i < 250; i++ {
		s := when()
		exp := s.Add(7 * day)
		in := survey.Invitation{DedupeKey: fmt.Sprintf("ri%d", i), RespondentKey: fmt.Sprintf("c%d", i), TemplateID: 1, Kind: "service",
			Channel: "sms", Status: "sent", CustomerID: 1, OutletID: outlet(), SendAt: s, SentAt: &s, ExpiresAt: &exp, Version: 1, CreatedAt: s, UpdatedAt: s}
		switch x := rng.Float64(); {
		case x < 0.5:
			if in.AnsweredAt = after(s, 6*day); in.AnsweredAt != nil {
				in.Status = "answered"
			}
		case x < 0.6:
			in.Status = "unreachable"
		case x < 0.65:
			in.Status = "cancelled"
		}
		f.invitations = append(f.invitations, in)
	}
	create(&f.invitations)
	var responses []survey.Response
	for _, in := range f.invitations {
		if in.AnsweredAt != nil {
			csat := 1 + rng.IntN(5)
			responses = append(responses, survey.Response{RespondentKey: in.RespondentKey, InvitationID: in.ID, TemplateID: 1, Kind: "service",
				Channel: "sms", CustomerID: 1, OutletID: in.OutletID, AnsweredAt: *in.AnsweredAt, Csat: &csat, Answers: "[]", CreatedAt: *in.AnsweredAt})
		}
	}
	create(&responses)
	for i := 0; i < 200; i++ {
		r := when()
		o := repair.Order{Number: fmt.Sprintf("RR%05d", i), OutletID: *outlet(), UnitID: uint64(1 + rng.IntN(60)), ModelID: 1, Channel: "hotline",
			Status: "received", Result: []string{"fixed", "replaced", "unfixed"}[rng.IntN(3)], Visits: 1 + rng.IntN(2),
			RecordComplete: chance(0.7), ReceivedAt: r, Version: 1, CreatedAt: r, UpdatedAt: r}
		o.Serial = fmt.Sprintf("SN%d", o.UnitID)
		if o.CompletedAt = after(r, 5*day); o.CompletedAt != nil && chance(0.85) {
			o.Status = "completed"
			o.ClosedAt = after(*o.CompletedAt, 2*day)
		}
		f.repairs = append(f.repairs, o)
	}
	// The repair domain keeps next_received_at: the next repair of the
	// unit received after this one was completed.
	for i := range f.repairs {
		r := &f.repairs[i]
		for _, o := range f.repairs {
			if o.UnitID == r.UnitID && r.CompletedAt != nil && o.ReceivedAt.After(*r.CompletedAt) && (r.NextReceivedAt == nil || o.ReceivedAt.Before(*r.NextReceivedAt)) {
				v := o.ReceivedAt
				r.NextReceivedAt = &v
			}
		}
	}
	create(&f.repairs)
	for i := 0; i < 200; i++ {
		r := when()
		on := time.Date(r.Year(), r.Month(), r.Day(), 0, 0, 0, 0, time.UTC)
		until := on.AddDate(0, 0, 15)
		rq := returns.Request{Number: fmt.Sprintf("RQ%05d", i), Kind: "return", UnitID: uint64(i + 1), Serial: fmt.Sprintf("SN%d", i),
			OutletID: outlet(), Reason: "质量问题", PurchaseDate: on.AddDate(0, 0, -5), RequestedOn: on, DaysSincePurchase: 5,
			WindowUntil: &until, Eligible: chance(0.85), Status: "requested", Version: 1, CreatedAt: r, UpdatedAt: r}
		if chance(0.7) {
			if rq.DecidedAt = after(r, 20*day); rq.DecidedAt != nil {
				rq.Decision = []string{"accepted", "accepted", "refused"}[rng.IntN(3)]
				rq.RefusedWithinWindow = rq.Decision == "refused" && chance(0.5)
				rq.Status = "decided"
			}
		}
		if chance(0.05) {
			rq.CancelledAt = after(r, 3*day)
		}
		f.returns = append(f.returns, rq)
	}
	create(&f.returns)
	for i := 0; i < 200; i++ {
		r := when()
		rq := parts.Requisition{Number: fmt.Sprintf("RP%05d", i), OutletID: *outlet(), Status: "requested", RequestedAt: r, RequestedBy: "test",
			Version: 1, CreatedAt: r, UpdatedAt: r}
		if chance(0.7) {
			rq.ReceivedAt = after(r, 48*time.Hour)
		}
		if chance(0.05) {
			rq.CancelledAt = after(r, 10*time.Hour)
		}
		f.requisitions = append(f.requisitions, rq)
	}
	create(&f.requisitions)
	return f
}
