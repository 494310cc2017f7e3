package sla

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	// Embed the time zone database so Asia/Shanghai resolves on hosts and
	// containers without /usr/share/zoneinfo.
	_ "time/tzdata"
)

// Calendar limits and defaults.
const (
	// DefaultLocationName is the zone used when a calendar has no Location.
	DefaultLocationName = "Asia/Shanghai"

	// MinutesPerDay is the largest value of [Interval.End] (24:00).
	MinutesPerDay = 24 * 60

	// MaxClosedDays bounds the search of [Calendar.Add]: after this many
	// consecutive calendar days without working time it gives up with
	// [ErrNoWorkingTime]. A year covers any real closure (Spring Festival,
	// a seasonal site) while guaranteeing that a calendar without working
	// time cannot make the search loop for ever.
	MaxClosedDays = 366

	// MaxSpan is the horizon of the calendar arithmetic: [Calendar.Add] never
	// returns an instant more than MaxSpan after its start, and
	// [Calendar.WorkingBetween] counts no working time more than MaxSpan after
	// its first argument. A century is far beyond any service target and
	// keeps every sum inside time.Duration.
	MaxSpan = 100 * 366 * 24 * time.Hour
)

// DefaultLocation returns the Asia/Shanghai zone (China Standard Time). The
// zone database is embedded, so it does not depend on the host.
func DefaultLocation() *time.Location {
	loc, err := time.LoadLocation(DefaultLocationName)
	if err != nil {
		// Unreachable with time/tzdata linked in. China has kept UTC+8
		// without daylight saving since 1991, so a fixed zone is exact for
		// every date a ticket can have.
		return time.FixedZone(DefaultLocationName, 8*60*60)
	}
	return loc
}

// Interval is one working interval of a day, [Start, End) in minutes after
// local midnight: 08:30–12:00 is {Start: 510, End: 720}. End may be 1440
// (24:00). Intervals never cross midnight; a night shift is two intervals on
// two weekdays (22:00–24:00 and 00:00–06:00).
type Interval struct {
	Start int
	End   int
}

// ParseInterval parses "HH:MM-HH:MM", e.g. "08:30-12:00" or "00:00-24:00".
// An en dash is accepted in place of the hyphen. It checks the syntax and
// that each bound lies in 00:00..24:00; [Calendar.Validate] checks order and
// overlaps.
func ParseInterval(s string) (Interval, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), "–", "-")
	from, to, ok := strings.Cut(s, "-")
	if !ok {
		return Interval{}, fmt.Errorf("sla: interval %q: want HH:MM-HH:MM", s)
	}
	start, err := parseClock(from)
	if err != nil {
		return Interval{}, fmt.Errorf("sla: interval %q: %w", s, err)
	}
	end, err := parseClock(to)
	if err != nil {
		return Interval{}, fmt.Errorf("sla: interval %q: %w", s, err)
	}
	return Interval{Start: start, End: end}, nil
}

// parseClock parses "HH:MM" into minutes after midnight, allowing 24:00.
func parseClock(s string) (int, error) {
	hh, mm, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || len(hh) == 0 || len(hh) > 2 || len(mm) != 2 {
		return 0, fmt.Errorf("time %q: want HH:MM", s)
	}
	h, err1 := strconv.Atoi(hh)
	m, err2 := strconv.Atoi(mm)
	if err1 != nil || err2 != nil || h < 0 || m < 0 || m > 59 || h*60+m > MinutesPerDay {
		return 0, fmt.Errorf("time %q: not between 00:00 and 24:00", s)
	}
	return h*60 + m, nil
}

// String returns "HH:MM-HH:MM". Out-of-range bounds are printed as they
// are, so error messages show what was stored.
func (iv Interval) String() string {
	return clock(iv.Start) + "-" + clock(iv.End)
}

func clock(m int) string {
	if m < 0 || m > MinutesPerDay {
		return strconv.Itoa(m) + "min"
	}
	return fmt.Sprintf("%02d:%02d", m/60, m%60)
}

// MarshalText encodes the interval as [Interval.String] does.
func (iv Interval) MarshalText() ([]byte, error) { return []byte(iv.String()), nil }

// UnmarshalText decodes the form accepted by [ParseInterval].
func (iv *Interval) UnmarshalText(b []byte) error {
	v, err := ParseInterval(string(b))
	if err != nil {
		return err
	}
	*iv = v
	return nil
}

// Date is a calendar date without a time or zone, as holidays and make-up
// workdays are published. It is comparable and usable as a map key.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// NewDate returns the date y-m-d without checking it; see [Date.Valid].
func NewDate(y int, m time.Month, d int) Date { return Date{Year: y, Month: m, Day: d} }

