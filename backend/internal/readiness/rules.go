package readiness

import (
	"fmt"
	"math"
	"math/big"
	"sort"
	"time"
)

// Measure is an operational rate gathered by the store over a rule's window:
// Numerator conforming items out of Denominator items.
type Measure struct {
	// Known is false when the store could not compute the measure; the
	// indicator is then unknown, never a pass or a fail.
	Known       bool
	Numerator   float64
	Denominator float64
	// RecordIDs are the top contributing non-conforming records, such as
	// "complaint:123", for the ledger and the explanations.
	RecordIDs []string
	// Note is a free remark from the store (e.g. "sampled 50 of 1,240").
	Note string
}

// Value returns Numerator ÷ Denominator, and false when the rate is not
// defined (unknown, empty, negative or inconsistent).
func (m Measure) Value() (float64, bool) {
	if !m.Known || !finite(m.Numerator) || !finite(m.Denominator) ||
		m.Denominator <= 0 || m.Numerator < 0 || m.Numerator > m.Denominator {
		return 0, false
	}
	return m.Numerator / m.Denominator, true
}

// Document is an evidence document: it counts from EffectiveAt (when the
// thing took effect) until ExpiresAt, once approved. Freshness is derived
// from these dates at scoring time, never stored as a flag.
type Document struct {
	ID          string
	Type        string
	Title       string
	EffectiveAt time.Time
	// ExpiresAt is the first instant the document no longer counts; nil
	// means it does not expire.
	ExpiresAt *time.Time
	Approved  bool
}

// Certificate is a 售后服务管理师 certificate held by a member of the
// service-management staff.
type Certificate struct {
	HolderID  string
	Holder    string
	ExpiresAt time.Time
}

// Staffing feeds the ratio rule (5.1.2.2).
type Staffing struct {
	// Known is false when headcounts could not be gathered.
	Known bool
	// ManagementHeadcount is the service-management staff at gathering time.
	ManagementHeadcount int
	// CertifiedManagers counts the management staff holding a certificate
	// valid at gathering time.
	CertifiedManagers int
	// CertifiedExpiring lists the counted certificates that carry an expiry
	// date; a certificate expired at the as-of time is not counted, which
	// keeps the score a function of the as-of time alone.
	CertifiedExpiring []Certificate
}

// Assessment is a quality manager's points for a manual indicator.
type Assessment struct {
	Points        float64
	Justification string
	Author        string
	AssessedAt    time.Time
	// ExpiresAt is when the assessment stops counting; nil means never.
	ExpiresAt *time.Time
}

// Override replaces the computed points of a leaf with a person's judgement.
// It needs a justification and stops counting at ExpiresAt.
type Override struct {
	ID            string
	Points        float64
	Justification string
	Author        string
	CreatedAt     time.Time
	ExpiresAt     *time.Time
	// Evidence names the evidence documents the override rests on
	// ("document:12").
	Evidence []string
}

// Deduction is a special-deduction finding (特别扣分项). Suggested findings
// (raised by the system, not yet confirmed by a person) are reported but not
// deducted.
type Deduction struct {
	ID        string
	Clause    string
	Reason    string
	Suggested bool
}

// Bonus is a special-bonus practice (特别加分项), counted only when the
// standard enables the bonus, and only up to its cap in total.
type Bonus struct {
	ID     string
	Reason string
	Author string
}

// Inputs is everything a score depends on besides the standard and the
// as-of time. The store gathers it; the engine never mutates it.
type Inputs struct {
	// Measures by measure name.
	Measures map[string]Measure
	// Documents by document type. A nil map means the evidence register
	// was not gathered (document indicators are unknown); a non-nil map
	// without a type means there is no such evidence (0 points).
	Documents map[string][]Document
	Staffing  Staffing
	// Assessments by clause, for manual indicators.
	Assessments map[string]Assessment
	// NotApplicable maps a deletable clause to the justification of its
	// deletion (删减).
	NotApplicable map[string]string
	Deductions    []Deduction
	// Bonus is a single claim as stored by earlier releases; it counts as
	// one more practice besides Bonuses.
	Bonus *Bonus `json:",omitempty"`
	// Bonuses are the outstanding practices claimed.
	Bonuses []Bonus `json:",omitempty"`
	// Overrides by leaf clause.
	Overrides map[string]Override
	// PassedSince is when the organisation first reached the first band,
	// read only by the optional stars_after_pass rule.
	PassedSince *time.Time
}

// State is the data state of an indicator, kept apart from its points.
type State string

// The data states.
const (
	StateComputed      State = "computed"
	StateUnknown       State = "unknown"
	StateNotApplicable State = "not_applicable"
	StateOverridden    State = "overridden"
)

