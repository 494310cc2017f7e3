package sla

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// householdP2 is the policy most tests apply: a 4 h resolution target on
// working time, as in a service manager's worked examples.
func householdP2() Policy {
	return Policy{
		ID:   "household-p2",
		Name: "Household appliances, P2",
		Targets: map[Target]time.Duration{
			TargetFirstResponse:   30 * time.Minute,
			TargetOutletAccept:    time.Hour,
			TargetCustomerContact: 2 * time.Hour,
			TargetResolution:      4 * time.Hour,
		},
		ArrivalByBand: map[DistanceBand]time.Duration{
			BandCity: 4 * time.Hour, BandWithin200km: 8 * time.Hour, BandWithin500km: 16 * time.Hour, BandRemote: 40 * time.Hour,
		},
		PauseStatuses: []string{"waiting_customer", "waiting_parts"},
		WarnAt:        0.8,
		CalendarID:    "outlet",
	}
}

// withResolution returns householdP2 with another resolution target.
func withResolution(id string, d time.Duration) Policy {
	p := householdP2()
	p.ID = id
	p.Targets[TargetResolution] = d
	return p
}

// ev builds an event at a Shanghai wall time; opts set Reason, Duration...
func ev(t testing.TB, at string, kind EventKind, target Target, opts ...func(*Event)) Event {
	t.Helper()
	e := Event{At: cst(t, at), Kind: kind, Target: target, Actor: "agent-7"}
	for _, o := range opts {
		o(&e)
	}
	return e
}

func reason(r string) func(*Event) { return func(e *Event) { e.Reason = r } }

// opened is a ticket created at `at` under householdP2 with its resolution
// clock started, followed by more events.
func opened(t testing.TB, at string, more ...Event) []Event {
	t.Helper()
	log := householdP2().Apply(cst(t, at), "system", "")
	log = append(log, ev(t, at, KindStarted, TargetResolution))
	return append(log, more...)
}

func clockOf(t testing.TB, states []ClockState, target Target) ClockState {
	t.Helper()
	for _, s := range states {
		if s.Target == target {
			return s
		}
	}
	t.Fatalf("no clock %s in %+v", target, states)
	return ClockState{}
}

// want is what a service manager checks on one clock.
type want struct {
	state     State
	due       string // Shanghai wall time, "" for none
	elapsed   time.Duration
	pausedFor time.Duration
	breached  bool
	open      bool
}

func (w want) check(t *testing.T, got ClockState) {
	t.Helper()
	if got.State != w.state {
		t.Errorf("state = %s, want %s", got.State, w.state)
	}
	switch {
	case w.due == "" && got.DueAt != nil:
		t.Errorf("due = %s, want none", fmtCST(*got.DueAt))
	case w.due != "" && got.DueAt == nil:
		t.Errorf("due = none, want %s", w.due)
	case w.due != "" && !got.DueAt.Equal(cst(t, w.due)):
		t.Errorf("due = %s, want %s", fmtCST(*got.DueAt), w.due)
	}
	if got.Elapsed != w.elapsed {
		t.Errorf("elapsed = %s, want %s", got.Elapsed, w.elapsed)
	}
	if got.PausedFor != w.pausedFor {
		t.Errorf("paused for = %s, want %s", got.PausedFor, w.pausedFor)
	}
	if got.Breached != w.breached {
		t.Errorf("breached = %v, want %v", got.Breached, w.breached)
	}
	if got.Open != w.open {
		t.Errorf("open = %v, want %v", got.Open, w.open)
	}
	if got.Duration > 0 && got.Remaining != max(got.Duration-got.Elapsed, 0) {
		t.Errorf("remaining = %s with duration %s and elapsed %s", got.Remaining, got.Duration, got.Elapsed)
	}
}

