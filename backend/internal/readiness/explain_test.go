package readiness

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// Losses a consultant would recognise, each real data rather than an
// override, on top of fullInputs.
const (
	lossRatio       = "ratio"       // 5.1.2.2: 1 certified manager for 20 staff, 5 points (ratio)
	lossResponse    = "response"    // 5.2.2.1: 50% first response on time, 4 points (metric)
	lossOrgChart    = "org_chart"   // 5.1.1.1: no org chart, 3 points (document)
	lossSupervision = "supervision" // 5.1.5.1 + 5.1.5.2: no body, no report, 2 + 2 points (documents)
	lossFollowup    = "followup"    // 5.3.1.5: follow-up measure not gathered, 3 points unknown
)

func withLosses(std *Standard, losses ...string) Inputs {
	in := fullInputs(std, auditDay)
	for _, l := range losses {
		switch l {
		case lossRatio:
			in.Staffing = Staffing{Known: true, ManagementHeadcount: 20, CertifiedManagers: 1}
		case lossResponse:
			in.Measures["first_response_on_time"] = Measure{Known: true, Numerator: 50, Denominator: 100, RecordIDs: []string{"ticket:17", "ticket:23"}}
		case lossOrgChart:
			delete(in.Documents, "org_chart")
		case lossSupervision:
			delete(in.Documents, "supervision_body")
			delete(in.Documents, "supervision_report")
		case lossFollowup:
			delete(in.Measures, "followup_within_3d")
		}
	}
	return in
}

func fixClauses(p Path) []string {
	var out []string
	for _, f := range p.Fixes {
		if f.Clause != "" {
			out = append(out, f.Clause)
		} else {
			out = append(out, "deduction:"+f.DeductionID)
		}
	}
	return out
}

func TestGaps(t *testing.T) {
	std := gbt(t)
	in := withLosses(std, lossRatio, lossResponse, lossOrgChart, lossSupervision, lossFollowup)
	r := Score(std, in, auditDay)
	gaps := Gaps(r)
	want := []struct {
		clause      string
		recoverable float64
		state       State
	}{
		{"5.1.2.2", 5, StateComputed},
		{"5.2.2.1", 4, StateComputed},
		{"5.1.1.1", 3, StateComputed},
		{"5.3.1.5", 3, StateUnknown},
		{"5.1.5.1", 2, StateComputed},
		{"5.1.5.2", 2, StateComputed},
	}
	if len(gaps) != len(want) {
		t.Fatalf("%d gaps, want %d: %+v", len(gaps), len(want), gaps)
	}
	for i, w := range want {
		g := gaps[i]
		if g.Clause != w.clause || !near(g.Recoverable, w.recoverable) || g.State != w.state {
			t.Errorf("gap %d = %s %v %s, want %s %v %s", i, g.Clause, g.Recoverable, g.State, w.clause, w.recoverable, w.state)
		}
		if !near(g.ScoreGain, w.recoverable) { // applicable total is 100
			t.Errorf("%s score gain %v", g.Clause, g.ScoreGain)
		}
		if g.Reason.Zh == "" || g.Reason.En == "" || g.Action.Zh == "" || g.Action.En == "" {
			t.Errorf("%s lacks words: %+v / %+v", g.Clause, g.Reason, g.Action)
		}
	}
	if !slices.Equal(gaps[1].RecordIDs, []string{"ticket:17", "ticket:23"}) {
		t.Errorf("records %v", gaps[1].RecordIDs)
	}
	if !strings.Contains(gaps[1].Reason.En, "50.0%") || !strings.Contains(gaps[1].Action.En, "45 more conforming of 100") {
		t.Errorf("metric words: %q / %q", gaps[1].Reason.En, gaps[1].Action.En)
	}
	if !strings.Contains(gaps[0].Action.En, "certify 1 more") {
		t.Errorf("ratio action %q", gaps[0].Action.En)
	}
	if len(Gaps(Score(std, fullInputs(std, auditDay), auditDay))) != 0 {
		t.Error("a perfect result has gaps")
	}
}

