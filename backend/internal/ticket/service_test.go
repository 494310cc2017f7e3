package ticket_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/sla"
	"github.com/aftersales/aftersales/backend/internal/testutil"
	"github.com/aftersales/aftersales/backend/internal/ticket"
)

// recorder keeps the events published on the bus.
type recorder struct {
	mu     sync.Mutex
	events []event.Event
}

func (r *recorder) handle(e event.Event) { r.mu.Lock(); r.events = append(r.events, e); r.mu.Unlock() }

func (r *recorder) named(name string) []event.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []event.Event
	for _, e := range r.events {
		if e.Name == name {
			out = append(out, e)
		}
	}
	return out
}

type fixture struct {
	svc   *ticket.Service
	store *sla.Store
	clock *testutil.Clock
	rec   *recorder
	ctx   context.Context
}

// start is a Tuesday 10:00 in Shanghai, inside the service calendar.
var start = time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)

func newFixture(t *testing.T, db *gorm.DB) fixture {
	t.Helper()
	clk := testutil.NewClock(start)
	bus := event.NewMemoryBus()
	rec := &recorder{}
	bus.Subscribe(rec.handle)
	trail := audit.New(clk.Now)
	store := sla.New(sla.Options{DB: db, Audit: trail, Bus: bus, Now: clk.Now, CacheTTL: time.Nanosecond,
		TicketTypes: ticket.Types(), Priorities: ticket.Priorities(), Statuses: ticket.Statuses()})
	if err := store.EnsureDefaults(context.Background()); err != nil {
		t.Fatal(err)
	}
	svc := ticket.New(ticket.Options{DB: db, Audit: trail, Bus: bus, SLA: store, Now: clk.Now})
	ctx := actor.With(context.Background(), actor.Actor{UserID: 7, Username: "agent", Roles: []string{"hotline_agent"}})
	return fixture{svc: svc, store: store, clock: clk, rec: rec, ctx: ctx}
}

func (f fixture) create(t *testing.T, in ticket.NewTicket) ticket.Ticket {
	t.Helper()
	if in.Channel == "" {
		in.Channel = ticket.ChannelWeb
	}
	if in.Type == "" {
		in.Type = ticket.TypeRepair
	}
	if in.CustomerID == 0 {
		in.CustomerID = 1
	}
	if in.Description == "" {
		in.Description = "空调不制冷"
	}
	if in.RegionCode == "" {
		in.RegionCode = "440305"
	}
	d, created, err := f.svc.Create(f.ctx, in)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if !created {
		t.Fatalf("create: not created")
	}
	return d.Ticket
}

func clockOf(t *testing.T, clocks []sla.ClockState, target sla.Target) sla.ClockState {
	t.Helper()
	for _, c := range clocks {
		if c.Target == target {
			return c
		}
	}
	t.Fatalf("no clock %s", target)
	return sla.ClockState{}
}

func wantCode(t *testing.T, err error, code string) *apperr.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("want error %s, got nil", code)
	}
	e := apperr.As(err)
	if e.Code != code {
		t.Fatalf("want error %s, got %v", code, err)
	}
	return e
}

