package db

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

// Loader writes large numbers of rows quickly, for seeding benchmark data
// (`seed --scale`) only: it writes no audit records, runs no hooks and
// trusts its rows. It holds one connection of the pool for its lifetime.
//
//   - MySQL/MariaDB: each Load streams the rows as tab-separated text
//     through LOAD DATA LOCAL INFILE (a registered reader, never a file),
//     with unique_checks and foreign_key_checks off for the session. The
//     server must allow it (local_infile=ON; SELECT @@local_infile).
//     LOAD DATA LOCAL turns conversion errors into warnings, so a load that
//     leaves a warning is an error here.
//   - SQLite: each Load is one transaction of multi-row INSERTs of 500
//     rows whose values are SQL literals written exactly as the driver
//     would bind them (the pure-Go driver matches each bound parameter
//     against the argument list, so binding is quadratic in the number of
//     parameters and a statement of thousands of them is slower than
//     literals). The loader's
//     connection runs with synchronous=OFF and a 512 MiB page cache;
//     Close restores synchronous=NORMAL. The journal stays WAL: other pool
//     connections read while the loader writes.
type Loader struct {
	conn  *sql.Conn
	mysql bool
	rows  atomic.Int64
}

// NewLoader pins a connection of g's pool and prepares it for bulk writes.
func NewLoader(ctx context.Context, g *gorm.DB) (*Loader, error) {
	sqlDB, err := g.DB()
	if err != nil {
		return nil, fmt.Errorf("db: loader: %w", err)
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: loader: %w", err)
	}
	l := &Loader{conn: conn, mysql: IsMySQL(g)}
	var setup []string
	if l.mysql {
		var on int
		if err := conn.QueryRowContext(ctx, "SELECT @@local_infile").Scan(&on); err != nil {
			_ = conn.Close()
			return nil, fmt.Errorf("db: loader: %w", err)
		}
		if on != 1 {
			_ = conn.Close()
			return nil, errors.New("db: loader: the server refuses LOAD DATA LOCAL INFILE; run SET GLOBAL local_infile = 1 (or start it with --local-infile=1)")
		}
		setup = []string{"SET SESSION unique_checks = 0, foreign_key_checks = 0"}
	} else {
		setup = []string{"PRAGMA synchronous = OFF", "PRAGMA cache_size = -524288", "PRAGMA temp_store = MEMORY"}
	}
	for _, s := range setup {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			_ = conn.Close()
			return nil, fmt.Errorf("db: loader: %s: %w", s, err)
		}
	}
	return l, nil
}

// Rows is the number of rows loaded so far.
func (l *Loader) Rows() int64 { return l.rows.Load() }

// Close restores the connection's settings and returns it to the pool.
func (l *Loader) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var err error
	if l.mysql {
		_, err = l.conn.ExecContext(ctx, "SET SESSION unique_checks = 1, foreign_key_checks = 1")
	} else {
		if _, err = l.conn.ExecContext(ctx, "PRAGMA synchronous = NORMAL"); err == nil {
			_, err = l.conn.ExecContext(ctx, "PRAGMA cache_size = -2000")
		}
	}
	return errors.Join(err, l.conn.Close())
}

// Load writes rows (values in the order of cols) into table. Values are
// nil, bool, integers, floats, strings, []byte, time.Time, pointers to
// those, or driver.Valuers. On SQLite the rows are one transaction; on
// MySQL one LOAD DATA statement (callers send a chunk at a time, ~10⁵ rows).
func (l *Loader) Load(ctx context.Context, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	var err error
	if l.mysql {
		err = l.loadMySQL(ctx, table, cols, rows)
	} else {
		err = l.loadSQLite(ctx, table, cols, rows)
	}
	if err != nil {
		return fmt.Errorf("load %s: %w", table, err)
	}
	l.rows.Add(int64(len(rows)))
	return nil
}

func (l *Loader) loadSQLite(ctx context.Context, table string, cols []string, rows [][]any) error {
	if _, err := l.conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return err
	}
	err := func() error {
		// OR FAIL: a constraint error stops the statement without undoing
		// its earlier rows, so SQLite keeps no statement journal (about a
		// fifth of the insert's time); the whole transaction is rolled
		// back on any error anyway.
		head := "INSERT OR FAIL INTO " + table + " (" + strings.Join(cols, ",") + ") VALUES "
		var sb bytes.Buffer
		for start := 0; start < len(rows); start += sqliteRowsPerStatement {
			sb.Reset()
			sb.WriteString(head)
			for i, r := range rows[start:min(start+sqliteRowsPerStatement, len(rows))] {
				if len(r) != len(cols) {
					return fmt.Errorf("a row has %d values for %d columns", len(r), len(cols))
				}
				if i > 0 {
					sb.WriteByte(',')
				}
				sb.WriteByte('(')
				for k, v := range r {
					if k > 0 {
						sb.WriteByte(',')
					}
					if err := writeSQLiteLiteral(&sb, v); err != nil {
						return err
					}
				}
				sb.WriteByte(')')
			}
			if _, err := l.conn.ExecContext(ctx, sb.String()); err != nil {
				return err
			}
		}
		return nil
	}()
	if err != nil {
		_, _ = l.conn.ExecContext(context.Background(), "ROLLBACK")
		return err
	}
	_, err = l.conn.ExecContext(ctx, "COMMIT")
	return err
}

