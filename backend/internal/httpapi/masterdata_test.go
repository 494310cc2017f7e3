package httpapi_test

import (
	"fmt"
	"strings"
	"testing"
)

// Master-data corrections (issue 12 §2), on both databases: phones and
// addresses edited and removed keeping one primary and the search index in
// step; a unit's purchase data corrected with proof and reason, transferred
// with its history, deactivated (no new tickets) and reactivated; duplicate
// customers merged with every referencing row; a PIPL erasure that leaves
// tickets countable. Stale versions answer 409, outlet users 403.
func TestMasterDataCorrections(t *testing.T) {
	onBothDatabases(t, masterDataCorrections)
}

// mdCall fails the test unless the answer has status want, and returns its
// JSON object.
func mdCall(t *testing.T, h *harness, want int, method, path, token string, body any) map[string]any {
	t.Helper()
	r := h.do(method, path, token, body)
	if r.Status != want {
		t.Fatalf("%s %s: %d %s (want %d)", method, path, r.Status, r.Body, want)
	}
	if len(r.Body) == 0 {
		return nil
	}
	return r.JSON(t)
}

// mdRefused checks an error answer's status and code (and field, if given).
func mdRefused(t *testing.T, h *harness, status int, code, field, method, path, token string, body any) {
	t.Helper()
	r := h.do(method, path, token, body)
	if r.Status != status || (code != "" && r.errCode(t) != code) {
		t.Fatalf("%s %s: %d %s (want %d %s)", method, path, r.Status, r.Body, status, code)
	}
	if field != "" {
		e := r.JSON(t)["error"].(map[string]any)
		if f, _ := e["fields"].(map[string]any); f[field] == nil {
			t.Fatalf("%s %s: no message on field %s: %s", method, path, field, r.Body)
		}
	}
}

func version(t *testing.T, m map[string]any) float64 {
	t.Helper()
	if c, ok := m["customer"].(map[string]any); ok {
		m = c
	}
	v, ok := m["version"].(float64)
	if !ok {
		t.Fatalf("no version in %v", m)
	}
	return v
}

