package readiness

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Gap is a leaf indicator losing points, with what it would take to win
// them back.
type Gap struct {
	Clause string   `json:"clause"`
	Name   Text     `json:"name"`
	Kind   RuleKind `json:"kind"`
	State  State    `json:"state"`
	Points float64  `json:"points"`
	Max    float64  `json:"max"`
	// Recoverable is the raw indicator points to regain.
	Recoverable float64 `json:"recoverable"`
	// ScoreGain is what full recovery adds to the normalised score
	// (Recoverable ÷ applicable total × 100).
	ScoreGain   float64  `json:"score_gain"`
	Inferred    bool     `json:"inferred,omitempty"`
	ReasonCodes []string `json:"reason_codes,omitempty"`
	Reason      Text     `json:"reason"`
	Action      Text     `json:"action"`
	RecordIDs   []string `json:"record_ids,omitempty"`
}

// Gaps lists every applicable leaf that is losing points (unknown leaves
// included: they count zero until their data arrives), most recoverable
// points first, ties in document order.
func Gaps(r Result) []Gap {
	var gaps []Gap
	for _, ir := range r.Indicators {
		if !ir.Leaf || ir.State == StateNotApplicable || ir.Recoverable <= pointsTolerance {
			continue
		}
		g := Gap{
			Clause: ir.Clause, Name: ir.Name, Kind: ir.Kind, State: ir.State, Points: ir.Points, Max: ir.Max,
			Recoverable: ir.Recoverable, Inferred: ir.Inferred,
			ReasonCodes: append([]string(nil), ir.ReasonCodes...), Reason: ir.Reason, Action: ir.Action,
			RecordIDs: append([]string(nil), ir.RecordIDs...),
		}
		if r.Applicable > 0 {
			g.ScoreGain = ir.Recoverable / r.Applicable * 100
		}
		gaps = append(gaps, g)
	}
	sort.SliceStable(gaps, func(i, j int) bool { return gaps[i].Recoverable > gaps[j].Recoverable+pointsTolerance })
	return gaps
}

// Fix is one step of a path to a band: recover a leaf in full, or correct
// a special-deduction finding.
type Fix struct {
	// Clause is the leaf to recover; empty for a deduction.
	Clause string `json:"clause,omitempty"`
	// DeductionID is the finding to correct; empty for a leaf.
	DeductionID string `json:"deduction_id,omitempty"`
	// Kind is the leaf's rule kind, or EffortDeduction.
	Kind string `json:"kind"`
	Name Text   `json:"name"`
	// Gain is the score points the fix adds.
	Gain   float64 `json:"gain"`
	Effort float64 `json:"effort"`
	Action Text    `json:"action"`
}

// Path is the cheapest set of fixes found to reach a band.
type Path struct {
	From       string `json:"from"`
	Target     string `json:"target"`
	TargetName Text   `json:"target_name"`
	// Reachable is false when no set of fixes reaches the target (already
	// at the top, the waiting rule, or not enough points left to win).
	Reachable bool `json:"reachable"`
	// Reason explains an unreachable target.
	Reason Text  `json:"reason"`
	Fixes  []Fix `json:"fixes,omitempty"`
	// Effort is the summed effort weight of the fixes.
	Effort float64 `json:"effort"`
	Before float64 `json:"before"`
	// After is the total obtained by re-scoring the inputs with the fixes
	// applied (ApplyFixes), so it agrees with a recomputation.
	After     float64 `json:"after"`
	AfterBand string  `json:"after_band"`
	// Verified is true when the re-scored result reaches the target.
	Verified bool `json:"verified"`
}

// CheapestPath finds the smallest set of fixes (fewest, then least effort
// by the standard's effort weights) that lifts the score to the next band,
// and verifies it by re-scoring. Unknown leaves count as fixes (provide the
// data, at target); the deduction gate is honoured by correcting findings.
func CheapestPath(std *Standard, in Inputs, asOf time.Time) Path {
	base := Score(std, in, asOf)
	if std == nil || base.NextBand == "" {
		p := Path{From: base.Band, Before: base.Total, After: base.Total, AfterBand: base.Band}
		p.Reason = Text{Zh: "已是最高等级", En: "already at the top band"}
		if std == nil {
			p.Reason = Text{Zh: "没有标准", En: "no standard"}
		}
		return p
	}
	return cheapestPath(std, in, asOf, base, base.NextBand)
}

// CheapestPathTo is CheapestPath towards a chosen band code.
func CheapestPathTo(std *Standard, in Inputs, asOf time.Time, band string) Path {
	base := Score(std, in, asOf)
	return cheapestPath(std, in, asOf, base, band)
}

