package certification

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/event"
)

// lifecycle lists the forward steps of a cycle.
var lifecycle = []string{StatusApplication, StatusContract, StatusStage1, StatusStage2, StatusCommittee, StatusCertified, StatusExpired}

// allowedNext returns the statuses a cycle may move to.
func allowedNext(status string) []string {
	i := slices.Index(lifecycle, status)
	var out []string
	if i >= 0 && i+1 < len(lifecycle) {
		out = append(out, lifecycle[i+1])
	}
	if i >= 0 && i < slices.Index(lifecycle, StatusCertified) {
		out = append(out, StatusWithdrawn)
	}
	return out
}

// CycleInput creates a certification cycle.
type CycleInput struct {
	Kind            string // initial (default) or recertification
	PreviousCycleID *uint64
	Body            string
	Responsible     string
	AppliedOn       time.Time // calendar date; default today
	Notes           string
}

// CreateCycle starts a cycle at the application step.
func (s *Service) CreateCycle(ctx context.Context, in CycleInput) (*Cycle, error) {
	fields := apperr.Fields{}
	if in.Kind == "" {
		in.Kind = CycleInitial
	}
	if in.Kind != CycleInitial && in.Kind != CycleRecertification {
		fields["kind"] = apperr.OneOf("initial", "recertification")
	}
	if strings.TrimSpace(in.Body) == "" {
		fields["body"] = apperr.Required()
	}
	if in.Kind == CycleRecertification && in.PreviousCycleID == nil {
		fields["previous_cycle_id"] = apperr.Code("previous_cycle_required", "a re-certification names the cycle it renews")
	}
	if in.AppliedOn.IsZero() {
		in.AppliedOn = s.today()
	}
	if in.AppliedOn.After(s.today()) {
		fields["applied_on"] = apperr.Code("in_future", "must not be in the future")
	}
	if len(fields) > 0 {
		return nil, apperr.FieldsErr(fields)
	}
	std, err := s.standard(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	applied := dateOnly(in.AppliedOn)
	c := Cycle{Kind: in.Kind, PreviousCycleID: in.PreviousCycleID, Body: truncateRunes(strings.TrimSpace(in.Body), 128), StandardCode: std.ID,
		Status: StatusApplication, Responsible: truncateRunes(in.Responsible, 64), AppliedOn: &applied, Notes: in.Notes, Version: 1,
		CreatedAt: now, UpdatedAt: now}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if in.PreviousCycleID != nil {
			var prev Cycle
			if err := tx.Where("id = ?", *in.PreviousCycleID).Take(&prev).Error; err != nil {
				if errors.Is(err, gorm.ErrRecordNotFound) {
					return apperr.FieldErr("previous_cycle_id", apperr.NoSuch("cycle"))
				}
				return err
			}
		}
		if err := tx.Create(&c).Error; err != nil {
			return err
		}
		if err := s.trail.Record(ctx, tx, audit.Entry{Action: "create", Entity: "certification_cycle", EntityID: fmt.Sprint(c.ID), After: c}); err != nil {
			return err
		}
		return s.enqueue(tx, event.CertificationCycleChanged.New(Topic, event.CertificationCycle{ID: c.ID, Status: c.Status}))
	})
	if err != nil {
		return nil, mapErr(err, "cycle")
	}
	return &c, nil
}

// AdvanceInput moves a cycle to its next step.
type AdvanceInput struct {
	To string
	// On is the calendar date of the step (default today).
	On time.Time
	// CertificateNo is required when the certificate is issued.
	CertificateNo string
	Version       int64
	Note          string
}