func TestCheapestPath(t *testing.T) {
	std := gbt(t)
	fiveDeductions := func() []Deduction {
		var ds []Deduction
		for _, id := range []string{"d1", "d2", "d3", "d4", "d5"} {
			ds = append(ds, Deduction{ID: id, Reason: "repair record falsified"})
		}
		return ds
	}
	tests := []struct {
		name      string
		losses    []string
		deduct    []Deduction
		target    string // empty: next band
		before    float64
		reachable bool
		fixes     []string
		effort    float64
		after     float64
		afterBand string
	}{
		{"one cheap document is enough", []string{lossRatio, lossResponse, lossOrgChart}, nil, "", 88, true,
			[]string{"5.1.1.1"}, 1, 91, "four_star"},
		{"two fixes, the cheapest pair", []string{lossRatio, lossResponse, lossOrgChart, lossSupervision}, nil, "", 84, true,
			[]string{"5.1.1.1", "5.1.2.2"}, 3, 92, "four_star"},
		{"fewest fixes beat cheaper ones", []string{lossResponse, lossSupervision}, nil, "", 92, true,
			[]string{"5.2.2.1"}, 3, 96, "five_star"},
		{"to a chosen band", []string{lossRatio, lossResponse, lossOrgChart, lossSupervision}, nil, "five_star", 84, true,
			[]string{"5.1.1.1", "5.1.2.2", "5.2.2.1"}, 6, 96, "five_star"},
		{"unknown data counts as a fix", []string{lossFollowup, lossSupervision}, []Deduction{{ID: "d1", Reason: "price list not shown"}}, "", 92, true,
			[]string{"5.3.1.5"}, 3, 95, "five_star"},
		{"the deduction gate needs one correction", nil, fiveDeductions(), "", 95, true,
			[]string{"deduction:d1"}, 2, 96, "five_star"},
		{"already at the top", nil, nil, "", 100, false, nil, 0, 100, "five_star"},
		{"unknown band", []string{lossOrgChart}, nil, "six_star", 97, false, nil, 0, 97, "five_star"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := withLosses(std, tt.losses...)
			in.Deductions = tt.deduct
			snapshot := cloneInputs(in)
			var p Path
			if tt.target == "" {
				p = CheapestPath(std, in, auditDay)
			} else {
				p = CheapestPathTo(std, in, auditDay, tt.target)
			}
			if !near(p.Before, tt.before) || p.Reachable != tt.reachable || !slices.Equal(fixClauses(p), tt.fixes) || !near(p.Effort, tt.effort) {
				t.Errorf("path %v→%s reachable %v fixes %v effort %v; want %v reachable %v fixes %v effort %v (%s)",
					p.Before, p.Target, p.Reachable, fixClauses(p), p.Effort, tt.before, tt.reachable, tt.fixes, tt.effort, p.Reason.En)
			}
			if !near(p.After, tt.after) || p.AfterBand != tt.afterBand {
				t.Errorf("after %v %s, want %v %s", p.After, p.AfterBand, tt.after, tt.afterBand)
			}
			if !tt.reachable && p.Reason.En == "" {
				t.Error("unreachable without a reason")
			}
			// Agreement with a recomputation, and nothing leaked.
			if tt.reachable {
				again := Score(std, ApplyFixes(std, in, p.Fixes, auditDay), auditDay)
				if again.Total != p.After || again.Band != p.AfterBand || !p.Verified {
					t.Errorf("recomputed %v %s, path says %v %s verified %v", again.Total, again.Band, p.After, p.AfterBand, p.Verified)
				}
			}
			if !reflect.DeepEqual(in, snapshot) {
				t.Error("CheapestPath changed its inputs")
			}
		})
	}
}

func TestCheapestPathIsMinimalByBruteForce(t *testing.T) {
	std := gbt(t)
	for _, target := range []string{"four_star", "five_star"} {
		in := withLosses(std, lossRatio, lossResponse, lossOrgChart, lossSupervision)
		p := CheapestPathTo(std, in, auditDay, target)
		if !p.Reachable {
			t.Fatalf("%s unreachable: %s", target, p.Reason.En)
		}
		base := Score(std, in, auditDay)
		cands := Gaps(base)
		bestN, bestEffort := math.MaxInt, math.Inf(1)
		for mask := 1; mask < 1<<len(cands); mask++ {
			var fixes []Fix
			effort := 0.0
			for i, g := range cands {
				if mask&(1<<i) != 0 {
					fixes = append(fixes, Fix{Clause: g.Clause, Kind: string(g.Kind)})
					effort += std.Scoring.Effort[string(g.Kind)]
				}
			}
			r := Score(std, ApplyFixes(std, in, fixes, auditDay), auditDay)
			reached, _ := std.Band(r.Band)
			if want, _ := std.Band(target); r.Failed || reached.Min < want.Min {
				continue
			}
			if len(fixes) < bestN || (len(fixes) == bestN && effort < bestEffort) {
				bestN, bestEffort = len(fixes), effort
			}
		}
		if len(p.Fixes) != bestN || !near(p.Effort, bestEffort) {
			t.Errorf("%s: path has %d fixes effort %v, brute force %d effort %v", target, len(p.Fixes), p.Effort, bestN, bestEffort)
		}
	}
}

func TestChooseFixesMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(27922, 2011))
	kinds := []string{"document", "ratio", "metric", "sample", "manual", EffortDeduction}
	weights := defaultEffort()
	for round := 0; round < 300; round++ {
		n := 1 + rng.IntN(9)
		var cands []Fix
		deductions := 0
		for i := 0; i < n; i++ {
			k := kinds[rng.IntN(len(kinds))]
			gain := float64(1+rng.IntN(10)) / 2
			if k == EffortDeduction {
				deductions++
				gain = 1
			}
			cands = append(cands, Fix{Clause: string(rune('a' + i)), Kind: k, Gain: gain, Effort: weights[k]})
		}
		need := float64(rng.IntN(30)) / 2
		must := 0
		if deductions > 0 {
			must = rng.IntN(deductions + 1)
		}
		got, ok := chooseFixes(cands, need, must)
		bestN, bestEffort, found := math.MaxInt, math.Inf(1), false
		for mask := 0; mask < 1<<n; mask++ {
			var gain, effort float64
			count, ded := 0, 0
			for i, c := range cands {
				if mask&(1<<i) != 0 {
					gain += c.Gain
					effort += c.Effort
					count++
					if c.Kind == EffortDeduction {
						ded++
					}
				}
			}
			if ded < must || gain < need-scoreEpsilon {
				continue
			}
			found = true
			if count < bestN || (count == bestN && effort < bestEffort-1e-9) {
				bestN, bestEffort = count, effort
			}
		}
		if ok != found {
			t.Fatalf("round %d: ok %v, brute force found %v (need %v, must %d, %+v)", round, ok, found, need, must, cands)
		}
		if !ok {
			continue
		}
		var gain, effort float64
		for _, f := range got {
			gain += f.Gain
			effort += f.Effort
		}
		if len(got) != bestN || !near(effort, bestEffort) || gain < need-scoreEpsilon {
			t.Fatalf("round %d: got %d fixes effort %v gain %v; brute force %d effort %v (need %v)", round, len(got), effort, gain, bestN, bestEffort, need)
		}
	}
}

func TestCheapestPathWithheldStars(t *testing.T) {
	std := variant(t, "enabled: false # disputed", "enabled: true # disputed")
	in := withLosses(std, lossOrgChart)
	p := CheapestPath(std, in, auditDay)
	if p.From != "pass" || p.Target != "three_star" || p.Reachable || !strings.Contains(p.Reason.En, "12 months") {
		t.Errorf("path %+v", p)
	}
}

