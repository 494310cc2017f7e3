package scheduler_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/scheduler"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

func TestTwoInstancesDoNotRunTheSameJobAtOnce(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		a := scheduler.New(g, time.Minute, slog.Default())
		b := scheduler.New(g, time.Minute, slog.Default())
		var running, maxRunning, runs atomic.Int32
		job := func(context.Context) error {
			n := running.Add(1)
			if n > maxRunning.Load() {
				maxRunning.Store(n)
			}
			time.Sleep(50 * time.Millisecond)
			running.Add(-1)
			runs.Add(1)
			return nil
		}
		var wg sync.WaitGroup
		for _, s := range []*scheduler.Scheduler{a, b, a, b} {
			wg.Add(1)
			go func(s *scheduler.Scheduler) {
				defer wg.Done()
				if _, err := s.RunNow(context.Background(), "readiness", job); err != nil {
					t.Error(err)
				}
			}(s)
		}
		wg.Wait()
		if maxRunning.Load() != 1 || runs.Load() < 1 {
			t.Fatalf("max concurrent %d runs %d", maxRunning.Load(), runs.Load())
		}
		// After release the other instance can run it, and failures are recorded.
		ran, err := b.RunNow(context.Background(), "readiness", func(context.Context) error { return errors.New("boom") })
		if !ran || err == nil {
			t.Fatalf("ran=%v err=%v", ran, err)
		}
		list, err := a.Runs(context.Background(), "readiness", 10)
		if err != nil || len(list) != int(runs.Load())+1 || list[0].Status != "failed" || list[0].Error != "boom" {
			t.Fatalf("runs %+v %v", list, err)
		}
	})
}

// Two instances' crons fire for the same tick a few milliseconds apart: the
// first runs the job and releases its lease before the second fires. The
// job must still run once for the tick, and again for the next tick.
func TestEachCronTickRunsOnceAcrossInstances(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		a := scheduler.New(g, time.Minute, slog.Default())
		b := scheduler.New(g, time.Minute, slog.Default())
		var runs atomic.Int32
		job := func(context.Context) error { runs.Add(1); return nil }
		ctx := context.Background()
		tick := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
		for i, s := range []*scheduler.Scheduler{a, b, b, a} {
			if _, err := s.RunTick(ctx, "sla_check", tick, job); err != nil {
				t.Fatalf("instance %d: %v", i, err)
			}
		}
		if runs.Load() != 1 {
			t.Fatalf("tick 08:00 ran %d times across two instances, want 1", runs.Load())
		}
		next := tick.Add(time.Minute)
		if ran, err := b.RunTick(ctx, "sla_check", next, job); err != nil || !ran {
			t.Fatalf("next tick: ran=%v err=%v", ran, err)
		}
		// An older tick arriving late (a slow instance) is not run again.
		if ran, err := a.RunTick(ctx, "sla_check", tick, job); err != nil || ran {
			t.Fatalf("late old tick: ran=%v err=%v", ran, err)
		}
		// A run by hand is not gated by ticks.
		if ran, err := a.RunNow(ctx, "sla_check", job); err != nil || !ran {
			t.Fatalf("run by hand: ran=%v err=%v", ran, err)
		}
		list, err := a.Runs(ctx, "sla_check", 10)
		if err != nil || len(list) != 3 || list[0].Tick != nil || list[1].Tick == nil || !list[1].Tick.Equal(next) {
			t.Fatalf("runs %+v %v", list, err)
		}
	})
}

// On Galera the instance that loses a tick's claim gets a certification
// failure (1213) on its UPDATE instead of "no row matched". That is a lost
// claim, not a failed job: RunTick answers "not run" without an error (the
// cluster test counted those errors as "a cron tick claimed twice").
func TestALostClaimByDeadlockIsNotAFailure(t *testing.T) {
	g := testutil.SQLiteDB(t)
	if err := g.Callback().Update().Before("gorm:update").Register("test:certification_failure", func(tx *gorm.DB) {
		if tx.Statement.Table == "job_locks" {
			_ = tx.AddError(&mysql.MySQLError{Number: 1213, Message: "Deadlock found when trying to get lock; try restarting transaction"})
		}
	}); err != nil {
		t.Fatal(err)
	}
	s := scheduler.New(g, time.Minute, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ran := false
	ok, err := s.RunTick(context.Background(), "sla_check", time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC), func(context.Context) error {
		ran = true
		return nil
	})
	if ok || err != nil || ran {
		t.Fatalf("ok=%v err=%v ran=%v; want a lost claim: not run, no error", ok, err, ran)
	}
}
