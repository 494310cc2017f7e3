package auth_test

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/auth"
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
