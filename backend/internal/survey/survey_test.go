package survey_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/survey"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

type opener struct {
	mu    sync.Mutex
	calls []survey.Dissatisfaction
	fail  bool
}

func (o *opener) OpenFromSurvey(_ context.Context, d survey.Dissatisfaction) (uint64, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.fail {
		return 0, errors.New("complaint service down")
	}
	o.calls = append(o.calls, d)
	return 900 + d.ResponseID, nil
}

type reopener struct {
	calls  []uint64
	refuse bool
}

func (r *reopener) Reopen(_ context.Context, id uint64, reason string) error {
	if r.refuse {
		return apperr.Conflict("invalid_transition", "ticket is open")
	}
	r.calls = append(r.calls, id)
	return nil
}

type env struct {
	svc   *survey.Service
	clk   *testutil.Clock
	open  *opener
	reop  *reopener
	bus   *event.MemoryBus
	names []string
	mu    sync.Mutex
	db    *gorm.DB
}

func (e *env) count(name string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, x := range e.names {
		if x == name {
			n++
		}
	}
	return n
}

func newEnv(t *testing.T, db *gorm.DB, mod func(*survey.Settings)) *env {
	t.Helper()
	e := &env{clk: testutil.NewClock(time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)), open: &opener{}, reop: &reopener{}, bus: event.NewMemoryBus(), db: db}
	e.bus.Subscribe(func(ev event.Event) { e.mu.Lock(); e.names = append(e.names, ev.Name); e.mu.Unlock() })
	st := survey.DefaultSettings()
	st.BaseURL = "https://service.example.cn"
	if mod != nil {
		mod(&st)
	}
	e.svc = survey.New(survey.Options{DB: db, Audit: audit.New(nil), Bus: e.bus, Now: e.clk.Now, Settings: st, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Complaints: e.open, Tickets: e.reop, Location: time.FixedZone("CST", 8*3600),
		Supervisor: func(a actor.Actor) bool { return a.HasRole("quality_manager") }})
	if err := e.svc.EnsureDefaultTemplates(system()); err != nil {
		t.Fatal(err)
	}
	return e
}

func supervisor(id uint64) context.Context {
	return actor.With(context.Background(), actor.Actor{UserID: id, Username: "qm" + strconv.FormatUint(id, 10), Roles: []string{"quality_manager"}})
}

func system() context.Context { return actor.With(context.Background(), actor.System("test")) }

func agent(id uint64) context.Context {
	return actor.With(context.Background(), actor.Actor{UserID: id, Username: "agent" + strconv.FormatUint(id, 10), Roles: []string{"hotline_agent"}})
}

func u(v uint64) *uint64 { return &v }

func tokenOf(t *testing.T, link string) string {
	t.Helper()
	i := strings.LastIndex(link, "/survey/")
	if i < 0 {
		t.Fatalf("link %q", link)
	}
	return link[i+len("/survey/"):]
}

func wantErr(t *testing.T, err error, kind apperr.Kind, code string) *apperr.Error {
	t.Helper()
	e := apperr.As(err)
	if err == nil || e.Kind != kind || (code != "" && e.Code != code) {
		t.Fatalf("want %s/%s, got %v", kind, code, err)
	}
	return e
}

