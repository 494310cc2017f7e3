package workorder

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/auth"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/sla"
	"github.com/aftersales/aftersales/backend/internal/ticket"
)

// Candidate is an outlet that may take a work order, best first (see the
// outlet domain's Candidates).
type Candidate struct {
	OutletID uint64
	Code     string
	Name     string
	// CoverageLevel is the most specific coverage that matched the
	// customer's region: 3 district, 2 city, 1 province.
	CoverageLevel int
	Capacity      int
	Load          int
}

// OutletInfo is what dispatch needs to know about one outlet.
type OutletInfo struct {
	ID     uint64
	Code   string
	Name   string
	Active bool
}

// Outlets is what dispatch needs from the outlet domain.
type Outlets interface {
	// Candidates returns the outlets that may take work for a unit of
	// categoryID in regionCode on the local day of day, best first,
	// without those in exclude. Errors: validation (unknown region, no
	// category), internal.
	Candidates(ctx context.Context, regionCode string, categoryID uint64, day time.Time, exclude []uint64) ([]Candidate, error)
	// Outlet returns one outlet. Errors: not_found.
	Outlet(ctx context.Context, id uint64) (OutletInfo, error)
}

// StaffInfo is what dispatch needs to know about a technician.
type StaffInfo struct {
	ID       uint64
	Name     string
	OutletID uint64
	Active   bool
}

// Staff is what dispatch needs from the staff register.
type Staff interface {
	// StaffMember returns one staff member. Errors: not_found.
	StaffMember(ctx context.Context, id uint64) (StaffInfo, error)
	// Technicians returns an outlet's active field staff.
	Technicians(ctx context.Context, outletID uint64) ([]StaffInfo, error)
	// StaffOfUser returns the staff member linked to a login. Errors:
	// not_found.
	StaffOfUser(ctx context.Context, userID uint64) (StaffInfo, error)
}

// Options are the service's dependencies. Outlets and Staff are optional:
// without Outlets automatic dispatch finds no candidate (work waits as
// unassigned) and a picked outlet is not checked; without Staff a
// technician id is not checked.
type Options struct {
	DB      *gorm.DB
	Audit   *audit.Trail
	Bus     event.Bus
	Tickets *ticket.Service
	Outlets Outlets
	Staff   Staff
	// Repairs cross-checks a completion with the work order's repair
	// (nil: no repair domain, every result is accepted).
	Repairs Repairs
	// Recalls records the remedy when recall_remedy work is done (nil: no
	// recall domain).
	Recalls RecallRemedies
	// Complaints counts an outlet's complaints for its scorecard (nil: the
	// scorecard leaves them unknown).
	Complaints Complaints
	// AcceptTimeout is how long an outlet has to accept or reject an offer
	// (config dispatch.accept_timeout), in wall-clock time.
	AcceptTimeout time.Duration
	Now           func() time.Time
	Log           *slog.Logger
}

// Service is the dispatch and work-order domain.
type Service struct {
	o   Options
	loc *time.Location
}

// New returns a Service.
func New(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Bus == nil {
		o.Bus = event.Discard
	}
	if o.AcceptTimeout <= 0 {
		o.AcceptTimeout = 30 * time.Minute
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Service{o: o, loc: o.Tickets.Location()}
}

// SetDirectory wires the outlet and staff services once they exist.
func (s *Service) SetDirectory(outlets Outlets, staff Staff) {
	if outlets != nil {
		s.o.Outlets = outlets
	}
	if staff != nil {
		s.o.Staff = staff
	}
}

func (s *Service) now() time.Time { return s.o.Now().UTC().Truncate(time.Millisecond) }

// ---- kinds ----

// EnsureDefaults creates the default kind policies when there are none.
// Seeded configuration is not audited (it is the starting point).
func (s *Service) EnsureDefaults(ctx context.Context) error {
	var n int64
	if err := s.o.DB.WithContext(ctx).Model(&KindPolicy{}).Count(&n).Error; err != nil {
		return fmt.Errorf("work order kinds: %w", err)
	}
	if n > 0 {
		return nil
	}
	now := s.now()
	for _, k := range DefaultKindPolicies() {
		k.Version, k.UpdatedAt = 1, now
		if err := s.o.DB.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&k).Error; err != nil {
			return fmt.Errorf("work order kind %s: %w", k.Kind, err)
		}
	}
	return nil
}

// KindPolicies lists the kinds' promised times.
func (s *Service) KindPolicies(ctx context.Context) ([]KindPolicy, error) {
	var out []KindPolicy
	if err := s.o.DB.WithContext(ctx).Find(&out).Error; err != nil {
		return nil, apperr.Internal(err)
	}
	slices.SortFunc(out, func(a, b KindPolicy) int { return slices.Index(Kinds(), a.Kind) - slices.Index(Kinds(), b.Kind) })
	return out, nil
}

// kindPolicy returns the promised times of kind (zero promises when the
// kind has no row: the ticket policy's targets then apply).
func (s *Service) kindPolicy(ctx context.Context, db *gorm.DB, kind string) (KindPolicy, error) {
	var k KindPolicy
	err := db.WithContext(ctx).Where("kind = ?", kind).Take(&k).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return KindPolicy{Kind: kind, Name: kind}, nil
	}
	return k, err
}

// UpdateKindPolicy replaces a kind's promised times (minutes, 0 = no
// promise). Work orders already dispatched keep the times frozen in their
// ticket's SLA log. Errors: not_found, validation, version_conflict.
func (s *Service) UpdateKindPolicy(ctx context.Context, kind string, version int64, in KindPolicy) (KindPolicy, error) {
	if !slices.Contains(Kinds(), kind) {
		return KindPolicy{}, apperr.NotFound("work order kind")
	}
	fields := map[string]string{}
	for name, v := range map[string]int{"accept_minutes": in.AcceptMinutes, "contact_minutes": in.ContactMinutes,
		"arrival_city_minutes": in.ArrivalCityMinutes, "arrival_200km_minutes": in.Arrival200kmMinutes,
		"arrival_500km_minutes": in.Arrival500kmMinutes, "arrival_remote_minutes": in.ArrivalRemoteMinutes, "complete_minutes": in.CompleteMinutes} {
		if v < 0 || v > 366*24*60 {
			fields[name] = "between 0 and 527040 minutes"
		}
	}
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 64 {
		fields["name"] = "required, at most 64 characters"
	}
	if version == 0 {
		fields["version"] = "required (If-Match header or version field)"
	}
	if len(fields) > 0 {
		return KindPolicy{}, apperr.Validation(fields)
	}
	var out KindPolicy
	err := s.o.Tickets.WriteGate().Transaction(ctx, s.o.DB, func(tx *gorm.DB) error {
		cur, err := s.kindPolicy(ctx, tx, kind)
		if err != nil {
			return err
		}
		if cur.Version == 0 {
			return apperr.NotFound("work order kind")
		}
		in.Kind, in.Version, in.UpdatedAt = kind, version+1, s.now()
		res := tx.Model(&KindPolicy{}).Where("kind = ? AND version = ?", kind, version).Select("*").Updates(&in)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return apperr.ErrVersionConflict("work order kind")
		}
		out = in
		return s.o.Audit.Record(ctx, tx, audit.Entry{Action: "update", Entity: "work_order_kind", EntityID: kind, Before: cur, After: in})
	})
	if err != nil {
		return KindPolicy{}, wrap(err, "update work order kind")
	}
	return out, nil
}

