package event

import (
	"strconv"
	"time"
)

// The catalog: every event a Go consumer reads (surveys, readiness,
// notifications, the RBAC reload) is declared here with its payload, so the
// publisher and the consumer name the same variable. The JSON keys are the
// wire format the web app reads; keep them stable.

// Topics the WebSocket clients subscribe to (see httpapi/websocket.go).
const (
	TopicTickets = "tickets"
	TopicSLA     = "sla"
	TopicQuality = "quality"
	TopicAdmin   = "admin"
)

// OutletTopic is the live board topic of one outlet, "outlet:<id>".
func OutletTopic(id uint64) string { return "outlet:" + strconv.FormatUint(id, 10) }

// Ticket is the payload of the ticket events (topic "tickets"): the
// ticket's identity and state, plus what the change was about.
type Ticket struct {
	TicketID    uint64     `json:"ticket_id"`
	Number      string     `json:"number"`
	CustomerID  uint64     `json:"customer_id"`
	UnitID      *uint64    `json:"unit_id"`
	AssigneeID  *uint64    `json:"assignee_id"`
	OutletID    *uint64    `json:"outlet_id"`
	Type        string     `json:"type"`
	Status      string     `json:"status"`
	Priority    string     `json:"priority"`
	ClosedAt    *time.Time `json:"closed_at,omitempty"`
	CloseReason string     `json:"close_reason,omitempty"`
	// Changed lists the edited fields (ticket.updated).
	Changed []string `json:"changed,omitempty"`
	// From and To are the statuses of a status change.
	From     string `json:"from,omitempty"`
	To       string `json:"to,omitempty"`
	Reopened bool   `json:"reopened,omitempty"`
	// MergedIntoID is set when the ticket was closed as a duplicate.
	MergedIntoID *uint64 `json:"merged_into_id,omitempty"`
	SourceID     uint64  `json:"source_id,omitempty"`
	SourceNumber string  `json:"source_number,omitempty"`
}

// Ticket events.
var (
	TicketCreated       = Define[Ticket]("ticket.created")
	TicketUpdated       = Define[Ticket]("ticket.updated")
	TicketStatusChanged = Define[Ticket]("ticket.status_changed")
	TicketClosed        = Define[Ticket]("ticket.closed")
	TicketAssigned      = Define[Ticket]("ticket.assigned")
	TicketMerged        = Define[Ticket]("ticket.merged")
)

// SLAAlert is a warning or breach of one SLA target of a ticket (topic "sla").
type SLAAlert struct {
	TicketID uint64     `json:"ticket_id"`
	Number   string     `json:"number"`
	Target   string     `json:"target"`
	Kind     string     `json:"kind"`
	Segment  int        `json:"segment"`
	DueAt    *time.Time `json:"due_at"`
	OutletID *uint64    `json:"outlet_id"`
	// AssigneeID is the ticket's agent, who is told in their inbox.
	AssigneeID *uint64 `json:"assignee_id,omitempty"`
}

// SLA events.
var (
	SLAWarning  = Define[SLAAlert]("sla.warning")
	SLABreached = Define[SLAAlert]("sla.breached")
)

// WorkOrder is the payload of the work-order events, published on "tickets"
// and on the outlet's board topic "outlet:<id>".
type WorkOrder struct {
	WorkOrderID uint64  `json:"work_order_id"`
	Number      string  `json:"number"`
	TicketID    uint64  `json:"ticket_id"`
	OutletID    *uint64 `json:"outlet_id"`
	Kind        string  `json:"kind"`
	Status      string  `json:"status"`
	// Offer: when it lapses and which attempt it is.
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	Attempt   int        `json:"attempt,omitempty"`
	// Reason of an unassignment, rejection or cancellation.
	Reason            string     `json:"reason,omitempty"`
	ResponseSeconds   int64      `json:"response_seconds,omitempty"`
	TechnicianStaffID *uint64    `json:"technician_staff_id,omitempty"`
	AppointmentAt     *time.Time `json:"appointment_at,omitempty"`
	AppointmentUntil  *time.Time `json:"appointment_until,omitempty"`
	OnTime            *bool      `json:"on_time,omitempty"`
	Result            string     `json:"result,omitempty"`
	// CustomerID is the ticket's customer (messages to customers).
	CustomerID uint64 `json:"customer_id,omitempty"`
	// Percent is the share of the offer's time gone (offer reminders: 50, 80).
	Percent int `json:"percent,omitempty"`
}

