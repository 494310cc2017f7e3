// Package outlet is the service network: outlets (own or entrusted, with
// their coverage by administrative region, authorised product categories and
// daily capacity) and the people who serve (outlet and HQ staff, their
// certificates — including the 售后服务管理师 certificate of GB/T 27922
// 5.1.2.2 — and their training records).
//
// Other domains use it through Service: dispatch asks Candidates for the
// outlets that may take a work order; the readiness engine asks Staffing for
// the headcounts behind 5.1.2. Calendar dates (contract validity, hiring,
// certificate and training dates) are stored as time.Time at 00:00 UTC
// representing the local date in the enterprise time zone.
package outlet

import (
	"strconv"
	"time"
)

// Outlet kinds: own outlets are run by the enterprise; entrusted outlets are
// partners under a service contract (GB/T 27922 5.1.1.2: self-built or
// entrusted, effectively managed).
const (
	KindOwn       = "own"
	KindEntrusted = "entrusted"
)

// Outlet statuses. Only active outlets receive work.
const (
	StatusActive    = "active"
	StatusSuspended = "suspended"
)

// Outlet is a service outlet (服务网点).
type Outlet struct {
	ID   uint64 `gorm:"primaryKey"`
	Code string // unique, upper-case
	Name string
	Kind string // own or entrusted
	// ContractNo and the validity dates are set for entrusted outlets only.
	ContractNo        string
	ContractValidFrom *time.Time // calendar date
	ContractValidTo   *time.Time // calendar date, the last day the contract is in force
	RegionCode        string     // GB/T 2260 code of where the outlet is
	Address           string
	Latitude          *float64
	Longitude         *float64
	Phone             string // normalised
	DailyCapacity     int    // work orders the outlet can take per day
	Status            string
	StatusReason      string
	Version           int64
	CreatedAt         time.Time
	UpdatedAt         time.Time

	// Coverage and CategoryIDs are loaded from their own tables.
	Coverage    []string `gorm:"-"`
	CategoryIDs []uint64 `gorm:"-"`
}

// TableName pins the table of migration 0003.
func (Outlet) TableName() string { return "outlets" }

// Snapshot is the audit image of an outlet.
func (o Outlet) Snapshot() map[string]any {
	return map[string]any{"id": o.ID, "code": o.Code, "name": o.Name, "kind": o.Kind, "contract_no": o.ContractNo,
		"contract_valid_from": dateString(o.ContractValidFrom), "contract_valid_to": dateString(o.ContractValidTo),
		"region_code": o.RegionCode, "address": o.Address, "latitude": o.Latitude, "longitude": o.Longitude, "phone": o.Phone,
		"daily_capacity": o.DailyCapacity, "status": o.Status, "status_reason": o.StatusReason, "coverage": o.Coverage,
		"category_ids": o.CategoryIDs, "version": o.Version}
}

// Contract states derived at read time from the validity dates.
const (
	ContractNone       = ""            // own outlet
	ContractNotStarted = "not_started" // valid_from is in the future
	ContractValid      = "valid"
	ContractExpiring   = "expiring" // ends within ContractExpiringDays
	ContractExpired    = "expired"
)

// ContractExpiringDays is how far ahead an ending contract is flagged, so
// there is time to renew it before the outlet must stop taking work.
const ContractExpiringDays = 60

// ContractState reports the entrusted contract's state on the calendar date
// today (00:00 UTC representing the local date).
func (o Outlet) ContractState(today time.Time) string {
	if o.Kind != KindEntrusted || o.ContractValidFrom == nil || o.ContractValidTo == nil {
		return ContractNone
	}
	switch {
	case today.Before(*o.ContractValidFrom):
		return ContractNotStarted
	case today.After(*o.ContractValidTo):
		return ContractExpired
	case today.AddDate(0, 0, ContractExpiringDays).After(*o.ContractValidTo):
		return ContractExpiring
	default:
		return ContractValid
	}
}

// OutletCoverage is one region (province, city or district) an outlet serves.
type OutletCoverage struct {
	OutletID   uint64 `gorm:"primaryKey;autoIncrement:false"`
	RegionCode string `gorm:"primaryKey"`
}

// TableName pins the table of migration 0003.
func (OutletCoverage) TableName() string { return "outlet_coverages" }

// OutletCategory authorises an outlet for a product category. An outlet with
// no rows is authorised for nothing.
type OutletCategory struct {
	OutletID   uint64 `gorm:"primaryKey;autoIncrement:false"`
	CategoryID uint64 `gorm:"primaryKey;autoIncrement:false"`
}

// TableName pins the table of migration 0003.
func (OutletCategory) TableName() string { return "outlet_categories" }

// Posts commonly held by after-sales staff. The post is free text (an
// enterprise has its own titles); these are the ones the platform knows.
const (
	PostTechnician     = "维修技师"
	PostInstaller      = "安装工"
	PostOutletManager  = "网点经理"
	PostCustomerAgent  = "客服专员"
	PostServiceManager = "售后经理"
	PostQuality        = "质量专员"
	PostTrainer        = "培训专员"
)

