package httpapi

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/capa"
	"github.com/aftersales/aftersales/backend/internal/complaint"
)

// ---- request and response types

// CreateComplaintRequest is the body of POST /complaints. received_at
// defaults to now; a crisis needs responsible_name and crisis_plan.
type CreateComplaintRequest struct {
	Source          string     `json:"source"`           // ticket, hotline, online, external, survey
	ExternalChannel string     `json:"external_channel"` // for external: 12315, consumer_association, media, regulator, other
	SourceRef       string     `json:"source_ref"`
	TicketID        *uint64    `json:"ticket_id"`
	CustomerID      uint64     `json:"customer_id"`
	UnitID          *uint64    `json:"unit_id"`
	OutletID        *uint64    `json:"outlet_id"`
	Category        string     `json:"category"` // product_quality, service_attitude, repair_quality, delay, charges, other
	Severity        string     `json:"severity"` // normal (default), major, crisis
	Title           string     `json:"title"`
	Description     string     `json:"description"`
	ReceivedAt      *time.Time `json:"received_at"`
	ResponsibleID   *uint64    `json:"responsible_id"`
	ResponsibleName string     `json:"responsible_name"`
	CrisisPlan      string     `json:"crisis_plan"`
}

// PatchComplaintRequest is the body of PATCH /complaints/{id}; absent fields
// stay. The version (or If-Match) is required.
type PatchComplaintRequest struct {
	Version           int64   `json:"version"`
	Category          *string `json:"category"`
	Severity          *string `json:"severity"`
	Title             *string `json:"title"`
	Description       *string `json:"description"`
	UnitID            *uint64 `json:"unit_id"`
	OutletID          *uint64 `json:"outlet_id"`
	ResponsibleID     *uint64 `json:"responsible_id"`
	ResponsibleName   *string `json:"responsible_name"`
	CrisisPlan        *string `json:"crisis_plan"`
	Investigation     *string `json:"investigation"`
	RootCause         *string `json:"root_cause"`
	RootCauseCategory *string `json:"root_cause_category"`
}

// ComplaintStepRequest is the body of acknowledge, investigate and escalate
// (a note; required for escalate). The version is checked when given.
type ComplaintStepRequest struct {
	Version int64  `json:"version"`
	Note    string `json:"note"`
}

// ResolveComplaintRequest is the body of POST /complaints/{id}/resolve.
type ResolveComplaintRequest struct {
	Version           int64  `json:"version"`
	Resolution        string `json:"resolution"`
	RootCause         string `json:"root_cause"`
	RootCauseCategory string `json:"root_cause_category"`
	Investigation     string `json:"investigation"`
}

// ConfirmComplaintRequest records the customer's answer on the resolution.
type ConfirmComplaintRequest struct {
	Version  int64  `json:"version"`
	Accepted *bool  `json:"accepted"`
	Note     string `json:"note"`
}

// CloseComplaintRequest closes a confirmed complaint, or a resolved one with
// without_confirmation_reason.
type CloseComplaintRequest struct {
	Version                   int64  `json:"version"`
	Note                      string `json:"note"`
	WithoutConfirmationReason string `json:"without_confirmation_reason"`
}

// ComplaintCallRequest records a follow-up call on a resolved complaint.
type ComplaintCallRequest struct {
	Outcome   string `json:"outcome"` // reached, no_answer, busy, wrong_number, refused
	Satisfied *bool  `json:"satisfied"`
	Note      string `json:"note"`
}

