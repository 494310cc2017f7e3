package repair_test

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/parts"
	"github.com/aftersales/aftersales/backend/internal/repair"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

// fakeUnits stands in for the product domain: unit 1..9 are in warranty
// (repair window), 10..19 expired.
type fakeUnits struct{}

func (fakeUnits) unit(_ context.Context, id uint64, serial string) (repair.Unit, error) {
	if id == 0 {
		for i := uint64(1); i < 20; i++ {
			if serialOf(i) == serial {
				id = i
			}
		}
	}
	if id == 0 || id >= 20 {
		return repair.Unit{}, apperr.NotFound("unit")
	}
	c := 100 + id
	return repair.Unit{ID: id, Serial: serialOf(id), ModelID: 1, CustomerID: &c}, nil
}

func (fakeUnits) warranty(_ context.Context, id uint64, asOf time.Time) (repair.Warranty, error) {
	if id < 10 {
		return repair.Warranty{State: "repair", RepairUntil: asOf.AddDate(0, 6, 0), ReplaceAfterRepairs: 2}, nil
	}
	return repair.Warranty{State: "expired", RepairUntil: asOf.AddDate(0, -1, 0), ReplaceAfterRepairs: 2}, nil
}

func serialOf(id uint64) string { return "SN" + string(rune('A'+id)) + "0001" }

type env struct {
	r     *repair.Service
	p     *parts.Service
	clk   *testutil.Clock
	admin context.Context
	tech  context.Context
	ev    *[]event.Event
	mu    *sync.Mutex
}

const outlet = 3

func setup(t *testing.T, db *gorm.DB, opts ...func(*repair.Options)) env {
	t.Helper()
	bus := event.NewMemoryBus()
	var got []event.Event
	var mu sync.Mutex
	bus.Subscribe(func(e event.Event) { mu.Lock(); got = append(got, e); mu.Unlock() })
	clk := testutil.NewClock(time.Date(2026, 1, 5, 2, 0, 0, 0, time.UTC))
	tr := audit.New(nil)
	ps := parts.New(parts.Options{DB: db, Audit: tr, Bus: bus, Now: clk.Now})
	fu := fakeUnits{}
	ro := repair.Options{DB: db, Audit: tr, Bus: bus, Units: fu.unit, Warranty: fu.warranty, Stock: ps, Now: clk.Now,
		WorkOrders: func(ctx context.Context, id uint64) (repair.WorkOrder, error) {
			if id != 77 {
				return repair.WorkOrder{}, apperr.NotFound("work order")
			}
			u := uint64(2)
			return repair.WorkOrder{ID: 77, TicketID: 700, OutletID: outlet, TechnicianName: "张伟", UnitID: &u}, nil
		}}
	for _, f := range opts {
		f(&ro)
	}
	rs := repair.New(ro)
	admin := actor.With(context.Background(), actor.Actor{UserID: 1, Username: "admin", Roles: []string{"admin"}})
	o := uint64(outlet)
	tech := actor.With(context.Background(), actor.Actor{UserID: 4, Username: "technician", Roles: []string{"technician"}, OutletID: &o})
	if _, err := rs.CreateLabourRate(admin, repair.NewLabourRate{Code: "L0", Name: "检测", PriceFen: 0}); err != nil {
		t.Fatal(err)
	}
	return env{r: rs, p: ps, clk: clk, admin: admin, tech: tech, ev: &got, mu: &mu}
}

func (e env) events(name string) []event.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []event.Event
	for _, ev := range *e.ev {
		if ev.Name == name {
			out = append(out, ev)
		}
	}
	return out
}

