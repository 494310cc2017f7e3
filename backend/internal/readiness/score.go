package readiness

import (
	"fmt"
	"math"
	"math/big"
	"slices"
	"strings"
	"time"
)

// scoreEpsilon absorbs float noise when a score is compared with a band
// threshold: 70 − 1e-12 is 达标, 69.99 is not.
const scoreEpsilon = 1e-9

// Failure reasons a Result may carry.
const (
	FailBelowPass     = "below_pass"
	FailDeductionGate = "deduction_gate"
)

// ScoreRange bounds a score while data is missing: Low counts unknown
// indicators as zero, High counts them as full.
type ScoreRange struct {
	Low      float64 `json:"low"`
	High     float64 `json:"high"`
	LowBand  string  `json:"low_band"`
	HighBand string  `json:"high_band"`
}

// Counts summarises the leaves of a result by state.
type Counts struct {
	Leaves        int `json:"leaves"`
	Computed      int `json:"computed"`
	Unknown       int `json:"unknown"`
	NotApplicable int `json:"not_applicable"`
	Overridden    int `json:"overridden"`
	// Losing counts scored leaves (computed or overridden) below their
	// maximum.
	Losing int `json:"losing"`
	// Inferred counts applicable leaves whose definition is a
	// reconstruction; when non-zero the projection rests on inference.
	Inferred int `json:"inferred"`
}

// Notice reports an input the engine could not use as given (an unknown
// clause, a deletion of a non-deletable indicator, an expired override…).
type Notice struct {
	Code   string `json:"code"`
	Clause string `json:"clause,omitempty"`
	Detail string `json:"detail"`
}

// Result is a scored evaluation: totals, the band and the points ledger.
// Every score and points value is computed exactly and rounded once, half
// up, to two decimals; the band is decided on the rounded total.
type Result struct {
	StandardID string    `json:"standard_id"`
	AsOf       time.Time `json:"as_of"`
	// Actual and Applicable are the raw leaf points earned and counted
	// after deletions; Normalised = Actual ÷ Applicable × 100.
	Actual     float64 `json:"actual"`
	Applicable float64 `json:"applicable"`
	Normalised float64 `json:"normalised"`
	// Deductions are the confirmed special deductions, each removing
	// DeductionPoints ÷ len(Deductions) points.
	Deductions          []Deduction `json:"deductions,omitempty"`
	SuggestedDeductions []Deduction `json:"suggested_deductions,omitempty"`
	DeductionPoints     float64     `json:"deduction_points"`
	BonusPoints         float64     `json:"bonus_points"`
	// Total = Normalised − DeductionPoints + BonusPoints, kept within
	// [0, 100]; unknown indicators count zero.
	Total float64 `json:"total"`
	// Band is the code of the band reached by Total (the low end of the
	// range while unknown indicators remain), or the standard's fail code.
	// The API gives it as band only when Complete; else as band_low.
	Band string `json:"band"`
	// BandLow and BandHigh are the bands at the two ends of the range.
	BandLow     string   `json:"band_low"`
	BandHigh    string   `json:"band_high"`
	BandName    Text     `json:"band_name"`
	Failed      bool     `json:"failed"`
	FailReasons []string `json:"fail_reasons,omitempty"`
	// StarsWithheld is set when the stars_after_pass rule caps the band.
	StarsWithheld bool `json:"stars_withheld,omitempty"`
	// NextBand is the band above the current outcome, empty at the top;
	// ToNextBand the points still missing for it (0 when only the
	// deduction gate or the waiting rule stands in the way).
	NextBand     string  `json:"next_band,omitempty"`
	NextBandName Text    `json:"next_band_name"`
	ToNextBand   float64 `json:"to_next_band"`
	// AboveBand is the margin over the current band's threshold; when
	// failed, over the first band's threshold (negative below it).
	AboveBand float64    `json:"above_band"`
	Range     ScoreRange `json:"range"`
	// Complete is true when no applicable indicator is unknown.
	Complete bool `json:"complete"`
	// Indicators is the points ledger, parents before their children in
	// document order.
	Indicators []IndicatorResult `json:"indicators"`
	Counts     Counts            `json:"counts"`
	Notices    []Notice          `json:"notices,omitempty"`
}

// Indicator returns the ledger line of a clause.
func (r Result) Indicator(clause string) (IndicatorResult, bool) {
	for _, ir := range r.Indicators {
		if ir.Clause == clause {
			return ir, true
		}
	}
	return IndicatorResult{}, false
}

