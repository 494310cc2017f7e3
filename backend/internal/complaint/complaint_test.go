package complaint_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/complaint"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

type recorder struct {
	mu     sync.Mutex
	events []event.Event
}

func (r *recorder) handle(e event.Event) { r.mu.Lock(); r.events = append(r.events, e); r.mu.Unlock() }
func (r *recorder) count(name string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.events {
		if e.Name == name {
			n++
		}
	}
	return n
}

func setup(t *testing.T, db *gorm.DB, start time.Time) (*complaint.Service, *testutil.Clock, *recorder, context.Context) {
	t.Helper()
	clk := testutil.NewClock(start)
	bus := event.NewMemoryBus()
	rec := &recorder{}
	bus.Subscribe(rec.handle)
	svc := complaint.New(complaint.Options{DB: db, Audit: audit.New(nil), Bus: bus, Now: clk.Now, Chain: complaint.Chain{"quality_manager", "admin"},
		Location: time.FixedZone("CST", 8*3600), InstalledBase: func(context.Context) (int64, error) { return 200, nil }})
	ctx := actor.With(context.Background(), actor.Actor{UserID: 1, Username: "quality", Roles: []string{"quality_manager"}})
	return svc, clk, rec, ctx
}

func newComplaint(t *testing.T, svc *complaint.Service, ctx context.Context, severity string, received *time.Time) complaint.Complaint {
	t.Helper()
	in := complaint.NewComplaint{Source: complaint.SourceHotline, CustomerID: 42, Category: "delay", Severity: severity,
		Title: "维修上门超时", Description: "约好上午上门，下午仍未到", ReceivedAt: received}
	if severity == complaint.SeverityCrisis {
		in.ResponsibleName, in.CrisisPlan = "陈静", "24 小时内由质量经理牵头，统一口径，联系媒体与客户"
	}
	c, err := svc.Create(ctx, in)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	return c
}

func wantCode(t *testing.T, err error, kind apperr.Kind, code string) *apperr.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s %s, got nil", kind, code)
	}
	e := apperr.As(err)
	if e.Kind != kind || (code != "" && e.Code != code) {
		t.Fatalf("want %s %s, got %s %s: %v", kind, code, e.Kind, e.Code, err)
	}
	return e
}

