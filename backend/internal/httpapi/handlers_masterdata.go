package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/customer"
	"github.com/aftersales/aftersales/backend/internal/product"
)

// Corrections of master data (issue 12 §2): a customer's phones and
// addresses, merging duplicates, PIPL erasure; a unit's purchase data,
// owner and deactivation. Every change is made at the version read (409
// version_conflict) and audited by the domain service.

// ---- customers: request and response types

// UpdatePhoneRequest is the body of PATCH /customers/{id}/phones/{phone_id}:
// the customer's version and the fields to change. primary=true makes this
// phone the primary one (the previous primary is demoted).
type UpdatePhoneRequest struct {
	Version int64   `json:"version"`
	Number  *string `json:"number"`
	Label   *string `json:"label"`
	Primary *bool   `json:"primary"`
}

// RemovePhoneRequest is the body of DELETE /customers/{id}/phones/{phone_id}.
// Removing the primary phone names the phone that becomes primary.
type RemovePhoneRequest struct {
	Version      int64  `json:"version"`
	NewPrimaryID uint64 `json:"new_primary_id"`
}

// UpdateAddressRequest is the body of PATCH
// /customers/{id}/addresses/{address_id}.
type UpdateAddressRequest struct {
	Version    int64   `json:"version"`
	RegionCode *string `json:"region_code"`
	Detail     *string `json:"detail"`
	Default    *bool   `json:"default"`
}

// RemoveAddressRequest is the body of DELETE
// /customers/{id}/addresses/{address_id}. Removing the default address of a
// customer with others names the one that becomes the default.
type RemoveAddressRequest struct {
	Version      int64  `json:"version"`
	NewDefaultID uint64 `json:"new_default_id"`
}

// MergeCustomerRequest is the body of POST /customers/{id}/merge: the
// survivor (the path's customer) takes over everything of duplicate_id.
// Both versions read are required.
type MergeCustomerRequest struct {
	Version          int64  `json:"version" required:"true"`
	DuplicateID      uint64 `json:"duplicate_id" required:"true"`
	DuplicateVersion int64  `json:"duplicate_version" required:"true"`
}

// MergeCustomerResponse is the survivor after a merge and the rows moved
// per domain (phones, addresses, units, tickets, work_orders, complaints,
// surveys, repairs, returns, recalls, messages).
type MergeCustomerResponse struct {
	Survivor    CustomerProfileResponse `json:"survivor"`
	DuplicateID uint64                  `json:"duplicate_id"`
	Moved       map[string]int64        `json:"moved"`
}

// EraseCustomerRequest is the body of POST /customers/{id}/erasure: a PIPL
// deletion request. requester says who asked by role (本人, 监护人,
// 委托代理人), never a name; channel how it arrived.
type EraseCustomerRequest struct {
	Version     int64      `json:"version" required:"true"`
	Requester   string     `json:"requester" required:"true"`
	Channel     string     `json:"channel" required:"true" enum:"phone,email,letter,in_person,web,app"`
	RequestedAt *time.Time `json:"requested_at"`
	Note        string     `json:"note"`
	// Confirm must be true: erasure cannot be undone.
	Confirm bool `json:"confirm" required:"true"`
}

// ErasureRequestResponse is the kept record of a PIPL deletion request.
type ErasureRequestResponse struct {
	ID          uint64           `json:"id"`
	CustomerID  uint64           `json:"customer_id"`
	Requester   string           `json:"requester"`
	Channel     string           `json:"channel"`
	RequestedAt time.Time        `json:"requested_at"`
	Note        string           `json:"note"`
	HandledByID uint64           `json:"handled_by_id"`
	HandledBy   string           `json:"handled_by"`
	ErasedAt    time.Time        `json:"erased_at"`
	Counts      map[string]int64 `json:"counts"`
}

func erasureResponse(r customer.ErasureRequest) ErasureRequestResponse {
	counts := map[string]int64{}
	_ = json.Unmarshal([]byte(r.Counts), &counts) // written by Erase; an unreadable one shows as empty
	return ErasureRequestResponse{ID: r.ID, CustomerID: r.CustomerID, Requester: r.Requester, Channel: r.Channel, RequestedAt: r.RequestedAt,
		Note: r.Note, HandledByID: r.HandledByID, HandledBy: r.HandledBy, ErasedAt: r.ErasedAt, Counts: counts}
}

// ---- customers: handlers