func TestCreateNumbersPolicyAndClocks(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		a := f.create(t, ticket.NewTicket{Channel: ticket.ChannelPhone})
		b := f.create(t, ticket.NewTicket{Priority: ticket.PriorityUrgent})
		// 10:00 in Shanghai on 2026-11-24.
		if a.Number != "T20261124-000001" || b.Number != "T20261124-000002" {
			t.Fatalf("numbers %s %s", a.Number, b.Number)
		}
		if a.SLAPolicy != "standard" || b.SLAPolicy != "urgent" || b.SLACalendar != "cn-24x7" {
			t.Fatalf("policies %s %s/%s", a.SLAPolicy, b.SLAPolicy, b.SLACalendar)
		}
		da, err := f.svc.Detail(f.ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(da.Clocks) != 5 {
			t.Fatalf("clocks %d", len(da.Clocks))
		}
		// A phone ticket: the call is the first response.
		if c := clockOf(t, da.Clocks, sla.TargetFirstResponse); c.State != sla.StateMet || da.FirstResponseAt == nil {
			t.Fatalf("first response %+v", c)
		}
		// Resolution: 2640 working minutes (44 h) of the 11-hour service day
		// from Tuesday 10:00 → four days: Sat 10:00.
		res := clockOf(t, da.Clocks, sla.TargetResolution)
		want := time.Date(2026, 11, 28, 2, 0, 0, 0, time.UTC)
		if res.State != sla.StateRunning || res.DueAt == nil || !res.DueAt.Equal(want) {
			t.Fatalf("resolution %+v due %v want %v", res, res.DueAt, want)
		}
		if c := clockOf(t, da.Clocks, sla.TargetOutletAccept); c.State != sla.StateNotStarted {
			t.Fatalf("outlet accept %+v", c)
		}
		db2, _ := f.svc.Detail(f.ctx, b.ID)
		if c := clockOf(t, db2.Clocks, sla.TargetFirstResponse); c.State != sla.StateRunning || c.DueAt == nil || !c.DueAt.Equal(start.Add(15*time.Minute)) {
			t.Fatalf("urgent first response %+v", c)
		}
		if got := f.rec.named("ticket.created"); len(got) != 2 || got[0].Data["number"] != a.Number {
			t.Fatalf("events %+v", got)
		}
		// Bad input is reported by field.
		_, _, err = f.svc.Create(f.ctx, ticket.NewTicket{Channel: "fax", Type: "x", Priority: "p9", RegionCode: "12"})
		e := wantCode(t, err, "validation_failed")
		for _, k := range []string{"channel", "type", "priority", "description", "customer_id", "region_code"} {
			if e.Fields[k].Code == "" {
				t.Errorf("no problem reported for %s: %v", k, e.Fields)
			}
		}
	})
}

func TestNumbersUnderConcurrency(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		// Two services on one database stand for two servers.
		other := ticket.New(ticket.Options{DB: db, Audit: audit.New(nil), Bus: event.NewMemoryBus(), SLA: f.store, Now: f.clock.Now})
		const n = 24
		var wg sync.WaitGroup
		numbers := make(chan string, n)
		errs := make(chan error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				svc := f.svc
				if i%2 == 1 {
					svc = other
				}
				d, _, err := svc.Create(f.ctx, ticket.NewTicket{Channel: ticket.ChannelWeb, Type: ticket.TypeRepair, CustomerID: 1, Description: "x", RegionCode: "440305"})
				if err != nil {
					errs <- err
					return
				}
				numbers <- d.Number
			}()
		}
		wg.Wait()
		close(numbers)
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		// HiLo: each instance numbers from its own block, so the numbers are
		// unique and readable but not consecutive across instances.
		seen := map[string]bool{}
		for num := range numbers {
			if seen[num] || !numberRE.MatchString(num) {
				t.Fatalf("duplicate or malformed number %s", num)
			}
			seen[num] = true
		}
		if len(seen) != n {
			t.Fatalf("%d numbers for %d tickets", len(seen), n)
		}
	})
}

