package repair

import (
	"context"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/db"
)

// MoveCustomer implements customer.Holder: a merge of duplicate customers
// gives the duplicate's repair orders to the survivor (version bumped).
func (s *Service) MoveCustomer(ctx context.Context, tx *gorm.DB, from, to uint64) (int64, error) {
	return db.Repoint(ctx, tx, &Order{}, "customer_id", from, to)
}
