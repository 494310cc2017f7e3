package customer

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/region"
)

// Limits on input sizes; they keep one customer's record readable on an
// agent's screen and bound the work of one request.
const (
	MaxNameLen      = 128
	MaxLabelLen     = 32
	MaxDetailLen    = 255
	MaxPhones       = 10
	MaxAddresses    = 10
	DefaultPageSize = 20
	MaxPageSize     = 200
)

// Topic is the event topic of customer events.
const Topic = "customers"

// Options are the Service's dependencies.
type Options struct {
	DB      *gorm.DB
	Audit   *audit.Trail
	Bus     event.Bus
	Regions *region.Directory
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Service manages customers. It is safe for concurrent use.
type Service struct {
	o Options
	// hot runs the screen-pop's fixed-shape reads as prepared statements:
	// parsing the SQL again on every call costs more than the index probe.
	hot *gorm.DB
	// The domains whose rows follow a merge and an erasure (merge.go).
	mu      sync.RWMutex
	holders []namedHolder
	erasers []namedEraser
}

// New returns a Service.
func New(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Bus == nil {
		o.Bus = event.Discard
	}
	return &Service{o: o, hot: o.DB.Session(&gorm.Session{PrepareStmt: true})}
}

// NewPhone is a phone number to add, as typed.
type NewPhone struct {
	Number  string
	Label   string
	Primary bool
}

// NewAddress is an address to add.
type NewAddress struct {
	RegionCode string
	Detail     string
	Default    bool
}

// NewCustomer is the input to Create.
type NewCustomer struct {
	Name             string
	Kind             Kind // empty means person
	Phones           []NewPhone
	Addresses        []NewAddress
	ConsentSMS       bool
	ConsentSurvey    bool
	ConsentMarketing bool
}

// Create adds a customer with at least one phone and any addresses, in one
// transaction with its audit record, and publishes customer.created.
//
// Errors: validation (fields named like "phones[1].number" or
// "addresses[0].region_code"); conflict "duplicate_phone" when a number
// already belongs to a customer, with details customer_id (the existing
// customer) and field.
func (s *Service) Create(ctx context.Context, in NewCustomer) (Profile, error) {
	n, err := s.checkNew(in)
	if err != nil {
		return Profile{}, err
	}
	if err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return s.insertNew(ctx, tx, &n) }); err != nil {
		return Profile{}, s.duplicateOr(ctx, err, n.phones, "phones", 0, "create customer")
	}
	return n.profile, nil
}

// CreateTx is Create inside the caller's transaction tx, for a use case
// that stores the customer together with what it opens for them (a web
// service request and its ticket); the caller commits or rolls back.
func (s *Service) CreateTx(ctx context.Context, tx *gorm.DB, in NewCustomer) (Profile, error) {
	n, err := s.checkNew(in)
	if err != nil {
		return Profile{}, err
	}
	if err := s.insertNew(ctx, tx, &n); err != nil {
		return Profile{}, s.duplicateOr(ctx, err, n.phones, "phones", 0, "create customer")
	}
	return n.profile, nil
}

// newProfile is a checked NewCustomer, ready to insert.
type newProfile struct {
	profile Profile
	phones  []Phone
	addrs   []Address
}

func (s *Service) checkNew(in NewCustomer) (newProfile, error) {
	fields := apperr.Fields{}
	name, kind := s.checkNameKind(in.Name, in.Kind, fields)
	if len(in.Phones) == 0 {
		fields["phones"] = apperr.Code("phone_required", "at least one phone number is required")
	}
	phones := s.checkPhones(in.Phones, "phones", 0, fields)
	addrs := s.checkAddresses(in.Addresses, "addresses", 0, fields)
	if len(fields) > 0 {
		return newProfile{}, apperr.FieldsErr(fields)
	}
	now := s.o.Now().UTC()
	p := Profile{Customer: Customer{Name: name, Kind: kind, ConsentSMS: in.ConsentSMS, ConsentSurvey: in.ConsentSurvey,
		ConsentMarketing: in.ConsentMarketing, Version: 1, CreatedAt: now, UpdatedAt: now}}
	markFirst(len(phones), func(i int) *bool { return &phones[i].IsPrimary })
	markFirst(len(addrs), func(i int) *bool { return &addrs[i].IsDefault })
	return newProfile{profile: p, phones: phones, addrs: addrs}, nil
}

