package attachment

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"image"
	_ "image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

// fixture is the service on a real database, with files in a temp dir.
// Parent records 1..99 are visible to the caller; any other id is not
// found, as the parent's own service answers for a record of another
// outlet.
type fixture struct {
	svc *Service
	ctx context.Context
	dir string
	db  *gorm.DB
}

func newFixture(t *testing.T, db *gorm.DB, maxBytes int64) *fixture {
	t.Helper()
	dir := t.TempDir()
	files, err := NewFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	visible := func(name string) ParentCheck {
		return func(_ context.Context, id uint64) error {
			if id == 0 || id > 99 {
				return apperr.NotFound(name)
			}
			return nil
		}
	}
	parents := map[string]ParentCheck{}
	for _, p := range ParentTypes() {
		parents[p] = visible(p)
	}
	svc, err := New(Options{DB: db, Audit: audit.New(nil), Files: files, Parents: parents, MaxBytes: maxBytes, ThumbPx: 64,
		Now: func() time.Time { return time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := actor.With(context.Background(), actor.Actor{UserID: 7, Username: "tech_li", Roles: []string{"technician"}})
	return &fixture{svc: svc, ctx: ctx, dir: dir, db: db}
}

func (f *fixture) upload(t *testing.T, parent string, id uint64, kind, name string, content []byte) (Attachment, error) {
	t.Helper()
	a, _, err := f.svc.Upload(f.ctx, UploadInput{ParentType: parent, ParentID: id, Kind: kind, FileName: name, Content: bytes.NewReader(content)})
	return a, err
}

// TestPhotoIsStoredWithoutGPS: a phone photo carrying EXIF with a GPS
// position is kept re-encoded, without the EXIF segment and without the
// position's bytes; its SHA-256 is of the stored file; its thumbnail fits
// the configured size. On both databases.
func TestPhotoIsStoredWithoutGPS(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db, 1<<20)
		photo := testutil.JPEGWithGPS(t, 200, 120)
		if len(jpegSegments(photo, 0xE1, []byte("Exif\x00\x00"))) != 1 || !bytes.Contains(photo, testutil.GPSLatitudeBytes()) {
			t.Fatal("the test photo does not carry its GPS EXIF")
		}
		a, err := f.upload(t, ParentWorkOrder, 5, KindFaultPhoto, "IMG_0001.JPG", photo)
		if err != nil {
			t.Fatal(err)
		}
		if !a.MetadataStripped || a.Width != 200 || a.Height != 120 || a.ContentType != "image/jpeg" || a.ThumbKey == "" {
			t.Fatalf("attachment %+v", a)
		}
		stored, err := os.ReadFile(filepath.Join(f.dir, filepath.FromSlash(a.StorageKey)))
		if err != nil {
			t.Fatal(err)
		}
		if len(jpegSegments(stored, 0xE1, []byte("Exif"))) != 0 || bytes.Contains(stored, testutil.GPSLatitudeBytes()) || bytes.Contains(stored, []byte("AcmePhone")) {
			t.Fatal("the stored photo still carries EXIF / the GPS position")
		}
		if hasMetadata(stored, "image/jpeg") {
			t.Fatal("metadata detected in the stored photo")
		}
		if sum := sha256Hex(stored); sum != a.SHA256 || int64(len(stored)) != a.Size {
			t.Fatalf("sha256 %s / size %d of the stored file, recorded %s / %d", sum, len(stored), a.SHA256, a.Size)
		}
		thumb, err := os.Open(filepath.Join(f.dir, filepath.FromSlash(a.ThumbKey)))
		if err != nil {
			t.Fatal(err)
		}
		defer thumb.Close()
		cfg, format, err := image.DecodeConfig(thumb)
		if err != nil || format != "jpeg" || cfg.Width != 64 || cfg.Height > 64 {
			t.Fatalf("thumbnail %s %dx%d %v", format, cfg.Width, cfg.Height, err)
		}
		// The original (with GPS) is not left anywhere under the storage dir.
		_ = filepath.Walk(f.dir, func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() {
				b, _ := os.ReadFile(p)
				if bytes.Contains(b, testutil.GPSLatitudeBytes()) {
					t.Errorf("%s holds the GPS position", p)
				}
			}
			return nil
		})
	})
}

