package workorder_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/testutil"
	"github.com/aftersales/aftersales/backend/internal/ticket"
	"github.com/aftersales/aftersales/backend/internal/workorder"
)

// take applies one step to w with valid input, as the outlet manager (who
// may take every outlet step; a technician acts only on work assigned to
// him) or the hotline agent.
func (f fixture) take(w workorder.WorkOrder, step string) (workorder.WorkOrder, error) {
	om := outletUser(1, "outlet_manager")
	tech := om
	switch step {
	case workorder.StepAccept:
		return f.wo.Accept(om, w.ID, 0)
	case workorder.StepReject:
		return f.wo.Reject(om, w.ID, "技师不足", 0)
	case workorder.StepAssign:
		return f.wo.AssignTechnician(om, w.ID, 11, 0)
	case workorder.StepAppointment:
		return f.wo.SetAppointment(om, w.ID, f.clock.Now().Add(2*time.Hour), nil, 0)
	case workorder.StepContact:
		return f.wo.Contact(tech, w.ID, "已电话联系", 0)
	case workorder.StepCheckIn:
		return f.wo.CheckIn(tech, w.ID, "", 0)
	case workorder.StepOnTheWay:
		return f.wo.OnTheWay(tech, w.ID, "", 0)
	case workorder.StepComplete:
		return f.wo.Complete(tech, w.ID, workorder.ResultDone, "", 0)
	case workorder.StepSignOff:
		return f.wo.SignOff(tech, w.ID, "王先生", 0)
	case workorder.StepRedispatch:
		return f.wo.Redispatch(f.agent, w.ID, nil, 0)
	case workorder.StepCancel:
		return f.wo.Cancel(f.agent, w.ID, "客户取消", 0)
	}
	return w, fmt.Errorf("unknown step %s", step)
}

// reach dispatches a new ticket to outlet 1 and takes the steps of path.
func (f fixture) reach(t *testing.T, path []string) workorder.WorkOrder {
	t.Helper()
	tk := f.newTicket(t)
	w, err := f.wo.Dispatch(f.agent, tk.ID, workorder.DispatchInput{Kind: workorder.KindRepair})
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range path {
		if w, err = f.take(w, step); err != nil {
			t.Fatalf("path %v: %s: %v", path, step, err)
		}
	}
	return w
}

// Defect 4: allowed_steps listed contact after the contact was done, and
// calling it answered 409. Offered and accepted steps now come from one
// transition table: in every state reachable on the way of a visit, every
// offered step succeeds and every other step is refused.
func TestEveryOfferedStepSucceedsAndNoOther(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		paths := [][]string{
			{},
			{"accept"},
			{"accept", "appointment"}, // scheduled without a technician: no check-in yet
			{"accept", "assign"},
			{"accept", "assign", "contact"}, // contacted: contact is no longer offered
			{"accept", "assign", "appointment", "contact"},
			{"accept", "assign", "check_in"},
			{"accept", "assign", "check_in", "complete"},
			{"accept", "assign", "check_in", "complete", "sign_off"},
			{"cancel"},
		}
		for _, path := range paths {
			w := f.reach(t, path)
			offered := w.AllowedSteps()
			if slices.Contains(path, "contact") && slices.Contains(offered, workorder.StepContact) {
				t.Fatalf("after %v contact is still offered: %v", path, offered)
			}
			for _, step := range workorder.StepNames() {
				fresh := f.reach(t, path)
				if !slices.Equal(fresh.AllowedSteps(), offered) {
					t.Fatalf("path %v offers %v, then %v", path, offered, fresh.AllowedSteps())
				}
				_, err := f.take(fresh, step)
				switch {
				case slices.Contains(offered, step) && err != nil:
					t.Errorf("after %v (%s) step %s is offered but answers %v", path, fresh.Status, step, err)
				case !slices.Contains(offered, step) && testutil.Code(err) != "invalid_transition":
					t.Errorf("after %v (%s) step %s is not offered but answers %v", path, fresh.Status, step, err)
				}
			}
		}
	})
}

