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
	"github.com/aftersales/aftersales/backend/internal/db"
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
	// An earlier create with the same key answers the repeat, before any
	// check of the input. The key is looked up beside the checks and the
	// customer read (one round trip less at +5 ms), and consulted first.
	earlier := func() (Ticket, bool, error) { return Ticket{}, false, nil }
	if in.IdempotencyKey != "" {
		if err := checkIdemKey(in.IdempotencyKey); err != nil {
			return Detail{}, false, err
		}
		found := make(chan keyLookup, 1)
		go func() {
			t, ok, err := s.byIdempotencyKey(ctx, a.UserID, in.IdempotencyKey)
			found <- keyLookup{t, ok, err}
		}()
		var once *keyLookup
		earlier = func() (Ticket, bool, error) {
			if once == nil {
				r := <-found
				once = &r
			}
			return once.t, once.ok, once.err
		}
	}
	d, err := s.prepare(ctx, in, true)
	if t, ok, err2 := earlier(); err2 != nil || ok {
		return s.replay(ctx, t, err2)
	}
	if err != nil {
		return Detail{}, false, err
	}
	t, err := s.insertBatch(ctx, &d)
	if err != nil {
		if d.idemKey != "" && db.IsDuplicate(err) {
			// A concurrent request with the same key won the race.
			if t, ok, err2 := s.byIdempotencyKey(ctx, a.UserID, in.IdempotencyKey); err2 != nil || ok {
				return s.replay(ctx, t, err2)
			}
		}
		return Detail{}, false, wrap(err, "create ticket")
	}
	return Detail{Ticket: t, Clocks: d.clocks}, true, nil
}

// checkIdemKey answers a malformed idempotency key (Create, Replay).
func checkIdemKey(key string) error {
	if !idemKeyPattern.MatchString(key) {
		return apperr.FieldErr("idempotency_key", apperr.Code("printable_ascii", "1–128 printable ASCII characters").With("max", 128))
	}
	return nil
}

// keyLookup is the answer of byIdempotencyKey.
type keyLookup struct {
	t   Ticket
	ok  bool
	err error
}

// insertBatch stores d in a transaction of its own run as a batch of
// hand-written INSERTs (db.Batcher: two round trips on MySQL, however many
// rows), with the same rows as insert: the ticket; its idempotency key,
// timeline line, SLA log, audit leaf and outbox row.
func (s *Service) insertBatch(ctx context.Context, d *Draft) (Ticket, error) {
	a := actor.From(ctx)
	t := d.t
	var created event.Event
	var outboxIDs func([]uint64)
	err := db.Retry(ctx, func() error {
		release := s.gate.hold()
		defer release()
		outboxIDs = nil
		id, ids, err := s.batch.Tx(ctx, insertTicket(t), func(id uint64) ([]db.Stmt, error) {
			t.ID = id
			created = s.createdEvent(t)
			stmts, err := s.createStmts(ctx, a, d, t)
			if err != nil {
				return nil, err
			}
			if ob, ok := s.o.Bus.(stmtBus); ok {
				more, after, err := ob.EnqueueStmts(ctx, created)
				if err != nil {
					return nil, err
				}
				outboxIDs = func(ids []uint64) { after(ids[len(ids)-len(more):]) }
				stmts = append(stmts, more...)
			}
			return stmts, nil
		})
		if err != nil {
			return err
		}
		t.ID = id
		if outboxIDs != nil {
			outboxIDs(ids)
		}
		return nil
	})
	if err != nil {
		return Ticket{}, err
	}
	if _, ok := s.o.Bus.(stmtBus); !ok {
		// A bus without an outbox (tests' memory bus) delivers at once.
		if err := s.o.Bus.Enqueue(s.o.DB.WithContext(ctx), created); err != nil {
			return Ticket{}, fmt.Errorf("publish ticket.created: %w", err)
		}
	}
	return t, nil
}

