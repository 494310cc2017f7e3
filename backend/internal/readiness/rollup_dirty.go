package readiness

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/event"
)

// dirtySource says, for the events of one kind, which table's rollups a
// change touches, where the record's id is in the payload, and the
// record's earliest bucket time (every bucket column of a measure over
// that table — closing, due and answer times — is at or after it).
type dirtySource struct {
	prefix string // event name, or prefix ending with "."
	table  string
	idKey  string
	// first is the column holding the record's earliest bucket time;
	// date says it is a calendar date.
	first string
	date  bool
	// also are further tables whose rollups the same record feeds.
	also []string
	// back widens the mark: a new repair of a unit changes the
	// first-time-fix verdict of its repairs completed in the 30 days
	// before.
	back map[string]int
}

// dirtySources maps the domain events to the rollups they can make stale.
var dirtySources = []dirtySource{
	{prefix: "ticket.", table: "tickets", idKey: "ticket_id", first: "created_at"},
	{prefix: "workorder.", table: "work_orders", idKey: "work_order_id", first: "created_at"},
	{prefix: "complaint.", table: "complaints", idKey: "complaint_id", first: "received_at"},
	{prefix: "survey.answered", table: "survey_invitations", idKey: "invitation_id", first: "sent_at", also: []string{"survey_responses"}},
	{prefix: "survey.dissatisfied", table: "survey_responses", idKey: "response_id", first: "answered_at"},
	{prefix: "repair.", table: "repair_orders", idKey: "id", first: "received_at", back: map[string]int{"repair.created": repeatRepairDays + 1}},
	{prefix: "return.", table: "return_requests", idKey: "id", first: "requested_on", date: true},
	{prefix: "parts.requisition_", table: "part_requisitions", idKey: "id", first: "requested_at"},
}

func (d dirtySource) matches(name string) bool {
	if strings.HasSuffix(d.prefix, ".") || strings.HasSuffix(d.prefix, "_") {
		return strings.HasPrefix(name, d.prefix)
	}
	return name == d.prefix
}

// rollupConcerns reports whether an event's kind can make rollups stale
// (MayMark's first test).
func rollupConcerns(name string) bool {
	for _, src := range dirtySources {
		if src.matches(name) {
			return true
		}
	}
	return false
}

// createdAtEventTime are the creation events whose time is the record's
// created_at, its earliest bucket time (the ticket service sets the event's
// At to the ticket's CreatedAt).
var createdAtEventTime = map[string]bool{event.TicketCreated.Name(): true}

// MayMark reports whether MarkDirty may have something to mark for e, so
// the app runs the consumer (and its once-only transaction) only then. A
// record created today changes no closed day's rollups: a ticket.created
// whose event time is today needs nothing, decided without a database
// read. Before, every ticket creation cost the relay a transaction (mark
// row, read, commit: four round trips in series), which capped ticket
// creation near 25/s with a database 10 ms away.
func (s *Service) MayMark(e event.Event) bool {
	if !rollupConcerns(e.Name) {
		return false
	}
	if createdAtEventTime[e.Name] && !e.At.IsZero() && !localDay(e.At, s.loc).Before(localDay(s.now(), s.loc)) {
		return false
	}
	return true
}

// MarkDirty is the rollups' event consumer (wired in app through
// outbox.OnceTx, so each event marks once): a change to a record whose
// earliest bucket day is already closed appends a mark "the rollups of
// table T from day D on may be stale", which the next run recomputes. It
// writes nothing for records of the current day (computed from rows
// anyway) and never touches a row the business transaction writes.
func (s *Service) MarkDirty(ctx context.Context, tx *gorm.DB, e event.Event) error {
	for _, src := range dirtySources {
		if !src.matches(e.Name) {
			continue
		}
		id, ok := payloadID(e.Data[src.idKey])
		if !ok {
			return nil
		}
		var first struct{ T sqlTime }
		if err := tx.WithContext(ctx).Raw(fmt.Sprintf("SELECT %s AS t FROM %s WHERE id = ?", src.first, src.table), id).Scan(&first).Error; err != nil {
			return fmt.Errorf("readiness: rollup mark for %s %d: %w", src.table, id, err)
		}
		if !first.T.Valid {
			return nil
		}
		day := localDay(first.T.T, s.loc)
		if src.date {
			t := first.T.T.UTC()
			day = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		}
		day = day.AddDate(0, 0, -src.back[e.Name])
		if !day.Before(localDay(s.now(), s.loc)) {
			return nil // today's records are read from rows
		}
		now := time.Now().UTC()
		marks := []RollupDirty{{Source: src.table, FromDay: day, CreatedAt: now}}
		for _, t := range src.also {
			marks = append(marks, RollupDirty{Source: t, FromDay: day, CreatedAt: now})
		}
		return tx.WithContext(ctx).Create(&marks).Error
	}
	return nil
}

// payloadID reads an id from an event payload (a number in process, a JSON
// number or string after the outbox).
func payloadID(v any) (uint64, bool) {
	switch x := v.(type) {
	case uint64:
		return x, x > 0
	case *uint64:
		if x != nil {
			return *x, *x > 0
		}
	case int64:
		return uint64(x), x > 0
	case int:
		return uint64(x), x > 0
	case float64:
		return uint64(x), x > 0
	case json.Number:
		n, err := strconv.ParseUint(string(x), 10, 64)
		return n, err == nil && n > 0
	case string:
		n, err := strconv.ParseUint(x, 10, 64)
		return n, err == nil && n > 0
	}
	return 0, false
}