// must(v, err)(t) fails the test on err and returns v.
func must[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func (e env) stockPart(t *testing.T, code string, price, qty int64) parts.Part {
	t.Helper()
	p := must(e.p.CreatePart(e.admin, parts.NewPart{Code: code, Name: "备件" + code, PriceFen: price}))(t)
	if qty > 0 {
		must(e.p.Receive(e.admin, parts.StockChange{PartID: p.ID, LocationID: outlet, Qty: qty}))(t)
	}
	return p
}

// complete runs a repair of unit through to the result, in warranty.
func (e env) complete(t *testing.T, unit uint64, fault, result string) repair.Order {
	t.Helper()
	o := must(e.r.Create(e.tech, repair.NewOrder{UnitID: unit, Complaint: "不制冷"}))(t)
	o = must(e.r.Diagnose(e.tech, o.ID, 0, repair.Diagnosis{Diagnosis: "检测", FaultCode: fault, Cause: "元件老化"}))(t)
	if !o.InWarranty {
		if _, _, err := e.r.Quote(e.tech, o.ID, 0, []repair.QuoteItem{{Kind: "labour", Code: "L0", Qty: 1}}); err != nil {
			t.Fatal(err)
		}
		must(e.r.ApproveQuote(e.tech, o.ID, 0, "客户", "phone"))(t)
	}
	o = must(e.r.Start(e.tech, o.ID, 0))(t)
	return must(e.r.Complete(e.tech, o.ID, 0, repair.Completion{Result: result, CustomerConfirmed: true}))(t)
}

// TestOutOfWarrantyQuoteGate: out of warranty, work may not start (409
// quote_not_approved) until the customer approved a quote; the charge is
// the customer's and may not exceed the quote.
func TestOutOfWarrantyQuoteGate(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		e := setup(t, db)
		p := e.stockPart(t, "CMP-1", 50000, 2)
		must(e.r.CreateLabourRate(e.admin, repair.NewLabourRate{Code: "L2", Name: "更换压缩机", PriceFen: 20000}))(t)
		o := must(e.r.Create(e.tech, repair.NewOrder{UnitID: 12, Complaint: "不制冷"}))(t)
		if o.InWarranty || o.OutletID != outlet || o.TechnicianName != "technician" || o.Number == "" {
			t.Fatalf("created: %+v", o)
		}
		if _, err := e.r.Start(e.tech, o.ID, 0); testutil.Code(err) != "invalid_transition" {
			t.Fatalf("start before diagnosis: %v", err)
		}
		o = must(e.r.Diagnose(e.tech, o.ID, o.Version, repair.Diagnosis{Diagnosis: "压缩机卡缸", FaultCode: "e1"}))(t)
		if o.FaultCode != "E1" || o.Status != repair.StatusDiagnosed {
			t.Fatalf("diagnosed: %+v", o)
		}
		if _, err := e.r.Start(e.tech, o.ID, 0); testutil.Code(err) != "quote_not_approved" {
			t.Fatalf("start without a quote: %v", err)
		}
		if _, _, err := e.r.Quote(e.tech, o.ID, 0, []repair.QuoteItem{{Kind: "part", Code: "NOPE", Qty: 1}, {Kind: "x", Code: "L2", Qty: 1}}); !apperr.IsKind(err, apperr.KindValidation) ||
			len(apperr.As(err).Fields) != 2 {
			t.Fatalf("bad quote lines: %v", err)
		}
		o, lines, err := e.r.Quote(e.tech, o.ID, 0, []repair.QuoteItem{{Kind: "part", Code: "cmp-1", Qty: 1}, {Kind: "labour", Code: "L2", Qty: 1}})
		if err != nil || o.QuoteFen != 70000 || len(lines) != 2 || o.Status != repair.StatusQuoted {
			t.Fatalf("quote: %+v %v %v", o, lines, err)
		}
		if _, err := e.r.Start(e.tech, o.ID, 0); testutil.Code(err) != "quote_not_approved" {
			t.Fatalf("start on an unapproved quote: %v", err)
		}
		if _, _, err := e.r.AddPart(e.tech, o.ID, 0, repair.PartUse{PartID: p.ID}); testutil.Code(err) != "invalid_transition" {
			t.Fatalf("parts before work starts: %v", err)
		}
		if _, err := e.r.ApproveQuote(e.tech, o.ID, 0, "", "fax"); !apperr.IsKind(err, apperr.KindValidation) {
			t.Fatalf("approval without name/channel: %v", err)
		}
		o = must(e.r.ApproveQuote(e.tech, o.ID, 0, "刘女士", "signature"))(t)
		o = must(e.r.Start(e.tech, o.ID, o.Version))(t)
		o, line, err := e.r.AddPart(e.tech, o.ID, 0, repair.PartUse{PartCode: "CMP-1", FaultySerial: "C-OLD-1", ReplacementSerial: "C-NEW-1"})
		if err != nil || line.ChargeTo != repair.ChargeCustomer || line.OldPartStatus != repair.OldPartNotRequired || o.PartsFen != 50000 {
			t.Fatalf("part out of warranty: %+v %+v %v", o, line, err)
		}
		// A second compressor would exceed the approved quote.
		o, _, err = e.r.AddPart(e.tech, o.ID, 0, repair.PartUse{PartCode: "CMP-1"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.r.Complete(e.tech, o.ID, 0, repair.Completion{Result: repair.ResultFixed, LabourCode: "L2"}); testutil.Code(err) != "quote_exceeded" {
			t.Fatalf("charge above quote: %v", err)
		}
		// Re-quote during work stops it until approved again.
		o, _, err = e.r.Quote(e.tech, o.ID, 0, []repair.QuoteItem{{Kind: "part", Code: "CMP-1", Qty: 2}, {Kind: "labour", Code: "L2", Qty: 1}})
		if err != nil || o.Status != repair.StatusQuoted || o.QuoteApprovedBy != "" {
			t.Fatalf("re-quote: %+v %v", o, err)
		}
		if _, err := e.r.Start(e.tech, o.ID, 0); testutil.Code(err) != "quote_not_approved" {
			t.Fatalf("start on re-quote: %v", err)
		}
		must(e.r.ApproveQuote(e.tech, o.ID, 0, "刘女士", "phone"))(t)
		must(e.r.Start(e.tech, o.ID, 0))(t)
		o = must(e.r.Complete(e.tech, o.ID, 0, repair.Completion{Result: repair.ResultFixed, LabourCode: "L2", CustomerConfirmed: true}))(t)
		if o.ChargeFen != 120000 || o.ClaimFen != 0 || o.Status != repair.StatusCompleted {
			t.Fatalf("completed: %+v", o)
		}
		if _, err := e.r.Cancel(e.tech, o.ID, 0, "x"); testutil.Code(err) != "invalid_transition" || len(apperr.As(err).Details["allowed"].([]string)) != 0 {
			t.Fatalf("cancel a completed repair: %v", err)
		}
		d := must(e.r.Get(e.tech, o.ID))(t)
		if len(d.Parts) != 2 || len(d.QuoteLines) != 2 || !slices.Contains(d.Missing, "part_serials") || !slices.Contains(d.Missing, "cause") {
			t.Fatalf("detail: %+v", d)
		}
		// Another outlet does not see it.
		other := uint64(9)
		if _, err := e.r.Get(actor.With(context.Background(), actor.Actor{UserID: 9, Roles: []string{"technician"}, OutletID: &other}), o.ID); testutil.Code(err) != "not_found" {
			t.Fatalf("scope: %v", err)
		}
	})
}

// TestInWarrantyFreeAndOldPartReturn: in warranty work starts at once, the
// part goes to the warranty claim and its old part is tracked until
// returned.
func TestInWarrantyFreeAndOldPartReturn(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		e := setup(t, db)
		e.stockPart(t, "PCB-1", 30000, 1)
		must(e.r.CreateLabourRate(e.admin, repair.NewLabourRate{Code: "L1", Name: "上门维修", PriceFen: 8000}))(t)
		wo := uint64(77)
		o := must(e.r.Create(e.tech, repair.NewOrder{WorkOrderID: &wo}))(t)
		if o.UnitID != 2 || o.TicketID == nil || *o.TicketID != 700 || o.Channel != repair.ChannelWorkOrder || o.TechnicianName != "张伟" || !o.InWarranty {
			t.Fatalf("from work order: %+v", o)
		}
		if _, err := e.r.Create(e.tech, repair.NewOrder{WorkOrderID: &wo}); testutil.Code(err) != "repair_exists" {
			t.Fatalf("second repair for a work order: %v", err)
		}
		if _, _, err := e.r.Quote(e.tech, o.ID, 0, []repair.QuoteItem{{Kind: "labour", Code: "L1", Qty: 1}}); testutil.Code(err) != "invalid_transition" {
			t.Fatalf("quote before diagnosis: %v", err)
		}
		must(e.r.Diagnose(e.tech, o.ID, 0, repair.Diagnosis{Diagnosis: "主板烧毁", FaultCode: "E5", Cause: "电压不稳"}))(t)
		if _, _, err := e.r.Quote(e.tech, o.ID, 0, []repair.QuoteItem{{Kind: "labour", Code: "L1", Qty: 1}}); testutil.Code(err) != "quote_not_required" {
			t.Fatalf("quote in warranty: %v", err)
		}
		must(e.r.Start(e.tech, o.ID, 0))(t)
		o, line, err := e.r.AddPart(e.tech, o.ID, 0, repair.PartUse{PartCode: "PCB-1", FaultySerial: "B-OLD", ReplacementSerial: "B-NEW"})
		if err != nil || line.ChargeTo != repair.ChargeWarranty || line.OldPartStatus != repair.OldPartPending {
			t.Fatalf("warranty part: %+v %v", line, err)
		}
		if _, _, err := e.r.AddPart(e.tech, o.ID, 0, repair.PartUse{PartCode: "PCB-1"}); testutil.Code(err) != "out_of_stock" {
			t.Fatalf("no more stock: %v", err)
		}
		if _, _, err := e.r.AddPart(e.tech, o.ID, 0, repair.PartUse{PartCode: "PCB-1", Qty: 2, FaultySerial: "X"}); !apperr.IsKind(err, apperr.KindValidation) {
			t.Fatalf("serials with qty 2: %v", err)
		}
		o = must(e.r.Complete(e.tech, o.ID, 0, repair.Completion{Result: repair.ResultFixed, LabourCode: "l1", CustomerConfirmed: true}))(t)
		if o.ChargeFen != 0 || o.ClaimFen != 38000 {
			t.Fatalf("warranty charges: %+v", o)
		}
		pend, total, err := e.r.OldParts(e.tech, "", 0, 1, 20)
		if err != nil || total != 1 || pend[0].RepairNumber != o.Number || pend[0].FaultySerial != "B-OLD" {
			t.Fatalf("pending old parts: %+v %d %v", pend, total, err)
		}
		if _, err := e.r.ReturnOldPart(e.tech, o.ID, line.ID, e.clk.Now().AddDate(0, 0, 3)); !apperr.IsKind(err, apperr.KindValidation) {
			t.Fatalf("return in the future: %v", err)
		}
		l, err := e.r.ReturnOldPart(e.tech, o.ID, line.ID, time.Time{})
		if err != nil || l.OldPartStatus != repair.OldPartReturned || l.OldPartReturnedOn == nil {
			t.Fatalf("returned: %+v %v", l, err)
		}
		if _, err := e.r.ReturnOldPart(e.tech, o.ID, line.ID, time.Time{}); testutil.Code(err) != "invalid_transition" {
			t.Fatalf("returned twice: %v", err)
		}
		d := must(e.r.Get(e.admin, o.ID))(t)
		if len(d.Missing) != 0 {
			t.Fatalf("a complete record: %v", d.Missing)
		}
		entries, err := e.r.PassportEntries(e.admin, 2)
		if err != nil || len(entries) != 2 || entries[1].Kind != "part_replaced" {
			t.Fatalf("passport: %+v %v", entries, err)
		}
		if len(e.events("repair.completed")) != 1 || e.events("repair.completed")[0].Topic != "outlet:3" {
			t.Fatalf("events: %+v", e.events("repair.completed"))
		}
	})
}

