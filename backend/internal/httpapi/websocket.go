package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/websocket"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/auth"
	"github.com/aftersales/aftersales/backend/internal/rbac"
	"github.com/aftersales/aftersales/backend/internal/realtime"
)

const (
	// wsCloseSessionRevoked is the close code sent when the socket's
	// session was revoked (logout, password or role change, disable).
	wsCloseSessionRevoked = 4401
	wsWriteWait           = 10 * time.Second
	wsPongWait            = 60 * time.Second
	wsPingPeriod          = 25 * time.Second
)

// topicPermission says which permission a topic needs. outlet:<id> topics
// also need the outlet to be in the caller's data scope; user:<id> is only
// the caller's own. Whatever the topic, each event is then filtered by the
// subscriber's data scope (realtime.Scope) before it is sent.
func topicPermission(topic string) string {
	switch {
	case topic == "readiness":
		return rbac.ReadinessRead
	case topic == "sla", topic == "tickets":
		return rbac.TicketRead
	case topic == "admin":
		return rbac.UserManage
	case topic == "quality":
		return rbac.ComplaintRead
	case strings.HasPrefix(topic, "outlet:"):
		return rbac.WorkOrderRead
	case strings.HasPrefix(topic, "user:"):
		return Authenticated // one's own notifications; checked below
	}
	return ""
}

func (s *Server) topicAllowed(a actor.Actor, topic string) bool {
	perm := topicPermission(topic)
	if perm == "" {
		return false
	}
	if perm == Authenticated {
		return a.UserID != 0 && topic == realtime.UserTopic(a.UserID)
	}
	ok, err := s.RBAC.Allowed(a.Roles, perm)
	if err != nil || !ok {
		return false
	}
	if strings.HasPrefix(topic, "outlet:") {
		id, err := strconv.ParseUint(strings.TrimPrefix(topic, "outlet:"), 10, 64)
		if err != nil {
			return false
		}
		if own, scoped := a.OutletScoped(); scoped && own != id {
			return false
		}
	}
	return true
}

// wsIdentity is the hub's view of a socket: its session (so a revocation
// closes it) and the caller's data scope (which filters every event).
func wsIdentity(a actor.Actor, id *auth.Identity) realtime.Identity {
	out := realtime.Identity{Scope: realtime.Scope{UserID: a.UserID}}
	out.Scope.Outlet, out.Scope.OutletScoped = a.OutletScoped()
	if id != nil {
		out.Session = id.TokenHash
	}
	return out
}

type wsInbound struct {
	Type   string   `json:"type"`
	Topics []string `json:"topics"`
}

func (s *Server) websocket(c *gin.Context) error {
	up := websocket.Upgrader{
		ReadBufferSize: 1024, WriteBufferSize: 4096,
		// Same-origin (or http.allowed_origins) only, as for every
		// cookie-authenticated request (csrfGuard): a socket must not be
		// usable from another site's page.
		CheckOrigin: func(r *http.Request) bool { return s.checkOrigin(c) == nil },
	}
	conn, err := up.Upgrade(c.Writer, c.Request, nil)
	if err != nil {
		return nil // the upgrader already answered with an HTTP error
	}
	a := actor.From(c.Request.Context())
	closed := make(chan struct{})
	var self atomic.Pointer[realtime.Client]
	client := s.Hub.RegisterFor(wsIdentity(a, identity(c)), func() {
		if cl := self.Load(); cl != nil && cl.CloseReason() == realtime.ReasonSessionRevoked {
			// Tell the page why, so it can go to the login screen.
			_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(wsCloseSessionRevoked, "session revoked"),
				time.Now().Add(time.Second))
		}
		_ = conn.Close()
	})
	self.Store(client)
	defer s.Hub.Unregister(client)

	// Writer: events, acknowledgements and pings; one goroutine owns writes.
	acks := make(chan any, 8)
	go func() {
		ticker := time.NewTicker(wsPingPeriod)
		defer ticker.Stop()
		defer conn.Close()
		for {
			select {
			case <-closed:
				return
			case msg := <-acks:
				_ = conn.SetWriteDeadline(time.Now().Add(wsWriteWait))
				if conn.WriteJSON(msg) != nil {
					return
				}
			case e, ok := <-client.Send():
				if !ok {
					return // dropped as slow, or unregistered
				}
				_ = conn.SetWriteDeadline(time.Now().Add(wsWriteWait))
				if conn.WriteJSON(gin.H{"type": "event", "topic": e.Topic, "name": e.Name, "data": e.Data, "at": e.At}) != nil {
					return
				}
			case <-ticker.C:
				_ = conn.SetWriteDeadline(time.Now().Add(wsWriteWait))
				if conn.WriteMessage(websocket.PingMessage, nil) != nil {
					return
				}
			}
		}
	}()
	defer close(closed)

	conn.SetReadLimit(4096)
	_ = conn.SetReadDeadline(time.Now().Add(wsPongWait))
	conn.SetPongHandler(func(string) error { return conn.SetReadDeadline(time.Now().Add(wsPongWait)) })
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			return nil
		}
		var in wsInbound
		if json.Unmarshal(data, &in) != nil || in.Type != "subscribe" {
			select {
			case acks <- gin.H{"type": "error", "error": gin.H{"code": "bad_message", "message": `expected {"type":"subscribe","topics":[…]}`}}:
			default:
			}
			continue
		}
		var ok, denied []string
		for _, t := range in.Topics {
			if s.topicAllowed(a, t) {
				ok = append(ok, t)
			} else {
				denied = append(denied, t)
			}
		}
		select {
		case acks <- gin.H{"type": "subscribed", "topics": ok, "denied": denied}:
		default:
		}
		// Subscribe after queuing the ack so retained state follows it.
		s.Hub.Subscribe(client, ok)
	}
}
