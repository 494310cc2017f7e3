package migrations

import (
	"fmt"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0070SearchTails adds indexed, generated "tail" columns for the one
// search (GET /search). Why: callers read out the last digits of a ticket,
// work order or complaint number, or the last four digits of a phone, and
// `LIKE '%1234'` cannot use an index. The columns are generated from the
// stored value by the database, so they can never go stale (bulk seeding,
// merges and corrections write only the base column):
//   - customer_phones.phone_tail: the last 4 characters of the phone;
//   - tickets, work_orders, complaints .number_tail: the last 6 characters
//     of the number REVERSED, so "ends with 0042" is the index range
//     number_tail >= '2400' (a prefix of the reversed tail).
//
// SQLite has no REVERSE(): the same value is spelled out with substr.
func m0070SearchTails() *gormigrate.Migration {
	type tail struct{ table, column, size, mysqlExpr, sqliteExpr, index string }
	reversed6 := func(col string) string {
		s := ""
		for i := 1; i <= 6; i++ {
			if i > 1 {
				s += " || "
			}
			s += fmt.Sprintf("substr(%s, -%d, 1)", col, i)
		}
		return s
	}
	tails := []tail{
		{"customer_phones", "phone_tail", "4", "RIGHT(phone, 4)", "substr(phone, -4)", "ix_customer_phones_tail"},
		{"tickets", "number_tail", "6", "REVERSE(RIGHT(number, 6))", reversed6("number"), "ix_tickets_number_tail"},
		{"work_orders", "number_tail", "6", "REVERSE(RIGHT(number, 6))", reversed6("number"), "ix_work_orders_number_tail"},
		{"complaints", "number_tail", "6", "REVERSE(RIGHT(number, 6))", reversed6("number"), "ix_complaints_number_tail"},
	}
	return &gormigrate.Migration{
		ID: "0070_search_tails",
		Migrate: func(tx *gorm.DB) error {
			for _, t := range tails {
				// Re-runnable: MySQL DDL does not roll back.
				if tx.Migrator().HasColumn(t.table, t.column) {
					continue
				}
				var q []string
				if tx.Dialector.Name() == "mysql" {
					q = []string{fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s VARCHAR(%s) AS (%s) VIRTUAL, ADD INDEX %s (%s)",
						t.table, t.column, t.size, t.mysqlExpr, t.index, t.column)}
				} else {
					q = []string{fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s TEXT GENERATED ALWAYS AS (%s) VIRTUAL", t.table, t.column, t.sqliteExpr),
						fmt.Sprintf("CREATE INDEX %s ON %s(%s)", t.index, t.table, t.column)}
				}
				for _, s := range q {
					if err := tx.Exec(s).Error; err != nil {
						return fmt.Errorf("0070: %s.%s: %w", t.table, t.column, err)
					}
				}
			}
			return nil
		},
	}
}
