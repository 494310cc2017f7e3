package outlet

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/customer"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/region"
)

// CategoryResolver resolves product-category references — decimal ids or
// category codes — to category ids. References it does not know are absent
// from the returned map. The product service provides it (wired in app).
type CategoryResolver func(ctx context.Context, refs []string) (map[string]uint64, error)

// UserLookup returns the outlet scope of the login with the given id, or an
// apperr not_found error when there is no such user. The auth service
// provides it (wired in app).
type UserLookup func(ctx context.Context, id uint64) (outletID *uint64, err error)

// LoadCounter returns, for each outlet, how many work orders it already holds
// for the calendar day of day. Outlets without work may be absent from the
// map. The work-order service provides it (wired in app).
type LoadCounter func(ctx context.Context, outletIDs []uint64, day time.Time) (map[uint64]int, error)

// Options are the Service's dependencies.
type Options struct {
	DB      *gorm.DB
	Audit   *audit.Trail
	Bus     event.Bus // may be nil (tests)
	Regions *region.Directory
	// Categories checks authorised categories; nil accepts decimal ids
	// unchecked (no product catalogue wired).
	Categories CategoryResolver
	// Users checks the login linked to a staff member; nil skips the check.
	Users UserLookup
	// LoadCounter counts the day's work per outlet for Candidates; nil
	// means every outlet has no load.
	LoadCounter LoadCounter
	// Location is the enterprise time zone that calendar dates refer to
	// (default Asia/Shanghai).
	Location *time.Location
	Now      func() time.Time
	// PostKinds maps post titles to kinds (config staff.post_kinds); nil
	// uses DefaultPostTitles.
	PostKinds PostIndex
	// ManagerValidYears is the validity of a 售后服务管理师 certificate
	// (config certificates.manager.valid_years, default 3).
	ManagerValidYears int
}

// Service manages outlets and staff.
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
	if o.Location == nil {
		loc, err := time.LoadLocation("Asia/Shanghai")
		if err != nil {
			loc = time.FixedZone("CST", 8*3600)
		}
		o.Location = loc
	}
	if o.Regions == nil {
		// The embedded directory cannot fail to load (its tests rule that
		// out); app passes its shared instance so this is for tests only.
		if d, err := region.Load(); err == nil {
			o.Regions = d
		}
	}
	return &Service{o: o}
}

// Limits on what one outlet may carry; they keep a typo (a whole province
// list pasted twice) from becoming thousands of rows.
const (
	MaxCoverage    = 500
	MaxCategories  = 200
	MaxCapacity    = 10000
	maxCodeLen     = 32
	maxNameLen     = 128
	maxAddressLen  = 255
	maxContractLen = 64
)

var codePattern = regexp.MustCompile(`^[A-Z0-9][A-Z0-9_-]*$`)

// DateOf returns the calendar date of t in the enterprise time zone, as
// 00:00 UTC of that date (how calendar dates are stored).
func (s *Service) DateOf(t time.Time) time.Time {
	l := t.In(s.o.Location)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
}

// Today is the current calendar date in the enterprise time zone.
func (s *Service) Today() time.Time { return s.DateOf(s.o.Now()) }

// civil drops any time of day from a calendar date supplied by a caller.
func civil(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	d := time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC)
	return &d
}

// NewOutlet is the input to Create.
type NewOutlet struct {
	Code              string
	Name              string
	Kind              string
	ContractNo        string
	ContractValidFrom *time.Time // calendar date
	ContractValidTo   *time.Time // calendar date
	RegionCode        string
	Address           string
	Latitude          *float64
	Longitude         *float64
	Phone             string
	Coverage          []string
	CategoryIDs       []uint64
	DailyCapacity     int
}

// OutletPatch changes some fields of an outlet; nil fields are kept. The
// code is immutable: it is the key other systems and import files use.
type OutletPatch struct {
	Name              *string
	Kind              *string
	ContractNo        *string
	ContractValidFrom *time.Time
	ContractValidTo   *time.Time
	RegionCode        *string
	Address           *string
	Latitude          *float64
	Longitude         *float64
	Phone             *string
	Coverage          *[]string
	CategoryIDs       *[]uint64
	DailyCapacity     *int
	// Version must match the stored version (optimistic concurrency); 0
	// skips the check.
	Version int64
}

