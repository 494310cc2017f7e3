package workorder

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/auth"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/sla"
	"github.com/aftersales/aftersales/backend/internal/ticket"
)

// Accept records that the current outlet takes the work: the ticket's
// outlet_accept clock is met, its customer_contact clock starts with the
// kind's time, and the ticket moves to in_progress. An offer accepted after
// its expiry but before the timeout job moved it still counts (late).
// Errors: not_found, forbidden (technicians), conflict invalid_transition,
// version_conflict.
func (s *Service) Accept(ctx context.Context, id uint64, version int64) (WorkOrder, error) {
	return s.run(ctx, id, stepper{step: StepAccept, roles: []string{auth.RoleOutletManager}, version: version,
		apply: func(tx *gorm.DB, w *WorkOrder, _ any, now time.Time, st *ticket.WorkOrderStep) ([]event.Event, error) {
			kp, err := s.kindPolicy(ctx, tx, w.Kind)
			if err != nil {
				return nil, err
			}
			secs, err := s.respond(ctx, tx, w, ResponseAccepted, "", now)
			if err != nil {
				return nil, err
			}
			t, err := s.o.Tickets.Get(actor.With(ctx, actor.System("dispatch")), w.TicketID)
			if err != nil {
				return nil, err
			}
			if !t.Open() || t.MergedIntoID != nil {
				// Finishing a ticket withdraws its offers; this guards the
				// rows written before that rule existed.
				return nil, apperr.Conflict("ticket_not_open", "the ticket is "+t.Status+": its work is no longer needed").WithDetail("status", t.Status)
			}
			cal, err := s.o.Tickets.Calendar(ctx, t)
			if err != nil {
				return nil, err
			}
			w.Status, w.AcceptedAt, w.OfferExpiresAt = StatusAccepted, &now, nil
			if kp.ContactMinutes > 0 {
				w.ContactDueAt = addWorking(cal, now, minutes(kp.ContactMinutes))
			}
			st.Met = []sla.Target{sla.TargetOutletAccept}
			st.Start = []ticket.ClockStart{{Target: sla.TargetCustomerContact, Duration: minutes(kp.ContactMinutes), Reason: "new_work_order"}}
			st.Status = ticket.StatusInProgress
			st.Line = ticket.Line{Code: "offer_accepted", Params: map[string]any{"outlet": s.outletLabel(ctx, deref(w.OutletID)), "number": w.Number,
				"took": (time.Duration(secs) * time.Second).String()}}
			return s.events(event.WorkOrderAccepted, *w, event.WorkOrder{ResponseSeconds: secs}), nil
		}})
}

// respond closes the current offer with a response and returns how long
// the outlet took, in seconds.
func (s *Service) respond(ctx context.Context, tx *gorm.DB, w *WorkOrder, response, reason string, now time.Time) (int64, error) {
	if w.OfferID == nil {
		return 0, nil
	}
	var o Offer
	if err := tx.WithContext(ctx).Where("id = ?", *w.OfferID).Take(&o).Error; err != nil {
		return 0, fmt.Errorf("current offer: %w", err)
	}
	secs := int64(now.Sub(o.OfferedAt) / time.Second)
	a := actor.From(ctx)
	if err := tx.WithContext(ctx).Model(&Offer{}).Where("id = ?", o.ID).Updates(map[string]any{
		"response": response, "responded_at": now, "response_seconds": secs, "reason": reason, "responded_by": clip(a.Username, 64)}).Error; err != nil {
		return 0, fmt.Errorf("close offer: %w", err)
	}
	return secs, nil
}

// Reject records the outlet's refusal with a reason and re-offers the work
// to the next candidate that has not declined it (or leaves it
// unassigned). The ticket's outlet_accept clock restarts for the new offer.
// Errors: not_found, forbidden, validation (reason), conflict.
func (s *Service) Reject(ctx context.Context, id uint64, reason string, version int64) (WorkOrder, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 1000 {
		return WorkOrder{}, apperr.FieldErr("reason", apperr.RequiredMax(1000))
	}
	return s.reoffer(ctx, id, version, StepReject, ResponseRejected, reason, nil, []string{auth.RoleOutletManager})
}

// Redispatch withdraws a pending offer (or takes an unassigned work order)
// and offers the work to outletID, or to the next candidate that has not
// been offered it yet. Errors: not_found, validation, conflict.
func (s *Service) Redispatch(ctx context.Context, id uint64, outletID *uint64, version int64) (WorkOrder, error) {
	if outletID != nil && *outletID == 0 {
		outletID = nil
	}
	return s.reoffer(ctx, id, version, StepRedispatch, ResponseWithdrawn, "redispatched", outletID, []string{auth.RoleHotlineAgent})
}

type reofferPrep struct {
	ch  *choice
	why string
}

