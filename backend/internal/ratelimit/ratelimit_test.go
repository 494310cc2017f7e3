package ratelimit_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"

	"github.com/aftersales/aftersales/backend/internal/ratelimit"
)

func TestLocalLimiterAllowsTheBurstThenRefusesUntilRefilled(t *testing.T) {
	now := time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC)
	l := ratelimit.NewLocal(func() time.Time { return now })
	lim := ratelimit.Limit{Name: "lookups", Burst: 3, Period: 30 * time.Second}
	for i := 0; i < 3; i++ {
		if ok, _, _ := l.Allow(context.Background(), lim, "1.2.3.4"); !ok {
			t.Fatalf("call %d refused", i+1)
		}
	}
	ok, wait, _ := l.Allow(context.Background(), lim, "1.2.3.4")
	if ok || wait <= 0 || wait > 10*time.Second {
		t.Fatalf("4th call: ok=%v wait=%v", ok, wait)
	}
	if ok, _, _ := l.Allow(context.Background(), lim, "5.6.7.8"); !ok {
		t.Fatal("another address shares the budget")
	}
	now = now.Add(10 * time.Second)
	if ok, _, _ := l.Allow(context.Background(), lim, "1.2.3.4"); !ok {
		t.Fatal("not refilled after a third of the period")
	}
}

// redisAddr is the real Redis of the machine (TEST_REDIS_ADDR, default
// 127.0.0.1:6379); without one the test runs on miniredis and says so.
func redisAddr(t *testing.T) string {
	addr := os.Getenv("TEST_REDIS_ADDR")
	if addr == "" {
		addr = "127.0.0.1:6379"
	}
	if r, err := ratelimit.NewRedis(addr, "probe:"); err == nil {
		_ = r.Close()
		t.Logf("real Redis at %s", addr)
		return addr
	}
	if os.Getenv("REQUIRE_REDIS") == "1" {
		t.Fatalf("no Redis at %s (REQUIRE_REDIS=1)", addr)
	}
	mr := miniredis.RunT(t)
	t.Logf("no Redis at %s: using miniredis", addr)
	return mr.Addr()
}

// Issue 10 item 19: two instances share one budget through Redis.
func TestTwoInstancesShareOneBudgetThroughRedis(t *testing.T) {
	addr := redisAddr(t)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	prefix := "aftersales-test-" + hex.EncodeToString(b) + ":"
	one, err := ratelimit.NewRedis(addr, prefix)
	if err != nil {
		t.Fatal(err)
	}
	defer one.Close()
	two, err := ratelimit.NewRedis(addr, prefix)
	if err != nil {
		t.Fatal(err)
	}
	defer two.Close()
	lim := ratelimit.Limit{Name: "public.requests", Burst: 5, Period: 10 * time.Minute}
	ctx := context.Background()
	allowed := 0
	for i := 0; i < 10; i++ {
		inst := ratelimit.Limiter(one)
		if i%2 == 1 {
			inst = two
		}
		ok, wait, err := inst.Allow(ctx, lim, "198.51.100.7")
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			allowed++
		} else if wait < time.Second {
			t.Fatalf("refused without a wait: %v", wait)
		}
	}
	if allowed != 5 {
		t.Fatalf("two instances allowed %d calls together, want the shared 5", allowed)
	}
	if ok, _, _ := two.Allow(ctx, lim, "198.51.100.8"); !ok {
		t.Fatal("another address shares the budget")
	}
}
