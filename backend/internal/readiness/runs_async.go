package readiness

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
)

// Runs are asynchronous (issue 15). Start claims the run row of a standard
// — status running, active_key = the standard code under a unique index,
// a lease held by this instance — and executes the run in the background;
// a request on any instance while that row is in progress joins it and
// gets its id. The manual run, the cron job and the debounced run all go
// through Start. Progress (indicators done of total, the clause worked on)
// is written to the row and published as readiness.progress.

// EventProgress carries a run's progress (run_id, status, done, total,
// clause); status "done" comes after readiness.score, "error" with the
// error.
const EventProgress = "readiness.progress"

const (
	// runLeaseTTL is how long a run's lease holds without renewal; the
	// executing instance renews it every runLeaseTTL/3.
	runLeaseTTL = 30 * time.Second
	// progressEvery bounds how often progress is written and published.
	progressEvery = 250 * time.Millisecond
)

// localRun is a run executing in this process.
type localRun struct {
	done   chan struct{}
	detail *RunDetail
	err    error
}

// RunState is a run just started or joined.
type RunState struct {
	Run Run
	// Joined is true when a run of the standard was already in progress:
	// Run is that run.
	Joined bool
}

// defaultHolder names this process when no scheduler holder is wired.
func defaultHolder() string {
	host, _ := os.Hostname()
	return truncate(fmt.Sprintf("%s-%d-%d", host, os.Getpid(), time.Now().UnixNano()%1e6), 64)
}

// Start starts a run of a standard (empty: the active one) and returns it
// at once with status running; when a run of that standard is already in
// progress on any instance it returns that run, Joined. The run executes in
// the background; Wait blocks until it ends.
func (s *Service) Start(ctx context.Context, trigger, code string) (*RunState, error) {
	v, std, err := s.current(ctx, code)
	if err != nil {
		return nil, err
	}
	if b, ok := s.building(ctx); ok {
		// The rollups are being built: answer at once with the build's
		// progress rather than scanning every day of the window.
		return buildingRun(v.Code, b), nil
	}
	r, joined, err := s.claim(ctx, v, std, trigger)
	if err != nil {
		return nil, err
	}
	if joined {
		return &RunState{Run: *r, Joined: true}, nil
	}
	lr := &localRun{done: make(chan struct{})}
	s.runsMu.Lock()
	s.local[r.ID] = lr
	s.runsMu.Unlock()
	// The run outlives the request that started it, but keeps its actor
	// (a manual run is audited as the user's).
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.runsWG.Add(1)
	go func() {
		defer s.runsWG.Done()
		defer cancel()
		stop := context.AfterFunc(s.base, cancel)
		defer stop()
		lr.detail, lr.err = s.execute(rctx, r, v, std)
		if lr.err != nil {
			s.log.Warn("readiness: run failed", "run", r.ID, "trigger", trigger, "err", lr.err)
		}
		close(lr.done)
		// A waiter takes the result from memory for a while (it has what
		// the stored ledger does not keep, e.g. withheld stars); later
		// ones read the row.
		time.AfterFunc(time.Minute, func() {
			s.runsMu.Lock()
			delete(s.local, r.ID)
			s.runsMu.Unlock()
		})
	}()
	return &RunState{Run: *r}, nil
}

