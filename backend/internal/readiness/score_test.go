package readiness

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// cst is China Standard Time without depending on the tz database.
var cst = time.FixedZone("CST", 8*3600)

// auditDay is the as-of time of most cases.
var auditDay = time.Date(2025, 6, 30, 12, 0, 0, 0, cst)

// fullInputs satisfies every leaf of a standard in full at asOf.
func fullInputs(std *Standard, asOf time.Time) Inputs {
	in := Inputs{
		Measures:      map[string]Measure{},
		Documents:     map[string][]Document{},
		Assessments:   map[string]Assessment{},
		NotApplicable: map[string]string{},
		Overrides:     map[string]Override{},
	}
	for _, leaf := range std.Leaves() {
		r := leaf.Rule
		switch r.Kind {
		case RuleMetric, RuleSample:
			n := float64(max(100, r.MinPopulation))
			in.Measures[r.Measure] = Measure{Known: true, Numerator: n, Denominator: n}
		case RuleDocument:
			in.Documents[r.DocumentType] = []Document{{
				ID: r.DocumentType + "-1", Type: r.DocumentType, Title: r.DocumentType + " v1",
				EffectiveAt: asOf.AddDate(0, -1, 0), Approved: true,
			}}
		case RuleRatio:
			in.Staffing = Staffing{Known: true, ManagementHeadcount: 20, CertifiedManagers: 2}
		case RuleManual:
			in.Assessments[leaf.Clause] = Assessment{Points: leaf.Points, Justification: "observed at outlets", Author: "qm", AssessedAt: asOf.AddDate(0, -1, 0)}
		}
	}
	return in
}

