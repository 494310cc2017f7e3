package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/parts"
	"github.com/aftersales/aftersales/backend/internal/product"
	"github.com/aftersales/aftersales/backend/internal/recall"
	"github.com/aftersales/aftersales/backend/internal/repair"
	"github.com/aftersales/aftersales/backend/internal/returns"
)

// ServiceOpsDeps are what the repairs, spare parts, returns and recall
// demo uses: the parts and repair services for the catalogue and labour
// rates (master data, with audit records), the recall service for the
// campaign (its affected set is resolved the real way) and the database for
// the seeded history.
type ServiceOpsDeps struct {
	DB       *gorm.DB
	Parts    *parts.Service
	Repairs  *repair.Service
	Recalls  *recall.Service
	Now      time.Time
	Location *time.Location
}

// demoPart is a catalogue part: the categories it fits and its price (fen).
type demoPart struct {
	Code, Name, Spec string
	Cats             []string
	PriceFen         int64
}

var demoParts = []demoPart{
	{"AC-CMP-15", "变频压缩机", "1.5匹 R32", []string{"AC"}, 68000},
	{"AC-PCB-IN", "室内机主控板", "变频通用", []string{"AC"}, 32000},
	{"AC-PCB-OUT", "室外机电源板", "变频通用", []string{"AC"}, 29000},
	{"AC-FAN-OUT", "室外风机电机", "YDK-40", []string{"AC"}, 26000},
	{"AC-VLV-4", "四通换向阀", "DSF-9", []string{"AC"}, 18000},
	{"AC-SNS-T", "温度传感器", "10K NTC", []string{"AC", "REF"}, 2500},
	{"AC-RMT", "遥控器", "YB1FA", []string{"AC"}, 4500},
	{"REF-CMP", "冰箱压缩机", "R600a 变频", []string{"REF"}, 52000},
	{"REF-THM", "温控器", "WDF-25", []string{"REF"}, 6500},
	{"REF-SEAL", "门封条", "冷藏室", []string{"REF"}, 8500},
	{"REF-FAN", "蒸发器风扇", "DC 12V", []string{"REF"}, 9800},
	{"REF-PCB", "冰箱主控板", "变频通用", []string{"REF"}, 26000},
	{"WM-MTR-DD", "直驱电机", "BLDC", []string{"WM"}, 58000},
	{"WM-PCB", "洗衣机电脑板", "滚筒通用", []string{"WM"}, 28000},
	{"WM-PMP", "排水泵", "30W", []string{"WM", "DW"}, 7500},
	{"WM-BRG", "轴承组件", "6205/6206", []string{"WM"}, 16000},
	{"WM-SEAL", "门封圈", "滚筒 10kg", []string{"WM"}, 9000},
	{"WH-HTR", "电加热管", "2100W", []string{"WH"}, 12000},
	{"WH-ANO", "镁棒", "φ22×300", []string{"WH"}, 3800},
	{"WH-THS", "温控器", "防干烧", []string{"WH"}, 4200},
	{"WH-IGN", "脉冲点火器", "燃气热水器", []string{"WH"}, 6800},
	{"WH-FAN", "燃气热水器风机", "13L", []string{"WH"}, 15000},
	{"TV-PNL-55", "55英寸液晶屏", "4K", []string{"TV"}, 165000},
	{"TV-PSU", "电视电源板", "通用", []string{"TV"}, 22000},
	{"TV-MB", "电视主板", "4K 智能", []string{"TV"}, 38000},
	{"TV-LED", "背光灯条", "55英寸 一套", []string{"TV"}, 9500},
	{"HOOD-MTR", "油烟机电机", "220W", []string{"HOOD"}, 32000},
	{"HOOD-SW", "开关控制板", "触摸式", []string{"HOOD"}, 8500},
	{"HOB-IGN", "脉冲点火器", "燃气灶", []string{"HOB"}, 4500},
	{"HOB-THC", "熄火保护热电偶", "通用", []string{"HOB"}, 3000},
	{"DW-PMP", "洗涤泵", "60W", []string{"DW"}, 18000},
	{"DW-HTR", "加热器", "1800W", []string{"DW"}, 16000},
}

// demoLabour is the published labour rates (fen per job).
var demoLabour = []repair.NewLabourRate{
	{Code: "L-INSPECT", Name: "上门检测", PriceFen: 5000},
	{Code: "L-SMALL", Name: "更换易损件（小修）", PriceFen: 8000},
	{Code: "L-BOARD", Name: "更换电路板", PriceFen: 12000},
	{Code: "L-MOTOR", Name: "更换电机/泵", PriceFen: 15000},
	{Code: "L-CMP", Name: "更换压缩机（含抽真空、加注制冷剂）", PriceFen: 35000},
	{Code: "L-PANEL", Name: "更换屏幕", PriceFen: 20000},
	{Code: "L-DISMOUNT", Name: "拆装机", PriceFen: 10000},
}

// demoFault is a fault of a category: its code, what was found, the cause,
// the parts it usually needs and the labour rate.
type demoFault struct {
	Code, Diagnosis, Cause string
	Parts                  []string
	Labour                 string
}

var demoFaults = map[string][]demoFault{
	"AC": {
		{"E1", "压缩机不启动，启动电流过大", "压缩机卡缸", []string{"AC-CMP-15"}, "L-CMP"},
		{"P5", "室内外机通讯故障", "室外机电源板损坏", []string{"AC-PCB-OUT"}, "L-BOARD"},
		{"F1", "室内温度传感器故障", "传感器阻值漂移", []string{"AC-SNS-T"}, "L-SMALL"},
		{"H6", "室外风机不转", "风机电机绕组烧毁", []string{"AC-FAN-OUT"}, "L-MOTOR"},
		{"E4", "制热效果差", "四通阀串气", []string{"AC-VLV-4"}, "L-CMP"},
		{"C1", "遥控无反应", "遥控器损坏", []string{"AC-RMT"}, "L-INSPECT"},
		{"E0", "开机无反应", "室内机主控板损坏", []string{"AC-PCB-IN"}, "L-BOARD"},
	},
	"REF": {
		{"E5", "冷藏室不制冷", "压缩机效率下降", []string{"REF-CMP"}, "L-CMP"},
		{"E1", "冷藏温度显示异常", "温控器失效", []string{"REF-THM"}, "L-SMALL"},
		{"F3", "冷冻室结霜严重", "蒸发器风扇停转", []string{"REF-FAN"}, "L-MOTOR"},
		{"DS", "门体漏冷", "门封条老化变形", []string{"REF-SEAL"}, "L-SMALL"},
		{"E0", "整机不工作", "主控板电源模块损坏", []string{"REF-PCB"}, "L-BOARD"},
	},
	"WM": {
		{"E21", "排水超时", "排水泵叶轮卡死", []string{"WM-PMP"}, "L-MOTOR"},
		{"E45", "滚筒不转", "直驱电机霍尔故障", []string{"WM-MTR-DD"}, "L-MOTOR"},
		{"UE", "脱水异响抖动", "轴承磨损", []string{"WM-BRG"}, "L-DISMOUNT"},
		{"LK", "门口漏水", "门封圈破损", []string{"WM-SEAL"}, "L-SMALL"},
		{"E30", "程序无法启动", "电脑板继电器损坏", []string{"WM-PCB"}, "L-BOARD"},
	},
	"WH": {
		{"E1", "热水器不加热", "加热管烧断", []string{"WH-HTR"}, "L-SMALL"},
		{"E3", "防干烧动作", "温控器失效", []string{"WH-THS"}, "L-SMALL"},
		{"E4", "点火失败", "点火器放电弱", []string{"WH-IGN"}, "L-SMALL"},
		{"E6", "水质浑浊、有异味", "镁棒耗尽", []string{"WH-ANO"}, "L-SMALL"},
		{"E8", "风机异响", "风机轴承磨损", []string{"WH-FAN"}, "L-MOTOR"},
	},
	"TV": {
		{"NB", "有声音无图像", "背光灯条损坏", []string{"TV-LED"}, "L-PANEL"},
		{"NP", "屏幕竖线", "液晶屏损坏", []string{"TV-PNL-55"}, "L-PANEL"},
		{"RB", "反复重启", "电源板电容鼓包", []string{"TV-PSU"}, "L-BOARD"},
		{"NS", "无信号、无法开机", "主板损坏", []string{"TV-MB"}, "L-BOARD"},
	},
	"HOOD": {
		{"M1", "电机异响、吸力弱", "电机轴承损坏", []string{"HOOD-MTR"}, "L-MOTOR"},
		{"S1", "按键失灵", "开关控制板进油短路", []string{"HOOD-SW"}, "L-SMALL"},
	},
	"HOB": {
		{"I1", "点火无火花", "点火器损坏", []string{"HOB-IGN"}, "L-SMALL"},
		{"I2", "松手即熄火", "热电偶失效", []string{"HOB-THC"}, "L-SMALL"},
	},
	"DW": {
		{"W1", "洗涤无喷淋", "洗涤泵损坏", []string{"DW-PMP"}, "L-MOTOR"},
		{"W2", "水不加热", "加热器断路", []string{"DW-HTR"}, "L-SMALL"},
		{"W3", "排水不畅", "排水泵堵转", []string{"WM-PMP"}, "L-MOTOR"},
	},
}

