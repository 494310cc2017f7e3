package ticket

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/sla"
)

// ClockStart starts a clock, or restarts it (a new segment) when it already
// ran: outlet_accept restarts on every new offer, customer_contact and
// onsite_arrival on a second work order.
type ClockStart struct {
	Target sla.Target
	// Duration, when positive, is the target of this segment (a work-order
	// kind's promised time); zero keeps the policy's frozen target.
	Duration time.Duration
	// Reason is recorded on a restart ("redispatched", "new_work_order").
	Reason string
}

// WorkOrderStep is what one step of a work order does to its ticket. The
// work-order service calls ApplyWorkOrderStep inside its own transaction,
// so the step, the ticket's timeline and its SLA log commit together.
type WorkOrderStep struct {
	// Action is the audit action, e.g. "work_order_offered".
	Action string
	// Kind is the timeline kind: EventDispatch or EventWorkOrder.
	Kind string
	// Line is the timeline line (a code with params); Data its details.
	Line Line
	Data map[string]any
	// SetOutlet replaces the ticket's current outlet with OutletID (nil:
	// no outlet, e.g. nobody accepted).
	SetOutlet bool
	OutletID  *uint64
	// Band, when set and different from the ticket's, records the distance
	// band; BandDuration (if positive) is the on-site arrival target for it,
	// else the policy's target for the band.
	Band         sla.DistanceBand
	BandDuration time.Duration
	// Start starts or restarts clocks; Met meets them; Stop stops them
	// (with StopReason) when they are open.
	Start      []ClockStart
	Met        []sla.Target
	Stop       []sla.Target
	StopReason string
	// Status, when set, moves the ticket there if its status machine
	// allows it from the current status (in_progress when an outlet
	// accepts, resolved when the work is done); otherwise it is ignored.
	Status string
}

// ApplyWorkOrderStep records a work-order step on ticket ticketID inside tx
// and returns the ticket events to publish after the caller commits. It
// does not check the caller's data scope: the work-order service has.
// Errors: not_found, version_conflict (retry).
func (s *Service) ApplyWorkOrderStep(ctx context.Context, tx *gorm.DB, ticketID uint64, st WorkOrderStep) (Ticket, []event.Event, error) {
	q := db.ForUpdate(tx.WithContext(ctx))
	var t Ticket
	if err := db.Take(q.Where("id = ?", ticketID), &t, "ticket"); err != nil {
		return Ticket{}, nil, fmt.Errorf("ticket for work order: %w", err)
	}
	before, old := t.Snapshot(), t.Version
	now := s.now()
	who := actorLabel(actor.From(ctx))
	c := &change{action: st.Action}
	if c.action == "" {
		c.action = "work_order_step"
	}
	log, err := s.o.SLA.Log(ctx, tx, t.ID)
	if err != nil {
		return Ticket{}, nil, err
	}
	cal, err := s.o.SLA.CalendarByCode(ctx, t.SLACalendar)
	if err != nil {
		return Ticket{}, nil, err
	}
	current := map[sla.Target]sla.ClockState{}
	for _, cs := range sla.Evaluate(log, cal, now) {
		current[cs.Target] = cs
	}
	if st.SetOutlet {
		t.OutletID = st.OutletID
		// Dispatching to an outlet is the ticket's 分派: the first offer
		// stamps assigned_at (an accepted ticket moves new → in_progress and
		// never passes through the assigned status that used to set it).
		if st.OutletID != nil && t.AssignedAt == nil {
			t.AssignedAt = &now
		}
	}
	if st.Band != "" && string(st.Band) != t.DistanceBand {
		policy, _, err := s.o.SLA.PolicyByCode(ctx, t.SLAPolicy)
		if err != nil {
			return Ticket{}, nil, err
		}
		ev := policy.SetBand(st.Band, now, who)
		if st.BandDuration > 0 {
			ev.Duration = st.BandDuration
		}
		c.sla = append(c.sla, ev)
		t.DistanceBand = string(st.Band)
	}
	for _, cl := range st.Start {
		kind := sla.KindStarted
		if current[cl.Target].Segment > 0 {
			kind = sla.KindRestarted
		}
		c.sla = append(c.sla, sla.Event{At: now, Kind: kind, Target: cl.Target, Duration: cl.Duration, Reason: cl.Reason, Actor: who})
	}
	for _, target := range st.Met {
		c.sla = append(c.sla, sla.Event{At: now, Kind: sla.KindMet, Target: target, Actor: who})
	}
	for _, target := range st.Stop {
		if current[target].Open {
			c.sla = append(c.sla, sla.Event{At: now, Kind: sla.KindStopped, Target: target, Reason: st.StopReason, Actor: who})
		}
	}
	kind := st.Kind
	if kind == "" {
		kind = EventWorkOrder
	}
	c.say(kind, st.Line, st.Data)
	if st.Status != "" && st.Status != t.Status && CanMove(t.Status, st.Status) && !isReopen(t.Status, st.Status) && t.MergedIntoID == nil {
		if err := s.move(ctx, &t, c, st.Status, "", now); err != nil {
			return Ticket{}, nil, err
		}
	}
	if err := s.apply(ctx, tx, &t, before, old, c, now); err != nil {
		return Ticket{}, nil, err
	}
	return t, c.publish, nil
}

// ForDispatch returns a ticket that may receive a work order: visible to
// the caller and still open. Errors: not_found, conflict ticket_not_open.
func (s *Service) ForDispatch(ctx context.Context, id uint64) (Ticket, error) {
	t, err := s.Get(ctx, id)
	if err != nil {
		return t, err
	}
	if !t.Open() || t.MergedIntoID != nil {
		return t, apperr.Conflict("ticket_not_open", "work can only be dispatched for an open ticket").WithDetail("status", t.Status)
	}
	return t, nil
}

// Calendar returns the working-hours calendar of a ticket's clocks.
func (s *Service) Calendar(ctx context.Context, t Ticket) (*sla.Calendar, error) {
	cal, err := s.o.SLA.CalendarByCode(ctx, t.SLACalendar)
	if err != nil {
		return nil, apperr.Internal(err)
	}
	return cal, nil
}