func cheapestPath(std *Standard, in Inputs, asOf time.Time, base Result, band string) Path {
	p := Path{From: base.Band, Target: band, Before: base.Total, After: base.Total, AfterBand: base.Band}
	if std == nil {
		p.Reason = Text{Zh: "没有标准", En: "no standard"}
		return p
	}
	targetIndex := slices.IndexFunc(std.Scoring.Bands, func(b Band) bool { return b.Code == band })
	if targetIndex < 0 {
		p.Reason = Text{Zh: "未知等级 " + band, En: "unknown band " + band}
		return p
	}
	target := std.Scoring.Bands[targetIndex]
	p.TargetName = target.Name
	currentIndex := slices.IndexFunc(std.Scoring.Bands, func(b Band) bool { return b.Code == base.Band })
	if currentIndex >= targetIndex {
		p.Reachable, p.Verified = true, true
		p.Reason = Text{Zh: "已达到该等级", En: "the band is already reached"}
		return p
	}
	if targetIndex > 0 && std.Scoring.StarsAfterPass.Enabled {
		if o := classify(std, 100, 0, in.PassedSince, asOf); o.withheld {
			p.Reason = Text{
				Zh: fmt.Sprintf("星级须在达标满 %d 个月后授予，整改无法提前", std.Scoring.StarsAfterPass.Months),
				En: fmt.Sprintf("stars come only after %d months at the first band; no fix brings that forward", std.Scoring.StarsAfterPass.Months),
			}
			return p
		}
	}

	// Candidate fixes and their gains on the unclamped score.
	effort := std.Scoring.Effort
	var candidates []Fix
	for _, ir := range base.Indicators {
		if !ir.Leaf || ir.State == StateNotApplicable || ir.Recoverable <= pointsTolerance || base.Applicable <= 0 {
			continue
		}
		kind := string(ir.Kind)
		candidates = append(candidates, Fix{
			Clause: ir.Clause, Kind: kind, Name: ir.Name, Effort: weight(effort, kind),
			Gain: ir.Recoverable / base.Applicable * 100, Action: fixAction(ir),
		})
	}
	for _, d := range base.Deductions {
		candidates = append(candidates, Fix{
			DeductionID: d.ID, Kind: EffortDeduction, Effort: weight(effort, EffortDeduction),
			Gain: std.Scoring.SpecialDeductions.PointsEach,
			Name: Text{Zh: "特别扣分项：" + d.Reason, En: "special deduction: " + d.Reason},
			Action: Text{
				Zh: fmt.Sprintf("整改扣分项 %s 并留存证据：%s", d.ID, d.Reason),
				En: fmt.Sprintf("correct finding %s and keep the evidence: %s", d.ID, d.Reason),
			},
		})
	}
	raw := base.Normalised - base.DeductionPoints + base.BonusPoints
	need := target.Min - raw
	mustRemove := 0
	if gate := std.Scoring.SpecialDeductions.FailAt; gate > 0 {
		mustRemove = max(0, len(base.Deductions)-(gate-1))
	}

	chosen, ok := chooseFixes(candidates, need, mustRemove)
	if !ok {
		all := 0.0
		for _, c := range candidates {
			all += c.Gain
		}
		p.Reason = Text{
			Zh: fmt.Sprintf("即使全部整改，最高约 %.2f 分，达不到 %s 分", math.Min(100, raw+all), formatPoints(target.Min)),
			En: fmt.Sprintf("even fixing every gap reaches about %.2f, short of %s", math.Min(100, raw+all), formatPoints(target.Min)),
		}
		return p
	}
	p.Fixes = chosen
	for _, f := range chosen {
		p.Effort += f.Effort
	}
	after := Score(std, ApplyFixes(std, in, chosen, asOf), asOf)
	p.After, p.AfterBand = after.Total, after.Band
	afterIndex := slices.IndexFunc(std.Scoring.Bands, func(b Band) bool { return b.Code == after.Band })
	p.Verified = afterIndex >= targetIndex
	p.Reachable = p.Verified
	if !p.Verified {
		p.Reason = Text{Zh: "重新计分未达到目标等级", En: "re-scoring with the fixes does not reach the band"}
	}
	return p
}

// chooseFixes picks the fewest fixes whose gains reach need, including at
// least mustRemove deductions, and among those the least effort (then the
// largest gain). Fixes of one kind share an effort weight, so the best
// choice takes the largest gains of each kind; only the count per kind is
// searched.
func chooseFixes(candidates []Fix, need float64, mustRemove int) ([]Fix, bool) {
	byKind := map[string][]Fix{}
	for _, c := range candidates {
		byKind[c.Kind] = append(byKind[c.Kind], c)
	}
	kinds := make([]string, 0, len(byKind))
	for k, fixes := range byKind {
		kinds = append(kinds, k)
		sort.SliceStable(fixes, func(i, j int) bool { return fixes[i].Gain > fixes[j].Gain })
	}
	sort.Strings(kinds)
	prefix := make([][]float64, len(kinds))
	minTake := make([]int, len(kinds))
	for i, k := range kinds {
		prefix[i] = make([]float64, len(byKind[k])+1)
		for j, f := range byKind[k] {
			prefix[i][j+1] = prefix[i][j] + f.Gain
		}
		if k == EffortDeduction {
			minTake[i] = mustRemove
			if mustRemove > len(byKind[k]) {
				return nil, false
			}
		}
	}
	reaches := func(gain float64) bool { return gain >= need-scoreEpsilon }

	// Fewest fixes: the mandatory deductions, then the largest gains of
	// any kind. Taken greedily this is also a first feasible choice.
	type pick struct {
		kind int
		gain float64
	}
	var rest []pick
	greedy := make([]int, len(kinds))
	var gain float64
	for i, k := range kinds {
		for j, f := range byKind[k] {
			if j < minTake[i] {
				gain += f.Gain
				greedy[i]++
			} else {
				rest = append(rest, pick{i, f.Gain})
			}
		}
	}
	// Largest gain first; on equal gain the cheaper kind, so the greedy
	// seed is already good.
	sort.SliceStable(rest, func(a, b int) bool {
		if rest[a].gain != rest[b].gain {
			return rest[a].gain > rest[b].gain
		}
		return byKind[kinds[rest[a].kind]][0].Effort < byKind[kinds[rest[b].kind]][0].Effort
	})
	k := mustRemove
	for _, r := range rest {
		if reaches(gain) {
			break
		}
		gain += r.gain
		greedy[r.kind]++
		k++
	}
	if !reaches(gain) {
		return nil, false
	}

	// Least effort among the k-fix choices: branch and bound over the
	// count per kind, seeded with the greedy choice. upper[i][n] bounds
	// the gain n fixes can add from kinds i onwards.
	effortOf := func(i int) float64 { return byKind[kinds[i]][0].Effort }
	best := slices.Clone(greedy)
	bestEffort, bestGain := 0.0, gain
	for i, c := range greedy {
		bestEffort += float64(c) * effortOf(i)
	}
	upper := make([][]float64, len(kinds)+1)
	upper[len(kinds)] = make([]float64, k+1)
	for i := len(kinds) - 1; i >= 0; i-- {
		var gains []float64
		for j := i; j < len(kinds); j++ {
			for _, f := range byKind[kinds[j]] {
				gains = append(gains, f.Gain)
			}
		}
		sort.Sort(sort.Reverse(sort.Float64Slice(gains)))
		upper[i] = make([]float64, k+1)
		for n := 1; n <= k; n++ {
			upper[i][n] = upper[i][n-1]
			if n <= len(gains) {
				upper[i][n] += gains[n-1]
			}
		}
	}
	// The budget keeps a pathological standard (hundreds of leaves, all
	// failing) from searching for long; the greedy seed is then kept,
	// still with the fewest fixes.
	budget := 1_000_000
	counts := make([]int, len(kinds))
	var search func(i, left int, gain, effort float64)
	search = func(i, left int, gain, effort float64) {
		budget--
		if budget < 0 || effort > bestEffort+scoreEpsilon || !reaches(gain+upper[i][left]) {
			return
		}
		if i == len(kinds) {
			if left != 0 {
				return
			}
			if effort < bestEffort-scoreEpsilon || (math.Abs(effort-bestEffort) <= scoreEpsilon && gain > bestGain+scoreEpsilon) {
				bestEffort, bestGain = effort, gain
				copy(best, counts)
			}
			return
		}
		w := effortOf(i)
		for c := minTake[i]; c <= min(left, len(byKind[kinds[i]])); c++ {
			counts[i] = c
			search(i+1, left-c, gain+prefix[i][c], effort+float64(c)*w)
		}
		counts[i] = 0
	}
	search(0, k, 0, 0)
	var out []Fix
	for i, kind := range kinds {
		out = append(out, byKind[kind][:best[i]]...)
	}
	// Present leaves in document order (clauses compare as numbers) and
	// deductions last.
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if (a.Clause == "") != (b.Clause == "") {
			return b.Clause == ""
		}
		if a.Clause != b.Clause {
			return clauseLess(a.Clause, b.Clause)
		}
		return a.DeductionID < b.DeductionID
	})
	return out, true
}

