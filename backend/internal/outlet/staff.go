package outlet

import (
	"context"
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
	"github.com/aftersales/aftersales/backend/internal/customer"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/event"
)

// NewStaff is the input to CreateStaff. Exactly one of OutletID and
// HQDepartment is set.
type NewStaff struct {
	Name                string
	OutletID            *uint64
	HQDepartment        string
	Post                string
	IsServiceManagement bool
	Phone               string
	UserID              *uint64
	Active              *bool // default true
	HiredAt             *time.Time
}

// StaffPatch changes some fields of a staff member; nil fields are kept.
// Setting OutletID moves the person to that outlet (clearing the HQ
// department) and setting HQDepartment moves them to HQ. UserID pointing
// at 0 unlinks the login.
type StaffPatch struct {
	Name                *string
	OutletID            *uint64
	HQDepartment        *string
	Post                *string
	IsServiceManagement *bool
	Phone               *string
	UserID              *uint64
	Active              *bool
	HiredAt             *time.Time
	// Version must match the stored version (optimistic concurrency).
	Version int64
}

const (
	maxPersonName = 64
	maxDepartment = 64
	maxPost       = 32
	maxCertNumber = 64
	maxCourse     = 128
	maxHours      = 1000
)

// normaliseStaff trims, normalises the phone and checks everything that
// needs no database; problems go into fields.
func (s *Service) normaliseStaff(m *StaffMember, fields apperr.Fields) {
	m.Name = strings.TrimSpace(m.Name)
	m.HQDepartment = strings.TrimSpace(m.HQDepartment)
	m.Post = strings.TrimSpace(m.Post)
	m.HiredAt = civil(m.HiredAt)
	if m.Name == "" {
		fields["name"] = apperr.Required()
	} else if utf8.RuneCountInString(m.Name) > maxPersonName {
		fields["name"] = apperr.TooLong(maxPersonName)
	}
	switch {
	case m.OutletID != nil && m.HQDepartment != "":
		fields["outlet_id"] = apperr.Code("outlet_or_department", "give an outlet or an HQ department, not both")
	case m.OutletID == nil && m.HQDepartment == "":
		fields["outlet_id"] = apperr.Code("outlet_or_department", "required: an outlet, or an HQ department in hq_department")
	case utf8.RuneCountInString(m.HQDepartment) > maxDepartment:
		fields["hq_department"] = apperr.TooLong(maxDepartment)
	}
	if m.Post == "" {
		fields["post"] = apperr.Required()
	} else if utf8.RuneCountInString(m.Post) > maxPost {
		fields["post"] = apperr.TooLong(maxPost)
	} else if m.PostKind = s.postIndex().Kind(m.Post); m.PostKind == "" {
		fields["post"] = apperr.Code("unknown_post", fmt.Sprintf("unknown post %q: map it to a kind (%s) in staff.post_kinds", m.Post, strings.Join(PostKinds, ", "))).With("post", m.Post).With("allowed", PostKinds)
	}
	if p := strings.TrimSpace(m.Phone); p == "" {
		fields["phone"] = apperr.Required()
	} else if n, err := customer.NormalizePhone(p); err != nil {
		fields["phone"] = apperr.InvalidFormat(apperr.FormatPhone)
	} else {
		m.Phone = n
	}
	if m.HiredAt != nil && m.HiredAt.After(s.Today()) {
		fields["hired_at"] = apperr.Code("in_future", "must not be in the future")
	}
}

// checkStaffRefs checks what needs the database: the outlet exists, the
// phone is not another person's, the login exists, belongs to the same
// outlet and is not linked to someone else. Conflicts carry the field.
func (s *Service) checkStaffRefs(ctx context.Context, tx *gorm.DB, m *StaffMember, fields apperr.Fields) error {
	if m.OutletID != nil {
		var n int64
		if err := tx.Model(&Outlet{}).Where("id = ?", *m.OutletID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			fields["outlet_id"] = apperr.NoSuch("outlet")
		}
	}
	if m.UserID != nil && s.o.Users != nil {
		userOutlet, err := s.o.Users(ctx, *m.UserID)
		switch {
		case apperr.IsKind(err, apperr.KindNotFound):
			fields["user_id"] = apperr.NoSuch("user")
		case err != nil:
			return err
		case userOutlet != nil && (m.OutletID == nil || *userOutlet != *m.OutletID):
			fields["user_id"] = apperr.Code("login_other_outlet", fmt.Sprintf("the login belongs to outlet %d", *userOutlet)).With("outlet_id", *userOutlet)
		}
	}
	if len(fields) > 0 {
		return nil
	}
	var n int64
	if err := tx.Model(&StaffMember{}).Where("phone = ? AND id <> ?", m.Phone, m.ID).Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return errDuplicatePhone()
	}
	if m.UserID != nil {
		if err := tx.Model(&StaffMember{}).Where("user_id = ? AND id <> ?", *m.UserID, m.ID).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return apperr.Conflict("user_already_linked", "this login is already linked to another staff member").WithDetail("field", "user_id")
		}
	}
	return nil
}

