package outbox

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm"

	dbpkg "github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/event"
)

// Once makes h idempotent for the consumer named consumer: an event the
// relay delivers again (after a crash between publishing and marking it
// sent, or on every instance of a Redis bus) is skipped once h succeeded for
// its id. h runs outside any transaction, so it must itself tolerate the
// narrow case of a crash between its work and the mark (survey invitations
// are unique per ticket and channel, for instance). Events without an id
// (published directly, not through the outbox) always run.
func Once(db *gorm.DB, consumer string, log *slog.Logger, h func(ctx context.Context, e event.Event) error) event.Handler {
	return func(e event.Event) {
		ctx := context.Background()
		if e.ID != 0 {
			var n int64
			if err := db.WithContext(ctx).Model(&Processed{}).Where("consumer = ? AND event_id = ?", consumer, e.ID).Count(&n).Error; err != nil {
				log.Error("outbox: consumer mark lookup", "consumer", consumer, "event_id", e.ID, "err", err)
				return
			}
			if n > 0 {
				return
			}
		}
		if err := h(ctx, e); err != nil {
			log.Error("outbox: consumer failed", "consumer", consumer, "name", e.Name, "event_id", e.ID, "err", err)
			return
		}
		if e.ID != 0 {
			if _, err := mark(db.WithContext(ctx), consumer, e.ID); err != nil {
				log.Error("outbox: consumer mark", "consumer", consumer, "event_id", e.ID, "err", err)
			}
		}
	}
}

// OnceTx runs h and records the consumer's mark in one transaction: the
// effect happens exactly once per event id, whatever the redeliveries. An
// event without an id runs h in a transaction without a mark.
func OnceTx(db *gorm.DB, consumer string, log *slog.Logger, h func(ctx context.Context, tx *gorm.DB, e event.Event) error) event.Handler {
	return func(e event.Event) {
		ctx := context.Background()
		// Every instance of a Redis bus receives the event and races for its
		// mark; on MariaDB and Galera the loser can be a deadlock victim (1213)
		// at the mark or in h's writes. The transaction rolled back whole, so
		// it runs again, and then finds the winner's mark and does nothing;
		// before, the loser logged "consumer failed" (dozens a second under
		// load in the cluster test) and a real first attempt was lost.
		err := dbpkg.Retry(ctx, func() error {
			return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
				if e.ID != 0 {
					fresh, err := mark(tx, consumer, e.ID)
					if err != nil || !fresh {
						return err
					}
				}
				return h(ctx, tx, e)
			})
		})
		if err != nil {
			log.Error("outbox: consumer failed", "consumer", consumer, "name", e.Name, "event_id", e.ID, "err", err)
		}
	}
}

// mark inserts the (consumer, event id) row and reports whether it is new.
func mark(tx *gorm.DB, consumer string, id uint64) (bool, error) {
	res := dbpkg.InsertIgnoringDuplicates(tx).Create(&Processed{Consumer: consumer, EventID: id, ProcessedAt: time.Now().UTC()})
	if res.Error != nil {
		return false, fmt.Errorf("outbox: mark %s/%d: %w", consumer, id, res.Error)
	}
	return res.RowsAffected == 1, nil
}
