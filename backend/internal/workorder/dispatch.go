package workorder

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/sla"
	"github.com/aftersales/aftersales/backend/internal/ticket"
)

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

// choice is the outlet an offer goes to; how says how it was chosen, as a
// timeline part (labels.parts: agent_pick, or auto with the candidate's
// figures).
type choice struct {
	outletID uint64
	name     string
	level    int
	band     sla.DistanceBand
	how      part
}

// part is a piece of a timeline line that is a label itself (a code with
// params, labels.parts.<code> in the UI), put into a line's params.
type part map[string]any

func newPart(code string, params map[string]any) part {
	if params == nil {
		params = map[string]any{}
	}
	return part{"code": code, "params": params}
}

// The codes of why nobody could be offered a work order (stored as the
// unassigned reason; the UI says them, labels.values.no_outlet_reason).
const (
	NoOutletRegionOrCategory = "no_region_or_category"
	NoOutletService          = "no_outlet_service"
	NoOutletCandidates       = "no_candidates"
)

// label is how the ticket's timeline names the chosen outlet.
func (c *choice) label() string { return outletText(c.outletID, c.name) }

// outletText names an outlet in a timeline param: its name, or #id when
// the name is unknown (no outlet service wired).
func outletText(id uint64, name string) string {
	if name == "" {
		return fmt.Sprintf("#%d", id)
	}
	return name
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
			cands, candErr = nil, NoOutletRegionOrCategory
		}
	} else {
		candErr = NoOutletService
	}
	if pick != nil {
		if s.o.Outlets != nil {
			info, err := s.o.Outlets.Outlet(ctx, *pick)
			if apperr.IsKind(err, apperr.KindNotFound) {
				return nil, "", apperr.FieldErr("outlet_id", apperr.NoSuch("outlet"))
			}
			if err != nil {
				return nil, "", err
			}
			if !info.Active {
				return nil, "", apperr.FieldErr("outlet_id", apperr.Code("outlet_suspended", "the outlet is suspended"))
			}
		}
		c := &choice{outletID: *pick, how: newPart("agent_pick", nil), name: s.outletName(ctx, *pick)}
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
			candErr = NoOutletCandidates
		}
		return nil, candErr, nil
	}
	best := cands[0]
	c := &choice{outletID: best.OutletID, name: best.Name, level: best.CoverageLevel, band: bandOf(best.CoverageLevel),
		how: newPart("auto", map[string]any{"outlet_code": best.Code, "outlet_name": best.Name, "coverage_level": best.CoverageLevel,
			"load": best.Load, "capacity": best.Capacity})}
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
	fields := apperr.Fields{}
	if !slices.Contains(Kinds(), in.Kind) {
		fields["kind"] = apperr.OneOf(Kinds()...)
	}
	if in.Band != "" && !sla.DistanceBand(in.Band).Valid() {
		fields["distance_band"] = apperr.OneOf("city", "within_200km", "within_500km", "remote")
	}
	in.Note = strings.TrimSpace(in.Note)
	if utf8.RuneCountInString(in.Note) > 1000 {
		fields["note"] = apperr.TooLong(1000)
	}
	if in.OutletID != nil && *in.OutletID == 0 {
		in.OutletID = nil
	}
	if len(fields) > 0 {
		return WorkOrder{}, apperr.FieldsErr(fields)
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
	err = db.Retry(ctx, func() error {
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
				step.Line = ticket.Line{Code: "dispatched", Params: map[string]any{"work_order_kind": w.Kind, "number": w.Number,
					"outlet": ch.label(), "how": ch.how}}
			} else {
				step.Line = ticket.Line{Code: "not_dispatched", Params: map[string]any{"work_order_kind": w.Kind, "number": w.Number,
					"no_outlet_reason": why}}
				step.Data["unassigned_reason"] = why
			}
			if in.Note != "" {
				step.Line.Params["note"] = in.Note
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