// Advance moves a cycle one step forward (or withdraws it before the
// certificate). Stage 1 and stage 2 are recorded as audits; issuing the
// certificate sets its validity and plans the surveillance audits (every
// SurveillanceMonths, with a window either side) and the re-certification
// audit before expiry. An illegal step is a 409 naming the allowed ones.
func (s *Service) Advance(ctx context.Context, id uint64, in AdvanceInput) (*Cycle, error) {
	if in.On.IsZero() {
		in.On = s.today()
	}
	on := dateOnly(in.On)
	if on.After(s.today()) {
		return nil, apperr.FieldErr("on", apperr.Code("in_future", "must not be in the future"))
	}
	now := s.now().UTC()
	var c Cycle
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", id).Take(&c).Error; err != nil {
			return err
		}
		before := c
		if in.Version != 0 && in.Version != c.Version {
			return apperr.ErrVersionConflict("cycle")
		}
		allowed := allowedNext(c.Status)
		if !slices.Contains(allowed, in.To) {
			return apperr.Conflict("invalid_transition", fmt.Sprintf("a cycle at %s cannot move to %s", c.Status, in.To)).
				WithDetail("allowed", allowed)
		}
		upd := map[string]any{"status": in.To, "version": c.Version + 1, "updated_at": now}
		var audits []Audit
		switch in.To {
		case StatusContract:
			upd["contract_on"] = on
		case StatusStage1:
			upd["stage1_on"] = on
			audits = append(audits, Audit{Kind: AuditStage1, DueOn: on, HeldOn: &on, Status: AuditDone})
		case StatusStage2:
			upd["stage2_on"] = on
			audits = append(audits, Audit{Kind: AuditStage2, DueOn: on, HeldOn: &on, Status: AuditDone})
		case StatusCommittee:
			upd["committee_on"] = on
		case StatusCertified:
			if strings.TrimSpace(in.CertificateNo) == "" {
				return apperr.FieldErr("certificate_no", apperr.Code("required_when_issued", "is required when the certificate is issued"))
			}
			expires := on.AddDate(s.o.ValidityYears, 0, -1)
			upd["certificate_no"] = truncateRunes(strings.TrimSpace(in.CertificateNo), 64)
			upd["issued_on"] = on
			upd["expires_on"] = expires
			audits = append(audits, s.planAudits(on, expires)...)
		case StatusExpired, StatusWithdrawn:
			if err := tx.Model(&Audit{}).Where("cycle_id = ? AND status = ?", id, AuditPlanned).
				Updates(map[string]any{"status": AuditCancelled, "updated_at": now}).Error; err != nil {
				return err
			}
		}
		if in.Note != "" {
			upd["notes"] = strings.TrimSpace(c.Notes + "\n" + in.Note)
		}
		if err := db.UpdateVersioned(tx, &Cycle{}, id, c.Version, "cycle", upd); err != nil {
			return err
		}
		for i := range audits {
			audits[i].CycleID, audits[i].Version, audits[i].CreatedAt, audits[i].UpdatedAt = id, 1, now, now
			audits[i].Responsible = c.Responsible
		}
		if len(audits) > 0 {
			if err := tx.Create(&audits).Error; err != nil {
				return err
			}
		}
		// A re-certification replaces the cycle it renews.
		if in.To == StatusCertified && c.PreviousCycleID != nil {
			if err := tx.Model(&Cycle{}).Where("id = ? AND status = ?", *c.PreviousCycleID, StatusCertified).
				Updates(map[string]any{"status": StatusExpired, "updated_at": now}).Error; err != nil {
				return err
			}
			if err := tx.Model(&Audit{}).Where("cycle_id = ? AND status = ?", *c.PreviousCycleID, AuditPlanned).
				Updates(map[string]any{"status": AuditCancelled, "updated_at": now}).Error; err != nil {
				return err
			}
		}
		if err := tx.Where("id = ?", id).Take(&c).Error; err != nil {
			return err
		}
		if err := s.trail.Record(ctx, tx, audit.Entry{Action: "transition", Entity: "certification_cycle", EntityID: fmt.Sprint(id), Before: before, After: c}); err != nil {
			return err
		}
		return s.enqueue(tx, event.CertificationCycleChanged.New(Topic, event.CertificationCycle{ID: c.ID, Status: c.Status}))
	})
	if err != nil {
		return nil, mapErr(err, "cycle")
	}
	return &c, nil
}

