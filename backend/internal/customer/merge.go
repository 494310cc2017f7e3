package customer

import (
	"context"
	"encoding/json"
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
	"github.com/aftersales/aftersales/backend/internal/event"
)

// Holder is a domain whose rows name a customer (tickets, units, surveys,
// complaints, …). The customer domain never touches those tables: a merge
// asks each registered Holder to move its rows, inside the merge's
// transaction, so that either everything moves or nothing does.
type Holder interface {
	// MoveCustomer re-points the domain's rows of customer from to
	// customer to inside tx and returns how many rows moved.
	MoveCustomer(ctx context.Context, tx *gorm.DB, from, to uint64) (int64, error)
}

// Eraser is a domain that keeps personal data of a customer outside the
// customer's record (a message's recipient number and text, the name
// written at a sign-off). An erasure asks each registered Eraser to
// anonymise it inside the erasure's transaction; the rows stay, so they can
// still be counted.
type Eraser interface {
	// EraseCustomer anonymises the personal data the domain keeps of
	// customer id inside tx and returns how many rows changed.
	EraseCustomer(ctx context.Context, tx *gorm.DB, id uint64) (int64, error)
}

type namedHolder struct {
	name string
	h    Holder
}

type namedEraser struct {
	name string
	e    Eraser
}

// AddHolder registers a domain whose rows follow a merge, under a name
// (tickets, units, …) used for the counts. Register while wiring.
func (s *Service) AddHolder(name string, h Holder) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.holders = append(s.holders, namedHolder{name, h})
}

// AddEraser registers a domain whose personal data follows an erasure.
// Register while wiring.
func (s *Service) AddEraser(name string, e Eraser) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.erasers = append(s.erasers, namedEraser{name, e})
}

// MergeResult is what a merge did: the survivor after it, the duplicate's
// id, and the rows moved per domain (phones and addresses included).
type MergeResult struct {
	Survivor    Profile
	DuplicateID uint64
	Moved       map[string]int64
}

// Merge moves everything of customer duplicateID to customer survivorID in
// one transaction: the duplicate's phones (not primary) and addresses (not
// default), and the rows of every registered Holder. The duplicate is kept,
// marked merged into the survivor, so references to it resolve; both
// versions are checked and bumped; the merge is audited on both with the
// counts moved.
//
// Errors: validation (duplicate_id, versions), not_found, conflict
// version_conflict (details: customer_id, version), customer_merged,
// customer_erased.
func (s *Service) Merge(ctx context.Context, survivorID uint64, survivorVersion int64, duplicateID uint64, duplicateVersion int64) (MergeResult, error) {
	fields := apperr.Fields{}
	if duplicateID == 0 {
		fields["duplicate_id"] = apperr.Required()
	} else if duplicateID == survivorID {
		fields["duplicate_id"] = apperr.Code("another_customer", "must be another customer")
	}
	if survivorVersion <= 0 {
		fields["version"] = apperr.VersionRequired()
	}
	if duplicateVersion <= 0 {
		fields["duplicate_version"] = apperr.VersionRequired()
	}
	if len(fields) > 0 {
		return MergeResult{}, apperr.FieldsErr(fields)
	}
	s.mu.RLock()
	holders := slices.Clone(s.holders)
	s.mu.RUnlock()
	res := MergeResult{DuplicateID: duplicateID, Moved: map[string]int64{}}
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Lock in id order, so two merges of the same pair never deadlock.
		ids := []uint64{survivorID, duplicateID}
		slices.Sort(ids)
		locked := map[uint64]Customer{}
		for _, id := range ids {
			c, err := lockFull(tx, id)
			if err != nil {
				return err
			}
			locked[id] = c
		}
		sv, dup := locked[survivorID], locked[duplicateID]
		for _, c := range []Customer{sv, dup} {
			if err := live(c); err != nil {
				return apperr.As(err).WithDetail("customer_id", c.ID)
			}
		}
		if sv.Version != survivorVersion {
			return apperr.ErrVersionConflict("customer").WithDetail("customer_id", sv.ID).WithDetail("version", sv.Version)
		}
		if dup.Version != duplicateVersion {
			return apperr.ErrVersionConflict("customer").WithDetail("customer_id", dup.ID).WithDetail("version", dup.Version)
		}
		svBefore, err := loadProfile(tx, sv)
		if err != nil {
			return err
		}
		dupBefore, err := loadProfile(tx, dup)
		if err != nil {
			return err
		}
		phones := tx.Model(&Phone{}).Where("customer_id = ?", dup.ID).Updates(map[string]any{"customer_id": sv.ID, "is_primary": false})
		if phones.Error != nil {
			return phones.Error
		}
		res.Moved["phones"] = phones.RowsAffected
		addrs := tx.Model(&Address{}).Where("customer_id = ?", dup.ID).Updates(map[string]any{"customer_id": sv.ID, "is_default": false})
		if addrs.Error != nil {
			return addrs.Error
		}
		res.Moved["addresses"] = addrs.RowsAffected
		if err := s.ensureMarks(tx, sv.ID); err != nil {
			return err
		}
		for _, h := range holders {
			n, err := h.h.MoveCustomer(ctx, tx, dup.ID, sv.ID)
			if err != nil {
				return fmt.Errorf("move %s: %w", h.name, err)
			}
			res.Moved[h.name] += n
		}
		now := s.o.Now().UTC()
		if err := s.bump(tx, &dup, map[string]any{"merged_into_id": sv.ID, "merged_at": now}); err != nil {
			return err
		}
		dup.MergedIntoID, dup.MergedAt = &sv.ID, &now
		if err := s.bump(tx, &sv, nil); err != nil {
			return err
		}
		if err := reindex(tx, sv.ID, dup.ID); err != nil {
			return err
		}
		after, err := loadProfile(tx, sv)
		if err != nil {
			return err
		}
		res.Survivor = after
		svAudit := after.snapshot()
		svAudit["merged_from_id"], svAudit["moved"] = dup.ID, res.Moved
		if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: "merge", Entity: "customer", EntityID: idStr(sv.ID), Before: svBefore.snapshot(), After: svAudit}); err != nil {
			return err
		}
		dupAudit := dup.snapshot()
		dupAudit["moved"] = res.Moved
		if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: "merged_into", Entity: "customer", EntityID: idStr(dup.ID), Before: dupBefore.snapshot(), After: dupAudit}); err != nil {
			return err
		}
		if err := s.o.Bus.Enqueue(tx, event.CustomerUpdated.New(Topic, event.Customer{CustomerID: dup.ID, Version: dup.Version})); err != nil {
			return err
		}
		return s.o.Bus.Enqueue(tx, event.CustomerUpdated.New(Topic, event.Customer{CustomerID: sv.ID, Version: sv.Version}))
	})
	if err != nil {
		return MergeResult{}, wrap(err, "merge customers")
	}
	return res, nil
}

