package customer

import (
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/testutil"
)

func TestGramsOfNamesAndAddresses(t *testing.T) {
	if got := Grams("张 伟-A", true); !slices.Equal(got, []string{"张", "伟", "a", "张伟", "伟a"}) {
		t.Errorf("name grams %v", got)
	}
	if got := Grams("科技园路1号", false); !slices.Equal(got, []string{"科技", "技园", "园路", "路1", "1号"}) {
		t.Errorf("address grams %v", got)
	}
	for text, want := range map[string]Query{
		"张 1234":       {PhoneTail: "1234", Text: "张"},
		"13800138000":  {Phone: "13800138000"},
		"科技园":          {Text: "科技园"},
		"王 建国 5678":    {PhoneTail: "5678", Text: "王 建国"},
		"0755-8600123": {Phone: "0755-8600123"},
	} {
		got := ParseQuery(text, 0)
		if got != want {
			t.Errorf("ParseQuery(%q) = %+v, want %+v", text, got, want)
		}
	}
}

// Customers written by BulkInsert (seeding) are found like those created
// one by one: the grams are written with them.
func TestBulkInsertedCustomersAreSearchable(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		s, ctx, _ := newService(t, g)
		now := time.Now().UTC()
		if err := BulkInsert(ctx, g, []Profile{
			{Customer: Customer{ID: 1, Name: "陈伟", Kind: KindPerson, Version: 1, CreatedAt: now, UpdatedAt: now},
				Phones:    []Phone{{Number: "13811112222", Kind: PhoneMobile, IsPrimary: true, CreatedAt: now}},
				Addresses: []Address{{RegionCode: "440305", Detail: "科技园路 1 号", IsDefault: true, CreatedAt: now}}},
			{Customer: Customer{ID: 2, Name: "刘洋", Kind: KindPerson, Version: 1, CreatedAt: now, UpdatedAt: now},
				Phones:    []Phone{{Number: "13833332222", Kind: PhoneMobile, IsPrimary: true, CreatedAt: now}},
				Addresses: []Address{{RegionCode: "440305", Detail: "前海路 2 号", IsDefault: true, CreatedAt: now}}},
		}); err != nil {
			t.Fatal(err)
		}
		for text, want := range map[string][]uint64{"伟": {1}, "科技园": {1}, "海路": {2}, "2222": {2, 1}, "陈 2222": {1}, "赵": nil} {
			ms, err := s.Search(ctx, ParseQuery(text, 10))
			if err != nil {
				t.Fatal(err)
			}
			var got []uint64
			for _, m := range ms {
				got = append(got, m.CustomerID)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%q: %v, want %v", text, got, want)
			}
		}
	})
}
