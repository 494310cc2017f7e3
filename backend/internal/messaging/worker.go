package messaging

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// pending are the statuses a worker picks up once NotBefore has come.
var pending = []string{StatusQueued, StatusDeferred}

// claimRows claims up to limit due rows of model for holder: it reads
// candidate ids, then takes each with a conditional UPDATE (the row is
// still due and unclaimed, or its claim lapsed). Only one worker's UPDATE
// matches a row, on SQLite and MySQL alike, so two instances never hold
// the same row — the portable equivalent of SELECT … FOR UPDATE SKIP
// LOCKED. A crashed worker's claim lapses after ttl.
func claimRows(ctx context.Context, g *gorm.DB, model any, due func(*gorm.DB) *gorm.DB, order string, limit int,
	token string, now time.Time, ttl time.Duration) ([]uint64, error) {
	free := func(q *gorm.DB) *gorm.DB { return due(q).Where("(claim_until IS NULL OR claim_until < ?)", now) }
	var ids []uint64
	if err := free(g.WithContext(ctx).Model(model)).Order(order).Limit(limit).Pluck("id", &ids).Error; err != nil {
		return nil, fmt.Errorf("messaging: due rows: %w", err)
	}
	var got []uint64
	for _, id := range ids {
		res := free(g.WithContext(ctx).Model(model).Where("id = ?", id)).
			Updates(map[string]any{"claim_token": token, "claim_until": now.Add(ttl)})
		if res.Error != nil {
			return got, fmt.Errorf("messaging: claim %d: %w", id, res.Error)
		}
		if res.RowsAffected == 1 {
			got = append(got, id)
		}
	}
	return got, nil
}

// DeliverDue is one round of the SMS worker: it claims due messages and
// sends each (quiet hours and the rate limit first). It returns how many
// it finished (sent, logged, failed or deferred again).
func (s *Service) DeliverDue(ctx context.Context) (int, error) {
	now := s.now()
	token := s.o.Holder + ":" + newToken()[:8]
	ids, err := claimRows(ctx, s.o.DB, &Message{}, func(q *gorm.DB) *gorm.DB {
		return q.Where("status IN ? AND not_before <= ?", pending, now)
	}, "not_before, id", 50, token, now, s.o.ClaimTTL)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		if err := s.deliver(ctx, id, token); err != nil {
			s.o.Log.Error("messaging: deliver", "message_id", id, "err", err)
			continue
		}
		n++
	}
	return n, nil
}

// deliver sends one claimed message and records the outcome.
func (s *Service) deliver(ctx context.Context, id uint64, token string) error {
	var m Message
	if err := s.o.DB.WithContext(ctx).Where("id = ? AND claim_token = ?", id, token).Take(&m).Error; err != nil {
		return fmt.Errorf("load claimed message: %w", err)
	}
	now := s.now()
	if !m.Urgent {
		if r := s.o.Quiet.Release(now); r.After(now) {
			return s.finish(ctx, m, token, map[string]any{"status": StatusDeferred, "not_before": r, "error": "quiet_hours"})
		}
		var sent []time.Time
		if err := s.o.DB.WithContext(ctx).Model(&Message{}).
			Where("phone = ? AND sent_at > ? AND id <> ?", m.Phone, now.Add(-s.o.RateWindow), m.ID).
			Pluck("sent_at", &sent).Error; err != nil {
			return fmt.Errorf("rate limit: %w", err)
		}
		if r := RateRelease(sent, now, s.o.RateLimit, s.o.RateWindow); r.After(now) {
			return s.finish(ctx, m, token, map[string]any{"status": StatusDeferred, "not_before": r, "error": "rate_limited"})
		}
	}
	var t Template
	if err := s.o.DB.WithContext(ctx).Where("trigger_code = ?", m.Trigger).Take(&t).Error; err != nil {
		return fmt.Errorf("template %s: %w", m.Trigger, err)
	}
	var params map[string]string
	_ = json.Unmarshal([]byte(m.Params), &params)
	sms := SMS{Phone: m.Phone, Body: m.Body, TemplateID: t.ProviderTemplateID, Session: idStr(m.ID)}
	for _, p := range splitParams(t.Params) {
		sms.Params = append(sms.Params, params[p])
	}
	attempts := m.Attempts + 1
	rec, err := s.o.SMS.Send(ctx, sms)
	done := s.now()
	upd := map[string]any{"attempts": attempts, "provider": s.o.SMS.Name()}
	switch {
	case err == nil && s.o.SMS.LogOnly():
		upd["status"], upd["sent_at"], upd["error"] = StatusLogOnly, done, ""
	case err == nil:
		upd["status"], upd["sent_at"], upd["provider_ref"], upd["error"] = StatusSent, done, rec.Ref, ""
	case permanent(err) || attempts >= s.o.MaxAttempts:
		upd["status"], upd["error"] = StatusFailed, clip(err.Error(), 500)
	default:
		upd["status"], upd["error"] = StatusQueued, clip(err.Error(), 500)
		upd["not_before"] = done.Add(Backoff(s.o.RetryAfter, attempts, time.Hour))
	}
	return s.finish(ctx, m, token, upd)
}

// finish writes the outcome of a claimed message and releases the claim;
// a lapsed claim taken over by another worker is left alone.
func (s *Service) finish(ctx context.Context, m Message, token string, upd map[string]any) error {
	upd["claim_token"], upd["claim_until"] = "", nil
	upd["version"], upd["updated_at"] = m.Version+1, s.now()
	res := s.o.DB.WithContext(ctx).Model(&Message{}).Where("id = ? AND claim_token = ?", m.ID, token).Updates(upd)
	if res.Error != nil {
		return fmt.Errorf("finish message %d: %w", m.ID, res.Error)
	}
	if res.RowsAffected != 1 {
		s.o.Log.Warn("messaging: claim lost before finishing", "message_id", m.ID)
	}
	return nil
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

// Run is each instance's delivery loop: SMS and webhook deliveries every
// interval until ctx ends. Several instances may run it on one database.
func (s *Service) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.DeliverDue(ctx); err != nil && ctx.Err() == nil {
			s.o.Log.Warn("messaging: sms round", "err", err)
		}
		if _, err := s.DeliverWebhooks(ctx); err != nil && ctx.Err() == nil {
			s.o.Log.Warn("messaging: webhook round", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
