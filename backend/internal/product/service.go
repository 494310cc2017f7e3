package product

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/customer"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/passport"
)

// Topic is the event topic of product and unit events.
const Topic = "products"

// Bounds of policy values. They reject typing mistakes (a return window of
// 700 days), not unusual but real policies.
const (
	MaxPolicyDays        = 365
	MaxPolicyMonths      = 240
	MaxReplaceAfter      = 20
	MaxModelPageSize     = 200
	DefaultModelPageSize = 50
)

// Owners is what the product service needs from the customer domain: to
// check that a unit's owner exists.
type Owners interface {
	Get(ctx context.Context, id uint64) (customer.Customer, error)
}

// Options are the Service's dependencies.
type Options struct {
	DB     *gorm.DB
	Audit  *audit.Trail
	Bus    event.Bus
	Owners Owners
	// Proofs checks the invoice attachments cited by corrections; nil
	// takes them on trust (tools, some tests).
	Proofs Proofs
	Log    *slog.Logger
	// Location is the business time zone: it decides which calendar day
	// "today" is for warranty and for "a purchase date is not in the future".
	Location *time.Location
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Service manages categories, models and units, computes warranty and
// assembles unit passports. It is safe for concurrent use.
type Service struct {
	o Options
	// hot runs the screen-pop's and passport's fixed-shape reads as
	// prepared statements (on MySQL this saves a round trip per query).
	hot     *gorm.DB
	mu      sync.RWMutex
	sources []namedSource
	// The installed-base count and when it was taken (installed_base.go).
	baseMu    sync.Mutex
	baseCount int64
	baseAt    time.Time
	flags     []passport.FlagSource
}

type namedSource struct {
	name string
	src  passport.Source
}

// New returns a Service.
func New(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Bus == nil {
		o.Bus = event.Discard
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{o: o, hot: o.DB.Session(&gorm.Session{PrepareStmt: true})}
}

// AddPassportSource registers a domain's contribution to unit passports
// under a name (tickets, work_orders, repairs, …) that is reported when the
// source fails. Register sources while wiring the application.
func (s *Service) AddPassportSource(name string, src passport.Source) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sources = append(s.sources, namedSource{name: name, src: src})
}

// AddFlagSource registers a domain's standing flags for units (open recall,
// replacement entitlement, …), shown on the passport and the screen-pop.
func (s *Service) AddFlagSource(src passport.FlagSource) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flags = append(s.flags, src)
}

// ---- categories

// PolicyInput is a policy as entered; nil fields take the defaults (for a
// category) or inherit the category (for a model).
type PolicyInput struct {
	ReturnDays           *int
	ExchangeDays         *int
	RepairWarrantyMonths *int
	ReplaceAfterRepairs  *int
}

// NewCategory is the input to CreateCategory.
type NewCategory struct {
	Code   string
	Name   string
	Policy PolicyInput
}

var codePattern = regexp.MustCompile(`^[A-Z0-9][A-Z0-9_-]{0,31}$`)

// CreateCategory adds a category; policy fields left out take the 三包
// defaults (DefaultPolicy). Errors: validation, conflict "duplicate_code".
func (s *Service) CreateCategory(ctx context.Context, in NewCategory) (Category, error) {
	fields := apperr.Fields{}
	code := strings.ToUpper(strings.TrimSpace(in.Code))
	if !codePattern.MatchString(code) {
		fields["code"] = apperr.Identifier(1, 32)
	}
	name := checkName(in.Name, 64, "name", fields)
	p := DefaultPolicy()
	applyInput(&p, in.Policy)
	checkPolicy(p, fields)
	if len(fields) > 0 {
		return Category{}, apperr.FieldsErr(fields)
	}
	now := s.o.Now().UTC()
	c := Category{Code: code, Name: name, ReturnDays: p.ReturnDays, ExchangeDays: p.ExchangeDays, RepairWarrantyMonths: p.RepairWarrantyMonths,
		ReplaceAfterRepairs: p.ReplaceAfterRepairs, Version: 1, CreatedAt: now, UpdatedAt: now}
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&Category{}).Where("code = ?", code).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return duplicateCode("category")
		}
		if err := tx.Create(&c).Error; err != nil {
			return err
		}
		return s.record(ctx, tx, audit.Entry{Action: "create", Entity: "product_category", EntityID: idStr(c.ID), After: c.snapshot()},
			event.ProductCategoryCreated.New(Topic, event.ProductCategory{CategoryID: c.ID, Code: c.Code}))
	})
	if err != nil {
		return Category{}, wrapDup(err, "category", "create category")
	}
	return c, nil
}

// CategoryPatch changes some fields of a category; nil fields stay.
type CategoryPatch struct {
	Name   *string
	Policy PolicyInput
}

