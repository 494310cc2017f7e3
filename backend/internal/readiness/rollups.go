package readiness

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm/clause"

	"github.com/aftersales/aftersales/backend/internal/db"
)

// Rollups (issue 15, "measures computed incrementally, with no hot rows").
//
// Every measure that is a sum over a bucket time (COUNT and SUM over CASE,
// grouped by the day the record's bucket time falls in) keeps one row per
// closed day of the enterprise's calendar in readiness_rollups; a run sums
// the rows of the closed days of its window and scans only the current
// day (and the partial first day) from the operational rows. A day closes
// at the enterprise's midnight (app.timezone).
//
// A closed day's row is trusted while all of these hold:
//   - its SQL (and non-time arguments) is the measure's current one
//     (def_hash);
//   - it is settled: computed at as-of T and again with every as-of
//     argument moved a year later, both gave the same figures. Every as-of
//     condition of the measures is monotone (a deadline passed stays
//     passed), so equal figures at both ends mean they cannot move by the
//     passing of time; an unsettled day (a deadline still ahead) is
//     recomputed by each run until it settles;
//   - the run's as-of is not before the row's (an older as-of may see less);
//   - no dirty mark newer than the row (seq) covers it: a late change to an
//     old record (a ticket reopened, a survey answered late, a complaint
//     closed late) is marked by the event consumer (MarkDirty) as "records
//     of table T from day D on", never by a counter in the business
//     transaction;
//   - for a source table whose changes do not all raise events
//     (rollupUncovered), it is younger than uncoveredTTL.

// rollupHorizon is how far the as-of arguments are moved to test whether
// a day is settled: longer than any deadline a measure waits for.
const rollupHorizon = 400 * 24 * time.Hour

// uncoveredTTL bounds how long a day of a measure over a table whose
// changes are not all published as events is trusted (the former cache's
// rule).
const uncoveredTTL = 24 * time.Hour

// dirtyGrace: marks written within this time before a run read them are
// not counted in the rows it writes (their ids may commit out of order
// across instances), so they stay in force for the next run too.
const dirtyGrace = 10 * time.Second

// rollupUncovered lists the source tables some of whose changes publish no
// event (follow-up calls, corrective actions, invitations marked
// unreachable or cancelled by jobs): their days are trusted for
// uncoveredTTL only.
var rollupUncovered = map[string]bool{"survey_followups": true, "corrective_actions": true, "survey_invitations": true}

// rollupCall is the dirty marks as read once by one Measures call.
type rollupCall struct {
	once   sync.Once
	err    error
	seq    uint64 // the rows written by this call include marks up to seq
	pruned uint64
	// marks per source: from_day ascending, with the highest id of
	// marks from that day on.
	marks map[string][]dirtyMark
}

type dirtyMark struct {
	from  time.Time
	maxID uint64
}

type rollupCallKey struct{}

// fillRange, when in the context, makes Measures only build the rollups of
// the closed days [from, to) and answer nothing (the background build).
type fillRange struct {
	from, to time.Time
	// refresh, when set, renews the rows of uncovered sources older than
	// it (the job's daily refresh, so that runs do not meet the TTL).
	refresh time.Duration
	mu      sync.Mutex
	err     error
}

type fillKey struct{}

func withFill(ctx context.Context, f *fillRange) context.Context {
	return context.WithValue(ctx, fillKey{}, f)
}

func fillFrom(ctx context.Context) *fillRange {
	f, _ := ctx.Value(fillKey{}).(*fillRange)
	return f
}

func (f *fillRange) fail(err error) {
	f.mu.Lock()
	if f.err == nil {
		f.err = err
	}
	f.mu.Unlock()
}

func (m *SQLMeasures) call(ctx context.Context) *rollupCall {
	if c, ok := ctx.Value(rollupCallKey{}).(*rollupCall); ok {
		return c
	}
	return &rollupCall{}
}

