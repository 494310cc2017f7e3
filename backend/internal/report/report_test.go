package report_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/i18n"
	"github.com/aftersales/aftersales/backend/internal/outlet"
	"github.com/aftersales/aftersales/backend/internal/product"
	"github.com/aftersales/aftersales/backend/internal/region"
	"github.com/aftersales/aftersales/backend/internal/repair"
	"github.com/aftersales/aftersales/backend/internal/report"
	"github.com/aftersales/aftersales/backend/internal/testutil"
	"github.com/aftersales/aftersales/backend/internal/ticket"
	"github.com/aftersales/aftersales/backend/internal/workorder"
)

// November 2026 (UTC) is the period of every test here.
var (
	from = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	to   = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
)

func day(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, time.UTC) }
func ptr[T any](v T) *T                         { return &v }

// plant writes a small world whose figures are worked out by hand in the
// tests: two models (KFR-A in lot L1, KFR-B in lot L2), outlets 801 (南山)
// and 802 (福田), technicians 901 (张伟, 南山) and 902 (李娜, 福田).
func plant(t *testing.T, g *gorm.DB) {
	t.Helper()
	now := day(10, 1, 0, 0)
	create := func(v any) {
		t.Helper()
		if err := g.Create(v).Error; err != nil {
			t.Fatal(err)
		}
	}
	create(&product.Category{ID: 701, Code: "AC", Name: "空调", Version: 1, CreatedAt: now, UpdatedAt: now})
	create(&product.Model{ID: 711, Code: "KFR-A", Name: "挂机A", CategoryID: 701, Version: 1, CreatedAt: now, UpdatedAt: now})
	create(&product.Model{ID: 712, Code: "KFR-B", Name: "柜机B", CategoryID: 701, Version: 1, CreatedAt: now, UpdatedAt: now})
	for _, o := range []outlet.Outlet{{ID: 801, Code: "NS", Name: "南山网点", RegionCode: "440305"}, {ID: 802, Code: "FT", Name: "福田网点", RegionCode: "440304"}} {
		o.Kind, o.Address, o.Phone, o.DailyCapacity, o.Status, o.Version, o.CreatedAt, o.UpdatedAt = outlet.KindOwn, "x", "0755-1", 10, outlet.StatusActive, 1, now, now
		create(&o)
	}
	create(&outlet.StaffMember{ID: 901, Name: "张伟", OutletID: ptr(uint64(801)), Post: "维修技师", Phone: "13900000901", Active: true, Version: 1, CreatedAt: now, UpdatedAt: now})
	create(&outlet.StaffMember{ID: 902, Name: "李娜", OutletID: ptr(uint64(802)), Post: "维修技师", Phone: "13900000902", Active: true, Version: 1, CreatedAt: now, UpdatedAt: now})
	// Lot L1 (KFR-A): 1001 and 1002 installed, 1003 bought (no install
	// date), 1009 sold to a customer with no date recorded (registered in
	// October), 1004 in stock, 1005 installed after the period: 4 installed.
	// Lot L2 (KFR-B): 1006, 1007 installed. 1008 has no lot.
	units := []product.Unit{
		{ID: 1001, Serial: "A1", ModelID: 711, ProductionLot: "L1", InstalledAt: ptr(day(3, 1, 0, 0))},
		{ID: 1002, Serial: "A2", ModelID: 711, ProductionLot: "L1", InstalledAt: ptr(day(4, 1, 0, 0)), Status: product.UnitReturned},
		{ID: 1003, Serial: "A3", ModelID: 711, ProductionLot: "L1", PurchaseDate: ptr(day(5, 1, 0, 0))},
		{ID: 1004, Serial: "A4", ModelID: 711, ProductionLot: "L1"},
		{ID: 1005, Serial: "A5", ModelID: 711, ProductionLot: "L1", InstalledAt: ptr(day(12, 2, 0, 0))},
		{ID: 1006, Serial: "B1", ModelID: 712, ProductionLot: "L2", InstalledAt: ptr(day(6, 1, 0, 0))},
		{ID: 1007, Serial: "B2", ModelID: 712, ProductionLot: "L2", PurchaseDate: ptr(day(7, 1, 0, 0))},
		{ID: 1008, Serial: "C1", ModelID: 712, InstalledAt: ptr(day(7, 1, 0, 0))},
		{ID: 1009, Serial: "A9", ModelID: 711, ProductionLot: "L1", CustomerID: ptr(uint64(1))},
	}
	for _, u := range units {
		if u.Status == "" {
			u.Status = product.UnitActive
		}
		u.Version, u.CreatedAt, u.UpdatedAt = 1, now, now
		if u.ID == 1004 {
			u.CreatedAt = day(9, 1, 0, 0) // stock registered before the period still is stock
		}
		create(&u)
	}
	// Repairs: on 1001 two in the period (南山, 福田), one cancelled, one
	// before it; on 1008 (no lot) one.
	repairs := []repair.Order{
		{ID: 1101, OutletID: 801, UnitID: 1001, Status: repair.StatusCompleted, ReceivedAt: day(11, 3, 9, 0)},
		{ID: 1102, OutletID: 802, UnitID: 1001, Status: repair.StatusReceived, ReceivedAt: day(11, 25, 9, 0)},
		{ID: 1103, OutletID: 801, UnitID: 1001, Status: repair.StatusCancelled, ReceivedAt: day(11, 26, 9, 0)},
		{ID: 1104, OutletID: 801, UnitID: 1001, Status: repair.StatusCompleted, ReceivedAt: day(10, 3, 9, 0)},
		{ID: 1105, OutletID: 801, UnitID: 1008, Status: repair.StatusCompleted, ReceivedAt: day(11, 3, 9, 0)},
	}
	for _, r := range repairs {
		r.Number, r.Serial, r.ModelID, r.Channel, r.Version, r.CreatedAt, r.UpdatedAt = fmt.Sprint("R", r.ID), "S", 711, repair.ChannelWalkIn, 1, now, now
		create(&r)
	}
	// Tickets (see TestVolume for the expected groups).
	tickets := []ticket.Ticket{
		{ID: 1201, UnitID: ptr(uint64(1001)), FaultCode: "E1", RegionCode: "440305", OutletID: ptr(uint64(801)), CreatedAt: day(11, 5, 0, 0)},
		{ID: 1202, UnitID: ptr(uint64(1006)), FaultCode: "E2", RegionCode: "440304", OutletID: ptr(uint64(802)), CreatedAt: day(11, 10, 0, 0), ResolvedAt: ptr(day(11, 12, 0, 0))},
		{ID: 1203, UnitID: ptr(uint64(1002)), FaultCode: "E1", RegionCode: "440305", OutletID: ptr(uint64(801)), CreatedAt: day(10, 20, 0, 0), ResolvedAt: ptr(day(12, 3, 0, 0))},
		{ID: 1204, UnitID: ptr(uint64(1001)), FaultCode: "E1", RegionCode: "440305", OutletID: ptr(uint64(801)), CreatedAt: day(10, 1, 0, 0), ResolvedAt: ptr(day(10, 5, 0, 0))},
		{ID: 1205, FaultCode: "", RegionCode: "110105", CreatedAt: day(11, 15, 0, 0), MergedIntoID: ptr(uint64(1201))},
		{ID: 1206, FaultCode: "E1", RegionCode: "110105", CreatedAt: day(11, 20, 0, 0)},
	}
	for _, tk := range tickets {
		tk.Number, tk.Channel, tk.Type, tk.Priority, tk.Status, tk.CustomerID, tk.Version, tk.UpdatedAt, tk.SLACheckedAt =
			fmt.Sprint("T", tk.ID), ticket.ChannelPhone, ticket.TypeRepair, ticket.PriorityNormal, ticket.StatusNew, 1, 1, tk.CreatedAt, tk.CreatedAt
		create(&tk)
	}
	// Work orders (see TestTechnicians).
	wos := []workorder.WorkOrder{
		{ID: 1301, TechnicianStaffID: ptr(uint64(901)), OutletID: ptr(uint64(801)), UnitID: ptr(uint64(1001)), Result: workorder.ResultDone,
			CreatedAt: day(11, 5, 0, 0), ArrivedAt: ptr(day(11, 6, 9, 0)), CompletedAt: ptr(day(11, 6, 10, 0)), RepeatUntil: ptr(day(12, 6, 10, 0))},
		{ID: 1302, TechnicianStaffID: ptr(uint64(901)), OutletID: ptr(uint64(801)), UnitID: ptr(uint64(1002)), Result: workorder.ResultDone,
			CreatedAt: day(11, 7, 0, 0), ArrivedAt: ptr(day(11, 8, 8, 0)), CompletedAt: ptr(day(11, 8, 8, 30)), RepeatUntil: ptr(day(12, 8, 8, 30))},
		{ID: 1303, TechnicianStaffID: ptr(uint64(902)), OutletID: ptr(uint64(802)), UnitID: ptr(uint64(1001)), Result: workorder.ResultNotFixed,
			CreatedAt: day(11, 20, 0, 0), CompletedAt: ptr(day(11, 21, 10, 0)), RepeatUntil: ptr(day(12, 21, 10, 0))},
		{ID: 1304, TechnicianStaffID: ptr(uint64(902)), OutletID: ptr(uint64(802)), Result: workorder.ResultDone,
			CreatedAt: day(11, 22, 0, 0), ArrivedAt: ptr(day(11, 22, 10, 0)), CompletedAt: ptr(day(11, 22, 12, 0)), RepeatUntil: ptr(day(12, 22, 12, 0))},
		{ID: 1305, TechnicianStaffID: ptr(uint64(901)), OutletID: ptr(uint64(801)), UnitID: ptr(uint64(1006)), Result: workorder.ResultDone,
			CreatedAt: day(10, 14, 0, 0), CompletedAt: ptr(day(10, 15, 0, 0)), RepeatUntil: ptr(day(11, 14, 0, 0))},
	}
	for _, w := range wos {
		w.Number, w.TicketID, w.Kind, w.Status, w.CustomerID, w.RegionCode, w.Version, w.UpdatedAt = fmt.Sprint("W", w.ID), 1201, workorder.KindRepair, workorder.StatusCompleted, 1, "440305", 1, w.CreatedAt
		create(&w)
	}
}

