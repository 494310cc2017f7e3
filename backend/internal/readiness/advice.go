package readiness

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/db"
)

// This file holds the service side of explaining and improving the score:
// gaps, the cheapest path to the next band, what-if simulations and the
// projection to the audit date. All of them score the current inputs
// (CurrentInputs) with the pure engine, so each agrees with a recomputation.

// GapReport is the list of indicators losing points with the score they
// were computed from.
type GapReport struct {
	Result Result
	Gaps   []Gap
}

// Gaps scores the current inputs and lists every leaf losing points, most
// recoverable first, with the reason, the records behind it and the action
// that recovers it.
func (s *Service) Gaps(ctx context.Context, code string) (*GapReport, error) {
	std, in, asOf, err := s.CurrentInputs(ctx, code)
	if err != nil {
		return nil, err
	}
	res := Score(std, in, asOf)
	return &GapReport{Result: res, Gaps: Gaps(res)}, nil
}

// CheapestPath finds the smallest set of fixes that lifts the current score
// to band (the next band when empty), verified by re-scoring.
func (s *Service) CheapestPath(ctx context.Context, code, band string) (*Path, error) {
	std, in, asOf, err := s.CurrentInputs(ctx, code)
	if err != nil {
		return nil, err
	}
	if band != "" {
		if _, ok := std.Band(band); !ok {
			return nil, apperr.FieldErr("band", apperr.Unknown(band))
		}
		p := CheapestPathTo(std, in, asOf, band)
		return &p, nil
	}
	p := CheapestPath(std, in, asOf)
	return &p, nil
}

// WhatIf scores the current inputs with hypothetical changes; nothing is
// stored. Changes come as structured values or as text in the consultant's
// phrasing (see ParseChange); an invalid one is a 422 naming it.
func (s *Service) WhatIf(ctx context.Context, code string, changes []Change, texts []string) (*WhatIfResult, error) {
	std, in, asOf, err := s.CurrentInputs(ctx, code)
	if err != nil {
		return nil, err
	}
	all := append([]Change(nil), changes...)
	for i, t := range texts {
		c, err := ParseChange(t, asOf)
		if err != nil {
			return nil, apperr.FieldErr(fmt.Sprintf("texts[%d]", i), apperr.Code("change_unreadable", err.Error()).With("detail", err.Error()))
		}
		all = append(all, c)
	}
	if len(all) == 0 {
		return nil, apperr.FieldErr("changes", apperr.Code("no_change", "give at least one change"))
	}
	res, err := WhatIf(std, in, all, asOf)
	if err != nil {
		return nil, apperr.FieldErr("changes", apperr.Code("change_invalid", err.Error()).With("detail", err.Error()))
	}
	return &res, nil
}

// ProjectionReport is a projection with how the date and trends were chosen.
type ProjectionReport struct {
	Projection Projection
	// AtSource says where the date came from: "request", "next_audit" or
	// "default_90_days" (no audit planned).
	AtSource string
	// Trends are the per-measure slopes (rate per month) used.
	Trends map[string]float64
	// TrendWindowDays is the run history the trends were fitted on.
	TrendWindowDays int
}

// defaultProjectionDays is how far ahead a projection looks when no date
// is given and no audit is planned.
const defaultProjectionDays = 90

// trendWindow is the run history trends are fitted on.
const trendWindow = 90 * 24 * time.Hour

// Project scores the current inputs at a future date: at, or the next
// planned audit when at is nil. Known expiries (documents, certificates,
// assessments) apply by date, and each measure moves along its trend from
// the run history. With no date and no audit planned it looks 90 days
// ahead and says so in AtSource.
func (s *Service) Project(ctx context.Context, code string, at *time.Time) (*ProjectionReport, error) {
	std, in, asOf, err := s.CurrentInputs(ctx, code)
	if err != nil {
		return nil, err
	}
	source := "request"
	if at == nil {
		if s.calendar != nil {
			next, err := s.calendar.NextAuditDate(ctx, localDay(asOf, s.loc))
			if err != nil {
				return nil, apperr.Internal(err)
			}
			at = next
		}
		source = "next_audit"
		if at == nil {
			// No audit planned: 90 days ahead, and the report says so.
			y, m, dd := asOf.In(s.loc).Date()
			d := time.Date(y, m, dd+defaultProjectionDays, 0, 0, 0, 0, s.loc).UTC()
			at, source = &d, "default_90_days"
		}
	}
	if at.Before(asOf) {
		return nil, apperr.FieldErr("at", apperr.Code("in_past", "must not be in the past"))
	}
	trends, err := s.Trends(ctx, std.ID, asOf)
	if err != nil {
		return nil, err
	}
	// Dates in the events are printed in the enterprise zone.
	p := Project(std, in, asOf, at.In(s.loc), trends)
	return &ProjectionReport{Projection: p, AtSource: source, Trends: trends, TrendWindowDays: int(trendWindow / (24 * time.Hour))}, nil
}

