package httpapi

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aftersales/aftersales/backend/internal/repair"
)

// The print views (派工单, 维修单/收费单, 三包 voucher, recall notice) are Vue
// routes under /print that fetch one of these documents. The server decides
// what a printout shows: the customer's name masked (a paper leaves the
// building), no phone or address, and the path of the public page the QR
// code leads to. Access is that of the record (its permission and outlet
// scope); the details around it (outlet, model, technician) are read with
// the caller's context and left blank when not visible.

// PrintProduct is the unit a printout is about.
type PrintProduct struct {
	ModelCode    string  `json:"model_code"`
	ModelName    string  `json:"model_name"`
	Serial       string  `json:"serial"`
	PurchaseDate *string `json:"purchase_date"`
}

// PrintOutlet is the service outlet named on a printout.
type PrintOutlet struct {
	Name    string `json:"name"`
	Phone   string `json:"phone"`
	Address string `json:"address"`
}

// PrintLine is one charge line of a repair receipt (fen).
type PrintLine struct {
	Kind      string `json:"kind"`
	Code      string `json:"code"`
	Name      string `json:"name"`
	Qty       int64  `json:"qty"`
	UnitFen   int64  `json:"unit_fen"`
	AmountFen int64  `json:"amount_fen"`
	Warranty  bool   `json:"under_warranty"`
}

// PrintDocument is what a print view renders. Kind says which fields are
// set: work_order, repair_receipt, return_voucher, recall_notice.
type PrintDocument struct {
	Kind         string       `json:"kind"`
	Number       string       `json:"number"`
	TicketNumber string       `json:"ticket_number"`
	CustomerName string       `json:"customer_name"` // masked
	Product      PrintProduct `json:"product"`
	Outlet       PrintOutlet  `json:"outlet"`
	Technician   string       `json:"technician"`
	// StatusPath is the public page the QR code leads to (relative to
	// the site; the view makes it absolute).
	StatusPath string     `json:"status_path"`
	IssuedAt   time.Time  `json:"issued_at"`
	CreatedAt  *time.Time `json:"created_at"`
	// Work order.
	WorkKind      string     `json:"work_kind,omitempty"`
	Fault         string     `json:"fault,omitempty"`
	FaultCode     string     `json:"fault_code,omitempty"`
	AppointmentAt *time.Time `json:"appointment_at,omitempty"`
	Note          string     `json:"note,omitempty"`
	// Repair receipt.
	Diagnosis     string      `json:"diagnosis,omitempty"`
	InWarranty    *bool       `json:"in_warranty,omitempty"`
	WarrantyState string      `json:"warranty_state,omitempty"`
	Lines         []PrintLine `json:"lines,omitempty"`
	LabourFen     int64       `json:"labour_fen"`
	PartsFen      int64       `json:"parts_fen"`
	ChargeFen     int64       `json:"charge_fen"`
	Result        string      `json:"result,omitempty"`
	CompletedAt   *time.Time  `json:"completed_at,omitempty"`
	// 三包 voucher.
	ReturnKind        string  `json:"return_kind,omitempty"`
	Reason            string  `json:"reason,omitempty"`
	RequestedOn       *string `json:"requested_on,omitempty"`
	WindowUntil       *string `json:"window_until,omitempty"`
	Status            string  `json:"status,omitempty"`
	Decision          string  `json:"decision,omitempty"`
	DecisionReason    string  `json:"decision_reason,omitempty"`
	RefundFen         int64   `json:"refund_fen"`
	ReplacementSerial string  `json:"replacement_serial,omitempty"`
	// Recall notice.
	CampaignNumber    string  `json:"campaign_number,omitempty"`
	CampaignTitle     string  `json:"campaign_title,omitempty"`
	HazardLevel       string  `json:"hazard_level,omitempty"`
	Remedy            string  `json:"remedy,omitempty"`
	RemedyDescription string  `json:"remedy_description,omitempty"`
	StartDate         *string `json:"start_date,omitempty"`
}

