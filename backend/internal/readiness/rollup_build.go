package readiness

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm/clause"

	"github.com/aftersales/aftersales/backend/internal/apperr"
)

// Cold start (issue 15): after a migration or on a fresh database the
// rollups are built by a background job, under the scheduler's lease so
// that one instance builds. It walks the window from its oldest closed day
// in chunks, reports days done of total in readiness_rollup_builds and as
// readiness.progress (status "building", run_id 0), and until it finishes
// a run answers status "building" instead of scanning the whole window in
// the request's wake.

// JobRollups is the scheduler job that builds the rollups when needed (at
// start and every minute; a no-op once built) and prunes old dirty marks.
const JobRollups = "readiness.rollups"

// RunBuilding is the status a run request answers while the rollups are
// being built: no run was started.
const RunBuilding = "building"

// rollupBuildName is the key of the one build state row.
const rollupBuildName = "rollups"

// rollupVersion is the generation of the rollups' layout; raising it makes
// the next start rebuild them in the background.
const rollupVersion = 1

// Build statuses.
const (
	BuildBuilding = "building"
	BuildDone     = "done"
	BuildError    = "error"
)

// buildChunkDays is how many days one step of the build covers.
const buildChunkDays = 31

// buildStale is how long a build in progress holds without a step: a
// build whose instance died no longer holds runs back.
const buildStale = 3 * time.Minute

// dirtyKeep is how long dirty marks are kept; rows older than the marks
// pruned (PrunedThrough) are recomputed.
const dirtyKeep = 7 * 24 * time.Hour

// ErrBuilding is returned by RunNow while the rollups are being built.
var ErrBuilding = apperr.Conflict("rollups_building", "the readiness rollups are being built; try again when they are done")

// RollupStatus is the state of the rollups' background build.
type RollupStatus struct {
	// Status is "building", "done", "error", or "" when never built (runs
	// then compute missing days themselves).
	Status     string
	Version    int
	DaysDone   int
	DaysTotal  int
	Error      string
	StartedAt  *time.Time
	FinishedAt *time.Time
}

// RollupStatus reads the build state.
func (s *Service) RollupStatus(ctx context.Context) (RollupStatus, error) {
	var b RollupBuild
	if err := s.db.WithContext(ctx).Where("name = ?", rollupBuildName).Limit(1).Find(&b).Error; err != nil {
		return RollupStatus{}, apperr.Internal(fmt.Errorf("readiness: rollup build state: %w", err))
	}
	st := RollupStatus{Status: b.Status, Version: b.Version, DaysDone: b.DaysDone, DaysTotal: b.DaysTotal, Error: b.Error,
		StartedAt: b.StartedAt, FinishedAt: b.FinishedAt}
	if st.Status == BuildBuilding && time.Since(b.UpdatedAt) > buildStale {
		st.Status = BuildError
		st.Error = "the instance building them stopped (" + b.Holder + ")"
	}
	return st, nil
}

// building reports the build in progress, if any.
func (s *Service) building(ctx context.Context) (RollupStatus, bool) {
	st, err := s.RollupStatus(ctx)
	if err != nil {
		s.log.Warn("readiness: rollup build state", "err", err)
		return st, false
	}
	return st, st.Status == BuildBuilding
}

// buildingRun is the answer to a run request during the build.
func buildingRun(code string, st RollupStatus) *RunState {
	return &RunState{Run: Run{StandardCode: code, Status: RunBuilding, ProgressDone: st.DaysDone, ProgressTotal: st.DaysTotal,
		FailReasons: "[]", Counts: "{}", Deductions: "[]", Notices: "[]", Inputs: "{}", CreatedAt: time.Now().UTC()}}
}

