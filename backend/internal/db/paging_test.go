package db_test

import (
	"fmt"
	"testing"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/db"
)

func TestPageBoundsClampsPageAndSize(t *testing.T) {
	for _, c := range []struct {
		page, size, def, max int
		wantPage, wantSize   int
	}{
		{0, 0, 20, 200, 1, 20},
		{-3, -1, 20, 200, 1, 20},
		{4, 50, 20, 200, 4, 50},
		{2, 500, 20, 200, 2, 200},
		{1, 5000, 20, 0, 1, 5000}, // 0: no upper bound
	} {
		page, size := db.PageBounds(c.page, c.size, c.def, c.max)
		if page != c.wantPage || size != c.wantSize {
			t.Errorf("PageBounds(%d, %d, %d, %d) = %d, %d; want %d, %d", c.page, c.size, c.def, c.max, page, size, c.wantPage, c.wantSize)
		}
	}
}

func TestOffsetPageCountsAllAndReadsOnePage(t *testing.T) {
	withHelperTable(t, func(t *testing.T, g *gorm.DB) {
		for i := 1; i <= 7; i++ {
			if err := g.Create(&helperRow{Code: fmt.Sprintf("c%d", i), N: int64(i % 2), Version: 1}).Error; err != nil {
				t.Fatal(err)
			}
		}
		rows, total, err := db.OffsetPage[helperRow](g.Model(&helperRow{}).Where("n = ?", 1), "id DESC", 2, 3)
		if err != nil || total != 4 || len(rows) != 1 || rows[0].Code != "c1" {
			t.Fatalf("page 2 of the odd rows = %+v, total %d, %v", rows, total, err)
		}
		rows, total, err = db.OffsetPage[helperRow](g.Model(&helperRow{}).Where("n = ?", 5), "id", 1, 3)
		if err != nil || total != 0 || rows == nil || len(rows) != 0 {
			t.Fatalf("no match = %#v, total %d, %v (want an empty, non-nil page)", rows, total, err)
		}
	})
}

func TestTakeAnswersNotFoundNamingTheEntity(t *testing.T) {
	withHelperTable(t, func(t *testing.T, g *gorm.DB) {
		if err := g.Create(&helperRow{Code: "here", Version: 1}).Error; err != nil {
			t.Fatal(err)
		}
		var r helperRow
		if err := db.Take(g.Where("code = ?", "here"), &r, "row"); err != nil || r.Code != "here" {
			t.Fatalf("existing row = %+v, %v", r, err)
		}
		err := db.Take(g.Where("code = ?", "gone"), &r, "row")
		if e := apperr.As(err); !apperr.IsKind(err, apperr.KindNotFound) || e.Details["entity"] != "row" {
			t.Fatalf("missing row: %v", err)
		}
		if err := db.Take(g.Table("dbtest_no_such_table"), &r, "row"); err == nil || apperr.IsKind(err, apperr.KindNotFound) {
			t.Fatalf("a failing query must come back as it is, got %v", err)
		}
	})
}

func TestUpdateVersionedAndReadReadsTheNewRowBack(t *testing.T) {
	withHelperTable(t, func(t *testing.T, g *gorm.DB) {
		r := helperRow{Code: "r", N: 1, Version: 1}
		if err := g.Create(&r).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.UpdateVersionedAndRead(g, &r, r.ID, 1, "row", map[string]any{"n": 5, "version": 2}); err != nil || r.N != 5 || r.Version != 2 {
			t.Fatalf("after the update: %+v, %v", r, err)
		}
		if err := db.UpdateVersionedAndRead(g, &r, r.ID, 1, "row", map[string]any{"n": 6, "version": 2}); !apperr.IsKind(err, apperr.KindConflict) || r.N != 5 {
			t.Fatalf("a stale version must be a conflict and leave dst alone: %+v, %v", r, err)
		}
	})
}

func TestWhereOneOfMatchesAnyOfTheValues(t *testing.T) {
	withHelperTable(t, func(t *testing.T, g *gorm.DB) {
		for _, c := range []string{"a", "b", "c"} {
			if err := g.Create(&helperRow{Code: c, Version: 1}).Error; err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range []struct {
			values []string
			want   int64
		}{{nil, 3}, {[]string{"b"}, 1}, {[]string{"a", "c", "x"}, 2}} {
			var n int64
			if err := db.WhereOneOf(g.Model(&helperRow{}), "code", c.values).Count(&n).Error; err != nil || n != c.want {
				t.Errorf("WhereOneOf(%v) counts %d, %v; want %d", c.values, n, err, c.want)
			}
		}
	})
}
