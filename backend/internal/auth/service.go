package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/event"
)

// Options configures the Service.
type Options struct {
	DB         *gorm.DB
	Audit      *audit.Trail
	Bus        event.Bus
	SessionTTL time.Duration
	// SlowdownAfter is the failures of an account from unknown addresses
	// after which each further attempt must wait (throttle.go).
	SlowdownAfter int
	// SlowdownBase is the first wait; it doubles per further failure.
	SlowdownBase time.Duration
	// LockoutAfter is the failures of one account from one address after
	// which that pair is locked.
	LockoutAfter int
	// KnownAddressFor: an address with a successful login this recent
	// skips the per-account slow-down.
	KnownAddressFor time.Duration
	// IPLockoutAfter is the failures from one address after which the
	// address is locked. Higher than LockoutAfter: a call centre's agents
	// share one NAT address, and one agent's typos must not lock them all.
	IPLockoutAfter int
	LockoutFor     time.Duration // how long a lock lasts, and the longest slow-down
	FailureWindow  time.Duration // failures older than this are forgotten
	BcryptCost     int
	Now            func() time.Time
}

// Service logs users in and out and administers them.
type Service struct {
	o Options
	// dummyHash is compared against when the user does not exist, so a
	// missing user costs as much time as a wrong password.
	dummyHash []byte
	// outletCheck validates outlet ids of users (guards.go).
	outletCheck OutletCheck
}

// New returns a Service.
func New(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.SlowdownBase <= 0 {
		o.SlowdownBase = time.Second
	}
	if o.KnownAddressFor <= 0 {
		o.KnownAddressFor = 90 * 24 * time.Hour
	}
	if o.LockoutFor <= 0 {
		o.LockoutFor = 15 * time.Minute
	}
	if o.FailureWindow <= 0 {
		o.FailureWindow = 15 * time.Minute
	}
	if o.BcryptCost == 0 {
		o.BcryptCost = bcrypt.DefaultCost
	}
	h, _ := bcrypt.GenerateFromPassword([]byte("not-a-real-password"), o.BcryptCost)
	return &Service{o: o, dummyHash: h}
}

// Identity is an authenticated session's user.
type Identity struct {
	User      User
	TokenHash string
	ExpiresAt time.Time
}

// LoginResult is returned by Login.
type LoginResult struct {
	Token     string
	ExpiresAt time.Time
	User      User
}

func hashToken(tok string) string {
	s := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(s[:])
}

// MaxUsernameLength is the longest username (users.username is 64).
const MaxUsernameLength = 64

// Login checks credentials with throttling per account and address
// (throttle.go). Input is length-checked before anything is written.
// Errors: validation (missing or over-long username or password),
// unauthenticated (bad credentials, disabled, expired), rate_limited.
func (s *Service) Login(ctx context.Context, username, password, ip, userAgent string) (*LoginResult, error) {
	username = strings.TrimSpace(username)
	fields := apperr.Fields{}
	switch {
	case username == "":
		fields["username"] = apperr.Required()
	case utf8.RuneCountInString(username) > MaxUsernameLength || !utf8.ValidString(username):
		fields["username"] = apperr.TooLong(MaxUsernameLength)
	}
	switch {
	case password == "":
		fields["password"] = apperr.Required()
	case len(password) > maxPasswordBytes:
		fields["password"] = apperr.Code("too_many_bytes", fmt.Sprintf("at most %d bytes", maxPasswordBytes)).With("max", maxPasswordBytes)
	}
	if len(fields) > 0 {
		return nil, apperr.FieldsErr(fields)
	}
	ip = truncate(ip, 64)
	now := s.o.Now().UTC()
	var u User
	err := s.o.DB.WithContext(ctx).Where("username = ?", username).Take(&u).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, apperr.Internal(fmt.Errorf("login: load user: %w", err))
	}
	found := err == nil
	known := false
	if found {
		if known, err = s.knownAddress(ctx, u.ID, ip, now); err != nil {
			return nil, err
		}
	}
	keys := keysFor(username, ip, known)
	if err := s.reserveAttempt(ctx, username, keys, ip, now); err != nil {
		return nil, err
	}
	hash := s.dummyHash
	if found {
		hash = []byte(u.PasswordHash)
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil || !found {
		s.auditLogin(ctx, "login_failed", username, nil)
		return nil, apperr.Unauthenticated("wrong username or password")
	}
	if !u.Active(now) {
		s.auditLogin(ctx, "login_refused", username, map[string]any{"disabled": u.Disabled, "expires_at": u.ExpiresAt})
		return nil, apperr.Unauthenticated("this account is disabled or expired")
	}
	tok, err := newToken()
	if err != nil {
		return nil, apperr.Internal(err)
	}
	sess := Session{TokenHash: hashToken(tok), UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(s.o.SessionTTL), IP: ip, UserAgent: truncate(userAgent, 255)}
	if u.ExpiresAt != nil && u.ExpiresAt.Before(sess.ExpiresAt) {
		sess.ExpiresAt = u.ExpiresAt.UTC()
	}
	actx := actor.With(ctx, actor.Actor{UserID: u.ID, Username: u.Username, RequestID: actor.From(ctx).RequestID, IP: ip})
	err = s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&sess).Error; err != nil {
			return err
		}
		if err := tx.Model(&User{}).Where("id = ?", u.ID).Update("last_login_at", now).Error; err != nil {
			return err
		}
		if err := s.loginSucceeded(tx, u.ID, keys, ip, now); err != nil {
			return err
		}
		return s.o.Audit.Record(actx, tx, audit.Entry{Action: "login", Entity: "user", EntityID: strconv.FormatUint(u.ID, 10)})
	})
	if err != nil {
		return nil, apperr.Internal(fmt.Errorf("login: create session: %w", err))
	}
	u.LastLoginAt = &now
	return &LoginResult{Token: tok, ExpiresAt: sess.ExpiresAt, User: u}, nil
}

