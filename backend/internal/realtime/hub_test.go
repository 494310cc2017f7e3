package realtime_test

import (
	"testing"

	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/realtime"
)

func TestSlowClientIsDroppedWithoutBlocking(t *testing.T) {
	h := realtime.NewHub(2)
	dropped := false
	slow := h.Register(func() { dropped = true })
	fast := h.Register(nil)
	h.Subscribe(slow, []string{"sla"})
	h.Subscribe(fast, []string{"sla"})
	for i := 0; i < 3; i++ {
		h.Publish(event.Event{Topic: "sla", Name: "sla.warning"})
		<-fast.Send() // the fast client drains
	}
	if !dropped || h.Clients() != 1 || h.Dropped() != 1 {
		t.Fatalf("dropped=%v clients=%d", dropped, h.Clients())
	}
}

func TestTopicsAreIsolatedAndRetainedStateReplays(t *testing.T) {
	h := realtime.NewHub(8, "readiness.score")
	h.Publish(event.Event{Topic: "readiness", Name: "readiness.score", Data: map[string]any{"total": 82.0}})
	c := h.Register(nil)
	h.Subscribe(c, []string{"readiness"})
	select {
	case e := <-c.Send():
		if e.Data["total"] != 82.0 {
			t.Fatalf("replayed %+v", e)
		}
	default:
		t.Fatal("no retained state on subscribe")
	}
	h.Publish(event.Event{Topic: "tickets", Name: "ticket.created"})
	select {
	case e := <-c.Send():
		t.Fatalf("received event of an unsubscribed topic: %+v", e)
	default:
	}
}
