package db

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// The SQLite side of Loader. The pure-Go driver parses a statement again
// on every Exec, even a prepared one, and parsing and compiling a
// multi-row INSERT of literals was two thirds of the loader's CPU. So the
// loader prepares one single-row INSERT per chunk through the SQLite C API
// of the driver's own connection and steps it once per row with the values
// bound: exactly the values the driver binds (integers, bools as 0/1,
// reals, text, blobs, times as text in the driver's format). When the
// connection is not the expected driver's, it falls back to multi-row
// INSERTs of literals with the same values.

// sqliteValue is one value as the SQLite driver binds it.
type sqliteValue struct {
	kind uint8
	i    int64
	f    float64
	s    string // text, or a blob's bytes
}

const (
	sqliteNull uint8 = iota
	sqliteInt
	sqliteReal
	sqliteText
	sqliteBlob
)

// sqliteTimeFormat is how the SQLite driver (glebarez/go-sqlite) writes a
// bound time.Time; the loader writes times as the same text so that rows
// read back alike.
const sqliteTimeFormat = "2006-01-02 15:04:05.999999999-07:00"

// sqliteValues converts rows to the values the driver would bind, row
// after row. The result shares nothing mutable with rows.
func sqliteValues(cols []string, rows [][]any) ([]sqliteValue, error) {
	out := make([]sqliteValue, 0, len(rows)*len(cols))
	for _, r := range rows {
		if len(r) != len(cols) {
			return nil, fmt.Errorf("a row has %d values for %d columns", len(r), len(cols))
		}
		for _, v := range r {
			x, err := toSQLiteValue(v)
			if err != nil {
				return nil, err
			}
			out = append(out, x)
		}
	}
	return out, nil
}

func toSQLiteValue(v any) (sqliteValue, error) {
	switch x := v.(type) {
	case nil:
		return sqliteValue{}, nil
	case string:
		return sqliteValue{kind: sqliteText, s: x}, nil
	case []byte:
		if x == nil {
			return sqliteValue{}, nil
		}
		return sqliteValue{kind: sqliteBlob, s: string(x)}, nil
	case bool:
		if x {
			return sqliteValue{kind: sqliteInt, i: 1}, nil
		}
		return sqliteValue{kind: sqliteInt}, nil
	case int:
		return sqliteValue{kind: sqliteInt, i: int64(x)}, nil
	case int64:
		return sqliteValue{kind: sqliteInt, i: x}, nil
	case uint64:
		if x > math.MaxInt64 {
			return sqliteValue{}, fmt.Errorf("db: loader: %d does not fit an SQLite integer", x)
		}
		return sqliteValue{kind: sqliteInt, i: int64(x)}, nil
	case float64:
		return sqliteValue{kind: sqliteReal, f: x}, nil
	case time.Time:
		return sqliteValue{kind: sqliteText, s: x.Format(sqliteTimeFormat)}, nil
	}
	p, err := plainValue(v)
	if err != nil {
		return sqliteValue{}, err
	}
	return toSQLiteValue(p)
}

// loadSQLite writes one chunk as one transaction on conn.
func loadSQLite(ctx context.Context, conn *sql.Conn, job loadJob) error {
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return err
	}
	err := conn.Raw(func(dc any) error {
		h, ok := sqliteHandleOf(dc)
		if !ok {
			return errNoSQLiteHandle
		}
		return h.insert(ctx, job)
	})
	if errors.Is(err, errNoSQLiteHandle) {
		err = insertSQLiteLiterals(ctx, conn, job)
	}
	if err != nil {
		_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
		return err
	}
	_, err = conn.ExecContext(ctx, "COMMIT")
	return err
}

var errNoSQLiteHandle = errors.New("db: loader: not a glebarez/go-sqlite connection")

// sqliteHandle is the C-level database handle of a driver connection.
type sqliteHandle struct {
	tls *libc.TLS
	db  uintptr
}

