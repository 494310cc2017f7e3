package complaint

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
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
	"github.com/aftersales/aftersales/backend/internal/event"
)

// Topic is the live channel complaint events are published on.
const Topic = "quality"

// Exists checks that a record of another domain exists; it returns a
// not-found *apperr.Error when it does not. Wired in app from the owning
// domain's service; nil skips the check.
type Exists func(ctx context.Context, id uint64) error

// Options are the service's dependencies.
type Options struct {
	DB        *gorm.DB
	Audit     *audit.Trail
	Bus       event.Bus
	Log       *slog.Logger
	Now       func() time.Time
	Location  *time.Location
	Deadlines Deadlines
	Chain     Chain
	// Customers, Tickets and Units check referenced ids (optional).
	Customers Exists
	Tickets   Exists
	Units     Exists
	// InstalledBase returns the number of units in service, the denominator
	// of the complaint rate (optional: without it the rate is not computed).
	InstalledBase func(ctx context.Context) (int64, error)
	// RoleHolders returns the active users who hold role in scope: for an
	// outlet role, the users of outletID (when the complaint names an
	// outlet); for a headquarters role, its users without an outlet scope.
	// Wired in app from the user directory; nil: nobody is resolved.
	RoleHolders func(ctx context.Context, role string, outletID *uint64) ([]uint64, error)
}

// Service manages complaints and crisis drills.
type Service struct{ o Options }

