package httpapi

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/messaging"
	"github.com/aftersales/aftersales/backend/internal/repair"
	"github.com/aftersales/aftersales/backend/internal/workorder"
)

// MessageResponse is one message to a customer. The phone is always
// masked: staff read what was sent, not the number.
type MessageResponse struct {
	ID          uint64            `json:"id"`
	Trigger     string            `json:"trigger"`
	CustomerID  uint64            `json:"customer_id"`
	Phone       string            `json:"phone"`
	Channel     string            `json:"channel"`
	Body        string            `json:"body"`
	Params      map[string]string `json:"params"`
	Urgent      bool              `json:"urgent"`
	Status      string            `json:"status"`
	NotBefore   time.Time         `json:"not_before"`
	Attempts    int               `json:"attempts"`
	Provider    string            `json:"provider"`
	ProviderRef string            `json:"provider_ref"`
	Error       string            `json:"error"`
	RefType     string            `json:"ref_type"`
	RefID       uint64            `json:"ref_id"`
	ResendOf    *uint64           `json:"resend_of"`
	SentAt      *time.Time        `json:"sent_at"`
	DeliveredAt *time.Time        `json:"delivered_at"`
	CreatedAt   time.Time         `json:"created_at"`
}

func messageResponse(m messaging.Message) MessageResponse {
	params := map[string]string{}
	_ = json.Unmarshal([]byte(m.Params), &params)
	if params == nil {
		params = map[string]string{}
	}
	return MessageResponse{ID: m.ID, Trigger: m.Trigger, CustomerID: m.CustomerID, Phone: messaging.MaskPhone(m.Phone), Channel: m.Channel,
		Body: m.Body, Params: params, Urgent: m.Urgent, Status: m.Status, NotBefore: m.NotBefore, Attempts: m.Attempts,
		Provider: m.Provider, ProviderRef: m.ProviderRef, Error: m.Error, RefType: m.RefType, RefID: m.RefID, ResendOf: m.ResendOf,
		SentAt: m.SentAt, DeliveredAt: m.DeliveredAt, CreatedAt: m.CreatedAt}
}

// listMessages: GET /messages?status&trigger&customer_id&ref_type&ref_id&page&size.
func (s *Server) listMessages(c *gin.Context) error {
	page, size, err := paging(c, 50, 200)
	if err != nil {
		return err
	}
	f := messaging.Filter{Status: c.Query("status"), Trigger: c.Query("trigger"), RefType: c.Query("ref_type"), Page: page, Size: size}
	if f.Status != "" && !slices.Contains(messaging.Statuses(), f.Status) {
		return apperr.FieldErr("status", apperr.OneOf(messaging.Statuses()...))
	}
	if f.Trigger != "" && !slices.Contains(messaging.Triggers(), f.Trigger) {
		return apperr.FieldErr("trigger", apperr.OneOf(messaging.Triggers()...))
	}
	if f.CustomerID, err = queryUint(c, "customer_id"); err != nil {
		return err
	}
	if f.RefID, err = queryUint(c, "ref_id"); err != nil {
		return err
	}
	ms, total, err := s.Messages.List(c.Request.Context(), f)
	if err != nil {
		return err
	}
	items := views(ms, messageResponse)
	c.JSON(http.StatusOK, Page[MessageResponse]{Items: items, Total: total, Page: page, Size: size})
	return nil
}

// getMessage: GET /messages/:id.
func (s *Server) getMessage(c *gin.Context) error {
	return answerByID(c, http.StatusOK, s.Messages.Get, messageResponse)
}

// resendMessage: POST /messages/:id/resend — a new message, same text
// inputs, to the customer's current number.
func (s *Server) resendMessage(c *gin.Context) error {
	return answerByID(c, http.StatusCreated, s.Messages.Resend, messageResponse)
}

// MessageChannelsResponse says how messages leave the server.
type MessageChannelsResponse struct {
	SMSProvider       string `json:"sms_provider"`
	SMSLogOnly        bool   `json:"sms_log_only"`
	WebhookConfigured bool   `json:"webhook_configured"`
	WebhookURL        string `json:"webhook_url"`
}

// messageChannels: GET /messages/channels.
func (s *Server) messageChannels(c *gin.Context) error {
	ch := s.Messages.Channels()
	c.JSON(http.StatusOK, MessageChannelsResponse{SMSProvider: ch.SMSProvider, SMSLogOnly: ch.SMSLogOnly,
		WebhookConfigured: ch.WebhookConfigured, WebhookURL: ch.WebhookURL})
	return nil
}

