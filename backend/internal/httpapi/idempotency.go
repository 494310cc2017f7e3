package httpapi

import (
	"bytes"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/idempotency"
)

// ownIdempotency are the routes whose service honours Idempotency-Key
// itself: a repeated ticket create or attachment upload answers 200 with
// the original record.
var ownIdempotency = map[string]bool{
	"POST /api/v1/tickets":                     true,
	"POST /api/v1/tickets/:id/attachments":     true,
	"POST /api/v1/work-orders/:id/attachments": true,
	"POST /api/v1/repairs/:id/attachments":     true,
	"POST /api/v1/complaints/:id/attachments":  true,
	"POST /api/v1/returns/:id/attachments":     true,
}

// replayedHeader marks an answer given from the idempotency store.
const replayedHeader = "Idempotent-Replayed"

// idempotent makes a signed-in user's write sent with an Idempotency-Key
// header answer like the first request with that key (the phone's offline
// queue replays its actions; see package idempotency). It runs after
// authorize, so the key is scoped to the user; GET and public routes, and
// writes without the header, pass through.
func (s *Server) idempotent(rt Route) gin.HandlerFunc {
	return func(c *gin.Context) {
		key := c.GetHeader("Idempotency-Key")
		uid := actor.From(c.Request.Context()).UserID
		if key == "" || uid == 0 || s.Idempotency == nil {
			c.Next()
			return
		}
		ctx := c.Request.Context()
		fp := idempotency.Fingerprint(c.Request.Method, c.Request.URL.Path)
		kept, err := s.Idempotency.Begin(ctx, uid, key, fp)
		if err != nil {
			s.fail(c, err)
			return
		}
		if kept != nil {
			if kept.Etag != "" {
				c.Header("ETag", kept.Etag)
			}
			if kept.Location != "" {
				c.Header("Location", kept.Location)
			}
			c.Header(replayedHeader, "true")
			c.Data(kept.Status, kept.ContentType, kept.Body)
			c.Abort()
			return
		}
		w := &teeWriter{ResponseWriter: c.Writer}
		c.Writer = w
		c.Next()
		status := w.Status()
		if status >= 200 && status < 300 {
			h := w.Header()
			err = s.Idempotency.Finish(ctx, uid, key, idempotency.Response{Status: status, ContentType: h.Get("Content-Type"),
				Etag: h.Get("ETag"), Location: h.Get("Location"), Body: w.body.Bytes()})
		} else {
			err = s.Idempotency.Release(ctx, uid, key)
		}
		if err != nil {
			// The write is done and answered; a repeat will run it again
			// (and the step's own checks answer 409).
			s.log.Error("idempotency", "route", rt.Path, "err", err)
		}
	}
}

// teeWriter keeps a copy of the answer's body.
type teeWriter struct {
	gin.ResponseWriter
	body bytes.Buffer
}

func (w *teeWriter) Write(b []byte) (int, error) {
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}

func (w *teeWriter) WriteString(s string) (int, error) {
	w.body.WriteString(s)
	return w.ResponseWriter.WriteString(s)
}

var _ http.ResponseWriter = (*teeWriter)(nil)
