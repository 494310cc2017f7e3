// Package parts owns spare parts: the catalogue (code, name, price, the
// product categories a part fits), stock per location (the central warehouse
// and each outlet), requisitions from outlets to the central warehouse
// (requested → shipped → received) and consumption by repairs.
//
// Stock is a ledger: every change is a row in stock_movements, and a balance
// row per (part, location) holds the running on-hand quantity. A take is a
// guarded `UPDATE … SET on_hand = on_hand - q WHERE … AND on_hand >= q` in
// the same transaction as its movement, so stock never goes negative and two
// technicians taking the last part cannot both succeed: the second gets a 409
// out_of_stock. The balance always equals the sum of the location's
// movements.
package parts

import (
	"strconv"
	"time"
)

// LocationCentral is the central warehouse. Any other location id is the
// outlet with that id (stock is held per outlet).
const LocationCentral uint64 = 0

// Movement kinds.
const (
	KindReceipt     = "receipt"      // goods in from a supplier
	KindAdjust      = "adjust"       // stocktake correction (signed)
	KindConsume     = "consume"      // used by a repair
	KindIssue       = "issue"        // issued to a job outside a repair record
	KindTransferOut = "transfer_out" // shipped to an outlet on a requisition
	KindTransferIn  = "transfer_in"  // received by the outlet
	KindReturn      = "return"       // back into stock (a part recorded on a repair in error)
)

// Requisition statuses.
const (
	ReqRequested = "requested"
	ReqShipped   = "shipped"
	ReqReceived  = "received"
	ReqCancelled = "cancelled"
)

// Part is a catalogue entry. PriceFen is the published price (in fen, 1/100
// yuan) charged to customers out of warranty and costed against the warranty
// claim in warranty.
type Part struct {
	ID        uint64 `gorm:"primaryKey"`
	Code      string
	Name      string
	Spec      string
	Unit      string
	PriceFen  int64
	Active    bool
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
	// CategoryIDs are the product categories the part fits (part_categories).
	CategoryIDs []uint64 `gorm:"-"`
}

// TableName pins the table of migration 0006.
func (Part) TableName() string { return "parts" }

// Snapshot is the audit image of a part.
func (p Part) Snapshot() map[string]any {
	return map[string]any{"id": p.ID, "code": p.Code, "name": p.Name, "spec": p.Spec, "unit": p.Unit, "price_fen": p.PriceFen,
		"active": p.Active, "category_ids": p.CategoryIDs, "version": p.Version}
}

// PartCategory links a part to a product category it fits.
type PartCategory struct {
	PartID     uint64 `gorm:"primaryKey;autoIncrement:false"`
	CategoryID uint64 `gorm:"primaryKey;autoIncrement:false"`
}

// TableName pins the table of migration 0006.
func (PartCategory) TableName() string { return "part_categories" }

// Balance is the on-hand quantity of a part at a location. MinLevel is the
// reorder point: falling to it or below raises a parts.low_stock event.
type Balance struct {
	PartID     uint64 `gorm:"primaryKey;autoIncrement:false"`
	LocationID uint64 `gorm:"primaryKey;autoIncrement:false"`
	OnHand     int64
	MinLevel   int64
	UpdatedAt  time.Time
}

// TableName pins the table of migration 0006.
func (Balance) TableName() string { return "stock_balances" }

// Movement is one line of the stock ledger. Qty is signed (+ in, − out);
// BalanceAfter is the location's on-hand quantity right after it.
type Movement struct {
	ID           uint64 `gorm:"primaryKey"`
	PartID       uint64
	LocationID   uint64
	Qty          int64
	BalanceAfter int64
	Kind         string
	Ref          string // entity:id that caused it, e.g. "repair:12"
	Serial       string // the serial of the part taken, when it has one
	Note         string
	ActorID      *uint64
	ActorName    string
	At           time.Time
}

// TableName pins the table of migration 0006.
func (Movement) TableName() string { return "stock_movements" }

// Requisition is an outlet's request for parts from the central warehouse.
// FulfilSeconds (received − requested) is stored at receipt so fill rate and
// time-to-part are plain SQL aggregates on both databases.
type Requisition struct {
	ID            uint64 `gorm:"primaryKey"`
	Number        string
	OutletID      uint64
	Status        string
	RequestedAt   time.Time
	RequestedBy   string
	WorkOrderID   *uint64
	RepairID      *uint64
	Note          string
	ShippedAt     *time.Time
	ReceivedAt    *time.Time
	FulfilSeconds *int64
	CancelledAt   *time.Time
	Version       int64
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Lines         []RequisitionLine `gorm:"-"`
}

// TableName pins the table of migration 0006.
func (Requisition) TableName() string { return "part_requisitions" }

// Snapshot is the audit image of a requisition.
func (r Requisition) Snapshot() map[string]any {
	lines := make([]map[string]any, 0, len(r.Lines))
	for _, l := range r.Lines {
		lines = append(lines, map[string]any{"part_id": l.PartID, "qty": l.Qty, "qty_shipped": l.QtyShipped})
	}
	return map[string]any{"id": r.ID, "number": r.Number, "outlet_id": r.OutletID, "status": r.Status, "requested_at": r.RequestedAt,
		"work_order_id": r.WorkOrderID, "repair_id": r.RepairID, "note": r.Note, "shipped_at": r.ShippedAt, "received_at": r.ReceivedAt,
		"fulfil_seconds": r.FulfilSeconds, "cancelled_at": r.CancelledAt, "lines": lines, "version": r.Version}
}

// RequisitionLine is one part and quantity of a requisition.
type RequisitionLine struct {
	ID            uint64 `gorm:"primaryKey"`
	RequisitionID uint64
	PartID        uint64
	Qty           int64
	QtyShipped    int64
}

// TableName pins the table of migration 0006.
func (RequisitionLine) TableName() string { return "part_requisition_lines" }

// LocationName names a stock location in English, for error messages (the
// UI names locations from their ids).
func LocationName(id uint64) string {
	if id == LocationCentral {
		return "the central warehouse"
	}
	return "outlet #" + strconv.FormatUint(id, 10)
}

// LocationTopic is the live-event topic of a location: the outlet's topic,
// and outlet:0 for the central warehouse (only unscoped users may join it).
func LocationTopic(id uint64) string { return "outlet:" + strconv.FormatUint(id, 10) }
