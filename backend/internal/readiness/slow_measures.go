package readiness

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm/clause"
)

// Slow-changing measures (region coverage) are computed over the whole
// window at once, not per day, so they have no rollups. Their last result
// is kept in readiness_slow_measures (migration 0161), shared by every
// instance, and renewed by the rollup job in the background before it
// lapses (refreshSlow), so a run — the first after a start included —
// reads it instead of recomputing it in the request's wake (7.3 s at 5M
// tickets). A process also keeps it in memory to spare the read.

// slowLocalLife bounds how long a process trusts its own copy before it
// reads the shared row again: another instance's Invalidate reaches it
// within this time even if its own event is late.
const slowLocalLife = time.Minute

// SlowMeasure is the stored last result of a slow-changing measure.
type SlowMeasure struct {
	Measure      string `gorm:"primaryKey"`
	WindowMonths int
	AsOf         time.Time
	Result       string
	ComputedAt   time.Time
}

// TableName pins the table of migration 0161.
func (SlowMeasure) TableName() string { return "readiness_slow_measures" }

// fresh reports whether a result computed at asOf over months can serve a
// run at w: the same window length, not newer than the run, and at most
// SlowTTL older.
func (m *SQLMeasures) fresh(months int, asOf time.Time, w window) bool {
	return months == w.Months && !w.AsOf.Before(asOf) && w.AsOf.Sub(asOf) <= m.SlowTTL
}

// reuse returns a slow-changing measure's recent result for the same
// window length, computed at most SlowTTL before (and not after) asOf:
// this process's copy, else the shared row.
func (m *SQLMeasures) reuse(ctx context.Context, name string, w window) (Measure, bool) {
	if ctx.Value(recomputeSlowKey{}) != nil {
		return Measure{}, false
	}
	m.slowMu.Lock()
	e, ok := m.slow[name]
	m.slowMu.Unlock()
	if ok && m.fresh(e.window, e.asOf, w) && time.Since(e.at) < slowLocalLife {
		return e.m, true
	}
	row, ok := m.stored(ctx, name)
	if !ok || !m.fresh(row.WindowMonths, row.AsOf, w) {
		return Measure{}, false
	}
	var res Measure
	if err := json.Unmarshal([]byte(row.Result), &res); err != nil {
		m.log.Warn("readiness: stored slow measure unreadable", "measure", name, "err", err)
		return Measure{}, false
	}
	m.remember(name, row.WindowMonths, row.AsOf, res)
	return res, true
}

// stored reads the shared row of a slow-changing measure; false when there
// is none or it cannot be read (the caller then computes the measure).
func (m *SQLMeasures) stored(ctx context.Context, name string) (SlowMeasure, bool) {
	var row SlowMeasure
	if err := m.db.WithContext(ctx).Where("measure = ?", name).Limit(1).Find(&row).Error; err != nil {
		m.log.Warn("readiness: read the stored slow measure", "measure", name, "err", err)
		return row, false
	}
	return row, row.Measure != ""
}

// keep stores a slow-changing measure's result for this process and for
// the others.
func (m *SQLMeasures) keep(ctx context.Context, name string, w window, res Measure) {
	if m.SlowTTL <= 0 {
		return
	}
	m.remember(name, w.Months, w.AsOf, res)
	b, err := json.Marshal(res)
	if err == nil {
		row := SlowMeasure{Measure: name, WindowMonths: w.Months, AsOf: w.AsOf.UTC(), Result: string(b), ComputedAt: m.nowUTC()}
		err = m.db.WithContext(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(&row).Error
	}
	if err != nil {
		// The figure is right; only the other instances will compute it again.
		m.log.Warn("readiness: store the slow measure", "measure", name, "err", err)
	}
}

func (m *SQLMeasures) remember(name string, months int, asOf time.Time, res Measure) {
	m.slowMu.Lock()
	defer m.slowMu.Unlock()
	m.slow[name] = slowEntry{m: res, at: time.Now(), window: months, asOf: asOf}
}

// Invalidate drops the kept results of slow-changing measures, here and
// for every instance (called when outlets or their coverage change).
func (m *SQLMeasures) Invalidate() {
	m.slowMu.Lock()
	m.slow = map[string]slowEntry{}
	m.slowMu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := m.db.WithContext(ctx).Where("1 = 1").Delete(&SlowMeasure{}).Error; err != nil {
		m.log.Warn("readiness: drop the stored slow measures", "err", err)
	}
}

// refreshSlow computes at now, in the background, the slow-changing measures of
// reqs whose stored result is missing or past half its SlowTTL, so that
// runs keep finding a fresh one.
func (m *SQLMeasures) refreshSlow(ctx context.Context, now time.Time, reqs []MeasureRequest) {
	if m.SlowTTL <= 0 {
		return
	}
	asOf := now.UTC().Truncate(time.Millisecond)
	var due []MeasureRequest
	for _, req := range reqs {
		spec, ok := m.specs[req.Measure]
		if !ok || !spec.slowChanging {
			continue
		}
		row, ok := m.stored(ctx, req.Measure)
		if ok && m.fresh(row.WindowMonths, row.AsOf, m.window(asOf, req.WindowMonths)) && asOf.Sub(row.AsOf) < m.SlowTTL/2 {
			continue
		}
		due = append(due, req)
	}
	if len(due) == 0 {
		return
	}
	m.Measures(context.WithValue(ctx, recomputeSlowKey{}, true), asOf, due)
}

// recomputeSlowKey marks a Measures call that computes slow-changing
// measures anew instead of reusing a kept result (refreshSlow).
type recomputeSlowKey struct{}
