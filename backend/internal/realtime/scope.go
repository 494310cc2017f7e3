package realtime

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/aftersales/aftersales/backend/internal/event"
)

// UserTopic is the per-user topic ("user:<id>") that carries a user's own
// notifications. Only that user may subscribe to it, whatever their scope.
func UserTopic(userID uint64) string { return "user:" + strconv.FormatUint(userID, 10) }

// Scope is a subscriber's data scope, applied to every event before it is
// queued for the client (on every topic, including retained state).
type Scope struct {
	UserID uint64
	// Outlet and Outlet-scoped come from actor.OutletScoped: an outlet user
	// receives only events about records of their outlet.
	Outlet       uint64
	OutletScoped bool
}

// Allows reports whether a client with this scope may receive e. It fails
// closed for outlet users: an event on a shared topic that does not name
// the outlet of its record (Data["outlet_id"]) is not theirs.
func (s Scope) Allows(e event.Event) bool {
	if strings.HasPrefix(e.Topic, "user:") {
		id, err := strconv.ParseUint(strings.TrimPrefix(e.Topic, "user:"), 10, 64)
		return err == nil && s.UserID != 0 && id == s.UserID
	}
	if !s.OutletScoped {
		return true
	}
	if strings.HasPrefix(e.Topic, "outlet:") {
		id, err := strconv.ParseUint(strings.TrimPrefix(e.Topic, "outlet:"), 10, 64)
		return err == nil && id == s.Outlet
	}
	id, ok := EventOutlet(e)
	return ok && id == s.Outlet
}

// EventOutlet returns the outlet an event's record belongs to (Data
// "outlet_id"), whatever its Go type after a trip through JSON (Redis).
func EventOutlet(e event.Event) (uint64, bool) {
	if e.Data == nil {
		return 0, false
	}
	switch v := e.Data["outlet_id"].(type) {
	case uint64:
		return v, true
	case *uint64:
		if v == nil {
			return 0, false
		}
		return *v, true
	case int:
		return uint64(v), v >= 0
	case int64:
		return uint64(v), v >= 0
	case uint:
		return uint64(v), true
	case float64:
		return uint64(v), v >= 0 && v == float64(uint64(v))
	case json.Number:
		n, err := strconv.ParseUint(string(v), 10, 64)
		return n, err == nil
	case string:
		n, err := strconv.ParseUint(v, 10, 64)
		return n, err == nil
	}
	return 0, false
}
