package sla

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/event"
)

// DefaultCacheTTL is how long policies and calendars are served from memory.
// Every ticket creation selects a policy, so they are not read from the
// database each time; an edit made on another server is seen within this
// delay (an edit made here is seen at once).
const DefaultCacheTTL = 5 * time.Second

// Options are the store's dependencies.
type Options struct {
	DB    *gorm.DB
	Audit *audit.Trail
	Bus   event.Bus
	Now   func() time.Time
	// CacheTTL overrides DefaultCacheTTL.
	CacheTTL time.Duration
	// TicketTypes, Priorities and Statuses, when set, are the values a
	// policy's criteria and pause statuses may take.
	TicketTypes []string
	Priorities  []string
	Statuses    []string
}

// Store reads and writes SLA data. It is safe for concurrent use.
type Store struct {
	o Options

	mu   sync.Mutex
	snap *snapshot
}

// snapshot is the cached, decoded configuration.
type snapshot struct {
	loaded    time.Time
	rules     []PolicyRule
	policies  map[string]Policy
	calendars map[string]*Calendar
}

// New returns a Store.
func New(o Options) *Store {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.CacheTTL <= 0 {
		o.CacheTTL = DefaultCacheTTL
	}
	if o.Bus == nil {
		o.Bus = event.Discard
	}
	return &Store{o: o}
}

// DB returns the database the store writes to.
func (s *Store) DB() *gorm.DB { return s.o.DB }

// invalidate drops the cache after a local edit.
func (s *Store) invalidate() {
	s.mu.Lock()
	s.snap = nil
	s.mu.Unlock()
}

// config returns the cached configuration, reloading it when stale.
func (s *Store) config(ctx context.Context) (*snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.snap != nil && s.o.Now().Sub(s.snap.loaded) < s.o.CacheTTL {
		return s.snap, nil
	}
	var cals []CalendarRow
	if err := s.o.DB.WithContext(ctx).Order("id").Find(&cals).Error; err != nil {
		return nil, fmt.Errorf("sla calendars: %w", err)
	}
	var pols []PolicyRow
	if err := s.o.DB.WithContext(ctx).Order("id").Find(&pols).Error; err != nil {
		return nil, fmt.Errorf("sla policies: %w", err)
	}
	snap := &snapshot{loaded: s.o.Now(), policies: map[string]Policy{}, calendars: map[string]*Calendar{}}
	for _, c := range cals {
		d, err := c.Data()
		if err != nil {
			return nil, err
		}
		cal, _ := d.calendar()
		snap.calendars[c.Code] = cal
	}
	for _, p := range pols {
		d, err := p.Data()
		if err != nil {
			return nil, err
		}
		sp := d.policy()
		snap.policies[p.Code] = sp
		if p.Active {
			snap.rules = append(snap.rules, PolicyRule{Policy: sp, TicketType: p.TicketType, Priority: p.Priority, Region: p.Region})
		}
	}
	s.snap = snap
	return snap, nil
}

// Select returns the policy for a ticket (see Select) and its calendar.
// ok is false when no active policy matches; the ticket then has clocks
// without targets.
func (s *Store) Select(ctx context.Context, ticketType, priority, region string) (Policy, *Calendar, bool, error) {
	snap, err := s.config(ctx)
	if err != nil {
		return Policy{}, nil, false, err
	}
	p, ok := Select(snap.rules, ticketType, priority, region)
	if !ok {
		return Policy{}, nil, false, nil
	}
	return p, snap.calendars[p.CalendarID], true, nil
}

// PolicyByCode returns a policy (active or not) by its code.
func (s *Store) PolicyByCode(ctx context.Context, code string) (Policy, bool, error) {
	snap, err := s.config(ctx)
	if err != nil {
		return Policy{}, false, err
	}
	p, ok := snap.policies[code]
	return p, ok, nil
}

// CalendarByCode returns the calendar with code, or nil (24×7) when there
// is none: a ticket whose calendar was never stored still has clocks.
func (s *Store) CalendarByCode(ctx context.Context, code string) (*Calendar, error) {
	snap, err := s.config(ctx)
	if err != nil {
		return nil, err
	}
	return snap.calendars[code], nil
}

