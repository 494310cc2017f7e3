package sla

import (
	"slices"
	"time"
)

// Target names one SLA clock of a ticket. Each hand-off has its own clock
// (an operational-level agreement), so a late outlet does not hide behind a
// fast hotline.
type Target string

// The clocks of a ticket.
const (
	// TargetFirstResponse runs from ticket creation to the hotline's first
	// response to the customer.
	TargetFirstResponse Target = "first_response"
	// TargetOutletAccept runs from a dispatch offer to the outlet's
	// acceptance; a re-dispatch restarts it.
	TargetOutletAccept Target = "outlet_accept"
	// TargetCustomerContact runs from acceptance to the outlet's first
	// contact with the customer.
	TargetCustomerContact Target = "customer_contact"
	// TargetOnsiteArrival runs until the technician arrives on site; its
	// duration depends on the distance band.
	TargetOnsiteArrival Target = "onsite_arrival"
	// TargetResolution runs from ticket creation to resolution; a reopen
	// restarts it.
	TargetResolution Target = "resolution"
)

// Targets returns the known clocks in the order of a ticket's life; it is
// also the order of [Evaluate]'s result.
func Targets() []Target {
	return []Target{TargetFirstResponse, TargetOutletAccept, TargetCustomerContact, TargetOnsiteArrival, TargetResolution}
}

// Valid reports whether t is one of the known clocks.
func (t Target) Valid() bool { return slices.Contains(Targets(), t) }

// EventKind is what an [Event] records.
type EventKind string

// The kinds of SLA events.
const (
	// KindPolicyApplied freezes a target duration (Duration), warning
	// fraction (WarnAt) and PolicyID for Target. Applied to a clock that is
	// running or paused it replaces the target of the current segment,
	// measured from the segment's start (re-prioritisation); a breach that
	// already happened stands. Build these events with [Policy.Apply].
	KindPolicyApplied EventKind = "policy_applied"
	// KindStarted starts Target's clock. Duration, when positive, overrides
	// the frozen policy duration. Ignored when the clock has already started
	// (use KindRestarted for a new segment).
	KindStarted EventKind = "started"
	// KindPaused pauses Target's clock, or every running clock when Target is
	// empty; Reason is the pause status (e.g. "waiting_customer"). Ignored
	// for a clock that is not running.
	KindPaused EventKind = "paused"
	// KindResumed resumes Target's clock, or every paused clock when Target
	// is empty. Ignored for a clock that is not paused.
	KindResumed EventKind = "resumed"
	// KindMet records that Target was achieved (first response given,
	// outlet accepted, ...). Ignored for a clock that is not running or
	// paused.
	KindMet EventKind = "met"
	// KindStopped ends Target's clock without meeting it (not applicable,
	// cancelled), or, with an empty Target, every open clock: that is how a
	// ticket's close is recorded (Reason "closed"). Clocks that never
	// started stay not started.
	KindStopped EventKind = "stopped"
	// KindRestarted begins a new segment of Target's clock at At, with
	// elapsed time, pauses and breach cleared: a reopened ticket restarts
	// TargetResolution, a re-dispatch to another outlet restarts
	// TargetOutletAccept. An open segment ends at that instant, as stopped
	// (or breached, if it was past its due instant) with StopReason Reason.
	// Earlier segments are kept in [ClockState.Previous]; other clocks keep
	// their results.
	KindRestarted EventKind = "restarted"
	// KindBandSet records the customer's distance band (Band) and the
	// on-site arrival duration it implies (Duration); it acts like
	// KindPolicyApplied for TargetOnsiteArrival. Build it with
	// [Policy.SetBand].
	KindBandSet EventKind = "band_set"
)

// Event is one entry of a ticket's SLA log. The log is append-only; the
// clock states are computed from it by [Evaluate].
type Event struct {
	// At is the instant the event happened.
	At time.Time `json:"at"`
	// Kind is what happened.
	Kind EventKind `json:"kind"`
	// Target is the clock concerned; empty means every clock for paused,
	// resumed and stopped, and TargetOnsiteArrival for band_set.
	Target Target `json:"target,omitempty"`
	// Reason is the pause status, or why a clock stopped or restarted
	// ("closed", "reopened", "redispatched").
	Reason string `json:"reason,omitempty"`
	// Actor is who or what caused the event (a user ID, "system").
	Actor string `json:"actor,omitempty"`
	// PolicyID is the policy a policy_applied or band_set event came from.
	PolicyID string `json:"policy_id,omitempty"`
	// Duration is the target duration frozen in policy_applied, band_set
	// and (optionally) started or restarted events, so that a later edit of
	// the policy does not change the ticket.
	Duration time.Duration `json:"duration,omitempty"`
	// WarnAt is the warning fraction frozen with the duration; zero means
	// [DefaultWarnAt].
	WarnAt float64 `json:"warn_at,omitempty"`
	// Band is the distance band of a band_set event.
	Band DistanceBand `json:"band,omitempty"`
}

