package httpapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/recall"
)

// recallImportMaxBytes bounds an uploaded serial list (.xlsx).
const recallImportMaxBytes = 20 << 20

// RecallCampaignRequest creates a campaign or replaces its description.
// hazard_level: high, medium, low; remedy: repair, replace, refund,
// inspect; start_date: YYYY-MM-DD.
type RecallCampaignRequest struct {
	Title             string `json:"title"`
	Reason            string `json:"reason"`
	HazardLevel       string `json:"hazard_level"`
	Remedy            string `json:"remedy"`
	RemedyDescription string `json:"remedy_description"`
	RegulatorRef      string `json:"regulator_ref"`
	StartDate         string `json:"start_date"`
	Version           int64  `json:"version"`
}

// RecallVersionRequest carries only the version (optional).
type RecallVersionRequest struct {
	Version int64 `json:"version"`
}

// CloseRecallRequest ends an active campaign.
type CloseRecallRequest struct {
	Note    string `json:"note"`
	Version int64  `json:"version"`
}

// RecallSelectorRequest adds to the affected set: a filter (model_id,
// production_lot, serial_from + serial_to; ANDed) or a list of serials.
// Resolution happens at once.
type RecallSelectorRequest struct {
	ModelID       *uint64  `json:"model_id"`
	ProductionLot string   `json:"production_lot"`
	SerialFrom    string   `json:"serial_from"`
	SerialTo      string   `json:"serial_to"`
	Serials       []string `json:"serials"`
	Note          string   `json:"note"`
}

// RecallNotificationRequest records an attempt to reach an owner:
// channel phone (reached, no_answer, busy, wrong_number, refused), sms
// (delivered, failed) or letter (sent, returned).
type RecallNotificationRequest struct {
	Channel string `json:"channel"`
	Outcome string `json:"outcome"`
	Note    string `json:"note"`
}

// RecallAppointmentRequest books a unit at an outlet.
type RecallAppointmentRequest struct {
	At       time.Time `json:"at"`
	OutletID uint64    `json:"outlet_id"`
	Version  int64     `json:"version"`
}

// RecallRemedyRequest records the remedy done (outlet users: at their own
// outlet; others name it unless the unit is booked). version (or If-Match)
// is required; serial, the serial on the unit in hand, is required of an
// outlet user for a unit not booked at their outlet (a walk-in).
type RecallRemedyRequest struct {
	OutletID uint64 `json:"outlet_id"`
	Serial   string `json:"serial"`
	Note     string `json:"note"`
	Version  int64  `json:"version"`
}

// RecallCountsResponse are a campaign's totals.
type RecallCountsResponse struct {
	Affected       int64    `json:"affected"`
	Owners         int64    `json:"owners"`
	NoOwner        int64    `json:"no_owner"`
	Notified       int64    `json:"notified"`
	Scheduled      int64    `json:"scheduled"`
	Remedied       int64    `json:"remedied"`
	CompletionRate *float64 `json:"completion_rate"`
}

func recallCounts(c recall.Counts) RecallCountsResponse {
	return RecallCountsResponse{Affected: c.Affected, Owners: c.Owners, NoOwner: c.NoOwner, Notified: c.Notified, Scheduled: c.Scheduled,
		Remedied: c.Remedied, CompletionRate: c.CompletionRate}
}

// RecallCampaignResponse is a campaign with its totals.
type RecallCampaignResponse struct {
	ID                uint64               `json:"id"`
	Number            string               `json:"number"`
	Title             string               `json:"title"`
	Reason            string               `json:"reason"`
	HazardLevel       string               `json:"hazard_level"`
	Remedy            string               `json:"remedy"`
	RemedyDescription string               `json:"remedy_description"`
	RegulatorRef      string               `json:"regulator_ref"`
	StartDate         *string              `json:"start_date"`
	Status            string               `json:"status"`
	Allowed           []string             `json:"allowed"`
	ActivatedAt       *time.Time           `json:"activated_at"`
	ClosedAt          *time.Time           `json:"closed_at"`
	CloseNote         string               `json:"close_note"`
	Counts            RecallCountsResponse `json:"counts"`
	Version           int64                `json:"version"`
	CreatedAt         time.Time            `json:"created_at"`
}

