package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0030PIIAccessLog creates the PIPL access log (package privacy): one row
// per unmasked read of a customer's phone or address: who read it, which
// customer, through which work order, when and where. Why: PIPL audits ask
// who saw a person's contact details and on what ground; outlet users now
// see them through their jobs (issue 10, item 11).
func m0030PIIAccessLog() *gormigrate.Migration {
	type PIIAccess struct {
		ID          uint64    `gorm:"primaryKey"`
		ReadAt      time.Time `gorm:"not null;index"`
		UserID      uint64    `gorm:"not null;index:ix_pii_access_user,priority:1"`
		Username    string    `gorm:"size:64;not null"`
		OutletID    *uint64
		CustomerID  uint64  `gorm:"not null;index:ix_pii_access_customer,priority:1"`
		WorkOrderID *uint64 `gorm:"index"`
		Fields      string  `gorm:"size:64;not null"`
		Purpose     string  `gorm:"size:64;not null"`
		RequestID   string  `gorm:"size:64;not null;default:''"`
		IP          string  `gorm:"size:64;not null;default:''"`
	}
	return &gormigrate.Migration{
		ID: "0030_pii_access_log",
		Migrate: func(tx *gorm.DB) error {
			return tx.Table("pii_access_log").AutoMigrate(&PIIAccess{})
		},
	}
}
