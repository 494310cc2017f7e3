package app

import (
	"context"
	"time"

	"github.com/aftersales/aftersales/backend/internal/outlet"
	"github.com/aftersales/aftersales/backend/internal/parts"
	"github.com/aftersales/aftersales/backend/internal/product"
	"github.com/aftersales/aftersales/backend/internal/recall"
	"github.com/aftersales/aftersales/backend/internal/repair"
	"github.com/aftersales/aftersales/backend/internal/returns"
	"github.com/aftersales/aftersales/backend/internal/workorder"
)

// wireServiceOps builds the repairs, spare parts, returns and recall
// services (issue 4) on top of products, outlets and work orders, and
// registers their passport sources and screen-pop flags with the product
// service.
func (a *App) wireServiceOps() {
	cfg := a.Cfg
	loc := cfg.Location()
	outlets := outletExists(a.Outlets)
	a.Parts = parts.New(parts.Options{DB: a.DB, Audit: a.Audit, Bus: a.Bus, Outlets: outlets,
		LeadTime: time.Duration(cfg.Readiness.PartsLeadHours) * time.Hour, Location: loc})
	a.Repairs = repair.New(repair.Options{DB: a.DB, Audit: a.Audit, Bus: a.Bus, Units: repairUnits(a.Products),
		Warranty: repairWarranty(a.Products), WorkOrders: repairWorkOrders(a.WorkOrders, a.Outlets), Outlets: outlets, Stock: a.Parts,
		Staff: repairStaff(a.Outlets.Staff), UserStaff: repairStaff(a.Outlets.StaffOfUser), MaxBackdateDays: cfg.Repair.MaxBackdateDays,
		RepeatWindowDays: cfg.Repair.RepeatWindowDays, Location: loc})
	a.Returns = returns.New(returns.Options{DB: a.DB, Audit: a.Audit, Bus: a.Bus, Units: returnUnits(a.Products),
		Windows: returnWindows(a.Products), Outlets: outlets, Location: loc})
	a.Recalls = recall.New(recall.Options{DB: a.DB, Audit: a.Audit, Bus: a.Bus, Outlets: outlets, Location: loc})
	a.Products.AddPassportSource("repairs", a.Repairs)
	a.Products.AddPassportSource("returns", a.Returns)
	a.Products.AddPassportSource("recalls", a.Recalls)
	a.Products.AddFlagSource(a.Repairs)
	a.Products.AddFlagSource(a.Recalls)
}

// outletExists checks an outlet id through the outlet service (unscoped:
// the caller's scope is applied by the asking domain).
func outletExists(o *outlet.Service) func(ctx context.Context, id uint64) error {
	return func(ctx context.Context, id uint64) error {
		_, err := o.Get(ctx, id)
		return err
	}
}

func productUnit(ctx context.Context, p *product.Service, id uint64, serial string) (product.Unit, error) {
	if id != 0 {
		return p.Unit(ctx, id)
	}
	return p.UnitBySerial(ctx, serial)
}

func repairUnits(p *product.Service) repair.UnitLookup {
	return func(ctx context.Context, id uint64, serial string) (repair.Unit, error) {
		u, err := productUnit(ctx, p, id, serial)
		if err != nil {
			return repair.Unit{}, err
		}
		return repair.Unit{ID: u.ID, Serial: u.Serial, ModelID: u.ModelID, CustomerID: u.CustomerID}, nil
	}
}

func repairWarranty(p *product.Service) repair.WarrantyLookup {
	return func(ctx context.Context, unitID uint64, asOf time.Time) (repair.Warranty, error) {
		u, err := p.Unit(ctx, unitID)
		if err != nil {
			return repair.Warranty{}, err
		}
		st, pol, err := p.WarrantyOfUnit(ctx, u, asOf)
		if err != nil {
			return repair.Warranty{}, err
		}
		return repair.Warranty{State: string(st.State), RepairUntil: st.RepairUntil, ReplaceAfterRepairs: pol.ReplaceAfterRepairs}, nil
	}
}

// repairWorkOrders reads a work order as the caller may see it, with the
// name of its assigned technician from the staff register.
func repairWorkOrders(w *workorder.Service, o *outlet.Service) repair.WorkOrderLookup {
	return func(ctx context.Context, id uint64) (repair.WorkOrder, error) {
		wo, err := w.Get(ctx, id)
		if err != nil {
			return repair.WorkOrder{}, err
		}
		out := repair.WorkOrder{ID: wo.ID, TicketID: wo.TicketID, Kind: wo.Kind, UnitID: wo.UnitID, TechnicianID: wo.TechnicianStaffID}
		if wo.OutletID != nil {
			out.OutletID = *wo.OutletID
		}
		if wo.TechnicianStaffID != nil {
			if m, err := o.Staff(ctx, *wo.TechnicianStaffID); err == nil {
				out.TechnicianName = m.Name
			}
		}
		return out, nil
	}
}

func returnUnits(p *product.Service) returns.UnitLookup {
	return func(ctx context.Context, id uint64, serial string) (returns.Unit, error) {
		u, err := productUnit(ctx, p, id, serial)
		if err != nil {
			return returns.Unit{}, err
		}
		return returns.Unit{ID: u.ID, Serial: u.Serial, CustomerID: u.CustomerID, PurchaseDate: u.PurchaseDate}, nil
	}
}

// returnWindows returns the unit's 三包 return and exchange windows from its
// effective policy (the dates do not depend on the day asked).
func returnWindows(p *product.Service) returns.WindowLookup {
	return func(ctx context.Context, unitID uint64) (returns.Windows, error) {
		u, err := p.Unit(ctx, unitID)
		if err != nil {
			return returns.Windows{}, err
		}
		st, _, err := p.WarrantyOfUnit(ctx, u, time.Now())
		if err != nil {
			return returns.Windows{}, err
		}
		return returns.Windows{ReturnUntil: st.ReturnUntil, ExchangeUntil: st.ExchangeUntil}, nil
	}
}

// repairStaff adapts a staff register lookup (by staff id or by login) to
// what repairs need: the staff member's outlet.
func repairStaff(get func(context.Context, uint64) (outlet.StaffMember, error)) func(context.Context, uint64) (repair.StaffMember, error) {
	return func(ctx context.Context, id uint64) (repair.StaffMember, error) {
		m, err := get(ctx, id)
		if err != nil {
			return repair.StaffMember{}, err
		}
		out := repair.StaffMember{ID: m.ID, Active: m.Active}
		if m.OutletID != nil {
			out.OutletID = *m.OutletID
		}
		return out, nil
	}
}
