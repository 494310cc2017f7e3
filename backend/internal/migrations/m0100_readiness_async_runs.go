package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0100ReadinessAsyncRuns makes readiness runs asynchronous (issue 15):
// POST /readiness/runs answers at once with the run's id, and a second
// request while that run is in progress — on any instance — gets the same
// id. The state lives on the run row itself:
//   - status: running, done or failed (existing rows are done);
//   - active_key: the standard code while the run is in progress, NULL
//     otherwise; its unique index lets exactly one run per standard be in
//     progress across instances (NULLs never collide on SQLite or MariaDB);
//   - lease_owner / lease_until: the instance executing the run and how long
//     its lease holds; a run whose lease ran out (the instance died) is
//     marked failed by the next request, which starts a new one;
//   - progress_done / progress_total / progress_clause: indicators done,
//     their total and the clause worked on, for GET /readiness/runs/:id;
//   - error: why a run failed;
//   - ix_readiness_runs_status: the latest finished run of a standard.
func m0100ReadinessAsyncRuns() *gormigrate.Migration {
	type ReadinessRun struct {
		ID             uint64     `gorm:"primaryKey"`
		StandardCode   string     `gorm:"size:64;not null;index:ix_readiness_runs_status,priority:1"`
		Status         string     `gorm:"size:16;not null;default:'done';index:ix_readiness_runs_status,priority:2"`
		ActiveKey      *string    `gorm:"size:64;uniqueIndex:ux_readiness_runs_active"`
		LeaseOwner     string     `gorm:"size:64;not null;default:''"`
		LeaseUntil     *time.Time `gorm:""`
		ProgressDone   int        `gorm:"not null;default:0"`
		ProgressTotal  int        `gorm:"not null;default:0"`
		ProgressClause string     `gorm:"size:32;not null;default:''"`
		Error          string     `gorm:"size:500;not null;default:''"`
	}
	return &gormigrate.Migration{
		ID: "0100_readiness_async_runs",
		Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&ReadinessRun{})
		},
	}
}
