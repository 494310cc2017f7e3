package product

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/passport"
)

// Corrections of a unit's master data (issue 12 §2): purchase data with a
// proof and a reason, a change of owner that keeps the history with the
// serial, and deactivation of scrapped or lost units. Each is made at the
// unit's version (409 version_conflict) and audited with the reason.

// Proofs is what the product domain needs from attachments: that a cited
// proof exists and the caller may see it.
type Proofs interface {
	// ProofExists returns nil when attachment id exists and is visible to
	// the caller in ctx. Errors: not_found.
	ProofExists(ctx context.Context, id uint64) error
}

// SetProofs wires the attachment check (the attachments service is built
// after the product service).
func (s *Service) SetProofs(p Proofs) { s.o.Proofs = p }

// MaxReasonLen bounds the audit reason of a correction.
const MaxReasonLen = 255

// MaxPriceFen bounds a purchase price (¥10,000,000).
const MaxPriceFen = 1_000_000_000

// PurchaseCorrection changes a unit's purchase data; nil fields stay.
// A correction needs a proof: ProofAttachmentID (an invoice photo) or a
// PurchaseProof (the invoice number) given with it; and a Reason.
type PurchaseCorrection struct {
	PurchaseDate      *time.Time
	PurchaseProof     *string
	Seller            *string
	PurchasePriceFen  *int64
	ProofAttachmentID *uint64
	Reason            string
}

// CorrectPurchase applies c to unit id at version. Errors: validation
// (purchase_date, purchase_proof, seller, purchase_price_fen,
// proof_attachment_id, reason, version), not_found, conflict
// version_conflict.
func (s *Service) CorrectPurchase(ctx context.Context, id uint64, version int64, c PurchaseCorrection) (Unit, error) {
	fields := apperr.Fields{}
	reason := checkReason(c.Reason, fields)
	checkVersion(version, fields)
	proofGiven := c.ProofAttachmentID != nil || (c.PurchaseProof != nil && strings.TrimSpace(*c.PurchaseProof) != "")
	if !proofGiven {
		fields["proof_attachment_id"] = apperr.Code("proof_required", "a correction needs a proof: the invoice photo (an attachment) or the invoice number (purchase_proof)")
	}
	today := LocalDate(s.o.Now(), s.o.Location)
	var purchase *time.Time
	if c.PurchaseDate != nil {
		d := DateOf(*c.PurchaseDate)
		purchase = &d
		if d.After(today) {
			fields["purchase_date"] = apperr.Code("in_future", "must not be in the future")
		} else if d.Year() < 1990 {
			fields["purchase_date"] = apperr.Code("too_far_past", "is too far in the past")
		}
	}
	var proof, seller string
	if c.PurchaseProof != nil {
		proof = strings.Join(strings.Fields(*c.PurchaseProof), " ")
		if utf8.RuneCountInString(proof) > 255 {
			fields["purchase_proof"] = apperr.TooLong(255)
		}
	}
	if c.Seller != nil {
		seller = strings.Join(strings.Fields(*c.Seller), " ")
		if utf8.RuneCountInString(seller) > 128 {
			fields["seller"] = apperr.TooLong(128)
		}
	}
	if c.PurchasePriceFen != nil && (*c.PurchasePriceFen < 0 || *c.PurchasePriceFen > MaxPriceFen) {
		fields["purchase_price_fen"] = apperr.OutOfRange(0, MaxPriceFen)
	}
	if c.ProofAttachmentID != nil && s.o.Proofs != nil {
		if err := s.o.Proofs.ProofExists(ctx, *c.ProofAttachmentID); err != nil {
			if !apperr.IsKind(err, apperr.KindNotFound) {
				return Unit{}, err
			}
			fields["proof_attachment_id"] = apperr.NoSuch("attachment")
		}
	}
	if len(fields) > 0 {
		return Unit{}, apperr.FieldsErr(fields)
	}
	var out Unit
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		u, err := lockVersion(ctx, tx, id, version)
		if err != nil {
			return err
		}
		before := u.snapshot()
		if purchase != nil {
			if u.ProductionDate != nil && u.ProductionDate.After(*purchase) {
				return apperr.FieldErr("purchase_date", apperr.Code("before_production", "cannot be before the production date"))
			}
			if u.InstalledAt != nil && LocalDate(*u.InstalledAt, s.o.Location).Before(*purchase) {
				return apperr.FieldErr("purchase_date", apperr.Code("after_installation", "cannot be after the installation"))
			}
			u.PurchaseDate = purchase
		}
		if c.PurchaseProof != nil {
			u.PurchaseProof = proof
		}
		if c.Seller != nil {
			u.Seller = seller
		}
		if c.PurchasePriceFen != nil {
			u.PurchasePriceFen = c.PurchasePriceFen
		}
		if c.ProofAttachmentID != nil {
			u.ProofAttachmentID = c.ProofAttachmentID
		}
		if audit.Unchanged(before, u.snapshot()) {
			out = u
			return nil
		}
		if err := s.saveCorrected(ctx, tx, &u, map[string]any{"purchase_date": u.PurchaseDate, "purchase_proof": u.PurchaseProof,
			"seller": u.Seller, "purchase_price_fen": u.PurchasePriceFen, "proof_attachment_id": u.ProofAttachmentID}); err != nil {
			return err
		}
		out = u
		return s.recordCorrection(ctx, tx, "correct_purchase", before, u, nil, reason)
	})
	if err != nil {
		return Unit{}, wrap(err, "correct purchase data")
	}
	return out, nil
}

