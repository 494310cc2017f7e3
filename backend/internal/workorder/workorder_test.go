package workorder_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/sla"
	"github.com/aftersales/aftersales/backend/internal/testutil"
	"github.com/aftersales/aftersales/backend/internal/ticket"
	"github.com/aftersales/aftersales/backend/internal/workorder"
)

// network is a fake outlet service: outlets 1, 2 and 3 cover the
// customer's district, city and province, best first.
type network struct {
	mu      sync.Mutex
	calls   int
	outlets []workorder.Candidate
}

func (n *network) Candidates(_ context.Context, region string, category uint64, _ time.Time, exclude []uint64) ([]workorder.Candidate, error) {
	n.mu.Lock()
	n.calls++
	n.mu.Unlock()
	if category == 0 {
		return nil, apperr.FieldErr("category_id", apperr.Required())
	}
	var out []workorder.Candidate
	for _, c := range n.outlets {
		if !slices.Contains(exclude, c.OutletID) {
			out = append(out, c)
		}
	}
	return out, nil
}

func (n *network) Outlet(_ context.Context, id uint64) (workorder.OutletInfo, error) {
	if id == 0 || id > 4 {
		return workorder.OutletInfo{}, apperr.NotFound("outlet")
	}
	name := "网点四"
	for _, c := range n.outlets {
		if c.OutletID == id {
			name = c.Name
		}
	}
	return workorder.OutletInfo{ID: id, Code: "O", Name: name, Active: id != 4}, nil
}

// staff: technician 11 works at outlet 1, 21 at outlet 2.
type staff struct{}

func (staff) StaffMember(_ context.Context, id uint64) (workorder.StaffInfo, error) {
	switch id {
	case 11:
		return workorder.StaffInfo{ID: 11, Name: "张伟", OutletID: 1, Active: true}, nil
	case 21:
		return workorder.StaffInfo{ID: 21, Name: "李雷", OutletID: 2, Active: true}, nil
	}
	return workorder.StaffInfo{}, apperr.NotFound("staff")
}

// StaffOfUser: the login of outletUser(1, technician) (user 101) is staff 11.
func (staff) StaffOfUser(_ context.Context, userID uint64) (workorder.StaffInfo, error) {
	if userID == 101 {
		return workorder.StaffInfo{ID: 11, Name: "张伟", OutletID: 1, Active: true}, nil
	}
	return workorder.StaffInfo{}, apperr.NotFound("staff")
}

func (staff) Technicians(_ context.Context, outletID uint64) ([]workorder.StaffInfo, error) {
	if outletID == 1 {
		return []workorder.StaffInfo{{ID: 11, Name: "张伟", OutletID: 1, Active: true}}, nil
	}
	return nil, nil
}

type fixture struct {
	tickets *ticket.Service
	wo      *workorder.Service
	clock   *testutil.Clock
	agent   context.Context
	bus     *event.MemoryBus
	events  *[]event.Event
}

func outletUser(outlet uint64, role string) context.Context {
	id := outlet
	return actor.With(context.Background(), actor.Actor{UserID: 100 + outlet, Username: role, Roles: []string{role}, OutletID: &id})
}

