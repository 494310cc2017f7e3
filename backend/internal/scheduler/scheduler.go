// Package scheduler runs cron jobs (robfig/cron). Before running, a job takes
// a lease in the job_locks table, so two servers on one database do not both
// run it; every run is recorded in job_runs.
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	dbpkg "github.com/aftersales/aftersales/backend/internal/db"
)

// JobLock is the lease row of a job.
type JobLock struct {
	Name        string `gorm:"primaryKey"`
	Holder      string
	LockedUntil time.Time
	UpdatedAt   time.Time
	// LastTick is the scheduled tick the job last ran for (cron runs only).
	LastTick *time.Time
}

// TableName pins the table of migration 0001.
func (JobLock) TableName() string { return "job_locks" }

// JobRun records one execution.
type JobRun struct {
	ID         uint64     `gorm:"primaryKey" json:"id"`
	Name       string     `json:"name"`
	Holder     string     `json:"holder"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
	Status     string     `json:"status"` // running, ok, failed
	Error      string     `json:"error"`
	// Tick is the scheduled tick a cron run was for; nil for a run by hand.
	// (name, tick) is unique: one run per tick across all instances.
	Tick *time.Time `json:"tick,omitempty"`
}

// TableName pins the table of migration 0001.
func (JobRun) TableName() string { return "job_runs" }

// Job is a unit of scheduled work.
type Job func(ctx context.Context) error

// Scheduler wraps cron with database leases.
type Scheduler struct {
	db     *gorm.DB
	cron   *cron.Cron
	holder string
	ttl    time.Duration
	log    *slog.Logger
	now    func() time.Time
	ctx    context.Context
	cancel context.CancelFunc
}

// New returns a Scheduler; holder identifies this instance in locks.
func New(db *gorm.DB, ttl time.Duration, log *slog.Logger) *Scheduler {
	host, _ := os.Hostname()
	ctx, cancel := context.WithCancel(context.Background())
	return &Scheduler{
		db:     db,
		cron:   cron.New(cron.WithParser(cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor))),
		holder: fmt.Sprintf("%s:%d:%d", host, os.Getpid(), time.Now().UnixNano()%100000),
		ttl:    ttl, log: log, now: time.Now, ctx: ctx, cancel: cancel,
	}
}

// Holder returns this instance's lock identity.
func (s *Scheduler) Holder() string { return s.holder }

// Add schedules job under name with a cron spec. Every instance's cron
// fires for every tick; the first instance to claim the tick runs it, and
// the others skip it (see RunTick).
func (s *Scheduler) Add(name, spec string, job Job) error {
	period, err := tickPeriod(spec)
	if err != nil {
		return fmt.Errorf("scheduler: add %s: %w", name, err)
	}
	_, err = s.cron.AddFunc(spec, func() {
		tick := s.now().UTC().Round(period)
		if _, err := s.RunTick(s.ctx, name, tick, job); err != nil {
			s.log.Error("job failed", "job", name, "err", err)
		}
	})
	if err != nil {
		return fmt.Errorf("scheduler: add %s: %w", name, err)
	}
	return nil
}

// tickPeriod is the granularity that names a cron tick. Specs of this
// parser have no seconds field, so their ticks fall on whole minutes: the
// firing time rounded to the minute names the tick even when two instances'
// clocks differ by a few seconds. An "@every d" job has no wall-clock
// alignment; its firing time rounded to d names its period, so the job runs
// once per period however the instances' phases differ.
func tickPeriod(spec string) (time.Duration, error) {
	if rest, ok := strings.CutPrefix(spec, "@every "); ok {
		d, err := time.ParseDuration(strings.TrimSpace(rest))
		if err != nil {
			return 0, fmt.Errorf("parse %q: %w", spec, err)
		}
		if d < time.Second {
			d = time.Second
		}
		return d, nil
	}
	return time.Minute, nil
}

// Start starts the cron loop.
func (s *Scheduler) Start() { s.cron.Start() }

// Stop stops scheduling and waits for running jobs.
func (s *Scheduler) Stop() {
	s.cancel()
	<-s.cron.Stop().Done()
}

// ErrLocked is returned by RunNow when another holder has the lease.
var ErrLocked = errors.New("job is running elsewhere")

// RunNow runs job if this instance can take its lease. It reports whether it ran.
func (s *Scheduler) RunNow(ctx context.Context, name string, job Job) (bool, error) {
	return s.run(ctx, name, nil, job)
}

// RunTick runs job for the scheduled tick unless some instance already ran
// it for that tick (or is running the job now). It reports whether it ran.
func (s *Scheduler) RunTick(ctx context.Context, name string, tick time.Time, job Job) (bool, error) {
	tick = tick.UTC()
	return s.run(ctx, name, &tick, job)
}

func (s *Scheduler) run(ctx context.Context, name string, tick *time.Time, job Job) (bool, error) {
	ok, err := s.acquire(ctx, name, tick)
	if err != nil && dbpkg.IsRetryable(err) {
		// Two instances claimed the same tick at once: on Galera the
		// loser's claim fails certification (1213) instead of matching no
		// row, and on InnoDB it may be the deadlock victim. Either way the
		// other instance has the tick; this is not a failed job.
		s.log.Debug("scheduler: lost the claim to another instance", "job", name, "err", err)
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if !ok {
		return false, nil
	}
	defer s.release(name)
	run := JobRun{Name: name, Holder: s.holder, StartedAt: s.now().UTC(), Status: "running", Tick: tick}
	if err := s.db.WithContext(ctx).Create(&run).Error; err != nil {
		return false, fmt.Errorf("scheduler: record run %s: %w", name, err)
	}
	jerr := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("panic: %v", r)
			}
		}()
		return job(ctx)
	}()
	fin := s.now().UTC()
	upd := map[string]any{"finished_at": fin, "status": "ok"}
	if jerr != nil {
		msg := jerr.Error()
		if len(msg) > 2000 {
			msg = msg[:2000]
		}
		upd["status"], upd["error"] = "failed", msg
	}
	if err := s.db.Model(&JobRun{}).Where("id = ?", run.ID).Updates(upd).Error; err != nil {
		s.log.Error("scheduler: finish run", "job", name, "err", err)
	}
	return true, jerr
}

// acquire takes the lease when it is free or expired. A lease held by this
// very instance is not re-entered: one job never overlaps itself. For a
// cron tick it also claims the tick: the lease is taken only when the job's
// last tick is older, in the same UPDATE, so exactly one instance wins it.
func (s *Scheduler) acquire(ctx context.Context, name string, tick *time.Time) (bool, error) {
	now := s.now().UTC()
	if err := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).
		Create(&JobLock{Name: name, Holder: "", LockedUntil: time.Unix(0, 0).UTC(), UpdatedAt: now}).Error; err != nil {
		return false, fmt.Errorf("scheduler: lock row %s: %w", name, err)
	}
	q := s.db.WithContext(ctx).Model(&JobLock{}).Where("name = ? AND locked_until < ?", name, now)
	upd := map[string]any{"holder": s.holder, "locked_until": now.Add(s.ttl), "updated_at": now}
	if tick != nil {
		q = q.Where("(last_tick IS NULL OR last_tick < ?)", *tick)
		upd["last_tick"] = *tick
	}
	res := q.Updates(upd)
	if res.Error != nil {
		return false, fmt.Errorf("scheduler: take lock %s: %w", name, res.Error)
	}
	return res.RowsAffected == 1, nil
}

func (s *Scheduler) release(name string) {
	now := s.now().UTC()
	if err := s.db.Model(&JobLock{}).Where("name = ? AND holder = ?", name, s.holder).
		Updates(map[string]any{"holder": "", "locked_until": time.Unix(0, 0).UTC(), "updated_at": now}).Error; err != nil {
		s.log.Error("scheduler: release", "job", name, "err", err)
	}
}

// Runs lists recent runs, newest first.
func (s *Scheduler) Runs(ctx context.Context, name string, limit int) ([]JobRun, error) {
	q := s.db.WithContext(ctx).Order("id DESC").Limit(limit)
	if name != "" {
		q = q.Where("name = ?", name)
	}
	var out []JobRun
	if err := q.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("scheduler: runs: %w", err)
	}
	return out, nil
}

// Hold takes or renews the long-lived lease name for ttl: it succeeds when
// the lease is free, expired or already held by this instance. A service
// that must run on exactly one instance (the outbox relay) calls it before
// each round of work; a crashed holder's lease lapses after ttl.
func (s *Scheduler) Hold(ctx context.Context, name string, ttl time.Duration) (bool, error) {
	now := s.now().UTC()
	if err := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).
		Create(&JobLock{Name: name, Holder: "", LockedUntil: time.Unix(0, 0).UTC(), UpdatedAt: now}).Error; err != nil {
		return false, fmt.Errorf("scheduler: lease row %s: %w", name, err)
	}
	res := s.db.WithContext(ctx).Model(&JobLock{}).
		Where("name = ? AND (locked_until < ? OR holder = ?)", name, now, s.holder).
		Updates(map[string]any{"holder": s.holder, "locked_until": now.Add(ttl), "updated_at": now})
	if res.Error != nil {
		return false, fmt.Errorf("scheduler: take lease %s: %w", name, res.Error)
	}
	if res.RowsAffected == 1 {
		return true, nil
	}
	// MySQL reports 0 affected rows when a renewal wrote identical values.
	var l JobLock
	if err := s.db.WithContext(ctx).Where("name = ?", name).Take(&l).Error; err != nil {
		return false, fmt.Errorf("scheduler: read lease %s: %w", name, err)
	}
	return l.Holder == s.holder, nil
}

// Release gives up a lease taken by Hold (or RunNow) so another instance
// can take it at once.
func (s *Scheduler) Release(name string) { s.release(name) }