// load reads the dirty marks once per call.
func (c *rollupCall) load(ctx context.Context, m *SQLMeasures) error {
	c.once.Do(func() {
		db := m.db.WithContext(ctx)
		var rows []struct {
			Source  string
			FromDay sqlTime
			MaxID   uint64
		}
		if c.err = db.Model(&RollupDirty{}).Select("source, from_day, MAX(id) AS max_id").Group("source, from_day").Scan(&rows).Error; c.err != nil {
			return
		}
		var seq struct{ S *uint64 }
		if c.err = db.Model(&RollupDirty{}).Select("MAX(id) AS s").Where("created_at < ?", m.nowUTC().Add(-dirtyGrace)).Scan(&seq).Error; c.err != nil {
			return
		}
		if seq.S != nil {
			c.seq = *seq.S
		}
		var b RollupBuild
		if err := db.Where("name = ?", rollupBuildName).Limit(1).Find(&b).Error; err == nil {
			c.pruned = b.PrunedThrough
		}
		c.marks = map[string][]dirtyMark{}
		for _, r := range rows {
			if r.FromDay.Valid {
				d := r.FromDay.T.UTC()
				c.marks[r.Source] = append(c.marks[r.Source], dirtyMark{from: time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC), maxID: r.MaxID})
			}
		}
		for s := range c.marks {
			sort.Slice(c.marks[s], func(i, j int) bool { return c.marks[s][i].from.Before(c.marks[s][j].from) })
		}
	})
	return c.err
}

// dirtySince is the highest mark id of sources covering day.
func (c *rollupCall) dirtySince(sources []string, day time.Time) uint64 {
	var hi uint64
	for _, s := range sources {
		for _, mk := range c.marks[s] {
			if mk.from.After(day) {
				break
			}
			hi = max(hi, mk.maxID)
		}
	}
	return hi
}

// aggregate runs the expressions over `from WHERE where`. With a bucket
// and rollups on, the closed days of the window are summed from
// readiness_rollups (the missing and stale ones recomputed and stored
// first), and only the rest of the window is scanned.
func (m *SQLMeasures) aggregate(ctx context.Context, q aggQuery, w window) ([]float64, error) {
	sel := make([]string, len(q.exprs))
	for i, e := range q.exprs {
		sel[i] = fmt.Sprintf("%s AS v%d", e, i+1)
	}
	base := "SELECT " + strings.Join(sel, ", ") + " FROM " + q.from + " WHERE " + q.where
	args := append(append(append([]any{}, q.exprArgs...), q.fromArgs...), q.whereArgs...)
	fill := fillFrom(ctx)
	if q.bucket == "" || m.NoDayCache || q.key == "" {
		if fill != nil {
			return make([]float64, 2), nil
		}
		return m.scan(ctx, base, args)
	}
	days := m.closedDays(q, w)
	if fill != nil {
		var in []time.Time
		for _, d := range days {
			if !d.Before(fill.from) && d.Before(fill.to) {
				in = append(in, d)
			}
		}
		if len(in) > 0 {
			if _, err := m.rollupSum(ctx, q, w, base, args, in); err != nil {
				fill.fail(fmt.Errorf("%s: %w", q.key, err))
			}
		}
		return make([]float64, 2), nil
	}
	if len(days) == 0 {
		return m.scan(ctx, base, args)
	}
	closed, err := m.rollupSum(ctx, q, w, base, args, days)
	if err != nil {
		m.log.Warn("readiness: rollups unavailable; scanning the window", "measure", q.key, "err", err)
		return m.scan(ctx, base, args)
	}
	// The rest of the window: before the first closed day and from the
	// current day on, as two range scans (SQLite does not split an OR of
	// ranges: it would read the whole window's index).
	lo, hi := m.dayStart(q, days[0]), m.dayStart(q, days[len(days)-1].AddDate(0, 0, 1))
	head, err := m.scanBounded(ctx, q, base, args, q.bucket+" < ?", lo)
	if err != nil {
		return nil, err
	}
	tail, err := m.scanBounded(ctx, q, base, args, q.bucket+" >= ?", hi)
	if err != nil {
		return nil, err
	}
	return []float64{head[0] + tail[0] + closed[0], head[1] + tail[1] + closed[1]}, nil
}

// bounded puts cond first in the WHERE of base (with its arguments in
// place): SQLite uses only the first range on a column for its index, and
// the window's own bound comes first in q.where.
func (q aggQuery) bounded(base string, args []any, cond string, condArgs ...any) (string, []any) {
	head := base[:len(base)-len(q.where)]
	n := len(q.exprArgs) + len(q.fromArgs)
	out := make([]any, 0, len(args)+len(condArgs))
	out = append(append(append(out, args[:n]...), condArgs...), args[n:]...)
	return head + cond + " AND (" + q.where + ")", out
}

