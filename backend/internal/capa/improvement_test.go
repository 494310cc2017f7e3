package capa_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/capa"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

func TestActionLifecycle(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		loc := time.FixedZone("CST", 8*3600)
		now := time.Date(2026, 5, 10, 3, 0, 0, 0, time.UTC) // 11:00 local on 10 May
		svc := capa.New(capa.Options{DB: db, Audit: audit.New(nil), Location: loc, Now: func() time.Time { return now },
			Sources: map[string]capa.SourceCheck{capa.SourceComplaint: func(_ context.Context, id uint64) error {
				if id != 7 {
					return apperr.NotFound("complaint")
				}
				return nil
			}}})
		ctx := actor.With(context.Background(), actor.Actor{UserID: 1, Username: "quality"})
		day := func(d int) time.Time { return time.Date(2026, 5, d, 0, 0, 0, 0, time.UTC) }
		_, err := svc.Create(ctx, capa.NewAction{SourceKind: "gossip", Title: "", OwnerName: ""})
		e := apperr.As(err)
		if e.Kind != apperr.KindValidation || e.Fields["source_kind"].Code == "" || e.Fields["title"].Code == "" || e.Fields["owner_name"].Code == "" || e.Fields["due_date"].Code == "" {
			t.Fatalf("bad input: %v %v", err, e.Fields)
		}
		sid := uint64(8)
		_, err = svc.Create(ctx, capa.NewAction{SourceKind: capa.SourceComplaint, SourceID: &sid, Title: "x", OwnerName: "y", DueDate: day(20)})
		if e := apperr.As(err); e.Fields["source_id"].Code == "" {
			t.Fatalf("unknown source accepted: %v", err)
		}
		sid = 7
		a, err := svc.Create(ctx, capa.NewAction{SourceKind: capa.SourceComplaint, SourceID: &sid,
			Title: "网点排班增加周末技师", OwnerName: "李强", DueDate: day(9)})
		if err != nil {
			t.Fatal(err)
		}
		if !a.Overdue(svc.Today()) {
			t.Fatal("due yesterday and open: overdue")
		}
		b, err := svc.Create(ctx, capa.NewAction{SourceKind: capa.SourceSupervision, Kind: capa.KindPreventive,
			Title: "季度服务质量检查", OwnerName: "陈静", DueDate: day(10)})
		if err != nil || b.Overdue(svc.Today()) {
			t.Fatalf("due today is not overdue: %v", err)
		}
		// Effectiveness before close is an invalid transition.
		_, err = svc.CheckEffectiveness(ctx, b.ID, 0, true, "有效")
		if e := apperr.As(err); e.Code != "invalid_transition" {
			t.Fatalf("check before close: %v", err)
		}
		b, err = svc.Close(ctx, b.ID, b.Version, "已完成检查并通报")
		if err != nil || b.ClosedOnTime == nil || !*b.ClosedOnTime {
			t.Fatalf("closed on the due day is on time: %v %v", err, b.ClosedOnTime)
		}
		a, err = svc.Close(ctx, a.ID, a.Version, "已增加周末排班")
		if err != nil || *a.ClosedOnTime {
			t.Fatalf("closed the day after is late: %v", err)
		}
		_, err = svc.Close(ctx, a.ID, 0, "again")
		if e := apperr.As(err); e.Code != "invalid_transition" {
			t.Fatalf("close twice: %v", err)
		}
		a, err = svc.CheckEffectiveness(ctx, a.ID, a.Version, false, "周末投诉未下降")
		if err != nil || a.Status != capa.StatusIneffective || a.Effective == nil || *a.Effective {
			t.Fatalf("ineffective: %v %+v", err, a)
		}
		b, err = svc.CheckEffectiveness(ctx, b.ID, b.Version, true, "复查无问题")
		if err != nil || b.Status != capa.StatusVerified {
			t.Fatalf("verified: %v", err)
		}
		list, total, err := svc.List(ctx, capa.Filter{SourceKind: capa.SourceComplaint})
		if err != nil || total != 1 || list[0].ID != a.ID {
			t.Fatalf("list: %v %d", err, total)
		}
		st, err := svc.PeriodStats(ctx, "", day(1), day(31))
		if err != nil {
			t.Fatal(err)
		}
		if st.Created != 2 || st.Closed != 2 || st.Verified != 1 || st.Ineffective != 1 || st.ClosedOnTime != 1 || st.OpenNow != 0 {
			t.Fatalf("stats %+v", st)
		}
		var n int64
		db.Model(&audit.Record{}).Where("entity = ?", "corrective_action").Count(&n)
		if n != 6 {
			t.Fatalf("audit records %d, want 6", n)
		}
	})
}
