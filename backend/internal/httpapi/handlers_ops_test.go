package httpapi_test

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// opsWorld is the catalogue, outlet, customer and units the repair,
// returns and recall API tests stand on. Outlet 1 is the demo outlet
// users' outlet.
type opsWorld struct {
	h                   *harness
	admin, agent, tech  string
	quality, manager    string
	modelID, customerID float64
}

func newOpsWorld(t *testing.T) *opsWorld {
	h := newHarness(t)
	w := &opsWorld{h: h, admin: h.login("admin"), agent: h.login("agent"), tech: h.login("technician"), quality: h.login("quality"),
		manager: h.login("outlet_manager")}
	r := h.expect(201, "POST", "/api/v1/product-categories", w.admin, map[string]any{"code": "AC", "name": "空调"})
	r = h.do("POST", "/api/v1/product-models", w.admin, map[string]any{"code": "KFR-35", "name": "1.5匹挂机", "category_id": r.JSON(t)["id"]})
	if r.Status != 201 {
		t.Fatalf("model: %d %s", r.Status, r.Body)
	}
	w.modelID = r.JSON(t)["id"].(float64)
	if r := h.do("POST", "/api/v1/outlets", w.admin, outletBody("SZ01", "440305", "440305")); r.Status != 201 || r.JSON(t)["id"] != 1.0 {
		t.Fatalf("outlet: %d %s", r.Status, r.Body)
	}
	r = h.expect(201, "POST", "/api/v1/customers", w.agent, map[string]any{"name": "李娜", "phones": []any{map[string]any{"number": "13800138000"}},
		"addresses": []any{map[string]any{"region_code": "440305", "detail": "科技园 1 栋"}}})
	w.customerID = r.JSON(t)["customer"].(map[string]any)["id"].(float64)
	return w
}

// unit registers a unit bought daysAgo (business calendar).
func (w *opsWorld) unit(t *testing.T, serial string, daysAgo int, lot string) float64 {
	t.Helper()
	sh, _ := time.LoadLocation("Asia/Shanghai")
	bought := time.Now().In(sh).AddDate(0, 0, -daysAgo).Format(time.DateOnly)
	r := w.h.do("POST", "/api/v1/units", w.agent, map[string]any{"serial": serial, "model_id": w.modelID, "customer_id": w.customerID,
		"purchase_date": bought, "production_lot": lot})
	if r.Status != 201 {
		t.Fatalf("unit %s: %d %s", serial, r.Status, r.Body)
	}
	return r.JSON(t)["id"].(float64)
}

func (w *opsWorld) must(t *testing.T, r response, status int, what string) map[string]any {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: %d %s", what, r.Status, r.Body)
	}
	return r.JSON(t)
}

