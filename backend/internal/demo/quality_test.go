package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/capa"
	"github.com/aftersales/aftersales/backend/internal/complaint"
	"github.com/aftersales/aftersales/backend/internal/product"
	"github.com/aftersales/aftersales/backend/internal/survey"
	"github.com/aftersales/aftersales/backend/internal/testutil"
	"github.com/aftersales/aftersales/backend/internal/ticket"
)

// seedClosedTickets stands in for the ticket demo: n tickets of the demo
// customers closed over the last year, assigned to agents 2–5.
func seedClosedTickets(t *testing.T, db *gorm.DB, n int, now time.Time) {
	t.Helper()
	units, err := ownedUnits(context.Background(), db, 100000)
	if err != nil || len(units) == 0 {
		t.Fatalf("units: %v", err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	ts := make([]ticket.Ticket, 0, n)
	for i := 1; i <= n; i++ {
		u := units[r.IntN(len(units))]
		created := now.Add(-time.Duration(r.Int64N(int64(365 * 24 * time.Hour))))
		closed := created.Add(time.Duration(4+r.IntN(100)) * time.Hour)
		if closed.After(now) {
			closed = now.Add(-time.Hour)
		}
		agent := uint64(2 + r.IntN(4))
		uid, cid := u.ID, u.CustomerID
		ts = append(ts, ticket.Ticket{ID: uint64(i), Number: fmt.Sprintf("GD%06d", i), Channel: "phone", Type: "repair", Priority: "normal",
			PriorityRank: 2, Status: "closed", CustomerID: cid, UnitID: &uid, AssigneeID: &agent, ClosedAt: &closed, ResolvedAt: &closed,
			SLACheckedAt: created, Version: 1, CreatedAt: created, UpdatedAt: closed})
	}
	if err := db.Session(&gorm.Session{SkipHooks: true}).CreateInBatches(&ts, 100).Error; err != nil {
		t.Fatal(err)
	}
}

// TestSeedComplaintsAndSurveys checks what a quality manager would notice in
// the demo year: about 1 % complaints of the installed base with a few major
// and one crisis with plan and drills, some late; a 35–50 % response rate with
// ratings mostly 4–5; dissatisfied answers each with a complaint and a
// call-back; some late and unreachable 回访; and a second run adds nothing.
func TestSeedComplaintsAndSurveys(t *testing.T) {
	dir, loc := demoWorld(t)
	now := time.Date(2026, 9, 15, 6, 0, 0, 0, time.UTC)
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := actor.With(context.Background(), actor.System("test"))
		tr := audit.New(nil)
		seedCustomerBase(t, ctx, db, tr, dir, loc, now, nil)
		seedClosedTickets(t, db, 3000, now)
		ss := survey.New(survey.Options{DB: db, Audit: tr, Now: func() time.Time { return now }, Location: loc})
		d := QualityDeps{DB: db, Surveys: ss, Now: now, Location: loc}
		start := time.Now()
		for i := 0; i < 2; i++ { // the second run adds nothing
			if err := SeedSurveys(ctx, d); err != nil {
				t.Fatal(err)
			}
			if err := SeedComplaints(ctx, d); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("complaints and surveys seeded in %s", time.Since(start))

		var units int64
		db.Model(&product.Unit{}).Count(&units)
		cps := complaint.New(complaint.Options{DB: db, Now: func() time.Time { return now }, Location: loc,
			InstalledBase: func(context.Context) (int64, error) { return units, nil }})
		k, err := cps.KPI(ctx, now.AddDate(-1, 0, 0), now)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("complaints: %d (rate %.4f), ack within %.2f, resolved within %.2f, resolution %.2f, by severity %v, by source %v",
			k.Complaints, *k.ComplaintRate, *k.AckWithinLimitRate, *k.ResolvedWithinLimitRate, *k.ResolutionRate, k.BySeverity, k.BySource)
		if *k.ComplaintRate < 0.008 || *k.ComplaintRate > 0.013 || *k.ResolutionRate > 0.99 {
			t.Errorf("complaint rate %.4f, want about 1 %%", *k.ComplaintRate)
		}
		if k.BySeverity["crisis"] != 1 || k.BySeverity["major"] < 2 || k.BySource["survey"] == 0 || k.BySource["external"] == 0 || k.BySource["ticket"] == 0 {
			t.Errorf("mix %v %v", k.BySeverity, k.BySource)
		}
		if *k.AckWithinLimitRate > 0.97 || *k.AckWithinLimitRate < 0.7 || *k.ResolvedWithinLimitRate > 0.97 || *k.ResolvedWithinLimitRate < 0.7 {
			t.Errorf("imperfections: ack %.2f resolve %.2f", *k.AckWithinLimitRate, *k.ResolvedWithinLimitRate)
		}
		var crisis complaint.Complaint
		db.Where("severity = ?", "crisis").Take(&crisis)
		if crisis.CrisisPlan == "" || crisis.ResponsibleName == "" {
			t.Error("crisis without plan or responsible")
		}
		var drills int64
		db.Model(&complaint.Drill{}).Count(&drills)
		if drills != 2 {
			t.Errorf("drills %d", drills)
		}
		var overdueActions, actions int64
		db.Model(&capa.Action{}).Count(&actions)
		db.Model(&capa.Action{}).Where("status = ? AND due_date < ?", "open", capa.LocalDate(now, loc)).Count(&overdueActions)
		if actions < 15 || overdueActions == 0 {
			t.Errorf("corrective actions %d, overdue %d", actions, overdueActions)
		}

		sk, err := ss.KPI(ctx, now.AddDate(-1, 0, 0), now)
		if err != nil {
			t.Fatal(err)
		}
		if exact, err := ss.KPIExact(ctx, now.AddDate(-1, 0, 0), now); err != nil || !reflect.DeepEqual(sk, exact) {
			t.Errorf("KPI from rollups %+v differs from the rows %+v (%v)", sk, exact, err)
		}
		t.Logf("surveys: sent %d answered %d rate %.3f, CSAT %.2f, NPS %.1f, agent %.2f, technician %v, dissatisfied %d, 回访 %+v",
			sk.Sent, sk.Answered, *sk.ResponseRate, *sk.CSATAverage, *sk.NPS, *sk.AgentAverage, sk.TechnicianAverage, sk.Dissatisfied, sk.Followups)
		if *sk.ResponseRate < 0.35 || *sk.ResponseRate > 0.5 || *sk.CSATAverage < 4 || sk.Dissatisfied == 0 {
			t.Errorf("survey figures %+v", sk)
		}
		f := sk.Followups
		if f.Unreachable == 0 || f.Refused == 0 || f.WithinLimit == f.Measured || float64(f.WithinLimit) < 0.8*float64(f.Measured) || f.Callbacks != sk.Dissatisfied || f.CallbacksLate == 0 {
			t.Errorf("回访 %+v", f)
		}
		// The bulk generators top up without breaking one response per ticket.
		if err := ScaleComplaints(ctx, d, 4000); err != nil {
			t.Fatal(err)
		}
		if err := ScaleSurveys(ctx, d, 8000); err != nil {
			t.Fatal(err)
		}
		var total, responses int64
		db.Model(&complaint.Complaint{}).Count(&total)
		db.Model(&survey.Response{}).Count(&responses)
		if total != 200 || responses < 3000 {
			t.Errorf("after scale: %d complaints, %d responses", total, responses)
		}
		var bySurvey int64
		db.Model(&complaint.Complaint{}).Where("source = ?", "survey").Count(&bySurvey)
		var dissatisfied int64
		db.Model(&survey.Response{}).Where("dissatisfied = ? AND complaint_id IS NOT NULL", true).Count(&dissatisfied)
		if bySurvey > dissatisfied || bySurvey == 0 {
			t.Errorf("survey complaints %d, dissatisfied responses with a complaint %d", bySurvey, dissatisfied)
		}
	})
}