// Work-order events.
var (
	WorkOrderOffered            = Define[WorkOrder]("workorder.offered")
	WorkOrderUnassigned         = Define[WorkOrder]("workorder.unassigned")
	WorkOrderAccepted           = Define[WorkOrder]("workorder.accepted")
	WorkOrderRejected           = Define[WorkOrder]("workorder.rejected")
	WorkOrderTimedOut           = Define[WorkOrder]("workorder.timed_out")
	WorkOrderWithdrawn          = Define[WorkOrder]("workorder.withdrawn")
	WorkOrderTechnicianAssigned = Define[WorkOrder]("workorder.technician_assigned")
	WorkOrderAppointmentSet     = Define[WorkOrder]("workorder.appointment_set")
	WorkOrderContacted          = Define[WorkOrder]("workorder.contacted")
	WorkOrderCheckedIn          = Define[WorkOrder]("workorder.checked_in")
	WorkOrderCompleted          = Define[WorkOrder]("workorder.completed")
	WorkOrderSignedOff          = Define[WorkOrder]("workorder.signed_off")
	WorkOrderCancelled          = Define[WorkOrder]("workorder.cancelled")
)

// WorkOrderOfferReminder is published once when a pending offer has used
// 50% and once at 80% of its accept time (Percent), so the outlet is told
// before it lapses.
var WorkOrderOfferReminder = Define[WorkOrder]("workorder.offer_reminder")

// WorkOrderOnTheWay is published when the technician set off to the
// customer (the customer is told by SMS).
var WorkOrderOnTheWay = Define[WorkOrder]("workorder.on_the_way")

// ComplaintEscalation is a complaint escalated to the next level of the
// chain (topic "quality"). UserIDs are the people who hold the notified
// role in the complaint's scope; each gets an inbox notification.
type ComplaintEscalation struct {
	ComplaintID uint64   `json:"complaint_id"`
	Number      string   `json:"number"`
	Level       int      `json:"level"`
	Role        string   `json:"role"`
	UserID      *uint64  `json:"user_id"`
	UserIDs     []uint64 `json:"user_ids,omitempty"`
	Reason      string   `json:"reason"`
	Severity    string   `json:"severity"`
}

// ComplaintEscalated is published when a complaint is escalated.
var ComplaintEscalated = Define[ComplaintEscalation]("complaint.escalated")

// CallbackDue is a supervisor call-back created after a dissatisfied survey
// answer (topic "quality"): a supervisor must call the customer by DueAt.
type CallbackDue struct {
	FollowupID   uint64    `json:"followup_id"`
	ResponseID   uint64    `json:"response_id"`
	TicketID     *uint64   `json:"ticket_id"`
	TicketNumber string    `json:"ticket_number"`
	CustomerID   uint64    `json:"customer_id"`
	OutletID     *uint64   `json:"outlet_id"`
	DueAt        time.Time `json:"due_at"`
}

// SurveyCallbackDue is published when a supervisor call-back is scheduled.
var SurveyCallbackDue = Define[CallbackDue]("survey.callback_due")

// CertificationReminder is a certificate expiry or planned audit reaching
// a reminder lead time (topic "readiness"), for the quality managers.
type CertificationReminder struct {
	Subject       string `json:"subject"` // certificate or audit
	DueOn         string `json:"due_on"`  // local date, 2006-01-02
	DaysBefore    int    `json:"days_before"`
	DaysLeft      int    `json:"days_left"`
	AuditID       uint64 `json:"audit_id,omitempty"`
	CycleID       uint64 `json:"cycle_id,omitempty"`
	Kind          string `json:"kind,omitempty"`
	Seq           int    `json:"seq,omitempty"`
	CertificateNo string `json:"certificate_no,omitempty"`
}

