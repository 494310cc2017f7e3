package db

import (
	"strings"

	"gorm.io/gorm"
)

// Business numbers (tickets T20261124-000042, work orders WO…, complaints
// TS…) end in a date and a sequence. Callers read out the whole number or
// only its last digits; the tables have a generated column number_tail, the
// last NumberTailLen characters reversed, indexed (migration 0070), so
// "ends with 0042" is a range of that index.

// NumberTailLen is how many trailing characters number_tail holds.
const NumberTailLen = 6

// NumberQuery is what a typed number fragment asks for.
type NumberQuery struct {
	// Whole is the complete number (prefix, date, dash and sequence).
	Whole string
	// Tail holds the last digits (at most NumberTailLen).
	Tail string
	// Digits are all the digits typed, checked against the number after the
	// tail lookup when more than NumberTailLen were typed.
	Digits string
}

// MinNumberTail is the fewest trailing digits looked up: fewer match too
// many numbers to be an answer.
const MinNumberTail = 3

// ParseNumber reads a typed number fragment for the number prefix (T, WO,
// TS): "T20261124-000042", "t20261124000042", "20261124-000042" are the
// whole number; "0042", "42042" are last digits. ok is false when the text
// is not a number of this kind.
func ParseNumber(text, prefix string) (NumberQuery, bool) {
	t := strings.ToUpper(strings.TrimSpace(text))
	hadPrefix := strings.HasPrefix(t, prefix)
	t = strings.TrimPrefix(t, prefix)
	digits := strings.ReplaceAll(t, "-", "")
	if digits == "" || strings.Trim(digits, "0123456789") != "" {
		return NumberQuery{}, false
	}
	if len(digits) >= 14 && len(digits) == len(t)-strings.Count(t, "-") {
		// date (8) + sequence (6 or more)
		return NumberQuery{Whole: prefix + digits[:8] + "-" + digits[8:], Digits: digits}, true
	}
	if hadPrefix || len(digits) < MinNumberTail {
		return NumberQuery{}, false
	}
	tail := digits
	if len(tail) > NumberTailLen {
		tail = tail[len(tail)-NumberTailLen:]
	}
	return NumberQuery{Tail: tail, Digits: digits}, true
}

// WhereNumberTail restricts q to rows whose number ends with tail (digits
// only, at most NumberTailLen), as a range of the number_tail index: the
// reversed tail is a prefix of the column, and the range's upper bound is
// that prefix with its last digit raised (carrying past 9s), which orders
// the same in every collation that sorts digits naturally.
//
// A whole tail (NumberTailLen digits) is an equality instead: the index
// then yields its rows in primary-key order, so "newest first, LIMIT n"
// reads n index entries and no sort.
func WhereNumberTail(q *gorm.DB, column, tail string) *gorm.DB {
	rev := []byte(tail)
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	lo := string(rev)
	if len(lo) == NumberTailLen {
		return q.Where(column+" = ?", lo)
	}
	hi := []byte(lo)
	for len(hi) > 0 && hi[len(hi)-1] == '9' {
		hi = hi[:len(hi)-1]
	}
	if len(hi) == 0 {
		return q.Where(column+" >= ?", lo)
	}
	hi[len(hi)-1]++
	return q.Where(column+" >= ? AND "+column+" < ?", lo, string(hi))
}

// NumberMatches reports whether number (with its dash) fits nq: equal to
// Whole, or its digits ending with nq.Digits.
func NumberMatches(number string, nq NumberQuery) bool {
	if nq.Whole != "" {
		return number == nq.Whole
	}
	return strings.HasSuffix(strings.ReplaceAll(number, "-", ""), nq.Digits)
}

// FindByNumber loads into dest (a slice of a model with columns id, number
// and number_tail) up to limit rows of q (the caller's scoped query of
// that model) whose number is nq.Whole or ends with nq.Tail, newest first.
// A tail is looked up as ids first (the number_tail index holds the id, so
// the range and its sort read the index only) and then those rows by
// primary key: the table's rows are read for the hits alone, not for every
// number in the range. Digits beyond the tail are checked in the same
// query (before the LIMIT). Callers still check db.NumberMatches.
func FindByNumber(q *gorm.DB, nq NumberQuery, limit int, dest any) error {
	base := q.Session(&gorm.Session{})
	if nq.Whole != "" {
		return base.Where("number = ?", nq.Whole).Order("id DESC").Limit(limit).Find(dest).Error
	}
	tail := WhereNumberTail(base, "number_tail", nq.Tail)
	if len(nq.Digits) > len(nq.Tail) {
		// More digits were typed than the tail index holds (the end of the
		// date and the sequence): they name one number among the ~one per
		// day sharing its last six digits. Check them in the same query, on
		// the rows the tail index narrows to, so the LIMIT counts only
		// numbers that match; checking after the LIMIT lost every match
		// older than the newest `limit` rows of the tail.
		tail = tail.Where("REPLACE(number, '-', '') LIKE ?", "%"+nq.Digits)
	}
	var ids []uint64
	if err := tail.Order("id DESC").Limit(limit).Pluck("id", &ids).Error; err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	return base.Where("id IN ?", ids).Order("id DESC").Find(dest).Error
}
