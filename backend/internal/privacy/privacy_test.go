package privacy_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/privacy"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

// TestAccessLogRecordsAndLists: each read is one row naming who, which
// customer, which job and when; reads without personal fields are not
// recorded; the list filters and pages newest first.
func TestAccessLogRecordsAndLists(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		l := privacy.New(db)
		o := uint64(3)
		ctx := actor.With(context.Background(), actor.Actor{UserID: 7, Username: "om", Roles: []string{"outlet_manager"}, OutletID: &o, RequestID: "r1", IP: "10.0.0.1"})
		job := uint64(55)
		for i := 0; i < 3; i++ {
			if err := l.Record(ctx, privacy.Read{CustomerID: 100 + uint64(i%2), WorkOrderID: &job, Fields: []string{privacy.FieldPhone, privacy.FieldAddress}, Purpose: privacy.PurposeWorkOrder},
				privacy.Read{CustomerID: 200}); err != nil {
				t.Fatal(err)
			}
		}
		all, err := l.List(ctx, privacy.Filter{})
		if err != nil || len(all) != 3 {
			t.Fatalf("list: %d %v", len(all), err)
		}
		e := all[0]
		if e.UserID != 7 || e.Username != "om" || *e.OutletID != 3 || *e.WorkOrderID != 55 || e.Fields != "phone,address" || e.IP != "10.0.0.1" ||
			time.Since(e.ReadAt) > time.Minute || all[0].ID < all[1].ID {
			t.Fatalf("entry: %+v", e)
		}
		mine, _ := l.List(ctx, privacy.Filter{CustomerID: 100})
		page, _ := l.List(ctx, privacy.Filter{Size: 1, BeforeID: all[0].ID})
		if len(mine) != 2 || len(page) != 1 || page[0].ID != all[1].ID {
			t.Fatalf("filters: %d %v", len(mine), page)
		}
		if _, err := l.List(ctx, privacy.Filter{From: time.Now(), To: time.Now().Add(-time.Hour)}); err == nil {
			t.Fatal("to before from accepted")
		}
	})
}