func count(t *testing.T, db *gorm.DB, model any, where string, args ...any) int64 {
	t.Helper()
	var n int64
	q := db.Model(model)
	if where != "" {
		q = q.Where(where, args...)
	}
	if err := q.Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

var good = map[string]any{"overall": 5, "agent": 5, "technician": 4, "solved": true, "recommend": 9}

func TestLinkFetchedThenSubmittedOnce(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db, nil)
		inv, link, err := e.svc.Invite(system(), survey.InviteInput{Channel: survey.ChannelLink, CustomerID: 11, TicketID: u(501), TicketNumber: "GD20260601-0001"})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(link, "https://service.example.cn/survey/") {
			t.Fatalf("link %s", link)
		}
		token := tokenOf(t, link)
		// Only the hash is stored.
		if inv.TokenHash == nil || *inv.TokenHash == token || *inv.TokenHash != survey.TokenHash(token) {
			t.Fatal("token must be stored as its SHA-256 only")
		}
		if count(t, db, &survey.Invitation{}, "token_hash = ?", token) != 0 {
			t.Fatal("raw token found in the table")
		}
		auditBefore := count(t, db, &audit.Record{}, "")
		// A scanner fetching the link records nothing.
		for i := 0; i < 3; i++ {
			f, err := e.svc.PublicForm(context.Background(), token)
			if err != nil || len(f.Template.Questions) != 6 || f.TicketNumber != "GD20260601-0001" {
				t.Fatalf("form: %v", err)
			}
		}
		var after survey.Invitation
		db.Where("id = ?", inv.ID).Take(&after)
		if after.Version != inv.Version || after.Status != survey.InvSent || count(t, db, &survey.Response{}, "") != 0 || count(t, db, &audit.Record{}, "") != auditBefore {
			t.Fatal("GET recorded something")
		}
		// A bad answer names the question; nothing is written.
		_, err = e.svc.SubmitPublic(context.Background(), token, map[string]any{"agent": 4}, "")
		ae := wantErr(t, err, apperr.KindValidation, "validation_failed")
		if ae.Fields["answers.overall"].Code == "" {
			t.Fatalf("fields %v", ae.Fields)
		}
		if count(t, db, &survey.Response{}, "") != 0 {
			t.Fatal("invalid answers recorded")
		}
		r, err := e.svc.SubmitPublic(context.Background(), token, good, "师傅很专业")
		if err != nil || r.Csat == nil || *r.Csat != 5 || *r.Nps != 9 || r.Dissatisfied || r.Channel != survey.ChannelLink {
			t.Fatalf("submit: %v %+v", err, r)
		}
		_, err = e.svc.SubmitPublic(context.Background(), token, good, "")
		wantErr(t, err, apperr.KindConflict, "already_answered")
		_, err = e.svc.PublicForm(context.Background(), token)
		wantErr(t, err, apperr.KindConflict, "already_answered")
		if count(t, db, &survey.Response{}, "") != 1 || e.count("survey.answered") != 1 {
			t.Fatal("recorded more than once")
		}
		// Another invitation for the same customer and ticket cannot add a second response.
		_, _, err = e.svc.Invite(system(), survey.InviteInput{Channel: survey.ChannelPhone, CustomerID: 11, TicketID: u(501)})
		wantErr(t, err, apperr.KindConflict, "already_answered")

		// Expired links: 410 on GET and POST.
		_, link2, err := e.svc.Invite(system(), survey.InviteInput{Channel: survey.ChannelLink, CustomerID: 12, TicketID: u(502)})
		if err != nil {
			t.Fatal(err)
		}
		e.clk.Add(7*24*time.Hour + time.Second)
		_, err = e.svc.PublicForm(context.Background(), tokenOf(t, link2))
		wantErr(t, err, apperr.KindGone, "survey_expired")
		_, err = e.svc.SubmitPublic(context.Background(), tokenOf(t, link2), good, "")
		wantErr(t, err, apperr.KindGone, "survey_expired")
		// Unknown token.
		_, err = e.svc.PublicForm(context.Background(), "nope")
		wantErr(t, err, apperr.KindNotFound, "not_found")
		_, err = e.svc.SubmitPublic(context.Background(), strings.Repeat("x", 43), good, "")
		wantErr(t, err, apperr.KindNotFound, "not_found")
	})
}

