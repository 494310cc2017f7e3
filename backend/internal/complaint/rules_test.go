package complaint

import (
	"testing"
	"time"
)

func TestDeadlines(t *testing.T) {
	d := DefaultDeadlines()
	rcv := time.Date(2026, 2, 16, 23, 30, 0, 0, time.UTC) // a Sunday night: the clock runs 24/7
	cases := []struct {
		severity          string
		wantAck, wantDone time.Time
	}{
		{SeverityNormal, rcv.Add(2 * time.Hour), rcv.Add(24 * time.Hour)},
		{SeverityMajor, rcv.Add(time.Hour), rcv.Add(24 * time.Hour)},
		{SeverityCrisis, rcv.Add(30 * time.Minute), rcv.Add(24 * time.Hour)},
		{"unknown", rcv.Add(2 * time.Hour), rcv.Add(24 * time.Hour)},
	}
	for _, c := range cases {
		ack, done := d.Due(c.severity, rcv)
		if !ack.Equal(c.wantAck) || !done.Equal(c.wantDone) {
			t.Errorf("%s: %v %v", c.severity, ack, done)
		}
	}
}

func TestTransitions(t *testing.T) {
	cases := []struct {
		from, to string
		ok       bool
	}{
		{StatusReceived, StatusAcknowledged, true},
		{StatusReceived, StatusInvestigating, false},
		{StatusReceived, StatusClosed, false},
		{StatusAcknowledged, StatusInvestigating, true},
		{StatusInvestigating, StatusResolved, true},
		{StatusResolved, StatusConfirmed, true},
		{StatusResolved, StatusInvestigating, true},
		{StatusResolved, StatusClosed, true},
		{StatusConfirmed, StatusClosed, true},
		{StatusConfirmed, StatusInvestigating, false},
		{StatusClosed, StatusReceived, false},
	}
	for _, c := range cases {
		if CanMove(c.from, c.to) != c.ok {
			t.Errorf("%s → %s: want %v", c.from, c.to, c.ok)
		}
	}
}

func TestWithinLimit(t *testing.T) {
	due := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	at := func(h int) *time.Time { v := due.Add(time.Duration(h) * time.Hour); return &v }
	c := Complaint{AckDueAt: due}
	if c.AckWithinLimit(due.Add(-time.Hour)) != nil {
		t.Error("not yet due and not done: no verdict")
	}
	if v := c.AckWithinLimit(due.Add(time.Hour)); v == nil || *v {
		t.Error("overdue and not done: not within")
	}
	c.AckAt = &due
	if v := c.AckWithinLimit(due.Add(time.Hour)); v == nil || !*v {
		t.Error("done exactly at the deadline: within")
	}
	c.AckAt = at(1)
	if v := c.AckWithinLimit(due); v == nil || *v {
		t.Error("done after the deadline: not within")
	}
}

func TestChain(t *testing.T) {
	c := Chain{"quality_manager", "admin"}
	if l, up := c.Next(0); l != 1 || !up {
		t.Error("0 → 1")
	}
	if l, up := c.Next(2); l != 2 || up {
		t.Error("top stays")
	}
	if c.RoleAt(1) != "quality_manager" || c.RoleAt(5) != "admin" || Chain(nil).RoleAt(1) != "" {
		t.Error("roles")
	}
	if Number(time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC), 123) != "TS20260115-000123" {
		t.Error("number")
	}
}
