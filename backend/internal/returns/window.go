// Package returns owns 三包 return and exchange requests: each request is
// checked against the unit's legal windows (default 7-day return, 15-day
// exchange, from the product's policy) on the day the customer asked, the
// decision is recorded with its reason, and completion (refund or
// replacement serial) is tracked. Two flags feed GB/T 27922 5.2.5 质量保证:
// outside_legal_window (the customer asked in time but the decision came
// only after the window had closed) and refused_within_window (a refusal of
// a request the customer was entitled to make; the readiness engine
// suggests a special deduction for it).
package returns

import "time"

// Kinds of request.
const (
	KindReturn   = "return"   // 退货: refund
	KindExchange = "exchange" // 换货: a replacement unit
)

// Window is where a request stands against the 三包 windows. Dates are
// calendar dates (00:00 UTC of the local date); a zero Until means the
// policy has no such window or the purchase date is unknown.
type Window struct {
	DaysSincePurchase int
	// Until is the last day (inclusive) of the window of the request's kind.
	Until time.Time
	// Eligible: the request was made on or after the purchase day and on or
	// before Until.
	Eligible bool
}

// Evaluate places a request made on requestedOn for a unit bought on
// purchase against the return or exchange window (last days returnUntil
// and exchangeUntil, as the product domain computes them: with a 7-day
// return window a unit bought on 1 March may be returned until 8 March,
// "day 7"). It is pure, so the window edges are table-tested.
func Evaluate(kind string, purchase, requestedOn, returnUntil, exchangeUntil time.Time) Window {
	w := Window{DaysSincePurchase: int(dateOnly(requestedOn).Sub(dateOnly(purchase)).Hours() / 24)}
	switch kind {
	case KindReturn:
		w.Until = returnUntil
	case KindExchange:
		w.Until = exchangeUntil
	}
	w.Eligible = !w.Until.IsZero() && !purchase.IsZero() && w.DaysSincePurchase >= 0 && !dateOnly(requestedOn).After(dateOnly(w.Until))
	return w
}

// Flags are the two compliance flags of a decision.
type Flags struct {
	// OutsideLegalWindow: the customer asked within the window, but the
	// decision was made after the window had closed.
	OutsideLegalWindow bool
	// RefusedWithinWindow: the request was eligible and was refused.
	RefusedWithinWindow bool
}

// DecisionFlags computes the flags of a decision taken on decidedOn.
func DecisionFlags(w Window, decision string, decidedOn time.Time) Flags {
	if !w.Eligible {
		return Flags{}
	}
	return Flags{
		OutsideLegalWindow:  dateOnly(decidedOn).After(dateOnly(w.Until)),
		RefusedWithinWindow: decision == DecisionRefused,
	}
}

func dateOnly(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