// New returns a Service.
func New(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Bus == nil {
		o.Bus = event.Discard
	}
	if o.Deadlines == nil {
		o.Deadlines = DefaultDeadlines()
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Service{o: o}
}

// SetReferenceChecks wires the existence checks of customers, tickets and
// units once those services exist (app calls it; nil leaves a check off).
func (s *Service) SetReferenceChecks(customers, tickets, units Exists) {
	s.o.Customers, s.o.Tickets, s.o.Units = customers, tickets, units
}

// SetInstalledBase wires the installed-base counter used by the KPI.
func (s *Service) SetInstalledBase(f func(ctx context.Context) (int64, error)) { s.o.InstalledBase = f }

func (s *Service) now() time.Time { return s.o.Now().UTC().Truncate(time.Millisecond) }

// NewComplaint is the input to Create.
type NewComplaint struct {
	Source           string
	ExternalChannel  string
	SourceRef        string
	TicketID         *uint64
	CustomerID       uint64
	UnitID           *uint64
	OutletID         *uint64
	WorkOrderID      *uint64
	TechnicianID     *uint64
	Category         string
	Severity         string
	Title            string
	Description      string
	ReceivedAt       *time.Time // default now; may not be in the future
	ResponsibleID    *uint64
	ResponsibleName  string
	CrisisPlan       string
	SurveyResponseID *uint64
}

func text(fields apperr.Fields, name, v string, required bool, max int) string {
	v = strings.TrimSpace(v)
	if required && v == "" {
		fields[name] = apperr.Required()
	} else if utf8.RuneCountInString(v) > max {
		fields[name] = apperr.TooLong(max)
	}
	return v
}

func oneOf(fields apperr.Fields, name, v string, allowed []string) {
	if !slices.Contains(allowed, v) {
		fields[name] = apperr.OneOf(allowed...)
	}
}

// Create records a complaint with its deadlines, and for a crisis escalates
// straight to the top of the chain. Errors: validation (fields, including
// referenced records that do not exist, and a crisis without a responsible
// person or plan).
func (s *Service) Create(ctx context.Context, in NewComplaint) (Complaint, error) {
	now := s.now()
	fields := apperr.Fields{}
	oneOf(fields, "source", in.Source, Sources)
	if in.Source == SourceExternal {
		oneOf(fields, "external_channel", in.ExternalChannel, ExternalChannels)
	} else if in.ExternalChannel != "" {
		fields["external_channel"] = apperr.Code("only_external_source", "only for source external")
	}
	if in.Source == SourceTicket && in.TicketID == nil {
		fields["ticket_id"] = apperr.Required()
	}
	if in.Source == SourceSurvey && in.SurveyResponseID == nil {
		fields["survey_response_id"] = apperr.Required()
	}
	if in.CustomerID == 0 {
		fields["customer_id"] = apperr.Required()
	}
	if in.Severity == "" {
		in.Severity = SeverityNormal
	}
	oneOf(fields, "category", in.Category, Categories)
	oneOf(fields, "severity", in.Severity, Severities)
	in.SourceRef = text(fields, "source_ref", in.SourceRef, false, 64)
	in.Title = text(fields, "title", in.Title, true, 200)
	in.Description = text(fields, "description", in.Description, false, 8000)
	in.ResponsibleName = text(fields, "responsible_name", in.ResponsibleName, false, 64)
	in.CrisisPlan = text(fields, "crisis_plan", in.CrisisPlan, false, 8000)
	if in.Severity == SeverityCrisis {
		crisisFields(fields, in.ResponsibleName, in.CrisisPlan)
	}
	received := now
	if in.ReceivedAt != nil {
		received = in.ReceivedAt.UTC().Truncate(time.Millisecond)
		if received.After(now.Add(time.Minute)) {
			fields["received_at"] = apperr.Code("in_future", "must not be in the future")
		}
	}
	if len(fields) > 0 {
		return Complaint{}, apperr.FieldsErr(fields)
	}
	if err := s.checkRefs(ctx, &in.CustomerID, in.TicketID, in.UnitID); err != nil {
		return Complaint{}, err
	}
	if in.SurveyResponseID != nil {
		// One complaint per dissatisfied response: the survey side retries a
		// failed hand-over, and a retry must find the first complaint.
		var existing Complaint
		err := s.o.DB.WithContext(ctx).Where("survey_response_id = ?", *in.SurveyResponseID).Order("id").Take(&existing).Error
		if err == nil {
			return existing, nil
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return Complaint{}, apperr.Internal(fmt.Errorf("find complaint of survey response: %w", err))
		}
	}
	ackDue, resolveDue := s.o.Deadlines.Due(in.Severity, received)
	a := actor.From(ctx)
	c := Complaint{Number: tempNumber(), Source: in.Source, ExternalChannel: in.ExternalChannel, SourceRef: in.SourceRef,
		TicketID: in.TicketID, CustomerID: in.CustomerID, UnitID: in.UnitID, OutletID: in.OutletID,
		WorkOrderID: in.WorkOrderID, TechnicianID: in.TechnicianID, Category: in.Category,
		Severity: in.Severity, Status: StatusReceived, Title: in.Title, Description: in.Description, ReceivedAt: received,
		AckDueAt: ackDue, ResolveDueAt: resolveDue, ResponsibleID: in.ResponsibleID, ResponsibleName: in.ResponsibleName,
		CrisisPlan: in.CrisisPlan, SurveyResponseID: in.SurveyResponseID, CreatedBy: a.Username, Version: 1, CreatedAt: now, UpdatedAt: now}
	var esc *Escalation
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&c).Error; err != nil {
			return err
		}
		c.Number = Number(received.In(s.o.Location), c.ID)
		if in.Severity == SeverityCrisis && len(s.o.Chain) > 0 {
			// A crisis goes to the top of the chain at once: waiting for a
			// deadline to pass is exactly what the crisis procedure avoids.
			c.EscalationLevel = len(s.o.Chain)
			c.EscalatedAt = &now
			e, err := s.escalation(ctx, c, c.EscalationLevel, "crisis", now, a.Username, "")
			if err != nil {
				return err
			}
			esc = &e
		}
		if err := tx.Model(&Complaint{}).Where("id = ?", c.ID).Updates(map[string]any{"number": c.Number,
			"escalation_level": c.EscalationLevel, "escalated_at": c.EscalatedAt}).Error; err != nil {
			return err
		}
		if err := s.log(tx, c.ID, now, "created", "", StatusReceived, a.Username, "", in.Description); err != nil {
			return err
		}
		if esc != nil {
			esc.ComplaintID = c.ID
			if err := tx.Create(esc).Error; err != nil {
				return err
			}
			// The note is a reason code the UI says (labels.reasons), then the role told.
			if err := s.log(tx, c.ID, now, "escalated", "", "", a.Username, "", "escalated_crisis: "+esc.NotifiedRole); err != nil {
				return err
			}
		}
		if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: "create", Entity: "complaint", EntityID: id(c.ID), After: c}); err != nil {
			return err
		}
		events := []event.Event{event.ComplaintCreated.New(Topic, event.ComplaintCreatedPayload{ComplaintID: c.ID, Number: c.Number,
			Severity: c.Severity, Category: c.Category, Source: c.Source, CustomerID: c.CustomerID, TicketID: c.TicketID, UnitID: c.UnitID,
			OutletID: c.OutletID, AckDueAt: c.AckDueAt, ResolveDueAt: c.ResolveDueAt})}
		if esc != nil {
			events = append(events, escalated(c, *esc))
		}
		return s.o.Bus.Enqueue(tx, events...)
	})
	if err != nil {
		return Complaint{}, wrap(err, "create complaint")
	}
	return c, nil
}

