package realtime

import (
	"context"
	"log/slog"
	"time"
)

// ReasonSessionRevoked is the CloseReason of a client whose session ended.
const ReasonSessionRevoked = "session_revoked"

// Revocation names the sessions that ended: one session (Session set, as on
// logout), or every session of a user except Keep (password change, role
// change, disable).
type Revocation struct {
	UserID  uint64
	Session string
	Keep    string
}

func (r Revocation) matches(c *Client) bool {
	if c.session == "" {
		return false
	}
	if r.Session != "" {
		return c.session == r.Session
	}
	return r.UserID != 0 && c.scope.UserID == r.UserID && c.session != r.Keep
}

// Revoke closes the clients of the revoked sessions and returns how many.
// Every instance calls it when the revocation reaches it over the event bus.
func (h *Hub) Revoke(r Revocation) int {
	return h.closeWhere(r.matches)
}

func (h *Hub) closeWhere(match func(*Client) bool) int {
	h.mu.RLock()
	var hit []*Client
	for _, c := range h.clients {
		if match(c) {
			hit = append(hit, c)
		}
	}
	h.mu.RUnlock()
	for _, c := range hit {
		h.drop(c, ReasonSessionRevoked)
	}
	return len(hit)
}

// Sessions returns the distinct sessions with an open client.
func (h *Hub) Sessions() []string {
	h.mu.RLock()
	defer h.mu.RUnlock()
	seen := map[string]bool{}
	out := []string{}
	for _, c := range h.clients {
		if c.session != "" && !seen[c.session] {
			seen[c.session] = true
			out = append(out, c.session)
		}
	}
	return out
}

// LiveSessions reports which of the given sessions are still valid (not
// revoked, not expired, their user active).
type LiveSessions func(ctx context.Context, sessions []string) (map[string]bool, error)

// CheckSessions closes the clients whose session live no longer reports,
// and returns how many. It is the fallback for a revocation message that
// did not arrive (a Redis outage, an instance that was restarting).
func (h *Hub) CheckSessions(ctx context.Context, live LiveSessions) (int, error) {
	sessions := h.Sessions()
	if len(sessions) == 0 {
		return 0, nil
	}
	ok, err := live(ctx, sessions)
	if err != nil {
		return 0, err
	}
	return h.closeWhere(func(c *Client) bool { return c.session != "" && !ok[c.session] }), nil
}

// RunSessionCheck calls CheckSessions every interval until ctx ends.
func (h *Hub) RunSessionCheck(ctx context.Context, interval time.Duration, live LiveSessions, log *slog.Logger) {
	if interval <= 0 {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := h.CheckSessions(ctx, live); err != nil && ctx.Err() == nil && log != nil {
				log.Warn("realtime: session re-check failed", "err", err)
			} else if n > 0 && log != nil {
				log.Info("realtime: closed sockets of ended sessions", "clients", n)
			}
		}
	}
}
