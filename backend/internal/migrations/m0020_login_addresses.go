package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0020LoginAddresses records the addresses from which each account has
// logged in successfully. Why: login throttling (issue 10) must not be a
// weapon against the owner; the right password from an address the account
// has used before skips the per-account slow-down that an attacker's
// guesses from other addresses build up.
func m0020LoginAddresses() *gormigrate.Migration {
	type LoginAddress struct {
		UserID  uint64    `gorm:"primaryKey;autoIncrement:false"`
		IP      string    `gorm:"size:64;primaryKey"`
		FirstAt time.Time `gorm:"not null"`
		LastAt  time.Time `gorm:"not null;index"`
	}
	return &gormigrate.Migration{
		ID: "0020_login_addresses",
		Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&LoginAddress{})
		},
	}
}
