package workorder

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
)

// closedStatuses end a work order; the outlet keeps the customer's contact
// for a while after (privacy.outlet_contact_days).
var closedStatuses = []string{StatusCompleted, StatusSignedOff, StatusCancelled}

// ContactGround says whether the acting outlet user may see the contact of
// the work order's customer: the order is their outlet's, it was accepted,
// and it is open or closed less than within ago; a technician sees it only
// on an order assigned to them. Callers not scoped to an outlet are not
// judged here (they see customers by their permissions) and get false.
func (s *Service) ContactGround(ctx context.Context, w WorkOrder, within time.Duration) (bool, error) {
	a := actor.From(ctx)
	own, scoped := a.OutletScoped()
	if !scoped || w.OutletID == nil || *w.OutletID != own {
		return false, nil
	}
	switch w.Status {
	case StatusAccepted, StatusAssigned, StatusScheduled, StatusOnSite:
	case StatusCompleted, StatusSignedOff, StatusCancelled:
		closed := ClosedAt(w)
		if closed == nil || !closed.After(s.now().Add(-within)) {
			return false, nil
		}
	default: // offered (not yet taken) or unassigned
		return false, nil
	}
	if a.OwnWorkOnly() {
		me, err := s.ownStaffID(ctx, a)
		if err != nil || me == 0 {
			return false, err
		}
		return w.TechnicianStaffID != nil && *w.TechnicianStaffID == me, nil
	}
	return true, nil
}

// ContactJob returns a work order through which the acting outlet user may
// see customerID's contact (see ContactGround), the most recent first.
// found is false when there is none.
func (s *Service) ContactJob(ctx context.Context, customerID uint64, within time.Duration) (WorkOrder, bool, error) {
	a := actor.From(ctx)
	own, scoped := a.OutletScoped()
	if !scoped || customerID == 0 {
		return WorkOrder{}, false, nil
	}
	since := s.now().Add(-within)
	q := s.o.DB.WithContext(ctx).Where("outlet_id = ? AND customer_id = ?", own, customerID).
		Where("(status IN ? OR (status IN ? AND COALESCE(signed_off_at, completed_at, cancelled_at) > ?))",
			[]string{StatusAccepted, StatusAssigned, StatusScheduled, StatusOnSite}, closedStatuses, since)
	if a.OwnWorkOnly() {
		me, err := s.ownStaffID(ctx, a)
		if err != nil || me == 0 {
			return WorkOrder{}, false, err
		}
		q = q.Where("technician_staff_id = ?", me)
	}
	var w WorkOrder
	if err := q.Order("id DESC").Take(&w).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return WorkOrder{}, false, nil
		}
		return WorkOrder{}, false, apperr.Internal(fmt.Errorf("contact job: %w", err))
	}
	return w, true, nil
}

// ownStaffID is the staff record linked to the actor's login (0: none).
func (s *Service) ownStaffID(ctx context.Context, a actor.Actor) (uint64, error) {
	if s.o.Staff == nil {
		return 0, nil
	}
	me, err := s.o.Staff.StaffOfUser(ctx, a.UserID)
	if apperr.IsKind(err, apperr.KindNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return me.ID, nil
}

// ClosedAt is when a closed work order closed (signed off, else completed,
// else cancelled); nil while open.
func ClosedAt(w WorkOrder) *time.Time {
	switch {
	case w.SignedOffAt != nil:
		return w.SignedOffAt
	case w.CompletedAt != nil:
		return w.CompletedAt
	}
	return w.CancelledAt
}