// ComplaintResponse is the API image of a complaint.
type ComplaintResponse struct {
	ID                       uint64     `json:"id"`
	Number                   string     `json:"number"`
	Source                   string     `json:"source"`
	ExternalChannel          string     `json:"external_channel,omitempty"`
	SourceRef                string     `json:"source_ref,omitempty"`
	TicketID                 *uint64    `json:"ticket_id"`
	CustomerID               uint64     `json:"customer_id"`
	UnitID                   *uint64    `json:"unit_id"`
	OutletID                 *uint64    `json:"outlet_id"`
	Category                 string     `json:"category"`
	Severity                 string     `json:"severity"`
	Status                   string     `json:"status"`
	AllowedTransitions       []string   `json:"allowed_transitions"`
	Title                    string     `json:"title"`
	Description              string     `json:"description"`
	ReceivedAt               time.Time  `json:"received_at"`
	AckDueAt                 time.Time  `json:"ack_due_at"`
	AckAt                    *time.Time `json:"ack_at"`
	AckWithinLimit           *bool      `json:"ack_within_limit"`
	ResolveDueAt             time.Time  `json:"resolve_due_at"`
	ResolvedAt               *time.Time `json:"resolved_at"`
	ResolvedWithinLimit      *bool      `json:"resolved_within_limit"`
	ConfirmedAt              *time.Time `json:"confirmed_at"`
	CustomerConfirmed        *bool      `json:"customer_confirmed"`
	ClosedAt                 *time.Time `json:"closed_at"`
	CloseWithoutConfirmation string     `json:"close_without_confirmation,omitempty"`
	EscalationLevel          int        `json:"escalation_level"`
	EscalatedAt              *time.Time `json:"escalated_at"`
	AckOverdueAt             *time.Time `json:"ack_overdue_at"`
	ResolveOverdueAt         *time.Time `json:"resolve_overdue_at"`
	ResponsibleID            *uint64    `json:"responsible_id"`
	ResponsibleName          string     `json:"responsible_name"`
	CrisisPlan               string     `json:"crisis_plan"`
	Investigation            string     `json:"investigation"`
	RootCause                string     `json:"root_cause"`
	RootCauseCategory        string     `json:"root_cause_category"`
	Resolution               string     `json:"resolution"`
	FollowupAt               *time.Time `json:"followup_at"`
	FollowupSatisfied        *bool      `json:"followup_satisfied"`
	SurveyResponseID         *uint64    `json:"survey_response_id"`
	CreatedBy                string     `json:"created_by"`
	Version                  int64      `json:"version"`
	CreatedAt                time.Time  `json:"created_at"`
	UpdatedAt                time.Time  `json:"updated_at"`
}

// complaintNow is the API image of a complaint as of now (its overdue flags).
func complaintNow(c complaint.Complaint) ComplaintResponse {
	return complaintResponse(c, time.Now().UTC())
}