func TestEvaluateResolutionClock(t *testing.T) {
	cal := outletCalendar(t)
	const R = TargetResolution
	waiting := reason("waiting_customer")
	tests := []struct {
		name   string
		events []Event
		now    string
		want   want
	}{
		// 4 h started Tue 11:00: 11:00–12:00 and 13:30–16:30.
		{"running before the warning", opened(t, "2026-06-02 11:00"), "2026-06-02 13:45",
			want{state: StateRunning, due: "2026-06-02 16:30", elapsed: 75 * time.Minute, open: true}},
		{"lunch break does not count", opened(t, "2026-06-02 11:00"), "2026-06-02 13:30",
			want{state: StateRunning, due: "2026-06-02 16:30", elapsed: time.Hour, open: true}},
		{"just under 80%", opened(t, "2026-06-02 11:00"), "2026-06-02 15:41",
			want{state: StateRunning, due: "2026-06-02 16:30", elapsed: 3*time.Hour + 11*time.Minute, open: true}},
		{"warning at 80% (3 h 12 min of 4 h)", opened(t, "2026-06-02 11:00"), "2026-06-02 15:42",
			want{state: StateWarning, due: "2026-06-02 16:30", elapsed: 3*time.Hour + 12*time.Minute, open: true}},
		{"open at the due instant is not yet breached", opened(t, "2026-06-02 11:00"), "2026-06-02 16:30",
			want{state: StateWarning, due: "2026-06-02 16:30", elapsed: 4 * time.Hour, open: true}},
		{"open after the due instant is breached", opened(t, "2026-06-02 11:00"), "2026-06-02 16:31",
			want{state: StateBreached, due: "2026-06-02 16:30", elapsed: 4*time.Hour + time.Minute, breached: true, open: true}},
		{"still breached overnight", opened(t, "2026-06-02 11:00"), "2026-06-03 07:00",
			want{state: StateBreached, due: "2026-06-02 16:30", elapsed: 5*time.Hour + 30*time.Minute, breached: true, open: true}},
		{"met early", opened(t, "2026-06-02 11:00", ev(t, "2026-06-02 14:00", KindMet, R)), "2026-06-03 10:00",
			want{state: StateMet, due: "2026-06-02 16:30", elapsed: 90 * time.Minute}},
		{"met exactly at due is met", opened(t, "2026-06-02 11:00", ev(t, "2026-06-02 16:30", KindMet, R)), "2026-06-03 10:00",
			want{state: StateMet, due: "2026-06-02 16:30", elapsed: 4 * time.Hour}},
		{"met one second late is breached", opened(t, "2026-06-02 11:00", ev(t, "2026-06-02 16:30:01", KindMet, R)), "2026-06-03 10:00",
			want{state: StateBreached, due: "2026-06-02 16:30", elapsed: 4*time.Hour + time.Second, breached: true}},
		{"met the next morning is breached", opened(t, "2026-06-02 11:00", ev(t, "2026-06-03 09:00", KindMet, R)), "2026-06-03 10:00",
			want{state: StateBreached, due: "2026-06-02 16:30", elapsed: 6 * time.Hour, breached: true}},
		{"Friday afternoon ticket is due Monday", opened(t, "2026-06-05 17:00"), "2026-06-08 08:00",
			want{state: StateRunning, due: "2026-06-08 11:30", elapsed: time.Hour, open: true}},
		{"National Day does not count", opened(t, "2026-09-30 17:00"), "2026-10-05 10:00",
			want{state: StateRunning, due: "2026-10-08 11:30", elapsed: time.Hour, open: true}},

		// 4 h started Tue 09:00 is due 14:30; pauses push it back.
		{"waiting for the customer 10:00–12:00 extends due by 2 h",
			opened(t, "2026-06-02 09:00",
				ev(t, "2026-06-02 10:00", KindPaused, R, waiting),
				ev(t, "2026-06-02 12:00", KindResumed, R)),
			"2026-06-02 14:00",
			want{state: StateRunning, due: "2026-06-02 16:30", elapsed: 90 * time.Minute, pausedFor: 2 * time.Hour, open: true}},
		{"while paused there is no due",
			opened(t, "2026-06-02 09:00", ev(t, "2026-06-02 10:00", KindPaused, R, waiting)),
			"2026-06-02 11:00",
			want{state: StatePaused, elapsed: time.Hour, pausedFor: time.Hour, open: true}},
		{"a pause over lunch extends due by its working time only",
			opened(t, "2026-06-02 09:00",
				ev(t, "2026-06-02 11:00", KindPaused, R, waiting),
				ev(t, "2026-06-02 14:00", KindResumed, R)),
			"2026-06-02 15:00",
			want{state: StateRunning, due: "2026-06-02 16:00", elapsed: 3 * time.Hour, pausedFor: 90 * time.Minute, open: true}},
		{"paused after the due instant is breached",
			opened(t, "2026-06-02 09:00", ev(t, "2026-06-02 15:00", KindPaused, R, waiting)),
			"2026-06-02 16:00",
			want{state: StateBreached, due: "2026-06-02 14:30", elapsed: 4*time.Hour + 30*time.Minute, pausedFor: time.Hour, breached: true, open: true}},
		{"paused exactly at due and met on resume is met",
			opened(t, "2026-06-02 09:00",
				ev(t, "2026-06-02 14:30", KindPaused, R, waiting),
				ev(t, "2026-06-02 15:00", KindResumed, R),
				ev(t, "2026-06-02 15:00", KindMet, R)),
			"2026-06-02 16:00",
			want{state: StateMet, due: "2026-06-02 15:00", elapsed: 4 * time.Hour, pausedFor: 30 * time.Minute}},
		{"resumed at zero remaining, any more running time is late",
			opened(t, "2026-06-02 09:00",
				ev(t, "2026-06-02 14:30", KindPaused, R, waiting),
				ev(t, "2026-06-02 15:00", KindResumed, R),
				ev(t, "2026-06-02 15:01", KindMet, R)),
			"2026-06-02 16:00",
			want{state: StateBreached, due: "2026-06-02 15:00", elapsed: 4*time.Hour + time.Minute, pausedFor: 30 * time.Minute, breached: true}},
		{"a second pause and a stray resume are ignored",
			opened(t, "2026-06-02 09:00",
				ev(t, "2026-06-02 09:30", KindResumed, R),
				ev(t, "2026-06-02 10:00", KindPaused, R, waiting),
				ev(t, "2026-06-02 10:30", KindPaused, R, reason("waiting_parts")),
				ev(t, "2026-06-02 11:00", KindResumed, R)),
			"2026-06-02 11:30",
			want{state: StateRunning, due: "2026-06-02 15:30", elapsed: 90 * time.Minute, pausedFor: time.Hour, open: true}},
		{"stopped before due", opened(t, "2026-06-02 09:00", ev(t, "2026-06-02 12:00", KindStopped, R, reason("cancelled"))),
			"2026-06-03 12:00",
			want{state: StateStopped, due: "2026-06-02 14:30", elapsed: 3 * time.Hour}},
		{"stopped after due is breached", opened(t, "2026-06-02 09:00", ev(t, "2026-06-02 15:00", KindStopped, R, reason("cancelled"))),
			"2026-06-03 12:00",
			want{state: StateBreached, due: "2026-06-02 14:30", elapsed: 4*time.Hour + 30*time.Minute, breached: true}},
		{"stopped while paused has no due",
			opened(t, "2026-06-02 09:00",
				ev(t, "2026-06-02 10:00", KindPaused, R, waiting),
				ev(t, "2026-06-02 11:00", KindStopped, "", reason("closed"))),
			"2026-06-03 12:00",
			want{state: StateStopped, elapsed: time.Hour, pausedFor: time.Hour}},
		{"events after now are ignored", opened(t, "2026-06-02 11:00", ev(t, "2026-06-02 17:00", KindMet, R)), "2026-06-02 13:45",
			want{state: StateRunning, due: "2026-06-02 16:30", elapsed: 75 * time.Minute, open: true}},
		{"a second start is ignored", opened(t, "2026-06-02 11:00", ev(t, "2026-06-02 14:00", KindStarted, R)), "2026-06-02 14:00",
			want{state: StateRunning, due: "2026-06-02 16:30", elapsed: 90 * time.Minute, open: true}},
		{"met after met is ignored",
			opened(t, "2026-06-02 11:00", ev(t, "2026-06-02 14:00", KindMet, R), ev(t, "2026-06-02 17:00", KindMet, R)),
			"2026-06-03 10:00",
			want{state: StateMet, due: "2026-06-02 16:30", elapsed: 90 * time.Minute}},

		// Re-prioritisation replaces the target of the running clock,
		// measured from its start; a breach that happened stays.
		{"raised to a 2 h target", opened(t, "2026-06-02 09:00", withResolution("p1", 2*time.Hour).Apply(cst(t, "2026-06-02 10:00"), "lead", "")...),
			"2026-06-02 10:30",
			want{state: StateRunning, due: "2026-06-02 11:00", elapsed: 90 * time.Minute, open: true}},
		{"raised below the elapsed time breaches at the earlier due",
			opened(t, "2026-06-02 09:00", withResolution("p1", 2*time.Hour).Apply(cst(t, "2026-06-02 12:00"), "lead", "")...),
			"2026-06-02 12:05",
			want{state: StateBreached, due: "2026-06-02 11:00", elapsed: 3 * time.Hour, breached: true, open: true}},
		{"lowered before due extends it", opened(t, "2026-06-02 09:00", withResolution("p3", 8*time.Hour).Apply(cst(t, "2026-06-02 10:00"), "lead", "")...),
			"2026-06-02 10:30",
			want{state: StateRunning, due: "2026-06-03 09:00", elapsed: 90 * time.Minute, open: true}},
		{"lowered after a breach keeps the breach", opened(t, "2026-06-02 09:00", withResolution("p3", 8*time.Hour).Apply(cst(t, "2026-06-02 15:00"), "lead", "")...),
			"2026-06-02 15:30",
			want{state: StateBreached, due: "2026-06-02 14:30", elapsed: 5 * time.Hour, breached: true, open: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := clockOf(t, Evaluate(tc.events, cal, cst(t, tc.now)), R)
			tc.want.check(t, got)
		})
	}
}

