package readiness_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/readiness"
	"github.com/aftersales/aftersales/backend/internal/testutil"
	"github.com/aftersales/aftersales/backend/internal/ticket"
)

// A ticket created today changes no closed day's rollups, so its
// ticket.created runs no consumer transaction; one created before midnight
// and relayed after it still does, and marks its day.
func TestOnlyTicketsCreatedBeforeTodayRunTheRollupConsumer(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		now := time.Date(2026, 12, 7, 0, 0, 1, 0, cst) // just after midnight
		svc, err := readiness.New(context.Background(), readiness.Options{DB: db, StandardFile: "../../../configs/standards/gbt27922-2011.yaml",
			StandardsDir: "../../../configs/standards", Location: cst, Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(svc.Close)
		created := func(at time.Time) (event.Event, uint64) {
			tk := ticket.Ticket{Number: "T" + at.Format("150405.000"), Channel: "phone", Type: "repair", Priority: "normal", Status: "new",
				CustomerID: 1, Description: "d", Version: 1, SLACheckedAt: at, CreatedAt: at, UpdatedAt: at}
			if err := db.Create(&tk).Error; err != nil {
				t.Fatal(err)
			}
			e := event.TicketCreated.New(event.TopicTickets, event.Ticket{TicketID: tk.ID, Number: tk.Number})
			e.At = at.UTC()
			return e, tk.ID
		}
		today, _ := created(now.Add(-time.Millisecond * 500))
		if svc.MayMark(today) {
			t.Error("a ticket created today ran the rollup consumer")
		}
		before, _ := created(time.Date(2026, 12, 6, 23, 59, 59, 990e6, cst))
		if !svc.MayMark(before) {
			t.Fatal("a ticket created before midnight and relayed after it must run the rollup consumer")
		}
		if err := svc.MarkDirty(context.Background(), db, before); err != nil {
			t.Fatal(err)
		}
		var marks int64
		db.Model(&readiness.RollupDirty{}).Where("source = ?", "tickets").Count(&marks)
		if marks != 1 {
			t.Errorf("%d marks for the ticket created yesterday; want 1", marks)
		}
		// Other ticket events and events without a time still go to the consumer.
		changed := event.TicketStatusChanged.New(event.TopicTickets, event.Ticket{TicketID: 1})
		changed.At = now.UTC()
		if !svc.MayMark(changed) {
			t.Error("a status change of an old ticket must run the rollup consumer")
		}
		if !svc.MayMark(event.TicketCreated.New(event.TopicTickets, event.Ticket{TicketID: 1})) {
			t.Error("a ticket.created without a time must run the rollup consumer")
		}
		if svc.MayMark(event.Event{Name: "user.created"}) {
			t.Error("an event that concerns no rollup ran the consumer")
		}
	})
}