// sqliteRowsPerStatement is how many rows one SQLite INSERT carries.
const sqliteRowsPerStatement = 500

// sqliteTimeFormat is how the SQLite driver (glebarez/go-sqlite) writes a
// bound time.Time; literals use the same text so that rows read back alike.
const sqliteTimeFormat = "2006-01-02 15:04:05.999999999-07:00"

// writeSQLiteLiteral writes v as an SQLite literal, the value the driver
// would have bound: NULL, integers (bool as 0/1), reals, 'text' (quotes
// doubled), X'blob', and times as text in the driver's format.
func writeSQLiteLiteral(buf *bytes.Buffer, v any) error {
	if vr, ok := v.(driver.Valuer); ok {
		if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
			buf.WriteString("NULL")
			return nil
		}
		x, err := vr.Value()
		if err != nil {
			return err
		}
		v = x
	}
	switch x := v.(type) {
	case nil:
		buf.WriteString("NULL")
	case string:
		quoteSQLite(buf, x)
	case []byte:
		buf.WriteString("X'")
		buf.WriteString(hex.EncodeToString(x))
		buf.WriteByte('\'')
	case bool:
		if x {
			buf.WriteByte('1')
		} else {
			buf.WriteByte('0')
		}
	case int:
		buf.WriteString(strconv.FormatInt(int64(x), 10))
	case int64:
		buf.WriteString(strconv.FormatInt(x, 10))
	case uint64:
		buf.WriteString(strconv.FormatUint(x, 10))
	case time.Time:
		quoteSQLite(buf, x.Format(sqliteTimeFormat))
	default:
		rv := reflect.ValueOf(v)
		switch rv.Kind() {
		case reflect.Pointer:
			if rv.IsNil() {
				buf.WriteString("NULL")
				return nil
			}
			return writeSQLiteLiteral(buf, rv.Elem().Interface())
		case reflect.String:
			quoteSQLite(buf, rv.String())
		case reflect.Bool:
			return writeSQLiteLiteral(buf, rv.Bool())
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			buf.WriteString(strconv.FormatInt(rv.Int(), 10))
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			buf.WriteString(strconv.FormatUint(rv.Uint(), 10))
		case reflect.Float32, reflect.Float64:
			f := strconv.FormatFloat(rv.Float(), 'g', -1, 64)
			if !strings.ContainsAny(f, ".eEnN") {
				f += ".0" // a REAL, as the driver binds it
			}
			buf.WriteString(f)
		default:
			return fmt.Errorf("db: loader: cannot write a %T", v)
		}
	}
	return nil
}

func quoteSQLite(buf *bytes.Buffer, s string) {
	buf.WriteByte('\'')
	if strings.IndexByte(s, '\'') < 0 {
		buf.WriteString(s)
	} else {
		buf.WriteString(strings.ReplaceAll(s, "'", "''"))
	}
	buf.WriteByte('\'')
}

var readerSeq atomic.Uint64