// planAudits plans the surveillance audits of a certificate issued on
// issued (one every SurveillanceMonths while before the re-certification)
// and the re-certification audit three months before expiry.
func (s *Service) planAudits(issued, expires time.Time) []Audit {
	recert := expires.AddDate(0, -3, 0)
	win := s.o.SurveillanceWindowDays
	var out []Audit
	for k := 1; ; k++ {
		due := issued.AddDate(0, k*s.o.SurveillanceMonths, 0)
		if !due.Before(recert) {
			break
		}
		from, to := due.AddDate(0, 0, -win), due.AddDate(0, 0, win)
		out = append(out, Audit{Kind: AuditSurveillance, Seq: k, DueOn: due, WindowFrom: &from, WindowTo: &to, Status: AuditPlanned})
	}
	from := recert.AddDate(0, 0, -win)
	out = append(out, Audit{Kind: AuditRecertification, DueOn: recert, WindowFrom: &from, WindowTo: &expires, Status: AuditPlanned})
	return out
}

// UpdateCycleInput edits a cycle's people and notes.
type UpdateCycleInput struct {
	Body        *string
	Responsible *string
	Notes       *string
	Version     int64
}

// UpdateCycle edits a cycle's certification body, responsible person and
// notes (status and dates move only through Advance).
func (s *Service) UpdateCycle(ctx context.Context, id uint64, in UpdateCycleInput) (*Cycle, error) {
	now := s.now().UTC()
	var c Cycle
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", id).Take(&c).Error; err != nil {
			return err
		}
		before := c
		if in.Version != 0 && in.Version != c.Version {
			return apperr.ErrVersionConflict("cycle")
		}
		upd := map[string]any{"version": c.Version + 1, "updated_at": now}
		if in.Body != nil {
			if strings.TrimSpace(*in.Body) == "" {
				return apperr.FieldErr("body", apperr.Required())
			}
			upd["body"] = truncateRunes(strings.TrimSpace(*in.Body), 128)
		}
		if in.Responsible != nil {
			upd["responsible"] = truncateRunes(strings.TrimSpace(*in.Responsible), 64)
		}
		if in.Notes != nil {
			upd["notes"] = *in.Notes
		}
		if (upd["body"] == nil || upd["body"] == c.Body) && (upd["responsible"] == nil || upd["responsible"] == c.Responsible) &&
			(upd["notes"] == nil || upd["notes"] == c.Notes) {
			return nil // nothing to write: no version bump, no audit record
		}
		if err := db.UpdateVersionedAndRead(tx, &c, id, c.Version, "cycle", upd); err != nil {
			return err
		}
		return s.trail.Record(ctx, tx, audit.Entry{Action: "update", Entity: "certification_cycle", EntityID: fmt.Sprint(id), Before: before, After: c})
	})
	if err != nil {
		return nil, mapErr(err, "cycle")
	}
	return &c, nil
}

// CycleDetail is a cycle with its audits.
type CycleDetail struct {
	Cycle
	Audits  []Audit
	Allowed []string
}

// Cycles lists cycles, newest first, with their audits.
func (s *Service) Cycles(ctx context.Context) ([]CycleDetail, error) {
	var cycles []Cycle
	if err := s.db.WithContext(ctx).Order("id DESC").Limit(100).Find(&cycles).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("certification: list cycles: %w", err))
	}
	ids := make([]uint64, 0, len(cycles))
	for _, c := range cycles {
		ids = append(ids, c.ID)
	}
	var audits []Audit
	if len(ids) > 0 {
		if err := s.db.WithContext(ctx).Where("cycle_id IN ?", ids).Order("due_on, id").Find(&audits).Error; err != nil {
			return nil, apperr.Internal(fmt.Errorf("certification: list audits: %w", err))
		}
	}
	out := make([]CycleDetail, 0, len(cycles))
	for _, c := range cycles {
		d := CycleDetail{Cycle: c, Allowed: allowedNext(c.Status)}
		for _, a := range audits {
			if a.CycleID == c.ID {
				d.Audits = append(d.Audits, a)
			}
		}
		out = append(out, d)
	}
	return out, nil
}

