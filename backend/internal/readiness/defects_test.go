package readiness

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// The table tests of issue 13's defects that are not already covered by
// TestRateRules, TestRatioRule, TestManualAssessmentsAndOverrides and
// TestFixedRulesOfGBT27922.

// TestEmptyDatabaseEarnsNothing is defect 1: on an empty database (every
// measure known but empty, no documents, no staff) no data-driven leaf
// earns points and the low end of the range equals the document points (0).
func TestEmptyDatabaseEarnsNothing(t *testing.T) {
	std := gbt(t)
	in := Inputs{Measures: map[string]Measure{}, Documents: map[string][]Document{}, Staffing: Staffing{Known: true}}
	for _, req := range std.MeasureRequests() {
		in.Measures[req.Measure] = Measure{Known: true}
	}
	r := Score(std, in, auditDay)
	if r.Total != 0 || r.Actual != 0 {
		t.Fatalf("an unused system scores %v (%v raw points)", r.Total, r.Actual)
	}
	for _, clause := range []string{"5.1.6.2", "5.2.3.1", "5.2.3.2", "5.2.5.1", "5.2.5.2", "5.3.2.2", "5.3.2.3", "5.3.2.6"} {
		ir := mustIndicator(t, r, clause)
		if ir.Points != 0 {
			t.Errorf("%s earns %v for nothing", clause, ir.Points)
		}
		judged := slices.Contains(ir.ReasonCodes, ReasonJudgedByDocument)
		switch {
		case judged && ir.State != StateComputed:
			t.Errorf("%s judged on a document but %s", clause, ir.State)
		case !judged && (ir.State != StateUnknown || !strings.Contains(ir.Reason.En, "no records")):
			t.Errorf("%s: %s %q, want unknown saying there were no records", clause, ir.State, ir.Reason.En)
		}
	}
	if mustIndicator(t, r, "5.1.2.2").State != StateUnknown {
		t.Error("5.1.2.2 with no management staff is not unknown")
	}
}

// TestRoundingOnceHalfUp is defect 6: the band is decided on the value
// shown, rounded once half up to two decimals.
func TestRoundingOnceHalfUp(t *testing.T) {
	std := gbt(t)
	tests := []struct {
		lost  float64
		total float64
		band  string
	}{
		{20.005, 80, "three_star"}, // 79.995 shows as 80.00 and bands as 三星
		{20.006, 79.99, "pass"},
		{30.005, 70, "pass"}, // 69.995
		{30.006, 69.99, "fail"},
		{5.005, 95, "five_star"},
		{10.004, 90, "four_star"}, // 89.996
		{10.006, 89.99, "three_star"},
	}
	for _, tt := range tests {
		r := Score(std, lose(std, fullInputs(std, auditDay), tt.lost), auditDay)
		if r.Total != tt.total || r.Band != tt.band {
			t.Errorf("lose %v: %v %s, want %v %s", tt.lost, r.Total, r.Band, tt.total, tt.band)
		}
	}
	if got := []float64{Round2(79.995), Round2(28.999999999999996), Round2(69.99000000000001), Round2(0.125), Round2(-1.005)}; !slices.Equal(got, []float64{80, 29, 69.99, 0.13, -1.01}) {
		t.Errorf("Round2 = %v", got)
	}
}

// TestNoNumberCarriesMoreThanTwoDecimals is defect 6 on the wire: every
// score and points value of a result carries at most two decimals.
func TestNoNumberCarriesMoreThanTwoDecimals(t *testing.T) {
	std := gbt(t)
	in := fullInputs(std, auditDay)
	in.Measures["staff_qualified"] = Measure{Known: true, Numerator: 29, Denominator: 41}
	in.Measures["complaint_resolved_within_limit"] = Measure{Known: true, Numerator: 71, Denominator: 97}
	in.Measures["repair_record_complete"] = Measure{Known: true, Numerator: 10, Denominator: 13}
	in.NotApplicable = map[string]string{"5.2.6": "no take-back duty"}
	b, err := json.Marshal(Score(std, in, auditDay))
	if err != nil {
		t.Fatal(err)
	}
	long := regexp.MustCompile(`"(points|total|normalised|actual|applicable|recoverable|max|low|high|above_band|to_next_band|deduction_points|bonus_points)":-?\d+\.\d{3,}`)
	if m := long.FindAllString(string(b), -1); len(m) > 0 {
		t.Errorf("numbers with more than two decimals: %v", m)
	}
}

