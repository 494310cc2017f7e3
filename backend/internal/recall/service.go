package recall

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/event"
)

// Page sizes of the lists.
const (
	DefaultPageSize = 20
	MaxPageSize     = 200
)

// Topic is the live-event topic of recall events (the hotline's: agents
// make the notification calls).
const Topic = "tickets"

// OutletCheck returns nil when the outlet exists, or an apperr not_found.
type OutletCheck func(ctx context.Context, id uint64) error

// Options are the Service's dependencies.
type Options struct {
	DB      *gorm.DB
	Audit   *audit.Trail
	Bus     event.Bus // may be nil (tests)
	Outlets OutletCheck
	// RemedyOrders opens the recall_remedy work order of a booking at the
	// chosen outlet (nil: bookings create no work order; tools and tests).
	RemedyOrders RemedyOrders
	// MaxListSerials bounds an imported list (default 200,000).
	MaxListSerials int
	// Location is the enterprise time zone (start dates, weeks, numbers).
	Location *time.Location
	Now      func() time.Time
}

// Service manages recall campaigns. It is safe for concurrent use.
type Service struct {
	o Options
}

// New returns a Service.
func New(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.MaxListSerials <= 0 {
		o.MaxListSerials = 200_000
	}
	return &Service{o: o}
}

// CampaignInput is the input of Create and the full replacement of Update.
type CampaignInput struct {
	Title             string
	Reason            string
	HazardLevel       string
	Remedy            string
	RemedyDescription string
	RegulatorRef      string
	StartDate         time.Time // calendar date
}

func (in *CampaignInput) validate() error {
	fields := apperr.Fields{}
	in.Title = strings.TrimSpace(in.Title)
	in.Reason = strings.TrimSpace(in.Reason)
	in.RemedyDescription = strings.TrimSpace(in.RemedyDescription)
	in.RegulatorRef = strings.TrimSpace(in.RegulatorRef)
	if in.Title == "" || utf8.RuneCountInString(in.Title) > 255 {
		fields["title"] = apperr.RequiredMax(255)
	}
	if in.Reason == "" || utf8.RuneCountInString(in.Reason) > 5000 {
		fields["reason"] = apperr.RequiredMax(5000)
	}
	if !slices.Contains(HazardLevels, in.HazardLevel) {
		fields["hazard_level"] = apperr.OneOf("high", "medium", "low")
	}
	if !slices.Contains(Remedies, in.Remedy) {
		fields["remedy"] = apperr.OneOf("repair", "replace", "refund", "inspect")
	}
	if utf8.RuneCountInString(in.RemedyDescription) > 5000 {
		fields["remedy_description"] = apperr.TooLong(5000)
	}
	if utf8.RuneCountInString(in.RegulatorRef) > 64 {
		fields["regulator_ref"] = apperr.TooLong(64)
	}
	if in.StartDate.IsZero() {
		fields["start_date"] = apperr.Required()
	}
	if len(fields) > 0 {
		return apperr.FieldsErr(fields)
	}
	y, m, d := in.StartDate.UTC().Date()
	in.StartDate = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return nil
}

// Create opens a draft campaign. Errors: validation.
func (s *Service) Create(ctx context.Context, in CampaignInput) (Campaign, error) {
	if err := in.validate(); err != nil {
		return Campaign{}, err
	}
	now := s.o.Now().UTC()
	c := Campaign{Title: in.Title, Reason: in.Reason, HazardLevel: in.HazardLevel, Remedy: in.Remedy, RemedyDescription: in.RemedyDescription,
		RegulatorRef: in.RegulatorRef, StartDate: in.StartDate, Status: StatusDraft, Version: 1, CreatedAt: now, UpdatedAt: now}
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&c).Error; err != nil {
			return err
		}
		c.Number = fmt.Sprintf("RC%d-%04d", in.StartDate.Year(), c.ID)
		if err := tx.Model(&Campaign{}).Where("id = ?", c.ID).Update("number", c.Number).Error; err != nil {
			return err
		}
		if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: "create", Entity: "recall_campaign", EntityID: idStr(c.ID), After: c.Snapshot()}); err != nil {
			return err
		}
		return s.enqueue(tx, campaignEvent(event.RecallCreated, c))
	})
	if err != nil {
		return Campaign{}, wrap(err, "create recall campaign")
	}
	return c, nil
}