// MessageTemplateResponse is one trigger's template.
type MessageTemplateResponse struct {
	Trigger            string    `json:"trigger"`
	Name               string    `json:"name"`
	Body               string    `json:"body"`
	ProviderTemplateID string    `json:"provider_template_id"`
	Params             string    `json:"params"`
	Enabled            bool      `json:"enabled"`
	Variables          []string  `json:"variables"`
	Version            int64     `json:"version"`
	UpdatedAt          time.Time `json:"updated_at"`
}

func messageTemplateResponse(t messaging.Template) MessageTemplateResponse {
	return MessageTemplateResponse{Trigger: t.Trigger, Name: t.Name, Body: t.Body, ProviderTemplateID: t.ProviderTemplateID,
		Params: t.Params, Enabled: t.Enabled, Variables: nonNil(messaging.Variables[t.Trigger]), Version: t.Version, UpdatedAt: t.UpdatedAt}
}

// listMessageTemplates: GET /message-templates.
func (s *Server) listMessageTemplates(c *gin.Context) error {
	ts, err := s.Messages.Templates(c.Request.Context())
	if err != nil {
		return err
	}
	items := views(ts, messageTemplateResponse)
	c.JSON(http.StatusOK, List[MessageTemplateResponse]{Items: items})
	return nil
}

// MessageTemplateRequest edits a template (fields left out stay).
type MessageTemplateRequest struct {
	Name               *string `json:"name"`
	Body               *string `json:"body"`
	ProviderTemplateID *string `json:"provider_template_id"`
	Params             *string `json:"params"`
	Enabled            *bool   `json:"enabled"`
	Version            int64   `json:"version"`
}

// updateMessageTemplate: PUT /message-templates/:trigger (version or If-Match).
func (s *Server) updateMessageTemplate(c *gin.Context) error {
	var req MessageTemplateRequest
	version, err := bindVersion(c, &req, &req.Version)
	if err != nil {
		return err
	}
	if version == 0 {
		return apperr.FieldErr("version", apperr.VersionRequired())
	}
	t, err := s.Messages.UpdateTemplate(c.Request.Context(), c.Param("trigger"), version, messaging.TemplatePatch{Name: req.Name,
		Body: req.Body, ProviderTemplateID: req.ProviderTemplateID, Params: req.Params, Enabled: req.Enabled})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, messageTemplateResponse(t))
	return nil
}

// WebhookDeliveryResponse is one message posted (or to be posted) to the
// enterprise's webhook.
type WebhookDeliveryResponse struct {
	ID            uint64     `json:"id"`
	MessageID     uint64     `json:"message_id"`
	Status        string     `json:"status"`
	Attempts      int        `json:"attempts"`
	NextAttemptAt time.Time  `json:"next_attempt_at"`
	LastStatus    int        `json:"last_status"`
	LastError     string     `json:"last_error"`
	DeliveredAt   *time.Time `json:"delivered_at"`
	DeadAt        *time.Time `json:"dead_at"`
	CreatedAt     time.Time  `json:"created_at"`
}

func webhookDeliveryResponse(d messaging.Delivery) WebhookDeliveryResponse {
	return WebhookDeliveryResponse{ID: d.ID, MessageID: d.MessageID, Status: d.Status, Attempts: d.Attempts, NextAttemptAt: d.NextAttemptAt,
		LastStatus: d.LastStatus, LastError: d.LastError, DeliveredAt: d.DeliveredAt, DeadAt: d.DeadAt, CreatedAt: d.CreatedAt}
}

// listWebhookDeliveries: GET /message-webhooks/deliveries?status=dead&page&size.
func (s *Server) listWebhookDeliveries(c *gin.Context) error {
	page, size, err := paging(c, 50, 200)
	if err != nil {
		return err
	}
	st := c.Query("status")
	if st != "" && st != messaging.DeliveryPending && st != messaging.DeliveryDelivered && st != messaging.DeliveryDead {
		return apperr.FieldErr("status", apperr.OneOf("pending", "delivered", "dead"))
	}
	ds, total, err := s.Messages.Deliveries(c.Request.Context(), st, page, size)
	if err != nil {
		return err
	}
	items := views(ds, webhookDeliveryResponse)
	c.JSON(http.StatusOK, Page[WebhookDeliveryResponse]{Items: items, Total: total, Page: page, Size: size})
	return nil
}

// redriveWebhookDelivery: POST /message-webhooks/deliveries/:id/redrive.
func (s *Server) redriveWebhookDelivery(c *gin.Context) error {
	return answerByID(c, http.StatusOK, s.Messages.Redrive, webhookDeliveryResponse)
}

// ---- the customer's public quote page

// PublicQuoteLine is one priced line of a quote.
type PublicQuoteLine struct {
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Qty       int64  `json:"qty"`
	UnitFen   int64  `json:"unit_fen"`
	AmountFen int64  `json:"amount_fen"`
}