// TestUploadRefusals: an executable named .jpg is a 415 content_mismatch,
// an .exe a 415 file_type_not_accepted, a file over the limit a 413, a
// signature that is a PDF, an unknown kind or parent type a 422, and a
// parent the caller cannot see a 404. Nothing is recorded.
func TestUploadRefusals(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db, 4096)
		pdf := []byte("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
		cases := []struct {
			name, parent string
			id           uint64
			kind, file   string
			content      []byte
			want         apperr.Kind
			code         string
		}{
			{"exe named jpg", ParentTicket, 1, KindFaultPhoto, "photo.jpg", testutil.Executable(), apperr.KindUnsupported, "content_mismatch"},
			{"png named jpg", ParentTicket, 1, KindFaultPhoto, "photo.jpg", testutil.PNG(t, 4, 4), apperr.KindUnsupported, "content_mismatch"},
			{"exe", ParentTicket, 1, KindOther, "setup.exe", testutil.Executable(), apperr.KindUnsupported, "file_type_not_accepted"},
			{"too big", ParentTicket, 1, KindFaultPhoto, "big.jpg", testutil.JPEGWithGPS(t, 400, 400), apperr.KindTooLarge, "file_too_large"},
			{"empty", ParentTicket, 1, KindOther, "empty.pdf", nil, apperr.KindValidation, "validation_failed"},
			{"pdf signature", ParentWorkOrder, 1, KindSignature, "sign.pdf", pdf, apperr.KindValidation, "validation_failed"},
			{"unknown kind", ParentTicket, 1, "selfie", "a.pdf", pdf, apperr.KindValidation, "validation_failed"},
			{"unknown parent", "invoice", 1, KindOther, "a.pdf", pdf, apperr.KindValidation, "validation_failed"},
			{"parent not visible", ParentRepair, 500, KindOther, "a.pdf", pdf, apperr.KindNotFound, "not_found"},
		}
		for _, c := range cases {
			_, err := f.upload(t, c.parent, c.id, c.kind, c.file, c.content)
			e := apperr.As(err)
			if err == nil || e.Kind != c.want || e.Code != c.code {
				t.Errorf("%s: want %s %s, got %v", c.name, c.want, c.code, err)
			}
		}
		var n int64
		db.Model(&Attachment{}).Count(&n)
		if n != 0 {
			t.Fatalf("%d attachments recorded by refused uploads", n)
		}
	})
}

// TestSignatureHashInAuditAndSoftDelete: a signature is recorded with its
// SHA-256 in the audit record; listing shows the parent's attachments
// only; deleting is soft (the row stays, marked), audited, version-checked,
// and the deleted attachment is no longer listed or served.
func TestSignatureHashInAuditAndSoftDelete(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db, 1<<20)
		sig, err := f.upload(t, ParentWorkOrder, 5, KindSignature, "signature.png", testutil.PNG(t, 300, 100))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.upload(t, ParentWorkOrder, 6, KindFaultPhoto, "p.jpg", testutil.JPEGWithGPS(t, 20, 20)); err != nil {
			t.Fatal(err)
		}
		var rec struct {
			Action string
			After  string
		}
		if err := db.Table("audit_records").Select("action, after").Where("entity = ? AND entity_id = ?", "attachment", sig.ID).Take(&rec).Error; err != nil {
			t.Fatal(err)
		}
		var after map[string]any
		if err := json.Unmarshal([]byte(rec.After), &after); err != nil {
			t.Fatal(err)
		}
		if rec.Action != "sign" || after["signature_sha256"] != sig.SHA256 || len(sig.SHA256) != 64 {
			t.Fatalf("audit %s %v; signature sha %s", rec.Action, after, sig.SHA256)
		}
		list, err := f.svc.List(f.ctx, ParentWorkOrder, 5)
		if err != nil || len(list) != 1 || list[0].ID != sig.ID {
			t.Fatalf("list: %v %+v", err, list)
		}
		ref := Ref{ParentType: ParentWorkOrder, ParentID: 5, ID: sig.ID}
		if _, err := f.svc.Get(f.ctx, Ref{ParentType: ParentWorkOrder, ParentID: 6, ID: sig.ID}); !apperr.IsKind(err, apperr.KindNotFound) {
			t.Fatalf("attachment read through another parent: %v", err)
		}
		if err := f.svc.Delete(f.ctx, ref, 9); !apperr.IsKind(err, apperr.KindConflict) {
			t.Fatalf("stale version: %v", err)
		}
		if err := f.svc.Delete(f.ctx, ref, sig.Version); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.Open(f.ctx, ref, false); !apperr.IsKind(err, apperr.KindNotFound) {
			t.Fatalf("deleted attachment served: %v", err)
		}
		if list, _ := f.svc.List(f.ctx, ParentWorkOrder, 5); len(list) != 0 {
			t.Fatalf("deleted attachment listed: %+v", list)
		}
		var row Attachment
		if err := db.Where("id = ?", sig.ID).Take(&row).Error; err != nil || row.DeletedAt == nil || row.DeletedByID == nil || *row.DeletedByID != 7 || row.Version != 2 {
			t.Fatalf("soft-deleted row %+v %v", row, err)
		}
		var n int64
		db.Table("audit_records").Where("entity = ? AND entity_id = ? AND action = ?", "attachment", sig.ID, "delete").Count(&n)
		if n != 1 {
			t.Fatalf("%d delete audit records", n)
		}
	})
}

