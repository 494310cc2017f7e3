package messaging

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/event"
)

// Concerns reports whether e may queue a message, so the consumer opens a
// transaction and records an idempotency mark only for those events.
func Concerns(e event.Event) bool {
	switch e.Name {
	case event.WorkOrderAppointmentSet.Name(), event.WorkOrderOnTheWay.Name():
		// Work-order events are published on "tickets" and on the outlet's
		// topic: one copy is enough.
		return e.Topic == event.TopicTickets
	case event.RepairQuoted.Name(), event.RepairCompleted.Name(), event.ComplaintAcknowledged.Name():
		return true
	case event.RecallOwnerNotified.Name():
		n, _ := event.RecallOwnerNotified.Of(e)
		return n.Channel == "sms" && n.Outcome == "queued"
	}
	return false
}

// Feed is the bus consumer (wrapped in outbox.OnceTx by app: each event
// queues its message exactly once, in the transaction that marks the event
// handled). Events that concern no customer are ignored.
//
//	workorder.appointment_set   → appointment_confirmed
//	workorder.on_the_way        → technician_on_the_way
//	repair.quoted (out of warranty) → quote_waiting, with a public approval link
//	repair.completed            → repair_completed
//	recall.owner_notified (sms, queued) → recall_notice (urgent: a safety notice)
//	complaint.acknowledged      → complaint_acknowledged
//
// Survey links are queued by the survey dispatch itself (SendSurveyLink in
// app), in the transaction that issues the link's token.
func (s *Service) Feed(ctx context.Context, tx *gorm.DB, e event.Event) error {
	if !Concerns(e) {
		return nil
	}
	d, ok, err := s.draft(ctx, tx, e)
	if err != nil || !ok || d.CustomerID == 0 {
		return err
	}
	if e.ID != 0 {
		d.DedupeKey = fmt.Sprintf("%s:event:%d", d.Trigger, e.ID)
	}
	_, _, err = s.QueueTx(ctx, tx, d)
	return err
}

func (s *Service) draft(ctx context.Context, tx *gorm.DB, e event.Event) (Draft, bool, error) {
	switch {
	case event.WorkOrderAppointmentSet.Is(e):
		w, _ := event.WorkOrderAppointmentSet.Of(e)
		return Draft{Trigger: TriggerAppointmentConfirmed, CustomerID: w.CustomerID, RefType: "work_order", RefID: w.WorkOrderID,
			Params: map[string]string{"number": w.Number, "time": s.window(w.AppointmentAt, w.AppointmentUntil)}}, true, nil
	case event.WorkOrderOnTheWay.Is(e):
		w, _ := event.WorkOrderOnTheWay.Of(e)
		eta := "尽快"
		if w.AppointmentUntil != nil {
			eta = w.AppointmentUntil.In(s.o.Location).Format("15:04")
		}
		return Draft{Trigger: TriggerTechnicianOnTheWay, CustomerID: w.CustomerID, RefType: "work_order", RefID: w.WorkOrderID,
			Params: map[string]string{"number": w.Number, "time": eta}}, true, nil
	case event.RepairQuoted.Is(e):
		r, _ := event.RepairQuoted.Of(e)
		if r.InWarranty || r.CustomerID == nil || s.o.Quotes == nil {
			return Draft{}, false, nil
		}
		l, err := s.o.Quotes.IssueQuoteLink(ctx, tx, r.ID)
		if apperr.IsKind(err, apperr.KindConflict) {
			return Draft{}, false, nil // answered (by phone) before the message went out
		}
		if err != nil {
			return Draft{}, false, err
		}
		return Draft{Trigger: TriggerQuoteWaiting, CustomerID: *r.CustomerID, RefType: "repair", RefID: r.ID,
			Params: map[string]string{"number": r.Number, "amount": Yuan(l.QuoteFen), "link": l.URL,
				"expires": l.ExpiresAt.In(s.o.Location).Format("1月2日15:04")}}, true, nil
	case event.RepairCompleted.Is(e):
		r, _ := event.RepairCompleted.Of(e)
		if r.CustomerID == nil {
			return Draft{}, false, nil
		}
		return Draft{Trigger: TriggerRepairCompleted, CustomerID: *r.CustomerID, RefType: "repair", RefID: r.ID,
			Params: map[string]string{"number": r.Number, "amount": Yuan(r.ChargeFen)}}, true, nil
	case event.RecallOwnerNotified.Is(e):
		n, _ := event.RecallOwnerNotified.Of(e)
		return Draft{Trigger: TriggerRecallNotice, CustomerID: n.CustomerID, Urgent: true, RefType: "recall_campaign", RefID: n.CampaignID,
			Params: map[string]string{"campaign": n.Title, "number": n.Number, "remedy": n.Remedy}}, true, nil
	case event.ComplaintAcknowledged.Is(e):
		c, _ := event.ComplaintAcknowledged.Of(e)
		return Draft{Trigger: TriggerComplaintAcknowledged, CustomerID: c.CustomerID, RefType: "complaint", RefID: c.ComplaintID,
			Params: map[string]string{"number": c.Number}}, true, nil
	}
	return Draft{}, false, nil
}

// window formats an appointment window in the enterprise zone: "3月5日 14:00-16:00".
func (s *Service) window(at, until *time.Time) string {
	if at == nil {
		return ""
	}
	out := at.In(s.o.Location).Format("1月2日 15:04")
	if until != nil {
		out += "-" + until.In(s.o.Location).Format("15:04")
	}
	return out
}

// Yuan formats an amount in fen as yuan with two decimals ("128.50").
func Yuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s%d.%02d", sign, fen/100, fen%100)
}
