package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0006RepairsPartsReturnsRecalls creates the tables of the service
// operations that auditors sample: repair orders with their quote and part
// lines (faulty and replacement serial, old-part return), labour rates,
// replacement entitlements (三包 "replace after N failed repairs"), the spare
// parts catalogue with a stock ledger (movements) and one balance row per
// (part, location), requisitions, 三包 return/exchange requests, and recall
// campaigns with their affected-set selectors, affected units and owner
// notification attempts.
//
// Why these indexes: a repair carries the completion time of the unit's
// previous repair (prev_completed_at) and the arrival of its next one
// (next_received_at), kept up to date in SQL when repairs are opened,
// completed or cancelled, so the repeat-repair and first-time-fix KPIs of a
// period are one index-only range scan of ix_repair_orders_kpi (status,
// completed_at, …, with record_complete judged at completion and the
// charges) with the window N applied at query time; a unit's other
// repairs are found by (unit_id, received_at, status) and (unit_id,
// completed_at); stock takes are a guarded UPDATE on the
// balance primary key; recall resolution inserts up to 100,000 rows with one
// INSERT … SELECT and relies on (campaign_id, unit_id) being unique.
// Location 0 of stock is the central warehouse; any other location is the
// outlet with that id. Calendar dates are 00:00 UTC of the local date.
func m0006RepairsPartsReturnsRecalls() *gormigrate.Migration {
	type Part struct {
		ID        uint64    `gorm:"primaryKey"`
		Code      string    `gorm:"size:64;not null;uniqueIndex:ux_parts_code"`
		Name      string    `gorm:"size:128;not null"`
		Spec      string    `gorm:"size:255;not null;default:''"`
		Unit      string    `gorm:"size:16;not null;default:''"`
		PriceFen  int64     `gorm:"not null;default:0"`
		Active    bool      `gorm:"not null;default:true"`
		Version   int64     `gorm:"not null;default:1"`
		CreatedAt time.Time `gorm:"not null"`
		UpdatedAt time.Time `gorm:"not null"`
	}
	type PartCategory struct {
		PartID     uint64 `gorm:"primaryKey;autoIncrement:false"`
		CategoryID uint64 `gorm:"primaryKey;autoIncrement:false;index:ix_part_categories_category"`
	}
	type StockBalance struct {
		PartID     uint64    `gorm:"primaryKey;autoIncrement:false"`
		LocationID uint64    `gorm:"primaryKey;autoIncrement:false;index:ix_stock_balances_location"`
		OnHand     int64     `gorm:"not null;default:0"`
		MinLevel   int64     `gorm:"not null;default:0"`
		UpdatedAt  time.Time `gorm:"not null"`
	}
	type StockMovement struct {
		ID           uint64 `gorm:"primaryKey"`
		PartID       uint64 `gorm:"not null;index:ix_stock_movements_part_loc,priority:1"`
		LocationID   uint64 `gorm:"not null;index:ix_stock_movements_part_loc,priority:2;index:ix_stock_movements_loc_at,priority:1"`
		Qty          int64  `gorm:"not null"`
		BalanceAfter int64  `gorm:"not null"`
		Kind         string `gorm:"size:24;not null"`
		Ref          string `gorm:"size:64;not null;default:'';index:ix_stock_movements_ref"`
		Serial       string `gorm:"size:64;not null;default:''"`
		Note         string `gorm:"size:255;not null;default:''"`
		ActorID      *uint64
		ActorName    string    `gorm:"size:64;not null;default:''"`
		At           time.Time `gorm:"not null;index:ix_stock_movements_loc_at,priority:2"`
	}
	type PartRequisition struct {
		ID            uint64    `gorm:"primaryKey"`
		Number        string    `gorm:"size:32;not null;default:'';index:ix_part_requisitions_number"`
		OutletID      uint64    `gorm:"not null;index:ix_part_requisitions_outlet,priority:1"`
		Status        string    `gorm:"size:16;not null;index:ix_part_requisitions_status,priority:1"`
		RequestedAt   time.Time `gorm:"not null;index:ix_part_requisitions_outlet,priority:2;index:ix_part_requisitions_status,priority:2;index:ix_part_requisitions_requested"`
		RequestedBy   string    `gorm:"size:64;not null;default:''"`
		WorkOrderID   *uint64   `gorm:"index:ix_part_requisitions_wo"`
		RepairID      *uint64
		Note          string `gorm:"size:255;not null;default:''"`
		ShippedAt     *time.Time
		ReceivedAt    *time.Time
		FulfilSeconds *int64
		CancelledAt   *time.Time
		Version       int64     `gorm:"not null;default:1"`
		CreatedAt     time.Time `gorm:"not null"`
		UpdatedAt     time.Time `gorm:"not null"`
	}
	type PartRequisitionLine struct {
		ID            uint64 `gorm:"primaryKey"`
		RequisitionID uint64 `gorm:"not null;index:ix_part_requisition_lines_req"`
		PartID        uint64 `gorm:"not null"`
		Qty           int64  `gorm:"not null"`
		QtyShipped    int64  `gorm:"not null;default:0"`
	}
	type RepairOrder struct {
		ID                uint64  `gorm:"primaryKey"`
		Number            string  `gorm:"size:32;not null;default:'';index:ix_repair_orders_number"`
		WorkOrderID       *uint64 `gorm:"uniqueIndex:ux_repair_orders_wo"`
		TicketID          *uint64 `gorm:"index:ix_repair_orders_ticket"`
		OutletID          uint64  `gorm:"not null;index:ix_repair_orders_outlet,priority:1"`
		UnitID            uint64  `gorm:"not null;index:ix_repair_orders_unit_received,priority:1;index:ix_repair_orders_unit_completed,priority:1"`
		Serial            string  `gorm:"size:64;not null;index:ix_repair_orders_serial"`
		ModelID           uint64  `gorm:"not null;default:0"`
		CustomerID        *uint64 `gorm:"index:ix_repair_orders_customer"`
		Channel           string  `gorm:"size:16;not null"`
		TechnicianID      *uint64 `gorm:"index:ix_repair_orders_technician"`
		TechnicianName    string  `gorm:"size:64;not null;default:''"`
		Status            string  `gorm:"size:16;not null;index:ix_repair_orders_kpi,priority:1;index:ix_repair_orders_unit_received,priority:3"`
		Complaint         string  `gorm:"type:text"`
		Diagnosis         string  `gorm:"type:text"`
		FaultCode         string  `gorm:"size:32;not null;default:''"`
		Cause             string  `gorm:"type:text"`
		InWarranty        bool    `gorm:"not null;default:false;index:ix_repair_orders_kpi,priority:8"`
		WarrantyState     string  `gorm:"size:16;not null;default:''"`
		RepairUntil       *time.Time
		QuoteFen          int64  `gorm:"not null;default:0"`
		QuoteApprovedBy   string `gorm:"size:64;not null;default:''"`
		QuoteChannel      string `gorm:"size:16;not null;default:''"`
		QuoteDecidedAt    *time.Time
		DeclineReason     string    `gorm:"size:255;not null;default:''"`
		LabourCode        string    `gorm:"size:32;not null;default:''"`
		LabourFen         int64     `gorm:"not null;default:0"`
		PartsFen          int64     `gorm:"not null;default:0"`
		ChargeFen         int64     `gorm:"not null;default:0;index:ix_repair_orders_kpi,priority:10"`
		ClaimFen          int64     `gorm:"not null;default:0;index:ix_repair_orders_kpi,priority:11"`
		Result            string    `gorm:"size:16;not null;default:'';index:ix_repair_orders_kpi,priority:3"`
		Visits            int       `gorm:"not null;default:1;index:ix_repair_orders_kpi,priority:4"`
		CustomerConfirmed bool      `gorm:"not null;default:false"`
		RecordComplete    bool      `gorm:"not null;default:false;index:ix_repair_orders_kpi,priority:9"`
		ConfirmationNote  string    `gorm:"size:255;not null;default:''"`
		ReplacementSerial string    `gorm:"size:64;not null;default:''"`
		CancelReason      string    `gorm:"size:255;not null;default:''"`
		ReceivedAt        time.Time `gorm:"not null;index:ix_repair_orders_unit_received,priority:2;index:ix_repair_orders_outlet,priority:2;index:ix_repair_orders_received;index:ix_repair_orders_kpi,priority:5"`
		DiagnosedAt       *time.Time
		StartedAt         *time.Time
		CompletedAt       *time.Time `gorm:"index:ix_repair_orders_unit_completed,priority:2;index:ix_repair_orders_kpi,priority:2"`
		PrevCompletedAt   *time.Time `gorm:"index:ix_repair_orders_kpi,priority:6"`
		NextReceivedAt    *time.Time `gorm:"index:ix_repair_orders_kpi,priority:7"`
		ClosedAt          *time.Time
		Version           int64     `gorm:"not null;default:1"`
		CreatedAt         time.Time `gorm:"not null"`
		UpdatedAt         time.Time `gorm:"not null"`
	}
	type RepairQuoteLine struct {
		ID        uint64 `gorm:"primaryKey"`
		RepairID  uint64 `gorm:"not null;index:ix_repair_quote_lines_repair"`
		Kind      string `gorm:"size:16;not null"`
		Code      string `gorm:"size:64;not null"`
		Name      string `gorm:"size:128;not null;default:''"`
		Qty       int64  `gorm:"not null"`
		UnitFen   int64  `gorm:"not null"`
		AmountFen int64  `gorm:"not null"`
	}
	type RepairPart struct {
		ID                uint64 `gorm:"primaryKey"`
		RepairID          uint64 `gorm:"not null;index:ix_repair_parts_repair"`
		PartID            uint64 `gorm:"not null;index:ix_repair_parts_part"`
		PartCode          string `gorm:"size:64;not null"`
		PartName          string `gorm:"size:128;not null;default:''"`
		Qty               int64  `gorm:"not null"`
		UnitFen           int64  `gorm:"not null"`
		AmountFen         int64  `gorm:"not null"`
		LocationID        uint64 `gorm:"not null"`
		FaultySerial      string `gorm:"size:64;not null;default:'';index:ix_repair_parts_faulty"`
		ReplacementSerial string `gorm:"size:64;not null;default:'';index:ix_repair_parts_replacement"`
		UnderWarranty     bool   `gorm:"not null;default:false"`
		ChargeTo          string `gorm:"size:16;not null"`
		OldPartStatus     string `gorm:"size:16;not null;index:ix_repair_parts_old_status"`
		OldPartReturnedOn *time.Time
		CreatedAt         time.Time `gorm:"not null"`
	}
	type LabourRate struct {
		ID        uint64    `gorm:"primaryKey"`
		Code      string    `gorm:"size:32;not null;uniqueIndex:ux_labour_rates_code"`
		Name      string    `gorm:"size:128;not null"`
		PriceFen  int64     `gorm:"not null"`
		Active    bool      `gorm:"not null;default:true"`
		Version   int64     `gorm:"not null;default:1"`
		CreatedAt time.Time `gorm:"not null"`
		UpdatedAt time.Time `gorm:"not null"`
	}
	type ReplacementEntitlement struct {
		ID            uint64    `gorm:"primaryKey"`
		UnitID        uint64    `gorm:"not null;uniqueIndex:ux_replacement_entitlements_unit_fault,priority:1"`
		FaultCode     string    `gorm:"size:32;not null;uniqueIndex:ux_replacement_entitlements_unit_fault,priority:2"`
		FailedRepairs int       `gorm:"not null"`
		RepairID      uint64    `gorm:"not null"`
		Status        string    `gorm:"size:16;not null;index:ix_replacement_entitlements_status"`
		RaisedAt      time.Time `gorm:"not null"`
		ClosedAt      *time.Time
		Note          string    `gorm:"size:255;not null;default:''"`
		Version       int64     `gorm:"not null;default:1"`
		UpdatedAt     time.Time `gorm:"not null"`
	}
	type ReturnRequest struct {
		ID                  uint64    `gorm:"primaryKey"`
		Number              string    `gorm:"size:32;not null;default:'';index:ix_return_requests_number"`
		Kind                string    `gorm:"size:16;not null"`
		UnitID              uint64    `gorm:"not null;index:ix_return_requests_unit"`
		Serial              string    `gorm:"size:64;not null;index:ix_return_requests_serial"`
		CustomerID          *uint64   `gorm:"index:ix_return_requests_customer"`
		OutletID            *uint64   `gorm:"index:ix_return_requests_outlet"`
		TicketID            *uint64   `gorm:"index:ix_return_requests_ticket"`
		Reason              string    `gorm:"type:text"`
		PurchaseDate        time.Time `gorm:"not null"`
		RequestedOn         time.Time `gorm:"not null;index:ix_return_requests_requested"`
		DaysSincePurchase   int       `gorm:"not null"`
		ReturnUntil         *time.Time
		ExchangeUntil       *time.Time
		WindowUntil         *time.Time
		Eligible            bool   `gorm:"not null;default:false"`
		Status              string `gorm:"size:16;not null;index:ix_return_requests_status"`
		Decision            string `gorm:"size:16;not null;default:''"`
		DecisionReason      string `gorm:"type:text"`
		DecidedAt           *time.Time
		DecidedOn           *time.Time
		DecidedBy           string `gorm:"size:64;not null;default:''"`
		OutsideLegalWindow  bool   `gorm:"not null;default:false"`
		RefusedWithinWindow bool   `gorm:"not null;default:false"`
		RefundFen           int64  `gorm:"not null;default:0"`
		ReplacementSerial   string `gorm:"size:64;not null;default:''"`
		CompletionNote      string `gorm:"size:255;not null;default:''"`
		CompletedAt         *time.Time
		CancelledAt         *time.Time
		Version             int64     `gorm:"not null;default:1"`
		CreatedAt           time.Time `gorm:"not null"`
		UpdatedAt           time.Time `gorm:"not null"`
	}
	type RecallCampaign struct {
		ID                uint64    `gorm:"primaryKey"`
		Number            string    `gorm:"size:32;not null;default:'';index:ix_recall_campaigns_number"`
		Title             string    `gorm:"size:255;not null"`
		Reason            string    `gorm:"type:text"`
		HazardLevel       string    `gorm:"size:16;not null"`
		Remedy            string    `gorm:"size:16;not null"`
		RemedyDescription string    `gorm:"type:text"`
		RegulatorRef      string    `gorm:"size:64;not null;default:''"`
		StartDate         time.Time `gorm:"not null"`
		Status            string    `gorm:"size:16;not null;index:ix_recall_campaigns_status"`
		ActivatedAt       *time.Time
		ClosedAt          *time.Time
		CloseNote         string    `gorm:"size:255;not null;default:''"`
		Version           int64     `gorm:"not null;default:1"`
		CreatedAt         time.Time `gorm:"not null"`
		UpdatedAt         time.Time `gorm:"not null"`
	}
	type RecallSelector struct {
		ID            uint64 `gorm:"primaryKey"`
		CampaignID    uint64 `gorm:"not null;index:ix_recall_selectors_campaign"`
		Kind          string `gorm:"size:16;not null"`
		ModelID       *uint64
		ProductionLot string    `gorm:"size:64;not null;default:''"`
		SerialFrom    string    `gorm:"size:64;not null;default:''"`
		SerialTo      string    `gorm:"size:64;not null;default:''"`
		ListSize      int       `gorm:"not null;default:0"`
		Matched       int64     `gorm:"not null;default:0"`
		Added         int64     `gorm:"not null;default:0"`
		Note          string    `gorm:"size:255;not null;default:''"`
		CreatedBy     string    `gorm:"size:64;not null;default:''"`
		CreatedAt     time.Time `gorm:"not null"`
	}
	type RecallSelectorSerial struct {
		SelectorID uint64 `gorm:"primaryKey;autoIncrement:false"`
		Serial     string `gorm:"primaryKey;size:64"`
	}
	type RecallUnit struct {
		ID                  uint64  `gorm:"primaryKey"`
		CampaignID          uint64  `gorm:"not null;uniqueIndex:ux_recall_units_campaign_unit,priority:1;index:ix_recall_units_campaign_owner,priority:1;index:ix_recall_units_campaign_status,priority:1;index:ix_recall_units_campaign_remedied,priority:1"`
		UnitID              uint64  `gorm:"not null;uniqueIndex:ux_recall_units_campaign_unit,priority:2;index:ix_recall_units_unit"`
		Serial              string  `gorm:"size:64;not null"`
		ModelID             uint64  `gorm:"not null"`
		CustomerID          *uint64 `gorm:"index:ix_recall_units_campaign_owner,priority:2"`
		SelectorID          uint64  `gorm:"not null"`
		Status              string  `gorm:"size:16;not null;index:ix_recall_units_campaign_status,priority:2"`
		NotifiedAt          *time.Time
		AppointmentAt       *time.Time
		AppointmentOutletID *uint64    `gorm:"index:ix_recall_units_outlet"`
		RemediedAt          *time.Time `gorm:"index:ix_recall_units_campaign_remedied,priority:2"`
		RemediedOutletID    *uint64
		RemediedBy          string    `gorm:"size:64;not null;default:''"`
		RemedyNote          string    `gorm:"size:255;not null;default:''"`
		Version             int64     `gorm:"not null;default:1"`
		CreatedAt           time.Time `gorm:"not null"`
		UpdatedAt           time.Time `gorm:"not null"`
	}
	type RecallNotification struct {
		ID         uint64    `gorm:"primaryKey"`
		CampaignID uint64    `gorm:"not null;index:ix_recall_notifications_owner,priority:1"`
		CustomerID uint64    `gorm:"not null;index:ix_recall_notifications_owner,priority:2"`
		Channel    string    `gorm:"size:16;not null"`
		Outcome    string    `gorm:"size:16;not null"`
		Note       string    `gorm:"size:255;not null;default:''"`
		ActorName  string    `gorm:"size:64;not null;default:''"`
		At         time.Time `gorm:"not null"`
	}
	return &gormigrate.Migration{
		ID: "0006_repairs_parts_returns_recalls",
		Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&Part{}, &PartCategory{}, &StockBalance{}, &StockMovement{}, &PartRequisition{}, &PartRequisitionLine{},
				&RepairOrder{}, &RepairQuoteLine{}, &RepairPart{}, &LabourRate{}, &ReplacementEntitlement{},
				&ReturnRequest{}, &RecallCampaign{}, &RecallSelector{}, &RecallSelectorSerial{}, &RecallUnit{}, &RecallNotification{})
		},
	}
}
