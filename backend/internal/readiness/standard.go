// Package readiness projects the score an auditor would give an after-sales
// organisation under a service evaluation standard such as GB/T 27922-2011.
//
// The engine is pure: a standard (loaded from YAML as versioned data), the
// inputs gathered from operations (measures, evidence documents, staffing,
// assessments, deletions, deductions) and an as-of time go in; a points
// ledger, a band and explanations come out. Nothing here reads a clock, a
// database or a global. It projects an audit; it never claims to be one.
package readiness

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// pointsTolerance is how far a sum of points may drift from its expected
// value before a standard is refused; it absorbs float rounding of splits
// such as 1.5 + 1.5.
const pointsTolerance = 1e-9

// defaultWindowMonths is the rolling data window used when a standard file
// does not set window_months (the audit samples 1–3 years of records).
const defaultWindowMonths = 12

// Text is a name or a sentence in the two languages the platform speaks.
type Text struct {
	Zh string `yaml:"zh" json:"zh"`
	En string `yaml:"en" json:"en"`
}

// RuleKind names how a leaf indicator turns inputs into points.
type RuleKind string

// The rule kinds a standard may use.
const (
	// RuleMetric scores an operational rate between a floor (0 points) and a
	// target (full points), linearly in between.
	RuleMetric RuleKind = "metric"
	// RuleSample scores the conforming share of a sample: non-conforming
	// samples remove points in proportion (clause 6 of GB/T 27922).
	RuleSample RuleKind = "sample"
	// RuleDocument gives full points when an approved evidence document of a
	// type is in force at the as-of time, else none.
	RuleDocument RuleKind = "document"
	// RuleRatio gives full points when enough certified 售后服务管理师 are on
	// staff relative to the service-management headcount, else none.
	RuleRatio RuleKind = "ratio"
	// RuleManual takes the points from a quality manager's assessment.
	RuleManual RuleKind = "manual"
)

// EffortDeduction is the key in Scoring.Effort for the effort of correcting
// a special-deduction finding.
const EffortDeduction = "deduction"

// EmptyPolicy says how a metric or sample rule scores when its population is
// empty (nothing happened in the window, e.g. no recall campaign).
type EmptyPolicy string

// The empty-population policies.
const (
	// EmptyUnknown reports the indicator as unknown (the default: no data is
	// never a pass or a fail).
	EmptyUnknown EmptyPolicy = "unknown"
	// EmptyFull gave full points for an empty window. It is refused by
	// LoadStandard (full points for nothing is never a rule) and read only
	// from versions stored before that, so their old runs still display.
	EmptyFull EmptyPolicy = "full"
	// EmptyNotApplicable deletes the indicator from the applicable total.
	EmptyNotApplicable EmptyPolicy = "not_applicable"
	// EmptyDocument judges an empty window on an evidence document instead
	// (if_empty: {judge_by: document, type: …}), and says so.
	EmptyDocument EmptyPolicy = "document"
)

// ScoringMode says how much of a leaf's points a result earns.
type ScoringMode string

// The scoring modes of clause 6.
const (
	// ScoringAllOrNothing gives full points when the item is met and none
	// otherwise: clause 6 judges qualitative items as met or not met. The
	// default for every kind but sample.
	ScoringAllOrNothing ScoringMode = "all_or_nothing"
	// ScoringProportional removes points in proportion to the
	// non-conforming share of a sample, where the standard samples (staff
	// qualifications, service records, complaint resolution). The default
	// of sample rules.
	ScoringProportional ScoringMode = "proportional"
	// ScoringGraded interpolates between a floor and a target (metric) or
	// takes any points up to the maximum (manual). The standard never says
	// so: a graded leaf must be marked inferred.
	ScoringGraded ScoringMode = "graded"
)

// allowedModes lists the scoring modes each rule kind may declare.
var allowedModes = map[RuleKind][]ScoringMode{
	RuleMetric:   {ScoringAllOrNothing, ScoringProportional, ScoringGraded},
	RuleSample:   {ScoringProportional, ScoringAllOrNothing},
	RuleDocument: {ScoringAllOrNothing},
	RuleRatio:    {ScoringAllOrNothing},
	RuleManual:   {ScoringAllOrNothing, ScoringProportional, ScoringGraded},
}

// defaultMode is the scoring mode of a rule kind when the file says none.
func defaultMode(k RuleKind) ScoringMode {
	if k == RuleSample {
		return ScoringProportional
	}
	return ScoringAllOrNothing
}