// sqliteHandleOf reads the handle out of a github.com/glebarez/go-sqlite connection
// (fields db uintptr and tls *libc.TLS), or reports that dc is not one.
func sqliteHandleOf(dc any) (sqliteHandle, bool) {
	rv := reflect.ValueOf(dc)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct || rv.Elem().Type().PkgPath() != "github.com/glebarez/go-sqlite" {
		return sqliteHandle{}, false
	}
	s := rv.Elem()
	db, tls := s.FieldByName("db"), s.FieldByName("tls")
	if !db.IsValid() || db.Kind() != reflect.Uintptr || !tls.IsValid() || tls.Type() != reflect.TypeOf((*libc.TLS)(nil)) || tls.IsNil() {
		return sqliteHandle{}, false
	}
	return sqliteHandle{tls: (*libc.TLS)(tls.UnsafePointer()), db: uintptr(db.Uint())}, true
}

// sqliteBindState holds what SQLite reads through raw addresses, on the
// heap (a goroutine's stack may move while SQLite runs).
type sqliteBindState struct {
	stmt  uintptr
	sql   []byte
	empty [1]byte
}

// newSQLiteBindState allocates the state on the heap: a pointer returned
// from a function that is not inlined always escapes (escape analysis
// would otherwise keep it on the stack, where SQLite's write of the
// statement handle is lost when the stack grows during prepare).
//
//go:noinline
func newSQLiteBindState() *sqliteBindState { return &sqliteBindState{} }

// sqliteRowsPerBoundStatement is how many rows one prepared INSERT takes
// per step: each execution opens the table's and indexes' cursors, so a
// statement of one row costs a narrow table (the search grams) more than
// the insert itself; SQLite allows 32,766 parameters.
var sqliteRowsPerBoundStatement = 64

// insert prepares a multi-row INSERT (once per chunk, plus one for the
// rest) and steps it for every group of rows of the job, binding text in
// place (SQLITE_STATIC: the strings stay alive and unchanged in job.vals
// until the statement is reset).
func (h sqliteHandle) insert(ctx context.Context, job loadJob) error {
	nc := len(job.cols)
	per := max(1, min(sqliteRowsPerBoundStatement, 32766/nc))
	for start := 0; start < job.n; {
		rows := min(per, job.n-start)
		end := start + rows*((job.n-start)/rows)
		if err := h.insertGroups(ctx, job, rows, start, end); err != nil {
			return err
		}
		start = end
	}
	return nil
}

// insertGroups inserts rows [start, end) of job with a statement of rows
// rows each.
func (h sqliteHandle) insertGroups(ctx context.Context, job loadJob, rows, start, end int) error {
	st := newSQLiteBindState()
	nc := len(job.cols)
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", nc), ",") + ")"
	q := "INSERT OR FAIL INTO " + job.table + " (" + strings.Join(job.cols, ",") + ") VALUES " +
		strings.TrimSuffix(strings.Repeat(one+",", rows), ",")
	st.sql = append([]byte(q), 0)
	if rc := sqlite3.Xsqlite3_prepare_v2(h.tls, h.db, uintptr(unsafe.Pointer(&st.sql[0])), -1, uintptr(unsafe.Pointer(&st.stmt)), 0); rc != sqlite3.SQLITE_OK {
		return h.err(rc)
	}
	defer sqlite3.Xsqlite3_finalize(h.tls, st.stmt)
	for r := start; r < end; r += rows {
		if err := ctx.Err(); err != nil {
			return err
		}
		for k, v := range job.vals[r*nc : (r+rows)*nc] {
			idx := int32(k + 1)
			var rc int32
			switch v.kind {
			case sqliteNull:
				rc = sqlite3.Xsqlite3_bind_null(h.tls, st.stmt, idx)
			case sqliteInt:
				rc = sqlite3.Xsqlite3_bind_int64(h.tls, st.stmt, idx, v.i)
			case sqliteReal:
				rc = sqlite3.Xsqlite3_bind_double(h.tls, st.stmt, idx, v.f)
			case sqliteText:
				p := uintptr(unsafe.Pointer(&st.empty[0]))
				if len(v.s) > 0 {
					p = uintptr(unsafe.Pointer(unsafe.StringData(v.s)))
				}
				rc = sqlite3.Xsqlite3_bind_text(h.tls, st.stmt, idx, p, int32(len(v.s)), 0)
			case sqliteBlob:
				if len(v.s) == 0 {
					rc = sqlite3.Xsqlite3_bind_zeroblob(h.tls, st.stmt, idx, 0)
				} else {
					rc = sqlite3.Xsqlite3_bind_blob(h.tls, st.stmt, idx, uintptr(unsafe.Pointer(unsafe.StringData(v.s))), int32(len(v.s)), 0)
				}
			}
			if rc != sqlite3.SQLITE_OK {
				return fmt.Errorf("bind %s of row %d: %w", job.cols[k%nc], r+k/nc, h.err(rc))
			}
		}
		if rc := sqlite3.Xsqlite3_step(h.tls, st.stmt); rc != sqlite3.SQLITE_DONE {
			err := h.err(rc)
			sqlite3.Xsqlite3_reset(h.tls, st.stmt)
			return err
		}
		if rc := sqlite3.Xsqlite3_reset(h.tls, st.stmt); rc != sqlite3.SQLITE_OK {
			return h.err(rc)
		}
	}
	// The strings and the state SQLite pointed at stay alive until here.
	runtime.KeepAlive(job.vals)
	runtime.KeepAlive(st)
	return nil
}