func minutes(m int) time.Duration { return time.Duration(m) * time.Minute }

// arrival returns the promised arrival for band (zero: no promise).
func (k KindPolicy) arrival(band sla.DistanceBand) time.Duration {
	switch band {
	case sla.BandCity:
		return minutes(k.ArrivalCityMinutes)
	case sla.BandWithin200km:
		return minutes(k.Arrival200kmMinutes)
	case sla.BandWithin500km:
		return minutes(k.Arrival500kmMinutes)
	case sla.BandRemote:
		return minutes(k.ArrivalRemoteMinutes)
	}
	return 0
}

// bandOf maps how specifically an outlet's coverage matched the customer's
// region to a distance band: the district or the city itself is the city
// band, only the province is within 200 km; an outlet picked by the agent
// outside its coverage is assumed within 500 km unless the agent says.
func bandOf(coverageLevel int) sla.DistanceBand {
	switch {
	case coverageLevel >= 2:
		return sla.BandCity
	case coverageLevel == 1:
		return sla.BandWithin200km
	}
	return sla.BandWithin500km
}

// ---- reading ----

// Get returns a work order the caller may see: outlet users only their own
// outlet's. Errors: not_found.
func (s *Service) Get(ctx context.Context, id uint64) (WorkOrder, error) {
	return s.load(ctx, s.o.DB, id, false)
}

