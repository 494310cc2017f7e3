package db_test

import (
	"context"
	"database/sql"
	"testing"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

type deferProbe struct {
	ID uint64
	N  int64 `gorm:"index:ix_defer_probes_n"`
}

func (deferProbe) TableName() string { return "defer_probes" }

// Restore must rebuild an index even on a pooled connection that cached the
// schema before another connection dropped the index. SQLite checks a
// CREATE INDEX's name against the connection's cached schema while
// preparing it, so such a connection answered "index … already exists" and
// the seed step failed (seen in CI: TestScaleSeedWritesRowsTheServicesRead,
// about one run in six).
func TestRestoreRebuildsAnIndexOnAConnectionWithAStaleSchema(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		ctx := context.Background()
		_ = g.Migrator().DropTable(&deferProbe{})
		if err := g.AutoMigrate(&deferProbe{}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = g.Migrator().DropTable(&deferProbe{}) })
		sqlDB, err := g.DB()
		if err != nil {
			t.Fatal(err)
		}
		// Two connections, both with the index in their cached schema.
		sqlDB.SetMaxOpenConns(2)
		t.Cleanup(func() { sqlDB.SetMaxOpenConns(0) })
		stale, err := sqlDB.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		other, err := sqlDB.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, conn := range []*sql.Conn{stale, other} {
			if _, err := conn.ExecContext(ctx, "SELECT count(*) FROM defer_probes WHERE n = 1"); err != nil {
				t.Fatal(err)
			}
		}
		// The drop runs on the only idle connection: the other one.
		_ = other.Close()
		d, err := db.DeferIndexes(ctx, g, "defer_probes")
		if err != nil {
			t.Fatal(err)
		}
		// Pin that one again and free the stale one, so Restore gets it.
		pinned, err := sqlDB.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		_ = stale.Close()
		restoreErr := d.Restore(ctx)
		_ = pinned.Close()
		if restoreErr != nil {
			t.Fatalf("restore: %v", restoreErr)
		}
		if !g.Migrator().HasIndex(&deferProbe{}, "ix_defer_probes_n") {
			t.Error("ix_defer_probes_n is missing after Restore")
		}
	})
}
