package idempotency_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/idempotency"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

// TestKeyLifecycle: a key is reserved once per user; while its write runs a
// repeat is told to retry; a kept answer is replayed; a failed write frees
// the key; another route with the key is refused; keys older than the
// retention are forgotten.
func TestKeyLifecycle(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC)
		s := idempotency.New(db, func() time.Time { return now })
		fp := idempotency.Fingerprint("POST", "/api/v1/work-orders/7/complete")

		if _, err := s.Begin(ctx, 1, "bad key with spaces", fp); !apperr.IsKind(err, apperr.KindValidation) {
			t.Fatalf("malformed key: %v", err)
		}
		if kept, err := s.Begin(ctx, 1, "k1", fp); kept != nil || err != nil {
			t.Fatalf("first use: %v %v", kept, err)
		}
		if _, err := s.Begin(ctx, 1, "k1", fp); apperr.As(err).Code != "idempotency_in_progress" {
			t.Fatalf("while running: %v", err)
		}
		if kept, err := s.Begin(ctx, 2, "k1", fp); kept != nil || err != nil {
			t.Fatalf("another user's key space: %v %v", kept, err)
		}
		if err := s.Finish(ctx, 1, "k1", idempotency.Response{Status: 200, ContentType: "application/json", Etag: `"5"`, Body: []byte(`{"id":7}`)}); err != nil {
			t.Fatal(err)
		}
		kept, err := s.Begin(ctx, 1, "k1", fp)
		if err != nil || kept == nil || kept.Status != 200 || string(kept.Body) != `{"id":7}` || kept.Etag != `"5"` {
			t.Fatalf("replay: %+v %v", kept, err)
		}
		if _, err := s.Begin(ctx, 1, "k1", idempotency.Fingerprint("POST", "/api/v1/work-orders/8/complete")); apperr.As(err).Code != "idempotency_key_reused" {
			t.Fatalf("other route: %v", err)
		}
		// A failed write frees its key for a retry.
		if _, err := s.Begin(ctx, 1, "k2", fp); err != nil {
			t.Fatal(err)
		}
		if err := s.Release(ctx, 1, "k2"); err != nil {
			t.Fatal(err)
		}
		if kept, err := s.Begin(ctx, 1, "k2", fp); kept != nil || err != nil {
			t.Fatalf("after release: %v %v", kept, err)
		}
		// Past the retention the kept answer is gone.
		now = now.Add(idempotency.Retention + time.Minute)
		if kept, err := s.Begin(ctx, 1, "k1", fp); kept != nil || err != nil {
			t.Fatalf("after retention: %v %v", kept, err)
		}
	})
}

// Concurrent first uses of one key (a phone replaying its queue while the
// first send is still running): exactly one reserves it, the others are
// told it is in progress — never an internal error. On MariaDB the prune
// of expired keys, a range DELETE run by every Begin, took gap locks that
// deadlocked with the concurrent INSERTs of the same key, and the loser
// answered 500 (TestTechnicianPhone failed about once in eight runs).
func TestConcurrentFirstUsesOfOneKey(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s := idempotency.New(db, nil)
		fp := idempotency.Fingerprint("POST", "/api/v1/work-orders/7/complete")
		for round := 0; round < 30; round++ {
			key := "done-" + strconv.Itoa(round)
			var wg sync.WaitGroup
			errs := make([]error, 6)
			for i := range errs {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					_, errs[i] = s.Begin(ctx, 1, key, fp)
				}(i)
			}
			wg.Wait()
			reserved := 0
			for _, err := range errs {
				switch {
				case err == nil:
					reserved++
				case apperr.As(err).Code == "idempotency_in_progress":
				default:
					t.Fatalf("round %d: %v", round, err)
				}
			}
			if reserved != 1 {
				t.Fatalf("round %d: %d reservations of one key", round, reserved)
			}
		}
	})
}
