package parts

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/event"
)

// MaxRequisitionLines bounds one requisition.
const MaxRequisitionLines = 50

// reqTransitions is the requisition status machine.
var reqTransitions = map[string][]string{
	ReqRequested: {ReqShipped, ReqCancelled},
	ReqShipped:   {ReqReceived},
	ReqReceived:  {},
	ReqCancelled: {},
}

func checkReqTransition(from, to string) error {
	for _, s := range reqTransitions[from] {
		if s == to {
			return nil
		}
	}
	return apperr.Conflict("invalid_transition", fmt.Sprintf("a %s requisition cannot become %s", from, to)).
		WithDetail("allowed", append([]string{}, reqTransitions[from]...))
}

// NewLine is one part and quantity of a new requisition.
type NewLine struct {
	PartID uint64
	Qty    int64
}

// NewRequisition is the input of CreateRequisition. Outlet users request
// for their own outlet (OutletID may be left 0).
type NewRequisition struct {
	OutletID    uint64
	Lines       []NewLine
	WorkOrderID *uint64
	RepairID    *uint64
	Note        string
}

// CreateRequisition records an outlet's request for parts from the central
// warehouse. Errors: validation, not_found (outlet outside the caller's
// scope).
func (s *Service) CreateRequisition(ctx context.Context, in NewRequisition) (Requisition, error) {
	fields := apperr.Fields{}
	if own, ok := actor.From(ctx).OutletScoped(); ok {
		if in.OutletID != 0 && in.OutletID != own {
			return Requisition{}, apperr.NotFound("outlet")
		}
		in.OutletID = own
	}
	if in.OutletID == 0 {
		fields["outlet_id"] = apperr.Required()
	}
	in.Note = strings.TrimSpace(in.Note)
	if utf8.RuneCountInString(in.Note) > 255 {
		fields["note"] = apperr.TooLong(255)
	}
	merged := map[uint64]int64{}
	if len(in.Lines) == 0 || len(in.Lines) > MaxRequisitionLines {
		fields["lines"] = apperr.Code("line_count", fmt.Sprintf("1 to %d lines", MaxRequisitionLines)).With("min", 1).With("max", MaxRequisitionLines)
	}
	for i, l := range in.Lines {
		if l.PartID == 0 {
			fields[fmt.Sprintf("lines[%d].part_id", i)] = apperr.Required()
		}
		if l.Qty <= 0 || l.Qty > MaxQty {
			fields[fmt.Sprintf("lines[%d].qty", i)] = apperr.OutOfRange(1, MaxQty)
		}
		merged[l.PartID] += l.Qty
	}
	if len(fields) > 0 {
		return Requisition{}, apperr.FieldsErr(fields)
	}
	if err := s.checkLocation(ctx, in.OutletID, false); err != nil {
		if apperr.IsKind(err, apperr.KindValidation) {
			return Requisition{}, apperr.FieldErr("outlet_id", apperr.NoSuch("outlet"))
		}
		return Requisition{}, err
	}
	ids := make([]uint64, 0, len(merged))
	for id := range merged {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	known, err := s.PartsByIDs(ctx, ids)
	if err != nil {
		return Requisition{}, err
	}
	for _, id := range ids {
		if p, ok := known[id]; !ok || !p.Active {
			return Requisition{}, apperr.FieldErr("lines", apperr.NoSuch("active_part").With("id", id))
		}
	}
	now := s.o.Now().UTC()
	r := Requisition{OutletID: in.OutletID, Status: ReqRequested, RequestedAt: now, RequestedBy: actor.From(ctx).Username,
		WorkOrderID: in.WorkOrderID, RepairID: in.RepairID, Note: in.Note, Version: 1, CreatedAt: now, UpdatedAt: now}
	err = s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&r).Error; err != nil {
			return err
		}
		r.Number = fmt.Sprintf("RQ%s%06d", now.In(s.o.Location).Format("20060102"), r.ID)
		if err := tx.Model(&Requisition{}).Where("id = ?", r.ID).Update("number", r.Number).Error; err != nil {
			return err
		}
		for _, id := range ids {
			l := RequisitionLine{RequisitionID: r.ID, PartID: id, Qty: merged[id]}
			if err := tx.Create(&l).Error; err != nil {
				return err
			}
			r.Lines = append(r.Lines, l)
		}
		if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: "create", Entity: "requisition", EntityID: idStr(r.ID), After: r.Snapshot()}); err != nil {
			return err
		}
		return s.o.Bus.Enqueue(tx, reqEvents(event.PartsRequisitionCreated, r)...)
	})
	if err != nil {
		return Requisition{}, wrap(err, "create requisition")
	}
	return r, nil
}

