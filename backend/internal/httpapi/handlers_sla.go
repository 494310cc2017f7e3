package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/sla"
	"github.com/aftersales/aftersales/backend/internal/workorder"
)

// ---- request and response types

// SLACalendarRequest is the body of POST /sla/calendars and PUT
// /sla/calendars/{id}. weekly maps weekday names (monday … sunday) to
// working intervals "HH:MM-HH:MM" (several per day); holidays and
// makeup_workdays (调休 working days) are "YYYY-MM-DD"; makeup_as names
// the weekday whose hours a make-up day follows (default monday);
// always_open makes a 24×7 calendar. The code cannot change on PUT, which
// needs the version read (or If-Match).
type SLACalendarRequest struct {
	sla.CalendarData
	Version int64 `json:"version"`
}

// SLACalendarResponse is a stored calendar.
type SLACalendarResponse struct {
	ID uint64 `json:"id"`
	sla.CalendarData
	Version   int64     `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`
}

// SLAPolicyRequest is the body of POST /sla/policies and PUT
// /sla/policies/{id}: the rule (ticket_type, priority, region; empty
// matches any, the most specific active rule wins) and the targets in
// working minutes of the calendar: targets_minutes per clock
// (first_response, outlet_accept, customer_contact, onsite_arrival,
// resolution) and arrival_by_band_minutes per distance band (city,
// within_200km, within_500km, remote). Tickets keep the targets frozen in
// their SLA log when the policy changes later.
type SLAPolicyRequest struct {
	sla.PolicyData
	// Active shadows PolicyData's: absent means true.
	Active  *bool `json:"active"`
	Version int64 `json:"version"`
}

// SLAPolicyResponse is a stored policy.
type SLAPolicyResponse struct {
	ID uint64 `json:"id"`
	sla.PolicyData
	Version   int64     `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`
}

// WorkOrderKindRequest is the body of PUT /sla/work-order-kinds/{kind}:
// the kind's promised times in working minutes (0 = no promise, the ticket
// policy's target applies).
type WorkOrderKindRequest struct {
	Name                 string `json:"name"`
	AcceptMinutes        int    `json:"accept_minutes"`
	ContactMinutes       int    `json:"contact_minutes"`
	ArrivalCityMinutes   int    `json:"arrival_city_minutes"`
	Arrival200kmMinutes  int    `json:"arrival_200km_minutes"`
	Arrival500kmMinutes  int    `json:"arrival_500km_minutes"`
	ArrivalRemoteMinutes int    `json:"arrival_remote_minutes"`
	CompleteMinutes      int    `json:"complete_minutes"`
	Version              int64  `json:"version"`
}

// WorkOrderKindResponse is a kind's promised times.
type WorkOrderKindResponse struct {
	Kind string `json:"kind"`
	WorkOrderKindRequest
	UpdatedAt time.Time `json:"updated_at"`
}

// AlertResponse is a raised SLA warning or breach.
type AlertResponse struct {
	ID       uint64     `json:"id"`
	TicketID uint64     `json:"ticket_id"`
	Target   string     `json:"target"`
	Segment  int        `json:"segment"`
	Kind     string     `json:"kind"`
	DueAt    *time.Time `json:"due_at"`
	OutletID *uint64    `json:"outlet_id"`
	RaisedAt time.Time  `json:"raised_at"`
}

func slaCalendarResponse(row sla.CalendarRow) (SLACalendarResponse, error) {
	d, err := row.Data()
	if err != nil {
		return SLACalendarResponse{}, err
	}
	return SLACalendarResponse{ID: row.ID, CalendarData: d, Version: row.Version, UpdatedAt: row.UpdatedAt}, nil
}

func slaPolicyResponse(row sla.PolicyRow) (SLAPolicyResponse, error) {
	d, err := row.Data()
	if err != nil {
		return SLAPolicyResponse{}, err
	}
	return SLAPolicyResponse{ID: row.ID, PolicyData: d, Version: row.Version, UpdatedAt: row.UpdatedAt}, nil
}

// ---- handlers

func (s *Server) listCalendars(c *gin.Context) error {
	rows, err := s.SLA.Calendars(c.Request.Context())
	if err != nil {
		return err
	}
	out := make([]SLACalendarResponse, 0, len(rows))
	for _, r := range rows {
		resp, err := slaCalendarResponse(r)
		if err != nil {
			return err
		}
		out = append(out, resp)
	}
	c.JSON(http.StatusOK, listOf(out))
	return nil
}

func (s *Server) getCalendar(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	row, err := s.SLA.GetCalendar(c.Request.Context(), id)
	if err != nil {
		return err
	}
	resp, err := slaCalendarResponse(row)
	if err != nil {
		return err
	}
	return respondVersioned(c, http.StatusOK, row.Version, resp)
}

func (s *Server) createCalendar(c *gin.Context) error {
	var req SLACalendarRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	row, err := s.SLA.CreateCalendar(c.Request.Context(), req.CalendarData)
	if err != nil {
		return err
	}
	resp, err := slaCalendarResponse(row)
	return respond(c, http.StatusCreated, resp, err)
}

