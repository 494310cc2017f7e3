package outlet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/i18n"
	"github.com/aftersales/aftersales/backend/internal/xlsx"
)

// MaxImportRows bounds the data rows of one import file: a larger network
// is imported in several files, and a request stays well under a minute.
const MaxImportRows = 5000

// importLimits bound an uploaded workbook (package xlsx): a small zip
// cannot inflate into gigabytes ("zip bomb"), and blank rows are capped too.
var importLimits = xlsx.Limits{UnzipBytes: 64 << 20, XMLBytes: 32 << 20, Rows: 4 * MaxImportRows, RawValues: true}

// ImportError is one problem in one row of an import file. Row is the
// spreadsheet row number (the header is row 1); Field is the API field name
// and Column the header the user sees.
type ImportError struct {
	Row    int    `json:"row"`
	Field  string `json:"field"`
	Column string `json:"column,omitempty"`
	// Code and Params are what the UI translates (the field codes of
	// apperr, and "already_exists"); Message is their English.
	Code    string         `json:"code"`
	Params  map[string]any `json:"params,omitempty"`
	Message string         `json:"message"`
}

func importError(row int, field, column string, fe apperr.FieldError) ImportError {
	return ImportError{Row: row, Field: field, Column: column, Code: fe.Code, Params: fe.Params, Message: fe.Message}
}

// ImportReport is the outcome of an import: every non-blank data row is
// either imported (in its own transaction, audited) or failed with at least
// one error; nothing is half-written.
type ImportReport struct {
	Total    int           `json:"total"`
	Imported int           `json:"imported"`
	Failed   int           `json:"failed"`
	Errors   []ImportError `json:"errors"`
}

// column describes one column of an import template in one language
// (columnsIn): its header, example and note are that language's.
type column struct {
	Field    string
	Header   string
	Required bool
	Example  string
	Note     string
}

// columnSpec is a column before its language: Example is a value that
// reads the same in every language (a code, a date, a number); the words
// come from the message ids of the sheet's columnText.
type columnSpec struct {
	Field    string
	Required bool
	Example  string
}

// columnText holds the message ids of one sheet's headers, notes and
// worded examples, by field.
type columnText struct {
	headers, notes, examples map[string]string
}

var outletSpecs = []columnSpec{
	{"code", true, "WD-SZ-101"}, {"name", true, ""}, {"kind", true, ""}, {"contract_no", false, "HT-2025-0186"},
	{"contract_valid_from", false, "2025-01-01"}, {"contract_valid_to", false, "2027-12-31"}, {"region_code", true, "440305"},
	{"address", true, ""}, {"latitude", false, "22.5431"}, {"longitude", false, "113.9498"}, {"phone", true, "0755-86001234"},
	{"coverage", true, "440305,440306"}, {"category_ids", false, ""}, {"daily_capacity", true, "30"},
}

var outletText = columnText{
	headers: map[string]string{"code": "template.outlet.col.code", "name": "template.outlet.col.name", "kind": "template.outlet.col.kind",
		"contract_no": "template.outlet.col.contract_no", "contract_valid_from": "template.outlet.col.contract_valid_from",
		"contract_valid_to": "template.outlet.col.contract_valid_to", "region_code": "template.outlet.col.region_code",
		"address": "template.outlet.col.address", "latitude": "template.outlet.col.latitude", "longitude": "template.outlet.col.longitude",
		"phone": "template.outlet.col.phone", "coverage": "template.outlet.col.coverage", "category_ids": "template.outlet.col.category_ids",
		"daily_capacity": "template.outlet.col.daily_capacity"},
	notes: map[string]string{"code": "template.outlet.note.code", "name": "template.outlet.note.name", "kind": "template.outlet.note.kind",
		"contract_no": "template.outlet.note.contract_no", "contract_valid_from": "template.outlet.note.contract_valid_from",
		"contract_valid_to": "template.outlet.note.contract_valid_to", "region_code": "template.outlet.note.region_code",
		"address": "template.outlet.note.address", "latitude": "template.outlet.note.latitude", "longitude": "template.outlet.note.longitude",
		"phone": "template.outlet.note.phone", "coverage": "template.outlet.note.coverage", "category_ids": "template.outlet.note.category_ids",
		"daily_capacity": "template.outlet.note.daily_capacity"},
	examples: map[string]string{"name": "template.outlet.example.name", "kind": "label.outlet.kind.entrusted",
		"address": "template.outlet.example.address"},
}

