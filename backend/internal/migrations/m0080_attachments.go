package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0080Attachments creates the attachments of service records. Why: an
// agent, an outlet and a technician had nowhere to keep the purchase
// invoice, the fault photos or the customer's signature of a job (issue 12,
// section 4); the evidence library and the manuals kept their own files.
func m0080Attachments() *gormigrate.Migration {
	type Attachment struct {
		ID               uint64     `gorm:"primaryKey"`
		ParentType       string     `gorm:"size:16;not null;index:ix_attachments_parent,priority:1"`
		ParentID         uint64     `gorm:"not null;index:ix_attachments_parent,priority:2"`
		Kind             string     `gorm:"size:32;not null"`
		Note             string     `gorm:"size:255;not null;default:''"`
		FileName         string     `gorm:"size:255;not null"`
		ContentType      string     `gorm:"size:100;not null"`
		Size             int64      `gorm:"not null"`
		SHA256           string     `gorm:"column:sha256;size:64;not null;index"`
		StorageKey       string     `gorm:"size:255;not null"`
		ThumbKey         string     `gorm:"size:255;not null;default:''"`
		Width            int        `gorm:"not null;default:0"`
		Height           int        `gorm:"not null;default:0"`
		MetadataStripped bool       `gorm:"not null;default:false"`
		UploadedByID     uint64     `gorm:"not null;default:0"`
		UploadedBy       string     `gorm:"size:64;not null;default:''"`
		CreatedAt        time.Time  `gorm:"not null"`
		DeletedAt        *time.Time `gorm:"index"`
		DeletedByID      *uint64
		Version          int64 `gorm:"not null;default:1"`
		// IdempotencyKey makes a phone's replayed upload return the first
		// one (NULL when none was sent; NULLs do not collide).
		IdempotencyKey *string `gorm:"size:64;uniqueIndex:ux_attachments_idempotency"`
	}
	return &gormigrate.Migration{
		ID: "0080_attachments",
		Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&Attachment{})
		},
	}
}
