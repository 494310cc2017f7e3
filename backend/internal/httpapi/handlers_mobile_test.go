package httpapi_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
)

// The technician's phone (issue 12): the job list carries the fault and the
// product but no personal data; check-in keeps the browser's position; an
// action replayed from the offline queue with the same Idempotency-Key
// answers like the first and is done once. On both databases.
func TestTechnicianPhone(t *testing.T) {
	onBothDatabases(t, technicianPhone)
}

func technicianPhone(t *testing.T, h *harness) {
	w := buildWorld(t, h)
	agent, om, tech := h.login("agent"), h.login("outlet_manager"), h.login("technician")
	r := h.expect(201, "POST", "/api/v1/tickets", agent, map[string]any{"channel": "phone", "type": "repair", "customer_id": w.customerID,
		"unit_id": w.unitID, "fault_code": "E1", "description": "空调不制冷，室外机不转"})
	tid := num(t, r.JSON(t)["id"])
	r = h.expect(201, "POST", fmt.Sprintf("/api/v1/tickets/%d/dispatch", tid), agent, map[string]any{"kind": "repair"})
	woID := num(t, r.JSON(t)["id"])
	wo := fmt.Sprintf("/api/v1/work-orders/%d", woID)

	// Before assignment the technician has no job.
	if r = h.do("GET", "/api/v1/mobile/jobs", tech, nil); r.Status != 200 || len(r.JSON(t)["items"].([]any)) != 0 {
		t.Fatalf("jobs before assignment: %d %s", r.Status, r.Body)
	}
	for _, step := range []struct {
		path string
		body any
	}{{"/accept", nil}, {"/assign", map[string]any{"technician_staff_id": w.technicianID}}} {
		if r = h.do("POST", wo+step.path, om, step.body); r.Status != 200 {
			t.Fatalf("%s: %d %s", step.path, r.Status, r.Body)
		}
	}
	r = h.do("GET", "/api/v1/mobile/jobs", tech, nil)
	items, _ := r.JSON(t)["items"].([]any)
	if r.Status != 200 || len(items) != 1 {
		t.Fatalf("jobs: %d %s", r.Status, r.Body)
	}
	job := items[0].(map[string]any)
	prod, _ := job["product"].(map[string]any)
	if job["fault_description"] != "空调不制冷，室外机不转" || job["fault_code"] != "E1" || prod == nil ||
		prod["model_name"] != "挂式空调 1.5匹" || prod["serial"] != "AC2026000001" || job["repair_id"] != nil {
		t.Fatalf("job: %s", r.Body)
	}
	for _, pii := range []string{"13800138000", "王建国", "科技园"} {
		if strings.Contains(string(r.Body), pii) {
			t.Fatalf("the job list carries personal data %q: %s", pii, r.Body)
		}
	}
	// Another technician of the outlet does not see it.
	other := h.addUser("tech2", "technician", 1)
	if r = h.do("GET", "/api/v1/mobile/jobs", other, nil); r.Status != 200 || len(r.JSON(t)["items"].([]any)) != 0 {
		t.Fatalf("another technician's jobs: %d %s", r.Status, r.Body)
	}

	// Check-in: half a position is refused; a position is kept.
	if r = h.do("POST", wo+"/check-in", tech, map[string]any{"lat": 22.54}); r.Status != 422 && r.Status != 400 {
		t.Fatalf("lat without lng: %d %s", r.Status, r.Body)
	}
	if r = h.do("POST", wo+"/check-in", tech, map[string]any{"lat": 122.5, "lng": 113.9}); r.Status != 422 && r.Status != 400 {
		t.Fatalf("lat off the globe: %d %s", r.Status, r.Body)
	}
	key := "chk-" + fmt.Sprint(woID)
	body := map[string]any{"note": "到达", "lat": 22.5431, "lng": 113.9345, "accuracy_m": 12.5}
	r = h.expect(200, "POST", wo+"/check-in", tech, body, "Idempotency-Key", key)
	first := r.JSON(t)
	if first["status"] != "on_site" || first["arrived_lat"] != 22.5431 || first["arrived_lng"] != 113.9345 || first["arrived_accuracy_m"] != 12.5 {
		t.Fatalf("check-in kept no position: %s", r.Body)
	}
	// The phone lost the answer and replays: same answer, done once.
	r2 := h.do("POST", wo+"/check-in", tech, body, "Idempotency-Key", key)
	if r2.Status != 200 || r2.Header.Get("Idempotent-Replayed") != "true" || string(r2.Body) != string(r.Body) ||
		r2.Header.Get("ETag") != r.Header.Get("ETag") {
		t.Fatalf("replay: %d %v %s", r2.Status, r2.Header, r2.Body)
	}
	// Without the key the step runs again and is refused by the status machine.
	if r = h.do("POST", wo+"/check-in", tech, body); r.Status != 409 {
		t.Fatalf("second check-in without key: %d %s", r.Status, r.Body)
	}
	// The same key on another route is a client bug.
	if r = h.do("POST", wo+"/complete", tech, map[string]any{"result": "done"}, "Idempotency-Key", key); r.Status != 422 || r.errCode(t) != "idempotency_key_reused" {
		t.Fatalf("key reused on another route: %d %s", r.Status, r.Body)
	}
	// Another user's key space is their own.
	if r = h.do("POST", wo+"/check-in", om, body, "Idempotency-Key", key); r.Status != 409 || r.errCode(t) == "idempotency_key_reused" {
		t.Fatalf("manager with the technician's key: %d %s", r.Status, r.Body)
	}
	// A failed write releases its key: a refused completion can be retried
	// with the same key once fixed.
	if r = h.do("POST", wo+"/complete", tech, map[string]any{"result": "bogus"}, "Idempotency-Key", "done-1"); r.Status != 422 {
		t.Fatalf("bad result: %d %s", r.Status, r.Body)
	}
	// Concurrent replays of one completion: it runs once. A second run
	// would answer 409 invalid_transition; the others wait for the first
	// (409 idempotency_in_progress) or get its answer.
	var wg sync.WaitGroup
	answers := make([]response, 4)
	for i := range answers {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			answers[i] = h.do("POST", wo+"/complete", tech, map[string]any{"result": "done", "notes": "换电容"}, "Idempotency-Key", "done-1")
		}(i)
	}
	wg.Wait()
	var done []byte
	for _, a := range answers {
		switch {
		case a.Status == 200 && done == nil:
			done = a.Body
		case a.Status == 200 && string(a.Body) != string(done):
			t.Fatalf("two different completions: %s / %s", done, a.Body)
		case a.Status == 409 && a.errCode(t) == "idempotency_in_progress":
		case a.Status != 200:
			t.Fatalf("concurrent replay answered %d %s", a.Status, a.Body)
		}
	}
	if done == nil {
		t.Fatal("no replay completed the work order")
	}
	if r = h.do("POST", wo+"/complete", tech, map[string]any{"result": "done", "notes": "换电容"}, "Idempotency-Key", "done-1"); string(r.Body) != string(done) {
		t.Fatalf("a later replay: %d %s", r.Status, r.Body)
	}
	r = h.do("GET", "/api/v1/mobile/jobs", tech, nil)
	items, _ = r.JSON(t)["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["work_order"].(map[string]any)["status"] != "completed" {
		t.Fatalf("today's finished job is listed: %s", r.Body)
	}
}