// ParseDate parses "YYYY-MM-DD" and rejects dates that do not exist.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return Date{}, fmt.Errorf("sla: date %q: want YYYY-MM-DD", s)
	}
	return Date{Year: t.Year(), Month: t.Month(), Day: t.Day()}, nil
}

// DateOf returns the date of instant t in loc (Asia/Shanghai when loc is
// nil).
func DateOf(t time.Time, loc *time.Location) Date {
	if loc == nil {
		loc = DefaultLocation()
	}
	lt := t.In(loc)
	return Date{Year: lt.Year(), Month: lt.Month(), Day: lt.Day()}
}

// Valid reports whether d exists in the Gregorian calendar (2026-02-30 does
// not).
func (d Date) Valid() bool {
	t := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
	return t.Year() == d.Year && t.Month() == d.Month && t.Day() == d.Day
}

// Weekday returns the day of the week of d (of its normalised form when d
// is not valid).
func (d Date) Weekday() time.Weekday {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Weekday()
}

// AddDays returns the date n days after d (before, for negative n),
// normalised.
func (d Date) AddDays(n int) Date {
	t := time.Date(d.Year, d.Month, d.Day+n, 0, 0, 0, 0, time.UTC)
	return Date{Year: t.Year(), Month: t.Month(), Day: t.Day()}
}

// String returns "YYYY-MM-DD".
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// MarshalText encodes the date as "YYYY-MM-DD".
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText decodes "YYYY-MM-DD" as [ParseDate] does.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Calendar says when the service clock runs: the working hours of a hotline,
// an outlet or a region.
//
// Arguments and results of its methods are instants; the result instants
// are in UTC. Working hours, holidays and make-up workdays are read in the
// calendar's Location.
//
// The methods do not validate the calendar; an invalid one is read
// leniently (intervals clamped to 00:00–24:00, inverted ones dropped,
// overlapping ones merged, a holiday that is also a make-up workday stays a
// holiday). Call [Calendar.Validate] when a calendar is saved. A nil
// *Calendar is read as an always-open calendar in Asia/Shanghai.
type Calendar struct {
	// Name is shown to users, e.g. "Hotline 7x24" or "Outlet weekdays".
	Name string
	// Location is the zone of the working hours; nil means Asia/Shanghai.
	Location *time.Location
	// AlwaysOpen makes every instant working time (24×7). Weekly, Holidays
	// and MakeupWorkdays must then be empty.
	AlwaysOpen bool
	// Weekly holds the working intervals of each weekday; a weekday without
	// an entry is closed.
	Weekly map[time.Weekday][]Interval
	// Holidays are closed dates, whatever their weekday.
	Holidays []Date
	// MakeupWorkdays (调休) are dates, usually a Saturday or Sunday, that are
	// working days with the intervals of weekday MakeupAs.
	MakeupWorkdays []Date
	// MakeupAs is the weekday whose intervals a make-up workday follows.
	// The zero value, Sunday, means the default, Monday: a make-up day
	// replaces a weekday, never a Sunday.
	MakeupAs time.Weekday
}

// makeupAs resolves the default of MakeupAs.
func (c *Calendar) makeupAs() time.Weekday {
	if c.MakeupAs == time.Sunday {
		return time.Monday
	}
	return c.MakeupAs
}

