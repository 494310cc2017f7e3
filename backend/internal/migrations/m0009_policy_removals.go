package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0009PolicyRemovals records default permissions that an admin revoked on
// purpose. Why: the default casbin policy is synced into casbin_rules at every
// start-up so a permission added in a release reaches existing installs; a
// rule listed here is one the admin removed and the sync must not put back.
func m0009PolicyRemovals() *gormigrate.Migration {
	type CasbinRuleRemoval struct {
		ID         uint64    `gorm:"primaryKey"`
		Role       string    `gorm:"size:100;not null;uniqueIndex:ux_casbin_rule_removal"`
		Permission string    `gorm:"size:100;not null;uniqueIndex:ux_casbin_rule_removal"`
		RemovedBy  string    `gorm:"size:64;not null;default:''"`
		RemovedAt  time.Time `gorm:"not null"`
	}
	return &gormigrate.Migration{
		ID: "0009_policy_removals",
		Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&CasbinRuleRemoval{})
		},
	}
}
