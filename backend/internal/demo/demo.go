// Package demo creates the deterministic demo enterprise: users of every
// role, and (through each domain's seeding) outlets, customers, tickets and
// the rest. It also generates large data sets for benchmarks (--scale).
package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/auth"
)

// DemoUser describes one demo login.
type DemoUser struct {
	Username, DisplayName, Role string
}

// Users are the demo logins, one per role.
var Users = []DemoUser{
	{"admin", "系统管理员", auth.RoleAdmin},
	{"agent", "热线坐席 王芳", auth.RoleHotlineAgent},
	{"outlet_manager", "网点经理 李强", auth.RoleOutletManager},
	{"technician", "维修技师 张伟", auth.RoleTechnician},
	{"quality", "质量经理 陈静", auth.RoleQualityManager},
	{"auditor", "认证审核员 刘洋", auth.RoleAuditor},
}

// Deps are the services the demo seeding uses.
type Deps struct {
	Auth     *auth.Service
	Password string
	Now      time.Time
	// DemoOutletID is the outlet the demo outlet users belong to.
	DemoOutletID uint64
}

// SeedUsers creates the demo users if they are missing. It is idempotent.
func SeedUsers(ctx context.Context, d Deps) error {
	ctx = actor.With(ctx, actor.System("seed"))
	outlet := d.DemoOutletID
	if outlet == 0 {
		outlet = 1
	}
	for _, u := range Users {
		in := auth.NewUser{Username: u.Username, DisplayName: u.DisplayName, Password: d.Password, Roles: []string{u.Role}}
		switch u.Role {
		case auth.RoleOutletManager, auth.RoleTechnician:
			id := outlet
			in.OutletID = &id
		case auth.RoleAuditor:
			// Auditors are time-boxed: the demo auditor may look for 90 days.
			exp := d.Now.AddDate(0, 0, 90)
			in.ExpiresAt = &exp
		}
		if _, _, err := d.Auth.EnsureUser(ctx, in); err != nil {
			return fmt.Errorf("seed user %s: %w", u.Username, err)
		}
	}
	return nil
}
