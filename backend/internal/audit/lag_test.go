package audit_test

import (
	"context"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

// The sequencer keeps up: under a steady write load (AUDIT_LAG_RATE per
// second, default 1000, from 16 writers) the age of the oldest unsequenced
// leaf stays bounded and does not grow, and everything is sequenced soon
// after the load stops.
func TestSequencerKeepsUpUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	rate := 1000
	if v, err := strconv.Atoi(os.Getenv("AUDIT_LAG_RATE")); err == nil && v > 0 {
		rate = v
	}
	const writers, duration = 16, 4 * time.Second
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		f := newLog(t, g, func(o *audit.SequencerOptions) {
			o.Interval = 250 * time.Millisecond
			o.CheckpointEvery = 1000
			o.GapGrace = 10 * time.Second
		})
		f.seq.Start()
		defer f.seq.Stop()
		ctx, cancel := context.WithTimeout(context.Background(), duration)
		defer cancel()
		var written, failed atomic.Int64
		var wg sync.WaitGroup
		per := time.Duration(float64(time.Second) * writers / float64(rate))
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tick := time.NewTicker(per)
				defer tick.Stop()
				for {
					select {
					case <-ctx.Done():
						return
					case <-tick.C:
					}
					err := g.Transaction(func(tx *gorm.DB) error {
						return f.tr.Record(context.Background(), tx, audit.Entry{Action: "create", Entity: "load", EntityID: "1"})
					})
					if err != nil {
						failed.Add(1)
					} else {
						written.Add(1)
					}
				}
			}()
		}
		// Sample the lag: the age of the oldest unsequenced leaf.
		var lags []time.Duration
		sample := time.NewTicker(200 * time.Millisecond)
	loop:
		for {
			select {
			case <-ctx.Done():
				break loop
			case <-sample.C:
				var oldest []audit.Record
				var lag time.Duration
				if err := g.Where("seq IS NULL").Order("leaf_id").Limit(1).Find(&oldest).Error; err != nil {
					t.Error(err)
				} else if len(oldest) == 1 {
					lag = time.Since(oldest[0].At)
				}
				lags = append(lags, lag)
			}
		}
		sample.Stop()
		wg.Wait()
		half := len(lags) / 2
		maxOf := func(ds []time.Duration) (m time.Duration) {
			for _, d := range ds {
				m = max(m, d)
			}
			return m
		}
		first, second := maxOf(lags[:half]), maxOf(lags[half:])
		achieved := float64(written.Load()) / duration.Seconds()
		t.Logf("target %d/s, achieved %.0f leaves/s (%d failed); lag max first half %s, second half %s",
			rate, achieved, failed.Load(), first.Round(time.Millisecond), second.Round(time.Millisecond))
		if second > 2*time.Second || second > first+time.Second {
			t.Errorf("the sequencer falls behind: lag %s then %s", first, second)
		}
		start := time.Now()
		for {
			var n int64
			g.Model(&audit.Record{}).Where("seq IS NULL").Count(&n)
			if n == 0 {
				break
			}
			if time.Since(start) > 2*time.Second {
				t.Fatalf("%d leaves still unsequenced 2s after the load stopped", n)
			}
			time.Sleep(50 * time.Millisecond)
		}
		if res := f.verify(t, g); !res.OK || res.Checked != uint64(written.Load()) {
			t.Fatalf("%+v (written %d)", res, written.Load())
		}
	})
}
