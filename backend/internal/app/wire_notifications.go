package app

import (
	"context"
	"fmt"
	"time"

	"github.com/aftersales/aftersales/backend/internal/auth"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/notification"
	"github.com/aftersales/aftersales/backend/internal/outbox"
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
