package repair

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/passport"
)

// Detail is a repair order with its quote, part lines, the earlier repair
// it repeats (if any) and what its record lacks for an auditor's sample.
type Detail struct {
	Order
	QuoteLines []QuoteLine
	Parts      []PartLine
	// RepeatOf is the previous repair of the same unit completed within the
	// repeat window before this one was received.
	RepeatOf *uint64
	// Missing lists what the record lacks (see Missing).
	Missing []string
}

// Missing lists what a repair record lacks for the auditor's sample
// (GB/T 27922 5.2.4 "repair records complete"): the fault code, the cause,
// the faulty and replacement serial of every part, the charges (out of
// warranty: the customer's approved quote) and the customer's
// confirmation. An empty list means the record is complete.
func Missing(o Order, lines []PartLine) []string {
	out := []string{}
	if o.FaultCode == "" {
		out = append(out, "fault_code")
	}
	if strings.TrimSpace(o.Cause) == "" {
		out = append(out, "cause")
	}
	for _, l := range lines {
		if l.FaultySerial == "" || l.ReplacementSerial == "" {
			out = append(out, "part_serials")
			break
		}
	}
	if !o.InWarranty && o.QuoteApprovedBy == "" {
		out = append(out, "charges")
	}
	if !o.CustomerConfirmed {
		out = append(out, "customer_confirmation")
	}
	return out
}

// Get returns one repair with its lines; outlet users see only their
// outlet's. Errors: not_found.
func (s *Service) Get(ctx context.Context, id uint64) (Detail, error) {
	o, err := s.load(ctx, s.o.DB, id)
	if err != nil {
		return Detail{}, wrap(err, "get repair")
	}
	s.named(ctx, &o)
	d := Detail{Order: o, QuoteLines: []QuoteLine{}, Parts: []PartLine{}}
	db := s.o.DB.WithContext(ctx)
	if err := db.Where("repair_id = ?", id).Order("id").Find(&d.QuoteLines).Error; err != nil {
		return Detail{}, apperr.Internal(fmt.Errorf("quote lines: %w", err))
	}
	if err := db.Where("repair_id = ?", id).Order("id").Find(&d.Parts).Error; err != nil {
		return Detail{}, apperr.Internal(fmt.Errorf("part lines: %w", err))
	}
	var prev []uint64
	if err := db.Model(&Order{}).Where("unit_id = ? AND id <> ? AND status = ? AND completed_at < ? AND completed_at >= ?",
		o.UnitID, o.ID, StatusCompleted, o.ReceivedAt, o.ReceivedAt.AddDate(0, 0, -s.o.RepeatWindowDays)).
		Order("completed_at DESC").Limit(1).Pluck("id", &prev).Error; err != nil {
		return Detail{}, apperr.Internal(fmt.Errorf("repeat of: %w", err))
	}
	if len(prev) > 0 {
		d.RepeatOf = &prev[0]
	}
	d.Missing = Missing(o, d.Parts)
	return d, nil
}

// Filter selects repair orders, newest first, a page at a time (keyset on
// id: pass the last id of a page as BeforeID for the next).
type Filter struct {
	Status       string
	OutletID     uint64
	UnitID       uint64
	Serial       string
	TechnicianID uint64
	// WorkOrderID finds the repair opened from a work order.
	WorkOrderID uint64
	InWarranty  *bool
	From, To    *time.Time // received_at range [From, To)
	BeforeID    uint64
	Size        int
}

