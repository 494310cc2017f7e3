package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/passport"
	"github.com/aftersales/aftersales/backend/internal/product"
)

// ---- request and response types

// PolicyResponse is a 三包 warranty policy.
type PolicyResponse struct {
	ReturnDays           int `json:"return_days"`
	ExchangeDays         int `json:"exchange_days"`
	RepairWarrantyMonths int `json:"repair_warranty_months"`
	ReplaceAfterRepairs  int `json:"replace_after_repairs"`
}

// CreateCategoryRequest is the body of POST /product-categories. Policy
// fields left out take the 三包 defaults (7 / 15 days, 12 months, 2 repairs).
type CreateCategoryRequest struct {
	Code                 string `json:"code"`
	Name                 string `json:"name"`
	ReturnDays           *int   `json:"return_days"`
	ExchangeDays         *int   `json:"exchange_days"`
	RepairWarrantyMonths *int   `json:"repair_warranty_months"`
	ReplaceAfterRepairs  *int   `json:"replace_after_repairs"`
}

// UpdateCategoryRequest is the body of PATCH /product-categories/{id};
// absent fields stay. The version (or If-Match) is required.
type UpdateCategoryRequest struct {
	Version              int64   `json:"version"`
	Name                 *string `json:"name"`
	ReturnDays           *int    `json:"return_days"`
	ExchangeDays         *int    `json:"exchange_days"`
	RepairWarrantyMonths *int    `json:"repair_warranty_months"`
	ReplaceAfterRepairs  *int    `json:"replace_after_repairs"`
}

// CategoryResponse is the API image of a product category.
type CategoryResponse struct {
	ID        uint64         `json:"id"`
	Code      string         `json:"code"`
	Name      string         `json:"name"`
	Policy    PolicyResponse `json:"policy"`
	Version   int64          `json:"version"`
	CreatedAt time.Time      `json:"created_at"`
	UpdatedAt time.Time      `json:"updated_at"`
}

// CreateModelRequest is the body of POST /product-models. Policy fields
// left out (or null) inherit the category's.
type CreateModelRequest struct {
	Code                 string `json:"code"`
	Name                 string `json:"name"`
	CategoryID           uint64 `json:"category_id"`
	ReturnDays           *int   `json:"return_days"`
	ExchangeDays         *int   `json:"exchange_days"`
	RepairWarrantyMonths *int   `json:"repair_warranty_months"`
	ReplaceAfterRepairs  *int   `json:"replace_after_repairs"`
}

// NullableInt is a JSON integer field of a patch that tells "absent" (leave
// as is) from null (clear) and a number (set).
type NullableInt struct {
	Set   bool `json:"-"`
	Value *int `json:"-"`
}

// UnmarshalJSON records that the field was present.
func (n *NullableInt) UnmarshalJSON(b []byte) error {
	n.Set = true
	if string(b) == "null" {
		n.Value = nil
		return nil
	}
	var v int
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	n.Value = &v
	return nil
}

// UpdateModelRequest is the body of PATCH /product-models/{id}. A policy
// field set to null removes the model's override (the category's value
// applies again); an absent field stays.
type UpdateModelRequest struct {
	Version              int64       `json:"version"`
	Name                 *string     `json:"name"`
	CategoryID           *uint64     `json:"category_id"`
	ReturnDays           NullableInt `json:"return_days"`
	ExchangeDays         NullableInt `json:"exchange_days"`
	RepairWarrantyMonths NullableInt `json:"repair_warranty_months"`
	ReplaceAfterRepairs  NullableInt `json:"replace_after_repairs"`
}

// PolicyOverrides are a model's own policy values; null inherits.
type PolicyOverrides struct {
	ReturnDays           *int `json:"return_days"`
	ExchangeDays         *int `json:"exchange_days"`
	RepairWarrantyMonths *int `json:"repair_warranty_months"`
	ReplaceAfterRepairs  *int `json:"replace_after_repairs"`
}

// ModelResponse is the API image of a product model with its overrides and
// effective policy.
type ModelResponse struct {
	ID         uint64          `json:"id"`
	Code       string          `json:"code"`
	Name       string          `json:"name"`
	CategoryID uint64          `json:"category_id"`
	Overrides  PolicyOverrides `json:"overrides"`
	Policy     PolicyResponse  `json:"policy"`
	Version    int64           `json:"version"`
	CreatedAt  time.Time       `json:"created_at"`
	UpdatedAt  time.Time       `json:"updated_at"`
}

