// Package capa owns corrective and preventive actions (纠正/预防措施):
// one model for actions raised from complaints, survey answers, internal
// supervision and audits, because GB/T 27922 scores 5.1.5 (supervision) and
// 5.1.6 (improvement) on the same evidence: who owns the action, when it is
// due, when it was closed and whether a later check found it effective.
package capa

import (
	"time"
)

// Source kinds an action can come from.
const (
	SourceComplaint   = "complaint"
	SourceSurvey      = "survey"
	SourceSupervision = "supervision"
	SourceAudit       = "audit"
	SourceOther       = "other"
)

// SourceKinds lists the accepted source kinds.
var SourceKinds = []string{SourceComplaint, SourceSurvey, SourceSupervision, SourceAudit, SourceOther}

// Kinds of action: correcting a found problem, or preventing a potential one.
const (
	KindCorrective = "corrective"
	KindPreventive = "preventive"
)

// Statuses of an action. Overdue is not a status: it is derived at read time
// from the due date, so nothing has to flip a flag at midnight.
const (
	StatusOpen        = "open"        // being worked on
	StatusClosed      = "closed"      // done, effectiveness not yet checked
	StatusVerified    = "verified"    // checked and found effective
	StatusIneffective = "ineffective" // checked and found not effective; raise a new action
)

// Action is one corrective or preventive action.
type Action struct {
	ID          uint64 `gorm:"primaryKey"`
	SourceKind  string
	SourceID    *uint64
	Kind        string
	Title       string
	Description string
	OwnerID     *uint64
	OwnerName   string
	// DueDate is a calendar date stored as 00:00 UTC of the local (enterprise
	// time zone) date; the action is overdue from the next local day.
	DueDate     time.Time
	Status      string
	ClosedAt    *time.Time
	ClosingNote string
	// ClosedOnTime is frozen at close: closed on or before the due date.
	ClosedOnTime      *bool
	CheckedAt         *time.Time
	Effective         *bool
	EffectivenessNote string
	CheckedBy         string
	CreatedBy         string
	Version           int64
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// TableName pins the table of migration 0005.
func (Action) TableName() string { return "corrective_actions" }

// Overdue reports whether the action is still open after its due date;
// today is the local calendar date at 00:00 UTC.
func (a Action) Overdue(today time.Time) bool {
	return a.Status == StatusOpen && a.DueDate.Before(today)
}