// RoundForDisplay rounds a number to two decimals, half up, exactly as the
// engine rounds scores (Round2), so every place shows the same value.
func RoundForDisplay(v float64) float64 { return Round2(v) }

// Score evaluates the inputs against the standard at the as-of time:
// leaves are scored by their rules, deletions remove their points from the
// applicable total, overrides replace computed points, the sum is
// normalised to 100, confirmed special deductions are subtracted and the
// bonus (only when enabled, at most one) added. The result fails below the
// first band or at the deduction gate. Score never mutates its inputs and
// never panics; inputs it cannot use are listed as notices.
func Score(std *Standard, in Inputs, asOf time.Time) Result {
	res := Result{AsOf: asOf}
	if std == nil || len(std.Indicators) == 0 {
		res.Failed = true
		res.FailReasons = []string{FailBelowPass}
		res.Notices = []Notice{{Code: "no_standard", Detail: "no standard to score against"}}
		return res
	}
	res.StandardID = std.ID
	s := scorer{evaluation: evaluation{std: std, in: &in, asOf: asOf}}
	s.checkClauses()
	for _, ind := range std.Indicators {
		if ind != nil {
			s.node(ind, "", false)
		}
	}
	res.Indicators = s.ledger
	res.Notices = s.notices

	actual, applicable, unknownMax := new(big.Rat), new(big.Rat), new(big.Rat)
	for _, ir := range s.ledger {
		if !ir.Leaf {
			continue
		}
		res.Counts.Leaves++
		switch ir.State {
		case StateComputed:
			res.Counts.Computed++
		case StateUnknown:
			res.Counts.Unknown++
			unknownMax.Add(unknownMax, exactOf(ir.Applicable))
		case StateNotApplicable:
			res.Counts.NotApplicable++
		case StateOverridden:
			res.Counts.Overridden++
		}
		if (ir.State == StateComputed || ir.State == StateOverridden) && ir.Recoverable > 0 {
			res.Counts.Losing++
		}
		if ir.Inferred && ir.State != StateNotApplicable {
			res.Counts.Inferred++
		}
		actual.Add(actual, ir.exactPoints())
		applicable.Add(applicable, exactOf(ir.Applicable))
	}
	res.Actual, res.Applicable = roundExact(actual), roundExact(applicable)
	res.Complete = res.Counts.Unknown == 0
	normalised, high := new(big.Rat), new(big.Rat)
	if applicable.Sign() > 0 {
		hundred := big.NewRat(100, 1)
		normalised.Quo(actual, applicable).Mul(normalised, hundred)
		high.Add(actual, unknownMax).Quo(high, applicable).Mul(high, hundred)
	} else {
		res.Notices = append(res.Notices, Notice{Code: "nothing_applicable", Detail: "every indicator is deleted: nothing to score"})
	}
	res.Normalised = roundExact(normalised)

	sc := std.Scoring
	for _, d := range in.Deductions {
		if d.Suggested {
			res.SuggestedDeductions = append(res.SuggestedDeductions, d)
		} else {
			res.Deductions = append(res.Deductions, d)
		}
	}
	deductions := new(big.Rat).Mul(big.NewRat(int64(len(res.Deductions)), 1), exactOf(sc.SpecialDeductions.PointsEach))
	res.DeductionPoints = roundExact(deductions)
	bonus := new(big.Rat)
	claims := in.Bonuses
	if in.Bonus != nil {
		claims = append([]Bonus{*in.Bonus}, claims...)
	}
	if len(claims) > 0 {
		if sc.Bonus.Enabled && sc.Bonus.MaxCount > 0 {
			// Several practices may be recorded; the standard's cap applies
			// to their total.
			n := min(len(claims), sc.Bonus.MaxCount)
			bonus.Mul(big.NewRat(int64(n), 1), exactOf(sc.Bonus.Points))
			if len(claims) > n {
				res.Notices = append(res.Notices, Notice{Code: "bonus_capped",
					Detail: fmt.Sprintf("%d practices claimed; the standard counts at most %d", len(claims), sc.Bonus.MaxCount)})
			}
		} else {
			res.Notices = append(res.Notices, Notice{Code: "bonus_disabled", Detail: "the standard does not enable the special bonus"})
		}
	}
	res.BonusPoints = roundExact(bonus)
	total := new(big.Rat).Sub(normalised, deductions)
	total.Add(total, bonus)
	high.Sub(high, deductions).Add(high, bonus)
	// Rounded once, half up, to two decimals; the band is decided on the
	// rounded value, so what is shown and what is banded never disagree.
	res.Total = roundExact(clampExact(total, 0, 100))
	highTotal := roundExact(clampExact(high, 0, 100))

	o := classify(std, res.Total, len(res.Deductions), in.PassedSince, asOf)
	res.Band, res.BandName, res.Failed, res.FailReasons, res.StarsWithheld = o.code, o.name, o.failed, o.reasons, o.withheld
	if o.withheld {
		res.Notices = append(res.Notices, Notice{Code: "stars_withheld", Detail: "stars are granted only after the waiting period at the first band"})
	}
	bands := sc.Bands
	if o.index+1 < len(bands) {
		next := bands[o.index+1]
		res.NextBand, res.NextBandName = next.Code, next.Name
		res.ToNextBand = Round2(math.Max(0, next.Min-res.Total))
	}
	switch {
	case o.index >= 0:
		res.AboveBand = Round2(res.Total - bands[o.index].Min)
	case len(bands) > 0:
		res.AboveBand = Round2(res.Total - bands[0].Min)
	}
	highOutcome := classify(std, highTotal, len(res.Deductions), in.PassedSince, asOf)
	res.Range = ScoreRange{
		Low: res.Total, High: highTotal,
		LowBand:  res.Band,
		HighBand: highOutcome.code,
	}
	res.BandLow, res.BandHigh = res.Band, highOutcome.code
	roundLedger(res.Indicators)
	return res
}