// demoRefund is the typical price (fen) refunded for a returned unit.
var demoRefund = map[string]int64{"AC": 329900, "REF": 399900, "WM": 279900, "WH": 169900, "TV": 459900, "HOOD": 259900, "HOB": 129900, "DW": 399900}

type opsUnit struct {
	ID           uint64
	Serial       string
	ModelID      uint64
	CustomerID   *uint64
	PurchaseDate *time.Time
}

type opsWorkOrder struct {
	ID                uint64
	TicketID          uint64
	OutletID          uint64
	UnitID            uint64
	TechnicianStaffID *uint64
	Status            string
	AcceptedAt        *time.Time
	ArrivedAt         *time.Time
	CompletedAt       *time.Time
	Result            string
}

// opsGen holds the demo world and what is generated, before the bulk insert.
type opsGen struct {
	d         ServiceOpsDeps
	r         *rand.Rand
	now       time.Time
	today     time.Time
	units     map[uint64]opsUnit
	unitIDs   []uint64
	policy    map[uint64]product.Policy // by model id
	catOf     map[uint64]string         // model id → category code
	outlets   []uint64
	staff     map[uint64]string
	custNames map[uint64]string
	parts     map[string]parts.Part
	labour    map[string]repair.LabourRate

	nextRepair, nextPartLine uint64
	repairs                  []repair.Order
	quoteLines               []repair.QuoteLine
	partLines                []repair.PartLine
	entitlements             []repair.Entitlement
	moves                    []parts.Movement
	reqs                     []parts.Requisition
	reqLines                 []parts.RequisitionLine
}

// SeedServiceOps creates the demo enterprise's repairs, spare parts,
// returns and recall: the parts catalogue and labour rates (through the
// services, with audit records); twelve months of repairs on the completed
// repair work orders (and walk-ins), with faulty and replacement serials,
// quotes out of warranty, old parts returned or pending, a few repeat
// repairs and a 三包 replacement entitlement; stock at the central
// warehouse and every outlet as a consistent ledger (opening receipts,
// consumption, requisitions shipped and received, some late); a few return
// and exchange requests (one refused inside the window, one decided late);
// and one recall campaign in progress, defined by model and lot, with
// partial notification and remedy. The seeded history is bulk-inserted
// without audit records (it is not a change anyone made). It does nothing
// when repairs exist.
func SeedServiceOps(ctx context.Context, d ServiceOpsDeps) error {
	ctx = actor.With(ctx, actor.System("seed"))
	db := d.DB.WithContext(ctx)
	var n int64
	if err := db.Model(&repair.Order{}).Count(&n).Error; err != nil {
		return fmt.Errorf("count repairs: %w", err)
	}
	if n > 0 {
		return nil
	}
	if d.Location == nil {
		d.Location = time.UTC
	}
	g := &opsGen{d: d, r: rand.New(rand.NewPCG(4, 2026)), now: d.Now.UTC(), today: product.LocalDate(d.Now, d.Location),
		parts: map[string]parts.Part{}, labour: map[string]repair.LabourRate{}}
	if err := g.catalogue(ctx); err != nil {
		return err
	}
	if err := g.world(ctx); err != nil {
		return err
	}
	if len(g.outlets) == 0 || len(g.unitIDs) == 0 {
		return fmt.Errorf("service ops demo: seed outlets, customers and units first")
	}
	wos, err := g.workOrders(ctx)
	if err != nil {
		return err
	}
	g.nextRepair, g.nextPartLine = 1, 1
	for _, w := range wos {
		g.fromWorkOrder(w)
	}
	g.walkIns(300)
	g.showcase()
	g.requisitions(360)
	if err := g.insertRepairsAndStock(ctx); err != nil {
		return err
	}
	if err := g.returns(ctx); err != nil {
		return err
	}
	return g.recall(ctx)
}

func (g *opsGen) catalogue(ctx context.Context) error {
	var cats []product.Category
	if err := g.d.DB.WithContext(ctx).Find(&cats).Error; err != nil {
		return fmt.Errorf("categories: %w", err)
	}
	catID := map[string]uint64{}
	for _, c := range cats {
		catID[c.Code] = c.ID
	}
	for _, p := range demoParts {
		var ids []uint64
		for _, c := range p.Cats {
			if id, ok := catID[c]; ok {
				ids = append(ids, id)
			}
		}
		got, err := g.d.Parts.CreatePart(ctx, parts.NewPart{Code: p.Code, Name: p.Name, Spec: p.Spec, Unit: "个", PriceFen: p.PriceFen, CategoryIDs: ids})
		if err != nil {
			return fmt.Errorf("part %s: %w", p.Code, err)
		}
		g.parts[got.Code] = got
	}
	for _, l := range demoLabour {
		got, err := g.d.Repairs.CreateLabourRate(ctx, l)
		if err != nil {
			return fmt.Errorf("labour rate %s: %w", l.Code, err)
		}
		g.labour[got.Code] = got
	}
	return nil
}

