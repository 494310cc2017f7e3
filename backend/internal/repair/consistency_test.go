package repair_test

import (
	"context"
	"strconv"
	"testing"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/parts"
	"github.com/aftersales/aftersales/backend/internal/repair"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

// staffRegister is a fake staff register: 31 works at the test outlet, 32
// elsewhere. Renaming 31 must show on every repair that names him.
type staffRegister map[uint64]repair.Technician

func (s staffRegister) lookup(_ context.Context, ids []uint64) (map[uint64]repair.Technician, error) {
	out := map[uint64]repair.Technician{}
	for _, id := range ids {
		if t, ok := s[id]; ok {
			out[id] = t
		}
	}
	return out, nil
}

func (s staffRegister) member(_ context.Context, id uint64) (repair.StaffMember, error) {
	t, ok := s[id]
	if !ok {
		return repair.StaffMember{}, apperr.NotFound("staff")
	}
	return repair.StaffMember{ID: id, OutletID: t.OutletID, Active: true}, nil
}

// Defect 6: technician_name stayed empty when technician_id was given. The
// name is joined on read from the staff register, never stored, so it
// cannot drift; an unknown or foreign technician is refused.
func TestTechnicianNameIsJoinedOnRead(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		e := setup(t, db)
		staff := staffRegister{31: {Name: "王强", OutletID: outlet}, 32: {Name: "赵六", OutletID: outlet + 1}}
		fu := fakeUnits{}
		rs := repair.New(repair.Options{DB: db, Audit: audit.New(nil), Units: fu.unit, Warranty: fu.warranty, Stock: e.p, Now: e.clk.Now,
			Technicians: staff.lookup, Staff: staff.member})
		tech := uint64(31)
		o, err := rs.Create(e.tech, repair.NewOrder{UnitID: 1, Complaint: "不制冷", TechnicianID: &tech})
		if err != nil || o.TechnicianName != "王强" {
			t.Fatalf("create: %v %q", err, o.TechnicianName)
		}
		var stored repair.Order
		db.Where("id = ?", o.ID).Take(&stored)
		if stored.TechnicianName != "" {
			t.Fatalf("a copy of the name was stored: %q", stored.TechnicianName)
		}
		staff[31] = repair.Technician{Name: "王强强", OutletID: outlet}
		d, err := rs.Get(e.tech, o.ID)
		if err != nil || d.TechnicianName != "王强强" {
			t.Fatalf("get after rename: %v %q", err, d.TechnicianName)
		}
		list, err := rs.List(e.tech, repair.Filter{})
		if err != nil || len(list) != 1 || list[0].TechnicianName != "王强强" {
			t.Fatalf("list: %v %+v", err, list)
		}
		for _, id := range []uint64{32, 99} {
			bad := id
			if _, err := rs.Create(e.tech, repair.NewOrder{UnitID: 1, TechnicianID: &bad}); testutil.Code(err) != "validation_failed" {
				t.Fatalf("technician %d: %v", id, err)
			}
		}
	})
}

// Defect 9: a part taken by mistake could not be removed. Removing it puts
// it back into stock with a ledger entry and is audited; it is refused once
// the repair is completed.
func TestPartRecordedInErrorGoesBackToStock(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		e := setup(t, db)
		p := e.stockPart(t, "CAP-9", 1200, 3)
		o := must(e.r.Create(e.tech, repair.NewOrder{UnitID: 3, Complaint: "不启动"}))(t)
		must(e.r.Diagnose(e.tech, o.ID, 0, repair.Diagnosis{Diagnosis: "电容失效", FaultCode: "E1"}))(t)
		must(e.r.Start(e.tech, o.ID, 0))(t)
		o, line, err := e.r.AddPart(e.tech, o.ID, 0, repair.PartUse{PartID: p.ID, Qty: 2})
		if err != nil || o.PartsFen != 2400 {
			t.Fatalf("add part: %v %+v", err, o)
		}
		if _, err := e.r.RemovePart(e.tech, o.ID, line.ID+1000, 0, ""); testutil.Code(err) != "not_found" {
			t.Fatalf("unknown line: %v", err)
		}
		o, err = e.r.RemovePart(e.tech, o.ID, line.ID, o.Version, "领错型号")
		if err != nil || o.PartsFen != 0 {
			t.Fatalf("remove: %v %+v", err, o)
		}
		d := must(e.r.Get(e.tech, o.ID))(t)
		if len(d.Parts) != 0 {
			t.Fatalf("line still there: %+v", d.Parts)
		}
		loc := uint64(outlet)
		ms := must(e.p.Movements(e.admin, parts.MovementFilter{PartID: p.ID, LocationID: &loc}))(t)
		if len(ms) != 3 || ms[0].Kind != parts.KindReturn || ms[0].Qty != 2 || ms[0].BalanceAfter != 3 || ms[0].Note != parts.NoteRecordedInError+"（领错型号）" {
			t.Fatalf("ledger %+v", ms)
		}
		if bad, err := e.p.LedgerCheck(e.admin); err != nil || len(bad) != 0 {
			t.Fatalf("ledger check %v %v", bad, err)
		}
		var audits int64
		db.Table("audit_records").Where("action = ? AND entity = ? AND entity_id = ?", "remove_part", "repair_part", strconv.FormatUint(line.ID, 10)).Count(&audits)
		if audits != 1 {
			t.Fatalf("audit records of the removal: %d", audits)
		}
		// After completion the lines are final.
		o, line2, err := e.r.AddPart(e.tech, o.ID, 0, repair.PartUse{PartID: p.ID, Qty: 1})
		if err != nil {
			t.Fatal(err)
		}
		must(e.r.Complete(e.tech, o.ID, 0, repair.Completion{Result: repair.ResultFixed, CustomerConfirmed: true}))(t)
		if _, err := e.r.RemovePart(e.tech, o.ID, line2.ID, 0, ""); testutil.Code(err) != "invalid_transition" {
			t.Fatalf("remove after completion: %v", err)
		}
	})
}