// insertNew stores n inside tx: the customer, phones, addresses, the search
// index, the audit record and customer.created.
func (s *Service) insertNew(ctx context.Context, tx *gorm.DB, n *newProfile) error {
	p, phones, addrs, now := &n.profile, n.phones, n.addrs, n.profile.Customer.CreatedAt
	if err := s.refuseTaken(ctx, tx, phones, "phones", 0); err != nil {
		return err
	}
	if err := tx.Create(&p.Customer).Error; err != nil {
		return err
	}
	for i := range phones {
		phones[i].CustomerID, phones[i].CreatedAt = p.Customer.ID, now
	}
	for i := range addrs {
		addrs[i].CustomerID, addrs[i].CreatedAt = p.Customer.ID, now
	}
	if len(phones) > 0 {
		if err := tx.Create(&phones).Error; err != nil {
			return err
		}
	}
	if len(addrs) > 0 {
		if err := tx.Create(&addrs).Error; err != nil {
			return err
		}
	}
	p.Phones, p.Addresses = phones, addrs
	if err := reindex(tx, p.Customer.ID); err != nil {
		return err
	}
	if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: "create", Entity: "customer", EntityID: idStr(p.Customer.ID), After: p.snapshot()}); err != nil {
		return err
	}
	return s.o.Bus.Enqueue(tx, event.CustomerCreated.New(Topic, event.Customer{CustomerID: p.Customer.ID}))
}

// Get returns one customer (without phones and addresses). Errors: not_found.
func (s *Service) Get(ctx context.Context, id uint64) (Customer, error) {
	var c Customer
	if err := s.hot.WithContext(ctx).Where("id = ?", id).Take(&c).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return Customer{}, apperr.NotFound("customer")
		}
		return Customer{}, apperr.Internal(fmt.Errorf("get customer %d: %w", id, err))
	}
	return c, nil
}

// Profile returns a customer with phones and addresses. Errors: not_found.
func (s *Service) Profile(ctx context.Context, id uint64) (Profile, error) {
	c, err := s.Get(ctx, id)
	return s.profileOf(ctx, c, err)
}

// profileOf completes a customer just read (c, or the error of reading it)
// with its phones and addresses.
func (s *Service) profileOf(ctx context.Context, c Customer, err error) (Profile, error) {
	if err != nil {
		return Profile{}, err
	}
	ps, err := s.profiles(ctx, []Customer{c})
	if err != nil {
		return Profile{}, err
	}
	return ps[0], nil
}

// FindByPhone returns the customer a phone number belongs to. The number is
// normalised first, so "+86 138-1234-5678" finds "13812345678"; the lookup
// is one query: a probe of the unique phone index joined to the customer's
// primary key.
//
// Errors: validation (field "phone") for a number that is not a mainland
// phone number; not_found when no customer has it.
func (s *Service) FindByPhone(ctx context.Context, phone string) (Customer, error) {
	n, err := NormalizePhone(phone)
	if err != nil {
		return Customer{}, apperr.FieldErr("phone", phoneReason(err))
	}
	var c Customer
	err = s.hot.WithContext(ctx).Select("customers.*").
		Joins("JOIN customer_phones ON customer_phones.customer_id = customers.id").
		Where("customer_phones.phone = ?", n).Take(&c).Error
	if err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return Customer{}, apperr.NotFound("customer")
		}
		return Customer{}, apperr.Internal(fmt.Errorf("find customer by phone: %w", err))
	}
	return c, nil
}

