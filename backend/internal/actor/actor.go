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

// OutletScoped reports whether the actor may only see their own outlet's
// records (outlet managers and technicians), and which outlet.
func (a Actor) OutletScoped() (uint64, bool) {
	if a.HasRole("admin") || a.HasRole("quality_manager") || a.HasRole("hotline_agent") || a.HasRole("auditor") {
		return 0, false
	}
	if a.HasRole("outlet_manager") || a.HasRole("technician") {
		if a.OutletID == nil {
			// An outlet user without an outlet sees nothing rather than everything.
			return 0, true
		}
		return *a.OutletID, true
	}
	return 0, false
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