// Reason codes an IndicatorResult may carry. They are stable message keys.
const (
	ReasonTargetMet          = "target_met"
	ReasonBelowTarget        = "below_target"
	ReasonAtOrBelowFloor     = "at_or_below_floor"
	ReasonAllSamplesConform  = "all_samples_conform"
	ReasonNonConforming      = "non_conforming_samples"
	ReasonNoPopulation       = "no_population"
	ReasonJudgedByDocument   = "judged_by_document"
	ReasonNoManagementStaff  = "no_management_staff"
	ReasonMeasureMissing     = "measure_missing"
	ReasonMeasureInvalid     = "measure_invalid"
	ReasonMeasureEmpty       = "measure_empty"
	ReasonPopulationTooSmall = "population_too_small"
	ReasonEvidenceNotLoaded  = "evidence_not_gathered"
	ReasonDocumentValid      = "document_valid"
	ReasonDocumentMissing    = "document_missing"
	ReasonDocumentUnapproved = "document_not_approved"
	ReasonDocumentNotYet     = "document_not_yet_effective"
	ReasonDocumentExpired    = "document_expired"
	ReasonDocumentTooOld     = "document_too_old"
	ReasonManagersEnough     = "managers_sufficient"
	ReasonManagersShort      = "managers_short"
	ReasonCertificateExpired = "certificates_expired"
	ReasonStaffingMissing    = "staffing_missing"
	ReasonStaffingInvalid    = "staffing_invalid"
	ReasonManualAssessment   = "manual_assessment"
	ReasonAssessmentMissing  = "assessment_missing"
	ReasonAssessmentExpired  = "assessment_expired"
	ReasonAssessmentInvalid  = "assessment_invalid"
	ReasonNotApplicable      = "not_applicable"
	ReasonOverridden         = "overridden"
	ReasonOverrideExpired    = "override_expired"
	ReasonOverrideIgnored    = "override_ignored"
)

// RuleInputs are the figures a leaf was scored from, for the ledger.
type RuleInputs struct {
	Numerator   float64 `json:"numerator"`
	Denominator float64 `json:"denominator"`
	// Value is Numerator ÷ Denominator (the rate, or the certified share).
	Value  float64 `json:"value"`
	Target float64 `json:"target"`
	Floor  float64 `json:"floor"`
	// Required is what full points need: conforming items to reach the
	// target (metric, sample) or certified managers (ratio).
	Required float64 `json:"required"`
	// ValidUntil is when a currently earned document, certificate count or
	// assessment stops counting; nil when open-ended or not earned.
	ValidUntil *time.Time `json:"valid_until,omitempty"`
}

// IndicatorResult is one line of the points ledger: a leaf as scored, or a
// parent rolled up from its children.
type IndicatorResult struct {
	Clause string   `json:"clause"`
	Name   Text     `json:"name"`
	Level  int      `json:"level"`
	Leaf   bool     `json:"leaf"`
	Kind   RuleKind `json:"kind,omitempty"`
	// Scoring is the leaf's scoring mode (all_or_nothing, proportional,
	// graded).
	Scoring  ScoringMode `json:"scoring,omitempty"`
	Inferred bool        `json:"inferred,omitempty"`
	// Points earned; unknown leaves earn 0 (the low end of the range).
	Points float64 `json:"points"`
	// Max is the indicator's points in the standard.
	Max float64 `json:"max"`
	// Applicable is the part of Max that counts in the applicable total
	// (0 when deleted).
	Applicable float64 `json:"applicable"`
	// State is computed, unknown, not_applicable or overridden; a parent is
	// unknown when any child is, overridden when any child is (and none is
	// unknown), not_applicable when all children are.
	State       State      `json:"state"`
	ReasonCodes []string   `json:"reason_codes,omitempty"`
	Inputs      RuleInputs `json:"inputs"`
	RecordIDs   []string   `json:"record_ids,omitempty"`
	// Recoverable is the raw points still to gain (Applicable − Points).
	Recoverable float64 `json:"recoverable"`
	// Reason says in words why the points are what they are.
	Reason Text `json:"reason"`
	// Action says in words what to do to recover the lost points.
	Action Text `json:"action"`
	// Justification and Author come from an override, an assessment or a
	// deletion.
	Justification string `json:"justification,omitempty"`
	Author        string `json:"author,omitempty"`
	// DecidedAt is when the override (or assessment) was made.
	DecidedAt *time.Time `json:"decided_at,omitempty"`
	// Evidence lists the evidence documents an override rests on.
	Evidence []string `json:"evidence,omitempty"`

	// exact is the leaf's points as an exact fraction; nil means Points
	// read as a decimal.
	exact *big.Rat
}

// setPoints sets a leaf's points from an exact value.
func (res *IndicatorResult) setPoints(r *big.Rat) {
	res.exact = r
	res.Points = floatOf(r)
}