func TestStatusMachine(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		start := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
		svc, clk, rec, ctx := setup(t, db, start)
		c := newComplaint(t, svc, ctx, complaint.SeverityNormal, nil)
		if c.Status != complaint.StatusReceived || c.Number != "TS20260302-"+pad(c.ID) {
			t.Fatalf("created %s %s", c.Status, c.Number)
		}
		if !c.AckDueAt.Equal(start.Add(2*time.Hour)) || !c.ResolveDueAt.Equal(start.Add(24*time.Hour)) {
			t.Fatalf("deadlines %v %v", c.AckDueAt, c.ResolveDueAt)
		}
		if rec.count("complaint.created") != 1 {
			t.Fatal("complaint.created not published")
		}
		// Skipping acknowledgement is illegal and names what is allowed.
		_, err := svc.Resolve(ctx, c.ID, 0, complaint.Resolution{Resolution: "已上门", RootCause: "派工延误"})
		e := wantCode(t, err, apperr.KindConflict, "invalid_transition")
		if got := e.Details["allowed"].([]string); len(got) != 1 || got[0] != complaint.StatusAcknowledged {
			t.Fatalf("allowed = %v", got)
		}
		clk.Add(30 * time.Minute)
		c, err = svc.Acknowledge(ctx, c.ID, c.Version, "已电话致歉")
		if err != nil || c.Status != complaint.StatusAcknowledged || c.AckAt == nil {
			t.Fatalf("ack: %v %+v", err, c)
		}
		// A stale version is refused.
		_, err = svc.StartInvestigation(ctx, c.ID, c.Version-1, "")
		wantCode(t, err, apperr.KindConflict, "version_conflict")
		c, err = svc.StartInvestigation(ctx, c.ID, c.Version, "调取派工记录")
		if err != nil {
			t.Fatal(err)
		}
		_, err = svc.Resolve(ctx, c.ID, c.Version, complaint.Resolution{Resolution: "已改派并完成维修"})
		wantCode(t, err, apperr.KindValidation, "validation_failed")
		c, err = svc.Resolve(ctx, c.ID, c.Version, complaint.Resolution{Resolution: "已改派并完成维修", RootCause: "网点排班不足"})
		if err != nil || c.Status != complaint.StatusResolved {
			t.Fatalf("resolve: %v", err)
		}
		// Closing without the customer's confirmation needs a reason.
		_, err = svc.Close(ctx, c.ID, c.Version, "", "")
		e = wantCode(t, err, apperr.KindValidation, "")
		if e.Fields["without_confirmation_reason"].Code == "" {
			t.Fatalf("fields %v", e.Fields)
		}
		// The customer rejects: back to investigating.
		c, err = svc.Confirm(ctx, c.ID, c.Version, false, "客户认为维修后仍有异响")
		if err != nil || c.Status != complaint.StatusInvestigating {
			t.Fatalf("reject: %v %s", err, c.Status)
		}
		c, err = svc.Resolve(ctx, c.ID, c.Version, complaint.Resolution{Resolution: "更换压缩机"})
		if err != nil {
			t.Fatal(err)
		}
		c, err = svc.Confirm(ctx, c.ID, c.Version, true, "")
		if err != nil || c.Status != complaint.StatusConfirmed {
			t.Fatalf("confirm: %v", err)
		}
		c, err = svc.Close(ctx, c.ID, c.Version, "结案", "")
		if err != nil || c.Status != complaint.StatusClosed || c.ClosedAt == nil {
			t.Fatalf("close: %v", err)
		}
		if rec.count("complaint.closed") != 1 {
			t.Fatal("complaint.closed not published")
		}
		_, err = svc.Acknowledge(ctx, c.ID, 0, "")
		e = wantCode(t, err, apperr.KindConflict, "invalid_transition")
		if got := e.Details["allowed"].([]string); len(got) != 0 {
			t.Fatalf("closed allows %v", got)
		}
		// Follow-up call after the close is recorded on the timeline.
		c, err = svc.RecordFollowupCall(ctx, c.ID, "reached", ptr(true), "客户表示满意")
		if err != nil || c.FollowupAt == nil {
			t.Fatalf("follow-up call: %v", err)
		}
		logs, _, err := svc.Timeline(ctx, c.ID)
		if err != nil || len(logs) != 9 {
			t.Fatalf("timeline: %v %d", err, len(logs))
		}
		// Every change is in the audit trail.
		var n int64
		db.Model(&audit.Record{}).Where("entity = ? AND entity_id = ?", "complaint", idOf(c.ID)).Count(&n)
		if n != 9 {
			t.Fatalf("audit records = %d, want 9", n)
		}
	})
}

func TestCrisisNeedsResponsibleAndPlan(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		svc, _, rec, ctx := setup(t, db, time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC))
		_, err := svc.Create(ctx, complaint.NewComplaint{Source: complaint.SourceExternal, ExternalChannel: "media", CustomerID: 1,
			Category: "product_quality", Severity: complaint.SeverityCrisis, Title: "热水器漏电被媒体曝光"})
		e := wantCode(t, err, apperr.KindValidation, "")
		if e.Fields["responsible_name"].Code == "" || e.Fields["crisis_plan"].Code == "" {
			t.Fatalf("fields %v", e.Fields)
		}
		c := newComplaint(t, svc, ctx, complaint.SeverityCrisis, nil)
		if c.EscalationLevel != 2 || rec.count("complaint.escalated") != 1 {
			t.Fatalf("crisis level %d, escalated events %d", c.EscalationLevel, rec.count("complaint.escalated"))
		}
		// Clearing the plan of a crisis is refused.
		empty := ""
		_, err = svc.Update(ctx, c.ID, c.Version, complaint.Patch{CrisisPlan: &empty})
		wantCode(t, err, apperr.KindValidation, "")
		// Drills are evidence; a drill in the future is refused.
		_, err = svc.RecordDrill(ctx, complaint.NewDrill{HeldOn: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), Scenario: "x", Participants: "y"})
		wantCode(t, err, apperr.KindValidation, "")
		d, err := svc.RecordDrill(ctx, complaint.NewDrill{HeldOn: time.Date(2026, 2, 20, 0, 0, 0, 0, time.UTC),
			Scenario: "批量漏电投诉与媒体曝光", Participants: "质量部、客服中心、法务、公关", Findings: "媒体口径审批过慢", ComplaintID: &c.ID})
		if err != nil || d.ID == 0 {
			t.Fatal(err)
		}
		list, total, err := svc.ListDrills(ctx, time.Time{}, time.Time{}, 1, 20)
		if err != nil || total != 1 || len(list) != 1 {
			t.Fatalf("drills %v %d", err, total)
		}
	})
}

