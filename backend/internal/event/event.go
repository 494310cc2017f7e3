// Package event is the event bus. Services record an event inside the
// transaction that makes the change (Bus.Enqueue); the app wires the
// transactional outbox (package outbox) as the services' Bus, so the event
// is stored with the change and relayed after commit. The memory bus serves
// one instance; the Redis bus fans events out to every instance sharing the
// database, so a client connected to server B sees a change made through
// server A. Event names and payloads are typed (types.go).
package event

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"gorm.io/gorm"
)

// Event is a domain fact worth telling live screens and integrations about.
type Event struct {
	// ID is the outbox row id once the event was recorded transactionally
	// (0 for an event published directly). Consumers key idempotency on it.
	ID    uint64         `json:"id,omitempty"`
	Topic string         `json:"topic"` // coarse channel a client subscribes to: readiness, sla, tickets, outlet:<id>, admin
	Name  string         `json:"name"`  // e.g. ticket.created, sla.warning, readiness.band_changed
	Data  map[string]any `json:"data"`
	At    time.Time      `json:"at"`
	// Origin identifies the instance that published it.
	Origin string `json:"origin,omitempty"`
	// payload is the typed value Data was built from (see Type.New); it
	// survives only in process, so Type.Of falls back to decoding Data.
	payload any
}

// Handler receives events. It must not block for long: the bus calls
// handlers synchronously in publish order.
type Handler func(Event)

// Bus publishes and delivers events. Publish never fails the caller's
// business operation: delivery problems are logged.
type Bus interface {
	Publish(ctx context.Context, e Event)
	// Enqueue records events as part of tx: the outbox stores them with the
	// change and relays them after commit, so a crash cannot lose them. The
	// plain buses (a domain's own tests) deliver them at once.
	Enqueue(tx *gorm.DB, events ...Event) error
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

// Enqueue delivers events at once: the memory bus has no outbox (it is the
// bus of a domain's own tests, and the inner bus the outbox relays to).
func (b *MemoryBus) Enqueue(_ *gorm.DB, events ...Event) error {
	for _, e := range events {
		b.Publish(context.Background(), e)
	}
	return nil
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

// Discard is a Bus that drops everything: the default of a service built
// without one, so services never check for a nil bus.
var Discard Bus = discard{}

type discard struct{}

func (discard) Publish(context.Context, Event)   {}
func (discard) Enqueue(*gorm.DB, ...Event) error { return nil }
func (discard) Subscribe(Handler) func()         { return func() {} }
func (discard) Close() error                     { return nil }
