package customer

import (
	"context"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/event"
)

// Corrections of phones and addresses (issue 12 §2). Phones and addresses
// have no version of their own: every change of them is a change of the
// customer, made at the customer's version (409 version_conflict when it
// moved) and bumping it, with the whole profile before and after in the
// audit record. A customer with phones always has exactly one primary phone,
// and with addresses exactly one default address: removing the primary (or
// the default) names the one that takes its place.

// PhonePatch changes a phone; nil fields stay. Primary can only be set to
// true (another phone becomes primary by being set; the primary cannot just
// be unset, which would leave none).
type PhonePatch struct {
	Number  *string
	Label   *string
	Primary *bool
}

// AddressPatch changes an address; nil fields stay. Default works like
// PhonePatch.Primary.
type AddressPatch struct {
	RegionCode *string
	Detail     *string
	Default    *bool
}

// editable locks customer id in tx and checks it is at version and still a
// live record (not merged, not erased). Errors: not_found, validation
// (version), conflict version_conflict, customer_merged, customer_erased.
func (s *Service) editable(tx *gorm.DB, id uint64, version int64) (Customer, error) {
	if version <= 0 {
		return Customer{}, apperr.FieldErr("version", apperr.VersionRequired())
	}
	c, err := lockFull(tx, id)
	if err != nil {
		return Customer{}, err
	}
	if err := live(c); err != nil {
		return Customer{}, err
	}
	if c.Version != version {
		return Customer{}, apperr.ErrVersionConflict("customer").WithDetail("version", c.Version)
	}
	return c, nil
}

// live refuses changes to a merged or erased customer.
func live(c Customer) error {
	if c.MergedIntoID != nil {
		return apperr.Conflict("customer_merged", "this customer was merged into another one; change the survivor").
			WithDetail("merged_into_id", *c.MergedIntoID)
	}
	if c.ErasedAt != nil {
		return apperr.Conflict("customer_erased", "this customer's personal data was erased on request")
	}
	return nil
}

func lockFull(tx *gorm.DB, id uint64) (Customer, error) {
	q := db.ForUpdate(tx)
	var c Customer
	if err := db.Take(q.Where("id = ?", id), &c, "customer"); err != nil {
		return Customer{}, err
	}
	return c, nil
}

// bump moves c to the next version (guarded by the version read).
func (s *Service) bump(tx *gorm.DB, c *Customer, extra map[string]any) error {
	now := s.o.Now().UTC()
	up := map[string]any{"version": c.Version + 1, "updated_at": now}
	for k, v := range extra {
		up[k] = v
	}
	if err := db.UpdateVersioned(tx, &Customer{}, c.ID, c.Version, "customer", up); err != nil {
		return err
	}
	c.Version, c.UpdatedAt = c.Version+1, now
	return nil
}

// loadProfile reads a customer's phones and addresses inside tx.
func loadProfile(tx *gorm.DB, c Customer) (Profile, error) {
	p := Profile{Customer: c}
	if err := tx.Where("customer_id = ?", c.ID).Order("is_primary DESC, id").Find(&p.Phones).Error; err != nil {
		return Profile{}, err
	}
	if err := tx.Where("customer_id = ?", c.ID).Order("is_default DESC, id").Find(&p.Addresses).Error; err != nil {
		return Profile{}, err
	}
	return p, nil
}

// correct runs change on customer id at version inside one transaction:
// change edits the rows and returns the audit action (or "" for no change);
// the customer's version is bumped, the search index rewritten, the audit
// record and customer.updated written. It returns the profile after.
func (s *Service) correct(ctx context.Context, id uint64, version int64, change func(tx *gorm.DB, p Profile) (string, error)) (Profile, error) {
	var after Profile
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		c, err := s.editable(tx, id, version)
		if err != nil {
			return err
		}
		before, err := loadProfile(tx, c)
		if err != nil {
			return err
		}
		action, err := change(tx, before)
		if err != nil {
			return err
		}
		if action == "" {
			after = before
			return nil
		}
		if err := s.bump(tx, &c, nil); err != nil {
			return err
		}
		if after, err = loadProfile(tx, c); err != nil {
			return err
		}
		if err := reindex(tx, c.ID); err != nil {
			return err
		}
		if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: action, Entity: "customer", EntityID: idStr(c.ID), Before: before.snapshot(), After: after.snapshot()}); err != nil {
			return err
		}
		return s.o.Bus.Enqueue(tx, event.CustomerUpdated.New(Topic, event.Customer{CustomerID: c.ID, Version: c.Version}))
	})
	return after, err
}