func masterDataCorrections(t *testing.T, h *harness) {
	w := buildWorld(t, h)
	agent, admin, om := h.login("agent"), h.login("admin"), h.login("outlet_manager")
	cust := fmt.Sprintf("/api/v1/customers/%d", w.customerID)

	// ---- phones: a second one becomes primary; the primary is removed
	// only naming its successor; the last one stays.
	second := mdCall(t, h, 201, "POST", cust+"/phones", agent, map[string]any{"number": "13900001111", "label": "家人"})
	p := mdCall(t, h, 200, "GET", cust, agent, nil)
	v := version(t, p)
	first := num(t, p["phones"].([]any)[0].(map[string]any)["id"])
	sid := num(t, second["id"])
	mdRefused(t, h, 409, "version_conflict", "", "PATCH", fmt.Sprintf("%s/phones/%d", cust, sid), agent, map[string]any{"version": v + 1, "primary": true})
	mdRefused(t, h, 403, "", "", "PATCH", fmt.Sprintf("%s/phones/%d", cust, sid), om, map[string]any{"version": v, "primary": true})
	mdRefused(t, h, 422, "", "number", "PATCH", fmt.Sprintf("%s/phones/%d", cust, sid), agent, map[string]any{"version": v, "number": "12345"})
	p = mdCall(t, h, 200, "PATCH", fmt.Sprintf("%s/phones/%d", cust, sid), agent, map[string]any{"version": v, "primary": true, "label": "本人新号"})
	phones := p["phones"].([]any)
	if len(phones) != 2 || num(t, phones[0].(map[string]any)["id"]) != sid || phones[0].(map[string]any)["primary"] != true || phones[1].(map[string]any)["primary"] != false {
		t.Fatalf("after making the second phone primary: %v", phones)
	}
	v = version(t, p)
	mdRefused(t, h, 422, "", "primary", "PATCH", fmt.Sprintf("%s/phones/%d", cust, sid), agent, map[string]any{"version": v, "primary": false})
	mdRefused(t, h, 422, "", "new_primary_id", "DELETE", fmt.Sprintf("%s/phones/%d", cust, sid), agent, map[string]any{"version": v})
	p = mdCall(t, h, 200, "DELETE", fmt.Sprintf("%s/phones/%d", cust, sid), agent, map[string]any{"version": v, "new_primary_id": first})
	if phones = p["phones"].([]any); len(phones) != 1 || phones[0].(map[string]any)["primary"] != true {
		t.Fatalf("after removing the primary: %v", phones)
	}
	v = version(t, p)
	mdRefused(t, h, 409, "last_phone", "", "DELETE", fmt.Sprintf("%s/phones/%d", cust, first), agent, map[string]any{"version": v})
	// The removed number is free again; the phone tail finds the customer by the kept one.
	if r := h.do("GET", "/api/v1/customers?phone=13900001111", agent, nil); r.Status != 404 {
		t.Fatalf("removed phone still pops up: %d %s", r.Status, r.Body)
	}

	// ---- addresses: an edit moves the search index with it.
	addrID := num(t, p["addresses"].([]any)[0].(map[string]any)["id"])
	mdCall(t, h, 200, "PATCH", fmt.Sprintf("%s/addresses/%d", cust, addrID), agent, map[string]any{"version": v, "detail": "海岸城 8 栋 1201"})
	// The version read before this edit is stale now.
	mdRefused(t, h, 409, "version_conflict", "", "PATCH", fmt.Sprintf("%s/addresses/%d", cust, addrID), agent, map[string]any{"version": v, "detail": "别处"})
	if items := mdCall(t, h, 200, "GET", "/api/v1/customers?q=海岸城", agent, nil)["items"].([]any); len(items) != 1 {
		t.Fatalf("search by the new address: %v", items)
	}
	if items := mdCall(t, h, 200, "GET", "/api/v1/customers?q=科技园", agent, nil)["items"].([]any); len(items) != 0 {
		t.Fatalf("search by the old address still finds: %v", items)
	}
	extra := mdCall(t, h, 201, "POST", cust+"/addresses", agent, map[string]any{"region_code": "440304", "detail": "福田区 车公庙 3 号"})
	p = mdCall(t, h, 200, "GET", cust, agent, nil)
	v = version(t, p)
	mdRefused(t, h, 422, "", "new_default_id", "DELETE", fmt.Sprintf("%s/addresses/%d", cust, addrID), agent, map[string]any{"version": v})
	p = mdCall(t, h, 200, "DELETE", fmt.Sprintf("%s/addresses/%d", cust, addrID), agent, map[string]any{"version": v, "new_default_id": num(t, extra["id"])})
	if as := p["addresses"].([]any); len(as) != 1 || as[0].(map[string]any)["default"] != true {
		t.Fatalf("after removing the default address: %v", as)
	}

	// ---- units: purchase data needs a proof and a reason.
	unit := "/api/v1/units/AC2026000001"
	pp := mdCall(t, h, 200, "GET", unit, agent, nil)
	uv := version(t, pp["unit"].(map[string]any))
	mdRefused(t, h, 422, "", "proof_attachment_id", "PATCH", unit+"/purchase", agent, map[string]any{"version": uv, "seller": "苏宁", "reason": "发票核对"})
	mdRefused(t, h, 422, "", "reason", "PATCH", unit+"/purchase", agent, map[string]any{"version": uv, "purchase_proof": "INV-1"})
	mdRefused(t, h, 422, "", "proof_attachment_id", "PATCH", unit+"/purchase", agent, map[string]any{"version": uv, "proof_attachment_id": 999999, "reason": "发票核对"})
	mdRefused(t, h, 409, "version_conflict", "", "PATCH", unit+"/purchase", agent, map[string]any{"version": uv + 1, "purchase_proof": "INV-1", "reason": "发票核对"})
	mdRefused(t, h, 403, "", "", "PATCH", unit+"/purchase", om, map[string]any{"version": uv, "purchase_proof": "INV-1", "reason": "发票核对"})
	card := mdCall(t, h, 200, "PATCH", unit+"/purchase", agent, map[string]any{"version": uv, "purchase_proof": "INV-2026-0001",
		"seller": "苏宁易购南山店", "purchase_price_fen": 329900, "purchase_date": "2026-01-15", "reason": "客户出示发票，原登记日期有误"})
	if card["seller"] != "苏宁易购南山店" || card["purchase_date"] != "2026-01-15" || card["purchase_price_fen"].(float64) != 329900 {
		t.Fatalf("corrected card: %v", card)
	}
	var after string
	h.app.DB.Table("audit_records").Select("after").Where("entity = ? AND action = ?", "unit", "correct_purchase").Scan(&after)
	if !strings.Contains(after, "原登记日期有误") {
		t.Fatalf("the correction's audit record lacks the reason: %s", after)
	}

	// ---- transfer: the history stays, the passport names the previous owner.
	other := mdCall(t, h, 201, "POST", "/api/v1/customers", agent, map[string]any{"name": "李四",
		"phones": []map[string]any{{"number": "13700137000"}}, "addresses": []map[string]any{{"region_code": "440305", "detail": "蛇口 渔港 1 号"}}})
	otherID := num(t, other["customer"].(map[string]any)["id"])
	uv = version(t, card)
	mdRefused(t, h, 409, "same_owner", "", "POST", unit+"/transfer", agent, map[string]any{"version": uv, "to_customer_id": w.customerID, "reason": "二手转让"})
	mdRefused(t, h, 422, "", "to_customer_id", "POST", unit+"/transfer", agent, map[string]any{"version": uv, "to_customer_id": 999999, "reason": "二手转让"})
	card = mdCall(t, h, 200, "POST", unit+"/transfer", agent, map[string]any{"version": uv, "to_customer_id": otherID, "reason": "二手转让"})
	if num(t, card["customer_id"]) != otherID {
		t.Fatalf("transferred card: %v", card)
	}
	pp = mdCall(t, h, 200, "GET", unit, agent, nil)
	prev := pp["previous_owners"].([]any)
	if len(prev) != 1 || prev[0].(map[string]any)["from_name"] != "王建国" || prev[0].(map[string]any)["to_name"] != "李四" {
		t.Fatalf("previous owners: %v", prev)
	}
	if !historyHas(pp, "transfer") {
		t.Fatalf("the passport's history lacks the transfer: %v", pp["history"])
	}

	// ---- deactivate: no new tickets until reactivated.
	uv = version(t, card)
	mdRefused(t, h, 422, "", "status", "POST", unit+"/deactivate", agent, map[string]any{"version": uv, "status": "broken", "reason": "x"})
	card = mdCall(t, h, 200, "POST", unit+"/deactivate", agent, map[string]any{"version": uv, "status": "scrapped", "reason": "火灾损毁"})
	if card["status"] != "scrapped" || card["deactivation_reason"] != "火灾损毁" {
		t.Fatalf("scrapped card: %v", card)
	}
	ticket := map[string]any{"channel": "phone", "type": "repair", "customer_id": otherID, "unit_id": w.unitID, "fault_code": "E1", "description": "不制冷"}
	mdRefused(t, h, 409, "unit_deactivated", "", "POST", "/api/v1/tickets", agent, ticket)
	mdRefused(t, h, 409, "unit_deactivated", "", "POST", unit+"/transfer", agent, map[string]any{"version": version(t, card), "to_customer_id": w.customerID, "reason": "x"})
	card = mdCall(t, h, 200, "POST", unit+"/reactivate", agent, map[string]any{"version": version(t, card), "reason": "误报，已修复"})
	if card["status"] != "active" {
		t.Fatalf("reactivated card: %v", card)
	}
	mdRefused(t, h, 409, "unit_not_deactivated", "", "POST", unit+"/reactivate", agent, map[string]any{"version": version(t, card), "reason": "x"})
	tk := mdCall(t, h, 201, "POST", "/api/v1/tickets", agent, ticket)

	// ---- merge 李四 (the duplicate, with the unit, a ticket, its work
	// order, a complaint and its message) into 王建国.
	if r := h.do("POST", fmt.Sprintf("/api/v1/tickets/%d/dispatch", num(t, tk["id"])), agent, map[string]any{"kind": "repair"}); r.Status != 201 {
		t.Fatalf("dispatch %d %s", r.Status, r.Body)
	}
	c := mdCall(t, h, 201, "POST", "/api/v1/complaints", agent, map[string]any{"source": "hotline", "customer_id": otherID, "category": "delay",
		"title": "上门迟到", "description": "约好上午，下午才来"})
	mdCall(t, h, 200, "POST", fmt.Sprintf("/api/v1/complaints/%d/acknowledge", num(t, c["id"])), agent, map[string]any{"version": c["version"]})
	sv := version(t, mdCall(t, h, 200, "GET", cust, agent, nil))
	dv := version(t, mdCall(t, h, 200, "GET", fmt.Sprintf("/api/v1/customers/%d", otherID), agent, nil))
	merge := cust + "/merge"
	mdRefused(t, h, 409, "version_conflict", "", "POST", merge, agent, map[string]any{"version": sv, "duplicate_id": otherID, "duplicate_version": dv + 1})
	mdRefused(t, h, 409, "version_conflict", "", "POST", merge, agent, map[string]any{"version": sv + 1, "duplicate_id": otherID, "duplicate_version": dv})
	mdRefused(t, h, 422, "", "duplicate_id", "POST", merge, agent, map[string]any{"version": sv, "duplicate_id": w.customerID, "duplicate_version": sv})
	mdRefused(t, h, 403, "", "", "POST", merge, om, map[string]any{"version": sv, "duplicate_id": otherID, "duplicate_version": dv})
	refs := customerRefs(t, h, otherID)
	m := mdCall(t, h, 200, "POST", merge, agent, map[string]any{"version": sv, "duplicate_id": otherID, "duplicate_version": dv})
	moved := m["moved"].(map[string]any)
	for _, k := range []string{"units", "tickets", "work_orders", "complaints", "messages", "phones", "addresses"} {
		if moved[k] == nil || moved[k].(float64) < 1 {
			t.Errorf("merge moved no %s: %v", k, moved)
		}
	}
	if left := customerRefs(t, h, otherID); len(left) != 0 {
		t.Errorf("rows still naming the merged customer: %v (before: %v)", left, refs)
	}
	if len(refs) < 5 {
		t.Errorf("the merge test covered only %v", refs)
	}
	if phones := m["survivor"].(map[string]any)["phones"].([]any); len(phones) != 2 || primaries(phones) != 1 {
		t.Errorf("survivor's phones: %v", phones)
	}
	dup := mdCall(t, h, 200, "GET", fmt.Sprintf("/api/v1/customers/%d", otherID), agent, nil)
	if num(t, dup["customer"].(map[string]any)["merged_into_id"]) != w.customerID {
		t.Fatalf("the duplicate does not say where it went: %v", dup)
	}
	ticket["customer_id"], ticket["unit_id"] = otherID, nil
	mdRefused(t, h, 409, "customer_merged", "", "POST", "/api/v1/tickets", agent, ticket)
	mdRefused(t, h, 409, "customer_merged", "", "POST", fmt.Sprintf("/api/v1/customers/%d/phones", otherID), agent, map[string]any{"number": "13600136000"})
	mdRefused(t, h, 409, "customer_merged", "", "POST", fmt.Sprintf("/api/v1/customers/%d/merge", otherID), agent,
		map[string]any{"version": version(t, dup), "duplicate_id": w.customerID, "duplicate_version": sv + 1})
	var audited int64
	h.app.DB.Table("audit_records").Where("entity = ? AND entity_id = ? AND action = ?", "customer", itoa(w.customerID), "merge").Count(&audited)
	if audited != 1 {
		t.Errorf("merge audit records: %d", audited)
	}

	// ---- PIPL erasure of the survivor: personal data gone, tickets still counted.
	ticketsBefore := len(mdCall(t, h, 200, "GET", fmt.Sprintf("/api/v1/tickets?customer_id=%d", w.customerID), agent, nil)["items"].([]any))
	v = version(t, mdCall(t, h, 200, "GET", cust, agent, nil))
	erase := map[string]any{"version": v, "requester": "本人", "channel": "phone", "note": "来电要求删除个人信息", "confirm": true}
	mdRefused(t, h, 403, "", "", "POST", cust+"/erasure", agent, erase)
	mdRefused(t, h, 422, "", "confirm", "POST", cust+"/erasure", admin, map[string]any{"version": v, "requester": "本人", "channel": "phone"})
	mdRefused(t, h, 422, "", "channel", "POST", cust+"/erasure", admin, map[string]any{"version": v, "requester": "本人", "channel": "fax", "confirm": true})
	mdRefused(t, h, 409, "version_conflict", "", "POST", cust+"/erasure", admin, map[string]any{"version": v + 1, "requester": "本人", "channel": "phone", "confirm": true})
	er := mdCall(t, h, 201, "POST", cust+"/erasure", admin, erase)
	if er["handled_by"] != "admin" || er["channel"] != "phone" || er["counts"].(map[string]any)["phones"].(float64) != 2 {
		t.Fatalf("erasure record: %v", er)
	}
	p = mdCall(t, h, 200, "GET", cust, agent, nil)
	pc := p["customer"].(map[string]any)
	if pc["name"] != "已注销客户" || pc["erased_at"] == nil || len(p["phones"].([]any)) != 0 {
		t.Fatalf("erased customer: %v", p)
	}
	for _, a := range p["addresses"].([]any) {
		if d := a.(map[string]any)["detail"]; d != "（已匿名）" {
			t.Fatalf("address detail kept: %v", d)
		}
	}
	if n := len(mdCall(t, h, 200, "GET", fmt.Sprintf("/api/v1/tickets?customer_id=%d", w.customerID), agent, nil)["items"].([]any)); n != ticketsBefore || n == 0 {
		t.Fatalf("tickets after erasure: %d, before %d", n, ticketsBefore)
	}
	for _, q := range []string{"王建国", "车公庙", "1380013"} {
		if items := mdCall(t, h, 200, "GET", "/api/v1/customers?q="+q, agent, nil)["items"].([]any); len(items) != 0 {
			t.Fatalf("search %q still finds the erased customer: %v", q, items)
		}
	}
	var leftovers int64
	h.app.DB.Table("customer_messages").Where("customer_id = ? AND (phone <> '' OR body <> '')", w.customerID).Count(&leftovers)
	if leftovers != 0 {
		t.Errorf("%d messages keep the erased customer's number or text", leftovers)
	}
	mdRefused(t, h, 409, "already_erased", "", "POST", cust+"/erasure", admin, map[string]any{"version": version(t, p), "requester": "本人", "channel": "phone", "confirm": true})
	if got := mdCall(t, h, 200, "GET", cust+"/erasure", agent, nil); num(t, got["id"]) != num(t, er["id"]) {
		t.Fatalf("kept erasure record: %v", got)
	}
	mdRefused(t, h, 409, "customer_erased", "", "PATCH", cust, agent, map[string]any{"version": version(t, p), "name": "王建国"})
}