// lose overrides leaves in document order, skipping the listed clauses,
// so that exactly the given raw points are lost.
func lose(std *Standard, in Inputs, points float64, skip ...string) Inputs {
	out := cloneInputs(in)
	for _, leaf := range std.Leaves() {
		if points <= 0 {
			break
		}
		if slices.Contains(skip, leaf.Clause) {
			continue
		}
		take := math.Min(points, leaf.Points)
		out.Overrides[leaf.Clause] = Override{Points: leaf.Points - take, Justification: "test loss", Author: "test"}
		points -= take
	}
	return out
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

func mustIndicator(t *testing.T, r Result, clause string) IndicatorResult {
	t.Helper()
	ir, ok := r.Indicator(clause)
	if !ok {
		t.Fatalf("no ledger line for %s", clause)
	}
	return ir
}

func TestFullInputsScoreHundred(t *testing.T) {
	for _, file := range []string{"gbt27922-2011.yaml", "sbt10401-2006.yaml"} {
		std := loadFile(t, filepath.Join(standardsDir, file))
		r := Score(std, fullInputs(std, auditDay), auditDay)
		if !near(r.Total, 100) || r.Band != "five_star" || r.Failed || !r.Complete || r.NextBand != "" {
			t.Errorf("%s: total %v band %s failed %v complete %v next %q", file, r.Total, r.Band, r.Failed, r.Complete, r.NextBand)
		}
		if r.Counts.Leaves != len(std.Leaves()) || r.Counts.Computed != r.Counts.Leaves || r.Counts.Losing != 0 {
			t.Errorf("%s: counts %+v", file, r.Counts)
		}
		if len(r.Notices) != 0 {
			t.Errorf("%s: notices %+v", file, r.Notices)
		}
	}
}

func TestNormalisationAfterDeletion(t *testing.T) {
	std := gbt(t)
	in := fullInputs(std, auditDay)
	in.NotApplicable["5.2.6"] = "no take-back duty for this product category"
	delete(in.Documents, "org_chart") // 5.1.1.1 loses 3 points

	r := Score(std, in, auditDay)
	if !near(r.Actual, 94) || !near(r.Applicable, 97) {
		t.Fatalf("actual %v of %v, want 94 of 97", r.Actual, r.Applicable)
	}
	if got := RoundForDisplay(r.Total); got != 96.91 {
		t.Errorf("total %v displays as %v, want 96.91", r.Total, got)
	}
	if r.Band != "five_star" {
		t.Errorf("band %s", r.Band)
	}
	take := mustIndicator(t, r, "5.2.6")
	if take.State != StateNotApplicable || take.Applicable != 0 || take.Max != 3 || take.Justification == "" {
		t.Errorf("5.2.6 = %+v", take)
	}
	product := mustIndicator(t, r, "5.2")
	if product.Max != 35 || product.Applicable != 32 || product.Points != 32 {
		t.Errorf("5.2 rolled up %+v", product)
	}
	if r.Counts.NotApplicable != 1 {
		t.Errorf("counts %+v", r.Counts)
	}
}

func TestBandsAndFailGate(t *testing.T) {
	std := gbt(t)
	full := fullInputs(std, auditDay)
	deductions := func(n, suggested int) []Deduction {
		var out []Deduction
		for i := 0; i < n; i++ {
			out = append(out, Deduction{ID: "d" + string(rune('a'+i)), Reason: "complaint unanswered for 3 days", Suggested: i < suggested})
		}
		return out
	}
	tests := []struct {
		name          string
		lost          float64
		deductions    int
		suggested     int
		total         float64
		band          string
		failReasons   []string
		nextBand      string
		toNext, above float64
	}{
		{"69.99 fails", 30.01, 0, 0, 69.99, "fail", []string{FailBelowPass}, "pass", 0.01, -0.01},
		{"70 is 达标", 30, 0, 0, 70, "pass", nil, "three_star", 10, 0},
		{"79.99 is 达标", 20.01, 0, 0, 79.99, "pass", nil, "three_star", 0.01, 9.99},
		{"80 is three stars", 20, 0, 0, 80, "three_star", nil, "four_star", 10, 0},
		{"89.99 is three stars", 10.01, 0, 0, 89.99, "three_star", nil, "four_star", 0.01, 9.99},
		{"90 is four stars", 10, 0, 0, 90, "four_star", nil, "five_star", 5, 0},
		{"94.99 is four stars", 5.01, 0, 0, 94.99, "four_star", nil, "five_star", 0.01, 4.99},
		{"95 is five stars", 5, 0, 0, 95, "five_star", nil, "", 0, 0},
		{"100 is five stars", 0, 0, 0, 100, "five_star", nil, "", 0, 5},
		{"deductions count after normalising", 26, 4, 0, 70, "pass", nil, "three_star", 10, 0},
		{"a deduction below 70 fails", 30, 1, 0, 69, "fail", []string{FailBelowPass}, "pass", 1, -1},
		{"4 deductions: band stands", 0, 4, 0, 96, "five_star", nil, "", 0, 1},
		{"5 deductions: fail at the gate", 0, 5, 0, 95, "fail", []string{FailDeductionGate}, "pass", 0, 25},
		{"suggested deductions do not count", 0, 5, 1, 96, "five_star", nil, "", 0, 1},
		{"below 70 and at the gate", 40, 6, 0, 54, "fail", []string{FailBelowPass, FailDeductionGate}, "pass", 16, -16},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := lose(std, full, tt.lost)
			in.Deductions = deductions(tt.deductions, tt.suggested)
			r := Score(std, in, auditDay)
			if !near(r.Total, tt.total) {
				t.Errorf("total %v, want %v", r.Total, tt.total)
			}
			if r.Band != tt.band || r.Failed != (tt.band == "fail") {
				t.Errorf("band %s failed %v, want %s", r.Band, r.Failed, tt.band)
			}
			if !slices.Equal(r.FailReasons, tt.failReasons) {
				t.Errorf("fail reasons %v, want %v", r.FailReasons, tt.failReasons)
			}
			if r.NextBand != tt.nextBand || !near(r.ToNextBand, tt.toNext) || !near(r.AboveBand, tt.above) {
				t.Errorf("next %q by %v, above %v; want %q by %v, above %v", r.NextBand, r.ToNextBand, r.AboveBand, tt.nextBand, tt.toNext, tt.above)
			}
			if got := len(r.Deductions) + len(r.SuggestedDeductions); got != tt.deductions {
				t.Errorf("%d deductions reported, want %d", got, tt.deductions)
			}
		})
	}
}

func TestThresholdEpsilon(t *testing.T) {
	std := gbt(t)
	// Sums of fractional points land a hair off a threshold; a hair below
	// still reaches it, a visible 0.01 below does not.
	for _, tt := range []struct {
		total float64
		band  string
	}{{70 - 1e-12, "pass"}, {70 + 1e-12, "pass"}, {69.99, "fail"}, {69.999999, "fail"}, {80 - 1e-10, "three_star"}} {
		if got := classify(std, tt.total, 0, nil, auditDay).code; got != tt.band {
			t.Errorf("classify(%v) = %s, want %s", tt.total, got, tt.band)
		}
	}
	// 0.1 + 0.2 ≠ 0.3 in floats: losing 30 as 0.1 + 0.2 + 29.7 is still 70.
	in := fullInputs(std, auditDay)
	in.Overrides["5.1.1.1"] = Override{Points: 3 - 0.1, Justification: "test"}
	in.Overrides["5.1.1.2"] = Override{Points: 3 - 0.2, Justification: "test"}
	in = lose(std, in, 29.7, "5.1.1.1", "5.1.1.2")
	if r := Score(std, in, auditDay); r.Band != "pass" || RoundForDisplay(r.Total) != 70 {
		t.Errorf("band %s at %v", r.Band, r.Total)
	}
}

