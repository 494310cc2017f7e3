package survey

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/event"
)

// Form is what a public survey link shows: the questions, never an answer.
type Form struct {
	InvitationID uint64
	Template     Template
	TicketNumber string
	ExpiresAt    *time.Time
}

// errAlreadyAnswered is the 409 of a second submission.
func errAlreadyAnswered() error {
	return apperr.Conflict("already_answered", "this survey has already been answered, thank you")
}

// invitationByToken finds the invitation of a link token and checks it can
// still be answered. Errors: not found (unknown token), conflict
// (already_answered), gone (survey_expired).
func (s *Service) invitationByToken(g *gorm.DB, token string) (Invitation, error) {
	token = strings.TrimSpace(token)
	if token == "" || len(token) > 128 {
		return Invitation{}, apperr.NotFound("survey")
	}
	var inv Invitation
	if err := db.Take(g.Where("token_hash = ?", TokenHash(token)), &inv, "survey"); err != nil {
		return Invitation{}, err
	}
	switch inv.EffectiveStatus(s.now()) {
	case InvAnswered, InvCancelled:
		return inv, errAlreadyAnswered()
	case InvExpired:
		return inv, apperr.Gone("survey_expired", "this survey link has expired")
	case InvSent:
		return inv, nil
	}
	return inv, apperr.NotFound("survey")
}

// PublicForm returns the form of a link. It reads and never writes: mail
// and chat scanners open links, so a GET must not count as an answer or even
// as an "open". Errors: not found, conflict (already_answered), gone
// (survey_expired).
func (s *Service) PublicForm(ctx context.Context, token string) (Form, error) {
	db := s.o.DB.WithContext(ctx)
	inv, err := s.invitationByToken(db, token)
	if err != nil {
		return Form{}, wrap(err, "survey form")
	}
	t, err := s.loadTemplate(db, inv.TemplateID)
	if err != nil {
		return Form{}, wrap(err, "survey form")
	}
	return Form{InvitationID: inv.ID, Template: t, TicketNumber: inv.TicketNumber, ExpiresAt: inv.ExpiresAt}, nil
}

// SubmitPublic records the answers given through a link, once. Errors: not
// found, gone (survey_expired), conflict (already_answered, also when two
// submissions race), validation (answers.<code> for each bad answer).
func (s *Service) SubmitPublic(ctx context.Context, token string, answers map[string]any, comment string) (Response, error) {
	a := actor.From(ctx)
	if a.UserID == 0 {
		a.Username = "customer:link"
		ctx = actor.With(ctx, a)
	}
	var resp Response
	var callback *Followup
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		inv, err := s.invitationByToken(tx, token)
		if err != nil {
			return err
		}
		resp, callback, err = s.record(ctx, tx, inv, nil, answers, comment)
		return err
	})
	if err != nil {
		return Response{}, wrap(err, "submit survey")
	}
	return s.afterResponse(ctx, resp, callback), nil
}

