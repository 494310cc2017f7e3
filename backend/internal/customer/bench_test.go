package customer

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/testutil"
)

// BenchmarkPhoneLookup measures the customer part of the agent's
// screen-pop: a number as typed ("+86 139-0001-2345") is normalised, found
// through the unique phone index, and the customer is loaded with phones and
// addresses. It seeds BENCH_CUSTOMERS customers (default 20,000 to stay
// quick; 300000 for the target) on SQLite and, with TEST_MYSQL_DSN,
// on MariaDB/MySQL, and reports the 99th percentile besides ns/op.
func BenchmarkPhoneLookup(b *testing.B) {
	n := 20000
	if v := os.Getenv("BENCH_CUSTOMERS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("BENCH_CUSTOMERS=%q: want a positive number", v)
		}
	}
	for _, driver := range []string{testutil.SQLite, testutil.MySQL} {
		b.Run(fmt.Sprintf("%s/customers=%d", driver, n), func(b *testing.B) {
			g := testutil.BenchDB(b, driver, 8)
			seedBench(b, g, n)
			s, ctx, _ := newService(b, g)
			lat := make([]time.Duration, 0, 1<<16)
			i := 0
			for b.Loop() {
				k := (i*7919)%n + 1 // spread over the whole index
				i++
				typed := fmt.Sprintf("+86 139-%04d-%04d", k/10000, k%10000)
				start := time.Now()
				p, err := s.ProfileByPhone(ctx, typed)
				lat = append(lat, time.Since(start))
				if err != nil || p.Customer.ID != uint64(k) || len(p.Phones) != 1 || len(p.Addresses) != 1 {
					b.Fatalf("lookup %s: %+v %v", typed, p.Customer, err)
				}
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		})
	}
}

// seedBench inserts customers 1..n, customer k with mobile 139 followed by
// k in eight digits, and one address.
func seedBench(b *testing.B, g *gorm.DB, n int) {
	b.Helper()
	start := time.Now()
	now := start.UTC()
	const chunk = 10000
	for from := 1; from <= n; from += chunk {
		ps := make([]Profile, 0, chunk)
		for k := from; k < from+chunk && k <= n; k++ {
			ps = append(ps, Profile{
				Customer:  Customer{ID: uint64(k), Name: fmt.Sprintf("客户%06d", k), Kind: KindPerson, Version: 1, CreatedAt: now, UpdatedAt: now},
				Phones:    []Phone{{Number: fmt.Sprintf("139%08d", k), Kind: PhoneMobile, IsPrimary: true, CreatedAt: now}},
				Addresses: []Address{{RegionCode: "440305", Detail: "科技园南路 18 号", IsDefault: true, CreatedAt: now}},
			})
		}
		if err := BulkInsert(context.Background(), g, ps); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("seeded %d customers in %s", n, time.Since(start).Round(time.Millisecond))
}