// reoffer ends the current offer with response and offers the work again.
func (s *Service) reoffer(ctx context.Context, id uint64, version int64, step, response, reason string, pick *uint64, roles []string) (WorkOrder, error) {
	return s.run(ctx, id, stepper{step: step, roles: roles, version: version,
		prepare: func(w WorkOrder) (any, error) {
			var exclude []uint64
			if err := s.o.DB.WithContext(ctx).Model(&Offer{}).Where("work_order_id = ?", w.ID).Distinct().Pluck("outlet_id", &exclude).Error; err != nil {
				return nil, apperr.Internal(err)
			}
			if pick != nil {
				exclude = nil
			}
			ch, why, err := s.choose(ctx, w, pick, "", exclude)
			if err != nil {
				return nil, err
			}
			return reofferPrep{ch: ch, why: why}, nil
		},
		apply: func(tx *gorm.DB, w *WorkOrder, prep any, now time.Time, st *ticket.WorkOrderStep) ([]event.Event, error) {
			p := prep.(reofferPrep)
			kp, err := s.kindPolicy(ctx, tx, w.Kind)
			if err != nil {
				return nil, err
			}
			t, err := s.o.Tickets.Get(actor.With(ctx, actor.System("dispatch")), w.TicketID)
			if err != nil {
				return nil, err
			}
			cal, err := s.o.Tickets.Calendar(ctx, t)
			if err != nil {
				return nil, err
			}
			prev := *w
			if w.Status == StatusOffered {
				if _, err := s.respond(ctx, tx, w, response, reason, now); err != nil {
					return nil, err
				}
			}
			var events []event.Event
			switch response {
			case ResponseRejected:
				events = append(events, s.events(event.WorkOrderRejected, prev, event.WorkOrder{Reason: reason})...)
			case ResponseTimeout:
				events = append(events, s.events(event.WorkOrderTimedOut, prev, event.WorkOrder{})...)
			default:
				if prev.Status == StatusOffered {
					events = append(events, s.events(event.WorkOrderWithdrawn, prev, event.WorkOrder{})...)
				}
			}
			st.Kind = ticket.EventDispatch
			prevLabel := s.outletLabel(ctx, deref(prev.OutletID))
			head := map[string]part{ResponseRejected: newPart("rejected_by", map[string]any{"outlet": prevLabel, "reason": reason}),
				ResponseTimeout:   newPart("timed_out", map[string]any{"outlet": prevLabel}),
				ResponseWithdrawn: newPart("withdrawn_by_agent", nil)}[response]
			if prev.Status == StatusUnassigned {
				head = newPart("dispatched_again", nil)
			}
			st.Data["response"], st.Data["previous_outlet_id"] = response, prev.OutletID
			if p.ch == nil {
				w.Status, w.OutletID, w.OfferID, w.OfferExpiresAt = StatusUnassigned, nil, nil, nil
				st.SetOutlet, st.OutletID = true, nil
				st.Line = ticket.Line{Code: "reoffered_to_nobody", Params: map[string]any{"head": head, "number": w.Number, "no_outlet_reason": p.why}}
				st.Data["unassigned_reason"] = p.why
				events = append(events, s.events(event.WorkOrderUnassigned, *w, event.WorkOrder{Reason: p.why})...)
				return events, nil
			}
			st.Start = []ticket.ClockStart{{Target: sla.TargetOutletAccept, Duration: minutes(kp.AcceptMinutes), Reason: "redispatched"}}
			if err := s.offer(ctx, tx, w, p.ch, kp, cal, now, st); err != nil {
				return nil, err
			}
			st.Line = ticket.Line{Code: "reoffered", Params: map[string]any{"head": head, "number": w.Number, "outlet": p.ch.label(), "how": p.ch.how}}
			events = append(events, s.events(event.WorkOrderOffered, *w, event.WorkOrder{ExpiresAt: w.OfferExpiresAt, Attempt: w.Attempts})...)
			return events, nil
		}})
}

// ExpireOffers is the scheduled job for dispatch timeouts: every offer not
// answered within the accept timeout is closed as timed out and the work is
// re-offered to the next candidate (or left unassigned). A work order that
// changed meanwhile (accepted at the last second) is skipped. It returns
// how many offers it expired.
func (s *Service) ExpireOffers(ctx context.Context) (int, error) {
	return s.ExpireOffersAsOf(ctx, s.now())
}

// ExpireOffersAsOf is ExpireOffers deciding expiry as of asOf (a catch-up
// run, or a test standing in for the clock); the re-offers are made now.
func (s *Service) ExpireOffersAsOf(ctx context.Context, asOf time.Time) (int, error) {
	ctx = actor.With(ctx, actor.System("dispatch_timeouts"))
	n := 0
	for pass := 0; pass < 20; pass++ {
		var due []WorkOrder
		if err := s.o.DB.WithContext(ctx).Where("status = ? AND offer_expires_at <= ?", StatusOffered, asOf.UTC().Truncate(time.Millisecond)).
			Order("offer_expires_at, id").Limit(100).Find(&due).Error; err != nil {
			return n, fmt.Errorf("dispatch timeouts: %w", err)
		}
		progress := 0
		for _, w := range due {
			_, err := s.reoffer(ctx, w.ID, w.Version, StepReject, ResponseTimeout, "offer_timed_out", nil, nil)
			switch {
			case err == nil:
				n++
				progress++
			case apperr.IsKind(err, apperr.KindConflict):
				// Accepted or rejected meanwhile: nothing to expire.
			default:
				s.o.Log.Error("dispatch timeout", "work_order", w.ID, "err", err)
			}
		}
		if len(due) < 100 || progress == 0 {
			break
		}
	}
	return n, nil
}