// normalise trims text fields, upper-cases the code, normalises the phone,
// de-duplicates coverage and categories and clears the contract of an own
// outlet (own outlets never carry one). Problems go into fields.
func (s *Service) normalise(o *Outlet, fields apperr.Fields) {
	o.Code = strings.ToUpper(strings.TrimSpace(o.Code))
	o.Name = strings.TrimSpace(o.Name)
	o.Kind = strings.TrimSpace(o.Kind)
	o.ContractNo = strings.TrimSpace(o.ContractNo)
	o.RegionCode = strings.TrimSpace(o.RegionCode)
	o.Address = strings.TrimSpace(o.Address)
	o.ContractValidFrom, o.ContractValidTo = civil(o.ContractValidFrom), civil(o.ContractValidTo)
	if o.Kind == KindOwn {
		o.ContractNo, o.ContractValidFrom, o.ContractValidTo = "", nil, nil
	}
	if p := strings.TrimSpace(o.Phone); p == "" {
		fields["phone"] = apperr.Required()
	} else if n, err := customer.NormalizePhone(p); err != nil {
		fields["phone"] = apperr.InvalidFormat(apperr.FormatPhone)
	} else {
		o.Phone = n
	}
	cov := make([]string, 0, len(o.Coverage))
	for _, c := range o.Coverage {
		if c = strings.TrimSpace(c); c != "" && !slices.Contains(cov, c) {
			cov = append(cov, c)
		}
	}
	sort.Strings(cov)
	o.Coverage = cov
	cats := slices.Clone(o.CategoryIDs)
	slices.Sort(cats)
	o.CategoryIDs = slices.Compact(cats)
}

// validate checks a normalised outlet and puts problems into fields;
// checkCategories asks the product catalogue whether the categories exist
// (the importer has already resolved them). The error is for internal
// failures only.
func (s *Service) validate(ctx context.Context, o *Outlet, fields apperr.Fields, checkCategories bool) error {
	switch {
	case o.Code == "":
		fields["code"] = apperr.Required()
	case len(o.Code) > maxCodeLen || !codePattern.MatchString(o.Code):
		fields["code"] = apperr.Identifier(1, maxCodeLen)
	}
	if o.Name == "" {
		fields["name"] = apperr.Required()
	} else if utf8.RuneCountInString(o.Name) > maxNameLen {
		fields["name"] = apperr.TooLong(maxNameLen)
	}
	switch o.Kind {
	case KindOwn:
	case KindEntrusted:
		if o.ContractNo == "" {
			fields["contract_no"] = apperr.Required()
		} else if utf8.RuneCountInString(o.ContractNo) > maxContractLen {
			fields["contract_no"] = apperr.TooLong(maxContractLen)
		}
		if o.ContractValidFrom == nil {
			fields["contract_valid_from"] = apperr.Required()
		}
		if o.ContractValidTo == nil {
			fields["contract_valid_to"] = apperr.Required()
		}
		if o.ContractValidFrom != nil && o.ContractValidTo != nil && o.ContractValidTo.Before(*o.ContractValidFrom) {
			fields["contract_valid_to"] = apperr.Code("before_field", "must not be before contract_valid_from").With("field", "contract_valid_from")
		}
	case "":
		fields["kind"] = apperr.OneOf("own", "entrusted")
	default:
		fields["kind"] = apperr.OneOf("own", "entrusted")
	}
	if o.RegionCode == "" {
		fields["region_code"] = apperr.Required()
	} else if s.o.Regions.Validate(o.RegionCode) != nil {
		fields["region_code"] = apperr.Unknown(o.RegionCode)
	}
	if o.Address == "" {
		fields["address"] = apperr.Required()
	} else if utf8.RuneCountInString(o.Address) > maxAddressLen {
		fields["address"] = apperr.TooLong(maxAddressLen)
	}
	if (o.Latitude == nil) != (o.Longitude == nil) {
		fields["latitude"] = apperr.Code("lat_lng_together", "give both latitude and longitude, or neither")
	} else if o.Latitude != nil {
		// China's bounding box: a point outside it is a typo (swapped or zero).
		if la := *o.Latitude; math.IsNaN(la) || la < 3 || la > 54 {
			fields["latitude"] = apperr.OutOfRange(3, 54)
		}
		if lo := *o.Longitude; math.IsNaN(lo) || lo < 73 || lo > 136 {
			fields["longitude"] = apperr.OutOfRange(73, 136)
		}
	}
	switch {
	case len(o.Coverage) == 0:
		fields["coverage"] = apperr.Required()
	case len(o.Coverage) > MaxCoverage:
		fields["coverage"] = apperr.TooMany(MaxCoverage)
	default:
		for _, c := range o.Coverage {
			if s.o.Regions.Validate(c) != nil {
				fields["coverage"] = apperr.Unknown(c)
				break
			}
		}
	}
	if len(o.CategoryIDs) > MaxCategories {
		fields["category_ids"] = apperr.TooMany(MaxCategories)
	} else if len(o.CategoryIDs) > 0 && checkCategories {
		missing, err := s.missingCategories(ctx, o.CategoryIDs)
		if err != nil {
			return err
		}
		if len(missing) > 0 {
			fields["category_ids"] = apperr.NoSuch("product_category").With("id", missing[0])
		}
	}
	if o.DailyCapacity < 1 || o.DailyCapacity > MaxCapacity {
		fields["daily_capacity"] = apperr.OutOfRange(1, MaxCapacity)
	}
	return nil
}

