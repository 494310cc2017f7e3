package httpapi_test

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/aftersales/aftersales/backend/internal/i18n"
	"github.com/aftersales/aftersales/backend/internal/privacy"
	"github.com/aftersales/aftersales/backend/internal/ticket"
)

// exportRow opens a tickets export and returns its header and the row of
// ticket number, as a column-name → cell map.
func exportRow(t *testing.T, h *harness, token, number string) map[string]string {
	t.Helper()
	r := h.expect(200, "GET", "/api/v1/tickets/export", token, nil)
	book, err := excelize.OpenReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := book.GetRows("工单")
	if header := ticket.ExportHeader(i18n.Translator{}); !slices.Equal(rows[0][:len(header)], header) {
		t.Fatalf("header %v", rows[0])
	}
	for _, row := range rows[1:] {
		if row[0] == number {
			out := map[string]string{}
			for i, col := range rows[0] {
				if i < len(row) {
					out[col] = row[i]
				}
			}
			return out
		}
	}
	t.Fatalf("ticket %s not exported", number)
	return nil
}

// TestTicketExportShowsNamesAndDispatchTime: a dispatched and accepted
// ticket is exported with names and zh-CN labels instead of ids and codes,
// its 分派时间 is filled, the customer's phone is masked for the quality
// manager and unmasked for the hotline agent (customer:phone_unmasked),
// whose read is then in the PIPL access log.
func TestTicketExportShowsNamesAndDispatchTime(t *testing.T) {
	h := newHarness(t)
	w := buildWorld(t, h)
	agent, om, qm := h.login("agent"), h.login("outlet_manager"), h.login("quality")
	r := h.expect(201, "POST", "/api/v1/tickets", agent, map[string]any{"channel": "phone", "type": "repair", "priority": "high",
		"customer_id": w.customerID, "unit_id": w.unitID, "fault_code": "E1", "description": "空调不制冷，室外机不转"})
	tk := r.JSON(t)
	id, number := num(t, tk["id"]), tk["number"].(string)
	r = h.expect(201, "POST", fmt.Sprintf("/api/v1/tickets/%d/dispatch", id), agent, map[string]any{"kind": "repair"})
	wo := r.JSON(t)
	h.expect(200, "POST", fmt.Sprintf("/api/v1/work-orders/%d/accept", num(t, wo["id"])), om, map[string]any{"version": wo["version"]})
	r = h.do("POST", fmt.Sprintf("/api/v1/work-orders/%d/assign", num(t, wo["id"])), om, map[string]any{"technician_staff_id": w.technicianID})
	if r.Status != 200 {
		t.Fatalf("assign %d %s", r.Status, r.Body)
	}

	row := exportRow(t, h, qm, number)
	want := map[string]string{"渠道": "电话", "类型": "维修", "优先级": "高", "状态": "处理中", "客户": "王建国", "客户电话": "138****8000",
		"产品序列号": "AC2026000001", "型号": "挂式空调 1.5匹", "品类": "空调", "故障代码": "E1", "故障描述": "空调不制冷，室外机不转",
		"地区": "广东省 深圳市 南山区", "当前网点": "深圳南山服务网点", "技师": "张伟"}
	for col, v := range want {
		if row[col] != v {
			t.Fatalf("%s: got %q, want %q (row %v)", col, row[col], v, row)
		}
	}
	if row["分派时间"] == "" {
		t.Fatalf("分派时间 is blank for a dispatched ticket: %v", row)
	}
	var logged int64
	h.app.DB.Model(&privacy.Access{}).Where("customer_id = ?", w.customerID).Count(&logged)
	if logged != 0 {
		t.Fatalf("a masked export was logged as a read: %d", logged)
	}

	row = exportRow(t, h, agent, number)
	if row["客户电话"] != w.phone || row["客户"] != "王建国" {
		t.Fatalf("agent's export: %v", row)
	}
	var reads []privacy.Access
	h.app.DB.Where("customer_id = ?", w.customerID).Find(&reads)
	if len(reads) != 1 || reads[0].Fields != privacy.FieldPhone || reads[0].Username != "agent" || reads[0].Purpose != privacy.PurposeCustomerRecord {
		t.Fatalf("the agent's unmasked export is not in the PIPL access log: %+v", reads)
	}
}

