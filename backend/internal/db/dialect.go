package db

import (
	"fmt"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// This file holds the SQL that MySQL/MariaDB and SQLite spell differently,
// so that domain packages say what they want (lock these rows, skip a
// duplicate, days between two instants) and never branch on the dialect.
// Column names passed in are the caller's constants, never input.

// IsSQLite reports whether the connection is the embedded SQLite.
func IsSQLite(g *gorm.DB) bool { return g.Dialector.Name() == "sqlite" }

// ForUpdate makes q's SELECT lock the rows it reads until the transaction
// ends (SELECT … FOR UPDATE) on MySQL/MariaDB. SQLite has no row locks (a
// writing transaction holds the database lock) and the glebarez dialector
// drops the clause there, so the same query runs on both.
func ForUpdate(q *gorm.DB) *gorm.DB {
	return q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
}

// InsertIgnoringDuplicates makes q's Create skip a row whose unique key is
// taken, so that RowsAffected tells a new row (1) from a duplicate (0):
// INSERT IGNORE on MySQL (its ON DUPLICATE KEY form, which GORM writes for
// OnConflict{DoNothing}, counts or returns the existing row), ON CONFLICT DO
// NOTHING on SQLite.
func InsertIgnoringDuplicates(q *gorm.DB) *gorm.DB {
	if IsMySQL(q) {
		return q.Clauses(clause.Insert{Modifier: "IGNORE"})
	}
	return q.Clauses(clause.OnConflict{DoNothing: true})
}

// InsertIgnoreInto opens a raw INSERT (… VALUES or … SELECT) that skips rows
// whose unique key is taken: "INSERT IGNORE INTO" on MySQL, "INSERT OR
// IGNORE INTO" on SQLite.
func InsertIgnoreInto(g *gorm.DB) string {
	if IsMySQL(g) {
		return "INSERT IGNORE INTO"
	}
	return "INSERT OR IGNORE INTO"
}

// OnDuplicateKeyDoNothing ends a raw INSERT … VALUES so that a row whose
// unique key is taken is skipped and not counted in RowsAffected, while any
// other error still fails the statement (unlike IGNORE, which turns some
// errors into warnings on MySQL).
func OnDuplicateKeyDoNothing(g *gorm.DB) string {
	if IsMySQL(g) {
		return " ON DUPLICATE KEY UPDATE id = id"
	}
	return " ON CONFLICT DO NOTHING"
}

// OnDuplicateKeyAdd ends a raw INSERT … VALUES of a counter row so that,
// when the row keyed by keyCols exists, each of addCols is increased by the
// inserted value instead (an upsert of running totals).
func OnDuplicateKeyAdd(g *gorm.DB, keyCols, addCols []string) string {
	sets := make([]string, len(addCols))
	for i, c := range addCols {
		if IsMySQL(g) {
			sets[i] = c + " = " + c + " + VALUES(" + c + ")"
		} else {
			sets[i] = c + " = " + c + " + excluded." + c
		}
	}
	if IsMySQL(g) {
		return " ON DUPLICATE KEY UPDATE " + strings.Join(sets, ", ")
	}
	return " ON CONFLICT (" + strings.Join(keyCols, ", ") + ") DO UPDATE SET " + strings.Join(sets, ", ")
}

// WherePrefix adds "column starts with prefix" to q, spelled so that both
// databases read it as a range of the column's index: LIKE 'prefix%' (with
// the wildcards escaped) on MySQL, whose collation-aware range would ignore
// a sentinel bound; on SQLite, which uses an index for LIKE only on NOCASE
// columns, the range [prefix, prefix+U+10FFFF), U+10FFFF sorting after every
// character in its binary collation.
func WherePrefix(q *gorm.DB, column, prefix string) *gorm.DB {
	if IsMySQL(q) {
		esc := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(prefix)
		return q.Where(column+" LIKE ?", esc+"%")
	}
	return q.Where(column+" >= ? AND "+column+" < ?", prefix, prefix+"\U0010FFFF")
}

// InsertBatchRows is how many rows one multi-row INSERT carries:
// placeholders are cheap on MySQL, while the pure-Go SQLite driver binds
// them in time quadratic in their number per statement, so several small
// statements beat one large one there.
func InsertBatchRows(g *gorm.DB) int {
	if IsMySQL(g) {
		return 1000
	}
	return 100
}

// DaysBetween is an SQL expression for the days (fractional) from the
// instant expression from to the instant expression to; either may be a
// column or a "?" placeholder.
func DaysBetween(g *gorm.DB, from, to string) string {
	if IsMySQL(g) {
		return fmt.Sprintf("(TIMESTAMPDIFF(SECOND, %s, %s) / 86400.0)", from, to)
	}
	return fmt.Sprintf("(julianday(%s) - julianday(%s))", to, from)
}

// WholeWeeksBetween is an SQL expression for the whole weeks (truncated)
// from the instant expression from to the instant expression to.
func WholeWeeksBetween(g *gorm.DB, from, to string) string {
	if IsMySQL(g) {
		return fmt.Sprintf("(TIMESTAMPDIFF(SECOND, %s, %s) DIV 604800)", from, to)
	}
	return fmt.Sprintf("CAST((julianday(%s) - julianday(%s)) / 7 AS INTEGER)", to, from)
}

// NotLaterThanDaysAfter is an SQL condition: the instant column later is at
// most days days after the instant column earlier.
func NotLaterThanDaysAfter(g *gorm.DB, later, earlier string, days int) string {
	if IsMySQL(g) {
		return fmt.Sprintf("%s <= DATE_ADD(%s, INTERVAL %d DAY)", later, earlier, days)
	}
	return fmt.Sprintf("julianday(%s) <= julianday(%s) + %d", later, earlier, days)
}

// WhereOneOf keeps the rows of q whose column is one of values: "column = ?"
// for one value (as an index reads it best), "column IN ?" for several; no
// values keep every row.
func WhereOneOf[T any](q *gorm.DB, column string, values []T) *gorm.DB {
	switch len(values) {
	case 0:
		return q
	case 1:
		return q.Where(column+" = ?", values[0])
	default:
		return q.Where(column+" IN ?", values)
	}
}
