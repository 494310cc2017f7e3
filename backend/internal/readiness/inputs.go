package readiness

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/aftersales/aftersales/backend/internal/apperr"
)

// gather collects everything a score depends on at asOf. With measures
// false the operational measures are taken from the latest run of the
// standard (they are the expensive part) and everything else is read fresh,
// which is what explanations and projections need: a document's new expiry
// shows at once, without waiting for the next run.
func (s *Service) gather(ctx context.Context, std *Standard, asOf time.Time, measures bool) (Inputs, error) {
	in := Inputs{
		Measures:      map[string]Measure{},
		Assessments:   map[string]Assessment{},
		NotApplicable: map[string]string{},
		Overrides:     map[string]Override{},
	}
	if measures {
		in.Measures = s.measures.Measures(ctx, asOf, std.MeasureRequests())
	} else {
		prev, err := s.latestInputs(ctx, std.ID)
		if err != nil {
			return in, err
		}
		if prev != nil && prev.Measures != nil {
			in.Measures = prev.Measures
		} else {
			in.Measures = s.measures.Measures(ctx, asOf, std.MeasureRequests())
		}
	}
	if s.evidence != nil {
		docs, err := s.evidence.DocumentsForScoring(ctx)
		if err != nil {
			// Unknown rather than zero: a failed read is not missing evidence.
			s.log.Warn("readiness: evidence register", "err", err)
		} else {
			if docs == nil {
				docs = map[string][]Document{}
			}
			in.Documents = docs
		}
	}
	st, err := s.measures.Staffing(ctx, asOf)
	if err != nil {
		s.log.Warn("readiness: staffing", "err", err)
	} else {
		in.Staffing = st
	}
	assessments, err := s.st.activeAssessments(ctx, s.db, std.ID)
	if err != nil {
		return in, apperr.Internal(err)
	}
	for _, a := range assessments {
		ind, ok := std.Indicator(a.Clause)
		if !ok || !ind.IsLeaf() {
			continue
		}
		// An assessment stored on a computed leaf by an earlier release
		// (an override without evidence) no longer counts.
		if ind.Rule != nil && ind.Rule.Kind == RuleManual {
			in.Assessments[a.Clause] = Assessment{Points: a.Points, Justification: a.Justification, Author: a.Author,
				AssessedAt: a.AssessedAt, ExpiresAt: a.ExpiresAt}
		}
	}
	overrides, err := s.activeOverrides(ctx, std.ID)
	if err != nil {
		return in, apperr.Internal(err)
	}
	for _, o := range overrides {
		var evidence []string
		for _, id := range o.EvidenceIDs() {
			evidence = append(evidence, "document:"+id)
		}
		in.Overrides[o.Clause] = Override{ID: "O" + strconv.FormatUint(o.ID, 10), Points: o.Points, Justification: o.Justification,
			Author: o.Author, CreatedAt: o.CreatedAt, ExpiresAt: o.ExpiresAt, Evidence: evidence}
	}
	deletions, err := s.st.activeDeletions(ctx, s.db, std.ID)
	if err != nil {
		return in, apperr.Internal(err)
	}
	for _, d := range deletions {
		in.NotApplicable[d.Clause] = d.Justification
	}
	deds, err := s.st.openDeductions(ctx, s.db, asOf)
	if err != nil {
		return in, apperr.Internal(err)
	}
	for _, d := range deds {
		in.Deductions = append(in.Deductions, Deduction{ID: deductionID(d.ID), Clause: d.Clause, Reason: d.Finding,
			Suggested: d.Status == DeductionSuggested})
	}
	bonuses, err := s.Bonuses(ctx)
	if err != nil {
		return in, err
	}
	for _, b := range bonuses {
		in.Bonuses = append(in.Bonuses, Bonus{ID: "B" + strconv.FormatUint(b.ID, 10), Reason: b.Reason, Author: b.Author})
	}
	if std.Scoring.StarsAfterPass.Enabled {
		since, err := s.passedSince(ctx, std.ID)
		if err != nil {
			return in, apperr.Internal(err)
		}
		in.PassedSince = since
	}
	return in, nil
}

// deductionID is how a stored finding is named in the engine: "D" + id.
func deductionID(id uint64) string { return "D" + strconv.FormatUint(id, 10) }

// latestInputs returns the inputs the latest run of a standard scored, nil
// before the first run.
func (s *Service) latestInputs(ctx context.Context, code string) (*Inputs, error) {
	r, err := s.st.latestRun(ctx, s.db, code)
	if err != nil {
		return nil, apperr.Internal(err)
	}
	if r == nil || r.Inputs == "" {
		return nil, nil
	}
	var in Inputs
	if err := json.Unmarshal([]byte(r.Inputs), &in); err != nil {
		return nil, apperr.Internal(fmt.Errorf("readiness: inputs of run %d: %w", r.ID, err))
	}
	return &in, nil
}

// passedSince is when the current unbroken streak of passing runs began
// (for the optional stars_after_pass rule), nil when the latest run failed
// or there is none.
func (s *Service) passedSince(ctx context.Context, code string) (*time.Time, error) {
	var lastFail struct{ T sqlTime }
	if err := s.db.WithContext(ctx).Model(&Run{}).Select("MAX(as_of) AS t").
		Where("standard_code = ? AND status = ? AND failed = ?", code, RunDone, true).Scan(&lastFail).Error; err != nil {
		return nil, err
	}
	q := s.db.WithContext(ctx).Model(&Run{}).Select("MIN(as_of) AS t").Where("standard_code = ? AND status = ? AND failed = ?", code, RunDone, false)
	if lastFail.T.Valid {
		q = q.Where("as_of > ?", lastFail.T.T)
	}
	var first struct{ T sqlTime }
	if err := q.Scan(&first).Error; err != nil {
		return nil, err
	}
	return first.T.ptr(), nil
}

// CurrentInputs returns the inputs a score would use now: the latest run's
// measures with fresh documents, staffing and quality-manager inputs.
func (s *Service) CurrentInputs(ctx context.Context, code string) (*Standard, Inputs, time.Time, error) {
	_, std, err := s.current(ctx, code)
	if err != nil {
		return nil, Inputs{}, time.Time{}, err
	}
	asOf := s.now().UTC()
	in, err := s.gather(ctx, std, asOf, false)
	if err != nil {
		return nil, Inputs{}, time.Time{}, err
	}
	return std, in, asOf, nil
}
