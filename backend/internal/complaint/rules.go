package complaint

import (
	"fmt"
	"time"
)

// Limits are the acknowledgement and resolution time limits of one severity.
type Limits struct {
	AckWithin     time.Duration
	ResolveWithin time.Duration
}

// Deadlines holds the limits per severity (config complaint.*_within).
type Deadlines map[string]Limits

// DefaultDeadlines are the built-in limits: 2 h / 24 h for a normal complaint
// (the commitment certified enterprises publish), tighter acknowledgement
// for major and crisis complaints.
func DefaultDeadlines() Deadlines {
	return Deadlines{
		SeverityNormal: {AckWithin: 2 * time.Hour, ResolveWithin: 24 * time.Hour},
		SeverityMajor:  {AckWithin: time.Hour, ResolveWithin: 24 * time.Hour},
		SeverityCrisis: {AckWithin: 30 * time.Minute, ResolveWithin: 24 * time.Hour},
	}
}

// Due returns the acknowledgement and resolution deadlines of a complaint of
// severity received at receivedAt. The clock is the wall clock (24/7), as
// published complaint commitments are; an unknown severity falls back to
// normal.
func (d Deadlines) Due(severity string, receivedAt time.Time) (ackDue, resolveDue time.Time) {
	l, ok := d[severity]
	if !ok {
		l = d[SeverityNormal]
	}
	return receivedAt.Add(l.AckWithin), receivedAt.Add(l.ResolveWithin)
}

// transitions is the status machine: from → allowed next statuses.
// resolved → investigating is the customer rejecting the resolution;
// resolved → closed needs a reason for closing without confirmation.
var transitions = map[string][]string{
	StatusReceived:      {StatusAcknowledged},
	StatusAcknowledged:  {StatusInvestigating},
	StatusInvestigating: {StatusResolved},
	StatusResolved:      {StatusConfirmed, StatusInvestigating, StatusClosed},
	StatusConfirmed:     {StatusClosed},
	StatusClosed:        {},
}

// Allowed returns the statuses reachable from status.
func Allowed(status string) []string {
	out := append([]string{}, transitions[status]...)
	return out
}

// CanMove reports whether from → to is a legal transition.
func CanMove(from, to string) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Open reports whether a complaint in status still runs its resolution clock.
func Open(status string) bool {
	return status == StatusReceived || status == StatusAcknowledged || status == StatusInvestigating
}

// Chain is the escalation chain: level n (1-based) notifies Chain[n-1], a
// role name (config complaint.escalation_chain).
type Chain []string

// RoleAt returns the role notified at level (1-based); the last role for
// levels beyond the chain.
func (c Chain) RoleAt(level int) string {
	if len(c) == 0 || level < 1 {
		return ""
	}
	if level > len(c) {
		level = len(c)
	}
	return c[level-1]
}

// Next returns the level after current, capped at the chain's length, and
// whether it is higher than current.
func (c Chain) Next(current int) (int, bool) {
	if current >= len(c) {
		return current, false
	}
	return current + 1, true
}

// Number formats a complaint number from its local receipt date and id:
// TS20260115-000123 (投诉). Ids make it unique without a counter table.
func Number(receivedLocal time.Time, id uint64) string {
	return fmt.Sprintf("TS%s-%06d", receivedLocal.Format("20060102"), id)
}

// Rate returns part ÷ whole, or nil when whole is zero (no data is not 0 %).
func Rate(part, whole int64) *float64 {
	if whole <= 0 {
		return nil
	}
	v := float64(part) / float64(whole)
	return &v
}

// Survey rating targets as the survey domain names them (survey.Target*).
const (
	RatingAgent      = "agent"
	RatingTechnician = "technician"
	RatingProduct    = "product"
)

// CategoryForRating is the category of a complaint raised from a survey
// answer, from what its deciding rating was about: the hotline agent →
// service attitude, the technician → repair quality, the product → product
// quality; an overall rating alone says nothing more specific → other.
func CategoryForRating(target string) string {
	switch target {
	case RatingAgent:
		return "service_attitude"
	case RatingTechnician:
		return "repair_quality"
	case RatingProduct:
		return "product_quality"
	}
	return "other"
}