// CycleByID returns a cycle with its audits.
func (s *Service) CycleByID(ctx context.Context, id uint64) (*CycleDetail, error) {
	var c Cycle
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&c).Error; err != nil {
		return nil, mapErr(err, "cycle")
	}
	d := CycleDetail{Cycle: c, Allowed: allowedNext(c.Status)}
	if err := s.db.WithContext(ctx).Where("cycle_id = ?", id).Order("due_on, id").Find(&d.Audits).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("certification: audits of cycle %d: %w", id, err))
	}
	return &d, nil
}

// ScheduleInput sets an audit's agreed date and people.
type ScheduleInput struct {
	ScheduledOn *time.Time
	LeadAuditor *string
	Responsible *string
	Version     int64
}

// ScheduleAudit agrees a planned audit's date and people.
func (s *Service) ScheduleAudit(ctx context.Context, id uint64, in ScheduleInput) (*Audit, error) {
	now := s.now().UTC()
	var a Audit
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", id).Take(&a).Error; err != nil {
			return err
		}
		before := a
		if in.Version != 0 && in.Version != a.Version {
			return apperr.ErrVersionConflict("audit")
		}
		if a.Status != AuditPlanned {
			return apperr.Conflict("invalid_transition", "only a planned audit can be scheduled").WithDetail("allowed", []string{})
		}
		upd := map[string]any{"version": a.Version + 1, "updated_at": now}
		if in.ScheduledOn != nil {
			upd["scheduled_on"] = dateOnly(*in.ScheduledOn)
		}
		if in.LeadAuditor != nil {
			upd["lead_auditor"] = truncateRunes(*in.LeadAuditor, 64)
		}
		if in.Responsible != nil {
			upd["responsible"] = truncateRunes(*in.Responsible, 64)
		}
		same := (upd["lead_auditor"] == nil || upd["lead_auditor"] == a.LeadAuditor) && (upd["responsible"] == nil || upd["responsible"] == a.Responsible)
		if d, ok := upd["scheduled_on"].(time.Time); ok && (a.ScheduledOn == nil || !a.ScheduledOn.Equal(d)) {
			same = false
		}
		if same {
			return nil // nothing to write: no version bump, no audit record
		}
		if err := db.UpdateVersionedAndRead(tx, &a, id, a.Version, "audit", upd); err != nil {
			return err
		}
		return s.trail.Record(ctx, tx, audit.Entry{Action: "schedule", Entity: "certification_audit", EntityID: fmt.Sprint(id), Before: before, After: a})
	})
	if err != nil {
		return nil, mapErr(err, "audit")
	}
	return &a, nil
}

// ResultInput is the auditor's result of an audit.
type ResultInput struct {
	HeldOn      time.Time
	Score       float64
	Band        string
	Findings    string
	LeadAuditor string
	Version     int64
	// Indicators are the auditor's points per leaf clause, when the body's
	// report gives them (they calibrate the projection).
	Indicators map[string]float64
}

