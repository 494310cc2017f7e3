package sla

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"testing"
	"time"
)

// cst parses a wall time in Asia/Shanghai, "2026-06-02 11:00" or with
// seconds, and returns the UTC instant, as the service receives them.
func cst(t testing.TB, s string) time.Time {
	t.Helper()
	layout := "2006-01-02 15:04"
	if len(s) == len("2006-01-02 15:04:05") {
		layout = time.DateTime
	}
	v, err := time.ParseInLocation(layout, s, DefaultLocation())
	if err != nil {
		t.Fatal(err)
	}
	return v.UTC()
}

// fmtCST prints an instant as Shanghai wall time for readable failures.
func fmtCST(v time.Time) string {
	if v.IsZero() {
		return "zero"
	}
	return v.In(DefaultLocation()).Format("2006-01-02 Mon 15:04:05")
}

func iv(t testing.TB, s string) Interval {
	t.Helper()
	v, err := ParseInterval(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func date(t testing.TB, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// splitShift is Monday to Friday, 08:30–12:00 and 13:30–18:00 (8 h a day).
func splitShift(t testing.TB) map[time.Weekday][]Interval {
	day := []Interval{iv(t, "08:30-12:00"), iv(t, "13:30-18:00")}
	return map[time.Weekday][]Interval{
		time.Monday: day, time.Tuesday: day, time.Wednesday: day, time.Thursday: day, time.Friday: day,
	}
}

// nationalDay2026 is 2026-10-01 (Thu) to 2026-10-07 (Wed).
func nationalDay2026(t testing.TB) []Date {
	var ds []Date
	for d := date(t, "2026-10-01"); d != date(t, "2026-10-08"); d = d.AddDays(1) {
		ds = append(ds, d)
	}
	return ds
}

// outletCalendar is an outlet on split shifts with the 2026 National Day
// holiday and two make-up workdays: Sunday 2026-09-20 and Saturday
// 2026-10-10.
func outletCalendar(t testing.TB) *Calendar {
	return &Calendar{
		Name:           "Outlet weekdays",
		Weekly:         splitShift(t),
		Holidays:       nationalDay2026(t),
		MakeupWorkdays: []Date{date(t, "2026-09-20"), date(t, "2026-10-10")},
	}
}

func TestCalendarAdd(t *testing.T) {
	outlet := outletCalendar(t)
	noMakeup := outletCalendar(t)
	noMakeup.MakeupWorkdays = nil
	hotline := &Calendar{Name: "Hotline 7x24", AlwaysOpen: true}
	saturdayAsFriday := &Calendar{
		Weekly: map[time.Weekday][]Interval{
			time.Monday: {iv(t, "08:30-18:00")},
			time.Friday: {iv(t, "08:30-12:00")},
		},
		MakeupWorkdays: []Date{date(t, "2026-10-10")},
		MakeupAs:       time.Friday,
	}

	tests := []struct {
		name  string
		cal   *Calendar
		start string
		d     time.Duration
		want  string
	}{
		{"4h from Tue 11:00 skips the lunch break", outlet, "2026-06-02 11:00", 4 * time.Hour, "2026-06-02 16:30"},
		{"1h from 11:00 ends at 12:00, not after lunch", outlet, "2026-06-02 11:00", time.Hour, "2026-06-02 12:00"},
		{"2h from 11:00", outlet, "2026-06-02 11:00", 2 * time.Hour, "2026-06-02 14:30"},
		{"start in the lunch break rolls to 13:30", outlet, "2026-06-02 12:30", time.Hour, "2026-06-02 14:30"},
		{"start before opening rolls to 08:30", outlet, "2026-06-02 07:00", time.Hour, "2026-06-02 09:30"},
		{"start after closing rolls to the next morning", outlet, "2026-06-02 19:00", 30 * time.Minute, "2026-06-03 09:00"},
		{"Fri 17:00 + 2h is Mon 09:30", outlet, "2026-06-05 17:00", 2 * time.Hour, "2026-06-08 09:30"},
		{"start on Saturday rolls to Monday", outlet, "2026-06-06 10:00", time.Hour, "2026-06-08 09:30"},
		{"exactly a working day", outlet, "2026-06-02 08:30", 8 * time.Hour, "2026-06-02 18:00"},
		{"seconds are kept", outlet, "2026-06-02 11:59:30", time.Minute, "2026-06-02 13:30:30"},
		{"zero duration returns the start even in a break", outlet, "2026-06-02 12:30", 0, "2026-06-02 12:30"},
		{"National Day is skipped", outlet, "2026-09-30 17:00", 4 * time.Hour, "2026-10-08 11:30"},
		{"start inside the holiday", outlet, "2026-10-03 10:00", time.Hour, "2026-10-08 09:30"},
		{"make-up Saturday 2026-10-10 counts", outlet, "2026-10-09 17:00", 2 * time.Hour, "2026-10-10 09:30"},
		{"without the make-up day it is Monday", noMakeup, "2026-10-09 17:00", 2 * time.Hour, "2026-10-12 09:30"},
		{"make-up Sunday 2026-09-20 counts", outlet, "2026-09-18 17:00", 2 * time.Hour, "2026-09-20 09:30"},
		{"make-up day follows Friday's hours when told", saturdayAsFriday, "2026-10-09 11:00", 2 * time.Hour, "2026-10-10 09:30"},
		{"make-up day on Friday's hours ends at noon", saturdayAsFriday, "2026-10-10 11:00", 2 * time.Hour, "2026-10-12 09:30"},
		{"24x7 runs through the night", hotline, "2026-06-05 22:00", 4 * time.Hour, "2026-06-06 02:00"},
		{"24x7 runs through holidays", hotline, "2026-10-01 10:00", 48 * time.Hour, "2026-10-03 10:00"},
		{"nil calendar is 24x7", nil, "2026-06-02 12:30", time.Hour, "2026-06-02 13:30"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.cal.Add(cst(t, tc.start), tc.d)
			if err != nil {
				t.Fatalf("Add: %v", err)
			}
			if want := cst(t, tc.want); !got.Equal(want) {
				t.Errorf("Add(%s, %s) = %s, want %s", tc.start, tc.d, fmtCST(got), fmtCST(want))
			}
			if got.Location() != time.UTC {
				t.Errorf("result in %s, want UTC", got.Location())
			}
			if w := tc.cal.WorkingBetween(cst(t, tc.start), got); w != tc.d {
				t.Errorf("WorkingBetween(start, Add) = %s, want %s", w, tc.d)
			}
		})
	}
}

func TestCalendarWorkingBetween(t *testing.T) {
	outlet := outletCalendar(t)
	tests := []struct {
		name string
		a, b string
		want time.Duration
	}{
		{"same morning", "2026-06-02 09:00", "2026-06-02 11:00", 2 * time.Hour},
		{"across lunch", "2026-06-02 11:00", "2026-06-02 16:30", 4 * time.Hour},
		{"lunch break only", "2026-06-02 12:00", "2026-06-02 13:30", 0},
		{"over the weekend", "2026-06-05 17:00", "2026-06-08 09:30", 2 * time.Hour},
		{"a working week", "2026-06-01 00:00", "2026-06-08 00:00", 40 * time.Hour},
		{"Oct 1-10 counts Thu 8th, Fri 9th and the make-up Saturday", "2026-10-01 00:00", "2026-10-11 00:00", 24 * time.Hour},
		{"reversed range is zero", "2026-06-02 16:30", "2026-06-02 11:00", 0},
		{"empty range is zero", "2026-06-02 11:00", "2026-06-02 11:00", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := outlet.WorkingBetween(cst(t, tc.a), cst(t, tc.b)); got != tc.want {
				t.Errorf("WorkingBetween(%s, %s) = %s, want %s", tc.a, tc.b, got, tc.want)
			}
		})
	}
}

func TestCalendarIsWorkingAt(t *testing.T) {
	outlet := outletCalendar(t)
	tests := []struct {
		at   string
		want bool
	}{
		{"2026-06-02 08:29", false},
		{"2026-06-02 08:30", true},
		{"2026-06-02 11:59", true},
		{"2026-06-02 12:00", false}, // intervals are half-open
		{"2026-06-02 13:30", true},
		{"2026-06-02 18:00", false},
		{"2026-06-06 10:00", false}, // Saturday
		{"2026-10-01 10:00", false}, // National Day, a Thursday
		{"2026-10-10 10:00", true},  // make-up Saturday
		{"2026-09-20 10:00", true},  // make-up Sunday
	}
	for _, tc := range tests {
		if got := outlet.IsWorkingAt(cst(t, tc.at)); got != tc.want {
			t.Errorf("IsWorkingAt(%s) = %v, want %v", tc.at, got, tc.want)
		}
	}
	if !(&Calendar{AlwaysOpen: true}).IsWorkingAt(cst(t, "2026-10-01 03:00")) {
		t.Error("24x7 calendar closed at 03:00 on a holiday")
	}
}

func TestCalendarLocation(t *testing.T) {
	// The same hours read in UTC instead of Asia/Shanghai move by 8 hours.
	cal := &Calendar{Location: time.UTC, Weekly: splitShift(t)}
	got, err := cal.Add(time.Date(2026, 6, 2, 11, 0, 0, 0, time.UTC), 4*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 6, 2, 16, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Add in UTC = %s, want %s", got, want)
	}
	// A start given in another zone is the same instant.
	start := cst(t, "2026-06-02 11:00").In(time.FixedZone("X", -5*3600))
	got, err = outletCalendar(t).Add(start, 4*time.Hour)
	if err != nil || !got.Equal(cst(t, "2026-06-02 16:30")) {
		t.Errorf("Add from another zone = %s, %v", fmtCST(got), err)
	}
}

func TestCalendarAddTerminates(t *testing.T) {
	start := cst(t, "2026-06-02 11:00")
	// Every weekday of the next 400 days is a holiday.
	var all []Date
	for d := DateOf(start, nil); len(all) < 400; d = d.AddDays(1) {
		all = append(all, d)
	}
	closedForAYear := &Calendar{Weekly: splitShift(t), Holidays: all}

	tests := []struct {
		name string
		cal  *Calendar
		d    time.Duration
		want error
	}{
		{"no working hours at all", &Calendar{}, time.Hour, ErrNoWorkingTime},
		{"weekly hours all empty", &Calendar{Weekly: map[time.Weekday][]Interval{time.Monday: {}}}, time.Hour, ErrNoWorkingTime},
		{"only inverted intervals", &Calendar{Weekly: map[time.Weekday][]Interval{time.Monday: {{Start: 600, End: 500}}}}, time.Hour, ErrNoWorkingTime},
		{"closed for more than MaxClosedDays", closedForAYear, time.Hour, ErrNoWorkingTime},
		{"beyond MaxSpan", outletCalendar(t), MaxSpan + time.Hour, ErrNoWorkingTime},
		{"beyond MaxSpan on 24x7", &Calendar{AlwaysOpen: true}, MaxSpan + time.Hour, ErrNoWorkingTime},
		{"negative duration", outletCalendar(t), -time.Minute, ErrNegativeDuration},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			begin := time.Now()
			got, err := tc.cal.Add(start, tc.d)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Add = %s, %v; want error %v", fmtCST(got), err, tc.want)
			}
			if !got.IsZero() {
				t.Errorf("Add returned %s with an error, want the zero time", fmtCST(got))
			}
			if el := time.Since(begin); el > time.Second {
				t.Errorf("Add took %s", el)
			}
		})
	}
	// The closure ends after 400 days: a long target still completes.
	reopen := &Calendar{Weekly: splitShift(t), Holidays: all[:300]}
	if _, err := reopen.Add(start, time.Hour); err != nil {
		t.Errorf("300 closed days: %v", err)
	}
}