var staffSpecs = []columnSpec{
	{"name", true, ""}, {"outlet_code", false, "WD-SZ-101"}, {"hq_department", false, ""}, {"post", true, PostTechnician},
	{"is_service_management", false, ""}, {"phone", true, "13800138000"}, {"hired_at", false, "2021-03-15"},
	{"certificate_kind", false, ""}, {"certificate_number", false, "T440305198801011234"}, {"certificate_issued_at", false, "2022-05-10"},
	{"certificate_expires_at", false, "2028-05-09"},
}

var staffText = columnText{
	headers: map[string]string{"name": "template.staff.col.name", "outlet_code": "template.staff.col.outlet_code",
		"hq_department": "template.staff.col.hq_department", "post": "template.staff.col.post",
		"is_service_management": "template.staff.col.is_service_management", "phone": "template.staff.col.phone",
		"hired_at": "template.staff.col.hired_at", "certificate_kind": "template.staff.col.certificate_kind",
		"certificate_number": "template.staff.col.certificate_number", "certificate_issued_at": "template.staff.col.certificate_issued_at",
		"certificate_expires_at": "template.staff.col.certificate_expires_at"},
	notes: map[string]string{"name": "template.staff.note.name", "outlet_code": "template.staff.note.outlet_code",
		"hq_department": "template.staff.note.hq_department", "post": "template.staff.note.post",
		"is_service_management": "template.staff.note.is_service_management", "phone": "template.staff.note.phone",
		"hired_at": "template.staff.note.hired_at", "certificate_kind": "template.staff.note.certificate_kind",
		"certificate_number": "template.staff.note.certificate_number", "certificate_issued_at": "template.staff.note.certificate_issued_at",
		"certificate_expires_at": "template.staff.note.certificate_expires_at"},
	examples: map[string]string{"name": "template.staff.example.name", "is_service_management": "label.common.no",
		"certificate_kind": "label.outlet.certificate.electrician"},
}

// columnsIn are a sheet's columns in tr's language. A note may name a
// list of words (Posts, Kinds), joined the language's way.
func columnsIn(tr i18n.Translator, specs []columnSpec, text columnText) []column {
	lists := map[string]any{"Posts": strings.Join(KnownPosts, tr.T("template.list_separator")),
		"Kinds": strings.Join(certificateKindsIn(tr), tr.T("template.list_separator"))}
	out := make([]column, len(specs))
	for i, c := range specs {
		out[i] = column{Field: c.Field, Required: c.Required, Example: c.Example, Header: tr.T(text.headers[c.Field]),
			Note: tr.T(text.notes[c.Field], lists)}
		if _, ok := text.examples[c.Field]; ok {
			out[i].Example = tr.T(text.examples[c.Field])
		}
	}
	return out
}

// certificateLabels are the message ids of the certificate kinds.
var certificateLabels = map[string]string{CertServiceManager: "label.outlet.certificate.service_manager",
	CertElectrician: "label.outlet.certificate.electrician", CertRefrigeration: "label.outlet.certificate.refrigeration",
	CertHeightWork: "label.outlet.certificate.height_work", CertGasAppliance: "label.outlet.certificate.gas_appliance",
	CertOther: "label.outlet.certificate.other"}

// certificateKindsIn are the certificate kinds' names in tr's language, in
// the template's order.
func certificateKindsIn(tr i18n.Translator) []string {
	var names []string
	for _, k := range []string{CertServiceManager, CertElectrician, CertRefrigeration, CertHeightWork, CertGasAppliance, CertOther} {
		names = append(names, tr.Label(certificateLabels, k))
	}
	return names
}

// The templates' (and the export's) sheets, and the message ids of their
// names.
const (
	outletSheet = "outlet"
	staffSheet  = "staff"
)

var sheetIDs = map[string]string{outletSheet: "template.outlet.sheet", staffSheet: "template.staff.sheet"}