// UpdatePhone changes a phone of customer id at version. Errors: not_found
// (customer or phone), validation (number, label, primary, version),
// conflict version_conflict, duplicate_phone, customer_merged,
// customer_erased.
func (s *Service) UpdatePhone(ctx context.Context, id, phoneID uint64, version int64, p PhonePatch) (Profile, error) {
	out, err := s.correct(ctx, id, version, func(tx *gorm.DB, before Profile) (string, error) {
		i := phoneIndex(before.Phones, phoneID)
		if i < 0 {
			return "", apperr.NotFound("phone")
		}
		old := before.Phones[i]
		ph := old
		fields := apperr.Fields{}
		if p.Number != nil {
			n, err := NormalizePhone(*p.Number)
			if err != nil {
				fields["number"] = phoneReason(err)
			} else {
				ph.Number, ph.Kind = n, PhoneKind(n)
			}
		}
		if p.Label != nil {
			ph.Label = strings.TrimSpace(*p.Label)
			if utf8.RuneCountInString(ph.Label) > MaxLabelLen {
				fields["label"] = apperr.TooLong(MaxLabelLen)
			}
		}
		if p.Primary != nil {
			if !*p.Primary && old.IsPrimary {
				fields["primary"] = apperr.Code("keeps_primary", "the primary phone stays primary until another phone is made primary")
			}
			ph.IsPrimary = ph.IsPrimary || *p.Primary
		}
		if len(fields) > 0 {
			return "", apperr.FieldsErr(fields)
		}
		if ph == old {
			return "", nil
		}
		if ph.Number != old.Number {
			if err := s.refuseTaken(ctx, tx, []Phone{ph}, "", 0); err != nil {
				return "", err
			}
		}
		if ph.IsPrimary && !old.IsPrimary {
			if err := tx.Model(&Phone{}).Where("customer_id = ? AND is_primary = ?", id, true).Update("is_primary", false).Error; err != nil {
				return "", err
			}
		}
		if err := tx.Model(&Phone{}).Where("id = ?", ph.ID).Updates(map[string]any{"phone": ph.Number, "kind": ph.Kind,
			"label": ph.Label, "is_primary": ph.IsPrimary}).Error; err != nil {
			return "", err
		}
		return "update_phone", nil
	})
	if err != nil {
		var num []Phone
		if p.Number != nil {
			if n, e := NormalizePhone(*p.Number); e == nil {
				num = []Phone{{Number: n}}
			}
		}
		return Profile{}, s.duplicateOr(ctx, err, num, "", 0, "update phone")
	}
	return out, nil
}

// RemovePhone removes a phone of customer id at version. Removing the
// primary phone of a customer with other phones needs newPrimaryID, the
// phone that becomes primary. The last phone cannot be removed (a customer
// is reached by phone). Errors: not_found, validation (new_primary_id,
// version), conflict version_conflict, last_phone, customer_merged,
// customer_erased.
func (s *Service) RemovePhone(ctx context.Context, id, phoneID uint64, version int64, newPrimaryID uint64) (Profile, error) {
	out, err := s.correct(ctx, id, version, func(tx *gorm.DB, before Profile) (string, error) {
		i := phoneIndex(before.Phones, phoneID)
		if i < 0 {
			return "", apperr.NotFound("phone")
		}
		if len(before.Phones) == 1 {
			return "", apperr.Conflict("last_phone", "a customer keeps at least one phone number; add the new one first").WithDetail("field", "phone_id")
		}
		promote := uint64(0)
		if before.Phones[i].IsPrimary {
			if newPrimaryID == 0 {
				return "", apperr.FieldErr("new_primary_id", apperr.Code("choose_new_primary", "required: choose the phone that becomes primary"))
			}
			if j := phoneIndex(before.Phones, newPrimaryID); j < 0 || newPrimaryID == phoneID {
				return "", apperr.FieldErr("new_primary_id", apperr.Code("another_phone", "must be another phone of this customer"))
			}
			promote = newPrimaryID
		} else if newPrimaryID != 0 && newPrimaryID != before.Phones[0].ID {
			return "", apperr.FieldErr("new_primary_id", apperr.Code("only_when_removing_primary", "only when removing the primary phone"))
		}
		if err := tx.Where("id = ?", phoneID).Delete(&Phone{}).Error; err != nil {
			return "", err
		}
		if promote != 0 {
			if err := tx.Model(&Phone{}).Where("id = ?", promote).Update("is_primary", true).Error; err != nil {
				return "", err
			}
		}
		return "remove_phone", nil
	})
	if err != nil {
		return Profile{}, wrap(err, "remove phone")
	}
	return out, nil
}