func errDuplicatePhone() error {
	return apperr.Conflict("duplicate_phone", "a staff member with this phone already exists").WithDetail("field", "phone")
}

// CreateStaff adds a staff member. Errors: validation, conflict
// duplicate_phone or user_already_linked.
func (s *Service) CreateStaff(ctx context.Context, in NewStaff) (StaffMember, error) {
	m := StaffMember{Name: in.Name, OutletID: in.OutletID, HQDepartment: in.HQDepartment, Post: in.Post,
		IsServiceManagement: in.IsServiceManagement, Phone: in.Phone, UserID: in.UserID, Active: in.Active == nil || *in.Active, HiredAt: in.HiredAt}
	fields := apperr.Fields{}
	s.normaliseStaff(&m, fields)
	if len(fields) > 0 {
		return StaffMember{}, apperr.FieldsErr(fields)
	}
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.createStaffTx(ctx, tx, &m, nil, "create"); err != nil {
			return err
		}
		return s.o.Bus.Enqueue(tx, event.StaffCreated.New(event.TopicOutlets, staffEvent(m)))
	})
	if err != nil {
		return StaffMember{}, wrap(err, "create staff")
	}
	return m, nil
}

// createStaffTx checks references and inserts a normalised staff member
// with optional certificates, each audited, inside tx.
func (s *Service) createStaffTx(ctx context.Context, tx *gorm.DB, m *StaffMember, certs []StaffCertificate, action string) error {
	fields := apperr.Fields{}
	if err := s.checkStaffRefs(ctx, tx, m, fields); err != nil {
		return err
	}
	if len(fields) > 0 {
		return apperr.FieldsErr(fields)
	}
	now := s.o.Now().UTC()
	m.Version, m.CreatedAt, m.UpdatedAt = 1, now, now
	if err := tx.Create(m).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return errDuplicatePhone()
		}
		return err
	}
	m.Certificates = []StaffCertificate{}
	m.Trainings = []StaffTraining{}
	if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: action, Entity: "staff", EntityID: idString(m.ID), After: m.Snapshot()}); err != nil {
		return err
	}
	for _, c := range certs {
		c.StaffID = m.ID
		if err := s.addCertificateTx(ctx, tx, &c, action); err != nil {
			return err
		}
		m.Certificates = append(m.Certificates, c)
	}
	return nil
}

