package auth_test

import (
	"context"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/auth"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

// Issue 10 item 16, on both databases.
func TestTheLastActiveAdminStays(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		s, _ := newThrottled(t, g) // creates "owner", an admin
		ctx := actor.With(context.Background(), actor.System("test"))
		owner, _ := s.FindByUsername(ctx, "owner")
		second, err := s.CreateUser(ctx, auth.NewUser{Username: "second", Password: "second-pass-1", Roles: []string{auth.RoleAdmin, auth.RoleQualityManager}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetRoles(ctx, second.ID, []string{auth.RoleQualityManager}, nil, nil); err != nil {
			t.Fatalf("demote one of two admins: %v", err)
		}
		if _, err := s.SetDisabled(ctx, owner.ID, true); !apperr.IsKind(err, apperr.KindConflict) || apperr.As(err).Code != "last_admin" {
			t.Fatalf("disable the last admin: %v", err)
		}
		if _, err := s.SetRoles(ctx, owner.ID, []string{auth.RoleHotlineAgent}, nil, nil); !apperr.IsKind(err, apperr.KindConflict) {
			t.Fatalf("demote the last admin: %v", err)
		}
		// A non-admin change of the last admin is fine.
		if _, err := s.SetRoles(ctx, owner.ID, []string{auth.RoleAdmin, auth.RoleQualityManager}, nil, nil); err != nil {
			t.Fatalf("add a role to the last admin: %v", err)
		}
		s.CheckOutletsWith(func(context.Context, uint64) error { return apperr.NotFound("outlet") })
		id := uint64(42)
		if _, err := s.SetRoles(ctx, second.ID, []string{auth.RoleTechnician}, &id, nil); !apperr.IsKind(err, apperr.KindValidation) {
			t.Fatalf("nonexistent outlet: %v", err)
		}
	})
}

// Issue 10 item 1, the safety net under the length checks: a value over its
// column's size that reaches MariaDB is a 422 naming the column (the
// statement failed, nothing was written), not a 500.
func TestOverlongValueReachingMariaDBIsAValidationError(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		if g.Dialector.Name() != "mysql" {
			t.Skip("SQLite stores any length; the body limit bounds it")
		}
		err := g.Exec("INSERT INTO users (username, display_name, password_hash, roles, disabled, password_changed_at, version, created_at, updated_at) VALUES (?, 'x', 'x', 'admin', false, NOW(), 1, NOW(), NOW())",
			strings.Repeat("u", 65)).Error
		e := db.TooLong(apperr.Internal(err))
		if e == nil || e.Kind != apperr.KindValidation || e.Fields["username"].Code == "" {
			t.Fatalf("65-character username at the database: %v → %+v", err, e)
		}
		var n int64
		g.Model(&auth.User{}).Where("username LIKE 'uuuu%'").Count(&n)
		if n != 0 {
			t.Fatal("the refused row was written")
		}
	})
}
