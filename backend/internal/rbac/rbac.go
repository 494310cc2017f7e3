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

// Authorizer answers "may these roles do this?" and lets an admin grant or
// revoke a permission (policy.go).
type Authorizer struct {
	enforcer *casbin.SyncedEnforcer
	db       *gorm.DB
	opts     Options
}

// New loads the policy from the database after syncing DefaultPolicy into it
// (see Sync): a permission added in a release reaches existing installs,
// and a default rule an admin revoked stays revoked.
func New(ctx context.Context, opts Options) (*Authorizer, error) {
	opts = opts.withDefaults()
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("rbac: model: %w", err)
	}
	a := &Authorizer{db: opts.DB, opts: opts}
	added, err := a.Sync(ctx)
	if err != nil {
		return nil, err
	}
	if len(added) > 0 {
		opts.Log.Info("rbac: default permissions added to the stored policy", "rules", added)
	}
	e, err := casbin.NewSyncedEnforcer(m, &adapter{db: opts.DB})
	if err != nil {
		return nil, fmt.Errorf("rbac: enforcer: %w", err)
	}
	a.enforcer = e
	return a, nil
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
func (a *Authorizer) Permissions(roles []string) ([]string, error) {
	set := map[string]bool{}
	for _, r := range roles {
		perms, err := a.enforcer.GetFilteredPolicy(0, r)
		if err != nil {
			return nil, fmt.Errorf("rbac: permissions of %s: %w", r, err)
		}
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
	return out, nil
}

// Reload re-reads the policy from the database (after another instance
// changed it; see the rbac.policy_changed event published by Grant/Revoke).
func (a *Authorizer) Reload() error {
	if err := a.enforcer.LoadPolicy(); err != nil {
		return fmt.Errorf("rbac: reload: %w", err)
	}
	return nil
}