// TransferInput is a change of owner.
type TransferInput struct {
	ToCustomerID uint64
	// On is the day the owner changed (zero: today).
	On     time.Time
	Reason string
}

// TransferOwner gives unit id (at version) to another customer. The
// transfer is kept (Transfers), so the passport names previous owners; the
// unit's tickets and repairs stay where they are. Errors: validation
// (to_customer_id, on, reason, version), not_found, conflict
// version_conflict, same_owner, unit_deactivated.
func (s *Service) TransferOwner(ctx context.Context, id uint64, version int64, in TransferInput) (Unit, error) {
	fields := apperr.Fields{}
	reason := checkReason(in.Reason, fields)
	checkVersion(version, fields)
	today := LocalDate(s.o.Now(), s.o.Location)
	on := today
	if !in.On.IsZero() {
		on = DateOf(in.On)
		if on.After(today) {
			fields["on"] = apperr.Code("in_future", "must not be in the future")
		}
	}
	if in.ToCustomerID == 0 {
		fields["to_customer_id"] = apperr.Required()
	} else if s.o.Owners != nil {
		c, err := s.o.Owners.Get(ctx, in.ToCustomerID)
		switch {
		case apperr.IsKind(err, apperr.KindNotFound):
			fields["to_customer_id"] = apperr.NoSuch("customer")
		case err != nil:
			return Unit{}, err
		case c.MergedIntoID != nil:
			fields["to_customer_id"] = apperr.Code("customer_merged", fmt.Sprintf("this customer was merged into customer %d", *c.MergedIntoID)).With("into", *c.MergedIntoID)
		case c.ErasedAt != nil:
			fields["to_customer_id"] = apperr.Code("customer_erased", "this customer's personal data was erased")
		}
	}
	if len(fields) > 0 {
		return Unit{}, apperr.FieldsErr(fields)
	}
	a := actor.From(ctx)
	var out Unit
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		u, err := lockVersion(ctx, tx, id, version)
		if err != nil {
			return err
		}
		if Deactivated(u.Status) {
			return unitDeactivated(u)
		}
		if u.CustomerID != nil && *u.CustomerID == in.ToCustomerID {
			return apperr.Conflict("same_owner", "the unit already belongs to this customer").WithDetail("field", "to_customer_id")
		}
		if u.PurchaseDate != nil && on.Before(*u.PurchaseDate) {
			return apperr.FieldErr("on", apperr.Code("before_purchase", "cannot be before the purchase date"))
		}
		before := u.snapshot()
		t := Transfer{UnitID: u.ID, FromCustomerID: u.CustomerID, ToCustomerID: in.ToCustomerID, TransferredOn: on, Reason: reason,
			ByUserID: a.UserID, ByUsername: clip(a.Username, 64), CreatedAt: s.o.Now().UTC()}
		if err := tx.WithContext(ctx).Create(&t).Error; err != nil {
			return err
		}
		to := in.ToCustomerID
		u.CustomerID = &to
		if err := s.saveCorrected(ctx, tx, &u, map[string]any{"customer_id": to}); err != nil {
			return err
		}
		out = u
		return s.recordCorrection(ctx, tx, "transfer", before, u, map[string]any{"transfer_id": t.ID, "transferred_on": on}, reason)
	})
	if err != nil {
		return Unit{}, wrap(err, "transfer unit")
	}
	return out, nil
}

