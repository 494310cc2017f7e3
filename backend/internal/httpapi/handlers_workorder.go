package httpapi

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/workorder"
)

// ---- request and response types

// DispatchRequest is the body of POST /tickets/{id}/dispatch. Without
// outlet_id the best candidate outlet gets the offer (coverage of the
// ticket's region, authorised category, capacity, active). distance_band
// (city, within_200km, within_500km, remote) overrides the band derived
// from the outlet's coverage.
type DispatchRequest struct {
	Kind         string  `json:"kind"`
	OutletID     *uint64 `json:"outlet_id"`
	DistanceBand string  `json:"distance_band"`
	Note         string  `json:"note"`
}

// WorkOrderVersionRequest is the (optional) body of steps without other
// input (accept): version, or If-Match, guards against acting on a stale
// view.
type WorkOrderVersionRequest struct {
	Version int64 `json:"version"`
}

// RejectWorkOrderRequest is the body of POST /work-orders/{id}/reject.
// reason_code (optional) is one of GET /mobile/reject-reasons; the stored
// reason is then its label followed by reason as free text.
type RejectWorkOrderRequest struct {
	Reason     string `json:"reason"`
	ReasonCode string `json:"reason_code"`
	Version    int64  `json:"version"`
}

// AssignTechnicianRequest is the body of POST /work-orders/{id}/assign.
type AssignTechnicianRequest struct {
	TechnicianStaffID uint64 `json:"technician_staff_id"`
	Version           int64  `json:"version"`
}

// AppointmentRequest is the body of POST /work-orders/{id}/appointment:
// the visit window agreed with the customer (RFC 3339; until defaults to
// two hours after at).
type AppointmentRequest struct {
	At      time.Time  `json:"at"`
	Until   *time.Time `json:"until"`
	Version int64      `json:"version"`
}

// WorkOrderNoteRequest is the body of contact (check-in: CheckInRequest).
type WorkOrderNoteRequest struct {
	Note    string `json:"note"`
	Version int64  `json:"version"`
}

// CompleteWorkOrderRequest is the body of POST /work-orders/{id}/complete;
// result is done, no_fault_found, parts_required or not_fixed.
type CompleteWorkOrderRequest struct {
	Result  string `json:"result"`
	Notes   string `json:"notes"`
	Version int64  `json:"version"`
}

// SignOffRequest is the body of POST /work-orders/{id}/sign-off.
type SignOffRequest struct {
	SignedBy string `json:"signed_by"`
	Version  int64  `json:"version"`
}

// RedispatchRequest is the body of POST /work-orders/{id}/redispatch:
// outlet_id picks the outlet, otherwise the next candidate not yet offered.
type RedispatchRequest struct {
	OutletID *uint64 `json:"outlet_id"`
	Version  int64   `json:"version"`
}

// CancelWorkOrderRequest is the body of POST /work-orders/{id}/cancel.
type CancelWorkOrderRequest struct {
	Reason  string `json:"reason"`
	Version int64  `json:"version"`
}

// OfferResponse is one offer of a work order to an outlet.
type OfferResponse struct {
	ID              uint64     `json:"id"`
	OutletID        uint64     `json:"outlet_id"`
	Attempt         int        `json:"attempt"`
	CoverageLevel   int        `json:"coverage_level"`
	OfferedAt       time.Time  `json:"offered_at"`
	ExpiresAt       time.Time  `json:"expires_at"`
	Response        string     `json:"response"`
	RespondedAt     *time.Time `json:"responded_at"`
	ResponseSeconds *int64     `json:"response_seconds"`
	Reason          string     `json:"reason,omitempty"`
	RespondedBy     string     `json:"responded_by,omitempty"`
}

