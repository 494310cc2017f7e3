package httpapi_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

// messagesWorld is an outlet, a customer who consents to service SMS with
// an out-of-warranty unit, and a labour rate to quote.
type messagesWorld struct {
	admin, agent, tech, quality string
	customerID                  float64
}

func newMessagesWorld(t *testing.T, h *harness) messagesWorld {
	t.Helper()
	w := messagesWorld{admin: h.login("admin"), agent: h.login("agent"), tech: h.login("technician"), quality: h.login("quality")}
	must := func(r response, status int, what string) map[string]any {
		t.Helper()
		if r.Status != status {
			t.Fatalf("%s: %d %s", what, r.Status, r.Body)
		}
		return r.JSON(t)
	}
	cat := must(h.do("POST", "/api/v1/product-categories", w.admin, map[string]any{"code": "AC", "name": "空调"}), 201, "category")
	model := must(h.do("POST", "/api/v1/product-models", w.admin, map[string]any{"code": "KFR-35", "name": "1.5匹挂机", "category_id": cat["id"]}), 201, "model")
	must(h.do("POST", "/api/v1/outlets", w.admin, outletBody("SZ01", "440305", "440305")), 201, "outlet")
	c := must(h.do("POST", "/api/v1/customers", w.agent, map[string]any{"name": "李娜", "phones": []any{map[string]any{"number": "13800138000"}},
		"addresses": []any{map[string]any{"region_code": "440305", "detail": "科技园 1 栋"}}, "consent": map[string]any{"sms": true, "survey": true}}), 201, "customer")
	w.customerID = c["customer"].(map[string]any)["id"].(float64)
	sh, _ := time.LoadLocation("Asia/Shanghai")
	must(h.do("POST", "/api/v1/units", w.agent, map[string]any{"serial": "KFR35-OLD-0001", "model_id": model["id"], "customer_id": w.customerID,
		"purchase_date": time.Now().In(sh).AddDate(-3, 0, 0).Format(time.DateOnly)}), 201, "unit")
	must(h.do("POST", "/api/v1/labour-rates", w.admin, map[string]any{"code": "L-CMP", "name": "更换压缩机", "price_fen": 25000}), 201, "labour")
	return w
}

var quoteLink = regexp.MustCompile(`/quote/([A-Za-z0-9_-]{20,})`)

// The customer's quote link, through the wired app on both databases: a
// quote puts an SMS with a link in the outbox; GET shows the quote and
// records nothing; the first answer approves the repair; a second gets
// 409; a re-quote supersedes the link; an expired link gets 410.
func TestQuoteApprovalLink(t *testing.T) {
	onBothDatabases(t, quoteApprovalLink)
}