func (s *Service) load(ctx context.Context, db *gorm.DB, id uint64, lock bool) (WorkOrder, error) {
	q := db.WithContext(ctx).Where("id = ?", id)
	if outletID, ok := actor.From(ctx).OutletScoped(); ok {
		q = q.Where("outlet_id = ?", outletID)
	}
	if lock && db.Dialector.Name() == "mysql" {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
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
	fields := map[string]string{}
	for _, st := range f.Statuses {
		if !slices.Contains(Statuses(), st) {
			fields["status"] = "one or more of " + strings.Join(Statuses(), ", ")
		}
	}
	if f.Kind != "" && !slices.Contains(Kinds(), f.Kind) {
		fields["kind"] = "one of " + strings.Join(Kinds(), ", ")
	}
	if f.Size <= 0 {
		f.Size = 50
	}
	if f.Size > 200 {
		fields["size"] = "at most 200"
	}
	if len(fields) > 0 {
		return nil, 0, apperr.Validation(fields)
	}
	q := s.o.DB.WithContext(ctx).Model(&WorkOrder{})
	if outletID, ok := actor.From(ctx).OutletScoped(); ok {
		q = q.Where("outlet_id = ?", outletID)
	}
	if f.OutletID != 0 {
		q = q.Where("outlet_id = ?", f.OutletID)
	}
	switch len(f.Statuses) {
	case 0:
	case 1:
		q = q.Where("status = ?", f.Statuses[0])
	default:
		q = q.Where("status IN ?", f.Statuses)
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	if f.TicketID != 0 {
		q = q.Where("ticket_id = ?", f.TicketID)
	}
	if f.TechnicianID != 0 {
		q = q.Where("technician_staff_id = ?", f.TechnicianID)
	}
	if f.BeforeID != 0 {
		q = q.Where("id < ?", f.BeforeID)
	}
	var out []WorkOrder
	if err := q.Order("id DESC").Limit(f.Size + 1).Find(&out).Error; err != nil {
		return nil, 0, apperr.Internal(fmt.Errorf("list work orders: %w", err))
	}
	var next uint64
	if len(out) > f.Size {
		out = out[:f.Size]
		next = out[len(out)-1].ID
	}
	return out, next, nil
}

// ---- dispatch ----

// DispatchInput is the input of Dispatch.
type DispatchInput struct {
	Kind string
	// OutletID is the outlet the agent picks; nil lets dispatch choose the
	// best candidate.
	OutletID *uint64
	// Band overrides the distance band derived from the outlet's coverage.
	Band string
	Note string
}

// choice is the outlet an offer goes to.
type choice struct {
	outletID uint64
	name     string
	level    int
	band     sla.DistanceBand
	why      string
}

// label is how the ticket's timeline names the chosen outlet.
func (c *choice) label() string { return outletText(c.outletID, c.name) }

// outletText names an outlet in timeline text: 网点「name」, or 网点 #id
// when the name is unknown (no outlet service wired).
func outletText(id uint64, name string) string {
	if name == "" {
		return fmt.Sprintf("网点 #%d", id)
	}
	return "网点「" + name + "」"
}

// outletName returns an outlet's name, "" when it cannot be read (the
// timeline then falls back to the id).
func (s *Service) outletName(ctx context.Context, id uint64) string {
	if s.o.Outlets == nil || id == 0 {
		return ""
	}
	info, err := s.o.Outlets.Outlet(ctx, id)
	if err != nil {
		return ""
	}
	return info.Name
}

// outletLabel names outlet id in timeline text (see outletText).
func (s *Service) outletLabel(ctx context.Context, id uint64) string {
	return outletText(id, s.outletName(ctx, id))
}

// choose picks the outlet for an offer: the agent's pick (which must exist
// and be active) or the best candidate not in exclude. nil means nobody is
// left; why says why in the timeline.
func (s *Service) choose(ctx context.Context, w WorkOrder, pick *uint64, band string, exclude []uint64) (*choice, string, error) {
	region := w.RegionCode
	var category uint64
	if w.CategoryID != nil {
		category = *w.CategoryID
	}
	now := s.now()
	var cands []Candidate
	candErr := ""
	if s.o.Outlets != nil {
		var err error
		cands, err = s.o.Outlets.Candidates(ctx, region, category, now, exclude)
		if err != nil {
			if !apperr.IsKind(err, apperr.KindValidation) && !apperr.IsKind(err, apperr.KindInvalid) {
				return nil, "", err
			}
			cands, candErr = nil, "工单缺少有效的地区或品类，无法自动匹配网点"
		}
	} else {
		candErr = "未接入网点服务，无法自动匹配网点"
	}
	if pick != nil {
		if s.o.Outlets != nil {
			info, err := s.o.Outlets.Outlet(ctx, *pick)
			if apperr.IsKind(err, apperr.KindNotFound) {
				return nil, "", apperr.Field("outlet_id", "no such outlet")
			}
			if err != nil {
				return nil, "", err
			}
			if !info.Active {
				return nil, "", apperr.Field("outlet_id", "the outlet is suspended")
			}
		}
		c := &choice{outletID: *pick, why: "坐席指定网点", name: s.outletName(ctx, *pick)}
		for _, cand := range cands {
			if cand.OutletID == *pick {
				c.level = cand.CoverageLevel
			}
		}
		c.band = bandOf(c.level)
		if band != "" {
			c.band = sla.DistanceBand(band)
		}
		return c, "", nil
	}
	if len(cands) == 0 {
		if candErr == "" {
			candErr = "没有可用的候选网点（覆盖区域、授权品类、产能或均已拒单）"
		}
		return nil, candErr, nil
	}
	best := cands[0]
	c := &choice{outletID: best.OutletID, name: best.Name, level: best.CoverageLevel, band: bandOf(best.CoverageLevel),
		why: fmt.Sprintf("自动派单：%s %s（覆盖级别 %d，负荷 %d/%d）", best.Code, best.Name, best.CoverageLevel, best.Load, best.Capacity)}
	if band != "" {
		c.band = sla.DistanceBand(band)
	}
	return c, "", nil
}

// Dispatch creates a work order for a ticket and offers it to the agent's
// pick or the best candidate outlet; with no candidate it waits as
// unassigned and the ticket's timeline says why. The ticket's
// outlet_accept clock starts (restarts for a second work order) with the
// kind's promised time, and its on-site arrival clock starts with the
// kind's time for the distance band. Errors: not_found (ticket),
// validation, conflict ticket_not_open.
func (s *Service) Dispatch(ctx context.Context, ticketID uint64, in DispatchInput) (WorkOrder, error) {
	fields := map[string]string{}
	if !slices.Contains(Kinds(), in.Kind) {
		fields["kind"] = "one of " + strings.Join(Kinds(), ", ")
	}
	if in.Band != "" && !sla.DistanceBand(in.Band).Valid() {
		fields["distance_band"] = "one of city, within_200km, within_500km, remote"
	}
	in.Note = strings.TrimSpace(in.Note)
	if utf8.RuneCountInString(in.Note) > 1000 {
		fields["note"] = "at most 1000 characters"
	}
	if in.OutletID != nil && *in.OutletID == 0 {
		in.OutletID = nil
	}
	if len(fields) > 0 {
		return WorkOrder{}, apperr.Validation(fields)
	}
	t, err := s.o.Tickets.ForDispatch(ctx, ticketID)
	if err != nil {
		return WorkOrder{}, err
	}
	now := s.now()
	a := actor.From(ctx)
	w := WorkOrder{TicketID: t.ID, Kind: in.Kind, Status: StatusUnassigned, CustomerID: t.CustomerID, UnitID: t.UnitID,
		CategoryID: t.CategoryID, RegionCode: t.RegionCode, Note: in.Note, CreatedBy: a.UserID, Version: 1, CreatedAt: now, UpdatedAt: now}
	ch, why, err := s.choose(ctx, w, in.OutletID, in.Band, nil)
	if err != nil {
		return WorkOrder{}, err
	}
	if err := s.o.Tickets.Sequences().Prepare(ctx, s.o.DB, "WO", now, s.loc); err != nil {
		return WorkOrder{}, apperr.Internal(err)
	}
	// HiLo: the number comes from this process's block, outside the transaction.
	number, err := s.o.Tickets.Sequences().Next(ctx, s.o.DB, "WO", now, s.loc)
	if err != nil {
		return WorkOrder{}, apperr.Internal(err)
	}
	var pub []event.Event
	err = ticket.RetryDeadlock(func() error {
		pub = nil
		w.ID, w.OfferID, w.Attempts, w.OutletID = 0, nil, 0, nil
		w.Status = StatusUnassigned
		return s.o.Tickets.WriteGate().Transaction(ctx, s.o.DB, func(tx *gorm.DB) error {
			kp, err := s.kindPolicy(ctx, tx, in.Kind)
			if err != nil {
				return err
			}
			w.Number = number
			cal, err := s.o.Tickets.Calendar(ctx, t)
			if err != nil {
				return err
			}
			if kp.CompleteMinutes > 0 {
				w.CompleteDueAt = addWorking(cal, now, minutes(kp.CompleteMinutes))
			}
			if err := tx.Create(&w).Error; err != nil {
				return fmt.Errorf("insert work order: %w", err)
			}
			step := ticket.WorkOrderStep{Action: "dispatch", Kind: ticket.EventDispatch, SetOutlet: true,
				Data:  map[string]any{"work_order_id": w.ID, "number": w.Number, "kind": w.Kind},
				Start: []ticket.ClockStart{{Target: sla.TargetOutletAccept, Duration: minutes(kp.AcceptMinutes), Reason: "new_work_order"}}}
			if ch != nil {
				if err := s.offer(ctx, tx, &w, ch, kp, cal, now, &step); err != nil {
					return err
				}
				step.Body = fmt.Sprintf("创建%s工单 %s，派给%s（%s）", kp.Name, w.Number, ch.label(), ch.why)
			} else {
				step.Body = fmt.Sprintf("创建%s工单 %s，暂无可派网点：%s", kp.Name, w.Number, why)
				step.Data["unassigned_reason"] = why
			}
			if in.Note != "" {
				step.Body += "。备注：" + in.Note
			}
			if err := s.save(ctx, tx, &w, 0); err != nil {
				return err
			}
			_, tpub, err := s.o.Tickets.ApplyWorkOrderStep(ctx, tx, t.ID, step)
			if err != nil {
				return err
			}
			pub = append(pub, tpub...)
			if ch != nil {
				pub = append(pub, s.events(event.WorkOrderOffered, w, event.WorkOrder{ExpiresAt: w.OfferExpiresAt, Attempt: w.Attempts})...)
			} else {
				pub = append(pub, s.events(event.WorkOrderUnassigned, w, event.WorkOrder{Reason: why})...)
			}
			if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: "create", Entity: "work_order", EntityID: idStr(w.ID), After: w.Snapshot()}); err != nil {
				return err
			}
			return s.o.Bus.Enqueue(tx, pub...)
		})
	})
	if err != nil {
		return WorkOrder{}, wrap(err, "dispatch")
	}
	return w, nil
}

