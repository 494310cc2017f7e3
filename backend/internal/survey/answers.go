package survey

import (
	"encoding/json"
	"hash/fnv"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/aftersales/aftersales/backend/internal/apperr"
)

// Answer is one answered question, with the question as it was asked.
type Answer struct {
	Code     string `json:"code"`
	Type     string `json:"type"`
	Target   string `json:"target"`
	Question string `json:"question"`
	Score    *int   `json:"score,omitempty"`
	Yes      *bool  `json:"yes,omitempty"`
	Text     string `json:"text,omitempty"`
}

// Scale returns the inclusive range of a rating type.
func Scale(typ string) (lo, hi int, ok bool) {
	switch typ {
	case TypeCSAT:
		return 1, 5, true
	case TypeNPS:
		return 0, 10, true
	}
	return 0, 0, false
}

// maxTextAnswer bounds a free-text answer.
const maxTextAnswer = 2000

// ValidateAnswers checks raw answers (question code → JSON value) against
// the template's questions and returns them in question order. Every problem
// is reported under "answers.<code>": an unknown question, a missing
// required one (there is no default rating), a rating outside its scale or
// not a whole number, a yes/no that is not a boolean, an over-long text.
func ValidateAnswers(qs []Question, raw map[string]any) ([]Answer, apperr.Fields) {
	fields := apperr.Fields{}
	known := map[string]bool{}
	var out []Answer
	for _, q := range qs {
		known[q.Code] = true
		key := "answers." + q.Code
		v, present := raw[q.Code]
		if !present || v == nil {
			if q.Required {
				fields[key] = apperr.Required()
			}
			continue
		}
		a := Answer{Code: q.Code, Type: q.Type, Target: q.Target, Question: q.Text}
		switch q.Type {
		case TypeCSAT, TypeNPS:
			lo, hi, _ := Scale(q.Type)
			n, ok := wholeNumber(v)
			if !ok || n < lo || n > hi {
				fields[key] = apperr.OutOfRange(lo, hi)
				continue
			}
			a.Score = &n
		case TypeYesNo:
			b, ok := v.(bool)
			if !ok {
				fields[key] = apperr.OneOf("true", "false")
				continue
			}
			a.Yes = &b
		case TypeText:
			s, ok := v.(string)
			if !ok {
				fields[key] = apperr.InvalidFormat(apperr.FormatText)
				continue
			}
			s = strings.TrimSpace(s)
			if utf8.RuneCountInString(s) > maxTextAnswer {
				fields[key] = apperr.TooLong(maxTextAnswer)
				continue
			}
			if s == "" {
				if q.Required {
					fields[key] = apperr.Required()
				}
				continue
			}
			a.Text = s
		}
		out = append(out, a)
	}
	for code := range raw {
		if !known[code] {
			fields["answers."+code] = apperr.NoSuch("question_in_this_survey")
		}
	}
	if len(fields) > 0 {
		return nil, fields
	}
	return out, nil
}

// wholeNumber accepts JSON numbers (json.Number, float64, ints) without a
// fractional part; a numeric string is not a rating.
func wholeNumber(v any) (int, bool) {
	switch n := v.(type) {
	case json.Number:
		i, err := strconv.ParseInt(n.String(), 10, 32)
		if err != nil {
			return 0, false
		}
		return int(i), true
	case float64:
		if n != math.Trunc(n) || math.Abs(n) > 1e6 {
			return 0, false
		}
		return int(n), true
	case int:
		return n, true
	case int64:
		return int(n), true
	}
	return 0, false
}

// Scores are the figures the KPIs read, taken from the answers: the first
// overall 1–5 rating, the first 0–10 recommendation, the first agent and
// technician ratings, and the lowest 1–5 rating of any target.
type Scores struct {
	CSAT, NPS, Agent, Technician, Min *int
	// Unsolved: the customer answered "no" to "was your problem solved?".
	Unsolved bool
}

// QuestionSolved is the code of the yes/no question "was your problem
// solved?": a "no" is as dissatisfied as a low rating.
const QuestionSolved = "solved"

// ScoresOf extracts Scores from validated answers.
func ScoresOf(as []Answer) Scores {
	var s Scores
	for _, a := range as {
		if a.Type == TypeYesNo && a.Code == QuestionSolved && a.Yes != nil && !*a.Yes {
			s.Unsolved = true
		}
		if a.Score == nil {
			continue
		}
		v := *a.Score
		switch a.Type {
		case TypeNPS:
			if s.NPS == nil {
				s.NPS = &v
			}
		case TypeCSAT:
			if s.Min == nil || v < *s.Min {
				m := v
				s.Min = &m
			}
			switch a.Target {
			case TargetAgent:
				if s.Agent == nil {
					s.Agent = &v
				}
			case TargetTechnician:
				if s.Technician == nil {
					s.Technician = &v
				}
			case TargetOverall:
				if s.CSAT == nil {
					s.CSAT = &v
				}
			}
		}
	}
	return s
}

// Dissatisfied reports whether the lowest 1–5 rating is at or below the
// threshold (default 2: "不满意" or "很不满意"), or the customer said the
// problem was not solved.
func Dissatisfied(s Scores, atOrBelow int) bool {
	return s.Unsolved || (s.Min != nil && *s.Min <= atOrBelow)
}

// specificTargets are the rating targets more specific than "overall", in
// the order that breaks a tie between them.
var specificTargets = []string{TargetTechnician, TargetAgent, TargetProduct}

// DecidingTarget returns what a dissatisfied answer was about, which decides
// the complaint's category: the lowest specific rating (technician, agent,
// product) that is itself dissatisfied (at or below atOrBelow), so that
// overall = 1 with technician = 1 is about the technician, not "overall";
// otherwise the target of the lowest rating. "" without ratings.
func DecidingTarget(as []Answer, atOrBelow int) string {
	best, target := 6, ""
	bestSpecific, specific := 6, ""
	rank := func(t string) int {
		for i, s := range specificTargets {
			if s == t {
				return i
			}
		}
		return -1
	}
	for _, a := range as {
		if a.Type != TypeCSAT || a.Score == nil {
			continue
		}
		v := *a.Score
		if v < best {
			best, target = v, a.Target
		}
		if r := rank(a.Target); r >= 0 && (v < bestSpecific || (v == bestSpecific && r < rank(specific))) {
			bestSpecific, specific = v, a.Target
		}
	}
	if specific != "" && bestSpecific <= atOrBelow {
		return specific
	}
	return target
}

// NPS returns the net promoter score in points (−100…100): the share of
// promoters (9–10) minus the share of detractors (0–6); nil without answers.
func NPS(promoters, detractors, total int64) *float64 {
	if total <= 0 {
		return nil
	}
	v := (float64(promoters) - float64(detractors)) * 100 / float64(total)
	v = math.Round(v*10) / 10
	return &v
}

// Sampled decides deterministically whether key falls in a sample of rate
// (0…1): every server and every re-delivery of an event decides the same.
func Sampled(key string, rate float64) bool {
	if rate >= 1 {
		return true
	}
	if rate <= 0 {
		return false
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(key))
	return float64(h.Sum64()%10000) < rate*10000
}