// ProfileByPhone is FindByPhone returning the whole profile: the
// screen-pop's customer part. Errors as FindByPhone.
func (s *Service) ProfileByPhone(ctx context.Context, phone string) (Profile, error) {
	c, err := s.FindByPhone(ctx, phone)
	return s.profileOf(ctx, c, err)
}

// PrimaryRegion returns the region code of the customer's default address,
// which decides SLA region policies and outlet candidates. It returns ""
// (and no error) for a customer without addresses.
//
// Errors: not_found when the customer does not exist, conflict
// customer_merged (details merged_into_id) for a merged duplicate.
func (s *Service) PrimaryRegion(ctx context.Context, customerID uint64) (string, error) {
	// One query (a ticket creation waits for it): the customer and its
	// default-first address, where two reads in a row took two round trips.
	var row struct {
		ID           uint64
		MergedIntoID *uint64
		Region       *string
	}
	err := s.hot.WithContext(ctx).Raw("SELECT c.id, c.merged_into_id, (SELECT a.region_code FROM customer_addresses a WHERE a.customer_id = c.id "+
		"ORDER BY a.is_default DESC, a.id LIMIT 1) AS region FROM customers c WHERE c.id = ?", customerID).Scan(&row).Error
	if err != nil {
		return "", apperr.Internal(fmt.Errorf("primary region of customer %d: %w", customerID, err))
	}
	if row.ID == 0 {
		return "", apperr.NotFound("customer")
	}
	if row.MergedIntoID != nil {
		return "", apperr.Conflict("customer_merged", "this customer was merged into another one; use the survivor").
			WithDetail("merged_into_id", *row.MergedIntoID).WithDetail("field", "customer_id")
	}
	if row.Region == nil {
		return "", nil
	}
	return *row.Region, nil
}

// CustomerCount returns the number of customers (for readiness measures such
// as the complaint rate per installed base).
func (s *Service) CustomerCount(ctx context.Context) (int64, error) {
	var n int64
	if err := s.o.DB.WithContext(ctx).Model(&Customer{}).Count(&n).Error; err != nil {
		return 0, apperr.Internal(fmt.Errorf("count customers: %w", err))
	}
	return n, nil
}

// Filter selects a page of customers.
type Filter struct {
	// NamePrefix matches names starting with it (an index range, never a
	// scan); empty lists every customer, newest first.
	NamePrefix string
	Page       int
	Size       int
}

// Page is one page of customers. Total is set when a name prefix narrows
// the list (an index range count); without one, counting every customer is
// not worth its cost on each page and HasMore tells whether to offer "next".
type Page struct {
	Items   []Profile
	Total   *int64
	HasMore bool
}

// List returns a page of customers with their phones and addresses, by name
// prefix (sorted by name, then id) or all (newest first).
func (s *Service) List(ctx context.Context, f Filter) (Page, error) {
	if f.Page < 1 {
		f.Page = 1
	}
	if f.Size < 1 || f.Size > MaxPageSize {
		f.Size = DefaultPageSize
	}
	prefix := strings.TrimSpace(f.NamePrefix)
	// Merged duplicates are not listed: their survivor is.
	q := s.o.DB.WithContext(ctx).Model(&Customer{}).Where("merged_into_id IS NULL")
	var page Page
	if prefix != "" {
		q = s.namePrefix(q, prefix)
		var n int64
		if err := q.Session(&gorm.Session{}).Count(&n).Error; err != nil {
			return Page{}, apperr.Internal(fmt.Errorf("count customers: %w", err))
		}
		page.Total = &n
		q = q.Order("name, id")
	} else {
		q = q.Order("id DESC")
	}
	var cs []Customer
	if err := q.Offset((f.Page - 1) * f.Size).Limit(f.Size + 1).Find(&cs).Error; err != nil {
		return Page{}, apperr.Internal(fmt.Errorf("list customers: %w", err))
	}
	if len(cs) > f.Size {
		cs, page.HasMore = cs[:f.Size], true
	}
	ps, err := s.profiles(ctx, cs)
	if err != nil {
		return Page{}, err
	}
	page.Items = ps
	return page, nil
}

