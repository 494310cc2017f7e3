package repair

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/parts"
)

// Page sizes of the lists.
const (
	DefaultPageSize = 20
	MaxPageSize     = 200
)

// Unit is what a repair needs to know of a serial-numbered unit.
type Unit struct {
	ID         uint64
	Serial     string
	ModelID    uint64
	CustomerID *uint64
}

// Warranty is a unit's 三包 standing on a day: State is the product
// domain's (return, exchange, repair, expired, unknown); RepairUntil is the
// last day of free repair (zero when none is known); ReplaceAfterRepairs is
// the policy's N (0: no replacement entitlement).
type Warranty struct {
	State               string
	RepairUntil         time.Time
	ReplaceAfterRepairs int
}

// InRepairWarranty reports whether repairs are free.
func (w Warranty) InRepairWarranty() bool {
	return w.State == "return" || w.State == "exchange" || w.State == "repair"
}

// WorkOrder is what a repair needs to know of the work order it belongs to.
// TechnicianID is the assigned staff member (the outlet's staff register).
type WorkOrder struct {
	ID             uint64
	TicketID       uint64
	OutletID       uint64
	Kind           string
	TechnicianID   *uint64
	TechnicianName string
	UnitID         *uint64
}

// UnitLookup finds a unit by id (when id != 0) or by serial; it returns an
// apperr not_found when there is none. The product service provides it.
type UnitLookup func(ctx context.Context, id uint64, serial string) (Unit, error)

// WarrantyLookup computes a unit's warranty as of an instant. The product
// service provides it.
type WarrantyLookup func(ctx context.Context, unitID uint64, asOf time.Time) (Warranty, error)

// WorkOrderLookup returns a work order, or an apperr not_found. The
// work-order service provides it.
type WorkOrderLookup func(ctx context.Context, id uint64) (WorkOrder, error)

// OutletCheck returns nil when the outlet exists, or an apperr not_found.
type OutletCheck func(ctx context.Context, id uint64) error

// Technician is a staff member as a repair names it.
type Technician struct {
	Name     string
	OutletID uint64
}

// TechnicianLookup returns the staff members with the given ids, keyed by
// id (unknown ids are absent). The outlet service's staff register provides
// it. A repair stores only technician_id and joins the name on read, so a
// renamed technician is never shown under an old name.
type TechnicianLookup func(ctx context.Context, ids []uint64) (map[uint64]Technician, error)

// Stock is what a repair needs of the parts service: prices and takes
// inside the repair's transaction.
type Stock interface {
	TakeTx(ctx context.Context, tx *gorm.DB, t parts.Take) (parts.Taken, error)
	ReturnTx(ctx context.Context, tx *gorm.DB, partID, location uint64, qty int64, ref, serial, note string) (parts.Movement, error)
	// EnqueueTaken records parts.low_stock in the repair's transaction (outbox).
	EnqueueTaken(ctx context.Context, tx *gorm.DB, taken ...parts.Taken) error
	Part(ctx context.Context, id uint64) (parts.Part, error)
	PartByCode(ctx context.Context, code string) (parts.Part, error)
}

// Options are the Service's dependencies. Units and Warranty are required
// to create repairs; WorkOrders to create one from a work order; Stock to
// use parts.
type Options struct {
	DB         *gorm.DB
	Audit      *audit.Trail
	Bus        event.Bus // may be nil (tests)
	Units      UnitLookup
	Warranty   WarrantyLookup
	WorkOrders WorkOrderLookup
	Outlets    OutletCheck
	Stock      Stock
	// Staff checks a repair's technician (active staff of its outlet);
	// UserStaff finds the acting technician's staff record (a technician
	// acts only on repairs assigned to them). Both optional.
	Staff     StaffLookup
	UserStaff UserStaffLookup
	// MaxBackdateDays bounds how far received_at may lie in the past
	// (config repair.max_backdate_days; 0 means 7).
	MaxBackdateDays int
	// Technicians resolves technician ids (nil: ids are not checked and
	// names stay empty).
	Technicians TechnicianLookup
	// WorkOrderResults cross-checks a completing repair with its already
	// completed work order (nil: not checked).
	WorkOrderResults WorkOrderResults
	// RepeatWindowDays: a repair of a unit received within this many days
	// of the completion of its previous repair is a repeat repair (default 30).
	RepeatWindowDays int
	// ReplaceAfterRepairs is used when no warranty lookup is wired
	// (default 2); otherwise the unit's policy decides.
	ReplaceAfterRepairs int
	// Location is the enterprise time zone (numbers and calendar dates).
	Location *time.Location
	Now      func() time.Time
	// QuoteLinks configures the customer's public quote approval links
	// (quotelink.go).
	QuoteLinks QuoteLinkSettings
}

// Service manages repair orders, labour rates and replacement
// entitlements. It is safe for concurrent use.
type Service struct {
	o Options
}

