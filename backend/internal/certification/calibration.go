package certification

import (
	"context"
	"fmt"
	"sort"

	"github.com/aftersales/aftersales/backend/internal/readiness"
)

// RecordedAudits implements readiness.AuditRecords: every held audit with
// its auditor's result and per-indicator points, oldest first.
func (s *Service) RecordedAudits(ctx context.Context) ([]readiness.RecordedAudit, error) {
	var audits []Audit
	if err := s.db.WithContext(ctx).Where("status = ? AND held_on IS NOT NULL", AuditDone).Order("held_on, id").Limit(200).Find(&audits).Error; err != nil {
		return nil, fmt.Errorf("certification: recorded audits: %w", err)
	}
	out := make([]readiness.RecordedAudit, 0, len(audits))
	if len(audits) == 0 {
		return out, nil
	}
	ids := make([]uint64, len(audits))
	for i, a := range audits {
		ids[i] = a.ID
	}
	var pts []AuditPoint
	if err := s.db.WithContext(ctx).Where("audit_id IN ?", ids).Order("audit_id, id").Find(&pts).Error; err != nil {
		return nil, fmt.Errorf("certification: audit points: %w", err)
	}
	byAudit := make(map[uint64][]AuditPoint, len(audits))
	for _, p := range pts {
		byAudit[p.AuditID] = append(byAudit[p.AuditID], p)
	}
	for _, a := range audits {
		ra := readiness.RecordedAudit{ID: a.ID, Kind: a.Kind, HeldOn: *a.HeldOn, HeldUntil: s.endOf(*a.HeldOn), Score: a.Score, Band: a.Band,
			ProjectedScore: a.ProjectedScore, ProjectedBand: a.ProjectedBand, LeadAuditor: a.LeadAuditor, Points: map[string]float64{}}
		for _, p := range byAudit[a.ID] {
			ra.Points[p.Clause] = p.Points
		}
		out = append(out, ra)
	}
	return out, nil
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
