package readiness

import (
	"context"
	"math"
	"sort"
	"time"

	"github.com/aftersales/aftersales/backend/internal/apperr"
)

// Calibration compares the engine's projection with what auditors actually
// gave: for every held audit whose result was recorded with per-indicator
// points, the engine scores the audit date again (measures over the
// window ending that day, documents and certificates as they stood) and
// reports the difference per indicator, the mean absolute error and the
// indicators where it was most wrong.

// RecordedAudit is a held audit with the auditor's result (implemented by
// the certification service).
type RecordedAudit struct {
	ID   uint64
	Kind string
	// HeldOn is the calendar date; HeldUntil the instant the day ends in
	// the enterprise zone (the as-of time of the comparison).
	HeldOn    time.Time
	HeldUntil time.Time
	Score     *float64
	Band      string
	// ProjectedScore and ProjectedBand are what the engine projected when
	// the result was recorded.
	ProjectedScore *float64
	ProjectedBand  string
	LeadAuditor    string
	// Points are the auditor's points per leaf clause (empty when the
	// report gave only a total).
	Points map[string]float64
}

// AuditRecords lists held audits with their results.
type AuditRecords interface {
	// RecordedAudits returns every held audit, oldest first. Errors are
	// internal.
	RecordedAudits(ctx context.Context) ([]RecordedAudit, error)
}

// SetAudits wires the audit records (the certification service).
func (s *Service) SetAudits(a AuditRecords) { s.audits = a }

// IndicatorCalibration is one indicator of one audit.
type IndicatorCalibration struct {
	Clause    string  `json:"clause"`
	Name      Text    `json:"name"`
	Max       float64 `json:"max"`
	Auditor   float64 `json:"auditor"`
	Projected float64 `json:"projected"`
	// Difference is auditor − projected: positive when the engine was too
	// harsh, negative when it was too generous.
	Difference float64     `json:"difference"`
	State      State       `json:"state"`
	Scoring    ScoringMode `json:"scoring,omitempty"`
	Inferred   bool        `json:"inferred"`
}

// AuditCalibration compares one audit with the projection for its date.
type AuditCalibration struct {
	AuditID        uint64   `json:"audit_id"`
	Kind           string   `json:"kind"`
	HeldOn         string   `json:"held_on"`
	LeadAuditor    string   `json:"lead_auditor,omitempty"`
	AuditorScore   *float64 `json:"auditor_score"`
	AuditorBand    string   `json:"auditor_band"`
	ProjectedScore float64  `json:"projected_score"`
	ProjectedLow   float64  `json:"projected_low"`
	ProjectedHigh  float64  `json:"projected_high"`
	ProjectedBand  string   `json:"projected_band"`
	// RecordedProjection is what the engine projected when the result was
	// recorded (the rules of that day), for comparison.
	RecordedProjection *float64 `json:"recorded_projection,omitempty"`
	// MeanAbsoluteError is over the indicators the auditor scored.
	MeanAbsoluteError float64                `json:"mean_absolute_error"`
	Indicators        []IndicatorCalibration `json:"indicators"`
	// MostWrong are the indicators with the largest absolute difference
	// (at most five, none that agree).
	MostWrong []IndicatorCalibration `json:"most_wrong"`
}

// CalibrationReport is every audit with per-indicator points, and the
// error over all of them.
type CalibrationReport struct {
	Standard string             `json:"standard"`
	Audits   []AuditCalibration `json:"audits"`
	// AuditsWithoutPoints counts held audits recorded with a total only.
	AuditsWithoutPoints int `json:"audits_without_points"`
	// MeanAbsoluteError is over every compared indicator of every audit.
	MeanAbsoluteError float64 `json:"mean_absolute_error"`
	Compared          int     `json:"compared"`
}

// mostWrongCount is how many indicators a calibration names as most wrong.
const mostWrongCount = 5

// Calibration compares recorded audits with the engine's projection for
// their dates. Errors: internal.
func (s *Service) Calibration(ctx context.Context) (*CalibrationReport, error) {
	_, std, err := s.current(ctx, "")
	if err != nil {
		return nil, err
	}
	rep := &CalibrationReport{Standard: std.ID, Audits: []AuditCalibration{}}
	if s.audits == nil {
		return rep, nil
	}
	audits, err := s.audits.RecordedAudits(ctx)
	if err != nil {
		return nil, apperr.Internal(err)
	}
	var sumAbs float64
	for _, a := range audits {
		if len(a.Points) == 0 {
			rep.AuditsWithoutPoints++
			continue
		}
		in, err := s.gather(ctx, std, a.HeldUntil, true)
		if err != nil {
			return nil, err
		}
		res := Score(std, in, a.HeldUntil)
		ac := CalibrateAudit(std, res, a)
		rep.Audits = append(rep.Audits, ac)
		for _, ic := range ac.Indicators {
			sumAbs += math.Abs(ic.Difference)
			rep.Compared++
		}
	}
	if rep.Compared > 0 {
		rep.MeanAbsoluteError = Round2(sumAbs / float64(rep.Compared))
	}
	return rep, nil
}

// CalibrateAudit compares an auditor's per-indicator points with a scored
// result for the audit date (pure: the service supplies the result).
func CalibrateAudit(std *Standard, res Result, a RecordedAudit) AuditCalibration {
	ac := AuditCalibration{AuditID: a.ID, Kind: a.Kind, HeldOn: a.HeldOn.Format(time.DateOnly), LeadAuditor: a.LeadAuditor,
		AuditorScore: a.Score, AuditorBand: a.Band, ProjectedScore: res.Total, ProjectedLow: res.Range.Low,
		ProjectedHigh: res.Range.High, ProjectedBand: res.Band, RecordedProjection: a.ProjectedScore,
		Indicators: []IndicatorCalibration{}, MostWrong: []IndicatorCalibration{}}
	var sumAbs float64
	for _, leaf := range std.Leaves() {
		pts, ok := a.Points[leaf.Clause]
		if !ok {
			continue
		}
		ir, _ := res.Indicator(leaf.Clause)
		ic := IndicatorCalibration{Clause: leaf.Clause, Name: leaf.Name, Max: leaf.Points, Auditor: Round2(pts), Projected: ir.Points,
			Difference: Round2(pts - ir.Points), State: ir.State, Scoring: ir.Scoring, Inferred: leaf.Inferred}
		ac.Indicators = append(ac.Indicators, ic)
		sumAbs += math.Abs(ic.Difference)
	}
	if n := len(ac.Indicators); n > 0 {
		ac.MeanAbsoluteError = Round2(sumAbs / float64(n))
	}
	worst := append([]IndicatorCalibration(nil), ac.Indicators...)
	sort.SliceStable(worst, func(i, j int) bool { return math.Abs(worst[i].Difference) > math.Abs(worst[j].Difference) })
	for _, ic := range worst {
		if len(ac.MostWrong) == mostWrongCount || ic.Difference == 0 {
			break
		}
		ac.MostWrong = append(ac.MostWrong, ic)
	}
	return ac
}
