package app

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/auth"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/notification"
	"github.com/aftersales/aftersales/backend/internal/outbox"
	"github.com/aftersales/aftersales/backend/internal/push"
	"github.com/aftersales/aftersales/backend/internal/rbac"
)

// wireNotifications builds the inboxes and feeds them from the bus, once per
// event id whichever instance relays it.
func (a *App) wireNotifications() {
	a.Notifications = notification.New(notification.Options{DB: a.DB, Audit: a.Audit, Bus: a.Bus,
		Recipients: recipients{users: a.Auth, rbac: a.RBAC}})
	feed := outbox.OnceTx(a.DB, "notifications", a.Log, a.Notifications.Feed)
	a.Bus.Subscribe(func(e event.Event) {
		if notification.Concerns(e) {
			feed(e)
		}
	})
	a.wirePush()
}

// wirePush sends each new notification to its user's phones by Web Push:
// one instance claims the event (the consumer mark), then posts outside the
// transaction, so a slow push service holds no database connection. A push
// lost to a crash after the claim is not retried: the inbox keeps it.
func (a *App) wirePush() {
	a.Push = push.New(push.Options{DB: a.DB, Audit: a.Audit, VAPIDPublicKey: a.Cfg.Push.VAPIDPublicKey,
		VAPIDPrivateKey: a.Cfg.Push.VAPIDPrivateKey, Subject: a.Cfg.Push.Subject, TTL: a.Cfg.Push.TTL, Log: a.Log})
	if !a.Push.Enabled() {
		return
	}
	a.Bus.Subscribe(func(e event.Event) {
		n, ok := event.NotificationCreated.Of(e)
		if !ok {
			return
		}
		claimed := false
		outbox.OnceTx(a.DB, "webpush", a.Log, func(context.Context, *gorm.DB, event.Event) error {
			claimed = true
			return nil
		})(e)
		if !claimed {
			return
		}
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if _, err := a.Push.Send(ctx, n.UserID, pushMessage(n)); err != nil {
				a.Log.Error("web push", "user", n.UserID, "notification", n.ID, "err", err)
			}
		}()
	})
}

// pushMessage is what the phone shows for a notification; a tap opens the
// phone app's page for it (offers for offer kinds, else the inbox).
func pushMessage(n event.Notification) push.Message {
	link := "/m/inbox"
	switch n.Kind {
	case notification.KindOfferWaiting, notification.KindOfferExpiring:
		link = "/m/offers"
	}
	return push.Message{ID: n.ID, Kind: n.Kind, Title: n.Title, Body: n.Body, Link: link, Unread: n.Unread}
}

// recipients resolves users by permission (the casbin policy) and outlet.
type recipients struct {
	users *auth.Service
	rbac  *rbac.Authorizer
}

func (r recipients) WithPermission(ctx context.Context, permission string, outletID *uint64) ([]uint64, error) {
	users, err := r.users.ActiveUsers(ctx, outletID)
	if err != nil {
		return nil, fmt.Errorf("notification recipients: %w", err)
	}
	now := time.Now().UTC()
	var out []uint64
	for _, u := range users {
		if u.ExpiresAt != nil && !u.ExpiresAt.After(now) {
			continue
		}
		ok, err := r.rbac.Allowed(u.RoleList(), permission)
		if err != nil {
			return nil, fmt.Errorf("notification recipients: %w", err)
		}
		if ok {
			out = append(out, u.ID)
		}
	}
	return out, nil
}
