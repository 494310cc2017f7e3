package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/app"
	"github.com/aftersales/aftersales/backend/internal/config"
	"github.com/aftersales/aftersales/backend/internal/demo"
)

// harness is a real server on a temporary SQLite database with the demo users.
type harness struct {
	t   *testing.T
	app *app.App
	srv *httptest.Server
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	t.Setenv("AFTERSALES_DB_DSN", filepath.Join(t.TempDir(), "api.db"))
	h, _ := startHarness(t, nil)
	return h
}

// onBothDatabases runs scenario on a fresh SQLite harness and on a MariaDB
// one (mysqlHarness: skipped without TEST_MYSQL_DSN, failed with
// REQUIRE_MYSQL=1).
func onBothDatabases(t *testing.T, scenario func(t *testing.T, h *harness)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { scenario(t, newHarness(t)) })
	t.Run("mysql", func(t *testing.T) {
		h, _, _ := mysqlHarness(t, nil)
		scenario(t, h)
	})
}

// startHarness starts the app on the database the environment names, with
// cheap bcrypt, uploads in a temp dir and the demo users; edit adjusts the
// configuration before start.
func startHarness(t *testing.T, edit func(*config.Config)) (*harness, *config.Config) {
	t.Helper()
	t.Setenv("AFTERSALES_AUTH_BCRYPT_COST", "4")
	t.Setenv("AFTERSALES_STORAGE_DIR", filepath.Join(t.TempDir(), "files")) // uploads never land in the source tree
	cfg, err := config.Load("")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Log.Level = "error"
	if edit != nil {
		edit(cfg)
	}
	a, err := app.New(context.Background(), cfg, app.NewLogger(cfg))
	if err != nil {
		t.Fatal(err)
	}
	ctx := actor.With(context.Background(), actor.System("test"))
	if err := demo.SeedUsers(ctx, demo.Deps{Auth: a.Auth, Password: cfg.Demo.Password, Now: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.HTTP.Handler())
	t.Cleanup(func() { srv.Close(); a.Close() })
	return &harness{t: t, app: a, srv: srv}, cfg
}

// expect sends the request as do does and fails the test unless it answers
// status.
func (h *harness) expect(status int, method, path, token string, body any, headers ...string) response {
	h.t.Helper()
	r := h.do(method, path, token, body, headers...)
	if r.Status != status {
		h.t.Fatalf("%s %s: %d %s, want %d", method, path, r.Status, r.Body, status)
	}
	return r
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) JSON(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("body is not JSON: %q", r.Body)
	}
	return m
}

// errCode returns error.code of an error response.
func (r response) errCode(t *testing.T) string {
	t.Helper()
	e, _ := r.JSON(t)["error"].(map[string]any)
	if e == nil {
		t.Fatalf("no error object in %s", r.Body)
	}
	if _, ok := e["message"].(string); !ok {
		t.Fatalf("error without message: %s", r.Body)
	}
	code, _ := e["code"].(string)
	return code
}

func (h *harness) do(method, path, token string, body any, headers ...string) response {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	default:
		buf, _ := json.Marshal(b)
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, h.srv.URL+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, b := h.roundTrip(req)
	h.checkContract(req, res, b)
	return response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// uploadWith posts a multipart form: fields, then the file in "file".
func (h *harness) uploadWith(path, token string, fields map[string]string, filename string, content []byte, headers ...string) response {
	h.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	if filename != "" {
		fw, _ := w.CreateFormFile("file", filename)
		_, _ = fw.Write(content)
	}
	_ = w.Close()
	req, _ := http.NewRequest("POST", h.srv.URL+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return h.send(req)
}

// roundTrip sends req and reads the whole answer; a failed request fails the test.
func (h *harness) roundTrip(req *http.Request) (*http.Response, []byte) {
	h.t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

// send is do without the contract check, for requests the document does not
// describe as they are sent (multipart uploads, cookie sessions).
func (h *harness) send(req *http.Request) response {
	h.t.Helper()
	res, b := h.roundTrip(req)
	return response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// login returns a fresh session token for a demo user.
func (h *harness) login(username string) string {
	h.t.Helper()
	r := h.do("POST", "/api/v1/auth/login", "", map[string]string{"username": username, "password": "demo123456"})
	if r.Status != 200 {
		h.t.Fatalf("login %s: %d %s", username, r.Status, r.Body)
	}
	return r.JSON(h.t)["token"].(string)
}
