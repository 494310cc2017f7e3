package httpapi

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/parts"
)

// CreatePartRequest adds a part to the catalogue (price in fen; the
// product categories it fits).
type CreatePartRequest struct {
	Code        string   `json:"code"`
	Name        string   `json:"name"`
	Spec        string   `json:"spec"`
	Unit        string   `json:"unit"`
	PriceFen    int64    `json:"price_fen"`
	CategoryIDs []uint64 `json:"category_ids"`
}

// PatchPartRequest changes a part; absent fields are left alone.
type PatchPartRequest struct {
	Name        *string   `json:"name"`
	Spec        *string   `json:"spec"`
	Unit        *string   `json:"unit"`
	PriceFen    *int64    `json:"price_fen"`
	Active      *bool     `json:"active"`
	CategoryIDs *[]uint64 `json:"category_ids"`
	Version     int64     `json:"version"`
}

// PartResponse is a catalogue entry.
type PartResponse struct {
	ID          uint64    `json:"id"`
	Code        string    `json:"code"`
	Name        string    `json:"name"`
	Spec        string    `json:"spec"`
	Unit        string    `json:"unit"`
	PriceFen    int64     `json:"price_fen"`
	Active      bool      `json:"active"`
	CategoryIDs []uint64  `json:"category_ids"`
	Version     int64     `json:"version"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func partResponse(p parts.Part) PartResponse {
	cats := p.CategoryIDs
	if cats == nil {
		cats = []uint64{}
	}
	return PartResponse{ID: p.ID, Code: p.Code, Name: p.Name, Spec: p.Spec, Unit: p.Unit, PriceFen: p.PriceFen, Active: p.Active,
		CategoryIDs: cats, Version: p.Version, UpdatedAt: p.UpdatedAt}
}

func (s *Server) listParts(c *gin.Context) error {
	page, size, err := paging(c, 20, 200)
	if err != nil {
		return err
	}
	f := parts.PartFilter{Query: c.Query("q"), Page: page, Size: size}
	if f.CategoryID, err = queryUint(c, "category_id"); err != nil {
		return err
	}
	if f.Active, err = queryBool(c, "active"); err != nil {
		return err
	}
	list, total, err := s.Parts.ListParts(c.Request.Context(), f)
	if err != nil {
		return err
	}
	items := views(list, partResponse)
	c.JSON(http.StatusOK, pageOf(items, total, page, size))
	return nil
}

func (s *Server) createPart(c *gin.Context) error {
	var req CreatePartRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	p, err := s.Parts.CreatePart(c.Request.Context(), parts.NewPart{Code: req.Code, Name: req.Name, Spec: req.Spec, Unit: req.Unit,
		PriceFen: req.PriceFen, CategoryIDs: req.CategoryIDs})
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, partResponse(p))
	return nil
}

func (s *Server) getPart(c *gin.Context) error {
	return answerByID(c, http.StatusOK, s.Parts.Part, partResponse)
}

func (s *Server) patchPart(c *gin.Context) error {
	var req PatchPartRequest
	return changeByID(c, &req, &req.Version, func(ctx context.Context, id uint64, v int64) (parts.Part, error) {
		return s.Parts.UpdatePart(ctx, id, v, parts.PartPatch{Name: req.Name, Spec: req.Spec, Unit: req.Unit,
			PriceFen: req.PriceFen, Active: req.Active, CategoryIDs: req.CategoryIDs})
	}, partResponse)
}

// ---- stock

// StockChangeRequest is a receipt, an issue or an adjustment at a location
// (0 = the central warehouse, otherwise the outlet id).
type StockChangeRequest struct {
	PartID     uint64 `json:"part_id"`
	LocationID uint64 `json:"location_id"`
	Qty        int64  `json:"qty"`
	Ref        string `json:"ref"`
	Serial     string `json:"serial"`
	Note       string `json:"note"`
}

// StockLevelRequest sets a location's reorder point for a part.
type StockLevelRequest struct {
	PartID     uint64 `json:"part_id"`
	LocationID uint64 `json:"location_id"`
	MinLevel   int64  `json:"min_level"`
}

// BalanceResponse is a part's stock at a location.
type BalanceResponse struct {
	PartID   uint64 `json:"part_id"`
	PartCode string `json:"part_code"`
	PartName string `json:"part_name"`
	// LocationID is 0 for the central warehouse, else the outlet's id
	// (the UI names it).
	LocationID uint64    `json:"location_id"`
	OnHand     int64     `json:"on_hand"`
	MinLevel   int64     `json:"min_level"`
	Low        bool      `json:"low"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// MovementResponse is one line of the stock ledger.
type MovementResponse struct {
	ID           uint64    `json:"id"`
	PartID       uint64    `json:"part_id"`
	LocationID   uint64    `json:"location_id"`
	Qty          int64     `json:"qty"`
	BalanceAfter int64     `json:"balance_after"`
	Kind         string    `json:"kind"`
	Ref          string    `json:"ref"`
	Serial       string    `json:"serial"`
	Note         string    `json:"note"`
	Actor        string    `json:"actor"`
	At           time.Time `json:"at"`
}

func movementResponse(m parts.Movement) MovementResponse {
	return MovementResponse{ID: m.ID, PartID: m.PartID, LocationID: m.LocationID, Qty: m.Qty, BalanceAfter: m.BalanceAfter, Kind: m.Kind,
		Ref: m.Ref, Serial: m.Serial, Note: m.Note, Actor: m.ActorName, At: m.At}
}

// opsOptionalLocation reads ?location_id= where 0 (the central warehouse)
// is a valid value.
func opsOptionalLocation(c *gin.Context) (*uint64, error) {
	v := strings.TrimSpace(c.Query("location_id"))
	if v == "" {
		return nil, nil
	}
	var n uint64
	for _, r := range v {
		if r < '0' || r > '9' || n > 1<<60 {
			return nil, fieldErr("location_id", apperr.Code("location_id", "must be 0 (central warehouse) or an outlet id"))
		}
		n = n*10 + uint64(r-'0')
	}
	return &n, nil
}

func (s *Server) listStock(c *gin.Context) error {
	page, size, err := paging(c, 50, 200)
	if err != nil {
		return err
	}
	f := parts.BalanceFilter{Page: page, Size: size}
	if f.LocationID, err = opsOptionalLocation(c); err != nil {
		return err
	}
	if f.PartID, err = queryUint(c, "part_id"); err != nil {
		return err
	}
	low, err := queryBool(c, "low")
	if err != nil {
		return err
	}
	f.LowOnly = low != nil && *low
	rows, total, err := s.Parts.Balances(c.Request.Context(), f)
	if err != nil {
		return err
	}
	items := make([]BalanceResponse, 0, len(rows))
	for _, r := range rows {
		items = append(items, BalanceResponse{PartID: r.PartID, PartCode: r.PartCode, PartName: r.PartName, LocationID: r.LocationID,
			OnHand: r.OnHand, MinLevel: r.MinLevel, Low: r.MinLevel > 0 && r.OnHand <= r.MinLevel,
			UpdatedAt: r.UpdatedAt})
	}
	c.JSON(http.StatusOK, pageOf(items, total, page, size))
	return nil
}

func (s *Server) listMovements(c *gin.Context) error {
	_, size, err := paging(c, 50, 200)
	if err != nil {
		return err
	}
	f := parts.MovementFilter{Ref: c.Query("ref"), Size: size}
	if f.LocationID, err = opsOptionalLocation(c); err != nil {
		return err
	}
	if f.PartID, err = queryUint(c, "part_id"); err != nil {
		return err
	}
	if f.BeforeID, err = queryUint(c, "before_id"); err != nil {
		return err
	}
	list, err := s.Parts.Movements(c.Request.Context(), f)
	if err != nil {
		return err
	}
	items := views(list, movementResponse)
	next := nextBeforeID(list, size, func(x parts.Movement) uint64 { return x.ID })
	c.JSON(http.StatusOK, keysetOf(items, next))
	return nil
}

func (s *Server) stockChange(c *gin.Context, fn func(parts.StockChange) (parts.Movement, error)) error {
	var req StockChangeRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	return answerWith(c, http.StatusCreated, movementResponse)(fn(parts.StockChange{PartID: req.PartID, LocationID: req.LocationID, Qty: req.Qty, Ref: req.Ref, Serial: req.Serial, Note: req.Note}))
}

func (s *Server) receiveStock(c *gin.Context) error {
	return s.stockChange(c, func(in parts.StockChange) (parts.Movement, error) { return s.Parts.Receive(c.Request.Context(), in) })
}

func (s *Server) issueStock(c *gin.Context) error {
	return s.stockChange(c, func(in parts.StockChange) (parts.Movement, error) { return s.Parts.Issue(c.Request.Context(), in) })
}

func (s *Server) adjustStock(c *gin.Context) error {
	return s.stockChange(c, func(in parts.StockChange) (parts.Movement, error) { return s.Parts.Adjust(c.Request.Context(), in) })
}

func (s *Server) setStockLevel(c *gin.Context) error {
	var req StockLevelRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	b, err := s.Parts.SetMinLevel(c.Request.Context(), req.PartID, req.LocationID, req.MinLevel)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"part_id": b.PartID, "location_id": b.LocationID, "on_hand": b.OnHand, "min_level": b.MinLevel,
		"low": b.MinLevel > 0 && b.OnHand <= b.MinLevel})
	return nil
}