func TestRatioRule(t *testing.T) {
	std := gbt(t)
	tomorrow := auditDay.AddDate(0, 0, 1)
	tests := []struct {
		name      string
		staffing  Staffing
		points    float64
		required  float64
		state     State
		reasons   []string
		validTill *time.Time
	}{
		{"9 staff need 1", Staffing{Known: true, ManagementHeadcount: 9, CertifiedManagers: 1}, 5, 1, StateComputed, []string{ReasonManagersEnough}, nil},
		{"10 staff need 1", Staffing{Known: true, ManagementHeadcount: 10, CertifiedManagers: 1}, 5, 1, StateComputed, []string{ReasonManagersEnough}, nil},
		{"11 staff need 2, have 1", Staffing{Known: true, ManagementHeadcount: 11, CertifiedManagers: 1}, 0, 2, StateComputed, []string{ReasonManagersShort}, nil},
		{"11 staff need 2, have 2", Staffing{Known: true, ManagementHeadcount: 11, CertifiedManagers: 2}, 5, 2, StateComputed, []string{ReasonManagersEnough}, nil},
		{"30 staff need exactly 3", Staffing{Known: true, ManagementHeadcount: 30, CertifiedManagers: 3}, 5, 3, StateComputed, []string{ReasonManagersEnough}, nil},
		// Defect 2: no management staff recorded is unknown, not a certain 0.
		{"no management staff recorded is unknown", Staffing{Known: true}, 0, 0, StateUnknown, []string{ReasonNoManagementStaff}, nil},
		{"certified managers but no management staff is still unknown", Staffing{Known: true, CertifiedManagers: 1}, 0, 0, StateUnknown, []string{ReasonNoManagementStaff}, nil},
		{"certificate expired at the as-of time", Staffing{Known: true, ManagementHeadcount: 20, CertifiedManagers: 2,
			CertifiedExpiring: []Certificate{{HolderID: "7", Holder: "王芳", ExpiresAt: auditDay}}}, 0, 2, StateComputed, []string{ReasonManagersShort, ReasonCertificateExpired}, nil},
		{"certificate expiring tomorrow still counts", Staffing{Known: true, ManagementHeadcount: 20, CertifiedManagers: 2,
			CertifiedExpiring: []Certificate{{HolderID: "7", Holder: "王芳", ExpiresAt: tomorrow}}}, 5, 2, StateComputed, []string{ReasonManagersEnough}, &tomorrow},
		{"unknown staffing", Staffing{}, 0, 0, StateUnknown, []string{ReasonStaffingMissing}, nil},
		{"negative headcount", Staffing{Known: true, ManagementHeadcount: -3}, 0, 0, StateUnknown, []string{ReasonStaffingInvalid}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := fullInputs(std, auditDay)
			in.Staffing = tt.staffing
			ir := mustIndicator(t, Score(std, in, auditDay), "5.1.2.2")
			if ir.Points != tt.points || ir.Inputs.Required != tt.required || ir.State != tt.state || !slices.Equal(ir.ReasonCodes, tt.reasons) {
				t.Errorf("got %v points, need %v, %s %v; want %v, %v, %s %v", ir.Points, ir.Inputs.Required, ir.State, ir.ReasonCodes, tt.points, tt.required, tt.state, tt.reasons)
			}
			if (ir.Inputs.ValidUntil == nil) != (tt.validTill == nil) || (tt.validTill != nil && !ir.Inputs.ValidUntil.Equal(*tt.validTill)) {
				t.Errorf("valid until %v, want %v", ir.Inputs.ValidUntil, tt.validTill)
			}
			if ir.Points < ir.Max && (ir.Action.Zh == "" || ir.Action.En == "") {
				t.Errorf("no action for a shortfall: %+v", ir)
			}
		})
	}
}

func TestRequiredManagers(t *testing.T) {
	for _, tt := range []struct {
		ratio                float64
		minimum, staff, want int
	}{
		{0.10, 1, 9, 1}, {0.10, 1, 10, 1}, {0.10, 1, 11, 2}, {0.10, 1, 20, 2}, {0.10, 1, 21, 3},
		{0.10, 1, 30, 3}, {0.10, 1, 70, 7}, {0.07, 1, 100, 7}, {0.10, 1, 0, 1}, {0.10, 0, 0, 0}, {0.10, 1, -5, 1}, {0.15, 1, 20, 3}, {1, 1, 7, 7},
	} {
		if got := RequiredManagers(tt.ratio, tt.minimum, tt.staff); got != tt.want {
			t.Errorf("RequiredManagers(%v, %d, %d) = %d, want %d", tt.ratio, tt.minimum, tt.staff, got, tt.want)
		}
	}
}

