package returns

import (
	"context"
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
	"github.com/aftersales/aftersales/backend/internal/passport"
)

// Page sizes of the lists.
const (
	DefaultPageSize = 20
	MaxPageSize     = 200
)

// Topic is the live-event topic of return events (the hotline's).
const Topic = "tickets"

// Unit is what a request needs to know of a unit. PurchaseDate is a
// calendar date; nil when unknown.
type Unit struct {
	ID           uint64
	Serial       string
	CustomerID   *uint64
	PurchaseDate *time.Time
}

// Windows are the last days of the unit's return and exchange windows
// (zero: no such window), as the product domain computes them.
type Windows struct {
	ReturnUntil   time.Time
	ExchangeUntil time.Time
}

// UnitLookup finds a unit by id (when id != 0) or by serial, or returns an
// apperr not_found. The product service provides it.
type UnitLookup func(ctx context.Context, id uint64, serial string) (Unit, error)

// WindowLookup returns a unit's 三包 windows. The product service provides
// it (product.WarrantyOfUnit).
type WindowLookup func(ctx context.Context, unitID uint64) (Windows, error)

// Lifecycle is what a completed request does to the unit, inside the
// request's transaction (the product service provides it): a return marks
// the unit returned and ends its warranty; an exchange registers the
// replacement for the same owner, links the two both ways and marks the old
// unit exchanged.
type Lifecycle interface {
	// Returned marks the unit returned on the day on.
	Returned(ctx context.Context, tx *gorm.DB, unitID uint64, on time.Time) error
	// Exchanged registers replacementSerial as the replacement of unitID on
	// the day on and returns its id; restart: its 三包 periods start that day.
	Exchanged(ctx context.Context, tx *gorm.DB, unitID uint64, replacementSerial string, on time.Time, restart bool, proof string) (uint64, error)
	// Published announces the unit changes after commit.
	Published(ctx context.Context, unitID uint64, replacementID *uint64)
}

// OutletCheck returns nil when the outlet exists, or an apperr not_found.
type OutletCheck func(ctx context.Context, id uint64) error

// Options are the Service's dependencies.
type Options struct {
	DB      *gorm.DB
	Audit   *audit.Trail
	Bus     event.Bus // may be nil (tests)
	Units   UnitLookup
	Windows WindowLookup
	Outlets OutletCheck
	// Lifecycle changes the unit when a request completes (nil: the unit
	// is not touched; tools and tests without the product domain).
	Lifecycle Lifecycle
	// ExchangeRestartsWarranty: a replacement's 三包 periods start on the
	// exchange date (config returns.exchange_restarts_warranty).
	ExchangeRestartsWarranty bool
	// Location is the enterprise time zone: "today" and numbers.
	Location *time.Location
	Now      func() time.Time
}

// Service manages return and exchange requests. It is safe for concurrent
// use.
type Service struct {
	o Options
}

// New returns a Service.
func New(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	return &Service{o: o}
}

