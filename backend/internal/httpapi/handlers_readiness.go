package httpapi

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/readiness"
)

// Readiness handlers: standard versions, runs and their ledgers, gaps,
// cheapest path, what-if, projection, plausibility, and the quality
// manager's inputs. Scores come rounded once, half up, to two decimals by
// the engine, so every client shows the same value; dates are YYYY-MM-DD in
// the enterprise zone.

// RunRequest asks for a run now; Standard selects a standard code (empty:
// the active one).
type RunRequest struct {
	Standard string `json:"standard"`
}

// WhatIfRequest lists hypothetical changes, structured or as text such as
// "certified_managers +3", "measure complaint_ack_within_limit value 98%",
// "document crisis_plan approved effective now".
type WhatIfRequest struct {
	Standard string             `json:"standard"`
	Changes  []readiness.Change `json:"changes"`
	Texts    []string           `json:"texts"`
}

// AssessmentRequest records a quality manager's points for a manual leaf;
// the points must be a value the leaf's scoring mode allows (0 or full for
// all_or_nothing). Computed leaves take overrides (OverrideRequest).
type AssessmentRequest struct {
	Standard      string   `json:"standard"`
	Clause        string   `json:"clause"`
	Points        *float64 `json:"points"`
	Justification string   `json:"justification"`
	// ExpiresOn is the last day the assessment counts (YYYY-MM-DD).
	ExpiresOn *string `json:"expires_on"`
}

// DeletionRequest declares a deletable clause not applicable.
type DeletionRequest struct {
	Standard      string `json:"standard"`
	Clause        string `json:"clause"`
	Justification string `json:"justification"`
}

// DeductionRequest records a special-deduction finding.
type DeductionRequest struct {
	Clause  string `json:"clause"`
	Finding string `json:"finding"`
	// FoundOn is the date of the finding (default today).
	FoundOn *string `json:"found_on"`
	// CorrectedOn, when the finding was already corrected.
	CorrectedOn *string `json:"corrected_on"`
	RecordRef   string  `json:"record_ref"`
}

// DeductionDecisionRequest confirms, dismisses or corrects a finding.
type DeductionDecisionRequest struct {
	Note        string  `json:"note"`
	CorrectedOn *string `json:"corrected_on"`
	Version     int64   `json:"version"`
}

// BonusRequest claims the special bonus.
type BonusRequest struct {
	Reason string `json:"reason"`
}

// StandardVersionResponse is one stored standard version.
type StandardVersionResponse struct {
	ID          uint64 `json:"id"`
	Code        string `json:"code"`
	Version     int    `json:"version"`
	Title       string `json:"title"`
	Fingerprint string `json:"fingerprint"`
	Source      string `json:"source"`
	// Justification says why the version changed inferred parameters.
	Justification string    `json:"justification"`
	CreatedBy     string    `json:"created_by"`
	CreatedAt     time.Time `json:"created_at"`
	Latest        bool      `json:"latest"`
	Active        bool      `json:"active"`
}

func standardVersionResponse(v readiness.StandardInfo) StandardVersionResponse {
	return StandardVersionResponse{ID: v.ID, Code: v.Code, Version: v.Version, Title: v.Title, Fingerprint: v.Fingerprint,
		Source: v.Source, Justification: v.Justification, CreatedBy: v.CreatedBy, CreatedAt: v.CreatedAt, Latest: v.Latest, Active: v.Active}
}