// Rule is the single scoring rule of a leaf indicator with its parameters.
// Only the fields of its Kind are set.
type Rule struct {
	Kind RuleKind `json:"kind"`
	// Scoring is how much of the points a result earns, resolved from the
	// kind's default when the file omits it.
	Scoring ScoringMode `json:"scoring"`
	// Measure names the operational measure (metric, sample).
	Measure string `json:"measure,omitempty"`
	// Target is the rate that earns full points (metric).
	Target float64 `json:"target,omitempty"`
	// Floor is the rate at or below which no points are earned (metric,
	// graded only).
	Floor float64 `json:"floor,omitempty"`
	// WindowMonths is the rolling window the store computes the measure
	// over, resolved from the standard's default when the file omits it
	// (metric, sample).
	WindowMonths int `json:"window_months,omitempty"`
	// MinPopulation is the smallest denominator that is scored; below it the
	// indicator is unknown (metric, sample).
	MinPopulation int `json:"min_population,omitempty"`
	// IfEmpty is how a zero denominator scores (metric, sample): unknown
	// (the default), not_applicable, or judged on IfEmptyDocument.
	IfEmpty EmptyPolicy `json:"if_empty,omitempty"`
	// IfEmptyDocument is the evidence type an empty window is judged on
	// when IfEmpty is document.
	IfEmptyDocument string `json:"if_empty_document,omitempty"`
	// DocumentType is the evidence type that satisfies the rule (document).
	DocumentType string `json:"document_type,omitempty"`
	// MaxAgeMonths, when set, requires the evidence to have taken effect
	// within that many months before the as-of time (document).
	MaxAgeMonths int `json:"max_age_months,omitempty"`
	// Ratio is the required share of certified managers in the
	// service-management headcount (ratio).
	Ratio float64 `json:"ratio,omitempty"`
	// Minimum is the least number of certified managers required (ratio).
	Minimum int `json:"minimum,omitempty"`
}

// Indicator is one node of a standard's indicator tree. A leaf carries one
// Rule; a parent carries Children whose points sum to its own.
type Indicator struct {
	Clause string  `json:"clause"`
	Name   Text    `json:"name"`
	Points float64 `json:"points"`
	// Inferred marks a node whose clause, content or points are a
	// reconstruction rather than quoted from the standard; a projection
	// resting on it must say so.
	Inferred bool `json:"inferred,omitempty"`
	// Deletable marks an indicator that may be declared not applicable
	// (删减); its descendants inherit the permission.
	Deletable bool         `json:"deletable,omitempty"`
	Guidance  Text         `json:"guidance"`
	Rule      *Rule        `json:"rule,omitempty"`
	Children  []*Indicator `json:"children,omitempty"`
	// Level is the depth in the tree, 1 for first-level indicators.
	Level int `json:"-"`
	// Parent is the parent's clause, empty for first-level indicators.
	Parent string `json:"-"`
}

// IsLeaf reports whether the indicator is scored by a rule rather than by
// rolling up children.
func (ind *Indicator) IsLeaf() bool { return len(ind.Children) == 0 }

// Band is a result grade reached at or above Min points.
type Band struct {
	Code string  `yaml:"code" json:"code"`
	Min  float64 `yaml:"min" json:"min"`
	Name Text    `yaml:"name" json:"name"`
}

// Outcome names the failing result.
type Outcome struct {
	Code string `yaml:"code" json:"code"`
	Name Text   `yaml:"name" json:"name"`
}

// DeductionRule sets the special deductions (特别扣分项): each confirmed
// finding removes PointsEach outside the item scores, and FailAt findings
// or more fail the evaluation whatever the score.
type DeductionRule struct {
	PointsEach float64 `yaml:"points_each" json:"points_each"`
	FailAt     int     `yaml:"fail_at" json:"fail_at"`
}

// BonusRule sets the optional special bonus (特别加分项).
type BonusRule struct {
	Enabled  bool    `yaml:"enabled" json:"enabled"`
	Points   float64 `yaml:"points" json:"points"`
	MaxCount int     `yaml:"max_count" json:"max_count"`
}

// WaitRule is the optional rule that stars are granted only after Months
// at the first band (达标).
type WaitRule struct {
	Enabled bool `yaml:"enabled" json:"enabled"`
	Months  int  `yaml:"months" json:"months"`
}