// TestRepairAPIWorkflow runs an out-of-warranty repair end to end through
// the API (quote gate, parts with serials, charges), races two technicians
// for the last part, and reads the unit passport and the public price list.
func TestRepairAPIWorkflow(t *testing.T) {
	w := newOpsWorld(t)
	h := w.h
	w.unit(t, "KFR35-OLD-0001", 800, "L2301")
	w.unit(t, "KFR35-NEW-0001", 10, "L2501")
	w.unit(t, "KFR35-NEW-0002", 10, "L2501")

	part := w.must(t, h.do("POST", "/api/v1/parts", w.admin, map[string]any{"code": "CMP-35", "name": "压缩机", "price_fen": 68000, "category_ids": []int{1}}), 201, "part")
	labour := w.must(t, h.do("POST", "/api/v1/labour-rates", w.admin, map[string]any{"code": "L-CMP", "name": "更换压缩机", "price_fen": 25000}), 201, "labour")
	h.noopPatch(t, fmt.Sprintf("/api/v1/parts/%d", int(part["id"].(float64))), w.admin, map[string]any{"name": "压缩机", "price_fen": 68000, "category_ids": []int{1}}, part["version"])
	h.noopPatch(t, fmt.Sprintf("/api/v1/labour-rates/%d", int(labour["id"].(float64))), w.admin, map[string]any{"price_fen": 25000}, labour["version"])
	if r := h.do("POST", "/api/v1/labour-rates", w.tech, map[string]any{"code": "X", "name": "x", "price_fen": 1}); r.Status != 403 {
		t.Fatalf("technician publishes prices: %d", r.Status)
	}
	w.must(t, h.do("POST", "/api/v1/stock/receipts", w.admin, map[string]any{"part_id": part["id"], "location_id": 1, "qty": 2}), 201, "receipt")
	if r := h.do("POST", "/api/v1/stock/receipts", w.admin, map[string]any{"part_id": part["id"], "location_id": 77, "qty": 2}); r.Status != 422 {
		t.Fatalf("receipt at an unknown outlet: %d %s", r.Status, r.Body)
	}

	// The public price list needs no login.
	pl := w.must(t, h.do("GET", "/api/v1/price-list", "", nil), 200, "price list")
	if len(pl["parts"].([]any)) != 1 || pl["labour"].([]any)[0].(map[string]any)["price_fen"] != 25000.0 {
		t.Fatalf("price list: %v", pl)
	}

	// Out of warranty: a walk-in at the technician's outlet.
	if r := h.do("POST", "/api/v1/repairs", w.tech, map[string]any{"outlet_id": 2, "serial": "KFR35-OLD-0001"}); r.Status != 404 {
		t.Fatalf("another outlet: %d %s", r.Status, r.Body)
	}
	if r := h.do("POST", "/api/v1/repairs", w.tech, `{"serial": 5}`); r.Status != 400 {
		t.Fatalf("wrong type: %d %s", r.Status, r.Body)
	}
	rep := w.must(t, h.do("POST", "/api/v1/repairs", w.tech, map[string]any{"serial": "kfr35-old-0001", "complaint": "不制冷"}), 201, "create repair")
	if rep["in_warranty"] != false || rep["outlet_id"] != 1.0 || rep["warranty_state"] != "expired" {
		t.Fatalf("repair: %v", rep)
	}
	path := fmt.Sprintf("/api/v1/repairs/%d", int(rep["id"].(float64)))
	w.must(t, h.do("POST", path+"/diagnose", w.tech, map[string]any{"diagnosis": "压缩机卡缸", "fault_code": "E1", "cause": "润滑不良"}), 200, "diagnose")
	if r := h.do("POST", path+"/start", w.tech, nil); r.Status != 409 || r.errCode(t) != "quote_not_approved" {
		t.Fatalf("start without approval: %d %s", r.Status, r.Body)
	}
	q := w.must(t, h.do("POST", path+"/quote", w.tech, map[string]any{"lines": []any{
		map[string]any{"kind": "part", "code": "CMP-35", "qty": 1}, map[string]any{"kind": "labour", "code": "L-CMP", "qty": 1}}}), 200, "quote")
	if q["quote_fen"] != 93000.0 || len(q["quote_lines"].([]any)) != 2 || q["status"] != "quoted" {
		t.Fatalf("quote: %v", q)
	}
	if r := h.do("POST", path+"/start", w.tech, nil); r.Status != 409 || r.errCode(t) != "quote_not_approved" {
		t.Fatalf("start on an unapproved quote: %d %s", r.Status, r.Body)
	}
	if r := h.do("POST", path+"/quote/approve", w.tech, map[string]any{"approved_by": "李娜", "channel": "signature"}, "If-Match", `"1"`); r.Status != 409 || r.errCode(t) != "version_conflict" {
		t.Fatalf("stale If-Match: %d %s", r.Status, r.Body)
	}
	w.must(t, h.do("POST", path+"/quote/approve", w.tech, map[string]any{"approved_by": "李娜", "channel": "signature"}), 200, "approve")
	w.must(t, h.do("POST", path+"/start", w.tech, nil), 200, "start")
	p := w.must(t, h.do("POST", path+"/parts", w.tech, map[string]any{"part_code": "CMP-35", "faulty_serial": "CMP-A-001", "replacement_serial": "CMP-B-778"}), 200, "add part")
	if p["parts_fen"] != 68000.0 || p["parts"].([]any)[0].(map[string]any)["charge_to"] != "customer" {
		t.Fatalf("part line: %v", p)
	}
	done := w.must(t, h.do("POST", path+"/complete", w.tech, map[string]any{"result": "fixed", "labour_code": "L-CMP", "customer_confirmed": true}), 200, "complete")
	if done["charge_fen"] != 93000.0 || done["claim_fen"] != 0.0 || len(done["missing"].([]any)) != 0 || len(done["allowed"].([]any)) != 0 {
		t.Fatalf("completed: %v", done)
	}
	if r := h.do("POST", path+"/complete", w.tech, map[string]any{"result": "fixed"}); r.Status != 409 || r.errCode(t) != "invalid_transition" {
		t.Fatalf("complete twice: %d %s", r.Status, r.Body)
	}

	// Two technicians, two in-warranty repairs, one compressor left.
	var paths []string
	for _, serial := range []string{"KFR35-NEW-0001", "KFR35-NEW-0002"} {
		r := w.must(t, h.do("POST", "/api/v1/repairs", w.tech, map[string]any{"serial": serial}), 201, "create")
		p := fmt.Sprintf("/api/v1/repairs/%d", int(r["id"].(float64)))
		w.must(t, h.do("POST", p+"/diagnose", w.tech, map[string]any{"diagnosis": "压缩机故障", "fault_code": "E1"}), 200, "diagnose")
		w.must(t, h.do("POST", p+"/start", w.tech, `{}`), 200, "start")
		paths = append(paths, p)
	}
	var wg sync.WaitGroup
	statuses := make([]response, 2)
	for i, p := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = h.do("POST", p+"/parts", w.tech, map[string]any{"part_id": part["id"], "faulty_serial": fmt.Sprintf("F-%d", i), "replacement_serial": fmt.Sprintf("R-%d", i)})
		}()
	}
	wg.Wait()
	ok, out := 0, 0
	for _, r := range statuses {
		switch {
		case r.Status == 200:
			ok++
		case r.Status == 409 && r.errCode(t) == "out_of_stock":
			out++
		default:
			t.Fatalf("race: %d %s", r.Status, r.Body)
		}
	}
	if ok != 1 || out != 1 {
		t.Fatalf("race: %d ok, %d out of stock", ok, out)
	}
	stock := w.must(t, h.do("GET", "/api/v1/stock?location_id=1", w.manager, nil), 200, "stock")
	if stock["items"].([]any)[0].(map[string]any)["on_hand"] != 0.0 {
		t.Fatalf("stock: %v", stock)
	}
	mv := w.must(t, h.do("GET", "/api/v1/stock/movements", w.manager, nil), 200, "movements")
	if len(mv["items"].([]any)) != 3 {
		t.Fatalf("ledger lines: %v", mv)
	}
	old := w.must(t, h.do("GET", "/api/v1/old-parts", w.tech, nil), 200, "old parts")
	if old["total"] != 1.0 {
		t.Fatalf("pending old parts (the in-warranty line): %v", old)
	}

	// The passport shows the repair and the part swap with both serials.
	pp := w.must(t, h.do("GET", "/api/v1/units/KFR35-OLD-0001", w.agent, nil), 200, "passport")
	kinds := map[string]int{}
	for _, e := range pp["history"].([]any) {
		kinds[e.(map[string]any)["kind"].(string)]++
	}
	if kinds["repair"] != 1 || kinds["part_replaced"] != 1 {
		t.Fatalf("passport history: %v", kinds)
	}
	k := w.must(t, h.do("GET", "/api/v1/kpi/repairs", w.manager, nil), 200, "kpi")
	if k["completed"] != 1.0 || k["first_time_fix"] != 1.0 || k["repeat_window_days"] != 30.0 {
		t.Fatalf("kpi: %v", k)
	}
	if r := h.do("GET", "/api/v1/repairs?status=lost", w.admin, nil); r.Status != 422 {
		t.Fatalf("bad status: %d", r.Status)
	}
	list := w.must(t, h.do("GET", "/api/v1/repairs?in_warranty=true", w.admin, nil), 200, "list")
	if len(list["items"].([]any)) != 2 || list["next_before_id"] != nil {
		t.Fatalf("list: %v", list)
	}

	// Requisition round trip with the fill-rate KPI.
	w.must(t, h.do("POST", "/api/v1/stock/receipts", w.admin, map[string]any{"part_id": part["id"], "location_id": 0, "qty": 5}), 201, "central receipt")
	rq := w.must(t, h.do("POST", "/api/v1/requisitions", w.manager, map[string]any{"lines": []any{map[string]any{"part_id": part["id"], "qty": 2}}}), 201, "requisition")
	rp := fmt.Sprintf("/api/v1/requisitions/%d", int(rq["id"].(float64)))
	if r := h.do("POST", rp+"/ship", w.manager, nil); r.Status != 403 {
		t.Fatalf("outlet ships: %d", r.Status)
	}
	w.must(t, h.do("POST", rp+"/ship", w.admin, nil), 200, "ship")
	got := w.must(t, h.do("POST", rp+"/receive", w.manager, nil), 200, "receive")
	if got["status"] != "received" || got["fulfil_hours"] == nil {
		t.Fatalf("received: %v", got)
	}
	kp := w.must(t, h.do("GET", "/api/v1/kpi/parts", w.admin, nil), 200, "parts kpi")
	if kp["due"] != 1.0 || kp["fill_rate"] != 1.0 {
		t.Fatalf("parts kpi: %v", kp)
	}
}

