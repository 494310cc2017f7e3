package repair

import (
	"context"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
)

// StaffMember is what a repair needs of a staff member: where they work.
type StaffMember struct {
	ID       uint64
	OutletID uint64 // 0: head office
	Active   bool
}

// StaffLookup returns a staff member by id (an apperr not_found when there
// is none). The outlet service provides it.
type StaffLookup func(ctx context.Context, id uint64) (StaffMember, error)

// UserStaffLookup returns the staff member linked to a login (an apperr
// not_found when the login is linked to none).
type UserStaffLookup func(ctx context.Context, userID uint64) (StaffMember, error)

// checkTechnician refuses a technician who is not active staff of the
// repair's outlet.
func (s *Service) checkTechnician(ctx context.Context, staffID *uint64, outletID uint64) error {
	if staffID == nil || s.o.Staff == nil {
		return nil
	}
	m, err := s.o.Staff(ctx, *staffID)
	if apperr.IsKind(err, apperr.KindNotFound) {
		return apperr.FieldErr("technician_id", apperr.NoSuch("staff_member"))
	}
	if err != nil {
		return err
	}
	if m.OutletID != outletID {
		return apperr.FieldErr("technician_id", apperr.Code("not_outlet_staff", "not staff of the repair's outlet"))
	}
	if !m.Active {
		return apperr.FieldErr("technician_id", apperr.Code("staff_inactive", "the staff member is inactive"))
	}
	return nil
}

// ownStaff returns the staff id linked to the acting technician's login
// (nil when it is linked to none or when the actor is not a technician).
func (s *Service) ownStaff(ctx context.Context) (*uint64, error) {
	a := actor.From(ctx)
	if !a.OwnWorkOnly() || s.o.UserStaff == nil {
		return nil, nil
	}
	m, err := s.o.UserStaff(ctx, a.UserID)
	if apperr.IsKind(err, apperr.KindNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &m.ID, nil
}

// ownWork refuses a technician a step on a repair assigned to another
// technician; a repair without an assigned technician (a counter job) is
// the outlet's, and the outlet manager acts on all of the outlet's repairs.
func (s *Service) ownWork(ctx context.Context, o Order) error {
	if !actor.From(ctx).OwnWorkOnly() || o.TechnicianID == nil {
		return nil
	}
	me, err := s.ownStaff(ctx)
	if err != nil {
		return err
	}
	if me == nil || *me != *o.TechnicianID {
		return &apperr.Error{Kind: apperr.KindForbidden, Code: "not_assigned_to_you",
			Message: "this repair is assigned to another technician; ask the outlet manager"}
	}
	return nil
}

// scopeEntitlements limits an outlet user to the entitlements raised by
// their outlet's repairs (the same scope as repairs).
func scopeEntitlements(ctx context.Context, q *gorm.DB) *gorm.DB {
	if own, ok := actor.From(ctx).OutletScoped(); ok {
		return q.Where("repair_id IN (?)", q.Session(&gorm.Session{NewDB: true}).Model(&Order{}).Select("id").Where("outlet_id = ?", own))
	}
	return q
}
