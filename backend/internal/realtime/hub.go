// Package realtime fans events out to WebSocket clients. Each client has a
// bounded send queue; a client that cannot keep up is dropped rather than
// allowed to block the publisher or other clients. The hub keeps the last
// event per (topic, name) marked Retained so a client that (re)connects first
// receives the latest state. Every event is checked against the client's
// data scope (Scope) before it is queued, and a client is closed when its
// session is revoked (sessions.go).
package realtime

import (
	"sync"
	"sync/atomic"

	"github.com/aftersales/aftersales/backend/internal/event"
)

// Client is one connection's outbound side.
type Client struct {
	ID     uint64
	send   chan event.Event
	topics map[string]bool
	mu     sync.RWMutex
	closed atomic.Bool
	// OnDrop is called once when the hub drops the client.
	onDrop func()
	// scope filters every event; session is the SHA-256 of the client's
	// session token (empty for clients without one, e.g. in tests).
	scope   Scope
	session string
	reason  atomic.Value // string: why the hub closed the client
}

// Identity says who a client is: the user and session behind the socket and
// the data scope that filters its events.
type Identity struct {
	Session string
	Scope   Scope
}

// CloseReason says why the hub closed the client ("" when it was not closed
// by the hub, "slow" when dropped, "session_revoked" on revocation).
func (c *Client) CloseReason() string {
	r, _ := c.reason.Load().(string)
	return r
}

// Send returns the channel the connection writer drains.
func (c *Client) Send() <-chan event.Event { return c.send }

func (c *Client) subscribed(topic string) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.topics[topic]
}

// Hub routes events to subscribed clients.
type Hub struct {
	mu       sync.RWMutex
	clients  map[uint64]*Client
	nextID   atomic.Uint64
	queue    int
	retained sync.Map // topic+"\x00"+name → event.Event
	dropped  atomic.Uint64
	// RetainedNames lists event names whose last value is replayed on subscribe.
	retainNames map[string]bool
}

// NewHub returns a hub whose clients buffer up to queue events.
func NewHub(queue int, retainNames ...string) *Hub {
	if queue <= 0 {
		queue = 64
	}
	rn := map[string]bool{}
	for _, n := range retainNames {
		rn[n] = true
	}
	return &Hub{clients: map[uint64]*Client{}, queue: queue, retainNames: rn}
}

// Register adds an unscoped client without a session; onDrop is called if
// the hub drops it.
func (h *Hub) Register(onDrop func()) *Client { return h.RegisterFor(Identity{}, onDrop) }

// RegisterFor adds a client of a user's session whose events are filtered by
// id.Scope; onDrop is called if the hub drops it (slow, or session revoked).
func (h *Hub) RegisterFor(id Identity, onDrop func()) *Client {
	c := &Client{ID: h.nextID.Add(1), send: make(chan event.Event, h.queue), topics: map[string]bool{}, onDrop: onDrop,
		scope: id.Scope, session: id.Session}
	h.mu.Lock()
	h.clients[c.ID] = c
	h.mu.Unlock()
	return c
}

// Unregister removes a client and closes its queue.
func (h *Hub) Unregister(c *Client) { h.remove(c) }

// remove takes c out of the hub and closes its queue; it reports whether
// this call removed it (false when it was already gone).
func (h *Hub) remove(c *Client) bool {
	h.mu.Lock()
	_, ok := h.clients[c.ID]
	delete(h.clients, c.ID)
	h.mu.Unlock()
	if ok && c.closed.CompareAndSwap(false, true) {
		close(c.send)
	}
	return ok
}

// Subscribe adds topics to a client and replays the retained state of those
// topics into its queue.
func (h *Hub) Subscribe(c *Client, topics []string) {
	c.mu.Lock()
	for _, t := range topics {
		c.topics[t] = true
	}
	c.mu.Unlock()
	h.retained.Range(func(_, v any) bool {
		e := v.(event.Event)
		for _, t := range topics {
			if e.Topic == t && c.scope.Allows(e) {
				h.offer(c, e)
			}
		}
		return true
	})
}

// Retain stores e as the latest state for its topic and name without
// broadcasting it (used at start-up to load state from the database).
func (h *Hub) Retain(e event.Event) { h.retained.Store(e.Topic+"\x00"+e.Name, e) }

// Publish delivers e to every subscribed client; slow ones are dropped.
func (h *Hub) Publish(e event.Event) {
	if h.retainNames[e.Name] {
		h.Retain(e)
	}
	h.mu.RLock()
	targets := make([]*Client, 0, len(h.clients))
	for _, c := range h.clients {
		if c.subscribed(e.Topic) && c.scope.Allows(e) {
			targets = append(targets, c)
		}
	}
	h.mu.RUnlock()
	for _, c := range targets {
		h.offer(c, e)
	}
}

func (h *Hub) offer(c *Client, e event.Event) {
	if c.closed.Load() {
		return
	}
	select {
	case c.send <- e:
	default:
		h.dropped.Add(1)
		h.drop(c, "slow")
	}
}

// drop unregisters c, noting why, and calls its onDrop once.
func (h *Hub) drop(c *Client, reason string) {
	// Only the call that removes c notes its reason and calls onDrop: a
	// slow drop racing a revocation cannot call onDrop twice or overwrite
	// the reason onDrop reads.
	if !h.remove(c) {
		return
	}
	c.reason.Store(reason)
	if c.onDrop != nil {
		c.onDrop()
	}
}

// Clients returns the number of connected clients.
func (h *Hub) Clients() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.clients)
}

// Dropped returns how many clients were dropped as slow.
func (h *Hub) Dropped() uint64 { return h.dropped.Load() }
