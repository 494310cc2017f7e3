package repair

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/passport"
)

var faultCodePattern = regexp.MustCompile(`^[A-Z0-9][A-Z0-9.\-]{0,31}$`)

// FailedRepairs counts the failed in-warranty repairs of one fault on a
// unit: every earlier completed in-warranty repair of the same fault failed
// (the fault came back), plus extra (1 when the current repair ends not
// fixed). It is a pure function so the 三包 rule can be table-tested.
func FailedRepairs(earlierSameFault int, extra int) int { return earlierSameFault + extra }

// Entitled reports whether failed repairs reach the policy's N (N = 0: the
// policy grants no replacement entitlement).
func Entitled(failed, replaceAfter int) bool { return replaceAfter > 0 && failed >= replaceAfter }

// replaceAfter returns the N of the policy of the repair's unit. It reads
// the order and asks the product domain outside any transaction (a
// transaction must not wait for a second pooled connection).
func (s *Service) replaceAfter(ctx context.Context, id uint64) (int, error) {
	if s.o.Warranty == nil {
		return s.o.ReplaceAfterRepairs, nil
	}
	o, err := s.load(ctx, s.o.DB, id)
	if err != nil {
		return 0, err
	}
	w, err := s.o.Warranty(ctx, o.UnitID, o.ReceivedAt)
	if err != nil {
		return 0, err
	}
	return w.ReplaceAfterRepairs, nil
}

// evaluateEntitlement counts in SQL the earlier completed in-warranty
// repairs of the same unit and fault and, when the failures reach the
// policy's N, raises (or re-opens) the unit's replacement entitlement in tx.
// It returns the entitlement when it was raised now, nil otherwise.
func (s *Service) evaluateEntitlement(ctx context.Context, tx *gorm.DB, o Order, extra, n int, now time.Time) (*Entitlement, error) {
	if o.FaultCode == "" || n <= 0 {
		return nil, nil
	}
	var earlier int64
	if err := tx.WithContext(ctx).Model(&Order{}).Where("unit_id = ? AND fault_code = ? AND id <> ? AND status = ? AND in_warranty = ?",
		o.UnitID, o.FaultCode, o.ID, StatusCompleted, true).Count(&earlier).Error; err != nil {
		return nil, err
	}
	failed := FailedRepairs(int(earlier), extra)
	if !Entitled(failed, n) {
		return nil, nil
	}
	var e Entitlement
	err := tx.WithContext(ctx).Where("unit_id = ? AND fault_code = ?", o.UnitID, o.FaultCode).Take(&e).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		e = Entitlement{UnitID: o.UnitID, FaultCode: o.FaultCode, FailedRepairs: failed, RepairID: o.ID, Status: EntitlementOpen,
			RaisedAt: now, Version: 1, UpdatedAt: now}
		if err := tx.WithContext(ctx).Create(&e).Error; err != nil {
			return nil, err
		}
		return &e, s.o.Audit.Record(ctx, tx, audit.Entry{Action: "raise", Entity: "replacement_entitlement", EntityID: idStr(e.ID), After: e.Snapshot()})
	case err != nil:
		return nil, err
	case e.Status == EntitlementOpen:
		if failed > e.FailedRepairs {
			before := e.Snapshot()
			e.FailedRepairs, e.RepairID, e.Version, e.UpdatedAt = failed, o.ID, e.Version+1, now
			if err := tx.WithContext(ctx).Model(&Entitlement{}).Where("id = ?", e.ID).Updates(map[string]any{
				"failed_repairs": e.FailedRepairs, "repair_id": e.RepairID, "version": e.Version, "updated_at": now}).Error; err != nil {
				return nil, err
			}
			return nil, s.o.Audit.Record(ctx, tx, audit.Entry{Action: "update", Entity: "replacement_entitlement", EntityID: idStr(e.ID), Before: before, After: e.Snapshot()})
		}
		return nil, nil
	default:
		// Waived before (the customer chose another repair) and failed
		// again: the right stands again.
		before := e.Snapshot()
		e.FailedRepairs, e.RepairID, e.Status, e.RaisedAt, e.ClosedAt, e.Version, e.UpdatedAt = failed, o.ID, EntitlementOpen, now, nil, e.Version+1, now
		if err := tx.WithContext(ctx).Model(&Entitlement{}).Where("id = ?", e.ID).Updates(map[string]any{
			"failed_repairs": e.FailedRepairs, "repair_id": e.RepairID, "status": e.Status, "raised_at": now, "closed_at": nil,
			"version": e.Version, "updated_at": now}).Error; err != nil {
			return nil, err
		}
		return &e, s.o.Audit.Record(ctx, tx, audit.Entry{Action: "reopen", Entity: "replacement_entitlement", EntityID: idStr(e.ID), Before: before, After: e.Snapshot()})
	}
}

