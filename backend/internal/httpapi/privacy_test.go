package httpapi_test

import (
	"fmt"
	"testing"
	"time"
)

// jobFor opens a ticket for the world's customer, dispatches it to outlet
// 1 and returns the work order id and its version (still offered).
func jobFor(t *testing.T, h *harness, w serviceWorld, agent string) (uint64, any) {
	t.Helper()
	r := h.expect(201, "POST", "/api/v1/tickets", agent, map[string]any{"channel": "phone", "type": "repair", "priority": "normal",
		"customer_id": w.customerID, "unit_id": w.unitID, "fault_code": "E1", "description": "不制冷"})
	r = h.do("POST", fmt.Sprintf("/api/v1/tickets/%d/dispatch", num(t, r.JSON(t)["id"])), agent, map[string]any{"kind": "repair", "outlet_id": 1})
	if r.Status != 201 {
		t.Fatalf("dispatch: %d %s", r.Status, r.Body)
	}
	wo := r.JSON(t)
	return num(t, wo["id"]), wo["version"]
}

// TestOutletSeesTheCustomerThroughItsJob: the outlet user sees the
// customer's name, unmasked phone and service address through an accepted
// work order of their outlet (technicians: assigned to them), until
// privacy.outlet_contact_days after it closed; outside such a job nothing
// of the customer; every unmasked read is in the PIPL access log, which
// admins and auditors can list.
func TestOutletSeesTheCustomerThroughItsJob(t *testing.T) {
	h := newHarness(t)
	w := buildWorld(t, h)
	agent, om, tech, admin := h.login("agent"), h.login("outlet_manager"), h.login("technician"), h.login("admin")
	om2 := h.addUser("privacy_mgr2", "outlet_manager", 2)
	colleague := h.addUser("privacy_tech_b", "technician", 1)
	passport := "/api/v1/units/AC2026000001"

	woID, v := jobFor(t, h, w, agent)
	contact := fmt.Sprintf("/api/v1/work-orders/%d/contact", woID)
	// Offered, not yet accepted: nothing.
	if r := h.do("GET", contact, om, nil); r.Status != 403 || r.errCode(t) != "contact_not_available" {
		t.Fatalf("contact of an offer: %d %s", r.Status, r.Body)
	}
	if p := h.do("GET", passport, om, nil).JSON(t); p["owner"] != nil {
		t.Fatalf("owner through an offer: %v", p["owner"])
	}
	r := h.expect(200, "POST", fmt.Sprintf("/api/v1/work-orders/%d/accept", woID), om, map[string]any{"version": v})
	r = h.do("GET", contact, om, nil)
	if r.Status != 200 {
		t.Fatalf("contact for the manager: %d %s", r.Status, r.Body)
	}
	ct := r.JSON(t)
	ph := ct["phones"].([]any)[0].(map[string]any)
	addr, _ := ct["service_address"].(map[string]any)
	if ct["name"] != "王建国" || ph["number"] != w.phone || ph["masked"] != false || addr == nil || addr["detail"] != "科技园南区 1 栋 101" {
		t.Fatalf("contact: %s", r.Body)
	}
	p := h.do("GET", passport, om, nil).JSON(t)
	owner, _ := p["owner"].(map[string]any)
	if owner == nil || owner["phones"].([]any)[0].(map[string]any)["number"] != w.phone {
		t.Fatalf("passport owner through the job: %v", p["owner"])
	}
	if r := h.do("GET", fmt.Sprintf("/api/v1/units?customer_id=%d", w.customerID), om, nil); r.Status != 200 {
		t.Fatalf("the customer's units through the job: %d %s", r.Status, r.Body)
	}
	// Another outlet: not the order, not the owner.
	if r := h.do("GET", contact, om2, nil); r.Status != 404 {
		t.Fatalf("another outlet's contact: %d %s", r.Status, r.Body)
	}
	if p := h.do("GET", passport, om2, nil).JSON(t); p["owner"] != nil {
		t.Fatalf("owner for another outlet: %v", p["owner"])
	}
	if r := h.do("GET", fmt.Sprintf("/api/v1/units?customer_id=%d", w.customerID), om2, nil); r.Status != 404 {
		t.Fatalf("another outlet lists the customer's units: %d", r.Status)
	}
	// Technicians: only the assigned one.
	if r := h.do("GET", contact, tech, nil); r.Status != 403 {
		t.Fatalf("technician before assignment: %d %s", r.Status, r.Body)
	}
	wo := h.do("GET", fmt.Sprintf("/api/v1/work-orders/%d", woID), om, nil).JSON(t)
	if r := h.do("POST", fmt.Sprintf("/api/v1/work-orders/%d/assign", woID), om, map[string]any{"technician_staff_id": w.technicianID, "version": wo["version"]}); r.Status != 200 {
		t.Fatalf("assign: %d %s", r.Status, r.Body)
	}
	if r := h.do("GET", contact, tech, nil); r.Status != 200 {
		t.Fatalf("assigned technician: %d %s", r.Status, r.Body)
	}
	if r := h.do("GET", contact, colleague, nil); r.Status != 403 {
		t.Fatalf("a colleague technician: %d %s", r.Status, r.Body)
	}
	// Closed 31 days ago: over.
	old := time.Now().UTC().AddDate(0, 0, -31)
	if err := h.app.DB.Exec("UPDATE work_orders SET status = 'signed_off', completed_at = ?, signed_off_at = ? WHERE id = ?", old, old, woID).Error; err != nil {
		t.Fatal(err)
	}
	if r := h.do("GET", contact, om, nil); r.Status != 403 {
		t.Fatalf("contact 31 days after closing: %d %s", r.Status, r.Body)
	}
	if p := h.do("GET", passport, om, nil).JSON(t); p["owner"] != nil {
		t.Fatalf("owner 31 days after closing: %v", p["owner"])
	}
	recent := time.Now().UTC().AddDate(0, 0, -29)
	h.app.DB.Exec("UPDATE work_orders SET completed_at = ?, signed_off_at = ? WHERE id = ?", recent, recent, woID)
	if r := h.do("GET", contact, om, nil); r.Status != 200 || r.JSON(t)["visible_until"] == nil {
		t.Fatalf("contact 29 days after closing: %d %s", r.Status, r.Body)
	}

	// The agent's read of the customer is logged too.
	if r := h.do("GET", fmt.Sprintf("/api/v1/customers/%d", w.customerID), agent, nil); r.Status != 200 {
		t.Fatalf("agent reads the customer: %d", r.Status)
	}
	if r := h.do("GET", fmt.Sprintf("/api/v1/customers/%d", w.customerID), om, nil); r.Status != 403 {
		t.Fatalf("outlet manager on /customers: %d", r.Status)
	}

	// The log: who, which customer, which job, when.
	r = h.expect(200, "GET", fmt.Sprintf("/api/v1/privacy/access-log?customer_id=%d", w.customerID), admin, nil)
	items := r.JSON(t)["items"].([]any)
	byWho := map[string]int{}
	for _, it := range items {
		e := it.(map[string]any)
		byWho[e["username"].(string)+"/"+e["purpose"].(string)]++
		if e["purpose"] == "work_order" && (e["work_order_id"] == nil || num(t, e["work_order_id"]) != woID || e["read_at"] == nil) {
			t.Fatalf("entry without its job: %v", e)
		}
	}
	// outlet_manager: contact ×2 (open, 29 days), passport ×1, units list
	// (no personal data: not logged); technician: contact ×1; agent: the
	// customer record.
	if byWho["outlet_manager/work_order"] != 3 || byWho["technician/work_order"] != 1 || byWho["agent/customer_record"] < 1 || byWho["privacy_mgr2/work_order"] != 0 {
		t.Fatalf("access log by user: %v", byWho)
	}
	if r := h.do("GET", "/api/v1/privacy/access-log", h.login("auditor"), nil); r.Status != 200 {
		t.Fatalf("auditor lists the log: %d", r.Status)
	}
	if r := h.do("GET", "/api/v1/privacy/access-log", om, nil); r.Status != 403 {
		t.Fatalf("outlet manager lists the log: %d", r.Status)
	}
}
