// Package messaging is the outbox of messages to customers (SMS, and the
// enterprise's own gateway through a signed webhook). It is distinct from
// package notification (the staff's in-app inboxes) and package outbox (the
// domain-event relay that triggers it): business events become messages
// rendered from editable zh-CN templates, the customer's consent is
// respected, quiet hours defer non-urgent SMS to the morning, a per-phone
// rate limit holds floods back, and delivery workers on any number of
// instances claim each message by a row lease, so none is sent twice.
package messaging

import "time"

// Triggers: the business moments that send a customer a message.
const (
	TriggerAppointmentConfirmed  = "appointment_confirmed"
	TriggerTechnicianOnTheWay    = "technician_on_the_way"
	TriggerQuoteWaiting          = "quote_waiting"
	TriggerRepairCompleted       = "repair_completed"
	TriggerSurveyLink            = "survey_link"
	TriggerRecallNotice          = "recall_notice"
	TriggerComplaintAcknowledged = "complaint_acknowledged"
)

// Triggers lists every trigger in display order.
func Triggers() []string {
	return []string{TriggerAppointmentConfirmed, TriggerTechnicianOnTheWay, TriggerQuoteWaiting, TriggerRepairCompleted,
		TriggerSurveyLink, TriggerRecallNotice, TriggerComplaintAcknowledged}
}

// Message statuses.
const (
	// StatusQueued: waiting for a worker (not before NotBefore).
	StatusQueued = "queued"
	// StatusDeferred: held back by quiet hours or the per-phone rate limit
	// until NotBefore; never dropped.
	StatusDeferred = "deferred"
	// StatusSent: the provider accepted it.
	StatusSent = "sent"
	// StatusDelivered: the provider reported it reached the phone.
	StatusDelivered = "delivered"
	// StatusFailed: the provider refused it, or every attempt failed.
	StatusFailed = "failed"
	// StatusLogOnly: no SMS credentials are configured; the text was
	// written to the server log instead.
	StatusLogOnly = "log_only"
	// StatusSuppressed: not sent because the customer did not consent or
	// has no mobile number (kept so staff see why nothing went out).
	StatusSuppressed = "suppressed"
)

// Statuses lists every message status.
func Statuses() []string {
	return []string{StatusQueued, StatusDeferred, StatusSent, StatusDelivered, StatusFailed, StatusLogOnly, StatusSuppressed}
}

// ChannelSMS is the only customer channel today (the webhook is a copy of
// every message for the enterprise's own gateway, see Delivery).
const ChannelSMS = "sms"

// Message is one message to a customer.
type Message struct {
	ID uint64 `gorm:"primaryKey"`
	// DedupeKey makes a trigger idempotent ("<trigger>:<source>"); nil for
	// resends.
	DedupeKey  *string
	Trigger    string `gorm:"column:trigger_code"`
	CustomerID uint64
	// Phone is the mobile number it goes to (canonical form); the API masks it.
	Phone   string
	Channel string
	Body    string
	// Params is the JSON object of the template variables (the provider's
	// template is filled from it).
	Params      string
	Urgent      bool
	Status      string
	NotBefore   time.Time
	Attempts    int
	ClaimToken  string
	ClaimUntil  *time.Time
	Provider    string
	ProviderRef string
	Error       string
	// RefType and RefID name the record the message is about (work_order,
	// repair, survey_invitation, recall_campaign, complaint).
	RefType     string
	RefID       uint64
	ResendOf    *uint64
	SentAt      *time.Time
	DeliveredAt *time.Time
	Version     int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TableName pins the table of migration 0085.
func (Message) TableName() string { return "customer_messages" }

// Template is the text of one trigger's message.
type Template struct {
	ID      uint64 `gorm:"primaryKey"`
	Trigger string `gorm:"column:trigger_code"`
	Name    string
	// Body is zh-CN text with {{variable}} placeholders (see Variables).
	Body string
	// ProviderTemplateID is the SMS provider's approved template id (Tencent
	// Cloud SMS requires one); Params lists, comma-separated, the variables
	// that fill its {1}, {2}, … in order.
	ProviderTemplateID string
	Params             string
	Enabled            bool
	Version            int64
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// TableName pins the table of migration 0085.
func (Template) TableName() string { return "message_templates" }

// Webhook delivery statuses.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	// DeliveryDead: every attempt failed (dead letter); re-drivable.
	DeliveryDead = "dead"
)

// Delivery is one message posted to the enterprise's webhook.
type Delivery struct {
	ID            uint64 `gorm:"primaryKey"`
	MessageID     uint64
	URL           string
	Status        string
	NextAttemptAt time.Time
	Attempts      int
	ClaimToken    string
	ClaimUntil    *time.Time
	LastStatus    int
	LastError     string
	DeliveredAt   *time.Time
	DeadAt        *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// TableName pins the table of migration 0085.
func (Delivery) TableName() string { return "message_webhook_deliveries" }