// BuildRollups is the job JobRollups: it builds the rollups of the active
// standard's measures over their window when they were never built for
// this rollupVersion (a fresh database, or after a migration), and prunes
// dirty marks older than a week. Run it under the scheduler's lease.
func (s *Service) BuildRollups(ctx context.Context) error {
	sq, ok := s.measures.(*SQLMeasures)
	if !ok || sq.NoDayCache {
		return nil
	}
	if err := s.pruneDirty(ctx); err != nil {
		s.log.Warn("readiness: prune rollup marks", "err", err)
	}
	if _, std, err := s.current(ctx, ""); err == nil {
		sq.refreshSlow(ctx, s.now(), std.MeasureRequests())
	} else {
		s.log.Debug("readiness: no standard to refresh slow measures for", "err", err)
	}
	var b RollupBuild
	if err := s.db.WithContext(ctx).Where("name = ?", rollupBuildName).Limit(1).Find(&b).Error; err != nil {
		return fmt.Errorf("readiness: rollup build state: %w", err)
	}
	if b.Name != "" && b.Version == rollupVersion && b.Status == BuildDone {
		if b.FinishedAt != nil && time.Since(*b.FinishedAt) < uncoveredRefresh {
			return nil
		}
		return s.refreshRollups(ctx, sq)
	}
	_, std, err := s.current(ctx, "")
	if err != nil {
		return err
	}
	reqs := std.MeasureRequests()
	months := 0
	for _, r := range reqs {
		months = max(months, r.WindowMonths)
	}
	if months <= 0 {
		months = s.window
	}
	asOf := s.now().UTC().Truncate(time.Millisecond)
	first := localDay(asOf.AddDate(0, -months, 0), s.loc)
	last := localDay(asOf, s.loc) // exclusive: today is read from rows
	total := int(last.Sub(first).Hours()/24 + 0.5)
	started := time.Now().UTC()
	db := s.db.WithContext(ctx)
	if b.Name != "" && b.Version != rollupVersion {
		// A new layout: the old rows are not trusted.
		if err := db.Where("1 = 1").Delete(&Rollup{}).Error; err != nil {
			return fmt.Errorf("readiness: drop old rollups: %w", err)
		}
	} else if total > 10 {
		// Runs made before any build (the demo seed's, a test's) already
		// rolled up every closed day of their measures (the follow-up
		// measure stops three days short): nothing to build.
		var cov struct{ Nk, N int64 }
		if err := db.Model(&Rollup{}).Select("COUNT(DISTINCT measure) AS nk, COUNT(*) AS n").
			Where("day >= ? AND day < ?", first.AddDate(0, 0, 2), last.AddDate(0, 0, -4)).Scan(&cov).Error; err != nil {
			return fmt.Errorf("readiness: rollup coverage: %w", err)
		}
		if cov.Nk > 0 && cov.N == cov.Nk*int64(total-6) {
			b = RollupBuild{Name: rollupBuildName, Version: rollupVersion, Status: BuildDone, DaysDone: total, DaysTotal: total,
				Holder: truncate(s.holder, 64), PrunedThrough: b.PrunedThrough, StartedAt: &started, FinishedAt: &started, UpdatedAt: started}
			return db.Clauses(clause.OnConflict{UpdateAll: true}).Create(&b).Error
		}
	}
	b = RollupBuild{Name: rollupBuildName, Version: rollupVersion, Status: BuildBuilding, DaysTotal: total, Holder: truncate(s.holder, 64),
		PrunedThrough: b.PrunedThrough, StartedAt: &started, UpdatedAt: started}
	if err := s.db.WithContext(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(&b).Error; err != nil {
		return fmt.Errorf("readiness: start rollup build: %w", err)
	}
	s.publishBuild(ctx, &b)
	s.log.Info("readiness: building rollups", "days", total)
	for from := first; from.Before(last); from = from.AddDate(0, 0, buildChunkDays) {
		to := from.AddDate(0, 0, buildChunkDays)
		if to.After(last) {
			to = last
		}
		f := &fillRange{from: from, to: to}
		sq.Measures(withFill(ctx, f), asOf, reqs)
		if err := errors.Join(f.err, ctx.Err()); err != nil {
			s.finishBuild(&b, err)
			return fmt.Errorf("readiness: build rollups: %w", err)
		}
		b.DaysDone = int(to.Sub(first).Hours()/24 + 0.5)
		b.UpdatedAt = time.Now().UTC()
		if err := s.db.WithContext(ctx).Model(&RollupBuild{}).Where("name = ?", rollupBuildName).
			Updates(map[string]any{"days_done": b.DaysDone, "updated_at": b.UpdatedAt}).Error; err != nil {
			s.log.Warn("readiness: rollup build progress", "err", err)
		}
		s.publishBuild(ctx, &b)
	}
	s.finishBuild(&b, nil)
	s.log.Info("readiness: rollups built", "days", total, "took", time.Since(started).Round(time.Millisecond))
	return nil
}

// uncoveredRefresh is how often the job renews, in the background, the
// rollups of tables whose changes do not all raise events, so that a run
// never has to recompute them for their 24 h limit.
const uncoveredRefresh = 12 * time.Hour

// refreshRollups renews the rollups older than uncoveredRefresh of the
// uncovered sources over the window; runs go on meanwhile.
func (s *Service) refreshRollups(ctx context.Context, sq *SQLMeasures) error {
	_, std, err := s.current(ctx, "")
	if err != nil {
		return err
	}
	asOf := s.now().UTC().Truncate(time.Millisecond)
	f := &fillRange{from: time.Time{}, to: localDay(asOf, s.loc), refresh: uncoveredRefresh}
	sq.Measures(withFill(ctx, f), asOf, std.MeasureRequests())
	if err := errors.Join(f.err, ctx.Err()); err != nil {
		return fmt.Errorf("readiness: refresh rollups: %w", err)
	}
	fin := time.Now().UTC()
	return s.db.WithContext(ctx).Model(&RollupBuild{}).Where("name = ?", rollupBuildName).
		Updates(map[string]any{"finished_at": fin, "updated_at": fin}).Error
}

func (s *Service) finishBuild(b *RollupBuild, cause error) {
	ctx := context.Background()
	fin := time.Now().UTC()
	b.Status, b.FinishedAt, b.UpdatedAt = BuildDone, &fin, fin
	if cause != nil {
		b.Status, b.Error = BuildError, truncate(cause.Error(), 500)
	}
	if err := s.db.WithContext(ctx).Model(&RollupBuild{}).Where("name = ?", rollupBuildName).
		Updates(map[string]any{"status": b.Status, "error": b.Error, "finished_at": fin, "updated_at": fin, "days_done": b.DaysDone}).Error; err != nil {
		s.log.Error("readiness: finish rollup build", "err", err)
	}
	s.publishBuild(ctx, b)
}

// publishBuild sends the build's progress as readiness.progress (run_id
// 0, status building; done or error at the end).
func (s *Service) publishBuild(ctx context.Context, b *RollupBuild) {
	d := map[string]any{"run_id": 0, "standard": s.active, "status": RunBuilding, "trigger": "rollups",
		"done": b.DaysDone, "total": b.DaysTotal, "clause": ""}
	switch b.Status {
	case BuildDone:
		d["status"] = "built"
	case BuildError:
		d["status"], d["error"] = RunError, b.Error
	}
	s.publish(ctx, EventProgress, d)
}

// pruneDirty deletes dirty marks older than dirtyKeep; rollups written
// before the newest pruned mark are then recomputed (PrunedThrough).
func (s *Service) pruneDirty(ctx context.Context) error {
	db := s.db.WithContext(ctx)
	var hi struct{ ID *uint64 }
	if err := db.Model(&RollupDirty{}).Select("MAX(id) AS id").Where("created_at < ?", time.Now().UTC().Add(-dirtyKeep)).Scan(&hi).Error; err != nil {
		return err
	}
	if hi.ID == nil {
		return nil
	}
	var rows int64
	if err := db.Model(&RollupBuild{}).Where("name = ?", rollupBuildName).Count(&rows).Error; err != nil || rows == 0 {
		return err // never built: nothing to keep the watermark in, keep the marks
	}
	if err := db.Model(&RollupBuild{}).Where("name = ? AND pruned_through < ?", rollupBuildName, *hi.ID).
		Update("pruned_through", *hi.ID).Error; err != nil {
		return err
	}
	return db.Where("id <= ?", *hi.ID).Delete(&RollupDirty{}).Error
}