// The message ids of the outlet codes the templates and the export show
// as words.
var (
	kindLabels     = map[string]string{KindOwn: "label.outlet.kind.own", KindEntrusted: "label.outlet.kind.entrusted"}
	statusLabels   = map[string]string{StatusActive: "label.outlet.status.active", StatusSuspended: "label.outlet.status.suspended"}
	contractLabels = map[string]string{ContractNotStarted: "label.outlet.contract.not_started", ContractValid: "label.outlet.contract.valid",
		ContractExpiring: "label.outlet.contract.expiring", ContractExpired: "label.outlet.contract.expired"}
)

// sheetNames are a sheet's names in every language (what an import looks
// for); headersByText maps every language's header of each column to its
// field.
func sheetNames(id string) []string {
	var out []string
	for _, tr := range i18n.All() {
		out = append(out, tr.T(sheetIDs[id]))
	}
	return out
}

func headersByText(specs []columnSpec, text columnText) map[string]string {
	out := map[string]string{}
	for _, tr := range i18n.All() {
		for _, c := range columnsIn(tr, specs, text) {
			if _, taken := out[headerKey(c.Header)]; !taken {
				out[headerKey(c.Header)] = c.Field
			}
		}
	}
	return out
}

// OutletTemplate writes the outlet import template (.xlsx) in tr's
// language: headers (required ones marked *), an example row and a sheet
// of notes.
func OutletTemplate(w io.Writer, tr i18n.Translator) error {
	return writeTemplate(w, tr, tr.T(sheetIDs[outletSheet]), columnsIn(tr, outletSpecs, outletText),
		map[string][]string{"kind": {tr.Label(kindLabels, KindOwn), tr.Label(kindLabels, KindEntrusted)}})
}

// StaffTemplate writes the staff import template (.xlsx) in tr's language.
func StaffTemplate(w io.Writer, tr i18n.Translator) error {
	return writeTemplate(w, tr, tr.T(sheetIDs[staffSheet]), columnsIn(tr, staffSpecs, staffText), map[string][]string{
		"post": KnownPosts, "is_service_management": {tr.T("label.common.yes"), tr.T("label.common.no")},
		"certificate_kind": certificateKindsIn(tr)})
}

