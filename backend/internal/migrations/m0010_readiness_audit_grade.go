package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0010ReadinessAuditGrade supports readiness an auditor would sign (issue
// 13). Why each change:
//   - readiness_standards.justification: a new version of a standard must say
//     why its inferred parameters changed, and that reason is kept with it;
//   - readiness_ledger_rows.scoring/decided_at/evidence: the ledger shows each
//     leaf's scoring mode and who overrode it, when, why and on what evidence;
//   - readiness_overrides: overrides are their own resource (create, list,
//     withdraw), no longer assessments on computed leaves;
//   - readiness_bonus_claims.withdraw_reason: bonus practices are a list,
//     each withdrawn on its own;
//   - certification_audit_points: an auditor's points per indicator, to
//     calibrate the projection against real audits;
//   - staff_members.post_kind: qualification rules attach to a configured
//     post kind, not to the exact post text. Existing rows are classified by
//     the posts the platform shipped with; others stay ” until edited.
func m0010ReadinessAuditGrade() *gormigrate.Migration {
	type ReadinessStandard struct {
		ID            uint64 `gorm:"primaryKey"`
		Justification string `gorm:"type:text"`
	}
	type ReadinessLedgerRow struct {
		ID        uint64     `gorm:"primaryKey"`
		Scoring   string     `gorm:"size:16;not null;default:''"`
		DecidedAt *time.Time `gorm:""`
		Evidence  string     `gorm:"type:text"`
	}
	type ReadinessOverride struct {
		ID             uint64     `gorm:"primaryKey"`
		StandardCode   string     `gorm:"size:64;not null;index:ix_readiness_overrides_clause,priority:1"`
		Clause         string     `gorm:"size:32;not null;index:ix_readiness_overrides_clause,priority:2"`
		Points         float64    `gorm:"not null"`
		Justification  string     `gorm:"type:text"`
		Evidence       string     `gorm:"type:text"` // JSON array of evidence document ids
		AuthorID       uint64     `gorm:"not null;default:0"`
		Author         string     `gorm:"size:64;not null"`
		CreatedAt      time.Time  `gorm:"not null"`
		ExpiresAt      *time.Time `gorm:""`
		WithdrawnAt    *time.Time `gorm:""`
		WithdrawnBy    string     `gorm:"size:64;not null;default:''"`
		WithdrawReason string     `gorm:"type:text"`
	}
	type ReadinessBonusClaim struct {
		ID             uint64 `gorm:"primaryKey"`
		WithdrawReason string `gorm:"type:text"`
	}
	type CertificationAuditPoint struct {
		ID      uint64  `gorm:"primaryKey"`
		AuditID uint64  `gorm:"not null;uniqueIndex:ux_certification_audit_points,priority:1"`
		Clause  string  `gorm:"size:32;not null;uniqueIndex:ux_certification_audit_points,priority:2"`
		Points  float64 `gorm:"not null"`
		Max     float64 `gorm:"not null;default:0"`
		Note    string  `gorm:"type:text"`
	}
	type StaffMember struct {
		ID       uint64 `gorm:"primaryKey"`
		PostKind string `gorm:"size:32;not null;default:'';index"`
	}
	return &gormigrate.Migration{
		ID: "0010_readiness_audit_grade",
		Migrate: func(tx *gorm.DB) error {
			if err := tx.AutoMigrate(&ReadinessStandard{}, &ReadinessLedgerRow{}, &ReadinessOverride{}, &ReadinessBonusClaim{},
				&CertificationAuditPoint{}, &StaffMember{}); err != nil {
				return err
			}
			// The posts shipped before post kinds existed (frozen here).
			for post, kind := range map[string]string{"维修技师": "technician", "安装工": "installer", "网点经理": "outlet_manager",
				"客服专员": "agent", "售后经理": "manager", "质量专员": "quality", "培训专员": "trainer"} {
				if err := tx.Exec("UPDATE staff_members SET post_kind = ? WHERE post = ? AND post_kind = ''", kind, post).Error; err != nil {
					return err
				}
			}
			return nil
		},
	}
}