func TestRateRules(t *testing.T) {
	std := gbt(t)
	tests := []struct {
		name    string
		clause  string
		measure string
		m       *Measure // nil: not gathered at all
		points  float64
		state   State
		reasons []string
	}{
		// 5.2.2.1: 4 points, target 95%, all or nothing (defect 4: no
		// partial credit between a floor and the target).
		{"far below the target", "5.2.2.1", "first_response_on_time", &Measure{Known: true, Numerator: 50, Denominator: 100}, 0, StateComputed, []string{ReasonBelowTarget}},
		{"half way earns nothing", "5.2.2.1", "first_response_on_time", &Measure{Known: true, Numerator: 155, Denominator: 200}, 0, StateComputed, []string{ReasonBelowTarget}},
		{"one short of the target earns nothing", "5.2.2.1", "first_response_on_time", &Measure{Known: true, Numerator: 94, Denominator: 100}, 0, StateComputed, []string{ReasonBelowTarget}},
		{"at the target", "5.2.2.1", "first_response_on_time", &Measure{Known: true, Numerator: 95, Denominator: 100}, 4, StateComputed, []string{ReasonTargetMet}},
		{"above the target", "5.2.2.1", "first_response_on_time", &Measure{Known: true, Numerator: 99, Denominator: 100}, 4, StateComputed, []string{ReasonTargetMet}},
		{"not gathered", "5.2.2.1", "first_response_on_time", nil, 0, StateUnknown, []string{ReasonMeasureMissing}},
		{"store failed", "5.2.2.1", "first_response_on_time", &Measure{Known: false, Numerator: 95, Denominator: 100}, 0, StateUnknown, []string{ReasonMeasureMissing}},
		{"empty population is unknown by default", "5.2.2.1", "first_response_on_time", &Measure{Known: true}, 0, StateUnknown, []string{ReasonMeasureEmpty}},
		{"numerator above denominator", "5.2.2.1", "first_response_on_time", &Measure{Known: true, Numerator: 120, Denominator: 100}, 0, StateUnknown, []string{ReasonMeasureInvalid}},
		{"not a number", "5.2.2.1", "first_response_on_time", &Measure{Known: true, Numerator: math.NaN(), Denominator: 100}, 0, StateUnknown, []string{ReasonMeasureInvalid}},
		// Defect 1: no recall campaign earns nothing; it is unknown.
		{"no recall campaign is unknown, not full points", "5.2.5.2", "recall_completion", &Measure{Known: true}, 0, StateUnknown, []string{ReasonMeasureEmpty}},
		{"no corrective action due is unknown", "5.1.6.2", "corrective_action_closed", &Measure{Known: true}, 0, StateUnknown, []string{ReasonMeasureEmpty}},
		{"no delivery is unknown", "5.2.3.1", "delivery_on_time", &Measure{Known: true}, 0, StateUnknown, []string{ReasonMeasureEmpty}},
		{"no installation is unknown", "5.2.3.2", "installation_on_time", &Measure{Known: true}, 0, StateUnknown, []string{ReasonMeasureEmpty}},
		{"no complaint record is unknown", "5.3.2.6", "complaint_record_complete", &Measure{Known: true}, 0, StateUnknown, []string{ReasonMeasureEmpty}},
		// The named exception: an empty window judged on the complaint procedure.
		{"no complaint: judged on the complaint procedure", "5.3.2.2", "complaint_ack_within_limit", &Measure{Known: true}, 3, StateComputed, []string{ReasonNoPopulation, ReasonJudgedByDocument, ReasonDocumentValid}},
		{"no return request: judged on the warranty policy", "5.2.5.1", "return_within_legal_window", &Measure{Known: true}, 3, StateComputed, []string{ReasonNoPopulation, ReasonJudgedByDocument, ReasonDocumentValid}},
		// 5.3.2.3 proportional (complaint resolution is sampled): 3 × 41/50.
		{"complaints resolved 41 of 50", "5.3.2.3", "complaint_resolved_within_limit", &Measure{Known: true, Numerator: 41, Denominator: 50}, 2.46, StateComputed, []string{ReasonNonConforming}},
		// 5.3.1.4: min_population 30.
		{"too few survey answers", "5.3.1.4", "survey_satisfaction", &Measure{Known: true, Numerator: 25, Denominator: 25}, 0, StateUnknown, []string{ReasonPopulationTooSmall}},
		// 5.1.2.1 sample, 5 points, min_population 5.
		{"sample 8 of 10 conform", "5.1.2.1", "staff_qualified", &Measure{Known: true, Numerator: 8, Denominator: 10, RecordIDs: []string{"staff:4", "staff:9"}}, 4, StateComputed, []string{ReasonNonConforming}},
		{"sample all conform", "5.1.2.1", "staff_qualified", &Measure{Known: true, Numerator: 10, Denominator: 10}, 5, StateComputed, []string{ReasonAllSamplesConform}},
		{"sample none conform", "5.1.2.1", "staff_qualified", &Measure{Known: true, Numerator: 0, Denominator: 10}, 0, StateComputed, []string{ReasonNonConforming}},
		{"sample too small", "5.1.2.1", "staff_qualified", &Measure{Known: true, Numerator: 4, Denominator: 4}, 0, StateUnknown, []string{ReasonPopulationTooSmall}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := fullInputs(std, auditDay)
			delete(in.Measures, tt.measure)
			if tt.m != nil {
				in.Measures[tt.measure] = *tt.m
			}
			r := Score(std, in, auditDay)
			ir := mustIndicator(t, r, tt.clause)
			if !near(ir.Points, tt.points) || ir.State != tt.state || !slices.Equal(ir.ReasonCodes, tt.reasons) {
				t.Errorf("got %v points %s %v, want %v %s %v", ir.Points, ir.State, ir.ReasonCodes, tt.points, tt.state, tt.reasons)
			}
			if !near(ir.Recoverable, ir.Max-ir.Points) {
				t.Errorf("recoverable %v of max %v with %v points", ir.Recoverable, ir.Max, ir.Points)
			}
			if ir.Recoverable > 0 && (ir.Action.En == "" || ir.Action.Zh == "" || ir.Reason.En == "" || ir.Reason.Zh == "") {
				t.Errorf("a loss without words: %+v", ir)
			}
			if tt.m != nil && len(tt.m.RecordIDs) > 0 && !slices.Equal(ir.RecordIDs, tt.m.RecordIDs) {
				t.Errorf("records %v", ir.RecordIDs)
			}
		})
	}
}

