package readiness

import (
	"context"
	"crypto/sha256"
	"database/sql/driver"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/db"
)

// MeasureSource computes what the rules read from operations. The SQL
// implementation reads the operational tables directly, read-only, in
// aggregates: this is the documented exception to "another domain is
// reached through its service" (like reporting), because a readiness run
// must count millions of rows in seconds without loading them.
type MeasureSource interface {
	// Measures computes each requested measure over its window ending at
	// asOf. A measure that cannot be computed (its tables do not exist
	// yet, a query failed) comes back with Known false and a Note.
	Measures(ctx context.Context, asOf time.Time, reqs []MeasureRequest) map[string]Measure
	// Staffing counts the service-management staff and their valid
	// 售后服务管理师 certificates at asOf.
	Staffing(ctx context.Context, asOf time.Time) (Staffing, error)
	// Suggestions lists records that look like special-deduction findings
	// (a return refused inside the legal window, a complaint left past its
	// legal limit) within the window ending at asOf, at most limit per
	// kind, oldest first.
	Suggestions(ctx context.Context, asOf time.Time, windowMonths, limit int) ([]Suggestion, error)
}

// Suggestion is a record the engine proposes as a special deduction.
type Suggestion struct {
	Key       string // unique per record, e.g. "return:123"
	Source    string // SourceReturnRefused, SourceComplaintOverdue
	Clause    string
	Finding   string
	RecordRef string
	FoundOn   time.Time
}

// topRecords is how many non-conforming record ids a measure keeps.
const topRecords = 10

// SQLMeasures computes the measures with SQL aggregates (COUNT and SUM over
// CASE) on SQLite and MySQL/MariaDB. Only counts and at most ten record ids
// per measure leave the database.
type SQLMeasures struct {
	db  *gorm.DB
	loc *time.Location
	log *slog.Logger
	// Parallel is how many measure queries run at once.
	Parallel int
	// NoDayCache turns the rollups off (every run scans the whole
	// window from rows).
	NoDayCache bool
	// SampleSize is the systematic sample size of sampled measures
	// (default 2,000 records; an auditor samples far fewer).
	SampleSize int
	// PartsLead is the committed parts lead time of spare_parts_fill_rate
	// (config readiness.parts_lead_hours, default 24 h).
	PartsLead time.Duration
	// ManagerValidYears is how long a 售后服务管理师 certificate is valid
	// from its issue date (config certificates.manager.valid_years,
	// default 3); a longer recorded expiry is cut to it.
	ManagerValidYears int
	// ComplaintLegalDays is the legal limit past which an unresolved
	// complaint is suggested as a special deduction (config
	// readiness.complaint_legal_days, default 7).
	ComplaintLegalDays int
	specs              map[string]measureSpec
	cacheMu            sync.Mutex
	// SlowTTL is how long the result of a measure marked slowChanging is
	// reused (default 15 minutes); Invalidate drops it early.
	SlowTTL time.Duration
	slowMu  sync.Mutex
	slow    map[string]slowEntry
}

type slowEntry struct {
	m      Measure
	at     time.Time
	window int
	asOf   time.Time
}

// NewSQLMeasures returns the SQL measure source. Dates are read in loc.
func NewSQLMeasures(g *gorm.DB, loc *time.Location, log *slog.Logger) *SQLMeasures {
	if loc == nil {
		loc = time.UTC
	}
	if log == nil {
		log = slog.Default()
	}
	par := 4
	if db.IsSQLite(g) {
		par = 2
	}
	return &SQLMeasures{db: g, loc: loc, log: log, Parallel: par, PartsLead: defaultPartsLead, SampleSize: 2000, SlowTTL: 15 * time.Minute,
		slow:               map[string]slowEntry{},
		ComplaintLegalDays: defaultComplaintLegalDays, specs: measureSpecs()}
}

// window is the span a measure is computed over, as instants and as
// calendar dates (00:00 UTC of the local date) for date columns.
type window struct {
	From, To         time.Time // [From, To)
	FromDay, ToDay   time.Time // inclusive calendar dates
	AsOf             time.Time
	AsOfDay          time.Time
	Months           int
	sqlite           bool
	LocOffsetSeconds int
	// has reports whether an optional table or table.column exists.
	has       func(name string) bool
	partsLead time.Duration
}

