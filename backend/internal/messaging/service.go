package messaging

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/db"
)

// Contact is what a message needs of a customer.
type Contact struct {
	Name string
	// Mobile is the customer's primary mobile number ("" when none).
	Mobile        string
	ConsentSMS    bool
	ConsentSurvey bool
}

// Customers looks up a customer's contact (implemented in app over the
// customer service). Errors: not_found.
type Customers interface {
	Contact(ctx context.Context, customerID uint64) (Contact, error)
}

// QuoteLink is a public link to a repair quote, issued for its message.
type QuoteLink struct {
	URL        string
	ExpiresAt  time.Time
	Number     string
	QuoteFen   int64
	CustomerID uint64
}

// Quotes issues the public approval link of a repair's quote inside the
// caller's transaction (implemented in app over the repair service), so
// the link and its message commit together. Errors: not_found, conflict
// (the repair is no longer waiting for the customer's answer).
type Quotes interface {
	IssueQuoteLink(ctx context.Context, tx *gorm.DB, repairID uint64) (QuoteLink, error)
}

// Webhook is the enterprise's gateway every message is posted to.
type Webhook struct {
	URL         string
	Secret      string
	MaxAttempts int
	Backoff     time.Duration
}

// Options configures a Service.
type Options struct {
	DB        *gorm.DB
	Audit     *audit.Trail
	Log       *slog.Logger
	Customers Customers
	Quotes    Quotes
	// SMS is the provider (Tencent Cloud SMS, or LogOnly without credentials).
	SMS     Provider
	Webhook Webhook
	Quiet   QuietHours
	// RateLimit messages per phone within RateWindow.
	RateLimit  int
	RateWindow time.Duration
	// ClaimTTL is how long a worker's claim on a row lasts.
	ClaimTTL    time.Duration
	MaxAttempts int
	RetryAfter  time.Duration
	// Location is the enterprise zone, for times in message texts.
	Location *time.Location
	Now      func() time.Time
	// Holder names this instance in claims (default: random).
	Holder string
}

// Service queues, delivers and lists messages to customers.
type Service struct {
	o Options
}

// New returns a Service.
func New(o Options) *Service {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Quiet.Loc == nil {
		o.Quiet.Loc = o.Location
	}
	if o.SMS == nil {
		o.SMS = LogOnly{Log: o.Log}
	}
	if o.RateLimit <= 0 {
		o.RateLimit = 5
	}
	if o.RateWindow <= 0 {
		o.RateWindow = time.Hour
	}
	if o.ClaimTTL <= 0 {
		o.ClaimTTL = time.Minute
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 3
	}
	if o.RetryAfter <= 0 {
		o.RetryAfter = time.Minute
	}
	if o.Webhook.MaxAttempts <= 0 {
		o.Webhook.MaxAttempts = 6
	}
	if o.Webhook.Backoff <= 0 {
		o.Webhook.Backoff = 30 * time.Second
	}
	if o.Holder == "" {
		o.Holder = newToken()[:16]
	}
	return &Service{o: o}
}

func (s *Service) now() time.Time { return s.o.Now().UTC().Truncate(time.Millisecond) }

// OnClock returns a copy of the service that reads the time from now. The
// demo replays a past week of messages through the real queue and worker
// with it, so their times, quiet hours and rate limits are those of the
// week, not of the seeding moment.
func (s *Service) OnClock(now func() time.Time) *Service {
	o := s.o
	o.Now = now
	return &Service{o: o}
}

// SetQuotes wires the quote links (the repair service is built after).
func (s *Service) SetQuotes(q Quotes) { s.o.Quotes = q }

// Draft is a message to queue.
type Draft struct {
	Trigger    string
	CustomerID uint64
	// DedupeKey makes queuing idempotent: a second draft with the same key
	// queues nothing.
	DedupeKey string
	Params    map[string]string
	Urgent    bool
	RefType   string
	RefID     uint64
	ResendOf  *uint64
}

