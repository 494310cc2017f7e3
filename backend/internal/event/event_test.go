package event_test

import (
	"context"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"

	"github.com/aftersales/aftersales/backend/internal/event"
)

func TestMemoryBusDeliversAndUnsubscribes(t *testing.T) {
	b := event.NewMemoryBus()
	var got []string
	unsub := b.Subscribe(func(e event.Event) { got = append(got, e.Name) })
	b.Publish(context.Background(), event.Event{Topic: "tickets", Name: "ticket.created"})
	unsub()
	b.Publish(context.Background(), event.Event{Topic: "tickets", Name: "ticket.updated"})
	if len(got) != 1 || got[0] != "ticket.created" {
		t.Fatalf("got %v", got)
	}
}

func TestRedisBusFansOutAcrossInstances(t *testing.T) {
	mr := miniredis.RunT(t)
	a, err := event.NewRedisBus(mr.Addr(), "test.events", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := event.NewRedisBus(mr.Addr(), "test.events", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	got := make(chan event.Event, 2)
	b.Subscribe(func(e event.Event) { got <- e })
	a.Publish(context.Background(), event.Event{Topic: "readiness", Name: "readiness.score_changed", Data: map[string]any{"total": 81.5}})
	select {
	case e := <-got:
		if e.Name != "readiness.score_changed" || e.Data["total"].(float64) != 81.5 {
			t.Fatalf("got %+v", e)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("event from instance A never reached instance B")
	}
}
