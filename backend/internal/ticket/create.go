package ticket

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/auth"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/sla"
)

// NewTicket is the input of Create.
type NewTicket struct {
	Channel     string
	Type        string
	Priority    string
	CustomerID  uint64
	UnitID      *uint64
	CategoryID  *uint64
	FaultCode   string
	RegionCode  string
	Description string
	AssigneeID  *uint64
	Team        string
	// IdempotencyKey, when set, makes a repeated create by the same user
	// return the ticket the first call created.
	IdempotencyKey string
}

var (
	faultCodePattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,32}$`)
	regionPattern    = regexp.MustCompile(`^[0-9]{6}$`)
	idemKeyPattern   = regexp.MustCompile(`^[\x21-\x7e]{1,128}$`)
)

// Create opens a ticket, selects its SLA policy and starts its clocks, and
// returns it with its clocks. It returns created=false with the original
// ticket when the idempotency key was already used by the same user.
// Errors: validation (by field), conflict idempotency_key_reused (the key
// belongs to another user).
func (s *Service) Create(ctx context.Context, in NewTicket) (Detail, bool, error) {
	a := actor.From(ctx)
	if in.IdempotencyKey != "" {
		if !idemKeyPattern.MatchString(in.IdempotencyKey) {
			return Detail{}, false, apperr.Field("idempotency_key", "1–128 printable ASCII characters")
		}
		if t, ok, err := s.byIdempotencyKey(ctx, a.UserID, in.IdempotencyKey); err != nil || ok {
			return s.replay(ctx, t, err)
		}
	}
	if in.Priority == "" {
		in.Priority = PriorityNormal
	}
	fields := map[string]string{}
	if !slices.Contains(Channels(), in.Channel) {
		fields["channel"] = "one of " + strings.Join(Channels(), ", ")
	}
	if !slices.Contains(Types(), in.Type) {
		fields["type"] = "one of " + strings.Join(Types(), ", ")
	}
	if !slices.Contains(Priorities(), in.Priority) {
		fields["priority"] = "one of " + strings.Join(Priorities(), ", ")
	}
	in.Description = strings.TrimSpace(in.Description)
	switch n := utf8.RuneCountInString(in.Description); {
	case n == 0:
		fields["description"] = "required"
	case n > 4000:
		fields["description"] = "at most 4000 characters"
	}
	in.FaultCode = strings.TrimSpace(in.FaultCode)
	if in.FaultCode != "" && !faultCodePattern.MatchString(in.FaultCode) {
		fields["fault_code"] = "letters, digits, '_', '-', '.'; at most 32"
	}
	in.Team = strings.TrimSpace(in.Team)
	if utf8.RuneCountInString(in.Team) > 64 {
		fields["team"] = "at most 64 characters"
	}
	if in.CustomerID == 0 {
		fields["customer_id"] = "required"
	}
	if in.RegionCode != "" {
		if msg := s.checkRegion(in.RegionCode); msg != "" {
			fields["region_code"] = msg
		}
	}
	if len(fields) > 0 {
		return Detail{}, false, apperr.Validation(fields)
	}
	if err := s.resolveParties(ctx, &in, fields); err != nil {
		return Detail{}, false, err
	}
	if in.AssigneeID != nil {
		if msg := s.checkAssignee(ctx, *in.AssigneeID); msg != "" {
			fields["assignee_id"] = msg
		}
	}
	if len(fields) > 0 {
		return Detail{}, false, apperr.Validation(fields)
	}

	now := s.now()
	policy, cal, _, err := s.o.SLA.Select(ctx, in.Type, in.Priority, in.RegionCode)
	if err != nil {
		return Detail{}, false, apperr.Internal(err)
	}
	who := actorLabel(a)
	t := Ticket{Channel: in.Channel, Type: in.Type, Priority: in.Priority, PriorityRank: PriorityRank(in.Priority), Status: StatusNew,
		CustomerID: in.CustomerID, UnitID: in.UnitID, CategoryID: in.CategoryID, FaultCode: in.FaultCode, RegionCode: in.RegionCode,
		Description: in.Description, AssigneeID: in.AssigneeID, Team: in.Team, SLAPolicy: policy.ID, SLACalendar: policy.CalendarID,
		SLACheckedAt: now, CreatedBy: a.UserID, Version: 1, CreatedAt: now, UpdatedAt: now}
	if in.AssigneeID != nil || in.Team != "" {
		t.Status, t.AssignedAt = StatusAssigned, &now
	}
	events := policy.Apply(now, who, "")
	events = append(events,
		sla.Event{At: now, Kind: sla.KindStarted, Target: sla.TargetFirstResponse, Actor: who},
		sla.Event{At: now, Kind: sla.KindStarted, Target: sla.TargetResolution, Actor: who})
	if in.Channel == ChannelPhone || in.Channel == ChannelWalkIn {
		// The agent is speaking with the customer while opening the ticket:
		// that is the first response.
		events = append(events, sla.Event{At: now, Kind: sla.KindMet, Target: sla.TargetFirstResponse, Actor: who})
		t.FirstResponseAt = &now
	}
	clocks := sla.Evaluate(events, cal, now)
	Summarise(&t, clocks)
	if err := s.o.Sequences.Prepare(ctx, s.o.DB, "T", now, s.o.Location); err != nil {
		return Detail{}, false, apperr.Internal(err)
	}
	// The number comes from this process's block (HiLo, see Sequences):
	// no counter row is locked by the creating transaction.
	number, err := s.o.Sequences.Next(ctx, s.o.DB, "T", now, s.o.Location)
	if err != nil {
		return Detail{}, false, wrap(err, "number ticket")
	}
	t.Number = number
	dupKey := false
	err = retryDeadlock(func() error {
		t.ID = 0
		return s.gate.transaction(ctx, s.hot, func(tx *gorm.DB) error {
			if err := tx.Create(&t).Error; err != nil {
				return fmt.Errorf("insert ticket: %w", err)
			}
			if in.IdempotencyKey != "" {
				k := idempotencyKey{Scope: "ticket", Key: in.IdempotencyKey, UserID: a.UserID, EntityID: strconv.FormatUint(t.ID, 10), CreatedAt: now}
				if err := tx.Create(&k).Error; err != nil {
					if errors.Is(err, gorm.ErrDuplicatedKey) {
						dupKey = true
					}
					return fmt.Errorf("idempotency key: %w", err)
				}
			}
			data := map[string]any{"channel": t.Channel, "type": t.Type, "priority": t.Priority, "sla_policy": t.SLAPolicy}
			if err := tx.Create(&Event{TicketID: t.ID, Kind: EventCreated, ActorID: actorID(a), ActorName: a.Username,
				Body: "工单已创建", Data: mustJSON(data), At: now}).Error; err != nil {
				return fmt.Errorf("insert ticket event: %w", err)
			}
			if err := s.o.SLA.Append(ctx, tx, t.ID, events...); err != nil {
				return err
			}
			if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: "create", Entity: "ticket", EntityID: strconv.FormatUint(t.ID, 10), After: t.Snapshot()}); err != nil {
				return err
			}
			return s.o.Bus.Enqueue(tx, s.eventOf(event.TicketCreated, t, event.Ticket{}))
		})
	})
	if err != nil {
		if dupKey {
			// A concurrent request with the same key won the race.
			if t, ok, err2 := s.byIdempotencyKey(ctx, a.UserID, in.IdempotencyKey); err2 != nil || ok {
				return s.replay(ctx, t, err2)
			}
		}
		return Detail{}, false, wrap(err, "create ticket")
	}
	return Detail{Ticket: t, Clocks: clocks}, true, nil
}

// replay answers a repeated create with the original ticket and its clocks.
func (s *Service) replay(ctx context.Context, t Ticket, err error) (Detail, bool, error) {
	if err != nil {
		return Detail{}, false, err
	}
	clocks, frozen, err := s.Clocks(ctx, t)
	if err != nil {
		return Detail{}, false, err
	}
	return Detail{Ticket: t, Clocks: clocks, Frozen: frozen}, false, nil
}

// byIdempotencyKey returns the ticket an earlier create with key made.
func (s *Service) byIdempotencyKey(ctx context.Context, userID uint64, key string) (Ticket, bool, error) {
	var k idempotencyKey
	err := s.hot.WithContext(ctx).Where("scope = ? AND `key` = ?", "ticket", key).Take(&k).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Ticket{}, false, nil
	}
	if err != nil {
		return Ticket{}, false, apperr.Internal(fmt.Errorf("idempotency key: %w", err))
	}
	if k.UserID != userID {
		return Ticket{}, false, apperr.Conflict("idempotency_key_reused", "this Idempotency-Key was used by another user; send a new key")
	}
	id, _ := strconv.ParseUint(k.EntityID, 10, 64)
	var t Ticket
	if err := s.hot.WithContext(ctx).Where("id = ?", id).Take(&t).Error; err != nil {
		return Ticket{}, false, apperr.Internal(fmt.Errorf("idempotent ticket %d: %w", id, err))
	}
	return t, true, nil
}

// resolveParties checks the customer and unit and fills region and category.
func (s *Service) resolveParties(ctx context.Context, in *NewTicket, fields map[string]string) error {
	if s.o.Customers != nil {
		region, err := s.o.Customers.PrimaryRegion(ctx, in.CustomerID)
		switch {
		case apperr.IsKind(err, apperr.KindNotFound):
			fields["customer_id"] = "no such customer"
		case err != nil:
			return wrap(err, "customer")
		case in.RegionCode == "":
			in.RegionCode = region
		}
	}
	if in.UnitID != nil && s.o.Units != nil {
		u, err := s.o.Units.UnitInfo(ctx, *in.UnitID)
		switch {
		case apperr.IsKind(err, apperr.KindNotFound):
			fields["unit_id"] = "no such unit"
		case err != nil:
			return wrap(err, "unit")
		case u.Deactivated:
			return apperr.Conflict("unit_deactivated", "the unit is "+u.Status+" and gets no new tickets; reactivate it first").
				WithDetail("field", "unit_id").WithDetail("status", u.Status)
		default:
			if u.CustomerID != 0 && u.CustomerID != in.CustomerID {
				fields["unit_id"] = "the unit belongs to another customer"
			}
			if in.CategoryID == nil && u.CategoryID != 0 {
				c := u.CategoryID
				in.CategoryID = &c
			}
		}
	}
	return nil
}

func (s *Service) checkRegion(code string) string {
	if !regionPattern.MatchString(code) {
		return "a six-digit GB/T 2260 code"
	}
	if s.o.Regions != nil {
		if err := s.o.Regions.Validate(code); err != nil {
			return "unknown GB/T 2260 code"
		}
	}
	return ""
}

// checkAssignee returns a problem with assigning tickets to user id.
func (s *Service) checkAssignee(ctx context.Context, id uint64) string {
	if s.o.Users == nil {
		return ""
	}
	u, err := s.o.Users.GetUser(ctx, id)
	if err != nil {
		return "no such user"
	}
	if !u.Active(s.o.Now()) {
		return "the user is disabled or expired"
	}
	for _, r := range u.RoleList() {
		if r == auth.RoleHotlineAgent || r == auth.RoleAdmin || r == auth.RoleQualityManager {
			return ""
		}
	}
	return "the user does not work tickets (needs role hotline_agent, quality_manager or admin)"
}
