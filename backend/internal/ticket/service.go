package ticket

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/auth"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/sla"
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
	SLA       *sla.Store
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
	// batch runs the creating transaction in two round trips on MySQL.
	batch *db.Batcher
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
	Notes  []Line
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
	return &Service{o: o, hot: o.DB.Session(&gorm.Session{PrepareStmt: true}), gate: NewWriteGate(o.DB), batch: db.NewBatcher(o.DB)}
}

// Close closes the connections the service opened besides the
// application's pool (the batch pool on MySQL).
func (s *Service) Close() error { return s.batch.Close() }

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
func (s *Service) SLA() *sla.Store { return s.o.SLA }

// Sequences returns the number counters (work orders share them).
func (s *Service) Sequences() *Sequences { return s.o.Sequences }

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
