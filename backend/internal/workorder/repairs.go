package workorder

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/event"
)

// Repair outcomes as the repair domain classifies its order (see
// repair.Outcome): what a work order's result must agree with.
const (
	// RepairNone: the work order has no repair order, or it was cancelled.
	RepairNone = "none"
	// RepairOpen: the repair is still being worked on.
	RepairOpen = "open"
	// RepairFixed: the repair ended fixed (or the unit was replaced).
	RepairFixed = "fixed"
	// RepairNotFixed: the repair ended not fixed, or the customer declined
	// the quote and took the unit back unrepaired.
	RepairNotFixed = "not_fixed"
)

// RepairOutcome is a work order's repair order as completion sees it.
type RepairOutcome struct {
	ID      uint64
	Number  string
	Outcome string // RepairNone, RepairOpen, RepairFixed, RepairNotFixed
}

// Repairs is what dispatch needs from the repair domain (wired in app).
type Repairs interface {
	// RepairOfWorkOrder returns the repair order of a work order read in
	// tx, or found=false when it has none.
	RepairOfWorkOrder(ctx context.Context, tx *gorm.DB, workOrderID uint64) (RepairOutcome, bool, error)
}

// SetRepairs wires the repair domain (app, once both services exist).
func (s *Service) SetRepairs(r Repairs) { s.o.Repairs = r }

// resultsAgreeing is the cross-check of a work order's result with its
// repair: a not-fixed repair yields not_fixed (or parts_required: a
// follow-up order), never done; done needs a repair that ended fixed; a
// repair still open cannot be reported done yet.
var resultsAgreeing = map[string][]string{
	RepairNone:     {ResultDone, ResultNoFault, ResultPartsRequired, ResultNotFixed},
	RepairOpen:     {ResultPartsRequired, ResultNotFixed},
	RepairFixed:    {ResultDone},
	RepairNotFixed: {ResultNotFixed, ResultPartsRequired},
}

// ResultsAgreeing returns the work-order results that agree with a repair
// outcome (every result for an unknown outcome).
func ResultsAgreeing(outcome string) []string {
	if r, ok := resultsAgreeing[outcome]; ok {
		return slices.Clone(r)
	}
	return Results()
}

// ResultAgrees reports whether a work-order result agrees with its repair's
// outcome. The consistency checker applies the same rule to stored rows.
func ResultAgrees(result, outcome string) bool {
	return slices.Contains(ResultsAgreeing(outcome), result)
}

// CheckRepairOutcome is the same rule seen from the repair's side: a repair
// of a work order that is already completed (or signed off) must end with an
// outcome its result agrees with, e.g. a work order completed as done refuses
// a not_fixed repair. It reads the work order in tx (not scoped: the repair
// service has checked the caller's scope) and answers 409
// result_disagrees_with_work_order; nil when they agree, when the work order
// has no result yet, or when there is no such work order.
func (s *Service) CheckRepairOutcome(ctx context.Context, tx *gorm.DB, workOrderID uint64, outcome string) error {
	var w WorkOrder
	err := tx.WithContext(ctx).Select("id", "number", "status", "result").Where("id = ?", workOrderID).Take(&w).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("work order %d of a repair: %w", workOrderID, err)
	}
	if w.Result == "" || w.Status == StatusCancelled || ResultAgrees(w.Result, outcome) {
		return nil
	}
	return apperr.Conflict("result_disagrees_with_work_order",
		fmt.Sprintf("the work order %s was completed as %s: its repair cannot end %s", w.Number, w.Result, outcome)).
		WithDetail("work_order_id", w.ID).WithDetail("work_order_result", w.Result).WithDetail("repair_outcome", outcome)
}

// RecallRemedies is what dispatch needs from the recall domain (wired in
// app): completing a recall_remedy work order as done records the remedy on
// the campaign, inside the completion's transaction, with the campaign's
// own 409 rules (already remedied, campaign not active).
type RecallRemedies interface {
	RemedyForWorkOrder(ctx context.Context, tx *gorm.DB, workOrderID, outletID uint64, note string) ([]event.Event, bool, error)
}

// SetRecalls wires the recall domain (app, once both services exist).
func (s *Service) SetRecalls(r RecallRemedies) { s.o.Recalls = r }
