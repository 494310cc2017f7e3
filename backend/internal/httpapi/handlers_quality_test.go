package httpapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/survey"
)

// qualityCustomer creates a customer through the API and returns its id.
func qualityCustomer(t *testing.T, h *harness, tok, phone string) uint64 {
	t.Helper()
	r := h.expect(201, "POST", "/api/v1/customers", tok, map[string]any{"name": "王建国", "phones": []any{map[string]any{"number": phone}}})
	return uint64(r.JSON(t)["customer"].(map[string]any)["id"].(float64))
}

func meID(t *testing.T, h *harness, tok string) uint64 {
	t.Helper()
	return uint64(h.do("GET", "/api/v1/me", tok, nil).JSON(t)["id"].(float64))
}

// closedTicket opens a ticket assigned to assignee, resolves and closes it.
func closedTicket(t *testing.T, h *harness, tok string, customerID, assignee uint64) uint64 {
	t.Helper()
	r := h.expect(201, "POST", "/api/v1/tickets", tok, map[string]any{"channel": "phone", "type": "repair", "priority": "normal",
		"customer_id": customerID, "description": "冰箱不制冷", "assignee_id": assignee})
	id := uint64(r.JSON(t)["id"].(float64))
	for _, st := range []string{"resolved", "closed"} {
		cur := h.do("GET", fmt.Sprintf("/api/v1/tickets/%d", id), tok, nil).JSON(t)
		r = h.do("POST", fmt.Sprintf("/api/v1/tickets/%d/transition", id), tok, map[string]any{"status": st, "reason": "已修复", "version": cur["version"]})
		if r.Status != 200 {
			t.Fatalf("ticket → %s: %d %s", st, r.Status, r.Body)
		}
	}
	return id
}

var happyAnswers = map[string]any{"overall": 5, "agent": 5, "technician": 5, "solved": true, "recommend": 10}

func TestSurveyLinkThroughAPI(t *testing.T) {
	h := newHarness(t)
	quality, agent := h.login("quality"), h.login("agent")
	if err := h.app.Surveys.EnsureDefaultTemplates(systemCtx()); err != nil {
		t.Fatal(err)
	}
	cid := qualityCustomer(t, h, agent, "13812340001")
	tr := h.expect(201, "POST", "/api/v1/tickets", agent, map[string]any{"channel": "phone", "type": "repair", "priority": "normal",
		"customer_id": cid, "description": "冰箱不制冷"})
	tid := uint64(tr.JSON(t)["id"].(float64))
	r := h.expect(201, "POST", "/api/v1/survey-invitations", quality, map[string]any{"channel": "link", "customer_id": cid, "ticket_id": tid, "ticket_number": "GD-4242"})
	inv := r.JSON(t)
	link := inv["link"].(string)
	token := link[strings.LastIndex(link, "/")+1:]
	// GET shows the form and records nothing.
	for i := 0; i < 2; i++ {
		r = h.do("GET", "/api/v1/public/surveys/"+token, "", nil)
		if r.Status != 200 || len(r.JSON(t)["questions"].([]any)) != 6 {
			t.Fatalf("form: %d %s", r.Status, r.Body)
		}
	}
	if strings.Contains(string(r.Body), `"score"`) || strings.Contains(string(r.Body), `"value"`) {
		t.Fatal("form carries a default answer")
	}
	if items := h.do("GET", "/api/v1/survey-responses", quality, nil).JSON(t)["items"].([]any); len(items) != 0 {
		t.Fatal("GET recorded a response")
	}
	// Bad input: the question is named.
	r = h.do("POST", "/api/v1/public/surveys/"+token, "", map[string]any{"answers": map[string]any{"overall": 9, "agent": 5, "solved": true}})
	if r.Status != 422 || r.errCode(t) != "validation_failed" || r.JSON(t)["error"].(map[string]any)["fields"].(map[string]any)["answers.overall"] == nil {
		t.Fatalf("bad answer: %d %s", r.Status, r.Body)
	}
	r = h.do("POST", "/api/v1/public/surveys/"+token, "", `{"answers": {"overall": 5,`)
	if r.Status != 400 || r.errCode(t) != "bad_request" {
		t.Fatalf("malformed: %d %s", r.Status, r.Body)
	}
	r = h.expect(201, "POST", "/api/v1/public/surveys/"+token, "", map[string]any{"answers": happyAnswers})
	r = h.do("POST", "/api/v1/public/surveys/"+token, "", map[string]any{"answers": happyAnswers})
	if r.Status != 409 || r.errCode(t) != "already_answered" {
		t.Fatalf("second submit: %d %s", r.Status, r.Body)
	}
	items := h.do("GET", "/api/v1/survey-responses", h.login("auditor"), nil).JSON(t)["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["csat"].(float64) != 5 {
		t.Fatalf("responses: %v", items)
	}
	// An expired link is 410 on GET and POST; an unknown one is 404.
	r = h.do("POST", "/api/v1/survey-invitations", quality, map[string]any{"channel": "link", "customer_id": cid, "ticket_id": 4243})
	link = r.JSON(t)["link"].(string)
	token2 := link[strings.LastIndex(link, "/")+1:]
	if err := h.app.DB.Model(&survey.Invitation{}).Where("token_hash = ?", survey.TokenHash(token2)).
		Update("expires_at", time.Now().UTC().Add(-time.Minute)).Error; err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"GET", "POST"} {
		var body any
		if m == "POST" {
			body = map[string]any{"answers": happyAnswers}
		}
		if r = h.do(m, "/api/v1/public/surveys/"+token2, "", body); r.Status != 410 || r.errCode(t) != "survey_expired" {
			t.Fatalf("%s expired: %d %s", m, r.Status, r.Body)
		}
	}
	if r = h.do("GET", "/api/v1/public/surveys/unknown-token", "", nil); r.Status != 404 || r.errCode(t) != "not_found" {
		t.Fatalf("unknown: %d %s", r.Status, r.Body)
	}
	k := h.do("GET", "/api/v1/kpi/surveys", quality, nil).JSON(t)
	if k["answered"].(float64) != 1 || k["sent"].(float64) != 2 || k["expired"].(float64) != 1 {
		t.Fatalf("kpi: %v", k)
	}
}

