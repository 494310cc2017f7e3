package messaging

import (
	"sort"
	"time"
)

// QuietHours is the nightly window, on the enterprise's local clock, in
// which non-urgent SMS are not sent. Start and End are offsets from local
// midnight; a window with Start after End spans midnight (21:00–08:00).
// Start == End means no quiet hours.
type QuietHours struct {
	Start, End time.Duration
	Loc        *time.Location
}

// Release returns when a non-urgent message wanted at t may go out: t
// itself outside the window, else the window's end (the next local End).
func (q QuietHours) Release(t time.Time) time.Time {
	if q.Start == q.End {
		return t
	}
	loc := q.Loc
	if loc == nil {
		loc = time.UTC
	}
	lt := t.In(loc)
	midnight := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, loc)
	// Offsets are applied on the calendar (AddDate + clock), not by adding
	// durations, so a DST zone still ends the window at the wall-clock End.
	at := func(day int, off time.Duration) time.Time {
		d := midnight.AddDate(0, 0, day)
		return time.Date(d.Year(), d.Month(), d.Day(), int(off/time.Hour), int(off%time.Hour/time.Minute), 0, 0, loc)
	}
	since := lt.Sub(midnight)
	if q.Start < q.End {
		if since >= q.Start && since < q.End {
			return at(0, q.End).UTC()
		}
		return t
	}
	switch {
	case since >= q.Start: // evening part: until tomorrow's End
		return at(1, q.End).UTC()
	case since < q.End: // early-morning part: until today's End
		return at(0, q.End).UTC()
	}
	return t
}

// RateRelease applies the per-phone rate limit: given when earlier
// messages to the phone were sent, it returns the earliest time at or after
// now when one more may go without exceeding limit within window.
func RateRelease(sent []time.Time, now time.Time, limit int, window time.Duration) time.Time {
	var in []time.Time
	for _, s := range sent {
		if s.After(now.Add(-window)) && !s.After(now) {
			in = append(in, s)
		}
	}
	if len(in) < limit {
		return now
	}
	sort.Slice(in, func(i, j int) bool { return in[i].Before(in[j]) })
	// Once the (len-limit+1)-th oldest leaves the window, limit-1 remain.
	return in[len(in)-limit].Add(window)
}

// Backoff is the wait before attempt n+1 after n failed attempts (n ≥ 1):
// base doubling per attempt, at most ceiling.
func Backoff(base time.Duration, n int, ceiling time.Duration) time.Duration {
	d := base
	for i := 1; i < n && d < ceiling; i++ {
		d *= 2
	}
	if d > ceiling {
		d = ceiling
	}
	return d
}