// exactPoints is the leaf's points as an exact fraction.
func (res *IndicatorResult) exactPoints() *big.Rat {
	if res.exact != nil {
		return res.exact
	}
	return exactOf(res.Points)
}

// evaluation carries what every rule reads.
type evaluation struct {
	std  *Standard
	in   *Inputs
	asOf time.Time
}

// evaluateRule scores a leaf from its rule alone, before deletions and
// overrides are applied.
func (e *evaluation) evaluateRule(ind *Indicator) IndicatorResult {
	res := IndicatorResult{
		Clause: ind.Clause, Name: ind.Name, Level: ind.Level, Leaf: true,
		Inferred: ind.Inferred, Max: ind.Points, Applicable: ind.Points,
	}
	if ind.Rule == nil {
		// A validated standard has a rule on every leaf; stay safe anyway.
		e.unknown(&res, ReasonMeasureMissing,
			Text{Zh: "该指标没有评分规则", En: "the indicator has no scoring rule"},
			Text{Zh: "在标准文件中为该指标配置规则", En: "configure a rule for the indicator in the standard file"})
		return res
	}
	res.Kind = ind.Rule.Kind
	res.Scoring = ind.Rule.Scoring
	switch ind.Rule.Kind {
	case RuleMetric, RuleSample:
		e.evaluateRate(ind, &res)
	case RuleDocument:
		e.evaluateDocument(ind, &res)
	case RuleRatio:
		e.evaluateRatio(ind, &res)
	case RuleManual:
		e.evaluateManual(ind, &res)
	default:
		e.unknown(&res, ReasonMeasureMissing,
			Text{Zh: "未知的评分规则", En: "unknown scoring rule"},
			Text{Zh: "修正标准文件中的规则类型", En: "fix the rule kind in the standard file"})
	}
	return res
}

// unknown marks a leaf as lacking data: no points, the whole maximum
// recoverable by providing the data.
func (e *evaluation) unknown(res *IndicatorResult, code string, reason, action Text) {
	res.State = StateUnknown
	res.Points = 0
	res.Recoverable = res.Applicable
	res.ReasonCodes = append(res.ReasonCodes, code)
	res.Reason = reason
	res.Action = action
}

func (e *evaluation) measureLabel(name string) Text {
	if m, ok := e.std.Measure(name); ok && (m.Label.Zh != "" || m.Label.En != "") {
		return m.Label
	}
	return Text{Zh: name, En: name}
}

func (e *evaluation) documentLabel(docType string) Text {
	if e.std != nil {
		for _, d := range e.std.DocumentTypes {
			if d.Type == docType && (d.Label.Zh != "" || d.Label.En != "") {
				return d.Label
			}
		}
	}
	return Text{Zh: docType, En: docType}
}

