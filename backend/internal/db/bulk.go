package db

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
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
// trusts its rows.
//
// Load encodes a chunk of rows in the caller's goroutine and queues it;
// writer goroutines, each holding its own pooled connection, send the
// queued chunks to the database. The caller generates the next chunk while
// the database takes the last one (the generator and the database each keep
// a core busy), and a writer error is returned by the next Load, by Flush
// and by Close. Because the rows are encoded before Load returns, callers
// may reuse their row slices and the values they point to at once.
//
//   - MySQL/MariaDB: each chunk is one LOAD DATA LOCAL INFILE of
//     tab-separated text (a registered reader, never a file), with
//     unique_checks and foreign_key_checks off for the session, on one of
//     LoaderStreams connections: chunks of different tables (and of one
//     table) load side by side. The server must allow it (local_infile=ON;
//     SELECT @@local_infile). LOAD DATA LOCAL turns conversion errors into
//     warnings, so a load that leaves a warning is an error here.
//   - SQLite: one writer (SQLite has one). Each chunk is one transaction of
//     multi-row INSERTs of 500 rows whose values are SQL literals written
//     exactly as the driver would bind them (the pure-Go driver matches
//     each bound parameter against the argument list, so binding is
//     quadratic in the number of parameters and a statement of thousands of
//     them is slower than literals). The writer's connection runs with
//     synchronous=OFF and a 512 MiB page cache; Close restores
//     synchronous=NORMAL. The journal stays WAL: other pool connections
//     read while the loader writes.
type Loader struct {
	writers []*loadWriter
	mysql   bool
	rows    atomic.Int64

	running sync.WaitGroup // the writer goroutines
	pending sync.WaitGroup // queued chunks not yet written
	closed  bool

	mu    sync.Mutex
	err   error          // the first write error
	route map[string]int // table → writer: a table's chunks stay in order on one connection
}

// loadWriter is one writer goroutine's connection and queue. On MySQL a
// writer whose tables were all empty when it first saw them keeps one
// transaction open until Flush: MariaDB then inserts into the empty tables
// in bulk mode (no undo record per row; with unique_checks and
// foreign_key_checks off its indexes are built by sorting at commit).
// A writer that met a table with rows commits each chunk, so that a load
// on top of existing data never builds a huge undo log.
type loadWriter struct {
	conn       *sql.Conn
	queue      chan loadJob
	seen       map[string]bool
	inTx       bool
	commitEach bool
}

// LoaderStreams is how many LOAD DATA statements a Loader runs at once on
// MySQL/MariaDB, each on its own connection: the server parses one stream
// per connection, so two keep its cores busy while the generator encodes.
const LoaderStreams = 2

// loadJob is one encoded chunk: tab-separated text for LOAD DATA, or the
// values of one SQLite transaction.
type loadJob struct {
	ctx    context.Context
	commit bool // no rows: commit the writer's open transaction (Flush)
	table  string
	cols   []string
	n      int
	tsv    []byte
	vals   []sqliteValue // SQLite: the rows' values, row after row
}

// NewLoader pins the writer connections of g's pool and prepares them for
// bulk writes.
func NewLoader(ctx context.Context, g *gorm.DB) (*Loader, error) {
	sqlDB, err := g.DB()
	if err != nil {
		return nil, fmt.Errorf("db: loader: %w", err)
	}
	l := &Loader{mysql: IsMySQL(g)}
	streams, setup := 1, []string{"PRAGMA synchronous = OFF", "PRAGMA cache_size = -524288", "PRAGMA temp_store = MEMORY"}
	if l.mysql {
		streams, setup = LoaderStreams, []string{"SET SESSION unique_checks = 0, foreign_key_checks = 0"}
	}
	fail := func(err error) (*Loader, error) {
		for _, w := range l.writers {
			_ = w.conn.Close()
		}
		return nil, err
	}
	for range streams {
		conn, err := sqlDB.Conn(ctx)
		if err != nil {
			return fail(fmt.Errorf("db: loader: %w", err))
		}
		// Two chunks queued per writer: enough to keep it busy, little memory.
		l.writers = append(l.writers, &loadWriter{conn: conn, queue: make(chan loadJob, 2), seen: map[string]bool{}})
		if l.mysql {
			var on int
			if err := conn.QueryRowContext(ctx, "SELECT @@local_infile").Scan(&on); err != nil {
				return fail(fmt.Errorf("db: loader: %w", err))
			}
			if on != 1 {
				return fail(errors.New("db: loader: the server refuses LOAD DATA LOCAL INFILE; run SET GLOBAL local_infile = 1 (or start it with --local-infile=1)"))
			}
		}
		for _, s := range setup {
			if _, err := conn.ExecContext(ctx, s); err != nil {
				return fail(fmt.Errorf("db: loader: %s: %w", s, err))
			}
		}
	}
	l.route = map[string]int{}
	for _, w := range l.writers {
		l.running.Add(1)
		go l.write(w)
	}
	return l, nil
}

