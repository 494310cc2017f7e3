// Package complaint owns customer complaints (投诉) as records of their own,
// ISO 10002 style, not a tag on a ticket: where the complaint came from, its
// category and severity, the acknowledgement and resolution deadlines
// (2 h / 24 h by default, per severity in config), a strict status machine,
// an escalation chain raised by a scheduled job, investigation and root
// cause, the customer's confirmation of the resolution and the follow-up
// call. Crisis complaints need a named responsible person and a plan, and
// crisis drills are kept as evidence (GB/T 27922 5.3.2). Corrective actions
// live in package capa, shared with surveys and supervision.
package complaint

import (
	"time"
)

// Sources of a complaint.
const (
	SourceTicket   = "ticket"   // raised while handling a service ticket
	SourceHotline  = "hotline"  // phoned in to the service hotline
	SourceOnline   = "online"   // web, app, WeChat, e-mail
	SourceExternal = "external" // 12315, consumer association, media, regulator
	SourceSurvey   = "survey"   // a dissatisfied survey or follow-up answer
)

// Sources lists the accepted sources.
var Sources = []string{SourceTicket, SourceHotline, SourceOnline, SourceExternal, SourceSurvey}

// ExternalChannels are the outside bodies a complaint can arrive through.
var ExternalChannels = []string{"12315", "consumer_association", "media", "regulator", "other"}

// Categories of complaint.
var Categories = []string{"product_quality", "service_attitude", "repair_quality", "delay", "charges", "other"}

// Severities. Crisis follows the crisis procedure (named responsible, plan).
const (
	SeverityNormal = "normal"
	SeverityMajor  = "major"
	SeverityCrisis = "crisis"
)

// Severities lists the accepted severities.
var Severities = []string{SeverityNormal, SeverityMajor, SeverityCrisis}

// Statuses of the complaint status machine.
const (
	StatusReceived      = "received"
	StatusAcknowledged  = "acknowledged"
	StatusInvestigating = "investigating"
	StatusResolved      = "resolved"
	StatusConfirmed     = "confirmed"
	StatusClosed        = "closed"
)

// Statuses lists every status in order.
var Statuses = []string{StatusReceived, StatusAcknowledged, StatusInvestigating, StatusResolved, StatusConfirmed, StatusClosed}

// Complaint is one customer complaint. Times are UTC instants.
type Complaint struct {
	ID              uint64 `gorm:"primaryKey"`
	Number          string
	Source          string
	ExternalChannel string // for source external: 12315, consumer_association, media, …
	SourceRef       string // the outside body's case number, the online form id, …
	TicketID        *uint64
	CustomerID      uint64
	UnitID          *uint64
	OutletID        *uint64 // the outlet complained about, if any (for outlet scorecards)
	// WorkOrderID and TechnicianID name the field visit and the technician
	// complained about (a survey answer about the visit), for the
	// technician's and the outlet's figures.
	WorkOrderID  *uint64
	TechnicianID *uint64
	Category     string
	Severity     string
	Status       string
	Title        string
	Description  string

	ReceivedAt   time.Time
	AckDueAt     time.Time
	AckAt        *time.Time
	ResolveDueAt time.Time
	ResolvedAt   *time.Time
	ConfirmedAt  *time.Time
	ClosedAt     *time.Time
	// CustomerConfirmed is the customer's answer to "is the resolution
	// acceptable?": nil until asked.
	CustomerConfirmed *bool
	// CloseWithoutConfirmation says why a complaint was closed without the
	// customer's confirmation (e.g. unreachable after three calls).
	CloseWithoutConfirmation string

	// Escalation: the current level (0 = none) and when each deadline was
	// first found overdue (set once by the job, so events fire once).
	EscalationLevel  int
	EscalatedAt      *time.Time
	AckOverdueAt     *time.Time
	ResolveOverdueAt *time.Time

	ResponsibleID   *uint64
	ResponsibleName string
	CrisisPlan      string

	Investigation     string
	RootCause         string
	RootCauseCategory string
	Resolution        string

	FollowupAt        *time.Time // first follow-up call that reached the customer
	FollowupSatisfied *bool

	SurveyResponseID *uint64
	CreatedBy        string
	Version          int64
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// TableName pins the table of migration 0005.
func (Complaint) TableName() string { return "complaints" }

// AckWithinLimit reports whether the complaint was acknowledged on time;
// nil while it is neither acknowledged nor overdue.
func (c Complaint) AckWithinLimit(now time.Time) *bool {
	return within(c.AckAt, c.AckDueAt, now)
}

// ResolvedWithinLimit reports whether it was resolved on time; nil while it
// is neither resolved nor overdue.
func (c Complaint) ResolvedWithinLimit(now time.Time) *bool {
	return within(c.ResolvedAt, c.ResolveDueAt, now)
}

func within(done *time.Time, due, now time.Time) *bool {
	var v bool
	switch {
	case done != nil:
		v = !done.After(due)
	case now.After(due):
		v = false
	default:
		return nil
	}
	return &v
}

// Log is one line of a complaint's timeline: every step, with who and when.
type Log struct {
	ID          uint64 `gorm:"primaryKey"`
	ComplaintID uint64
	At          time.Time
	Kind        string // created, acknowledged, investigation_started, updated, resolved, customer_confirmed, customer_rejected, closed, escalated, overdue, followup_call
	FromStatus  string
	ToStatus    string
	ActorName   string
	Outcome     string // for follow-up calls
	Note        string
}

// TableName pins the table of migration 0005.
func (Log) TableName() string { return "complaint_logs" }

// Escalation is one step up the escalation chain: who was notified and why.
type Escalation struct {
	ID           uint64 `gorm:"primaryKey"`
	ComplaintID  uint64
	Level        int
	Reason       string // ack_overdue, resolution_overdue, crisis, manual
	NotifiedRole string
	// NotifiedUser is the first (lowest id) of the users who hold
	// NotifiedRole in the complaint's scope; UserIDs (not stored) are all
	// of them, named in the complaint.escalated event.
	NotifiedUser *uint64
	UserIDs      []uint64 `gorm:"-"`
	At           time.Time
	ActorName    string
	Note         string
}

// TableName pins the table of migration 0005.
func (Escalation) TableName() string { return "complaint_escalations" }

// Drill is a crisis drill (危机演练) kept as evidence for 5.3.2: date,
// scenario, who took part and what was found.
type Drill struct {
	ID           uint64    `gorm:"primaryKey"`
	HeldOn       time.Time // calendar date at 00:00 UTC
	Scenario     string
	Participants string
	Findings     string
	ComplaintID  *uint64 // the crisis the drill rehearsed or followed, if any
	CreatedBy    string
	CreatedAt    time.Time
}

// TableName pins the table of migration 0005.
func (Drill) TableName() string { return "crisis_drills" }
