package httpapi_test

import (
	"fmt"
	"testing"

	"github.com/aftersales/aftersales/backend/internal/audit"
)

// noopPatch sends a PATCH that changes nothing (body, plus "version") and
// checks issue 14's rule: 200 with the current state, the version not
// bumped, no audit record written.
func (h *harness) noopPatch(t *testing.T, path, token string, body map[string]any, version any) map[string]any {
	t.Helper()
	v, ok := version.(float64)
	if !ok {
		t.Fatalf("noop patch %s: version %v is not a number", path, version)
	}
	body["version"] = v
	count := func() int64 {
		var n int64
		if err := h.app.DB.Model(&audit.Record{}).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	r := h.expect(200, "PATCH", path, token, body)
	out := r.JSON(t)
	if got, ok := out["version"]; ok && got != v {
		t.Fatalf("no-op PATCH %s bumped the version %v → %v", path, v, got)
	}
	if etag := r.Header.Get("ETag"); etag != "" && etag != fmt.Sprintf(`"%d"`, int64(v)) {
		t.Fatalf("no-op PATCH %s: ETag %s, want version %v", path, etag, v)
	}
	if after := count(); after != before {
		t.Fatalf("no-op PATCH %s wrote %d audit records", path, after-before)
	}
	t.Logf("no-op PATCH %s ok (version %v)", path, v)
	return out
}
