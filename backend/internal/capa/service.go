package capa

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/db"
)

// SourceCheck reports whether the record an action refers to exists; it
// returns a not-found *apperr.Error when it does not.
type SourceCheck func(ctx context.Context, id uint64) error

// Options are the service's dependencies.
type Options struct {
	DB       *gorm.DB
	Audit    *audit.Trail
	Now      func() time.Time
	Location *time.Location // enterprise time zone for due dates
	// Sources checks source ids per source kind (complaint, survey); a kind
	// without a check accepts any id. Wired in app.
	Sources map[string]SourceCheck
}

// Service manages corrective and preventive actions.
type Service struct{ o Options }

// New returns a Service.
func New(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Sources == nil {
		o.Sources = map[string]SourceCheck{}
	}
	return &Service{o: o}
}

// SetSourceCheck registers the existence check for a source kind (app wires
// the complaint and survey services here after constructing them).
func (s *Service) SetSourceCheck(kind string, check SourceCheck) { s.o.Sources[kind] = check }

// Today returns the local calendar date at 00:00 UTC.
func (s *Service) Today() time.Time { return LocalDate(s.o.Now(), s.o.Location) }

// LocalDate returns t's calendar date in loc as 00:00 UTC, the storage form
// of calendar dates.
func LocalDate(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// NewAction is the input to Create.
type NewAction struct {
	SourceKind  string
	SourceID    *uint64
	Kind        string
	Title       string
	Description string
	OwnerID     *uint64
	OwnerName   string
	DueDate     time.Time // calendar date (00:00 UTC)
}

func validText(fields apperr.Fields, name, v string, required bool, max int) string {
	v = strings.TrimSpace(v)
	if required && v == "" {
		fields[name] = apperr.Required()
	} else if utf8.RuneCountInString(v) > max {
		fields[name] = apperr.TooLong(max)
	}
	return v
}

// Create records a new open action. Errors: validation (fields, including a
// source that does not exist).
func (s *Service) Create(ctx context.Context, in NewAction) (Action, error) {
	fields := apperr.Fields{}
	if !slices.Contains(SourceKinds, in.SourceKind) {
		fields["source_kind"] = apperr.OneOf(SourceKinds...)
	}
	if in.Kind == "" {
		in.Kind = KindCorrective
	}
	if in.Kind != KindCorrective && in.Kind != KindPreventive {
		fields["kind"] = apperr.OneOf("corrective", "preventive")
	}
	if (in.SourceKind == SourceComplaint || in.SourceKind == SourceSurvey) && in.SourceID == nil {
		fields["source_id"] = apperr.Required()
	}
	in.Title = validText(fields, "title", in.Title, true, 200)
	in.Description = validText(fields, "description", in.Description, false, 4000)
	in.OwnerName = validText(fields, "owner_name", in.OwnerName, true, 64)
	if in.DueDate.IsZero() {
		fields["due_date"] = apperr.Required()
	}
	if len(fields) > 0 {
		return Action{}, apperr.FieldsErr(fields)
	}
	if in.SourceID != nil {
		if check := s.o.Sources[in.SourceKind]; check != nil {
			if err := check(ctx, *in.SourceID); err != nil {
				if apperr.IsKind(err, apperr.KindNotFound) {
					return Action{}, apperr.FieldErr("source_id", apperr.NoSuch(in.SourceKind))
				}
				return Action{}, err
			}
		}
	}
	now := s.o.Now().UTC().Truncate(time.Millisecond)
	a := Action{SourceKind: in.SourceKind, SourceID: in.SourceID, Kind: in.Kind, Title: in.Title, Description: in.Description,
		OwnerID: in.OwnerID, OwnerName: in.OwnerName, DueDate: in.DueDate.UTC(), Status: StatusOpen,
		CreatedBy: actor.From(ctx).Username, Version: 1, CreatedAt: now, UpdatedAt: now}
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&a).Error; err != nil {
			return err
		}
		return s.o.Audit.Record(ctx, tx, audit.Entry{Action: "create", Entity: "corrective_action", EntityID: strconv.FormatUint(a.ID, 10), After: a})
	})
	if err != nil {
		return Action{}, wrap(err, "create corrective action")
	}
	return a, nil
}

// Get returns one action. Errors: not found.
func (s *Service) Get(ctx context.Context, id uint64) (Action, error) {
	var a Action
	if err := s.o.DB.WithContext(ctx).Where("id = ?", id).Take(&a).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return Action{}, apperr.NotFound("corrective action")
		}
		return Action{}, apperr.Internal(fmt.Errorf("get corrective action: %w", err))
	}
	return a, nil
}

// Filter selects actions for List.
type Filter struct {
	SourceKind string
	SourceID   *uint64
	Status     string
	OwnerID    *uint64
	Overdue    bool
	Page, Size int
	// Sort is one of due_date, -due_date, created_at, -created_at (default due_date).
	Sort string
}