// UpdateStaff applies a patch. Errors: not_found, validation, conflict
// version_conflict, duplicate_phone or user_already_linked.
func (s *Service) UpdateStaff(ctx context.Context, id uint64, p StaffPatch) (StaffMember, error) {
	var out StaffMember
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		m, err := s.loadStaff(ctx, tx, id, true, false)
		if err != nil {
			return err
		}
		if p.Version != 0 && p.Version != m.Version {
			return apperr.ErrVersionConflict("staff")
		}
		before := m.Snapshot()
		if p.Name != nil {
			m.Name = *p.Name
		}
		if p.OutletID != nil && p.HQDepartment != nil && strings.TrimSpace(*p.HQDepartment) != "" {
			return apperr.FieldErr("outlet_id", apperr.Code("outlet_or_department", "give an outlet or an HQ department, not both"))
		}
		if p.OutletID != nil {
			m.OutletID, m.HQDepartment = p.OutletID, ""
		}
		if p.HQDepartment != nil {
			m.HQDepartment = *p.HQDepartment
			if strings.TrimSpace(*p.HQDepartment) != "" {
				m.OutletID = nil
			}
		}
		if p.Post != nil {
			m.Post = *p.Post
		}
		if p.IsServiceManagement != nil {
			m.IsServiceManagement = *p.IsServiceManagement
		}
		if p.Phone != nil {
			m.Phone = *p.Phone
		}
		if p.UserID != nil {
			if *p.UserID == 0 {
				m.UserID = nil
			} else {
				m.UserID = p.UserID
			}
		}
		if p.Active != nil {
			m.Active = *p.Active
		}
		if p.HiredAt != nil {
			m.HiredAt = p.HiredAt
		}
		fields := apperr.Fields{}
		s.normaliseStaff(&m, fields)
		if len(fields) > 0 {
			return apperr.FieldsErr(fields)
		}
		if err := s.checkStaffRefs(ctx, tx, &m, fields); err != nil {
			return err
		}
		if len(fields) > 0 {
			return apperr.FieldsErr(fields)
		}
		if audit.Unchanged(before, m.Snapshot()) {
			out = m // nothing to write: no version bump, no audit record
			return nil
		}
		now := s.o.Now().UTC()
		if err := db.UpdateVersioned(tx, &StaffMember{}, m.ID, m.Version, "staff", map[string]any{
			"name": m.Name, "outlet_id": m.OutletID, "hq_department": m.HQDepartment, "post": m.Post, "post_kind": m.PostKind,
			"is_service_management": m.IsServiceManagement, "phone": m.Phone, "user_id": m.UserID, "active": m.Active,
			"hired_at": m.HiredAt, "version": m.Version + 1, "updated_at": now}); err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return errDuplicatePhone()
			}
			return err
		}
		m.Version++
		m.UpdatedAt = now
		out = m
		if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: "update", Entity: "staff", EntityID: idString(m.ID), Before: before, After: m.Snapshot()}); err != nil {
			return err
		}
		return s.o.Bus.Enqueue(tx, event.StaffUpdated.New(event.TopicOutlets, staffEvent(m)))
	})
	if err != nil {
		return StaffMember{}, wrap(err, "update staff")
	}
	if out, err = s.loadStaff(ctx, s.o.DB, id, false, true); err != nil {
		return StaffMember{}, wrap(err, "update staff")
	}
	return out, nil
}

// loadStaff reads one staff member; scoped applies the caller's outlet
// scope; details loads certificates and trainings.
func (s *Service) loadStaff(ctx context.Context, g *gorm.DB, id uint64, scoped, details bool) (StaffMember, error) {
	q := g.WithContext(ctx).Where("id = ?", id)
	if scoped {
		if own, ok := actor.From(ctx).OutletScoped(); ok {
			q = q.Where("outlet_id = ?", own)
		}
	}
	var m StaffMember
	if err := db.Take(q, &m, "staff"); err != nil {
		return StaffMember{}, err
	}
	if details {
		list := []StaffMember{m}
		if err := loadCertificates(ctx, g, list); err != nil {
			return StaffMember{}, err
		}
		m = list[0]
		if err := g.WithContext(ctx).Where("staff_id = ?", id).Order("completed_at DESC, id DESC").Find(&m.Trainings).Error; err != nil {
			return StaffMember{}, err
		}
	}
	return m, nil
}

func loadCertificates(ctx context.Context, db *gorm.DB, list []StaffMember) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]uint64, len(list))
	pos := make(map[uint64]int, len(list))
	for i, m := range list {
		ids[i] = m.ID
		pos[m.ID] = i
		list[i].Certificates = []StaffCertificate{}
	}
	var certs []StaffCertificate
	if err := db.WithContext(ctx).Where("staff_id IN ?", ids).Order("staff_id, issued_at, id").Find(&certs).Error; err != nil {
		return err
	}
	for _, c := range certs {
		list[pos[c.StaffID]].Certificates = append(list[pos[c.StaffID]].Certificates, c)
	}
	return nil
}

// Staff loads a staff member with certificates and training records, for
// other domains; it does not apply the caller's data scope (see
// VisibleStaff). Errors: not_found.
func (s *Service) Staff(ctx context.Context, id uint64) (StaffMember, error) {
	m, err := s.loadStaff(ctx, s.o.DB, id, false, true)
	if err != nil {
		return StaffMember{}, wrap(err, "get staff")
	}
	return m, nil
}