func (s *Service) today() time.Time {
	y, m, d := s.o.Now().In(s.o.Location).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// NewRequest is the input of Create. RequestedOn is the day the customer
// asked (a calendar date; zero means today); it may be earlier than the day
// it is recorded, e.g. a request made by phone yesterday.
type NewRequest struct {
	Kind        string
	UnitID      uint64
	Serial      string
	Reason      string
	RequestedOn time.Time
	OutletID    *uint64
	TicketID    *uint64
}

// Eligibility is the 三包 check of a unit for a kind of request on a day.
type Eligibility struct {
	Unit          Unit
	Kind          string
	RequestedOn   time.Time
	ReturnUntil   time.Time
	ExchangeUntil time.Time
	Window        Window
}

// Check evaluates a unit against the 三包 windows without recording
// anything (the agent's preview). Errors: validation, not_found.
func (s *Service) Check(ctx context.Context, kind string, unitID uint64, serial string, on time.Time) (Eligibility, error) {
	if kind != KindReturn && kind != KindExchange {
		return Eligibility{}, apperr.FieldErr("kind", apperr.OneOf("return", "exchange"))
	}
	u, w, err := s.unitWindows(ctx, unitID, strings.TrimSpace(serial))
	if err != nil {
		return Eligibility{}, err
	}
	if on.IsZero() {
		on = s.today()
	}
	return Eligibility{Unit: u, Kind: kind, RequestedOn: on, ReturnUntil: w.ReturnUntil, ExchangeUntil: w.ExchangeUntil,
		Window: Evaluate(kind, *u.PurchaseDate, on, w.ReturnUntil, w.ExchangeUntil)}, nil
}

func (s *Service) unitWindows(ctx context.Context, unitID uint64, serial string) (Unit, Windows, error) {
	if unitID == 0 && serial == "" {
		return Unit{}, Windows{}, apperr.FieldErr("unit_id", apperr.Code("unit_required", "unit_id or serial is required"))
	}
	if s.o.Units == nil || s.o.Windows == nil {
		return Unit{}, Windows{}, apperr.FieldErr("unit_id", apperr.NoSuch("unit"))
	}
	u, err := s.o.Units(ctx, unitID, serial)
	if err != nil {
		if apperr.IsKind(err, apperr.KindNotFound) {
			if unitID != 0 {
				return Unit{}, Windows{}, apperr.FieldErr("unit_id", apperr.NoSuch("unit"))
			}
			return Unit{}, Windows{}, apperr.FieldErr("serial", apperr.NoSuch("unit"))
		}
		return Unit{}, Windows{}, err
	}
	if u.PurchaseDate == nil || u.PurchaseDate.IsZero() {
		return Unit{}, Windows{}, apperr.FieldErr("unit_id", apperr.Code("purchase_date_unknown", "the unit's purchase date is unknown: record the purchase proof first"))
	}
	w, err := s.o.Windows(ctx, u.ID)
	if err != nil {
		return Unit{}, Windows{}, err
	}
	return u, w, nil
}

// Create records a request and checks it against the unit's 三包 windows on
// the day the customer asked. A request outside the window is still
// recorded (the customer asked; the decision and its reason are what the
// auditor reads). Errors: validation, not_found.
func (s *Service) Create(ctx context.Context, in NewRequest) (Request, error) {
	fields := apperr.Fields{}
	in.Reason = strings.TrimSpace(in.Reason)
	if in.Kind != KindReturn && in.Kind != KindExchange {
		fields["kind"] = apperr.OneOf("return", "exchange")
	}
	if in.Reason == "" || utf8.RuneCountInString(in.Reason) > 2000 {
		fields["reason"] = apperr.RequiredMax(2000)
	}
	today := s.today()
	if in.RequestedOn.IsZero() {
		in.RequestedOn = today
	}
	in.RequestedOn = dateOnly(in.RequestedOn)
	if in.RequestedOn.After(today) {
		fields["requested_on"] = apperr.Code("in_future", "must not be in the future")
	}
	if own, ok := actor.From(ctx).OutletScoped(); ok {
		if in.OutletID != nil && *in.OutletID != own {
			return Request{}, apperr.NotFound("outlet")
		}
		in.OutletID = &own
	}
	if len(fields) > 0 {
		return Request{}, apperr.FieldsErr(fields)
	}
	if in.OutletID != nil && s.o.Outlets != nil {
		if err := s.o.Outlets(ctx, *in.OutletID); err != nil {
			if apperr.IsKind(err, apperr.KindNotFound) {
				return Request{}, apperr.FieldErr("outlet_id", apperr.NoSuch("outlet"))
			}
			return Request{}, err
		}
	}
	u, w, err := s.unitWindows(ctx, in.UnitID, strings.TrimSpace(in.Serial))
	if err != nil {
		return Request{}, err
	}
	purchase := dateOnly(*u.PurchaseDate)
	if in.RequestedOn.Before(purchase) {
		return Request{}, apperr.FieldErr("requested_on", apperr.Code("before_purchase", "is before the purchase date"))
	}
	win := Evaluate(in.Kind, purchase, in.RequestedOn, w.ReturnUntil, w.ExchangeUntil)
	now := s.o.Now().UTC()
	r := Request{Kind: in.Kind, UnitID: u.ID, Serial: u.Serial, CustomerID: u.CustomerID, OutletID: in.OutletID, TicketID: in.TicketID,
		Reason: in.Reason, PurchaseDate: purchase, RequestedOn: in.RequestedOn, DaysSincePurchase: win.DaysSincePurchase,
		ReturnUntil: datePtr(w.ReturnUntil), ExchangeUntil: datePtr(w.ExchangeUntil), WindowUntil: datePtr(win.Until),
		Eligible: win.Eligible, Status: StatusRequested, Version: 1, CreatedAt: now, UpdatedAt: now}
	err = s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&r).Error; err != nil {
			return err
		}
		r.Number = fmt.Sprintf("TH%s%06d", now.In(s.o.Location).Format("20060102"), r.ID)
		if err := tx.Model(&Request{}).Where("id = ?", r.ID).Update("number", r.Number).Error; err != nil {
			return err
		}
		if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: "create", Entity: "return_request", EntityID: idStr(r.ID), After: r.Snapshot()}); err != nil {
			return err
		}
		return s.enqueue(tx, event.ReturnRequested, r)
	})
	if err != nil {
		return Request{}, wrap(err, "create return request")
	}
	return r, nil
}

func datePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	d := dateOnly(t)
	return &d
}

func (s *Service) load(ctx context.Context, g *gorm.DB, id uint64) (Request, error) {
	q := g.WithContext(ctx).Where("id = ?", id)
	if own, ok := actor.From(ctx).OutletScoped(); ok {
		q = q.Where("outlet_id = ?", own)
	}
	var r Request
	if err := db.Take(q, &r, "return request"); err != nil {
		return Request{}, err
	}
	return r, nil
}

// Get returns one request; outlet users see only their outlet's. Errors:
// not_found.
func (s *Service) Get(ctx context.Context, id uint64) (Request, error) {
	r, err := s.load(ctx, s.o.DB, id)
	if err != nil {
		return Request{}, wrap(err, "get return request")
	}
	return r, nil
}

func (s *Service) mutate(ctx context.Context, id uint64, version int64, to, action string, ev event.Type[event.ReturnRequest], fn func(tx *gorm.DB, r *Request, now time.Time) error) (Request, error) {
	var out Request
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		r, err := s.load(ctx, tx, id)
		if err != nil {
			return err
		}
		if version != 0 && version != r.Version {
			return apperr.ErrVersionConflict("return request")
		}
		ok := false
		for _, st := range transitions[r.Status] {
			ok = ok || st == to
		}
		if !ok {
			return apperr.Conflict("invalid_transition", fmt.Sprintf("a %s request cannot become %s", r.Status, to)).WithDetail("allowed", Allowed(r.Status))
		}
		before := r.Snapshot()
		now := s.o.Now().UTC()
		if err := fn(tx, &r, now); err != nil {
			return err
		}
		r.Status = to
		if err := db.UpdateVersioned(tx, &Request{}, r.ID, r.Version, "return request", map[string]any{
			"status": r.Status, "decision": r.Decision, "decision_reason": r.DecisionReason, "decided_at": r.DecidedAt,
			"decided_on": r.DecidedOn, "decided_by": r.DecidedBy, "outside_legal_window": r.OutsideLegalWindow,
			"refused_within_window": r.RefusedWithinWindow, "refund_fen": r.RefundFen, "replacement_serial": r.ReplacementSerial,
			"completion_note": r.CompletionNote, "completed_at": r.CompletedAt, "cancelled_at": r.CancelledAt,
			"version": r.Version + 1, "updated_at": now}); err != nil {
			return err
		}
		r.Version++
		r.UpdatedAt = now
		out = r
		if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: action, Entity: "return_request", EntityID: idStr(r.ID), Before: before, After: r.Snapshot()}); err != nil {
			return err
		}
		return s.enqueue(tx, ev, r)
	})
	if err != nil {
		return Request{}, wrap(err, action+" return request")
	}
	return out, nil
}