func TestCalendarLongRangesAreFast(t *testing.T) {
	cal := outletCalendar(t)
	begin := time.Now()
	a := cst(t, "2026-06-01 00:00")
	// A century of working time; about 36,600 day steps.
	w := cal.WorkingBetween(a, a.Add(MaxSpan+1000*time.Hour))
	if w <= 0 {
		t.Errorf("WorkingBetween over a century = %s", w)
	}
	got, err := cal.Add(a, w)
	if err != nil || cal.WorkingBetween(a, got) != w {
		t.Errorf("Add(a, %s) = %s, %v", w, fmtCST(got), err)
	}
	// Absurd instants are clamped, not looped over.
	_ = cal.WorkingBetween(time.Time{}, time.Unix(1<<40, 0))
	_ = (&Calendar{AlwaysOpen: true}).WorkingBetween(time.Time{}, time.Unix(1<<40, 0))
	// Extreme instants neither panic nor loop.
	extremes := []time.Time{{}, time.Unix(1<<62, 0), time.Unix(-1<<62, 0), time.Unix(1<<63-1, 999999999)}
	for _, x := range extremes {
		for _, c := range []*Calendar{cal, {AlwaysOpen: true}, {}} {
			_, _ = c.Add(x, time.Hour)
			_ = c.IsWorkingAt(x)
			_ = c.WorkingBetween(x, x.Add(48*time.Hour))
			_ = Evaluate(opened(t, "2026-06-02 09:00"), c, x)
		}
	}
	if el := time.Since(begin); el > 2*time.Second {
		t.Errorf("took %s", el)
	}
}

