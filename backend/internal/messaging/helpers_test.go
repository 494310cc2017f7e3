package messaging_test

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
	"github.com/aftersales/aftersales/backend/internal/messaging"
	"github.com/aftersales/aftersales/backend/internal/outbox"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

var shanghai = mustZone("Asia/Shanghai")

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// local is a wall-clock time in Shanghai, as UTC.
func local(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, shanghai).UTC()
}

// customers is the customer register as the messages see it: 1 consents
// to service SMS and surveys, 2 consents to nothing, 3 has no mobile.
type customers map[uint64]messaging.Contact

func (c customers) Contact(_ context.Context, id uint64) (messaging.Contact, error) {
	ct, ok := c[id]
	if !ok {
		return messaging.Contact{}, apperr.NotFound("customer")
	}
	return ct, nil
}

var register = customers{
	1: {Name: "王建国", Mobile: "13800138000", ConsentSMS: true, ConsentSurvey: true},
	2: {Name: "李娜", Mobile: "13900139000"},
	3: {Name: "赵强", ConsentSMS: true, ConsentSurvey: true},
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// newService returns a Service on g with the default templates, Shanghai
// quiet hours 21:00–08:00 and the clock c; edit adjusts the options.
func newService(t *testing.T, g *gorm.DB, c *testutil.Clock, edit func(*messaging.Options)) *messaging.Service {
	t.Helper()
	o := messaging.Options{DB: g, Audit: audit.New(nil), Log: quiet, Customers: register, Location: shanghai,
		Quiet:     messaging.QuietHours{Start: 21 * time.Hour, End: 8 * time.Hour, Loc: shanghai},
		RateLimit: 5, RateWindow: time.Hour, ClaimTTL: time.Minute, MaxAttempts: 3, RetryAfter: time.Minute, Now: c.Now}
	if edit != nil {
		edit(&o)
	}
	s := messaging.New(o)
	if err := s.EnsureDefaults(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// feed delivers e to the service the way app wires it (outbox.OnceTx).
func feed(g *gorm.DB, s *messaging.Service, events ...event.Event) {
	h := outbox.OnceTx(g, "customer_messages", quiet, s.Feed)
	for _, e := range events {
		if messaging.Concerns(e) {
			h(e)
		}
	}
}

func messages(t *testing.T, s *messaging.Service, f messaging.Filter) []messaging.Message {
	t.Helper()
	f.Size = 200
	ms, _, err := s.List(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// queue stores one message for customer 1 outside any event.
func queue(t *testing.T, g *gorm.DB, s *messaging.Service, d messaging.Draft) messaging.Message {
	t.Helper()
	var m messaging.Message
	err := g.Transaction(func(tx *gorm.DB) error {
		var err error
		m, _, err = s.QueueTx(context.Background(), tx, d)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}
