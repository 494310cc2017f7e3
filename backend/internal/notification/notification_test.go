package notification_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/notification"
	"github.com/aftersales/aftersales/backend/internal/outbox"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

// people: outlet 7 has users 70 and 71 who answer offers; 90 supervises
// call-backs; 80 is a quality manager.
type people struct{}

func (people) WithPermission(_ context.Context, perm string, outlet *uint64) ([]uint64, error) {
	switch {
	case perm == notification.PermRespondOffer && outlet != nil && *outlet == 7:
		return []uint64{70, 71}, nil
	case perm == notification.PermSuperviseCallback:
		return []uint64{90}, nil
	case perm == notification.PermCertification:
		return []uint64{80}, nil
	}
	return nil, nil
}

type env struct {
	svc    *notification.Service
	box    *outbox.Outbox
	pushed []event.Event
}

func newEnv(t *testing.T, g *gorm.DB) *env {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	bus := event.NewMemoryBus()
	e := &env{}
	e.box = outbox.New(outbox.Options{DB: g, Bus: bus, Log: quiet})
	e.svc = notification.New(notification.Options{DB: g, Audit: audit.New(nil), Bus: e.box, Recipients: people{}})
	feed := outbox.OnceTx(g, "notifications", quiet, e.svc.Feed)
	bus.Subscribe(func(ev event.Event) {
		if notification.Concerns(ev) {
			feed(ev)
		}
		if event.NotificationCreated.Is(ev) || event.NotificationsRead.Is(ev) {
			e.pushed = append(e.pushed, ev)
		}
	})
	return e
}

// publish records events the way a service does and relays them.
func (e *env) publish(t *testing.T, g *gorm.DB, evs ...event.Event) {
	t.Helper()
	if err := g.Transaction(func(tx *gorm.DB) error { return e.box.Enqueue(tx, evs...) }); err != nil {
		t.Fatal(err)
	}
	if _, err := e.box.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func inbox(t *testing.T, s *notification.Service, user uint64) notification.Page {
	t.Helper()
	p, err := s.List(context.Background(), user, false, 1, 50)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func ptr(v uint64) *uint64 { return &v }

func TestEventsThatConcernAUserLandInTheirInbox(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		e := newEnv(t, g)
		due := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
		offer := event.WorkOrder{WorkOrderID: 5, Number: "WO-5", TicketID: 3, OutletID: ptr(7), ExpiresAt: &due}
		e.publish(t, g,
			// An offer to outlet 7, on both of its topics: one notification each.
			event.WorkOrderOffered.New(event.TopicTickets, offer),
			event.WorkOrderOffered.New(event.OutletTopic(7), offer),
			// An SLA warning on agent 40's ticket; a breach on an unassigned one.
			event.SLAWarning.New(event.TopicSLA, event.SLAAlert{TicketID: 3, Number: "T-3", Target: "resolution", AssigneeID: ptr(40), DueAt: &due}),
			event.SLABreached.New(event.TopicSLA, event.SLAAlert{TicketID: 4, Number: "T-4", Target: "resolution"}),
			// An escalation to users 50 and 51.
			event.ComplaintEscalated.New(event.TopicQuality, event.ComplaintEscalation{ComplaintID: 2, Number: "C-2", Level: 1, UserIDs: []uint64{50, 51}}),
			event.SurveyCallbackDue.New(event.TopicQuality, event.CallbackDue{FollowupID: 9, TicketNumber: "T-3", DueAt: due}),
			event.CertificationReminderDue.New("readiness", event.CertificationReminder{Subject: "certificate", CertificateNo: "CN-1", DueOn: "2027-03-01", DaysLeft: 84}),
			// Not anybody's business.
			event.TicketCreated.New(event.TopicTickets, event.Ticket{TicketID: 3}),
		)
		want := map[uint64]string{70: notification.KindOfferWaiting, 71: notification.KindOfferWaiting, 40: notification.KindSLAWarning,
			50: notification.KindEscalation, 51: notification.KindEscalation, 90: notification.KindCallbackDue, 80: notification.KindCertificateDue}
		for user, kind := range want {
			p := inbox(t, e.svc, user)
			if p.Total != 1 || p.Unread != 1 || p.Items[0].Kind != kind {
				t.Fatalf("user %d: want one unread %s, got %+v", user, kind, p)
			}
		}
		if p := inbox(t, e.svc, 70); p.Items[0].Link != "/outlet/work-orders/5" {
			t.Fatalf("offer link %q", p.Items[0].Link)
		}
		var total int64
		g.Model(&notification.Notification{}).Count(&total)
		if total != int64(len(want)) {
			t.Fatalf("%d notifications, want %d (one per concerned user)", total, len(want))
		}
		// Each was pushed on its user's own topic, with the unread count.
		created := 0
		for _, ev := range e.pushed {
			if n, ok := event.NotificationCreated.Of(ev); ok {
				created++
				if ev.Topic != "user:"+itoa(n.UserID) || n.Unread != 1 {
					t.Fatalf("push %s %+v", ev.Topic, n)
				}
			}
		}
		if created != len(want) {
			t.Fatalf("%d live pushes, want %d", created, len(want))
		}
	})
}

