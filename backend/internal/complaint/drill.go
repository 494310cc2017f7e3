package complaint

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/db"
)

// NewDrill is the input to RecordDrill.
type NewDrill struct {
	HeldOn       time.Time // calendar date at 00:00 UTC
	Scenario     string
	Participants string
	Findings     string
	ComplaintID  *uint64
}

// RecordDrill keeps a crisis drill as evidence. Errors: validation (date in
// the future, missing scenario or participants, unknown complaint).
func (s *Service) RecordDrill(ctx context.Context, in NewDrill) (Drill, error) {
	f := apperr.Fields{}
	in.Scenario = text(f, "scenario", in.Scenario, true, 2000)
	in.Participants = text(f, "participants", in.Participants, true, 2000)
	in.Findings = text(f, "findings", in.Findings, false, 8000)
	today := localDate(s.o.Now(), s.o.Location)
	if in.HeldOn.IsZero() {
		f["held_on"] = apperr.Required()
	} else if in.HeldOn.After(today) {
		f["held_on"] = apperr.Code("in_future", "a drill is recorded after it was held")
	}
	if len(f) > 0 {
		return Drill{}, apperr.FieldsErr(f)
	}
	if in.ComplaintID != nil {
		if err := s.Exists(ctx, *in.ComplaintID); err != nil {
			return Drill{}, apperr.FieldErr("complaint_id", apperr.NoSuch("complaint"))
		}
	}
	d := Drill{HeldOn: in.HeldOn.UTC(), Scenario: in.Scenario, Participants: in.Participants, Findings: in.Findings,
		ComplaintID: in.ComplaintID, CreatedBy: actor.From(ctx).Username, CreatedAt: s.now()}
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&d).Error; err != nil {
			return err
		}
		return s.o.Audit.Record(ctx, tx, audit.Entry{Action: "create", Entity: "crisis_drill", EntityID: id(d.ID), After: d})
	})
	if err != nil {
		return Drill{}, wrap(err, "record crisis drill")
	}
	return d, nil
}

// ListDrills returns drills held in [from, to] (dates; zero = open), newest first.
func (s *Service) ListDrills(ctx context.Context, from, to time.Time, page, size int) ([]Drill, int64, error) {
	q := s.o.DB.WithContext(ctx).Model(&Drill{})
	if !from.IsZero() {
		q = q.Where("held_on >= ?", from.UTC().Truncate(time.Microsecond))
	}
	if !to.IsZero() {
		q = q.Where("held_on <= ?", to.UTC().Truncate(time.Microsecond))
	}
	page, size = db.PageBounds(page, size, 20, 0)
	out, total, err := db.OffsetPage[Drill](q, "held_on DESC, id DESC", page, size)
	if err != nil {
		return nil, 0, apperr.Internal(fmt.Errorf("list drills: %w", err))
	}
	return out, total, nil
}

// localDate returns t's calendar date in loc as 00:00 UTC.
func localDate(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
