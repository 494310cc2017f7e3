package sla

import (
	"fmt"
	"slices"
	"time"
)

// DistanceBand classifies how far a customer is from the outlet that serves
// them; the on-site arrival target depends on it.
type DistanceBand string

// The distance bands of [Policy.ArrivalByBand].
const (
	// BandCity is a customer in the outlet's own city.
	BandCity DistanceBand = "city"
	// BandWithin200km is a customer outside the city within 200 km.
	BandWithin200km DistanceBand = "within_200km"
	// BandWithin500km is a customer between 200 and 500 km away.
	BandWithin500km DistanceBand = "within_500km"
	// BandRemote is a customer farther than 500 km or in a remote area.
	BandRemote DistanceBand = "remote"
)

// Bands returns the distance bands from nearest to farthest.
func Bands() []DistanceBand {
	return []DistanceBand{BandCity, BandWithin200km, BandWithin500km, BandRemote}
}

// Valid reports whether b is one of the four bands.
func (b DistanceBand) Valid() bool { return slices.Contains(Bands(), b) }

// DefaultWarnAt is the fraction of a target after which a running clock is
// in warning when a policy does not say otherwise.
const DefaultWarnAt = 0.8

// Policy is a set of service targets: how much working time each clock may
// use. A policy is never read by [Evaluate]; [Policy.Apply] and
// [Policy.SetBand] copy its durations into the event log, so editing a policy
// later does not change tickets it was applied to.
type Policy struct {
	// ID identifies the policy; it is copied into the events it produces.
	ID string
	// Name is shown to users, e.g. "Household appliances, P1".
	Name string
	// Targets is the working time allowed per clock. A clock without an
	// entry (or with zero) has no target: it is timed but never breached.
	Targets map[Target]time.Duration
	// ArrivalByBand is the on-site arrival target per distance band. It
	// overrides Targets[TargetOnsiteArrival] once the band is known.
	ArrivalByBand map[DistanceBand]time.Duration
	// PauseStatuses are the ticket statuses (e.g. "waiting_customer",
	// "waiting_parts") during which the caller pauses the clocks.
	PauseStatuses []string
	// WarnAt is the fraction of a target after which a clock is in warning,
	// in (0, 1); zero means [DefaultWarnAt].
	WarnAt float64
	// CalendarID names the working-hours calendar the clocks run on.
	CalendarID string
}

// WarnFraction returns WarnAt, or [DefaultWarnAt] when it is not set.
func (p Policy) WarnFraction() float64 {
	if p.WarnAt > 0 && p.WarnAt < 1 {
		return p.WarnAt
	}
	return DefaultWarnAt
}

// Pauses reports whether a ticket entering status pauses the clocks under p.
func (p Policy) Pauses(status string) bool { return slices.Contains(p.PauseStatuses, status) }

// ArrivalTarget returns the on-site arrival target for band: the band's
// entry if there is one, else Targets[TargetOnsiteArrival], else zero (no
// target).
func (p Policy) ArrivalTarget(band DistanceBand) time.Duration {
	if d, ok := p.ArrivalByBand[band]; ok && band != "" {
		return d
	}
	return p.Targets[TargetOnsiteArrival]
}

// Apply returns the policy_applied events that freeze p into a ticket's log
// at instant at: one per known target, in [Targets] order, each carrying the
// target duration (zero when p has none), p.ID and the warning fraction. The
// on-site arrival duration follows band when the band is already known
// (pass "" otherwise). Append the events when a policy is first chosen and
// again when the ticket is re-prioritised.
func (p Policy) Apply(at time.Time, actor string, band DistanceBand) []Event {
	targets := Targets()
	events := make([]Event, 0, len(targets))
	for _, t := range targets {
		d := p.Targets[t]
		if t == TargetOnsiteArrival {
			d = p.ArrivalTarget(band)
		}
		events = append(events, Event{
			At: at.UTC(), Kind: KindPolicyApplied, Target: t, Actor: actor,
			PolicyID: p.ID, Duration: max(d, 0), WarnAt: p.WarnFraction(), Band: band,
		})
	}
	return events
}

// SetBand returns the band_set event recording that the customer is in band,
// carrying the on-site arrival duration p allows for it.
func (p Policy) SetBand(band DistanceBand, at time.Time, actor string) Event {
	return Event{
		At: at.UTC(), Kind: KindBandSet, Target: TargetOnsiteArrival, Actor: actor,
		PolicyID: p.ID, Duration: max(p.ArrivalTarget(band), 0), WarnAt: p.WarnFraction(), Band: band,
	}
}

// Validate reports every problem of the policy as a *[ValidationError]: a
// missing ID, unknown targets or bands, negative durations, empty pause
// statuses and a warning fraction outside (0, 1).
func (p Policy) Validate() error {
	pr := problems{subject: "policy"}
	p.check(&pr, "")
	return pr.err()
}

