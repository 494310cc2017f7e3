package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// chineseAllowed are the non-test Go files (or folders, ending in "/")
// under backend/internal whose string literals may hold Chinese: content,
// input the server reads, stored defaults an enterprise edits, and the
// documents the server writes itself. Everything else the server says is a
// code with params that the UI translates (docs/architecture.md, "Labels in
// the user's language"; issue 9 item 12). The key is the path below
// backend/internal; the value says why. A literal inside a bilingual
// Text{Zh: …} (or assigned to a .Zh field) needs no entry.
var chineseAllowed = map[string]allowance{
	// Content: data, defaults an enterprise edits, input the server reads.
	"demo/":                                     {why: "the demo enterprise's data is Chinese content"},
	"config/config.go":                          {why: "defaults of app.name and staff.post_kinds, configuration the enterprise edits"},
	"outlet/postkind.go":                        {why: "the default post names each post kind matches in imported staff lists (input)"},
	"outlet/model.go":                           {why: "the post names stored on staff records and the certificate names an import accepts (data values, input)"},
	"outlet/staff.go":                           {why: "reads 是/否 cells of imported staff lists (input)"},
	"customer/phone.go":                         {why: "reads extension markers (转, 分机) in phone numbers people type (input)"},
	"region/region.go":                          {why: "the GB/T 2260 directory's own names of grouping rows (data)"},
	"customer/merge.go":                         {why: "the name an erased customer's record keeps (stored data, PIPL erasure)"},
	"workorder/customer_merge.go":               {why: "the signer an erased customer's work orders keep (stored data, PIPL erasure)"},
	"migrations/m0010_readiness_audit_grade.go": {why: "a landed migration is frozen; it maps stored post names to post kinds"},
	"messaging/templates.go":                    {why: "the default SMS templates: messages to customers the enterprise edits"},
	"messaging/feed.go":                         {why: "values put into SMS to customers (dates, \"as soon as possible\")"},
	"survey/service.go":                         {why: "the default survey templates: questions to customers the enterprise edits"},
	"sla/defaults.go":                           {why: "the default SLA calendars and policies seeded once, names the enterprise edits"},
	"workorder/model.go":                        {why: "the default work-order kind policies seeded once, names the enterprise edits"},
	"parts/service.go":                          {why: "the default unit of a part created without one (stored data)"},
	"httpapi/ui.go":                             {why: "the page served when the UI is not built (an HTML page, not JSON)"},
	"httpapi/routes.go":                         {why: "route descriptions of the OpenAPI document name business terms in Chinese (documentation)"},
	"httpapi/handlers_survey.go":                {why: "the thank-you the public survey page's customer gets (a message to a customer)"},

	// The Chinese half of bilingual texts built without a Text{Zh: …} literal.
	"readiness/explain.go": {why: "builds bilingual Text from parallel zh/en lists"},
	"readiness/rules.go":   {why: "bilingual Text whose English half names a certificate by its Chinese title (售后服务管理师)"},

	// Input the document imports read back (the documents themselves come from package i18n).
	"outlet/excel.go":    {why: "reads the Chinese words people put in imported outlet and staff lists (kinds, certificates, dates, separators)"},
	"readiness/sheet.go": {why: "the scoring sheet's bilingual headers and zh-CN sheet name, which its import matches (input)"},

	// Words other messages carry (not documents).
	"ticket/service.go":  {why: "status names the demo's timeline writes", mayClear: true},
	"recall/progress.go": {why: "remedy names the owner-notified event puts into the recall notice SMS (a message to customers)", mayClear: true},

	// Left: text the server stores and later answers (notes, reasons, descriptions, log entries). Each
	// needs a stored code with params and the UI's translation, as the ticket timeline has (body_code).
	"notification/feed.go":      {why: "left: a notification's stored title, also the text of its Web Push (the UI says kind + params)"},
	"app/wire_ops.go":           {why: "left: description and note of the ticket a recall booking opens (stored ticket content)"},
	"app/wire_quality.go":       {why: "left: title of the complaint a dissatisfied survey answer opens (stored complaint content)"},
	"repair/quotelink.go":       {why: "left: who approved a quote online (stored)"},
	"parts/requisition.go":      {why: "left: the note of a cancelled requisition (stored)"},
	"servicerequest/service.go": {why: "left: the description of the ticket the public form opens (stored ticket content)"},
	"readiness/measures_sql.go": {why: "left: a suggested deduction's finding, stored as the recorded deduction's finding the quality manager edits"},
}

// allowance is why a file may hold Chinese literals. mayClear marks the
// entries another piece of work is turning into go-i18n messages: such an
// entry may outlive its last Chinese literal without failing the test.
type allowance struct {
	why      string
	mayClear bool
}

// TestNoChineseStringLiterals fails when a string literal in a non-test Go
// file under backend/internal holds a Chinese character outside
// chineseAllowed and outside a bilingual Text{Zh: …}: a label the server
// made up in Chinese cannot come back. Comments are not literals. It also
// fails on an allowlist entry that no longer matches anything to allow.
func TestNoChineseStringLiterals(t *testing.T) {
	root := "../"
	fset := token.NewFileSet()
	used := map[string]bool{}
	var found []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(p, root))
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, lit := range chineseLiterals(f) {
			if key, ok := allowedBy(rel); ok {
				used[key] = true
				continue
			}
			s, _ := strconv.Unquote(lit.Value)
			found = append(found, fset.Position(lit.Pos()).String()+": "+strconv.Quote(s))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range found {
		t.Errorf("%s: a Chinese string literal; send a code with params the UI translates (frontend/src/i18n), "+
			"use package i18n for a document, or add the file to chineseAllowed with the reason", f)
	}
	for key, a := range chineseAllowed {
		if !used[key] && !a.mayClear {
			t.Errorf("chineseAllowed[%q] allows no Chinese literal any more: remove the entry", key)
		}
	}
}

// allowedBy returns the chineseAllowed key that covers rel.
func allowedBy(rel string) (string, bool) {
	if _, ok := chineseAllowed[rel]; ok {
		return rel, true
	}
	for key := range chineseAllowed {
		if strings.HasSuffix(key, "/") && strings.HasPrefix(rel, key) {
			return key, true
		}
	}
	return "", false
}

// chineseLiterals are f's string literals holding a Han character, except
// those inside the Chinese half of a bilingual text: the value of a Zh: key
// in a composite literal, or what is assigned to a .Zh field.
func chineseLiterals(f *ast.File) []*ast.BasicLit {
	type span struct{ from, to token.Pos }
	var bilingual []span
	var lits []*ast.BasicLit
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.KeyValueExpr:
			if k, ok := n.Key.(*ast.Ident); ok && k.Name == "Zh" {
				bilingual = append(bilingual, span{n.Value.Pos(), n.Value.End()})
			}
		case *ast.AssignStmt:
			for i, l := range n.Lhs {
				if s, ok := l.(*ast.SelectorExpr); ok && s.Sel.Name == "Zh" && i < len(n.Rhs) {
					bilingual = append(bilingual, span{n.Rhs[i].Pos(), n.Rhs[i].End()})
				}
			}
		case *ast.BasicLit:
			if n.Kind == token.STRING && strings.ContainsFunc(n.Value, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
				lits = append(lits, n)
			}
		}
		return true
	})
	return slices.DeleteFunc(lits, func(l *ast.BasicLit) bool {
		return slices.ContainsFunc(bilingual, func(s span) bool { return l.Pos() >= s.from && l.End() <= s.to })
	})
}
