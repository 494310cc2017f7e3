package messaging_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/messaging"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

func ptr[T any](v T) *T { return &v }

// Each business event queues its customer's message once, whatever the
// redeliveries; the work order's outlet-topic copy queues nothing.
func TestTriggersQueueOneMessageEach(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		c := testutil.NewClock(local(2026, 3, 5, 10, 0))
		s := newService(t, g, c, nil)
		at, until := local(2026, 3, 6, 14, 0), local(2026, 3, 6, 16, 0)
		wo := event.WorkOrder{WorkOrderID: 7, Number: "W20260305001", TicketID: 3, CustomerID: 1, AppointmentAt: &at, AppointmentUntil: &until}
		appt := event.WorkOrderAppointmentSet.New(event.TopicTickets, wo)
		appt.ID = 101
		apptOutlet := event.WorkOrderAppointmentSet.New(event.OutletTopic(1), wo)
		apptOutlet.ID = 102
		way := event.WorkOrderOnTheWay.New(event.TopicTickets, wo)
		way.ID = 103
		done := event.RepairCompleted.New(event.OutletTopic(1), event.Repair{ID: 9, Number: "R20260305009", CustomerID: ptr(uint64(1)), ChargeFen: 12850})
		done.ID = 104
		ack := event.ComplaintAcknowledged.New("quality", event.ComplaintAck{ComplaintID: 4, Number: "C20260305004", CustomerID: 1})
		ack.ID = 105
		recall := event.RecallOwnerNotified.New("recall", event.RecallOwnerNotice{CampaignID: 2, CustomerID: 1, Channel: "sms", Outcome: "queued",
			Number: "RC2026001", Title: "电源板过热", Remedy: "更换"})
		recall.ID = 106
		phoned := event.RecallOwnerNotified.New("recall", event.RecallOwnerNotice{CampaignID: 2, CustomerID: 1, Channel: "phone", Outcome: "reached"})
		phoned.ID = 107
		feed(g, s, appt, apptOutlet, way, done, ack, recall, phoned)
		feed(g, s, appt, done, recall) // redelivered by the relay
		ms := messages(t, s, messaging.Filter{})
		got := map[string]messaging.Message{}
		for _, m := range ms {
			if _, dup := got[m.Trigger]; dup {
				t.Errorf("two %s messages", m.Trigger)
			}
			got[m.Trigger] = m
		}
		want := map[string]string{
			messaging.TriggerAppointmentConfirmed:  "王建国您好，您的服务工单W20260305001已预约上门时间：3月6日 14:00-16:00。如需改约请致电服务热线。",
			messaging.TriggerTechnicianOnTheWay:    "王建国您好，服务工单W20260305001的技师已出发，预计16:00前到达，请保持电话畅通。",
			messaging.TriggerRepairCompleted:       "王建国您好，您的维修单R20260305009已维修完成，应付费用128.50元。感谢您的耐心等待。",
			messaging.TriggerComplaintAcknowledged: "王建国您好，您的投诉C20260305004已受理，我们将尽快处理并与您联系。",
			messaging.TriggerRecallNotice:          "王建国您好，您的产品属于召回活动“电源板过热”（RC2026001），存在安全隐患，请停止使用并联系我们免费更换。",
		}
		if len(got) != len(want) {
			t.Fatalf("got %d messages %v, want %d", len(got), ms, len(want))
		}
		for trig, body := range want {
			m := got[trig]
			if m.Body != body || m.Status != messaging.StatusQueued || m.Phone != "13800138000" {
				t.Errorf("%s: %q %s %s", trig, m.Body, m.Status, m.Phone)
			}
		}
		if !got[messaging.TriggerRecallNotice].Urgent || got[messaging.TriggerRepairCompleted].Urgent {
			t.Error("only the recall safety notice is urgent")
		}
		if m := got[messaging.TriggerRepairCompleted]; m.RefType != "repair" || m.RefID != 9 {
			t.Errorf("ref %s %d", m.RefType, m.RefID)
		}
	})
}

