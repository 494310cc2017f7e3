package ticket

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/auth"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/sla"
	"github.com/aftersales/aftersales/backend/internal/slastore"
)

// Customers is what tickets need from the customer domain.
type Customers interface {
	// PrimaryRegion returns the GB/T 2260 code of the customer's primary
	// address ("" when none). Errors: not_found for an unknown customer.
	PrimaryRegion(ctx context.Context, customerID uint64) (string, error)
}

// UnitInfo is what a ticket needs to know about a serial-numbered unit.
type UnitInfo struct {
	ID         uint64
	CustomerID uint64
	CategoryID uint64
	Serial     string
	// Deactivated is set for a scrapped or lost unit (Status says which):
	// it gets no new tickets.
	Deactivated bool
	Status      string
}

// Units is what tickets need from the product domain.
type Units interface {
	// UnitInfo returns a unit. Errors: not_found.
	UnitInfo(ctx context.Context, unitID uint64) (UnitInfo, error)
}

// Users looks up the people a ticket can be assigned to.
type Users interface {
	// GetUser loads one user. Errors: not_found.
	GetUser(ctx context.Context, id uint64) (auth.User, error)
}

// Regions validates GB/T 2260 codes.
type Regions interface {
	// Validate returns an error for an unknown code.
	Validate(code string) error
}

// Options are the service's dependencies. Customers, Units, Users and
// Regions are optional: without them the corresponding checks are skipped
// (the ticket keeps the ids it was given).
type Options struct {
	DB        *gorm.DB
	Audit     *audit.Trail
	Bus       event.Bus
	SLA       *slastore.Store
	Sequences *Sequences
	Customers Customers
	Units     Units
	Users     Users
	Regions   Regions
	// Location is the enterprise time zone: ticket numbers use its date.
	Location *time.Location
	Now      func() time.Time
	Log      *slog.Logger
}

// Service is the ticket domain.
type Service struct {
	o Options
	// hot runs the fixed-shape statements of the hot paths (create, get,
	// open tickets of a customer, status changes) as prepared statements:
	// one round trip per statement on MySQL instead of three, and no
	// re-parsing on SQLite.
	hot *gorm.DB
	// gate queues this process's write transactions on SQLite.
	gate *WriteGate
	// work withdraws a finished ticket's open field work (dispatch wires
	// itself in with SetOpenWork; without it nothing is withdrawn).
	work OpenWork
}

// OpenWork is what a ticket needs from dispatch when it stops needing field
// work: resolving, closing, merging or cancelling a ticket withdraws its
// pending offers and cancels its unstarted work orders, in the ticket's
// own transaction, so no outlet can accept work for a finished ticket.
type OpenWork interface {
	// WithdrawOpenWork withdraws ticketID's pending offers and cancels its
	// unstarted work orders inside tx, each with reason, and returns the
	// timeline lines to record and the events to publish after commit.
	WithdrawOpenWork(ctx context.Context, tx *gorm.DB, ticketID uint64, reason string) (Withdrawn, error)
}

// Withdrawn is what WithdrawOpenWork did: one timeline line per work order
// cancelled, and the events to publish after commit (the outlet boards).
type Withdrawn struct {
	Notes  []string
	Events []event.Event
}

// SetOpenWork wires the dispatch side (app, once both services exist).
func (s *Service) SetOpenWork(w OpenWork) { s.work = w }

