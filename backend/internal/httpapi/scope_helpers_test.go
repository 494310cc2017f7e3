package httpapi_test

import (
	"context"
	"strconv"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/auth"
)

// scopePassword is the password of users the scope tests create (long and
// uncommon enough for any password policy).
const scopePassword = "Scope-Test-Passphrase-7319"

// addUser creates a user with one role (bound to outlet when non-zero) and
// returns a session token for it.
func (h *harness) addUser(username, role string, outlet uint64) string {
	h.t.Helper()
	in := auth.NewUser{Username: username, Password: scopePassword, Roles: []string{role}}
	if outlet != 0 {
		in.OutletID = &outlet
	}
	ctx := actor.With(context.Background(), actor.System("test"))
	// EnsureUser, as seeding does: the harness has no outlet rows, and
	// CreateUser refuses a nonexistent outlet (issue 10 item 16).
	if _, _, err := h.app.Auth.EnsureUser(ctx, in); err != nil {
		h.t.Fatalf("create user %s: %v", username, err)
	}
	r := h.do("POST", "/api/v1/auth/login", "", map[string]string{"username": username, "password": scopePassword})
	if r.Status != 200 {
		h.t.Fatalf("login %s: %d %s", username, r.Status, r.Body)
	}
	return r.JSON(h.t)["token"].(string)
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }
