package app

import (
	"context"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/config"
	"github.com/aftersales/aftersales/backend/internal/customer"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/messaging"
	"github.com/aftersales/aftersales/backend/internal/outbox"
	"github.com/aftersales/aftersales/backend/internal/repair"
	"github.com/aftersales/aftersales/backend/internal/survey"
)

// wireMessages builds the customer-message outbox (package messaging): it
// is fed from the bus once per event id (outbox.OnceTx), sends the survey
// links the survey dispatch issues, and issues the repair quote links.
// Called after the repair and survey services exist.
func (a *App) wireMessages(ctx context.Context) error {
	cfg := a.Cfg
	m := cfg.Messages
	start, _ := config.ClockOffset(m.QuietStart) // validated by config
	end, _ := config.ClockOffset(m.QuietEnd)
	var sms messaging.Provider = messaging.LogOnly{Log: a.Log}
	if t := cfg.SMS.Tencent; t.Configured() {
		sms = messaging.NewTencent(messaging.TencentOptions{SecretID: t.SecretID, SecretKey: t.SecretKey, SDKAppID: t.SDKAppID,
			SignName: t.SignName, Region: t.Region, Endpoint: t.Endpoint})
	}
	a.Messages = messaging.New(messaging.Options{DB: a.DB, Audit: a.Audit, Log: a.Log, Customers: messageContacts{a.Customers},
		Quotes: quoteLinks{a.Repairs}, SMS: sms, Location: cfg.Location(),
		Webhook: messaging.Webhook{URL: m.WebhookURL, Secret: m.WebhookSecret, MaxAttempts: m.WebhookMaxAttempts, Backoff: m.WebhookBackoff},
		Quiet:   messaging.QuietHours{Start: start, End: end, Loc: cfg.Location()}, RateLimit: m.RateLimit, RateWindow: m.RateWindow,
		ClaimTTL: m.ClaimTTL, MaxAttempts: m.MaxAttempts, RetryAfter: m.RetryAfter})
	if err := ensureDefaults(ctx, []startupDefault{{"message templates", a.Messages.EnsureDefaults}}); err != nil {
		return err
	}
	a.Repairs.SetQuoteLinks(repair.QuoteLinkSettings{BaseURL: cfg.App.BaseURL, ValidFor: m.QuoteLinkValidFor})
	a.Surveys.SetSender(surveyLinks{a.Messages})
	feed := outbox.OnceTx(a.DB, "customer_messages", a.Log, a.Messages.Feed)
	a.Bus.Subscribe(func(e event.Event) {
		if messaging.Concerns(e) {
			feed(e)
		}
	})
	return nil
}

// runMessageWorker runs this instance's delivery loop until ctx ends; every
// instance runs one (row claims keep them from sending a message twice).
func (a *App) runMessageWorker(ctx context.Context) {
	every := a.Cfg.Messages.WorkerInterval
	if every <= 0 {
		every = 2 * time.Second
	}
	a.Messages.Run(ctx, every)
}

// messageContacts gives a message the customer's name, primary mobile
// number and consent.
type messageContacts struct{ c *customer.Service }

func (m messageContacts) Contact(ctx context.Context, id uint64) (messaging.Contact, error) {
	p, err := m.c.Profile(ctx, id)
	if err != nil {
		return messaging.Contact{}, err
	}
	out := messaging.Contact{Name: p.Customer.Name, ConsentSMS: p.Customer.ConsentSMS, ConsentSurvey: p.Customer.ConsentSurvey}
	for _, ph := range p.Phones {
		if ph.Kind == customer.PhoneMobile && (out.Mobile == "" || ph.IsPrimary) {
			out.Mobile = ph.Number
		}
	}
	return out, nil
}

// quoteLinks issues the public link of a repair quote for its message.
type quoteLinks struct{ r *repair.Service }

func (q quoteLinks) IssueQuoteLink(ctx context.Context, tx *gorm.DB, id uint64) (messaging.QuoteLink, error) {
	l, err := q.r.IssueQuoteLink(ctx, tx, id)
	if err != nil {
		return messaging.QuoteLink{}, err
	}
	return messaging.QuoteLink{URL: l.URL, ExpiresAt: l.ExpiresAt, Number: l.Number, QuoteFen: l.QuoteFen, CustomerID: l.CustomerID}, nil
}

// surveyLinks queues a survey link as a message in the transaction that
// issues its token.
type surveyLinks struct{ m *messaging.Service }

func (s surveyLinks) SendSurveyLink(ctx context.Context, tx *gorm.DB, inv survey.Invitation, url string) error {
	_, _, err := s.m.QueueTx(ctx, tx, messaging.Draft{Trigger: messaging.TriggerSurveyLink, CustomerID: inv.CustomerID,
		DedupeKey: "survey_link:invitation:" + strconv.FormatUint(inv.ID, 10) + ":" + strconv.FormatInt(inv.Version, 10),
		Params:    map[string]string{"number": inv.TicketNumber, "link": url}, RefType: "survey_invitation", RefID: inv.ID})
	return err
}
