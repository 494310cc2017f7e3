package app_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/app"
	"github.com/aftersales/aftersales/backend/internal/config"
	"github.com/aftersales/aftersales/backend/internal/consistency"
	"github.com/aftersales/aftersales/backend/internal/customer"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/demo"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

// scaleApp starts the application on a fresh database of driver (a SQLite
// file, or a throw-away MariaDB database on TEST_MYSQL_DSN's server).
func scaleApp(t *testing.T, driver string) *app.App {
	t.Helper()
	t.Setenv("AFTERSALES_AUTH_BCRYPT_COST", "4")
	t.Setenv("AFTERSALES_STORAGE_DIR", filepath.Join(t.TempDir(), "files"))
	cfg, err := config.Load("")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Log.Level = "error"
	cfg.Audit.SigningKeyFile = filepath.Join(t.TempDir(), "audit.key")
	cfg.Audit.CheckpointSink = filepath.Join(t.TempDir(), "checkpoints.log")
	switch driver {
	case testutil.SQLite:
		cfg.DB.Driver, cfg.DB.DSN = "sqlite", filepath.Join(t.TempDir(), "scale.db")
	case testutil.MySQL:
		dsn := os.Getenv("TEST_MYSQL_DSN")
		if dsn == "" {
			if os.Getenv("REQUIRE_MYSQL") == "1" {
				t.Fatal("TEST_MYSQL_DSN is not set (REQUIRE_MYSQL=1)")
			}
			t.Skip("TEST_MYSQL_DSN is not set")
		}
		name, err := testutil.CreateMySQLDatabase(dsn)
		if err != nil {
			t.Fatal(err)
		}
		cfg.DB.Driver, cfg.DB.DSN = "mysql", testutil.WithDatabase(dsn, name)
	}
	a, err := app.New(context.Background(), cfg, app.NewLogger(cfg))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	return a
}

// indexNames lists the secondary indexes of the schema, to check that the
// indexes dropped for the bulk load are all back.
func indexNames(t *testing.T, a *app.App) []string {
	t.Helper()
	var names []string
	q := "SELECT tbl_name || '.' || name FROM sqlite_master WHERE type = 'index' ORDER BY 1"
	if db.IsMySQL(a.DB) {
		q = "SELECT DISTINCT CONCAT(TABLE_NAME, '.', INDEX_NAME) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() ORDER BY 1"
	}
	if err := a.DB.Raw(q).Scan(&names).Error; err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	return names
}