func TestDocumentRule(t *testing.T) {
	std := gbt(t)
	at := func(years, months, days int) time.Time { return auditDay.AddDate(years, months, days) }
	ptr := func(t time.Time) *time.Time { return &t }
	doc := func(id string, effective time.Time, expires *time.Time, approved bool) Document {
		return Document{ID: id, Title: "doc " + id, EffectiveAt: effective, ExpiresAt: expires, Approved: approved}
	}
	tests := []struct {
		name     string
		docType  string
		clause   string
		docs     []Document
		gathered bool
		points   float64
		state    State
		reasons  []string
		records  []string
	}{
		{"expired exactly at the as-of time", "org_chart", "5.1.1.1", []Document{doc("1", at(-1, 0, 0), ptr(auditDay), true)}, true, 0, StateComputed, []string{ReasonDocumentExpired}, []string{"document:1"}},
		{"expires a second later", "org_chart", "5.1.1.1", []Document{doc("1", at(-1, 0, 0), ptr(auditDay.Add(time.Second)), true)}, true, 3, StateComputed, []string{ReasonDocumentValid}, []string{"document:1"}},
		{"no expiry", "org_chart", "5.1.1.1", []Document{doc("1", at(-3, 0, 0), nil, true)}, true, 3, StateComputed, []string{ReasonDocumentValid}, []string{"document:1"}},
		{"effective exactly now", "org_chart", "5.1.1.1", []Document{doc("1", auditDay, nil, true)}, true, 3, StateComputed, []string{ReasonDocumentValid}, []string{"document:1"}},
		{"not approved", "org_chart", "5.1.1.1", []Document{doc("1", at(0, -1, 0), nil, false)}, true, 0, StateComputed, []string{ReasonDocumentUnapproved}, []string{"document:1"}},
		{"takes effect tomorrow", "org_chart", "5.1.1.1", []Document{doc("1", at(0, 0, 1), nil, true)}, true, 0, StateComputed, []string{ReasonDocumentNotYet}, []string{"document:1"}},
		{"none on file", "org_chart", "5.1.1.1", nil, true, 0, StateComputed, []string{ReasonDocumentMissing}, nil},
		{"register not gathered", "org_chart", "5.1.1.1", nil, false, 0, StateUnknown, []string{ReasonEvidenceNotLoaded}, nil},
		{"an expired and a valid one", "org_chart", "5.1.1.1", []Document{doc("1", at(-2, 0, 0), ptr(at(-1, 0, 0)), true), doc("2", at(-1, 0, 0), ptr(at(1, 0, 0)), true)}, true, 3, StateComputed, []string{ReasonDocumentValid}, []string{"document:2"}},
		{"fund older than 12 months", "service_fund", "5.1.3.1", []Document{doc("f", at(0, -13, 0), nil, true)}, true, 0, StateComputed, []string{ReasonDocumentTooOld}, []string{"document:f"}},
		{"fund 11 months old", "service_fund", "5.1.3.1", []Document{doc("f", at(0, -11, 0), nil, true)}, true, 3, StateComputed, []string{ReasonDocumentValid}, []string{"document:f"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := fullInputs(std, auditDay)
			in.Documents[tt.docType] = tt.docs
			if !tt.gathered {
				in.Documents = nil
			}
			ir := mustIndicator(t, Score(std, in, auditDay), tt.clause)
			if ir.Points != tt.points || ir.State != tt.state || !slices.Equal(ir.ReasonCodes, tt.reasons) || !slices.Equal(ir.RecordIDs, tt.records) {
				t.Errorf("got %v %s %v %v, want %v %s %v %v", ir.Points, ir.State, ir.ReasonCodes, ir.RecordIDs, tt.points, tt.state, tt.reasons, tt.records)
			}
		})
	}
	// The fund's validity ends at the earlier of expiry and maximum age.
	in := fullInputs(std, auditDay)
	in.Documents["service_fund"] = []Document{doc("f", at(0, -6, 0), ptr(at(1, 0, 0)), true)}
	ir := mustIndicator(t, Score(std, in, auditDay), "5.1.3.1")
	if ir.Inputs.ValidUntil == nil || !ir.Inputs.ValidUntil.Equal(at(0, 6, 0)) {
		t.Errorf("valid until %v, want %v", ir.Inputs.ValidUntil, at(0, 6, 0))
	}
}

