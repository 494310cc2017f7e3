package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0051Notifications creates the users' in-app inboxes. Why: offers waiting
// at an outlet, escalations, SLA warnings, call-backs due and expiring
// certificates reached a role on a live board at best, and nobody in
// particular; each concerned user now gets a notification, once per event.
func m0051Notifications() *gormigrate.Migration {
	type Notification struct {
		ID        uint64     `gorm:"primaryKey"`
		UserID    uint64     `gorm:"not null;index:ix_notifications_user_read,priority:1;uniqueIndex:ux_notifications_event_user,priority:2"`
		EventID   uint64     `gorm:"not null;uniqueIndex:ux_notifications_event_user,priority:1"`
		Kind      string     `gorm:"size:32;not null"`
		Title     string     `gorm:"size:255;not null;default:''"`
		Body      string     `gorm:"size:1000;not null;default:''"`
		Link      string     `gorm:"size:255;not null;default:''"`
		Params    string     `gorm:"type:text;not null"`
		ReadAt    *time.Time `gorm:"index:ix_notifications_user_read,priority:2"`
		CreatedAt time.Time  `gorm:"not null"`
	}
	return &gormigrate.Migration{
		ID: "0051_notifications",
		Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&Notification{})
		},
	}
}
