package sla

import (
	"errors"
	"math"
	"testing"
	"time"
)

func TestPolicyValidate(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(p *Policy)
		fields []string
	}{
		{"household P2", func(*Policy) {}, nil},
		{"no warning fraction uses the default", func(p *Policy) { p.WarnAt = 0 }, nil},
		{"missing ID", func(p *Policy) { p.ID = "" }, []string{"id"}},
		{"negative target", func(p *Policy) { p.Targets[TargetResolution] = -time.Hour }, []string{"targets[resolution]"}},
		{"unknown target", func(p *Policy) { p.Targets["lunch"] = time.Hour }, []string{"targets[lunch]"}},
		{"negative band", func(p *Policy) { p.ArrivalByBand[BandRemote] = -time.Minute }, []string{"arrival_by_band[remote]"}},
		{"unknown band", func(p *Policy) { p.ArrivalByBand["moon"] = time.Hour }, []string{"arrival_by_band[moon]"}},
		{"empty pause status", func(p *Policy) { p.PauseStatuses = append(p.PauseStatuses, "") }, []string{"pause_statuses[2]"}},
		{"warn at 1", func(p *Policy) { p.WarnAt = 1 }, []string{"warn_at"}},
		{"warn above 1", func(p *Policy) { p.WarnAt = 80 }, []string{"warn_at"}},
		{"negative warn", func(p *Policy) { p.WarnAt = -0.2 }, []string{"warn_at"}},
		{"NaN warn", func(p *Policy) { p.WarnAt = math.NaN() }, []string{"warn_at"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := householdP2()
			tc.edit(&p)
			checkFields(t, p.Validate(), tc.fields)
		})
	}
}

