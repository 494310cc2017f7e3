package httpapi_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

// ledgerRow finds a clause in a run response's ledger.
func ledgerRow(t *testing.T, body map[string]any, clause string) map[string]any {
	t.Helper()
	for _, r := range body["ledger"].([]any) {
		if row := r.(map[string]any); row["clause"] == clause {
			return row
		}
	}
	t.Fatalf("no ledger row %s", clause)
	return nil
}

// TestReadinessAuditorGradeAPI checks issue 13's defects through the API on
// an empty enterprise: no points for nothing (1), 5.1.2.2 unknown without
// management staff (2), scoring modes on the ledger and on assessments
// (4), at most two decimals (6), band_low/band_high while incomplete (7),
// overrides as their own resource with evidence (8), plausibility checks
// with nothing to check are unknown (9), bonus practices as a list (10),
// a projection without ?at= (12).
func TestReadinessAuditorGradeAPI(t *testing.T) {
	h := newReadinessHarness(t)
	tok := h.login("quality")
	run := func() map[string]any {
		t.Helper()
		return h.runReadiness(tok)
	}
	body := run()
	sc := body["score"].(map[string]any)

	// 1. An unused system earns nothing: the low end is the document points (0).
	if sc["low"].(float64) != 0 || sc["total"].(float64) != 0 {
		t.Errorf("empty enterprise scores %v–%v", sc["low"], sc["high"])
	}
	for _, clause := range []string{"5.1.6.2", "5.2.3.1", "5.2.3.2", "5.2.5.1", "5.2.5.2", "5.3.2.2", "5.3.2.3", "5.3.2.6"} {
		if row := ledgerRow(t, body, clause); row["points"].(float64) != 0 {
			t.Errorf("%s earns %v on an empty database", clause, row["points"])
		}
	}
	// 2. No management staff: unknown, not a certain 0 with "certify 1 more".
	if row := ledgerRow(t, body, "5.1.2.2"); row["state"] != "unknown" || !strings.Contains(fmt.Sprint(row["reason"]), "no management staff recorded") {
		t.Errorf("5.1.2.2 = %v", row)
	}
	// 4. The ledger shows each leaf's mode.
	for clause, mode := range map[string]string{"5.1.2.1": "proportional", "5.2.2.1": "all_or_nothing", "5.1.7.3": "all_or_nothing", "5.3.2.3": "proportional"} {
		if row := ledgerRow(t, body, clause); row["scoring"] != mode {
			t.Errorf("%s scoring %v, want %s", clause, row["scoring"], mode)
		}
	}
	// 7. Incomplete: a range with both bands named, no top-level band.
	if _, ok := sc["band"]; ok || sc["band_low"] == nil || sc["band_high"] == nil || sc["complete"] == true {
		t.Errorf("incomplete score %v", sc)
	}
	if _, ok := body["run"].(map[string]any)["band"]; ok {
		t.Error("an incomplete run names a band")
	}
	// 6. Every number carries at most two decimals.
	raw := h.do("GET", "/api/v1/readiness/score", tok, nil).Body
	if m := regexp.MustCompile(`"(points|total|normalised|actual|applicable|recoverable|low|high|above_band|to_next_band)":-?\d+\.\d{3,}`).FindAll(raw, -1); len(m) > 0 {
		t.Errorf("numbers with more than two decimals: %s", m)
	}

	// 4. A manual leaf takes the values its mode allows; a computed leaf
	// takes no assessment (8: overrides are their own resource).
	if r := h.do("POST", "/api/v1/readiness/assessments", tok, map[string]any{"clause": "5.1.7.3", "points": 0.5, "justification": "half the staff"}); r.Status != 422 ||
		!strings.Contains(string(r.Body), "all_or_nothing") {
		t.Errorf("half points on 5.1.7.3: %d %s", r.Status, r.Body)
	}
	if r := h.do("POST", "/api/v1/readiness/assessments", tok, map[string]any{"clause": "5.1.7.3", "points": 1, "justification": "all staff knew it"}); r.Status != 201 {
		t.Errorf("assessment: %d %s", r.Status, r.Body)
	}
	if r := h.do("POST", "/api/v1/readiness/assessments", tok, map[string]any{"clause": "5.1.1.1", "points": 3, "justification": "x"}); r.Status != 422 ||
		!strings.Contains(string(r.Body), "override") {
		t.Errorf("assessment on a computed leaf: %d %s", r.Status, r.Body)
	}

	// 8. Overrides: justification and evidence required, marked on the ledger, withdrawn with a reason.
	if r := h.do("POST", "/api/v1/readiness/overrides", tok, map[string]any{"clause": "5.1.1.1", "points": 3, "justification": "org chart signed on paper"}); r.Status != 422 ||
		!strings.Contains(string(r.Body), "evidence") {
		t.Errorf("override without evidence: %d %s", r.Status, r.Body)
	}
	up := h.uploadEvidence(tok, map[string]string{"doc_type": "org_chart", "title": "纸质组织架构图扫描件", "effective_on": "2026-01-01", "approver": "总经理"}, "org.pdf", testPDF)
	if up.Status != 201 {
		t.Fatalf("upload: %d %s", up.Status, up.Body)
	}
	docID := fmt.Sprint(int(up.JSON(t)["id"].(float64)))
	if r := h.do("POST", "/api/v1/readiness/overrides", tok, map[string]any{"clause": "5.1.1.1", "points": 1.5, "justification": "x", "evidence": []string{docID}}); r.Status != 422 {
		t.Errorf("half points on an all-or-nothing leaf: %d %s", r.Status, r.Body)
	}
	if r := h.do("POST", "/api/v1/readiness/overrides", tok, map[string]any{"clause": "5.1.1.1", "points": 3, "justification": "x", "evidence": []string{"999999"}}); r.Status != 422 {
		t.Errorf("override on an unknown document: %d %s", r.Status, r.Body)
	}
	ov := h.expect(201, "POST", "/api/v1/readiness/overrides", tok, map[string]any{"clause": "5.1.1.1", "points": 3,
		"justification": "组织架构图已签发，系统内为草稿", "evidence": []string{docID}})
	ovID := int(ov.JSON(t)["id"].(float64))
	body = run()
	row := ledgerRow(t, body, "5.1.1.1")
	if row["state"] != "overridden" || row["points"].(float64) != 3 || row["author"] != "quality" || row["decided_at"] == nil ||
		row["justification"] != "组织架构图已签发，系统内为草稿" || fmt.Sprint(row["evidence"]) != "[document:"+docID+"]" {
		t.Errorf("overridden row %v", row)
	}
	if n := body["score"].(map[string]any)["counts"].(map[string]any)["overridden"].(float64); n != 1 {
		t.Errorf("counted %v overrides", n)
	}
	if list := h.do("GET", "/api/v1/readiness/overrides", h.login("auditor"), nil); list.Status != 200 || len(list.JSON(t)["items"].([]any)) != 1 {
		t.Errorf("list: %d %s", list.Status, list.Body)
	}
	if r := h.do("POST", fmt.Sprintf("/api/v1/readiness/overrides/%d/withdraw", ovID), tok, map[string]any{}); r.Status != 422 {
		t.Errorf("withdraw without reason: %d", r.Status)
	}
	if r := h.do("POST", fmt.Sprintf("/api/v1/readiness/overrides/%d/withdraw", ovID), tok, map[string]any{"reason": "document approved in the system"}); r.Status != 204 {
		t.Errorf("withdraw: %d %s", r.Status, r.Body)
	}
	if r := h.do("POST", fmt.Sprintf("/api/v1/readiness/overrides/%d/withdraw", ovID), tok, map[string]any{"reason": "again"}); r.Status != 409 {
		t.Errorf("withdraw twice: %d", r.Status)
	}
	if row := ledgerRow(t, run(), "5.1.1.1"); row["state"] == "overridden" {
		t.Error("a withdrawn override still counts")
	}

	// 9. Nothing to check is unknown, not ok; no management staff warns.
	pl := h.do("GET", "/api/v1/readiness/plausibility", tok, nil).JSON(t)
	for _, c := range pl["checks"].([]any) {
		ch := c.(map[string]any)
		switch ch["code"] {
		case "region_coverage", "managers_per_outlet", "entrusted_contracts":
			if ch["status"] != "unknown" {
				t.Errorf("%s with nothing to check: %v", ch["code"], ch["status"])
			}
		case "manager_ratio":
			if ch["status"] != "warning" {
				t.Errorf("manager_ratio without management staff: %v", ch["status"])
			}
		}
	}

	// 10. Bonus practices are a list.
	for _, reason := range []string{"偏远县 24 小时备件直达", "老年用户上门免费检测"} {
		if r := h.do("POST", "/api/v1/readiness/bonus", tok, map[string]any{"reason": reason}); r.Status != 201 {
			t.Fatalf("bonus: %d %s", r.Status, r.Body)
		}
	}
	b := h.do("GET", "/api/v1/readiness/bonus", tok, nil).JSON(t)
	items := b["items"].([]any)
	if len(items) != 2 || b["enabled"] != false || b["counted_points"].(float64) != 0 || b["max_count"].(float64) != 1 {
		t.Errorf("bonus list %v", b)
	}
	first := int(items[0].(map[string]any)["id"].(float64))
	if r := h.do("DELETE", fmt.Sprintf("/api/v1/readiness/bonus/%d?reason=dup", first), tok, nil); r.Status != 204 {
		t.Errorf("withdraw bonus: %d", r.Status)
	}
	if n := len(h.do("GET", "/api/v1/readiness/bonus", tok, nil).JSON(t)["items"].([]any)); n != 1 {
		t.Errorf("%d practices after withdrawing one", n)
	}

	// 12. No ?at= and no audit planned: 90 days ahead, and it says so.
	p := h.do("GET", "/api/v1/readiness/projection", tok, nil)
	if p.Status != 200 || p.JSON(t)["at_source"] != "default_90_days" {
		t.Errorf("projection without at: %d %s", p.Status, p.Body)
	}
}

// TestProjectionNamesTheLastValidDay (issue 13, defect 13, through the API):
// an assessment that "expires on" a day counts through that day, and the
// projection says so instead of "stops counting on" it.
func TestProjectionNamesTheLastValidDay(t *testing.T) {
	h := newReadinessHarness(t)
	tok := h.login("quality")
	last := time.Now().AddDate(0, 0, 10).Format(time.DateOnly)
	if r := h.do("POST", "/api/v1/readiness/assessments", tok, map[string]any{"clause": "5.1.7.3", "points": 1,
		"justification": "trained in the spring", "expires_on": last}); r.Status != 201 && r.Status != 200 {
		t.Fatalf("assessment: %d %s", r.Status, r.Body)
	}
	h.runReadiness(tok)
	at := time.Now().AddDate(0, 0, 30).Format(time.DateOnly)
	r := h.expect(200, "GET", "/api/v1/readiness/projection?at="+at, tok, nil)
	body := string(r.Body)
	if !strings.Contains(body, "counts through "+last+", its last valid day") {
		t.Errorf("the projection does not name %s as the last valid day: %s", last, body)
	}
	if strings.Contains(body, "stops counting") {
		t.Errorf("the projection still says \"stops counting\": %s", body)
	}
}