func newReads(t *testing.T, g *gorm.DB) *report.Reads {
	t.Helper()
	regions, err := region.Load()
	if err != nil {
		t.Fatal(err)
	}
	return report.New(report.Options{DB: g, Regions: regions, FailureRateWarning: 0.05})
}

var (
	hq         = actor.With(context.Background(), actor.Actor{UserID: 1, Username: "qm", Roles: []string{"quality_manager"}})
	futianMgr  = actor.With(context.Background(), actor.Actor{UserID: 2, Username: "om", Roles: []string{"outlet_manager"}, OutletID: ptr(uint64(802))})
	noOutletOM = actor.With(context.Background(), actor.Actor{UserID: 3, Username: "om0", Roles: []string{"outlet_manager"}})
)

type vol struct {
	key, label      string
	volume, backlog int64
}

func volumes(t *testing.T, v report.Volume) []vol {
	t.Helper()
	var out []vol
	for _, r := range v.Rows {
		out = append(out, vol{r.Key, r.Label, r.Volume, r.Backlog})
	}
	return out
}

func equal[T comparable](t *testing.T, what string, got, want []T) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %+v, want %+v", what, got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%s: got %+v, want %+v", what, got, want)
		}
	}
}

// TestVolumeAndBacklogByDimension: November's volume counts tickets 1201,
// 1202 and 1206 (1203 and 1204 are older, 1205 is merged); the backlog at
// 1 December counts 1201, 1206 (open) and 1203 (resolved only on 3
// December).
func TestVolumeAndBacklogByDimension(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		plant(t, g)
		r := newReads(t, g)
		f := report.Filter{From: from, To: to}
		cases := map[string][]vol{
			report.ByProduct:   {{"KFR-A", "挂机A", 1, 2}, {"", "", 1, 1}, {"KFR-B", "柜机B", 1, 0}},
			report.ByFaultCode: {{"E1", "E1", 2, 3}, {"E2", "E2", 1, 0}},
			report.ByRegion:    {{"440300", "广东省 深圳市", 2, 2}, {"110100", "北京市", 1, 1}},
			report.ByLot:       {{"L1", "L1", 1, 2}, {"", "", 1, 1}, {"L2", "L2", 1, 0}},
		}
		for dim, want := range cases {
			v, err := r.Volume(hq, dim, f)
			if err != nil {
				t.Fatal(dim, err)
			}
			equal(t, dim, volumes(t, v), want)
			if v.Total.Volume != 3 || v.Total.Backlog != 3 {
				t.Fatalf("%s total %+v", dim, v.Total)
			}
		}
		// One outlet: 南山 holds 1201 and 1203.
		v, _ := r.Volume(hq, report.ByProduct, report.Filter{From: from, To: to, OutletID: 801})
		equal(t, "outlet 801", volumes(t, v), []vol{{"KFR-A", "挂机A", 1, 2}})
		// An outlet manager gets their own outlet whatever they ask for.
		v, _ = r.Volume(futianMgr, report.ByProduct, report.Filter{From: from, To: to, OutletID: 801})
		equal(t, "福田's manager", volumes(t, v), []vol{{"KFR-B", "柜机B", 1, 0}})
		// An outlet role without an outlet sees nothing, never everything.
		if v, _ = r.Volume(noOutletOM, report.ByProduct, f); len(v.Rows) != 0 || v.Total.Volume != 0 {
			t.Fatalf("outlet role without outlet: %+v", v)
		}
		if _, err := r.Volume(hq, "colour", f); !apperr.IsKind(err, apperr.KindValidation) {
			t.Fatalf("unknown dimension: %v", err)
		}
		if _, err := r.Volume(hq, report.ByLot, report.Filter{From: to, To: from}); !apperr.IsKind(err, apperr.KindValidation) {
			t.Fatalf("reversed period: %v", err)
		}
	})
}

