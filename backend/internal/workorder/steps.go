package workorder

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/auth"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/ticket"
)

// save writes w under optimistic concurrency (oldVersion 0: insert just
// made, version 1 stays).
func (s *Service) save(ctx context.Context, tx *gorm.DB, w *WorkOrder, oldVersion int64) error {
	now := s.now()
	if oldVersion == 0 {
		oldVersion = w.Version
		w.Version--
	}
	w.Version, w.UpdatedAt = w.Version+1, now
	return db.UpdateVersioned(tx.WithContext(ctx).Select("*").Omit("id", "number", "created_at", "created_by", "ticket_id"),
		&WorkOrder{}, w.ID, oldVersion, "work order", w)
}

// stepper is one state change of a work order, run by run.
type stepper struct {
	step    string
	roles   []string // roles that may take the step (besides admin); nil: any with the route's permission
	version int64
	// prepare runs before the transaction (candidate search) and may
	// return a value passed to apply.
	prepare func(w WorkOrder) (any, error)
	apply   func(tx *gorm.DB, w *WorkOrder, prep any, now time.Time, st *ticket.WorkOrderStep) ([]event.Event, error)
}

// run loads the work order (scoped), checks the step is allowed and the
// caller's role, runs prepare, then in one transaction re-reads it locked,
// checks nothing moved, applies the step, saves it, records it on the
// ticket and in the audit trail. Events are published after commit.
func (s *Service) run(ctx context.Context, id uint64, sp stepper) (WorkOrder, error) {
	w, err := s.Get(ctx, id)
	if err != nil {
		return WorkOrder{}, err
	}
	if sp.version != 0 && sp.version != w.Version {
		return WorkOrder{}, apperr.ErrVersionConflict("work order")
	}
	if err := s.allowed(ctx, w, sp); err != nil {
		return WorkOrder{}, err
	}
	var prep any
	if sp.prepare != nil {
		if prep, err = sp.prepare(w); err != nil {
			return WorkOrder{}, err
		}
	}
	loaded := w.Version
	var out WorkOrder
	var pub []event.Event
	err = db.Retry(ctx, func() error {
		pub = nil
		return s.o.Tickets.WriteGate().Transaction(ctx, s.o.DB, func(tx *gorm.DB) error {
			cur, err := s.load(ctx, tx, id, true)
			if err != nil {
				return err
			}
			if cur.Version != loaded {
				return apperr.ErrVersionConflict("work order")
			}
			if err := s.allowed(ctx, cur, sp); err != nil {
				return err
			}
			before := cur.Snapshot()
			now := s.now()
			st := ticket.WorkOrderStep{Action: "work_order_" + sp.step, Kind: ticket.EventWorkOrder,
				Data: map[string]any{"work_order_id": cur.ID, "number": cur.Number, "step": sp.step}}
			events, err := sp.apply(tx, &cur, prep, now, &st)
			if err != nil {
				return err
			}
			if err := s.save(ctx, tx, &cur, loaded); err != nil {
				return err
			}
			if st.Line.Code != "" {
				_, tpub, err := s.o.Tickets.ApplyWorkOrderStep(ctx, tx, cur.TicketID, st)
				if err != nil {
					return err
				}
				pub = append(pub, tpub...)
			}
			pub = append(pub, events...)
			out = cur
			if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: sp.step, Entity: "work_order", EntityID: idStr(cur.ID), Before: before, After: cur.Snapshot()}); err != nil {
				return err
			}
			return s.o.Bus.Enqueue(tx, pub...)
		})
	})
	if err != nil {
		return WorkOrder{}, wrap(err, sp.step+" work order")
	}
	return out, nil
}

// allowed checks the status machine and the caller's role for a step.
func (s *Service) allowed(ctx context.Context, w WorkOrder, sp stepper) error {
	if why := refusal(w, sp.step); why != "" {
		msg := why
		if why == "status" {
			msg = fmt.Sprintf("a %s work order cannot %s", w.Status, strings.ReplaceAll(sp.step, "_", "-"))
		}
		return apperr.Conflict("invalid_transition", msg).WithDetail("allowed", w.AllowedSteps()).WithDetail("status", w.Status)
	}
	if sp.roles == nil {
		return nil
	}
	a := actor.From(ctx)
	if a.UserID == 0 || a.HasRole(auth.RoleAdmin) {
		return nil // the system (jobs) or an administrator
	}
	for _, r := range sp.roles {
		if a.HasRole(r) {
			return s.ownWork(ctx, a, w)
		}
	}
	return apperr.Forbidden("this step is taken by " + strings.Join(sp.roles, " or "))
}

// ownWork refuses a technician a step on a work order not assigned to them
// (the outlet manager takes steps on all of the outlet's orders).
func (s *Service) ownWork(ctx context.Context, a actor.Actor, w WorkOrder) error {
	if !a.OwnWorkOnly() {
		return nil
	}
	notYours := &apperr.Error{Kind: apperr.KindForbidden, Code: "not_assigned_to_you",
		Message: "this work order is assigned to another technician; ask the outlet manager"}
	if w.TechnicianStaffID == nil || s.o.Staff == nil {
		return notYours
	}
	me, err := s.o.Staff.StaffOfUser(ctx, a.UserID)
	if apperr.IsKind(err, apperr.KindNotFound) {
		return notYours
	}
	if err != nil {
		return err
	}
	if me.ID != *w.TechnicianStaffID {
		return notYours
	}
	return nil
}
