package ticket

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/sla"
)

// withdrawReason is the reason recorded on withdrawn work: the code of what
// happened to the ticket (ticket_resolved, ticket_closed, ticket_merged;
// the UI says it, labels.reasons), and the agent's reason when one was
// given, as "code: reason".
func withdrawReason(code, reason string) string {
	if reason == "" {
		return code
	}
	return code + ": " + reason
}

// dispatchClocks are the clocks that only run while field work is open.
var dispatchClocks = []sla.Target{sla.TargetOutletAccept, sla.TargetCustomerContact, sla.TargetOnsiteArrival}

// withdrawWork runs inside apply, before the ticket row is written: when the
// change finishes the ticket (c.withdraw is set), dispatch withdraws the
// pending offers and cancels the unstarted work orders in the same
// transaction, the timeline says so, and the dispatch clocks those orders
// were running stop (reason work_order_cancelled) so that they cannot breach
// later.
func (s *Service) withdrawWork(ctx context.Context, tx *gorm.DB, t *Ticket, c *change, now time.Time) error {
	if c.withdraw == "" || s.work == nil {
		return nil
	}
	w, err := s.work.WithdrawOpenWork(ctx, tx, t.ID, c.withdraw)
	if err != nil {
		return err
	}
	if len(w.Notes) == 0 {
		return nil
	}
	for _, n := range w.Notes {
		c.say(EventWorkOrder, n, map[string]any{"reason": c.withdraw, "withdrawn": true})
	}
	c.publish = append(c.publish, w.Events...)
	for _, e := range c.sla {
		if e.Kind == sla.KindStopped && e.Target == "" {
			return nil // the whole log stops (closed, merged)
		}
	}
	log, err := s.o.SLA.Log(ctx, tx, t.ID)
	if err != nil {
		return err
	}
	cal, err := s.o.SLA.CalendarByCode(ctx, t.SLACalendar)
	if err != nil {
		return err
	}
	open := map[sla.Target]bool{}
	for _, cs := range sla.Evaluate(log, cal, now) {
		open[cs.Target] = cs.Open
	}
	who := actorLabel(actor.From(ctx))
	for _, target := range dispatchClocks {
		if open[target] {
			c.sla = append(c.sla, sla.Event{At: now, Kind: sla.KindStopped, Target: target, Reason: "work_order_cancelled", Actor: who})
		}
	}
	return nil
}