// Customer 2 consented to nothing: service messages and survey links are
// suppressed (kept, never sent); the statutory recall notice still goes.
// Customer 3 has no mobile number.
func TestConsentIsRespected(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		c := testutil.NewClock(local(2026, 3, 5, 10, 0))
		s := newService(t, g, c, func(o *messaging.Options) {
			o.Webhook = messaging.Webhook{URL: "http://127.0.0.1:1/hook", Secret: "0123456789abcdef"}
		})
		done := queue(t, g, s, messaging.Draft{Trigger: messaging.TriggerRepairCompleted, CustomerID: 2, DedupeKey: "a"})
		survey := queue(t, g, s, messaging.Draft{Trigger: messaging.TriggerSurveyLink, CustomerID: 2, DedupeKey: "b"})
		recall := queue(t, g, s, messaging.Draft{Trigger: messaging.TriggerRecallNotice, CustomerID: 2, Urgent: true, DedupeKey: "c"})
		noPhone := queue(t, g, s, messaging.Draft{Trigger: messaging.TriggerRepairCompleted, CustomerID: 3, DedupeKey: "d"})
		for _, m := range []messaging.Message{done, survey} {
			if m.Status != messaging.StatusSuppressed || m.Error != "no_consent" {
				t.Errorf("%s for a customer without consent: %s %s", m.Trigger, m.Status, m.Error)
			}
		}
		if recall.Status != messaging.StatusQueued {
			t.Errorf("recall notice: %s", recall.Status)
		}
		if noPhone.Status != messaging.StatusSuppressed || noPhone.Error != "no_mobile" {
			t.Errorf("no mobile: %s %s", noPhone.Status, noPhone.Error)
		}
		n, err := s.DeliverDue(context.Background())
		if err != nil || n != 1 {
			t.Fatalf("worker finished %d (err %v), want only the recall notice", n, err)
		}
		// Only what may be sent is posted to the webhook.
		ds, total, err := s.Deliveries(context.Background(), "", 1, 50)
		if err != nil || total != 1 || ds[0].MessageID != recall.ID {
			t.Errorf("webhook deliveries %v (total %d, err %v)", ds, total, err)
		}
	})
}

// At 22:30 a service SMS is deferred to 08:00, not dropped; the urgent
// recall notice goes at once. The worker sends nothing deferred before
// 08:00 and sends it at 08:00.
func TestQuietHoursDeferToEightNotDrop(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		ctx := context.Background()
		c := testutil.NewClock(local(2026, 3, 5, 22, 30))
		s := newService(t, g, c, nil)
		m := queue(t, g, s, messaging.Draft{Trigger: messaging.TriggerRepairCompleted, CustomerID: 1, DedupeKey: "a"})
		if m.Status != messaging.StatusDeferred || !m.NotBefore.Equal(local(2026, 3, 6, 8, 0)) || m.Error != "quiet_hours" {
			t.Fatalf("at 22:30: %s until %s (%s)", m.Status, m.NotBefore.In(shanghai), m.Error)
		}
		r := queue(t, g, s, messaging.Draft{Trigger: messaging.TriggerRecallNotice, CustomerID: 1, Urgent: true, DedupeKey: "b"})
		if n, err := s.DeliverDue(ctx); err != nil || n != 1 {
			t.Fatalf("at 22:30 the worker finished %d (err %v), want the urgent one", n, err)
		}
		if got, _ := s.Get(ctx, r.ID); got.Status != messaging.StatusLogOnly || got.SentAt == nil {
			t.Errorf("urgent at night: %s", got.Status)
		}
		c.Set(local(2026, 3, 6, 7, 59))
		if n, _ := s.DeliverDue(ctx); n != 0 {
			t.Errorf("at 07:59 the worker sent %d", n)
		}
		c.Set(local(2026, 3, 6, 8, 0))
		if n, err := s.DeliverDue(ctx); err != nil || n != 1 {
			t.Fatalf("at 08:00 the worker finished %d (err %v)", n, err)
		}
		got, _ := s.Get(ctx, m.ID)
		if got.Status != messaging.StatusLogOnly || got.SentAt == nil || !got.SentAt.Equal(local(2026, 3, 6, 8, 0)) {
			t.Errorf("at 08:00: %s sent %v", got.Status, got.SentAt)
		}
		// A resend queued at 20:59 whose worker runs at 21:01 is deferred then.
		c.Set(local(2026, 3, 6, 20, 59))
		late := queue(t, g, s, messaging.Draft{Trigger: messaging.TriggerComplaintAcknowledged, CustomerID: 1, DedupeKey: "c"})
		c.Set(local(2026, 3, 6, 21, 1))
		if _, err := s.DeliverDue(ctx); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Get(ctx, late.ID); got.Status != messaging.StatusDeferred || !got.NotBefore.Equal(local(2026, 3, 7, 8, 0)) {
			t.Errorf("claimed at 21:01: %s until %s", got.Status, got.NotBefore.In(shanghai))
		}
	})
}

// Two messages an hour per phone: the third is deferred until the first
// leaves the window, then sent.
func TestRateLimitPerPhoneDefers(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		ctx := context.Background()
		c := testutil.NewClock(local(2026, 3, 5, 10, 0))
		s := newService(t, g, c, func(o *messaging.Options) { o.RateLimit = 2 })
		var ids []uint64
		for i, key := range []string{"a", "b", "c"} {
			c.Set(local(2026, 3, 5, 10, i*10))
			ids = append(ids, queue(t, g, s, messaging.Draft{Trigger: messaging.TriggerComplaintAcknowledged, CustomerID: 1, DedupeKey: key}).ID)
			if _, err := s.DeliverDue(ctx); err != nil {
				t.Fatal(err)
			}
		}
		third, _ := s.Get(ctx, ids[2])
		if third.Status != messaging.StatusDeferred || third.Error != "rate_limited" || !third.NotBefore.Equal(local(2026, 3, 5, 11, 0)) {
			t.Fatalf("third within the hour: %s %s until %s", third.Status, third.Error, third.NotBefore.In(shanghai))
		}
		// Another phone is not held back.
		other := queue(t, g, s, messaging.Draft{Trigger: messaging.TriggerRecallNotice, CustomerID: 2, DedupeKey: "d"})
		if _, err := s.DeliverDue(ctx); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Get(ctx, other.ID); got.Status != messaging.StatusLogOnly {
			t.Errorf("other phone: %s", got.Status)
		}
		c.Set(local(2026, 3, 5, 11, 0))
		if n, err := s.DeliverDue(ctx); err != nil || n != 1 {
			t.Fatalf("at 11:00: %d (err %v)", n, err)
		}
		if got, _ := s.Get(ctx, ids[2]); got.Status != messaging.StatusLogOnly {
			t.Errorf("third at 11:00: %s", got.Status)
		}
	})
}

