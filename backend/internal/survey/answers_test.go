package survey

import (
	"encoding/json"
	"testing"
)

var testQuestions = []Question{
	{Code: "overall", Type: TypeCSAT, Target: TargetOverall, Required: true, Text: "总体"},
	{Code: "agent", Type: TypeCSAT, Target: TargetAgent, Required: true, Text: "客服"},
	{Code: "technician", Type: TypeCSAT, Target: TargetTechnician, Text: "技师"},
	{Code: "solved", Type: TypeYesNo, Target: TargetOverall, Text: "解决"},
	{Code: "recommend", Type: TypeNPS, Target: TargetOverall, Text: "推荐"},
	{Code: "comment", Type: TypeText, Target: TargetOther, Text: "建议"},
}

func TestValidateAnswers(t *testing.T) {
	cases := []struct {
		name      string
		raw       string
		badFields []string
	}{
		{"all good", `{"overall":5,"agent":4,"technician":3,"solved":true,"recommend":10,"comment":"很好"}`, nil},
		{"optional left out", `{"overall":5,"agent":4}`, nil},
		{"no default rating: required missing", `{"agent":4}`, []string{"answers.overall"}},
		{"null is not an answer", `{"overall":null,"agent":4}`, []string{"answers.overall"}},
		{"csat 0 is out of scale", `{"overall":0,"agent":4}`, []string{"answers.overall"}},
		{"csat 6 is out of scale", `{"overall":6,"agent":4}`, []string{"answers.overall"}},
		{"nps 11 is out of scale", `{"overall":5,"agent":4,"recommend":11}`, []string{"answers.recommend"}},
		{"nps 0 is a valid answer", `{"overall":5,"agent":4,"recommend":0}`, nil},
		{"fractions are not ratings", `{"overall":4.5,"agent":4}`, []string{"answers.overall"}},
		{"a numeric string is not a rating", `{"overall":"5","agent":4}`, []string{"answers.overall"}},
		{"yes/no must be boolean", `{"overall":5,"agent":4,"solved":"yes"}`, []string{"answers.solved"}},
		{"unknown question", `{"overall":5,"agent":4,"price":3}`, []string{"answers.price"}},
		{"text must be text", `{"overall":5,"agent":4,"comment":5}`, []string{"answers.comment"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var raw map[string]any
			dec := json.NewDecoder(stringsReader(c.raw))
			dec.UseNumber()
			if err := dec.Decode(&raw); err != nil {
				t.Fatal(err)
			}
			_, fields := ValidateAnswers(testQuestions, raw)
			if len(fields) != len(c.badFields) {
				t.Fatalf("fields %v, want %v", fields, c.badFields)
			}
			for _, f := range c.badFields {
				if fields[f].Code == "" {
					t.Errorf("no message for %s: %v", f, fields)
				}
			}
		})
	}
}

func TestScoresAndDissatisfaction(t *testing.T) {
	i := func(v int) *int { return &v }
	as := []Answer{
		{Code: "overall", Type: TypeCSAT, Target: TargetOverall, Score: i(4)},
		{Code: "agent", Type: TypeCSAT, Target: TargetAgent, Score: i(2)},
		{Code: "technician", Type: TypeCSAT, Target: TargetTechnician, Score: i(5)},
		{Code: "recommend", Type: TypeNPS, Target: TargetOverall, Score: i(1)},
	}
	s := ScoresOf(as)
	if *s.CSAT != 4 || *s.Agent != 2 || *s.Technician != 5 || *s.NPS != 1 || *s.Min != 2 {
		t.Fatalf("scores %+v", s)
	}
	// An NPS of 1 is a detractor, not a 1-of-5 dissatisfaction: only the
	// 1–5 ratings decide.
	cases := []struct {
		min       *int
		threshold int
		want      bool
	}{{i(2), 2, true}, {i(3), 2, false}, {i(1), 1, true}, {i(2), 1, false}, {nil, 2, false}}
	for _, c := range cases {
		if Dissatisfied(Scores{Min: c.min}, c.threshold) != c.want {
			t.Errorf("min %v threshold %d: want %v", c.min, c.threshold, c.want)
		}
	}
}

func TestNPS(t *testing.T) {
	cases := []struct {
		p, d, n int64
		want    float64
	}{
		{50, 10, 100, 40}, {0, 100, 100, -100}, {100, 0, 100, 100}, {1, 1, 3, 0}, {2, 1, 3, 33.3},
	}
	for _, c := range cases {
		if got := NPS(c.p, c.d, c.n); got == nil || *got != c.want {
			t.Errorf("NPS(%d,%d,%d) = %v, want %v", c.p, c.d, c.n, got, c.want)
		}
	}
	if NPS(0, 0, 0) != nil {
		t.Error("no answers: no NPS")
	}
}

func TestSampled(t *testing.T) {
	n := 0
	for i := 0; i < 10000; i++ {
		k := "t:" + itoa(i) + ":c:1"
		if Sampled(k, 0.3) {
			n++
		}
		if first, second := Sampled(k, 0.3), Sampled(k, 0.3); first != second {
			t.Fatal("not deterministic")
		}
	}
	if n < 2800 || n > 3200 {
		t.Fatalf("30 %% sample took %d of 10000", n)
	}
	if !Sampled("x", 1) || Sampled("x", 0) {
		t.Fatal("edges")
	}
}

// Defect 5: with overall = 1 and technician = 1 the complaint landed in
// "other"; the category follows the lowest specific rating.
func TestDecidingTargetPrefersTheSpecificRating(t *testing.T) {
	score := func(code, target string, v int) Answer {
		return Answer{Code: code, Type: TypeCSAT, Target: target, Score: &v}
	}
	cases := []struct {
		name string
		as   []Answer
		want string
	}{
		{"tie overall and technician", []Answer{score("overall", TargetOverall, 1), score("agent", TargetAgent, 4), score("technician", TargetTechnician, 1)}, TargetTechnician},
		{"technician 2 explains overall 1", []Answer{score("overall", TargetOverall, 1), score("agent", TargetAgent, 5), score("technician", TargetTechnician, 2)}, TargetTechnician},
		{"agent lowest", []Answer{score("overall", TargetOverall, 2), score("agent", TargetAgent, 1), score("technician", TargetTechnician, 2)}, TargetAgent},
		{"tie agent and technician: technician", []Answer{score("overall", TargetOverall, 3), score("agent", TargetAgent, 1), score("technician", TargetTechnician, 1)}, TargetTechnician},
		{"only overall low", []Answer{score("overall", TargetOverall, 1), score("agent", TargetAgent, 5), score("technician", TargetTechnician, 4)}, TargetOverall},
		{"product", []Answer{score("overall", TargetOverall, 2), score("product", TargetProduct, 1)}, TargetProduct},
		{"no ratings", nil, ""},
	}
	for _, c := range cases {
		if got := DecidingTarget(c.as, 2); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// Defect 8: solved = false did nothing.
func TestUnsolvedIsDissatisfied(t *testing.T) {
	five, no := 5, false
	as := []Answer{{Code: "overall", Type: TypeCSAT, Target: TargetOverall, Score: &five}, {Code: QuestionSolved, Type: TypeYesNo, Target: TargetOverall, Yes: &no}}
	if sc := ScoresOf(as); !sc.Unsolved || !Dissatisfied(sc, 2) {
		t.Fatalf("unsolved with 5 stars: %+v", sc)
	}
}
