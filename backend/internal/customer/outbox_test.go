package customer

import (
	"encoding/json"
	"errors"
	"testing"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/outbox"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

// TestEventsAreRecordedInTheChangesTransaction: with the outbox as the bus,
// customer.created is an outbox_events row written in the transaction that
// inserts the customer, so it commits with the customer and disappears with
// it when that transaction rolls back (no window between commit and publish).
func TestEventsAreRecordedInTheChangesTransaction(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		_, ctx, _ := newService(t, db)
		x := outbox.New(outbox.Options{DB: db, Bus: event.NewMemoryBus()})
		svc := func(g *gorm.DB) *Service {
			return New(Options{DB: g, Audit: audit.New(nil), Bus: x, Regions: regions(t)})
		}
		rows := func(g *gorm.DB, name string) []outbox.Record {
			t.Helper()
			var rs []outbox.Record
			if err := g.Where("name = ?", name).Order("id").Find(&rs).Error; err != nil {
				t.Fatal(err)
			}
			return rs
		}

		// Rolled back: the service runs inside an outer transaction that
		// then fails; the event row is visible in it, and gone after.
		refused := errors.New("caller's rule refused")
		var seenInTx []outbox.Record
		var inTxID uint64
		err := db.Transaction(func(tx *gorm.DB) error {
			p, err := svc(tx).Create(ctx, zhang("13800000001"))
			if err != nil {
				return err
			}
			inTxID = p.Customer.ID
			seenInTx = rows(tx, event.CustomerCreated.Name())
			return refused
		})
		if !errors.Is(err, refused) {
			t.Fatalf("err = %v, want the caller's refusal", err)
		}
		if len(seenInTx) != 1 {
			t.Fatalf("inside the transaction: %d customer.created rows, want 1", len(seenInTx))
		}
		if rs := rows(db, event.CustomerCreated.Name()); len(rs) != 0 {
			t.Fatalf("after rollback: %d customer.created rows, want 0: %+v", len(rs), rs)
		}
		var n int64
		if err := db.Model(&Customer{}).Where("id = ?", inTxID).Count(&n).Error; err != nil || n != 0 {
			t.Fatalf("after rollback: customer rows %d (err %v), want 0", n, err)
		}

		// Committed: the row is there with the payload the web app reads.
		p, err := svc(db).Create(ctx, zhang("13800000002"))
		if err != nil {
			t.Fatal(err)
		}
		rs := rows(db, event.CustomerCreated.Name())
		if len(rs) != 1 || rs[0].Topic != Topic || rs[0].SentAt != nil {
			t.Fatalf("after commit: %+v, want one unsent customer.created on %q", rs, Topic)
		}
		var data map[string]any
		if err := json.Unmarshal([]byte(rs[0].Data), &data); err != nil {
			t.Fatal(err)
		}
		if data["customer_id"] != float64(p.Customer.ID) {
			t.Fatalf("data = %v, want customer_id %d", data, p.Customer.ID)
		}
		pl, ok := event.CustomerCreated.Of(event.Event{Name: rs[0].Name, Data: data})
		if !ok || pl.CustomerID != p.Customer.ID {
			t.Fatalf("typed payload = %+v, %v", pl, ok)
		}

		// A refused change (duplicate phone) records nothing.
		if _, err := svc(db).AddPhone(ctx, p.Customer.ID, NewPhone{Number: "13800000002"}); err == nil {
			t.Fatal("duplicate phone accepted")
		}
		if rs := rows(db, event.CustomerPhoneAdded.Name()); len(rs) != 0 {
			t.Fatalf("refused add_phone recorded %+v", rs)
		}
	})
}
