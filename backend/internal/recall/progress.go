package recall

import (
	"context"
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
	"github.com/aftersales/aftersales/backend/internal/event"
)

// UnitFilter selects a campaign's affected units.
type UnitFilter struct {
	Status     string
	Serial     string
	CustomerID uint64
	Page, Size int
}

// scopeUnits applies an outlet user's scope: units booked or remedied at
// their outlet; a search by exact serial also finds unbooked units, so a
// customer who walks in with a recalled unit can be served.
func scopeUnits(ctx context.Context, q *gorm.DB, exactSerial bool) *gorm.DB {
	own, ok := actor.From(ctx).OutletScoped()
	if !ok {
		return q
	}
	if exactSerial {
		return q.Where("(appointment_outlet_id = ? OR remedied_outlet_id = ? OR appointment_outlet_id IS NULL)", own, own)
	}
	return q.Where("(appointment_outlet_id = ? OR remedied_outlet_id = ?)", own, own)
}

// Units pages a campaign's affected units by id. Errors: validation,
// not_found.
func (s *Service) Units(ctx context.Context, campaignID uint64, f UnitFilter) ([]AffectedUnit, int64, error) {
	if _, err := s.loadCampaign(ctx, s.o.DB, campaignID); err != nil {
		return nil, 0, wrap(err, "recall units")
	}
	q := s.o.DB.WithContext(ctx).Model(&AffectedUnit{}).Where("campaign_id = ?", campaignID)
	serial := ""
	if f.Serial != "" {
		serial, _ = NormalizeSerial(f.Serial)
		q = q.Where("serial = ?", serial)
	}
	q = scopeUnits(ctx, q, serial != "")
	if f.Status != "" {
		if !slices.Contains([]string{UnitPending, UnitNotified, UnitScheduled, UnitRemedied}, f.Status) {
			return nil, 0, apperr.FieldErr("status", apperr.OneOf("pending", "notified", "scheduled", "remedied"))
		}
		q = q.Where("status = ?", f.Status)
	}
	if f.CustomerID != 0 {
		q = q.Where("customer_id = ?", f.CustomerID)
	}
	page, size := bound(f.Page, f.Size)
	out, total, err := db.OffsetPage[AffectedUnit](q, "id", page, size)
	if err != nil {
		return nil, 0, apperr.Internal(fmt.Errorf("list recall units: %w", err))
	}
	return out, total, nil
}

// Owner is one owner's standing in a campaign.
type Owner struct {
	CustomerID  uint64
	Units       int64
	Pending     int64
	Remedied    int64
	Attempts    int64
	LastAt      *time.Time
	LastOutcome string
}

// Owners pages a campaign's owners by customer id. pendingOnly keeps the
// owners with units not yet notified (the agents' call queue). Errors:
// not_found.
func (s *Service) Owners(ctx context.Context, campaignID uint64, pendingOnly bool, page, size int) ([]Owner, int64, error) {
	if _, err := s.loadCampaign(ctx, s.o.DB, campaignID); err != nil {
		return nil, 0, wrap(err, "recall owners")
	}
	db := s.o.DB.WithContext(ctx)
	having := ""
	if pendingOnly {
		having = " HAVING SUM(CASE WHEN ru.status = 'pending' THEN 1 ELSE 0 END) > 0"
	}
	var total int64
	if err := db.Raw(`SELECT COUNT(*) FROM (SELECT ru.customer_id FROM recall_units ru WHERE ru.campaign_id = ? AND ru.customer_id IS NOT NULL
		GROUP BY ru.customer_id`+having+`) o`, campaignID).Scan(&total).Error; err != nil {
		return nil, 0, apperr.Internal(fmt.Errorf("count recall owners: %w", err))
	}
	page, size = bound(page, size)
	out := []Owner{}
	if err := db.Raw(`SELECT ru.customer_id, COUNT(*) AS units,
		SUM(CASE WHEN ru.status = 'pending' THEN 1 ELSE 0 END) AS pending,
		SUM(CASE WHEN ru.status = 'remedied' THEN 1 ELSE 0 END) AS remedied
		FROM recall_units ru WHERE ru.campaign_id = ? AND ru.customer_id IS NOT NULL
		GROUP BY ru.customer_id`+having+` ORDER BY ru.customer_id LIMIT ? OFFSET ?`, campaignID, size, (page-1)*size).Scan(&out).Error; err != nil {
		return nil, 0, apperr.Internal(fmt.Errorf("list recall owners: %w", err))
	}
	if len(out) == 0 {
		return out, total, nil
	}
	ids := make([]uint64, 0, len(out))
	for _, o := range out {
		ids = append(ids, o.CustomerID)
	}
	var notes []Notification
	if err := db.Where("campaign_id = ? AND customer_id IN ?", campaignID, ids).Order("at, id").Find(&notes).Error; err != nil {
		return nil, 0, apperr.Internal(fmt.Errorf("recall owner attempts: %w", err))
	}
	idx := map[uint64]int{}
	for i, o := range out {
		idx[o.CustomerID] = i
	}
	for _, n := range notes {
		o := &out[idx[n.CustomerID]]
		o.Attempts++
		at := n.At
		o.LastAt, o.LastOutcome = &at, n.Outcome
	}
	return out, total, nil
}

