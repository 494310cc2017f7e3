package app

import (
	"context"

	"github.com/aftersales/aftersales/backend/internal/auth"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/realtime"
)

// wireLiveSessions closes the WebSockets of revoked sessions: at once when a
// revocation reaches this instance over the event bus (Redis when several
// instances run), and on a periodic re-check of the open sockets' sessions
// against the database as the fallback (events.session_check).
func (a *App) wireLiveSessions() {
	a.Bus.Subscribe(func(e event.Event) {
		if r, ok := auth.RevokedFrom(e); ok {
			a.Hub.Revoke(realtime.Revocation{UserID: r.UserID, Session: r.Session, Keep: r.Keep})
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	a.stopLive = cancel
	go a.Hub.RunSessionCheck(ctx, a.Cfg.Events.SessionCheck, a.Auth.LiveSessions, a.Log)
}