// WorkOrderResponse is the API image of a work order; allowed_steps names
// what can be done next.
type WorkOrderResponse struct {
	ID                   uint64          `json:"id"`
	Number               string          `json:"number"`
	TicketID             uint64          `json:"ticket_id"`
	Kind                 string          `json:"kind"`
	Status               string          `json:"status"`
	AllowedSteps         []string        `json:"allowed_steps"`
	OutletID             *uint64         `json:"outlet_id"`
	CustomerID           uint64          `json:"customer_id"`
	UnitID               *uint64         `json:"unit_id"`
	CategoryID           *uint64         `json:"category_id"`
	RegionCode           string          `json:"region_code"`
	DistanceBand         string          `json:"distance_band"`
	Note                 string          `json:"note,omitempty"`
	Attempts             int             `json:"attempts"`
	OfferedAt            *time.Time      `json:"offered_at"`
	OfferExpiresAt       *time.Time      `json:"offer_expires_at"`
	AcceptedAt           *time.Time      `json:"accepted_at"`
	TechnicianStaffID    *uint64         `json:"technician_staff_id"`
	TechnicianAssignedAt *time.Time      `json:"technician_assigned_at"`
	AppointmentAt        *time.Time      `json:"appointment_at"`
	AppointmentUntil     *time.Time      `json:"appointment_until"`
	ContactedAt          *time.Time      `json:"contacted_at"`
	ArrivedAt            *time.Time      `json:"arrived_at"`
	ArrivalOnTime        *bool           `json:"arrival_on_time"`
	ArrivedLat           *float64        `json:"arrived_lat"`
	ArrivedLng           *float64        `json:"arrived_lng"`
	ArrivedAccuracyM     *float64        `json:"arrived_accuracy_m"`
	CompletedAt          *time.Time      `json:"completed_at"`
	Result               string          `json:"result,omitempty"`
	ResultNotes          string          `json:"result_notes,omitempty"`
	SignedOffAt          *time.Time      `json:"signed_off_at"`
	SignedBy             string          `json:"signed_by,omitempty"`
	CancelledAt          *time.Time      `json:"cancelled_at"`
	CancelReason         string          `json:"cancel_reason,omitempty"`
	ContactDueAt         *time.Time      `json:"contact_due_at"`
	ArrivalDueAt         *time.Time      `json:"arrival_due_at"`
	CompleteDueAt        *time.Time      `json:"complete_due_at"`
	CreatedAt            time.Time       `json:"created_at"`
	UpdatedAt            time.Time       `json:"updated_at"`
	Version              int64           `json:"version"`
	Offers               []OfferResponse `json:"offers,omitempty"`
}

func workOrderResponse(w workorder.WorkOrder) WorkOrderResponse {
	return WorkOrderResponse{ID: w.ID, Number: w.Number, TicketID: w.TicketID, Kind: w.Kind, Status: w.Status, AllowedSteps: w.AllowedSteps(),
		OutletID: w.OutletID, CustomerID: w.CustomerID, UnitID: w.UnitID, CategoryID: w.CategoryID, RegionCode: w.RegionCode,
		DistanceBand: w.DistanceBand, Note: w.Note, Attempts: w.Attempts, OfferedAt: w.OfferedAt, OfferExpiresAt: w.OfferExpiresAt,
		AcceptedAt: w.AcceptedAt, TechnicianStaffID: w.TechnicianStaffID, TechnicianAssignedAt: w.TechnicianAssignedAt,
		AppointmentAt: w.AppointmentAt, AppointmentUntil: w.AppointmentUntil, ContactedAt: w.ContactedAt, ArrivedAt: w.ArrivedAt,
		ArrivalOnTime: w.ArrivalOnTime, ArrivedLat: w.ArrivedLat, ArrivedLng: w.ArrivedLng,
		ArrivedAccuracyM: w.ArrivedAccuracyM, CompletedAt: w.CompletedAt, Result: w.Result, ResultNotes: w.ResultNotes, SignedOffAt: w.SignedOffAt,
		SignedBy: w.SignedBy, CancelledAt: w.CancelledAt, CancelReason: w.CancelReason, ContactDueAt: w.ContactDueAt,
		ArrivalDueAt: w.ArrivalDueAt, CompleteDueAt: w.CompleteDueAt, CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt, Version: w.Version}
}

func offerResponse(o workorder.Offer) OfferResponse {
	return OfferResponse{ID: o.ID, OutletID: o.OutletID, Attempt: o.Attempt, CoverageLevel: o.CoverageLevel, OfferedAt: o.OfferedAt,
		ExpiresAt: o.ExpiresAt, Response: o.Response, RespondedAt: o.RespondedAt, ResponseSeconds: o.ResponseSeconds, Reason: o.Reason, RespondedBy: o.RespondedBy}
}