func crisisFields(fields apperr.Fields, responsible, plan string) {
	if responsible == "" {
		fields["responsible_name"] = apperr.Code("crisis_owner_required", "a crisis complaint needs a named responsible person")
	}
	if plan == "" {
		fields["crisis_plan"] = apperr.Code("crisis_plan_required", "a crisis complaint needs a plan")
	}
}

func (s *Service) checkRefs(ctx context.Context, customerID, ticketID, unitID *uint64) error {
	fields := apperr.Fields{}
	check := func(name string, f Exists, v uint64) error {
		if f == nil {
			return nil
		}
		if err := f(ctx, v); err != nil {
			if apperr.IsKind(err, apperr.KindNotFound) {
				fields[name] = apperr.NoSuch("record")
				return nil
			}
			return err
		}
		return nil
	}
	if customerID != nil {
		if err := check("customer_id", s.o.Customers, *customerID); err != nil {
			return err
		}
	}
	if ticketID != nil {
		if err := check("ticket_id", s.o.Tickets, *ticketID); err != nil {
			return err
		}
	}
	if unitID != nil {
		if err := check("unit_id", s.o.Units, *unitID); err != nil {
			return err
		}
	}
	if len(fields) > 0 {
		return apperr.FieldsErr(fields)
	}
	return nil
}

func tempNumber() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "tmp-" + hex.EncodeToString(b)
}

func id(v uint64) string { return strconv.FormatUint(v, 10) }

func (s *Service) log(tx *gorm.DB, complaintID uint64, at time.Time, kind, from, to, by, outcome, note string) error {
	return tx.Create(&Log{ComplaintID: complaintID, At: at, Kind: kind, FromStatus: from, ToStatus: to, ActorName: by,
		Outcome: outcome, Note: note}).Error
}

func (s *Service) scoped(ctx context.Context, q *gorm.DB) *gorm.DB {
	if outlet, ok := actor.From(ctx).OutletScoped(); ok {
		return q.Where("outlet_id = ?", outlet)
	}
	return q
}

// Get returns a complaint visible to the caller. Errors: not found.
func (s *Service) Get(ctx context.Context, cid uint64) (Complaint, error) {
	var c Complaint
	err := s.scoped(ctx, s.o.DB.WithContext(ctx).Where("id = ?", cid)).Take(&c).Error
	if err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return Complaint{}, apperr.NotFound("complaint")
		}
		return Complaint{}, apperr.Internal(fmt.Errorf("get complaint: %w", err))
	}
	return c, nil
}

// Exists returns nil when the complaint exists (for corrective actions).
func (s *Service) Exists(ctx context.Context, cid uint64) error {
	_, err := s.Get(ctx, cid)
	return err
}

