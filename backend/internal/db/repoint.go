package db

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// Repoint sets column to `to` on every row of model's table where it is
// `from`, inside tx, and returns how many rows changed. A table with a
// version column gets it bumped on each changed row, so an editor holding
// one of them sees a version conflict instead of overwriting the move. It is
// how a domain hands its rows of one customer to another (customer merge).
func Repoint(ctx context.Context, tx *gorm.DB, model any, column string, from, to uint64) (int64, error) {
	stmt := &gorm.Statement{DB: tx}
	if err := stmt.Parse(model); err != nil {
		return 0, fmt.Errorf("repoint: %w", err)
	}
	updates := map[string]any{column: to}
	if stmt.Schema.LookUpField("version") != nil {
		updates["version"] = gorm.Expr("version + 1")
	}
	res := tx.WithContext(ctx).Model(model).Where(column+" = ?", from).UpdateColumns(updates)
	if res.Error != nil {
		return 0, fmt.Errorf("repoint %s.%s: %w", stmt.Schema.Table, column, res.Error)
	}
	return res.RowsAffected, nil
}