// fulfilEntitlements closes a unit's open entitlements when it is replaced.
func (s *Service) fulfilEntitlements(ctx context.Context, tx *gorm.DB, unitID, repairID uint64, now time.Time) error {
	var open []Entitlement
	if err := tx.WithContext(ctx).Where("unit_id = ? AND status = ?", unitID, EntitlementOpen).Find(&open).Error; err != nil {
		return err
	}
	for _, e := range open {
		before := e.Snapshot()
		// The note is a reason code the UI says (labels.reasons), then the repair that replaced the unit.
		e.Status, e.ClosedAt, e.Note, e.Version, e.UpdatedAt = EntitlementFulfilled, &now, "unit_replaced: repair:"+idStr(repairID), e.Version+1, now
		if err := tx.WithContext(ctx).Model(&Entitlement{}).Where("id = ?", e.ID).Updates(map[string]any{
			"status": e.Status, "closed_at": now, "note": e.Note, "version": e.Version, "updated_at": now}).Error; err != nil {
			return err
		}
		if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: "fulfil", Entity: "replacement_entitlement", EntityID: idStr(e.ID), Before: before, After: e.Snapshot()}); err != nil {
			return err
		}
	}
	return nil
}

// CloseEntitlement closes an open entitlement as fulfilled (the unit was
// replaced outside a repair order) or waived (the customer chose another
// remedy), with a note. Errors: validation, not_found, conflict.
func (s *Service) CloseEntitlement(ctx context.Context, id uint64, version int64, status, note string) (Entitlement, error) {
	note = strings.TrimSpace(note)
	fields := apperr.Fields{}
	if status != EntitlementFulfilled && status != EntitlementWaived {
		fields["status"] = apperr.OneOf("fulfilled", "waived")
	}
	if note == "" || utf8.RuneCountInString(note) > 255 {
		fields["note"] = apperr.RequiredMax(255)
	}
	if len(fields) > 0 {
		return Entitlement{}, apperr.FieldsErr(fields)
	}
	var out Entitlement
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var e Entitlement
		if err := db.Take(scopeEntitlements(ctx, tx.Model(&Entitlement{}).Where("id = ?", id)), &e, "replacement entitlement"); err != nil {
			return err
		}
		if version != 0 && version != e.Version {
			return apperr.ErrVersionConflict("replacement entitlement")
		}
		if e.Status != EntitlementOpen {
			return apperr.Conflict("invalid_transition", "the entitlement is "+e.Status).WithDetail("allowed", []string{})
		}
		before := e.Snapshot()
		now := s.o.Now().UTC()
		if err := db.UpdateVersioned(tx, &Entitlement{}, e.ID, e.Version, "replacement entitlement", map[string]any{
			"status": status, "closed_at": now, "note": note, "version": e.Version + 1, "updated_at": now}); err != nil {
			return err
		}
		e.Status, e.ClosedAt, e.Note, e.Version, e.UpdatedAt = status, &now, note, e.Version+1, now
		out = e
		return s.o.Audit.Record(ctx, tx, audit.Entry{Action: "close", Entity: "replacement_entitlement", EntityID: idStr(e.ID), Before: before, After: e.Snapshot()})
	})
	if err != nil {
		return Entitlement{}, wrap(err, "close entitlement")
	}
	return out, nil
}

// EntitlementFilter selects entitlements, newest first.
type EntitlementFilter struct {
	UnitID     uint64
	Status     string
	Page, Size int
}

// Entitlements pages replacement entitlements (outlet users: those raised
// by their outlet's repairs).
func (s *Service) Entitlements(ctx context.Context, f EntitlementFilter) ([]Entitlement, int64, error) {
	q := scopeEntitlements(ctx, s.o.DB.WithContext(ctx).Model(&Entitlement{}))
	if f.UnitID != 0 {
		q = q.Where("unit_id = ?", f.UnitID)
	}
	if f.Status != "" {
		switch f.Status {
		case EntitlementOpen, EntitlementFulfilled, EntitlementWaived:
		default:
			return nil, 0, apperr.FieldErr("status", apperr.OneOf("open", "fulfilled", "waived"))
		}
		q = q.Where("status = ?", f.Status)
	}
	page, size := bound(f.Page, f.Size)
	out, total, err := db.OffsetPage[Entitlement](q, "raised_at DESC, id DESC", page, size)
	if err != nil {
		return nil, 0, apperr.Internal(fmt.Errorf("list entitlements: %w", err))
	}
	return out, total, nil
}

// UnitFlags implements passport.FlagSource: an open replacement
// entitlement shows as replacement_entitled on the passport and the agent's
// screen-pop. One query for any number of units.
func (s *Service) UnitFlags(ctx context.Context, unitIDs []uint64) (map[uint64][]passport.Flag, error) {
	out := map[uint64][]passport.Flag{}
	if len(unitIDs) == 0 {
		return out, nil
	}
	var list []Entitlement
	if err := s.o.DB.WithContext(ctx).Where("unit_id IN ? AND status = ?", unitIDs, EntitlementOpen).Order("id").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("repair flags: %w", err)
	}
	for _, e := range list {
		out[e.UnitID] = append(out[e.UnitID], passport.Flag{Kind: "replacement_entitled",
			TitleCode: "replacement_entitled_open", TitleParams: passport.Params{"fault_code": e.FaultCode, "failed_repairs": e.FailedRepairs},
			Ref: "replacement_entitlement:" + idStr(e.ID)})
	}
	return out, nil
}

var _ passport.FlagSource = (*Service)(nil)
var _ passport.Source = (*Service)(nil)

// bound clamps a list's page and size to this package's bounds.
func bound(page, size int) (int, int) {
	return db.PageBounds(page, size, DefaultPageSize, MaxPageSize)
}
