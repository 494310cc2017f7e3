package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/auth"
	"github.com/aftersales/aftersales/backend/internal/customer"
	"github.com/aftersales/aftersales/backend/internal/outlet"
	"github.com/aftersales/aftersales/backend/internal/product"
	"github.com/aftersales/aftersales/backend/internal/sla"
	"github.com/aftersales/aftersales/backend/internal/testutil"
	"github.com/aftersales/aftersales/backend/internal/ticket"
	"github.com/aftersales/aftersales/backend/internal/workorder"
)

// TestSeedTickets simulates 45 days of hotline work over the demo world and
// checks what the services would see: every stored summary and frozen
// result agrees with the calculator replaying the stored log, numbers are
// unique and their counters continue after them, breaches stay a minority,
// and outlet 1's board has live work.
func TestSeedTickets(t *testing.T) {
	dir, loc := demoWorld(t)
	now := time.Date(2026, 11, 24, 4, 0, 0, 0, time.UTC) // Tue 12:00 Shanghai
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := actor.With(context.Background(), actor.System("test"))
		tr := audit.New(nil)
		cs := customer.New(customer.Options{DB: db, Audit: tr, Regions: dir})
		ps := product.New(product.Options{DB: db, Audit: tr, Owners: cs, Location: loc})
		os := outlet.New(outlet.Options{DB: db, Audit: tr, Regions: dir})
		as := auth.New(auth.Options{DB: db, Audit: tr, BcryptCost: 4})
		if err := SeedProducts(ctx, ProductDeps{Products: ps}); err != nil {
			t.Fatal(err)
		}
		if err := SeedOutlets(ctx, OutletDeps{DB: db, Outlets: os, Regions: dir, Auth: as}); err != nil {
			t.Fatal(err)
		}
		if err := SeedCustomers(ctx, CustomerDeps{DB: db, Customers: cs, Products: ps, Regions: dir, Now: now, Location: loc}); err != nil {
			t.Fatal(err)
		}
		store := sla.New(sla.Options{DB: db, Audit: tr, Now: func() time.Time { return now }})
		if err := store.EnsureDefaults(ctx); err != nil {
			t.Fatal(err)
		}
		d := TicketDeps{DB: db, SLA: store, Now: now, Location: loc, AcceptTimeout: 30 * time.Minute, Days: 45}
		start := time.Now()
		if err := SeedTickets(ctx, d); err != nil {
			t.Fatal(err)
		}
		t.Logf("45 days of tickets seeded in %s", time.Since(start))
		if err := SeedTickets(ctx, d); err != nil { // a second run adds nothing
			t.Fatal(err)
		}
		var tickets []ticket.Ticket
		db.Order("id").Find(&tickets)
		if n := len(tickets); n < 45*demoTicketsPerDay*6/10 || n > 45*demoTicketsPerDay*14/10 {
			t.Fatalf("%d tickets for 45 days", n)
		}
		numbers := map[string]bool{}
		breached, reopened, open := 0, 0, 0
		for _, tk := range tickets {
			if numbers[tk.Number] {
				t.Fatalf("number %s twice", tk.Number)
			}
			numbers[tk.Number] = true
			if tk.SLABreached {
				breached++
			}
			if tk.ReopenCount > 0 {
				reopened++
			}
			if tk.Open() {
				open++
			}
		}
		rate := float64(breached) / float64(len(tickets))
		t.Logf("%d tickets: %.1f %% breached a clock, %d reopened, %d open", len(tickets), 100*rate, reopened, open)
		if rate < 0.02 || rate > 0.15 || reopened == 0 || open == 0 {
			t.Errorf("breach rate %.3f, %d reopened, %d open: not a realistic mix", rate, reopened, open)
		}
		// The stored summary and frozen results are what the calculator gives.
		ids := make([]uint64, 0, 400)
		for i := 0; i < len(tickets) && len(ids) < 400; i += 7 {
			ids = append(ids, tickets[i].ID)
		}
		logs, err := store.Logs(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		results, err := store.Results(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[uint64]ticket.Ticket{}
		for _, tk := range tickets {
			byID[tk.ID] = tk
		}
		for _, id := range ids {
			tk := byID[id]
			cal, _ := store.CalendarByCode(ctx, tk.SLACalendar)
			states := sla.Evaluate(logs[id], cal, now)
			check := tk
			check.SLACheckedAt = now
			ticket.Summarise(&check, states)
			if check.SLABreached != tk.SLABreached || !sameTime(check.SLADueAt, tk.SLADueAt) || !sameTime(check.SLANextCheckAt, tk.SLANextCheckAt) {
				t.Fatalf("ticket %s: stored summary differs from the replayed log", tk.Number)
			}
			fr, ok := results[id]
			if tk.Status == ticket.StatusClosed != ok && tk.ReopenCount == 0 {
				t.Fatalf("ticket %s (%s): frozen result present = %v", tk.Number, tk.Status, ok)
			}
			if ok && tk.ReopenCount == 0 {
				want := sla.Freeze(sla.Evaluate(logs[id], cal, fr.ClosedAt), fr.ClosedAt)
				a, _ := json.Marshal(want)
				b, _ := json.Marshal(fr)
				if string(a) != string(b) {
					t.Fatalf("ticket %s: frozen result is not Freeze(Evaluate(log, closed_at))", tk.Number)
				}
			}
		}
		// Counters continue after the seeded numbers.
		var seq ticket.NumberSequence
		day := "T" + now.In(loc).Format("20060102")
		if err := db.Where("name = ?", day).Take(&seq).Error; err != nil {
			t.Fatal(err)
		}
		var last string
		db.Model(&ticket.Ticket{}).Where("number LIKE ?", day+"-%").Select("MAX(number)").Scan(&last)
		if want := fmt.Sprintf("%s-%06d", day, seq.Value); last != want {
			t.Fatalf("counter %s = %d but last number %s", day, seq.Value, last)
		}
		// Outlet 1's board is alive: offers waiting, an arrival overdue.
		var offers, overdue int64
		db.Model(&workorder.WorkOrder{}).Where("outlet_id = ? AND status = ?", 1, workorder.StatusOffered).Count(&offers)
		db.Model(&workorder.WorkOrder{}).Where("outlet_id = ? AND status IN ? AND arrived_at IS NULL AND arrival_due_at < ?", 1,
			[]string{workorder.StatusAccepted, workorder.StatusAssigned, workorder.StatusScheduled}, now).Count(&overdue)
		if offers < tkLiveOffers || overdue < 1 {
			t.Fatalf("outlet 1: %d offers waiting, %d arrivals overdue", offers, overdue)
		}
		var unassigned int64
		db.Model(&workorder.WorkOrder{}).Where("status = ?", workorder.StatusUnassigned).Count(&unassigned)
		if unassigned != 0 {
			t.Errorf("%d work orders left unassigned", unassigned)
		}

		// The scale generator tops up on the same world, continuing numbers.
		var before, wosBefore int64
		db.Model(&ticket.Ticket{}).Count(&before)
		db.Model(&workorder.WorkOrder{}).Count(&wosBefore)
		if err := ScaleTickets(ctx, d, int(before)+3000); err != nil {
			t.Fatal(err)
		}
		var after, wosAfter, distinct int64
		db.Model(&ticket.Ticket{}).Count(&after)
		db.Model(&workorder.WorkOrder{}).Count(&wosAfter)
		db.Model(&ticket.Ticket{}).Distinct("number").Count(&distinct)
		if after != before+3000 || distinct != after {
			t.Fatalf("scale: %d tickets (%d numbers), want %d", after, distinct, before+3000)
		}
		if share := float64(wosAfter-wosBefore) / 3000; share < 0.25 || share > 0.55 {
			t.Errorf("scale: %.2f work orders per ticket, want about %.1f", share, ScaleWorkOrderShare)
		}
	})
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}
