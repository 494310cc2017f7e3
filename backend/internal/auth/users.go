package auth

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/event"
)

// maxDisplayName is the size of users.display_name.
const maxDisplayName = 128

// NewUser is the input to CreateUser.
type NewUser struct {
	Username    string
	DisplayName string
	Password    string
	Roles       []string
	OutletID    *uint64
	ExpiresAt   *time.Time
}

func normaliseRoles(roles []string) ([]string, *apperr.FieldError) {
	seen := map[string]bool{}
	var out []string
	for _, r := range roles {
		r = strings.TrimSpace(r)
		if r == "" || seen[r] {
			continue
		}
		if !IsRole(r) {
			fe := apperr.Code("unknown_role", "unknown role "+strconv.Quote(r)).With("role", r)
			return nil, &fe
		}
		seen[r] = true
		out = append(out, r)
	}
	if len(out) == 0 {
		fe := apperr.Required()
		return nil, &fe
	}
	sort.Strings(out)
	return out, nil
}

func validateScope(roles []string, outletID *uint64, expiresAt *time.Time, now time.Time) apperr.Fields {
	fields := apperr.Fields{}
	for _, r := range roles {
		if (r == RoleOutletManager || r == RoleTechnician) && outletID == nil {
			fields["outlet_id"] = apperr.Required()
		}
		if r == RoleAuditor && expiresAt == nil {
			fields["expires_at"] = apperr.Code("auditor_expiry_required", "auditor accounts are time-boxed: set an expiry")
		}
	}
	if expiresAt != nil && !expiresAt.After(now) {
		fields["expires_at"] = apperr.Code("not_in_future", "must be in the future")
	}
	return fields
}

// CreateUser adds a user. Errors: validation (fields, an outlet that does
// not exist), conflict (username taken).
func (s *Service) CreateUser(ctx context.Context, in NewUser) (User, error) {
	return s.createUser(ctx, in, true)
}

func (s *Service) createUser(ctx context.Context, in NewUser, checkOutlet bool) (User, error) {
	fields := apperr.Fields{}
	in.Username = strings.TrimSpace(in.Username)
	if !usernamePattern.MatchString(in.Username) {
		fields["username"] = apperr.Identifier(2, 64)
	}
	if strings.TrimSpace(in.DisplayName) == "" {
		in.DisplayName = in.Username
	}
	if utf8.RuneCountInString(strings.TrimSpace(in.DisplayName)) > maxDisplayName {
		fields["display_name"] = apperr.TooLong(maxDisplayName)
	}
	if fe := PasswordProblem(in.Password); fe.Code != "" {
		fields["password"] = fe
	}
	roles, fe := normaliseRoles(in.Roles)
	if fe != nil {
		fields["roles"] = *fe
	}
	now := s.o.Now().UTC()
	for k, v := range validateScope(roles, in.OutletID, in.ExpiresAt, now) {
		fields[k] = v
	}
	if len(fields) > 0 {
		return User{}, apperr.FieldsErr(fields)
	}
	if checkOutlet {
		if err := s.checkOutlet(ctx, in.OutletID); err != nil {
			return User{}, err
		}
	}
	h, err := bcrypt.GenerateFromPassword([]byte(in.Password), s.o.BcryptCost)
	if err != nil {
		return User{}, apperr.Internal(err)
	}
	u := User{Username: in.Username, DisplayName: strings.TrimSpace(in.DisplayName), PasswordHash: string(h), Roles: strings.Join(roles, ","),
		OutletID: in.OutletID, ExpiresAt: utcPtr(in.ExpiresAt), PasswordChangedAt: now, Version: 1, CreatedAt: now, UpdatedAt: now}
	err = s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&User{}).Where("username = ?", u.Username).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return apperr.Conflict("username_taken", "username already exists").WithDetail("field", "username")
		}
		if err := tx.Create(&u).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return apperr.Conflict("username_taken", "username already exists")
			}
			return err
		}
		return s.o.Audit.Record(ctx, tx, audit.Entry{Action: "create", Entity: "user", EntityID: strconv.FormatUint(u.ID, 10), After: u.Snapshot()})
	})
	if err != nil {
		return User{}, wrap(err, "create user")
	}
	return u, nil
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// wrap classifies a storage error (db.Classify: busy, duplicate,
// unavailable, internal) with what was being done.
func wrap(err error, what string) error { return db.Classify(err, what) }

// UserFilter pages the users list.
type UserFilter struct {
	Query string
	Role  string
	Page  int
	Size  int
}

// ListUsers returns a page of users and the total.
func (s *Service) ListUsers(ctx context.Context, f UserFilter) ([]User, int64, error) {
	q := s.o.DB.WithContext(ctx).Model(&User{})
	if f.Query != "" {
		like := strings.ReplaceAll(f.Query, "%", "") + "%"
		q = q.Where("username LIKE ? OR display_name LIKE ?", like, like)
	}
	if f.Role != "" {
		q = q.Where("roles LIKE ?", "%"+strings.ReplaceAll(f.Role, "%", "")+"%")
	}
	out, total, err := db.OffsetPage[User](q, "id", f.Page, f.Size)
	if err != nil {
		return nil, 0, apperr.Internal(err)
	}
	return out, total, nil
}

