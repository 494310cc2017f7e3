package audit_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

func appendN(t *testing.T, g *gorm.DB, tr *audit.Trail, n int) {
	t.Helper()
	ctx := actor.With(context.Background(), actor.Actor{UserID: 7, Username: "agent", RequestID: "req-1"})
	for i := 0; i < n; i++ {
		err := g.Transaction(func(tx *gorm.DB) error {
			return tr.Record(ctx, tx, audit.Entry{Action: "update", Entity: "ticket", EntityID: fmt.Sprint(i),
				Before: map[string]any{"status": "new"}, After: map[string]any{"status": "assigned"}})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestTrailVerifyDetectsTampering(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		tr := audit.New(nil)
		ctx := context.Background()
		appendN(t, g, tr, 10)
		res, err := tr.Verify(ctx, g)
		if err != nil || !res.OK || res.Checked != 10 {
			t.Fatalf("intact chain: %+v %v", res, err)
		}
		// Alter record 4's after-image as an insider with SQL access would.
		if err := g.Exec("UPDATE audit_records SET after = ? WHERE seq = 4", `{"status":"closed"}`).Error; err != nil {
			t.Fatal(err)
		}
		res, err = tr.Verify(ctx, g)
		if err != nil || res.OK || res.BrokenAtSeq != 4 || !strings.Contains(res.Reason, "altered") {
			t.Fatalf("altered record: %+v %v", res, err)
		}
	})
}

func TestTrailVerifyDetectsDeletion(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		tr := audit.New(nil)
		appendN(t, g, tr, 5)
		if err := g.Exec("DELETE FROM audit_records WHERE seq = 3").Error; err != nil {
			t.Fatal(err)
		}
		res, _ := tr.Verify(context.Background(), g)
		if res.OK || res.BrokenAtSeq != 3 {
			t.Fatalf("deleted middle: %+v", res)
		}
		if err := g.Exec("DELETE FROM audit_records WHERE seq >= 3").Error; err != nil {
			t.Fatal(err)
		}
		res, _ = tr.Verify(context.Background(), g)
		if res.OK || res.BrokenAtSeq != 3 {
			t.Fatalf("deleted tail: %+v", res)
		}
	})
}

func TestTrailConcurrentAppendsKeepChain(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		tr := audit.New(nil)
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 5; i++ {
					errs <- g.Transaction(func(tx *gorm.DB) error {
						return tr.Record(context.Background(), tx, audit.Entry{Action: "create", Entity: "x", EntityID: "1"})
					})
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		res, err := tr.Verify(context.Background(), g)
		if err != nil || !res.OK || res.Checked != 40 {
			t.Fatalf("%+v %v", res, err)
		}
	})
}
