package db_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

// loaderProbe is a throw-away table for the loader's round trip.
type loaderProbe struct {
	ID    uint64 `gorm:"primaryKey"`
	Text  string `gorm:"size:191;index"`
	Num   int64
	Ratio float64
	Flag  bool
	At    time.Time
	Maybe *time.Time
	Ref   *uint64
}

// Rows written by the bulk loader (LOAD DATA on MariaDB, literal INSERTs on
// SQLite) read back exactly as rows written through GORM: awkward text
// (tabs, newlines, backslashes, quotes, Chinese), NULLs, booleans, floats
// and times; the non-unique indexes dropped by DeferIndexes come back.
func TestLoaderRowsReadBackAsGORMRows(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		ctx := context.Background()
		for _, table := range []string{"loader_probes", "loader_probe_refs"} {
			_ = g.Migrator().DropTable(table)
			if err := g.Table(table).AutoMigrate(&loaderProbe{}); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = g.Migrator().DropTable(table) })
		}
		at := time.Date(2026, 3, 1, 8, 30, 15, 123_000_000, time.UTC)
		ref := uint64(42)
		probes := []loaderProbe{
			{ID: 1, Text: "plain", Num: -7, Ratio: 0.5, Flag: true, At: at, Maybe: &at, Ref: &ref},
			{ID: 2, Text: "tab\there\nnew line\\back slash 'quote' \"dq\" 科技园\r", Num: 1 << 40, Ratio: 3, At: at.Add(time.Hour)},
			{ID: 3, Text: `\N`, At: at},
			{ID: 4, Text: "", Num: 0, At: at},
		}
		if err := g.Table("loader_probe_refs").Create(&probes).Error; err != nil {
			t.Fatal(err)
		}
		idx, err := db.DeferIndexes(ctx, g, "loader_probes")
		if err != nil {
			t.Fatal(err)
		}
		l, err := db.NewLoader(ctx, g)
		if err != nil {
			t.Fatal(err)
		}
		if err := l.LoadModels(ctx, g, probes[:2]); err != nil {
			t.Fatal(err)
		}
		rows := [][]any{}
		for _, p := range probes[2:] {
			rows = append(rows, []any{p.ID, p.Text, p.Num, p.Ratio, p.Flag, p.At, p.Maybe, p.Ref})
		}
		if err := l.Load(ctx, "loader_probes", []string{"id", "text", "num", "ratio", "flag", "at", "maybe", "ref"}, rows); err != nil {
			t.Fatal(err)
		}
		if err := l.Flush(); err != nil {
			t.Fatal(err)
		}
		if l.Rows() != 4 {
			t.Errorf("rows loaded: %d", l.Rows())
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		if err := idx.Restore(ctx); err != nil {
			t.Fatal(err)
		}
		if !g.Migrator().HasIndex("loader_probes", "idx_loader_probes_text") {
			t.Error("the deferred index was not rebuilt")
		}
		var got, want []loaderProbe
		if err := g.Table("loader_probes").Order("id").Find(&got).Error; err != nil {
			t.Fatal(err)
		}
		if err := g.Table("loader_probe_refs").Order("id").Find(&want).Error; err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("%d rows, want %d", len(got), len(want))
		}
		for i := range want {
			w, x := want[i], got[i]
			same := w.ID == x.ID && w.Text == x.Text && w.Num == x.Num && w.Ratio == x.Ratio && w.Flag == x.Flag && w.At.Equal(x.At) &&
				(w.Maybe == nil) == (x.Maybe == nil) && (w.Maybe == nil || w.Maybe.Equal(*x.Maybe)) &&
				(w.Ref == nil) == (x.Ref == nil) && (w.Ref == nil || *w.Ref == *x.Ref)
			if !same {
				t.Errorf("row %d: loaded %+v, GORM wrote %+v", w.ID, x, w)
			}
		}
		// On SQLite the stored text of a time is the driver's, byte for byte.
		if !db.IsMySQL(g) {
			var a, b string
			g.Raw("SELECT at FROM loader_probes WHERE id = 2").Scan(&a)
			g.Raw("SELECT at FROM loader_probe_refs WHERE id = 2").Scan(&b)
			if a != b {
				t.Errorf("stored time %q, the driver stores %q", a, b)
			}
		}
	})
}

// The loader writes in the background: a chunk that fails (here a primary
// key loaded twice) is reported by Flush and Close and by every Load after
// it, and the rows a caller reuses after Load returned are the ones
// written (Load encodes them before it returns). Chunks of several tables
// interleave across the writers.
func TestLoaderReportsABackgroundWriteFailure(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		ctx := context.Background()
		for _, table := range []string{"loader_probes", "loader_probe_refs"} {
			_ = g.Migrator().DropTable(table)
			if err := g.Table(table).AutoMigrate(&loaderProbe{}); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = g.Migrator().DropTable(table) })
		}
		at := time.Date(2026, 3, 1, 8, 30, 15, 0, time.UTC)
		cols := []string{"id", "text", "num", "ratio", "flag", "at", "maybe", "ref"}
		l, err := db.NewLoader(ctx, g)
		if err != nil {
			t.Fatal(err)
		}
		rows := [][]any{{uint64(1), "a", int64(1), 0.0, false, at, nil, nil}, {uint64(2), "b", int64(2), 0.0, false, at, nil, nil}}
		for _, table := range []string{"loader_probes", "loader_probe_refs"} {
			if err := l.Load(ctx, table, cols, rows); err != nil {
				t.Fatal(err)
			}
		}
		rows[0][1], rows[1][1] = "reused", "reused" // after Load: not what was written
		if err := l.Flush(); err != nil {
			t.Fatal(err)
		}
		if l.Rows() != 4 {
			t.Errorf("rows loaded: %d, want 4", l.Rows())
		}
		var texts []string
		if err := g.Table("loader_probes").Order("id").Pluck("text", &texts).Error; err != nil {
			t.Fatal(err)
		}
		if len(texts) != 2 || texts[0] != "a" || texts[1] != "b" {
			t.Errorf("loaded texts %q, want [a b]", texts)
		}
		dup := [][]any{{uint64(3), "c", int64(3), 0.0, false, at, nil, nil}, {uint64(2), "again", int64(2), 0.0, false, at, nil, nil}}
		if err := l.Load(ctx, "loader_probes", cols, dup); err != nil {
			t.Fatal(err) // queued: the failure comes later
		}
		if err := l.Flush(); err == nil {
			t.Error("Flush after a duplicate primary key: no error")
		}
		if err := l.Load(ctx, "loader_probe_refs", cols, [][]any{{uint64(9), "x", int64(9), 0.0, false, at, nil, nil}}); err == nil {
			t.Error("Load after a failed chunk: no error")
		}
		if err := l.Close(); err == nil {
			t.Error("Close after a failed chunk: no error")
		}
		var n int64
		if err := g.Table("loader_probe_refs").Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Errorf("loader_probe_refs has %d rows after the failure, want the 2 flushed before it", n)
		}
	})
}