// TestReplayedUploadIsStoredOnce: a phone replaying an upload with the
// same Idempotency-Key gets the first attachment back; the key used by
// another user or for another record is a 409.
func TestReplayedUploadIsStoredOnce(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db, 1<<20)
		in := func() UploadInput {
			return UploadInput{ParentType: ParentWorkOrder, ParentID: 5, Kind: KindAfterPhoto, FileName: "after.jpg",
				Content: bytes.NewReader(testutil.JPEGWithGPS(t, 30, 30)), IdempotencyKey: "k-after-5"}
		}
		first, replayed, err := f.svc.Upload(f.ctx, in())
		if err != nil || replayed {
			t.Fatal(err, replayed)
		}
		again, replayed, err := f.svc.Upload(f.ctx, in())
		if err != nil || !replayed || again.ID != first.ID {
			t.Fatalf("replay: %v %v %+v", err, replayed, again)
		}
		other := in()
		other.ParentID = 6
		if _, _, err := f.svc.Upload(f.ctx, other); apperr.As(err).Code != "idempotency_key_reused" {
			t.Fatalf("key reused for another record: %v", err)
		}
		someone := actor.With(context.Background(), actor.Actor{UserID: 8, Username: "tech_wang", Roles: []string{"technician"}})
		if _, _, err := f.svc.Upload(someone, in()); apperr.As(err).Code != "idempotency_key_reused" {
			t.Fatalf("key reused by another user: %v", err)
		}
		var n int64
		db.Model(&Attachment{}).Count(&n)
		if n != 1 {
			t.Fatalf("%d attachments", n)
		}
	})
}

// TestFilesKeepsIdenticalContentOnce and refuses keys leaving the dir.
func TestFilesKeepsIdenticalContentOnceAndStaysInItsDir(t *testing.T) {
	f, err := NewFiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	p := Policy{MaxBytes: 100, Types: map[string][]string{".txt": {"text/plain"}, ".zip": {"application/zip"}}}
	var keys []string
	for range 2 {
		r, err := f.Receive("notes", "a.txt", strings.NewReader("hello"), p)
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.Keep("notes", r)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, st.Key)
	}
	if keys[0] != keys[1] || !strings.HasPrefix(keys[0], "notes/2c/") {
		t.Fatalf("keys %v", keys)
	}
	if _, err := f.Receive("notes", "page.txt", strings.NewReader("<html><body>x</body></html>"), p); !apperr.IsKind(err, apperr.KindUnsupported) {
		t.Fatalf("html named .txt: %v", err)
	}
	if _, err := f.Path("../../etc/passwd"); err == nil {
		t.Fatal("a key outside the dir resolved")
	}
	if _, err := f.Path("notes/00/missing"); !apperr.IsKind(err, apperr.KindGone) {
		t.Fatalf("missing file: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Join(f.Dir(), "notes"))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "upload-") {
			t.Fatalf("temporary file left: %s", e.Name())
		}
	}
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
