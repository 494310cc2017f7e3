package db

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	_ "github.com/glebarez/go-sqlite"
)

// The loader reaches the driver's C handle (else it would silently fall
// back to the slower literal INSERTs), and both paths store the same rows.
func TestSQLiteLoaderUsesTheDriverHandleAndMatchesTheLiterals(t *testing.T) {
	ctx := context.Background()
	d, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	conn, err := d.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.Raw(func(dc any) error {
		if _, ok := sqliteHandleOf(dc); !ok {
			t.Errorf("no SQLite handle in a %T", dc)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"bound", "literal"} {
		if _, err := conn.ExecContext(ctx, "CREATE TABLE "+table+" (id INTEGER PRIMARY KEY, t TEXT, e TEXT, r REAL, b BLOB, z BLOB, n INTEGER)"); err != nil {
			t.Fatal(err)
		}
	}
	cols := []string{"id", "t", "e", "r", "b", "z", "n"}
	vals, err := sqliteValues(cols, [][]any{
		{1, "it's 科技\ttab", "", 2.0, []byte{0, 1, 0xff}, []byte{}, nil},
		{int64(-5), "x", "y", 0.25, nil, nil, true},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := loadSQLite(ctx, conn, loadJob{table: "bound", cols: cols, n: 2, vals: vals}); err != nil {
		t.Fatal(err)
	}
	if err := insertSQLiteLiterals(ctx, conn, loadJob{table: "literal", cols: cols, n: 2, vals: vals}); err != nil {
		t.Fatal(err)
	}
	var differ int
	q := "SELECT COUNT(*) FROM bound b JOIN literal l USING (id) WHERE b.t IS NOT l.t OR b.e IS NOT l.e OR b.r IS NOT l.r OR typeof(b.r) <> typeof(l.r)" +
		" OR b.b IS NOT l.b OR b.z IS NOT l.z OR typeof(b.z) <> typeof(l.z) OR b.n IS NOT l.n OR typeof(b.n) <> typeof(l.n)"
	if err := conn.QueryRowContext(ctx, q).Scan(&differ); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM bound").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if differ != 0 || n != 2 {
		t.Errorf("%d of %d bound rows differ from the literal ones", differ, n)
	}
}