func (s *Service) auditLogin(ctx context.Context, action, username string, after any) {
	_ = s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return s.o.Audit.Record(ctx, tx, audit.Entry{Action: action, Entity: "user", EntityID: username, After: after})
	})
}

// Authenticate resolves a session token. Errors: unauthenticated.
func (s *Service) Authenticate(ctx context.Context, token string) (*Identity, error) {
	if token == "" || len(token) > 256 {
		return nil, apperr.Unauthenticated("login required")
	}
	h := hashToken(token)
	// One indexed join per request: the session by its primary key and its user.
	var row struct {
		User
		SessExpiresAt time.Time
		SessRevokedAt *time.Time
	}
	err := s.o.DB.WithContext(ctx).Table("sessions").
		Select("users.*, sessions.expires_at AS sess_expires_at, sessions.revoked_at AS sess_revoked_at").
		Joins("JOIN users ON users.id = sessions.user_id").
		Where("sessions.token_hash = ?", h).Take(&row).Error
	if err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, apperr.Unauthenticated("session not found or expired")
		}
		return nil, apperr.Internal(fmt.Errorf("authenticate: %w", err))
	}
	now := s.o.Now().UTC()
	if row.SessRevokedAt != nil || !now.Before(row.SessExpiresAt) {
		return nil, apperr.Unauthenticated("session expired or revoked")
	}
	u := row.User
	if !u.Active(now) {
		return nil, apperr.Unauthenticated("account disabled or expired")
	}
	sess := Session{ExpiresAt: row.SessExpiresAt}
	return &Identity{User: u, TokenHash: h, ExpiresAt: sess.ExpiresAt}, nil
}

// Logout revokes the session of token.
func (s *Service) Logout(ctx context.Context, tokenHash string) error {
	now := s.o.Now().UTC()
	a := actor.From(ctx)
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&Session{}).Where("token_hash = ? AND revoked_at IS NULL", tokenHash).Update("revoked_at", now).Error; err != nil {
			return apperr.Internal(fmt.Errorf("logout: %w", err))
		}
		if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: "logout", Entity: "user", EntityID: strconv.FormatUint(a.UserID, 10)}); err != nil {
			return err
		}
		return s.enqueueRevoked(tx, RevokedSessions{UserID: a.UserID, Session: tokenHash})
	})
	return err
}

// ChangePassword changes the caller's own password and revokes their other sessions.
func (s *Service) ChangePassword(ctx context.Context, userID uint64, keepTokenHash, oldPassword, newPassword string) error {
	var u User
	if err := s.o.DB.WithContext(ctx).Where("id = ?", userID).Take(&u).Error; err != nil {
		return apperr.NotFound("user")
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(oldPassword)) != nil {
		return apperr.FieldErr("old_password", apperr.Code("wrong_password", "wrong password"))
	}
	return s.setPassword(ctx, u, newPassword, keepTokenHash, "password_change")
}

// ResetPassword sets a user's password (admin) and revokes all their sessions.
func (s *Service) ResetPassword(ctx context.Context, userID uint64, newPassword string) error {
	var u User
	if err := s.o.DB.WithContext(ctx).Where("id = ?", userID).Take(&u).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return apperr.NotFound("user")
		}
		return apperr.Internal(err)
	}
	return s.setPassword(ctx, u, newPassword, "", "password_reset")
}

func (s *Service) setPassword(ctx context.Context, u User, pw, keepTokenHash, action string) (err error) {
	if fe := PasswordProblem(pw); fe.Code != "" {
		return apperr.FieldErr("password", fe)
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(pw)) == nil {
		return apperr.FieldErr("password", apperr.Code("same_password", "must differ from the current password"))
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), s.o.BcryptCost)
	if err != nil {
		return apperr.Internal(err)
	}
	now := s.o.Now().UTC()
	return s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&User{}).Where("id = ?", u.ID).Updates(map[string]any{"password_hash": string(h), "password_changed_at": now, "version": gorm.Expr("version + 1"), "updated_at": now}).Error; err != nil {
			return apperr.Internal(err)
		}
		q := tx.Model(&Session{}).Where("user_id = ? AND revoked_at IS NULL", u.ID)
		if keepTokenHash != "" {
			q = q.Where("token_hash <> ?", keepTokenHash)
		}
		if err := q.Update("revoked_at", now).Error; err != nil {
			return apperr.Internal(err)
		}
		if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: action, Entity: "user", EntityID: strconv.FormatUint(u.ID, 10)}); err != nil {
			return err
		}
		return s.enqueueRevoked(tx, RevokedSessions{UserID: u.ID, Keep: keepTokenHash})
	})
}

func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

var usernamePattern = regexp.MustCompile(`^[a-zA-Z0-9_.\-]{2,64}$`)