func TestOverdueEscalationRaisedOnce(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		start := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
		svc, clk, rec, ctx := setup(t, db, start)
		late := newComplaint(t, svc, ctx, complaint.SeverityNormal, nil)
		onTime := newComplaint(t, svc, ctx, complaint.SeverityNormal, nil)
		if _, err := svc.Acknowledge(ctx, onTime.ID, 0, ""); err != nil {
			t.Fatal(err)
		}
		clk.Add(time.Hour)
		if err := svc.EscalateOverdue(context.Background()); err != nil {
			t.Fatal(err)
		}
		if rec.count("complaint.overdue") != 0 {
			t.Fatal("overdue before the deadline")
		}
		clk.Add(90 * time.Minute) // 2h30 after receipt: acknowledgement overdue
		for i := 0; i < 3; i++ {
			if err := svc.EscalateOverdue(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		if rec.count("complaint.overdue") != 1 || rec.count("complaint.escalated") != 1 {
			t.Fatalf("after ack deadline: overdue %d escalated %d", rec.count("complaint.overdue"), rec.count("complaint.escalated"))
		}
		// The overdue filter combines with the others (OR kept in parentheses).
		list, total, err := svc.List(ctx, complaint.Filter{Overdue: true, Severity: complaint.SeverityNormal})
		if err != nil || total != 1 || list[0].ID != late.ID {
			t.Fatalf("overdue list: %v %d", err, total)
		}
		if _, total, _ := svc.List(ctx, complaint.Filter{Overdue: true, Status: complaint.StatusAcknowledged}); total != 0 {
			t.Fatalf("acknowledged and overdue: %d, want 0", total)
		}
		got, _ := svc.Get(ctx, late.ID)
		if got.EscalationLevel != 1 || got.AckOverdueAt == nil || got.ResolveOverdueAt != nil {
			t.Fatalf("late complaint %+v", got)
		}
		clk.Add(22 * time.Hour) // 24h30: both complaints past resolution
		for i := 0; i < 2; i++ {
			if err := svc.EscalateOverdue(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		if rec.count("complaint.overdue") != 3 || rec.count("complaint.escalated") != 3 {
			t.Fatalf("after resolve deadline: overdue %d escalated %d", rec.count("complaint.overdue"), rec.count("complaint.escalated"))
		}
		got, _ = svc.Get(ctx, late.ID)
		if got.EscalationLevel != 2 {
			t.Fatalf("level %d", got.EscalationLevel)
		}
		// At the top of the chain a manual escalation is refused.
		_, err = svc.Escalate(ctx, late.ID, 0, "客户再次来电")
		wantCode(t, err, apperr.KindConflict, "top_of_chain")
		_, escs, _ := svc.Timeline(ctx, late.ID)
		if len(escs) != 2 || escs[0].NotifiedRole != "quality_manager" || escs[1].NotifiedRole != "admin" {
			t.Fatalf("escalations %+v", escs)
		}
	})
}

func TestComplaintKPI(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		d1 := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
		svc, clk, _, ctx := setup(t, db, d1)
		at := func(day int, h, m int) time.Time {
			return d1.AddDate(0, 0, day).Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
		}
		mk := func(received time.Time) complaint.Complaint {
			clk.Set(received)
			return newComplaint(t, svc, ctx, complaint.SeverityNormal, nil)
		}
		step := func(when time.Time, f func() (complaint.Complaint, error)) {
			clk.Set(when)
			if _, err := f(); err != nil {
				t.Fatal(err)
			}
		}
		resolve := func(c complaint.Complaint, when time.Time) {
			step(when, func() (complaint.Complaint, error) { return svc.StartInvestigation(ctx, c.ID, 0, "") })
			step(when, func() (complaint.Complaint, error) {
				return svc.Resolve(ctx, c.ID, 0, complaint.Resolution{Resolution: "处理完毕", RootCause: "排班"})
			})
		}
		mk(at(-3, 10, 0)) // before the period
		c1 := mk(at(0, 10, 0))
		c2 := mk(at(0, 12, 0))
		c3 := mk(at(1, 9, 0))
		mk(at(1, 11, 30))
		step(at(0, 11, 0), func() (complaint.Complaint, error) { return svc.Acknowledge(ctx, c1.ID, 0, "") }) // within 2 h
		resolve(c1, at(0, 20, 0))                                                                             // within 24 h
		step(at(0, 15, 0), func() (complaint.Complaint, error) { return svc.Acknowledge(ctx, c2.ID, 0, "") }) // 3 h: late
		resolve(c2, at(1, 13, 0))                                                                             // 25 h: late
		_ = c3                                                                                                // never acknowledged
		clk.Set(at(1, 12, 0))
		k, err := svc.KPI(ctx, d1, d1.AddDate(0, 0, 7))
		if err != nil {
			t.Fatal(err)
		}
		// c4 (11:30) is inside its 2 h, c3's resolution is not yet due.
		if k.Complaints != 4 || k.AckMeasured != 3 || k.AckWithinLimit != 1 || k.ResolveMeasured != 2 || k.ResolvedWithinLimit != 1 || k.Resolved != 2 {
			t.Fatalf("kpi %+v", k)
		}
		if *k.ComplaintRate != 0.02 || *k.ResolutionRate != 0.5 || *k.ResolvedWithinLimitRate != 0.5 || *k.AckWithinLimitRate < 0.333 || *k.AckWithinLimitRate > 0.334 {
			t.Fatalf("rates %v %v %v %v", *k.ComplaintRate, *k.ResolutionRate, *k.ResolvedWithinLimitRate, *k.AckWithinLimitRate)
		}
		if k.BySeverity["normal"] != 4 || k.ByCategory["delay"] != 4 {
			t.Fatalf("by %v %v", k.BySeverity, k.ByCategory)
		}
		_, err = svc.KPI(ctx, d1, d1)
		wantCode(t, err, apperr.KindValidation, "")
	})
}

