package complaint_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/complaint"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

// Defect 12: escalations notified a role but nobody in particular
// (notified_user_id was always null). An escalation resolves the chain's
// role to the users who hold it in scope, stores the first as
// notified_user_id and names all of them in complaint.escalated (user_ids),
// which the in-app inbox delivers to each.
func TestEscalationResolvesTheRoleToItsUsers(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		start := time.Date(2026, 6, 1, 1, 0, 0, 0, time.UTC)
		clk := testutil.NewClock(start)
		bus := event.NewMemoryBus()
		rec := &recorder{}
		bus.Subscribe(rec.handle)
		holders := map[string][]uint64{"quality_manager": {12, 5}, "admin": {1}}
		var asked []string
		svc := complaint.New(complaint.Options{DB: db, Audit: audit.New(nil), Bus: bus, Now: clk.Now, Chain: complaint.Chain{"quality_manager", "admin"},
			Location: time.FixedZone("CST", 8*3600),
			RoleHolders: func(_ context.Context, role string, _ *uint64) ([]uint64, error) {
				asked = append(asked, role)
				return holders[role], nil
			}})
		ctx := actor.With(context.Background(), actor.Actor{UserID: 1, Username: "quality", Roles: []string{"quality_manager"}})
		c := newComplaint(t, svc, ctx, complaint.SeverityNormal, nil)

		// By hand: level 1, the quality managers 5 and 12.
		if _, err := svc.Escalate(ctx, c.ID, 0, "客户再次来电"); err != nil {
			t.Fatal(err)
		}
		var escs []complaint.Escalation
		db.Where("complaint_id = ?", c.ID).Order("id").Find(&escs)
		if len(escs) != 1 || escs[0].NotifiedRole != "quality_manager" || escs[0].NotifiedUser == nil || *escs[0].NotifiedUser != 5 {
			t.Fatalf("escalations %+v", escs)
		}
		got := escalated(rec)
		if len(got) != 1 || !slices.Equal(got[0].UserIDs, []uint64{5, 12}) || got[0].UserID == nil || *got[0].UserID != 5 {
			t.Fatalf("complaint.escalated %+v", got)
		}
		// Overdue: up to the top, the administrator.
		clk.Add(30 * 24 * time.Hour)
		if err := svc.EscalateOverdue(context.Background()); err != nil {
			t.Fatal(err)
		}
		escs = nil
		db.Where("complaint_id = ?", c.ID).Order("id").Find(&escs)
		if len(escs) != 2 || escs[1].NotifiedRole != "admin" || escs[1].NotifiedUser == nil || *escs[1].NotifiedUser != 1 {
			t.Fatalf("overdue escalation %+v", escs)
		}
		if got := escalated(rec); len(got) != 2 || !slices.Equal(got[1].UserIDs, []uint64{1}) {
			t.Fatalf("complaint.escalated %+v", got)
		}
		// A crisis goes to the top of the chain at once, resolved too.
		crisis := newComplaint(t, svc, ctx, complaint.SeverityCrisis, nil)
		escs = nil
		db.Where("complaint_id = ?", crisis.ID).Find(&escs)
		if len(escs) != 1 || escs[0].NotifiedUser == nil || *escs[0].NotifiedUser != 1 {
			t.Fatalf("crisis escalation %+v", escs)
		}
		if !slices.Contains(asked, "admin") || !slices.Contains(asked, "quality_manager") {
			t.Fatalf("roles asked %v", asked)
		}
	})
}

func escalated(r *recorder) []event.ComplaintEscalation {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []event.ComplaintEscalation
	for _, e := range r.events {
		if p, ok := event.ComplaintEscalated.Of(e); ok {
			out = append(out, p)
		}
	}
	return out
}
