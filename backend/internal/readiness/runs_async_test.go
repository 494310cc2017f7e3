package readiness_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/readiness"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

// slowMeasures holds every measure computation until the test opens the
// gate: the slow part of a run at scale.
type slowMeasures struct {
	*fakeMeasures
	gate chan struct{}
}

func (s *slowMeasures) Measures(ctx context.Context, asOf time.Time, reqs []readiness.MeasureRequest) map[string]readiness.Measure {
	select {
	case <-s.gate:
	case <-ctx.Done():
	}
	return s.fakeMeasures.Measures(ctx, asOf, reqs)
}

// instance is one server process's readiness service on the shared
// database.
func instance(t *testing.T, db *gorm.DB, holder string, m readiness.MeasureSource, bus event.Bus) *readiness.Service {
	t.Helper()
	svc, err := readiness.New(context.Background(), readiness.Options{DB: db, Bus: bus, StandardFile: "configs/standards/gbt27922-2011.yaml",
		StandardsDir: "configs/standards", Measures: m, Location: cst, Holder: holder, Debounce: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Close)
	return svc
}

// TestRunInProgressIsSharedAcrossInstances: a run started on one instance
// is the run every other request gets while it is in progress — on the same
// or another instance — until it is done; then the next request starts a
// new run. The state is the run row, so no instance needs the other's
// memory.
func TestRunInProgressIsSharedAcrossInstances(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := actor.With(context.Background(), actor.Actor{UserID: 5, Username: "quality", Roles: []string{"quality_manager"}})
		slow := &slowMeasures{fakeMeasures: &fakeMeasures{m: map[string]readiness.Measure{}}, gate: make(chan struct{})}
		bus := event.NewMemoryBus()
		var mu sync.Mutex
		var progress []map[string]any
		bus.Subscribe(func(e event.Event) {
			if e.Name == readiness.EventProgress {
				mu.Lock()
				progress = append(progress, e.Data)
				mu.Unlock()
			}
		})
		a := instance(t, db, "instance-a", slow, bus)
		b := instance(t, db, "instance-b", &fakeMeasures{m: map[string]readiness.Measure{}}, event.NewMemoryBus())

		first, err := a.Start(ctx, readiness.TriggerManual, "")
		if err != nil {
			t.Fatal(err)
		}
		if first.Joined || first.Run.Status != readiness.RunRunning || first.Run.ProgressTotal < 40 || first.Run.ID == 0 {
			t.Fatalf("first start: %+v", first)
		}
		for name, svc := range map[string]*readiness.Service{"same instance": a, "other instance": b} {
			again, err := svc.Start(ctx, readiness.TriggerEvent, "")
			if err != nil {
				t.Fatal(err)
			}
			if !again.Joined || again.Run.ID != first.Run.ID {
				t.Fatalf("%s while running: got run %d (joined %v), want run %d", name, again.Run.ID, again.Joined, first.Run.ID)
			}
		}
		seen, err := b.RunByID(ctx, first.Run.ID)
		if err != nil || seen.Run.Status != readiness.RunRunning || seen.Run.ProgressTotal != first.Run.ProgressTotal {
			t.Fatalf("run in progress read on the other instance: %+v, %v", seen, err)
		}
		if _, err := b.Diff(ctx, first.Run.ID, first.Run.ID); err == nil {
			t.Errorf("a run in progress was compared")
		}

		close(slow.gate)
		done, err := b.Wait(ctx, first.Run.ID) // the other instance polls the row
		if err != nil {
			t.Fatal(err)
		}
		if done.Run.Status != readiness.RunDone || len(done.Result.Indicators) < 40 || done.Run.ActiveKey != nil {
			t.Fatalf("finished run: %+v", done.Run)
		}
		latest, err := b.Latest(ctx, "")
		if err != nil || latest.Run.ID != first.Run.ID {
			t.Fatalf("latest run: %v, %v", latest, err)
		}
		next, err := b.Start(ctx, readiness.TriggerManual, "")
		if err != nil || next.Joined || next.Run.ID == first.Run.ID {
			t.Fatalf("start after the run ended: %+v, %v", next, err)
		}
		if _, err := b.Wait(ctx, next.Run.ID); err != nil {
			t.Fatal(err)
		}

		mu.Lock()
		defer mu.Unlock()
		var statuses []string
		for _, p := range progress {
			if p["run_id"] == first.Run.ID {
				statuses = append(statuses, p["status"].(string))
				if p["total"] != first.Run.ProgressTotal {
					t.Errorf("progress total %v, want %d", p["total"], first.Run.ProgressTotal)
				}
			}
		}
		if len(statuses) < 2 || statuses[0] != readiness.RunRunning || statuses[len(statuses)-1] != readiness.RunDone {
			t.Errorf("progress events of the run: %v", statuses)
		}
	})
}

// TestRunOfAStoppedInstanceIsReplaced: when the instance executing a run
// stops renewing its lease (it crashed), the next request marks that run
// as ended in error and starts a new one; the old instance, should it come
// back, cannot store its result over it.
func TestRunOfAStoppedInstanceIsReplaced(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := actor.With(context.Background(), actor.System("readiness"))
		slow := &slowMeasures{fakeMeasures: &fakeMeasures{m: map[string]readiness.Measure{}}, gate: make(chan struct{})}
		a := instance(t, db, "instance-a", slow, event.NewMemoryBus())
		b := instance(t, db, "instance-b", &fakeMeasures{m: map[string]readiness.Measure{}}, event.NewMemoryBus())
		stale, err := a.Start(ctx, readiness.TriggerSchedule, "")
		if err != nil {
			t.Fatal(err)
		}
		// Instance a stops renewing: its lease lapses.
		if err := db.Model(&readiness.Run{}).Where("id = ?", stale.Run.ID).
			Update("lease_until", time.Now().UTC().Add(-time.Minute)).Error; err != nil {
			t.Fatal(err)
		}
		fresh, err := b.Start(ctx, readiness.TriggerSchedule, "")
		if err != nil {
			t.Fatal(err)
		}
		if fresh.Joined || fresh.Run.ID == stale.Run.ID {
			t.Fatalf("a lapsed run was joined: %+v", fresh)
		}
		old, err := b.RunByID(ctx, stale.Run.ID)
		if err != nil || old.Run.Status != readiness.RunError || old.Run.Error == "" {
			t.Fatalf("the lapsed run: %+v, %v", old.Run, err)
		}
		if _, err := b.Wait(ctx, fresh.Run.ID); err != nil {
			t.Fatal(err)
		}
		close(slow.gate)
		if _, err := a.Wait(ctx, stale.Run.ID); err == nil {
			t.Fatalf("the lapsed run finished after all")
		}
		old, _ = b.RunByID(ctx, stale.Run.ID)
		if old.Run.Status != readiness.RunError {
			t.Errorf("the lapsed run's late result was stored: %s", old.Run.Status)
		}
		latest, err := b.Latest(ctx, "")
		if err != nil || latest.Run.ID != fresh.Run.ID {
			t.Fatalf("latest: %+v, %v", latest, err)
		}
		var n int64
		if err := db.Model(&readiness.Run{}).Where("status = ?", readiness.RunRunning).Count(&n).Error; err != nil || n != 0 {
			t.Fatalf("%d runs still in progress (%v)", n, err)
		}
	})
}