// customerProfileAfter answers a correction with the profile, masked by
// the caller's permission like GET /customers/{id}; showing it is a read
// and goes to the PIPL access log.
func (s *Server) customerProfileAfter(c *gin.Context, status int, p customer.Profile) error {
	unmasked := s.phonesUnmasked(c)
	if err := s.logProfiles(c, unmasked, p); err != nil {
		return err
	}
	c.JSON(status, s.profileResponse(p, unmasked))
	return nil
}

// versioned is a request body that carries the record's version.
type versioned interface{ bodyVersion() int64 }

func (r *UpdatePhoneRequest) bodyVersion() int64   { return r.Version }
func (r *RemovePhoneRequest) bodyVersion() int64   { return r.Version }
func (r *UpdateAddressRequest) bodyVersion() int64 { return r.Version }
func (r *RemoveAddressRequest) bodyVersion() int64 { return r.Version }

// customerChildStep is an edit or removal of one of a customer's phones or
// addresses: the customer's id and the child's id from the path (child
// names the parameter), the body (optional for removals), the customer's
// version (body or If-Match), then the service call; the answer is the
// customer's profile as GET /customers/{id} shows it to the caller.
func customerChildStep[Req any, P interface {
	*Req
	versioned
}](s *Server, c *gin.Context, child string, optionalBody bool,
	call func(ctx context.Context, id, childID uint64, version int64, req *Req) (customer.Profile, error)) error {
	id, childID, err := pathIDs(c, "id", child)
	if err != nil {
		return err
	}
	req := new(Req)
	bind := bindJSON
	if optionalBody {
		bind = bindOptionalJSON
	}
	if err := bind(c, req); err != nil {
		return err
	}
	version, err := requestVersion(c, P(req).bodyVersion())
	if err != nil {
		return err
	}
	p, err := call(c.Request.Context(), id, childID, version, req)
	if err != nil {
		return err
	}
	return s.customerProfileAfter(c, http.StatusOK, p)
}

func (s *Server) updateCustomerPhone(c *gin.Context) error {
	return customerChildStep[UpdatePhoneRequest](s, c, "phone_id", false,
		func(ctx context.Context, id, phoneID uint64, v int64, r *UpdatePhoneRequest) (customer.Profile, error) {
			return s.Customers.UpdatePhone(ctx, id, phoneID, v, customer.PhonePatch{Number: r.Number, Label: r.Label, Primary: r.Primary})
		})
}

func (s *Server) removeCustomerPhone(c *gin.Context) error {
	return customerChildStep[RemovePhoneRequest](s, c, "phone_id", true,
		func(ctx context.Context, id, phoneID uint64, v int64, r *RemovePhoneRequest) (customer.Profile, error) {
			return s.Customers.RemovePhone(ctx, id, phoneID, v, r.NewPrimaryID)
		})
}

func (s *Server) updateCustomerAddress(c *gin.Context) error {
	return customerChildStep[UpdateAddressRequest](s, c, "address_id", false,
		func(ctx context.Context, id, addrID uint64, v int64, r *UpdateAddressRequest) (customer.Profile, error) {
			return s.Customers.UpdateAddress(ctx, id, addrID, v, customer.AddressPatch{RegionCode: r.RegionCode, Detail: r.Detail, Default: r.Default})
		})
}

func (s *Server) removeCustomerAddress(c *gin.Context) error {
	return customerChildStep[RemoveAddressRequest](s, c, "address_id", true,
		func(ctx context.Context, id, addrID uint64, v int64, r *RemoveAddressRequest) (customer.Profile, error) {
			return s.Customers.RemoveAddress(ctx, id, addrID, v, r.NewDefaultID)
		})
}

func (s *Server) mergeCustomer(c *gin.Context) error {
	var req MergeCustomerRequest
	id, err := bindWithID(c, "id", &req)
	if err != nil {
		return err
	}
	res, err := s.Customers.Merge(c.Request.Context(), id, req.Version, req.DuplicateID, req.DuplicateVersion)
	if err != nil {
		return err
	}
	unmasked := s.phonesUnmasked(c)
	if err := s.logProfiles(c, unmasked, res.Survivor); err != nil {
		return err
	}
	c.JSON(http.StatusOK, MergeCustomerResponse{Survivor: s.profileResponse(res.Survivor, unmasked), DuplicateID: res.DuplicateID, Moved: res.Moved})
	return nil
}

