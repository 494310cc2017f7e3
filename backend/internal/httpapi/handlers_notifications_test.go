package httpapi_test

import (
	"fmt"
	"testing"

	"github.com/aftersales/aftersales/backend/internal/event"
)

func TestMyNotificationsThroughAPI(t *testing.T) {
	h := newHarness(t)
	agent, quality := h.login("agent"), h.login("quality")
	me := meID(t, h, agent)
	for i := uint64(1); i <= 3; i++ {
		h.app.Bus.Publish(systemCtx(), event.SLAWarning.New(event.TopicSLA, event.SLAAlert{TicketID: i, Number: fmt.Sprintf("T-%d", i),
			Target: "resolution", AssigneeID: &me}))
	}
	h.app.Outbox.Settle(systemCtx())

	r := h.expect(200, "GET", "/api/v1/notifications?size=2", agent, nil)
	body := r.JSON(t)
	items := body["items"].([]any)
	if body["total"].(float64) != 3 || body["unread"].(float64) != 3 || len(items) != 2 {
		t.Fatalf("page: %s", r.Body)
	}
	first := items[0].(map[string]any)
	if first["kind"] != "sla_warning" || first["read"] != false || first["link"] != "/tickets/3" || first["params"].(map[string]any)["number"] != "T-3" {
		t.Fatalf("newest first with its params: %v", first)
	}
	// Another user sees none of them and cannot mark them read.
	if r := h.do("GET", "/api/v1/notifications/unread-count", quality, nil); r.Status != 200 || r.JSON(t)["unread"].(float64) != 0 {
		t.Fatalf("quality's count: %d %s", r.Status, r.Body)
	}
	id := uint64(first["id"].(float64))
	if r := h.do("POST", fmt.Sprintf("/api/v1/notifications/%d/read", id), quality, nil); r.Status != 404 {
		t.Fatalf("someone else's notification: want 404, got %d %s", r.Status, r.Body)
	}
	if r := h.do("POST", fmt.Sprintf("/api/v1/notifications/%d/read", id), agent, nil); r.Status != 200 || r.JSON(t)["read"] != true {
		t.Fatalf("read one: %d %s", r.Status, r.Body)
	}
	if r := h.do("GET", "/api/v1/notifications/unread-count", agent, nil); r.JSON(t)["unread"].(float64) != 2 {
		t.Fatalf("unread after reading one: %s", r.Body)
	}
	if r := h.do("GET", "/api/v1/notifications?unread=true", agent, nil); r.JSON(t)["total"].(float64) != 2 {
		t.Fatalf("unread filter: %s", r.Body)
	}
	if r := h.do("POST", "/api/v1/notifications/read-all", agent, nil); r.Status != 200 || r.JSON(t)["marked"].(float64) != 2 {
		t.Fatalf("read all: %d %s", r.Status, r.Body)
	}
	if r := h.do("GET", "/api/v1/notifications/unread-count", agent, nil); r.JSON(t)["unread"].(float64) != 0 {
		t.Fatalf("unread after read-all: %s", r.Body)
	}
	if r := h.do("GET", "/api/v1/notifications?size=500", agent, nil); r.Status != 400 {
		t.Fatalf("oversized page: want 400, got %d", r.Status)
	}
	if r := h.do("POST", "/api/v1/notifications/abc/read", agent, nil); r.Status != 404 {
		t.Fatalf("bad id: want 404, got %d", r.Status)
	}
}

func TestAnOfferNotifiesTheOutletsPeopleOnly(t *testing.T) {
	h := newHarness(t)
	manager, agent := h.login("outlet_manager"), h.login("agent")
	outlet := uint64(h.do("GET", "/api/v1/me", manager, nil).JSON(t)["outlet_id"].(float64))
	other := outlet + 1
	for _, o := range []uint64{outlet, other} {
		o := o
		w := event.WorkOrder{WorkOrderID: 40 + o, Number: fmt.Sprintf("WO-%d", o), TicketID: 1, OutletID: &o}
		h.app.Bus.Publish(systemCtx(), event.WorkOrderOffered.New(event.TopicTickets, w))
		h.app.Bus.Publish(systemCtx(), event.WorkOrderOffered.New(event.OutletTopic(o), w))
	}
	h.app.Outbox.Settle(systemCtx())
	r := h.do("GET", "/api/v1/notifications", manager, nil).JSON(t)
	items := r["items"].([]any)
	if r["total"].(float64) != 1 || items[0].(map[string]any)["kind"] != "offer_waiting" ||
		items[0].(map[string]any)["link"] != fmt.Sprintf("/outlet/work-orders/%d", 40+outlet) {
		t.Fatalf("the outlet manager should have exactly their outlet's offer: %v", r)
	}
	if n := h.do("GET", "/api/v1/notifications/unread-count", agent, nil).JSON(t)["unread"].(float64); n != 0 {
		t.Fatalf("the hotline agent got %v offer notifications", n)
	}
}