func TestCalendarValidate(t *testing.T) {
	valid := func() *Calendar { return outletCalendar(t) }
	tests := []struct {
		name   string
		edit   func(c *Calendar) *Calendar
		fields []string // expected offending fields; nil means valid
	}{
		{"split shifts with holidays and make-up days", func(c *Calendar) *Calendar { return c }, nil},
		{"24x7", func(*Calendar) *Calendar { return &Calendar{AlwaysOpen: true} }, nil},
		{"touching intervals are fine", func(c *Calendar) *Calendar {
			c.Weekly[time.Saturday] = []Interval{iv(t, "08:00-12:00"), iv(t, "12:00-14:00")}
			return c
		}, nil},
		{"overlapping intervals", func(c *Calendar) *Calendar {
			c.Weekly[time.Tuesday] = []Interval{iv(t, "08:30-12:00"), iv(t, "11:00-18:00")}
			return c
		}, []string{"weekly[Tuesday][1]"}},
		{"overlap regardless of order", func(c *Calendar) *Calendar {
			c.Weekly[time.Tuesday] = []Interval{iv(t, "13:30-18:00"), iv(t, "08:30-14:00")}
			return c
		}, []string{"weekly[Tuesday][0]"}},
		{"inverted interval", func(c *Calendar) *Calendar {
			c.Weekly[time.Monday] = []Interval{iv(t, "18:00-08:30")}
			return c
		}, []string{"weekly[Monday][0]"}},
		{"empty interval", func(c *Calendar) *Calendar {
			c.Weekly[time.Monday] = []Interval{iv(t, "09:00-09:00")}
			return c
		}, []string{"weekly[Monday][0]"}},
		{"interval past midnight", func(c *Calendar) *Calendar {
			c.Weekly[time.Monday] = []Interval{{Start: 22 * 60, End: 26 * 60}}
			return c
		}, []string{"weekly[Monday][0]"}},
		{"not a weekday", func(c *Calendar) *Calendar {
			c.Weekly[time.Weekday(9)] = []Interval{iv(t, "08:00-09:00")}
			return c
		}, []string{"weekly[9]"}},
		{"date both holiday and make-up workday", func(c *Calendar) *Calendar {
			c.MakeupWorkdays = append(c.MakeupWorkdays, date(t, "2026-10-03"))
			return c
		}, []string{"makeup_workdays[2]"}},
		{"holiday that does not exist", func(c *Calendar) *Calendar {
			c.Holidays = append(c.Holidays, NewDate(2026, 2, 30))
			return c
		}, []string{"holidays[7]"}},
		{"make-up days follow a closed weekday", func(c *Calendar) *Calendar {
			c.MakeupAs = time.Saturday
			return c
		}, []string{"makeup_as"}},
		{"no working hours", func(*Calendar) *Calendar { return &Calendar{Name: "empty"} }, []string{"weekly"}},
		{"24x7 with hours and dates", func(c *Calendar) *Calendar {
			c.AlwaysOpen = true
			return c
		}, []string{"weekly", "holidays", "makeup_workdays"}},
		{"nil calendar", func(*Calendar) *Calendar { return nil }, []string{"calendar"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.edit(valid()).Validate()
			if tc.fields == nil {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Validate = %v, want ErrInvalid", err)
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Validate = %T, want *ValidationError", err)
			}
			fields := ve.Fields()
			if len(fields) != len(tc.fields) {
				t.Errorf("problems %v, want fields %v", ve.Problems, tc.fields)
			}
			for _, f := range tc.fields {
				if _, ok := fields[f]; !ok {
					t.Errorf("no problem for field %s in %v", f, err)
				}
			}
		})
	}
}

