package sla

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/aftersales/aftersales/backend/internal/db"
)

// Row converts an event of ticketID's log to its stored form. Instants are
// kept to the millisecond, the precision MySQL stores, so that a log read
// back evaluates exactly as the one written.
func Row(ticketID uint64, e Event) EventRow {
	return EventRow{TicketID: ticketID, At: e.At.UTC().Truncate(time.Millisecond), Kind: string(e.Kind), Target: string(e.Target),
		Reason: clip(e.Reason, 64), Actor: clip(e.Actor, 64), PolicyID: e.PolicyID, DurationSec: int64(e.Duration / time.Second),
		WarnAt: e.WarnAt, Band: string(e.Band)}
}

// Event converts a stored row back.
func (r EventRow) Event() Event {
	return Event{At: r.At.UTC(), Kind: EventKind(r.Kind), Target: Target(r.Target), Reason: r.Reason, Actor: r.Actor,
		PolicyID: r.PolicyID, Duration: time.Duration(r.DurationSec) * time.Second, WarnAt: r.WarnAt, Band: DistanceBand(r.Band)}
}

// Append adds events to ticketID's log inside the caller's transaction.
func (s *Store) Append(ctx context.Context, tx *gorm.DB, ticketID uint64, events ...Event) error {
	if len(events) == 0 {
		return nil
	}
	rows := make([]EventRow, len(events))
	for i, e := range events {
		rows[i] = Row(ticketID, e)
	}
	if err := tx.WithContext(ctx).Create(&rows).Error; err != nil {
		return fmt.Errorf("append sla events: %w", err)
	}
	return nil
}

// logColumns are the columns AppendStmt writes.
var logColumns = []string{"ticket_id", "at", "kind", "target", "reason", "actor", "policy_id", "duration_sec", "warn_at", "band"}

// AppendStmt is Append as one statement, for a transaction run as a batch
// (db.Batcher). events must not be empty.
func AppendStmt(ticketID uint64, events ...Event) db.Stmt {
	rows := make([][]any, len(events))
	for i, e := range events {
		r := Row(ticketID, e)
		rows[i] = []any{r.TicketID, r.At, r.Kind, r.Target, r.Reason, r.Actor, r.PolicyID, r.DurationSec, r.WarnAt, r.Band}
	}
	return db.InsertRows("sla_events", logColumns, rows...)
}

// Log returns ticketID's SLA log in append order. db may be a transaction;
// nil means the store's database.
func (s *Store) Log(ctx context.Context, db *gorm.DB, ticketID uint64) ([]Event, error) {
	if db == nil {
		db = s.o.DB
	}
	var rows []EventRow
	if err := db.WithContext(ctx).Where("ticket_id = ?", ticketID).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read sla log: %w", err)
	}
	out := make([]Event, len(rows))
	for i, r := range rows {
		out[i] = r.Event()
	}
	return out, nil
}

// Logs returns the logs of several tickets (export, the SLA job).
func (s *Store) Logs(ctx context.Context, ticketIDs []uint64) (map[uint64][]Event, error) {
	out := make(map[uint64][]Event, len(ticketIDs))
	if len(ticketIDs) == 0 {
		return out, nil
	}
	var rows []EventRow
	if err := s.o.DB.WithContext(ctx).Where("ticket_id IN ?", ticketIDs).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read sla logs: %w", err)
	}
	for _, r := range rows {
		out[r.TicketID] = append(out[r.TicketID], r.Event())
	}
	return out, nil
}

// SaveResult stores (or replaces, after a reopen and a second close) the
// frozen result of a ticket inside the caller's transaction.
func (s *Store) SaveResult(ctx context.Context, tx *gorm.DB, ticketID uint64, fr FinalResult) error {
	b, err := json.Marshal(fr)
	if err != nil {
		return fmt.Errorf("encode sla result: %w", err)
	}
	row := ResultRow{TicketID: ticketID, ClosedAt: fr.ClosedAt, Result: string(b), UpdatedAt: s.o.Now().UTC()}
	if err := tx.WithContext(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "ticket_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"closed_at", "result", "updated_at"})}).Create(&row).Error; err != nil {
		return fmt.Errorf("save sla result: %w", err)
	}
	return nil
}

