package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/content"
	"github.com/aftersales/aftersales/backend/internal/passport"
	"github.com/aftersales/aftersales/backend/internal/product"
	"github.com/aftersales/aftersales/backend/internal/servicerequest"
	"github.com/aftersales/aftersales/backend/internal/ticket"
	"github.com/aftersales/aftersales/backend/internal/workorder"
)

// The customer's public pages (no login): warranty check by serial number,
// ticket status by number + phone, the service request form (the
// servicerequest service), FAQ and manuals. Their rate limits are in
// public_limits.go, the admin API behind the FAQ and the manuals in
// handlers_content.go, the survey form behind a link in handlers_survey.go,
// the price list in handlers_repair.go.

// ---- warranty check

// PublicRef names a product model or category on the public pages.
type PublicRef struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// PublicNotice is a standing notice about a unit the owner should know of
// (an open recall); its title is a code with params, as a passport flag's.
type PublicNotice struct {
	Kind        string          `json:"kind"`
	TitleCode   string          `json:"title_code"`
	TitleParams passport.Params `json:"title_params"`
}

// PublicWarrantyResponse is GET /public/warranty/{serial}: the unit's
// model, category, purchase date and warranty state with the last day of
// each 三包 window. No owner, address or phone.
type PublicWarrantyResponse struct {
	Serial       string           `json:"serial"`
	Model        PublicRef        `json:"model"`
	Category     PublicRef        `json:"category"`
	PurchaseDate *string          `json:"purchase_date"`
	Warranty     WarrantyResponse `json:"warranty"`
	Policy       PolicyResponse   `json:"policy"`
	Notices      []PublicNotice   `json:"notices"`
}

func (s *Server) publicWarranty(c *gin.Context) error {
	c.Header("Cache-Control", "no-store")
	if err := s.limited(c, publicWarrantyLimit); err != nil {
		return err
	}
	serial := strings.TrimSpace(c.Param("serial"))
	if serial == "" || utf8.RuneCountInString(serial) > 64 {
		return apperr.NotFound("unit")
	}
	ctx := c.Request.Context()
	u, err := s.Products.UnitBySerial(ctx, serial)
	if err != nil {
		return err
	}
	cards, err := s.Products.Cards(ctx, []product.Unit{u}, time.Now())
	if err != nil {
		return err
	}
	if len(cards) == 0 {
		return apperr.NotFound("unit")
	}
	card := cards[0]
	out := PublicWarrantyResponse{Serial: card.Unit.Serial, Model: PublicRef{Code: card.Model.Code, Name: card.Model.Name},
		Category: PublicRef{Code: card.Category.Code, Name: card.Category.Name}, PurchaseDate: calendarDateString(card.Unit.PurchaseDate),
		Warranty: warrantyResponse(card.Warranty), Policy: policyResponse(card.Policy), Notices: []PublicNotice{}}
	for _, f := range card.Flags {
		if f.Kind == "recall_open" {
			out.Notices = append(out.Notices, PublicNotice{Kind: f.Kind, TitleCode: f.TitleCode, TitleParams: f.TitleParams})
		}
	}
	c.JSON(http.StatusOK, out)
	return nil
}

// ---- ticket status

// PublicTimelineEntry is one step of a ticket as the customer sees it: a
// kind (created, status, dispatch, visit) with a status or a work-order
// step, never the agents' notes.
type PublicTimelineEntry struct {
	At     time.Time `json:"at"`
	Kind   string    `json:"kind"`
	Status string    `json:"status,omitempty"`
	Step   string    `json:"step,omitempty"`
}

// PublicVisitResponse is the latest on-site visit of a ticket.
type PublicVisitResponse struct {
	Kind             string     `json:"kind"`
	Status           string     `json:"status"`
	AppointmentAt    *time.Time `json:"appointment_at"`
	AppointmentUntil *time.Time `json:"appointment_until"`
	ArrivedAt        *time.Time `json:"arrived_at"`
	CompletedAt      *time.Time `json:"completed_at"`
}

// PublicTicketResponse is GET /public/tickets/{number}?phone=: status and a
// timeline summary, only for the phone of the ticket's customer.
type PublicTicketResponse struct {
	Number     string                `json:"number"`
	Type       string                `json:"type"`
	Status     string                `json:"status"`
	CreatedAt  time.Time             `json:"created_at"`
	UpdatedAt  time.Time             `json:"updated_at"`
	ResolvedAt *time.Time            `json:"resolved_at"`
	ClosedAt   *time.Time            `json:"closed_at"`
	Visit      *PublicVisitResponse  `json:"visit"`
	Timeline   []PublicTimelineEntry `json:"timeline"`
}

// maxCustomerTicketPages bounds the search of a customer's tickets for a
// number (200 per page): nobody has thousands of tickets.
const maxCustomerTicketPages = 10

