package actor_test

import (
	"testing"

	"github.com/aftersales/aftersales/backend/internal/actor"
)

func TestOutletScopeFailsClosed(t *testing.T) {
	seven := uint64(7)
	cases := []struct {
		name   string
		a      actor.Actor
		outlet uint64
		scoped bool
	}{
		{"admin sees all", actor.Actor{UserID: 1, Roles: []string{"admin"}}, 0, false},
		{"agent sees all", actor.Actor{UserID: 1, Roles: []string{"hotline_agent"}}, 0, false},
		{"quality sees all", actor.Actor{UserID: 1, Roles: []string{"quality_manager"}}, 0, false},
		{"auditor sees all", actor.Actor{UserID: 1, Roles: []string{"auditor"}}, 0, false},
		{"outlet manager: own outlet", actor.Actor{UserID: 1, Roles: []string{"outlet_manager"}, OutletID: &seven}, 7, true},
		{"technician: own outlet", actor.Actor{UserID: 1, Roles: []string{"technician"}, OutletID: &seven}, 7, true},
		{"outlet user without outlet: nothing", actor.Actor{UserID: 1, Roles: []string{"technician"}}, 0, true},
		{"unknown role: scoped, not open", actor.Actor{UserID: 1, Roles: []string{"intern"}, OutletID: &seven}, 7, true},
		{"unknown role without outlet: nothing", actor.Actor{UserID: 1, Roles: []string{"intern"}}, 0, true},
		{"signed-in user without roles: nothing", actor.Actor{UserID: 1}, 0, true},
		{"unknown plus admin: admin wins", actor.Actor{UserID: 1, Roles: []string{"intern", "admin"}}, 0, false},
		{"system actor", actor.System("job"), 0, false},
	}
	for _, c := range cases {
		o, s := c.a.OutletScoped()
		if o != c.outlet || s != c.scoped {
			t.Errorf("%s: got (%d, %v), want (%d, %v)", c.name, o, s, c.outlet, c.scoped)
		}
	}
}
