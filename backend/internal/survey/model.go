// Package survey owns customer satisfaction: survey templates, invitations
// sent after a ticket closes (a public tokenised link, or a phone follow-up
// 回访 worked from an agent queue), periodic relationship surveys, the
// responses, and what a dissatisfied answer sets off (a complaint or a
// reopened ticket, and a supervisor call-back). Lessons from peers are built
// in: a link never records on GET, tokens are stored only as their SHA-256
// and expire, there is no default rating, one response per respondent per
// ticket, and the ticket's own agent never rates it (GB/T 27922 5.3.1).
package survey

import (
	"time"
)

// Template kinds: transactional (after a ticket or work order) and
// relationship (periodic, e.g. annual, about the brand's service overall).
const (
	KindTransactional = "transactional"
	KindRelationship  = "relationship"
)

// Question types.
const (
	TypeCSAT  = "csat"   // 1–5
	TypeNPS   = "nps"    // 0–10
	TypeYesNo = "yes_no" // true/false
	TypeText  = "text"   // free text
)

// QuestionTypes lists the accepted types.
var QuestionTypes = []string{TypeCSAT, TypeNPS, TypeYesNo, TypeText}

// Question targets: what a rating is about. Agent and technician ratings are
// kept apart from the overall score so the hotline and the outlet are judged
// separately.
const (
	TargetOverall    = "overall"
	TargetAgent      = "agent"
	TargetTechnician = "technician"
	TargetProduct    = "product"
	TargetOther      = "other"
)

// Targets lists the accepted targets.
var Targets = []string{TargetOverall, TargetAgent, TargetTechnician, TargetProduct, TargetOther}

// Channels of an invitation.
const (
	ChannelLink  = "link"  // public tokenised link (SMS, WeChat, e-mail)
	ChannelPhone = "phone" // follow-up call (回访) by an agent
)

// Invitation statuses. A link past its expiry stays "sent" in the table and
// is reported as expired: expiry is derived at read time from expires_at.
const (
	InvScheduled   = "scheduled"   // link waiting for its send time (delay after close)
	InvSent        = "sent"        // link sent, or phone follow-up queued
	InvAnswered    = "answered"    // a response was recorded through this invitation
	InvCancelled   = "cancelled"   // the respondent answered through another channel
	InvUnreachable = "unreachable" // phone: not reached after the allowed attempts
	InvRefused     = "refused"     // phone: the customer declined the survey
	InvExpired     = "expired"     // reported only (derived), never stored
)

// Template is a survey form.
type Template struct {
	ID        uint64 `gorm:"primaryKey"`
	Name      string
	Kind      string
	Active    bool
	Intro     string
	Version   int64
	CreatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
	// Questions are loaded and saved by the service (table survey_questions).
	Questions []Question `gorm:"-"`
}

// TableName pins the table of migration 0005.
func (Template) TableName() string { return "survey_templates" }

// Question is one question of a template, in Position order.
type Question struct {
	ID         uint64 `gorm:"primaryKey" json:"-"`
	TemplateID uint64 `json:"-"`
	Position   int    `json:"position"`
	Code       string `json:"code"`
	Text       string `json:"text"`
	Type       string `json:"type"`
	Target     string `json:"target"`
	Required   bool   `json:"required"`
}

// TableName pins the table of migration 0005.
func (Question) TableName() string { return "survey_questions" }