// State is the headline status of a clock.
type State string

// The clock states, by precedence: breached beats met, stopped and paused;
// warning is a running clock past its warning fraction.
const (
	// StateNotStarted is a clock without a started event.
	StateNotStarted State = "not_started"
	// StateRunning is a clock counting working time, below its warning
	// fraction.
	StateRunning State = "running"
	// StateWarning is a running clock that has used at least its warning
	// fraction of the target but is not yet past its due instant.
	StateWarning State = "warning"
	// StatePaused is a paused clock that has not breached.
	StatePaused State = "paused"
	// StateMet is a clock met at or before its due instant.
	StateMet State = "met"
	// StateBreached is a clock that ran past its due instant: met late,
	// still open after the due instant, or stopped after it.
	StateBreached State = "breached"
	// StateStopped is a clock stopped before its due instant without being
	// met (not applicable, cancelled, closed, superseded by a restart).
	StateStopped State = "stopped"
)

// ClockState is one clock of a ticket as computed by [Evaluate]. Instants
// are UTC; durations are working time of the calendar. It is a plain value,
// suitable for storing (see [FinalResult]).
type ClockState struct {
	// Target is the clock.
	Target Target `json:"target"`
	// State is the headline status.
	State State `json:"state"`
	// Segment numbers the clock's runs: 1 for the first start, +1 per
	// restart; 0 when not started.
	Segment int `json:"segment"`
	// PolicyID is the policy the target duration came from.
	PolicyID string `json:"policy_id,omitempty"`
	// Duration is the target: the working time allowed. Zero means no
	// target: the clock is timed but never due, warned or breached.
	Duration time.Duration `json:"duration"`
	// WarnAt is the warning fraction in force.
	WarnAt float64 `json:"warn_at"`
	// Band is the distance band of an on-site arrival clock, if known.
	Band DistanceBand `json:"band,omitempty"`
	// StartedAt is the start of the current segment.
	StartedAt *time.Time `json:"started_at,omitempty"`
	// DueAt is the deadline: for a running clock the instant the target
	// will be used up; for a breached clock the instant it was; for a met
	// or stopped clock the deadline in force when it ended. Nil while
	// paused (the deadline moves on resume), without a target, and when the
	// calendar cannot reach the target (see [Calendar.Add]).
	DueAt *time.Time `json:"due_at,omitempty"`
	// WarnFrom is the instant the warning fraction is (or was) reached; nil
	// while paused before reaching it and when there is no target.
	WarnFrom *time.Time `json:"warn_from,omitempty"`
	// MetAt is when the clock was met.
	MetAt *time.Time `json:"met_at,omitempty"`
	// StoppedAt is when the clock was stopped without being met.
	StoppedAt *time.Time `json:"stopped_at,omitempty"`
	// Elapsed is the working time the clock has run, pauses excluded.
	Elapsed time.Duration `json:"elapsed"`
	// Remaining is Duration minus Elapsed, never negative.
	Remaining time.Duration `json:"remaining"`
	// PausedFor is the working time spent paused; it is the amount by which
	// the pauses pushed the deadline back.
	PausedFor time.Duration `json:"paused_for"`
	// PauseReason is the status of the current pause, if paused.
	PauseReason string `json:"pause_reason,omitempty"`
	// StopReason is the reason of the stop or restart that ended the clock.
	StopReason string `json:"stop_reason,omitempty"`
	// Breached reports that the clock ran past DueAt.
	Breached bool `json:"breached"`
	// Open reports that the clock is running or paused (it may be open and
	// breached at once).
	Open bool `json:"open"`
	// FractionUsed is Elapsed / Duration; it exceeds 1 once the target is
	// used up, and is 0 without a target.
	FractionUsed float64 `json:"fraction_used"`
	// Previous holds the results of earlier segments, oldest first, each
	// with Previous empty.
	Previous []ClockState `json:"previous,omitempty"`
}

