package ticket

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/db"
)

// NumberPrefix starts every ticket number (T20261124-000042).
const NumberPrefix = "T"

// GetByNumber returns the ticket with this number that the caller may see
// (the unique number index). Errors: not_found.
func (s *Service) GetByNumber(ctx context.Context, number string) (Ticket, error) {
	var t Ticket
	if err := scope(ctx, s.hot.WithContext(ctx)).Where("number = ?", number).Take(&t).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return Ticket{}, apperr.NotFound("ticket")
		}
		return Ticket{}, apperr.Internal(fmt.Errorf("get ticket by number: %w", err))
	}
	return t, nil
}

// FindByNumber returns up to limit tickets the caller may see whose number
// is text (whole) or ends with its digits, newest first; nil when text is
// not a ticket number (db.ParseNumber). Errors: internal.
func (s *Service) FindByNumber(ctx context.Context, text string, limit int) ([]Ticket, error) {
	nq, ok := db.ParseNumber(text, NumberPrefix)
	if !ok {
		return nil, nil
	}
	q := scope(ctx, s.hot.WithContext(ctx).Model(&Ticket{}))
	var rows []Ticket
	if err := db.FindByNumber(q, nq, limit, &rows); err != nil {
		return nil, apperr.Internal(fmt.Errorf("find tickets by number: %w", err))
	}
	out := rows[:0]
	for _, t := range rows {
		if db.NumberMatches(t.Number, nq) {
			out = append(out, t)
		}
	}
	return out, nil
}