func recallResponse(v recall.CampaignView) RecallCampaignResponse {
	c := v.Campaign
	return RecallCampaignResponse{ID: c.ID, Number: c.Number, Title: c.Title, Reason: c.Reason, HazardLevel: c.HazardLevel, Remedy: c.Remedy,
		RemedyDescription: c.RemedyDescription, RegulatorRef: c.RegulatorRef, StartDate: formatDay(&c.StartDate), Status: c.Status,
		Allowed: recall.Allowed(c.Status), ActivatedAt: c.ActivatedAt, ClosedAt: c.ClosedAt, CloseNote: c.CloseNote, Counts: recallCounts(v.Counts),
		Version: c.Version, CreatedAt: c.CreatedAt}
}

func (s *Server) recallView(c *gin.Context, id uint64, status int) error {
	v, err := s.Recalls.Get(c.Request.Context(), id)
	if err != nil {
		return err
	}
	c.JSON(status, recallResponse(v))
	return nil
}

func (s *Server) listRecalls(c *gin.Context) error {
	page, size, err := paging(c, 20, 200)
	if err != nil {
		return err
	}
	list, total, err := s.Recalls.List(c.Request.Context(), c.Query("status"), page, size)
	if err != nil {
		return err
	}
	items := views(list, recallResponse)
	c.JSON(http.StatusOK, pageOf(items, total, page, size))
	return nil
}

func campaignInput(req RecallCampaignRequest) (recall.CampaignInput, error) {
	start, err := parseOptionalDate(req.StartDate, "start_date")
	if err != nil {
		return recall.CampaignInput{}, err
	}
	return recall.CampaignInput{Title: req.Title, Reason: req.Reason, HazardLevel: req.HazardLevel, Remedy: req.Remedy,
		RemedyDescription: req.RemedyDescription, RegulatorRef: req.RegulatorRef, StartDate: start}, nil
}

func (s *Server) createRecall(c *gin.Context) error {
	var req RecallCampaignRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	in, err := campaignInput(req)
	if err != nil {
		return err
	}
	cp, err := s.Recalls.Create(c.Request.Context(), in)
	if err != nil {
		return err
	}
	return s.recallView(c, cp.ID, http.StatusCreated)
}

func (s *Server) getRecall(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return s.recallView(c, id, http.StatusOK)
}

func (s *Server) updateRecall(c *gin.Context) error {
	var req RecallCampaignRequest
	id, err := bindWithID(c, "id", &req)
	if err != nil {
		return err
	}
	in, err := campaignInput(req)
	if err != nil {
		return err
	}
	v, err := requestVersion(c, req.Version)
	if err != nil {
		return err
	}
	if _, err := s.Recalls.Update(c.Request.Context(), id, v, in); err != nil {
		return err
	}
	return s.recallView(c, id, http.StatusOK)
}

func (s *Server) activateRecall(c *gin.Context) error {
	var req RecallVersionRequest
	id, v, err := bindOptionalVersioned(c, "id", &req, &req.Version)
	if err != nil {
		return err
	}
	if _, err := s.Recalls.Activate(c.Request.Context(), id, v); err != nil {
		return err
	}
	return s.recallView(c, id, http.StatusOK)
}

func (s *Server) closeRecall(c *gin.Context) error {
	var req CloseRecallRequest
	id, v, err := bindVersioned(c, "id", &req, &req.Version)
	if err != nil {
		return err
	}
	if _, err := s.Recalls.Close(c.Request.Context(), id, v, req.Note); err != nil {
		return err
	}
	return s.recallView(c, id, http.StatusOK)
}