func (s *Service) missingCategories(ctx context.Context, ids []uint64) ([]uint64, error) {
	if s.o.Categories == nil {
		return nil, nil
	}
	refs := make([]string, len(ids))
	for i, id := range ids {
		refs[i] = idString(id)
	}
	found, err := s.o.Categories(ctx, refs)
	if err != nil {
		return nil, apperr.Internal(fmt.Errorf("resolve categories: %w", err))
	}
	var missing []uint64
	for i, r := range refs {
		if found[r] != ids[i] {
			missing = append(missing, ids[i])
		}
	}
	return missing, nil
}

// resolveCategoryRefs maps import references (ids or codes) to ids.
func (s *Service) resolveCategoryRefs(ctx context.Context, refs []string) (map[string]uint64, error) {
	if s.o.Categories != nil {
		m, err := s.o.Categories(ctx, refs)
		if err != nil {
			return nil, apperr.Internal(fmt.Errorf("resolve categories: %w", err))
		}
		return m, nil
	}
	m := map[string]uint64{}
	for _, r := range refs {
		if id, err := strconv.ParseUint(r, 10, 64); err == nil && id > 0 {
			m[r] = id
		}
	}
	return m, nil
}

// Create adds an active outlet. Errors: validation (fields), conflict
// duplicate_code.
func (s *Service) Create(ctx context.Context, in NewOutlet) (Outlet, error) {
	o := Outlet{Code: in.Code, Name: in.Name, Kind: in.Kind, ContractNo: in.ContractNo, ContractValidFrom: in.ContractValidFrom,
		ContractValidTo: in.ContractValidTo, RegionCode: in.RegionCode, Address: in.Address, Latitude: in.Latitude,
		Longitude: in.Longitude, Phone: in.Phone, Coverage: in.Coverage, CategoryIDs: in.CategoryIDs, DailyCapacity: in.DailyCapacity}
	fields := apperr.Fields{}
	s.normalise(&o, fields)
	if err := s.validate(ctx, &o, fields, true); err != nil {
		return Outlet{}, err
	}
	if len(fields) > 0 {
		return Outlet{}, apperr.FieldsErr(fields)
	}
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.createTx(ctx, tx, &o, "create"); err != nil {
			return err
		}
		return s.o.Bus.Enqueue(tx, event.OutletCreated.New(event.TopicOutlets, outletEvent(o)))
	})
	if err != nil {
		return Outlet{}, wrap(err, "create outlet")
	}
	return o, nil
}