func TestWhatIf(t *testing.T) {
	std := gbt(t)
	base := withLosses(std, lossRatio, lossResponse, lossOrgChart, lossSupervision) // 84, three stars
	base.Deductions = []Deduction{{ID: "d1", Clause: "5.3.2", Reason: "complaint unanswered for a week"}}
	// 84 − 1 = 83 before any change.
	tests := []struct {
		name    string
		changes []string
		total   float64
		band    string
		moved   []string // leaves expected among the changes
	}{
		{"certify one more manager", []string{"certified_managers +1"}, 88, "three_star", []string{"5.1.2.2"}},
		{"headcount drops to 10", []string{"management_headcount 10"}, 88, "three_star", []string{"5.1.2.2"}},
		{"response rate to 98%", []string{"measure first_response_on_time value 0.98"}, 87, "three_star", []string{"5.2.2.1"}},
		// All or nothing: 77.5% is still short of the 95% target.
		{"response counts 155 of 200", []string{"measure first_response_on_time 155/200"}, 83, "three_star", []string{"5.2.2.1"}},
		{"org chart approved now for a year", []string{"document org_chart approved effective now expiring in 1y"}, 86, "three_star", []string{"5.1.1.1"}},
		{"org chart still a draft", []string{"document org_chart draft"}, 83, "three_star", []string{"5.1.1.1"}},
		{"take-back not applicable", []string{"mark 5.2.6 n/a no take-back duty for this category"}, Round2(81.0/97*100 - 1), "three_star", []string{"5.2.6"}},
		{"another deduction", []string{"add deduction 5.3.2 complaint escalated to 12315"}, 82, "three_star", nil},
		{"deduction corrected", []string{"remove deduction d1"}, 84, "three_star", nil},
		{"several at once reach four stars", []string{"certified_managers +1", "document org_chart approved effective now"}, 91, "four_star", []string{"5.1.2.2", "5.1.1.1"}},
		{"assessment lowered", []string{"assess 5.1.7.3 0 nobody knew the commitment"}, 82, "three_star", []string{"5.1.7.3"}},
		{"override", []string{"override 5.1.5.1 2 body appointed, minutes pending"}, 85, "three_star", []string{"5.1.5.1"}},
		{"remove a document", []string{"remove document faq"}, 81, "three_star", []string{"5.2.2.2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snapshot := cloneInputs(base)
			var changes []Change
			for _, text := range tt.changes {
				c, err := ParseChange(text, auditDay)
				if err != nil {
					t.Fatal(err)
				}
				changes = append(changes, c)
			}
			w, err := WhatIf(std, base, changes, auditDay)
			if err != nil {
				t.Fatal(err)
			}
			if !near(w.Before.Total, 83) {
				t.Errorf("before %v", w.Before.Total)
			}
			if !near(w.After.Total, tt.total) || w.After.Band != tt.band {
				t.Errorf("after %v %s, want %v %s", w.After.Total, w.After.Band, tt.total, tt.band)
			}
			// Agreement with a recomputation from the hypothetical inputs.
			if again := Score(std, w.Inputs, auditDay); again.Total != w.After.Total {
				t.Errorf("recomputed %v, what-if %v", again.Total, w.After.Total)
			}
			for _, c := range tt.moved {
				if !slices.ContainsFunc(w.Changes, func(ch IndicatorChange) bool { return ch.Clause == c }) {
					t.Errorf("%s not among the changes %+v", c, w.Changes)
				}
			}
			if !reflect.DeepEqual(base, snapshot) {
				t.Error("WhatIf changed its inputs")
			}
		})
	}
}

func TestWhatIfRefusesBadChanges(t *testing.T) {
	std := gbt(t)
	in := fullInputs(std, auditDay)
	tests := []struct {
		change Change
		want   string
	}{
		{Change{Kind: ChangeMeasureValue, Measure: "happiness", Value: 0.9}, `unknown measure "happiness"`},
		{Change{Kind: ChangeMeasureValue, Measure: "followup_within_3d", Value: 1.2}, "outside [0, 1]"},
		{Change{Kind: ChangeMeasureCounts, Measure: "followup_within_3d", Numerator: 5, Denominator: 4}, "inconsistent"},
		{Change{Kind: ChangeNotApplicable, Clause: "5.1.1.1"}, "may not be deleted"},
		{Change{Kind: ChangeNotApplicable, Clause: "9.9"}, `unknown clause "9.9"`},
		{Change{Kind: ChangeRemoveDeduction, DeductionID: "nope"}, `no deduction "nope"`},
		{Change{Kind: "teleport"}, `unknown change kind "teleport"`},
	}
	for _, tt := range tests {
		if _, err := WhatIf(std, in, []Change{tt.change}, auditDay); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: err %v, want %q", tt.change, err, tt.want)
		}
	}
}

// TestWhatIfAgreesWithCheapestPath replays the cheapest path as what-if
// changes a person would type, and checks both land on the same score.
func TestWhatIfAgreesWithCheapestPath(t *testing.T) {
	std := gbt(t)
	in := withLosses(std, lossRatio, lossResponse, lossOrgChart, lossSupervision)
	p := CheapestPathTo(std, in, auditDay, "five_star")
	var changes []Change
	for _, f := range p.Fixes {
		ind, _ := std.Indicator(f.Clause)
		switch ind.Rule.Kind {
		case RuleRatio:
			changes = append(changes, Change{Kind: ChangeCertifiedManagers, Amount: 1, Relative: true})
		case RuleMetric:
			changes = append(changes, Change{Kind: ChangeMeasureValue, Measure: ind.Rule.Measure, Value: ind.Rule.Target})
		case RuleDocument:
			changes = append(changes, Change{Kind: ChangeAddDocument, Document: Document{Type: ind.Rule.DocumentType, Approved: true}})
		default:
			t.Fatalf("unexpected fix kind %s", ind.Rule.Kind)
		}
	}
	w, err := WhatIf(std, in, changes, auditDay)
	if err != nil {
		t.Fatal(err)
	}
	if !near(w.After.Total, p.After) || w.After.Band != p.AfterBand || w.After.Band != "five_star" {
		t.Errorf("what-if %v %s, path %v %s", w.After.Total, w.After.Band, p.After, p.AfterBand)
	}
	fixed := map[string]bool{}
	for _, f := range p.Fixes {
		fixed[f.Clause] = true
	}
	for _, c := range w.Changes {
		if c.Leaf && !fixed[c.Clause] {
			t.Errorf("what-if moved %s, not on the path", c.Clause)
		}
	}
}