// New returns a Service.
func New(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Bus == nil {
		o.Bus = event.Discard
	}
	if o.RepeatWindowDays <= 0 {
		o.RepeatWindowDays = 30
	}
	if o.ReplaceAfterRepairs <= 0 {
		o.ReplaceAfterRepairs = 2
	}
	if o.MaxBackdateDays <= 0 {
		o.MaxBackdateDays = 7
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	return &Service{o: o}
}

// RepeatWindowDays is the configured repeat-repair window.
func (s *Service) RepeatWindowDays() int { return s.o.RepeatWindowDays }

// NewOrder is the input of Create. Either WorkOrderID, or OutletID for a
// walk-in; either UnitID or Serial (a work order may name the unit).
// TechnicianID is a staff member id (default: the work order's
// technician); TechnicianName defaults to the technician logged in.
type NewOrder struct {
	WorkOrderID    *uint64
	OutletID       uint64
	UnitID         uint64
	Serial         string
	Complaint      string
	TechnicianID   *uint64
	TechnicianName string
	ReceivedAt     *time.Time
}

// Create opens a repair order. Its warranty is fixed from the unit's 三包
// standing on the day the unit was received. Errors: validation, not_found
// (work order or outlet outside the caller's scope), conflict repair_exists
// (the work order already has one).
func (s *Service) Create(ctx context.Context, in NewOrder) (Order, error) {
	a := actor.From(ctx)
	fields := apperr.Fields{}
	in.Complaint = strings.TrimSpace(in.Complaint)
	in.Serial = strings.TrimSpace(in.Serial)
	in.TechnicianName = strings.TrimSpace(in.TechnicianName)
	if utf8.RuneCountInString(in.Complaint) > 2000 {
		fields["complaint"] = apperr.TooLong(2000)
	}
	if utf8.RuneCountInString(in.TechnicianName) > 64 {
		fields["technician_name"] = apperr.TooLong(64)
	}
	if in.UnitID == 0 && in.Serial == "" && in.WorkOrderID == nil {
		fields["unit_id"] = apperr.Code("unit_required", "unit_id or serial is required")
	}
	now := s.o.Now().UTC()
	received := now
	if in.ReceivedAt != nil {
		received = in.ReceivedAt.UTC()
		if received.After(now.Add(5 * time.Minute)) {
			fields["received_at"] = apperr.Code("in_future", "must not be in the future")
		}
		if received.Before(now.AddDate(0, 0, -s.o.MaxBackdateDays)) {
			fields["received_at"] = apperr.Code("too_far_past", fmt.Sprintf("must be within the last %d days (repair.max_backdate_days)", s.o.MaxBackdateDays)).With("days", s.o.MaxBackdateDays)
		}
	}
	// A back-dated repair is recorded late: it may not re-link other
	// outlets' repairs as repeat repairs (their first-time-fix figures).
	backdated := received.Before(now.Add(-time.Hour))
	if in.WorkOrderID == nil && in.OutletID == 0 {
		if own, ok := a.OutletScoped(); ok {
			in.OutletID = own
		} else {
			fields["outlet_id"] = apperr.Code("work_order_or_outlet", "work_order_id or outlet_id is required")
		}
	}
	if len(fields) > 0 {
		return Order{}, apperr.FieldsErr(fields)
	}
	o := Order{Channel: ChannelWalkIn, OutletID: in.OutletID, Complaint: in.Complaint, TechnicianID: in.TechnicianID,
		TechnicianName: in.TechnicianName, Status: StatusReceived, Visits: 1, ReceivedAt: received, Version: 1, CreatedAt: now, UpdatedAt: now}
	if in.WorkOrderID != nil {
		if s.o.WorkOrders == nil {
			return Order{}, apperr.FieldErr("work_order_id", apperr.NoSuch("work_order"))
		}
		wo, err := s.o.WorkOrders(ctx, *in.WorkOrderID)
		if err != nil {
			if apperr.IsKind(err, apperr.KindNotFound) {
				return Order{}, apperr.FieldErr("work_order_id", apperr.NoSuch("work_order"))
			}
			return Order{}, err
		}
		if in.OutletID != 0 && in.OutletID != wo.OutletID {
			return Order{}, apperr.FieldErr("outlet_id", apperr.Code("other_outlet", "the work order belongs to another outlet"))
		}
		o.Channel, o.OutletID = ChannelWorkOrder, wo.OutletID
		o.WorkOrderID = &wo.ID
		if wo.TicketID != 0 {
			t := wo.TicketID
			o.TicketID = &t
		}
		if o.TechnicianID == nil && o.TechnicianName == "" {
			o.TechnicianID, o.TechnicianName = wo.TechnicianID, wo.TechnicianName
		}
		if in.UnitID == 0 && in.Serial == "" && wo.UnitID != nil {
			in.UnitID = *wo.UnitID
		}
	}
	if own, ok := a.OutletScoped(); ok && own != o.OutletID {
		if in.WorkOrderID != nil {
			return Order{}, apperr.NotFound("work order")
		}
		return Order{}, apperr.NotFound("outlet")
	}
	if o.OutletID == 0 {
		return Order{}, apperr.FieldErr("outlet_id", apperr.Code("no_outlet_yet", "the work order has no outlet yet"))
	}
	if s.o.Outlets != nil && in.WorkOrderID == nil {
		if err := s.o.Outlets(ctx, o.OutletID); err != nil {
			if apperr.IsKind(err, apperr.KindNotFound) {
				return Order{}, apperr.FieldErr("outlet_id", apperr.NoSuch("outlet"))
			}
			return Order{}, err
		}
	}
	if o.TechnicianID == nil && o.TechnicianName == "" && a.HasRole("technician") {
		o.TechnicianName = a.Username
		me, err := s.ownStaff(ctx)
		if err != nil {
			return Order{}, err
		}
		o.TechnicianID = me
	}
	if in.TechnicianID != nil {
		if err := s.checkTechnician(ctx, in.TechnicianID, o.OutletID); err != nil {
			return Order{}, err
		}
	}
	if o.TechnicianID != nil {
		o.TechnicianName = "" // joined on read from the staff register (named)
	}
	if in.UnitID == 0 && in.Serial == "" {
		return Order{}, apperr.FieldErr("unit_id", apperr.Code("unit_required", "unit_id or serial is required (the work order names no unit)"))
	}
	if s.o.Units == nil || s.o.Warranty == nil {
		return Order{}, apperr.FieldErr("unit_id", apperr.NoSuch("unit"))
	}
	u, err := s.o.Units(ctx, in.UnitID, in.Serial)
	if err != nil {
		if apperr.IsKind(err, apperr.KindNotFound) {
			if in.UnitID != 0 {
				return Order{}, apperr.FieldErr("unit_id", apperr.NoSuch("unit"))
			}
			return Order{}, apperr.FieldErr("serial", apperr.NoSuch("unit"))
		}
		return Order{}, err
	}
	w, err := s.o.Warranty(ctx, u.ID, received)
	if err != nil {
		return Order{}, err
	}
	o.UnitID, o.Serial, o.ModelID, o.CustomerID = u.ID, u.Serial, u.ModelID, u.CustomerID
	o.InWarranty, o.WarrantyState = w.InRepairWarranty(), w.State
	if !w.RepairUntil.IsZero() {
		ru := w.RepairUntil
		o.RepairUntil = &ru
	}
	err = s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if o.WorkOrderID != nil {
			var n int64
			if err := tx.Model(&Order{}).Where("work_order_id = ?", *o.WorkOrderID).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return apperr.Conflict("repair_exists", "this work order already has a repair order")
			}
		}
		var prev []time.Time
		if err := tx.Model(&Order{}).Where("unit_id = ? AND completed_at IS NOT NULL AND completed_at <= ?", o.UnitID, o.ReceivedAt).
			Order("completed_at DESC").Limit(1).Pluck("completed_at", &prev).Error; err != nil {
			return err
		}
		if len(prev) > 0 {
			o.PrevCompletedAt = &prev[0]
		}
		if err := tx.Create(&o).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return apperr.Conflict("repair_exists", "this work order already has a repair order")
			}
			return err
		}
		// This repair is the next visit of the unit's repairs completed before
		// it; a back-dated one only of its own outlet's.
		link := tx.Model(&Order{}).Where("unit_id = ? AND id <> ? AND completed_at IS NOT NULL AND completed_at < ? AND (next_received_at IS NULL OR next_received_at > ?)",
			o.UnitID, o.ID, o.ReceivedAt, o.ReceivedAt)
		if backdated {
			link = link.Where("outlet_id = ?", o.OutletID)
		}
		if err := link.UpdateColumn("next_received_at", o.ReceivedAt).Error; err != nil {
			return err
		}
		o.Number = fmt.Sprintf("RP%s%06d", received.In(s.o.Location).Format("20060102"), o.ID)
		if err := tx.Model(&Order{}).Where("id = ?", o.ID).Update("number", o.Number).Error; err != nil {
			return err
		}
		if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: "create", Entity: "repair", EntityID: idStr(o.ID), After: o.Snapshot()}); err != nil {
			return err
		}
		return s.o.Bus.Enqueue(tx, s.events(event.RepairCreated, o, nil)...)
	})
	if err != nil {
		return Order{}, wrap(err, "create repair")
	}
	s.named(ctx, &o)
	return o, nil
}

