package migrations_test

import (
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/aftersales/aftersales/backend/internal/auth"
	"github.com/aftersales/aftersales/backend/internal/migrations"
	"github.com/aftersales/aftersales/backend/internal/scheduler"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

// models lists the current domain models whose columns the migrations must
// provide. Domain packages add theirs in models_test.go files of this package.
var models = []any{&auth.User{}, &auth.Session{}, &auth.LoginFailure{}, &scheduler.JobLock{}, &scheduler.JobRun{}}

// TestModelsMatchSchema fails when a model has a column no migration creates.
func TestModelsMatchSchema(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		for _, m := range append(models, extraModels...) {
			s, err := schema.Parse(m, &sync.Map{}, g.NamingStrategy)
			if err != nil {
				t.Fatal(err)
			}
			if !g.Migrator().HasTable(s.Table) {
				t.Errorf("table %s of %T is not created by any migration", s.Table, m)
				continue
			}
			for _, f := range s.Fields {
				if f.DBName != "" && !g.Migrator().HasColumn(m, f.DBName) {
					t.Errorf("column %s.%s of %T is not created by any migration", s.Table, f.DBName, m)
				}
			}
		}
	})
}

// TestOlderDatabaseUpgrades creates a database at the first migration, puts
// data in it, then applies the rest: the data survives and every migration
// is recorded.
func TestOlderDatabaseUpgrades(t *testing.T) {
	g := testutil.SQLiteDBAt(t, "0001_platform")
	now := time.Now().UTC()
	if err := g.Exec("INSERT INTO users (username, display_name, password_hash, roles, disabled, password_changed_at, version, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
		"old", "Old user", "x", "admin", false, now, 1, now, now).Error; err != nil {
		t.Fatal(err)
	}
	if err := migrations.Migrate(g); err != nil {
		t.Fatal(err)
	}
	if err := migrations.Migrate(g); err != nil { // re-running is a no-op
		t.Fatal(err)
	}
	ids, err := migrations.Applied(g)
	if err != nil || len(ids) != len(migrations.All()) {
		t.Fatalf("applied %v (%v), want %d", ids, err, len(migrations.All()))
	}
	var n int64
	g.Model(&auth.User{}).Where("username = ?", "old").Count(&n)
	if n != 1 {
		t.Fatal("data lost in upgrade")
	}
}