// Evaluate computes the state of every clock of one ticket at instant now
// from its SLA event log. It is a pure function: the same log, calendar and
// now always give the same result.
//
// Events are taken in order of At (log order for equal instants); events
// after now are ignored, so Evaluate(events, cal, t) is the state as of t.
// The result has one entry per known target in [Targets] order, followed by
// any other target named in the log, sorted.
//
// Semantics:
//   - Only working time of cal counts (cal nil: every instant counts).
//   - Paused time does not count; on resume the deadline is recomputed from
//     the resume instant with the remaining working time.
//   - A clock is breached when it runs past its due instant: met after it
//     (met late), still running after it, or paused or stopped after it.
//     Met exactly at the due instant is met.
//   - Target durations come from the events (frozen at policy_applied,
//     band_set or started), never from the current policy, so policy edits
//     do not change a ticket; see [Policy.Apply].
//   - Closing a ticket is a stopped event without Target; it ends every open
//     clock. A reopen is a restarted event for TargetResolution: a new
//     segment from the reopen instant, while first response and the other
//     clocks keep their results. A re-dispatch to another outlet is a
//     restarted event for TargetOutletAccept, so acceptance is measured
//     from the new offer.
//
// Results depend on the calendar passed in. To keep the results of a closed
// ticket fixed against later calendar edits, store [Freeze] of the result
// at close and read it back with [FinalResult.Merge].
func Evaluate(events []Event, cal *Calendar, now time.Time) []ClockState {
	return evaluate(events, cal.compile(), now)
}

func evaluate(events []Event, s *schedule, now time.Time) []ClockState {
	log := make([]Event, 0, len(events))
	for _, ev := range events {
		if !ev.At.After(now) {
			log = append(log, ev)
		}
	}
	slices.SortStableFunc(log, func(a, b Event) int { return a.At.Compare(b.At) })

	clocks := make(map[Target]*clockRun)
	get := func(t Target) *clockRun {
		c, ok := clocks[t]
		if !ok {
			c = &clockRun{target: t}
			clocks[t] = c
		}
		return c
	}
	// each applies fn to the named clock, or to every clock when t is empty.
	each := func(t Target, fn func(*clockRun)) {
		if t != "" {
			fn(get(t))
			return
		}
		for _, c := range clocks {
			fn(c)
		}
	}
	for _, ev := range log {
		switch ev.Kind {
		case KindPolicyApplied:
			if ev.Target != "" {
				get(ev.Target).plan(s, ev)
			}
		case KindBandSet:
			t := ev.Target
			if t == "" {
				t = TargetOnsiteArrival
			}
			get(t).plan(s, ev)
		case KindStarted:
			if ev.Target != "" && !get(ev.Target).started {
				get(ev.Target).start(ev)
			}
		case KindRestarted:
			if ev.Target != "" {
				get(ev.Target).restart(s, ev)
			}
		case KindPaused:
			each(ev.Target, func(c *clockRun) { c.pause(ev) })
		case KindResumed:
			each(ev.Target, func(c *clockRun) { c.resume(ev) })
		case KindMet:
			if ev.Target != "" {
				get(ev.Target).end(ev.At, true, ev.Reason)
			}
		case KindStopped:
			each(ev.Target, func(c *clockRun) { c.end(ev.At, false, ev.Reason) })
		}
	}

	order := Targets()
	extra := make([]Target, 0)
	for t := range clocks {
		if !t.Valid() {
			extra = append(extra, t)
		}
	}
	slices.Sort(extra)
	order = append(order, extra...)
	out := make([]ClockState, 0, len(order))
	for _, t := range order {
		out = append(out, get(t).state(s, now))
	}
	return out
}

// span is a stretch of time during which a clock ran (or was paused).
type span struct{ from, to time.Time }

// clockRun is the mutable state of one clock while the log is replayed.
type clockRun struct {
	target Target

	// The latest frozen policy values, used at the next start.
	planDur    time.Duration
	planWarn   float64
	planPolicy string
	planBand   DistanceBand

	// The current segment.
	segment     int
	started     bool
	startedAt   time.Time
	dur         time.Duration
	warn        float64
	policyID    string
	band        DistanceBand
	runs        []span // closed running spans
	running     bool
	since       time.Time // start of the open running span
	paused      bool
	pausedSince time.Time
	pauseReason string
	pauses      []span // closed paused spans
	ended       bool
	endedPaused bool // ended while paused
	endAt       time.Time
	met         bool
	stopReason  string
	breachDue   *time.Time // a breach fixed before a target change

	previous []ClockState
}