// createdEvent is t's ticket.created. Its time is the ticket's creation
// (readiness.MayMark relies on it).
func (s *Service) createdEvent(t Ticket) event.Event {
	e := s.eventOf(event.TicketCreated, t, event.Ticket{})
	e.At = t.CreatedAt
	return e
}

// stmtBus is the outbox: its rows join the creating transaction's batch.
type stmtBus interface {
	EnqueueStmts(ctx context.Context, events ...event.Event) ([]db.Stmt, func(ids []uint64), error)
}

// ticketColumns are the columns insertTicket writes: every field of Ticket
// but the generated id (TestCreateStatementsWriteEveryColumn).
var ticketColumns = []string{"number", "channel", "type", "priority", "priority_rank", "status", "customer_id", "unit_id", "category_id",
	"fault_code", "region_code", "description", "assignee_id", "team", "outlet_id", "distance_band", "merged_into_id", "reopen_count",
	"close_reason", "sla_policy", "sla_calendar", "sla_due_at", "sla_breached", "sla_next_check_at", "sla_checked_at", "first_response_at",
	"assigned_at", "resolved_at", "closed_at", "created_by", "version", "created_at", "updated_at"}

// insertTicket is the INSERT of a new ticket, written without GORM's
// reflection (a ticket creation's hot path).
func insertTicket(t Ticket) db.Stmt {
	return db.Insert("tickets", ticketColumns, t.Number, t.Channel, t.Type, t.Priority, t.PriorityRank, t.Status, t.CustomerID, t.UnitID,
		t.CategoryID, t.FaultCode, t.RegionCode, t.Description, t.AssigneeID, t.Team, t.OutletID, t.DistanceBand, t.MergedIntoID,
		t.ReopenCount, t.CloseReason, t.SLAPolicy, t.SLACalendar, t.SLADueAt, t.SLABreached, t.SLANextCheckAt, t.SLACheckedAt,
		t.FirstResponseAt, t.AssignedAt, t.ResolvedAt, t.ClosedAt, t.CreatedBy, t.Version, t.CreatedAt, t.UpdatedAt)
}

var (
	idempotencyKeyColumns = []string{"scope", "key", "user_id", "entity_id", "created_at"}
	eventColumns          = []string{"ticket_id", "kind", "actor_id", "actor_name", "body", "body_code", "body_params", "data", "at"}
)

// createStmts are the rows a new ticket t brings besides itself, for both
// ways of storing it (insertBatch's batch, insert's caller transaction): its
// idempotency key, the timeline's first line, the SLA log and the audit
// leaf.
func (s *Service) createStmts(ctx context.Context, a actor.Actor, d *Draft, t Ticket) ([]db.Stmt, error) {
	id := strconv.FormatUint(t.ID, 10)
	var stmts []db.Stmt
	if d.idemKey != "" {
		stmts = append(stmts, db.Insert("idempotency_keys", idempotencyKeyColumns, "ticket", d.idemKey, a.UserID, id, t.CreatedAt))
	}
	data := map[string]any{"channel": t.Channel, "type": t.Type, "priority": t.Priority, "sla_policy": t.SLAPolicy}
	stmts = append(stmts, db.Insert("ticket_events", eventColumns, t.ID, EventCreated, actorID(a), a.Username, "", "created", "", mustJSON(data), t.CreatedAt))
	if len(d.events) > 0 {
		stmts = append(stmts, sla.AppendStmt(t.ID, d.events...))
	}
	leaf, err := s.o.Audit.Leaf(ctx, audit.Entry{Action: "create", Entity: "ticket", EntityID: id, After: t.Snapshot()})
	if err != nil {
		return nil, err
	}
	return append(stmts, leaf), nil
}

// Draft is a new ticket checked, given its SLA policy and numbered: the
// work done outside any transaction. Insert stores it inside one.
type Draft struct {
	t       Ticket
	events  []sla.Event
	clocks  []sla.ClockState
	idemKey string
}

