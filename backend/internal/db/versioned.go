package db

import (
	"fmt"
	"reflect"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
)

// UpdateVersioned writes updates to the row of model's table whose id is id
// only while its version is still version (optimistic concurrency: the
// caller read the row at that version). updates is what gorm's Updates
// takes, a column map or a struct (scope tx with Select/Omit for a struct's
// zero values), and includes the new version. When no row matched, the row
// was changed or removed since it was read, and the answer is
// apperr.ErrVersionConflict(entity) (409 version_conflict). Other errors are
// returned wrapped, for the caller's Classify.
func UpdateVersioned(tx *gorm.DB, model any, id any, version int64, entity string, updates any) error {
	res := tx.Model(model).Where("id = ? AND version = ?", id, version).Updates(updates)
	if res.Error != nil {
		return fmt.Errorf("update %s %v: %w", entity, id, res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.ErrVersionConflict(entity)
	}
	return nil
}

// UpdateVersionedAndRead is UpdateVersioned on the table of dst (a pointer
// to a model value) followed by reading the row back into dst, which then
// holds the new version and whatever else the database wrote. On an error
// dst is left as it was.
func UpdateVersionedAndRead(tx *gorm.DB, dst any, id any, version int64, entity string, updates any) error {
	model := reflect.New(reflect.TypeOf(dst).Elem()).Interface() // a zero value: gorm writes the updates into its model
	if err := UpdateVersioned(tx, model, id, version, entity, updates); err != nil {
		return err
	}
	return tx.Where("id = ?", id).Take(dst).Error
}

// DeleteVersioned deletes the row of model's table whose id is id only while
// its version is still version; apperr.ErrVersionConflict(entity) when no row
// matched, as for UpdateVersioned.
func DeleteVersioned(tx *gorm.DB, model any, id any, version int64, entity string) error {
	res := tx.Where("id = ? AND version = ?", id, version).Delete(model)
	if res.Error != nil {
		return fmt.Errorf("delete %s %v: %w", entity, id, res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.ErrVersionConflict(entity)
	}
	return nil
}