func (s *Server) publicTicket(c *gin.Context) error {
	c.Header("Cache-Control", "no-store")
	c.Header("Referrer-Policy", "no-referrer")
	if err := s.limited(c, publicLookupsLimit); err != nil {
		return err
	}
	number := strings.ToUpper(strings.TrimSpace(c.Param("number")))
	phone := strings.TrimSpace(c.Query("phone"))
	if phone == "" {
		return apperr.FieldErr("phone", apperr.Required())
	}
	// One answer for "no such ticket" and "not your phone": the page must
	// not tell whether a ticket number exists.
	notFound := apperr.NotFound("ticket")
	ctx := c.Request.Context()
	cu, err := s.Customers.FindByPhone(ctx, phone)
	if err != nil {
		if apperr.IsKind(err, apperr.KindValidation) {
			return err
		}
		if apperr.IsKind(err, apperr.KindNotFound) {
			return notFound
		}
		return err
	}
	var found *ticket.Ticket
	f := ticket.Filter{CustomerID: cu.ID, Size: 200}
	for range maxCustomerTicketPages {
		page, err := s.Tickets.List(ctx, f)
		if err != nil {
			return err
		}
		for i := range page.Items {
			if strings.EqualFold(page.Items[i].Number, number) {
				found = &page.Items[i]
				break
			}
		}
		if found != nil || page.NextCursor == "" {
			break
		}
		f.Cursor = page.NextCursor
	}
	if found == nil {
		return notFound
	}
	t := *found
	out := PublicTicketResponse{Number: t.Number, Type: t.Type, Status: t.Status, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt,
		ResolvedAt: t.ResolvedAt, ClosedAt: t.ClosedAt, Timeline: []PublicTimelineEntry{}}
	events, err := s.Tickets.Timeline(ctx, t.ID, 0, 500)
	if err != nil {
		return err
	}
	for _, e := range events {
		if e.TicketID != t.ID {
			continue // merged duplicates' history stays internal
		}
		if entry, ok := publicTimelineEntry(e); ok {
			out.Timeline = append(out.Timeline, entry)
		}
	}
	if s.WorkOrders != nil {
		wos, _, err := s.WorkOrders.List(ctx, workorder.Filter{TicketID: t.ID, Size: 20})
		if err != nil {
			return err
		}
		for _, w := range wos { // newest first
			if w.Status == workorder.StatusCancelled {
				continue
			}
			out.Visit = &PublicVisitResponse{Kind: w.Kind, Status: w.Status, AppointmentAt: w.AppointmentAt, AppointmentUntil: w.AppointmentUntil,
				ArrivedAt: w.ArrivedAt, CompletedAt: w.CompletedAt}
			break
		}
	}
	c.JSON(http.StatusOK, out)
	return nil
}

// publicTimelineEntry keeps the steps a customer may see: creation, status
// changes, dispatch and the visit's steps; notes, calls, assignments and
// SLA alerts are internal.
func publicTimelineEntry(e ticket.Event) (PublicTimelineEntry, bool) {
	entry := PublicTimelineEntry{At: e.At}
	data := map[string]any{}
	if e.Data != "" {
		_ = json.Unmarshal([]byte(e.Data), &data)
	}
	str := func(k string) string { v, _ := data[k].(string); return v }
	switch e.Kind {
	case ticket.EventCreated:
		entry.Kind = "created"
	case ticket.EventStatusChange:
		entry.Kind, entry.Status = "status", str("to")
		if entry.Status == "" {
			return entry, false
		}
	case ticket.EventDispatch:
		entry.Kind = "dispatch"
	case ticket.EventWorkOrder:
		step := str("step")
		switch step {
		case "accept", "assign", "appointment", "contact", "check_in", "complete", "sign_off":
			entry.Kind, entry.Step = "visit", step
		default:
			return entry, false // rejections, re-dispatch and cancellations are internal
		}
	default:
		return entry, false
	}
	return entry, true
}

// ---- service request form

// PublicServiceRequest is the body of POST /public/service-requests: the
// customer's own request for service. type is repair (default),
// installation, consultation or other; region_code is the district;
// preferred_time is free text ("周六上午").
type PublicServiceRequest struct {
	Name          string `json:"name"`
	Phone         string `json:"phone"`
	RegionCode    string `json:"region_code"`
	Address       string `json:"address"`
	Serial        string `json:"serial"`
	Type          string `json:"type"`
	Description   string `json:"description"`
	PreferredTime string `json:"preferred_time"`
}