// SortFields are the accepted values of Filter.Sort.
var SortFields = map[string]string{"due_date": "due_date ASC, id ASC", "-due_date": "due_date DESC, id DESC",
	"created_at": "id ASC", "-created_at": "id DESC"}

// List returns a page of actions and the total. Errors: validation (sort).
func (s *Service) List(ctx context.Context, f Filter) ([]Action, int64, error) {
	order := "due_date ASC, id ASC"
	if f.Sort != "" {
		o, ok := SortFields[f.Sort]
		if !ok {
			return nil, 0, apperr.FieldErr("sort", apperr.OneOf("due_date", "-due_date", "created_at", "-created_at"))
		}
		order = o
	}
	q := s.o.DB.WithContext(ctx).Model(&Action{})
	if f.SourceKind != "" {
		q = q.Where("source_kind = ?", f.SourceKind)
	}
	if f.SourceID != nil {
		q = q.Where("source_id = ?", *f.SourceID)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.OwnerID != nil {
		q = q.Where("owner_id = ?", *f.OwnerID)
	}
	if f.Overdue {
		q = q.Where("status = ? AND due_date < ?", StatusOpen, s.Today())
	}
	f.Page, f.Size = db.PageBounds(f.Page, f.Size, 20, 0)
	out, total, err := db.OffsetPage[Action](q, order, f.Page, f.Size)
	if err != nil {
		return nil, 0, apperr.Internal(fmt.Errorf("list corrective actions: %w", err))
	}
	return out, total, nil
}

// ForSource returns every action raised from one source record, oldest first.
func (s *Service) ForSource(ctx context.Context, kind string, id uint64) ([]Action, error) {
	var out []Action
	if err := s.o.DB.WithContext(ctx).Where("source_kind = ? AND source_id = ?", kind, id).Order("id").Find(&out).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("actions for %s %d: %w", kind, id, err))
	}
	return out, nil
}

// Patch changes an open action's description, owner or due date; nil fields
// are left alone.
type Patch struct {
	Title       *string
	Description *string
	OwnerID     *uint64
	OwnerName   *string
	DueDate     *time.Time
}

// Update applies p with optimistic concurrency. Errors: not found,
// validation, conflict (version_conflict; invalid_transition when the action
// is no longer open).
func (s *Service) Update(ctx context.Context, id uint64, version int64, p Patch) (Action, error) {
	fields := apperr.Fields{}
	if p.Title != nil {
		*p.Title = validText(fields, "title", *p.Title, true, 200)
	}
	if p.Description != nil {
		*p.Description = validText(fields, "description", *p.Description, false, 4000)
	}
	if p.OwnerName != nil {
		*p.OwnerName = validText(fields, "owner_name", *p.OwnerName, true, 64)
	}
	if len(fields) > 0 {
		return Action{}, apperr.FieldsErr(fields)
	}
	return s.mutate(ctx, id, version, "update", func(a *Action) error {
		if a.Status != StatusOpen {
			return invalidTransition(a.Status, "update", nil)
		}
		if p.Title != nil {
			a.Title = *p.Title
		}
		if p.Description != nil {
			a.Description = *p.Description
		}
		if p.OwnerID != nil {
			a.OwnerID = p.OwnerID
		}
		if p.OwnerName != nil {
			a.OwnerName = *p.OwnerName
		}
		if p.DueDate != nil {
			a.DueDate = p.DueDate.UTC()
		}
		return nil
	})
}

// Close marks an open action done. Errors: not found, validation (note),
// conflict (invalid_transition, version_conflict).
func (s *Service) Close(ctx context.Context, id uint64, version int64, note string) (Action, error) {
	fields := apperr.Fields{}
	note = validText(fields, "note", note, true, 4000)
	if len(fields) > 0 {
		return Action{}, apperr.FieldsErr(fields)
	}
	return s.mutate(ctx, id, version, "close", func(a *Action) error {
		if a.Status != StatusOpen {
			return invalidTransition(a.Status, StatusClosed, nil)
		}
		now := s.o.Now().UTC().Truncate(time.Millisecond)
		// On time means closed on or before the local due date; the result is
		// frozen here so a later look at the record cannot reinterpret it.
		onTime := !LocalDate(now, s.o.Location).After(a.DueDate)
		a.Status, a.ClosedAt, a.ClosingNote, a.ClosedOnTime = StatusClosed, &now, note, &onTime
		return nil
	})
}

// CheckEffectiveness records the effectiveness review of a closed action:
// effective → verified; not effective → ineffective (a new action should
// be raised; the old one stays as evidence of the failed attempt). Errors:
// not found, validation, conflict (invalid_transition, version_conflict).
func (s *Service) CheckEffectiveness(ctx context.Context, id uint64, version int64, effective bool, note string) (Action, error) {
	fields := apperr.Fields{}
	note = validText(fields, "note", note, true, 4000)
	if len(fields) > 0 {
		return Action{}, apperr.FieldsErr(fields)
	}
	return s.mutate(ctx, id, version, "effectiveness_check", func(a *Action) error {
		if a.Status != StatusClosed {
			return invalidTransition(a.Status, "effectiveness_check", []string{"close"})
		}
		now := s.o.Now().UTC().Truncate(time.Millisecond)
		a.CheckedAt, a.Effective, a.EffectivenessNote, a.CheckedBy = &now, &effective, note, actor.From(ctx).Username
		a.Status = StatusIneffective
		if effective {
			a.Status = StatusVerified
		}
		return nil
	})
}