// Scoring holds a standard's outcome rules as data.
type Scoring struct {
	Fail              Outcome       `json:"fail"`
	Bands             []Band        `json:"bands"`
	SpecialDeductions DeductionRule `json:"special_deductions"`
	Bonus             BonusRule     `json:"bonus"`
	StarsAfterPass    WaitRule      `json:"stars_after_pass"`
	// Effort weighs one fix of each rule kind (and EffortDeduction) when
	// ranking paths to the next band; defaults are filled in at load.
	Effort map[string]float64 `json:"effort"`
}

// MeasureDefinition documents an operational measure the store computes:
// a rate Numerator ÷ Denominator over the rule's window.
type MeasureDefinition struct {
	Name        string `yaml:"name" json:"name"`
	Label       Text   `yaml:"label" json:"label"`
	Numerator   string `yaml:"numerator" json:"numerator"`
	Denominator string `yaml:"denominator" json:"denominator"`
}

// DocumentType names a kind of evidence document.
type DocumentType struct {
	Type  string `yaml:"type" json:"type"`
	Label Text   `yaml:"label" json:"label"`
}

// MeasureRequest tells the store which measure to compute over which window
// and which clauses depend on it.
type MeasureRequest struct {
	Measure      string
	WindowMonths int
	Clauses      []string
}

// Standard is a loaded, validated evaluation standard. Treat it as
// read-only: Score, the explanations and Fingerprint read it concurrently.
type Standard struct {
	ID            string              `json:"id"`
	Code          string              `json:"code"`
	Name          Text                `json:"name"`
	Edition       string              `json:"edition,omitempty"`
	Issued        string              `json:"issued,omitempty"`
	InForce       string              `json:"in_force,omitempty"`
	Supersedes    string              `json:"supersedes,omitempty"`
	Source        string              `json:"source,omitempty"`
	WindowMonths  int                 `json:"window_months"`
	Scoring       Scoring             `json:"scoring"`
	Measures      []MeasureDefinition `json:"measures"`
	DocumentTypes []DocumentType      `json:"document_types"`
	Indicators    []*Indicator        `json:"indicators"`

	byClause map[string]*Indicator
	nodes    []*Indicator
	leaves   []*Indicator
}

// Indicator returns the node with the given clause.
func (s *Standard) Indicator(clause string) (*Indicator, bool) {
	if s == nil {
		return nil, false
	}
	ind, ok := s.byClause[clause]
	return ind, ok
}

// Leaves returns the scored indicators in document order.
func (s *Standard) Leaves() []*Indicator {
	if s == nil {
		return nil
	}
	return append([]*Indicator(nil), s.leaves...)
}

// Nodes returns every indicator, parents before their children, in document
// order.
func (s *Standard) Nodes() []*Indicator {
	if s == nil {
		return nil
	}
	return append([]*Indicator(nil), s.nodes...)
}

// Band returns the band with the given code.
func (s *Standard) Band(code string) (Band, bool) {
	if s == nil {
		return Band{}, false
	}
	for _, b := range s.Scoring.Bands {
		if b.Code == code {
			return b, true
		}
	}
	return Band{}, false
}

// Measure returns the definition of a measure.
func (s *Standard) Measure(name string) (MeasureDefinition, bool) {
	if s == nil {
		return MeasureDefinition{}, false
	}
	for _, m := range s.Measures {
		if m.Name == name {
			return m, true
		}
	}
	return MeasureDefinition{}, false
}

// MeasureRequests lists the measures the leaves use, each with its window
// and the clauses that read it, in order of first use.
func (s *Standard) MeasureRequests() []MeasureRequest {
	if s == nil {
		return nil
	}
	var out []MeasureRequest
	index := map[string]int{}
	for _, leaf := range s.leaves {
		if leaf.Rule == nil || leaf.Rule.Measure == "" {
			continue
		}
		i, ok := index[leaf.Rule.Measure]
		if !ok {
			i = len(out)
			index[leaf.Rule.Measure] = i
			out = append(out, MeasureRequest{Measure: leaf.Rule.Measure, WindowMonths: leaf.Rule.WindowMonths})
		}
		out[i].Clauses = append(out[i].Clauses, leaf.Clause)
	}
	return out
}

// DocumentTypesUsed lists the evidence types the leaves need, in order of
// first use.
func (s *Standard) DocumentTypesUsed() []string {
	if s == nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, leaf := range s.leaves {
		if leaf.Rule == nil || leaf.Rule.DocumentType == "" || seen[leaf.Rule.DocumentType] {
			continue
		}
		seen[leaf.Rule.DocumentType] = true
		out = append(out, leaf.Rule.DocumentType)
	}
	return out
}

