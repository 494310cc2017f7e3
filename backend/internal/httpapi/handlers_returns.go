package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/returns"
)

// CreateReturnRequest records a 三包 return or exchange request. The unit by
// id or serial; requested_on is the day the customer asked (YYYY-MM-DD,
// default today).
type CreateReturnRequest struct {
	Kind        string  `json:"kind"`
	UnitID      uint64  `json:"unit_id"`
	Serial      string  `json:"serial"`
	Reason      string  `json:"reason"`
	RequestedOn string  `json:"requested_on"`
	OutletID    *uint64 `json:"outlet_id"`
	TicketID    *uint64 `json:"ticket_id"`
}

// DecideReturnRequest accepts or refuses a request, with the reason.
type DecideReturnRequest struct {
	Decision string `json:"decision"`
	Reason   string `json:"reason"`
	Version  int64  `json:"version"`
}

// CompleteReturnRequest closes an accepted request: the refund of a return
// (fen), the replacement serial of an exchange.
type CompleteReturnRequest struct {
	RefundFen         int64  `json:"refund_fen"`
	ReplacementSerial string `json:"replacement_serial"`
	Note              string `json:"note"`
	Version           int64  `json:"version"`
}

// CancelReturnRequest withdraws a request.
type CancelReturnRequest struct {
	Reason  string `json:"reason"`
	Version int64  `json:"version"`
}

// ReturnResponse is a return or exchange request. Dates (purchase_date,
// requested_on, *_until, decided_on) are calendar dates.
type ReturnResponse struct {
	ID                  uint64     `json:"id"`
	Number              string     `json:"number"`
	Kind                string     `json:"kind"`
	UnitID              uint64     `json:"unit_id"`
	Serial              string     `json:"serial"`
	CustomerID          *uint64    `json:"customer_id"`
	OutletID            *uint64    `json:"outlet_id"`
	TicketID            *uint64    `json:"ticket_id"`
	Reason              string     `json:"reason"`
	PurchaseDate        *string    `json:"purchase_date"`
	RequestedOn         *string    `json:"requested_on"`
	DaysSincePurchase   int        `json:"days_since_purchase"`
	ReturnUntil         *string    `json:"return_until"`
	ExchangeUntil       *string    `json:"exchange_until"`
	WindowUntil         *string    `json:"window_until"`
	Eligible            bool       `json:"eligible"`
	Status              string     `json:"status"`
	Allowed             []string   `json:"allowed"`
	Decision            string     `json:"decision"`
	DecisionReason      string     `json:"decision_reason"`
	DecidedAt           *time.Time `json:"decided_at"`
	DecidedOn           *string    `json:"decided_on"`
	DecidedBy           string     `json:"decided_by"`
	OutsideLegalWindow  bool       `json:"outside_legal_window"`
	RefusedWithinWindow bool       `json:"refused_within_window"`
	RefundFen           int64      `json:"refund_fen"`
	ReplacementSerial   string     `json:"replacement_serial"`
	CompletionNote      string     `json:"completion_note"`
	CompletedAt         *time.Time `json:"completed_at"`
	CancelledAt         *time.Time `json:"cancelled_at"`
	Version             int64      `json:"version"`
	CreatedAt           time.Time  `json:"created_at"`
}

func returnResponse(r returns.Request) ReturnResponse {
	return ReturnResponse{ID: r.ID, Number: r.Number, Kind: r.Kind, UnitID: r.UnitID, Serial: r.Serial, CustomerID: r.CustomerID,
		OutletID: r.OutletID, TicketID: r.TicketID, Reason: r.Reason, PurchaseDate: formatDay(&r.PurchaseDate), RequestedOn: formatDay(&r.RequestedOn),
		DaysSincePurchase: r.DaysSincePurchase, ReturnUntil: formatDay(r.ReturnUntil), ExchangeUntil: formatDay(r.ExchangeUntil),
		WindowUntil: formatDay(r.WindowUntil), Eligible: r.Eligible, Status: r.Status, Allowed: returns.Allowed(r.Status), Decision: r.Decision,
		DecisionReason: r.DecisionReason, DecidedAt: r.DecidedAt, DecidedOn: formatDay(r.DecidedOn), DecidedBy: r.DecidedBy,
		OutsideLegalWindow: r.OutsideLegalWindow, RefusedWithinWindow: r.RefusedWithinWindow, RefundFen: r.RefundFen,
		ReplacementSerial: r.ReplacementSerial, CompletionNote: r.CompletionNote, CompletedAt: r.CompletedAt, CancelledAt: r.CancelledAt,
		Version: r.Version, CreatedAt: r.CreatedAt}
}

func (s *Server) listReturns(c *gin.Context) error {
	page, size, err := paging(c, 20, 200)
	if err != nil {
		return err
	}
	f := returns.Filter{Status: c.Query("status"), Kind: c.Query("kind"), Flag: c.Query("flag"), Page: page, Size: size}
	if f.UnitID, err = queryUint(c, "unit_id"); err != nil {
		return err
	}
	from, err := parseOptionalDate(c.Query("from"), "from")
	if err != nil {
		return fieldErr("from", apperr.InvalidFormat(apperr.FormatDate))
	}
	to, err := parseOptionalDate(c.Query("to"), "to")
	if err != nil {
		return fieldErr("to", apperr.InvalidFormat(apperr.FormatDate))
	}
	if !from.IsZero() {
		f.From = &from
	}
	if !to.IsZero() {
		next := to.AddDate(0, 0, 1)
		f.To = &next
	}
	list, total, err := s.Returns.List(c.Request.Context(), f)
	if err != nil {
		return err
	}
	items := views(list, returnResponse)
	c.JSON(http.StatusOK, pageOf(items, total, page, size))
	return nil
}