// load reads one order, applying the caller's outlet scope.
func (s *Service) load(ctx context.Context, g *gorm.DB, id uint64) (Order, error) {
	q := g.WithContext(ctx).Where("id = ?", id)
	if own, ok := actor.From(ctx).OutletScoped(); ok {
		q = q.Where("outlet_id = ?", own)
	}
	var o Order
	if err := db.Take(q, &o, "repair"); err != nil {
		return Order{}, err
	}
	return o, nil
}

func checkTransition(from, to string) error {
	for _, s := range transitions[from] {
		if s == to {
			return nil
		}
	}
	return apperr.Conflict("invalid_transition", fmt.Sprintf("a %s repair cannot become %s", from, to)).WithDetail("allowed", Allowed(from))
}

// change is the work of one state change inside mutate's transaction. It
// edits *o (the status is set by mutate) and may return stock takes to
// publish after commit and follow-up events.
type change func(tx *gorm.DB, o *Order, now time.Time) (*effects, error)

// effects are what a change leaves to do after commit.
type effects struct {
	entitlement *Entitlement
}

// mutate runs one state change: load (scoped), version check, transition
// check, change, guarded write, audit — all in one transaction, retried on
// a MySQL deadlock.
func (s *Service) mutate(ctx context.Context, id uint64, version int64, to, action string, fn change) (Order, *effects, error) {
	var out Order
	var eff *effects
	err := parts.Retry(func() error {
		eff = nil
		return s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			o, err := s.load(ctx, tx, id)
			if err != nil {
				return err
			}
			if version != 0 && version != o.Version {
				return apperr.ErrVersionConflict("repair")
			}
			if err := s.ownWork(ctx, o); err != nil {
				return err
			}
			if to != "" {
				if err := checkTransition(o.Status, to); err != nil {
					return err
				}
			}
			before := o.Snapshot()
			now := s.o.Now().UTC()
			e, err := fn(tx, &o, now)
			if err != nil {
				return err
			}
			eff = e
			if to != "" {
				o.Status = to
			}
			if err := db.UpdateVersioned(tx, &Order{}, o.ID, o.Version, "repair", map[string]any{
				"status": o.Status, "technician_id": o.TechnicianID, "technician_name": o.TechnicianName,
				"diagnosis": o.Diagnosis, "fault_code": o.FaultCode, "cause": o.Cause,
				"quote_fen": o.QuoteFen, "quote_approved_by": o.QuoteApprovedBy, "quote_channel": o.QuoteChannel,
				"quote_decided_at": o.QuoteDecidedAt, "decline_reason": o.DeclineReason, "labour_code": o.LabourCode,
				"labour_fen": o.LabourFen, "parts_fen": o.PartsFen, "charge_fen": o.ChargeFen, "claim_fen": o.ClaimFen,
				"result": o.Result, "visits": o.Visits, "customer_confirmed": o.CustomerConfirmed, "record_complete": o.RecordComplete,
				"confirmation_note": o.ConfirmationNote, "replacement_serial": o.ReplacementSerial, "cancel_reason": o.CancelReason,
				"diagnosed_at": o.DiagnosedAt, "started_at": o.StartedAt, "completed_at": o.CompletedAt, "closed_at": o.ClosedAt,
				"version": o.Version + 1, "updated_at": now}); err != nil {
				return err
			}
			o.Version++
			o.UpdatedAt = now
			s.named(ctx, &o)
			out = o
			if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: action, Entity: "repair", EntityID: idStr(o.ID), Before: before, After: o.Snapshot()}); err != nil {
				return err
			}
			if typ, ok := actionEvents[action]; ok {
				return s.o.Bus.Enqueue(tx, s.events(typ, o, eff)...)
			}
			return nil
		})
	})
	if err != nil {
		return Order{}, nil, wrap(err, action+" repair")
	}
	return out, eff, nil
}