// ensureMarks makes the first phone primary and the first address the
// default when a customer has phones (addresses) but none is marked, as
// after taking over a duplicate's when it had none.
func (s *Service) ensureMarks(tx *gorm.DB, id uint64) error {
	for _, m := range []struct {
		model any
		flag  string
	}{{&Phone{}, "is_primary"}, {&Address{}, "is_default"}} {
		var n int64
		if err := tx.Model(m.model).Where("customer_id = ? AND "+m.flag+" = ?", id, true).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			continue
		}
		var first struct{ ID uint64 }
		err := tx.Model(m.model).Select("id").Where("customer_id = ?", id).Order("id").Take(&first).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if err := tx.Model(m.model).Where("id = ?", first.ID).Update(m.flag, true).Error; err != nil {
			return err
		}
	}
	return nil
}

// Erasure channels: how a PIPL deletion request reached the enterprise.
var ErasureChannels = []string{"phone", "email", "letter", "in_person", "web", "app"}

// ErasureInput describes a PIPL deletion request.
type ErasureInput struct {
	// Requester is who asked, by role (本人, 监护人, 委托代理人), never a name.
	Requester string
	// Channel is one of ErasureChannels.
	Channel string
	// RequestedAt is when the request was received (zero: now).
	RequestedAt time.Time
	Note        string
}

// ErasedName is the name an erased customer keeps.
const ErasedName = "已注销客户"

// ErasedDetail replaces the street detail of an erased customer's
// addresses; the region code stays, so statistics by region still count.
const ErasedDetail = "（已匿名）"

