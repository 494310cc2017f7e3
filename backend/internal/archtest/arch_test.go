// Package archtest enforces the dependency direction written in
// docs/architecture.md: cmd → app → httpapi → domain → platform.
package archtest

import (
	"os/exec"
	"strings"
	"testing"
)

const mod = "github.com/aftersales/aftersales/"

func TestDependencyDirection(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}:{{join .Imports ","}}`, "../../...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, ":")
		short := strings.TrimPrefix(pkg, mod)
		for _, imp := range strings.Split(imports, ",") {
			switch {
			case strings.HasPrefix(imp, "github.com/gin-gonic/") && short != "backend/internal/httpapi":
				t.Errorf("%s imports gin: only httpapi speaks HTTP", short)
			case imp == mod+"backend/internal/httpapi" && short != "backend/internal/app":
				t.Errorf("%s imports httpapi: only app wires it", short)
			case imp == mod+"backend/internal/app" && !strings.HasPrefix(short, "backend/cmd/"):
				t.Errorf("%s imports app: only cmd may", short)
			case imp == mod+"backend/internal/demo" && short != "backend/internal/app":
				t.Errorf("%s imports demo: only app seeds", short)
			}
		}
	}
}

// notDomains are the platform (xlsx: the guarded workbook reader; privacy: the
// PIPL access log, cross-cutting like audit; idempotency: the kept answers of
// Idempotency-Key writes; i18n: the server's own words per language), wiring and reporting packages; every other
// package under backend/internal is a business domain.
var notDomains = map[string]bool{
	"actor": true, "apperr": true, "audit": true, "auth": true, "config": true, "db": true, "event": true, "rbac": true,
	"realtime": true, "scheduler": true, "testutil": true, "migrations": true, "passport": true, "app": true, "httpapi": true,
	"demo": true, "archtest": true, "outbox": true, "notification": true, "consistency": true, "xlsx": true, "privacy": true,
	"report": true, "idempotency": true, "i18n": true,
}

// domainImports is the allowlist of one domain importing another, each with
// the reason. Anything else goes through an interface the importer declares
// (wired in app) or an event.
var domainImports = map[string]string{
	"certification -> readiness":  "the audit calendar and packs read the readiness engine's runs and standard",
	"certification -> attachment": "evidence files are received and kept by attachment.Files, the one upload-to-storage path",
	"content -> attachment":       "manual files are received and kept by attachment.Files, the one upload-to-storage path",
	"customer -> region":          "addresses carry GB/T 2260 region codes validated against the directory",
	"outlet -> customer":          "staff phones are normalised with the customer package's phone rules",
	"outlet -> region":            "outlet coverage is a set of region codes",
	"product -> customer":         "a unit's owner is a customer (owner lookups for the passport)",
	"repair -> parts":             "a repair consumes and returns spare parts in its own transaction",
	"servicerequest -> customer":  "a web service request finds or registers its customer in its own transaction",
	"servicerequest -> product":   "a web service request links the unit whose serial the customer gave",
	"servicerequest -> region":    "a web service request's district is checked against the directory",
	"servicerequest -> ticket":    "a web service request opens its ticket in the same transaction as its customer",
	"ticket -> sla":               "ticket clocks are computed by the SLA calculator over the policy, calendar and log kept by sla.Store",
	"workorder -> sla":            "work-order promised times use the SLA calendars",
	"workorder -> ticket":         "a work order belongs to a ticket and moves its clocks",
}

// TestDomainImportsAreAllowlisted fails when a domain imports another domain
// that is not on the allowlist above.
func TestDomainImportsAreAllowlisted(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}:{{join .Imports ","}}`, "../...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	const internal = mod + "backend/internal/"
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, ":")
		from := strings.TrimPrefix(pkg, internal)
		if notDomains[from] || strings.Contains(from, "/") {
			continue
		}
		for _, imp := range strings.Split(imports, ",") {
			if !strings.HasPrefix(imp, internal) {
				continue
			}
			to := strings.TrimPrefix(imp, internal)
			if notDomains[to] || strings.Contains(to, "/") {
				continue
			}
			if _, ok := domainImports[from+" -> "+to]; !ok {
				t.Errorf("domain %s imports domain %s: reach it through an interface wired in app or an event, "+
					"or add \"%s -> %s\" to domainImports with the reason", from, to, from, to)
			}
		}
	}
}
