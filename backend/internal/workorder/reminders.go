package workorder

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/event"
)

// Offer reminders: the shares of an offer's time at which the outlet is
// told again that it waits (the inbox and Web Push), each once.
const (
	ReminderHalf = 50
	ReminderLate = 80
)

// ReminderDue returns the reminder an offer made at offered and lapsing at
// expires is due at now (ReminderLate, ReminderHalf or 0), given those
// already sent. The later one wins: an offer first seen at 85% of its time
// is reminded once, at 80%, not twice. Pure: the job's maths.
func ReminderDue(offered, expires, now time.Time, halfSent, lateSent bool) int {
	total := expires.Sub(offered)
	if total <= 0 || !now.Before(expires) {
		return 0
	}
	gone := now.Sub(offered)
	switch {
	case !lateSent && gone*100 >= total*ReminderLate:
		return ReminderLate
	case !halfSent && !lateSent && gone*100 >= total*ReminderHalf:
		return ReminderHalf
	}
	return 0
}

// RemindOffers is the scheduled job of offer reminders: each pending offer
// that has used 50% or 80% of its time is reminded to its outlet once.
// Two instances running it at once cannot both remind: a reminder is
// claimed by setting its column where it is still NULL, in the transaction
// that records the event (outbox) and the audit entry. It returns how many
// reminders it sent.
func (s *Service) RemindOffers(ctx context.Context) (int, error) {
	return s.RemindOffersAsOf(ctx, s.now())
}

// RemindOffersAsOf is RemindOffers deciding as of asOf (tests stand in for
// the clock with it).
func (s *Service) RemindOffersAsOf(ctx context.Context, asOf time.Time) (int, error) {
	ctx = actor.With(ctx, actor.System("offer_reminders"))
	asOf = asOf.UTC().Truncate(time.Millisecond)
	var due []Offer
	// Candidates: pending, not lapsed, and not yet reminded at 80%.
	if err := s.o.DB.WithContext(ctx).Where("response = ? AND expires_at > ? AND reminded_late_at IS NULL", ResponsePending, asOf).
		Order("expires_at, id").Limit(500).Find(&due).Error; err != nil {
		return 0, fmt.Errorf("offer reminders: %w", err)
	}
	n := 0
	for _, o := range due {
		pct := ReminderDue(o.OfferedAt, o.ExpiresAt, asOf, o.RemindedHalfAt != nil, o.RemindedLateAt != nil)
		if pct == 0 {
			continue
		}
		sent, err := s.remind(ctx, o, pct, asOf)
		if err != nil {
			s.o.Log.Error("offer reminder", "offer", o.ID, "err", err)
			continue
		}
		if sent {
			n++
		}
	}
	return n, nil
}

// remind claims and sends one reminder; false when another run claimed it
// first or the offer is no longer the work order's pending one.
func (s *Service) remind(ctx context.Context, o Offer, pct int, now time.Time) (bool, error) {
	sent := false
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var w WorkOrder
		if err := tx.Where("id = ?", o.WorkOrderID).Take(&w).Error; err != nil {
			return err
		}
		if w.Status != StatusOffered || w.OfferID == nil || *w.OfferID != o.ID {
			return nil
		}
		set := map[string]any{"reminded_late_at": now}
		q := tx.Model(&Offer{}).Where("id = ? AND response = ? AND reminded_late_at IS NULL", o.ID, ResponsePending)
		if pct == ReminderHalf {
			set = map[string]any{"reminded_half_at": now}
			q = q.Where("reminded_half_at IS NULL")
		} else if o.RemindedHalfAt == nil {
			set["reminded_half_at"] = now // the 50% one is passed: never sent after this one
		}
		res := q.Updates(set)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return nil // claimed by another run
		}
		if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: "remind_offer", Entity: "work_order", EntityID: idStr(w.ID),
			After: map[string]any{"offer_id": o.ID, "percent": pct, "outlet_id": o.OutletID, "expires_at": o.ExpiresAt}}); err != nil {
			return err
		}
		sent = true
		expires := o.ExpiresAt
		return s.o.Bus.Enqueue(tx, s.events(event.WorkOrderOfferReminder, w, event.WorkOrder{ExpiresAt: &expires, Attempt: o.Attempt, Percent: pct})...)
	})
	if err != nil {
		return false, wrap(err, "remind offer")
	}
	return sent, nil
}

// RejectReason is one of the reasons an outlet picks when it rejects an
// offer (the phone's one-tap list); the UI names it from its code
// (labels.reasons, the phone's offers.reasons).
type RejectReason struct {
	Code string
}

// RejectReasons lists the reasons, in the order the phone shows them.
func RejectReasons() []RejectReason {
	return []RejectReason{{"no_technician"}, {"out_of_area"}, {"no_skill"}, {"no_parts"}, {"closed"}, {"other"}}
}

// RejectReasonText composes the stored reason from a reason code and the
// free text: "code: text", the code alone, or the text alone when no code
// is given (the UI says the code, labels.reasons). "other" needs the text.
// Errors: validation (unknown code, "other" without text).
func RejectReasonText(code, text string) (string, error) {
	text = strings.TrimSpace(text)
	if code == "" {
		return text, nil
	}
	for _, r := range RejectReasons() {
		if r.Code != code {
			continue
		}
		switch {
		case text == "" && code == "other":
			return "", apperr.FieldErr("reason", apperr.Code("note_other_reason", "say why when the reason is other"))
		case text == "":
			return r.Code, nil
		}
		return r.Code + ": " + text, nil
	}
	return "", apperr.FieldErr("reason_code", apperr.Code("unknown_reject_reason", "not one of the reject reasons"))
}
