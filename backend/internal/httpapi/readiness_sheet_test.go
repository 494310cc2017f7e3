package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// importSheet posts a scoring sheet to the import route.
func (h *harness) importSheet(token string, sheet []byte, justification string) response {
	h.t.Helper()
	var fields map[string]string
	if justification != "" {
		fields = map[string]string{"justification": justification}
	}
	return h.uploadWith("/api/v1/readiness/standards/import", token, fields, "评分表.xlsx", sheet)
}

// rowOfClause finds a clause's row on the exported sheet.
func rowOfClause(t *testing.T, f *excelize.File, clause string) int {
	t.Helper()
	rows, _ := f.GetRows("评分表")
	for i, r := range rows {
		if len(r) > 0 && r[0] == clause {
			return i + 1
		}
	}
	t.Fatalf("no row for %s", clause)
	return 0
}

// TestReadinessScoringSheetImportExport: the export reads back unchanged
// (lossless), an edited sheet makes a new version with a justification and
// fewer inferred leaves, a bad sheet is refused row by row, and the
// calibration endpoint answers.
func TestReadinessScoringSheetImportExport(t *testing.T) {
	h := newReadinessHarness(t)
	tok := h.login("quality")
	ex := h.readinessGet("/api/v1/readiness/standards/gbt27922-2011/export", h.login("auditor"))
	if ex.Status != 200 || !strings.Contains(ex.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("export: %d %s", ex.Status, ex.Header)
	}
	// Lossless: importing the export changes nothing.
	if r := h.importSheet(tok, ex.Body, ""); r.Status != 200 || r.JSON(t)["created"] != false || r.JSON(t)["rows"].(float64) != 62 || r.JSON(t)["inferred"].(float64) != 43 {
		t.Fatalf("round trip: %d %s", r.Status, r.Body)
	}
	if r := h.importSheet(h.login("auditor"), ex.Body, ""); r.Status != 403 {
		t.Fatalf("auditor import: %d", r.Status)
	}
	f, err := excelize.OpenReader(bytes.NewReader(ex.Body))
	if err != nil {
		t.Fatal(err)
	}
	row := rowOfClause(t, f, "5.2.2.1")
	_ = f.SetCellValue("评分表", fmt.Sprintf("H%d", row), "90%")
	_ = f.SetCellValue("评分表", fmt.Sprintf("N%d", row), "否")
	var edited bytes.Buffer
	_ = f.Write(&edited)
	if r := h.importSheet(tok, edited.Bytes(), ""); r.Status != 422 || !strings.Contains(string(r.Body), "justification") {
		t.Fatalf("import without justification: %d %s", r.Status, r.Body)
	}
	r := h.importSheet(tok, edited.Bytes(), "中质协评分表 2026 版")
	if r.Status != 201 || r.JSON(t)["inferred"].(float64) != 42 || r.JSON(t)["leaves"].(float64) != 44 {
		t.Fatalf("import: %d %s", r.Status, r.Body)
	}
	std := h.do("GET", "/api/v1/readiness/standards/gbt27922-2011", tok, nil).JSON(t)
	if std["version"].(map[string]any)["source"] != "sheet" || std["version"].(map[string]any)["justification"] != "中质协评分表 2026 版" {
		t.Fatalf("stored version %v", std["version"])
	}
	// Errors per row; the fixed rules apply to a sheet too.
	_ = f.SetCellValue("评分表", fmt.Sprintf("D%d", rowOfClause(t, f, "5.1.1.1")), "three")
	_ = f.SetCellValue("评分表", fmt.Sprintf("E%d", rowOfClause(t, f, "5.2.4.3")), "generous")
	var bad bytes.Buffer
	_ = f.Write(&bad)
	r = h.importSheet(tok, bad.Bytes(), "x")
	if r.Status != 422 || r.errCode(t) != "sheet_invalid" {
		t.Fatalf("bad sheet: %d %s", r.Status, r.Body)
	}
	var body struct {
		Error struct {
			Details struct {
				Rows []struct {
					Row     int    `json:"row"`
					Clause  string `json:"clause"`
					Message string `json:"message"`
				} `json:"rows"`
			} `json:"details"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &body)
	if len(body.Error.Details.Rows) == 0 || body.Error.Details.Rows[0].Row != rowOfClause(t, f, "5.1.1.1") {
		t.Fatalf("row errors %s", r.Body)
	}
	if r := h.importSheet(tok, []byte("not a workbook"), "x"); r.Status != 422 {
		t.Fatalf("not a workbook: %d", r.Status)
	}
	if c := h.do("GET", "/api/v1/readiness/calibration", h.login("auditor"), nil); c.Status != 200 || c.JSON(t)["audits"] == nil {
		t.Fatalf("calibration: %d %s", c.Status, c.Body)
	}
}