func writeTemplate(w io.Writer, tr i18n.Translator, sheet string, cols []column, lists map[string][]string) error {
	f := excelize.NewFile()
	defer func() { _ = f.Close() }()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": codes and phones stay text
	if err != nil {
		return err
	}
	for i, c := range cols {
		colName, _ := excelize.ColumnNumberToName(i + 1)
		h := c.Header
		if c.Required {
			h += "*"
		}
		if err := f.SetColStyle(sheet, colName, text); err != nil {
			return err
		}
		if err := f.SetColWidth(sheet, colName, colName, float64(max(12, min(40, len([]rune(c.Example))*2+4)))); err != nil {
			return err
		}
		if err := f.SetCellValue(sheet, colName+"1", h); err != nil {
			return err
		}
		if err := f.SetCellStyle(sheet, colName+"1", colName+"1", head); err != nil {
			return err
		}
		if err := f.SetCellValue(sheet, colName+"2", c.Example); err != nil {
			return err
		}
		if opts := lists[c.Field]; len(opts) > 0 {
			dv := excelize.NewDataValidation(true)
			dv.Sqref = fmt.Sprintf("%s2:%s%d", colName, colName, MaxImportRows+1)
			if err := dv.SetDropList(opts); err != nil {
				return err
			}
			if err := f.AddDataValidation(sheet, dv); err != nil {
				return err
			}
		}
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	notesSheet := tr.T("template.notes.sheet")
	if _, err := f.NewSheet(notesSheet); err != nil {
		return err
	}
	notes := [][]any{{tr.T("template.notes.column"), tr.T("template.notes.required"), tr.T("template.notes.note")}}
	for _, c := range cols {
		req := tr.T("label.common.no")
		if c.Required {
			req = tr.T("label.common.yes")
		}
		notes = append(notes, []any{c.Header, req, c.Note})
	}
	notes = append(notes, []any{}, []any{tr.T("template.notes.example_row"), "", ""},
		[]any{tr.T("template.notes.limits", map[string]any{"Max": MaxImportRows}), "", ""})
	for i, row := range notes {
		if err := f.SetSheetRow(notesSheet, "A"+strconv.Itoa(i+1), &row); err != nil {
			return err
		}
	}
	if err := f.SetColWidth(notesSheet, "A", "A", 18); err != nil {
		return err
	}
	if err := f.SetColWidth(notesSheet, "C", "C", 70); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}

// sheetRow is one non-blank data row: its spreadsheet row number and its
// cells keyed by field.
type sheetRow struct {
	Num    int
	Values map[string]string
}

// readSheet reads the data rows of the sheet with one of names (or the
// first sheet). Headers are matched by text in any language (byText; a
// trailing * or a bracketed note is ignored), so columns may be reordered
// and extra columns are ignored; cols (the reader's language) name the
// missing ones. Errors: validation for a file that is not a readable
// .xlsx, lacks a required column or has too many rows.
func readSheet(r io.Reader, names []string, cols []column, byText map[string]string) ([]sheetRow, error) {
	f, err := xlsx.Open(r, "file", importLimits)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, apperr.FieldErr("file", apperr.Code("sheet_empty", "the workbook has no sheet"))
	}
	sheet := sheets[0]
	for _, name := range names {
		if slices.Contains(sheets, name) {
			sheet = name
			break
		}
	}
	rows, err := f.Rows(sheet, "file")
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	var (
		index []string // column position → field
		out   []sheetRow
		num   int
	)
	for rows.Next() {
		num++
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, apperr.FieldErr("file", apperr.Code("row_unreadable", fmt.Sprintf("row %d cannot be read", num)).With("row", num))
		}
		if index == nil {
			if blank(cells) {
				continue // leading blank rows before the header
			}
			index = make([]string, len(cells))
			found := map[string]bool{}
			for i, h := range cells {
				if field, ok := byText[headerKey(h)]; ok && !found[field] {
					index[i] = field
					found[field] = true
				}
			}
			var missing []string
			for _, c := range cols {
				if c.Required && !found[c.Field] {
					missing = append(missing, c.Header)
				}
			}
			if len(missing) > 0 {
				return nil, apperr.FieldErr("file", apperr.Code("missing_columns", "missing required column(s): "+strings.Join(missing, ", ")+"; download the template").With("columns", missing))
			}
			continue
		}
		if blank(cells) {
			continue
		}
		if len(out) == MaxImportRows {
			return nil, apperr.FieldErr("file", apperr.Code("too_many_rows", fmt.Sprintf("more than %d data rows; split the file", MaxImportRows)).With("max", MaxImportRows))
		}
		vals := map[string]string{}
		for i, v := range cells {
			if i < len(index) && index[i] != "" {
				vals[index[i]] = strings.TrimSpace(v)
			}
		}
		out = append(out, sheetRow{Num: num, Values: vals})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if index == nil {
		return nil, apperr.FieldErr("file", apperr.Code("sheet_empty", "the sheet is empty: no header row"))
	}
	return out, nil
}

var headerNote = regexp.MustCompile(`[（(].*$`)