// evaluateRate scores metric and sample rules from a measure.
func (e *evaluation) evaluateRate(ind *Indicator, res *IndicatorResult) {
	r := ind.Rule
	label := e.measureLabel(r.Measure)
	res.Inputs.Target, res.Inputs.Floor = r.Target, r.Floor
	if r.Kind == RuleSample {
		res.Inputs.Target, res.Inputs.Floor = 1, 0
	}
	m, ok := e.in.Measures[r.Measure]
	if !ok || !m.Known {
		e.unknown(res, ReasonMeasureMissing,
			Text{Zh: fmt.Sprintf("缺少“%s”的数据", label.Zh), En: fmt.Sprintf("no data for %q", label.En)},
			Text{Zh: fmt.Sprintf("提供近 %d 个月的“%s”数据", r.WindowMonths, label.Zh), En: fmt.Sprintf("provide %q over the last %d months", label.En, r.WindowMonths)})
		return
	}
	res.Inputs.Numerator, res.Inputs.Denominator = m.Numerator, m.Denominator
	if !finite(m.Numerator) || !finite(m.Denominator) || m.Numerator < 0 || m.Denominator < 0 || m.Numerator > m.Denominator {
		e.unknown(res, ReasonMeasureInvalid,
			Text{Zh: fmt.Sprintf("“%s”的数据不一致（%s/%s）", label.Zh, formatPoints(m.Numerator), formatPoints(m.Denominator)),
				En: fmt.Sprintf("inconsistent data for %q (%s/%s)", label.En, formatPoints(m.Numerator), formatPoints(m.Denominator))},
			Text{Zh: "核对该度量的计算", En: "check how the measure is computed"})
		return
	}
	if m.Denominator == 0 {
		e.empty(ind, res, label)
		return
	}
	if m.Denominator < float64(r.MinPopulation) {
		e.unknown(res, ReasonPopulationTooSmall,
			Text{Zh: fmt.Sprintf("“%s”样本量 %s 少于 %d", label.Zh, formatPoints(m.Denominator), r.MinPopulation),
				En: fmt.Sprintf("%q has %s items, fewer than the %d needed", label.En, formatPoints(m.Denominator), r.MinPopulation)},
			Text{Zh: fmt.Sprintf("将样本扩大到至少 %d 条", r.MinPopulation), En: fmt.Sprintf("extend the sample to at least %d items", r.MinPopulation)})
		return
	}
	value := m.Numerator / m.Denominator
	res.State = StateComputed
	res.Inputs.Value = value
	switch {
	case r.Scoring == ScoringProportional:
		// Clause 6: points removed in proportion to the non-conforming share.
		res.Inputs.Target, res.Inputs.Floor = 1, 0
		res.setPoints(exactShare(res.Max, m.Numerator, m.Denominator))
	case r.Scoring == ScoringGraded:
		// (value − floor) ÷ (target − floor), exactly, within [0, 1].
		share := new(big.Rat).Sub(exactShare(1, m.Numerator, m.Denominator), exactOf(r.Floor))
		share.Quo(share, new(big.Rat).Sub(exactOf(r.Target), exactOf(r.Floor)))
		share = clampExact(share, 0, 1)
		res.setPoints(share.Mul(share, exactOf(res.Max)))
	case r.Kind == RuleSample:
		// All or nothing over a sample: every item must conform.
		res.Inputs.Target, res.Inputs.Floor = 1, 0
		if m.Numerator >= m.Denominator {
			res.setPoints(exactOf(res.Max))
		} else {
			res.setPoints(new(big.Rat))
		}
	default:
		if value >= r.Target-1e-12 {
			res.setPoints(exactOf(res.Max))
		} else {
			res.setPoints(new(big.Rat))
		}
	}
	res.Recoverable = res.Applicable - res.Points
	required := ceilCount(res.Inputs.Target * m.Denominator)
	res.Inputs.Required = required
	short := math.Max(0, required-m.Numerator)
	if res.Recoverable <= pointsTolerance {
		res.Recoverable = 0
		if r.Kind == RuleSample {
			res.ReasonCodes = []string{ReasonAllSamplesConform}
			res.Reason = Text{Zh: fmt.Sprintf("抽样 %s 条全部符合", formatPoints(m.Denominator)), En: fmt.Sprintf("all %s sampled items conform", formatPoints(m.Denominator))}
		} else {
			res.ReasonCodes = []string{ReasonTargetMet}
			res.Reason = Text{Zh: fmt.Sprintf("“%s”为 %s，达到目标 %s", label.Zh, pct(value), pct(r.Target)),
				En: fmt.Sprintf("%s at %s meets the %s target", label.En, pct(value), pct(r.Target))}
		}
		return
	}
	res.RecordIDs = append([]string(nil), m.RecordIDs...)
	if r.Kind == RuleSample || r.Scoring == ScoringProportional {
		res.ReasonCodes = []string{ReasonNonConforming}
		how := Text{Zh: "按比例扣分", En: "points removed in proportion"}
		if r.Scoring == ScoringAllOrNothing {
			how = Text{Zh: "须全部符合，不得分", En: "all must conform: no points"}
		}
		res.Reason = Text{
			Zh: fmt.Sprintf("抽样 %s 条中 %s 条不符合（符合率 %s），%s", formatPoints(m.Denominator), formatPoints(m.Denominator-m.Numerator), pct(value), how.Zh),
			En: fmt.Sprintf("%s of %s sampled items do not conform (%s conform): %s", formatPoints(m.Denominator-m.Numerator), formatPoints(m.Denominator), pct(value), how.En),
		}
		res.Action = Text{
			Zh: fmt.Sprintf("整改 %s 条不符合的“%s”记录", formatPoints(short), label.Zh),
			En: fmt.Sprintf("correct the %s non-conforming records of %q", formatPoints(short), label.En),
		}
		return
	}
	res.ReasonCodes = []string{ReasonBelowTarget}
	if r.Scoring == ScoringGraded {
		if value <= r.Floor {
			res.ReasonCodes = append(res.ReasonCodes, ReasonAtOrBelowFloor)
		}
		res.Reason = Text{
			Zh: fmt.Sprintf("“%s”为 %s，低于目标 %s（%s 及以下不得分）", label.Zh, pct(value), pct(r.Target), pct(r.Floor)),
			En: fmt.Sprintf("%s at %s is below the %s target (no points at or below %s)", label.En, pct(value), pct(r.Target), pct(r.Floor)),
		}
	} else {
		res.Reason = Text{
			Zh: fmt.Sprintf("“%s”为 %s，未达到目标 %s（符合或不符合，不给部分分）", label.Zh, pct(value), pct(r.Target)),
			En: fmt.Sprintf("%s at %s does not meet the %s target (met or not met: no partial points)", label.En, pct(value), pct(r.Target)),
		}
	}
	res.Action = Text{
		Zh: fmt.Sprintf("将“%s”从 %s 提升到 %s（%s 条中还需 %s 条达标）", label.Zh, pct(value), pct(r.Target), formatPoints(m.Denominator), formatPoints(short)),
		En: fmt.Sprintf("raise %s from %s to %s (%s more conforming of %s)", label.En, pct(value), pct(r.Target), formatPoints(short), formatPoints(m.Denominator)),
	}
}