// Invitation asks one respondent for one response, through one channel.
type Invitation struct {
	ID uint64 `gorm:"primaryKey"`
	// DedupeKey makes creation idempotent: respondent key + channel.
	DedupeKey string
	// RespondentKey names "this customer about this ticket" (or this year,
	// for relationship surveys): at most one response per key.
	RespondentKey string
	TemplateID    uint64
	Kind          string
	Channel       string
	Status        string
	TicketID      *uint64
	TicketNumber  string
	WorkOrderID   *uint64
	CustomerID    uint64
	UnitID        *uint64
	OutletID      *uint64
	AgentID       *uint64 // the ticket's own agent (assignee): never rates it
	TechnicianID  *uint64
	ClosedAt      *time.Time // when the ticket closed (or the work order completed)
	SendAt        time.Time
	SentAt        *time.Time
	ExpiresAt     *time.Time
	TokenHash     *string // SHA-256 (hex) of the link token; the token itself is never stored
	AnsweredAt    *time.Time
	ResponseID    *uint64
	Version       int64
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// TableName pins the table of migration 0005.
func (Invitation) TableName() string { return "survey_invitations" }

// EffectiveStatus is the status as reported: a sent link past its expiry
// is expired.
func (i Invitation) EffectiveStatus(now time.Time) string {
	if i.Status == InvSent && i.Channel == ChannelLink && i.ExpiresAt != nil && !now.Before(*i.ExpiresAt) {
		return InvExpired
	}
	return i.Status
}

// Response is one recorded answer set. The scores used by the KPIs are
// copied into columns (csat, nps, agent, technician) so period aggregates
// read one covering index; the full answers are kept as JSON with the
// question text as it was asked.
type Response struct {
	ID              uint64 `gorm:"primaryKey"`
	RespondentKey   string
	InvitationID    uint64
	FollowupID      *uint64
	TemplateID      uint64
	Kind            string
	Channel         string
	TicketID        *uint64
	CustomerID      uint64
	UnitID          *uint64
	OutletID        *uint64
	AgentID         *uint64
	TechnicianID    *uint64
	AnsweredAt      time.Time
	Csat            *int
	Nps             *int
	AgentScore      *int
	TechnicianScore *int
	MinScore        *int // lowest 1–5 rating given; decides dissatisfaction
	Dissatisfied    bool
	// Action is what the dissatisfaction set off: complaint or reopen_ticket;
	// ActionStatus is pending until it was done (a job retries pending ones).
	Action       string
	ActionStatus string
	ComplaintID  *uint64
	Answers      string // JSON []Answer
	Comment      string
	RecordedBy   string
	CreatedAt    time.Time
}

// TableName pins the table of migration 0005.
func (Response) TableName() string { return "survey_responses" }

// Follow-up kinds.
const (
	FollowupAfterClose         = "after_close"         // 回访 after a ticket closed, within 3 days
	FollowupSupervisorCallback = "supervisor_callback" // call-back after a dissatisfied answer
)

// Follow-up statuses.
const (
	FUDue         = "due"         // waiting for calls
	FUAnswered    = "answered"    // reached and the survey answered
	FUDone        = "done"        // supervisor call-back made
	FUUnreachable = "unreachable" // not reached after the allowed attempts, or wrong number
	FURefused     = "refused"     // the customer declined
	FUCancelled   = "cancelled"   // answered through the link meanwhile
)

// Call outcomes of a follow-up attempt.
const (
	OutcomeReached     = "reached"
	OutcomeNoAnswer    = "no_answer"
	OutcomeBusy        = "busy"
	OutcomeWrongNumber = "wrong_number"
	OutcomeRefused     = "refused"
)

// Outcomes lists the accepted call outcomes.
var Outcomes = []string{OutcomeReached, OutcomeNoAnswer, OutcomeBusy, OutcomeWrongNumber, OutcomeRefused}

// Followup is one call to make: a 回访 after close, or a supervisor call-back.
type Followup struct {
	ID               uint64 `gorm:"primaryKey"`
	DedupeKey        string
	Kind             string
	Status           string
	InvitationID     *uint64 // after_close: the phone invitation answered by this call
	ResponseID       *uint64 // after_close: the response recorded by this call
	SourceResponseID *uint64 // supervisor_callback: the dissatisfied response
	TemplateID       uint64
	TicketID         *uint64
	TicketNumber     string
	CustomerID       uint64
	UnitID           *uint64
	OutletID         *uint64
	AgentID          *uint64 // the ticket's own agent, who may not make this call
	ClosedAt         *time.Time
	DueAt            time.Time
	Attempts         int
	LastAttemptAt    *time.Time
	LastOutcome      string
	CompletedAt      *time.Time
	CompletedBy      string
	Note             string
	Version          int64
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// TableName pins the table of migration 0005.
func (Followup) TableName() string { return "survey_followups" }

// Attempt is one call of a follow-up.
type Attempt struct {
	ID         uint64 `gorm:"primaryKey"`
	FollowupID uint64
	At         time.Time
	UserID     *uint64
	ActorName  string
	Outcome    string
	Note       string
}

// TableName pins the table of migration 0005.
func (Attempt) TableName() string { return "survey_followup_attempts" }
