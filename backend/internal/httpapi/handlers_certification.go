package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/attachment"
	"github.com/aftersales/aftersales/backend/internal/certification"
)

// Evidence library, certification cycles and audits, audit packs.

// EvidenceApproveRequest approves a document version.
type EvidenceApproveRequest struct {
	Version int64 `json:"version"`
}

// EvidenceDatesRequest corrects a document's dates.
type EvidenceDatesRequest struct {
	EffectiveOn string  `json:"effective_on"`
	ExpiresOn   *string `json:"expires_on"`
	Version     int64   `json:"version"`
}

// CycleRequest starts a certification cycle.
type CycleRequest struct {
	Kind            string  `json:"kind"`
	PreviousCycleID *uint64 `json:"previous_cycle_id"`
	Body            string  `json:"body"`
	Responsible     string  `json:"responsible"`
	AppliedOn       *string `json:"applied_on"`
	Notes           string  `json:"notes"`
}

// CycleUpdateRequest edits a cycle's body, responsible person and notes.
type CycleUpdateRequest struct {
	Body        *string `json:"body"`
	Responsible *string `json:"responsible"`
	Notes       *string `json:"notes"`
	Version     int64   `json:"version"`
}

// CycleAdvanceRequest moves a cycle to its next step.
type CycleAdvanceRequest struct {
	To            string  `json:"to"`
	On            *string `json:"on"`
	CertificateNo string  `json:"certificate_no"`
	Note          string  `json:"note"`
	Version       int64   `json:"version"`
}

// AuditScheduleRequest agrees an audit's date and people.
type AuditScheduleRequest struct {
	ScheduledOn *string `json:"scheduled_on"`
	LeadAuditor *string `json:"lead_auditor"`
	Responsible *string `json:"responsible"`
	Version     int64   `json:"version"`
}

// AuditResultRequest is the auditor's result.
type AuditResultRequest struct {
	HeldOn      string   `json:"held_on"`
	Score       *float64 `json:"score"`
	Band        string   `json:"band"`
	Findings    string   `json:"findings"`
	LeadAuditor string   `json:"lead_auditor"`
	Version     int64    `json:"version"`
	// Indicators are the auditor's points per leaf clause, when the
	// report gives them; they calibrate the projection
	// (GET /api/v1/readiness/calibration).
	Indicators map[string]float64 `json:"indicators"`
}

// AuditPackRequest asks for an audit pack of an observation window.
type AuditPackRequest struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// EvidenceResponse is one document version with its freshness today.
type EvidenceResponse struct {
	ID           uint64     `json:"id"`
	ChainID      uint64     `json:"chain_id"`
	Revision     int        `json:"revision"`
	SupersedesID *uint64    `json:"supersedes_id"`
	DocType      string     `json:"doc_type"`
	Title        string     `json:"title"`
	Description  string     `json:"description"`
	EffectiveOn  string     `json:"effective_on"`
	ExpiresOn    *string    `json:"expires_on"`
	Approver     string     `json:"approver"`
	ApprovedAt   *time.Time `json:"approved_at"`
	ApprovedBy   string     `json:"approved_by"`
	SHA256       string     `json:"sha256"`
	Size         int64      `json:"size"`
	ContentType  string     `json:"content_type"`
	FileName     string     `json:"file_name"`
	UploadedBy   string     `json:"uploaded_by"`
	CreatedAt    time.Time  `json:"created_at"`
	Version      int64      `json:"version"`
	// Freshness is draft, not_yet_effective, in_force, expiring, expired
	// or superseded, derived from the dates now.
	Freshness string   `json:"freshness"`
	Clauses   []string `json:"clauses"`
}

