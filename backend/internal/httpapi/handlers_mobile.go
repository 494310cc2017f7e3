package httpapi

import (
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/repair"
	"github.com/aftersales/aftersales/backend/internal/workorder"
)

// The phone app (/m, issue 12): the technician's jobs. Every step a job
// takes goes through the existing work-order, repair and attachment routes;
// the customer's contact through GET /work-orders/{id}/contact (PIPL log).

// CheckInRequest is the body of POST /work-orders/{id}/check-in: a note and,
// when the phone's browser gave one, the position (WGS-84 degrees,
// accuracy in metres). lat and lng come together or not at all.
type CheckInRequest struct {
	Note      string   `json:"note"`
	Lat       *float64 `json:"lat"`
	Lng       *float64 `json:"lng"`
	AccuracyM *float64 `json:"accuracy_m"`
	Version   int64    `json:"version"`
}

// position is the check-in's position, or nil when none was sent.
func (r CheckInRequest) position() (*workorder.Position, error) {
	if r.Lat == nil && r.Lng == nil {
		return nil, nil
	}
	if r.Lat == nil || r.Lng == nil {
		return nil, apperr.FieldsErr(apperr.Fields{"lat": apperr.Code("lat_lng_together", "lat and lng together"), "lng": apperr.Code("lat_lng_together", "lat and lng together")})
	}
	return &workorder.Position{Lat: *r.Lat, Lng: *r.Lng, AccuracyM: r.AccuracyM}, nil
}

func (s *Server) checkInWorkOrder(c *gin.Context) error {
	return workOrderStep(s, c, func(r *CheckInRequest) int64 { return r.Version },
		func(id uint64, r *CheckInRequest, v int64) (workorder.WorkOrder, error) {
			pos, err := r.position()
			if err != nil {
				return workorder.WorkOrder{}, err
			}
			return s.WorkOrders.CheckInAt(c.Request.Context(), id, r.Note, pos, v)
		})
}

// MobileJobResponse is one job on the technician's phone: the work order,
// the ticket's fault, the product and the repair opened from it. Personal
// data is not here: the phone reads it from GET /work-orders/{id}/contact.
type MobileJobResponse struct {
	WorkOrder        WorkOrderResponse `json:"work_order"`
	TicketNumber     string            `json:"ticket_number"`
	FaultCode        string            `json:"fault_code"`
	FaultDescription string            `json:"fault_description"`
	Product          *MobileProductDTO `json:"product"`
	RepairID         *uint64           `json:"repair_id"`
}

// MobileProductDTO is the unit a job is about.
type MobileProductDTO struct {
	UnitID    uint64 `json:"unit_id"`
	Serial    string `json:"serial"`
	ModelCode string `json:"model_code"`
	ModelName string `json:"model_name"`
}

// mobileOpen are the statuses of work still to do on site.
var mobileOpen = []string{workorder.StatusAccepted, workorder.StatusAssigned, workorder.StatusScheduled, workorder.StatusOnSite}

// mobileJobs answers GET /mobile/jobs: the caller's open work (technicians:
// assigned to them; outlet managers: their outlet's) and the work finished
// today (in the enterprise's time zone), appointments first.
func (s *Server) mobileJobs(c *gin.Context) error {
	ctx := c.Request.Context()
	a := actor.From(ctx)
	f := workorder.Filter{Statuses: mobileOpen, Size: 100}
	if a.OwnWorkOnly() {
		me, err := s.Outlets.StaffOfUser(ctx, a.UserID)
		if apperr.IsKind(err, apperr.KindNotFound) {
			c.JSON(http.StatusOK, listOf([]MobileJobResponse{}))
			return nil
		}
		if err != nil {
			return err
		}
		f.TechnicianID = me.ID
	}
	open, _, err := s.WorkOrders.List(ctx, f)
	if err != nil {
		return err
	}
	f.Statuses, f.Size = []string{workorder.StatusCompleted, workorder.StatusSignedOff}, 50
	done, _, err := s.WorkOrders.List(ctx, f)
	if err != nil {
		return err
	}
	now := time.Now().In(s.Location)
	dayStart := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, s.Location)
	list := open
	for _, w := range done {
		if w.CompletedAt != nil && !w.CompletedAt.Before(dayStart) {
			list = append(list, w)
		}
	}
	slices.SortStableFunc(list, func(x, y workorder.WorkOrder) int { return jobOrder(x).Compare(jobOrder(y)) })
	out := make([]MobileJobResponse, 0, len(list))
	for _, w := range list {
		j, err := s.mobileJob(c, w)
		if err != nil {
			return err
		}
		out = append(out, j)
	}
	c.JSON(http.StatusOK, listOf(out))
	return nil
}

// jobOrder sorts by appointment, then by when the work was accepted.
func jobOrder(w workorder.WorkOrder) time.Time {
	if w.AppointmentAt != nil {
		return *w.AppointmentAt
	}
	if w.AcceptedAt != nil {
		return *w.AcceptedAt
	}
	return w.CreatedAt
}

func (s *Server) mobileJob(c *gin.Context, w workorder.WorkOrder) (MobileJobResponse, error) {
	ctx := c.Request.Context()
	j := MobileJobResponse{WorkOrder: workOrderResponse(w)}
	t, err := s.Tickets.Get(ctx, w.TicketID)
	if err != nil && !apperr.IsKind(err, apperr.KindNotFound) {
		return j, err
	}
	if err == nil {
		j.TicketNumber, j.FaultCode, j.FaultDescription = t.Number, t.FaultCode, t.Description
	}
	if w.UnitID != nil {
		u, err := s.Products.Unit(ctx, *w.UnitID)
		if err != nil && !apperr.IsKind(err, apperr.KindNotFound) {
			return j, err
		}
		if err == nil {
			p := &MobileProductDTO{UnitID: u.ID, Serial: u.Serial}
			if m, err := s.Products.Model(ctx, u.ModelID); err == nil {
				p.ModelCode, p.ModelName = m.Code, m.Name
			} else if !apperr.IsKind(err, apperr.KindNotFound) {
				return j, err
			}
			j.Product = p
		}
	}
	rs, err := s.Repairs.List(ctx, repair.Filter{WorkOrderID: w.ID, Size: 1})
	if err != nil {
		return j, err
	}
	if len(rs) > 0 {
		j.RepairID = &rs[0].ID
	}
	return j, nil
}
