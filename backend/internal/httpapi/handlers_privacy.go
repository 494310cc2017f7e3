package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/customer"
	"github.com/aftersales/aftersales/backend/internal/privacy"
	"github.com/aftersales/aftersales/backend/internal/rbac"
	"github.com/aftersales/aftersales/backend/internal/workorder"
)

// Who sees a customer's personal data (docs/security.md, "Who may see
// what"), one rule for every response that carries it:
//   - callers not scoped to an outlet see a customer with customer:read,
//     phones masked unless they hold customer:phone_unmasked;
//   - outlet users (and the assigned technician) see the name, unmasked
//     phones and addresses only through a work order of their outlet that is
//     open or closed less than privacy.outlet_contact_days ago;
//   - nobody else sees anything of the customer.
// Every response that shows an unmasked phone or an address is written to
// the PIPL access log first; if it cannot be written, nothing is shown.

// contactWindow is privacy.outlet_contact_days as a duration.
func (s *Server) contactWindow() time.Duration {
	return time.Duration(s.OutletContactDays) * 24 * time.Hour
}

func (s *Server) allowed(c *gin.Context, perm string) bool {
	ok, err := s.RBAC.Allowed(actor.From(c.Request.Context()).Roles, perm)
	if err != nil {
		s.log.ErrorContext(c.Request.Context(), "rbac: "+perm, append(logAttrs(c), "err", err)...)
		return false
	}
	return ok
}

// readFields names what of p a response shows unmasked.
func readFields(p customer.Profile, unmasked bool) []string {
	var f []string
	if unmasked && len(p.Phones) > 0 {
		f = append(f, privacy.FieldPhone)
	}
	if len(p.Addresses) > 0 {
		f = append(f, privacy.FieldAddress)
	}
	return f
}

// logProfiles records that profiles are shown (purpose customer_record).
func (s *Server) logProfiles(c *gin.Context, unmasked bool, ps ...customer.Profile) error {
	reads := make([]privacy.Read, 0, len(ps))
	for _, p := range ps {
		reads = append(reads, privacy.Read{CustomerID: p.Customer.ID, Fields: readFields(p, unmasked), Purpose: privacy.PurposeCustomerRecord})
	}
	return s.Privacy.Record(c.Request.Context(), reads...)
}

// ownerView returns what the caller may see of customer id by the rule
// above (nil: nothing), after logging the read.
func (s *Server) ownerView(c *gin.Context, id uint64) (*CustomerProfileResponse, error) {
	ctx := c.Request.Context()
	if _, scoped := actor.From(ctx).OutletScoped(); scoped {
		job, ok, err := s.WorkOrders.ContactJob(ctx, id, s.contactWindow())
		if err != nil || !ok {
			return nil, err
		}
		p, err := s.Customers.Profile(ctx, id)
		if err != nil {
			return nil, err
		}
		if err := s.Privacy.Record(ctx, privacy.Read{CustomerID: id, WorkOrderID: &job.ID, Fields: readFields(p, true), Purpose: privacy.PurposeWorkOrder}); err != nil {
			return nil, err
		}
		pr := s.profileResponse(p, true)
		return &pr, nil
	}
	if !s.allowed(c, rbac.CustomerRead) {
		return nil, nil
	}
	p, err := s.Customers.Profile(ctx, id)
	if err != nil {
		return nil, err
	}
	unmasked := s.phonesUnmasked(c)
	if err := s.logProfiles(c, unmasked, p); err != nil {
		return nil, err
	}
	pr := s.profileResponse(p, unmasked)
	return &pr, nil
}