// world reads the units, models and policies, active outlets, staff and
// customer names with plain queries.
func (g *opsGen) world(ctx context.Context) error {
	db := g.d.DB.WithContext(ctx)
	var cats []product.Category
	var models []product.Model
	if err := db.Find(&cats).Error; err != nil {
		return fmt.Errorf("categories: %w", err)
	}
	if err := db.Find(&models).Error; err != nil {
		return fmt.Errorf("models: %w", err)
	}
	byID := map[uint64]product.Category{}
	for _, c := range cats {
		byID[c.ID] = c
	}
	g.policy, g.catOf = map[uint64]product.Policy{}, map[uint64]string{}
	for _, m := range models {
		c := byID[m.CategoryID]
		g.policy[m.ID], g.catOf[m.ID] = m.Policy(c.Policy()), c.Code
	}
	var us []opsUnit
	if err := db.Table("units").Select("id, serial, model_id, customer_id, purchase_date").Order("id").Scan(&us).Error; err != nil {
		return fmt.Errorf("units: %w", err)
	}
	g.units = make(map[uint64]opsUnit, len(us))
	for _, u := range us {
		if _, ok := demoFaults[g.catOf[u.ModelID]]; !ok || u.CustomerID == nil {
			continue
		}
		g.units[u.ID] = u
		g.unitIDs = append(g.unitIDs, u.ID)
	}
	if err := db.Table("outlets").Where("status = ?", "active").Order("id").Pluck("id", &g.outlets).Error; err != nil {
		return fmt.Errorf("outlets: %w", err)
	}
	var staff []struct {
		ID   uint64
		Name string
	}
	if err := db.Table("staff_members").Select("id, name").Scan(&staff).Error; err != nil {
		return fmt.Errorf("staff: %w", err)
	}
	g.staff = map[uint64]string{}
	for _, s := range staff {
		g.staff[s.ID] = s.Name
	}
	var custs []struct {
		ID   uint64
		Name string
	}
	if err := db.Table("customers").Select("id, name").Scan(&custs).Error; err != nil {
		return fmt.Errorf("customers: %w", err)
	}
	g.custNames = map[uint64]string{}
	for _, c := range custs {
		g.custNames[c.ID] = c.Name
	}
	return nil
}

func (g *opsGen) workOrders(ctx context.Context) ([]opsWorkOrder, error) {
	var out []opsWorkOrder
	err := g.d.DB.WithContext(ctx).Table("work_orders").
		Select("id, ticket_id, outlet_id, unit_id, technician_staff_id, status, accepted_at, arrived_at, completed_at, result").
		Where("kind = ? AND unit_id IS NOT NULL AND outlet_id IS NOT NULL AND created_at >= ?", "repair", g.now.AddDate(-1, 0, 0)).
		Where("status IN ?", []string{"accepted", "assigned", "scheduled", "on_site", "completed", "signed_off"}).
		Order("id").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("work orders: %w", err)
	}
	return out, nil
}

func (g *opsGen) faultOf(unitID uint64) demoFault {
	return opsPick(g.r, demoFaults[g.catOf[g.units[unitID].ModelID]])
}

func (g *opsGen) warrantyOf(u opsUnit, at time.Time) product.Status {
	var bought time.Time
	if u.PurchaseDate != nil {
		bought = *u.PurchaseDate
	}
	return product.Warranty(g.policy[u.ModelID], bought, at, g.d.Location)
}

func (g *opsGen) serial(prefix string, at time.Time) string {
	return fmt.Sprintf("%s-%s%06d", prefix, at.In(g.d.Location).Format("0601"), g.r.IntN(1_000_000))
}

// repairSpec describes one repair to generate.
type repairSpec struct {
	wo         *opsWorkOrder
	unitID     uint64
	outletID   uint64
	technician string
	techID     *uint64
	received   time.Time
	completed  *time.Time // nil: still open
	openStatus string     // status of an open repair
	fault      *demoFault
	result     string
	visits     int
	noSerials  bool
}

func (g *opsGen) fromWorkOrder(w opsWorkOrder) {
	if _, ok := g.units[w.UnitID]; !ok {
		return
	}
	s := repairSpec{wo: &w, unitID: w.UnitID, outletID: w.OutletID, techID: w.TechnicianStaffID, visits: 1}
	if w.TechnicianStaffID != nil {
		s.technician = g.staff[*w.TechnicianStaffID]
	}
	switch {
	case w.ArrivedAt != nil:
		s.received = *w.ArrivedAt
	case w.AcceptedAt != nil:
		s.received = w.AcceptedAt.Add(time.Duration(2+g.r.IntN(20)) * time.Hour)
	case w.CompletedAt != nil:
		s.received = w.CompletedAt.Add(-3 * time.Hour)
	default:
		return
	}
	if s.received.After(g.now) {
		s.received = g.now.Add(-time.Hour)
	}
	if w.Result == "no_fault_found" {
		return // a visit that found no fault opens no repair
	}
	if w.CompletedAt != nil && (w.Status == "completed" || w.Status == "signed_off") {
		done := *w.CompletedAt
		s.completed = &done
		switch w.Result {
		case "not_fixed", "parts_required":
			s.result = repair.ResultNotFixed
		default:
			s.result = repair.ResultFixed
		}
		if g.r.IntN(100) < 9 {
			s.visits = 2
		}
	} else {
		s.openStatus = opsPick(g.r, []string{repair.StatusReceived, repair.StatusDiagnosed, repair.StatusQuoted, repair.StatusInProgress, repair.StatusInProgress})
	}
	s.noSerials = g.r.IntN(100) < 3
	g.addRepair(s)
}

// walkIns adds repairs of units brought to an outlet over the year.
func (g *opsGen) walkIns(n int) {
	for range n {
		u := g.units[opsPick(g.r, g.unitIDs)]
		outletID := opsPick(g.r, g.outlets)
		if g.r.IntN(100) < 10 {
			outletID = g.outlets[0]
		}
		received := g.now.Add(-time.Duration(1+g.r.IntN(360*24)) * time.Hour)
		done := received.Add(time.Duration(2+g.r.IntN(70)) * time.Hour)
		s := repairSpec{unitID: u.ID, outletID: outletID, technician: opsName(g.r), received: received, visits: 1, result: repair.ResultFixed}
		if done.Before(g.now) {
			s.completed = &done
			if g.r.IntN(100) < 5 {
				s.result = repair.ResultNotFixed
			}
		} else {
			s.openStatus = repair.StatusInProgress
		}
		g.addRepair(s)
	}
}

