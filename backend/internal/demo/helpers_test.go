package demo

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/customer"
	"github.com/aftersales/aftersales/backend/internal/product"
	"github.com/aftersales/aftersales/backend/internal/region"
)

// demoWorld loads what every seed test runs in: the region directory and
// the enterprise's zone (Asia/Shanghai).
func demoWorld(t *testing.T) (*region.Directory, *time.Location) {
	t.Helper()
	dir, err := region.Load()
	if err != nil {
		t.Fatal(err)
	}
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return dir, loc
}

// seedCustomerBase seeds the demo catalogue and its customers as of now
// through fresh customer and product services (productNow is the product
// service's clock; nil: the real one).
func seedCustomerBase(t *testing.T, ctx context.Context, db *gorm.DB, tr *audit.Trail, dir *region.Directory, loc *time.Location, now time.Time, productNow func() time.Time) {
	t.Helper()
	cs := customer.New(customer.Options{DB: db, Audit: tr, Regions: dir})
	ps := product.New(product.Options{DB: db, Audit: tr, Owners: cs, Location: loc, Now: productNow})
	if err := SeedProducts(ctx, ProductDeps{Products: ps}); err != nil {
		t.Fatal(err)
	}
	if err := SeedCustomers(ctx, CustomerDeps{DB: db, Customers: cs, Products: ps, Regions: dir, Now: now, Location: loc}); err != nil {
		t.Fatal(err)
	}
}
