package ticket

import (
	"slices"
	"sync"
	"testing"

	"gorm.io/gorm/schema"
)

// The creating transaction's INSERTs are written by hand (no reflection on
// the hot path): each must name every column its model has but the
// generated id, or a field added to the model would silently stay empty.
func TestCreateStatementsWriteEveryColumn(t *testing.T) {
	for _, c := range []struct {
		model   any
		columns []string
		skip    string
	}{
		{&Ticket{}, ticketColumns, "id"},
		{&Event{}, eventColumns, "id"},
		{&idempotencyKey{}, idempotencyKeyColumns, ""},
	} {
		s, err := schema.Parse(c.model, &sync.Map{}, schema.NamingStrategy{})
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, f := range s.Fields {
			if f.DBName != "" && f.DBName != c.skip {
				want = append(want, f.DBName)
			}
		}
		got := slices.Clone(c.columns)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: the INSERT writes %v; the model has %v", s.Table, got, want)
		}
	}
}