func newFixture(t *testing.T, db *gorm.DB) fixture {
	t.Helper()
	clk := testutil.NewClock(time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)) // Tue 10:00 Shanghai
	bus := event.NewMemoryBus()
	var mu sync.Mutex
	var events []event.Event
	bus.Subscribe(func(e event.Event) { mu.Lock(); events = append(events, e); mu.Unlock() })
	trail := audit.New(clk.Now)
	store := sla.New(sla.Options{DB: db, Audit: trail, Bus: bus, Now: clk.Now, CacheTTL: time.Nanosecond})
	if err := store.EnsureDefaults(context.Background()); err != nil {
		t.Fatal(err)
	}
	tickets := ticket.New(ticket.Options{DB: db, Audit: trail, Bus: bus, SLA: store, Now: clk.Now})
	net := &network{outlets: []workorder.Candidate{
		{OutletID: 1, Code: "SZ-NS", Name: "深圳南山网点", CoverageLevel: 3, Capacity: 10},
		{OutletID: 2, Code: "SZ", Name: "深圳市网点", CoverageLevel: 2, Capacity: 10},
		{OutletID: 3, Code: "GD", Name: "广东省网点", CoverageLevel: 1, Capacity: 10},
	}}
	wo := workorder.New(workorder.Options{DB: db, Audit: trail, Bus: bus, Tickets: tickets, Outlets: net, Staff: staff{},
		AcceptTimeout: 30 * time.Minute, Now: clk.Now})
	if err := wo.EnsureDefaults(context.Background()); err != nil {
		t.Fatal(err)
	}
	tickets.SetOpenWork(wo) // as app wires it
	agent := actor.With(context.Background(), actor.Actor{UserID: 7, Username: "agent", Roles: []string{"hotline_agent"}})
	return fixture{tickets: tickets, wo: wo, clock: clk, agent: agent, bus: bus, events: &events}
}

func (f fixture) newTicket(t *testing.T) ticket.Ticket {
	t.Helper()
	unit, cat := uint64(501), uint64(3)
	d, _, err := f.tickets.Create(f.agent, ticket.NewTicket{Channel: ticket.ChannelPhone, Type: ticket.TypeRepair, CustomerID: 1,
		UnitID: &unit, CategoryID: &cat, RegionCode: "440305", Description: "洗衣机不脱水"})
	if err != nil {
		t.Fatal(err)
	}
	return d.Ticket
}