// StaffOfUser returns the staff member linked to a login (user_id), without
// certificates. Errors: not_found (the login is linked to no staff member).
func (s *Service) StaffOfUser(ctx context.Context, userID uint64) (StaffMember, error) {
	var m StaffMember
	if err := s.o.DB.WithContext(ctx).Where("user_id = ?", userID).Take(&m).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return StaffMember{}, apperr.NotFound("staff member")
		}
		return StaffMember{}, apperr.Internal(fmt.Errorf("staff of user: %w", err))
	}
	return m, nil
}

// VisibleStaff loads a staff member as the caller may see them: an outlet
// user sees only their own outlet's staff. Errors: not_found.
func (s *Service) VisibleStaff(ctx context.Context, id uint64) (StaffMember, error) {
	m, err := s.loadStaff(ctx, s.o.DB, id, true, true)
	if err != nil {
		return StaffMember{}, wrap(err, "get staff")
	}
	return m, nil
}

// TechniciansOfOutlet returns the active field staff (TechnicianPosts) of an
// outlet with their certificates, by name, for assigning work orders. It
// does not apply the caller's data scope. Errors: internal.
func (s *Service) TechniciansOfOutlet(ctx context.Context, outletID uint64) ([]StaffMember, error) {
	var out []StaffMember
	if err := s.o.DB.WithContext(ctx).Where("outlet_id = ? AND active = ? AND post_kind IN ?", outletID, true, FieldKinds).
		Order("name, id").Find(&out).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("technicians of outlet: %w", err))
	}
	if err := loadCertificates(ctx, s.o.DB, out); err != nil {
		return nil, apperr.Internal(fmt.Errorf("technicians of outlet: %w", err))
	}
	if out == nil {
		out = []StaffMember{}
	}
	return out, nil
}

// StaffFilter selects staff for ListStaff.
type StaffFilter struct {
	OutletID *uint64
	// HQ keeps HQ staff only.
	HQ bool
	// Management keeps service-management staff (true) or the others (false).
	Management *bool
	// Certified keeps those who hold (true) or do not hold (false) a
	// 售后服务管理师 certificate valid today.
	Certified *bool
	Post      string
	Active    *bool
	// Query is a phone number (exact) or the start of a name.
	Query string
	// Sort is one of StaffSorts, "-" prefixed for descending; default id.
	Sort string
	Page int
	Size int
}

// StaffSorts are the fields ListStaff sorts by.
var StaffSorts = []string{"id", "name", "hired_at", "created_at"}

// ListStaff returns a page of staff visible to the caller (with their
// certificates, not their training records) and the total.
func (s *Service) ListStaff(ctx context.Context, f StaffFilter) ([]StaffMember, int64, error) {
	q := s.o.DB.WithContext(ctx).Model(&StaffMember{})
	if own, ok := actor.From(ctx).OutletScoped(); ok {
		q = q.Where("outlet_id = ?", own)
	}
	if f.OutletID != nil {
		q = q.Where("outlet_id = ?", *f.OutletID)
	}
	if f.HQ {
		q = q.Where("outlet_id IS NULL")
	}
	if f.Management != nil {
		q = q.Where("is_service_management = ?", *f.Management)
	}
	if f.Certified != nil {
		valid := s.o.DB.Model(&StaffCertificate{}).Select("1").
			Where("staff_certificates.staff_id = staff_members.id AND staff_certificates.kind = ?", CertServiceManager).
			Where("staff_certificates.issued_at <= ? AND (staff_certificates.expires_at IS NULL OR staff_certificates.expires_at >= ?)", s.Today(), s.Today())
		if *f.Certified {
			q = q.Where("EXISTS (?)", valid)
		} else {
			q = q.Where("NOT EXISTS (?)", valid)
		}
	}
	if f.Post != "" {
		q = q.Where("post = ?", f.Post)
	}
	if f.Active != nil {
		q = q.Where("active = ?", *f.Active)
	}
	if qs := strings.TrimSpace(f.Query); qs != "" {
		if phone, err := customer.NormalizePhone(qs); err == nil {
			q = q.Where("phone = ?", phone)
		} else {
			q = q.Where("name LIKE ? ESCAPE '!'", likeEscape(qs)+"%")
		}
	}
	order, err := orderBy(f.Sort, StaffSorts, "id")
	if err != nil {
		return nil, 0, err
	}
	f.Page, f.Size = db.PageBounds(f.Page, f.Size, 20, 0)
	out, total, err := db.OffsetPage[StaffMember](q, order, f.Page, f.Size)
	if err != nil {
		return nil, 0, apperr.Internal(fmt.Errorf("list staff: %w", err))
	}
	if err := loadCertificates(ctx, s.o.DB, out); err != nil {
		return nil, 0, apperr.Internal(fmt.Errorf("list staff: %w", err))
	}
	return out, total, nil
}

