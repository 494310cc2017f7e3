// Package repair owns repair orders: one per work order (or a walk-in at an
// outlet), with diagnosis and fault code, an out-of-warranty quote the
// customer must approve before work starts, the parts used (each with the
// faulty and the replacement serial, costed to the warranty claim or to the
// customer, and the old part (旧件) tracked until it is returned), labour
// from the published labour rates, and the result (fixed / not fixed /
// replaced). It computes repeat repairs and first-time fix in SQL and raises
// the 三包 replacement entitlement after N failed repairs of the same fault.
//
// Stock is taken through the parts service inside the repair's own
// transaction, so a part line and its ledger movement commit together.
package repair

import (
	"strconv"
	"time"
)

// Statuses of a repair order.
const (
	StatusReceived   = "received"    // unit received, nothing diagnosed yet
	StatusDiagnosed  = "diagnosed"   // fault found; in warranty: ready to start; out of warranty: needs a quote
	StatusQuoted     = "quoted"      // out of warranty: quote waiting for the customer
	StatusApproved   = "approved"    // the customer approved the quote
	StatusInProgress = "in_progress" // work started; parts may be taken
	StatusCompleted  = "completed"   // result recorded
	StatusDeclined   = "declined"    // the customer declined the quote: returned unrepaired
	StatusCancelled  = "cancelled"   // withdrawn before work started
)

// Results of a completed repair.
const (
	ResultFixed    = "fixed"
	ResultNotFixed = "not_fixed"
	ResultReplaced = "replaced" // the unit was replaced (e.g. under the 三包 entitlement)
)

// Channels a repair comes in through.
const (
	ChannelWorkOrder = "work_order"
	ChannelWalkIn    = "walk_in"
)

// Who pays for a part line.
const (
	ChargeWarranty = "warranty_claim"
	ChargeCustomer = "customer"
)

// Old-part (旧件) statuses of a part line.
const (
	OldPartPending     = "pending"      // the faulty part must come back before the claim is paid
	OldPartReturned    = "returned"     // it came back (date recorded)
	OldPartNotRequired = "not_required" // out of warranty, the old part is the customer's
)

// Entitlement statuses.
const (
	EntitlementOpen      = "open"
	EntitlementFulfilled = "fulfilled"
	EntitlementWaived    = "waived"
)

// transitions is the repair status machine: from → allowed next statuses.
var transitions = map[string][]string{
	StatusReceived:   {StatusDiagnosed, StatusCancelled},
	StatusDiagnosed:  {StatusDiagnosed, StatusQuoted, StatusInProgress, StatusCancelled},
	StatusQuoted:     {StatusQuoted, StatusApproved, StatusDeclined, StatusCancelled},
	StatusApproved:   {StatusQuoted, StatusInProgress, StatusCancelled},
	StatusInProgress: {StatusQuoted, StatusCompleted},
	StatusCompleted:  {},
	StatusDeclined:   {},
	StatusCancelled:  {},
}

// Allowed returns the statuses an order in status from may move to.
func Allowed(from string) []string { return append([]string{}, transitions[from]...) }