// BoardResponse is GET /outlets/{id}/board.
type BoardResponse struct {
	OutletID          uint64                 `json:"outlet_id"`
	At                time.Time              `json:"at"`
	OffersWaiting     []BoardOfferResponse   `json:"offers_waiting"`
	AppointmentsToday []WorkOrderResponse    `json:"appointments_today"`
	ArrivalsOverdue   []BoardOverdueResponse `json:"arrivals_overdue"`
	Technicians       []TechnicianLoadDTO    `json:"technicians"`
}

// BoardOfferResponse is an offer waiting for the outlet, with time left
// (negative once expired but not yet re-dispatched).
type BoardOfferResponse struct {
	WorkOrder   WorkOrderResponse `json:"work_order"`
	ExpiresAt   time.Time         `json:"expires_at"`
	SecondsLeft int64             `json:"seconds_left"`
}

// BoardOverdueResponse is accepted work past its promised arrival.
type BoardOverdueResponse struct {
	WorkOrder      WorkOrderResponse `json:"work_order"`
	OverdueSeconds int64             `json:"overdue_seconds"`
}

// TechnicianLoadDTO is one technician's open work on the board.
type TechnicianLoadDTO struct {
	StaffID uint64 `json:"staff_id"`
	Name    string `json:"name"`
	Open    int    `json:"open"`
	Today   int    `json:"today"`
}

// ScorecardResponse is GET /outlets/{id}/scorecard.
type ScorecardResponse struct {
	OutletID             uint64    `json:"outlet_id"`
	From                 time.Time `json:"from"`
	To                   time.Time `json:"to"`
	Offers               int       `json:"offers"`
	Accepted             int       `json:"accepted"`
	Rejected             int       `json:"rejected"`
	TimedOut             int       `json:"timed_out"`
	AcceptSecondsAvg     *float64  `json:"accept_seconds_avg"`
	AcceptSecondsP90     *int64    `json:"accept_seconds_p90"`
	Arrivals             int       `json:"arrivals"`
	ArrivalsOnTime       int       `json:"arrivals_on_time"`
	OnTimeArrivalRate    *float64  `json:"on_time_arrival_rate"`
	Completed            int       `json:"completed"`
	FirstTimeFixEligible int       `json:"first_time_fix_eligible"`
	FirstTimeFixed       int       `json:"first_time_fixed"`
	FirstTimeFixRate     *float64  `json:"first_time_fix_rate"`
	// Complaints linked to the outlet in the period (null: not counted),
	// and per technician those naming one.
	Complaints           *int                      `json:"complaints"`
	TechnicianComplaints []TechnicianComplaintsDTO `json:"technician_complaints"`
}

// TechnicianComplaintsDTO is one technician's complaints on a scorecard.
type TechnicianComplaintsDTO struct {
	StaffID    uint64 `json:"staff_id"`
	Name       string `json:"name"`
	Complaints int    `json:"complaints"`
}

// ---- handlers

func (s *Server) dispatchTicket(c *gin.Context) error {
	var req DispatchRequest
	id, err := bindWithID(c, "id", &req)
	if err != nil {
		return err
	}
	w, err := s.WorkOrders.Dispatch(c.Request.Context(), id, workorder.DispatchInput{Kind: req.Kind, OutletID: req.OutletID, Band: req.DistanceBand, Note: req.Note})
	if err != nil {
		return err
	}
	c.Header("Location", "/api/v1/work-orders/"+strconv.FormatUint(w.ID, 10))
	return s.respondWorkOrder(c, w, nil, http.StatusCreated)
}

// respondWorkOrder answers with the work order and its offers.
func (s *Server) respondWorkOrder(c *gin.Context, w workorder.WorkOrder, err error, status int) error {
	if err != nil {
		return err
	}
	offers, err := s.WorkOrders.Offers(c.Request.Context(), w.ID)
	if err != nil {
		return err
	}
	out := workOrderResponse(w)
	out.Offers = make([]OfferResponse, 0, len(offers))
	for _, o := range offers {
		out.Offers = append(out.Offers, offerResponse(o))
	}
	return respondVersioned(c, status, w.Version, out)
}

func (s *Server) getWorkOrder(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	w, err := s.WorkOrders.Get(c.Request.Context(), id)
	return s.respondWorkOrder(c, w, err, http.StatusOK)
}

