package readiness

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/db"
)

// This file holds the quality manager's inputs: manual assessments (and
// overrides), deletions (not applicable), special deductions with the
// engine's suggestions, and the bonus claim. Every change is audited and
// triggers a debounced run.

// AssessInput is a quality manager's assessment of a leaf.
type AssessInput struct {
	Standard      string // empty: the active standard
	Clause        string
	Points        float64
	Justification string
	// ExpiresAt is when the assessment stops counting; nil: never.
	ExpiresAt *time.Time
}

// Assess records an assessment. On a manual leaf it is the rule's input;
// on any other leaf it overrides the computed points until it expires or is
// withdrawn. Points must lie in [0, the leaf's maximum].
func (s *Service) Assess(ctx context.Context, in AssessInput) (*AssessmentRecord, error) {
	v, std, err := s.current(ctx, in.Standard)
	if err != nil {
		return nil, err
	}
	fields := apperr.Fields{}
	ind, ok := std.Indicator(strings.TrimSpace(in.Clause))
	switch {
	case in.Clause == "":
		fields["clause"] = apperr.Required()
	case !ok:
		fields["clause"] = notAClause(in.Clause, v.Code)
	case !ind.IsLeaf():
		fields["clause"] = apperr.Code("not_a_leaf", fmt.Sprintf("%s has sub-indicators: assess its leaves", in.Clause)).With("clause", in.Clause)
	case ind.Rule == nil || ind.Rule.Kind != RuleManual:
		// Overrides of computed leaves are their own resource, with
		// evidence: never hidden under an assessment.
		fields["clause"] = apperr.Code("clause_is_computed", fmt.Sprintf("%s is computed from data: to replace its points, create an override with evidence (POST /api/v1/readiness/overrides)", in.Clause)).With("clause", in.Clause)
	case math.IsNaN(in.Points) || !ModeAllows(ind.Rule.Scoring, ind.Points, in.Points):
		fields["points"] = modeValues(ind.Rule.Scoring, ind.Points)
	}
	if strings.TrimSpace(in.Justification) == "" {
		fields["justification"] = apperr.Required()
	}
	now := s.now().UTC()
	if in.ExpiresAt != nil && !in.ExpiresAt.After(now) {
		fields["expires_at"] = apperr.Code("not_in_future", "must be in the future")
	}
	in.ExpiresAt = utcPtr(in.ExpiresAt)
	if len(fields) > 0 {
		return nil, apperr.FieldsErr(fields)
	}
	a := actor.From(ctx)
	rec := AssessmentRecord{StandardCode: v.Code, Clause: ind.Clause, Points: in.Points, Justification: strings.TrimSpace(in.Justification),
		AuthorID: a.UserID, Author: truncate(orDefault(a.Username, "system"), 64), AssessedAt: now, ExpiresAt: in.ExpiresAt, CreatedAt: now}
	kind := "assessment"
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&rec).Error; err != nil {
			return err
		}
		return s.trail.Record(ctx, tx, audit.Entry{Action: "create", Entity: "readiness_" + kind, EntityID: fmt.Sprint(rec.ID), After: rec})
	})
	if err != nil {
		return nil, apperr.Internal(fmt.Errorf("readiness: assess %s: %w", in.Clause, err))
	}
	s.inputChanged(ctx, kind, rec.ID, rec.Clause)
	return &rec, nil
}

// Assessments lists the assessments of a standard, newest first; with all
// false only the ones in force (latest per clause, not withdrawn).
func (s *Service) Assessments(ctx context.Context, code string, all bool) ([]AssessmentRecord, error) {
	if code == "" {
		code = s.active
	}
	if !all {
		out, err := s.st.activeAssessments(ctx, s.db, code)
		if err != nil {
			return nil, apperr.Internal(err)
		}
		return out, nil
	}
	var out []AssessmentRecord
	if err := s.db.WithContext(ctx).Where("standard_code = ?", code).Order("id DESC").Limit(1000).Find(&out).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("readiness: list assessments: %w", err))
	}
	return out, nil
}

