package httpapi_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestPrintDocuments: the 派工单 and the 三包 voucher carry the numbers, the
// customer's name masked (never in full), the product and serial, and the
// public page of the QR code; a technician of another outlet gets a 404.
func TestPrintDocuments(t *testing.T) {
	h := newHarness(t)
	w := buildWorld(t, h)
	agent, om := h.login("agent"), h.login("outlet_manager")
	woID, v := jobFor(t, h, w, agent)
	if r := h.do("POST", fmt.Sprintf("/api/v1/work-orders/%d/accept", woID), om, map[string]any{"version": v}); r.Status != 200 {
		t.Fatalf("accept: %d %s", r.Status, r.Body)
	}
	r := h.expect(200, "GET", fmt.Sprintf("/api/v1/work-orders/%d/print", woID), om, nil)
	d := r.JSON(t)
	prod := d["product"].(map[string]any)
	if d["kind"] != "work_order" || !strings.HasPrefix(d["number"].(string), "W") || !strings.HasPrefix(d["ticket_number"].(string), "T") ||
		prod["serial"] != "AC2026000001" || d["fault"] != "不制冷" || !strings.HasPrefix(d["status_path"].(string), "/s/status?number=T") {
		t.Fatalf("work order printout %v", d)
	}
	name := d["customer_name"].(string)
	if !strings.Contains(name, "*") || len([]rune(name)) < 2 {
		t.Fatalf("customer name not masked: %q", name)
	}
	ret := h.expect(201, "POST", "/api/v1/returns", agent, map[string]any{"kind": "exchange", "serial": "AC2026000001", "reason": "噪音大", "outlet_id": 1})
	v2 := h.do("GET", fmt.Sprintf("/api/v1/returns/%d/print", num(t, ret.JSON(t)["id"])), agent, nil).JSON(t)
	if v2["kind"] != "return_voucher" || v2["return_kind"] != "exchange" || v2["reason"] != "噪音大" || v2["customer_name"] != name ||
		v2["status_path"] != "/s/warranty?serial=AC2026000001" {
		t.Fatalf("voucher %v", v2)
	}
	other := h.addUser("print_tech_b", "technician", 2)
	if r := h.do("GET", fmt.Sprintf("/api/v1/work-orders/%d/print", woID), other, nil); r.Status != 404 {
		t.Fatalf("outlet B: %d", r.Status)
	}
}
