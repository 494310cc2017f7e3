package httpapi_test

import (
	"fmt"
	"strings"
	"testing"
)

// Defect 7: a complaint raised from a survey answer about a visit carried
// the outlet, work order and technician, but no score counted it. The
// outlet's scorecard now counts the complaints linked to it in the period,
// and per technician, through the complaint service. On both databases.
func TestSurveyComplaintCountsInTheOutletsScorecard(t *testing.T) {
	onBothDatabases(t, surveyComplaintInScorecard)
}

func surveyComplaintInScorecard(t *testing.T, h *harness) {
	w := buildWorld(t, h)
	agent, om, tech, quality := h.login("agent"), h.login("outlet_manager"), h.login("technician"), h.login("quality")
	if err := h.app.Surveys.EnsureDefaultTemplates(systemCtx()); err != nil {
		t.Fatal(err)
	}
	scorecard := func() map[string]any {
		t.Helper()
		r := h.do("GET", "/api/v1/outlets/1/scorecard", om, nil)
		if r.Status != 200 {
			t.Fatalf("scorecard %d %s", r.Status, r.Body)
		}
		return r.JSON(t)
	}
	if sc := scorecard(); sc["complaints"] != float64(0) || len(sc["technician_complaints"].([]any)) != 0 {
		t.Fatalf("scorecard before any complaint: %v", sc)
	}
	r := h.expect(201, "POST", "/api/v1/tickets", agent, map[string]any{"channel": "phone", "type": "repair", "customer_id": w.customerID,
		"unit_id": w.unitID, "description": "空调不制冷"})
	tid := num(t, r.JSON(t)["id"])
	r = h.do("POST", fmt.Sprintf("/api/v1/tickets/%d/dispatch", tid), agent, map[string]any{"kind": "repair"})
	if r.Status != 201 || num(t, r.JSON(t)["outlet_id"]) != 1 {
		t.Fatalf("dispatch %d %s", r.Status, r.Body)
	}
	woID := num(t, r.JSON(t)["id"])
	for _, s := range []struct {
		who, step string
		body      any
	}{
		{om, "accept", nil},
		{om, "assign", map[string]any{"technician_staff_id": w.technicianID}},
		{tech, "check-in", nil},
	} {
		if r = h.do("POST", fmt.Sprintf("/api/v1/work-orders/%d/%s", woID, s.step), s.who, s.body); r.Status != 200 {
			t.Fatalf("%s: %d %s", s.step, r.Status, r.Body)
		}
	}
	// A link made by hand for the ticket after the visit (completing it would
	// invite by itself); the customer rates the technician 1.
	r = h.expect(201, "POST", "/api/v1/survey-invitations", quality, map[string]any{"channel": "link", "customer_id": w.customerID, "ticket_id": tid})
	link := r.JSON(t)["link"].(string)
	token := link[strings.LastIndex(link, "/")+1:]
	r = h.expect(201, "POST", "/api/v1/public/surveys/"+token, "", map[string]any{"answers": map[string]any{"overall": 1, "agent": 4, "technician": 1,
		"solved": true, "recommend": 2}})
	items := h.do("GET", "/api/v1/complaints", quality, nil).JSON(t)["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("complaints %v", items)
	}
	c := items[0].(map[string]any)
	if c["source"] != "survey" || c["outlet_id"] != float64(1) {
		t.Fatalf("complaint %v", c)
	}
	sc := scorecard()
	per := sc["technician_complaints"].([]any)
	if sc["complaints"] != float64(1) || len(per) != 1 {
		t.Fatalf("scorecard after the complaint: %v", sc)
	}
	if p := per[0].(map[string]any); p["staff_id"] != float64(w.technicianID) || p["complaints"] != float64(1) || p["name"] == "" {
		t.Fatalf("technician's complaints: %v", p)
	}
	// Another outlet's scorecard does not count it.
	admin := h.login("admin")
	if r = h.do("GET", "/api/v1/outlets/2/scorecard", admin, nil); r.Status != 200 || r.JSON(t)["complaints"] != float64(0) {
		t.Fatalf("outlet 2: %d %s", r.Status, r.Body)
	}
}
