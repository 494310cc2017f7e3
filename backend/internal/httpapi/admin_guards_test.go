package httpapi_test

import (
	"fmt"
	"strings"
	"testing"
)

// Issue 10 item 16: the last active admin cannot be disabled or demoted
// (409 last_admin), and a user bound to a nonexistent outlet is a 422.
func TestLastActiveAdminAndNonexistentOutlet(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin")
	adminID := int(h.do("GET", "/api/v1/me", admin, nil).JSON(t)["id"].(float64))
	r := h.expect(201, "POST", "/api/v1/users", admin, map[string]any{"username": "boss", "password": "boss-pass-123", "roles": []string{"admin"}})
	bossID := int(r.JSON(t)["id"].(float64))
	if r := h.do("POST", fmt.Sprintf("/api/v1/users/%d/disable", bossID), admin, nil); r.Status != 200 {
		t.Fatalf("disable one of two admins: %d %s", r.Status, r.Body)
	}
	// admin is now the last active admin: demoting it is refused.
	r = h.do("PUT", fmt.Sprintf("/api/v1/users/%d/roles", adminID), admin, map[string]any{"roles": []string{"quality_manager"}})
	if r.Status != 409 || r.errCode(t) != "last_admin" {
		t.Fatalf("demote the last admin: %d %s", r.Status, r.Body)
	}
	if r := h.do("POST", fmt.Sprintf("/api/v1/users/%d/enable", bossID), admin, nil); r.Status != 200 {
		t.Fatalf("enable: %d %s", r.Status, r.Body)
	}
	boss := h.login2("boss", "boss-pass-123")
	if r := h.do("POST", fmt.Sprintf("/api/v1/users/%d/disable", adminID), boss, nil); r.Status != 200 {
		t.Fatalf("disable the other admin: %d %s", r.Status, r.Body)
	}
	r = h.do("PUT", fmt.Sprintf("/api/v1/users/%d/roles", bossID), boss, map[string]any{"roles": []string{"auditor"}, "expires_at": "2099-01-01T00:00:00Z"})
	if r.Status != 409 || r.errCode(t) != "last_admin" {
		t.Fatalf("demote the last admin (boss): %d %s", r.Status, r.Body)
	}

	// Outlet binding must name an outlet that exists.
	r = h.do("POST", "/api/v1/users", boss, map[string]any{"username": "ghost", "password": "ghost-pass-123", "roles": []string{"technician"}, "outlet_id": 999999})
	if r.Status != 422 || r.JSON(t)["error"].(map[string]any)["fields"].(map[string]any)["outlet_id"] == nil {
		t.Fatalf("user bound to a nonexistent outlet: %d %s", r.Status, r.Body)
	}
	r = h.expect(422, "PUT", fmt.Sprintf("/api/v1/users/%d/roles", adminID), boss, map[string]any{"roles": []string{"technician"}, "outlet_id": 999999})
	// Over-long display name: 422, not a 500 on MariaDB.
	r = h.expect(422, "POST", "/api/v1/users", boss, map[string]any{"username": "longname", "display_name": strings.Repeat("名", 129), "password": "long-pass-123", "roles": []string{"auditor"}, "expires_at": "2099-01-01T00:00:00Z"})
}