// ScoreSummary is a scored result without its ledger. Every number carries
// at most two decimals (scores are rounded once, half up, by the engine).
// While unknown indicators remain (complete false) the result is a range:
// band_low and band_high name its ends, and band and failed are left out,
// because they would describe only the low end.
type ScoreSummary struct {
	Total        float64          `json:"total"`
	Normalised   float64          `json:"normalised"`
	Actual       float64          `json:"actual"`
	Applicable   float64          `json:"applicable"`
	Low          float64          `json:"low"`
	High         float64          `json:"high"`
	LowBand      string           `json:"low_band"`
	HighBand     string           `json:"high_band"`
	BandLow      string           `json:"band_low"`
	BandHigh     string           `json:"band_high"`
	Band         *string          `json:"band,omitempty"`
	BandName     *readiness.Text  `json:"band_name,omitempty"`
	NextBand     string           `json:"next_band"`
	NextBandName readiness.Text   `json:"next_band_name"`
	ToNextBand   float64          `json:"to_next_band"`
	AboveBand    float64          `json:"above_band"`
	Failed       *bool            `json:"failed,omitempty"`
	FailReasons  []string         `json:"fail_reasons"`
	Complete     bool             `json:"complete"`
	Counts       readiness.Counts `json:"counts"`
	// DeductionPoints and BonusPoints are outside the item scores.
	DeductionPoints     float64               `json:"deduction_points"`
	BonusPoints         float64               `json:"bonus_points"`
	Deductions          []readiness.Deduction `json:"deductions"`
	SuggestedDeductions []readiness.Deduction `json:"suggested_deductions"`
	StarsWithheld       bool                  `json:"stars_withheld"`
	Notices             []readiness.Notice    `json:"notices"`
}

func scoreSummary(r readiness.Result) ScoreSummary {
	out := ScoreSummary{Total: r.Total, Normalised: r.Normalised, Actual: r.Actual, Applicable: r.Applicable, Low: r.Range.Low, High: r.Range.High,
		LowBand: r.Range.LowBand, HighBand: r.Range.HighBand, BandLow: orBand(r.BandLow, r.Range.LowBand), BandHigh: orBand(r.BandHigh, r.Range.HighBand),
		NextBand: r.NextBand, NextBandName: r.NextBandName, ToNextBand: r.ToNextBand, AboveBand: r.AboveBand,
		FailReasons: nonNilStrings(r.FailReasons), Complete: r.Complete, Counts: r.Counts, DeductionPoints: r.DeductionPoints,
		BonusPoints: r.BonusPoints, Deductions: nonNilDeductions(r.Deductions), SuggestedDeductions: nonNilDeductions(r.SuggestedDeductions),
		StarsWithheld: r.StarsWithheld, Notices: nonNil(r.Notices)}
	if r.Complete {
		band, name, failed := r.Band, r.BandName, r.Failed
		out.Band, out.BandName, out.Failed = &band, &name, &failed
	}
	return out
}

// orBand is a band code, or a fallback for runs stored before band_low.
func orBand(code, fallback string) string {
	if code == "" {
		return fallback
	}
	return code
}

// RunSummaryResponse is one run of the history.
type RunSummaryResponse struct {
	ID              uint64    `json:"id"`
	Standard        string    `json:"standard"`
	StandardVersion int       `json:"standard_version"`
	AsOf            time.Time `json:"as_of"`
	// AuditSeq is the data watermark: the last audit-trail record the run
	// saw.
	AuditSeq  uint64  `json:"audit_seq"`
	Trigger   string  `json:"trigger"`
	CreatedBy string  `json:"created_by"`
	Total     float64 `json:"total"`
	Low       float64 `json:"low"`
	High      float64 `json:"high"`
	BandLow   string  `json:"band_low"`
	BandHigh  string  `json:"band_high"`
	// Band and Failed are given only when the run is complete.
	Band        *string   `json:"band,omitempty"`
	NextBand    string    `json:"next_band"`
	ToNextBand  float64   `json:"to_next_band"`
	AboveBand   float64   `json:"above_band"`
	Failed      *bool     `json:"failed,omitempty"`
	Complete    bool      `json:"complete"`
	LedgerRunID uint64    `json:"ledger_run_id"`
	DurationMS  int64     `json:"duration_ms"`
	CreatedAt   time.Time `json:"created_at"`
	// Status is running, done or error; only a done run has a score. A
	// run request answers building (id 0, progress = days of rollups
	// built of total) while the rollups are built after a migration or on
	// a fresh database: no run was started.
	Status   string      `json:"status"`
	Progress RunProgress `json:"progress"`
	// Error says why a run ended in error.
	Error string `json:"error,omitempty"`
}