// roundLedger rounds every number of the ledger that is shown as points to
// two decimals, once: a parent's points are its children's exact sum,
// rounded. Rates (inputs.value, target, floor) stay fractions.
func roundLedger(lines []IndicatorResult) {
	for i := range lines {
		ir := &lines[i]
		ir.Points = roundExact(ir.exactPoints())
		ir.Max = Round2(ir.Max)
		ir.Applicable = Round2(ir.Applicable)
		ir.Recoverable = roundExact(new(big.Rat).Sub(exactOf(ir.Applicable), ir.exactPoints()))
		if ir.Recoverable < 0 {
			ir.Recoverable = 0
		}
		ir.Inputs.Value = math.Round(ir.Inputs.Value*1e4) / 1e4
	}
}

// outcome is a classified score.
type outcome struct {
	index    int // into Scoring.Bands; -1 when failed
	code     string
	name     Text
	failed   bool
	reasons  []string
	withheld bool
}

// classify maps an unrounded score and the confirmed deduction count to a
// band or the fail outcome.
func classify(std *Standard, total float64, deductions int, passedSince *time.Time, asOf time.Time) outcome {
	sc := std.Scoring
	o := outcome{index: -1}
	for i, b := range sc.Bands {
		if total >= b.Min-scoreEpsilon {
			o.index = i
		}
	}
	if o.index < 0 {
		o.reasons = append(o.reasons, FailBelowPass)
	}
	if sc.SpecialDeductions.FailAt > 0 && deductions >= sc.SpecialDeductions.FailAt {
		o.reasons = append(o.reasons, FailDeductionGate)
		o.index = -1
	}
	if o.index > 0 && sc.StarsAfterPass.Enabled {
		eligible := passedSince != nil && !passedSince.AddDate(0, sc.StarsAfterPass.Months, 0).After(asOf)
		if !eligible {
			o.index, o.withheld = 0, true
		}
	}
	if o.index < 0 {
		o.code, o.name, o.failed = sc.Fail.Code, sc.Fail.Name, true
		return o
	}
	o.code, o.name = sc.Bands[o.index].Code, sc.Bands[o.index].Name
	return o
}

// maxTreeDepth bounds the indicator tree's depth; real standards have four
// or five levels.
const maxTreeDepth = 32

// scorer walks the tree once, building the ledger.
type scorer struct {
	evaluation
	ledger  []IndicatorResult
	notices []Notice
	depth   int
}

func (s *scorer) notice(code, clause, detail string) {
	s.notices = append(s.notices, Notice{Code: code, Clause: clause, Detail: detail})
}