// Timeline returns a complaint's log and escalations, oldest first.
func (s *Service) Timeline(ctx context.Context, cid uint64) ([]Log, []Escalation, error) {
	var logs []Log
	var escs []Escalation
	if err := s.o.DB.WithContext(ctx).Where("complaint_id = ?", cid).Order("id").Find(&logs).Error; err != nil {
		return nil, nil, apperr.Internal(fmt.Errorf("complaint log: %w", err))
	}
	if err := s.o.DB.WithContext(ctx).Where("complaint_id = ?", cid).Order("id").Find(&escs).Error; err != nil {
		return nil, nil, apperr.Internal(fmt.Errorf("complaint escalations: %w", err))
	}
	return logs, escs, nil
}

// Filter selects complaints for List. From/To bound received_at.
type Filter struct {
	Status, Severity, Category, Source string
	Number                             string
	CustomerID, TicketID, UnitID       *uint64
	OutletID                           *uint64
	Overdue                            bool
	From, To                           *time.Time
	Page, Size                         int
	Sort                               string
}

// SortFields are the accepted values of Filter.Sort.
var SortFields = map[string]string{
	"received_at": "received_at ASC, id ASC", "-received_at": "received_at DESC, id DESC",
	"resolve_due_at": "resolve_due_at ASC, id ASC", "-resolve_due_at": "resolve_due_at DESC, id DESC",
}

// List returns a page of complaints (newest first by default) and the total.
// Errors: validation (filter values).
func (s *Service) List(ctx context.Context, f Filter) ([]Complaint, int64, error) {
	fields := apperr.Fields{}
	if f.Status != "" {
		oneOf(fields, "status", f.Status, Statuses)
	}
	if f.Severity != "" {
		oneOf(fields, "severity", f.Severity, Severities)
	}
	if f.Category != "" {
		oneOf(fields, "category", f.Category, Categories)
	}
	if f.Source != "" {
		oneOf(fields, "source", f.Source, Sources)
	}
	order := SortFields["-received_at"]
	if f.Sort != "" {
		o, ok := SortFields[f.Sort]
		if !ok {
			fields["sort"] = apperr.OneOf("received_at", "-received_at", "resolve_due_at", "-resolve_due_at")
		}
		order = o
	}
	if len(fields) > 0 {
		return nil, 0, apperr.FieldsErr(fields)
	}
	q := s.scoped(ctx, s.o.DB.WithContext(ctx).Model(&Complaint{}))
	for col, v := range map[string]string{"status": f.Status, "severity": f.Severity, "category": f.Category, "source": f.Source, "number": f.Number} {
		if v != "" {
			q = q.Where(col+" = ?", v)
		}
	}
	for col, v := range map[string]*uint64{"customer_id": f.CustomerID, "ticket_id": f.TicketID, "unit_id": f.UnitID, "outlet_id": f.OutletID} {
		if v != nil {
			q = q.Where(col+" = ?", *v)
		}
	}
	if f.From != nil {
		q = q.Where("received_at >= ?", f.From.UTC().Truncate(time.Microsecond))
	}
	if f.To != nil {
		q = q.Where("received_at < ?", f.To.UTC().Truncate(time.Microsecond))
	}
	if f.Overdue {
		now := s.now()
		q = q.Where("((status = ? AND ack_due_at < ?) OR (status IN ? AND resolve_due_at < ?))", StatusReceived, now,
			[]string{StatusReceived, StatusAcknowledged, StatusInvestigating}, now)
	}
	f.Page, f.Size = db.PageBounds(f.Page, f.Size, 20, 0)
	out, total, err := db.OffsetPage[Complaint](q, order, f.Page, f.Size)
	if err != nil {
		return nil, 0, apperr.Internal(fmt.Errorf("list complaints: %w", err))
	}
	return out, total, nil
}

// Patch changes a complaint's classification and responsibility; nil
// fields are left alone. A severity change recomputes the deadlines not yet
// met; making a complaint a crisis needs a responsible person and a plan.
type Patch struct {
	Category          *string
	Severity          *string
	Title             *string
	Description       *string
	UnitID            *uint64
	OutletID          *uint64
	ResponsibleID     *uint64
	ResponsibleName   *string
	CrisisPlan        *string
	Investigation     *string
	RootCause         *string
	RootCauseCategory *string
}