func headerKey(h string) string {
	h = strings.TrimSpace(headerNote.ReplaceAllString(strings.TrimSpace(h), ""))
	return strings.TrimSpace(strings.TrimRight(h, "*＊ "))
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

var listSep = regexp.MustCompile(`[,，、;；\s]+`)

func splitList(v string) []string {
	var out []string
	for _, p := range listSep.Split(strings.TrimSpace(v), -1) {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

var dateForms = []string{"2006-01-02", "2006/1/2", "2006-1-2", "2006.1.2", "20060102", "2006年1月2日"}

// parseDate reads a date cell: text in a common form, or an Excel serial
// number (what a date-formatted cell holds).
func parseDate(v string) (*time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, true
	}
	if d, ok := strings.CutSuffix(v, " 00:00:00"); ok {
		v = d
	}
	for _, form := range dateForms {
		if t, err := time.Parse(form, v); err == nil {
			return &t, true
		}
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 1 && f < 2958466 && len(v) != 8 {
		t, err := excelize.ExcelDateToTime(f, false)
		if err == nil {
			d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
			return &d, true
		}
	}
	return nil, false
}

// cellText turns a numeric cell that Excel may have stored as 1.38E+10
// back into its digits.
func cellText(v string) string {
	if strings.ContainsAny(v, "eE") {
		if f, err := strconv.ParseFloat(v, 64); err == nil && f == float64(int64(f)) {
			return strconv.FormatInt(int64(f), 10)
		}
	}
	return v
}

func parseKind(v string) string {
	for _, tr := range i18n.All() {
		for k := range kindLabels {
			if strings.EqualFold(strings.TrimSpace(v), tr.Label(kindLabels, k)) {
				return k
			}
		}
	}
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "自营", "自建", "直营", KindOwn:
		return KindOwn
	case "委托", "合作", "授权", KindEntrusted:
		return KindEntrusted
	}
	return v
}

func parseCertKind(v string) string {
	v = strings.TrimSpace(v)
	for k, label := range CertificateLabels {
		if v == label || strings.EqualFold(v, k) {
			return k
		}
	}
	for _, tr := range i18n.All() {
		for k := range certificateLabels {
			if strings.EqualFold(v, tr.Label(certificateLabels, k)) {
				return k
			}
		}
	}
	switch v {
	case "管理师", "售后服务管理师证":
		return CertServiceManager
	case "低压电工", "低压电工作业", "电工":
		return CertElectrician
	case "制冷证", "制冷":
		return CertRefrigeration
	case "登高证", "高处作业":
		return CertHeightWork
	}
	return v
}

func columnHeader(cols []column, field string) string {
	for _, c := range cols {
		if c.Field == field {
			return c.Header
		}
	}
	return ""
}

// rowErrors turns a field map into import errors in column order.
func rowErrors(row int, cols []column, fields apperr.Fields) []ImportError {
	var out []ImportError
	for _, c := range cols {
		if fe, ok := fields[c.Field]; ok {
			out = append(out, importError(row, c.Field, c.Header, fe))
			delete(fields, c.Field)
		}
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		out = append(out, importError(row, k, columnHeader(cols, k), fields[k]))
	}
	return out
}

// conflictError turns a conflict from the store (duplicate code, phone,
// certificate number) into a row error on its field.
func conflictError(row int, cols []column, err error, remap map[string]string) ([]ImportError, bool) {
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		return nil, false
	}
	switch ae.Kind {
	case apperr.KindConflict:
		field, _ := ae.Details["field"].(string)
		if m, ok := remap[field]; ok {
			field = m
		}
		return []ImportError{importError(row, field, columnHeader(cols, field), apperr.Code("already_exists", "already exists: "+ae.Message))}, true
	case apperr.KindValidation:
		fields := apperr.Fields{}
		for k, v := range ae.Fields {
			if m, ok := remap[k]; ok {
				k = m
			}
			fields[k] = v
		}
		return rowErrors(row, cols, fields), true
	}
	return nil, false
}

// ImportOutlets reads an outlet workbook and creates one outlet per valid
// row, each in its own transaction with its audit record. A bad row
// (invalid field, unknown region or category, a code repeated in the file or
// already in the database) is reported and skipped. The file's headers may
// be in any language; the report names columns in tr's. Errors: validation
// for an unreadable file; internal.
func (s *Service) ImportOutlets(ctx context.Context, r io.Reader, tr i18n.Translator) (ImportReport, error) {
	outletColumns := columnsIn(tr, outletSpecs, outletText)
	rows, err := readSheet(r, sheetNames(outletSheet), outletColumns, headersByText(outletSpecs, outletText))
	if err != nil {
		return ImportReport{}, err
	}
	rep := ImportReport{Total: len(rows), Errors: []ImportError{}}
	// Resolve every category reference of the file at once.
	var refs []string
	for _, row := range rows {
		for _, ref := range splitList(row.Values["category_ids"]) {
			refs = append(refs, cellText(ref))
		}
	}
	slices.Sort(refs)
	refs = slices.Compact(refs)
	catIDs := map[string]uint64{}
	if len(refs) > 0 {
		if catIDs, err = s.resolveCategoryRefs(ctx, refs); err != nil {
			return ImportReport{}, err
		}
	}
	firstRow := map[string]int{}
	for _, row := range rows {
		v := row.Values
		fields := apperr.Fields{}
		o := Outlet{Code: v["code"], Name: v["name"], Kind: parseKind(v["kind"]), ContractNo: cellText(v["contract_no"]),
			RegionCode: cellText(v["region_code"]), Address: v["address"], Phone: cellText(v["phone"])}
		var ok bool
		if o.ContractValidFrom, ok = parseDate(v["contract_valid_from"]); !ok {
			fields["contract_valid_from"] = apperr.InvalidFormat(apperr.FormatDate)
		}
		if o.ContractValidTo, ok = parseDate(v["contract_valid_to"]); !ok {
			fields["contract_valid_to"] = apperr.InvalidFormat(apperr.FormatDate)
		}
		for _, f := range []struct {
			name string
			dst  **float64
		}{{"latitude", &o.Latitude}, {"longitude", &o.Longitude}} {
			if t := v[f.name]; t != "" {
				x, err := strconv.ParseFloat(t, 64)
				if err != nil {
					fields[f.name] = apperr.InvalidFormat(apperr.FormatNumber)
					continue
				}
				*f.dst = &x
			}
		}
		for _, c := range splitList(v["coverage"]) {
			o.Coverage = append(o.Coverage, cellText(c))
		}
		for _, ref := range splitList(v["category_ids"]) {
			id, ok := catIDs[cellText(ref)]
			if !ok {
				fields["category_ids"] = apperr.Unknown(ref)
				continue
			}
			o.CategoryIDs = append(o.CategoryIDs, id)
		}
		if t := cellText(v["daily_capacity"]); t == "" {
			fields["daily_capacity"] = apperr.Required()
		} else if n, err := strconv.Atoi(t); err != nil {
			fields["daily_capacity"] = apperr.InvalidFormat(apperr.FormatInteger)
		} else {
			o.DailyCapacity = n
		}
		s.normalise(&o, fields)
		if err := s.validate(ctx, &o, fields, false); err != nil {
			return ImportReport{}, err
		}
		if _, bad := fields["code"]; o.Code != "" && !bad {
			if first, dup := firstRow[o.Code]; dup {
				fields["code"] = apperr.Code("duplicate_row", fmt.Sprintf("duplicate of row %d in this file", first)).With("row", first)
			} else {
				firstRow[o.Code] = row.Num
			}
		}
		if len(fields) > 0 {
			rep.Failed++
			rep.Errors = append(rep.Errors, rowErrors(row.Num, outletColumns, fields)...)
			continue
		}
		err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			return s.createTx(ctx, tx, &o, "import")
		})
		if err != nil {
			if errs, ok := conflictError(row.Num, outletColumns, err, nil); ok {
				rep.Failed++
				rep.Errors = append(rep.Errors, errs...)
				continue
			}
			return ImportReport{}, wrap(err, "import outlets")
		}
		rep.Imported++
	}
	if rep.Imported > 0 {
		// The summary belongs to no business transaction (each row commits
		// on its own), so it is published, not enqueued.
		s.o.Bus.Publish(ctx, event.OutletImported.New(event.TopicOutlets, event.ImportSummary{Imported: rep.Imported, Failed: rep.Failed}))
	}
	return rep, nil
}