// Diagnosis is the input of Diagnose.
type Diagnosis struct {
	Diagnosis string
	FaultCode string
	Cause     string
}

// Diagnose records the fault. In warranty the order is ready to start;
// out of warranty it needs a quote first. A fault that has already been
// repaired in warranty ReplaceAfterRepairs times raises the replacement
// entitlement now, so the customer is offered a replacement instead of yet
// another repair. Errors: validation, not_found, conflict.
func (s *Service) Diagnose(ctx context.Context, id uint64, version int64, d Diagnosis) (Order, error) {
	d.Diagnosis = strings.TrimSpace(d.Diagnosis)
	d.FaultCode = strings.ToUpper(strings.TrimSpace(d.FaultCode))
	d.Cause = strings.TrimSpace(d.Cause)
	fields := apperr.Fields{}
	if d.Diagnosis == "" || utf8.RuneCountInString(d.Diagnosis) > 2000 {
		fields["diagnosis"] = apperr.RequiredMax(2000)
	}
	if !faultCodePattern.MatchString(d.FaultCode) {
		fields["fault_code"] = apperr.Identifier(1, 32)
	}
	if utf8.RuneCountInString(d.Cause) > 2000 {
		fields["cause"] = apperr.TooLong(2000)
	}
	if len(fields) > 0 {
		return Order{}, apperr.FieldsErr(fields)
	}
	n, err := s.replaceAfter(ctx, id)
	if err != nil {
		return Order{}, wrap(err, "diagnose repair")
	}
	o, _, err := s.mutate(ctx, id, version, StatusDiagnosed, "diagnose", func(tx *gorm.DB, o *Order, now time.Time) (*effects, error) {
		o.Diagnosis, o.FaultCode = d.Diagnosis, d.FaultCode
		if d.Cause != "" {
			o.Cause = d.Cause
		}
		o.DiagnosedAt = &now
		if !o.InWarranty {
			return nil, nil
		}
		e, err := s.evaluateEntitlement(ctx, tx, *o, 0, n, now)
		return &effects{entitlement: e}, err
	})
	if err != nil {
		return Order{}, err
	}
	return o, nil
}

// QuoteItem is one line asked for in a quote: a part (by code) or a labour
// rate (by code), with a quantity.
type QuoteItem struct {
	Kind string // part or labour
	Code string
	Qty  int64
}

// MaxQuoteLines bounds a quote.
const MaxQuoteLines = 50

// Quote prices an out-of-warranty repair from the published price list and
// puts it to the customer (replacing any earlier quote; a re-quote during
// work stops the work until it is approved). Errors: validation, not_found,
// conflict (quote_not_required in warranty, invalid_transition).
func (s *Service) Quote(ctx context.Context, id uint64, version int64, items []QuoteItem) (Order, []QuoteLine, error) {
	if len(items) == 0 || len(items) > MaxQuoteLines {
		return Order{}, nil, apperr.FieldErr("lines", apperr.Code("line_count", fmt.Sprintf("1 to %d lines", MaxQuoteLines)).With("min", 1).With("max", MaxQuoteLines))
	}
	lines := make([]QuoteLine, 0, len(items))
	fields := apperr.Fields{}
	for i, it := range items {
		key := fmt.Sprintf("lines[%d]", i)
		it.Code = strings.TrimSpace(it.Code)
		if it.Qty <= 0 || it.Qty > 1000 {
			fields[key+".qty"] = apperr.OutOfRange(1, 1000)
			continue
		}
		switch it.Kind {
		case "part":
			if s.o.Stock == nil {
				fields[key+".code"] = apperr.NoSuch("part")
				continue
			}
			p, err := s.o.Stock.PartByCode(ctx, it.Code)
			if err != nil || !p.Active {
				if err != nil && !apperr.IsKind(err, apperr.KindNotFound) {
					return Order{}, nil, err
				}
				fields[key+".code"] = apperr.NoSuch("active_part")
				continue
			}
			lines = append(lines, QuoteLine{Kind: "part", Code: p.Code, Name: p.Name, Qty: it.Qty, UnitFen: p.PriceFen, AmountFen: p.PriceFen * it.Qty})
		case "labour":
			r, err := s.rateByCode(ctx, it.Code)
			if err != nil {
				if !apperr.IsKind(err, apperr.KindNotFound) {
					return Order{}, nil, err
				}
				fields[key+".code"] = apperr.NoSuch("active_labour_rate")
				continue
			}
			lines = append(lines, QuoteLine{Kind: "labour", Code: r.Code, Name: r.Name, Qty: it.Qty, UnitFen: r.PriceFen, AmountFen: r.PriceFen * it.Qty})
		default:
			fields[key+".kind"] = apperr.OneOf("part", "labour")
		}
	}
	if len(fields) > 0 {
		return Order{}, nil, apperr.FieldsErr(fields)
	}
	var total int64
	for _, l := range lines {
		total += l.AmountFen
	}
	o, _, err := s.mutate(ctx, id, version, StatusQuoted, "quote", func(tx *gorm.DB, o *Order, now time.Time) (*effects, error) {
		if o.InWarranty {
			return nil, apperr.Conflict("quote_not_required", "the repair is in warranty: the customer pays nothing")
		}
		if err := tx.Where("repair_id = ?", o.ID).Delete(&QuoteLine{}).Error; err != nil {
			return nil, err
		}
		for i := range lines {
			lines[i].RepairID = o.ID
		}
		if err := tx.Create(&lines).Error; err != nil {
			return nil, err
		}
		o.QuoteFen, o.QuoteApprovedBy, o.QuoteChannel, o.QuoteDecidedAt = total, "", "", nil
		return nil, nil
	})
	if err != nil {
		return Order{}, nil, err
	}
	return o, lines, nil
}

