// Package audit is the append-only, hash-chained trail of every state change:
// who, when, what, before and after. Each record stores the hash of the
// previous one, so deleting or editing a row breaks the chain and Verify
// names the first broken record. Records are written in the caller's
// transaction, so a change and its audit record commit or fail together.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/aftersales/aftersales/backend/internal/actor"
)

// Record is one row of the trail.
type Record struct {
	Seq       uint64    `gorm:"primaryKey;autoIncrement:false" json:"id"`
	At        time.Time `json:"at"`
	ActorID   *uint64   `json:"actor_id"`
	ActorName string    `json:"actor"`
	Action    string    `json:"action"`
	Entity    string    `json:"entity"`
	EntityID  string    `json:"entity_id"`
	Before    string    `json:"before"`
	After     string    `json:"after"`
	RequestID string    `json:"request_id"`
	IP        string    `json:"ip"`
	PrevHash  string    `json:"prev_hash"`
	Hash      string    `json:"hash"`
}

// TableName pins the table created by migration 0001.
func (Record) TableName() string { return "audit_records" }

// chainHead is the single row that serialises appends across transactions
// and servers (SELECT … FOR UPDATE on MySQL; SQLite serialises writers).
type chainHead struct {
	ID   int    `gorm:"primaryKey;autoIncrement:false"`
	Seq  uint64 `gorm:"not null"`
	Hash string `gorm:"size:64;not null"`
}

func (chainHead) TableName() string { return "audit_chains" }

// Entry is what a service records.
type Entry struct {
	Action   string // create, update, delete, transition, login, …
	Entity   string // ticket, user, outlet, …
	EntityID string
	Before   any // nil, or a JSON-marshalable snapshot
	After    any
}

// Trail appends and verifies audit records.
type Trail struct {
	now func() time.Time
}

// New returns a Trail. now may be nil (time.Now).
func New(now func() time.Time) *Trail {
	if now == nil {
		now = time.Now
	}
	return &Trail{now: now}
}

// Record appends e inside tx, attributed to the actor in ctx.
func (t *Trail) Record(ctx context.Context, tx *gorm.DB, e Entry) error {
	a := actor.From(ctx)
	before, err := marshal(e.Before)
	if err != nil {
		return fmt.Errorf("audit %s %s: before: %w", e.Action, e.Entity, err)
	}
	after, err := marshal(e.After)
	if err != nil {
		return fmt.Errorf("audit %s %s: after: %w", e.Action, e.Entity, err)
	}
	var head chainHead
	q := tx.WithContext(ctx)
	if tx.Dialector.Name() == "mysql" {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := q.Where("id = 1").Take(&head).Error; err != nil {
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return fmt.Errorf("audit: read chain head: %w", err)
		}
		head = chainHead{ID: 1}
		if err := tx.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&head).Error; err != nil {
			return fmt.Errorf("audit: create chain head: %w", err)
		}
		q = tx.WithContext(ctx)
		if tx.Dialector.Name() == "mysql" {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		if err := q.Where("id = 1").Take(&head).Error; err != nil {
			return fmt.Errorf("audit: read chain head: %w", err)
		}
	}
	r := Record{
		Seq:       head.Seq + 1,
		At:        t.now().UTC().Truncate(time.Millisecond),
		ActorName: boundShort(a.Username),
		Action:    boundShort(e.Action),
		Entity:    boundShort(e.Entity),
		EntityID:  boundShort(e.EntityID),
		Before:    boundSnapshot(before),
		After:     boundSnapshot(after),
		RequestID: boundShort(a.RequestID),
		IP:        boundShort(a.IP),
		PrevHash:  head.Hash,
	}
	if a.UserID != 0 {
		id := a.UserID
		r.ActorID = &id
	}
	r.Hash = HashOf(r)
	if err := tx.WithContext(ctx).Create(&r).Error; err != nil {
		return fmt.Errorf("audit: append: %w", err)
	}
	res := tx.WithContext(ctx).Model(&chainHead{}).Where("id = 1 AND seq = ?", head.Seq).Updates(map[string]any{"seq": r.Seq, "hash": r.Hash})
	if res.Error != nil {
		return fmt.Errorf("audit: advance chain head: %w", res.Error)
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("audit: chain head moved concurrently")
	}
	return nil
}