// Order is a repair order. Money is in fen (1/100 yuan). In warranty the
// customer pays nothing and PartsFen+LabourFen is the warranty claim
// (ClaimFen); out of warranty it is the customer's charge (ChargeFen), which
// may not exceed the approved quote (QuoteFen).
type Order struct {
	ID                uint64 `gorm:"primaryKey"`
	Number            string
	WorkOrderID       *uint64
	TicketID          *uint64
	OutletID          uint64
	UnitID            uint64
	Serial            string
	ModelID           uint64
	CustomerID        *uint64
	Channel           string
	TechnicianID      *uint64 // the staff member (outlet staff register), when known
	TechnicianName    string
	Status            string
	Complaint         string
	Diagnosis         string
	FaultCode         string
	Cause             string
	InWarranty        bool
	WarrantyState     string
	RepairUntil       *time.Time // last day of free repair (calendar date)
	QuoteFen          int64
	QuoteApprovedBy   string
	QuoteChannel      string
	QuoteDecidedAt    *time.Time
	DeclineReason     string
	LabourCode        string
	LabourFen         int64
	PartsFen          int64
	ChargeFen         int64
	ClaimFen          int64
	Result            string
	Visits            int
	CustomerConfirmed bool
	// RecordComplete is judged at completion: Missing found nothing (the
	// record holds everything an auditor samples).
	RecordComplete    bool
	ConfirmationNote  string
	ReplacementSerial string
	CancelReason      string
	ReceivedAt        time.Time
	DiagnosedAt       *time.Time
	StartedAt         *time.Time
	CompletedAt       *time.Time
	ClosedAt          *time.Time
	// PrevCompletedAt is when the unit's previous repair was completed (the
	// latest completion at or before this one was received), and
	// NextReceivedAt when its next (not cancelled) repair was received after
	// this one's completion. They are derived, kept up to date in SQL as
	// repairs open, complete and cancel (not audited: caches of other rows),
	// so the repeat-repair and first-time-fix KPIs are an index-only scan
	// with the window applied at query time.
	PrevCompletedAt *time.Time
	NextReceivedAt  *time.Time
	Version         int64
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// TableName pins the table of migration 0006.
func (Order) TableName() string { return "repair_orders" }

// Snapshot is the audit image of an order.
func (o Order) Snapshot() map[string]any {
	return map[string]any{"id": o.ID, "number": o.Number, "work_order_id": o.WorkOrderID, "ticket_id": o.TicketID,
		"outlet_id": o.OutletID, "unit_id": o.UnitID, "serial": o.Serial, "channel": o.Channel, "technician_id": o.TechnicianID,
		"technician_name": o.TechnicianName, "status": o.Status, "diagnosis": o.Diagnosis, "fault_code": o.FaultCode, "cause": o.Cause,
		"in_warranty": o.InWarranty, "warranty_state": o.WarrantyState, "quote_fen": o.QuoteFen, "quote_approved_by": o.QuoteApprovedBy,
		"quote_channel": o.QuoteChannel, "labour_code": o.LabourCode, "labour_fen": o.LabourFen, "parts_fen": o.PartsFen,
		"charge_fen": o.ChargeFen, "claim_fen": o.ClaimFen, "result": o.Result, "visits": o.Visits,
		"customer_confirmed": o.CustomerConfirmed, "record_complete": o.RecordComplete, "replacement_serial": o.ReplacementSerial,
		"version": o.Version}
}

// QuoteLine is one priced line of an out-of-warranty quote.
type QuoteLine struct {
	ID        uint64 `gorm:"primaryKey"`
	RepairID  uint64
	Kind      string // part or labour
	Code      string
	Name      string
	Qty       int64
	UnitFen   int64
	AmountFen int64
}

// TableName pins the table of migration 0006.
func (QuoteLine) TableName() string { return "repair_quote_lines" }

// PartLine is a part used in a repair: the faulty serial taken out, the
// replacement serial put in, who pays, and whether the old part came back.
type PartLine struct {
	ID                uint64 `gorm:"primaryKey"`
	RepairID          uint64
	PartID            uint64
	PartCode          string
	PartName          string
	Qty               int64
	UnitFen           int64
	AmountFen         int64
	LocationID        uint64
	FaultySerial      string
	ReplacementSerial string
	UnderWarranty     bool
	ChargeTo          string
	OldPartStatus     string
	OldPartReturnedOn *time.Time // calendar date
	CreatedAt         time.Time
}

// TableName pins the table of migration 0006.
func (PartLine) TableName() string { return "repair_parts" }

// LabourRate is a published labour charge (per job) of the price list.
type LabourRate struct {
	ID        uint64 `gorm:"primaryKey"`
	Code      string
	Name      string
	PriceFen  int64
	Active    bool
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TableName pins the table of migration 0006.
func (LabourRate) TableName() string { return "labour_rates" }

// Entitlement is a unit's 三包 right to a replacement after FailedRepairs
// failed repairs of the same fault. It stands (as the replacement_entitled
// passport flag) until fulfilled or waived.
type Entitlement struct {
	ID            uint64 `gorm:"primaryKey"`
	UnitID        uint64
	FaultCode     string
	FailedRepairs int
	RepairID      uint64
	Status        string
	RaisedAt      time.Time
	ClosedAt      *time.Time
	Note          string
	Version       int64
	UpdatedAt     time.Time
}

// TableName pins the table of migration 0006.
func (Entitlement) TableName() string { return "replacement_entitlements" }

// Snapshot is the audit image of an entitlement.
func (e Entitlement) Snapshot() map[string]any {
	return map[string]any{"id": e.ID, "unit_id": e.UnitID, "fault_code": e.FaultCode, "failed_repairs": e.FailedRepairs,
		"repair_id": e.RepairID, "status": e.Status, "raised_at": e.RaisedAt, "closed_at": e.ClosedAt, "note": e.Note, "version": e.Version}
}

func idStr(id uint64) string { return strconv.FormatUint(id, 10) }

// Outcome classifies an order for the work order it belongs to (the
// workorder.Repair* outcomes): none (cancelled), open, fixed (fixed or
// replaced) or not_fixed (not fixed, or the quote declined and the unit
// returned unrepaired).
func Outcome(status, result string) string {
	switch status {
	case StatusCancelled:
		return "none"
	case StatusDeclined:
		return "not_fixed"
	case StatusCompleted:
		if result == ResultNotFixed {
			return "not_fixed"
		}
		return "fixed"
	}
	return "open"
}
