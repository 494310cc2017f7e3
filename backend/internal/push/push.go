// Package push sends the inbox's notifications to the users' phones as Web
// Push messages (RFC 8030 delivery, RFC 8291 aes128gcm payload encryption,
// RFC 8292 VAPID), through github.com/SherClockHolmes/webpush-go.
//
// A browser that allows notifications gives the web app a subscription (the
// push service's endpoint and the keys to encrypt for); the app stores it
// here for its user. Each new notification is then sent to every
// subscription of its user; an endpoint the push service answers 404 or 410
// for has expired and is removed. Without VAPID keys in the configuration
// the service is disabled: Subscribe refuses and Send does nothing (the
// phone app polls while it is open).
package push

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	webpush "github.com/SherClockHolmes/webpush-go"
	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/db"
)

// Subscription is one browser's push subscription of one user.
type Subscription struct {
	ID           uint64 `gorm:"primaryKey"`
	UserID       uint64
	EndpointHash string // hex SHA-256 of Endpoint (unique)
	Endpoint     string
	P256dh       string `gorm:"column:p256dh"`
	Auth         string
	UserAgent    string
	CreatedAt    time.Time
	LastSentAt   *time.Time
}

// TableName pins the table of migration 0130.
func (Subscription) TableName() string { return "push_subscriptions" }

// Message is what a phone shows: the notification's text and where a tap
// leads. It is the JSON the service worker receives.
type Message struct {
	ID     uint64 `json:"id"`
	Kind   string `json:"kind"`
	Title  string `json:"title"`
	Body   string `json:"body"`
	Link   string `json:"link"`
	Unread int64  `json:"unread"`
}

// Options configures the Service.
type Options struct {
	DB    *gorm.DB
	Audit *audit.Trail
	// VAPIDPublicKey and VAPIDPrivateKey are the application server's key
	// pair (base64url); both empty disables Web Push.
	VAPIDPublicKey  string
	VAPIDPrivateKey string
	// Subject is the operator's mailto: or https: contact (the JWT's sub).
	Subject string
	// TTL is how long the push service keeps an undelivered message.
	TTL time.Duration
	// HTTPClient sends the requests (nil: a client with a 10 s timeout).
	HTTPClient webpush.HTTPClient
	Log        *slog.Logger
	Now        func() time.Time
}

// Service stores subscriptions and sends messages.
type Service struct {
	o    Options
	sems chan struct{}
}

// New returns a Service.
func New(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.TTL <= 0 {
		o.TTL = time.Hour
	}
	return &Service{o: o, sems: make(chan struct{}, 8)}
}

// Enabled reports whether VAPID keys are configured.
func (s *Service) Enabled() bool { return s.o.VAPIDPublicKey != "" && s.o.VAPIDPrivateKey != "" }

// PublicKey returns the VAPID public key the browser subscribes with ("" when
// disabled).
func (s *Service) PublicKey() string {
	if !s.Enabled() {
		return ""
	}
	return s.o.VAPIDPublicKey
}

// Input is a subscription as the browser's PushSubscription.toJSON() gives it.
type Input struct {
	Endpoint  string
	P256dh    string
	Auth      string
	UserAgent string
}

// validate checks the endpoint (an https URL: the server posts to it, so no
// other scheme is accepted) and the keys (a P-256 point and a 16-byte
// secret, base64url).
func (in Input) validate() error {
	fields := apperr.Fields{}
	u, err := url.Parse(in.Endpoint)
	if err != nil || u.Scheme != "https" || u.Host == "" || len(in.Endpoint) > 2048 {
		fields["endpoint"] = apperr.InvalidFormat(apperr.FormatURL)
	}
	if b, err := decodeKey(in.P256dh); err != nil || len(b) != 65 || b[0] != 4 {
		fields["keys.p256dh"] = apperr.Code("push_key", "an uncompressed P-256 public key, base64url")
	}
	if b, err := decodeKey(in.Auth); err != nil || len(b) != 16 {
		fields["keys.auth"] = apperr.Code("push_secret", "a 16-byte secret, base64url")
	}
	if len(fields) > 0 {
		return apperr.FieldsErr(fields)
	}
	return nil
}

func decodeKey(k string) ([]byte, error) {
	k = strings.TrimRight(k, "=")
	return base64.RawURLEncoding.DecodeString(k)
}

func hash(endpoint string) string {
	h := sha256.Sum256([]byte(endpoint))
	return hex.EncodeToString(h[:])
}

// Subscribe stores the caller's subscription for userID; the same endpoint
// subscribed again (by this or another user of the browser) is replaced.
// Errors: invalid (push_disabled when no VAPID keys), validation, internal.
func (s *Service) Subscribe(ctx context.Context, userID uint64, in Input) (Subscription, error) {
	if !s.Enabled() {
		return Subscription{}, &apperr.Error{Kind: apperr.KindInvalid, Code: "push_disabled", Message: "Web Push is not configured on this server"}
	}
	in.Endpoint, in.UserAgent = strings.TrimSpace(in.Endpoint), clip(in.UserAgent, 255)
	if err := in.validate(); err != nil {
		return Subscription{}, err
	}
	row := Subscription{UserID: userID, EndpointHash: hash(in.Endpoint), Endpoint: in.Endpoint, P256dh: in.P256dh, Auth: in.Auth,
		UserAgent: in.UserAgent, CreatedAt: s.o.Now().UTC().Truncate(time.Millisecond)}
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var old Subscription
		err := tx.Where("endpoint_hash = ?", row.EndpointHash).Take(&old).Error
		var before any
		switch {
		case err == nil:
			before = old.snapshot()
			if err := tx.Delete(&Subscription{}, old.ID).Error; err != nil {
				return err
			}
		case !errors.Is(err, gorm.ErrRecordNotFound):
			return err
		}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		return s.o.Audit.Record(ctx, tx, audit.Entry{Action: "subscribe", Entity: "push_subscription", EntityID: strconv.FormatUint(row.ID, 10),
			Before: before, After: row.snapshot()})
	})
	if err != nil {
		return Subscription{}, db.Classify(err, "store push subscription")
	}
	return row, nil
}

