package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/push"
	"github.com/aftersales/aftersales/backend/internal/workorder"
)

// The outlet manager's phone (/m, issue 16): offers waiting with the
// customer's area and the fault, the reject reasons, and the browser's Web
// Push subscription. Accepting, rejecting, assigning and confirming a
// requisition go through the existing work-order and parts routes.

// MobileOfferResponse is an offer waiting at the caller's outlet, with what
// the manager decides on: the customer's area (no address: that is read
// after accepting, through …/contact) and the fault.
type MobileOfferResponse struct {
	WorkOrder        WorkOrderResponse `json:"work_order"`
	OfferedAt        *time.Time        `json:"offered_at"`
	ExpiresAt        *time.Time        `json:"expires_at"`
	SecondsLeft      int64             `json:"seconds_left"`
	TotalSeconds     int64             `json:"total_seconds"`
	AreaCode         string            `json:"area_code"`
	AreaName         string            `json:"area_name"`
	TicketNumber     string            `json:"ticket_number"`
	FaultCode        string            `json:"fault_code"`
	FaultDescription string            `json:"fault_description"`
}

// mobileOffers answers GET /mobile/offers: the offers waiting at the
// caller's outlet, soonest to lapse first. A user without an outlet has
// none.
func (s *Server) mobileOffers(c *gin.Context) error {
	ctx := c.Request.Context()
	outletID, ok := actor.From(ctx).OutletScoped()
	if !ok || outletID == 0 {
		c.JSON(http.StatusOK, listOf([]MobileOfferResponse{}))
		return nil
	}
	b, err := s.WorkOrders.Board(ctx, outletID)
	if err != nil {
		return err
	}
	out := make([]MobileOfferResponse, 0, len(b.Offers))
	for _, o := range b.Offers {
		w := o.WorkOrder
		r := MobileOfferResponse{WorkOrder: workOrderResponse(w), SecondsLeft: max(o.SecondsLeft, 0), AreaCode: w.RegionCode}
		if w.OfferedAt != nil && w.OfferExpiresAt != nil {
			r.TotalSeconds = int64(w.OfferExpiresAt.Sub(*w.OfferedAt).Seconds())
			r.OfferedAt, r.ExpiresAt = w.OfferedAt, w.OfferExpiresAt
		}
		if s.Regions != nil && w.RegionCode != "" {
			r.AreaName = s.Regions.FullName(w.RegionCode)
		}
		t, err := s.Tickets.Get(ctx, w.TicketID)
		if err != nil && !apperr.IsKind(err, apperr.KindNotFound) {
			return err
		}
		if err == nil {
			r.TicketNumber, r.FaultCode, r.FaultDescription = t.Number, t.FaultCode, clipRunes(t.Description, 200)
		}
		out = append(out, r)
	}
	c.JSON(http.StatusOK, listOf(out))
	return nil
}

// RejectReasonDTO is one reason to pick when rejecting an offer; the phone
// names it from its code (offers.reasons.<code>).
type RejectReasonDTO struct {
	Code string `json:"code"`
}

// rejectReasons answers GET /mobile/reject-reasons.
func (s *Server) rejectReasons(c *gin.Context) error {
	out := []RejectReasonDTO{}
	for _, r := range workorder.RejectReasons() {
		out = append(out, RejectReasonDTO{Code: r.Code})
	}
	c.JSON(http.StatusOK, listOf(out))
	return nil
}

// PushConfigResponse tells the browser whether it can subscribe, with the
// VAPID public key to subscribe with, and how many browsers of the caller
// are subscribed.
type PushConfigResponse struct {
	Enabled       bool   `json:"enabled"`
	PublicKey     string `json:"public_key"`
	Subscriptions int64  `json:"subscriptions"`
}

// PushSubscriptionRequest is the browser's PushSubscription.toJSON().
type PushSubscriptionRequest struct {
	Endpoint string `json:"endpoint"`
	Keys     struct {
		P256dh string `json:"p256dh"`
		Auth   string `json:"auth"`
	} `json:"keys"`
}

// PushUnsubscribeRequest names the endpoint to forget.
type PushUnsubscribeRequest struct {
	Endpoint string `json:"endpoint"`
}

func (s *Server) pushConfig(c *gin.Context) error {
	ctx := c.Request.Context()
	n, err := s.Push.Count(ctx, actor.From(ctx).UserID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, PushConfigResponse{Enabled: s.Push.Enabled(), PublicKey: s.Push.PublicKey(), Subscriptions: n})
	return nil
}

func (s *Server) pushSubscribe(c *gin.Context) error {
	var req PushSubscriptionRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	ctx := c.Request.Context()
	if _, err := s.Push.Subscribe(ctx, actor.From(ctx).UserID, push.Input{Endpoint: req.Endpoint, P256dh: req.Keys.P256dh,
		Auth: req.Keys.Auth, UserAgent: c.Request.UserAgent()}); err != nil {
		return err
	}
	return s.pushConfigStatus(c, http.StatusCreated)
}

func (s *Server) pushUnsubscribe(c *gin.Context) error {
	var req PushUnsubscribeRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	ctx := c.Request.Context()
	if err := s.Push.Unsubscribe(ctx, actor.From(ctx).UserID, req.Endpoint); err != nil {
		return err
	}
	return s.pushConfigStatus(c, http.StatusOK)
}

func (s *Server) pushConfigStatus(c *gin.Context, status int) error {
	ctx := c.Request.Context()
	n, err := s.Push.Count(ctx, actor.From(ctx).UserID)
	if err != nil {
		return err
	}
	c.JSON(status, PushConfigResponse{Enabled: s.Push.Enabled(), PublicKey: s.Push.PublicKey(), Subscriptions: n})
	return nil
}

// clipRunes keeps at most n characters of v.
func clipRunes(v string, n int) string {
	r := []rune(v)
	if len(r) <= n {
		return v
	}
	return string(r[:n]) + "…"
}
