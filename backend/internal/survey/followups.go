package survey

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/db"
)

// FollowupStatuses lists the stored follow-up statuses.
var FollowupStatuses = []string{FUDue, FUAnswered, FUDone, FUUnreachable, FURefused, FUCancelled}

// FollowupFilter selects follow-ups for the agents' queue.
type FollowupFilter struct {
	Status   string // due (default), answered, done, unreachable, refused, cancelled, all
	Kind     string
	TicketID *uint64
	Overdue  bool // still due after due_at
	// ExcludeAgent hides follow-ups of tickets this user handled (they may
	// not make those calls).
	ExcludeAgent uint64
	Page, Size   int
}

// ListFollowups returns a page of the queue, earliest due first, and the
// total. Errors: validation (status, kind).
func (s *Service) ListFollowups(ctx context.Context, f FollowupFilter) ([]Followup, int64, error) {
	fields := apperr.Fields{}
	if f.Status == "" {
		f.Status = FUDue
	}
	if f.Status != "all" && !slices.Contains(FollowupStatuses, f.Status) {
		fields["status"] = apperr.OneOf(append([]string{"all"}, FollowupStatuses...)...)
	}
	if f.Kind != "" && f.Kind != FollowupAfterClose && f.Kind != FollowupSupervisorCallback {
		fields["kind"] = apperr.OneOf("after_close", "supervisor_callback")
	}
	if len(fields) > 0 {
		return nil, 0, apperr.FieldsErr(fields)
	}
	q := s.o.DB.WithContext(ctx).Model(&Followup{})
	if f.Status != "all" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	if f.TicketID != nil {
		q = q.Where("ticket_id = ?", *f.TicketID)
	}
	if f.Overdue {
		q = q.Where("status = ? AND due_at < ?", FUDue, s.now())
	}
	if f.ExcludeAgent != 0 {
		q = q.Where("(agent_id IS NULL OR agent_id <> ?)", f.ExcludeAgent)
	}
	if outlet, ok := actor.From(ctx).OutletScoped(); ok {
		q = q.Where("outlet_id = ?", outlet)
	}
	f.Page, f.Size = db.PageBounds(f.Page, f.Size, 20, 0)
	out, total, err := db.OffsetPage[Followup](q, "due_at ASC, id ASC", f.Page, f.Size)
	if err != nil {
		return nil, 0, apperr.Internal(fmt.Errorf("list follow-ups: %w", err))
	}
	return out, total, nil
}

// FollowupDetail is a follow-up with its call script and attempts.
type FollowupDetail struct {
	Followup Followup
	Script   Template
	Attempts []Attempt
	// Source is the dissatisfied response a supervisor call-back is about.
	Source *Response
}

// GetFollowup returns a follow-up with the script (the template's questions)
// and its attempts. Errors: not found.
func (s *Service) GetFollowup(ctx context.Context, fid uint64) (FollowupDetail, error) {
	db := s.o.DB.WithContext(ctx)
	var d FollowupDetail
	q := db.Where("id = ?", fid)
	if outlet, ok := actor.From(ctx).OutletScoped(); ok {
		q = q.Where("outlet_id = ?", outlet)
	}
	if err := q.Take(&d.Followup).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return d, apperr.NotFound("follow-up")
		}
		return d, apperr.Internal(fmt.Errorf("get follow-up: %w", err))
	}
	t, err := s.loadTemplate(db, d.Followup.TemplateID)
	if err != nil {
		return d, wrap(err, "follow-up script")
	}
	d.Script = t
	if err := db.Where("followup_id = ?", fid).Order("id").Find(&d.Attempts).Error; err != nil {
		return d, apperr.Internal(fmt.Errorf("follow-up attempts: %w", err))
	}
	if d.Followup.SourceResponseID != nil {
		var r Response
		if err := db.Where("id = ?", *d.Followup.SourceResponseID).Take(&r).Error; err == nil {
			d.Source = &r
		}
	}
	return d, nil
}

