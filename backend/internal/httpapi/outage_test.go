package httpapi_test

import (
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/config"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

// tcpCut forwards a loopback port to target until cut() drops every
// connection and refuses new ones: a database outage as the server sees it.
type tcpCut struct {
	l     net.Listener
	mu    sync.Mutex
	conns []net.Conn
	down  bool
}

func newTCPCut(t *testing.T, target string) *tcpCut {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpCut{l: l}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			if p.down {
				p.mu.Unlock()
				c.Close()
				continue
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				p.mu.Unlock()
				c.Close()
				continue
			}
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(up, c); up.Close() }()
			go func() { _, _ = io.Copy(c, up); c.Close() }()
		}
	}()
	t.Cleanup(func() { l.Close(); p.cut() })
	return p
}

func (p *tcpCut) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// mysqlHarness is the harness on a fresh MariaDB database reached through a
// cuttable TCP proxy; edit adjusts the configuration before start.
func mysqlHarness(t *testing.T, edit func(*config.Config)) (*harness, *tcpCut, *config.Config) {
	t.Helper()
	dsn := os.Getenv("TEST_MYSQL_DSN")
	if dsn == "" {
		if os.Getenv("REQUIRE_MYSQL") == "1" {
			t.Fatal("TEST_MYSQL_DSN required")
		}
		t.Skip("TEST_MYSQL_DSN is not set")
	}
	name, err := testutil.CreateMySQLDatabase(dsn)
	if err != nil {
		t.Fatal(err)
	}
	target := "127.0.0.1:3306"
	if i := strings.Index(dsn, "tcp("); i >= 0 {
		target = dsn[i+4 : i+strings.Index(dsn[i:], ")")]
	}
	proxy := newTCPCut(t, target)
	proxied := strings.Replace(testutil.WithDatabase(dsn, name), target, proxy.l.Addr().String(), 1)
	t.Setenv("AFTERSALES_DB_DRIVER", "mysql")
	t.Setenv("AFTERSALES_DB_DSN", proxied)
	h, cfg := startHarness(t, edit)
	return h, proxy, cfg
}

// During a database outage every request that needs the database gets
// 503 {"error":{"code":"unavailable"}} with Retry-After, never a 500, and
// /readyz reports the outage.
func TestDatabaseOutageIs503WithRetryAfter(t *testing.T) {
	h, proxy, cfg := mysqlHarness(t, nil)
	tok := h.login("agent")
	if r := h.do("GET", "/api/v1/me", tok, nil); r.Status != 200 {
		t.Fatalf("before the outage: %d %s", r.Status, r.Body)
	}

	proxy.cut()
	for _, path := range []string{"/api/v1/me", "/api/v1/tickets", "/api/v1/customers?phone=13800000000"} {
		r := h.do("GET", path, tok, nil)
		if r.Status != 503 || r.errCode(t) != "unavailable" || r.Header.Get("Retry-After") == "" {
			t.Errorf("GET %s during the outage: %d Retry-After=%q %s", path, r.Status, r.Header.Get("Retry-After"), r.Body)
		}
	}
	r := h.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "agent", "password": cfg.Demo.Password})
	if r.Status != 503 || r.Header.Get("Retry-After") == "" {
		t.Errorf("login during the outage: %d %s", r.Status, r.Body)
	}
	if r := h.do("GET", "/readyz", "", nil); r.Status != 503 {
		t.Errorf("readyz during the outage: %d %s", r.Status, r.Body)
	}
}

// A request stuck behind a lock ends at http.request_timeout with a 503 and
// Retry-After, not after InnoDB's lock waits; and while every pooled
// connection is busy /readyz still says ready (the database answers).
func TestRequestDeadlineEndsALockWait(t *testing.T) {
	h, _, _ := mysqlHarness(t, func(c *config.Config) {
		c.HTTP.RequestTimeout = time.Second
		c.DB.MaxOpenConns = 3
	})
	tok := h.login("agent")
	r := h.expect(201, "POST", "/api/v1/customers", tok, map[string]any{"name": "卡住的客户", "kind": "person",
		"phones": []map[string]any{{"number": "13912345678", "primary": true}}})
	id := uint64(r.JSON(t)["customer"].(map[string]any)["id"].(float64))
	// Another transaction holds the customer's row.
	tx := h.app.DB.Begin()
	defer tx.Rollback()
	if err := tx.Exec("SELECT id FROM customers WHERE id = ? FOR UPDATE", id).Error; err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	r = h.do("PATCH", fmt.Sprintf("/api/v1/customers/%d", id), tok, map[string]any{"name": "改名", "version": 1})
	took := time.Since(start)
	if r.Status != 503 || r.errCode(t) != "unavailable" || r.Header.Get("Retry-After") == "" {
		t.Fatalf("write behind a held lock: %d %s", r.Status, r.Body)
	}
	if took > 5*time.Second {
		t.Fatalf("the request waited %s; the deadline is 1s", took)
	}
	// Saturate the pool (3 connections: the held tx and two more).
	var held []*gorm.DB
	for i := 0; i < 2; i++ {
		b := h.app.DB.Begin()
		if b.Error != nil {
			t.Fatal(b.Error)
		}
		held = append(held, b)
	}
	defer func() {
		for _, b := range held {
			b.Rollback()
		}
	}()
	if r := h.do("GET", "/readyz", "", nil); r.Status != 200 {
		t.Fatalf("readyz with a saturated pool: %d %s", r.Status, r.Body)
	}
}
