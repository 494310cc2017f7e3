package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// reportingReads are the files allowed to name another domain's tables in
// SQL: the documented read-only reporting layer (docs/architecture.md,
// "Reporting reads"). Every other cross-domain read goes through the owning
// domain's service. The key is package/file; the value says why.
var reportingReads = map[string]string{
	"readiness/measures_sql.go": "readiness measures: SQL aggregates over the operational tables (read-only)",
	"readiness/plausibility.go": "readiness plausibility checks: headcount, certificates and coverage of the outlet network (read-only)",
	"readiness/rollup_dirty.go": "readiness rollups: the event consumer reads a changed record's first bucket time by id (read-only)",
	"readiness/store.go":        "a run is tagged with the audit trail's last sequence number (read-only MAX over audit_records)",
	"recall/resolve.go":         "recall resolution: one INSERT … SELECT over the installed base (reads units only)",
	"recall/progress.go":        "recall progress and call queue join the affected units' owners (read-only)",
	"certification/pack.go":     "audit pack: outlet and staff roster exported as the auditor's evidence (read-only)",
	"consistency":               "the consistency checker: read-only invariants across domains",
	"report":                    "the managers' reports and the tickets export's names: read-only aggregates and lookups across domains (docs/reports.md)",
}

// sqlCalls are the GORM methods whose string arguments are SQL.
var sqlCalls = map[string]bool{"Table": true, "Joins": true, "Raw": true, "Exec": true, "Where": true, "Select": true,
	"Order": true, "Group": true, "Having": true, "Not": true, "Or": true, "Distinct": true}

// sqlShape recognises SQL text in a string constant (not prose like a route
// description that happens to say "from").
var sqlShape = regexp.MustCompile(`(?is)\bselect\b.+\bfrom\b|\bjoin\s+[a-z_]+\s|\bupdate\s+[a-z_]+\s+set\b|\binsert\s+into\b|\bdelete\s+from\b|\bfrom\s+[a-z_]+(\s+(where|join|left|inner|group|order|as|[a-z]{1,3})\b|\s*$)`)

// TestNoCrossDomainTableReads fails when a domain package names another
// domain's table in SQL outside the reporting layer. Ownership comes from
// each package's TableName methods.
func TestNoCrossDomainTableReads(t *testing.T) {
	root := "../"
	owner := map[string]string{} // table → package
	files := map[string][]*ast.File{}
	names := map[*ast.File]string{}
	fset := token.NewFileSet()
	dirs, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		pkg := d.Name()
		paths, _ := filepath.Glob(filepath.Join(root, pkg, "*.go"))
		for _, p := range paths {
			if strings.HasSuffix(p, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, p, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			files[pkg] = append(files[pkg], f)
			names[f] = filepath.Base(p)
			for _, decl := range f.Decls {
				fn, ok := decl.(*ast.FuncDecl)
				if !ok || fn.Name.Name != "TableName" || fn.Body == nil || len(fn.Body.List) != 1 {
					continue
				}
				if ret, ok := fn.Body.List[0].(*ast.ReturnStmt); ok && len(ret.Results) == 1 {
					if lit, ok := ret.Results[0].(*ast.BasicLit); ok {
						tbl, _ := strconv.Unquote(lit.Value)
						owner[tbl] = pkg
					}
				}
			}
		}
	}
	if len(owner) < 40 {
		t.Fatalf("found only %d table owners: the scan is broken", len(owner))
	}
	tables := make([]string, 0, len(owner))
	for tbl := range owner {
		tables = append(tables, tbl)
	}
	sort.Strings(tables)
	word := map[string]*regexp.Regexp{}
	for _, tbl := range tables {
		word[tbl] = regexp.MustCompile(`\b` + tbl + `\b`)
	}
	// Platform and wiring packages are not domains.
	skip := map[string]bool{"app": true, "migrations": true, "testutil": true, "demo": true, "archtest": true, "db": true}
	for pkg, fs := range files {
		if skip[pkg] || reportingReads[pkg] != "" {
			continue
		}
		for _, f := range fs {
			if reportingReads[pkg+"/"+names[f]] != "" {
				continue
			}
			check := func(lit *ast.BasicLit) {
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					return
				}
				for _, tbl := range tables {
					if owner[tbl] != pkg && word[tbl].MatchString(s) {
						t.Errorf("%s: %s/%s names %s's table %q in SQL: go through the %s service, or add the file to reportingReads with the reason",
							fset.Position(lit.Pos()), pkg, names[f], owner[tbl], tbl, owner[tbl])
					}
				}
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch x := n.(type) {
				case *ast.CallExpr:
					if sel, ok := x.Fun.(*ast.SelectorExpr); ok && sqlCalls[sel.Sel.Name] && len(x.Args) > 0 {
						ast.Inspect(x.Args[0], func(m ast.Node) bool {
							if lit, ok := m.(*ast.BasicLit); ok && lit.Kind == token.STRING {
								check(lit)
							}
							return true
						})
					}
				case *ast.BasicLit:
					if x.Kind == token.STRING && sqlShape.MatchString(x.Value) {
						check(x)
					}
				}
				return true
			})
		}
	}
}
