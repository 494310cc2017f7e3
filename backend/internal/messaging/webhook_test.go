package messaging_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/messaging"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

const hookSecret = "whsec-0123456789abcdef"

// gateway is an enterprise's gateway as docs/messages.md tells it to be
// built: it recomputes the signature over "<timestamp>.<body>" with the
// shared secret and refuses a bad one (401) or a stale timestamp; fail
// decides which accepted deliveries it answers 503.
type gateway struct {
	mu       sync.Mutex
	now      func() time.Time
	fail     func(attempt int) bool
	attempts int
	accepted []messaging.WebhookPayload
	refused  []string
}

func (gw *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	gw.mu.Lock()
	defer gw.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	ts, err := strconv.ParseInt(r.Header.Get("X-Aftersales-Timestamp"), 10, 64)
	if err != nil || gw.now().Sub(time.Unix(ts, 0)).Abs() > 5*time.Minute {
		gw.refused = append(gw.refused, "stale timestamp "+r.Header.Get("X-Aftersales-Timestamp"))
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	mac := hmac.New(sha256.New, []byte(hookSecret))
	mac.Write([]byte(strconv.FormatInt(ts, 10) + "."))
	mac.Write(body)
	want := "v1=" + hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(r.Header.Get("X-Aftersales-Signature")), []byte(want)) {
		gw.refused = append(gw.refused, "bad signature "+r.Header.Get("X-Aftersales-Signature"))
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	gw.attempts++
	if gw.fail != nil && gw.fail(gw.attempts) {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	var p messaging.WebhookPayload
	_ = json.Unmarshal(body, &p)
	if r.Header.Get("X-Aftersales-Event") != "message."+p.Trigger || r.Header.Get("X-Aftersales-Delivery") != strconv.FormatUint(p.DeliveryID, 10) {
		gw.refused = append(gw.refused, "headers "+r.Header.Get("X-Aftersales-Event"))
	}
	gw.accepted = append(gw.accepted, p)
	w.WriteHeader(http.StatusNoContent)
}

// Each message is posted signed; a gateway failing twice gets it on the
// third attempt after 30 s and 60 s of backoff; one failing always
// dead-letters it after webhook_max_attempts, visible and re-drivable.
func TestWebhookSignedRetriedAndDeadLettered(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		ctx := context.Background()
		c := testutil.NewClock(local(2026, 3, 5, 10, 0))
		gw := &gateway{now: c.Now, fail: func(n int) bool { return n <= 2 }}
		srv := httptest.NewServer(gw)
		defer srv.Close()
		s := newService(t, g, c, func(o *messaging.Options) {
			o.Webhook = messaging.Webhook{URL: srv.URL + "/hooks/sms", Secret: hookSecret, MaxAttempts: 4, Backoff: 30 * time.Second}
		})
		m := queue(t, g, s, messaging.Draft{Trigger: messaging.TriggerComplaintAcknowledged, CustomerID: 1, DedupeKey: "a",
			Params: map[string]string{"number": "C1"}})
		step := func(at time.Time) messaging.Delivery {
			t.Helper()
			c.Set(at)
			if _, err := s.DeliverWebhooks(ctx); err != nil {
				t.Fatal(err)
			}
			ds, _, err := s.Deliveries(ctx, "", 1, 10)
			if err != nil || len(ds) == 0 {
				t.Fatalf("deliveries %v %v", ds, err)
			}
			return ds[0]
		}
		d := step(local(2026, 3, 5, 10, 0))
		if d.Status != messaging.DeliveryPending || d.Attempts != 1 || d.LastStatus != 503 || !d.NextAttemptAt.Equal(local(2026, 3, 5, 10, 0).Add(30*time.Second)) {
			t.Fatalf("after the first failure: %+v", d)
		}
		if d = step(local(2026, 3, 5, 10, 0).Add(29 * time.Second)); d.Attempts != 1 {
			t.Fatalf("retried before its backoff: %+v", d)
		}
		d = step(local(2026, 3, 5, 10, 0).Add(30 * time.Second))
		if d.Attempts != 2 || !d.NextAttemptAt.Equal(local(2026, 3, 5, 10, 0).Add(90*time.Second)) {
			t.Fatalf("after the second failure (backoff doubles to 60 s): %+v", d)
		}
		d = step(local(2026, 3, 5, 10, 0).Add(90 * time.Second))
		if d.Status != messaging.DeliveryDelivered || d.Attempts != 3 || d.DeliveredAt == nil {
			t.Fatalf("third attempt: %+v", d)
		}
		if len(gw.accepted) != 1 || gw.accepted[0].MessageID != m.ID || gw.accepted[0].Body != m.Body || gw.accepted[0].Phone != "13800138000" ||
			gw.accepted[0].Params["number"] != "C1" {
			t.Errorf("accepted %+v", gw.accepted)
		}

		// A gateway that is always down: dead after 4 attempts.
		gw.mu.Lock()
		gw.fail = func(int) bool { return true }
		gw.mu.Unlock()
		c.Set(local(2026, 3, 5, 11, 0))
		m2 := queue(t, g, s, messaging.Draft{Trigger: messaging.TriggerComplaintAcknowledged, CustomerID: 1, DedupeKey: "b"})
		at := local(2026, 3, 5, 11, 0)
		for i := 0; i < 4; i++ {
			d = step(at)
			at = d.NextAttemptAt
		}
		if d.MessageID != m2.ID || d.Status != messaging.DeliveryDead || d.Attempts != 4 || d.DeadAt == nil {
			t.Fatalf("after 4 failures: %+v", d)
		}
		dead, total, err := s.Deliveries(ctx, messaging.DeliveryDead, 1, 10)
		if err != nil || total != 1 || dead[0].ID != d.ID {
			t.Fatalf("dead letters %v %d %v", dead, total, err)
		}
		if d = step(at.Add(time.Hour)); d.Attempts != 4 {
			t.Fatal("a dead delivery was retried")
		}
		// Re-driven once the gateway is back, it is delivered.
		if _, err := s.Redrive(ctx, dead[0].MessageID+1000); !apperr.IsKind(err, apperr.KindNotFound) {
			t.Errorf("redrive unknown: %v", err)
		}
		gw.mu.Lock()
		gw.fail = nil
		gw.mu.Unlock()
		r, err := s.Redrive(ctx, d.ID)
		if err != nil || r.Status != messaging.DeliveryPending || r.Attempts != 0 {
			t.Fatalf("redrive: %+v %v", r, err)
		}
		if _, err := s.Redrive(ctx, d.ID); apperr.As(err).Code != "not_dead" {
			t.Errorf("second redrive: %v", err)
		}
		if d = step(c.Now()); d.Status != messaging.DeliveryDelivered {
			t.Errorf("re-driven: %+v", d)
		}
		if len(gw.refused) != 0 {
			t.Errorf("the gateway refused: %v", gw.refused)
		}
		// A wrong secret is refused by the gateway (the check can fail).
		body := []byte(`{"message_id":1}`)
		if messaging.Sign("another secret", 1, body) == messaging.Sign(hookSecret, 1, body) {
			t.Error("the signature does not depend on the secret")
		}
	})
}
