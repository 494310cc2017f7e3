package survey_test

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/survey"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

// facts is a fake ticket side: ticket 901 of customer 51, worked by
// technician 61 on work order 71 at outlet 81, unit 91, agent 5.
type facts struct{}

func (facts) TicketFacts(_ context.Context, id uint64) (survey.Closed, error) {
	if id != 901 {
		return survey.Closed{}, apperr.NotFound("ticket")
	}
	return survey.Closed{TicketID: u(901), TicketNumber: "T-901", CustomerID: 51, UnitID: u(91), OutletID: u(81), AgentID: u(5),
		TechnicianID: u(61), WorkOrderID: u(71)}, nil
}

func (facts) WorkOrderFacts(context.Context, uint64) (survey.Closed, error) {
	return survey.Closed{}, nil
}

// Defect 7: a survey link made by hand for a ticket lost the ticket's
// context, so a complaint raised from its answer named no unit, outlet or
// technician. The invitation now carries them, and so does the complaint.
func TestHandMadeLinkCarriesTheTicketsContext(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db, nil)
		e.svc.SetFacts(facts{})
		inv, link, err := e.svc.Invite(system(), survey.InviteInput{Channel: survey.ChannelLink, TicketID: u(901)})
		if err != nil {
			t.Fatal(err)
		}
		if inv.CustomerID != 51 || inv.TicketNumber != "T-901" || deref(inv.UnitID) != 91 || deref(inv.OutletID) != 81 ||
			deref(inv.TechnicianID) != 61 || deref(inv.WorkOrderID) != 71 || deref(inv.AgentID) != 5 {
			t.Fatalf("invitation %+v", inv)
		}
		if _, _, err := e.svc.Invite(system(), survey.InviteInput{Channel: survey.ChannelPhone, TicketID: u(901), CustomerID: 52}); apperr.As(err).Fields["customer_id"].Code == "" {
			t.Fatalf("another customer's ticket: %v", err)
		}
		r, err := e.svc.SubmitPublic(context.Background(), tokenOf(t, link), map[string]any{"overall": 1, "agent": 4, "technician": 1, "solved": true}, "")
		if err != nil || r.TechnicianID == nil || *r.TechnicianID != 61 {
			t.Fatalf("response %v %+v", err, r)
		}
		if len(e.open.calls) != 1 {
			t.Fatalf("complaints %+v", e.open.calls)
		}
		d := e.open.calls[0]
		if deref(d.UnitID) != 91 || deref(d.OutletID) != 81 || deref(d.TechnicianID) != 61 || deref(d.WorkOrderID) != 71 ||
			d.LowestTarget != survey.TargetTechnician || d.TicketNumber != "T-901" {
			t.Fatalf("complaint raised with %+v", d)
		}
	})
}

// Defect 8: an answer of solved = false reopens the ticket (or opens a
// complaint) just as a low rating does.
func TestUnsolvedAnswerActsLikeALowRating(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db, func(s *survey.Settings) { s.DissatisfiedAction = survey.ActionReopenTicket })
		_, link, _ := e.svc.Invite(system(), survey.InviteInput{Channel: survey.ChannelLink, CustomerID: 31, TicketID: u(701)})
		r, err := e.svc.SubmitPublic(context.Background(), tokenOf(t, link), map[string]any{"overall": 5, "agent": 5, "solved": false}, "")
		if err != nil || !r.Dissatisfied {
			t.Fatalf("unsolved: %v %+v", err, r)
		}
		if len(e.reop.calls) != 1 || e.reop.calls[0] != 701 {
			t.Fatalf("reopen calls %v", e.reop.calls)
		}
		e2 := newEnv(t, db, nil)
		_, link2, _ := e2.svc.Invite(system(), survey.InviteInput{Channel: survey.ChannelLink, CustomerID: 32, TicketID: u(702)})
		if _, err := e2.svc.SubmitPublic(context.Background(), tokenOf(t, link2), map[string]any{"overall": 4, "agent": 5, "solved": false}, ""); err != nil {
			t.Fatal(err)
		}
		if len(e2.open.calls) != 1 || !e2.open.calls[0].Unsolved {
			t.Fatalf("complaint for unsolved: %+v", e2.open.calls)
		}
	})
}

// Defect 10: a supervisor call-back was completed by the hotline agent
// role. Only a user with the supervisor permission may record it.
func TestSupervisorCallbackNeedsTheSupervisorPermission(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db, nil)
		_, link, _ := e.svc.Invite(system(), survey.InviteInput{Channel: survey.ChannelLink, CustomerID: 21, TicketID: u(601), AgentID: u(5)})
		r, err := e.svc.SubmitPublic(context.Background(), tokenOf(t, link), map[string]any{"overall": 1, "agent": 1, "solved": true}, "")
		if err != nil {
			t.Fatal(err)
		}
		var cb survey.Followup
		if err := db.Where("kind = ? AND source_response_id = ?", survey.FollowupSupervisorCallback, r.ID).Take(&cb).Error; err != nil {
			t.Fatal(err)
		}
		in := survey.AttemptInput{Outcome: survey.OutcomeReached, Note: "已致歉"}
		_, _, err = e.svc.RecordAttempt(agent(5), cb.ID, in)
		wantErr(t, err, apperr.KindForbidden, "own_ticket_followup")
		_, _, err = e.svc.RecordAttempt(agent(9), cb.ID, in)
		wantErr(t, err, apperr.KindForbidden, "supervisor_callback")
		if fu, _, err := e.svc.RecordAttempt(supervisor(8), cb.ID, in); err != nil || fu.Status != survey.FUDone {
			t.Fatalf("supervisor: %v", err)
		}
	})
}

func deref(p *uint64) uint64 {
	if p == nil {
		return 0
	}
	return *p
}
