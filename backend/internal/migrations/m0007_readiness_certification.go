package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0007ReadinessCertification creates the readiness engine's store and the
// certification tables. Why: a projected score must be reproducible and
// explainable later (standard versions, immutable runs with a points ledger,
// the quality manager's assessments, deletions, special deductions and bonus
// claims), and an audit looks at evidence documents, certification cycles,
// their audits and an exported audit pack.
//
// Hot lookups: the latest run of a standard (standard_code, id), a run's
// ledger (run_id, seq), a clause's current assessment or deletion
// (standard_code, clause), evidence by type and by chain, planned audits by
// due date. Long JSON and YAML go to mediumtext on MySQL (size ≥ 65536).
func m0007ReadinessCertification() *gormigrate.Migration {
	type ReadinessStandard struct {
		ID          uint64    `gorm:"primaryKey"`
		Code        string    `gorm:"size:64;not null;uniqueIndex:ux_readiness_standards_code_version,priority:1"`
		Version     int       `gorm:"not null;uniqueIndex:ux_readiness_standards_code_version,priority:2"`
		Title       string    `gorm:"size:128;not null;default:''"`
		Fingerprint string    `gorm:"size:64;not null"`
		Content     string    `gorm:"size:4194304;not null"`
		Source      string    `gorm:"size:255;not null;default:''"`
		CreatedBy   string    `gorm:"size:64;not null;default:''"`
		CreatedAt   time.Time `gorm:"not null"`
	}
	type ReadinessRun struct {
		ID                uint64    `gorm:"primaryKey"`
		StandardCode      string    `gorm:"size:64;not null;index:ix_readiness_runs_std_asof,priority:1"`
		StandardVersionID uint64    `gorm:"not null"`
		StandardVersion   int       `gorm:"not null"`
		AsOf              time.Time `gorm:"not null;index:ix_readiness_runs_std_asof,priority:2"`
		AuditSeq          uint64    `gorm:"not null;default:0"`
		Trigger           string    `gorm:"size:16;not null"`
		CreatedBy         string    `gorm:"size:64;not null;default:''"`
		Total             float64   `gorm:"not null"`
		Normalised        float64   `gorm:"not null"`
		Actual            float64   `gorm:"not null"`
		Applicable        float64   `gorm:"not null"`
		DeductionPoints   float64   `gorm:"not null"`
		BonusPoints       float64   `gorm:"not null"`
		Low               float64   `gorm:"not null"`
		High              float64   `gorm:"not null"`
		Band              string    `gorm:"size:32;not null"`
		LowBand           string    `gorm:"size:32;not null"`
		HighBand          string    `gorm:"size:32;not null"`
		NextBand          string    `gorm:"size:32;not null;default:''"`
		ToNextBand        float64   `gorm:"not null"`
		AboveBand         float64   `gorm:"not null"`
		Failed            bool      `gorm:"not null"`
		Complete          bool      `gorm:"not null"`
		FailReasons       string    `gorm:"size:255;not null;default:''"`
		Counts            string    `gorm:"size:1024;not null;default:''"`
		Deductions        string    `gorm:"type:text"`
		Notices           string    `gorm:"type:text"`
		Inputs            string    `gorm:"size:4194304"`
		LedgerRunID       uint64    `gorm:"not null;index"`
		LedgerHash        string    `gorm:"size:64;not null"`
		DurationMS        int64     `gorm:"column:duration_ms;not null"`
		CreatedAt         time.Time `gorm:"not null"`
	}
	type ReadinessLedgerRow struct {
		ID            uint64  `gorm:"primaryKey"`
		RunID         uint64  `gorm:"not null;index:ix_readiness_ledger_run,priority:1"`
		Seq           int     `gorm:"not null;index:ix_readiness_ledger_run,priority:2"`
		Clause        string  `gorm:"size:32;not null"`
		Level         int     `gorm:"not null"`
		Leaf          bool    `gorm:"not null"`
		Kind          string  `gorm:"size:16;not null;default:''"`
		Measure       string  `gorm:"size:64;not null;default:''"`
		Inferred      bool    `gorm:"not null;default:false"`
		Points        float64 `gorm:"not null"`
		Max           float64 `gorm:"not null"`
		Applicable    float64 `gorm:"not null"`
		Recoverable   float64 `gorm:"not null"`
		State         string  `gorm:"size:16;not null"`
		Value         float64 `gorm:"not null;default:0"`
		Name          string  `gorm:"size:512;not null;default:''"`
		ReasonCodes   string  `gorm:"size:512;not null;default:''"`
		Inputs        string  `gorm:"size:1024;not null;default:''"`
		RecordIDs     string  `gorm:"type:text"`
		Reason        string  `gorm:"type:text"`
		Action        string  `gorm:"type:text"`
		Justification string  `gorm:"type:text"`
		Author        string  `gorm:"size:64;not null;default:''"`
	}
	type ReadinessAssessment struct {
		ID            uint64     `gorm:"primaryKey"`
		StandardCode  string     `gorm:"size:64;not null;index:ix_readiness_assessments_clause,priority:1"`
		Clause        string     `gorm:"size:32;not null;index:ix_readiness_assessments_clause,priority:2"`
		Points        float64    `gorm:"not null"`
		Justification string     `gorm:"type:text"`
		AuthorID      uint64     `gorm:"not null;default:0"`
		Author        string     `gorm:"size:64;not null"`
		AssessedAt    time.Time  `gorm:"not null"`
		ExpiresAt     *time.Time `gorm:""`
		WithdrawnAt   *time.Time `gorm:""`
		WithdrawnBy   string     `gorm:"size:64;not null;default:''"`
		CreatedAt     time.Time  `gorm:"not null"`
	}
	type ReadinessDeletion struct {
		ID            uint64     `gorm:"primaryKey"`
		StandardCode  string     `gorm:"size:64;not null;index:ix_readiness_deletions_clause,priority:1"`
		Clause        string     `gorm:"size:32;not null;index:ix_readiness_deletions_clause,priority:2"`
		Justification string     `gorm:"type:text"`
		AuthorID      uint64     `gorm:"not null;default:0"`
		Author        string     `gorm:"size:64;not null"`
		WithdrawnAt   *time.Time `gorm:""`
		WithdrawnBy   string     `gorm:"size:64;not null;default:''"`
		CreatedAt     time.Time  `gorm:"not null"`
	}
	type ReadinessDeduction struct {
		ID            uint64     `gorm:"primaryKey"`
		Clause        string     `gorm:"size:32;not null;default:''"`
		Finding       string     `gorm:"type:text"`
		Source        string     `gorm:"size:48;not null"`
		SuggestionKey *string    `gorm:"size:96;uniqueIndex:ux_readiness_deductions_suggestion"`
		RecordRef     string     `gorm:"size:64;not null;default:''"`
		Status        string     `gorm:"size:16;not null;index"`
		FoundOn       time.Time  `gorm:"not null"`
		CorrectedAt   *time.Time `gorm:""`
		Correction    string     `gorm:"type:text"`
		AuthorID      uint64     `gorm:"not null;default:0"`
		Author        string     `gorm:"size:64;not null;default:''"`
		DecidedBy     string     `gorm:"size:64;not null;default:''"`
		DecidedAt     *time.Time `gorm:""`
		Version       int64      `gorm:"not null;default:1"`
		CreatedAt     time.Time  `gorm:"not null"`
		UpdatedAt     time.Time  `gorm:"not null"`
	}
	type ReadinessBonusClaim struct {
		ID          uint64     `gorm:"primaryKey"`
		Reason      string     `gorm:"type:text"`
		AuthorID    uint64     `gorm:"not null;default:0"`
		Author      string     `gorm:"size:64;not null"`
		WithdrawnAt *time.Time `gorm:""`
		WithdrawnBy string     `gorm:"size:64;not null;default:''"`
		CreatedAt   time.Time  `gorm:"not null"`
	}
	// The settled-day cache of the measures: one row per measure and UTC
	// day of its window older than 35 days.
	type ReadinessMeasureDay struct {
		Measure    string    `gorm:"size:64;primaryKey"`
		DefHash    string    `gorm:"size:16;primaryKey"`
		Day        time.Time `gorm:"primaryKey"`
		V1         float64   `gorm:"column:v1;not null"`
		V2         float64   `gorm:"column:v2;not null"`
		ComputedAt time.Time `gorm:"not null"`
	}
	type EvidenceDocument struct {
		ID           uint64     `gorm:"primaryKey"`
		ChainID      uint64     `gorm:"not null;index"`
		Revision     int        `gorm:"not null"`
		SupersedesID *uint64    `gorm:"index"`
		DocType      string     `gorm:"size:64;not null;index"`
		Title        string     `gorm:"size:255;not null"`
		Description  string     `gorm:"type:text"`
		EffectiveAt  time.Time  `gorm:"not null"`
		ExpiresAt    *time.Time `gorm:"index"`
		Approver     string     `gorm:"size:64;not null;default:''"`
		ApprovedAt   *time.Time `gorm:""`
		ApprovedBy   string     `gorm:"size:64;not null;default:''"`
		SHA256       string     `gorm:"column:sha256;size:64;not null;index"`
		Size         int64      `gorm:"not null"`
		ContentType  string     `gorm:"size:128;not null"`
		FileName     string     `gorm:"size:255;not null"`
		StorageKey   string     `gorm:"size:255;not null"`
		UploadedByID uint64     `gorm:"not null;default:0"`
		UploadedBy   string     `gorm:"size:64;not null;default:''"`
		Version      int64      `gorm:"not null;default:1"`
		CreatedAt    time.Time  `gorm:"not null"`
		UpdatedAt    time.Time  `gorm:"not null"`
	}
	type CertificationCycle struct {
		ID                uint64     `gorm:"primaryKey"`
		Kind              string     `gorm:"size:24;not null"`
		PreviousCycleID   *uint64    `gorm:""`
		Body              string     `gorm:"size:128;not null;default:''"`
		StandardCode      string     `gorm:"size:64;not null"`
		Status            string     `gorm:"size:16;not null;index"`
		Responsible       string     `gorm:"size:64;not null;default:''"`
		ResponsibleUserID *uint64    `gorm:""`
		AppliedOn         *time.Time `gorm:""`
		ContractOn        *time.Time `gorm:""`
		Stage1On          *time.Time `gorm:"column:stage1_on"`
		Stage2On          *time.Time `gorm:"column:stage2_on"`
		CommitteeOn       *time.Time `gorm:""`
		CertificateNo     string     `gorm:"size:64;not null;default:''"`
		IssuedOn          *time.Time `gorm:""`
		ExpiresOn         *time.Time `gorm:"index"`
		Notes             string     `gorm:"type:text"`
		Version           int64      `gorm:"not null;default:1"`
		CreatedAt         time.Time  `gorm:"not null"`
		UpdatedAt         time.Time  `gorm:"not null"`
	}
	type CertificationAudit struct {
		ID             uint64     `gorm:"primaryKey"`
		CycleID        uint64     `gorm:"not null;index"`
		Kind           string     `gorm:"size:24;not null"`
		Seq            int        `gorm:"not null;default:0"`
		DueOn          time.Time  `gorm:"not null;index:ix_certification_audits_status_due,priority:2"`
		WindowFrom     *time.Time `gorm:""`
		WindowTo       *time.Time `gorm:""`
		ScheduledOn    *time.Time `gorm:""`
		HeldOn         *time.Time `gorm:""`
		Status         string     `gorm:"size:16;not null;index:ix_certification_audits_status_due,priority:1"`
		LeadAuditor    string     `gorm:"size:64;not null;default:''"`
		Responsible    string     `gorm:"size:64;not null;default:''"`
		Score          *float64   `gorm:""`
		Band           string     `gorm:"size:32;not null;default:''"`
		Findings       string     `gorm:"type:text"`
		ProjectedScore *float64   `gorm:""`
		ProjectedLow   *float64   `gorm:""`
		ProjectedHigh  *float64   `gorm:""`
		ProjectedBand  string     `gorm:"size:32;not null;default:''"`
		Version        int64      `gorm:"not null;default:1"`
		CreatedAt      time.Time  `gorm:"not null"`
		UpdatedAt      time.Time  `gorm:"not null"`
	}
	type CertificationReminder struct {
		ID         uint64    `gorm:"primaryKey"`
		Subject    string    `gorm:"size:24;not null;uniqueIndex:ux_certification_reminders_once,priority:1"`
		SubjectID  uint64    `gorm:"not null;uniqueIndex:ux_certification_reminders_once,priority:2"`
		DueOn      time.Time `gorm:"not null;uniqueIndex:ux_certification_reminders_once,priority:3"`
		DaysBefore int       `gorm:"not null;uniqueIndex:ux_certification_reminders_once,priority:4"`
		SentAt     time.Time `gorm:"not null"`
	}
	type CertificationAuditPack struct {
		ID            uint64     `gorm:"primaryKey"`
		FromDate      time.Time  `gorm:"not null"`
		ToDate        time.Time  `gorm:"not null"`
		Status        string     `gorm:"size:16;not null;index"`
		Progress      int        `gorm:"not null;default:0"`
		Step          string     `gorm:"size:128;not null;default:''"`
		Error         string     `gorm:"type:text"`
		StorageKey    string     `gorm:"size:255;not null;default:''"`
		Size          int64      `gorm:"not null;default:0"`
		SHA256        string     `gorm:"column:sha256;size:64;not null;default:''"`
		Holder        string     `gorm:"size:128;not null;default:''"`
		RequestedByID uint64     `gorm:"not null;default:0"`
		RequestedBy   string     `gorm:"size:64;not null;default:''"`
		StartedAt     *time.Time `gorm:""`
		FinishedAt    *time.Time `gorm:""`
		CreatedAt     time.Time  `gorm:"not null"`
		UpdatedAt     time.Time  `gorm:"not null"`
	}
	// Covering indexes for the readiness measures on the operational
	// tables (read-only aggregates over a rolling window; see
	// docs/readiness.md): each lets its measure read index pages instead of
	// rows, which is what keeps a full run over a million tickets within
	// seconds. Named ix_rd_* so they never collide with the owning domain's
	// own indexes; skipped when a table does not exist.
	indexes := []struct{ table, name, columns string }{
		{"tickets", "ix_rd_tickets_created", "created_at, merged_into_id, first_response_at, customer_id"},
		{"tickets", "ix_rd_tickets_closed", "status, closed_at, merged_into_id"},
		{"work_orders", "ix_rd_work_orders_created", "created_at, attempts, kind, accepted_at, cancelled_at"},
		{"work_orders", "ix_rd_work_orders_arrival", "arrival_due_at, cancelled_at, arrived_at, arrival_on_time"},
		{"work_orders", "ix_rd_work_orders_complete", "kind, complete_due_at, cancelled_at, completed_at, result"},
		{"survey_invitations", "ix_rd_survey_invitations_sent", "sent_at, status, answered_at, expires_at"},
		{"survey_followups", "ix_rd_survey_followups_closed", "kind, closed_at, status, completed_at, last_attempt_at, ticket_id"},
		{"units", "ix_rd_units_purchase", "purchase_date, customer_id, model_id"},
		{"customer_addresses", "ix_rd_customer_addresses_default", "customer_id, is_default, region_code"},
	}
	return &gormigrate.Migration{
		ID: "0007_readiness_certification",
		Migrate: func(tx *gorm.DB) error {
			if err := tx.AutoMigrate(&ReadinessStandard{}, &ReadinessRun{}, &ReadinessLedgerRow{}, &ReadinessAssessment{},
				&ReadinessDeletion{}, &ReadinessDeduction{}, &ReadinessBonusClaim{}, &ReadinessMeasureDay{}, &EvidenceDocument{},
				&CertificationCycle{}, &CertificationAudit{}, &CertificationReminder{}, &CertificationAuditPack{}); err != nil {
				return err
			}
			m := tx.Migrator()
			for _, ix := range indexes {
				if !m.HasTable(ix.table) || m.HasIndex(ix.table, ix.name) {
					continue
				}
				if err := tx.Exec("CREATE INDEX " + ix.name + " ON " + ix.table + " (" + ix.columns + ")").Error; err != nil {
					return err
				}
			}
			return nil
		},
	}
}