func (s *Service) loadCampaign(ctx context.Context, g *gorm.DB, id uint64) (Campaign, error) {
	var c Campaign
	if err := db.Take(g.WithContext(ctx).Where("id = ?", id), &c, "recall campaign"); err != nil {
		return Campaign{}, err
	}
	return c, nil
}

// mutate changes a campaign under the version guard with its audit record.
// ev (optional) is the event recorded in the change's transaction.
func (s *Service) mutate(ctx context.Context, id uint64, version int64, to, action string, ev *event.Type[event.RecallCampaign], fn func(c *Campaign, now time.Time) error) (Campaign, error) {
	var out Campaign
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		c, err := s.loadCampaign(ctx, tx, id)
		if err != nil {
			return err
		}
		if version != 0 && version != c.Version {
			return apperr.ErrVersionConflict("recall campaign")
		}
		if to != "" && !slices.Contains(transitions[c.Status], to) {
			return apperr.Conflict("invalid_transition", fmt.Sprintf("a %s campaign cannot become %s", c.Status, to)).WithDetail("allowed", Allowed(c.Status))
		}
		before := c.Snapshot()
		now := s.o.Now().UTC()
		if err := fn(&c, now); err != nil {
			return err
		}
		if to != "" {
			c.Status = to
		}
		if err := db.UpdateVersioned(tx, &Campaign{}, c.ID, c.Version, "recall campaign", map[string]any{
			"title": c.Title, "reason": c.Reason, "hazard_level": c.HazardLevel, "remedy": c.Remedy,
			"remedy_description": c.RemedyDescription, "regulator_ref": c.RegulatorRef, "start_date": c.StartDate,
			"status": c.Status, "activated_at": c.ActivatedAt, "closed_at": c.ClosedAt, "close_note": c.CloseNote,
			"version": c.Version + 1, "updated_at": now}); err != nil {
			return err
		}
		c.Version++
		c.UpdatedAt = now
		out = c
		if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: action, Entity: "recall_campaign", EntityID: idStr(c.ID), Before: before, After: c.Snapshot()}); err != nil {
			return err
		}
		if ev == nil {
			return nil
		}
		return s.enqueue(tx, campaignEvent(*ev, c))
	})
	if err != nil {
		return Campaign{}, wrap(err, action+" recall campaign")
	}
	return out, nil
}

// Update replaces a campaign's description (not while closed). Errors:
// validation, not_found, conflict.
func (s *Service) Update(ctx context.Context, id uint64, version int64, in CampaignInput) (Campaign, error) {
	if err := in.validate(); err != nil {
		return Campaign{}, err
	}
	return s.mutate(ctx, id, version, "", "update", nil, func(c *Campaign, now time.Time) error {
		if c.Status == StatusClosed {
			return apperr.Conflict("invalid_transition", "a closed campaign cannot be changed").WithDetail("allowed", []string{})
		}
		c.Title, c.Reason, c.HazardLevel, c.Remedy = in.Title, in.Reason, in.HazardLevel, in.Remedy
		c.RemedyDescription, c.RegulatorRef, c.StartDate = in.RemedyDescription, in.RegulatorRef, in.StartDate
		return nil
	})
}

// Activate starts a draft campaign: owners may now be notified and units
// remedied, and affected units show the recall_open flag. Errors:
// not_found, conflict.
func (s *Service) Activate(ctx context.Context, id uint64, version int64) (Campaign, error) {
	c, err := s.mutate(ctx, id, version, StatusActive, "activate", &event.RecallActivated, func(c *Campaign, now time.Time) error {
		c.ActivatedAt = &now
		return nil
	})
	if err != nil {
		return Campaign{}, err
	}
	return c, nil
}

// Close ends an active campaign with a note. Errors: validation,
// not_found, conflict.
func (s *Service) Close(ctx context.Context, id uint64, version int64, note string) (Campaign, error) {
	note = strings.TrimSpace(note)
	if note == "" || utf8.RuneCountInString(note) > 255 {
		return Campaign{}, apperr.FieldErr("note", apperr.RequiredMax(255))
	}
	c, err := s.mutate(ctx, id, version, StatusClosed, "close", &event.RecallClosed, func(c *Campaign, now time.Time) error {
		c.ClosedAt, c.CloseNote = &now, note
		return nil
	})
	if err != nil {
		return Campaign{}, err
	}
	return c, nil
}

// Counts are a campaign's progress totals.
type Counts struct {
	Affected  int64
	Owners    int64
	NoOwner   int64
	Notified  int64 // units whose owner was notified (incl. scheduled and remedied)
	Scheduled int64
	Remedied  int64
	// CompletionRate is Remedied ÷ Affected (nil when nothing is affected).
	CompletionRate *float64
}

