package survey

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/event"
)

// Closed is a ticket closing (or a work order completing) as the survey side
// needs it.
type Closed struct {
	TicketID     *uint64
	TicketNumber string
	WorkOrderID  *uint64
	CustomerID   uint64
	UnitID       *uint64
	OutletID     *uint64
	AgentID      *uint64 // the ticket's assignee
	TechnicianID *uint64
	ClosedAt     time.Time
}

// HandleEvent is subscribed to the bus: ticket.closed and
// workorder.completed create the invitations of that ticket. It is safe to
// receive the same event twice (the app also wraps it in outbox.Once):
// invitations are unique per respondent, ticket and channel.
func (s *Service) HandleEvent(e event.Event) {
	c, ok := ClosedFromEvent(e)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(actor.With(context.Background(), actor.System("survey")), 15*time.Second)
	defer cancel()
	c = s.complete(ctx, e.Name, c)
	if err := s.OnClosed(ctx, c); err != nil {
		s.o.Log.Error("survey: invitation on "+e.Name, "err", err, "ticket_id", c.TicketID, "work_order_id", c.WorkOrderID)
	}
}

// ClosedFromEvent reads event.TicketClosed and event.WorkOrderCompleted; it
// reports false for any other event and for a ticket closed as a duplicate
// merged into another (the other one is surveyed).
func ClosedFromEvent(e event.Event) (Closed, bool) {
	if t, ok := event.TicketClosed.Of(e); ok {
		if t.MergedIntoID != nil {
			return Closed{}, false
		}
		c := Closed{TicketID: nz(t.TicketID), TicketNumber: t.Number, CustomerID: t.CustomerID, UnitID: t.UnitID,
			OutletID: t.OutletID, AgentID: t.AssigneeID, ClosedAt: e.At.UTC()}
		if t.ClosedAt != nil {
			c.ClosedAt = t.ClosedAt.UTC()
		}
		return c, true
	}
	if w, ok := event.WorkOrderCompleted.Of(e); ok {
		return Closed{WorkOrderID: nz(w.WorkOrderID), TicketID: nz(w.TicketID), OutletID: w.OutletID, ClosedAt: e.At.UTC()}, true
	}
	return Closed{}, false
}

func nz(v uint64) *uint64 {
	if v == 0 {
		return nil
	}
	return &v
}

func (s *Service) complete(ctx context.Context, name string, c Closed) Closed {
	if s.o.Facts == nil {
		return c
	}
	merge := func(f Closed) {
		if c.CustomerID == 0 {
			c.CustomerID = f.CustomerID
		}
		if c.TicketID == nil {
			c.TicketID = f.TicketID
		}
		if c.TicketNumber == "" {
			c.TicketNumber = f.TicketNumber
		}
		for _, p := range []struct{ dst, src **uint64 }{{&c.UnitID, &f.UnitID}, {&c.OutletID, &f.OutletID},
			{&c.AgentID, &f.AgentID}, {&c.TechnicianID, &f.TechnicianID}, {&c.WorkOrderID, &f.WorkOrderID}} {
			if *p.dst == nil {
				*p.dst = *p.src
			}
		}
	}
	if name == event.WorkOrderCompleted.Name() && c.WorkOrderID != nil {
		if f, err := s.o.Facts.WorkOrderFacts(ctx, *c.WorkOrderID); err == nil {
			merge(f)
		} else {
			s.o.Log.Warn("survey: work order facts", "work_order_id", *c.WorkOrderID, "err", err)
		}
	}
	if c.TicketID != nil && (c.CustomerID == 0 || c.AgentID == nil || c.TicketNumber == "") {
		if f, err := s.o.Facts.TicketFacts(ctx, *c.TicketID); err == nil {
			merge(f)
		} else {
			s.o.Log.Warn("survey: ticket facts", "ticket_id", *c.TicketID, "err", err)
		}
	}
	return c
}

// RespondentKey names one respondent for one ticket (or work order): at
// most one response is recorded per key.
func RespondentKey(c Closed) string {
	if c.TicketID != nil {
		return fmt.Sprintf("t:%d:c:%d", *c.TicketID, c.CustomerID)
	}
	if c.WorkOrderID != nil {
		return fmt.Sprintf("w:%d:c:%d", *c.WorkOrderID, c.CustomerID)
	}
	return ""
}