func (m *SQLMeasures) window(asOf time.Time, months int) window {
	if months <= 0 {
		months = defaultWindowMonths
	}
	// Microseconds at most: go-sql-driver sends nanoseconds as a 9-digit
	// fraction, and MariaDB then does not use an index for a range on a
	// datetime column.
	asOf = asOf.Truncate(time.Microsecond)
	from := asOf.AddDate(0, -months, 0)
	_, off := asOf.In(m.loc).Zone()
	return window{
		From: from.UTC(), To: asOf.UTC(), FromDay: localDay(from, m.loc), ToDay: localDay(asOf, m.loc),
		AsOf: asOf.UTC(), AsOfDay: localDay(asOf, m.loc), Months: months, sqlite: db.IsSQLite(m.db),
		LocOffsetSeconds: off, partsLead: m.PartsLead, has: func(string) bool { return false },
	}
}

// localDay is the calendar date of t in loc, as 00:00 UTC of that date (the
// platform's convention for date columns).
func localDay(t time.Time, loc *time.Location) time.Time {
	y, mo, d := t.In(loc).Date()
	return time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
}

// secondsBetween is an SQL expression for b − a in seconds.
func (w window) secondsBetween(a, b string) string {
	if w.sqlite {
		return fmt.Sprintf("((julianday(%s) - julianday(%s)) * 86400.0)", b, a)
	}
	return fmt.Sprintf("TIMESTAMPDIFF(SECOND, %s, %s)", a, b)
}

// plusDays is an SQL expression for t + n days (n may be a column).
func (w window) plusDays(t string, n string) string {
	if w.sqlite {
		return fmt.Sprintf("julianday(%s) + (%s)", t, n)
	}
	return fmt.Sprintf("DATE_ADD(%s, INTERVAL (%s) DAY)", t, n)
}

// at compares as an instant: julianday on SQLite (stored text), the column
// itself on MySQL.
func (w window) at(t string) string {
	if w.sqlite {
		return "julianday(" + t + ")"
	}
	return t
}

// concat is the SQL string concatenation of parts.
func (w window) concat(parts ...string) string {
	if w.sqlite {
		return "(" + strings.Join(parts, " || ") + ")"
	}
	return "CONCAT(" + strings.Join(parts, ", ") + ")"
}

// measureSpec defines one measure as a population and a conformance test.
// The store runs
//
//	SELECT COUNT(*), SUM(CASE WHEN <conforming> THEN 1 ELSE 0 END) FROM <from> WHERE <population>
//
// and, when some rows do not conform, the ids of the first ten of them.
type measureSpec struct {
	// needs lists table.column (or table) names that must exist.
	needs []string
	// build returns the query parts for a window.
	build func(w window) measureQuery
	// custom replaces the generic query (e.g. grouped populations).
	custom func(ctx context.Context, m *SQLMeasures, w window) (Measure, error)
	// slowChanging marks a measure whose figures move only with rare
	// changes (new sales regions, outlet coverage): its result is reused
	// for SlowTTL unless invalidated.
	slowChanging bool
}

type measureQuery struct {
	from       string // FROM clause, with aliases and joins
	fromArgs   []any
	population string // WHERE clause
	popArgs    []any
	conforming string // boolean SQL expression
	confArgs   []any
	recentFrom time.Time
	// bucket is the time column the window is defined on; when set, the
	// settled days of the window come from the day cache (aggregate).
	bucket string
	// dateBucket says bucket is a calendar-date column.
	dateBucket bool
	// key names the measure in the day cache; window is the measure's.
	key         string
	window      window
	id          string // id expression of a record
	ref         string // prefix of a record id, e.g. "complaint"
	order       string // ORDER BY of the non-conforming ids
	note        string
	sampledNote bool
	// sampleTable and sampleID turn on a systematic sample for measures
	// whose conformance test probes other tables per record: only records
	// with sampleID % k = 0 count, k chosen from the table's id span so
	// that about SampleSize records of the table qualify.
	sampleTable string
	sampleID    string
	// recent, when set, is the time expression the top records are ordered
	// by; their search is bounded to the last month of the window, so it
	// reads a short index range instead of the whole window again.
	recent string
}