func TestEvaluateDetails(t *testing.T) {
	cal := outletCalendar(t)
	const R = TargetResolution

	t.Run("warning instant and fraction", func(t *testing.T) {
		got := clockOf(t, Evaluate(opened(t, "2026-06-02 11:00"), cal, cst(t, "2026-06-02 14:00")), R)
		if got.WarnFrom == nil || !got.WarnFrom.Equal(cst(t, "2026-06-02 15:42")) {
			t.Errorf("warn from = %v, want 15:42", got.WarnFrom)
		}
		if got.FractionUsed != 0.375 || got.WarnAt != 0.8 || got.PolicyID != "household-p2" || got.Segment != 1 {
			t.Errorf("got %+v", got)
		}
		if !got.StartedAt.Equal(cst(t, "2026-06-02 11:00")) || got.StartedAt.Location() != time.UTC {
			t.Errorf("started at %v", got.StartedAt)
		}
	})
	t.Run("pause reason and stop reason are reported", func(t *testing.T) {
		log := opened(t, "2026-06-02 09:00", ev(t, "2026-06-02 10:00", KindPaused, "", reason("waiting_parts")))
		if got := clockOf(t, Evaluate(log, cal, cst(t, "2026-06-02 11:00")), R); got.PauseReason != "waiting_parts" {
			t.Errorf("pause reason %q", got.PauseReason)
		}
		log = append(log, ev(t, "2026-06-02 11:00", KindStopped, "", reason("closed")))
		got := clockOf(t, Evaluate(log, cal, cst(t, "2026-06-02 12:00")), R)
		if got.StopReason != "closed" || got.PauseReason != "" || got.StoppedAt == nil || got.MetAt != nil {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("order of the log does not matter", func(t *testing.T) {
		log := opened(t, "2026-06-02 09:00",
			ev(t, "2026-06-02 10:00", KindPaused, R, reason("waiting_customer")),
			ev(t, "2026-06-02 12:00", KindResumed, R))
		shuffled := append([]Event(nil), log...)
		rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		now := cst(t, "2026-06-02 15:00")
		if a, b := Evaluate(log, cal, now), Evaluate(shuffled, cal, now); !reflect.DeepEqual(a, b) {
			t.Errorf("sorted %+v\nshuffled %+v", a, b)
		}
	})
	t.Run("a clock without a target is timed but never due", func(t *testing.T) {
		p := householdP2()
		delete(p.Targets, TargetCustomerContact)
		log := append(p.Apply(cst(t, "2026-06-02 09:00"), "system", ""), ev(t, "2026-06-02 09:00", KindStarted, TargetCustomerContact))
		want{state: StateRunning, elapsed: 16 * time.Hour, open: true}.
			check(t, clockOf(t, Evaluate(log, cal, cst(t, "2026-06-04 09:00")), TargetCustomerContact))
	})
	t.Run("a clock that has not started shows its frozen target", func(t *testing.T) {
		got := clockOf(t, Evaluate(opened(t, "2026-06-02 09:00"), cal, cst(t, "2026-06-02 10:00")), TargetCustomerContact)
		if got.State != StateNotStarted || got.Duration != 2*time.Hour || got.Remaining != 2*time.Hour || got.Segment != 0 || got.Open {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("a started event can carry its own duration", func(t *testing.T) {
		log := []Event{ev(t, "2026-06-02 09:00", KindStarted, TargetFirstResponse, func(e *Event) { e.Duration = 15 * time.Minute })}
		got := clockOf(t, Evaluate(log, cal, cst(t, "2026-06-02 09:05")), TargetFirstResponse)
		if got.DueAt == nil || !got.DueAt.Equal(cst(t, "2026-06-02 09:15")) || got.WarnAt != DefaultWarnAt {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("result lists the known clocks in order, then others", func(t *testing.T) {
		log := append(opened(t, "2026-06-02 09:00"), ev(t, "2026-06-02 09:00", KindStarted, "parts_shipment"))
		var names []Target
		for _, s := range Evaluate(log, cal, cst(t, "2026-06-02 10:00")) {
			names = append(names, s.Target)
		}
		if want := append(Targets(), "parts_shipment"); !reflect.DeepEqual(names, want) {
			t.Errorf("targets %v, want %v", names, want)
		}
	})
	t.Run("a calendar without working time never loops nor breaches", func(t *testing.T) {
		begin := time.Now()
		got := clockOf(t, Evaluate(opened(t, "2026-06-02 09:00"), &Calendar{}, cst(t, "2027-06-02 09:00")), R)
		want{state: StateRunning, open: true}.check(t, got)
		if time.Since(begin) > time.Second {
			t.Errorf("took %s", time.Since(begin))
		}
	})
	t.Run("a nil calendar is 24x7", func(t *testing.T) {
		want{state: StateBreached, due: "2026-06-02 13:00", elapsed: 8 * time.Hour, breached: true, open: true}.
			check(t, clockOf(t, Evaluate(opened(t, "2026-06-02 09:00"), nil, cst(t, "2026-06-02 17:00")), R))
	})
	t.Run("a 24x7 hotline calendar counts nights and holidays", func(t *testing.T) {
		want{state: StateRunning, due: "2026-10-01 14:00", elapsed: 3 * time.Hour, open: true}.
			check(t, clockOf(t, Evaluate(opened(t, "2026-10-01 10:00"), &Calendar{AlwaysOpen: true}, cst(t, "2026-10-01 13:00")), R))
	})
}

func TestEvaluateOnsiteArrivalByBand(t *testing.T) {
	cal := outletCalendar(t)
	p := householdP2()
	const A = TargetOnsiteArrival
	log := append(p.Apply(cst(t, "2026-06-02 09:00"), "system", ""),
		p.SetBand(BandCity, cst(t, "2026-06-02 09:00"), "dispatcher"),
		ev(t, "2026-06-02 09:30", KindStarted, A))
	got := clockOf(t, Evaluate(log, cal, cst(t, "2026-06-02 10:00")), A)
	want{state: StateRunning, due: "2026-06-02 15:00", elapsed: 30 * time.Minute, open: true}.check(t, got)
	if got.Band != BandCity || got.Duration != 4*time.Hour {
		t.Errorf("band %s, duration %s", got.Band, got.Duration)
	}

	// The customer turns out to be 150 km away: 8 h from the same start.
	log = append(log, p.SetBand(BandWithin200km, cst(t, "2026-06-02 10:00"), "dispatcher"))
	got = clockOf(t, Evaluate(log, cal, cst(t, "2026-06-02 10:30")), A)
	want{state: StateRunning, due: "2026-06-03 09:30", elapsed: time.Hour, open: true}.check(t, got)
	if got.Band != BandWithin200km {
		t.Errorf("band %s", got.Band)
	}

	// Without a band and without a flat arrival target there is no due.
	log = append(p.Apply(cst(t, "2026-06-02 09:00"), "system", ""), ev(t, "2026-06-02 09:30", KindStarted, A))
	want{state: StateRunning, elapsed: 30 * time.Minute, open: true}.
		check(t, clockOf(t, Evaluate(log, cal, cst(t, "2026-06-02 10:00")), A))
}

// serviceTicket is a whole ticket as a service manager would replay it, on
// Tuesday 2026-06-02 under householdP2 and the outlet calendar:
//
//	09:00 created: first response and resolution start
//	09:20 hotline answers (first response met, 30 min target)
//	09:30 offered to outlet A: outlet accept starts (1 h target)
//	10:20 outlet A rejects; re-dispatched to outlet B: outlet accept restarts
//	10:50 outlet B accepts (30 min after its offer); customer contact starts
//	11:10 B calls the customer; band city; on-site arrival starts (4 h)
//	11:30–14:00 waiting for parts (1 h of working time: 11:30–12:00, 13:30–14:00)
//	14:00 technician arrives
//	15:00 resolved (due 15:30 after the pause)
//	15:05 closed
func serviceTicket(t testing.TB) []Event {
	p := householdP2()
	log := p.Apply(cst(t, "2026-06-02 09:00"), "system", "")
	return append(log,
		ev(t, "2026-06-02 09:00", KindStarted, TargetFirstResponse),
		ev(t, "2026-06-02 09:00", KindStarted, TargetResolution),
		ev(t, "2026-06-02 09:20", KindMet, TargetFirstResponse),
		ev(t, "2026-06-02 09:30", KindStarted, TargetOutletAccept, reason("offered to outlet A")),
		ev(t, "2026-06-02 10:20", KindRestarted, TargetOutletAccept, reason("redispatched")),
		ev(t, "2026-06-02 10:50", KindMet, TargetOutletAccept),
		ev(t, "2026-06-02 10:50", KindStarted, TargetCustomerContact),
		ev(t, "2026-06-02 11:10", KindMet, TargetCustomerContact),
		p.SetBand(BandCity, cst(t, "2026-06-02 11:10"), "dispatcher"),
		ev(t, "2026-06-02 11:10", KindStarted, TargetOnsiteArrival),
		ev(t, "2026-06-02 11:30", KindPaused, "", reason("waiting_parts")),
		ev(t, "2026-06-02 14:00", KindResumed, ""),
		ev(t, "2026-06-02 14:00", KindMet, TargetOnsiteArrival),
		ev(t, "2026-06-02 15:00", KindMet, TargetResolution),
		ev(t, "2026-06-02 15:05", KindStopped, "", reason("closed")),
	)
}

func TestEvaluateServiceTicket(t *testing.T) {
	cal := outletCalendar(t)
	states := Evaluate(serviceTicket(t), cal, cst(t, "2026-06-02 15:05"))
	tests := []struct {
		target Target
		want   want
	}{
		{TargetFirstResponse, want{state: StateMet, due: "2026-06-02 09:30", elapsed: 20 * time.Minute}},
		// Measured from outlet B's offer; from A's it would be 80 min.
		{TargetOutletAccept, want{state: StateMet, due: "2026-06-02 11:20", elapsed: 30 * time.Minute}},
		// 2 h from 10:50 is 10:50–12:00 and 13:30–14:20.
		{TargetCustomerContact, want{state: StateMet, due: "2026-06-02 14:20", elapsed: 20 * time.Minute}},
		// The whole-ticket pause also paused on-site arrival.
		// 20 min ran before the pause; 3 h 40 min remained from 14:00.
		{TargetOnsiteArrival, want{state: StateMet, due: "2026-06-02 17:40", elapsed: 20 * time.Minute, pausedFor: time.Hour}},
		{TargetResolution, want{state: StateMet, due: "2026-06-02 15:30", elapsed: 3*time.Hour + 30*time.Minute, pausedFor: time.Hour}},
	}
	for _, tc := range tests {
		t.Run(string(tc.target), func(t *testing.T) {
			tc.want.check(t, clockOf(t, states, tc.target))
		})
	}
	accept := clockOf(t, states, TargetOutletAccept)
	if accept.Segment != 2 || len(accept.Previous) != 1 {
		t.Fatalf("outlet accept segment %d with %d previous", accept.Segment, len(accept.Previous))
	}
	first := accept.Previous[0]
	if first.State != StateStopped || first.StopReason != "redispatched" || first.Elapsed != 50*time.Minute || first.Segment != 1 {
		t.Errorf("outlet A's segment: %+v", first)
	}
}

func TestEvaluateRedispatchAfterTimeout(t *testing.T) {
	// Outlet A never answers; the dispatcher re-offers at 11:00, after A's
	// 1 h deadline: A's segment is breached, B's is measured afresh.
	cal := outletCalendar(t)
	log := append(householdP2().Apply(cst(t, "2026-06-02 09:00"), "system", ""),
		ev(t, "2026-06-02 09:30", KindStarted, TargetOutletAccept),
		ev(t, "2026-06-02 11:00", KindRestarted, TargetOutletAccept, reason("redispatched")),
		ev(t, "2026-06-02 11:40", KindMet, TargetOutletAccept))
	got := clockOf(t, Evaluate(log, cal, cst(t, "2026-06-02 12:00")), TargetOutletAccept)
	want{state: StateMet, due: "2026-06-02 12:00", elapsed: 40 * time.Minute}.check(t, got)
	if len(got.Previous) != 1 {
		t.Fatalf("previous %+v", got.Previous)
	}
	want{state: StateBreached, due: "2026-06-02 10:30", elapsed: 90 * time.Minute, breached: true}.check(t, got.Previous[0])
}

func TestReopenAfterResolved(t *testing.T) {
	cal := outletCalendar(t)
	// Reopened on Thursday 10:00: a new 4 h resolution segment, due 15:30.
	log := append(serviceTicket(t), ev(t, "2026-06-04 10:00", KindRestarted, TargetResolution, reason("reopened")))
	states := Evaluate(log, cal, cst(t, "2026-06-04 13:00"))

	res := clockOf(t, states, TargetResolution)
	want{state: StateRunning, due: "2026-06-04 15:30", elapsed: 2 * time.Hour, open: true}.check(t, res)
	if res.Segment != 2 || !res.StartedAt.Equal(cst(t, "2026-06-04 10:00")) || len(res.Previous) != 1 {
		t.Fatalf("resolution %+v", res)
	}
	want{state: StateMet, due: "2026-06-02 15:30", elapsed: 3*time.Hour + 30*time.Minute, pausedFor: time.Hour}.check(t, res.Previous[0])

	// First response keeps its result; other closed clocks stay closed.
	want{state: StateMet, due: "2026-06-02 09:30", elapsed: 20 * time.Minute}.check(t, clockOf(t, states, TargetFirstResponse))
	if got := clockOf(t, states, TargetOnsiteArrival); got.State != StateMet || got.Open {
		t.Errorf("on-site arrival after reopen: %+v", got)
	}

	// Closing again ends the new segment; a late second resolution is breached.
	log = append(log,
		ev(t, "2026-06-04 16:00", KindMet, TargetResolution),
		ev(t, "2026-06-04 16:00", KindStopped, "", reason("closed")))
	res = clockOf(t, Evaluate(log, cal, cst(t, "2026-06-05 09:00")), TargetResolution)
	want{state: StateBreached, due: "2026-06-04 15:30", elapsed: 4*time.Hour + 30*time.Minute, breached: true}.check(t, res)
	if res.Previous[0].State != StateMet {
		t.Errorf("first resolution became %s", res.Previous[0].State)
	}
}

func TestFrozenResultAfterClose(t *testing.T) {
	cal := outletCalendar(t)
	closedAt := cst(t, "2026-06-02 15:05")
	log := serviceTicket(t)
	final := Freeze(Evaluate(log, cal, closedAt), closedAt)

	t.Run("a policy change after close changes nothing", func(t *testing.T) {
		stricter := householdP2()
		stricter.ID = "household-p2-v2"
		for k := range stricter.Targets {
			stricter.Targets[k] /= 4
		}
		stricter.ArrivalByBand[BandCity] = time.Hour
		edited := append(append([]Event(nil), log...), stricter.Apply(cst(t, "2026-06-03 09:00"), "admin", BandCity)...)
		got := Evaluate(edited, cal, cst(t, "2026-06-10 09:00"))
		if !reflect.DeepEqual(got, final.Clocks) {
			t.Errorf("after the policy edit:\n%+v\nwant\n%+v", got, final.Clocks)
		}
	})

	// The outlet later marks 2026-06-02 as a holiday (e.g. a local
	// closure entered after the fact).
	edited := outletCalendar(t)
	edited.Holidays = append(edited.Holidays, date(t, "2026-06-02"))

	t.Run("a calendar edit changes a fresh evaluation but not the frozen result", func(t *testing.T) {
		fresh := Evaluate(log, edited, cst(t, "2026-06-10 09:00"))
		if reflect.DeepEqual(fresh, final.Clocks) {
			t.Fatal("the calendar edit had no effect; the test proves nothing")
		}
		if got := final.Merge(fresh); !reflect.DeepEqual(got, final.Clocks) {
			t.Errorf("merged:\n%+v\nwant\n%+v", got, final.Clocks)
		}
	})

	t.Run("after a reopen the settled clocks stay frozen", func(t *testing.T) {
		reopened := append(append([]Event(nil), log...), ev(t, "2026-06-04 10:00", KindRestarted, TargetResolution, reason("reopened")))
		got := final.Merge(Evaluate(reopened, edited, cst(t, "2026-06-04 13:00")))
		frozenFR, _ := final.Clock(TargetFirstResponse)
		if fr := clockOf(t, got, TargetFirstResponse); !reflect.DeepEqual(fr, frozenFR) {
			t.Errorf("first response %+v, want frozen %+v", fr, frozenFR)
		}
		res := clockOf(t, got, TargetResolution)
		frozenRes, _ := final.Clock(TargetResolution)
		if res.Segment != 2 || res.State != StateRunning || !reflect.DeepEqual(res.Previous[0], frozenRes) {
			t.Errorf("resolution %+v, want live segment 2 after frozen %+v", res, frozenRes)
		}
	})

	t.Run("the final result survives storage as JSON", func(t *testing.T) {
		b, err := json.Marshal(final)
		if err != nil {
			t.Fatal(err)
		}
		var back FinalResult
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back, final) {
			t.Errorf("round trip:\n%+v\nwant\n%+v", back, final)
		}
	})

	t.Run("freezing copies", func(t *testing.T) {
		states := Evaluate(log, cal, closedAt)
		f := Freeze(states, closedAt)
		*states[0].DueAt = time.Time{}
		states[1].Previous[0].Elapsed = 0
		if f.Clocks[0].DueAt.IsZero() || f.Clocks[1].Previous[0].Elapsed == 0 {
			t.Error("Freeze shares memory with its input")
		}
		if _, ok := f.Clock("nope"); ok {
			t.Error("Clock found an unknown target")
		}
	})
}

func TestThresholds(t *testing.T) {
	cal := outletCalendar(t)
	const R = TargetResolution

	type crossing struct {
		kind CrossingKind
		at   string
		seg  int
	}
	collect := func(t *testing.T, log []Event, from, to string, step time.Duration) []crossing {
		var got []crossing
		for since := cst(t, from); since.Before(cst(t, to)); since = since.Add(step) {
			for _, c := range Thresholds(log, cal, since, since.Add(step)) {
				if c.Target != R && c.Target != TargetOutletAccept {
					t.Errorf("unexpected crossing %+v", c)
				}
				if c.At.After(since.Add(step)) {
					t.Errorf("crossing at %s reported before it happened (check %s)", fmtCST(c.At), fmtCST(since.Add(step)))
				}
				got = append(got, crossing{c.Kind, fmtCST(c.At), c.Segment})
			}
		}
		return got
	}
	tests := []struct {
		name     string
		log      []Event
		from, to string
		step     time.Duration
		want     []crossing
	}{
		{"a scheduler every 10 min sees one warning and one breach",
			opened(t, "2026-06-02 11:00"), "2026-06-02 11:00", "2026-06-03 12:00", 10 * time.Minute,
			[]crossing{{CrossingWarning, fmtCST(cst(t, "2026-06-02 15:42")), 1}, {CrossingBreach, fmtCST(cst(t, "2026-06-02 16:30")), 1}}},
		{"a slow scheduler reports the breach only",
			opened(t, "2026-06-02 11:00"), "2026-06-02 11:00", "2026-06-03 11:00", 8 * time.Hour,
			[]crossing{{CrossingBreach, fmtCST(cst(t, "2026-06-02 16:30")), 1}}},
		{"met before the warning raises nothing",
			opened(t, "2026-06-02 11:00", ev(t, "2026-06-02 14:00", KindMet, R)), "2026-06-02 11:00", "2026-06-03 11:00", 10 * time.Minute,
			nil},
		{"met late between two checks is a breach",
			opened(t, "2026-06-02 11:00", ev(t, "2026-06-02 16:40", KindMet, R)), "2026-06-02 16:00", "2026-06-02 18:00", time.Hour,
			[]crossing{{CrossingBreach, fmtCST(cst(t, "2026-06-02 16:30")), 1}}},
		{"a paused clock does not warn until resumed",
			opened(t, "2026-06-02 11:00",
				ev(t, "2026-06-02 14:00", KindPaused, R, reason("waiting_customer")),
				ev(t, "2026-06-03 09:00", KindResumed, R)),
			"2026-06-02 11:00", "2026-06-03 12:00", 10 * time.Minute,
			// 1 h 30 min ran before the pause; the rest runs from Wed 09:00.
			[]crossing{{CrossingWarning, fmtCST(cst(t, "2026-06-03 10:42")), 1}, {CrossingBreach, fmtCST(cst(t, "2026-06-03 11:30")), 1}}},
		{"a re-prioritisation that moves the due into the past is still reported",
			opened(t, "2026-06-02 09:00", withResolution("p1", 2*time.Hour).Apply(cst(t, "2026-06-02 12:10"), "lead", "")...),
			"2026-06-02 12:00", "2026-06-02 13:00", 30 * time.Minute,
			[]crossing{{CrossingBreach, fmtCST(cst(t, "2026-06-02 11:00")), 1}}},
		{"a re-dispatch after the outlet's deadline reports the old segment's breach",
			append(householdP2().Apply(cst(t, "2026-06-02 09:00"), "system", ""),
				ev(t, "2026-06-02 09:30", KindStarted, TargetOutletAccept),
				ev(t, "2026-06-02 10:40", KindRestarted, TargetOutletAccept, reason("redispatched"))),
			"2026-06-02 10:00", "2026-06-02 11:00", time.Hour,
			// Outlet A's segment warned (10:18) and breached (10:30) in
			// this window: only the breach is reported. Outlet B's segment
			// from 10:40 is below its warning fraction.
			[]crossing{{CrossingBreach, fmtCST(cst(t, "2026-06-02 10:30")), 1}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := collect(t, tc.log, tc.from, tc.to, tc.step)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("crossings %+v, want %+v", got, tc.want)
			}
		})
	}
	if got := Thresholds(opened(t, "2026-06-02 11:00"), cal, cst(t, "2026-06-02 17:00"), cst(t, "2026-06-02 16:00")); got != nil {
		t.Errorf("backwards window: %+v", got)
	}
}

// TestEvaluateRandomLogs replays random, often nonsensical logs and checks
// that Evaluate never panics, that its results are consistent, and that a
// breach never heals as time passes.
func TestEvaluateRandomLogs(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	cals := []*Calendar{outletCalendar(t), {AlwaysOpen: true}, {}, nil}
	base := cst(t, "2026-06-01 00:00")
	for i := range 400 {
		log := randomLog(rng, base, 1+rng.IntN(25))
		cal := cals[i%len(cals)]
		var prev []ClockState
		for _, h := range []time.Duration{0, 6, 30, 80, 200, 2000} {
			states := Evaluate(log, cal, base.Add(h*time.Hour))
			for _, s := range states {
				checkConsistent(t, s, log)
				for _, p := range s.Previous {
					checkConsistent(t, p, log)
				}
			}
			for _, p := range prev {
				for _, s := range states {
					if s.Target == p.Target && s.Segment == p.Segment && p.Breached && !s.Breached {
						t.Fatalf("breach healed: %+v then %+v\nlog %+v", p, s, log)
					}
				}
			}
			prev = states
		}
	}
}

func checkConsistent(t *testing.T, s ClockState, log []Event) {
	t.Helper()
	fail := func(what string) { t.Fatalf("%s: %+v\nlog %+v", what, s, log) }
	if s.Elapsed < 0 || s.Remaining < 0 || s.PausedFor < 0 || s.FractionUsed < 0 {
		fail("negative duration")
	}
	if s.Breached != (s.State == StateBreached) {
		fail("breached flag and state disagree")
	}
	if s.Breached && s.DueAt == nil {
		fail("breached without due")
	}
	if s.Open != (s.State == StateRunning || s.State == StateWarning || s.State == StatePaused || s.Breached && s.MetAt == nil && s.StoppedAt == nil) {
		fail("open flag and state disagree")
	}
	if s.State == StateMet && (s.MetAt == nil || s.DueAt != nil && s.MetAt.After(*s.DueAt)) {
		fail("met without met instant or after due")
	}
	if s.State == StateNotStarted && (s.StartedAt != nil || s.Segment != 0) {
		fail("not started with a start")
	}
}

func randomLog(rng *rand.Rand, base time.Time, n int) []Event {
	kinds := []EventKind{KindPolicyApplied, KindStarted, KindPaused, KindResumed, KindMet, KindStopped, KindRestarted, KindBandSet, "bogus"}
	targets := append(Targets(), "", "custom")
	log := make([]Event, n)
	for i := range log {
		log[i] = Event{
			At:       base.Add(time.Duration(rng.IntN(100*60)) * time.Minute),
			Kind:     kinds[rng.IntN(len(kinds))],
			Target:   targets[rng.IntN(len(targets))],
			Duration: time.Duration(rng.IntN(20*60)-60) * time.Minute,
			WarnAt:   []float64{0, 0.5, 0.8, 1.5, -1}[rng.IntN(5)],
			Band:     Bands()[rng.IntN(4)],
		}
	}
	return log
}

func FuzzEvaluate(f *testing.F) {
	f.Add([]byte{0, 4, 10, 30, 1, 4, 10, 0, 2, 4, 20, 0, 3, 4, 40, 0, 4, 4, 90, 0})
	f.Add([]byte{1, 1, 0, 0, 6, 1, 50, 0, 5, 5, 60, 0})
	cal := outletCalendar(f)
	base := cst(f, "2026-06-01 00:00")
	kinds := []EventKind{KindPolicyApplied, KindStarted, KindPaused, KindResumed, KindMet, KindStopped, KindRestarted, KindBandSet}
	targets := append(Targets(), "")
	f.Fuzz(func(t *testing.T, data []byte) {
		var log []Event
		for i := 0; i+3 < len(data) && len(log) < 64; i += 4 {
			log = append(log, Event{
				Kind:     kinds[int(data[i])%len(kinds)],
				Target:   targets[int(data[i+1])%len(targets)],
				At:       base.Add(time.Duration(data[i+2]) * 20 * time.Minute),
				Duration: time.Duration(int8(data[i+3])) * 10 * time.Minute,
			})
		}
		for _, h := range []time.Duration{10, 100} {
			for _, s := range Evaluate(log, cal, base.Add(h*time.Hour)) {
				checkConsistent(t, s, log)
			}
		}
		_ = Thresholds(log, cal, base.Add(20*time.Hour), base.Add(60*time.Hour))
	})
}

func BenchmarkEvaluateServiceTicket(b *testing.B) {
	cal := outletCalendar(b)
	log := serviceTicket(b)
	now := cst(b, "2026-06-02 15:05")
	for b.Loop() {
		_ = Evaluate(log, cal, now)
	}
}
