package httpapi

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/survey"
)

// ---- request and response types

// SurveyQuestionInput is one question of a template.
type SurveyQuestionInput struct {
	Code     string `json:"code"`   // a-z0-9_, unique in the template
	Text     string `json:"text"`   // the question as the customer reads it
	Type     string `json:"type"`   // csat (1–5), nps (0–10), yes_no, text
	Target   string `json:"target"` // overall (default), agent, technician, product, other
	Required *bool  `json:"required"`
}

// SurveyTemplateRequest creates (POST) or replaces (PUT, version required)
// a survey template with its questions.
type SurveyTemplateRequest struct {
	Version   int64                 `json:"version"`
	Name      string                `json:"name"`
	Kind      string                `json:"kind"` // transactional or relationship
	Intro     string                `json:"intro"`
	Active    *bool                 `json:"active"`
	Questions []SurveyQuestionInput `json:"questions"`
}

// SurveyQuestionResponse is one question as shown.
type SurveyQuestionResponse struct {
	Code     string `json:"code"`
	Text     string `json:"text"`
	Type     string `json:"type"`
	Target   string `json:"target"`
	Required bool   `json:"required"`
	Min      *int   `json:"min,omitempty"`
	Max      *int   `json:"max,omitempty"`
}

// SurveyTemplateResponse is the API image of a template.
type SurveyTemplateResponse struct {
	ID        uint64                   `json:"id"`
	Name      string                   `json:"name"`
	Kind      string                   `json:"kind"`
	Intro     string                   `json:"intro"`
	Active    bool                     `json:"active"`
	Questions []SurveyQuestionResponse `json:"questions,omitempty"`
	Version   int64                    `json:"version"`
	CreatedAt time.Time                `json:"created_at"`
	UpdatedAt time.Time                `json:"updated_at"`
}

func questionResponses(qs []survey.Question) []SurveyQuestionResponse {
	out := make([]SurveyQuestionResponse, 0, len(qs))
	for _, q := range qs {
		r := SurveyQuestionResponse{Code: q.Code, Text: q.Text, Type: q.Type, Target: q.Target, Required: q.Required}
		if lo, hi, ok := survey.Scale(q.Type); ok {
			r.Min, r.Max = &lo, &hi
		}
		out = append(out, r)
	}
	return out
}