// NotificationInput is one attempt to reach an owner.
type NotificationInput struct {
	Channel string
	Outcome string
	Note    string
}

// RecordNotification records an attempt to tell an owner about an active
// campaign; a successful one (reached, refused, delivered, sent) marks the
// owner's pending units notified. Errors: validation, not_found (no such
// owner in the campaign), conflict (campaign not active).
func (s *Service) RecordNotification(ctx context.Context, campaignID, customerID uint64, in NotificationInput) (Notification, int64, error) {
	in.Note = strings.TrimSpace(in.Note)
	fields := apperr.Fields{}
	outcomes, ok := ChannelOutcomes[in.Channel]
	if !ok {
		fields["channel"] = apperr.OneOf("phone", "sms", "letter")
	} else if !slices.Contains(outcomes, in.Outcome) {
		fields["outcome"] = apperr.OneOf(outcomes...)
	}
	if utf8.RuneCountInString(in.Note) > 255 {
		fields["note"] = apperr.TooLong(255)
	}
	if len(fields) > 0 {
		return Notification{}, 0, apperr.FieldsErr(fields)
	}
	var n Notification
	var marked int64
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		c, err := s.loadCampaign(ctx, tx, campaignID)
		if err != nil {
			return err
		}
		if c.Status != StatusActive {
			return apperr.Conflict("campaign_not_active", "owners are notified while the campaign is active").WithDetail("status", c.Status)
		}
		var units int64
		if err := tx.Model(&AffectedUnit{}).Where("campaign_id = ? AND customer_id = ?", campaignID, customerID).Count(&units).Error; err != nil {
			return err
		}
		if units == 0 {
			return apperr.NotFound("owner")
		}
		now := s.o.Now().UTC()
		n = Notification{CampaignID: campaignID, CustomerID: customerID, Channel: in.Channel, Outcome: in.Outcome, Note: in.Note,
			ActorName: actor.From(ctx).Username, At: now}
		if err := tx.Create(&n).Error; err != nil {
			return err
		}
		if Successful[in.Outcome] {
			res := tx.Model(&AffectedUnit{}).Where("campaign_id = ? AND customer_id = ? AND status = ?", campaignID, customerID, UnitPending).
				Updates(map[string]any{"status": UnitNotified, "notified_at": now, "version": gorm.Expr("version + 1"), "updated_at": now})
			if res.Error != nil {
				return res.Error
			}
			marked = res.RowsAffected
		}
		if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: "notify", Entity: "recall_campaign", EntityID: idStr(campaignID),
			After: map[string]any{"notification_id": n.ID, "customer_id": customerID, "channel": n.Channel, "outcome": n.Outcome,
				"note": n.Note, "units_marked_notified": marked}}); err != nil {
			return err
		}
		return s.enqueue(tx, event.RecallOwnerNotified.New(Topic, event.RecallOwnerNotice{CampaignID: campaignID, CustomerID: customerID,
			Channel: n.Channel, Outcome: n.Outcome, UnitsMarkedNotified: marked, NotificationID: n.ID, Number: c.Number,
			Title: c.Title, Remedy: remedyTitle[c.Remedy]}))
	})
	if err != nil {
		return Notification{}, 0, wrap(err, "record recall notification")
	}
	return n, marked, nil
}