// TestRepeatRepairAndFirstTimeFix checks the SQL KPI against cases counted
// by hand, with a 30-day window.
func TestRepeatRepairAndFirstTimeFix(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		e := setup(t, db)
		start := e.clk.Now()
		// Unit 1: fixed on day 0, back on day 10 (repeat), fixed again.
		a1 := e.complete(t, 1, "E1", repair.ResultFixed)
		e.clk.Add(10 * 24 * time.Hour)
		a2 := e.complete(t, 1, "E2", repair.ResultFixed)
		// Unit 3: fixed on day 10, back on day 45 (outside the window).
		b1 := e.complete(t, 3, "E1", repair.ResultFixed)
		// Unit 4: not fixed on day 10.
		c1 := e.complete(t, 4, "E3", repair.ResultNotFixed)
		e.clk.Add(35 * 24 * time.Hour)
		b2 := e.complete(t, 3, "E1", repair.ResultFixed)
		// Unit 5: fixed in two visits on day 45.
		o := must(e.r.Create(e.tech, repair.NewOrder{UnitID: 5}))(t)
		must(e.r.Diagnose(e.tech, o.ID, 0, repair.Diagnosis{Diagnosis: "d", FaultCode: "E9", Cause: "c"}))(t)
		must(e.r.Start(e.tech, o.ID, 0))(t)
		d1 := must(e.r.Complete(e.tech, o.ID, 0, repair.Completion{Result: repair.ResultFixed, Visits: 2, CustomerConfirmed: true}))(t)

		k, err := e.r.KPIOf(e.admin, start.Add(-time.Hour), e.clk.Now().Add(time.Hour), 0)
		if err != nil {
			t.Fatal(err)
		}
		// Completed: a1 a2 b1 c1 b2 d1 = 6. Repeat: a2 only (b2 came 35 days
		// after b1). First-time fix: a2, b1, b2 (a1 was followed by a2 within
		// 30 days; c1 not fixed; d1 took two visits) = 3.
		if k.Completed != 6 || k.Repeat != 1 || k.FirstTimeFix != 3 || k.WindowDays != 30 {
			t.Fatalf("kpi: %+v", k)
		}
		want := []string{"repair:" + strconv.FormatUint(a1.ID, 10), "repair:" + strconv.FormatUint(c1.ID, 10), "repair:" + strconv.FormatUint(d1.ID, 10)}
		if !slices.Equal(k.NotFirstTimeFixIDs, want) {
			t.Fatalf("not first-time fix: %v want %v", k.NotFirstTimeFixIDs, want)
		}
		if *k.FirstTimeFixRate != 0.5 || k.RecordComplete != 6 {
			t.Fatalf("rates: %v %d", *k.FirstTimeFixRate, k.RecordComplete)
		}
		// The period filter: only day 45's repairs.
		k2 := must(e.r.KPIOf(e.admin, e.clk.Now().Add(-time.Hour), e.clk.Now().Add(time.Hour), 0))(t)
		if k2.Completed != 2 || k2.Repeat != 0 {
			t.Fatalf("late period: %+v", k2)
		}
		if d := must(e.r.Get(e.admin, a2.ID))(t); d.RepeatOf == nil || *d.RepeatOf != a1.ID {
			t.Fatalf("a2 repeats a1: %+v", d.RepeatOf)
		}
		if d := must(e.r.Get(e.admin, b2.ID))(t); d.RepeatOf != nil {
			t.Fatalf("b2 is not a repeat: %v", *d.RepeatOf)
		}
		_ = b1
	})
}