// WithdrawAssessment stops an assessment from counting (kept for history).
func (s *Service) WithdrawAssessment(ctx context.Context, id uint64) error {
	return s.withdraw(ctx, &AssessmentRecord{}, "readiness_assessment", id, "")
}

// MarkNotApplicable deletes a deletable clause (删减) with a justification.
func (s *Service) MarkNotApplicable(ctx context.Context, code, clause, justification string) (*Deletion, error) {
	v, std, err := s.current(ctx, code)
	if err != nil {
		return nil, err
	}
	ind, ok := std.Indicator(strings.TrimSpace(clause))
	fields := apperr.Fields{}
	switch {
	case clause == "":
		fields["clause"] = apperr.Required()
	case !ok:
		fields["clause"] = notAClause(clause, v.Code)
	case !ind.Deletable:
		fields["clause"] = apperr.Code("clause_not_deletable", fmt.Sprintf("the standard does not allow deleting %s", clause)).With("clause", clause)
	}
	if strings.TrimSpace(justification) == "" {
		fields["justification"] = apperr.Required()
	}
	if len(fields) > 0 {
		return nil, apperr.FieldsErr(fields)
	}
	a := actor.From(ctx)
	d := Deletion{StandardCode: v.Code, Clause: ind.Clause, Justification: strings.TrimSpace(justification), AuthorID: a.UserID,
		Author: truncate(orDefault(a.Username, "system"), 64), CreatedAt: s.now().UTC()}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&d).Error; err != nil {
			return err
		}
		return s.trail.Record(ctx, tx, audit.Entry{Action: "create", Entity: "readiness_deletion", EntityID: fmt.Sprint(d.ID), After: d})
	})
	if err != nil {
		return nil, apperr.Internal(fmt.Errorf("readiness: delete %s: %w", clause, err))
	}
	s.inputChanged(ctx, "deletion", d.ID, d.Clause)
	return &d, nil
}

// Deletions lists the deletions in force for a standard.
func (s *Service) Deletions(ctx context.Context, code string) ([]Deletion, error) {
	if code == "" {
		code = s.active
	}
	out, err := s.st.activeDeletions(ctx, s.db, code)
	if err != nil {
		return nil, apperr.Internal(err)
	}
	return out, nil
}

// WithdrawDeletion makes a deleted clause applicable again.
func (s *Service) WithdrawDeletion(ctx context.Context, id uint64) error {
	return s.withdraw(ctx, &Deletion{}, "readiness_deletion", id, "")
}

// withdraw sets withdrawn_at on an assessment, deletion, override or bonus
// claim; a reason is stored (on the tables that keep one) and audited in
// the same transaction.
func (s *Service) withdraw(ctx context.Context, model any, entity string, id uint64, reason string) error {
	a := actor.From(ctx)
	now := s.now().UTC()
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", id).Take(model).Error; err != nil {
			return err
		}
		upd := map[string]any{"withdrawn_at": now, "withdrawn_by": truncate(orDefault(a.Username, "system"), 64)}
		if r := strings.TrimSpace(reason); r != "" {
			upd["withdraw_reason"] = r
		}
		res := tx.Model(model).Where("id = ? AND withdrawn_at IS NULL", id).Updates(upd)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return apperr.Conflict("already_withdrawn", "already withdrawn")
		}
		return s.trail.Record(ctx, tx, audit.Entry{Action: "withdraw", Entity: entity, EntityID: fmt.Sprint(id), Before: model,
			After: map[string]any{"withdrawn_at": now, "reason": strings.TrimSpace(reason)}})
	})
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return apperr.NotFound(strings.TrimPrefix(entity, "readiness_"))
	}
	if err != nil {
		var ae *apperr.Error
		if errors.As(err, &ae) {
			return ae
		}
		return apperr.Internal(fmt.Errorf("readiness: withdraw %s %d: %w", entity, id, err))
	}
	s.inputChanged(ctx, strings.TrimPrefix(entity, "readiness_")+"_withdrawn", id, "")
	return nil
}

// DeductionInput records a special-deduction finding.
type DeductionInput struct {
	Clause  string
	Finding string
	// FoundOn is the calendar date of the finding (00:00 UTC).
	FoundOn time.Time
	// CorrectedAt, when the finding was already corrected.
	CorrectedAt *time.Time
	RecordRef   string
}

