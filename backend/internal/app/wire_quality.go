package app

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/auth"
	"github.com/aftersales/aftersales/backend/internal/complaint"
	"github.com/aftersales/aftersales/backend/internal/config"
	"github.com/aftersales/aftersales/backend/internal/customer"
	"github.com/aftersales/aftersales/backend/internal/demo"
	"github.com/aftersales/aftersales/backend/internal/product"
	"github.com/aftersales/aftersales/backend/internal/rbac"
	"github.com/aftersales/aftersales/backend/internal/survey"
	"github.com/aftersales/aftersales/backend/internal/ticket"
	"github.com/aftersales/aftersales/backend/internal/workorder"
)

// complaintDeadlines turns the complaint.* limits into per-severity deadlines.
func complaintDeadlines(c config.Complaint) complaint.Deadlines {
	return complaint.Deadlines{
		complaint.SeverityNormal: {AckWithin: c.AckWithin, ResolveWithin: c.ResolveWithin},
		complaint.SeverityMajor:  {AckWithin: c.MajorAckWithin, ResolveWithin: c.MajorResolveWithin},
		complaint.SeverityCrisis: {AckWithin: c.CrisisAckWithin, ResolveWithin: c.CrisisResolveWithin},
	}
}

// surveySettings turns the survey.* keys into the survey rules.
func surveySettings(cfg *config.Config) survey.Settings {
	s := cfg.Survey
	return survey.Settings{Delay: s.Delay, LinkRate: s.LinkRate, FollowupRate: s.FollowupRate, FollowupWithin: s.FollowupWithin,
		LinkValidFor: s.LinkValidFor, MaxAttempts: s.MaxAttempts, DissatisfiedAtOrBelow: s.DissatisfiedAtOrBelow,
		DissatisfiedAction: s.DissatisfiedAction, CallbackWithin: s.CallbackWithin, RelationshipRate: s.RelationshipRate,
		BaseURL: cfg.App.BaseURL}
}

// holds returns a check that an actor's roles grant permission (a casbin
// error denies, and is never swallowed silently: it is logged by the caller
// path as a refusal).
func holds(r *rbac.Authorizer, permission string) func(a actor.Actor) bool {
	return func(a actor.Actor) bool {
		ok, err := r.Allowed(a.Roles, permission)
		return err == nil && ok
	}
}

// complaintOpener hands a dissatisfied survey answer to the complaint
// service as a complaint with source survey (idempotent per response).
type complaintOpener struct{ c *complaint.Service }

func (o complaintOpener) OpenFromSurvey(ctx context.Context, d survey.Dissatisfaction) (uint64, error) {
	category := complaint.CategoryForRating(d.LowestTarget)
	channel := map[string]string{survey.ChannelLink: "评价链接", survey.ChannelPhone: "电话回访"}[d.Channel]
	what := fmt.Sprintf("满意度评价不满意（最低 %d 分，%s）", d.MinScore, channel)
	if d.Unsolved {
		what = fmt.Sprintf("满意度评价：问题未解决（最低 %d 分，%s）", d.MinScore, channel)
	}
	title := what
	if d.TicketNumber != "" {
		title = "工单 " + d.TicketNumber + " " + what
	}
	rid := d.ResponseID
	c, err := o.c.Create(ctx, complaint.NewComplaint{Source: complaint.SourceSurvey, TicketID: d.TicketID, CustomerID: d.CustomerID,
		UnitID: d.UnitID, OutletID: d.OutletID, WorkOrderID: d.WorkOrderID, TechnicianID: d.TechnicianID, Category: category, Severity: complaint.SeverityNormal, Title: title,
		Description: d.Comment, SurveyResponseID: &rid})
	if err != nil {
		return 0, err
	}
	return c.ID, nil
}

// surveyFacts completes ticket.closed and workorder.completed events from
// the ticket and work-order services.
type surveyFacts struct {
	t *ticket.Service
	w *workorder.Service
}

func (f surveyFacts) TicketFacts(ctx context.Context, id uint64) (survey.Closed, error) {
	t, err := f.t.Get(ctx, id)
	if err != nil {
		return survey.Closed{}, err
	}
	tid := t.ID
	c := survey.Closed{TicketID: &tid, TicketNumber: t.Number, CustomerID: t.CustomerID, UnitID: t.UnitID, OutletID: t.OutletID,
		AgentID: t.AssigneeID}
	// The ticket's field visit: its work order, technician and outlet.
	w, found, err := f.w.LatestOfTicket(ctx, t.ID)
	if err != nil {
		return survey.Closed{}, err
	}
	if found {
		wid := w.ID
		c.WorkOrderID, c.TechnicianID = &wid, w.TechnicianStaffID
		if c.OutletID == nil {
			c.OutletID = w.OutletID
		}
	}
	return c, nil
}

func (f surveyFacts) WorkOrderFacts(ctx context.Context, id uint64) (survey.Closed, error) {
	w, err := f.w.Get(ctx, id)
	if err != nil {
		return survey.Closed{}, err
	}
	wid, tid := w.ID, w.TicketID
	c := survey.Closed{WorkOrderID: &wid, CustomerID: w.CustomerID, UnitID: w.UnitID, OutletID: w.OutletID,
		TechnicianID: w.TechnicianStaffID}
	if tid != 0 {
		c.TicketID = &tid
	}
	return c, nil
}

// customerExists and unitExists check complaint references through the
// owning services.
func customerExists(c *customer.Service) complaint.Exists {
	return func(ctx context.Context, id uint64) error { _, err := c.Get(ctx, id); return err }
}

func unitExists(p *product.Service) complaint.Exists {
	return func(ctx context.Context, id uint64) error { _, err := p.Unit(ctx, id); return err }
}

func ticketExists(t *ticket.Service) complaint.Exists {
	return func(ctx context.Context, id uint64) error { _, err := t.Get(ctx, id); return err }
}

// qualityDeps is what the complaint and survey demo generators need.
func (a *App) qualityDeps(now time.Time) demo.QualityDeps {
	return demo.QualityDeps{DB: a.DB, Surveys: a.Surveys, Now: now, Location: a.Cfg.Location(),
		Deadlines: complaintDeadlines(a.Cfg.Complaint), Chain: a.Cfg.Complaint.Chain(),
		DissatisfiedAtOrBelow: a.Cfg.Survey.DissatisfiedAtOrBelow}
}

// roleHolders resolves an escalation's role to the active users who hold it
// in the complaint's scope: an outlet role (outlet manager, technician) to
// the users of the complaint's outlet; any other role to its users without
// an outlet scope (headquarters).
func roleHolders(users *auth.Service) func(ctx context.Context, role string, outletID *uint64) ([]uint64, error) {
	return func(ctx context.Context, role string, outletID *uint64) ([]uint64, error) {
		outletRole := role == auth.RoleOutletManager || role == auth.RoleTechnician
		var scope *uint64
		if outletRole {
			if outletID == nil {
				return nil, nil
			}
			scope = outletID
		}
		us, err := users.ActiveUsers(ctx, scope)
		if err != nil {
			return nil, err
		}
		now := time.Now().UTC()
		var out []uint64
		for _, u := range us {
			if !u.Active(now) || (!outletRole && u.OutletID != nil) || !slices.Contains(u.RoleList(), role) {
				continue
			}
			out = append(out, u.ID)
		}
		return out, nil
	}
}