// Fingerprint returns the hex SHA-256 of the standard's canonical content
// (comments, key order and formatting of the file do not count). A caller
// stores a new version of the standard when the fingerprint changes.
func (s *Standard) Fingerprint() string {
	if s == nil {
		return ""
	}
	// json.Marshal writes struct fields in declaration order and map keys
	// sorted, so the encoding is canonical for a given content.
	b, err := json.Marshal(s)
	if err != nil {
		// Unreachable for this type (no channels, funcs or NaN after
		// validation); an empty fingerprint never matches a stored one.
		return ""
	}
	sum := sha256.Sum256(append([]byte("readiness-standard-v1\n"), b...))
	return hex.EncodeToString(sum[:])
}

// Problem is one reason a standard file was refused.
type Problem struct {
	// Clause is the indicator concerned, empty for file-level problems.
	Clause string
	// Field is the file section concerned when there is no clause.
	Field   string
	Message string
}

// ValidationError lists every problem found in a standard file. Its message
// names the standard and the clause, one problem per line, e.g.
// "standard gbt27922-2011: clause 5.1.2: children sum to 9, want 10".
type ValidationError struct {
	Standard string
	Problems []Problem
}

// Error implements error.
func (e *ValidationError) Error() string {
	id := e.Standard
	if id == "" {
		id = "<no id>"
	}
	lines := make([]string, 0, len(e.Problems))
	for _, p := range e.Problems {
		switch {
		case p.Clause != "":
			lines = append(lines, fmt.Sprintf("standard %s: clause %s: %s", id, p.Clause, p.Message))
		case p.Field != "":
			lines = append(lines, fmt.Sprintf("standard %s: %s: %s", id, p.Field, p.Message))
		default:
			lines = append(lines, fmt.Sprintf("standard %s: %s", id, p.Message))
		}
	}
	return strings.Join(lines, "\n")
}

// File layout. Pointers tell a missing parameter from a zero one.
type standardFile struct {
	ID            string              `yaml:"id"`
	Code          string              `yaml:"code"`
	Name          Text                `yaml:"name"`
	Edition       string              `yaml:"edition"`
	Issued        string              `yaml:"issued"`
	InForce       string              `yaml:"in_force"`
	Supersedes    string              `yaml:"supersedes"`
	Source        string              `yaml:"source"`
	WindowMonths  *int                `yaml:"window_months"`
	Scoring       scoringFile         `yaml:"scoring"`
	Measures      []MeasureDefinition `yaml:"measures"`
	DocumentTypes []DocumentType      `yaml:"document_types"`
	Indicators    []indicatorFile     `yaml:"indicators"`
}

type scoringFile struct {
	Fail              Outcome            `yaml:"fail"`
	Bands             []Band             `yaml:"bands"`
	SpecialDeductions *DeductionRule     `yaml:"special_deductions"`
	Bonus             *BonusRule         `yaml:"bonus"`
	StarsAfterPass    *WaitRule          `yaml:"stars_after_pass"`
	Effort            map[string]float64 `yaml:"effort"`
}

type indicatorFile struct {
	Clause    string          `yaml:"clause"`
	Name      Text            `yaml:"name"`
	Points    *float64        `yaml:"points"`
	Inferred  bool            `yaml:"inferred"`
	Deletable bool            `yaml:"deletable"`
	Guidance  Text            `yaml:"guidance"`
	Rule      *ruleFile       `yaml:"rule"`
	Children  []indicatorFile `yaml:"children"`
}

type ruleFile struct {
	Kind          string      `yaml:"kind"`
	Scoring       string      `yaml:"scoring"`
	Measure       string      `yaml:"measure"`
	Target        *float64    `yaml:"target"`
	Floor         *float64    `yaml:"floor"`
	WindowMonths  *int        `yaml:"window_months"`
	MinPopulation *int        `yaml:"min_population"`
	IfEmpty       ifEmptyFile `yaml:"if_empty"`
	DocumentType  string      `yaml:"document_type"`
	MaxAgeMonths  *int        `yaml:"max_age_months"`
	Ratio         *float64    `yaml:"ratio"`
	Minimum       *int        `yaml:"minimum"`
}

// defaultEffort is the effort of one fix per rule kind when the file does
// not say: a document is quickest to produce, a certification takes a
// course, a rate takes months of better operations.
func defaultEffort() map[string]float64 {
	return map[string]float64{
		string(RuleDocument): 1,
		string(RuleRatio):    2,
		string(RuleManual):   2,
		EffortDeduction:      2,
		string(RuleMetric):   3,
		string(RuleSample):   3,
	}
}