// offer makes a new offer of w to ch inside tx and adds its SLA effects to
// step: the outlet_accept clock (re)starts, and on the first offer the
// on-site arrival clock starts with the kind's time for the band.
func (s *Service) offer(ctx context.Context, tx *gorm.DB, w *WorkOrder, ch *choice, kp KindPolicy, cal *sla.Calendar, now time.Time, step *ticket.WorkOrderStep) error {
	first := w.Attempts == 0
	w.Attempts++
	expires := OfferExpiry(cal, now, s.o.AcceptTimeout)
	o := Offer{WorkOrderID: w.ID, OutletID: ch.outletID, Attempt: w.Attempts, CoverageLevel: ch.level, OfferedAt: now, ExpiresAt: expires, Response: ResponsePending}
	if err := tx.WithContext(ctx).Create(&o).Error; err != nil {
		return fmt.Errorf("insert offer: %w", err)
	}
	outlet := ch.outletID
	w.Status, w.OutletID, w.OfferID, w.OfferedAt, w.OfferExpiresAt = StatusOffered, &outlet, &o.ID, &now, &expires
	step.SetOutlet, step.OutletID = true, &outlet
	step.Band, step.BandDuration = ch.band, kp.arrival(ch.band)
	if string(ch.band) != w.DistanceBand {
		w.DistanceBand = string(ch.band)
		if d := kp.arrival(ch.band); d > 0 {
			w.ArrivalDueAt = addWorking(cal, w.CreatedAt, d)
		}
	}
	if first {
		step.Start = append(step.Start, ticket.ClockStart{Target: sla.TargetOnsiteArrival, Duration: kp.arrival(ch.band), Reason: "new_work_order"})
	}
	if step.Data == nil {
		step.Data = map[string]any{}
	}
	step.Data["outlet_id"], step.Data["offer_id"], step.Data["attempt"], step.Data["expires_at"] = outlet, o.ID, w.Attempts, expires
	return nil
}

// OfferExpiry is when an offer made at offered lapses: after timeout of
// working time on the ticket's calendar, so an offer made at night is
// answered when the outlets open (on a 24×7 calendar it is wall-clock
// time).
func OfferExpiry(cal *sla.Calendar, offered time.Time, timeout time.Duration) time.Time {
	if t := addWorking(cal, offered, timeout); t != nil {
		return *t
	}
	return offered.Add(timeout)
}

// addWorking returns start + d of working time on cal (nil when the
// calendar cannot reach it).
func addWorking(cal *sla.Calendar, start time.Time, d time.Duration) *time.Time {
	t, err := cal.Add(start, d)
	if err != nil {
		return nil
	}
	t = t.UTC().Truncate(time.Millisecond)
	return &t
}

// save writes w under optimistic concurrency (oldVersion 0: insert just
// made, version 1 stays).
func (s *Service) save(ctx context.Context, tx *gorm.DB, w *WorkOrder, oldVersion int64) error {
	now := s.now()
	if oldVersion == 0 {
		oldVersion = w.Version
		w.Version--
	}
	w.Version, w.UpdatedAt = w.Version+1, now
	res := tx.WithContext(ctx).Model(&WorkOrder{}).Where("id = ? AND version = ?", w.ID, oldVersion).
		Select("*").Omit("id", "number", "created_at", "created_by", "ticket_id").Updates(w)
	if res.Error != nil {
		return fmt.Errorf("update work order: %w", res.Error)
	}
	if res.RowsAffected != 1 {
		return apperr.ErrVersionConflict("work order")
	}
	return nil
}

// ---- steps ----

// stepper is one state change of a work order, run by run.
type stepper struct {
	step    string
	roles   []string // roles that may take the step (besides admin); nil: any with the route's permission
	version int64
	// prepare runs before the transaction (candidate search) and may
	// return a value passed to apply.
	prepare func(w WorkOrder) (any, error)
	apply   func(tx *gorm.DB, w *WorkOrder, prep any, now time.Time, st *ticket.WorkOrderStep) ([]event.Event, error)
}

// run loads the work order (scoped), checks the step is allowed and the
// caller's role, runs prepare, then in one transaction re-reads it locked,
// checks nothing moved, applies the step, saves it, records it on the
// ticket and in the audit trail. Events are published after commit.
func (s *Service) run(ctx context.Context, id uint64, sp stepper) (WorkOrder, error) {
	w, err := s.Get(ctx, id)
	if err != nil {
		return WorkOrder{}, err
	}
	if sp.version != 0 && sp.version != w.Version {
		return WorkOrder{}, apperr.ErrVersionConflict("work order")
	}
	if err := s.allowed(ctx, w, sp); err != nil {
		return WorkOrder{}, err
	}
	var prep any
	if sp.prepare != nil {
		if prep, err = sp.prepare(w); err != nil {
			return WorkOrder{}, err
		}
	}
	loaded := w.Version
	var out WorkOrder
	var pub []event.Event
	err = ticket.RetryDeadlock(func() error {
		pub = nil
		return s.o.Tickets.WriteGate().Transaction(ctx, s.o.DB, func(tx *gorm.DB) error {
			cur, err := s.load(ctx, tx, id, true)
			if err != nil {
				return err
			}
			if cur.Version != loaded {
				return apperr.ErrVersionConflict("work order")
			}
			if err := s.allowed(ctx, cur, sp); err != nil {
				return err
			}
			before := cur.Snapshot()
			now := s.now()
			st := ticket.WorkOrderStep{Action: "work_order_" + sp.step, Kind: ticket.EventWorkOrder,
				Data: map[string]any{"work_order_id": cur.ID, "number": cur.Number, "step": sp.step}}
			events, err := sp.apply(tx, &cur, prep, now, &st)
			if err != nil {
				return err
			}
			if err := s.save(ctx, tx, &cur, loaded); err != nil {
				return err
			}
			if st.Body != "" {
				_, tpub, err := s.o.Tickets.ApplyWorkOrderStep(ctx, tx, cur.TicketID, st)
				if err != nil {
					return err
				}
				pub = append(pub, tpub...)
			}
			pub = append(pub, events...)
			out = cur
			if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: sp.step, Entity: "work_order", EntityID: idStr(cur.ID), Before: before, After: cur.Snapshot()}); err != nil {
				return err
			}
			return s.o.Bus.Enqueue(tx, pub...)
		})
	})
	if err != nil {
		return WorkOrder{}, wrap(err, sp.step+" work order")
	}
	return out, nil
}

// allowed checks the status machine and the caller's role for a step.
func (s *Service) allowed(ctx context.Context, w WorkOrder, sp stepper) error {
	if why := refusal(w, sp.step); why != "" {
		msg := why
		if why == "status" {
			msg = fmt.Sprintf("a %s work order cannot %s", w.Status, strings.ReplaceAll(sp.step, "_", "-"))
		}
		return apperr.Conflict("invalid_transition", msg).WithDetail("allowed", w.AllowedSteps()).WithDetail("status", w.Status)
	}
	if sp.roles == nil {
		return nil
	}
	a := actor.From(ctx)
	if a.UserID == 0 || a.HasRole(auth.RoleAdmin) {
		return nil // the system (jobs) or an administrator
	}
	for _, r := range sp.roles {
		if a.HasRole(r) {
			return s.ownWork(ctx, a, w)
		}
	}
	return apperr.Forbidden("this step is taken by " + strings.Join(sp.roles, " or "))
}