// RecordResult stores the auditor's score and band for an audit, and beside
// it our projection for the same date (the run of that day), so the
// projection's accuracy can be seen.
func (s *Service) RecordResult(ctx context.Context, id uint64, in ResultInput) (*Audit, error) {
	fields := apperr.Fields{}
	if in.HeldOn.IsZero() {
		fields["held_on"] = apperr.Required()
	} else if dateOnly(in.HeldOn).After(s.today()) {
		fields["held_on"] = apperr.Code("in_future", "must not be in the future")
	}
	if math.IsNaN(in.Score) || in.Score < 0 || in.Score > 100 {
		fields["score"] = apperr.OutOfRange(0, 100)
	}
	std, err := s.standard(ctx)
	if err != nil {
		return nil, err
	}
	if _, ok := std.Band(in.Band); !ok && in.Band != std.Scoring.Fail.Code {
		var codes []string
		for _, b := range std.Scoring.Bands {
			codes = append(codes, b.Code)
		}
		fields["band"] = apperr.OneOf(append(codes, std.Scoring.Fail.Code)...)
	}
	var points []AuditPoint
	for _, clause := range sortedKeys(in.Indicators) {
		v := in.Indicators[clause]
		ind, ok := std.Indicator(clause)
		switch {
		case !ok || !ind.IsLeaf():
			fields["indicators."+clause] = apperr.Code("not_a_leaf", "not a leaf indicator of "+std.ID).With("clause", clause).With("standard", std.ID)
		case math.IsNaN(v) || v < 0 || v > ind.Points+1e-9:
			fields["indicators."+clause] = apperr.OutOfRange(0, ind.Points)
		default:
			points = append(points, AuditPoint{Clause: clause, Points: v, Max: ind.Points})
		}
	}
	if len(fields) > 0 {
		return nil, apperr.FieldsErr(fields)
	}
	held := dateOnly(in.HeldOn)
	proj, err := s.o.Readiness.ProjectAt(ctx, s.endOf(held).Add(-time.Second))
	if err != nil {
		s.log.Warn("certification: projection for audit", "err", err)
		proj = nil
	}
	now := s.now().UTC()
	var a Audit
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", id).Take(&a).Error; err != nil {
			return err
		}
		before := a
		if in.Version != 0 && in.Version != a.Version {
			return apperr.ErrVersionConflict("audit")
		}
		if a.Status == AuditCancelled {
			return apperr.Conflict("invalid_transition", "the audit was cancelled").WithDetail("allowed", []string{})
		}
		score := in.Score
		upd := map[string]any{"status": AuditDone, "held_on": held, "score": score, "band": in.Band, "findings": in.Findings,
			"version": a.Version + 1, "updated_at": now}
		if in.LeadAuditor != "" {
			upd["lead_auditor"] = truncateRunes(in.LeadAuditor, 64)
		}
		if proj != nil {
			upd["projected_score"], upd["projected_low"], upd["projected_high"], upd["projected_band"] = proj.Total, proj.Low, proj.High, proj.Band
		}
		if err := db.UpdateVersionedAndRead(tx, &a, id, a.Version, "audit", upd); err != nil {
			return err
		}
		if len(points) > 0 {
			if err := tx.Where("audit_id = ?", id).Delete(&AuditPoint{}).Error; err != nil {
				return err
			}
			for i := range points {
				points[i].AuditID = id
			}
			if err := tx.Create(&points).Error; err != nil {
				return err
			}
		}
		if err := s.trail.Record(ctx, tx, audit.Entry{Action: "record_result", Entity: "certification_audit", EntityID: fmt.Sprint(id), Before: before,
			After: map[string]any{"audit": a, "indicator_points": in.Indicators}}); err != nil {
			return err
		}
		return s.enqueue(tx, event.CertificationAuditRecorded.New(Topic, event.CertificationAudit{ID: a.ID, CycleID: a.CycleID, Kind: a.Kind,
			Score: in.Score, Band: in.Band, ProjectedScore: a.ProjectedScore, ProjectedBand: a.ProjectedBand}))
	})
	if err != nil {
		return nil, mapErr(err, "audit")
	}
	return &a, nil
}

// auditDate is when a planned audit is expected: the agreed date, else the
// due date.
func auditDate(a Audit) time.Time {
	if a.ScheduledOn != nil {
		return *a.ScheduledOn
	}
	return a.DueOn
}

// NextAuditDate implements readiness.AuditCalendar: the expected date of
// the earliest planned audit on or after the given day, as the instant the
// day begins in the enterprise zone; nil when none is planned.
func (s *Service) NextAuditDate(ctx context.Context, after time.Time) (*time.Time, error) {
	next, err := s.NextAudit(ctx, after)
	if err != nil || next == nil {
		return nil, err
	}
	t := s.startOf(auditDate(*next))
	return &t, nil
}