// claim inserts the run row in progress, or finds the run in progress of
// the standard (joined). A run in progress whose lease ran out is marked
// RunError first, so a crashed instance never blocks runs for long.
func (s *Service) claim(ctx context.Context, v *StandardVersion, std *Standard, trigger string) (*Run, bool, error) {
	for attempt := 0; attempt < 5; attempt++ {
		now := time.Now().UTC()
		until := now.Add(runLeaseTTL)
		key := v.Code
		r := &Run{
			StandardCode: v.Code, StandardVersionID: v.ID, StandardVersion: v.Version,
			// Milliseconds: what MySQL's datetime(3) keeps, and index-friendly.
			AsOf:    s.now().UTC().Truncate(time.Millisecond),
			Trigger: trigger, CreatedBy: truncate(actor.From(ctx).Username, 64),
			Status: RunRunning, ActiveKey: &key, LeaseOwner: s.holder, LeaseUntil: &until, ProgressTotal: leafCount(std),
			FailReasons: "[]", Counts: "{}", Deductions: "[]", Notices: "[]", Inputs: "{}", CreatedAt: now,
		}
		err := s.db.WithContext(ctx).Create(r).Error
		if err == nil {
			s.publishProgress(ctx, r)
			return r, false, nil
		}
		if !errors.Is(err, gorm.ErrDuplicatedKey) {
			return nil, false, apperr.Internal(fmt.Errorf("readiness: start run: %w", err))
		}
		var cur Run
		err = s.db.WithContext(ctx).Omit("inputs").Where("active_key = ?", key).Take(&cur).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			continue // it ended between the insert and the read
		}
		if err != nil {
			return nil, false, apperr.Internal(fmt.Errorf("readiness: run in progress: %w", err))
		}
		if cur.LeaseUntil != nil && cur.LeaseUntil.After(now) {
			return &cur, true, nil
		}
		if err := s.db.WithContext(ctx).Model(&Run{}).
			Where("id = ? AND status = ? AND lease_until < ?", cur.ID, RunRunning, now).
			Updates(map[string]any{"status": RunError, "active_key": nil, "lease_until": nil,
				"error": "the instance running it stopped (" + truncate(cur.LeaseOwner, 64) + ")"}).Error; err != nil {
			return nil, false, apperr.Internal(fmt.Errorf("readiness: expire run %d: %w", cur.ID, err))
		}
		s.log.Warn("readiness: run's lease ran out; starting another", "run", cur.ID, "owner", cur.LeaseOwner)
	}
	return nil, false, apperr.Conflict("run_busy", "runs are being started concurrently; try again")
}

// leafCount is how many indicators a run computes (the progress total).
func leafCount(std *Standard) int { return len(std.leaves) }