func (m *SQLMeasures) scanBounded(ctx context.Context, q aggQuery, base string, args []any, cond string, condArgs ...any) ([]float64, error) {
	sql, a := q.bounded(base, args, cond, condArgs...)
	return m.scan(ctx, sql, a)
}

func (m *SQLMeasures) scan(ctx context.Context, sql string, args []any) ([]float64, error) {
	var v struct{ V1, V2 *float64 }
	if err := m.db.WithContext(ctx).Raw(sql, args...).Scan(&v).Error; err != nil {
		return nil, err
	}
	return []float64{derefF(v.V1), derefF(v.V2)}, nil
}

// dayStart is where day d (a local date as 00:00 UTC) begins in the
// bucket's terms: the enterprise's midnight for an instant, the date
// itself for a date column.
func (m *SQLMeasures) dayStart(q aggQuery, d time.Time) time.Time {
	if q.dateBucket {
		return d
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, m.loc).UTC()
}

// closedDays are the whole closed days inside the query's window: from the
// first day starting at or after its start up to the day before the
// as-of day (and before the query's own upper bound).
func (m *SQLMeasures) closedDays(q aggQuery, w window) []time.Time {
	var first, end time.Time // end exclusive
	if q.dateBucket {
		first, end = w.FromDay, w.AsOfDay
	} else {
		first = localDay(w.From, m.loc)
		if m.dayStart(q, first).Before(w.From) {
			first = first.AddDate(0, 0, 1)
		}
		upper := w.To
		if !q.until.IsZero() && q.until.Before(upper) {
			upper = q.until
		}
		end = localDay(upper, m.loc) // days wholly before upper and before today
		if end.After(w.AsOfDay) {
			end = w.AsOfDay
		}
	}
	var out []time.Time
	for d := first; d.Before(end); d = d.AddDate(0, 0, 1) {
		out = append(out, d)
	}
	return out
}

// sources of a query: its own list, or the first table of from.
func (q aggQuery) sourceTables() []string {
	if len(q.sources) > 0 {
		return q.sources
	}
	f := strings.Fields(q.from)
	if len(f) == 0 {
		return nil
	}
	return f[:1]
}

// rollupSum sums the rollups of days (closed, ascending), recomputing and
// storing those missing or no longer trusted.
func (m *SQLMeasures) rollupSum(ctx context.Context, q aggQuery, w window, base string, args []any, days []time.Time) ([2]float64, error) {
	var sum [2]float64
	c := m.call(ctx)
	if err := c.load(ctx, m); err != nil {
		return sum, err
	}
	hash := sqlHash(q.key, base+"\x00"+argsText(args)+"\x00"+m.loc.String()+fmt.Sprint(q.dateBucket))
	var rows []Rollup
	if err := m.db.WithContext(ctx).Where("measure = ? AND day >= ? AND day <= ?", q.key, days[0], days[len(days)-1]).Find(&rows).Error; err != nil {
		return sum, err
	}
	have := make(map[string]Rollup, len(rows))
	for _, r := range rows {
		have[r.Day.UTC().Format(time.DateOnly)] = r
	}
	sources := q.sourceTables()
	uncovered := false
	for _, s := range sources {
		uncovered = uncovered || rollupUncovered[s]
	}
	now := m.nowUTC()
	ttl := uncoveredTTL
	if f := fillFrom(ctx); f != nil && f.refresh > 0 {
		ttl = f.refresh
	}
	var need []time.Time
	for _, d := range days {
		r, ok := have[d.Format(time.DateOnly)]
		if ok && r.DefHash == hash && r.Settled && !w.AsOf.Before(r.AsOf) && r.Seq >= c.pruned &&
			c.dirtySince(sources, d) <= r.Seq && (!uncovered || now.Sub(r.ComputedAt) < ttl) {
			sum[0] += r.V1
			sum[1] += r.V2
			continue
		}
		need = append(need, d)
	}
	if len(need) == 0 {
		return sum, nil
	}
	at, err := m.dayValues(ctx, q, base, args, need)
	if err != nil {
		return sum, err
	}
	later, err := m.dayValues(ctx, q, base, shiftAsOf(args, w), need)
	if err != nil {
		return sum, err
	}
	out := make([]Rollup, 0, len(need))
	for _, d := range need {
		k := d.Format(time.DateOnly)
		v, l := at[k], later[k]
		sum[0] += v[0]
		sum[1] += v[1]
		out = append(out, Rollup{Measure: q.key, Day: d, DefHash: hash, V1: v[0], V2: v[1], Settled: v == l, AsOf: w.AsOf, Seq: c.seq, ComputedAt: now})
	}
	// One writer at a time: concurrent measures upserting neighbouring
	// keys would deadlock on MySQL's gap locks.
	m.cacheMu.Lock()
	err = m.db.WithContext(ctx).Clauses(clause.OnConflict{UpdateAll: true}).CreateInBatches(out, 500).Error
	m.cacheMu.Unlock()
	if err != nil {
		// The figures are right; only the rollups could not be kept.
		m.log.Warn("readiness: store rollups", "measure", q.key, "err", err)
		if f := fillFrom(ctx); f != nil {
			f.fail(err)
		}
	}
	return sum, nil
}