// Quote approval channels: how the customer gave consent.
var approvalChannels = map[string]bool{"signature": true, "phone": true, "sms": true, "online": true}

// ApproveQuote records the customer's approval of the quote (who, and how:
// signature, phone, sms or online). Errors: validation, not_found, conflict.
func (s *Service) ApproveQuote(ctx context.Context, id uint64, version int64, approvedBy, channel string) (Order, error) {
	approvedBy = strings.TrimSpace(approvedBy)
	fields := apperr.Fields{}
	if approvedBy == "" || utf8.RuneCountInString(approvedBy) > 64 {
		fields["approved_by"] = apperr.RequiredMax(64)
	}
	if !approvalChannels[channel] {
		fields["channel"] = apperr.OneOf("signature", "phone", "sms", "online")
	}
	if len(fields) > 0 {
		return Order{}, apperr.FieldsErr(fields)
	}
	o, _, err := s.mutate(ctx, id, version, StatusApproved, "approve_quote", func(tx *gorm.DB, o *Order, now time.Time) (*effects, error) {
		o.QuoteApprovedBy, o.QuoteChannel, o.QuoteDecidedAt = approvedBy, channel, &now
		return nil, nil
	})
	if err != nil {
		return Order{}, err
	}
	return o, nil
}

// DeclineQuote records that the customer declined the quote; the unit goes
// back unrepaired and the order is closed. Errors: validation, not_found,
// conflict.
func (s *Service) DeclineQuote(ctx context.Context, id uint64, version int64, reason string) (Order, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 255 {
		return Order{}, apperr.FieldErr("reason", apperr.RequiredMax(255))
	}
	o, _, err := s.mutate(ctx, id, version, StatusDeclined, "decline_quote", func(tx *gorm.DB, o *Order, now time.Time) (*effects, error) {
		if err := s.checkWorkOrderResult(ctx, tx, o, StatusDeclined, ""); err != nil {
			return nil, err
		}
		o.DeclineReason, o.QuoteDecidedAt, o.ClosedAt = reason, &now, &now
		return nil, nil
	})
	if err != nil {
		return Order{}, err
	}
	return o, nil
}

// Start begins the work. Out of warranty the customer must have approved
// the quote first: starting without an approved quote is a 409
// quote_not_approved. Errors: not_found, conflict.
func (s *Service) Start(ctx context.Context, id uint64, version int64) (Order, error) {
	o, _, err := s.mutate(ctx, id, version, "", "start", func(tx *gorm.DB, o *Order, now time.Time) (*effects, error) {
		// The quote gate answers before the status machine, so starting an
		// out-of-warranty repair whose quote is not approved (diagnosed or
		// quoted) says why.
		if !o.InWarranty && (o.Status == StatusDiagnosed || o.Status == StatusQuoted) {
			return nil, apperr.Conflict("quote_not_approved", "out of warranty: the customer must approve the quote before work starts").
				WithDetail("status", o.Status)
		}
		if err := checkTransition(o.Status, StatusInProgress); err != nil {
			return nil, err
		}
		o.Status = StatusInProgress
		if o.StartedAt == nil {
			o.StartedAt = &now
		}
		if o.TechnicianID == nil && o.TechnicianName == "" {
			o.TechnicianName = actor.From(ctx).Username
		}
		return nil, nil
	})
	if err != nil {
		return Order{}, err
	}
	return o, nil
}

// PartUse is the input of AddPart: a part by id or code, the quantity, and
// the serials of the faulty part taken out and the replacement put in.
// ReturnOldPart overrides whether the old part must come back (default: in
// warranty yes, out of warranty no).
type PartUse struct {
	PartID            uint64
	PartCode          string
	Qty               int64
	FaultySerial      string
	ReplacementSerial string
	ReturnOldPart     *bool
}