// record validates answers against the invitation's template and records the
// response inside tx: the invitation is marked answered, the respondent's
// other open invitations (the other channel) are cancelled with their
// follow-up, and a dissatisfied answer schedules a supervisor call-back.
func (s *Service) record(ctx context.Context, tx *gorm.DB, inv Invitation, fu *Followup, raw map[string]any, comment string) (Response, *Followup, error) {
	t, err := s.loadTemplate(tx, inv.TemplateID)
	if err != nil {
		return Response{}, nil, err
	}
	comment = strings.TrimSpace(comment)
	answers, fields := ValidateAnswers(t.Questions, raw)
	if utf8.RuneCountInString(comment) > maxTextAnswer {
		if fields == nil {
			fields = apperr.Fields{}
		}
		fields["comment"] = apperr.TooLong(maxTextAnswer)
	}
	if len(fields) > 0 {
		return Response{}, nil, apperr.FieldsErr(fields)
	}
	sc := ScoresOf(answers)
	js, err := json.Marshal(answers)
	if err != nil {
		return Response{}, nil, err
	}
	now := s.now()
	a := actor.From(ctx)
	r := Response{RespondentKey: inv.RespondentKey, InvitationID: inv.ID, TemplateID: t.ID, Kind: inv.Kind, Channel: inv.Channel,
		TicketID: inv.TicketID, CustomerID: inv.CustomerID, UnitID: inv.UnitID, OutletID: inv.OutletID, AgentID: inv.AgentID,
		TechnicianID: inv.TechnicianID, AnsweredAt: now, Csat: sc.CSAT, Nps: sc.NPS, AgentScore: sc.Agent,
		TechnicianScore: sc.Technician, MinScore: sc.Min, Answers: string(js), Comment: comment, RecordedBy: a.Username, CreatedAt: now}
	if fu != nil {
		r.FollowupID = &fu.ID
	}
	if Dissatisfied(sc, s.o.Settings.DissatisfiedAtOrBelow) {
		r.Dissatisfied, r.ActionStatus = true, "pending"
		r.Action = s.o.Settings.DissatisfiedAction
		if r.Action == ActionReopenTicket && r.TicketID == nil {
			r.Action = ActionComplaint
		}
	}
	var n int64
	if err := tx.Model(&Response{}).Where("respondent_key = ?", r.RespondentKey).Count(&n).Error; err != nil {
		return Response{}, nil, err
	}
	if n > 0 {
		return Response{}, nil, errAlreadyAnswered()
	}
	if err := tx.Create(&r).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return Response{}, nil, errAlreadyAnswered()
		}
		return Response{}, nil, err
	}
	if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: "create", Entity: "survey_response", EntityID: idStr(r.ID), After: r}); err != nil {
		return Response{}, nil, err
	}
	if err := bump(tx, "survey_response_stats", [][2]any{{"hour", hourOf(r.AnsweredAt)}}, responseIncs(r)); err != nil {
		return Response{}, nil, err
	}
	// The invitation answered, conditionally: a concurrent answer through
	// the same invitation loses here.
	res := tx.Model(&Invitation{}).Where("id = ? AND status = ?", inv.ID, InvSent).
		Updates(map[string]any{"status": InvAnswered, "answered_at": now, "response_id": r.ID, "version": gorm.Expr("version + 1"), "updated_at": now})
	if res.Error != nil {
		return Response{}, nil, res.Error
	}
	if res.RowsAffected != 1 {
		return Response{}, nil, errAlreadyAnswered()
	}
	if inv.SentAt != nil {
		if err := bumpInvitation(tx, *inv.SentAt, inv.Channel, map[string]int64{"answered": 1}); err != nil {
			return Response{}, nil, err
		}
	}
	after := inv
	after.Status, after.AnsweredAt, after.ResponseID, after.Version = InvAnswered, &now, &r.ID, inv.Version+1
	if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: "answer", Entity: "survey_invitation", EntityID: idStr(inv.ID), Before: inv, After: after}); err != nil {
		return Response{}, nil, err
	}
	if err := s.cancelOthers(ctx, tx, inv, r.ID, fu); err != nil {
		return Response{}, nil, err
	}
	var callback *Followup
	if r.Dissatisfied {
		cb := Followup{DedupeKey: fmt.Sprintf("callback:%d", r.ID), Kind: FollowupSupervisorCallback, Status: FUDue,
			SourceResponseID: &r.ID, TemplateID: t.ID, TicketID: inv.TicketID, TicketNumber: inv.TicketNumber, CustomerID: inv.CustomerID,
			UnitID: inv.UnitID, OutletID: inv.OutletID, AgentID: inv.AgentID, ClosedAt: inv.ClosedAt,
			DueAt: now.Add(s.o.Settings.CallbackWithin), Version: 1, CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(&cb).Error; err != nil {
			return Response{}, nil, err
		}
		if err := bumpFollowup(tx, cb.CreatedAt, cb.Kind, map[string]int64{"total": 1}); err != nil {
			return Response{}, nil, err
		}
		if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: "create", Entity: "survey_followup", EntityID: idStr(cb.ID), After: cb}); err != nil {
			return Response{}, nil, err
		}
		callback = &cb
		if err := s.o.Bus.Enqueue(tx, event.SurveyCallbackDue.New(Topic, event.CallbackDue{FollowupID: cb.ID, ResponseID: r.ID,
			TicketID: cb.TicketID, TicketNumber: cb.TicketNumber, CustomerID: cb.CustomerID, OutletID: cb.OutletID, DueAt: cb.DueAt})); err != nil {
			return Response{}, nil, err
		}
	}
	if err := s.o.Bus.Enqueue(tx, event.SurveyAnswered.New(Topic, event.SurveyAnswer{ResponseID: r.ID, InvitationID: r.InvitationID,
		TicketID: r.TicketID, CustomerID: r.CustomerID, UnitID: r.UnitID, Channel: r.Channel, Kind: r.Kind, Csat: r.Csat, Nps: r.Nps,
		AgentScore: r.AgentScore, TechnicianScore: r.TechnicianScore, Dissatisfied: r.Dissatisfied})); err != nil {
		return Response{}, nil, err
	}
	return r, callback, nil
}