func TestParseChange(t *testing.T) {
	year := auditDay.AddDate(1, 0, 0)
	march := time.Date(2025, 3, 1, 0, 0, 0, 0, cst)
	tests := []struct {
		text string
		want Change
		err  string
	}{
		{"certified_managers +3", Change{Kind: ChangeCertifiedManagers, Amount: 3, Relative: true}, ""},
		{"certified_managers 5", Change{Kind: ChangeCertifiedManagers, Amount: 5}, ""},
		{"management_headcount -2", Change{Kind: ChangeManagementHeadcount, Amount: -2, Relative: true}, ""},
		{"measure survey_satisfaction value 0.98", Change{Kind: ChangeMeasureValue, Measure: "survey_satisfaction", Value: 0.98}, ""},
		{"measure survey_satisfaction value 98%", Change{Kind: ChangeMeasureValue, Measure: "survey_satisfaction", Value: 0.98}, ""},
		{"measure recall_completion 45/50", Change{Kind: ChangeMeasureCounts, Measure: "recall_completion", Numerator: 45, Denominator: 50}, ""},
		{"document service_fund approved effective now expiring in 1y", Change{Kind: ChangeAddDocument, DocumentType: "service_fund",
			Document: Document{Type: "service_fund", Approved: true, EffectiveAt: auditDay, ExpiresAt: &year}}, ""},
		{"document crisis_drill effective 2025-03-01 no expiry", Change{Kind: ChangeAddDocument, DocumentType: "crisis_drill",
			Document: Document{Type: "crisis_drill", Approved: true, EffectiveAt: march}}, ""},
		{"remove document faq doc-9", Change{Kind: ChangeRemoveDocument, DocumentType: "faq", DocumentID: "doc-9"}, ""},
		{"mark 5.2.6 N/A no take-back duty", Change{Kind: ChangeNotApplicable, Clause: "5.2.6", Justification: "no take-back duty"}, ""},
		{"unmark 5.2.6", Change{Kind: ChangeApplicable, Clause: "5.2.6"}, ""},
		{"add deduction 5.3.2 late reply", Change{Kind: ChangeAddDeduction, Deduction: Deduction{Clause: "5.3.2", Reason: "late reply"}}, ""},
		{"add deduction price list not shown", Change{Kind: ChangeAddDeduction, Deduction: Deduction{Reason: "price list not shown"}}, ""},
		{"remove deduction d1", Change{Kind: ChangeRemoveDeduction, DeductionID: "d1"}, ""},
		{"assess 5.1.7.3 0.5 half the staff", Change{Kind: ChangeAssessment, Clause: "5.1.7.3", Points: 0.5, Justification: "half the staff"}, ""},
		{"override 5.1.1.2 2 partner outlets", Change{Kind: ChangeOverride, Clause: "5.1.1.2", Points: 2, Justification: "partner outlets"}, ""},
		{"clear override 5.1.1.2", Change{Kind: ChangeClearOverride, Clause: "5.1.1.2"}, ""},
		{"bonus lifetime hotline", Change{Kind: ChangeBonus, Justification: "lifetime hotline"}, ""},
		{"no bonus", Change{Kind: ChangeClearBonus}, ""},
		{"", Change{}, "empty"},
		{"certified_managers many", Change{}, "not a whole number"},
		{"measure x value 1.5", Change{}, "outside [0, 1]"},
		{"document faq expiring in soon", Change{}, "not a duration"},
		{"document faq effective yesterday", Change{}, "not a date"},
		{"fly to the moon", Change{}, "unknown change"},
	}
	for _, tt := range tests {
		got, err := ParseChange(tt.text, auditDay)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: err %v, want %q", tt.text, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.text, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q:\n got %+v\nwant %+v", tt.text, got, tt.want)
		}
	}
}

