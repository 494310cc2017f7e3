package sla_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/sla"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

func newStore(t *testing.T, db *gorm.DB) (*sla.Store, context.Context) {
	t.Helper()
	s := sla.New(sla.Options{DB: db, Audit: audit.New(nil), CacheTTL: time.Nanosecond,
		TicketTypes: []string{"repair", "complaint", "installation", "consultation"}, Priorities: []string{"low", "normal", "high", "urgent"},
		Statuses: []string{"waiting_customer", "waiting_parts"}})
	ctx := actor.With(context.Background(), actor.Actor{UserID: 1, Username: "admin", Roles: []string{"admin"}})
	if err := s.EnsureDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureDefaults(ctx); err != nil {
		t.Fatal("EnsureDefaults must be re-runnable:", err)
	}
	return s, ctx
}

func TestDefaultsAndSelection(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		s, ctx := newStore(t, db)
		cals, _ := s.Calendars(ctx)
		pols, _ := s.Policies(ctx)
		if len(cals) != 3 || len(pols) != 7 {
			t.Fatalf("%d calendars, %d policies", len(cals), len(pols))
		}
		for _, tc := range []struct{ typ, prio, region, want string }{
			{"repair", "urgent", "440305", "urgent"},
			{"complaint", "normal", "110101", "complaint"},
			{"repair", "normal", "440305", "standard"},
			{"installation", "low", "", "installation"},
		} {
			p, _, ok, err := s.Select(ctx, tc.typ, tc.prio, tc.region)
			if err != nil || !ok || p.ID != tc.want {
				t.Errorf("Select(%s, %s, %s) = %s, want %s (%v)", tc.typ, tc.prio, tc.region, p.ID, tc.want, err)
			}
		}
		// The workday calendar knows the 2026 调休: Saturday 2026-02-14 is a
		// working day, Monday 2026-02-16 (Spring Festival) is not.
		cal, _ := s.CalendarByCode(ctx, "cn-workdays")
		sat := time.Date(2026, 2, 14, 2, 0, 0, 0, time.UTC) // 10:00 Shanghai
		mon := time.Date(2026, 2, 16, 2, 0, 0, 0, time.UTC)
		if !cal.IsWorkingAt(sat) || cal.IsWorkingAt(mon) {
			t.Fatalf("makeup Saturday working %v, festival Monday working %v", cal.IsWorkingAt(sat), cal.IsWorkingAt(mon))
		}
	})
}

func TestCalendarEditing(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		s, ctx := newStore(t, db)
		bad := sla.CalendarData{Code: "Bad Code", Name: "", Weekly: map[string][]string{"monday": {"08:00-12:00", "11:00-13:00"}, "funday": {"x"}},
			Holidays: []string{"2026-10-01", "2026-02-30"}, MakeupWorkdays: []string{"2026-10-01"}}
		_, err := s.CreateCalendar(ctx, bad)
		e := apperr.As(err)
		if e.Kind != apperr.KindValidation || e.Fields["code"].Code == "" || e.Fields["name"].Code == "" || e.Fields["weekly.funday"].Code == "" || e.Fields["holidays[1]"].Code == "" {
			t.Fatalf("problems %v", e.Fields)
		}
		// Overlaps and a holiday that is also a make-up day are caught by
		// the calendar's own validation.
		bad = sla.CalendarData{Code: "x", Name: "x", Weekly: map[string][]string{"monday": {"08:00-12:00", "11:00-13:00"}},
			Holidays: []string{"2026-10-01"}, MakeupWorkdays: []string{"2026-10-01"}}
		_, err = s.CreateCalendar(ctx, bad)
		if e := apperr.As(err); e.Kind != apperr.KindValidation || len(e.Fields) < 2 {
			t.Fatalf("problems %v", e.Fields)
		}
		good := sla.CalendarData{Code: "night-shift", Name: "夜班", Weekly: map[string][]string{"monday": {"22:00-24:00"}, "tuesday": {"00:00-06:00"}}}
		c, err := s.CreateCalendar(ctx, good)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateCalendar(ctx, good); apperr.As(err).Code != "code_taken" {
			t.Fatalf("duplicate code: %v", err)
		}
		good.Name = "夜班（改）"
		if _, err := s.UpdateCalendar(ctx, c.ID, c.Version+1, good); apperr.As(err).Code != "version_conflict" {
			t.Fatalf("stale version: %v", err)
		}
		up, err := s.UpdateCalendar(ctx, c.ID, c.Version, good)
		if err != nil || up.Name != "夜班（改）" || up.Version != 2 {
			t.Fatalf("update %v %+v", err, up)
		}
		got, _ := s.CalendarByCode(ctx, "night-shift")
		// Monday 23:00 Shanghai is working time; 2 h from there end Tuesday 01:00.
		at := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
		end, err := got.Add(at, 2*time.Hour)
		if err != nil || !end.Equal(time.Date(2026, 11, 23, 17, 0, 0, 0, time.UTC)) {
			t.Fatalf("night shift add: %v %v", end, err)
		}
	})
}

func TestPolicyEditing(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		s, ctx := newStore(t, db)
		p := sla.PolicyData{Code: "gd-repair", Name: "广东维修", TicketType: "repair", Region: "44", CalendarCode: "cn-24x7", Active: true,
			TargetsMinutes: map[string]int{"resolution": 600, "teleport": 5}, PauseStatuses: []string{"waiting_parts"}}
		_, err := s.CreatePolicy(ctx, p)
		if e := apperr.As(err); e.Kind != apperr.KindValidation || e.Fields["targets_minutes.teleport"].Code == "" {
			t.Fatalf("unknown target: %v", e.Fields)
		}
		delete(p.TargetsMinutes, "teleport")
		p.CalendarCode = "nope"
		if e := apperr.As(func() error { _, err := s.CreatePolicy(ctx, p); return err }()); e.Fields["calendar_code"].Code == "" {
			t.Fatalf("unknown calendar: %v", e.Fields)
		}
		p.CalendarCode = "cn-24x7"
		created, err := s.CreatePolicy(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		pol, _, _, _ := s.Select(ctx, "repair", "normal", "440305")
		if pol.ID != "gd-repair" || pol.Targets[sla.TargetResolution] != 10*time.Hour {
			t.Fatalf("selected %+v", pol)
		}
		// Same criteria as an active policy: refused.
		dup := p
		dup.Code = "gd-repair-2"
		if e := apperr.As(func() error { _, err := s.CreatePolicy(ctx, dup); return err }()); e.Kind != apperr.KindValidation {
			t.Fatalf("duplicate criteria: %v", e)
		}
		p.Active = false
		if _, err := s.UpdatePolicy(ctx, created.ID, created.Version, p); err != nil {
			t.Fatal(err)
		}
		pol, _, _, _ = s.Select(ctx, "repair", "normal", "440305")
		if pol.ID != "standard" {
			t.Fatalf("inactive policy still selected: %s", pol.ID)
		}
	})
}