// Unsubscribe removes userID's subscription of endpoint. Errors: not_found
// (also another user's), internal.
func (s *Service) Unsubscribe(ctx context.Context, userID uint64, endpoint string) error {
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var old Subscription
		if err := db.Take(tx.Where("endpoint_hash = ? AND user_id = ?", hash(strings.TrimSpace(endpoint)), userID), &old, "push subscription"); err != nil {
			return err
		}
		return s.remove(ctx, tx, old, "unsubscribe")
	})
	if err != nil {
		return db.Classify(err, "remove push subscription")
	}
	return nil
}

func (s *Service) remove(ctx context.Context, tx *gorm.DB, old Subscription, action string) error {
	res := tx.Delete(&Subscription{}, old.ID)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return nil
	}
	return s.o.Audit.Record(ctx, tx, audit.Entry{Action: action, Entity: "push_subscription", EntityID: strconv.FormatUint(old.ID, 10),
		Before: old.snapshot()})
}

// Count returns how many subscriptions userID has. Errors: internal.
func (s *Service) Count(ctx context.Context, userID uint64) (int64, error) {
	var n int64
	if err := s.o.DB.WithContext(ctx).Model(&Subscription{}).Where("user_id = ?", userID).Count(&n).Error; err != nil {
		return 0, apperr.Internal(fmt.Errorf("push subscriptions: %w", err))
	}
	return n, nil
}

// snapshot is the audit image: never the keys, and the endpoint only by
// its host (the path identifies the browser to its push service).
func (r Subscription) snapshot() map[string]any {
	host := ""
	if u, err := url.Parse(r.Endpoint); err == nil {
		host = u.Host
	}
	return map[string]any{"id": r.ID, "user_id": r.UserID, "endpoint_host": host, "endpoint_hash": r.EndpointHash, "user_agent": r.UserAgent}
}

// Result counts what one Send did.
type Result struct {
	Sent, Expired, Failed int
}

// Send encrypts msg for each of userID's subscriptions and posts it to its
// push service. A subscription answered 404 or 410 has expired and is
// removed (audited as the system); other failures are logged and counted.
// It does nothing when Web Push is disabled. Errors: internal (reading the
// subscriptions).
func (s *Service) Send(ctx context.Context, userID uint64, msg Message) (Result, error) {
	var res Result
	if !s.Enabled() {
		return res, nil
	}
	var subs []Subscription
	if err := s.o.DB.WithContext(ctx).Where("user_id = ?", userID).Order("id").Find(&subs).Error; err != nil {
		return res, apperr.Internal(fmt.Errorf("push subscriptions: %w", err))
	}
	if len(subs) == 0 {
		return res, nil
	}
	body, err := json.Marshal(msg)
	if err != nil {
		return res, apperr.Internal(err)
	}
	for _, sub := range subs {
		status, err := s.post(ctx, sub, body)
		switch {
		case err == nil && status >= 200 && status < 300:
			res.Sent++
			now := s.o.Now().UTC().Truncate(time.Millisecond)
			if err := s.o.DB.WithContext(ctx).Model(&Subscription{}).Where("id = ?", sub.ID).Update("last_sent_at", now).Error; err != nil {
				s.o.Log.Warn("push: last sent", "subscription", sub.ID, "err", err)
			}
		case err == nil && (status == http.StatusNotFound || status == http.StatusGone):
			res.Expired++
			sctx := actor.With(ctx, actor.System("webpush"))
			if err := s.o.DB.WithContext(sctx).Transaction(func(tx *gorm.DB) error { return s.remove(sctx, tx, sub, "expire") }); err != nil {
				s.o.Log.Error("push: remove expired subscription", "subscription", sub.ID, "err", err)
			}
		default:
			res.Failed++
			s.o.Log.Warn("push: send failed", "subscription", sub.ID, "status", status, "err", err)
		}
	}
	return res, nil
}

// post sends one encrypted message and returns the push service's status.
func (s *Service) post(ctx context.Context, sub Subscription, body []byte) (int, error) {
	select {
	case s.sems <- struct{}{}:
		defer func() { <-s.sems }()
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	resp, err := webpush.SendNotificationWithContext(ctx, body, &webpush.Subscription{Endpoint: sub.Endpoint,
		Keys: webpush.Keys{P256dh: sub.P256dh, Auth: sub.Auth}}, &webpush.Options{
		HTTPClient: s.o.HTTPClient,
		// The library prefixes "mailto:" to anything not https:.
		Subscriber:      strings.TrimPrefix(s.o.Subject, "mailto:"),
		VAPIDPublicKey:  s.o.VAPIDPublicKey,
		VAPIDPrivateKey: s.o.VAPIDPrivateKey,
		TTL:             int(s.o.TTL / time.Second),
		Urgency:         webpush.UrgencyHigh,
	})
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	return resp.StatusCode, nil
}

func clip(v string, n int) string {
	r := []rune(v)
	if len(r) <= n {
		return v
	}
	return string(r[:n])
}