// empty scores a metric or sample leaf whose window holds no records:
// unknown (never a pass or a fail) unless the standard names another basis
// for that case. Versions stored before if_empty: full was refused keep
// their old meaning when re-read.
func (e *evaluation) empty(ind *Indicator, res *IndicatorResult, label Text) {
	r := ind.Rule
	switch r.IfEmpty {
	case EmptyDocument:
		docRule := &Rule{Kind: RuleDocument, Scoring: ScoringAllOrNothing, DocumentType: r.IfEmptyDocument}
		judged := &Indicator{Clause: ind.Clause, Name: ind.Name, Points: ind.Points, Level: ind.Level, Inferred: ind.Inferred, Rule: docRule}
		e.evaluateDocument(judged, res)
		doc := e.documentLabel(r.IfEmptyDocument)
		res.ReasonCodes = append([]string{ReasonNoPopulation, ReasonJudgedByDocument}, res.ReasonCodes...)
		res.Reason = Text{
			Zh: fmt.Sprintf("窗口内没有“%s”的记录，按标准改以“%s”评定：%s", label.Zh, doc.Zh, res.Reason.Zh),
			En: fmt.Sprintf("no records of %q in the window, so judged on the %s instead: %s", label.En, doc.En, res.Reason.En),
		}
	case EmptyFull:
		res.State = StateComputed
		res.setPoints(exactOf(res.Max))
		res.ReasonCodes = []string{ReasonNoPopulation}
		res.Reason = Text{Zh: fmt.Sprintf("窗口内没有“%s”的对象，按满分计（旧版本规则）", label.Zh), En: fmt.Sprintf("nothing to count for %q in the window: full points (old version's rule)", label.En)}
	case EmptyNotApplicable:
		res.State = StateNotApplicable
		res.Applicable = 0
		res.ReasonCodes = []string{ReasonNoPopulation, ReasonNotApplicable}
		res.Reason = Text{Zh: fmt.Sprintf("窗口内没有“%s”的记录，不适用", label.Zh), En: fmt.Sprintf("no records of %q in the window: not applicable", label.En)}
	default:
		e.unknown(res, ReasonMeasureEmpty,
			Text{Zh: fmt.Sprintf("窗口内没有“%s”的记录：既不算符合也不算不符合", label.Zh), En: fmt.Sprintf("no records of %q in the window: neither a pass nor a fail", label.En)},
			Text{Zh: "在窗口内产生并记录这类业务，或确认数据来源", En: "record such work in the window, or check the data source"})
	}
}

// documentStatus is how one document stands at the as-of time, ordered so
// that a higher status is closer to counting.
type documentStatus int

const (
	docUnapproved documentStatus = iota
	docNotYetEffective
	docTooOld
	docExpired
	docValid
)

// documentStanding judges one document against a rule at a time and returns
// when it stops counting (nil when open-ended).
func documentStanding(d Document, r *Rule, at time.Time) (documentStatus, *time.Time) {
	until := d.ExpiresAt
	if r.MaxAgeMonths > 0 {
		aged := d.EffectiveAt.AddDate(0, r.MaxAgeMonths, 0)
		if until == nil || aged.Before(*until) {
			until = &aged
		}
	}
	switch {
	case !d.Approved:
		return docUnapproved, until
	case d.EffectiveAt.After(at):
		return docNotYetEffective, until
	case d.ExpiresAt != nil && !d.ExpiresAt.After(at):
		return docExpired, until
	case until != nil && !until.After(at):
		return docTooOld, until
	}
	return docValid, until
}