func evidenceResponse(v certification.DocumentView) EvidenceResponse {
	r := EvidenceResponse{ID: v.ID, ChainID: v.ChainID, Revision: v.Revision, SupersedesID: v.SupersedesID, DocType: v.DocType, Title: v.Title,
		Description: v.Description, EffectiveOn: v.EffectiveAt.Format(time.DateOnly), Approver: v.Approver, ApprovedAt: v.ApprovedAt,
		ApprovedBy: v.ApprovedBy, SHA256: v.SHA256, Size: v.Size, ContentType: v.ContentType, FileName: v.FileName, UploadedBy: v.UploadedBy,
		CreatedAt: v.CreatedAt, Version: v.Version, Freshness: v.Freshness, Clauses: nonNilStrings(v.Clauses)}
	if v.ExpiresAt != nil {
		e := v.ExpiresAt.Format(time.DateOnly)
		r.ExpiresOn = &e
	}
	return r
}

// GET /api/v1/evidence?type=&history=true
func (s *Server) listEvidence(c *gin.Context) error {
	list, err := s.Certification.Documents(c.Request.Context(), c.Query("type"), c.Query("history") == "true")
	if err != nil {
		return err
	}
	items := views(list, evidenceResponse)
	c.JSON(http.StatusOK, gin.H{"items": items, "allowed_extensions": certification.AllowedExtensions()})
	return nil
}

// GET /api/v1/evidence/types — every document type of the standard and
// what counts for it today.
func (s *Server) evidenceTypes(c *gin.Context) error {
	list, err := s.Certification.TypeStatus(c.Request.Context())
	if err != nil {
		return err
	}
	items := make([]gin.H, 0, len(list))
	for _, t := range list {
		item := gin.H{"type": t.Type, "label": t.Label, "clauses": nonNilStrings(t.Clauses), "status": t.Status, "current": nil, "latest": nil}
		if t.Current != nil {
			item["current"] = evidenceResponse(*t.Current)
		}
		if t.Latest != nil {
			item["latest"] = evidenceResponse(*t.Latest)
		}
		items = append(items, item)
	}
	c.JSON(http.StatusOK, listOf(items))
	return nil
}

// POST /api/v1/evidence — multipart/form-data with fields doc_type, title,
// description, effective_on, expires_on, approver, supersedes_id and the
// file in "file". A refused upload says why: 413 file_too_large, 415
// file_type_not_accepted or content_mismatch (content not matching the
// name), 422 for the fields.
func (s *Server) uploadEvidence(c *gin.Context) error {
	if !strings.HasPrefix(c.GetHeader("Content-Type"), "multipart/form-data") {
		return apperr.Invalid("send the document as multipart/form-data with the file in the field \"file\"")
	}
	limit := s.Certification.MaxUploadBytes()
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit+1<<20)
	if err := c.Request.ParseMultipartForm(8 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return attachment.TooLarge(limit)
		}
		return apperr.Invalid("malformed multipart form: " + err.Error())
	}
	defer func() {
		if c.Request.MultipartForm != nil {
			_ = c.Request.MultipartForm.RemoveAll()
		}
	}()
	form := func(k string) string { return strings.TrimSpace(c.Request.FormValue(k)) }
	in := certification.UploadInput{DocType: form("doc_type"), Title: form("title"), Description: form("description"), Approver: form("approver")}
	fields := apperr.Fields{}
	if v := form("effective_on"); v != "" {
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			fields["effective_on"] = apperr.InvalidFormat(apperr.FormatDate)
		}
		in.EffectiveOn = t
	}
	if v := form("expires_on"); v != "" {
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			fields["expires_on"] = apperr.InvalidFormat(apperr.FormatDate)
		}
		in.ExpiresOn = &t
	}
	if v := form("supersedes_id"); v != "" {
		var id uint64
		if _, err := fmt.Sscan(v, &id); err != nil || id == 0 {
			fields["supersedes_id"] = apperr.InvalidFormat(apperr.FormatPositiveInteger)
		}
		in.SupersedesID = &id
	}
	file, header, err := c.Request.FormFile("file")
	if err != nil {
		fields["file"] = apperr.Required()
	}
	if len(fields) > 0 {
		return apperr.FieldsErr(fields)
	}
	defer file.Close()
	if header.Size > limit {
		return attachment.TooLarge(limit)
	}
	in.FileName, in.Content = header.Filename, file
	d, err := s.Certification.Upload(c.Request.Context(), in)
	if err != nil {
		return err
	}
	detail, err := s.Certification.DocumentByID(c.Request.Context(), d.ID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, evidenceResponse(detail.DocumentView))
	return nil
}

