package migrations_test

import (
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/testutil"
)

// TestReadinessWindowQueriesUseTheirIndexes fails when an index of migration
// 0160 is missing or not used: today's bucket and the newest non-conforming
// records of repair_record_complete, complaint_resolved_within_limit and
// complaint_record_complete must read a range of their window column, not
// the whole table (5.7 of the 7.0 s of a steady run at 5M tickets before).
func TestReadinessWindowQueriesUseTheirIndexes(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		// The measure keeps SQLite off the status index (readiness
		// window.noIndex), as here.
		status := "status"
		if g.Dialector.Name() != "mysql" {
			status = "+status"
		}
		for _, c := range []struct{ index, sql string }{
			{"ix_repair_orders_closed", "SELECT id FROM repair_orders WHERE closed_at >= '2026-11-01' AND closed_at < '2026-12-08' AND " + status + " = 'completed' ORDER BY closed_at DESC LIMIT 10"},
			{"ix_complaints_resolve_due", "SELECT id FROM complaints WHERE resolve_due_at >= '2026-11-01' AND resolve_due_at < '2026-12-08' ORDER BY resolve_due_at DESC LIMIT 10"},
			{"ix_complaints_closed", "SELECT id FROM complaints WHERE closed_at >= '2026-11-01' AND closed_at < '2026-12-08' ORDER BY closed_at DESC LIMIT 10"},
		} {
			if plan := explain(t, g, c.sql); !strings.Contains(plan, c.index) {
				t.Errorf("%s: plan does not use %s: %s", c.sql, c.index, plan)
			}
		}
	})
}
