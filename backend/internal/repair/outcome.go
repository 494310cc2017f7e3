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

// WorkOrderResults is what a repair needs of the dispatch domain (wired in
// app): the work order's own rule on whether its result agrees with the
// repair's outcome (none, open, fixed, not_fixed; see Outcome). Completing
// or declining a repair whose work order is already completed asks it inside
// the repair's transaction, so the two results agree whichever completes
// first. It returns nil when they agree (or the work order is not completed
// yet) and a 409 result_disagrees_with_work_order when they do not.
type WorkOrderResults interface {
	CheckRepairOutcome(ctx context.Context, tx *gorm.DB, workOrderID uint64, outcome string) error
}

// SetWorkOrderResults wires the dispatch domain (app, once both services
// exist).
func (s *Service) SetWorkOrderResults(w WorkOrderResults) { s.o.WorkOrderResults = w }

// checkWorkOrderResult applies the work order's agreement rule to o ending
// with the given status and result.
func (s *Service) checkWorkOrderResult(ctx context.Context, tx *gorm.DB, o *Order, status, result string) error {
	if s.o.WorkOrderResults == nil || o.WorkOrderID == nil {
		return nil
	}
	return s.o.WorkOrderResults.CheckRepairOutcome(ctx, tx, *o.WorkOrderID, Outcome(status, result))
}
