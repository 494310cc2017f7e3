package httpapi_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/aftersales/aftersales/backend/internal/event"
)

// subscribe sends a subscribe message and returns the granted topics.
func subscribe(t *testing.T, c *websocket.Conn, topics ...string) []string {
	t.Helper()
	if err := c.WriteJSON(map[string]any{"type": "subscribe", "topics": topics}); err != nil {
		t.Fatal(err)
	}
	ack := readMsg(t, c)
	if ack["type"] != "subscribed" {
		t.Fatalf("ack: %v", ack)
	}
	var out []string
	for _, v := range ack["topics"].([]any) {
		out = append(out, v.(string))
	}
	return out
}

// drain reads event sequence numbers ("seq") until want have arrived, then
// waits a moment for anything extra.
func drain(t *testing.T, c *websocket.Conn, want int) []int {
	t.Helper()
	var got []int
	deadline := time.Now().Add(5 * time.Second)
	for {
		wait := 300 * time.Millisecond
		if len(got) < want {
			wait = time.Until(deadline)
		}
		_ = c.SetReadDeadline(time.Now().Add(wait))
		var m map[string]any
		if err := c.ReadJSON(&m); err != nil {
			return got
		}
		if m["type"] == "event" {
			got = append(got, int(m["data"].(map[string]any)["seq"].(float64)))
		}
	}
}

// TestWebSocketEventsFollowDataScope: two outlet managers and an agent
// subscribe to every topic they may; 50 events about two outlets (and a few
// about no outlet, and one user's notification) are published on every
// topic; each client receives exactly the events of its scope.
func TestWebSocketEventsFollowDataScope(t *testing.T) {
	h := newHarness(t)
	mgr1 := h.addUser("scope_mgr1", "outlet_manager", 1)
	mgr2 := h.addUser("scope_mgr2", "outlet_manager", 2)
	agent := h.addUser("scope_agent", "hotline_agent", 0)
	tech1 := h.addUser("scope_tech1", "technician", 1)
	all := []string{"tickets", "sla", "quality", "readiness", "admin", "outlet:1", "outlet:2", "outlets", "customers", "sessions"}
	var mgr1ID uint64
	if err := h.app.DB.Table("users").Where("username = ?", "scope_mgr1").Pluck("id", &mgr1ID).Error; err != nil {
		t.Fatal(err)
	}
	clients := map[string]*websocket.Conn{}
	granted := map[string][]string{}
	for name, tok := range map[string]string{"mgr1": mgr1, "mgr2": mgr2, "agent": agent, "tech1": tech1} {
		c := h.dialWS(t, tok)
		topics := append([]string{}, all...)
		if name == "mgr1" {
			topics = append(topics, fmt.Sprintf("user:%d", mgr1ID))
		} else {
			topics = append(topics, fmt.Sprintf("user:%d", mgr1ID)) // someone else's notifications: denied
		}
		clients[name] = c
		granted[name] = subscribe(t, c, topics...)
	}
	sort.Strings(granted["mgr1"])
	if fmt.Sprint(granted["mgr1"]) != fmt.Sprintf("[outlet:1 sla tickets user:%d]", mgr1ID) {
		t.Errorf("mgr1 granted %v", granted["mgr1"])
	}
	if len(granted["tech1"]) != 1 || granted["tech1"][0] != "outlet:1" {
		t.Errorf("technician granted %v", granted["tech1"])
	}

	// 50 events: round-robin over topics and outlets; outlet_id in the forms
	// services use (uint64, *uint64) and the one JSON gives (float64).
	type sent struct {
		seq    int
		topic  string
		outlet uint64 // 0: none
	}
	var events []sent
	topics := []string{"tickets", "sla", "tickets", "outlet:%d"}
	for i := 0; i < 50; i++ {
		outlet := uint64(1 + (i/4)%2) // every topic carries both outlets' events
		topic := topics[i%len(topics)]
		if topic == "outlet:%d" {
			topic = fmt.Sprintf("outlet:%d", outlet)
		}
		data := map[string]any{"seq": i}
		switch i % 3 {
		case 0:
			data["outlet_id"] = outlet
		case 1:
			o := outlet
			data["outlet_id"] = &o
		default:
			data["outlet_id"] = float64(outlet)
		}
		if topic == "tickets" && i%10 == 0 {
			data["outlet_id"], outlet = nil, 0 // not yet dispatched: no outlet's
		}
		events = append(events, sent{seq: i, topic: topic, outlet: outlet})
		h.app.Bus.Publish(context.Background(), event.Event{Topic: topic, Name: "test.event", Data: data})
	}
	// A notification for mgr1 alone, and a revocation (internal topic).
	h.app.Bus.Publish(context.Background(), event.Event{Topic: fmt.Sprintf("user:%d", mgr1ID), Name: "notification.created", Data: map[string]any{"seq": 100}})

	want := map[string][]int{}
	for _, e := range events {
		want["agent"] = append(want["agent"], e.seq)
		if e.outlet == 1 {
			want["mgr1"] = append(want["mgr1"], e.seq)
			if e.topic == "outlet:1" {
				want["tech1"] = append(want["tech1"], e.seq)
			}
		}
		if e.outlet == 2 {
			want["mgr2"] = append(want["mgr2"], e.seq)
		}
	}
	want["mgr1"] = append(want["mgr1"], 100)
	for name, c := range clients {
		got := drain(t, c, len(want[name]))
		sort.Ints(got)
		if fmt.Sprint(got) != fmt.Sprint(want[name]) {
			t.Errorf("%s received %v\nwant %v", name, got, want[name])
		}
		t.Logf("%s received exactly its %d events", name, len(got))
	}
	if len(want["mgr1"]) < 15 || len(want["mgr2"]) < 15 || len(want["tech1"]) < 5 {
		t.Fatalf("the test spreads too little over the outlets: %d, %d, %d", len(want["mgr1"]), len(want["mgr2"]), len(want["tech1"]))
	}
}
