package rbac

import (
	"context"
	"fmt"
	"sort"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"gorm.io/gorm"
)

// modelText: a subject (role) is granted an object (permission name).
const modelText = `
[request_definition]
r = sub, obj

[policy_definition]
p = sub, obj

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.sub == p.sub && r.obj == p.obj
`

// Authorizer answers "may these roles do this?".
type Authorizer struct {
	enforcer *casbin.SyncedEnforcer
	db       *gorm.DB
}

// New loads the policy from the database, seeding DefaultPolicy when empty.
func New(ctx context.Context, db *gorm.DB) (*Authorizer, error) {
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("rbac: model: %w", err)
	}
	var n int64
	if err := db.WithContext(ctx).Model(&rule{}).Count(&n).Error; err != nil {
		return nil, fmt.Errorf("rbac: count rules: %w", err)
	}
	if n == 0 {
		if err := seed(db.WithContext(ctx)); err != nil {
			return nil, err
		}
	}
	e, err := casbin.NewSyncedEnforcer(m, &adapter{db: db})
	if err != nil {
		return nil, fmt.Errorf("rbac: enforcer: %w", err)
	}
	return &Authorizer{enforcer: e, db: db}, nil
}

func seed(db *gorm.DB) error {
	return db.Transaction(func(tx *gorm.DB) error {
		roles := make([]string, 0)
		pol := DefaultPolicy()
		for r := range pol {
			roles = append(roles, r)
		}
		sort.Strings(roles)
		for _, r := range roles {
			for _, p := range pol[r] {
				if err := tx.Create(&rule{Ptype: "p", V0: r, V1: p}).Error; err != nil {
					return fmt.Errorf("rbac: seed %s %s: %w", r, p, err)
				}
			}
		}
		return nil
	})
}

// Allowed reports whether any of roles grants permission. A casbin error is
// returned, never swallowed; callers deny on error.
func (a *Authorizer) Allowed(roles []string, permission string) (bool, error) {
	for _, r := range roles {
		ok, err := a.enforcer.Enforce(r, permission)
		if err != nil {
			return false, fmt.Errorf("rbac: enforce %s %s: %w", r, permission, err)
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}

// Permissions lists the permissions granted to roles, sorted.
func (a *Authorizer) Permissions(roles []string) []string {
	set := map[string]bool{}
	for _, r := range roles {
		perms, _ := a.enforcer.GetFilteredPolicy(0, r)
		for _, p := range perms {
			if len(p) > 1 {
				set[p[1]] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// Reload re-reads the policy from the database (after another instance
// changed it; see the rbac.policy_changed event).
func (a *Authorizer) Reload() error {
	if err := a.enforcer.LoadPolicy(); err != nil {
		return fmt.Errorf("rbac: reload: %w", err)
	}
	return nil
}
