package readiness

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// standardsDir is where the shipped standards live, relative to this
// package.
const standardsDir = "../../../configs/standards"

func loadFile(t *testing.T, path string) *Standard {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	std, err := LoadStandard(data)
	if err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	return std
}

func gbt(t *testing.T) *Standard {
	t.Helper()
	return loadFile(t, filepath.Join(standardsDir, "gbt27922-2011.yaml"))
}

func TestShippedStandardsLoad(t *testing.T) {
	tests := []struct {
		file       string
		id         string
		firstLevel map[string]float64
		leaves     int
	}{
		{"gbt27922-2011.yaml", "gbt27922-2011", map[string]float64{"5.1": 40, "5.2": 35, "5.3": 25}, 44},
		{"sbt10401-2006.yaml", "sbt10401-2006", map[string]float64{"1": 10, "2": 15, "3": 15, "4": 10, "5": 15, "6": 15, "7": 10, "8": 10}, 18},
	}
	fingerprints := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			std := loadFile(t, filepath.Join(standardsDir, tt.file))
			if std.ID != tt.id {
				t.Errorf("id = %q, want %q", std.ID, tt.id)
			}
			if len(std.Indicators) != len(tt.firstLevel) {
				t.Fatalf("%d first-level indicators, want %d", len(std.Indicators), len(tt.firstLevel))
			}
			for _, ind := range std.Indicators {
				if want := tt.firstLevel[ind.Clause]; ind.Points != want {
					t.Errorf("%s points = %v, want %v", ind.Clause, ind.Points, want)
				}
			}
			if got := len(std.Leaves()); got != tt.leaves {
				t.Errorf("%d leaves, want %d", got, tt.leaves)
			}
			for _, leaf := range std.Leaves() {
				if leaf.Rule == nil {
					t.Errorf("leaf %s has no rule", leaf.Clause)
				}
			}
			if std.WindowMonths != 12 {
				t.Errorf("window = %d, want 12", std.WindowMonths)
			}
			sc := std.Scoring
			wantBands := []Band{{Code: "pass", Min: 70}, {Code: "three_star", Min: 80}, {Code: "four_star", Min: 90}, {Code: "five_star", Min: 95}}
			if len(sc.Bands) != len(wantBands) {
				t.Fatalf("bands = %v", sc.Bands)
			}
			for i, b := range wantBands {
				if sc.Bands[i].Code != b.Code || sc.Bands[i].Min != b.Min || sc.Bands[i].Name.Zh == "" {
					t.Errorf("band %d = %+v, want %s ≥ %v", i, sc.Bands[i], b.Code, b.Min)
				}
			}
			if sc.SpecialDeductions != (DeductionRule{PointsEach: 1, FailAt: 5}) {
				t.Errorf("special deductions = %+v", sc.SpecialDeductions)
			}
			if sc.Bonus != (BonusRule{Enabled: false, Points: 1, MaxCount: 1}) {
				t.Errorf("bonus = %+v", sc.Bonus)
			}
			if sc.StarsAfterPass.Enabled || sc.StarsAfterPass.Months != 12 {
				t.Errorf("stars after pass = %+v", sc.StarsAfterPass)
			}
			if sc.Effort[string(RuleDocument)] != 1 || sc.Effort[string(RuleRatio)] != 2 || sc.Effort[string(RuleMetric)] != 3 || sc.Effort[string(RuleSample)] != 3 {
				t.Errorf("effort = %v", sc.Effort)
			}
			fp := std.Fingerprint()
			if len(fp) != 64 || fingerprints[fp] {
				t.Errorf("fingerprint %q empty or shared", fp)
			}
			fingerprints[fp] = true
		})
	}
}