func TestDissatisfiedOpensComplaintAndSchedulesCallback(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db, nil)
		_, link, err := e.svc.Invite(system(), survey.InviteInput{Channel: survey.ChannelLink, CustomerID: 21, TicketID: u(601),
			TicketNumber: "GD-601", AgentID: u(5), UnitID: u(77)})
		if err != nil {
			t.Fatal(err)
		}
		r, err := e.svc.SubmitPublic(context.Background(), tokenOf(t, link), map[string]any{"overall": 3, "agent": 1, "solved": true, "comment": "客服态度差"}, "")
		if err != nil || !r.Dissatisfied {
			t.Fatalf("submit: %v", err)
		}
		if len(e.open.calls) != 1 || e.open.calls[0].ResponseID != r.ID || e.open.calls[0].LowestTarget != survey.TargetAgent ||
			e.open.calls[0].MinScore != 1 || e.open.calls[0].TicketNumber != "GD-601" || !strings.Contains(e.open.calls[0].Comment, "客服态度差") {
			t.Fatalf("complaint opener calls %+v", e.open.calls)
		}
		var got survey.Response
		db.Where("id = ?", r.ID).Take(&got)
		if got.ActionStatus != "done" || got.Action != survey.ActionComplaint || got.ComplaintID == nil || *got.ComplaintID != 900+r.ID {
			t.Fatalf("response action %+v", got)
		}
		var cb survey.Followup
		if err := db.Where("kind = ? AND source_response_id = ?", survey.FollowupSupervisorCallback, r.ID).Take(&cb).Error; err != nil {
			t.Fatal("no supervisor call-back scheduled")
		}
		if !cb.DueAt.Equal(e.clk.Now().Truncate(time.Millisecond).Add(24*time.Hour)) || cb.AgentID == nil || *cb.AgentID != 5 {
			t.Fatalf("call-back %+v", cb)
		}
		if e.count("survey.dissatisfied") != 1 {
			t.Fatal("survey.dissatisfied not published")
		}
		// The supervisor's call-back closes with a note; answers are refused.
		_, _, err = e.svc.RecordAttempt(supervisor(9), cb.ID, survey.AttemptInput{Outcome: survey.OutcomeReached, Answers: map[string]any{"overall": 5}})
		wantErr(t, err, apperr.KindValidation, "")
		fu, _, err := e.svc.RecordAttempt(supervisor(9), cb.ID, survey.AttemptInput{Outcome: survey.OutcomeReached, Note: "已致歉并赠送延保一年"})
		if err != nil || fu.Status != survey.FUDone {
			t.Fatalf("call-back: %v %s", err, fu.Status)
		}
	})
}

func TestDissatisfiedReopensTicketWhenConfigured(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db, func(s *survey.Settings) { s.DissatisfiedAction = survey.ActionReopenTicket })
		_, link, _ := e.svc.Invite(system(), survey.InviteInput{Channel: survey.ChannelLink, CustomerID: 31, TicketID: u(701)})
		r, err := e.svc.SubmitPublic(context.Background(), tokenOf(t, link), map[string]any{"overall": 2, "agent": 4, "solved": false}, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(e.reop.calls) != 1 || e.reop.calls[0] != 701 || len(e.open.calls) != 0 {
			t.Fatalf("reopen %v complaints %v", e.reop.calls, e.open.calls)
		}
		if count(t, db, &survey.Followup{}, "kind = ? AND source_response_id = ?", survey.FollowupSupervisorCallback, r.ID) != 1 {
			t.Fatal("no call-back")
		}
		// A reopen the ticket side refuses falls back to a complaint.
		e.reop.refuse = true
		_, link2, _ := e.svc.Invite(system(), survey.InviteInput{Channel: survey.ChannelLink, CustomerID: 32, TicketID: u(702)})
		r2, err := e.svc.SubmitPublic(context.Background(), tokenOf(t, link2), map[string]any{"overall": 1, "agent": 1, "solved": false}, "")
		if err != nil || len(e.open.calls) != 1 {
			t.Fatalf("fallback: %v %v", err, e.open.calls)
		}
		var got survey.Response
		db.Where("id = ?", r2.ID).Take(&got)
		if got.Action != survey.ActionComplaint || got.ActionStatus != "done" {
			t.Fatalf("fallback action %+v", got)
		}
		// A failing complaint side leaves the action pending; the job retries it.
		e.open.fail = true
		_, link3, _ := e.svc.Invite(system(), survey.InviteInput{Channel: survey.ChannelLink, CustomerID: 33, Kind: survey.KindRelationship})
		r3, err := e.svc.SubmitPublic(context.Background(), tokenOf(t, link3), map[string]any{"recommend": 3, "overall": 2, "product": 4}, "")
		if err != nil {
			t.Fatal(err)
		}
		got = survey.Response{}
		db.Where("id = ?", r3.ID).Take(&got)
		if got.ActionStatus != "pending" {
			t.Fatalf("want pending, got %+v", got)
		}
		e.open.fail = false
		e.clk.Add(2 * time.Minute)
		if err := e.svc.Dispatch(system()); err != nil {
			t.Fatal(err)
		}
		got = survey.Response{}
		db.Where("id = ?", r3.ID).Take(&got)
		if got.ActionStatus != "done" || got.ComplaintID == nil {
			t.Fatalf("retry: %+v", got)
		}
	})
}

