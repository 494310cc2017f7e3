package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/sla"
	"github.com/aftersales/aftersales/backend/internal/ticket"
)

// ---- request and response types

// CreateTicketRequest is the body of POST /tickets. priority defaults to
// normal; region_code defaults to the customer's primary address and
// category_id to the unit's category. Send an Idempotency-Key header so a
// double-submitted form creates one ticket: the repeat answers 200 with the
// original.
type CreateTicketRequest struct {
	Channel     string  `json:"channel"`
	Type        string  `json:"type"`
	Priority    string  `json:"priority"`
	CustomerID  uint64  `json:"customer_id"`
	UnitID      *uint64 `json:"unit_id"`
	CategoryID  *uint64 `json:"category_id"`
	FaultCode   string  `json:"fault_code"`
	RegionCode  string  `json:"region_code"`
	Description string  `json:"description"`
	AssigneeID  *uint64 `json:"assignee_id"`
	Team        string  `json:"team"`
}

// PatchTicketRequest is the body of PATCH /tickets/{id}: absent fields stay.
// The version read is required (here or as If-Match). Changing type,
// priority or region re-selects the SLA policy; unit_id or category_id 0
// clears it.
type PatchTicketRequest struct {
	Type        *string `json:"type"`
	Priority    *string `json:"priority"`
	Description *string `json:"description"`
	FaultCode   *string `json:"fault_code"`
	RegionCode  *string `json:"region_code"`
	Team        *string `json:"team"`
	CategoryID  *uint64 `json:"category_id"`
	UnitID      *uint64 `json:"unit_id"`
	Version     int64   `json:"version"`
}

// TransitionTicketRequest is the body of POST /tickets/{id}/transition.
// version (or If-Match) is optional here: without it the change applies to
// the current version.
type TransitionTicketRequest struct {
	Status  string `json:"status"`
	Reason  string `json:"reason"`
	Version int64  `json:"version"`
}

// ReopenTicketRequest is the body of POST /tickets/{id}/reopen.
type ReopenTicketRequest struct {
	Reason  string `json:"reason"`
	Version int64  `json:"version"`
}

// AssignTicketRequest is the body of POST /tickets/{id}/assign; give
// assignee_id (0 unassigns) and/or team.
type AssignTicketRequest struct {
	AssigneeID *uint64 `json:"assignee_id"`
	Team       *string `json:"team"`
	Version    int64   `json:"version"`
}

// TicketEventRequest is the body of POST /tickets/{id}/events: a note or a
// logged call.
type TicketEventRequest struct {
	Kind string `json:"kind"`
	Body string `json:"body"`
}

// MergeTicketRequest is the body of POST /tickets/{id}/merge: the duplicate
// source_id is merged into the ticket of the path.
type MergeTicketRequest struct {
	SourceID uint64 `json:"source_id"`
	Reason   string `json:"reason"`
}

// ClockResponse is one SLA clock of a ticket. Durations are seconds of
// working time of the ticket's calendar.
type ClockResponse struct {
	Target           string          `json:"target"`
	State            string          `json:"state"`
	Segment          int             `json:"segment"`
	PolicyID         string          `json:"policy_id,omitempty"`
	DurationSeconds  int64           `json:"duration_seconds"`
	StartedAt        *time.Time      `json:"started_at"`
	DueAt            *time.Time      `json:"due_at"`
	WarnFrom         *time.Time      `json:"warn_from,omitempty"`
	MetAt            *time.Time      `json:"met_at,omitempty"`
	StoppedAt        *time.Time      `json:"stopped_at,omitempty"`
	ElapsedSeconds   int64           `json:"elapsed_seconds"`
	RemainingSeconds int64           `json:"remaining_seconds"`
	PausedSeconds    int64           `json:"paused_seconds"`
	PauseReason      string          `json:"pause_reason,omitempty"`
	StopReason       string          `json:"stop_reason,omitempty"`
	Band             string          `json:"band,omitempty"`
	Breached         bool            `json:"breached"`
	Open             bool            `json:"open"`
	FractionUsed     float64         `json:"fraction_used"`
	Previous         []ClockResponse `json:"previous,omitempty"`
}