// shiftAsOf moves every as-of argument (the window's end instant and
// as-of date) rollupHorizon later: the figures a day would have once
// every deadline passed.
func shiftAsOf(args []any, w window) []any {
	out := make([]any, len(args))
	for i, a := range args {
		out[i] = a
		if t, ok := a.(time.Time); ok {
			switch {
			case t.Equal(w.AsOf):
				out[i] = w.AsOf.Add(rollupHorizon)
			case t.Equal(w.AsOfDay):
				out[i] = w.AsOfDay.Add(rollupHorizon)
			}
		}
	}
	return out
}

// argsText is the non-time arguments of a query, for its hash (time
// arguments are the window's and move with every run).
func argsText(args []any) string {
	var b strings.Builder
	for _, a := range args {
		if _, ok := a.(time.Time); ok {
			b.WriteString("t;")
			continue
		}
		fmt.Fprintf(&b, "%v;", a)
	}
	return b.String()
}

// dayValues computes the expressions for each of days (ascending), in one
// GROUP BY per run of consecutive days sharing the zone's offset; a day on
// which the offset changes is counted alone over its exact range.
func (m *SQLMeasures) dayValues(ctx context.Context, q aggQuery, base string, args []any, days []time.Time) (map[string][2]float64, error) {
	out := make(map[string][2]float64, len(days))
	sqlite := db.IsSQLite(m.db)
	conn := m.db.WithContext(ctx)
	offset := func(d time.Time) int {
		_, off := m.dayStart(q, d).In(m.loc).Zone()
		if q.dateBucket {
			return 0
		}
		return off
	}
	for i := 0; i < len(days); {
		d0 := days[i]
		off := offset(d0)
		if !q.dateBucket && offset(d0.AddDate(0, 0, 1)) != off {
			v, err := m.scanBounded(ctx, q, base, args, q.bucket+" >= ? AND "+q.bucket+" < ?", m.dayStart(q, d0), m.dayStart(q, d0.AddDate(0, 0, 1)))
			if err != nil {
				return nil, err
			}
			out[d0.Format(time.DateOnly)] = [2]float64{v[0], v[1]}
			i++
			continue
		}
		j := i + 1
		for j < len(days) && days[j].Equal(days[j-1].AddDate(0, 0, 1)) && offset(days[j]) == off && (q.dateBucket || offset(days[j].AddDate(0, 0, 1)) == off) {
			j++
		}
		dayExpr := "DATE(" + q.bucket + ")"
		switch {
		case q.dateBucket:
		case sqlite:
			dayExpr = fmt.Sprintf("DATE(%s, '%+d seconds')", q.bucket, off)
		default:
			dayExpr = fmt.Sprintf("DATE(DATE_ADD(%s, INTERVAL %d SECOND))", q.bucket, off)
		}
		sql, gargs := q.bounded(base, args, q.bucket+" >= ? AND "+q.bucket+" < ?", m.dayStart(q, d0), m.dayStart(q, days[j-1].AddDate(0, 0, 1)))
		grouped := strings.Replace(sql, "SELECT ", "SELECT "+dayExpr+" AS d, ", 1) + " GROUP BY " + dayExpr
		var rows []struct {
			D      sqlTime
			V1, V2 *float64
		}
		if err := conn.Raw(grouped, gargs...).Scan(&rows).Error; err != nil {
			return nil, err
		}
		for _, r := range rows {
			if r.D.Valid {
				out[r.D.T.Format(time.DateOnly)] = [2]float64{derefF(r.V1), derefF(r.V2)}
			}
		}
		i = j
	}
	return out, nil
}
