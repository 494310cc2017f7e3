package workorder

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/auth"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/sla"
	"github.com/aftersales/aftersales/backend/internal/ticket"
)

// Complete records the result of the work. done and no_fault_found resolve
// the ticket (its resolution clock is met) unless other work for it is
// still open; parts_required puts the ticket to waiting_parts (clocks
// paused). Errors: not_found, validation, conflict.
func (s *Service) Complete(ctx context.Context, id uint64, result, notes string, version int64) (WorkOrder, error) {
	notes = strings.TrimSpace(notes)
	fields := apperr.Fields{}
	if !slices.Contains(Results(), result) {
		fields["result"] = apperr.OneOf(Results()...)
	}
	if utf8.RuneCountInString(notes) > 4000 {
		fields["notes"] = apperr.TooLong(4000)
	}
	if len(fields) > 0 {
		return WorkOrder{}, apperr.FieldsErr(fields)
	}
	return s.run(ctx, id, stepper{step: StepComplete, roles: []string{auth.RoleOutletManager, auth.RoleTechnician}, version: version,
		apply: func(tx *gorm.DB, w *WorkOrder, _ any, now time.Time, st *ticket.WorkOrderStep) ([]event.Event, error) {
			if s.o.Repairs != nil {
				r, found, err := s.o.Repairs.RepairOfWorkOrder(ctx, tx, w.ID)
				if err != nil {
					return nil, err
				}
				if found && !ResultAgrees(result, r.Outcome) {
					return nil, apperr.Conflict("result_disagrees_with_repair",
						fmt.Sprintf("the repair %s is %s: the work order cannot be completed as %s", r.Number, r.Outcome, result)).
						WithDetail("repair_id", r.ID).WithDetail("repair_outcome", r.Outcome).WithDetail("allowed_results", ResultsAgreeing(r.Outcome))
				}
			}
			repeat := now.Add(FirstTimeFixWindow)
			w.CompletedAt, w.Result, w.ResultNotes, w.RepeatUntil, w.Status = &now, result, notes, &repeat, StatusCompleted
			switch result {
			case ResultDone, ResultNoFault:
				var open int64
				if err := tx.WithContext(ctx).Model(&WorkOrder{}).Where("ticket_id = ? AND id <> ? AND status IN ?", w.TicketID, w.ID,
					append([]string{StatusOffered, StatusUnassigned}, activeStatuses...)).Count(&open).Error; err != nil {
					return nil, err
				}
				if open == 0 {
					st.Status = ticket.StatusResolved
				}
			case ResultPartsRequired:
				st.Status = ticket.StatusWaitingParts
			}
			st.Line = ticket.Line{Code: "work_order_completed", Params: map[string]any{"number": w.Number, "work_order_result": result}}
			if notes != "" {
				st.Line.Params["note"] = notes
			}
			st.Data["result"] = result
			evs := s.events(event.WorkOrderCompleted, *w, event.WorkOrder{Result: result})
			if w.Kind == KindRecallRemedy && result == ResultDone && s.o.Recalls != nil && w.OutletID != nil {
				// The remedy is recorded on the campaign in this transaction:
				// a campaign that refuses it (closed, already remedied)
				// refuses the completion with its 409.
				// The note is a reason code the UI says (labels.reasons), then the work order.
				rev, _, err := s.o.Recalls.RemedyForWorkOrder(ctx, tx, w.ID, *w.OutletID, "remedied_by_work_order: "+w.Number)
				if err != nil {
					return nil, err
				}
				evs = append(evs, rev...)
			}
			return evs, nil
		}})
}

// SignOff records the customer's sign-off of completed work. Errors:
// not_found, validation, conflict.
func (s *Service) SignOff(ctx context.Context, id uint64, signedBy string, version int64) (WorkOrder, error) {
	signedBy = strings.TrimSpace(signedBy)
	if utf8.RuneCountInString(signedBy) > 64 {
		return WorkOrder{}, apperr.FieldErr("signed_by", apperr.TooLong(64))
	}
	return s.run(ctx, id, stepper{step: StepSignOff, roles: []string{auth.RoleOutletManager, auth.RoleTechnician}, version: version,
		apply: func(tx *gorm.DB, w *WorkOrder, _ any, now time.Time, st *ticket.WorkOrderStep) ([]event.Event, error) {
			w.SignedOffAt, w.SignedBy, w.Status = &now, signedBy, StatusSignedOff
			st.Line = ticket.Line{Code: "signed_off", Params: map[string]any{"number": w.Number}}
			if signedBy != "" {
				st.Line = ticket.Line{Code: "signed_off_by", Params: map[string]any{"number": w.Number, "signed_by": signedBy}}
			}
			return s.events(event.WorkOrderSignedOff, *w, event.WorkOrder{}), nil
		}})
}

// Cancel withdraws work that is not yet done; the ticket's open dispatch
// clocks stop. Errors: not_found, validation, conflict.
func (s *Service) Cancel(ctx context.Context, id uint64, reason string, version int64) (WorkOrder, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 1000 {
		return WorkOrder{}, apperr.FieldErr("reason", apperr.RequiredMax(1000))
	}
	return s.run(ctx, id, stepper{step: StepCancel, roles: []string{auth.RoleHotlineAgent}, version: version,
		apply: func(tx *gorm.DB, w *WorkOrder, _ any, now time.Time, st *ticket.WorkOrderStep) ([]event.Event, error) {
			if w.Status == StatusOffered {
				if _, err := s.respond(ctx, tx, w, ResponseWithdrawn, reason, now); err != nil {
					return nil, err
				}
			}
			w.Status, w.CancelledAt, w.CancelReason, w.OfferExpiresAt = StatusCancelled, &now, reason, nil
			st.SetOutlet, st.OutletID = true, nil
			st.Stop = []sla.Target{sla.TargetOutletAccept, sla.TargetCustomerContact, sla.TargetOnsiteArrival}
			st.StopReason = "work_order_cancelled"
			st.Line = ticket.Line{Code: "work_order_cancelled", Params: map[string]any{"number": w.Number, "reason": reason}}
			return s.events(event.WorkOrderCancelled, *w, event.WorkOrder{Reason: reason}), nil
		}})
}