func (s *Server) eraseCustomer(c *gin.Context) error {
	var req EraseCustomerRequest
	id, err := bindWithID(c, "id", &req)
	if err != nil {
		return err
	}
	if !req.Confirm {
		return apperr.FieldErr("confirm", apperr.Code("confirm_erasure", "required: erasure cannot be undone; send confirm=true"))
	}
	in := customer.ErasureInput{Requester: req.Requester, Channel: req.Channel, Note: req.Note}
	if req.RequestedAt != nil {
		in.RequestedAt = *req.RequestedAt
	}
	return answerWith(c, http.StatusCreated, erasureResponse)(s.Customers.Erase(c.Request.Context(), id, req.Version, in))
}

func (s *Server) getErasureRequest(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ok, err := s.maySeeCustomer(c, id)
	if err == nil && !ok {
		err = apperr.NotFound("customer")
	}
	if err != nil {
		return err
	}
	return answerWith(c, http.StatusOK, erasureResponse)(s.Customers.ErasureRequestOf(c.Request.Context(), id))
}

// ---- units: request and response types

// CorrectPurchaseRequest is the body of PATCH /units/{serial}/purchase:
// the unit's version, the fields to change, a proof (the invoice photo's
// attachment id, or the invoice number in purchase_proof) and the reason
// kept in the audit trail.
type CorrectPurchaseRequest struct {
	Version           int64   `json:"version"`
	PurchaseDate      *string `json:"purchase_date"` // YYYY-MM-DD
	PurchaseProof     *string `json:"purchase_proof"`
	Seller            *string `json:"seller"`
	PurchasePriceFen  *int64  `json:"purchase_price_fen"`
	ProofAttachmentID *uint64 `json:"proof_attachment_id"`
	Reason            string  `json:"reason" required:"true"`
}

// TransferUnitRequest is the body of POST /units/{serial}/transfer.
type TransferUnitRequest struct {
	Version      int64  `json:"version"`
	ToCustomerID uint64 `json:"to_customer_id" required:"true"`
	On           string `json:"on"` // YYYY-MM-DD, default today
	Reason       string `json:"reason" required:"true"`
}

// DeactivateUnitRequest is the body of POST /units/{serial}/deactivate.
type DeactivateUnitRequest struct {
	Version int64  `json:"version"`
	Status  string `json:"status" required:"true" enum:"scrapped,lost"`
	Reason  string `json:"reason" required:"true"`
}

// ReactivateUnitRequest is the body of POST /units/{serial}/reactivate.
type ReactivateUnitRequest struct {
	Version int64  `json:"version"`
	Reason  string `json:"reason" required:"true"`
}

// UnitTransferResponse is one change of a unit's owner. from_customer_id,
// from_name, to_customer_id and to_name are null for callers who may not
// see those customers.
type UnitTransferResponse struct {
	ID             uint64    `json:"id"`
	FromCustomerID *uint64   `json:"from_customer_id"`
	FromName       *string   `json:"from_name"`
	ToCustomerID   *uint64   `json:"to_customer_id"`
	ToName         *string   `json:"to_name"`
	TransferredOn  string    `json:"transferred_on"`
	Reason         string    `json:"reason"`
	By             string    `json:"by"`
	CreatedAt      time.Time `json:"created_at"`
}