// GET /api/v1/evidence/:id — a document with all versions of its chain.
func (s *Server) getEvidence(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	d, err := s.Certification.DocumentByID(c.Request.Context(), id)
	if err != nil {
		return err
	}
	versions := make([]EvidenceResponse, 0, len(d.Versions))
	for _, v := range d.Versions {
		versions = append(versions, evidenceResponse(v))
	}
	c.JSON(http.StatusOK, gin.H{"document": evidenceResponse(d.DocumentView), "versions": versions})
	return nil
}

// GET /api/v1/evidence/:id/download — the stored file, as an attachment,
// never rendered inline.
func (s *Server) downloadEvidence(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	d, path, err := s.Certification.File(c.Request.Context(), id)
	if err != nil {
		return err
	}
	sendFileAttachment(c, path, d.FileName, d.ContentType)
	return nil
}

func sendFileAttachment(c *gin.Context, path, name, contentType string) {
	ascii := strings.Map(func(r rune) rune {
		if r < 32 || r > 126 || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, filepath.Base(name))
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, url.PathEscape(filepath.Base(name))))
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Cache-Control", "private, no-store")
	c.Header("Content-Type", contentType)
	c.File(path)
}

// POST /api/v1/evidence/:id/approve
func (s *Server) approveEvidence(c *gin.Context) error {
	var req EvidenceApproveRequest
	id, version, err := bindOptionalVersioned(c, "id", &req, &req.Version)
	if err != nil {
		return err
	}
	if _, err := s.Certification.Approve(c.Request.Context(), id, version); err != nil {
		return err
	}
	return s.evidenceDetail(c, id)
}

// PATCH /api/v1/evidence/:id — correct the effective and expiry dates.
func (s *Server) patchEvidence(c *gin.Context) error {
	var req EvidenceDatesRequest
	id, err := bindWithID(c, "id", &req)
	if err != nil {
		return err
	}
	eff, err := readinessDay(req.EffectiveOn, "effective_on")
	if err != nil {
		return err
	}
	exp, err := readinessDayPtr(req.ExpiresOn, "expires_on")
	if err != nil {
		return err
	}
	version, err := requestVersion(c, req.Version)
	if err != nil {
		return err
	}
	if _, err := s.Certification.UpdateDates(c.Request.Context(), id, version, eff, exp); err != nil {
		return err
	}
	return s.evidenceDetail(c, id)
}

func (s *Server) evidenceDetail(c *gin.Context, id uint64) error {
	d, err := s.Certification.DocumentByID(c.Request.Context(), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, evidenceResponse(d.DocumentView))
	return nil
}

// AuditResponse is one audit of a cycle, with the auditor's result beside
// our projection for the same date.
type AuditResponse struct {
	ID          uint64   `json:"id"`
	CycleID     uint64   `json:"cycle_id"`
	Kind        string   `json:"kind"`
	Seq         int      `json:"seq"`
	DueOn       string   `json:"due_on"`
	WindowFrom  *string  `json:"window_from"`
	WindowTo    *string  `json:"window_to"`
	ScheduledOn *string  `json:"scheduled_on"`
	HeldOn      *string  `json:"held_on"`
	Status      string   `json:"status"`
	LeadAuditor string   `json:"lead_auditor"`
	Responsible string   `json:"responsible"`
	Score       *float64 `json:"score"`
	Band        string   `json:"band"`
	Findings    string   `json:"findings"`
	Projected   *struct {
		Score float64 `json:"score"`
		Low   float64 `json:"low"`
		High  float64 `json:"high"`
		Band  string  `json:"band"`
		// Error is our projection minus the auditor's score.
		Error *float64 `json:"error"`
	} `json:"projected"`
	Version int64 `json:"version"`
}

func dayString(t *time.Time) *string {
	if t == nil {
		return nil
	}
	v := t.Format(time.DateOnly)
	return &v
}

