package ticket

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/sla"
)

// AddEvent adds a note or a logged call to the timeline. The first call
// (or reply) by the hotline is the ticket's first response. Errors:
// not_found, validation.
func (s *Service) AddEvent(ctx context.Context, id uint64, kind, body string) (Event, error) {
	body = strings.TrimSpace(body)
	fields := apperr.Fields{}
	if kind != EventNote && kind != EventCall {
		fields["kind"] = apperr.OneOf("note", "call")
	}
	if n := utf8.RuneCountInString(body); n == 0 || n > 4000 {
		fields["body"] = apperr.RequiredMax(4000)
	}
	if len(fields) > 0 {
		return Event{}, apperr.FieldsErr(fields)
	}
	t, err := s.Get(ctx, id)
	if err != nil {
		return Event{}, err
	}
	a := actor.From(ctx)
	if kind == EventCall && t.FirstResponseAt == nil && t.Open() {
		var recorded *change
		_, err := s.mutate(ctx, id, 0, "first_response", func(tx *gorm.DB, t *Ticket, c *change, now time.Time) error {
			if t.FirstResponseAt == nil {
				c.sla = append(c.sla, sla.Event{At: now, Kind: sla.KindMet, Target: sla.TargetFirstResponse, Actor: actorLabel(a)})
				t.FirstResponseAt = &now
			}
			c.note(kind, body, nil)
			recorded = c
			return nil
		})
		if err != nil {
			return Event{}, err
		}
		return recorded.timeline[0], nil
	}
	ev := Event{TicketID: id, Kind: kind, ActorID: actorID(a), ActorName: a.Username, Body: body, Data: "null", At: s.now()}
	err = s.gate.transaction(ctx, s.o.DB, func(tx *gorm.DB) error {
		if err := tx.Create(&ev).Error; err != nil {
			return err
		}
		return s.o.Audit.Record(ctx, tx, audit.Entry{Action: "add_" + kind, Entity: "ticket", EntityID: strconv.FormatUint(id, 10),
			After: map[string]any{"event_id": ev.ID, "kind": kind, "body": body}})
	})
	if err != nil {
		return Event{}, wrap(err, "add ticket event")
	}
	return ev, nil
}

// Timeline returns a ticket's events and those of the tickets merged into
// it, oldest first, after event afterID (keyset paging). Errors: not_found.
func (s *Service) Timeline(ctx context.Context, id, afterID uint64, size int) ([]Event, error) {
	if _, err := s.Get(ctx, id); err != nil {
		return nil, err
	}
	if size <= 0 || size > 500 {
		size = 200
	}
	ids := []uint64{id}
	var merged []uint64
	if err := s.o.DB.WithContext(ctx).Model(&Ticket{}).Where("merged_into_id = ?", id).Pluck("id", &merged).Error; err != nil {
		return nil, apperr.Internal(err)
	}
	ids = append(ids, merged...)
	var out []Event
	if err := s.o.DB.WithContext(ctx).Where("ticket_id IN ? AND id > ?", ids, afterID).Order("id").Limit(size).Find(&out).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("ticket timeline: %w", err))
	}
	return out, nil
}
