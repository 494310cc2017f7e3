package httpapi_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestValidationErrorsCarryCodesAndParams: a 422 names each field with a
// machine code and its params, which the UI translates; the English message
// rides along for API users (issue 9 item 12).
func TestValidationErrorsCarryCodesAndParams(t *testing.T) {
	h := newHarness(t)
	agent := h.login("agent")
	r := h.do("POST", "/api/v1/tickets", agent, map[string]any{"channel": "fax", "type": "repair", "customer_id": 1,
		"description": strings.Repeat("坏", 4001)})
	if r.Status != 422 || r.errCode(t) != "validation_failed" {
		t.Fatalf("want 422 validation_failed, got %d %s", r.Status, r.Body)
	}
	fields, _ := r.JSON(t)["error"].(map[string]any)["fields"].(map[string]any)
	desc, _ := fields["description"].(map[string]any)
	params, _ := desc["params"].(map[string]any)
	if desc["code"] != "too_long" || params["max"] != float64(4000) || desc["message"] != "at most 4000 characters" {
		t.Fatalf("description: want too_long with max 4000, got %v", fields["description"])
	}
	channel, _ := fields["channel"].(map[string]any)
	allowed, _ := channel["params"].(map[string]any)["allowed"].([]any)
	if channel["code"] != "one_of" || len(allowed) == 0 {
		t.Fatalf("channel: want one_of with the allowed channels, got %v", fields["channel"])
	}
}

// TestTopLevelErrorsCarryTheirParams: a 404 names its entity in details, so
// the UI can say which record is missing in the user's language.
func TestTopLevelErrorsCarryTheirParams(t *testing.T) {
	h := newHarness(t)
	agent := h.login("agent")
	r := h.do("GET", "/api/v1/tickets/999999", agent, nil)
	details, _ := r.JSON(t)["error"].(map[string]any)["details"].(map[string]any)
	if r.Status != 404 || r.errCode(t) != "not_found" || details["entity"] != "ticket" {
		t.Fatalf("want 404 not_found naming the ticket, got %d %s", r.Status, r.Body)
	}
}

// TestExportsSpeakTheReadersLanguage: a report workbook's sheet and headers
// are Chinese for a Chinese Accept-Language (and by default), English for an
// English one.
func TestExportsSpeakTheReadersLanguage(t *testing.T) {
	h := newHarness(t)
	qm := h.login("quality")
	for _, c := range []struct {
		accept, sheet, first string
	}{
		{"zh-CN,zh;q=0.9", "技师效率", "技师"},
		{"", "技师效率", "技师"},
		{"en-US,en;q=0.9", "Technician productivity", "Technician"},
	} {
		var headers []string
		if c.accept != "" {
			headers = []string{"Accept-Language", c.accept}
		}
		r := h.do("GET", "/api/v1/reports/technicians/export", qm, nil, headers...)
		if r.Status != 200 {
			t.Fatalf("%q: %d %s", c.accept, r.Status, r.Body)
		}
		book, err := excelize.OpenReader(bytes.NewReader(r.Body))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := book.GetRows(c.sheet)
		if err != nil || len(rows) == 0 || rows[0][0] != c.first {
			t.Fatalf("Accept-Language %q: sheets %v, rows %v (%v)", c.accept, book.GetSheetList(), rows, err)
		}
	}
}
