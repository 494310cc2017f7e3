package notification

import (
	"context"
	"fmt"
	"strconv"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/event"
)

// Recipients resolves the users an event concerns. Implemented in app over
// the users and the casbin policy, so that a permission granted or revoked
// changes who is told.
type Recipients interface {
	// WithPermission lists the active users holding permission; with an
	// outlet, only the users scoped to that outlet.
	WithPermission(ctx context.Context, permission string, outletID *uint64) ([]uint64, error)
}

// Permissions whose holders are told about an event.
const (
	// PermRespondOffer: users at an outlet who accept or reject its offers.
	PermRespondOffer = "workorder:respond"
	// PermSuperviseCallback: supervisors who make call-backs after a
	// dissatisfied survey answer.
	PermSuperviseCallback = "followup:supervise"
	// PermCertification: quality managers who keep the certificate current.
	PermCertification = "certification:manage"
)

// Concerns reports whether e may notify someone, so the consumer opens a
// transaction and records an idempotency mark only for those events.
func Concerns(e event.Event) bool {
	switch e.Name {
	case event.WorkOrderOffered.Name(), event.WorkOrderOfferReminder.Name():
		return e.Topic == event.TopicTickets
	case event.ComplaintEscalated.Name(), event.SLAWarning.Name(), event.SLABreached.Name(),
		event.SurveyCallbackDue.Name(), event.CertificationReminderDue.Name():
		return true
	}
	return false
}

// Feed is the bus consumer (wrapped in outbox.OnceTx by app, so each event
// feeds the inboxes exactly once): it stores the notifications an event
// causes inside tx. Events that concern nobody are ignored.
func (s *Service) Feed(ctx context.Context, tx *gorm.DB, e event.Event) error {
	switch {
	case event.WorkOrderOffered.Is(e):
		w, _ := event.WorkOrderOffered.Of(e)
		// The order is published on "tickets" and on the outlet's topic:
		// notify from one of the two copies only.
		if e.Topic != event.TopicTickets || w.OutletID == nil {
			return nil
		}
		users, err := s.o.Recipients.WithPermission(ctx, PermRespondOffer, w.OutletID)
		if err != nil {
			return err
		}
		return s.deliver(ctx, tx, e.ID, users, Notification{Kind: KindOfferWaiting,
			Title: "新派工待接单：" + w.Number, Link: "/outlet/work-orders/" + id(w.WorkOrderID)},
			map[string]any{"number": w.Number, "work_order_id": w.WorkOrderID, "expires_at": w.ExpiresAt})
	case event.WorkOrderOfferReminder.Is(e):
		w, _ := event.WorkOrderOfferReminder.Of(e)
		if e.Topic != event.TopicTickets || w.OutletID == nil {
			return nil
		}
		users, err := s.o.Recipients.WithPermission(ctx, PermRespondOffer, w.OutletID)
		if err != nil {
			return err
		}
		return s.deliver(ctx, tx, e.ID, users, Notification{Kind: KindOfferExpiring,
			Title: fmt.Sprintf("派工即将超时（已过 %d%%）：%s", w.Percent, w.Number), Link: "/outlet/work-orders/" + id(w.WorkOrderID)},
			map[string]any{"number": w.Number, "work_order_id": w.WorkOrderID, "expires_at": w.ExpiresAt, "percent": w.Percent})
	case event.ComplaintEscalated.Is(e):
		c, _ := event.ComplaintEscalated.Of(e)
		users := append([]uint64{}, c.UserIDs...)
		if c.UserID != nil {
			users = append(users, *c.UserID)
		}
		return s.deliver(ctx, tx, e.ID, users, Notification{Kind: KindEscalation,
			Title: fmt.Sprintf("投诉 %s 已升级到第 %d 级", c.Number, c.Level), Body: c.Reason},
			map[string]any{"number": c.Number, "complaint_id": c.ComplaintID, "level": c.Level, "reason": c.Reason, "severity": c.Severity})
	case event.SLAWarning.Is(e), event.SLABreached.Is(e):
		a, ok := event.SLAWarning.Of(e)
		if !ok {
			a, _ = event.SLABreached.Of(e)
		}
		if a.AssigneeID == nil {
			return nil
		}
		kind, title := KindSLAWarning, "SLA 即将超时："+a.Number
		if event.SLABreached.Is(e) {
			kind, title = KindSLABreached, "SLA 已超时："+a.Number
		}
		return s.deliver(ctx, tx, e.ID, []uint64{*a.AssigneeID}, Notification{Kind: kind, Title: title,
			Link: "/tickets/" + id(a.TicketID)},
			map[string]any{"number": a.Number, "ticket_id": a.TicketID, "target": a.Target, "due_at": a.DueAt})
	case event.SurveyCallbackDue.Is(e):
		c, _ := event.SurveyCallbackDue.Of(e)
		users, err := s.o.Recipients.WithPermission(ctx, PermSuperviseCallback, nil)
		if err != nil {
			return err
		}
		return s.deliver(ctx, tx, e.ID, users, Notification{Kind: KindCallbackDue,
			Title: "客户不满意，需主管回访：" + c.TicketNumber, Link: "/followups"},
			map[string]any{"ticket_number": c.TicketNumber, "followup_id": c.FollowupID, "due_at": c.DueAt})
	case event.CertificationReminderDue.Is(e):
		r, _ := event.CertificationReminderDue.Of(e)
		users, err := s.o.Recipients.WithPermission(ctx, PermCertification, nil)
		if err != nil {
			return err
		}
		kind, title := KindAuditDue, fmt.Sprintf("审核将于 %s 到期（剩 %d 天）", r.DueOn, r.DaysLeft)
		if r.Subject == "certificate" {
			kind, title = KindCertificateDue, fmt.Sprintf("认证证书 %s 将于 %s 到期（剩 %d 天）", r.CertificateNo, r.DueOn, r.DaysLeft)
		}
		return s.deliver(ctx, tx, e.ID, users, Notification{Kind: kind, Title: title, Link: "/certification"},
			map[string]any{"due_on": r.DueOn, "days_left": r.DaysLeft, "certificate_no": r.CertificateNo, "subject": r.Subject})
	}
	return nil
}

func id(v uint64) string { return strconv.FormatUint(v, 10) }
