package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0050Outbox creates the transactional outbox (outbox_events) and the
// consumers' idempotency marks (processed_events). Why: events were
// published after commit, so a crash between the two lost them (survey
// invitations, SLA alerts, readiness triggers, live boards). Now the event
// row commits with the change and a relay delivers it.
func m0050Outbox() *gormigrate.Migration {
	type OutboxEvent struct {
		ID        uint64     `gorm:"primaryKey"`
		Topic     string     `gorm:"size:128;not null"`
		Name      string     `gorm:"size:128;not null"`
		Data      string     `gorm:"type:text;not null"`
		CreatedAt time.Time  `gorm:"not null"`
		SentAt    *time.Time `gorm:"index:ix_outbox_events_sent_at"`
	}
	type ProcessedEvent struct {
		Consumer    string    `gorm:"primaryKey;size:64"`
		EventID     uint64    `gorm:"primaryKey;autoIncrement:false"`
		ProcessedAt time.Time `gorm:"not null;index:ix_processed_events_at"`
	}
	return &gormigrate.Migration{
		ID: "0050_outbox",
		Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&OutboxEvent{}, &ProcessedEvent{})
		},
	}
}