// KnownPosts lists the posts offered by the UI and the import template.
var KnownPosts = []string{PostTechnician, PostInstaller, PostOutletManager, PostCustomerAgent, PostServiceManager, PostQuality, PostTrainer}

// TechnicianPosts are the shipped titles of the field kinds (FieldKinds);
// queries use the kind, this list is for demo data and templates.
var TechnicianPosts = []string{PostTechnician, PostInstaller}

// StaffMember is a person in the service organisation: either at an outlet
// (OutletID) or in an HQ department (HQDepartment), never both.
type StaffMember struct {
	ID           uint64 `gorm:"primaryKey"`
	Name         string
	OutletID     *uint64
	HQDepartment string `gorm:"column:hq_department"`
	Post         string
	// PostKind is the configured kind of Post (technician, installer, …);
	// qualification rules attach to it.
	PostKind string
	// IsServiceManagement marks service-management staff, the denominator
	// of the 售后服务管理师 ratio (GB/T 27922 5.1.2.2).
	IsServiceManagement bool
	Phone               string // normalised, unique
	UserID              *uint64
	Active              bool
	HiredAt             *time.Time // calendar date
	Version             int64
	CreatedAt           time.Time
	UpdatedAt           time.Time

	// Certificates and Trainings are loaded on request.
	Certificates []StaffCertificate `gorm:"-"`
	Trainings    []StaffTraining    `gorm:"-"`
}

// TableName pins the table of migration 0003.
func (StaffMember) TableName() string { return "staff_members" }

// Snapshot is the audit image of a staff member.
func (m StaffMember) Snapshot() map[string]any {
	return map[string]any{"id": m.ID, "name": m.Name, "outlet_id": m.OutletID, "hq_department": m.HQDepartment, "post": m.Post,
		"post_kind": m.PostKind, "is_service_management": m.IsServiceManagement, "phone": m.Phone, "user_id": m.UserID, "active": m.Active,
		"hired_at": dateString(m.HiredAt), "version": m.Version}
}

// Certificate kinds. CertServiceManager is the 售后服务管理师 certificate;
// the others are trade qualifications checked when sampling staff (5.1.2.1).
const (
	CertServiceManager = "service_manager" // 售后服务管理师
	CertElectrician    = "electrician"     // 电工证 (低压电工作业)
	CertRefrigeration  = "refrigeration"   // 制冷与空调作业证
	CertHeightWork     = "height_work"     // 高处作业证
	CertGasAppliance   = "gas_appliance"   // 燃气具安装维修证
	CertOther          = "other"
)

// CertificateLabels maps each kind to its Chinese name, as written in the
// import template; the importer accepts either.
var CertificateLabels = map[string]string{
	CertServiceManager: "售后服务管理师",
	CertElectrician:    "电工证",
	CertRefrigeration:  "制冷与空调作业证",
	CertHeightWork:     "高处作业证",
	CertGasAppliance:   "燃气具安装维修证",
	CertOther:          "其他",
}

// StaffCertificate is a qualification held by a staff member.
type StaffCertificate struct {
	ID        uint64 `gorm:"primaryKey"`
	StaffID   uint64
	Kind      string
	Number    string
	IssuedAt  time.Time  // calendar date
	ExpiresAt *time.Time // calendar date, the last valid day; nil: does not expire
	CreatedAt time.Time
}

// TableName pins the table of migration 0003.
func (StaffCertificate) TableName() string { return "staff_certificates" }

// ValidOn reports whether the certificate is in force on the calendar date
// day: issued on or before it and not expired before it.
func (c StaffCertificate) ValidOn(day time.Time) bool {
	return !c.IssuedAt.After(day) && (c.ExpiresAt == nil || !c.ExpiresAt.Before(day))
}

// Snapshot is the audit image of a certificate.
func (c StaffCertificate) Snapshot() map[string]any {
	return map[string]any{"id": c.ID, "staff_id": c.StaffID, "kind": c.Kind, "number": c.Number,
		"issued_at": dateString(&c.IssuedAt), "expires_at": dateString(c.ExpiresAt)}
}

// StaffTraining is one completed course.
type StaffTraining struct {
	ID          uint64 `gorm:"primaryKey"`
	StaffID     uint64
	Course      string
	Hours       float64
	CompletedAt time.Time // calendar date
	Passed      bool
	CreatedAt   time.Time
}

// TableName pins the table of migration 0003.
func (StaffTraining) TableName() string { return "staff_trainings" }

// Snapshot is the audit image of a training record.
func (t StaffTraining) Snapshot() map[string]any {
	return map[string]any{"id": t.ID, "staff_id": t.StaffID, "course": t.Course, "hours": t.Hours,
		"completed_at": dateString(&t.CompletedAt), "passed": t.Passed}
}

func dateString(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

func idString(id uint64) string { return strconv.FormatUint(id, 10) }
