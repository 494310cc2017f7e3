package ticket_test

import (
	"fmt"
	"testing"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/testutil"
	"github.com/aftersales/aftersales/backend/internal/ticket"
)

// A ticket stored by Prepare and InsertTx in the caller's transaction
// brings the same rows as one stored by Create: its idempotency key (a
// repeat replays it), the timeline's first line, the SLA log, one audit
// record and ticket.created.
func TestInsertTxStoresWhatCreateStores(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		f := newFixture(t, g)
		in := ticket.NewTicket{Channel: ticket.ChannelPhone, Type: ticket.TypeRepair, CustomerID: 1, Description: "空调不制冷", RegionCode: "440305"}
		in.IdempotencyKey = "create-1"
		created := f.create(t, in)
		in.IdempotencyKey = "inserttx-1"
		draft, err := f.svc.Prepare(f.ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		var inserted ticket.Detail
		if err := g.Transaction(func(tx *gorm.DB) error {
			inserted, err = f.svc.InsertTx(f.ctx, tx, draft, 0)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if replay, ok, err := f.svc.Replay(f.ctx, "inserttx-1"); err != nil || !ok || replay.ID != inserted.ID {
			t.Fatalf("replay of the InsertTx key: %d %v %v, want ticket %d", replay.ID, ok, err, inserted.ID)
		}
		rows := func(id uint64) string {
			line, err := f.svc.Timeline(f.ctx, id, 0, 10)
			if err != nil || len(line) != 1 {
				t.Fatalf("timeline of %d: %+v %v", id, line, err)
			}
			log, err := f.store.Log(f.ctx, nil, id)
			if err != nil {
				t.Fatal(err)
			}
			var kinds []string
			for _, e := range log {
				kinds = append(kinds, string(e.Kind)+"/"+string(e.Target))
			}
			var audits []audit.Record
			if err := g.Where("entity = ? AND entity_id = ?", "ticket", fmt.Sprint(id)).Find(&audits).Error; err != nil {
				t.Fatal(err)
			}
			if len(audits) != 1 || audits[0].Action != "create" || audits[0].ActorName != "agent" || audits[0].LeafHash == "" {
				t.Fatalf("audit of ticket %d: %+v", id, audits)
			}
			l := line[0]
			return fmt.Sprintf("%s %s %v %s %s | %v", l.Kind, l.Body, *l.ActorID, l.ActorName, l.Data, kinds)
		}
		if a, b := rows(created.ID), rows(inserted.ID); a != b {
			t.Errorf("Create wrote %s\nInsertTx wrote %s", a, b)
		}
		if n := len(f.rec.named(event.TicketCreated.Name())); n != 2 {
			t.Errorf("%d ticket.created, want 2", n)
		}
	})
}