func clockResponse(c sla.ClockState) ClockResponse {
	out := ClockResponse{Target: string(c.Target), State: string(c.State), Segment: c.Segment, PolicyID: c.PolicyID,
		DurationSeconds: int64(c.Duration / time.Second), StartedAt: c.StartedAt, DueAt: c.DueAt, WarnFrom: c.WarnFrom, MetAt: c.MetAt,
		StoppedAt: c.StoppedAt, ElapsedSeconds: int64(c.Elapsed / time.Second), RemainingSeconds: int64(c.Remaining / time.Second),
		PausedSeconds: int64(c.PausedFor / time.Second), PauseReason: c.PauseReason, StopReason: c.StopReason, Band: string(c.Band),
		Breached: c.Breached, Open: c.Open, FractionUsed: float64(int64(c.FractionUsed*10000)) / 10000}
	for _, p := range c.Previous {
		out.Previous = append(out.Previous, clockResponse(p))
	}
	return out
}

// TicketResponse is the API image of a ticket. clocks is present on the
// ticket's own endpoints (not in lists); sla_frozen says the clocks settled
// at close come from the result frozen then.
type TicketResponse struct {
	ID                 uint64          `json:"id"`
	Number             string          `json:"number"`
	Channel            string          `json:"channel"`
	Type               string          `json:"type"`
	Priority           string          `json:"priority"`
	Status             string          `json:"status"`
	AllowedTransitions []string        `json:"allowed_transitions"`
	CustomerID         uint64          `json:"customer_id"`
	UnitID             *uint64         `json:"unit_id"`
	CategoryID         *uint64         `json:"category_id"`
	FaultCode          string          `json:"fault_code"`
	RegionCode         string          `json:"region_code"`
	Description        string          `json:"description"`
	AssigneeID         *uint64         `json:"assignee_id"`
	Team               string          `json:"team"`
	OutletID           *uint64         `json:"outlet_id"`
	DistanceBand       string          `json:"distance_band,omitempty"`
	MergedIntoID       *uint64         `json:"merged_into_id"`
	ReopenCount        int             `json:"reopen_count"`
	CloseReason        string          `json:"close_reason,omitempty"`
	SLAPolicy          string          `json:"sla_policy"`
	SLADueAt           *time.Time      `json:"sla_due_at"`
	SLABreached        bool            `json:"sla_breached"`
	FirstResponseAt    *time.Time      `json:"first_response_at"`
	AssignedAt         *time.Time      `json:"assigned_at"`
	ResolvedAt         *time.Time      `json:"resolved_at"`
	ClosedAt           *time.Time      `json:"closed_at"`
	CreatedAt          time.Time       `json:"created_at"`
	UpdatedAt          time.Time       `json:"updated_at"`
	Version            int64           `json:"version"`
	Clocks             []ClockResponse `json:"clocks,omitempty"`
	SLAFrozen          *bool           `json:"sla_frozen,omitempty"`
}

func ticketResponse(t ticket.Ticket) TicketResponse {
	return TicketResponse{ID: t.ID, Number: t.Number, Channel: t.Channel, Type: t.Type, Priority: t.Priority, Status: t.Status,
		AllowedTransitions: t.Allowed(), CustomerID: t.CustomerID, UnitID: t.UnitID, CategoryID: t.CategoryID, FaultCode: t.FaultCode,
		RegionCode: t.RegionCode, Description: t.Description, AssigneeID: t.AssigneeID, Team: t.Team, OutletID: t.OutletID,
		DistanceBand: t.DistanceBand, MergedIntoID: t.MergedIntoID, ReopenCount: t.ReopenCount, CloseReason: t.CloseReason,
		SLAPolicy: t.SLAPolicy, SLADueAt: t.SLADueAt, SLABreached: t.SLABreached, FirstResponseAt: t.FirstResponseAt,
		AssignedAt: t.AssignedAt, ResolvedAt: t.ResolvedAt, ClosedAt: t.ClosedAt, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, Version: t.Version}
}

func ticketDetailResponse(d ticket.Detail) TicketResponse {
	out := ticketResponse(d.Ticket)
	out.Clocks = make([]ClockResponse, 0, len(d.Clocks))
	for _, c := range d.Clocks {
		out.Clocks = append(out.Clocks, clockResponse(c))
	}
	frozen := d.Frozen
	out.SLAFrozen = &frozen
	return out
}