// evaluateDocument gives full points when an approved document of the
// rule's type is in force at the as-of time.
func (e *evaluation) evaluateDocument(ind *Indicator, res *IndicatorResult) {
	r := ind.Rule
	label := e.documentLabel(r.DocumentType)
	if e.in.Documents == nil {
		e.unknown(res, ReasonEvidenceNotLoaded,
			Text{Zh: "证据文件未加载", En: "the evidence register was not gathered"},
			Text{Zh: fmt.Sprintf("加载“%s”证据", label.Zh), En: fmt.Sprintf("gather the %q evidence", label.En)})
		return
	}
	res.State = StateComputed
	var best *Document
	bestStatus := documentStatus(-1)
	var bestUntil *time.Time
	for _, d := range e.in.Documents[r.DocumentType] {
		if d.Type != "" && d.Type != r.DocumentType {
			continue
		}
		status, until := documentStanding(d, r, e.asOf)
		// Prefer the standing closest to counting; among valid ones the
		// one that counts longest.
		better := status > bestStatus ||
			(status == bestStatus && status == docValid && laterOrOpen(until, bestUntil)) ||
			(status == bestStatus && status != docValid && best != nil && d.EffectiveAt.After(best.EffectiveAt))
		if better {
			doc := d
			best, bestStatus, bestUntil = &doc, status, until
		}
	}
	if best == nil {
		res.Recoverable = res.Applicable
		res.ReasonCodes = []string{ReasonDocumentMissing}
		res.Reason = Text{Zh: fmt.Sprintf("没有“%s”", label.Zh), En: fmt.Sprintf("no %s on file", label.En)}
		res.Action = Text{Zh: fmt.Sprintf("编制并批准“%s”，使其在评价日生效", label.Zh), En: fmt.Sprintf("write and approve a %s in force at the evaluation date", label.En)}
		return
	}
	title := best.Title
	if title == "" {
		title = label.En
	}
	res.RecordIDs = []string{"document:" + best.ID}
	if bestStatus == docValid {
		res.Points = res.Max
		res.ReasonCodes = []string{ReasonDocumentValid}
		res.Inputs.ValidUntil = bestUntil
		if bestUntil != nil {
			res.Reason = Text{Zh: fmt.Sprintf("“%s”有效至 %s", title, day(*bestUntil)), En: fmt.Sprintf("%q counts until %s", title, day(*bestUntil))}
		} else {
			res.Reason = Text{Zh: fmt.Sprintf("“%s”有效", title), En: fmt.Sprintf("%q is in force", title)}
		}
		return
	}
	res.Recoverable = res.Applicable
	switch bestStatus {
	case docUnapproved:
		res.ReasonCodes = []string{ReasonDocumentUnapproved}
		res.Reason = Text{Zh: fmt.Sprintf("“%s”未批准", title), En: fmt.Sprintf("%q is not approved", title)}
		res.Action = Text{Zh: fmt.Sprintf("批准“%s”", title), En: fmt.Sprintf("approve %q", title)}
	case docNotYetEffective:
		res.ReasonCodes = []string{ReasonDocumentNotYet}
		res.Reason = Text{Zh: fmt.Sprintf("“%s”%s 才生效", title, day(best.EffectiveAt)), En: fmt.Sprintf("%q takes effect only on %s", title, day(best.EffectiveAt))}
		res.Action = Text{Zh: fmt.Sprintf("让“%s”在评价日前生效", title), En: fmt.Sprintf("bring %q into force before the evaluation date", title)}
	case docExpired:
		res.ReasonCodes = []string{ReasonDocumentExpired}
		res.Reason = Text{Zh: fmt.Sprintf("“%s”已于 %s 过期", title, day(*best.ExpiresAt)), En: fmt.Sprintf("%q expired on %s", title, day(*best.ExpiresAt))}
		res.Action = Text{Zh: fmt.Sprintf("更新并重新批准“%s”", title), En: fmt.Sprintf("renew and re-approve %q", title)}
	case docTooOld:
		res.ReasonCodes = []string{ReasonDocumentTooOld}
		res.Reason = Text{
			Zh: fmt.Sprintf("“%s”生效于 %s，超过 %d 个月", title, day(best.EffectiveAt), r.MaxAgeMonths),
			En: fmt.Sprintf("%q took effect on %s, more than %d months ago", title, day(best.EffectiveAt), r.MaxAgeMonths),
		}
		res.Action = Text{Zh: fmt.Sprintf("发布新一期“%s”", label.Zh), En: fmt.Sprintf("issue a current %s", label.En)}
	}
}

// laterOrOpen reports whether a counts longer than b (nil is open-ended).
func laterOrOpen(a, b *time.Time) bool {
	switch {
	case a == nil:
		return b != nil
	case b == nil:
		return false
	}
	return a.After(*b)
}

// RequiredManagers returns how many certified managers the ratio rule needs
// for a management headcount: at least minimum, and at least ratio ×
// headcount rounded up (10% of 9, 10, 11 staff needs 1, 1, 2).
func RequiredManagers(ratio float64, minimum, headcount int) int {
	if headcount < 0 {
		headcount = 0
	}
	need := int(ceilCount(ratio * float64(headcount)))
	if need < minimum {
		need = minimum
	}
	return need
}

