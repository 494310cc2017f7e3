package readiness

import "time"

// This file holds the persisted side of the engine: standard versions, score
// runs with their points ledger, and the quality manager's inputs
// (assessments, deletions, special deductions, the bonus claim). Tables are
// created by migration 0007. Times are stored in UTC.

// StandardVersion is one stored version of a standard file. A new version is
// written whenever the canonical content (Standard.Fingerprint) differs from
// the latest version of the same code; versions are never edited, so a run
// that names a version can always be re-read exactly as it was scored.
type StandardVersion struct {
	ID          uint64 `gorm:"primaryKey"`
	Code        string // the standard's id, e.g. gbt27922-2011
	Version     int    // 1, 2, … per code
	Title       string // the standard's code as printed, e.g. GB/T 27922-2011
	Fingerprint string // Standard.Fingerprint of Content
	Content     string // the YAML as loaded
	Source      string // the file it was loaded from, or "api"
	// Justification says why this version changed inferred parameters
	// (required for versions made through the API or a sheet import).
	Justification string
	CreatedBy     string
	CreatedAt     time.Time
}

// TableName pins the table of migration 0007.
func (StandardVersion) TableName() string { return "readiness_standards" }

// Run triggers.
const (
	TriggerSchedule = "schedule" // the cron job
	TriggerManual   = "manual"   // POST /readiness/runs
	TriggerEvent    = "event"    // debounced after a relevant change
	TriggerStartup  = "startup"  // first run of a fresh database
	TriggerSeed     = "seed"     // demo seeding
)

// Run is one immutable score run: the as-of time, the standard version used,
// the data watermark, the totals and band. Its ledger rows live in
// readiness_ledger_rows under LedgerRunID: a run whose ledger is identical to
// the previous run's (same hash) shares that run's rows instead of copying
// them, so a quiet night of five-minute runs costs one row per run.
type Run struct {
	ID                uint64 `gorm:"primaryKey"`
	StandardCode      string
	StandardVersionID uint64
	StandardVersion   int
	AsOf              time.Time
	// AuditSeq is the data watermark: the last audit-trail sequence number
	// committed when the inputs were gathered. Every state change writes an
	// audit record, so two runs with the same AuditSeq saw the same data.
	AuditSeq        uint64
	Trigger         string
	CreatedBy       string
	Total           float64
	Normalised      float64
	Actual          float64
	Applicable      float64
	DeductionPoints float64
	BonusPoints     float64
	Low             float64
	High            float64
	Band            string
	LowBand         string
	HighBand        string
	NextBand        string
	ToNextBand      float64
	AboveBand       float64
	Failed          bool
	Complete        bool
	FailReasons     string // JSON array
	Counts          string // JSON Counts
	Deductions      string // JSON []Deduction (confirmed and suggested)
	Notices         string // JSON []Notice
	// Inputs is the JSON of the Inputs scored, so explanations and what-if
	// simulations start from exactly what the run saw.
	Inputs      string
	LedgerRunID uint64
	LedgerHash  string
	DurationMS  int64 `gorm:"column:duration_ms"`
	CreatedAt   time.Time
	// Status is RunRunning while the run is in progress, then RunDone or
	// RunError (migration 0100). Only done runs have a score and ledger;
	// Failed is about the score (the standard is failed), not the run.
	Status string
	// ActiveKey is the standard code while the run is in progress and nil
	// afterwards; its unique index allows one run in progress per standard
	// across instances.
	ActiveKey *string
	// LeaseOwner is the instance executing the run; LeaseUntil how long its
	// lease holds (renewed while it works). A run in progress whose lease
	// ran out is failed and replaced by the next request.
	LeaseOwner string
	LeaseUntil *time.Time
	// ProgressDone of ProgressTotal indicators are computed; ProgressClause
	// is the clause last worked on.
	ProgressDone   int
	ProgressTotal  int
	ProgressClause string
	// Error says why a run ended in RunError.
	Error string
}

// TableName pins the table of migration 0007.
func (Run) TableName() string { return "readiness_runs" }

// Run statuses.
const (
	RunRunning = "running"
	RunDone    = "done"
	RunError   = "error"
)

// LedgerRow is one line of a run's points ledger (a leaf or a parent).
type LedgerRow struct {
	ID          uint64 `gorm:"primaryKey"`
	RunID       uint64
	Seq         int // position in the ledger (document order)
	Clause      string
	Level       int
	Leaf        bool
	Kind        string
	Measure     string // the measure a metric/sample leaf reads, for trends
	Inferred    bool
	Points      float64
	Max         float64
	Applicable  float64
	Recoverable float64
	State       string
	Value       float64 // Inputs.Value, copied out for trend queries
	Name        string  // JSON Text
	ReasonCodes string  // JSON array
	Inputs      string  // JSON RuleInputs
	RecordIDs   string  // JSON array
	Reason      string  // JSON Text
	Action      string  // JSON Text
	// Justification and Author come from an override, assessment or deletion.
	Justification string
	Author        string
	// Scoring is the leaf's scoring mode; DecidedAt when its override or
	// assessment was made; Evidence the JSON array of an override's evidence.
	Scoring   string
	DecidedAt *time.Time
	Evidence  string
}

// TableName pins the table of migration 0007.
func (LedgerRow) TableName() string { return "readiness_ledger_rows" }