func marshal(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	if s, ok := v.(string); ok {
		return s, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// HashOf computes a record's hash from its content and the previous hash.
func HashOf(r Record) string {
	h := sha256.New()
	actorID := ""
	if r.ActorID != nil {
		actorID = strconv.FormatUint(*r.ActorID, 10)
	}
	for _, part := range []string{
		strconv.FormatUint(r.Seq, 10), r.At.UTC().Format("2006-01-02T15:04:05.000Z"), actorID, r.ActorName,
		r.Action, r.Entity, r.EntityID, r.Before, r.After, r.RequestID, r.IP, r.PrevHash,
	} {
		h.Write([]byte(strconv.Itoa(len(part))))
		h.Write([]byte{':'})
		h.Write([]byte(part))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// VerifyResult reports the outcome of a chain verification.
type VerifyResult struct {
	Checked     uint64 `json:"checked"`
	OK          bool   `json:"ok"`
	BrokenAtSeq uint64 `json:"broken_at_seq,omitempty"`
	Reason      string `json:"reason,omitempty"`
}

// Verify walks the whole chain in order and reports the first broken link:
// a changed record (hash mismatch), a removed record (sequence gap or wrong
// previous hash), or a head that does not match the last record.
func (t *Trail) Verify(ctx context.Context, db *gorm.DB) (VerifyResult, error) {
	var res VerifyResult
	prevHash := ""
	var expectSeq uint64 = 1
	for {
		var batch []Record
		if err := db.WithContext(ctx).Where("seq >= ?", expectSeq).Order("seq").Limit(2000).Find(&batch).Error; err != nil {
			return res, fmt.Errorf("audit verify: read: %w", err)
		}
		if len(batch) == 0 {
			break
		}
		for _, r := range batch {
			switch {
			case r.Seq != expectSeq:
				return VerifyResult{Checked: res.Checked, BrokenAtSeq: expectSeq, Reason: fmt.Sprintf("record %d is missing (next present is %d)", expectSeq, r.Seq)}, nil
			case r.PrevHash != prevHash:
				return VerifyResult{Checked: res.Checked, BrokenAtSeq: r.Seq, Reason: fmt.Sprintf("record %d does not link to record %d", r.Seq, r.Seq-1)}, nil
			case HashOf(r) != r.Hash:
				return VerifyResult{Checked: res.Checked, BrokenAtSeq: r.Seq, Reason: fmt.Sprintf("record %d was altered (hash mismatch)", r.Seq)}, nil
			}
			prevHash = r.Hash
			expectSeq++
			res.Checked++
		}
	}
	var head chainHead
	err := db.WithContext(ctx).Where("id = 1").Take(&head).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return res, fmt.Errorf("audit verify: head: %w", err)
	}
	if head.Seq != res.Checked || head.Hash != prevHash {
		return VerifyResult{Checked: res.Checked, BrokenAtSeq: res.Checked + 1, Reason: fmt.Sprintf("chain head says %d records but %d are present: trailing records were removed", head.Seq, res.Checked)}, nil
	}
	res.OK = true
	return res, nil
}

// Filter selects audit records for the trail view, newest first.
type Filter struct {
	Entity    string
	EntityID  string
	Actor     string
	Action    string
	BeforeSeq uint64
	Size      int
}

// List returns records newest first with keyset paging on seq.
func (t *Trail) List(ctx context.Context, db *gorm.DB, f Filter) ([]Record, error) {
	q := db.WithContext(ctx).Model(&Record{})
	if f.Entity != "" {
		q = q.Where("entity = ?", f.Entity)
	}
	if f.EntityID != "" {
		q = q.Where("entity_id = ?", f.EntityID)
	}
	if f.Actor != "" {
		q = q.Where("actor_name = ?", f.Actor)
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.BeforeSeq > 0 {
		q = q.Where("seq < ?", f.BeforeSeq)
	}
	size := f.Size
	if size <= 0 || size > 200 {
		size = 50
	}
	var out []Record
	if err := q.Order("seq DESC").Limit(size).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("audit list: %w", err)
	}
	return out, nil
}
