package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0115JobTicks records which scheduled tick a cron job last ran for.
// Why: the job lease only kept two instances from running a job at the same
// moment. Instance A ran the 08:00 tick and released the lease; instance B's
// cron fired a few milliseconds later for the same tick, found the lease
// free and ran the job again. job_locks.last_tick lets exactly one instance
// claim each tick; job_runs.tick says which tick a run was for (NULL for a
// run started by hand), so a unique index can prove it.
func m0115JobTicks() *gormigrate.Migration {
	type JobLock struct {
		Name     string `gorm:"primaryKey;size:64"`
		LastTick *time.Time
	}
	type JobRun struct {
		ID   uint64     `gorm:"primaryKey"`
		Name string     `gorm:"size:64;not null;index:ux_job_runs_name_tick,unique,priority:1"`
		Tick *time.Time `gorm:"index:ux_job_runs_name_tick,unique,priority:2"`
	}
	return &gormigrate.Migration{
		ID: "0115_job_ticks",
		Migrate: func(tx *gorm.DB) error {
			m := tx.Migrator()
			if !m.HasColumn(&JobLock{}, "LastTick") {
				if err := m.AddColumn(&JobLock{}, "LastTick"); err != nil {
					return err
				}
			}
			if !m.HasColumn(&JobRun{}, "Tick") {
				if err := m.AddColumn(&JobRun{}, "Tick"); err != nil {
					return err
				}
			}
			if !m.HasIndex(&JobRun{}, "ux_job_runs_name_tick") {
				return m.CreateIndex(&JobRun{}, "ux_job_runs_name_tick")
			}
			return nil
		},
	}
}
