package apperr_test

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/testutil/gosource"
)

// The UI translates every error code, field code, entity and format the
// backend can send from one JSON catalogue per language. These tests scan
// the backend's source for the codes it writes and fail when a catalogue
// lacks one, so a new code cannot reach a user untranslated.

// catalogue is the shape of frontend/src/i18n/locales/errors.<locale>.json.
type catalogue struct {
	Codes    map[string]string `json:"codes"`
	Fields   map[string]string `json:"fields"`
	Entities map[string]string `json:"entities"`
	Formats  map[string]string `json:"formats"`
}

// usedCodes is what the backend's source can send.
type usedCodes struct {
	codes, fields, entities map[string][]string // code → where (file:line)
	nonLiteral              []string            // constructor calls whose code is not a constant
	codeCalls               []codeCall          // apperr.Code calls with a literal code
}

// codeCall is one apperr.Code("x", …) and the params its .With chain adds.
type codeCall struct {
	code, where string
	params      map[string]bool
}

// fieldCodeMethods are methods, by package, whose argument at the index is
// a field code (sla's validators collect problems with
// p.add(field, code, params, format, args…); calls with fewer than four
// arguments are other methods of that name, e.g. Calendar.add).
var fieldCodeMethods = map[string]map[string]int{"sla": {"add": 1}}

// scanBackend parses every non-test Go file under backend/ and collects the
// codes written by apperr's constructors and by composite literals and
// assignments of Code.
func scanBackend(t *testing.T) usedCodes {
	t.Helper()
	u := usedCodes{codes: map[string][]string{}, fields: map[string][]string{}, entities: map[string][]string{}}
	gosource.EachBackendFile(t, func(rel string, fset *token.FileSet, f *ast.File) {
		inApperr := f.Name.Name == "apperr"
		consts := stringConsts(f)
		// The .With calls are met before the Code call they wrap (the
		// inspection goes outside in): their keys wait here by Code call.
		withKeys := map[*ast.CallExpr]map[string]bool{}
		var calls []*ast.CallExpr
		where := func(n ast.Node) string { return fmt.Sprintf("%s:%d", rel, fset.Position(n.Pos()).Line) }
		value := func(e ast.Expr) (string, bool) {
			switch x := e.(type) {
			case *ast.BasicLit:
				if x.Kind == token.STRING {
					s, err := strconv.Unquote(x.Value)
					return s, err == nil
				}
			case *ast.Ident:
				s, ok := consts[x.Name]
				return s, ok
			}
			return "", false
		}
		record := func(into map[string][]string, arg ast.Expr, call ast.Node, what string) {
			if s, ok := value(arg); ok {
				into[s] = append(into[s], where(call))
				return
			}
			// A parameter named code passes its caller's code on (apperr's own
			// Conflict and Gone, whose call sites are checked instead).
			if id, ok := arg.(*ast.Ident); ok && id.Name == "code" {
				return
			}
			u.nonLiteral = append(u.nonLiteral, fmt.Sprintf("%s: %s with a code that is not a string constant", where(call), what))
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CallExpr:
				if sel, ok := x.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "With" && len(x.Args) == 2 {
					if key, ok := value(x.Args[0]); ok {
						if root := withRoot(sel.X); root != nil {
							if withKeys[root] == nil {
								withKeys[root] = map[string]bool{}
							}
							withKeys[root][key] = true
						}
					}
				}
				if sel, ok := x.Fun.(*ast.SelectorExpr); ok {
					if i, ok := fieldCodeMethods[f.Name.Name][sel.Sel.Name]; ok && len(x.Args) >= 4 {
						record(u.fields, x.Args[i], x, f.Name.Name+"."+sel.Sel.Name)
					}
				}
				name := apperrName(x.Fun, inApperr)
				if name == "" || len(x.Args) == 0 {
					return true
				}
				switch name {
				case "apperr.Code":
					record(u.fields, x.Args[0], x, name)
					calls = append(calls, x)
				case "apperr.Conflict", "apperr.Gone":
					record(u.codes, x.Args[0], x, name)
				case "apperr.NotFound", "apperr.NoSuch", "apperr.ErrVersionConflict":
					if s, ok := value(x.Args[0]); ok {
						u.entities[s] = append(u.entities[s], where(x))
					}
				}
			case *ast.CompositeLit:
				typ := apperrName(x.Type, inApperr)
				if typ != "apperr.Error" && typ != "apperr.FieldError" {
					return true
				}
				for _, el := range x.Elts {
					kv, ok := el.(*ast.KeyValueExpr)
					if k, _ := kv.Key.(*ast.Ident); !ok || k == nil || k.Name != "Code" {
						continue
					}
					if typ == "apperr.Error" {
						record(u.codes, kv.Value, x, typ)
					} else if s, ok := value(kv.Value); ok {
						u.fields[s] = append(u.fields[s], where(x))
					}
				}
			case *ast.AssignStmt:
				// e.Code = "file_too_large": only *apperr.Error values have a
				// Code that is assigned outside a literal.
				for i, lhs := range x.Lhs {
					sel, ok := lhs.(*ast.SelectorExpr)
					if !ok || sel.Sel.Name != "Code" || i >= len(x.Rhs) {
						continue
					}
					if s, ok := value(x.Rhs[i]); ok {
						u.codes[s] = append(u.codes[s], where(x))
					}
				}
			}
			return true
		})
		for _, c := range calls {
			if code, ok := value(c.Args[0]); ok {
				u.codeCalls = append(u.codeCalls, codeCall{code: code, where: where(c), params: withKeys[c]})
			}
		}
	})
	return u
}

