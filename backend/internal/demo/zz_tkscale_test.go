package demo

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/customer"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/migrations"
	"github.com/aftersales/aftersales/backend/internal/product"
	"github.com/aftersales/aftersales/backend/internal/region"
	"github.com/aftersales/aftersales/backend/internal/slastore"
)

// Temporary tooling: the customer, outlet and ticket scale steps only.
func TestZZTicketScaleOnly(t *testing.T) {
	dsn := os.Getenv("TK_SCALE_DSN")
	if dsn == "" {
		t.Skip()
	}
	n, _ := strconv.Atoi(os.Getenv("TK_SCALE_N"))
	g, err := db.Open(db.Options{Driver: os.Getenv("TK_SCALE_DRIVER"), DSN: dsn, MaxOpenConns: 8})
	if err != nil {
		t.Fatal(err)
	}
	if err := migrations.Migrate(g); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	regions, _ := region.Load()
	trail := audit.New(nil)
	bus := event.NewMemoryBus()
	cust := customer.New(customer.Options{DB: g, Audit: trail, Bus: bus, Regions: regions})
	prod := product.New(product.Options{DB: g, Audit: trail, Bus: bus, Owners: cust})
	store := slastore.New(slastore.Options{DB: g, Audit: trail})
	if err := store.EnsureDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		name string
		run  func() error
	}{
		{"customers", func() error {
			_, err := ScaleCustomers(ctx, CustomerDeps{DB: g, Customers: cust, Products: prod, Regions: regions, Now: time.Now().UTC()}, n)
			return err
		}},
		{"outlets", func() error { return ScaleOutlets(ctx, g, regions, n) }},
		{"tickets", func() error {
			return ScaleTickets(ctx, TicketDeps{DB: g, SLA: store, Now: time.Now().UTC(), AcceptTimeout: 30 * time.Minute}, n)
		}},
	} {
		start := time.Now()
		if err := step.run(); err != nil {
			t.Fatal(step.name, err)
		}
		t.Logf("%s: %s", step.name, time.Since(start).Round(time.Millisecond))
	}
}