// Prepare checks in, selects its SLA policy and numbers it, for InsertTx to
// store inside the caller's transaction: a use case that creates the
// ticket's customer in that same transaction (a web service request)
// prepares first, as numbering and policy selection run outside any
// transaction. A customer_id of 0 is left for InsertTx; a set one is checked.
func (s *Service) Prepare(ctx context.Context, in NewTicket) (Draft, error) {
	return s.prepare(ctx, in, false)
}

// InsertTx stores d for customerID (when d has none) inside the caller's
// transaction tx, with its timeline, clocks, audit record and
// ticket.created. The caller vouches for the customer, and for a unit's
// owner being that customer.
func (s *Service) InsertTx(ctx context.Context, tx *gorm.DB, d Draft, customerID uint64) (Detail, error) {
	if d.t.CustomerID == 0 {
		d.t.CustomerID = customerID
	}
	if d.t.CustomerID == 0 {
		return Detail{}, apperr.FieldErr("customer_id", apperr.Required())
	}
	if err := s.insert(ctx, tx, &d); err != nil {
		return Detail{}, fmt.Errorf("create ticket: %w", err) // unclassified: the caller may run its transaction again
	}
	return Detail{Ticket: d.t, Clocks: d.clocks}, nil
}

// Replay returns the ticket an earlier create by the caller made with the
// idempotency key, if any (conflict idempotency_key_reused when the key is
// another user's).
func (s *Service) Replay(ctx context.Context, key string) (Detail, bool, error) {
	if err := checkIdemKey(key); err != nil {
		return Detail{}, false, err
	}
	t, ok, err := s.byIdempotencyKey(ctx, actor.From(ctx).UserID, key)
	if err != nil || !ok {
		return Detail{}, false, err
	}
	d, _, err := s.replay(ctx, t, nil)
	return d, err == nil, err
}

func (s *Service) prepare(ctx context.Context, in NewTicket, customerRequired bool) (Draft, error) {
	a := actor.From(ctx)
	if in.Priority == "" {
		in.Priority = PriorityNormal
	}
	fields := apperr.Fields{}
	if !slices.Contains(Channels(), in.Channel) {
		fields["channel"] = apperr.OneOf(Channels()...)
	}
	if !slices.Contains(Types(), in.Type) {
		fields["type"] = apperr.OneOf(Types()...)
	}
	if !slices.Contains(Priorities(), in.Priority) {
		fields["priority"] = apperr.OneOf(Priorities()...)
	}
	in.Description = strings.TrimSpace(in.Description)
	switch n := utf8.RuneCountInString(in.Description); {
	case n == 0:
		fields["description"] = apperr.Required()
	case n > 4000:
		fields["description"] = apperr.TooLong(4000)
	}
	in.FaultCode = strings.TrimSpace(in.FaultCode)
	if in.FaultCode != "" && !faultCodePattern.MatchString(in.FaultCode) {
		fields["fault_code"] = apperr.Identifier(1, 32)
	}
	in.Team = strings.TrimSpace(in.Team)
	if utf8.RuneCountInString(in.Team) > 64 {
		fields["team"] = apperr.TooLong(64)
	}
	if in.CustomerID == 0 && customerRequired {
		fields["customer_id"] = apperr.Required()
	}
	if in.RegionCode != "" {
		if fe := s.checkRegion(in.RegionCode); fe != nil {
			fields["region_code"] = *fe
		}
	}
	if len(fields) > 0 {
		return Draft{}, apperr.FieldsErr(fields)
	}
	if err := s.resolveParties(ctx, &in, fields); err != nil {
		return Draft{}, err
	}
	if in.AssigneeID != nil {
		if fe := s.checkAssignee(ctx, *in.AssigneeID); fe != nil {
			fields["assignee_id"] = *fe
		}
	}
	if len(fields) > 0 {
		return Draft{}, apperr.FieldsErr(fields)
	}

	now := s.now()
	policy, cal, _, err := s.o.SLA.Select(ctx, in.Type, in.Priority, in.RegionCode)
	if err != nil {
		return Draft{}, apperr.Internal(err)
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
		return Draft{}, apperr.Internal(err)
	}
	// The number comes from this process's block (HiLo, see Sequences):
	// no counter row is locked by the creating transaction.
	number, err := s.o.Sequences.Next(ctx, s.o.DB, "T", now, s.o.Location)
	if err != nil {
		return Draft{}, wrap(err, "number ticket")
	}
	t.Number = number
	return Draft{t: t, events: events, clocks: clocks, idemKey: in.IdempotencyKey}, nil
}