// OnClosed creates the invitations for a closed ticket: a link (sampled at
// survey.link_rate, sent after survey.delay) and a 回访 call (sampled at
// survey.followup_rate, due within survey.followup_within of the close).
// Without an active transactional template nothing is created (logged).
func (s *Service) OnClosed(ctx context.Context, c Closed) error {
	rk := RespondentKey(c)
	if rk == "" || c.CustomerID == 0 {
		s.o.Log.Warn("survey: closed event without ticket or customer; no invitation", "ticket_id", c.TicketID, "work_order_id", c.WorkOrderID)
		return nil
	}
	st := s.o.Settings
	wantLink := Sampled(rk+":link", st.LinkRate)
	wantPhone := Sampled(rk+":phone", st.FollowupRate)
	if !wantLink && !wantPhone {
		return nil
	}
	now := s.now()
	closedAt := c.ClosedAt.UTC().Truncate(time.Millisecond)
	if closedAt.IsZero() {
		closedAt = now
	}
	return s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		t, ok, err := s.activeTemplate(tx, KindTransactional)
		if err != nil {
			return err
		}
		if !ok {
			s.o.Log.Warn("survey: no active transactional template; create one to survey closed tickets")
			return nil
		}
		base := Invitation{RespondentKey: rk, TemplateID: t.ID, Kind: KindTransactional, TicketID: c.TicketID,
			TicketNumber: c.TicketNumber, WorkOrderID: c.WorkOrderID, CustomerID: c.CustomerID, UnitID: c.UnitID,
			OutletID: c.OutletID, AgentID: c.AgentID, TechnicianID: c.TechnicianID, ClosedAt: &closedAt, Version: 1,
			CreatedAt: now, UpdatedAt: now}
		if wantLink {
			inv := base
			inv.Channel, inv.Status, inv.SendAt = ChannelLink, InvScheduled, closedAt.Add(st.Delay)
			if _, err := s.upsertInvitation(ctx, tx, inv); err != nil {
				return err
			}
		}
		if wantPhone {
			inv := base
			inv.Channel, inv.Status, inv.SendAt, inv.SentAt = ChannelPhone, InvSent, now, &now
			saved, err := s.upsertInvitation(ctx, tx, inv)
			if err != nil {
				return err
			}
			if saved.Status == InvSent {
				fu := Followup{DedupeKey: "after_close:" + rk, Kind: FollowupAfterClose, Status: FUDue, InvitationID: &saved.ID,
					TemplateID: t.ID, TicketID: c.TicketID, TicketNumber: c.TicketNumber, CustomerID: c.CustomerID, UnitID: c.UnitID,
					OutletID: c.OutletID, AgentID: saved.AgentID, ClosedAt: &closedAt, DueAt: closedAt.Add(st.FollowupWithin),
					Version: 1, CreatedAt: now, UpdatedAt: now}
				if err := s.upsertFollowup(ctx, tx, fu); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// upsertInvitation creates inv, or completes the existing one with the same
// dedupe key with facts it lacks (a work order completing first knows the
// technician; the ticket closing later knows the agent).
func (s *Service) upsertInvitation(ctx context.Context, tx *gorm.DB, inv Invitation) (Invitation, error) {
	inv.DedupeKey = inv.RespondentKey + ":" + inv.Channel
	var cur Invitation
	err := tx.Where("dedupe_key = ?", inv.DedupeKey).Take(&cur).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		if err := tx.Create(&inv).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return inv, nil // another server created it a moment ago
			}
			return inv, err
		}
		if inv.Status == InvSent && inv.SentAt != nil {
			if err := bumpInvitation(tx, *inv.SentAt, inv.Channel, map[string]int64{"sent": 1}); err != nil {
				return inv, err
			}
		}
		return inv, s.o.Audit.Record(ctx, tx, audit.Entry{Action: "create", Entity: "survey_invitation", EntityID: idStr(inv.ID), After: inv})
	}
	if err != nil {
		return inv, err
	}
	before := cur
	changed := false
	fill := func(dst **uint64, v *uint64) {
		if *dst == nil && v != nil {
			*dst, changed = v, true
		}
	}
	fill(&cur.AgentID, inv.AgentID)
	fill(&cur.TechnicianID, inv.TechnicianID)
	fill(&cur.WorkOrderID, inv.WorkOrderID)
	fill(&cur.UnitID, inv.UnitID)
	fill(&cur.OutletID, inv.OutletID)
	if cur.TicketNumber == "" && inv.TicketNumber != "" {
		cur.TicketNumber, changed = inv.TicketNumber, true
	}
	if !changed {
		return cur, nil
	}
	cur.Version++
	cur.UpdatedAt = s.now()
	if err := tx.Model(&Invitation{}).Where("id = ?", cur.ID).Updates(map[string]any{"agent_id": cur.AgentID,
		"technician_id": cur.TechnicianID, "work_order_id": cur.WorkOrderID, "unit_id": cur.UnitID, "outlet_id": cur.OutletID,
		"ticket_number": cur.TicketNumber, "version": cur.Version, "updated_at": cur.UpdatedAt}).Error; err != nil {
		return cur, err
	}
	if cur.AgentID != nil && before.AgentID == nil {
		if err := tx.Model(&Followup{}).Where("invitation_id = ? AND agent_id IS NULL", cur.ID).Update("agent_id", cur.AgentID).Error; err != nil {
			return cur, err
		}
	}
	return cur, s.o.Audit.Record(ctx, tx, audit.Entry{Action: "update", Entity: "survey_invitation", EntityID: idStr(cur.ID), Before: before, After: cur})
}