// CertificationReminderDue is published once per subject and lead time.
var CertificationReminderDue = Define[CertificationReminder]("certification.reminder")

// Notification is one inbox entry pushed on the user's own topic
// "user:<id>" (realtime.UserTopic; see package notification), with the
// user's unread count after it.
type Notification struct {
	ID        uint64         `json:"id"`
	UserID    uint64         `json:"user_id"`
	Kind      string         `json:"kind"`
	Title     string         `json:"title"`
	Body      string         `json:"body"`
	Link      string         `json:"link"`
	Params    map[string]any `json:"params"`
	CreatedAt time.Time      `json:"created_at"`
	Unread    int64          `json:"unread"`
}

// InboxCount is a user's unread count after they read notifications.
type InboxCount struct {
	UserID uint64 `json:"user_id"`
	Unread int64  `json:"unread"`
}

// Inbox events, on the user's own topic.
var (
	NotificationCreated = Define[Notification]("notification.created")
	NotificationsRead   = Define[InboxCount]("notification.read")
)

// Customer is the payload of the customer events (topic "customers").
type Customer struct {
	CustomerID uint64 `json:"customer_id"`
	Version    int64  `json:"version,omitempty"`
	PhoneID    uint64 `json:"phone_id,omitempty"`
	AddressID  uint64 `json:"address_id,omitempty"`
}

// Customer events.
var (
	CustomerCreated      = Define[Customer]("customer.created")
	CustomerUpdated      = Define[Customer]("customer.updated")
	CustomerPhoneAdded   = Define[Customer]("customer.phone_added")
	CustomerAddressAdded = Define[Customer]("customer.address_added")
)

// ContentChange is a created, updated or deleted article or manual (topic
// "content"). Action is create, update or delete.
type ContentChange struct {
	ID        uint64 `json:"id"`
	Action    string `json:"action"`
	Published bool   `json:"published"`
}

// Content events.
var (
	ContentArticleChanged = Define[ContentChange]("content.article_changed")
	ContentManualChanged  = Define[ContentChange]("content.manual_changed")
)

// SLASetting is a changed SLA calendar or policy, by code (topic "admin").
type SLASetting struct {
	Code string `json:"code"`
}

// SLA settings events.
var (
	SLACalendarChanged = Define[SLASetting]("sla.calendar_changed")
	SLAPolicyChanged   = Define[SLASetting]("sla.policy_changed")
)

// TopicOutlets carries the outlet and staff events.
const TopicOutlets = "outlets"

// Outlet is the payload of the outlet events (topic "outlets").
type Outlet struct {
	ID     uint64 `json:"id"`
	Code   string `json:"code"`
	Name   string `json:"name"`
	Status string `json:"status"`
}

// Outlet events.
var (
	OutletCreated   = Define[Outlet]("outlet.created")
	OutletUpdated   = Define[Outlet]("outlet.updated")
	OutletSuspended = Define[Outlet]("outlet.suspended")
	OutletActivated = Define[Outlet]("outlet.activated")
)

// Staff is the payload of staff.created and staff.updated (topic "outlets").
type Staff struct {
	ID                  uint64  `json:"id"`
	Name                string  `json:"name"`
	Post                string  `json:"post"`
	IsServiceManagement bool    `json:"is_service_management"`
	OutletID            *uint64 `json:"outlet_id,omitempty"`
}

// StaffCertificate is a certificate recorded for a staff member; ExpiresAt
// is a date (2006-01-02) or empty.
type StaffCertificate struct {
	StaffID       uint64 `json:"staff_id"`
	CertificateID uint64 `json:"certificate_id"`
	Kind          string `json:"kind"`
	ExpiresAt     string `json:"expires_at"`
}