func TestOwnAgentNeverRates(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db, func(s *survey.Settings) { s.LinkRate = 1 })
		closed := e.clk.Now().Add(-time.Hour)
		c := survey.Closed{TicketID: u(801), TicketNumber: "GD-801", CustomerID: 41, UnitID: u(88), AgentID: u(7), ClosedAt: closed}
		if err := e.svc.OnClosed(system(), c); err != nil {
			t.Fatal(err)
		}
		// Re-delivery of the event creates nothing more.
		if err := e.svc.OnClosed(system(), c); err != nil {
			t.Fatal(err)
		}
		if count(t, db, &survey.Invitation{}, "") != 2 || count(t, db, &survey.Followup{}, "") != 1 {
			t.Fatal("one link and one phone invitation, one 回访")
		}
		fus, total, err := e.svc.ListFollowups(agent(8), survey.FollowupFilter{})
		if err != nil || total != 1 {
			t.Fatalf("queue: %v %d", err, total)
		}
		fu := fus[0]
		if !fu.DueAt.Equal(closed.Truncate(time.Millisecond).Add(72 * time.Hour)) {
			t.Fatalf("回访 due %v, want 3 days after close", fu.DueAt)
		}
		if _, total, _ := e.svc.ListFollowups(agent(7), survey.FollowupFilter{ExcludeAgent: 7}); total != 0 {
			t.Fatal("the ticket's agent sees their own 回访 with exclude_own")
		}
		_, _, err = e.svc.RecordAttempt(agent(7), fu.ID, survey.AttemptInput{Outcome: survey.OutcomeReached, Answers: good})
		wantErr(t, err, apperr.KindForbidden, "own_ticket_followup")
		if count(t, db, &survey.Response{}, "") != 0 || count(t, db, &survey.Attempt{}, "") != 0 {
			t.Fatal("own agent's rating recorded")
		}
		got, r, err := e.svc.RecordAttempt(agent(8), fu.ID, survey.AttemptInput{Outcome: survey.OutcomeReached, Answers: good})
		if err != nil || got.Status != survey.FUAnswered || r == nil || r.Channel != survey.ChannelPhone || r.FollowupID == nil {
			t.Fatalf("other agent: %v %+v", err, got)
		}
		// The link for the same ticket is now closed: one response per respondent.
		if count(t, db, &survey.Invitation{}, "channel = ? AND status = ?", survey.ChannelLink, survey.InvCancelled) != 1 {
			t.Fatal("link invitation not cancelled")
		}
		_, _, err = e.svc.RecordAttempt(agent(8), fu.ID, survey.AttemptInput{Outcome: survey.OutcomeNoAnswer})
		wantErr(t, err, apperr.KindConflict, "followup_closed")
	})
}

func TestFollowupUnreachableAfterAttempts(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db, func(s *survey.Settings) { s.LinkRate = 0; s.MaxAttempts = 3 })
		for i, tid := range []uint64{901, 902} {
			if err := e.svc.OnClosed(system(), survey.Closed{TicketID: u(tid), CustomerID: uint64(50 + i), ClosedAt: e.clk.Now()}); err != nil {
				t.Fatal(err)
			}
		}
		fus, _, _ := e.svc.ListFollowups(agent(8), survey.FollowupFilter{})
		if len(fus) != 2 {
			t.Fatalf("%d follow-ups", len(fus))
		}
		a, b := fus[0], fus[1]
		for i, o := range []string{survey.OutcomeNoAnswer, survey.OutcomeBusy, survey.OutcomeNoAnswer} {
			got, _, err := e.svc.RecordAttempt(agent(8), a.ID, survey.AttemptInput{Outcome: o})
			if err != nil {
				t.Fatal(err)
			}
			want := survey.FUDue
			if i == 2 {
				want = survey.FUUnreachable
			}
			if got.Status != want || got.Attempts != i+1 {
				t.Fatalf("attempt %d: %s %d", i+1, got.Status, got.Attempts)
			}
		}
		_, _, err := e.svc.RecordAttempt(agent(8), a.ID, survey.AttemptInput{Outcome: survey.OutcomeNoAnswer})
		wantErr(t, err, apperr.KindConflict, "followup_closed")
		got, _, err := e.svc.RecordAttempt(agent(8), b.ID, survey.AttemptInput{Outcome: survey.OutcomeWrongNumber})
		if err != nil || got.Status != survey.FUUnreachable {
			t.Fatalf("wrong number: %v %s", err, got.Status)
		}
		if count(t, db, &survey.Invitation{}, "status = ?", survey.InvUnreachable) != 2 {
			t.Fatal("invitations not marked unreachable")
		}
		_, _, err = e.svc.RecordAttempt(agent(8), b.ID, survey.AttemptInput{Outcome: "maybe"})
		wantErr(t, err, apperr.KindValidation, "")
		_, _, err = e.svc.RecordAttempt(agent(8), 999999, survey.AttemptInput{Outcome: survey.OutcomeBusy})
		wantErr(t, err, apperr.KindNotFound, "")
	})
}