// RegisterUnitRequest is the body of POST /units. Dates are local calendar
// dates "YYYY-MM-DD"; installed_at is an RFC 3339 instant.
type RegisterUnitRequest struct {
	Serial         string     `json:"serial"`
	ModelID        uint64     `json:"model_id"`
	CustomerID     *uint64    `json:"customer_id"`
	PurchaseDate   string     `json:"purchase_date"`
	PurchaseProof  string     `json:"purchase_proof"`
	ProductionLot  string     `json:"production_lot"`
	ProductionDate string     `json:"production_date"`
	InstalledAt    *time.Time `json:"installed_at"`
}

// RefResponse names a related record briefly.
type RefResponse struct {
	ID   uint64 `json:"id"`
	Code string `json:"code"`
	Name string `json:"name"`
}

// WarrantyResponse is a computed warranty status; the dates are the last
// day of each window (inclusive), null when there is no such window.
type WarrantyResponse struct {
	State         string  `json:"state"` // return, exchange, repair, expired, unknown
	ReturnUntil   *string `json:"return_until"`
	ExchangeUntil *string `json:"exchange_until"`
	RepairUntil   *string `json:"repair_until"`
}

// UnitCardResponse is a unit with its model, category, warranty today and
// standing flags.
type UnitCardResponse struct {
	ID            uint64      `json:"id"`
	Serial        string      `json:"serial"`
	Model         RefResponse `json:"model"`
	Category      RefResponse `json:"category"`
	CustomerID    *uint64     `json:"customer_id"`
	PurchaseDate  *string     `json:"purchase_date"`
	PurchaseProof string      `json:"purchase_proof"`
	Seller        string      `json:"seller"`
	// PurchasePriceFen is the price paid, in fen (null: not known).
	PurchasePriceFen  *int64  `json:"purchase_price_fen"`
	ProofAttachmentID *uint64 `json:"proof_attachment_id"`
	// Status: active, returned, exchanged, scrapped or lost; a scrapped or
	// lost unit gets no new tickets.
	Status             string           `json:"status" enum:"active,returned,exchanged,scrapped,lost"`
	DeactivatedAt      *time.Time       `json:"deactivated_at"`
	DeactivationReason string           `json:"deactivation_reason"`
	ProductionLot      string           `json:"production_lot"`
	ProductionDate     *string          `json:"production_date"`
	InstalledAt        *time.Time       `json:"installed_at"`
	Warranty           WarrantyResponse `json:"warranty"`
	Flags              []passport.Flag  `json:"flags"`
	Version            int64            `json:"version"`
	CreatedAt          time.Time        `json:"created_at"`
}

// PassportResponse is GET /units/{serial}: the unit, its model and
// category, owner (phones masked by the usual rule), warranty with the
// policy it came from, flags and the merged history, newest first.
// unavailable_sources names the history sources that failed to answer.
type PassportResponse struct {
	Unit     UnitCardResponse         `json:"unit"`
	Model    ModelResponse            `json:"model"`
	Category CategoryResponse         `json:"category"`
	Owner    *CustomerProfileResponse `json:"owner"`
	Warranty WarrantyResponse         `json:"warranty"`
	Policy   PolicyResponse           `json:"policy"`
	Flags    []passport.Flag          `json:"flags"`
	History  []passport.Entry         `json:"history"`
	// PreviousOwners are the unit's changes of owner, oldest first; the
	// owners' ids and names only for callers who may see them.
	PreviousOwners []UnitTransferResponse `json:"previous_owners"`
	Unavailable    []string               `json:"unavailable_sources"`
}

func policyResponse(p product.Policy) PolicyResponse {
	return PolicyResponse{ReturnDays: p.ReturnDays, ExchangeDays: p.ExchangeDays, RepairWarrantyMonths: p.RepairWarrantyMonths,
		ReplaceAfterRepairs: p.ReplaceAfterRepairs}
}