func TestDiff(t *testing.T) {
	std := gbt(t)
	a := Score(std, fullInputs(std, auditDay), auditDay)
	in := fullInputs(std, auditDay)
	yesterday := auditDay.AddDate(0, 0, -1)
	in.Documents["org_chart"][0].ExpiresAt = &yesterday
	in.Measures["followup_within_3d"] = Measure{Known: true, Numerator: 80, Denominator: 100}
	delete(in.Measures, "survey_response_rate")
	b := Score(std, in, auditDay)

	changes := Diff(a, b)
	byClause := map[string]IndicatorChange{}
	var order []string
	for _, c := range changes {
		byClause[c.Clause] = c
		order = append(order, c.Clause)
	}
	wantOrder := []string{"5.1", "5.1.1", "5.1.1.1", "5.3", "5.3.1", "5.3.1.3", "5.3.1.5"}
	if !slices.Equal(order, wantOrder) {
		t.Fatalf("changed %v, want %v", order, wantOrder)
	}
	tests := []struct {
		clause          string
		before, after   float64
		stateAfter      State
		added, removed  []string
		valueChanged    bool
		vBefore, vAfter float64
		why             string
	}{
		{"5.1.1.1", 3, 0, StateComputed, []string{ReasonDocumentExpired}, []string{ReasonDocumentValid}, false, 0, 0, "expired on 2025-06-29"},
		{"5.1.1", 6, 3, StateComputed, nil, nil, false, 0, 0, "sum of its sub-indicators"},
		{"5.3.1.5", 3, 0, StateComputed, []string{ReasonBelowTarget}, []string{ReasonTargetMet}, true, 1, 0.8, "value 100.0% → 80.0%"},
		{"5.3.1.3", 2, 0, StateUnknown, []string{ReasonMeasureMissing}, []string{ReasonTargetMet}, true, 1, 0, "state computed → unknown"},
		{"5.3", 25, 20, StateUnknown, nil, nil, false, 0, 0, "25 → 20 points"},
	}
	for _, tt := range tests {
		c := byClause[tt.clause]
		if !near(c.PointsBefore, tt.before) || !near(c.PointsAfter, tt.after) || !near(c.Delta, tt.after-tt.before) || c.StateAfter != tt.stateAfter {
			t.Errorf("%s = %v → %v (%s), want %v → %v (%s)", tt.clause, c.PointsBefore, c.PointsAfter, c.StateAfter, tt.before, tt.after, tt.stateAfter)
		}
		if !slices.Equal(c.ReasonsAdded, tt.added) || !slices.Equal(c.ReasonsRemoved, tt.removed) {
			t.Errorf("%s reasons +%v −%v, want +%v −%v", tt.clause, c.ReasonsAdded, c.ReasonsRemoved, tt.added, tt.removed)
		}
		if c.ValueChanged != tt.valueChanged || (tt.valueChanged && (!near(c.ValueBefore, tt.vBefore) || !near(c.ValueAfter, tt.vAfter))) {
			t.Errorf("%s value %v → %v (%v)", tt.clause, c.ValueBefore, c.ValueAfter, c.ValueChanged)
		}
		if !strings.Contains(c.Why.En, tt.why) || c.Why.Zh == "" {
			t.Errorf("%s why %q, want it to mention %q", tt.clause, c.Why.En, tt.why)
		}
	}
	if len(Diff(a, a)) != 0 {
		t.Error("a result differs from itself")
	}
}