// write sends w's queued chunks until its queue closes. After a failure
// it drops the remaining chunks (the caller learns of the failure and
// stops).
func (l *Loader) write(w *loadWriter) {
	defer l.running.Done()
	for job := range w.queue {
		if l.failed() == nil {
			if err := l.writeJob(w, job); err != nil {
				l.fail(err)
			}
		}
		l.pending.Done()
	}
	if w.inTx {
		// Only after a failure (Flush commits): undo what is uncommitted.
		_, _ = w.conn.ExecContext(context.Background(), "ROLLBACK")
		w.inTx = false
	}
}

func (l *Loader) writeJob(w *loadWriter, job loadJob) error {
	if !l.mysql {
		if err := loadSQLite(job.ctx, w.conn, job); err != nil {
			return fmt.Errorf("load %s: %w", job.table, err)
		}
		l.rows.Add(int64(job.n))
		return nil
	}
	if job.commit {
		if !w.inTx {
			return nil
		}
		w.inTx = false
		if _, err := w.conn.ExecContext(job.ctx, "COMMIT"); err != nil {
			return fmt.Errorf("db: loader: commit: %w", err)
		}
		return nil
	}
	if !w.seen[job.table] {
		w.seen[job.table] = true
		var one int
		switch err := w.conn.QueryRowContext(job.ctx, "SELECT 1 FROM `"+job.table+"` LIMIT 1").Scan(&one); {
		case err == nil:
			w.commitEach = true
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("load %s: %w", job.table, err)
		}
	}
	if !w.inTx && !w.commitEach {
		if _, err := w.conn.ExecContext(job.ctx, "START TRANSACTION"); err != nil {
			return fmt.Errorf("load %s: %w", job.table, err)
		}
		w.inTx = true
	}
	if err := loadMySQL(job.ctx, w.conn, job); err != nil {
		return fmt.Errorf("load %s: %w", job.table, err)
	}
	l.rows.Add(int64(job.n))
	if w.inTx && w.commitEach {
		w.inTx = false
		if _, err := w.conn.ExecContext(job.ctx, "COMMIT"); err != nil {
			return fmt.Errorf("load %s: commit: %w", job.table, err)
		}
	}
	return nil
}

func (l *Loader) failed() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

func (l *Loader) fail(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err == nil {
		l.err = err
	}
}

// Rows is the number of rows written so far (Flush first for all of them).
func (l *Loader) Rows() int64 { return l.rows.Load() }

// Flush waits until every queued chunk is written and committed and
// returns the first write error.
func (l *Loader) Flush() error {
	if err := l.failed(); err != nil {
		return err
	}
	if l.mysql {
		for _, w := range l.writers {
			l.pending.Add(1)
			w.queue <- loadJob{ctx: context.Background(), commit: true}
		}
	}
	l.pending.Wait()
	return l.failed()
}

// Close writes and commits what is queued, restores the connections'
// settings and returns them to the pool. It returns the first write error.
func (l *Loader) Close() error {
	if l.closed {
		return l.failed()
	}
	l.closed = true
	flushErr := l.Flush()
	for _, w := range l.writers {
		close(w.queue)
	}
	l.running.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	errs := []error{flushErr}
	for _, w := range l.writers {
		var err error
		if l.mysql {
			_, err = w.conn.ExecContext(ctx, "SET SESSION unique_checks = 1, foreign_key_checks = 1")
		} else if _, err = w.conn.ExecContext(ctx, "PRAGMA synchronous = NORMAL"); err == nil {
			_, err = w.conn.ExecContext(ctx, "PRAGMA cache_size = -2000")
		}
		errs = append(errs, err, w.conn.Close())
	}
	return errors.Join(errs...)
}

// Load queues rows (values in the order of cols) for table. Values are
// nil, bool, integers, floats, strings, []byte, time.Time, pointers to
// those, or driver.Valuers; they are encoded before Load returns. On
// SQLite a chunk is one transaction; on MySQL one LOAD DATA statement
// (callers send a chunk at a time, ~10⁴–10⁵ rows). Load blocks while the
// writers are behind, and returns an earlier chunk's write error.
func (l *Loader) Load(ctx context.Context, table string, cols []string, rows [][]any) error {
	if err := l.failed(); err != nil {
		return err
	}
	if len(rows) == 0 {
		return nil
	}
	job := loadJob{ctx: ctx, table: table, cols: cols, n: len(rows)}
	var err error
	if l.mysql {
		job.tsv, err = encodeTSV(cols, rows)
	} else {
		job.vals, err = sqliteValues(cols, rows)
	}
	if err != nil {
		return fmt.Errorf("load %s: %w", table, err)
	}
	l.mu.Lock()
	k, ok := l.route[table]
	if !ok {
		k = len(l.route) % len(l.writers)
		l.route[table] = k
	}
	l.mu.Unlock()
	l.pending.Add(1)
	select {
	case l.writers[k].queue <- job:
		return nil
	case <-ctx.Done():
		l.pending.Done()
		return ctx.Err()
	}
}

