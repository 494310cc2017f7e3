// Package recall owns recall campaigns: reason, hazard level, remedy, start
// date and status; the affected set, defined by selectors (a model, a
// production lot, a serial range — lexicographic over same-length serials
// sharing a prefix — or an imported list of serials); the affected units
// and their owners, resolved in SQL with one INSERT … SELECT per selector;
// notification attempts per owner (phone, SMS, letter) with outcomes;
// appointments at an outlet and the remedy done per unit; completion over
// time; and an Excel report per campaign for the regulator.
//
// Resolution reads the product domain's units table directly (serial,
// model_id, customer_id, production_lot). This is the documented exception
// to "domains talk through services": resolving 100,000 units through a
// service call per unit could not meet the ≤ 10 s target, and the read is
// a pure, read-only projection.
package recall

import (
	"strconv"
	"time"
)

// Campaign statuses.
const (
	StatusDraft  = "draft"
	StatusActive = "active"
	StatusClosed = "closed"
)

var transitions = map[string][]string{
	StatusDraft:  {StatusActive},
	StatusActive: {StatusClosed},
	StatusClosed: {},
}

// Allowed returns the statuses a campaign in status from may move to.
func Allowed(from string) []string { return append([]string{}, transitions[from]...) }

// Hazard levels, from the most to the least severe.
var HazardLevels = []string{"high", "medium", "low"}

// Remedies a campaign may offer.
var Remedies = []string{"repair", "replace", "refund", "inspect"}

// Affected-unit statuses.
const (
	UnitPending   = "pending"   // owner not yet reached
	UnitNotified  = "notified"  // owner reached (phone), SMS delivered or letter sent
	UnitScheduled = "scheduled" // appointment made at an outlet
	UnitRemedied  = "remedied"  // remedy done
)

// Notification channels and their outcomes; Successful outcomes count as
// the owner being notified. An "sms" attempt with outcome "queued" sends
// the recall SMS through the customer-message outbox (package messaging,
// an urgent safety notice); its delivery is recorded as a later attempt.
var (
	ChannelOutcomes = map[string][]string{
		"phone":  {"reached", "no_answer", "busy", "wrong_number", "refused"},
		"sms":    {"queued", "delivered", "failed"},
		"letter": {"sent", "returned"},
	}
	Successful = map[string]bool{"reached": true, "refused": true, "delivered": true, "sent": true}
)

// Selector kinds.
const (
	SelectorFilter = "filter" // model and/or lot and/or serial range
	SelectorList   = "list"   // an imported list of serials
)

// Campaign is a recall campaign. StartDate is a calendar date.
type Campaign struct {
	ID                uint64 `gorm:"primaryKey"`
	Number            string
	Title             string
	Reason            string
	HazardLevel       string
	Remedy            string
	RemedyDescription string
	RegulatorRef      string
	StartDate         time.Time
	Status            string
	ActivatedAt       *time.Time
	ClosedAt          *time.Time
	CloseNote         string
	Version           int64
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// TableName pins the table of migration 0006.
func (Campaign) TableName() string { return "recall_campaigns" }

// Snapshot is the audit image of a campaign.
func (c Campaign) Snapshot() map[string]any {
	return map[string]any{"id": c.ID, "number": c.Number, "title": c.Title, "reason": c.Reason, "hazard_level": c.HazardLevel,
		"remedy": c.Remedy, "remedy_description": c.RemedyDescription, "regulator_ref": c.RegulatorRef, "start_date": c.StartDate,
		"status": c.Status, "activated_at": c.ActivatedAt, "closed_at": c.ClosedAt, "close_note": c.CloseNote, "version": c.Version}
}

// Selector defines part of a campaign's affected set. A filter selector
// ANDs its non-empty fields; a campaign's set is the union of its
// selectors. Matched is how many units it matched, Added how many of those
// were new to the campaign.
type Selector struct {
	ID            uint64 `gorm:"primaryKey"`
	CampaignID    uint64
	Kind          string
	ModelID       *uint64
	ProductionLot string
	SerialFrom    string
	SerialTo      string
	ListSize      int
	Matched       int64
	Added         int64
	Note          string
	CreatedBy     string
	CreatedAt     time.Time
}

// TableName pins the table of migration 0006.
func (Selector) TableName() string { return "recall_selectors" }

// SelectorSerial is one serial of an imported list, kept as the record of
// what was imported.
type SelectorSerial struct {
	SelectorID uint64 `gorm:"primaryKey;autoIncrement:false"`
	Serial     string `gorm:"primaryKey"`
}

// TableName pins the table of migration 0006.
func (SelectorSerial) TableName() string { return "recall_selector_serials" }

// AffectedUnit is a unit in a campaign's affected set, with its owner (as
// resolved) and its progress.
type AffectedUnit struct {
	ID                  uint64 `gorm:"primaryKey"`
	CampaignID          uint64
	UnitID              uint64
	Serial              string
	ModelID             uint64
	CustomerID          *uint64
	SelectorID          uint64
	Status              string
	NotifiedAt          *time.Time
	AppointmentAt       *time.Time
	AppointmentOutletID *uint64
	RemediedAt          *time.Time
	RemediedOutletID    *uint64
	RemediedBy          string
	RemedyNote          string
	// WorkOrderID is the recall_remedy work order booking created at the
	// appointment's outlet (migration 0040); completing it records the
	// remedy here.
	WorkOrderID *uint64
	Version     int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TableName pins the table of migration 0006.
func (AffectedUnit) TableName() string { return "recall_units" }

// Snapshot is the audit image of an affected unit.
func (u AffectedUnit) Snapshot() map[string]any {
	return map[string]any{"id": u.ID, "campaign_id": u.CampaignID, "unit_id": u.UnitID, "serial": u.Serial, "customer_id": u.CustomerID,
		"status": u.Status, "notified_at": u.NotifiedAt, "appointment_at": u.AppointmentAt, "appointment_outlet_id": u.AppointmentOutletID,
		"remedied_at": u.RemediedAt, "remedied_outlet_id": u.RemediedOutletID, "remedied_by": u.RemediedBy, "remedy_note": u.RemedyNote,
		"work_order_id": u.WorkOrderID, "version": u.Version}
}

// Notification is one attempt to tell an owner about a campaign.
type Notification struct {
	ID         uint64 `gorm:"primaryKey"`
	CampaignID uint64
	CustomerID uint64
	Channel    string
	Outcome    string
	Note       string
	ActorName  string
	At         time.Time
}

// TableName pins the table of migration 0006.
func (Notification) TableName() string { return "recall_notifications" }

func idStr(id uint64) string { return strconv.FormatUint(id, 10) }