// showcase adds what the demo users at outlet 1 should see: a repeat
// repair, a 三包 replacement entitlement raised after two failed repairs of
// the same fault (and one already fulfilled by a replacement), and open
// repairs waiting for the customer's approval and in progress.
func (g *opsGen) showcase() {
	o := g.outlets[0]
	var inWarranty []uint64
	for _, id := range g.unitIDs {
		u := g.units[id]
		if g.warrantyOf(u, g.now.AddDate(0, 0, -60)).State == product.StateRepair && g.warrantyOf(u, g.now).State == product.StateRepair &&
			g.policy[u.ModelID].ReplaceAfterRepairs == 2 {
			inWarranty = append(inWarranty, id)
		}
		if len(inWarranty) == 4 {
			break
		}
	}
	if len(inWarranty) < 4 {
		return
	}
	day := func(d int) time.Time { return g.now.AddDate(0, 0, -d).Add(-3 * time.Hour) }
	done := func(t time.Time) *time.Time { v := t.Add(4 * time.Hour); return &v }
	// Unit A: the same fault twice, the second repair not fixed: entitled.
	fa := g.faultOf(inWarranty[0])
	g.addRepair(repairSpec{unitID: inWarranty[0], outletID: o, technician: "张伟", received: day(40), completed: done(day(40)), fault: &fa, result: repair.ResultFixed, visits: 1})
	second := g.addRepair(repairSpec{unitID: inWarranty[0], outletID: o, technician: "张伟", received: day(12), completed: done(day(12)), fault: &fa, result: repair.ResultNotFixed, visits: 2})
	g.entitlements = append(g.entitlements, repair.Entitlement{UnitID: inWarranty[0], FaultCode: fa.Code, FailedRepairs: 2, RepairID: second.ID,
		Status: repair.EntitlementOpen, RaisedAt: *second.CompletedAt, Version: 1, UpdatedAt: *second.CompletedAt})
	// Unit B: two failed repairs, then replaced: fulfilled.
	fb := g.faultOf(inWarranty[1])
	g.addRepair(repairSpec{unitID: inWarranty[1], outletID: o, technician: "张伟", received: day(55), completed: done(day(55)), fault: &fb, result: repair.ResultFixed, visits: 1})
	b2 := g.addRepair(repairSpec{unitID: inWarranty[1], outletID: o, technician: "张伟", received: day(30), completed: done(day(30)), fault: &fb, result: repair.ResultNotFixed, visits: 1})
	b3 := g.addRepair(repairSpec{unitID: inWarranty[1], outletID: o, technician: "张伟", received: day(20), completed: done(day(20)), fault: &fb, result: repair.ResultReplaced, visits: 1})
	g.entitlements = append(g.entitlements, repair.Entitlement{UnitID: inWarranty[1], FaultCode: fb.Code, FailedRepairs: 2, RepairID: b2.ID,
		Status: repair.EntitlementFulfilled, RaisedAt: *b2.CompletedAt, ClosedAt: b3.CompletedAt, Note: "维修单 " + b3.Number + " 更换整机",
		Version: 2, UpdatedAt: *b3.CompletedAt})
	// Unit C: a repeat repair 9 days after the first (another fault).
	g.addRepair(repairSpec{unitID: inWarranty[2], outletID: o, technician: "张伟", received: day(25), completed: done(day(25)), result: repair.ResultFixed, visits: 1})
	g.addRepair(repairSpec{unitID: inWarranty[2], outletID: o, technician: "张伟", received: day(16), completed: done(day(16)), result: repair.ResultFixed, visits: 1})
	// Open work at outlet 1: a quote waiting for the customer, work in progress.
	var expired []uint64
	for _, id := range g.unitIDs {
		if g.warrantyOf(g.units[id], g.now).State == product.StateExpired {
			expired = append(expired, id)
			if len(expired) == 2 {
				break
			}
		}
	}
	for i, id := range expired {
		st := repair.StatusQuoted
		if i == 1 {
			st = repair.StatusApproved
		}
		g.addRepair(repairSpec{unitID: id, outletID: o, technician: "张伟", received: g.now.Add(-time.Duration(20+i*5) * time.Hour), openStatus: st, visits: 1})
	}
	g.addRepair(repairSpec{unitID: inWarranty[3], outletID: o, technician: "张伟", received: g.now.Add(-5 * time.Hour), openStatus: repair.StatusInProgress, visits: 1})
}

var declineReasons = []string{"客户认为维修费用过高，不修了", "客户决定换新机", "客户要求先咨询家人"}

// addRepair generates one repair with its quote and part lines.
func (g *opsGen) addRepair(s repairSpec) repair.Order {
	r := g.r
	u := g.units[s.unitID]
	st := g.warrantyOf(u, s.received)
	inW := st.State == product.StateReturn || st.State == product.StateExchange || st.State == product.StateRepair
	f := g.faultOf(s.unitID)
	if s.fault != nil {
		f = *s.fault
	}
	id := g.nextRepair
	g.nextRepair++
	o := repair.Order{ID: id, Number: fmt.Sprintf("RP%s%06d", s.received.In(g.d.Location).Format("20060102"), id), OutletID: s.outletID,
		UnitID: u.ID, Serial: u.Serial, ModelID: u.ModelID, CustomerID: u.CustomerID, Channel: repair.ChannelWalkIn, TechnicianID: s.techID,
		TechnicianName: s.technician, Complaint: opsPick(r, []string{"用户反映：", "来电报修：", "到店报修："}) + f.Diagnosis,
		InWarranty: inW, WarrantyState: string(st.State), Visits: max(s.visits, 1), ReceivedAt: s.received, Version: 1,
		CreatedAt: s.received, UpdatedAt: s.received}
	if !st.RepairUntil.IsZero() {
		ru := st.RepairUntil
		o.RepairUntil = &ru
	}
	if s.wo != nil {
		wo, ticket := s.wo.ID, s.wo.TicketID
		o.Channel, o.WorkOrderID, o.TicketID = repair.ChannelWorkOrder, &wo, &ticket
	}
	if o.TechnicianName == "" {
		o.TechnicianName = "维修技师"
	}
	status := repair.StatusCompleted
	if s.completed == nil {
		status = s.openStatus
		if inW && (status == repair.StatusQuoted || status == repair.StatusApproved) {
			status = repair.StatusDiagnosed
		}
	}
	diagnosed := s.received.Add(time.Duration(10+r.IntN(50)) * time.Minute)
	if status != repair.StatusReceived {
		o.Diagnosis, o.FaultCode, o.Cause, o.DiagnosedAt = f.Diagnosis, f.Code, f.Cause, &diagnosed
	}
	// Out of warranty: quote from the price list; a few customers decline.
	var used []parts.Part
	for _, code := range f.Parts {
		used = append(used, g.parts[code])
	}
	lab := g.labour[f.Labour]
	declined := false
	quoteAt := diagnosed.Add(time.Duration(5+r.IntN(30)) * time.Minute)
	if !inW && status != repair.StatusReceived && status != repair.StatusDiagnosed {
		for _, p := range used {
			g.quoteLines = append(g.quoteLines, repair.QuoteLine{RepairID: id, Kind: "part", Code: p.Code, Name: p.Name, Qty: 1, UnitFen: p.PriceFen, AmountFen: p.PriceFen})
			o.QuoteFen += p.PriceFen
		}
		g.quoteLines = append(g.quoteLines, repair.QuoteLine{RepairID: id, Kind: "labour", Code: lab.Code, Name: lab.Name, Qty: 1, UnitFen: lab.PriceFen, AmountFen: lab.PriceFen})
		o.QuoteFen += lab.PriceFen
		if status != repair.StatusQuoted {
			// A declined quote leaves the unit unrepaired: only work that
			// did not end "done" (workorder.ResultAgrees) can be declined.
			if s.completed != nil && r.IntN(100) < 4 && (s.wo == nil || s.result != repair.ResultFixed) {
				declined = true
				o.DeclineReason, o.QuoteDecidedAt, o.ClosedAt = opsPick(r, declineReasons), &quoteAt, &quoteAt
			} else {
				name := "客户"
				if u.CustomerID != nil && g.custNames[*u.CustomerID] != "" {
					name = g.custNames[*u.CustomerID]
				}
				o.QuoteApprovedBy, o.QuoteChannel, o.QuoteDecidedAt = name, opsPick(r, []string{"signature", "signature", "phone", "sms"}), &quoteAt
			}
		}
	}
	if declined {
		status = repair.StatusDeclined
	}
	o.Status = status
	started := quoteAt.Add(time.Duration(5+r.IntN(40)) * time.Minute)
	firstLine := len(g.partLines)
	if status == repair.StatusInProgress || status == repair.StatusCompleted {
		o.StartedAt = &started
		// Parts: most repairs need the fault's part; some are adjustments only.
		if r.IntN(100) < 82 || s.fault != nil {
			for _, p := range used {
				g.addPartLine(&o, p, started.Add(time.Duration(10+r.IntN(60))*time.Minute), s.noSerials, s.completed)
			}
			if r.IntN(100) < 8 {
				extra := g.parts[opsPick(r, opsPick(r, demoFaults[g.catOf[u.ModelID]]).Parts)]
				g.addPartLine(&o, extra, started.Add(time.Duration(70+r.IntN(60))*time.Minute), s.noSerials, s.completed)
			}
		}
	}
	if status == repair.StatusCompleted {
		done := *s.completed
		if done.Before(started) {
			done = started.Add(time.Hour)
		}
		o.CompletedAt, o.ClosedAt, o.Result = &done, &done, s.result
		o.LabourCode, o.LabourFen = lab.Code, lab.PriceFen
		if s.result == repair.ResultReplaced {
			o.ReplacementSerial = fmt.Sprintf("%s%s", strings.SplitN(u.Serial, "-", 2)[0], "R"+fmt.Sprint(id))
			o.LabourCode, o.LabourFen = g.labour["L-DISMOUNT"].Code, g.labour["L-DISMOUNT"].PriceFen
		}
		total := o.PartsFen + o.LabourFen
		if inW {
			o.ClaimFen = total
		} else {
			if total > o.QuoteFen {
				o.QuoteFen = total
			}
			o.ChargeFen = total
		}
		o.CustomerConfirmed = r.IntN(100) < 96
		if o.CustomerConfirmed {
			o.ConfirmationNote = opsPick(r, []string{"客户签字确认", "客户电话确认", "客户微信确认"})
		}
		o.RecordComplete = len(repair.Missing(o, g.partLines[firstLine:])) == 0
		o.UpdatedAt, o.Version = done, 5
	}
	g.repairs = append(g.repairs, o)
	return o
}

