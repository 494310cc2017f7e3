// Package certification keeps what a certification audit looks at besides
// operational data: the evidence library (documents with effective dates,
// expiries, approvals and content hashes, new versions keeping the old), the
// certification cycles (application → contract → stage 1 → stage 2 →
// committee → certificate → surveillance audits → re-certification) with
// their dates, responsible people, reminders and the auditor's results, and
// the audit pack: one ZIP for an observation window.
//
// The readiness engine reads the evidence through Service.DocumentsForScoring
// and the next audit date through Service.NextAuditDate (consumer-side
// interfaces declared in readiness). The audit pack reads outlets, staff and
// sampled records read-only, as reporting does (documented exception to
// "never another domain's tables").
//
// Calendar dates (effective dates, expiries, audit dates, certificate dates)
// are stored as time.Time at 00:00 UTC representing the local date in the
// enterprise time zone.
package certification

import (
	"time"
)

// Document is one version of an evidence document. Versions of one document
// share ChainID (the first version's id); a new version names the one it
// supersedes and keeps it. Freshness (in force, expiring, expired) is derived
// from the dates when read, never stored.
type Document struct {
	ID           uint64 `gorm:"primaryKey"`
	ChainID      uint64
	Revision     int // 1, 2, … within the chain
	SupersedesID *uint64
	DocType      string
	Title        string
	Description  string
	EffectiveAt  time.Time  // calendar date the thing took effect
	ExpiresAt    *time.Time // calendar date it stops counting; nil: open-ended
	Approver     string     // who signed the document (as written on it)
	ApprovedAt   *time.Time // when it was approved in the system
	ApprovedBy   string
	SHA256       string `gorm:"column:sha256"`
	Size         int64
	ContentType  string
	FileName     string
	StorageKey   string // path of the stored file relative to storage.dir
	UploadedByID uint64
	UploadedBy   string
	Version      int64 // optimistic concurrency
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// TableName pins the table of migration 0007.
func (Document) TableName() string { return "evidence_documents" }

// Snapshot is the audit image of a document.
func (d Document) Snapshot() map[string]any {
	return map[string]any{"id": d.ID, "chain_id": d.ChainID, "revision": d.Revision, "supersedes_id": d.SupersedesID,
		"doc_type": d.DocType, "title": d.Title, "effective_at": dateString(&d.EffectiveAt), "expires_at": dateString(d.ExpiresAt),
		"approver": d.Approver, "approved_at": d.ApprovedAt, "approved_by": d.ApprovedBy, "sha256": d.SHA256, "size": d.Size,
		"content_type": d.ContentType, "file_name": d.FileName, "version": d.Version}
}

// Cycle statuses in order. A cycle moves forward one step at a time; it may
// be withdrawn before the certificate, and a certified cycle ends as expired
// (or replaced by a re-certification cycle).
const (
	StatusApplication = "application"
	StatusContract    = "contract"
	StatusStage1      = "stage1"
	StatusStage2      = "stage2"
	StatusCommittee   = "committee"
	StatusCertified   = "certified"
	StatusExpired     = "expired"
	StatusWithdrawn   = "withdrawn"
)

// Cycle kinds.
const (
	CycleInitial         = "initial"
	CycleRecertification = "recertification"
)

// Cycle is one certification cycle with a certification body.
type Cycle struct {
	ID                uint64 `gorm:"primaryKey"`
	Kind              string
	PreviousCycleID   *uint64
	Body              string // certification body, e.g. 中国质量认证中心
	StandardCode      string
	Status            string
	Responsible       string // who runs the cycle on our side
	ResponsibleUserID *uint64
	AppliedOn         *time.Time
	ContractOn        *time.Time
	Stage1On          *time.Time `gorm:"column:stage1_on"`
	Stage2On          *time.Time `gorm:"column:stage2_on"`
	CommitteeOn       *time.Time
	CertificateNo     string
	IssuedOn          *time.Time
	ExpiresOn         *time.Time // IssuedOn + validity (3 years)
	Notes             string
	Version           int64
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// TableName pins the table of migration 0007.
func (Cycle) TableName() string { return "certification_cycles" }

// Audit kinds.
const (
	AuditStage1          = "stage1"
	AuditStage2          = "stage2"
	AuditSurveillance    = "surveillance"
	AuditRecertification = "recertification"
)

// Audit statuses.
const (
	AuditPlanned   = "planned"
	AuditDone      = "done"
	AuditCancelled = "cancelled"
)

// Audit is one audit of a cycle: planned with a due date and window, then
// held with the auditor's score and band, kept beside our projection for
// that date so the projection's accuracy can be seen.
type Audit struct {
	ID          uint64 `gorm:"primaryKey"`
	CycleID     uint64
	Kind        string
	Seq         int        // 1, 2 for surveillance audits
	DueOn       time.Time  // calendar date the audit is due
	WindowFrom  *time.Time // the certification body's window around DueOn
	WindowTo    *time.Time
	ScheduledOn *time.Time // the agreed date, when known
	HeldOn      *time.Time
	Status      string
	LeadAuditor string
	Responsible string
	// Score and Band are the auditor's result.
	Score    *float64
	Band     string
	Findings string
	// Projected* is our projection for HeldOn, recorded with the result.
	ProjectedScore *float64
	ProjectedLow   *float64
	ProjectedHigh  *float64
	ProjectedBand  string
	Version        int64
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// TableName pins the table of migration 0007.
func (Audit) TableName() string { return "certification_audits" }

// AuditPoint is an auditor's points for one indicator at a held audit, kept
// to calibrate the readiness projection against real audits.
type AuditPoint struct {
	ID      uint64 `gorm:"primaryKey"`
	AuditID uint64
	Clause  string
	Points  float64
	Max     float64
	Note    string
}

// TableName pins the table of migration 0010.
func (AuditPoint) TableName() string { return "certification_audit_points" }

// Reminder records that the reminder for one subject and lead time was
// published, so each is sent once (unique key), whichever instance runs the
// job.
type Reminder struct {
	ID         uint64 `gorm:"primaryKey"`
	Subject    string // audit or certificate
	SubjectID  uint64
	DueOn      time.Time
	DaysBefore int
	SentAt     time.Time
}

// TableName pins the table of migration 0007.
func (Reminder) TableName() string { return "certification_reminders" }

// Audit pack statuses.
const (
	PackQueued  = "queued"
	PackRunning = "running"
	PackDone    = "done"
	PackFailed  = "failed"
)

// AuditPack is an asynchronous export of one observation window. Its
// progress is stored so any instance can report it.
type AuditPack struct {
	ID            uint64 `gorm:"primaryKey"`
	FromDate      time.Time
	ToDate        time.Time
	Status        string
	Progress      int // 0–100
	Step          string
	Error         string
	StorageKey    string
	Size          int64
	SHA256        string `gorm:"column:sha256"`
	Holder        string // instance building it
	RequestedByID uint64
	RequestedBy   string
	// Lang is the language the pack is written in (an i18n tag; empty for
	// packs from before migration 0145: zh-CN).
	Lang       string
	StartedAt  *time.Time
	FinishedAt *time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// TableName pins the table of migration 0007.
func (AuditPack) TableName() string { return "certification_audit_packs" }

func dateString(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}