// ProjectedScore is our projection for a date, as kept beside an auditor's
// result.
type ProjectedScore struct {
	Total float64
	Low   float64
	High  float64
	Band  string
}

// ProjectAt projects the active standard to a date: for a date in the past
// it is the latest run at or before that date (what we projected then),
// otherwise the projection. nil when there is nothing to project from.
func (s *Service) ProjectAt(ctx context.Context, at time.Time) (*ProjectedScore, error) {
	if !at.After(s.now()) {
		var r Run
		err := s.db.WithContext(ctx).Where("standard_code = ? AND as_of <= ?", s.active, at.Add(24*time.Hour)).
			Order("as_of DESC").Limit(1).Find(&r).Error
		if err != nil {
			return nil, apperr.Internal(fmt.Errorf("readiness: run before %s: %w", at, err))
		}
		if r.ID == 0 {
			return nil, nil
		}
		return &ProjectedScore{Total: r.Total, Low: r.Low, High: r.High, Band: r.Band}, nil
	}
	rep, err := s.Project(ctx, "", &at)
	if err != nil {
		return nil, err
	}
	p := rep.Projection
	return &ProjectedScore{Total: p.Projected.Total, Low: p.Range.Low, High: p.Range.High, Band: p.Projected.Band}, nil
}

// Trends fits, per measure, a least-squares slope of the measured rate per
// month over the run history of the last trendWindow, in SQL (sums of x, y,
// xy, x²). Measures with fewer than three distinct runs or no spread in
// time get no trend.
func (s *Service) Trends(ctx context.Context, code string, asOf time.Time) (map[string]float64, error) {
	from := asOf.Add(-trendWindow)
	// x is days since the window start, computed in Go-bound arithmetic
	// per dialect; y the rate. Only computed leaves count, one row per
	// (ledger, measure): the first clause reading the measure.
	x := db.DaysBetween(s.db, "?", "r.as_of")
	q := fmt.Sprintf(`SELECT l.measure AS measure, COUNT(*) AS n, SUM(%[1]s) AS sx, SUM(l.value) AS sy,
		SUM(%[1]s * l.value) AS sxy, SUM(%[1]s * %[1]s) AS sxx
		FROM readiness_runs r JOIN readiness_ledger_rows l ON l.run_id = r.ledger_run_id
		WHERE r.standard_code = ? AND r.as_of >= ? AND r.as_of <= ? AND l.leaf = ? AND l.state = ? AND l.measure <> ''
		GROUP BY l.measure`, x)
	var rows []struct {
		Measure string
		N       int64
		Sx      float64
		Sy      float64
		Sxy     float64
		Sxx     float64
	}
	args := []any{from, from, from, from, code, from, asOf, true, string(StateComputed)}
	if err := s.db.WithContext(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("readiness: trends: %w", err))
	}
	out := map[string]float64{}
	for _, r := range rows {
		if r.N < 3 {
			continue
		}
		n := float64(r.N)
		den := n*r.Sxx - r.Sx*r.Sx
		if den <= 1e-9 {
			continue
		}
		perDay := (n*r.Sxy - r.Sx*r.Sy) / den
		perMonth := perDay * float64(averageMonth) / float64(24*time.Hour)
		if math.IsNaN(perMonth) || math.IsInf(perMonth, 0) || math.Abs(perMonth) < 1e-6 {
			continue
		}
		out[r.Measure] = perMonth
	}
	return out, nil
}