// Resend makes a new message linked to the original; a message not yet
// tried cannot be resent (409).
func TestResendQueuesACopy(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		ctx := context.Background()
		c := testutil.NewClock(local(2026, 3, 5, 10, 0))
		s := newService(t, g, c, nil)
		m := queue(t, g, s, messaging.Draft{Trigger: messaging.TriggerQuoteWaiting, CustomerID: 1, DedupeKey: "a",
			Params: map[string]string{"number": "R1", "amount": "88.00", "link": "https://svc/quote/x", "expires": "3月8日10:00"}})
		if _, err := s.Resend(ctx, m.ID); apperr.As(err).Code != "message_pending" {
			t.Fatalf("resend of a queued message: %v", err)
		}
		if _, err := s.DeliverDue(ctx); err != nil {
			t.Fatal(err)
		}
		c.Set(local(2026, 3, 5, 10, 5))
		r, err := s.Resend(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.ID == m.ID || r.ResendOf == nil || *r.ResendOf != m.ID || r.Status != messaging.StatusQueued || r.Body != m.Body {
			t.Errorf("resend: %+v", r)
		}
		if _, err := s.Resend(ctx, 999999); !apperr.IsKind(err, apperr.KindNotFound) {
			t.Errorf("unknown message: %v", err)
		}
		if n, _ := s.DeliverDue(ctx); n != 1 {
			t.Errorf("the copy was not sent: %d", n)
		}
	})
}

// Templates are edited with a version; unknown variables are refused.
func TestTemplateEditChecksVariablesAndVersion(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		ctx := context.Background()
		c := testutil.NewClock(local(2026, 3, 5, 10, 0))
		s := newService(t, g, c, nil)
		ts, err := s.Templates(ctx)
		if err != nil || len(ts) != len(messaging.Triggers()) || ts[0].Trigger != messaging.TriggerAppointmentConfirmed {
			t.Fatalf("templates %v (err %v)", ts, err)
		}
		bad := "{{name}}您好 {{password}}"
		if _, err := s.UpdateTemplate(ctx, messaging.TriggerComplaintAcknowledged, 1, messaging.TemplatePatch{Body: &bad}); apperr.As(err).Fields["body"].Code == "" {
			t.Errorf("unknown variable accepted: %v", err)
		}
		body := "{{name}}：投诉{{number}}已收到。"
		u, err := s.UpdateTemplate(ctx, messaging.TriggerComplaintAcknowledged, 1, messaging.TemplatePatch{Body: &body})
		if err != nil || u.Version != 2 {
			t.Fatalf("update: %v %v", u, err)
		}
		if _, err := s.UpdateTemplate(ctx, messaging.TriggerComplaintAcknowledged, 1, messaging.TemplatePatch{Body: &body}); !apperr.IsKind(err, apperr.KindConflict) {
			t.Errorf("stale version: %v", err)
		}
		m := queue(t, g, s, messaging.Draft{Trigger: messaging.TriggerComplaintAcknowledged, CustomerID: 1, DedupeKey: "a", Params: map[string]string{"number": "C9"}})
		if m.Body != "王建国：投诉C9已收到。" {
			t.Errorf("rendered %q", m.Body)
		}
		off := false
		if _, err := s.UpdateTemplate(ctx, messaging.TriggerComplaintAcknowledged, 2, messaging.TemplatePatch{Enabled: &off}); err != nil {
			t.Fatal(err)
		}
		if err := g.Transaction(func(tx *gorm.DB) error {
			_, ok, err := s.QueueTx(ctx, tx, messaging.Draft{Trigger: messaging.TriggerComplaintAcknowledged, CustomerID: 1, DedupeKey: "b"})
			if ok {
				t.Error("a disabled template queued a message")
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		// A restart does not overwrite the admin's text.
		if err := s.EnsureDefaults(ctx); err != nil {
			t.Fatal(err)
		}
		ts, _ = s.Templates(ctx)
		for _, tp := range ts {
			if tp.Trigger == messaging.TriggerComplaintAcknowledged && (tp.Body != body || tp.Enabled) {
				t.Errorf("defaults overwrote the edit: %+v", tp)
			}
		}
	})
}

var _ = time.Second
