package httpapi_test

import (
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aftersales/aftersales/backend/internal/httpapi"
)

// zeros is an endless body that costs no memory.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

func concretePath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, ":") || strings.HasPrefix(s, "*") {
			parts[i] = "1"
		}
	}
	return strings.Join(parts, "/")
}

// Issue 10 item 1: the 1 MiB limit was skipped for multipart/*, and a 30 MB
// username was read as JSON. Every route but the named uploads refuses a
// 2 MiB body under every Content-Type, before login and before any read.
func TestEveryNonUploadRouteRefusesTwoMiBUnderEveryContentType(t *testing.T) {
	h := newHarness(t)
	handler := h.app.HTTP.Handler()
	types := []string{"application/json", "text/plain", "multipart/form-data; boundary=x", "multipart/mixed; boundary=x",
		"application/x-www-form-urlencoded", "application/octet-stream", ""}
	checked, uploads := 0, 0
	for _, rt := range h.app.HTTP.Routes() {
		upload := httpapi.IsUploadRoute(rt.Method, rt.Path)
		for _, ct := range types {
			req := httptest.NewRequest(rt.Method, concretePath(rt.Path), io.LimitReader(zeros{}, 2<<20))
			req.ContentLength = 2 << 20
			if ct != "" {
				req.Header.Set("Content-Type", ct)
			}
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, req)
			switch {
			case upload && rec.Code == http.StatusRequestEntityTooLarge:
				t.Errorf("upload route %s %s refused 2 MiB (%s)", rt.Method, rt.Path, ct)
			case !upload && rec.Code != http.StatusRequestEntityTooLarge:
				t.Errorf("%s %s with 2 MiB of %q: %d, want 413", rt.Method, rt.Path, ct, rec.Code)
			}
		}
		if upload {
			uploads++
		} else {
			checked++
		}
	}
	if uploads != 11 || checked < 200 {
		t.Fatalf("walked %d routes and %d upload routes", checked, uploads)
	}
	t.Logf("%d routes × %d content types refused 2 MiB; %d upload routes accept it", checked, len(types), uploads)
}

// The reported attack: a 30 MB "username" sent as multipart without a
// declared length (chunked). It is cut at the limit: 413, nothing written.
func TestOversizedChunkedLoginIsRefusedBeforeAnythingIsWritten(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin")
	before := len(h.do("GET", "/api/v1/audit?size=200", admin, nil).JSON(t)["items"].([]any))
	body := io.MultiReader(strings.NewReader(`{"username":"`), io.LimitReader(zeros{}, 30<<20), strings.NewReader(`","password":"x"}`))
	req, _ := http.NewRequest("POST", h.srv.URL+"/api/v1/auth/login", body)
	req.ContentLength = -1
	req.Header.Set("Content-Type", "multipart/form-data; boundary=zzz")
	res, err := http.DefaultClient.Do(req)
	if err == nil {
		res.Body.Close()
		if res.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("30 MB chunked login: %d, want 413", res.StatusCode)
		}
	} // a reset connection after the 413 is a refusal too
	after := len(h.do("GET", "/api/v1/audit?size=200", admin, nil).JSON(t)["items"].([]any))
	if after != before {
		t.Fatalf("the refused login wrote %d audit records", after-before)
	}
	// A long username in a small body is a 422 before anything is written.
	r := h.do("POST", "/api/v1/auth/login", "", map[string]string{"username": strings.Repeat("a", 200), "password": "x"})
	if r.Status != 422 || r.errCode(t) != "validation_failed" {
		t.Fatalf("200-character username: %d %s", r.Status, r.Body)
	}
	if n := len(h.do("GET", "/api/v1/audit?size=200", admin, nil).JSON(t)["items"].([]any)); n != before {
		t.Fatalf("the 422 login wrote %d audit records", n-before)
	}
}

// Upload routes get the larger limit: a 2 MiB evidence file is accepted.
func TestUploadRouteTakesMoreThanTheJSONLimit(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin")
	var buf strings.Builder
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("doc_type", "policy")
	_ = mw.WriteField("title", "大文件")
	fw, _ := mw.CreateFormFile("file", "big.pdf")
	_, _ = fw.Write(testPDF)
	_, _ = io.Copy(fw, io.LimitReader(zeros{}, 2<<20))
	_ = mw.Close()
	r := h.do("POST", "/api/v1/evidence", admin, buf.String(), "Content-Type", mw.FormDataContentType())
	if r.Status == 413 {
		t.Fatalf("2 MiB upload refused by the JSON limit: %s", r.Body)
	}
}