// consentFor reports whether c allows a message of trigger. Recall notices
// are statutory product-safety notices (缺陷产品召回管理条例: the producer
// must inform the owners) and go out without marketing or service consent.
func consentFor(trigger string, c Contact) bool {
	switch trigger {
	case TriggerRecallNotice:
		return true
	case TriggerSurveyLink:
		return c.ConsentSurvey
	}
	return c.ConsentSMS
}

// QueueTx renders d from its trigger's template and stores the message in
// tx (the caller's transaction, so the message commits with its cause). It
// returns false when nothing was stored: the template is disabled or the
// dedupe key was queued before. A customer without consent or without a
// mobile number gets a suppressed message (kept, never sent).
func (s *Service) QueueTx(ctx context.Context, tx *gorm.DB, d Draft) (Message, bool, error) {
	var t Template
	if err := tx.Where("trigger_code = ?", d.Trigger).Take(&t).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return Message{}, false, nil
		}
		return Message{}, false, fmt.Errorf("messaging: template %s: %w", d.Trigger, err)
	}
	if !t.Enabled {
		return Message{}, false, nil
	}
	if d.DedupeKey != "" {
		var n int64
		if err := tx.Model(&Message{}).Where("dedupe_key = ?", d.DedupeKey).Count(&n).Error; err != nil {
			return Message{}, false, err
		}
		if n > 0 {
			return Message{}, false, nil
		}
	}
	c, err := s.o.Customers.Contact(ctx, d.CustomerID)
	if err != nil {
		return Message{}, false, fmt.Errorf("messaging: contact of customer %d: %w", d.CustomerID, err)
	}
	params := map[string]string{"name": c.Name}
	for k, v := range d.Params {
		params[k] = v
	}
	raw, _ := json.Marshal(params)
	now := s.now()
	m := Message{Trigger: d.Trigger, CustomerID: d.CustomerID, Phone: c.Mobile, Channel: ChannelSMS,
		Body: Render(t.Body, params), Params: string(raw), Urgent: d.Urgent, Status: StatusQueued, NotBefore: now,
		RefType: d.RefType, RefID: d.RefID, ResendOf: d.ResendOf, Version: 1, CreatedAt: now, UpdatedAt: now}
	if d.DedupeKey != "" {
		key := d.DedupeKey
		m.DedupeKey = &key
	}
	switch {
	case !consentFor(d.Trigger, c):
		m.Status, m.Error = StatusSuppressed, "no_consent"
	case c.Mobile == "":
		m.Status, m.Error = StatusSuppressed, "no_mobile"
	case !d.Urgent:
		if r := s.o.Quiet.Release(now); r.After(now) {
			m.Status, m.NotBefore, m.Error = StatusDeferred, r, "quiet_hours"
		}
	}
	// A concurrent queue of the same key fails on the unique index and rolls
	// the caller's transaction back (consumers are serialised per event id
	// by their processed_events mark, so this does not happen in practice).
	if err := tx.Create(&m).Error; err != nil {
		return Message{}, false, fmt.Errorf("messaging: store message: %w", err)
	}
	if m.Status != StatusSuppressed && s.o.Webhook.URL != "" {
		wd := Delivery{MessageID: m.ID, URL: s.o.Webhook.URL, Status: DeliveryPending, NextAttemptAt: m.NotBefore,
			CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(&wd).Error; err != nil {
			return Message{}, false, fmt.Errorf("messaging: store webhook delivery: %w", err)
		}
	}
	if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: "queue", Entity: "customer_message", EntityID: idStr(m.ID),
		After: m.snapshot()}); err != nil {
		return Message{}, false, err
	}
	return m, true, nil
}

// snapshot is the audited image of a message (the phone masked: the trail
// is read by auditors).
func (m Message) snapshot() map[string]any {
	return map[string]any{"id": m.ID, "trigger": m.Trigger, "customer_id": m.CustomerID, "phone": MaskPhone(m.Phone),
		"status": m.Status, "urgent": m.Urgent, "not_before": m.NotBefore, "ref_type": m.RefType, "ref_id": m.RefID,
		"resend_of": m.ResendOf, "error": m.Error}
}