// TestReturnsAndRecallAPI: 三包 windows at day 7 / day 8 through the API,
// then a recall from a serial range through notification, appointment and
// remedy, with the recall_open flag, progress and the regulator report.
func TestReturnsAndRecallAPI(t *testing.T) {
	w := newOpsWorld(t)
	h := w.h
	w.unit(t, "RT-0007", 7, "L1")
	w.unit(t, "RT-0008", 8, "L1")
	r7 := w.must(t, h.do("POST", "/api/v1/returns", w.agent, map[string]any{"kind": "return", "serial": "RT-0007", "reason": "外观划伤"}), 201, "day 7")
	r8 := w.must(t, h.do("POST", "/api/v1/returns", w.agent, map[string]any{"kind": "return", "serial": "RT-0008", "reason": "不想要了"}), 201, "day 8")
	if r7["eligible"] != true || r7["days_since_purchase"] != 7.0 || r8["eligible"] != false || r8["days_since_purchase"] != 8.0 {
		t.Fatalf("windows: %v / %v", r7, r8)
	}
	if e := w.must(t, h.do("GET", "/api/v1/returns/eligibility?kind=exchange&serial=RT-0008", w.agent, nil), 200, "eligibility"); e["eligible"] != true {
		t.Fatalf("day 8 exchange: %v", e)
	}
	dec := w.must(t, h.do("POST", fmt.Sprintf("/api/v1/returns/%d/decide", int(r7["id"].(float64))), w.agent,
		map[string]any{"decision": "refused", "reason": "人为损坏"}), 200, "refuse day 7")
	if dec["refused_within_window"] != true || dec["status"] != "refused" {
		t.Fatalf("refused within the window: %v", dec)
	}
	if r := h.do("POST", fmt.Sprintf("/api/v1/returns/%d/complete", int(r7["id"].(float64))), w.agent, map[string]any{"refund_fen": 100}); r.Status != 409 || r.errCode(t) != "invalid_transition" {
		t.Fatalf("complete a refused request: %d %s", r.Status, r.Body)
	}
	if r := h.do("POST", "/api/v1/returns", w.agent, map[string]any{"kind": "swap", "reason": ""}); r.Status != 422 {
		t.Fatalf("validation: %d %s", r.Status, r.Body)
	}
	rf := w.must(t, h.do("GET", "/api/v1/returns?flag=refused_within_window", w.quality, nil), 200, "flagged")
	if rf["total"] != 1.0 {
		t.Fatalf("flag filter: %v", rf)
	}
	rk := w.must(t, h.do("GET", "/api/v1/kpi/returns", w.quality, nil), 200, "returns kpi")
	if rk["eligible"] != 1.0 || rk["honoured"] != 0.0 || rk["refused_within_window"] != 1.0 {
		t.Fatalf("returns kpi: %v", rk)
	}

	// Recall by serial range.
	for i := 1; i <= 6; i++ {
		w.unit(t, fmt.Sprintf("RC24-%04d", i), 100, "L24")
	}
	if r := h.do("POST", "/api/v1/recalls", w.agent, map[string]any{}); r.Status != 403 {
		t.Fatalf("agent opens a recall: %d", r.Status)
	}
	c := w.must(t, h.do("POST", "/api/v1/recalls", w.quality, map[string]any{"title": "电源板召回", "reason": "电容过热", "hazard_level": "high",
		"remedy": "repair", "start_date": time.Now().Format(time.DateOnly)}), 201, "campaign")
	cp := fmt.Sprintf("/api/v1/recalls/%d", int(c["id"].(float64)))
	sel := w.must(t, h.do("POST", cp+"/selectors", w.quality, map[string]any{"serial_from": "RC24-0002", "serial_to": "RC24-0004"}), 201, "selector")
	if sel["added"] != 3.0 {
		t.Fatalf("range: %v", sel)
	}
	if r := h.do("POST", cp+"/selectors", w.quality, map[string]any{"serial_from": "RC24-0002", "serial_to": "RC24-00040"}); r.Status != 422 {
		t.Fatalf("range of different lengths: %d %s", r.Status, r.Body)
	}
	// The xlsx import adds one more.
	f := excelize.NewFile()
	_ = f.SetSheetRow("Sheet1", "A1", &[]any{"序列号"})
	_ = f.SetSheetRow("Sheet1", "A2", &[]any{"RC24-0006"})
	var buf bytes.Buffer
	_ = f.Write(&buf)
	imp := h.upload(cp+"/selectors/import", w.quality, "serials.xlsx", buf.Bytes())
	if imp.Status != 201 || imp.JSON(t)["added"] != 1.0 {
		t.Fatalf("import: %d %s", imp.Status, imp.Body)
	}
	if r := h.do("POST", fmt.Sprintf("/api/v1/recalls/%d/owners/%d/notifications", int(c["id"].(float64)), int(w.customerID)), w.agent,
		map[string]any{"channel": "phone", "outcome": "reached"}); r.Status != 409 || r.errCode(t) != "campaign_not_active" {
		t.Fatalf("notify a draft: %d %s", r.Status, r.Body)
	}
	w.must(t, h.do("POST", cp+"/activate", w.quality, nil), 200, "activate")
	card := w.must(t, h.do("GET", "/api/v1/units/RC24-0003", w.agent, nil), 200, "passport")
	if fl := card["flags"].([]any); len(fl) != 1 || fl[0].(map[string]any)["kind"] != "recall_open" {
		t.Fatalf("recall flag: %v", card["flags"])
	}
	n := w.must(t, h.do("POST", fmt.Sprintf("/api/v1/recalls/%d/owners/%d/notifications", int(c["id"].(float64)), int(w.customerID)), w.agent,
		map[string]any{"channel": "phone", "outcome": "reached", "note": "约下周上门"}), 201, "notify")
	if n["units_marked_notified"] != 4.0 {
		t.Fatalf("notified: %v", n)
	}
	units := w.must(t, h.do("GET", cp+"/units?serial=RC24-0003", w.agent, nil), 200, "units")
	uid := int(units["items"].([]any)[0].(map[string]any)["id"].(float64))
	bk := w.must(t, h.do("POST", fmt.Sprintf("/api/v1/recall-units/%d/appointment", uid), w.agent,
		map[string]any{"at": time.Now().Add(48 * time.Hour).Format(time.RFC3339), "outlet_id": 1}), 200, "book")
	// The booking is a recall_remedy work order offered to outlet 1 (its board shows it).
	wo := w.must(t, h.do("GET", fmt.Sprintf("/api/v1/work-orders/%d", int(bk["work_order_id"].(float64))), w.agent, nil), 200, "booked work order")
	if wo["kind"] != "recall_remedy" || wo["status"] != "offered" || wo["outlet_id"] != 1.0 {
		t.Fatalf("booked work order: %v", wo)
	}
	if r := h.do("POST", fmt.Sprintf("/api/v1/recall-units/%d/remedy", uid), w.tech, nil); r.Status != 422 {
		t.Fatalf("remedy without a version: %d %s", r.Status, r.Body)
	}
	rem := w.must(t, h.do("POST", fmt.Sprintf("/api/v1/recall-units/%d/remedy", uid), w.tech, map[string]any{"note": "已更换电源板", "version": bk["version"]}), 200, "remedy")
	if rem["counts"].(map[string]any)["remedied"] != 1.0 || rem["unit"].(map[string]any)["remedied_outlet_id"] != 1.0 {
		t.Fatalf("remedy: %v", rem)
	}
	if r := h.do("POST", fmt.Sprintf("/api/v1/recall-units/%d/remedy", uid), w.tech, map[string]any{"version": rem["unit"].(map[string]any)["version"]}); r.Status != 409 {
		t.Fatalf("remedy twice: %d %s", r.Status, r.Body)
	}
	card = w.must(t, h.do("GET", "/api/v1/units/RC24-0003", w.agent, nil), 200, "passport")
	if len(card["flags"].([]any)) != 0 {
		t.Fatalf("remedied unit still flagged: %v", card["flags"])
	}
	pr := w.must(t, h.do("GET", cp+"/progress", w.quality, nil), 200, "progress")
	if pr["counts"].(map[string]any)["affected"] != 4.0 || pr["weeks"].([]any)[0].(map[string]any)["cum_remedied"] != 1.0 {
		t.Fatalf("progress: %v", pr)
	}
	rep := h.do("GET", cp+"/report.xlsx", w.auditor(), nil)
	if rep.Status != 200 || rep.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("report: %d %s", rep.Status, rep.Header)
	}
	x, err := excelize.OpenReader(bytes.NewReader(rep.Body))
	if err != nil {
		t.Fatal(err)
	}
	if rows, _ := x.GetRows("召回明细"); len(rows) != 5 {
		t.Fatalf("report detail rows: %d", len(rows))
	}
	// In English for an English reader: sheets, headers, labels, file name.
	rep = h.expect(200, "GET", cp+"/report.xlsx", w.auditor(), nil, "Accept-Language", "en")
	if rows := sheetRows(t, rep.Body, "Affected units"); len(rows) != 5 || rows[0][0] != "Serial number" || rows[1][3] == "" || rows[1][3] == "待通知" {
		t.Fatalf("English report detail: %v", rows)
	}
	if rows := sheetRows(t, rep.Body, "Summary"); rows[0][0] != "Campaign number" {
		t.Fatalf("English report summary: %v", rows)
	}
	if d := rep.Header.Get("Content-Disposition"); !strings.Contains(d, "recall-report-") {
		t.Fatalf("English report file name: %s", d)
	}
	if r := h.do("GET", cp+"/report.xlsx", w.tech, nil); r.Status != 403 {
		t.Fatalf("technician downloads owner data: %d", r.Status)
	}
}

func (w *opsWorld) auditor() string { return w.h.login("auditor") }
