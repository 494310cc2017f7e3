// Package workorder is dispatch: a ticket's work is offered to the best
// candidate outlet (or to the one the agent picks); the outlet accepts or
// rejects with a reason within the accept timeout, and a rejection or a
// timeout re-offers it to the next candidate automatically. An accepted
// work order then records technician assignment, appointment, customer
// contact, arrival check-in, completion and the customer's sign-off; every
// step is timestamped (the outlet's response figures) and feeds the
// ticket's SLA clocks through ticket.Service.ApplyWorkOrderStep.
//
// Outlet users see only their own outlet's work orders: another outlet's
// is not found.
package workorder

import (
	"slices"
	"time"
)

// Kinds of work, each with its own promised times (KindPolicy).
const (
	KindDelivery     = "delivery"
	KindInstallation = "installation"
	KindRepair       = "repair"
	KindMaintenance  = "maintenance"
	KindInspection   = "inspection"
	KindRecallRemedy = "recall_remedy"
)

// Kinds lists the work-order kinds.
func Kinds() []string {
	return []string{KindDelivery, KindInstallation, KindRepair, KindMaintenance, KindInspection, KindRecallRemedy}
}

// Work-order statuses.
const (
	// StatusOffered: waiting for the current outlet to accept or reject.
	StatusOffered = "offered"
	// StatusUnassigned: no candidate outlet is left; a dispatcher must
	// pick one (POST …/redispatch).
	StatusUnassigned = "unassigned"
	// StatusAccepted: the outlet took the work.
	StatusAccepted = "accepted"
	// StatusAssigned: a technician is assigned.
	StatusAssigned = "assigned"
	// StatusScheduled: an appointment with the customer is agreed.
	StatusScheduled = "scheduled"
	// StatusOnSite: the technician checked in at the customer's.
	StatusOnSite = "on_site"
	// StatusCompleted: the work is done (with a result).
	StatusCompleted = "completed"
	// StatusSignedOff: the customer signed off the work.
	StatusSignedOff = "signed_off"
	// StatusCancelled: withdrawn by the hotline.
	StatusCancelled = "cancelled"
)

// Statuses lists the statuses in the order of a work order's life.
func Statuses() []string {
	return []string{StatusOffered, StatusUnassigned, StatusAccepted, StatusAssigned, StatusScheduled, StatusOnSite,
		StatusCompleted, StatusSignedOff, StatusCancelled}
}

// activeStatuses are the statuses of accepted work not yet done.
var activeStatuses = []string{StatusAccepted, StatusAssigned, StatusScheduled, StatusOnSite}

// Steps, and the statuses each is allowed from.
const (
	StepAccept      = "accept"
	StepReject      = "reject"
	StepAssign      = "assign"
	StepAppointment = "appointment"
	StepContact     = "contact"
	StepCheckIn     = "check_in"
	StepOnTheWay    = "on_the_way"
	StepComplete    = "complete"
	StepSignOff     = "sign_off"
	StepRedispatch  = "redispatch"
	StepCancel      = "cancel"
)

// transition is one row of the work-order transition table: a step, the
// statuses it is taken from, and a guard on the work order itself (nil: the
// status decides alone). The guard returns the 409 reason when the step is
// not possible although the status allows it (contact twice, check-in
// without a technician).
type transition struct {
	step  string
	from  []string
	guard func(w WorkOrder) string
}

// steps is THE transition table: AllowedSteps (what the API offers as
// allowed_steps) and the service's check before every step (what it
// accepts) are both read from it, so an offered step never answers 409.
var steps = []transition{
	{StepAccept, []string{StatusOffered}, nil},
	{StepReject, []string{StatusOffered}, nil},
	{StepAssign, []string{StatusAccepted, StatusAssigned, StatusScheduled}, nil},
	{StepAppointment, []string{StatusAccepted, StatusAssigned, StatusScheduled}, nil},
	{StepContact, []string{StatusAccepted, StatusAssigned, StatusScheduled, StatusOnSite}, func(w WorkOrder) string {
		if w.ContactedAt != nil {
			return "the customer was already contacted"
		}
		return ""
	}},
	{StepCheckIn, []string{StatusAssigned, StatusScheduled}, func(w WorkOrder) string {
		if w.TechnicianStaffID == nil {
			return "assign a technician before checking in"
		}
		return ""
	}},
	{StepOnTheWay, []string{StatusAssigned, StatusScheduled}, func(w WorkOrder) string {
		if w.TechnicianStaffID == nil {
			return "assign a technician before setting off"
		}
		return ""
	}},
	{StepComplete, []string{StatusOnSite}, nil},
	{StepSignOff, []string{StatusCompleted}, nil},
	{StepRedispatch, []string{StatusOffered, StatusUnassigned}, nil},
	{StepCancel, []string{StatusOffered, StatusUnassigned, StatusAccepted, StatusAssigned, StatusScheduled}, nil},
}