func (s *Server) updateCalendar(c *gin.Context) error {
	var req SLACalendarRequest
	id, version, err := bindVersioned(c, "id", &req, &req.Version)
	if err != nil {
		return err
	}
	row, err := s.SLA.UpdateCalendar(c.Request.Context(), id, version, req.CalendarData)
	if err != nil {
		return err
	}
	resp, err := slaCalendarResponse(row)
	return respond(c, http.StatusOK, resp, err)
}

func (s *Server) listPolicies(c *gin.Context) error {
	rows, err := s.SLA.Policies(c.Request.Context())
	if err != nil {
		return err
	}
	out := make([]SLAPolicyResponse, 0, len(rows))
	for _, r := range rows {
		resp, err := slaPolicyResponse(r)
		if err != nil {
			return err
		}
		out = append(out, resp)
	}
	c.JSON(http.StatusOK, listOf(out))
	return nil
}

func (s *Server) getPolicy(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	row, err := s.SLA.GetPolicy(c.Request.Context(), id)
	if err != nil {
		return err
	}
	resp, err := slaPolicyResponse(row)
	if err != nil {
		return err
	}
	return respondVersioned(c, http.StatusOK, row.Version, resp)
}

func policyData(r SLAPolicyRequest) sla.PolicyData {
	d := r.PolicyData
	d.Active = r.Active == nil || *r.Active
	return d
}

func (s *Server) createPolicy(c *gin.Context) error {
	var req SLAPolicyRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	row, err := s.SLA.CreatePolicy(c.Request.Context(), policyData(req))
	if err != nil {
		return err
	}
	resp, err := slaPolicyResponse(row)
	return respond(c, http.StatusCreated, resp, err)
}

func (s *Server) updatePolicy(c *gin.Context) error {
	var req SLAPolicyRequest
	id, version, err := bindVersioned(c, "id", &req, &req.Version)
	if err != nil {
		return err
	}
	row, err := s.SLA.UpdatePolicy(c.Request.Context(), id, version, policyData(req))
	if err != nil {
		return err
	}
	resp, err := slaPolicyResponse(row)
	return respond(c, http.StatusOK, resp, err)
}

func kindResponse(k workorder.KindPolicy) WorkOrderKindResponse {
	return WorkOrderKindResponse{Kind: k.Kind, UpdatedAt: k.UpdatedAt, WorkOrderKindRequest: WorkOrderKindRequest{Name: k.Name,
		AcceptMinutes: k.AcceptMinutes, ContactMinutes: k.ContactMinutes, ArrivalCityMinutes: k.ArrivalCityMinutes,
		Arrival200kmMinutes: k.Arrival200kmMinutes, Arrival500kmMinutes: k.Arrival500kmMinutes, ArrivalRemoteMinutes: k.ArrivalRemoteMinutes,
		CompleteMinutes: k.CompleteMinutes, Version: k.Version}}
}

func (s *Server) listWorkOrderKinds(c *gin.Context) error {
	list, err := s.WorkOrders.KindPolicies(c.Request.Context())
	if err != nil {
		return err
	}
	out := views(list, kindResponse)
	c.JSON(http.StatusOK, listOf(out))
	return nil
}

func (s *Server) updateWorkOrderKind(c *gin.Context) error {
	var req WorkOrderKindRequest
	version, err := bindVersion(c, &req, &req.Version)
	if err != nil {
		return err
	}
	k, err := s.WorkOrders.UpdateKindPolicy(c.Request.Context(), c.Param("kind"), version, workorder.KindPolicy{Name: req.Name,
		AcceptMinutes: req.AcceptMinutes, ContactMinutes: req.ContactMinutes, ArrivalCityMinutes: req.ArrivalCityMinutes,
		Arrival200kmMinutes: req.Arrival200kmMinutes, Arrival500kmMinutes: req.Arrival500kmMinutes,
		ArrivalRemoteMinutes: req.ArrivalRemoteMinutes, CompleteMinutes: req.CompleteMinutes})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, kindResponse(k))
	return nil
}

// listSLAAlerts lists raised warnings and breaches, newest first:
// ticket_id, kind (warning, breach), before_id, size. Outlet users see
// their outlet's.
func (s *Server) listSLAAlerts(c *gin.Context) error {
	f := sla.AlertFilter{Kind: c.Query("kind")}
	var err error
	if f.TicketID, err = queryUint(c, "ticket_id"); err != nil {
		return err
	}
	if f.BeforeID, err = queryUint(c, "before_id"); err != nil {
		return err
	}
	if f.Kind != "" && f.Kind != "warning" && f.Kind != "breach" {
		return fieldErr("kind", apperr.OneOf("warning", "breach"))
	}
	_, f.Size, err = paging(c, 50, 200)
	if err != nil {
		return err
	}
	if outletID, ok := actor.From(c.Request.Context()).OutletScoped(); ok {
		f.OutletID = &outletID
	}
	list, err := s.SLA.Alerts(c.Request.Context(), f)
	if err != nil {
		return err
	}
	out := make([]AlertResponse, 0, len(list))
	for _, a := range list {
		out = append(out, AlertResponse{ID: a.ID, TicketID: a.TicketID, Target: a.Target, Segment: a.Segment, Kind: a.Kind, DueAt: a.DueAt,
			OutletID: a.OutletID, RaisedAt: a.RaisedAt})
	}
	c.JSON(http.StatusOK, listOf(out))
	return nil
}
