package readiness

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
)

// Overrides are their own resource: a person replaces the computed points
// of a leaf, with a justification and at least one evidence document, until
// the override expires or is withdrawn. Bonus practices are a list.

// OverrideInput creates an override.
type OverrideInput struct {
	Standard      string // empty: the active standard
	Clause        string
	Points        float64
	Justification string
	// Evidence are the ids of evidence documents the override rests on.
	Evidence []string
	// ExpiresAt is when the override stops counting; nil: never.
	ExpiresAt *time.Time
}

// CreateOverride records an override of a computed leaf. Errors:
// validation (clause, points outside what the leaf's scoring mode allows,
// justification, evidence missing or unknown, expiry in the past),
// not_found (standard).
func (s *Service) CreateOverride(ctx context.Context, in OverrideInput) (*OverrideRecord, error) {
	v, std, err := s.current(ctx, in.Standard)
	if err != nil {
		return nil, err
	}
	fields := apperr.Fields{}
	clause := strings.TrimSpace(in.Clause)
	ind, ok := std.Indicator(clause)
	switch {
	case clause == "":
		fields["clause"] = apperr.Required()
	case !ok:
		fields["clause"] = notAClause(clause, v.Code)
	case !ind.IsLeaf():
		fields["clause"] = apperr.Code("not_a_leaf", fmt.Sprintf("%s has sub-indicators: override its leaves", clause)).With("clause", clause)
	case ind.Rule != nil && ind.Rule.Kind == RuleManual:
		fields["clause"] = apperr.Code("clause_is_manual", fmt.Sprintf("%s is assessed by the quality manager: record an assessment, not an override", clause)).With("clause", clause)
	case !ModeAllows(ind.Rule.Scoring, ind.Points, in.Points):
		fields["points"] = modeValues(ind.Rule.Scoring, ind.Points)
	}
	if strings.TrimSpace(in.Justification) == "" {
		fields["justification"] = apperr.Required()
	}
	evidence, problem := s.checkEvidence(ctx, in.Evidence)
	if problem != nil {
		fields["evidence"] = *problem
	}
	now := s.now().UTC()
	if in.ExpiresAt != nil && !in.ExpiresAt.After(now) {
		fields["expires_at"] = apperr.Code("not_in_future", "must be in the future")
	}
	if len(fields) > 0 {
		return nil, apperr.FieldsErr(fields)
	}
	a := actor.From(ctx)
	rec := OverrideRecord{StandardCode: v.Code, Clause: ind.Clause, Points: in.Points, Justification: strings.TrimSpace(in.Justification),
		Evidence: mustJSON(evidence), AuthorID: a.UserID, Author: truncate(orDefault(a.Username, "system"), 64), CreatedAt: now,
		ExpiresAt: utcPtr(in.ExpiresAt)}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&rec).Error; err != nil {
			return err
		}
		return s.trail.Record(ctx, tx, audit.Entry{Action: "create", Entity: "readiness_override", EntityID: fmt.Sprint(rec.ID), After: rec})
	})
	if err != nil {
		return nil, apperr.Internal(fmt.Errorf("readiness: override %s: %w", clause, err))
	}
	s.inputChanged(ctx, "override", rec.ID, rec.Clause)
	return &rec, nil
}

// notAClause is the field error for a clause the standard does not have.
func notAClause(clause, standard string) apperr.FieldError {
	return apperr.Code("not_a_clause", fmt.Sprintf("%s is not a clause of %s", clause, standard)).With("clause", clause).With("standard", standard)
}

// modeValues says which points a scoring mode allows, for a 422.
func modeValues(mode ScoringMode, max float64) apperr.FieldError {
	if mode == ScoringAllOrNothing || mode == "" {
		return apperr.Code("points_all_or_nothing", fmt.Sprintf("scoring all_or_nothing allows 0 or %s only", formatPoints(max))).With("max", max)
	}
	return apperr.Code("points_proportional", fmt.Sprintf("scoring %s allows 0 to %s with at most 2 decimals", mode, formatPoints(max))).With("max", max)
}

