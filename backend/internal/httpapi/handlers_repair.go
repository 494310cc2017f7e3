package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aftersales/aftersales/backend/internal/repair"
)

// ---- helpers shared by the repair, parts, returns and recall handlers

// ---- repairs

// CreateRepairRequest opens a repair: from a work order, or a walk-in at
// an outlet (outlet users: their own); the unit by id or serial.
type CreateRepairRequest struct {
	WorkOrderID    *uint64    `json:"work_order_id"`
	OutletID       uint64     `json:"outlet_id"`
	UnitID         uint64     `json:"unit_id"`
	Serial         string     `json:"serial"`
	Complaint      string     `json:"complaint"`
	TechnicianID   *uint64    `json:"technician_id"`
	TechnicianName string     `json:"technician_name"`
	ReceivedAt     *time.Time `json:"received_at"`
}

// DiagnoseRepairRequest records the fault.
type DiagnoseRepairRequest struct {
	Diagnosis string `json:"diagnosis"`
	FaultCode string `json:"fault_code"`
	Cause     string `json:"cause"`
	Version   int64  `json:"version"`
}

// QuoteLineRequest is one line of a quote: kind part or labour, the code
// from the price list, the quantity.
type QuoteLineRequest struct {
	Kind string `json:"kind"`
	Code string `json:"code"`
	Qty  int64  `json:"qty"`
}

// QuoteRepairRequest prices an out-of-warranty repair from the price list.
type QuoteRepairRequest struct {
	Lines   []QuoteLineRequest `json:"lines"`
	Version int64              `json:"version"`
}

// ApproveQuoteRequest records the customer's approval: who, and how
// (signature, phone, sms, online).
type ApproveQuoteRequest struct {
	ApprovedBy string `json:"approved_by"`
	Channel    string `json:"channel"`
	Version    int64  `json:"version"`
}

// DeclineQuoteRequest records the customer's refusal of the quote.
type DeclineQuoteRequest struct {
	Reason  string `json:"reason"`
	Version int64  `json:"version"`
}

// RepairVersionRequest carries only the version (optional).
type RepairVersionRequest struct {
	Version int64 `json:"version"`
}

// AddRepairPartRequest takes a part from the outlet's stock for the repair.
type AddRepairPartRequest struct {
	PartID            uint64 `json:"part_id"`
	PartCode          string `json:"part_code"`
	Qty               int64  `json:"qty"`
	FaultySerial      string `json:"faulty_serial"`
	ReplacementSerial string `json:"replacement_serial"`
	ReturnOldPart     *bool  `json:"return_old_part"`
	Version           int64  `json:"version"`
}

// CompleteRepairRequest records the result.
type CompleteRepairRequest struct {
	Result            string `json:"result"`
	LabourCode        string `json:"labour_code"`
	Visits            int    `json:"visits"`
	Cause             string `json:"cause"`
	CustomerConfirmed bool   `json:"customer_confirmed"`
	ConfirmationNote  string `json:"confirmation_note"`
	ReplacementSerial string `json:"replacement_serial"`
	Version           int64  `json:"version"`
}

// CancelRepairRequest withdraws a repair before work starts.
type CancelRepairRequest struct {
	Reason  string `json:"reason"`
	Version int64  `json:"version"`
}

// RemoveRepairPartRequest takes a part line recorded in error off a repair.
type RemoveRepairPartRequest struct {
	Reason  string `json:"reason"`
	Version int64  `json:"version"`
}

// OldPartReturnedRequest records the old part's return (date, default today).
type OldPartReturnedRequest struct {
	ReturnedOn string `json:"returned_on"`
}