// withRoot finds the call at the bottom of a chain x.With(…).With(…).
func withRoot(e ast.Expr) *ast.CallExpr {
	for {
		call, ok := e.(*ast.CallExpr)
		if !ok {
			return nil
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || sel.Sel.Name != "With" {
			return call
		}
		e = sel.X
	}
}

// apperrName names a function or type of package apperr as "apperr.X"
// (also inside package apperr itself), anything else as "".
func apperrName(e ast.Expr, inApperr bool) string {
	switch x := e.(type) {
	case *ast.SelectorExpr:
		if id, ok := x.X.(*ast.Ident); ok && id.Name == "apperr" {
			return "apperr." + x.Sel.Name
		}
	case *ast.Ident:
		if inApperr {
			return "apperr." + x.Name
		}
	}
	return ""
}

// stringConsts maps the file's string constants to their values, so
// apperr.Conflict(CodeX, …) is checked like a literal.
func stringConsts(f *ast.File) map[string]string {
	out := map[string]string{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if i < len(vs.Values) {
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						out[n.Name], _ = strconv.Unquote(lit.Value)
					}
				}
			}
		}
	}
	return out
}

func loadCatalogue(t *testing.T, root, locale string) catalogue {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "frontend", "src", "i18n", "locales", "errors."+locale+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var c catalogue
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatalf("errors.%s.json: %v", locale, err)
	}
	return c
}

// EntityKey is how the UI looks an entity up ("work order" → work_order);
// the frontend's apiErrors.ts normalises the same way.
func entityKey(s string) string {
	return strings.Trim(regexp.MustCompile(`[^a-z0-9]+`).ReplaceAllString(strings.ToLower(s), "_"), "_")
}

var catalogueLocales = []string{"zh-CN", "en"}

// missingEntries lists every used code that a catalogue lacks.
func missingEntries(u usedCodes, c catalogue, locale string) []string {
	var out []string
	check := func(kind string, used map[string][]string, have map[string]string, key func(string) string) {
		for code, at := range used {
			if strings.TrimSpace(have[key(code)]) == "" {
				out = append(out, fmt.Sprintf("errors.%s.json: %s.%s has no entry (used at %s)", locale, kind, key(code), at[0]))
			}
		}
	}
	same := func(s string) string { return s }
	check("codes", u.codes, c.Codes, same)
	check("fields", u.fields, c.Fields, same)
	check("entities", u.entities, c.Entities, entityKey)
	formats := map[string][]string{}
	for _, f := range apperr.Formats() {
		formats[string(f)] = []string{"apperr.Formats"}
	}
	check("formats", formats, c.Formats, same)
	sort.Strings(out)
	return out
}

// TestEveryErrorCodeHasATranslation: each code the backend writes has a
// zh-CN and an English entry in the UI's error catalogue.
func TestEveryErrorCodeHasATranslation(t *testing.T) {
	root := gosource.RepoRoot(t)
	u := scanBackend(t)
	if len(u.codes) < 20 || len(u.fields) < 20 || len(u.entities) < 20 {
		t.Fatalf("the scan found too little (%d codes, %d field codes, %d entities): is it reading backend/?", len(u.codes), len(u.fields), len(u.entities))
	}
	for _, n := range u.nonLiteral {
		t.Errorf("%s: the catalogue test cannot see it (use a string constant)", n)
	}
	for _, locale := range catalogueLocales {
		for _, m := range missingEntries(u, loadCatalogue(t, root, locale), locale) {
			t.Error(m)
		}
	}
}

