package httpapi_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// newReadinessHarness is the harness with evidence stored in a temporary
// directory.
func newReadinessHarness(t *testing.T) *harness {
	t.Helper()
	t.Setenv("AFTERSALES_STORAGE_DIR", filepath.Join(t.TempDir(), "files"))
	t.Setenv("AFTERSALES_STORAGE_MAX_UPLOAD_MIB", "1")
	return newHarness(t)
}

// upload posts a multipart evidence upload.
func (h *harness) uploadEvidence(token string, fields map[string]string, fileName string, content []byte) response {
	h.t.Helper()
	return h.uploadWith("/api/v1/evidence", token, fields, fileName, content)
}

// runReadiness starts a run (POST answers 202 with the run in progress)
// and polls GET /readiness/runs/:id until it is done; it returns the done
// run's body (run, score, ledger).
func (h *harness) runReadiness(token string) map[string]any {
	h.t.Helper()
	r := h.do("POST", "/api/v1/readiness/runs", token, "{}")
	if r.Status != 202 {
		h.t.Fatalf("start run: %d %s", r.Status, r.Body)
	}
	id := int(r.JSON(h.t)["run"].(map[string]any)["id"].(float64))
	return h.waitRun(token, id)
}

// waitRun polls a run until it is done (failing the test if it ends in
// error or takes over a minute).
func (h *harness) waitRun(token string, id int) map[string]any {
	h.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		g := h.do("GET", fmt.Sprintf("/api/v1/readiness/runs/%d", id), token, nil)
		if g.Status != 200 {
			h.t.Fatalf("run %d: %d %s", id, g.Status, g.Body)
		}
		body := g.JSON(h.t)
		switch st := body["run"].(map[string]any)["status"]; st {
		case "done":
			return body
		case "running":
		default:
			h.t.Fatalf("run %d ended %v: %s", id, st, g.Body)
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("run %d still running after a minute: %s", id, g.Body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (h *harness) readinessGet(path, token string) response {
	h.t.Helper()
	req, _ := http.NewRequest("GET", h.srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	return h.send(req)
}

var testPDF = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

// TestReadinessRunScoreDiffAndLive: a run publishes readiness.score to a
// client subscribed to "readiness"; the score, the history and the diff
// are served; the run is recorded with its ledger.
func TestReadinessRunScoreDiffAndLive(t *testing.T) {
	h := newReadinessHarness(t)
	tok := h.login("quality")
	c := h.dialWS(t, tok)
	if err := c.WriteJSON(map[string]any{"type": "subscribe", "topics": []string{"readiness"}}); err != nil {
		t.Fatal(err)
	}
	if ack := readMsg(t, c); ack["type"] != "subscribed" {
		t.Fatalf("ack %v", ack)
	}
	if r := h.do("GET", "/api/v1/readiness/score", tok, nil); r.Status != 404 {
		t.Fatalf("score before any run: %d", r.Status)
	}
	run := h.runReadiness(tok)["run"].(map[string]any)
	runID := run["id"].(float64)
	var live map[string]any
	for i := 0; i < 30 && live == nil; i++ {
		m := readMsg(t, c)
		if m["type"] == "event" && m["name"] == "readiness.score" {
			live = m["data"].(map[string]any)
		}
	}
	if live == nil || live["run_id"].(float64) != runID {
		t.Fatalf("no readiness.score for run %v: %v", runID, live)
	}
	for _, k := range []string{"total", "low", "high", "band", "next_band", "to_next_band", "as_of"} {
		if _, ok := live[k]; !ok {
			t.Errorf("readiness.score lacks %s", k)
		}
	}
	score := h.expect(200, "GET", "/api/v1/readiness/score", h.login("auditor"), nil)
	body := score.JSON(t)
	ledger := body["ledger"].([]any)
	if len(ledger) < 40 || body["score"].(map[string]any)["band"] == "" {
		t.Fatalf("ledger of %d rows: %s", len(ledger), score.Body)
	}
	// Without operational data the measures are unknown: the score is a
	// range, never a made-up value.
	sc := body["score"].(map[string]any)
	if sc["complete"] == true || sc["high"].(float64) <= sc["low"].(float64) {
		t.Fatalf("an empty enterprise should be a range: %v", sc)
	}
	id2 := h.runReadiness(tok)["run"].(map[string]any)["id"].(float64)
	h.expect(200, "GET", fmt.Sprintf("/api/v1/readiness/runs/%d/diff/%d", int(runID), int(id2)), tok, nil)
	hist := h.do("GET", "/api/v1/readiness/runs?size=10", tok, nil)
	if hist.Status != 200 || hist.JSON(t)["total"].(float64) != 2 {
		t.Fatalf("history: %d %s", hist.Status, hist.Body)
	}
	for _, p := range []string{"/api/v1/readiness/gaps", "/api/v1/readiness/cheapest-path", "/api/v1/readiness/plausibility",
		"/api/v1/readiness/projection?at=" + time.Now().AddDate(0, 3, 0).Format("2006-01-02"), "/api/v1/readiness/standards"} {
		if r := h.do("GET", p, tok, nil); r.Status != 200 {
			t.Errorf("%s: %d %s", p, r.Status, r.Body)
		}
	}
	h.expect(200, "POST", "/api/v1/readiness/what-if", tok, map[string]any{"texts": []string{"certified_managers 3", "management_headcount 20"}})
	if bad := h.do("POST", "/api/v1/readiness/what-if", tok, map[string]any{"texts": []string{"make it five stars"}}); bad.Status != 422 {
		t.Fatalf("bad what-if: %d %s", bad.Status, bad.Body)
	}
}

// TestReadinessStandardPut: a bad file is refused naming the clause; a
// good edit creates a version.
func TestReadinessStandardPut(t *testing.T) {
	h := newReadinessHarness(t)
	tok := h.login("quality")
	bad, err := os.ReadFile("../readiness/testdata/bad-sum.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r := h.do("PUT", "/api/v1/readiness/standards/gbt27922-2011", tok, string(bad), "Content-Type", "application/yaml")
	if r.Status != 422 || r.errCode(t) != "standard_invalid" || !strings.Contains(string(r.Body), "clause 5.1.2") {
		t.Fatalf("bad standard: %d %s", r.Status, r.Body)
	}
	good, err := os.ReadFile("../../../configs/standards/gbt27922-2011.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// Defect 5: the standard's own limits cannot be edited away.
	for _, fixed := range []struct{ old, new, names string }{
		{"    points: 1\n    max_count: 1", "    points: 5\n    max_count: 3", "scoring.bonus"},
		{"min: 80", "min: 81", "scoring.bands"},
		{"fail_at: 5", "fail_at: 6", "scoring.special_deductions"},
	} {
		r := h.do("PUT", "/api/v1/readiness/standards/gbt27922-2011", tok, strings.Replace(string(good), fixed.old, fixed.new, 1), "Content-Type", "application/yaml")
		if r.Status != 422 || r.errCode(t) != "standard_invalid" || !strings.Contains(string(r.Body), fixed.names) || !strings.Contains(string(r.Body), "fixed by GB/T 27922") {
			t.Errorf("%s: %d %s", fixed.new, r.Status, r.Body)
		}
	}
	// An inferred parameter (a target) may change.
	edited := strings.Replace(string(good), "measure: first_response_on_time, target: 0.95", "measure: first_response_on_time, target: 0.9", 1)
	if r := h.do("PUT", "/api/v1/readiness/standards/gbt27922-2011", tok, edited, "Content-Type", "application/yaml"); r.Status != 422 ||
		!strings.Contains(string(r.Body), "justification") {
		t.Fatalf("a change without a justification: %d %s", r.Status, r.Body)
	}
	r = h.do("PUT", "/api/v1/readiness/standards/gbt27922-2011?justification="+url.QueryEscape("认证机构评分表：首次响应目标 90%"), tok, edited, "Content-Type", "application/yaml")
	if r.Status != 201 || r.JSON(t)["version"].(map[string]any)["version"].(float64) != 2 {
		t.Fatalf("edit: %d %s", r.Status, r.Body)
	}
	if r := h.do("PUT", "/api/v1/readiness/standards/other-id", tok, edited); r.Status != 422 {
		t.Fatalf("id mismatch: %d %s", r.Status, r.Body)
	}
}

// TestEvidenceUploadAPI: refused uploads say why (too big, wrong type,
// content not matching the name); an accepted one can be approved and
// downloaded as an attachment.
func TestEvidenceUploadAPI(t *testing.T) {
	h := newReadinessHarness(t)
	tok := h.login("quality")
	fields := map[string]string{"doc_type": "crisis_plan", "title": "重大投诉及危机处理预案", "effective_on": "2026-01-01", "approver": "总经理"}
	cases := []struct {
		name    string
		file    string
		content []byte
		want    string
		status  int
	}{
		{"too big", "plan.pdf", append(append([]byte{}, testPDF...), bytes.Repeat([]byte("x"), 3<<20)...), "exceeds the 1 MiB limit", 413},
		{"wrong type", "plan.exe", []byte("MZ\x90\x00\x03"), "not accepted", 415},
		{"mismatch", "plan.pdf", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"), "does not match", 415},
		{"no file", "", nil, `"file":{"code":"required"`, 422},
	}
	for _, c := range cases {
		r := h.uploadEvidence(tok, fields, c.file, c.content)
		if r.Status != c.status || !strings.Contains(string(r.Body), c.want) {
			t.Errorf("%s: %d %s", c.name, r.Status, r.Body)
		}
	}
	if r := h.uploadEvidence(h.login("auditor"), fields, "plan.pdf", testPDF); r.Status != 403 {
		t.Fatalf("auditor upload: %d", r.Status)
	}
	r := h.uploadEvidence(tok, fields, "预案.pdf", testPDF)
	if r.Status != 201 {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	doc := r.JSON(t)
	id := int(doc["id"].(float64))
	if doc["freshness"] != "draft" || len(doc["sha256"].(string)) != 64 {
		t.Fatalf("doc %v", doc)
	}
	ap := h.do("POST", fmt.Sprintf("/api/v1/evidence/%d/approve", id), tok, map[string]any{"version": 1})
	if ap.Status != 200 || ap.JSON(t)["freshness"] != "in_force" {
		t.Fatalf("approve: %d %s", ap.Status, ap.Body)
	}
	apd := ap.JSON(t)
	h.noopPatch(t, fmt.Sprintf("/api/v1/evidence/%d", id), tok, map[string]any{"effective_on": apd["effective_on"], "expires_on": apd["expires_on"]}, apd["version"])
	if again := h.do("POST", fmt.Sprintf("/api/v1/evidence/%d/approve", id), tok, nil); again.Status != 409 {
		t.Fatalf("approve twice: %d", again.Status)
	}
	dl := h.readinessGet(fmt.Sprintf("/api/v1/evidence/%d/download", id), h.login("auditor"))
	if dl.Status != 200 || !bytes.Equal(dl.Body, testPDF) || !strings.HasPrefix(dl.Header.Get("Content-Disposition"), "attachment") ||
		dl.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("download: %d %v", dl.Status, dl.Header)
	}
	types := h.expect(200, "GET", "/api/v1/evidence/types", tok, nil)
	var found bool
	for _, it := range types.JSON(t)["items"].([]any) {
		m := it.(map[string]any)
		if m["type"] == "crisis_plan" {
			found = m["status"] == "in_force"
		}
	}
	if !found {
		t.Fatalf("crisis plan not in force: %s", types.Body)
	}
}

// TestCertificationAPIAndAuditPack: a cycle refuses a skipped step naming
// the allowed ones; an audit pack is built asynchronously with progress
// and then downloaded.
func TestCertificationAPIAndAuditPack(t *testing.T) {
	h := newReadinessHarness(t)
	tok := h.login("quality")
	r := h.expect(201, "POST", "/api/v1/certification/cycles", tok, map[string]any{"body": "中质协质量保证中心", "responsible": "陈静"})
	id := int(r.JSON(t)["id"].(float64))
	bad := h.do("POST", fmt.Sprintf("/api/v1/certification/cycles/%d/advance", id), tok, map[string]any{"to": "certified"})
	if bad.Status != 409 || bad.errCode(t) != "invalid_transition" || !strings.Contains(string(bad.Body), `"allowed":["contract","withdrawn"]`) {
		t.Fatalf("skipped step: %d %s", bad.Status, bad.Body)
	}
	ok := h.expect(200, "POST", fmt.Sprintf("/api/v1/certification/cycles/%d/advance", id), tok, map[string]any{"to": "contract"})
	h.noopPatch(t, fmt.Sprintf("/api/v1/certification/cycles/%d", id), tok, map[string]any{"body": "中质协质量保证中心", "responsible": "陈静"}, ok.JSON(t)["version"])
	from := time.Now().AddDate(-1, 0, 0).Format("2006-01-02")
	to := time.Now().Format("2006-01-02")
	p := h.expect(202, "POST", "/api/v1/certification/audit-packs", tok, map[string]any{"from": from, "to": to})
	pid := int(p.JSON(t)["id"].(float64))
	deadline := time.Now().Add(30 * time.Second)
	var state map[string]any
	for {
		g := h.do("GET", fmt.Sprintf("/api/v1/certification/audit-packs/%d", pid), h.login("auditor"), nil)
		state = g.JSON(t)
		if state["status"] == "done" || state["status"] == "failed" || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if state["status"] != "done" || state["progress"].(float64) != 100 || state["download_url"] == "" {
		t.Fatalf("pack state %v", state)
	}
	dl := h.readinessGet(state["download_url"].(string), tok)
	if dl.Status != 200 {
		t.Fatalf("download: %d %s", dl.Status, dl.Body)
	}
	zr, err := zip.NewReader(bytes.NewReader(dl.Body), int64(len(dl.Body)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	joined := strings.Join(names, "\n")
	for _, want := range []string{"00_评分报告.xlsx", "02_网点清单.xlsx", "02_人员名册.xlsx", "03_记录抽样/维修记录.xlsx"} {
		if !strings.Contains(joined, want) {
			t.Errorf("pack lacks %s: %v", want, names)
		}
	}
}