// NewCertificate is the input to AddCertificate.
type NewCertificate struct {
	Kind      string
	Number    string
	IssuedAt  time.Time  // calendar date
	ExpiresAt *time.Time // calendar date (last valid day); nil if it does not expire
}

// managerYears is the configured validity of a 售后服务管理师 certificate.
func (s *Service) managerYears() int {
	if s.o.ManagerValidYears > 0 {
		return s.o.ManagerValidYears
	}
	return DefaultManagerValidYears
}

// KnownCertificateKind reports whether kind is one of the certificate kinds.
func KnownCertificateKind(kind string) bool { _, ok := CertificateLabels[kind]; return ok }

func (s *Service) normaliseCertificate(in NewCertificate, fields apperr.Fields) StaffCertificate {
	c := StaffCertificate{Kind: strings.TrimSpace(in.Kind), Number: strings.TrimSpace(in.Number), ExpiresAt: civil(in.ExpiresAt)}
	if !in.IssuedAt.IsZero() {
		c.IssuedAt = *civil(&in.IssuedAt)
	}
	if !KnownCertificateKind(c.Kind) {
		kinds := make([]string, 0, len(CertificateLabels))
		for k := range CertificateLabels {
			kinds = append(kinds, k)
		}
		slices.Sort(kinds)
		fields["kind"] = apperr.OneOf(kinds...)
	}
	if c.Number == "" {
		fields["number"] = apperr.Required()
	} else if utf8.RuneCountInString(c.Number) > maxCertNumber {
		fields["number"] = apperr.TooLong(maxCertNumber)
	}
	switch {
	case c.IssuedAt.IsZero():
		fields["issued_at"] = apperr.Required()
	case c.IssuedAt.After(s.Today()):
		fields["issued_at"] = apperr.Code("in_future", "must not be in the future")
	}
	if c.ExpiresAt != nil && !c.IssuedAt.IsZero() && c.ExpiresAt.Before(c.IssuedAt) {
		fields["expires_at"] = apperr.Code("before_field", "must not be before issued_at").With("field", "issued_at")
	}
	if c.Kind == CertServiceManager && !c.IssuedAt.IsZero() {
		// A 售后服务管理师 certificate is valid issue date + valid_years:
		// a missing expiry is derived, a later one refused.
		end := ManagerCertificateEnd(c.IssuedAt, s.o.ManagerValidYears)
		switch {
		case c.ExpiresAt == nil:
			c.ExpiresAt = &end
		case c.ExpiresAt.After(end):
			fields["expires_at"] = apperr.Code("certificate_validity", fmt.Sprintf("an after-sales service manager certificate is valid %d years: the last valid day is %s at the latest",
				s.managerYears(), end.Format(time.DateOnly))).With("years", s.managerYears()).With("last", end.Format(time.DateOnly))
		}
	}
	return c
}

// AddCertificate records a certificate for a staff member. Errors:
// not_found, validation, conflict duplicate_certificate.
func (s *Service) AddCertificate(ctx context.Context, staffID uint64, in NewCertificate) (StaffCertificate, error) {
	fields := apperr.Fields{}
	c := s.normaliseCertificate(in, fields)
	if len(fields) > 0 {
		return StaffCertificate{}, apperr.FieldsErr(fields)
	}
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := s.loadStaff(ctx, tx, staffID, true, false); err != nil {
			return err
		}
		c.StaffID = staffID
		if err := s.addCertificateTx(ctx, tx, &c, "create"); err != nil {
			return err
		}
		return s.o.Bus.Enqueue(tx, event.StaffCertificateAdded.New(event.TopicOutlets,
			event.StaffCertificate{StaffID: staffID, CertificateID: c.ID, Kind: c.Kind, ExpiresAt: dateString(c.ExpiresAt)}))
	})
	if err != nil {
		return StaffCertificate{}, wrap(err, "add certificate")
	}
	return c, nil
}

