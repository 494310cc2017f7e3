package survey_test

import (
	"context"
	"testing"
	"time"

	"github.com/aftersales/aftersales/backend/internal/survey"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

// BenchmarkSurveyKPIAtScale times the per-period survey KPI (sent,
// answered, response rate, CSAT, NPS, 回访 within 3 days) on a database
// made by `aftersales seed --scale N`. It runs only with BENCH_MYSQL_DSN set.
func BenchmarkSurveyKPIAtScale(b *testing.B) {
	svc := survey.New(survey.Options{DB: testutil.ScaleDB(b)})
	var k survey.KPI
	testutil.BenchPeriods(b, func(ctx context.Context, from, to time.Time) (err error) {
		k, err = svc.KPI(ctx, from, to)
		return err
	}, func(b *testing.B) {
		b.ReportMetric(float64(k.Sent), "sent")
		b.ReportMetric(float64(k.Responses), "responses")
	})
}
