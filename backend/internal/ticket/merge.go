package ticket

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/sla"
)

// Merge merges the duplicate sourceID into targetID: the source is closed
// as merged (its clocks stopped and frozen), every ticket merged into the
// source now points at the target, and the target's timeline shows the
// source's history. Both must belong to the same customer. Errors:
// not_found, validation, conflict invalid_transition.
func (s *Service) Merge(ctx context.Context, targetID, sourceID uint64, reason string) (Ticket, error) {
	if targetID == sourceID {
		return Ticket{}, apperr.FieldErr("source_id", apperr.Code("merge_into_self", "a ticket cannot be merged into itself"))
	}
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > 1000 {
		return Ticket{}, apperr.FieldErr("reason", apperr.TooLong(1000))
	}
	var target Ticket
	var pub []event.Event
	err := db.Retry(ctx, func() error {
		pub = nil
		return s.gate.transaction(ctx, s.o.DB, func(tx *gorm.DB) error {
			// Lock in id order so two opposite merges cannot deadlock.
			first, second := min(targetID, sourceID), max(targetID, sourceID)
			a, err := s.lockForMerge(ctx, tx, first, first == sourceID)
			if err != nil {
				return err
			}
			b, err := s.lockForMerge(ctx, tx, second, second == sourceID)
			if err != nil {
				return err
			}
			src, tgt := a, b
			if first == targetID {
				src, tgt = b, a
			}
			if src.MergedIntoID != nil || src.Status == StatusClosed {
				return apperr.Conflict("invalid_transition", "the source ticket is already closed or merged").WithDetail("allowed", src.Allowed())
			}
			if tgt.MergedIntoID != nil || tgt.Status == StatusClosed {
				return apperr.Conflict("invalid_transition", "the target ticket is closed; reopen it or merge into an open ticket").WithDetail("allowed", tgt.Allowed())
			}
			if src.CustomerID != tgt.CustomerID {
				return apperr.FieldErr("source_id", apperr.Code("merge_other_customer", "tickets of different customers cannot be merged"))
			}
			now := s.now()
			who := actorLabel(actor.From(ctx))
			// Source: closed as merged.
			sc := &change{action: "merge"}
			srcBefore, srcVer := src.Snapshot(), src.Version
			from := src.Status
			src.Status, src.MergedIntoID, src.CloseReason, src.ClosedAt = StatusClosed, &tgt.ID, "merged", &now
			sc.sla = append(sc.sla, sla.Event{At: now, Kind: sla.KindStopped, Reason: "merged", Actor: who})
			sc.freeze = true
			sc.withdraw = withdrawReason("ticket_merged", reason)
			sc.say(EventMerge, Line{Code: "merged_into", Params: map[string]any{"number": tgt.Number}}, map[string]any{"into_id": tgt.ID, "into_number": tgt.Number, "from": from, "reason": reason})
			if err := s.apply(ctx, tx, &src, srcBefore, srcVer, sc, now); err != nil {
				return err
			}
			if err := tx.Model(&Ticket{}).Where("merged_into_id = ?", src.ID).Update("merged_into_id", tgt.ID).Error; err != nil {
				return fmt.Errorf("repoint merged tickets: %w", err)
			}
			// Target: a timeline entry.
			tc := &change{action: "merge"}
			tgtBefore, tgtVer := tgt.Snapshot(), tgt.Version
			tc.say(EventMerge, Line{Code: "merged_from", Params: map[string]any{"number": src.Number}}, map[string]any{"source_id": src.ID, "source_number": src.Number, "reason": reason})
			if err := s.apply(ctx, tx, &tgt, tgtBefore, tgtVer, tc, now); err != nil {
				return err
			}
			target = tgt
			into := tgt.ID
			pub = append(pub,
				s.eventOf(event.TicketMerged, tgt, event.Ticket{SourceID: src.ID, SourceNumber: src.Number}),
				s.eventOf(event.TicketStatusChanged, src, event.Ticket{From: from, To: StatusClosed, MergedIntoID: &into}),
				s.eventOf(event.TicketClosed, src, event.Ticket{MergedIntoID: &into}))
			return s.o.Bus.Enqueue(tx, pub...)
		})
	})
	if err != nil {
		return Ticket{}, wrap(err, "merge tickets")
	}
	return target, nil
}

func (s *Service) lockForMerge(ctx context.Context, tx *gorm.DB, id uint64, isSource bool) (Ticket, error) {
	q := db.ForUpdate(tx)
	t, err := s.get(ctx, q, id)
	if err != nil && isSource && apperr.IsKind(err, apperr.KindNotFound) {
		return t, apperr.FieldErr("source_id", apperr.NoSuch("ticket"))
	}
	return t, err
}