// Measures implements MeasureSource.
func (m *SQLMeasures) Measures(ctx context.Context, asOf time.Time, reqs []MeasureRequest) map[string]Measure {
	out := make(map[string]Measure, len(reqs))
	var mu sync.Mutex
	sem := make(chan struct{}, max(1, m.Parallel))
	var wg sync.WaitGroup
	schema := newSchemaCache(m.db)
	measured := measureProgress(ctx)
	// The dirty marks of the rollups are read once per call.
	ctx = context.WithValue(ctx, rollupCallKey{}, &rollupCall{})
	fill := fillFrom(ctx)
	for _, req := range reqs {
		spec, ok := m.specs[req.Measure]
		if fill != nil && (!ok || spec.slowChanging) {
			continue // no rollups: nothing to build
		}
		if !ok {
			out[req.Measure] = Measure{Note: "no SQL definition for measure " + req.Measure}
			measured(req)
			continue
		}
		if missing := schema.missing(ctx, spec.needs); missing != "" {
			out[req.Measure] = Measure{Note: "data not available yet: " + missing}
			measured(req)
			continue
		}
		wg.Add(1)
		go func(req MeasureRequest, spec measureSpec) {
			defer wg.Done()
			defer measured(req)
			sem <- struct{}{}
			defer func() { <-sem }()
			w := m.window(asOf, req.WindowMonths)
			w.has = func(name string) bool { return schema.has(ctx, name) }
			if spec.slowChanging {
				if e, ok := m.reuse(ctx, req.Measure, w); ok {
					mu.Lock()
					out[req.Measure] = e
					mu.Unlock()
					return
				}
			}
			var res Measure
			var err error
			if spec.custom != nil {
				res, err = spec.custom(ctx, m, w)
			} else {
				q := spec.build(w)
				q.recentFrom, q.key, q.window = w.recentStart(), req.Measure, w
				res, err = m.generic(ctx, q)
			}
			if err != nil {
				m.log.Warn("readiness: measure failed", "measure", req.Measure, "err", err)
				res = Measure{Note: "query failed: " + truncate(err.Error(), 200)}
			} else if spec.slowChanging {
				m.keep(ctx, req.Measure, w, res)
			}
			mu.Lock()
			out[req.Measure] = res
			mu.Unlock()
		}(req, spec)
	}
	wg.Wait()
	return out
}

// generic runs the count query and, when needed, the top-records query.
func (m *SQLMeasures) generic(ctx context.Context, q measureQuery) (Measure, error) {
	k, err := m.sampleStep(ctx, q.sampleTable)
	if err != nil {
		return Measure{}, err
	}
	if k > 1 {
		// The cheap sample test first, so the population's own probes run
		// only for the sampled records.
		q.population = fmt.Sprintf("(%s %% %d) = 0 AND (%s)", q.sampleID, k, q.population)
	}
	vals, err := m.aggregate(ctx, aggQuery{
		key:   q.key,
		exprs: []string{"COUNT(*)", "SUM(CASE WHEN " + q.conforming + " THEN 1 ELSE 0 END)"}, exprArgs: q.confArgs,
		from: q.from, fromArgs: q.fromArgs, where: q.population, whereArgs: q.popArgs, bucket: q.bucket, dateBucket: q.dateBucket,
	}, q.window)
	if err != nil {
		return Measure{}, err
	}
	agg := struct{ Den int64 }{int64(vals[0])}
	res := Measure{Known: true, Denominator: vals[0], Numerator: vals[1]}
	res.Note = q.note
	switch {
	case k > 1:
		res.Note = strings.TrimSpace(q.note + fmt.Sprintf(" sampled %d records (every %d-th by id)", agg.Den, k))
	case q.sampledNote && agg.Den > 0:
		res.Note = strings.TrimSpace(q.note + fmt.Sprintf(" all %d records (100%% sample)", agg.Den))
	}
	if res.Numerator < res.Denominator {
		ids, err := m.topIDs(ctx, q, q.recentFrom)
		if err != nil {
			return Measure{}, err
		}
		res.RecordIDs = ids
	}
	return res, nil
}

func (m *SQLMeasures) topIDs(ctx context.Context, q measureQuery, recentFrom time.Time) ([]string, error) {
	// The newest non-conforming records are usually among the last day's:
	// look there first, then the last week, then the last month. When the
	// order is the recent column descending, ten found in a shorter span
	// are the ten the month would give.
	if q.recent != "" && q.order == q.recent+" DESC" {
		for _, back := range []time.Duration{24 * time.Hour, 7 * 24 * time.Hour} {
			from := q.window.AsOf.Add(-back)
			if !from.After(recentFrom) {
				break
			}
			ids, err := m.topIDsSince(ctx, q, from)
			if err != nil || len(ids) >= topRecords {
				return ids, err
			}
		}
	}
	return m.topIDsSince(ctx, q, recentFrom)
}

func (m *SQLMeasures) topIDsSince(ctx context.Context, q measureQuery, recentFrom time.Time) ([]string, error) {
	// CASE … = 0 rather than NOT (…): a conformance test that yields NULL
	// counts as non-conforming in the aggregate, and must here too.
	pop := q.population
	args := append(append([]any{}, q.fromArgs...), q.popArgs...)
	if q.recent != "" {
		pop += " AND " + q.recent + " >= ?"
		args = append(args, recentFrom)
	}
	sql := fmt.Sprintf("SELECT %s AS id FROM %s WHERE %s AND (CASE WHEN %s THEN 1 ELSE 0 END) = 0 ORDER BY %s LIMIT %d",
		q.id, q.from, pop, q.conforming, q.order, topRecords)
	args = append(args, q.confArgs...)
	var ids []string
	rows, err := m.db.WithContext(ctx).Raw(sql, args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var v any
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		ids = append(ids, q.ref+":"+idText(v))
	}
	return ids, rows.Err()
}