// NextAudit returns the earliest planned audit expected on or after day.
func (s *Service) NextAudit(ctx context.Context, day time.Time) (*Audit, error) {
	var audits []Audit
	day = dateOnly(day)
	if err := s.db.WithContext(ctx).Where("status = ? AND (due_on >= ? OR scheduled_on >= ?)", AuditPlanned, day, day).
		Order("due_on").Limit(20).Find(&audits).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("certification: next audit: %w", err))
	}
	var best *Audit
	for i := range audits {
		a := audits[i]
		if auditDate(a).Before(day) {
			continue
		}
		if best == nil || auditDate(a).Before(auditDate(*best)) {
			best = &a
		}
	}
	return best, nil
}

// Audits lists audits (all cycles), planned first by date, then done.
func (s *Service) Audits(ctx context.Context, status string) ([]Audit, error) {
	q := s.db.WithContext(ctx).Order("due_on, id").Limit(500)
	if status != "" {
		q = q.Where("status = ?", status)
	}
	var out []Audit
	if err := q.Find(&out).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("certification: list audits: %w", err))
	}
	return out, nil
}

// ReminderJob publishes certification.reminder once for each planned audit
// and each certificate expiry reaching a reminder lead time (90, 30, 7 days
// by default). When several lead times are reached at once (the job was not
// running), only the nearest is published; the others are recorded as sent.
// A unique key makes each reminder once, whichever instance runs the job.
// The job also picks up audit packs whose builder did not start.
func (s *Service) ReminderJob(ctx context.Context) error {
	ctx = actor.With(ctx, actor.System("certification"))
	today := s.today()
	horizon := today.AddDate(0, 0, s.o.ReminderDays[0])
	var audits []Audit
	if err := s.db.WithContext(ctx).Where("status = ? AND (due_on <= ? OR scheduled_on <= ?)", AuditPlanned, horizon, horizon).
		Find(&audits).Error; err != nil {
		return fmt.Errorf("certification: reminders: audits: %w", err)
	}
	for _, a := range audits {
		if err := s.remind(ctx, "audit", a.ID, auditDate(a), today, event.CertificationReminder{AuditID: a.ID, CycleID: a.CycleID, Kind: a.Kind, Seq: a.Seq}); err != nil {
			return err
		}
	}
	var cycles []Cycle
	if err := s.db.WithContext(ctx).Where("status = ? AND expires_on <= ?", StatusCertified, horizon).Find(&cycles).Error; err != nil {
		return fmt.Errorf("certification: reminders: certificates: %w", err)
	}
	for _, c := range cycles {
		if c.ExpiresOn == nil {
			continue
		}
		if err := s.remind(ctx, "certificate", c.ID, *c.ExpiresOn, today, event.CertificationReminder{CycleID: c.ID, CertificateNo: c.CertificateNo}); err != nil {
			return err
		}
	}
	s.resumePacks(ctx)
	return nil
}

func (s *Service) remind(ctx context.Context, subject string, id uint64, due, today time.Time, p event.CertificationReminder) error {
	daysLeft := int(due.Sub(today).Hours() / 24)
	if daysLeft < 0 {
		return nil
	}
	nearest := -1
	for _, d := range s.o.ReminderDays {
		if daysLeft <= d {
			nearest = d
		}
	}
	if nearest < 0 {
		return nil
	}
	p.Subject, p.DueOn, p.DaysBefore, p.DaysLeft = subject, due.Format(time.DateOnly), nearest, daysLeft
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, d := range s.o.ReminderDays {
			if daysLeft > d {
				continue
			}
			r := Reminder{Subject: subject, SubjectID: id, DueOn: due, DaysBefore: d, SentAt: s.now().UTC()}
			// A skipped row must not count as affected: that would send a
			// reminder twice.
			res := db.InsertIgnoringDuplicates(tx).Create(&r)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 1 && d == nearest {
				// Recorded with the reminder row: sent once, never lost.
				if err := s.o.Bus.Enqueue(tx, event.CertificationReminderDue.New(Topic, p)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("certification: reminder %s %d: %w", subject, id, err)
	}
	return nil
}