// MaskPhone keeps the first 3 and last 4 digits of a mobile number.
func MaskPhone(p string) string {
	if len(p) < 8 {
		return p
	}
	return p[:3] + "****" + p[len(p)-4:]
}

// Resend queues a copy of message id to the customer's current mobile
// number (consent, quiet hours and the rate limit apply again). Errors:
// not_found, conflict (message_pending: the original has not been tried
// yet; template_disabled).
func (s *Service) Resend(ctx context.Context, id uint64) (Message, error) {
	var out Message
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var m Message
		if err := db.Take(tx.Where("id = ?", id), &m, "message"); err != nil {
			return err
		}
		if m.Status == StatusQueued || m.Status == StatusDeferred {
			return apperr.Conflict("message_pending", "the message has not been sent yet").WithDetail("status", m.Status)
		}
		var params map[string]string
		_ = json.Unmarshal([]byte(m.Params), &params)
		delete(params, "name") // the customer's current name
		orig := m.ID
		q, ok, err := s.QueueTx(ctx, tx, Draft{Trigger: m.Trigger, CustomerID: m.CustomerID, Params: params, Urgent: m.Urgent,
			RefType: m.RefType, RefID: m.RefID, ResendOf: &orig})
		if err != nil {
			return err
		}
		if !ok {
			return apperr.Conflict("template_disabled", "the template of this message is disabled")
		}
		out = q
		return s.o.Audit.Record(ctx, tx, audit.Entry{Action: "resend", Entity: "customer_message", EntityID: idStr(orig),
			After: map[string]any{"resent_as": q.ID, "status": q.Status}})
	})
	if err != nil {
		return Message{}, wrap(err, "resend message")
	}
	return out, nil
}

// Filter selects messages for List.
type Filter struct {
	Status     string
	Trigger    string
	CustomerID uint64
	RefType    string
	RefID      uint64
	Page, Size int
}

// List returns messages newest first, and the total.
func (s *Service) List(ctx context.Context, f Filter) ([]Message, int64, error) {
	q := s.o.DB.WithContext(ctx).Model(&Message{})
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Trigger != "" {
		q = q.Where("trigger_code = ?", f.Trigger)
	}
	if f.CustomerID != 0 {
		q = q.Where("customer_id = ?", f.CustomerID)
	}
	if f.RefType != "" {
		q = q.Where("ref_type = ? AND ref_id = ?", f.RefType, f.RefID)
	}
	if f.Size <= 0 || f.Size > 200 {
		f.Size = 50
	}
	if f.Page <= 0 {
		f.Page = 1
	}
	out, total, err := db.OffsetPage[Message](q, "id DESC", f.Page, f.Size)
	if err != nil {
		return nil, 0, apperr.Internal(fmt.Errorf("list messages: %w", err))
	}
	return out, total, nil
}

// Get returns one message. Errors: not_found.
func (s *Service) Get(ctx context.Context, id uint64) (Message, error) {
	var m Message
	if err := s.o.DB.WithContext(ctx).Where("id = ?", id).Take(&m).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return Message{}, apperr.NotFound("message")
		}
		return Message{}, apperr.Internal(fmt.Errorf("get message %d: %w", id, err))
	}
	return m, nil
}

// Channels describes how messages leave: the SMS provider and whether it
// only logs, and the webhook.
type Channels struct {
	SMSProvider       string
	SMSLogOnly        bool
	WebhookConfigured bool
	WebhookURL        string
}

// Channels reports the configured channels.
func (s *Service) Channels() Channels {
	return Channels{SMSProvider: s.o.SMS.Name(), SMSLogOnly: s.o.SMS.LogOnly(), WebhookConfigured: s.o.Webhook.URL != "",
		WebhookURL: redactURL(s.o.Webhook.URL)}
}

func idStr(id uint64) string { return strconv.FormatUint(id, 10) }

func wrap(err error, what string) error { return db.Classify(err, what) }