func TestIdempotentCreate(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		in := ticket.NewTicket{Channel: ticket.ChannelWeb, Type: ticket.TypeRepair, CustomerID: 1, Description: "x", RegionCode: "440305", IdempotencyKey: "form-42"}
		first, created, err := f.svc.Create(f.ctx, in)
		if err != nil || !created {
			t.Fatal(err, created)
		}
		again, created, err := f.svc.Create(f.ctx, in)
		if err != nil || created || again.ID != first.ID || len(again.Clocks) != 5 {
			t.Fatalf("repeat: %v created=%v id %d vs %d", err, created, again.ID, first.ID)
		}
		var n int64
		db.Model(&ticket.Ticket{}).Count(&n)
		if n != 1 {
			t.Fatalf("%d tickets", n)
		}
		// Concurrent repeats still make one ticket.
		in.IdempotencyKey = "form-43"
		var wg sync.WaitGroup
		ids := make(chan uint64, 8)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d, _, err := f.svc.Create(f.ctx, in)
				if err != nil {
					t.Error(err)
					return
				}
				ids <- d.ID
			}()
		}
		wg.Wait()
		close(ids)
		seen := map[uint64]bool{}
		for id := range ids {
			seen[id] = true
		}
		if len(seen) != 1 {
			t.Fatalf("concurrent repeats made %d tickets", len(seen))
		}
		other := actor.With(context.Background(), actor.Actor{UserID: 8, Username: "agent2"})
		_, _, err = f.svc.Create(other, in)
		wantCode(t, err, "idempotency_key_reused")
	})
}

func TestStatusMachinePauseCloseReopen(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		tk := f.create(t, ticket.NewTicket{})
		// new → closed is not allowed; the error names the allowed statuses.
		_, err := f.svc.Transition(f.ctx, tk.ID, ticket.StatusClosed, "", 0)
		e := wantCode(t, err, "invalid_transition")
		if allowed, _ := e.Details["allowed"].([]string); !slices.Equal(allowed, []string{"assigned", "in_progress", "resolved"}) {
			t.Fatalf("allowed %v", e.Details)
		}
		f.clock.Add(30 * time.Minute)
		tk, err = f.svc.Transition(f.ctx, tk.ID, ticket.StatusInProgress, "", tk.Version)
		if err != nil {
			t.Fatal(err)
		}
		if tk.FirstResponseAt == nil {
			t.Fatal("in_progress is the first response")
		}
		// Waiting for parts pauses the resolution clock from 10:30 to 12:30:
		// 1.5 working hours, as 12:00–13:00 is the lunch break.
		tk, err = f.svc.Transition(f.ctx, tk.ID, ticket.StatusWaitingParts, "压缩机缺货", 0)
		if err != nil {
			t.Fatal(err)
		}
		d, _ := f.svc.Detail(f.ctx, tk.ID)
		if c := clockOf(t, d.Clocks, sla.TargetResolution); c.State != sla.StatePaused || c.PauseReason != "waiting_parts" {
			t.Fatalf("paused %+v", c)
		}
		f.clock.Add(2 * time.Hour)
		if _, err = f.svc.Transition(f.ctx, tk.ID, ticket.StatusInProgress, "备件到货", 0); err != nil {
			t.Fatal(err)
		}
		d, _ = f.svc.Detail(f.ctx, tk.ID)
		res := clockOf(t, d.Clocks, sla.TargetResolution)
		if res.PausedFor != 90*time.Minute || res.DueAt == nil || !res.DueAt.Equal(time.Date(2026, 11, 28, 3, 30, 0, 0, time.UTC)) {
			t.Fatalf("resumed %+v due %v", res, res.DueAt)
		}
		f.clock.Add(time.Hour)
		if _, err = f.svc.Transition(f.ctx, tk.ID, ticket.StatusResolved, "", 0); err != nil {
			t.Fatal(err)
		}
		f.clock.Add(time.Hour)
		closed, err := f.svc.Transition(f.ctx, tk.ID, ticket.StatusClosed, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		if closed.ClosedAt == nil || closed.CloseReason != "resolved" {
			t.Fatalf("closed %+v", closed)
		}
		d, _ = f.svc.Detail(f.ctx, tk.ID)
		if !d.Frozen || clockOf(t, d.Clocks, sla.TargetResolution).State != sla.StateMet {
			t.Fatalf("frozen %v %+v", d.Frozen, d.Clocks)
		}
		if len(f.rec.named("ticket.closed")) != 1 {
			t.Fatal("ticket.closed not published")
		}
		// Reopen: needs a reason; restarts resolution; counts.
		wantCode(t, f.svc.Reopen(f.ctx, tk.ID, " "), "validation_failed")
		f.clock.Add(24 * time.Hour)
		if err := f.svc.Reopen(f.ctx, tk.ID, "客户回访不满意"); err != nil {
			t.Fatal(err)
		}
		d, _ = f.svc.Detail(f.ctx, tk.ID)
		res = clockOf(t, d.Clocks, sla.TargetResolution)
		if d.Status != ticket.StatusInProgress || d.ReopenCount != 1 || res.Segment != 2 || res.State != sla.StateRunning || len(res.Previous) != 1 || res.Previous[0].State != sla.StateMet {
			t.Fatalf("reopened %s %d %+v", d.Status, d.ReopenCount, res)
		}
		if c := clockOf(t, d.Clocks, sla.TargetFirstResponse); c.State != sla.StateMet {
			t.Fatalf("first response must keep its result: %+v", c)
		}
	})
}