// Validate reports every problem of the calendar as a *[ValidationError]:
// intervals outside 00:00–24:00, inverted or empty, or overlapping another
// of the same weekday; keys that are not weekdays; dates that do not exist;
// a date that is both a holiday and a make-up workday; make-up workdays
// following a weekday without hours; a calendar without any working hours;
// and, for an always-open calendar, any hours or dates at all.
func (c *Calendar) Validate() error {
	p := problems{subject: "calendar"}
	if c == nil {
		p.add("calendar", "required", nil, "missing")
		return p.err()
	}
	if c.AlwaysOpen {
		if len(c.Weekly) > 0 {
			p.add("weekly", "empty_when_24x7", nil, "must be empty for an always-open (24x7) calendar")
		}
		if len(c.Holidays) > 0 {
			p.add("holidays", "empty_when_24x7", nil, "must be empty for an always-open (24x7) calendar")
		}
		if len(c.MakeupWorkdays) > 0 {
			p.add("makeup_workdays", "empty_when_24x7", nil, "must be empty for an always-open (24x7) calendar")
		}
		return p.err()
	}

	days := make([]time.Weekday, 0, len(c.Weekly))
	for wd := range c.Weekly {
		days = append(days, wd)
	}
	slices.Sort(days)
	working := false
	for _, wd := range days {
		if wd < time.Sunday || wd > time.Saturday {
			p.add(fmt.Sprintf("weekly[%d]", int(wd)), "not_a_weekday", nil, "not a weekday")
			continue
		}
		type indexed struct {
			i  int
			iv Interval
		}
		var ok []indexed
		for i, iv := range c.Weekly[wd] {
			field := fmt.Sprintf("weekly[%s][%d]", wd, i)
			switch {
			case iv.Start < 0 || iv.End > MinutesPerDay || iv.End < 0 || iv.Start > MinutesPerDay:
				p.add(field, "interval_outside_day", map[string]any{"interval": iv.String()}, "%s is outside 00:00-24:00", iv)
			case iv.Start >= iv.End:
				p.add(field, "interval_reversed", map[string]any{"interval": iv.String()}, "%s ends before it starts", iv)
			default:
				ok = append(ok, indexed{i, iv})
			}
		}
		slices.SortStableFunc(ok, func(a, b indexed) int { return cmp.Compare(a.iv.Start, b.iv.Start) })
		for k := 1; k < len(ok); k++ {
			if ok[k].iv.Start < ok[k-1].iv.End {
				p.add(fmt.Sprintf("weekly[%s][%d]", wd, ok[k].i), "interval_overlap", map[string]any{"interval": ok[k].iv.String(), "other": ok[k-1].iv.String()},
					"%s overlaps %s", ok[k].iv, ok[k-1].iv)
			}
		}
		working = working || len(ok) > 0
	}
	if !working {
		p.add("weekly", "no_working_hours", nil, "no working hours on any weekday")
	}

	holidays := make(map[Date]bool, len(c.Holidays))
	for i, d := range c.Holidays {
		if !d.Valid() {
			p.add(fmt.Sprintf("holidays[%d]", i), "invalid_format", map[string]any{"format": "date"}, "%s is not a calendar date", d)
		}
		holidays[d] = true
	}
	for i, d := range c.MakeupWorkdays {
		field := fmt.Sprintf("makeup_workdays[%d]", i)
		switch {
		case !d.Valid():
			p.add(field, "invalid_format", map[string]any{"format": "date"}, "%s is not a calendar date", d)
		case holidays[d]:
			p.add(field, "also_holiday", map[string]any{"date": d.String()}, "%s is also listed in holidays", d)
		}
	}
	if len(c.MakeupWorkdays) > 0 {
		switch wd := c.makeupAs(); {
		case wd < time.Sunday || wd > time.Saturday:
			p.add("makeup_as", "not_a_weekday", nil, "%d is not a weekday", int(wd))
		case len(c.Weekly[wd]) == 0:
			p.add("makeup_as", "makeup_day_closed", map[string]any{"weekday": wd.String()}, "%s has no working hours, so make-up workdays would have none", wd)
		}
	}
	return p.err()
}

// IsWorkingAt reports whether instant t falls inside a working interval.
// Intervals are half-open: at 12:00 the interval 08:30–12:00 is over.
func (c *Calendar) IsWorkingAt(t time.Time) bool {
	return c.compile().isWorkingAt(t)
}

// Add returns the instant at which d of working time has elapsed since
// start: the earliest t ≥ start with WorkingBetween(start, t) == d. A start
// outside working hours therefore rolls to the next opening, and a result
// never falls in a break: 1 h from 11:00 with 08:30–12:00 and 13:30–18:00 is
// 12:00, 2 h is 14:30. Add(start, 0) returns start.
//
// It returns [ErrNegativeDuration] for d < 0 and [ErrNoWorkingTime] when d
// cannot be reached within the search window (see [MaxClosedDays] and
// [MaxSpan]); the search always terminates and costs one step per calendar
// day, not per minute.
func (c *Calendar) Add(start time.Time, d time.Duration) (time.Time, error) {
	return c.compile().add(start, d)
}

// WorkingBetween returns the working time in [a, b); zero when b is not
// after a. Working time after a+[MaxSpan] is not counted.
func (c *Calendar) WorkingBetween(a, b time.Time) time.Duration {
	return c.compile().between(a, b)
}

// schedule is a calendar prepared for arithmetic: location resolved,
// intervals normalised, dates in sets. Building it once per Evaluate keeps
// the per-day loop cheap.
type schedule struct {
	loc      *time.Location
	always   bool
	weekly   [7][]Interval
	holidays map[Date]bool
	makeup   map[Date]bool
	makeupAs time.Weekday
	hasWork  bool
}

