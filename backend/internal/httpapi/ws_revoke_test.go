package httpapi_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/gorilla/websocket"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/app"
	"github.com/aftersales/aftersales/backend/internal/config"
	"github.com/aftersales/aftersales/backend/internal/demo"
)

// twoInstances starts two servers on one database whose event buses share
// one Redis, as a multi-instance deployment does.
func twoInstances(t *testing.T, sessionCheck string) (*harness, *harness) {
	t.Helper()
	mr := miniredis.RunT(t)
	t.Setenv("AFTERSALES_DB_DSN", filepath.Join(t.TempDir(), "api.db"))
	t.Setenv("AFTERSALES_AUTH_BCRYPT_COST", "4")
	t.Setenv("AFTERSALES_EVENTS_DRIVER", "redis")
	t.Setenv("AFTERSALES_EVENTS_REDIS_ADDR", mr.Addr())
	t.Setenv("AFTERSALES_EVENTS_SESSION_CHECK", sessionCheck)
	var out [2]*harness
	for i := range out {
		t.Setenv("AFTERSALES_STORAGE_DIR", filepath.Join(t.TempDir(), "files")) // uploads never land in the source tree
		cfg, err := config.Load("")
		if err != nil {
			t.Fatal(err)
		}
		cfg.Log.Level = "error"
		a, err := app.New(context.Background(), cfg, app.NewLogger(cfg))
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			ctx := actor.With(context.Background(), actor.System("test"))
			if err := demo.SeedUsers(ctx, demo.Deps{Auth: a.Auth, Password: cfg.Demo.Password, Now: time.Now().UTC()}); err != nil {
				t.Fatal(err)
			}
		}
		srv := httptest.NewServer(a.HTTP.Handler())
		t.Cleanup(func() { srv.Close(); a.Close() })
		out[i] = &harness{t: t, app: a, srv: srv}
	}
	return out[0], out[1]
}

// closedWithin waits for the server to close c and returns the close code
// and how long it took; it fails the test after limit.
func closedWithin(t *testing.T, c *websocket.Conn, limit time.Duration, what string) int {
	t.Helper()
	start := time.Now()
	_ = c.SetReadDeadline(start.Add(limit))
	for {
		_, _, err := c.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			t.Logf("%s: closed with %d after %v", what, ce.Code, time.Since(start).Round(time.Millisecond))
			return ce.Code
		}
		if time.Since(start) >= limit {
			t.Fatalf("%s: socket still open after %v", what, limit)
		}
		t.Logf("%s: closed (%v) after %v", what, err, time.Since(start).Round(time.Millisecond))
		return 0
	}
}

// stillOpen checks that c is still served: a subscribe is acknowledged.
func stillOpen(t *testing.T, c *websocket.Conn, what string) {
	t.Helper()
	if err := c.WriteJSON(map[string]any{"type": "subscribe", "topics": []string{}}); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	_ = c.SetReadDeadline(time.Now().Add(3 * time.Second))
	var m map[string]any
	if err := c.ReadJSON(&m); err != nil || m["type"] != "subscribed" {
		t.Fatalf("%s: not open any more: %v %v", what, m, err)
	}
}

// TestRevokedSessionsCloseSocketsOnEveryInstance: logout, password change,
// role change and disable close the sockets of the revoked sessions on both
// instances within 5 s (the revocation travels over the shared bus), and
// leave other sessions' sockets open.
func TestRevokedSessionsCloseSocketsOnEveryInstance(t *testing.T) {
	a, b := twoInstances(t, "5m") // the fallback re-check must not be what closes them
	admin := a.login("admin")

	// Logout: only that session's sockets, on both instances.
	s1, s2 := a.login("outlet_manager"), a.login("outlet_manager")
	onA, onB, other := a.dialWS(t, s1), b.dialWS(t, s1), b.dialWS(t, s2)
	stillOpen(t, onB, "before logout")
	if r := a.do("POST", "/api/v1/auth/logout", s1, nil); r.Status >= 300 {
		t.Fatalf("logout: %d %s", r.Status, r.Body)
	}
	if code := closedWithin(t, onA, 5*time.Second, "logout, same instance"); code != 4401 {
		t.Errorf("close code %d, want 4401", code)
	}
	closedWithin(t, onB, 5*time.Second, "logout, other instance")
	stillOpen(t, other, "another session of the same user")

	// Password change keeps the changing session and closes the others.
	tech1, tech2 := a.login("technician"), a.login("technician")
	keep, gone := a.dialWS(t, tech1), b.dialWS(t, tech2)
	stillOpen(t, gone, "before password change")
	if r := a.do("POST", "/api/v1/auth/password", tech1, map[string]string{"old_password": "demo123456", "new_password": scopePassword}); r.Status >= 300 {
		t.Fatalf("password change: %d %s", r.Status, r.Body)
	}
	closedWithin(t, gone, 5*time.Second, "password change, other instance")
	stillOpen(t, keep, "the session that changed the password")

	// Role change and disable close every session of the user.
	agentTok := a.login("agent")
	agentWS := b.dialWS(t, agentTok)
	stillOpen(t, agentWS, "before role change")
	var agentID, qualityID uint64
	a.app.DB.Table("users").Where("username = ?", "agent").Pluck("id", &agentID)
	a.app.DB.Table("users").Where("username = ?", "quality").Pluck("id", &qualityID)
	if r := a.do("PUT", "/api/v1/users/"+itoa(agentID)+"/roles", admin, map[string]any{"roles": []string{"quality_manager"}}); r.Status >= 300 {
		t.Fatalf("role change: %d %s", r.Status, r.Body)
	}
	closedWithin(t, agentWS, 5*time.Second, "role change, other instance")

	qWS := b.dialWS(t, a.login("quality"))
	stillOpen(t, qWS, "before disable")
	if r := a.do("POST", "/api/v1/users/"+itoa(qualityID)+"/disable", admin, nil); r.Status >= 300 {
		t.Fatalf("disable: %d %s", r.Status, r.Body)
	}
	closedWithin(t, qWS, 5*time.Second, "disable, other instance")
}

// TestSessionRecheckClosesSocketsWithoutTheBus: a revocation that never
// reaches the instance (written straight to the database, no event) still
// closes the socket at the next periodic re-check.
func TestSessionRecheckClosesSocketsWithoutTheBus(t *testing.T) {
	a, b := twoInstances(t, "1s")
	tok := a.login("outlet_manager")
	c := b.dialWS(t, tok)
	stillOpen(t, c, "before")
	if err := a.app.DB.Exec("UPDATE sessions SET revoked_at = ? WHERE revoked_at IS NULL", time.Now().UTC()).Error; err != nil {
		t.Fatal(err)
	}
	closedWithin(t, c, 5*time.Second, "re-check")
}
