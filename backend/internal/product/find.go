package product

import (
	"context"
	"fmt"
	"strings"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/db"
)

// MinSerialPrefix is the shortest serial prefix searched.
const MinSerialPrefix = 4

// FindBySerial returns up to limit units whose serial is text (first) or
// starts with it, as a range of the unique serial index; nil when text
// cannot start a serial. Errors: internal.
func (s *Service) FindBySerial(ctx context.Context, text string, limit int) ([]Unit, error) {
	n := strings.ToUpper(strings.TrimSpace(text))
	if len(n) < MinSerialPrefix || !serialPattern.MatchString(n) {
		return nil, nil
	}
	q := s.hot.WithContext(ctx)
	q = db.WherePrefix(q, "serial", n)
	var rows []Unit
	if err := q.Order("serial").Limit(limit).Find(&rows).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("find units by serial: %w", err))
	}
	return rows, nil
}
