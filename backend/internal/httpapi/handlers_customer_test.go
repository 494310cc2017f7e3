package httpapi_test

import (
	"fmt"
	"net/url"
	"testing"
)

// TestCustomerAPI walks an agent through creating a customer and taking a
// call from them, and checks every error shape on the way.
func TestCustomerAPI(t *testing.T) {
	h := newHarness(t)
	agent := h.login("agent")
	fields := func(r response) map[string]any {
		t.Helper()
		f, _ := r.JSON(t)["error"].(map[string]any)["fields"].(map[string]any)
		return f
	}
	details := func(r response) map[string]any {
		t.Helper()
		d, _ := r.JSON(t)["error"].(map[string]any)["details"].(map[string]any)
		return d
	}

	// Bad input: empty body fields, malformed JSON, a phone that is not one,
	// an unknown region code.
	r := h.do("POST", "/api/v1/customers", agent, "{}")
	if r.Status != 422 || r.errCode(t) != "validation_failed" || fields(r)["name"] == nil || fields(r)["phones"] == nil {
		t.Fatalf("empty create: %d %s", r.Status, r.Body)
	}
	if r := h.do("POST", "/api/v1/customers", agent, `{"name": "张三", "phones": [`); r.Status != 400 || r.errCode(t) != "bad_request" {
		t.Fatalf("malformed JSON: %d %s", r.Status, r.Body)
	}
	r = h.do("POST", "/api/v1/customers", agent, map[string]any{"name": "张三", "phones": []any{map[string]any{"number": "12345"}},
		"addresses": []any{map[string]any{"region_code": "999999", "detail": "某路 1 号"}}})
	if r.Status != 422 || fields(r)["phones[0].number"] == nil || fields(r)["addresses[0].region_code"] == nil {
		t.Fatalf("bad phone and unknown region: %d %s", r.Status, r.Body)
	}

	// Create.
	r = h.expect(201, "POST", "/api/v1/customers", agent, map[string]any{"name": "张三", "consent": map[string]any{"sms": true},
		"phones":    []any{map[string]any{"number": "+86 138-1234-5678", "label": "本人"}},
		"addresses": []any{map[string]any{"region_code": "440305", "detail": "科技园南路 18 号"}}})
	body := r.JSON(t)
	cust := body["customer"].(map[string]any)
	id := cust["id"].(float64)
	phone := body["phones"].([]any)[0].(map[string]any)
	addr := body["addresses"].([]any)[0].(map[string]any)
	if phone["number"] != "13812345678" || phone["masked"] != false || addr["region_name"] != "广东省 深圳市 南山区" || cust["version"] != 1.0 {
		t.Fatalf("created: %s", r.Body)
	}

	// The same phone typed differently is a duplicate of this customer.
	r = h.do("POST", "/api/v1/customers", agent, map[string]any{"name": "李四", "phones": []any{map[string]any{"number": "138 1234 5678"}}})
	if r.Status != 409 || r.errCode(t) != "duplicate_phone" || details(r)["customer_id"] != id {
		t.Fatalf("duplicate phone: %d %s", r.Status, r.Body)
	}

	// Screen-pop: the agent sees the full number; quality and auditors see
	// it masked; outlet staff may not look customers up at all.
	pop := "/api/v1/customers?phone=" + url.QueryEscape("0086 138 1234 5678")
	r = h.expect(200, "GET", pop, agent, nil)
	body = r.JSON(t)
	if body["customer"].(map[string]any)["id"] != id || body["phones"].([]any)[0].(map[string]any)["number"] != "13812345678" {
		t.Fatalf("screen-pop as agent: %s", r.Body)
	}
	if units, ok := body["units"].([]any); !ok || len(units) != 0 {
		t.Fatalf("screen-pop units must be an empty list: %s", r.Body)
	}
	for _, who := range []string{"quality", "auditor"} {
		r = h.do("GET", pop, h.login(who), nil)
		ph := r.JSON(t)["phones"].([]any)[0].(map[string]any)
		if r.Status != 200 || ph["number"] != "138****5678" || ph["masked"] != true {
			t.Fatalf("screen-pop as %s must mask: %d %s", who, r.Status, r.Body)
		}
	}
	if r := h.do("GET", pop, h.login("outlet_manager"), nil); r.Status != 403 {
		t.Fatalf("outlet manager screen-pop: %d", r.Status)
	}
	if r := h.do("GET", "/api/v1/customers?phone=12345", agent, nil); r.Status != 422 || fields(r)["phone"] == nil {
		t.Fatalf("screen-pop with a non-number: %d %s", r.Status, r.Body)
	}
	if r := h.do("GET", "/api/v1/customers?phone=13900000000", agent, nil); r.Status != 404 || r.errCode(t) != "not_found" {
		t.Fatalf("screen-pop for an unknown caller: %d %s", r.Status, r.Body)
	}

	// Edit with optimistic concurrency.
	path := fmt.Sprintf("/api/v1/customers/%d", int(id))
	if r := h.do("PATCH", path, agent, map[string]any{"name": "张三丰"}); r.Status != 422 || fields(r)["version"] == nil {
		t.Fatalf("patch without version: %d %s", r.Status, r.Body)
	}
	if r := h.do("PATCH", path, agent, map[string]any{"name": "张三丰"}, "If-Match", "soon"); r.Status != 400 {
		t.Fatalf("patch with a bad If-Match: %d %s", r.Status, r.Body)
	}
	r = h.do("PATCH", path, agent, map[string]any{"name": "张三丰", "consent": map[string]any{"marketing": true}}, "If-Match", `"1"`)
	if r.Status != 200 || r.JSON(t)["version"] != 2.0 || r.JSON(t)["consent"].(map[string]any)["sms"] != true {
		t.Fatalf("patch: %d %s", r.Status, r.Body)
	}
	h.noopPatch(t, path, agent, map[string]any{"name": "张三丰", "consent": map[string]any{"marketing": true}}, 2.0)
	h.noopPatch(t, path, agent, map[string]any{}, 2.0)
	if r := h.do("PATCH", path, agent, map[string]any{"version": 1, "name": "张三"}); r.Status != 409 || r.errCode(t) != "version_conflict" {
		t.Fatalf("stale patch: %d %s", r.Status, r.Body)
	}
	if r := h.do("PATCH", "/api/v1/customers/999999999", agent, map[string]any{"version": 1, "name": "x"}); r.Status != 404 {
		t.Fatalf("patch unknown: %d %s", r.Status, r.Body)
	}

	// Phones and addresses.
	r = h.do("POST", path+"/phones", agent, map[string]any{"number": "0755-8600 1234", "label": "办公室"})
	if r.Status != 201 || r.JSON(t)["number"] != "0755-86001234" || r.JSON(t)["primary"] != false {
		t.Fatalf("add phone: %d %s", r.Status, r.Body)
	}
	if r := h.do("POST", path+"/phones", agent, map[string]any{"number": "13812345678"}); r.Status != 409 || r.errCode(t) != "duplicate_phone" {
		t.Fatalf("add duplicate phone: %d %s", r.Status, r.Body)
	}
	if r := h.do("POST", path+"/addresses", agent, map[string]any{"region_code": "000000", "detail": "x"}); r.Status != 422 || fields(r)["region_code"] == nil {
		t.Fatalf("add address with unknown region: %d %s", r.Status, r.Body)
	}
	r = h.do("POST", path+"/addresses", agent, map[string]any{"region_code": "110101", "detail": "东直门内大街 5 号", "default": true})
	if r.Status != 201 || r.JSON(t)["default"] != true {
		t.Fatalf("add address: %d %s", r.Status, r.Body)
	}
	r = h.do("GET", path, h.login("quality"), nil)
	body = r.JSON(t)
	if r.Status != 200 || len(body["phones"].([]any)) != 2 || body["phones"].([]any)[1].(map[string]any)["number"] != "0755-****1234" ||
		body["addresses"].([]any)[0].(map[string]any)["region_code"] != "110101" {
		t.Fatalf("profile as quality: %d %s", r.Status, r.Body)
	}

	// Lists.
	r = h.do("GET", "/api/v1/customers?q="+url.QueryEscape("张三"), agent, nil)
	if r.Status != 200 || r.JSON(t)["total"] != 1.0 || len(r.JSON(t)["items"].([]any)) != 1 {
		t.Fatalf("list by prefix: %d %s", r.Status, r.Body)
	}
	if r := h.do("GET", "/api/v1/customers?size=1000", agent, nil); r.Status != 400 {
		t.Fatalf("oversized page: %d", r.Status)
	}
}

