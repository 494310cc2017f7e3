package xlsx_test

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/testutil"
	"github.com/aftersales/aftersales/backend/internal/xlsx"
)

// Issue 10 item 9: a 1 MB recall import holding 1 GiB of zeros was
// accepted and took the server from 110 MB to 3.2 GB. Opened through
// xlsx.Open it is a 422 naming the limit, and memory stays flat.
func TestZipBombIsRefusedNamingTheLimit(t *testing.T) {
	bomb := testutil.XLSXBomb(t, 1<<30) // 1 GiB of zeros
	t.Logf("bomb: %d KiB unpacking to 1 GiB", len(bomb)>>10)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := xlsx.Open(bytes.NewReader(bomb), "file", xlsx.Limits{})
	runtime.ReadMemStats(&after)
	e := apperr.As(err)
	if e.Kind != apperr.KindValidation || e.Code != "workbook_too_large" || !strings.Contains(e.Fields["file"].Message, "64 MiB") {
		t.Fatalf("zip bomb: %v %+v", err, e)
	}
	if grew := int64(after.TotalAlloc-before.TotalAlloc) >> 20; grew > 32 {
		t.Fatalf("opening the bomb allocated %d MiB", grew)
	}
	// Under the limits a workbook opens and reads.
	small := testutil.XLSXBomb(t, 1<<20)
	f, err := xlsx.Open(bytes.NewReader(small), "file", xlsx.Limits{})
	if err != nil {
		t.Fatalf("1 MiB workbook: %v", err)
	}
	_ = f.Close()
}

func TestRowCapIsA422NamingTheLimit(t *testing.T) {
	f := excelize.NewFile()
	for r := 1; r <= 120; r++ {
		_ = f.SetCellValue("Sheet1", fmt.Sprintf("A%d", r), fmt.Sprintf("SN%05d", r))
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	wb, err := xlsx.Open(bytes.NewReader(buf.Bytes()), "file", xlsx.Limits{Rows: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	rows, err := wb.Rows("Sheet1", "file")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		n++
	}
	e := apperr.As(rows.Err())
	if n != 100 || e.Kind != apperr.KindValidation || !strings.Contains(e.Fields["file"].Message, "100-row limit") {
		t.Fatalf("read %d rows, err %v", n, rows.Err())
	}
}