func TestPolicyEditAfterCloseKeepsResults(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		tk := f.create(t, ticket.NewTicket{})
		f.clock.Add(3 * time.Hour)
		for _, st := range []string{ticket.StatusInProgress, ticket.StatusResolved, ticket.StatusClosed} {
			if _, err := f.svc.Transition(f.ctx, tk.ID, st, "", 0); err != nil {
				t.Fatal(err)
			}
		}
		before, _ := f.svc.Detail(f.ctx, tk.ID)
		// Tighten the standard policy and change the calendar to 24×7.
		pols, _ := f.store.Policies(f.ctx)
		for _, p := range pols {
			if p.Code != "standard" {
				continue
			}
			d, _ := p.Data()
			d.TargetsMinutes["resolution"], d.TargetsMinutes["first_response"], d.CalendarCode = 10, 1, "cn-24x7"
			if _, err := f.store.UpdatePolicy(f.ctx, p.ID, p.Version, d); err != nil {
				t.Fatal(err)
			}
		}
		cals, _ := f.store.Calendars(f.ctx)
		for _, c := range cals {
			if c.Code == "cn-service-daily" {
				d, _ := c.Data()
				d.Weekly = map[string][]string{"monday": {"09:00-10:00"}}
				if _, err := f.store.UpdateCalendar(f.ctx, c.ID, c.Version, d); err != nil {
					t.Fatal(err)
				}
			}
		}
		f.clock.Add(time.Hour)
		after, _ := f.svc.Detail(f.ctx, tk.ID)
		for i := range before.Clocks {
			b, a := before.Clocks[i], after.Clocks[i]
			if b.State != a.State || !eqTime(b.DueAt, a.DueAt) || b.Breached != a.Breached || b.Elapsed != a.Elapsed {
				t.Fatalf("clock %s changed after policy/calendar edit: %+v → %+v", b.Target, b, a)
			}
		}
		// A new ticket takes the new targets.
		n := f.create(t, ticket.NewTicket{})
		d, _ := f.svc.Detail(f.ctx, n.ID)
		if c := clockOf(t, d.Clocks, sla.TargetResolution); c.Duration != 10*time.Minute {
			t.Fatalf("new ticket resolution target %v", c.Duration)
		}
	})
}

func eqTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

func TestConcurrentEditsOneWins(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		tk := f.create(t, ticket.NewTicket{})
		const n = 8
		var wg sync.WaitGroup
		results := make(chan error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				desc := fmt.Sprintf("描述 %d", i)
				_, err := f.svc.Update(f.ctx, tk.ID, tk.Version, ticket.Patch{Description: &desc})
				results <- err
			}()
		}
		wg.Wait()
		close(results)
		ok, conflicts := 0, 0
		for err := range results {
			switch {
			case err == nil:
				ok++
			case apperr.As(err).Code == "version_conflict":
				conflicts++
			default:
				t.Fatalf("unexpected %v", err)
			}
		}
		if ok != 1 || conflicts != n-1 {
			t.Fatalf("ok %d conflicts %d", ok, conflicts)
		}
		_, err := f.svc.Update(f.ctx, tk.ID, 0, ticket.Patch{})
		wantCode(t, err, "validation_failed")
	})
}