func (s *Service) upsertFollowup(ctx context.Context, tx *gorm.DB, fu Followup) error {
	var n int64
	if err := tx.Model(&Followup{}).Where("dedupe_key = ?", fu.DedupeKey).Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if err := tx.Create(&fu).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return nil
		}
		return err
	}
	if err := bumpFollowup(tx, fu.CreatedAt, fu.Kind, map[string]int64{"total": 1}); err != nil {
		return err
	}
	return s.o.Audit.Record(ctx, tx, audit.Entry{Action: "create", Entity: "survey_followup", EntityID: idStr(fu.ID), After: fu})
}

// InviteInput is a survey invitation made by hand (e.g. for a ticket closed
// before surveys were set up, or a customer who asks for the link again).
type InviteInput struct {
	TemplateID   uint64 // 0: the active template of the kind
	Kind         string // transactional (needs a ticket) or relationship
	Channel      string
	CustomerID   uint64
	TicketID     *uint64
	TicketNumber string
	UnitID       *uint64
	OutletID     *uint64
	AgentID      *uint64
	TechnicianID *uint64
	WorkOrderID  *uint64
}

// withTicketContext completes a hand-made invitation for a ticket with that
// ticket's context (customer, number, unit, outlet, agent, and the
// technician and work order of its field visit), so that an answer through
// it, and a complaint raised from that answer, are linked to them exactly as
// for an invitation made when the ticket closed. Given values win; a
// customer other than the ticket's is refused; a ticket unknown here (one
// of the system before, by number) adds nothing.
func (s *Service) withTicketContext(ctx context.Context, in InviteInput) (InviteInput, error) {
	if in.TicketID == nil || s.o.Facts == nil {
		return in, nil
	}
	f, err := s.o.Facts.TicketFacts(ctx, *in.TicketID)
	if err != nil {
		if apperr.IsKind(err, apperr.KindNotFound) {
			// A ticket of the system before this one (imported numbers):
			// the invitation carries what it was given.
			return in, nil
		}
		return in, err
	}
	if in.CustomerID != 0 && f.CustomerID != 0 && in.CustomerID != f.CustomerID {
		return in, apperr.FieldErr("customer_id", apperr.Code("other_customer", "the ticket belongs to another customer"))
	}
	if in.CustomerID == 0 {
		in.CustomerID = f.CustomerID
	}
	if strings.TrimSpace(in.TicketNumber) == "" {
		in.TicketNumber = f.TicketNumber
	}
	for _, p := range []struct{ dst, src **uint64 }{{&in.UnitID, &f.UnitID}, {&in.OutletID, &f.OutletID},
		{&in.AgentID, &f.AgentID}, {&in.TechnicianID, &f.TechnicianID}, {&in.WorkOrderID, &f.WorkOrderID}} {
		if *p.dst == nil {
			*p.dst = *p.src
		}
	}
	return in, nil
}