// Notifications lists the attempts for one owner, oldest first. Errors:
// not_found.
func (s *Service) Notifications(ctx context.Context, campaignID, customerID uint64) ([]Notification, error) {
	if _, err := s.loadCampaign(ctx, s.o.DB, campaignID); err != nil {
		return nil, wrap(err, "recall notifications")
	}
	out := []Notification{}
	if err := s.o.DB.WithContext(ctx).Where("campaign_id = ? AND customer_id = ?", campaignID, customerID).Order("at, id").Limit(500).Find(&out).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("recall notifications: %w", err))
	}
	return out, nil
}

// AffectedUnit returns one affected unit (outlet users: booked or remedied
// at their outlet, or unbooked). Errors: not_found.
func (s *Service) AffectedUnit(ctx context.Context, id uint64) (AffectedUnit, error) {
	u, err := s.loadUnit(ctx, s.o.DB, id, "")
	if err != nil {
		return AffectedUnit{}, wrap(err, "get recall unit")
	}
	return u, nil
}

// loadUnit reads an affected unit by id. An outlet user reaches only units
// booked or remedied at their outlet; walkInSerial (normalised, when set)
// also reaches an unbooked unit of exactly that serial: the customer who
// walks in with the unit in hand. Ids are sequential, so without the serial
// an outlet user must not reach other outlets' units.
func (s *Service) loadUnit(ctx context.Context, g *gorm.DB, id uint64, walkInSerial string) (AffectedUnit, error) {
	var u AffectedUnit
	q := g.WithContext(ctx).Where("id = ?", id)
	if own, ok := actor.From(ctx).OutletScoped(); ok {
		if walkInSerial != "" {
			q = q.Where("(appointment_outlet_id = ? OR remedied_outlet_id = ? OR (appointment_outlet_id IS NULL AND serial = ?))", own, own, walkInSerial)
		} else {
			q = q.Where("(appointment_outlet_id = ? OR remedied_outlet_id = ?)", own, own)
		}
	}
	if err := db.Take(q, &u, "recall unit"); err != nil {
		return AffectedUnit{}, err
	}
	return u, nil
}

// mutateUnit changes an affected unit of an active campaign under the
// version guard with its audit record.
// ev builds the event recorded in the change's transaction.
func (s *Service) mutateUnit(ctx context.Context, id uint64, version int64, walkInSerial, action string, fn func(u *AffectedUnit, now time.Time) error,
	ev func(tx *gorm.DB, u AffectedUnit) (event.Event, error)) (AffectedUnit, error) {
	var out AffectedUnit
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		u, err := s.loadUnit(ctx, tx, id, walkInSerial)
		if err != nil {
			return err
		}
		if version != 0 && version != u.Version {
			return apperr.ErrVersionConflict("recall unit")
		}
		c, err := s.loadCampaign(ctx, tx, u.CampaignID)
		if err != nil {
			return err
		}
		if c.Status != StatusActive {
			return apperr.Conflict("campaign_not_active", "the campaign is not active").WithDetail("status", c.Status)
		}
		before := u.Snapshot()
		now := s.o.Now().UTC()
		if err := fn(&u, now); err != nil {
			return err
		}
		if err := db.UpdateVersioned(tx, &AffectedUnit{}, u.ID, u.Version, "recall unit", map[string]any{
			"status": u.Status, "notified_at": u.NotifiedAt, "appointment_at": u.AppointmentAt, "appointment_outlet_id": u.AppointmentOutletID,
			"remedied_at": u.RemediedAt, "remedied_outlet_id": u.RemediedOutletID, "remedied_by": u.RemediedBy, "remedy_note": u.RemedyNote,
			"work_order_id": u.WorkOrderID, "version": u.Version + 1, "updated_at": now}); err != nil {
			return err
		}
		u.Version++
		u.UpdatedAt = now
		out = u
		if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: action, Entity: "recall_unit", EntityID: idStr(u.ID), Before: before, After: u.Snapshot()}); err != nil {
			return err
		}
		e, err := ev(tx, u)
		if err != nil {
			return err
		}
		return s.enqueue(tx, e)
	})
	if err != nil {
		return AffectedUnit{}, wrap(err, action+" recall unit")
	}
	return out, nil
}