// OverrideRecord replaces the computed points of a leaf with a person's
// judgement: it needs a justification and at least one evidence document,
// counts until it expires or is withdrawn, and is marked on the ledger row
// (who, when, why). The latest active override of a clause counts.
type OverrideRecord struct {
	ID            uint64 `gorm:"primaryKey"`
	StandardCode  string
	Clause        string
	Points        float64
	Justification string
	// Evidence is the JSON array of evidence document ids.
	Evidence       string
	AuthorID       uint64
	Author         string
	CreatedAt      time.Time
	ExpiresAt      *time.Time
	WithdrawnAt    *time.Time
	WithdrawnBy    string
	WithdrawReason string
}

// TableName pins the table of migration 0010.
func (OverrideRecord) TableName() string { return "readiness_overrides" }

// AssessmentRecord is a quality manager's points for a leaf of a standard.
// On a manual leaf it is the assessment the rule reads; on any other leaf it
// overrides the computed points (with the same justification, author and
// expiry). The latest record of a clause that is not withdrawn counts.
type AssessmentRecord struct {
	ID            uint64 `gorm:"primaryKey"`
	StandardCode  string
	Clause        string
	Points        float64
	Justification string
	AuthorID      uint64
	Author        string
	AssessedAt    time.Time
	ExpiresAt     *time.Time
	WithdrawnAt   *time.Time
	WithdrawnBy   string
	CreatedAt     time.Time
}

// TableName pins the table of migration 0007.
func (AssessmentRecord) TableName() string { return "readiness_assessments" }

// Deletion declares a deletable clause not applicable (删减) with a
// justification. The latest active declaration of a clause counts.
type Deletion struct {
	ID            uint64 `gorm:"primaryKey"`
	StandardCode  string
	Clause        string
	Justification string
	AuthorID      uint64
	Author        string
	WithdrawnAt   *time.Time
	WithdrawnBy   string
	CreatedAt     time.Time
}

// TableName pins the table of migration 0007.
func (Deletion) TableName() string { return "readiness_deletions" }

// Deduction statuses. A suggested finding is raised by the engine and is
// shown apart until a quality manager confirms (it then counts) or dismisses
// it. A confirmed finding counts from FoundOn until CorrectedAt.
const (
	DeductionSuggested = "suggested"
	DeductionConfirmed = "confirmed"
	DeductionDismissed = "dismissed"
)

// Deduction sources.
const (
	SourceManual           = "manual"
	SourceReturnRefused    = "return_refused_within_window"
	SourceComplaintOverdue = "complaint_past_legal_limit"
)

// DeductionRecord is a special-deduction finding (特别扣分项): a breach of
// law, of the enterprise's own service rules or of industry requirements.
// Findings concern the enterprise, not one standard; Clause is optional.
type DeductionRecord struct {
	ID      uint64 `gorm:"primaryKey"`
	Clause  string
	Finding string
	Source  string
	// SuggestionKey identifies the record behind an automatic suggestion
	// (e.g. "return:123") so a run never suggests it twice; nil for manual
	// findings.
	SuggestionKey *string
	RecordRef     string
	Status        string
	FoundOn       time.Time // calendar date
	CorrectedAt   *time.Time
	Correction    string
	AuthorID      uint64
	Author        string
	DecidedBy     string
	DecidedAt     *time.Time
	Version       int64
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// TableName pins the table of migration 0007.
func (DeductionRecord) TableName() string { return "readiness_deductions" }

// BonusClaim is one outstanding practice claimed for the special bonus
// (特别加分项). Several may be recorded; they count only when the standard
// enables the bonus, and their total is capped by the standard.
type BonusClaim struct {
	ID             uint64 `gorm:"primaryKey"`
	Reason         string
	AuthorID       uint64
	Author         string
	WithdrawnAt    *time.Time
	WithdrawnBy    string
	WithdrawReason string
	CreatedAt      time.Time
}

// TableName pins the table of migration 0007.
func (BonusClaim) TableName() string { return "readiness_bonus_claims" }

// Rollup is one closed day (of the enterprise's calendar) of an additive
// aggregate of a measure: v1, v2 are the sums its expressions give over the
// records whose bucket time falls in that day. DefHash keys the SQL (and
// its non-time arguments) that made it; Settled says the figures can no
// longer move with the passing of time alone (every deadline the measure
// waits for has passed); AsOf is the as-of instant they were computed at;
// Seq is the last dirty mark they include (see SQLMeasures.aggregate).
type Rollup struct {
	Measure    string    `gorm:"primaryKey"`
	Day        time.Time `gorm:"primaryKey"`
	DefHash    string
	V1         float64 `gorm:"column:v1"`
	V2         float64 `gorm:"column:v2"`
	Settled    bool
	AsOf       time.Time
	Seq        uint64
	ComputedAt time.Time
}

// TableName pins the table of migration 0101.
func (Rollup) TableName() string { return "readiness_rollups" }

// RollupDirty marks the rollups of the records of table Source from day
// FromDay on as possibly stale: a late change to an old record. Written by
// the event consumer (MarkDirty), append-only.
type RollupDirty struct {
	ID        uint64 `gorm:"primaryKey"`
	Source    string
	FromDay   time.Time
	CreatedAt time.Time
}

// TableName pins the table of migration 0101.
func (RollupDirty) TableName() string { return "readiness_rollup_dirty" }

// RollupBuild is the state of the background build of the rollups (one
// row, Name "rollups"): status building, done or error, days done of
// total, and the dirty marks pruned so far.
type RollupBuild struct {
	Name          string `gorm:"primaryKey"`
	Version       int
	Status        string
	DaysDone      int
	DaysTotal     int
	Holder        string
	Error         string
	PrunedThrough uint64
	StartedAt     *time.Time
	FinishedAt    *time.Time
	UpdatedAt     time.Time
}

// TableName pins the table of migration 0101.
func (RollupBuild) TableName() string { return "readiness_rollup_builds" }