func auditResponse(a certification.Audit) AuditResponse {
	r := AuditResponse{ID: a.ID, CycleID: a.CycleID, Kind: a.Kind, Seq: a.Seq, DueOn: a.DueOn.Format(time.DateOnly), WindowFrom: dayString(a.WindowFrom),
		WindowTo: dayString(a.WindowTo), ScheduledOn: dayString(a.ScheduledOn), HeldOn: dayString(a.HeldOn), Status: a.Status,
		LeadAuditor: a.LeadAuditor, Responsible: a.Responsible, Score: a.Score, Band: a.Band, Findings: a.Findings, Version: a.Version}
	if a.ProjectedScore != nil {
		r.Projected = &struct {
			Score float64  `json:"score"`
			Low   float64  `json:"low"`
			High  float64  `json:"high"`
			Band  string   `json:"band"`
			Error *float64 `json:"error"`
		}{Score: *a.ProjectedScore, Band: a.ProjectedBand}
		if a.ProjectedLow != nil {
			r.Projected.Low = *a.ProjectedLow
		}
		if a.ProjectedHigh != nil {
			r.Projected.High = *a.ProjectedHigh
		}
		if a.Score != nil {
			e := *a.ProjectedScore - *a.Score
			r.Projected.Error = &e
		}
	}
	return r
}

// CycleResponse is a certification cycle with its audits.
type CycleResponse struct {
	ID              uint64          `json:"id"`
	Kind            string          `json:"kind"`
	PreviousCycleID *uint64         `json:"previous_cycle_id"`
	Body            string          `json:"body"`
	Standard        string          `json:"standard"`
	Status          string          `json:"status"`
	Allowed         []string        `json:"allowed"`
	Responsible     string          `json:"responsible"`
	AppliedOn       *string         `json:"applied_on"`
	ContractOn      *string         `json:"contract_on"`
	Stage1On        *string         `json:"stage1_on"`
	Stage2On        *string         `json:"stage2_on"`
	CommitteeOn     *string         `json:"committee_on"`
	CertificateNo   string          `json:"certificate_no"`
	IssuedOn        *string         `json:"issued_on"`
	ExpiresOn       *string         `json:"expires_on"`
	Notes           string          `json:"notes"`
	Audits          []AuditResponse `json:"audits"`
	Version         int64           `json:"version"`
}

func cycleResponse(d certification.CycleDetail) CycleResponse {
	c := d.Cycle
	r := CycleResponse{ID: c.ID, Kind: c.Kind, PreviousCycleID: c.PreviousCycleID, Body: c.Body, Standard: c.StandardCode, Status: c.Status,
		Allowed: nonNilStrings(d.Allowed), Responsible: c.Responsible, AppliedOn: dayString(c.AppliedOn), ContractOn: dayString(c.ContractOn),
		Stage1On: dayString(c.Stage1On), Stage2On: dayString(c.Stage2On), CommitteeOn: dayString(c.CommitteeOn), CertificateNo: c.CertificateNo,
		IssuedOn: dayString(c.IssuedOn), ExpiresOn: dayString(c.ExpiresOn), Notes: c.Notes, Audits: []AuditResponse{}, Version: c.Version}
	for _, a := range d.Audits {
		r.Audits = append(r.Audits, auditResponse(a))
	}
	return r
}

// GET /api/v1/certification/cycles
func (s *Server) listCycles(c *gin.Context) error {
	list, err := s.Certification.Cycles(c.Request.Context())
	if err != nil {
		return err
	}
	items := views(list, cycleResponse)
	c.JSON(http.StatusOK, listOf(items))
	return nil
}

// POST /api/v1/certification/cycles
func (s *Server) createCycle(c *gin.Context) error {
	var req CycleRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	applied, err := readinessDayPtr(req.AppliedOn, "applied_on")
	if err != nil {
		return err
	}
	in := certification.CycleInput{Kind: req.Kind, PreviousCycleID: req.PreviousCycleID, Body: req.Body, Responsible: req.Responsible, Notes: req.Notes}
	if applied != nil {
		in.AppliedOn = *applied
	}
	cy, err := s.Certification.CreateCycle(c.Request.Context(), in)
	if err != nil {
		return err
	}
	return s.cycleDetail(c, cy.ID, http.StatusCreated)
}

