// Package audit is the append-only trail of every state change: who, when,
// what, before and after, kept as a sequenced, hash-chained log with signed
// checkpoints (a transparency log in the manner of Trillian's sequencer).
//
// A business transaction writes an unsequenced leaf (its fields and their
// content hash) and takes no shared lock, so a change and its audit record
// commit or fail together without serialising writers. The Sequencer (one
// instance at a time, under a database lease) integrates committed leaves in
// leaf-id order, assigns sequence numbers and chains the hashes; every N
// leaves or every minute it signs the head with ed25519 and stores the
// checkpoint in the database and in an external sink. Verify checks the
// chain, every signature and the sink. See docs/audit.md.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/db"
)

// Record is one row of the trail. LeafID is its identity from the moment it
// is written; Seq (JSON "id"), PrevHash and Hash are set by the sequencer
// and are zero/empty while the leaf is unsequenced.
type Record struct {
	LeafID    uint64    `gorm:"primaryKey" json:"leaf_id"`
	Seq       uint64    `gorm:"column:seq" json:"id"`
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
	LeafHash  string    `json:"leaf_hash"`
	PrevHash  string    `json:"prev_hash"`
	Hash      string    `json:"hash"`
}

// TableName pins the table created by migration 0001 (reshaped by 0060).
func (Record) TableName() string { return "audit_records" }

// leaf is what a business transaction inserts: no sequence number, no chain
// hashes (the columns default to NULL and ”).
type leaf struct {
	LeafID    uint64 `gorm:"primaryKey"`
	At        time.Time
	ActorID   *uint64
	ActorName string
	Action    string
	Entity    string
	EntityID  string
	Before    string
	After     string
	RequestID string
	IP        string
	LeafHash  string
}

func (leaf) TableName() string { return "audit_records" }

// chainHead is the sequencer's state: the last sequenced record and the
// leaf-id watermark below which every leaf id is accounted for. Only the
// sequencer writes it (under its lease and a row lock).
type chainHead struct {
	ID            int    `gorm:"primaryKey;autoIncrement:false"`
	Seq           uint64 `gorm:"not null"`
	Hash          string `gorm:"size:64;not null"`
	LeafWatermark uint64 `gorm:"not null"`
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
	now   func() time.Time
	keys  []trustedKey
	sink  Sink
	stale time.Duration
}

// New returns a Trail. now may be nil (time.Now). Without Configure it
// verifies the chain only (no checkpoint keys, no sink).
func New(now func() time.Time) *Trail {
	if now == nil {
		now = time.Now
	}
	return &Trail{now: now, stale: 10 * time.Second}
}

// Record appends e inside tx as an unsequenced leaf, attributed to the
// actor in ctx. It is one INSERT and takes no lock shared with other
// transactions.
func (t *Trail) Record(ctx context.Context, tx *gorm.DB, e Entry) error {
	l, err := t.leafOf(ctx, e)
	if err != nil {
		return err
	}
	if err := tx.WithContext(ctx).Create(&l).Error; err != nil {
		return fmt.Errorf("audit: append: %w", err)
	}
	return nil
}

// leafColumns are the columns Leaf writes, in leafValues' order.
var leafColumns = []string{"at", "actor_id", "actor_name", "action", "entity", "entity_id", "before", "after", "request_id", "ip", "leaf_hash"}

// Leaf is Record as a statement, for a transaction run as a batch
// (db.Batcher): the same leaf, hashed the same way.
func (t *Trail) Leaf(ctx context.Context, e Entry) (db.Stmt, error) {
	l, err := t.leafOf(ctx, e)
	if err != nil {
		return db.Stmt{}, err
	}
	return db.Insert("audit_records", leafColumns, l.At, l.ActorID, l.ActorName, l.Action, l.Entity, l.EntityID, l.Before, l.After,
		l.RequestID, l.IP, l.LeafHash), nil
}

// leafOf builds e's leaf, attributed to the actor in ctx.
func (t *Trail) leafOf(ctx context.Context, e Entry) (leaf, error) {
	a := actor.From(ctx)
	before, err := marshal(e.Before)
	if err != nil {
		return leaf{}, fmt.Errorf("audit %s %s: before: %w", e.Action, e.Entity, err)
	}
	after, err := marshal(e.After)
	if err != nil {
		return leaf{}, fmt.Errorf("audit %s %s: after: %w", e.Action, e.Entity, err)
	}
	r := Record{
		At:        t.now().UTC().Truncate(time.Millisecond),
		ActorName: boundShort(a.Username),
		Action:    boundShort(e.Action),
		Entity:    boundShort(e.Entity),
		EntityID:  boundShort(e.EntityID),
		Before:    boundSnapshot(before),
		After:     boundSnapshot(after),
		RequestID: boundShort(a.RequestID),
		IP:        boundShort(a.IP),
	}
	if a.UserID != 0 {
		id := a.UserID
		r.ActorID = &id
	}
	return leaf{At: r.At, ActorID: r.ActorID, ActorName: r.ActorName, Action: r.Action, Entity: r.Entity, EntityID: r.EntityID,
		Before: r.Before, After: r.After, RequestID: r.RequestID, IP: r.IP, LeafHash: LeafHash(r)}, nil
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

// Filter selects audit records for the trail view, newest first.
type Filter struct {
	Entity    string
	EntityID  string
	Actor     string
	Action    string
	BeforeSeq uint64 // keyset: records with a leaf id below this (the previous page's last LeafID)
	Size      int
}

// List returns records newest first (by leaf id, so a change is listed the
// moment it commits, before it is sequenced) with keyset paging on leaf id.
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
		q = q.Where("leaf_id < ?", f.BeforeSeq)
	}
	size := f.Size
	if size <= 0 || size > 200 {
		size = 50
	}
	var out []Record
	if err := q.Order("leaf_id DESC").Limit(size).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("audit list: %w", err)
	}
	return out, nil
}

// Unchanged reports whether two snapshots are the same (equal JSON). An
// update whose after-image equals its before-image changes nothing: the
// services then answer with the current state without bumping the version
// or writing an audit record.
func Unchanged(before, after any) bool {
	b, err1 := json.Marshal(before)
	a, err2 := json.Marshal(after)
	return err1 == nil && err2 == nil && string(a) == string(b)
}