func TestParseIntervalAndDate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Interval
		ok   bool
	}{
		{"08:30-12:00", Interval{510, 720}, true},
		{" 00:00 – 24:00 ", Interval{0, 1440}, true},
		{"8:30-12:00", Interval{510, 720}, true},
		{"08:30", Interval{}, false},
		{"08:60-12:00", Interval{}, false},
		{"24:01-24:00", Interval{}, false},
		{"ab:cd-12:00", Interval{}, false},
	} {
		got, err := ParseInterval(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseInterval(%q) = %v, %v", tc.in, got, err)
		}
	}
	if s := (Interval{510, 720}).String(); s != "08:30-12:00" {
		t.Errorf("String = %q", s)
	}
	if _, err := ParseDate("2026-02-30"); err == nil {
		t.Error("ParseDate accepted 2026-02-30")
	}

	type stored struct {
		Day   Date     `json:"day"`
		Hours Interval `json:"hours"`
	}
	b, err := json.Marshal(stored{date(t, "2026-10-01"), iv(t, "08:30-12:00")})
	if err != nil || string(b) != `{"day":"2026-10-01","hours":"08:30-12:00"}` {
		t.Fatalf("Marshal = %s, %v", b, err)
	}
	var back stored
	if err := json.Unmarshal(b, &back); err != nil || back.Day != date(t, "2026-10-01") || back.Hours != iv(t, "08:30-12:00") {
		t.Errorf("Unmarshal = %+v, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"day":"2026-13-01"}`), &back); err == nil {
		t.Error("Unmarshal accepted month 13")
	}
}

