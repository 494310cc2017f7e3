package workorder

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/ticket"
)

// Candidate is an outlet that may take a work order, best first (see the
// outlet domain's Candidates).
type Candidate struct {
	OutletID uint64
	Code     string
	Name     string
	// CoverageLevel is the most specific coverage that matched the
	// customer's region: 3 district, 2 city, 1 province.
	CoverageLevel int
	Capacity      int
	Load          int
}

// OutletInfo is what dispatch needs to know about one outlet.
type OutletInfo struct {
	ID     uint64
	Code   string
	Name   string
	Active bool
}

// Outlets is what dispatch needs from the outlet domain.
type Outlets interface {
	// Candidates returns the outlets that may take work for a unit of
	// categoryID in regionCode on the local day of day, best first,
	// without those in exclude. Errors: validation (unknown region, no
	// category), internal.
	Candidates(ctx context.Context, regionCode string, categoryID uint64, day time.Time, exclude []uint64) ([]Candidate, error)
	// Outlet returns one outlet. Errors: not_found.
	Outlet(ctx context.Context, id uint64) (OutletInfo, error)
}

// StaffInfo is what dispatch needs to know about a technician.
type StaffInfo struct {
	ID       uint64
	Name     string
	OutletID uint64
	Active   bool
}

// Staff is what dispatch needs from the staff register.
type Staff interface {
	// StaffMember returns one staff member. Errors: not_found.
	StaffMember(ctx context.Context, id uint64) (StaffInfo, error)
	// Technicians returns an outlet's active field staff.
	Technicians(ctx context.Context, outletID uint64) ([]StaffInfo, error)
	// StaffOfUser returns the staff member linked to a login. Errors:
	// not_found.
	StaffOfUser(ctx context.Context, userID uint64) (StaffInfo, error)
}

// Options are the service's dependencies. Outlets and Staff are optional:
// without Outlets automatic dispatch finds no candidate (work waits as
// unassigned) and a picked outlet is not checked; without Staff a
// technician id is not checked.
type Options struct {
	DB      *gorm.DB
	Audit   *audit.Trail
	Bus     event.Bus
	Tickets *ticket.Service
	Outlets Outlets
	Staff   Staff
	// Repairs cross-checks a completion with the work order's repair
	// (nil: no repair domain, every result is accepted).
	Repairs Repairs
	// Recalls records the remedy when recall_remedy work is done (nil: no
	// recall domain).
	Recalls RecallRemedies
	// Complaints counts an outlet's complaints for its scorecard (nil: the
	// scorecard leaves them unknown).
	Complaints Complaints
	// AcceptTimeout is how long an outlet has to accept or reject an offer
	// (config dispatch.accept_timeout), in wall-clock time.
	AcceptTimeout time.Duration
	Now           func() time.Time
	Log           *slog.Logger
}

// Service is the dispatch and work-order domain.
type Service struct {
	o   Options
	loc *time.Location
}

// New returns a Service.
func New(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Bus == nil {
		o.Bus = event.Discard
	}
	if o.AcceptTimeout <= 0 {
		o.AcceptTimeout = 30 * time.Minute
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Service{o: o, loc: o.Tickets.Location()}
}

// SetDirectory wires the outlet and staff services once they exist.
func (s *Service) SetDirectory(outlets Outlets, staff Staff) {
	if outlets != nil {
		s.o.Outlets = outlets
	}
	if staff != nil {
		s.o.Staff = staff
	}
}

func (s *Service) now() time.Time { return s.o.Now().UTC().Truncate(time.Millisecond) }

// events builds a work-order event for topic "tickets" and for the
// outlet's board topic "outlet:<id>": the payload extra with the order's
// identity and state filled in.
func (s *Service) events(typ event.Type[event.WorkOrder], w WorkOrder, extra event.WorkOrder) []event.Event {
	p := extra
	p.WorkOrderID, p.Number, p.TicketID, p.OutletID, p.Kind, p.Status = w.ID, w.Number, w.TicketID, w.OutletID, w.Kind, w.Status
	p.CustomerID = w.CustomerID
	out := []event.Event{typ.New(event.TopicTickets, p)}
	if w.OutletID != nil {
		out = append(out, typ.New(event.OutletTopic(*w.OutletID), p))
	}
	return out
}

func idStr(id uint64) string { return strconv.FormatUint(id, 10) }

func deref(p *uint64) uint64 {
	if p == nil {
		return 0
	}
	return *p
}

func clip(s string, n int) string {
	for len(s) > n {
		r := []rune(s)
		s = string(r[:len(r)-1])
	}
	return s
}

// wrap classifies a storage error (db.Classify: busy, duplicate,
// unavailable, internal) with what was being done.
func wrap(err error, what string) error { return db.Classify(err, what) }