// AddPart takes a part from the outlet's stock for the repair and records
// the line in the same transaction: two technicians taking the last part
// cannot both succeed (409 out_of_stock for the second). Only a repair in
// progress may take parts. Errors: validation, not_found, conflict
// (invalid_transition, out_of_stock, version_conflict).
func (s *Service) AddPart(ctx context.Context, id uint64, version int64, in PartUse) (Order, PartLine, error) {
	in.PartCode = strings.TrimSpace(in.PartCode)
	in.FaultySerial = strings.TrimSpace(in.FaultySerial)
	in.ReplacementSerial = strings.TrimSpace(in.ReplacementSerial)
	fields := apperr.Fields{}
	if in.Qty == 0 {
		in.Qty = 1
	}
	if in.Qty < 0 || in.Qty > 100 {
		fields["qty"] = apperr.OutOfRange(1, 100)
	}
	if in.PartID == 0 && in.PartCode == "" {
		fields["part_id"] = apperr.Code("part_required", "part_id or part_code is required")
	}
	if utf8.RuneCountInString(in.FaultySerial) > 64 {
		fields["faulty_serial"] = apperr.TooLong(64)
	}
	if utf8.RuneCountInString(in.ReplacementSerial) > 64 {
		fields["replacement_serial"] = apperr.TooLong(64)
	}
	if (in.FaultySerial != "" || in.ReplacementSerial != "") && in.Qty != 1 {
		fields["qty"] = apperr.Code("serial_line_qty_one", "a line with serials is one piece: qty must be 1")
	}
	if in.FaultySerial != "" && in.FaultySerial == in.ReplacementSerial {
		fields["replacement_serial"] = apperr.Code("same_serial", "must differ from the faulty serial")
	}
	if len(fields) > 0 {
		return Order{}, PartLine{}, apperr.FieldsErr(fields)
	}
	if s.o.Stock == nil {
		return Order{}, PartLine{}, apperr.FieldErr("part_id", apperr.NoSuch("part"))
	}
	var p parts.Part
	var err error
	if in.PartID != 0 {
		p, err = s.o.Stock.Part(ctx, in.PartID)
	} else {
		p, err = s.o.Stock.PartByCode(ctx, in.PartCode)
	}
	if err != nil {
		if apperr.IsKind(err, apperr.KindNotFound) {
			return Order{}, PartLine{}, apperr.FieldErr("part_id", apperr.NoSuch("part"))
		}
		return Order{}, PartLine{}, err
	}
	var line PartLine
	o, _, err := s.mutate(ctx, id, version, "", "add_part", func(tx *gorm.DB, o *Order, now time.Time) (*effects, error) {
		if o.Status != StatusInProgress {
			return nil, apperr.Conflict("invalid_transition", "parts can only be taken for a repair in progress").
				WithDetail("allowed", Allowed(o.Status)).WithDetail("status", o.Status)
		}
		taken, err := s.o.Stock.TakeTx(ctx, tx, parts.Take{PartID: p.ID, LocationID: o.OutletID, Qty: in.Qty, Kind: parts.KindConsume,
			Ref: "repair:" + idStr(o.ID), Serial: in.ReplacementSerial, Note: o.Number})
		if err != nil {
			return nil, err
		}
		// A take that brought the stock low is recorded with the take.
		if err := s.o.Stock.EnqueueTaken(ctx, tx, taken); err != nil {
			return nil, err
		}
		line = PartLine{RepairID: o.ID, PartID: p.ID, PartCode: p.Code, PartName: p.Name, Qty: in.Qty, UnitFen: p.PriceFen,
			AmountFen: p.PriceFen * in.Qty, LocationID: o.OutletID, FaultySerial: in.FaultySerial, ReplacementSerial: in.ReplacementSerial,
			UnderWarranty: o.InWarranty, ChargeTo: ChargeCustomer, OldPartStatus: OldPartNotRequired, CreatedAt: now}
		if o.InWarranty {
			line.ChargeTo, line.OldPartStatus = ChargeWarranty, OldPartPending
		}
		if in.ReturnOldPart != nil {
			line.OldPartStatus = OldPartNotRequired
			if *in.ReturnOldPart {
				line.OldPartStatus = OldPartPending
			}
		}
		if err := tx.Create(&line).Error; err != nil {
			return nil, err
		}
		o.PartsFen += line.AmountFen
		return &effects{}, nil
	})
	if err != nil {
		return Order{}, PartLine{}, err
	}
	return o, line, nil
}

// ReturnOldPart records that the old part of a line came back on a day
// (calendar date; zero means today). Errors: not_found, conflict
// invalid_transition (not pending).
func (s *Service) ReturnOldPart(ctx context.Context, repairID, lineID uint64, on time.Time) (PartLine, error) {
	var line PartLine
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		o, err := s.load(ctx, tx, repairID)
		if err != nil {
			return err
		}
		if err := s.ownWork(ctx, o); err != nil {
			return err
		}
		if err := db.Take(tx.Where("id = ? AND repair_id = ?", lineID, o.ID), &line, "part line"); err != nil {
			return err
		}
		if line.OldPartStatus != OldPartPending {
			return apperr.Conflict("invalid_transition", "the old part of this line is "+line.OldPartStatus).WithDetail("allowed", []string{})
		}
		day := on
		if day.IsZero() {
			day = localDate(s.o.Now(), s.o.Location)
		}
		if day.After(localDate(s.o.Now(), s.o.Location)) {
			return apperr.FieldErr("returned_on", apperr.Code("in_future", "must not be in the future"))
		}
		before := map[string]any{"old_part_status": line.OldPartStatus}
		res := tx.Model(&PartLine{}).Where("id = ? AND old_part_status = ?", line.ID, OldPartPending).
			Updates(map[string]any{"old_part_status": OldPartReturned, "old_part_returned_on": day})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return apperr.ErrVersionConflict("part line")
		}
		line.OldPartStatus, line.OldPartReturnedOn = OldPartReturned, &day
		return s.o.Audit.Record(ctx, tx, audit.Entry{Action: "old_part_returned", Entity: "repair", EntityID: idStr(o.ID), Before: before,
			After: map[string]any{"line_id": line.ID, "part_code": line.PartCode, "faulty_serial": line.FaultySerial,
				"old_part_status": line.OldPartStatus, "old_part_returned_on": day}})
	})
	if err != nil {
		return PartLine{}, wrap(err, "return old part")
	}
	return line, nil
}