func TestCreateValidation(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		svc, _, _, ctx := setup(t, db, time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC))
		future := time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)
		_, err := svc.Create(ctx, complaint.NewComplaint{Source: "fax", Category: "food", Severity: "huge", ReceivedAt: &future})
		e := wantCode(t, err, apperr.KindValidation, "validation_failed")
		for _, f := range []string{"source", "category", "severity", "customer_id", "title", "received_at"} {
			if e.Fields[f].Code == "" {
				t.Errorf("no message for %s: %v", f, e.Fields)
			}
		}
		_, err = svc.Create(ctx, complaint.NewComplaint{Source: complaint.SourceExternal, CustomerID: 1, Category: "charges", Title: "x"})
		e = wantCode(t, err, apperr.KindValidation, "")
		if e.Fields["external_channel"].Code == "" {
			t.Fatalf("fields %v", e.Fields)
		}
		var n int64
		db.Model(&complaint.Complaint{}).Count(&n)
		if n != 0 {
			t.Fatalf("%d complaints written by bad input", n)
		}
		_, err = svc.Get(ctx, 999999)
		wantCode(t, err, apperr.KindNotFound, "not_found")
	})
}

func ptr[T any](v T) *T { return &v }

func idOf(id uint64) string { return strconv.FormatUint(id, 10) }

func pad(id uint64) string {
	s := strconv.FormatUint(id, 10)
	for len(s) < 6 {
		s = "0" + s
	}
	return s
}