// createTx inserts a validated outlet with its coverage and categories and
// the audit record, inside tx.
func (s *Service) createTx(ctx context.Context, tx *gorm.DB, o *Outlet, action string) error {
	var n int64
	if err := tx.Model(&Outlet{}).Where("code = ?", o.Code).Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return errDuplicateCode()
	}
	if err := nameTaken(tx, o.Name, 0); err != nil {
		return err
	}
	now := s.o.Now().UTC()
	o.Status, o.Version, o.CreatedAt, o.UpdatedAt = StatusActive, 1, now, now
	if err := tx.Create(o).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			// A concurrent insert took the code or the name first.
			if nameTaken(tx, o.Name, 0) != nil {
				return errDuplicateName()
			}
			return errDuplicateCode()
		}
		return err
	}
	if err := replaceChildren(tx, o.ID, o.Coverage, o.CategoryIDs, true, true); err != nil {
		return err
	}
	return s.o.Audit.Record(ctx, tx, audit.Entry{Action: action, Entity: "outlet", EntityID: idString(o.ID), After: o.Snapshot()})
}

// nameTaken answers conflict duplicate_name when another outlet than
// except already has name (outlet names are unique: ux_outlets_name, so
// dispatch lists, timelines and reports name one outlet each).
func nameTaken(tx *gorm.DB, name string, except uint64) error {
	var n int64
	if err := tx.Model(&Outlet{}).Where("name = ? AND id <> ?", name, except).Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return errDuplicateName()
	}
	return nil
}

func errDuplicateName() error {
	return apperr.Conflict("duplicate_name", "an outlet with this name already exists").WithDetail("field", "name")
}

func errDuplicateCode() error {
	return apperr.Conflict("duplicate_code", "an outlet with this code already exists").WithDetail("field", "code")
}

// replaceChildren rewrites an outlet's coverage and/or category rows.
func replaceChildren(tx *gorm.DB, id uint64, coverage []string, cats []uint64, setCoverage, setCats bool) error {
	if setCoverage {
		if err := tx.Where("outlet_id = ?", id).Delete(&OutletCoverage{}).Error; err != nil {
			return err
		}
		rows := make([]OutletCoverage, len(coverage))
		for i, c := range coverage {
			rows[i] = OutletCoverage{OutletID: id, RegionCode: c}
		}
		if len(rows) > 0 {
			if err := tx.CreateInBatches(rows, 500).Error; err != nil {
				return err
			}
		}
	}
	if setCats {
		if err := tx.Where("outlet_id = ?", id).Delete(&OutletCategory{}).Error; err != nil {
			return err
		}
		rows := make([]OutletCategory, len(cats))
		for i, c := range cats {
			rows[i] = OutletCategory{OutletID: id, CategoryID: c}
		}
		if len(rows) > 0 {
			if err := tx.CreateInBatches(rows, 500).Error; err != nil {
				return err
			}
		}
	}
	return nil
}