// ownWork refuses a technician a step on a work order not assigned to them
// (the outlet manager takes steps on all of the outlet's orders).
func (s *Service) ownWork(ctx context.Context, a actor.Actor, w WorkOrder) error {
	if !a.OwnWorkOnly() {
		return nil
	}
	notYours := &apperr.Error{Kind: apperr.KindForbidden, Code: "not_assigned_to_you",
		Message: "this work order is assigned to another technician; ask the outlet manager"}
	if w.TechnicianStaffID == nil || s.o.Staff == nil {
		return notYours
	}
	me, err := s.o.Staff.StaffOfUser(ctx, a.UserID)
	if apperr.IsKind(err, apperr.KindNotFound) {
		return notYours
	}
	if err != nil {
		return err
	}
	if me.ID != *w.TechnicianStaffID {
		return notYours
	}
	return nil
}

// Accept records that the current outlet takes the work: the ticket's
// outlet_accept clock is met, its customer_contact clock starts with the
// kind's time, and the ticket moves to in_progress. An offer accepted after
// its expiry but before the timeout job moved it still counts (late).
// Errors: not_found, forbidden (technicians), conflict invalid_transition,
// version_conflict.
func (s *Service) Accept(ctx context.Context, id uint64, version int64) (WorkOrder, error) {
	return s.run(ctx, id, stepper{step: StepAccept, roles: []string{auth.RoleOutletManager}, version: version,
		apply: func(tx *gorm.DB, w *WorkOrder, _ any, now time.Time, st *ticket.WorkOrderStep) ([]event.Event, error) {
			kp, err := s.kindPolicy(ctx, tx, w.Kind)
			if err != nil {
				return nil, err
			}
			secs, err := s.respond(ctx, tx, w, ResponseAccepted, "", now)
			if err != nil {
				return nil, err
			}
			t, err := s.o.Tickets.Get(actor.With(ctx, actor.System("dispatch")), w.TicketID)
			if err != nil {
				return nil, err
			}
			if !t.Open() || t.MergedIntoID != nil {
				// Finishing a ticket withdraws its offers; this guards the
				// rows written before that rule existed.
				return nil, apperr.Conflict("ticket_not_open", "the ticket is "+t.Status+": its work is no longer needed").WithDetail("status", t.Status)
			}
			cal, err := s.o.Tickets.Calendar(ctx, t)
			if err != nil {
				return nil, err
			}
			w.Status, w.AcceptedAt, w.OfferExpiresAt = StatusAccepted, &now, nil
			if kp.ContactMinutes > 0 {
				w.ContactDueAt = addWorking(cal, now, minutes(kp.ContactMinutes))
			}
			st.Met = []sla.Target{sla.TargetOutletAccept}
			st.Start = []ticket.ClockStart{{Target: sla.TargetCustomerContact, Duration: minutes(kp.ContactMinutes), Reason: "new_work_order"}}
			st.Status = ticket.StatusInProgress
			st.Body = fmt.Sprintf("%s 已接单（工单 %s，用时 %s）", s.outletLabel(ctx, deref(w.OutletID)), w.Number, (time.Duration(secs) * time.Second).String())
			return s.events(event.WorkOrderAccepted, *w, event.WorkOrder{ResponseSeconds: secs}), nil
		}})
}

// respond closes the current offer with a response and returns how long
// the outlet took, in seconds.
func (s *Service) respond(ctx context.Context, tx *gorm.DB, w *WorkOrder, response, reason string, now time.Time) (int64, error) {
	if w.OfferID == nil {
		return 0, nil
	}
	var o Offer
	if err := tx.WithContext(ctx).Where("id = ?", *w.OfferID).Take(&o).Error; err != nil {
		return 0, fmt.Errorf("current offer: %w", err)
	}
	secs := int64(now.Sub(o.OfferedAt) / time.Second)
	a := actor.From(ctx)
	if err := tx.WithContext(ctx).Model(&Offer{}).Where("id = ?", o.ID).Updates(map[string]any{
		"response": response, "responded_at": now, "response_seconds": secs, "reason": reason, "responded_by": clip(a.Username, 64)}).Error; err != nil {
		return 0, fmt.Errorf("close offer: %w", err)
	}
	return secs, nil
}

// Reject records the outlet's refusal with a reason and re-offers the work
// to the next candidate that has not declined it (or leaves it
// unassigned). The ticket's outlet_accept clock restarts for the new offer.
// Errors: not_found, forbidden, validation (reason), conflict.
func (s *Service) Reject(ctx context.Context, id uint64, reason string, version int64) (WorkOrder, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 1000 {
		return WorkOrder{}, apperr.Field("reason", "required, at most 1000 characters")
	}
	return s.reoffer(ctx, id, version, StepReject, ResponseRejected, reason, nil, []string{auth.RoleOutletManager})
}

// Redispatch withdraws a pending offer (or takes an unassigned work order)
// and offers the work to outletID, or to the next candidate that has not
// been offered it yet. Errors: not_found, validation, conflict.
func (s *Service) Redispatch(ctx context.Context, id uint64, outletID *uint64, version int64) (WorkOrder, error) {
	if outletID != nil && *outletID == 0 {
		outletID = nil
	}
	return s.reoffer(ctx, id, version, StepRedispatch, ResponseWithdrawn, "改派", outletID, []string{auth.RoleHotlineAgent})
}

type reofferPrep struct {
	ch  *choice
	why string
}

