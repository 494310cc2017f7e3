package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/attachment"
	"github.com/aftersales/aftersales/backend/internal/content"
	"github.com/aftersales/aftersales/backend/internal/customer"
	"github.com/aftersales/aftersales/backend/internal/product"
	"github.com/aftersales/aftersales/backend/internal/ratelimit"
	"github.com/aftersales/aftersales/backend/internal/region"
	"github.com/aftersales/aftersales/backend/internal/ticket"
	"github.com/aftersales/aftersales/backend/internal/workorder"
)

// The customer's public pages (no login): warranty check by serial number,
// ticket status by number + phone, the service request form, FAQ and
// manuals; and the admin API behind the FAQ and the manuals. The survey
// form behind a link lives in handlers_survey.go, the price list in
// handlers_repair.go.

// ---- rate limits of the public pages

// Rate limits per client IP. Generous for a person at a browser; they stop
// scripts that would flood the hotline with tickets or guess ticket numbers
// and phones. The counts live in Options.Limiter: Redis when several
// instances run (events.driver=redis), else this process.
var (
	publicRequestsLimit = ratelimit.Limit{Name: "public.requests", Burst: 5, Period: 10 * time.Minute}  // service requests
	publicLookupsLimit  = ratelimit.Limit{Name: "public.lookups", Burst: 30, Period: 10 * time.Minute}  // ticket status lookups
	publicWarrantyLimit = ratelimit.Limit{Name: "public.warranty", Burst: 60, Period: 10 * time.Minute} // warranty checks
)

// RateLimiter counts calls per key (ratelimit.Local or ratelimit.Redis).
type RateLimiter = ratelimit.Limiter

// publicLimits holds the counter of the public calls' limits.
type publicLimits struct {
	counter RateLimiter
}

func newPublicLimits(counter RateLimiter) *publicLimits {
	if counter == nil {
		counter = ratelimit.NewLocal(nil)
	}
	return &publicLimits{counter: counter}
}

// limited returns the 429 when the caller's IP is over l. A
// failing counter store lets the call through (and is logged): the public
// pages must not go down with Redis.
func (s *Server) limited(c *gin.Context, l ratelimit.Limit) error {
	ok, wait, err := s.publicLimits.counter.Allow(c.Request.Context(), l, c.ClientIP())
	if err != nil {
		s.log.Warn("rate limit store", "err", err, "limit", l.Name)
		return nil
	}
	if !ok {
		return apperr.RateLimited("too many requests from your network; please try again later", max(int((wait+time.Second-1)/time.Second), 1))
	}
	return nil
}

// publicActor names the customer on the web as the actor of what the
// public pages change (the audit trail shows "customer:web" and the IP).
func publicActor(c *gin.Context) {
	a := actor.From(c.Request.Context())
	a.UserID, a.Username, a.Roles, a.OutletID = 0, "customer:web", nil, nil
	c.Request = c.Request.WithContext(actor.With(c.Request.Context(), a))
}

// ---- warranty check

