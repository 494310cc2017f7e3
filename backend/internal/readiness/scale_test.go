package readiness_test

import (
	"context"
	"log/slog"
	"os"
	"runtime"
	"sort"
	"testing"
	"time"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/readiness"
)

// TestRunAtScale measures a full readiness run over a database generated
// by `aftersales seed --scale N`: the whole run (every SQL measure,
// staffing, suggestions, scoring, storing the run and its ledger) must take
// at most 3 s and grow the process memory by at most 100 MB. It runs only
// with READINESS_SCALE_DSN set to that database (a go-sql-driver DSN for
// MariaDB, or a SQLite file path with READINESS_SCALE_DRIVER=sqlite), and
// logs each measure's own time.
func TestRunAtScale(t *testing.T) {
	dsn := os.Getenv("READINESS_SCALE_DSN")
	if dsn == "" {
		t.Skip("set READINESS_SCALE_DSN to a database made by `aftersales seed --scale 1000000`")
	}
	driver := os.Getenv("READINESS_SCALE_DRIVER")
	if driver == "" {
		driver = "mysql"
	}
	g, err := db.Open(db.Options{Driver: driver, DSN: dsn, MaxOpenConns: 16})
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	ctx := actor.With(context.Background(), actor.System("bench"))
	measures := readiness.NewSQLMeasures(g, loc, slog.Default())
	svc, err := readiness.New(ctx, readiness.Options{DB: g, StandardFile: "configs/standards/gbt27922-2011.yaml", Measures: measures,
		Location: loc, Debounce: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	std, _ := svc.CurrentStandard(ctx)

	// Each measure alone, to see where the time goes.
	type timing struct {
		name string
		d    time.Duration
		m    readiness.Measure
	}
	var times []timing
	for _, req := range std.MeasureRequests() {
		start := time.Now()
		m := measures.Measures(ctx, time.Now(), []readiness.MeasureRequest{req})[req.Measure]
		times = append(times, timing{req.Measure, time.Since(start), m})
	}
	sort.Slice(times, func(i, j int) bool { return times[i].d > times[j].d })
	for _, tm := range times {
		t.Logf("%-32s %8.1f ms  %v/%v known=%v %s", tm.name, float64(tm.d.Microseconds())/1000, tm.m.Numerator, tm.m.Denominator, tm.m.Known, tm.m.Note)
	}

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak uint64
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				if ms.Sys > peak {
					peak = ms.Sys
				}
			}
		}
	}()
	start := time.Now()
	d, err := svc.RunNow(ctx, readiness.TriggerManual, "")
	elapsed := time.Since(start)
	close(done)
	if err != nil {
		t.Fatal(err)
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if after.Sys > peak {
		peak = after.Sys
	}
	growth := float64(peak-before.Sys) / (1 << 20)
	t.Logf("full run %d: %v, total %.2f (%.2f…%.2f) %s; memory: Sys %.1f → peak %.1f MiB (+%.1f MiB), allocated %.1f MiB during the run",
		d.Run.ID, elapsed, d.Run.Total, d.Run.Low, d.Run.High, d.Run.Band, float64(before.Sys)/(1<<20), float64(peak)/(1<<20), growth,
		float64(after.TotalAlloc-before.TotalAlloc)/(1<<20))
	if elapsed > 3*time.Second {
		t.Errorf("a full run took %v, over 3 s", elapsed)
	}
	if growth > 100 {
		t.Errorf("memory grew by %.1f MiB, over 100 MB", growth)
	}
}
