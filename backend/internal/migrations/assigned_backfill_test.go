package migrations_test

import (
	"testing"
	"time"

	"github.com/aftersales/aftersales/backend/internal/migrations"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

// TestDispatchedTicketsGetTheirDispatchTime: a database from before 0095
// holds a ticket dispatched twice (offers at 10:00 and 11:00) with an empty
// assigned_at, one never dispatched, and one assigned to an agent at 09:00;
// the upgrade fills the first with its first offer and leaves the others.
func TestDispatchedTicketsGetTheirDispatchTime(t *testing.T) {
	g := testutil.SQLiteDBAt(t, "0060_audit_log")
	at := func(h int) time.Time { return time.Date(2026, 11, 2, h, 0, 0, 0, time.UTC) }
	exec := func(q string, args ...any) {
		t.Helper()
		if err := g.Exec(q, args...).Error; err != nil {
			t.Fatal(err)
		}
	}
	for i, assigned := range []*time.Time{nil, nil, ptrTime(at(9))} {
		exec(`INSERT INTO tickets (id, number, channel, type, priority, priority_rank, status, customer_id, sla_checked_at, assigned_at, created_by, version, created_at, updated_at)
VALUES (?, ?, 'phone', 'repair', 'normal', 2, 'in_progress', 1, ?, ?, 1, 1, ?, ?)`, i+1, "T"+string(rune('A'+i)), at(8), assigned, at(8), at(8))
	}
	exec(`INSERT INTO work_orders (id, number, ticket_id, kind, status, customer_id, region_code, attempts, created_by, version, created_at, updated_at)
VALUES (1, 'W1', 1, 'repair', 'accepted', 1, '440305', 2, 1, 1, ?, ?), (2, 'W3', 3, 'repair', 'accepted', 1, '440305', 1, 1, 1, ?, ?)`, at(10), at(10), at(10), at(10))
	exec(`INSERT INTO work_order_offers (work_order_id, outlet_id, attempt, coverage_level, offered_at, expires_at, response)
VALUES (1, 1, 1, 3, ?, ?, 'rejected'), (1, 2, 2, 2, ?, ?, 'accepted'), (2, 1, 1, 3, ?, ?, 'accepted')`, at(10), at(11), at(11), at(12), at(10), at(11))
	if err := migrations.Migrate(g); err != nil {
		t.Fatal(err)
	}
	var got []struct {
		ID         uint64
		AssignedAt *time.Time
	}
	g.Raw("SELECT id, assigned_at FROM tickets ORDER BY id").Scan(&got)
	if len(got) != 3 || got[0].AssignedAt == nil || !got[0].AssignedAt.Equal(at(10)) || got[1].AssignedAt != nil ||
		got[2].AssignedAt == nil || !got[2].AssignedAt.Equal(at(9)) {
		t.Fatalf("assigned_at after the upgrade: %+v", got)
	}
}

func ptrTime(t time.Time) *time.Time { return &t }