// Invite creates an invitation now: a link is issued at once (the URL is
// returned once and never stored), a phone invitation queues a 回访.
// Errors: validation, conflict (already_invited).
func (s *Service) Invite(ctx context.Context, in InviteInput) (Invitation, string, error) {
	f := apperr.Fields{}
	if in.Kind == "" {
		in.Kind = KindTransactional
	}
	if in.Kind != KindTransactional && in.Kind != KindRelationship {
		f["kind"] = apperr.OneOf("transactional", "relationship")
	}
	if in.Channel != ChannelLink && in.Channel != ChannelPhone {
		f["channel"] = apperr.OneOf("link", "phone")
	}
	if in.Kind == KindTransactional {
		var err error
		if in, err = s.withTicketContext(ctx, in); err != nil {
			return Invitation{}, "", err
		}
	}
	if in.CustomerID == 0 {
		f["customer_id"] = apperr.Required()
	}
	if in.Kind == KindTransactional && in.TicketID == nil {
		f["ticket_id"] = apperr.Required()
	}
	if len(f) > 0 {
		return Invitation{}, "", apperr.FieldsErr(f)
	}
	now := s.now()
	rk := RespondentKey(Closed{TicketID: in.TicketID, CustomerID: in.CustomerID})
	if in.Kind == KindRelationship {
		rk = fmt.Sprintf("r:%d:c:%d", now.In(s.o.Location).Year(), in.CustomerID)
	}
	var out Invitation
	var link string
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var t Template
		var err error
		if in.TemplateID != 0 {
			t, err = s.loadTemplate(tx, in.TemplateID)
			if err != nil {
				if apperr.IsKind(err, apperr.KindNotFound) {
					return apperr.FieldErr("template_id", apperr.NoSuch("survey_template"))
				}
				return err
			}
			if t.Kind != in.Kind {
				return apperr.FieldErr("template_id", apperr.Code("template_kind_mismatch", "the template is not a "+in.Kind+" survey").With("kind", in.Kind))
			}
		} else {
			var ok bool
			t, ok, err = s.activeTemplate(tx, in.Kind)
			if err != nil {
				return err
			}
			if !ok {
				return apperr.FieldErr("template_id", apperr.Code("no_active_template", "no active "+in.Kind+" template: create one first").With("kind", in.Kind))
			}
		}
		var n int64
		if err := tx.Model(&Response{}).Where("respondent_key = ?", rk).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return apperr.Conflict("already_answered", "this customer has already answered the survey for this ticket")
		}
		inv := Invitation{DedupeKey: rk + ":" + in.Channel, RespondentKey: rk, TemplateID: t.ID, Kind: in.Kind, Channel: in.Channel,
			Status: InvSent, TicketID: in.TicketID, TicketNumber: strings.TrimSpace(in.TicketNumber), CustomerID: in.CustomerID,
			UnitID: in.UnitID, OutletID: in.OutletID, AgentID: in.AgentID, TechnicianID: in.TechnicianID, WorkOrderID: in.WorkOrderID,
			SendAt: now, SentAt: &now,
			Version: 1, CreatedAt: now, UpdatedAt: now}
		if in.Channel == ChannelLink {
			token, hash := newToken()
			exp := now.Add(s.o.Settings.LinkValidFor)
			inv.TokenHash, inv.ExpiresAt = &hash, &exp
			link = s.LinkURL(token)
		}
		if err := tx.Create(&inv).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return apperr.Conflict("already_invited", "this customer already has a "+in.Channel+" invitation for this survey; re-issue its link instead")
			}
			return err
		}
		if err := bumpInvitation(tx, now, inv.Channel, map[string]int64{"sent": 1}); err != nil {
			return err
		}
		if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: "create", Entity: "survey_invitation", EntityID: idStr(inv.ID), After: inv}); err != nil {
			return err
		}
		if in.Channel == ChannelPhone {
			fu := Followup{DedupeKey: "after_close:" + rk, Kind: FollowupAfterClose, Status: FUDue, InvitationID: &inv.ID,
				TemplateID: t.ID, TicketID: in.TicketID, TicketNumber: inv.TicketNumber, CustomerID: in.CustomerID, UnitID: in.UnitID,
				OutletID: in.OutletID, AgentID: in.AgentID, DueAt: now.Add(s.o.Settings.FollowupWithin), Version: 1, CreatedAt: now, UpdatedAt: now}
			if in.Kind == KindRelationship {
				fu.DedupeKey = "relationship:" + rk
			}
			if err := s.upsertFollowup(ctx, tx, fu); err != nil {
				return err
			}
		}
		out = inv
		return nil
	})
	if err != nil {
		return Invitation{}, "", wrap(err, "invite")
	}
	return out, link, nil
}

