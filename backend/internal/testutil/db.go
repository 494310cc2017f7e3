// Package testutil gives tests real databases: ForEachDB runs one test body
// on the embedded SQLite and on MariaDB/MySQL (TEST_MYSQL_DSN). With
// REQUIRE_MYSQL=1 a missing or unreachable MySQL fails the test instead of
// skipping it, so CI cannot pass on SQLite alone.
package testutil

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/migrations"
)

// Driver names used as subtest names.
const (
	SQLite = "sqlite"
	MySQL  = "mysql"
)

type shared struct {
	once sync.Once
	db   *gorm.DB
	err  error
	skip string
}

var pool = map[string]*shared{SQLite: {}, MySQL: {}}

// ForEachDB runs fn as a subtest per database ("sqlite", "mysql") on a
// migrated, emptied database. Tests using it must not run in parallel with
// each other inside one package.
func ForEachDB(t *testing.T, fn func(t *testing.T, g *gorm.DB)) {
	t.Helper()
	for _, driver := range []string{SQLite, MySQL} {
		t.Run(driver, func(t *testing.T) {
			g := Open(t, driver)
			fn(t, g)
		})
	}
}

// Open returns the migrated, emptied shared database for driver.
func Open(t *testing.T, driver string) *gorm.DB {
	t.Helper()
	s := pool[driver]
	s.once.Do(func() { s.db, s.skip, s.err = openShared(driver) })
	if s.err != nil {
		t.Fatalf("%s: %v", driver, s.err)
	}
	if s.skip != "" {
		if os.Getenv("REQUIRE_MYSQL") == "1" {
			t.Fatalf("%s required (REQUIRE_MYSQL=1) but %s", driver, s.skip)
		}
		t.Skip(s.skip)
	}
	if err := Truncate(s.db); err != nil {
		t.Fatalf("%s: clean: %v", driver, err)
	}
	return s.db
}

// SQLiteDB returns a fresh migrated SQLite database in t's temp dir, for
// tests that need isolation from other tests (e.g. the HTTP suite).
func SQLiteDB(t testing.TB) *gorm.DB {
	t.Helper()
	g, err := db.Open(db.Options{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "test.db"), MaxOpenConns: 8})
	if err != nil {
		t.Fatal(err)
	}
	if err := migrations.Migrate(g); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s, err := g.DB(); err == nil {
			_ = s.Close()
		}
	})
	return g
}

func openShared(driver string) (*gorm.DB, string, error) {
	switch driver {
	case SQLite:
		dir, err := os.MkdirTemp("", "aftersales-test-")
		if err != nil {
			return nil, "", err
		}
		g, err := db.Open(db.Options{Driver: "sqlite", DSN: filepath.Join(dir, "test.db"), MaxOpenConns: 8})
		if err != nil {
			return nil, "", err
		}
		if err := migrations.Migrate(g); err != nil {
			return nil, "", err
		}
		return g, "", nil
	case MySQL:
		dsn := os.Getenv("TEST_MYSQL_DSN")
		if dsn == "" {
			return nil, "TEST_MYSQL_DSN is not set", nil
		}
		name, err := CreateMySQLDatabase(dsn)
		if err != nil {
			return nil, "MySQL unreachable: " + err.Error(), nil
		}
		g, err := db.Open(db.Options{Driver: "mysql", DSN: WithDatabase(dsn, name), MaxOpenConns: 16})
		if err != nil {
			return nil, "", err
		}
		if err := migrations.Migrate(g); err != nil {
			return nil, "", err
		}
		return g, "", nil
	}
	return nil, "", fmt.Errorf("unknown driver %s", driver)
}

// CreateMySQLDatabase creates a throw-away database on the server of dsn and
// returns its name. Databases are named aftersales_t_<random> so parallel
// test processes do not collide; a leftover is harmless and dropped by CI.
func CreateMySQLDatabase(dsn string) (string, error) {
	g, err := db.Open(db.Options{Driver: "mysql", DSN: dsn, MaxOpenConns: 1})
	if err != nil {
		return "", err
	}
	defer func() {
		if s, err := g.DB(); err == nil {
			_ = s.Close()
		}
	}()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "aftersales_t_" + hex.EncodeToString(b)
	if err := g.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci").Error; err != nil {
		return "", err
	}
	return name, nil
}

// WithDatabase replaces the database name in a go-sql-driver DSN.
func WithDatabase(dsn, name string) string {
	base, query, hasQuery := strings.Cut(dsn, "?")
	i := strings.LastIndex(base, "/")
	out := base[:i+1] + name
	if hasQuery {
		out += "?" + query
	}
	return out
}

// Truncate empties every table except the migration record.
func Truncate(g *gorm.DB) error {
	tables, err := g.Migrator().GetTables()
	if err != nil {
		return err
	}
	for _, tbl := range tables {
		if tbl == "schema_migrations" || strings.HasPrefix(tbl, "sqlite_") {
			continue
		}
		if err := g.Exec("DELETE FROM " + tbl).Error; err != nil {
			return fmt.Errorf("clean %s: %w", tbl, err)
		}
	}
	return nil
}

// SQLiteDBAt returns a fresh SQLite database migrated only up to id.
func SQLiteDBAt(t testing.TB, id string) *gorm.DB {
	t.Helper()
	g, err := db.Open(db.Options{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "old.db"), MaxOpenConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	if err := migrations.MigrateTo(g, id); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s, err := g.DB(); err == nil {
			_ = s.Close()
		}
	})
	return g
}
