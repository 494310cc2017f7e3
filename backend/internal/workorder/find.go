package workorder

import (
	"context"
	"fmt"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/db"
)

// NumberPrefix starts every work order number (WO20261124-000042).
const NumberPrefix = "WO"

// FindByNumber returns up to limit work orders the caller may see (outlet
// users: their outlet's) whose number is text or ends with its digits,
// newest first; nil when text is not a work order number. Errors: internal.
func (s *Service) FindByNumber(ctx context.Context, text string, limit int) ([]WorkOrder, error) {
	nq, ok := db.ParseNumber(text, NumberPrefix)
	if !ok {
		return nil, nil
	}
	q := s.o.DB.WithContext(ctx).Model(&WorkOrder{})
	if outletID, scoped := actor.From(ctx).OutletScoped(); scoped {
		q = q.Where("outlet_id = ?", outletID)
	}
	var rows []WorkOrder
	if err := db.FindByNumber(q, nq, limit, &rows); err != nil {
		return nil, apperr.Internal(fmt.Errorf("find work orders by number: %w", err))
	}
	out := rows[:0]
	for _, w := range rows {
		if db.NumberMatches(w.Number, nq) {
			out = append(out, w)
		}
	}
	return out, nil
}
