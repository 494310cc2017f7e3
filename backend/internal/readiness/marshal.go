package readiness

import (
	"bytes"
	"fmt"

	"gopkg.in/yaml.v3"
)

// MarshalStandard writes a standard back as a standard file that
// LoadStandard reads to the same content (the same Fingerprint): every
// resolved parameter is written explicitly, parameters a rule kind does not
// take are left out. A sheet import builds its new version with it.
func MarshalStandard(s *Standard) ([]byte, error) {
	if s == nil {
		return nil, fmt.Errorf("readiness: no standard to write")
	}
	out := fileOut{
		ID: s.ID, Code: s.Code, Name: s.Name, Edition: s.Edition, Issued: s.Issued, InForce: s.InForce,
		Supersedes: s.Supersedes, Source: s.Source, WindowMonths: s.WindowMonths,
		Scoring: scoringOut{Fail: s.Scoring.Fail, Bands: s.Scoring.Bands, SpecialDeductions: s.Scoring.SpecialDeductions,
			Bonus: s.Scoring.Bonus, StarsAfterPass: s.Scoring.StarsAfterPass, Effort: s.Scoring.Effort},
		Measures: s.Measures, DocumentTypes: s.DocumentTypes,
	}
	for _, ind := range s.Indicators {
		out.Indicators = append(out.Indicators, indicatorOut(ind, false))
	}
	var b bytes.Buffer
	b.WriteString("# Written by the readiness engine (sheet import); the schema is described in configs/standards/gbt27922-2011.yaml.\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(out); err != nil {
		return nil, fmt.Errorf("readiness: write standard %s: %w", s.ID, err)
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

type fileOut struct {
	ID            string              `yaml:"id"`
	Code          string              `yaml:"code,omitempty"`
	Name          Text                `yaml:"name"`
	Edition       string              `yaml:"edition,omitempty"`
	Issued        string              `yaml:"issued,omitempty"`
	InForce       string              `yaml:"in_force,omitempty"`
	Supersedes    string              `yaml:"supersedes,omitempty"`
	Source        string              `yaml:"source,omitempty"`
	WindowMonths  int                 `yaml:"window_months"`
	Scoring       scoringOut          `yaml:"scoring"`
	Measures      []MeasureDefinition `yaml:"measures,omitempty"`
	DocumentTypes []DocumentType      `yaml:"document_types,omitempty"`
	Indicators    []indOut            `yaml:"indicators"`
}

type scoringOut struct {
	Fail              Outcome            `yaml:"fail"`
	Bands             []Band             `yaml:"bands"`
	SpecialDeductions DeductionRule      `yaml:"special_deductions"`
	Bonus             BonusRule          `yaml:"bonus"`
	StarsAfterPass    WaitRule           `yaml:"stars_after_pass"`
	Effort            map[string]float64 `yaml:"effort,omitempty"`
}

type indOut struct {
	Clause    string   `yaml:"clause"`
	Name      Text     `yaml:"name"`
	Points    float64  `yaml:"points"`
	Inferred  bool     `yaml:"inferred,omitempty"`
	Deletable bool     `yaml:"deletable,omitempty"`
	Guidance  *Text    `yaml:"guidance,omitempty"`
	Rule      *ruleOut `yaml:"rule,omitempty"`
	Children  []indOut `yaml:"children,omitempty"`
}

type ruleOut struct {
	Kind          string   `yaml:"kind"`
	Scoring       string   `yaml:"scoring,omitempty"`
	Measure       string   `yaml:"measure,omitempty"`
	Target        *float64 `yaml:"target,omitempty"`
	Floor         *float64 `yaml:"floor,omitempty"`
	WindowMonths  *int     `yaml:"window_months,omitempty"`
	MinPopulation *int     `yaml:"min_population,omitempty"`
	IfEmpty       any      `yaml:"if_empty,omitempty"`
	DocumentType  string   `yaml:"document_type,omitempty"`
	MaxAgeMonths  *int     `yaml:"max_age_months,omitempty"`
	Ratio         *float64 `yaml:"ratio,omitempty"`
	Minimum       *int     `yaml:"minimum,omitempty"`
}

// indicatorOut writes one node; deletable is written only where it is set
// rather than inherited.
func indicatorOut(ind *Indicator, parentDeletable bool) indOut {
	o := indOut{Clause: ind.Clause, Name: ind.Name, Points: ind.Points, Inferred: ind.Inferred, Deletable: ind.Deletable && !parentDeletable}
	if ind.Guidance.Zh != "" || ind.Guidance.En != "" {
		g := ind.Guidance
		o.Guidance = &g
	}
	for _, c := range ind.Children {
		o.Children = append(o.Children, indicatorOut(c, ind.Deletable))
	}
	if ind.Rule != nil && len(ind.Children) == 0 {
		o.Rule = ruleOutOf(ind.Rule)
	}
	return o
}

func ruleOutOf(r *Rule) *ruleOut {
	o := &ruleOut{Kind: string(r.Kind), Scoring: string(r.Scoring)}
	f := func(v float64) *float64 { return &v }
	n := func(v int) *int { return &v }
	switch r.Kind {
	case RuleMetric, RuleSample:
		o.Measure = r.Measure
		o.WindowMonths = n(r.WindowMonths)
		if r.MinPopulation > 0 {
			o.MinPopulation = n(r.MinPopulation)
		}
		switch r.IfEmpty {
		case EmptyNotApplicable:
			o.IfEmpty = string(EmptyNotApplicable)
		case EmptyDocument:
			o.IfEmpty = map[string]string{"judge_by": "document", "type": r.IfEmptyDocument}
		}
		if r.Kind == RuleMetric && r.Scoring != ScoringProportional {
			o.Target = f(r.Target)
		}
		if r.Kind == RuleMetric && r.Scoring == ScoringGraded {
			o.Floor = f(r.Floor)
		}
	case RuleDocument:
		o.DocumentType = r.DocumentType
		if r.MaxAgeMonths > 0 {
			o.MaxAgeMonths = n(r.MaxAgeMonths)
		}
	case RuleRatio:
		o.Ratio, o.Minimum = f(r.Ratio), n(r.Minimum)
	}
	return o
}
