package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0095Reports serves the managers' reports (issue 12, section 7) and
// repairs 分派时间. Why:
//   - tickets.resolved_at is indexed: the backlog at the end of a period is
//     "created before it and not resolved by then", a range on resolved_at
//     (NULL or later) that otherwise scans every ticket;
//   - work_orders.completed_at is indexed on its own: technician
//     productivity reads the jobs completed in a period across all outlets
//     (ix_work_orders_outlet_completed only serves one outlet);
//   - tickets.assigned_at is backfilled: dispatching a ticket to an outlet
//     never set it (an accepted ticket moves new → in_progress and skipped
//     the assigned status that stamped it), so every dispatched ticket had
//     an empty 分派时间. A ticket's 分派 is its first offer to an outlet.
//
// Re-runnable: AutoMigrate only adds missing indexes; the backfill only
// fills empty values.
func m0095Reports() *gormigrate.Migration {
	type Ticket struct {
		ID         uint64     `gorm:"primaryKey"`
		ResolvedAt *time.Time `gorm:"index:ix_tickets_resolved"`
	}
	type WorkOrder struct {
		ID          uint64     `gorm:"primaryKey"`
		CompletedAt *time.Time `gorm:"index:ix_work_orders_completed"`
	}
	return &gormigrate.Migration{
		ID: "0095_reports",
		Migrate: func(tx *gorm.DB) error {
			if err := tx.Table("tickets").AutoMigrate(&Ticket{}); err != nil {
				return err
			}
			if err := tx.Table("work_orders").AutoMigrate(&WorkOrder{}); err != nil {
				return err
			}
			return tx.Exec(`UPDATE tickets SET assigned_at = (
  SELECT MIN(o.offered_at) FROM work_orders w JOIN work_order_offers o ON o.work_order_id = w.id WHERE w.ticket_id = tickets.id)
WHERE assigned_at IS NULL AND EXISTS (
  SELECT 1 FROM work_orders w JOIN work_order_offers o ON o.work_order_id = w.id WHERE w.ticket_id = tickets.id)`).Error
		},
	}
}
