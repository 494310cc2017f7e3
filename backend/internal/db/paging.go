package db

import "gorm.io/gorm"

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
