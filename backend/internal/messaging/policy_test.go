package messaging_test

import (
	"testing"
	"time"

	"github.com/aftersales/aftersales/backend/internal/messaging"
)

// Quiet hours 21:00–08:00 Shanghai: an SMS wanted in the evening or the
// early morning waits until 08:00; during the day it goes at once.
func TestQuietHoursReleaseAtEightInTheMorning(t *testing.T) {
	q := messaging.QuietHours{Start: 21 * time.Hour, End: 8 * time.Hour, Loc: shanghai}
	for _, c := range []struct {
		name     string
		at, want time.Time
	}{
		{"afternoon goes at once", local(2026, 3, 5, 15, 0), local(2026, 3, 5, 15, 0)},
		{"one minute before quiet hours", local(2026, 3, 5, 20, 59), local(2026, 3, 5, 20, 59)},
		{"at 21:00 waits for the morning", local(2026, 3, 5, 21, 0), local(2026, 3, 6, 8, 0)},
		{"late evening waits for the morning", local(2026, 3, 5, 23, 30), local(2026, 3, 6, 8, 0)},
		{"after midnight waits for this morning", local(2026, 3, 6, 2, 15), local(2026, 3, 6, 8, 0)},
		{"07:59 waits a minute", local(2026, 3, 6, 7, 59), local(2026, 3, 6, 8, 0)},
		{"08:00 goes", local(2026, 3, 6, 8, 0), local(2026, 3, 6, 8, 0)},
		{"new year's eve rolls into the new year", local(2026, 12, 31, 22, 0), local(2027, 1, 1, 8, 0)},
	} {
		if got := q.Release(c.at); !got.Equal(c.want) {
			t.Errorf("%s: Release(%s) = %s, want %s", c.name, c.at.In(shanghai), got.In(shanghai), c.want.In(shanghai))
		}
	}
	// A window that does not span midnight (a lunch break 12:00–13:30).
	lunch := messaging.QuietHours{Start: 12 * time.Hour, End: 13*time.Hour + 30*time.Minute, Loc: shanghai}
	if got := lunch.Release(local(2026, 3, 5, 12, 10)); !got.Equal(local(2026, 3, 5, 13, 30)) {
		t.Errorf("lunch window: %s", got.In(shanghai))
	}
	if got := lunch.Release(local(2026, 3, 5, 14, 0)); !got.Equal(local(2026, 3, 5, 14, 0)) {
		t.Errorf("after lunch: %s", got.In(shanghai))
	}
	off := messaging.QuietHours{Start: 8 * time.Hour, End: 8 * time.Hour, Loc: shanghai}
	if got := off.Release(local(2026, 3, 5, 23, 0)); !got.Equal(local(2026, 3, 5, 23, 0)) {
		t.Errorf("no quiet hours: %s", got.In(shanghai))
	}
}

// Five messages an hour per phone: the sixth waits until the oldest of the
// five leaves the window.
func TestRateReleaseWaitsForTheOldestToLeaveTheWindow(t *testing.T) {
	now := local(2026, 3, 5, 10, 0)
	ago := func(m int) time.Time { return now.Add(-time.Duration(m) * time.Minute) }
	for _, c := range []struct {
		name string
		sent []time.Time
		want time.Time
	}{
		{"nothing sent", nil, now},
		{"four in the hour", []time.Time{ago(5), ago(10), ago(20), ago(30)}, now},
		{"five in the hour", []time.Time{ago(5), ago(10), ago(20), ago(30), ago(50)}, ago(50).Add(time.Hour)},
		{"older ones do not count", []time.Time{ago(5), ago(10), ago(20), ago(30), ago(61), ago(90)}, now},
		{"seven in the hour", []time.Time{ago(1), ago(2), ago(3), ago(4), ago(5), ago(40), ago(45)}, ago(5).Add(time.Hour)},
	} {
		if got := messaging.RateRelease(c.sent, now, 5, time.Hour); !got.Equal(c.want) {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

func TestBackoffDoublesUpToTheCeiling(t *testing.T) {
	for n, want := range map[int]time.Duration{1: 30 * time.Second, 2: time.Minute, 3: 2 * time.Minute, 8: 60 * time.Minute, 20: time.Hour} {
		if got := messaging.Backoff(30*time.Second, n, time.Hour); got != want {
			t.Errorf("after %d failures: %s, want %s", n, got, want)
		}
	}
}

func TestRenderFillsVariables(t *testing.T) {
	got := messaging.Render("{{name}}您好，维修单{{ number }}报价{{amount}}元{{unknown}}", map[string]string{"name": "王建国", "number": "R1", "amount": "88.00"})
	if got != "王建国您好，维修单R1报价88.00元" {
		t.Errorf("%q", got)
	}
	if messaging.Yuan(12850) != "128.50" || messaging.Yuan(5) != "0.05" {
		t.Errorf("yuan: %s %s", messaging.Yuan(12850), messaging.Yuan(5))
	}
}