// StepNames lists every step in table order.
func StepNames() []string {
	out := make([]string, len(steps))
	for i, t := range steps {
		out[i] = t.step
	}
	return out
}

// refusal returns why step cannot be taken on w ("" when it can): the
// status machine first, then the step's guard. Unknown steps are refused.
func refusal(w WorkOrder, step string) string {
	for _, t := range steps {
		if t.step != step {
			continue
		}
		if !slices.Contains(t.from, w.Status) {
			return "status"
		}
		if t.guard != nil {
			return t.guard(w)
		}
		return ""
	}
	return "status"
}

// AllowedSteps returns the steps that can be taken on w now, in table
// order: exactly the steps the service accepts.
func (w WorkOrder) AllowedSteps() []string {
	out := []string{}
	for _, t := range steps {
		if refusal(w, t.step) == "" {
			out = append(out, t.step)
		}
	}
	return out
}

// AllowedSteps returns the steps possible in status for a work order with
// nothing recorded yet beyond its status (no contact, a technician when the
// status implies one). Prefer WorkOrder.AllowedSteps, which also applies
// the guards.
func AllowedSteps(status string) []string {
	w := WorkOrder{Status: status}
	if status == StatusAssigned || status == StatusScheduled || status == StatusOnSite {
		tech := uint64(1)
		w.TechnicianStaffID = &tech
	}
	return w.AllowedSteps()
}

// Results of completed work. ResultDone and ResultNoFault resolve the
// ticket; ResultPartsRequired puts it to waiting_parts; ResultNotFixed
// leaves it for the hotline.
const (
	ResultDone          = "done"
	ResultNoFault       = "no_fault_found"
	ResultPartsRequired = "parts_required"
	ResultNotFixed      = "not_fixed"
)

// Results lists the completion results.
func Results() []string {
	return []string{ResultDone, ResultNoFault, ResultPartsRequired, ResultNotFixed}
}

// FirstTimeFixWindow is how long after completion a new work order on the
// same unit counts as a repeat visit (the completed one was then not a
// first-time fix).
const FirstTimeFixWindow = 30 * 24 * time.Hour

