package product

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/db"
)

// bulkBatch is the number of rows per multi-row INSERT: 1000 on MySQL; 100
// on SQLite, whose pure-Go driver binds parameters in time quadratic in
// their number.
func bulkBatch(g *gorm.DB) int {
	if g.Dialector.Name() == "mysql" {
		return 1000
	}
	return 100
}

// BulkInsertUnits writes units with multi-row INSERTs in one transaction.
// It is for seeding demo and benchmark data only: it writes NO audit
// records (seeded history is not a change anyone made) and trusts its
// input: serials normalised and unique, models existing, dates as calendar
// dates. Each unit's ID must be set to a fresh id (see MaxUnitID) so that
// callers can refer to units without reading them back.
func BulkInsertUnits(ctx context.Context, db *gorm.DB, units []Unit) error {
	for _, u := range units {
		if u.ID == 0 {
			return fmt.Errorf("bulk insert units: unit %s has no id", u.Serial)
		}
	}
	if len(units) == 0 {
		return nil
	}
	cols, rows := unitRows(units)
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return insertRows(tx, Unit{}.TableName(), cols, rows, bulkBatch(db))
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

// insertRows writes rows with multi-row INSERT statements of batch rows,
// with placeholders (never values spliced into the SQL).
func insertRows(tx *gorm.DB, table string, cols []string, rows [][]any, batch int) error {
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") + ")"
	head := "INSERT INTO " + table + " (" + strings.Join(cols, ",") + ") VALUES "
	for start := 0; start < len(rows); start += batch {
		chunk := rows[start:min(start+batch, len(rows))]
		var sql strings.Builder
		sql.WriteString(head)
		args := make([]any, 0, len(chunk)*len(cols))
		for i, r := range chunk {
			if i > 0 {
				sql.WriteByte(',')
			}
			sql.WriteString(one)
			args = append(args, r...)
		}
		if err := tx.Exec(sql.String(), args...).Error; err != nil {
			return err
		}
	}
	return nil
}

// MaxUnitID returns the highest unit id (0 when there is none).
func MaxUnitID(ctx context.Context, db *gorm.DB) (uint64, error) {
	var id *uint64
	if err := db.WithContext(ctx).Model(&Unit{}).Select("MAX(id)").Scan(&id).Error; err != nil {
		return 0, fmt.Errorf("max unit id: %w", err)
	}
	if id == nil {
		return 0, nil
	}
	return *id, nil
}
