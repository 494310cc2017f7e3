package demo

import (
	"context"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/customer"
	"github.com/aftersales/aftersales/backend/internal/product"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

// TestSeedCustomersAndScale seeds the demo catalogue and customers, then
// tops up with the scale generator, on each database, and checks what a
// demo user would notice: counts, real regions in the listed provinces,
// valid unique phones, units with warranty dates in the last three years,
// and the same data on both databases (determinism).
func TestSeedCustomersAndScale(t *testing.T) {
	dir, loc := demoWorld(t)
	now := time.Date(2026, 3, 15, 6, 0, 0, 0, time.UTC)
	fingerprints := map[string]string{}
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := actor.With(context.Background(), actor.System("test"))
		tr := audit.New(nil)
		cs := customer.New(customer.Options{DB: db, Audit: tr, Regions: dir})
		ps := product.New(product.Options{DB: db, Audit: tr, Owners: cs, Location: loc})
		if err := SeedProducts(ctx, ProductDeps{Products: ps}); err != nil {
			t.Fatal(err)
		}
		if err := SeedProducts(ctx, ProductDeps{Products: ps}); err != nil { // idempotent
			t.Fatal(err)
		}
		d := CustomerDeps{DB: db, Customers: cs, Products: ps, Regions: dir, Now: now, Location: loc}
		start := time.Now()
		if err := SeedCustomers(ctx, d); err != nil {
			t.Fatal(err)
		}
		t.Logf("demo customers seeded in %s", time.Since(start))
		if err := SeedCustomers(ctx, d); err != nil { // a second run adds nothing
			t.Fatal(err)
		}
		if n, _ := cs.CustomerCount(ctx); n != DemoCustomers {
			t.Fatalf("customers = %d, want %d", n, DemoCustomers)
		}
		var units int64
		db.Model(&product.Unit{}).Count(&units)
		if units < DemoCustomers*11/10 || units > DemoCustomers*15/10 {
			t.Errorf("units = %d, want 1–2 per customer, about 1.3", units)
		}

		provinces := map[string]bool{}
		for _, p := range DemoProvinces {
			provinces[p.Code] = true
		}
		var addrs []customer.Address
		db.Find(&addrs)
		for _, a := range addrs {
			path := dir.Path(a.RegionCode)
			if len(path) == 0 || !provinces[path[0].Code] {
				t.Fatalf("address region %s is not in the demo provinces", a.RegionCode)
			}
		}
		var phones []customer.Phone
		db.Find(&phones)
		for _, p := range phones {
			if n, err := customer.NormalizePhone(p.Number); err != nil || n != p.Number {
				t.Fatalf("phone %q is not canonical: %v", p.Number, err)
			}
		}
		// Warranty spread: most units bought in the last three years are out
		// of their 7/15-day windows; some are in repair warranty, some expired.
		var us []product.Unit
		db.Order("id").Find(&us)
		cards, err := ps.Cards(ctx, us, now)
		if err != nil {
			t.Fatal(err)
		}
		states := map[product.State]int{}
		for _, c := range cards {
			states[c.Warranty.State]++
			if c.Unit.PurchaseDate != nil && (c.Unit.PurchaseDate.After(now) || c.Unit.PurchaseDate.Before(now.AddDate(-3, 0, -1))) {
				t.Fatalf("unit %s bought %v, outside the last three years", c.Unit.Serial, c.Unit.PurchaseDate)
			}
		}
		if states[product.StateRepair] == 0 || states[product.StateExpired] == 0 || states[product.StateUnknown] == 0 {
			t.Errorf("warranty states %v: want some in repair, some expired, some unknown", states)
		}

		var first customer.Customer
		db.Order("id").Take(&first)
		fingerprints[t.Name()] = first.Name + "|" + phones[0].Number + "|" + us[len(us)-1].Serial

		// Scale: 20,000 "tickets" → 6,000 customers in all.
		start = time.Now()
		rng, err := ScaleCustomers(ctx, d, 20000)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("scale top-up in %s: %+v", time.Since(start), rng)
		if rng.FirstCustomer != 1 || rng.LastCustomer != 6000 || rng.FirstUnit != 1 || rng.LastUnit <= uint64(units) {
			t.Fatalf("scale range %+v", rng)
		}
		c, err := cs.FindByPhone(ctx, custScalePhone(5999))
		if err != nil || c.ID != 5999 {
			t.Fatalf("scale phone lookup: %v %v", c.ID, err)
		}
	})
	if len(fingerprints) == 2 {
		var vals []string
		for _, v := range fingerprints {
			vals = append(vals, v)
		}
		if vals[0] != vals[1] {
			t.Errorf("demo data differs between databases: %v", fingerprints)
		}
	}
}

func TestScalePhonesAreUniqueAndValid(t *testing.T) {
	seen := map[string]bool{}
	for id := uint64(1); id <= 200000; id++ {
		p := custScalePhone(id)
		if seen[p] {
			t.Fatalf("phone %s repeats at id %d", p, id)
		}
		seen[p] = true
		if n, err := customer.NormalizePhone(p); err != nil || n != p {
			t.Fatalf("phone %s: %v", p, err)
		}
		for _, dp := range custMobilePrefixes {
			if strings.HasPrefix(p, dp) {
				t.Fatalf("scale phone %s uses a demo prefix", p)
			}
		}
	}
}