// newToken returns a 256-bit random link token and its SHA-256 (hex).
func newToken() (token, hash string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, TokenHash(token)
}

// TokenHash is the stored form of a link token.
func TokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// LinkURL is the public page of a token (the web app's /survey/<token>).
func (s *Service) LinkURL(token string) string {
	return strings.TrimRight(s.o.Settings.BaseURL, "/") + "/survey/" + token
}

// IssueLink issues a fresh token for a link invitation that is not answered
// (the old link stops working) and returns the URL once. Errors: not found,
// conflict (already_answered, not_a_link).
func (s *Service) IssueLink(ctx context.Context, invID uint64) (Invitation, string, error) {
	var out Invitation
	var link string
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var inv Invitation
		if err := db.Take(tx.Where("id = ?", invID), &inv, "survey invitation"); err != nil {
			return err
		}
		if inv.Channel != ChannelLink {
			return apperr.Conflict("not_a_link", "this invitation is a phone follow-up, not a link")
		}
		if inv.Status == InvAnswered || inv.Status == InvCancelled {
			return apperr.Conflict("already_answered", "this survey has already been answered")
		}
		var err error
		out, link, err = s.issue(ctx, tx, inv)
		return err
	})
	if err != nil {
		return Invitation{}, "", wrap(err, "issue survey link")
	}
	return out, link, nil
}

// issue gives inv a new token and marks it sent, inside tx.
func (s *Service) issue(ctx context.Context, tx *gorm.DB, inv Invitation) (Invitation, string, error) {
	before := inv
	now := s.now()
	token, hash := newToken()
	exp := now.Add(s.o.Settings.LinkValidFor)
	inv.TokenHash, inv.ExpiresAt, inv.Status = &hash, &exp, InvSent
	if inv.SentAt == nil {
		inv.SentAt = &now
	}
	inv.Version, inv.UpdatedAt = before.Version+1, now
	if err := db.UpdateVersioned(tx, &Invitation{}, inv.ID, before.Version, "survey invitation", map[string]any{
		"token_hash": hash, "expires_at": exp, "status": InvSent, "sent_at": inv.SentAt, "version": inv.Version, "updated_at": now}); err != nil {
		return inv, "", err
	}
	if before.SentAt == nil {
		if err := bumpInvitation(tx, *inv.SentAt, inv.Channel, map[string]int64{"sent": 1}); err != nil {
			return inv, "", err
		}
	}
	if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: "issue_link", Entity: "survey_invitation", EntityID: idStr(inv.ID), Before: before, After: inv}); err != nil {
		return inv, "", err
	}
	return inv, s.LinkURL(token), nil
}

// Dispatch is the scheduled job: it sends scheduled links whose time has
// come and retries dissatisfied answers whose complaint or reopen failed.
func (s *Service) Dispatch(ctx context.Context) error {
	if actor.From(ctx).Username == "anonymous" {
		ctx = actor.With(ctx, actor.System("survey.dispatch"))
	}
	now := s.now()
	var firstErr error
	var last uint64
	for {
		var invs []Invitation
		if err := s.o.DB.WithContext(ctx).Where("status = ? AND send_at <= ? AND id > ?", InvScheduled, now, last).
			Order("id").Limit(200).Find(&invs).Error; err != nil {
			return fmt.Errorf("survey dispatch: scan: %w", err)
		}
		for _, inv := range invs {
			last = inv.ID
			err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
				sent, link, err := s.issue(ctx, tx, inv)
				if err != nil {
					return err
				}
				if s.o.Sender == nil {
					s.o.Log.Info("survey link ready (no sender configured)", "invitation_id", sent.ID, "customer_id", sent.CustomerID)
					return nil
				}
				return s.o.Sender.SendSurveyLink(ctx, tx, sent, link)
			})
			if err != nil && firstErr == nil {
				firstErr = fmt.Errorf("survey dispatch: invitation %d: %w", inv.ID, err)
			}
		}
		if len(invs) < 200 {
			break
		}
	}
	if err := s.RetryDissatisfied(ctx); err != nil && firstErr == nil {
		firstErr = err
	}
	return firstErr
}