// Update applies a patch; p.Version 0 skips the version check (the HTTP
// layer always sends one). Errors: not_found (also for another outlet of
// an outlet-scoped caller), validation, conflict version_conflict.
func (s *Service) Update(ctx context.Context, id uint64, p OutletPatch) (Outlet, error) {
	out, err := s.mutate(ctx, id, p.Version, "update", func(tx *gorm.DB, o *Outlet) error {
		orig := o.Snapshot()
		if p.Name != nil {
			o.Name = *p.Name
		}
		if p.Kind != nil {
			o.Kind = *p.Kind
		}
		if p.ContractNo != nil {
			o.ContractNo = *p.ContractNo
		}
		if p.ContractValidFrom != nil {
			o.ContractValidFrom = p.ContractValidFrom
		}
		if p.ContractValidTo != nil {
			o.ContractValidTo = p.ContractValidTo
		}
		if p.RegionCode != nil {
			o.RegionCode = *p.RegionCode
		}
		if p.Address != nil {
			o.Address = *p.Address
		}
		if p.Latitude != nil {
			o.Latitude = p.Latitude
		}
		if p.Longitude != nil {
			o.Longitude = p.Longitude
		}
		if p.Phone != nil {
			o.Phone = *p.Phone
		}
		if p.Coverage != nil {
			o.Coverage = *p.Coverage
		}
		if p.CategoryIDs != nil {
			o.CategoryIDs = *p.CategoryIDs
		}
		if p.DailyCapacity != nil {
			o.DailyCapacity = *p.DailyCapacity
		}
		fields := apperr.Fields{}
		s.normalise(o, fields)
		if err := s.validate(ctx, o, fields, true); err != nil {
			return err
		}
		if len(fields) > 0 {
			return apperr.FieldsErr(fields)
		}
		if audit.Unchanged(orig, o.Snapshot()) {
			return errUnchanged
		}
		if p.Name != nil && o.Name != orig["name"] {
			if err := nameTaken(tx, o.Name, o.ID); err != nil {
				return err
			}
		}
		return replaceChildren(tx, o.ID, o.Coverage, o.CategoryIDs, p.Coverage != nil, p.CategoryIDs != nil)
	})
	if err != nil {
		return Outlet{}, err
	}
	return out, nil
}

// allowedTransitions names, per status, the actions that may follow.
var allowedTransitions = map[string][]string{
	StatusActive:    {"suspend"},
	StatusSuspended: {"activate"},
}

// Suspend stops an active outlet from receiving work. version 0 skips the
// version check. Errors: not_found, conflict invalid_transition or
// version_conflict.
func (s *Service) Suspend(ctx context.Context, id uint64, reason string, version int64) (Outlet, error) {
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > 255 {
		return Outlet{}, apperr.FieldErr("reason", apperr.TooLong(255))
	}
	return s.transition(ctx, id, version, "suspend", StatusActive, StatusSuspended, reason)
}

// Activate lets a suspended outlet receive work again. Errors as Suspend.
func (s *Service) Activate(ctx context.Context, id uint64, version int64) (Outlet, error) {
	return s.transition(ctx, id, version, "activate", StatusSuspended, StatusActive, "")
}

func (s *Service) transition(ctx context.Context, id uint64, version int64, action, from, to, reason string) (Outlet, error) {
	out, err := s.mutate(ctx, id, version, action, func(_ *gorm.DB, o *Outlet) error {
		if o.Status != from {
			return apperr.Conflict("invalid_transition", fmt.Sprintf("an outlet that is %s cannot %s", o.Status, action)).
				WithDetail("allowed", allowedTransitions[o.Status])
		}
		o.Status, o.StatusReason = to, reason
		return nil
	})
	if err != nil {
		return Outlet{}, err
	}
	return out, nil
}

// mutate loads the outlet in a transaction (scoped to the caller's outlet),
// checks the version, applies change, writes it with the version guard and
// records the audit entry.
// errUnchanged: a change function found nothing to change.
var errUnchanged = errors.New("unchanged")

func (s *Service) mutate(ctx context.Context, id uint64, version int64, action string, change func(tx *gorm.DB, o *Outlet) error) (Outlet, error) {
	var out Outlet
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		o, err := s.load(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if version != 0 && version != o.Version {
			return apperr.ErrVersionConflict("outlet")
		}
		before := o.Snapshot()
		orig := o
		if err := change(tx, &o); err != nil {
			if errors.Is(err, errUnchanged) {
				out = orig // nothing to write: no version bump, no audit record
				return nil
			}
			return err
		}
		now := s.o.Now().UTC()
		if err := db.UpdateVersioned(tx, &Outlet{}, o.ID, o.Version, "outlet", map[string]any{
			"name": o.Name, "kind": o.Kind, "contract_no": o.ContractNo, "contract_valid_from": o.ContractValidFrom,
			"contract_valid_to": o.ContractValidTo, "region_code": o.RegionCode, "address": o.Address, "latitude": o.Latitude,
			"longitude": o.Longitude, "phone": o.Phone, "daily_capacity": o.DailyCapacity, "status": o.Status,
			"status_reason": o.StatusReason, "version": o.Version + 1, "updated_at": now}); err != nil {
			return err
		}
		o.Version++
		o.UpdatedAt = now
		out = o
		if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: action, Entity: "outlet", EntityID: idString(o.ID), Before: before, After: o.Snapshot()}); err != nil {
			return err
		}
		if t, ok := mutationEvents[action]; ok {
			return s.o.Bus.Enqueue(tx, t.New(event.TopicOutlets, outletEvent(o)))
		}
		return nil
	})
	if err != nil {
		return Outlet{}, wrap(err, action+" outlet")
	}
	return out, nil
}