func clockOf(t *testing.T, f fixture, ticketID uint64, target sla.Target) sla.ClockState {
	t.Helper()
	d, err := f.tickets.Detail(f.agent, ticketID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range d.Clocks {
		if c.Target == target {
			return c
		}
	}
	t.Fatalf("no clock %s", target)
	return sla.ClockState{}
}

func TestDispatchRejectTimeoutAndTheWholeVisit(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		tk := f.newTicket(t)
		w, err := f.wo.Dispatch(f.agent, tk.ID, workorder.DispatchInput{Kind: workorder.KindRepair})
		if err != nil {
			t.Fatal(err)
		}
		if w.Status != workorder.StatusOffered || *w.OutletID != 1 || w.Attempts != 1 || w.DistanceBand != "city" || !strings.HasPrefix(w.Number, "WO20261124-") {
			t.Fatalf("dispatched %+v", w)
		}
		got, _ := f.tickets.Get(f.agent, tk.ID)
		if got.OutletID == nil || *got.OutletID != 1 {
			t.Fatalf("ticket outlet %v", got.OutletID)
		}
		// Dispatch is the ticket's 分派: assigned_at is stamped (the export's
		// 分派时间 was blank for every dispatched ticket), and the timeline
		// names the outlet, not its id.
		if got.AssignedAt == nil || !got.AssignedAt.Equal(f.clock.Now()) {
			t.Fatalf("assigned_at of a dispatched ticket: %v", got.AssignedAt)
		}
		if tl, _ := f.tickets.Timeline(f.agent, tk.ID, 0, 100); tl[len(tl)-1].BodyCode != "dispatched" ||
			!strings.Contains(tl[len(tl)-1].BodyParams, `"outlet":"深圳南山网点"`) || !strings.Contains(tl[len(tl)-1].BodyParams, `"work_order_kind":"repair"`) {
			t.Fatalf("dispatch line %+v", tl[len(tl)-1])
		}
		// The repair kind promises acceptance in 30 working minutes and, in
		// the city band, arrival in 660.
		if c := clockOf(t, f, tk.ID, sla.TargetOutletAccept); c.State != sla.StateRunning || c.Duration != 30*time.Minute {
			t.Fatalf("outlet accept %+v", c)
		}
		if c := clockOf(t, f, tk.ID, sla.TargetOnsiteArrival); c.State != sla.StateRunning || c.Duration != 660*time.Minute || c.Band != sla.BandCity {
			t.Fatalf("arrival %+v", c)
		}
		// Another outlet does not see it; a technician may not accept.
		if _, err := f.wo.Get(outletUser(2, "outlet_manager"), w.ID); !apperr.IsKind(err, apperr.KindNotFound) {
			t.Fatalf("outlet 2 sees outlet 1's offer: %v", err)
		}
		if _, err := f.wo.Accept(outletUser(1, "technician"), w.ID, 0); !apperr.IsKind(err, apperr.KindForbidden) {
			t.Fatalf("technician accepted: %v", err)
		}
		// Outlet 1 rejects: the offer goes to outlet 2, the accept clock restarts.
		if _, err := f.wo.Reject(outletUser(1, "outlet_manager"), w.ID, " ", 0); testutil.Code(err) != "validation_failed" {
			t.Fatalf("reject without reason: %v", err)
		}
		f.clock.Add(10 * time.Minute)
		w, err = f.wo.Reject(outletUser(1, "outlet_manager"), w.ID, "技师不足", 0)
		if err != nil {
			t.Fatal(err)
		}
		if *w.OutletID != 2 || w.Attempts != 2 || w.Status != workorder.StatusOffered {
			t.Fatalf("after reject %+v", w)
		}
		if _, err := f.wo.Get(outletUser(1, "outlet_manager"), w.ID); !apperr.IsKind(err, apperr.KindNotFound) {
			t.Fatal("the rejecting outlet still sees the work order")
		}
		if c := clockOf(t, f, tk.ID, sla.TargetOutletAccept); c.Segment != 2 || len(c.Previous) != 1 || c.Previous[0].StopReason != "redispatched" {
			t.Fatalf("accept clock after re-dispatch %+v", c)
		}
		// Outlet 2 does not answer in time: the job offers it to outlet 3
		// (province coverage: the 200 km band).
		f.clock.Add(29 * time.Minute)
		if n, _ := f.wo.ExpireOffers(context.Background()); n != 0 {
			t.Fatalf("expired too early: %d", n)
		}
		f.clock.Add(2 * time.Minute)
		if n, err := f.wo.ExpireOffers(context.Background()); n != 1 || err != nil {
			t.Fatalf("expired %d %v", n, err)
		}
		w, _ = f.wo.Get(f.agent, w.ID)
		if *w.OutletID != 3 || w.Attempts != 3 || w.DistanceBand != "within_200km" {
			t.Fatalf("after timeout %+v", w)
		}
		if c := clockOf(t, f, tk.ID, sla.TargetOnsiteArrival); c.Band != sla.BandWithin200km || c.Duration != 1320*time.Minute {
			t.Fatalf("arrival band after re-dispatch %+v", c)
		}
		// Outlet 3 times out too: nobody is left.
		f.clock.Add(31 * time.Minute)
		if n, _ := f.wo.ExpireOffers(context.Background()); n != 1 {
			t.Fatal("second timeout not expired")
		}
		w, _ = f.wo.Get(f.agent, w.ID)
		if w.Status != workorder.StatusUnassigned || w.OutletID != nil {
			t.Fatalf("want unassigned, got %+v", w)
		}
		tl, _ := f.tickets.Timeline(f.agent, tk.ID, 0, 100)
		if l := tl[len(tl)-1]; l.BodyCode != "reoffered_to_nobody" || !strings.Contains(l.BodyParams, `"no_outlet_reason":"no_candidates"`) {
			t.Fatalf("timeline does not say nobody is left: %+v", l)
		}
		offers, _ := f.wo.Offers(f.agent, w.ID)
		var responses []string
		for _, o := range offers {
			responses = append(responses, o.Response)
		}
		if !slices.Equal(responses, []string{"rejected", "timeout", "timeout"}) {
			t.Fatalf("offers %v", responses)
		}
		// The agent picks outlet 1 again; it accepts.
		one := uint64(1)
		if _, err := f.wo.Redispatch(outletUser(1, "outlet_manager"), w.ID, &one, 0); !apperr.IsKind(err, apperr.KindNotFound) {
			t.Fatalf("an outlet manager cannot see unassigned work: %v", err)
		}
		w, err = f.wo.Redispatch(f.agent, w.ID, &one, 0)
		if err != nil || *w.OutletID != 1 {
			t.Fatalf("redispatch %v %+v", err, w)
		}
		f.clock.Add(5 * time.Minute)
		om := outletUser(1, "outlet_manager")
		w, err = f.wo.Accept(om, w.ID, w.Version)
		if err != nil || w.Status != workorder.StatusAccepted {
			t.Fatalf("accept %v %+v", err, w)
		}
		if c := clockOf(t, f, tk.ID, sla.TargetOutletAccept); c.State != sla.StateMet || c.Segment != 4 {
			t.Fatalf("accept clock %+v", c)
		}
		if got, _ := f.tickets.Get(f.agent, tk.ID); got.Status != ticket.StatusInProgress {
			t.Fatalf("ticket status %s", got.Status)
		}
		tl, _ = f.tickets.Timeline(f.agent, tk.ID, 0, 100)
		var lines []string
		for _, e := range tl {
			lines = append(lines, e.BodyCode+" "+e.BodyParams)
		}
		all := strings.Join(lines, "\n")
		for _, want := range []string{`{"code":"rejected_by","params":{"outlet":"深圳南山网点","reason":"技师不足"}}`,
			`{"code":"timed_out","params":{"outlet":"深圳市网点"}}`, `"outlet":"广东省网点"`, `offer_accepted {"number":`, `"outlet":"深圳南山网点","took":`} {
			if !strings.Contains(all, want) {
				t.Fatalf("timeline lacks %q:\n%s", want, all)
			}
		}
		if strings.Contains(all, `"outlet":"#`) {
			t.Fatalf("timeline names an outlet by id:\n%s", all)
		}
		if _, err := f.wo.Accept(om, w.ID, 0); testutil.Code(err) != "invalid_transition" {
			t.Fatalf("accept twice: %v", err)
		}
		// Technician, appointment, contact, arrival, completion, sign-off.
		if _, err := f.wo.AssignTechnician(om, w.ID, 21, 0); testutil.Code(err) != "validation_failed" {
			t.Fatalf("another outlet's technician: %v", err)
		}
		if w, err = f.wo.AssignTechnician(om, w.ID, 11, 0); err != nil || w.Status != workorder.StatusAssigned {
			t.Fatalf("assign %v %+v", err, w)
		}
		tech := outletUser(1, "technician")
		// A colleague at the same outlet (a login linked to no staff record
		// assigned here) may read the order but takes no step on it.
		o1 := uint64(1)
		colleague := actor.With(context.Background(), actor.Actor{UserID: 555, Username: "colleague", Roles: []string{"technician"}, OutletID: &o1})
		if _, err := f.wo.Get(colleague, w.ID); err != nil {
			t.Fatalf("colleague read: %v", err)
		}
		for name, step := range map[string]func() error{
			"contact": func() error { _, err := f.wo.Contact(colleague, w.ID, "", 0); return err },
			"appointment": func() error {
				_, err := f.wo.SetAppointment(colleague, w.ID, f.clock.Now().Add(time.Hour), nil, 0)
				return err
			},
		} {
			if err := step(); testutil.Code(err) != "not_assigned_to_you" {
				t.Fatalf("colleague %s: %v", name, err)
			}
		}
		if w, err = f.wo.Contact(tech, w.ID, "已电话联系", 0); err != nil {
			t.Fatal(err)
		}
		if _, err = f.wo.Contact(tech, w.ID, "", 0); testutil.Code(err) != "invalid_transition" {
			t.Fatalf("contact twice: %v", err)
		}
		if c := clockOf(t, f, tk.ID, sla.TargetCustomerContact); c.State != sla.StateMet {
			t.Fatalf("contact clock %+v", c)
		}
		at := f.clock.Now().Add(3 * time.Hour)
		if w, err = f.wo.SetAppointment(om, w.ID, at, nil, 0); err != nil || w.Status != workorder.StatusScheduled {
			t.Fatalf("appointment %v", err)
		}
		f.clock.Add(3*time.Hour + 30*time.Minute)
		if w, err = f.wo.CheckIn(tech, w.ID, "", 0); err != nil || w.ArrivalOnTime == nil || !*w.ArrivalOnTime {
			t.Fatalf("check in %v %+v", err, w)
		}
		if c := clockOf(t, f, tk.ID, sla.TargetOnsiteArrival); c.State != sla.StateMet {
			t.Fatalf("arrival clock %+v", c)
		}
		f.clock.Add(time.Hour)
		if _, err = f.wo.Complete(tech, w.ID, "fixed?", "", 0); testutil.Code(err) != "validation_failed" {
			t.Fatalf("bad result: %v", err)
		}
		if w, err = f.wo.Complete(tech, w.ID, workorder.ResultDone, "更换排水泵", 0); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.tickets.Get(f.agent, tk.ID); got.Status != ticket.StatusResolved {
			t.Fatalf("ticket after completion: %s", got.Status)
		}
		if c := clockOf(t, f, tk.ID, sla.TargetResolution); c.State != sla.StateMet {
			t.Fatalf("resolution %+v", c)
		}
		if w, err = f.wo.SignOff(tech, w.ID, "王先生", 0); err != nil || w.Status != workorder.StatusSignedOff {
			t.Fatalf("sign off %v", err)
		}
		if _, err = f.wo.CheckIn(tech, w.ID, "", 0); testutil.Code(err) != "invalid_transition" {
			t.Fatalf("check in after sign-off: %v", err)
		}
		// The outlet's figures.
		sc, err := f.wo.Scorecard(om, 1, f.clock.Now().Add(-24*time.Hour), f.clock.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if sc.Offers != 2 || sc.Accepted != 1 || sc.Rejected != 1 || sc.AcceptSecondsAvg == nil || *sc.AcceptSecondsAvg != 300 ||
			sc.AcceptSecondsP90 == nil || *sc.AcceptSecondsP90 != 300 || sc.Arrivals != 1 || sc.OnTimeArrivalRate == nil || *sc.OnTimeArrivalRate != 1 ||
			sc.Completed != 1 || sc.FirstTimeFixEligible != 1 || sc.FirstTimeFixed != 1 {
			t.Fatalf("scorecard %+v", sc)
		}
		if _, err := f.wo.Scorecard(outletUser(2, "outlet_manager"), 1, time.Time{}, f.clock.Now()); !apperr.IsKind(err, apperr.KindNotFound) {
			t.Fatalf("another outlet's scorecard: %v", err)
		}
		// A second work order on the same unit within 30 days: not a first-time fix.
		if err := f.tickets.Reopen(f.agent, tk.ID, "故障复现"); err != nil {
			t.Fatal(err)
		}
		f.clock.Add(24 * time.Hour)
		w2, err := f.wo.Dispatch(f.agent, tk.ID, workorder.DispatchInput{Kind: workorder.KindRepair})
		if err != nil {
			t.Fatal(err)
		}
		if c := clockOf(t, f, tk.ID, sla.TargetCustomerContact); c.Segment != 1 {
			t.Fatalf("contact clock restarts only on acceptance: %+v", c)
		}
		sc, _ = f.wo.Scorecard(om, 1, f.clock.Now().Add(-72*time.Hour), f.clock.Now().Add(time.Hour))
		if sc.FirstTimeFixed != 0 || sc.FirstTimeFixEligible != 1 {
			t.Fatalf("repeat visit still counted as first-time fix: %+v", sc)
		}
		// The board shows the new offer with its time left.
		b, err := f.wo.Board(om, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Offers) != 1 || b.Offers[0].WorkOrder.ID != w2.ID || b.Offers[0].SecondsLeft != 1800 || len(b.Technicians) != 1 {
			t.Fatalf("board %+v", b)
		}
		if _, err := f.wo.Board(outletUser(2, "outlet_manager"), 1); !apperr.IsKind(err, apperr.KindNotFound) {
			t.Fatal("another outlet's board")
		}
		load, err := workorder.LoadCounts(db, time.UTC)(context.Background(), []uint64{1, 2}, f.clock.Now())
		if err != nil || load[1] != 1 {
			t.Fatalf("load %v %v", load, err)
		}
		var names []string
		for _, e := range *f.events {
			if strings.HasPrefix(e.Name, "workorder.") && e.Topic == "outlet:1" {
				names = append(names, e.Name)
			}
		}
		for _, want := range []string{"workorder.offered", "workorder.rejected", "workorder.accepted", "workorder.checked_in", "workorder.completed"} {
			if !slices.Contains(names, want) {
				t.Errorf("outlet:1 did not get %s (got %v)", want, names)
			}
		}
	})
}

