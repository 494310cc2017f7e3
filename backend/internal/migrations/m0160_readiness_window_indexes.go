package migrations

import (
	"fmt"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0160ReadinessWindowIndexes indexes the time columns that three readiness
// measures define their window on and list their newest non-conforming
// records by. Why: at 5M tickets (2.5M repairs, 250k complaints) a
// steady-state run took 7.0 s on SQLite, 5.0 s of it repair_record_complete
// and 0.7 s complaint_resolved_within_limit. Their closed days come from the
// rollups, but today's bucket (`closed_at >= today`) and the top-records
// query (`… ORDER BY closed_at DESC LIMIT 10`) scanned the whole table: there
// was no index on repair_orders.closed_at, complaints.resolve_due_at or
// complaints.closed_at (complaint_record_complete).
//
// Re-runnable: each index is checked first.
func m0160ReadinessWindowIndexes() *gormigrate.Migration {
	return &gormigrate.Migration{
		ID: "0160_readiness_window_indexes",
		Migrate: func(tx *gorm.DB) error {
			for _, ix := range []struct{ table, name, column string }{
				{"repair_orders", "ix_repair_orders_closed", "closed_at"},
				{"complaints", "ix_complaints_resolve_due", "resolve_due_at"},
				{"complaints", "ix_complaints_closed", "closed_at"},
			} {
				if tx.Migrator().HasIndex(ix.table, ix.name) {
					continue
				}
				if err := tx.Exec(fmt.Sprintf("CREATE INDEX %s ON %s (%s)", ix.name, ix.table, ix.column)).Error; err != nil {
					return fmt.Errorf("0160: %s: %w", ix.name, err)
				}
			}
			return nil
		},
	}
}