func TestFollowupOwnAgentAndDissatisfiedThroughAPI(t *testing.T) {
	h := newHarness(t)
	if err := h.app.Surveys.EnsureDefaultTemplates(systemCtx()); err != nil {
		t.Fatal(err)
	}
	agent, admin, quality := h.login("agent"), h.login("admin"), h.login("quality")
	agentID := meID(t, h, agent)
	cid := qualityCustomer(t, h, agent, "13812340002")
	tid := closedTicket(t, h, agent, cid, agentID)
	// ticket.closed queued a 回访 that names the ticket's agent.
	r := h.do("GET", fmt.Sprintf("/api/v1/followups?status=due&ticket_id=%d", tid), agent, nil)
	items := r.JSON(t)["items"].([]any)
	if r.Status != 200 || len(items) != 1 {
		t.Fatalf("queue: %d %s", r.Status, r.Body)
	}
	fu := items[0].(map[string]any)
	if fu["callable_by_me"].(bool) || fu["kind"] != "after_close" {
		t.Fatalf("follow-up %v", fu)
	}
	fid := uint64(fu["id"].(float64))
	detail := h.do("GET", fmt.Sprintf("/api/v1/followups/%d", fid), admin, nil).JSON(t)
	if len(detail["script"].(map[string]any)["questions"].([]any)) == 0 {
		t.Fatal("no script")
	}
	// The ticket's own agent may not rate it.
	r = h.do("POST", fmt.Sprintf("/api/v1/followups/%d/attempts", fid), agent, map[string]any{"outcome": "reached", "answers": happyAnswers})
	if r.Status != 403 || r.errCode(t) != "own_ticket_followup" {
		t.Fatalf("own agent: %d %s", r.Status, r.Body)
	}
	// Another caller records a dissatisfied answer: a complaint opens and a call-back is queued.
	r = h.expect(200, "POST", fmt.Sprintf("/api/v1/followups/%d/attempts", fid), admin, map[string]any{"outcome": "reached",
		"answers": map[string]any{"overall": 2, "agent": 4, "technician": 1, "solved": false, "comment": "修了两次还不行"}})
	resp := r.JSON(t)["response"].(map[string]any)
	if resp["dissatisfied"] != true || resp["complaint_id"] == nil || resp["channel"] != "phone" {
		t.Fatalf("response %v", resp)
	}
	c := h.do("GET", fmt.Sprintf("/api/v1/complaints/%d", uint64(resp["complaint_id"].(float64))), quality, nil).JSON(t)
	if c["source"] != "survey" || c["category"] != "repair_quality" || c["ticket_id"].(float64) != float64(tid) || c["status"] != "received" {
		t.Fatalf("complaint %v", c)
	}
	cbs := h.do("GET", "/api/v1/followups?kind=supervisor_callback", admin, nil).JSON(t)["items"].([]any)
	if len(cbs) != 1 {
		t.Fatalf("call-backs %v", cbs)
	}
	// The unit passport and audit trail see it; the auditor can read the KPI.
	if r = h.do("GET", "/api/v1/kpi/complaints", h.login("auditor"), nil); r.Status != 200 || r.JSON(t)["complaints"].(float64) != 1 {
		t.Fatalf("complaint kpi: %d %s", r.Status, r.Body)
	}
}

