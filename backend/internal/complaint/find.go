package complaint

import (
	"context"
	"fmt"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/db"
)

// NumberPrefix starts every complaint number (TS20260115-000123).
const NumberPrefix = "TS"

// FindByNumber returns up to limit complaints the caller may see whose
// number is text or ends with its digits, newest first; nil when text is
// not a complaint number. Errors: internal.
func (s *Service) FindByNumber(ctx context.Context, text string, limit int) ([]Complaint, error) {
	nq, ok := db.ParseNumber(text, NumberPrefix)
	if !ok {
		return nil, nil
	}
	q := s.scoped(ctx, s.o.DB.WithContext(ctx).Model(&Complaint{}))
	var rows []Complaint
	if err := db.FindByNumber(q, nq, limit, &rows); err != nil {
		return nil, apperr.Internal(fmt.Errorf("find complaints by number: %w", err))
	}
	out := rows[:0]
	for _, c := range rows {
		if db.NumberMatches(c.Number, nq) {
			out = append(out, c)
		}
	}
	return out, nil
}
