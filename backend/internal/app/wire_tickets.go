package app

import (
	"context"
	"time"

	"github.com/aftersales/aftersales/backend/internal/outlet"
	"github.com/aftersales/aftersales/backend/internal/product"
	"github.com/aftersales/aftersales/backend/internal/ticket"
	"github.com/aftersales/aftersales/backend/internal/workorder"
)

// ticketUnits adapts the product catalogue to what tickets need of a unit:
// its owner and its model's category.
type ticketUnits struct{ p *product.Service }

func (u ticketUnits) UnitInfo(ctx context.Context, id uint64) (ticket.UnitInfo, error) {
	unit, err := u.p.Unit(ctx, id)
	if err != nil {
		return ticket.UnitInfo{}, err
	}
	info := ticket.UnitInfo{ID: unit.ID, Serial: unit.Serial, Deactivated: product.Deactivated(unit.Status), Status: unit.Status}
	if unit.CustomerID != nil {
		info.CustomerID = *unit.CustomerID
	}
	m, err := u.p.Model(ctx, unit.ModelID)
	if err != nil {
		return ticket.UnitInfo{}, err
	}
	info.CategoryID = m.CategoryID
	return info, nil
}

// dispatchOutlets adapts the outlet network to dispatch.
type dispatchOutlets struct{ o *outlet.Service }

func (d dispatchOutlets) Candidates(ctx context.Context, region string, category uint64, day time.Time, exclude []uint64) ([]workorder.Candidate, error) {
	list, err := d.o.Candidates(ctx, region, category, day, exclude)
	if err != nil {
		return nil, err
	}
	out := make([]workorder.Candidate, len(list))
	for i, c := range list {
		out[i] = workorder.Candidate{OutletID: c.OutletID, Code: c.Code, Name: c.Name, CoverageLevel: c.CoverageLevel, Capacity: c.Capacity, Load: c.Load}
	}
	return out, nil
}

func (d dispatchOutlets) Outlet(ctx context.Context, id uint64) (workorder.OutletInfo, error) {
	o, err := d.o.Get(ctx, id)
	if err != nil {
		return workorder.OutletInfo{}, err
	}
	return workorder.OutletInfo{ID: o.ID, Code: o.Code, Name: o.Name, Active: o.Status == outlet.StatusActive}, nil
}

// dispatchStaff adapts the staff register to technician assignment.
type dispatchStaff struct{ o *outlet.Service }

func (d dispatchStaff) StaffMember(ctx context.Context, id uint64) (workorder.StaffInfo, error) {
	m, err := d.o.Staff(ctx, id)
	if err != nil {
		return workorder.StaffInfo{}, err
	}
	info := workorder.StaffInfo{ID: m.ID, Name: m.Name, Active: m.Active}
	if m.OutletID != nil {
		info.OutletID = *m.OutletID
	}
	return info, nil
}

func (d dispatchStaff) StaffOfUser(ctx context.Context, userID uint64) (workorder.StaffInfo, error) {
	m, err := d.o.StaffOfUser(ctx, userID)
	if err != nil {
		return workorder.StaffInfo{}, err
	}
	info := workorder.StaffInfo{ID: m.ID, Name: m.Name, Active: m.Active}
	if m.OutletID != nil {
		info.OutletID = *m.OutletID
	}
	return info, nil
}

func (d dispatchStaff) Technicians(ctx context.Context, outletID uint64) ([]workorder.StaffInfo, error) {
	list, err := d.o.TechniciansOfOutlet(ctx, outletID)
	if err != nil {
		return nil, err
	}
	out := make([]workorder.StaffInfo, 0, len(list))
	for _, m := range list {
		out = append(out, workorder.StaffInfo{ID: m.ID, Name: m.Name, OutletID: outletID, Active: m.Active})
	}
	return out, nil
}