func (g *opsGen) addPartLine(o *repair.Order, p parts.Part, at time.Time, noSerials bool, completed *time.Time) {
	r := g.r
	l := repair.PartLine{ID: g.nextPartLine, RepairID: o.ID, PartID: p.ID, PartCode: p.Code, PartName: p.Name, Qty: 1, UnitFen: p.PriceFen,
		AmountFen: p.PriceFen, LocationID: o.OutletID, UnderWarranty: o.InWarranty, ChargeTo: repair.ChargeCustomer,
		OldPartStatus: repair.OldPartNotRequired, CreatedAt: at}
	g.nextPartLine++
	if !noSerials {
		l.FaultySerial, l.ReplacementSerial = g.serial(p.Code, at.AddDate(-1-r.IntN(2), 0, 0)), g.serial(p.Code, at.AddDate(0, -r.IntN(4), 0))
	}
	if o.InWarranty {
		l.ChargeTo, l.OldPartStatus = repair.ChargeWarranty, repair.OldPartPending
		if completed != nil {
			back := product.LocalDate(completed.AddDate(0, 0, 3+r.IntN(18)), g.d.Location)
			if !back.After(g.today) && r.IntN(100) < 90 {
				l.OldPartStatus, l.OldPartReturnedOn = repair.OldPartReturned, &back
			}
		}
	}
	o.PartsFen += l.AmountFen
	g.partLines = append(g.partLines, l)
	g.moves = append(g.moves, parts.Movement{PartID: p.ID, LocationID: o.OutletID, Qty: -1, Kind: parts.KindConsume,
		Ref: "repair:" + fmt.Sprint(o.ID), Serial: l.ReplacementSerial, Note: o.Number, ActorName: o.TechnicianName, At: at})
}

// requisitions generates outlets' requests to the central warehouse: most
// received within 24 h, some late, a few still open or cancelled.
func (g *opsGen) requisitions(n int) {
	r := g.r
	used := map[uint64][]uint64{} // outlet → parts it consumed
	for _, l := range g.partLines {
		used[l.LocationID] = append(used[l.LocationID], l.PartID)
	}
	var partIDs []uint64
	for _, p := range g.parts {
		partIDs = append(partIDs, p.ID)
	}
	slices.Sort(partIDs)
	for i := range n {
		outletID := opsPick(r, g.outlets)
		if i%8 == 0 {
			outletID = g.outlets[0]
		}
		requested := g.now.Add(-time.Duration(2+r.IntN(360*24)) * time.Hour)
		if i >= n-6 {
			requested = g.now.Add(-time.Duration(1+r.IntN(20)) * time.Hour) // recent: not shipped yet
		}
		id := uint64(i + 1)
		q := parts.Requisition{ID: id, Number: fmt.Sprintf("RQ%s%06d", requested.In(g.d.Location).Format("20060102"), id), OutletID: outletID,
			Status: parts.ReqRequested, RequestedAt: requested, RequestedBy: "outlet_manager", Note: opsPick(r, []string{"补充安全库存", "维修待料", "季节备货"}),
			Version: 1, CreatedAt: requested, UpdatedAt: requested}
		pool := used[outletID]
		if len(pool) == 0 {
			pool = partIDs
		}
		lines := map[uint64]int64{}
		for range 1 + r.IntN(2) {
			lines[opsPick(r, pool)] += int64(1 + r.IntN(3))
		}
		var ids []uint64
		for pid := range lines {
			ids = append(ids, pid)
		}
		slices.Sort(ids)
		switch {
		case i >= n-6:
		case i%37 == 0:
			c := requested.Add(3 * time.Hour)
			q.Status, q.CancelledAt, q.Note = parts.ReqCancelled, &c, q.Note+" 取消：已从邻近网点调拨"
		default:
			ship := requested.Add(time.Duration(1+r.IntN(8)) * time.Hour)
			hours := 3 + r.IntN(18)
			if r.IntN(100) < 14 {
				hours = 26 + r.IntN(50) // late: the lead time was missed
			}
			recv := ship.Add(time.Duration(hours) * time.Hour)
			q.ShippedAt, q.Status = &ship, parts.ReqShipped
			if recv.Before(g.now) {
				secs := int64(recv.Sub(requested) / time.Second)
				q.ReceivedAt, q.FulfilSeconds, q.Status = &recv, &secs, parts.ReqReceived
			}
			q.UpdatedAt, q.Version = ship, 2
			for _, pid := range ids {
				g.moves = append(g.moves, parts.Movement{PartID: pid, LocationID: parts.LocationCentral, Qty: -lines[pid], Kind: parts.KindTransferOut,
					Ref: "requisition:" + fmt.Sprint(id), Note: q.Number, ActorName: "admin", At: ship})
				if q.ReceivedAt != nil {
					g.moves = append(g.moves, parts.Movement{PartID: pid, LocationID: outletID, Qty: lines[pid], Kind: parts.KindTransferIn,
						Ref: "requisition:" + fmt.Sprint(id), Note: q.Number, ActorName: "outlet_manager", At: recv})
				}
			}
		}
		for _, pid := range ids {
			l := parts.RequisitionLine{RequisitionID: id, PartID: pid, Qty: lines[pid]}
			if q.ShippedAt != nil {
				l.QtyShipped = lines[pid]
			}
			g.reqLines = append(g.reqLines, l)
		}
		g.reqs = append(g.reqs, q)
	}
}

