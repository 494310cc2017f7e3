package product

import (
	"context"
	"fmt"
	"strings"

	"github.com/aftersales/aftersales/backend/internal/apperr"
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
	if q.Dialector.Name() == "mysql" {
		// LIKE 'x%' is a range of the index on MySQL (a DEL bound would be
		// ignored by the Unicode collation).
		q = q.Where("serial LIKE ?", strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(n)+"%")
	} else {
		// Serials are upper-case ASCII: every serial starting with n sorts
		// below n followed by DEL in SQLite's binary collation.
		q = q.Where("serial >= ? AND serial < ?", n, n+"\x7f")
	}
	var rows []Unit
	if err := q.Order("serial").Limit(limit).Find(&rows).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("find units by serial: %w", err))
	}
	return rows, nil
}
