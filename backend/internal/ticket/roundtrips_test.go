package ticket_test

import (
	"context"
	"os"
	"testing"

	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/migrations"
	"github.com/aftersales/aftersales/backend/internal/testutil"
	"github.com/aftersales/aftersales/backend/internal/ticket"
)

// TestMeasureCreateRoundTrips reports what one ticket creation costs on
// MariaDB, from the server's own per-session counters over a
// one-connection pool: statements (Questions), prepared-statement traffic
// and transactions. Run with MEASURE_ROUNDTRIPS=1 (figures in
// docs/performance.md).
func TestMeasureCreateRoundTrips(t *testing.T) {
	if os.Getenv("MEASURE_ROUNDTRIPS") == "" {
		t.Skip("set MEASURE_ROUNDTRIPS=1")
	}
	dsn := os.Getenv("TEST_MYSQL_DSN")
	if dsn == "" {
		t.Skip("TEST_MYSQL_DSN is not set")
	}
	name, err := testutil.CreateMySQLDatabase(dsn)
	if err != nil {
		t.Fatal(err)
	}
	g, err := db.Open(db.Options{Driver: "mysql", DSN: testutil.WithDatabase(dsn, name), MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Exec("DROP DATABASE " + name)
	if err := migrations.Migrate(g); err != nil {
		t.Fatal(err)
	}
	svc, ctx := benchService(&testing.B{}, g)
	create := func() {
		if _, _, err := svc.Create(ctx, ticket.NewTicket{Channel: ticket.ChannelPhone, Type: ticket.TypeRepair, CustomerID: 1,
			RegionCode: "440305", Description: "空调不制冷"}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 20; i++ { // warm caches (policies, calendars, counter row, prepared statements)
		create()
	}
	names := []string{"Questions", "Com_stmt_prepare", "Com_stmt_execute", "Com_stmt_close", "Com_begin", "Com_commit",
		"Com_insert", "Com_update", "Com_select"}
	read := func() map[string]float64 {
		rows, err := g.WithContext(context.Background()).Raw("SHOW SESSION STATUS").Rows()
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]float64{}
		for rows.Next() {
			var k, v string
			_ = rows.Scan(&k, &v)
			var f float64
			for _, n := range names {
				if k == n {
					for _, c := range v {
						f = f*10 + float64(c-'0')
					}
					out[k] = f
				}
			}
		}
		return out
	}
	const n = 200
	before := read()
	for i := 0; i < n; i++ {
		create()
	}
	after := read()
	for _, k := range names {
		d := after[k] - before[k]
		if k == "Questions" {
			d-- // the SHOW itself
		}
		t.Logf("%-17s %6.2f per create", k, d/n)
	}
	rt := (after["Questions"] - before["Questions"] - 1) + (after["Com_stmt_prepare"] - before["Com_stmt_prepare"])
	t.Logf("round trips ≈ %.2f per create (Questions: executes, BEGIN, COMMIT; plus one per prepare; COM_STMT_CLOSE gets no answer)", rt/n)
}