// CampaignView is a campaign with its totals.
type CampaignView struct {
	Campaign
	Counts Counts
}

func (s *Service) counts(ctx context.Context, ids []uint64) (map[uint64]Counts, error) {
	return countsIn(s.o.DB.WithContext(ctx), ids)
}

// countsIn counts on db (a transaction sees its own changes).
func countsIn(db *gorm.DB, ids []uint64) (map[uint64]Counts, error) {
	out := map[uint64]Counts{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		CampaignID                                               uint64
		Affected, Owners, NoOwner, Notified, Scheduled, Remedied int64
	}
	err := db.Raw(`SELECT campaign_id, COUNT(*) AS affected, COUNT(DISTINCT customer_id) AS owners,
		COALESCE(SUM(CASE WHEN customer_id IS NULL THEN 1 ELSE 0 END), 0) AS no_owner,
		COALESCE(SUM(CASE WHEN status <> 'pending' THEN 1 ELSE 0 END), 0) AS notified,
		COALESCE(SUM(CASE WHEN status = 'scheduled' THEN 1 ELSE 0 END), 0) AS scheduled,
		COALESCE(SUM(CASE WHEN status = 'remedied' THEN 1 ELSE 0 END), 0) AS remedied
		FROM recall_units WHERE campaign_id IN ? GROUP BY campaign_id`, ids).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("recall counts: %w", err)
	}
	for _, r := range rows {
		c := Counts{Affected: r.Affected, Owners: r.Owners, NoOwner: r.NoOwner, Notified: r.Notified, Scheduled: r.Scheduled, Remedied: r.Remedied}
		if c.Affected > 0 {
			v := float64(c.Remedied) / float64(c.Affected)
			c.CompletionRate = &v
		}
		out[r.CampaignID] = c
	}
	return out, nil
}

// Get returns a campaign with its totals. Errors: not_found.
func (s *Service) Get(ctx context.Context, id uint64) (CampaignView, error) {
	c, err := s.loadCampaign(ctx, s.o.DB, id)
	if err != nil {
		return CampaignView{}, wrap(err, "get recall campaign")
	}
	cs, err := s.counts(ctx, []uint64{id})
	if err != nil {
		return CampaignView{}, apperr.Internal(err)
	}
	return CampaignView{Campaign: c, Counts: cs[id]}, nil
}

// List pages campaigns newest first, optionally by status.
func (s *Service) List(ctx context.Context, status string, page, size int) ([]CampaignView, int64, error) {
	q := s.o.DB.WithContext(ctx).Model(&Campaign{})
	if status != "" {
		if _, ok := transitions[status]; !ok {
			return nil, 0, apperr.FieldErr("status", apperr.OneOf("draft", "active", "closed"))
		}
		q = q.Where("status = ?", status)
	}
	page, size = bound(page, size)
	list, total, err := db.OffsetPage[Campaign](q, "id DESC", page, size)
	if err != nil {
		return nil, 0, apperr.Internal(fmt.Errorf("list recall campaigns: %w", err))
	}
	ids := make([]uint64, 0, len(list))
	for _, c := range list {
		ids = append(ids, c.ID)
	}
	cs, err := s.counts(ctx, ids)
	if err != nil {
		return nil, 0, apperr.Internal(err)
	}
	out := make([]CampaignView, 0, len(list))
	for _, c := range list {
		out = append(out, CampaignView{Campaign: c, Counts: cs[c.ID]})
	}
	return out, total, nil
}

// enqueue records e in tx, the transaction of the change: the event
// commits or rolls back with it.
func (s *Service) enqueue(tx *gorm.DB, e event.Event) error {
	if s.o.Bus == nil {
		return nil
	}
	return s.o.Bus.Enqueue(tx, e)
}

func campaignEvent(t event.Type[event.RecallCampaign], c Campaign) event.Event {
	return t.New(Topic, event.RecallCampaign{CampaignID: c.ID, Number: c.Number, Status: c.Status})
}

// bound clamps a list's page and size to this package's bounds.
func bound(page, size int) (int, int) {
	return db.PageBounds(page, size, DefaultPageSize, MaxPageSize)
}

// wrap classifies a storage error (db.Classify: busy, duplicate,
// unavailable, internal) with what was being done.
func wrap(err error, what string) error { return db.Classify(err, what) }