// PublicRef names a product model or category on the public pages.
type PublicRef struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// PublicNotice is a standing notice about a unit the owner should know of
// (an open recall).
type PublicNotice struct {
	Kind  string `json:"kind"`
	Title string `json:"title"`
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
			out.Notices = append(out.Notices, PublicNotice{Kind: f.Kind, Title: f.Title})
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
		return apperr.Field("phone", "required: the phone number given when the ticket was opened")
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

var publicRequestTypes = []string{ticket.TypeRepair, ticket.TypeInstallation, ticket.TypeConsultation, ticket.TypeOther}

// validate checks the request before anything is written, so a bad field
// never leaves a customer created without a ticket.
func (s *Server) validateServiceRequest(r *PublicServiceRequest) map[string]string {
	fields := map[string]string{}
	r.Name = strings.TrimSpace(r.Name)
	switch n := utf8.RuneCountInString(r.Name); {
	case n == 0:
		fields["name"] = "required"
	case n > 64:
		fields["name"] = "at most 64 characters"
	}
	if n, err := customer.NormalizePhone(r.Phone); err != nil {
		fields["phone"] = "not a mainland China mobile or landline number"
	} else {
		r.Phone = n
	}
	r.RegionCode = strings.TrimSpace(r.RegionCode)
	if r.RegionCode == "" {
		fields["region_code"] = "required: choose your district"
	} else if reg, ok := s.Regions.Lookup(r.RegionCode); !ok {
		fields["region_code"] = "unknown region code"
	} else if !(reg.Level == region.LevelDistrict || (reg.Level == region.LevelCity && !reg.IsGrouping() && len(s.Regions.Children(r.RegionCode)) == 0)) {
		// The same rule as a customer's address: a district (or a city
		// without districts), so dispatch can match outlet coverage.
		fields["region_code"] = "choose your district"
	}
	r.Address = strings.Join(strings.Fields(r.Address), " ")
	switch n := utf8.RuneCountInString(r.Address); {
	case n == 0:
		fields["address"] = "required: street, building and room"
	case n > 200:
		fields["address"] = "at most 200 characters"
	}
	r.Serial = strings.TrimSpace(r.Serial)
	if utf8.RuneCountInString(r.Serial) > 64 {
		fields["serial"] = "at most 64 characters"
	}
	if r.Type == "" {
		r.Type = ticket.TypeRepair
	}
	ok := false
	for _, t := range publicRequestTypes {
		ok = ok || t == r.Type
	}
	if !ok {
		fields["type"] = "one of " + strings.Join(publicRequestTypes, ", ")
	}
	r.Description = strings.TrimSpace(r.Description)
	switch n := utf8.RuneCountInString(r.Description); {
	case n < 5:
		fields["description"] = "describe the problem (at least 5 characters)"
	case n > 2000:
		fields["description"] = "at most 2000 characters"
	}
	r.PreferredTime = strings.TrimSpace(r.PreferredTime)
	if utf8.RuneCountInString(r.PreferredTime) > 100 {
		fields["preferred_time"] = "at most 100 characters"
	}
	return fields
}

// serviceRequestFields maps the customer service's field names (the create
// body's lists) to the form's.
var serviceRequestFields = map[string]string{"name": "name", "phones[0].number": "phone", "phones": "phone",
	"addresses[0].region_code": "region_code", "addresses[0].detail": "address", "addresses": "address"}

func (s *Server) submitServiceRequest(c *gin.Context) error {
	c.Header("Cache-Control", "no-store")
	var req PublicServiceRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if fields := s.validateServiceRequest(&req); len(fields) > 0 {
		return apperr.Validation(fields)
	}
	// Counted after validation: correcting a typo is not abuse.
	if err := s.limited(c, publicRequestsLimit); err != nil {
		return err
	}
	publicActor(c)
	ctx := c.Request.Context()
	cu, err := s.Customers.FindByPhone(ctx, req.Phone)
	switch {
	case err == nil:
	case apperr.IsKind(err, apperr.KindNotFound):
		p, cerr := s.Customers.Create(ctx, customer.NewCustomer{Name: req.Name, Phones: []customer.NewPhone{{Number: req.Phone, Primary: true}},
			Addresses: []customer.NewAddress{{RegionCode: req.RegionCode, Detail: req.Address, Default: true}}})
		if cerr != nil {
			var ae *apperr.Error
			if errors.As(cerr, &ae) && ae.Kind == apperr.KindValidation {
				fields := map[string]string{}
				for k, v := range ae.Fields {
					if f, ok := serviceRequestFields[k]; ok {
						fields[f] = v
					} else {
						fields[k] = v
					}
				}
				return apperr.Validation(fields)
			}
			if apperr.IsKind(cerr, apperr.KindConflict) {
				// Someone registered the phone in between: use that customer.
				if cu, err = s.Customers.FindByPhone(ctx, req.Phone); err != nil {
					return err
				}
				break
			}
			return cerr
		}
		cu = p.Customer
	default:
		return err
	}

	var unitID *uint64
	serialNote := ""
	if req.Serial != "" {
		u, err := s.Products.UnitBySerial(ctx, req.Serial)
		switch {
		case err == nil && (u.CustomerID == nil || *u.CustomerID == cu.ID):
			id := u.ID
			unitID = &id
			serialNote = "产品序列号：" + req.Serial
		case err == nil || apperr.IsKind(err, apperr.KindNotFound):
			// Unknown, or registered to someone else: keep the serial for the
			// agent to check, without linking another owner's unit.
			serialNote = "产品序列号：" + req.Serial + "（待核实）"
		default:
			return err
		}
	}
	var b strings.Builder
	b.WriteString(req.Description)
	b.WriteString("\n——\n来源：网页自助报修\n联系人：")
	b.WriteString(req.Name)
	b.WriteString("\n地址：")
	b.WriteString(s.Regions.FullName(req.RegionCode))
	b.WriteString(" ")
	b.WriteString(req.Address)
	if serialNote != "" {
		b.WriteString("\n")
		b.WriteString(serialNote)
	}
	if req.PreferredTime != "" {
		b.WriteString("\n期望上门时间：")
		b.WriteString(req.PreferredTime)
	}
	key := strings.TrimSpace(c.GetHeader("Idempotency-Key"))
	if key != "" {
		// Public keys share user 0: scope them so they cannot collide with
		// another channel's keys.
		key = "web:" + key
	}
	d, created, err := s.Tickets.Create(ctx, ticket.NewTicket{Channel: ticket.ChannelWeb, Type: req.Type, Priority: ticket.PriorityNormal,
		CustomerID: cu.ID, UnitID: unitID, RegionCode: req.RegionCode, Description: b.String(), IdempotencyKey: key})
	if err != nil {
		var ae *apperr.Error
		if errors.As(err, &ae) && ae.Kind == apperr.KindValidation {
			if msg, ok := ae.Fields["idempotency_key"]; ok {
				return apperr.Invalid("Idempotency-Key: " + msg)
			}
		}
		return err
	}
	status := http.StatusCreated
	if !created {
		status = http.StatusOK
		c.Header("Idempotent-Replayed", "true")
	}
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
	items := make([]PublicManual, 0, len(list))
	for _, m := range list {
		items = append(items, publicManual(m))
	}
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

// ---- FAQ and manuals: administration (product:manage)

// FaqArticleRequest is the body of POST /faq-articles.
type FaqArticleRequest struct {
	Title             string  `json:"title"`
	Body              string  `json:"body"`
	Topic             string  `json:"topic"`
	ProductCategoryID *uint64 `json:"product_category_id"`
	SortOrder         int     `json:"sort_order"`
	Published         bool    `json:"published"`
}

// PatchFaqArticleRequest is the body of PATCH /faq-articles/{id}: absent
// fields stay; product_category_id 0 clears it; the version (or If-Match)
// is required.
type PatchFaqArticleRequest struct {
	Version           int64   `json:"version"`
	Title             *string `json:"title"`
	Body              *string `json:"body"`
	Topic             *string `json:"topic"`
	ProductCategoryID *uint64 `json:"product_category_id"`
	SortOrder         *int    `json:"sort_order"`
	Published         *bool   `json:"published"`
}

// FaqArticleResponse is the admin image of an article.
type FaqArticleResponse struct {
	ID                uint64     `json:"id"`
	Title             string     `json:"title"`
	Body              string     `json:"body"`
	Topic             string     `json:"topic"`
	ProductCategoryID *uint64    `json:"product_category_id"`
	SortOrder         int        `json:"sort_order"`
	Published         bool       `json:"published"`
	PublishedAt       *time.Time `json:"published_at"`
	Version           int64      `json:"version"`
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"updated_at"`
}

func faqArticleResponse(a content.Article) FaqArticleResponse {
	return FaqArticleResponse{ID: a.ID, Title: a.Title, Body: a.Body, Topic: a.Topic, ProductCategoryID: a.ProductCategoryID, SortOrder: a.SortOrder,
		Published: a.Published, PublishedAt: a.PublishedAt, Version: a.Version, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
}

// ManualRequest is the body of POST /manuals: JSON with url for a link, or
// multipart/form-data with these fields and the file in "file".
type ManualRequest struct {
	Title             string  `json:"title"`
	Description       string  `json:"description"`
	ProductCategoryID *uint64 `json:"product_category_id"`
	ModelCode         string  `json:"model_code"`
	Language          string  `json:"language"`
	Published         bool    `json:"published"`
	URL               string  `json:"url"`
}

// PatchManualRequest is the body of PATCH /manuals/{id} (JSON, or
// multipart with a new "file"): absent fields stay; the version (or
// If-Match) is required.
type PatchManualRequest struct {
	Version           int64   `json:"version"`
	Title             *string `json:"title"`
	Description       *string `json:"description"`
	ProductCategoryID *uint64 `json:"product_category_id"`
	ModelCode         *string `json:"model_code"`
	Language          *string `json:"language"`
	Published         *bool   `json:"published"`
	URL               *string `json:"url"`
}

// ManualResponse is the admin image of a manual.
type ManualResponse struct {
	ID                uint64     `json:"id"`
	Title             string     `json:"title"`
	Description       string     `json:"description"`
	ProductCategoryID *uint64    `json:"product_category_id"`
	ModelCode         string     `json:"model_code"`
	Language          string     `json:"language"`
	Source            string     `json:"source"`
	URL               string     `json:"url"`
	FileName          string     `json:"file_name"`
	ContentType       string     `json:"content_type"`
	Size              int64      `json:"size"`
	SHA256            string     `json:"sha256"`
	Published         bool       `json:"published"`
	PublishedAt       *time.Time `json:"published_at"`
	Version           int64      `json:"version"`
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"updated_at"`
}

func manualResponse(m content.Manual) ManualResponse {
	return ManualResponse{ID: m.ID, Title: m.Title, Description: m.Description, ProductCategoryID: m.ProductCategoryID, ModelCode: m.ModelCode,
		Language: m.Language, Source: m.Source, URL: m.URL, FileName: m.FileName, ContentType: m.ContentType, Size: m.Size, SHA256: m.SHA256,
		Published: m.Published, PublishedAt: m.PublishedAt, Version: m.Version, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}
}

func (s *Server) listFaqArticles(c *gin.Context) error {
	page, size, err := paging(c, content.DefaultPageSize, content.MaxPageSize)
	if err != nil {
		return err
	}
	pub, err := queryBool(c, "published")
	if err != nil {
		return err
	}
	list, total, err := s.Content.ListArticles(c.Request.Context(), content.ArticleFilter{PublishedOnly: pub != nil && *pub, Topic: c.Query("topic"),
		Query: c.Query("q"), Page: page, Size: size})
	if err != nil {
		return err
	}
	items := make([]FaqArticleResponse, 0, len(list))
	for _, a := range list {
		items = append(items, faqArticleResponse(a))
	}
	c.JSON(http.StatusOK, pageOf(items, total, page, size))
	return nil
}

func (s *Server) createFaqArticle(c *gin.Context) error {
	var req FaqArticleRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	a, err := s.Content.CreateArticle(c.Request.Context(), content.ArticleInput{Title: req.Title, Body: req.Body, Topic: req.Topic,
		ProductCategoryID: req.ProductCategoryID, SortOrder: req.SortOrder, Published: req.Published})
	if err != nil {
		return err
	}
	c.Header("ETag", etag(a.Version))
	c.JSON(http.StatusCreated, faqArticleResponse(a))
	return nil
}

func (s *Server) getFaqArticle(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a, err := s.Content.Article(c.Request.Context(), id, false)
	if err != nil {
		return err
	}
	c.Header("ETag", etag(a.Version))
	c.JSON(http.StatusOK, faqArticleResponse(a))
	return nil
}

func (s *Server) patchFaqArticle(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req PatchFaqArticleRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	v, err := requestVersion(c, req.Version)
	if err != nil {
		return err
	}
	a, err := s.Content.UpdateArticle(c.Request.Context(), id, v, content.ArticlePatch{Title: req.Title, Body: req.Body, Topic: req.Topic,
		ProductCategoryID: req.ProductCategoryID, SortOrder: req.SortOrder, Published: req.Published})
	if err != nil {
		return err
	}
	c.Header("ETag", etag(a.Version))
	c.JSON(http.StatusOK, faqArticleResponse(a))
	return nil
}

// deleteVersion reads the version of a DELETE from If-Match or ?version=.
func deleteVersion(c *gin.Context) (int64, error) {
	var body int64
	if v := c.Query("version"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return 0, fieldErr("version", "the version number you read")
		}
		body = n
	}
	return requestVersion(c, body)
}

func (s *Server) deleteFaqArticle(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	v, err := deleteVersion(c)
	if err != nil {
		return err
	}
	if err := s.Content.DeleteArticle(c.Request.Context(), id, v); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) listManuals(c *gin.Context) error {
	page, size, err := paging(c, content.DefaultPageSize, content.MaxPageSize)
	if err != nil {
		return err
	}
	cat, err := queryUint(c, "category_id")
	if err != nil {
		return err
	}
	pub, err := queryBool(c, "published")
	if err != nil {
		return err
	}
	list, total, err := s.Content.ListManuals(c.Request.Context(), content.ManualFilter{PublishedOnly: pub != nil && *pub, ProductCategoryID: cat,
		ModelCode: c.Query("model"), Page: page, Size: size})
	if err != nil {
		return err
	}
	items := make([]ManualResponse, 0, len(list))
	for _, m := range list {
		items = append(items, manualResponse(m))
	}
	c.JSON(http.StatusOK, pageOf(items, total, page, size))
	return nil
}

// manualForm reads a multipart manual form: the text fields into dst (by
// their JSON names) and the optional file. The caller closes the file.
type manualForm struct {
	values map[string]string
	file   *content.Upload
	closer func()
}

func (s *Server) readManualForm(c *gin.Context) (*manualForm, error) {
	limit := s.Content.MaxUploadBytes()
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit+1<<20)
	if err := c.Request.ParseMultipartForm(8 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, attachment.TooLarge(limit)
		}
		return nil, apperr.Invalid("malformed multipart form: " + err.Error())
	}
	f := &manualForm{values: map[string]string{}, closer: func() {
		if c.Request.MultipartForm != nil {
			_ = c.Request.MultipartForm.RemoveAll()
		}
	}}
	for k, v := range c.Request.MultipartForm.Value {
		if len(v) > 0 {
			f.values[k] = v[0]
		}
	}
	if file, header, err := c.Request.FormFile("file"); err == nil {
		if header.Size > limit {
			_ = file.Close()
			f.closer()
			return nil, attachment.TooLarge(limit)
		}
		f.file = &content.Upload{FileName: header.Filename, Content: file}
		prev := f.closer
		f.closer = func() { _ = file.Close(); prev() }
	}
	return f, nil
}

