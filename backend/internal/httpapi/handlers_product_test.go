package httpapi_test

import (
	"fmt"
	"net/url"
	"testing"
	"time"
)

// TestProductAPIAndPassport: an administrator sets up the catalogue, an
// agent registers a customer's unit, and the warranty and passport come
// out of it; every refusal has the error shape.
func TestProductAPIAndPassport(t *testing.T) {
	h := newHarness(t)
	admin, agent := h.login("admin"), h.login("agent")
	fields := func(r response) map[string]any {
		t.Helper()
		f, _ := r.JSON(t)["error"].(map[string]any)["fields"].(map[string]any)
		return f
	}

	// Catalogue: a category takes the 三包 defaults; a model overrides one.
	r := h.expect(201, "POST", "/api/v1/product-categories", admin, map[string]any{"code": "ac", "name": "空调"})
	cat := r.JSON(t)
	pol := cat["policy"].(map[string]any)
	if cat["code"] != "AC" || pol["return_days"] != 7.0 || pol["exchange_days"] != 15.0 || pol["repair_warranty_months"] != 12.0 || pol["replace_after_repairs"] != 2.0 {
		t.Fatalf("category defaults: %s", r.Body)
	}
	catID := cat["id"].(float64)
	if r := h.do("POST", "/api/v1/product-categories", admin, map[string]any{"code": "AC", "name": "x"}); r.Status != 409 || r.errCode(t) != "duplicate_code" {
		t.Fatalf("duplicate category: %d %s", r.Status, r.Body)
	}
	if r := h.do("POST", "/api/v1/product-categories", admin, map[string]any{"code": "WM", "name": "洗衣机", "return_days": -1}); r.Status != 422 || fields(r)["return_days"] == nil {
		t.Fatalf("negative window: %d %s", r.Status, r.Body)
	}
	r = h.do("POST", "/api/v1/product-models", admin, map[string]any{"code": "KFR-35GW/ZQ3", "name": "智清 1.5匹", "category_id": catID, "repair_warranty_months": 72})
	if r.Status != 201 || r.JSON(t)["policy"].(map[string]any)["repair_warranty_months"] != 72.0 {
		t.Fatalf("create model: %d %s", r.Status, r.Body)
	}
	model := r.JSON(t)
	modelID := model["id"].(float64)
	if r := h.do("POST", "/api/v1/product-models", admin, map[string]any{"code": "X1", "name": "x", "category_id": 999}); r.Status != 422 || fields(r)["category_id"] == nil {
		t.Fatalf("model of unknown category: %d %s", r.Status, r.Body)
	}
	mpath := fmt.Sprintf("/api/v1/product-models/%d", int(modelID))
	r = h.do("PATCH", mpath, admin, `{"version": 1, "repair_warranty_months": null}`)
	if r.Status != 200 || r.JSON(t)["overrides"].(map[string]any)["repair_warranty_months"] != nil || r.JSON(t)["policy"].(map[string]any)["repair_warranty_months"] != 12.0 {
		t.Fatalf("clear override: %d %s", r.Status, r.Body)
	}
	h.noopPatch(t, mpath, admin, map[string]any{"repair_warranty_months": nil}, 2.0)
	if r := h.do("PATCH", mpath, admin, `{"version": 1, "name": "旧"}`); r.Status != 409 || r.errCode(t) != "version_conflict" {
		t.Fatalf("stale model patch: %d %s", r.Status, r.Body)
	}
	if r := h.do("PATCH", mpath, admin, `{"version": 2, "repair_warranty_months": "long"}`); r.Status != 400 {
		t.Fatalf("wrong type: %d %s", r.Status, r.Body)
	}
	r = h.do("PATCH", fmt.Sprintf("/api/v1/product-categories/%d", int(catID)), admin, map[string]any{"version": 1, "repair_warranty_months": 24})
	if r.Status != 200 || r.JSON(t)["version"] != 2.0 {
		t.Fatalf("patch category: %d %s", r.Status, r.Body)
	}
	h.noopPatch(t, fmt.Sprintf("/api/v1/product-categories/%d", int(catID)), admin, map[string]any{"repair_warranty_months": 24}, 2.0)
	r = h.do("GET", "/api/v1/product-models?category_id="+fmt.Sprint(int(catID)), agent, nil)
	if r.Status != 200 || r.JSON(t)["total"] != 1.0 || r.JSON(t)["items"].([]any)[0].(map[string]any)["policy"].(map[string]any)["repair_warranty_months"] != 24.0 {
		t.Fatalf("models inherit the new category policy: %d %s", r.Status, r.Body)
	}

	// A customer and their unit, bought three days ago (business calendar).
	r = h.expect(201, "POST", "/api/v1/customers", agent, map[string]any{"name": "王芳", "phones": []any{map[string]any{"number": "13912345678"}},
		"addresses": []any{map[string]any{"region_code": "320106", "detail": "中山北路 100 号"}}})
	custID := r.JSON(t)["customer"].(map[string]any)["id"].(float64)
	sh, _ := time.LoadLocation("Asia/Shanghai")
	bought := time.Now().In(sh).AddDate(0, 0, -3).Format(time.DateOnly)
	unit := map[string]any{"serial": "az35-2501-0000001", "model_id": modelID, "customer_id": custID, "purchase_date": bought,
		"purchase_proof": "电子发票 No.12345678", "production_lot": "L2501A"}
	r = h.expect(201, "POST", "/api/v1/units", agent, unit)
	u := r.JSON(t)
	w := u["warranty"].(map[string]any)
	if u["serial"] != "AZ35-2501-0000001" || w["state"] != "return" || u["purchase_date"] != bought || u["category"].(map[string]any)["code"] != "AC" {
		t.Fatalf("registered unit: %s", r.Body)
	}
	r = h.do("POST", "/api/v1/units", agent, unit)
	if d, _ := r.JSON(t)["error"].(map[string]any)["details"].(map[string]any); r.Status != 409 || r.errCode(t) != "duplicate_serial" || d["unit_id"] != u["id"] {
		t.Fatalf("duplicate serial: %d %s", r.Status, r.Body)
	}
	r = h.do("POST", "/api/v1/units", agent, map[string]any{"serial": "SN-0002", "model_id": modelID, "customer_id": 999999, "purchase_date": "2025-13-01"})
	if r.Status != 422 || fields(r)["purchase_date"] == nil {
		t.Fatalf("bad date: %d %s", r.Status, r.Body)
	}
	r = h.do("POST", "/api/v1/units", agent, map[string]any{"serial": "SN-0002", "model_id": modelID, "customer_id": 999999})
	if r.Status != 422 || fields(r)["customer_id"] == nil {
		t.Fatalf("unknown owner: %d %s", r.Status, r.Body)
	}

	// The unit on the customer's list, on the screen-pop, and its passport.
	r = h.do("GET", fmt.Sprintf("/api/v1/units?customer_id=%d", int(custID)), agent, nil)
	if r.Status != 200 || len(r.JSON(t)["items"].([]any)) != 1 {
		t.Fatalf("units of customer: %d %s", r.Status, r.Body)
	}
	if r := h.do("GET", "/api/v1/units", agent, nil); r.Status != 400 || r.errCode(t) != "invalid_parameter" {
		t.Fatalf("units without customer: %d %s", r.Status, r.Body)
	}
	r = h.do("GET", "/api/v1/customers?phone="+url.QueryEscape("139-1234-5678"), agent, nil)
	units := r.JSON(t)["units"].([]any)
	if r.Status != 200 || len(units) != 1 || units[0].(map[string]any)["warranty"].(map[string]any)["state"] != "return" {
		t.Fatalf("screen-pop units: %d %s", r.Status, r.Body)
	}
	r = h.expect(200, "GET", "/api/v1/units/az35-2501-0000001", h.login("technician"), nil)
	p := r.JSON(t)
	// A technician without a job for the owner sees nothing of them
	// (issue 10, item 2): not the owner, not even who it is.
	if p["owner"] != nil || p["unit"].(map[string]any)["customer_id"] != nil {
		t.Fatalf("passport owner shown to a technician without a job: %s", r.Body)
	}
	if r := h.do("GET", fmt.Sprintf("/api/v1/units?customer_id=%d", int(custID)), h.login("technician"), nil); r.Status != 404 {
		t.Fatalf("a technician lists a customer's units: %d %s", r.Status, r.Body)
	}
	// The agent sees the owner by the rule of GET /customers/{id}.
	ap := h.do("GET", "/api/v1/units/az35-2501-0000001", agent, nil).JSON(t)
	if owner, _ := ap["owner"].(map[string]any); owner == nil || owner["customer"].(map[string]any)["name"] != "王芳" {
		t.Fatalf("passport owner for the agent: %v", ap["owner"])
	}
	hist := p["history"].([]any)
	if len(hist) != 2 || hist[0].(map[string]any)["kind"] != "unit" || hist[1].(map[string]any)["kind"] != "purchase" {
		t.Fatalf("passport history, newest first: %s", r.Body)
	}
	if p["warranty"].(map[string]any)["state"] != "return" || p["policy"].(map[string]any)["repair_warranty_months"] != 24.0 || len(p["unavailable_sources"].([]any)) != 0 {
		t.Fatalf("passport warranty: %s", r.Body)
	}
	if r := h.do("GET", "/api/v1/units/NO-SUCH-UNIT", agent, nil); r.Status != 404 || r.errCode(t) != "not_found" {
		t.Fatalf("unknown serial: %d %s", r.Status, r.Body)
	}
}