func TestDissatisfiedReopensTicketThroughAPI(t *testing.T) {
	t.Setenv("AFTERSALES_SURVEY_DISSATISFIED_ACTION", "reopen_ticket")
	h := newHarness(t)
	if err := h.app.Surveys.EnsureDefaultTemplates(systemCtx()); err != nil {
		t.Fatal(err)
	}
	agent, admin := h.login("agent"), h.login("admin")
	cid := qualityCustomer(t, h, agent, "13812340003")
	tid := closedTicket(t, h, agent, cid, meID(t, h, agent))
	items := h.do("GET", fmt.Sprintf("/api/v1/followups?ticket_id=%d", tid), admin, nil).JSON(t)["items"].([]any)
	fid := uint64(items[0].(map[string]any)["id"].(float64))
	r := h.do("POST", fmt.Sprintf("/api/v1/followups/%d/attempts", fid), admin, map[string]any{"outcome": "reached",
		"answers": map[string]any{"overall": 1, "agent": 1, "solved": false}})
	if r.Status != 200 || r.JSON(t)["response"].(map[string]any)["action"] != "reopen_ticket" {
		t.Fatalf("attempt: %d %s", r.Status, r.Body)
	}
	if st := h.do("GET", fmt.Sprintf("/api/v1/tickets/%d", tid), admin, nil).JSON(t)["status"]; st != "in_progress" {
		t.Fatalf("ticket status %v, want reopened", st)
	}
	if n := h.do("GET", "/api/v1/complaints", admin, nil).JSON(t)["total"].(float64); n != 0 {
		t.Fatalf("%v complaints, want none", n)
	}
	if len(h.do("GET", "/api/v1/followups?kind=supervisor_callback", admin, nil).JSON(t)["items"].([]any)) != 1 {
		t.Fatal("no call-back")
	}
}

