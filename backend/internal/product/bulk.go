package product

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/db"
)

// BulkInsertUnits writes units with multi-row INSERTs in one transaction.
// It is for seeding demo and benchmark data only: it writes NO audit
// records (seeded history is not a change anyone made) and trusts its
// input: serials normalised and unique, models existing, dates as calendar
// dates. Each unit's ID must be set to a fresh id (see MaxUnitID) so that
// callers can refer to units without reading them back.
func BulkInsertUnits(ctx context.Context, g *gorm.DB, units []Unit) error {
	for _, u := range units {
		if u.ID == 0 {
			return fmt.Errorf("bulk insert units: unit %s has no id", u.Serial)
		}
	}
	if len(units) == 0 {
		return nil
	}
	cols, rows := unitRows(units)
	err := g.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return db.InsertInBatches(tx, Unit{}.TableName(), cols, rows)
	})
	if err != nil {
		return fmt.Errorf("bulk insert units: %w", err)
	}
	return nil
}

// BulkLoadUnits writes units as BulkInsertUnits does, through a bulk
// loader: for `seed --scale`.
func BulkLoadUnits(ctx context.Context, l *db.Loader, units []Unit) error {
	for _, u := range units {
		if u.ID == 0 {
			return fmt.Errorf("bulk load units: unit %s has no id", u.Serial)
		}
	}
	cols, rows := unitRows(units)
	if err := l.Load(ctx, Unit{}.TableName(), cols, rows); err != nil {
		return fmt.Errorf("bulk load units: %w", err)
	}
	return nil
}

func unitRows(units []Unit) ([]string, [][]any) {
	cols := []string{"id", "serial", "model_id", "customer_id", "purchase_date", "purchase_proof", "production_lot",
		"production_date", "installed_at", "version", "created_at", "updated_at"}
	rows := make([][]any, len(units))
	for i, u := range units {
		rows[i] = []any{u.ID, u.Serial, u.ModelID, u.CustomerID, u.PurchaseDate, u.PurchaseProof, u.ProductionLot,
			u.ProductionDate, u.InstalledAt, u.Version, u.CreatedAt, u.UpdatedAt}
	}
	return cols, rows
}

// MaxUnitID returns the highest unit id (0 when there is none).
func MaxUnitID(ctx context.Context, g *gorm.DB) (uint64, error) {
	id, err := db.MaxID(ctx, g, &Unit{})
	if err != nil {
		return 0, fmt.Errorf("units: %w", err)
	}
	return id, nil
}
