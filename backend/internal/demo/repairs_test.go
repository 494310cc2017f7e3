package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/outlet"
	"github.com/aftersales/aftersales/backend/internal/parts"
	"github.com/aftersales/aftersales/backend/internal/recall"
	"github.com/aftersales/aftersales/backend/internal/repair"
	"github.com/aftersales/aftersales/backend/internal/returns"
	"github.com/aftersales/aftersales/backend/internal/testutil"
	"github.com/aftersales/aftersales/backend/internal/workorder"
)

// seedRepairWorkOrders stands in for the ticket demo: n repair work orders
// on the demo units over the last year at outlets 1–3, most completed.
func seedRepairWorkOrders(t *testing.T, db *gorm.DB, n int, now time.Time) {
	t.Helper()
	units, err := ownedUnits(context.Background(), db, 100000)
	if err != nil || len(units) == 0 {
		t.Fatalf("units: %v", err)
	}
	r := rand.New(rand.NewPCG(3, 4))
	ws := make([]workorder.WorkOrder, 0, n)
	for i := 1; i <= n; i++ {
		u := units[r.IntN(len(units))]
		created := now.Add(-time.Duration(r.Int64N(int64(360 * 24 * time.Hour))))
		accepted, arrived := created.Add(time.Hour), created.Add(20*time.Hour)
		done := arrived.Add(2 * time.Hour)
		outletID, uid := uint64(1+r.IntN(3)), u.ID
		w := workorder.WorkOrder{ID: uint64(i), Number: fmt.Sprintf("WO%06d", i), TicketID: uint64(i), Kind: "repair", Status: workorder.StatusSignedOff,
			OutletID: &outletID, CustomerID: u.CustomerID, UnitID: &uid, AcceptedAt: &accepted, ArrivedAt: &arrived, CompletedAt: &done,
			Result: workorder.ResultDone, Version: 1, CreatedAt: created, UpdatedAt: done}
		if done.After(now) {
			w.Status, w.CompletedAt, w.ArrivedAt = workorder.StatusScheduled, nil, nil
		} else if r.IntN(100) < 6 {
			w.Result = workorder.ResultNotFixed
		}
		ws = append(ws, w)
	}
	if err := db.Session(&gorm.Session{SkipHooks: true}).CreateInBatches(&ws, 100).Error; err != nil {
		t.Fatal(err)
	}
}

// TestSeedServiceOps checks what a quality manager would notice in the demo
// year of repairs, parts, returns and the recall: repairs with parts and
// serials, a stock ledger that sums to the balances, one replacement
// entitlement open, exactly one return refused inside its window and one
// decided late, one active recall of a few hundred units partly remedied;
// and a second run adds nothing.
func TestSeedServiceOps(t *testing.T) {
	dir, loc := demoWorld(t)
	now := time.Date(2026, 9, 15, 6, 0, 0, 0, time.UTC)
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := actor.With(context.Background(), actor.System("test"))
		tr := audit.New(nil)
		clock := func() time.Time { return now }
		seedCustomerBase(t, ctx, db, tr, dir, loc, now, clock)
		os := outlet.New(outlet.Options{DB: db, Audit: tr, Regions: dir, Location: loc})
		for i, reg := range []string{"440305", "440304", "310104"} {
			if _, err := os.Create(ctx, outlet.NewOutlet{Code: fmt.Sprintf("T%d", i+1), Name: fmt.Sprintf("测试网点%d", i+1), Kind: outlet.KindOwn, RegionCode: reg,
				Address: "科苑路 1 号", Phone: "0755-86001234", Coverage: []string{reg}, DailyCapacity: 20}); err != nil {
				t.Fatal(err)
			}
		}
		seedRepairWorkOrders(t, db, 3000, now)
		pa := parts.New(parts.Options{DB: db, Audit: tr, Location: loc, Now: clock})
		rs := repair.New(repair.Options{DB: db, Audit: tr, Stock: pa, Location: loc, Now: clock})
		rc := recall.New(recall.Options{DB: db, Audit: tr, Location: loc, Now: clock})
		d := ServiceOpsDeps{DB: db, Parts: pa, Repairs: rs, Recalls: rc, Now: now, Location: loc}
		start := time.Now()
		for range 2 { // the second run adds nothing
			if err := SeedServiceOps(ctx, d); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("repairs, parts, returns and recall seeded in %s", time.Since(start))

		var repairs, lines, pendingOld int64
		db.Model(&repair.Order{}).Count(&repairs)
		db.Model(&repair.PartLine{}).Count(&lines)
		db.Model(&repair.PartLine{}).Where("old_part_status = ?", repair.OldPartPending).Count(&pendingOld)
		if repairs < 2500 || lines < repairs/2 || pendingOld == 0 {
			t.Errorf("repairs %d, part lines %d, old parts pending %d", repairs, lines, pendingOld)
		}
		k, err := rs.KPIOf(ctx, now.AddDate(-1, 0, 0), now.Add(time.Hour), 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("repairs: completed %d, first-time fix %.2f, repeat %.2f, record complete %.2f", k.Completed, *k.FirstTimeFixRate, *k.RepeatRate, *k.RecordCompleteRate)
		if *k.RecordCompleteRate > 0.99 || *k.RecordCompleteRate < 0.8 || k.Repeat == 0 {
			t.Errorf("imperfections: %+v", k)
		}
		if bad, err := pa.LedgerCheck(ctx); err != nil || len(bad) != 0 {
			t.Errorf("ledger: %v %v", bad, err)
		}
		fr, err := pa.FillRateOf(ctx, now.AddDate(-1, 0, 0), now, now, 0)
		if err != nil || fr.Rate == nil || *fr.Rate < 0.7 || *fr.Rate > 0.95 {
			t.Errorf("fill rate: %+v %v", fr, err)
		}
		ents, _, _ := rs.Entitlements(ctx, repair.EntitlementFilter{Status: repair.EntitlementOpen})
		if len(ents) != 1 {
			t.Errorf("open entitlements: %d", len(ents))
		}
		var refused, late int64
		db.Model(&returns.Request{}).Where("refused_within_window = ?", true).Count(&refused)
		db.Model(&returns.Request{}).Where("outside_legal_window = ?", true).Count(&late)
		if refused != 1 || late != 1 {
			t.Errorf("flagged returns: refused within window %d, decided late %d", refused, late)
		}
		list, _, err := rc.List(ctx, "", 1, 10)
		if err != nil || len(list) != 1 || list[0].Status != recall.StatusActive {
			t.Fatalf("recall: %+v %v", list, err)
		}
		c := list[0].Counts
		if c.Affected < 150 || c.Affected > 500 || c.Remedied == 0 || c.Remedied >= c.Affected || c.Notified <= c.Remedied {
			t.Errorf("recall counts: %+v", c)
		}
		var notes int64
		db.Model(&recall.Notification{}).Count(&notes)
		if notes < c.Owners/2 {
			t.Errorf("notification attempts: %d for %d owners", notes, c.Owners)
		}
	})
}