// Requisition returns one requisition with its lines; outlet users see only
// their outlet's. Errors: not_found.
func (s *Service) Requisition(ctx context.Context, id uint64) (Requisition, error) {
	r, err := s.loadReq(ctx, s.o.DB, id, true)
	if err != nil {
		return Requisition{}, wrap(err, "get requisition")
	}
	return r, nil
}

// loadReq reads a requisition with its lines; scoped applies the caller's
// outlet data scope (another outlet's requisition is not found).
func (s *Service) loadReq(ctx context.Context, g *gorm.DB, id uint64, scoped bool) (Requisition, error) {
	q := g.WithContext(ctx).Where("id = ?", id)
	if own, ok := actor.From(ctx).OutletScoped(); ok && scoped {
		q = q.Where("outlet_id = ?", own)
	}
	var r Requisition
	if err := db.Take(q, &r, "requisition"); err != nil {
		return Requisition{}, err
	}
	if err := g.WithContext(ctx).Where("requisition_id = ?", r.ID).Order("part_id").Find(&r.Lines).Error; err != nil {
		return Requisition{}, err
	}
	return r, nil
}

// RequisitionFilter selects requisitions, newest first.
type RequisitionFilter struct {
	Status     string
	OutletID   uint64
	From, To   *time.Time
	Page, Size int
}

// Requisitions pages requisitions newest first; outlet users see only their
// outlet's. Lines are not loaded (open one for them).
func (s *Service) Requisitions(ctx context.Context, f RequisitionFilter) ([]Requisition, int64, error) {
	q := s.o.DB.WithContext(ctx).Model(&Requisition{})
	if own, ok := actor.From(ctx).OutletScoped(); ok {
		q = q.Where("outlet_id = ?", own)
	}
	if f.OutletID != 0 {
		q = q.Where("outlet_id = ?", f.OutletID)
	}
	if f.Status != "" {
		if _, ok := reqTransitions[f.Status]; !ok {
			return nil, 0, apperr.FieldErr("status", apperr.Unknown(f.Status))
		}
		q = q.Where("status = ?", f.Status)
	}
	if f.From != nil {
		q = q.Where("requested_at >= ?", f.From.UTC())
	}
	if f.To != nil {
		q = q.Where("requested_at < ?", f.To.UTC())
	}
	page, size := bound(f.Page, f.Size)
	out, total, err := db.OffsetPage[Requisition](q, "requested_at DESC, id DESC", page, size)
	if err != nil {
		return nil, 0, apperr.Internal(fmt.Errorf("list requisitions: %w", err))
	}
	return out, total, nil
}