func invalidTransition(from, to string, allowed []string) error {
	if allowed == nil {
		allowed = []string{}
	}
	return apperr.Conflict("invalid_transition", fmt.Sprintf("a corrective action in status %s cannot %s", from, to)).WithDetail("allowed", allowed)
}

// mutate loads, changes and saves an action with its version check and an
// audit record in one transaction. version 0 means "the version just read".
func (s *Service) mutate(ctx context.Context, id uint64, version int64, action string, change func(*Action) error) (Action, error) {
	var out Action
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var a Action
		if err := db.Take(tx.Where("id = ?", id), &a, "corrective action"); err != nil {
			return err
		}
		if version != 0 && version != a.Version {
			return apperr.ErrVersionConflict("corrective action")
		}
		before := a
		if err := change(&a); err != nil {
			return err
		}
		if audit.Unchanged(before, a) {
			out = before // nothing to write: no version bump, no audit record
			return nil
		}
		a.Version = before.Version + 1
		a.UpdatedAt = s.o.Now().UTC().Truncate(time.Millisecond)
		if err := db.UpdateVersioned(tx.Select("*").Omit("id", "created_at"), &Action{}, a.ID, before.Version, "corrective action", &a); err != nil {
			return err
		}
		out = a
		return s.o.Audit.Record(ctx, tx, audit.Entry{Action: action, Entity: "corrective_action", EntityID: strconv.FormatUint(a.ID, 10), Before: before, After: a})
	})
	if err != nil {
		return Action{}, wrap(err, action+" corrective action")
	}
	return out, nil
}

// Stats are the improvement figures for a period (actions created in it)
// and right now (open and overdue).
type Stats struct {
	Created     int64 `json:"created"`
	Closed      int64 `json:"closed"`
	Verified    int64 `json:"verified"`
	Ineffective int64 `json:"ineffective"`
	OpenNow     int64 `json:"open_now"`
	OverdueNow  int64 `json:"overdue_now"`
	// ClosedOnTime counts actions created in the period closed on or before their due date.
	ClosedOnTime int64 `json:"closed_on_time"`
}

// PeriodStats counts actions created in [from, to) from sourceKind ("" for
// all), plus the ones open and overdue now; one aggregate query each.
func (s *Service) PeriodStats(ctx context.Context, sourceKind string, from, to time.Time) (Stats, error) {
	var st Stats
	q := s.o.DB.WithContext(ctx).Model(&Action{}).Where("created_at >= ? AND created_at < ?", from.UTC().Truncate(time.Microsecond), to.UTC().Truncate(time.Microsecond))
	if sourceKind != "" {
		q = q.Where("source_kind = ?", sourceKind)
	}
	type agg struct {
		Created, Closed, Verified, Ineffective, ClosedOnTime *int64
	}
	var a agg
	if err := q.Select(`COUNT(*) AS created,
		SUM(CASE WHEN status IN ('closed','verified','ineffective') THEN 1 ELSE 0 END) AS closed,
		SUM(CASE WHEN status = 'verified' THEN 1 ELSE 0 END) AS verified,
		SUM(CASE WHEN status = 'ineffective' THEN 1 ELSE 0 END) AS ineffective,
		SUM(CASE WHEN closed_on_time = 1 THEN 1 ELSE 0 END) AS closed_on_time`).Scan(&a).Error; err != nil {
		return st, apperr.Internal(fmt.Errorf("corrective action stats: %w", err))
	}
	st.Created, st.Closed, st.Verified, st.Ineffective, st.ClosedOnTime = deref(a.Created), deref(a.Closed), deref(a.Verified), deref(a.Ineffective), deref(a.ClosedOnTime)
	now := s.o.DB.WithContext(ctx).Model(&Action{}).Where("status = ?", StatusOpen)
	if sourceKind != "" {
		now = now.Where("source_kind = ?", sourceKind)
	}
	type openAgg struct{ OpenNow, OverdueNow *int64 }
	var o openAgg
	if err := now.Select("COUNT(*) AS open_now, SUM(CASE WHEN due_date < ? THEN 1 ELSE 0 END) AS overdue_now", s.Today()).Scan(&o).Error; err != nil {
		return st, apperr.Internal(fmt.Errorf("corrective action stats: %w", err))
	}
	st.OpenNow, st.OverdueNow = deref(o.OpenNow), deref(o.OverdueNow)
	return st, nil
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// wrap classifies a storage error (db.Classify: busy, duplicate,
// unavailable, internal) with what was being done.
func wrap(err error, what string) error { return db.Classify(err, what) }