// fixAction is the words for recovering a leaf in full.
func fixAction(ir IndicatorResult) Text {
	if ir.Action.Zh != "" || ir.Action.En != "" {
		return ir.Action
	}
	return Text{Zh: "整改“" + ir.Name.Zh + "”", En: "recover " + ir.Name.En}
}

func weight(effort map[string]float64, kind string) float64 {
	if w, ok := effort[kind]; ok && w > 0 {
		return w
	}
	if w, ok := defaultEffort()[kind]; ok {
		return w
	}
	return 1
}

// clauseLess orders clauses numerically part by part: 5.1.2 < 5.1.10.
func clauseLess(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		if pa[i] == pb[i] {
			continue
		}
		na, ea := strconv.Atoi(pa[i])
		nb, eb := strconv.Atoi(pb[i])
		if ea == nil && eb == nil {
			return na < nb
		}
		return pa[i] < pb[i]
	}
	return len(pa) < len(pb)
}

// ApplyFixes returns a copy of the inputs in which each fix is done: a
// leaf's data is set to what earns full points (rate at target, all samples
// conforming, an approved document in force from asOf, enough certified
// managers, a full assessment) and its override removed; a deduction is
// removed. The original inputs are not touched.
//
// Fixes are treated as independent. When several leaves read the same
// measure or the staffing, fixing one fixes the others and the re-scored
// total can exceed the sum of the gains. When the evidence register was
// not gathered (nil Documents), a hypothetical document makes it known, so
// the other document leaves turn from unknown to missing: the same zero.
func ApplyFixes(std *Standard, in Inputs, fixes []Fix, asOf time.Time) Inputs {
	out := cloneInputs(in)
	for _, f := range fixes {
		if f.Clause == "" {
			out.Deductions = slices.DeleteFunc(out.Deductions, func(d Deduction) bool { return !d.Suggested && d.ID == f.DeductionID })
			continue
		}
		ind, ok := std.Indicator(f.Clause)
		if !ok || ind.Rule == nil {
			continue
		}
		delete(out.Overrides, f.Clause)
		r := ind.Rule
		switch r.Kind {
		case RuleMetric, RuleSample:
			m := out.Measures[r.Measure]
			den := m.Denominator
			if !m.Known || !finite(den) || den <= 0 {
				den = 1
			}
			den = math.Max(den, float64(r.MinPopulation))
			num := den
			if r.Kind == RuleMetric {
				num = math.Min(den, ceilCount(r.Target*den))
			}
			out.Measures[r.Measure] = Measure{Known: true, Numerator: num, Denominator: den, Note: "hypothetical"}
		case RuleDocument:
			if out.Documents == nil {
				out.Documents = map[string][]Document{}
			}
			out.Documents[r.DocumentType] = append(out.Documents[r.DocumentType], Document{
				ID: "hypothetical-" + r.DocumentType, Type: r.DocumentType, Title: "hypothetical " + r.DocumentType,
				EffectiveAt: asOf, Approved: true,
			})
		case RuleRatio:
			st := &out.Staffing
			if !st.Known || st.ManagementHeadcount < 0 || st.CertifiedManagers < 0 {
				*st = Staffing{Known: true}
			}
			if st.ManagementHeadcount == 0 {
				// The fix includes recording the management staff: the
				// smallest team the minimum covers.
				st.ManagementHeadcount = max(1, r.Minimum)
			}
			need := RequiredManagers(r.Ratio, r.Minimum, st.ManagementHeadcount)
			if have := certifiedAt(*st, asOf); have < need {
				st.CertifiedManagers += need - have
			}
		case RuleManual:
			out.Assessments[f.Clause] = Assessment{Points: ind.Points, Justification: "hypothetical", Author: "what-if", AssessedAt: asOf}
		}
	}
	return out
}

// certifiedAt counts the certified managers still valid at a time.
func certifiedAt(st Staffing, at time.Time) int {
	n := st.CertifiedManagers
	for _, c := range st.CertifiedExpiring {
		if !c.ExpiresAt.After(at) {
			n--
		}
	}
	return max(0, n)
}

// cloneInputs deep-copies the inputs so hypotheticals never leak into the
// caller's data. Maps are always non-nil in the copy, except Documents,
// whose nil means "not gathered".
func cloneInputs(in Inputs) Inputs {
	out := in
	out.Measures = make(map[string]Measure, len(in.Measures))
	for k, m := range in.Measures {
		m.RecordIDs = slices.Clone(m.RecordIDs)
		out.Measures[k] = m
	}
	if in.Documents != nil {
		out.Documents = make(map[string][]Document, len(in.Documents))
		for k, docs := range in.Documents {
			out.Documents[k] = slices.Clone(docs)
		}
	}
	out.Staffing.CertifiedExpiring = slices.Clone(in.Staffing.CertifiedExpiring)
	out.Assessments = make(map[string]Assessment, len(in.Assessments))
	for k, v := range in.Assessments {
		out.Assessments[k] = v
	}
	out.NotApplicable = make(map[string]string, len(in.NotApplicable))
	for k, v := range in.NotApplicable {
		out.NotApplicable[k] = v
	}
	out.Overrides = make(map[string]Override, len(in.Overrides))
	for k, v := range in.Overrides {
		out.Overrides[k] = v
	}
	out.Deductions = slices.Clone(in.Deductions)
	if in.Bonus != nil {
		b := *in.Bonus
		out.Bonus = &b
	}
	return out
}