func quoteApprovalLink(t *testing.T, h *harness) {
	w := newMessagesWorld(t, h)
	rep := h.do("POST", "/api/v1/repairs", w.tech, map[string]any{"serial": "KFR35-OLD-0001", "complaint": "不制冷"})
	if rep.Status != 201 || rep.JSON(t)["in_warranty"] != false {
		t.Fatalf("repair: %d %s", rep.Status, rep.Body)
	}
	id := int(num(t, rep.JSON(t)["id"]))
	path := fmt.Sprintf("/api/v1/repairs/%d", id)
	if r := h.do("POST", path+"/diagnose", w.tech, map[string]any{"diagnosis": "压缩机卡缸", "fault_code": "E1"}); r.Status != 200 {
		t.Fatalf("diagnose %d %s", r.Status, r.Body)
	}
	quote := func() string {
		t.Helper()
		if r := h.do("POST", path+"/quote", w.tech, map[string]any{"lines": []any{map[string]any{"kind": "labour", "code": "L-CMP", "qty": 1}}}); r.Status != 200 {
			t.Fatalf("quote %d %s", r.Status, r.Body)
		}
		r := h.do("GET", fmt.Sprintf("/api/v1/messages?trigger=quote_waiting&ref_type=repair&ref_id=%d", id), w.agent, nil)
		items, _ := r.JSON(t)["items"].([]any)
		if r.Status != 200 || len(items) == 0 {
			t.Fatalf("no quote message: %d %s", r.Status, r.Body)
		}
		m := items[0].(map[string]any)
		body := m["body"].(string)
		// The harness runs on the wall clock: between 21:00 and 08:00 in
		// Shanghai the message waits for the end of the quiet hours.
		waiting := m["status"] == "queued" || (m["status"] == "deferred" && m["error"] == "quiet_hours")
		if !waiting || m["phone"] != "138****8000" || !strings.Contains(body, "李娜您好") || !strings.Contains(body, "250.00元") {
			t.Fatalf("quote message: %v", m)
		}
		match := quoteLink.FindStringSubmatch(body)
		if match == nil {
			t.Fatalf("no link in %q", body)
		}
		return match[1]
	}
	token := quote()
	// GET, twice, records nothing.
	for i := 0; i < 2; i++ {
		r := h.do("GET", "/api/v1/public/quotes/"+token, "", nil)
		q := r.JSON(t)
		if r.Status != 200 || q["total_fen"] != 25000.0 || q["answer"] != "" || q["number"] == "" || len(q["lines"].([]any)) != 1 {
			t.Fatalf("public quote: %d %s", r.Status, r.Body)
		}
		if strings.Contains(string(r.Body), "13800138000") || strings.Contains(string(r.Body), "李娜") {
			t.Errorf("the public quote shows personal data: %s", r.Body)
		}
	}
	if r := h.do("GET", path, w.tech, nil); r.JSON(t)["status"] != "quoted" {
		t.Fatalf("GET changed the repair: %s", r.Body)
	}
	if r := h.do("POST", "/api/v1/public/quotes/"+token, "", map[string]any{"decision": "maybe"}); r.Status != 422 && r.Status != 400 {
		t.Errorf("bad decision: %d %s", r.Status, r.Body)
	}
	if r := h.do("POST", "/api/v1/public/quotes/"+token, "", map[string]any{"decision": "decline"}); r.Status != 422 && r.Status != 400 {
		t.Errorf("decline without a reason: %d %s", r.Status, r.Body)
	}
	r := h.do("POST", "/api/v1/public/quotes/"+token, "", map[string]any{"decision": "approve"})
	if r.Status != 200 || r.JSON(t)["answer"] != "approved" {
		t.Fatalf("approve: %d %s", r.Status, r.Body)
	}
	got := h.do("GET", path, w.tech, nil).JSON(t)
	if got["status"] != "approved" || got["quote_channel"] != "online" {
		t.Fatalf("after approval: %v %v", got["status"], got["quote_channel"])
	}
	for _, d := range []string{"approve", "decline"} {
		r := h.do("POST", "/api/v1/public/quotes/"+token, "", map[string]any{"decision": d, "reason": "太贵"})
		if r.Status != 409 || r.errCode(t) != "already_answered" {
			t.Errorf("second answer (%s): %d %s", d, r.Status, r.Body)
		}
	}
	if r := h.do("GET", "/api/v1/public/quotes/"+token, "", nil); r.Status != 200 || r.JSON(t)["answer"] != "approved" {
		t.Errorf("an answered link shows its answer: %d %s", r.Status, r.Body)
	}
	if r := h.do("GET", "/api/v1/public/quotes/unknown-token-000000000000", "", nil); r.Status != 404 {
		t.Errorf("unknown token: %d %s", r.Status, r.Body)
	}

	// A re-quote sends a new link; the link expires.
	second := quote()
	if second == token {
		t.Fatal("the re-quote reused the token")
	}
	if err := h.app.DB.Exec("UPDATE repair_quote_links SET expires_at = ? WHERE answer = ''", time.Now().UTC().Add(-time.Minute)).Error; err != nil {
		t.Fatal(err)
	}
	if r := h.do("GET", "/api/v1/public/quotes/"+second, "", nil); r.Status != 410 || r.errCode(t) != "quote_link_expired" {
		t.Errorf("expired link GET: %d %s", r.Status, r.Body)
	}
	if r := h.do("POST", "/api/v1/public/quotes/"+second, "", map[string]any{"decision": "approve"}); r.Status != 410 {
		t.Errorf("expired link POST: %d %s", r.Status, r.Body)
	}
	if got := h.do("GET", path, w.tech, nil).JSON(t); got["status"] != "quoted" {
		t.Errorf("an expired answer changed the repair: %v", got["status"])
	}
}

// The messages API: complaint acknowledged queues an SMS, the worker logs
// it (no SMS credentials: log only, and the channels say so), resend makes
// a copy, templates are edited with a version and refuse unknown
// variables.
func TestMessagesAPI(t *testing.T) {
	onBothDatabases(t, messagesAPI)
}