// Deactivate marks unit id (at version) scrapped or lost, with a reason. A
// deactivated unit keeps its history and gets no new tickets. Errors:
// validation (status, reason, version), not_found, conflict
// version_conflict, unit_not_active (returned, exchanged, or already
// deactivated).
func (s *Service) Deactivate(ctx context.Context, id uint64, version int64, status, reason string) (Unit, error) {
	fields := apperr.Fields{}
	reason = checkReason(reason, fields)
	checkVersion(version, fields)
	if !Deactivated(status) {
		fields["status"] = apperr.OneOf("scrapped", "lost")
	}
	if len(fields) > 0 {
		return Unit{}, apperr.FieldsErr(fields)
	}
	var out Unit
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		u, err := lockVersion(ctx, tx, id, version)
		if err != nil {
			return err
		}
		if u.Status != UnitActive && u.Status != "" {
			return apperr.Conflict("unit_not_active", "the unit is "+u.Status).WithDetail("status", u.Status)
		}
		before := u.snapshot()
		now := s.o.Now().UTC()
		u.Status, u.DeactivatedAt, u.DeactivationReason = status, &now, reason
		if err := s.saveCorrected(ctx, tx, &u, map[string]any{"status": status, "deactivated_at": now, "deactivation_reason": reason}); err != nil {
			return err
		}
		out = u
		return s.recordCorrection(ctx, tx, "deactivate", before, u, nil, reason)
	})
	if err != nil {
		return Unit{}, wrap(err, "deactivate unit")
	}
	return out, nil
}

// Reactivate makes a scrapped or lost unit (at version) active again, as
// when a lost unit is found. Errors: validation (reason, version),
// not_found, conflict version_conflict, unit_not_deactivated.
func (s *Service) Reactivate(ctx context.Context, id uint64, version int64, reason string) (Unit, error) {
	fields := apperr.Fields{}
	reason = checkReason(reason, fields)
	checkVersion(version, fields)
	if len(fields) > 0 {
		return Unit{}, apperr.FieldsErr(fields)
	}
	var out Unit
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		u, err := lockVersion(ctx, tx, id, version)
		if err != nil {
			return err
		}
		if !Deactivated(u.Status) {
			return apperr.Conflict("unit_not_deactivated", "only a scrapped or lost unit can be reactivated").WithDetail("status", u.Status)
		}
		before := u.snapshot()
		u.Status, u.DeactivatedAt, u.DeactivationReason = UnitActive, nil, ""
		if err := s.saveCorrected(ctx, tx, &u, map[string]any{"status": UnitActive, "deactivated_at": nil, "deactivation_reason": ""}); err != nil {
			return err
		}
		out = u
		return s.recordCorrection(ctx, tx, "reactivate", before, u, nil, reason)
	})
	if err != nil {
		return Unit{}, wrap(err, "reactivate unit")
	}
	return out, nil
}

// Transfers returns the changes of owner of a unit, oldest first.
func (s *Service) Transfers(ctx context.Context, unitID uint64) ([]Transfer, error) {
	out := []Transfer{}
	if err := s.o.DB.WithContext(ctx).Where("unit_id = ?", unitID).Order("transferred_on, id").Find(&out).Error; err != nil {
		return nil, wrap(err, "unit transfers")
	}
	return out, nil
}

