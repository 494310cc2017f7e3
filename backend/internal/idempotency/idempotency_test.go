package idempotency_test

import (
	"context"
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