// Staff events.
var (
	StaffCreated          = Define[Staff]("staff.created")
	StaffUpdated          = Define[Staff]("staff.updated")
	StaffCertificateAdded = Define[StaffCertificate]("staff.certificate_added")
)

// ImportSummary is the outcome of a spreadsheet import (rows imported and
// failed). It belongs to no single transaction: each row commits on its own.
type ImportSummary struct {
	Imported int `json:"imported"`
	Failed   int `json:"failed"`
}

// Import summaries (published with Bus.Publish after the import).
var (
	OutletImported = Define[ImportSummary]("outlet.imported")
	StaffImported  = Define[ImportSummary]("staff.imported")
)

// ProductCategory is the payload of the product category events (topic
// "products"): code on creation, version on update.
type ProductCategory struct {
	CategoryID uint64 `json:"category_id"`
	Code       string `json:"code,omitempty"`
	Version    int64  `json:"version,omitempty"`
}

// ProductModel is the payload of the product model events: code and
// category on creation, version on update.
type ProductModel struct {
	ModelID    uint64 `json:"model_id"`
	Code       string `json:"code,omitempty"`
	CategoryID uint64 `json:"category_id,omitempty"`
	Version    int64  `json:"version,omitempty"`
}

// Unit is the payload of the unit events (topic "products").
type Unit struct {
	UnitID     uint64  `json:"unit_id"`
	Serial     string  `json:"serial"`
	ModelID    uint64  `json:"model_id,omitempty"`
	CustomerID *uint64 `json:"customer_id,omitempty"`
	// The replacement of an exchanged unit.
	ReplacementUnitID uint64 `json:"replacement_unit_id,omitempty"`
	ReplacementSerial string `json:"replacement_serial,omitempty"`
}

// Product events.
var (
	ProductCategoryCreated = Define[ProductCategory]("product.category_created")
	ProductCategoryUpdated = Define[ProductCategory]("product.category_updated")
	ProductModelCreated    = Define[ProductModel]("product.model_created")
	ProductModelUpdated    = Define[ProductModel]("product.model_updated")
	UnitRegistered         = Define[Unit]("unit.registered")
	UnitReturned           = Define[Unit]("unit.returned")
	UnitExchanged          = Define[Unit]("unit.exchanged")
	// UnitUpdated: purchase data corrected, owner changed, deactivated or
	// reactivated (issue 12 §2).
	UnitUpdated = Define[Unit]("unit.updated")
)

// LowStock is a take that brought a location's balance of a part to its
// reorder point (topic "outlet:<location>", outlet:0 the central warehouse).
type LowStock struct {
	PartID     uint64 `json:"part_id"`
	PartCode   string `json:"part_code"`
	PartName   string `json:"part_name"`
	LocationID uint64 `json:"location_id"`
	OnHand     int64  `json:"on_hand"`
	MinLevel   int64  `json:"min_level"`
}

// Requisition is the payload of the parts requisition events, published on
// the outlet's topic and on the central warehouse's (outlet:0).
type Requisition struct {
	ID       uint64 `json:"id"`
	Number   string `json:"number"`
	OutletID uint64 `json:"outlet_id"`
	Status   string `json:"status"`
}

// Parts events.
var (
	PartsLowStock             = Define[LowStock]("parts.low_stock")
	PartsRequisitionCreated   = Define[Requisition]("parts.requisition_created")
	PartsRequisitionShipped   = Define[Requisition]("parts.requisition_shipped")
	PartsRequisitionReceived  = Define[Requisition]("parts.requisition_received")
	PartsRequisitionCancelled = Define[Requisition]("parts.requisition_cancelled")
)

// ComplaintCreatedPayload is a complaint received (topic "quality").
type ComplaintCreatedPayload struct {
	ComplaintID  uint64    `json:"complaint_id"`
	Number       string    `json:"number"`
	Severity     string    `json:"severity"`
	Category     string    `json:"category"`
	Source       string    `json:"source"`
	CustomerID   uint64    `json:"customer_id"`
	TicketID     *uint64   `json:"ticket_id"`
	UnitID       *uint64   `json:"unit_id"`
	OutletID     *uint64   `json:"outlet_id"`
	AckDueAt     time.Time `json:"ack_due_at"`
	ResolveDueAt time.Time `json:"resolve_due_at"`
}