// ---- calendars ----

// CalendarData is the decoded, editable content of a calendar.
type CalendarData struct {
	Code           string              `json:"code"`
	Name           string              `json:"name"`
	Timezone       string              `json:"timezone"`
	AlwaysOpen     bool                `json:"always_open"`
	Weekly         map[string][]string `json:"weekly"`
	Holidays       []string            `json:"holidays"`
	MakeupWorkdays []string            `json:"makeup_workdays"`
	MakeupAs       string              `json:"makeup_as"`
	Note           string              `json:"note"`
}

var weekdayNames = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

func weekdayName(wd time.Weekday) string { return strings.ToLower(wd.String()) }

var codePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,63}$`)

// calendar builds the Calendar and reports every problem by field.
func (d CalendarData) calendar() (*Calendar, apperr.Fields) {
	fields := apperr.Fields{}
	tz := d.Timezone
	if tz == "" {
		tz = DefaultLocationName
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		fields["timezone"] = apperr.Unknown(tz)
		loc = DefaultLocation()
	}
	cal := &Calendar{Name: d.Name, Location: loc, AlwaysOpen: d.AlwaysOpen}
	if len(d.Weekly) > 0 {
		cal.Weekly = map[time.Weekday][]Interval{}
	}
	for name, ivs := range d.Weekly {
		wd, ok := weekdayNames[strings.ToLower(name)]
		if !ok {
			fields["weekly."+name] = apperr.Code("not_a_weekday", "not a weekday (monday … sunday)")
			continue
		}
		for i, raw := range ivs {
			iv, err := ParseInterval(raw)
			if err != nil {
				fields[fmt.Sprintf("weekly.%s[%d]", name, i)] = apperr.InvalidFormat(apperr.FormatTimeRange)
				continue
			}
			cal.Weekly[wd] = append(cal.Weekly[wd], iv)
		}
	}
	for i, raw := range d.Holidays {
		dt, err := ParseDate(raw)
		if err != nil {
			fields[fmt.Sprintf("holidays[%d]", i)] = apperr.InvalidFormat(apperr.FormatDate)
			continue
		}
		cal.Holidays = append(cal.Holidays, dt)
	}
	for i, raw := range d.MakeupWorkdays {
		dt, err := ParseDate(raw)
		if err != nil {
			fields[fmt.Sprintf("makeup_workdays[%d]", i)] = apperr.InvalidFormat(apperr.FormatDate)
			continue
		}
		cal.MakeupWorkdays = append(cal.MakeupWorkdays, dt)
	}
	if d.MakeupAs != "" {
		wd, ok := weekdayNames[strings.ToLower(d.MakeupAs)]
		if !ok {
			fields["makeup_as"] = apperr.Code("not_a_weekday", "not a weekday (monday … saturday)")
		}
		cal.MakeupAs = wd
	}
	return cal, fields
}

// validate checks the calendar as a whole.
func (d CalendarData) validate() apperr.Fields {
	cal, fields := d.calendar()
	if !codePattern.MatchString(d.Code) {
		fields["code"] = apperr.Identifier(1, 64)
	}
	if strings.TrimSpace(d.Name) == "" || len([]rune(d.Name)) > 128 {
		fields["name"] = apperr.RequiredMax(128)
	}
	if len(d.Note) > 4000 {
		fields["note"] = apperr.TooLong(4000)
	}
	if len(fields) > 0 {
		return fields
	}
	if err := cal.Validate(); err != nil {
		var ve *ValidationError
		if errors.As(err, &ve) {
			return ve.Fields()
		}
		return apperr.Fields{"calendar": apperr.Code("calendar_invalid", err.Error()).With("detail", err.Error())}
	}
	return nil
}

// Data decodes a stored calendar.
func (c CalendarRow) Data() (CalendarData, error) {
	d := CalendarData{Code: c.Code, Name: c.Name, Timezone: c.Timezone, AlwaysOpen: c.AlwaysOpen, Note: c.Note}
	if err := unmarshal(c.Weekly, &d.Weekly); err != nil {
		return d, fmt.Errorf("sla calendar %s: weekly: %w", c.Code, err)
	}
	if err := unmarshal(c.Holidays, &d.Holidays); err != nil {
		return d, fmt.Errorf("sla calendar %s: holidays: %w", c.Code, err)
	}
	if err := unmarshal(c.MakeupWorkdays, &d.MakeupWorkdays); err != nil {
		return d, fmt.Errorf("sla calendar %s: makeup: %w", c.Code, err)
	}
	if len(d.MakeupWorkdays) > 0 || c.MakeupAs != 0 {
		d.MakeupAs = weekdayName(time.Weekday(c.MakeupAs))
		if c.MakeupAs == 0 {
			d.MakeupAs = "monday"
		}
	}
	return d, nil
}

func (d CalendarData) row() CalendarRow {
	cal, _ := d.calendar()
	weekly := map[string][]string{}
	for wd, ivs := range cal.Weekly {
		for _, iv := range ivs {
			weekly[weekdayName(wd)] = append(weekly[weekdayName(wd)], iv.String())
		}
	}
	tz := d.Timezone
	if tz == "" {
		tz = DefaultLocationName
	}
	return CalendarRow{Code: d.Code, Name: strings.TrimSpace(d.Name), Timezone: tz, AlwaysOpen: d.AlwaysOpen,
		Weekly: mustJSON(weekly), Holidays: mustJSON(orEmpty(d.Holidays)), MakeupWorkdays: mustJSON(orEmpty(d.MakeupWorkdays)),
		MakeupAs: int(cal.MakeupAs), Note: d.Note}
}

// Calendars lists the stored calendars.
func (s *Store) Calendars(ctx context.Context) ([]CalendarRow, error) {
	var out []CalendarRow
	if err := s.o.DB.WithContext(ctx).Order("id").Find(&out).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("list sla calendars: %w", err))
	}
	return out, nil
}

// GetCalendar loads one calendar. Errors: not_found.
func (s *Store) GetCalendar(ctx context.Context, id uint64) (CalendarRow, error) {
	var c CalendarRow
	if err := s.o.DB.WithContext(ctx).Where("id = ?", id).Take(&c).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return c, apperr.NotFound("sla calendar")
		}
		return c, apperr.Internal(err)
	}
	return c, nil
}

// CreateCalendar stores a new calendar. Errors: validation (every problem
// by field), conflict code_taken.
func (s *Store) CreateCalendar(ctx context.Context, d CalendarData) (CalendarRow, error) {
	if f := d.validate(); len(f) > 0 {
		return CalendarRow{}, apperr.FieldsErr(f)
	}
	row := d.row()
	row.Version = 1
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return apperr.Conflict("code_taken", "a calendar with this code exists")
			}
			return err
		}
		return s.record(ctx, tx, audit.Entry{Action: "create", Entity: "sla_calendar", EntityID: idStr(row.ID), After: d},
			event.SLACalendarChanged.New(event.TopicAdmin, event.SLASetting{Code: row.Code}))
	})
	if err != nil {
		return CalendarRow{}, wrap(err, "create sla calendar")
	}
	s.invalidate()
	return row, nil
}

// UpdateCalendar replaces a calendar's content (its code cannot change:
// policies refer to it). Open tickets follow the new hours at once; closed
// tickets keep their frozen results. Errors: not_found, validation,
// version_conflict.
func (s *Store) UpdateCalendar(ctx context.Context, id uint64, version int64, d CalendarData) (CalendarRow, error) {
	var out CalendarRow
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var cur CalendarRow
		if err := db.Take(tx.Where("id = ?", id), &cur, "sla calendar"); err != nil {
			return err
		}
		if version == 0 {
			return apperr.FieldErr("version", apperr.VersionRequired())
		}
		d.Code = cur.Code
		if f := d.validate(); len(f) > 0 {
			return apperr.FieldsErr(f)
		}
		before, _ := cur.Data()
		row := d.row()
		if err := db.UpdateVersioned(tx, &CalendarRow{}, id, version, "sla calendar", map[string]any{
			"name": row.Name, "timezone": row.Timezone, "always_open": row.AlwaysOpen, "weekly": row.Weekly,
			"holidays": row.Holidays, "makeup_workdays": row.MakeupWorkdays, "makeup_as": row.MakeupAs, "note": row.Note,
			"version": version + 1, "updated_at": s.o.Now().UTC()}); err != nil {
			return err
		}
		if err := tx.Where("id = ?", id).Take(&out).Error; err != nil {
			return err
		}
		return s.record(ctx, tx, audit.Entry{Action: "update", Entity: "sla_calendar", EntityID: idStr(id), Before: before, After: d},
			event.SLACalendarChanged.New(event.TopicAdmin, event.SLASetting{Code: out.Code}))
	})
	if err != nil {
		return CalendarRow{}, wrap(err, "update sla calendar")
	}
	s.invalidate()
	return out, nil
}

// ---- policies ----

// PolicyData is the decoded, editable content of a policy and its rule.
type PolicyData struct {
	Code                 string         `json:"code"`
	Name                 string         `json:"name"`
	TicketType           string         `json:"ticket_type"`
	Priority             string         `json:"priority"`
	Region               string         `json:"region"`
	TargetsMinutes       map[string]int `json:"targets_minutes"`
	ArrivalByBandMinutes map[string]int `json:"arrival_by_band_minutes"`
	PauseStatuses        []string       `json:"pause_statuses"`
	WarnAt               float64        `json:"warn_at"`
	CalendarCode         string         `json:"calendar_code"`
	Active               bool           `json:"active"`
}

// policy converts to the calculator's type; the policy ID is its code.
func (d PolicyData) policy() Policy {
	p := Policy{ID: d.Code, Name: d.Name, PauseStatuses: slices.Clone(d.PauseStatuses), WarnAt: d.WarnAt, CalendarID: d.CalendarCode,
		Targets: map[Target]time.Duration{}, ArrivalByBand: map[DistanceBand]time.Duration{}}
	for k, m := range d.TargetsMinutes {
		p.Targets[Target(k)] = time.Duration(m) * time.Minute
	}
	for k, m := range d.ArrivalByBandMinutes {
		p.ArrivalByBand[DistanceBand(k)] = time.Duration(m) * time.Minute
	}
	return p
}

// Data decodes a stored policy.
func (p PolicyRow) Data() (PolicyData, error) {
	d := PolicyData{Code: p.Code, Name: p.Name, TicketType: p.TicketType, Priority: p.Priority, Region: p.Region,
		WarnAt: p.WarnAt, CalendarCode: p.CalendarCode, Active: p.Active}
	if err := unmarshal(p.Targets, &d.TargetsMinutes); err != nil {
		return d, fmt.Errorf("sla policy %s: targets: %w", p.Code, err)
	}
	if err := unmarshal(p.ArrivalByBand, &d.ArrivalByBandMinutes); err != nil {
		return d, fmt.Errorf("sla policy %s: bands: %w", p.Code, err)
	}
	if err := unmarshal(p.PauseStatuses, &d.PauseStatuses); err != nil {
		return d, fmt.Errorf("sla policy %s: pause statuses: %w", p.Code, err)
	}
	return d, nil
}

func (d PolicyData) row() PolicyRow {
	return PolicyRow{Code: d.Code, Name: strings.TrimSpace(d.Name), TicketType: d.TicketType, Priority: d.Priority, Region: d.Region,
		Targets: mustJSON(orEmptyMap(d.TargetsMinutes)), ArrivalByBand: mustJSON(orEmptyMap(d.ArrivalByBandMinutes)),
		PauseStatuses: mustJSON(orEmpty(d.PauseStatuses)), WarnAt: d.WarnAt, CalendarCode: d.CalendarCode, Active: d.Active}
}

// validatePolicy checks one policy, and the active rule set it would join.
func (s *Store) validatePolicy(ctx context.Context, tx *gorm.DB, id uint64, d PolicyData) apperr.Fields {
	fields := apperr.Fields{}
	if !codePattern.MatchString(d.Code) {
		fields["code"] = apperr.Identifier(1, 64)
	}
	if strings.TrimSpace(d.Name) == "" || len([]rune(d.Name)) > 128 {
		fields["name"] = apperr.RequiredMax(128)
	}
	if d.TicketType != "" && len(s.o.TicketTypes) > 0 && !slices.Contains(s.o.TicketTypes, d.TicketType) {
		fields["ticket_type"] = apperr.OneOf(s.o.TicketTypes...)
	}
	if d.Priority != "" && len(s.o.Priorities) > 0 && !slices.Contains(s.o.Priorities, d.Priority) {
		fields["priority"] = apperr.OneOf(s.o.Priorities...)
	}
	for i, st := range d.PauseStatuses {
		if len(s.o.Statuses) > 0 && !slices.Contains(s.o.Statuses, st) {
			fields[fmt.Sprintf("pause_statuses[%d]", i)] = apperr.Unknown(st)
		}
	}
	for k, m := range d.TargetsMinutes {
		if m < 0 || m > 366*24*60 {
			fields["targets_minutes."+k] = apperr.OutOfRange(0, 527040)
		}
	}
	for k, m := range d.ArrivalByBandMinutes {
		if m < 0 || m > 366*24*60 {
			fields["arrival_by_band_minutes."+k] = apperr.OutOfRange(0, 527040)
		}
	}
	var n int64
	if err := tx.Model(&CalendarRow{}).Where("code = ?", d.CalendarCode).Count(&n).Error; err != nil || n == 0 {
		fields["calendar_code"] = apperr.NoSuch("calendar")
	}
	if err := d.policy().Validate(); err != nil {
		var ve *ValidationError
		if errors.As(err, &ve) {
			for k, v := range ve.Fields() {
				fields[strings.NewReplacer("targets[", "targets_minutes.", "arrival_by_band[", "arrival_by_band_minutes.", "]", "").Replace(k)] = v
			}
		}
	}
	if len(fields) > 0 || !d.Active {
		return fields
	}
	// The active set must stay selectable: no two rules with the same criteria.
	var others []PolicyRow
	if err := tx.Where("active = ? AND id <> ?", true, id).Order("id").Find(&others).Error; err != nil {
		return apperr.Fields{"policy": apperr.Code("evidence_unreadable", "cannot read the other policies")}
	}
	rules := make([]PolicyRule, 0, len(others)+1)
	for _, o := range others {
		od, _ := o.Data()
		rules = append(rules, PolicyRule{Policy: od.policy(), TicketType: o.TicketType, Priority: o.Priority, Region: o.Region})
	}
	rules = append(rules, PolicyRule{Policy: d.policy(), TicketType: d.TicketType, Priority: d.Priority, Region: d.Region})
	if err := ValidateRules(rules); err != nil {
		var ve *ValidationError
		if errors.As(err, &ve) {
			last := fmt.Sprintf("rules[%d]", len(rules)-1)
			for k, v := range ve.Fields() {
				if strings.HasPrefix(k, last) {
					if v.Code == "policy_overlap" {
						fields["ticket_type"] = apperr.Code("policy_overlap", "another active policy has the same type, priority and region")
					} else {
						fields[strings.TrimPrefix(strings.TrimPrefix(k, last), ".")] = v
					}
				}
			}
		}
	}
	return fields
}

// Policies lists the stored policies.
func (s *Store) Policies(ctx context.Context) ([]PolicyRow, error) {
	var out []PolicyRow
	if err := s.o.DB.WithContext(ctx).Order("id").Find(&out).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("list sla policies: %w", err))
	}
	return out, nil
}

// GetPolicy loads one policy. Errors: not_found.
func (s *Store) GetPolicy(ctx context.Context, id uint64) (PolicyRow, error) {
	var p PolicyRow
	if err := s.o.DB.WithContext(ctx).Where("id = ?", id).Take(&p).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return p, apperr.NotFound("sla policy")
		}
		return p, apperr.Internal(err)
	}
	return p, nil
}

// CreatePolicy stores a new policy. It applies to tickets created (or
// re-prioritised) from now on; tickets keep the targets frozen in their log.
// Errors: validation, conflict code_taken.
func (s *Store) CreatePolicy(ctx context.Context, d PolicyData) (PolicyRow, error) {
	row := d.row()
	row.Version = 1
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if f := s.validatePolicy(ctx, tx, 0, d); len(f) > 0 {
			return apperr.FieldsErr(f)
		}
		if err := tx.Create(&row).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return apperr.Conflict("code_taken", "a policy with this code exists")
			}
			return err
		}
		return s.record(ctx, tx, audit.Entry{Action: "create", Entity: "sla_policy", EntityID: idStr(row.ID), After: d},
			event.SLAPolicyChanged.New(event.TopicAdmin, event.SLASetting{Code: row.Code}))
	})
	if err != nil {
		return PolicyRow{}, wrap(err, "create sla policy")
	}
	s.invalidate()
	return row, nil
}

// UpdatePolicy replaces a policy's content; its code cannot change because
// tickets' logs name it. Errors: not_found, validation, version_conflict.
func (s *Store) UpdatePolicy(ctx context.Context, id uint64, version int64, d PolicyData) (PolicyRow, error) {
	var out PolicyRow
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var cur PolicyRow
		if err := db.Take(tx.Where("id = ?", id), &cur, "sla policy"); err != nil {
			return err
		}
		if version == 0 {
			return apperr.FieldErr("version", apperr.VersionRequired())
		}
		d.Code = cur.Code
		if f := s.validatePolicy(ctx, tx, id, d); len(f) > 0 {
			return apperr.FieldsErr(f)
		}
		before, _ := cur.Data()
		row := d.row()
		if err := db.UpdateVersioned(tx, &PolicyRow{}, id, version, "sla policy", map[string]any{
			"name": row.Name, "ticket_type": row.TicketType, "priority": row.Priority, "region": row.Region,
			"targets": row.Targets, "arrival_by_band": row.ArrivalByBand, "pause_statuses": row.PauseStatuses,
			"warn_at": row.WarnAt, "calendar_code": row.CalendarCode, "active": row.Active,
			"version": version + 1, "updated_at": s.o.Now().UTC()}); err != nil {
			return err
		}
		if err := tx.Where("id = ?", id).Take(&out).Error; err != nil {
			return err
		}
		return s.record(ctx, tx, audit.Entry{Action: "update", Entity: "sla_policy", EntityID: idStr(id), Before: before, After: d},
			event.SLAPolicyChanged.New(event.TopicAdmin, event.SLASetting{Code: out.Code}))
	})
	if err != nil {
		return PolicyRow{}, wrap(err, "update sla policy")
	}
	s.invalidate()
	return out, nil
}

// record writes the change's audit entry and enqueues its event, both in
// tx: the event commits or rolls back with the change (see docs/events.md).
func (s *Store) record(ctx context.Context, tx *gorm.DB, entry audit.Entry, e event.Event) error {
	if err := s.o.Audit.Record(ctx, tx, entry); err != nil {
		return err
	}
	return s.o.Bus.Enqueue(tx, e)
}

// ---- helpers ----

func idStr(id uint64) string { return strconv.FormatUint(id, 10) }

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "null"
	}
	return string(b)
}

func unmarshal(s string, dst any) error {
	if s == "" || s == "null" {
		return nil
	}
	return json.Unmarshal([]byte(s), dst)
}

func orEmpty(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

func orEmptyMap(m map[string]int) map[string]int {
	if m == nil {
		return map[string]int{}
	}
	return m
}

// wrap classifies a storage error (db.Classify: busy, duplicate,
// unavailable, internal) with what was being done.
func wrap(err error, what string) error { return db.Classify(err, what) }