// listWorkOrders: status (comma-separated), kind, outlet_id, ticket_id,
// technician_id, before_id (keyset, newest first), size.
func (s *Server) listWorkOrders(c *gin.Context) error {
	f := workorder.Filter{Kind: c.Query("kind")}
	for _, v := range c.QueryArray("status") {
		for _, st := range strings.Split(v, ",") {
			if st = strings.TrimSpace(st); st != "" {
				f.Statuses = append(f.Statuses, st)
			}
		}
	}
	var err error
	for name, dst := range map[string]*uint64{"outlet_id": &f.OutletID, "ticket_id": &f.TicketID, "technician_id": &f.TechnicianID, "before_id": &f.BeforeID} {
		if *dst, err = queryUint(c, name); err != nil {
			return err
		}
	}
	if v := c.Query("size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return fieldErr("size", apperr.InvalidFormat(apperr.FormatPositiveInteger))
		}
		f.Size = n
	}
	list, next, err := s.WorkOrders.List(c.Request.Context(), f)
	if err != nil {
		return err
	}
	out := views(list, workOrderResponse)
	var nextID *uint64 // 0 from the store means the last page: null, as every keyset list sends
	if next != 0 {
		nextID = &next
	}
	c.JSON(http.StatusOK, keysetOf(out, nextID))
	return nil
}

// workOrderStep binds a step's body, reads the version (body or If-Match)
// and answers with the work order.
func workOrderStep[T any](s *Server, c *gin.Context, version func(*T) int64, run func(id uint64, req *T, version int64) (workorder.WorkOrder, error)) error {
	var req T
	id, err := bindOptionalWithID(c, "id", &req)
	if err != nil {
		return err
	}
	v, err := requestVersion(c, version(&req))
	if err != nil {
		return err
	}
	w, err := run(id, &req, v)
	return s.respondWorkOrder(c, w, err, http.StatusOK)
}

func (s *Server) acceptWorkOrder(c *gin.Context) error {
	return workOrderStep(s, c, func(r *WorkOrderVersionRequest) int64 { return r.Version },
		func(id uint64, r *WorkOrderVersionRequest, v int64) (workorder.WorkOrder, error) {
			return s.WorkOrders.Accept(c.Request.Context(), id, v)
		})
}

func (s *Server) rejectWorkOrder(c *gin.Context) error {
	return workOrderStep(s, c, func(r *RejectWorkOrderRequest) int64 { return r.Version },
		func(id uint64, r *RejectWorkOrderRequest, v int64) (workorder.WorkOrder, error) {
			reason, err := workorder.RejectReasonText(r.ReasonCode, r.Reason)
			if err != nil {
				return workorder.WorkOrder{}, err
			}
			return s.WorkOrders.Reject(c.Request.Context(), id, reason, v)
		})
}

func (s *Server) assignWorkOrder(c *gin.Context) error {
	return workOrderStep(s, c, func(r *AssignTechnicianRequest) int64 { return r.Version },
		func(id uint64, r *AssignTechnicianRequest, v int64) (workorder.WorkOrder, error) {
			return s.WorkOrders.AssignTechnician(c.Request.Context(), id, r.TechnicianStaffID, v)
		})
}

func (s *Server) appointmentWorkOrder(c *gin.Context) error {
	return workOrderStep(s, c, func(r *AppointmentRequest) int64 { return r.Version },
		func(id uint64, r *AppointmentRequest, v int64) (workorder.WorkOrder, error) {
			if r.At.IsZero() {
				return workorder.WorkOrder{}, apperr.FieldErr("at", apperr.Required())
			}
			return s.WorkOrders.SetAppointment(c.Request.Context(), id, r.At, r.Until, v)
		})
}

func (s *Server) contactWorkOrder(c *gin.Context) error {
	return workOrderStep(s, c, func(r *WorkOrderNoteRequest) int64 { return r.Version },
		func(id uint64, r *WorkOrderNoteRequest, v int64) (workorder.WorkOrder, error) {
			return s.WorkOrders.Contact(c.Request.Context(), id, r.Note, v)
		})
}

func (s *Server) completeWorkOrder(c *gin.Context) error {
	return workOrderStep(s, c, func(r *CompleteWorkOrderRequest) int64 { return r.Version },
		func(id uint64, r *CompleteWorkOrderRequest, v int64) (workorder.WorkOrder, error) {
			return s.WorkOrders.Complete(c.Request.Context(), id, r.Result, r.Notes, v)
		})
}