// ComplaintClosedPayload is a complaint closed (topic "quality").
type ComplaintClosedPayload struct {
	ComplaintID         uint64     `json:"complaint_id"`
	Number              string     `json:"number"`
	ClosedAt            *time.Time `json:"closed_at"`
	Severity            string     `json:"severity"`
	CustomerID          uint64     `json:"customer_id"`
	TicketID            *uint64    `json:"ticket_id"`
	ResolvedWithinLimit bool       `json:"resolved_within_limit"`
	CustomerConfirmed   bool       `json:"customer_confirmed"`
}

// ComplaintOverduePayload is a complaint deadline that passed (topic
// "quality"); Kind is acknowledgement or resolution.
type ComplaintOverduePayload struct {
	ComplaintID uint64    `json:"complaint_id"`
	Number      string    `json:"number"`
	Kind        string    `json:"kind"`
	DueAt       time.Time `json:"due_at"`
	Severity    string    `json:"severity"`
	Level       int       `json:"level"`
}

// ComplaintAck is a complaint acknowledged to the customer (topic
// "quality").
type ComplaintAck struct {
	ComplaintID uint64 `json:"complaint_id"`
	Number      string `json:"number"`
	Severity    string `json:"severity"`
	CustomerID  uint64 `json:"customer_id"`
}

// ComplaintAcknowledged is published when a complaint is acknowledged (the
// customer is told by SMS).
var ComplaintAcknowledged = Define[ComplaintAck]("complaint.acknowledged")

// Complaint events (complaint.escalated is above).
var (
	ComplaintCreated = Define[ComplaintCreatedPayload]("complaint.created")
	ComplaintClosed  = Define[ComplaintClosedPayload]("complaint.closed")
	ComplaintOverdue = Define[ComplaintOverduePayload]("complaint.overdue")
)

// PolicyChange is an admin's grant or revoke of a permission (topic
// "admin"); every instance reloads its RBAC policy. It has no data.
type PolicyChange struct{}

// RBACPolicyChanged is published when the role-permission policy changed.
var RBACPolicyChanged = Define[PolicyChange]("rbac.policy_changed")

// SurveyAnswer is a survey response recorded (topic "quality").
type SurveyAnswer struct {
	ResponseID      uint64  `json:"response_id"`
	InvitationID    uint64  `json:"invitation_id"`
	TicketID        *uint64 `json:"ticket_id"`
	CustomerID      uint64  `json:"customer_id"`
	UnitID          *uint64 `json:"unit_id"`
	Channel         string  `json:"channel"`
	Kind            string  `json:"kind"`
	Csat            *int    `json:"csat"`
	Nps             *int    `json:"nps"`
	AgentScore      *int    `json:"agent_score"`
	TechnicianScore *int    `json:"technician_score"`
	Dissatisfied    bool    `json:"dissatisfied"`
}

// SurveyDissatisfaction is the action taken on a dissatisfied answer
// (topic "quality"): a complaint opened or the ticket reopened.
type SurveyDissatisfaction struct {
	ResponseID         uint64  `json:"response_id"`
	TicketID           *uint64 `json:"ticket_id"`
	CustomerID         uint64  `json:"customer_id"`
	UnitID             *uint64 `json:"unit_id"`
	MinScore           *int    `json:"min_score"`
	Channel            string  `json:"channel"`
	Action             string  `json:"action"`
	ComplaintID        *uint64 `json:"complaint_id"`
	CallbackFollowupID *uint64 `json:"callback_followup_id"`
}

// Survey answer events.
var (
	SurveyAnswered     = Define[SurveyAnswer]("survey.answered")
	SurveyDissatisfied = Define[SurveyDissatisfaction]("survey.dissatisfied")
)