// Defect 1: after the ticket was resolved and closed, the outlet could
// still accept its offer. Finishing a ticket (resolve, close, merge)
// withdraws its open offers and cancels its unstarted work orders with a
// reason, and the outlet's board topic hears of it.
func TestFinishingATicketWithdrawsItsOpenWork(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		om := outletUser(1, "outlet_manager")

		// Resolve with a pending offer: the offer is withdrawn.
		offered := f.reach(t, nil)
		*f.events = nil
		tk, _ := f.tickets.Get(f.agent, offered.TicketID)
		if _, err := f.tickets.Transition(f.agent, tk.ID, ticket.StatusResolved, "电话指导已解决", 0); err != nil {
			t.Fatal(err)
		}
		if _, err := f.wo.Accept(om, offered.ID, 0); testutil.Code(err) != "invalid_transition" {
			t.Fatalf("the outlet accepted work of a resolved ticket: %v", err)
		}
		w, _ := f.wo.Get(f.agent, offered.ID)
		if w.Status != workorder.StatusCancelled || w.CancelReason != "ticket_resolved: 电话指导已解决" || w.CancelledAt == nil {
			t.Fatalf("work order after resolve: %+v", w)
		}
		offers, _ := f.wo.Offers(f.agent, w.ID)
		if len(offers) != 1 || offers[0].Response != workorder.ResponseWithdrawn || offers[0].Reason == "" {
			t.Fatalf("offer after resolve: %+v", offers)
		}
		if !heard(*f.events, "outlet:1", "workorder.withdrawn") || !heard(*f.events, "outlet:1", "workorder.cancelled") {
			t.Fatalf("the outlet board heard nothing: %v", names(*f.events))
		}
		if _, err := f.tickets.Transition(f.agent, tk.ID, ticket.StatusClosed, "", 0); err != nil {
			t.Fatal(err)
		}

		// Close with accepted (unstarted) work: cancelled. Work on site stays.
		accepted := f.reach(t, []string{"accept", "assign"})
		onSite := f.dispatchAgain(t, accepted.TicketID)
		if _, err := f.tickets.Transition(f.agent, accepted.TicketID, ticket.StatusResolved, "", 0); err != nil {
			t.Fatal(err)
		}
		if w, _ := f.wo.Get(f.agent, accepted.ID); w.Status != workorder.StatusCancelled {
			t.Fatalf("accepted work after resolve: %s", w.Status)
		}
		if w, _ := f.wo.Get(f.agent, onSite.ID); w.Status != workorder.StatusOnSite {
			t.Fatalf("work on site was cancelled: %s", w.Status)
		}

		// Merge: the source's offer is withdrawn.
		src := f.reach(t, nil)
		target := f.newTicket(t)
		if _, err := f.tickets.Merge(f.agent, target.ID, src.TicketID, "重复来电"); err != nil {
			t.Fatal(err)
		}
		if w, _ := f.wo.Get(f.agent, src.ID); w.Status != workorder.StatusCancelled || w.CancelReason != "ticket_merged: 重复来电" {
			t.Fatalf("work of a merged ticket: %+v", w)
		}
	})
}

// dispatchAgain gives ticketID a second work order and brings it on site.
func (f fixture) dispatchAgain(t *testing.T, ticketID uint64) workorder.WorkOrder {
	t.Helper()
	one := uint64(1)
	w, err := f.wo.Dispatch(f.agent, ticketID, workorder.DispatchInput{Kind: workorder.KindRepair, OutletID: &one})
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []string{"accept", "assign", "check_in"} {
		if w, err = f.take(w, step); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	return w
}

func heard(es []event.Event, topic, name string) bool {
	return slices.ContainsFunc(es, func(e event.Event) bool { return e.Topic == topic && e.Name == name })
}

func names(es []event.Event) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Topic+" "+e.Name)
	}
	return out
}