type stockKey struct{ part, loc uint64 }

// ledger orders every movement, adds an opening receipt per (part,
// location) large enough that the running balance never goes below zero
// and ends at a target (some at or under the reorder point, to show low
// stock), and returns the balances.
func (g *opsGen) ledger() []parts.Balance {
	r := g.r
	opening := g.now.AddDate(-1, 0, -7)
	keys := map[stockKey]bool{}
	for _, m := range g.moves {
		keys[stockKey{m.PartID, m.LocationID}] = true
	}
	var partIDs []uint64
	for _, p := range g.parts {
		partIDs = append(partIDs, p.ID)
		keys[stockKey{p.ID, parts.LocationCentral}] = true
	}
	slices.Sort(partIDs)
	// Outlet 1 stocks every common part of its work.
	for _, pid := range partIDs[:min(12, len(partIDs))] {
		keys[stockKey{pid, g.outlets[0]}] = true
	}
	var ks []stockKey
	for k := range keys {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool {
		if ks[i].loc != ks[j].loc {
			return ks[i].loc < ks[j].loc
		}
		return ks[i].part < ks[j].part
	})
	sort.SliceStable(g.moves, func(i, j int) bool { return g.moves[i].At.Before(g.moves[j].At) })
	byKey := map[stockKey][]int{}
	for i, m := range g.moves {
		k := stockKey{m.PartID, m.LocationID}
		byKey[k] = append(byKey[k], i)
	}
	var balances []parts.Balance
	var openings []parts.Movement
	for _, k := range ks {
		var run, low int64
		for _, i := range byKey[k] {
			run += g.moves[i].Qty
			low = min(low, run)
		}
		minLevel, target := int64(2), int64(3+r.IntN(10))
		if r.IntN(100) < 10 {
			target = int64(r.IntN(3)) // a few outlet parts at or under the reorder point
		}
		if k.loc == parts.LocationCentral {
			minLevel, target = 20, int64(30+r.IntN(150))
			if r.IntN(100) < 8 {
				target = int64(5 + r.IntN(15)) // a few central parts below the reorder point
			}
		}
		open := max(target-run, -low)
		if open <= 0 && len(byKey[k]) == 0 {
			open = target
		}
		bal := open
		if open > 0 {
			openings = append(openings, parts.Movement{PartID: k.part, LocationID: k.loc, Qty: open, BalanceAfter: open, Kind: parts.KindReceipt,
				Ref: "opening", Note: "期初库存", ActorName: "admin", At: opening})
		}
		for _, i := range byKey[k] {
			bal += g.moves[i].Qty
			g.moves[i].BalanceAfter = bal
		}
		balances = append(balances, parts.Balance{PartID: k.part, LocationID: k.loc, OnHand: bal, MinLevel: minLevel, UpdatedAt: g.now})
	}
	g.moves = append(openings, g.moves...)
	for i := range g.moves {
		g.moves[i].ID = uint64(i + 1)
	}
	return balances
}

// linkVisits fills the derived visit links the repair service maintains
// (prev_completed_at, next_received_at) for generated repairs.
func linkVisits(rows []repair.Order) {
	byUnit := map[uint64][]int{}
	for i, o := range rows {
		byUnit[o.UnitID] = append(byUnit[o.UnitID], i)
	}
	for _, idx := range byUnit {
		if len(idx) < 2 {
			continue
		}
		for _, i := range idx {
			r := &rows[i]
			for _, j := range idx {
				if i == j {
					continue
				}
				o := rows[j]
				if o.CompletedAt != nil && !o.CompletedAt.After(r.ReceivedAt) && (r.PrevCompletedAt == nil || o.CompletedAt.After(*r.PrevCompletedAt)) {
					c := *o.CompletedAt
					r.PrevCompletedAt = &c
				}
				if r.CompletedAt != nil && o.Status != repair.StatusCancelled && o.ReceivedAt.After(*r.CompletedAt) &&
					(r.NextReceivedAt == nil || o.ReceivedAt.Before(*r.NextReceivedAt)) {
					n := o.ReceivedAt
					r.NextReceivedAt = &n
				}
			}
		}
	}
}

func (g *opsGen) insertRepairsAndStock(ctx context.Context) error {
	linkVisits(g.repairs)
	balances := g.ledger()
	db := g.d.DB.WithContext(ctx).Session(&gorm.Session{SkipHooks: true})
	batch := opsBatch(db)
	return db.Transaction(func(tx *gorm.DB) error {
		for _, step := range []struct {
			name string
			rows any
			n    int
		}{
			{"repairs", &g.repairs, len(g.repairs)}, {"quote lines", &g.quoteLines, len(g.quoteLines)},
			{"part lines", &g.partLines, len(g.partLines)}, {"entitlements", &g.entitlements, len(g.entitlements)},
			{"requisitions", &g.reqs, len(g.reqs)}, {"requisition lines", &g.reqLines, len(g.reqLines)},
			{"stock movements", &g.moves, len(g.moves)}, {"stock balances", &balances, len(balances)},
		} {
			if step.n == 0 {
				continue
			}
			if err := tx.CreateInBatches(step.rows, batch).Error; err != nil {
				return fmt.Errorf("%s: %w", step.name, err)
			}
		}
		return nil
	})
}

var returnReasons = map[string][]string{
	returns.KindReturn:   {"开箱发现外观划伤", "使用两天出现异响", "与宣传功能不符", "家人重复购买", "安装后发现尺寸不合适"},
	returns.KindExchange: {"运行噪音明显", "遥控器与主机无法配对", "显示屏有坏点", "制冷效果不达标"},
}

