package httpapi

import "testing"

// Every route the deadline exempts exists, and the long ones are exempt.
func TestLongRunningRoutesAreExempt(t *testing.T) {
	for _, p := range []string{"/api/v1/ws", "/api/v1/tickets/export", "/api/v1/certification/audit-packs/:id/download", "/api/v1/recalls/:id/report.xlsx"} {
		if !longRunning(p) {
			t.Errorf("%s is not exempt from the request deadline", p)
		}
	}
	if longRunning("/api/v1/tickets") {
		t.Error("an ordinary route is exempt")
	}
}
