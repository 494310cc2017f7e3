package messaging

import (
	"context"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/db"
)

// MoveCustomer implements customer.Holder: a merge of duplicate customers
// gives the duplicate's messages to the survivor.
func (s *Service) MoveCustomer(ctx context.Context, tx *gorm.DB, from, to uint64) (int64, error) {
	return db.Repoint(ctx, tx, &Message{}, "customer_id", from, to)
}

// EraseCustomer implements customer.Eraser: a message's recipient number,
// text and variables are personal data. They are blanked (the rows stay, so
// messages can still be counted), and messages not yet sent are suppressed.
func (s *Service) EraseCustomer(ctx context.Context, tx *gorm.DB, id uint64) (int64, error) {
	q := tx.WithContext(ctx).Model(&Message{})
	if err := q.Where("customer_id = ? AND status IN ?", id, []string{StatusQueued, StatusDeferred}).
		UpdateColumns(map[string]any{"status": StatusSuppressed, "error": "customer erased (PIPL)"}).Error; err != nil {
		return 0, err
	}
	res := tx.WithContext(ctx).Model(&Message{}).Where("customer_id = ?", id).
		UpdateColumns(map[string]any{"phone": "", "body": "", "params": "{}", "version": gorm.Expr("version + 1")})
	return res.RowsAffected, res.Error
}
