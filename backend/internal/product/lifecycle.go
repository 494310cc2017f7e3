package product

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/event"
)

// lockUnit reads a unit for update inside tx.
func lockUnit(ctx context.Context, tx *gorm.DB, id uint64) (Unit, error) {
	q := db.ForUpdate(tx.WithContext(ctx))
	var u Unit
	if err := db.Take(q.Where("id = ?", id), &u, "unit"); err != nil {
		return Unit{}, fmt.Errorf("lock unit %d: %w", id, err)
	}
	return u, nil
}

func (s *Service) saveUnit(ctx context.Context, tx *gorm.DB, u *Unit, before map[string]any, action string) error {
	now := s.o.Now().UTC()
	if err := db.UpdateVersioned(tx.WithContext(ctx), &Unit{}, u.ID, u.Version, "unit", map[string]any{
		"status": u.Status, "warranty_ended_on": u.WarrantyEndedOn, "replaced_by_unit_id": u.ReplacedByUnitID,
		"version": u.Version + 1, "updated_at": now}); err != nil {
		return err
	}
	u.Version, u.UpdatedAt = u.Version+1, now
	return s.o.Audit.Record(ctx, tx, audit.Entry{Action: action, Entity: "unit", EntityID: idStr(u.ID), Before: before, After: u.snapshot()})
}

// MarkReturned records inside the caller's transaction that a unit came
// back under a 三包 return: its status becomes returned and its warranty ends
// on the day on (a calendar date); its history stays. The returns domain
// calls it when a return completes. Errors: not_found, conflict
// unit_not_active (already returned or exchanged).
func (s *Service) MarkReturned(ctx context.Context, tx *gorm.DB, unitID uint64, on time.Time) (Unit, error) {
	u, err := lockUnit(ctx, tx, unitID)
	if err != nil {
		return Unit{}, err
	}
	if u.Status != UnitActive && u.Status != "" {
		return Unit{}, apperr.Conflict("unit_not_active", "the unit is already "+u.Status).WithDetail("status", u.Status)
	}
	before := u.snapshot()
	day := DateOf(on)
	u.Status, u.WarrantyEndedOn = UnitReturned, &day
	if err := s.saveUnit(ctx, tx, &u, before, "returned"); err != nil {
		return Unit{}, err
	}
	return u, nil
}

// Exchange records inside the caller's transaction a 三包 exchange of unitID
// for the unit with replacementSerial on the day on: the replacement is
// registered for the same owner and model (purchase date and proof carried
// over), the two are linked both ways, the exchanged-out unit is marked
// exchanged with its warranty ended on that day, and — when restart is set
// (returns.exchange_restarts_warranty) — the replacement's 三包 periods
// start on the exchange date. Both passports show the exchange. Errors:
// validation (serial), not_found, conflict unit_not_active, duplicate_serial.
func (s *Service) Exchange(ctx context.Context, tx *gorm.DB, unitID uint64, replacementSerial string, on time.Time, restart bool, proof string) (Unit, error) {
	serial, ok := NormalizeSerial(replacementSerial)
	if !ok {
		return Unit{}, apperr.FieldErr("replacement_serial", apperr.Identifier(4, 64))
	}
	old, err := lockUnit(ctx, tx, unitID)
	if err != nil {
		return Unit{}, err
	}
	if old.Status != UnitActive && old.Status != "" {
		return Unit{}, apperr.Conflict("unit_not_active", "the unit is already "+old.Status).WithDetail("status", old.Status)
	}
	if serial == old.Serial {
		return Unit{}, apperr.FieldErr("replacement_serial", apperr.Code("same_serial", "must differ from the exchanged unit's serial"))
	}
	if err := refuseSerial(tx.WithContext(ctx), serial); err != nil {
		return Unit{}, err
	}
	now := s.o.Now().UTC()
	day := DateOf(on)
	n := Unit{Serial: serial, ModelID: old.ModelID, CustomerID: old.CustomerID, PurchaseDate: old.PurchaseDate, PurchaseProof: proof,
		Status: UnitActive, ReplacesUnitID: &old.ID, Version: 1, CreatedAt: now, UpdatedAt: now}
	if restart {
		n.WarrantyStart = &day
	}
	if err := tx.WithContext(ctx).Create(&n).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return Unit{}, apperr.Conflict("duplicate_serial", "a unit with this serial number is already registered").WithDetail("field", "replacement_serial")
		}
		return Unit{}, fmt.Errorf("register replacement: %w", err)
	}
	if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: "create", Entity: "unit", EntityID: idStr(n.ID), After: n.snapshot()}); err != nil {
		return Unit{}, err
	}
	before := old.snapshot()
	old.Status, old.WarrantyEndedOn, old.ReplacedByUnitID = UnitExchanged, &day, &n.ID
	if err := s.saveUnit(ctx, tx, &old, before, "exchanged"); err != nil {
		return Unit{}, err
	}
	return n, nil
}

// PublishUnitChange announces a return or an exchange after the caller's
// commit (unit.returned, or unit.exchanged with the replacement). Not yet
// recorded in the return's transaction: the caller is the returns flow
// (app.unitLifecycle.Published), converted with package returns.
func (s *Service) PublishUnitChange(ctx context.Context, old Unit, replacement *Unit) {
	p := event.Unit{UnitID: old.ID, Serial: old.Serial, CustomerID: old.CustomerID}
	if replacement == nil {
		s.o.Bus.Publish(ctx, event.UnitReturned.New(Topic, p))
		return
	}
	p.ReplacementUnitID, p.ReplacementSerial = replacement.ID, replacement.Serial
	s.o.Bus.Publish(ctx, event.UnitExchanged.New(Topic, p))
}
