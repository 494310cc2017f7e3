package messaging

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/db"
)

// Webhook headers (docs/messages.md).
const (
	HeaderTimestamp = "X-Aftersales-Timestamp"
	HeaderSignature = "X-Aftersales-Signature"
	HeaderDelivery  = "X-Aftersales-Delivery"
	HeaderEvent     = "X-Aftersales-Event"
)

// maxBackoff caps the wait between webhook attempts.
const maxBackoff = time.Hour

// Sign returns the signature header value of a webhook body sent at
// timestamp (Unix seconds): "v1=" and the hex HMAC-SHA256, keyed with the
// shared secret, of "<timestamp>.<body>". The receiver recomputes it and
// compares in constant time, and refuses timestamps older than a few
// minutes (replays).
func Sign(secret string, timestamp int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(timestamp, 10)))
	mac.Write([]byte("."))
	mac.Write(body)
	return "v1=" + hex.EncodeToString(mac.Sum(nil))
}

// WebhookPayload is the JSON body posted for a message.
type WebhookPayload struct {
	DeliveryID uint64            `json:"delivery_id"`
	MessageID  uint64            `json:"message_id"`
	Trigger    string            `json:"trigger"`
	CustomerID uint64            `json:"customer_id"`
	Phone      string            `json:"phone"`
	Body       string            `json:"body"`
	Params     map[string]string `json:"params"`
	Urgent     bool              `json:"urgent"`
	RefType    string            `json:"ref_type"`
	RefID      uint64            `json:"ref_id"`
	CreatedAt  time.Time         `json:"created_at"`
}

// HTTPClient posts webhooks (tests pass their server's client).
var httpClient = &http.Client{Timeout: 10 * time.Second}

// DeliverWebhooks is one round of the webhook worker: it claims due
// deliveries and posts each. A non-2xx answer or a network error is
// retried after Backoff (doubling, at most an hour); after
// Webhook.MaxAttempts the delivery is dead (re-drivable).
func (s *Service) DeliverWebhooks(ctx context.Context) (int, error) {
	now := s.now()
	token := s.o.Holder + ":" + newToken()[:8]
	ids, err := claimRows(ctx, s.o.DB, &Delivery{}, func(q *gorm.DB) *gorm.DB {
		return q.Where("status = ? AND next_attempt_at <= ?", DeliveryPending, now)
	}, "next_attempt_at, id", 50, token, now, s.o.ClaimTTL)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		if err := s.post(ctx, id, token); err != nil {
			s.o.Log.Error("messaging: webhook", "delivery_id", id, "err", err)
			continue
		}
		n++
	}
	return n, nil
}

func (s *Service) post(ctx context.Context, id uint64, token string) error {
	var d Delivery
	if err := s.o.DB.WithContext(ctx).Where("id = ? AND claim_token = ?", id, token).Take(&d).Error; err != nil {
		return fmt.Errorf("load claimed delivery: %w", err)
	}
	var m Message
	if err := s.o.DB.WithContext(ctx).Where("id = ?", d.MessageID).Take(&m).Error; err != nil {
		return fmt.Errorf("message of delivery %d: %w", d.ID, err)
	}
	p := WebhookPayload{DeliveryID: d.ID, MessageID: m.ID, Trigger: m.Trigger, CustomerID: m.CustomerID, Phone: m.Phone,
		Body: m.Body, Urgent: m.Urgent, RefType: m.RefType, RefID: m.RefID, CreatedAt: m.CreatedAt}
	_ = json.Unmarshal([]byte(m.Params), &p.Params)
	body, err := json.Marshal(p)
	if err != nil {
		return err
	}
	status, perr := s.send(ctx, d.URL, d.ID, m.Trigger, body)
	now := s.now()
	attempts := d.Attempts + 1
	upd := map[string]any{"attempts": attempts, "last_status": status, "claim_token": "", "claim_until": nil, "updated_at": now}
	switch {
	case perr == nil:
		upd["status"], upd["delivered_at"], upd["last_error"] = DeliveryDelivered, now, ""
	case attempts >= s.o.Webhook.MaxAttempts:
		upd["status"], upd["dead_at"], upd["last_error"] = DeliveryDead, now, clip(perr.Error(), 500)
	default:
		upd["last_error"] = clip(perr.Error(), 500)
		upd["next_attempt_at"] = now.Add(Backoff(s.o.Webhook.Backoff, attempts, maxBackoff))
	}
	res := s.o.DB.WithContext(ctx).Model(&Delivery{}).Where("id = ? AND claim_token = ?", d.ID, token).Updates(upd)
	if res.Error != nil {
		return fmt.Errorf("finish delivery %d: %w", d.ID, res.Error)
	}
	return nil
}

// send posts body to url, signed; it returns the HTTP status (0 without
// an answer) and an error unless the answer was 2xx.
func (s *Service) send(ctx context.Context, url string, id uint64, trigger string, body []byte) (int, error) {
	ts := s.o.Now().Unix()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, Sign(s.o.Webhook.Secret, ts, body))
	req.Header.Set(HeaderDelivery, idStr(id))
	req.Header.Set(HeaderEvent, "message."+trigger)
	res, err := httpClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return res.StatusCode, fmt.Errorf("webhook answered %d", res.StatusCode)
	}
	return res.StatusCode, nil
}

// Deliveries lists webhook deliveries (status "" for all), newest first.
func (s *Service) Deliveries(ctx context.Context, status string, page, size int) ([]Delivery, int64, error) {
	q := s.o.DB.WithContext(ctx).Model(&Delivery{})
	if status != "" {
		q = q.Where("status = ?", status)
	}
	if size <= 0 || size > 200 {
		size = 50
	}
	if page <= 0 {
		page = 1
	}
	out, total, err := db.OffsetPage[Delivery](q, "id DESC", page, size)
	if err != nil {
		return nil, 0, apperr.Internal(fmt.Errorf("list webhook deliveries: %w", err))
	}
	return out, total, nil
}

// Redrive puts a dead delivery back in the queue with fresh attempts
// (audited). Errors: not_found, conflict (not_dead).
func (s *Service) Redrive(ctx context.Context, id uint64) (Delivery, error) {
	var out Delivery
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var d Delivery
		if err := db.Take(tx.Where("id = ?", id), &d, "webhook_delivery"); err != nil {
			return err
		}
		if d.Status != DeliveryDead {
			return apperr.Conflict("not_dead", "only a dead-lettered delivery is re-driven").WithDetail("status", d.Status)
		}
		before := d
		now := s.now()
		res := tx.Model(&Delivery{}).Where("id = ? AND status = ?", id, DeliveryDead).Updates(map[string]any{
			"status": DeliveryPending, "attempts": 0, "next_attempt_at": now, "dead_at": nil, "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return apperr.ErrVersionConflict("webhook_delivery")
		}
		d.Status, d.Attempts, d.NextAttemptAt, d.DeadAt, d.UpdatedAt = DeliveryPending, 0, now, nil, now
		out = d
		return s.o.Audit.Record(ctx, tx, audit.Entry{Action: "redrive", Entity: "webhook_delivery", EntityID: idStr(id),
			Before: map[string]any{"status": before.Status, "attempts": before.Attempts, "last_error": before.LastError},
			After:  map[string]any{"status": d.Status}})
	})
	if err != nil {
		return Delivery{}, wrap(err, "redrive webhook delivery")
	}
	return out, nil
}