// repairs is a fake repair domain: the outcome of each work order's repair.
type repairs map[uint64]string

func (r repairs) RepairOfWorkOrder(_ context.Context, _ *gorm.DB, id uint64) (workorder.RepairOutcome, bool, error) {
	o, ok := r[id]
	return workorder.RepairOutcome{ID: id, Number: "RP1", Outcome: o}, ok, nil
}

// Defect 2: a work order completed as done while its repair ended
// not_fixed, and the ticket resolved. The result must agree with the repair.
func TestWorkOrderResultMustAgreeWithItsRepair(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		fake := repairs{}
		f.wo.SetRepairs(fake)
		tech := outletUser(1, "technician")
		w := f.reach(t, []string{"accept", "assign", "check_in"})
		fake[w.ID] = workorder.RepairNotFixed
		_, err := f.wo.Complete(tech, w.ID, workorder.ResultDone, "", 0)
		if testutil.Code(err) != "result_disagrees_with_repair" {
			t.Fatalf("done over a not-fixed repair: %v", err)
		}
		if tk, _ := f.tickets.Get(f.agent, w.TicketID); tk.Status == ticket.StatusResolved {
			t.Fatal("the ticket resolved over a not-fixed repair")
		}
		if w, err = f.wo.Complete(tech, w.ID, workorder.ResultNotFixed, "压缩机待更换", 0); err != nil {
			t.Fatal(err)
		}
		if tk, _ := f.tickets.Get(f.agent, w.TicketID); tk.Status == ticket.StatusResolved {
			t.Fatal("a not-fixed result resolved the ticket")
		}
		// A repair still open cannot be reported done; a fixed one can.
		w2 := f.reach(t, []string{"accept", "assign", "check_in"})
		fake[w2.ID] = workorder.RepairOpen
		if _, err := f.wo.Complete(tech, w2.ID, workorder.ResultDone, "", 0); testutil.Code(err) != "result_disagrees_with_repair" {
			t.Fatalf("done over an open repair: %v", err)
		}
		fake[w2.ID] = workorder.RepairFixed
		if _, err := f.wo.Complete(tech, w2.ID, workorder.ResultDone, "", 0); err != nil {
			t.Fatal(err)
		}
	})
}

func TestResultAgreementTable(t *testing.T) {
	cases := []struct {
		result, outcome string
		want            bool
	}{
		{workorder.ResultDone, workorder.RepairNone, true},
		{workorder.ResultDone, workorder.RepairFixed, true},
		{workorder.ResultDone, workorder.RepairNotFixed, false},
		{workorder.ResultDone, workorder.RepairOpen, false},
		{workorder.ResultNoFault, workorder.RepairFixed, false},
		{workorder.ResultNotFixed, workorder.RepairNotFixed, true},
		{workorder.ResultPartsRequired, workorder.RepairNotFixed, true},
		{workorder.ResultNotFixed, workorder.RepairFixed, false},
	}
	for _, c := range cases {
		if got := workorder.ResultAgrees(c.result, c.outcome); got != c.want {
			t.Errorf("%s over %s: %v, want %v", c.result, c.outcome, got, c.want)
		}
	}
}

// recalls is a fake recall domain: it records remedies and can refuse.
type recalls struct {
	done   []uint64
	refuse error
}

func (r *recalls) RemedyForWorkOrder(_ context.Context, _ *gorm.DB, id, _ uint64, _ string) ([]event.Event, bool, error) {
	if r.refuse != nil {
		return nil, true, r.refuse
	}
	r.done = append(r.done, id)
	return []event.Event{{Topic: "recalls", Name: "recall.unit_remedied"}}, true, nil
}