// List returns a page of repair orders, newest first; outlet users see
// only their outlet's. It pages by id (no total: counting 300,000 repairs
// per page view is not cheap).
func (s *Service) List(ctx context.Context, f Filter) ([]Order, error) {
	q := s.o.DB.WithContext(ctx).Model(&Order{})
	if own, ok := actor.From(ctx).OutletScoped(); ok {
		q = q.Where("outlet_id = ?", own)
	}
	if f.Status != "" {
		if _, ok := transitions[f.Status]; !ok {
			return nil, apperr.FieldErr("status", apperr.Unknown(f.Status))
		}
		q = q.Where("status = ?", f.Status)
	}
	if f.OutletID != 0 {
		q = q.Where("outlet_id = ?", f.OutletID)
	}
	if f.UnitID != 0 {
		q = q.Where("unit_id = ?", f.UnitID)
	}
	if v := strings.ToUpper(strings.TrimSpace(f.Serial)); v != "" {
		q = q.Where("serial = ?", v)
	}
	if f.TechnicianID != 0 {
		q = q.Where("technician_id = ?", f.TechnicianID)
	}
	if f.WorkOrderID != 0 {
		q = q.Where("work_order_id = ?", f.WorkOrderID)
	}
	if f.InWarranty != nil {
		q = q.Where("in_warranty = ?", *f.InWarranty)
	}
	if f.From != nil {
		q = q.Where("received_at >= ?", f.From.UTC())
	}
	if f.To != nil {
		q = q.Where("received_at < ?", f.To.UTC())
	}
	_, size := bound(1, f.Size)
	out := []Order{}
	if err := db.NewestFirst(q, f.BeforeID, size).Find(&out).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("list repairs: %w", err))
	}
	ptrs := make([]*Order, len(out))
	for i := range out {
		ptrs[i] = &out[i]
	}
	s.named(ctx, ptrs...)
	return out, nil
}

// OldPart is a part line with its repair, for the old-part (旧件) return
// list.
type OldPart struct {
	PartLine
	RepairNumber string
	OutletID     uint64
	UnitSerial   string
}

// OldParts pages part lines by old-part status (default pending), oldest
// first; outlet users see only their outlet's.
func (s *Service) OldParts(ctx context.Context, status string, outletID uint64, page, size int) ([]OldPart, int64, error) {
	if status == "" {
		status = OldPartPending
	}
	switch status {
	case OldPartPending, OldPartReturned, OldPartNotRequired:
	default:
		return nil, 0, apperr.FieldErr("status", apperr.OneOf("pending", "returned", "not_required"))
	}
	q := s.o.DB.WithContext(ctx).Table("repair_parts pl").Joins("JOIN repair_orders r ON r.id = pl.repair_id").Where("pl.old_part_status = ?", status)
	if own, ok := actor.From(ctx).OutletScoped(); ok {
		q = q.Where("r.outlet_id = ?", own)
	} else if outletID != 0 {
		q = q.Where("r.outlet_id = ?", outletID)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, apperr.Internal(fmt.Errorf("count old parts: %w", err))
	}
	page, size = bound(page, size)
	out := []OldPart{}
	if err := q.Select("pl.*, r.number AS repair_number, r.outlet_id AS outlet_id, r.serial AS unit_serial").
		Order("pl.id").Offset((page - 1) * size).Limit(size).Scan(&out).Error; err != nil {
		return nil, 0, apperr.Internal(fmt.Errorf("list old parts: %w", err))
	}
	return out, total, nil
}

// KPI are the repair indicators of a period (repairs completed in
// [From, To)). Rates are nil when their denominator is 0.
type KPI struct {
	From, To time.Time
	// WindowDays is the repeat-repair window N.
	WindowDays int
	// Completed repairs in the period.
	Completed int64
	// FirstTimeFix: completed as fixed, in one visit, with no other repair
	// of the same unit received within N days after completion.
	FirstTimeFix     int64
	FirstTimeFixRate *float64
	// Repeat: completed repairs received within N days after the
	// completion of an earlier repair of the same unit.
	Repeat     int64
	RepeatRate *float64
	// RecordComplete: completed repairs whose record is complete (Missing
	// is empty).
	RecordComplete     int64
	RecordCompleteRate *float64
	InWarranty         int64
	ChargeFen          int64
	ClaimFen           int64
	// OldPartsPending counts part lines of these repairs whose old part has
	// not come back.
	OldPartsPending int64
	// NotFirstTimeFixIDs are up to 20 completed repairs that were not a
	// first-time fix ("repair:<id>"), for explanations.
	NotFirstTimeFixIDs []string
}