// evaluateRatio scores the certified-manager ratio (5.1.2.2).
func (e *evaluation) evaluateRatio(ind *Indicator, res *IndicatorResult) {
	r := ind.Rule
	st := e.in.Staffing
	res.Inputs.Target = r.Ratio
	if !st.Known {
		e.unknown(res, ReasonStaffingMissing,
			Text{Zh: "缺少服务管理人员及管理师人数", En: "no service-management headcount or certified-manager count"},
			Text{Zh: "登记服务管理人员和售后服务管理师证书", En: "record the service-management staff and their 售后服务管理师 certificates"})
		return
	}
	if st.ManagementHeadcount < 0 || st.CertifiedManagers < 0 {
		e.unknown(res, ReasonStaffingInvalid,
			Text{Zh: "人数数据无效", En: "invalid headcount data"},
			Text{Zh: "核对人员数据", En: "check the staffing data"})
		return
	}
	if st.ManagementHeadcount == 0 {
		// Nothing to take 10% of: neither a pass nor a certain fail.
		e.unknown(res, ReasonNoManagementStaff,
			Text{Zh: "未登记服务管理人员", En: "no management staff recorded"},
			Text{Zh: "登记服务管理人员（标记为服务管理人员的员工）及其管理师证书", En: "record the service-management staff (staff marked as service management) and their certificates"})
		return
	}
	certified := st.CertifiedManagers
	var expired []string
	var future []time.Time
	for _, c := range st.CertifiedExpiring {
		if !c.ExpiresAt.After(e.asOf) {
			certified--
			expired = append(expired, "certificate:"+c.HolderID)
		} else {
			future = append(future, c.ExpiresAt)
		}
	}
	if certified < 0 {
		certified = 0
	}
	need := RequiredManagers(r.Ratio, r.Minimum, st.ManagementHeadcount)
	res.State = StateComputed
	res.Inputs.Numerator = float64(certified)
	res.Inputs.Denominator = float64(st.ManagementHeadcount)
	if st.ManagementHeadcount > 0 {
		res.Inputs.Value = float64(certified) / float64(st.ManagementHeadcount)
	}
	res.Inputs.Required = float64(need)
	res.RecordIDs = expired
	if certified >= need {
		res.Points = res.Max
		res.ReasonCodes = []string{ReasonManagersEnough}
		// The ratio holds until enough of the counted certificates expire.
		sort.Slice(future, func(i, j int) bool { return future[i].Before(future[j]) })
		left := certified
		for _, t := range future {
			left--
			if left < need {
				until := t
				res.Inputs.ValidUntil = &until
				break
			}
		}
		res.Reason = Text{
			Zh: fmt.Sprintf("持证管理师 %d 名，满足 %d 名服务管理人员所需的 %d 名", certified, st.ManagementHeadcount, need),
			En: fmt.Sprintf("%d certified managers meet the %d needed for %d management staff", certified, need, st.ManagementHeadcount),
		}
		return
	}
	res.Recoverable = res.Applicable
	res.ReasonCodes = []string{ReasonManagersShort}
	if len(expired) > 0 {
		res.ReasonCodes = append(res.ReasonCodes, ReasonCertificateExpired)
	}
	res.Reason = Text{
		Zh: fmt.Sprintf("持证管理师 %d 名，少于 %d 名服务管理人员所需的 %d 名（%s，至少 %d 名）", certified, st.ManagementHeadcount, need, pct(r.Ratio), r.Minimum),
		En: fmt.Sprintf("%d certified managers, fewer than the %d needed for %d management staff (%s, at least %d)", certified, need, st.ManagementHeadcount, pct(r.Ratio), r.Minimum),
	}
	res.Action = Text{
		Zh: fmt.Sprintf("再培训并取证 %d 名售后服务管理师", need-certified),
		En: fmt.Sprintf("certify %d more 售后服务管理师", need-certified),
	}
}

