// Package actor carries who is acting through a request's context: the
// authenticated user (or the system, for scheduled jobs and the CLI), their
// roles and outlet (for data scope), and the request id for the audit trail.
package actor

import "context"

// Actor is the identity behind a state change.
type Actor struct {
	UserID    uint64 // 0 for the system or an anonymous customer
	Username  string
	Roles     []string
	OutletID  *uint64 // set for outlet managers and technicians: their data scope
	RequestID string
	IP        string
}

// System is the actor for scheduled jobs and command-line tools.
func System(name string) Actor { return Actor{Username: "system:" + name} }

// HasRole reports whether the actor holds role.
func (a Actor) HasRole(role string) bool {
	for _, r := range a.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// unscopedRoles see every outlet's records. Every other role, including a
// role this code does not know, is confined to the user's outlet.
var unscopedRoles = map[string]bool{"admin": true, "quality_manager": true, "hotline_agent": true, "auditor": true}

// OutletScoped reports whether the actor may only see their own outlet's
// records, and which outlet. It fails closed: a signed-in user is unscoped
// only when holding a role known to see every outlet (admin, quality
// manager, hotline agent, auditor); outlet managers, technicians and any
// unknown role are scoped, and without an outlet they see nothing (outlet 0).
// The system actor (scheduled jobs, CLI) and the anonymous caller of the
// customer's public pages carry no user id and are not scoped: those paths
// apply their own rules (a ticket number plus its phone, a survey token).
func (a Actor) OutletScoped() (uint64, bool) {
	if a.UserID == 0 && len(a.Roles) == 0 {
		return 0, false
	}
	for _, r := range a.Roles {
		if unscopedRoles[r] {
			return 0, false
		}
	}
	if a.OutletID == nil {
		// An outlet user without an outlet sees nothing rather than everything.
		return 0, true
	}
	return *a.OutletID, true
}

// OwnWorkOnly reports whether the actor acts only on work assigned to them:
// a technician (without a manager's or administrator's role) may take steps
// on the work orders and repairs assigned to their staff record, not on
// their colleagues'. Outlet managers act on all of their outlet's work.
func (a Actor) OwnWorkOnly() bool {
	return a.HasRole("technician") && !a.HasRole("outlet_manager") && !a.HasRole("admin")
}

type ctxKey struct{}

// With returns ctx carrying a.
func With(ctx context.Context, a Actor) context.Context { return context.WithValue(ctx, ctxKey{}, a) }

// From returns the actor in ctx, or an anonymous actor.
func From(ctx context.Context) Actor {
	if a, ok := ctx.Value(ctxKey{}).(Actor); ok {
		return a
	}
	return Actor{Username: "anonymous"}
}