func categoryResponse(c product.Category) CategoryResponse {
	return CategoryResponse{ID: c.ID, Code: c.Code, Name: c.Name, Policy: policyResponse(c.Policy()), Version: c.Version,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

func modelResponse(m product.Model, cat product.Category) ModelResponse {
	return ModelResponse{ID: m.ID, Code: m.Code, Name: m.Name, CategoryID: m.CategoryID,
		Overrides: PolicyOverrides{ReturnDays: m.ReturnDays, ExchangeDays: m.ExchangeDays, RepairWarrantyMonths: m.RepairWarrantyMonths,
			ReplaceAfterRepairs: m.ReplaceAfterRepairs},
		Policy: policyResponse(m.Policy(cat.Policy())), Version: m.Version, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}
}

// calendarDateString formats a stored calendar date as "YYYY-MM-DD"; nil and the
// zero time are null.
func calendarDateString(t *time.Time) *string {
	if t == nil || t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.DateOnly)
	return &s
}

func warrantyResponse(st product.Status) WarrantyResponse {
	return WarrantyResponse{State: string(st.State), ReturnUntil: calendarDateString(&st.ReturnUntil),
		ExchangeUntil: calendarDateString(&st.ExchangeUntil), RepairUntil: calendarDateString(&st.RepairUntil)}
}

func unitCardResponse(c product.UnitCard) UnitCardResponse {
	u := c.Unit
	flags := c.Flags
	if flags == nil {
		flags = []passport.Flag{}
	}
	return UnitCardResponse{ID: u.ID, Serial: u.Serial, Model: RefResponse{ID: c.Model.ID, Code: c.Model.Code, Name: c.Model.Name},
		Category: RefResponse{ID: c.Category.ID, Code: c.Category.Code, Name: c.Category.Name}, CustomerID: u.CustomerID,
		PurchaseDate: calendarDateString(u.PurchaseDate), PurchaseProof: u.PurchaseProof, Seller: u.Seller, PurchasePriceFen: u.PurchasePriceFen,
		ProofAttachmentID: u.ProofAttachmentID, Status: unitStatus(u.Status), DeactivatedAt: u.DeactivatedAt, DeactivationReason: u.DeactivationReason,
		ProductionLot:  u.ProductionLot,
		ProductionDate: calendarDateString(u.ProductionDate), InstalledAt: u.InstalledAt, Warranty: warrantyResponse(c.Warranty),
		Flags: flags, Version: u.Version, CreatedAt: u.CreatedAt}
}

// parseCalendarDateField parses an optional "YYYY-MM-DD" body field into a
// stored calendar date (00:00 UTC); a bad value is a 422 on field.
func parseCalendarDateField(v, field string) (*time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return nil, apperr.FieldErr(field, apperr.InvalidFormat(apperr.FormatDate))
	}
	return &t, nil
}

// optionalQueryID reads an optional positive integer query parameter.
func optionalQueryID(c *gin.Context, name string) (uint64, error) {
	v := c.Query(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n == 0 {
		return 0, fieldErr(name, apperr.InvalidFormat(apperr.FormatPositiveInteger))
	}
	return n, nil
}

// ---- categories

func (s *Server) listProductCategories(c *gin.Context) error {
	cs, err := s.Products.Categories(c.Request.Context())
	if err != nil {
		return err
	}
	items := views(cs, categoryResponse)
	c.JSON(http.StatusOK, listOf(items))
	return nil
}

func (s *Server) createProductCategory(c *gin.Context) error {
	var req CreateCategoryRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	cat, err := s.Products.CreateCategory(c.Request.Context(), product.NewCategory{Code: req.Code, Name: req.Name,
		Policy: product.PolicyInput{ReturnDays: req.ReturnDays, ExchangeDays: req.ExchangeDays,
			RepairWarrantyMonths: req.RepairWarrantyMonths, ReplaceAfterRepairs: req.ReplaceAfterRepairs}})
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, categoryResponse(cat))
	return nil
}

func (s *Server) updateProductCategory(c *gin.Context) error {
	var req UpdateCategoryRequest
	return changeByID(c, &req, &req.Version, func(ctx context.Context, id uint64, version int64) (product.Category, error) {
		return s.Products.UpdateCategory(ctx, id, version, product.CategoryPatch{Name: req.Name,
			Policy: product.PolicyInput{ReturnDays: req.ReturnDays, ExchangeDays: req.ExchangeDays,
				RepairWarrantyMonths: req.RepairWarrantyMonths, ReplaceAfterRepairs: req.ReplaceAfterRepairs}})
	}, categoryResponse)
}

// ---- models

// listProductModels answers GET /product-models?category_id=&q=<code
// prefix>&page&size, by code.
func (s *Server) listProductModels(c *gin.Context) error {
	page, size, err := paging(c, product.DefaultModelPageSize, product.MaxModelPageSize)
	if err != nil {
		return err
	}
	catID, err := optionalQueryID(c, "category_id")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	ms, total, err := s.Products.Models(ctx, product.ModelFilter{CategoryID: catID, CodePrefix: c.Query("q"), Page: page, Size: size})
	if err != nil {
		return err
	}
	ids := make([]uint64, len(ms))
	for i, m := range ms {
		ids[i] = m.CategoryID
	}
	cats, err := s.Products.CategoriesByIDs(ctx, ids)
	if err != nil {
		return err
	}
	items := make([]ModelResponse, 0, len(ms))
	for _, m := range ms {
		items = append(items, modelResponse(m, cats[m.CategoryID]))
	}
	c.JSON(http.StatusOK, pageOf(items, total, page, size))
	return nil
}