// evaluateManual takes a quality manager's assessment.
func (e *evaluation) evaluateManual(ind *Indicator, res *IndicatorResult) {
	a, ok := e.in.Assessments[ind.Clause]
	if !ok || (!a.AssessedAt.IsZero() && a.AssessedAt.After(e.asOf)) {
		e.unknown(res, ReasonAssessmentMissing,
			Text{Zh: "尚无质量经理评定", En: "no quality manager's assessment yet"},
			Text{Zh: "由质量经理评定并说明理由", En: "have the quality manager assess it, with a justification"})
		return
	}
	res.Justification, res.Author = a.Justification, a.Author
	if a.ExpiresAt != nil && !a.ExpiresAt.After(e.asOf) {
		e.unknown(res, ReasonAssessmentExpired,
			Text{Zh: fmt.Sprintf("评定已于 %s 过期", day(*a.ExpiresAt)), En: fmt.Sprintf("the assessment expired on %s", day(*a.ExpiresAt))},
			Text{Zh: "重新评定", En: "assess it again"})
		return
	}
	if !finite(a.Points) {
		e.unknown(res, ReasonAssessmentInvalid,
			Text{Zh: "评定分数无效", En: "the assessed points are not a number"},
			Text{Zh: "重新评定", En: "assess it again"})
		return
	}
	if !ModeAllows(ind.Rule.Scoring, res.Max, a.Points) {
		e.unknown(res, ReasonAssessmentInvalid,
			Text{Zh: fmt.Sprintf("评定 %s 分不符合计分方式 %s", formatPoints(a.Points), ind.Rule.Scoring),
				En: fmt.Sprintf("assessed %s points, which scoring %s does not allow", formatPoints(a.Points), ind.Rule.Scoring)},
			Text{Zh: "按计分方式重新评定", En: "assess it again with a value the scoring mode allows"})
		return
	}
	res.State = StateComputed
	res.setPoints(exactOf(a.Points))
	at := a.AssessedAt
	if !at.IsZero() {
		res.DecidedAt = &at
	}
	res.Recoverable = res.Applicable - res.Points
	res.ReasonCodes = []string{ReasonManualAssessment}
	res.Inputs.ValidUntil = a.ExpiresAt
	res.Reason = Text{
		Zh: fmt.Sprintf("%s 评定 %s 分：%s", a.Author, formatPoints(res.Points), a.Justification),
		En: fmt.Sprintf("assessed %s points by %s: %s", formatPoints(res.Points), a.Author, a.Justification),
	}
	if res.Recoverable > pointsTolerance {
		res.Action = Text{Zh: "针对评定意见整改后重新评定", En: "act on the assessment's findings, then assess again"}
	} else {
		res.Recoverable = 0
	}
}

// applyOverride replaces a leaf's points with a valid override, or notes
// why the override does not count.
func applyOverride(res *IndicatorResult, o Override, asOf time.Time) (applied bool, problem string) {
	switch {
	case o.ExpiresAt != nil && !o.ExpiresAt.After(asOf):
		res.ReasonCodes = append(res.ReasonCodes, ReasonOverrideExpired)
		return false, "override expired on " + day(*o.ExpiresAt)
	case !o.CreatedAt.IsZero() && o.CreatedAt.After(asOf):
		res.ReasonCodes = append(res.ReasonCodes, ReasonOverrideIgnored)
		return false, "override made after the as-of time"
	case o.Justification == "":
		res.ReasonCodes = append(res.ReasonCodes, ReasonOverrideIgnored)
		return false, "override without a justification"
	case !finite(o.Points):
		res.ReasonCodes = append(res.ReasonCodes, ReasonOverrideIgnored)
		return false, "override points are not a number"
	}
	res.State = StateOverridden
	res.Applicable = res.Max
	res.setPoints(exactOf(clamp(o.Points, 0, res.Max)))
	if !o.CreatedAt.IsZero() {
		at := o.CreatedAt
		res.DecidedAt = &at
	}
	res.Evidence = append([]string(nil), o.Evidence...)
	res.Recoverable = res.Applicable - res.Points
	if res.Recoverable <= pointsTolerance {
		res.Recoverable = 0
	}
	res.ReasonCodes = append([]string{ReasonOverridden}, res.ReasonCodes...)
	res.Justification, res.Author = o.Justification, o.Author
	res.Inputs.ValidUntil = o.ExpiresAt
	res.Reason = Text{
		Zh: fmt.Sprintf("%s 人工改为 %s 分：%s", o.Author, formatPoints(res.Points), o.Justification),
		En: fmt.Sprintf("overridden to %s points by %s: %s", formatPoints(res.Points), o.Author, o.Justification),
	}
	if res.Recoverable > 0 {
		res.Action = Text{Zh: "整改后撤销或更新人工调整", En: "fix the underlying issue, then lift or update the override"}
	} else {
		res.Action = Text{}
	}
	return true, ""
}

// ModeAllows reports whether points are a value a scoring mode gives a leaf
// of max points: 0 or max when all_or_nothing, else anything from 0 to max
// with at most two decimals.
func ModeAllows(mode ScoringMode, max, points float64) bool {
	if !finite(points) || points < 0 || points > max+pointsTolerance {
		return false
	}
	if mode == ScoringAllOrNothing || mode == "" {
		return points == 0 || math.Abs(points-max) <= pointsTolerance
	}
	return math.Abs(Round2(points)-points) <= pointsTolerance
}

// ceilCount rounds a count up, forgiving float noise such as
// 0.1 × 30 = 3.0000000000000004.
func ceilCount(v float64) float64 {
	if !finite(v) || v <= 0 {
		return 0
	}
	return math.Ceil(v - 1e-9)
}

func clamp(v, lo, hi float64) float64 {
	if math.IsNaN(v) {
		return lo
	}
	return math.Max(lo, math.Min(hi, v))
}

// pct prints a rate as a percentage with one decimal.
func pct(v float64) string { return fmt.Sprintf("%.1f%%", v*100) }

// day prints a date as YYYY-MM-DD.
func day(t time.Time) string { return t.Format("2006-01-02") }
