package readiness

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// ifEmptyFile is the if_empty key of a rule: a policy name (unknown,
// not_applicable) or another basis, {judge_by: document, type: …}.
type ifEmptyFile struct {
	Policy  string
	JudgeBy string
	Type    string
}

func (f ifEmptyFile) isZero() bool { return f.Policy == "" && f.JudgeBy == "" && f.Type == "" }

// UnmarshalYAML accepts a scalar or a {judge_by, type} mapping.
func (f *ifEmptyFile) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		f.Policy = n.Value
		return nil
	case yaml.MappingNode:
		var m struct {
			JudgeBy string `yaml:"judge_by"`
			Type    string `yaml:"type"`
		}
		dec := n.Decode
		if err := dec(&m); err != nil {
			return err
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i].Value; k != "judge_by" && k != "type" {
				return fmt.Errorf("line %d: if_empty has no key %q (want judge_by, type)", n.Content[i].Line, k)
			}
		}
		f.JudgeBy, f.Type = m.JudgeBy, m.Type
		if f.JudgeBy == "" {
			return fmt.Errorf("line %d: if_empty needs judge_by", n.Line)
		}
		return nil
	}
	return fmt.Errorf("line %d: if_empty must be a word or {judge_by: document, type: …}", n.Line)
}

// FixedPrefix is the id prefix of the standards whose clause-6 rules are
// fixed by GB/T 27922 itself and checked by LoadStandard.
const FixedPrefix = "gbt27922-"

// The rules GB/T 27922 fixes [S]. Only inferred parameters (targets,
// windows, the split of points inside a fixed total, scoring modes of
// inferred leaves) may change in a gbt27922-* version.
var (
	fixedFirstLevel = []struct {
		Clause string
		Points float64
	}{{"5.1", 40}, {"5.2", 35}, {"5.3", 25}}
	fixedBands = []float64{70, 80, 90, 95}
	// fixedDeletable are the only clauses that may be declared not
	// applicable (删减), with their descendants.
	fixedDeletable = []string{"5.2.6"}
	// fixedLeafPoints are sourced leaf points: 5.1.2.2 管理师 = 5.
	fixedLeafPoints = map[string]float64{"5.1.2.2": 5}
)

const (
	fixedDeductionEach = 1
	fixedDeductionGate = 5
	fixedBonusMax      = 1
)

// IsFixed reports whether a standard id is bound by the fixed rules.
func IsFixed(id string) bool { return strings.HasPrefix(id, FixedPrefix) }

// fixedRules refuses a gbt27922-* version that changes what the standard
// itself fixes, naming the clause or the scoring key.
func (v *validator) fixedRules(s *Standard) {
	if !IsFixed(s.ID) {
		return
	}
	const why = "is fixed by GB/T 27922"
	if len(s.Indicators) != len(fixedFirstLevel) {
		v.field("indicators", "GB/T 27922 has exactly 3 first-level indicators (5.1, 5.2, 5.3), got %d", len(s.Indicators))
	}
	for i, want := range fixedFirstLevel {
		if i >= len(s.Indicators) {
			break
		}
		got := s.Indicators[i]
		switch {
		case got.Clause != want.Clause:
			v.clause(got.Clause, "first-level indicator %d must be %s (%s)", i+1, want.Clause, why)
		case math.Abs(got.Points-want.Points) > pointsTolerance:
			v.clause(got.Clause, "points %s: %s %s at %s", formatPoints(got.Points), want.Clause, why, formatPoints(want.Points))
		}
	}
	bands := s.Scoring.Bands
	ok := len(bands) == len(fixedBands)
	for i := 0; ok && i < len(bands); i++ {
		ok = math.Abs(bands[i].Min-fixedBands[i]) <= pointsTolerance
	}
	if !ok {
		mins := make([]string, len(bands))
		for i, b := range bands {
			mins[i] = formatPoints(b.Min)
		}
		v.field("scoring.bands", "bands at %s: the bands at 70/80/90/95 %s", strings.Join(mins, "/"), why)
	}
	sd := s.Scoring.SpecialDeductions
	if sd.FailAt != fixedDeductionGate {
		v.field("scoring.special_deductions", "fail_at %d: the fail gate at %d deductions %s", sd.FailAt, fixedDeductionGate, why)
	}
	if math.Abs(sd.PointsEach-fixedDeductionEach) > pointsTolerance {
		v.field("scoring.special_deductions", "points_each %s: each special deduction removes %d point (%s)", formatPoints(sd.PointsEach), fixedDeductionEach, why)
	}
	b := s.Scoring.Bonus
	if b.Points > fixedBonusMax+pointsTolerance || b.MaxCount > 1 {
		v.field("scoring.bonus", "points %s, max_count %d: the bonus is at most %d point, once (%s)", formatPoints(b.Points), b.MaxCount, fixedBonusMax, why)
	}
	for _, ind := range s.nodes {
		parentDeletable := false
		if p, ok := s.byClause[ind.Parent]; ok && ind.Parent != "" {
			parentDeletable = p.Deletable
		}
		named := slices.Contains(fixedDeletable, ind.Clause)
		switch {
		case ind.Deletable && !named && !parentDeletable:
			v.clause(ind.Clause, "may not be declared deletable: only %s may be deleted (%s)", strings.Join(fixedDeletable, ", "), why)
		case named && !ind.Deletable:
			v.clause(ind.Clause, "must stay deletable (%s)", why)
		}
		if want, ok := fixedLeafPoints[ind.Clause]; ok && math.Abs(ind.Points-want) > pointsTolerance {
			v.clause(ind.Clause, "points %s: %s %s at %s", formatPoints(ind.Points), ind.Clause, why, formatPoints(want))
		}
	}
	for _, want := range fixedDeletable {
		if _, ok := s.byClause[want]; !ok {
			v.clause(want, "is missing (%s)", why)
		}
	}
}