// load reads one outlet with its coverage and categories; scoped applies the
// caller's outlet data scope (another outlet is not found).
func (s *Service) load(ctx context.Context, g *gorm.DB, id uint64, scoped bool) (Outlet, error) {
	q := g.WithContext(ctx).Where("id = ?", id)
	if scoped {
		if own, ok := actor.From(ctx).OutletScoped(); ok && own != id {
			return Outlet{}, apperr.NotFound("outlet")
		}
	}
	var o Outlet
	if err := db.Take(q, &o, "outlet"); err != nil {
		return Outlet{}, err
	}
	list := []Outlet{o}
	if err := loadChildren(ctx, g, list); err != nil {
		return Outlet{}, err
	}
	return list[0], nil
}

// loadChildren fills Coverage and CategoryIDs of a page of outlets with two
// queries.
func loadChildren(ctx context.Context, db *gorm.DB, list []Outlet) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]uint64, len(list))
	pos := make(map[uint64]int, len(list))
	for i, o := range list {
		ids[i] = o.ID
		pos[o.ID] = i
		list[i].Coverage = []string{}
		list[i].CategoryIDs = []uint64{}
	}
	var cov []OutletCoverage
	if err := db.WithContext(ctx).Where("outlet_id IN ?", ids).Order("outlet_id, region_code").Find(&cov).Error; err != nil {
		return err
	}
	for _, c := range cov {
		list[pos[c.OutletID]].Coverage = append(list[pos[c.OutletID]].Coverage, c.RegionCode)
	}
	var cats []OutletCategory
	if err := db.WithContext(ctx).Where("outlet_id IN ?", ids).Order("outlet_id, category_id").Find(&cats).Error; err != nil {
		return err
	}
	for _, c := range cats {
		list[pos[c.OutletID]].CategoryIDs = append(list[pos[c.OutletID]].CategoryIDs, c.CategoryID)
	}
	return nil
}

// Get loads an outlet with its coverage and categories for other domains
// (dispatch, readiness). It does not apply the caller's data scope: use
// Visible for what a user asked to see. Errors: not_found.
func (s *Service) Get(ctx context.Context, id uint64) (Outlet, error) {
	o, err := s.load(ctx, s.o.DB, id, false)
	if err != nil {
		return Outlet{}, wrap(err, "get outlet")
	}
	return o, nil
}

// Visible loads an outlet as the caller may see it: an outlet user asking
// for another outlet gets not_found.
func (s *Service) Visible(ctx context.Context, id uint64) (Outlet, error) {
	o, err := s.load(ctx, s.o.DB, id, true)
	if err != nil {
		return Outlet{}, wrap(err, "get outlet")
	}
	return o, nil
}

// OutletFilter selects outlets for List and Export.
type OutletFilter struct {
	Status string
	Kind   string
	// Region keeps outlets located in this province, city or district.
	Region string
	// Covers keeps outlets whose coverage includes this region.
	Covers string
	// Query matches a code prefix or a part of the name.
	Query string
	// Sort is one of OutletSorts, "-" prefixed for descending; default code.
	Sort string
	Page int
	Size int
}

// OutletSorts are the fields List sorts by.
var OutletSorts = []string{"code", "name", "created_at", "daily_capacity", "id"}