func TestLinksSentAfterDelay(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db, func(s *survey.Settings) { s.LinkRate = 1; s.FollowupRate = 0 })
		if err := e.svc.OnClosed(system(), survey.Closed{TicketID: u(1001), CustomerID: 60, ClosedAt: e.clk.Now()}); err != nil {
			t.Fatal(err)
		}
		// A work order completing for the same ticket adds the technician, not a second invitation.
		if err := e.svc.OnClosed(system(), survey.Closed{TicketID: u(1001), WorkOrderID: u(5), CustomerID: 60, TechnicianID: u(33), ClosedAt: e.clk.Now()}); err != nil {
			t.Fatal(err)
		}
		var inv survey.Invitation
		db.Take(&inv)
		if count(t, db, &survey.Invitation{}, "") != 1 || inv.TechnicianID == nil || *inv.TechnicianID != 33 || inv.Status != survey.InvScheduled {
			t.Fatalf("invitation %+v", inv)
		}
		if err := e.svc.Dispatch(system()); err != nil {
			t.Fatal(err)
		}
		db.Take(&inv)
		if inv.Status != survey.InvScheduled {
			t.Fatal("sent before the delay")
		}
		e.clk.Add(2 * time.Hour)
		if err := e.svc.Dispatch(system()); err != nil {
			t.Fatal(err)
		}
		db.Take(&inv)
		if inv.Status != survey.InvSent || inv.TokenHash == nil || inv.ExpiresAt == nil {
			t.Fatalf("not sent: %+v", inv)
		}
		// The annual relationship survey invites last year's customers once.
		n, err := e.svc.RunRelationship(system())
		if err != nil {
			t.Fatal(err)
		}
		n2, _ := e.svc.RunRelationship(system())
		if n2 != 0 || count(t, db, &survey.Invitation{}, "kind = ?", survey.KindRelationship) != int64(n) {
			t.Fatalf("relationship: %d then %d", n, n2)
		}
	})
}