// RecordDeduction stores a confirmed finding entered by a quality manager.
func (s *Service) RecordDeduction(ctx context.Context, in DeductionInput) (*DeductionRecord, error) {
	_, std, err := s.current(ctx, "")
	if err != nil {
		return nil, err
	}
	fields := apperr.Fields{}
	if strings.TrimSpace(in.Finding) == "" {
		fields["finding"] = apperr.Required()
	}
	if in.Clause != "" {
		if _, ok := std.Indicator(in.Clause); !ok {
			fields["clause"] = notAClause(in.Clause, std.ID)
		}
	}
	now := s.now().UTC()
	if in.FoundOn.IsZero() {
		in.FoundOn = localDay(now, s.loc)
	}
	if in.FoundOn.After(now) {
		fields["found_on"] = apperr.Code("in_future", "must not be in the future")
	}
	if in.CorrectedAt != nil && in.CorrectedAt.Before(in.FoundOn) {
		fields["corrected_at"] = apperr.Code("before_field", "must not be before found_on").With("field", "found_on")
	}
	in.CorrectedAt = utcPtr(in.CorrectedAt)
	if len(fields) > 0 {
		return nil, apperr.FieldsErr(fields)
	}
	a := actor.From(ctx)
	d := DeductionRecord{Clause: in.Clause, Finding: strings.TrimSpace(in.Finding), Source: SourceManual, RecordRef: truncate(in.RecordRef, 64),
		Status: DeductionConfirmed, FoundOn: in.FoundOn, CorrectedAt: in.CorrectedAt, AuthorID: a.UserID,
		Author: truncate(orDefault(a.Username, "system"), 64), DecidedBy: truncate(orDefault(a.Username, "system"), 64), DecidedAt: &now,
		Version: 1, CreatedAt: now, UpdatedAt: now}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&d).Error; err != nil {
			return err
		}
		return s.trail.Record(ctx, tx, audit.Entry{Action: "create", Entity: "readiness_deduction", EntityID: fmt.Sprint(d.ID), After: d})
	})
	if err != nil {
		return nil, apperr.Internal(fmt.Errorf("readiness: record deduction: %w", err))
	}
	s.inputChanged(ctx, "deduction", d.ID, d.Clause)
	return &d, nil
}

// Deductions lists findings, newest first; status filters (suggested,
// confirmed, dismissed), empty lists all.
func (s *Service) Deductions(ctx context.Context, status string, page, size int) ([]DeductionRecord, int64, error) {
	q := s.db.WithContext(ctx).Model(&DeductionRecord{})
	if status != "" {
		q = q.Where("status = ?", status)
	}
	out, total, err := db.OffsetPage[DeductionRecord](q, "id DESC", page, size)
	if err != nil {
		return nil, 0, apperr.Internal(fmt.Errorf("readiness: list deductions: %w", err))
	}
	return out, total, nil
}