// insert stores d inside tx: the ticket, then the rows insertBatch writes
// with it (createStmts), then ticket.created through the bus. A concurrent
// create that stored the same idempotency key first makes it fail with the
// duplicate-key error (db.IsDuplicate).
func (s *Service) insert(ctx context.Context, tx *gorm.DB, d *Draft) error {
	t := &d.t
	if err := tx.Create(t).Error; err != nil {
		return fmt.Errorf("insert ticket: %w", err)
	}
	stmts, err := s.createStmts(ctx, actor.From(ctx), d, *t)
	if err != nil {
		return err
	}
	for _, st := range stmts {
		if _, err := tx.Statement.ConnPool.ExecContext(ctx, st.SQL, st.Args...); err != nil {
			return fmt.Errorf("insert ticket rows: %w", err)
		}
	}
	return s.o.Bus.Enqueue(tx, s.createdEvent(*t))
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
func (s *Service) resolveParties(ctx context.Context, in *NewTicket, fields apperr.Fields) error {
	if s.o.Customers != nil && in.CustomerID != 0 {
		region, err := s.o.Customers.PrimaryRegion(ctx, in.CustomerID)
		switch {
		case apperr.IsKind(err, apperr.KindNotFound):
			fields["customer_id"] = apperr.NoSuch("customer")
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
			fields["unit_id"] = apperr.NoSuch("unit")
		case err != nil:
			return wrap(err, "unit")
		case u.Deactivated:
			return apperr.Conflict("unit_deactivated", "the unit is "+u.Status+" and gets no new tickets; reactivate it first").
				WithDetail("field", "unit_id").WithDetail("status", u.Status)
		default:
			if u.CustomerID != 0 && u.CustomerID != in.CustomerID {
				fields["unit_id"] = apperr.Code("other_customer", "the unit belongs to another customer")
			}
			if in.CategoryID == nil && u.CategoryID != 0 {
				c := u.CategoryID
				in.CategoryID = &c
			}
		}
	}
	return nil
}

func (s *Service) checkRegion(code string) *apperr.FieldError {
	var fe apperr.FieldError
	switch {
	case !regionPattern.MatchString(code):
		fe = apperr.InvalidFormat(apperr.FormatRegion)
	case s.o.Regions != nil && s.o.Regions.Validate(code) != nil:
		fe = apperr.Unknown(code)
	default:
		return nil
	}
	return &fe
}

// checkAssignee returns a problem with assigning tickets to user id.
func (s *Service) checkAssignee(ctx context.Context, id uint64) *apperr.FieldError {
	if s.o.Users == nil {
		return nil
	}
	var fe apperr.FieldError
	u, err := s.o.Users.GetUser(ctx, id)
	switch {
	case err != nil:
		fe = apperr.NoSuch("user")
	case !u.Active(s.o.Now()):
		fe = apperr.Code("user_inactive", "the user is disabled or expired")
	default:
		for _, r := range u.RoleList() {
			if r == auth.RoleHotlineAgent || r == auth.RoleAdmin || r == auth.RoleQualityManager {
				return nil
			}
		}
		fe = apperr.Code("not_ticket_worker", "the user does not work tickets (needs role hotline_agent, quality_manager or admin)")
	}
	return &fe
}