// MoveCustomer implements customer.Holder: a merge gives the duplicate's
// units, and its place in ownership histories, to the survivor.
func (s *Service) MoveCustomer(ctx context.Context, tx *gorm.DB, from, to uint64) (int64, error) {
	n, err := db.Repoint(ctx, tx, &Unit{}, "customer_id", from, to)
	if err != nil {
		return 0, err
	}
	for _, col := range []string{"from_customer_id", "to_customer_id"} {
		m, err := db.Repoint(ctx, tx, &Transfer{}, col, from, to)
		if err != nil {
			return 0, err
		}
		n += m
	}
	return n, nil
}

// transferEntries are the passport lines of a unit's changes of owner.
func transferEntries(u Unit, ts []Transfer) []passport.Entry {
	ref := "unit:" + idStr(u.ID)
	es := make([]passport.Entry, 0, len(ts))
	for _, t := range ts {
		// The owners are personal data: the passport's previous_owners
		// names them by the privacy rule, not the history line.
		es = append(es, passport.Entry{At: t.TransferredOn, Kind: "transfer", TitleCode: "transfer",
			TitleParams: passport.Params{"reason": t.Reason}, Ref: ref, Data: map[string]any{"transfer_id": t.ID, "reason": t.Reason}})
	}
	return es
}

// deactivationEntry is the passport line of a scrapped or lost unit.
func deactivationEntry(u Unit) []passport.Entry {
	if !Deactivated(u.Status) || u.DeactivatedAt == nil {
		return nil
	}
	return []passport.Entry{{At: *u.DeactivatedAt, Kind: "deactivation", TitleCode: "deactivation",
		TitleParams: passport.Params{"unit_status": u.Status, "reason": u.DeactivationReason}, Ref: "unit:" + idStr(u.ID),
		Data: map[string]any{"status": u.Status, "reason": u.DeactivationReason}}}
}

// unitDeactivated is the conflict of an action refused on a scrapped or
// lost unit.
func unitDeactivated(u Unit) *apperr.Error {
	return apperr.Conflict("unit_deactivated", "the unit is "+u.Status+"; reactivate it first").WithDetail("status", u.Status)
}

// lockVersion locks unit id and checks it is at version.
func lockVersion(ctx context.Context, tx *gorm.DB, id uint64, version int64) (Unit, error) {
	u, err := lockUnit(ctx, tx, id)
	if err != nil {
		return Unit{}, err
	}
	if u.Version != version {
		return Unit{}, apperr.ErrVersionConflict("unit").WithDetail("version", u.Version)
	}
	return u, nil
}

// saveCorrected writes the changed columns of u at its version and bumps it.
func (s *Service) saveCorrected(ctx context.Context, tx *gorm.DB, u *Unit, cols map[string]any) error {
	now := s.o.Now().UTC()
	cols["version"], cols["updated_at"] = u.Version+1, now
	if err := db.UpdateVersioned(tx.WithContext(ctx), &Unit{}, u.ID, u.Version, "unit", cols); err != nil {
		return err
	}
	u.Version, u.UpdatedAt = u.Version+1, now
	return nil
}

// recordCorrection audits a correction of u with its reason (and extra
// facts such as the transfer's id) and enqueues unit.updated.
func (s *Service) recordCorrection(ctx context.Context, tx *gorm.DB, action string, before map[string]any, u Unit, extra map[string]any, reason string) error {
	after := u.snapshot()
	for k, v := range extra {
		after[k] = v
	}
	after["reason"] = reason
	return s.record(ctx, tx, audit.Entry{Action: action, Entity: "unit", EntityID: idStr(u.ID), Before: before, After: after},
		event.UnitUpdated.New(Topic, event.Unit{UnitID: u.ID, Serial: u.Serial, ModelID: u.ModelID, CustomerID: u.CustomerID}))
}

func checkReason(reason string, fields apperr.Fields) string {
	r := strings.Join(strings.Fields(reason), " ")
	switch n := utf8.RuneCountInString(r); {
	case n == 0:
		fields["reason"] = apperr.Required()
	case n > MaxReasonLen:
		fields["reason"] = apperr.TooLong(MaxReasonLen)
	}
	return r
}

func checkVersion(version int64, fields apperr.Fields) {
	if version <= 0 {
		fields["version"] = apperr.VersionRequired()
	}
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
