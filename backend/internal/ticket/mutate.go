package ticket

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/sla"
)

// change collects what a mutation does besides editing the ticket row.
type change struct {
	action   string
	timeline []Event
	sla      []sla.Event
	freeze   bool
	publish  []event.Event
	// withdraw, when set, is the reason the ticket's open field work is
	// withdrawn (it was resolved, closed or merged).
	withdraw string
}

// note adds a line a person wrote (body) to the timeline.
func (c *change) note(kind, body string, data map[string]any) {
	c.timeline = append(c.timeline, Event{Kind: kind, Body: body, Data: mustJSON(data)})
}

// say adds a line the server writes, as a code with params (see Line).
func (c *change) say(kind string, l Line, data map[string]any) {
	c.timeline = append(c.timeline, Event{Kind: kind, BodyCode: l.Code, BodyParams: paramsJSON(l.Params), Data: mustJSON(data)})
}

// errUnchanged: an edit found nothing to change (the caller answers with
// the current ticket).
var errUnchanged = errors.New("unchanged")

func derefID(p *uint64) uint64 {
	if p == nil {
		return 0
	}
	return *p
}

// mutate loads a ticket in a transaction, checks the version the client
// sent (0: not checked here, but the write still requires the loaded one),
// lets fn change it and commits ticket, timeline, SLA log, audit record and
// the events (recorded in the outbox) together.
func (s *Service) mutate(ctx context.Context, id uint64, version int64, action string, fn func(tx *gorm.DB, t *Ticket, c *change, now time.Time) error) (Ticket, error) {
	var out Ticket
	c := &change{action: action}
	err := db.Retry(ctx, func() error {
		c = &change{action: action}
		return s.gate.transaction(ctx, s.hot, func(tx *gorm.DB) error {
			t, err := s.get(ctx, tx, id)
			if err != nil {
				return err
			}
			if version != 0 && t.Version != version {
				return apperr.ErrVersionConflict("ticket")
			}
			before, old := t.Snapshot(), t.Version
			now := s.now()
			orig := t
			if err := fn(tx, &t, c, now); err != nil {
				if errors.Is(err, errUnchanged) {
					out = orig
					return nil
				}
				return err
			}
			if err := s.apply(ctx, tx, &t, before, old, c, now); err != nil {
				return err
			}
			out = t
			return s.o.Bus.Enqueue(tx, c.publish...)
		})
	})
	if err != nil {
		return Ticket{}, wrap(err, action+" ticket")
	}
	return out, nil
}

// apply writes a changed ticket inside tx: the SLA events and the clock
// summary (and the frozen result at close), the row under optimistic
// concurrency, the timeline entries and the audit record.
func (s *Service) apply(ctx context.Context, tx *gorm.DB, t *Ticket, before map[string]any, oldVersion int64, c *change, now time.Time) error {
	if err := s.withdrawWork(ctx, tx, t, c, now); err != nil {
		return err
	}
	if len(c.sla) > 0 || c.freeze {
		log, err := s.o.SLA.Log(ctx, tx, t.ID)
		if err != nil {
			return err
		}
		if err := s.o.SLA.Append(ctx, tx, t.ID, c.sla...); err != nil {
			return err
		}
		for _, e := range c.sla {
			log = append(log, sla.Row(t.ID, e).Event())
		}
		cal, err := s.o.SLA.CalendarByCode(ctx, t.SLACalendar)
		if err != nil {
			return err
		}
		states := sla.Evaluate(log, cal, now)
		if c.freeze {
			prev, err := s.o.SLA.Result(ctx, tx, t.ID)
			if err != nil {
				return err
			}
			final := states
			if prev != nil {
				final = prev.Merge(states)
			}
			if err := s.o.SLA.SaveResult(ctx, tx, t.ID, sla.Freeze(final, now)); err != nil {
				return err
			}
		}
		Summarise(t, states)
	}
	t.Version, t.UpdatedAt = oldVersion+1, now
	if err := db.UpdateVersioned(tx.Select("*").Omit("id", "number", "created_at", "created_by", "sla_checked_at"),
		&Ticket{}, t.ID, oldVersion, "ticket", t); err != nil {
		return err
	}
	a := actor.From(ctx)
	for i := range c.timeline {
		ev := &c.timeline[i]
		ev.TicketID, ev.ActorID, ev.ActorName, ev.At = t.ID, actorID(a), a.Username, now
	}
	if len(c.timeline) > 0 {
		if err := tx.Create(&c.timeline).Error; err != nil {
			return fmt.Errorf("insert ticket events: %w", err)
		}
	}
	return s.o.Audit.Record(ctx, tx, audit.Entry{Action: c.action, Entity: "ticket", EntityID: strconv.FormatUint(t.ID, 10), Before: before, After: t.Snapshot()})
}

// Summarise stores on the ticket what lists and the SLA job need from its
// clocks (as sla.Evaluate returns them): the next deadline, whether any
// clock breached, and when the job must look again (the next warning or
// due instant after t.SLACheckedAt, or a breach it has not yet seen). The
// service calls it on every SLA change; bulk seeding calls it too.
func Summarise(t *Ticket, states []sla.ClockState) {
	var due, next *time.Time
	breached := false
	earliest := func(cur *time.Time, v *time.Time) *time.Time {
		if v == nil || (cur != nil && !v.Before(*cur)) {
			return cur
		}
		x := *v
		return &x
	}
	for _, c := range states {
		for _, seg := range append(slices.Clone(c.Previous), c) {
			if seg.Segment == 0 {
				continue
			}
			if seg.Breached {
				breached = true
				if seg.DueAt != nil && seg.DueAt.After(t.SLACheckedAt) {
					next = earliest(next, seg.DueAt)
				}
				continue
			}
			if !seg.Open {
				continue
			}
			due = earliest(due, seg.DueAt)
			if seg.WarnFrom != nil && seg.WarnFrom.After(t.SLACheckedAt) {
				next = earliest(next, seg.WarnFrom)
			}
			if seg.DueAt != nil && seg.DueAt.After(t.SLACheckedAt) {
				next = earliest(next, seg.DueAt)
			}
		}
	}
	t.SLADueAt, t.SLABreached, t.SLANextCheckAt = due, breached, next
}