// Completion is the input of Complete.
type Completion struct {
	Result            string
	LabourCode        string
	Visits            int
	Cause             string
	CustomerConfirmed bool
	ConfirmationNote  string
	ReplacementSerial string
}

// Complete records the result and settles the charges: in warranty
// everything goes to the warranty claim; out of warranty the customer pays
// parts and labour, which may not exceed the approved quote (409
// quote_exceeded: re-quote first). A not-fixed result in warranty counts as
// a failed repair for the 三包 replacement entitlement; a replaced result
// fulfils the unit's open entitlements. Errors: validation, not_found,
// conflict.
func (s *Service) Complete(ctx context.Context, id uint64, version int64, c Completion) (Order, error) {
	c.LabourCode = strings.ToUpper(strings.TrimSpace(c.LabourCode))
	c.Cause = strings.TrimSpace(c.Cause)
	c.ConfirmationNote = strings.TrimSpace(c.ConfirmationNote)
	c.ReplacementSerial = strings.TrimSpace(c.ReplacementSerial)
	fields := apperr.Fields{}
	switch c.Result {
	case ResultFixed, ResultNotFixed, ResultReplaced:
	default:
		fields["result"] = apperr.OneOf("fixed", "not_fixed", "replaced")
	}
	if c.Visits == 0 {
		c.Visits = 1
	}
	if c.Visits < 1 || c.Visits > 20 {
		fields["visits"] = apperr.OutOfRange(1, 20)
	}
	if utf8.RuneCountInString(c.Cause) > 2000 {
		fields["cause"] = apperr.TooLong(2000)
	}
	if utf8.RuneCountInString(c.ConfirmationNote) > 255 {
		fields["confirmation_note"] = apperr.TooLong(255)
	}
	if c.Result == ResultReplaced && c.ReplacementSerial == "" {
		fields["replacement_serial"] = apperr.Required()
	}
	if utf8.RuneCountInString(c.ReplacementSerial) > 64 {
		fields["replacement_serial"] = apperr.TooLong(64)
	}
	if len(fields) > 0 {
		return Order{}, apperr.FieldsErr(fields)
	}
	var labour LabourRate
	if c.LabourCode != "" {
		r, err := s.rateByCode(ctx, c.LabourCode)
		if err != nil {
			if apperr.IsKind(err, apperr.KindNotFound) {
				return Order{}, apperr.FieldErr("labour_code", apperr.NoSuch("active_labour_rate"))
			}
			return Order{}, err
		}
		labour = r
	}
	n, err := s.replaceAfter(ctx, id)
	if err != nil {
		return Order{}, wrap(err, "complete repair")
	}
	o, _, err := s.mutate(ctx, id, version, StatusCompleted, "complete", func(tx *gorm.DB, o *Order, now time.Time) (*effects, error) {
		if err := s.checkWorkOrderResult(ctx, tx, o, StatusCompleted, c.Result); err != nil {
			return nil, err
		}
		o.Result, o.Visits, o.CustomerConfirmed, o.ConfirmationNote = c.Result, c.Visits, c.CustomerConfirmed, c.ConfirmationNote
		if c.Cause != "" {
			o.Cause = c.Cause
		}
		o.LabourCode, o.LabourFen = labour.Code, labour.PriceFen
		total := o.PartsFen + o.LabourFen
		if o.InWarranty {
			o.ClaimFen, o.ChargeFen = total, 0
		} else {
			if total > o.QuoteFen {
				return nil, apperr.Conflict("quote_exceeded", fmt.Sprintf("the charge (%d fen) exceeds the approved quote (%d fen): re-quote and get the customer's approval", total, o.QuoteFen)).
					WithDetail("quote_fen", o.QuoteFen).WithDetail("charge_fen", total)
			}
			o.ChargeFen, o.ClaimFen = total, 0
		}
		o.ReplacementSerial = c.ReplacementSerial
		o.CompletedAt, o.ClosedAt = &now, &now
		var lines []PartLine
		if err := tx.Where("repair_id = ?", o.ID).Find(&lines).Error; err != nil {
			return nil, err
		}
		o.RecordComplete = len(Missing(*o, lines)) == 0
		if err := s.linkCompletion(tx, o, now); err != nil {
			return nil, err
		}
		eff := &effects{}
		if c.Result == ResultReplaced {
			if err := s.fulfilEntitlements(ctx, tx, o.UnitID, o.ID, now); err != nil {
				return nil, err
			}
		} else if o.InWarranty {
			extra := 0
			if c.Result == ResultNotFixed {
				extra = 1
			}
			e, err := s.evaluateEntitlement(ctx, tx, *o, extra, n, now)
			if err != nil {
				return nil, err
			}
			eff.entitlement = e
		}
		return eff, nil
	})
	if err != nil {
		return Order{}, err
	}
	return o, nil
}