// check adds the policy's problems with field names under prefix.
func (p Policy) check(pr *problems, prefix string) {
	if p.ID == "" {
		pr.add(prefix+"id", "required", nil, "missing")
	}
	for _, t := range sortedKeys(p.Targets) {
		field := fmt.Sprintf("%stargets[%s]", prefix, t)
		if !t.Valid() {
			pr.add(field, "unknown_value", map[string]any{"value": string(t)}, "unknown target")
		}
		if p.Targets[t] < 0 {
			pr.add(field, "negative_duration", nil, "negative duration %s", p.Targets[t])
		}
	}
	for _, b := range sortedKeys(p.ArrivalByBand) {
		field := fmt.Sprintf("%sarrival_by_band[%s]", prefix, b)
		if !b.Valid() {
			pr.add(field, "unknown_value", map[string]any{"value": string(b)}, "unknown distance band")
		}
		if p.ArrivalByBand[b] < 0 {
			pr.add(field, "negative_duration", nil, "negative duration %s", p.ArrivalByBand[b])
		}
	}
	for i, s := range p.PauseStatuses {
		if s == "" {
			pr.add(fmt.Sprintf("%spause_statuses[%d]", prefix, i), "required", nil, "empty status")
		}
	}
	if p.WarnAt != 0 && !(p.WarnAt > 0 && p.WarnAt < 1) { // also catches NaN
		pr.add(prefix+"warn_at", "out_of_range", map[string]any{"min": 0, "max": 1}, "%v is not a fraction between 0 and 1", p.WarnAt)
	}
}

func sortedKeys[K ~string, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// PolicyRule says when a policy applies. An empty criterion matches any
// ticket; a rule with no criteria is the fallback.
type PolicyRule struct {
	Policy Policy
	// TicketType matches the ticket type exactly, e.g. "repair",
	// "installation".
	TicketType string
	// Priority matches the ticket priority exactly, e.g. "P1".
	Priority string
	// Region is a GB/T 2260 code or prefix: a province ("44" or "440000"),
	// a city ("4403" or "440300") or a district ("440305"). It matches
	// every ticket region inside it.
	Region string
}

// specificity orders matching rules: more criteria first, then a deeper
// region (district over city over province).
func (r PolicyRule) specificity() (criteria, depth int) {
	if r.TicketType != "" {
		criteria++
	}
	if r.Priority != "" {
		criteria++
	}
	if r.Region != "" {
		criteria++
		if p, ok := regionPrefix(r.Region); ok {
			depth = len(p) / 2
		}
	}
	return criteria, depth
}

// matches reports whether r applies to a ticket whose region has been
// reduced to its prefix (ok false when the ticket's code is malformed).
func (r PolicyRule) matches(ticketType, priority, region string, regionOK bool) bool {
	if r.TicketType != "" && r.TicketType != ticketType {
		return false
	}
	if r.Priority != "" && r.Priority != priority {
		return false
	}
	if r.Region == "" {
		return true
	}
	rule, ok := regionPrefix(r.Region)
	return ok && regionOK && len(region) >= len(rule) && region[:len(rule)] == rule
}

// regionPrefix reduces a GB/T 2260 code to its significant prefix:
// "440000" → "44", "440300" → "4403", "440305" → "440305". It accepts 2, 4
// or 6 digits and rejects anything else.
func regionPrefix(code string) (string, bool) {
	if n := len(code); n != 2 && n != 4 && n != 6 {
		return "", false
	}
	for _, r := range code {
		if r < '0' || r > '9' {
			return "", false
		}
	}
	for len(code) > 2 && code[len(code)-2:] == "00" {
		code = code[:len(code)-2]
	}
	if code[:2] == "00" {
		return "", false
	}
	return code, true
}

// Select returns the policy of the most specific rule that matches a ticket
// of ticketType and priority located in regionCode (a six-digit GB/T 2260
// code). A rule is more specific when it sets more criteria; between rules
// with as many criteria, the one with the deeper region wins (district over
// city over province); remaining ties go to the rule declared first. A
// malformed regionCode matches only rules without a region. ok is false when
// no rule matches. Select does not validate the rules; see [ValidateRules].
func Select(rules []PolicyRule, ticketType, priority, regionCode string) (Policy, bool) {
	region, regionOK := regionPrefix(regionCode)
	best := -1
	bestCriteria, bestDepth := -1, -1
	for i, r := range rules {
		if !r.matches(ticketType, priority, region, regionOK) {
			continue
		}
		c, d := r.specificity()
		if c > bestCriteria || c == bestCriteria && d > bestDepth {
			best, bestCriteria, bestDepth = i, c, d
		}
	}
	if best < 0 {
		return Policy{}, false
	}
	return rules[best].Policy, true
}

// ValidateRules reports every problem of a rule set as a *[ValidationError]:
// each rule's policy problems (fields prefixed "rules[i]."), malformed region
// codes, and a rule with the same criteria as an earlier one, which Select
// could never choose.
func ValidateRules(rules []PolicyRule) error {
	pr := problems{subject: "policy rules"}
	type key struct{ typ, prio, region string }
	seen := make(map[key]int, len(rules))
	for i, r := range rules {
		prefix := fmt.Sprintf("rules[%d].", i)
		r.Policy.check(&pr, prefix+"policy.")
		region := ""
		if r.Region != "" {
			p, ok := regionPrefix(r.Region)
			if !ok {
				pr.add(prefix+"region", "invalid_format", map[string]any{"format": "region"}, "%q is not a GB/T 2260 code or prefix (2, 4 or 6 digits)", r.Region)
				continue
			}
			region = p
		}
		k := key{r.TicketType, r.Priority, region}
		if j, dup := seen[k]; dup {
			pr.add(fmt.Sprintf("rules[%d]", i), "policy_overlap", nil, "same criteria as rules[%d]; this rule can never be selected", j)
			continue
		}
		seen[k] = i
	}
	return pr.err()
}