// TestReplacementEntitlement: with N = 2, the second failed repair of the
// same fault raises the replacement_entitled flag; another fault does not
// count; replacing the unit fulfils it.
func TestReplacementEntitlement(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		e := setup(t, db)
		e.complete(t, 6, "E1", repair.ResultFixed)
		e.complete(t, 6, "E7", repair.ResultFixed) // another fault: does not count
		flags := must(e.r.UnitFlags(e.admin, []uint64{6}))(t)
		if len(flags[6]) != 0 {
			t.Fatalf("no entitlement yet: %v", flags)
		}
		// E1 comes back: one failed repair so far; this one is not fixed either.
		second := e.complete(t, 6, "E1", repair.ResultNotFixed)
		flags = must(e.r.UnitFlags(e.admin, []uint64{6, 7}))(t)
		if len(flags[6]) != 1 || flags[6][0].Kind != "replacement_entitled" || len(flags[7]) != 0 {
			t.Fatalf("entitled after two failed repairs: %v", flags)
		}
		if ev := e.events("repair.replacement_entitled"); len(ev) != 1 || ev[0].Data["failed_repairs"] != 2 || ev[0].Data["repair_id"] != second.ID {
			t.Fatalf("entitlement event: %+v", ev)
		}
		// Out of warranty failures never count (三包 applies in warranty).
		e.complete(t, 16, "E1", repair.ResultNotFixed)
		e.complete(t, 16, "E1", repair.ResultNotFixed)
		if f := must(e.r.UnitFlags(e.admin, []uint64{16}))(t); len(f[16]) != 0 {
			t.Fatalf("out of warranty: %v", f)
		}
		// The third visit for E1: diagnosis already shows the right; the unit is replaced.
		o := must(e.r.Create(e.tech, repair.NewOrder{UnitID: 6}))(t)
		must(e.r.Diagnose(e.tech, o.ID, 0, repair.Diagnosis{Diagnosis: "同一故障", FaultCode: "E1"}))(t)
		must(e.r.Start(e.tech, o.ID, 0))(t)
		if _, err := e.r.Complete(e.tech, o.ID, 0, repair.Completion{Result: repair.ResultReplaced}); !apperr.IsKind(err, apperr.KindValidation) {
			t.Fatalf("replaced without the new serial: %v", err)
		}
		must(e.r.Complete(e.tech, o.ID, 0, repair.Completion{Result: repair.ResultReplaced, ReplacementSerial: "SNNEW0001"}))(t)
		if f := must(e.r.UnitFlags(e.admin, []uint64{6}))(t); len(f[6]) != 0 {
			t.Fatalf("fulfilled: %v", f)
		}
		list, total, err := e.r.Entitlements(e.admin, repair.EntitlementFilter{UnitID: 6})
		if err != nil || total != 1 || list[0].Status != repair.EntitlementFulfilled || list[0].FailedRepairs != 2 {
			t.Fatalf("entitlements: %+v %v", list, err)
		}
		if _, err := e.r.CloseEntitlement(e.admin, list[0].ID, 0, repair.EntitlementWaived, "客户放弃"); testutil.Code(err) != "invalid_transition" {
			t.Fatalf("close a fulfilled entitlement: %v", err)
		}
	})
}

