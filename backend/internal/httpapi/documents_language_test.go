package httpapi_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"maps"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

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
		clock, file   string
	}{
		{"en-GB,en;q=0.9", "Tickets", map[string]string{"Channel": "Phone", "Type": "Repair", "Priority": "High", "Status": "New",
			"SLA breached": "No"}, "First response state", "filename*=UTF-8''tickets-"},
		{"zh-CN,zh;q=0.9", "工单", map[string]string{"渠道": "电话", "类型": "维修", "优先级": "高", "状态": "新建", "SLA是否超时": "否"}, "首次响应状态",
			"filename*=UTF-8''" + url.PathEscape("工单-")},
		{"", "工单", map[string]string{"渠道": "电话", "类型": "维修", "优先级": "高", "状态": "新建"}, "首次响应状态", "filename=\"tickets-"},
	} {
		var headers []string
		if c.accept != "" {
			headers = []string{"Accept-Language", c.accept}
		}
		r := h.expect(200, "GET", "/api/v1/tickets/export", agent, nil, headers...)
		if d := r.Header.Get("Content-Disposition"); !strings.Contains(d, c.file) {
			t.Errorf("Accept-Language %q: Content-Disposition %s, want %s", c.accept, d, c.file)
		}
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

// TestAuditPackSpeaksTheAskersLanguage: an audit pack asked for in English
// has English file, sheet and header names (and says so when built by the
// background job, after the request is gone); one asked in zh-CN, or with
// no language, has the Chinese ones.
func TestAuditPackSpeaksTheAskersLanguage(t *testing.T) {
	h := newHarness(t)
	buildWorld(t, h)
	tok := h.login("quality")
	from := time.Now().AddDate(-1, 0, 0).Format("2006-01-02")
	to := time.Now().Format("2006-01-02")
	for _, c := range []struct {
		accept, readme, outlets, outletSheet, records, step, zip string
		header                                                   []string
	}{
		{"en-US,en;q=0.9", "README.txt", "02_outlets.xlsx", "Outlets", "03_record_samples/Repair records.xlsx", "Done", "audit-pack-",
			[]string{"ID", "Outlet code", "Outlet name", "Kind"}},
		{"zh-CN", "说明.txt", "02_网点清单.xlsx", "网点清单", "03_记录抽样/维修记录.xlsx", "完成", url.PathEscape("审核资料包-"),
			[]string{"编号", "网点代码", "网点名称", "类型"}},
		{"", "说明.txt", "02_网点清单.xlsx", "网点清单", "03_记录抽样/维修记录.xlsx", "完成", url.PathEscape("审核资料包-"),
			[]string{"编号", "网点代码", "网点名称", "类型"}},
	} {
		var headers []string
		if c.accept != "" {
			headers = []string{"Accept-Language", c.accept}
		}
		p := h.expect(202, "POST", "/api/v1/certification/audit-packs", tok, map[string]any{"from": from, "to": to}, headers...)
		pid := int(p.JSON(t)["id"].(float64))
		deadline := time.Now().Add(30 * time.Second)
		var state map[string]any
		for {
			state = h.do("GET", fmt.Sprintf("/api/v1/certification/audit-packs/%d", pid), tok, nil).JSON(t)
			if state["status"] == "done" || state["status"] == "failed" || time.Now().After(deadline) {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if state["status"] != "done" || state["step"] != c.step {
			t.Fatalf("Accept-Language %q: pack state %v", c.accept, state)
		}
		dl := h.readinessGet(state["download_url"].(string), tok)
		if d := dl.Header.Get("Content-Disposition"); !strings.Contains(d, "filename*=UTF-8''"+c.zip) {
			t.Errorf("Accept-Language %q: the pack's file name: %s", c.accept, d)
		}
		zr, err := zip.NewReader(bytes.NewReader(dl.Body), int64(len(dl.Body)))
		if err != nil {
			t.Fatal(err)
		}
		files := map[string]*zip.File{}
		for _, f := range zr.File {
			files[f.Name] = f
		}
		for _, want := range []string{c.readme, c.outlets, c.records} {
			if files[want] == nil {
				t.Fatalf("Accept-Language %q: pack lacks %s (has %v)", c.accept, want, slices.Collect(maps.Keys(files)))
			}
		}
		rc, err := files[c.outlets].Open()
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(rc)
		_ = rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		rows := sheetRows(t, body, c.outletSheet)
		if len(rows[0]) < len(c.header) || !slices.Equal(rows[0][:len(c.header)], c.header) {
			t.Errorf("Accept-Language %q: outlet list header %v, want %v…", c.accept, rows[0], c.header)
		}
	}
}

// TestTheLangParameterOutranksTheBrowsersLanguage: a download link carries
// the UI's language (?lang=), which wins over the Accept-Language the
// browser sends by itself; an unknown one is ignored.
func TestTheLangParameterOutranksTheBrowsersLanguage(t *testing.T) {
	h := newHarness(t)
	buildWorld(t, h)
	admin := h.login("admin")
	for _, c := range []struct {
		query, accept, sheet string
	}{
		{"?lang=en", "zh-CN,zh;q=0.9", "Outlets"},
		{"?lang=zh-CN", "en-US,en;q=0.9", "网点"},
		{"?lang=xx", "en", "Outlets"},
		{"", "en", "Outlets"},
		{"", "", "网点"},
	} {
		var headers []string
		if c.accept != "" {
			headers = []string{"Accept-Language", c.accept}
		}
		r := h.expect(200, "GET", "/api/v1/outlets/import/template"+c.query, admin, nil, headers...)
		sheetRows(t, r.Body, c.sheet)
	}
}