func TestGBT27922Tree(t *testing.T) {
	std := gbt(t)
	tests := []struct {
		clause    string
		points    float64
		inferred  bool
		deletable bool
		kind      RuleKind
	}{
		{"5.1.1", 6, true, false, ""},
		{"5.1.1.1", 3, true, false, RuleDocument},
		{"5.1.1.2", 3, true, false, RuleMetric},
		{"5.1.2", 10, true, false, ""},
		{"5.1.2.1", 5, true, false, RuleSample},
		{"5.1.2.2", 5, false, false, RuleRatio}, // the one sourced split
		{"5.1.3", 8, true, false, ""},
		{"5.1.4", 5, true, false, ""},
		{"5.1.5", 4, true, false, ""},
		{"5.1.6", 4, true, false, ""},
		{"5.1.7", 3, true, false, ""},
		{"5.1.7.3", 1, true, false, RuleManual},
		{"5.2.1", 5, true, false, ""},
		{"5.2.2", 6, true, false, ""},
		{"5.2.3", 6, true, false, ""},
		{"5.2.4", 8, true, false, ""},
		{"5.2.5", 7, true, false, ""},
		{"5.2.6", 3, true, true, RuleDocument},
		{"5.3.1", 13, true, false, ""},
		{"5.3.2", 12, true, false, ""},
	}
	for _, tt := range tests {
		ind, ok := std.Indicator(tt.clause)
		if !ok {
			t.Errorf("%s missing", tt.clause)
			continue
		}
		if ind.Points != tt.points || ind.Inferred != tt.inferred || ind.Deletable != tt.deletable {
			t.Errorf("%s = %v points inferred=%v deletable=%v, want %v %v %v", tt.clause, ind.Points, ind.Inferred, ind.Deletable, tt.points, tt.inferred, tt.deletable)
		}
		if tt.kind != "" && (ind.Rule == nil || ind.Rule.Kind != tt.kind) {
			t.Errorf("%s rule = %+v, want kind %s", tt.clause, ind.Rule, tt.kind)
		}
	}
	ratio, _ := std.Indicator("5.1.2.2")
	if r := ratio.Rule; r.Ratio != 0.10 || r.Minimum != 1 {
		t.Errorf("5.1.2.2 rule = %+v, want ratio 0.10 minimum 1", r)
	}
	if _, ok := std.Indicator("5.9"); ok {
		t.Error("found a clause that does not exist")
	}
	// Leaves come in document order.
	leaves := std.Leaves()
	if leaves[0].Clause != "5.1.1.1" || leaves[len(leaves)-1].Clause != "5.3.2.6" {
		t.Errorf("leaves from %s to %s", leaves[0].Clause, leaves[len(leaves)-1].Clause)
	}
	for i := 1; i < len(leaves); i++ {
		if !clauseLess(leaves[i-1].Clause, leaves[i].Clause) {
			t.Errorf("leaf %s before %s", leaves[i-1].Clause, leaves[i].Clause)
		}
	}
}

func TestMeasureRequests(t *testing.T) {
	std := gbt(t)
	reqs := std.MeasureRequests()
	byName := map[string]MeasureRequest{}
	for _, r := range reqs {
		byName[r.Measure] = r
		if _, ok := std.Measure(r.Measure); !ok {
			t.Errorf("request for undeclared measure %s", r.Measure)
		}
	}
	want := []string{
		"complaint_ack_within_limit", "followup_within_3d", "onsite_arrival_on_time", "repair_first_time_fix",
		"outlet_accept_on_time", "survey_response_rate", "survey_satisfaction", "return_within_legal_window",
		"recall_completion", "complaint_resolved_within_limit", "region_coverage", "customer_record_complete",
		"spare_parts_fill_rate", "first_response_on_time", "corrective_action_closed",
	}
	for _, m := range want {
		r, ok := byName[m]
		if !ok {
			t.Errorf("measure %s not requested", m)
			continue
		}
		if r.WindowMonths != 12 || len(r.Clauses) == 0 {
			t.Errorf("request %+v", r)
		}
	}
	if got := byName["region_coverage"].Clauses; len(got) != 1 || got[0] != "5.1.1.2" {
		t.Errorf("region_coverage clauses = %v", got)
	}
	if docs := std.DocumentTypesUsed(); len(docs) < 15 || docs[0] != "org_chart" {
		t.Errorf("document types used = %v", docs)
	}
}

func TestLoadBadFixture(t *testing.T) {
	data, err := os.ReadFile("testdata/bad-sum.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = LoadStandard(data)
	var verr *ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("err = %v, want *ValidationError", err)
	}
	const want = "standard gbt27922-2011: clause 5.1.2: children sum to 9, want 10"
	if err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
	if len(verr.Problems) != 1 || verr.Problems[0].Clause != "5.1.2" {
		t.Errorf("problems = %+v", verr.Problems)
	}
}

// miniStandard is a small valid standard the rejection cases mutate.
const miniStandard = `
id: mini
name: {zh: 小标准, en: Mini}
scoring:
  fail: {code: fail, name: {zh: 不达标, en: Fail}}
  bands:
    - {code: pass, min: 70, name: {zh: 达标, en: Compliant}}
    - {code: three_star, min: 80, name: {zh: 三星, en: Three stars}}
  special_deductions: {points_each: 1, fail_at: 5}
measures:
  - {name: followup_within_3d, label: {zh: 回访, en: Follow-up}, numerator: n, denominator: d}
document_types:
  - {type: org_chart, label: {zh: 组织架构图, en: Org chart}}
indicators:
  - clause: "1"
    name: {zh: 体系, en: System}
    points: 60
    children:
      - clause: "1.1"
        name: {zh: 组织, en: Organisation}
        points: 30
        rule: {kind: document, document_type: org_chart}
      - clause: "1.2"
        name: {zh: 管理师, en: Managers}
        points: 30
        rule: {kind: ratio, ratio: 0.1, minimum: 1}
  - clause: "2"
    name: {zh: 服务, en: Service}
    points: 40
    children:
      - clause: "2.1"
        name: {zh: 回访, en: Follow-up}
        points: 25
        inferred: true
        rule: {kind: metric, scoring: graded, measure: followup_within_3d, target: 0.95, floor: 0.6}
      - clause: "2.2"
        name: {zh: 意识, en: Awareness}
        points: 15
        rule: {kind: manual}
`