func TestReprioritiseAppliesNewTargets(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		tk := f.create(t, ticket.NewTicket{})
		f.clock.Add(10 * time.Minute)
		urgent := ticket.PriorityUrgent
		up, err := f.svc.Update(f.ctx, tk.ID, tk.Version, ticket.Patch{Priority: &urgent})
		if err != nil {
			t.Fatal(err)
		}
		if up.SLAPolicy != "urgent" || up.Version != tk.Version+1 {
			t.Fatalf("policy %s v%d", up.SLAPolicy, up.Version)
		}
		d, _ := f.svc.Detail(f.ctx, tk.ID)
		if c := clockOf(t, d.Clocks, sla.TargetResolution); c.Duration != 24*time.Hour {
			t.Fatalf("resolution %v", c.Duration)
		}
	})
}

func TestMergeKeepsHistory(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		target := f.create(t, ticket.NewTicket{})
		dup := f.create(t, ticket.NewTicket{})
		other := f.create(t, ticket.NewTicket{CustomerID: 2})
		if _, err := f.svc.AddEvent(f.ctx, dup.ID, ticket.EventCall, "客户第二次来电催促"); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.Merge(f.ctx, target.ID, other.ID, "")
		wantCode(t, err, "validation_failed")
		if _, err := f.svc.Merge(f.ctx, target.ID, dup.ID, "重复来电"); err != nil {
			t.Fatal(err)
		}
		src, _ := f.svc.Get(f.ctx, dup.ID)
		if src.Status != ticket.StatusClosed || src.MergedIntoID == nil || *src.MergedIntoID != target.ID || len(src.Allowed()) != 0 {
			t.Fatalf("source %+v", src)
		}
		_, err = f.svc.Transition(f.ctx, dup.ID, ticket.StatusInProgress, "x", 0)
		wantCode(t, err, "invalid_transition")
		tl, err := f.svc.Timeline(f.ctx, target.ID, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var fromDup, call bool
		for _, e := range tl {
			fromDup = fromDup || e.TicketID == dup.ID
			call = call || (e.Kind == ticket.EventCall && e.TicketID == dup.ID)
		}
		if !fromDup || !call {
			t.Fatalf("target timeline lacks the duplicate's history: %+v", tl)
		}
		_, err = f.svc.Merge(f.ctx, target.ID, dup.ID, "")
		wantCode(t, err, "invalid_transition")
	})
}

func TestSLAJobRaisesOnce(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		// Urgent: first response 15 min on 24×7, warning at 80% (12 min).
		tk := f.create(t, ticket.NewTicket{Priority: ticket.PriorityUrgent})
		if n, err := f.svc.CheckSLA(f.ctx); err != nil || n != 0 {
			t.Fatalf("nothing due yet: %d %v", n, err)
		}
		f.clock.Add(13 * time.Minute)
		n, err := f.svc.CheckSLA(f.ctx)
		if err != nil || n != 1 {
			t.Fatalf("warning: %d %v", n, err)
		}
		w := f.rec.named("sla.warning")
		if len(w) != 1 || w[0].Topic != "sla" || w[0].Data["target"] != "first_response" || w[0].Data["number"] != tk.Number {
			t.Fatalf("warning event %+v", w)
		}
		if n, _ := f.svc.CheckSLA(f.ctx); n != 0 {
			t.Fatalf("raised twice: %d", n)
		}
		f.clock.Add(5 * time.Minute)
		// Two servers check at once: the alert is raised once.
		second := ticket.New(ticket.Options{DB: db, Audit: audit.New(nil), Bus: event.NewMemoryBus(), SLA: f.store, Now: f.clock.Now})
		var wg sync.WaitGroup
		counts := make(chan int, 2)
		for _, s := range []*ticket.Service{f.svc, second} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := s.CheckSLA(f.ctx)
				if err != nil {
					t.Error(err)
				}
				counts <- n
			}()
		}
		wg.Wait()
		close(counts)
		total := 0
		for c := range counts {
			total += c
		}
		if total != 1 {
			var alerts []sla.Alert
			db.Order("id").Find(&alerts)
			t.Fatalf("breach raised %d times: %+v %+v", total, alerts, f.rec.events)
		}
		var alerts []sla.Alert
		db.Order("id").Find(&alerts)
		if len(alerts) != 2 || alerts[0].Kind != "warning" || alerts[1].Kind != "breach" {
			t.Fatalf("alerts %+v", alerts)
		}
		got, _ := f.svc.Get(f.ctx, tk.ID)
		if !got.SLABreached {
			t.Fatal("ticket not marked breached")
		}
		tl, _ := f.svc.Timeline(f.ctx, tk.ID, 0, 100)
		slaNotes := 0
		for _, e := range tl {
			if e.Kind == ticket.EventSLA {
				slaNotes++
			}
		}
		if slaNotes != 2 {
			t.Fatalf("timeline has %d sla entries", slaNotes)
		}
	})
}