// checkFields asserts that err is nil when fields is nil, or a
// ValidationError naming exactly fields.
func checkFields(t *testing.T, err error, fields []string) {
	t.Helper()
	if fields == nil {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	var ve *ValidationError
	if !errors.Is(err, ErrInvalid) || !errors.As(err, &ve) {
		t.Fatalf("error %v, want a *ValidationError", err)
	}
	got := ve.Fields()
	if len(got) != len(fields) {
		t.Errorf("problems %v, want fields %v", ve.Problems, fields)
	}
	for _, f := range fields {
		if _, ok := got[f]; !ok {
			t.Errorf("no problem for %s in %v", f, err)
		}
	}
}

func TestPolicyEvents(t *testing.T) {
	p := householdP2()
	at := cst(t, "2026-06-02 09:00")
	events := p.Apply(at, "system", "")
	if len(events) != len(Targets()) {
		t.Fatalf("%d events", len(events))
	}
	for i, e := range events {
		if e.Target != Targets()[i] || e.Kind != KindPolicyApplied || e.PolicyID != p.ID || e.WarnAt != 0.8 || !e.At.Equal(at) {
			t.Errorf("event %d: %+v", i, e)
		}
	}
	if d := events[3].Duration; d != 0 {
		t.Errorf("on-site arrival without band: %s, want no target", d)
	}
	if d := p.Apply(at, "system", BandRemote)[3].Duration; d != 40*time.Hour {
		t.Errorf("on-site arrival, remote: %s", d)
	}
	band := p.SetBand(BandWithin500km, at, "dispatcher")
	if band.Kind != KindBandSet || band.Target != TargetOnsiteArrival || band.Duration != 16*time.Hour || band.Band != BandWithin500km {
		t.Errorf("band event %+v", band)
	}

	flat := Policy{ID: "flat", Targets: map[Target]time.Duration{TargetOnsiteArrival: 24 * time.Hour}}
	if d := flat.ArrivalTarget(BandRemote); d != 24*time.Hour {
		t.Errorf("fallback arrival target %s", d)
	}
	if flat.WarnFraction() != DefaultWarnAt {
		t.Errorf("default warn %v", flat.WarnFraction())
	}
	if !p.Pauses("waiting_parts") || p.Pauses("in_progress") {
		t.Error("Pauses")
	}
}

func TestSelect(t *testing.T) {
	rule := func(id, typ, prio, region string) PolicyRule {
		return PolicyRule{Policy: Policy{ID: id}, TicketType: typ, Priority: prio, Region: region}
	}
	rules := []PolicyRule{
		rule("default", "", "", ""),
		rule("p1", "", "P1", ""),
		rule("guangdong", "", "", "44"),
		rule("shenzhen", "", "", "440300"),
		rule("nanshan", "", "", "440305"),
		rule("guangdong-installation", "installation", "", "440000"),
		rule("installation-p1", "installation", "P1", ""),
		rule("xinjiang-p1", "", "P1", "65"),
		rule("xinjiang", "", "", "650000"),
		rule("p1-again", "", "P1", ""),
		rule("broken-region", "", "", "44A"),
	}
	tests := []struct {
		name                    string
		typ, prio, region, want string
	}{
		{"nothing specific: the fallback", "repair", "P3", "110105", "default"},
		{"priority rule", "repair", "P1", "110105", "p1"},
		{"province rule written as 44", "repair", "P3", "440105", "guangdong"},
		{"city rule beats province", "repair", "P3", "440306", "shenzhen"},
		{"district rule beats city", "repair", "P3", "440305", "nanshan"},
		{"province rule written as 440000, with type: two criteria beat a district", "installation", "P3", "440305", "guangdong-installation"},
		{"equal criteria: the rule with a region is deeper", "installation", "P1", "440305", "guangdong-installation"},
		{"type and priority", "installation", "P1", "110105", "installation-p1"},
		{"priority and region", "repair", "P1", "650102", "xinjiang-p1"},
		{"region only", "repair", "P2", "653101", "xinjiang"},
		{"a city-level ticket code", "repair", "P3", "440300", "shenzhen"},
		{"a malformed ticket region matches region-free rules only", "repair", "P3", "44A305", "default"},
		{"no region", "repair", "P1", "", "p1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := Select(rules, tc.typ, tc.prio, tc.region)
			if !ok || got.ID != tc.want {
				t.Errorf("Select(%s, %s, %s) = %q, %v; want %q", tc.typ, tc.prio, tc.region, got.ID, ok, tc.want)
			}
		})
	}
	if _, ok := Select(rules[1:2], "repair", "P3", "440305"); ok {
		t.Error("matched without a fitting rule")
	}
	if _, ok := Select(nil, "repair", "P3", "440305"); ok {
		t.Error("matched with no rules")
	}
	// Declared order breaks ties.
	got, _ := Select([]PolicyRule{rule("first", "", "", "44"), rule("second", "", "", "440000")}, "repair", "P3", "440305")
	if got.ID != "first" {
		t.Errorf("tie went to %s", got.ID)
	}
}

func TestValidateRules(t *testing.T) {
	ok := func(id, region string) PolicyRule {
		return PolicyRule{Policy: Policy{ID: id}, Region: region}
	}
	tests := []struct {
		name   string
		rules  []PolicyRule
		fields []string
	}{
		{"valid", []PolicyRule{ok("a", ""), ok("b", "44"), ok("c", "4403"), ok("d", "440305")}, nil},
		{"same criteria twice, even spelled differently", []PolicyRule{ok("a", "44"), ok("b", "440000")}, []string{"rules[1]"}},
		{"malformed regions", []PolicyRule{ok("a", "4"), ok("b", "44030"), ok("c", "44A000"), ok("d", "000000")},
			[]string{"rules[0].region", "rules[1].region", "rules[2].region", "rules[3].region"}},
		{"policy problems are prefixed", []PolicyRule{{Policy: Policy{WarnAt: 2}}},
			[]string{"rules[0].policy.id", "rules[0].policy.warn_at"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkFields(t, ValidateRules(tc.rules), tc.fields)
		})
	}
}
