// Package product owns what the enterprise makes and what its customers
// own: product categories with their 三包 warranty policy, models (which may
// override the policy), and serial-numbered units linked to a customer, with
// purchase date and proof. Warranty status is computed (Warranty), never
// stored. The unit passport merges the history that every other domain
// contributes through passport.Source, so this package never reads their
// tables.
package product

import (
	"time"

	"github.com/aftersales/aftersales/backend/internal/passport"
)

// Category is a product category (空调, 冰箱, …) with its 三包 policy.
type Category struct {
	ID                   uint64 `gorm:"primaryKey"`
	Code                 string
	Name                 string
	ReturnDays           int
	ExchangeDays         int
	RepairWarrantyMonths int
	ReplaceAfterRepairs  int
	Version              int64
	CreatedAt            time.Time
	UpdatedAt            time.Time
}

// TableName pins the table of migration 0002.
func (Category) TableName() string { return "product_categories" }

// Policy returns the category's 三包 policy.
func (c Category) Policy() Policy {
	return Policy{ReturnDays: c.ReturnDays, ExchangeDays: c.ExchangeDays, RepairWarrantyMonths: c.RepairWarrantyMonths,
		ReplaceAfterRepairs: c.ReplaceAfterRepairs}
}

// Model is a product model of a category. A nil override inherits the
// category's value, so changing the category's policy changes every model
// that does not override it.
type Model struct {
	ID                   uint64 `gorm:"primaryKey"`
	Code                 string
	Name                 string
	CategoryID           uint64
	ReturnDays           *int
	ExchangeDays         *int
	RepairWarrantyMonths *int
	ReplaceAfterRepairs  *int
	Version              int64
	CreatedAt            time.Time
	UpdatedAt            time.Time
}

// TableName pins the table of migration 0002.
func (Model) TableName() string { return "product_models" }

// Policy returns the model's effective policy: the category's policy with
// the model's overrides applied.
func (m Model) Policy(category Policy) Policy {
	p := category
	over := func(dst *int, v *int) {
		if v != nil {
			*dst = *v
		}
	}
	over(&p.ReturnDays, m.ReturnDays)
	over(&p.ExchangeDays, m.ExchangeDays)
	over(&p.RepairWarrantyMonths, m.RepairWarrantyMonths)
	over(&p.ReplaceAfterRepairs, m.ReplaceAfterRepairs)
	return p
}

