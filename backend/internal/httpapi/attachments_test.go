package httpapi_test

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	_ "image/jpeg"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aftersales/aftersales/backend/internal/config"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

func sha256Of(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestAttachmentsAPI walks a job's attachments: the technician photographs
// the fault (EXIF with GPS is gone from what is served; the thumbnail is a
// small JPEG) and the customer signs (the signature's SHA-256 is in the
// audit record); an executable named .jpg is a 415, a file over
// storage.attachment_max_mib a 413, a body over the upload limit a 413 from
// the security middleware; the agent attaches the purchase invoice to the
// ticket; another outlet sees none of it; a delete is soft and audited.
func TestAttachmentsAPI(t *testing.T) {
	t.Setenv("AFTERSALES_DB_DSN", filepath.Join(t.TempDir(), "api.db"))
	h, _ := startHarness(t, func(c *config.Config) { c.Storage.AttachmentMaxMiB = 1 })
	w := buildWorld(t, h)
	agent, om, tech := h.login("agent"), h.login("outlet_manager"), h.login("technician")
	woID, v := jobFor(t, h, w, agent)
	if r := h.do("POST", fmt.Sprintf("/api/v1/work-orders/%d/accept", woID), om, map[string]any{"version": v}); r.Status != 200 {
		t.Fatalf("accept: %d %s", r.Status, r.Body)
	}
	wo := h.do("GET", fmt.Sprintf("/api/v1/work-orders/%d", woID), om, nil).JSON(t)
	ticketID := num(t, wo["ticket_id"])
	base := fmt.Sprintf("/api/v1/work-orders/%d/attachments", woID)

	photo := testutil.JPEGWithGPS(t, 640, 480)
	r := h.uploadWith(base, tech, map[string]string{"kind": "fault_photo", "note": "压缩机接线烧蚀"}, "IMG_2041.jpg", photo)
	if r.Status != 201 {
		t.Fatalf("photo: %d %s", r.Status, r.Body)
	}
	p := r.JSON(t)
	if p["metadata_stripped"] != true || p["is_image"] != true || p["width"].(float64) != 640 || len(p["sha256"].(string)) != 64 || p["thumbnail_url"] == nil {
		t.Fatalf("photo attachment %v", p)
	}
	file := h.do("GET", p["file_url"].(string), tech, nil)
	if file.Status != 200 || file.Header.Get("Content-Type") != "image/jpeg" || file.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("file: %d %v", file.Status, file.Header)
	}
	if bytes.Contains(file.Body, []byte("Exif\x00\x00")) || bytes.Contains(file.Body, testutil.GPSLatitudeBytes()) || bytes.Contains(file.Body, []byte("AcmePhone")) {
		t.Fatal("the served photo still carries EXIF / the GPS position")
	}
	if sha256Of(file.Body) != p["sha256"] {
		t.Fatal("sha256 is not the served file's")
	}
	// The UI's download link of a photo (AttachmentsPanel) asks for it as a download.
	if dl := h.do("GET", p["file_url"].(string)+"?download=1", tech, nil); dl.Status != 200 || !strings.HasPrefix(dl.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("photo as a download: %d %v %s", dl.Status, dl.Header, dl.Body)
	}
	thumb := h.do("GET", *strPtr(p["thumbnail_url"]), om, nil)
	cfg, format, err := image.DecodeConfig(bytes.NewReader(thumb.Body))
	if thumb.Status != 200 || err != nil || format != "jpeg" || cfg.Width != 320 || cfg.Height != 240 {
		t.Fatalf("thumbnail: %d %s %dx%d %v", thumb.Status, format, cfg.Width, cfg.Height, err)
	}

	// Refusals: sniffing, type, size (the service's limit and the
	// middleware's body limit), media type, kind.
	big := make([]byte, 3<<19) // 1.5 MiB
	_, _ = rand.Read(big)
	big = append(append([]byte{}, photo[:600]...), big...)
	huge := make([]byte, 25<<20)
	for _, c := range []struct {
		name, file string
		fields     map[string]string
		content    []byte
		status     int
		code       string
	}{
		{"exe named jpg", "photo.jpg", map[string]string{"kind": "fault_photo"}, testutil.Executable(), 415, "content_mismatch"},
		{"exe", "setup.exe", map[string]string{"kind": "other"}, testutil.Executable(), 415, "file_type_not_accepted"},
		{"over attachment_max_mib", "big.jpg", map[string]string{"kind": "fault_photo"}, big, 413, "file_too_large"},
		{"over the upload body limit", "huge.jpg", map[string]string{"kind": "fault_photo"}, huge, 413, "body_too_large"},
		{"unknown kind", "p.jpg", map[string]string{"kind": "selfie"}, photo, 422, "validation_failed"},
		{"no file", "", map[string]string{"kind": "other"}, nil, 422, "validation_failed"},
	} {
		r := h.uploadWith(base, tech, c.fields, c.file, c.content)
		if r.Status != c.status || r.errCode(t) != c.code {
			t.Errorf("%s: want %d %s, got %d %s", c.name, c.status, c.code, r.Status, r.Body)
		}
	}
	if r := h.do("POST", base, tech, map[string]any{"kind": "other"}); r.Status != 415 {
		t.Errorf("JSON body: %d %s", r.Status, r.Body)
	}

	// The customer's signature: its hash is in the audit record. The phone
	// replays it (same Idempotency-Key): 200 with the same attachment.
	pad := testutil.PNG(t, 600, 200)
	r = h.uploadWith(base, tech, map[string]string{"kind": "signature"}, "signature.png", pad, "Idempotency-Key", "sig-wo-1")
	if r.Status != 201 {
		t.Fatalf("signature: %d %s", r.Status, r.Body)
	}
	sig := r.JSON(t)
	if again := h.uploadWith(base, tech, map[string]string{"kind": "signature"}, "signature.png", pad, "Idempotency-Key", "sig-wo-1"); again.Status != 200 || again.JSON(t)["id"] != sig["id"] {
		t.Fatalf("replayed signature: %d %s", again.Status, again.Body)
	}
	var after string
	if err := h.app.DB.Table("audit_records").Select("after").Where("entity = ? AND entity_id = ? AND action = ?", "attachment",
		fmt.Sprint(num(t, sig["id"])), "sign").Scan(&after).Error; err != nil {
		t.Fatal(err)
	}
	var snap map[string]any
	if err := json.Unmarshal([]byte(after), &snap); err != nil || snap["signature_sha256"] != sig["sha256"] {
		t.Fatalf("audit record of the signature: %s (%v)", after, err)
	}

	list := h.do("GET", base, om, nil)
	if list.Status != 200 || len(list.JSON(t)["items"].([]any)) != 2 {
		t.Fatalf("list: %d %s", list.Status, list.Body)
	}

	// The purchase invoice on the ticket, by the agent; a technician has no
	// ticket permission.
	tbase := fmt.Sprintf("/api/v1/tickets/%d/attachments", ticketID)
	pdf := []byte("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
	r = h.uploadWith(tbase, agent, map[string]string{"kind": "purchase_invoice"}, "发票.pdf", pdf)
	if r.Status != 201 || r.JSON(t)["thumbnail_url"] != nil {
		t.Fatalf("invoice: %d %s", r.Status, r.Body)
	}
	inv := r.JSON(t)
	dl := h.do("GET", inv["file_url"].(string), om, nil)
	if dl.Status != 200 || !bytes.Equal(dl.Body, pdf) || !strings.HasPrefix(dl.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("invoice download: %d %v", dl.Status, dl.Header)
	}
	if r := h.do("GET", inv["file_url"].(string)[:strings.LastIndex(inv["file_url"].(string), "/")]+"/thumbnail", om, nil); r.Status != 404 {
		t.Fatalf("thumbnail of a PDF: %d", r.Status)
	}
	if r := h.do("GET", tbase, tech, nil); r.Status != 403 {
		t.Fatalf("technician on ticket attachments: %d", r.Status)
	}
	// An attachment is reached through its own parent only.
	if r := h.do("GET", fmt.Sprintf("/api/v1/tickets/%d/attachments/%d/file", ticketID, num(t, p["id"])), agent, nil); r.Status != 404 {
		t.Fatalf("a work order's attachment through the ticket: %d", r.Status)
	}

	// Another outlet sees nothing of it.
	techB := h.addUser("attach_tech_b", "technician", 2)
	for _, path := range []string{base, p["file_url"].(string), *strPtr(p["thumbnail_url"])} {
		if r := h.do("GET", path, techB, nil); r.Status != 404 {
			t.Errorf("outlet B %s: %d", path, r.Status)
		}
	}
	if r := h.uploadWith(base, techB, map[string]string{"kind": "other"}, "a.pdf", pdf); r.Status != 404 {
		t.Errorf("outlet B upload: %d %s", r.Status, r.Body)
	}

	// Delete: stale version 409, then soft delete, audited.
	one := fmt.Sprintf("%s/%d", base, num(t, p["id"]))
	if r := h.do("DELETE", one, om, nil, "If-Match", "7"); r.Status != 409 {
		t.Fatalf("stale delete: %d %s", r.Status, r.Body)
	}
	if r := h.do("DELETE", one, techB, nil); r.Status != 404 {
		t.Fatalf("outlet B delete: %d %s", r.Status, r.Body)
	}
	if r := h.do("DELETE", one, om, nil, "If-Match", "1"); r.Status != 204 {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	if r := h.do("GET", p["file_url"].(string), om, nil); r.Status != 404 {
		t.Fatalf("deleted file served: %d", r.Status)
	}
	if r := h.do("GET", base, om, nil); len(r.JSON(t)["items"].([]any)) != 1 {
		t.Fatalf("after delete: %s", r.Body)
	}
	var n int64
	h.app.DB.Table("attachments").Where("id = ? AND deleted_at IS NOT NULL", num(t, p["id"])).Count(&n)
	var audited int64
	h.app.DB.Table("audit_records").Where("entity = ? AND entity_id = ? AND action = ?", "attachment", fmt.Sprint(num(t, p["id"])), "delete").Count(&audited)
	if n != 1 || audited != 1 {
		t.Fatalf("soft delete row %d, audit %d", n, audited)
	}
}

func strPtr(v any) *string {
	s, _ := v.(string)
	return &s
}