// propertyCalendars are calendars of different shapes for the inverse
// property: split shifts with holidays and make-up days, a single long day,
// a sparse one-hour-a-week calendar, a night-shift calendar in a zone with
// daylight saving time, and 24x7.
func propertyCalendars(t testing.TB) map[string]*Calendar {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	return map[string]*Calendar{
		"outlet": outletCalendar(t),
		"long day": {Weekly: map[time.Weekday][]Interval{
			time.Monday: {iv(t, "00:00-24:00")}, time.Tuesday: {iv(t, "00:00-24:00")}, time.Wednesday: {iv(t, "07:00-23:00")},
		}},
		"sparse": {Weekly: map[time.Weekday][]Interval{time.Thursday: {iv(t, "10:00-11:00")}}},
		"night shifts with DST": {Location: berlin, Weekly: map[time.Weekday][]Interval{
			time.Saturday: {iv(t, "00:00-04:00"), iv(t, "22:00-24:00")},
			time.Sunday:   {iv(t, "00:00-06:00"), iv(t, "01:30-03:30")},
		}},
		"24x7": {AlwaysOpen: true},
	}
}

// checkInverse asserts the two inverse laws between Add and WorkingBetween
// for one calendar: WorkingBetween(s, Add(s, d)) == d, and Add(a,
// WorkingBetween(a, b)) is the earliest instant ≤ b with the same working
// time.
func checkInverse(t *testing.T, name string, cal *Calendar, start time.Time, d time.Duration, b time.Time) {
	t.Helper()
	end, err := cal.Add(start, d)
	if err != nil {
		t.Fatalf("%s: Add(%s, %s): %v", name, start, d, err)
	}
	if end.Before(start) {
		t.Fatalf("%s: Add(%s, %s) = %s, before start", name, start, d, end)
	}
	if got := cal.WorkingBetween(start, end); got != d {
		t.Fatalf("%s: WorkingBetween(%s, Add(.., %s) = %s) = %s", name, start, d, end, got)
	}
	if d > 0 && !cal.IsWorkingAt(end.Add(-time.Nanosecond)) {
		t.Fatalf("%s: Add(%s, %s) = %s does not end working time", name, start, d, end)
	}
	if b.Before(start) {
		return
	}
	w := cal.WorkingBetween(start, b)
	back, err := cal.Add(start, w)
	if err != nil {
		t.Fatalf("%s: Add(%s, WorkingBetween = %s): %v", name, start, w, err)
	}
	if back.After(b) || cal.WorkingBetween(start, back) != w || cal.WorkingBetween(back, b) != 0 {
		t.Fatalf("%s: Add(%s, %s) = %s, want the earliest instant ≤ %s with that working time", name, start, w, back, b)
	}
}