// Repair is the payload of the repair order events (topic "outlet:<id>").
// Money is in fen.
type Repair struct {
	ID          uint64  `json:"id"`
	Number      string  `json:"number"`
	OutletID    uint64  `json:"outlet_id"`
	UnitID      uint64  `json:"unit_id"`
	Serial      string  `json:"serial"`
	WorkOrderID *uint64 `json:"work_order_id"`
	TicketID    *uint64 `json:"ticket_id"`
	CustomerID  *uint64 `json:"customer_id"`
	Status      string  `json:"status"`
	Result      string  `json:"result"`
	InWarranty  bool    `json:"in_warranty"`
	QuoteFen    int64   `json:"quote_fen"`
	ChargeFen   int64   `json:"charge_fen"`
	ClaimFen    int64   `json:"claim_fen"`
}

// Repair events (repair.replacement_entitled is untyped still).
var (
	RepairCreated       = Define[Repair]("repair.created")
	RepairDiagnosed     = Define[Repair]("repair.diagnosed")
	RepairQuoted        = Define[Repair]("repair.quoted")
	RepairQuoteApproved = Define[Repair]("repair.quote_approved")
	RepairQuoteDeclined = Define[Repair]("repair.quote_declined")
	RepairStarted       = Define[Repair]("repair.started")
	RepairCompleted     = Define[Repair]("repair.completed")
	RepairCancelled     = Define[Repair]("repair.cancelled")
	RepairPartRemoved   = Define[Repair]("repair.part_removed")
)

// ReturnRequest is a return or exchange request (topic "hotline"); outlet
// users' live channel shows only their outlet's.
type ReturnRequest struct {
	ID                  uint64  `json:"id"`
	Number              string  `json:"number"`
	Kind                string  `json:"kind"`
	OutletID            *uint64 `json:"outlet_id"`
	UnitID              uint64  `json:"unit_id"`
	Serial              string  `json:"serial"`
	Status              string  `json:"status"`
	Decision            string  `json:"decision"`
	Eligible            bool    `json:"eligible"`
	OutsideLegalWindow  bool    `json:"outside_legal_window"`
	RefusedWithinWindow bool    `json:"refused_within_window"`
	RefundFen           int64   `json:"refund_fen"`
}

// Return request events.
var (
	ReturnRequested = Define[ReturnRequest]("return.requested")
	ReturnDecided   = Define[ReturnRequest]("return.decided")
	ReturnCompleted = Define[ReturnRequest]("return.completed")
	ReturnCancelled = Define[ReturnRequest]("return.cancelled")
)

// RecallCampaign is a recall campaign's state change (topic of package
// recall).
type RecallCampaign struct {
	CampaignID uint64 `json:"campaign_id"`
	Number     string `json:"number"`
	Status     string `json:"status"`
}

// RecallUnitBooking is an affected unit booked for its remedy.
type RecallUnitBooking struct {
	CampaignID    uint64     `json:"campaign_id"`
	RecallUnitID  uint64     `json:"recall_unit_id"`
	UnitID        uint64     `json:"unit_id"`
	Serial        string     `json:"serial"`
	OutletID      uint64     `json:"outlet_id"`
	AppointmentAt *time.Time `json:"appointment_at"`
	WorkOrderID   *uint64    `json:"work_order_id"`
}

// RecallUnitRemedy is an affected unit remedied: at the counter (with the
// campaign's Remedied and Affected totals after it, both at least 1) or by
// a recall_remedy work order (with WorkOrderID).
type RecallUnitRemedy struct {
	CampaignID   uint64  `json:"campaign_id"`
	RecallUnitID uint64  `json:"recall_unit_id"`
	UnitID       uint64  `json:"unit_id"`
	Serial       string  `json:"serial"`
	OutletID     *uint64 `json:"outlet_id"`
	Remedied     int64   `json:"remedied,omitempty"`
	Affected     int64   `json:"affected,omitempty"`
	WorkOrderID  *uint64 `json:"work_order_id,omitempty"`
}