func historyHas(passport map[string]any, kind string) bool {
	for _, e := range passport["history"].([]any) {
		if e.(map[string]any)["kind"] == kind {
			return true
		}
	}
	return false
}

func primaries(phones []any) int {
	n := 0
	for _, p := range phones {
		if p.(map[string]any)["primary"] == true {
			n++
		}
	}
	return n
}

// customerRefs counts, per table with a customer_id column (other than the
// customer's own index, the PIPL access log and erasure records, which
// stay with the id they describe), the rows naming customer id: a merge
// must leave none, whatever tables exist by then.
func customerRefs(t *testing.T, h *harness, id uint64) map[string]int64 {
	t.Helper()
	tables, err := h.app.DB.Migrator().GetTables()
	if err != nil {
		t.Fatal(err)
	}
	keep := map[string]bool{"customers": true, "customer_search_grams": true, "pii_access_log": true, "customer_erasure_requests": true}
	out := map[string]int64{}
	for _, tb := range tables {
		if keep[tb] || !h.app.DB.Migrator().HasColumn(tb, "customer_id") {
			continue
		}
		var n int64
		if err := h.app.DB.Table(tb).Where("customer_id = ?", id).Count(&n).Error; err != nil {
			t.Fatalf("%s: %v", tb, err)
		}
		if n > 0 {
			out[tb] = n
		}
	}
	return out
}
