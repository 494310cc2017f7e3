package ticket

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/sla"
)

// Patch is a partial update of a ticket's fields; nil leaves a field as is.
type Patch struct {
	Type        *string
	Priority    *string
	Description *string
	FaultCode   *string
	RegionCode  *string
	Team        *string
	CategoryID  *uint64
	UnitID      *uint64
}

// Update edits a ticket under optimistic concurrency (version is required).
// A change of type, priority or region selects the policy again and applies
// its targets from now (re-prioritisation); breaches already suffered
// stand. Errors: not_found, validation, version_conflict, conflict
// ticket_closed.
func (s *Service) Update(ctx context.Context, id uint64, version int64, p Patch) (Ticket, error) {
	if version == 0 {
		return Ticket{}, apperr.FieldErr("version", apperr.VersionRequired())
	}
	return s.mutate(ctx, id, version, "update", func(tx *gorm.DB, t *Ticket, c *change, now time.Time) error {
		if t.Status == StatusClosed {
			return apperr.Conflict("ticket_closed", "a closed ticket cannot be edited; reopen it first")
		}
		fields := apperr.Fields{}
		changed := map[string]any{}
		reselect := false
		if p.Type != nil && *p.Type != t.Type {
			if !slices.Contains(Types(), *p.Type) {
				fields["type"] = apperr.OneOf(Types()...)
			}
			changed["type"] = []string{t.Type, *p.Type}
			t.Type, reselect = *p.Type, true
		}
		if p.Priority != nil && *p.Priority != t.Priority {
			if !slices.Contains(Priorities(), *p.Priority) {
				fields["priority"] = apperr.OneOf(Priorities()...)
			}
			changed["priority"] = []string{t.Priority, *p.Priority}
			t.Priority, t.PriorityRank, reselect = *p.Priority, PriorityRank(*p.Priority), true
		}
		if p.RegionCode != nil && *p.RegionCode != t.RegionCode {
			if fe := s.checkRegion(*p.RegionCode); fe != nil {
				fields["region_code"] = *fe
			}
			changed["region_code"] = []string{t.RegionCode, *p.RegionCode}
			t.RegionCode, reselect = *p.RegionCode, true
		}
		if p.Description != nil {
			d := strings.TrimSpace(*p.Description)
			if n := utf8.RuneCountInString(d); n == 0 || n > 4000 {
				fields["description"] = apperr.RequiredMax(4000)
			}
			if d != t.Description {
				changed["description"] = true
			}
			t.Description = d
		}
		if p.FaultCode != nil && *p.FaultCode != t.FaultCode {
			if *p.FaultCode != "" && !faultCodePattern.MatchString(*p.FaultCode) {
				fields["fault_code"] = apperr.Identifier(1, 32)
			}
			changed["fault_code"] = []string{t.FaultCode, *p.FaultCode}
			t.FaultCode = *p.FaultCode
		}
		if p.Team != nil && *p.Team != t.Team {
			if utf8.RuneCountInString(*p.Team) > 64 {
				fields["team"] = apperr.TooLong(64)
			}
			changed["team"] = []string{t.Team, *p.Team}
			t.Team = strings.TrimSpace(*p.Team)
		}
		if p.CategoryID != nil && *p.CategoryID != derefID(t.CategoryID) {
			if *p.CategoryID == 0 {
				t.CategoryID = nil
			} else {
				v := *p.CategoryID
				t.CategoryID = &v
			}
			changed["category_id"] = p.CategoryID
		}
		if p.UnitID != nil && *p.UnitID != derefID(t.UnitID) {
			if *p.UnitID == 0 {
				t.UnitID = nil
			} else {
				in := NewTicket{CustomerID: t.CustomerID, UnitID: p.UnitID, RegionCode: t.RegionCode}
				if err := s.resolveParties(ctx, &in, fields); err != nil {
					return err
				}
				v := *p.UnitID
				t.UnitID = &v
				if t.CategoryID == nil {
					t.CategoryID = in.CategoryID
				}
			}
			changed["unit_id"] = p.UnitID
		}
		if len(fields) > 0 {
			return apperr.FieldsErr(fields)
		}
		if len(changed) == 0 {
			return errUnchanged // nothing to write: no version bump, no audit record
		}
		if reselect && t.Open() {
			policy, _, ok, err := s.o.SLA.Select(ctx, t.Type, t.Priority, t.RegionCode)
			if err != nil {
				return err
			}
			if ok && (policy.ID != t.SLAPolicy || changed["priority"] != nil) {
				c.sla = append(c.sla, policy.Apply(now, actorLabel(actor.From(ctx)), sla.DistanceBand(t.DistanceBand))...)
				changed["sla_policy"] = []string{t.SLAPolicy, policy.ID}
				t.SLAPolicy, t.SLACalendar = policy.ID, policy.CalendarID
			}
		}
		c.say(EventUpdate, Line{Code: "updated"}, changed)
		c.publish = append(c.publish, s.eventOf(event.TicketUpdated, *t, event.Ticket{Changed: keys(changed)}))
		return nil
	})
}

// Assign sets the ticket's agent and/or team. A new ticket becomes
// assigned. Errors: not_found, validation, version_conflict, conflict
// ticket_closed.
func (s *Service) Assign(ctx context.Context, id uint64, assigneeID *uint64, team *string, version int64) (Ticket, error) {
	if assigneeID == nil && team == nil {
		return Ticket{}, apperr.FieldErr("assignee_id", apperr.Code("assignee_or_team", "give assignee_id and/or team"))
	}
	if assigneeID != nil && *assigneeID != 0 {
		if fe := s.checkAssignee(ctx, *assigneeID); fe != nil {
			return Ticket{}, apperr.FieldErr("assignee_id", *fe)
		}
	}
	if team != nil && utf8.RuneCountInString(strings.TrimSpace(*team)) > 64 {
		return Ticket{}, apperr.FieldErr("team", apperr.TooLong(64))
	}
	return s.mutate(ctx, id, version, "assign", func(tx *gorm.DB, t *Ticket, c *change, now time.Time) error {
		if t.Status == StatusClosed {
			return apperr.Conflict("ticket_closed", "a closed ticket cannot be assigned")
		}
		data := map[string]any{}
		if assigneeID != nil {
			data["from_assignee_id"] = t.AssigneeID
			if *assigneeID == 0 {
				t.AssigneeID = nil
			} else {
				v := *assigneeID
				t.AssigneeID = &v
			}
			data["assignee_id"] = t.AssigneeID
		}
		if team != nil {
			data["from_team"] = t.Team
			t.Team = strings.TrimSpace(*team)
			data["team"] = t.Team
		}
		code, params := "assigned", map[string]any{}
		if t.AssigneeID != nil {
			code += "_agent"
			params["agent_id"] = *t.AssigneeID
		}
		if t.Team != "" {
			code += "_team"
			params["team"] = t.Team
		}
		c.say(EventAssignment, Line{Code: code, Params: params}, data)
		c.publish = append(c.publish, s.eventOf(event.TicketAssigned, *t, event.Ticket{}))
		if t.Status == StatusNew && (t.AssigneeID != nil || t.Team != "") {
			return s.move(ctx, t, c, StatusAssigned, "", now)
		}
		return nil
	})
}
