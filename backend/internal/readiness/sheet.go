package readiness

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/aftersales/aftersales/backend/internal/i18n"
	"github.com/aftersales/aftersales/backend/internal/xlsx"
)

// The certification body's scoring sheet (评分表) as an .xlsx: one row per
// indicator in document order. Export writes a version in this layout;
// import reads it back, validates it under LoadStandard (including the
// fixed rules of GB/T 27922) and makes a new version. The round trip is
// lossless: exporting a version and importing the file gives the same
// content (the same fingerprint). The export speaks the reader's language
// (sheet names, headers, yes/no, the note); the import reads either: the
// scoring sheet by its zh-CN name or as the first sheet, the meta sheet by
// its "id" row, headers in full or by their Chinese or English part.

// SheetName is the zh-CN scoring sheet's tab; MetaSheetName holds the id.
const (
	SheetName     = "评分表"
	MetaSheetName = "标准"
)

// sheetColumns are the sheet's columns in order: key, the header the
// import matches (zh-CN and English) and the message id of the header an
// export writes (in zh-CN the same bilingual text, in English its English
// part).
var sheetColumns = []struct{ key, header, message string }{
	{"clause", "条款 clause", "sheet.standard.col.clause"},
	{"name_zh", "名称 title", "sheet.standard.col.name_zh"},
	{"name_en", "英文名称 title (en)", "sheet.standard.col.name_en"},
	{"points", "分值 points", "sheet.standard.col.points"},
	{"scoring", "计分方式 scoring (all_or_nothing|proportional|graded)", "sheet.standard.col.scoring"},
	{"kind", "规则类型 rule kind (metric|sample|document|ratio|manual)", "sheet.standard.col.kind"},
	{"basis", "度量或文件类型 measure / document type", "sheet.standard.col.basis"},
	{"target", "目标 target", "sheet.standard.col.target"},
	{"floor", "下限 floor (graded)", "sheet.standard.col.floor"},
	{"window", "窗口（月） window (months)", "sheet.standard.col.window"},
	{"min_population", "最小样本 min population", "sheet.standard.col.min_population"},
	{"if_empty", "空窗口 if empty (unknown|not_applicable|document:<type>)", "sheet.standard.col.if_empty"},
	{"params", "其他参数 other (ratio=…; minimum=…; max_age_months=…)", "sheet.standard.col.params"},
	{"inferred", "推定 inferred (是/否)", "sheet.standard.col.inferred"},
	{"deletable", "可删减 deletable (是/否)", "sheet.standard.col.deletable"},
	{"guidance_zh", "说明 guidance", "sheet.standard.col.guidance_zh"},
	{"guidance_en", "英文说明 guidance (en)", "sheet.standard.col.guidance_en"},
}

// SheetFileName is the exported sheet's file name in tr's language.
func SheetFileName(tr i18n.Translator, code string, version int) string {
	return tr.T("sheet.standard.file", map[string]any{"Code": code, "Version": version}) + ".xlsx"
}

// SheetRowError is a problem with one row of an imported sheet (row 0: the
// file as a whole).
type SheetRowError struct {
	Row     int    `json:"row"`
	Clause  string `json:"clause,omitempty"`
	Column  string `json:"column,omitempty"`
	Message string `json:"message"`
}