// checkClauses reports inputs naming clauses the standard does not have, so
// a typo is visible instead of silently ignored.
func (s *scorer) checkClauses() {
	check := func(what, clause string) {
		if _, ok := s.std.Indicator(clause); !ok {
			s.notice("unknown_clause", clause, what+" names a clause the standard does not have")
		}
	}
	for _, c := range sortedKeys(s.in.NotApplicable) {
		check("a deletion", c)
	}
	for _, c := range sortedKeys(s.in.Assessments) {
		if ind, ok := s.std.Indicator(c); ok && (ind.Rule == nil || ind.Rule.Kind != RuleManual) {
			s.notice("assessment_unused", c, "an assessment for an indicator whose rule is not manual")
		}
		check("an assessment", c)
	}
	for _, c := range sortedKeys(s.in.Overrides) {
		if ind, ok := s.std.Indicator(c); ok && !ind.IsLeaf() {
			s.notice("override_not_leaf", c, "overrides apply to leaf indicators only")
		}
		check("an override", c)
	}
	for _, d := range s.in.Deductions {
		if d.Clause != "" {
			check("deduction "+d.ID, d.Clause)
		}
	}
}

// deleted reports whether the input deletes this indicator and why.
func (s *scorer) deleted(ind *Indicator) (bool, string) {
	why, ok := s.in.NotApplicable[ind.Clause]
	if !ok {
		return false, ""
	}
	if !ind.Deletable {
		s.notice("not_deletable", ind.Clause, "the standard does not allow deleting this indicator")
		return false, ""
	}
	if strings.TrimSpace(why) == "" {
		s.notice("deletion_without_justification", ind.Clause, "a deletion needs a justification")
		return false, ""
	}
	return true, why
}

// node appends the ledger lines of an indicator and its subtree and returns
// its own line.
func (s *scorer) node(ind *Indicator, inheritedWhy string, inherited bool) IndicatorResult {
	s.depth++
	defer func() { s.depth-- }()
	if s.depth > maxTreeDepth {
		// Only a hand-built standard with a cycle gets here; LoadStandard
		// builds trees.
		s.notice("tree_too_deep", ind.Clause, "the indicator tree is deeper than the engine allows (a cycle?)")
		return IndicatorResult{Clause: ind.Clause, Name: ind.Name, State: StateUnknown}
	}
	na, why := inherited, inheritedWhy
	if !na {
		na, why = s.deleted(ind)
	}
	if ind.IsLeaf() {
		var res IndicatorResult
		if na {
			res = IndicatorResult{
				Clause: ind.Clause, Name: ind.Name, Level: ind.Level, Leaf: true, Inferred: ind.Inferred,
				Max: ind.Points, State: StateNotApplicable, ReasonCodes: []string{ReasonNotApplicable},
				Justification: why,
				Reason:        Text{Zh: "已删减（不适用）：" + why, En: "deleted as not applicable: " + why},
			}
			if ind.Rule != nil {
				res.Kind = ind.Rule.Kind
			}
			if _, ok := s.in.Overrides[ind.Clause]; ok {
				s.notice("override_on_deleted", ind.Clause, "an override on a deleted indicator does not count")
			}
		} else {
			res = s.evaluateRule(ind)
			if o, ok := s.in.Overrides[ind.Clause]; ok {
				if applied, problem := applyOverride(&res, o, s.asOf); !applied {
					s.notice("override_ignored", ind.Clause, problem)
				}
			}
		}
		s.ledger = append(s.ledger, res)
		return res
	}
	at := len(s.ledger)
	s.ledger = append(s.ledger, IndicatorResult{})
	parent := IndicatorResult{
		Clause: ind.Clause, Name: ind.Name, Level: ind.Level, Inferred: ind.Inferred, Max: ind.Points,
	}
	if na {
		parent.Justification = why
	}
	var unknown, overridden, deleted int
	sum := new(big.Rat)
	for _, child := range ind.Children {
		if child == nil {
			continue
		}
		c := s.node(child, why, na)
		sum.Add(sum, c.exactPoints())
		parent.Points += c.Points
		parent.Applicable += c.Applicable
		parent.Recoverable += c.Recoverable
		switch c.State {
		case StateUnknown:
			unknown++
		case StateOverridden:
			overridden++
		case StateNotApplicable:
			deleted++
		}
	}
	switch {
	case deleted > 0 && deleted == len(ind.Children):
		parent.State = StateNotApplicable
		parent.ReasonCodes = []string{ReasonNotApplicable}
	case unknown > 0:
		parent.State = StateUnknown
	case overridden > 0:
		parent.State = StateOverridden
	default:
		parent.State = StateComputed
	}
	parent.setPoints(sum)
	s.ledger[at] = parent
	return parent
}

// sortedKeys returns a map's keys in order, so notices come out the same
// on every run.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