// maskName keeps a person's surname (the first character) and stars the
// rest: 王小明 → 王**. A one-character name stays a star after it.
func maskName(name string) string {
	r := []rune(strings.TrimSpace(name))
	if len(r) == 0 {
		return ""
	}
	if len(r) == 1 {
		return string(r) + "*"
	}
	return string(r[0]) + strings.Repeat("*", len(r)-1)
}

func dateStr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.Format(time.DateOnly)
	return &s
}

func ticketStatusPath(number string) string { return "/s/status?number=" + url.QueryEscape(number) }
func warrantyPath(serial string) string     { return "/s/warranty?serial=" + url.QueryEscape(serial) }

// fillParties sets the masked customer name, the product and the outlet;
// anything the caller may not see stays blank.
func (s *Server) fillParties(ctx context.Context, d *PrintDocument, customerID *uint64, unitID *uint64, outletID *uint64) {
	if customerID != nil && *customerID != 0 {
		if c, err := s.Customers.Get(ctx, *customerID); err == nil {
			d.CustomerName = maskName(c.Name)
		}
	}
	if unitID != nil && *unitID != 0 {
		if u, err := s.Products.Unit(ctx, *unitID); err == nil {
			d.Product.Serial, d.Product.PurchaseDate = u.Serial, dateStr(u.PurchaseDate)
			if m, err := s.Products.Model(ctx, u.ModelID); err == nil {
				d.Product.ModelCode, d.Product.ModelName = m.Code, m.Name
			}
		}
	}
	if outletID != nil && *outletID != 0 {
		if o, err := s.Outlets.Get(ctx, *outletID); err == nil {
			d.Outlet = PrintOutlet{Name: o.Name, Phone: o.Phone, Address: o.Address}
		}
	}
}

func (s *Server) technicianName(ctx context.Context, staffID *uint64) string {
	if staffID == nil {
		return ""
	}
	if m, err := s.Outlets.Staff(ctx, *staffID); err == nil {
		return m.Name
	}
	return ""
}

// GET /api/v1/work-orders/:id/print — the 派工单.
func (s *Server) printWorkOrder(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	w, err := s.WorkOrders.Get(ctx, id)
	if err != nil {
		return err
	}
	created := w.CreatedAt
	d := PrintDocument{Kind: "work_order", Number: w.Number, IssuedAt: time.Now().UTC(), CreatedAt: &created, WorkKind: w.Kind,
		AppointmentAt: w.AppointmentAt, Note: w.Note, Status: w.Status, Technician: s.technicianName(ctx, w.TechnicianStaffID)}
	if t, err := s.Tickets.Get(ctx, w.TicketID); err == nil {
		d.TicketNumber, d.Fault, d.FaultCode, d.StatusPath = t.Number, t.Description, t.FaultCode, ticketStatusPath(t.Number)
	}
	cid := w.CustomerID
	s.fillParties(ctx, &d, &cid, w.UnitID, w.OutletID)
	if d.StatusPath == "" && d.Product.Serial != "" {
		d.StatusPath = warrantyPath(d.Product.Serial)
	}
	c.JSON(http.StatusOK, d)
	return nil
}

// GET /api/v1/repairs/:id/print — the 维修单/收费单 with its charges.
func (s *Server) printRepair(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	r, err := s.Repairs.Get(ctx, id)
	if err != nil {
		return err
	}
	received, inWarranty := r.ReceivedAt, r.InWarranty
	d := PrintDocument{Kind: "repair_receipt", Number: r.Number, IssuedAt: time.Now().UTC(), CreatedAt: &received, Fault: r.Complaint,
		FaultCode: r.FaultCode, Diagnosis: r.Diagnosis, InWarranty: &inWarranty, WarrantyState: r.WarrantyState, LabourFen: r.LabourFen,
		PartsFen: r.PartsFen, ChargeFen: r.ChargeFen, Result: r.Result, CompletedAt: r.CompletedAt, Status: r.Status,
		Technician: r.TechnicianName, Lines: repairLines(r)}
	if r.TicketID != nil {
		if t, err := s.Tickets.Get(ctx, *r.TicketID); err == nil {
			d.TicketNumber, d.StatusPath = t.Number, ticketStatusPath(t.Number)
		}
	}
	unit, outlet := r.UnitID, r.OutletID
	s.fillParties(ctx, &d, r.CustomerID, &unit, &outlet)
	if d.Product.Serial == "" {
		d.Product.Serial = r.Serial
	}
	if d.StatusPath == "" {
		d.StatusPath = warrantyPath(r.Serial)
	}
	c.JSON(http.StatusOK, d)
	return nil
}