// LoadStandard parses a standard from YAML and validates it: unknown keys,
// children that do not sum to their parent, first-level points that do not
// sum to 100, duplicate clauses, leaves without exactly one valid rule,
// scoring modes their kind does not take, undeclared measures or document
// types, bands out of order, if_empty: full, and — for a gbt27922-* version —
// any change to the rules GB/T 27922 itself fixes (see fixedRules) are
// refused with a *ValidationError naming the standard and the clause.
func LoadStandard(data []byte) (*Standard, error) { return loadStandard(data, false) }

// LoadStoredStandard reads a version stored by an earlier release. It is
// lenient where LoadStandard has become stricter (if_empty: full, the fixed
// rules), so old versions and their runs can still be shown; they are never
// scored again once a newer version exists.
func LoadStoredStandard(data []byte) (*Standard, error) { return loadStandard(data, true) }

func loadStandard(data []byte, legacy bool) (std *Standard, err error) {
	var f standardFile
	// The YAML decoder has panicked on hostile input in past releases; a
	// standard file is user-supplied, so turn any such panic into a refusal.
	defer func() {
		if r := recover(); r != nil {
			std, err = nil, &ValidationError{Standard: f.ID, Problems: []Problem{{Message: fmt.Sprintf("parse: %v", r)}}}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &ValidationError{Problems: []Problem{{Message: "empty file"}}}
		}
		return nil, &ValidationError{Standard: f.ID, Problems: []Problem{{Message: "parse: " + err.Error()}}}
	}
	v := &validator{legacy: legacy}
	s := v.build(&f)
	if !legacy && len(v.problems) == 0 {
		v.fixedRules(s)
	}
	if len(v.problems) > 0 {
		return nil, &ValidationError{Standard: f.ID, Problems: v.problems}
	}
	return s, nil
}

type validator struct {
	problems []Problem
	// legacy accepts what earlier releases stored (LoadStoredStandard).
	legacy bool
}

func (v *validator) clause(clause, format string, args ...any) {
	v.problems = append(v.problems, Problem{Clause: clause, Message: fmt.Sprintf(format, args...)})
}

func (v *validator) field(field, format string, args ...any) {
	v.problems = append(v.problems, Problem{Field: field, Message: fmt.Sprintf(format, args...)})
}

func (v *validator) build(f *standardFile) *Standard {
	s := &Standard{
		ID: f.ID, Code: f.Code, Name: f.Name, Edition: f.Edition, Issued: f.Issued,
		InForce: f.InForce, Supersedes: f.Supersedes, Source: strings.TrimSpace(f.Source),
		WindowMonths: defaultWindowMonths,
		byClause:     map[string]*Indicator{},
	}
	if strings.TrimSpace(f.ID) == "" {
		v.field("id", "is required")
	}
	if f.Name.Zh == "" || f.Name.En == "" {
		v.field("name", "needs zh and en")
	}
	if f.WindowMonths != nil {
		if *f.WindowMonths < 1 {
			v.field("window_months", "must be at least 1, got %d", *f.WindowMonths)
		} else {
			s.WindowMonths = *f.WindowMonths
		}
	}
	s.Scoring = v.scoring(&f.Scoring)

	measures := map[string]bool{}
	for _, m := range f.Measures {
		switch {
		case m.Name == "":
			v.field("measures", "a measure has no name")
		case measures[m.Name]:
			v.field("measures", "measure %q is declared twice", m.Name)
		case m.Numerator == "" || m.Denominator == "":
			v.field("measures", "measure %q needs a numerator and a denominator definition", m.Name)
		}
		measures[m.Name] = true
	}
	s.Measures = append([]MeasureDefinition(nil), f.Measures...)

	docTypes := map[string]bool{}
	for _, d := range f.DocumentTypes {
		switch {
		case d.Type == "":
			v.field("document_types", "a document type has no type")
		case docTypes[d.Type]:
			v.field("document_types", "document type %q is declared twice", d.Type)
		}
		docTypes[d.Type] = true
	}
	s.DocumentTypes = append([]DocumentType(nil), f.DocumentTypes...)

	if len(f.Indicators) == 0 {
		v.field("indicators", "no indicators")
	}
	var total float64
	for i := range f.Indicators {
		ind := v.indicator(s, &f.Indicators[i], "", 1, false, measures, docTypes)
		if ind != nil {
			s.Indicators = append(s.Indicators, ind)
			total += ind.Points
		}
	}
	if len(f.Indicators) > 0 && math.Abs(total-100) > pointsTolerance {
		v.field("indicators", "first-level indicators sum to %s, want 100", formatPoints(total))
	}

	// A measure read by several leaves must share one window: the store
	// computes it once.
	windows := map[string]int{}
	for _, leaf := range s.leaves {
		if leaf.Rule == nil || leaf.Rule.Measure == "" {
			continue
		}
		if w, ok := windows[leaf.Rule.Measure]; ok && w != leaf.Rule.WindowMonths {
			v.clause(leaf.Clause, "measure %q is used with window %d months elsewhere, here %d", leaf.Rule.Measure, w, leaf.Rule.WindowMonths)
		}
		windows[leaf.Rule.Measure] = leaf.Rule.WindowMonths
	}
	return s
}