// reoffer ends the current offer with response and offers the work again.
func (s *Service) reoffer(ctx context.Context, id uint64, version int64, step, response, reason string, pick *uint64, roles []string) (WorkOrder, error) {
	return s.run(ctx, id, stepper{step: step, roles: roles, version: version,
		prepare: func(w WorkOrder) (any, error) {
			var exclude []uint64
			if err := s.o.DB.WithContext(ctx).Model(&Offer{}).Where("work_order_id = ?", w.ID).Distinct().Pluck("outlet_id", &exclude).Error; err != nil {
				return nil, apperr.Internal(err)
			}
			if pick != nil {
				exclude = nil
			}
			ch, why, err := s.choose(ctx, w, pick, "", exclude)
			if err != nil {
				return nil, err
			}
			return reofferPrep{ch: ch, why: why}, nil
		},
		apply: func(tx *gorm.DB, w *WorkOrder, prep any, now time.Time, st *ticket.WorkOrderStep) ([]event.Event, error) {
			p := prep.(reofferPrep)
			kp, err := s.kindPolicy(ctx, tx, w.Kind)
			if err != nil {
				return nil, err
			}
			t, err := s.o.Tickets.Get(actor.With(ctx, actor.System("dispatch")), w.TicketID)
			if err != nil {
				return nil, err
			}
			cal, err := s.o.Tickets.Calendar(ctx, t)
			if err != nil {
				return nil, err
			}
			prev := *w
			if w.Status == StatusOffered {
				if _, err := s.respond(ctx, tx, w, response, reason, now); err != nil {
					return nil, err
				}
			}
			var events []event.Event
			switch response {
			case ResponseRejected:
				events = append(events, s.events(event.WorkOrderRejected, prev, event.WorkOrder{Reason: reason})...)
			case ResponseTimeout:
				events = append(events, s.events(event.WorkOrderTimedOut, prev, event.WorkOrder{})...)
			default:
				if prev.Status == StatusOffered {
					events = append(events, s.events(event.WorkOrderWithdrawn, prev, event.WorkOrder{})...)
				}
			}
			st.Kind = ticket.EventDispatch
			prevLabel := s.outletLabel(ctx, deref(prev.OutletID))
			head := map[string]string{ResponseRejected: fmt.Sprintf("%s 拒单（%s）", prevLabel, reason),
				ResponseTimeout:   fmt.Sprintf("%s 超时未接单", prevLabel),
				ResponseWithdrawn: "坐席改派"}[response]
			if prev.Status == StatusUnassigned {
				head = "重新派单"
			}
			st.Data["response"], st.Data["previous_outlet_id"] = response, prev.OutletID
			if p.ch == nil {
				w.Status, w.OutletID, w.OfferID, w.OfferExpiresAt = StatusUnassigned, nil, nil, nil
				st.SetOutlet, st.OutletID = true, nil
				st.Body = fmt.Sprintf("%s；工单 %s 暂无可派网点：%s", head, w.Number, p.why)
				st.Data["unassigned_reason"] = p.why
				events = append(events, s.events(event.WorkOrderUnassigned, *w, event.WorkOrder{Reason: p.why})...)
				return events, nil
			}
			st.Start = []ticket.ClockStart{{Target: sla.TargetOutletAccept, Duration: minutes(kp.AcceptMinutes), Reason: "redispatched"}}
			if err := s.offer(ctx, tx, w, p.ch, kp, cal, now, st); err != nil {
				return nil, err
			}
			st.Body = fmt.Sprintf("%s；工单 %s 改派给%s（%s）", head, w.Number, p.ch.label(), p.ch.why)
			events = append(events, s.events(event.WorkOrderOffered, *w, event.WorkOrder{ExpiresAt: w.OfferExpiresAt, Attempt: w.Attempts})...)
			return events, nil
		}})
}

// ExpireOffers is the scheduled job for dispatch timeouts: every offer not
// answered within the accept timeout is closed as timed out and the work is
// re-offered to the next candidate (or left unassigned). A work order that
// changed meanwhile (accepted at the last second) is skipped. It returns
// how many offers it expired.
func (s *Service) ExpireOffers(ctx context.Context) (int, error) {
	return s.ExpireOffersAsOf(ctx, s.now())
}

// ExpireOffersAsOf is ExpireOffers deciding expiry as of asOf (a catch-up
// run, or a test standing in for the clock); the re-offers are made now.
func (s *Service) ExpireOffersAsOf(ctx context.Context, asOf time.Time) (int, error) {
	ctx = actor.With(ctx, actor.System("dispatch_timeouts"))
	n := 0
	for pass := 0; pass < 20; pass++ {
		var due []WorkOrder
		if err := s.o.DB.WithContext(ctx).Where("status = ? AND offer_expires_at <= ?", StatusOffered, asOf.UTC().Truncate(time.Millisecond)).
			Order("offer_expires_at, id").Limit(100).Find(&due).Error; err != nil {
			return n, fmt.Errorf("dispatch timeouts: %w", err)
		}
		progress := 0
		for _, w := range due {
			_, err := s.reoffer(ctx, w.ID, w.Version, StepReject, ResponseTimeout, "超时未接单", nil, nil)
			switch {
			case err == nil:
				n++
				progress++
			case apperr.IsKind(err, apperr.KindConflict):
				// Accepted or rejected meanwhile: nothing to expire.
			default:
				s.o.Log.Error("dispatch timeout", "work_order", w.ID, "err", err)
			}
		}
		if len(due) < 100 || progress == 0 {
			break
		}
	}
	return n, nil
}

// AssignTechnician assigns (or replaces) the technician of accepted work.
// The technician must be active staff of the work order's outlet. Errors:
// not_found, forbidden, validation, conflict.
func (s *Service) AssignTechnician(ctx context.Context, id, staffID uint64, version int64) (WorkOrder, error) {
	if staffID == 0 {
		return WorkOrder{}, apperr.Field("technician_staff_id", "required")
	}
	return s.run(ctx, id, stepper{step: StepAssign, roles: []string{auth.RoleOutletManager}, version: version,
		prepare: func(w WorkOrder) (any, error) {
			if s.o.Staff == nil {
				return "", nil
			}
			m, err := s.o.Staff.StaffMember(ctx, staffID)
			if apperr.IsKind(err, apperr.KindNotFound) {
				return nil, apperr.Field("technician_staff_id", "no such staff member")
			}
			if err != nil {
				return nil, err
			}
			if w.OutletID == nil || m.OutletID != *w.OutletID {
				return nil, apperr.Field("technician_staff_id", "not staff of this outlet")
			}
			if !m.Active {
				return nil, apperr.Field("technician_staff_id", "the staff member is inactive")
			}
			return m.Name, nil
		},
		apply: func(tx *gorm.DB, w *WorkOrder, prep any, now time.Time, st *ticket.WorkOrderStep) ([]event.Event, error) {
			sid := staffID
			w.TechnicianStaffID, w.TechnicianAssignedAt = &sid, &now
			if w.Status == StatusAccepted {
				w.Status = StatusAssigned
			}
			name, _ := prep.(string)
			st.Body = fmt.Sprintf("工单 %s 已指派技师 #%d %s", w.Number, staffID, name)
			st.Data["technician_staff_id"] = staffID
			return s.events(event.WorkOrderTechnicianAssigned, *w, event.WorkOrder{TechnicianStaffID: &staffID}), nil
		}})
}