// Decide accepts or refuses a request, with a reason. The decision day is
// today (local); the flags outside_legal_window and refused_within_window
// are computed against the window snapshotted at request time. Errors:
// validation, not_found, conflict.
func (s *Service) Decide(ctx context.Context, id uint64, version int64, decision, reason string) (Request, error) {
	reason = strings.TrimSpace(reason)
	fields := apperr.Fields{}
	if decision != DecisionAccepted && decision != DecisionRefused {
		fields["decision"] = apperr.OneOf("accepted", "refused")
	}
	if reason == "" || utf8.RuneCountInString(reason) > 2000 {
		fields["reason"] = apperr.RequiredMax(2000)
	}
	if len(fields) > 0 {
		return Request{}, apperr.FieldsErr(fields)
	}
	to := StatusAccepted
	if decision == DecisionRefused {
		to = StatusRefused
	}
	today := s.today()
	r, err := s.mutate(ctx, id, version, to, "decide", event.ReturnDecided, func(_ *gorm.DB, r *Request, now time.Time) error {
		w := Window{Eligible: r.Eligible}
		if r.WindowUntil != nil {
			w.Until = *r.WindowUntil
		}
		f := DecisionFlags(w, decision, today)
		r.Decision, r.DecisionReason, r.DecidedAt, r.DecidedOn, r.DecidedBy = decision, reason, &now, &today, actor.From(ctx).Username
		r.OutsideLegalWindow, r.RefusedWithinWindow = f.OutsideLegalWindow, f.RefusedWithinWindow
		return nil
	})
	if err != nil {
		return Request{}, err
	}
	return r, nil
}

// Completion is the input of Complete: the refund of a return, the
// replacement unit's serial of an exchange.
type Completion struct {
	RefundFen         int64
	ReplacementSerial string
	Note              string
}

// Complete closes an accepted request once the refund was paid or the
// replacement handed over. Errors: validation, not_found, conflict.
func (s *Service) Complete(ctx context.Context, id uint64, version int64, c Completion) (Request, error) {
	c.ReplacementSerial = strings.TrimSpace(c.ReplacementSerial)
	c.Note = strings.TrimSpace(c.Note)
	fields := apperr.Fields{}
	if c.RefundFen < 0 || c.RefundFen > 100_000_000_00 {
		fields["refund_fen"] = apperr.OutOfRange(0, 10_000_000_000)
	}
	if utf8.RuneCountInString(c.ReplacementSerial) > 64 {
		fields["replacement_serial"] = apperr.TooLong(64)
	}
	if utf8.RuneCountInString(c.Note) > 255 {
		fields["note"] = apperr.TooLong(255)
	}
	if len(fields) > 0 {
		return Request{}, apperr.FieldsErr(fields)
	}
	var replacement *uint64
	r, err := s.mutate(ctx, id, version, StatusCompleted, "complete", event.ReturnCompleted, func(tx *gorm.DB, r *Request, now time.Time) error {
		switch r.Kind {
		case KindReturn:
			if c.RefundFen <= 0 {
				return apperr.FieldErr("refund_fen", apperr.Code("refund_required", "a return is completed with the refund paid"))
			}
		case KindExchange:
			if c.ReplacementSerial == "" {
				return apperr.FieldErr("replacement_serial", apperr.Code("replacement_serial_required", "an exchange is completed with the replacement unit's serial"))
			}
		}
		r.RefundFen, r.ReplacementSerial, r.CompletionNote, r.CompletedAt = c.RefundFen, c.ReplacementSerial, c.Note, &now
		if s.o.Lifecycle == nil {
			return nil
		}
		day := s.today()
		switch r.Kind {
		case KindReturn:
			return s.o.Lifecycle.Returned(ctx, tx, r.UnitID, day)
		case KindExchange:
			// The exchange request's number is the replacement's proof of purchase.
			nid, err := s.o.Lifecycle.Exchanged(ctx, tx, r.UnitID, c.ReplacementSerial, day, s.o.ExchangeRestartsWarranty, r.Number)
			if err != nil {
				return err
			}
			replacement = &nid
		}
		return nil
	})
	if err != nil {
		return Request{}, err
	}
	if s.o.Lifecycle != nil {
		s.o.Lifecycle.Published(ctx, r.UnitID, replacement)
	}
	return r, nil
}

// Cancel withdraws a request (the customer changed their mind). Errors:
// validation, not_found, conflict.
func (s *Service) Cancel(ctx context.Context, id uint64, version int64, reason string) (Request, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 255 {
		return Request{}, apperr.FieldErr("reason", apperr.RequiredMax(255))
	}
	r, err := s.mutate(ctx, id, version, StatusCancelled, "cancel", event.ReturnCancelled, func(_ *gorm.DB, r *Request, now time.Time) error {
		r.CancelledAt, r.CompletionNote = &now, reason
		return nil
	})
	if err != nil {
		return Request{}, err
	}
	return r, nil
}