// customerViews is ownerView for a page of customers: what the caller may
// see of the first max customers of ids that the caller may see at all (in
// the order of ids; nil for nothing). The profiles are read as one page
// (customer.Profiles: three queries, not three per customer) and every
// profile shown is written to the PIPL access log in one multi-row insert
// before anything is returned; if it cannot be written, nothing is shown.
// Outlet users still need a contact job of their outlet per customer.
func (s *Server) customerViews(c *gin.Context, ids []uint64, max int) ([]*CustomerProfileResponse, error) {
	ctx := c.Request.Context()
	_, scoped := actor.From(ctx).OutletScoped()
	unmasked := true
	if !scoped {
		if !s.allowed(c, rbac.CustomerRead) {
			return nil, nil
		}
		unmasked = s.phonesUnmasked(c)
	}
	jobs := map[uint64]uint64{}
	var ps []customer.Profile
	for len(ids) > 0 && len(ps) < max {
		var page []uint64
		for len(ids) > 0 && len(page) < max-len(ps) {
			id := ids[0]
			ids = ids[1:]
			if scoped {
				job, ok, err := s.WorkOrders.ContactJob(ctx, id, s.contactWindow())
				if err != nil {
					return nil, err
				}
				if !ok {
					continue
				}
				jobs[id] = job.ID
			}
			page = append(page, id)
		}
		got, err := s.Customers.Profiles(ctx, page) // ids that no longer exist are left out
		if err != nil {
			return nil, err
		}
		ps = append(ps, got...)
	}
	reads := make([]privacy.Read, 0, len(ps))
	for _, p := range ps {
		if scoped {
			job := jobs[p.Customer.ID]
			reads = append(reads, privacy.Read{CustomerID: p.Customer.ID, WorkOrderID: &job, Fields: readFields(p, true), Purpose: privacy.PurposeWorkOrder})
		} else {
			reads = append(reads, privacy.Read{CustomerID: p.Customer.ID, Fields: readFields(p, unmasked), Purpose: privacy.PurposeCustomerRecord})
		}
	}
	if err := s.Privacy.Record(ctx, reads...); err != nil {
		return nil, err
	}
	out := make([]*CustomerProfileResponse, 0, len(ps))
	for _, p := range ps {
		pr := s.profileResponse(p, unmasked)
		out = append(out, &pr)
	}
	return out, nil
}

// maySeeCustomer applies the rule without reading or logging personal
// data (for responses that name a customer's records, not their contact).
func (s *Server) maySeeCustomer(c *gin.Context, id uint64) (bool, error) {
	ctx := c.Request.Context()
	if _, scoped := actor.From(ctx).OutletScoped(); scoped {
		_, ok, err := s.WorkOrders.ContactJob(ctx, id, s.contactWindow())
		return ok, err
	}
	return s.allowed(c, rbac.CustomerRead), nil
}

// WorkOrderContactResponse is GET /work-orders/{id}/contact: whom to call
// and where to go for a job. Outlet users get it, unmasked, while the job
// is theirs (open, or closed less than privacy.outlet_contact_days ago;
// technicians: assigned to them); visible_until says until when.
type WorkOrderContactResponse struct {
	WorkOrderID    uint64           `json:"work_order_id"`
	CustomerID     uint64           `json:"customer_id"`
	Name           string           `json:"name"`
	Phones         []PhoneResponse  `json:"phones"`
	ServiceAddress *AddressResponse `json:"service_address"`
	VisibleUntil   *time.Time       `json:"visible_until"`
}