// cancelOthers closes the respondent's other open invitations and their
// 回访 once one channel has the answer (except the follow-up answering now).
func (s *Service) cancelOthers(ctx context.Context, tx *gorm.DB, answered Invitation, responseID uint64, answering *Followup) error {
	var others []Invitation
	if err := tx.Where("respondent_key = ? AND id <> ? AND status IN ?", answered.RespondentKey, answered.ID,
		[]string{InvScheduled, InvSent}).Find(&others).Error; err != nil {
		return err
	}
	now := s.now()
	for _, o := range others {
		if err := tx.Model(&Invitation{}).Where("id = ?", o.ID).Updates(map[string]any{"status": InvCancelled,
			"version": gorm.Expr("version + 1"), "updated_at": now}).Error; err != nil {
			return err
		}
		if o.Status == InvSent && o.SentAt != nil {
			// A cancelled invitation no longer counts as sent.
			if err := bumpInvitation(tx, *o.SentAt, o.Channel, map[string]int64{"sent": -1}); err != nil {
				return err
			}
		}
		if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: "cancel", Entity: "survey_invitation", EntityID: idStr(o.ID),
			Before: map[string]any{"status": o.Status}, After: map[string]any{"status": InvCancelled, "answered_by_response": responseID}}); err != nil {
			return err
		}
		q := tx.Model(&Followup{}).Where("invitation_id = ? AND status = ?", o.ID, FUDue)
		if answering != nil {
			q = q.Where("id <> ?", answering.ID)
		}
		var fus []Followup
		if err := q.Find(&fus).Error; err != nil {
			return err
		}
		for _, fu := range fus {
			fid := fu.ID
			if err := bumpFollowup(tx, fu.CreatedAt, fu.Kind, map[string]int64{"cancelled": 1}); err != nil {
				return err
			}
			// The note is a reason code the UI says (labels.reasons).
			if err := tx.Model(&Followup{}).Where("id = ?", fid).Updates(map[string]any{"status": FUCancelled, "completed_at": now,
				"note": "answered_elsewhere", "version": gorm.Expr("version + 1"), "updated_at": now}).Error; err != nil {
				return err
			}
			if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: "cancel", Entity: "survey_followup", EntityID: idStr(fid),
				Before: map[string]any{"status": FUDue}, After: map[string]any{"status": FUCancelled, "answered_by_response": responseID}}); err != nil {
				return err
			}
		}
	}
	return nil
}

// afterResponse runs after the response (and its survey.answered event)
// committed: for a dissatisfied answer the complaint or reopen (retried by the dispatch
// job if it fails now). It returns the response as it stands afterwards.
func (s *Service) afterResponse(ctx context.Context, r Response, callback *Followup) Response {
	if !r.Dissatisfied {
		return r
	}
	var cbID *uint64
	if callback != nil {
		cbID = &callback.ID
	}
	if err := s.actOn(ctx, r, cbID); err != nil {
		s.o.Log.Error("survey: dissatisfied action failed; the dispatch job retries it", "response_id", r.ID, "err", err)
		return r
	}
	var fresh Response
	if err := s.o.DB.WithContext(ctx).Where("id = ?", r.ID).Take(&fresh).Error; err != nil {
		return r
	}
	return fresh
}

