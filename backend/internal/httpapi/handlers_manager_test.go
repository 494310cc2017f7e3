package httpapi_test

import (
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	webpush "github.com/SherClockHolmes/webpush-go"

	"github.com/aftersales/aftersales/backend/internal/config"
)

// The outlet manager's phone (issue 16): offers waiting with the area and
// the fault, reject with a reason from the list, the 50% and 80% reminders
// in the inbox once each, and the browser's push subscription. On both
// databases.
func TestOutletManagerPhone(t *testing.T) {
	priv, pub, err := webpush.GenerateVAPIDKeys()
	if err != nil {
		t.Fatal(err)
	}
	keys := func(c *config.Config) {
		c.Push.VAPIDPublicKey, c.Push.VAPIDPrivateKey = pub, priv
	}
	t.Run("sqlite", func(t *testing.T) {
		t.Setenv("AFTERSALES_DB_DSN", filepath.Join(t.TempDir(), "api.db"))
		h, _ := startHarness(t, keys)
		managerPhone(t, h, pub)
	})
	t.Run("mysql", func(t *testing.T) {
		h, _, _ := mysqlHarness(t, keys)
		managerPhone(t, h, pub)
	})
}

func managerPhone(t *testing.T, h *harness, vapidPublic string) {
	w := buildWorld(t, h)
	agent, om, tech := h.login("agent"), h.login("outlet_manager"), h.login("technician")
	dispatch := func(fault string) uint64 {
		r := h.do("POST", "/api/v1/tickets", agent, map[string]any{"channel": "phone", "type": "repair", "customer_id": w.customerID,
			"unit_id": w.unitID, "fault_code": fault, "description": "空调不制冷"})
		if r.Status != 201 {
			t.Fatalf("create %d %s", r.Status, r.Body)
		}
		r = h.do("POST", fmt.Sprintf("/api/v1/tickets/%d/dispatch", num(t, r.JSON(t)["id"])), agent, map[string]any{"kind": "repair"})
		if r.Status != 201 {
			t.Fatalf("dispatch %d %s", r.Status, r.Body)
		}
		return num(t, r.JSON(t)["id"])
	}
	first := dispatch("E1")

	r := h.do("GET", "/api/v1/mobile/offers", om, nil)
	items, _ := r.JSON(t)["items"].([]any)
	if r.Status != 200 || len(items) != 1 {
		t.Fatalf("offers: %d %s", r.Status, r.Body)
	}
	o := items[0].(map[string]any)
	if o["fault_code"] != "E1" || o["total_seconds"].(float64) < 1800 || o["seconds_left"].(float64) <= 0 || o["seconds_left"].(float64) > o["total_seconds"].(float64) || o["area_name"] == "" ||
		o["area_code"] == "" || o["ticket_number"] == "" || num(t, o["work_order"].(map[string]any)["id"]) != first {
		t.Fatalf("offer card: %v", o)
	}
	if strings.Contains(string(r.Body), "phone") || strings.Contains(string(r.Body), "address\"") {
		t.Fatalf("the offer card carries personal data: %s", r.Body)
	}
	if r := h.do("GET", "/api/v1/mobile/offers", agent, nil); r.Status != 200 || len(r.JSON(t)["items"].([]any)) != 0 {
		t.Fatalf("a user without an outlet: %d %s", r.Status, r.Body)
	}
	r = h.do("GET", "/api/v1/mobile/reject-reasons", om, nil)
	if reasons, _ := r.JSON(t)["items"].([]any); r.Status != 200 || len(reasons) < 4 || reasons[0].(map[string]any)["code"] == "" {
		t.Fatalf("reasons: %d %s", r.Status, r.Body)
	}

	// The reminders at 50% and 80%: each once, however often the job runs.
	wo, err := h.app.WorkOrders.Get(systemCtx(), first)
	if err != nil {
		t.Fatal(err)
	}
	at := func(pct int) time.Time {
		return wo.OfferedAt.Add(wo.OfferExpiresAt.Sub(*wo.OfferedAt) * time.Duration(pct) / 100)
	}
	for _, pct := range []int{55, 60, 85, 90} {
		for range 2 {
			if _, err := h.app.WorkOrders.RemindOffersAsOf(systemCtx(), at(pct)); err != nil {
				t.Fatal(err)
			}
		}
	}
	h.app.Outbox.Settle(systemCtx())
	r = h.do("GET", "/api/v1/notifications?size=50", om, nil)
	var percents []float64
	for _, it := range r.JSON(t)["items"].([]any) {
		n := it.(map[string]any)
		if n["kind"] == "offer_expiring" {
			percents = append(percents, n["params"].(map[string]any)["percent"].(float64))
		}
	}
	if len(percents) != 2 || percents[0] != 80 || percents[1] != 50 {
		t.Fatalf("offer_expiring notifications %v, want one at 80%% and one at 50%%: %s", percents, r.Body)
	}
	if r := h.do("GET", "/api/v1/notifications", agent, nil); strings.Contains(string(r.Body), "offer_expiring") {
		t.Fatal("the agent was told of the outlet's offer")
	}

	// Reject with a reason from the list plus free text.
	path := fmt.Sprintf("/api/v1/work-orders/%d/reject", first)
	if r := h.do("POST", path, om, map[string]any{"reason_code": "bogus"}); r.Status != 422 {
		t.Fatalf("unknown reason code: %d %s", r.Status, r.Body)
	}
	if r := h.do("POST", path, om, map[string]any{"reason_code": "other"}); r.Status != 422 {
		t.Fatalf("other without text: %d %s", r.Status, r.Body)
	}
	if r := h.do("POST", path, tech, map[string]any{"reason_code": "no_technician"}); r.Status != 403 {
		t.Fatalf("a technician rejects: %d %s", r.Status, r.Body)
	}
	if r := h.do("POST", path, om, map[string]any{"reason_code": "no_technician", "reason": "今天全员外出"}); r.Status != 200 {
		t.Fatalf("reject: %d %s", r.Status, r.Body)
	}
	if r := h.do("POST", path, om, map[string]any{"reason_code": "no_technician"}); r.Status != 404 && r.Status != 409 {
		t.Fatalf("reject twice: %d %s", r.Status, r.Body)
	}
	r = h.do("GET", fmt.Sprintf("/api/v1/work-orders/%d", first), agent, nil)
	if !strings.Contains(string(r.Body), `"reason":"no_technician: 今天全员外出"`) {
		t.Fatalf("the stored reason: %s", r.Body)
	}
	// A second offer is accepted from the phone.
	second := dispatch("E2")
	if r := h.do("POST", fmt.Sprintf("/api/v1/work-orders/%d/accept", second), om, nil); r.Status != 200 {
		t.Fatalf("accept: %d %s", r.Status, r.Body)
	}
	if r := h.do("GET", "/api/v1/mobile/offers", om, nil); len(r.JSON(t)["items"].([]any)) != 0 {
		t.Fatalf("an accepted offer still waits: %s", r.Body)
	}

	// Push: the key, subscribe (https only), another user cannot remove it.
	r = h.do("GET", "/api/v1/push", om, nil)
	if r.Status != 200 || r.JSON(t)["enabled"] != true || r.JSON(t)["public_key"] != vapidPublic {
		t.Fatalf("push config: %d %s", r.Status, r.Body)
	}
	k, _ := ecdh.P256().GenerateKey(rand.Reader)
	secret := make([]byte, 16)
	_, _ = rand.Read(secret)
	sub := map[string]any{"endpoint": "https://push.example.com/send/abc", "keys": map[string]any{
		"p256dh": base64.RawURLEncoding.EncodeToString(k.PublicKey().Bytes()), "auth": base64.RawURLEncoding.EncodeToString(secret)}}
	bad := map[string]any{"endpoint": "http://127.0.0.1:3306/", "keys": sub["keys"]}
	if r := h.do("POST", "/api/v1/push/subscriptions", om, bad); r.Status != 422 {
		t.Fatalf("an http endpoint: %d %s", r.Status, r.Body)
	}
	if r := h.do("POST", "/api/v1/push/subscriptions", om, sub); r.Status != 201 || r.JSON(t)["subscriptions"].(float64) != 1 {
		t.Fatalf("subscribe: %d %s", r.Status, r.Body)
	}
	if r := h.do("POST", "/api/v1/push/unsubscribe", agent, map[string]any{"endpoint": sub["endpoint"]}); r.Status != 404 {
		t.Fatalf("another user's unsubscribe: %d %s", r.Status, r.Body)
	}
	if r := h.do("POST", "/api/v1/push/unsubscribe", om, map[string]any{"endpoint": sub["endpoint"]}); r.Status != 200 || r.JSON(t)["subscriptions"].(float64) != 0 {
		t.Fatalf("unsubscribe: %d %s", r.Status, r.Body)
	}
}
