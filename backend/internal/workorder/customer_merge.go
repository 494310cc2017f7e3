package workorder

import (
	"context"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/db"
)

// MoveCustomer implements customer.Holder: a merge of duplicate customers
// gives the duplicate's work orders to the survivor (version bumped).
func (s *Service) MoveCustomer(ctx context.Context, tx *gorm.DB, from, to uint64) (int64, error) {
	return db.Repoint(ctx, tx, &WorkOrder{}, "customer_id", from, to)
}

// EraseCustomer implements customer.Eraser: the name written at a
// customer's sign-offs is personal data; the sign-off time stays.
func (s *Service) EraseCustomer(ctx context.Context, tx *gorm.DB, id uint64) (int64, error) {
	res := tx.WithContext(ctx).Model(&WorkOrder{}).Where("customer_id = ? AND signed_by <> ?", id, "").UpdateColumn("signed_by", "（已匿名）")
	return res.RowsAffected, res.Error
}
