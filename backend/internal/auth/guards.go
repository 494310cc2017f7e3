package auth

import (
	"context"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/db"
)

// Admin guards (issue 10 item 16): the platform must keep an active admin,
// and a user is bound only to an outlet that exists.

// OutletCheck returns nil when outlet id exists, apperr not_found when it
// does not (the outlet service's Get, wired in app).
type OutletCheck func(ctx context.Context, id uint64) error

// CheckOutletsWith sets how user administration checks an outlet id. It is
// wired once in app, after the outlet service exists. A Service without it
// (a package's own tests) does not check.
func (s *Service) CheckOutletsWith(fn OutletCheck) { s.outletCheck = fn }

// checkOutlet is a 422 on outlet_id for an outlet that does not exist.
func (s *Service) checkOutlet(ctx context.Context, id *uint64) error {
	if id == nil {
		return nil
	}
	if s.outletCheck == nil {
		return nil
	}
	if err := s.outletCheck(ctx, *id); err != nil {
		if apperr.IsKind(err, apperr.KindNotFound) {
			return apperr.FieldErr("outlet_id", apperr.NoSuch("outlet").With("id", *id))
		}
		return err
	}
	return nil
}

func isActiveAdmin(u User, now time.Time) bool {
	return u.Active(now) && slices.Contains(u.RoleList(), RoleAdmin)
}

// keepAnAdmin refuses (409 last_admin) a change that would leave no active
// admin: before is the user as stored, after as it would become. The
// admins' rows are locked (MariaDB) so two admins disabling each other at
// once cannot both succeed; SQLite serialises writers anyway.
func keepAnAdmin(tx *gorm.DB, before, after User, now time.Time) error {
	if !isActiveAdmin(before, now) || isActiveAdmin(after, now) {
		return nil
	}
	q := db.ForUpdate(tx)
	var admins []User
	if err := q.Where("disabled = ? AND roles LIKE ? AND id <> ?", false, "%"+RoleAdmin+"%", before.ID).Order("id").Find(&admins).Error; err != nil {
		return err
	}
	for _, a := range admins {
		if isActiveAdmin(a, now) {
			return nil
		}
	}
	return apperr.Conflict("last_admin", "this is the last active admin: make another user admin first")
}
