package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/aftersales/aftersales/backend/internal/event"
)

func (h *harness) dialWS(t *testing.T, token string) *websocket.Conn {
	t.Helper()
	url := "ws" + strings.TrimPrefix(h.srv.URL, "http") + "/api/v1/ws"
	hdr := http.Header{}
	if token != "" {
		hdr.Set("Cookie", "aftersales_session="+token)
	}
	c, res, err := websocket.DefaultDialer.Dial(url, hdr)
	if err != nil {
		status := 0
		if res != nil {
			status = res.StatusCode
		}
		t.Fatalf("dial: %v (status %d)", err, status)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func readMsg(t *testing.T, c *websocket.Conn) map[string]any {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(3 * time.Second))
	var m map[string]any
	if err := c.ReadJSON(&m); err != nil {
		t.Fatalf("read: %v", err)
	}
	return m
}

func TestWebSocketTopicsFollowPermissions(t *testing.T) {
	h := newHarness(t)
	// No session: the upgrade is refused with 401.
	url := "ws" + strings.TrimPrefix(h.srv.URL, "http") + "/api/v1/ws"
	if _, res, err := websocket.DefaultDialer.Dial(url, nil); err == nil || res == nil || res.StatusCode != 401 {
		t.Fatalf("anonymous websocket accepted: %v", err)
	}
	c := h.dialWS(t, h.login("agent"))
	if err := c.WriteJSON(map[string]any{"type": "subscribe", "topics": []string{"tickets", "readiness", "admin", "outlet:7"}}); err != nil {
		t.Fatal(err)
	}
	ack := readMsg(t, c)
	if ack["type"] != "subscribed" || len(ack["topics"].([]any)) != 2 || len(ack["denied"].([]any)) != 2 {
		t.Fatalf("ack: %v", ack)
	}
	h.app.Bus.Publish(context.Background(), event.Event{Topic: "readiness", Name: "readiness.score"}) // denied topic: not delivered
	h.app.Bus.Publish(context.Background(), event.Event{Topic: "tickets", Name: "ticket.created", Data: map[string]any{"number": "T1"}})
	m := readMsg(t, c)
	if m["type"] != "event" || m["name"] != "ticket.created" || m["topic"] != "tickets" {
		t.Fatalf("event: %v", m)
	}
	// Garbage gets an error message, not a dropped connection.
	_ = c.WriteMessage(websocket.TextMessage, []byte("hello"))
	if m := readMsg(t, c); m["type"] != "error" {
		t.Fatalf("garbage: %v", m)
	}
}

func TestWebSocketReplaysRetainedReadinessState(t *testing.T) {
	h := newHarness(t)
	h.app.Bus.Publish(context.Background(), event.Event{Topic: "readiness", Name: "readiness.score", Data: map[string]any{"total": 83.5}})
	c := h.dialWS(t, h.login("quality"))
	_ = c.WriteJSON(map[string]any{"type": "subscribe", "topics": []string{"readiness"}})
	got := map[string]map[string]any{}
	for i := 0; i < 2; i++ {
		m := readMsg(t, c)
		got[m["type"].(string)] = m
	}
	if got["event"] == nil || got["event"]["data"].(map[string]any)["total"] != 83.5 {
		t.Fatalf("no replay of the latest score: %v", got)
	}
}