// Issue 10 item 3: X-Forwarded-For is believed only from a trusted proxy.
func TestForwardedForIsIgnoredUnlessThePeerIsATrustedProxy(t *testing.T) {
	lookups := func(h *harness) int {
		limited := 0
		for i := 0; i < 31; i++ {
			r := h.do("GET", "/api/v1/public/tickets/T-none?phone=13800000000", "", nil, "X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i+1))
			if r.Status == 429 {
				limited++
			}
		}
		return limited
	}
	h := newHarness(t)
	if n := lookups(h); n != 1 {
		t.Fatalf("untrusted peer with a rotating X-Forwarded-For: %d of 31 lookups limited, want 1 (the 31st)", n)
	}
	r := h.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "admin", "password": "demo123456"}, "X-Forwarded-For", "203.0.113.9")
	admin := r.JSON(t)["token"].(string)
	items := h.do("GET", "/api/v1/audit?action=login&size=1", admin, nil).JSON(t)["items"].([]any)
	if ip := items[0].(map[string]any)["ip"]; ip != "127.0.0.1" {
		t.Fatalf("audit trail took the forged address: %v", ip)
	}

	t.Setenv("AFTERSALES_HTTP_TRUSTED_PROXIES", "127.0.0.1")
	behind := newHarness(t)
	if n := lookups(behind); n != 0 {
		t.Fatalf("behind a trusted proxy each client has its own budget; %d limited", n)
	}
	r = behind.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "admin", "password": "demo123456"}, "X-Forwarded-For", "203.0.113.9")
	admin = r.JSON(t)["token"].(string)
	items = behind.do("GET", "/api/v1/audit?action=login&size=1", admin, nil).JSON(t)["items"].([]any)
	if ip := items[0].(map[string]any)["ip"]; ip != "203.0.113.9" {
		t.Fatalf("behind a trusted proxy the audit trail should name the client: %v", ip)
	}
}

// Issue 10 item 17: /metrics is not on the public port anonymously.
func TestMetricsAreNotServedAnonymouslyOnThePublicPort(t *testing.T) {
	h := newHarness(t)
	if r := h.do("GET", "/metrics", "", nil); r.Status != 404 || strings.Contains(string(r.Body), "go_goroutines") {
		t.Fatalf("public /metrics: %d", r.Status)
	}
	rec := httptest.NewRecorder()
	h.app.HTTP.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "aftersales_http_requests_total") {
		t.Fatalf("metrics listener: %d", rec.Code)
	}
	// The profiler is off unless metrics.pprof, and never on the public port.
	rec = httptest.NewRecorder()
	h.app.HTTP.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/debug/pprof/", nil))
	if rec.Code != 404 {
		t.Fatalf("pprof without metrics.pprof: %d", rec.Code)
	}
	t.Setenv("AFTERSALES_METRICS_PPROF", "true")
	hp := newHarness(t)
	rec = httptest.NewRecorder()
	hp.app.HTTP.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/debug/pprof/", nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "goroutine") {
		t.Fatalf("pprof with metrics.pprof on the metrics listener: %d", rec.Code)
	}
	if r := hp.do("GET", "/debug/pprof/", "", nil); r.Status == 200 && strings.Contains(string(r.Body), "goroutine") {
		t.Fatalf("pprof on the public port: %d", r.Status)
	}
	t.Setenv("AFTERSALES_METRICS_PPROF", "false")
	t.Setenv("AFTERSALES_METRICS_TOKEN", "s3cret-token-0123456789")
	ht := newHarness(t)
	if r := ht.do("GET", "/metrics", "wrong-token-0123456789", nil); r.Status != 404 {
		t.Fatalf("wrong metrics token: %d", r.Status)
	}
	if r := ht.do("GET", "/metrics", "s3cret-token-0123456789", nil); r.Status != 200 || !strings.Contains(string(r.Body), "go_goroutines") {
		t.Fatalf("metrics token: %d", r.Status)
	}
}

// Issue 10 item 18: security headers on HTML, a Secure cookie over TLS or
// with http.secure_cookies.
func TestSecurityHeadersAndSecureCookie(t *testing.T) {
	h := newHarness(t)
	r := h.do("GET", "/tickets", "", nil)
	if !strings.Contains(r.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("not HTML: %s", r.Header.Get("Content-Type"))
	}
	csp := r.Header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP lacks %q: %s", want, csp)
		}
	}
	if strings.Contains(csp, "script-src 'self' 'unsafe") {
		t.Errorf("scripts must be 'self' only: %s", csp)
	}
	for k, want := range map[string]string{"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "strict-origin-when-cross-origin"} {
		if got := r.Header.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	login := h.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "admin", "password": "demo123456"})
	if c := login.Header.Get("Set-Cookie"); strings.Contains(c, "Secure") || !strings.Contains(c, "HttpOnly") {
		t.Fatalf("plain HTTP cookie: %s", c)
	}
	tls := httptest.NewTLSServer(h.app.HTTP.Handler())
	defer tls.Close()
	req, _ := http.NewRequest("POST", tls.URL+"/api/v1/auth/login", strings.NewReader(`{"username":"admin","password":"demo123456"}`))
	req.Header.Set("Content-Type", "application/json")
	res, err := tls.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if c := res.Header.Get("Set-Cookie"); !strings.Contains(c, "Secure") {
		t.Fatalf("cookie over TLS is not Secure: %s", c)
	}
	t.Setenv("AFTERSALES_HTTP_SECURE_COOKIES", "true")
	hs := newHarness(t)
	login = hs.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "admin", "password": "demo123456"})
	if c := login.Header.Get("Set-Cookie"); !strings.Contains(c, "Secure") {
		t.Fatalf("http.secure_cookies on, cookie not Secure: %s", c)
	}
}