// TestBandRangeWhileIncomplete is defect 7: with unknown indicators the
// result names both ends of the range.
func TestBandRangeWhileIncomplete(t *testing.T) {
	std := gbt(t)
	in := withLosses(std, lossRatio, lossResponse)            // 91: four stars
	delete(in.Measures, "followup_within_3d")                 // 3 unknown
	in.Measures["survey_satisfaction"] = Measure{Known: true} // 3 unknown
	r := Score(std, in, auditDay)
	if r.Complete || r.BandLow != "three_star" || r.BandHigh != "four_star" || r.Range.Low != 85 || r.Range.High != 91 {
		t.Errorf("complete %v, %s (%v) – %s (%v)", r.Complete, r.BandLow, r.Range.Low, r.BandHigh, r.Range.High)
	}
	full := Score(std, withLosses(std, lossRatio, lossResponse), auditDay)
	if !full.Complete || full.BandLow != full.Band || full.BandHigh != full.Band {
		t.Errorf("complete result: %s %s %s", full.Band, full.BandLow, full.BandHigh)
	}
}

// TestBonusPracticesAreAListWithACap is defect 10.
func TestBonusPracticesAreAListWithACap(t *testing.T) {
	std := variant(t, "enabled: false # one widely", "enabled: true # one widely")
	base := lose(std, fullInputs(std, auditDay), 10)
	tests := []struct {
		name    string
		bonuses []Bonus
		points  float64
		total   float64
		notice  string
	}{
		{"none", nil, 0, 90, ""},
		{"one practice", []Bonus{{ID: "B1", Reason: "24 h parts for remote counties"}}, 1, 91, ""},
		{"three practices, capped at one point", []Bonus{{ID: "B1"}, {ID: "B2"}, {ID: "B3"}}, 1, 91, "bonus_capped"},
	}
	for _, tt := range tests {
		in := cloneInputs(base)
		in.Bonuses = tt.bonuses
		r := Score(std, in, auditDay)
		var codes []string
		for _, n := range r.Notices {
			codes = append(codes, n.Code)
		}
		if r.BonusPoints != tt.points || r.Total != tt.total || (tt.notice != "" && !slices.Contains(codes, tt.notice)) {
			t.Errorf("%s: bonus %v total %v notices %v", tt.name, r.BonusPoints, r.Total, codes)
		}
	}
}

// TestExpiryWordingNamesTheLastValidDay is defect 13: a manual whose last
// valid day is 2026-12-08 (it stops counting at local midnight after it) is
// said to count through 2026-12-08.
func TestExpiryWordingNamesTheLastValidDay(t *testing.T) {
	std := gbt(t)
	asOf := time.Date(2026, 11, 1, 10, 0, 0, 0, cst)
	stops := time.Date(2026, 12, 9, 0, 0, 0, 0, cst).UTC() // first instant it no longer counts
	in := fullInputs(std, asOf)
	in.Documents["service_manual"][0].ExpiresAt = &stops
	p := Project(std, in, asOf, time.Date(2027, 1, 15, 0, 0, 0, 0, cst), nil)
	var text Text
	for _, e := range p.Events {
		if e.Kind == EventDocumentLapses && e.Clause == "5.1.4.1" {
			text = e.Text
		}
	}
	if !strings.Contains(text.En, "counts through 2026-12-08, its last valid day") || !strings.Contains(text.En, "from 2026-12-09") ||
		!strings.Contains(text.Zh, "有效至 2026-12-08（最后有效日）") || strings.Contains(text.En, "stops counting on") {
		t.Errorf("event %+v", text)
	}
	if got := LastValidDay(stops, cst); got != "2026-12-08" {
		t.Errorf("LastValidDay = %s", got)
	}
}

// TestCalibrateAudit: the difference per indicator is auditor − projected,
// the mean absolute error is over the indicators the auditor scored, and
// the most wrong come first.
func TestCalibrateAudit(t *testing.T) {
	std := gbt(t)
	in := withLosses(std, lossResponse) // 5.2.2.1 projected 0 of 4
	res := Score(std, in, auditDay)
	score := 90.0
	a := RecordedAudit{ID: 7, HeldOn: auditDay, Score: &score, Band: "four_star",
		Points: map[string]float64{"5.2.2.1": 3, "5.1.1.1": 3, "5.3.1.5": 1.5}}
	c := CalibrateAudit(std, res, a)
	if len(c.Indicators) != 3 || c.MeanAbsoluteError != Round2((3+0+1.5)/3.0) {
		t.Fatalf("calibration %+v", c)
	}
	if len(c.MostWrong) != 2 || c.MostWrong[0].Clause != "5.2.2.1" || c.MostWrong[0].Difference != 3 || c.MostWrong[1].Difference != -1.5 {
		t.Errorf("most wrong %+v", c.MostWrong)
	}
}