// RunRelationship is the annual relationship survey job: customers with a
// transactional invitation in the last 12 months are sampled at
// survey.relationship_rate and get one link invitation for the calendar
// year. Re-running in the same year adds nobody twice.
func (s *Service) RunRelationship(ctx context.Context) (int, error) {
	if actor.From(ctx).Username == "anonymous" {
		ctx = actor.With(ctx, actor.System("survey.relationship"))
	}
	now := s.now()
	year := now.In(s.o.Location).Year()
	t, ok, err := s.activeTemplate(s.o.DB.WithContext(ctx), KindRelationship)
	if err != nil {
		return 0, fmt.Errorf("survey relationship: %w", err)
	}
	if !ok {
		s.o.Log.Warn("survey: no active relationship template; annual survey skipped")
		return 0, nil
	}
	created := 0
	var last uint64
	for {
		var ids []uint64
		if err := s.o.DB.WithContext(ctx).Model(&Invitation{}).Where("kind = ? AND created_at >= ? AND customer_id > ?",
			KindTransactional, now.AddDate(-1, 0, 0), last).Distinct("customer_id").Order("customer_id").Limit(1000).
			Pluck("customer_id", &ids).Error; err != nil {
			return created, fmt.Errorf("survey relationship: scan: %w", err)
		}
		if len(ids) == 0 {
			break
		}
		last = ids[len(ids)-1]
		var batch []Invitation
		for _, cid := range ids {
			rk := fmt.Sprintf("r:%d:c:%d", year, cid)
			if !Sampled(rk, s.o.Settings.RelationshipRate) {
				continue
			}
			batch = append(batch, Invitation{DedupeKey: rk + ":" + ChannelLink, RespondentKey: rk, TemplateID: t.ID, Kind: KindRelationship,
				Channel: ChannelLink, Status: InvScheduled, CustomerID: cid, SendAt: now, Version: 1, CreatedAt: now, UpdatedAt: now})
		}
		if len(batch) > 0 {
			err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
				var keys []string
				for _, b := range batch {
					keys = append(keys, b.DedupeKey)
				}
				var existing []string
				if err := tx.Model(&Invitation{}).Where("dedupe_key IN ?", keys).Pluck("dedupe_key", &existing).Error; err != nil {
					return err
				}
				have := map[string]bool{}
				for _, k := range existing {
					have[k] = true
				}
				var fresh []Invitation
				for _, b := range batch {
					if !have[b.DedupeKey] {
						fresh = append(fresh, b)
					}
				}
				if len(fresh) == 0 {
					return nil
				}
				if err := tx.CreateInBatches(&fresh, 500).Error; err != nil {
					return err
				}
				created += len(fresh)
				// One audit record per batch: the rows are identical but for
				// the customer, and the record lists them.
				cids := make([]uint64, 0, len(fresh))
				for _, f := range fresh {
					cids = append(cids, f.CustomerID)
				}
				return s.o.Audit.Record(ctx, tx, audit.Entry{Action: "create_batch", Entity: "survey_invitation",
					EntityID: fmt.Sprintf("relationship:%d", year), After: map[string]any{"template_id": t.ID, "customer_ids": cids}})
			})
			if err != nil {
				return created, fmt.Errorf("survey relationship: insert: %w", err)
			}
		}
		if len(ids) < 1000 {
			break
		}
	}
	return created, nil
}

// RunRelationshipJob adapts RunRelationship to the scheduler.
func (s *Service) RunRelationshipJob(ctx context.Context) error {
	_, err := s.RunRelationship(ctx)
	return err
}
