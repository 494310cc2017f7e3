package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0001Platform creates the platform tables: users and sessions, login
// throttling, casbin policies, the hash-chained audit trail, scheduler locks
// and runs, and idempotency keys. Why: everything else stands on these.
func m0001Platform() *gormigrate.Migration {
	type User struct {
		ID                uint64  `gorm:"primaryKey"`
		Username          string  `gorm:"size:64;not null;uniqueIndex"`
		DisplayName       string  `gorm:"size:128;not null"`
		PasswordHash      string  `gorm:"size:128;not null"`
		Roles             string  `gorm:"size:255;not null"`
		OutletID          *uint64 `gorm:"index"`
		Disabled          bool    `gorm:"not null;default:false"`
		ExpiresAt         *time.Time
		LastLoginAt       *time.Time
		PasswordChangedAt time.Time `gorm:"not null"`
		Version           int64     `gorm:"not null;default:1"`
		CreatedAt         time.Time `gorm:"not null"`
		UpdatedAt         time.Time `gorm:"not null"`
	}
	type Session struct {
		TokenHash string    `gorm:"size:64;primaryKey"`
		UserID    uint64    `gorm:"not null;index"`
		CreatedAt time.Time `gorm:"not null"`
		ExpiresAt time.Time `gorm:"not null;index"`
		RevokedAt *time.Time
		IP        string `gorm:"size:64"`
		UserAgent string `gorm:"size:255"`
	}
	type LoginFailure struct {
		Key         string    `gorm:"size:191;primaryKey"`
		Failures    int       `gorm:"not null"`
		FirstAt     time.Time `gorm:"not null"`
		LastAt      time.Time `gorm:"not null"`
		LockedUntil *time.Time
	}
	type CasbinRule struct {
		ID    uint64 `gorm:"primaryKey"`
		Ptype string `gorm:"size:16;not null;uniqueIndex:ux_casbin_rule"`
		V0    string `gorm:"size:100;not null;default:'';uniqueIndex:ux_casbin_rule"`
		V1    string `gorm:"size:100;not null;default:'';uniqueIndex:ux_casbin_rule"`
		V2    string `gorm:"size:100;not null;default:'';uniqueIndex:ux_casbin_rule"`
	}
	type AuditRecord struct {
		Seq       uint64    `gorm:"primaryKey;autoIncrement:false"`
		At        time.Time `gorm:"not null;index"`
		ActorID   *uint64   `gorm:"index"`
		ActorName string    `gorm:"size:64;not null"`
		Action    string    `gorm:"size:64;not null;index"`
		Entity    string    `gorm:"size:64;not null;index:ix_audit_entity"`
		EntityID  string    `gorm:"size:64;not null;index:ix_audit_entity"`
		Before    string    `gorm:"size:4194304"`
		After     string    `gorm:"size:4194304"`
		RequestID string    `gorm:"size:64"`
		IP        string    `gorm:"size:64"`
		PrevHash  string    `gorm:"size:64;not null"`
		Hash      string    `gorm:"size:64;not null"`
	}
	type AuditChain struct {
		ID   int    `gorm:"primaryKey;autoIncrement:false"`
		Seq  uint64 `gorm:"not null"`
		Hash string `gorm:"size:64;not null"`
	}
	type JobLock struct {
		Name        string    `gorm:"size:64;primaryKey"`
		Holder      string    `gorm:"size:128;not null"`
		LockedUntil time.Time `gorm:"not null"`
		UpdatedAt   time.Time `gorm:"not null"`
	}
	type JobRun struct {
		ID         uint64    `gorm:"primaryKey"`
		Name       string    `gorm:"size:64;not null;index:ix_job_runs_name_started"`
		Holder     string    `gorm:"size:128;not null"`
		StartedAt  time.Time `gorm:"not null;index:ix_job_runs_name_started"`
		FinishedAt *time.Time
		Status     string `gorm:"size:16;not null"`
		Error      string `gorm:"size:2000"`
	}
	type IdempotencyKey struct {
		Scope     string    `gorm:"size:64;primaryKey"`
		Key       string    `gorm:"size:128;primaryKey"`
		UserID    uint64    `gorm:"not null"`
		EntityID  string    `gorm:"size:64;not null"`
		CreatedAt time.Time `gorm:"not null;index"`
	}
	return &gormigrate.Migration{
		ID: "0001_platform",
		Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&User{}, &Session{}, &LoginFailure{}, &CasbinRule{}, &AuditRecord{}, &AuditChain{}, &JobLock{}, &JobRun{}, &IdempotencyKey{})
		},
	}
}