func TestARedeliveredEventNotifiesOnce(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		e := newEnv(t, g)
		e.publish(t, g, event.SLAWarning.New(event.TopicSLA, event.SLAAlert{TicketID: 3, Number: "T-3", AssigneeID: ptr(40)}))
		// The relay delivers the same row again (a crash before marking it sent).
		var rec outbox.Record
		if err := g.Order("id DESC").Take(&rec).Error; err != nil {
			t.Fatal(err)
		}
		if err := g.Model(&outbox.Record{}).Where("id = ?", rec.ID).Update("sent_at", nil).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := e.box.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		if p := inbox(t, e.svc, 40); p.Total != 1 {
			t.Fatalf("want one notification after a redelivery, got %d", p.Total)
		}
	})
}

func TestMarkingReadIsPerUser(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		e := newEnv(t, g)
		ctx := context.Background()
		for i := uint64(1); i <= 3; i++ {
			e.publish(t, g, event.SLAWarning.New(event.TopicSLA, event.SLAAlert{TicketID: i, Number: "T", AssigneeID: ptr(40)}))
		}
		e.publish(t, g, event.SLAWarning.New(event.TopicSLA, event.SLAAlert{TicketID: 9, Number: "T-9", AssigneeID: ptr(41)}))
		mine := inbox(t, e.svc, 40)
		other := inbox(t, e.svc, 41)
		if _, err := e.svc.MarkRead(ctx, 40, other.Items[0].ID); !apperr.IsKind(err, apperr.KindNotFound) {
			t.Fatalf("another user's notification: want not_found, got %v", err)
		}
		n, err := e.svc.MarkRead(ctx, 40, mine.Items[0].ID)
		if err != nil || n.ReadAt == nil {
			t.Fatalf("mark read: %+v %v", n, err)
		}
		if c, _ := e.svc.UnreadCount(ctx, 40); c != 2 {
			t.Fatalf("unread %d, want 2", c)
		}
		if p, _ := e.svc.List(ctx, 40, true, 1, 10); p.Total != 2 {
			t.Fatalf("unread page %d, want 2", p.Total)
		}
		if m, err := e.svc.MarkAllRead(ctx, 40); err != nil || m != 2 {
			t.Fatalf("read all: %d %v", m, err)
		}
		if c, _ := e.svc.UnreadCount(ctx, 40); c != 0 {
			t.Fatalf("unread %d after read-all", c)
		}
		if c, _ := e.svc.UnreadCount(ctx, 41); c != 1 {
			t.Fatalf("the other user's inbox changed: %d", c)
		}
	})
}

func itoa(v uint64) string { return event.OutletTopic(v)[len("outlet:"):] }