// windowConds returns the SQL conditions "the unit's next repair arrived
// within N days after r was completed" and "r arrived within N days after
// the unit's previous repair was completed", for the connection's dialect,
// on the derived columns next_received_at and prev_completed_at. N is an
// integer from configuration, never input.
func (s *Service) windowConds() (nextWithin, prevWithin string) {
	n := s.o.RepeatWindowDays
	return "r.next_received_at IS NOT NULL AND " + db.NotLaterThanDaysAfter(s.o.DB, "r.next_received_at", "r.completed_at", n),
		"r.prev_completed_at IS NOT NULL AND " + db.NotLaterThanDaysAfter(s.o.DB, "r.received_at", "r.prev_completed_at", n)
}

// KPIOf computes the period's repair indicators in SQL: one aggregate over
// an index-only range scan of ix_repair_orders_kpi (status, completed_at,
// result, visits, received_at, prev_completed_at, next_received_at,
// in_warranty, record_complete, charges), with the repeat window N applied
// here, so changing N re-reads history rather than rewriting it. outletID 0
// means every outlet; outlet users always get their own.
func (s *Service) KPIOf(ctx context.Context, from, to time.Time, outletID uint64) (KPI, error) {
	if own, ok := actor.From(ctx).OutletScoped(); ok {
		outletID = own
	}
	nextWithin, prevWithin := s.windowConds()
	ftf := `r.result = 'fixed' AND r.visits <= 1 AND NOT (` + nextWithin + `)`
	where := "r.status = 'completed' AND r.completed_at >= ? AND r.completed_at < ?"
	args := []any{from.UTC(), to.UTC()}
	if outletID != 0 {
		where += " AND r.outlet_id = ?"
		args = append(args, outletID)
	}
	db := s.o.DB.WithContext(ctx)
	var agg struct {
		Completed, FirstTimeFix, Repeats, RecordComplete, InWarranty, ChargeFen, ClaimFen int64
	}
	if err := db.Raw(`SELECT COUNT(*) AS completed,
		COALESCE(SUM(CASE WHEN `+ftf+` THEN 1 ELSE 0 END), 0) AS first_time_fix,
		COALESCE(SUM(CASE WHEN `+prevWithin+` THEN 1 ELSE 0 END), 0) AS repeats,
		COALESCE(SUM(CASE WHEN r.record_complete <> 0 THEN 1 ELSE 0 END), 0) AS record_complete,
		COALESCE(SUM(CASE WHEN r.in_warranty <> 0 THEN 1 ELSE 0 END), 0) AS in_warranty,
		COALESCE(SUM(r.charge_fen), 0) AS charge_fen, COALESCE(SUM(r.claim_fen), 0) AS claim_fen
		FROM repair_orders r WHERE `+where, args...).Scan(&agg).Error; err != nil {
		return KPI{}, apperr.Internal(fmt.Errorf("repair kpi: %w", err))
	}
	k := KPI{From: from, To: to, WindowDays: s.o.RepeatWindowDays, Completed: agg.Completed, FirstTimeFix: agg.FirstTimeFix,
		Repeat: agg.Repeats, RecordComplete: agg.RecordComplete, InWarranty: agg.InWarranty, ChargeFen: agg.ChargeFen, ClaimFen: agg.ClaimFen,
		NotFirstTimeFixIDs: []string{}}
	if k.Completed > 0 {
		c := float64(k.Completed)
		f, r, rc := float64(k.FirstTimeFix)/c, float64(k.Repeat)/c, float64(k.RecordComplete)/c
		k.FirstTimeFixRate, k.RepeatRate, k.RecordCompleteRate = &f, &r, &rc
	}
	if err := db.Raw(`SELECT COUNT(*) FROM repair_parts pl JOIN repair_orders r ON r.id = pl.repair_id WHERE pl.old_part_status = 'pending' AND `+where, args...).
		Scan(&k.OldPartsPending).Error; err != nil {
		return KPI{}, apperr.Internal(fmt.Errorf("repair kpi old parts: %w", err))
	}
	var ids []uint64
	if err := db.Raw(`SELECT r.id FROM repair_orders r WHERE `+where+` AND NOT (`+ftf+`) ORDER BY r.completed_at LIMIT 20`, args...).Scan(&ids).Error; err != nil {
		return KPI{}, apperr.Internal(fmt.Errorf("repair kpi ids: %w", err))
	}
	for _, id := range ids {
		k.NotFirstTimeFixIDs = append(k.NotFirstTimeFixIDs, "repair:"+idStr(id))
	}
	return k, nil
}