// actOn opens the complaint or reopens the ticket for a dissatisfied
// response and marks the action done. A reopen that the ticket side refuses
// (e.g. the ticket is already open again) falls back to a complaint, so a
// dissatisfied customer is never dropped.
func (s *Service) actOn(ctx context.Context, r Response, callbackID *uint64) error {
	action := r.Action
	var complaintID *uint64
	var as []Answer
	_ = json.Unmarshal([]byte(r.Answers), &as)
	unsolved := ScoresOf(as).Unsolved
	if action == ActionReopenTicket && r.TicketID != nil && s.o.Tickets != nil {
		// A reason code the UI says (labels.reasons), then the response and its lowest score.
		reason := fmt.Sprintf("survey_dissatisfied: #%d (%d/5)", r.ID, deref(r.MinScore))
		if unsolved {
			reason = fmt.Sprintf("survey_unsolved: #%d", r.ID)
		}
		if err := s.o.Tickets.Reopen(ctx, *r.TicketID, reason); err != nil {
			if apperr.IsKind(err, apperr.KindInternal) {
				return err
			}
			s.o.Log.Warn("survey: ticket reopen refused; opening a complaint instead", "ticket_id", *r.TicketID, "err", err)
			action = ActionComplaint
		}
	} else {
		action = ActionComplaint
	}
	if action == ActionComplaint {
		if s.o.Complaints == nil {
			return fmt.Errorf("no complaint opener wired")
		}
		var number string
		var inv Invitation
		if err := s.o.DB.WithContext(ctx).Select("ticket_number", "work_order_id", "technician_id").Where("id = ?", r.InvitationID).Take(&inv).Error; err == nil {
			number = inv.TicketNumber
		}
		tech := r.TechnicianID
		if tech == nil {
			tech = inv.TechnicianID
		}
		cid, err := s.o.Complaints.OpenFromSurvey(ctx, Dissatisfaction{ResponseID: r.ID, CustomerID: r.CustomerID, TicketID: r.TicketID,
			TicketNumber: number, UnitID: r.UnitID, OutletID: r.OutletID, Channel: r.Channel, MinScore: deref(r.MinScore),
			LowestTarget: DecidingTarget(as, s.o.Settings.DissatisfiedAtOrBelow), Unsolved: unsolved,
			WorkOrderID: inv.WorkOrderID, TechnicianID: tech, Comment: commentOf(r)})
		if err != nil {
			return err
		}
		complaintID = &cid
	}
	if callbackID == nil {
		var cb Followup
		if err := s.o.DB.WithContext(ctx).Select("id").Where("dedupe_key = ?", fmt.Sprintf("callback:%d", r.ID)).Take(&cb).Error; err == nil {
			callbackID = &cb.ID
		}
	}
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Response{}).Where("id = ? AND action_status = ?", r.ID, "pending").
			Updates(map[string]any{"action": action, "action_status": "done", "complaint_id": complaintID})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return nil // marked by a concurrent run, which recorded the event
		}
		if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: "dissatisfied_action", Entity: "survey_response", EntityID: idStr(r.ID),
			Before: map[string]any{"action_status": "pending"}, After: map[string]any{"action": action, "action_status": "done", "complaint_id": complaintID}}); err != nil {
			return err
		}
		return s.o.Bus.Enqueue(tx, event.SurveyDissatisfied.New(Topic, event.SurveyDissatisfaction{ResponseID: r.ID, TicketID: r.TicketID,
			CustomerID: r.CustomerID, UnitID: r.UnitID, MinScore: r.MinScore, Channel: r.Channel, Action: action, ComplaintID: complaintID,
			CallbackFollowupID: callbackID}))
	})
	if err != nil {
		return fmt.Errorf("mark dissatisfied action done: %w", err)
	}
	return nil
}

// RetryDissatisfied retries dissatisfied responses whose action is still
// pending a minute after they were recorded.
func (s *Service) RetryDissatisfied(ctx context.Context) error {
	var rs []Response
	if err := s.o.DB.WithContext(ctx).Where("dissatisfied = ? AND action_status = ? AND answered_at < ?", true, "pending",
		s.now().Add(-time.Minute)).Order("id").Limit(200).Find(&rs).Error; err != nil {
		return fmt.Errorf("survey: scan pending dissatisfied: %w", err)
	}
	var firstErr error
	for _, r := range rs {
		if err := s.actOn(ctx, r, nil); err != nil {
			s.o.Log.Error("survey: dissatisfied action retry", "response_id", r.ID, "err", err)
			if firstErr == nil {
				firstErr = err
			}
		}
	}
	return firstErr
}

// commentOf joins the free-text answers and the comment of a response.
func commentOf(r Response) string {
	var as []Answer
	_ = json.Unmarshal([]byte(r.Answers), &as)
	var parts []string
	for _, a := range as {
		if a.Type == TypeText && a.Text != "" {
			parts = append(parts, a.Text)
		}
	}
	if r.Comment != "" {
		parts = append(parts, r.Comment)
	}
	return strings.Join(parts, "；")
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}