// Update applies p. Errors: not found, validation, conflict
// (version_conflict; invalid_transition when the complaint is closed).
func (s *Service) Update(ctx context.Context, cid uint64, version int64, p Patch) (Complaint, error) {
	fields := apperr.Fields{}
	if p.Category != nil {
		oneOf(fields, "category", *p.Category, Categories)
	}
	if p.Severity != nil {
		oneOf(fields, "severity", *p.Severity, Severities)
	}
	trim := func(name string, v *string, required bool, max int) {
		if v != nil {
			*v = text(fields, name, *v, required, max)
		}
	}
	trim("title", p.Title, true, 200)
	trim("description", p.Description, false, 8000)
	trim("responsible_name", p.ResponsibleName, false, 64)
	trim("crisis_plan", p.CrisisPlan, false, 8000)
	trim("investigation", p.Investigation, false, 8000)
	trim("root_cause", p.RootCause, false, 4000)
	trim("root_cause_category", p.RootCauseCategory, false, 64)
	if len(fields) > 0 {
		return Complaint{}, apperr.FieldsErr(fields)
	}
	if p.UnitID != nil {
		if err := s.checkRefs(ctx, nil, nil, p.UnitID); err != nil {
			return Complaint{}, err
		}
	}
	return s.change(ctx, cid, version, "update", func(c *Complaint, now time.Time, tx *gorm.DB) (string, error) {
		if c.Status == StatusClosed {
			return "", invalidTransition(c.Status, "update")
		}
		set := func(dst *string, v *string) {
			if v != nil {
				*dst = *v
			}
		}
		set(&c.Category, p.Category)
		set(&c.Title, p.Title)
		set(&c.Description, p.Description)
		set(&c.ResponsibleName, p.ResponsibleName)
		set(&c.CrisisPlan, p.CrisisPlan)
		set(&c.Investigation, p.Investigation)
		set(&c.RootCause, p.RootCause)
		set(&c.RootCauseCategory, p.RootCauseCategory)
		if p.UnitID != nil {
			c.UnitID = p.UnitID
		}
		if p.OutletID != nil {
			c.OutletID = p.OutletID
		}
		if p.ResponsibleID != nil {
			c.ResponsibleID = p.ResponsibleID
		}
		if p.Severity != nil && *p.Severity != c.Severity {
			c.Severity = *p.Severity
			ackDue, resolveDue := s.o.Deadlines.Due(c.Severity, c.ReceivedAt)
			if c.AckAt == nil {
				c.AckDueAt = ackDue
			}
			if c.ResolvedAt == nil {
				c.ResolveDueAt = resolveDue
			}
		}
		if c.Severity == SeverityCrisis {
			f := apperr.Fields{}
			crisisFields(f, c.ResponsibleName, c.CrisisPlan)
			if len(f) > 0 {
				return "", apperr.FieldsErr(f)
			}
		}
		return "", nil
	}, "updated", "")
}

func invalidTransition(from, to string) error {
	return apperr.Conflict("invalid_transition", fmt.Sprintf("a complaint in status %s cannot go to %s", from, to)).
		WithDetail("allowed", Allowed(from))
}

// change loads a complaint, applies fn, saves with the version check, writes
// the timeline line and the audit record in one transaction. fn returns the
// new status ("" for none). version 0 means "the version just read".
func (s *Service) change(ctx context.Context, cid uint64, version int64, action string, fn func(c *Complaint, now time.Time, tx *gorm.DB) (string, error), logKind, note string) (Complaint, error) {
	var out Complaint
	var before Complaint
	now := s.now()
	a := actor.From(ctx)
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var c Complaint
		if err := db.Take(s.scoped(ctx, tx.Where("id = ?", cid)), &c, "complaint"); err != nil {
			return err
		}
		if version != 0 && version != c.Version {
			return apperr.ErrVersionConflict("complaint")
		}
		before = c
		to, err := fn(&c, now, tx)
		if err != nil {
			return err
		}
		if to != "" {
			if !CanMove(c.Status, to) {
				return invalidTransition(c.Status, to)
			}
			c.Status = to
		}
		if to == "" && audit.Unchanged(before, c) {
			out = before // nothing to write: no version bump, no timeline line, no audit record
			return nil
		}
		c.Version = before.Version + 1
		c.UpdatedAt = now
		if err := db.UpdateVersioned(tx.Select("*").Omit("id", "created_at"), &Complaint{}, c.ID, before.Version, "complaint", &c); err != nil {
			return err
		}
		from := ""
		if to != "" {
			from = before.Status
		}
		if logKind != "" {
			if err := s.log(tx, c.ID, now, logKind, from, to, a.Username, "", note); err != nil {
				return err
			}
		}
		out = c
		return s.o.Audit.Record(ctx, tx, audit.Entry{Action: action, Entity: "complaint", EntityID: id(c.ID), Before: before, After: c})
	})
	if err != nil {
		return Complaint{}, wrap(err, action+" complaint")
	}
	return out, nil
}

