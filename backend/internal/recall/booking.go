package recall

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/event"
)

// RemedyOrder is what a booking asks dispatch to open: a recall_remedy work
// order for the affected unit at the chosen outlet.
type RemedyOrder struct {
	CampaignID   uint64
	CampaignName string
	RecallUnitID uint64
	UnitID       uint64
	Serial       string
	CustomerID   *uint64
	OutletID     uint64
	At           time.Time
}

// RemedyOrders is what recall needs from tickets and dispatch (wired in
// app): the work order of a booking, so that the outlet sees the recall
// job on its board like any other work.
type RemedyOrders interface {
	// Open creates the recall ticket and its recall_remedy work order
	// offered to o.OutletID and returns the work order's id. Errors:
	// validation (e.g. the unit has no known owner), not_found.
	Open(ctx context.Context, o RemedyOrder) (uint64, error)
	// Withdraw cancels the work order of a booking moved elsewhere (or of a
	// booking that failed to record), with a reason.
	Withdraw(ctx context.Context, workOrderID uint64, reason string) error
}

// Book makes (or moves) an appointment for an affected unit at an outlet.
// With RemedyOrders wired, it opens a recall_remedy work order at that
// outlet (the outlet's board shows it); moving the appointment to another
// outlet withdraws the previous order and opens a new one. Completing the
// work order records the remedy (RemedyForWorkOrder). Errors: validation,
// not_found, conflict (remedied, campaign not active).
func (s *Service) Book(ctx context.Context, id uint64, version int64, at time.Time, outletID uint64) (AffectedUnit, error) {
	fields := apperr.Fields{}
	if at.IsZero() {
		fields["at"] = apperr.Required()
	}
	if outletID == 0 {
		fields["outlet_id"] = apperr.Required()
	}
	if len(fields) > 0 {
		return AffectedUnit{}, apperr.FieldsErr(fields)
	}
	if s.o.Outlets != nil {
		if err := s.o.Outlets(ctx, outletID); err != nil {
			if apperr.IsKind(err, apperr.KindNotFound) {
				return AffectedUnit{}, apperr.FieldErr("outlet_id", apperr.NoSuch("outlet"))
			}
			return AffectedUnit{}, err
		}
	}
	cur, err := s.loadUnit(ctx, s.o.DB, id, "")
	if err != nil {
		return AffectedUnit{}, wrap(err, "book recall unit")
	}
	if cur.Status == UnitRemedied {
		return AffectedUnit{}, apperr.Conflict("invalid_transition", "the unit is already remedied").WithDetail("allowed", []string{})
	}
	c, err := s.loadCampaign(ctx, s.o.DB, cur.CampaignID)
	if err != nil {
		return AffectedUnit{}, wrap(err, "book recall unit")
	}
	if c.Status != StatusActive {
		return AffectedUnit{}, apperr.Conflict("campaign_not_active", "the campaign is not active").WithDetail("status", c.Status)
	}
	when := at.UTC()
	// A new work order unless the booking stays at the outlet that already
	// has one.
	var opened, previous *uint64
	if s.o.RemedyOrders != nil && (cur.WorkOrderID == nil || cur.AppointmentOutletID == nil || *cur.AppointmentOutletID != outletID) {
		wid, err := s.o.RemedyOrders.Open(ctx, RemedyOrder{CampaignID: c.ID, CampaignName: c.Number + " " + c.Title, RecallUnitID: cur.ID, UnitID: cur.UnitID,
			Serial: cur.Serial, CustomerID: cur.CustomerID, OutletID: outletID, At: when})
		if err != nil {
			return AffectedUnit{}, err
		}
		opened, previous = &wid, cur.WorkOrderID
	}
	u, err := s.mutateUnit(ctx, id, version, "", "book", func(u *AffectedUnit, now time.Time) error {
		if u.Status == UnitRemedied {
			return apperr.Conflict("invalid_transition", "the unit is already remedied").WithDetail("allowed", []string{})
		}
		u.AppointmentAt, u.AppointmentOutletID, u.Status = &when, &outletID, UnitScheduled
		if opened != nil {
			u.WorkOrderID = opened
		}
		if u.NotifiedAt == nil {
			u.NotifiedAt = &now
		}
		return nil
	}, func(_ *gorm.DB, u AffectedUnit) (event.Event, error) {
		return event.RecallUnitBooked.New(Topic, event.RecallUnitBooking{CampaignID: u.CampaignID, RecallUnitID: u.ID, UnitID: u.UnitID,
			Serial: u.Serial, OutletID: outletID, AppointmentAt: u.AppointmentAt, WorkOrderID: u.WorkOrderID}), nil
	})
	if err != nil {
		if opened != nil {
			_ = s.o.RemedyOrders.Withdraw(ctx, *opened, "recall_booking_failed")
		}
		return AffectedUnit{}, err
	}
	if previous != nil {
		_ = s.o.RemedyOrders.Withdraw(ctx, *previous, fmt.Sprintf("recall_rebooked: #%d", outletID))
	}
	return u, nil
}