// checkEvidence normalises evidence ids and checks that each names a
// document of the evidence register.
func (s *Service) checkEvidence(ctx context.Context, ids []string) ([]string, *apperr.FieldError) {
	var out []string
	for _, id := range ids {
		id = strings.TrimPrefix(strings.TrimSpace(id), "document:")
		if id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	if len(out) == 0 {
		fe := apperr.Code("evidence_required", "at least one evidence document is required")
		return nil, &fe
	}
	if s.evidence == nil {
		return out, nil
	}
	docs, err := s.evidence.DocumentsForScoring(ctx)
	if err != nil {
		fe := apperr.Code("evidence_unreadable", "the evidence register cannot be read; try again")
		return out, &fe
	}
	known := map[string]bool{}
	for _, list := range docs {
		for _, d := range list {
			known[d.ID] = true
		}
	}
	for _, id := range out {
		if !known[id] {
			fe := apperr.NoSuch("evidence_document").With("id", id)
			return out, &fe
		}
	}
	return out, nil
}

// Overrides lists the overrides of a standard, newest first; with all false
// only those in force (latest per clause, not withdrawn, not expired).
func (s *Service) Overrides(ctx context.Context, code string, all bool) ([]OverrideRecord, error) {
	if code == "" {
		code = s.active
	}
	var rows []OverrideRecord
	q := s.db.WithContext(ctx).Where("standard_code = ?", code)
	if !all {
		q = q.Where("withdrawn_at IS NULL")
	}
	if err := q.Order("id DESC").Limit(1000).Find(&rows).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("readiness: list overrides: %w", err))
	}
	if all {
		return rows, nil
	}
	now := s.now()
	seen := map[string]bool{}
	var out []OverrideRecord
	for _, r := range rows {
		if seen[r.Clause] || (r.ExpiresAt != nil && !r.ExpiresAt.After(now)) {
			continue
		}
		seen[r.Clause] = true
		out = append(out, r)
	}
	return out, nil
}

// WithdrawOverride stops an override from counting, saying why (kept for
// history). Errors: not_found, conflict already_withdrawn, validation.
func (s *Service) WithdrawOverride(ctx context.Context, id uint64, reason string) error {
	if strings.TrimSpace(reason) == "" {
		return apperr.FieldErr("reason", apperr.Required())
	}
	return s.withdraw(ctx, &OverrideRecord{}, "readiness_override", id, reason)
}

// EvidenceIDs decodes an override's evidence list.
func (o OverrideRecord) EvidenceIDs() []string {
	var ids []string
	_ = json.Unmarshal([]byte(o.Evidence), &ids)
	return ids
}

// activeOverrides returns the override in force of each clause.
func (s *Service) activeOverrides(ctx context.Context, code string) ([]OverrideRecord, error) {
	var all []OverrideRecord
	if err := s.db.WithContext(ctx).Where("standard_code = ? AND withdrawn_at IS NULL", code).Order("id").Find(&all).Error; err != nil {
		return nil, fmt.Errorf("readiness: overrides: %w", err)
	}
	return latestPerClause(all, func(o OverrideRecord) string { return o.Clause }), nil
}

// ClaimBonus records one outstanding practice for the special bonus. Several
// may be recorded; the standard's cap applies to their total.
func (s *Service) ClaimBonus(ctx context.Context, reason string) (*BonusClaim, error) {
	if strings.TrimSpace(reason) == "" {
		return nil, apperr.FieldErr("reason", apperr.Required())
	}
	a := actor.From(ctx)
	b := BonusClaim{Reason: strings.TrimSpace(reason), AuthorID: a.UserID, Author: truncate(orDefault(a.Username, "system"), 64), CreatedAt: s.now().UTC()}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&b).Error; err != nil {
			return err
		}
		return s.trail.Record(ctx, tx, audit.Entry{Action: "create", Entity: "readiness_bonus", EntityID: fmt.Sprint(b.ID), After: b})
	})
	if err != nil {
		return nil, apperr.Internal(fmt.Errorf("readiness: claim bonus: %w", err))
	}
	s.inputChanged(ctx, "bonus", b.ID, "")
	return &b, nil
}

// Bonuses lists the practices in force, oldest first.
func (s *Service) Bonuses(ctx context.Context) ([]BonusClaim, error) {
	var out []BonusClaim
	if err := s.db.WithContext(ctx).Where("withdrawn_at IS NULL").Order("id").Limit(1000).Find(&out).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("readiness: bonuses: %w", err))
	}
	return out, nil
}

// WithdrawBonus withdraws one practice.
func (s *Service) WithdrawBonus(ctx context.Context, id uint64, reason string) error {
	return s.withdraw(ctx, &BonusClaim{}, "readiness_bonus", id, reason)
}