func (s *Server) cycleDetail(c *gin.Context, id uint64, status int) error {
	d, err := s.Certification.CycleByID(c.Request.Context(), id)
	if err != nil {
		return err
	}
	c.JSON(status, cycleResponse(*d))
	return nil
}

// GET /api/v1/certification/cycles/:id
func (s *Server) getCycle(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return s.cycleDetail(c, id, http.StatusOK)
}

// PATCH /api/v1/certification/cycles/:id
func (s *Server) patchCycle(c *gin.Context) error {
	var req CycleUpdateRequest
	id, version, err := bindVersioned(c, "id", &req, &req.Version)
	if err != nil {
		return err
	}
	if _, err := s.Certification.UpdateCycle(c.Request.Context(), id, certification.UpdateCycleInput{Body: req.Body, Responsible: req.Responsible,
		Notes: req.Notes, Version: version}); err != nil {
		return err
	}
	return s.cycleDetail(c, id, http.StatusOK)
}

// POST /api/v1/certification/cycles/:id/advance — 409 invalid_transition
// naming the allowed steps when the step is not next.
func (s *Server) advanceCycle(c *gin.Context) error {
	var req CycleAdvanceRequest
	id, err := bindWithID(c, "id", &req)
	if err != nil {
		return err
	}
	on, err := readinessDayPtr(req.On, "on")
	if err != nil {
		return err
	}
	version, err := requestVersion(c, req.Version)
	if err != nil {
		return err
	}
	in := certification.AdvanceInput{To: req.To, CertificateNo: req.CertificateNo, Note: req.Note, Version: version}
	if on != nil {
		in.On = *on
	}
	if _, err := s.Certification.Advance(c.Request.Context(), id, in); err != nil {
		return err
	}
	return s.cycleDetail(c, id, http.StatusOK)
}

// GET /api/v1/certification/audits?status=planned|done|cancelled
func (s *Server) listCertAudits(c *gin.Context) error {
	status := c.Query("status")
	switch status {
	case "", certification.AuditPlanned, certification.AuditDone, certification.AuditCancelled:
	default:
		return fieldErr("status", apperr.OneOf("planned", "done", "cancelled"))
	}
	list, err := s.Certification.Audits(c.Request.Context(), status)
	if err != nil {
		return err
	}
	items := views(list, auditResponse)
	c.JSON(http.StatusOK, listOf(items))
	return nil
}

// GET /api/v1/certification/next-audit — the next planned audit and our
// projection for it; 404 when none is planned.
func (s *Server) nextCertAudit(c *gin.Context) error {
	a, err := s.Certification.NextAudit(c.Request.Context(), time.Now().In(s.Location))
	if err != nil {
		return err
	}
	if a == nil {
		return apperr.NotFound("planned audit")
	}
	c.JSON(http.StatusOK, gin.H{"audit": auditResponse(*a)})
	return nil
}

// PATCH /api/v1/certification/audits/:id — agree the date and people.
func (s *Server) scheduleCertAudit(c *gin.Context) error {
	var req AuditScheduleRequest
	id, err := bindWithID(c, "id", &req)
	if err != nil {
		return err
	}
	on, err := readinessDayPtr(req.ScheduledOn, "scheduled_on")
	if err != nil {
		return err
	}
	version, err := requestVersion(c, req.Version)
	if err != nil {
		return err
	}
	a, err := s.Certification.ScheduleAudit(c.Request.Context(), id, certification.ScheduleInput{ScheduledOn: on, LeadAuditor: req.LeadAuditor,
		Responsible: req.Responsible, Version: version})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, auditResponse(*a))
	return nil
}