// RemedyForWorkOrder records, inside the work order's transaction tx, that
// the campaign's remedy was done on the affected unit booked with
// workOrderID, at outletID: the completion of a recall_remedy work order.
// The rules are Remedy's: 409 campaign_not_active, 409 invalid_transition
// when the unit is already remedied. It returns the event for the caller to
// record in tx (Bus.Enqueue), and found=false when no affected unit names the work
// order (nothing to record).
func (s *Service) RemedyForWorkOrder(ctx context.Context, tx *gorm.DB, workOrderID, outletID uint64, note string) ([]event.Event, bool, error) {
	q := db.ForUpdate(tx.WithContext(ctx).Where("work_order_id = ?", workOrderID))
	var u AffectedUnit
	if err := q.Take(&u).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("recall unit of work order %d: %w", workOrderID, err)
	}
	c, err := s.loadCampaign(ctx, tx, u.CampaignID)
	if err != nil {
		return nil, true, err
	}
	if c.Status != StatusActive {
		return nil, true, apperr.Conflict("campaign_not_active", "the campaign is not active").WithDetail("status", c.Status)
	}
	if u.Status == UnitRemedied {
		return nil, true, apperr.Conflict("invalid_transition", "the unit is already remedied").WithDetail("allowed", []string{})
	}
	before := u.Snapshot()
	now := s.o.Now().UTC()
	where := outletID
	u.Status, u.RemediedAt, u.RemediedOutletID, u.RemediedBy = UnitRemedied, &now, &where, actor.From(ctx).Username
	u.RemedyNote = clipNote(note)
	if u.NotifiedAt == nil {
		u.NotifiedAt = &now
	}
	if err := db.UpdateVersioned(tx.WithContext(ctx), &AffectedUnit{}, u.ID, u.Version, "recall unit", map[string]any{
		"status": u.Status, "notified_at": u.NotifiedAt, "remedied_at": u.RemediedAt, "remedied_outlet_id": u.RemediedOutletID,
		"remedied_by": u.RemediedBy, "remedy_note": u.RemedyNote, "version": u.Version + 1, "updated_at": now}); err != nil {
		return nil, true, err
	}
	u.Version++
	if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: "remedy", Entity: "recall_unit", EntityID: idStr(u.ID), Before: before, After: u.Snapshot()}); err != nil {
		return nil, true, err
	}
	wid := workOrderID
	return []event.Event{event.RecallUnitRemedied.New(Topic, event.RecallUnitRemedy{CampaignID: u.CampaignID, RecallUnitID: u.ID,
		UnitID: u.UnitID, Serial: u.Serial, OutletID: u.RemediedOutletID, WorkOrderID: &wid})}, true, nil
}

// clipNote keeps a remedy note to the column's 255 characters.
func clipNote(s string) string {
	r := []rune(s)
	if len(r) > 255 {
		return string(r[:255])
	}
	return s
}