// RecallSelectorResponse is a selector with what it resolved; unmatched
// lists up to 20 imported serials no unit has.
type RecallSelectorResponse struct {
	ID             uint64    `json:"id"`
	Kind           string    `json:"kind"`
	ModelID        *uint64   `json:"model_id"`
	ProductionLot  string    `json:"production_lot"`
	SerialFrom     string    `json:"serial_from"`
	SerialTo       string    `json:"serial_to"`
	ListSize       int       `json:"list_size"`
	Matched        int64     `json:"matched"`
	Added          int64     `json:"added"`
	Note           string    `json:"note"`
	CreatedBy      string    `json:"created_by"`
	CreatedAt      time.Time `json:"created_at"`
	Unmatched      []string  `json:"unmatched,omitempty"`
	UnmatchedCount int64     `json:"unmatched_count,omitempty"`
}

func selectorResponse(sel recall.Selector) RecallSelectorResponse {
	return RecallSelectorResponse{ID: sel.ID, Kind: sel.Kind, ModelID: sel.ModelID, ProductionLot: sel.ProductionLot, SerialFrom: sel.SerialFrom,
		SerialTo: sel.SerialTo, ListSize: sel.ListSize, Matched: sel.Matched, Added: sel.Added, Note: sel.Note, CreatedBy: sel.CreatedBy,
		CreatedAt: sel.CreatedAt}
}

func (s *Server) listRecallSelectors(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	list, err := s.Recalls.Selectors(c.Request.Context(), id)
	if err != nil {
		return err
	}
	items := views(list, selectorResponse)
	c.JSON(http.StatusOK, listOf(items))
	return nil
}

func (s *Server) addSelector(c *gin.Context, id uint64, in recall.SelectorInput) error {
	res, err := s.Recalls.AddSelector(c.Request.Context(), id, in)
	if err != nil {
		return err
	}
	out := selectorResponse(res.Selector)
	out.Unmatched, out.UnmatchedCount = res.Unmatched, res.UnmatchedCount
	c.JSON(http.StatusCreated, out)
	return nil
}

func (s *Server) addRecallSelector(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	// A JSON list is bounded by http.max_body_bytes (1 MiB ≈ 50,000
	// serials); larger lists come as an .xlsx upload (import).
	var req RecallSelectorRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	return s.addSelector(c, id, recall.SelectorInput{ModelID: req.ModelID, ProductionLot: req.ProductionLot, SerialFrom: req.SerialFrom,
		SerialTo: req.SerialTo, Serials: req.Serials, Note: req.Note})
}

// importRecallSelector adds a list of serials from an uploaded .xlsx
// (multipart field "file"; serials in the first column of the first sheet).
func (s *Server) importRecallSelector(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, recallImportMaxBytes+64<<10)
	fh, err := c.FormFile("file")
	if c.Request.MultipartForm != nil {
		defer func() { _ = c.Request.MultipartForm.RemoveAll() }()
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return apperr.Invalid(fmt.Sprintf("the upload exceeds %d MB", recallImportMaxBytes>>20))
		}
		e := apperr.Invalid("send the workbook as multipart/form-data in the field \"file\"")
		e.Fields = apperr.Fields{"file": apperr.Required()}
		return e
	}
	if !strings.EqualFold(filepath.Ext(fh.Filename), ".xlsx") {
		return apperr.FieldErr("file", apperr.InvalidFormat(apperr.FormatXLSX))
	}
	f, err := fh.Open()
	if err != nil {
		return apperr.Invalid("file: cannot be read")
	}
	defer func() { _ = f.Close() }()
	serials, err := recall.ParseSerialsXLSX(f, s.Recalls.MaxListSerials())
	if err != nil {
		return err
	}
	// The note is a reason code the UI says (labels.reasons), then the file's name.
	return s.addSelector(c, id, recall.SelectorInput{Serials: serials, Note: "imported_from_file: " + fh.Filename})
}

