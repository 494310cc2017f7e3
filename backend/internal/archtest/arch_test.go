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
