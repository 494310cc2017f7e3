package sla

import "time"

// CalendarRow is a stored business calendar. Weekly, Holidays and
// MakeupWorkdays are JSON so that a calendar is one row, read and cached as
// a whole; Code is what policies refer to (Policy.CalendarID).
type CalendarRow struct {
	ID         uint64 `gorm:"primaryKey"`
	Code       string
	Name       string
	Timezone   string
	AlwaysOpen bool
	// Weekly is {"monday": ["08:30-12:00", "13:30-18:00"], …}.
	Weekly string
	// Holidays and MakeupWorkdays are ["2026-01-01", …].
	Holidays       string
	MakeupWorkdays string
	// MakeupAs is the weekday (0 = Sunday … 6) whose hours a make-up
	// workday follows; 0 means Monday (see Calendar.MakeupAs).
	MakeupAs int
	// Note says where the data comes from, e.g. that holidays are inferred.
	Note      string
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TableName pins the table of migration 0004.
func (CalendarRow) TableName() string { return "sla_calendars" }

// PolicyRow is a stored SLA policy together with the rule that selects it
// (ticket type, priority, region; empty matches any). Targets and
// ArrivalByBand are JSON maps of minutes.
type PolicyRow struct {
	ID            uint64 `gorm:"primaryKey"`
	Code          string
	Name          string
	TicketType    string
	Priority      string
	Region        string
	Targets       string // {"first_response": 60, …} minutes
	ArrivalByBand string // {"city": 480, …} minutes
	PauseStatuses string // ["waiting_customer", "waiting_parts"]
	WarnAt        float64
	CalendarCode  string
	Active        bool
	Version       int64
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// TableName pins the table of migration 0004.
func (PolicyRow) TableName() string { return "sla_policies" }

// EventRow is one stored entry of a ticket's SLA log (Event).
type EventRow struct {
	ID          uint64 `gorm:"primaryKey"`
	TicketID    uint64
	At          time.Time
	Kind        string
	Target      string
	Reason      string
	Actor       string
	PolicyID    string
	DurationSec int64
	WarnAt      float64
	Band        string
}

// TableName pins the table of migration 0004.
func (EventRow) TableName() string { return "sla_events" }

// ResultRow is a ticket's SLA outcome frozen at close (FinalResult as
// JSON). A reopen and a second close replace it with a result that keeps
// the segments settled at the first close.
type ResultRow struct {
	TicketID  uint64 `gorm:"primaryKey;autoIncrement:false"`
	ClosedAt  time.Time
	Result    string
	UpdatedAt time.Time
}

// TableName pins the table of migration 0004.
func (ResultRow) TableName() string { return "sla_results" }

// Alert is a warning or breach raised once for one clock segment. The
// unique key (ticket_id, target, segment, kind) is what keeps two servers
// from raising the same alert twice.
type Alert struct {
	ID       uint64 `gorm:"primaryKey" json:"id"`
	TicketID uint64 `json:"ticket_id"`
	Target   string `json:"target"`
	Segment  int    `json:"segment"`
	// Kind is "warning" or "breach".
	Kind     string     `json:"kind"`
	DueAt    *time.Time `json:"due_at"`
	OutletID *uint64    `json:"outlet_id"`
	RaisedAt time.Time  `json:"raised_at"`
}

// TableName pins the table of migration 0004.
func (Alert) TableName() string { return "sla_alerts" }