// RecallUnitResponse is an affected unit with its progress.
type RecallUnitResponse struct {
	ID                  uint64     `json:"id"`
	CampaignID          uint64     `json:"campaign_id"`
	UnitID              uint64     `json:"unit_id"`
	Serial              string     `json:"serial"`
	ModelID             uint64     `json:"model_id"`
	CustomerID          *uint64    `json:"customer_id"`
	SelectorID          uint64     `json:"selector_id"`
	Status              string     `json:"status"`
	NotifiedAt          *time.Time `json:"notified_at"`
	AppointmentAt       *time.Time `json:"appointment_at"`
	AppointmentOutletID *uint64    `json:"appointment_outlet_id"`
	RemediedAt          *time.Time `json:"remedied_at"`
	RemediedOutletID    *uint64    `json:"remedied_outlet_id"`
	RemediedBy          string     `json:"remedied_by"`
	RemedyNote          string     `json:"remedy_note"`
	// WorkOrderID is the recall_remedy work order of the booking.
	WorkOrderID *uint64 `json:"work_order_id"`
	Version     int64   `json:"version"`
}

func recallUnitResponse(u recall.AffectedUnit) RecallUnitResponse {
	return RecallUnitResponse{ID: u.ID, CampaignID: u.CampaignID, UnitID: u.UnitID, Serial: u.Serial, ModelID: u.ModelID, CustomerID: u.CustomerID,
		SelectorID: u.SelectorID, Status: u.Status, NotifiedAt: u.NotifiedAt, AppointmentAt: u.AppointmentAt,
		AppointmentOutletID: u.AppointmentOutletID, RemediedAt: u.RemediedAt, RemediedOutletID: u.RemediedOutletID, RemediedBy: u.RemediedBy,
		RemedyNote: u.RemedyNote, WorkOrderID: u.WorkOrderID, Version: u.Version}
}

func (s *Server) listRecallUnits(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	page, size, err := paging(c, 50, 200)
	if err != nil {
		return err
	}
	f := recall.UnitFilter{Status: c.Query("status"), Serial: c.Query("serial"), Page: page, Size: size}
	if f.CustomerID, err = queryUint(c, "customer_id"); err != nil {
		return err
	}
	list, total, err := s.Recalls.Units(c.Request.Context(), id, f)
	if err != nil {
		return err
	}
	items := views(list, recallUnitResponse)
	c.JSON(http.StatusOK, pageOf(items, total, page, size))
	return nil
}

// RecallOwnerResponse is one owner's standing: units, still pending,
// remedied, attempts and the last outcome.
type RecallOwnerResponse struct {
	CustomerID  uint64     `json:"customer_id"`
	Units       int64      `json:"units"`
	Pending     int64      `json:"pending"`
	Remedied    int64      `json:"remedied"`
	Attempts    int64      `json:"attempts"`
	LastAt      *time.Time `json:"last_at"`
	LastOutcome string     `json:"last_outcome"`
}

func (s *Server) listRecallOwners(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	page, size, err := paging(c, 50, 200)
	if err != nil {
		return err
	}
	pending, err := queryBool(c, "pending")
	if err != nil {
		return err
	}
	list, total, err := s.Recalls.Owners(c.Request.Context(), id, pending != nil && *pending, page, size)
	if err != nil {
		return err
	}
	items := make([]RecallOwnerResponse, 0, len(list))
	for _, o := range list {
		items = append(items, RecallOwnerResponse{CustomerID: o.CustomerID, Units: o.Units, Pending: o.Pending, Remedied: o.Remedied,
			Attempts: o.Attempts, LastAt: o.LastAt, LastOutcome: o.LastOutcome})
	}
	c.JSON(http.StatusOK, pageOf(items, total, page, size))
	return nil
}

// RecallNotificationResponse is one attempt.
type RecallNotificationResponse struct {
	ID         uint64    `json:"id"`
	CampaignID uint64    `json:"campaign_id"`
	CustomerID uint64    `json:"customer_id"`
	Channel    string    `json:"channel"`
	Outcome    string    `json:"outcome"`
	Note       string    `json:"note"`
	Actor      string    `json:"actor"`
	At         time.Time `json:"at"`
}