// ChangeKind names a hypothetical change for WhatIf.
type ChangeKind string

// The hypothetical changes WhatIf understands.
const (
	// ChangeCertifiedManagers sets (or, Relative, shifts by) Amount the
	// count of certified managers.
	ChangeCertifiedManagers ChangeKind = "certified_managers"
	// ChangeManagementHeadcount sets (or shifts) the management headcount.
	ChangeManagementHeadcount ChangeKind = "management_headcount"
	// ChangeMeasureValue sets Measure's rate to Value, keeping its
	// denominator (100 when it had none).
	ChangeMeasureValue ChangeKind = "measure_value"
	// ChangeMeasureCounts sets Measure to Numerator / Denominator.
	ChangeMeasureCounts ChangeKind = "measure_counts"
	// ChangeAddDocument adds Document (under its Type).
	ChangeAddDocument ChangeKind = "add_document"
	// ChangeRemoveDocument removes the documents of DocumentType (only
	// DocumentID when set).
	ChangeRemoveDocument ChangeKind = "remove_document"
	// ChangeNotApplicable deletes Clause with Justification.
	ChangeNotApplicable ChangeKind = "not_applicable"
	// ChangeApplicable undoes the deletion of Clause.
	ChangeApplicable ChangeKind = "applicable"
	// ChangeAddDeduction adds Deduction.
	ChangeAddDeduction ChangeKind = "add_deduction"
	// ChangeRemoveDeduction removes the deduction DeductionID.
	ChangeRemoveDeduction ChangeKind = "remove_deduction"
	// ChangeAssessment sets the assessment of Clause to Points.
	ChangeAssessment ChangeKind = "assessment"
	// ChangeOverride overrides Clause to Points with Justification.
	ChangeOverride ChangeKind = "override"
	// ChangeClearOverride removes the override of Clause.
	ChangeClearOverride ChangeKind = "clear_override"
	// ChangeBonus claims the special bonus with Justification as reason.
	ChangeBonus ChangeKind = "bonus"
	// ChangeClearBonus withdraws the bonus claim.
	ChangeClearBonus ChangeKind = "clear_bonus"
)

// Change is one hypothetical change; only the fields its Kind names are
// read.
type Change struct {
	Kind          ChangeKind `json:"kind"`
	Clause        string     `json:"clause,omitempty"`
	Measure       string     `json:"measure,omitempty"`
	DocumentType  string     `json:"document_type,omitempty"`
	DocumentID    string     `json:"document_id,omitempty"`
	DeductionID   string     `json:"deduction_id,omitempty"`
	Amount        int        `json:"amount,omitempty"`
	Relative      bool       `json:"relative,omitempty"`
	Value         float64    `json:"value,omitempty"`
	Numerator     float64    `json:"numerator,omitempty"`
	Denominator   float64    `json:"denominator,omitempty"`
	Points        float64    `json:"points,omitempty"`
	Justification string     `json:"justification,omitempty"`
	Document      Document   `json:"document"`
	Deduction     Deduction  `json:"deduction"`
}

// WhatIfResult compares the score before and after hypothetical changes.
type WhatIfResult struct {
	Before  Result            `json:"before"`
	After   Result            `json:"after"`
	Changes []IndicatorChange `json:"changes"`
	// Inputs are the hypothetical inputs After was scored from.
	Inputs Inputs `json:"-"`
}

// WhatIf applies hypothetical changes to a copy of the inputs and re-scores;
// nothing is stored and the caller's inputs are untouched. An invalid change
// (unknown measure or clause, rate outside [0, 1]…) returns an error naming
// it.
func WhatIf(std *Standard, in Inputs, changes []Change, asOf time.Time) (WhatIfResult, error) {
	if std == nil {
		return WhatIfResult{}, fmt.Errorf("what-if: no standard")
	}
	out := cloneInputs(in)
	for i, c := range changes {
		if err := applyChange(std, &out, c, asOf); err != nil {
			return WhatIfResult{}, fmt.Errorf("what-if change %d (%s): %w", i+1, c.Kind, err)
		}
	}
	before := Score(std, in, asOf)
	after := Score(std, out, asOf)
	return WhatIfResult{Before: before, After: after, Changes: Diff(before, after), Inputs: out}, nil
}