// completedWorkOrder is a fake dispatch domain: work order 77 was completed
// as done, which agrees only with a fixed repair (workorder.ResultAgrees).
type completedWorkOrder struct{ asked *[]string }

func (c completedWorkOrder) CheckRepairOutcome(_ context.Context, tx *gorm.DB, id uint64, outcome string) error {
	if tx == nil {
		return apperr.Conflict("no_tx", "asked outside the repair's transaction")
	}
	*c.asked = append(*c.asked, outcome)
	if id == 77 && outcome != "fixed" {
		return apperr.Conflict("result_disagrees_with_work_order", "the work order was completed as done")
	}
	return nil
}

// Defect 2, the reverse order: the work order was completed as done first,
// then its repair was completed not_fixed (or its quote declined) and that
// was accepted. The repair now asks its work order's rule inside its
// transaction and is refused; nothing of the refused completion is stored.
func TestRepairMustAgreeWithItsCompletedWorkOrder(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		var asked []string
		e := setup(t, db, func(o *repair.Options) { o.WorkOrderResults = completedWorkOrder{&asked} })
		wo := uint64(77)
		o := must(e.r.Create(e.tech, repair.NewOrder{WorkOrderID: &wo}))(t)
		must(e.r.Diagnose(e.tech, o.ID, 0, repair.Diagnosis{Diagnosis: "压缩机损坏", FaultCode: "E5"}))(t)
		must(e.r.Start(e.tech, o.ID, 0))(t)
		if _, err := e.r.Complete(e.tech, o.ID, 0, repair.Completion{Result: repair.ResultNotFixed}); testutil.Code(err) != "result_disagrees_with_work_order" {
			t.Fatalf("not_fixed under a done work order: %v", err)
		}
		d := must(e.r.Get(e.tech, o.ID))(t)
		if d.Status == repair.StatusCompleted || d.Result != "" || d.CompletedAt != nil {
			t.Fatalf("the refused completion was stored: %+v", d.Order)
		}
		d2 := must(e.r.Complete(e.tech, o.ID, 0, repair.Completion{Result: repair.ResultFixed, CustomerConfirmed: true}))(t)
		if d2.Status != repair.StatusCompleted || d2.Result != repair.ResultFixed {
			t.Fatalf("fixed under a done work order: %+v", d2)
		}
		if len(asked) != 2 || asked[0] != "not_fixed" || asked[1] != "fixed" {
			t.Fatalf("outcomes asked: %v", asked)
		}
		// A repair without a work order is not asked.
		free := must(e.r.Create(e.tech, repair.NewOrder{UnitID: 1, Complaint: "不制冷"}))(t)
		must(e.r.Diagnose(e.tech, free.ID, 0, repair.Diagnosis{Diagnosis: "缺氟", FaultCode: "E1"}))(t)
		must(e.r.Start(e.tech, free.ID, 0))(t)
		must(e.r.Complete(e.tech, free.ID, 0, repair.Completion{Result: repair.ResultNotFixed}))(t)
		if len(asked) != 2 {
			t.Fatalf("a repair without a work order asked: %v", asked)
		}
	})
}