// returns generates a year of 三包 return and exchange requests on units
// bought in the last year: most eligible and honoured in time, a few
// outside the windows and refused, one refused inside the window (flagged
// refused_within_window) and one decided only after its window had closed
// (flagged outside_legal_window).
func (g *opsGen) returns(ctx context.Context) error {
	r := g.r
	var cands []opsUnit
	for _, id := range g.unitIDs {
		u := g.units[id]
		if u.PurchaseDate != nil && u.PurchaseDate.After(g.today.AddDate(-1, 0, 0)) && u.PurchaseDate.Before(g.today.AddDate(0, 0, -35)) {
			cands = append(cands, u)
		}
	}
	if len(cands) == 0 {
		return nil
	}
	var rows []returns.Request
	for i := range min(40, len(cands)) {
		u := cands[(i*97)%len(cands)]
		purchase := product.DateOf(*u.PurchaseDate)
		pol := g.policy[u.ModelID]
		st := product.Warranty(pol, purchase, purchase, g.d.Location)
		days := 1 + r.IntN(7)
		switch x := r.IntN(100); {
		case x < 30:
			days = 8 + r.IntN(8)
		case x < 40:
			days = 16 + r.IntN(15)
		}
		kind := returns.KindReturn
		if days > 7 || r.IntN(100) < 25 {
			kind = returns.KindExchange
		}
		if i == 3 || i == 5 { // the two flagged requests are returns inside the window
			kind, days = returns.KindReturn, 3+i/2
		}
		on := purchase.AddDate(0, 0, days)
		win := returns.Evaluate(kind, purchase, on, st.ReturnUntil, st.ExchangeUntil)
		created := opsLocalTime(r, on, g.d.Location)
		q := returns.Request{ID: uint64(i + 1), Number: fmt.Sprintf("TH%s%06d", created.In(g.d.Location).Format("20060102"), i+1), Kind: kind,
			UnitID: u.ID, Serial: u.Serial, CustomerID: u.CustomerID, Reason: opsPick(r, returnReasons[kind]), PurchaseDate: purchase,
			RequestedOn: on, DaysSincePurchase: win.DaysSincePurchase, ReturnUntil: datePtrOf(st.ReturnUntil), ExchangeUntil: datePtrOf(st.ExchangeUntil),
			WindowUntil: datePtrOf(win.Until), Eligible: win.Eligible, Status: returns.StatusRequested, Version: 1, CreatedAt: created, UpdatedAt: created}
		if i%5 == 0 {
			o := g.outlets[0]
			q.OutletID = &o
		}
		decision, reason, decidedOn := returns.DecisionAccepted, "经检测属实，符合三包规定，同意办理", on.AddDate(0, 0, r.IntN(2))
		switch {
		case i == 3 && win.Eligible: // refused although inside the window
			decision, reason = returns.DecisionRefused, "检测发现外壳磕碰，判定为人为损坏，不予退货"
		case i == 5 && win.Eligible && !win.Until.IsZero(): // decided after the window had closed
			decidedOn = win.Until.AddDate(0, 0, 4)
			reason = "同意退换（审批流转延误）"
		case !win.Eligible && r.IntN(100) < 80:
			decision, reason = returns.DecisionRefused, "已超过三包退换货期限，可按保修规定免费维修"
		case !win.Eligible:
			reason = "超出期限，经理特批换货（商誉处理）"
		}
		if win.Eligible && i != 5 && decidedOn.After(win.Until) {
			decidedOn = win.Until // decided in time (only the one above is late)
		}
		if decidedOn.After(g.today) {
			decidedOn = g.today
		}
		if i < 38 && !on.After(g.today) {
			decidedAt := opsLocalTime(r, decidedOn, g.d.Location)
			f := returns.DecisionFlags(win, decision, decidedOn)
			do := decidedOn
			q.Decision, q.DecisionReason, q.DecidedAt, q.DecidedOn, q.DecidedBy = decision, reason, &decidedAt, &do, "agent"
			q.OutsideLegalWindow, q.RefusedWithinWindow, q.Status, q.Version = f.OutsideLegalWindow, f.RefusedWithinWindow, decision, 2
			if decision == returns.DecisionAccepted && i%4 != 1 {
				done := decidedAt.Add(time.Duration(24+r.IntN(96)) * time.Hour)
				if done.Before(g.now) {
					q.Status, q.CompletedAt, q.Version = returns.StatusCompleted, &done, 3
					if kind == returns.KindReturn {
						q.RefundFen = demoRefund[g.catOf[u.ModelID]]
						q.CompletionNote = "已原路退款"
					} else {
						q.ReplacementSerial = strings.SplitN(u.Serial, "-", 2)[0] + "X" + fmt.Sprint(i+1)
						q.CompletionNote = "已换新机"
					}
				}
			}
			q.UpdatedAt = decidedAt
		}
		rows = append(rows, q)
	}
	if err := g.d.DB.WithContext(ctx).Session(&gorm.Session{SkipHooks: true}).CreateInBatches(&rows, opsBatch(g.d.DB)).Error; err != nil {
		return err
	}
	return g.unitsAfterReturns(ctx, rows)
}

// unitsAfterReturns does to the units what completing the requests does
// (product.MarkReturned, product.Exchange): a returned unit is marked
// returned with its warranty ended; an exchanged one is marked exchanged and
// its replacement registered for the same owner, linked both ways, with its
// 三包 periods restarting on the exchange day (returns.exchange_restarts_warranty
// is on by default).
func (g *opsGen) unitsAfterReturns(ctx context.Context, rows []returns.Request) error {
	db := g.d.DB.WithContext(ctx)
	for _, q := range rows {
		if q.Status != returns.StatusCompleted || q.CompletedAt == nil {
			continue
		}
		day := product.LocalDate(*q.CompletedAt, g.d.Location)
		if q.Kind == returns.KindReturn {
			if err := db.Model(&product.Unit{}).Where("id = ?", q.UnitID).Updates(map[string]any{"status": product.UnitReturned,
				"warranty_ended_on": day, "version": gorm.Expr("version + 1"), "updated_at": *q.CompletedAt}).Error; err != nil {
				return fmt.Errorf("returned unit %d: %w", q.UnitID, err)
			}
			continue
		}
		var old product.Unit
		if err := db.Where("id = ?", q.UnitID).Take(&old).Error; err != nil {
			return fmt.Errorf("exchanged unit %d: %w", q.UnitID, err)
		}
		start := day
		n := product.Unit{Serial: q.ReplacementSerial, ModelID: old.ModelID, CustomerID: old.CustomerID, PurchaseDate: old.PurchaseDate,
			PurchaseProof: "换货 " + q.Number, Status: product.UnitActive, WarrantyStart: &start, ReplacesUnitID: &old.ID, Version: 1,
			CreatedAt: *q.CompletedAt, UpdatedAt: *q.CompletedAt}
		if err := db.Create(&n).Error; err != nil {
			return fmt.Errorf("replacement %s: %w", q.ReplacementSerial, err)
		}
		if err := db.Model(&product.Unit{}).Where("id = ?", old.ID).Updates(map[string]any{"status": product.UnitExchanged,
			"warranty_ended_on": day, "replaced_by_unit_id": n.ID, "version": gorm.Expr("version + 1"), "updated_at": *q.CompletedAt}).Error; err != nil {
			return fmt.Errorf("exchanged unit %d: %w", old.ID, err)
		}
	}
	return nil
}

func datePtrOf(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	d := product.DateOf(t)
	return &d
}

