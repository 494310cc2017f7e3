package parts

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/event"
)

// Page sizes of the lists.
const (
	DefaultPageSize = 20
	MaxPageSize     = 200
)

// OutletCheck returns nil when the outlet exists, or an apperr not_found.
// The outlet service provides it (wired in app); nil accepts any id.
type OutletCheck func(ctx context.Context, outletID uint64) error

// Options are the Service's dependencies.
type Options struct {
	DB    *gorm.DB
	Audit *audit.Trail
	Bus   event.Bus // may be nil (tests)
	// Outlets validates outlet locations; nil accepts any id.
	Outlets OutletCheck
	// LeadTime is the committed time from requisition to receipt at the
	// outlet (default 24 h): the fill-rate target.
	LeadTime time.Duration
	// Location is the enterprise time zone (requisition numbers use its date).
	Location *time.Location
	Now      func() time.Time
}

// Service manages the parts catalogue, stock and requisitions. It is safe
// for concurrent use.
type Service struct {
	o Options
}

// New returns a Service.
func New(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Bus == nil {
		o.Bus = event.Discard
	}
	if o.LeadTime <= 0 {
		o.LeadTime = 24 * time.Hour
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	return &Service{o: o}
}

// LeadTime is the committed requisition-to-receipt time.
func (s *Service) LeadTime() time.Duration { return s.o.LeadTime }

var codePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._\-]{0,63}$`)

// NewPart is the input to CreatePart.
type NewPart struct {
	Code        string
	Name        string
	Spec        string
	Unit        string
	PriceFen    int64
	CategoryIDs []uint64
}

// PartPatch changes a part; nil fields are left alone.
type PartPatch struct {
	Name        *string
	Spec        *string
	Unit        *string
	PriceFen    *int64
	Active      *bool
	CategoryIDs *[]uint64
}

func validatePart(p *Part, fields apperr.Fields) {
	p.Name = strings.TrimSpace(p.Name)
	p.Spec = strings.TrimSpace(p.Spec)
	p.Unit = strings.TrimSpace(p.Unit)
	if p.Name == "" || utf8.RuneCountInString(p.Name) > 128 {
		fields["name"] = apperr.RequiredMax(128)
	}
	if utf8.RuneCountInString(p.Spec) > 255 {
		fields["spec"] = apperr.TooLong(255)
	}
	if p.Unit == "" {
		p.Unit = "个"
	}
	if utf8.RuneCountInString(p.Unit) > 16 {
		fields["unit"] = apperr.TooLong(16)
	}
	if p.PriceFen < 0 || p.PriceFen > 100_000_000_00 {
		fields["price_fen"] = apperr.OutOfRange(0, 10_000_000_000)
	}
	for _, c := range p.CategoryIDs {
		if c == 0 {
			fields["category_ids"] = apperr.InvalidFormat(apperr.FormatPositiveInteger)
		}
	}
	slices.Sort(p.CategoryIDs)
	p.CategoryIDs = slices.Compact(p.CategoryIDs)
}

// CreatePart adds a part to the catalogue. Errors: validation, conflict
// part_code_taken.
func (s *Service) CreatePart(ctx context.Context, in NewPart) (Part, error) {
	fields := apperr.Fields{}
	code := strings.ToUpper(strings.TrimSpace(in.Code))
	if !codePattern.MatchString(code) {
		fields["code"] = apperr.Identifier(1, 64)
	}
	now := s.o.Now().UTC()
	p := Part{Code: code, Name: in.Name, Spec: in.Spec, Unit: in.Unit, PriceFen: in.PriceFen, Active: true, Version: 1,
		CreatedAt: now, UpdatedAt: now, CategoryIDs: append([]uint64(nil), in.CategoryIDs...)}
	validatePart(&p, fields)
	if len(fields) > 0 {
		return Part{}, apperr.FieldsErr(fields)
	}
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&Part{}).Where("code = ?", p.Code).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return apperr.Conflict("part_code_taken", "a part with this code exists").WithDetail("field", "code")
		}
		if err := tx.Create(&p).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return apperr.Conflict("part_code_taken", "a part with this code exists")
			}
			return err
		}
		if err := setCategories(tx, p.ID, p.CategoryIDs); err != nil {
			return err
		}
		return s.o.Audit.Record(ctx, tx, audit.Entry{Action: "create", Entity: "part", EntityID: idStr(p.ID), After: p.Snapshot()})
	})
	if err != nil {
		return Part{}, wrap(err, "create part")
	}
	return p, nil
}

func setCategories(tx *gorm.DB, partID uint64, ids []uint64) error {
	if err := tx.Where("part_id = ?", partID).Delete(&PartCategory{}).Error; err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	rows := make([]PartCategory, 0, len(ids))
	for _, c := range ids {
		rows = append(rows, PartCategory{PartID: partID, CategoryID: c})
	}
	return tx.Create(&rows).Error
}

// UpdatePart changes a part. version 0 skips the client's version check
// (the write is still guarded). Errors: not_found, validation,
// version_conflict.
func (s *Service) UpdatePart(ctx context.Context, id uint64, version int64, p PartPatch) (Part, error) {
	var out Part
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		cur, err := s.loadPart(ctx, tx, id)
		if err != nil {
			return err
		}
		if version != 0 && version != cur.Version {
			return apperr.ErrVersionConflict("part")
		}
		before := cur.Snapshot()
		next := cur
		if p.Name != nil {
			next.Name = *p.Name
		}
		if p.Spec != nil {
			next.Spec = *p.Spec
		}
		if p.Unit != nil {
			next.Unit = *p.Unit
		}
		if p.PriceFen != nil {
			next.PriceFen = *p.PriceFen
		}
		if p.Active != nil {
			next.Active = *p.Active
		}
		if p.CategoryIDs != nil {
			next.CategoryIDs = append([]uint64(nil), (*p.CategoryIDs)...)
		}
		fields := apperr.Fields{}
		validatePart(&next, fields)
		if len(fields) > 0 {
			return apperr.FieldsErr(fields)
		}
		if audit.Unchanged(before, next.Snapshot()) {
			out = cur // nothing to write: no version bump, no audit record
			return nil
		}
		now := s.o.Now().UTC()
		if err := db.UpdateVersioned(tx, &Part{}, cur.ID, cur.Version, "part", map[string]any{
			"name": next.Name, "spec": next.Spec, "unit": next.Unit, "price_fen": next.PriceFen, "active": next.Active,
			"version": cur.Version + 1, "updated_at": now}); err != nil {
			return err
		}
		if p.CategoryIDs != nil {
			if err := setCategories(tx, cur.ID, next.CategoryIDs); err != nil {
				return err
			}
		}
		next.Version = cur.Version + 1
		next.UpdatedAt = now
		out = next
		return s.o.Audit.Record(ctx, tx, audit.Entry{Action: "update", Entity: "part", EntityID: idStr(id), Before: before, After: next.Snapshot()})
	})
	if err != nil {
		return Part{}, wrap(err, "update part")
	}
	return out, nil
}

func (s *Service) loadPart(ctx context.Context, g *gorm.DB, id uint64) (Part, error) {
	var p Part
	if err := db.Take(g.WithContext(ctx).Where("id = ?", id), &p, "part"); err != nil {
		return Part{}, err
	}
	list := []Part{p}
	if err := loadCategories(ctx, g, list); err != nil {
		return Part{}, err
	}
	return list[0], nil
}

func loadCategories(ctx context.Context, db *gorm.DB, list []Part) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]uint64, 0, len(list))
	idx := map[uint64]int{}
	for i, p := range list {
		ids = append(ids, p.ID)
		idx[p.ID] = i
		list[i].CategoryIDs = []uint64{}
	}
	var rows []PartCategory
	if err := db.WithContext(ctx).Where("part_id IN ?", ids).Order("part_id, category_id").Find(&rows).Error; err != nil {
		return err
	}
	for _, r := range rows {
		i := idx[r.PartID]
		list[i].CategoryIDs = append(list[i].CategoryIDs, r.CategoryID)
	}
	return nil
}

// Part returns one part. Errors: not_found.
func (s *Service) Part(ctx context.Context, id uint64) (Part, error) {
	p, err := s.loadPart(ctx, s.o.DB, id)
	if err != nil {
		return Part{}, wrap(err, "get part")
	}
	return p, nil
}

// PartByCode returns the part with a code (case-insensitive). Errors:
// not_found.
func (s *Service) PartByCode(ctx context.Context, code string) (Part, error) {
	var p Part
	err := s.o.DB.WithContext(ctx).Where("code = ?", strings.ToUpper(strings.TrimSpace(code))).Take(&p).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Part{}, apperr.NotFound("part")
	}
	if err != nil {
		return Part{}, apperr.Internal(fmt.Errorf("part by code: %w", err))
	}
	return p, nil
}

// PartFilter selects parts. Query matches a code prefix or a name prefix
// (index-friendly; no leading wildcard).
type PartFilter struct {
	Query      string
	CategoryID uint64
	Active     *bool
	Page, Size int
}

// ListParts pages the catalogue by code.
func (s *Service) ListParts(ctx context.Context, f PartFilter) ([]Part, int64, error) {
	q := s.o.DB.WithContext(ctx).Model(&Part{})
	if v := strings.TrimSpace(f.Query); v != "" {
		esc := likeEscape(v)
		q = q.Where("(code LIKE ? ESCAPE '!' OR name LIKE ? ESCAPE '!')", strings.ToUpper(esc)+"%", esc+"%")
	}
	if f.CategoryID != 0 {
		q = q.Where("id IN (SELECT part_id FROM part_categories WHERE category_id = ?)", f.CategoryID)
	}
	if f.Active != nil {
		q = q.Where("active = ?", *f.Active)
	}
	page, size := bound(f.Page, f.Size)
	out, total, err := db.OffsetPage[Part](q, "code", page, size)
	if err != nil {
		return nil, 0, apperr.Internal(fmt.Errorf("list parts: %w", err))
	}
	if err := loadCategories(ctx, s.o.DB, out); err != nil {
		return nil, 0, apperr.Internal(err)
	}
	return out, total, nil
}

// PriceList returns every active part with its published price, by code.
// It is public (the 收费标准 shown to customers).
func (s *Service) PriceList(ctx context.Context) ([]Part, error) {
	var out []Part
	if err := s.o.DB.WithContext(ctx).Where("active = ?", true).Order("code").Limit(5000).Find(&out).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("price list: %w", err))
	}
	return out, nil
}

// PartsByIDs returns the parts with the given ids, keyed by id.
func (s *Service) PartsByIDs(ctx context.Context, ids []uint64) (map[uint64]Part, error) {
	out := map[uint64]Part{}
	if len(ids) == 0 {
		return out, nil
	}
	var list []Part
	if err := s.o.DB.WithContext(ctx).Where("id IN ?", ids).Find(&list).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("parts by ids: %w", err))
	}
	for _, p := range list {
		out[p.ID] = p
	}
	return out, nil
}

// bound clamps a list's page and size to this package's bounds.
func bound(page, size int) (int, int) {
	return db.PageBounds(page, size, DefaultPageSize, MaxPageSize)
}

func likeEscape(s string) string {
	return strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(s)
}

func idStr(id uint64) string { return strconv.FormatUint(id, 10) }

// wrap classifies a storage error (db.Classify: busy, duplicate,
// unavailable, internal) with what was being done.
func wrap(err error, what string) error { return db.Classify(err, what) }

// IsRetryable reports whether err is a deadlock or lock-wait timeout after
// which the whole transaction may run again (see db.IsRetryable).
func IsRetryable(err error) bool { return db.IsRetryable(err) }

// Retry runs fn (a whole transaction) again, up to three times, when it
// fails with a MySQL deadlock or lock-wait timeout. Stock transactions
// update balance rows in (part, location) order, so deadlocks are rare;
// this makes the rare one invisible to the user.
func Retry(fn func() error) error {
	var err error
	for range 3 {
		if err = fn(); err == nil || !IsRetryable(err) {
			return err
		}
	}
	return err
}
