package db

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// InsertInBatches writes rows (values in the order of cols) into table with
// multi-row INSERT statements (InsertRows) of InsertBatchRows rows each,
// with placeholders (never values spliced into the SQL). It is for seeding,
// inside the caller's transaction; table and cols are the caller's
// constants.
func InsertInBatches(tx *gorm.DB, table string, cols []string, rows [][]any) error {
	batch := InsertBatchRows(tx)
	for start := 0; start < len(rows); start += batch {
		st := InsertRows(table, cols, rows[start:min(start+batch, len(rows))]...)
		if err := tx.Exec(st.SQL, st.Args...).Error; err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
	}
	return nil
}

// MaxID returns the highest id in model's table (0 when it is empty), so
// that bulk seeding can number new rows after it and refer to them without
// reading them back.
func MaxID(ctx context.Context, g *gorm.DB, model any) (uint64, error) {
	var id *uint64
	if err := g.WithContext(ctx).Model(model).Select("MAX(id)").Scan(&id).Error; err != nil {
		return 0, fmt.Errorf("max id: %w", err)
	}
	if id == nil {
		return 0, nil
	}
	return *id, nil
}
