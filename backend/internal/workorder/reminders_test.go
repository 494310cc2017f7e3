package workorder_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/testutil"
	"github.com/aftersales/aftersales/backend/internal/workorder"
)

func TestReminderDueAtHalfAndFourFifthsOfTheOffersTime(t *testing.T) {
	offered := time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC)
	expires := offered.Add(30 * time.Minute)
	at := func(min float64) time.Time { return offered.Add(time.Duration(min * float64(time.Minute))) }
	for _, c := range []struct {
		name       string
		now        time.Time
		half, late bool
		want       int
	}{
		{"just offered", at(0), false, false, 0},
		{"at 49%", at(14.7), false, false, 0},
		{"at 50%", at(15), false, false, workorder.ReminderHalf},
		{"at 70%, half sent", at(21), true, false, 0},
		{"at 80%, half sent", at(24), true, false, workorder.ReminderLate},
		{"first seen at 85%: only the late one", at(25.5), false, false, workorder.ReminderLate},
		{"late sent, half not: never the half after", at(26), false, true, 0},
		{"both sent", at(29), true, true, 0},
		{"lapsed: the timeout job's", at(30), false, false, 0},
	} {
		if got := workorder.ReminderDue(offered, expires, c.now, c.half, c.late); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}

func reminders(f fixture) []event.WorkOrder {
	var out []event.WorkOrder
	for _, e := range *f.events {
		if p, ok := event.WorkOrderOfferReminder.Of(e); ok && e.Topic == event.TopicTickets {
			out = append(out, p)
		}
	}
	return out
}

func TestOfferRemindersFireOnceEachEvenWhenInstancesRace(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		tk := f.newTicket(t)
		w, err := f.wo.Dispatch(f.agent, tk.ID, workorder.DispatchInput{Kind: workorder.KindRepair})
		if err != nil {
			t.Fatal(err)
		}
		total := w.OfferExpiresAt.Sub(*w.OfferedAt)
		at := func(pct int) time.Time { return w.OfferedAt.Add(total * time.Duration(pct) / 100) }
		ctx := context.Background()
		if n, err := f.wo.RemindOffersAsOf(ctx, at(40)); n != 0 || err != nil {
			t.Fatalf("at 40%%: %d %v", n, err)
		}
		// Four instances run the job for the same tick at 55%: one reminder.
		var wg sync.WaitGroup
		var mu sync.Mutex
		sent := 0
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := f.wo.RemindOffersAsOf(ctx, at(55))
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				sent += n
				mu.Unlock()
			}()
		}
		wg.Wait()
		if sent != 1 {
			t.Fatalf("%d reminders at 55%% across four runs, want 1", sent)
		}
		if n, _ := f.wo.RemindOffersAsOf(ctx, at(70)); n != 0 {
			t.Fatalf("the 50%% reminder fired again at 70%%")
		}
		if n, _ := f.wo.RemindOffersAsOf(ctx, at(85)); n != 1 {
			t.Fatalf("no 80%% reminder at 85%%")
		}
		if n, _ := f.wo.RemindOffersAsOf(ctx, at(95)); n != 0 {
			t.Fatalf("the 80%% reminder fired again")
		}
		got := reminders(f)
		if len(got) != 2 || got[0].Percent != 50 || got[1].Percent != 80 || got[0].WorkOrderID != w.ID || *got[0].OutletID != 1 {
			t.Fatalf("reminder events %+v, want 50 then 80 for outlet 1", got)
		}
		var audited int64
		db.Table("audit_records").Where("entity = ? AND action = ?", "work_order", "remind_offer").Count(&audited)
		if audited != 2 {
			t.Fatalf("%d reminders audited, want 2", audited)
		}
		// Rejected: the next outlet's offer starts its own reminders, and
		// the answered one is never reminded.
		f.clock.Add(time.Minute)
		w, err = f.wo.Reject(outletUser(1, "outlet_manager"), w.ID, "技师不足", 0)
		if err != nil {
			t.Fatal(err)
		}
		total = w.OfferExpiresAt.Sub(*w.OfferedAt)
		if n, _ := f.wo.RemindOffersAsOf(ctx, w.OfferedAt.Add(total*9/10)); n != 1 {
			t.Fatalf("the new offer first seen at 90%%: %d reminders, want 1 (80%% only)", n)
		}
		if got := reminders(f); len(got) != 3 || got[2].Percent != 80 || *got[2].OutletID != 2 {
			t.Fatalf("events %+v", got)
		}
	})
}