// TicketListResponse is a keyset page: pass next_cursor as cursor for the
// next page; it is empty on the last.
type TicketListResponse struct {
	Items      []TicketResponse `json:"items"`
	NextCursor string           `json:"next_cursor"`
}

// TicketEventResponse is a timeline entry.
type TicketEventResponse struct {
	ID       uint64  `json:"id"`
	TicketID uint64  `json:"ticket_id"`
	Kind     string  `json:"kind"`
	ActorID  *uint64 `json:"actor_id"`
	Actor    string  `json:"actor"`
	// Body is what a person wrote (a note, a call), or the stored text of a
	// line written before the server sent codes; a line the server writes
	// is BodyCode with BodyParams, which the UI says (labels.timeline).
	Body       string          `json:"body"`
	BodyCode   string          `json:"body_code"`
	BodyParams map[string]any  `json:"body_params"`
	Data       json.RawMessage `json:"data"`
	At         time.Time       `json:"at"`
}

func ticketEventResponse(e ticket.Event) TicketEventResponse {
	data := json.RawMessage(e.Data)
	if len(data) == 0 || !json.Valid(data) {
		data = json.RawMessage("null")
	}
	params := map[string]any{}
	if e.BodyParams != "" {
		_ = json.Unmarshal([]byte(e.BodyParams), &params) // written by ticket.paramsJSON; a bad row shows the bare code
	}
	return TicketEventResponse{ID: e.ID, TicketID: e.TicketID, Kind: e.Kind, ActorID: e.ActorID, Actor: e.ActorName, Body: e.Body,
		BodyCode: e.BodyCode, BodyParams: params, Data: data, At: e.At}
}

// OpenTicketResponse is an open ticket on the agent's screen-pop.
type OpenTicketResponse struct {
	ID          uint64     `json:"id"`
	Number      string     `json:"number"`
	Type        string     `json:"type"`
	Priority    string     `json:"priority"`
	Status      string     `json:"status"`
	UnitID      *uint64    `json:"unit_id"`
	Description string     `json:"description"`
	OutletID    *uint64    `json:"outlet_id"`
	SLADueAt    *time.Time `json:"sla_due_at"`
	SLABreached bool       `json:"sla_breached"`
	CreatedAt   time.Time  `json:"created_at"`
}

// openTickets returns a customer's open tickets for the screen-pop.
func (s *Server) openTickets(c *gin.Context, customerID uint64) ([]OpenTicketResponse, error) {
	out := []OpenTicketResponse{}
	list, err := s.Tickets.OpenByCustomer(c.Request.Context(), customerID)
	if err != nil {
		return nil, err
	}
	for _, t := range list {
		out = append(out, OpenTicketResponse{ID: t.ID, Number: t.Number, Type: t.Type, Priority: t.Priority, Status: t.Status, UnitID: t.UnitID,
			Description: t.Description, OutletID: t.OutletID, SLADueAt: t.SLADueAt, SLABreached: t.SLABreached, CreatedAt: t.CreatedAt})
	}
	return out, nil
}

// ---- handlers

func (s *Server) createTicket(c *gin.Context) error {
	var req CreateTicketRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	in := ticket.NewTicket{Channel: req.Channel, Type: req.Type, Priority: req.Priority, CustomerID: req.CustomerID, UnitID: req.UnitID,
		CategoryID: req.CategoryID, FaultCode: req.FaultCode, RegionCode: req.RegionCode, Description: req.Description,
		AssigneeID: req.AssigneeID, Team: req.Team, IdempotencyKey: strings.TrimSpace(c.GetHeader("Idempotency-Key"))}
	d, created, err := s.Tickets.Create(c.Request.Context(), in)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if !created {
		status = http.StatusOK
		c.Header("Idempotent-Replayed", "true")
	}
	c.Header("Location", "/api/v1/tickets/"+strconv.FormatUint(d.ID, 10))
	return respondVersioned(c, status, d.Version, ticketDetailResponse(d))
}

func etag(v int64) string { return `"` + strconv.FormatInt(v, 10) + `"` }

