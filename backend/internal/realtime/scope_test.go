package realtime_test

import (
	"testing"

	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/realtime"
)

// TestScopeFiltersLiveAndRetainedEvents: an outlet client receives only
// events naming its outlet, on shared topics and in the retained state
// replayed on subscribe; an event without an outlet is not theirs; a user
// topic reaches only its user; a revocation closes only the named sessions.
func TestScopeFiltersLiveAndRetainedEvents(t *testing.T) {
	h := realtime.NewHub(16, "ticket.state")
	h.Publish(event.Event{Topic: "tickets", Name: "ticket.state", Data: map[string]any{"outlet_id": uint64(1)}})
	one := h.RegisterFor(realtime.Identity{Session: "s1", Scope: realtime.Scope{UserID: 7, Outlet: 2, OutletScoped: true}}, nil)
	all := h.RegisterFor(realtime.Identity{Session: "s2", Scope: realtime.Scope{UserID: 8}}, nil)
	h.Subscribe(one, []string{"tickets", "user:7", "user:8"})
	h.Subscribe(all, []string{"tickets", "user:8"})
	if got := len(one.Send()); got != 0 {
		t.Fatalf("outlet 2 got outlet 1's retained state")
	}
	if got := len(all.Send()); got != 1 {
		t.Fatalf("unscoped client: retained %d", got)
	}
	<-all.Send()
	o2 := uint64(2)
	for _, e := range []event.Event{
		{Topic: "tickets", Name: "a", Data: map[string]any{"outlet_id": &o2}},
		{Topic: "tickets", Name: "b", Data: map[string]any{"outlet_id": float64(2)}},
		{Topic: "tickets", Name: "c", Data: map[string]any{"outlet_id": nil}},
		{Topic: "tickets", Name: "d", Data: map[string]any{"outlet_id": uint64(1)}},
		{Topic: "user:7", Name: "e"},
		{Topic: "user:8", Name: "f"},
	} {
		h.Publish(e)
	}
	var names string
	for len(one.Send()) > 0 {
		names += (<-one.Send()).Name
	}
	if names != "abe" {
		t.Fatalf("outlet 2 received %q, want abe", names)
	}
	if n := len(all.Send()); n != 5 { // a b c d and its own f
		t.Fatalf("unscoped client received %d, want 5", n)
	}
	if n := h.Revoke(realtime.Revocation{UserID: 7, Keep: "s1"}); n != 0 {
		t.Fatalf("kept session closed: %d", n)
	}
	if n := h.Revoke(realtime.Revocation{Session: "s1"}); n != 1 || one.CloseReason() != realtime.ReasonSessionRevoked || h.Clients() != 1 {
		t.Fatalf("revoke: %d %q %d", n, one.CloseReason(), h.Clients())
	}
}