func (s *Service) addCertificateTx(ctx context.Context, tx *gorm.DB, c *StaffCertificate, action string) error {
	var n int64
	if err := tx.Model(&StaffCertificate{}).Where("kind = ? AND number = ?", c.Kind, c.Number).Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return errDuplicateCertificate()
	}
	c.CreatedAt = s.o.Now().UTC()
	if err := tx.Create(c).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return errDuplicateCertificate()
		}
		return err
	}
	return s.o.Audit.Record(ctx, tx, audit.Entry{Action: action, Entity: "staff_certificate", EntityID: idString(c.ID), After: c.Snapshot()})
}

func errDuplicateCertificate() error {
	return apperr.Conflict("duplicate_certificate", "a certificate of this kind with this number is already recorded").WithDetail("field", "number")
}

// NewTraining is the input to AddTraining.
type NewTraining struct {
	Course      string
	Hours       float64
	CompletedAt time.Time // calendar date
	Passed      bool
}

// AddTraining records a completed course. Errors: not_found, validation.
func (s *Service) AddTraining(ctx context.Context, staffID uint64, in NewTraining) (StaffTraining, error) {
	t := StaffTraining{StaffID: staffID, Course: strings.TrimSpace(in.Course), Hours: in.Hours, Passed: in.Passed}
	fields := apperr.Fields{}
	if t.Course == "" {
		fields["course"] = apperr.Required()
	} else if utf8.RuneCountInString(t.Course) > maxCourse {
		fields["course"] = apperr.TooLong(maxCourse)
	}
	if !(t.Hours > 0 && t.Hours <= maxHours) {
		fields["hours"] = apperr.OutOfRange(0, maxHours)
	}
	if in.CompletedAt.IsZero() {
		fields["completed_at"] = apperr.Required()
	} else {
		t.CompletedAt = *civil(&in.CompletedAt)
		if t.CompletedAt.After(s.Today()) {
			fields["completed_at"] = apperr.Code("in_future", "must not be in the future")
		}
	}
	if len(fields) > 0 {
		return StaffTraining{}, apperr.FieldsErr(fields)
	}
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := s.loadStaff(ctx, tx, staffID, true, false); err != nil {
			return err
		}
		t.CreatedAt = s.o.Now().UTC()
		if err := tx.Create(&t).Error; err != nil {
			return err
		}
		return s.o.Audit.Record(ctx, tx, audit.Entry{Action: "create", Entity: "staff_training", EntityID: idString(t.ID), After: t.Snapshot()})
	})
	if err != nil {
		return StaffTraining{}, wrap(err, "add training")
	}
	return t, nil
}

// ManagerCertificate is a 售后服务管理师 certificate counted by Staffing.
type ManagerCertificate struct {
	StaffID uint64
	Name    string
	Number  string
	// ExpiresOn is the printed last valid day (nil: no expiry); ValidUntil
	// is the first instant it no longer counts (the next local midnight).
	ExpiresOn  *time.Time
	ValidUntil *time.Time
}

// StaffingSummary is the staffing picture on a calendar date: the
// headcounts behind GB/T 27922 5.1.2 and the plausibility checks an auditor
// makes (declared outlets against declared headcount).
type StaffingSummary struct {
	AsOf          time.Time // calendar date
	ActiveOutlets int
	ActiveStaff   int
	OutletStaff   int
	HQStaff       int
	// ManagementHeadcount counts active service-management staff.
	ManagementHeadcount int
	// CertifiedManagers counts active service-management staff holding a
	// 售后服务管理师 certificate valid on AsOf; ManagerCertificates lists
	// one such certificate per person (the one valid longest).
	CertifiedManagers   int
	ManagerCertificates []ManagerCertificate
	// Plausibility: active outlets without any active staff, or without a
	// technician; active staff trained (passed) in the 12 months to AsOf.
	OutletsWithoutStaff      int
	OutletsWithoutTechnician int
	TrainedLastYear          int
}