// Wait blocks until the run ends and returns it with its ledger. A run
// that ended in error returns that error.
func (s *Service) Wait(ctx context.Context, id uint64) (*RunDetail, error) {
	s.runsMu.Lock()
	lr := s.local[id]
	s.runsMu.Unlock()
	if lr != nil {
		select {
		case <-lr.done:
			return lr.detail, lr.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	for {
		r, err := s.st.run(ctx, s.db, id)
		if err != nil {
			return nil, err
		}
		switch {
		case r.Status == RunDone:
			return s.detail(ctx, r)
		case r.Status == RunError:
			return nil, apperr.Internal(fmt.Errorf("readiness: run %d: %s", id, r.Error))
		case r.LeaseUntil == nil || time.Now().After(r.LeaseUntil.Add(runLeaseTTL)):
			return nil, apperr.Internal(fmt.Errorf("readiness: run %d: its instance stopped", id))
		}
		select {
		case <-time.After(200 * time.Millisecond):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// RunNow starts (or joins) a run and waits for it: the synchronous form,
// for seeding and the cron job.
func (s *Service) RunNow(ctx context.Context, trigger, code string) (*RunDetail, error) {
	st, err := s.Start(ctx, trigger, code)
	if err != nil {
		return nil, err
	}
	if st.Run.Status == RunBuilding {
		return nil, ErrBuilding
	}
	return s.Wait(ctx, st.Run.ID)
}

// progress counts a run's indicators and writes and publishes the count at
// most every progressEvery; it also renews the run's lease.
type progress struct {
	s   *Service
	ctx context.Context
	// flushing orders the writes and events: one flush at a time, each
	// with the count at its start, so progress never goes backwards.
	flushing sync.Mutex
	mu       sync.Mutex
	r        *Run
	dirty    bool
	last     time.Time
}

// measureDone records the indicators of a finished measure.
func (p *progress) measureDone(req MeasureRequest) {
	p.mu.Lock()
	p.r.ProgressDone += len(req.Clauses)
	if len(req.Clauses) > 0 {
		p.r.ProgressClause = req.Clauses[len(req.Clauses)-1]
	}
	p.dirty = true
	flush := time.Since(p.last) >= progressEvery
	p.mu.Unlock()
	if flush {
		p.flush(false)
	}
}

// set moves the count (used for the steps after the measures). An empty
// clause keeps the last one worked on: a run fast enough to finish its
// measures within one progress interval would otherwise never name a
// clause in any event.
func (p *progress) set(done int, clause string) {
	p.mu.Lock()
	if done > p.r.ProgressDone {
		p.r.ProgressDone = done
	}
	if clause != "" {
		p.r.ProgressClause = clause
	}
	p.dirty = true
	p.mu.Unlock()
	p.flush(false)
}

// flush writes the progress and renews the lease; with lease only, it
// renews the lease even when nothing moved.
func (p *progress) flush(lease bool) {
	p.flushing.Lock()
	defer p.flushing.Unlock()
	p.mu.Lock()
	if !p.dirty && !lease {
		p.mu.Unlock()
		return
	}
	until := time.Now().UTC().Add(runLeaseTTL)
	p.r.LeaseUntil = &until
	upd := map[string]any{"lease_until": until, "progress_done": p.r.ProgressDone, "progress_clause": p.r.ProgressClause}
	publish := p.dirty
	snapshot := *p.r
	p.dirty = false
	p.last = time.Now()
	p.mu.Unlock()
	if err := p.s.db.WithContext(p.ctx).Model(&Run{}).Where("id = ? AND status = ? AND lease_owner = ?", snapshot.ID, RunRunning, snapshot.LeaseOwner).
		Updates(upd).Error; err != nil {
		p.s.log.Warn("readiness: run progress", "run", snapshot.ID, "err", err)
	}
	if publish {
		p.s.publishProgress(p.ctx, &snapshot)
	}
}

// heartbeat renews the lease until stop is closed.
func (p *progress) heartbeat(stop <-chan struct{}) {
	t := time.NewTicker(runLeaseTTL / 3)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			p.flush(true)
		}
	}
}

// fail records why a run ended in error and frees the standard for the
// next run.
func (s *Service) fail(r *Run, cause error) {
	ctx := context.Background()
	msg := truncate(cause.Error(), 500)
	if err := s.db.WithContext(ctx).Model(&Run{}).Where("id = ? AND status = ? AND lease_owner = ?", r.ID, RunRunning, r.LeaseOwner).
		Updates(map[string]any{"status": RunError, "active_key": nil, "lease_until": nil, "error": msg}).Error; err != nil {
		s.log.Error("readiness: record failed run", "run", r.ID, "err", err)
	}
	r.Status, r.Error = RunError, msg
	s.publishProgress(ctx, r)
}

// progressData is the payload of readiness.progress.
func progressData(r *Run) map[string]any {
	d := map[string]any{"run_id": r.ID, "standard": r.StandardCode, "status": r.Status, "trigger": r.Trigger,
		"done": r.ProgressDone, "total": r.ProgressTotal, "clause": r.ProgressClause}
	if r.Error != "" {
		d["error"] = r.Error
	}
	return d
}

func (s *Service) publishProgress(ctx context.Context, r *Run) {
	s.publish(ctx, EventProgress, progressData(r))
}

// progressKey carries a measure-done callback through the context to the
// measure source.
type progressKey struct{}

// withMeasureProgress returns ctx carrying fn, called once per measure
// request as it finishes.
func withMeasureProgress(ctx context.Context, fn func(MeasureRequest)) context.Context {
	return context.WithValue(ctx, progressKey{}, fn)
}

// measureProgress returns the callback of withMeasureProgress, a no-op
// without one.
func measureProgress(ctx context.Context) func(MeasureRequest) {
	if fn, ok := ctx.Value(progressKey{}).(func(MeasureRequest)); ok {
		return fn
	}
	return func(MeasureRequest) {}
}