func (s *Server) signOffWorkOrder(c *gin.Context) error {
	return workOrderStep(s, c, func(r *SignOffRequest) int64 { return r.Version },
		func(id uint64, r *SignOffRequest, v int64) (workorder.WorkOrder, error) {
			return s.WorkOrders.SignOff(c.Request.Context(), id, r.SignedBy, v)
		})
}

func (s *Server) redispatchWorkOrder(c *gin.Context) error {
	return workOrderStep(s, c, func(r *RedispatchRequest) int64 { return r.Version },
		func(id uint64, r *RedispatchRequest, v int64) (workorder.WorkOrder, error) {
			return s.WorkOrders.Redispatch(c.Request.Context(), id, r.OutletID, v)
		})
}

func (s *Server) cancelWorkOrder(c *gin.Context) error {
	return workOrderStep(s, c, func(r *CancelWorkOrderRequest) int64 { return r.Version },
		func(id uint64, r *CancelWorkOrderRequest, v int64) (workorder.WorkOrder, error) {
			return s.WorkOrders.Cancel(c.Request.Context(), id, r.Reason, v)
		})
}

func (s *Server) outletBoard(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	b, err := s.WorkOrders.Board(c.Request.Context(), id)
	if err != nil {
		return err
	}
	out := BoardResponse{OutletID: b.OutletID, At: b.At, OffersWaiting: []BoardOfferResponse{}, AppointmentsToday: []WorkOrderResponse{},
		ArrivalsOverdue: []BoardOverdueResponse{}, Technicians: []TechnicianLoadDTO{}}
	for _, o := range b.Offers {
		out.OffersWaiting = append(out.OffersWaiting, BoardOfferResponse{WorkOrder: workOrderResponse(o.WorkOrder), ExpiresAt: o.ExpiresAt, SecondsLeft: o.SecondsLeft})
	}
	for _, w := range b.AppointmentsToday {
		out.AppointmentsToday = append(out.AppointmentsToday, workOrderResponse(w))
	}
	for _, o := range b.ArrivalsOverdue {
		out.ArrivalsOverdue = append(out.ArrivalsOverdue, BoardOverdueResponse{WorkOrder: workOrderResponse(o.WorkOrder), OverdueSeconds: o.OverdueSeconds})
	}
	for _, t := range b.Technicians {
		out.Technicians = append(out.Technicians, TechnicianLoadDTO{StaffID: t.StaffID, Name: t.Name, Open: t.Open, Today: t.Today})
	}
	c.JSON(http.StatusOK, out)
	return nil
}

// outletScorecard: from and to (RFC 3339 or local dates, to exclusive);
// default the last 30 days.
func (s *Server) outletScorecard(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	from, err := s.queryTime(c, "from")
	if err != nil {
		return err
	}
	to, err := s.queryTime(c, "to")
	if err != nil {
		return err
	}
	end := time.Now()
	if to != nil {
		end = *to
	}
	start := end.AddDate(0, 0, -30)
	if from != nil {
		start = *from
	}
	sc, err := s.WorkOrders.Scorecard(c.Request.Context(), id, start, end)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, ScorecardResponse{OutletID: sc.OutletID, From: sc.From, To: sc.To, Offers: sc.Offers, Accepted: sc.Accepted,
		Rejected: sc.Rejected, TimedOut: sc.TimedOut, AcceptSecondsAvg: sc.AcceptSecondsAvg, AcceptSecondsP90: sc.AcceptSecondsP90,
		Arrivals: sc.Arrivals, ArrivalsOnTime: sc.ArrivalsOnTime, OnTimeArrivalRate: sc.OnTimeArrivalRate, Completed: sc.Completed,
		FirstTimeFixEligible: sc.FirstTimeFixEligible, FirstTimeFixed: sc.FirstTimeFixed, FirstTimeFixRate: sc.FirstTimeFixRate,
		Complaints: sc.Complaints, TechnicianComplaints: technicianComplaintsDTO(sc.TechnicianComplaints)})
	return nil
}

func technicianComplaintsDTO(in []workorder.TechnicianComplaints) []TechnicianComplaintsDTO {
	out := make([]TechnicianComplaintsDTO, 0, len(in))
	for _, t := range in {
		out = append(out, TechnicianComplaintsDTO{StaffID: t.StaffID, Name: t.Name, Complaints: t.Complaints})
	}
	return out
}