// RemedyInput records a remedy. Version is required (the unit's version as
// read; a stale one is a 409). Serial is the serial on the unit in hand: an
// outlet user needs it to remedy a unit not booked at their outlet (a
// walk-in); when given it must match. OutletID is where it was done (outlet
// users: their own, whatever is sent).
type RemedyInput struct {
	Version  int64
	OutletID uint64
	Serial   string
	Note     string
}

// Remedy records that the campaign's remedy was done on a unit, at an
// outlet (outlet users: their own). Errors: validation (version, serial,
// outlet_id, note), not_found (also a unit outside the outlet user's reach),
// conflict (stale version, already remedied, campaign not active).
func (s *Service) Remedy(ctx context.Context, id uint64, in RemedyInput) (AffectedUnit, Counts, error) {
	note := strings.TrimSpace(in.Note)
	version, outletID := in.Version, in.OutletID
	fields := apperr.Fields{}
	if utf8.RuneCountInString(note) > 255 {
		fields["note"] = apperr.TooLong(255)
	}
	if version <= 0 {
		fields["version"] = apperr.VersionRequired()
	}
	serial := ""
	if strings.TrimSpace(in.Serial) != "" {
		var ok bool
		if serial, ok = NormalizeSerial(in.Serial); !ok {
			fields["serial"] = apperr.InvalidFormat(apperr.FormatSerial)
		}
	}
	if len(fields) > 0 {
		return AffectedUnit{}, Counts{}, apperr.FieldsErr(fields)
	}
	if own, ok := actor.From(ctx).OutletScoped(); ok {
		if outletID != 0 && outletID != own {
			return AffectedUnit{}, Counts{}, apperr.NotFound("outlet")
		}
		outletID = own
	}
	u, err := s.mutateUnit(ctx, id, version, serial, "remedy", func(u *AffectedUnit, now time.Time) error {
		if serial != "" && u.Serial != serial {
			return apperr.FieldErr("serial", apperr.Code("serial_mismatch", "is not this unit's serial"))
		}
		if u.Status == UnitRemedied {
			return apperr.Conflict("invalid_transition", "the unit is already remedied").WithDetail("allowed", []string{})
		}
		where := outletID
		if where == 0 && u.AppointmentOutletID != nil {
			where = *u.AppointmentOutletID
		}
		if where == 0 {
			return apperr.FieldErr("outlet_id", apperr.Required())
		}
		u.Status, u.RemediedAt, u.RemediedOutletID, u.RemediedBy, u.RemedyNote = UnitRemedied, &now, &where, actor.From(ctx).Username, note
		if u.NotifiedAt == nil {
			u.NotifiedAt = &now
		}
		return nil
	}, func(tx *gorm.DB, u AffectedUnit) (event.Event, error) {
		cs, err := countsIn(tx, []uint64{u.CampaignID})
		if err != nil {
			return event.Event{}, err
		}
		c := cs[u.CampaignID]
		return event.RecallUnitRemedied.New(Topic, event.RecallUnitRemedy{CampaignID: u.CampaignID, RecallUnitID: u.ID, UnitID: u.UnitID,
			Serial: u.Serial, OutletID: u.RemediedOutletID, Remedied: c.Remedied, Affected: c.Affected}), nil
	})
	if err != nil {
		return AffectedUnit{}, Counts{}, err
	}
	cs, err := s.counts(ctx, []uint64{u.CampaignID})
	if err != nil {
		return u, Counts{}, nil
	}
	c := cs[u.CampaignID]
	if u.WorkOrderID != nil && s.o.RemedyOrders != nil {
		// Remedied at the counter: the booking's work order, if nobody has
		// started it, is no longer needed.
		_ = s.o.RemedyOrders.Withdraw(ctx, *u.WorkOrderID, "recall_remedied_at_outlet")
	}
	return u, c, nil
}

