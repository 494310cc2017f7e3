package migrations_test

import (
	"github.com/aftersales/aftersales/backend/internal/parts"
	"github.com/aftersales/aftersales/backend/internal/recall"
	"github.com/aftersales/aftersales/backend/internal/repair"
	"github.com/aftersales/aftersales/backend/internal/returns"
)

// The repairs, spare parts, returns and recall models, checked against
// migration 0006.
func init() {
	extraModels = append(extraModels,
		&parts.Part{}, &parts.PartCategory{}, &parts.Balance{}, &parts.Movement{}, &parts.Requisition{}, &parts.RequisitionLine{},
		&repair.Order{}, &repair.QuoteLine{}, &repair.PartLine{}, &repair.LabourRate{}, &repair.Entitlement{},
		&returns.Request{},
		&recall.Campaign{}, &recall.Selector{}, &recall.SelectorSerial{}, &recall.AffectedUnit{}, &recall.Notification{})
}