// PublicQuoteResponse is the quote behind a link (no personal data).
type PublicQuoteResponse struct {
	Number     string            `json:"number"`
	Serial     string            `json:"serial"`
	Diagnosis  string            `json:"diagnosis"`
	Lines      []PublicQuoteLine `json:"lines"`
	TotalFen   int64             `json:"total_fen"`
	ExpiresAt  time.Time         `json:"expires_at"`
	Answer     string            `json:"answer"`
	AnsweredAt *time.Time        `json:"answered_at"`
}

func publicQuoteResponse(q repair.PublicQuote) PublicQuoteResponse {
	lines := make([]PublicQuoteLine, 0, len(q.Lines))
	for _, l := range q.Lines {
		lines = append(lines, PublicQuoteLine{Kind: l.Kind, Name: l.Name, Qty: l.Qty, UnitFen: l.UnitFen, AmountFen: l.AmountFen})
	}
	return PublicQuoteResponse{Number: q.Number, Serial: q.Serial, Diagnosis: q.Diagnosis, Lines: lines, TotalFen: q.QuoteFen,
		ExpiresAt: q.ExpiresAt, Answer: q.Answer, AnsweredAt: q.AnsweredAt}
}

// publicQuote: GET /public/quotes/:token. It never records anything:
// link previews and mail scanners open links.
func (s *Server) publicQuote(c *gin.Context) error {
	c.Header("Cache-Control", "no-store")
	c.Header("Referrer-Policy", "no-referrer")
	return answerWith(c, http.StatusOK, publicQuoteResponse)(s.Repairs.PublicQuoteByToken(c.Request.Context(), c.Param("token")))
}

// PublicQuoteAnswerRequest is the customer's answer: approve, or decline
// with a reason.
type PublicQuoteAnswerRequest struct {
	Decision string `json:"decision"`
	Reason   string `json:"reason"`
}

// answerPublicQuote: POST /public/quotes/:token — once (409
// already_answered, 410 quote_link_expired).
func (s *Server) answerPublicQuote(c *gin.Context) error {
	c.Header("Cache-Control", "no-store")
	c.Header("Referrer-Policy", "no-referrer")
	var req PublicQuoteAnswerRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if req.Decision != "approve" && req.Decision != "decline" {
		return apperr.FieldErr("decision", apperr.OneOf("approve", "decline"))
	}
	return answerWith(c, http.StatusOK, publicQuoteResponse)(s.Repairs.AnswerQuoteByToken(c.Request.Context(), c.Param("token"), req.Decision == "approve", req.Reason))
}

// onTheWayWorkOrder: POST /work-orders/:id/on-the-way — the technician set
// off; the customer is told by SMS.
func (s *Server) onTheWayWorkOrder(c *gin.Context) error {
	return workOrderStep(s, c, func(r *WorkOrderNoteRequest) int64 { return r.Version },
		func(id uint64, r *WorkOrderNoteRequest, v int64) (workorder.WorkOrder, error) {
			return s.WorkOrders.OnTheWay(c.Request.Context(), id, r.Note, v)
		})
}

// TencentCallbackAnswer is what Tencent Cloud SMS expects from a status
// callback: result 0 and "OK" when the reports were taken (anything else
// makes it retry later).
type TencentCallbackAnswer struct {
	Result int    `json:"result"`
	ErrMsg string `json:"errmsg"`
	// Applied counts what the reports did (not read by Tencent; for the
	// operator who replays a callback by hand).
	Applied messaging.ReceiptOutcome `json:"applied"`
}

// maxSMSReports bounds one callback (Tencent batches reports; a request far
// larger than its batches is not Tencent's).
const maxSMSReports = 1000

// tencentSMSStatus: POST /public/sms/tencent/status/:token — delivery
// reports from Tencent Cloud SMS. The token in the URL is the only
// credential (Tencent does not sign callbacks): a wrong or unset token is
// a 404, as for any unknown address.
func (s *Server) tencentSMSStatus(c *gin.Context) error {
	want := s.SMSStatusToken
	if want == "" || subtle.ConstantTimeCompare([]byte(c.Param("token")), []byte(want)) != 1 {
		return apperr.NotFound("route")
	}
	var reports []messaging.TencentReport
	if err := bindJSON(c, &reports); err != nil {
		return err
	}
	if len(reports) > maxSMSReports {
		return apperr.FieldErr("body", apperr.TooMany(1000))
	}
	out, err := s.Messages.ApplyTencentReports(c.Request.Context(), reports)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, TencentCallbackAnswer{Result: 0, ErrMsg: "OK", Applied: out})
	return nil
}
