package returns

import (
	"strconv"
	"time"
)

// Statuses of a request.
const (
	StatusRequested = "requested"
	StatusAccepted  = "accepted"
	StatusRefused   = "refused"
	StatusCompleted = "completed"
	StatusCancelled = "cancelled"
)

// Decisions.
const (
	DecisionAccepted = "accepted"
	DecisionRefused  = "refused"
)

// transitions is the request status machine.
var transitions = map[string][]string{
	StatusRequested: {StatusAccepted, StatusRefused, StatusCancelled},
	StatusAccepted:  {StatusCompleted, StatusCancelled},
	StatusRefused:   {},
	StatusCompleted: {},
	StatusCancelled: {},
}

// Allowed returns the statuses a request in status from may move to.
func Allowed(from string) []string { return append([]string{}, transitions[from]...) }

// Request is a 三包 return or exchange request. PurchaseDate, RequestedOn,
// the window dates and DecidedOn are calendar dates (00:00 UTC of the local
// date); the windows are snapshotted from the product's policy when the
// request is made, so a later policy change does not rewrite the record.
type Request struct {
	ID                  uint64 `gorm:"primaryKey"`
	Number              string
	Kind                string
	UnitID              uint64
	Serial              string
	CustomerID          *uint64
	OutletID            *uint64
	TicketID            *uint64
	Reason              string
	PurchaseDate        time.Time
	RequestedOn         time.Time
	DaysSincePurchase   int
	ReturnUntil         *time.Time
	ExchangeUntil       *time.Time
	WindowUntil         *time.Time
	Eligible            bool
	Status              string
	Decision            string
	DecisionReason      string
	DecidedAt           *time.Time
	DecidedOn           *time.Time
	DecidedBy           string
	OutsideLegalWindow  bool
	RefusedWithinWindow bool
	RefundFen           int64
	ReplacementSerial   string
	CompletionNote      string
	CompletedAt         *time.Time
	CancelledAt         *time.Time
	Version             int64
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// TableName pins the table of migration 0006.
func (Request) TableName() string { return "return_requests" }

// Snapshot is the audit image of a request.
func (r Request) Snapshot() map[string]any {
	return map[string]any{"id": r.ID, "number": r.Number, "kind": r.Kind, "unit_id": r.UnitID, "serial": r.Serial,
		"customer_id": r.CustomerID, "outlet_id": r.OutletID, "ticket_id": r.TicketID, "reason": r.Reason,
		"purchase_date": r.PurchaseDate, "requested_on": r.RequestedOn, "days_since_purchase": r.DaysSincePurchase,
		"window_until": r.WindowUntil, "eligible": r.Eligible, "status": r.Status, "decision": r.Decision,
		"decision_reason": r.DecisionReason, "decided_on": r.DecidedOn, "decided_by": r.DecidedBy,
		"outside_legal_window": r.OutsideLegalWindow, "refused_within_window": r.RefusedWithinWindow,
		"refund_fen": r.RefundFen, "replacement_serial": r.ReplacementSerial, "completion_note": r.CompletionNote,
		"version": r.Version}
}

func idStr(id uint64) string { return strconv.FormatUint(id, 10) }
