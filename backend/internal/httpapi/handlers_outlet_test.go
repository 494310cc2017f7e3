package httpapi_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func outletBody(code, region string, coverage ...string) map[string]any {
	return map[string]any{"code": code, "name": "网点" + code, "kind": "own", "region_code": region, "address": "科苑路1号",
		"phone": "0755-86001234", "coverage": coverage, "category_ids": []int{1}, "daily_capacity": 20}
}

// upload posts a file as multipart field "file".
func (h *harness) upload(path, token, filename string, content []byte) response {
	h.t.Helper()
	return h.uploadWith(path, token, nil, filename, content)
}

// category creates product category 1, which the test outlets are authorised for.
func (h *harness) category(admin string) {
	h.t.Helper()
	if r := h.do("POST", "/api/v1/product-categories", admin, map[string]any{"code": "AC", "name": "空调"}); r.Status != 201 {
		h.t.Fatalf("category: %d %s", r.Status, r.Body)
	}
}

func TestOutletsAPI(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin")
	h.category(admin)
	r := h.expect(201, "POST", "/api/v1/outlets", admin, outletBody("SZ-01", "440305", "440305", "440306"))
	one := r.JSON(t)
	if one["id"].(float64) != 1 || one["region_name"] != "广东省 深圳市 南山区" || r.Header.Get("ETag") != `"1"` {
		t.Fatalf("outlet 1: %v %v", one, r.Header)
	}
	r = h.expect(201, "POST", "/api/v1/outlets", admin, outletBody("GZ-01", "440106", "440100"))
	two := int(r.JSON(t)["id"].(float64))
	r = h.do("POST", "/api/v1/outlets", admin, map[string]any{"code": "XX-02", "name": "x", "kind": "own", "region_code": "440305",
		"address": "x", "phone": "0755-86001234", "coverage": []string{"440305"}, "category_ids": []int{99}, "daily_capacity": 5})
	if r.Status != 422 || !strings.Contains(string(r.Body), "category_ids") {
		t.Fatalf("unknown category: %d %s", r.Status, r.Body)
	}

	// Data scope: the outlet manager of outlet 1 does not see outlet 2.
	mgr := h.login("outlet_manager")
	if r := h.do("GET", fmt.Sprintf("/api/v1/outlets/%d", two), mgr, nil); r.Status != 404 || r.errCode(t) != "not_found" {
		t.Fatalf("manager reads outlet 2: %d %s", r.Status, r.Body)
	}
	if r := h.do("GET", "/api/v1/outlets/1", mgr, nil); r.Status != 200 {
		t.Fatalf("manager reads outlet 1: %d %s", r.Status, r.Body)
	}
	if r := h.do("GET", "/api/v1/outlets", mgr, nil); r.Status != 200 || r.JSON(t)["total"].(float64) != 1 {
		t.Fatalf("manager list: %d %s", r.Status, r.Body)
	}
	if r := h.do("GET", "/api/v1/outlets?region=440000&sort=-code", admin, nil); r.Status != 200 || r.JSON(t)["total"].(float64) != 2 ||
		r.JSON(t)["items"].([]any)[0].(map[string]any)["code"] != "SZ-01" {
		t.Fatalf("admin list: %d %s", r.Status, r.Body)
	}
	if r := h.do("GET", "/api/v1/outlets?region=abc", admin, nil); r.Status != 422 {
		t.Fatalf("bad region filter: %d %s", r.Status, r.Body)
	}

	// Entrusted without a contract.
	bad := outletBody("WT-01", "440305", "440305")
	bad["kind"] = "entrusted"
	r = h.do("POST", "/api/v1/outlets", admin, bad)
	fields, _ := r.JSON(t)["error"].(map[string]any)["fields"].(map[string]any)
	if r.Status != 422 || fields["contract_no"] == nil || fields["contract_valid_from"] == nil || fields["contract_valid_to"] == nil {
		t.Fatalf("entrusted without contract: %d %s", r.Status, r.Body)
	}
	bad["contract_no"], bad["contract_valid_from"], bad["contract_valid_to"] = "HT-1", "2025-01-01", "2025-13-01"
	if r := h.do("POST", "/api/v1/outlets", admin, bad); r.Status != 422 || !strings.Contains(string(r.Body), "contract_valid_to") {
		t.Fatalf("bad date: %d %s", r.Status, r.Body)
	}
	if r := h.do("POST", "/api/v1/outlets", admin, outletBody("SZ-01", "440305", "440305")); r.Status != 409 || r.errCode(t) != "duplicate_code" {
		t.Fatalf("duplicate code: %d %s", r.Status, r.Body)
	}

	// Optimistic concurrency: two editors read version 1.
	if r := h.do("PATCH", "/api/v1/outlets/1", admin, map[string]any{"daily_capacity": 25}); r.Status != 422 {
		t.Fatalf("patch without version: %d %s", r.Status, r.Body)
	}
	if r := h.do("PATCH", "/api/v1/outlets/1", admin, map[string]any{"daily_capacity": 25, "version": 1}); r.Status != 200 || r.Header.Get("ETag") != `"2"` {
		t.Fatalf("first edit: %d %s", r.Status, r.Body)
	}
	h.noopPatch(t, "/api/v1/outlets/1", admin, map[string]any{"daily_capacity": 25}, 2.0)
	if r := h.do("PATCH", "/api/v1/outlets/1", admin, map[string]any{"daily_capacity": 30}, "If-Match", `"1"`); r.Status != 409 || r.errCode(t) != "version_conflict" {
		t.Fatalf("second edit on the stale version: %d %s", r.Status, r.Body)
	}
	if r := h.do("GET", "/api/v1/outlets/1", admin, nil); r.JSON(t)["daily_capacity"].(float64) != 25 {
		t.Fatalf("lost update: %s", r.Body)
	}
	if r := h.do("PATCH", "/api/v1/outlets/1", mgr, map[string]any{"version": 2}); r.Status != 403 {
		t.Fatalf("manager patches: %d", r.Status)
	}

	// Suspend / activate.
	path := fmt.Sprintf("/api/v1/outlets/%d", two)
	if r := h.do("POST", path+"/suspend", admin, map[string]any{"reason": "整改"}); r.Status != 200 || r.JSON(t)["status"] != "suspended" {
		t.Fatalf("suspend: %d %s", r.Status, r.Body)
	}
	r = h.do("POST", path+"/suspend", admin, nil)
	if r.Status != 409 || r.errCode(t) != "invalid_transition" || !strings.Contains(string(r.Body), `"allowed":["activate"]`) {
		t.Fatalf("suspend twice: %d %s", r.Status, r.Body)
	}
	if r := h.do("POST", path+"/activate", admin, nil); r.Status != 200 || r.JSON(t)["status"] != "active" {
		t.Fatalf("activate: %d %s", r.Status, r.Body)
	}
}