// Defect 11 (dispatch side): completing a recall_remedy work order as done
// records the remedy on the campaign in the same transaction; a refusal
// (already remedied, campaign closed) refuses the completion with its 409.
func TestRecallRemedyCompletionRecordsTheRemedy(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		fake := &recalls{}
		f.wo.SetRecalls(fake)
		one := uint64(1)
		remedy := func() workorder.WorkOrder {
			tk := f.newTicket(t)
			w, err := f.wo.Dispatch(f.agent, tk.ID, workorder.DispatchInput{Kind: workorder.KindRecallRemedy, OutletID: &one})
			if err != nil {
				t.Fatal(err)
			}
			for _, step := range []string{"accept", "assign", "check_in"} {
				if w, err = f.take(w, step); err != nil {
					t.Fatalf("%s: %v", step, err)
				}
			}
			return w
		}
		w := remedy()
		if _, err := f.take(w, workorder.StepComplete); err != nil || len(fake.done) != 1 || fake.done[0] != w.ID {
			t.Fatalf("complete: %v %v", err, fake.done)
		}
		w2 := remedy()
		fake.refuse = apperr.Conflict("campaign_not_active", "the campaign is not active")
		if _, err := f.take(w2, workorder.StepComplete); testutil.Code(err) != "campaign_not_active" {
			t.Fatalf("completion over a closed campaign: %v", err)
		}
		if got, _ := f.wo.Get(f.agent, w2.ID); got.Status != workorder.StatusOnSite {
			t.Fatalf("the refused completion was recorded: %s", got.Status)
		}
		// A repair work order does not touch the campaign.
		fake.refuse = nil
		w3 := f.reach(t, []string{"accept", "assign", "check_in", "complete"})
		if len(fake.done) != 1 {
			t.Fatalf("a repair work order recorded a remedy: %v (%d)", fake.done, w3.ID)
		}
	})
}

// Defect 2, the reverse order: a work order completed as done, then its
// repair ending not_fixed, was accepted. The work order's rule answers the
// repair domain (wired in app) inside the repair's transaction.
func TestCompletedWorkOrderRefusesADisagreeingRepair(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		f.wo.SetRepairs(repairs{})
		open := f.reach(t, []string{"accept", "assign", "check_in"})
		ctx := context.Background()
		for _, outcome := range []string{workorder.RepairNotFixed, workorder.RepairFixed} {
			if err := f.wo.CheckRepairOutcome(ctx, db, open.ID, outcome); err != nil {
				t.Fatalf("work order not completed yet, repair %s: %v", outcome, err)
			}
		}
		done, err := f.take(open, workorder.StepComplete)
		if err != nil || done.Result != workorder.ResultDone {
			t.Fatalf("complete: %v %+v", err, done)
		}
		err = f.wo.CheckRepairOutcome(ctx, db, done.ID, workorder.RepairNotFixed)
		if testutil.Code(err) != "result_disagrees_with_work_order" || apperr.As(err).Kind != apperr.KindConflict {
			t.Fatalf("not_fixed repair under a done work order: %v", err)
		}
		if err := f.wo.CheckRepairOutcome(ctx, db, done.ID, workorder.RepairFixed); err != nil {
			t.Fatalf("fixed repair under a done work order: %v", err)
		}
		nf := f.reach(t, []string{"accept", "assign", "check_in"})
		if nf, err = f.wo.Complete(outletUser(1, "technician"), nf.ID, workorder.ResultNotFixed, "待配件", 0); err != nil {
			t.Fatal(err)
		}
		if err := f.wo.CheckRepairOutcome(ctx, db, nf.ID, workorder.RepairFixed); testutil.Code(err) != "result_disagrees_with_work_order" {
			t.Fatalf("fixed repair under a not_fixed work order: %v", err)
		}
		if err := f.wo.CheckRepairOutcome(ctx, db, nf.ID, workorder.RepairNotFixed); err != nil {
			t.Fatalf("not_fixed repair under a not_fixed work order: %v", err)
		}
	})
}
