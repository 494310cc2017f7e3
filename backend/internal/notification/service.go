// Package notification is each user's in-app inbox. It is fed by the events
// that concern a user (Feed): an offer waiting at their outlet, a complaint
// escalated to them, an SLA warning on their ticket, a supervisor call-back
// due, a certificate or audit coming due for quality managers. Every new
// notification is pushed live on the user's own WebSocket topic
// "user:<id>" (realtime.UserTopic), through the outbox in the transaction
// that stores it.
package notification

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/realtime"
)

// Kinds of notification. The web app translates each kind with its Params.
const (
	KindOfferWaiting = "offer_waiting"
	// KindOfferExpiring: an offer waiting at the outlet has used 50% or 80%
	// of its time (Params.percent).
	KindOfferExpiring  = "offer_expiring"
	KindEscalation     = "complaint_escalated"
	KindSLAWarning     = "sla_warning"
	KindSLABreached    = "sla_breached"
	KindCallbackDue    = "callback_due"
	KindCertificateDue = "certificate_expiring"
	KindAuditDue       = "audit_due"
)

// Notification is one inbox entry of one user. (EventID, UserID) is unique:
// an event notifies a user once.
type Notification struct {
	ID        uint64 `gorm:"primaryKey"`
	UserID    uint64
	EventID   uint64
	Kind      string
	Title     string // Chinese fallback text; the UI renders Kind with Params
	Body      string
	Link      string // the web app route to open
	Params    string // JSON object
	ReadAt    *time.Time
	CreatedAt time.Time
}

// TableName pins the table of migration 0051.
func (Notification) TableName() string { return "notifications" }

// Options configures the Service.
type Options struct {
	DB    *gorm.DB
	Audit *audit.Trail
	// Bus records the live pushes in the storing transaction (the outbox).
	Bus event.Bus
	// Recipients resolves who is concerned by an event.
	Recipients Recipients
	Now        func() time.Time
}

// Service reads and updates inboxes and feeds them from events.
type Service struct{ o Options }

// New returns a Service.
func New(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Bus == nil {
		o.Bus = event.Discard
	}
	return &Service{o: o}
}

// Page is one page of a user's inbox, newest first, with their unread count.
type Page struct {
	Items  []Notification
	Total  int64
	Unread int64
}

// List returns a page of userID's notifications, newest first; unreadOnly
// keeps the unread ones. Errors: internal.
func (s *Service) List(ctx context.Context, userID uint64, unreadOnly bool, page, size int) (Page, error) {
	q := s.o.DB.WithContext(ctx).Model(&Notification{}).Where("user_id = ?", userID)
	if unreadOnly {
		q = q.Where("read_at IS NULL")
	}
	var out Page
	if err := q.Count(&out.Total).Error; err != nil {
		return Page{}, apperr.Internal(fmt.Errorf("notifications: count: %w", err))
	}
	if err := q.Order("id DESC").Offset((page - 1) * size).Limit(size).Find(&out.Items).Error; err != nil {
		return Page{}, apperr.Internal(fmt.Errorf("notifications: list: %w", err))
	}
	if unreadOnly {
		// Total already counted the unread ones.
		out.Unread = out.Total
		return out, nil
	}
	n, err := s.UnreadCount(ctx, userID)
	if err != nil {
		return Page{}, err
	}
	out.Unread = n
	return out, nil
}

// UnreadCount counts userID's unread notifications. Errors: internal.
func (s *Service) UnreadCount(ctx context.Context, userID uint64) (int64, error) {
	return unread(s.o.DB.WithContext(ctx), userID)
}

func unread(tx *gorm.DB, userID uint64) (int64, error) {
	var n int64
	if err := tx.Model(&Notification{}).Where("user_id = ? AND read_at IS NULL", userID).Count(&n).Error; err != nil {
		return 0, apperr.Internal(fmt.Errorf("notifications: unread: %w", err))
	}
	return n, nil
}