// Filter selects requests. Flag is outside_legal_window or
// refused_within_window.
type Filter struct {
	Status, Kind, Flag string
	UnitID             uint64
	From, To           *time.Time // requested_on range [From, To)
	Page, Size         int
}

// List pages requests newest first; outlet users see only their outlet's.
func (s *Service) List(ctx context.Context, f Filter) ([]Request, int64, error) {
	q := s.o.DB.WithContext(ctx).Model(&Request{})
	if own, ok := actor.From(ctx).OutletScoped(); ok {
		q = q.Where("outlet_id = ?", own)
	}
	if f.Status != "" {
		if _, ok := transitions[f.Status]; !ok {
			return nil, 0, apperr.FieldErr("status", apperr.Unknown(f.Status))
		}
		q = q.Where("status = ?", f.Status)
	}
	if f.Kind != "" {
		if f.Kind != KindReturn && f.Kind != KindExchange {
			return nil, 0, apperr.FieldErr("kind", apperr.OneOf("return", "exchange"))
		}
		q = q.Where("kind = ?", f.Kind)
	}
	switch f.Flag {
	case "":
	case "outside_legal_window":
		q = q.Where("outside_legal_window = ?", true)
	case "refused_within_window":
		q = q.Where("refused_within_window = ?", true)
	default:
		return nil, 0, apperr.FieldErr("flag", apperr.OneOf("outside_legal_window", "refused_within_window"))
	}
	if f.UnitID != 0 {
		q = q.Where("unit_id = ?", f.UnitID)
	}
	if f.From != nil {
		q = q.Where("requested_on >= ?", dateOnly(*f.From))
	}
	if f.To != nil {
		q = q.Where("requested_on < ?", dateOnly(*f.To))
	}
	page, size := f.Page, f.Size
	if page < 1 {
		page = 1
	}
	if size < 1 || size > MaxPageSize {
		size = DefaultPageSize
	}
	out, total, err := db.OffsetPage[Request](q, "requested_on DESC, id DESC", page, size)
	if err != nil {
		return nil, 0, apperr.Internal(fmt.Errorf("list return requests: %w", err))
	}
	return out, total, nil
}

// KPI is the 三包 compliance of requests made in [From, To).
type KPI struct {
	From, To time.Time
	Requests int64
	// Eligible requests (within the window on the request day), excluding
	// those the customer cancelled.
	Eligible int64
	// Honoured: eligible, accepted, and decided by the window's last day.
	Honoured int64
	// Rate is Honoured ÷ Eligible (nil when none were eligible).
	Rate                *float64
	Refused             int64
	RefusedWithinWindow int64
	OutsideLegalWindow  int64
	// Undecided: eligible, still waiting, and the window has closed.
	Undecided int64
	RefundFen int64
	// NonConformingIDs are up to 20 eligible requests not honoured in time
	// ("return_request:<id>").
	NonConformingIDs []string
}