func applyChange(std *Standard, in *Inputs, c Change, asOf time.Time) error {
	needClause := func() (*Indicator, error) {
		ind, ok := std.Indicator(c.Clause)
		if !ok {
			return nil, fmt.Errorf("unknown clause %q", c.Clause)
		}
		return ind, nil
	}
	needMeasure := func() error {
		if _, ok := std.Measure(c.Measure); !ok {
			return fmt.Errorf("unknown measure %q", c.Measure)
		}
		return nil
	}
	switch c.Kind {
	case ChangeCertifiedManagers, ChangeManagementHeadcount:
		st := &in.Staffing
		st.Known = true
		field := &st.CertifiedManagers
		if c.Kind == ChangeManagementHeadcount {
			field = &st.ManagementHeadcount
		}
		if c.Relative {
			*field += c.Amount
		} else {
			*field = c.Amount
		}
		if *field < 0 {
			*field = 0
		}
	case ChangeMeasureValue:
		if err := needMeasure(); err != nil {
			return err
		}
		if !finite(c.Value) || c.Value < 0 || c.Value > 1 {
			return fmt.Errorf("value %v is outside [0, 1]", c.Value)
		}
		m := in.Measures[c.Measure]
		den := m.Denominator
		if !m.Known || !finite(den) || den <= 0 {
			den = 100
		}
		in.Measures[c.Measure] = Measure{Known: true, Numerator: c.Value * den, Denominator: den, Note: "what-if"}
	case ChangeMeasureCounts:
		if err := needMeasure(); err != nil {
			return err
		}
		if !finite(c.Numerator) || !finite(c.Denominator) || c.Numerator < 0 || c.Denominator < 0 || c.Numerator > c.Denominator {
			return fmt.Errorf("counts %v/%v are inconsistent", c.Numerator, c.Denominator)
		}
		in.Measures[c.Measure] = Measure{Known: true, Numerator: c.Numerator, Denominator: c.Denominator, Note: "what-if"}
	case ChangeAddDocument:
		d := c.Document
		if d.Type == "" {
			d.Type = c.DocumentType
		}
		if d.Type == "" {
			return fmt.Errorf("a document needs a type")
		}
		if d.ID == "" {
			d.ID = "what-if-" + d.Type
		}
		if d.EffectiveAt.IsZero() {
			d.EffectiveAt = asOf
		}
		if in.Documents == nil {
			in.Documents = map[string][]Document{}
		}
		in.Documents[d.Type] = append(in.Documents[d.Type], d)
	case ChangeRemoveDocument:
		if in.Documents == nil {
			return nil
		}
		in.Documents[c.DocumentType] = slices.DeleteFunc(in.Documents[c.DocumentType], func(d Document) bool {
			return c.DocumentID == "" || d.ID == c.DocumentID
		})
	case ChangeNotApplicable:
		ind, err := needClause()
		if err != nil {
			return err
		}
		if !ind.Deletable {
			return fmt.Errorf("clause %s may not be deleted", c.Clause)
		}
		why := c.Justification
		if strings.TrimSpace(why) == "" {
			why = "what-if"
		}
		in.NotApplicable[c.Clause] = why
	case ChangeApplicable:
		delete(in.NotApplicable, c.Clause)
	case ChangeAddDeduction:
		d := c.Deduction
		if d.ID == "" {
			d.ID = fmt.Sprintf("what-if-%d", len(in.Deductions)+1)
		}
		in.Deductions = append(in.Deductions, d)
	case ChangeRemoveDeduction:
		before := len(in.Deductions)
		in.Deductions = slices.DeleteFunc(in.Deductions, func(d Deduction) bool { return d.ID == c.DeductionID })
		if len(in.Deductions) == before {
			return fmt.Errorf("no deduction %q", c.DeductionID)
		}
	case ChangeAssessment:
		if _, err := needClause(); err != nil {
			return err
		}
		in.Assessments[c.Clause] = Assessment{Points: c.Points, Justification: orDefault(c.Justification, "what-if"), Author: "what-if", AssessedAt: asOf}
	case ChangeOverride:
		if _, err := needClause(); err != nil {
			return err
		}
		in.Overrides[c.Clause] = Override{Points: c.Points, Justification: orDefault(c.Justification, "what-if"), Author: "what-if", CreatedAt: asOf}
	case ChangeClearOverride:
		delete(in.Overrides, c.Clause)
	case ChangeBonus:
		in.Bonus = &Bonus{ID: "what-if", Reason: orDefault(c.Justification, "what-if"), Author: "what-if"}
	case ChangeClearBonus:
		in.Bonus = nil
	default:
		return fmt.Errorf("unknown change kind %q", c.Kind)
	}
	return nil
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

// ParseChange reads a change written the way a consultant would say it:
//
//	certified_managers +3            certified_managers 5
//	management_headcount 40          management_headcount -2
//	measure followup_within_3d value 0.98   (or 98%)
//	measure followup_within_3d 45/50
//	document service_fund approved effective now expiring in 1y
//	document crisis_drill effective 2025-03-01 expiring 2026-03-01
//	remove document service_fund [id]
//	mark 5.2.6 n/a [justification…]  unmark 5.2.6
//	add deduction [clause] reason…   remove deduction ID
//	assess 5.1.7.3 1 [justification…]
//	override 5.1.1.1 2 justification…   clear override 5.1.1.1
//	bonus [reason…]                  no bonus
//
// "now" and "in N(d|m|y)" are relative to asOf. Documents default to
// approved, effective now, without expiry.
func ParseChange(text string, asOf time.Time) (Change, error) {
	f := strings.Fields(text)
	bad := func(format string, args ...any) (Change, error) {
		return Change{}, fmt.Errorf("change %q: %s", text, fmt.Sprintf(format, args...))
	}
	if len(f) == 0 {
		return bad("empty")
	}
	rest := func(i int) string {
		if i >= len(f) {
			return ""
		}
		return strings.Join(f[i:], " ")
	}
	switch strings.ToLower(f[0]) {
	case "certified_managers", "management_headcount":
		if len(f) != 2 {
			return bad("want %s <n> or %s +<n>", f[0], f[0])
		}
		n, err := strconv.Atoi(f[1])
		if err != nil {
			return bad("%q is not a whole number", f[1])
		}
		kind := ChangeCertifiedManagers
		if strings.ToLower(f[0]) == "management_headcount" {
			kind = ChangeManagementHeadcount
		}
		return Change{Kind: kind, Amount: n, Relative: strings.HasPrefix(f[1], "+") || strings.HasPrefix(f[1], "-")}, nil
	case "measure":
		switch {
		case len(f) == 4 && strings.EqualFold(f[2], "value"):
			v, err := parseRate(f[3])
			if err != nil {
				return bad("%v", err)
			}
			return Change{Kind: ChangeMeasureValue, Measure: f[1], Value: v}, nil
		case len(f) == 3 && strings.Contains(f[2], "/"):
			parts := strings.SplitN(f[2], "/", 2)
			num, err1 := strconv.ParseFloat(parts[0], 64)
			den, err2 := strconv.ParseFloat(parts[1], 64)
			if err1 != nil || err2 != nil {
				return bad("%q is not counts like 45/50", f[2])
			}
			return Change{Kind: ChangeMeasureCounts, Measure: f[1], Numerator: num, Denominator: den}, nil
		}
		return bad("want measure <name> value <rate> or measure <name> <n>/<d>")
	case "document":
		if len(f) < 2 {
			return bad("want document <type> …")
		}
		d := Document{Type: f[1], Approved: true, EffectiveAt: asOf}
		for i := 2; i < len(f); i++ {
			switch strings.ToLower(f[i]) {
			case "approved":
				d.Approved = true
			case "unapproved", "draft":
				d.Approved = false
			case "effective":
				if i+1 >= len(f) {
					return bad("effective needs a date or now")
				}
				t, err := parseWhen(f[i+1], asOf)
				if err != nil {
					return bad("%v", err)
				}
				d.EffectiveAt = t
				i++
			case "expiring", "expires":
				if i+1 < len(f) && strings.EqualFold(f[i+1], "in") {
					if i+2 >= len(f) {
						return bad("expiring in needs a duration like 1y")
					}
					t, err := addDuration(asOf, f[i+2])
					if err != nil {
						return bad("%v", err)
					}
					d.ExpiresAt = &t
					i += 2
					continue
				}
				if i+1 >= len(f) {
					return bad("expiring needs a date")
				}
				t, err := parseWhen(f[i+1], asOf)
				if err != nil {
					return bad("%v", err)
				}
				d.ExpiresAt = &t
				i++
			case "no":
				if i+1 < len(f) && strings.EqualFold(f[i+1], "expiry") {
					d.ExpiresAt = nil
					i++
					continue
				}
				return bad("unexpected %q", f[i])
			default:
				return bad("unexpected %q", f[i])
			}
		}
		return Change{Kind: ChangeAddDocument, DocumentType: d.Type, Document: d}, nil
	case "remove":
		switch {
		case len(f) >= 3 && strings.EqualFold(f[1], "document"):
			c := Change{Kind: ChangeRemoveDocument, DocumentType: f[2]}
			if len(f) > 3 {
				c.DocumentID = f[3]
			}
			return c, nil
		case len(f) == 3 && strings.EqualFold(f[1], "deduction"):
			return Change{Kind: ChangeRemoveDeduction, DeductionID: f[2]}, nil
		}
		return bad("want remove document <type> [id] or remove deduction <id>")
	case "mark":
		if len(f) < 3 || !strings.EqualFold(f[2], "n/a") {
			return bad("want mark <clause> n/a [justification]")
		}
		return Change{Kind: ChangeNotApplicable, Clause: f[1], Justification: rest(3)}, nil
	case "unmark":
		if len(f) != 2 {
			return bad("want unmark <clause>")
		}
		return Change{Kind: ChangeApplicable, Clause: f[1]}, nil
	case "add":
		if len(f) < 3 || !strings.EqualFold(f[1], "deduction") {
			return bad("want add deduction [clause] <reason>")
		}
		d := Deduction{Reason: rest(2)}
		if looksLikeClause(f[2]) {
			d.Clause, d.Reason = f[2], rest(3)
		}
		return Change{Kind: ChangeAddDeduction, Deduction: d}, nil
	case "assess", "override":
		if len(f) < 3 {
			return bad("want %s <clause> <points> [justification]", f[0])
		}
		pts, err := strconv.ParseFloat(f[2], 64)
		if err != nil || !finite(pts) {
			return bad("%q is not points", f[2])
		}
		kind := ChangeAssessment
		if strings.EqualFold(f[0], "override") {
			kind = ChangeOverride
		}
		return Change{Kind: kind, Clause: f[1], Points: pts, Justification: rest(3)}, nil
	case "clear":
		if len(f) != 3 || !strings.EqualFold(f[1], "override") {
			return bad("want clear override <clause>")
		}
		return Change{Kind: ChangeClearOverride, Clause: f[2]}, nil
	case "bonus":
		return Change{Kind: ChangeBonus, Justification: rest(1)}, nil
	case "no":
		if len(f) == 2 && strings.EqualFold(f[1], "bonus") {
			return Change{Kind: ChangeClearBonus}, nil
		}
	}
	return bad("unknown change")
}

func looksLikeClause(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && r != '.' {
			return false
		}
	}
	return true
}