// ---- requisitions

// RequisitionLineRequest is one part and quantity.
type RequisitionLineRequest struct {
	PartID uint64 `json:"part_id"`
	Qty    int64  `json:"qty"`
}

// CreateRequisitionRequest asks the central warehouse for parts (outlet
// users: for their own outlet; outlet_id may be omitted).
type CreateRequisitionRequest struct {
	OutletID    uint64                   `json:"outlet_id"`
	Lines       []RequisitionLineRequest `json:"lines"`
	WorkOrderID *uint64                  `json:"work_order_id"`
	RepairID    *uint64                  `json:"repair_id"`
	Note        string                   `json:"note"`
}

// RequisitionVersionRequest carries only the version (optional).
type RequisitionVersionRequest struct {
	Version int64 `json:"version"`
}

// CancelRequisitionRequest withdraws an unshipped requisition.
type CancelRequisitionRequest struct {
	Reason  string `json:"reason"`
	Version int64  `json:"version"`
}

// RequisitionLineResponse is a requisition line.
type RequisitionLineResponse struct {
	PartID     uint64 `json:"part_id"`
	Qty        int64  `json:"qty"`
	QtyShipped int64  `json:"qty_shipped"`
}

// RequisitionResponse is a requisition; fulfil_hours is the time-to-part
// once received.
type RequisitionResponse struct {
	ID          uint64                    `json:"id"`
	Number      string                    `json:"number"`
	OutletID    uint64                    `json:"outlet_id"`
	Status      string                    `json:"status"`
	RequestedAt time.Time                 `json:"requested_at"`
	RequestedBy string                    `json:"requested_by"`
	WorkOrderID *uint64                   `json:"work_order_id"`
	RepairID    *uint64                   `json:"repair_id"`
	Note        string                    `json:"note"`
	ShippedAt   *time.Time                `json:"shipped_at"`
	ReceivedAt  *time.Time                `json:"received_at"`
	FulfilHours *float64                  `json:"fulfil_hours"`
	CancelledAt *time.Time                `json:"cancelled_at"`
	Lines       []RequisitionLineResponse `json:"lines,omitempty"`
	Version     int64                     `json:"version"`
}

