package readiness_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/readiness"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

// TestRollupJobKeepsRegionCoverageFresh: the rollup job computes region
// coverage (no daily rollups) in the background and stores it for every
// instance, and renews it once past half its 15-minute life, so a run —
// the first after a start too — never computes it in the request's wake.
func TestRollupJobKeepsRegionCoverageFresh(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		now := time.Date(2026, 12, 7, 10, 0, 0, 0, cst)
		svc, err := readiness.New(context.Background(), readiness.Options{DB: db, StandardFile: "../../../configs/standards/gbt27922-2011.yaml",
			StandardsDir: "../../../configs/standards", Location: cst, Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(svc.Close)
		stored := func() readiness.SlowMeasure {
			t.Helper()
			var row readiness.SlowMeasure
			if err := db.Where("measure = ?", "region_coverage").Limit(1).Find(&row).Error; err != nil {
				t.Fatal(err)
			}
			return row
		}
		if err := svc.BuildRollups(context.Background()); err != nil {
			t.Fatal(err)
		}
		first := stored()
		if first.Measure == "" || !first.AsOf.Equal(now) {
			t.Fatalf("after the job: %+v, want region_coverage as of %v", first, now)
		}
		now = now.Add(5 * time.Minute) // within half its life: kept
		if err := svc.BuildRollups(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := stored(); !got.AsOf.Equal(first.AsOf) {
			t.Fatalf("renewed at 5 minutes: %v", got.AsOf)
		}
		now = now.Add(5 * time.Minute) // past half its life: renewed
		if err := svc.BuildRollups(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := stored(); !got.AsOf.Equal(now) {
			t.Fatalf("not renewed at 10 minutes: %v, want %v", got.AsOf, now)
		}
	})
}