// TestLastPartRaceBetweenRepairs: two technicians on two repairs take the
// outlet's last part at once: one line is recorded, the other repair gets
// 409 out_of_stock and nothing of it is written.
func TestLastPartRaceBetweenRepairs(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		e := setup(t, db)
		e.stockPart(t, "VAL-1", 9000, 1)
		var ids []uint64
		for _, u := range []uint64{7, 8} {
			o := must(e.r.Create(e.tech, repair.NewOrder{UnitID: u}))(t)
			must(e.r.Diagnose(e.tech, o.ID, 0, repair.Diagnosis{Diagnosis: "阀门漏", FaultCode: "E4"}))(t)
			must(e.r.Start(e.tech, o.ID, 0))(t)
			ids = append(ids, o.ID)
		}
		errs := make([]error, 2)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, _, errs[i] = e.r.AddPart(e.tech, id, 0, repair.PartUse{PartCode: "VAL-1"})
			}()
		}
		close(start)
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch testutil.Code(err) {
			case "":
				won++
			case "out_of_stock":
			default:
				t.Fatalf("unexpected: %v", err)
			}
		}
		if won != 1 {
			t.Fatalf("winners: %d (%v)", won, errs)
		}
		var lines int64
		db.Model(&repair.PartLine{}).Count(&lines)
		var fen int64
		db.Model(&repair.Order{}).Select("SUM(parts_fen)").Scan(&fen)
		if lines != 1 || fen != 9000 {
			t.Fatalf("lines %d, parts_fen %d", lines, fen)
		}
		if bad := must(e.p.LedgerCheck(e.admin))(t); len(bad) != 0 {
			t.Fatalf("ledger: %v", bad)
		}
	})
}

