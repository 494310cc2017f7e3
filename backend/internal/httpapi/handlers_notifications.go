package httpapi

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/notification"
)

// NotificationResponse is one inbox entry.
type NotificationResponse struct {
	ID        uint64         `json:"id"`
	Kind      string         `json:"kind"`
	Title     string         `json:"title"`
	Body      string         `json:"body"`
	Link      string         `json:"link"`
	Params    map[string]any `json:"params"`
	Read      bool           `json:"read"`
	ReadAt    *time.Time     `json:"read_at"`
	CreatedAt time.Time      `json:"created_at"`
}

func notificationResponse(n notification.Notification) NotificationResponse {
	params := map[string]any{}
	_ = json.Unmarshal([]byte(n.Params), &params)
	return NotificationResponse{ID: n.ID, Kind: n.Kind, Title: n.Title, Body: n.Body, Link: n.Link, Params: params,
		Read: n.ReadAt != nil, ReadAt: n.ReadAt, CreatedAt: n.CreatedAt}
}

// listNotifications: GET /notifications?page&size&unread=true — the
// caller's own inbox, newest first, with the unread count.
func (s *Server) listNotifications(c *gin.Context) error {
	page, size, err := paging(c, 20, 100)
	if err != nil {
		return err
	}
	unreadOnly := c.Query("unread") == "true" || c.Query("unread") == "1"
	p, err := s.Notifications.List(c.Request.Context(), actor.From(c.Request.Context()).UserID, unreadOnly, page, size)
	if err != nil {
		return err
	}
	items := make([]NotificationResponse, 0, len(p.Items))
	for _, n := range p.Items {
		items = append(items, notificationResponse(n))
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "total": p.Total, "page": page, "size": size, "unread": p.Unread})
	return nil
}

// unreadNotifications: GET /notifications/unread-count.
func (s *Server) unreadNotifications(c *gin.Context) error {
	n, err := s.Notifications.UnreadCount(c.Request.Context(), actor.From(c.Request.Context()).UserID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"unread": n})
	return nil
}

// readNotification: POST /notifications/:id/read — one of the caller's own.
func (s *Server) readNotification(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return answerWith(c, http.StatusOK, notificationResponse)(s.Notifications.MarkRead(c.Request.Context(), actor.From(c.Request.Context()).UserID, id))
}

// readAllNotifications: POST /notifications/read-all.
func (s *Server) readAllNotifications(c *gin.Context) error {
	n, err := s.Notifications.MarkAllRead(c.Request.Context(), actor.From(c.Request.Context()).UserID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"marked": n, "unread": 0})
	return nil
}