// Acknowledge records that the complaint was acknowledged to the customer.
// Errors: not found, conflict (invalid_transition, version_conflict).
func (s *Service) Acknowledge(ctx context.Context, cid uint64, version int64, note string) (Complaint, error) {
	f := apperr.Fields{}
	note = text(f, "note", note, false, 4000)
	if len(f) > 0 {
		return Complaint{}, apperr.FieldsErr(f)
	}
	return s.change(ctx, cid, version, "acknowledge", func(c *Complaint, now time.Time, tx *gorm.DB) (string, error) {
		c.AckAt = &now
		// Recorded with the change: the customer is told (package messaging).
		return StatusAcknowledged, s.o.Bus.Enqueue(tx, event.ComplaintAcknowledged.New(Topic, event.ComplaintAck{ComplaintID: c.ID,
			Number: c.Number, Severity: c.Severity, CustomerID: c.CustomerID}))
	}, "acknowledged", note)
}

// StartInvestigation moves an acknowledged complaint to investigation.
// Errors: not found, conflict (invalid_transition, version_conflict).
func (s *Service) StartInvestigation(ctx context.Context, cid uint64, version int64, note string) (Complaint, error) {
	f := apperr.Fields{}
	note = text(f, "note", note, false, 4000)
	if len(f) > 0 {
		return Complaint{}, apperr.FieldsErr(f)
	}
	return s.change(ctx, cid, version, "investigate", func(c *Complaint, now time.Time, tx *gorm.DB) (string, error) {
		if note != "" && c.Investigation == "" {
			c.Investigation = note
		}
		return StatusInvestigating, nil
	}, "investigation_started", note)
}

// Resolution is the input to Resolve.
type Resolution struct {
	Resolution        string
	RootCause         string
	RootCauseCategory string
	Investigation     string
}

// Resolve records the resolution and root cause. Errors: not found,
// validation (resolution and root cause are required), conflict.
func (s *Service) Resolve(ctx context.Context, cid uint64, version int64, in Resolution) (Complaint, error) {
	f := apperr.Fields{}
	in.Resolution = text(f, "resolution", in.Resolution, true, 8000)
	in.Investigation = text(f, "investigation", in.Investigation, false, 8000)
	in.RootCause = text(f, "root_cause", in.RootCause, false, 4000)
	in.RootCauseCategory = text(f, "root_cause_category", in.RootCauseCategory, false, 64)
	if len(f) > 0 {
		return Complaint{}, apperr.FieldsErr(f)
	}
	return s.change(ctx, cid, version, "resolve", func(c *Complaint, now time.Time, tx *gorm.DB) (string, error) {
		if !CanMove(c.Status, StatusResolved) {
			return "", invalidTransition(c.Status, StatusResolved)
		}
		if in.Investigation != "" {
			c.Investigation = in.Investigation
		}
		if in.RootCause != "" {
			c.RootCause = in.RootCause
		}
		if in.RootCauseCategory != "" {
			c.RootCauseCategory = in.RootCauseCategory
		}
		if c.RootCause == "" {
			return "", apperr.FieldErr("root_cause", apperr.Code("root_cause_required", "a complaint is resolved only with its root cause"))
		}
		c.Resolution = in.Resolution
		c.ResolvedAt = &now
		return StatusResolved, nil
	}, "resolved", in.Resolution)
}

