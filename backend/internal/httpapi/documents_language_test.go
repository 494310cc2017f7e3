package httpapi_test

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"
)

// sheetRows opens a workbook answer and returns the rows of its sheet.
func sheetRows(t *testing.T, body []byte, sheet string) [][]string {
	t.Helper()
	book, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = book.Close() }()
	rows, err := book.GetRows(sheet)
	if err != nil || len(rows) == 0 {
		t.Fatalf("sheet %q: %v (sheets %v)", sheet, err, book.GetSheetList())
	}
	return rows
}

// cellsByHeader maps the header row onto one data row.
func cellsByHeader(header, row []string) map[string]string {
	out := map[string]string{}
	for i, h := range header {
		if i < len(row) {
			out[h] = row[i]
		}
	}
	return out
}

// TestTicketExportSpeaksTheReadersLanguage: the tickets export's sheet,
// headers (the SLA clock columns too) and code labels are English for an
// English Accept-Language and zh-CN for a Chinese one or none.
func TestTicketExportSpeaksTheReadersLanguage(t *testing.T) {
	h := newHarness(t)
	w := buildWorld(t, h)
	agent := h.login("agent")
	h.expect(201, "POST", "/api/v1/tickets", agent, map[string]any{"channel": "phone", "type": "repair", "priority": "high",
		"customer_id": w.customerID, "description": "不制冷"})
	for _, c := range []struct {
		accept, sheet string
		want          map[string]string
		clock         string
	}{
		{"en-GB,en;q=0.9", "Tickets", map[string]string{"Channel": "Phone", "Type": "Repair", "Priority": "High", "Status": "New",
			"SLA breached": "No"}, "First response state"},
		{"zh-CN,zh;q=0.9", "工单", map[string]string{"渠道": "电话", "类型": "维修", "优先级": "高", "状态": "新建", "SLA是否超时": "否"}, "首次响应状态"},
		{"", "工单", map[string]string{"渠道": "电话", "类型": "维修", "优先级": "高", "状态": "新建"}, "首次响应状态"},
	} {
		var headers []string
		if c.accept != "" {
			headers = []string{"Accept-Language", c.accept}
		}
		r := h.expect(200, "GET", "/api/v1/tickets/export", agent, nil, headers...)
		rows := sheetRows(t, r.Body, c.sheet)
		if len(rows) != 2 {
			t.Fatalf("%q: %d rows", c.accept, len(rows))
		}
		row := cellsByHeader(rows[0], rows[1])
		for col, v := range c.want {
			if row[col] != v {
				t.Errorf("Accept-Language %q: %s = %q, want %q (header %v)", c.accept, col, row[col], v, rows[0])
			}
		}
		if _, ok := row[c.clock]; !ok {
			t.Errorf("Accept-Language %q: no column %q in %v", c.accept, c.clock, rows[0])
		}
	}
}