func TestAddWorkingBetweenInverse(t *testing.T) {
	rng := rand.New(rand.NewPCG(2026, 10))
	base := cst(t, "2026-01-01 00:00")
	for name, cal := range propertyCalendars(t) {
		for range 300 {
			start := base.Add(time.Duration(rng.Int64N(int64(365 * 24 * time.Hour))))
			if rng.IntN(3) == 0 { // whole minutes hit interval bounds exactly
				start = start.Truncate(30 * time.Minute)
			}
			d := time.Duration(rng.Int64N(int64(60 * time.Hour)))
			if rng.IntN(3) == 0 {
				d = d.Truncate(30 * time.Minute)
			}
			b := start.Add(time.Duration(rng.Int64N(int64(20 * 24 * time.Hour))))
			checkInverse(t, name, cal, start, d, b)
		}
	}
}

func FuzzAddWorkingBetweenInverse(f *testing.F) {
	f.Add(int64(1780369200), int64(4*60), int64(3600*30))     // 2026-06-02 11:00 CST, 4 h
	f.Add(int64(1780650000), int64(2*60), int64(3600*72))     // a Friday 17:00 CST, 2 h
	f.Add(int64(1790730000), int64(8*60), int64(3600*24*10))  // 2026-09-30 09:00 CST, into National Day
	f.Add(int64(1774699200), int64(13*60), int64(3600*24*30)) // 2026-03-28, across the Berlin DST change
	f.Add(int64(0), int64(0), int64(0))
	cals := propertyCalendars(f)
	f.Fuzz(func(t *testing.T, startUnix, minutes, span int64) {
		// Keep inputs where every calendar reaches the target within
		// MaxSpan: years 1970–2100, up to 2,000 hours of working time (38
		// years of the one-hour-a-week calendar).
		start := time.Unix(abs(startUnix)%(130*365*86400), 0)
		d := time.Duration(abs(minutes)%(2000*60)) * time.Minute
		b := start.Add(time.Duration(abs(span)%(400*86400)) * time.Second)
		for name, cal := range cals {
			checkInverse(t, name, cal, start, d, b)
		}
	})
}

func abs(v int64) int64 {
	if v < 0 {
		if v == -1<<63 {
			return 0
		}
		return -v
	}
	return v
}
