package rbac

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/event"
)

// PolicyChanged (event.RBACPolicyChanged, "rbac.policy_changed") is recorded
// in the transaction of an admin's grant or revoke, so every instance
// reloads its enforcer.
var PolicyChanged = event.RBACPolicyChanged

// Options wires an Authorizer.
type Options struct {
	DB    *gorm.DB
	Audit *audit.Trail
	Bus   event.Bus
	Log   *slog.Logger
	Now   func() time.Time
}

func (o Options) withDefaults() Options {
	if o.Audit == nil {
		o.Audit = audit.New(nil)
	}
	if o.Bus == nil {
		o.Bus = event.NewMemoryBus()
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// ruleRemoval is a default rule an admin revoked on purpose; Sync leaves it out.
type ruleRemoval struct {
	ID         uint64 `gorm:"primaryKey"`
	Role       string
	Permission string
	RemovedBy  string
	RemovedAt  time.Time
}

func (ruleRemoval) TableName() string { return "casbin_rule_removals" }

// Grant is one role → permission line.
type Grant struct {
	Role       string `json:"role"`
	Permission string `json:"permission"`
}

func (g Grant) String() string { return g.Role + " " + g.Permission }

// Sync inserts every DefaultPolicy rule that is neither stored nor recorded
// as revoked by an admin, and returns the rules it added. It runs at every
// start-up; several instances starting at once are safe (the unique index
// on casbin_rules turns a second insert into a no-op). On Galera two
// instances starting together can collide on the same rows, which shows as a
// certification conflict (1213) at commit: the sync runs again.
func (a *Authorizer) Sync(ctx context.Context) ([]Grant, error) {
	var added []Grant
	err := db.Retry(ctx, func() error {
		added = nil
		return a.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			var err error
			added, err = a.syncIn(tx)
			return err
		})
	})
	return added, err
}

// syncIn is one attempt of Sync inside tx.
func (a *Authorizer) syncIn(tx *gorm.DB) ([]Grant, error) {
	var added []Grant
	var stored []rule
	if err := tx.Where("ptype = ?", "p").Find(&stored).Error; err != nil {
		return nil, fmt.Errorf("rbac: sync: read rules: %w", err)
	}
	var removed []ruleRemoval
	if err := tx.Find(&removed).Error; err != nil {
		return nil, fmt.Errorf("rbac: sync: read removals: %w", err)
	}
	skip := map[Grant]bool{}
	for _, r := range stored {
		skip[Grant{r.V0, r.V1}] = true
	}
	for _, r := range removed {
		skip[Grant{r.Role, r.Permission}] = true
	}
	for _, g := range defaultGrants() {
		if skip[g] {
			continue
		}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&rule{Ptype: "p", V0: g.Role, V1: g.Permission}).Error; err != nil {
			return nil, fmt.Errorf("rbac: sync: add %s: %w", g, err)
		}
		added = append(added, g)
	}
	return added, nil
}

// defaultGrants flattens DefaultPolicy in a stable order.
func defaultGrants() []Grant {
	pol := DefaultPolicy()
	roles := make([]string, 0, len(pol))
	for r := range pol {
		roles = append(roles, r)
	}
	sort.Strings(roles)
	var out []Grant
	for _, r := range roles {
		for _, p := range pol[r] {
			out = append(out, Grant{r, p})
		}
	}
	return out
}

// KnownPermissions lists every permission of the default policy, sorted.
func KnownPermissions() []string {
	set := map[string]bool{}
	for _, g := range defaultGrants() {
		set[g.Permission] = true
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

func (a *Authorizer) validate(g Grant) error {
	if _, ok := DefaultPolicy()[g.Role]; !ok {
		return apperr.FieldErr("role", apperr.Code("unknown_role", "unknown role").With("role", g.Role)).WithDetail("role", g.Role)
	}
	for _, p := range KnownPermissions() {
		if p == g.Permission {
			return nil
		}
	}
	return apperr.FieldErr("permission", apperr.Code("unknown_permission", "unknown permission")).WithDetail("permission", g.Permission)
}

// GrantPermission gives role the permission. A revoked default comes back
// and its removal record goes. Idempotent; audited.
func (a *Authorizer) GrantPermission(ctx context.Context, g Grant) error {
	if err := a.validate(g); err != nil {
		return err
	}
	err := a.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&rule{Ptype: "p", V0: g.Role, V1: g.Permission})
		if res.Error != nil {
			return fmt.Errorf("rbac: grant %s: %w", g, res.Error)
		}
		if err := tx.Where("role = ? AND permission = ?", g.Role, g.Permission).Delete(&ruleRemoval{}).Error; err != nil {
			return fmt.Errorf("rbac: grant %s: clear removal: %w", g, err)
		}
		if err := a.enqueueChanged(tx); err != nil {
			return err
		}
		if res.RowsAffected == 0 {
			return nil
		}
		return a.opts.Audit.Record(ctx, tx, audit.Entry{Action: "grant", Entity: "role_permission", EntityID: g.String(), After: g})
	})
	if err != nil {
		return err
	}
	return a.changed(ctx)
}

// RevokePermission takes the permission from role. Revoking a default rule is
// recorded so the start-up sync does not grant it again. Audited.
func (a *Authorizer) RevokePermission(ctx context.Context, g Grant) error {
	if err := a.validate(g); err != nil {
		return err
	}
	isDefault := false
	for _, d := range defaultGrants() {
		if d == g {
			isDefault = true
		}
	}
	err := a.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Where("ptype = ? AND v0 = ? AND v1 = ?", "p", g.Role, g.Permission).Delete(&rule{})
		if res.Error != nil {
			return fmt.Errorf("rbac: revoke %s: %w", g, res.Error)
		}
		if isDefault {
			rm := ruleRemoval{Role: g.Role, Permission: g.Permission, RemovedBy: actor.From(ctx).Username, RemovedAt: a.opts.Now().UTC()}
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&rm).Error; err != nil {
				return fmt.Errorf("rbac: revoke %s: record removal: %w", g, err)
			}
		}
		if err := a.enqueueChanged(tx); err != nil {
			return err
		}
		if res.RowsAffected == 0 {
			return nil
		}
		return a.opts.Audit.Record(ctx, tx, audit.Entry{Action: "revoke", Entity: "role_permission", EntityID: g.String(), Before: g})
	})
	if err != nil {
		return err
	}
	return a.changed(ctx)
}

// enqueueChanged records rbac.policy_changed in the grant's or revoke's
// transaction: the other instances reload once it commits.
func (a *Authorizer) enqueueChanged(tx *gorm.DB) error {
	e := PolicyChanged.New(event.TopicAdmin, event.PolicyChange{})
	e.At = a.opts.Now().UTC()
	if err := a.opts.Bus.Enqueue(tx, e); err != nil {
		return fmt.Errorf("rbac: record policy change: %w", err)
	}
	return nil
}

// changed reloads this instance after the commit.
func (a *Authorizer) changed(context.Context) error {
	return a.Reload()
}
