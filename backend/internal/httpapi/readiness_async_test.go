package httpapi_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aftersales/aftersales/backend/internal/readiness"
)

// TestReadinessRunIsAsynchronous: 立即评分 answers 202 at once with the run
// in progress and where to read it; progress is pushed on the readiness
// topic (running, with done of total and the clause, then done), followed
// by the new score; GET /readiness/runs/:id then serves the finished run
// whose total is the live score's and the dashboard's.
func TestReadinessRunIsAsynchronous(t *testing.T) {
	h := newReadinessHarness(t)
	tok := h.login("quality")
	c := h.dialWS(t, tok)
	if err := c.WriteJSON(map[string]any{"type": "subscribe", "topics": []string{"readiness"}}); err != nil {
		t.Fatal(err)
	}
	if ack := readMsg(t, c); ack["type"] != "subscribed" {
		t.Fatalf("ack %v", ack)
	}
	r := h.expect(202, "POST", "/api/v1/readiness/runs", tok, "{}")
	body := r.JSON(t)
	run := body["run"].(map[string]any)
	id := int(run["id"].(float64))
	if run["status"] != "running" || body["joined"] != false || body["score"] != nil {
		t.Fatalf("202 body: %s", r.Body)
	}
	if loc := r.Header.Get("Location"); loc != fmt.Sprintf("/api/v1/readiness/runs/%d", id) {
		t.Errorf("Location %q", loc)
	}
	total := run["progress"].(map[string]any)["total"].(float64)
	if total < 40 {
		t.Fatalf("progress total %v: want every indicator of the standard", total)
	}

	var running, finished []map[string]any
	var score map[string]any
	for i := 0; i < 60 && (score == nil || finished == nil); i++ {
		m := readMsg(t, c)
		if m["type"] != "event" {
			continue
		}
		d, _ := m["data"].(map[string]any)
		if d == nil || int(d["run_id"].(float64)) != id {
			continue
		}
		switch m["name"] {
		case "readiness.progress":
			if d["total"].(float64) != total {
				t.Errorf("progress total moved: %v", d)
			}
			switch d["status"] {
			case "running":
				running = append(running, d)
			case "done":
				if score == nil {
					t.Errorf("progress done before readiness.score")
				}
				finished = append(finished, d)
			default:
				t.Fatalf("run ended %v", d)
			}
		case "readiness.score":
			score = d
		}
	}
	if len(running) == 0 || score == nil || len(finished) != 1 {
		t.Fatalf("events: %d running, score %v, done %v", len(running), score, finished)
	}
	for i := 1; i < len(running); i++ {
		if running[i]["done"].(float64) < running[i-1]["done"].(float64) {
			t.Errorf("progress went backwards: %v then %v", running[i-1], running[i])
		}
	}
	if finished[0]["done"].(float64) != total {
		t.Errorf("done progress %v of %v", finished[0]["done"], total)
	}
	sawClause := false
	for _, p := range running {
		if p["clause"] != "" {
			sawClause = true
		}
	}
	if !sawClause && len(running) > 1 {
		t.Errorf("no progress event names a clause: %v", running)
	}

	got := h.waitRun(tok, id)
	if got["run"].(map[string]any)["status"] != "done" || len(got["ledger"].([]any)) < 40 {
		t.Fatalf("finished run: %v", got["run"])
	}
	if got["score"].(map[string]any)["total"] != score["total"] {
		t.Errorf("run total %v, live score %v", got["score"].(map[string]any)["total"], score["total"])
	}
	latest := h.do("GET", "/api/v1/readiness/score", tok, nil).JSON(t)
	if int(latest["run"].(map[string]any)["id"].(float64)) != id {
		t.Errorf("dashboard score is run %v, want %d", latest["run"].(map[string]any)["id"], id)
	}
	// A finished run is no longer in progress: the next request starts
	// another one.
	r2 := h.do("POST", "/api/v1/readiness/runs", tok, "{}")
	if r2.Status != 202 || int(r2.JSON(t)["run"].(map[string]any)["id"].(float64)) == id {
		t.Fatalf("next run: %d %s", r2.Status, r2.Body)
	}
	h.waitRun(tok, int(r2.JSON(t)["run"].(map[string]any)["id"].(float64)))
	if g := h.do("GET", "/api/v1/readiness/runs/999999", tok, nil); g.Status != 404 {
		t.Errorf("unknown run: %d", g.Status)
	}
}

// TestReadinessRunWhileRollupsAreBuilt: after a migration or on a fresh
// database the rollups are built in the background; meanwhile 立即评分
// answers 202 with status building and the days built of total (no run
// started, no Location), GET /readiness/rollups says the same, and once
// the build is done a request starts a run.
func TestReadinessRunWhileRollupsAreBuilt(t *testing.T) {
	h := newReadinessHarness(t)
	tok := h.login("quality")
	now := time.Now().UTC()
	if err := h.app.DB.Create(&readiness.RollupBuild{Name: "rollups", Version: 1, Status: readiness.BuildBuilding, DaysDone: 120, DaysTotal: 365,
		Holder: "other", StartedAt: &now, UpdatedAt: now}).Error; err != nil {
		t.Fatal(err)
	}
	r := h.do("POST", "/api/v1/readiness/runs", tok, "{}")
	if r.Status != 202 || r.Header.Get("Location") != "" {
		t.Fatalf("start while building: %d %q %s", r.Status, r.Header.Get("Location"), r.Body)
	}
	run := r.JSON(t)["run"].(map[string]any)
	p := run["progress"].(map[string]any)
	if run["status"] != "building" || run["id"].(float64) != 0 || p["done"].(float64) != 120 || p["total"].(float64) != 365 {
		t.Fatalf("building answer: %s", r.Body)
	}
	st := h.do("GET", "/api/v1/readiness/rollups", tok, "")
	if st.Status != 200 || st.JSON(t)["status"] != "building" || st.JSON(t)["days_done"].(float64) != 120 {
		t.Fatalf("rollups: %d %s", st.Status, st.Body)
	}
	if err := h.app.DB.Model(&readiness.RollupBuild{}).Where("name = ?", "rollups").
		Updates(map[string]any{"status": readiness.BuildDone, "days_done": 365}).Error; err != nil {
		t.Fatal(err)
	}
	r = h.do("POST", "/api/v1/readiness/runs", tok, "{}")
	if r.Status != 202 || r.JSON(t)["run"].(map[string]any)["status"] != "running" {
		t.Fatalf("start after the build: %d %s", r.Status, r.Body)
	}
	id := int(r.JSON(t)["run"].(map[string]any)["id"].(float64))
	if _, err := h.app.Readiness.Wait(context.Background(), uint64(id)); err != nil {
		t.Fatal(err)
	}
}