func (c *clockRun) active() bool { return c.started && !c.ended }

// plan records a policy_applied or band_set event. An open clock takes the
// new target at once, after fixing any breach under the old one.
func (c *clockRun) plan(s *schedule, ev Event) {
	c.planDur = max(ev.Duration, 0)
	c.planWarn = ev.WarnAt
	c.planPolicy = ev.PolicyID
	if ev.Band != "" {
		c.planBand = ev.Band
	}
	if !c.active() {
		return
	}
	if c.breachDue == nil && c.dur > 0 {
		if due, ok, exceeded := deadline(s, c.spansUntil(ev.At), c.dur); ok && exceeded {
			c.breachDue = &due
		}
	}
	c.dur, c.warn, c.policyID, c.band = c.planDur, warnFraction(c.planWarn), c.planPolicy, c.planBand
}

// start opens a new segment at ev.At.
func (c *clockRun) start(ev Event) {
	old := *c
	*c = clockRun{
		target: old.target, planDur: old.planDur, planWarn: old.planWarn,
		planPolicy: old.planPolicy, planBand: old.planBand,
		segment: old.segment + 1, previous: old.previous, started: true, startedAt: ev.At,
		dur: old.planDur, warn: warnFraction(old.planWarn), policyID: old.planPolicy, band: old.planBand,
		running: true, since: ev.At,
	}
	if ev.Duration > 0 {
		c.dur = ev.Duration
	}
	if ev.WarnAt > 0 && ev.WarnAt < 1 {
		c.warn = ev.WarnAt
	}
	if ev.PolicyID != "" {
		c.policyID = ev.PolicyID
	}
}

// restart archives the current segment, ending it at ev.At if it is open,
// and starts the next one.
func (c *clockRun) restart(s *schedule, ev Event) {
	if c.started {
		reason := ev.Reason
		if reason == "" {
			reason = string(KindRestarted)
		}
		c.end(ev.At, false, reason)
		st := c.state(s, ev.At)
		st.Previous = nil
		c.previous = append(c.previous, st)
	}
	c.start(ev)
}

func (c *clockRun) pause(ev Event) {
	if !c.active() || !c.running {
		return
	}
	c.runs = append(c.runs, span{c.since, ev.At})
	c.running, c.paused, c.pausedSince, c.pauseReason = false, true, ev.At, ev.Reason
}

func (c *clockRun) resume(ev Event) {
	if !c.active() || !c.paused {
		return
	}
	c.pauses = append(c.pauses, span{c.pausedSince, ev.At})
	c.paused, c.pauseReason, c.running, c.since = false, "", true, ev.At
}

// end closes the segment at instant at, as met or as stopped.
func (c *clockRun) end(at time.Time, met bool, reason string) {
	if !c.active() {
		return
	}
	if c.running {
		c.runs = append(c.runs, span{c.since, at})
	}
	if c.paused {
		c.pauses = append(c.pauses, span{c.pausedSince, at})
	}
	c.endedPaused = c.paused
	c.running, c.paused, c.pauseReason = false, false, ""
	c.ended, c.endAt, c.met = true, at, met
	if !met {
		c.stopReason = reason
	}
}

// spansUntil returns the running spans with the open one closed at t.
func (c *clockRun) spansUntil(t time.Time) []span {
	spans := slices.Clone(c.runs)
	if c.running {
		spans = append(spans, span{c.since, t})
	}
	return spans
}