// RunProgress is how far a run got: indicators done of total and the
// clause last worked on.
type RunProgress struct {
	Done   int    `json:"done"`
	Total  int    `json:"total"`
	Clause string `json:"clause"`
}

func runSummary(r readiness.Run) RunSummaryResponse {
	out := RunSummaryResponse{ID: r.ID, Standard: r.StandardCode, StandardVersion: r.StandardVersion, AsOf: r.AsOf, AuditSeq: r.AuditSeq,
		Trigger: r.Trigger, CreatedBy: r.CreatedBy, Total: readiness.Round2(r.Total), Low: readiness.Round2(r.Low), High: readiness.Round2(r.High),
		BandLow: r.LowBand, BandHigh: r.HighBand, NextBand: r.NextBand, ToNextBand: readiness.Round2(r.ToNextBand),
		AboveBand: readiness.Round2(r.AboveBand), Complete: r.Complete, LedgerRunID: r.LedgerRunID, DurationMS: r.DurationMS, CreatedAt: r.CreatedAt,
		Status: r.Status, Progress: RunProgress{Done: r.ProgressDone, Total: r.ProgressTotal, Clause: r.ProgressClause}, Error: r.Error}
	if r.Status == readiness.RunDone && r.Complete {
		band, failed := r.Band, r.Failed
		out.Band, out.Failed = &band, &failed
	}
	return out
}

// RunResponse is a run with its score and points ledger (parents before
// their children, in document order).
type RunResponse struct {
	Run    RunSummaryResponse          `json:"run"`
	Score  ScoreSummary                `json:"score"`
	Ledger []readiness.IndicatorResult `json:"ledger"`
}

func runResponse(d *readiness.RunDetail) RunResponse {
	return RunResponse{Run: runSummary(d.Run), Score: scoreSummary(d.Result), Ledger: nonNilLedger(d.Result.Indicators)}
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilDeductions(d []readiness.Deduction) []readiness.Deduction {
	if d == nil {
		return []readiness.Deduction{}
	}
	return d
}

func nonNilLedger(l []readiness.IndicatorResult) []readiness.IndicatorResult {
	if l == nil {
		return []readiness.IndicatorResult{}
	}
	return l
}

// readinessDay parses a calendar date YYYY-MM-DD as 00:00 UTC (the
// platform's convention for dates).
func readinessDay(v, field string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(v))
	if err != nil {
		return time.Time{}, apperr.FieldErr(field, apperr.InvalidFormat(apperr.FormatDate))
	}
	return t, nil
}

// readinessDayPtr parses an optional date.
func readinessDayPtr(v *string, field string) (*time.Time, error) {
	if v == nil || strings.TrimSpace(*v) == "" {
		return nil, nil
	}
	t, err := readinessDay(*v, field)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// endOfLocalDay is the instant after a calendar date ends in the
// enterprise zone.
func (s *Server) endOfLocalDay(day time.Time) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, s.Location).UTC()
}

// readinessExpiry parses an optional expires_on date into the instant it
// ends in the enterprise zone.
func (s *Server) readinessExpiry(v *string) (*time.Time, error) {
	day, err := readinessDayPtr(v, "expires_on")
	if err != nil || day == nil {
		return nil, err
	}
	t := s.endOfLocalDay(*day)
	return &t, nil
}

// GET /api/v1/readiness/standards
func (s *Server) listStandards(c *gin.Context) error {
	versions, problems, err := s.Readiness.Standards(c.Request.Context())
	if err != nil {
		return err
	}
	items := views(versions, standardVersionResponse)
	c.JSON(http.StatusOK, gin.H{"items": items, "problems": nonNilStrings(problems)})
	return nil
}

// GET /api/v1/readiness/standards/:code?version=N
func (s *Server) getStandard(c *gin.Context) error {
	version := 0
	if v := c.Query("version"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return fieldErr("version", apperr.InvalidFormat(apperr.FormatPositiveInteger))
		}
		version = n
	}
	d, err := s.Readiness.Standard(c.Request.Context(), c.Param("code"), version)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"version": standardVersionResponse(d.Info), "content": d.Content, "standard": d.Standard})
	return nil
}