func (s *Server) getTicket(c *gin.Context) error {
	id, err := s.ticketRef(c)
	if err != nil {
		return err
	}
	d, err := s.Tickets.Detail(c.Request.Context(), id)
	if err != nil {
		return err
	}
	return respondVersioned(c, http.StatusOK, d.Version, ticketDetailResponse(d))
}

// respondTicket answers a change with the ticket and its clocks.
func (s *Server) respondTicket(c *gin.Context, t ticket.Ticket, err error) error {
	if err != nil {
		return err
	}
	clocks, frozen, err := s.Tickets.Clocks(c.Request.Context(), t)
	if err != nil {
		return err
	}
	return respondVersioned(c, http.StatusOK, t.Version, ticketDetailResponse(ticket.Detail{Ticket: t, Clocks: clocks, Frozen: frozen}))
}

// changeTicket is the frame of the ticket's versioned changes: the ticket of
// the path, the body req with its version (*bodyVersion after decoding, else
// If-Match), the change, and the answer with the ticket and its clocks.
func (s *Server) changeTicket(c *gin.Context, req any, bodyVersion *int64, change func(ctx context.Context, id uint64, version int64) (ticket.Ticket, error)) error {
	id, err := s.ticketRef(c)
	if err != nil {
		return err
	}
	version, err := bindVersion(c, req, bodyVersion)
	if err != nil {
		return err
	}
	t, err := change(c.Request.Context(), id, version)
	return s.respondTicket(c, t, err)
}

func (s *Server) patchTicket(c *gin.Context) error {
	var req PatchTicketRequest
	return s.changeTicket(c, &req, &req.Version, func(ctx context.Context, id uint64, version int64) (ticket.Ticket, error) {
		return s.Tickets.Update(ctx, id, version, ticket.Patch{Type: req.Type, Priority: req.Priority, Description: req.Description,
			FaultCode: req.FaultCode, RegionCode: req.RegionCode, Team: req.Team, CategoryID: req.CategoryID, UnitID: req.UnitID})
	})
}

func (s *Server) transitionTicket(c *gin.Context) error {
	var req TransitionTicketRequest
	return s.changeTicket(c, &req, &req.Version, func(ctx context.Context, id uint64, version int64) (ticket.Ticket, error) {
		return s.Tickets.Transition(ctx, id, req.Status, req.Reason, version)
	})
}

func (s *Server) reopenTicket(c *gin.Context) error {
	var req ReopenTicketRequest
	return s.changeTicket(c, &req, &req.Version, func(ctx context.Context, id uint64, version int64) (ticket.Ticket, error) {
		return s.Tickets.ReopenTicket(ctx, id, req.Reason, version)
	})
}

func (s *Server) assignTicket(c *gin.Context) error {
	var req AssignTicketRequest
	return s.changeTicket(c, &req, &req.Version, func(ctx context.Context, id uint64, version int64) (ticket.Ticket, error) {
		return s.Tickets.Assign(ctx, id, req.AssigneeID, req.Team, version)
	})
}

func (s *Server) mergeTicket(c *gin.Context) error {
	id, err := s.ticketRef(c)
	if err != nil {
		return err
	}
	var req MergeTicketRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if req.SourceID == 0 {
		return apperr.FieldErr("source_id", apperr.Required())
	}
	t, err := s.Tickets.Merge(c.Request.Context(), id, req.SourceID, req.Reason)
	return s.respondTicket(c, t, err)
}

func (s *Server) addTicketEvent(c *gin.Context) error {
	id, err := s.ticketRef(c)
	if err != nil {
		return err
	}
	var req TicketEventRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	return answerWith(c, http.StatusCreated, ticketEventResponse)(s.Tickets.AddEvent(c.Request.Context(), id, req.Kind, req.Body))
}

// listTicketEvents returns the timeline (with the history of tickets merged
// into this one), oldest first; after= pages on.
func (s *Server) listTicketEvents(c *gin.Context) error {
	id, err := s.ticketRef(c)
	if err != nil {
		return err
	}
	after, err := queryUint(c, "after")
	if err != nil {
		return err
	}
	_, size, err := paging(c, 200, 500)
	if err != nil {
		return err
	}
	events, err := s.Tickets.Timeline(c.Request.Context(), id, after, size)
	if err != nil {
		return err
	}
	out := views(events, ticketEventResponse)
	c.JSON(http.StatusOK, listOf(out))
	return nil
}

