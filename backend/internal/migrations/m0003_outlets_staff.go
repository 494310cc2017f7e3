package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0003OutletsStaff creates the service network: outlets with their coverage
// (region codes) and authorised product categories, and the staff with their
// certificates and training records. Why: dispatch picks outlets by
// coverage, category and capacity, and GB/T 27922 5.1.1–5.1.2 are measured
// from outlets, staff and 售后服务管理师 certificates.
func m0003OutletsStaff() *gormigrate.Migration {
	type Outlet struct {
		ID                uint64 `gorm:"primaryKey"`
		Code              string `gorm:"size:32;not null;uniqueIndex:ux_outlets_code"`
		Name              string `gorm:"size:128;not null"`
		Kind              string `gorm:"size:16;not null;index:ix_outlets_status_kind,priority:2"`
		ContractNo        string `gorm:"size:64;not null;default:''"`
		ContractValidFrom *time.Time
		ContractValidTo   *time.Time `gorm:"index"`
		RegionCode        string     `gorm:"size:6;not null;index"`
		Address           string     `gorm:"size:255;not null"`
		Latitude          *float64
		Longitude         *float64
		Phone             string    `gorm:"size:32;not null"`
		DailyCapacity     int       `gorm:"not null"`
		Status            string    `gorm:"size:16;not null;index:ix_outlets_status_kind,priority:1"`
		StatusReason      string    `gorm:"size:255;not null;default:''"`
		Version           int64     `gorm:"not null;default:1"`
		CreatedAt         time.Time `gorm:"not null"`
		UpdatedAt         time.Time `gorm:"not null"`
	}
	// The region index answers "which outlets cover this district, its city
	// or its province" for dispatch.
	type OutletCoverage struct {
		OutletID   uint64 `gorm:"primaryKey;autoIncrement:false;index:ix_outlet_coverages_region,priority:2"`
		RegionCode string `gorm:"size:6;primaryKey;index:ix_outlet_coverages_region,priority:1"`
	}
	type OutletCategory struct {
		OutletID   uint64 `gorm:"primaryKey;autoIncrement:false;index:ix_outlet_categories_category,priority:2"`
		CategoryID uint64 `gorm:"primaryKey;autoIncrement:false;index:ix_outlet_categories_category,priority:1"`
	}
	type StaffMember struct {
		ID                  uint64  `gorm:"primaryKey"`
		Name                string  `gorm:"size:64;not null;index"`
		OutletID            *uint64 `gorm:"index:ix_staff_members_outlet,priority:1"`
		HQDepartment        string  `gorm:"column:hq_department;size:64;not null;default:''"`
		Post                string  `gorm:"size:32;not null"`
		IsServiceManagement bool    `gorm:"not null;default:false;index"`
		Phone               string  `gorm:"size:32;not null;uniqueIndex:ux_staff_members_phone"`
		UserID              *uint64 `gorm:"uniqueIndex:ux_staff_members_user"`
		Active              bool    `gorm:"not null;default:true;index:ix_staff_members_outlet,priority:2"`
		HiredAt             *time.Time
		Version             int64     `gorm:"not null;default:1"`
		CreatedAt           time.Time `gorm:"not null"`
		UpdatedAt           time.Time `gorm:"not null"`
	}
	type StaffCertificate struct {
		ID        uint64     `gorm:"primaryKey"`
		StaffID   uint64     `gorm:"not null;index"`
		Kind      string     `gorm:"size:32;not null;uniqueIndex:ux_staff_certificates_number,priority:1;index:ix_staff_certificates_kind_expiry,priority:1"`
		Number    string     `gorm:"size:64;not null;uniqueIndex:ux_staff_certificates_number,priority:2"`
		IssuedAt  time.Time  `gorm:"not null"`
		ExpiresAt *time.Time `gorm:"index:ix_staff_certificates_kind_expiry,priority:2"`
		CreatedAt time.Time  `gorm:"not null"`
	}
	type StaffTraining struct {
		ID          uint64    `gorm:"primaryKey"`
		StaffID     uint64    `gorm:"not null;index:ix_staff_trainings_staff,priority:1"`
		Course      string    `gorm:"size:128;not null"`
		Hours       float64   `gorm:"not null"`
		CompletedAt time.Time `gorm:"not null;index:ix_staff_trainings_staff,priority:2;index"`
		Passed      bool      `gorm:"not null;default:false"`
		CreatedAt   time.Time `gorm:"not null"`
	}
	return &gormigrate.Migration{
		ID: "0003_outlets_staff",
		Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&Outlet{}, &OutletCoverage{}, &OutletCategory{}, &StaffMember{}, &StaffCertificate{}, &StaffTraining{})
		},
	}
}