func (l *Loader) loadMySQL(ctx context.Context, table string, cols []string, rows [][]any) error {
	name := fmt.Sprintf("aftersales-load-%d", readerSeq.Add(1))
	pr, pw := io.Pipe()
	mysql.RegisterReaderHandler(name, func() io.Reader { return pr })
	defer mysql.DeregisterReaderHandler(name)
	// Encode in a goroutine while the server parses: the two overlap.
	var encErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var buf bytes.Buffer
		for _, r := range rows {
			if len(r) != len(cols) {
				encErr = fmt.Errorf("a row has %d values for %d columns", len(r), len(cols))
				break
			}
			for i, v := range r {
				if i > 0 {
					buf.WriteByte('\t')
				}
				if err := writeTSV(&buf, v); err != nil {
					encErr = err
					break
				}
			}
			if encErr != nil {
				break
			}
			buf.WriteByte('\n')
			if buf.Len() >= 1<<20 {
				if _, err := pw.Write(buf.Bytes()); err != nil {
					encErr = err
					break
				}
				buf.Reset()
			}
		}
		if encErr == nil && buf.Len() > 0 {
			_, encErr = pw.Write(buf.Bytes())
		}
		pw.CloseWithError(encErr)
	}()
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = "`" + c + "`"
	}
	q := "LOAD DATA LOCAL INFILE 'Reader::" + name + "' INTO TABLE `" + table + "` CHARACTER SET utf8mb4" +
		" FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (" + strings.Join(quoted, ",") + ")"
	res, err := l.conn.ExecContext(ctx, q)
	// If the statement failed before reading everything, unblock the encoder.
	_ = pr.CloseWithError(io.ErrClosedPipe)
	wg.Wait()
	if err != nil {
		return err
	}
	if encErr != nil {
		return encErr
	}
	if n, _ := res.RowsAffected(); n != int64(len(rows)) {
		return fmt.Errorf("LOAD DATA wrote %d rows of %d", n, len(rows))
	}
	var warnings int
	if err := l.conn.QueryRowContext(ctx, "SELECT @@warning_count").Scan(&warnings); err != nil {
		return err
	}
	if warnings > 0 {
		var level, msg string
		var code int
		_ = l.conn.QueryRowContext(ctx, "SHOW WARNINGS LIMIT 1").Scan(&level, &code, &msg)
		return fmt.Errorf("LOAD DATA left %d warning(s), the first: %s %d %s", warnings, level, code, msg)
	}
	return nil
}

// writeTSV writes v as a LOAD DATA field (ESCAPED BY '\\', NULL as \N).
func writeTSV(buf *bytes.Buffer, v any) error {
	if vr, ok := v.(driver.Valuer); ok {
		if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
			buf.WriteString(`\N`)
			return nil
		}
		x, err := vr.Value()
		if err != nil {
			return err
		}
		v = x
	}
	switch x := v.(type) {
	case nil:
		buf.WriteString(`\N`)
	case string:
		escapeTSV(buf, x)
	case []byte:
		escapeTSV(buf, string(x))
	case bool:
		if x {
			buf.WriteByte('1')
		} else {
			buf.WriteByte('0')
		}
	case int:
		buf.WriteString(strconv.FormatInt(int64(x), 10))
	case int64:
		buf.WriteString(strconv.FormatInt(x, 10))
	case uint64:
		buf.WriteString(strconv.FormatUint(x, 10))
	case time.Time:
		buf.WriteString(x.UTC().Format("2006-01-02 15:04:05.000"))
	default:
		rv := reflect.ValueOf(v)
		switch rv.Kind() {
		case reflect.Pointer:
			if rv.IsNil() {
				buf.WriteString(`\N`)
				return nil
			}
			return writeTSV(buf, rv.Elem().Interface())
		case reflect.String:
			escapeTSV(buf, rv.String())
		case reflect.Bool:
			return writeTSV(buf, rv.Bool())
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			buf.WriteString(strconv.FormatInt(rv.Int(), 10))
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			buf.WriteString(strconv.FormatUint(rv.Uint(), 10))
		case reflect.Float32, reflect.Float64:
			buf.WriteString(strconv.FormatFloat(rv.Float(), 'g', -1, 64))
		default:
			return fmt.Errorf("db: loader: cannot write a %T", v)
		}
	}
	return nil
}

func escapeTSV(buf *bytes.Buffer, s string) {
	if !strings.ContainsAny(s, "\\\t\n\r\x00") {
		buf.WriteString(s)
		return
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			buf.WriteString(`\\`)
		case '\t':
			buf.WriteString(`\t`)
		case '\n':
			buf.WriteString(`\n`)
		case '\r':
			buf.WriteString(`\r`)
		case 0:
			buf.WriteString(`\0`)
		default:
			buf.WriteByte(c)
		}
	}
}

// LoadModels writes a slice of GORM models (or pointers to them) with
// Load: the table and the columns come from the model's schema (every
// creatable column; a zero auto-increment primary key is written as NULL
// so the database numbers the row). No hooks run.
func (l *Loader) LoadModels(ctx context.Context, g *gorm.DB, models any) error {
	rv := reflect.Indirect(reflect.ValueOf(models))
	if rv.Kind() != reflect.Slice {
		return fmt.Errorf("db: loader: LoadModels wants a slice, got %T", models)
	}
	if rv.Len() == 0 {
		return nil
	}
	s, err := schema.Parse(models, schemaCache, g.NamingStrategy)
	if err != nil {
		return fmt.Errorf("db: loader: %w", err)
	}
	var fields []*schema.Field
	var cols []string
	for _, f := range s.Fields {
		if f.DBName == "" || !f.Creatable {
			continue
		}
		fields = append(fields, f)
		cols = append(cols, f.DBName)
	}
	rows := make([][]any, rv.Len())
	for i := range rows {
		item := reflect.Indirect(rv.Index(i))
		row := make([]any, len(fields))
		for k, f := range fields {
			v, zero := f.ValueOf(ctx, item)
			if zero && f.PrimaryKey && f.AutoIncrement {
				v = nil
			}
			row[k] = v
		}
		rows[i] = row
	}
	return l.Load(ctx, s.Table, cols, rows)
}