// TestFailureRatePerLot: lot L1 has 4 installed units (1001, 1002 by their
// install dates, 1003 by its purchase date, 1009 sold without dates by its
// registration; 1004 is stock, 1005 installed after the period) and 2
// repairs in November on one unit (the cancelled and the October one do
// not count): 2/4. L2: 2 installed, no repair.
func TestFailureRatePerLot(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		plant(t, g)
		r := newReads(t, g)
		fr, err := r.FailureRate(hq, report.Filter{From: from, To: to}, 0)
		if err != nil {
			t.Fatal(err)
		}
		type row struct {
			lot, model                   string
			installed, repairs, repaired int64
			rate                         float64
			warning                      bool
		}
		var got []row
		for _, x := range fr.Rows {
			got = append(got, row{x.Lot, x.Model, x.Installed, x.Repairs, x.UnitsRepaired, *x.Rate, x.Warning})
		}
		equal(t, "failure rate", got, []row{{"L1", "挂机A", 4, 2, 1, 0.5, true}, {"L2", "柜机B", 2, 0, 0, 0, false}})
		if fr.Threshold != 0.05 {
			t.Fatalf("threshold %v", fr.Threshold)
		}
		// A higher threshold for one request; 福田's manager counts only
		// 福田's repairs (1102) over the lot's whole installed base.
		fr, _ = r.FailureRate(futianMgr, report.Filter{From: from, To: to}, 0.5)
		if fr.Rows[0].Lot != "L1" || fr.Rows[0].Repairs != 1 || *fr.Rows[0].Rate != 0.25 || fr.Rows[0].Warning || fr.Threshold != 0.5 {
			t.Fatalf("福田 %+v", fr.Rows[0])
		}
		// The workbook shows the same figures, its words in the reader's
		// language (zh-CN by default, English on request).
		text, err := i18n.New()
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			accept, sheet string
			header        []string
		}{
			{"zh-CN,zh;q=0.9", "批次故障率", []string{"生产批次", "型号", "在用台数", "维修单数", "维修台数", "故障率", "预警（≥50.00%）"}},
			{"", "批次故障率", []string{"生产批次", "型号", "在用台数", "维修单数", "维修台数", "故障率", "预警（≥50.00%）"}},
			{"en-US,en;q=0.8", "Failure rate by lot", []string{"Production lot", "Model", "Units in use", "Repair orders", "Units repaired", "Failure rate", "Warning (≥50.00%)"}},
		} {
			var buf bytes.Buffer
			if err := report.WriteXLSX(&buf, fr.Sheet(text.For(c.accept))); err != nil {
				t.Fatal(err)
			}
			book, err := excelize.OpenReader(&buf)
			if err != nil {
				t.Fatal(err)
			}
			rows, _ := book.GetRows(c.sheet)
			if len(rows) < 2 {
				t.Fatalf("%q: no sheet %q", c.accept, c.sheet)
			}
			equal(t, "header "+c.accept, rows[0], c.header)
			equal(t, "L1", rows[1], []string{"L1", "挂机A", "4", "1", "1", "25.00%"})
		}
	})
}