func TestValidationAndErrors(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		e := setup(t, db)
		if _, err := e.r.Create(e.admin, repair.NewOrder{}); !apperr.IsKind(err, apperr.KindValidation) || len(apperr.As(err).Fields) != 2 {
			t.Fatalf("empty create: %v", err)
		}
		if _, err := e.r.Create(e.admin, repair.NewOrder{OutletID: 3, Serial: "NOPE"}); testutil.Code(err) != "validation_failed" || apperr.As(err).Fields["serial"].Code == "" {
			t.Fatalf("unknown serial: %v", err)
		}
		wo := uint64(5)
		if _, err := e.r.Create(e.admin, repair.NewOrder{WorkOrderID: &wo, UnitID: 1}); apperr.As(err).Fields["work_order_id"].Code == "" {
			t.Fatalf("unknown work order: %v", err)
		}
		if _, err := e.r.Create(e.tech, repair.NewOrder{OutletID: 9, UnitID: 1}); testutil.Code(err) != "not_found" {
			t.Fatalf("another outlet: %v", err)
		}
		o := must(e.r.Create(e.admin, repair.NewOrder{OutletID: 3, Serial: serialOf(1)}))(t)
		if _, err := e.r.Diagnose(e.admin, o.ID, 0, repair.Diagnosis{FaultCode: "bad code!"}); len(apperr.As(err).Fields) != 2 {
			t.Fatalf("diagnosis validation: %v", err)
		}
		if _, err := e.r.Diagnose(e.admin, o.ID, 99, repair.Diagnosis{Diagnosis: "x", FaultCode: "E1"}); testutil.Code(err) != "version_conflict" {
			t.Fatalf("stale version: %v", err)
		}
		if _, err := e.r.Complete(e.admin, o.ID, 0, repair.Completion{Result: repair.ResultFixed}); testutil.Code(err) != "invalid_transition" ||
			!slices.Equal(apperr.As(err).Details["allowed"].([]string), []string{"diagnosed", "cancelled"}) {
			t.Fatalf("complete a received repair: %v", err)
		}
		if _, err := e.r.Get(e.admin, 999999); testutil.Code(err) != "not_found" {
			t.Fatalf("missing: %v", err)
		}
		if _, err := e.r.List(e.admin, repair.Filter{Status: "lost"}); !apperr.IsKind(err, apperr.KindValidation) {
			t.Fatalf("bad status: %v", err)
		}
		for i := 0; i < 3; i++ {
			must(e.r.Create(e.admin, repair.NewOrder{OutletID: 3, UnitID: 2}))(t)
		}
		page1 := must(e.r.List(e.admin, repair.Filter{Size: 2}))(t)
		page2 := must(e.r.List(e.admin, repair.Filter{Size: 2, BeforeID: page1[1].ID}))(t)
		if len(page1) != 2 || len(page2) != 2 || page1[0].ID <= page1[1].ID || page2[0].ID >= page1[1].ID {
			t.Fatalf("keyset pages: %v / %v", page1, page2)
		}
		must(e.r.Cancel(e.admin, o.ID, 0, "客户取消"))(t)
		var n int64
		db.Table("audit_records").Where("entity = ? AND entity_id = ?", "repair", strconv.FormatUint(o.ID, 10)).Count(&n)
		if n != 2 {
			t.Fatalf("audit records: %d", n)
		}
	})
}

