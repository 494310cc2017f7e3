package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0005ComplaintsSurveys creates complaints (with their timeline,
// escalations and crisis drills), the shared corrective/preventive actions,
// and satisfaction surveys: templates and questions, invitations (link and
// phone), responses, and the follow-up (回访) call queue with its attempts.
// Why: GB/T 27922 5.3.1/5.3.2 and 5.1.5/5.1.6 are scored on these records,
// and auditors sample 1–3 years of them, so every KPI here has an index that
// serves its period query at millions of rows.
func m0005ComplaintsSurveys() *gormigrate.Migration {
	type Complaint struct {
		ID                       uint64    `gorm:"primaryKey"`
		Number                   string    `gorm:"size:32;not null;uniqueIndex"`
		Source                   string    `gorm:"size:16;not null"`
		ExternalChannel          string    `gorm:"size:32;not null;default:''"`
		SourceRef                string    `gorm:"size:64;not null;default:''"`
		TicketID                 *uint64   `gorm:"index"`
		CustomerID               uint64    `gorm:"not null;index"`
		UnitID                   *uint64   `gorm:"index"`
		OutletID                 *uint64   `gorm:"index"`
		Category                 string    `gorm:"size:32;not null"`
		Severity                 string    `gorm:"size:16;not null"`
		Status                   string    `gorm:"size:16;not null;index:ix_complaints_status_ack,priority:1;index:ix_complaints_status_resolve,priority:1"`
		Title                    string    `gorm:"size:200;not null"`
		Description              string    `gorm:"type:text"`
		ReceivedAt               time.Time `gorm:"not null;index"`
		AckDueAt                 time.Time `gorm:"not null;index:ix_complaints_status_ack,priority:2"`
		AckAt                    *time.Time
		ResolveDueAt             time.Time `gorm:"not null;index:ix_complaints_status_resolve,priority:2"`
		ResolvedAt               *time.Time
		ConfirmedAt              *time.Time
		ClosedAt                 *time.Time
		CustomerConfirmed        *bool
		CloseWithoutConfirmation string `gorm:"size:500;not null;default:''"`
		EscalationLevel          int    `gorm:"not null;default:0"`
		EscalatedAt              *time.Time
		AckOverdueAt             *time.Time
		ResolveOverdueAt         *time.Time
		ResponsibleID            *uint64
		ResponsibleName          string `gorm:"size:64;not null;default:''"`
		CrisisPlan               string `gorm:"type:text"`
		Investigation            string `gorm:"type:text"`
		RootCause                string `gorm:"type:text"`
		RootCauseCategory        string `gorm:"size:64;not null;default:''"`
		Resolution               string `gorm:"type:text"`
		FollowupAt               *time.Time
		FollowupSatisfied        *bool
		SurveyResponseID         *uint64   `gorm:"index"`
		CreatedBy                string    `gorm:"size:64;not null;default:''"`
		Version                  int64     `gorm:"not null;default:1"`
		CreatedAt                time.Time `gorm:"not null"`
		UpdatedAt                time.Time `gorm:"not null"`
	}
	type ComplaintLog struct {
		ID          uint64    `gorm:"primaryKey"`
		ComplaintID uint64    `gorm:"not null;index"`
		At          time.Time `gorm:"not null"`
		Kind        string    `gorm:"size:32;not null"`
		FromStatus  string    `gorm:"size:16;not null;default:''"`
		ToStatus    string    `gorm:"size:16;not null;default:''"`
		ActorName   string    `gorm:"size:64;not null;default:''"`
		Outcome     string    `gorm:"size:32;not null;default:''"`
		Note        string    `gorm:"type:text"`
	}
	type ComplaintEscalation struct {
		ID           uint64    `gorm:"primaryKey"`
		ComplaintID  uint64    `gorm:"not null;index"`
		Level        int       `gorm:"not null"`
		Reason       string    `gorm:"size:32;not null"`
		NotifiedRole string    `gorm:"size:64;not null;default:''"`
		NotifiedUser *uint64   ``
		At           time.Time `gorm:"not null"`
		ActorName    string    `gorm:"size:64;not null;default:''"`
		Note         string    `gorm:"type:text"`
	}
	type CrisisDrill struct {
		ID           uint64    `gorm:"primaryKey"`
		HeldOn       time.Time `gorm:"not null;index"`
		Scenario     string    `gorm:"type:text"`
		Participants string    `gorm:"type:text"`
		Findings     string    `gorm:"type:text"`
		ComplaintID  *uint64   `gorm:"index"`
		CreatedBy    string    `gorm:"size:64;not null;default:''"`
		CreatedAt    time.Time `gorm:"not null"`
	}
	type CorrectiveAction struct {
		ID                uint64    `gorm:"primaryKey"`
		SourceKind        string    `gorm:"size:16;not null;index:ix_corrective_actions_source,priority:1"`
		SourceID          *uint64   `gorm:"index:ix_corrective_actions_source,priority:2"`
		Kind              string    `gorm:"size:16;not null"`
		Title             string    `gorm:"size:200;not null"`
		Description       string    `gorm:"type:text"`
		OwnerID           *uint64   `gorm:"index"`
		OwnerName         string    `gorm:"size:64;not null"`
		DueDate           time.Time `gorm:"not null;index:ix_corrective_actions_status_due,priority:2"`
		Status            string    `gorm:"size:16;not null;index:ix_corrective_actions_status_due,priority:1"`
		ClosedAt          *time.Time
		ClosingNote       string `gorm:"type:text"`
		ClosedOnTime      *bool
		CheckedAt         *time.Time
		Effective         *bool
		EffectivenessNote string    `gorm:"type:text"`
		CheckedBy         string    `gorm:"size:64;not null;default:''"`
		CreatedBy         string    `gorm:"size:64;not null;default:''"`
		Version           int64     `gorm:"not null;default:1"`
		CreatedAt         time.Time `gorm:"not null;index"`
		UpdatedAt         time.Time `gorm:"not null"`
	}
	type SurveyTemplate struct {
		ID        uint64    `gorm:"primaryKey"`
		Name      string    `gorm:"size:128;not null"`
		Kind      string    `gorm:"size:16;not null;index:ix_survey_templates_kind_active,priority:1"`
		Active    bool      `gorm:"not null;default:true;index:ix_survey_templates_kind_active,priority:2"`
		Intro     string    `gorm:"type:text"`
		Version   int64     `gorm:"not null;default:1"`
		CreatedBy string    `gorm:"size:64;not null;default:''"`
		CreatedAt time.Time `gorm:"not null"`
		UpdatedAt time.Time `gorm:"not null"`
	}
	type SurveyQuestion struct {
		ID         uint64 `gorm:"primaryKey"`
		TemplateID uint64 `gorm:"not null;index"`
		Position   int    `gorm:"not null"`
		Code       string `gorm:"size:32;not null"`
		Text       string `gorm:"size:500;not null"`
		Type       string `gorm:"size:16;not null"`
		Target     string `gorm:"size:16;not null"`
		Required   bool   `gorm:"not null;default:true"`
	}
	type SurveyInvitation struct {
		ID            uint64     `gorm:"primaryKey"`
		DedupeKey     string     `gorm:"size:128;not null;uniqueIndex"`
		RespondentKey string     `gorm:"size:96;not null;index"`
		TemplateID    uint64     `gorm:"not null"`
		Kind          string     `gorm:"size:16;not null"`
		Channel       string     `gorm:"size:16;not null;index:ix_survey_invitations_kpi,priority:3"`
		Status        string     `gorm:"size:16;not null;index:ix_survey_invitations_status_send,priority:1;index:ix_survey_invitations_kpi,priority:2;index:ix_survey_invitations_pending,priority:1"`
		TicketID      *uint64    `gorm:"index"`
		TicketNumber  string     `gorm:"size:32;not null;default:''"`
		WorkOrderID   *uint64    ``
		CustomerID    uint64     `gorm:"not null;index"`
		UnitID        *uint64    `gorm:"index"`
		OutletID      *uint64    `gorm:"index"`
		AgentID       *uint64    ``
		TechnicianID  *uint64    ``
		ClosedAt      *time.Time ``
		SendAt        time.Time  `gorm:"not null;index:ix_survey_invitations_status_send,priority:2"`
		SentAt        *time.Time `gorm:"index:ix_survey_invitations_kpi,priority:1"`
		ExpiresAt     *time.Time `gorm:"index:ix_survey_invitations_kpi,priority:4;index:ix_survey_invitations_pending,priority:2"`
		TokenHash     *string    `gorm:"size:64;uniqueIndex"`
		AnsweredAt    *time.Time
		ResponseID    *uint64
		Version       int64     `gorm:"not null;default:1"`
		CreatedAt     time.Time `gorm:"not null"`
		UpdatedAt     time.Time `gorm:"not null"`
	}
	type SurveyResponse struct {
		ID              uint64    `gorm:"primaryKey"`
		RespondentKey   string    `gorm:"size:96;not null;uniqueIndex"`
		InvitationID    uint64    `gorm:"not null;index"`
		FollowupID      *uint64   `gorm:"index"`
		TemplateID      uint64    `gorm:"not null"`
		Kind            string    `gorm:"size:16;not null"`
		Channel         string    `gorm:"size:16;not null"`
		TicketID        *uint64   `gorm:"index"`
		CustomerID      uint64    `gorm:"not null;index"`
		UnitID          *uint64   `gorm:"index"`
		OutletID        *uint64   `gorm:"index"`
		AgentID         *uint64   ``
		TechnicianID    *uint64   ``
		AnsweredAt      time.Time `gorm:"not null;index:ix_survey_responses_kpi,priority:1"`
		Csat            *int      `gorm:"index:ix_survey_responses_kpi,priority:2"`
		Nps             *int      `gorm:"index:ix_survey_responses_kpi,priority:3"`
		AgentScore      *int      `gorm:"index:ix_survey_responses_kpi,priority:4"`
		TechnicianScore *int      `gorm:"index:ix_survey_responses_kpi,priority:5"`
		MinScore        *int      ``
		Dissatisfied    bool      `gorm:"not null;default:false;index:ix_survey_responses_kpi,priority:6;index:ix_survey_responses_action,priority:1"`
		ActionStatus    string    `gorm:"size:16;not null;default:'';index:ix_survey_responses_action,priority:2"`
		Action          string    `gorm:"size:16;not null;default:''"`
		ComplaintID     *uint64   ``
		Answers         string    `gorm:"type:text"`
		Comment         string    `gorm:"type:text"`
		RecordedBy      string    `gorm:"size:64;not null;default:''"`
		CreatedAt       time.Time `gorm:"not null"`
	}
	type SurveyFollowup struct {
		ID               uint64     `gorm:"primaryKey"`
		DedupeKey        string     `gorm:"size:128;not null;uniqueIndex"`
		Kind             string     `gorm:"size:24;not null;index:ix_survey_followups_kpi,priority:2;index:ix_survey_followups_status_due,priority:4"`
		Status           string     `gorm:"size:16;not null;index:ix_survey_followups_status_due,priority:1;index:ix_survey_followups_kpi,priority:3"`
		InvitationID     *uint64    `gorm:"index"`
		ResponseID       *uint64    `gorm:"index"`
		SourceResponseID *uint64    `gorm:"index"`
		TemplateID       uint64     `gorm:"not null"`
		TicketID         *uint64    `gorm:"index"`
		TicketNumber     string     `gorm:"size:32;not null;default:''"`
		CustomerID       uint64     `gorm:"not null;index"`
		UnitID           *uint64    `gorm:"index"`
		OutletID         *uint64    `gorm:"index"`
		AgentID          *uint64    ``
		ClosedAt         *time.Time ``
		DueAt            time.Time  `gorm:"not null;index:ix_survey_followups_status_due,priority:2;index:ix_survey_followups_kpi,priority:4"`
		Attempts         int        `gorm:"not null;default:0;index:ix_survey_followups_kpi,priority:6"`
		LastAttemptAt    *time.Time
		LastOutcome      string     `gorm:"size:16;not null;default:''"`
		CompletedAt      *time.Time `gorm:"index:ix_survey_followups_kpi,priority:5"`
		CompletedBy      string     `gorm:"size:64;not null;default:''"`
		Note             string     `gorm:"type:text"`
		Version          int64      `gorm:"not null;default:1"`
		CreatedAt        time.Time  `gorm:"not null;index:ix_survey_followups_kpi,priority:1;index:ix_survey_followups_status_due,priority:3"`
		UpdatedAt        time.Time  `gorm:"not null"`
	}
	type SurveyFollowupAttempt struct {
		ID         uint64    `gorm:"primaryKey"`
		FollowupID uint64    `gorm:"not null;index"`
		At         time.Time `gorm:"not null"`
		UserID     *uint64   ``
		ActorName  string    `gorm:"size:64;not null;default:''"`
		Outcome    string    `gorm:"size:16;not null"`
		Note       string    `gorm:"type:text"`
	}
	// Hourly rollups of the survey KPI (by the hour an invitation was sent,
	// a response answered, a follow-up created), maintained in the same
	// transactions as the rows, so a year's KPI reads 8,760 rows, not millions.
	type SurveyInvitationStat struct {
		Hour        time.Time `gorm:"primaryKey;autoIncrement:false"`
		Channel     string    `gorm:"primaryKey;size:16"`
		Sent        int64     `gorm:"not null;default:0"`
		Answered    int64     `gorm:"not null;default:0"`
		Unreachable int64     `gorm:"not null;default:0"`
		Refused     int64     `gorm:"not null;default:0"`
	}
	type SurveyResponseStat struct {
		Hour         time.Time `gorm:"primaryKey;autoIncrement:false"`
		Responses    int64     `gorm:"not null;default:0"`
		CsatN        int64     `gorm:"not null;default:0"`
		CsatSum      int64     `gorm:"not null;default:0"`
		Satisfied    int64     `gorm:"not null;default:0"`
		NpsN         int64     `gorm:"not null;default:0"`
		Promoters    int64     `gorm:"not null;default:0"`
		Detractors   int64     `gorm:"not null;default:0"`
		AgentN       int64     `gorm:"not null;default:0"`
		AgentSum     int64     `gorm:"not null;default:0"`
		TechN        int64     `gorm:"not null;default:0"`
		TechSum      int64     `gorm:"not null;default:0"`
		Dissatisfied int64     `gorm:"not null;default:0"`
	}
	type SurveyFollowupStat struct {
		Hour        time.Time `gorm:"primaryKey;autoIncrement:false"`
		Kind        string    `gorm:"primaryKey;size:24"`
		Total       int64     `gorm:"not null;default:0"`
		Answered    int64     `gorm:"not null;default:0"`
		Unreachable int64     `gorm:"not null;default:0"`
		Refused     int64     `gorm:"not null;default:0"`
		Cancelled   int64     `gorm:"not null;default:0"`
		Done        int64     `gorm:"not null;default:0"`
		OnTime      int64     `gorm:"not null;default:0"`
		Late        int64     `gorm:"not null;default:0"`
		Attempts    int64     `gorm:"not null;default:0"`
	}
	all := []any{&Complaint{}, &ComplaintLog{}, &ComplaintEscalation{}, &CrisisDrill{}, &CorrectiveAction{},
		&SurveyTemplate{}, &SurveyQuestion{}, &SurveyInvitation{}, &SurveyResponse{}, &SurveyFollowup{}, &SurveyFollowupAttempt{},
		&SurveyInvitationStat{}, &SurveyResponseStat{}, &SurveyFollowupStat{}}
	return &gormigrate.Migration{
		ID: "0005_complaints_surveys",
		Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(all...)
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable(all...)
		},
	}
}