func messagesAPI(t *testing.T, h *harness) {
	w := newMessagesWorld(t, h)
	ch := h.do("GET", "/api/v1/messages/channels", w.agent, nil).JSON(t)
	if ch["sms_log_only"] != true || ch["sms_provider"] != "log" {
		t.Errorf("channels: %v", ch)
	}
	c := h.expect(201, "POST", "/api/v1/complaints", w.agent, map[string]any{"source": "hotline", "customer_id": w.customerID, "category": "delay",
		"title": "上门迟到", "description": "约好上午，下午才来"})
	cid := int(num(t, c.JSON(t)["id"]))
	if r := h.do("POST", fmt.Sprintf("/api/v1/complaints/%d/acknowledge", cid), w.agent, map[string]any{"version": c.JSON(t)["version"]}); r.Status != 200 {
		t.Fatalf("acknowledge %d %s", r.Status, r.Body)
	}
	list := h.do("GET", fmt.Sprintf("/api/v1/messages?trigger=complaint_acknowledged&ref_type=complaint&ref_id=%d", cid), w.agent, nil).JSON(t)
	items, _ := list["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("messages: %v", list)
	}
	m := items[0].(map[string]any)
	mid := int(num(t, m["id"]))
	if r := h.do("POST", fmt.Sprintf("/api/v1/messages/%d/resend", mid), w.agent, nil); r.Status != 409 && m["status"] == "queued" {
		t.Errorf("resend of a queued message: %d %s", r.Status, r.Body)
	}
	// The worker runs in `serve`; here one round by hand. At night it
	// defers the message instead (quiet hours): that is checked too.
	if _, err := h.app.Messages.DeliverDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	m = h.do("GET", fmt.Sprintf("/api/v1/messages/%d", mid), w.agent, nil).JSON(t)
	if m["status"] != "log_only" && m["status"] != "deferred" {
		t.Fatalf("after a worker round: %v", m)
	}
	if m["status"] == "log_only" {
		r := h.do("POST", fmt.Sprintf("/api/v1/messages/%d/resend", mid), w.agent, nil)
		if r.Status != 201 || num(t, r.JSON(t)["resend_of"]) != uint64(mid) {
			t.Errorf("resend: %d %s", r.Status, r.Body)
		}
	}
	if r := h.do("GET", "/api/v1/messages?stauts=sent", w.agent, nil); r.Status != 400 {
		t.Errorf("a misspelt filter: %d %s", r.Status, r.Body)
	}
	if r := h.do("GET", "/api/v1/messages/99999", w.agent, nil); r.Status != 404 {
		t.Errorf("unknown message: %d", r.Status)
	}

	ts := h.do("GET", "/api/v1/message-templates", w.agent, nil).JSON(t)["items"].([]any)
	if len(ts) != 7 {
		t.Fatalf("templates: %v", ts)
	}
	tpl := ts[0].(map[string]any)
	trig := tpl["trigger"].(string)
	if r := h.do("PUT", "/api/v1/message-templates/"+trig, w.agent, map[string]any{"body": "x", "version": tpl["version"]}); r.Status != 403 {
		t.Errorf("an agent edits templates: %d", r.Status)
	}
	if r := h.do("PUT", "/api/v1/message-templates/"+trig, w.admin, map[string]any{"body": "{{name}} {{secret}}", "version": tpl["version"]}); r.Status != 422 {
		t.Errorf("unknown variable: %d %s", r.Status, r.Body)
	}
	r := h.do("PUT", "/api/v1/message-templates/"+trig, w.admin, map[string]any{"body": "{{name}}您好，工单{{number}}预约在{{time}}。", "version": tpl["version"]})
	if r.Status != 200 || r.JSON(t)["version"] != tpl["version"].(float64)+1 {
		t.Fatalf("edit: %d %s", r.Status, r.Body)
	}
	if r := h.do("PUT", "/api/v1/message-templates/"+trig, w.admin, map[string]any{"body": "{{name}}", "version": tpl["version"]}); r.Status != 409 {
		t.Errorf("stale version: %d %s", r.Status, r.Body)
	}
	if r := h.do("PUT", "/api/v1/message-templates/nope", w.admin, map[string]any{"body": "{{name}}", "version": 1}); r.Status != 404 {
		t.Errorf("unknown trigger: %d %s", r.Status, r.Body)
	}
	if r := h.do("GET", "/api/v1/message-webhooks/deliveries?status=dead", w.agent, nil); r.Status != 200 {
		t.Errorf("dead letters: %d %s", r.Status, r.Body)
	}
}
