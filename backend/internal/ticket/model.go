// Package ticket is the hotline's work: tickets with an explicit status
// machine, a timeline, assignment to agents and teams, merging duplicates,
// idempotent creation, optimistic concurrency, Excel export, and the SLA
// clocks of each ticket (the log and the arithmetic live in package sla).
//
// Other domains reach it through Service: the customer screen-pop asks
// OpenByCustomer, the unit passport asks PassportEntries, and package
// workorder records dispatch steps with ApplyWorkOrderStep inside its own
// transaction.
package ticket

import (
	"slices"
	"time"
)

// Channels through which a request reaches the hotline.
const (
	ChannelPhone  = "phone"
	ChannelWeb    = "web"
	ChannelOnline = "online"
	ChannelWalkIn = "walk_in"
	ChannelWeChat = "wechat"
)

// Channels lists the channels.
func Channels() []string {
	return []string{ChannelPhone, ChannelWeb, ChannelOnline, ChannelWalkIn, ChannelWeChat}
}

// Ticket types.
const (
	TypeConsultation   = "consultation"
	TypeInstallation   = "installation"
	TypeRepair         = "repair"
	TypeComplaint      = "complaint"
	TypeReturnExchange = "return_exchange"
	TypeRecall         = "recall"
	TypeOther          = "other"
)

// Types lists the ticket types.
func Types() []string {
	return []string{TypeConsultation, TypeInstallation, TypeRepair, TypeComplaint, TypeReturnExchange, TypeRecall, TypeOther}
}

// Priorities, lowest first. PriorityRank orders them for sorting.
const (
	PriorityLow    = "low"
	PriorityNormal = "normal"
	PriorityHigh   = "high"
	PriorityUrgent = "urgent"
)

// Priorities lists the priorities, lowest first.
func Priorities() []string {
	return []string{PriorityLow, PriorityNormal, PriorityHigh, PriorityUrgent}
}

// PriorityRank returns 1 (low) … 4 (urgent), 0 for an unknown priority.
func PriorityRank(p string) int { return slices.Index(Priorities(), p) + 1 }

// Ticket is a customer's request handled by the hotline.
type Ticket struct {
	ID           uint64 `gorm:"primaryKey"`
	Number       string
	Channel      string
	Type         string
	Priority     string
	PriorityRank int
	Status       string
	CustomerID   uint64
	UnitID       *uint64
	CategoryID   *uint64
	FaultCode    string
	RegionCode   string
	Description  string
	AssigneeID   *uint64
	Team         string
	// OutletID is the outlet the ticket is currently dispatched to (offered
	// or accepted); outlet users see only tickets with their outlet here.
	OutletID     *uint64
	DistanceBand string
	MergedIntoID *uint64
	ReopenCount  int
	CloseReason  string

	// SLA bookkeeping: the policy and calendar frozen at selection, and a
	// summary of the clocks recomputed on every SLA event, so that lists
	// and the SLA job do not replay logs.
	SLAPolicy      string     `gorm:"column:sla_policy"`
	SLACalendar    string     `gorm:"column:sla_calendar"`
	SLADueAt       *time.Time `gorm:"column:sla_due_at"`
	SLABreached    bool       `gorm:"column:sla_breached"`
	SLANextCheckAt *time.Time `gorm:"column:sla_next_check_at"`
	SLACheckedAt   time.Time  `gorm:"column:sla_checked_at"`

	FirstResponseAt *time.Time
	AssignedAt      *time.Time
	ResolvedAt      *time.Time
	ClosedAt        *time.Time
	CreatedBy       uint64
	Version         int64
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// TableName pins the table of migration 0004.
func (Ticket) TableName() string { return "tickets" }

// Open reports whether the ticket is still being worked on.
func (t Ticket) Open() bool { return t.Status != StatusResolved && t.Status != StatusClosed }

// Snapshot is the audit image of a ticket.
func (t Ticket) Snapshot() map[string]any {
	return map[string]any{"id": t.ID, "number": t.Number, "channel": t.Channel, "type": t.Type, "priority": t.Priority,
		"status": t.Status, "customer_id": t.CustomerID, "unit_id": t.UnitID, "category_id": t.CategoryID, "fault_code": t.FaultCode,
		"region_code": t.RegionCode, "description": t.Description, "assignee_id": t.AssigneeID, "team": t.Team,
		"outlet_id": t.OutletID, "merged_into_id": t.MergedIntoID, "reopen_count": t.ReopenCount, "close_reason": t.CloseReason,
		"sla_policy": t.SLAPolicy, "version": t.Version}
}

// Timeline event kinds.
const (
	EventCreated      = "created"
	EventNote         = "note"
	EventCall         = "call"
	EventStatusChange = "status_change"
	EventAssignment   = "assignment"
	EventUpdate       = "update"
	EventDispatch     = "dispatch"
	EventWorkOrder    = "work_order"
	EventMerge        = "merge"
	EventSLA          = "sla"
)

// Event is one entry of a ticket's timeline. Data holds structured details
// as JSON (e.g. the from and to statuses). A line the server writes is
// BodyCode with BodyParams (JSON; the UI says labels.timeline.<code>, see
// Line); Body is what a person typed (a note, a call), or the text of a line
// stored before migration 0140.
type Event struct {
	ID         uint64 `gorm:"primaryKey"`
	TicketID   uint64
	Kind       string
	ActorID    *uint64
	ActorName  string
	Body       string
	BodyCode   string
	BodyParams string
	Data       string
	At         time.Time
}

// Line is a timeline line the server writes: a code and its params, said
// by the UI in the reader's language (labels.timeline.<code> in
// frontend/src/i18n). A param whose name the UI lists under labels.values
// (ticket_status, sla_target …, also with a from_/to_ prefix) is a code
// itself; a reason that starts with a code ("ticket_resolved: …", see
// labels.reasons) is said with it. Set Code in a composite literal, never
// by assignment: the error catalogue's scan (apperr/catalogue_test.go) reads
// an assigned x.Code as an API error code.
type Line struct {
	Code   string
	Params map[string]any
}

// maxParamRunes bounds each text param of a stored line (body_params holds
// at most 2000 characters).
const maxParamRunes = 300

// paramsJSON is the stored form of a line's params ("" for none).
func paramsJSON(p map[string]any) string {
	if len(p) == 0 {
		return ""
	}
	clipped := make(map[string]any, len(p))
	for k, v := range p {
		if s, ok := v.(string); ok {
			if r := []rune(s); len(r) > maxParamRunes {
				v = string(r[:maxParamRunes]) + "…"
			}
		}
		clipped[k] = v
	}
	return mustJSON(clipped)
}

// TableName pins the table of migration 0004.
func (Event) TableName() string { return "ticket_events" }

// NumberSequence is a named counter (one row per prefix and day, e.g.
// "T20261126"); see NextNumber.
type NumberSequence struct {
	Name  string `gorm:"primaryKey"`
	Value uint64
}

// TableName pins the table of migration 0004.
func (NumberSequence) TableName() string { return "number_sequences" }

// idempotencyKey is the platform table of migration 0001.
type idempotencyKey struct {
	Scope     string `gorm:"primaryKey"`
	Key       string `gorm:"primaryKey"`
	UserID    uint64
	EntityID  string
	CreatedAt time.Time
}

func (idempotencyKey) TableName() string { return "idempotency_keys" }