// Unit is one serial-numbered product. CustomerID is nil for a unit whose
// owner is not known (e.g. a serial imported for a recall). Calendar dates
// (PurchaseDate, ProductionDate) are 00:00 UTC of the local date.
type Unit struct {
	ID            uint64 `gorm:"primaryKey"`
	Serial        string
	ModelID       uint64
	CustomerID    *uint64
	PurchaseDate  *time.Time
	PurchaseProof string // invoice number or other reference
	// Seller is who sold the unit (shop, platform store); PurchasePriceFen
	// its price in fen; ProofAttachmentID the invoice photo that backed the
	// last purchase-data correction (migration 0075).
	Seller            string
	PurchasePriceFen  *int64
	ProofAttachmentID *uint64
	ProductionLot     string
	ProductionDate    *time.Time
	InstalledAt       *time.Time // an instant
	// Status is active, returned (refunded under 三包: the unit is back with
	// the enterprise) or exchanged (replaced by ReplacedByUnitID).
	Status string `gorm:"default:active"`
	// WarrantyEndedOn is the day a return or an exchange ended the unit's
	// warranty (calendar date); from that day its warranty state is ended.
	WarrantyEndedOn *time.Time
	// WarrantyStart, when set, is the day the unit's 三包 periods start
	// instead of the purchase date: a replacement's periods restart on the
	// exchange date (returns.exchange_restarts_warranty).
	WarrantyStart *time.Time
	// ReplacesUnitID and ReplacedByUnitID link an exchanged-out unit and
	// its replacement, both ways.
	ReplacesUnitID   *uint64
	ReplacedByUnitID *uint64
	// DeactivatedAt and DeactivationReason are set while the unit is
	// scrapped or lost (Deactivate); such a unit gets no new tickets.
	DeactivatedAt      *time.Time
	DeactivationReason string
	Version            int64
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// TableName pins the table of migration 0002 (status, warranty and
// replacement columns: migration 0040).
func (Unit) TableName() string { return "units" }

// Unit statuses.
const (
	UnitActive    = "active"
	UnitReturned  = "returned"
	UnitExchanged = "exchanged"
	// UnitScrapped and UnitLost are deactivated units (Deactivate): they
	// keep their history but get no new tickets until reactivated.
	UnitScrapped = "scrapped"
	UnitLost     = "lost"
)

// Deactivated reports whether status is scrapped or lost.
func Deactivated(status string) bool { return status == UnitScrapped || status == UnitLost }

// Transfer is one change of a unit's owner (migration 0075): the history
// stays with the serial, so the passport names previous owners.
type Transfer struct {
	ID             uint64 `gorm:"primaryKey"`
	UnitID         uint64
	FromCustomerID *uint64
	ToCustomerID   uint64
	// TransferredOn is the calendar day the owner changed (00:00 UTC).
	TransferredOn time.Time
	Reason        string
	ByUserID      uint64
	ByUsername    string
	CreatedAt     time.Time
}

// TableName pins the table of migration 0075.
func (Transfer) TableName() string { return "unit_transfers" }

// UnitCard is a unit as the agent's screen-pop shows it: with its model,
// category, effective policy, warranty today, and standing flags.
type UnitCard struct {
	Unit     Unit
	Model    Model
	Category Category
	Policy   Policy
	Warranty Status
	Flags    []passport.Flag
}

// Passport is everything known about one unit: the card, and the merged
// history of every registered source, newest first.
type Passport struct {
	UnitCard
	History []passport.Entry
	// Transfers are the unit's changes of owner, oldest first: the
	// previous owners.
	Transfers []Transfer
	// Unavailable names the sources that failed to answer; their entries
	// are missing, and the client says so instead of showing a short history
	// as complete.
	Unavailable []string
}

func (c Category) snapshot() map[string]any {
	return map[string]any{"id": c.ID, "code": c.Code, "name": c.Name, "return_days": c.ReturnDays, "exchange_days": c.ExchangeDays,
		"repair_warranty_months": c.RepairWarrantyMonths, "replace_after_repairs": c.ReplaceAfterRepairs, "version": c.Version}
}

func (m Model) snapshot() map[string]any {
	return map[string]any{"id": m.ID, "code": m.Code, "name": m.Name, "category_id": m.CategoryID, "return_days": m.ReturnDays,
		"exchange_days": m.ExchangeDays, "repair_warranty_months": m.RepairWarrantyMonths,
		"replace_after_repairs": m.ReplaceAfterRepairs, "version": m.Version}
}

func (u Unit) snapshot() map[string]any {
	return map[string]any{"id": u.ID, "serial": u.Serial, "model_id": u.ModelID, "customer_id": u.CustomerID,
		"purchase_date": u.PurchaseDate, "purchase_proof": u.PurchaseProof, "seller": u.Seller, "purchase_price_fen": u.PurchasePriceFen,
		"proof_attachment_id": u.ProofAttachmentID, "deactivated_at": u.DeactivatedAt, "deactivation_reason": u.DeactivationReason,
		"production_lot":  u.ProductionLot,
		"production_date": u.ProductionDate, "installed_at": u.InstalledAt, "status": u.Status, "warranty_ended_on": u.WarrantyEndedOn,
		"warranty_start": u.WarrantyStart, "replaces_unit_id": u.ReplacesUnitID, "replaced_by_unit_id": u.ReplacedByUnitID, "version": u.Version}
}