func (h sqliteHandle) err(rc int32) error {
	return fmt.Errorf("sqlite: %s (%d)", libc.GoString(sqlite3.Xsqlite3_errmsg(h.tls, h.db)), rc)
}

// insertSQLiteLiterals is the fallback: multi-row INSERTs of
// sqliteRowsPerStatement rows of literals.
func insertSQLiteLiterals(ctx context.Context, conn *sql.Conn, job loadJob) error {
	// OR FAIL: a constraint error stops the statement without undoing its
	// earlier rows, so SQLite keeps no statement journal; the whole
	// transaction is rolled back on any error anyway.
	head := "INSERT OR FAIL INTO " + job.table + " (" + strings.Join(job.cols, ",") + ") VALUES "
	nc := len(job.cols)
	var sb bytes.Buffer
	for start := 0; start < job.n; start += sqliteRowsPerStatement {
		sb.Reset()
		sb.WriteString(head)
		for r := start; r < min(start+sqliteRowsPerStatement, job.n); r++ {
			if r > start {
				sb.WriteByte(',')
			}
			sb.WriteByte('(')
			for k, v := range job.vals[r*nc : (r+1)*nc] {
				if k > 0 {
					sb.WriteByte(',')
				}
				writeSQLiteLiteral(&sb, v)
			}
			sb.WriteByte(')')
		}
		if _, err := conn.ExecContext(ctx, sb.String()); err != nil {
			return err
		}
	}
	return nil
}

// sqliteRowsPerStatement is how many rows one literal INSERT carries.
const sqliteRowsPerStatement = 500

// writeSQLiteLiteral writes v as an SQLite literal: NULL, an integer, a
// real (always with a point or exponent), 'text' (quotes doubled) or
// X'blob'.
func writeSQLiteLiteral(buf *bytes.Buffer, v sqliteValue) {
	switch v.kind {
	case sqliteNull:
		buf.WriteString("NULL")
	case sqliteInt:
		buf.WriteString(strconv.FormatInt(v.i, 10))
	case sqliteReal:
		f := strconv.FormatFloat(v.f, 'g', -1, 64)
		if !strings.ContainsAny(f, ".eEnN") {
			f += ".0" // a REAL, as the driver binds it
		}
		buf.WriteString(f)
	case sqliteText:
		buf.WriteByte('\'')
		buf.WriteString(strings.ReplaceAll(v.s, "'", "''"))
		buf.WriteByte('\'')
	case sqliteBlob:
		buf.WriteString("X'")
		buf.WriteString(hex.EncodeToString([]byte(v.s)))
		buf.WriteByte('\'')
	}
}