func parseRate(s string) (float64, error) {
	percent := strings.HasSuffix(s, "%")
	v, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
	if err != nil || !finite(v) {
		return 0, fmt.Errorf("%q is not a rate", s)
	}
	if percent {
		v /= 100
	}
	if v < 0 || v > 1 {
		return 0, fmt.Errorf("rate %s is outside [0, 1]", s)
	}
	return v, nil
}

func parseWhen(s string, asOf time.Time) (time.Time, error) {
	if strings.EqualFold(s, "now") {
		return asOf, nil
	}
	t, err := time.ParseInLocation("2006-01-02", s, asOf.Location())
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date (YYYY-MM-DD) or now", s)
	}
	return t, nil
}

// addDuration adds "30d", "6m" or "1y" to a time.
func addDuration(t time.Time, s string) (time.Time, error) {
	if len(s) < 2 {
		return time.Time{}, fmt.Errorf("%q is not a duration like 30d, 6m, 1y", s)
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a duration like 30d, 6m, 1y", s)
	}
	switch s[len(s)-1] {
	case 'd':
		return t.AddDate(0, 0, n), nil
	case 'm':
		return t.AddDate(0, n, 0), nil
	case 'y':
		return t.AddDate(n, 0, 0), nil
	}
	return time.Time{}, fmt.Errorf("%q is not a duration like 30d, 6m, 1y", s)
}

// IndicatorChange is what moved on one indicator between two results.
type IndicatorChange struct {
	Clause         string   `json:"clause"`
	Name           Text     `json:"name"`
	Leaf           bool     `json:"leaf"`
	PointsBefore   float64  `json:"points_before"`
	PointsAfter    float64  `json:"points_after"`
	Delta          float64  `json:"delta"`
	StateBefore    State    `json:"state_before,omitempty"`
	StateAfter     State    `json:"state_after,omitempty"`
	ReasonsAdded   []string `json:"reasons_added,omitempty"`
	ReasonsRemoved []string `json:"reasons_removed,omitempty"`
	// ValueBefore and ValueAfter are the measured rates (or certified
	// share) when a leaf's value moved.
	ValueBefore  float64 `json:"value_before"`
	ValueAfter   float64 `json:"value_after"`
	ValueChanged bool    `json:"value_changed"`
	// Why says in words what moved and the indicator's current reason.
	Why Text `json:"why"`
}