func TestLoadStandardRejects(t *testing.T) {
	if _, err := LoadStandard([]byte(miniStandard)); err != nil {
		t.Fatalf("mini standard: %v", err)
	}
	tests := []struct {
		name     string
		old, new string
		want     string
	}{
		{"children sum", "points: 25\n", "points: 24\n", "standard mini: clause 2: children sum to 39, want 40"},
		{"first level sum", "    points: 60\n    children:\n      - clause: \"1.1\"\n        name: {zh: 组织, en: Organisation}\n        points: 30", "    points: 61\n    children:\n      - clause: \"1.1\"\n        name: {zh: 组织, en: Organisation}\n        points: 31", "standard mini: indicators: first-level indicators sum to 101, want 100"},
		{"duplicate clause", `clause: "2.2"`, `clause: "2.1"`, "clause 2.1: clause is used twice"},
		{"not numbered under parent", `clause: "2.2"`, `clause: "3.2"`, "clause 3.2: is not numbered under its parent 2"},
		{"unknown kind", "{kind: manual}", "{kind: vibes}", `clause 2.2: unknown rule kind "vibes"`},
		{"target not above floor", "target: 0.95, floor: 0.6", "target: 0.6, floor: 0.6", "clause 2.1: target 0.6 must be above floor 0.6"},
		{"target above 1", "target: 0.95", "target: 95", "clause 2.1: target 95 is outside [0, 1]"},
		{"missing floor", ", floor: 0.6", "", "clause 2.1: rule metric needs floor"},
		{"ratio zero", "ratio: 0.1", "ratio: 0", "clause 1.2: ratio 0 is outside (0, 1]"},
		{"ratio above 1", "ratio: 0.1", "ratio: 1.5", "clause 1.2: ratio 1.5 is outside (0, 1]"},
		{"ratio without minimum", "ratio: 0.1, minimum: 1", "ratio: 0.1", "clause 1.2: rule ratio needs minimum"},
		{"misplaced parameter", "document_type: org_chart}", "document_type: org_chart, target: 0.9}", "clause 1.1: rule document does not take target"},
		{"undeclared measure", "measure: followup_within_3d, target", "measure: follow_up, target", `clause 2.1: measure "follow_up" is not declared under measures`},
		{"undeclared document type", "document_type: org_chart}", "document_type: org_charts}", `clause 1.1: document type "org_charts" is not declared`},
		{"bad if_empty", "floor: 0.6}", "floor: 0.6, if_empty: maybe}", `clause 2.1: if_empty "maybe" is not one of`},
		{"leaf without rule", "        rule: {kind: manual}\n", "", "clause 2.2: a leaf needs a rule"},
		// Defect 1: full points for an empty window is never a rule.
		{"if_empty full refused", "floor: 0.6}", "floor: 0.6, if_empty: full}", "clause 2.1: if_empty: full is refused"},
		{"judged on an undeclared document", "floor: 0.6}", "floor: 0.6, if_empty: {judge_by: document, type: nope}}", `clause 2.1: if_empty: document type "nope" is not declared`},
		{"judged by something else", "floor: 0.6}", "floor: 0.6, if_empty: {judge_by: vibes, type: org_chart}}", `clause 2.1: if_empty judge_by "vibes" is not document`},
		// Defect 4: scoring modes.
		{"floor without graded", "scoring: graded, ", "", "clause 2.1: floor applies only to scoring graded"},
		{"graded must be marked inferred", "        points: 25\n        inferred: true\n", "        points: 25\n", "clause 2.1: scoring graded is a reconstruction"},
		{"a mode the kind does not take", "{kind: document, document_type: org_chart}", "{kind: document, scoring: proportional, document_type: org_chart}", `clause 1.1: scoring "proportional" is not one of all_or_nothing for rule document`},
		{"an unknown mode", "{kind: manual}", "{kind: manual, scoring: generous}", `clause 2.2: scoring "generous" is not one of`},
		{"parent with rule", "    points: 40\n    children:", "    points: 40\n    rule: {kind: manual}\n    children:", "clause 2: has children and a rule"},
		{"bands not ascending", "min: 80", "min: 60", `band "three_star" min 60 is not above "pass" min 70`},
		{"unknown key", "points: 15", "pionts: 15", "field pionts not found"},
		{"no deduction rule", "  special_deductions: {points_each: 1, fail_at: 5}\n", "", "scoring.special_deductions: is required"},
		{"fail gate zero", "fail_at: 5", "fail_at: 0", "fail_at must be at least 1"},
		{"zero points", "points: 15", "points: 0", "clause 2.2: points must be positive, got 0"},
		{"name without en", "{zh: 意识, en: Awareness}", "{zh: 意识}", "clause 2.2: name needs zh and en"},
		{"unknown effort key", "  special_deductions:", "  effort: {luck: 1}\n  special_deductions:", `scoring.effort: unknown key "luck"`},
		{"missing id", "id: mini", "", "id: is required"},
		{"not yaml", "indicators:", "indicators: [", "parse:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(miniStandard, tt.old) {
				t.Fatalf("case does not apply: %q not in the mini standard", tt.old)
			}
			data := strings.Replace(miniStandard, tt.old, tt.new, 1)
			std, err := LoadStandard([]byte(data))
			if err == nil {
				t.Fatalf("loaded %v, want error containing %q", std.ID, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %q\nwant it to contain %q", err, tt.want)
			}
		})
	}
	for _, empty := range []string{"", "   \n"} {
		if _, err := LoadStandard([]byte(empty)); err == nil {
			t.Errorf("empty file %q loaded", empty)
		}
	}
}

