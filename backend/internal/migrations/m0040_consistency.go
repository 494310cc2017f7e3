package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0040Consistency adds the columns that let records in different domains
// agree with each other (issue 11). Why:
//   - units: a returned or exchanged unit carries its status, the day its
//     warranty ended, the day a replacement's warranty started (三包: it
//     restarts on the exchange date) and the links between an exchanged-out
//     unit and its replacement, both ways;
//   - complaints: a complaint raised from a survey answer names the work
//     order and the technician the answer was about, so it counts in the
//     technician's and the outlet's figures;
//   - recall_units: a booked recall unit names the recall_remedy work order
//     created at the chosen outlet.
//
// Re-runnable: AutoMigrate only adds what is missing.
func m0040Consistency() *gormigrate.Migration {
	type Unit struct {
		ID               uint64 `gorm:"primaryKey"`
		Status           string `gorm:"size:16;not null;default:'active'"`
		WarrantyEndedOn  *time.Time
		WarrantyStart    *time.Time
		ReplacesUnitID   *uint64 `gorm:"index"`
		ReplacedByUnitID *uint64 `gorm:"index"`
	}
	type Complaint struct {
		ID           uint64  `gorm:"primaryKey"`
		TechnicianID *uint64 `gorm:"index"`
		WorkOrderID  *uint64 `gorm:"index"`
	}
	type AffectedUnit struct {
		ID          uint64  `gorm:"primaryKey"`
		WorkOrderID *uint64 `gorm:"index"`
	}
	return &gormigrate.Migration{
		ID: "0040_consistency",
		Migrate: func(tx *gorm.DB) error {
			if err := tx.Table("units").AutoMigrate(&Unit{}); err != nil {
				return err
			}
			if err := tx.Table("complaints").AutoMigrate(&Complaint{}); err != nil {
				return err
			}
			return tx.Table("recall_units").AutoMigrate(&AffectedUnit{})
		},
	}
}
