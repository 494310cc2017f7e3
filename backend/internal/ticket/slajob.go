package ticket

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/sla"
)

// slaBatch bounds one pass of the SLA job; the job loops until no ticket
// is due for a check (or slaMaxBatches passes, the rest waiting a minute).
const (
	slaBatch      = 200
	slaMaxBatches = 50
)

// CheckSLA is the scheduled job that raises sla.warning and sla.breached.
// It looks only at tickets whose next possible crossing (kept in
// sla_next_check_at) has come, asks sla.Thresholds what each crossed since
// the ticket's last check, records each crossing once in sla_alerts (a
// unique key per ticket, clock, segment and kind, so two servers never
// raise the same alert), notes it on the timeline and publishes it on topic
// "sla" with Data ticket_id, number, target, kind, segment, due_at,
// outlet_id. It returns the number of alerts raised.
func (s *Service) CheckSLA(ctx context.Context) (int, error) {
	ctx = actor.With(ctx, actor.System("sla_check"))
	raised := 0
	for pass := 0; pass < slaMaxBatches; pass++ {
		now := s.now()
		var due []Ticket
		if err := s.o.DB.WithContext(ctx).Where("sla_next_check_at <= ?", now).Order("sla_next_check_at, id").
			Limit(slaBatch).Find(&due).Error; err != nil {
			return raised, fmt.Errorf("sla check: %w", err)
		}
		if len(due) == 0 {
			break
		}
		ids := make([]uint64, len(due))
		for i, t := range due {
			ids[i] = t.ID
		}
		logs, err := s.o.SLA.Logs(ctx, ids)
		if err != nil {
			return raised, err
		}
		progress := false
		for _, t := range due {
			n, moved, err := s.checkOne(ctx, t, logs[t.ID], now)
			if err != nil {
				s.o.Log.Error("sla check", "ticket", t.ID, "err", err)
				continue
			}
			raised += n
			progress = progress || moved
		}
		if !progress || len(due) < slaBatch {
			break
		}
	}
	return raised, nil
}

// checkOne raises the crossings of one ticket and moves its check marks.
// moved is false when the ticket changed concurrently and its marks were
// left for the next run.
func (s *Service) checkOne(ctx context.Context, t Ticket, log []sla.Event, now time.Time) (int, bool, error) {
	cal, err := s.o.SLA.CalendarByCode(ctx, t.SLACalendar)
	if err != nil {
		return 0, false, err
	}
	crossings := sla.Thresholds(log, cal, t.SLACheckedAt, now)
	var pub []event.Event
	moved := false
	err = db.Retry(ctx, func() error {
		pub = nil
		return s.gate.transaction(ctx, s.o.DB, func(tx *gorm.DB) error {
			// The ticket row first, the audit chain last: the order every
			// ticket change takes its locks in, so the job cannot deadlock
			// with an agent's edit on MySQL.
			next := t
			next.SLACheckedAt = now
			Summarise(&next, sla.Evaluate(log, cal, now))
			// Bookkeeping only: the version is not bumped, so an agent's edit
			// is not refused because the job ran, but it is checked, so marks
			// computed from a log that changed meanwhile are not written (the
			// next run looks again; alerts are deduplicated).
			res := tx.Model(&Ticket{}).Where("id = ? AND version = ?", t.ID, t.Version).Updates(map[string]any{
				"sla_checked_at": now, "sla_next_check_at": next.SLANextCheckAt, "sla_breached": next.SLABreached || t.SLABreached,
				"sla_due_at": next.SLADueAt})
			if res.Error != nil {
				return fmt.Errorf("sla marks: %w", res.Error)
			}
			moved = res.RowsAffected == 1
			var notes []Event
			for _, c := range crossings {
				kind := string(c.Kind)
				ok, err := s.o.SLA.RaiseAlert(ctx, tx, sla.Alert{TicketID: t.ID, Target: string(c.Target), Segment: c.Segment,
					Kind: kind, DueAt: c.Clock.DueAt, OutletID: t.OutletID, RaisedAt: now})
				if err != nil {
					return err
				}
				if !ok {
					continue
				}
				typ, code := event.SLAWarning, "sla_warning"
				if c.Kind == sla.CrossingBreach {
					typ, code = event.SLABreached, "sla_breached"
				}
				alert := event.SLAAlert{TicketID: t.ID, Number: t.Number, Target: string(c.Target), Kind: kind,
					Segment: c.Segment, DueAt: c.Clock.DueAt, OutletID: t.OutletID, AssigneeID: t.AssigneeID}
				data := map[string]any{"ticket_id": t.ID, "number": t.Number, "target": string(c.Target), "kind": kind,
					"segment": c.Segment, "due_at": c.Clock.DueAt, "outlet_id": t.OutletID}
				notes = append(notes, Event{TicketID: t.ID, Kind: EventSLA, ActorName: "system:sla_check", BodyCode: code,
					BodyParams: paramsJSON(map[string]any{"sla_target": string(c.Target)}), Data: mustJSON(data), At: now})
				pub = append(pub, typ.New(event.TopicSLA, alert))
			}
			if len(notes) == 0 {
				return nil
			}
			if err := tx.Create(&notes).Error; err != nil {
				return fmt.Errorf("sla timeline: %w", err)
			}
			if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: "sla_alert", Entity: "ticket", EntityID: strconv.FormatUint(t.ID, 10),
				After: map[string]any{"alerts": len(notes), "crossings": crossings}}); err != nil {
				return err
			}
			return s.o.Bus.Enqueue(tx, pub...)
		})
	})
	if err != nil {
		return 0, false, err
	}
	return len(pub), moved, nil
}

// ClockTargets lists the clock names in display order (for exports).
func ClockTargets() []sla.Target { return slices.Clone(sla.Targets()) }