func TestUnknownGivesRange(t *testing.T) {
	std := gbt(t)
	tests := []struct {
		name              string
		missing           []string
		low, high         float64
		lowBand, highBand string
	}{
		{"one measure missing", []string{"followup_within_3d"}, 97, 100, "five_star", "five_star"},
		{"three missing cross a band", []string{"followup_within_3d", "first_response_on_time", "survey_satisfaction"}, 90, 100, "four_star", "five_star"},
		{"nothing missing", nil, 100, 100, "five_star", "five_star"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := fullInputs(std, auditDay)
			for _, m := range tt.missing {
				delete(in.Measures, m)
			}
			r := Score(std, in, auditDay)
			if !near(r.Range.Low, tt.low) || !near(r.Range.High, tt.high) || r.Range.LowBand != tt.lowBand || r.Range.HighBand != tt.highBand {
				t.Errorf("range %+v, want %v (%s) – %v (%s)", r.Range, tt.low, tt.lowBand, tt.high, tt.highBand)
			}
			if !near(r.Total, tt.low) || r.Complete != (len(tt.missing) == 0) || r.Counts.Unknown != len(tt.missing) {
				t.Errorf("total %v complete %v counts %+v", r.Total, r.Complete, r.Counts)
			}
		})
	}
	// An unknown leaf makes its parents unknown too, never a pass or fail.
	in := fullInputs(std, auditDay)
	delete(in.Measures, "followup_within_3d")
	r := Score(std, in, auditDay)
	for _, c := range []string{"5.3.1.5", "5.3.1", "5.3"} {
		if ir := mustIndicator(t, r, c); ir.State != StateUnknown {
			t.Errorf("%s state %s", c, ir.State)
		}
	}
	if ir := mustIndicator(t, r, "5.3.2"); ir.State != StateComputed {
		t.Errorf("5.3.2 state %s", ir.State)
	}
}