// KPIOf measures the period's 三包 compliance in SQL. Outlet users get
// their outlet's.
func (s *Service) KPIOf(ctx context.Context, from, to time.Time) (KPI, error) {
	where := "requested_on >= ? AND requested_on < ?"
	args := []any{dateOnly(from), dateOnly(to)}
	if own, ok := actor.From(ctx).OutletScoped(); ok {
		where += " AND outlet_id = ?"
		args = append(args, own)
	}
	honoured := "eligible <> 0 AND status IN ('accepted','completed') AND decided_on IS NOT NULL AND decided_on <= window_until"
	var agg struct {
		Requests, Eligible, Honoured, Refused, RefusedWithinWindow, OutsideLegalWindow, Undecided, RefundFen int64
	}
	today := s.today()
	q := `SELECT COUNT(*) AS requests,
		COALESCE(SUM(CASE WHEN eligible <> 0 AND status <> 'cancelled' THEN 1 ELSE 0 END), 0) AS eligible,
		COALESCE(SUM(CASE WHEN ` + honoured + ` THEN 1 ELSE 0 END), 0) AS honoured,
		COALESCE(SUM(CASE WHEN status = 'refused' THEN 1 ELSE 0 END), 0) AS refused,
		COALESCE(SUM(CASE WHEN refused_within_window <> 0 THEN 1 ELSE 0 END), 0) AS refused_within_window,
		COALESCE(SUM(CASE WHEN outside_legal_window <> 0 THEN 1 ELSE 0 END), 0) AS outside_legal_window,
		COALESCE(SUM(CASE WHEN eligible <> 0 AND status = 'requested' AND window_until < ? THEN 1 ELSE 0 END), 0) AS undecided,
		COALESCE(SUM(refund_fen), 0) AS refund_fen
		FROM return_requests WHERE ` + where
	db := s.o.DB.WithContext(ctx)
	if err := db.Raw(q, append([]any{today}, args...)...).Scan(&agg).Error; err != nil {
		return KPI{}, apperr.Internal(fmt.Errorf("returns kpi: %w", err))
	}
	k := KPI{From: from, To: to, Requests: agg.Requests, Eligible: agg.Eligible, Honoured: agg.Honoured, Refused: agg.Refused,
		RefusedWithinWindow: agg.RefusedWithinWindow, OutsideLegalWindow: agg.OutsideLegalWindow, Undecided: agg.Undecided,
		RefundFen: agg.RefundFen, NonConformingIDs: []string{}}
	if k.Eligible > 0 {
		r := float64(k.Honoured) / float64(k.Eligible)
		k.Rate = &r
	}
	var ids []uint64
	if err := db.Raw(`SELECT id FROM return_requests WHERE `+where+` AND eligible <> 0 AND status <> 'cancelled' AND NOT (`+honoured+`)
		AND (status <> 'requested' OR window_until < ?) ORDER BY requested_on LIMIT 20`, append(args, today)...).Scan(&ids).Error; err != nil {
		return KPI{}, apperr.Internal(fmt.Errorf("returns kpi ids: %w", err))
	}
	for _, id := range ids {
		k.NonConformingIDs = append(k.NonConformingIDs, "return_request:"+idStr(id))
	}
	return k, nil
}

// PassportEntries implements passport.Source: the unit's return and
// exchange requests.
func (s *Service) PassportEntries(ctx context.Context, unitID uint64) ([]passport.Entry, error) {
	var list []Request
	if err := s.o.DB.WithContext(ctx).Where("unit_id = ?", unitID).Order("id DESC").Limit(100).Find(&list).Error; err != nil {
		return nil, fmt.Errorf("returns passport: %w", err)
	}
	out := make([]passport.Entry, 0, len(list))
	for _, r := range list {
		out = append(out, passport.Entry{At: r.CreatedAt, Kind: "return", TitleCode: "return_request", TitleParams: passport.Params{
			"number": r.Number, "return_kind": r.Kind, "return_status": r.Status, "days_since_purchase": r.DaysSincePurchase}, Ref: "return_request:" + idStr(r.ID), Data: map[string]any{
			"number": r.Number, "kind": r.Kind, "status": r.Status, "eligible": r.Eligible, "decision": r.Decision,
			"outside_legal_window": r.OutsideLegalWindow, "refused_within_window": r.RefusedWithinWindow, "refund_fen": r.RefundFen,
			"replacement_serial": r.ReplacementSerial}})
	}
	return out, nil
}

var _ passport.Source = (*Service)(nil)

// enqueue records a request event (topic hotline) in tx, the transaction
// of the change: it commits or rolls back with it.
func (s *Service) enqueue(tx *gorm.DB, ev event.Type[event.ReturnRequest], r Request) error {
	if s.o.Bus == nil {
		return nil
	}
	return s.o.Bus.Enqueue(tx, ev.New(Topic, event.ReturnRequest{ID: r.ID, Number: r.Number, Kind: r.Kind, OutletID: r.OutletID,
		UnitID: r.UnitID, Serial: r.Serial, Status: r.Status, Decision: r.Decision, Eligible: r.Eligible,
		OutsideLegalWindow: r.OutsideLegalWindow, RefusedWithinWindow: r.RefusedWithinWindow, RefundFen: r.RefundFen}))
}

// wrap classifies a storage error (db.Classify: busy, duplicate,
// unavailable, internal) with what was being done.
func wrap(err error, what string) error { return db.Classify(err, what) }
