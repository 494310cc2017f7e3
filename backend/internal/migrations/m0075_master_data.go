package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0075MasterDataCorrections adds what correcting master data needs (issue
// 12 §2). Why: a unit's purchase data was write-once (a wrong invoice date
// could not be fixed, the seller and price were not kept at all), a unit
// sold on could not change owner without losing its history, a scrapped
// unit stayed "active" and could get tickets, duplicate customers could not
// be merged and a PIPL deletion request could not be honoured.
//
//   - units: seller, purchase_price_fen, proof_attachment_id (the invoice
//     photo behind a correction), deactivated_at and deactivation_reason
//     (status scrapped or lost);
//   - unit_transfers: one row per change of owner, so previous owners stay
//     with the serial;
//   - customers: merged_into_id and merged_at (a merged duplicate is kept,
//     pointing at the survivor), erased_at (anonymised under PIPL);
//   - customer_erasure_requests: the record of a PIPL deletion request (who
//     asked, when, through which channel, who handled it); one per customer.
func m0075MasterDataCorrections() *gormigrate.Migration {
	type Unit struct {
		Seller             string `gorm:"size:128;not null;default:''"`
		PurchasePriceFen   *int64
		ProofAttachmentID  *uint64
		DeactivatedAt      *time.Time
		DeactivationReason string `gorm:"size:255;not null;default:''"`
	}
	type UnitTransfer struct {
		ID             uint64    `gorm:"primaryKey"`
		UnitID         uint64    `gorm:"not null;index:ix_unit_transfers_unit"`
		FromCustomerID *uint64   `gorm:"index:ix_unit_transfers_from"`
		ToCustomerID   uint64    `gorm:"not null;index:ix_unit_transfers_to"`
		TransferredOn  time.Time `gorm:"not null"`
		Reason         string    `gorm:"size:255;not null;default:''"`
		ByUserID       uint64    `gorm:"not null;default:0"`
		ByUsername     string    `gorm:"size:64;not null;default:''"`
		CreatedAt      time.Time `gorm:"not null"`
	}
	type Customer struct {
		MergedIntoID *uint64 `gorm:"index:ix_customers_merged_into"`
		MergedAt     *time.Time
		ErasedAt     *time.Time
	}
	type CustomerErasureRequest struct {
		ID          uint64    `gorm:"primaryKey"`
		CustomerID  uint64    `gorm:"not null;uniqueIndex:ux_customer_erasure_requests_customer"`
		Requester   string    `gorm:"size:128;not null;default:''"`
		Channel     string    `gorm:"size:16;not null;default:''"`
		RequestedAt time.Time `gorm:"not null"`
		Note        string    `gorm:"size:255;not null;default:''"`
		HandledByID uint64    `gorm:"not null;default:0"`
		HandledBy   string    `gorm:"size:64;not null;default:''"`
		ErasedAt    time.Time `gorm:"not null"`
		Counts      string    `gorm:"type:text"`
	}
	return &gormigrate.Migration{
		ID: "0075_master_data_corrections",
		Migrate: func(tx *gorm.DB) error {
			m := tx.Migrator()
			for _, col := range []string{"Seller", "PurchasePriceFen", "ProofAttachmentID", "DeactivatedAt", "DeactivationReason"} {
				if !m.HasColumn(&Unit{}, col) {
					if err := m.AddColumn(&Unit{}, col); err != nil {
						return err
					}
				}
			}
			for _, col := range []string{"MergedIntoID", "MergedAt", "ErasedAt"} {
				if !m.HasColumn(&Customer{}, col) {
					if err := m.AddColumn(&Customer{}, col); err != nil {
						return err
					}
				}
			}
			if !m.HasIndex(&Customer{}, "ix_customers_merged_into") {
				if err := m.CreateIndex(&Customer{}, "ix_customers_merged_into"); err != nil {
					return err
				}
			}
			return tx.AutoMigrate(&UnitTransfer{}, &CustomerErasureRequest{})
		},
	}
}