// New returns a Service.
func New(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Bus == nil {
		o.Bus = event.Discard
	}
	if o.Location == nil {
		o.Location = sla.DefaultLocation()
	}
	if o.Sequences == nil {
		o.Sequences = &Sequences{}
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Service{o: o, hot: o.DB.Session(&gorm.Session{PrepareStmt: true}), gate: NewWriteGate(o.DB)}
}

// SetDirectory wires the other domains' services once they exist (app
// builds them after this service in some start-up orders).
func (s *Service) SetDirectory(c Customers, u Units) {
	if c != nil {
		s.o.Customers = c
	}
	if u != nil {
		s.o.Units = u
	}
}

// now is the service clock, kept to the millisecond (MySQL's precision) so
// that values read back compare equal to those written.
func (s *Service) now() time.Time { return s.o.Now().UTC().Truncate(time.Millisecond) }

// Location returns the enterprise time zone.
func (s *Service) Location() *time.Location { return s.o.Location }

// SLA returns the SLA store the service writes to.
func (s *Service) SLA() *slastore.Store { return s.o.SLA }

// Sequences returns the number counters (work orders share them).
func (s *Service) Sequences() *Sequences { return s.o.Sequences }

// ---- creation ----

// NewTicket is the input of Create.
type NewTicket struct {
	Channel     string
	Type        string
	Priority    string
	CustomerID  uint64
	UnitID      *uint64
	CategoryID  *uint64
	FaultCode   string
	RegionCode  string
	Description string
	AssigneeID  *uint64
	Team        string
	// IdempotencyKey, when set, makes a repeated create by the same user
	// return the ticket the first call created.
	IdempotencyKey string
}

var (
	faultCodePattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,32}$`)
	regionPattern    = regexp.MustCompile(`^[0-9]{6}$`)
	idemKeyPattern   = regexp.MustCompile(`^[\x21-\x7e]{1,128}$`)
)

// Create opens a ticket, selects its SLA policy and starts its clocks, and
// returns it with its clocks. It returns created=false with the original
// ticket when the idempotency key was already used by the same user.
// Errors: validation (by field), conflict idempotency_key_reused (the key
// belongs to another user).
func (s *Service) Create(ctx context.Context, in NewTicket) (Detail, bool, error) {
	a := actor.From(ctx)
	if in.IdempotencyKey != "" {
		if !idemKeyPattern.MatchString(in.IdempotencyKey) {
			return Detail{}, false, apperr.Field("idempotency_key", "1–128 printable ASCII characters")
		}
		if t, ok, err := s.byIdempotencyKey(ctx, a.UserID, in.IdempotencyKey); err != nil || ok {
			return s.replay(ctx, t, err)
		}
	}
	if in.Priority == "" {
		in.Priority = PriorityNormal
	}
	fields := map[string]string{}
	if !slices.Contains(Channels(), in.Channel) {
		fields["channel"] = "one of " + strings.Join(Channels(), ", ")
	}
	if !slices.Contains(Types(), in.Type) {
		fields["type"] = "one of " + strings.Join(Types(), ", ")
	}
	if !slices.Contains(Priorities(), in.Priority) {
		fields["priority"] = "one of " + strings.Join(Priorities(), ", ")
	}
	in.Description = strings.TrimSpace(in.Description)
	switch n := utf8.RuneCountInString(in.Description); {
	case n == 0:
		fields["description"] = "required"
	case n > 4000:
		fields["description"] = "at most 4000 characters"
	}
	in.FaultCode = strings.TrimSpace(in.FaultCode)
	if in.FaultCode != "" && !faultCodePattern.MatchString(in.FaultCode) {
		fields["fault_code"] = "letters, digits, '_', '-', '.'; at most 32"
	}
	in.Team = strings.TrimSpace(in.Team)
	if utf8.RuneCountInString(in.Team) > 64 {
		fields["team"] = "at most 64 characters"
	}
	if in.CustomerID == 0 {
		fields["customer_id"] = "required"
	}
	if in.RegionCode != "" {
		if msg := s.checkRegion(in.RegionCode); msg != "" {
			fields["region_code"] = msg
		}
	}
	if len(fields) > 0 {
		return Detail{}, false, apperr.Validation(fields)
	}
	if err := s.resolveParties(ctx, &in, fields); err != nil {
		return Detail{}, false, err
	}
	if in.AssigneeID != nil {
		if msg := s.checkAssignee(ctx, *in.AssigneeID); msg != "" {
			fields["assignee_id"] = msg
		}
	}
	if len(fields) > 0 {
		return Detail{}, false, apperr.Validation(fields)
	}

	now := s.now()
	policy, cal, _, err := s.o.SLA.Select(ctx, in.Type, in.Priority, in.RegionCode)
	if err != nil {
		return Detail{}, false, apperr.Internal(err)
	}
	who := actorLabel(a)
	t := Ticket{Channel: in.Channel, Type: in.Type, Priority: in.Priority, PriorityRank: PriorityRank(in.Priority), Status: StatusNew,
		CustomerID: in.CustomerID, UnitID: in.UnitID, CategoryID: in.CategoryID, FaultCode: in.FaultCode, RegionCode: in.RegionCode,
		Description: in.Description, AssigneeID: in.AssigneeID, Team: in.Team, SLAPolicy: policy.ID, SLACalendar: policy.CalendarID,
		SLACheckedAt: now, CreatedBy: a.UserID, Version: 1, CreatedAt: now, UpdatedAt: now}
	if in.AssigneeID != nil || in.Team != "" {
		t.Status, t.AssignedAt = StatusAssigned, &now
	}
	events := policy.Apply(now, who, "")
	events = append(events,
		sla.Event{At: now, Kind: sla.KindStarted, Target: sla.TargetFirstResponse, Actor: who},
		sla.Event{At: now, Kind: sla.KindStarted, Target: sla.TargetResolution, Actor: who})
	if in.Channel == ChannelPhone || in.Channel == ChannelWalkIn {
		// The agent is speaking with the customer while opening the ticket:
		// that is the first response.
		events = append(events, sla.Event{At: now, Kind: sla.KindMet, Target: sla.TargetFirstResponse, Actor: who})
		t.FirstResponseAt = &now
	}
	clocks := sla.Evaluate(events, cal, now)
	Summarise(&t, clocks)
	if err := s.o.Sequences.Prepare(ctx, s.o.DB, "T", now, s.o.Location); err != nil {
		return Detail{}, false, apperr.Internal(err)
	}
	// The number comes from this process's block (HiLo, see Sequences):
	// no counter row is locked by the creating transaction.
	number, err := s.o.Sequences.Next(ctx, s.o.DB, "T", now, s.o.Location)
	if err != nil {
		return Detail{}, false, wrap(err, "number ticket")
	}
	t.Number = number
	dupKey := false
	err = retryDeadlock(func() error {
		t.ID = 0
		return s.gate.transaction(ctx, s.hot, func(tx *gorm.DB) error {
			if err := tx.Create(&t).Error; err != nil {
				return fmt.Errorf("insert ticket: %w", err)
			}
			if in.IdempotencyKey != "" {
				k := idempotencyKey{Scope: "ticket", Key: in.IdempotencyKey, UserID: a.UserID, EntityID: strconv.FormatUint(t.ID, 10), CreatedAt: now}
				if err := tx.Create(&k).Error; err != nil {
					if errors.Is(err, gorm.ErrDuplicatedKey) {
						dupKey = true
					}
					return fmt.Errorf("idempotency key: %w", err)
				}
			}
			data := map[string]any{"channel": t.Channel, "type": t.Type, "priority": t.Priority, "sla_policy": t.SLAPolicy}
			if err := tx.Create(&Event{TicketID: t.ID, Kind: EventCreated, ActorID: actorID(a), ActorName: a.Username,
				Body: "工单已创建", Data: mustJSON(data), At: now}).Error; err != nil {
				return fmt.Errorf("insert ticket event: %w", err)
			}
			if err := s.o.SLA.Append(ctx, tx, t.ID, events...); err != nil {
				return err
			}
			if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: "create", Entity: "ticket", EntityID: strconv.FormatUint(t.ID, 10), After: t.Snapshot()}); err != nil {
				return err
			}
			return s.o.Bus.Enqueue(tx, s.eventOf(event.TicketCreated, t, event.Ticket{}))
		})
	})
	if err != nil {
		if dupKey {
			// A concurrent request with the same key won the race.
			if t, ok, err2 := s.byIdempotencyKey(ctx, a.UserID, in.IdempotencyKey); err2 != nil || ok {
				return s.replay(ctx, t, err2)
			}
		}
		return Detail{}, false, wrap(err, "create ticket")
	}
	return Detail{Ticket: t, Clocks: clocks}, true, nil
}

// replay answers a repeated create with the original ticket and its clocks.
func (s *Service) replay(ctx context.Context, t Ticket, err error) (Detail, bool, error) {
	if err != nil {
		return Detail{}, false, err
	}
	clocks, frozen, err := s.Clocks(ctx, t)
	if err != nil {
		return Detail{}, false, err
	}
	return Detail{Ticket: t, Clocks: clocks, Frozen: frozen}, false, nil
}

// byIdempotencyKey returns the ticket an earlier create with key made.
func (s *Service) byIdempotencyKey(ctx context.Context, userID uint64, key string) (Ticket, bool, error) {
	var k idempotencyKey
	err := s.hot.WithContext(ctx).Where("scope = ? AND `key` = ?", "ticket", key).Take(&k).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Ticket{}, false, nil
	}
	if err != nil {
		return Ticket{}, false, apperr.Internal(fmt.Errorf("idempotency key: %w", err))
	}
	if k.UserID != userID {
		return Ticket{}, false, apperr.Conflict("idempotency_key_reused", "this Idempotency-Key was used by another user; send a new key")
	}
	id, _ := strconv.ParseUint(k.EntityID, 10, 64)
	var t Ticket
	if err := s.hot.WithContext(ctx).Where("id = ?", id).Take(&t).Error; err != nil {
		return Ticket{}, false, apperr.Internal(fmt.Errorf("idempotent ticket %d: %w", id, err))
	}
	return t, true, nil
}

// resolveParties checks the customer and unit and fills region and category.
func (s *Service) resolveParties(ctx context.Context, in *NewTicket, fields map[string]string) error {
	if s.o.Customers != nil {
		region, err := s.o.Customers.PrimaryRegion(ctx, in.CustomerID)
		switch {
		case apperr.IsKind(err, apperr.KindNotFound):
			fields["customer_id"] = "no such customer"
		case err != nil:
			return wrap(err, "customer")
		case in.RegionCode == "":
			in.RegionCode = region
		}
	}
	if in.UnitID != nil && s.o.Units != nil {
		u, err := s.o.Units.UnitInfo(ctx, *in.UnitID)
		switch {
		case apperr.IsKind(err, apperr.KindNotFound):
			fields["unit_id"] = "no such unit"
		case err != nil:
			return wrap(err, "unit")
		case u.Deactivated:
			return apperr.Conflict("unit_deactivated", "the unit is "+u.Status+" and gets no new tickets; reactivate it first").
				WithDetail("field", "unit_id").WithDetail("status", u.Status)
		default:
			if u.CustomerID != 0 && u.CustomerID != in.CustomerID {
				fields["unit_id"] = "the unit belongs to another customer"
			}
			if in.CategoryID == nil && u.CategoryID != 0 {
				c := u.CategoryID
				in.CategoryID = &c
			}
		}
	}
	return nil
}

func (s *Service) checkRegion(code string) string {
	if !regionPattern.MatchString(code) {
		return "a six-digit GB/T 2260 code"
	}
	if s.o.Regions != nil {
		if err := s.o.Regions.Validate(code); err != nil {
			return "unknown GB/T 2260 code"
		}
	}
	return ""
}

// checkAssignee returns a problem with assigning tickets to user id.
func (s *Service) checkAssignee(ctx context.Context, id uint64) string {
	if s.o.Users == nil {
		return ""
	}
	u, err := s.o.Users.GetUser(ctx, id)
	if err != nil {
		return "no such user"
	}
	if !u.Active(s.o.Now()) {
		return "the user is disabled or expired"
	}
	for _, r := range u.RoleList() {
		if r == auth.RoleHotlineAgent || r == auth.RoleAdmin || r == auth.RoleQualityManager {
			return ""
		}
	}
	return "the user does not work tickets (needs role hotline_agent, quality_manager or admin)"
}

// ---- reading ----

// Get returns a ticket the caller may see. Outlet users see only tickets
// dispatched to their outlet; another one is not_found.
func (s *Service) Get(ctx context.Context, id uint64) (Ticket, error) {
	return s.get(ctx, s.hot, id)
}

func (s *Service) get(ctx context.Context, db *gorm.DB, id uint64) (Ticket, error) {
	var t Ticket
	q := scope(ctx, db.WithContext(ctx)).Where("id = ?", id)
	if err := q.Take(&t).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return Ticket{}, apperr.NotFound("ticket")
		}
		return Ticket{}, apperr.Internal(fmt.Errorf("get ticket: %w", err))
	}
	return t, nil
}

// scope restricts a query on tickets to the caller's data scope.
func scope(ctx context.Context, q *gorm.DB) *gorm.DB {
	if outletID, ok := actor.From(ctx).OutletScoped(); ok {
		return q.Where("outlet_id = ?", outletID)
	}
	return q
}

// Detail is a ticket with every SLA clock.
type Detail struct {
	Ticket
	Clocks []sla.ClockState
	// Frozen reports that the clocks settled at close come from the frozen
	// result, not from a fresh evaluation.
	Frozen bool
}

// Detail returns a ticket with its clocks evaluated now; segments settled
// at close are shown as frozen then. Errors: not_found.
func (s *Service) Detail(ctx context.Context, id uint64) (Detail, error) {
	t, err := s.Get(ctx, id)
	if err != nil {
		return Detail{}, err
	}
	clocks, frozen, err := s.Clocks(ctx, t)
	if err != nil {
		return Detail{}, err
	}
	return Detail{Ticket: t, Clocks: clocks, Frozen: frozen}, nil
}

// Clocks evaluates a ticket's clocks now.
func (s *Service) Clocks(ctx context.Context, t Ticket) ([]sla.ClockState, bool, error) {
	log, err := s.o.SLA.Log(ctx, nil, t.ID)
	if err != nil {
		return nil, false, apperr.Internal(err)
	}
	cal, err := s.o.SLA.CalendarByCode(ctx, t.SLACalendar)
	if err != nil {
		return nil, false, apperr.Internal(err)
	}
	states := sla.Evaluate(log, cal, s.now())
	fr, err := s.o.SLA.Result(ctx, nil, t.ID)
	if err != nil {
		return nil, false, apperr.Internal(err)
	}
	if fr != nil {
		return fr.Merge(states), true, nil
	}
	return states, false, nil
}

// OpenByCustomer returns the customer's tickets that are not resolved or
// closed, newest first (at most 20): the agent's screen-pop.
func (s *Service) OpenByCustomer(ctx context.Context, customerID uint64) ([]Ticket, error) {
	var out []Ticket
	q := scope(ctx, s.hot.WithContext(ctx)).Where("customer_id = ? AND status NOT IN ?", customerID, []string{StatusResolved, StatusClosed})
	if err := q.Order("created_at DESC, id DESC").Limit(20).Find(&out).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("open tickets of customer: %w", err))
	}
	return out, nil
}

// OpenByCustomers returns the open tickets of several customers (batched
// screen-pop for a phone shared by several customers).
func (s *Service) OpenByCustomers(ctx context.Context, customerIDs []uint64) (map[uint64][]Ticket, error) {
	out := map[uint64][]Ticket{}
	if len(customerIDs) == 0 {
		return out, nil
	}
	var rows []Ticket
	q := scope(ctx, s.o.DB.WithContext(ctx)).Where("customer_id IN ? AND status NOT IN ?", customerIDs, []string{StatusResolved, StatusClosed})
	if err := q.Order("created_at DESC, id DESC").Limit(200).Find(&rows).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("open tickets of customers: %w", err))
	}
	for _, t := range rows {
		out[t.CustomerID] = append(out[t.CustomerID], t)
	}
	return out, nil
}

// ---- changes ----

// change collects what a mutation does besides editing the ticket row.
type change struct {
	action   string
	timeline []Event
	sla      []sla.Event
	freeze   bool
	publish  []event.Event
	// withdraw, when set, is the reason the ticket's open field work is
	// withdrawn (it was resolved, closed or merged).
	withdraw string
}

func (c *change) note(kind, body string, data map[string]any) {
	c.timeline = append(c.timeline, Event{Kind: kind, Body: body, Data: mustJSON(data)})
}

// errUnchanged: an edit found nothing to change (the caller answers with
// the current ticket).
var errUnchanged = errors.New("unchanged")

func derefID(p *uint64) uint64 {
	if p == nil {
		return 0
	}
	return *p
}

// mutate loads a ticket in a transaction, checks the version the client
// sent (0: not checked here, but the write still requires the loaded one),
// lets fn change it and commits ticket, timeline, SLA log, audit record and
// the events (recorded in the outbox) together.
func (s *Service) mutate(ctx context.Context, id uint64, version int64, action string, fn func(tx *gorm.DB, t *Ticket, c *change, now time.Time) error) (Ticket, error) {
	var out Ticket
	c := &change{action: action}
	err := retryDeadlock(func() error {
		c = &change{action: action}
		return s.gate.transaction(ctx, s.hot, func(tx *gorm.DB) error {
			t, err := s.get(ctx, tx, id)
			if err != nil {
				return err
			}
			if version != 0 && t.Version != version {
				return apperr.ErrVersionConflict("ticket")
			}
			before, old := t.Snapshot(), t.Version
			now := s.now()
			orig := t
			if err := fn(tx, &t, c, now); err != nil {
				if errors.Is(err, errUnchanged) {
					out = orig
					return nil
				}
				return err
			}
			if err := s.apply(ctx, tx, &t, before, old, c, now); err != nil {
				return err
			}
			out = t
			return s.o.Bus.Enqueue(tx, c.publish...)
		})
	})
	if err != nil {
		return Ticket{}, wrap(err, action+" ticket")
	}
	return out, nil
}

// apply writes a changed ticket inside tx: the SLA events and the clock
// summary (and the frozen result at close), the row under optimistic
// concurrency, the timeline entries and the audit record.
func (s *Service) apply(ctx context.Context, tx *gorm.DB, t *Ticket, before map[string]any, oldVersion int64, c *change, now time.Time) error {
	if err := s.withdrawWork(ctx, tx, t, c, now); err != nil {
		return err
	}
	if len(c.sla) > 0 || c.freeze {
		log, err := s.o.SLA.Log(ctx, tx, t.ID)
		if err != nil {
			return err
		}
		if err := s.o.SLA.Append(ctx, tx, t.ID, c.sla...); err != nil {
			return err
		}
		for _, e := range c.sla {
			log = append(log, slastore.Row(t.ID, e).Event())
		}
		cal, err := s.o.SLA.CalendarByCode(ctx, t.SLACalendar)
		if err != nil {
			return err
		}
		states := sla.Evaluate(log, cal, now)
		if c.freeze {
			prev, err := s.o.SLA.Result(ctx, tx, t.ID)
			if err != nil {
				return err
			}
			final := states
			if prev != nil {
				final = prev.Merge(states)
			}
			if err := s.o.SLA.SaveResult(ctx, tx, t.ID, sla.Freeze(final, now)); err != nil {
				return err
			}
		}
		Summarise(t, states)
	}
	t.Version, t.UpdatedAt = oldVersion+1, now
	res := tx.Model(&Ticket{}).Where("id = ? AND version = ?", t.ID, oldVersion).
		Select("*").Omit("id", "number", "created_at", "created_by", "sla_checked_at").Updates(t)
	if res.Error != nil {
		return fmt.Errorf("update ticket: %w", res.Error)
	}
	if res.RowsAffected != 1 {
		return apperr.ErrVersionConflict("ticket")
	}
	a := actor.From(ctx)
	for i := range c.timeline {
		ev := &c.timeline[i]
		ev.TicketID, ev.ActorID, ev.ActorName, ev.At = t.ID, actorID(a), a.Username, now
	}
	if len(c.timeline) > 0 {
		if err := tx.Create(&c.timeline).Error; err != nil {
			return fmt.Errorf("insert ticket events: %w", err)
		}
	}
	return s.o.Audit.Record(ctx, tx, audit.Entry{Action: c.action, Entity: "ticket", EntityID: strconv.FormatUint(t.ID, 10), Before: before, After: t.Snapshot()})
}

// Summarise stores on the ticket what lists and the SLA job need from its
// clocks (as sla.Evaluate returns them): the next deadline, whether any
// clock breached, and when the job must look again (the next warning or
// due instant after t.SLACheckedAt, or a breach it has not yet seen). The
// service calls it on every SLA change; bulk seeding calls it too.
func Summarise(t *Ticket, states []sla.ClockState) {
	var due, next *time.Time
	breached := false
	earliest := func(cur *time.Time, v *time.Time) *time.Time {
		if v == nil || (cur != nil && !v.Before(*cur)) {
			return cur
		}
		x := *v
		return &x
	}
	for _, c := range states {
		for _, seg := range append(slices.Clone(c.Previous), c) {
			if seg.Segment == 0 {
				continue
			}
			if seg.Breached {
				breached = true
				if seg.DueAt != nil && seg.DueAt.After(t.SLACheckedAt) {
					next = earliest(next, seg.DueAt)
				}
				continue
			}
			if !seg.Open {
				continue
			}
			due = earliest(due, seg.DueAt)
			if seg.WarnFrom != nil && seg.WarnFrom.After(t.SLACheckedAt) {
				next = earliest(next, seg.WarnFrom)
			}
			if seg.DueAt != nil && seg.DueAt.After(t.SLACheckedAt) {
				next = earliest(next, seg.DueAt)
			}
		}
	}
	t.SLADueAt, t.SLABreached, t.SLANextCheckAt = due, breached, next
}

// Patch is a partial update of a ticket's fields; nil leaves a field as is.
type Patch struct {
	Type        *string
	Priority    *string
	Description *string
	FaultCode   *string
	RegionCode  *string
	Team        *string
	CategoryID  *uint64
	UnitID      *uint64
}

// Update edits a ticket under optimistic concurrency (version is required).
// A change of type, priority or region selects the policy again and applies
// its targets from now (re-prioritisation); breaches already suffered
// stand. Errors: not_found, validation, version_conflict, conflict
// ticket_closed.
func (s *Service) Update(ctx context.Context, id uint64, version int64, p Patch) (Ticket, error) {
	if version == 0 {
		return Ticket{}, apperr.Field("version", "required: send the version you edited as If-Match or in the body")
	}
	return s.mutate(ctx, id, version, "update", func(tx *gorm.DB, t *Ticket, c *change, now time.Time) error {
		if t.Status == StatusClosed {
			return apperr.Conflict("ticket_closed", "a closed ticket cannot be edited; reopen it first")
		}
		fields := map[string]string{}
		changed := map[string]any{}
		reselect := false
		if p.Type != nil && *p.Type != t.Type {
			if !slices.Contains(Types(), *p.Type) {
				fields["type"] = "one of " + strings.Join(Types(), ", ")
			}
			changed["type"] = []string{t.Type, *p.Type}
			t.Type, reselect = *p.Type, true
		}
		if p.Priority != nil && *p.Priority != t.Priority {
			if !slices.Contains(Priorities(), *p.Priority) {
				fields["priority"] = "one of " + strings.Join(Priorities(), ", ")
			}
			changed["priority"] = []string{t.Priority, *p.Priority}
			t.Priority, t.PriorityRank, reselect = *p.Priority, PriorityRank(*p.Priority), true
		}
		if p.RegionCode != nil && *p.RegionCode != t.RegionCode {
			if msg := s.checkRegion(*p.RegionCode); msg != "" {
				fields["region_code"] = msg
			}
			changed["region_code"] = []string{t.RegionCode, *p.RegionCode}
			t.RegionCode, reselect = *p.RegionCode, true
		}
		if p.Description != nil {
			d := strings.TrimSpace(*p.Description)
			if n := utf8.RuneCountInString(d); n == 0 || n > 4000 {
				fields["description"] = "required, at most 4000 characters"
			}
			if d != t.Description {
				changed["description"] = true
			}
			t.Description = d
		}
		if p.FaultCode != nil && *p.FaultCode != t.FaultCode {
			if *p.FaultCode != "" && !faultCodePattern.MatchString(*p.FaultCode) {
				fields["fault_code"] = "letters, digits, '_', '-', '.'; at most 32"
			}
			changed["fault_code"] = []string{t.FaultCode, *p.FaultCode}
			t.FaultCode = *p.FaultCode
		}
		if p.Team != nil && *p.Team != t.Team {
			if utf8.RuneCountInString(*p.Team) > 64 {
				fields["team"] = "at most 64 characters"
			}
			changed["team"] = []string{t.Team, *p.Team}
			t.Team = strings.TrimSpace(*p.Team)
		}
		if p.CategoryID != nil && *p.CategoryID != derefID(t.CategoryID) {
			if *p.CategoryID == 0 {
				t.CategoryID = nil
			} else {
				v := *p.CategoryID
				t.CategoryID = &v
			}
			changed["category_id"] = p.CategoryID
		}
		if p.UnitID != nil && *p.UnitID != derefID(t.UnitID) {
			if *p.UnitID == 0 {
				t.UnitID = nil
			} else {
				in := NewTicket{CustomerID: t.CustomerID, UnitID: p.UnitID, RegionCode: t.RegionCode}
				if err := s.resolveParties(ctx, &in, fields); err != nil {
					return err
				}
				v := *p.UnitID
				t.UnitID = &v
				if t.CategoryID == nil {
					t.CategoryID = in.CategoryID
				}
			}
			changed["unit_id"] = p.UnitID
		}
		if len(fields) > 0 {
			return apperr.Validation(fields)
		}
		if len(changed) == 0 {
			return errUnchanged // nothing to write: no version bump, no audit record
		}
		if reselect && t.Open() {
			policy, _, ok, err := s.o.SLA.Select(ctx, t.Type, t.Priority, t.RegionCode)
			if err != nil {
				return err
			}
			if ok && (policy.ID != t.SLAPolicy || changed["priority"] != nil) {
				c.sla = append(c.sla, policy.Apply(now, actorLabel(actor.From(ctx)), sla.DistanceBand(t.DistanceBand))...)
				changed["sla_policy"] = []string{t.SLAPolicy, policy.ID}
				t.SLAPolicy, t.SLACalendar = policy.ID, policy.CalendarID
			}
		}
		c.note(EventUpdate, "工单信息已修改", changed)
		c.publish = append(c.publish, s.eventOf(event.TicketUpdated, *t, event.Ticket{Changed: keys(changed)}))
		return nil
	})
}

// Transition moves a ticket through its status machine. Entering a status
// the policy pauses on (waiting_customer, waiting_parts) pauses every
// running clock with the status as reason; leaving it resumes them. Moving
// from resolved or closed back to in_progress is a reopen (see Reopen).
// Errors: not_found, version_conflict, conflict invalid_transition (with
// the allowed statuses), validation (a reopen or close without reason
// where one is needed).
func (s *Service) Transition(ctx context.Context, id uint64, to, reason string, version int64) (Ticket, error) {
	if !slices.Contains(Statuses(), to) {
		return Ticket{}, apperr.Field("status", "one of "+strings.Join(Statuses(), ", "))
	}
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > 1000 {
		return Ticket{}, apperr.Field("reason", "at most 1000 characters")
	}
	action := "transition"
	return s.mutate(ctx, id, version, action, func(tx *gorm.DB, t *Ticket, c *change, now time.Time) error {
		if isReopen(t.Status, to) && t.MergedIntoID == nil {
			return s.reopen(ctx, t, c, reason, now)
		}
		return s.move(ctx, t, c, to, reason, now)
	})
}

// Reopen moves a resolved or closed ticket back to in_progress (a
// dissatisfied customer, a failed repair): the resolution clock restarts
// from now, other clocks keep their results, and the reopen is counted.
// Errors: not_found, validation (reason required), conflict
// invalid_transition.
func (s *Service) Reopen(ctx context.Context, id uint64, reason string) error {
	_, err := s.ReopenTicket(ctx, id, reason, 0)
	return err
}

// ReopenTicket is Reopen returning the ticket, with an optional version.
func (s *Service) ReopenTicket(ctx context.Context, id uint64, reason string, version int64) (Ticket, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 1000 {
		return Ticket{}, apperr.Field("reason", "required, at most 1000 characters")
	}
	return s.mutate(ctx, id, version, "reopen", func(tx *gorm.DB, t *Ticket, c *change, now time.Time) error {
		return s.reopen(ctx, t, c, reason, now)
	})
}

func (s *Service) reopen(ctx context.Context, t *Ticket, c *change, reason string, now time.Time) error {
	if t.MergedIntoID != nil || (t.Status != StatusResolved && t.Status != StatusClosed) {
		return errTransition(*t, StatusInProgress)
	}
	if reason == "" {
		return apperr.Field("reason", "required to reopen a ticket")
	}
	c.action = "reopen"
	from := t.Status
	who := actorLabel(actor.From(ctx))
	c.sla = append(c.sla, sla.Event{At: now, Kind: sla.KindRestarted, Target: sla.TargetResolution, Reason: "reopened", Actor: who})
	t.Status, t.ReopenCount = StatusInProgress, t.ReopenCount+1
	t.ResolvedAt, t.ClosedAt, t.CloseReason = nil, nil, ""
	c.note(EventStatusChange, "工单已重新打开："+reason, map[string]any{"from": from, "to": StatusInProgress, "reason": reason, "reopen": true})
	c.publish = append(c.publish, s.eventOf(event.TicketStatusChanged, *t, event.Ticket{From: from, To: StatusInProgress, Reopened: true}))
	return nil
}

// move performs a non-reopen transition on a loaded ticket.
func (s *Service) move(ctx context.Context, t *Ticket, c *change, to, reason string, now time.Time) error {
	from := t.Status
	if from == to || !slices.Contains(t.Allowed(), to) || isReopen(from, to) {
		return errTransition(*t, to)
	}
	if to == StatusAssigned && t.AssigneeID == nil && t.Team == "" {
		return apperr.Field("assignee_id", "assign the ticket to an agent or team (POST …/assign)")
	}
	who := actorLabel(actor.From(ctx))
	policy, _, err := s.o.SLA.PolicyByCode(ctx, t.SLAPolicy)
	if err != nil {
		return err
	}
	wasPaused, willPause := pauses(policy, from), pauses(policy, to)
	switch {
	case !wasPaused && willPause:
		c.sla = append(c.sla, sla.Event{At: now, Kind: sla.KindPaused, Reason: to, Actor: who})
	case wasPaused && !willPause:
		c.sla = append(c.sla, sla.Event{At: now, Kind: sla.KindResumed, Reason: from, Actor: who})
	}
	firstResponse := func() {
		if t.FirstResponseAt == nil {
			c.sla = append(c.sla, sla.Event{At: now, Kind: sla.KindMet, Target: sla.TargetFirstResponse, Actor: who})
			t.FirstResponseAt = &now
		}
	}
	switch to {
	case StatusAssigned:
		if t.AssignedAt == nil {
			t.AssignedAt = &now
		}
	case StatusInProgress:
		firstResponse()
	case StatusResolved:
		firstResponse()
		c.sla = append(c.sla, sla.Event{At: now, Kind: sla.KindMet, Target: sla.TargetResolution, Actor: who})
		t.ResolvedAt = &now
		c.withdraw = withdrawReason("工单已解决", reason)
	case StatusClosed:
		c.withdraw = withdrawReason("工单已关闭", reason)
		c.sla = append(c.sla, sla.Event{At: now, Kind: sla.KindStopped, Reason: "closed", Actor: who})
		c.freeze = true
		t.ClosedAt = &now
		t.CloseReason = reason
		if t.CloseReason == "" {
			t.CloseReason = "resolved"
		}
	}
	t.Status = to
	data := map[string]any{"from": from, "to": to}
	if reason != "" {
		data["reason"] = reason
	}
	body := fmt.Sprintf("状态：%s → %s", StatusLabel(from), StatusLabel(to))
	if reason != "" {
		body += "（" + reason + "）"
	}
	c.note(EventStatusChange, body, data)
	c.publish = append(c.publish, s.eventOf(event.TicketStatusChanged, *t, event.Ticket{From: from, To: to}))
	if to == StatusClosed {
		c.publish = append(c.publish, s.eventOf(event.TicketClosed, *t, event.Ticket{}))
	}
	return nil
}

// pauses reports whether the policy pauses its clocks in status; a ticket
// without a stored policy pauses on the two waiting statuses.
func pauses(p sla.Policy, status string) bool {
	if p.ID == "" {
		return status == StatusWaitingCustomer || status == StatusWaitingParts
	}
	return p.Pauses(status)
}

// Assign sets the ticket's agent and/or team. A new ticket becomes
// assigned. Errors: not_found, validation, version_conflict, conflict
// ticket_closed.
func (s *Service) Assign(ctx context.Context, id uint64, assigneeID *uint64, team *string, version int64) (Ticket, error) {
	if assigneeID == nil && team == nil {
		return Ticket{}, apperr.Validation(map[string]string{"assignee_id": "give assignee_id and/or team"})
	}
	if assigneeID != nil && *assigneeID != 0 {
		if msg := s.checkAssignee(ctx, *assigneeID); msg != "" {
			return Ticket{}, apperr.Field("assignee_id", msg)
		}
	}
	if team != nil && utf8.RuneCountInString(strings.TrimSpace(*team)) > 64 {
		return Ticket{}, apperr.Field("team", "at most 64 characters")
	}
	return s.mutate(ctx, id, version, "assign", func(tx *gorm.DB, t *Ticket, c *change, now time.Time) error {
		if t.Status == StatusClosed {
			return apperr.Conflict("ticket_closed", "a closed ticket cannot be assigned")
		}
		data := map[string]any{}
		if assigneeID != nil {
			data["from_assignee_id"] = t.AssigneeID
			if *assigneeID == 0 {
				t.AssigneeID = nil
			} else {
				v := *assigneeID
				t.AssigneeID = &v
			}
			data["assignee_id"] = t.AssigneeID
		}
		if team != nil {
			data["from_team"] = t.Team
			t.Team = strings.TrimSpace(*team)
			data["team"] = t.Team
		}
		body := "已分派"
		if t.AssigneeID != nil {
			body += fmt.Sprintf("给坐席 #%d", *t.AssigneeID)
		}
		if t.Team != "" {
			body += "（班组 " + t.Team + "）"
		}
		c.note(EventAssignment, body, data)
		c.publish = append(c.publish, s.eventOf(event.TicketAssigned, *t, event.Ticket{}))
		if t.Status == StatusNew && (t.AssigneeID != nil || t.Team != "") {
			return s.move(ctx, t, c, StatusAssigned, "", now)
		}
		return nil
	})
}

// AddEvent adds a note or a logged call to the timeline. The first call
// (or reply) by the hotline is the ticket's first response. Errors:
// not_found, validation.
func (s *Service) AddEvent(ctx context.Context, id uint64, kind, body string) (Event, error) {
	body = strings.TrimSpace(body)
	fields := map[string]string{}
	if kind != EventNote && kind != EventCall {
		fields["kind"] = "note or call"
	}
	if n := utf8.RuneCountInString(body); n == 0 || n > 4000 {
		fields["body"] = "required, at most 4000 characters"
	}
	if len(fields) > 0 {
		return Event{}, apperr.Validation(fields)
	}
	t, err := s.Get(ctx, id)
	if err != nil {
		return Event{}, err
	}
	a := actor.From(ctx)
	if kind == EventCall && t.FirstResponseAt == nil && t.Open() {
		var recorded *change
		_, err := s.mutate(ctx, id, 0, "first_response", func(tx *gorm.DB, t *Ticket, c *change, now time.Time) error {
			if t.FirstResponseAt == nil {
				c.sla = append(c.sla, sla.Event{At: now, Kind: sla.KindMet, Target: sla.TargetFirstResponse, Actor: actorLabel(a)})
				t.FirstResponseAt = &now
			}
			c.note(kind, body, nil)
			recorded = c
			return nil
		})
		if err != nil {
			return Event{}, err
		}
		return recorded.timeline[0], nil
	}
	ev := Event{TicketID: id, Kind: kind, ActorID: actorID(a), ActorName: a.Username, Body: body, Data: "null", At: s.now()}
	err = s.gate.transaction(ctx, s.o.DB, func(tx *gorm.DB) error {
		if err := tx.Create(&ev).Error; err != nil {
			return err
		}
		return s.o.Audit.Record(ctx, tx, audit.Entry{Action: "add_" + kind, Entity: "ticket", EntityID: strconv.FormatUint(id, 10),
			After: map[string]any{"event_id": ev.ID, "kind": kind, "body": body}})
	})
	if err != nil {
		return Event{}, wrap(err, "add ticket event")
	}
	return ev, nil
}

// Merge merges the duplicate sourceID into targetID: the source is closed
// as merged (its clocks stopped and frozen), every ticket merged into the
// source now points at the target, and the target's timeline shows the
// source's history. Both must belong to the same customer. Errors:
// not_found, validation, conflict invalid_transition.
func (s *Service) Merge(ctx context.Context, targetID, sourceID uint64, reason string) (Ticket, error) {
	if targetID == sourceID {
		return Ticket{}, apperr.Field("source_id", "a ticket cannot be merged into itself")
	}
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > 1000 {
		return Ticket{}, apperr.Field("reason", "at most 1000 characters")
	}
	var target Ticket
	var pub []event.Event
	err := retryDeadlock(func() error {
		pub = nil
		return s.gate.transaction(ctx, s.o.DB, func(tx *gorm.DB) error {
			// Lock in id order so two opposite merges cannot deadlock.
			first, second := min(targetID, sourceID), max(targetID, sourceID)
			a, err := s.lockForMerge(ctx, tx, first, first == sourceID)
			if err != nil {
				return err
			}
			b, err := s.lockForMerge(ctx, tx, second, second == sourceID)
			if err != nil {
				return err
			}
			src, tgt := a, b
			if first == targetID {
				src, tgt = b, a
			}
			if src.MergedIntoID != nil || src.Status == StatusClosed {
				return apperr.Conflict("invalid_transition", "the source ticket is already closed or merged").WithDetail("allowed", src.Allowed())
			}
			if tgt.MergedIntoID != nil || tgt.Status == StatusClosed {
				return apperr.Conflict("invalid_transition", "the target ticket is closed; reopen it or merge into an open ticket").WithDetail("allowed", tgt.Allowed())
			}
			if src.CustomerID != tgt.CustomerID {
				return apperr.Field("source_id", "tickets of different customers cannot be merged")
			}
			now := s.now()
			who := actorLabel(actor.From(ctx))
			// Source: closed as merged.
			sc := &change{action: "merge"}
			srcBefore, srcVer := src.Snapshot(), src.Version
			from := src.Status
			src.Status, src.MergedIntoID, src.CloseReason, src.ClosedAt = StatusClosed, &tgt.ID, "merged", &now
			sc.sla = append(sc.sla, sla.Event{At: now, Kind: sla.KindStopped, Reason: "merged", Actor: who})
			sc.freeze = true
			sc.withdraw = withdrawReason("工单已合并到 "+tgt.Number, reason)
			sc.note(EventMerge, fmt.Sprintf("已合并到工单 %s", tgt.Number), map[string]any{"into_id": tgt.ID, "into_number": tgt.Number, "from": from, "reason": reason})
			if err := s.apply(ctx, tx, &src, srcBefore, srcVer, sc, now); err != nil {
				return err
			}
			if err := tx.Model(&Ticket{}).Where("merged_into_id = ?", src.ID).Update("merged_into_id", tgt.ID).Error; err != nil {
				return fmt.Errorf("repoint merged tickets: %w", err)
			}
			// Target: a timeline entry.
			tc := &change{action: "merge"}
			tgtBefore, tgtVer := tgt.Snapshot(), tgt.Version
			tc.note(EventMerge, fmt.Sprintf("工单 %s 已合并到本工单", src.Number), map[string]any{"source_id": src.ID, "source_number": src.Number, "reason": reason})
			if err := s.apply(ctx, tx, &tgt, tgtBefore, tgtVer, tc, now); err != nil {
				return err
			}
			target = tgt
			into := tgt.ID
			pub = append(pub,
				s.eventOf(event.TicketMerged, tgt, event.Ticket{SourceID: src.ID, SourceNumber: src.Number}),
				s.eventOf(event.TicketStatusChanged, src, event.Ticket{From: from, To: StatusClosed, MergedIntoID: &into}),
				s.eventOf(event.TicketClosed, src, event.Ticket{MergedIntoID: &into}))
			return s.o.Bus.Enqueue(tx, pub...)
		})
	})
	if err != nil {
		return Ticket{}, wrap(err, "merge tickets")
	}
	return target, nil
}

func (s *Service) lockForMerge(ctx context.Context, tx *gorm.DB, id uint64, isSource bool) (Ticket, error) {
	q := tx
	if tx.Dialector.Name() == "mysql" {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	t, err := s.get(ctx, q, id)
	if err != nil && isSource && apperr.IsKind(err, apperr.KindNotFound) {
		return t, apperr.Field("source_id", "no such ticket")
	}
	return t, err
}

// Timeline returns a ticket's events and those of the tickets merged into
// it, oldest first, after event afterID (keyset paging). Errors: not_found.
func (s *Service) Timeline(ctx context.Context, id, afterID uint64, size int) ([]Event, error) {
	if _, err := s.Get(ctx, id); err != nil {
		return nil, err
	}
	if size <= 0 || size > 500 {
		size = 200
	}
	ids := []uint64{id}
	var merged []uint64
	if err := s.o.DB.WithContext(ctx).Model(&Ticket{}).Where("merged_into_id = ?", id).Pluck("id", &merged).Error; err != nil {
		return nil, apperr.Internal(err)
	}
	ids = append(ids, merged...)
	var out []Event
	if err := s.o.DB.WithContext(ctx).Where("ticket_id IN ? AND id > ?", ids, afterID).Order("id").Limit(size).Find(&out).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("ticket timeline: %w", err))
	}
	return out, nil
}

// ---- events ----

// eventOf builds a ticket event (topic "tickets") about t: the payload
// extra with the ticket's identity and state filled in.
func (s *Service) eventOf(typ event.Type[event.Ticket], t Ticket, extra event.Ticket) event.Event {
	p := extra
	p.TicketID, p.Number, p.CustomerID, p.UnitID = t.ID, t.Number, t.CustomerID, t.UnitID
	p.AssigneeID, p.OutletID, p.Type, p.Status, p.Priority = t.AssigneeID, t.OutletID, t.Type, t.Status, t.Priority
	if t.ClosedAt != nil {
		p.ClosedAt, p.CloseReason = t.ClosedAt, t.CloseReason
	}
	return typ.New(event.TopicTickets, p)
}

// ---- helpers ----

func actorID(a actor.Actor) *uint64 {
	if a.UserID == 0 {
		return nil
	}
	id := a.UserID
	return &id
}

// actorLabel names the actor in SLA events: the username, or the system
// job's name.
func actorLabel(a actor.Actor) string {
	if a.Username != "" {
		return a.Username
	}
	return "user:" + strconv.FormatUint(a.UserID, 10)
}

func mustJSON(v any) string {
	if v == nil {
		return "null"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "null"
	}
	return string(b)
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

var statusLabels = map[string]string{
	StatusNew: "新建", StatusAssigned: "已分派", StatusInProgress: "处理中", StatusWaitingCustomer: "等待客户",
	StatusWaitingParts: "等待备件", StatusResolved: "已解决", StatusClosed: "已关闭",
}

// StatusLabel returns the Chinese name of a status, as the timeline shows it.
func StatusLabel(s string) string {
	if l, ok := statusLabels[s]; ok {
		return l
	}
	return s
}

// wrap classifies a storage error (db.Classify: busy, duplicate,
// unavailable, internal) with what was being done.
func wrap(err error, what string) error { return db.Classify(err, what) }

// retryDeadlock runs fn again (up to three times) when MySQL chose it as a
// deadlock victim or a lock wait timed out: the transaction was rolled back
// whole, so running it again is safe.
func retryDeadlock(fn func() error) error {
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		err = fn()
		if err == nil || !isDeadlock(err) {
			return err
		}
		time.Sleep(time.Duration(5*(attempt+1)) * time.Millisecond)
	}
	return err
}

// RetryDeadlock is retryDeadlock for the work-order service.
func RetryDeadlock(fn func() error) error { return retryDeadlock(fn) }

func isDeadlock(err error) bool { return db.IsRetryable(err) }