// Staffing computes the staffing summary on the calendar date of asOf, in
// SQL aggregates. It is a read-only measure for the readiness engine and
// does not apply the caller's data scope. Errors: internal.
func (s *Service) Staffing(ctx context.Context, asOf time.Time) (StaffingSummary, error) {
	day := s.DateOf(asOf)
	out := StaffingSummary{AsOf: day, ManagerCertificates: []ManagerCertificate{}}
	db := s.o.DB.WithContext(ctx)
	count := func(dst *int, q *gorm.DB) error {
		var n int64
		if err := q.Count(&n).Error; err != nil {
			return err
		}
		*dst = int(n)
		return nil
	}
	active := func() *gorm.DB { return db.Model(&StaffMember{}).Where("active = ?", true) }
	activeOutlets := s.o.DB.Model(&Outlet{}).Select("id").Where("status = ?", StatusActive)
	staffed := s.o.DB.Model(&StaffMember{}).Select("outlet_id").Where("active = ? AND outlet_id IS NOT NULL", true)
	withTech := s.o.DB.Model(&StaffMember{}).Select("outlet_id").Where("active = ? AND outlet_id IS NOT NULL AND post_kind IN ?", true, FieldKinds)
	trained := s.o.DB.Model(&StaffTraining{}).Select("staff_id").Where("passed = ? AND completed_at > ? AND completed_at <= ?", true, day.AddDate(-1, 0, 0), day)
	for _, c := range []struct {
		dst *int
		q   *gorm.DB
	}{
		{&out.ActiveOutlets, db.Model(&Outlet{}).Where("status = ?", StatusActive)},
		{&out.ActiveStaff, active()},
		{&out.OutletStaff, active().Where("outlet_id IS NOT NULL")},
		{&out.HQStaff, active().Where("outlet_id IS NULL")},
		{&out.ManagementHeadcount, active().Where("is_service_management = ?", true)},
		{&out.OutletsWithoutStaff, db.Model(&Outlet{}).Where("id IN (?) AND id NOT IN (?)", activeOutlets, staffed)},
		{&out.OutletsWithoutTechnician, db.Model(&Outlet{}).Where("id IN (?) AND id NOT IN (?)", activeOutlets, withTech)},
		{&out.TrainedLastYear, active().Where("id IN (?)", trained)},
	} {
		if err := count(c.dst, c.q); err != nil {
			return StaffingSummary{}, apperr.Internal(fmt.Errorf("staffing: %w", err))
		}
	}
	type certRow struct {
		StaffID   uint64
		Name      string
		Number    string
		ExpiresAt *time.Time
	}
	var rows []certRow
	err := db.Table("staff_certificates AS c").Select("c.staff_id, m.name, c.number, c.expires_at").
		Joins("JOIN staff_members m ON m.id = c.staff_id").
		Where("m.active = ? AND m.is_service_management = ? AND c.kind = ?", true, true, CertServiceManager).
		Where("c.issued_at <= ? AND (c.expires_at IS NULL OR c.expires_at >= ?)", day, day).
		Order("c.staff_id, c.id").Scan(&rows).Error
	if err != nil {
		return StaffingSummary{}, apperr.Internal(fmt.Errorf("staffing: certificates: %w", err))
	}
	best := map[uint64]int{}
	for _, r := range rows {
		mc := ManagerCertificate{StaffID: r.StaffID, Name: r.Name, Number: r.Number}
		if r.ExpiresAt != nil {
			on := civil(r.ExpiresAt)
			mc.ExpiresOn = on
			next := time.Date(on.Year(), on.Month(), on.Day()+1, 0, 0, 0, 0, s.o.Location).UTC()
			mc.ValidUntil = &next
		}
		i, seen := best[r.StaffID]
		switch {
		case !seen:
			best[r.StaffID] = len(out.ManagerCertificates)
			out.ManagerCertificates = append(out.ManagerCertificates, mc)
		case out.ManagerCertificates[i].ExpiresOn != nil && (mc.ExpiresOn == nil || mc.ExpiresOn.After(*out.ManagerCertificates[i].ExpiresOn)):
			out.ManagerCertificates[i] = mc
		}
	}
	out.CertifiedManagers = len(out.ManagerCertificates)
	return out, nil
}

func staffEvent(m StaffMember) event.Staff {
	return event.Staff{ID: m.ID, Name: m.Name, Post: m.Post, IsServiceManagement: m.IsServiceManagement, OutletID: m.OutletID}
}

// parseBool reads the yes/no forms people type in spreadsheets.
func parseBool(v string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "是", "y", "yes", "true", "1", "√", "✓":
		return true, true
	case "否", "n", "no", "false", "0", "":
		return false, true
	}
	return false, false
}