// state reports the clock as of now (or as of its end, if it ended).
func (c *clockRun) state(s *schedule, now time.Time) ClockState {
	cs := ClockState{
		Target: c.target, Segment: c.segment, PolicyID: c.policyID, Duration: c.dur,
		WarnAt: c.warn, Band: c.band, Previous: slices.Clone(c.previous),
	}
	if !c.started {
		cs.State, cs.PolicyID, cs.Duration = StateNotStarted, c.planPolicy, c.planDur
		cs.WarnAt, cs.Band, cs.Remaining = warnFraction(c.planWarn), c.planBand, c.planDur
		return cs
	}
	end := now
	if c.ended {
		end = c.endAt
	}
	spans := c.spansUntil(end)
	for _, sp := range spans {
		cs.Elapsed = satAdd(cs.Elapsed, s.between(sp.from, sp.to))
	}
	for _, sp := range c.pauses {
		cs.PausedFor = satAdd(cs.PausedFor, s.between(sp.from, sp.to))
	}
	if c.paused {
		cs.PausedFor = satAdd(cs.PausedFor, s.between(c.pausedSince, end))
	}
	pausedNow := c.paused || c.endedPaused

	switch {
	case c.breachDue != nil:
		cs.Breached, cs.DueAt = true, utc(*c.breachDue)
	case c.dur > 0:
		due, ok, exceeded := deadline(s, spans, c.dur)
		if ok && (exceeded || !pausedNow) {
			cs.DueAt = utc(due)
		}
		cs.Breached = exceeded
	}
	if c.dur > 0 {
		cs.Remaining = max(c.dur-cs.Elapsed, 0)
		cs.FractionUsed = float64(cs.Elapsed) / float64(c.dur)
		warnAt := time.Duration(float64(c.dur) * c.warn)
		// A warning instant counts when it lies inside the running time, or
		// ahead of a clock that is still running.
		if w, ok, _ := deadline(s, spans, warnAt); ok && len(spans) > 0 && (c.running || !w.After(spans[len(spans)-1].to)) {
			cs.WarnFrom = utc(w)
		}
	}

	cs.StartedAt = utc(c.startedAt)
	cs.Open = !c.ended
	if c.paused {
		cs.PauseReason = c.pauseReason
	}
	if c.ended && c.met {
		cs.MetAt = utc(c.endAt)
	}
	if c.ended && !c.met {
		cs.StoppedAt, cs.StopReason = utc(c.endAt), c.stopReason
	}
	switch {
	case cs.Breached:
		cs.State = StateBreached
	case c.ended && c.met:
		cs.State = StateMet
	case c.ended:
		cs.State = StateStopped
	case c.paused:
		cs.State = StatePaused
	case c.dur > 0 && cs.FractionUsed >= c.warn:
		cs.State = StateWarning
	default:
		cs.State = StateRunning
	}
	return cs
}

// deadline walks the running spans of a clock and returns the instant at
// which its working time reaches limit, recomputing the deadline at the
// start of each span as a resume does. exceeded reports that the clock ran
// past that instant; ok is false when the calendar cannot reach the limit.
// The last span's deadline is returned even when it lies after the span (a
// running clock's future due instant).
func deadline(s *schedule, spans []span, limit time.Duration) (due time.Time, ok, exceeded bool) {
	var used time.Duration
	for i, sp := range spans {
		last := i == len(spans)-1
		d, err := s.add(sp.from, max(limit-used, 0))
		switch {
		case err == nil && sp.to.After(d):
			return d, true, true
		case err == nil && last:
			return d, true, false
		case last:
			return time.Time{}, false, false
		}
		used = satAdd(used, s.between(sp.from, sp.to))
	}
	return time.Time{}, false, false
}

// warnFraction applies the default to a frozen warning fraction.
func warnFraction(f float64) float64 {
	if f > 0 && f < 1 {
		return f
	}
	return DefaultWarnAt
}

// satAdd adds two non-negative durations without overflowing.
func satAdd(a, b time.Duration) time.Duration {
	if s := a + b; s >= a {
		return s
	}
	return time.Duration(1<<63 - 1)
}

func utc(t time.Time) *time.Time {
	u := t.UTC()
	return &u
}

// CrossingKind is the threshold a clock crossed.
type CrossingKind string

// The thresholds reported by [Thresholds].
const (
	// CrossingWarning is a clock reaching its warning fraction.
	CrossingWarning CrossingKind = "warning"
	// CrossingBreach is a clock running past its due instant.
	CrossingBreach CrossingKind = "breach"
)

// Crossing is a threshold one clock segment crossed between two checks.
type Crossing struct {
	// Target is the clock.
	Target Target `json:"target"`
	// Kind is the threshold crossed.
	Kind CrossingKind `json:"kind"`
	// Segment is the clock segment that crossed it.
	Segment int `json:"segment"`
	// At is when the threshold was reached: the due instant for a breach,
	// the warning instant for a warning, or now when unknown.
	At time.Time `json:"at"`
	// Clock is the segment's state as of now.
	Clock ClockState `json:"clock"`
}