// PUT /api/v1/readiness/standards/:code?justification=… with the
// standard's YAML as the body: stored as a new version when it loads and
// differs from the latest (201), unchanged otherwise (200); a bad file is a
// 422 naming the clause, a change without a justification a 422.
func (s *Server) putStandard(c *gin.Context) error {
	data, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return apperr.Invalid("the standard file exceeds the request size limit")
		}
		return apperr.Invalid("cannot read the body")
	}
	info, created, err := s.Readiness.PutStandard(c.Request.Context(), c.Param("code"), data, c.Query("justification"))
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, gin.H{"version": standardVersionResponse(*info), "created": created})
	return nil
}

// GET /api/v1/readiness/score?standard= — the latest run with its ledger.
func (s *Server) readinessScore(c *gin.Context) error {
	return answerWith(c, http.StatusOK, runResponse)(s.Readiness.Latest(c.Request.Context(), c.Query("standard")))
}

// GET /api/v1/readiness/runs?standard=&page=&size= — the history, newest
// first.
func (s *Server) listReadinessRuns(c *gin.Context) error {
	page, size, err := paging(c, 50, 500)
	if err != nil {
		return err
	}
	runs, total, err := s.Readiness.Runs(c.Request.Context(), c.Query("standard"), page, size)
	if err != nil {
		return err
	}
	items := views(runs, runSummary)
	c.JSON(http.StatusOK, pageOf(items, total, page, size))
	return nil
}

// RunStateResponse is a run that is not done (running or ended in error):
// its id, status and progress, no score yet.
type RunStateResponse struct {
	Run RunSummaryResponse `json:"run"`
	// Joined is set on POST when a run was already in progress: this is it.
	Joined bool `json:"joined"`
}

// POST /api/v1/readiness/runs — start a run: 202 at once with the run
// (status running); while a run of the standard is in progress, on any
// instance, the answer is that run (joined). Progress comes as
// readiness.progress events and from GET /readiness/runs/:id.
func (s *Server) createReadinessRun(c *gin.Context) error {
	var req RunRequest
	if err := bindOptionalJSON(c, &req); err != nil {
		return err
	}
	st, err := s.Readiness.Start(c.Request.Context(), readiness.TriggerManual, req.Standard)
	if err != nil {
		return err
	}
	if st.Run.Status != readiness.RunBuilding {
		c.Header("Location", fmt.Sprintf("/api/v1/readiness/runs/%d", st.Run.ID))
	}
	c.JSON(http.StatusAccepted, RunStateResponse{Run: runSummary(st.Run), Joined: st.Joined})
	return nil
}