// MarkRead marks one of userID's notifications read and returns it; marking
// a read one again changes nothing. Errors: not_found (also for another
// user's notification), internal.
func (s *Service) MarkRead(ctx context.Context, userID, id uint64) (Notification, error) {
	var out Notification
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := db.Take(tx.Where("id = ? AND user_id = ?", id, userID), &out, "notification"); err != nil {
			return err
		}
		if out.ReadAt != nil {
			return nil
		}
		now := s.o.Now().UTC()
		if err := tx.Model(&Notification{}).Where("id = ? AND read_at IS NULL", id).Update("read_at", now).Error; err != nil {
			return err
		}
		before := out
		out.ReadAt = &now
		if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: "read", Entity: "notification", EntityID: strconv.FormatUint(id, 10),
			Before: map[string]any{"read_at": before.ReadAt}, After: map[string]any{"read_at": out.ReadAt}}); err != nil {
			return err
		}
		return s.pushRead(tx, userID)
	})
	if err != nil {
		return Notification{}, wrap(err, "mark notification read")
	}
	return out, nil
}

// MarkAllRead marks every unread notification of userID read and returns
// how many changed. Errors: internal.
func (s *Service) MarkAllRead(ctx context.Context, userID uint64) (int64, error) {
	var n int64
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.o.Now().UTC()
		res := tx.Model(&Notification{}).Where("user_id = ? AND read_at IS NULL", userID).Update("read_at", now)
		if res.Error != nil {
			return res.Error
		}
		n = res.RowsAffected
		if n == 0 {
			return nil
		}
		if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: "read_all", Entity: "notification", EntityID: "user:" + strconv.FormatUint(userID, 10),
			After: map[string]any{"marked": n, "read_at": now}}); err != nil {
			return err
		}
		return s.pushRead(tx, userID)
	})
	if err != nil {
		return 0, wrap(err, "mark notifications read")
	}
	return n, nil
}

// pushRead tells the user's other tabs the new unread count.
func (s *Service) pushRead(tx *gorm.DB, userID uint64) error {
	n, err := unread(tx, userID)
	if err != nil {
		return err
	}
	return s.o.Bus.Enqueue(tx, event.NotificationsRead.New(realtime.UserTopic(userID), event.InboxCount{UserID: userID, Unread: n}))
}

// deliver stores n for each user (once per event and user) inside tx and
// records its live push.
func (s *Service) deliver(ctx context.Context, tx *gorm.DB, eventID uint64, users []uint64, n Notification, params map[string]any) error {
	if len(users) == 0 {
		return nil
	}
	p, err := json.Marshal(params)
	if err != nil {
		return err
	}
	now := s.o.Now().UTC()
	seen := map[uint64]bool{}
	for _, uid := range users {
		if uid == 0 || seen[uid] {
			continue
		}
		seen[uid] = true
		row := n
		row.Title, row.Body = clip(row.Title, 255), clip(row.Body, 1000)
		row.ID, row.UserID, row.EventID, row.Params, row.CreatedAt = 0, uid, eventID, string(p), now
		if err := tx.Create(&row).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				continue
			}
			return fmt.Errorf("notifications: store: %w", err)
		}
		count, err := unread(tx, uid)
		if err != nil {
			return err
		}
		push := event.Notification{ID: row.ID, UserID: uid, Kind: row.Kind, Title: row.Title, Body: row.Body, Link: row.Link,
			Params: params, CreatedAt: now, Unread: count}
		if err := s.o.Bus.Enqueue(tx, event.NotificationCreated.New(realtime.UserTopic(uid), push)); err != nil {
			return err
		}
	}
	return nil
}

// wrap classifies a storage error (db.Classify: busy, duplicate,
// unavailable, internal) with what was being done.
func wrap(err error, what string) error { return db.Classify(err, what) }

// clip keeps at most n characters of v.
func clip(v string, n int) string {
	r := []rune(v)
	if len(r) <= n {
		return v
	}
	return string(r[:n])
}
