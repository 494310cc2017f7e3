package i18n_test

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/aftersales/aftersales/backend/internal/i18n"
	"github.com/aftersales/aftersales/backend/internal/testutil/gosource"
)

func catalogues(t *testing.T) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	for _, lang := range []string{"zh-CN", "en"} {
		b, err := os.ReadFile(filepath.Join("messages", lang+".json"))
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s.json: %v", lang, err)
		}
		out[lang] = m
	}
	return out
}

// usedIDs scans backend/ for string literals in a message-id namespace (the
// first segment of an id in the catalogues, e.g. "report.") — in T calls,
// maps of ids, anywhere — and for T calls whose id is not a literal.
func usedIDs(t *testing.T, namespaces []string) (map[string]string, []string) {
	t.Helper()
	ids, dynamic := map[string]string{}, []string(nil)
	gosource.EachBackendFile(t, func(path string, fset *token.FileSet, f *ast.File) {
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.BasicLit:
				if x.Kind != token.STRING {
					return true
				}
				s, _ := strconv.Unquote(x.Value)
				for _, ns := range namespaces {
					if strings.HasPrefix(s, ns+".") && !strings.ContainsAny(s, " /") {
						ids[s] = fmt.Sprintf("%s:%d", path, fset.Position(x.Pos()).Line)
					}
				}
			case *ast.CallExpr:
				sel, ok := x.Fun.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "T" || len(x.Args) == 0 {
					return true
				}
				switch a := x.Args[0].(type) {
				case *ast.BasicLit:
				case *ast.IndexExpr: // tr.T(dimensionMessages[d]): the map's literals are scanned
					_ = a
				default:
					dynamic = append(dynamic, fmt.Sprintf("%s:%d", path, fset.Position(x.Pos()).Line))
				}
			}
			return true
		})
	})
	return ids, dynamic
}

func namespaces(cats map[string]map[string]string) []string {
	seen := map[string]bool{}
	for _, m := range cats {
		for id := range m {
			seen[strings.SplitN(id, ".", 2)[0]] = true
		}
	}
	var out []string
	for ns := range seen {
		out = append(out, ns)
	}
	sort.Strings(out)
	return out
}

func missing(ids map[string]string, cat map[string]string) []string {
	var out []string
	for id, at := range ids {
		if strings.TrimSpace(cat[id]) == "" {
			out = append(out, id+" (used at "+at+")")
		}
	}
	sort.Strings(out)
	return out
}

// TestEveryMessageIDIsInEveryCatalogue: a message the server writes has a
// zh-CN and an English text, and the two files have the same ids.
func TestEveryMessageIDIsInEveryCatalogue(t *testing.T) {
	cats := catalogues(t)
	ids, dynamic := usedIDs(t, namespaces(cats))
	if len(ids) < 10 {
		t.Fatalf("the scan found only %d message ids: is it reading backend/?", len(ids))
	}
	for _, d := range dynamic {
		t.Errorf("%s: T with an id that is not a literal (or a map of literals): the test cannot check it", d)
	}
	for lang, cat := range cats {
		for _, m := range missing(ids, cat) {
			t.Errorf("messages/%s.json has no %s", lang, m)
		}
		for id := range cat {
			for other, oc := range cats {
				if _, ok := oc[id]; !ok {
					t.Errorf("%s is in messages/%s.json but not in messages/%s.json", id, lang, other)
				}
			}
		}
	}
}

// TestTheCompletenessCheckCanFail: a catalogue without a used id is reported.
func TestTheCompletenessCheckCanFail(t *testing.T) {
	cats := catalogues(t)
	ids, _ := usedIDs(t, namespaces(cats))
	en := cats["en"]
	delete(en, "report.failure.rate")
	if got := strings.Join(missing(ids, en), "\n"); !strings.Contains(got, "report.failure.rate") {
		t.Fatalf("a catalogue without report.failure.rate passes: %q", got)
	}
}

// TestTheLanguageComesFromAcceptLanguage: English when the reader asks for
// it, zh-CN otherwise.
func TestTheLanguageComesFromAcceptLanguage(t *testing.T) {
	c, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	for accept, want := range map[string]string{
		"": "合计", "zh-CN": "合计", "zh-CN,zh;q=0.9,en;q=0.8": "合计", "zh": "合计", "fr-FR": "合计",
		"en": "Total", "en-US,en;q=0.9": "Total", "fr-FR,en;q=0.5": "Total",
	} {
		if got := c.For(accept).T("report.total"); got != want {
			t.Errorf("Accept-Language %q: %q, want %q", accept, got, want)
		}
	}
	if got := c.For("en").T("report.failure.warning_header", map[string]any{"Threshold": "5.00%"}); got != "Warning (≥5.00%)" {
		t.Errorf("template data: %q", got)
	}
	if got := c.For("en").T("no.such.id"); got != "no.such.id" {
		t.Errorf("a missing id: %q", got)
	}
	if got := c.For("en-GB").Lang(); got != "en" {
		t.Errorf("Lang: %q", got)
	}
}

// TestTheZeroTranslatorSpeaksChineseAndLabelsKeepUnknownCodes: a document
// built without a request reads in zh-CN; a code with no message shows as
// itself.
func TestTheZeroTranslatorSpeaksChineseAndLabelsKeepUnknownCodes(t *testing.T) {
	var zero i18n.Translator
	if got := zero.T("report.total"); got != "合计" {
		t.Errorf("zero Translator: %q", got)
	}
	if got := zero.Lang(); got != "zh-CN" {
		t.Errorf("zero Translator's language: %q", got)
	}
	c, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{"yes": "label.common.yes"}
	if got := c.For("en").Label(ids, "yes"); got != "Yes" {
		t.Errorf("Label: %q", got)
	}
	if got := c.For("en").Label(ids, "maybe"); got != "maybe" {
		t.Errorf("an unknown code: %q", got)
	}
}

// TestAllSpeaksEveryLanguage: All gives zh-CN first, then English.
func TestAllSpeaksEveryLanguage(t *testing.T) {
	var got []string
	for _, tr := range i18n.All() {
		got = append(got, tr.T("report.total"))
	}
	if strings.Join(got, ",") != "合计,Total" {
		t.Fatalf("All: %v", got)
	}
}