// Confirm records the customer's answer on the resolution: accepted →
// confirmed; rejected → back to investigating (the resolution time keeps
// counting from the first resolution, as the customer experienced it).
// Errors: not found, conflict (invalid_transition, version_conflict).
func (s *Service) Confirm(ctx context.Context, cid uint64, version int64, accepted bool, note string) (Complaint, error) {
	f := apperr.Fields{}
	note = text(f, "note", note, false, 4000)
	if !accepted && note == "" {
		f["note"] = apperr.Code("note_rejection", "say why the customer does not accept the resolution")
	}
	if len(f) > 0 {
		return Complaint{}, apperr.FieldsErr(f)
	}
	kind := "customer_confirmed"
	if !accepted {
		kind = "customer_rejected"
	}
	return s.change(ctx, cid, version, "confirm", func(c *Complaint, now time.Time, tx *gorm.DB) (string, error) {
		if c.Status != StatusResolved {
			to := StatusConfirmed
			if !accepted {
				to = StatusInvestigating
			}
			return "", invalidTransition(c.Status, to)
		}
		v := accepted
		c.CustomerConfirmed = &v
		if accepted {
			c.ConfirmedAt = &now
			return StatusConfirmed, nil
		}
		return StatusInvestigating, nil
	}, kind, note)
}

// Close closes a confirmed complaint, or a resolved one with a reason for
// closing without the customer's confirmation. Errors: not found,
// validation, conflict (invalid_transition, version_conflict).
func (s *Service) Close(ctx context.Context, cid uint64, version int64, note, withoutConfirmation string) (Complaint, error) {
	f := apperr.Fields{}
	note = text(f, "note", note, false, 4000)
	withoutConfirmation = text(f, "without_confirmation_reason", withoutConfirmation, false, 500)
	if len(f) > 0 {
		return Complaint{}, apperr.FieldsErr(f)
	}
	c, err := s.change(ctx, cid, version, "close", func(c *Complaint, now time.Time, tx *gorm.DB) (string, error) {
		if c.Status == StatusResolved && withoutConfirmation == "" {
			return "", apperr.FieldErr("without_confirmation_reason", apperr.Code("note_unconfirmed_close", "the customer has not confirmed the resolution: say why it is closed anyway"))
		}
		if !CanMove(c.Status, StatusClosed) {
			return "", invalidTransition(c.Status, StatusClosed)
		}
		if c.Status == StatusResolved {
			c.CloseWithoutConfirmation = withoutConfirmation
		}
		c.ClosedAt = &now
		// Recorded with the change: the event commits or rolls back with it.
		within := c.ResolvedAt != nil && !c.ResolveDueAt.Before(*c.ResolvedAt)
		return StatusClosed, s.o.Bus.Enqueue(tx, event.ComplaintClosed.New(Topic, event.ComplaintClosedPayload{ComplaintID: c.ID,
			Number: c.Number, ClosedAt: c.ClosedAt, Severity: c.Severity, CustomerID: c.CustomerID, TicketID: c.TicketID,
			ResolvedWithinLimit: within, CustomerConfirmed: c.CustomerConfirmed != nil && *c.CustomerConfirmed}))
	}, "closed", strings.TrimSpace(note+" "+withoutConfirmation))
	if err != nil {
		return Complaint{}, err
	}
	return c, nil
}