// ImportStaff reads a staff workbook and creates one staff member (with the
// optional certificate of the row) per valid row, each in its own
// transaction with audit records. Outlets are referred to by code. A bad row
// (invalid field, unknown outlet, a phone or certificate number repeated in
// the file or already recorded) is reported and skipped. Headers and
// words (yes/no, certificate kinds) may be in any language; the report
// names columns in tr's.
func (s *Service) ImportStaff(ctx context.Context, r io.Reader, tr i18n.Translator) (ImportReport, error) {
	staffColumns := columnsIn(tr, staffSpecs, staffText)
	rows, err := readSheet(r, sheetNames(staffSheet), staffColumns, headersByText(staffSpecs, staffText))
	if err != nil {
		return ImportReport{}, err
	}
	rep := ImportReport{Total: len(rows), Errors: []ImportError{}}
	var codes []string
	for _, row := range rows {
		if c := strings.ToUpper(cellText(row.Values["outlet_code"])); c != "" {
			codes = append(codes, c)
		}
	}
	slices.Sort(codes)
	codes = slices.Compact(codes)
	outletIDs := map[string]uint64{}
	for chunk := range slices.Chunk(codes, 500) {
		var found []Outlet
		if err := s.o.DB.WithContext(ctx).Select("id, code").Where("code IN ?", chunk).Find(&found).Error; err != nil {
			return ImportReport{}, apperr.Internal(fmt.Errorf("import staff: outlets: %w", err))
		}
		for _, o := range found {
			outletIDs[o.Code] = o.ID
		}
	}
	firstPhone := map[string]int{}
	firstCert := map[string]int{}
	certFields := map[string]string{"kind": "certificate_kind", "number": "certificate_number", "issued_at": "certificate_issued_at", "expires_at": "certificate_expires_at"}
	for _, row := range rows {
		v := row.Values
		fields := apperr.Fields{}
		m := StaffMember{Name: v["name"], HQDepartment: v["hq_department"], Post: v["post"], Phone: cellText(v["phone"]), Active: true}
		if code := strings.ToUpper(cellText(v["outlet_code"])); code != "" {
			if id, ok := outletIDs[code]; ok {
				m.OutletID = &id
			} else {
				fields["outlet_code"] = apperr.NoSuch("outlet").With("code", code)
			}
		}
		if b, ok := parseBool(v["is_service_management"]); ok {
			m.IsServiceManagement = b
		} else {
			fields["is_service_management"] = apperr.OneOf(tr.T("label.common.yes"), tr.T("label.common.no"))
		}
		var ok bool
		if m.HiredAt, ok = parseDate(v["hired_at"]); !ok {
			fields["hired_at"] = apperr.InvalidFormat(apperr.FormatDate)
		}
		_, outletBad := fields["outlet_code"]
		s.normaliseStaff(&m, fields)
		if msg, ok := fields["outlet_id"]; ok {
			delete(fields, "outlet_id")
			if !outletBad {
				fields["outlet_code"] = msg
			}
		}
		var certs []StaffCertificate
		if kind := v["certificate_kind"]; kind != "" || v["certificate_number"] != "" {
			in := NewCertificate{Kind: parseCertKind(kind), Number: cellText(v["certificate_number"])}
			issued, ok1 := parseDate(v["certificate_issued_at"])
			expires, ok2 := parseDate(v["certificate_expires_at"])
			cf := apperr.Fields{}
			if !ok1 {
				cf["issued_at"] = apperr.InvalidFormat(apperr.FormatDate)
			} else if issued != nil {
				in.IssuedAt = *issued
			}
			if !ok2 {
				cf["expires_at"] = apperr.InvalidFormat(apperr.FormatDate)
			}
			in.ExpiresAt = expires
			c := s.normaliseCertificate(in, cf)
			for k, msg := range cf {
				fields[certFields[k]] = msg
			}
			if len(cf) == 0 {
				key := c.Kind + "\x00" + c.Number
				if first, dup := firstCert[key]; dup {
					fields["certificate_number"] = apperr.Code("duplicate_row", fmt.Sprintf("duplicate of row %d in this file", first)).With("row", first)
				} else {
					firstCert[key] = row.Num
				}
				certs = append(certs, c)
			}
		}
		if _, bad := fields["phone"]; m.Phone != "" && !bad {
			if first, dup := firstPhone[m.Phone]; dup {
				fields["phone"] = apperr.Code("duplicate_row", fmt.Sprintf("duplicate of row %d in this file", first)).With("row", first)
			} else {
				firstPhone[m.Phone] = row.Num
			}
		}
		if len(fields) > 0 {
			rep.Failed++
			rep.Errors = append(rep.Errors, rowErrors(row.Num, staffColumns, fields)...)
			continue
		}
		err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			return s.createStaffTx(ctx, tx, &m, certs, "import")
		})
		if err != nil {
			remap := map[string]string{"number": "certificate_number", "outlet_id": "outlet_code"}
			if errs, ok := conflictError(row.Num, staffColumns, err, remap); ok {
				rep.Failed++
				rep.Errors = append(rep.Errors, errs...)
				continue
			}
			return ImportReport{}, wrap(err, "import staff")
		}
		rep.Imported++
	}
	if rep.Imported > 0 {
		// The summary belongs to no business transaction (each row commits
		// on its own), so it is published, not enqueued.
		s.o.Bus.Publish(ctx, event.StaffImported.New(event.TopicOutlets, event.ImportSummary{Imported: rep.Imported, Failed: rep.Failed}))
	}
	return rep, nil
}