// namePrefix restricts q to names starting with prefix using the name
// index: LIKE 'x%' is an index range on MySQL; SQLite uses an index for LIKE
// only with a NOCASE column, so there the same range is spelled out.
func (s *Service) namePrefix(q *gorm.DB, prefix string) *gorm.DB {
	return db.WherePrefix(q, "name", prefix)
}

// Patch changes some fields of a customer; nil fields are left as they are.
type Patch struct {
	Name             *string
	Kind             *Kind
	ConsentSMS       *bool
	ConsentSurvey    *bool
	ConsentMarketing *bool
}

// Update applies p if the customer is still at version. Errors: not_found,
// validation, conflict "version_conflict" when someone else changed the
// customer since the caller read it.
func (s *Service) Update(ctx context.Context, id uint64, version int64, p Patch) (Customer, error) {
	if version <= 0 {
		return Customer{}, apperr.FieldErr("version", apperr.VersionRequired())
	}
	fields := apperr.Fields{}
	var after Customer
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var before Customer
		if err := db.Take(tx.Where("id = ?", id), &before, "customer"); err != nil {
			return err
		}
		if err := live(before); err != nil {
			return err
		}
		if before.Version != version {
			return apperr.ErrVersionConflict("customer").WithDetail("version", before.Version)
		}
		after = before
		name, kind := before.Name, before.Kind
		if p.Name != nil {
			name = *p.Name
		}
		if p.Kind != nil {
			kind = *p.Kind
		}
		after.Name, after.Kind = s.checkNameKind(name, kind, fields)
		if p.Kind != nil && *p.Kind == "" {
			fields["kind"] = apperr.OneOf("person", "company")
		}
		if len(fields) > 0 {
			return apperr.FieldsErr(fields)
		}
		setBool(&after.ConsentSMS, p.ConsentSMS)
		setBool(&after.ConsentSurvey, p.ConsentSurvey)
		setBool(&after.ConsentMarketing, p.ConsentMarketing)
		if audit.Unchanged(before.snapshot(), after.snapshot()) {
			after = before // nothing to write: no version bump, no audit record
			return nil
		}
		after.Version = before.Version + 1
		after.UpdatedAt = s.o.Now().UTC()
		if err := db.UpdateVersioned(tx, &Customer{}, id, version, "customer", map[string]any{
			"name": after.Name, "kind": after.Kind, "consent_sms": after.ConsentSMS, "consent_survey": after.ConsentSurvey,
			"consent_marketing": after.ConsentMarketing, "version": after.Version, "updated_at": after.UpdatedAt}); err != nil {
			return err
		}
		if after.Name != before.Name {
			if err := reindex(tx, id); err != nil {
				return err
			}
		}
		if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: "update", Entity: "customer", EntityID: idStr(id), Before: before.snapshot(), After: after.snapshot()}); err != nil {
			return err
		}
		return s.o.Bus.Enqueue(tx, event.CustomerUpdated.New(Topic, event.Customer{CustomerID: id, Version: after.Version}))
	})
	if err != nil {
		return Customer{}, wrap(err, "update customer")
	}
	return after, nil
}