// WorkOrder is a piece of field work for one ticket.
type WorkOrder struct {
	ID           uint64 `gorm:"primaryKey"`
	Number       string
	TicketID     uint64
	Kind         string
	Status       string
	OutletID     *uint64
	CustomerID   uint64
	UnitID       *uint64
	CategoryID   *uint64
	RegionCode   string
	DistanceBand string
	Note         string
	// OfferID is the current (latest) offer; Attempts counts offers made.
	OfferID        *uint64
	Attempts       int
	OfferedAt      *time.Time
	OfferExpiresAt *time.Time
	AcceptedAt     *time.Time

	TechnicianStaffID    *uint64
	TechnicianAssignedAt *time.Time
	AppointmentAt        *time.Time
	AppointmentUntil     *time.Time
	AppointmentSetAt     *time.Time
	ContactedAt          *time.Time
	ArrivedAt            *time.Time
	ArrivalOnTime        *bool
	CompletedAt          *time.Time
	Result               string
	ResultNotes          string
	// RepeatUntil is CompletedAt + FirstTimeFixWindow, stored so that the
	// first-time-fix measure is a plain comparison in SQL on both databases.
	RepeatUntil  *time.Time
	SignedOffAt  *time.Time
	SignedBy     string
	CancelledAt  *time.Time
	CancelReason string

	// Where the technician checked in (migration 0090), when the phone's
	// browser gave a position; nil otherwise.
	ArrivedLat       *float64
	ArrivedLng       *float64
	ArrivedAccuracyM *float64

	// Promised instants from the kind's times on the ticket's calendar.
	ContactDueAt  *time.Time
	ArrivalDueAt  *time.Time
	CompleteDueAt *time.Time

	CreatedBy uint64
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TableName pins the table of migration 0004.
func (WorkOrder) TableName() string { return "work_orders" }

// Snapshot is the audit image of a work order.
func (w WorkOrder) Snapshot() map[string]any {
	return map[string]any{"id": w.ID, "number": w.Number, "ticket_id": w.TicketID, "kind": w.Kind, "status": w.Status,
		"outlet_id": w.OutletID, "attempts": w.Attempts, "technician_staff_id": w.TechnicianStaffID,
		"appointment_at": w.AppointmentAt, "contacted_at": w.ContactedAt, "arrived_at": w.ArrivedAt,
		"arrived_lat": w.ArrivedLat, "arrived_lng": w.ArrivedLng, "completed_at": w.CompletedAt,
		"result": w.Result, "signed_off_at": w.SignedOffAt, "cancelled_at": w.CancelledAt, "version": w.Version}
}

// Offer responses.
const (
	ResponsePending   = "pending"
	ResponseAccepted  = "accepted"
	ResponseRejected  = "rejected"
	ResponseTimeout   = "timeout"
	ResponseWithdrawn = "withdrawn"
)

// Offer is one offer of a work order to an outlet, with the response.
type Offer struct {
	ID              uint64 `gorm:"primaryKey"`
	WorkOrderID     uint64
	OutletID        uint64
	Attempt         int
	CoverageLevel   int
	OfferedAt       time.Time
	ExpiresAt       time.Time
	Response        string
	RespondedAt     *time.Time
	ResponseSeconds *int64
	Reason          string
	RespondedBy     string
	// RemindedHalfAt and RemindedLateAt are when the outlet was told the
	// offer had used 50% and 80% of its time (migration 0130); each is set
	// once, by the job run that claims it.
	RemindedHalfAt *time.Time
	RemindedLateAt *time.Time
}

// TableName pins the table of migration 0004.
func (Offer) TableName() string { return "work_order_offers" }

// KindPolicy holds the promised times of a work-order kind, in minutes of
// the ticket's working calendar (zero: no promise; the ticket policy's
// target applies).
type KindPolicy struct {
	Kind                 string `gorm:"primaryKey"`
	Name                 string
	AcceptMinutes        int
	ContactMinutes       int
	ArrivalCityMinutes   int `gorm:"column:arrival_city_minutes"`
	Arrival200kmMinutes  int `gorm:"column:arrival_200km_minutes"`
	Arrival500kmMinutes  int `gorm:"column:arrival_500km_minutes"`
	ArrivalRemoteMinutes int `gorm:"column:arrival_remote_minutes"`
	CompleteMinutes      int
	Version              int64
	UpdatedAt            time.Time
}

// TableName pins the table of migration 0004.
func (KindPolicy) TableName() string { return "work_order_kinds" }

// DefaultKindPolicies are created when none exist. Delivery (配送) and
// installation are measured like repairs, with their own promises.
func DefaultKindPolicies() []KindPolicy {
	return []KindPolicy{
		{Kind: KindDelivery, Name: "配送", AcceptMinutes: 60, ContactMinutes: 120, ArrivalCityMinutes: 1320, Arrival200kmMinutes: 2640, Arrival500kmMinutes: 3960, ArrivalRemoteMinutes: 6600, CompleteMinutes: 1320},
		{Kind: KindInstallation, Name: "安装", AcceptMinutes: 60, ContactMinutes: 120, ArrivalCityMinutes: 660, Arrival200kmMinutes: 1320, Arrival500kmMinutes: 2200, ArrivalRemoteMinutes: 4400, CompleteMinutes: 660},
		{Kind: KindRepair, Name: "维修", AcceptMinutes: 30, ContactMinutes: 60, ArrivalCityMinutes: 660, Arrival200kmMinutes: 1320, Arrival500kmMinutes: 2200, ArrivalRemoteMinutes: 4400, CompleteMinutes: 1980},
		{Kind: KindMaintenance, Name: "保养", AcceptMinutes: 120, ContactMinutes: 240, ArrivalCityMinutes: 1980, Arrival200kmMinutes: 2640, Arrival500kmMinutes: 3960, ArrivalRemoteMinutes: 6600, CompleteMinutes: 1980},
		{Kind: KindInspection, Name: "检测", AcceptMinutes: 120, ContactMinutes: 240, ArrivalCityMinutes: 1320, Arrival200kmMinutes: 2640, Arrival500kmMinutes: 3960, ArrivalRemoteMinutes: 6600, CompleteMinutes: 1320},
		{Kind: KindRecallRemedy, Name: "召回补救", AcceptMinutes: 240, ContactMinutes: 660, ArrivalCityMinutes: 3300, Arrival200kmMinutes: 4400, Arrival500kmMinutes: 5500, ArrivalRemoteMinutes: 7700, CompleteMinutes: 3300},
	}
}
