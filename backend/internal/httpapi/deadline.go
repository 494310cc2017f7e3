package httpapi

import (
	"context"
	"strings"

	"github.com/gin-gonic/gin"
)

// withDeadline bounds a request's work (http.request_timeout): its context,
// and so every query made with it, is cancelled when the time is up, and the
// client gets a 503 with Retry-After instead of waiting on a lock for
// minutes. Streams and long downloads are exempt: the WebSocket, Excel
// exports and audit-pack downloads, which bound themselves.
func (s *Server) withDeadline(rt Route) gin.HandlerFunc {
	if s.RequestTimeout <= 0 || longRunning(rt.Path) {
		return func(c *gin.Context) { c.Next() }
	}
	return func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), s.RequestTimeout)
		defer cancel()
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}

// longRunning names the routes that stream or build large files (the
// audit-pack download is /certification/audit-packs/:id/download).
func longRunning(path string) bool {
	return path == "/api/v1/ws" || strings.HasSuffix(path, "/export") || strings.HasSuffix(path, "/download") ||
		strings.HasSuffix(path, "/report.xlsx")
}
