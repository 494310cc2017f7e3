package db_test

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

// helperRow is a table of this test only: a unique code, a counter, a
// version and two instants, enough to exercise every dialect helper.
type helperRow struct {
	ID      uint64 `gorm:"primaryKey"`
	Code    string `gorm:"size:64;not null;uniqueIndex"`
	N       int64  `gorm:"not null"`
	Version int64  `gorm:"not null"`
	StartAt time.Time
	EndAt   time.Time
}

func (helperRow) TableName() string { return "dbtest_helper_rows" }

// withHelperTable runs fn per database on a fresh dbtest_helper_rows table.
func withHelperTable(t *testing.T, fn func(t *testing.T, g *gorm.DB)) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		m := g.Migrator()
		if err := m.DropTable(&helperRow{}); err != nil {
			t.Fatal(err)
		}
		if err := m.CreateTable(&helperRow{}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = m.DropTable(&helperRow{}) })
		fn(t, g)
	})
}

func TestForUpdateLocksOnMySQLAndIsDroppedOnSQLite(t *testing.T) {
	withHelperTable(t, func(t *testing.T, g *gorm.DB) {
		if err := g.Create(&helperRow{ID: 1, Code: "a", Version: 1}).Error; err != nil {
			t.Fatal(err)
		}
		sql := g.ToSQL(func(tx *gorm.DB) *gorm.DB {
			var r helperRow
			return db.ForUpdate(tx).Where("id = ?", 1).Take(&r)
		})
		if got, want := strings.Contains(sql, "FOR UPDATE"), db.IsMySQL(g); got != want {
			t.Fatalf("FOR UPDATE in %q = %v, want %v", sql, got, want)
		}
		err := g.Transaction(func(tx *gorm.DB) error {
			var r helperRow
			if err := db.ForUpdate(tx).Where("id = ?", 1).Take(&r).Error; err != nil {
				return err
			}
			if r.Code != "a" {
				t.Errorf("read %+v", r)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func TestInsertIgnoringDuplicatesCountsOnlyNewRows(t *testing.T) {
	withHelperTable(t, func(t *testing.T, g *gorm.DB) {
		for i, want := range []int64{1, 0, 0} {
			res := db.InsertIgnoringDuplicates(g).Create(&helperRow{Code: "dup", N: int64(i), Version: 1})
			if res.Error != nil {
				t.Fatalf("insert %d: %v", i, res.Error)
			}
			if res.RowsAffected != want {
				t.Errorf("insert %d: RowsAffected = %d, want %d", i, res.RowsAffected, want)
			}
		}
		var rows []helperRow
		if err := g.Find(&rows).Error; err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0].N != 0 {
			t.Errorf("rows = %+v, want the first insert only", rows)
		}
	})
}

func TestRawInsertsSkipDuplicates(t *testing.T) {
	withHelperTable(t, func(t *testing.T, g *gorm.DB) {
		for name, insert := range map[string]string{
			"InsertIgnoreInto":        db.InsertIgnoreInto(g) + " dbtest_helper_rows (code, n, version) VALUES (?, ?, 1)",
			"OnDuplicateKeyDoNothing": "INSERT INTO dbtest_helper_rows (code, n, version) VALUES (?, ?, 1)" + db.OnDuplicateKeyDoNothing(g),
		} {
			for i, want := range []int64{1, 0} {
				res := g.Exec(insert, name, i)
				if res.Error != nil {
					t.Fatalf("%s %d: %v", name, i, res.Error)
				}
				if res.RowsAffected != want {
					t.Errorf("%s %d: RowsAffected = %d, want %d", name, i, res.RowsAffected, want)
				}
			}
		}
		// A row breaking another constraint still fails.
		if err := g.Exec("INSERT INTO dbtest_helper_rows (code, n, version) VALUES (?, NULL, 1)"+db.OnDuplicateKeyDoNothing(g), "null-n").Error; err == nil {
			t.Error("OnDuplicateKeyDoNothing: a NULL in a NOT NULL column was accepted")
		}
		var n int64
		if err := g.Model(&helperRow{}).Count(&n).Error; err != nil || n != 2 {
			t.Errorf("count = %d (%v), want 2", n, err)
		}
	})
}

func TestOnDuplicateKeyAddKeepsRunningTotals(t *testing.T) {
	withHelperTable(t, func(t *testing.T, g *gorm.DB) {
		q := "INSERT INTO dbtest_helper_rows (code, n, version) VALUES (?, ?, ?)" + db.OnDuplicateKeyAdd(g, []string{"code"}, []string{"n", "version"})
		for _, add := range [][3]any{{"x", 2, 1}, {"x", 3, 1}, {"y", 7, 1}, {"x", 5, 1}} {
			if err := g.Exec(q, add[:]...).Error; err != nil {
				t.Fatal(err)
			}
		}
		var rows []helperRow
		if err := g.Order("code").Find(&rows).Error; err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 || rows[0].N != 10 || rows[0].Version != 3 || rows[1].N != 7 || rows[1].Version != 1 {
			t.Errorf("rows = %+v, want x: 10 over 3 adds, y: 7 over 1", rows)
		}
	})
}

func TestWherePrefixMatchesLiteralPrefixes(t *testing.T) {
	withHelperTable(t, func(t *testing.T, g *gorm.DB) {
		for i, code := range []string{"ab_c", "ab%x", "abc", "abd", "b", `a\b`, "工单1", "工单2", "工作"} {
			if err := g.Create(&helperRow{Code: code, Version: int64(i)}).Error; err != nil {
				t.Fatal(err)
			}
		}
		for prefix, want := range map[string]string{
			"ab":   "ab%x ab_c abc abd",
			"ab_":  "ab_c",
			"ab%":  "ab%x",
			`a\`:   `a\b`,
			"工单":   "工单1 工单2",
			"abcd": "",
			"":     `a\b ab%x ab_c abc abd b 工作 工单1 工单2`,
		} {
			var codes []string
			if err := db.WherePrefix(g.Model(&helperRow{}), "code", prefix).Pluck("code", &codes).Error; err != nil {
				t.Fatal(err)
			}
			sort.Strings(codes) // byte order: the collations differ
			if got := strings.Join(codes, " "); got != want {
				t.Errorf("prefix %q: %q, want %q", prefix, got, want)
			}
		}
	})
}

func TestInsertBatchRowsIsSmallerOnSQLite(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		want := 100
		if db.IsMySQL(g) {
			want = 1000
		}
		if got := db.InsertBatchRows(g); got != want {
			t.Errorf("InsertBatchRows = %d, want %d", got, want)
		}
		if db.IsSQLite(g) == db.IsMySQL(g) {
			t.Error("IsSQLite and IsMySQL agree")
		}
	})
}

func TestDateArithmetic(t *testing.T) {
	withHelperTable(t, func(t *testing.T, g *gorm.DB) {
		base := time.Date(2026, 3, 1, 8, 30, 0, 0, time.UTC)
		rows := []helperRow{
			{Code: "36h", StartAt: base, EndAt: base.Add(36 * time.Hour)},
			{Code: "3d", StartAt: base, EndAt: base.AddDate(0, 0, 3)},
			{Code: "3d+1ms", StartAt: base, EndAt: base.AddDate(0, 0, 3).Add(time.Millisecond)},
			{Code: "13d23h", StartAt: base, EndAt: base.Add(13*24*time.Hour + 23*time.Hour)},
			{Code: "14d", StartAt: base, EndAt: base.AddDate(0, 0, 14)},
			{Code: "20d", StartAt: base, EndAt: base.AddDate(0, 0, 20)},
		}
		if err := g.Create(&rows).Error; err != nil {
			t.Fatal(err)
		}
		type result struct {
			Code   string
			Days   float64
			Weeks  int64
			Within bool
			FromQ  float64
		}
		var got []result
		q := "SELECT code, " + db.DaysBetween(g, "start_at", "end_at") + " AS days, " + db.WholeWeeksBetween(g, "start_at", "end_at") + " AS weeks, " +
			"CASE WHEN " + db.NotLaterThanDaysAfter(g, "end_at", "start_at", 3) + " THEN 1 ELSE 0 END AS within, " +
			db.DaysBetween(g, "?", "end_at") + " AS from_q FROM dbtest_helper_rows ORDER BY id"
		if err := g.Raw(q, base.AddDate(0, 0, -1)).Scan(&got).Error; err != nil {
			t.Fatal(err)
		}
		want := []result{
			{"36h", 1.5, 0, true, 2.5},
			{"3d", 3, 0, true, 4},
			{"3d+1ms", 3, 0, false, 4},
			{"13d23h", 13 + 23.0/24, 1, false, 14 + 23.0/24},
			{"14d", 14, 2, false, 15},
			{"20d", 20, 2, false, 21},
		}
		if len(got) != len(want) {
			t.Fatalf("got %+v", got)
		}
		for i, w := range want {
			r := got[i]
			if r.Code != w.Code || abs(r.Days-w.Days) > 1e-3 || r.Weeks != w.Weeks || r.Within != w.Within || abs(r.FromQ-w.FromQ) > 1e-3 {
				t.Errorf("%s: got %+v, want %+v", w.Code, r, w)
			}
		}
	})
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

func TestUpdateVersionedAnswersConflictForAStaleVersion(t *testing.T) {
	withHelperTable(t, func(t *testing.T, g *gorm.DB) {
		if err := g.Create(&helperRow{ID: 7, Code: "v", N: 1, Version: 3}).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.UpdateVersioned(g, &helperRow{}, 7, 3, "row", map[string]any{"n": 2, "version": 4}); err != nil {
			t.Fatalf("current version: %v", err)
		}
		// The same version again is stale now, and so is an unknown id.
		for _, c := range []struct {
			id      uint64
			version int64
		}{{7, 3}, {8, 4}} {
			err := db.UpdateVersioned(g, &helperRow{}, c.id, c.version, "row", map[string]any{"n": 9, "version": c.version + 1})
			if e := apperr.As(err); err == nil || e.Code != "version_conflict" || e.Kind != apperr.KindConflict {
				t.Errorf("id %d version %d: %v, want version_conflict", c.id, c.version, err)
			}
		}
		// A struct update scoped by the caller (Select("*") writes zero values).
		err := db.UpdateVersioned(g.Select("*").Omit("id"), &helperRow{}, 7, 4, "row", &helperRow{Code: "v", N: 0, Version: 5})
		if err != nil {
			t.Fatalf("struct update: %v", err)
		}
		var r helperRow
		if err := g.Take(&r, 7).Error; err != nil {
			t.Fatal(err)
		}
		if r.N != 0 || r.Version != 5 {
			t.Errorf("row = %+v, want n 0 version 5", r)
		}
		// A database error is not a conflict.
		err = db.UpdateVersioned(g, &helperRow{}, 7, 5, "row", map[string]any{"no_such_column": 1})
		if err == nil || apperr.As(err).Code == "version_conflict" {
			t.Errorf("unknown column: %v, want a database error", err)
		}
	})
}

func TestDeleteVersionedDeletesOnlyTheVersionRead(t *testing.T) {
	withHelperTable(t, func(t *testing.T, g *gorm.DB) {
		if err := g.Create(&helperRow{ID: 1, Code: "d", Version: 2}).Error; err != nil {
			t.Fatal(err)
		}
		err := db.DeleteVersioned(g, &helperRow{}, 1, 1, "row")
		var e *apperr.Error
		if !errors.As(err, &e) || e.Code != "version_conflict" {
			t.Fatalf("stale delete: %v, want version_conflict", err)
		}
		if err := db.DeleteVersioned(g, &helperRow{}, 1, 2, "row"); err != nil {
			t.Fatalf("current delete: %v", err)
		}
		if err := db.DeleteVersioned(g, &helperRow{}, 1, 2, "row"); apperr.As(err).Code != "version_conflict" {
			t.Errorf("second delete: %v, want version_conflict", err)
		}
	})
}

func TestInsertInBatchesWritesEveryBatchAndMaxIDFindsTheLast(t *testing.T) {
	withHelperTable(t, func(t *testing.T, g *gorm.DB) {
		if id, err := db.MaxID(context.Background(), g, &helperRow{}); err != nil || id != 0 {
			t.Fatalf("MaxID of an empty table = %d, %v", id, err)
		}
		// More rows than two SQLite statements hold, and not a multiple of either batch.
		n := 2*db.InsertBatchRows(g) + 7
		rows := make([][]any, n)
		for i := range rows {
			rows[i] = []any{uint64(i + 1), "r" + strconv.Itoa(i), i, 1}
		}
		err := g.Transaction(func(tx *gorm.DB) error {
			return db.InsertInBatches(tx, "dbtest_helper_rows", []string{"id", "code", "n", "version"}, rows)
		})
		if err != nil {
			t.Fatal(err)
		}
		var count, sum int64
		if err := g.Model(&helperRow{}).Count(&count).Error; err != nil {
			t.Fatal(err)
		}
		if err := g.Model(&helperRow{}).Select("SUM(n)").Scan(&sum).Error; err != nil {
			t.Fatal(err)
		}
		if count != int64(n) || sum != int64(n*(n-1)/2) {
			t.Errorf("count %d sum %d, want %d and %d", count, sum, n, n*(n-1)/2)
		}
		if id, err := db.MaxID(context.Background(), g, &helperRow{}); err != nil || id != uint64(n) {
			t.Errorf("MaxID = %d, %v, want %d", id, err, n)
		}
		// A duplicate fails the statement and names the table.
		err = db.InsertInBatches(g, "dbtest_helper_rows", []string{"id", "code", "n", "version"}, rows[:1])
		if err == nil || !db.IsDuplicate(err) || !strings.Contains(err.Error(), "dbtest_helper_rows") {
			t.Errorf("duplicate row: %v", err)
		}
	})
}

func TestKeysetPagesVisitEveryRowOnce(t *testing.T) {
	withHelperTable(t, func(t *testing.T, g *gorm.DB) {
		for i := 1; i <= 7; i++ {
			if err := g.Create(&helperRow{ID: uint64(i), Code: strconv.Itoa(i), Version: 1}).Error; err != nil {
				t.Fatal(err)
			}
		}
		var newest []string
		var before uint64
		for {
			var page []helperRow
			if err := db.NewestFirst(g.Model(&helperRow{}), before, 3).Find(&page).Error; err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			ids := make([]string, len(page))
			for i, r := range page {
				ids[i] = strconv.FormatUint(r.ID, 10)
			}
			newest = append(newest, strings.Join(ids, ","))
			before = page[len(page)-1].ID
		}
		if got := strings.Join(newest, " | "); got != "7,6,5 | 4,3,2 | 1" {
			t.Errorf("newest first pages: %s", got)
		}
		var oldest []string
		var after uint64
		for {
			var page []helperRow
			if err := db.OldestFirst(g.Model(&helperRow{}), after, 4).Find(&page).Error; err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			for _, r := range page {
				oldest = append(oldest, strconv.FormatUint(r.ID, 10))
			}
			after = page[len(page)-1].ID
		}
		if got := strings.Join(oldest, ","); got != "1,2,3,4,5,6,7" {
			t.Errorf("oldest first: %s", got)
		}
	})
}