func templateResponse(t survey.Template) SurveyTemplateResponse {
	r := SurveyTemplateResponse{ID: t.ID, Name: t.Name, Kind: t.Kind, Intro: t.Intro, Active: t.Active, Version: t.Version,
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
	if t.Questions != nil {
		r.Questions = questionResponses(t.Questions)
	}
	return r
}

// CreateSurveyInvitationRequest invites a customer by hand. A link is
// issued at once and its URL returned once; a phone invitation queues a 回访.
type CreateSurveyInvitationRequest struct {
	TemplateID   uint64  `json:"template_id"` // 0: the active template of the kind
	Kind         string  `json:"kind"`        // transactional (default; needs ticket_id) or relationship
	Channel      string  `json:"channel"`     // link or phone
	CustomerID   uint64  `json:"customer_id"`
	TicketID     *uint64 `json:"ticket_id"`
	TicketNumber string  `json:"ticket_number"`
	UnitID       *uint64 `json:"unit_id"`
	OutletID     *uint64 `json:"outlet_id"`
	AgentID      *uint64 `json:"agent_id"` // the ticket's agent, who may not make the 回访
	TechnicianID *uint64 `json:"technician_id"`
}

// SurveyInvitationResponse is the API image of an invitation. Link is set
// only in the answer that issued it: the token is never stored.
type SurveyInvitationResponse struct {
	ID           uint64     `json:"id"`
	TemplateID   uint64     `json:"template_id"`
	Kind         string     `json:"kind"`
	Channel      string     `json:"channel"`
	Status       string     `json:"status"`
	TicketID     *uint64    `json:"ticket_id"`
	TicketNumber string     `json:"ticket_number,omitempty"`
	WorkOrderID  *uint64    `json:"work_order_id"`
	CustomerID   uint64     `json:"customer_id"`
	UnitID       *uint64    `json:"unit_id"`
	OutletID     *uint64    `json:"outlet_id"`
	AgentID      *uint64    `json:"agent_id"`
	TechnicianID *uint64    `json:"technician_id"`
	ClosedAt     *time.Time `json:"closed_at"`
	SendAt       time.Time  `json:"send_at"`
	SentAt       *time.Time `json:"sent_at"`
	ExpiresAt    *time.Time `json:"expires_at"`
	AnsweredAt   *time.Time `json:"answered_at"`
	ResponseID   *uint64    `json:"response_id"`
	Link         string     `json:"link,omitempty"`
	Version      int64      `json:"version"`
	CreatedAt    time.Time  `json:"created_at"`
}

func invitationResponse(i survey.Invitation, now time.Time) SurveyInvitationResponse {
	return SurveyInvitationResponse{ID: i.ID, TemplateID: i.TemplateID, Kind: i.Kind, Channel: i.Channel, Status: i.EffectiveStatus(now),
		TicketID: i.TicketID, TicketNumber: i.TicketNumber, WorkOrderID: i.WorkOrderID, CustomerID: i.CustomerID, UnitID: i.UnitID,
		OutletID: i.OutletID, AgentID: i.AgentID, TechnicianID: i.TechnicianID, ClosedAt: i.ClosedAt, SendAt: i.SendAt, SentAt: i.SentAt,
		ExpiresAt: i.ExpiresAt, AnsweredAt: i.AnsweredAt, ResponseID: i.ResponseID, Version: i.Version, CreatedAt: i.CreatedAt}
}

// SurveyResponseResponse is the API image of a recorded response.
type SurveyResponseResponse struct {
	ID              uint64          `json:"id"`
	InvitationID    uint64          `json:"invitation_id"`
	FollowupID      *uint64         `json:"followup_id"`
	TemplateID      uint64          `json:"template_id"`
	Kind            string          `json:"kind"`
	Channel         string          `json:"channel"`
	TicketID        *uint64         `json:"ticket_id"`
	CustomerID      uint64          `json:"customer_id"`
	UnitID          *uint64         `json:"unit_id"`
	OutletID        *uint64         `json:"outlet_id"`
	AgentID         *uint64         `json:"agent_id"`
	TechnicianID    *uint64         `json:"technician_id"`
	AnsweredAt      time.Time       `json:"answered_at"`
	CSAT            *int            `json:"csat"`
	NPS             *int            `json:"nps"`
	AgentScore      *int            `json:"agent_score"`
	TechnicianScore *int            `json:"technician_score"`
	MinScore        *int            `json:"min_score"`
	Dissatisfied    bool            `json:"dissatisfied"`
	Action          string          `json:"action,omitempty"`
	ActionStatus    string          `json:"action_status,omitempty"`
	ComplaintID     *uint64         `json:"complaint_id"`
	Answers         []survey.Answer `json:"answers"`
	Comment         string          `json:"comment,omitempty"`
	RecordedBy      string          `json:"recorded_by"`
}

func responseResponse(r survey.Response) SurveyResponseResponse {
	out := SurveyResponseResponse{ID: r.ID, InvitationID: r.InvitationID, FollowupID: r.FollowupID, TemplateID: r.TemplateID, Kind: r.Kind,
		Channel: r.Channel, TicketID: r.TicketID, CustomerID: r.CustomerID, UnitID: r.UnitID, OutletID: r.OutletID, AgentID: r.AgentID,
		TechnicianID: r.TechnicianID, AnsweredAt: r.AnsweredAt, CSAT: r.Csat, NPS: r.Nps, AgentScore: r.AgentScore,
		TechnicianScore: r.TechnicianScore, MinScore: r.MinScore, Dissatisfied: r.Dissatisfied, Action: r.Action,
		ActionStatus: r.ActionStatus, ComplaintID: r.ComplaintID, Answers: []survey.Answer{}, Comment: r.Comment, RecordedBy: r.RecordedBy}
	_ = json.Unmarshal([]byte(r.Answers), &out.Answers)
	return out
}

// FollowupResponse is one entry of the 回访 queue.
type FollowupResponse struct {
	ID               uint64     `json:"id"`
	Kind             string     `json:"kind"`
	Status           string     `json:"status"`
	InvitationID     *uint64    `json:"invitation_id"`
	ResponseID       *uint64    `json:"response_id"`
	SourceResponseID *uint64    `json:"source_response_id"`
	TemplateID       uint64     `json:"template_id"`
	TicketID         *uint64    `json:"ticket_id"`
	TicketNumber     string     `json:"ticket_number,omitempty"`
	CustomerID       uint64     `json:"customer_id"`
	UnitID           *uint64    `json:"unit_id"`
	OutletID         *uint64    `json:"outlet_id"`
	AgentID          *uint64    `json:"agent_id"`
	CallableByMe     bool       `json:"callable_by_me"`
	ClosedAt         *time.Time `json:"closed_at"`
	DueAt            time.Time  `json:"due_at"`
	Late             bool       `json:"late"`
	Attempts         int        `json:"attempts"`
	MaxAttempts      int        `json:"max_attempts"`
	LastAttemptAt    *time.Time `json:"last_attempt_at"`
	LastOutcome      string     `json:"last_outcome,omitempty"`
	CompletedAt      *time.Time `json:"completed_at"`
	CompletedBy      string     `json:"completed_by,omitempty"`
	Note             string     `json:"note,omitempty"`
	Version          int64      `json:"version"`
	CreatedAt        time.Time  `json:"created_at"`
}

func (s *Server) followupResponse(f survey.Followup, me uint64, now time.Time) FollowupResponse {
	return FollowupResponse{ID: f.ID, Kind: f.Kind, Status: f.Status, InvitationID: f.InvitationID, ResponseID: f.ResponseID,
		SourceResponseID: f.SourceResponseID, TemplateID: f.TemplateID, TicketID: f.TicketID, TicketNumber: f.TicketNumber,
		CustomerID: f.CustomerID, UnitID: f.UnitID, OutletID: f.OutletID, AgentID: f.AgentID,
		CallableByMe: f.Status == survey.FUDue && (f.AgentID == nil || *f.AgentID != me), ClosedAt: f.ClosedAt, DueAt: f.DueAt,
		Late: f.Late(now), Attempts: f.Attempts, MaxAttempts: s.Surveys.Settings().MaxAttempts, LastAttemptAt: f.LastAttemptAt,
		LastOutcome: f.LastOutcome, CompletedAt: f.CompletedAt, CompletedBy: f.CompletedBy, Note: f.Note, Version: f.Version, CreatedAt: f.CreatedAt}
}

// FollowupAttemptResponse is one call of a follow-up.
type FollowupAttemptResponse struct {
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`
	Outcome string    `json:"outcome"`
	Note    string    `json:"note,omitempty"`
}

// FollowupDetailResponse is a follow-up with its script and attempts.
type FollowupDetailResponse struct {
	FollowupResponse
	Script         SurveyTemplateResponse    `json:"script"`
	AttemptsLog    []FollowupAttemptResponse `json:"attempts_log"`
	SourceResponse *SurveyResponseResponse   `json:"source_response,omitempty"`
}

// FollowupAttemptRequest records one call. answers (question code → value)
// are required when a 回访 reached the customer.
type FollowupAttemptRequest struct {
	Version int64          `json:"version"`
	Outcome string         `json:"outcome"` // reached, no_answer, busy, wrong_number, refused
	Answers map[string]any `json:"answers"`
	Comment string         `json:"comment"`
	Note    string         `json:"note"`
}

// FollowupAttemptResult is the follow-up after the call, and the response
// recorded by it, if any.
type FollowupAttemptResult struct {
	Followup FollowupResponse        `json:"followup"`
	Response *SurveyResponseResponse `json:"response,omitempty"`
}

// PublicSurveyResponse is the form behind a survey link: questions, never a
// pre-filled answer.
type PublicSurveyResponse struct {
	Name         string                   `json:"name"`
	Intro        string                   `json:"intro"`
	TicketNumber string                   `json:"ticket_number,omitempty"`
	ExpiresAt    *time.Time               `json:"expires_at"`
	Questions    []SurveyQuestionResponse `json:"questions"`
}

// PublicSurveySubmitRequest is the customer's answers: question code → value
// (a whole number for csat/nps, true/false for yes_no, text for text).
type PublicSurveySubmitRequest struct {
	Answers map[string]any `json:"answers"`
	Comment string         `json:"comment"`
}

// ---- templates

func templateInput(req SurveyTemplateRequest) survey.TemplateInput {
	in := survey.TemplateInput{Name: req.Name, Kind: req.Kind, Intro: req.Intro, Active: req.Active == nil || *req.Active}
	for _, q := range req.Questions {
		in.Questions = append(in.Questions, survey.Question{Code: q.Code, Text: q.Text, Type: q.Type, Target: q.Target,
			Required: q.Required == nil || *q.Required})
	}
	return in
}

func (s *Server) listSurveyTemplates(c *gin.Context) error {
	active, err := queryBool(c, "active")
	if err != nil {
		return err
	}
	kind := c.Query("kind")
	if kind != "" && kind != survey.KindTransactional && kind != survey.KindRelationship {
		return fieldErr("kind", apperr.OneOf("transactional", "relationship"))
	}
	list, err := s.Surveys.ListTemplates(c.Request.Context(), kind, active != nil && *active)
	if err != nil {
		return err
	}
	items := views(list, templateResponse)
	c.JSON(http.StatusOK, listOf(items))
	return nil
}

func (s *Server) createSurveyTemplate(c *gin.Context) error {
	var req SurveyTemplateRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	return answerWith(c, http.StatusCreated, templateResponse)(s.Surveys.CreateTemplate(c.Request.Context(), templateInput(req)))
}

func (s *Server) getSurveyTemplate(c *gin.Context) error {
	return answerByID(c, http.StatusOK, s.Surveys.GetTemplate, templateResponse)
}

func (s *Server) putSurveyTemplate(c *gin.Context) error {
	var req SurveyTemplateRequest
	id, v, err := bindVersioned(c, "id", &req, &req.Version)
	if err != nil {
		return err
	}
	if v == 0 {
		return apperr.FieldErr("version", apperr.VersionRequired())
	}
	return answerWith(c, http.StatusOK, templateResponse)(s.Surveys.UpdateTemplate(c.Request.Context(), id, v, templateInput(req)))
}

// ---- invitations and responses

func (s *Server) listSurveyInvitations(c *gin.Context) error {
	f := survey.InvitationFilter{Status: c.Query("status"), Channel: c.Query("channel")}
	var err error
	if f.TicketID, err = queryOptionalUint(c, "ticket_id"); err != nil {
		return err
	}
	if f.CustomerID, err = queryOptionalUint(c, "customer_id"); err != nil {
		return err
	}
	before, err := queryOptionalUint(c, "before_id")
	if err != nil {
		return err
	}
	if before != nil {
		f.BeforeID = *before
	}
	_, size, err := paging(c, 50, 200)
	if err != nil {
		return err
	}
	f.Size = size
	list, err := s.Surveys.ListInvitations(c.Request.Context(), f)
	if err != nil {
		return err
	}
	now := s.Surveys.Now()
	items := make([]SurveyInvitationResponse, 0, len(list))
	for _, i := range list {
		items = append(items, invitationResponse(i, now))
	}
	next := nextBeforeID(list, size, func(x survey.Invitation) uint64 { return x.ID })
	c.JSON(http.StatusOK, keysetOf(items, next))
	return nil
}

func (s *Server) createSurveyInvitation(c *gin.Context) error {
	var req CreateSurveyInvitationRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	inv, link, err := s.Surveys.Invite(c.Request.Context(), survey.InviteInput{TemplateID: req.TemplateID, Kind: req.Kind, Channel: req.Channel,
		CustomerID: req.CustomerID, TicketID: req.TicketID, TicketNumber: req.TicketNumber, UnitID: req.UnitID, OutletID: req.OutletID,
		AgentID: req.AgentID, TechnicianID: req.TechnicianID})
	if err != nil {
		return err
	}
	out := invitationResponse(inv, s.Surveys.Now())
	out.Link = link
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, out)
	return nil
}

func (s *Server) issueSurveyLink(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	inv, link, err := s.Surveys.IssueLink(c.Request.Context(), id)
	if err != nil {
		return err
	}
	out := invitationResponse(inv, s.Surveys.Now())
	out.Link = link
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, out)
	return nil
}

func (s *Server) listSurveyResponses(c *gin.Context) error {
	f := survey.ResponseFilter{Channel: c.Query("channel")}
	var err error
	if f.From, err = s.queryInstant(c, "from", false); err != nil {
		return err
	}
	if f.To, err = s.queryInstant(c, "to", true); err != nil {
		return err
	}
	for name, dst := range map[string]**uint64{"ticket_id": &f.TicketID, "customer_id": &f.CustomerID, "unit_id": &f.UnitID} {
		if *dst, err = queryOptionalUint(c, name); err != nil {
			return err
		}
	}
	if f.Dissatisfied, err = queryBool(c, "dissatisfied"); err != nil {
		return err
	}
	before, err := queryOptionalUint(c, "before_id")
	if err != nil {
		return err
	}
	if before != nil {
		f.BeforeID = *before
	}
	_, size, err := paging(c, 50, 200)
	if err != nil {
		return err
	}
	f.Size = size
	list, err := s.Surveys.ListResponses(c.Request.Context(), f)
	if err != nil {
		return err
	}
	items := views(list, responseResponse)
	next := nextBeforeID(list, size, func(x survey.Response) uint64 { return x.ID })
	c.JSON(http.StatusOK, keysetOf(items, next))
	return nil
}

func (s *Server) getSurveyResponse(c *gin.Context) error {
	return answerByID(c, http.StatusOK, s.Surveys.GetResponse, responseResponse)
}

// ---- follow-ups (回访)

func (s *Server) listFollowups(c *gin.Context) error {
	page, size, err := paging(c, 20, 200)
	if err != nil {
		return err
	}
	f := survey.FollowupFilter{Status: c.Query("status"), Kind: c.Query("kind"), Page: page, Size: size}
	if f.TicketID, err = queryOptionalUint(c, "ticket_id"); err != nil {
		return err
	}
	overdue, err := queryBool(c, "overdue")
	if err != nil {
		return err
	}
	f.Overdue = overdue != nil && *overdue
	me := actor.From(c.Request.Context()).UserID
	excl, err := queryBool(c, "exclude_own")
	if err != nil {
		return err
	}
	if excl != nil && *excl {
		f.ExcludeAgent = me
	}
	list, total, err := s.Surveys.ListFollowups(c.Request.Context(), f)
	if err != nil {
		return err
	}
	now := s.Surveys.Now()
	items := make([]FollowupResponse, 0, len(list))
	for _, x := range list {
		items = append(items, s.followupResponse(x, me, now))
	}
	c.JSON(http.StatusOK, pageOf(items, total, page, size))
	return nil
}

func (s *Server) getFollowup(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	d, err := s.Surveys.GetFollowup(c.Request.Context(), id)
	if err != nil {
		return err
	}
	me := actor.From(c.Request.Context()).UserID
	out := FollowupDetailResponse{FollowupResponse: s.followupResponse(d.Followup, me, s.Surveys.Now()), Script: templateResponse(d.Script),
		AttemptsLog: []FollowupAttemptResponse{}}
	for _, a := range d.Attempts {
		out.AttemptsLog = append(out.AttemptsLog, FollowupAttemptResponse{At: a.At, Actor: a.ActorName, Outcome: a.Outcome, Note: a.Note})
	}
	if d.Source != nil {
		r := responseResponse(*d.Source)
		out.SourceResponse = &r
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (s *Server) recordFollowupAttempt(c *gin.Context) error {
	var req FollowupAttemptRequest
	id, v, err := bindVersioned(c, "id", &req, &req.Version)
	if err != nil {
		return err
	}
	fu, resp, err := s.Surveys.RecordAttempt(c.Request.Context(), id, survey.AttemptInput{Outcome: req.Outcome, Answers: req.Answers,
		Comment: req.Comment, Note: req.Note, Version: v})
	if err != nil {
		return err
	}
	out := FollowupAttemptResult{Followup: s.followupResponse(fu, actor.From(c.Request.Context()).UserID, s.Surveys.Now())}
	if resp != nil {
		r := responseResponse(*resp)
		out.Response = &r
	}
	c.JSON(http.StatusOK, out)
	return nil
}

// ---- KPI

func (s *Server) surveyKPI(c *gin.Context) error {
	from, to, err := s.queryPeriod(c)
	if err != nil {
		return err
	}
	k, err := s.Surveys.KPI(c.Request.Context(), from, to)
	return respond(c, http.StatusOK, k, err)
}

// ---- the customer's public survey page

// publicSurvey shows the form of a link. It never records anything: mail
// scanners and chat previews open links.
func (s *Server) publicSurvey(c *gin.Context) error {
	c.Header("Cache-Control", "no-store")
	c.Header("Referrer-Policy", "no-referrer")
	f, err := s.Surveys.PublicForm(c.Request.Context(), c.Param("token"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, PublicSurveyResponse{Name: f.Template.Name, Intro: f.Template.Intro, TicketNumber: f.TicketNumber,
		ExpiresAt: f.ExpiresAt, Questions: questionResponses(f.Template.Questions)})
	return nil
}

// submitPublicSurvey records the customer's answers once.
func (s *Server) submitPublicSurvey(c *gin.Context) error {
	c.Header("Cache-Control", "no-store")
	c.Header("Referrer-Policy", "no-referrer")
	var req PublicSurveySubmitRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if req.Answers == nil {
		// Checked by the service after the token, so an expired link says so
		// before complaining about the body.
		req.Answers = map[string]any{}
	}
	if _, err := s.Surveys.SubmitPublic(c.Request.Context(), strings.TrimSpace(c.Param("token")), req.Answers, req.Comment); err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"status": "recorded", "message": "感谢您的评价！"})
	return nil
}
