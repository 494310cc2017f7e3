package complaint_test

import (
	"context"
	"testing"
	"time"

	"github.com/aftersales/aftersales/backend/internal/complaint"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

// BenchmarkComplaintKPIAtScale times the per-period complaint KPI (closure
// within the deadline, resolution rate, complaint rate) on a database made
// by `aftersales seed --scale N`. It runs only with BENCH_MYSQL_DSN set,
// e.g. BENCH_MYSQL_DSN='root@tcp(127.0.0.1:3306)/aftersales_bench'.
func BenchmarkComplaintKPIAtScale(b *testing.B) {
	svc := complaint.New(complaint.Options{DB: testutil.ScaleDB(b), InstalledBase: func(ctx context.Context) (int64, error) { return 1_300_000, nil }})
	var k complaint.KPI
	testutil.BenchPeriods(b, func(ctx context.Context, from, to time.Time) (err error) {
		k, err = svc.KPI(ctx, from, to)
		return err
	}, func(b *testing.B) { b.ReportMetric(float64(k.Complaints), "complaints") })
}
