package workorder

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/db"
)

// Get returns a work order the caller may see: outlet users only their own
// outlet's. Errors: not_found.
func (s *Service) Get(ctx context.Context, id uint64) (WorkOrder, error) {
	return s.load(ctx, s.o.DB, id, false)
}

func (s *Service) load(ctx context.Context, g *gorm.DB, id uint64, lock bool) (WorkOrder, error) {
	q := g.WithContext(ctx).Where("id = ?", id)
	if outletID, ok := actor.From(ctx).OutletScoped(); ok {
		q = q.Where("outlet_id = ?", outletID)
	}
	if lock {
		q = db.ForUpdate(q)
	}
	var w WorkOrder
	if err := q.Take(&w).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return WorkOrder{}, apperr.NotFound("work order")
		}
		return WorkOrder{}, apperr.Internal(fmt.Errorf("get work order: %w", err))
	}
	return w, nil
}

// Offers returns a work order's offers, oldest first.
func (s *Service) Offers(ctx context.Context, workOrderID uint64) ([]Offer, error) {
	var out []Offer
	if err := s.o.DB.WithContext(ctx).Where("work_order_id = ?", workOrderID).Order("id").Find(&out).Error; err != nil {
		return nil, apperr.Internal(err)
	}
	return out, nil
}

// Filter selects work orders; zero values do not filter.
type Filter struct {
	Statuses     []string
	Kind         string
	OutletID     uint64
	TicketID     uint64
	TechnicianID uint64
	// BeforeID pages newest first (keyset on id).
	BeforeID uint64
	Size     int
}

// List returns work orders visible to the caller, newest first, and the
// BeforeID of the next page (0 on the last). Errors: validation.
func (s *Service) List(ctx context.Context, f Filter) ([]WorkOrder, uint64, error) {
	fields := apperr.Fields{}
	for _, st := range f.Statuses {
		if !slices.Contains(Statuses(), st) {
			fields["status"] = apperr.OneOf(Statuses()...)
		}
	}
	if f.Kind != "" && !slices.Contains(Kinds(), f.Kind) {
		fields["kind"] = apperr.OneOf(Kinds()...)
	}
	if f.Size <= 0 {
		f.Size = 50
	}
	if f.Size > 200 {
		fields["size"] = apperr.OutOfRange(1, 200)
	}
	if len(fields) > 0 {
		return nil, 0, apperr.FieldsErr(fields)
	}
	q := s.o.DB.WithContext(ctx).Model(&WorkOrder{})
	if outletID, ok := actor.From(ctx).OutletScoped(); ok {
		q = q.Where("outlet_id = ?", outletID)
	}
	if f.OutletID != 0 {
		q = q.Where("outlet_id = ?", f.OutletID)
	}
	q = db.WhereOneOf(q, "status", f.Statuses)
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	if f.TicketID != 0 {
		q = q.Where("ticket_id = ?", f.TicketID)
	}
	if f.TechnicianID != 0 {
		q = q.Where("technician_staff_id = ?", f.TechnicianID)
	}
	var out []WorkOrder
	if err := db.NewestFirst(q, f.BeforeID, f.Size+1).Find(&out).Error; err != nil {
		return nil, 0, apperr.Internal(fmt.Errorf("list work orders: %w", err))
	}
	var next uint64
	if len(out) > f.Size {
		out = out[:f.Size]
		next = out[len(out)-1].ID
	}
	return out, next, nil
}
