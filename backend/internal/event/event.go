// Package event is the in-process event bus that services publish to after
// their transaction commits. The memory bus serves one instance; the Redis
// bus fans events out to every instance sharing the database, so a client
// connected to server B sees a change made through server A.
package event

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"
)

// Event is a domain fact worth telling live screens and integrations about.
type Event struct {
	Topic string         `json:"topic"` // coarse channel a client subscribes to: readiness, sla, tickets, outlet:<id>, admin
	Name  string         `json:"name"`  // e.g. ticket.created, sla.warning, readiness.band_changed
	Data  map[string]any `json:"data"`
	At    time.Time      `json:"at"`
	// Origin identifies the instance that published it.
	Origin string `json:"origin,omitempty"`
}

// Handler receives events. It must not block for long: the bus calls
// handlers synchronously in publish order.
type Handler func(Event)

// Bus publishes and delivers events. Publish never fails the caller's
// business operation: delivery problems are logged.
type Bus interface {
	Publish(ctx context.Context, e Event)
	// Subscribe registers h for every event; the returned func unsubscribes.
	Subscribe(h Handler) (unsubscribe func())
	Close() error
}

// MemoryBus delivers events within this process.
type MemoryBus struct {
	mu       sync.RWMutex
	next     int
	handlers map[int]Handler
	now      func() time.Time
}

var _ Bus = (*MemoryBus)(nil)

// NewMemoryBus returns an empty in-process bus.
func NewMemoryBus() *MemoryBus {
	return &MemoryBus{handlers: map[int]Handler{}, now: time.Now}
}

// Publish delivers e to every handler.
func (b *MemoryBus) Publish(_ context.Context, e Event) {
	if e.At.IsZero() {
		e.At = b.now().UTC()
	}
	b.deliver(e)
}

func (b *MemoryBus) deliver(e Event) {
	b.mu.RLock()
	hs := make([]Handler, 0, len(b.handlers))
	for _, h := range b.handlers {
		hs = append(hs, h)
	}
	b.mu.RUnlock()
	for _, h := range hs {
		h(e)
	}
}

// Subscribe registers h.
func (b *MemoryBus) Subscribe(h Handler) func() {
	b.mu.Lock()
	defer b.mu.Unlock()
	id := b.next
	b.next++
	b.handlers[id] = h
	return func() {
		b.mu.Lock()
		delete(b.handlers, id)
		b.mu.Unlock()
	}
}

// Close is a no-op for the memory bus.
func (b *MemoryBus) Close() error { return nil }

// Encode is the wire format used by the Redis bus.
func Encode(e Event) ([]byte, error) { return json.Marshal(e) }

// Decode parses the wire format; a malformed message is logged and dropped.
func Decode(b []byte, log *slog.Logger) (Event, bool) {
	var e Event
	if err := json.Unmarshal(b, &e); err != nil {
		if log != nil {
			log.Warn("event: dropping malformed message", "err", err)
		}
		return e, false
	}
	return e, true
}