// RollupStatusResponse is the state of the readiness rollups' background
// build (after a migration or on a fresh database).
type RollupStatusResponse struct {
	// Status is building, done, error, or "" when never built (runs then
	// roll up the days they need themselves).
	Status     string     `json:"status"`
	DaysDone   int        `json:"days_done"`
	DaysTotal  int        `json:"days_total"`
	Error      string     `json:"error,omitempty"`
	StartedAt  *time.Time `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
}

// GET /api/v1/readiness/rollups — the rollups' build state: days built of
// total while building (runs answer status building meanwhile).
func (s *Server) readinessRollups(c *gin.Context) error {
	st, err := s.Readiness.RollupStatus(c.Request.Context())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, RollupStatusResponse{Status: st.Status, DaysDone: st.DaysDone, DaysTotal: st.DaysTotal, Error: st.Error,
		StartedAt: st.StartedAt, FinishedAt: st.FinishedAt})
	return nil
}

// GET /api/v1/readiness/runs/:id — a done run with its score and ledger;
// a run in progress (or ended in error) with its status and progress.
func (s *Server) getReadinessRun(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	d, err := s.Readiness.RunByID(c.Request.Context(), id)
	if err != nil {
		return err
	}
	if d.Run.Status != readiness.RunDone {
		c.JSON(http.StatusOK, RunStateResponse{Run: runSummary(d.Run)})
		return nil
	}
	c.JSON(http.StatusOK, runResponse(d))
	return nil
}

// GET /api/v1/readiness/runs/:id/diff/:other — what moved per indicator
// from run :id to run :other, and why.
func (s *Server) diffReadinessRuns(c *gin.Context) error {
	a, err := pathID(c, "id")
	if err != nil {
		return err
	}
	b, err := pathID(c, "other")
	if err != nil {
		return err
	}
	d, err := s.Readiness.Diff(c.Request.Context(), a, b)
	if err != nil {
		return err
	}
	changes := d.Changes
	if changes == nil {
		changes = []readiness.IndicatorChange{}
	}
	c.JSON(http.StatusOK, gin.H{"from": runSummary(d.From), "to": runSummary(d.To), "delta": readiness.Round2(d.Delta),
		"standard_changed": d.StandardChanged, "changes": changes})
	return nil
}

// GET /api/v1/readiness/gaps — every indicator losing points, most
// recoverable first, with reason, records and action.
func (s *Server) readinessGaps(c *gin.Context) error {
	rep, err := s.Readiness.Gaps(c.Request.Context(), c.Query("standard"))
	if err != nil {
		return err
	}
	gaps := rep.Gaps
	if gaps == nil {
		gaps = []readiness.Gap{}
	}
	c.JSON(http.StatusOK, gin.H{"score": scoreSummary(rep.Result), "gaps": gaps})
	return nil
}

// GET /api/v1/readiness/cheapest-path?band= — the smallest set of fixes
// to the next band (or the band given), verified by re-scoring.
func (s *Server) readinessCheapestPath(c *gin.Context) error {
	p, err := s.Readiness.CheapestPath(c.Request.Context(), c.Query("standard"), c.Query("band"))
	if err != nil {
		return err
	}
	if p.Fixes == nil {
		p.Fixes = []readiness.Fix{}
	}
	c.JSON(http.StatusOK, p)
	return nil
}

// POST /api/v1/readiness/what-if — the engine on hypothetical inputs;
// nothing is stored.
func (s *Server) readinessWhatIf(c *gin.Context) error {
	var req WhatIfRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	res, err := s.Readiness.WhatIf(c.Request.Context(), req.Standard, req.Changes, req.Texts)
	if err != nil {
		return err
	}
	changes := res.Changes
	if changes == nil {
		changes = []readiness.IndicatorChange{}
	}
	c.JSON(http.StatusOK, gin.H{"before": scoreSummary(res.Before), "after": scoreSummary(res.After), "changes": changes,
		"ledger": nonNilLedger(res.After.Indicators), "delta": readiness.Round2(res.After.Total - res.Before.Total)})
	return nil
}

// GET /api/v1/readiness/projection?at=YYYY-MM-DD — the score expected at a
// date (default: the next planned audit).
func (s *Server) readinessProjection(c *gin.Context) error {
	var at *time.Time
	if v := c.Query("at"); v != "" {
		day, err := readinessDay(v, "at")
		if err != nil {
			return err
		}
		t := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, s.Location).UTC()
		at = &t
	}
	rep, err := s.Readiness.Project(c.Request.Context(), c.Query("standard"), at)
	if err != nil {
		return err
	}
	p := rep.Projection
	events := p.Events
	if events == nil {
		events = []readiness.ProjectedEvent{}
	}
	changes := p.Changes
	if changes == nil {
		changes = []readiness.IndicatorChange{}
	}
	c.JSON(http.StatusOK, gin.H{
		"as_of": p.AsOf, "at": p.At, "at_source": rep.AtSource, "current": scoreSummary(p.Current), "steady": scoreSummary(p.Steady),
		"projected": scoreSummary(p.Projected), "range": p.Range, "events": events, "changes": changes, "trends": rep.Trends,
		"trend_window_days": rep.TrendWindowDays, "notices": p.Notices, "ledger": nonNilLedger(p.Projected.Indicators),
	})
	return nil
}

// GET /api/v1/readiness/plausibility — the auditor's checks in advance.
func (s *Server) readinessPlausibility(c *gin.Context) error {
	rep, err := s.Readiness.Plausibility(c.Request.Context())
	return respond(c, http.StatusOK, rep, err)
}

// AssessmentResponse is a recorded assessment or override.
type AssessmentResponse struct {
	ID            uint64     `json:"id"`
	Standard      string     `json:"standard"`
	Clause        string     `json:"clause"`
	Points        float64    `json:"points"`
	Justification string     `json:"justification"`
	Author        string     `json:"author"`
	AssessedAt    time.Time  `json:"assessed_at"`
	ExpiresAt     *time.Time `json:"expires_at"`
	WithdrawnAt   *time.Time `json:"withdrawn_at"`
	WithdrawnBy   string     `json:"withdrawn_by,omitempty"`
}

func assessmentResponse(a readiness.AssessmentRecord) AssessmentResponse {
	return AssessmentResponse{ID: a.ID, Standard: a.StandardCode, Clause: a.Clause, Points: a.Points, Justification: a.Justification,
		Author: a.Author, AssessedAt: a.AssessedAt, ExpiresAt: a.ExpiresAt, WithdrawnAt: a.WithdrawnAt, WithdrawnBy: a.WithdrawnBy}
}

// GET /api/v1/readiness/assessments?all=true
func (s *Server) listAssessments(c *gin.Context) error {
	all := c.Query("all") == "true"
	list, err := s.Readiness.Assessments(c.Request.Context(), c.Query("standard"), all)
	if err != nil {
		return err
	}
	items := views(list, assessmentResponse)
	c.JSON(http.StatusOK, listOf(items))
	return nil
}

// POST /api/v1/readiness/assessments
func (s *Server) createAssessment(c *gin.Context) error {
	var req AssessmentRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if req.Points == nil {
		return apperr.FieldErr("points", apperr.Required())
	}
	expires, err := s.readinessExpiry(req.ExpiresOn)
	if err != nil {
		return err
	}
	a, err := s.Readiness.Assess(c.Request.Context(), readiness.AssessInput{Standard: req.Standard, Clause: req.Clause, Points: *req.Points,
		Justification: req.Justification, ExpiresAt: expires})
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, assessmentResponse(*a))
	return nil
}

// DELETE /api/v1/readiness/assessments/:id — withdraw.
func (s *Server) withdrawAssessment(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.Readiness.WithdrawAssessment(c.Request.Context(), id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// DeletionResponse is a clause declared not applicable.
type DeletionResponse struct {
	ID            uint64    `json:"id"`
	Standard      string    `json:"standard"`
	Clause        string    `json:"clause"`
	Justification string    `json:"justification"`
	Author        string    `json:"author"`
	CreatedAt     time.Time `json:"created_at"`
}

// GET /api/v1/readiness/deletions
func (s *Server) listDeletions(c *gin.Context) error {
	list, err := s.Readiness.Deletions(c.Request.Context(), c.Query("standard"))
	if err != nil {
		return err
	}
	items := make([]DeletionResponse, 0, len(list))
	for _, d := range list {
		items = append(items, DeletionResponse{ID: d.ID, Standard: d.StandardCode, Clause: d.Clause, Justification: d.Justification,
			Author: d.Author, CreatedAt: d.CreatedAt})
	}
	c.JSON(http.StatusOK, listOf(items))
	return nil
}

// POST /api/v1/readiness/deletions
func (s *Server) createDeletion(c *gin.Context) error {
	var req DeletionRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	d, err := s.Readiness.MarkNotApplicable(c.Request.Context(), req.Standard, req.Clause, req.Justification)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, DeletionResponse{ID: d.ID, Standard: d.StandardCode, Clause: d.Clause, Justification: d.Justification,
		Author: d.Author, CreatedAt: d.CreatedAt})
	return nil
}

// DELETE /api/v1/readiness/deletions/:id — the clause is applicable again.
func (s *Server) withdrawDeletion(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.Readiness.WithdrawDeletion(c.Request.Context(), id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// DeductionResponse is a special-deduction finding.
type DeductionResponse struct {
	ID          uint64     `json:"id"`
	Ref         string     `json:"ref"` // how the ledger names it, e.g. D12
	Clause      string     `json:"clause"`
	Finding     string     `json:"finding"`
	Source      string     `json:"source"`
	RecordRef   string     `json:"record_ref"`
	Status      string     `json:"status"`
	FoundOn     string     `json:"found_on"`
	CorrectedAt *time.Time `json:"corrected_at"`
	Correction  string     `json:"correction"`
	Author      string     `json:"author"`
	DecidedBy   string     `json:"decided_by"`
	DecidedAt   *time.Time `json:"decided_at"`
	// Counting is true while the finding removes a point (confirmed, not
	// corrected).
	Counting  bool      `json:"counting"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
}

