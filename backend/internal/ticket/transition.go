package ticket

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/sla"
)

// Transition moves a ticket through its status machine. Entering a status
// the policy pauses on (waiting_customer, waiting_parts) pauses every
// running clock with the status as reason; leaving it resumes them. Moving
// from resolved or closed back to in_progress is a reopen (see Reopen).
// Errors: not_found, version_conflict, conflict invalid_transition (with
// the allowed statuses), validation (a reopen or close without reason
// where one is needed).
func (s *Service) Transition(ctx context.Context, id uint64, to, reason string, version int64) (Ticket, error) {
	if !slices.Contains(Statuses(), to) {
		return Ticket{}, apperr.FieldErr("status", apperr.OneOf(Statuses()...))
	}
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > 1000 {
		return Ticket{}, apperr.FieldErr("reason", apperr.TooLong(1000))
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
		return Ticket{}, apperr.FieldErr("reason", apperr.RequiredMax(1000))
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
		return apperr.FieldErr("reason", apperr.Required())
	}
	c.action = "reopen"
	from := t.Status
	who := actorLabel(actor.From(ctx))
	c.sla = append(c.sla, sla.Event{At: now, Kind: sla.KindRestarted, Target: sla.TargetResolution, Reason: "reopened", Actor: who})
	t.Status, t.ReopenCount = StatusInProgress, t.ReopenCount+1
	t.ResolvedAt, t.ClosedAt, t.CloseReason = nil, nil, ""
	c.say(EventStatusChange, Line{Code: "reopened", Params: map[string]any{"reason": reason}}, map[string]any{"from": from, "to": StatusInProgress, "reason": reason, "reopen": true})
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
		return apperr.FieldErr("assignee_id", apperr.Code("assign_first", "assign the ticket to an agent or team (POST …/assign)"))
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
		c.withdraw = withdrawReason("ticket_resolved", reason)
	case StatusClosed:
		c.withdraw = withdrawReason("ticket_closed", reason)
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
	l := Line{Code: "status_change", Params: map[string]any{"from_ticket_status": from, "to_ticket_status": to}}
	if reason != "" {
		l.Params["reason"] = reason
		l = Line{Code: "status_change_reason", Params: l.Params}
	}
	c.say(EventStatusChange, l, data)
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