func (s *Server) createReturn(c *gin.Context) error {
	var req CreateReturnRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	on, err := parseOptionalDate(req.RequestedOn, "requested_on")
	if err != nil {
		return err
	}
	r, err := s.Returns.Create(c.Request.Context(), returns.NewRequest{Kind: req.Kind, UnitID: req.UnitID, Serial: req.Serial, Reason: req.Reason,
		RequestedOn: on, OutletID: req.OutletID, TicketID: req.TicketID})
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, returnResponse(r))
	return nil
}

func (s *Server) getReturn(c *gin.Context) error {
	return answerByID(c, http.StatusOK, s.Returns.Get, returnResponse)
}

// EligibilityResponse previews a unit against the 三包 windows.
type EligibilityResponse struct {
	UnitID            uint64  `json:"unit_id"`
	Serial            string  `json:"serial"`
	Kind              string  `json:"kind"`
	PurchaseDate      *string `json:"purchase_date"`
	RequestedOn       *string `json:"requested_on"`
	DaysSincePurchase int     `json:"days_since_purchase"`
	ReturnUntil       *string `json:"return_until"`
	ExchangeUntil     *string `json:"exchange_until"`
	Eligible          bool    `json:"eligible"`
}

// returnEligibility answers ?kind=return|exchange&serial=|unit_id=&on=
// without recording anything.
func (s *Server) returnEligibility(c *gin.Context) error {
	unitID, err := queryUint(c, "unit_id")
	if err != nil {
		return err
	}
	on, err := parseOptionalDate(c.Query("on"), "on")
	if err != nil {
		return fieldErr("on", apperr.InvalidFormat(apperr.FormatDate))
	}
	kind := c.Query("kind")
	if kind == "" {
		kind = returns.KindReturn
	}
	e, err := s.Returns.Check(c.Request.Context(), kind, unitID, c.Query("serial"), on)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, EligibilityResponse{UnitID: e.Unit.ID, Serial: e.Unit.Serial, Kind: e.Kind, PurchaseDate: formatDay(e.Unit.PurchaseDate),
		RequestedOn: formatDay(&e.RequestedOn), DaysSincePurchase: e.Window.DaysSincePurchase, ReturnUntil: formatDay(&e.ReturnUntil),
		ExchangeUntil: formatDay(&e.ExchangeUntil), Eligible: e.Window.Eligible})
	return nil
}

func (s *Server) decideReturn(c *gin.Context) error {
	var req DecideReturnRequest
	return changeByID(c, &req, &req.Version, func(ctx context.Context, id uint64, v int64) (returns.Request, error) {
		return s.Returns.Decide(ctx, id, v, req.Decision, req.Reason)
	}, returnResponse)
}

func (s *Server) completeReturn(c *gin.Context) error {
	var req CompleteReturnRequest
	return changeByID(c, &req, &req.Version, func(ctx context.Context, id uint64, v int64) (returns.Request, error) {
		return s.Returns.Complete(ctx, id, v, returns.Completion{RefundFen: req.RefundFen, ReplacementSerial: req.ReplacementSerial, Note: req.Note})
	}, returnResponse)
}

func (s *Server) cancelReturn(c *gin.Context) error {
	var req CancelReturnRequest
	return changeByID(c, &req, &req.Version, func(ctx context.Context, id uint64, v int64) (returns.Request, error) {
		return s.Returns.Cancel(ctx, id, v, req.Reason)
	}, returnResponse)
}

// ReturnsKPIResponse is the 三包 compliance of requests made in ?from&to.
type ReturnsKPIResponse struct {
	From                time.Time `json:"from"`
	To                  time.Time `json:"to"`
	Requests            int64     `json:"requests"`
	Eligible            int64     `json:"eligible"`
	Honoured            int64     `json:"honoured"`
	Rate                *float64  `json:"rate"`
	Refused             int64     `json:"refused"`
	RefusedWithinWindow int64     `json:"refused_within_window"`
	OutsideLegalWindow  int64     `json:"outside_legal_window"`
	Undecided           int64     `json:"undecided_past_window"`
	RefundFen           int64     `json:"refund_fen"`
	NonConformingIDs    []string  `json:"non_conforming_ids"`
}

func (s *Server) returnsKPI(c *gin.Context) error {
	from, to, err := s.queryPeriod(c)
	if err != nil {
		return err
	}
	// Requests are dated by calendar day: the period's local days.
	fd, td := from.In(s.Location), to.In(s.Location)
	fromDay := time.Date(fd.Year(), fd.Month(), fd.Day(), 0, 0, 0, 0, time.UTC)
	toDay := time.Date(td.Year(), td.Month(), td.Day(), 0, 0, 0, 0, time.UTC)
	k, err := s.Returns.KPIOf(c.Request.Context(), fromDay, toDay)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, ReturnsKPIResponse{From: from, To: to, Requests: k.Requests, Eligible: k.Eligible, Honoured: k.Honoured, Rate: k.Rate,
		Refused: k.Refused, RefusedWithinWindow: k.RefusedWithinWindow, OutsideLegalWindow: k.OutsideLegalWindow, Undecided: k.Undecided,
		RefundFen: k.RefundFen, NonConformingIDs: k.NonConformingIDs})
	return nil
}