// UpdateCategory applies p if the category is still at version. A policy
// change applies at once to every unit of the category's models that do
// not override it (warranty is computed, not stored). Errors: not_found,
// validation, conflict "version_conflict".
func (s *Service) UpdateCategory(ctx context.Context, id uint64, version int64, p CategoryPatch) (Category, error) {
	if version <= 0 {
		return Category{}, apperr.FieldErr("version", apperr.VersionRequired())
	}
	var after Category
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var before Category
		if err := tx.Where("id = ?", id).Take(&before).Error; err != nil {
			return notFound(err, "product category")
		}
		if before.Version != version {
			return apperr.ErrVersionConflict("product category").WithDetail("version", before.Version)
		}
		fields := apperr.Fields{}
		after = before
		if p.Name != nil {
			after.Name = checkName(*p.Name, 64, "name", fields)
		}
		pol := before.Policy()
		applyInput(&pol, p.Policy)
		checkPolicy(pol, fields)
		if len(fields) > 0 {
			return apperr.FieldsErr(fields)
		}
		// A model override must still make sense under the new category
		// policy (e.g. a model's return window beyond the new exchange one).
		var models []Model
		if err := tx.Where("category_id = ?", id).Find(&models).Error; err != nil {
			return err
		}
		for _, m := range models {
			mf := apperr.Fields{}
			if checkPolicy(m.Policy(pol), mf); len(mf) > 0 {
				field, fe := firstProblem(mf)
				return apperr.FieldErr("policy", apperr.Code("model_policy_invalid",
					fmt.Sprintf("model %s would get an invalid policy: %s %s", m.Code, field, fe.Message)).
					With("model", m.Code).With("field", field).With("problem", fe.Code))
			}
		}
		after.ReturnDays, after.ExchangeDays, after.RepairWarrantyMonths, after.ReplaceAfterRepairs =
			pol.ReturnDays, pol.ExchangeDays, pol.RepairWarrantyMonths, pol.ReplaceAfterRepairs
		if audit.Unchanged(before.snapshot(), after.snapshot()) {
			after = before // nothing to write: no version bump, no audit record
			return nil
		}
		after.Version = before.Version + 1
		after.UpdatedAt = s.o.Now().UTC()
		if err := db.UpdateVersioned(tx, &Category{}, id, version, "product category", map[string]any{
			"name": after.Name, "return_days": after.ReturnDays, "exchange_days": after.ExchangeDays,
			"repair_warranty_months": after.RepairWarrantyMonths, "replace_after_repairs": after.ReplaceAfterRepairs,
			"version": after.Version, "updated_at": after.UpdatedAt}); err != nil {
			return err
		}
		return s.record(ctx, tx, audit.Entry{Action: "update", Entity: "product_category", EntityID: idStr(id), Before: before.snapshot(), After: after.snapshot()},
			event.ProductCategoryUpdated.New(Topic, event.ProductCategory{CategoryID: id, Version: after.Version}))
	})
	if err != nil {
		return Category{}, wrap(err, "update category")
	}
	return after, nil
}

// Categories returns every category by code (there are tens, not
// thousands).
func (s *Service) Categories(ctx context.Context) ([]Category, error) {
	var out []Category
	if err := s.o.DB.WithContext(ctx).Order("code").Find(&out).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("list categories: %w", err))
	}
	return out, nil
}

// Category returns one category. Errors: not_found.
func (s *Service) Category(ctx context.Context, id uint64) (Category, error) {
	var c Category
	if err := s.hot.WithContext(ctx).Where("id = ?", id).Take(&c).Error; err != nil {
		return Category{}, wrap(notFound(err, "product category"), "get category")
	}
	return c, nil
}

// CategoryByCode returns the category with code (case-insensitive).
// Errors: not_found.
func (s *Service) CategoryByCode(ctx context.Context, code string) (Category, error) {
	var c Category
	if err := s.o.DB.WithContext(ctx).Where("code = ?", strings.ToUpper(strings.TrimSpace(code))).Take(&c).Error; err != nil {
		return Category{}, wrap(notFound(err, "product category"), "get category")
	}
	return c, nil
}

// CategoriesByIDs returns the categories with the given ids, keyed by id;
// unknown ids are absent.
func (s *Service) CategoriesByIDs(ctx context.Context, ids []uint64) (map[uint64]Category, error) {
	out := map[uint64]Category{}
	ids = uniq(ids)
	if len(ids) == 0 {
		return out, nil
	}
	var cs []Category
	if err := s.byIDs(ctx, ids).Find(&cs).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("load categories: %w", err))
	}
	for _, c := range cs {
		out[c.ID] = c
	}
	return out, nil
}

// ---- models