// AttemptInput is one call of a follow-up.
type AttemptInput struct {
	Outcome string
	Answers map[string]any // the survey answers, when reached on a 回访
	Comment string
	Note    string
	Version int64 // 0: no check
}

// ErrNotSupervisor is the refusal when a user without the supervisor
// permission tries to record a supervisor call-back.
func ErrNotSupervisor() error {
	return &apperr.Error{Kind: apperr.KindForbidden, Code: "supervisor_callback",
		Message: "a supervisor call-back is made by a supervisor (permission followup:supervise)"}
}

// mayCallBack reports whether a can record a supervisor call-back.
func (s *Service) mayCallBack(a actor.Actor) bool {
	if a.UserID == 0 {
		return true // the system (imports, jobs)
	}
	return s.o.Supervisor != nil && s.o.Supervisor(a)
}

// ErrOwnTicket is the refusal when the ticket's own agent tries to rate it.
func ErrOwnTicket() error {
	return &apperr.Error{Kind: apperr.KindForbidden, Code: "own_ticket_followup",
		Message: "the agent who handled the ticket may not make its follow-up call; another agent must call"}
}

// RecordAttempt records one call. Reached on a 回访 records the answers as a
// survey response (channel phone); reached on a supervisor call-back closes
// it with the note; no answer or busy count towards survey.max_attempts,
// after which the follow-up is unreachable; a wrong number is unreachable at
// once; refused ends it as a non-response. Errors: not found, forbidden
// (own_ticket_followup: the caller handled the ticket; supervisor_callback:
// a supervisor call-back by a user without followup:supervise), validation,
// conflict (followup_closed, already_answered, version_conflict).
func (s *Service) RecordAttempt(ctx context.Context, fid uint64, in AttemptInput) (Followup, *Response, error) {
	fields := apperr.Fields{}
	if !slices.Contains(Outcomes, in.Outcome) {
		fields["outcome"] = apperr.OneOf(Outcomes...)
	}
	in.Note = strings.TrimSpace(in.Note)
	if utf8.RuneCountInString(in.Note) > 4000 {
		fields["note"] = apperr.TooLong(4000)
	}
	if in.Outcome != OutcomeReached && len(in.Answers) > 0 {
		fields["answers"] = apperr.Code("answers_only_when_reached", "answers are recorded only when the customer was reached")
	}
	if len(fields) > 0 {
		return Followup{}, nil, apperr.FieldsErr(fields)
	}
	a := actor.From(ctx)
	var out Followup
	var resp *Response
	var callback *Followup
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var fu Followup
		q := tx.Where("id = ?", fid)
		if outlet, ok := a.OutletScoped(); ok {
			q = q.Where("outlet_id = ?", outlet)
		}
		if err := db.Take(q, &fu, "follow-up"); err != nil {
			return err
		}
		if fu.AgentID != nil && a.UserID != 0 && *fu.AgentID == a.UserID {
			return ErrOwnTicket()
		}
		if fu.Kind == FollowupSupervisorCallback && !s.mayCallBack(a) {
			return ErrNotSupervisor()
		}
		if in.Version != 0 && in.Version != fu.Version {
			return apperr.ErrVersionConflict("follow-up")
		}
		if fu.Status != FUDue {
			return apperr.Conflict("followup_closed", "this follow-up is already "+fu.Status).WithDetail("status", fu.Status)
		}
		now := s.now()
		before := fu
		fu.Attempts++
		fu.LastAttemptAt, fu.LastOutcome = &now, in.Outcome
		if in.Note != "" {
			fu.Note = in.Note
		}
		finish := func(status string) {
			fu.Status, fu.CompletedAt, fu.CompletedBy = status, &now, a.Username
		}
		invStatus := ""
		switch in.Outcome {
		case OutcomeReached:
			if fu.Kind == FollowupSupervisorCallback {
				if len(in.Answers) > 0 {
					return apperr.FieldErr("answers", apperr.Code("callback_no_answers", "a supervisor call-back records a note, not survey answers"))
				}
				if in.Note == "" {
					return apperr.FieldErr("note", apperr.Code("note_agreement", "say what was agreed with the customer"))
				}
				finish(FUDone)
				break
			}
			if len(in.Answers) == 0 {
				return apperr.FieldErr("answers", apperr.Code("answers_required_when_reached", "required when the customer was reached: record the survey answers, or use outcome refused"))
			}
			if fu.InvitationID == nil {
				return apperr.Conflict("followup_closed", "this follow-up has no survey invitation")
			}
			var inv Invitation
			if err := tx.Where("id = ?", *fu.InvitationID).Take(&inv).Error; err != nil {
				return err
			}
			if inv.Status != InvSent {
				return errAlreadyAnswered()
			}
			r, cb, err := s.record(ctx, tx, inv, &fu, in.Answers, in.Comment)
			if err != nil {
				return err
			}
			resp, callback = &r, cb
			fu.ResponseID = &r.ID
			finish(FUAnswered)
		case OutcomeNoAnswer, OutcomeBusy:
			if fu.Attempts >= s.o.Settings.MaxAttempts {
				finish(FUUnreachable)
				invStatus = InvUnreachable
			}
		case OutcomeWrongNumber:
			finish(FUUnreachable)
			invStatus = InvUnreachable
		case OutcomeRefused:
			finish(FURefused)
			invStatus = InvRefused
		}
		if err := tx.Create(&Attempt{FollowupID: fu.ID, At: now, UserID: userID(a), ActorName: a.Username, Outcome: in.Outcome, Note: in.Note}).Error; err != nil {
			return err
		}
		fu.Version, fu.UpdatedAt = before.Version+1, now
		if err := db.UpdateVersioned(tx, &Followup{}, fu.ID, before.Version, "follow-up", map[string]any{
			"attempts": fu.Attempts, "last_attempt_at": fu.LastAttemptAt, "last_outcome": fu.LastOutcome, "note": fu.Note,
			"status": fu.Status, "completed_at": fu.CompletedAt, "completed_by": fu.CompletedBy, "response_id": fu.ResponseID,
			"version": fu.Version, "updated_at": now}); err != nil {
			return err
		}
		incs := map[string]int64{"attempts": 1}
		if fu.CompletedAt != nil && before.CompletedAt == nil {
			for c, v := range endedIncs(fu.Status, *fu.CompletedAt, fu.DueAt) {
				incs[c] = v
			}
		}
		if err := bumpFollowup(tx, fu.CreatedAt, fu.Kind, incs); err != nil {
			return err
		}
		if invStatus != "" && fu.InvitationID != nil {
			var inv Invitation
			if err := tx.Select("id, channel, sent_at").Where("id = ? AND status = ?", *fu.InvitationID, InvSent).Take(&inv).Error; err == nil {
				res := tx.Model(&Invitation{}).Where("id = ? AND status = ?", inv.ID, InvSent).
					Updates(map[string]any{"status": invStatus, "version": gorm.Expr("version + 1"), "updated_at": now})
				if res.Error != nil {
					return res.Error
				}
				if res.RowsAffected == 1 && inv.SentAt != nil {
					if err := bumpInvitation(tx, *inv.SentAt, inv.Channel, map[string]int64{invStatus: 1}); err != nil {
						return err
					}
				}
			} else if !errors.Is(err, gorm.ErrRecordNotFound) {
				return err
			}
		}
		out = fu
		return s.o.Audit.Record(ctx, tx, audit.Entry{Action: "attempt", Entity: "survey_followup", EntityID: idStr(fu.ID), Before: before, After: fu})
	})
	if err != nil {
		return Followup{}, nil, wrap(err, "follow-up attempt")
	}
	if resp != nil {
		fresh := s.afterResponse(ctx, *resp, callback)
		resp = &fresh
	}
	return out, resp, nil
}

func userID(a actor.Actor) *uint64 {
	if a.UserID == 0 {
		return nil
	}
	v := a.UserID
	return &v
}

// Late reports whether a follow-up was (or still is) past its due time.
func (f Followup) Late(now time.Time) bool {
	if f.CompletedAt != nil {
		return f.CompletedAt.After(f.DueAt)
	}
	return now.After(f.DueAt)
}