// AddPhone adds a phone number to a customer. A primary phone demotes the
// previous primary one. Errors: not_found, validation (field "number"),
// conflict "duplicate_phone" with details customer_id when the number
// already belongs to a customer (possibly this one).
func (s *Service) AddPhone(ctx context.Context, customerID uint64, in NewPhone) (Phone, error) {
	fields := apperr.Fields{}
	ps := s.checkPhones([]NewPhone{in}, "", 0, fields)
	if len(fields) > 0 {
		return Phone{}, apperr.FieldsErr(fields)
	}
	ph := ps[0]
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.lockCustomer(tx, customerID); err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&Phone{}).Where("customer_id = ?", customerID).Count(&n).Error; err != nil {
			return err
		}
		if n >= MaxPhones {
			return apperr.FieldErr("number", apperr.TooMany(MaxPhones))
		}
		if err := s.refuseTaken(ctx, tx, ps, "", 0); err != nil {
			return err
		}
		if n == 0 {
			ph.IsPrimary = true
		}
		if ph.IsPrimary {
			if err := tx.Model(&Phone{}).Where("customer_id = ? AND is_primary = ?", customerID, true).Update("is_primary", false).Error; err != nil {
				return err
			}
		}
		ph.CustomerID, ph.CreatedAt = customerID, s.o.Now().UTC()
		if err := tx.Create(&ph).Error; err != nil {
			return err
		}
		if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: "add_phone", Entity: "customer", EntityID: idStr(customerID), After: ph.snapshot()}); err != nil {
			return err
		}
		return s.o.Bus.Enqueue(tx, event.CustomerPhoneAdded.New(Topic, event.Customer{CustomerID: customerID, PhoneID: ph.ID}))
	})
	if err != nil {
		return Phone{}, s.duplicateOr(ctx, err, ps, "", 0, "add phone")
	}
	return ph, nil
}

// AddAddress adds an address to a customer. A default address demotes the
// previous default; a customer's first address is always the default.
// Errors: not_found, validation (fields "region_code", "detail").
func (s *Service) AddAddress(ctx context.Context, customerID uint64, in NewAddress) (Address, error) {
	fields := apperr.Fields{}
	as := s.checkAddresses([]NewAddress{in}, "", 0, fields)
	if len(fields) > 0 {
		return Address{}, apperr.FieldsErr(fields)
	}
	a := as[0]
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.lockCustomer(tx, customerID); err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&Address{}).Where("customer_id = ?", customerID).Count(&n).Error; err != nil {
			return err
		}
		if n >= MaxAddresses {
			return apperr.FieldErr("detail", apperr.TooMany(MaxAddresses))
		}
		if n == 0 {
			a.IsDefault = true
		}
		if a.IsDefault {
			if err := tx.Model(&Address{}).Where("customer_id = ? AND is_default = ?", customerID, true).Update("is_default", false).Error; err != nil {
				return err
			}
		}
		a.CustomerID, a.CreatedAt = customerID, s.o.Now().UTC()
		if err := tx.Create(&a).Error; err != nil {
			return err
		}
		if err := reindex(tx, customerID); err != nil {
			return err
		}
		if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: "add_address", Entity: "customer", EntityID: idStr(customerID), After: a.snapshot()}); err != nil {
			return err
		}
		return s.o.Bus.Enqueue(tx, event.CustomerAddressAdded.New(Topic, event.Customer{CustomerID: customerID, AddressID: a.ID}))
	})
	if err != nil {
		return Address{}, wrap(err, "add address")
	}
	return a, nil
}

// lockCustomer checks the customer exists and, on MySQL, locks its row so
// concurrent additions of a primary phone or default address serialise
// (SQLite serialises writers anyway).
func (s *Service) lockCustomer(tx *gorm.DB, id uint64) error {
	q := db.ForUpdate(tx)
	var c Customer
	if err := db.Take(q.Select("id", "merged_into_id", "erased_at").Where("id = ?", id), &c, "customer"); err != nil {
		return err
	}
	return live(c)
}

// profiles loads the phones and addresses of cs with one query each.
func (s *Service) profiles(ctx context.Context, cs []Customer) ([]Profile, error) {
	out := make([]Profile, len(cs))
	if len(cs) == 0 {
		return out, nil
	}
	ids := make([]uint64, len(cs))
	at := make(map[uint64]int, len(cs))
	for i, c := range cs {
		ids[i], at[c.ID] = c.ID, i
		out[i].Customer = c
	}
	// One customer (the screen-pop) is a fixed-shape prepared query; a
	// page of them an IN list.
	q, cond, arg := s.o.DB, "customer_id IN ?", any(ids)
	if len(ids) == 1 {
		q, cond, arg = s.hot, "customer_id = ?", ids[0]
	}
	var phones []Phone
	if err := q.WithContext(ctx).Where(cond, arg).Order("is_primary DESC, id").Find(&phones).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("load phones: %w", err))
	}
	var addrs []Address
	if err := q.WithContext(ctx).Where(cond, arg).Order("is_default DESC, id").Find(&addrs).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("load addresses: %w", err))
	}
	for _, p := range phones {
		i := at[p.CustomerID]
		out[i].Phones = append(out[i].Phones, p)
	}
	for _, a := range addrs {
		i := at[a.CustomerID]
		out[i].Addresses = append(out[i].Addresses, a)
	}
	return out, nil
}

