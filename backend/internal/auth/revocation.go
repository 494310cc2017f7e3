package auth

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/event"
)

// Revocation events tell every instance that sessions ended, so each closes
// the live channels (WebSockets) of those sessions. Topic TopicSessions is
// internal: no client may subscribe to it.
const (
	TopicSessions        = "sessions"
	EventSessionsRevoked = "auth.sessions_revoked"
)

// RevokedSessions is the payload of EventSessionsRevoked: one session
// (Session, the SHA-256 of its token), or every session of UserID except Keep.
type RevokedSessions struct {
	UserID  uint64
	Session string
	Keep    string
}

// RevokedFrom decodes an EventSessionsRevoked (event.AuthSessionsRevoked;
// also after a trip through JSON over Redis). ok is false for any other
// event.
func RevokedFrom(e event.Event) (RevokedSessions, bool) {
	p, ok := event.AuthSessionsRevoked.Of(e)
	if !ok {
		return RevokedSessions{}, false
	}
	r := RevokedSessions{UserID: p.UserID, Session: p.Session, Keep: p.Keep}
	return r, r.UserID != 0 || r.Session != ""
}

// enqueueRevoked records, in tx (the transaction that revokes the
// sessions), the event that tells every instance that sessions ended.
func (s *Service) enqueueRevoked(tx *gorm.DB, r RevokedSessions) error {
	if s.o.Bus == nil {
		return nil
	}
	return s.o.Bus.Enqueue(tx, event.AuthSessionsRevoked.New(TopicSessions,
		event.SessionsRevocation{UserID: r.UserID, Session: r.Session, Keep: r.Keep}))
}

// LiveSessions reports which of the given sessions (token SHA-256s) are
// still valid: not revoked, not expired, their user active. The WebSocket
// hub calls it periodically as a fallback for a lost revocation message.
func (s *Service) LiveSessions(ctx context.Context, sessions []string) (map[string]bool, error) {
	now := s.o.Now().UTC()
	out := make(map[string]bool, len(sessions))
	for start := 0; start < len(sessions); start += 500 {
		end := min(start+500, len(sessions))
		var live []string
		err := s.o.DB.WithContext(ctx).Table("sessions").Select("sessions.token_hash").
			Joins("JOIN users ON users.id = sessions.user_id").
			Where("sessions.token_hash IN ? AND sessions.revoked_at IS NULL AND sessions.expires_at > ?", sessions[start:end], now).
			Where("users.disabled = ? AND (users.expires_at IS NULL OR users.expires_at > ?)", false, now).
			Pluck("sessions.token_hash", &live).Error
		if err != nil {
			return nil, fmt.Errorf("live sessions: %w", err)
		}
		for _, h := range live {
			out[h] = true
		}
	}
	return out, nil
}
