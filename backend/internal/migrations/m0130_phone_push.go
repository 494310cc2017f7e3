package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0130PhonePush keeps the browsers' Web Push subscriptions and marks the
// offer reminders already sent (issue 16, the outlet manager's phone).
// Why: a notification reaches a phone that is not looking at the app only
// through the browser's push service, which needs the subscription
// (endpoint and keys) the browser gave, per user and per browser; the
// endpoint is unique (a browser re-subscribing replaces its row), kept
// through its SHA-256 because an endpoint URL is longer than an index key
// may be on MariaDB. An offer is reminded at 50% and at 80% of its time
// exactly once whichever instance runs the job: the job claims a reminder
// by setting its column where it is still NULL.
func m0130PhonePush() *gormigrate.Migration {
	type PushSubscription struct {
		ID           uint64    `gorm:"primaryKey"`
		UserID       uint64    `gorm:"not null;index"`
		EndpointHash string    `gorm:"size:64;not null;uniqueIndex"`
		Endpoint     string    `gorm:"size:2048;not null"`
		P256dh       string    `gorm:"column:p256dh;size:255;not null"`
		Auth         string    `gorm:"size:255;not null"`
		UserAgent    string    `gorm:"size:255;not null;default:''"`
		CreatedAt    time.Time `gorm:"not null"`
		LastSentAt   *time.Time
	}
	type WorkOrderOffer struct {
		RemindedHalfAt *time.Time
		RemindedLateAt *time.Time
	}
	return &gormigrate.Migration{
		ID: "0130_phone_push",
		Migrate: func(tx *gorm.DB) error {
			if err := tx.AutoMigrate(&PushSubscription{}); err != nil {
				return err
			}
			m := tx.Migrator()
			for _, col := range []string{"RemindedHalfAt", "RemindedLateAt"} {
				if !m.HasColumn(&WorkOrderOffer{}, col) {
					if err := m.AddColumn(&WorkOrderOffer{}, col); err != nil {
						return err
					}
				}
			}
			return nil
		},
	}
}