// TestPhoneAppPages: /m and its client routes get the phone app's page,
// other client routes the console's; the web manifest is served as such and
// the service worker is never cached stale.
func TestPhoneAppPages(t *testing.T) {
	h := newHarness(t)
	h.app.HTTP.UI = fstest.MapFS{
		"index.html":             {Data: []byte("console")},
		"m/index.html":           {Data: []byte("phone")},
		"m/manifest.webmanifest": {Data: []byte(`{"start_url":"/m/"}`)},
		"m-sw.js":                {Data: []byte("self.x=1")},
		"assets/mobile-abc.js":   {Data: []byte("x")},
	}
	srv := httptest.NewServer(h.app.HTTP.Handler())
	defer srv.Close()
	get := func(p string) (int, string, http.Header) {
		res, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b), res.Header
	}
	for p, want := range map[string]string{"/m": "phone", "/m/": "phone", "/m/jobs/12": "phone", "/m/login?redirect=/": "phone",
		"/": "console", "/tickets/5": "console", "/mobile": "console"} {
		if st, body, _ := get(p); st != 200 || body != want {
			t.Errorf("GET %s: %d %q, want %q", p, st, body, want)
		}
	}
	if st, _, hd := get("/m/manifest.webmanifest"); st != 200 || hd.Get("Content-Type") != "application/manifest+json" {
		t.Errorf("manifest: %d %v", st, hd)
	}
	if st, _, hd := get("/m-sw.js"); st != 200 || hd.Get("Cache-Control") != "no-cache" {
		t.Errorf("service worker: %d %v", st, hd)
	}
}