// compile prepares c for arithmetic, reading it leniently (see Calendar).
func (c *Calendar) compile() *schedule {
	if c == nil {
		return &schedule{loc: DefaultLocation(), always: true}
	}
	s := &schedule{loc: c.Location, always: c.AlwaysOpen, makeupAs: c.makeupAs()}
	if s.loc == nil {
		s.loc = DefaultLocation()
	}
	if s.always {
		return s
	}
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		s.weekly[wd] = normalize(c.Weekly[wd])
		s.hasWork = s.hasWork || len(s.weekly[wd]) > 0
	}
	s.holidays = make(map[Date]bool, len(c.Holidays))
	for _, d := range c.Holidays {
		s.holidays[d] = true
	}
	s.makeup = make(map[Date]bool, len(c.MakeupWorkdays))
	for _, d := range c.MakeupWorkdays {
		s.makeup[d] = true
	}
	return s
}

// normalize clamps intervals to one day, drops empty ones, sorts them and
// merges those that overlap or touch.
func normalize(ivs []Interval) []Interval {
	out := make([]Interval, 0, len(ivs))
	for _, iv := range ivs {
		iv.Start = max(iv.Start, 0)
		iv.End = min(iv.End, MinutesPerDay)
		if iv.Start < iv.End {
			out = append(out, iv)
		}
	}
	slices.SortFunc(out, func(a, b Interval) int { return cmp.Compare(a.Start, b.Start) })
	merged := out[:0]
	for _, iv := range out {
		if n := len(merged); n > 0 && iv.Start <= merged[n-1].End {
			merged[n-1].End = max(merged[n-1].End, iv.End)
			continue
		}
		merged = append(merged, iv)
	}
	return merged
}

// intervals returns the working intervals of date d.
func (s *schedule) intervals(d Date) []Interval {
	switch {
	case s.holidays[d]:
		return nil
	case s.makeup[d]:
		if s.makeupAs < time.Sunday || s.makeupAs > time.Saturday {
			return nil
		}
		return s.weekly[s.makeupAs]
	default:
		return s.weekly[d.Weekday()]
	}
}

// at returns the instant of minute m of date d in the schedule's zone.
// time.Date resolves minute 1440 to the next midnight and normalises wall
// times that a daylight-saving change skips.
func (s *schedule) at(d Date, m int) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, m, 0, 0, s.loc)
}

func (s *schedule) isWorkingAt(t time.Time) bool {
	if s.always {
		return true
	}
	day := DateOf(t, s.loc)
	for _, iv := range s.intervals(day) {
		if !t.Before(s.at(day, iv.Start)) && t.Before(s.at(day, iv.End)) {
			return true
		}
	}
	return false
}

func (s *schedule) add(start time.Time, d time.Duration) (time.Time, error) {
	switch {
	case d < 0:
		return time.Time{}, ErrNegativeDuration
	case d == 0:
		return start.UTC(), nil
	case d > MaxSpan:
		return time.Time{}, ErrNoWorkingTime
	case s.always:
		return start.Add(d).UTC(), nil
	case !s.hasWork:
		return time.Time{}, ErrNoWorkingTime
	}
	limit := start.Add(MaxSpan)
	remaining := d
	closed := 0
	for day := DateOf(start, s.loc); ; day = day.AddDays(1) {
		worked := false
		for _, iv := range s.intervals(day) {
			from, to := s.at(day, iv.Start), s.at(day, iv.End)
			if from.Before(start) {
				from = start
			}
			if !to.After(from) {
				continue
			}
			worked = true
			if avail := to.Sub(from); remaining <= avail {
				end := from.Add(remaining)
				if end.After(limit) {
					return time.Time{}, ErrNoWorkingTime
				}
				return end.UTC(), nil
			}
			remaining -= to.Sub(from)
		}
		if worked {
			closed = 0
		} else if closed++; closed > MaxClosedDays {
			return time.Time{}, ErrNoWorkingTime
		}
		if s.at(day, 0).After(limit) {
			return time.Time{}, ErrNoWorkingTime
		}
	}
}

func (s *schedule) between(a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	if b.Sub(a) > MaxSpan {
		b = a.Add(MaxSpan)
	}
	if s.always {
		return b.Sub(a)
	}
	if !s.hasWork {
		return 0
	}
	var total time.Duration
	for day := DateOf(a, s.loc); s.at(day, 0).Before(b); day = day.AddDays(1) {
		for _, iv := range s.intervals(day) {
			from, to := s.at(day, iv.Start), s.at(day, iv.End)
			if from.Before(a) {
				from = a
			}
			if to.After(b) {
				to = b
			}
			if to.After(from) {
				total += to.Sub(from)
			}
		}
	}
	return total
}
