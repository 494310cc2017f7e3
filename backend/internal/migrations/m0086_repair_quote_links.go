package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0086RepairQuoteLinks creates the tokenised links to an out-of-warranty
// repair quote. Why: the customer approved or declined a quote only at the
// counter or by phone; a link (like the survey link: only the token's
// SHA-256 is stored) lets them read the quote and answer it once.
func m0086RepairQuoteLinks() *gormigrate.Migration {
	type RepairQuoteLink struct {
		ID         uint64    `gorm:"primaryKey"`
		RepairID   uint64    `gorm:"not null;index:ix_repair_quote_links_repair"`
		TokenHash  string    `gorm:"size:64;not null;uniqueIndex:ux_repair_quote_links_token"`
		QuoteFen   int64     `gorm:"not null"`
		ExpiresAt  time.Time `gorm:"not null"`
		Superseded bool      `gorm:"not null;default:false"`
		Answer     string    `gorm:"size:16;not null;default:''"`
		AnsweredAt *time.Time
		Reason     string    `gorm:"size:255;not null;default:''"`
		CreatedAt  time.Time `gorm:"not null"`
	}
	return &gormigrate.Migration{
		ID: "0086_repair_quote_links",
		Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&RepairQuoteLink{})
		},
	}
}
