package db

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// The SQLite loader's two paths on a narrow table with a composite primary
// key (like the customer search grams) and a wide one (like tickets).
func BenchmarkSQLiteLoader(b *testing.B) {
	at := time.Date(2026, 3, 1, 8, 30, 15, 123_000_000, time.UTC)
	tables := map[string]struct {
		ddl  string
		cols []string
		row  func(i int) []any
	}{
		"narrow": {"CREATE TABLE t (field INTEGER NOT NULL, gram TEXT NOT NULL, customer_id INTEGER NOT NULL, PRIMARY KEY (field, gram, customer_id))",
			[]string{"field", "gram", "customer_id"}, func(i int) []any { return []any{i % 2, strconv.Itoa(i % 5000), i} }},
		"wide": {"", nil, func(i int) []any {
			r := []any{i}
			for k := range 10 {
				r = append(r, int64(i*k), "some text 科技 "+strconv.Itoa(k), at.Add(time.Duration(i)*time.Second))
			}
			return r
		}},
	}
	wide := tables["wide"]
	wide.ddl = "CREATE TABLE t (id INTEGER PRIMARY KEY"
	wide.cols = []string{"id"}
	for k := range 30 {
		wide.ddl += fmt.Sprintf(", c%d %s", k, []string{"INTEGER", "TEXT", "DATETIME"}[k%3])
		wide.cols = append(wide.cols, fmt.Sprintf("c%d", k))
	}
	wide.ddl += ")"
	tables["wide"] = wide
	for _, name := range []string{"narrow", "wide"} {
		tb := tables[name]
		for _, path := range []string{"literal", "bound-1", "bound-16", "bound-64", "bound-256"} {
			b.Run(name+"/"+path, func(b *testing.B) {
				ctx := context.Background()
				d, err := sql.Open("sqlite", filepath.Join(b.TempDir(), "b.db"))
				if err != nil {
					b.Fatal(err)
				}
				defer d.Close()
				conn, _ := d.Conn(ctx)
				defer conn.Close()
				for _, q := range []string{"PRAGMA journal_mode = WAL", "PRAGMA synchronous = OFF", tb.ddl} {
					if _, err := conn.ExecContext(ctx, q); err != nil {
						b.Fatal(err)
					}
				}
				next := 0
				for b.Loop() {
					rows := make([][]any, 10_000)
					for i := range rows {
						rows[i] = tb.row(next)
						next++
					}
					vals, err := sqliteValues(tb.cols, rows)
					if err != nil {
						b.Fatal(err)
					}
					job := loadJob{table: "t", cols: tb.cols, n: len(rows), vals: vals}
					if path == "literal" {
						_, _ = conn.ExecContext(ctx, "BEGIN")
						err = insertSQLiteLiterals(ctx, conn, job)
						_, _ = conn.ExecContext(ctx, "COMMIT")
					} else {
						sqliteRowsPerBoundStatement, _ = strconv.Atoi(path[len("bound-"):])
						err = loadSQLite(ctx, conn, job)
					}
					if err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
	sqliteRowsPerBoundStatement = 64
}