// recall opens the one campaign in progress: the two air-conditioner models
// with the most units made last year, by model and lot family, resolved by
// the recall service; then ten weeks of owner notification, appointments
// and remedies.
func (g *opsGen) recall(ctx context.Context) error {
	r := g.r
	db := g.d.DB.WithContext(ctx)
	lot := fmt.Sprintf("L%s*", g.today.AddDate(-1, 0, 0).Format("06"))
	var top []struct {
		ModelID uint64
		N       int64
	}
	if err := db.Table("units u").Joins("JOIN product_models m ON m.id = u.model_id JOIN product_categories c ON c.id = m.category_id").
		Where("c.code = ? AND u.production_lot LIKE ?", "AC", strings.TrimSuffix(lot, "*")+"%").
		Select("u.model_id, COUNT(*) AS n").Group("u.model_id").Order("n DESC, u.model_id").Limit(2).Scan(&top).Error; err != nil {
		return fmt.Errorf("recall models: %w", err)
	}
	if len(top) == 0 {
		return nil
	}
	start := g.today.AddDate(0, 0, -70)
	c, err := g.d.Recalls.Create(ctx, recall.CampaignInput{Title: "变频空调室外机电源板电容过热召回",
		Reason:      "部分批次室外机电源板滤波电容耐温不足，长期高负荷运行可能鼓包过热，极端情况下存在起火隐患。",
		HazardLevel: "high", Remedy: "repair", RemedyDescription: "免费上门检查，并为涉及产品更换改进型电源板（AC-PCB-OUT 改进版），约 40 分钟。",
		RegulatorRef: "缺陷消费品召回备案 " + start.Format("2006") + "-0417", StartDate: start})
	if err != nil {
		return fmt.Errorf("recall campaign: %w", err)
	}
	for _, m := range top {
		model := m.ModelID
		if _, err := g.d.Recalls.AddSelector(ctx, c.ID, recall.SelectorInput{ModelID: &model, ProductionLot: lot, Note: "涉及型号全部上年批次"}); err != nil {
			return fmt.Errorf("recall selector: %w", err)
		}
	}
	if _, err := g.d.Recalls.Activate(ctx, c.ID, 0); err != nil {
		return fmt.Errorf("activate recall: %w", err)
	}
	// History: the campaign started ten weeks ago.
	startAt := time.Date(start.Year(), start.Month(), start.Day(), 9, 0, 0, 0, g.d.Location).UTC()
	if err := db.Model(&recall.Campaign{}).Where("id = ?", c.ID).Updates(map[string]any{"created_at": startAt.Add(-72 * time.Hour), "activated_at": startAt}).Error; err != nil {
		return err
	}
	if err := db.Model(&recall.AffectedUnit{}).Where("campaign_id = ?", c.ID).Updates(map[string]any{"created_at": startAt, "updated_at": startAt}).Error; err != nil {
		return err
	}
	var units []recall.AffectedUnit
	if err := db.Where("campaign_id = ?", c.ID).Order("id").Find(&units).Error; err != nil {
		return err
	}
	byOwner := map[uint64][]int{}
	var owners []uint64
	for i, u := range units {
		if u.CustomerID == nil {
			continue
		}
		if _, ok := byOwner[*u.CustomerID]; !ok {
			owners = append(owners, *u.CustomerID)
		}
		byOwner[*u.CustomerID] = append(byOwner[*u.CustomerID], i)
	}
	var notes []recall.Notification
	at := func(days, spread int) time.Time {
		return startAt.Add(time.Duration(days*24+r.IntN(spread*24)) * time.Hour)
	}
	for _, owner := range owners {
		x := r.IntN(100)
		if x >= 78 {
			continue // not reached yet: still in the call queue
		}
		first := at(1, 45)
		if first.After(g.now) {
			continue
		}
		var reached time.Time
		switch {
		case x < 50:
			notes = append(notes, recall.Notification{CampaignID: c.ID, CustomerID: owner, Channel: "phone", Outcome: "reached", Note: "已告知召回事项", ActorName: "agent", At: first})
			reached = first
		case x < 62:
			notes = append(notes, recall.Notification{CampaignID: c.ID, CustomerID: owner, Channel: "phone", Outcome: "no_answer", ActorName: "agent", At: first})
			second := first.Add(time.Duration(24+r.IntN(72)) * time.Hour)
			notes = append(notes, recall.Notification{CampaignID: c.ID, CustomerID: owner, Channel: "sms", Outcome: "delivered", Note: "短信通知召回", ActorName: "agent", At: second})
			reached = second
		case x < 70:
			notes = append(notes, recall.Notification{CampaignID: c.ID, CustomerID: owner, Channel: "phone", Outcome: opsPick(r, []string{"no_answer", "busy"}), ActorName: "agent", At: first})
			notes = append(notes, recall.Notification{CampaignID: c.ID, CustomerID: owner, Channel: "phone", Outcome: "wrong_number", ActorName: "agent", At: first.Add(48 * time.Hour)})
			letter := first.Add(96 * time.Hour)
			notes = append(notes, recall.Notification{CampaignID: c.ID, CustomerID: owner, Channel: "letter", Outcome: "sent", Note: "挂号信寄往登记地址", ActorName: "agent", At: letter})
			reached = letter
		default:
			notes = append(notes, recall.Notification{CampaignID: c.ID, CustomerID: owner, Channel: "phone", Outcome: "no_answer", ActorName: "agent", At: first})
			continue
		}
		if reached.After(g.now) {
			continue
		}
		for _, i := range byOwner[owner] {
			u := &units[i]
			u.Status, u.NotifiedAt = recall.UnitNotified, &reached
			if r.IntN(100) >= 70 {
				continue
			}
			appt := reached.Add(time.Duration(48+r.IntN(10*24)) * time.Hour)
			outletID := opsPick(r, g.outlets)
			if r.IntN(100) < 30 {
				outletID = g.outlets[0]
			}
			u.Status, u.AppointmentAt, u.AppointmentOutletID = recall.UnitScheduled, &appt, &outletID
			if appt.Before(g.now) && r.IntN(100) < 85 {
				done := appt.Add(time.Duration(20+r.IntN(90)) * time.Minute)
				u.Status, u.RemediedAt, u.RemediedOutletID, u.RemediedBy, u.RemedyNote = recall.UnitRemedied, &done, &outletID, "technician", "已更换改进型电源板"
			}
		}
	}
	return db.Session(&gorm.Session{SkipHooks: true}).Transaction(func(tx *gorm.DB) error {
		for _, u := range units {
			if u.Status == recall.UnitPending {
				continue
			}
			upd := u.NotifiedAt
			if u.RemediedAt != nil {
				upd = u.RemediedAt
			}
			if err := tx.Model(&recall.AffectedUnit{}).Where("id = ?", u.ID).Updates(map[string]any{"status": u.Status, "notified_at": u.NotifiedAt,
				"appointment_at": u.AppointmentAt, "appointment_outlet_id": u.AppointmentOutletID, "remedied_at": u.RemediedAt,
				"remedied_outlet_id": u.RemediedOutletID, "remedied_by": u.RemediedBy, "remedy_note": u.RemedyNote, "version": 2, "updated_at": upd}).Error; err != nil {
				return err
			}
		}
		if len(notes) == 0 {
			return nil
		}
		return tx.CreateInBatches(&notes, opsBatch(tx)).Error
	})
}

// opsBatch is the multi-row INSERT size: placeholders are cheap on MySQL
// and quadratic in the pure-Go SQLite driver.
func opsBatch(db *gorm.DB) int {
	if db.Dialector.Name() == "mysql" {
		return 1000
	}
	return 100
}

func opsPick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// opsLocalTime returns day (a local date) at a working time 08:30–19:30, in UTC.
func opsLocalTime(r *rand.Rand, day time.Time, loc *time.Location) time.Time {
	y, m, dd := day.UTC().Date()
	return time.Date(y, m, dd, 8, 30, 0, 0, loc).Add(time.Duration(r.IntN(11*60)) * time.Minute).UTC()
}

var (
	opsSurnames = []string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗"}
	opsGiven    = []string{"伟", "芳", "娜", "敏", "静", "磊", "强", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀英", "建华", "志强", "海燕", "晓东"}
)

// opsName is a technician's name.
func opsName(r *rand.Rand) string { return opsPick(r, opsSurnames) + opsPick(r, opsGiven) }
