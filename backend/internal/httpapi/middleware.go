package httpapi

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/auth"
	"github.com/aftersales/aftersales/backend/internal/event"
)

func newRequestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// requestID gives every request an id (kept from X-Request-ID when sane) and
// puts an anonymous actor with it in the context.
func (s *Server) requestID(c *gin.Context) {
	id := c.GetHeader("X-Request-ID")
	if len(id) == 0 || len(id) > 64 || strings.ContainsAny(id, " \t\r\n") {
		id = newRequestID()
	}
	c.Set(ctxRequestID, id)
	c.Header("X-Request-ID", id)
	c.Request = c.Request.WithContext(actor.With(c.Request.Context(), actor.Actor{Username: "anonymous", RequestID: id, IP: c.ClientIP()}))
	c.Next()
}

// settleEvents lets a request that recorded events (through the outbox)
// have them delivered before its response is complete, so the caller reads
// its own writes' consequences (survey invitations, inbox notifications).
func (s *Server) settleEvents(c *gin.Context) {
	st, ok := s.Bus.(event.Settler)
	if !ok {
		c.Next()
		return
	}
	ctx, recorded := event.WithRecording(c.Request.Context())
	c.Request = c.Request.WithContext(ctx)
	c.Next()
	if recorded.Load() {
		st.Settle(ctx)
	}
}

// recoverer turns a panic into a logged 500 in the error shape.
func (s *Server) recoverer(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("panic", "err", r, "stack", string(debug.Stack()), "request_id", c.GetString(ctxRequestID))
			s.fail(c, apperr.Internal(fmt.Errorf("panic: %v", r)))
		}
	}()
	c.Next()
}

func (s *Server) accessLog(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	d := time.Since(start)
	status := c.Writer.Status()
	s.reqs.WithLabelValues(c.Request.Method, route, strconv.Itoa(status)).Inc()
	s.latency.WithLabelValues(c.Request.Method, route).Observe(d.Seconds())
	if status >= 500 || d > time.Second {
		s.log.Warn("request", "method", c.Request.Method, "path", c.Request.URL.Path, "status", status, "ms", d.Milliseconds(), "request_id", c.GetString(ctxRequestID))
	} else {
		s.log.Debug("request", "method", c.Request.Method, "path", c.Request.URL.Path, "status", status, "ms", d.Milliseconds())
	}
}

// sessionToken reads the bearer token or the session cookie.
func sessionToken(c *gin.Context) string {
	if h := c.GetHeader("Authorization"); strings.HasPrefix(h, "Bearer ") {
		return strings.TrimSpace(strings.TrimPrefix(h, "Bearer "))
	}
	if v, err := c.Cookie(SessionCookie); err == nil {
		return v
	}
	return ""
}

// authorize enforces the route's access level: public, any login, or a
// casbin permission. A casbin error denies and is logged, never ignored.
func (s *Server) authorize(rt Route) gin.HandlerFunc {
	return func(c *gin.Context) {
		if rt.Permission == Public {
			// Public routes still learn who is calling when a session exists
			// (e.g. logout from the login page is harmless).
			c.Next()
			return
		}
		id, err := s.Auth.Authenticate(c.Request.Context(), sessionToken(c))
		if err != nil {
			s.fail(c, err)
			return
		}
		roles := id.User.RoleList()
		if rt.Permission != Authenticated {
			ok, err := s.RBAC.Allowed(roles, rt.Permission)
			if err != nil {
				s.log.Error("rbac", "err", err)
				s.fail(c, apperr.Forbidden("permission check failed"))
				return
			}
			if !ok {
				s.fail(c, apperr.Forbidden("your role may not "+rt.Permission))
				return
			}
		}
		c.Set(ctxIdentity, id)
		a := actor.From(c.Request.Context())
		a.UserID, a.Username, a.Roles, a.OutletID = id.User.ID, id.User.Username, roles, id.User.OutletID
		c.Request = c.Request.WithContext(actor.With(c.Request.Context(), a))
		c.Next()
	}
}

func identity(c *gin.Context) *auth.Identity {
	v, _ := c.Get(ctxIdentity)
	id, _ := v.(*auth.Identity)
	return id
}
