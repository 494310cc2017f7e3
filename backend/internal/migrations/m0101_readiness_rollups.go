package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0101ReadinessRollups replaces the settled-day cache of migration 0007
// (readiness_measure_days: UTC days older than 35 days, trusted for 24 h)
// with rollups of every closed local day (issue 15, "measures computed
// incrementally, with no hot rows"):
//   - readiness_rollups: a measure's additive aggregates for one closed
//     day of the enterprise's calendar, with the hash of the SQL that made
//     them, whether they can still move by the passing of time alone
//     (settled), the as-of instant they were computed at, and the dirty
//     sequence they include (seq);
//   - readiness_rollup_dirty: append-only marks written by the event
//     consumer after a late change to an old record ("records of table
//     source from from_day on changed"); never a counter updated in the
//     business transaction;
//   - readiness_rollup_builds: the state of the background build after a
//     migration or on a fresh database (status, days done of total), and
//     the dirty marks pruned so far.
//
// readiness_measure_days is dropped: nothing reads it any more.
func m0101ReadinessRollups() *gormigrate.Migration {
	type ReadinessRollup struct {
		Measure    string    `gorm:"size:64;primaryKey"`
		Day        time.Time `gorm:"primaryKey"`
		DefHash    string    `gorm:"size:16;not null"`
		V1         float64   `gorm:"column:v1;not null"`
		V2         float64   `gorm:"column:v2;not null"`
		Settled    bool      `gorm:"not null"`
		AsOf       time.Time `gorm:"not null"`
		Seq        uint64    `gorm:"not null;default:0"`
		ComputedAt time.Time `gorm:"not null"`
	}
	type ReadinessRollupDirty struct {
		ID        uint64    `gorm:"primaryKey"`
		Source    string    `gorm:"size:64;not null;index:ix_readiness_rollup_dirty_source,priority:1"`
		FromDay   time.Time `gorm:"not null;index:ix_readiness_rollup_dirty_source,priority:2"`
		CreatedAt time.Time `gorm:"not null;index"`
	}
	type ReadinessRollupBuild struct {
		Name          string     `gorm:"size:32;primaryKey"`
		Version       int        `gorm:"not null"`
		Status        string     `gorm:"size:16;not null"`
		DaysDone      int        `gorm:"not null"`
		DaysTotal     int        `gorm:"not null"`
		Holder        string     `gorm:"size:64;not null;default:''"`
		Error         string     `gorm:"size:500;not null;default:''"`
		PrunedThrough uint64     `gorm:"not null;default:0"`
		StartedAt     *time.Time `gorm:""`
		FinishedAt    *time.Time `gorm:""`
		UpdatedAt     time.Time  `gorm:"not null"`
	}
	return &gormigrate.Migration{
		ID: "0101_readiness_rollups",
		Migrate: func(tx *gorm.DB) error {
			if err := tx.AutoMigrate(&ReadinessRollup{}, &ReadinessRollupBuild{}); err != nil {
				return err
			}
			// Named explicitly: the default naming would pluralise it.
			if err := tx.Table("readiness_rollup_dirty").AutoMigrate(&ReadinessRollupDirty{}); err != nil {
				return err
			}
			if tx.Migrator().HasTable("readiness_measure_days") {
				return tx.Migrator().DropTable("readiness_measure_days")
			}
			return nil
		},
	}
}