var schemaCache = &sync.Map{}

// DeferredIndexes are the secondary indexes DeferIndexes dropped.
type DeferredIndexes struct {
	g      *gorm.DB
	tables []string
	create []string // statements that rebuild them (one ALTER per table on MySQL)
}

// DeferIndexes drops the non-unique secondary indexes of tables, for a bulk
// load to fill the tables without maintaining them row by row; Restore
// rebuilds them (sorted, in one pass per index). Unique indexes and primary
// keys stay (they keep the data right). Seeding only: between the two,
// queries on those tables are slow, and a process that dies in between
// leaves the indexes missing, so callers Restore in a defer as well as on
// success.
func DeferIndexes(ctx context.Context, g *gorm.DB, tables ...string) (*DeferredIndexes, error) {
	d := &DeferredIndexes{g: g, tables: tables}
	db := g.WithContext(ctx)
	for _, t := range tables {
		if IsMySQL(g) {
			var rows []struct {
				IndexName  string
				SeqInIndex int
				ColumnName string
				SubPart    *int
				IndexType  string
			}
			if err := db.Raw("SELECT INDEX_NAME AS index_name, SEQ_IN_INDEX AS seq_in_index, COLUMN_NAME AS column_name, SUB_PART AS sub_part,"+
				" INDEX_TYPE AS index_type FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND NON_UNIQUE = 1"+
				" ORDER BY INDEX_NAME, SEQ_IN_INDEX", t).Scan(&rows).Error; err != nil {
				return d, fmt.Errorf("db: defer indexes of %s: %w", t, err)
			}
			var drops, adds []string
			for i := 0; i < len(rows); {
				name, kind := rows[i].IndexName, rows[i].IndexType
				var parts []string
				for ; i < len(rows) && rows[i].IndexName == name; i++ {
					p := "`" + rows[i].ColumnName + "`"
					if rows[i].SubPart != nil {
						p += "(" + strconv.Itoa(*rows[i].SubPart) + ")"
					}
					parts = append(parts, p)
				}
				prefix := "ADD INDEX"
				if kind == "FULLTEXT" {
					prefix = "ADD FULLTEXT INDEX"
				}
				drops = append(drops, "DROP INDEX `"+name+"`")
				adds = append(adds, prefix+" `"+name+"` ("+strings.Join(parts, ", ")+")")
			}
			if len(drops) == 0 {
				continue
			}
			if err := db.Exec("ALTER TABLE `" + t + "` " + strings.Join(drops, ", ")).Error; err != nil {
				return d, fmt.Errorf("db: defer indexes of %s: %w", t, err)
			}
			d.create = append(d.create, "ALTER TABLE `"+t+"` "+strings.Join(adds, ", "))
			continue
		}
		var rows []struct{ Name, SQL string }
		if err := db.Raw("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name", t).
			Scan(&rows).Error; err != nil {
			return d, fmt.Errorf("db: defer indexes of %s: %w", t, err)
		}
		for _, r := range rows {
			if strings.HasPrefix(strings.ToUpper(strings.TrimSpace(r.SQL)), "CREATE UNIQUE") {
				continue
			}
			if err := db.Exec(`DROP INDEX "` + r.Name + `"`).Error; err != nil {
				return d, fmt.Errorf("db: defer index %s: %w", r.Name, err)
			}
			d.create = append(d.create, r.SQL)
		}
	}
	return d, nil
}

// Restore rebuilds the indexes DeferIndexes dropped. It is safe to call
// twice (the second call retries only what failed).
func (d *DeferredIndexes) Restore(ctx context.Context) error {
	if d == nil {
		return nil
	}
	// Every index is tried even after a failure, so one that cannot be
	// built does not leave the others missing; the failed ones are kept
	// for a second call.
	var errs []error
	var failed []string
	for _, stmt := range d.create {
		if err := d.g.WithContext(ctx).Exec(stmt).Error; err != nil {
			errs = append(errs, fmt.Errorf("db: restore index: %s: %w", truncate(stmt, 200), err))
			failed = append(failed, stmt)
		}
	}
	d.create = failed
	return errors.Join(errs...)
}
