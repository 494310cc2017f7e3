// Package idempotency makes a repeated write answer like the first: a client
// (the technician's phone replaying its offline queue) sends an
// Idempotency-Key header with a state-changing request; the first request
// with a key runs and its successful answer is kept; a repeat of the same
// key by the same user gets that answer again without running the write.
//
// A key is reserved before the write runs (a pending row under the primary
// key), so two concurrent requests with one key cannot both run: the second
// gets conflict idempotency_in_progress. A failed write (any answer other
// than 2xx) releases the key, because it changed nothing and may be retried.
package idempotency

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/db"
)

// Retention is how long a kept answer is replayed; older keys are pruned
// when the same user reserves a new key.
const Retention = 7 * 24 * time.Hour

// keyPattern is what a key may be: 1–128 printable ASCII characters.
var keyPattern = regexp.MustCompile(`^[\x21-\x7e]{1,128}$`)

// Response is a kept answer of migration 0091.
type Response struct {
	UserID uint64 `gorm:"primaryKey;autoIncrement:false"`
	Key    string `gorm:"primaryKey;size:128"`
	// Fingerprint is the SHA-256 of method and path: the same key sent to
	// another route is a client bug, refused rather than replayed.
	Fingerprint string `gorm:"size:64;not null"`
	// Status is 0 while the first request runs.
	Status      int    `gorm:"not null;default:0"`
	ContentType string `gorm:"size:128;not null;default:''"`
	Etag        string `gorm:"size:128;not null;default:''"`
	Location    string `gorm:"size:255;not null;default:''"`
	Body        []byte
	CreatedAt   time.Time `gorm:"not null;index"`
}

// TableName pins the table of migration 0091.
func (Response) TableName() string { return "idempotent_responses" }

// Store keeps the answers.
type Store struct {
	db  *gorm.DB
	now func() time.Time
}

// New returns a Store on the database; now may be nil (time.Now).
func New(gdb *gorm.DB, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{db: gdb, now: now}
}

// Fingerprint identifies the request a key was first used for.
func Fingerprint(method, path string) string {
	sum := sha256.Sum256([]byte(method + " " + path))
	return hex.EncodeToString(sum[:])
}

// Begin reserves key for the user. It returns the kept answer when the key
// was used before and its write succeeded (replay it), or nil when the
// caller should run the write and then call Finish or Release. Errors:
// validation (malformed key; idempotency_key_reused: the key was used for
// another route), conflict idempotency_in_progress (the first request with
// the key is still running).
func (s *Store) Begin(ctx context.Context, userID uint64, key, fingerprint string) (*Response, error) {
	if !keyPattern.MatchString(key) {
		return nil, apperr.FieldErr("Idempotency-Key", apperr.Code("printable_ascii", "1–128 printable ASCII characters").With("max", 128))
	}
	now := s.now().UTC()
	if err := s.prune(ctx, userID, now); err != nil {
		return nil, err
	}
	row := Response{UserID: userID, Key: key, Fingerprint: fingerprint, CreatedAt: now}
	// Concurrent first uses of one key wait on each other's INSERT; InnoDB
	// may still pick one as a deadlock victim: run it again (the key is then
	// found), and answer a conflict that outlasts the retries as 409 busy.
	err := db.Retry(ctx, func() error { return s.db.WithContext(ctx).Create(&row).Error })
	if err == nil {
		return nil, nil
	}
	if !db.IsDuplicate(err) {
		return nil, db.Classify(fmt.Errorf("reserve idempotency key: %w", err), "idempotency key")
	}
	var kept Response
	if err := s.db.WithContext(ctx).Where("user_id = ? AND `key` = ?", userID, key).Take(&kept).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			// Released between our insert and read: the first try failed.
			return nil, apperr.Conflict("idempotency_in_progress", "a request with this Idempotency-Key is running; retry")
		}
		return nil, apperr.Internal(fmt.Errorf("read idempotency key: %w", err))
	}
	if kept.Fingerprint != fingerprint {
		return nil, &apperr.Error{Kind: apperr.KindValidation, Code: "idempotency_key_reused",
			Message: "this Idempotency-Key was used for another request", Fields: apperr.Fields{"Idempotency-Key": apperr.Code("key_reused", "already used for another request")}}
	}
	if kept.Status == 0 {
		return nil, apperr.Conflict("idempotency_in_progress", "a request with this Idempotency-Key is running; retry")
	}
	return &kept, nil
}

// prune forgets this user's keys older than Retention. It finds them with
// a plain read and deletes them by primary key, so the common case (nothing
// expired) takes no lock: a range DELETE took gap locks on every Begin and
// deadlocked with concurrent INSERTs of a key (MariaDB answered 1213 and
// the request 500).
func (s *Store) prune(ctx context.Context, userID uint64, now time.Time) error {
	var keys []string
	if err := s.db.WithContext(ctx).Model(&Response{}).Where("user_id = ? AND created_at < ?", userID, now.Add(-Retention)).
		Limit(100).Pluck("`key`", &keys).Error; err != nil {
		return db.Classify(fmt.Errorf("find expired idempotency keys: %w", err), "idempotency key")
	}
	if len(keys) == 0 {
		return nil
	}
	err := db.Retry(ctx, func() error {
		return s.db.WithContext(ctx).Where("user_id = ? AND `key` IN ? AND created_at < ?", userID, keys, now.Add(-Retention)).Delete(&Response{}).Error
	})
	if err != nil && !db.IsRetryable(err) {
		return db.Classify(fmt.Errorf("prune idempotency keys: %w", err), "idempotency key")
	}
	// A prune that lost a deadlock three times is left for the next Begin.
	return nil
}

// Finish keeps the successful answer of the write that reserved key.
func (s *Store) Finish(ctx context.Context, userID uint64, key string, r Response) error {
	err := s.db.WithContext(ctx).Model(&Response{}).Where("user_id = ? AND `key` = ?", userID, key).
		Updates(map[string]any{"status": r.Status, "content_type": r.ContentType, "etag": r.Etag, "location": r.Location, "body": r.Body}).Error
	if err != nil {
		return apperr.Internal(fmt.Errorf("keep idempotent answer: %w", err))
	}
	return nil
}

// Release frees key after a write that failed (it changed nothing).
func (s *Store) Release(ctx context.Context, userID uint64, key string) error {
	if err := s.db.WithContext(ctx).Where("user_id = ? AND `key` = ? AND status = 0", userID, key).Delete(&Response{}).Error; err != nil {
		return apperr.Internal(fmt.Errorf("release idempotency key: %w", err))
	}
	return nil
}
