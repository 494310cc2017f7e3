package complaint

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/event"
)

// Overdue kinds reported by complaint.overdue.
const (
	OverdueAcknowledgement = "acknowledgement"
	OverdueResolution      = "resolution"
)

// EscalateOverdue is the scheduled job: every complaint whose
// acknowledgement or resolution deadline has passed is marked overdue and
// raised one level up the chain, once per deadline. The mark is a
// conditional update (… AND ack_overdue_at IS NULL), so two servers or two
// runs cannot raise the same deadline twice, and complaint.overdue and
// complaint.escalated are published once each.
func (s *Service) EscalateOverdue(ctx context.Context) error {
	if actor.From(ctx).Username == "anonymous" {
		ctx = actor.With(ctx, actor.System("complaint.escalation"))
	}
	now := s.now()
	passes := []struct {
		kind  string
		where string
		args  []any
	}{
		{OverdueAcknowledgement, "status = ? AND ack_overdue_at IS NULL AND ack_due_at <= ?", []any{StatusReceived, now}},
		{OverdueResolution, "status IN ? AND resolve_overdue_at IS NULL AND resolve_due_at <= ?",
			[]any{[]string{StatusReceived, StatusAcknowledged, StatusInvestigating}, now}},
	}
	var firstErr error
	for _, p := range passes {
		var last uint64
		for {
			var ids []uint64
			err := s.o.DB.WithContext(ctx).Model(&Complaint{}).Where(p.where, p.args...).Where("id > ?", last).
				Order("id").Limit(200).Pluck("id", &ids).Error
			if err != nil {
				return fmt.Errorf("complaint escalation: scan %s: %w", p.kind, err)
			}
			for _, cid := range ids {
				if err := s.markOverdue(ctx, cid, p.kind, now); err != nil {
					s.o.Log.Error("complaint escalation", "complaint_id", cid, "kind", p.kind, "err", err)
					if firstErr == nil {
						firstErr = err
					}
				}
				last = cid
			}
			if len(ids) < 200 {
				break
			}
		}
	}
	return firstErr
}

func (s *Service) markOverdue(ctx context.Context, cid uint64, kind string, now time.Time) error {
	var c Complaint
	var esc *Escalation
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", cid).Take(&c).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return nil
			}
			return err
		}
		before := c
		level, up := s.o.Chain.Next(c.EscalationLevel)
		col, statusCond := "ack_overdue_at", []string{StatusReceived}
		if kind == OverdueResolution {
			col, statusCond = "resolve_overdue_at", []string{StatusReceived, StatusAcknowledged, StatusInvestigating}
		}
		upd := map[string]any{col: now, "version": c.Version + 1, "updated_at": now}
		if up {
			upd["escalation_level"], upd["escalated_at"] = level, now
		}
		res := tx.Model(&Complaint{}).Where("id = ? AND version = ? AND status IN ? AND "+col+" IS NULL", cid, c.Version, statusCond).Updates(upd)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return nil // already marked, or changed meanwhile: the next run looks again
		}
		if kind == OverdueResolution {
			c.ResolveOverdueAt = &now
		} else {
			c.AckOverdueAt = &now
		}
		c.Version, c.UpdatedAt = c.Version+1, now
		by := actor.From(ctx).Username
		due := c.AckDueAt
		if kind == OverdueResolution {
			due = c.ResolveDueAt
		}
		if err := s.log(tx, c.ID, now, "overdue", "", "", by, kind, fmt.Sprintf("%s deadline %s passed", kind, due.Format(time.RFC3339))); err != nil {
			return err
		}
		if up {
			c.EscalationLevel, c.EscalatedAt = level, &now
			e, err := s.escalation(ctx, c, level, kind+"_overdue", now, by, "")
			if err != nil {
				return err
			}
			esc = &e
			if err := tx.Create(esc).Error; err != nil {
				return err
			}
			// The note is a reason code the UI says (labels.reasons), then the level and the role told.
			if err := s.log(tx, c.ID, now, "escalated", "", "", by, "", fmt.Sprintf("escalated_overdue: %d %s", level, esc.NotifiedRole)); err != nil {
				return err
			}
		}
		if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: "overdue", Entity: "complaint", EntityID: id(c.ID), Before: before, After: c}); err != nil {
			return err
		}
		events := []event.Event{event.ComplaintOverdue.New(Topic, event.ComplaintOverduePayload{ComplaintID: c.ID, Number: c.Number,
			Kind: kind, DueAt: due, Severity: c.Severity, Level: c.EscalationLevel})}
		if esc != nil {
			events = append(events, escalated(c, *esc))
		}
		return s.o.Bus.Enqueue(tx, events...)
	})
	if err != nil {
		return wrap(err, "mark complaint overdue")
	}
	return nil
}