// DecideDeduction confirms or dismisses a suggested finding, or records the
// correction of a confirmed one. action is confirm, dismiss or correct;
// version is the optimistic-concurrency version the caller saw.
func (s *Service) DecideDeduction(ctx context.Context, id uint64, action string, version int64, note string, correctedAt *time.Time) (*DeductionRecord, error) {
	var d DeductionRecord
	now := s.now().UTC()
	a := actor.From(ctx)
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := db.Take(tx.Where("id = ?", id), &d, "deduction"); err != nil {
			return err
		}
		before := d
		if version != 0 && version != d.Version {
			return apperr.ErrVersionConflict("deduction")
		}
		upd := map[string]any{"version": d.Version + 1, "updated_at": now}
		switch action {
		case "confirm", "dismiss":
			if d.Status != DeductionSuggested {
				return apperr.Conflict("invalid_transition", fmt.Sprintf("a %s finding cannot be %sed", d.Status, action)).
					WithDetail("allowed", allowedDeductionActions(d))
			}
			upd["status"] = DeductionConfirmed
			if action == "dismiss" {
				upd["status"] = DeductionDismissed
				if strings.TrimSpace(note) == "" {
					return apperr.FieldErr("note", apperr.Code("note_dismissal", "say why the suggestion is dismissed"))
				}
			}
			upd["decided_by"] = truncate(orDefault(a.Username, "system"), 64)
			upd["decided_at"] = now
			if note != "" {
				upd["correction"] = note
			}
		case "correct":
			if d.Status != DeductionConfirmed || d.CorrectedAt != nil {
				return apperr.Conflict("invalid_transition", "only an uncorrected confirmed finding can be corrected").
					WithDetail("allowed", allowedDeductionActions(d))
			}
			at := now
			if correctedAt != nil {
				at = *correctedAt
			}
			if at.Before(d.FoundOn) || at.After(now) {
				return apperr.FieldErr("corrected_at", apperr.Code("between_finding_and_now", "must lie between the finding date and now"))
			}
			if strings.TrimSpace(note) == "" {
				return apperr.FieldErr("note", apperr.Code("describe_correction", "describe the correction"))
			}
			upd["corrected_at"] = at.UTC()
			upd["correction"] = note
		default:
			return apperr.Invalid("unknown action " + action)
		}
		if err := db.UpdateVersionedAndRead(tx, &d, id, d.Version, "deduction", upd); err != nil {
			return err
		}
		return s.trail.Record(ctx, tx, audit.Entry{Action: action, Entity: "readiness_deduction", EntityID: fmt.Sprint(id), Before: before, After: d})
	})
	if err != nil {
		var ae *apperr.Error
		if errors.As(err, &ae) {
			return nil, ae
		}
		return nil, apperr.Internal(fmt.Errorf("readiness: %s deduction %d: %w", action, id, err))
	}
	s.inputChanged(ctx, "deduction_"+action, id, d.Clause)
	return &d, nil
}

func allowedDeductionActions(d DeductionRecord) []string {
	switch {
	case d.Status == DeductionSuggested:
		return []string{"confirm", "dismiss"}
	case d.Status == DeductionConfirmed && d.CorrectedAt == nil:
		return []string{"correct"}
	}
	return []string{}
}

// refreshSuggestions stores the findings the engine suggests (a return
// refused inside the legal window, a complaint past its legal limit) that
// were not suggested before. Each new suggestion is audited as made by the
// system; a quality manager confirms or dismisses it.
func (s *Service) refreshSuggestions(ctx context.Context, asOf time.Time) error {
	sugg, err := s.measures.Suggestions(ctx, asOf, s.window, maxSuggestionsPerKind)
	if err != nil || len(sugg) == 0 {
		return err
	}
	ctx = actor.With(ctx, actor.System("readiness"))
	var added int
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, g := range sugg {
			key := truncate(g.Key, 96)
			d := DeductionRecord{Clause: g.Clause, Finding: g.Finding, Source: g.Source, SuggestionKey: &key,
				RecordRef: truncate(g.RecordRef, 64), Status: DeductionSuggested, FoundOn: g.FoundOn, Author: "system:readiness",
				Version: 1, CreatedAt: asOf, UpdatedAt: asOf}
			ok, err := s.st.insertSuggestion(ctx, tx, &d)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			added++
			if err := s.trail.Record(ctx, tx, audit.Entry{Action: "suggest", Entity: "readiness_deduction", EntityID: fmt.Sprint(d.ID), After: d}); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil && added > 0 {
		s.publish(ctx, EventInputChanged, map[string]any{"kind": "deduction_suggested", "count": added})
	}
	return err
}

// maxSuggestionsPerKind bounds the suggestions one run may add per kind, so
// a backlog does not flood the quality manager's queue; the rest come in
// later runs.
const maxSuggestionsPerKind = 20

// inputChanged announces a quality-manager input change and asks for a
// debounced run.
func (s *Service) inputChanged(ctx context.Context, kind string, id uint64, clause string) {
	s.publish(ctx, EventInputChanged, map[string]any{"kind": kind, "id": id, "clause": clause})
	s.Trigger()
}

// utcPtr returns a copy of t in UTC (times are stored in UTC).
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
