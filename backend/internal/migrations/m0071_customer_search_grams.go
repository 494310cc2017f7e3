package migrations

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0071CustomerSearchGrams creates customer_search_grams, the n-gram index
// of customers' names and address details, and fills it for the customers
// already stored. Why: agents search "伟" or "科技园" (a name or address
// fragment anywhere in the text), which neither the name index (prefixes)
// nor a LIKE '%…%' scan answers at 300,000 customers. MariaDB 10.11 has no
// ngram FULLTEXT parser (CREATE … WITH PARSER ngram fails: "Function 'ngram'
// is not defined") and its default parser sees an unspaced Chinese text as
// one word; SQLite's FTS5 trigram tokenizer does not index queries shorter
// than three characters, the usual length of a Chinese name. So the customer
// domain keeps its own gram table, on both databases: names as single
// characters and pairs, address details as pairs, each row (field, gram,
// customer_id) in a B-tree primary key. The customer service rewrites a
// customer's rows inside every transaction that changes the name or the
// addresses (docs/search.md).
func m0071CustomerSearchGrams() *gormigrate.Migration {
	return &gormigrate.Migration{
		ID: "0071_customer_search_grams",
		Migrate: func(tx *gorm.DB) error {
			if !tx.Migrator().HasTable("customer_search_grams") {
				ddl := "CREATE TABLE customer_search_grams (field INTEGER NOT NULL, gram TEXT NOT NULL, customer_id INTEGER NOT NULL," +
					" PRIMARY KEY (field, gram, customer_id))"
				if tx.Dialector.Name() == "mysql" {
					// Binary collation: grams are compared as exact characters
					// (the customer domain lowercases them), never folded.
					ddl = "CREATE TABLE customer_search_grams (field TINYINT UNSIGNED NOT NULL," +
						" gram VARCHAR(2) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL, customer_id BIGINT UNSIGNED NOT NULL," +
						" PRIMARY KEY (field, gram, customer_id), KEY ix_customer_search_grams_customer (customer_id)) ENGINE=InnoDB"
				}
				if err := tx.Exec(ddl).Error; err != nil {
					return fmt.Errorf("0071: create customer_search_grams: %w", err)
				}
				if tx.Dialector.Name() != "mysql" {
					if err := tx.Exec("CREATE INDEX ix_customer_search_grams_customer ON customer_search_grams(customer_id)").Error; err != nil {
						return fmt.Errorf("0071: index customer_search_grams: %w", err)
					}
				}
			}
			return backfillGrams0071(tx)
		},
	}
}

// backfillGrams0071 indexes every customer without grams, 1000 at a time.
func backfillGrams0071(tx *gorm.DB) error {
	type row struct {
		ID   uint64
		Text string
	}
	var after uint64
	for {
		var names []row
		if err := tx.Raw("SELECT id, name AS text FROM customers WHERE id > ? ORDER BY id LIMIT 1000", after).Scan(&names).Error; err != nil {
			return fmt.Errorf("0071: read customers: %w", err)
		}
		if len(names) == 0 {
			return nil
		}
		first, last := names[0].ID, names[len(names)-1].ID
		after = last
		var addrs []row
		if err := tx.Raw("SELECT customer_id AS id, detail AS text FROM customer_addresses WHERE customer_id BETWEEN ? AND ?", first, last).
			Scan(&addrs).Error; err != nil {
			return fmt.Errorf("0071: read addresses: %w", err)
		}
		var args []any
		seen := map[string]bool{}
		add := func(field int, id uint64, grams []string) {
			for _, g := range grams {
				k := fmt.Sprint(field, "|", g, "|", id)
				if !seen[k] {
					seen[k] = true
					args = append(args, field, g, id)
				}
			}
		}
		for _, n := range names {
			add(1, n.ID, grams0071(n.Text, true))
		}
		for _, a := range addrs {
			add(2, a.ID, grams0071(a.Text, false))
		}
		for start := 0; start < len(args); start += 3 * 500 {
			chunk := args[start:min(start+3*500, len(args))]
			sql := "INSERT INTO customer_search_grams (field, gram, customer_id) VALUES " +
				strings.TrimSuffix(strings.Repeat("(?,?,?),", len(chunk)/3), ",")
			if tx.Dialector.Name() == "mysql" {
				sql = strings.Replace(sql, "INSERT", "INSERT IGNORE", 1)
			} else {
				sql = strings.Replace(sql, "INSERT", "INSERT OR IGNORE", 1)
			}
			if err := tx.Exec(sql, chunk...).Error; err != nil {
				return fmt.Errorf("0071: insert grams: %w", err)
			}
		}
	}
}

// grams0071 is a frozen copy of customer.Grams as of this migration.
func grams0071(text string, singles bool) []string {
	var rs []rune
	for _, r := range text {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			rs = append(rs, unicode.ToLower(r))
		}
	}
	var out []string
	if singles {
		for _, r := range rs {
			out = append(out, string(r))
		}
	}
	for i := 0; i+1 < len(rs); i++ {
		out = append(out, string(rs[i:i+2]))
	}
	return out
}