// mutateReq loads a requisition in a transaction, checks the version and
// the transition, lets change do its stock work, and writes the new status
// with the version guard and the audit record.
func (s *Service) mutateReq(ctx context.Context, id uint64, version int64, to, action string, scoped bool,
	change func(tx *gorm.DB, r *Requisition, now time.Time) ([]Taken, error)) (Requisition, []Taken, error) {
	var out Requisition
	var taken []Taken
	err := Retry(func() error {
		taken = nil
		return s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			r, err := s.loadReq(ctx, tx, id, scoped)
			if err != nil {
				return err
			}
			if version != 0 && version != r.Version {
				return apperr.ErrVersionConflict("requisition")
			}
			if err := checkReqTransition(r.Status, to); err != nil {
				return err
			}
			before := r.Snapshot()
			now := s.o.Now().UTC()
			t, err := change(tx, &r, now)
			if err != nil {
				return err
			}
			taken = t
			r.Status = to
			if err := db.UpdateVersioned(tx, &Requisition{}, r.ID, r.Version, "requisition", map[string]any{
				"status": r.Status, "shipped_at": r.ShippedAt, "received_at": r.ReceivedAt, "fulfil_seconds": r.FulfilSeconds,
				"cancelled_at": r.CancelledAt, "note": r.Note, "version": r.Version + 1, "updated_at": now}); err != nil {
				return err
			}
			r.Version++
			r.UpdatedAt = now
			out = r
			if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: action, Entity: "requisition", EntityID: idStr(r.ID), Before: before, After: r.Snapshot()}); err != nil {
				return err
			}
			if err := s.EnqueueTaken(ctx, tx, taken...); err != nil {
				return err
			}
			return s.o.Bus.Enqueue(tx, reqEvents(reqActionEvents[action], r)...)
		})
	})
	if err != nil {
		return Requisition{}, nil, wrap(err, action+" requisition")
	}
	return out, taken, nil
}

// Ship sends a requisition's parts from the central warehouse: every line
// is taken from central stock in the same transaction, so a shortage of any
// part refuses the whole shipment with 409 out_of_stock. Errors: not_found,
// conflict (invalid_transition, version_conflict, out_of_stock).
func (s *Service) Ship(ctx context.Context, id uint64, version int64) (Requisition, error) {
	r, _, err := s.mutateReq(ctx, id, version, ReqShipped, "ship", false, func(tx *gorm.DB, r *Requisition, now time.Time) ([]Taken, error) {
		var out []Taken
		for i := range r.Lines {
			l := &r.Lines[i]
			t, err := s.TakeTx(ctx, tx, Take{PartID: l.PartID, LocationID: LocationCentral, Qty: l.Qty, Kind: KindTransferOut,
				Ref: "requisition:" + idStr(r.ID), Note: r.Number})
			if err != nil {
				return nil, err
			}
			if err := tx.Model(&RequisitionLine{}).Where("id = ?", l.ID).Update("qty_shipped", l.Qty).Error; err != nil {
				return nil, err
			}
			l.QtyShipped = l.Qty
			out = append(out, t)
		}
		r.ShippedAt = &now
		return out, nil
	})
	if err != nil {
		return Requisition{}, err
	}
	return r, nil
}

// ReceiveRequisition books a shipped requisition into the outlet's stock and
// stores the time-to-part. Outlet users receive only their own. Errors:
// not_found, conflict (invalid_transition, version_conflict).
func (s *Service) ReceiveRequisition(ctx context.Context, id uint64, version int64) (Requisition, error) {
	r, _, err := s.mutateReq(ctx, id, version, ReqReceived, "receive", true, func(tx *gorm.DB, r *Requisition, now time.Time) ([]Taken, error) {
		for _, l := range r.Lines {
			if l.QtyShipped == 0 {
				continue
			}
			if _, err := s.addTx(ctx, tx, l.PartID, r.OutletID, l.QtyShipped, KindTransferIn, "requisition:"+idStr(r.ID), "", r.Number); err != nil {
				return nil, err
			}
		}
		r.ReceivedAt = &now
		secs := int64(now.Sub(r.RequestedAt) / time.Second)
		r.FulfilSeconds = &secs
		return nil, nil
	})
	if err != nil {
		return Requisition{}, err
	}
	return r, nil
}