// Diff lists per indicator what moved from a to b: points, state, reason
// codes, measured value. Indicators in b come in b's ledger order, then
// those only in a. Unchanged indicators are left out.
func Diff(a, b Result) []IndicatorChange {
	before := make(map[string]IndicatorResult, len(a.Indicators))
	for _, ir := range a.Indicators {
		before[ir.Clause] = ir
	}
	seen := map[string]bool{}
	var out []IndicatorChange
	for _, nb := range b.Indicators {
		seen[nb.Clause] = true
		na, had := before[nb.Clause]
		if c, moved := indicatorChange(na, nb, had, true); moved {
			out = append(out, c)
		}
	}
	for _, na := range a.Indicators {
		if seen[na.Clause] {
			continue
		}
		if c, moved := indicatorChange(na, IndicatorResult{}, true, false); moved {
			out = append(out, c)
		}
	}
	return out
}

func indicatorChange(a, b IndicatorResult, hadA, hasB bool) (IndicatorChange, bool) {
	ref := b
	if !hasB {
		ref = a
	}
	c := IndicatorChange{
		Clause: ref.Clause, Name: ref.Name, Leaf: ref.Leaf,
		PointsBefore: a.Points, PointsAfter: b.Points, Delta: b.Points - a.Points,
		StateBefore: a.State, StateAfter: b.State,
		ReasonsAdded: minus(b.ReasonCodes, a.ReasonCodes), ReasonsRemoved: minus(a.ReasonCodes, b.ReasonCodes),
		ValueBefore: a.Inputs.Value, ValueAfter: b.Inputs.Value,
	}
	c.ValueChanged = ref.Leaf && math.Abs(c.ValueAfter-c.ValueBefore) > pointsTolerance
	moved := !hadA || !hasB || math.Abs(c.Delta) > pointsTolerance || c.StateBefore != c.StateAfter ||
		len(c.ReasonsAdded) > 0 || len(c.ReasonsRemoved) > 0 || c.ValueChanged ||
		math.Abs(a.Applicable-b.Applicable) > pointsTolerance
	if !moved {
		return c, false
	}
	var zh, en []string
	zh = append(zh, fmt.Sprintf("%s → %s 分", formatPoints(c.PointsBefore), formatPoints(c.PointsAfter)))
	en = append(en, fmt.Sprintf("%s → %s points", formatPoints(c.PointsBefore), formatPoints(c.PointsAfter)))
	if c.StateBefore != c.StateAfter {
		zh = append(zh, fmt.Sprintf("状态 %s → %s", orDash(string(c.StateBefore)), orDash(string(c.StateAfter))))
		en = append(en, fmt.Sprintf("state %s → %s", orDash(string(c.StateBefore)), orDash(string(c.StateAfter))))
	}
	if c.ValueChanged {
		zh = append(zh, fmt.Sprintf("数值 %s → %s", pct(c.ValueBefore), pct(c.ValueAfter)))
		en = append(en, fmt.Sprintf("value %s → %s", pct(c.ValueBefore), pct(c.ValueAfter)))
	}
	switch {
	case !ref.Leaf:
		zh = append(zh, "下级指标变化汇总")
		en = append(en, "sum of its sub-indicators")
	case ref.Reason.Zh != "" || ref.Reason.En != "":
		zh = append(zh, ref.Reason.Zh)
		en = append(en, ref.Reason.En)
	}
	c.Why = Text{Zh: strings.Join(zh, "；"), En: strings.Join(en, "; ")}
	return c, true
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// minus returns the items of a not in b, in a's order.
func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// Projected event kinds.
const (
	EventDocumentLapses      = "document_lapses"
	EventDocumentTakesEffect = "document_takes_effect"
	EventCertificateExpires  = "certificate_expires"
	EventRatioLapses         = "ratio_lapses"
	EventAssessmentExpires   = "assessment_expires"
	EventOverrideExpires     = "override_expires"
	EventMeasureTrend        = "measure_trend"
)

// ProjectedEvent is something known to happen between the as-of time and
// the projection date that moves the score.
type ProjectedEvent struct {
	At     time.Time `json:"at"`
	Kind   string    `json:"kind"`
	Clause string    `json:"clause,omitempty"`
	// Ref names the document, certificate holder or measure concerned.
	Ref  string `json:"ref,omitempty"`
	Text Text   `json:"text"`
}

// Projection is the score expected at a future date (an audit).
type Projection struct {
	AsOf time.Time `json:"as_of"`
	At   time.Time `json:"at"`
	// Current is the score at AsOf.
	Current Result `json:"current"`
	// Steady is the score at At with today's data: only dates move
	// (expiries, documents growing too old, certificates lapsing).
	Steady Result `json:"steady"`
	// Projected is the score at At with measures also moved along their
	// trends (clamped to [0, 1]).
	Projected Result `json:"projected"`
	// Range spans Steady and Projected, unknown indicators zero to full.
	Range   ScoreRange        `json:"range"`
	Events  []ProjectedEvent  `json:"events,omitempty"`
	Changes []IndicatorChange `json:"changes,omitempty"`
	Notices []Notice          `json:"notices,omitempty"`
}

// averageMonth is the mean Gregorian month (30.436875 days), for turning a
// slope per month into a change over a span of days.
const averageMonth = 2629746 * time.Second

// Project scores the inputs at a future date: documents expired or too old
// by then stop counting, certificates lapse, assessments and overrides
// expire, and each measure with a trend (slope of its rate per month, e.g.
// from the history of runs) is extrapolated and clamped to [0, 1]. It
// returns the projected result with a range and the events that move it.
func Project(std *Standard, in Inputs, asOf, at time.Time, trends map[string]float64) Projection {
	p := Projection{AsOf: asOf, At: at}
	p.Current = Score(std, in, asOf)
	p.Steady = Score(std, in, at)
	if at.Before(asOf) {
		p.Notices = append(p.Notices, Notice{Code: "projection_in_past", Detail: "the projection date is before the as-of time"})
	}
	months := float64(at.Sub(asOf)) / float64(averageMonth)
	trended := cloneInputs(in)
	for _, name := range sortedKeys(trends) {
		slope := trends[name]
		m, ok := in.Measures[name]
		v, defined := m.Value()
		switch {
		case !finite(slope):
			p.Notices = append(p.Notices, Notice{Code: "trend_invalid", Detail: "trend for " + name + " is not a number"})
			continue
		case !ok || !defined:
			p.Notices = append(p.Notices, Notice{Code: "trend_without_data", Detail: "no current value for " + name + " to extrapolate"})
			continue
		}
		nv := clamp(v+slope*months, 0, 1)
		m.Numerator = nv * m.Denominator
		m.Note = "projected"
		trended.Measures[name] = m
		if math.Abs(nv-v) > pointsTolerance {
			label := Text{Zh: name, En: name}
			if def, ok := std.Measure(name); ok {
				label = def.Label
			}
			p.Events = append(p.Events, ProjectedEvent{
				At: at, Kind: EventMeasureTrend, Ref: name,
				Text: Text{
					Zh: fmt.Sprintf("“%s”按趋势从 %s 变为 %s", label.Zh, pct(v), pct(nv)),
					En: fmt.Sprintf("%s trends from %s to %s", label.En, pct(v), pct(nv)),
				},
			})
		}
	}
	p.Projected = Score(std, trended, at)
	p.Range = spanRanges(p.Steady, p.Projected)
	p.Events = append(p.Events, dateEvents(std, in, p.Current, asOf, at)...)
	sort.SliceStable(p.Events, func(i, j int) bool {
		if !p.Events[i].At.Equal(p.Events[j].At) {
			return p.Events[i].At.Before(p.Events[j].At)
		}
		return clauseLess(p.Events[i].Clause, p.Events[j].Clause)
	})
	p.Changes = Diff(p.Current, p.Projected)
	return p
}

// LastValidDay is the calendar day, in loc, before the instant something
// stops counting: an expiry of 2026-12-09 00:00 local means the last valid
// day is 2026-12-08.
func LastValidDay(stops time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return day(stops.In(loc).Add(-time.Nanosecond))
}

// spanRanges is the range covering two results, with the bands at its ends.
func spanRanges(a, b Result) ScoreRange {
	r := a.Range
	if b.Range.Low < r.Low {
		r.Low, r.LowBand = b.Range.Low, b.Range.LowBand
	}
	if b.Range.High > r.High {
		r.High, r.HighBand = b.Range.High, b.Range.HighBand
	}
	return r
}

// dateEvents lists what the calendar alone changes between asOf and at.
// Dates are printed in the zone of at (the enterprise's): an expiry instant
// is the first moment something no longer counts, so the day before it is
// the last valid day, and the wording says so.
func dateEvents(std *Standard, in Inputs, current Result, asOf, at time.Time) []ProjectedEvent {
	var events []ProjectedEvent
	loc := at.Location()
	inSpan := func(t time.Time) bool { return t.After(asOf) && !t.After(at) }
	for _, ir := range current.Indicators {
		if !ir.Leaf || ir.Inputs.ValidUntil == nil || !inSpan(*ir.Inputs.ValidUntil) {
			continue
		}
		when := *ir.Inputs.ValidUntil
		last, first := LastValidDay(when, loc), day(when.In(loc))
		ev := ProjectedEvent{At: when, Clause: ir.Clause}
		switch {
		case ir.State == StateOverridden:
			ev.Kind = EventOverrideExpires
			ev.Text = Text{Zh: fmt.Sprintf("%s 的人工调整有效至 %s（最后有效日）", ir.Clause, last), En: fmt.Sprintf("the override of %s counts through %s, its last valid day", ir.Clause, last)}
		case ir.Kind == RuleDocument || (ir.Kind != RuleManual && ir.Kind != RuleRatio && slices.Contains(ir.ReasonCodes, ReasonJudgedByDocument)):
			ev.Kind = EventDocumentLapses
			if len(ir.RecordIDs) > 0 {
				ev.Ref = ir.RecordIDs[0]
			}
			ev.Text = Text{
				Zh: fmt.Sprintf("%s（%s）的证据有效至 %s（最后有效日），%s 起失去 %s 分", ir.Clause, ir.Name.Zh, last, first, formatPoints(ir.Points)),
				En: fmt.Sprintf("the evidence for %s (%s) counts through %s, its last valid day: %s points lost from %s", ir.Clause, ir.Name.En, last, formatPoints(ir.Points), first),
			}
		case ir.Kind == RuleRatio:
			ev.Kind = EventRatioLapses
			ev.Text = Text{
				Zh: fmt.Sprintf("%s：%s 起持证管理师不足", ir.Clause, first),
				En: fmt.Sprintf("%s: too few certified managers from %s", ir.Clause, first),
			}
		case ir.Kind == RuleManual:
			ev.Kind = EventAssessmentExpires
			ev.Text = Text{Zh: fmt.Sprintf("%s 的评定有效至 %s（最后有效日）", ir.Clause, last), En: fmt.Sprintf("the assessment of %s counts through %s, its last valid day", ir.Clause, last)}
		default:
			continue
		}
		events = append(events, ev)
	}
	for _, c := range in.Staffing.CertifiedExpiring {
		if inSpan(c.ExpiresAt) {
			events = append(events, ProjectedEvent{
				At: c.ExpiresAt, Kind: EventCertificateExpires, Ref: "certificate:" + c.HolderID,
				Text: Text{Zh: fmt.Sprintf("%s 的管理师证书有效至 %s（最后有效日）", c.Holder, LastValidDay(c.ExpiresAt, loc)),
					En: fmt.Sprintf("%s's manager certificate counts through %s, its last valid day", c.Holder, LastValidDay(c.ExpiresAt, loc))},
			})
		}
	}
	if std != nil && in.Documents != nil {
		for _, docType := range std.DocumentTypesUsed() {
			for _, d := range in.Documents[docType] {
				if d.Approved && inSpan(d.EffectiveAt) {
					events = append(events, ProjectedEvent{
						At: d.EffectiveAt, Kind: EventDocumentTakesEffect, Ref: "document:" + d.ID,
						Text: Text{Zh: fmt.Sprintf("“%s”于 %s 生效", d.Title, day(d.EffectiveAt)), En: fmt.Sprintf("%q takes effect on %s", d.Title, day(d.EffectiveAt))},
					})
				}
			}
		}
	}
	return events
}
