package migrations_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/testutil"
)

// TestSearchQueriesUseTheirIndexes fails when an index of the one search
// (migrations 0070, 0071, 0120, 0121) is missing or not used: the query plan of each
// lookup shape must name its index, on both databases. The tables hold a
// few rows so MariaDB plans a real access path.
func TestSearchQueriesUseTheirIndexes(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		now := time.Now().UTC()
		for i := 1; i <= 30; i++ {
			must(t, g.Exec("INSERT INTO customers (id, name, kind, version, created_at, updated_at) VALUES (?,?,?,?,?,?)", i, fmt.Sprintf("客户%d", i), "person", 1, now, now))
			must(t, g.Exec("INSERT INTO customer_phones (customer_id, phone, kind, label, is_primary, created_at) VALUES (?,?,?,?,?,?)", i, fmt.Sprintf("138%08d", i), "mobile", "", true, now))
			must(t, g.Exec("INSERT INTO customer_search_grams (field, gram, customer_id) VALUES (?,?,?)", 1, fmt.Sprint(i%7), i))
		}
		cases := []struct{ index, sql string }{
			{"ix_customer_phones_tail_customer", "SELECT customer_id FROM customer_phones WHERE phone_tail = '0012' ORDER BY customer_id DESC"},
			{"ix_tickets_number_tail", "SELECT id FROM tickets WHERE number_tail >= '24' AND number_tail < '25'"},
			{"ix_tickets_number_tail", "SELECT id FROM tickets WHERE number_tail = '240000' ORDER BY id DESC LIMIT 10"},
			// More digits than the tail: checked on the rows the tail narrows to.
			{"ix_tickets_number_tail", "SELECT id FROM tickets WHERE number_tail = '240000' AND REPLACE(number, '-', '') LIKE '%1124000042' ORDER BY id DESC LIMIT 10"},
			{"ix_work_orders_number_tail", "SELECT id FROM work_orders WHERE number_tail >= '24' AND number_tail < '25'"},
			{"ix_complaints_number_tail", "SELECT id FROM complaints WHERE number_tail >= '24' AND number_tail < '25'"},
			{"PRIMARY", "SELECT customer_id FROM customer_search_grams WHERE field = 1 AND gram = '3' ORDER BY customer_id DESC"},
			{"ix_customers_name", "SELECT id FROM customers WHERE name = '客户3'"},
		}
		prefix := "SELECT id FROM customers WHERE name LIKE '客户%' ORDER BY name, id DESC LIMIT 5"
		if g.Dialector.Name() != "mysql" {
			prefix = "SELECT id FROM customers WHERE name >= '客户' AND name < '客户\U0010FFFF' ORDER BY name, id DESC LIMIT 5"
		}
		cases = append(cases, struct{ index, sql string }{"ix_customers_name_id", prefix})
		for _, c := range cases {
			plan := explain(t, g, c.sql)
			want := c.index
			if g.Dialector.Name() != "mysql" && want == "PRIMARY" {
				want = "sqlite_autoindex_customer_search_grams_1"
			}
			if !strings.Contains(plan, want) {
				t.Errorf("%s: plan does not use %s: %s", c.sql, c.index, plan)
			}
		}
	})
}

func must(t *testing.T, tx *gorm.DB) {
	t.Helper()
	if tx.Error != nil {
		t.Fatal(tx.Error)
	}
}

// explain returns the query plan as one string: MariaDB's EXPLAIN key
// column, SQLite's EXPLAIN QUERY PLAN details.
func explain(t *testing.T, g *gorm.DB, sql string) string {
	t.Helper()
	var parts []string
	if g.Dialector.Name() == "mysql" {
		rows, err := g.Raw("EXPLAIN " + sql).Rows()
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			m := map[string]any{}
			if err := g.ScanRows(rows, &m); err != nil {
				t.Fatal(err)
			}
			parts = append(parts, fmt.Sprintf("key=%s", m["key"]))
		}
		return strings.Join(parts, "; ")
	}
	var plan []struct{ Detail string }
	if err := g.Raw("EXPLAIN QUERY PLAN " + sql).Scan(&plan).Error; err != nil {
		t.Fatal(err)
	}
	for _, p := range plan {
		parts = append(parts, p.Detail)
	}
	return strings.Join(parts, "; ")
}