func idText(v any) string {
	switch x := v.(type) {
	case int64:
		return strconv.FormatInt(x, 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case []byte:
		return string(x)
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// schemaCache answers "does this table/column exist" once per run: the
// operational tables appear as the other domains' migrations land.
type schemaCache struct {
	db   *gorm.DB
	mu   sync.Mutex
	seen map[string]bool
}

func newSchemaCache(db *gorm.DB) *schemaCache { return &schemaCache{db: db, seen: map[string]bool{}} }

// missing returns the first needed table or table.column that does not
// exist, or "".
func (c *schemaCache) missing(ctx context.Context, needs []string) string {
	for _, n := range needs {
		if !c.has(ctx, n) {
			return n
		}
	}
	return ""
}

func (c *schemaCache) has(ctx context.Context, name string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.seen[name]; ok {
		return v
	}
	table, column, hasColumn := strings.Cut(name, ".")
	m := c.db.WithContext(ctx).Migrator()
	ok := m.HasTable(table)
	if ok && hasColumn {
		ok = m.HasColumn(table, column)
	}
	c.seen[name] = ok
	return ok
}

// sqlTime scans a time that SQLite may return as text (aggregates such as
// MAX over a datetime column lose the declared type).
type sqlTime struct {
	T     time.Time
	Valid bool
}

// Scan implements sql.Scanner.
func (t *sqlTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		t.Valid = false
		return nil
	case time.Time:
		t.T, t.Valid = x, true
		return nil
	case []byte:
		return t.parse(string(x))
	case string:
		return t.parse(x)
	}
	return fmt.Errorf("readiness: cannot scan %T as a time", v)
}

func (t *sqlTime) parse(s string) error {
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", "2006-01-02T15:04:05.999999999-07:00",
		"2006-01-02 15:04:05.999999999 -0700 MST", "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05Z07:00", "2006-01-02"} {
		if p, err := time.Parse(layout, s); err == nil {
			t.T, t.Valid = p, true
			return nil
		}
	}
	return fmt.Errorf("readiness: cannot parse time %q", s)
}

// Value implements driver.Valuer (GORM needs it to treat the type as a
// column, not a relation).
func (t sqlTime) Value() (driver.Value, error) {
	if !t.Valid {
		return nil, nil
	}
	return t.T, nil
}

// ptr returns the time or nil.
func (t sqlTime) ptr() *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.T
	return &v
}

// sampleStep returns k for a systematic sample of about SampleSize records
// of table (1: take every record).
func (m *SQLMeasures) sampleStep(ctx context.Context, table string) (int64, error) {
	if table == "" || m.SampleSize <= 0 {
		return 1, nil
	}
	var span struct{ Lo, Hi *int64 }
	if err := m.db.WithContext(ctx).Raw("SELECT MIN(id) AS lo, MAX(id) AS hi FROM " + table).Scan(&span).Error; err != nil {
		return 0, err
	}
	if span.Lo == nil || span.Hi == nil {
		return 1, nil
	}
	n := *span.Hi - *span.Lo + 1
	if n <= int64(m.SampleSize) {
		return 1, nil
	}
	return (n + int64(m.SampleSize) - 1) / int64(m.SampleSize), nil
}

// recentStart is where the search for top records begins: the last month
// of the window.
func (w window) recentStart() time.Time {
	r := w.AsOf.AddDate(0, -1, 0)
	if r.Before(w.From) {
		return w.From
	}
	return r
}

// aggQuery is an aggregate over a measure's window: every expression must
// add up over days (COUNT, SUM), so settled days can be cached.
type aggQuery struct {
	key       string
	exprs     []string // at most two
	exprArgs  []any
	from      string
	fromArgs  []any
	where     string // includes the window condition on bucket
	whereArgs []any
	bucket    string
	// dateBucket says bucket is a calendar-date column (a local date
	// stored as 00:00 UTC) rather than an instant.
	dateBucket bool
	// until, when set, is the query's own upper bound on bucket when it
	// is earlier than the window's end (the follow-up measure leaves out
	// the last three days).
	until time.Time
	// sources are the tables whose late changes make the rollups stale
	// (default: the first table of from).
	sources []string
}

func (m *SQLMeasures) nowUTC() time.Time { return time.Now().UTC() }

func derefF(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}

// sqlHash keys the day cache by a measure's SQL text.
func sqlHash(key, sql string) string {
	h := sha256.Sum256([]byte(key + "\x00" + sql))
	return hex.EncodeToString(h[:8])
}