// TestEntitlementRule is the 三包 rule as an expert counts it.
func TestEntitlementRule(t *testing.T) {
	for _, c := range []struct {
		earlier, extra, n int
		want              bool
	}{
		{0, 1, 2, false}, // first repair not fixed: one failure
		{1, 0, 2, false}, // fault back once, this one fixed: one failure
		{1, 1, 2, true},  // fault back once, not fixed again: two failures
		{2, 0, 2, true},  // third visit for the same fault
		{5, 1, 0, false}, // the policy grants no entitlement
		{2, 0, 3, false},
		{3, 0, 3, true},
	} {
		if got := repair.Entitled(repair.FailedRepairs(c.earlier, c.extra), c.n); got != c.want {
			t.Errorf("earlier %d extra %d N %d: %v", c.earlier, c.extra, c.n, got)
		}
	}
}

func TestMissing(t *testing.T) {
	full := repair.Order{FaultCode: "E1", Cause: "c", InWarranty: true, CustomerConfirmed: true}
	lines := []repair.PartLine{{FaultySerial: "a", ReplacementSerial: "b"}}
	for _, c := range []struct {
		name  string
		o     repair.Order
		lines []repair.PartLine
		want  []string
	}{
		{"complete", full, lines, []string{}},
		{"no serial", full, []repair.PartLine{{FaultySerial: "a"}}, []string{"part_serials"}},
		{"out of warranty without approval", func() repair.Order { o := full; o.InWarranty = false; return o }(), nil, []string{"charges"}},
		{"unconfirmed, no cause", func() repair.Order { o := full; o.Cause = " "; o.CustomerConfirmed = false; return o }(), nil, []string{"cause", "customer_confirmation"}},
	} {
		if got := repair.Missing(c.o, c.lines); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v want %v", c.name, got, c.want)
		}
	}
}