// Escalate raises a complaint one level by hand. Errors: not found,
// conflict (invalid_transition when closed; top_of_chain at the last level).
func (s *Service) Escalate(ctx context.Context, cid uint64, version int64, note string) (Complaint, error) {
	f := apperr.Fields{}
	note = text(f, "note", note, true, 4000)
	if len(f) > 0 {
		return Complaint{}, apperr.FieldsErr(f)
	}
	var esc Escalation
	c, err := s.change(ctx, cid, version, "escalate", func(c *Complaint, now time.Time, tx *gorm.DB) (string, error) {
		if c.Status == StatusClosed {
			return "", invalidTransition(c.Status, "escalated")
		}
		level, up := s.o.Chain.Next(c.EscalationLevel)
		if !up {
			return "", apperr.Conflict("top_of_chain", "the complaint is already at the top of the escalation chain").
				WithDetail("level", c.EscalationLevel)
		}
		c.EscalationLevel, c.EscalatedAt = level, &now
		var err error
		if esc, err = s.escalation(ctx, *c, level, "manual", now, actor.From(ctx).Username, note); err != nil {
			return "", err
		}
		if err := tx.Create(&esc).Error; err != nil {
			return "", err
		}
		return "", s.o.Bus.Enqueue(tx, escalated(*c, esc))
	}, "escalated", note)
	if err != nil {
		return Complaint{}, err
	}
	return c, nil
}

// Follow-up call outcomes.
var CallOutcomes = []string{"reached", "no_answer", "busy", "wrong_number", "refused"}

// RecordFollowupCall records a follow-up call on a resolved, confirmed or
// closed complaint. Errors: not found, validation, conflict
// (invalid_transition before the complaint is resolved).
func (s *Service) RecordFollowupCall(ctx context.Context, cid uint64, outcome string, satisfied *bool, note string) (Complaint, error) {
	f := apperr.Fields{}
	oneOf(f, "outcome", outcome, CallOutcomes)
	note = text(f, "note", note, false, 4000)
	if outcome != "reached" && satisfied != nil {
		f["satisfied"] = apperr.Code("only_when_reached", "only when the customer was reached")
	}
	if len(f) > 0 {
		return Complaint{}, apperr.FieldsErr(f)
	}
	return s.change(ctx, cid, 0, "followup_call", func(c *Complaint, now time.Time, tx *gorm.DB) (string, error) {
		if c.Status != StatusResolved && c.Status != StatusConfirmed && c.Status != StatusClosed {
			return "", apperr.Conflict("invalid_transition", "a follow-up call is made after the complaint is resolved").
				WithDetail("allowed", Allowed(c.Status))
		}
		if outcome == "reached" {
			if c.FollowupAt == nil {
				c.FollowupAt = &now
			}
			c.FollowupSatisfied = satisfied
		}
		return "", nil
	}, "followup_call", outcome+": "+note)
}

// escalation builds the escalation of c to level: the chain's role at that
// level resolved to the users who hold it in the complaint's scope
// (RoleHolders). NotifiedUser is the first of them (lowest id) and UserIDs
// all of them; the complaint.escalated event names every one, so each gets
// an inbox notification.
func (s *Service) escalation(ctx context.Context, c Complaint, level int, reason string, now time.Time, by, note string) (Escalation, error) {
	e := Escalation{ComplaintID: c.ID, Level: level, Reason: reason, NotifiedRole: s.o.Chain.RoleAt(level), At: now, ActorName: by, Note: note}
	if s.o.RoleHolders == nil || e.NotifiedRole == "" {
		return e, nil
	}
	users, err := s.o.RoleHolders(ctx, e.NotifiedRole, c.OutletID)
	if err != nil {
		return e, fmt.Errorf("escalation recipients: %w", err)
	}
	slices.Sort(users)
	e.UserIDs = slices.Compact(users)
	if len(e.UserIDs) > 0 {
		first := e.UserIDs[0]
		e.NotifiedUser = &first
	}
	return e, nil
}

// escalated is the complaint.escalated event of e, recorded in the
// escalation's transaction.
func escalated(c Complaint, e Escalation) event.Event {
	return event.ComplaintEscalated.New(Topic, event.ComplaintEscalation{ComplaintID: c.ID, Number: c.Number, Level: e.Level,
		Role: e.NotifiedRole, UserID: e.NotifiedUser, UserIDs: e.UserIDs, Reason: e.Reason, Severity: c.Severity})
}

// wrap classifies a storage error (db.Classify: busy, duplicate,
// unavailable, internal) with what was being done.
func wrap(err error, what string) error { return db.Classify(err, what) }
