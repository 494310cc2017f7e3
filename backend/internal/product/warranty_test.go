package product

import (
	"testing"
	"time"
)

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestWarranty checks the 三包 windows at their edges, as a service manager
// would count them on a calendar: the purchase day is day 0, the return
// window's last day is day 7, the exchange window's day 15, the repair
// window ends on the same day-of-month a year later.
func TestWarranty(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	def := DefaultPolicy()
	noon := func(d string) time.Time { return date(d).Add(4 * time.Hour) } // 12:00 in Shanghai
	cases := []struct {
		name          string
		policy        Policy
		bought        string // "" = unknown
		asOf          time.Time
		want          State
		returnUntil   string
		exchangeUntil string
		repairUntil   string
	}{
		{"purchase day", def, "2025-03-01", noon("2025-03-01"), StateReturn, "2025-03-08", "2025-03-16", "2026-03-01"},
		{"day 7: last day to return", def, "2025-03-01", noon("2025-03-08"), StateReturn, "2025-03-08", "2025-03-16", "2026-03-01"},
		{"day 8: exchange only", def, "2025-03-01", noon("2025-03-09"), StateExchange, "2025-03-08", "2025-03-16", "2026-03-01"},
		{"day 15: last day to exchange", def, "2025-03-01", noon("2025-03-16"), StateExchange, "2025-03-08", "2025-03-16", "2026-03-01"},
		{"day 16: repair only", def, "2025-03-01", noon("2025-03-17"), StateRepair, "2025-03-08", "2025-03-16", "2026-03-01"},
		{"12 months: last day of repair warranty", def, "2025-03-01", noon("2026-03-01"), StateRepair, "2025-03-08", "2025-03-16", "2026-03-01"},
		{"12 months and a day: expired", def, "2025-03-01", noon("2026-03-02"), StateExpired, "2025-03-08", "2025-03-16", "2026-03-01"},
		{"bought on a leap day: warranty ends 28 Feb", def, "2024-02-29", noon("2025-02-28"), StateRepair, "2024-03-07", "2024-03-15", "2025-02-28"},
		{"bought on a leap day: 1 March is expired", def, "2024-02-29", noon("2025-03-01"), StateExpired, "2024-03-07", "2024-03-15", "2025-02-28"},
		{"windows across the year end", def, "2024-12-25", noon("2025-01-01"), StateReturn, "2025-01-01", "2025-01-09", "2025-12-25"},
		{"bought 31 Jan, 1 month warranty ends 29 Feb in a leap year",
			Policy{ReturnDays: 7, ExchangeDays: 15, RepairWarrantyMonths: 1}, "2024-01-31", noon("2024-02-29"), StateRepair, "2024-02-07", "2024-02-15", "2024-02-29"},
		{"three-year repair warranty", Policy{ReturnDays: 7, ExchangeDays: 15, RepairWarrantyMonths: 36}, "2023-06-10", noon("2026-06-10"), StateRepair, "2023-06-17", "2023-06-25", "2026-06-10"},
		{"no purchase date: unknown", def, "", noon("2025-03-01"), StateUnknown, "", "", ""},
		{"asked about a day before the purchase: unknown", def, "2025-03-01", noon("2025-02-28"), StateUnknown, "2025-03-08", "2025-03-16", "2026-03-01"},
		{"no return window: exchange from the purchase day", Policy{ExchangeDays: 15, RepairWarrantyMonths: 12}, "2025-03-01", noon("2025-03-01"), StateExchange, "", "2025-03-16", "2026-03-01"},
		{"no windows at all: expired", Policy{}, "2025-03-01", noon("2025-03-01"), StateExpired, "", "", ""},
		// 2025-03-08 16:30 UTC is already 9 March, 00:30 in Shanghai: day 8.
		{"the business day decides, not UTC", def, "2025-03-01", time.Date(2025, 3, 8, 16, 30, 0, 0, time.UTC), StateExchange, "2025-03-08", "2025-03-16", "2026-03-01"},
		{"late on day 7 in Shanghai is still day 7", def, "2025-03-01", time.Date(2025, 3, 8, 15, 59, 0, 0, time.UTC), StateReturn, "2025-03-08", "2025-03-16", "2026-03-01"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var bought time.Time
			if tc.bought != "" {
				bought = date(tc.bought)
			}
			got := Warranty(tc.policy, bought, tc.asOf, shanghai)
			if got.State != tc.want {
				t.Errorf("state = %s, want %s", got.State, tc.want)
			}
			for _, w := range []struct {
				name string
				got  time.Time
				want string
			}{{"return_until", got.ReturnUntil, tc.returnUntil}, {"exchange_until", got.ExchangeUntil, tc.exchangeUntil}, {"repair_until", got.RepairUntil, tc.repairUntil}} {
				s := ""
				if !w.got.IsZero() {
					s = w.got.Format(time.DateOnly)
				}
				if s != w.want {
					t.Errorf("%s = %q, want %q", w.name, s, w.want)
				}
			}
		})
	}
}

// TestWarrantyReadsStoredDateAsCalendarDate: a purchase date comes from the
// database at 00:00 UTC; only its date counts, whatever the location.
func TestWarrantyReadsStoredDateAsCalendarDate(t *testing.T) {
	bought := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	got := Warranty(DefaultPolicy(), bought, time.Date(2025, 3, 8, 12, 0, 0, 0, time.UTC), nil)
	if got.State != StateReturn || got.ReturnUntil.Format(time.DateOnly) != "2025-03-08" {
		t.Fatalf("got %+v", got)
	}
}

func TestAddMonths(t *testing.T) {
	for _, tc := range []struct {
		from   string
		months int
		want   string
	}{
		{"2025-01-31", 1, "2025-02-28"},
		{"2024-01-31", 1, "2024-02-29"},
		{"2025-03-31", 1, "2025-04-30"},
		{"2025-01-15", 12, "2026-01-15"},
		{"2025-08-31", 6, "2026-02-28"},
		{"2024-02-29", 48, "2028-02-29"},
	} {
		if got := AddMonths(date(tc.from), tc.months).Format(time.DateOnly); got != tc.want {
			t.Errorf("AddMonths(%s, %d) = %s, want %s", tc.from, tc.months, got, tc.want)
		}
	}
}

func TestModelPolicyOverrides(t *testing.T) {
	three := 36
	zero := 0
	m := Model{RepairWarrantyMonths: &three, ReplaceAfterRepairs: &zero}
	got := m.Policy(DefaultPolicy())
	want := Policy{ReturnDays: 7, ExchangeDays: 15, RepairWarrantyMonths: 36, ReplaceAfterRepairs: 0}
	if got != want {
		t.Fatalf("effective policy = %+v, want %+v", got, want)
	}
}