// PassportEntries implements passport.Source: the unit's repairs, every
// part replaced (faulty → replacement serial) and its replacement
// entitlements.
func (s *Service) PassportEntries(ctx context.Context, unitID uint64) ([]passport.Entry, error) {
	db := s.o.DB.WithContext(ctx)
	var orders []Order
	if err := db.Where("unit_id = ?", unitID).Order("received_at DESC").Limit(200).Find(&orders).Error; err != nil {
		return nil, fmt.Errorf("repair passport: %w", err)
	}
	out := make([]passport.Entry, 0, len(orders))
	ids := make([]uint64, 0, len(orders))
	numbers := map[uint64]string{}
	for _, o := range orders {
		ids = append(ids, o.ID)
		numbers[o.ID] = o.Number
		code, params := "repair", passport.Params{"number": o.Number, "repair_status": o.Status}
		if o.Result != "" {
			code += "_result"
			params["repair_result"] = o.Result
		}
		if o.FaultCode != "" {
			code += "_fault"
			params["fault_code"] = o.FaultCode
		}
		out = append(out, passport.Entry{At: o.ReceivedAt, Kind: "repair", TitleCode: code, TitleParams: params, Ref: "repair:" + idStr(o.ID), Data: map[string]any{
			"number": o.Number, "status": o.Status, "result": o.Result, "fault_code": o.FaultCode, "in_warranty": o.InWarranty,
			"outlet_id": o.OutletID, "work_order_id": o.WorkOrderID, "charge_fen": o.ChargeFen, "claim_fen": o.ClaimFen,
			"completed_at": o.CompletedAt}})
	}
	if len(ids) > 0 {
		var lines []PartLine
		if err := db.Where("repair_id IN ?", ids).Order("id").Find(&lines).Error; err != nil {
			return nil, fmt.Errorf("repair passport parts: %w", err)
		}
		for _, l := range lines {
			code, params := "part_replaced", passport.Params{"part_code": l.PartCode, "part_name": l.PartName}
			if l.FaultySerial != "" || l.ReplacementSerial != "" {
				code = "part_replaced_serials"
				params["faulty_serial"], params["replacement_serial"] = dash(l.FaultySerial), dash(l.ReplacementSerial)
			}
			out = append(out, passport.Entry{At: l.CreatedAt, Kind: "part_replaced", TitleCode: code, TitleParams: params, Ref: "repair:" + idStr(l.RepairID), Data: map[string]any{
				"repair_number": numbers[l.RepairID], "part_code": l.PartCode, "qty": l.Qty, "faulty_serial": l.FaultySerial,
				"replacement_serial": l.ReplacementSerial, "charge_to": l.ChargeTo, "old_part_status": l.OldPartStatus}})
		}
	}
	var ents []Entitlement
	if err := db.Where("unit_id = ?", unitID).Find(&ents).Error; err != nil {
		return nil, fmt.Errorf("repair passport entitlements: %w", err)
	}
	for _, e := range ents {
		out = append(out, passport.Entry{At: e.RaisedAt, Kind: "replacement_entitled",
			TitleCode: "replacement_entitled", TitleParams: passport.Params{"fault_code": e.FaultCode, "failed_repairs": e.FailedRepairs,
				"entitlement_status": e.Status},
			Ref: "replacement_entitlement:" + idStr(e.ID), Data: map[string]any{"status": e.Status, "fault_code": e.FaultCode, "failed_repairs": e.FailedRepairs}})
	}
	return out, nil
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