func TestStaffAPI(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin")
	h.category(admin)
	if r := h.do("POST", "/api/v1/outlets", admin, outletBody("SZ-01", "440305", "440305")); r.Status != 201 {
		t.Fatalf("outlet: %d %s", r.Status, r.Body)
	}
	if r := h.do("POST", "/api/v1/outlets", admin, outletBody("GZ-01", "440106", "440100")); r.Status != 201 {
		t.Fatalf("outlet: %d %s", r.Status, r.Body)
	}
	tech := h.login("technician")
	techID := h.do("GET", "/api/v1/me", tech, nil).JSON(t)["id"].(float64)
	// The technician's login belongs to outlet 1: linking it to outlet 2 staff is refused.
	r := h.do("POST", "/api/v1/staff", admin, map[string]any{"name": "张伟", "outlet_id": 2, "post": "维修技师", "phone": "13800000001", "user_id": techID})
	if r.Status != 422 || !strings.Contains(string(r.Body), "user_id") {
		t.Fatalf("cross-outlet login: %d %s", r.Status, r.Body)
	}
	r = h.expect(201, "POST", "/api/v1/staff", admin, map[string]any{"name": "张伟", "outlet_id": 1, "post": "维修技师", "phone": "13800000001", "user_id": techID, "hired_at": "2021-03-15"})
	staffID := int(r.JSON(t)["id"].(float64))
	r = h.expect(201, "POST", "/api/v1/staff", admin, map[string]any{"name": "王五", "outlet_id": 2, "post": "维修技师", "phone": "13800000002"})
	other := int(r.JSON(t)["id"].(float64))
	// Issue 13 defect 3: a 管理师 certificate is valid issue date + 3 years.
	issued := time.Now().AddDate(-1, 0, 0).Format(time.DateOnly)
	r = h.do("POST", fmt.Sprintf("/api/v1/staff/%d/certificates", staffID), admin, map[string]any{"kind": "service_manager", "number": "GL-1", "issued_at": issued, "expires_at": "2099-12-31"})
	if r.Status != 422 || !strings.Contains(string(r.Body), "valid 3 years") {
		t.Fatalf("certificate beyond 3 years: %d %s", r.Status, r.Body)
	}
	r = h.do("POST", fmt.Sprintf("/api/v1/staff/%d/certificates", staffID), admin, map[string]any{"kind": "service_manager", "number": "GL-0", "issued_at": "2019-03-01"})
	if r.Status != 201 || r.JSON(t)["expires_at"] != "2022-02-28" || r.JSON(t)["state"] == "valid" {
		t.Fatalf("certificate of 2019 without expiry: %d %s", r.Status, r.Body)
	}
	r = h.do("POST", fmt.Sprintf("/api/v1/staff/%d/certificates", staffID), admin, map[string]any{"kind": "service_manager", "number": "GL-1", "issued_at": issued})
	if r.Status != 201 || r.JSON(t)["state"] != "valid" || r.JSON(t)["expires_at"] != time.Now().AddDate(2, 0, -1).Format(time.DateOnly) {
		t.Fatalf("certificate: %d %s", r.Status, r.Body)
	}
	if r := h.do("POST", fmt.Sprintf("/api/v1/staff/%d/trainings", staffID), admin, map[string]any{"course": "安全用电", "hours": 4, "completed_at": "2025-06-01", "passed": true}); r.Status != 201 {
		t.Fatalf("training: %d %s", r.Status, r.Body)
	}
	mgr := h.login("outlet_manager")
	if r := h.do("GET", fmt.Sprintf("/api/v1/staff/%d", other), mgr, nil); r.Status != 404 {
		t.Fatalf("manager reads outlet 2 staff: %d %s", r.Status, r.Body)
	}
	r = h.do("GET", fmt.Sprintf("/api/v1/staff/%d", staffID), mgr, nil)
	if r.Status != 200 || r.JSON(t)["service_manager_certified"] != true || len(r.JSON(t)["trainings"].([]any)) != 1 {
		t.Fatalf("manager reads own staff: %d %s", r.Status, r.Body)
	}
	if r := h.do("GET", "/api/v1/staff?certified=true", admin, nil); r.JSON(t)["total"].(float64) != 1 {
		t.Fatalf("certified filter: %s", r.Body)
	}
	if r := h.do("GET", "/api/v1/staff?certified=maybe", admin, nil); r.Status != 400 {
		t.Fatalf("bad bool: %d", r.Status)
	}
	if r := h.do("PATCH", fmt.Sprintf("/api/v1/staff/%d", staffID), admin, map[string]any{"post": "安装工", "version": 7}); r.Status != 409 {
		t.Fatalf("stale staff version: %d %s", r.Status, r.Body)
	}
	staffPath := fmt.Sprintf("/api/v1/staff/%d", staffID)
	sm := h.do("GET", staffPath, admin, nil).JSON(t)
	h.noopPatch(t, staffPath, admin, map[string]any{"post": sm["post"]}, sm["version"])
	h.noopPatch(t, staffPath, admin, map[string]any{}, sm["version"])
	if r := h.do("GET", "/api/v1/staff/summary", h.login("quality"), nil); r.Status != 200 || r.JSON(t)["certified_managers"].(float64) != 0 ||
		r.JSON(t)["active_staff"].(float64) != 2 {
		t.Fatalf("summary: %d %s", r.Status, r.Body)
	}
}