// formValue returns a pointer to a present form value, nil when absent.
func (f *manualForm) ptr(k string) *string {
	v, ok := f.values[k]
	if !ok {
		return nil
	}
	return &v
}

func formBool(fields map[string]string, k string, v *string) *bool {
	if v == nil {
		return nil
	}
	b, err := strconv.ParseBool(strings.TrimSpace(*v))
	if err != nil {
		fields[k] = "true or false"
		return nil
	}
	return &b
}

func formUint(fields map[string]string, k string, v *string) *uint64 {
	if v == nil || strings.TrimSpace(*v) == "" {
		return nil
	}
	n, err := strconv.ParseUint(strings.TrimSpace(*v), 10, 64)
	if err != nil {
		fields[k] = "a whole number"
		return nil
	}
	return &n
}

func isMultipart(c *gin.Context) bool {
	return strings.HasPrefix(c.GetHeader("Content-Type"), "multipart/form-data")
}

func (s *Server) createManual(c *gin.Context) error {
	var in content.ManualInput
	if isMultipart(c) {
		f, err := s.readManualForm(c)
		if err != nil {
			return err
		}
		defer f.closer()
		fields := map[string]string{}
		in = content.ManualInput{Title: f.values["title"], Description: f.values["description"], ModelCode: f.values["model_code"],
			Language: f.values["language"], URL: f.values["url"], File: f.file,
			ProductCategoryID: formUint(fields, "product_category_id", f.ptr("product_category_id"))}
		if p := formBool(fields, "published", f.ptr("published")); p != nil {
			in.Published = *p
		}
		if len(fields) > 0 {
			return apperr.Validation(fields)
		}
	} else {
		var req ManualRequest
		if err := bindJSON(c, &req); err != nil {
			return err
		}
		in = content.ManualInput{Title: req.Title, Description: req.Description, ProductCategoryID: req.ProductCategoryID, ModelCode: req.ModelCode,
			Language: req.Language, Published: req.Published, URL: req.URL}
	}
	m, err := s.Content.CreateManual(c.Request.Context(), in)
	if err != nil {
		return err
	}
	c.Header("ETag", etag(m.Version))
	c.JSON(http.StatusCreated, manualResponse(m))
	return nil
}