func deductionResponse(d readiness.DeductionRecord) DeductionResponse {
	return DeductionResponse{ID: d.ID, Ref: "D" + strconv.FormatUint(d.ID, 10), Clause: d.Clause, Finding: d.Finding, Source: d.Source,
		RecordRef: d.RecordRef, Status: d.Status, FoundOn: d.FoundOn.Format(time.DateOnly), CorrectedAt: d.CorrectedAt,
		Correction: d.Correction, Author: d.Author, DecidedBy: d.DecidedBy, DecidedAt: d.DecidedAt,
		Counting: d.Status == readiness.DeductionConfirmed && d.CorrectedAt == nil, Version: d.Version, CreatedAt: d.CreatedAt}
}

// GET /api/v1/readiness/deductions?status=suggested|confirmed|dismissed
func (s *Server) listDeductions(c *gin.Context) error {
	page, size, err := paging(c, 50, 200)
	if err != nil {
		return err
	}
	status := c.Query("status")
	switch status {
	case "", readiness.DeductionSuggested, readiness.DeductionConfirmed, readiness.DeductionDismissed:
	default:
		return fieldErr("status", apperr.OneOf("suggested", "confirmed", "dismissed"))
	}
	list, total, err := s.Readiness.Deductions(c.Request.Context(), status, page, size)
	if err != nil {
		return err
	}
	items := views(list, deductionResponse)
	c.JSON(http.StatusOK, pageOf(items, total, page, size))
	return nil
}

