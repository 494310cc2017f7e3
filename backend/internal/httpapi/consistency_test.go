package httpapi_test

import (
	"context"
	"testing"

	"github.com/aftersales/aftersales/backend/internal/actor"
)

// TestDemoEnterpriseIsConsistent seeds the whole demo enterprise (a year of
// tickets, work orders, repairs, returns, surveys, complaints, stock) and
// asks GET /api/v1/admin/consistency, as the administrator: every invariant
// between the domains holds, with zero violations. The same checker runs as
// `aftersales check` after the browser suite (scripts/e2e.sh).
func TestDemoEnterpriseIsConsistent(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds the whole demo enterprise (about a minute)")
	}
	h := newHarness(t)
	if err := h.app.SeedDemo(actor.With(context.Background(), actor.System("test"))); err != nil {
		t.Fatal(err)
	}
	r := h.expect(200, "GET", "/api/v1/admin/consistency", h.login("admin"), nil)
	rep := r.JSON(t)
	results := rep["results"].([]any)
	if len(results) != 6 {
		t.Fatalf("invariants walked: %d", len(results))
	}
	if rep["violations"].(float64) != 0 {
		for _, x := range results {
			res := x.(map[string]any)
			if res["count"].(float64) > 0 {
				t.Errorf("%s: %v violations, e.g. %v", res["invariant"], res["count"], res["violations"])
			}
		}
		t.Fatal("the demo enterprise is not consistent")
	}
	if r := h.do("GET", "/api/v1/admin/consistency?max=0", h.login("admin"), nil); r.Status != 422 {
		t.Fatalf("max=0: %d", r.Status)
	}
}