func recallNotificationResponse(n recall.Notification) RecallNotificationResponse {
	return RecallNotificationResponse{ID: n.ID, CampaignID: n.CampaignID, CustomerID: n.CustomerID, Channel: n.Channel, Outcome: n.Outcome,
		Note: n.Note, Actor: n.ActorName, At: n.At}
}

func (s *Server) listRecallNotifications(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	cust, err := pathID(c, "customer_id")
	if err != nil {
		return err
	}
	list, err := s.Recalls.Notifications(c.Request.Context(), id, cust)
	if err != nil {
		return err
	}
	items := views(list, recallNotificationResponse)
	c.JSON(http.StatusOK, listOf(items))
	return nil
}

func (s *Server) recordRecallNotification(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req RecallNotificationRequest
	cust, err := bindWithID(c, "customer_id", &req)
	if err != nil {
		return err
	}
	n, marked, err := s.Recalls.RecordNotification(c.Request.Context(), id, cust, recall.NotificationInput{Channel: req.Channel, Outcome: req.Outcome, Note: req.Note})
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"notification": recallNotificationResponse(n), "units_marked_notified": marked})
	return nil
}

func (s *Server) bookRecallUnit(c *gin.Context) error {
	var req RecallAppointmentRequest
	return changeByID(c, &req, &req.Version, func(ctx context.Context, id uint64, v int64) (recall.AffectedUnit, error) {
		return s.Recalls.Book(ctx, id, v, req.At, req.OutletID)
	}, recallUnitResponse)
}

func (s *Server) remedyRecallUnit(c *gin.Context) error {
	var req RecallRemedyRequest
	id, v, err := bindOptionalVersioned(c, "id", &req, &req.Version)
	if err != nil {
		return err
	}
	u, counts, err := s.Recalls.Remedy(c.Request.Context(), id, recall.RemedyInput{Version: v, OutletID: req.OutletID, Serial: req.Serial, Note: req.Note})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"unit": recallUnitResponse(u), "counts": recallCounts(counts)})
	return nil
}

func (s *Server) getRecallUnit(c *gin.Context) error {
	return answerByID(c, http.StatusOK, s.Recalls.AffectedUnit, recallUnitResponse)
}

// RecallWeekResponse is one week of a campaign's progress.
type RecallWeekResponse struct {
	Week           int      `json:"week"`
	StartsOn       string   `json:"starts_on"`
	Notified       int64    `json:"notified"`
	Remedied       int64    `json:"remedied"`
	CumNotified    int64    `json:"cum_notified"`
	CumRemedied    int64    `json:"cum_remedied"`
	CompletionRate *float64 `json:"completion_rate"`
}

func (s *Server) recallProgress(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	counts, weeks, err := s.Recalls.Progress(c.Request.Context(), id)
	if err != nil {
		return err
	}
	items := make([]RecallWeekResponse, 0, len(weeks))
	for _, w := range weeks {
		items = append(items, RecallWeekResponse{Week: w.Week + 1, StartsOn: w.StartsOn.Format(time.DateOnly), Notified: w.Notified,
			Remedied: w.Remedied, CumNotified: w.CumNotified, CumRemedied: w.CumRemedied, CompletionRate: w.CompletionRate})
	}
	c.JSON(http.StatusOK, gin.H{"counts": recallCounts(counts), "weeks": items})
	return nil
}

func (s *Server) recallReport(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	v, err := s.Recalls.Get(c.Request.Context(), id)
	if err != nil {
		return err
	}
	tr := s.text(c)
	var buf bytes.Buffer
	if err := s.Recalls.Report(c.Request.Context(), id, &buf, tr); err != nil {
		return err
	}
	name := recall.ReportFileName(tr, v.Number) + ".xlsx"
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="recall-%s.xlsx"; filename*=UTF-8''%s`, v.Number, url.PathEscape(name)))
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buf.Bytes())
	return nil
}