func requisitionResponse(r parts.Requisition) RequisitionResponse {
	out := RequisitionResponse{ID: r.ID, Number: r.Number, OutletID: r.OutletID, Status: r.Status, RequestedAt: r.RequestedAt,
		RequestedBy: r.RequestedBy, WorkOrderID: r.WorkOrderID, RepairID: r.RepairID, Note: r.Note, ShippedAt: r.ShippedAt,
		ReceivedAt: r.ReceivedAt, CancelledAt: r.CancelledAt, Version: r.Version}
	if r.FulfilSeconds != nil {
		h := float64(*r.FulfilSeconds) / 3600
		out.FulfilHours = &h
	}
	for _, l := range r.Lines {
		out.Lines = append(out.Lines, RequisitionLineResponse{PartID: l.PartID, Qty: l.Qty, QtyShipped: l.QtyShipped})
	}
	return out
}

func (s *Server) listRequisitions(c *gin.Context) error {
	page, size, err := paging(c, 20, 200)
	if err != nil {
		return err
	}
	f := parts.RequisitionFilter{Status: c.Query("status"), Page: page, Size: size}
	if f.OutletID, err = queryUint(c, "outlet_id"); err != nil {
		return err
	}
	if f.From, err = s.queryInstant(c, "from", false); err != nil {
		return err
	}
	if f.To, err = s.queryInstant(c, "to", true); err != nil {
		return err
	}
	list, total, err := s.Parts.Requisitions(c.Request.Context(), f)
	if err != nil {
		return err
	}
	items := views(list, requisitionResponse)
	c.JSON(http.StatusOK, pageOf(items, total, page, size))
	return nil
}