// Thresholds reports the clocks that crossed a threshold between the
// previous check (since) and now, for a scheduler job to raise warning and
// breach events. It compares Evaluate at since with Evaluate at now, so for
// a given log every crossing is reported by exactly one of a series of
// checks whose windows follow each other, even when a re-prioritisation
// moved a deadline into the past. A breach is reported for every segment that became
// breached, including one closed by a restart in the window. A warning is
// reported for an open, unbreached segment that reached its warning
// fraction; a segment that warned and breached in the same window reports
// only the breach. Nil when now is not after since.
func Thresholds(events []Event, cal *Calendar, since, now time.Time) []Crossing {
	if !now.After(since) {
		return nil
	}
	s := cal.compile()
	type key struct {
		t   Target
		seg int
	}
	before := make(map[key]ClockState)
	for _, c := range evaluate(events, s, since) {
		for _, seg := range append(slices.Clone(c.Previous), c) {
			before[key{seg.Target, seg.Segment}] = seg
		}
	}
	var out []Crossing
	for _, c := range evaluate(events, s, now) {
		for _, seg := range append(slices.Clone(c.Previous), c) {
			if seg.Segment == 0 {
				continue
			}
			b := before[key{seg.Target, seg.Segment}]
			switch {
			case seg.Breached && !b.Breached:
				out = append(out, Crossing{Target: seg.Target, Kind: CrossingBreach, Segment: seg.Segment, At: at(seg.DueAt, now), Clock: seg})
			case seg.Open && !seg.Breached && warned(seg) && !warned(b) && !b.Breached:
				out = append(out, Crossing{Target: seg.Target, Kind: CrossingWarning, Segment: seg.Segment, At: at(seg.WarnFrom, now), Clock: seg})
			}
		}
	}
	return out
}

func warned(c ClockState) bool { return c.Duration > 0 && c.FractionUsed >= c.WarnAt }

func at(t *time.Time, fallback time.Time) time.Time {
	if t != nil {
		return *t
	}
	return fallback.UTC()
}

// FinalResult is a ticket's SLA outcome fixed at close, to be stored with
// the ticket (it marshals to JSON). Once stored it is the record: later
// edits of calendars or policies do not change it.
type FinalResult struct {
	// ClosedAt is the instant the result was fixed.
	ClosedAt time.Time `json:"closed_at"`
	// Clocks are the clock states at close, as returned by Evaluate.
	Clocks []ClockState `json:"clocks"`
}

// Freeze returns a deep copy of states as the ticket's final result at
// closedAt. Call it with Evaluate(events, cal, closedAt) right after the
// close (a stopped event without Target) is appended.
func Freeze(states []ClockState, closedAt time.Time) FinalResult {
	clocks := make([]ClockState, len(states))
	for i, st := range states {
		clocks[i] = clone(st)
	}
	return FinalResult{ClosedAt: closedAt.UTC(), Clocks: clocks}
}

// Clock returns the frozen state of target t.
func (f FinalResult) Clock(t Target) (ClockState, bool) {
	for _, c := range f.Clocks {
		if c.Target == t {
			return clone(c), true
		}
	}
	return ClockState{}, false
}

// Merge returns current (a fresh Evaluate of the same ticket, e.g. after a
// reopen) with every segment that was settled at close — met, stopped or
// breached, and no longer open — replaced by its frozen copy. A segment is
// identified by target and segment number, so a clock restarted after the
// close shows its new segment live while the frozen one stays in Previous,
// and clocks that were still open or not started at close are taken from
// current.
func (f FinalResult) Merge(current []ClockState) []ClockState {
	type key struct {
		t   Target
		seg int
	}
	frozen := make(map[key]ClockState)
	for _, c := range f.Clocks {
		for _, seg := range append(slices.Clone(c.Previous), c) {
			if seg.Segment > 0 && !seg.Open {
				frozen[key{seg.Target, seg.Segment}] = seg
			}
		}
	}
	out := make([]ClockState, len(current))
	for i, c := range current {
		if fz, ok := frozen[key{c.Target, c.Segment}]; ok {
			out[i] = clone(fz)
			continue
		}
		out[i] = clone(c)
		for j, p := range out[i].Previous {
			if fz, ok := frozen[key{p.Target, p.Segment}]; ok {
				fz = clone(fz)
				fz.Previous = nil
				out[i].Previous[j] = fz
			}
		}
	}
	return out
}

// clone deep-copies a ClockState so stored results share no memory with
// the caller's.
func clone(c ClockState) ClockState {
	for _, p := range []**time.Time{&c.StartedAt, &c.DueAt, &c.WarnFrom, &c.MetAt, &c.StoppedAt} {
		if *p != nil {
			t := **p
			*p = &t
		}
	}
	if c.Previous != nil {
		prev := make([]ClockState, len(c.Previous))
		for i, p := range c.Previous {
			prev[i] = clone(p)
		}
		c.Previous = prev
	}
	return c
}
