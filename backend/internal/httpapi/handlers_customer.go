package httpapi

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/customer"
	"github.com/aftersales/aftersales/backend/internal/rbac"
	"github.com/aftersales/aftersales/backend/internal/region"
)

// ---- regions

// RegionResponse is one administrative region (GB/T 2260).
type RegionResponse struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	FullName    string `json:"full_name"` // "广东省 深圳市 南山区"
	Level       string `json:"level"`     // province, city, district
	ParentCode  string `json:"parent_code,omitempty"`
	HasChildren bool   `json:"has_children"`
}

func (s *Server) regionResponse(r region.Region) RegionResponse {
	return RegionResponse{Code: r.Code, Name: r.Name, FullName: s.Regions.FullName(r.Code), Level: r.Level.String(),
		ParentCode: r.ParentCode, HasChildren: len(s.Regions.Children(r.Code)) > 0}
}

// listRegions answers GET /regions?parent=<code>: the children of a region,
// or the provinces without parent. An unknown parent is a 422 on "parent".
func (s *Server) listRegions(c *gin.Context) error {
	parent := strings.TrimSpace(c.Query("parent"))
	var rs []region.Region
	if parent == "" {
		rs = s.Regions.Provinces()
	} else {
		if err := s.Regions.Validate(parent); err != nil {
			return apperr.FieldErr("parent", apperr.Unknown(parent))
		}
		rs = s.Regions.Children(parent)
	}
	items := make([]RegionResponse, 0, len(rs))
	for _, r := range rs {
		items = append(items, s.regionResponse(r))
	}
	c.JSON(http.StatusOK, listOf(items))
	return nil
}

// searchRegions answers GET /regions/search?q=&limit= for type-ahead boxes:
// a code prefix or a name.
func (s *Server) searchRegions(c *gin.Context) error {
	limit := region.DefaultSearchLimit
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > region.MaxSearchLimit {
			return fieldErr("limit", apperr.OutOfRange(1, region.MaxSearchLimit))
		}
		limit = n
	}
	rs := s.Regions.Search(c.Query("q"), limit)
	items := make([]RegionResponse, 0, len(rs))
	for _, r := range rs {
		items = append(items, s.regionResponse(r))
	}
	c.JSON(http.StatusOK, listOf(items))
	return nil
}

// ---- customers: request and response types

// PhoneInput is a phone number as typed, with an optional label
// (本人, 家人, 办公室). POST /customers/{id}/phones takes one as its body.
type PhoneInput struct {
	Number  string `json:"number"`
	Label   string `json:"label"`
	Primary bool   `json:"primary"`
}

// AddressInput is an address: a district's region code and the street
// detail. POST /customers/{id}/addresses takes one as its body.
type AddressInput struct {
	RegionCode string `json:"region_code"`
	Detail     string `json:"detail"`
	Default    bool   `json:"default"`
}

// ConsentBody holds a customer's consent to be contacted.
type ConsentBody struct {
	SMS       bool `json:"sms"`
	Survey    bool `json:"survey"`
	Marketing bool `json:"marketing"`
}

// ConsentPatch changes some consent flags; absent ones stay.
type ConsentPatch struct {
	SMS       *bool `json:"sms"`
	Survey    *bool `json:"survey"`
	Marketing *bool `json:"marketing"`
}

// CreateCustomerRequest is the body of POST /customers.
type CreateCustomerRequest struct {
	Name      string         `json:"name"`
	Kind      string         `json:"kind"` // person (default) or company
	Phones    []PhoneInput   `json:"phones"`
	Addresses []AddressInput `json:"addresses"`
	Consent   ConsentBody    `json:"consent"`
}

// UpdateCustomerRequest is the body of PATCH /customers/{id}. The version
// read is required, in this field or as the If-Match header.
type UpdateCustomerRequest struct {
	Version int64         `json:"version"`
	Name    *string       `json:"name"`
	Kind    *string       `json:"kind"`
	Consent *ConsentPatch `json:"consent"`
}