// TestTechnicianProductivity: 张伟 completed 1301 and 1302 in November
// (1305 is October's); 1301 was followed by 1303 on the same unit within
// 30 days, so one of two was a first-time fix; on site 60 and 30 minutes.
// 李娜 completed 1303 (not fixed) and 1304 (no unit: not eligible), on
// site 120 minutes (1303 has no arrival).
func TestTechnicianProductivity(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		plant(t, g)
		r := newReads(t, g)
		tr, err := r.Technicians(hq, report.Filter{From: from, To: to})
		if err != nil {
			t.Fatal(err)
		}
		type row struct {
			id                        uint64
			name, outlet              string
			completed, eligible, fixd int64
			rate, onSite              float64
		}
		var got []row
		for _, x := range tr.Rows {
			got = append(got, row{x.StaffID, x.Name, x.Outlet, x.Completed, x.FirstTimeFixEligible, x.FirstTimeFixed, *x.FirstTimeFixRate, *x.AvgOnSiteMinutes})
		}
		equal(t, "technicians", got, []row{{901, "张伟", "南山网点", 2, 2, 1, 0.5, 45}, {902, "李娜", "福田网点", 2, 1, 0, 0, 120}})
		tr, _ = r.Technicians(futianMgr, report.Filter{From: from, To: to, OutletID: 801})
		if len(tr.Rows) != 1 || tr.Rows[0].StaffID != 902 {
			t.Fatalf("福田's manager sees %+v", tr.Rows)
		}
	})
}