func TestRegionsAPI(t *testing.T) {
	h := newHarness(t)
	tok := h.login("technician")
	r := h.do("GET", "/api/v1/regions", tok, nil)
	if r.Status != 200 || len(r.JSON(t)["items"].([]any)) != 34 {
		t.Fatalf("provinces: %d %s", r.Status, r.Body)
	}
	r = h.do("GET", "/api/v1/regions?parent=440300", tok, nil)
	found := false
	for _, it := range r.JSON(t)["items"].([]any) {
		m := it.(map[string]any)
		if m["code"] == "440305" && m["name"] == "南山区" && m["level"] == "district" && m["has_children"] == false {
			found = true
		}
	}
	if r.Status != 200 || !found {
		t.Fatalf("districts of 深圳: %d %s", r.Status, r.Body)
	}
	r = h.do("GET", "/api/v1/regions?parent=999999", tok, nil)
	if f, _ := r.JSON(t)["error"].(map[string]any)["fields"].(map[string]any); r.Status != 422 || f["parent"] == nil {
		t.Fatalf("unknown parent: %d %s", r.Status, r.Body)
	}
	r = h.do("GET", "/api/v1/regions/search?q="+url.QueryEscape("南山"), tok, nil)
	found = false
	for _, it := range r.JSON(t)["items"].([]any) {
		if m := it.(map[string]any); m["code"] == "440305" && m["full_name"] == "广东省 深圳市 南山区" {
			found = true
		}
	}
	if r.Status != 200 || !found {
		t.Fatalf("search: %d %s", r.Status, r.Body)
	}
	if r := h.do("GET", "/api/v1/regions/search?q=x&limit=0", tok, nil); r.Status != 400 {
		t.Fatalf("bad limit: %d", r.Status)
	}
}