func (s *Server) workOrderContact(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	w, err := s.WorkOrders.Get(ctx, id)
	if err != nil {
		return err
	}
	unmasked, purpose, via := true, privacy.PurposeWorkOrder, &w.ID
	var until *time.Time
	if _, scoped := actor.From(ctx).OutletScoped(); scoped {
		ok, err := s.WorkOrders.ContactGround(ctx, w, s.contactWindow())
		if err != nil {
			return err
		}
		if !ok {
			return &apperr.Error{Kind: apperr.KindForbidden, Code: "contact_not_available",
				Message: "the customer's contact is shown for your outlet's accepted work orders (technicians: assigned to you) while open and for a while after they close"}
		}
		if cl := workorder.ClosedAt(w); cl != nil {
			t := cl.Add(s.contactWindow())
			until = &t
		}
	} else {
		if !s.allowed(c, rbac.CustomerRead) {
			return apperr.Forbidden("your role may not " + rbac.CustomerRead)
		}
		unmasked, purpose = s.phonesUnmasked(c), privacy.PurposeCustomerRecord
	}
	p, err := s.Customers.Profile(ctx, w.CustomerID)
	if err != nil {
		return err
	}
	out := WorkOrderContactResponse{WorkOrderID: w.ID, CustomerID: p.Customer.ID, Name: p.Customer.Name, Phones: make([]PhoneResponse, 0, len(p.Phones)),
		VisibleUntil: until}
	for _, ph := range p.Phones {
		out.Phones = append(out.Phones, phoneResponse(ph, unmasked))
	}
	// The service address: the customer's address in the job's region,
	// else the default one.
	if a, ok := serviceAddress(p.Addresses, w.RegionCode); ok {
		ar := s.addressResponse(a)
		out.ServiceAddress = &ar
	}
	fields := []string{}
	if unmasked && len(out.Phones) > 0 {
		fields = append(fields, privacy.FieldPhone)
	}
	if out.ServiceAddress != nil {
		fields = append(fields, privacy.FieldAddress)
	}
	if err := s.Privacy.Record(ctx, privacy.Read{CustomerID: p.Customer.ID, WorkOrderID: via, Fields: fields, Purpose: purpose}); err != nil {
		return err
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func serviceAddress(list []customer.Address, region string) (customer.Address, bool) {
	for _, a := range list {
		if region != "" && a.RegionCode == region {
			return a, true
		}
	}
	for _, a := range list {
		if a.IsDefault {
			return a, true
		}
	}
	if len(list) > 0 {
		return list[0], true
	}
	return customer.Address{}, false
}

// PIIAccessResponse is one entry of the PIPL access log.
type PIIAccessResponse struct {
	ID          uint64    `json:"id"`
	ReadAt      time.Time `json:"read_at"`
	UserID      uint64    `json:"user_id"`
	Username    string    `json:"username"`
	OutletID    *uint64   `json:"outlet_id"`
	CustomerID  uint64    `json:"customer_id"`
	WorkOrderID *uint64   `json:"work_order_id"`
	Fields      string    `json:"fields"`
	Purpose     string    `json:"purpose"`
	RequestID   string    `json:"request_id"`
	IP          string    `json:"ip"`
}

// listPIIAccess answers GET /privacy/access-log: customer_id, user_id,
// work_order_id, from/to (RFC 3339), before_id (keyset), size (≤ 500).
func (s *Server) listPIIAccess(c *gin.Context) error {
	var f privacy.Filter
	var err error
	for name, dst := range map[string]*uint64{"customer_id": &f.CustomerID, "user_id": &f.UserID, "work_order_id": &f.WorkOrderID, "before_id": &f.BeforeID} {
		if *dst, err = queryUint(c, name); err != nil {
			return err
		}
	}
	for name, dst := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		if v := c.Query(name); v != "" {
			if *dst, err = time.Parse(time.RFC3339, v); err != nil {
				return fieldErr(name, apperr.InvalidFormat(apperr.FormatDateTime))
			}
		}
	}
	if v := c.Query("size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return fieldErr("size", apperr.OutOfRange(1, 500))
		}
		f.Size = n
	}
	list, err := s.Privacy.List(c.Request.Context(), f)
	if err != nil {
		return err
	}
	items := make([]PIIAccessResponse, 0, len(list))
	for _, a := range list {
		items = append(items, PIIAccessResponse{ID: a.ID, ReadAt: a.ReadAt, UserID: a.UserID, Username: a.Username, OutletID: a.OutletID,
			CustomerID: a.CustomerID, WorkOrderID: a.WorkOrderID, Fields: a.Fields, Purpose: a.Purpose, RequestID: a.RequestID, IP: a.IP})
	}
	if f.Size == 0 {
		f.Size = 100
	}
	next := nextBeforeID(list, f.Size, func(x privacy.Access) uint64 { return x.ID })
	c.JSON(http.StatusOK, keysetOf(items, next))
	return nil
}
