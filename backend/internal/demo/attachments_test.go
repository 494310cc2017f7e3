package demo

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/attachment"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/testutil"
	"github.com/aftersales/aftersales/backend/internal/workorder"
)

// TestSeedAttachments: the newest finished jobs get a fault photo, an after
// photo and the customer's signature, their tickets an invoice; the files
// are real images under the storage dir with thumbnails; a second run adds
// nothing. Parents are checked by their rows (the seed runs as the system,
// which sees every record).
func TestSeedAttachments(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		now := time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC)
		for i := uint64(1); i <= 3; i++ {
			w := workorder.WorkOrder{ID: i, Number: "WO00000" + string(rune('0'+i)), TicketID: 100 + i, Kind: "repair", Status: workorder.StatusSignedOff,
				CustomerID: 1, Result: workorder.ResultDone, Version: 1, CreatedAt: now, UpdatedAt: now}
			if err := db.Session(&gorm.Session{SkipHooks: true}).Create(&w).Error; err != nil {
				t.Fatal(err)
			}
		}
		dir := t.TempDir()
		files, _ := attachment.NewFiles(dir)
		exists := func(table string) attachment.ParentCheck {
			return func(ctx context.Context, id uint64) error {
				if table == "tickets" {
					return nil // the work orders above name tickets 101–103, which this test does not create
				}
				var n int64
				db.WithContext(ctx).Table(table).Where("id = ?", id).Count(&n)
				if n == 0 {
					return apperr.NotFound(table)
				}
				return nil
			}
		}
		svc, err := attachment.New(attachment.Options{DB: db, Audit: audit.New(nil), Files: files,
			Parents: map[string]attachment.ParentCheck{attachment.ParentWorkOrder: exists("work_orders"), attachment.ParentTicket: exists("tickets")}})
		if err != nil {
			t.Fatal(err)
		}
		d := AttachmentDeps{DB: db, Attachments: svc}
		if err := SeedAttachments(context.Background(), d); err != nil {
			t.Fatal(err)
		}
		if err := SeedAttachments(context.Background(), d); err != nil {
			t.Fatal(err)
		}
		var list []attachment.Attachment
		db.Order("id").Find(&list)
		if len(list) != 12 {
			t.Fatalf("%d attachments, want 3 jobs × 4", len(list))
		}
		kinds := map[string]int{}
		for _, a := range list {
			kinds[a.Kind]++
			b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(a.StorageKey)))
			if err != nil || len(b) == 0 || a.ThumbKey == "" || a.Width == 0 {
				t.Fatalf("%s: %v %+v", a.Kind, err, a)
			}
			if a.Kind == attachment.KindSignature && !bytes.HasPrefix(b, []byte("\x89PNG")) {
				t.Fatal("the signature is not a PNG")
			}
		}
		if kinds[attachment.KindSignature] != 3 || kinds[attachment.KindFaultPhoto] != 3 || kinds[attachment.KindPurchaseInvoice] != 3 {
			t.Fatalf("kinds %v", kinds)
		}
	})
}