func TestListKeysetScopeAndExport(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		var ids []uint64
		for i := range 7 {
			tk := f.create(t, ticket.NewTicket{Priority: ticket.Priorities()[i%4]})
			ids = append(ids, tk.ID)
			f.clock.Add(time.Minute)
		}
		var got []uint64
		cursor := ""
		for {
			p, err := f.svc.List(f.ctx, ticket.Filter{Size: 3, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			for _, tk := range p.Items {
				got = append(got, tk.ID)
			}
			if p.NextCursor == "" {
				break
			}
			cursor = p.NextCursor
		}
		want := slices.Clone(ids)
		slices.Reverse(want)
		if !slices.Equal(got, want) {
			t.Fatalf("newest first %v, want %v", got, want)
		}
		p, _ := f.svc.List(f.ctx, ticket.Filter{Sort: ticket.SortPriorityDesc, Size: 2})
		if p.Items[0].Priority != ticket.PriorityUrgent || p.Items[1].Priority != ticket.PriorityHigh {
			t.Fatalf("priority order %v %v", p.Items[0].Priority, p.Items[1].Priority)
		}
		// Outlet users see only tickets dispatched to their outlet.
		db.Model(&ticket.Ticket{}).Where("id = ?", ids[2]).Update("outlet_id", 5)
		five := uint64(5)
		outletCtx := actor.With(context.Background(), actor.Actor{UserID: 9, Username: "om", Roles: []string{"outlet_manager"}, OutletID: &five})
		p, _ = f.svc.List(outletCtx, ticket.Filter{})
		if len(p.Items) != 1 || p.Items[0].ID != ids[2] {
			t.Fatalf("outlet sees %d tickets", len(p.Items))
		}
		if _, err := f.svc.Get(outletCtx, ids[3]); !apperr.IsKind(err, apperr.KindNotFound) {
			t.Fatalf("another outlet's ticket: %v", err)
		}
		_, err := f.svc.List(f.ctx, ticket.Filter{Statuses: []string{"bogus"}, Sort: "x", Cursor: "!!"})
		e := wantCode(t, err, "validation_failed")
		if e.Fields["status"].Code == "" || e.Fields["sort"].Code == "" || e.Fields["cursor"].Code == "" {
			t.Fatalf("fields %v", e.Fields)
		}
		var buf bytes.Buffer
		res, err := f.svc.Export(f.ctx, ticket.Filter{}, &buf, ticket.ExportOptions{})
		if err != nil || res.Rows != 7 {
			t.Fatalf("export %d %v", res.Rows, err)
		}
		book, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := book.GetRows("工单")
		if len(rows) != 8 || rows[0][0] != "工单号" {
			t.Fatalf("%d rows, header %v", len(rows), rows[0])
		}
	})
}