func TestProject(t *testing.T) {
	std := gbt(t)
	audit := auditDay.AddDate(0, 3, 0)
	at := func(months int) *time.Time { t := auditDay.AddDate(0, months, 0); return &t }
	tests := []struct {
		name      string
		edit      func(in *Inputs)
		trends    map[string]float64
		steady    float64
		projected float64
		low, high float64
		events    []string
	}{
		{"org chart expires before the audit", func(in *Inputs) { in.Documents["org_chart"][0].ExpiresAt = at(2) },
			nil, 97, 97, 97, 97, []string{EventDocumentLapses}},
		{"org chart expires after the audit", func(in *Inputs) { in.Documents["org_chart"][0].ExpiresAt = at(4) },
			nil, 100, 100, 100, 100, nil},
		{"org chart expires on the audit day", func(in *Inputs) { in.Documents["org_chart"][0].ExpiresAt = at(3) },
			nil, 97, 97, 97, 97, []string{EventDocumentLapses}},
		{"renewal takes effect before the audit", func(in *Inputs) {
			in.Documents["org_chart"][0].ExpiresAt = at(2)
			in.Documents["org_chart"] = append(in.Documents["org_chart"], Document{ID: "oc-2", Title: "org chart 2025H2", EffectiveAt: *at(2), Approved: true})
		}, nil, 100, 100, 100, 100, []string{EventDocumentLapses, EventDocumentTakesEffect}},
		{"fund grows too old", func(in *Inputs) { in.Documents["service_fund"][0].EffectiveAt = *at(-10) },
			nil, 97, 97, 97, 97, []string{EventDocumentLapses}},
		{"a certificate lapses", func(in *Inputs) {
			in.Staffing.CertifiedExpiring = []Certificate{{HolderID: "7", Holder: "王芳", ExpiresAt: *at(1)}}
		}, nil, 95, 95, 95, 95, []string{EventCertificateExpires, EventRatioLapses}},
		{"an assessment expires", func(in *Inputs) {
			a := in.Assessments["5.1.7.3"]
			a.ExpiresAt = at(1)
			in.Assessments["5.1.7.3"] = a
		}, nil, 99, 99, 99, 100, []string{EventAssessmentExpires}},
		{"follow-up trending down", func(in *Inputs) {
			in.Measures["followup_within_3d"] = Measure{Known: true, Numerator: 90, Denominator: 100}
		}, map[string]float64{"followup_within_3d": -0.05}, 97, 97, 97, 97, []string{EventMeasureTrend}},
		{"trend clamped at 100%", func(in *Inputs) {
			in.Measures["followup_within_3d"] = Measure{Known: true, Numerator: 90, Denominator: 100}
		}, map[string]float64{"followup_within_3d": 1}, 97, 100, 97, 100, []string{EventMeasureTrend}},
		{"trend clamped at 0%", func(in *Inputs) {}, map[string]float64{"followup_within_3d": -5}, 100, 97, 97, 100, []string{EventMeasureTrend}},
		{"trend on a missing measure is ignored", func(in *Inputs) { delete(in.Measures, "followup_within_3d") },
			map[string]float64{"followup_within_3d": 0.1}, 97, 97, 97, 100, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := fullInputs(std, auditDay)
			tt.edit(&in)
			snapshot := cloneInputs(in)
			// Exactly three average months, so slopes read cleanly.
			when := audit
			if tt.trends != nil {
				when = auditDay.Add(2 * averageMonth)
			}
			p := Project(std, in, auditDay, when, tt.trends)
			if !near(p.Current.Total, Score(std, in, auditDay).Total) {
				t.Errorf("current %v", p.Current.Total)
			}
			if !near(p.Steady.Total, tt.steady) || !near(p.Projected.Total, tt.projected) {
				t.Errorf("steady %v projected %v, want %v %v", p.Steady.Total, p.Projected.Total, tt.steady, tt.projected)
			}
			if !near(p.Range.Low, tt.low) || !near(p.Range.High, tt.high) {
				t.Errorf("range %+v, want %v–%v", p.Range, tt.low, tt.high)
			}
			var kinds []string
			for _, e := range p.Events {
				kinds = append(kinds, e.Kind)
				if e.Text.Zh == "" || e.Text.En == "" || e.At.Before(auditDay) || e.At.After(when) {
					t.Errorf("event %+v", e)
				}
			}
			slices.Sort(kinds)
			want := slices.Clone(tt.events)
			slices.Sort(want)
			if !slices.Equal(kinds, want) {
				t.Errorf("events %v, want %v", kinds, want)
			}
			if (p.Projected.Total != p.Current.Total) && len(p.Changes) == 0 {
				t.Error("score moved without changes listed")
			}
			if !reflect.DeepEqual(in, snapshot) {
				t.Error("Project changed its inputs")
			}
		})
	}
}

