package scheduler_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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