// ExportSheet writes a standard as the scoring sheet in tr's language (the
// standard's own texts stay as they are).
func ExportSheet(std *Standard, version int, tr i18n.Translator) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	sheet, metaSheet := tr.T("sheet.standard.sheet"), tr.T("sheet.standard.meta_sheet")
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	row := 1
	set := func(col int, v any) {
		cell, _ := excelize.CoordinatesToCellName(col+1, row)
		_ = f.SetCellValue(sheet, cell, v)
	}
	for i := range sheetColumns {
		set(i, tr.T(sheetMessages[sheetColumns[i].key]))
	}
	for _, ind := range std.Nodes() {
		row++
		inherited := false
		if p, ok := std.Indicator(ind.Parent); ok && ind.Parent != "" {
			inherited = p.Deletable
		}
		for i, v := range sheetRow(tr, ind, inherited) {
			if v != "" {
				set(i, v)
			}
		}
	}
	_ = f.SetColWidth(sheet, "A", "A", 12)
	_ = f.SetColWidth(sheet, "B", "C", 28)
	_ = f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	if _, err := f.NewSheet(metaSheet); err != nil {
		return nil, err
	}
	meta := [][2]string{{"id", std.ID}, {"code", std.Code}, {"version", strconv.Itoa(version)}, {"fingerprint", std.Fingerprint()},
		{"note", tr.T("sheet.standard.note")}}
	for i, kv := range meta {
		_ = f.SetCellValue(metaSheet, fmt.Sprintf("A%d", i+1), kv[0])
		_ = f.SetCellValue(metaSheet, fmt.Sprintf("B%d", i+1), kv[1])
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// num prints a number as its shortest decimal.
func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// sheetMessages are the header message ids by column key.
var sheetMessages = func() map[string]string {
	out := map[string]string{}
	for _, c := range sheetColumns {
		out[c.key] = c.message
	}
	return out
}()

// yesNoLabels are the message ids of a yes/no cell (parseYes reads both
// languages back).
var yesNoLabels = map[bool]string{true: "sheet.standard.yes", false: "sheet.standard.no"}

// sheetRow is one indicator's cells in column order.
func sheetRow(tr i18n.Translator, ind *Indicator, inheritedDeletable bool) []string {
	yesNo := func(b bool) string { return tr.T(yesNoLabels[b]) }
	cells := make([]string, len(sheetColumns))
	cells[0], cells[1], cells[2], cells[3] = ind.Clause, ind.Name.Zh, ind.Name.En, num(ind.Points)
	cells[13], cells[15], cells[16] = yesNo(ind.Inferred), ind.Guidance.Zh, ind.Guidance.En
	// Deletable is written where it is declared, not where it is inherited.
	cells[14] = yesNo(ind.Deletable)
	if inheritedDeletable {
		cells[14] = ""
	}
	if !ind.IsLeaf() || ind.Rule == nil {
		return cells
	}
	r := ruleOutOf(ind.Rule)
	cells[4], cells[5] = r.Scoring, r.Kind
	cells[6] = r.Measure + r.DocumentType
	if r.Target != nil {
		cells[7] = num(*r.Target)
	}
	if r.Floor != nil {
		cells[8] = num(*r.Floor)
	}
	if r.WindowMonths != nil {
		cells[9] = strconv.Itoa(*r.WindowMonths)
	}
	if r.MinPopulation != nil {
		cells[10] = strconv.Itoa(*r.MinPopulation)
	}
	switch v := r.IfEmpty.(type) {
	case string:
		cells[11] = v
	case map[string]string:
		cells[11] = "document:" + v["type"]
	}
	var params []string
	if r.Ratio != nil {
		params = append(params, "ratio="+num(*r.Ratio))
	}
	if r.Minimum != nil {
		params = append(params, "minimum="+strconv.Itoa(*r.Minimum))
	}
	if r.MaxAgeMonths != nil {
		params = append(params, "max_age_months="+strconv.Itoa(*r.MaxAgeMonths))
	}
	cells[12] = strings.Join(params, "; ")
	return cells
}

// SheetLine is one parsed row of a scoring sheet: its number and its cells
// by column key.
type SheetLine struct {
	Row   int
	Cells map[string]string
}

// ReadSheet reads the rows of an uploaded scoring sheet and the standard id
// its meta sheet names ("" when absent). Errors: validation (not a
// workbook, over a limit, no scoring sheet, columns missing).
func ReadSheet(r io.Reader) (id string, lines []SheetLine, err error) {
	wb, err := xlsx.Open(r, "file", xlsx.Limits{Rows: 5000})
	if err != nil {
		return "", nil, err
	}
	defer wb.Close()
	sheet := SheetName
	if idx, _ := wb.GetSheetIndex(SheetName); idx < 0 {
		sheet = wb.GetSheetName(0)
	}
	// The meta sheet: by its zh-CN name, else the first other sheet with
	// an "id" row (an English export calls it otherwise).
	metas := []string{MetaSheetName}
	for _, name := range wb.GetSheetList() {
		if name != sheet && name != MetaSheetName {
			metas = append(metas, name)
		}
	}
	for _, name := range metas {
		if idx, _ := wb.GetSheetIndex(name); idx < 0 || id != "" {
			continue
		}
		meta, _ := wb.GetRows(name)
		for _, m := range meta {
			if len(m) >= 2 && strings.TrimSpace(m[0]) == "id" {
				id = strings.TrimSpace(m[1])
			}
		}
	}
	rows, err := wb.Rows(sheet, "file")
	if err != nil {
		return "", nil, err
	}
	defer rows.Close()
	var header []string
	n := 0
	for rows.Next() {
		n++
		cols, cerr := rows.Columns()
		if cerr != nil {
			return "", nil, fmt.Errorf("readiness: sheet row %d: %w", n, cerr)
		}
		if header == nil {
			header = cols
			continue
		}
		cells := map[string]string{}
		blank := true
		for _, c := range sheetColumns {
			for j, h := range header {
				if j < len(cols) && headerKey(h) == c.key {
					cells[c.key] = strings.TrimSpace(cols[j])
				}
			}
			if cells[c.key] != "" {
				blank = false
			}
		}
		if !blank {
			lines = append(lines, SheetLine{Row: n, Cells: cells})
		}
	}
	if err := rows.Err(); err != nil {
		return "", nil, err
	}
	return id, lines, nil
}

// headerKey maps a header cell to a column key: the full header, or its
// Chinese or English part alone (the English export says "(yes/no)" where
// the bilingual header says "(是/否)").
func headerKey(h string) string {
	h = strings.TrimSpace(h)
	for _, c := range sheetColumns {
		if h == c.header || h == c.key {
			return c.key
		}
		zh, en, _ := strings.Cut(c.header, " ")
		if h == zh || (en != "" && (strings.EqualFold(h, en) || strings.EqualFold(h, strings.Replace(en, "是/否", "yes/no", 1)))) {
			return c.key
		}
	}
	return ""
}

// ApplySheet builds a standard file from a base version (its identity,
// scoring rules, measures and document types) and the sheet's indicator
// rows, and validates it. Every problem comes back with the row it
// concerns; nothing is returned when there is any.
func ApplySheet(base *Standard, lines []SheetLine) ([]byte, *Standard, []SheetRowError) {
	var errs []SheetRowError
	if len(lines) == 0 {
		return nil, nil, []SheetRowError{{Message: "the sheet has no indicator rows"}}
	}
	required := []string{"clause", "name_zh", "points"}
	for _, k := range required {
		if _, ok := lines[0].Cells[k]; !ok {
			errs = append(errs, SheetRowError{Row: 1, Column: k, Message: "column missing from the header row"})
		}
	}
	if len(errs) > 0 {
		return nil, nil, errs
	}
	byClause := map[string]*indicatorFile{}
	rowOf := map[string]int{}
	var roots []*indicatorFile
	order := []*indicatorFile{}
	parentOf := map[*indicatorFile]*indicatorFile{}
	for _, l := range lines {
		c := l.Cells
		bad := func(col, format string, args ...any) {
			errs = append(errs, SheetRowError{Row: l.Row, Clause: c["clause"], Column: col, Message: fmt.Sprintf(format, args...)})
		}
		clause := c["clause"]
		if clause == "" {
			bad("clause", "is required")
			continue
		}
		if _, dup := byClause[clause]; dup {
			bad("clause", "clause %s appears twice (also row %d)", clause, rowOf[clause])
			continue
		}
		ind := &indicatorFile{Clause: clause, Name: Text{Zh: c["name_zh"], En: c["name_en"]},
			Guidance: Text{Zh: c["guidance_zh"], En: c["guidance_en"]}}
		if p, ok := parseNum(c["points"]); ok {
			ind.Points = &p
		} else {
			bad("points", "%q is not a number", c["points"])
		}
		var ok bool
		if ind.Inferred, ok = parseYes(c["inferred"], false); !ok {
			bad("inferred", "%q is not 是/否", c["inferred"])
		}
		if ind.Deletable, ok = parseYes(c["deletable"], false); !ok {
			bad("deletable", "%q is not 是/否", c["deletable"])
		}
		if c["kind"] != "" {
			ind.Rule = ruleFromCells(c, bad)
		}
		// The parent is the longest clause already read that prefixes it.
		var parent *indicatorFile
		for p := clause; strings.Contains(p, "."); {
			p = p[:strings.LastIndex(p, ".")]
			if pf, ok := byClause[p]; ok {
				parent = pf
				break
			}
		}
		byClause[clause], rowOf[clause] = ind, l.Row
		order = append(order, ind)
		if parent == nil {
			roots = append(roots, ind)
		} else {
			parentOf[ind] = parent
		}
	}
	if len(errs) > 0 {
		return nil, nil, errs
	}
	// Attach children bottom-up so that each parent holds its subtree.
	for i := len(order) - 1; i >= 0; i-- {
		ind := order[i]
		if p := parentOf[ind]; p != nil {
			p.Children = append([]indicatorFile{*ind}, p.Children...)
		}
	}
	var rebuilt func(f *indicatorFile) indicatorFile
	rebuilt = func(f *indicatorFile) indicatorFile {
		out := *f
		out.Children = nil
		for _, c := range f.Children {
			out.Children = append(out.Children, rebuilt(byClause[c.Clause]))
		}
		return out
	}
	file := standardFileOf(base)
	file.Indicators = nil
	for _, r := range roots {
		file.Indicators = append(file.Indicators, rebuilt(r))
	}
	v := &validator{}
	std := v.build(&file)
	if len(v.problems) == 0 {
		v.fixedRules(std)
	}
	for _, p := range v.problems {
		e := SheetRowError{Clause: p.Clause, Column: p.Field, Message: p.Message}
		if r, ok := rowOf[p.Clause]; ok {
			e.Row = r
		}
		errs = append(errs, e)
	}
	if len(errs) > 0 {
		return nil, nil, errs
	}
	data, err := MarshalStandard(std)
	if err != nil {
		return nil, nil, []SheetRowError{{Message: err.Error()}}
	}
	// What is stored must load to exactly what was validated.
	again, err := LoadStandard(data)
	if err != nil || again.Fingerprint() != std.Fingerprint() {
		return nil, nil, []SheetRowError{{Message: fmt.Sprintf("internal: the written standard does not read back the same (%v)", err)}}
	}
	return data, again, nil
}

// ruleFromCells reads a leaf's rule columns.
func ruleFromCells(c map[string]string, bad func(col, format string, args ...any)) *ruleFile {
	r := &ruleFile{Kind: c["kind"], Scoring: c["scoring"]}
	switch RuleKind(r.Kind) {
	case RuleDocument:
		r.DocumentType = c["basis"]
	case RuleMetric, RuleSample:
		r.Measure = c["basis"]
	default:
		if c["basis"] != "" {
			bad("basis", "rule %s takes no measure or document type", r.Kind)
		}
	}
	fnum := func(col string) *float64 {
		if c[col] == "" {
			return nil
		}
		v, ok := parseNum(c[col])
		if !ok {
			bad(col, "%q is not a number", c[col])
			return nil
		}
		return &v
	}
	fint := func(col, v string) *int {
		if v == "" {
			return nil
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			bad(col, "%q is not a whole number", v)
			return nil
		}
		return &n
	}
	r.Target, r.Floor = fnum("target"), fnum("floor")
	r.WindowMonths, r.MinPopulation = fint("window", c["window"]), fint("min_population", c["min_population"])
	switch e := c["if_empty"]; {
	case strings.HasPrefix(e, "document:"):
		r.IfEmpty = ifEmptyFile{JudgeBy: "document", Type: strings.TrimSpace(strings.TrimPrefix(e, "document:"))}
	case e != "":
		r.IfEmpty = ifEmptyFile{Policy: e}
	}
	for _, p := range strings.FieldsFunc(c["params"], func(r rune) bool { return r == ';' || r == '；' }) {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch {
		case !ok:
			bad("params", "%q is not name=value", p)
		case k == "ratio":
			if x, ok := parseNum(v); ok {
				r.Ratio = &x
			} else {
				bad("params", "ratio %q is not a number", v)
			}
		case k == "minimum":
			r.Minimum = fint("params", v)
		case k == "max_age_months":
			r.MaxAgeMonths = fint("params", v)
		default:
			bad("params", "unknown parameter %q (want ratio, minimum, max_age_months)", k)
		}
	}
	return r
}

// parseNum reads a number, accepting a trailing % (95% = 0.95).
func parseNum(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	pct := strings.HasSuffix(s, "%")
	v, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	if pct {
		v /= 100
	}
	return v, true
}

// parseYes reads 是/否 (or yes/no, true/false, 1/0); empty is def.
func parseYes(s string, def bool) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return def, true
	case "是", "yes", "y", "true", "1", "√":
		return true, true
	case "否", "no", "n", "false", "0":
		return false, true
	}
	return false, false
}

// standardFileOf is the file layout of a base version's header (identity,
// scoring, measures, document types), for a sheet to fill in.
func standardFileOf(s *Standard) standardFile {
	w := s.WindowMonths
	sd, bonus, wait := s.Scoring.SpecialDeductions, s.Scoring.Bonus, s.Scoring.StarsAfterPass
	return standardFile{
		ID: s.ID, Code: s.Code, Name: s.Name, Edition: s.Edition, Issued: s.Issued, InForce: s.InForce, Supersedes: s.Supersedes,
		Source: s.Source, WindowMonths: &w, Measures: s.Measures, DocumentTypes: s.DocumentTypes,
		Scoring: scoringFile{Fail: s.Scoring.Fail, Bands: s.Scoring.Bands, SpecialDeductions: &sd, Bonus: &bonus, StarsAfterPass: &wait,
			Effort: s.Scoring.Effort},
	}
}
