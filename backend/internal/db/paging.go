package db

import (
	"fmt"

	"gorm.io/gorm"
)

// NewestFirst pages q by keyset on id, newest first: at most size rows
// whose id is below beforeID (every row when beforeID is 0). The caller
// passes the last id of a page as beforeID for the next; unlike OFFSET, a
// page costs the same however deep it is, and rows inserted meanwhile do
// not shift it. q reads one table (id is not qualified).
func NewestFirst(q *gorm.DB, beforeID uint64, size int) *gorm.DB {
	if beforeID > 0 {
		q = q.Where("id < ?", beforeID)
	}
	return q.Order("id DESC").Limit(size)
}

// OldestFirst pages q by keyset on id, oldest first: at most size rows whose
// id is above afterID. Batch jobs walk a whole table this way.
func OldestFirst(q *gorm.DB, afterID uint64, size int) *gorm.DB {
	return q.Where("id > ?", afterID).Order("id").Limit(size)
}

// PageBounds clamps the page and size of an offset-paged list: the page is at
// least 1, a size below 1 is defSize and one above maxSize is maxSize (0: no
// upper bound).
func PageBounds(page, size, defSize, maxSize int) (int, int) {
	if page < 1 {
		page = 1
	}
	if size < 1 {
		size = defSize
	}
	if maxSize > 0 && size > maxSize {
		size = maxSize
	}
	return page, size
}

// OffsetPage reads one page of an offset-paged list: how many rows q matches
// in all, then the size rows of page (1-based) in order. q must not be
// ordered or limited already; page and size are taken as they are (see
// PageBounds).
func OffsetPage[T any](q *gorm.DB, order string, page, size int) ([]T, int64, error) {
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count: %w", err)
	}
	var out []T
	if err := q.Order(order).Offset((page - 1) * size).Limit(size).Find(&out).Error; err != nil {
		return nil, 0, err
	}
	return out, total, nil
}
