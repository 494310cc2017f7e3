package testutil

import (
	"context"
	"os"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/migrations"
)

// ScaleDB opens the database of BENCH_MYSQL_DSN (one made by `aftersales
// seed --scale N`, e.g. root@tcp(127.0.0.1:3306)/aftersales_bench) with the
// pool sizes of configs/aftersales.yaml; without it the benchmark is skipped.
func ScaleDB(b *testing.B) *gorm.DB {
	dsn := os.Getenv("BENCH_MYSQL_DSN")
	if dsn == "" {
		b.Skip("BENCH_MYSQL_DSN is not set")
	}
	g, err := db.Open(db.Options{Driver: "mysql", DSN: dsn, MaxOpenConns: 16, MaxIdleConns: 8})
	if err != nil {
		b.Fatal(err)
	}
	return g
}

// BenchPeriods times query over the last 12 months and over the last month,
// one sub-benchmark each, and reports the fastest run as best_ms: on a shared
// machine it is the closest to the query's own cost. report adds the metrics
// of the last result.
func BenchPeriods(b *testing.B, query func(ctx context.Context, from, to time.Time) error, report func(b *testing.B)) {
	now := time.Now().UTC()
	for _, p := range []struct {
		name     string
		from, to time.Time
	}{{"12months", now.AddDate(-1, 0, 0), now}, {"1month", now.AddDate(0, -1, 0), now}} {
		b.Run(p.name, func(b *testing.B) {
			best := time.Duration(1 << 62)
			for i := 0; i < b.N; i++ {
				start := time.Now()
				if err := query(context.Background(), p.from, p.to); err != nil {
					b.Fatal(err)
				}
				best = min(best, time.Since(start))
			}
			b.ReportMetric(float64(best.Milliseconds()), "best_ms")
			report(b)
		})
	}
}

// BenchDB returns an empty migrated database of driver for one benchmark: a
// temporary SQLite file, or a throw-away MySQL database in TEST_MYSQL_DSN
// (with maxOpen connections; the benchmark is skipped without it) that is
// dropped afterwards.
func BenchDB(b *testing.B, driver string, maxOpen int) *gorm.DB {
	b.Helper()
	if driver == SQLite {
		return SQLiteDB(b)
	}
	dsn := os.Getenv("TEST_MYSQL_DSN")
	if dsn == "" {
		b.Skip("TEST_MYSQL_DSN is not set")
	}
	name, err := CreateMySQLDatabase(dsn)
	if err != nil {
		b.Skip("MySQL unreachable: " + err.Error())
	}
	g, err := db.Open(db.Options{Driver: "mysql", DSN: WithDatabase(dsn, name), MaxOpenConns: maxOpen})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = g.Exec("DROP DATABASE " + name).Error
		if s, err := g.DB(); err == nil {
			_ = s.Close()
		}
	})
	if err := migrations.Migrate(g); err != nil {
		b.Fatal(err)
	}
	return g
}