// CustomerResponse is the API image of a customer.
type CustomerResponse struct {
	ID      uint64      `json:"id"`
	Name    string      `json:"name"`
	Kind    string      `json:"kind"`
	Consent ConsentBody `json:"consent"`
	// MergedIntoID names the survivor a merged duplicate now lives in
	// (open that one instead); ErasedAt is set once the customer's personal
	// data was erased under a PIPL request.
	MergedIntoID *uint64    `json:"merged_into_id"`
	MergedAt     *time.Time `json:"merged_at"`
	ErasedAt     *time.Time `json:"erased_at"`
	Version      int64      `json:"version"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

// PhoneResponse is a phone number, masked ("138****5678") unless the
// caller holds customer:phone_unmasked; Masked says which.
type PhoneResponse struct {
	ID      uint64 `json:"id"`
	Number  string `json:"number"`
	Masked  bool   `json:"masked"`
	Kind    string `json:"kind"`
	Label   string `json:"label"`
	Primary bool   `json:"primary"`
}

// AddressResponse is an address with its region's full name.
type AddressResponse struct {
	ID         uint64 `json:"id"`
	RegionCode string `json:"region_code"`
	RegionName string `json:"region_name"`
	Detail     string `json:"detail"`
	Default    bool   `json:"default"`
}

// CustomerProfileResponse is a customer with phones (primary first) and
// addresses (default first).
type CustomerProfileResponse struct {
	Customer  CustomerResponse  `json:"customer"`
	Phones    []PhoneResponse   `json:"phones"`
	Addresses []AddressResponse `json:"addresses"`
}

// ScreenPopResponse is what GET /customers?phone= returns to the agent when
// a call comes in: the caller's profile and units with warranty and flags.
// Other domains add their parts (e.g. open tickets) as fields here.
type ScreenPopResponse struct {
	Customer  CustomerResponse   `json:"customer"`
	Phones    []PhoneResponse    `json:"phones"`
	Addresses []AddressResponse  `json:"addresses"`
	Units     []UnitCardResponse `json:"units"`
	// OpenTickets are the caller's tickets not yet resolved (ticket domain).
	OpenTickets []OpenTicketResponse `json:"open_tickets"`
}

// CustomerListResponse is a page of customers. Total is null when the list
// is not narrowed by a name prefix (see customer.Page).
type CustomerListResponse struct {
	Items   []CustomerProfileResponse `json:"items"`
	Total   *int64                    `json:"total"`
	Page    int                       `json:"page"`
	Size    int                       `json:"size"`
	HasMore bool                      `json:"has_more"`
}

// phonesUnmasked reports whether the caller may see full phone numbers. A
// failed permission check masks: the safe side.
func (s *Server) phonesUnmasked(c *gin.Context) bool {
	ok, err := s.RBAC.Allowed(actor.From(c.Request.Context()).Roles, rbac.CustomerPhoneFull)
	if err != nil {
		s.log.ErrorContext(c.Request.Context(), "rbac: phone mask check", append(logAttrs(c), "err", err)...)
		return false
	}
	return ok
}

func customerResponse(cu customer.Customer) CustomerResponse {
	return CustomerResponse{ID: cu.ID, Name: cu.Name, Kind: string(cu.Kind),
		Consent:      ConsentBody{SMS: cu.ConsentSMS, Survey: cu.ConsentSurvey, Marketing: cu.ConsentMarketing},
		MergedIntoID: cu.MergedIntoID, MergedAt: cu.MergedAt, ErasedAt: cu.ErasedAt, Version: cu.Version, CreatedAt: cu.CreatedAt, UpdatedAt: cu.UpdatedAt}
}

func phoneResponse(p customer.Phone, unmasked bool) PhoneResponse {
	n := p.Number
	if !unmasked {
		n = customer.MaskPhone(n)
	}
	return PhoneResponse{ID: p.ID, Number: n, Masked: !unmasked, Kind: string(p.Kind), Label: p.Label, Primary: p.IsPrimary}
}

func (s *Server) addressResponse(a customer.Address) AddressResponse {
	return AddressResponse{ID: a.ID, RegionCode: a.RegionCode, RegionName: s.Regions.FullName(a.RegionCode), Detail: a.Detail, Default: a.IsDefault}
}

func (s *Server) profileResponse(p customer.Profile, unmasked bool) CustomerProfileResponse {
	out := CustomerProfileResponse{Customer: customerResponse(p.Customer), Phones: make([]PhoneResponse, 0, len(p.Phones)),
		Addresses: make([]AddressResponse, 0, len(p.Addresses))}
	for _, ph := range p.Phones {
		out.Phones = append(out.Phones, phoneResponse(ph, unmasked))
	}
	for _, a := range p.Addresses {
		out.Addresses = append(out.Addresses, s.addressResponse(a))
	}
	return out
}

// ---- customers: handlers

// listCustomers answers GET /customers. With phone= it is the agent's
// screen-pop (ScreenPopResponse; 404 when nobody has the number, 422 when it
// is not a phone number); otherwise a page of customers whose name or
// address contains q= (or with that phone or phone tail; best first, see
// customer.Search), or all newest first.
func (s *Server) listCustomers(c *gin.Context) error {
	if _, scoped := actor.From(c.Request.Context()).OutletScoped(); scoped {
		// Outlet users see a customer only through a job of their outlet.
		return apperr.Forbidden("outlet users see customers through their work orders")
	}
	if phone, ok := c.GetQuery("phone"); ok {
		if c.Query("q") != "" {
			return fieldErr("q", apperr.Code("phone_or_q", "use either phone or q"))
		}
		return s.screenPop(c, phone)
	}
	page, size, err := paging(c, customer.DefaultPageSize, customer.MaxPageSize)
	if err != nil {
		return err
	}
	var res customer.Page
	if q := strings.TrimSpace(c.Query("q")); q != "" {
		res, err = s.searchCustomerPage(c, q, page, size)
	} else {
		res, err = s.Customers.List(c.Request.Context(), customer.Filter{Page: page, Size: size})
	}
	if err != nil {
		return err
	}
	unmasked := s.phonesUnmasked(c)
	if err := s.logProfiles(c, unmasked, res.Items...); err != nil {
		return err
	}
	out := CustomerListResponse{Items: make([]CustomerProfileResponse, 0, len(res.Items)), Total: res.Total, Page: page, Size: size, HasMore: res.HasMore}
	for _, p := range res.Items {
		out.Items = append(out.Items, s.profileResponse(p, unmasked))
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (s *Server) screenPop(c *gin.Context, phone string) error {
	ctx := c.Request.Context()
	p, err := s.Customers.ProfileByPhone(ctx, phone)
	if err != nil {
		return err
	}
	cards, err := s.Products.UnitCards(ctx, p.Customer.ID, time.Now())
	if err != nil {
		return err
	}
	unmasked := s.phonesUnmasked(c)
	if err := s.logProfiles(c, unmasked, p); err != nil {
		return err
	}
	prof := s.profileResponse(p, unmasked)
	out := ScreenPopResponse{Customer: prof.Customer, Phones: prof.Phones, Addresses: prof.Addresses, Units: make([]UnitCardResponse, 0, len(cards))}
	for _, card := range cards {
		out.Units = append(out.Units, unitCardResponse(card))
	}
	if out.OpenTickets, err = s.openTickets(c, p.Customer.ID); err != nil {
		return err
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (s *Server) createCustomer(c *gin.Context) error {
	var req CreateCustomerRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	in := customer.NewCustomer{Name: req.Name, Kind: customer.Kind(req.Kind), ConsentSMS: req.Consent.SMS,
		ConsentSurvey: req.Consent.Survey, ConsentMarketing: req.Consent.Marketing}
	for _, p := range req.Phones {
		in.Phones = append(in.Phones, customer.NewPhone{Number: p.Number, Label: p.Label, Primary: p.Primary})
	}
	for _, a := range req.Addresses {
		in.Addresses = append(in.Addresses, customer.NewAddress{RegionCode: a.RegionCode, Detail: a.Detail, Default: a.Default})
	}
	p, err := s.Customers.Create(c.Request.Context(), in)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, s.profileResponse(p, s.phonesUnmasked(c)))
	return nil
}

func (s *Server) getCustomer(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	// The one rule of who sees a customer (handlers_privacy.go); the read
	// is written to the PIPL access log.
	out, err := s.ownerView(c, id)
	if err == nil && out == nil {
		err = apperr.NotFound("customer")
	}
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (s *Server) updateCustomer(c *gin.Context) error {
	var req UpdateCustomerRequest
	id, version, err := bindVersioned(c, "id", &req, &req.Version)
	if err != nil {
		return err
	}
	p := customer.Patch{Name: req.Name}
	if req.Kind != nil {
		k := customer.Kind(*req.Kind)
		p.Kind = &k
	}
	if req.Consent != nil {
		p.ConsentSMS, p.ConsentSurvey, p.ConsentMarketing = req.Consent.SMS, req.Consent.Survey, req.Consent.Marketing
	}
	return answerWith(c, http.StatusOK, customerResponse)(s.Customers.Update(c.Request.Context(), id, version, p))
}

func (s *Server) addCustomerPhone(c *gin.Context) error {
	var req PhoneInput
	id, err := bindWithID(c, "id", &req)
	if err != nil {
		return err
	}
	ph, err := s.Customers.AddPhone(c.Request.Context(), id, customer.NewPhone{Number: req.Number, Label: req.Label, Primary: req.Primary})
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, phoneResponse(ph, s.phonesUnmasked(c)))
	return nil
}

func (s *Server) addCustomerAddress(c *gin.Context) error {
	var req AddressInput
	id, err := bindWithID(c, "id", &req)
	if err != nil {
		return err
	}
	return answerWith(c, http.StatusCreated, s.addressResponse)(s.Customers.AddAddress(c.Request.Context(), id, customer.NewAddress{RegionCode: req.RegionCode, Detail: req.Detail, Default: req.Default}))
}