func TestProjectionMovesWithDocumentExpiry(t *testing.T) {
	std := gbt(t)
	audit := auditDay.AddDate(0, 4, 0)
	in := withLosses(std, lossSupervision) // 96: five stars with 1 point of margin
	expiry := auditDay.AddDate(0, 5, 0)
	in.Documents["service_manual"][0].ExpiresAt = &expiry
	safe := Project(std, in, auditDay, audit, nil)
	if safe.Projected.Band != "five_star" {
		t.Fatalf("expiry after the audit: %s %v", safe.Projected.Band, safe.Projected.Total)
	}
	earlier := auditDay.AddDate(0, 2, 0)
	in.Documents["service_manual"][0].ExpiresAt = &earlier
	risky := Project(std, in, auditDay, audit, nil)
	if risky.Projected.Band != "four_star" || !near(risky.Projected.Total, 93) {
		t.Errorf("expiry before the audit: %s %v, want four_star 93", risky.Projected.Band, risky.Projected.Total)
	}
	c, ok := func() (IndicatorChange, bool) {
		for _, c := range risky.Changes {
			if c.Clause == "5.1.4.1" {
				return c, true
			}
		}
		return IndicatorChange{}, false
	}()
	if !ok || !slices.Contains(c.ReasonsAdded, ReasonDocumentExpired) {
		t.Errorf("5.1.4.1 change %+v", c)
	}
	if len(risky.Events) != 1 || !risky.Events[0].At.Equal(earlier) || risky.Events[0].Clause != "5.1.4.1" {
		t.Errorf("events %+v", risky.Events)
	}
}

func TestProjectInThePast(t *testing.T) {
	std := gbt(t)
	p := Project(std, fullInputs(std, auditDay), auditDay, auditDay.AddDate(0, -1, 0), nil)
	if !slices.ContainsFunc(p.Notices, func(n Notice) bool { return n.Code == "projection_in_past" }) {
		t.Errorf("notices %+v", p.Notices)
	}
}

func TestClauseLess(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{{"5.1.2", "5.1.10", true}, {"5.1.10", "5.1.2", false}, {"5.1", "5.1.1", true}, {"5.2", "5.1.9", false}, {"1", "2", true}, {"a", "b", true}} {
		if got := clauseLess(tt.a, tt.b); got != tt.want {
			t.Errorf("clauseLess(%s, %s) = %v", tt.a, tt.b, got)
		}
	}
}

// TestCheapestPathOnAHugeStandard guards against a search that explodes
// with the number of gaps: 400 leaves of five kinds, all unknown.
func TestCheapestPathOnAHugeStandard(t *testing.T) {
	var b strings.Builder
	b.WriteString("id: huge\nname: {zh: 大, en: Huge}\nscoring:\n  fail: {code: fail, name: {zh: 不达标, en: Fail}}\n")
	b.WriteString("  bands: [{code: pass, min: 70, name: {zh: 达标, en: Pass}}, {code: top, min: 99, name: {zh: 顶, en: Top}}]\n")
	b.WriteString("  special_deductions: {points_each: 1, fail_at: 5}\nmeasures:\n")
	for i := 0; i < 400; i++ {
		fmt.Fprintf(&b, "  - {name: m%d, label: {zh: m, en: m}, numerator: n, denominator: d}\n", i)
	}
	b.WriteString("document_types: [{type: doc, label: {zh: 文件, en: Doc}}]\nindicators:\n")
	for top := 1; top <= 4; top++ {
		fmt.Fprintf(&b, "  - clause: \"%d\"\n    name: {zh: 级, en: Level}\n    points: 25\n    children:\n", top)
		for leaf := 1; leaf <= 100; leaf++ {
			rule := []string{
				"{kind: document, document_type: doc}",
				fmt.Sprintf("{kind: metric, measure: m%d, target: 0.9}", top*100+leaf-100),
				fmt.Sprintf("{kind: sample, measure: m%d}", top*100+leaf-100),
				"{kind: manual}",
				"{kind: ratio, ratio: 0.1, minimum: 1}",
			}[leaf%5]
			fmt.Fprintf(&b, "      - clause: \"%d.%d\"\n        name: {zh: 项, en: Item}\n        points: 0.25\n        rule: %s\n", top, leaf, rule)
		}
	}
	std, err := LoadStandard([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	p := CheapestPathTo(std, Inputs{}, auditDay, "top")
	if !p.Reachable || len(p.Fixes) != 396 || p.AfterBand != "top" {
		t.Errorf("reachable %v with %d fixes, after %s %v (%s)", p.Reachable, len(p.Fixes), p.AfterBand, p.After, p.Reason.En)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v", d)
	}
}