var readerSeq atomic.Uint64

// encodeTSV writes rows as LOAD DATA text: tab-separated fields, one line
// per row.
func encodeTSV(cols []string, rows [][]any) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(rows) * len(cols) * 12)
	for _, r := range rows {
		if len(r) != len(cols) {
			return nil, fmt.Errorf("a row has %d values for %d columns", len(r), len(cols))
		}
		for i, v := range r {
			if i > 0 {
				buf.WriteByte('\t')
			}
			if err := writeTSV(&buf, v); err != nil {
				return nil, err
			}
		}
		buf.WriteByte('\n')
	}
	return buf.Bytes(), nil
}

// loadMySQL sends one encoded chunk as a LOAD DATA LOCAL INFILE on conn.
func loadMySQL(ctx context.Context, conn *sql.Conn, job loadJob) error {
	name := fmt.Sprintf("aftersales-load-%d", readerSeq.Add(1))
	mysql.RegisterReaderHandler(name, func() io.Reader { return bytes.NewReader(job.tsv) })
	defer mysql.DeregisterReaderHandler(name)
	quoted := make([]string, len(job.cols))
	for i, c := range job.cols {
		quoted[i] = "`" + c + "`"
	}
	q := "LOAD DATA LOCAL INFILE 'Reader::" + name + "' INTO TABLE `" + job.table + "` CHARACTER SET utf8mb4" +
		" FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (" + strings.Join(quoted, ",") + ")"
	res, err := conn.ExecContext(ctx, q)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != int64(job.n) {
		return fmt.Errorf("LOAD DATA wrote %d rows of %d", n, job.n)
	}
	var warnings int
	if err := conn.QueryRowContext(ctx, "SELECT @@warning_count").Scan(&warnings); err != nil {
		return err
	}
	if warnings > 0 {
		var level, msg string
		var code int
		_ = conn.QueryRowContext(ctx, "SHOW WARNINGS LIMIT 1").Scan(&level, &code, &msg)
		return fmt.Errorf("LOAD DATA left %d warning(s), the first: %s %d %s", warnings, level, code, msg)
	}
	return nil
}

// writeTSV writes v as a LOAD DATA field (ESCAPED BY '\\', NULL as \N).
func writeTSV(buf *bytes.Buffer, v any) error {
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
	case float64:
		buf.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
	case time.Time:
		buf.WriteString(x.UTC().Format("2006-01-02 15:04:05.000"))
	default:
		p, err := plainValue(v)
		if err != nil {
			return err
		}
		return writeTSV(buf, p)
	}
	return nil
}

// plainValue reduces a value of a type the loader's encoders (writeTSV,
// toSQLiteValue) do not switch on to one they do: nil, bool, int64,
// uint64, float64, string, []byte or time.Time. A driver.Valuer gives its
// Value (a nil pointer one is NULL), a pointer what it points to, a type
// defined on a basic kind (an enum string, a small integer) its value as
// the basic type.
func plainValue(v any) (any, error) {
	if vr, ok := v.(driver.Valuer); ok {
		if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
			return nil, nil
		}
		return vr.Value()
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer:
		if rv.IsNil() {
			return nil, nil
		}
		return rv.Elem().Interface(), nil
	case reflect.String:
		return rv.String(), nil
	case reflect.Bool:
		return rv.Bool(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return rv.Uint(), nil
	case reflect.Float32, reflect.Float64:
		return rv.Float(), nil
	}
	return nil, fmt.Errorf("db: loader: cannot write a %T", v)
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
	build := func(tx *gorm.DB) error {
		for _, stmt := range d.create {
			if err := tx.Exec(stmt).Error; err != nil {
				errs = append(errs, fmt.Errorf("db: restore index: %s: %w", truncate(stmt, 200), err))
				failed = append(failed, stmt)
			}
		}
		return nil
	}
	if IsMySQL(d.g) {
		_ = build(d.g.WithContext(ctx))
	} else if err := d.g.WithContext(ctx).Connection(func(tx *gorm.DB) error {
		// SQLite checks a CREATE INDEX's name against the connection's
		// cached schema while preparing it, so a pooled connection that has
		// run nothing since another one dropped the index still "has" it
		// ("index … already exists"). A read of sqlite_master checks the
		// schema cookie and reloads the cache first.
		var n int64
		if err := tx.Raw("SELECT count(*) FROM sqlite_master").Scan(&n).Error; err != nil {
			return fmt.Errorf("db: restore indexes: read the schema: %w", err)
		}
		return build(tx)
	}); err != nil {
		return err
	}
	d.create = failed
	return errors.Join(errs...)
}