// CancelRequisition withdraws a requisition that has not shipped. Errors:
// validation (reason), not_found, conflict.
func (s *Service) CancelRequisition(ctx context.Context, id uint64, version int64, reason string) (Requisition, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 255 {
		return Requisition{}, apperr.FieldErr("reason", apperr.RequiredMax(255))
	}
	r, _, err := s.mutateReq(ctx, id, version, ReqCancelled, "cancel", true, func(tx *gorm.DB, r *Requisition, now time.Time) ([]Taken, error) {
		r.CancelledAt = &now
		r.Note = truncate(strings.TrimSpace(r.Note+" 取消："+reason), 255)
		return nil, nil
	})
	if err != nil {
		return Requisition{}, err
	}
	return r, nil
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// reqActionEvents is the event each mutateReq action records.
var reqActionEvents = map[string]event.Type[event.Requisition]{
	"ship": event.PartsRequisitionShipped, "receive": event.PartsRequisitionReceived, "cancel": event.PartsRequisitionCancelled,
}

// reqEvents tells the outlet and the central warehouse.
func reqEvents(t event.Type[event.Requisition], r Requisition) []event.Event {
	p := event.Requisition{ID: r.ID, Number: r.Number, OutletID: r.OutletID, Status: r.Status}
	return []event.Event{t.New(LocationTopic(r.OutletID), p), t.New(LocationTopic(LocationCentral), p)}
}

// FillRate is the spare-parts fill rate and time-to-part of a period.
type FillRate struct {
	From, To time.Time
	// LeadTimeHours is the commitment (default 24).
	LeadTimeHours float64
	// Due counts requisitions requested in the period whose outcome is
	// known: received, or past the lead-time deadline at the as-of time.
	Due int64
	// OnTime counts those received within the lead time.
	OnTime int64
	// Open counts requisitions past the deadline and not yet received.
	Open int64
	// Rate is OnTime ÷ Due; nil when Due is 0.
	Rate *float64
	// AvgHoursToPart is the mean requested→received time of received ones.
	AvgHoursToPart *float64
	// LateIDs are up to 20 late requisitions ("requisition:<id>").
	LateIDs []string
}

// FillRateOf measures the fill rate (requisitions received within the lead
// time) and the mean time-to-part for requisitions requested in [from, to),
// as of asOf, in SQL. outletID 0 means every outlet (outlet users always
// get their own).
func (s *Service) FillRateOf(ctx context.Context, from, to, asOf time.Time, outletID uint64) (FillRate, error) {
	if own, ok := actor.From(ctx).OutletScoped(); ok {
		outletID = own
	}
	lead := int64(s.o.LeadTime / time.Second)
	cutoff := asOf.UTC().Add(-s.o.LeadTime)
	where := "status <> ? AND requested_at >= ? AND requested_at < ? AND (received_at IS NOT NULL OR requested_at <= ?)"
	args := []any{ReqCancelled, from.UTC(), to.UTC(), cutoff}
	if outletID != 0 {
		where += " AND outlet_id = ?"
		args = append(args, outletID)
	}
	var agg struct {
		Due, OnTime, OpenCount int64
		AvgSeconds             *float64
	}
	q := `SELECT COUNT(*) AS due,
		COALESCE(SUM(CASE WHEN fulfil_seconds IS NOT NULL AND fulfil_seconds <= ? THEN 1 ELSE 0 END), 0) AS on_time,
		COALESCE(SUM(CASE WHEN received_at IS NULL THEN 1 ELSE 0 END), 0) AS open_count,
		AVG(fulfil_seconds) AS avg_seconds
		FROM part_requisitions WHERE ` + where
	if err := s.o.DB.WithContext(ctx).Raw(q, append([]any{lead}, args...)...).Scan(&agg).Error; err != nil {
		return FillRate{}, apperr.Internal(fmt.Errorf("fill rate: %w", err))
	}
	out := FillRate{From: from, To: to, LeadTimeHours: s.o.LeadTime.Hours(), Due: agg.Due, OnTime: agg.OnTime, Open: agg.OpenCount, LateIDs: []string{}}
	if agg.Due > 0 {
		r := float64(agg.OnTime) / float64(agg.Due)
		out.Rate = &r
	}
	if agg.AvgSeconds != nil {
		h := *agg.AvgSeconds / 3600
		out.AvgHoursToPart = &h
	}
	var late []uint64
	if err := s.o.DB.WithContext(ctx).Model(&Requisition{}).Where(where, args...).
		Where("(fulfil_seconds IS NULL OR fulfil_seconds > ?)", lead).Order("requested_at").Limit(20).Pluck("id", &late).Error; err != nil {
		return FillRate{}, apperr.Internal(fmt.Errorf("fill rate late: %w", err))
	}
	for _, id := range late {
		out.LateIDs = append(out.LateIDs, "requisition:"+idStr(id))
	}
	return out, nil
}
