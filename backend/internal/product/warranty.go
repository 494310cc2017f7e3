package product

import "time"

// Policy is a 三包 warranty policy: how long after purchase a faulty unit
// may be returned, exchanged or repaired free of charge, and after how many
// failed repairs of the same fault the customer is entitled to a
// replacement. Categories carry one; models may override single fields.
type Policy struct {
	// ReturnDays is the return window (退货) in days after the purchase day.
	ReturnDays int `json:"return_days"`
	// ExchangeDays is the exchange window (换货) in days after the purchase
	// day; it includes the return window.
	ExchangeDays int `json:"exchange_days"`
	// RepairWarrantyMonths is the free-repair window (保修) in months.
	RepairWarrantyMonths int `json:"repair_warranty_months"`
	// ReplaceAfterRepairs is the number of failed repairs of the same fault
	// inside the repair window after which the unit must be replaced; 0
	// means the policy grants no such entitlement. The repairs domain
	// counts the repairs and raises the flag.
	ReplaceAfterRepairs int `json:"replace_after_repairs"`
}

// The default 三包 policy, from the national rules for household appliances
// (部分商品修理更换退货责任规定) as summarised in GB/T 27922 guidance:
// return within 7 days, exchange within 15 days, a one-year repair
// warranty, replacement after two failed repairs of the same fault.
const (
	DefaultReturnDays           = 7
	DefaultExchangeDays         = 15
	DefaultRepairWarrantyMonths = 12
	DefaultReplaceAfterRepairs  = 2
)

// DefaultPolicy returns the default 三包 policy.
func DefaultPolicy() Policy {
	return Policy{ReturnDays: DefaultReturnDays, ExchangeDays: DefaultExchangeDays,
		RepairWarrantyMonths: DefaultRepairWarrantyMonths, ReplaceAfterRepairs: DefaultReplaceAfterRepairs}
}

// State is where a unit stands in its warranty on a given day.
type State string

// The warranty states, from the most to the least generous.
const (
	// StateReturn: the customer may still return the unit (and so also
	// exchange or repair it).
	StateReturn State = "return"
	// StateExchange: the return window has passed; exchange or free repair.
	StateExchange State = "exchange"
	// StateRepair: only free repair remains.
	StateRepair State = "repair"
	// StateExpired: every window has passed; repairs are charged.
	StateExpired State = "expired"
	// StateUnknown: no purchase date is known (or the day asked about is
	// before the purchase), so no entitlement can be shown. It is neither
	// in nor out of warranty: the agent must ask for the purchase proof.
	StateUnknown State = "unknown"
	// StateEnded: the unit was returned or exchanged out; its warranty
	// ended that day (the replacement carries the warranty on).
	StateEnded State = "ended"
)

// Status is the computed warranty of a unit on one day. The Until dates are
// the last day (inclusive) of each window, as calendar dates at 00:00 UTC
// like every stored date; a zero date means the policy has no such window
// (or the purchase date is unknown).
type Status struct {
	State         State     `json:"state"`
	ReturnUntil   time.Time `json:"return_until"`
	ExchangeUntil time.Time `json:"exchange_until"`
	RepairUntil   time.Time `json:"repair_until"`
}

// Warranty computes the warranty status of a unit bought on purchaseDate,
// as of the instant asOf seen in loc (the business time zone decides which
// calendar day "today" is). It is a pure function: warranty is never stored,
// so a policy change or the passing of time can never leave a stale flag.
//
// purchaseDate is a calendar date stored as 00:00 UTC (only its UTC year,
// month and day are read); the zero time means unknown. Periods follow the
// civil-law rule for periods (民法典 第二百零一、二百零二条): the purchase
// day itself is not counted, so with a 7-day return window a unit bought on
// 1 March may be returned until 8 March inclusive ("day 7" is the last
// day); a period in months ends on the same day-of-month, or on the last day
// of the month when that day does not exist (bought 29 Feb 2024 with 12
// months: until 28 Feb 2025).
func Warranty(p Policy, purchaseDate time.Time, asOf time.Time, loc *time.Location) Status {
	if purchaseDate.IsZero() {
		return Status{State: StateUnknown}
	}
	if loc == nil {
		loc = time.UTC
	}
	bought := DateOf(purchaseDate)
	var st Status
	if p.ReturnDays > 0 {
		st.ReturnUntil = bought.AddDate(0, 0, p.ReturnDays)
	}
	if p.ExchangeDays > 0 {
		st.ExchangeUntil = bought.AddDate(0, 0, p.ExchangeDays)
	}
	if p.RepairWarrantyMonths > 0 {
		st.RepairUntil = AddMonths(bought, p.RepairWarrantyMonths)
	}
	y, m, d := asOf.In(loc).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	switch {
	case today.Before(bought):
		st.State = StateUnknown
	case !st.ReturnUntil.IsZero() && !today.After(st.ReturnUntil):
		st.State = StateReturn
	case !st.ExchangeUntil.IsZero() && !today.After(st.ExchangeUntil):
		st.State = StateExchange
	case !st.RepairUntil.IsZero() && !today.After(st.RepairUntil):
		st.State = StateRepair
	default:
		st.State = StateExpired
	}
	return st
}

// DateOf returns the calendar date of a stored date: 00:00 UTC of its UTC
// year, month and day.
func DateOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// LocalDate returns the calendar date of the instant t in loc, stored the
// house way (00:00 UTC of that date).
func LocalDate(t time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// AddMonths adds n months to the date d, ending on the last day of the
// target month when it has no day d (31 Jan + 1 month = 28/29 Feb), unlike
// time.AddDate, which would roll over into March.
func AddMonths(d time.Time, n int) time.Time {
	y, m, day := d.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, d.Location())
	last := first.AddDate(0, 1, -1).Day()
	return first.AddDate(0, 0, min(day, last)-1)
}

// UnitWarranty is Warranty for a unit: its periods run from WarrantyStart
// when set (a replacement whose 三包 periods restarted on the exchange date),
// else from the purchase date; from WarrantyEndedOn (a return or an
// exchange) the state is ended.
func UnitWarranty(p Policy, u Unit, asOf time.Time, loc *time.Location) Status {
	start := time.Time{}
	switch {
	case u.WarrantyStart != nil:
		start = *u.WarrantyStart
	case u.PurchaseDate != nil:
		start = *u.PurchaseDate
	}
	st := Warranty(p, start, asOf, loc)
	if u.WarrantyEndedOn != nil && !LocalDate(asOf, loc).Before(DateOf(*u.WarrantyEndedOn)) {
		st.State = StateEnded
	}
	return st
}