// PublicServiceRequestResponse is the answer: the ticket number to quote
// when calling or checking the status.
type PublicServiceRequestResponse struct {
	Number    string    `json:"number"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
}

func (s *Server) submitServiceRequest(c *gin.Context) error {
	c.Header("Cache-Control", "no-store")
	var body PublicServiceRequest
	if err := bindJSON(c, &body); err != nil {
		return err
	}
	req := servicerequest.Request{Name: body.Name, Phone: body.Phone, RegionCode: body.RegionCode, Address: body.Address, Serial: body.Serial,
		Type: body.Type, Description: body.Description, PreferredTime: body.PreferredTime, IdempotencyKey: c.GetHeader("Idempotency-Key")}
	if fields := s.ServiceRequests.Check(&req); len(fields) > 0 {
		return apperr.FieldsErr(fields)
	}
	// Counted after validation: correcting a typo is not abuse.
	if err := s.limited(c, publicRequestsLimit); err != nil {
		return err
	}
	publicActor(c)
	res, err := s.ServiceRequests.Submit(c.Request.Context(), req)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if !res.Created {
		status = http.StatusOK
		c.Header("Idempotent-Replayed", "true")
	}
	d := res.Ticket
	c.JSON(status, PublicServiceRequestResponse{Number: d.Number, Status: d.Status, CreatedAt: d.CreatedAt})
	return nil
}

// ---- FAQ and manuals: public

// PublicFaqArticle is a published FAQ article.
type PublicFaqArticle struct {
	ID                uint64    `json:"id"`
	Title             string    `json:"title"`
	Body              string    `json:"body"`
	Topic             string    `json:"topic"`
	ProductCategoryID *uint64   `json:"product_category_id"`
	UpdatedAt         time.Time `json:"updated_at"`
}

// PublicManual is a published manual; url is where to get it (the
// download route for an uploaded file).
type PublicManual struct {
	ID                uint64    `json:"id"`
	Title             string    `json:"title"`
	Description       string    `json:"description"`
	ProductCategoryID *uint64   `json:"product_category_id"`
	ModelCode         string    `json:"model_code"`
	Language          string    `json:"language"`
	Source            string    `json:"source"`
	URL               string    `json:"url"`
	FileName          string    `json:"file_name,omitempty"`
	Size              int64     `json:"size,omitempty"`
	UpdatedAt         time.Time `json:"updated_at"`
}

func publicManual(m content.Manual) PublicManual {
	u := m.URL
	if m.Source == content.SourceFile {
		u = "/api/v1/public/manuals/" + strconv.FormatUint(m.ID, 10) + "/download"
	}
	return PublicManual{ID: m.ID, Title: m.Title, Description: m.Description, ProductCategoryID: m.ProductCategoryID, ModelCode: m.ModelCode,
		Language: m.Language, Source: m.Source, URL: u, FileName: m.FileName, Size: m.Size, UpdatedAt: m.UpdatedAt}
}

// publicFaq answers GET /public/faq?topic=&category_id=&q=&page=&size=.
func (s *Server) publicFaq(c *gin.Context) error {
	page, size, err := paging(c, content.MaxPageSize, content.MaxPageSize)
	if err != nil {
		return err
	}
	cat, err := queryUint(c, "category_id")
	if err != nil {
		return err
	}
	list, total, err := s.Content.ListArticles(c.Request.Context(), content.ArticleFilter{PublishedOnly: true, Topic: c.Query("topic"),
		ProductCategoryID: cat, Query: c.Query("q"), Page: page, Size: size})
	if err != nil {
		return err
	}
	items := make([]PublicFaqArticle, 0, len(list))
	for _, a := range list {
		items = append(items, PublicFaqArticle{ID: a.ID, Title: a.Title, Body: a.Body, Topic: a.Topic, ProductCategoryID: a.ProductCategoryID, UpdatedAt: a.UpdatedAt})
	}
	c.Header("Cache-Control", "public, max-age=60")
	c.JSON(http.StatusOK, pageOf(items, total, page, size))
	return nil
}

// publicManuals answers GET /public/manuals?category_id=&model=&page=&size=.
func (s *Server) publicManuals(c *gin.Context) error {
	page, size, err := paging(c, content.DefaultPageSize, content.MaxPageSize)
	if err != nil {
		return err
	}
	cat, err := queryUint(c, "category_id")
	if err != nil {
		return err
	}
	list, total, err := s.Content.ListManuals(c.Request.Context(), content.ManualFilter{PublishedOnly: true, ProductCategoryID: cat,
		ModelCode: c.Query("model"), Page: page, Size: size})
	if err != nil {
		return err
	}
	items := views(list, publicManual)
	c.Header("Cache-Control", "public, max-age=60")
	c.JSON(http.StatusOK, pageOf(items, total, page, size))
	return nil
}

func (s *Server) downloadPublicManual(c *gin.Context) error {
	return s.downloadManualFile(c, true)
}

func (s *Server) downloadManualFile(c *gin.Context, publishedOnly bool) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	m, path, err := s.Content.ManualFile(c.Request.Context(), id, publishedOnly)
	if err != nil {
		return err
	}
	sendFileAttachment(c, path, m.FileName, m.ContentType)
	return nil
}