func TestNoCandidateAndConcurrentAccept(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		// A ticket without a category cannot be matched automatically.
		d, _, err := f.tickets.Create(f.agent, ticket.NewTicket{Channel: ticket.ChannelWeb, Type: ticket.TypeInstallation, CustomerID: 2, RegionCode: "440305", Description: "新机安装"})
		if err != nil {
			t.Fatal(err)
		}
		w, err := f.wo.Dispatch(f.agent, d.ID, workorder.DispatchInput{Kind: workorder.KindInstallation})
		if err != nil || w.Status != workorder.StatusUnassigned {
			t.Fatalf("%v %+v", err, w)
		}
		four := uint64(4)
		if _, err := f.wo.Redispatch(f.agent, w.ID, &four, 0); testutil.Code(err) != "validation_failed" {
			t.Fatalf("suspended outlet: %v", err)
		}
		if _, err := f.wo.Dispatch(f.agent, d.ID, workorder.DispatchInput{Kind: "teleport"}); testutil.Code(err) != "validation_failed" {
			t.Fatalf("bad kind: %v", err)
		}
		two := uint64(2)
		w, err = f.wo.Redispatch(f.agent, w.ID, &two, 0)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 6)
		for range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := f.wo.Accept(outletUser(2, "outlet_manager"), w.ID, 0)
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		ok := 0
		for err := range errs {
			switch {
			case err == nil:
				ok++
			case apperr.IsKind(err, apperr.KindConflict):
			default:
				t.Fatalf("unexpected %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d accepts won", ok)
		}
		// Cancelling stops the ticket's open dispatch clocks.
		w, err = f.wo.Cancel(f.agent, w.ID, "客户取消安装", 0)
		if err != nil || w.Status != workorder.StatusCancelled {
			t.Fatalf("cancel %v", err)
		}
		if c := clockOf(t, f, d.ID, sla.TargetCustomerContact); c.State != sla.StateStopped {
			t.Fatalf("contact clock after cancel %+v", c)
		}
		// A closed ticket cannot get work.
		for _, st := range []string{ticket.StatusInProgress, ticket.StatusResolved, ticket.StatusClosed} {
			if _, err := f.tickets.Transition(f.agent, d.ID, st, "", 0); err != nil && st != ticket.StatusInProgress {
				t.Fatal(err)
			}
		}
		if _, err := f.wo.Dispatch(f.agent, d.ID, workorder.DispatchInput{Kind: workorder.KindInstallation}); testutil.Code(err) != "ticket_not_open" {
			t.Fatalf("dispatch on closed ticket: %v", err)
		}
	})
}
