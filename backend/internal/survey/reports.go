package survey

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/passport"
)

var _ passport.Source = (*Service)(nil)

// ResponseFilter selects responses; From/To bound answered_at.
type ResponseFilter struct {
	From, To     *time.Time
	TicketID     *uint64
	CustomerID   *uint64
	UnitID       *uint64
	Channel      string
	Dissatisfied *bool
	// BeforeID pages by keyset (newest first): pass the last id seen.
	BeforeID uint64
	Size     int
}

// ListResponses returns responses newest first, keyset-paged on id (the
// table grows by hundreds of thousands a year, so no OFFSET and no total).
func (s *Service) ListResponses(ctx context.Context, f ResponseFilter) ([]Response, error) {
	q := s.o.DB.WithContext(ctx).Model(&Response{})
	if f.From != nil {
		q = q.Where("answered_at >= ?", f.From.UTC().Truncate(time.Microsecond))
	}
	if f.To != nil {
		q = q.Where("answered_at < ?", f.To.UTC().Truncate(time.Microsecond))
	}
	for col, v := range map[string]*uint64{"ticket_id": f.TicketID, "customer_id": f.CustomerID, "unit_id": f.UnitID} {
		if v != nil {
			q = q.Where(col+" = ?", *v)
		}
	}
	if f.Channel != "" {
		if f.Channel != ChannelLink && f.Channel != ChannelPhone {
			return nil, apperr.FieldErr("channel", apperr.OneOf("link", "phone"))
		}
		q = q.Where("channel = ?", f.Channel)
	}
	if f.Dissatisfied != nil {
		q = q.Where("dissatisfied = ?", *f.Dissatisfied)
	}
	if outlet, ok := actor.From(ctx).OutletScoped(); ok {
		q = q.Where("outlet_id = ?", outlet)
	}
	if f.Size <= 0 || f.Size > 200 {
		f.Size = 50
	}
	var out []Response
	if err := db.NewestFirst(q, f.BeforeID, f.Size).Find(&out).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("list survey responses: %w", err))
	}
	return out, nil
}

// GetResponse returns one response. Errors: not found.
func (s *Service) GetResponse(ctx context.Context, rid uint64) (Response, error) {
	var r Response
	q := s.o.DB.WithContext(ctx).Where("id = ?", rid)
	if outlet, ok := actor.From(ctx).OutletScoped(); ok {
		q = q.Where("outlet_id = ?", outlet)
	}
	if err := q.Take(&r).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return r, apperr.NotFound("survey response")
		}
		return r, apperr.Internal(fmt.Errorf("get survey response: %w", err))
	}
	return r, nil
}

// ResponseExists returns nil when the response exists (for corrective actions).
func (s *Service) ResponseExists(ctx context.Context, rid uint64) error {
	_, err := s.GetResponse(ctx, rid)
	return err
}

// InvitationFilter selects invitations.
type InvitationFilter struct {
	Status     string // a stored status, or expired (derived)
	Channel    string
	TicketID   *uint64
	CustomerID *uint64
	BeforeID   uint64
	Size       int
}

// ListInvitations returns invitations newest first (keyset on id).
func (s *Service) ListInvitations(ctx context.Context, f InvitationFilter) ([]Invitation, error) {
	q := s.o.DB.WithContext(ctx).Model(&Invitation{})
	now := s.now()
	switch f.Status {
	case "":
	case InvExpired:
		q = q.Where("status = ? AND channel = ? AND expires_at <= ?", InvSent, ChannelLink, now)
	case InvSent:
		q = q.Where("status = ? AND (expires_at IS NULL OR expires_at > ?)", InvSent, now)
	case InvScheduled, InvAnswered, InvCancelled, InvUnreachable, InvRefused:
		q = q.Where("status = ?", f.Status)
	default:
		return nil, apperr.FieldErr("status", apperr.OneOf("scheduled", "sent", "answered", "expired", "cancelled", "unreachable", "refused"))
	}
	if f.Channel != "" {
		q = q.Where("channel = ?", f.Channel)
	}
	if f.TicketID != nil {
		q = q.Where("ticket_id = ?", *f.TicketID)
	}
	if f.CustomerID != nil {
		q = q.Where("customer_id = ?", *f.CustomerID)
	}
	if f.Size <= 0 || f.Size > 200 {
		f.Size = 50
	}
	var out []Invitation
	if err := db.NewestFirst(q, f.BeforeID, f.Size).Find(&out).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("list survey invitations: %w", err))
	}
	return out, nil
}

// Now is the service clock (for effective statuses in responses).
func (s *Service) Now() time.Time { return s.now() }

// ChannelKPI are the response figures of one channel.
type ChannelKPI struct {
	Sent         int64    `json:"sent"`
	Answered     int64    `json:"answered"`
	ResponseRate *float64 `json:"response_rate"`
}