// RepairResponse is the API image of a repair order. Money is in fen;
// repair_until is a calendar date.
type RepairResponse struct {
	ID                uint64     `json:"id"`
	Number            string     `json:"number"`
	WorkOrderID       *uint64    `json:"work_order_id"`
	TicketID          *uint64    `json:"ticket_id"`
	OutletID          uint64     `json:"outlet_id"`
	UnitID            uint64     `json:"unit_id"`
	Serial            string     `json:"serial"`
	ModelID           uint64     `json:"model_id"`
	CustomerID        *uint64    `json:"customer_id"`
	Channel           string     `json:"channel"`
	TechnicianID      *uint64    `json:"technician_id"`
	TechnicianName    string     `json:"technician_name"`
	Status            string     `json:"status"`
	Allowed           []string   `json:"allowed"`
	Complaint         string     `json:"complaint"`
	Diagnosis         string     `json:"diagnosis"`
	FaultCode         string     `json:"fault_code"`
	Cause             string     `json:"cause"`
	InWarranty        bool       `json:"in_warranty"`
	WarrantyState     string     `json:"warranty_state"`
	RepairUntil       *string    `json:"repair_until"`
	QuoteFen          int64      `json:"quote_fen"`
	QuoteApprovedBy   string     `json:"quote_approved_by"`
	QuoteChannel      string     `json:"quote_channel"`
	QuoteDecidedAt    *time.Time `json:"quote_decided_at"`
	DeclineReason     string     `json:"decline_reason"`
	LabourCode        string     `json:"labour_code"`
	LabourFen         int64      `json:"labour_fen"`
	PartsFen          int64      `json:"parts_fen"`
	ChargeFen         int64      `json:"charge_fen"`
	ClaimFen          int64      `json:"claim_fen"`
	Result            string     `json:"result"`
	Visits            int        `json:"visits"`
	CustomerConfirmed bool       `json:"customer_confirmed"`
	ConfirmationNote  string     `json:"confirmation_note"`
	ReplacementSerial string     `json:"replacement_serial"`
	CancelReason      string     `json:"cancel_reason"`
	ReceivedAt        time.Time  `json:"received_at"`
	DiagnosedAt       *time.Time `json:"diagnosed_at"`
	StartedAt         *time.Time `json:"started_at"`
	CompletedAt       *time.Time `json:"completed_at"`
	ClosedAt          *time.Time `json:"closed_at"`
	Version           int64      `json:"version"`
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"updated_at"`
}

func repairResponse(o repair.Order) RepairResponse {
	return RepairResponse{ID: o.ID, Number: o.Number, WorkOrderID: o.WorkOrderID, TicketID: o.TicketID, OutletID: o.OutletID, UnitID: o.UnitID,
		Serial: o.Serial, ModelID: o.ModelID, CustomerID: o.CustomerID, Channel: o.Channel, TechnicianID: o.TechnicianID,
		TechnicianName: o.TechnicianName, Status: o.Status, Allowed: repair.Allowed(o.Status), Complaint: o.Complaint, Diagnosis: o.Diagnosis,
		FaultCode: o.FaultCode, Cause: o.Cause, InWarranty: o.InWarranty, WarrantyState: o.WarrantyState, RepairUntil: formatDay(o.RepairUntil),
		QuoteFen: o.QuoteFen, QuoteApprovedBy: o.QuoteApprovedBy, QuoteChannel: o.QuoteChannel, QuoteDecidedAt: o.QuoteDecidedAt,
		DeclineReason: o.DeclineReason, LabourCode: o.LabourCode, LabourFen: o.LabourFen, PartsFen: o.PartsFen, ChargeFen: o.ChargeFen,
		ClaimFen: o.ClaimFen, Result: o.Result, Visits: o.Visits, CustomerConfirmed: o.CustomerConfirmed, ConfirmationNote: o.ConfirmationNote,
		ReplacementSerial: o.ReplacementSerial, CancelReason: o.CancelReason, ReceivedAt: o.ReceivedAt, DiagnosedAt: o.DiagnosedAt,
		StartedAt: o.StartedAt, CompletedAt: o.CompletedAt, ClosedAt: o.ClosedAt, Version: o.Version, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
}

// QuoteLineResponse is a priced quote line.
type QuoteLineResponse struct {
	Kind      string `json:"kind"`
	Code      string `json:"code"`
	Name      string `json:"name"`
	Qty       int64  `json:"qty"`
	UnitFen   int64  `json:"unit_fen"`
	AmountFen int64  `json:"amount_fen"`
}

// RepairPartResponse is a part line: the faulty and replacement serial,
// who pays, and the old part's return.
type RepairPartResponse struct {
	ID                uint64    `json:"id"`
	RepairID          uint64    `json:"repair_id"`
	PartID            uint64    `json:"part_id"`
	PartCode          string    `json:"part_code"`
	PartName          string    `json:"part_name"`
	Qty               int64     `json:"qty"`
	UnitFen           int64     `json:"unit_fen"`
	AmountFen         int64     `json:"amount_fen"`
	LocationID        uint64    `json:"location_id"`
	FaultySerial      string    `json:"faulty_serial"`
	ReplacementSerial string    `json:"replacement_serial"`
	UnderWarranty     bool      `json:"under_warranty"`
	ChargeTo          string    `json:"charge_to"`
	OldPartStatus     string    `json:"old_part_status"`
	OldPartReturnedOn *string   `json:"old_part_returned_on"`
	CreatedAt         time.Time `json:"created_at"`
}

func repairPartResponse(l repair.PartLine) RepairPartResponse {
	return RepairPartResponse{ID: l.ID, RepairID: l.RepairID, PartID: l.PartID, PartCode: l.PartCode, PartName: l.PartName, Qty: l.Qty,
		UnitFen: l.UnitFen, AmountFen: l.AmountFen, LocationID: l.LocationID, FaultySerial: l.FaultySerial, ReplacementSerial: l.ReplacementSerial,
		UnderWarranty: l.UnderWarranty, ChargeTo: l.ChargeTo, OldPartStatus: l.OldPartStatus, OldPartReturnedOn: formatDay(l.OldPartReturnedOn),
		CreatedAt: l.CreatedAt}
}

func quoteLineResponses(lines []repair.QuoteLine) []QuoteLineResponse {
	out := make([]QuoteLineResponse, 0, len(lines))
	for _, l := range lines {
		out = append(out, QuoteLineResponse{Kind: l.Kind, Code: l.Code, Name: l.Name, Qty: l.Qty, UnitFen: l.UnitFen, AmountFen: l.AmountFen})
	}
	return out
}

// RepairDetailResponse is a repair with its quote and part lines, the
// earlier repair it repeats, and what its record lacks for an audit sample
// (fault_code, cause, part_serials, charges, customer_confirmation).
type RepairDetailResponse struct {
	RepairResponse
	QuoteLines []QuoteLineResponse  `json:"quote_lines"`
	Parts      []RepairPartResponse `json:"parts"`
	RepeatOf   *uint64              `json:"repeat_of"`
	Missing    []string             `json:"missing"`
}

func (s *Server) repairDetail(c *gin.Context, id uint64, status int) error {
	d, err := s.Repairs.Get(c.Request.Context(), id)
	if err != nil {
		return err
	}
	out := RepairDetailResponse{RepairResponse: repairResponse(d.Order), QuoteLines: quoteLineResponses(d.QuoteLines),
		Parts: make([]RepairPartResponse, 0, len(d.Parts)), RepeatOf: d.RepeatOf, Missing: d.Missing}
	for _, l := range d.Parts {
		out.Parts = append(out.Parts, repairPartResponse(l))
	}
	return respondVersioned(c, status, d.Version, out)
}

func (s *Server) listRepairs(c *gin.Context) error {
	_, size, err := paging(c, 20, 200)
	if err != nil {
		return err
	}
	f := repair.Filter{Status: c.Query("status"), Serial: c.Query("serial"), Size: size}
	for name, dst := range map[string]*uint64{"outlet_id": &f.OutletID, "unit_id": &f.UnitID, "technician_id": &f.TechnicianID, "before_id": &f.BeforeID} {
		if *dst, err = queryUint(c, name); err != nil {
			return err
		}
	}
	if f.InWarranty, err = queryBool(c, "in_warranty"); err != nil {
		return err
	}
	if f.From, err = s.queryInstant(c, "from", false); err != nil {
		return err
	}
	if f.To, err = s.queryInstant(c, "to", true); err != nil {
		return err
	}
	list, err := s.Repairs.List(c.Request.Context(), f)
	if err != nil {
		return err
	}
	items := views(list, repairResponse)
	next := nextBeforeID(list, size, func(x repair.Order) uint64 { return x.ID })
	c.JSON(http.StatusOK, gin.H{"items": items, "next_before_id": next, "size": size})
	return nil
}

func (s *Server) createRepair(c *gin.Context) error {
	var req CreateRepairRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	o, err := s.Repairs.Create(c.Request.Context(), repair.NewOrder{WorkOrderID: req.WorkOrderID, OutletID: req.OutletID, UnitID: req.UnitID,
		Serial: req.Serial, Complaint: req.Complaint, TechnicianID: req.TechnicianID, TechnicianName: req.TechnicianName, ReceivedAt: req.ReceivedAt})
	if err != nil {
		return err
	}
	return s.repairDetail(c, o.ID, http.StatusCreated)
}

func (s *Server) getRepair(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return s.repairDetail(c, id, http.StatusOK)
}

// repairAction decodes the body into req, reads the path id and the
// version, runs fn and answers with the repair's detail.
func (s *Server) repairAction(c *gin.Context, req any, bodyVersion *int64, optional bool, fn func(id uint64, version int64) error) error {
	bind := bindJSON
	if optional {
		bind = bindOptionalJSON
	}
	id, v, err := versionedWithID(c, "id", req, bodyVersion, bind)
	if err != nil {
		return err
	}
	if err := fn(id, v); err != nil {
		return err
	}
	return s.repairDetail(c, id, http.StatusOK)
}

func (s *Server) diagnoseRepair(c *gin.Context) error {
	var req DiagnoseRepairRequest
	return s.repairAction(c, &req, &req.Version, false, func(id uint64, v int64) error {
		_, err := s.Repairs.Diagnose(c.Request.Context(), id, v, repair.Diagnosis{Diagnosis: req.Diagnosis, FaultCode: req.FaultCode, Cause: req.Cause})
		return err
	})
}

func (s *Server) quoteRepair(c *gin.Context) error {
	var req QuoteRepairRequest
	return s.repairAction(c, &req, &req.Version, false, func(id uint64, v int64) error {
		items := make([]repair.QuoteItem, 0, len(req.Lines))
		for _, l := range req.Lines {
			items = append(items, repair.QuoteItem{Kind: l.Kind, Code: l.Code, Qty: l.Qty})
		}
		_, _, err := s.Repairs.Quote(c.Request.Context(), id, v, items)
		return err
	})
}

func (s *Server) approveRepairQuote(c *gin.Context) error {
	var req ApproveQuoteRequest
	return s.repairAction(c, &req, &req.Version, false, func(id uint64, v int64) error {
		_, err := s.Repairs.ApproveQuote(c.Request.Context(), id, v, req.ApprovedBy, req.Channel)
		return err
	})
}

func (s *Server) declineRepairQuote(c *gin.Context) error {
	var req DeclineQuoteRequest
	return s.repairAction(c, &req, &req.Version, false, func(id uint64, v int64) error {
		_, err := s.Repairs.DeclineQuote(c.Request.Context(), id, v, req.Reason)
		return err
	})
}

func (s *Server) startRepair(c *gin.Context) error {
	var req RepairVersionRequest
	return s.repairAction(c, &req, &req.Version, true, func(id uint64, v int64) error {
		_, err := s.Repairs.Start(c.Request.Context(), id, v)
		return err
	})
}

func (s *Server) addRepairPart(c *gin.Context) error {
	var req AddRepairPartRequest
	return s.repairAction(c, &req, &req.Version, false, func(id uint64, v int64) error {
		_, _, err := s.Repairs.AddPart(c.Request.Context(), id, v, repair.PartUse{PartID: req.PartID, PartCode: req.PartCode, Qty: req.Qty,
			FaultySerial: req.FaultySerial, ReplacementSerial: req.ReplacementSerial, ReturnOldPart: req.ReturnOldPart})
		return err
	})
}

func (s *Server) removeRepairPart(c *gin.Context) error {
	var req RemoveRepairPartRequest
	return s.repairAction(c, &req, &req.Version, true, func(id uint64, v int64) error {
		lineID, err := pathID(c, "line_id")
		if err != nil {
			return err
		}
		_, err = s.Repairs.RemovePart(c.Request.Context(), id, lineID, v, req.Reason)
		return err
	})
}

func (s *Server) completeRepair(c *gin.Context) error {
	var req CompleteRepairRequest
	return s.repairAction(c, &req, &req.Version, false, func(id uint64, v int64) error {
		_, err := s.Repairs.Complete(c.Request.Context(), id, v, repair.Completion{Result: req.Result, LabourCode: req.LabourCode, Visits: req.Visits,
			Cause: req.Cause, CustomerConfirmed: req.CustomerConfirmed, ConfirmationNote: req.ConfirmationNote, ReplacementSerial: req.ReplacementSerial})
		return err
	})
}

func (s *Server) cancelRepair(c *gin.Context) error {
	var req CancelRepairRequest
	return s.repairAction(c, &req, &req.Version, false, func(id uint64, v int64) error {
		_, err := s.Repairs.Cancel(c.Request.Context(), id, v, req.Reason)
		return err
	})
}

func (s *Server) returnOldPart(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req OldPartReturnedRequest
	lineID, err := bindOptionalWithID(c, "line_id", &req)
	if err != nil {
		return err
	}
	on, err := parseOptionalDate(req.ReturnedOn, "returned_on")
	if err != nil {
		return err
	}
	return answerWith(c, http.StatusOK, repairPartResponse)(s.Repairs.ReturnOldPart(c.Request.Context(), id, lineID, on))
}

// OldPartResponse is a part line on the old-part (旧件) return list.
type OldPartResponse struct {
	RepairPartResponse
	RepairNumber string `json:"repair_number"`
	OutletID     uint64 `json:"outlet_id"`
	UnitSerial   string `json:"unit_serial"`
}

func (s *Server) listOldParts(c *gin.Context) error {
	page, size, err := paging(c, 20, 200)
	if err != nil {
		return err
	}
	outletID, err := queryUint(c, "outlet_id")
	if err != nil {
		return err
	}
	list, total, err := s.Repairs.OldParts(c.Request.Context(), c.Query("status"), outletID, page, size)
	if err != nil {
		return err
	}
	items := make([]OldPartResponse, 0, len(list))
	for _, p := range list {
		items = append(items, OldPartResponse{RepairPartResponse: repairPartResponse(p.PartLine), RepairNumber: p.RepairNumber,
			OutletID: p.OutletID, UnitSerial: p.UnitSerial})
	}
	c.JSON(http.StatusOK, pageOf(items, total, page, size))
	return nil
}

// RepairKPIResponse are the repair indicators of ?from&to (repairs
// completed in the period). Rates are null when nothing was completed.
type RepairKPIResponse struct {
	From               time.Time `json:"from"`
	To                 time.Time `json:"to"`
	RepeatWindowDays   int       `json:"repeat_window_days"`
	Completed          int64     `json:"completed"`
	FirstTimeFix       int64     `json:"first_time_fix"`
	FirstTimeFixRate   *float64  `json:"first_time_fix_rate"`
	Repeat             int64     `json:"repeat"`
	RepeatRate         *float64  `json:"repeat_rate"`
	RecordComplete     int64     `json:"record_complete"`
	RecordCompleteRate *float64  `json:"record_complete_rate"`
	InWarranty         int64     `json:"in_warranty"`
	ChargeFen          int64     `json:"charge_fen"`
	ClaimFen           int64     `json:"claim_fen"`
	OldPartsPending    int64     `json:"old_parts_pending"`
	NotFirstTimeFixIDs []string  `json:"not_first_time_fix_ids"`
}

func (s *Server) repairKPI(c *gin.Context) error {
	from, to, err := s.queryPeriod(c)
	if err != nil {
		return err
	}
	outletID, err := queryUint(c, "outlet_id")
	if err != nil {
		return err
	}
	k, err := s.Repairs.KPIOf(c.Request.Context(), from, to, outletID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, RepairKPIResponse{From: k.From, To: k.To, RepeatWindowDays: k.WindowDays, Completed: k.Completed,
		FirstTimeFix: k.FirstTimeFix, FirstTimeFixRate: k.FirstTimeFixRate, Repeat: k.Repeat, RepeatRate: k.RepeatRate,
		RecordComplete: k.RecordComplete, RecordCompleteRate: k.RecordCompleteRate, InWarranty: k.InWarranty, ChargeFen: k.ChargeFen,
		ClaimFen: k.ClaimFen, OldPartsPending: k.OldPartsPending, NotFirstTimeFixIDs: k.NotFirstTimeFixIDs})
	return nil
}

// ---- replacement entitlements

// EntitlementResponse is a unit's 三包 replacement entitlement.
type EntitlementResponse struct {
	ID            uint64     `json:"id"`
	UnitID        uint64     `json:"unit_id"`
	FaultCode     string     `json:"fault_code"`
	FailedRepairs int        `json:"failed_repairs"`
	RepairID      uint64     `json:"repair_id"`
	Status        string     `json:"status"`
	RaisedAt      time.Time  `json:"raised_at"`
	ClosedAt      *time.Time `json:"closed_at"`
	Note          string     `json:"note"`
	Version       int64      `json:"version"`
}

func entitlementResponse(e repair.Entitlement) EntitlementResponse {
	return EntitlementResponse{ID: e.ID, UnitID: e.UnitID, FaultCode: e.FaultCode, FailedRepairs: e.FailedRepairs, RepairID: e.RepairID,
		Status: e.Status, RaisedAt: e.RaisedAt, ClosedAt: e.ClosedAt, Note: e.Note, Version: e.Version}
}

// CloseEntitlementRequest closes an open entitlement as fulfilled or waived.
type CloseEntitlementRequest struct {
	Status  string `json:"status"`
	Note    string `json:"note"`
	Version int64  `json:"version"`
}

func (s *Server) listEntitlements(c *gin.Context) error {
	page, size, err := paging(c, 20, 200)
	if err != nil {
		return err
	}
	unitID, err := queryUint(c, "unit_id")
	if err != nil {
		return err
	}
	list, total, err := s.Repairs.Entitlements(c.Request.Context(), repair.EntitlementFilter{UnitID: unitID, Status: c.Query("status"), Page: page, Size: size})
	if err != nil {
		return err
	}
	items := views(list, entitlementResponse)
	c.JSON(http.StatusOK, pageOf(items, total, page, size))
	return nil
}

func (s *Server) closeEntitlement(c *gin.Context) error {
	var req CloseEntitlementRequest
	return changeByID(c, &req, &req.Version, func(ctx context.Context, id uint64, v int64) (repair.Entitlement, error) {
		return s.Repairs.CloseEntitlement(ctx, id, v, req.Status, req.Note)
	}, entitlementResponse)
}

// ---- labour rates and the public price list

// LabourRateRequest publishes a labour rate (price per job, in fen).
type LabourRateRequest struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	PriceFen int64  `json:"price_fen"`
}

// PatchLabourRateRequest changes a labour rate.
type PatchLabourRateRequest struct {
	Name     *string `json:"name"`
	PriceFen *int64  `json:"price_fen"`
	Active   *bool   `json:"active"`
	Version  int64   `json:"version"`
}

// LabourRateResponse is a labour rate.
type LabourRateResponse struct {
	ID        uint64    `json:"id"`
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	PriceFen  int64     `json:"price_fen"`
	Active    bool      `json:"active"`
	Version   int64     `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`
}

func labourRateResponse(r repair.LabourRate) LabourRateResponse {
	return LabourRateResponse{ID: r.ID, Code: r.Code, Name: r.Name, PriceFen: r.PriceFen, Active: r.Active, Version: r.Version, UpdatedAt: r.UpdatedAt}
}

func (s *Server) listLabourRates(c *gin.Context) error {
	active, err := queryBool(c, "active")
	if err != nil {
		return err
	}
	list, err := s.Repairs.LabourRates(c.Request.Context(), active != nil && *active)
	if err != nil {
		return err
	}
	items := views(list, labourRateResponse)
	c.JSON(http.StatusOK, listOf(items))
	return nil
}

func (s *Server) createLabourRate(c *gin.Context) error {
	var req LabourRateRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	return answerWith(c, http.StatusCreated, labourRateResponse)(s.Repairs.CreateLabourRate(c.Request.Context(), repair.NewLabourRate{Code: req.Code, Name: req.Name, PriceFen: req.PriceFen}))
}

func (s *Server) patchLabourRate(c *gin.Context) error {
	var req PatchLabourRateRequest
	return changeByID(c, &req, &req.Version, func(ctx context.Context, id uint64, v int64) (repair.LabourRate, error) {
		return s.Repairs.UpdateLabourRate(ctx, id, v, repair.LabourRatePatch{Name: req.Name, PriceFen: req.PriceFen, Active: req.Active})
	}, labourRateResponse)
}

// PriceListItem is one published price (收费标准): a part or a labour job.
type PriceListItem struct {
	Kind     string `json:"kind"` // part or labour
	Code     string `json:"code"`
	Name     string `json:"name"`
	Spec     string `json:"spec,omitempty"`
	Unit     string `json:"unit"`
	PriceFen int64  `json:"price_fen"`
}

// priceList is the public 收费标准: every active part and labour rate.
// In warranty (三包期内) repairs are free; the list applies out of warranty.
func (s *Server) priceList(c *gin.Context) error {
	ps, err := s.Parts.PriceList(c.Request.Context())
	if err != nil {
		return err
	}
	rates, err := s.Repairs.LabourRates(c.Request.Context(), true)
	if err != nil {
		return err
	}
	parts := make([]PriceListItem, 0, len(ps))
	for _, p := range ps {
		parts = append(parts, PriceListItem{Kind: "part", Code: p.Code, Name: p.Name, Spec: p.Spec, Unit: p.Unit, PriceFen: p.PriceFen})
	}
	labour := make([]PriceListItem, 0, len(rates))
	for _, r := range rates {
		labour = append(labour, PriceListItem{Kind: "labour", Code: r.Code, Name: r.Name, Unit: "", PriceFen: r.PriceFen})
	}
	c.Header("Cache-Control", "public, max-age=300")
	c.JSON(http.StatusOK, gin.H{"currency": "CNY", "note_code": "in_warranty_free",
		"parts": parts, "labour": labour})
	return nil
}
