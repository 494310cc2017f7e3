package complaint_test

import (
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/complaint"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

// Defect 7: the outlet scorecard counts the complaints linked to the outlet
// in the period, and per technician, from the complaint service.
func TestCountForOutletByTechnician(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		start := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
		svc, _, _, ctx := setup(t, db, start)
		p := func(v uint64) *uint64 { return &v }
		var responses uint64
		add := func(outlet, tech *uint64, at time.Time) {
			t.Helper()
			responses++
			if _, err := svc.Create(ctx, complaint.NewComplaint{Source: complaint.SourceSurvey, CustomerID: 42, OutletID: outlet,
				TechnicianID: tech, WorkOrderID: p(7), Category: "repair_quality", Severity: complaint.SeverityNormal,
				Title: "满意度评价不满意", ReceivedAt: &at, SurveyResponseID: p(responses)}); err != nil {
				t.Fatal(err, apperr.As(err).Fields)
			}
		}
		add(p(1), p(61), start.Add(-time.Hour))
		add(p(1), p(61), start.Add(-2*time.Hour))
		add(p(1), p(62), start.Add(-3*time.Hour))
		add(p(1), nil, start.Add(-4*time.Hour))
		add(p(2), p(63), start.Add(-time.Hour))       // another outlet
		add(p(1), p(61), start.Add(-40*24*time.Hour)) // before the period
		add(nil, nil, start.Add(-time.Hour))          // no outlet
		n, err := svc.CountForOutlet(ctx, 1, start.Add(-30*24*time.Hour), start)
		if err != nil {
			t.Fatal(err)
		}
		if n.Total != 4 || len(n.ByTechnician) != 2 || n.ByTechnician[61] != 2 || n.ByTechnician[62] != 1 {
			t.Fatalf("counts %+v", n)
		}
		if n, err = svc.CountForOutlet(ctx, 1, start, start.Add(time.Hour)); err != nil || n.Total != 0 || len(n.ByTechnician) != 0 {
			t.Fatalf("empty period %+v %v", n, err)
		}
	})
}