// FollowupKPI are the 回访 figures of a period (follow-ups created in it).
type FollowupKPI struct {
	Total          int64    `json:"total"`
	Answered       int64    `json:"answered"`
	Unreachable    int64    `json:"unreachable"`
	Refused        int64    `json:"refused"`
	Cancelled      int64    `json:"cancelled"`
	Open           int64    `json:"open"`
	OpenOverdue    int64    `json:"open_overdue"`
	Measured       int64    `json:"measured"`
	WithinLimit    int64    `json:"within_limit"`
	WithinRate     *float64 `json:"within_limit_rate"`
	Callbacks      int64    `json:"callbacks"`
	CallbacksDone  int64    `json:"callbacks_done"`
	CallbacksLate  int64    `json:"callbacks_late"`
	AttemptsPerFUP *float64 `json:"attempts_per_followup"`
}

// KPI are the satisfaction figures of a period [From, To).
//
// Definitions (docs/kpi.md): invitations are counted by when they were sent
// (a link when issued, a 回访 when queued), cancelled ones (answered through
// the other channel) excluded; response rate = answered ÷ sent;
// non-response = expired links + unreachable + refused; pending = sent, not
// answered, not yet expired or ended. Scores are averaged over responses
// answered in the period; NPS = % promoters (9–10) − % detractors (0–6).
// A 回访 is within limit when it ended (answered, refused, unreachable) on or
// before its due time, 3 days after the close by default.
type KPI struct {
	From              time.Time             `json:"from"`
	To                time.Time             `json:"to"`
	Sent              int64                 `json:"sent"`
	Answered          int64                 `json:"answered"`
	ResponseRate      *float64              `json:"response_rate"`
	NonResponse       int64                 `json:"non_response"`
	Expired           int64                 `json:"expired"`
	Unreachable       int64                 `json:"unreachable"`
	Refused           int64                 `json:"refused"`
	Pending           int64                 `json:"pending"`
	ByChannel         map[string]ChannelKPI `json:"by_channel"`
	Responses         int64                 `json:"responses"`
	CSATCount         int64                 `json:"csat_count"`
	CSATAverage       *float64              `json:"csat_average"`
	CSATSatisfied     int64                 `json:"csat_satisfied"` // 4–5
	CSATSatisfiedRate *float64              `json:"csat_satisfied_rate"`
	NPSCount          int64                 `json:"nps_count"`
	Promoters         int64                 `json:"promoters"`
	Passives          int64                 `json:"passives"`
	Detractors        int64                 `json:"detractors"`
	NPS               *float64              `json:"nps"`
	AgentCount        int64                 `json:"agent_count"`
	AgentAverage      *float64              `json:"agent_average"`
	TechnicianCount   int64                 `json:"technician_count"`
	TechnicianAverage *float64              `json:"technician_average"`
	Dissatisfied      int64                 `json:"dissatisfied"`
	Followups         FollowupKPI           `json:"followups"`
}

func rate(part, whole int64) *float64 {
	if whole <= 0 {
		return nil
	}
	v := float64(part) / float64(whole)
	return &v
}

func avg(sum, count int64) *float64 {
	if count == 0 {
		return nil
	}
	v := float64(sum) / float64(count)
	return &v
}

// PassportEntries lists a unit's survey responses and 回访 that ended
// without an answer (newest 200 each), for the unit passport.
func (s *Service) PassportEntries(ctx context.Context, unitID uint64) ([]passport.Entry, error) {
	db := s.o.DB.WithContext(ctx)
	var rs []Response
	if err := db.Where("unit_id = ?", unitID).Order("answered_at DESC").Limit(200).Find(&rs).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("survey passport: %w", err))
	}
	var out []passport.Entry
	for _, r := range rs {
		code, params := "survey", passport.Params{"survey_channel": r.Channel}
		if r.Csat != nil {
			code += "_csat"
			params["csat"] = *r.Csat
		}
		if r.Dissatisfied {
			code += "_dissatisfied"
		}
		out = append(out, passport.Entry{At: r.AnsweredAt, Kind: "survey", TitleCode: code, TitleParams: params, Ref: fmt.Sprintf("survey_response:%d", r.ID),
			Data: map[string]any{"ticket_id": r.TicketID, "csat": r.Csat, "nps": r.Nps, "channel": r.Channel, "dissatisfied": r.Dissatisfied}})
	}
	var fus []Followup
	if err := db.Where("unit_id = ? AND status IN ?", unitID, []string{FUUnreachable, FURefused, FUDone}).
		Order("id DESC").Limit(200).Find(&fus).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("survey passport: %w", err))
	}
	for _, f := range fus {
		at := f.CreatedAt
		if f.CompletedAt != nil {
			at = *f.CompletedAt
		}
		out = append(out, passport.Entry{At: at, Kind: "followup", TitleCode: "followup_" + f.Status, TitleParams: passport.Params{}, Ref: fmt.Sprintf("survey_followup:%d", f.ID),
			Data: map[string]any{"ticket_id": f.TicketID, "kind": f.Kind, "attempts": f.Attempts}})
	}
	return out, nil
}