func (v *validator) scoring(f *scoringFile) Scoring {
	sc := Scoring{Fail: f.Fail, Bands: append([]Band(nil), f.Bands...), Effort: defaultEffort()}
	if f.Fail.Code == "" {
		v.field("scoring.fail", "code is required")
	}
	if len(f.Bands) == 0 {
		v.field("scoring.bands", "at least one band is required")
	}
	codes := map[string]bool{f.Fail.Code: true}
	for i, b := range f.Bands {
		if b.Code == "" {
			v.field("scoring.bands", "band %d has no code", i+1)
		} else if codes[b.Code] {
			v.field("scoring.bands", "band code %q is used twice", b.Code)
		}
		codes[b.Code] = true
		if b.Name.Zh == "" || b.Name.En == "" {
			v.field("scoring.bands", "band %q needs a name in zh and en", b.Code)
		}
		if !(b.Min > 0 && b.Min <= 100) {
			v.field("scoring.bands", "band %q min %s is outside (0, 100]", b.Code, formatPoints(b.Min))
		}
		if i > 0 && !(b.Min > f.Bands[i-1].Min) {
			v.field("scoring.bands", "band %q min %s is not above %q min %s: bands must ascend", b.Code, formatPoints(b.Min), f.Bands[i-1].Code, formatPoints(f.Bands[i-1].Min))
		}
	}
	if f.SpecialDeductions == nil {
		v.field("scoring.special_deductions", "is required (points_each, fail_at)")
	} else {
		sc.SpecialDeductions = *f.SpecialDeductions
		if !finite(sc.SpecialDeductions.PointsEach) || sc.SpecialDeductions.PointsEach < 0 {
			v.field("scoring.special_deductions", "points_each must not be negative")
		}
		if sc.SpecialDeductions.FailAt < 1 {
			v.field("scoring.special_deductions", "fail_at must be at least 1, got %d", sc.SpecialDeductions.FailAt)
		}
	}
	if f.Bonus != nil {
		sc.Bonus = *f.Bonus
		if !finite(sc.Bonus.Points) || sc.Bonus.Points < 0 || sc.Bonus.MaxCount < 0 {
			v.field("scoring.bonus", "points and max_count must not be negative")
		}
	}
	if f.StarsAfterPass != nil {
		sc.StarsAfterPass = *f.StarsAfterPass
		if sc.StarsAfterPass.Months < 0 || (sc.StarsAfterPass.Enabled && sc.StarsAfterPass.Months == 0) {
			v.field("scoring.stars_after_pass", "months must be positive when enabled")
		}
	}
	known := defaultEffort()
	for k, w := range f.Effort {
		if _, ok := known[k]; !ok {
			v.field("scoring.effort", "unknown key %q (want a rule kind or %q)", k, EffortDeduction)
			continue
		}
		if !finite(w) || w <= 0 {
			v.field("scoring.effort", "%s must be positive", k)
			continue
		}
		sc.Effort[k] = w
	}
	return sc
}