func (s *Server) getManual(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	m, err := s.Content.Manual(c.Request.Context(), id, false)
	if err != nil {
		return err
	}
	c.Header("ETag", etag(m.Version))
	c.JSON(http.StatusOK, manualResponse(m))
	return nil
}

func (s *Server) patchManual(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var p content.ManualPatch
	var bodyVersion int64
	if isMultipart(c) {
		f, err := s.readManualForm(c)
		if err != nil {
			return err
		}
		defer f.closer()
		fields := map[string]string{}
		p = content.ManualPatch{Title: f.ptr("title"), Description: f.ptr("description"), ModelCode: f.ptr("model_code"), Language: f.ptr("language"),
			URL: f.ptr("url"), File: f.file, Published: formBool(fields, "published", f.ptr("published"))}
		if v := f.ptr("product_category_id"); v != nil {
			if strings.TrimSpace(*v) == "" {
				zero := uint64(0)
				p.ProductCategoryID = &zero
			} else {
				p.ProductCategoryID = formUint(fields, "product_category_id", v)
			}
		}
		if v := f.ptr("version"); v != nil {
			n, err := strconv.ParseInt(strings.TrimSpace(*v), 10, 64)
			if err != nil || n <= 0 {
				fields["version"] = "the version number you read"
			}
			bodyVersion = n
		}
		if len(fields) > 0 {
			return apperr.Validation(fields)
		}
	} else {
		var req PatchManualRequest
		if err := bindJSON(c, &req); err != nil {
			return err
		}
		bodyVersion = req.Version
		p = content.ManualPatch{Title: req.Title, Description: req.Description, ProductCategoryID: req.ProductCategoryID, ModelCode: req.ModelCode,
			Language: req.Language, Published: req.Published, URL: req.URL}
	}
	v, err := requestVersion(c, bodyVersion)
	if err != nil {
		return err
	}
	m, err := s.Content.UpdateManual(c.Request.Context(), id, v, p)
	if err != nil {
		return err
	}
	c.Header("ETag", etag(m.Version))
	c.JSON(http.StatusOK, manualResponse(m))
	return nil
}

func (s *Server) deleteManual(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	v, err := deleteVersion(c)
	if err != nil {
		return err
	}
	if err := s.Content.DeleteManual(c.Request.Context(), id, v); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) downloadManual(c *gin.Context) error {
	return s.downloadManualFile(c, false)
}