// The scale seed writes through the bulk loader (LOAD DATA on MariaDB,
// literal multi-row INSERTs on SQLite) with deferred indexes. Its rows must
// be what the services would have made: the proportions, the search index
// (grams and phone tails) that the customer search reads, the invariants of
// `aftersales check`, the indexes all rebuilt, and one audited seeding
// event per step in an intact audit trail.
func TestScaleSeedWritesRowsTheServicesRead(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 2,000 tickets per database")
	}
	for _, driver := range []string{testutil.SQLite, testutil.MySQL} {
		t.Run(driver, func(t *testing.T) {
			a := scaleApp(t, driver)
			ctx := actor.With(context.Background(), actor.System("test"))
			indexesBefore := indexNames(t, a)
			const tickets = 2000
			var steps []app.ScaleStep
			if err := a.SeedScale(ctx, tickets, func(s app.ScaleStep) { steps = append(steps, s) }); err != nil {
				t.Fatal(err)
			}
			if len(steps) != 6 {
				t.Fatalf("steps reported: %+v", steps)
			}
			if got := indexNames(t, a); strings.Join(got, ",") != strings.Join(indexesBefore, ",") {
				t.Errorf("indexes after seeding differ:\nbefore %v\nafter  %v", indexesBefore, got)
			}

			count := func(table string) int64 {
				t.Helper()
				var n int64
				if err := a.DB.Table(table).Count(&n).Error; err != nil {
					t.Fatal(err)
				}
				return n
			}
			for table, want := range map[string]int64{
				"tickets":            tickets,
				"customers":          int64(demo.ScaleCustomersFor(tickets)),
				"customer_phones":    int64(demo.ScaleCustomersFor(tickets)),
				"repair_orders":      int64(demo.ScaleRepairsFor(tickets)),
				"complaints":         int64(demo.ScaleComplaintsFor(tickets)),
				"survey_invitations": tickets,
			} {
				if got := count(table); got != want {
					t.Errorf("%s: %d rows, want %d", table, got, want)
				}
			}
			if n := count("work_orders"); n == 0 {
				t.Error("no work orders")
			}
			if n := count("survey_responses"); n < tickets/3 || n > tickets*2/3 {
				t.Errorf("survey responses: %d for %d tickets", n, tickets)
			}

			// The search index holds exactly the grams the customer service
			// writes for a name and its addresses (customer.Grams).
			var cs []struct {
				ID     uint64
				Name   string
				Detail string
				Phone  string
			}
			if err := a.DB.Raw("SELECT c.id, c.name, a.detail, p.phone FROM customers c JOIN customer_addresses a ON a.customer_id = c.id" +
				" JOIN customer_phones p ON p.customer_id = c.id ORDER BY c.id").Scan(&cs).Error; err != nil {
				t.Fatal(err)
			}
			want := 0
			for _, c := range cs {
				seen := map[string]bool{}
				for _, g := range customer.Grams(c.Name, true) {
					seen["n"+g] = true
				}
				for _, g := range customer.Grams(c.Detail, false) {
					seen["a"+g] = true
				}
				want += len(seen)
			}
			if got := count("customer_search_grams"); got != int64(want) {
				t.Errorf("customer_search_grams: %d rows, want %d", got, want)
			}

			// The agent's search finds seeded customers by phone tail and
			// name fragment, and by an address fragment.
			for _, c := range []struct {
				ID     uint64
				Name   string
				Detail string
				Phone  string
			}{cs[0], cs[len(cs)/2], cs[len(cs)-1]} {
				name := []rune(c.Name)
				ms, err := a.Customers.Search(ctx, customer.Query{PhoneTail: c.Phone[len(c.Phone)-4:], Text: string(name[len(name)-1:])})
				if err != nil {
					t.Fatal(err)
				}
				if !hasCustomer(ms, c.ID) {
					t.Errorf("phone tail %s + %q: customer %d not in %+v", c.Phone[len(c.Phone)-4:], string(name[len(name)-1:]), c.ID, ms)
				}
				ms, err = a.Customers.Search(ctx, customer.Query{Phone: c.Phone})
				if err != nil {
					t.Fatal(err)
				}
				if !hasCustomer(ms, c.ID) {
					t.Errorf("phone %s: customer %d not in %+v", c.Phone, c.ID, ms)
				}
			}

			// A ticket is found by the last digits of its number (number_tail).
			var number string
			if err := a.DB.Raw("SELECT number FROM tickets ORDER BY id DESC LIMIT 1").Scan(&number).Error; err != nil {
				t.Fatal(err)
			}
			var byTail int64
			if err := db.WhereNumberTail(a.DB.Table("tickets"), "number_tail", number[len(number)-6:]).Count(&byTail).Error; err != nil {
				t.Fatal(err)
			}
			if byTail == 0 {
				t.Errorf("ticket %s not found by its last six digits", number)
			}

			rep, err := consistency.New(a.DB, consistency.Options{Timeout: time.Minute}).Run(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !rep.OK() {
				t.Errorf("consistency check after the scale seed:\n%s", rep.Text())
			}

			var seeded int64
			if err := a.DB.Table("audit_records").Where("action = ? AND entity = ?", "seed", "scale_data").Count(&seeded).Error; err != nil {
				t.Fatal(err)
			}
			if seeded != int64(len(steps)) {
				t.Errorf("audited seeding events: %d, want one per step (%d)", seeded, len(steps))
			}
			res, err := a.Audit.Verify(ctx, a.DB)
			if err != nil {
				t.Fatal(err)
			}
			if !res.OK {
				t.Errorf("audit trail broken after seeding: %s", res.Reason)
			}
		})
	}
}

func hasCustomer(ms []customer.Match, id uint64) bool {
	for _, m := range ms {
		if m.CustomerID == id {
			return true
		}
	}
	return false
}