// SetAppointment records the visit agreed with the customer: from at until
// until (default two hours later). Arrival counts as on time up to until.
// Errors: not_found, forbidden, validation, conflict.
func (s *Service) SetAppointment(ctx context.Context, id uint64, at time.Time, until *time.Time, version int64) (WorkOrder, error) {
	now := s.now()
	at = at.UTC().Truncate(time.Millisecond)
	end := at.Add(2 * time.Hour)
	if until != nil {
		end = until.UTC().Truncate(time.Millisecond)
	}
	fields := map[string]string{}
	switch {
	case at.IsZero():
		fields["at"] = "required (RFC 3339)"
	case at.Before(now.Add(-24 * time.Hour)):
		fields["at"] = "cannot be more than a day in the past"
	case at.After(now.AddDate(0, 0, 90)):
		fields["at"] = "at most 90 days ahead"
	}
	if !end.After(at) || end.Sub(at) > 12*time.Hour {
		fields["until"] = "after at, within 12 hours"
	}
	if len(fields) > 0 {
		return WorkOrder{}, apperr.Validation(fields)
	}
	return s.run(ctx, id, stepper{step: StepAppointment, roles: []string{auth.RoleOutletManager, auth.RoleTechnician}, version: version,
		apply: func(tx *gorm.DB, w *WorkOrder, _ any, now time.Time, st *ticket.WorkOrderStep) ([]event.Event, error) {
			w.AppointmentAt, w.AppointmentUntil, w.AppointmentSetAt = &at, &end, &now
			w.ArrivalDueAt = &end
			w.Status = StatusScheduled
			st.Body = fmt.Sprintf("工单 %s 已预约上门：%s–%s", w.Number, at.In(s.loc).Format("01-02 15:04"), end.In(s.loc).Format("15:04"))
			st.Data["appointment_at"], st.Data["appointment_until"] = at, end
			return s.events(event.WorkOrderAppointmentSet, *w, event.WorkOrder{AppointmentAt: &at, AppointmentUntil: &end}), nil
		}})
}

// Contact records the outlet's first contact with the customer (the
// ticket's customer_contact clock is met). Errors: not_found, conflict
// (already contacted).
func (s *Service) Contact(ctx context.Context, id uint64, note string, version int64) (WorkOrder, error) {
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > 1000 {
		return WorkOrder{}, apperr.Field("note", "at most 1000 characters")
	}
	return s.run(ctx, id, stepper{step: StepContact, roles: []string{auth.RoleOutletManager, auth.RoleTechnician}, version: version,
		apply: func(tx *gorm.DB, w *WorkOrder, _ any, now time.Time, st *ticket.WorkOrderStep) ([]event.Event, error) {
			w.ContactedAt = &now
			st.Met = []sla.Target{sla.TargetCustomerContact}
			st.Body = fmt.Sprintf("网点已联系客户（工单 %s）", w.Number)
			if note != "" {
				st.Body += "：" + note
			}
			return s.events(event.WorkOrderContacted, *w, event.WorkOrder{}), nil
		}})
}

// CheckIn records the technician's arrival at the customer's: the ticket's
// on-site arrival clock is met (and customer_contact, if nobody logged the
// contact). Arrival is on time when it is not after the appointment window
// or, without one, the kind's promised arrival. Errors: not_found,
// conflict (no technician yet).
func (s *Service) CheckIn(ctx context.Context, id uint64, note string, version int64) (WorkOrder, error) {
	return s.CheckInAt(ctx, id, note, nil, version)
}

// Position is where a check-in happened, as the phone's browser reported it
// (WGS-84 degrees; accuracy in metres, optional).
type Position struct {
	Lat, Lng  float64
	AccuracyM *float64
}

// CheckInAt is CheckIn with the technician's position (nil: the browser
// gave none). Errors: as CheckIn; validation when the position is not on
// the globe.
func (s *Service) CheckInAt(ctx context.Context, id uint64, note string, pos *Position, version int64) (WorkOrder, error) {
	note = strings.TrimSpace(note)
	fields := map[string]string{}
	if utf8.RuneCountInString(note) > 1000 {
		fields["note"] = "at most 1000 characters"
	}
	if pos != nil {
		if math.IsNaN(pos.Lat) || pos.Lat < -90 || pos.Lat > 90 {
			fields["lat"] = "between -90 and 90"
		}
		if math.IsNaN(pos.Lng) || pos.Lng < -180 || pos.Lng > 180 {
			fields["lng"] = "between -180 and 180"
		}
		if pos.AccuracyM != nil && (math.IsNaN(*pos.AccuracyM) || *pos.AccuracyM < 0) {
			fields["accuracy_m"] = "a non-negative number of metres"
		}
	}
	if len(fields) > 0 {
		return WorkOrder{}, apperr.Validation(fields)
	}
	return s.run(ctx, id, stepper{step: StepCheckIn, roles: []string{auth.RoleOutletManager, auth.RoleTechnician}, version: version,
		apply: func(tx *gorm.DB, w *WorkOrder, _ any, now time.Time, st *ticket.WorkOrderStep) ([]event.Event, error) {
			onTime := w.ArrivalDueAt == nil || !now.After(*w.ArrivalDueAt)
			w.ArrivedAt, w.ArrivalOnTime, w.Status = &now, &onTime, StatusOnSite
			if pos != nil {
				lat, lng := pos.Lat, pos.Lng
				w.ArrivedLat, w.ArrivedLng, w.ArrivedAccuracyM = &lat, &lng, pos.AccuracyM
				st.Data["located"] = true
			}
			st.Met = []sla.Target{sla.TargetOnsiteArrival}
			if w.ContactedAt == nil {
				w.ContactedAt = &now
				st.Met = append(st.Met, sla.TargetCustomerContact)
			}
			st.Body = fmt.Sprintf("技师已到达现场（工单 %s，%s）", w.Number, map[bool]string{true: "准时", false: "迟到"}[onTime])
			if note != "" {
				st.Body += "：" + note
			}
			st.Data["on_time"] = onTime
			return s.events(event.WorkOrderCheckedIn, *w, event.WorkOrder{OnTime: &onTime}), nil
		}})
}

// OnTheWay records that the technician set off to the customer (the
// customer is told by SMS, see package messaging). It changes no status
// and may be repeated (a second departure after a detour tells the
// customer again). Errors: not_found, conflict (no technician yet).
func (s *Service) OnTheWay(ctx context.Context, id uint64, note string, version int64) (WorkOrder, error) {
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > 1000 {
		return WorkOrder{}, apperr.Field("note", "at most 1000 characters")
	}
	return s.run(ctx, id, stepper{step: StepOnTheWay, roles: []string{auth.RoleOutletManager, auth.RoleTechnician}, version: version,
		apply: func(tx *gorm.DB, w *WorkOrder, _ any, now time.Time, st *ticket.WorkOrderStep) ([]event.Event, error) {
			st.Body = fmt.Sprintf("技师已出发（工单 %s）", w.Number)
			if note != "" {
				st.Body += "：" + note
			}
			return s.events(event.WorkOrderOnTheWay, *w, event.WorkOrder{TechnicianStaffID: w.TechnicianStaffID,
				AppointmentAt: w.AppointmentAt, AppointmentUntil: w.AppointmentUntil}), nil
		}})
}

