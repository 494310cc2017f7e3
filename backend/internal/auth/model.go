// Package auth owns identity: users with bcrypt passwords, revocable
// sessions, login throttling and lockout, and the users administration.
package auth

import (
	"strings"
	"time"
)

// Roles known to the platform. Permissions per role live in rbac.
const (
	RoleAdmin          = "admin"
	RoleHotlineAgent   = "hotline_agent"
	RoleOutletManager  = "outlet_manager"
	RoleTechnician     = "technician"
	RoleQualityManager = "quality_manager"
	RoleAuditor        = "auditor"
)

// AllRoles lists every role in display order.
var AllRoles = []string{RoleAdmin, RoleHotlineAgent, RoleOutletManager, RoleTechnician, RoleQualityManager, RoleAuditor}

// IsRole reports whether r is a known role.
func IsRole(r string) bool {
	for _, k := range AllRoles {
		if k == r {
			return true
		}
	}
	return false
}

// User is a person who logs in. Roles are stored as a comma-separated list.
type User struct {
	ID                uint64 `gorm:"primaryKey"`
	Username          string
	DisplayName       string
	PasswordHash      string
	Roles             string
	OutletID          *uint64
	Disabled          bool
	ExpiresAt         *time.Time // auditors are time-boxed
	LastLoginAt       *time.Time
	PasswordChangedAt time.Time
	Version           int64
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// TableName pins the table of migration 0001.
func (User) TableName() string { return "users" }

// RoleList returns the roles as a slice.
func (u User) RoleList() []string {
	if u.Roles == "" {
		return nil
	}
	return strings.Split(u.Roles, ",")
}

// Active reports whether the user may log in at now.
func (u User) Active(now time.Time) bool {
	return !u.Disabled && (u.ExpiresAt == nil || now.Before(*u.ExpiresAt))
}

// Snapshot is the audit image of a user (never the password hash).
func (u User) Snapshot() map[string]any {
	return map[string]any{"id": u.ID, "username": u.Username, "display_name": u.DisplayName, "roles": u.RoleList(),
		"outlet_id": u.OutletID, "disabled": u.Disabled, "expires_at": u.ExpiresAt}
}

// Session is a revocable login. Only the SHA-256 of the token is stored.
type Session struct {
	TokenHash string `gorm:"primaryKey"`
	UserID    uint64
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt *time.Time
	IP        string
	UserAgent string
}

// TableName pins the table of migration 0001.
func (Session) TableName() string { return "sessions" }

// LoginFailure counts recent failed logins for one key ("user:<name>" or
// "ip:<addr>"). It lives in the database so every server sees the same count.
type LoginFailure struct {
	Key         string `gorm:"primaryKey"`
	Failures    int
	FirstAt     time.Time
	LastAt      time.Time
	LockedUntil *time.Time
}

// TableName pins the table of migration 0001.
func (LoginFailure) TableName() string { return "login_failures" }