// POST /api/v1/certification/audits/:id/result — the auditor's score and
// band, stored beside our projection for that date.
func (s *Server) recordCertAuditResult(c *gin.Context) error {
	var req AuditResultRequest
	id, err := bindWithID(c, "id", &req)
	if err != nil {
		return err
	}
	held, err := readinessDay(req.HeldOn, "held_on")
	if err != nil {
		return err
	}
	if req.Score == nil {
		return apperr.FieldErr("score", apperr.Required())
	}
	version, err := requestVersion(c, req.Version)
	if err != nil {
		return err
	}
	a, err := s.Certification.RecordResult(c.Request.Context(), id, certification.ResultInput{HeldOn: held, Score: *req.Score, Band: req.Band,
		Findings: req.Findings, LeadAuditor: req.LeadAuditor, Version: version, Indicators: req.Indicators})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, auditResponse(*a))
	return nil
}

// AuditPackResponse is an audit pack's state; DownloadURL is set when done.
type AuditPackResponse struct {
	ID          uint64     `json:"id"`
	From        string     `json:"from"`
	To          string     `json:"to"`
	Status      string     `json:"status"`
	Progress    int        `json:"progress"`
	Step        string     `json:"step"`
	Error       string     `json:"error,omitempty"`
	Size        int64      `json:"size"`
	SHA256      string     `json:"sha256"`
	RequestedBy string     `json:"requested_by"`
	CreatedAt   time.Time  `json:"created_at"`
	StartedAt   *time.Time `json:"started_at"`
	FinishedAt  *time.Time `json:"finished_at"`
	DownloadURL string     `json:"download_url,omitempty"`
}

func auditPackResponse(p certification.AuditPack) AuditPackResponse {
	r := AuditPackResponse{ID: p.ID, From: p.FromDate.Format(time.DateOnly), To: p.ToDate.Format(time.DateOnly), Status: p.Status,
		Progress: p.Progress, Step: p.Step, Error: p.Error, Size: p.Size, SHA256: p.SHA256, RequestedBy: p.RequestedBy, CreatedAt: p.CreatedAt,
		StartedAt: p.StartedAt, FinishedAt: p.FinishedAt}
	if p.Status == certification.PackDone {
		r.DownloadURL = fmt.Sprintf("/api/v1/certification/audit-packs/%d/download", p.ID)
	}
	return r
}

// POST /api/v1/certification/audit-packs {from, to} — 202 with the queued
// pack; poll GET …/audit-packs/:id for progress.
func (s *Server) createAuditPack(c *gin.Context) error {
	var req AuditPackRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	fields := apperr.Fields{}
	from, err := time.Parse(time.DateOnly, strings.TrimSpace(req.From))
	if err != nil {
		fields["from"] = apperr.InvalidFormat(apperr.FormatDate)
	}
	to, err := time.Parse(time.DateOnly, strings.TrimSpace(req.To))
	if err != nil {
		fields["to"] = apperr.InvalidFormat(apperr.FormatDate)
	}
	if len(fields) > 0 {
		return apperr.FieldsErr(fields)
	}
	p, err := s.Certification.CreatePack(c.Request.Context(), from, to, s.text(c))
	if err != nil {
		return err
	}
	c.Header("Location", fmt.Sprintf("/api/v1/certification/audit-packs/%d", p.ID))
	c.JSON(http.StatusAccepted, auditPackResponse(*p))
	return nil
}

// GET /api/v1/certification/audit-packs
func (s *Server) listAuditPacks(c *gin.Context) error {
	list, err := s.Certification.Packs(c.Request.Context())
	if err != nil {
		return err
	}
	items := views(list, auditPackResponse)
	c.JSON(http.StatusOK, listOf(items))
	return nil
}

// GET /api/v1/certification/audit-packs/:id — progress, then the link.
func (s *Server) getAuditPack(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, err := s.Certification.Pack(c.Request.Context(), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, auditPackResponse(*p))
	return nil
}

// GET /api/v1/certification/audit-packs/:id/download — the ZIP (409 while
// it is being built).
func (s *Server) downloadAuditPack(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, path, err := s.Certification.PackFile(c.Request.Context(), id)
	if err != nil {
		return err
	}
	// Named in the pack's own language (the one it was asked in).
	name := s.Text.For(p.Lang).T("pack.file.zip", map[string]any{"From": p.FromDate.Format("20060102"), "To": p.ToDate.Format("20060102")}) + ".zip"
	sendFileAttachment(c, path, name, "application/zip")
	return nil
}