func (v *validator) indicator(s *Standard, f *indicatorFile, parent string, level int, deletable bool, measures, docTypes map[string]bool) *Indicator {
	ind := &Indicator{
		Clause: f.Clause, Name: f.Name, Inferred: f.Inferred, Deletable: f.Deletable || deletable,
		Guidance: f.Guidance, Level: level, Parent: parent,
	}
	label := f.Clause
	if label == "" {
		label = "(under " + parent + ")"
		if parent == "" {
			label = "(first level)"
		}
		v.clause(label, "clause is required")
	} else {
		if _, dup := s.byClause[f.Clause]; dup {
			v.clause(f.Clause, "clause is used twice")
		} else {
			s.byClause[f.Clause] = ind
		}
		if parent != "" && !strings.HasPrefix(f.Clause, parent+".") {
			v.clause(f.Clause, "is not numbered under its parent %s", parent)
		}
	}
	if f.Name.Zh == "" || f.Name.En == "" {
		v.clause(label, "name needs zh and en")
	}
	switch {
	case f.Points == nil:
		v.clause(label, "points are required")
	case !finite(*f.Points) || *f.Points <= 0:
		v.clause(label, "points must be positive, got %s", formatPoints(*f.Points))
	default:
		ind.Points = *f.Points
	}
	s.nodes = append(s.nodes, ind)

	if len(f.Children) > 0 {
		if f.Rule != nil {
			v.clause(label, "has children and a rule: rules belong on leaves")
		}
		var sum float64
		for i := range f.Children {
			child := v.indicator(s, &f.Children[i], f.Clause, level+1, ind.Deletable, measures, docTypes)
			if child != nil {
				ind.Children = append(ind.Children, child)
				sum += child.Points
			}
		}
		if f.Points != nil && math.Abs(sum-ind.Points) > pointsTolerance {
			v.clause(label, "children sum to %s, want %s", formatPoints(sum), formatPoints(ind.Points))
		}
		return ind
	}
	s.leaves = append(s.leaves, ind)
	if f.Rule == nil {
		v.clause(label, "a leaf needs a rule")
		return ind
	}
	ind.Rule = v.rule(s, label, f.Rule, measures, docTypes)
	if ind.Rule.Scoring == ScoringGraded && !ind.Inferred && !v.legacy {
		v.clause(label, "scoring graded is a reconstruction the standard does not give: mark the leaf inferred")
	}
	return ind
}

// mode resolves a rule's scoring mode: the file's, else the kind's
// default. A version stored before modes existed scored metrics between
// floor and target and manual leaves in fractions; read as graded.
func (v *validator) mode(clause string, kind RuleKind, f *ruleFile) ScoringMode {
	allowed, known := allowedModes[kind]
	if f.Scoring == "" {
		if v.legacy && ((kind == RuleMetric && f.Floor != nil) || kind == RuleManual) {
			return ScoringGraded
		}
		return defaultMode(kind)
	}
	m := ScoringMode(f.Scoring)
	if known && !slices.Contains(allowed, m) {
		names := make([]string, len(allowed))
		for i, a := range allowed {
			names[i] = string(a)
		}
		v.clause(clause, "scoring %q is not one of %s for rule %s", f.Scoring, strings.Join(names, ", "), kind)
		return defaultMode(kind)
	}
	return m
}