// transferResponses names the owners of ts that the caller may see.
func (s *Server) transferResponses(c *gin.Context, ts []product.Transfer) ([]UnitTransferResponse, error) {
	out := make([]UnitTransferResponse, 0, len(ts))
	seen := map[uint64]*string{}
	visible := func(id uint64) (*uint64, *string, error) {
		if name, ok := seen[id]; ok {
			if name == nil {
				return nil, nil, nil
			}
			return &id, name, nil
		}
		ok, err := s.maySeeCustomer(c, id)
		if err != nil || !ok {
			seen[id] = nil
			return nil, nil, err
		}
		cu, err := s.Customers.Get(c.Request.Context(), id)
		if err != nil {
			seen[id] = nil
			if apperr.IsKind(err, apperr.KindNotFound) {
				return nil, nil, nil
			}
			return nil, nil, err
		}
		seen[id] = &cu.Name
		return &id, &cu.Name, nil
	}
	for _, t := range ts {
		r := UnitTransferResponse{ID: t.ID, TransferredOn: t.TransferredOn.Format(time.DateOnly), Reason: t.Reason, By: t.ByUsername, CreatedAt: t.CreatedAt}
		var err error
		if t.FromCustomerID != nil {
			if r.FromCustomerID, r.FromName, err = visible(*t.FromCustomerID); err != nil {
				return nil, err
			}
		}
		if r.ToCustomerID, r.ToName, err = visible(t.ToCustomerID); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// ---- units: handlers

// unitForChange resolves the path's serial to a unit id.
func (s *Server) unitForChange(c *gin.Context) (uint64, error) {
	u, err := s.Products.UnitBySerial(c.Request.Context(), c.Param("serial"))
	if err != nil {
		return 0, err
	}
	return u.ID, nil
}

// unitCardAfter answers a unit change with its card.
func (s *Server) unitCardAfter(c *gin.Context, u product.Unit) error {
	cards, err := s.Products.Cards(c.Request.Context(), []product.Unit{u}, time.Now())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, unitCardResponse(cards[0]))
	return nil
}

func (r *CorrectPurchaseRequest) bodyVersion() int64 { return r.Version }
func (r *TransferUnitRequest) bodyVersion() int64    { return r.Version }
func (r *DeactivateUnitRequest) bodyVersion() int64  { return r.Version }
func (r *ReactivateUnitRequest) bodyVersion() int64  { return r.Version }

// unitStep is a correction of the unit the path names (a serial or an id):
// the body, the unit's version (body or If-Match), the unit within the
// caller's scope, then the service call; the answer is the unit's card.
func unitStep[Req any, P interface {
	*Req
	versioned
}](s *Server, c *gin.Context, call func(ctx context.Context, id uint64, version int64, req *Req) (product.Unit, error)) error {
	req := new(Req)
	if err := bindJSON(c, req); err != nil {
		return err
	}
	version, err := requestVersion(c, P(req).bodyVersion())
	if err != nil {
		return err
	}
	id, err := s.unitForChange(c)
	if err != nil {
		return err
	}
	u, err := call(c.Request.Context(), id, version, req)
	if err != nil {
		return err
	}
	return s.unitCardAfter(c, u)
}

func (s *Server) correctUnitPurchase(c *gin.Context) error {
	return unitStep[CorrectPurchaseRequest](s, c, func(ctx context.Context, id uint64, v int64, r *CorrectPurchaseRequest) (product.Unit, error) {
		in := product.PurchaseCorrection{PurchaseProof: r.PurchaseProof, Seller: r.Seller, PurchasePriceFen: r.PurchasePriceFen,
			ProofAttachmentID: r.ProofAttachmentID, Reason: r.Reason}
		if r.PurchaseDate != nil {
			var err error
			if in.PurchaseDate, err = parseCalendarDateField(*r.PurchaseDate, "purchase_date"); err != nil {
				return product.Unit{}, err
			}
		}
		return s.Products.CorrectPurchase(ctx, id, v, in)
	})
}

func (s *Server) transferUnit(c *gin.Context) error {
	return unitStep[TransferUnitRequest](s, c, func(ctx context.Context, id uint64, v int64, r *TransferUnitRequest) (product.Unit, error) {
		in := product.TransferInput{ToCustomerID: r.ToCustomerID, Reason: r.Reason}
		on, err := parseCalendarDateField(r.On, "on")
		if err != nil {
			return product.Unit{}, err
		}
		if on != nil {
			in.On = *on
		}
		return s.Products.TransferOwner(ctx, id, v, in)
	})
}

func (s *Server) deactivateUnit(c *gin.Context) error {
	return unitStep[DeactivateUnitRequest](s, c, func(ctx context.Context, id uint64, v int64, r *DeactivateUnitRequest) (product.Unit, error) {
		return s.Products.Deactivate(ctx, id, v, r.Status, r.Reason)
	})
}

func (s *Server) reactivateUnit(c *gin.Context) error {
	return unitStep[ReactivateUnitRequest](s, c, func(ctx context.Context, id uint64, v int64, r *ReactivateUnitRequest) (product.Unit, error) {
		return s.Products.Reactivate(ctx, id, v, r.Reason)
	})
}

// pathIDs parses two numeric path parameters.
func pathIDs(c *gin.Context, a, b string) (uint64, uint64, error) {
	x, err := pathID(c, a)
	if err != nil {
		return 0, 0, err
	}
	y, err := pathID(c, b)
	return x, y, err
}

// unitStatus is a unit's status as the API names it (rows from before the
// status column read "").
func unitStatus(s string) string {
	if s == "" {
		return product.UnitActive
	}
	return s
}
