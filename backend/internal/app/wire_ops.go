package app

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/complaint"
	"github.com/aftersales/aftersales/backend/internal/outlet"
	"github.com/aftersales/aftersales/backend/internal/parts"
	"github.com/aftersales/aftersales/backend/internal/product"
	"github.com/aftersales/aftersales/backend/internal/recall"
	"github.com/aftersales/aftersales/backend/internal/repair"
	"github.com/aftersales/aftersales/backend/internal/returns"
	"github.com/aftersales/aftersales/backend/internal/ticket"
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
		RepeatWindowDays: cfg.Repair.RepeatWindowDays, Location: loc, Technicians: repairTechnicians(a.Outlets)})
	a.WorkOrders.SetRepairs(workOrderRepairs{a.Repairs})
	// The reverse cross-check: a repair ends agreeing with its completed work order.
	a.Repairs.SetWorkOrderResults(a.WorkOrders)
	a.Returns = returns.New(returns.Options{DB: a.DB, Audit: a.Audit, Bus: a.Bus, Units: returnUnits(a.Products),
		Windows: returnWindows(a.Products), Outlets: outlets, Location: loc, Lifecycle: unitLifecycle{a.Products},
		ExchangeRestartsWarranty: cfg.Returns.ExchangeRestartsWarranty})
	a.Recalls = recall.New(recall.Options{DB: a.DB, Audit: a.Audit, Bus: a.Bus, Outlets: outlets, Location: loc, RemedyOrders: recallRemedyOrders{a.Tickets, a.WorkOrders}})
	// Completing a recall_remedy work order records the remedy on the campaign.
	a.WorkOrders.SetRecalls(a.Recalls)
	// The outlet scorecard counts the complaints linked to the outlet and its technicians.
	a.WorkOrders.SetComplaints(workOrderComplaints{a.Complaints})
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

// workOrderRepairs answers a work order's completion with its repair's
// outcome, so the two results are cross-checked.
type workOrderRepairs struct{ r *repair.Service }

func (w workOrderRepairs) RepairOfWorkOrder(ctx context.Context, tx *gorm.DB, workOrderID uint64) (workorder.RepairOutcome, bool, error) {
	o, found, err := w.r.OrderOfWorkOrder(ctx, tx, workOrderID)
	if err != nil || !found {
		return workorder.RepairOutcome{}, found, err
	}
	return workorder.RepairOutcome{ID: o.ID, Number: o.Number, Outcome: repair.Outcome(o.Status, o.Result)}, true, nil
}

// workOrderComplaints counts an outlet's complaints for its scorecard
// through the complaint service (dispatch never reads the complaints table).
type workOrderComplaints struct{ c *complaint.Service }

func (w workOrderComplaints) ComplaintsOfOutlet(ctx context.Context, outletID uint64, from, to time.Time) (workorder.ComplaintCounts, error) {
	n, err := w.c.CountForOutlet(ctx, outletID, from, to)
	return workorder.ComplaintCounts{Total: n.Total, ByTechnician: n.ByTechnician}, err
}

// repairTechnicians resolves technician ids through the staff register
// (unscoped: the repair service applies the caller's scope).
func repairTechnicians(o *outlet.Service) repair.TechnicianLookup {
	return func(ctx context.Context, ids []uint64) (map[uint64]repair.Technician, error) {
		out := map[uint64]repair.Technician{}
		for _, id := range ids {
			if _, done := out[id]; done {
				continue
			}
			m, err := o.Staff(ctx, id)
			if apperr.IsKind(err, apperr.KindNotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			t := repair.Technician{Name: m.Name}
			if m.OutletID != nil {
				t.OutletID = *m.OutletID
			}
			out[id] = t
		}
		return out, nil
	}
}

// unitLifecycle lets a completed return or exchange change the unit through
// the product service, inside the request's transaction.
type unitLifecycle struct{ p *product.Service }

func (l unitLifecycle) Returned(ctx context.Context, tx *gorm.DB, unitID uint64, on time.Time) error {
	_, err := l.p.MarkReturned(ctx, tx, unitID, on)
	return err
}

func (l unitLifecycle) Exchanged(ctx context.Context, tx *gorm.DB, unitID uint64, serial string, on time.Time, restart bool, proof string) (uint64, error) {
	n, err := l.p.Exchange(ctx, tx, unitID, serial, on, restart, proof)
	return n.ID, err
}

func (l unitLifecycle) Published(ctx context.Context, unitID uint64, replacementID *uint64) {
	old, err := l.p.Unit(ctx, unitID)
	if err != nil {
		return
	}
	var n *product.Unit
	if replacementID != nil {
		if u, err := l.p.Unit(ctx, *replacementID); err == nil {
			n = &u
		}
	}
	l.p.PublishUnitChange(ctx, old, n)
}

// recallRemedyOrders opens the work of a recall booking: a recall ticket for
// the unit's owner and its recall_remedy work order offered to the booked
// outlet (its board shows it), and withdraws it when the booking moves.
type recallRemedyOrders struct {
	t *ticket.Service
	w *workorder.Service
}

func (r recallRemedyOrders) Open(ctx context.Context, o recall.RemedyOrder) (uint64, error) {
	if o.CustomerID == nil {
		return 0, apperr.FieldErr("unit", apperr.Code("unit_no_owner", "the unit has no known owner: record the owner before booking its remedy"))
	}
	unit := o.UnitID
	d, _, err := r.t.Create(ctx, ticket.NewTicket{Channel: ticket.ChannelPhone, Type: ticket.TypeRecall, CustomerID: *o.CustomerID,
		UnitID: &unit, Description: fmt.Sprintf("召回补救：%s，产品 %s，预约 %s", o.CampaignName, o.Serial,
			o.At.In(r.t.Location()).Format("2006-01-02 15:04"))})
	if err != nil {
		return 0, err
	}
	outlet := o.OutletID
	w, err := r.w.Dispatch(ctx, d.Ticket.ID, workorder.DispatchInput{Kind: workorder.KindRecallRemedy, OutletID: &outlet,
		Note: fmt.Sprintf("召回 %s：产品 %s", o.CampaignName, o.Serial)})
	if err != nil {
		return 0, err
	}
	return w.ID, nil
}

func (r recallRemedyOrders) Withdraw(ctx context.Context, workOrderID uint64, reason string) error {
	sys := actor.With(ctx, actor.System("recall"))
	w, err := r.w.Get(sys, workOrderID)
	if err != nil {
		return err
	}
	if !slices.Contains(w.AllowedSteps(), workorder.StepCancel) {
		return nil // already done or cancelled: nothing to withdraw
	}
	_, err = r.w.Cancel(sys, workOrderID, reason, 0)
	return err
}
