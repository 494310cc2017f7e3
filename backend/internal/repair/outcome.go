package repair

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"
)

// OrderOfWorkOrder returns the repair order of a work order read in tx (not
// scoped: the work-order service has checked the caller's scope), or
// found=false when it has none.
func (s *Service) OrderOfWorkOrder(ctx context.Context, tx *gorm.DB, workOrderID uint64) (Order, bool, error) {
	var o Order
	err := tx.WithContext(ctx).Where("work_order_id = ?", workOrderID).Order("id DESC").Take(&o).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Order{}, false, nil
	}
	if err != nil {
		return Order{}, false, fmt.Errorf("repair of work order %d: %w", workOrderID, err)
	}
	return o, true, nil
}
