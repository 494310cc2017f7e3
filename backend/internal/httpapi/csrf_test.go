package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
)

// cookieDo sends a request authenticated by the session cookie, as a browser does.
func (h *harness) cookieDo(method, path, cookie, contentType, body string, headers ...string) response {
	h.t.Helper()
	req, err := http.NewRequest(method, h.srv.URL+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.AddCookie(&http.Cookie{Name: "aftersales_session", Value: cookie})
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return h.send(req)
}

// Issue 10 item 8: with the admin cookie, a text/plain POST from
// https://evil.example created an admin. Cookie-authenticated state
// changes now need a JSON body and our own (or a configured) origin; the
// same request with a bearer token passes.
func TestCSRFCookieRequestsNeedJSONAndOurOrigin(t *testing.T) {
	t.Setenv("AFTERSALES_HTTP_ALLOWED_ORIGINS", "https://service.example.com")
	h := newHarness(t)
	admin := h.login("admin")
	body := `{"username":"mallory","password":"mallory-pass-1","roles":["admin"]}`
	self := strings.TrimPrefix(h.srv.URL, "http://")

	if r := h.cookieDo("POST", "/api/v1/users", admin, "text/plain", body); r.Status != 415 || r.errCode(t) != "unsupported_media_type" {
		t.Fatalf("text/plain with the cookie: %d %s", r.Status, r.Body)
	}
	if r := h.cookieDo("POST", "/api/v1/users", admin, "application/x-www-form-urlencoded", body); r.Status != 415 {
		t.Fatalf("form with the cookie: %d %s", r.Status, r.Body)
	}
	if r := h.cookieDo("POST", "/api/v1/users", admin, "application/json", body, "Origin", "https://evil.example"); r.Status != 403 || r.errCode(t) != "cross_origin_refused" {
		t.Fatalf("cross-origin JSON with the cookie: %d %s", r.Status, r.Body)
	}
	if r := h.cookieDo("POST", "/api/v1/users", admin, "application/json", body, "Sec-Fetch-Site", "cross-site"); r.Status != 403 {
		t.Fatalf("cross-site (Sec-Fetch-Site) with the cookie: %d %s", r.Status, r.Body)
	}
	if r := h.cookieDo("POST", "/api/v1/users/1/disable", admin, "", "", "Origin", "https://evil.example"); r.Status != 403 {
		t.Fatalf("cross-origin body-less POST with the cookie: %d %s", r.Status, r.Body)
	}
	// None of them created the user.
	if n := h.do("GET", "/api/v1/users?q=mallory", admin, nil).JSON(t)["total"]; n != float64(0) {
		t.Fatalf("a refused request created the user: %v", n)
	}

	// The same request with a bearer token passes, whatever the Origin.
	h.expect(201, "POST", "/api/v1/users", admin, body, "Content-Type", "text/plain", "Origin", "https://evil.example")
	// The web app: same-origin JSON with the cookie passes, and so does a configured origin.
	if r := h.cookieDo("POST", "/api/v1/users", admin, "application/json; charset=utf-8",
		`{"username":"trent","password":"trent-pass-12","roles":["auditor"],"expires_at":"2099-01-01T00:00:00Z"}`,
		"Origin", "http://"+self, "Sec-Fetch-Site", "same-origin"); r.Status != 201 {
		t.Fatalf("same-origin JSON with the cookie: %d %s", r.Status, r.Body)
	}
	if r := h.cookieDo("POST", "/api/v1/users", admin, "application/json",
		`{"username":"peggy","password":"peggy-pass-12","roles":["hotline_agent"]}`, "Origin", "https://service.example.com"); r.Status != 201 {
		t.Fatalf("configured origin: %d %s", r.Status, r.Body)
	}
	// Reads are not state changes.
	if r := h.cookieDo("GET", "/api/v1/me", admin, "", "", "Origin", "https://evil.example"); r.Status != 200 {
		t.Fatalf("GET with the cookie: %d", r.Status)
	}
	// The standard file route takes YAML from the web app, not text/plain.
	if r := h.cookieDo("PUT", "/api/v1/readiness/standards/gbt27922", admin, "application/yaml", "x: [", "Origin", "http://"+self); r.Status == 415 || r.Status == 403 {
		t.Fatalf("YAML standard with the cookie: %d %s", r.Status, r.Body)
	}
	if r := h.cookieDo("PUT", "/api/v1/readiness/standards/gbt27922", admin, "text/plain", "x: [", "Origin", "http://"+self); r.Status != 415 {
		t.Fatalf("text/plain standard with the cookie: %d %s", r.Status, r.Body)
	}
	// An upload route takes multipart from the web app.
	if r := h.cookieDo("POST", "/api/v1/evidence", admin, "multipart/form-data; boundary=x", "--x--\r\n", "Origin", "http://"+self); r.Status == 415 || r.Status == 403 {
		t.Fatalf("multipart upload with the cookie: %d %s", r.Status, r.Body)
	}
}

// The live channel follows the same origin rule as every cookie request.
func TestWebSocketRefusesAnotherSitesPage(t *testing.T) {
	t.Setenv("AFTERSALES_HTTP_ALLOWED_ORIGINS", "https://service.example.com")
	h := newHarness(t)
	admin := h.login("admin")
	url := "ws" + strings.TrimPrefix(h.srv.URL, "http") + "/api/v1/ws"
	for origin, ok := range map[string]bool{"https://evil.example": false, "https://service.example.com": true, h.srv.URL: true} {
		hdr := http.Header{"Cookie": {"aftersales_session=" + admin}, "Origin": {origin}}
		c, res, err := websocket.DefaultDialer.Dial(url, hdr)
		if ok && err != nil {
			t.Fatalf("origin %s refused: %v", origin, err)
		}
		if !ok && (err == nil || res == nil || res.StatusCode != 403) {
			t.Fatalf("origin %s accepted", origin)
		}
		if c != nil {
			_ = c.Close()
		}
	}
}
