package readiness

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/aftersales/aftersales/backend/internal/i18n"
)

// TestSheetRoundTripIsLossless: exporting a version and importing the file
// gives the same content, for both shipped standards.
func TestSheetRoundTripIsLossless(t *testing.T) {
	for _, std := range []*Standard{gbt(t), loadFile(t, standardsDir+"/sbt10401-2006.yaml")} {
		b, err := ExportSheet(std, 1, i18n.Translator{})
		if err != nil {
			t.Fatal(err)
		}
		id, lines, err := ReadSheet(bytes.NewReader(b))
		if err != nil || id != std.ID || len(lines) != len(std.Nodes()) {
			t.Fatalf("%s: read %q, %d lines of %d: %v", std.ID, id, len(lines), len(std.Nodes()), err)
		}
		_, back, errs := ApplySheet(std, lines)
		if len(errs) > 0 {
			t.Fatalf("%s: %+v", std.ID, errs)
		}
		if back.Fingerprint() != std.Fingerprint() {
			t.Errorf("%s: the round trip changed the standard", std.ID)
		}
		// MarshalStandard alone also reads back the same.
		data, err := MarshalStandard(std)
		if err != nil {
			t.Fatal(err)
		}
		if again, err := LoadStandard(data); err != nil || again.Fingerprint() != std.Fingerprint() {
			t.Errorf("%s: MarshalStandard does not read back: %v", std.ID, err)
		}
	}
}

// editSheet exports the shipped standard, lets edit change cells (by row
// and column letter) and reads it back.
func editSheet(t *testing.T, edit func(f *excelize.File, rowOf map[string]int)) []SheetLine {
	t.Helper()
	std := gbt(t)
	b, err := ExportSheet(std, 1, i18n.Translator{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	rowOf := map[string]int{}
	for i, ind := range std.Nodes() {
		rowOf[ind.Clause] = i + 2
	}
	edit(f, rowOf)
	var out bytes.Buffer
	if err := f.Write(&out); err != nil {
		t.Fatal(err)
	}
	_, lines, err := ReadSheet(&out)
	if err != nil {
		t.Fatal(err)
	}
	return lines
}

// TestSheetImportReplacesInferredDefaults: the body's sheet sets a target
// and a window and marks rows as sourced; the inferred count shrinks.
func TestSheetImportReplacesInferredDefaults(t *testing.T) {
	lines := editSheet(t, func(f *excelize.File, rowOf map[string]int) {
		set := func(clause, col, v string) { _ = f.SetCellValue(SheetName, col+itoa(rowOf[clause]), v) }
		set("5.2.2.1", "H", "90%") // target
		set("5.2.2.1", "J", "24")  // window
		set("5.2.2.1", "N", "否")   // no longer inferred
		set("5.2.4.3", "N", "否")
	})
	_, std, errs := ApplySheet(gbt(t), lines)
	if len(errs) > 0 {
		t.Fatalf("%+v", errs)
	}
	leaf, _ := std.Indicator("5.2.2.1")
	if leaf.Rule.Target != 0.9 || leaf.Rule.WindowMonths != 24 || leaf.Inferred {
		t.Errorf("5.2.2.1 = %+v inferred %v", leaf.Rule, leaf.Inferred)
	}
	inferred := 0
	for _, l := range std.Leaves() {
		if l.Inferred {
			inferred++
		}
	}
	if inferred != 41 {
		t.Errorf("%d of 44 inferred after the import, want 41", inferred)
	}
}

// TestSheetImportErrorsPerRow: every problem names its row; the fixed rules
// of GB/T 27922 apply to the sheet too.
func TestSheetImportErrorsPerRow(t *testing.T) {
	lines := editSheet(t, func(f *excelize.File, rowOf map[string]int) {
		set := func(clause, col, v string) { _ = f.SetCellValue(SheetName, col+itoa(rowOf[clause]), v) }
		set("5.1.1.1", "D", "three")       // points not a number
		set("5.2.2.1", "E", "generous")    // unknown mode
		set("5.1.6.2", "L", "full")        // points for nothing
		set("5.1.7.3", "N", "maybe")       // not 是/否
		set("5.3.2.1", "M", "colour=blue") // unknown parameter
	})
	_, _, errs := ApplySheet(gbt(t), lines)
	rows := map[int]string{}
	for _, e := range errs {
		rows[e.Row] += e.Message + "|"
	}
	std := gbt(t)
	rowOf := map[string]int{}
	for i, ind := range std.Nodes() {
		rowOf[ind.Clause] = i + 2
	}
	for clause, want := range map[string]string{"5.1.1.1": "not a number", "5.1.7.3": "是/否", "5.3.2.1": "unknown parameter"} {
		if !strings.Contains(rows[rowOf[clause]], want) {
			t.Errorf("row %d (%s): %q, want %q", rowOf[clause], clause, rows[rowOf[clause]], want)
		}
	}
	// Structural problems are reported once the cells parse.
	lines = editSheet(t, func(f *excelize.File, rowOf map[string]int) {
		set := func(clause, col, v string) { _ = f.SetCellValue(SheetName, col+itoa(rowOf[clause]), v) }
		set("5.2.2.1", "E", "generous")
		set("5.1.6.2", "L", "full")
		set("5.1.1.1", "O", "是") // deletable: refused by the fixed rules
	})
	_, _, errs = ApplySheet(gbt(t), lines)
	rows = map[int]string{}
	for _, e := range errs {
		rows[e.Row] += e.Message + "|"
	}
	for clause, want := range map[string]string{"5.2.2.1": `scoring "generous"`, "5.1.6.2": "if_empty: full is refused"} {
		if !strings.Contains(rows[rowOf[clause]], want) {
			t.Errorf("row %d (%s): %q, want %q", rowOf[clause], clause, rows[rowOf[clause]], want)
		}
	}
	lines = editSheet(t, func(f *excelize.File, rowOf map[string]int) {
		_ = f.SetCellValue(SheetName, "O"+itoa(rowOf["5.1.1.1"]), "是")
	})
	if _, _, errs = ApplySheet(gbt(t), lines); len(errs) != 1 || errs[0].Row != rowOf["5.1.1.1"] || !strings.Contains(errs[0].Message, "may not be declared deletable") {
		t.Errorf("deletable 5.1.1.1: %+v", errs)
	}
}

func itoa(n int) string { return fmtInt(n) }

func fmtInt(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// TestAnEnglishSheetReadsBackTheSame: the English export (its sheet names,
// English headers and yes/no) imports to the same standard.
func TestAnEnglishSheetReadsBackTheSame(t *testing.T) {
	text, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	std := gbt(t)
	b, err := ExportSheet(std, 1, text.For("en"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.GetSheetList(); len(got) != 2 || got[0] != "Scoring sheet" || got[1] != "Standard" {
		t.Fatalf("sheets %v", got)
	}
	rows, _ := f.GetRows("Scoring sheet")
	if rows[0][0] != "clause" || rows[0][2] != "title (en)" || (rows[1][13] != "yes" && rows[1][13] != "no") {
		t.Fatalf("English header and cells: %v / %v", rows[0], rows[1])
	}
	id, lines, err := ReadSheet(bytes.NewReader(b))
	if err != nil || id != std.ID || len(lines) != len(std.Nodes()) {
		t.Fatalf("read %q, %d lines of %d: %v", id, len(lines), len(std.Nodes()), err)
	}
	_, back, errs := ApplySheet(std, lines)
	if len(errs) > 0 {
		t.Fatalf("%+v", errs)
	}
	if back.Fingerprint() != std.Fingerprint() {
		t.Error("the English round trip changed the standard")
	}
}