// RecallOwnerNotice is one attempt to notify an owner. An "sms" attempt
// with outcome "queued" asks for the recall SMS (a message to the
// customer); Number, Title and Remedy describe the campaign for it.
type RecallOwnerNotice struct {
	CampaignID          uint64 `json:"campaign_id"`
	CustomerID          uint64 `json:"customer_id"`
	Channel             string `json:"channel"`
	Outcome             string `json:"outcome"`
	UnitsMarkedNotified int64  `json:"units_marked_notified"`
	NotificationID      uint64 `json:"notification_id,omitempty"`
	Number              string `json:"number,omitempty"`
	Title               string `json:"title,omitempty"`
	Remedy              string `json:"remedy,omitempty"`
}

// RecallSelection is a selector added to a campaign: units matched and
// newly added.
type RecallSelection struct {
	CampaignID uint64 `json:"campaign_id"`
	SelectorID uint64 `json:"selector_id"`
	Matched    int64  `json:"matched"`
	Added      int64  `json:"added"`
}

// Recall events.
var (
	RecallCreated       = Define[RecallCampaign]("recall.created")
	RecallActivated     = Define[RecallCampaign]("recall.activated")
	RecallClosed        = Define[RecallCampaign]("recall.closed")
	RecallUnitBooked    = Define[RecallUnitBooking]("recall.unit_booked")
	RecallUnitRemedied  = Define[RecallUnitRemedy]("recall.unit_remedied")
	RecallOwnerNotified = Define[RecallOwnerNotice]("recall.owner_notified")
	RecallUnitsResolved = Define[RecallSelection]("recall.units_resolved")
)

// Evidence is an evidence document uploaded, approved or updated (topic
// "readiness"). Revision is set on upload, Title on upload and approval.
type Evidence struct {
	ID       uint64 `json:"id"`
	DocType  string `json:"doc_type"`
	Title    string `json:"title,omitempty"`
	Revision int    `json:"revision,omitempty"`
}

// Evidence events.
var (
	EvidenceUploaded = Define[Evidence]("evidence.uploaded")
	EvidenceApproved = Define[Evidence]("evidence.approved")
	EvidenceUpdated  = Define[Evidence]("evidence.updated")
)

// CertificationCycle is a certification cycle created or moved (topic
// "readiness").
type CertificationCycle struct {
	ID     uint64 `json:"id"`
	Status string `json:"status"`
}

// CertificationAudit is an auditor's result recorded beside our projection.
type CertificationAudit struct {
	ID             uint64   `json:"id"`
	CycleID        uint64   `json:"cycle_id"`
	Kind           string   `json:"kind"`
	Score          float64  `json:"score"`
	Band           string   `json:"band"`
	ProjectedScore *float64 `json:"projected_score"`
	ProjectedBand  string   `json:"projected_band"`
}

// CertificationPack is an audit pack whose ZIP is ready.
type CertificationPack struct {
	ID     uint64 `json:"id"`
	Status string `json:"status"`
}

// Certification events (certification.reminder is above).
var (
	CertificationCycleChanged  = Define[CertificationCycle]("certification.cycle_changed")
	CertificationAuditRecorded = Define[CertificationAudit]("certification.audit_recorded")
	CertificationPackReady     = Define[CertificationPack]("certification.audit_pack_ready")
)

// UserChange is an admin's change to a user account (topic "admin"):
// Action is permission_change, disable or enable.
type UserChange struct {
	ID     uint64 `json:"id"`
	Action string `json:"action"`
}

// SessionsRevocation is one session ended (Session, the SHA-256 of its
// token), or every session of UserID except Keep (topic "sessions",
// internal: no client may subscribe to it).
type SessionsRevocation struct {
	UserID  uint64 `json:"user_id"`
	Session string `json:"session"`
	Keep    string `json:"keep"`
}

// Account events.
var (
	AuthUserChanged     = Define[UserChange]("auth.user_changed")
	AuthSessionsRevoked = Define[SessionsRevocation]("auth.sessions_revoked")
)