func (v *validator) rule(s *Standard, clause string, f *ruleFile, measures, docTypes map[string]bool) *Rule {
	r := &Rule{Kind: RuleKind(f.Kind)}
	r.Scoring = v.mode(clause, r.Kind, f)
	unit := func(name string, p *float64) float64 {
		if p == nil {
			v.clause(clause, "rule %s needs %s", f.Kind, name)
			return 0
		}
		if !(*p >= 0 && *p <= 1) {
			v.clause(clause, "%s %s is outside [0, 1]", name, formatPoints(*p))
		}
		return *p
	}
	population := func() {
		if f.Measure == "" {
			v.clause(clause, "rule %s needs measure", f.Kind)
		} else if !measures[f.Measure] {
			v.clause(clause, "measure %q is not declared under measures", f.Measure)
		}
		r.Measure = f.Measure
		r.WindowMonths = s.WindowMonths
		if f.WindowMonths != nil {
			if *f.WindowMonths < 1 {
				v.clause(clause, "window_months must be at least 1, got %d", *f.WindowMonths)
			}
			r.WindowMonths = *f.WindowMonths
		}
		if f.MinPopulation != nil {
			if *f.MinPopulation < 0 {
				v.clause(clause, "min_population must not be negative")
			}
			r.MinPopulation = *f.MinPopulation
		}
		r.IfEmpty = EmptyUnknown
		switch {
		case f.IfEmpty.JudgeBy != "":
			if f.IfEmpty.JudgeBy != "document" {
				v.clause(clause, "if_empty judge_by %q is not document", f.IfEmpty.JudgeBy)
			} else if f.IfEmpty.Type == "" {
				v.clause(clause, "if_empty judge_by document needs type")
			} else if !docTypes[f.IfEmpty.Type] {
				v.clause(clause, "if_empty: document type %q is not declared under document_types", f.IfEmpty.Type)
			}
			r.IfEmpty, r.IfEmptyDocument = EmptyDocument, f.IfEmpty.Type
		case f.IfEmpty.Policy == "", f.IfEmpty.Policy == string(EmptyUnknown):
		case f.IfEmpty.Policy == string(EmptyNotApplicable):
			r.IfEmpty = EmptyNotApplicable
		case f.IfEmpty.Policy == string(EmptyFull) && v.legacy:
			r.IfEmpty = EmptyFull
		case f.IfEmpty.Policy == string(EmptyFull):
			v.clause(clause, "if_empty: full is refused: an empty window earns no points; use unknown, not_applicable or {judge_by: document, type: …}")
		default:
			v.clause(clause, "if_empty %q is not one of unknown, not_applicable, {judge_by: document, type: …}", f.IfEmpty.Policy)
		}
		v.refuseAll(clause, f, "document_type", "max_age_months", "ratio", "minimum")
	}
	switch r.Kind {
	case RuleMetric:
		population()
		switch r.Scoring {
		case ScoringGraded:
			r.Target = unit("target", f.Target)
			r.Floor = unit("floor", f.Floor)
			if f.Target != nil && f.Floor != nil && !(r.Target > r.Floor) {
				v.clause(clause, "target %s must be above floor %s", formatPoints(r.Target), formatPoints(r.Floor))
			}
		case ScoringProportional:
			// Points follow the conforming share; a target would be ignored.
			v.refuseAll(clause, f, "target", "floor")
		default:
			r.Target = unit("target", f.Target)
			if f.Floor != nil {
				v.clause(clause, "floor applies only to scoring graded (this leaf is %s)", r.Scoring)
			}
		}
	case RuleSample:
		population()
		v.refuseAll(clause, f, "target", "floor")
	case RuleDocument:
		if f.DocumentType == "" {
			v.clause(clause, "rule document needs document_type")
		} else if !docTypes[f.DocumentType] {
			v.clause(clause, "document type %q is not declared under document_types", f.DocumentType)
		}
		r.DocumentType = f.DocumentType
		if f.MaxAgeMonths != nil {
			if *f.MaxAgeMonths < 1 {
				v.clause(clause, "max_age_months must be at least 1, got %d", *f.MaxAgeMonths)
			}
			r.MaxAgeMonths = *f.MaxAgeMonths
		}
		v.refuseAll(clause, f, "measure", "target", "floor", "window_months", "min_population", "if_empty", "ratio", "minimum")
	case RuleRatio:
		if f.Ratio == nil {
			v.clause(clause, "rule ratio needs ratio")
		} else {
			r.Ratio = *f.Ratio
			if !(r.Ratio > 0 && r.Ratio <= 1) {
				v.clause(clause, "ratio %s is outside (0, 1]", formatPoints(r.Ratio))
			}
		}
		if f.Minimum == nil {
			v.clause(clause, "rule ratio needs minimum")
		} else {
			r.Minimum = *f.Minimum
			if r.Minimum < 0 {
				v.clause(clause, "minimum must not be negative")
			}
		}
		v.refuseAll(clause, f, "measure", "target", "floor", "window_months", "min_population", "if_empty", "document_type", "max_age_months")
	case RuleManual:
		v.refuseAll(clause, f, "measure", "target", "floor", "window_months", "min_population", "if_empty", "document_type", "max_age_months", "ratio", "minimum")
	case "":
		v.clause(clause, "rule needs a kind")
	default:
		v.clause(clause, "unknown rule kind %q", f.Kind)
	}
	return r
}

// refuseAll reports every listed parameter that is set on a rule whose kind
// does not take it, so a misplaced parameter is never silently ignored.
func (v *validator) refuseAll(clause string, f *ruleFile, names ...string) {
	for _, n := range names {
		var set bool
		switch n {
		case "measure":
			set = f.Measure != ""
		case "target":
			set = f.Target != nil
		case "floor":
			set = f.Floor != nil
		case "window_months":
			set = f.WindowMonths != nil
		case "min_population":
			set = f.MinPopulation != nil
		case "if_empty":
			set = !f.IfEmpty.isZero()
		case "document_type":
			set = f.DocumentType != ""
		case "max_age_months":
			set = f.MaxAgeMonths != nil
		case "ratio":
			set = f.Ratio != nil
		case "minimum":
			set = f.Minimum != nil
		}
		if set {
			v.clause(clause, "rule %s does not take %s", f.Kind, n)
		}
	}
}

// formatPoints prints points without float noise: 9, 9.5, 0.3.
func formatPoints(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return strconv.FormatFloat(math.Round(v*1e6)/1e6, 'f', -1, 64)
}

// finite reports whether v is a real number (not NaN, not infinite).
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