func (s *Server) createProductModel(c *gin.Context) error {
	var req CreateModelRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	ctx := c.Request.Context()
	m, err := s.Products.CreateModel(ctx, product.NewModel{Code: req.Code, Name: req.Name, CategoryID: req.CategoryID,
		Overrides: product.PolicyInput{ReturnDays: req.ReturnDays, ExchangeDays: req.ExchangeDays,
			RepairWarrantyMonths: req.RepairWarrantyMonths, ReplaceAfterRepairs: req.ReplaceAfterRepairs}})
	if err != nil {
		return err
	}
	cat, err := s.Products.Category(ctx, m.CategoryID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, modelResponse(m, cat))
	return nil
}

func (s *Server) updateProductModel(c *gin.Context) error {
	var req UpdateModelRequest
	id, version, err := bindVersioned(c, "id", &req, &req.Version)
	if err != nil {
		return err
	}
	ov := func(n NullableInt) product.Override { return product.Override{Set: n.Set, Value: n.Value} }
	ctx := c.Request.Context()
	m, err := s.Products.UpdateModel(ctx, id, version, product.ModelPatch{Name: req.Name, CategoryID: req.CategoryID,
		ReturnDays: ov(req.ReturnDays), ExchangeDays: ov(req.ExchangeDays), RepairWarrantyMonths: ov(req.RepairWarrantyMonths),
		ReplaceAfterRepairs: ov(req.ReplaceAfterRepairs)})
	if err != nil {
		return err
	}
	cat, err := s.Products.Category(ctx, m.CategoryID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, modelResponse(m, cat))
	return nil
}

// ---- units

func (s *Server) registerUnit(c *gin.Context) error {
	var req RegisterUnitRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	purchase, err := parseCalendarDateField(req.PurchaseDate, "purchase_date")
	if err != nil {
		return err
	}
	production, err := parseCalendarDateField(req.ProductionDate, "production_date")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	u, err := s.Products.RegisterUnit(ctx, product.NewUnit{Serial: req.Serial, ModelID: req.ModelID, CustomerID: req.CustomerID,
		PurchaseDate: purchase, PurchaseProof: req.PurchaseProof, ProductionLot: req.ProductionLot, ProductionDate: production,
		InstalledAt: req.InstalledAt})
	if err != nil {
		return err
	}
	cards, err := s.Products.Cards(ctx, []product.Unit{u}, time.Now())
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, unitCardResponse(cards[0]))
	return nil
}

// listUnits answers GET /units?customer_id=: a customer's units with
// warranty and flags.
func (s *Server) listUnits(c *gin.Context) error {
	custID, err := optionalQueryID(c, "customer_id")
	if err != nil {
		return err
	}
	if custID == 0 {
		return fieldErr("customer_id", apperr.Required())
	}
	// A customer's units are the customer's data: the rule of GET
	// /customers/{id} (outlet users: through a job of their outlet).
	if ok, err := s.maySeeCustomer(c, custID); err != nil || !ok {
		if err == nil {
			err = apperr.NotFound("customer")
		}
		return err
	}
	cards, err := s.Products.UnitCards(c.Request.Context(), custID, time.Now())
	if err != nil {
		return err
	}
	items := views(cards, unitCardResponse)
	c.JSON(http.StatusOK, listOf(items))
	return nil
}

// unitPassport answers GET /units/{serial}.
func (s *Server) unitPassport(c *gin.Context) error {
	ctx := c.Request.Context()
	p, err := s.Products.Passport(ctx, c.Param("serial"), time.Now())
	if err != nil {
		return err
	}
	out := PassportResponse{Unit: unitCardResponse(p.UnitCard), Model: modelResponse(p.Model, p.Category),
		Category: categoryResponse(p.Category), Warranty: warrantyResponse(p.Warranty), Policy: policyResponse(p.Policy),
		Flags: p.Flags, History: p.History, Unavailable: p.Unavailable}
	if out.PreviousOwners, err = s.transferResponses(c, p.Transfers); err != nil {
		return err
	}
	if out.Flags == nil {
		out.Flags = []passport.Flag{}
	}
	if out.History == nil {
		out.History = []passport.Entry{}
	}
	if p.Unit.CustomerID != nil {
		owner, err := s.ownerView(c, *p.Unit.CustomerID)
		if err != nil && !apperr.IsKind(err, apperr.KindNotFound) {
			return err
		}
		out.Owner = owner
	}
	if out.Owner == nil {
		out.Unit.CustomerID = nil // who owns it is the customer's data too
	}
	c.JSON(http.StatusOK, out)
	return nil
}
