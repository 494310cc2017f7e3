package repair_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/repair"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

// The staff register of these tests: staff 31 (login 4, the fixture's
// technician) and 32 (login 5) work at outlet 3; staff 41 at outlet 4.
func withStaff(o *repair.Options) {
	staff := map[uint64]repair.StaffMember{31: {ID: 31, OutletID: 3, Active: true}, 32: {ID: 32, OutletID: 3, Active: true},
		41: {ID: 41, OutletID: 4, Active: true}}
	logins := map[uint64]uint64{4: 31, 5: 32}
	o.Staff = func(_ context.Context, id uint64) (repair.StaffMember, error) {
		if m, ok := staff[id]; ok {
			return m, nil
		}
		return repair.StaffMember{}, apperr.NotFound("staff")
	}
	o.UserStaff = func(_ context.Context, userID uint64) (repair.StaffMember, error) {
		if id, ok := logins[userID]; ok {
			return staff[id], nil
		}
		return repair.StaffMember{}, apperr.NotFound("staff")
	}
	o.MaxBackdateDays = 7
}

func outletActor(userID, outlet uint64, role string) context.Context {
	return actor.With(context.Background(), actor.Actor{UserID: userID, Username: role, Roles: []string{role}, OutletID: &outlet})
}

// TestRepairTrustsNoInputs: the technician must be staff of the repair's
// outlet; received_at may not lie beyond repair.max_backdate_days; a
// back-dated walk-in does not mark another outlet's repair as repeated.
func TestRepairTrustsNoInputs(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		e := setup(t, db, withStaff)
		mgr3 := outletActor(6, 3, "outlet_manager")
		other := uint64(41)
		if _, err := e.r.Create(mgr3, repair.NewOrder{UnitID: 1, TechnicianID: &other}); apperr.As(err).Fields["technician_id"].Code == "" {
			t.Fatalf("another outlet's technician accepted: %v", err)
		}
		old := e.clk.Now().AddDate(-2, 0, 0)
		if _, err := e.r.Create(mgr3, repair.NewOrder{UnitID: 1, ReceivedAt: &old}); apperr.As(err).Fields["received_at"].Code == "" {
			t.Fatalf("two years back accepted: %v", err)
		}
		eight := e.clk.Now().AddDate(0, 0, -8)
		if _, err := e.r.Create(mgr3, repair.NewOrder{UnitID: 1, ReceivedAt: &eight}); apperr.As(err).Fields["received_at"].Code == "" {
			t.Fatalf("eight days back accepted: %v", err)
		}
		own := uint64(31)
		if _, err := e.r.Create(mgr3, repair.NewOrder{UnitID: 1, TechnicianID: &own}); err != nil {
			t.Fatalf("own technician: %v", err)
		}

		// Outlet 4 repaired unit 9 on day 0; outlet 3 records, on day 5, a
		// walk-in back-dated to day 1: outlet 4's repair keeps its standing.
		start := e.clk.Now()
		mgr4 := outletActor(7, 4, "outlet_manager")
		a := must(e.r.Create(mgr4, repair.NewOrder{UnitID: 9}))(t)
		must(e.r.Diagnose(mgr4, a.ID, 0, repair.Diagnosis{Diagnosis: "d", FaultCode: "E1", Cause: "c"}))(t)
		must(e.r.Start(mgr4, a.ID, 0))(t)
		a = must(e.r.Complete(mgr4, a.ID, 0, repair.Completion{Result: repair.ResultFixed, CustomerConfirmed: true}))(t)
		e.clk.Add(5 * 24 * time.Hour)
		day1 := start.Add(24 * time.Hour)
		must(e.r.Create(mgr3, repair.NewOrder{UnitID: 9, ReceivedAt: &day1}))(t)
		if d := must(e.r.Get(e.admin, a.ID))(t); d.NextReceivedAt != nil {
			t.Fatalf("a back-dated walk-in re-linked another outlet's repair: next %v", d.NextReceivedAt)
		}
		// The same walk-in recorded as it happens does link it (the unit came back).
		must(e.r.Create(mgr3, repair.NewOrder{UnitID: 9}))(t)
		if d := must(e.r.Get(e.admin, a.ID))(t); d.NextReceivedAt == nil {
			t.Fatal("a walk-in recorded now did not link the earlier repair")
		}
	})
}

// TestTechnicianActsOnlyOnOwnRepairs: a technician takes no step on a
// colleague's repair; the outlet manager does; entitlements are scoped to
// the outlet whose repair raised them.
func TestTechnicianActsOnlyOnOwnRepairs(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		e := setup(t, db, withStaff)
		mgr3 := outletActor(6, 3, "outlet_manager")
		colleague := uint64(32)
		o := must(e.r.Create(mgr3, repair.NewOrder{UnitID: 1, TechnicianID: &colleague}))(t)
		if _, err := e.r.Diagnose(e.tech, o.ID, 0, repair.Diagnosis{Diagnosis: "d", FaultCode: "E1", Cause: "c"}); testutil.Code(err) != "not_assigned_to_you" {
			t.Fatalf("technician on a colleague's repair: %v", err)
		}
		if _, err := e.r.Cancel(e.tech, o.ID, 0, "x"); testutil.Code(err) != "not_assigned_to_you" {
			t.Fatalf("technician cancels a colleague's repair: %v", err)
		}
		must(e.r.Diagnose(outletActor(5, 3, "technician"), o.ID, 0, repair.Diagnosis{Diagnosis: "d", FaultCode: "E1", Cause: "c"}))(t)
		must(e.r.Start(mgr3, o.ID, 0))(t)
		// A repair the technician opens is theirs.
		mine := must(e.r.Create(e.tech, repair.NewOrder{UnitID: 2}))(t)
		if mine.TechnicianID == nil || *mine.TechnicianID != 31 {
			t.Fatalf("own repair technician: %v", mine.TechnicianID)
		}
		must(e.r.Diagnose(e.tech, mine.ID, 0, repair.Diagnosis{Diagnosis: "d", FaultCode: "E1", Cause: "c"}))(t)

		// An entitlement raised at outlet 3 (unit 6, E1 failed twice).
		e.complete(t, 6, "E1", repair.ResultFixed)
		e.complete(t, 6, "E1", repair.ResultNotFixed)
		list, total := must2(e.r.Entitlements(mgr3, repair.EntitlementFilter{}))(t)
		if total != 1 {
			t.Fatalf("own outlet's entitlements: %d", total)
		}
		mgr4 := outletActor(7, 4, "outlet_manager")
		if _, n := must2(e.r.Entitlements(mgr4, repair.EntitlementFilter{UnitID: 6}))(t); n != 0 {
			t.Fatalf("another outlet sees %d entitlements", n)
		}
		if _, err := e.r.CloseEntitlement(mgr4, list[0].ID, 0, repair.EntitlementWaived, "x"); testutil.Code(err) != "not_found" {
			t.Fatalf("another outlet closes an entitlement: %v", err)
		}
	})
}

func must2[T any](v T, n int64, err error) func(t *testing.T) (T, int64) {
	return func(t *testing.T) (T, int64) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v, n
	}
}