// ticketFilter reads the list filters: status (comma-separated or
// repeated), type, priority, outlet_id, assignee_id, customer_id, unit_id,
// created_from and created_to (RFC 3339, or YYYY-MM-DD as a local date;
// to is exclusive), number and q (handlers_search.go), sort, cursor, size.
func (s *Server) ticketFilter(c *gin.Context) (ticket.Filter, error) {
	f := ticket.Filter{Type: c.Query("type"), Priority: c.Query("priority"), Sort: c.Query("sort"), Cursor: c.Query("cursor")}
	for _, v := range c.QueryArray("status") {
		for _, st := range strings.Split(v, ",") {
			if st = strings.TrimSpace(st); st != "" {
				f.Statuses = append(f.Statuses, st)
			}
		}
	}
	var err error
	for name, dst := range map[string]*uint64{"outlet_id": &f.OutletID, "assignee_id": &f.AssigneeID, "customer_id": &f.CustomerID, "unit_id": &f.UnitID} {
		if *dst, err = queryUint(c, name); err != nil {
			return f, err
		}
	}
	if f.CreatedFrom, err = s.queryTime(c, "created_from"); err != nil {
		return f, err
	}
	if f.CreatedTo, err = s.queryTime(c, "created_to"); err != nil {
		return f, err
	}
	if v := c.Query("size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return f, fieldErr("size", apperr.InvalidFormat(apperr.FormatPositiveInteger))
		}
		f.Size = n
	}
	return f, s.ticketText(c, &f)
}

// queryTime parses an RFC 3339 instant or a YYYY-MM-DD local date.
func (s *Server) queryTime(c *gin.Context, name string) (*time.Time, error) {
	v := c.Query(name)
	if v == "" {
		return nil, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return &t, nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, v, s.Location); err == nil {
		return &t, nil
	}
	return nil, fieldErr(name, apperr.InvalidFormat(apperr.FormatDate))
}

func (s *Server) listTickets(c *gin.Context) error {
	f, err := s.ticketFilter(c)
	if err != nil {
		return err
	}
	page, err := s.Tickets.List(c.Request.Context(), f)
	if err != nil {
		return err
	}
	out := TicketListResponse{Items: make([]TicketResponse, 0, len(page.Items)), NextCursor: page.NextCursor}
	for _, t := range page.Items {
		out.Items = append(out.Items, ticketResponse(t))
	}
	c.JSON(http.StatusOK, out)
	return nil
}

// exportTickets answers an Excel workbook of the filtered tickets (one row
// per ticket, every timestamp and SLA result); max_rows caps it (header
// X-Export-Truncated tells when the cap was hit).
func (s *Server) exportTickets(c *gin.Context) error {
	f, err := s.ticketFilter(c)
	if err != nil {
		return err
	}
	maxRows := ticket.MaxExportRows
	if v := c.Query("max_rows"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > ticket.MaxExportRows {
			return fieldErr("max_rows", apperr.OutOfRange(1, ticket.MaxExportRows))
		}
		maxRows = n
	}
	tr := s.text(c)
	var buf bytes.Buffer
	res, err := s.Tickets.Export(c.Request.Context(), f, &buf, ticket.ExportOptions{MaxRows: maxRows, Names: s.exportNames(c),
		Text: tr})
	if err != nil {
		return err
	}
	stamp := time.Now().In(s.Location).Format("20060102-150405")
	name := tr.T("export.tickets.file", map[string]any{"Stamp": stamp}) + ".xlsx"
	c.Header("Content-Disposition", `attachment; filename="tickets-`+stamp+`.xlsx"; filename*=UTF-8''`+url.PathEscape(name))
	c.Header("X-Export-Rows", strconv.Itoa(res.Rows))
	c.Header("X-Export-Truncated", strconv.FormatBool(res.Truncated))
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Content-Length", strconv.Itoa(buf.Len())) // the UI's progress bar needs the total
	c.Data(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buf.Bytes())
	return nil
}