// repairLines are the parts used and the labour, with what the customer
// pays for each (a part under warranty is charged to the enterprise).
func repairLines(r repair.Detail) []PrintLine {
	out := []PrintLine{}
	for _, p := range r.Parts {
		out = append(out, PrintLine{Kind: "part", Code: p.PartCode, Name: p.PartName, Qty: p.Qty, UnitFen: p.UnitFen, AmountFen: p.AmountFen, Warranty: p.UnderWarranty})
	}
	if r.LabourCode != "" || r.LabourFen != 0 {
		out = append(out, PrintLine{Kind: "labour", Code: r.LabourCode, Qty: 1, UnitFen: r.LabourFen, AmountFen: r.LabourFen, Warranty: r.InWarranty})
	}
	return out
}

// GET /api/v1/returns/:id/print — the 三包 return/exchange voucher.
func (s *Server) printReturn(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	r, err := s.Returns.Get(ctx, id)
	if err != nil {
		return err
	}
	created := r.CreatedAt
	d := PrintDocument{Kind: "return_voucher", Number: r.Number, IssuedAt: time.Now().UTC(), CreatedAt: &created, ReturnKind: r.Kind,
		Reason: r.Reason, RequestedOn: dateStr(&r.RequestedOn), WindowUntil: dateStr(r.WindowUntil), Status: r.Status, Decision: r.Decision,
		DecisionReason: r.DecisionReason, RefundFen: r.RefundFen, ReplacementSerial: r.ReplacementSerial, CompletedAt: r.CompletedAt}
	if r.TicketID != nil {
		if t, err := s.Tickets.Get(ctx, *r.TicketID); err == nil {
			d.TicketNumber, d.StatusPath = t.Number, ticketStatusPath(t.Number)
		}
	}
	unit := r.UnitID
	s.fillParties(ctx, &d, r.CustomerID, &unit, r.OutletID)
	if d.Product.Serial == "" {
		d.Product.Serial = r.Serial
	}
	d.Product.PurchaseDate = dateStr(&r.PurchaseDate)
	if d.StatusPath == "" {
		d.StatusPath = warrantyPath(r.Serial)
	}
	c.JSON(http.StatusOK, d)
	return nil
}

// GET /api/v1/recall-units/:id/print — the recall notice to the owner of
// an affected unit.
func (s *Server) printRecallNotice(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	u, err := s.Recalls.AffectedUnit(ctx, id)
	if err != nil {
		return err
	}
	camp, err := s.Recalls.Get(ctx, u.CampaignID)
	if err != nil {
		return err
	}
	d := PrintDocument{Kind: "recall_notice", Number: camp.Number, IssuedAt: time.Now().UTC(), CampaignNumber: camp.Number,
		CampaignTitle: camp.Title, Reason: camp.Reason, HazardLevel: camp.HazardLevel, Remedy: camp.Remedy,
		RemedyDescription: camp.RemedyDescription, StartDate: dateStr(&camp.StartDate), AppointmentAt: u.AppointmentAt, Status: u.Status,
		StatusPath: warrantyPath(u.Serial)}
	unit := u.UnitID
	s.fillParties(ctx, &d, u.CustomerID, &unit, u.AppointmentOutletID)
	if d.Product.Serial == "" {
		d.Product.Serial = u.Serial
	}
	c.JSON(http.StatusOK, d)
	return nil
}