// Complete records the result of the work. done and no_fault_found resolve
// the ticket (its resolution clock is met) unless other work for it is
// still open; parts_required puts the ticket to waiting_parts (clocks
// paused). Errors: not_found, validation, conflict.
func (s *Service) Complete(ctx context.Context, id uint64, result, notes string, version int64) (WorkOrder, error) {
	notes = strings.TrimSpace(notes)
	fields := map[string]string{}
	if !slices.Contains(Results(), result) {
		fields["result"] = "one of " + strings.Join(Results(), ", ")
	}
	if utf8.RuneCountInString(notes) > 4000 {
		fields["notes"] = "at most 4000 characters"
	}
	if len(fields) > 0 {
		return WorkOrder{}, apperr.Validation(fields)
	}
	return s.run(ctx, id, stepper{step: StepComplete, roles: []string{auth.RoleOutletManager, auth.RoleTechnician}, version: version,
		apply: func(tx *gorm.DB, w *WorkOrder, _ any, now time.Time, st *ticket.WorkOrderStep) ([]event.Event, error) {
			if s.o.Repairs != nil {
				r, found, err := s.o.Repairs.RepairOfWorkOrder(ctx, tx, w.ID)
				if err != nil {
					return nil, err
				}
				if found && !ResultAgrees(result, r.Outcome) {
					return nil, apperr.Conflict("result_disagrees_with_repair",
						fmt.Sprintf("the repair %s is %s: the work order cannot be completed as %s", r.Number, r.Outcome, result)).
						WithDetail("repair_id", r.ID).WithDetail("repair_outcome", r.Outcome).WithDetail("allowed_results", ResultsAgreeing(r.Outcome))
				}
			}
			repeat := now.Add(FirstTimeFixWindow)
			w.CompletedAt, w.Result, w.ResultNotes, w.RepeatUntil, w.Status = &now, result, notes, &repeat, StatusCompleted
			switch result {
			case ResultDone, ResultNoFault:
				var open int64
				if err := tx.WithContext(ctx).Model(&WorkOrder{}).Where("ticket_id = ? AND id <> ? AND status IN ?", w.TicketID, w.ID,
					append([]string{StatusOffered, StatusUnassigned}, activeStatuses...)).Count(&open).Error; err != nil {
					return nil, err
				}
				if open == 0 {
					st.Status = ticket.StatusResolved
				}
			case ResultPartsRequired:
				st.Status = ticket.StatusWaitingParts
			}
			st.Body = fmt.Sprintf("工单 %s 已完工：%s", w.Number, resultLabel(result))
			if notes != "" {
				st.Body += "（" + notes + "）"
			}
			st.Data["result"] = result
			evs := s.events(event.WorkOrderCompleted, *w, event.WorkOrder{Result: result})
			if w.Kind == KindRecallRemedy && result == ResultDone && s.o.Recalls != nil && w.OutletID != nil {
				// The remedy is recorded on the campaign in this transaction:
				// a campaign that refuses it (closed, already remedied)
				// refuses the completion with its 409.
				rev, _, err := s.o.Recalls.RemedyForWorkOrder(ctx, tx, w.ID, *w.OutletID, "召回补救工单 "+w.Number+" 完工")
				if err != nil {
					return nil, err
				}
				evs = append(evs, rev...)
			}
			return evs, nil
		}})
}

// SignOff records the customer's sign-off of completed work. Errors:
// not_found, validation, conflict.
func (s *Service) SignOff(ctx context.Context, id uint64, signedBy string, version int64) (WorkOrder, error) {
	signedBy = strings.TrimSpace(signedBy)
	if utf8.RuneCountInString(signedBy) > 64 {
		return WorkOrder{}, apperr.Field("signed_by", "at most 64 characters")
	}
	return s.run(ctx, id, stepper{step: StepSignOff, roles: []string{auth.RoleOutletManager, auth.RoleTechnician}, version: version,
		apply: func(tx *gorm.DB, w *WorkOrder, _ any, now time.Time, st *ticket.WorkOrderStep) ([]event.Event, error) {
			w.SignedOffAt, w.SignedBy, w.Status = &now, signedBy, StatusSignedOff
			st.Body = fmt.Sprintf("客户已签字确认（工单 %s%s）", w.Number, map[bool]string{true: "，签字人 " + signedBy, false: ""}[signedBy != ""])
			return s.events(event.WorkOrderSignedOff, *w, event.WorkOrder{}), nil
		}})
}

// Cancel withdraws work that is not yet done; the ticket's open dispatch
// clocks stop. Errors: not_found, validation, conflict.
func (s *Service) Cancel(ctx context.Context, id uint64, reason string, version int64) (WorkOrder, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 1000 {
		return WorkOrder{}, apperr.Field("reason", "required, at most 1000 characters")
	}
	return s.run(ctx, id, stepper{step: StepCancel, roles: []string{auth.RoleHotlineAgent}, version: version,
		apply: func(tx *gorm.DB, w *WorkOrder, _ any, now time.Time, st *ticket.WorkOrderStep) ([]event.Event, error) {
			if w.Status == StatusOffered {
				if _, err := s.respond(ctx, tx, w, ResponseWithdrawn, reason, now); err != nil {
					return nil, err
				}
			}
			w.Status, w.CancelledAt, w.CancelReason, w.OfferExpiresAt = StatusCancelled, &now, reason, nil
			st.SetOutlet, st.OutletID = true, nil
			st.Stop = []sla.Target{sla.TargetOutletAccept, sla.TargetCustomerContact, sla.TargetOnsiteArrival}
			st.StopReason = "work_order_cancelled"
			st.Body = fmt.Sprintf("工单 %s 已取消：%s", w.Number, reason)
			return s.events(event.WorkOrderCancelled, *w, event.WorkOrder{Reason: reason}), nil
		}})
}

// ---- events ----

// events builds a work-order event for topic "tickets" and for the
// outlet's board topic "outlet:<id>": the payload extra with the order's
// identity and state filled in.
func (s *Service) events(typ event.Type[event.WorkOrder], w WorkOrder, extra event.WorkOrder) []event.Event {
	p := extra
	p.WorkOrderID, p.Number, p.TicketID, p.OutletID, p.Kind, p.Status = w.ID, w.Number, w.TicketID, w.OutletID, w.Kind, w.Status
	p.CustomerID = w.CustomerID
	out := []event.Event{typ.New(event.TopicTickets, p)}
	if w.OutletID != nil {
		out = append(out, typ.New(event.OutletTopic(*w.OutletID), p))
	}
	return out
}

// ---- helpers ----

func idStr(id uint64) string { return strconv.FormatUint(id, 10) }

func deref(p *uint64) uint64 {
	if p == nil {
		return 0
	}
	return *p
}

func clip(s string, n int) string {
	for len(s) > n {
		r := []rune(s)
		s = string(r[:len(r)-1])
	}
	return s
}

var resultLabels = map[string]string{ResultDone: "已完成", ResultNoFault: "未发现故障", ResultPartsRequired: "需要备件", ResultNotFixed: "未修复"}

func resultLabel(r string) string {
	if l, ok := resultLabels[r]; ok {
		return l
	}
	return r
}

// wrap classifies a storage error (db.Classify: busy, duplicate,
// unavailable, internal) with what was being done.
func wrap(err error, what string) error { return db.Classify(err, what) }