func (s *Server) createRequisition(c *gin.Context) error {
	var req CreateRequisitionRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	in := parts.NewRequisition{OutletID: req.OutletID, WorkOrderID: req.WorkOrderID, RepairID: req.RepairID, Note: req.Note}
	for _, l := range req.Lines {
		in.Lines = append(in.Lines, parts.NewLine{PartID: l.PartID, Qty: l.Qty})
	}
	return answerWith(c, http.StatusCreated, requisitionResponse)(s.Parts.CreateRequisition(c.Request.Context(), in))
}

func (s *Server) getRequisition(c *gin.Context) error {
	return answerByID(c, http.StatusOK, s.Parts.Requisition, requisitionResponse)
}

func (s *Server) requisitionAction(c *gin.Context, fn func(id uint64, version int64, reason string) (parts.Requisition, error)) error {
	var req CancelRequisitionRequest
	id, v, err := bindOptionalVersioned(c, "id", &req, &req.Version)
	if err != nil {
		return err
	}
	return answerWith(c, http.StatusOK, requisitionResponse)(fn(id, v, req.Reason))
}

func (s *Server) shipRequisition(c *gin.Context) error {
	return s.requisitionAction(c, func(id uint64, v int64, _ string) (parts.Requisition, error) {
		return s.Parts.Ship(c.Request.Context(), id, v)
	})
}

func (s *Server) receiveRequisition(c *gin.Context) error {
	return s.requisitionAction(c, func(id uint64, v int64, _ string) (parts.Requisition, error) {
		return s.Parts.ReceiveRequisition(c.Request.Context(), id, v)
	})
}

func (s *Server) cancelRequisition(c *gin.Context) error {
	return s.requisitionAction(c, func(id uint64, v int64, reason string) (parts.Requisition, error) {
		return s.Parts.CancelRequisition(c.Request.Context(), id, v, reason)
	})
}

// PartsKPIResponse is the spare-parts fill rate and time-to-part of
// requisitions requested in ?from&to (due: received, or past the lead time).
type PartsKPIResponse struct {
	From           time.Time `json:"from"`
	To             time.Time `json:"to"`
	LeadTimeHours  float64   `json:"lead_time_hours"`
	Due            int64     `json:"due"`
	OnTime         int64     `json:"on_time"`
	Open           int64     `json:"open"`
	FillRate       *float64  `json:"fill_rate"`
	AvgHoursToPart *float64  `json:"avg_hours_to_part"`
	LateIDs        []string  `json:"late_ids"`
}

func (s *Server) partsKPI(c *gin.Context) error {
	from, to, err := s.queryPeriod(c)
	if err != nil {
		return err
	}
	outletID, err := queryUint(c, "outlet_id")
	if err != nil {
		return err
	}
	k, err := s.Parts.FillRateOf(c.Request.Context(), from, to, time.Now(), outletID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, PartsKPIResponse{From: k.From, To: k.To, LeadTimeHours: k.LeadTimeHours, Due: k.Due, OnTime: k.OnTime, Open: k.Open,
		FillRate: k.Rate, AvgHoursToPart: k.AvgHoursToPart, LateIDs: k.LateIDs})
	return nil
}