// TestCancelledVisitIsNoRepeat: a repair opened after another's completion
// breaks the first-time fix; once cancelled (withdrawn), it no longer does,
// and a later real visit does again.
func TestCancelledVisitIsNoRepeat(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		e := setup(t, db)
		start := e.clk.Now()
		first := e.complete(t, 9, "E1", repair.ResultFixed)
		kpi := func() repair.KPI {
			t.Helper()
			return must(e.r.KPIOf(e.admin, start.Add(-time.Hour), start.Add(time.Hour), 0))(t)
		}
		if k := kpi(); k.FirstTimeFix != 1 {
			t.Fatalf("alone: %+v", k)
		}
		e.clk.Add(5 * 24 * time.Hour)
		again := must(e.r.Create(e.tech, repair.NewOrder{UnitID: 9}))(t)
		if again.PrevCompletedAt == nil || !again.PrevCompletedAt.Equal(*first.CompletedAt) {
			t.Fatalf("previous completion: %v", again.PrevCompletedAt)
		}
		if k := kpi(); k.FirstTimeFix != 0 {
			t.Fatalf("back after 5 days: %+v", k)
		}
		must(e.r.Cancel(e.tech, again.ID, 0, "误报，客户自行处理"))(t)
		if k := kpi(); k.FirstTimeFix != 1 {
			t.Fatalf("the withdrawn visit still counts: %+v", k)
		}
		e.clk.Add(24 * time.Hour)
		must(e.r.Create(e.tech, repair.NewOrder{UnitID: 9}))(t)
		if k := kpi(); k.FirstTimeFix != 0 {
			t.Fatalf("a real visit after 6 days: %+v", k)
		}
	})
}