func TestSurveyKPI(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db, func(s *survey.Settings) { s.LinkRate = 0 })
		start := e.clk.Now()
		// Five 回访: three answered (one of them dissatisfied), one unreachable, one still open.
		scores := []map[string]any{
			{"overall": 5, "agent": 5, "technician": 5, "recommend": 10, "solved": true},
			{"overall": 4, "agent": 4, "recommend": 8, "solved": true},
			{"overall": 2, "agent": 3, "technician": 1, "recommend": 3, "solved": false},
		}
		for i := 0; i < 5; i++ {
			if err := e.svc.OnClosed(system(), survey.Closed{TicketID: u(uint64(2000 + i)), CustomerID: uint64(70 + i), ClosedAt: e.clk.Now()}); err != nil {
				t.Fatal(err)
			}
		}
		fus, _, _ := e.svc.ListFollowups(agent(8), survey.FollowupFilter{})
		for i, s := range scores {
			if _, _, err := e.svc.RecordAttempt(agent(8), fus[i].ID, survey.AttemptInput{Outcome: survey.OutcomeReached, Answers: s}); err != nil {
				t.Fatal(err)
			}
		}
		e.clk.Add(4 * 24 * time.Hour) // the last two are now past their 3 days
		if _, _, err := e.svc.RecordAttempt(agent(8), fus[3].ID, survey.AttemptInput{Outcome: survey.OutcomeWrongNumber}); err != nil {
			t.Fatal(err)
		}
		// Plus one link, expired unanswered.
		if _, _, err := e.svc.Invite(system(), survey.InviteInput{Channel: survey.ChannelLink, CustomerID: 99, TicketID: u(2999)}); err != nil {
			t.Fatal(err)
		}
		e.clk.Add(8 * 24 * time.Hour)
		k, err := e.svc.KPI(context.Background(), start.Add(-time.Hour), e.clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		if k.Sent != 6 || k.Answered != 3 || k.Expired != 1 || k.Unreachable != 1 || k.Pending != 1 || k.NonResponse != 2 {
			t.Fatalf("kpi %+v", k)
		}
		if *k.ResponseRate != 0.5 || k.ByChannel["phone"].Sent != 5 || k.ByChannel["link"].Answered != 0 {
			t.Fatalf("rates %+v", k)
		}
		// CSAT (5+4+2)/3, agent (5+4+3)/3 = 4, technician (5+1)/2 = 3; NPS: one promoter, one passive, one detractor = 0.
		if k.Responses != 3 || *k.CSATAverage < 3.66 || *k.CSATAverage > 3.67 || *k.AgentAverage != 4 || *k.TechnicianAverage != 3 || *k.NPS != 0 ||
			k.Promoters != 1 || k.Passives != 1 || k.Detractors != 1 || k.Dissatisfied != 1 || k.CSATSatisfied != 2 {
			t.Fatalf("scores %+v", k)
		}
		f := k.Followups
		if f.Total != 5 || f.Answered != 3 || f.Unreachable != 1 || f.Open != 1 || f.OpenOverdue != 1 || f.Measured != 5 || f.WithinLimit != 3 || f.Callbacks != 1 || f.CallbacksLate != 1 {
			t.Fatalf("follow-ups %+v", f)
		}
	})
}

// snapshot reads the rollup tables in a stable order.
func snapshot(t *testing.T, db *gorm.DB) (inv []survey.InvitationStat, resp []survey.ResponseStat, fus []survey.FollowupStat) {
	t.Helper()
	db.Where("sent <> 0 OR answered <> 0 OR unreachable <> 0 OR refused <> 0").Order("hour, channel").Find(&inv)
	db.Order("hour").Find(&resp)
	db.Order("hour, kind").Find(&fus)
	for i := range inv {
		inv[i].Hour = inv[i].Hour.UTC()
	}
	for i := range resp {
		resp[i].Hour = resp[i].Hour.UTC()
	}
	for i := range fus {
		fus[i].Hour = fus[i].Hour.UTC()
	}
	return
}