func TestManualAssessmentsAndOverrides(t *testing.T) {
	std := gbt(t)
	yesterday, tomorrow := auditDay.AddDate(0, 0, -1), auditDay.AddDate(0, 0, 1)
	tests := []struct {
		name     string
		edit     func(in *Inputs)
		clause   string
		points   float64
		state    State
		reasons  []string
		noticeOf string
	}{
		{"assessment counts", func(in *Inputs) {
			in.Assessments["5.1.7.3"] = Assessment{Points: 1, Justification: "every staff member interviewed knew the commitment", Author: "qm", ExpiresAt: &tomorrow}
		}, "5.1.7.3", 1, StateComputed, []string{ReasonManualAssessment}, ""},
		{"a not-met assessment counts as 0", func(in *Inputs) {
			in.Assessments["5.1.7.3"] = Assessment{Points: 0, Justification: "two of four staff did not know the commitment", Author: "qm"}
		}, "5.1.7.3", 0, StateComputed, []string{ReasonManualAssessment}, ""},
		// Defect 4: 5.1.7.3 is all or nothing; half points are not a value it takes.
		{"half points on an all-or-nothing leaf are refused", func(in *Inputs) {
			in.Assessments["5.1.7.3"] = Assessment{Points: 0.5, Justification: "two of four staff knew the commitment", Author: "qm", ExpiresAt: &tomorrow}
		}, "5.1.7.3", 0, StateUnknown, []string{ReasonAssessmentInvalid}, ""},
		{"assessment missing", func(in *Inputs) { delete(in.Assessments, "5.1.7.3") }, "5.1.7.3", 0, StateUnknown, []string{ReasonAssessmentMissing}, ""},
		{"assessment expired", func(in *Inputs) {
			in.Assessments["5.1.7.3"] = Assessment{Points: 1, Justification: "ok", Author: "qm", ExpiresAt: &yesterday}
		}, "5.1.7.3", 0, StateUnknown, []string{ReasonAssessmentExpired}, ""},
		{"assessment above max is refused", func(in *Inputs) {
			in.Assessments["5.1.7.3"] = Assessment{Points: 7, Justification: "great", Author: "qm"}
		}, "5.1.7.3", 0, StateUnknown, []string{ReasonAssessmentInvalid}, ""},
		{"override replaces computed points", func(in *Inputs) {
			in.Overrides["5.1.1.2"] = Override{Points: 1.5, Justification: "two provinces served by a partner without contract", Author: "qm", ExpiresAt: &tomorrow}
		}, "5.1.1.2", 1.5, StateOverridden, []string{ReasonOverridden, ReasonTargetMet}, ""},
		{"override fills an unknown", func(in *Inputs) {
			delete(in.Measures, "region_coverage")
			in.Overrides["5.1.1.2"] = Override{Points: 3, Justification: "coverage checked by hand", Author: "qm"}
		}, "5.1.1.2", 3, StateOverridden, []string{ReasonOverridden, ReasonMeasureMissing}, ""},
		{"expired override is ignored", func(in *Inputs) {
			in.Overrides["5.1.1.2"] = Override{Points: 0, Justification: "x", Author: "qm", ExpiresAt: &yesterday}
		}, "5.1.1.2", 3, StateComputed, []string{ReasonTargetMet, ReasonOverrideExpired}, "override_ignored"},
		{"override without justification is ignored", func(in *Inputs) {
			in.Overrides["5.1.1.2"] = Override{Points: 0, Author: "qm"}
		}, "5.1.1.2", 3, StateComputed, []string{ReasonTargetMet, ReasonOverrideIgnored}, "override_ignored"},
		{"deleting a non-deletable clause is refused", func(in *Inputs) {
			in.NotApplicable["5.1.1.1"] = "we have no department"
		}, "5.1.1.1", 3, StateComputed, []string{ReasonDocumentValid}, "not_deletable"},
		{"deletion needs a justification", func(in *Inputs) {
			in.NotApplicable["5.2.6"] = " "
		}, "5.2.6", 3, StateComputed, []string{ReasonDocumentValid}, "deletion_without_justification"},
		{"unknown clause is reported", func(in *Inputs) {
			in.Overrides["5.9.9"] = Override{Points: 1, Justification: "typo"}
		}, "5.1.1.1", 3, StateComputed, []string{ReasonDocumentValid}, "unknown_clause"},
		{"override on a parent is reported", func(in *Inputs) {
			in.Overrides["5.1.1"] = Override{Points: 1, Justification: "x"}
		}, "5.1.1", 6, StateComputed, nil, "override_not_leaf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := fullInputs(std, auditDay)
			tt.edit(&in)
			r := Score(std, in, auditDay)
			ir := mustIndicator(t, r, tt.clause)
			if !near(ir.Points, tt.points) || ir.State != tt.state || !slices.Equal(ir.ReasonCodes, tt.reasons) {
				t.Errorf("got %v %s %v, want %v %s %v", ir.Points, ir.State, ir.ReasonCodes, tt.points, tt.state, tt.reasons)
			}
			if tt.noticeOf != "" && !slices.ContainsFunc(r.Notices, func(n Notice) bool { return n.Code == tt.noticeOf }) {
				t.Errorf("no %s notice in %+v", tt.noticeOf, r.Notices)
			}
		})
	}
}

// variant loads the GB/T standard with a textual edit, for the optional
// rules that are off by default.
func variant(t *testing.T, old, new string) *Standard {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(standardsDir, "gbt27922-2011.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("%q not in the standard", old)
	}
	std, err := LoadStandard([]byte(strings.Replace(string(data), old, new, 1)))
	if err != nil {
		t.Fatal(err)
	}
	return std
}

func TestBonus(t *testing.T) {
	off := gbt(t)
	on := variant(t, "enabled: false # one widely", "enabled: true # one widely")
	bonus := &Bonus{ID: "b1", Reason: "free lifetime hotline", Author: "qm"}
	tests := []struct {
		name   string
		std    *Standard
		lost   float64
		bonus  *Bonus
		total  float64
		band   string
		notice bool
	}{
		{"disabled by default", off, 6, bonus, 94, "four_star", true},
		{"enabled adds one", on, 6, bonus, 95, "five_star", false},
		{"never above 100", on, 0, bonus, 100, "five_star", false},
		{"no claim", on, 6, nil, 94, "four_star", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := lose(tt.std, fullInputs(tt.std, auditDay), tt.lost)
			in.Bonus = tt.bonus
			r := Score(tt.std, in, auditDay)
			if !near(r.Total, tt.total) || r.Band != tt.band {
				t.Errorf("total %v band %s, want %v %s", r.Total, r.Band, tt.total, tt.band)
			}
			if got := slices.ContainsFunc(r.Notices, func(n Notice) bool { return n.Code == "bonus_disabled" }); got != tt.notice {
				t.Errorf("bonus_disabled notice %v, want %v", got, tt.notice)
			}
		})
	}
}

