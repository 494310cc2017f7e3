package migrations_test

import (
	"testing"
	"time"

	"github.com/aftersales/aftersales/backend/internal/migrations"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

// TestDuplicateOutletNamesAreRenamedBeforeTheUniqueIndex: an install from
// before 0096 with three outlets of one name keeps the first name and
// suffixes the others with their codes; afterwards the index refuses a
// duplicate.
func TestDuplicateOutletNamesAreRenamedBeforeTheUniqueIndex(t *testing.T) {
	g := testutil.SQLiteDBAt(t, "0095_reports")
	now := time.Now().UTC()
	for i, code := range []string{"WD0001", "WD0002", "WD0003", "WD0004"} {
		name := "深圳安和家电维修部"
		if i == 3 {
			name = "广州天河服务中心"
		}
		if err := g.Exec(`INSERT INTO outlets (id, code, name, kind, region_code, address, phone, daily_capacity, status, version, created_at, updated_at)
VALUES (?, ?, ?, 'own', '440305', 'x', 'x', 10, 'active', 1, ?, ?)`, i+1, code, name, now, now).Error; err != nil {
			t.Fatal(err)
		}
	}
	if err := migrations.Migrate(g); err != nil {
		t.Fatal(err)
	}
	var names []string
	g.Raw("SELECT name FROM outlets ORDER BY id").Scan(&names)
	want := []string{"深圳安和家电维修部", "深圳安和家电维修部（WD0002）", "深圳安和家电维修部（WD0003）", "广州天河服务中心"}
	for i := range want {
		if i >= len(names) || names[i] != want[i] {
			t.Fatalf("names after the upgrade %v, want %v", names, want)
		}
	}
	if err := g.Exec(`INSERT INTO outlets (id, code, name, kind, region_code, address, phone, daily_capacity, status, version, created_at, updated_at)
VALUES (5, 'WD0005', '广州天河服务中心', 'own', '440305', 'x', 'x', 10, 'active', 1, ?, ?)`, now, now).Error; err == nil {
		t.Fatal("a duplicate name was accepted after 0096")
	}
}