// Erase handles a PIPL deletion request for customer id at version: it
// records the request (who asked, when, channel, the handling user from
// ctx) and, in the same transaction, anonymises the customer irreversibly:
// the name becomes ErasedName, consents are withdrawn, phones are deleted,
// address details are replaced (region codes stay), the search index rows
// are removed, and every registered Eraser anonymises what it keeps. The
// customer's rows in other domains stay, still pointing at it, so tickets
// and statistics stay countable.
//
// Errors: validation (requester, channel, requested_at, note, version),
// not_found, conflict version_conflict, already_erased (a second request),
// customer_merged.
func (s *Service) Erase(ctx context.Context, id uint64, version int64, in ErasureInput) (ErasureRequest, error) {
	fields := apperr.Fields{}
	requester := strings.Join(strings.Fields(in.Requester), " ")
	switch n := utf8.RuneCountInString(requester); {
	case n == 0:
		fields["requester"] = apperr.Required()
	case n > 128:
		fields["requester"] = apperr.TooLong(128)
	}
	if !slices.Contains(ErasureChannels, in.Channel) {
		fields["channel"] = apperr.OneOf(ErasureChannels...)
	}
	note := strings.TrimSpace(in.Note)
	if utf8.RuneCountInString(note) > 255 {
		fields["note"] = apperr.TooLong(255)
	}
	now := s.o.Now().UTC()
	requested := in.RequestedAt.UTC()
	if requested.IsZero() {
		requested = now
	} else if requested.After(now.Add(5 * time.Minute)) {
		fields["requested_at"] = apperr.Code("in_future", "must not be in the future")
	}
	if version <= 0 {
		fields["version"] = apperr.VersionRequired()
	}
	if len(fields) > 0 {
		return ErasureRequest{}, apperr.FieldsErr(fields)
	}
	s.mu.RLock()
	erasers := slices.Clone(s.erasers)
	s.mu.RUnlock()
	a := actor.From(ctx)
	var req ErasureRequest
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		c, err := lockFull(tx, id)
		if err != nil {
			return err
		}
		if c.ErasedAt != nil {
			return apperr.Conflict("already_erased", "this customer's personal data was already erased").WithDetail("erased_at", c.ErasedAt)
		}
		if err := live(c); err != nil {
			return err
		}
		if c.Version != version {
			return apperr.ErrVersionConflict("customer").WithDetail("version", c.Version)
		}
		counts := map[string]int64{}
		ph := tx.Where("customer_id = ?", id).Delete(&Phone{})
		if ph.Error != nil {
			return ph.Error
		}
		counts["phones"] = ph.RowsAffected
		ad := tx.Model(&Address{}).Where("customer_id = ?", id).Update("detail", ErasedDetail)
		if ad.Error != nil {
			return ad.Error
		}
		counts["addresses"] = ad.RowsAffected
		if err := tx.Where("customer_id = ?", id).Delete(&searchGram{}).Error; err != nil {
			return err
		}
		for _, e := range erasers {
			n, err := e.e.EraseCustomer(ctx, tx, id)
			if err != nil {
				return fmt.Errorf("erase %s: %w", e.name, err)
			}
			counts[e.name] += n
		}
		if err := s.bump(tx, &c, map[string]any{"name": ErasedName, "consent_sms": false, "consent_survey": false,
			"consent_marketing": false, "erased_at": now}); err != nil {
			return err
		}
		cj, _ := json.Marshal(counts)
		req = ErasureRequest{CustomerID: id, Requester: requester, Channel: in.Channel, RequestedAt: requested, Note: note,
			HandledByID: a.UserID, HandledBy: a.Username, ErasedAt: now, Counts: string(cj)}
		if err := tx.Create(&req).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return apperr.Conflict("already_erased", "this customer's personal data was already erased")
			}
			return err
		}
		// The audit record names the request, never the erased data.
		if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: "erase", Entity: "customer", EntityID: idStr(id),
			Before: map[string]any{"id": id, "version": version},
			After: map[string]any{"id": id, "version": c.Version, "erasure_request_id": req.ID, "requester": requester,
				"channel": in.Channel, "requested_at": requested, "counts": counts}}); err != nil {
			return err
		}
		return s.o.Bus.Enqueue(tx, event.CustomerUpdated.New(Topic, event.Customer{CustomerID: id, Version: c.Version}))
	})
	if err != nil {
		return ErasureRequest{}, wrap(err, "erase customer")
	}
	return req, nil
}

// ErasureRequestOf returns the recorded deletion request of a customer.
// Errors: not_found.
func (s *Service) ErasureRequestOf(ctx context.Context, id uint64) (ErasureRequest, error) {
	var r ErasureRequest
	if err := s.o.DB.WithContext(ctx).Where("customer_id = ?", id).Take(&r).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return ErasureRequest{}, apperr.NotFound("erasure_request")
		}
		return ErasureRequest{}, apperr.Internal(fmt.Errorf("erasure request of customer %d: %w", id, err))
	}
	return r, nil
}
