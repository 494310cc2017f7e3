package repair

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/db"
)

var labourCodePattern = regexp.MustCompile(`^[A-Z0-9][A-Z0-9.\-_]{0,31}$`)

// NewLabourRate is the input of CreateLabourRate.
type NewLabourRate struct {
	Code     string
	Name     string
	PriceFen int64
}

// LabourRatePatch changes a rate; nil fields are left alone.
type LabourRatePatch struct {
	Name     *string
	PriceFen *int64
	Active   *bool
}

func validateRate(r *LabourRate, fields apperr.Fields) {
	r.Name = strings.TrimSpace(r.Name)
	if r.Name == "" || utf8.RuneCountInString(r.Name) > 128 {
		fields["name"] = apperr.RequiredMax(128)
	}
	if r.PriceFen < 0 || r.PriceFen > 100_000_000 {
		fields["price_fen"] = apperr.OutOfRange(0, 100_000_000)
	}
}

// CreateLabourRate publishes a labour rate. Errors: validation, conflict
// labour_code_taken.
func (s *Service) CreateLabourRate(ctx context.Context, in NewLabourRate) (LabourRate, error) {
	fields := apperr.Fields{}
	code := strings.ToUpper(strings.TrimSpace(in.Code))
	if !labourCodePattern.MatchString(code) {
		fields["code"] = apperr.Identifier(1, 32)
	}
	now := s.o.Now().UTC()
	r := LabourRate{Code: code, Name: in.Name, PriceFen: in.PriceFen, Active: true, Version: 1, CreatedAt: now, UpdatedAt: now}
	validateRate(&r, fields)
	if len(fields) > 0 {
		return LabourRate{}, apperr.FieldsErr(fields)
	}
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&LabourRate{}).Where("code = ?", r.Code).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return apperr.Conflict("labour_code_taken", "a labour rate with this code exists").WithDetail("field", "code")
		}
		if err := tx.Create(&r).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return apperr.Conflict("labour_code_taken", "a labour rate with this code exists")
			}
			return err
		}
		return s.o.Audit.Record(ctx, tx, audit.Entry{Action: "create", Entity: "labour_rate", EntityID: idStr(r.ID), After: r})
	})
	if err != nil {
		return LabourRate{}, wrap(err, "create labour rate")
	}
	return r, nil
}

// UpdateLabourRate changes a labour rate. Errors: validation, not_found,
// version_conflict.
func (s *Service) UpdateLabourRate(ctx context.Context, id uint64, version int64, p LabourRatePatch) (LabourRate, error) {
	var out LabourRate
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var cur LabourRate
		if err := db.Take(tx.Where("id = ?", id), &cur, "labour rate"); err != nil {
			return err
		}
		if version != 0 && version != cur.Version {
			return apperr.ErrVersionConflict("labour rate")
		}
		next := cur
		if p.Name != nil {
			next.Name = *p.Name
		}
		if p.PriceFen != nil {
			next.PriceFen = *p.PriceFen
		}
		if p.Active != nil {
			next.Active = *p.Active
		}
		fields := apperr.Fields{}
		validateRate(&next, fields)
		if len(fields) > 0 {
			return apperr.FieldsErr(fields)
		}
		if audit.Unchanged(cur, next) {
			out = cur // nothing to write: no version bump, no audit record
			return nil
		}
		now := s.o.Now().UTC()
		if err := db.UpdateVersioned(tx, &LabourRate{}, cur.ID, cur.Version, "labour rate", map[string]any{
			"name": next.Name, "price_fen": next.PriceFen, "active": next.Active, "version": cur.Version + 1, "updated_at": now}); err != nil {
			return err
		}
		next.Version, next.UpdatedAt = cur.Version+1, now
		out = next
		return s.o.Audit.Record(ctx, tx, audit.Entry{Action: "update", Entity: "labour_rate", EntityID: idStr(id), Before: cur, After: next})
	})
	if err != nil {
		return LabourRate{}, wrap(err, "update labour rate")
	}
	return out, nil
}

// LabourRates lists labour rates by code (activeOnly for the public price
// list).
func (s *Service) LabourRates(ctx context.Context, activeOnly bool) ([]LabourRate, error) {
	q := s.o.DB.WithContext(ctx).Model(&LabourRate{})
	if activeOnly {
		q = q.Where("active = ?", true)
	}
	out := []LabourRate{}
	if err := q.Order("code").Limit(1000).Find(&out).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("labour rates: %w", err))
	}
	return out, nil
}

func (s *Service) rateByCode(ctx context.Context, code string) (LabourRate, error) {
	var r LabourRate
	err := s.o.DB.WithContext(ctx).Where("code = ? AND active = ?", strings.ToUpper(strings.TrimSpace(code)), true).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return LabourRate{}, apperr.NotFound("labour rate")
	}
	if err != nil {
		return LabourRate{}, apperr.Internal(fmt.Errorf("labour rate: %w", err))
	}
	return r, nil
}