func TestStarsAfterPass(t *testing.T) {
	std := variant(t, "enabled: false # disputed", "enabled: true # disputed")
	ago := func(months int) *time.Time { t := auditDay.AddDate(0, -months, 0); return &t }
	tests := []struct {
		name     string
		since    *time.Time
		band     string
		withheld bool
	}{
		{"never passed before", nil, "pass", true},
		{"passed 11 months ago", ago(11), "pass", true},
		{"passed exactly 12 months ago", ago(12), "five_star", false},
		{"passed 2 years ago", ago(24), "five_star", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := fullInputs(std, auditDay)
			in.PassedSince = tt.since
			r := Score(std, in, auditDay)
			if r.Band != tt.band || r.StarsWithheld != tt.withheld {
				t.Errorf("band %s withheld %v, want %s %v", r.Band, r.StarsWithheld, tt.band, tt.withheld)
			}
		})
	}
}

func TestLedgerRollsUpParents(t *testing.T) {
	std := gbt(t)
	in := fullInputs(std, auditDay)
	in.Measures["staff_qualified"] = Measure{Known: true, Numerator: 8, Denominator: 10}
	r := Score(std, in, auditDay)
	if len(r.Indicators) != len(std.Nodes()) {
		t.Fatalf("%d ledger lines for %d nodes", len(r.Indicators), len(std.Nodes()))
	}
	for i, n := range std.Nodes() {
		if r.Indicators[i].Clause != n.Clause {
			t.Fatalf("ledger line %d is %s, want %s", i, r.Indicators[i].Clause, n.Clause)
		}
	}
	staffing := mustIndicator(t, r, "5.1.2")
	if staffing.Leaf || staffing.Points != 9 || staffing.Max != 10 || staffing.Recoverable != 1 || staffing.State != StateComputed {
		t.Errorf("5.1.2 = %+v", staffing)
	}
	system := mustIndicator(t, r, "5.1")
	if system.Points != 39 || system.Level != 1 {
		t.Errorf("5.1 = %+v", system)
	}
	if r.Counts.Losing != 1 {
		t.Errorf("counts %+v", r.Counts)
	}
}

func TestScoreNeverPanics(t *testing.T) {
	std := gbt(t)
	nan := math.NaN()
	inf := math.Inf(1)
	weird := Inputs{
		Measures: map[string]Measure{
			"region_coverage":        {Known: true, Numerator: nan, Denominator: nan},
			"first_response_on_time": {Known: true, Numerator: inf, Denominator: inf},
			"staff_qualified":        {Known: true, Numerator: -1, Denominator: 10},
			"followup_within_3d":     {Known: true, Numerator: 1, Denominator: -1},
		},
		Documents:     map[string][]Document{"org_chart": {{}}, "": nil},
		Staffing:      Staffing{Known: true, ManagementHeadcount: -1, CertifiedManagers: -9},
		Assessments:   map[string]Assessment{"5.1.7.3": {Points: nan}, "": {}},
		NotApplicable: map[string]string{"": "", "5.2": "whole product service"},
		Overrides:     map[string]Override{"5.1.1.1": {Points: inf, Justification: "x"}, "5.1.1.2": {Points: -inf, Justification: "x"}},
		Deductions:    []Deduction{{}, {Clause: "nope"}},
		Bonus:         &Bonus{},
	}
	cases := []struct {
		name string
		std  *Standard
		in   Inputs
	}{
		{"nil standard", nil, weird},
		{"empty standard", &Standard{}, weird},
		{"hand-made standard with holes", &Standard{Indicators: []*Indicator{nil, {Clause: "x", Points: 100, Children: []*Indicator{nil}}, {Clause: "y", Points: 1, Rule: &Rule{Kind: "odd"}}}}, weird},
		{"weird inputs", std, weird},
		{"zero inputs", std, Inputs{}},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			r := Score(tt.std, tt.in, auditDay)
			if math.IsNaN(r.Total) || math.IsNaN(r.Range.High) || r.Total < 0 || r.Total > 100 {
				t.Errorf("total %v range %+v", r.Total, r.Range)
			}
			_ = Gaps(r)
			_ = CheapestPath(tt.std, tt.in, auditDay)
			_ = Project(tt.std, tt.in, auditDay, auditDay.AddDate(0, 3, 0), map[string]float64{"region_coverage": nan, "followup_within_3d": 0.1})
			_, _ = WhatIf(tt.std, tt.in, []Change{{Kind: ChangeCertifiedManagers, Amount: 2}}, auditDay)
		})
	}
}