// checkNameKind validates and normalises a name and kind into fields.
func (s *Service) checkNameKind(name string, kind Kind, fields apperr.Fields) (string, Kind) {
	name = strings.Join(strings.Fields(name), " ")
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		fields["name"] = apperr.Required()
	case n > MaxNameLen:
		fields["name"] = apperr.TooLong(MaxNameLen)
	}
	if kind == "" {
		kind = KindPerson
	}
	if !kind.Valid() {
		fields["kind"] = apperr.OneOf("person", "company")
	}
	return name, kind
}

// checkPhones normalises numbers; field names are "<list>[i].number", or
// plain "number" when list is empty (a single phone).
func (s *Service) checkPhones(in []NewPhone, list string, offset int, fields apperr.Fields) []Phone {
	if len(in) > MaxPhones {
		fields[orField(list, "phones")] = apperr.TooMany(MaxPhones)
		return nil
	}
	out := make([]Phone, 0, len(in))
	seen := map[string]int{}
	primaries := 0
	for i, p := range in {
		f := fieldName(list, offset+i, "number")
		n, err := NormalizePhone(p.Number)
		if err != nil {
			fields[f] = phoneReason(err)
			continue
		}
		if j, dup := seen[n]; dup {
			fields[f] = apperr.Duplicate(fieldName(list, offset+j, "number"))
			continue
		}
		seen[n] = i
		label := strings.TrimSpace(p.Label)
		if utf8.RuneCountInString(label) > MaxLabelLen {
			fields[fieldName(list, offset+i, "label")] = apperr.TooLong(MaxLabelLen)
		}
		if p.Primary {
			primaries++
			if primaries > 1 {
				fields[fieldName(list, offset+i, "primary")] = apperr.Code("one_primary", "only one phone can be the primary one")
			}
		}
		out = append(out, Phone{Number: n, Kind: PhoneKind(n), Label: label, IsPrimary: p.Primary})
	}
	return out
}

// checkAddresses validates region codes against the directory and the
// detail; an address names a district (or a city that has no districts).
func (s *Service) checkAddresses(in []NewAddress, list string, offset int, fields apperr.Fields) []Address {
	if len(in) > MaxAddresses {
		fields[orField(list, "addresses")] = apperr.TooMany(MaxAddresses)
		return nil
	}
	out := make([]Address, 0, len(in))
	defaults := 0
	for i, a := range in {
		code := strings.TrimSpace(a.RegionCode)
		if fe := s.RegionProblem(code); fe != nil {
			fields[fieldName(list, offset+i, "region_code")] = *fe
		}
		detail := strings.Join(strings.Fields(a.Detail), " ")
		switch n := utf8.RuneCountInString(detail); {
		case n == 0:
			fields[fieldName(list, offset+i, "detail")] = apperr.Required()
		case n > MaxDetailLen:
			fields[fieldName(list, offset+i, "detail")] = apperr.TooLong(MaxDetailLen)
		}
		if a.Default {
			defaults++
			if defaults > 1 {
				fields[fieldName(list, offset+i, "default")] = apperr.Code("one_default", "only one address can be the default")
			}
		}
		out = append(out, Address{RegionCode: code, Detail: detail, IsDefault: a.Default})
	}
	return out
}