// ExportOutlets writes the outlets visible to the caller that match f (page
// and size are ignored) as an .xlsx workbook with the import columns plus
// status and contract state, so an export can be edited and re-imported
// elsewhere. Rows go through excelize's streaming writer in pages of 1000.
// Headers and words are in tr's language. Errors: validation (bad
// filter), internal.
func (s *Service) ExportOutlets(ctx context.Context, w io.Writer, f OutletFilter, tr i18n.Translator) error {
	if _, err := s.outletQuery(ctx, f); err != nil {
		return err
	}
	x := excelize.NewFile()
	defer func() { _ = x.Close() }()
	sheet := tr.T(sheetIDs[outletSheet])
	if err := x.SetSheetName("Sheet1", sheet); err != nil {
		return apperr.Internal(err)
	}
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		return apperr.Internal(err)
	}
	cols := columnsIn(tr, outletSpecs, outletText)
	head := make([]any, 0, len(cols)+4)
	for _, c := range cols {
		head = append(head, c.Header)
	}
	head = append(head, tr.T("export.outlets.status"), tr.T("export.outlets.contract_state"), tr.T("export.outlets.region_name"),
		tr.T("export.outlets.version"))
	if err := sw.SetRow("A1", head); err != nil {
		return apperr.Internal(err)
	}
	today := s.Today()
	contract := func(state string) string {
		if state == ContractNone {
			return ""
		}
		return tr.Label(contractLabels, state)
	}
	rowNum := 1
	var after uint64
	for {
		q, _ := s.outletQuery(ctx, f)
		var page []Outlet
		if err := q.Where("id > ?", after).Order("id").Limit(1000).Find(&page).Error; err != nil {
			return apperr.Internal(fmt.Errorf("export outlets: %w", err))
		}
		if len(page) == 0 {
			break
		}
		if err := loadChildren(ctx, s.o.DB, page); err != nil {
			return apperr.Internal(fmt.Errorf("export outlets: %w", err))
		}
		for _, o := range page {
			rowNum++
			cats := make([]string, len(o.CategoryIDs))
			for i, id := range o.CategoryIDs {
				cats[i] = idString(id)
			}
			var lat, lon any
			if o.Latitude != nil {
				lat, lon = *o.Latitude, *o.Longitude
			}
			cell, _ := excelize.CoordinatesToCellName(1, rowNum)
			if err := sw.SetRow(cell, []any{o.Code, o.Name, tr.Label(kindLabels, o.Kind), o.ContractNo, dateString(o.ContractValidFrom),
				dateString(o.ContractValidTo), o.RegionCode, o.Address, lat, lon, o.Phone, strings.Join(o.Coverage, ","),
				strings.Join(cats, ","), o.DailyCapacity, tr.Label(statusLabels, o.Status), contract(o.ContractState(today)),
				s.o.Regions.FullName(o.RegionCode), o.Version}); err != nil {
				return apperr.Internal(err)
			}
		}
		after = page[len(page)-1].ID
	}
	if err := sw.Flush(); err != nil {
		return apperr.Internal(err)
	}
	if _, err := x.WriteTo(w); err != nil {
		return apperr.Internal(fmt.Errorf("export outlets: write: %w", err))
	}
	return nil
}

// templateBytes renders a template into memory (a few KB).
func templateBytes(write func(io.Writer) error) ([]byte, error) {
	var b bytes.Buffer
	if err := write(&b); err != nil {
		return nil, apperr.Internal(err)
	}
	return b.Bytes(), nil
}

// OutletTemplateBytes returns the outlet import template in tr's language.
func (s *Service) OutletTemplateBytes(tr i18n.Translator) ([]byte, error) {
	return templateBytes(func(w io.Writer) error { return OutletTemplate(w, tr) })
}

// StaffTemplateBytes returns the staff import template in tr's language.
func (s *Service) StaffTemplateBytes(tr i18n.Translator) ([]byte, error) {
	return templateBytes(func(w io.Writer) error { return StaffTemplate(w, tr) })
}