func TestOutletImportAPI(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin")
	r := h.do("GET", "/api/v1/outlets/import/template", admin, nil)
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" ||
		!strings.Contains(r.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("template: %d %v", r.Status, r.Header)
	}
	f, err := excelize.OpenReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("网点")
	if len(rows) != 2 || rows[0][0] != "网点编码*" {
		t.Fatalf("template rows: %v", rows)
	}
	// The example row plus a bad one.
	_ = f.SetSheetRow("网点", "A3", &[]any{"BAD-1", "坏网点", "自营", "", "", "", "999999", "某地", "", "", "0755-86001234", "440305", "", "10"})
	buf, _ := f.WriteToBuffer()
	r = h.upload("/api/v1/outlets/import", admin, "网点.xlsx", buf.Bytes())
	if r.Status != 200 {
		t.Fatalf("import: %d %s", r.Status, r.Body)
	}
	rep := r.JSON(t)
	errs := rep["errors"].([]any)
	if rep["total"].(float64) != 2 || rep["imported"].(float64) != 1 || rep["failed"].(float64) != 1 || len(errs) != 1 ||
		errs[0].(map[string]any)["row"].(float64) != 3 || errs[0].(map[string]any)["field"] != "region_code" {
		t.Fatalf("report: %s", r.Body)
	}
	r = h.upload("/api/v1/outlets/import", admin, "网点.xlsx", buf.Bytes())
	if rep := r.JSON(t); rep["imported"].(float64) != 0 || rep["failed"].(float64) != 2 {
		t.Fatalf("rerun: %s", r.Body)
	}
	if r := h.upload("/api/v1/outlets/import", admin, "网点.csv", []byte("a,b")); r.Status != 422 {
		t.Fatalf("csv: %d %s", r.Status, r.Body)
	}
	if r := h.upload("/api/v1/outlets/import", admin, "x.xlsx", bytes.Repeat([]byte("x"), 6<<20)); r.Status != 400 {
		t.Fatalf("oversized: %d %s", r.Status, r.Body)
	}
	if r := h.do("POST", "/api/v1/outlets/import", admin, "{}"); r.Status != 400 {
		t.Fatalf("json instead of multipart: %d %s", r.Status, r.Body)
	}
	r = h.expect(200, "GET", "/api/v1/outlets/export?kind=entrusted", admin, nil)
	x, err := excelize.OpenReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	if rows, _ := x.GetRows("网点"); len(rows) != 2 || rows[1][0] != "WD-SZ-101" {
		t.Fatalf("export rows: %v", rows)
	}
	r = h.expect(200, "GET", "/api/v1/staff/import/template", admin, nil)
	if r := h.upload("/api/v1/staff/import", admin, "人员.xlsx", r.Body); r.Status != 200 || r.JSON(t)["imported"].(float64) != 1 {
		t.Fatalf("staff import: %d %s", r.Status, r.Body)
	}
}