// Cancel withdraws an order before work starts. Errors: validation,
// not_found, conflict.
func (s *Service) Cancel(ctx context.Context, id uint64, version int64, reason string) (Order, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 255 {
		return Order{}, apperr.FieldErr("reason", apperr.RequiredMax(255))
	}
	o, _, err := s.mutate(ctx, id, version, StatusCancelled, "cancel", func(tx *gorm.DB, o *Order, now time.Time) (*effects, error) {
		o.CancelReason, o.ClosedAt = reason, &now
		return nil, s.unlinkCancelled(tx, *o)
	})
	if err != nil {
		return Order{}, err
	}
	return o, nil
}

// linkCompletion keeps the derived visit links when o completes at now: o's
// next visit (normally none yet) and, for any repair received after now,
// this completion as its previous one.
func (s *Service) linkCompletion(tx *gorm.DB, o *Order, now time.Time) error {
	var next []time.Time
	if err := tx.Model(&Order{}).Where("unit_id = ? AND id <> ? AND status <> ? AND received_at > ?", o.UnitID, o.ID, StatusCancelled, now).
		Order("received_at").Limit(1).Pluck("received_at", &next).Error; err != nil {
		return err
	}
	o.NextReceivedAt = nil
	if len(next) > 0 {
		o.NextReceivedAt = &next[0]
	}
	if err := tx.Model(&Order{}).Where("id = ?", o.ID).UpdateColumn("next_received_at", o.NextReceivedAt).Error; err != nil {
		return err
	}
	return tx.Exec(`UPDATE repair_orders SET prev_completed_at = ? WHERE unit_id = ? AND id <> ? AND received_at >= ?
		AND (prev_completed_at IS NULL OR prev_completed_at < ?)`, now, o.UnitID, o.ID, now, now).Error
}

// unlinkCancelled recomputes the next visit of the unit's completed repairs
// when o is cancelled: a withdrawn repair is no return of the fault.
func (s *Service) unlinkCancelled(tx *gorm.DB, o Order) error {
	var done []Order
	if err := tx.Select("id", "completed_at").Where("unit_id = ? AND id <> ? AND completed_at IS NOT NULL AND completed_at < ?", o.UnitID, o.ID, o.ReceivedAt).
		Find(&done).Error; err != nil {
		return err
	}
	for _, p := range done {
		var next []time.Time
		if err := tx.Model(&Order{}).Where("unit_id = ? AND id <> ? AND id <> ? AND status <> ? AND received_at > ?", o.UnitID, o.ID, p.ID, StatusCancelled, *p.CompletedAt).
			Order("received_at").Limit(1).Pluck("received_at", &next).Error; err != nil {
			return err
		}
		var v *time.Time
		if len(next) > 0 {
			v = &next[0]
		}
		if err := tx.Model(&Order{}).Where("id = ?", p.ID).UpdateColumn("next_received_at", v).Error; err != nil {
			return err
		}
	}
	return nil
}

// actionEvents names the event each mutate action records.
var actionEvents = map[string]event.Type[event.Repair]{
	"diagnose": event.RepairDiagnosed, "quote": event.RepairQuoted, "approve_quote": event.RepairQuoteApproved,
	"decline_quote": event.RepairQuoteDeclined, "start": event.RepairStarted, "complete": event.RepairCompleted,
	"cancel": event.RepairCancelled, "remove_part": event.RepairPartRemoved,
}

// events builds an order event on its outlet's topic, and the entitlement
// event on the hotline's; they are recorded in the change's transaction.
func (s *Service) events(typ event.Type[event.Repair], o Order, eff *effects) []event.Event {
	out := []event.Event{typ.New(event.OutletTopic(o.OutletID), event.Repair{ID: o.ID, Number: o.Number, OutletID: o.OutletID,
		UnitID: o.UnitID, Serial: o.Serial, WorkOrderID: o.WorkOrderID, TicketID: o.TicketID, CustomerID: o.CustomerID,
		Status: o.Status, Result: o.Result, InWarranty: o.InWarranty, QuoteFen: o.QuoteFen, ChargeFen: o.ChargeFen, ClaimFen: o.ClaimFen})}
	if eff != nil && eff.entitlement != nil {
		e := eff.entitlement
		out = append(out, event.Event{Topic: event.TopicTickets, Name: "repair.replacement_entitled", Data: map[string]any{
			"entitlement_id": e.ID, "unit_id": e.UnitID, "serial": o.Serial, "fault_code": e.FaultCode, "outlet_id": o.OutletID,
			"failed_repairs": e.FailedRepairs, "repair_id": o.ID}})
	}
	return out
}

func localDate(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// wrap classifies a storage error (db.Classify: busy, duplicate,
// unavailable, internal) with what was being done.
func wrap(err error, what string) error { return db.Classify(err, what) }

// named fills the technician names of orders that name a technician by id
// from the staff register (joined on read: the stored column keeps only a
// free-text name given without an id). A failing lookup leaves the names
// as stored: a list without names beats no list.
func (s *Service) named(ctx context.Context, orders ...*Order) {
	if s.o.Technicians == nil {
		return
	}
	var ids []uint64
	for _, o := range orders {
		if o.TechnicianID != nil {
			ids = append(ids, *o.TechnicianID)
		}
	}
	if len(ids) == 0 {
		return
	}
	m, err := s.o.Technicians(ctx, ids)
	if err != nil {
		return
	}
	for _, o := range orders {
		if o.TechnicianID != nil {
			if t, ok := m[*o.TechnicianID]; ok {
				o.TechnicianName = t.Name
			}
		}
	}
}
