package httpapi_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aftersales/aftersales/backend/internal/testutil"
)

// Issue 10 item 9, as reported: a 1 MB recall import holding 1 GiB of
// zeros was a 201 and 3.2 GB of memory. It is a 422 naming the limit, on
// the recall import and the outlet import alike.
func TestXLSXZipBombImportsAreRefusedNamingTheLimit(t *testing.T) {
	h := newHarness(t)
	quality, admin := h.login("quality"), h.login("admin")
	bomb := testutil.XLSXBomb(t, 1<<30)
	c := h.expect(201, "POST", "/api/v1/recalls", quality, map[string]any{"title": "炸弹", "reason": "测试", "hazard_level": "low",
		"remedy": "repair", "start_date": time.Now().Format(time.DateOnly)})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	r := h.upload(fmt.Sprintf("/api/v1/recalls/%d/selectors/import", int(c.JSON(t)["id"].(float64))), quality, "bomb.xlsx", bomb)
	runtime.ReadMemStats(&after)
	if r.Status != 422 || r.errCode(t) != "workbook_too_large" || !strings.Contains(string(r.Body), "64 MiB") {
		t.Fatalf("recall import of a %d KiB zip bomb: %d %s", len(bomb)>>10, r.Status, r.Body)
	}
	t.Logf("recall import: %d KiB bomb (1 GiB unpacked) → 422; allocated %d MiB meanwhile", len(bomb)>>10, (after.TotalAlloc-before.TotalAlloc)>>20)
	if r := h.upload("/api/v1/outlets/import", admin, "bomb.xlsx", bomb); r.Status != 422 || !strings.Contains(string(r.Body), "MiB limit") {
		t.Fatalf("outlet import of a zip bomb: %d %s", r.Status, r.Body)
	}
}
