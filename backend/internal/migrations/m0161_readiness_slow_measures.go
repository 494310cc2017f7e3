package migrations

import (
	"fmt"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0161ReadinessSlowMeasures adds readiness_slow_measures: the last result
// of each slow-changing measure (region coverage), shared by every
// instance. Why: the result was kept in one process's memory only, so each
// instance's first run after a start, and every run after the 15-minute
// reuse had lapsed, computed it again in the request's wake: 7.3 s at 5M
// tickets on SQLite, the whole difference between a cold and a steady run.
// The rollup job now refreshes the row in the background and every
// instance reads it.
func m0161ReadinessSlowMeasures() *gormigrate.Migration {
	type ReadinessSlowMeasure struct {
		Measure      string    `gorm:"size:64;primaryKey"`
		WindowMonths int       `gorm:"not null"`
		AsOf         time.Time `gorm:"not null"`
		Result       string    `gorm:"type:text;not null"`
		ComputedAt   time.Time `gorm:"not null"`
	}
	return &gormigrate.Migration{
		ID: "0161_readiness_slow_measures",
		Migrate: func(tx *gorm.DB) error {
			if err := tx.AutoMigrate(&ReadinessSlowMeasure{}); err != nil {
				return fmt.Errorf("0161: %w", err)
			}
			return nil
		},
	}
}