// TestRollupsMatchRows drives every path that changes an invitation,
// response or follow-up over several hours, then checks that the hourly
// rollups kept in the same transactions equal a rebuild from the rows, and
// that the KPI read from the rollups equals the KPI computed from the rows.
func TestRollupsMatchRows(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db, func(s *survey.Settings) { s.LinkRate = 0.5; s.MaxAttempts = 2 })
		start := e.clk.Now()
		for i := 0; i < 40; i++ {
			c := survey.Closed{TicketID: u(uint64(3000 + i)), CustomerID: uint64(300 + i), AgentID: u(7), ClosedAt: e.clk.Now()}
			if err := e.svc.OnClosed(system(), c); err != nil {
				t.Fatal(err)
			}
			if i%7 == 0 {
				e.clk.Add(90 * time.Minute)
			}
		}
		e.clk.Add(3 * time.Hour)
		if err := e.svc.Dispatch(system()); err != nil { // links go out
			t.Fatal(err)
		}
		// Answer some links (their 回访 is cancelled), one of them dissatisfied.
		links, _ := e.svc.ListInvitations(system(), survey.InvitationFilter{Channel: survey.ChannelLink, Size: 200})
		for i, inv := range links {
			if i%3 != 0 {
				continue
			}
			_, link, err := e.svc.IssueLink(system(), inv.ID)
			if err != nil {
				t.Fatal(err)
			}
			ans := map[string]any{"overall": 5, "agent": 4, "solved": true, "recommend": 9 - i%10}
			if i == 0 {
				ans = map[string]any{"overall": 1, "agent": 2, "solved": false}
			}
			if _, err := e.svc.SubmitPublic(context.Background(), tokenOf(t, link), ans, ""); err != nil {
				t.Fatal(err)
			}
			e.clk.Add(20 * time.Minute)
		}
		// Work the 回访 queue: reached, no answer twice (unreachable), refused, wrong number.
		fus, _, _ := e.svc.ListFollowups(agent(8), survey.FollowupFilter{Kind: survey.FollowupAfterClose, Size: 200})
		for i, fu := range fus {
			var err error
			switch i % 5 {
			case 0, 1:
				_, _, err = e.svc.RecordAttempt(agent(8), fu.ID, survey.AttemptInput{Outcome: survey.OutcomeReached,
					Answers: map[string]any{"overall": 4 - i%4, "agent": 5, "technician": 3, "solved": true}})
			case 2:
				for k := 0; k < 2 && err == nil; k++ {
					_, _, err = e.svc.RecordAttempt(agent(8), fu.ID, survey.AttemptInput{Outcome: survey.OutcomeNoAnswer})
				}
			case 3:
				_, _, err = e.svc.RecordAttempt(agent(8), fu.ID, survey.AttemptInput{Outcome: survey.OutcomeRefused})
			case 4:
				if i > 20 {
					e.clk.Add(80 * time.Hour) // the rest are late
				}
				_, _, err = e.svc.RecordAttempt(agent(8), fu.ID, survey.AttemptInput{Outcome: survey.OutcomeWrongNumber})
			}
			if err != nil {
				t.Fatalf("follow-up %d: %v", i, err)
			}
		}
		cbs, _, _ := e.svc.ListFollowups(agent(8), survey.FollowupFilter{Kind: survey.FollowupSupervisorCallback})
		for i, cb := range cbs {
			if i%2 == 0 {
				if _, _, err := e.svc.RecordAttempt(supervisor(9), cb.ID, survey.AttemptInput{Outcome: survey.OutcomeReached, Note: "已致歉"}); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, _, err := e.svc.Invite(system(), survey.InviteInput{Channel: survey.ChannelPhone, CustomerID: 999, TicketID: u(9999)}); err != nil {
			t.Fatal(err)
		}
		e.clk.Add(8 * 24 * time.Hour) // unanswered links expire

		inv1, resp1, fu1 := snapshot(t, db)
		if len(inv1) == 0 || len(resp1) == 0 || len(fu1) == 0 {
			t.Fatal("no rollups kept")
		}
		from, to := start.Truncate(time.Hour).Add(-time.Hour), e.clk.Now().Truncate(time.Hour).Add(2*time.Hour)
		rolled, err := e.svc.KPI(context.Background(), from, to)
		if err != nil {
			t.Fatal(err)
		}
		exact, err := e.svc.KPIExact(context.Background(), from, to)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(rolled, exact) {
			t.Fatalf("rollup KPI differs from the rows:\n%+v\n%+v\n%+v\n%+v", rolled, exact, rolled.Followups, exact.Followups)
		}
		// A period that starts and ends inside hours mixes rows and rollups.
		mid, err := e.svc.KPI(context.Background(), start.Add(10*time.Minute), e.clk.Now().Add(-30*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		midExact, _ := e.svc.KPIExact(context.Background(), start.Add(10*time.Minute), e.clk.Now().Add(-30*time.Minute))
		if !reflect.DeepEqual(mid, midExact) {
			t.Fatalf("mixed KPI differs:\n%+v\n%+v", mid, midExact)
		}
		if err := e.svc.RebuildStats(context.Background()); err != nil {
			t.Fatal(err)
		}
		inv2, resp2, fu2 := snapshot(t, db)
		if !reflect.DeepEqual(inv1, inv2) || !reflect.DeepEqual(resp1, resp2) || !reflect.DeepEqual(fu1, fu2) {
			t.Fatalf("kept rollups differ from a rebuild:\n%+v\n%+v\n%+v\n%+v\n%+v\n%+v", inv1, inv2, resp1, resp2, fu1, fu2)
		}
		if rolled.Sent == 0 || rolled.Answered == 0 || rolled.Expired == 0 || rolled.Unreachable == 0 || rolled.Followups.Callbacks == 0 {
			t.Fatalf("the scenario misses a path: %+v", rolled)
		}
	})
}
