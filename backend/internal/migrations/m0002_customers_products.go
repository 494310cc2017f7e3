package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0002CustomersProducts creates the customer and product tables: customers
// with their phones and addresses, product categories with their 三包
// warranty policy, models with optional policy overrides, and serial-numbered
// units. Why: the hotline's screen-pop (phone → customer → units → warranty)
// and the unit passport stand on these.
//
// Hot lookups and their indexes: a phone (unique, normalised, so the
// screen-pop is one index probe), a serial (unique), a customer's phones,
// addresses and units (customer_id), a name prefix (customers.name), a
// production lot (recalls). Warranty status is never stored: it is computed
// from the policy and the purchase date at read time. Calendar dates
// (purchase_date, production_date) are stored as 00:00 UTC of the local date.
func m0002CustomersProducts() *gormigrate.Migration {
	type Customer struct {
		ID               uint64    `gorm:"primaryKey"`
		Name             string    `gorm:"size:128;not null;index:ix_customers_name"`
		Kind             string    `gorm:"size:16;not null"`
		ConsentSMS       bool      `gorm:"column:consent_sms;not null;default:false"`
		ConsentSurvey    bool      `gorm:"column:consent_survey;not null;default:false"`
		ConsentMarketing bool      `gorm:"column:consent_marketing;not null;default:false"`
		Version          int64     `gorm:"not null;default:1"`
		CreatedAt        time.Time `gorm:"not null"`
		UpdatedAt        time.Time `gorm:"not null"`
	}
	type CustomerPhone struct {
		ID         uint64    `gorm:"primaryKey"`
		CustomerID uint64    `gorm:"not null;index:ix_customer_phones_customer"`
		Phone      string    `gorm:"size:32;not null;uniqueIndex:ux_customer_phones_phone"`
		Kind       string    `gorm:"size:16;not null"`
		Label      string    `gorm:"size:32;not null;default:''"`
		IsPrimary  bool      `gorm:"not null;default:false"`
		CreatedAt  time.Time `gorm:"not null"`
	}
	type CustomerAddress struct {
		ID         uint64    `gorm:"primaryKey"`
		CustomerID uint64    `gorm:"not null;index:ix_customer_addresses_customer"`
		RegionCode string    `gorm:"size:12;not null;index:ix_customer_addresses_region"`
		Detail     string    `gorm:"size:255;not null"`
		IsDefault  bool      `gorm:"not null;default:false"`
		CreatedAt  time.Time `gorm:"not null"`
	}
	type ProductCategory struct {
		ID                   uint64    `gorm:"primaryKey"`
		Code                 string    `gorm:"size:32;not null;uniqueIndex:ux_product_categories_code"`
		Name                 string    `gorm:"size:64;not null"`
		ReturnDays           int       `gorm:"not null"`
		ExchangeDays         int       `gorm:"not null"`
		RepairWarrantyMonths int       `gorm:"not null"`
		ReplaceAfterRepairs  int       `gorm:"not null"`
		Version              int64     `gorm:"not null;default:1"`
		CreatedAt            time.Time `gorm:"not null"`
		UpdatedAt            time.Time `gorm:"not null"`
	}
	type ProductModel struct {
		ID                   uint64 `gorm:"primaryKey"`
		Code                 string `gorm:"size:64;not null;uniqueIndex:ux_product_models_code"`
		Name                 string `gorm:"size:128;not null"`
		CategoryID           uint64 `gorm:"not null;index:ix_product_models_category"`
		ReturnDays           *int
		ExchangeDays         *int
		RepairWarrantyMonths *int
		ReplaceAfterRepairs  *int
		Version              int64     `gorm:"not null;default:1"`
		CreatedAt            time.Time `gorm:"not null"`
		UpdatedAt            time.Time `gorm:"not null"`
	}
	type Unit struct {
		ID             uint64  `gorm:"primaryKey"`
		Serial         string  `gorm:"size:64;not null;uniqueIndex:ux_units_serial"`
		ModelID        uint64  `gorm:"not null;index:ix_units_model"`
		CustomerID     *uint64 `gorm:"index:ix_units_customer"`
		PurchaseDate   *time.Time
		PurchaseProof  string `gorm:"size:255;not null;default:''"`
		ProductionLot  string `gorm:"size:64;not null;default:'';index:ix_units_lot"`
		ProductionDate *time.Time
		InstalledAt    *time.Time
		Version        int64     `gorm:"not null;default:1"`
		CreatedAt      time.Time `gorm:"not null"`
		UpdatedAt      time.Time `gorm:"not null"`
	}
	return &gormigrate.Migration{
		ID: "0002_customers_products",
		Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&Customer{}, &CustomerPhone{}, &CustomerAddress{}, &ProductCategory{}, &ProductModel{}, &Unit{})
		},
	}
}
