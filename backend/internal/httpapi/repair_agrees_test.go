package httpapi_test

import (
	"fmt"
	"testing"
)

// Defect 2, the reverse order, through the wired app: the work order was
// completed as done before its repair existed, then the repair completed
// not_fixed and was accepted. Now the repair is refused with 409
// result_disagrees_with_work_order; fixed is accepted. On both databases.
func TestRepairAfterADoneWorkOrderMustBeFixed(t *testing.T) {
	onBothDatabases(t, repairAfterDoneWorkOrder)
}

func repairAfterDoneWorkOrder(t *testing.T, h *harness) {
	w := buildWorld(t, h)
	agent, om, tech := h.login("agent"), h.login("outlet_manager"), h.login("technician")
	r := h.expect(201, "POST", "/api/v1/tickets", agent, map[string]any{"channel": "phone", "type": "repair", "customer_id": w.customerID,
		"unit_id": w.unitID, "description": "空调不制冷"})
	tid := num(t, r.JSON(t)["id"])
	r = h.expect(201, "POST", fmt.Sprintf("/api/v1/tickets/%d/dispatch", tid), agent, map[string]any{"kind": "repair"})
	woID := num(t, r.JSON(t)["id"])
	for _, s := range []struct {
		who, step string
		body      any
	}{
		{om, "accept", nil},
		{om, "assign", map[string]any{"technician_staff_id": w.technicianID}},
		{tech, "check-in", nil},
		{tech, "complete", map[string]any{"result": "done", "notes": "已修复"}},
	} {
		if r = h.do("POST", fmt.Sprintf("/api/v1/work-orders/%d/%s", woID, s.step), s.who, s.body); r.Status != 200 {
			t.Fatalf("%s: %d %s", s.step, r.Status, r.Body)
		}
	}
	r = h.expect(201, "POST", "/api/v1/repairs", tech, map[string]any{"work_order_id": woID, "complaint": "不制冷"})
	rep := r.JSON(t)
	id := num(t, rep["id"])
	if rep["in_warranty"] != true {
		t.Skipf("the world's unit is out of warranty: %s", r.Body)
	}
	if r = h.do("POST", fmt.Sprintf("/api/v1/repairs/%d/diagnose", id), tech, map[string]any{"diagnosis": "压缩机损坏", "fault_code": "E5"}); r.Status != 200 {
		t.Fatalf("diagnose %d %s", r.Status, r.Body)
	}
	if r = h.do("POST", fmt.Sprintf("/api/v1/repairs/%d/start", id), tech, map[string]any{}); r.Status != 200 {
		t.Fatalf("start %d %s", r.Status, r.Body)
	}
	r = h.do("POST", fmt.Sprintf("/api/v1/repairs/%d/complete", id), tech, map[string]any{"result": "not_fixed"})
	if r.Status != 409 || r.errCode(t) != "result_disagrees_with_work_order" {
		t.Fatalf("not_fixed repair under a done work order: %d %s", r.Status, r.Body)
	}
	r = h.expect(200, "POST", fmt.Sprintf("/api/v1/repairs/%d/complete", id), tech, map[string]any{"result": "fixed", "customer_confirmed": true})
}