func (s *Service) outletQuery(ctx context.Context, f OutletFilter) (*gorm.DB, error) {
	q := s.o.DB.WithContext(ctx).Model(&Outlet{})
	fields := apperr.Fields{}
	if own, ok := actor.From(ctx).OutletScoped(); ok {
		q = q.Where("id = ?", own)
	}
	switch f.Status {
	case "":
	case StatusActive, StatusSuspended:
		q = q.Where("status = ?", f.Status)
	default:
		fields["status"] = apperr.OneOf("active", "suspended")
	}
	switch f.Kind {
	case "":
	case KindOwn, KindEntrusted:
		q = q.Where("kind = ?", f.Kind)
	default:
		fields["kind"] = apperr.OneOf("own", "entrusted")
	}
	if f.Region != "" {
		r, ok := s.o.Regions.Lookup(f.Region)
		if !ok {
			fields["region"] = apperr.Unknown(f.Region)
		} else {
			switch r.Level {
			case region.LevelProvince:
				q = q.Where("region_code LIKE ?", r.Code[:2]+"%")
			case region.LevelCity:
				q = q.Where("region_code LIKE ?", r.Code[:4]+"%")
			default:
				q = q.Where("region_code = ?", r.Code)
			}
		}
	}
	if f.Covers != "" {
		path := s.o.Regions.Path(f.Covers)
		if path == nil {
			fields["covers"] = apperr.Unknown(f.Covers)
		} else {
			codes := make([]string, len(path))
			for i, r := range path {
				codes[i] = r.Code
			}
			q = q.Where("id IN (?)", s.o.DB.Model(&OutletCoverage{}).Select("outlet_id").Where("region_code IN ?", codes))
		}
	}
	if qs := strings.TrimSpace(f.Query); qs != "" {
		// The outlet table is small (thousands of rows), so a contains match
		// on the name is acceptable here; codes match by prefix on the index.
		like := likeEscape(qs)
		q = q.Where("code LIKE ? ESCAPE '!' OR name LIKE ? ESCAPE '!'", strings.ToUpper(like)+"%", "%"+like+"%")
	}
	if len(fields) > 0 {
		return nil, apperr.FieldsErr(fields)
	}
	return q, nil
}

func orderBy(sortKey string, allowed []string, def string) (string, error) {
	if sortKey == "" {
		return def, nil
	}
	desc := strings.HasPrefix(sortKey, "-")
	key := strings.TrimPrefix(sortKey, "-")
	if !slices.Contains(allowed, key) {
		return "", apperr.FieldErr("sort", apperr.OneOf(allowed...))
	}
	if desc {
		return key + " DESC, id DESC", nil
	}
	return key + ", id", nil
}

// List returns a page of outlets visible to the caller, with the total.
// Errors: validation (a bad filter).
func (s *Service) List(ctx context.Context, f OutletFilter) ([]Outlet, int64, error) {
	q, err := s.outletQuery(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	order, err := orderBy(f.Sort, OutletSorts, "code, id")
	if err != nil {
		return nil, 0, err
	}
	f.Page, f.Size = db.PageBounds(f.Page, f.Size, 20, 0)
	out, total, err := db.OffsetPage[Outlet](q, order, f.Page, f.Size)
	if err != nil {
		return nil, 0, apperr.Internal(fmt.Errorf("list outlets: %w", err))
	}
	if err := loadChildren(ctx, s.o.DB, out); err != nil {
		return nil, 0, apperr.Internal(fmt.Errorf("list outlets: %w", err))
	}
	return out, total, nil
}

func likeEscape(s string) string {
	r := strings.NewReplacer("!", "!!", "%", "!%", "_", "!_")
	return r.Replace(s)
}

// mutationEvents is the event each mutate action records in its transaction.
var mutationEvents = map[string]event.Type[event.Outlet]{
	"update": event.OutletUpdated, "suspend": event.OutletSuspended, "activate": event.OutletActivated,
}

func outletEvent(o Outlet) event.Outlet {
	return event.Outlet{ID: o.ID, Code: o.Code, Name: o.Name, Status: o.Status}
}

// wrap classifies a storage error (db.Classify: busy, duplicate,
// unavailable, internal) with what was being done.
func wrap(err error, what string) error { return db.Classify(err, what) }