// UpdateAddress changes an address of customer id at version. Errors:
// not_found (customer or address), validation (region_code, detail,
// default, version), conflict version_conflict, customer_merged,
// customer_erased.
func (s *Service) UpdateAddress(ctx context.Context, id, addressID uint64, version int64, p AddressPatch) (Profile, error) {
	out, err := s.correct(ctx, id, version, func(tx *gorm.DB, before Profile) (string, error) {
		i := addressIndex(before.Addresses, addressID)
		if i < 0 {
			return "", apperr.NotFound("address")
		}
		old := before.Addresses[i]
		in := NewAddress{RegionCode: old.RegionCode, Detail: old.Detail}
		if p.RegionCode != nil {
			in.RegionCode = *p.RegionCode
		}
		if p.Detail != nil {
			in.Detail = *p.Detail
		}
		fields := apperr.Fields{}
		checked := s.checkAddresses([]NewAddress{in}, "", 0, fields)
		if p.Default != nil && !*p.Default && old.IsDefault {
			fields["default"] = apperr.Code("keeps_default", "the default address stays the default until another address is made the default")
		}
		if len(fields) > 0 {
			return "", apperr.FieldsErr(fields)
		}
		a := old
		a.RegionCode, a.Detail = checked[0].RegionCode, checked[0].Detail
		a.IsDefault = old.IsDefault || (p.Default != nil && *p.Default)
		if a == old {
			return "", nil
		}
		if a.IsDefault && !old.IsDefault {
			if err := tx.Model(&Address{}).Where("customer_id = ? AND is_default = ?", id, true).Update("is_default", false).Error; err != nil {
				return "", err
			}
		}
		if err := tx.Model(&Address{}).Where("id = ?", a.ID).Updates(map[string]any{"region_code": a.RegionCode, "detail": a.Detail,
			"is_default": a.IsDefault}).Error; err != nil {
			return "", err
		}
		return "update_address", nil
	})
	if err != nil {
		return Profile{}, wrap(err, "update address")
	}
	return out, nil
}

// RemoveAddress removes an address of customer id at version. Removing the
// default address of a customer with other addresses needs newDefaultID.
// Errors: not_found, validation (new_default_id, version), conflict
// version_conflict, customer_merged, customer_erased.
func (s *Service) RemoveAddress(ctx context.Context, id, addressID uint64, version int64, newDefaultID uint64) (Profile, error) {
	out, err := s.correct(ctx, id, version, func(tx *gorm.DB, before Profile) (string, error) {
		i := addressIndex(before.Addresses, addressID)
		if i < 0 {
			return "", apperr.NotFound("address")
		}
		promote := uint64(0)
		if before.Addresses[i].IsDefault && len(before.Addresses) > 1 {
			if newDefaultID == 0 {
				return "", apperr.FieldErr("new_default_id", apperr.Code("choose_new_default", "required: choose the address that becomes the default"))
			}
			if j := addressIndex(before.Addresses, newDefaultID); j < 0 || newDefaultID == addressID {
				return "", apperr.FieldErr("new_default_id", apperr.Code("another_address", "must be another address of this customer"))
			}
			promote = newDefaultID
		} else if newDefaultID != 0 && newDefaultID != before.Addresses[0].ID {
			return "", apperr.FieldErr("new_default_id", apperr.Code("only_when_removing_default", "only when removing the default address"))
		}
		if err := tx.Where("id = ?", addressID).Delete(&Address{}).Error; err != nil {
			return "", err
		}
		if promote != 0 {
			if err := tx.Model(&Address{}).Where("id = ?", promote).Update("is_default", true).Error; err != nil {
				return "", err
			}
		}
		return "remove_address", nil
	})
	if err != nil {
		return Profile{}, wrap(err, "remove address")
	}
	return out, nil
}

func phoneIndex(ps []Phone, id uint64) int {
	for i, p := range ps {
		if p.ID == id {
			return i
		}
	}
	return -1
}

func addressIndex(as []Address, id uint64) int {
	for i, a := range as {
		if a.ID == id {
			return i
		}
	}
	return -1
}
