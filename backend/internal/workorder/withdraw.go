package workorder

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/ticket"
)

// unstartedStatuses are the statuses of work nobody has started on site:
// a finished ticket withdraws them.
var unstartedStatuses = []string{StatusOffered, StatusUnassigned, StatusAccepted, StatusAssigned, StatusScheduled}

var _ ticket.OpenWork = (*Service)(nil)

// WithdrawOpenWork implements ticket.OpenWork: inside the ticket's
// transaction tx it closes the pending offer of every unstarted work order
// of ticketID as withdrawn and cancels the order with reason (audited one by
// one). Work already on site or completed is left alone: it is real work
// that happened. The events (workorder.withdrawn for an offer, then
// workorder.cancelled) go to the hotline and to each outlet's board topic.
func (s *Service) WithdrawOpenWork(ctx context.Context, tx *gorm.DB, ticketID uint64, reason string) (ticket.Withdrawn, error) {
	var out ticket.Withdrawn
	q := db.ForUpdate(tx.WithContext(ctx).Where("ticket_id = ? AND status IN ?", ticketID, unstartedStatuses).Order("id"))
	var ws []WorkOrder
	if err := q.Find(&ws).Error; err != nil {
		return out, fmt.Errorf("open work of ticket %d: %w", ticketID, err)
	}
	now := s.now()
	reason = clip(reason, 1000)
	for i := range ws {
		w := &ws[i]
		before, old, prev := w.Snapshot(), w.Version, *w
		if w.Status == StatusOffered {
			if _, err := s.respond(ctx, tx, w, ResponseWithdrawn, reason, now); err != nil {
				return out, err
			}
			out.Events = append(out.Events, s.events(event.WorkOrderWithdrawn, prev, event.WorkOrder{Reason: reason})...)
		}
		w.Status, w.CancelledAt, w.CancelReason, w.OfferExpiresAt = StatusCancelled, &now, reason, nil
		if err := s.save(ctx, tx, w, old); err != nil {
			return out, err
		}
		if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: "cancel", Entity: "work_order", EntityID: idStr(w.ID), Before: before, After: w.Snapshot()}); err != nil {
			return out, err
		}
		out.Notes = append(out.Notes, ticket.Line{Code: "work_order_cancelled", Params: map[string]any{"number": w.Number, "reason": reason}})
		out.Events = append(out.Events, s.events(event.WorkOrderCancelled, *w, event.WorkOrder{Reason: reason})...)
	}
	return out, nil
}

// LatestOfTicket returns the ticket's most recent work order that was not
// cancelled (the completed one first), unscoped: it serves other domains'
// facts (a survey invitation names the visit's technician). found=false
// when the ticket had no field work.
func (s *Service) LatestOfTicket(ctx context.Context, ticketID uint64) (WorkOrder, bool, error) {
	var ws []WorkOrder
	if err := s.o.DB.WithContext(ctx).Where("ticket_id = ? AND status <> ?", ticketID, StatusCancelled).
		Order("CASE WHEN completed_at IS NULL THEN 1 ELSE 0 END, completed_at DESC, id DESC").Limit(1).Find(&ws).Error; err != nil {
		return WorkOrder{}, false, fmt.Errorf("latest work order of ticket %d: %w", ticketID, err)
	}
	if len(ws) == 0 {
		return WorkOrder{}, false, nil
	}
	return ws[0], true, nil
}