// TestReportsAPIScopeAndExport: the three reports answer for managers,
// outlet managers get their own outlet whatever they ask for, the hotline
// agent (no kpi:read) gets 403, bad input is a 400/422 naming the field,
// and each export is a workbook with its header.
func TestReportsAPIScopeAndExport(t *testing.T) {
	h := newHarness(t)
	buildWorld(t, h)
	qm, om, agent := h.login("quality"), h.login("outlet_manager"), h.login("agent")
	for _, path := range []string{"/api/v1/reports/volume?by=lot", "/api/v1/reports/failure-rate", "/api/v1/reports/technicians"} {
		r := h.do("GET", path+sep(path)+"from=2026-11-01&to=2026-11-30", qm, nil)
		if r.Status != 200 {
			t.Fatalf("%s: %d %s", path, r.Status, r.Body)
		}
		body := r.JSON(t)
		if body["from"] != "2026-10-31T16:00:00Z" || body["to"] != "2026-11-30T16:00:00Z" || body["outlet_id"] != nil {
			t.Fatalf("%s period %v %v %v", path, body["from"], body["to"], body["outlet_id"])
		}
		r = h.do("GET", path+sep(path)+"outlet_id=2", om, nil)
		if r.Status != 200 || num(t, r.JSON(t)["outlet_id"]) != 1 {
			t.Fatalf("%s as outlet 1's manager asking for outlet 2: %d %s", path, r.Status, r.Body)
		}
		if r = h.do("GET", path, agent, nil); r.Status != http.StatusForbidden {
			t.Fatalf("%s as agent: %d", path, r.Status)
		}
	}
	if r := h.do("GET", "/api/v1/reports/volume?by=colour", qm, nil); r.Status != 422 && r.Status != 400 {
		t.Fatalf("unknown dimension %d %s", r.Status, r.Body)
	}
	if r := h.do("GET", "/api/v1/reports/failure-rate?threshold=2", qm, nil); r.Status != 422 && r.Status != 400 {
		t.Fatalf("threshold 2: %d %s", r.Status, r.Body)
	}
	if r := h.do("GET", "/api/v1/reports/failure-rate", qm, nil); r.JSON(t)["threshold"] != 0.05 {
		t.Fatalf("configured threshold: %s", r.Body)
	}
	sheets := map[string][]string{
		"/api/v1/reports/volume/export?by=product": {"工单量与积压", "产品型号", "编码", "新建工单量", "期末积压"},
		"/api/v1/reports/failure-rate/export":      {"批次故障率", "生产批次", "型号", "在用台数", "维修单数", "维修台数", "故障率"},
		"/api/v1/reports/technicians/export":       {"技师效率", "技师", "网点", "完工单数", "一次修复可计单数", "一次修复单数", "一次修复率", "平均在场时长（分钟）"},
	}
	for path, want := range sheets {
		r := h.do("GET", path, qm, nil)
		if r.Status != 200 || r.Header.Get("Content-Length") == "" {
			t.Fatalf("%s: %d %v", path, r.Status, r.Header)
		}
		book, err := excelize.OpenReader(bytes.NewReader(r.Body))
		if err != nil {
			t.Fatal(path, err)
		}
		rows, _ := book.GetRows(want[0])
		if len(rows) == 0 || !slices.Equal(rows[0][:len(want)-1], want[1:]) {
			t.Fatalf("%s header %v", path, rows)
		}
	}
}

func sep(path string) string {
	if bytes.ContainsRune([]byte(path), '?') {
		return "&"
	}
	return "?"
}