func complaintResponse(c complaint.Complaint, now time.Time) ComplaintResponse {
	return ComplaintResponse{ID: c.ID, Number: c.Number, Source: c.Source, ExternalChannel: c.ExternalChannel, SourceRef: c.SourceRef,
		TicketID: c.TicketID, CustomerID: c.CustomerID, UnitID: c.UnitID, OutletID: c.OutletID, Category: c.Category, Severity: c.Severity,
		Status: c.Status, AllowedTransitions: complaint.Allowed(c.Status), Title: c.Title, Description: c.Description,
		ReceivedAt: c.ReceivedAt, AckDueAt: c.AckDueAt, AckAt: c.AckAt, AckWithinLimit: c.AckWithinLimit(now),
		ResolveDueAt: c.ResolveDueAt, ResolvedAt: c.ResolvedAt, ResolvedWithinLimit: c.ResolvedWithinLimit(now),
		ConfirmedAt: c.ConfirmedAt, CustomerConfirmed: c.CustomerConfirmed, ClosedAt: c.ClosedAt,
		CloseWithoutConfirmation: c.CloseWithoutConfirmation, EscalationLevel: c.EscalationLevel, EscalatedAt: c.EscalatedAt,
		AckOverdueAt: c.AckOverdueAt, ResolveOverdueAt: c.ResolveOverdueAt, ResponsibleID: c.ResponsibleID,
		ResponsibleName: c.ResponsibleName, CrisisPlan: c.CrisisPlan, Investigation: c.Investigation, RootCause: c.RootCause,
		RootCauseCategory: c.RootCauseCategory, Resolution: c.Resolution, FollowupAt: c.FollowupAt,
		FollowupSatisfied: c.FollowupSatisfied, SurveyResponseID: c.SurveyResponseID, CreatedBy: c.CreatedBy, Version: c.Version,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

// ComplaintLogResponse is one line of a complaint's timeline.
type ComplaintLogResponse struct {
	At         time.Time `json:"at"`
	Kind       string    `json:"kind"`
	FromStatus string    `json:"from_status,omitempty"`
	ToStatus   string    `json:"to_status,omitempty"`
	Actor      string    `json:"actor"`
	Outcome    string    `json:"outcome,omitempty"`
	Note       string    `json:"note,omitempty"`
}

// EscalationResponse is one step up the escalation chain.
type EscalationResponse struct {
	Level        int       `json:"level"`
	Reason       string    `json:"reason"`
	NotifiedRole string    `json:"notified_role"`
	NotifiedUser *uint64   `json:"notified_user_id"`
	At           time.Time `json:"at"`
	Actor        string    `json:"actor"`
	Note         string    `json:"note,omitempty"`
}

// ComplaintDetailResponse is a complaint with its timeline, escalations and
// corrective actions.
type ComplaintDetailResponse struct {
	ComplaintResponse
	Timeline          []ComplaintLogResponse     `json:"timeline"`
	Escalations       []EscalationResponse       `json:"escalations"`
	CorrectiveActions []CorrectiveActionResponse `json:"corrective_actions"`
}

// CreateCorrectiveActionRequest is the body of POST /corrective-actions.
type CreateCorrectiveActionRequest struct {
	SourceKind  string  `json:"source_kind"` // complaint, survey, supervision, audit, other
	SourceID    *uint64 `json:"source_id"`
	Kind        string  `json:"kind"` // corrective (default) or preventive
	Title       string  `json:"title"`
	Description string  `json:"description"`
	OwnerID     *uint64 `json:"owner_id"`
	OwnerName   string  `json:"owner_name"`
	DueDate     string  `json:"due_date"` // YYYY-MM-DD
}

// PatchCorrectiveActionRequest changes an open action; the version is required.
type PatchCorrectiveActionRequest struct {
	Version     int64   `json:"version"`
	Title       *string `json:"title"`
	Description *string `json:"description"`
	OwnerID     *uint64 `json:"owner_id"`
	OwnerName   *string `json:"owner_name"`
	DueDate     *string `json:"due_date"`
}

// CloseCorrectiveActionRequest closes an open action with what was done.
type CloseCorrectiveActionRequest struct {
	Version int64  `json:"version"`
	Note    string `json:"note"`
}

// EffectivenessCheckRequest records the effectiveness review of a closed action.
type EffectivenessCheckRequest struct {
	Version   int64  `json:"version"`
	Effective *bool  `json:"effective"`
	Note      string `json:"note"`
}

// CorrectiveActionResponse is the API image of an action.
type CorrectiveActionResponse struct {
	ID                uint64     `json:"id"`
	SourceKind        string     `json:"source_kind"`
	SourceID          *uint64    `json:"source_id"`
	Kind              string     `json:"kind"`
	Title             string     `json:"title"`
	Description       string     `json:"description"`
	OwnerID           *uint64    `json:"owner_id"`
	OwnerName         string     `json:"owner_name"`
	DueDate           string     `json:"due_date"`
	Status            string     `json:"status"`
	Overdue           bool       `json:"overdue"`
	ClosedAt          *time.Time `json:"closed_at"`
	ClosingNote       string     `json:"closing_note"`
	ClosedOnTime      *bool      `json:"closed_on_time"`
	CheckedAt         *time.Time `json:"checked_at"`
	Effective         *bool      `json:"effective"`
	EffectivenessNote string     `json:"effectiveness_note"`
	CheckedBy         string     `json:"checked_by"`
	CreatedBy         string     `json:"created_by"`
	Version           int64      `json:"version"`
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"updated_at"`
}

func correctiveActionResponse(a capa.Action, today time.Time) CorrectiveActionResponse {
	return CorrectiveActionResponse{ID: a.ID, SourceKind: a.SourceKind, SourceID: a.SourceID, Kind: a.Kind, Title: a.Title,
		Description: a.Description, OwnerID: a.OwnerID, OwnerName: a.OwnerName, DueDate: a.DueDate.Format(time.DateOnly),
		Status: a.Status, Overdue: a.Overdue(today), ClosedAt: a.ClosedAt, ClosingNote: a.ClosingNote, ClosedOnTime: a.ClosedOnTime,
		CheckedAt: a.CheckedAt, Effective: a.Effective, EffectivenessNote: a.EffectivenessNote, CheckedBy: a.CheckedBy,
		CreatedBy: a.CreatedBy, Version: a.Version, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
}

// CreateCrisisDrillRequest records a crisis drill held on a date.
type CreateCrisisDrillRequest struct {
	HeldOn       string  `json:"held_on"` // YYYY-MM-DD
	Scenario     string  `json:"scenario"`
	Participants string  `json:"participants"`
	Findings     string  `json:"findings"`
	ComplaintID  *uint64 `json:"complaint_id"`
}

// CrisisDrillResponse is the API image of a drill.
type CrisisDrillResponse struct {
	ID           uint64    `json:"id"`
	HeldOn       string    `json:"held_on"`
	Scenario     string    `json:"scenario"`
	Participants string    `json:"participants"`
	Findings     string    `json:"findings"`
	ComplaintID  *uint64   `json:"complaint_id"`
	CreatedBy    string    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
}

// ---- helpers shared by the complaint and survey handlers

// ---- complaints

func (s *Server) listComplaints(c *gin.Context) error {
	page, size, err := paging(c, 20, 200)
	if err != nil {
		return err
	}
	f := complaint.Filter{Status: c.Query("status"), Severity: c.Query("severity"), Category: c.Query("category"),
		Source: c.Query("source"), Number: strings.TrimSpace(c.Query("number")), Sort: c.Query("sort"), Page: page, Size: size}
	for name, dst := range map[string]**uint64{"customer_id": &f.CustomerID, "ticket_id": &f.TicketID, "unit_id": &f.UnitID, "outlet_id": &f.OutletID} {
		if *dst, err = queryOptionalUint(c, name); err != nil {
			return err
		}
	}
	overdue, err := queryBool(c, "overdue")
	if err != nil {
		return err
	}
	f.Overdue = overdue != nil && *overdue
	if f.From, err = s.queryInstant(c, "from", false); err != nil {
		return err
	}
	if f.To, err = s.queryInstant(c, "to", true); err != nil {
		return err
	}
	list, total, err := s.Complaints.List(c.Request.Context(), f)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	items := make([]ComplaintResponse, 0, len(list))
	for _, x := range list {
		items = append(items, complaintResponse(x, now))
	}
	c.JSON(http.StatusOK, pageOf(items, total, page, size))
	return nil
}

func (s *Server) createComplaint(c *gin.Context) error {
	var req CreateComplaintRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	x, err := s.Complaints.Create(c.Request.Context(), complaint.NewComplaint{Source: req.Source, ExternalChannel: req.ExternalChannel,
		SourceRef: req.SourceRef, TicketID: req.TicketID, CustomerID: req.CustomerID, UnitID: req.UnitID, OutletID: req.OutletID,
		Category: req.Category, Severity: req.Severity, Title: req.Title, Description: req.Description, ReceivedAt: req.ReceivedAt,
		ResponsibleID: req.ResponsibleID, ResponsibleName: req.ResponsibleName, CrisisPlan: req.CrisisPlan})
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, complaintNow(x))
	return nil
}

func (s *Server) getComplaint(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	x, err := s.Complaints.Get(ctx, id)
	if err != nil {
		return err
	}
	logs, escs, err := s.Complaints.Timeline(ctx, id)
	if err != nil {
		return err
	}
	actions, err := s.CorrectiveActions.ForSource(ctx, capa.SourceComplaint, id)
	if err != nil {
		return err
	}
	out := ComplaintDetailResponse{ComplaintResponse: complaintNow(x), Timeline: []ComplaintLogResponse{},
		Escalations: []EscalationResponse{}, CorrectiveActions: []CorrectiveActionResponse{}}
	for _, l := range logs {
		out.Timeline = append(out.Timeline, ComplaintLogResponse{At: l.At, Kind: l.Kind, FromStatus: l.FromStatus, ToStatus: l.ToStatus,
			Actor: l.ActorName, Outcome: l.Outcome, Note: l.Note})
	}
	for _, e := range escs {
		out.Escalations = append(out.Escalations, EscalationResponse{Level: e.Level, Reason: e.Reason, NotifiedRole: e.NotifiedRole,
			NotifiedUser: e.NotifiedUser, At: e.At, Actor: e.ActorName, Note: e.Note})
	}
	today := s.CorrectiveActions.Today()
	for _, a := range actions {
		out.CorrectiveActions = append(out.CorrectiveActions, correctiveActionResponse(a, today))
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (s *Server) patchComplaint(c *gin.Context) error {
	var req PatchComplaintRequest
	id, v, err := bindVersioned(c, "id", &req, &req.Version)
	if err != nil {
		return err
	}
	if v == 0 {
		return apperr.FieldErr("version", apperr.VersionRequired())
	}
	x, err := s.Complaints.Update(c.Request.Context(), id, v, complaint.Patch{Category: req.Category, Severity: req.Severity,
		Title: req.Title, Description: req.Description, UnitID: req.UnitID, OutletID: req.OutletID, ResponsibleID: req.ResponsibleID,
		ResponsibleName: req.ResponsibleName, CrisisPlan: req.CrisisPlan, Investigation: req.Investigation, RootCause: req.RootCause,
		RootCauseCategory: req.RootCauseCategory})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, complaintNow(x))
	return nil
}

// complaintStep binds a ComplaintStepRequest and runs step.
func (s *Server) complaintStep(c *gin.Context, step func(id uint64, version int64, note string) (complaint.Complaint, error)) error {
	var req ComplaintStepRequest
	return changeByID(c, &req, &req.Version, func(_ context.Context, id uint64, v int64) (complaint.Complaint, error) {
		return step(id, v, req.Note)
	}, complaintNow)
}

func (s *Server) acknowledgeComplaint(c *gin.Context) error {
	return s.complaintStep(c, func(id uint64, v int64, note string) (complaint.Complaint, error) {
		return s.Complaints.Acknowledge(c.Request.Context(), id, v, note)
	})
}

func (s *Server) investigateComplaint(c *gin.Context) error {
	return s.complaintStep(c, func(id uint64, v int64, note string) (complaint.Complaint, error) {
		return s.Complaints.StartInvestigation(c.Request.Context(), id, v, note)
	})
}

func (s *Server) escalateComplaint(c *gin.Context) error {
	return s.complaintStep(c, func(id uint64, v int64, note string) (complaint.Complaint, error) {
		return s.Complaints.Escalate(c.Request.Context(), id, v, note)
	})
}

func (s *Server) resolveComplaint(c *gin.Context) error {
	var req ResolveComplaintRequest
	return changeByID(c, &req, &req.Version, func(ctx context.Context, id uint64, v int64) (complaint.Complaint, error) {
		return s.Complaints.Resolve(ctx, id, v, complaint.Resolution{Resolution: req.Resolution, RootCause: req.RootCause,
			RootCauseCategory: req.RootCauseCategory, Investigation: req.Investigation})
	}, complaintNow)
}

func (s *Server) confirmComplaint(c *gin.Context) error {
	var req ConfirmComplaintRequest
	id, err := bindWithID(c, "id", &req)
	if err != nil {
		return err
	}
	if req.Accepted == nil {
		return apperr.FieldErr("accepted", apperr.InvalidFormat(apperr.FormatBoolean))
	}
	v, err := requestVersion(c, req.Version)
	if err != nil {
		return err
	}
	x, err := s.Complaints.Confirm(c.Request.Context(), id, v, *req.Accepted, req.Note)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, complaintNow(x))
	return nil
}

func (s *Server) closeComplaint(c *gin.Context) error {
	var req CloseComplaintRequest
	return changeByID(c, &req, &req.Version, func(ctx context.Context, id uint64, v int64) (complaint.Complaint, error) {
		return s.Complaints.Close(ctx, id, v, req.Note, req.WithoutConfirmationReason)
	}, complaintNow)
}

func (s *Server) complaintFollowupCall(c *gin.Context) error {
	var req ComplaintCallRequest
	id, err := bindWithID(c, "id", &req)
	if err != nil {
		return err
	}
	x, err := s.Complaints.RecordFollowupCall(c.Request.Context(), id, req.Outcome, req.Satisfied, req.Note)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, complaintNow(x))
	return nil
}

// ---- corrective actions

func (s *Server) listCorrectiveActions(c *gin.Context) error {
	page, size, err := paging(c, 20, 200)
	if err != nil {
		return err
	}
	f := capa.Filter{SourceKind: c.Query("source_kind"), Status: c.Query("status"), Sort: c.Query("sort"), Page: page, Size: size}
	if f.SourceID, err = queryOptionalUint(c, "source_id"); err != nil {
		return err
	}
	if f.OwnerID, err = queryOptionalUint(c, "owner_id"); err != nil {
		return err
	}
	overdue, err := queryBool(c, "overdue")
	if err != nil {
		return err
	}
	f.Overdue = overdue != nil && *overdue
	list, total, err := s.CorrectiveActions.List(c.Request.Context(), f)
	if err != nil {
		return err
	}
	today := s.CorrectiveActions.Today()
	items := make([]CorrectiveActionResponse, 0, len(list))
	for _, a := range list {
		items = append(items, correctiveActionResponse(a, today))
	}
	c.JSON(http.StatusOK, pageOf(items, total, page, size))
	return nil
}

func (s *Server) createCorrectiveAction(c *gin.Context) error {
	var req CreateCorrectiveActionRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	var due time.Time
	if strings.TrimSpace(req.DueDate) != "" {
		d, err := parseDate(req.DueDate, "due_date")
		if err != nil {
			return err
		}
		due = d
	}
	a, err := s.CorrectiveActions.Create(c.Request.Context(), capa.NewAction{SourceKind: req.SourceKind, SourceID: req.SourceID,
		Kind: req.Kind, Title: req.Title, Description: req.Description, OwnerID: req.OwnerID, OwnerName: req.OwnerName, DueDate: due})
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, correctiveActionResponse(a, s.CorrectiveActions.Today()))
	return nil
}

func (s *Server) getCorrectiveAction(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a, err := s.CorrectiveActions.Get(c.Request.Context(), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, correctiveActionResponse(a, s.CorrectiveActions.Today()))
	return nil
}

func (s *Server) patchCorrectiveAction(c *gin.Context) error {
	var req PatchCorrectiveActionRequest
	id, v, err := bindVersioned(c, "id", &req, &req.Version)
	if err != nil {
		return err
	}
	if v == 0 {
		return apperr.FieldErr("version", apperr.VersionRequired())
	}
	p := capa.Patch{Title: req.Title, Description: req.Description, OwnerID: req.OwnerID, OwnerName: req.OwnerName}
	if req.DueDate != nil {
		d, err := parseDate(*req.DueDate, "due_date")
		if err != nil {
			return err
		}
		p.DueDate = &d
	}
	a, err := s.CorrectiveActions.Update(c.Request.Context(), id, v, p)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, correctiveActionResponse(a, s.CorrectiveActions.Today()))
	return nil
}

func (s *Server) closeCorrectiveAction(c *gin.Context) error {
	var req CloseCorrectiveActionRequest
	id, v, err := bindVersioned(c, "id", &req, &req.Version)
	if err != nil {
		return err
	}
	a, err := s.CorrectiveActions.Close(c.Request.Context(), id, v, req.Note)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, correctiveActionResponse(a, s.CorrectiveActions.Today()))
	return nil
}

func (s *Server) checkCorrectiveAction(c *gin.Context) error {
	var req EffectivenessCheckRequest
	id, err := bindWithID(c, "id", &req)
	if err != nil {
		return err
	}
	if req.Effective == nil {
		return apperr.FieldErr("effective", apperr.InvalidFormat(apperr.FormatBoolean))
	}
	v, err := requestVersion(c, req.Version)
	if err != nil {
		return err
	}
	a, err := s.CorrectiveActions.CheckEffectiveness(c.Request.Context(), id, v, *req.Effective, req.Note)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, correctiveActionResponse(a, s.CorrectiveActions.Today()))
	return nil
}

// ---- crisis drills

func drillResponse(d complaint.Drill) CrisisDrillResponse {
	return CrisisDrillResponse{ID: d.ID, HeldOn: d.HeldOn.Format(time.DateOnly), Scenario: d.Scenario, Participants: d.Participants,
		Findings: d.Findings, ComplaintID: d.ComplaintID, CreatedBy: d.CreatedBy, CreatedAt: d.CreatedAt}
}

func (s *Server) listCrisisDrills(c *gin.Context) error {
	page, size, err := paging(c, 20, 200)
	if err != nil {
		return err
	}
	var from, to time.Time
	if v := c.Query("from"); v != "" {
		if from, err = time.Parse(time.DateOnly, v); err != nil {
			return fieldErr("from", apperr.InvalidFormat(apperr.FormatDate))
		}
	}
	if v := c.Query("to"); v != "" {
		if to, err = time.Parse(time.DateOnly, v); err != nil {
			return fieldErr("to", apperr.InvalidFormat(apperr.FormatDate))
		}
	}
	list, total, err := s.Complaints.ListDrills(c.Request.Context(), from, to, page, size)
	if err != nil {
		return err
	}
	items := views(list, drillResponse)
	c.JSON(http.StatusOK, pageOf(items, total, page, size))
	return nil
}

func (s *Server) createCrisisDrill(c *gin.Context) error {
	var req CreateCrisisDrillRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	var held time.Time
	if strings.TrimSpace(req.HeldOn) != "" {
		d, err := parseDate(req.HeldOn, "held_on")
		if err != nil {
			return err
		}
		held = d
	}
	d, err := s.Complaints.RecordDrill(c.Request.Context(), complaint.NewDrill{HeldOn: held, Scenario: req.Scenario,
		Participants: req.Participants, Findings: req.Findings, ComplaintID: req.ComplaintID})
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, drillResponse(d))
	return nil
}

// ---- KPI

// ComplaintKPIResponse is the complaint KPI of a period, with the
// corrective actions raised from complaints in it.
type ComplaintKPIResponse struct {
	complaint.KPI
	CorrectiveActions capa.Stats `json:"corrective_actions"`
}

func (s *Server) complaintKPI(c *gin.Context) error {
	from, to, err := s.queryPeriod(c)
	if err != nil {
		return err
	}
	k, err := s.Complaints.KPI(c.Request.Context(), from, to)
	if err != nil {
		return err
	}
	st, err := s.CorrectiveActions.PeriodStats(c.Request.Context(), "", from, to)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, ComplaintKPIResponse{KPI: k, CorrectiveActions: st})
	return nil
}