func TestLoadStandardSharedMeasureNeedsOneWindow(t *testing.T) {
	data := strings.Replace(miniStandard, "        rule: {kind: manual}", "        rule: {kind: metric, measure: followup_within_3d, target: 0.9, floor: 0.5, window_months: 6}", 1)
	_, err := LoadStandard([]byte(data))
	if err == nil || !strings.Contains(err.Error(), `clause 2.2: measure "followup_within_3d" is used with window 12 months elsewhere, here 6`) {
		t.Errorf("err = %v", err)
	}
}

func TestFingerprint(t *testing.T) {
	base, err := LoadStandard([]byte(miniStandard))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data string
		same bool
	}{
		{"comments and spacing", "# a comment\n" + strings.ReplaceAll(miniStandard, "points: 15", "points:    15   # manual"), true},
		{"flow versus block style", strings.Replace(miniStandard, "{kind: manual}", "\n          kind: manual", 1), true},
		{"explicit default window", strings.Replace(miniStandard, "id: mini", "id: mini\nwindow_months: 12", 1), true},
		{"a target moves", strings.Replace(miniStandard, "target: 0.95", "target: 0.9", 1), false},
		{"a name changes", strings.Replace(miniStandard, "en: Awareness", "en: Service awareness", 1), false},
		{"the window changes", strings.Replace(miniStandard, "id: mini", "id: mini\nwindow_months: 24", 1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			other, err := LoadStandard([]byte(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			if got := other.Fingerprint() == base.Fingerprint(); got != tt.same {
				t.Errorf("same fingerprint = %v, want %v", got, tt.same)
			}
		})
	}
	if first, second := base.Fingerprint(), base.Fingerprint(); first != second {
		t.Error("fingerprint is not stable")
	}
}

func TestFormatPoints(t *testing.T) {
	for v, want := range map[float64]string{9: "9", 9.5: "9.5", 0.1 + 0.2: "0.3", 96.90721649484536: "96.907216", math.Inf(1): "+Inf"} {
		if got := formatPoints(v); got != want {
			t.Errorf("formatPoints(%v) = %q, want %q", v, got, want)
		}
	}
}

// FuzzLoadStandard checks that no file, however broken, makes the loader
// panic, and that whatever loads is internally consistent. Plain `go test`
// runs the seeds only.
func FuzzLoadStandard(f *testing.F) {
	f.Add([]byte(miniStandard))
	if data, err := os.ReadFile("testdata/bad-sum.yaml"); err == nil {
		f.Add(data)
	}
	f.Add([]byte("indicators: [{clause: '1', points: 100, children: [{clause: '1.1', points: 100}]}]"))
	f.Add([]byte("{{{"))
	f.Add([]byte("id: x\nindicators: &a [*a]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		std, err := LoadStandard(data)
		if err != nil {
			return
		}
		var total float64
		for _, ind := range std.Indicators {
			total += ind.Points
		}
		if math.Abs(total-100) > pointsTolerance {
			t.Errorf("loaded a standard summing to %v", total)
		}
		_ = Score(std, Inputs{}, auditDay)
	})
}