func TestComplaintAPI(t *testing.T) {
	h := newHarness(t)
	agent, quality := h.login("agent"), h.login("quality")
	cid := qualityCustomer(t, h, agent, "13812340004")
	// Bad input gets the error shape and writes nothing.
	r := h.do("POST", "/api/v1/complaints", agent, map[string]any{"source": "fax", "customer_id": 999999, "category": "delay", "title": "x"})
	if r.Status != 422 || r.errCode(t) != "validation_failed" {
		t.Fatalf("bad: %d %s", r.Status, r.Body)
	}
	r = h.do("POST", "/api/v1/complaints", agent, map[string]any{"source": "hotline", "customer_id": 999999, "category": "delay", "title": "x"})
	if r.Status != 422 || r.JSON(t)["error"].(map[string]any)["fields"].(map[string]any)["customer_id"] == nil {
		t.Fatalf("unknown customer: %d %s", r.Status, r.Body)
	}
	r = h.expect(201, "POST", "/api/v1/complaints", agent, map[string]any{"source": "external", "external_channel": "12315", "source_ref": "12315-2026-001",
		"customer_id": cid, "category": "charges", "severity": "major", "title": "上门费收费不合理"})
	c := r.JSON(t)
	id := uint64(c["id"].(float64))
	path := fmt.Sprintf("/api/v1/complaints/%d", id)
	r = h.do("POST", path+"/resolve", quality, map[string]any{"resolution": "退费", "root_cause": "收费标准未公示"})
	if r.Status != 409 || r.errCode(t) != "invalid_transition" {
		t.Fatalf("skip ack: %d %s", r.Status, r.Body)
	}
	if allowed := r.JSON(t)["error"].(map[string]any)["details"].(map[string]any)["allowed"].([]any); len(allowed) != 1 || allowed[0] != "acknowledged" {
		t.Fatalf("allowed %v", allowed)
	}
	if r = h.do("POST", path+"/acknowledge", quality, map[string]any{"note": "已致电客户"}); r.Status != 200 || r.JSON(t)["ack_within_limit"] != true {
		t.Fatalf("ack: %d %s", r.Status, r.Body)
	}
	r = h.do("PATCH", path, quality, map[string]any{"severity": "crisis"}, "If-Match", "1")
	if r.Status != 409 || r.errCode(t) != "version_conflict" {
		t.Fatalf("stale patch: %d %s", r.Status, r.Body)
	}
	r = h.do("PATCH", path, quality, map[string]any{"severity": "crisis"}, "If-Match", "2")
	if r.Status != 422 || r.JSON(t)["error"].(map[string]any)["fields"].(map[string]any)["crisis_plan"] == nil {
		t.Fatalf("crisis without plan: %d %s", r.Status, r.Body)
	}
	h.noopPatch(t, path, quality, map[string]any{}, 2.0)
	if r = h.do("POST", path+"/confirm", quality, map[string]any{"accepted": true}); r.Status != 409 {
		t.Fatalf("confirm before resolve: %d %s", r.Status, r.Body)
	}
	// Corrective action from the complaint; the auditor reads, does not write.
	r = h.do("POST", "/api/v1/corrective-actions", quality, map[string]any{"source_kind": "complaint", "source_id": id, "title": "公示上门收费标准",
		"owner_name": "李强", "due_date": "2026-13-01"})
	if r.Status != 422 || r.JSON(t)["error"].(map[string]any)["fields"].(map[string]any)["due_date"] == nil {
		t.Fatalf("bad date: %d %s", r.Status, r.Body)
	}
	r = h.expect(201, "POST", "/api/v1/corrective-actions", quality, map[string]any{"source_kind": "complaint", "source_id": id, "title": "公示上门收费标准",
		"owner_name": "李强", "due_date": time.Now().AddDate(0, 0, 14).Format(time.DateOnly)})
	ca := r.JSON(t)
	h.noopPatch(t, fmt.Sprintf("/api/v1/corrective-actions/%d", int(ca["id"].(float64))), quality, map[string]any{"owner_name": "李强"}, ca["version"])
	if r = h.do("POST", "/api/v1/corrective-actions", h.login("auditor"), map[string]any{}); r.Status != 403 {
		t.Fatalf("auditor writes: %d", r.Status)
	}
	d := h.do("GET", path, h.login("auditor"), nil).JSON(t)
	if len(d["corrective_actions"].([]any)) != 1 || len(d["timeline"].([]any)) != 2 {
		t.Fatalf("detail %v", d)
	}
	// Crisis drills.
	if r = h.do("POST", "/api/v1/crisis-drills", quality, map[string]any{"held_on": "2026-01-15", "scenario": "批量质量问题", "participants": "质量部、客服、公关"}); r.Status != 201 {
		t.Fatalf("drill: %d %s", r.Status, r.Body)
	}
	if r = h.do("GET", "/api/v1/crisis-drills", quality, nil); r.JSON(t)["total"].(float64) != 1 {
		t.Fatalf("drills %s", r.Body)
	}
	// An outlet manager sees the figures of their outlet only, without a rate over the whole installed base.
	if k := h.do("GET", "/api/v1/kpi/complaints", h.login("outlet_manager"), nil).JSON(t); k["complaints"].(float64) != 0 || k["complaint_rate"] != nil {
		t.Fatalf("outlet KPI %v", k)
	}
	if k := h.do("GET", "/api/v1/kpi/complaints", quality, nil).JSON(t); k["complaints"].(float64) != 1 || k["installed_base"] == nil {
		t.Fatalf("KPI %v", k)
	}
	if r = h.do("GET", "/api/v1/kpi/complaints?from=2026-99-01", quality, nil); r.Status != 400 || r.errCode(t) != "invalid_parameter" {
		t.Fatalf("bad from: %d %s", r.Status, r.Body)
	}
	if r = h.do("GET", "/api/v1/complaints?status=lost", quality, nil); r.Status != 422 {
		t.Fatalf("bad filter: %d %s", r.Status, r.Body)
	}
}

func systemCtx() context.Context { return actor.With(context.Background(), actor.System("test")) }