// POST /api/v1/readiness/deductions — a confirmed finding.
func (s *Server) createDeduction(c *gin.Context) error {
	var req DeductionRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	found, err := readinessDayPtr(req.FoundOn, "found_on")
	if err != nil {
		return err
	}
	corrected, err := readinessDayPtr(req.CorrectedOn, "corrected_on")
	if err != nil {
		return err
	}
	in := readiness.DeductionInput{Clause: strings.TrimSpace(req.Clause), Finding: req.Finding, RecordRef: req.RecordRef}
	if found != nil {
		in.FoundOn = *found
	}
	if corrected != nil {
		t := time.Date(corrected.Year(), corrected.Month(), corrected.Day(), 0, 0, 0, 0, s.Location).UTC()
		in.CorrectedAt = &t
	}
	d, err := s.Readiness.RecordDeduction(c.Request.Context(), in)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, deductionResponse(*d))
	return nil
}

// decideDeduction handles POST /api/v1/readiness/deductions/:id/{confirm,
// dismiss,correct}.
func (s *Server) decideDeduction(action string) HandlerFunc {
	return func(c *gin.Context) error {
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		var req DeductionDecisionRequest
		if err := bindOptionalJSON(c, &req); err != nil {
			return err
		}
		version, err := requestVersion(c, req.Version)
		if err != nil {
			return err
		}
		day, err := readinessDayPtr(req.CorrectedOn, "corrected_on")
		if err != nil {
			return err
		}
		var corrected *time.Time
		if day != nil {
			t := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, s.Location).UTC()
			corrected = &t
		}
		d, err := s.Readiness.DecideDeduction(c.Request.Context(), id, action, version, req.Note, corrected)
		if err != nil {
			return err
		}
		c.JSON(http.StatusOK, deductionResponse(*d))

		return nil
	}
}
