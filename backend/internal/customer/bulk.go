package customer

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/db"
)

// BulkInsert writes customers with their phones and addresses with
// multi-row INSERTs in one transaction. It is for seeding demo and
// benchmark data only: it writes NO audit records (seeded history is not a
// change anyone made) and trusts its input, which must already be valid
// and normalised (phones in NormalizePhone form, known region codes).
//
// Each profile's Customer.ID must be set to a fresh id (see MaxID), so that
// callers can refer to the customers without reading them back; the
// phones' and addresses' CustomerID is taken from it. A phone number that
// already exists fails the whole call (unique index).
func BulkInsert(ctx context.Context, g *gorm.DB, ps []Profile) error {
	tables, err := bulkRows(ps)
	if err != nil {
		return err
	}
	err = g.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, t := range tables {
			if err := db.InsertInBatches(tx, t.table, t.cols, t.rows); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("bulk insert customers: %w", err)
	}
	return nil
}

// BulkLoad writes customers as BulkInsert does (same rows, same search
// grams), through a bulk loader: for `seed --scale`. Each table is its own
// load (a crash between them leaves customers without phones: seeding
// restarts on an empty database).
func BulkLoad(ctx context.Context, l *db.Loader, ps []Profile) error {
	tables, err := bulkRows(ps)
	if err != nil {
		return err
	}
	for _, t := range tables {
		if err := l.Load(ctx, t.table, t.cols, t.rows); err != nil {
			return fmt.Errorf("bulk load customers: %w", err)
		}
	}
	return nil
}

// BulkTables are the tables BulkInsert and BulkLoad write.
var BulkTables = []string{Customer{}.TableName(), Phone{}.TableName(), Address{}.TableName(), searchGram{}.TableName()}

type bulkTable struct {
	table string
	cols  []string
	rows  [][]any
}

// bulkRows turns profiles into the rows of customers, phones, addresses
// and the search index (search.go), in BulkTables order.
func bulkRows(ps []Profile) ([]bulkTable, error) {
	cs := make([][]any, 0, len(ps))
	phones := make([][]any, 0, len(ps))
	addrs := make([][]any, 0, len(ps))
	sorted := make([]searchGram, 0, len(ps)*32)
	for _, p := range ps {
		c := p.Customer
		if c.ID == 0 {
			return nil, fmt.Errorf("bulk insert customers: customer %q has no id", c.Name)
		}
		cs = append(cs, []any{c.ID, c.Name, c.Kind, c.ConsentSMS, c.ConsentSurvey, c.ConsentMarketing, c.Version, c.CreatedAt, c.UpdatedAt})
		for _, ph := range p.Phones {
			phones = append(phones, []any{c.ID, ph.Number, ph.Kind, ph.Label, ph.IsPrimary, ph.CreatedAt})
		}
		details := make([]string, 0, len(p.Addresses))
		for _, a := range p.Addresses {
			addrs = append(addrs, []any{c.ID, a.RegionCode, a.Detail, a.IsDefault, a.CreatedAt})
			details = append(details, a.Detail)
		}
		sorted = append(sorted, gramRows(c.ID, c.Name, details)...)
	}
	// In primary-key order: the index (the clustered index on MySQL) takes
	// a chunk's grams in one ordered pass instead of at random places.
	slices.SortFunc(sorted, func(a, b searchGram) int {
		if a.Field != b.Field {
			return cmp.Compare(a.Field, b.Field)
		}
		if c := strings.Compare(a.Gram, b.Gram); c != 0 {
			return c
		}
		return cmp.Compare(a.CustomerID, b.CustomerID)
	})
	grams := make([][]any, len(sorted))
	for i, g := range sorted {
		grams[i] = []any{g.Field, g.Gram, g.CustomerID}
	}
	return []bulkTable{
		{Customer{}.TableName(), []string{"id", "name", "kind", "consent_sms", "consent_survey", "consent_marketing", "version", "created_at", "updated_at"}, cs},
		{Phone{}.TableName(), []string{"customer_id", "phone", "kind", "label", "is_primary", "created_at"}, phones},
		{Address{}.TableName(), []string{"customer_id", "region_code", "detail", "is_default", "created_at"}, addrs},
		// The search index is written with the rows it indexes (search.go).
		{searchGram{}.TableName(), []string{"field", "gram", "customer_id"}, grams},
	}, nil
}

// MaxID returns the highest customer id (0 when there is none), so bulk
// seeding can number new customers after it.
func MaxID(ctx context.Context, g *gorm.DB) (uint64, error) {
	id, err := db.MaxID(ctx, g, &Customer{})
	if err != nil {
		return 0, fmt.Errorf("customers: %w", err)
	}
	return id, nil
}