// GetUser loads one user. Errors: not_found.
func (s *Service) GetUser(ctx context.Context, id uint64) (User, error) {
	var u User
	if err := s.o.DB.WithContext(ctx).Where("id = ?", id).Take(&u).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return User{}, apperr.NotFound("user")
		}
		return User{}, apperr.Internal(err)
	}
	return u, nil
}

// SetRoles replaces a user's roles (and outlet scope). It is audited as a
// permission change and records auth.user_changed.
func (s *Service) SetRoles(ctx context.Context, id uint64, roles []string, outletID *uint64, expiresAt *time.Time) (User, error) {
	nr, fe := normaliseRoles(roles)
	if fe != nil {
		return User{}, apperr.FieldErr("roles", *fe)
	}
	if err := s.checkOutlet(ctx, outletID); err != nil {
		return User{}, err
	}
	return s.mutate(ctx, id, "permission_change", func(u *User) error {
		if outletID != nil {
			u.OutletID = outletID
		}
		if expiresAt != nil {
			u.ExpiresAt = utcPtr(expiresAt)
		}
		if f := validateScope(nr, u.OutletID, u.ExpiresAt, s.o.Now()); len(f) > 0 {
			return apperr.FieldsErr(f)
		}
		u.Roles = strings.Join(nr, ",")
		return nil
	})
}

// SetDisabled disables (revoking every session) or re-enables a user.
func (s *Service) SetDisabled(ctx context.Context, id uint64, disabled bool) (User, error) {
	action := "enable"
	if disabled {
		action = "disable"
	}
	return s.mutate(ctx, id, action, func(u *User) error {
		u.Disabled = disabled
		return nil
	})
}

func (s *Service) mutate(ctx context.Context, id uint64, action string, change func(*User) error) (User, error) {
	var out User
	now := s.o.Now().UTC()
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var u User
		if err := db.Take(tx.Where("id = ?", id), &u, "user"); err != nil {
			return err
		}
		before := u.Snapshot()
		stored := u
		if err := change(&u); err != nil {
			return err
		}
		if err := keepAnAdmin(tx, stored, u, now); err != nil {
			return err
		}
		if err := db.UpdateVersioned(tx, &User{}, u.ID, u.Version, "user", map[string]any{
			"roles": u.Roles, "outlet_id": u.OutletID, "disabled": u.Disabled, "expires_at": u.ExpiresAt, "version": u.Version + 1, "updated_at": now}); err != nil {
			return err
		}
		u.Version++
		if u.Disabled || action == "permission_change" {
			// Sessions carry the old rights; make the user log in again.
			if err := tx.Model(&Session{}).Where("user_id = ? AND revoked_at IS NULL", u.ID).Update("revoked_at", now).Error; err != nil {
				return err
			}
		}
		out = u
		if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: action, Entity: "user", EntityID: strconv.FormatUint(u.ID, 10), Before: before, After: u.Snapshot()}); err != nil {
			return err
		}
		// The events commit or roll back with the change.
		if s.o.Bus != nil {
			if err := s.o.Bus.Enqueue(tx, event.AuthUserChanged.New(event.TopicAdmin, event.UserChange{ID: u.ID, Action: action})); err != nil {
				return err
			}
		}
		if u.Disabled || action == "permission_change" {
			return s.enqueueRevoked(tx, RevokedSessions{UserID: u.ID})
		}
		return nil
	})
	if err != nil {
		return User{}, wrap(err, action+" user")
	}
	return out, nil
}

// EnsureUser creates username with roles if it does not exist (seeding and
// the CLI). It returns the user and whether it was created. It does not
// check the outlet id: the demo users are seeded before (or, in tests,
// without) the demo outlets.
func (s *Service) EnsureUser(ctx context.Context, in NewUser) (User, bool, error) {
	var u User
	err := s.o.DB.WithContext(ctx).Where("username = ?", in.Username).Take(&u).Error
	if err == nil {
		return u, false, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return User{}, false, apperr.Internal(err)
	}
	u, err = s.createUser(ctx, in, false)
	return u, err == nil, err
}

// FindByUsername loads a user by name. Errors: not_found.
func (s *Service) FindByUsername(ctx context.Context, username string) (User, error) {
	var u User
	if err := s.o.DB.WithContext(ctx).Where("username = ?", username).Take(&u).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return User{}, apperr.NotFound("user")
		}
		return User{}, apperr.Internal(err)
	}
	return u, nil
}

// ActiveUsers lists the users who are not disabled; with outletID, only
// those scoped to that outlet (for notifications, see app.recipients).
func (s *Service) ActiveUsers(ctx context.Context, outletID *uint64) ([]User, error) {
	q := s.o.DB.WithContext(ctx).Where("disabled = ?", false)
	if outletID != nil {
		q = q.Where("outlet_id = ?", *outletID)
	}
	var out []User
	if err := q.Order("id").Find(&out).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("active users: %w", err))
	}
	return out, nil
}