// NewModel is the input to CreateModel. Nil policy fields inherit the
// category's.
type NewModel struct {
	Code       string
	Name       string
	CategoryID uint64
	Overrides  PolicyInput
}

var modelCodePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_./()+-]{0,63}$`)

// CreateModel adds a model. Errors: validation (an unknown category is
// field category_id), conflict "duplicate_code".
func (s *Service) CreateModel(ctx context.Context, in NewModel) (Model, error) {
	fields := apperr.Fields{}
	code := strings.TrimSpace(in.Code)
	if !modelCodePattern.MatchString(code) {
		fields["code"] = apperr.Identifier(1, 64)
	}
	name := checkName(in.Name, 128, "name", fields)
	checkOverrides(in.Overrides, fields)
	var cat Category
	if in.CategoryID == 0 {
		fields["category_id"] = apperr.Required()
	} else if c, err := s.Category(ctx, in.CategoryID); err != nil {
		if !apperr.IsKind(err, apperr.KindNotFound) {
			return Model{}, err
		}
		fields["category_id"] = apperr.NoSuch("product_category")
	} else {
		cat = c
	}
	now := s.o.Now().UTC()
	m := Model{Code: code, Name: name, CategoryID: in.CategoryID, ReturnDays: in.Overrides.ReturnDays, ExchangeDays: in.Overrides.ExchangeDays,
		RepairWarrantyMonths: in.Overrides.RepairWarrantyMonths, ReplaceAfterRepairs: in.Overrides.ReplaceAfterRepairs,
		Version: 1, CreatedAt: now, UpdatedAt: now}
	if len(fields) == 0 {
		checkPolicy(m.Policy(cat.Policy()), fields)
	}
	if len(fields) > 0 {
		return Model{}, apperr.FieldsErr(fields)
	}
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&Model{}).Where("code = ?", code).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return duplicateCode("model")
		}
		if err := tx.Create(&m).Error; err != nil {
			return err
		}
		return s.record(ctx, tx, audit.Entry{Action: "create", Entity: "product_model", EntityID: idStr(m.ID), After: m.snapshot()},
			event.ProductModelCreated.New(Topic, event.ProductModel{ModelID: m.ID, Code: m.Code, CategoryID: m.CategoryID}))
	})
	if err != nil {
		return Model{}, wrapDup(err, "model", "create model")
	}
	return m, nil
}

// Override is a change to one policy override of a model: Set says the
// patch touches it; a nil Value then clears the override so the model
// inherits the category's value again.
type Override struct {
	Set   bool
	Value *int
}

// ModelPatch changes some fields of a model.
type ModelPatch struct {
	Name                 *string
	CategoryID           *uint64
	ReturnDays           Override
	ExchangeDays         Override
	RepairWarrantyMonths Override
	ReplaceAfterRepairs  Override
}

// UpdateModel applies p if the model is still at version. Errors:
// not_found, validation, conflict "version_conflict".
func (s *Service) UpdateModel(ctx context.Context, id uint64, version int64, p ModelPatch) (Model, error) {
	if version <= 0 {
		return Model{}, apperr.FieldErr("version", apperr.VersionRequired())
	}
	var after Model
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var before Model
		if err := tx.Where("id = ?", id).Take(&before).Error; err != nil {
			return notFound(err, "product model")
		}
		if before.Version != version {
			return apperr.ErrVersionConflict("product model").WithDetail("version", before.Version)
		}
		fields := apperr.Fields{}
		after = before
		if p.Name != nil {
			after.Name = checkName(*p.Name, 128, "name", fields)
		}
		if p.CategoryID != nil {
			after.CategoryID = *p.CategoryID
		}
		for _, o := range []struct {
			dst *(*int)
			ov  Override
		}{{&after.ReturnDays, p.ReturnDays}, {&after.ExchangeDays, p.ExchangeDays},
			{&after.RepairWarrantyMonths, p.RepairWarrantyMonths}, {&after.ReplaceAfterRepairs, p.ReplaceAfterRepairs}} {
			if o.ov.Set {
				*o.dst = o.ov.Value
			}
		}
		checkOverrides(PolicyInput{after.ReturnDays, after.ExchangeDays, after.RepairWarrantyMonths, after.ReplaceAfterRepairs}, fields)
		var cat Category
		if err := tx.Where("id = ?", after.CategoryID).Take(&cat).Error; err != nil {
			if !errors.Is(err, gorm.ErrRecordNotFound) {
				return err
			}
			fields["category_id"] = apperr.NoSuch("product_category")
		}
		if len(fields) == 0 {
			checkPolicy(after.Policy(cat.Policy()), fields)
		}
		if len(fields) > 0 {
			return apperr.FieldsErr(fields)
		}
		if audit.Unchanged(before.snapshot(), after.snapshot()) {
			after = before // nothing to write: no version bump, no audit record
			return nil
		}
		after.Version = before.Version + 1
		after.UpdatedAt = s.o.Now().UTC()
		if err := db.UpdateVersioned(tx, &Model{}, id, version, "product model", map[string]any{
			"name": after.Name, "category_id": after.CategoryID, "return_days": after.ReturnDays, "exchange_days": after.ExchangeDays,
			"repair_warranty_months": after.RepairWarrantyMonths, "replace_after_repairs": after.ReplaceAfterRepairs,
			"version": after.Version, "updated_at": after.UpdatedAt}); err != nil {
			return err
		}
		return s.record(ctx, tx, audit.Entry{Action: "update", Entity: "product_model", EntityID: idStr(id), Before: before.snapshot(), After: after.snapshot()},
			event.ProductModelUpdated.New(Topic, event.ProductModel{ModelID: id, Version: after.Version}))
	})
	if err != nil {
		return Model{}, wrap(err, "update model")
	}
	return after, nil
}

// ModelFilter selects a page of models.
type ModelFilter struct {
	CategoryID uint64 // 0: every category
	// CodePrefix matches model codes starting with it (index range).
	CodePrefix string
	Page       int
	Size       int
}

// Models returns a page of models by code, and the total.
func (s *Service) Models(ctx context.Context, f ModelFilter) ([]Model, int64, error) {
	if f.Page < 1 {
		f.Page = 1
	}
	if f.Size < 1 || f.Size > MaxModelPageSize {
		f.Size = DefaultModelPageSize
	}
	q := s.o.DB.WithContext(ctx).Model(&Model{})
	if f.CategoryID != 0 {
		q = q.Where("category_id = ?", f.CategoryID)
	}
	if p := strings.TrimSpace(f.CodePrefix); p != "" {
		q = db.WherePrefix(q, "code", p)
	}
	var total int64
	if err := q.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, apperr.Internal(fmt.Errorf("count models: %w", err))
	}
	var out []Model
	if err := q.Order("code").Offset((f.Page - 1) * f.Size).Limit(f.Size).Find(&out).Error; err != nil {
		return nil, 0, apperr.Internal(fmt.Errorf("list models: %w", err))
	}
	return out, total, nil
}

// Model returns one model. Errors: not_found.
func (s *Service) Model(ctx context.Context, id uint64) (Model, error) {
	var m Model
	if err := s.hot.WithContext(ctx).Where("id = ?", id).Take(&m).Error; err != nil {
		return Model{}, wrap(notFound(err, "product model"), "get model")
	}
	return m, nil
}

// ModelsByIDs returns the models with the given ids, keyed by id; unknown
// ids are absent.
func (s *Service) ModelsByIDs(ctx context.Context, ids []uint64) (map[uint64]Model, error) {
	out := map[uint64]Model{}
	ids = uniq(ids)
	if len(ids) == 0 {
		return out, nil
	}
	var ms []Model
	if err := s.byIDs(ctx, ids).Find(&ms).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("load models: %w", err))
	}
	for _, m := range ms {
		out[m.ID] = m
	}
	return out, nil
}

// ---- units

// NewUnit is the input to RegisterUnit. Dates are calendar dates at
// 00:00 UTC (see LocalDate); InstalledAt is an instant.
type NewUnit struct {
	Serial         string
	ModelID        uint64
	CustomerID     *uint64
	PurchaseDate   *time.Time
	PurchaseProof  string
	ProductionLot  string
	ProductionDate *time.Time
	InstalledAt    *time.Time
}

var serialPattern = regexp.MustCompile(`^[A-Z0-9][A-Z0-9._-]{3,63}$`)

// NormalizeSerial returns the canonical form of a serial number as printed
// or scanned: trimmed, upper-case. It reports false when the result is not
// 4–64 letters, digits, dot, dash or underscore.
func NormalizeSerial(s string) (string, bool) {
	n := strings.ToUpper(strings.TrimSpace(s))
	return n, serialPattern.MatchString(n)
}

// RegisterUnit records a unit (typically when a customer calls about a
// product not yet known, or from a sales import). Errors: validation
// (serial, model_id, customer_id, dates), conflict "duplicate_serial" with
// details unit_id.
func (s *Service) RegisterUnit(ctx context.Context, in NewUnit) (Unit, error) {
	fields := apperr.Fields{}
	serial, ok := NormalizeSerial(in.Serial)
	if !ok {
		fields["serial"] = apperr.Identifier(4, 64)
	}
	if in.ModelID == 0 {
		fields["model_id"] = apperr.Required()
	} else if _, err := s.Model(ctx, in.ModelID); err != nil {
		if !apperr.IsKind(err, apperr.KindNotFound) {
			return Unit{}, err
		}
		fields["model_id"] = apperr.NoSuch("product_model")
	}
	// Without an Owners directory (tools, some tests) the owner is taken on
	// trust.
	if in.CustomerID != nil && s.o.Owners != nil {
		if _, err := s.o.Owners.Get(ctx, *in.CustomerID); err != nil {
			if !apperr.IsKind(err, apperr.KindNotFound) {
				return Unit{}, err
			}
			fields["customer_id"] = apperr.NoSuch("customer")
		}
	}
	now := s.o.Now().UTC()
	today := LocalDate(now, s.o.Location)
	var purchase, production *time.Time
	if in.PurchaseDate != nil {
		d := DateOf(*in.PurchaseDate)
		purchase = &d
		if d.After(today) {
			fields["purchase_date"] = apperr.Code("in_future", "must not be in the future")
		} else if d.Year() < 1990 {
			fields["purchase_date"] = apperr.Code("too_far_past", "is too far in the past")
		}
	}
	if in.ProductionDate != nil {
		d := DateOf(*in.ProductionDate)
		production = &d
		switch {
		case d.After(today):
			fields["production_date"] = apperr.Code("in_future", "must not be in the future")
		case purchase != nil && d.After(*purchase):
			fields["production_date"] = apperr.Code("after_purchase", "cannot be after the purchase date")
		}
	}
	var installed *time.Time
	if in.InstalledAt != nil {
		t := in.InstalledAt.UTC().Truncate(time.Second)
		installed = &t
		switch {
		case t.After(now.Add(5 * time.Minute)):
			fields["installed_at"] = apperr.Code("in_future", "must not be in the future")
		case purchase != nil && LocalDate(t, s.o.Location).Before(*purchase):
			fields["installed_at"] = apperr.Code("before_purchase", "cannot be before the purchase date")
		}
	}
	proof := strings.Join(strings.Fields(in.PurchaseProof), " ")
	if utf8.RuneCountInString(proof) > 255 {
		fields["purchase_proof"] = apperr.TooLong(255)
	}
	lot := strings.ToUpper(strings.TrimSpace(in.ProductionLot))
	if utf8.RuneCountInString(lot) > 64 {
		fields["production_lot"] = apperr.TooLong(64)
	}
	if len(fields) > 0 {
		return Unit{}, apperr.FieldsErr(fields)
	}
	u := Unit{Serial: serial, ModelID: in.ModelID, CustomerID: in.CustomerID, PurchaseDate: purchase, PurchaseProof: proof,
		Status: UnitActive, ProductionLot: lot, ProductionDate: production, InstalledAt: installed, Version: 1, CreatedAt: now, UpdatedAt: now}
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := refuseSerial(tx, serial); err != nil {
			return err
		}
		if err := tx.Create(&u).Error; err != nil {
			return err
		}
		return s.record(ctx, tx, audit.Entry{Action: "create", Entity: "unit", EntityID: idStr(u.ID), After: u.snapshot()},
			event.UnitRegistered.New(Topic, event.Unit{UnitID: u.ID, Serial: u.Serial, ModelID: u.ModelID, CustomerID: u.CustomerID}))
	})
	if err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			if e := refuseSerial(s.o.DB.WithContext(ctx), serial); e != nil {
				return Unit{}, wrap(e, "register unit")
			}
		}
		return Unit{}, wrap(err, "register unit")
	}
	return u, nil
}

func refuseSerial(tx *gorm.DB, serial string) error {
	var existing Unit
	err := tx.Select("id").Where("serial = ?", serial).Take(&existing).Error
	if err == nil {
		return apperr.Conflict("duplicate_serial", "a unit with this serial number is already registered").
			WithDetail("unit_id", existing.ID).WithDetail("field", "serial")
	}
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil
	}
	return err
}

// Unit returns one unit. Errors: not_found.
func (s *Service) Unit(ctx context.Context, id uint64) (Unit, error) {
	var u Unit
	if err := s.hot.WithContext(ctx).Where("id = ?", id).Take(&u).Error; err != nil {
		return Unit{}, wrap(notFound(err, "unit"), "get unit")
	}
	return u, nil
}

// UnitBySerial returns the unit with a serial number, as printed or
// scanned (see NormalizeSerial). Errors: not_found (also for a string that
// cannot be a serial number).
func (s *Service) UnitBySerial(ctx context.Context, serial string) (Unit, error) {
	n, ok := NormalizeSerial(serial)
	if !ok {
		return Unit{}, apperr.NotFound("unit")
	}
	var u Unit
	if err := s.hot.WithContext(ctx).Where("serial = ?", n).Take(&u).Error; err != nil {
		return Unit{}, wrap(notFound(err, "unit"), "get unit by serial")
	}
	return u, nil
}

// UnitsByIDs returns the units with the given ids, keyed by id; unknown ids
// are absent.
func (s *Service) UnitsByIDs(ctx context.Context, ids []uint64) (map[uint64]Unit, error) {
	out := map[uint64]Unit{}
	ids = uniq(ids)
	for start := 0; start < len(ids); start += 1000 {
		chunk := ids[start:min(start+1000, len(ids))]
		var us []Unit
		if err := s.o.DB.WithContext(ctx).Where("id IN ?", chunk).Find(&us).Error; err != nil {
			return nil, apperr.Internal(fmt.Errorf("load units: %w", err))
		}
		for _, u := range us {
			out[u.ID] = u
		}
	}
	return out, nil
}

// UnitsOfCustomer returns a customer's units, most recently registered
// first (at most 500: a household, or a hotel with many rooms).
func (s *Service) UnitsOfCustomer(ctx context.Context, customerID uint64) ([]Unit, error) {
	var us []Unit
	if err := s.hot.WithContext(ctx).Where("customer_id = ?", customerID).Order("id DESC").Limit(500).Find(&us).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("units of customer %d: %w", customerID, err))
	}
	return us, nil
}

// WarrantyOfUnit returns the unit's warranty status as of asOf and the
// effective policy it was computed from (the repairs domain reads
// Policy.ReplaceAfterRepairs). Errors: not_found when the unit's model or
// category is missing.
func (s *Service) WarrantyOfUnit(ctx context.Context, u Unit, asOf time.Time) (Status, Policy, error) {
	m, err := s.Model(ctx, u.ModelID)
	if err != nil {
		return Status{}, Policy{}, err
	}
	c, err := s.Category(ctx, m.CategoryID)
	if err != nil {
		return Status{}, Policy{}, err
	}
	p := m.Policy(c.Policy())
	return UnitWarranty(p, u, asOf, s.o.Location), p, nil
}

// UnitCards returns a customer's units with model, category, warranty as of
// asOf and flags: the screen-pop's unit list, in a fixed number of indexed
// queries however many units the customer has.
func (s *Service) UnitCards(ctx context.Context, customerID uint64, asOf time.Time) ([]UnitCard, error) {
	us, err := s.UnitsOfCustomer(ctx, customerID)
	if err != nil {
		return nil, err
	}
	cards, _, err := s.cards(ctx, us, asOf)
	return cards, err
}

// Cards decorates units with model, category, effective policy, warranty
// as of asOf and flags, in a fixed number of queries.
func (s *Service) Cards(ctx context.Context, us []Unit, asOf time.Time) ([]UnitCard, error) {
	cards, _, err := s.cards(ctx, us, asOf)
	return cards, err
}

// cards decorates units; it returns the names of flag sources that failed.
func (s *Service) cards(ctx context.Context, us []Unit, asOf time.Time) ([]UnitCard, []string, error) {
	out := make([]UnitCard, len(us))
	if len(us) == 0 {
		return out, nil, nil
	}
	mids := make([]uint64, len(us))
	uids := make([]uint64, len(us))
	for i, u := range us {
		mids[i], uids[i] = u.ModelID, u.ID
	}
	models, err := s.ModelsByIDs(ctx, mids)
	if err != nil {
		return nil, nil, err
	}
	cids := make([]uint64, 0, len(models))
	for _, m := range models {
		cids = append(cids, m.CategoryID)
	}
	cats, err := s.CategoriesByIDs(ctx, cids)
	if err != nil {
		return nil, nil, err
	}
	flags, failed := s.unitFlags(ctx, uids)
	for i, u := range us {
		m := models[u.ModelID]
		c := cats[m.CategoryID]
		p := m.Policy(c.Policy())
		out[i] = UnitCard{Unit: u, Model: m, Category: c, Policy: p,
			Warranty: UnitWarranty(p, u, asOf, s.o.Location), Flags: flags[u.ID]}
		if out[i].Flags == nil {
			out[i].Flags = []passport.Flag{}
		}
	}
	return out, failed, nil
}

// unitFlags asks every flag source once for all ids. A failing source is
// logged and skipped: a screen-pop without a flag beats no screen-pop.
func (s *Service) unitFlags(ctx context.Context, ids []uint64) (map[uint64][]passport.Flag, []string) {
	s.mu.RLock()
	srcs := append([]passport.FlagSource(nil), s.flags...)
	s.mu.RUnlock()
	out := map[uint64][]passport.Flag{}
	var failed []string
	for i, src := range srcs {
		fs, err := src.UnitFlags(ctx, ids)
		if err != nil {
			s.o.Log.ErrorContext(ctx, "unit flags source failed", "source", fmt.Sprintf("%T", src), "err", err)
			failed = append(failed, fmt.Sprintf("flags#%d", i+1))
			continue
		}
		for id, f := range fs {
			out[id] = append(out[id], f...)
		}
	}
	return out, failed
}

// Passport returns everything known about the unit with serial: its card
// and the history of every registered source merged newest first, plus the
// unit's own entries (production, purchase, installation, registration). A
// source that fails is named in Unavailable rather than failing the whole
// passport. Errors: not_found.
func (s *Service) Passport(ctx context.Context, serial string, asOf time.Time) (Passport, error) {
	u, err := s.UnitBySerial(ctx, serial)
	if err != nil {
		return Passport{}, err
	}
	cards, failed, err := s.cards(ctx, []Unit{u}, asOf)
	if err != nil {
		return Passport{}, err
	}
	p := Passport{UnitCard: cards[0], Unavailable: failed}
	p.History = ownEntries(u, cards[0])
	p.History = append(p.History, s.exchangeEntries(ctx, u)...)
	ts, err := s.Transfers(ctx, u.ID)
	if err != nil {
		return Passport{}, err
	}
	p.Transfers = ts
	p.History = append(p.History, transferEntries(u, ts)...)
	p.History = append(p.History, deactivationEntry(u)...)
	s.mu.RLock()
	srcs := append([]namedSource(nil), s.sources...)
	s.mu.RUnlock()
	for _, ns := range srcs {
		es, err := ns.src.PassportEntries(ctx, u.ID)
		if err != nil {
			s.o.Log.ErrorContext(ctx, "passport source failed", "source", ns.name, "unit_id", u.ID, "err", err)
			p.Unavailable = append(p.Unavailable, ns.name)
			continue
		}
		p.History = append(p.History, es...)
	}
	SortEntries(p.History)
	if p.Unavailable == nil {
		p.Unavailable = []string{}
	}
	return p, nil
}

// ownEntries are the passport lines the product domain knows itself.
func ownEntries(u Unit, c UnitCard) []passport.Entry {
	ref := "unit:" + idStr(u.ID)
	var es []passport.Entry
	if u.ProductionDate != nil {
		es = append(es, passport.Entry{At: *u.ProductionDate, Kind: "production", TitleCode: "production",
			TitleParams: passport.Params{"production_lot": orDash(u.ProductionLot)}, Ref: ref,
			Data: map[string]any{"production_lot": u.ProductionLot}})
	}
	if u.PurchaseDate != nil {
		es = append(es, passport.Entry{At: *u.PurchaseDate, Kind: "purchase", TitleCode: "purchase",
			TitleParams: passport.Params{"purchase_proof": orDash(u.PurchaseProof)}, Ref: ref,
			Data: map[string]any{"purchase_proof": u.PurchaseProof}})
	}
	if u.InstalledAt != nil {
		es = append(es, passport.Entry{At: *u.InstalledAt, Kind: "installation", TitleCode: "installation", TitleParams: passport.Params{}, Ref: ref})
	}
	es = append(es, passport.Entry{At: u.CreatedAt, Kind: "unit", TitleCode: "unit",
		TitleParams: passport.Params{"model": c.Model.Name, "serial": u.Serial}, Ref: ref,
		Data: map[string]any{"model_id": u.ModelID}})
	return es
}

// SortEntries orders passport entries newest first; entries at the same
// instant keep a stable order by kind and reference.
func SortEntries(es []passport.Entry) {
	slices.SortStableFunc(es, func(a, b passport.Entry) int {
		if c := b.At.Compare(a.At); c != 0 {
			return c
		}
		if c := strings.Compare(a.Kind, b.Kind); c != 0 {
			return c
		}
		return strings.Compare(a.Ref, b.Ref)
	})
}

// ---- helpers

// byIDs selects rows by id: a prepared "id = ?" for the common single id (a
// customer with one unit), an IN list otherwise.
func (s *Service) byIDs(ctx context.Context, ids []uint64) *gorm.DB {
	if len(ids) == 1 {
		return s.hot.WithContext(ctx).Where("id = ?", ids[0])
	}
	return s.o.DB.WithContext(ctx).Where("id IN ?", ids)
}

// record writes the change's audit entry and enqueues its event, both in
// tx: the event commits or rolls back with the change (see docs/events.md).
func (s *Service) record(ctx context.Context, tx *gorm.DB, entry audit.Entry, e event.Event) error {
	if err := s.o.Audit.Record(ctx, tx, entry); err != nil {
		return err
	}
	return s.o.Bus.Enqueue(tx, e)
}

func applyInput(p *Policy, in PolicyInput) {
	set := func(dst *int, v *int) {
		if v != nil {
			*dst = *v
		}
	}
	set(&p.ReturnDays, in.ReturnDays)
	set(&p.ExchangeDays, in.ExchangeDays)
	set(&p.RepairWarrantyMonths, in.RepairWarrantyMonths)
	set(&p.ReplaceAfterRepairs, in.ReplaceAfterRepairs)
}

// checkPolicy validates a complete (effective) policy.
func checkPolicy(p Policy, fields apperr.Fields) {
	rng := func(field string, v, hi int) {
		if v < 0 || v > hi {
			fields[field] = apperr.OutOfRange(0, hi)
		}
	}
	rng("return_days", p.ReturnDays, MaxPolicyDays)
	rng("exchange_days", p.ExchangeDays, MaxPolicyDays)
	rng("repair_warranty_months", p.RepairWarrantyMonths, MaxPolicyMonths)
	rng("replace_after_repairs", p.ReplaceAfterRepairs, MaxReplaceAfter)
	if _, bad := fields["exchange_days"]; !bad && p.ExchangeDays > 0 && p.ExchangeDays < p.ReturnDays {
		fields["exchange_days"] = apperr.Code("not_less_than_field", "the exchange window includes the return window: must be at least return_days").With("field", "return_days")
	}
}

// checkOverrides validates the ranges of the overrides that are set; the
// effective policy is checked as a whole by checkPolicy.
func checkOverrides(in PolicyInput, fields apperr.Fields) {
	rng := func(field string, v *int, hi int) {
		if v != nil && (*v < 0 || *v > hi) {
			fields[field] = apperr.OutOfRange(0, hi)
		}
	}
	rng("return_days", in.ReturnDays, MaxPolicyDays)
	rng("exchange_days", in.ExchangeDays, MaxPolicyDays)
	rng("repair_warranty_months", in.RepairWarrantyMonths, MaxPolicyMonths)
	rng("replace_after_repairs", in.ReplaceAfterRepairs, MaxReplaceAfter)
}

func checkName(name string, maxLen int, field string, fields apperr.Fields) string {
	name = strings.Join(strings.Fields(name), " ")
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		fields[field] = apperr.Required()
	case n > maxLen:
		fields[field] = apperr.TooLong(maxLen)
	}
	return name
}

func duplicateCode(what string) *apperr.Error {
	return apperr.Conflict("duplicate_code", "a product "+what+" with this code already exists").WithDetail("field", "code")
}

func wrapDup(err error, what, op string) error {
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return duplicateCode(what)
	}
	return wrap(err, op)
}

func notFound(err error, entity string) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return apperr.NotFound(entity)
	}
	return err
}

// wrap classifies a storage error (db.Classify: busy, duplicate,
// unavailable, internal) with what was being done.
func wrap(err error, what string) error { return db.Classify(err, what) }

// firstProblem is the alphabetically first field problem of m.
func firstProblem(m apperr.Fields) (string, apperr.FieldError) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys[0], m[keys[0]]
}

func uniq(ids []uint64) []uint64 {
	seen := make(map[uint64]bool, len(ids))
	out := make([]uint64, 0, len(ids))
	for _, id := range ids {
		if id != 0 && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func idStr(id uint64) string { return strconv.FormatUint(id, 10) }

// exchangeEntries are the passport lines of an exchange, on both units: the
// exchanged-out unit names its replacement, the replacement names the unit
// it replaces.
func (s *Service) exchangeEntries(ctx context.Context, u Unit) []passport.Entry {
	var es []passport.Entry
	ref := "unit:" + idStr(u.ID)
	at := u.UpdatedAt
	if u.WarrantyEndedOn != nil {
		at = *u.WarrantyEndedOn
	}
	if u.ReplacedByUnitID != nil {
		if n, err := s.Unit(ctx, *u.ReplacedByUnitID); err == nil {
			es = append(es, passport.Entry{At: at, Kind: "exchange", TitleCode: "exchanged_for",
				TitleParams: passport.Params{"serial": n.Serial}, Ref: ref,
				Data: map[string]any{"replaced_by_unit_id": n.ID, "replaced_by_serial": n.Serial}})
		}
	}
	if u.Status == UnitReturned {
		es = append(es, passport.Entry{At: at, Kind: "return", TitleCode: "returned", TitleParams: passport.Params{}, Ref: ref})
	}
	if u.ReplacesUnitID != nil {
		if o, err := s.Unit(ctx, *u.ReplacesUnitID); err == nil {
			start := u.CreatedAt
			if u.WarrantyStart != nil {
				start = *u.WarrantyStart
			}
			es = append(es, passport.Entry{At: start, Kind: "exchange", TitleCode: "exchange_replaces",
				TitleParams: passport.Params{"serial": o.Serial}, Ref: ref,
				Data: map[string]any{"replaces_unit_id": o.ID, "replaces_serial": o.Serial, "warranty_start": u.WarrantyStart}})
		}
	}
	return es
}
