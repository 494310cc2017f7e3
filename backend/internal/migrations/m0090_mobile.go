package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0090CheckInLocation adds where the technician checked in (issue 12, the
// technician's phone). Why: the phone sends the browser's position with the
// check-in when the technician allows it; an arrival "on site" can then be
// told from one recorded at the outlet. All three are NULL when the browser
// gave no position.
func m0090CheckInLocation() *gormigrate.Migration {
	type WorkOrder struct {
		ArrivedLat       *float64
		ArrivedLng       *float64
		ArrivedAccuracyM *float64
	}
	return &gormigrate.Migration{
		ID: "0090_checkin_location",
		Migrate: func(tx *gorm.DB) error {
			// The frozen struct's name maps to the work_orders table.
			m := tx.Migrator()
			for _, col := range []string{"ArrivedLat", "ArrivedLng", "ArrivedAccuracyM"} {
				if !m.HasColumn(&WorkOrder{}, col) {
					if err := m.AddColumn(&WorkOrder{}, col); err != nil {
						return err
					}
				}
			}
			return nil
		},
	}
}

// m0091IdempotentResponses keeps the answers of writes sent with an
// Idempotency-Key (issue 12). Why: the phone queues actions taken offline
// and replays them when the connection returns; a replay of a write whose
// answer was lost must not do it twice. Only ticket creation honoured the
// key (idempotency_keys, which keeps the ticket id, not the answer).
func m0091IdempotentResponses() *gormigrate.Migration {
	type IdempotentResponse struct {
		UserID      uint64 `gorm:"primaryKey;autoIncrement:false"`
		Key         string `gorm:"primaryKey;size:128"`
		Fingerprint string `gorm:"size:64;not null"`
		Status      int    `gorm:"not null;default:0"`
		ContentType string `gorm:"size:128;not null;default:''"`
		Etag        string `gorm:"size:128;not null;default:''"`
		Location    string `gorm:"size:255;not null;default:''"`
		Body        []byte
		CreatedAt   time.Time `gorm:"not null;index"`
	}
	return &gormigrate.Migration{
		ID: "0091_idempotent_responses",
		Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&IdempotentResponse{})
		},
	}
}