// RegionProblem explains why code cannot be an address's region, or nil.
// The public service-request form asks it too, so both say the same.
func (s *Service) RegionProblem(code string) *apperr.FieldError {
	var fe apperr.FieldError
	switch r, ok := s.lookupRegion(code); {
	case code == "":
		fe = apperr.Required()
	case s.o.Regions == nil:
		return nil
	case !ok:
		fe = apperr.Unknown(code)
	case s.o.Regions.IsAddressRegion(code):
		return nil
	default:
		fe = apperr.Code("not_a_district", "choose a district ("+s.o.Regions.FullName(code)+" is a "+r.Level.String()+")").
			With("region", s.o.Regions.FullName(code)).With("level", r.Level.String())
	}
	return &fe
}

func (s *Service) lookupRegion(code string) (region.Region, bool) {
	if s.o.Regions == nil || code == "" {
		return region.Region{}, false
	}
	return s.o.Regions.Lookup(code)
}

// refuseTaken returns the duplicate_phone conflict when any of phones
// already belongs to a customer.
func (s *Service) refuseTaken(ctx context.Context, tx *gorm.DB, phones []Phone, list string, offset int) error {
	if len(phones) == 0 {
		return nil
	}
	nums := make([]string, len(phones))
	for i, p := range phones {
		nums[i] = p.Number
	}
	var taken []Phone
	if err := tx.WithContext(ctx).Select("customer_id", "phone").Where("phone IN ?", nums).Find(&taken).Error; err != nil {
		return err
	}
	if len(taken) == 0 {
		return nil
	}
	for i, p := range phones {
		if p.Number == taken[0].Number {
			return duplicatePhone(taken[0].CustomerID, fieldName(list, offset+i, "number"))
		}
	}
	return duplicatePhone(taken[0].CustomerID, orField(list, "number"))
}

// duplicateOr turns a unique-index violation (a concurrent insert of the
// same number) into the duplicate_phone conflict; other errors are wrapped.
func (s *Service) duplicateOr(ctx context.Context, err error, phones []Phone, list string, offset int, what string) error {
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		if e := s.refuseTaken(ctx, s.o.DB, phones, list, offset); e != nil {
			return wrap(e, what)
		}
		return apperr.Conflict("duplicate_phone", "this phone number already belongs to a customer")
	}
	return wrap(err, what)
}

func duplicatePhone(owner uint64, field string) *apperr.Error {
	return apperr.Conflict("duplicate_phone", "this phone number already belongs to a customer").
		WithDetail("customer_id", owner).WithDetail("field", field)
}

func (p Profile) snapshot() map[string]any {
	phones := make([]map[string]any, len(p.Phones))
	for i, ph := range p.Phones {
		phones[i] = ph.snapshot()
	}
	addrs := make([]map[string]any, len(p.Addresses))
	for i, a := range p.Addresses {
		addrs[i] = a.snapshot()
	}
	m := p.Customer.snapshot()
	m["phones"], m["addresses"] = phones, addrs
	return m
}

// markFirst sets the flag of element 0 when no element has it set: the
// first phone is primary, the first address the default, unless the caller
// chose another.
func markFirst(n int, flag func(i int) *bool) {
	for i := 0; i < n; i++ {
		if *flag(i) {
			return
		}
	}
	if n > 0 {
		*flag(0) = true
	}
}

func setBool(dst *bool, v *bool) {
	if v != nil {
		*dst = *v
	}
}

func fieldName(list string, i int, field string) string {
	if list == "" {
		return field
	}
	return fmt.Sprintf("%s[%d].%s", list, i, field)
}

func orField(list, field string) string {
	if list == "" {
		return field
	}
	return list
}

// phoneReason is the human part of a NormalizePhone error.
func phoneReason(err error) apperr.FieldError {
	msg := strings.TrimPrefix(err.Error(), ErrInvalidPhone.Error()+": ")
	return apperr.InvalidFormat(apperr.FormatPhone).With("reason", msg)
}

func idStr(id uint64) string { return strconv.FormatUint(id, 10) }

// wrap classifies a storage error (db.Classify: busy, duplicate,
// unavailable, internal) with what was being done.
func wrap(err error, what string) error { return db.Classify(err, what) }
