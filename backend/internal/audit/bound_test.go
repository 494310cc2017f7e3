package audit_test

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

// Issue 10 item 1: a 30-million-character "username" went into the chain
// as an entity id. Every field is now bounded in the trail itself.
func TestTrailNeverStoresAnUnboundedString(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		tr := audit.New(nil)
		huge := strings.Repeat("用", 1<<20) // 1 Mi characters, 3 MiB
		ctx := actor.With(context.Background(), actor.Actor{Username: huge, RequestID: huge, IP: huge})
		err := g.Transaction(func(tx *gorm.DB) error {
			return tr.Record(ctx, tx, audit.Entry{Action: "login_failed" + huge, Entity: "user", EntityID: huge, After: map[string]any{"name": huge}})
		})
		if err != nil {
			t.Fatal(err)
		}
		var r audit.Record
		if err := g.Order("seq DESC").Take(&r).Error; err != nil {
			t.Fatal(err)
		}
		for name, v := range map[string]string{"actor": r.ActorName, "action": r.Action, "entity_id": r.EntityID, "request_id": r.RequestID, "ip": r.IP} {
			if n := utf8.RuneCountInString(v); n > audit.MaxShortField || !utf8.ValidString(v) {
				t.Errorf("%s holds %d characters", name, n)
			}
		}
		if len(r.After) > audit.MaxSnapshotBytes || !strings.Contains(r.After, `"_truncated":true`) || !strings.Contains(r.After, `"sha256"`) {
			t.Errorf("after-image not bounded: %d bytes %.80q", len(r.After), r.After)
		}
		if res, err := tr.Verify(context.Background(), g); err != nil || !res.OK {
			t.Fatalf("verify after a bounded record: %+v %v", res, err)
		}
	})
}