// Result returns the frozen result of a ticket, or nil if it never closed.
func (s *Store) Result(ctx context.Context, db *gorm.DB, ticketID uint64) (*FinalResult, error) {
	if db == nil {
		db = s.o.DB
	}
	var row ResultRow
	if err := db.WithContext(ctx).Where("ticket_id = ?", ticketID).Take(&row).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, nil
		}
		return nil, fmt.Errorf("read sla result: %w", err)
	}
	var fr FinalResult
	if err := json.Unmarshal([]byte(row.Result), &fr); err != nil {
		return nil, fmt.Errorf("decode sla result of ticket %d: %w", ticketID, err)
	}
	return &fr, nil
}

// Results returns the frozen results of several tickets.
func (s *Store) Results(ctx context.Context, ticketIDs []uint64) (map[uint64]FinalResult, error) {
	out := make(map[uint64]FinalResult, len(ticketIDs))
	if len(ticketIDs) == 0 {
		return out, nil
	}
	var rows []ResultRow
	if err := s.o.DB.WithContext(ctx).Where("ticket_id IN ?", ticketIDs).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read sla results: %w", err)
	}
	for _, r := range rows {
		var fr FinalResult
		if err := json.Unmarshal([]byte(r.Result), &fr); err != nil {
			return nil, fmt.Errorf("decode sla result of ticket %d: %w", r.TicketID, err)
		}
		out[r.TicketID] = fr
	}
	return out, nil
}

// RaiseAlert records a warning or breach inside the caller's transaction
// and reports whether it is new. An alert already recorded (by this or
// another server) is not recorded again, so the caller publishes only when
// raised is true.
func (s *Store) RaiseAlert(ctx context.Context, tx *gorm.DB, a Alert) (raised bool, err error) {
	if a.RaisedAt.IsZero() {
		a.RaisedAt = s.o.Now().UTC()
	}
	// Raw SQL on purpose: on MariaDB, GORM's insert-or-ignore adds
	// RETURNING id, which returns the existing row too, so RowsAffected
	// would say 1 for a duplicate.
	q := "INSERT INTO sla_alerts (ticket_id, target, segment, kind, due_at, outlet_id, raised_at) VALUES (?, ?, ?, ?, ?, ?, ?)" +
		db.OnDuplicateKeyDoNothing(tx)
	res := tx.WithContext(ctx).Exec(q, a.TicketID, a.Target, a.Segment, a.Kind, a.DueAt, a.OutletID, a.RaisedAt.UTC().Truncate(time.Millisecond))
	if res.Error != nil {
		return false, fmt.Errorf("raise sla alert: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}

// AlertFilter selects alerts, newest first.
type AlertFilter struct {
	TicketID uint64
	OutletID *uint64
	Kind     string
	BeforeID uint64
	Size     int
}

// Alerts lists raised alerts, newest first, keyset-paged by id.
func (s *Store) Alerts(ctx context.Context, f AlertFilter) ([]Alert, error) {
	q := s.o.DB.WithContext(ctx).Model(&Alert{})
	if f.TicketID > 0 {
		q = q.Where("ticket_id = ?", f.TicketID)
	}
	if f.OutletID != nil {
		q = q.Where("outlet_id = ?", *f.OutletID)
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	if f.Size <= 0 || f.Size > 200 {
		f.Size = 50
	}
	var out []Alert
	if err := db.NewestFirst(q, f.BeforeID, f.Size).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list sla alerts: %w", err)
	}
	return out, nil
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	for len(string(r)) > n {
		r = r[:len(r)-1]
	}
	return string(r)
}