// Week is one week of a campaign's progress (weeks count from the start
// date, in the enterprise time zone).
type Week struct {
	Week        int
	StartsOn    time.Time // calendar date
	Notified    int64
	Remedied    int64
	CumNotified int64
	CumRemedied int64
	// CompletionRate is CumRemedied ÷ the campaign's current affected count.
	CompletionRate *float64
}

// Progress returns the campaign's completion by week, from its start date
// to this week, computed in SQL (bucketing and the running totals use a
// window function on both databases). Errors: not_found.
func (s *Service) Progress(ctx context.Context, campaignID uint64) (Counts, []Week, error) {
	c, err := s.loadCampaign(ctx, s.o.DB, campaignID)
	if err != nil {
		return Counts{}, nil, wrap(err, "recall progress")
	}
	cs, err := s.counts(ctx, []uint64{campaignID})
	if err != nil {
		return Counts{}, nil, apperr.Internal(err)
	}
	counts := cs[campaignID]
	y, m, d := c.StartDate.Date()
	start := time.Date(y, m, d, 0, 0, 0, 0, s.o.Location).UTC()
	bucket := func(col string) string { return db.WholeWeeksBetween(s.o.DB, "?", col) }
	type row struct {
		Week       int
		N, Running int64
	}
	series := func(col string) ([]row, error) {
		var rows []row
		b := bucket(col)
		err := s.o.DB.WithContext(ctx).Raw(`SELECT week, n, SUM(n) OVER (ORDER BY week) AS running FROM (
			SELECT `+b+` AS week, COUNT(*) AS n FROM recall_units WHERE campaign_id = ? AND `+col+` IS NOT NULL GROUP BY `+b+`) w ORDER BY week`,
			start, campaignID, start).Scan(&rows).Error
		return rows, err
	}
	rem, err := series("remedied_at")
	if err != nil {
		return Counts{}, nil, apperr.Internal(fmt.Errorf("recall progress remedied: %w", err))
	}
	not, err := series("notified_at")
	if err != nil {
		return Counts{}, nil, apperr.Internal(fmt.Errorf("recall progress notified: %w", err))
	}
	last := int(s.o.Now().UTC().Sub(start) / (7 * 24 * time.Hour))
	for _, r := range append(rem, not...) {
		last = max(last, r.Week)
	}
	if last < 0 {
		last = 0
	}
	if last > 520 {
		last = 520
	}
	weeks := make([]Week, last+1)
	for i := range weeks {
		weeks[i] = Week{Week: i, StartsOn: c.StartDate.AddDate(0, 0, 7*i)}
	}
	// fill spreads the SQL rows over every week: the count of the week
	// (zero when absent) and the running total so far.
	fill := func(rows []row) (per, cum []int64) {
		per, cum = make([]int64, len(weeks)), make([]int64, len(weeks))
		var running int64
		j := 0
		for i := range weeks {
			for j < len(rows) && rows[j].Week <= i {
				if rows[j].Week == i {
					per[i] = rows[j].N
				}
				running = rows[j].Running
				j++
			}
			cum[i] = running
		}
		return per, cum
	}
	remPer, remCum := fill(rem)
	notPer, notCum := fill(not)
	for i := range weeks {
		weeks[i].Remedied, weeks[i].CumRemedied = remPer[i], remCum[i]
		weeks[i].Notified, weeks[i].CumNotified = notPer[i], notCum[i]
	}
	if counts.Affected > 0 {
		for i := range weeks {
			r := float64(weeks[i].CumRemedied) / float64(counts.Affected)
			weeks[i].CompletionRate = &r
		}
	}
	return counts, weeks, nil
}

// remedyTitle is the zh-CN name of a remedy, as the owner-notified event
// carries it.
var remedyTitle = map[string]string{"repair": "修理", "replace": "更换", "refund": "退货退款", "inspect": "检查"}