var placeholder = regexp.MustCompile(`\{(\w+)\}`)

// unfilledParams lists every apperr.Code call whose catalogue text names a
// param ({max}) that the call does not add with With: the UI would show
// the text with a hole.
func unfilledParams(u usedCodes, c catalogue, locale string) []string {
	var out []string
	for _, call := range u.codeCalls {
		for _, m := range placeholder.FindAllStringSubmatch(c.Fields[call.code], -1) {
			if !call.params[m[1]] {
				out = append(out, fmt.Sprintf("%s: apperr.Code(%q) without .With(%q, …), which errors.%s.json's text needs", call.where, call.code, m[1], locale))
			}
		}
	}
	sort.Strings(out)
	return out
}

// TestEveryFieldCodeGetsTheParamsItsTextNames: a domain-specific field code
// carries every param its translation interpolates.
func TestEveryFieldCodeGetsTheParamsItsTextNames(t *testing.T) {
	root := gosource.RepoRoot(t)
	u := scanBackend(t)
	if len(u.codeCalls) < 20 {
		t.Fatalf("the scan found only %d apperr.Code calls: is it reading backend/?", len(u.codeCalls))
	}
	for _, locale := range catalogueLocales {
		for _, m := range unfilledParams(u, loadCatalogue(t, root, locale), locale) {
			t.Error(m)
		}
	}
}

// TestTheParamsCheckCanFail: a Code call without the With its text needs,
// or with one whose key the text does not use, is told apart.
func TestTheParamsCheckCanFail(t *testing.T) {
	c := catalogue{Fields: map[string]string{"too_many_rows": "more than {max} data rows"}}
	u := usedCodes{codeCalls: []codeCall{
		{code: "too_many_rows", where: "a.go:1"},
		{code: "too_many_rows", where: "b.go:2", params: map[string]bool{"row": true}},
		{code: "too_many_rows", where: "c.go:3", params: map[string]bool{"max": true}},
	}}
	got := strings.Join(unfilledParams(u, c, "en"), "\n")
	for _, want := range []string{"a.go:1", "b.go:2"} {
		if !strings.Contains(got, want) {
			t.Errorf("%s lacks max and passes:\n%s", want, got)
		}
	}
	if strings.Contains(got, "c.go:3") {
		t.Errorf("c.go:3 adds max and is reported:\n%s", got)
	}
}

// TestCataloguesHaveTheSameKeys: an entry in one language and not the other
// is a translation someone forgot.
func TestCataloguesHaveTheSameKeys(t *testing.T) {
	root := gosource.RepoRoot(t)
	zh, en := loadCatalogue(t, root, "zh-CN"), loadCatalogue(t, root, "en")
	for _, p := range []struct {
		name   string
		zh, en map[string]string
	}{{"codes", zh.Codes, en.Codes}, {"fields", zh.Fields, en.Fields}, {"entities", zh.Entities, en.Entities}, {"formats", zh.Formats, en.Formats}} {
		for k := range p.zh {
			if _, ok := p.en[k]; !ok {
				t.Errorf("%s.%s is in errors.zh-CN.json but not in errors.en.json", p.name, k)
			}
		}
		for k := range p.en {
			if _, ok := p.zh[k]; !ok {
				t.Errorf("%s.%s is in errors.en.json but not in errors.zh-CN.json", p.name, k)
			}
		}
	}
}

// TestTheScanFailsOnAMissingCode: the check above can fail — a catalogue
// without one of the codes the backend uses is reported.
func TestTheScanFailsOnAMissingCode(t *testing.T) {
	root := gosource.RepoRoot(t)
	u := scanBackend(t)
	c := loadCatalogue(t, root, "en")
	delete(c.Fields, "too_long")
	delete(c.Codes, "version_conflict")
	missing := strings.Join(missingEntries(u, c, "en"), "\n")
	for _, want := range []string{"fields.too_long has no entry", "codes.version_conflict has no entry"} {
		if !strings.Contains(missing, want) {
			t.Errorf("a catalogue without %q passes the check:\n%s", want, missing)
		}
	}
}
