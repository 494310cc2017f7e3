package complaint_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/complaint"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/outbox"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

// Complaint events are recorded in the transaction that makes the change:
// with the outbox as the bus (its relay not started, so the rows stay
// unsent), a created complaint has its complaint.created row; an
// escalation's complaint.escalated row exists inside its transaction before
// the complaint update, and when that update fails neither the escalation
// nor the event row is left.
func TestComplaintEventsCommitAndRollBackWithTheChange(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
		box := outbox.New(outbox.Options{DB: g, Bus: event.NewMemoryBus(), Log: quiet})
		clk := testutil.NewClock(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC))
		svc := complaint.New(complaint.Options{DB: g, Audit: audit.New(nil), Bus: box, Now: clk.Now, Chain: complaint.Chain{"quality_manager", "admin"},
			Location:    time.FixedZone("CST", 8*3600),
			RoleHolders: func(context.Context, string, *uint64) ([]uint64, error) { return []uint64{5}, nil }})
		ctx := actor.With(context.Background(), actor.Actor{UserID: 1, Username: "quality", Roles: []string{"quality_manager"}})

		rows := func(name string) []outbox.Record {
			t.Helper()
			var out []outbox.Record
			if err := g.Where("name = ?", name).Order("id").Find(&out).Error; err != nil {
				t.Fatal(err)
			}
			return out
		}
		c := newComplaint(t, svc, ctx, complaint.SeverityNormal, nil)
		created := rows(event.ComplaintCreated.Name())
		if len(created) != 1 || created[0].Topic != complaint.Topic || created[0].SentAt != nil {
			t.Fatalf("complaint.created rows: %+v", created)
		}
		e := decode(t, created[0])
		if p, ok := event.ComplaintCreated.Of(e); !ok || p.ComplaintID != c.ID || p.Number != c.Number {
			t.Fatalf("payload %+v (%v) of %s", p, ok, created[0].Data)
		}

		// The complaint update fails after the escalation was enqueued: the
		// whole transaction rolls back, its event with it.
		// Inside the transaction, just before the failing update, the event
		// row is already there (the old publish-after-commit wrote it later).
		var fail atomic.Bool
		var inTx int64 = -1
		if err := g.Callback().Update().Before("gorm:update").Register("test:fail_complaint_update", func(db *gorm.DB) {
			if fail.Load() && db.Statement.Table == "complaints" {
				if err := db.Session(&gorm.Session{NewDB: true}).Model(&outbox.Record{}).
					Where("name = ?", event.ComplaintEscalated.Name()).Count(&inTx).Error; err != nil {
					_ = db.AddError(err)
				}
				_ = db.AddError(errors.New("injected failure"))
			}
		}); err != nil {
			t.Fatal(err)
		}
		fail.Store(true)
		if _, err := svc.Escalate(ctx, c.ID, 0, "客户再次来电"); err == nil || apperr.IsKind(err, apperr.KindConflict) {
			t.Fatalf("escalate with a failing update: %v", err)
		}
		fail.Store(false)
		if inTx != 1 {
			t.Fatalf("complaint.escalated rows inside the escalation's transaction: %d, want 1", inTx)
		}
		if got := rows(event.ComplaintEscalated.Name()); len(got) != 0 {
			t.Fatalf("rolled back escalation left events: %+v", got)
		}
		var n int64
		if err := g.Model(&complaint.Escalation{}).Where("complaint_id = ?", c.ID).Count(&n).Error; err != nil || n != 0 {
			t.Fatalf("rolled back escalation rows: %d %v", n, err)
		}

		// The same escalation succeeds: one row, committed with the change.
		if _, err := svc.Escalate(ctx, c.ID, 0, "客户再次来电"); err != nil {
			t.Fatal(err)
		}
		esc := rows(event.ComplaintEscalated.Name())
		if len(esc) != 1 {
			t.Fatalf("complaint.escalated rows: %+v", esc)
		}
		e = decode(t, esc[0])
		if p, ok := event.ComplaintEscalated.Of(e); !ok || p.ComplaintID != c.ID || p.Level != 1 || len(p.UserIDs) != 1 || p.UserIDs[0] != 5 {
			t.Fatalf("escalated payload %+v (%v)", p, ok)
		}
	})
}

// decode is the event of an outbox row as the relay reads it.
func decode(t *testing.T, r outbox.Record) event.Event {
	t.Helper()
	e := event.Event{Topic: r.Topic, Name: r.Name}
	if err := json.Unmarshal([]byte(r.Data), &e.Data); err != nil {
		t.Fatal(err)
	}
	return e
}
