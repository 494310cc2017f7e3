package readiness

import (
	"math"
	"math/big"
	"strconv"
)

// Scores are computed exactly and rounded once, half up, to two decimals at
// the end (see docs/readiness.md and docs/dependencies.md for why exact
// rationals from math/big rather than floats or a decimal library): leaf
// points are fractions of counts (5 × 31/41), parameters are the decimals
// written in the standard (1.5, 0.3), so a big.Rat holds every
// intermediate value exactly and 79.995 rounds to 80.00, not to 79.99 as the
// float 79.99499999999999744 would.

// exactOf reads a float as the shortest decimal that prints as it (0.3 is
// 3/10, not 5404319552844595/18014398509481984): parameters and stored
// points were written as decimals.
func exactOf(v float64) *big.Rat {
	if !finite(v) {
		return new(big.Rat)
	}
	r, ok := new(big.Rat).SetString(strconv.FormatFloat(v, 'g', -1, 64))
	if !ok {
		return new(big.Rat)
	}
	return r
}

// exactShare is max × num ÷ den, exactly; 0 when den is not positive.
func exactShare(max, num, den float64) *big.Rat {
	d := exactOf(den)
	if d.Sign() <= 0 {
		return new(big.Rat)
	}
	out := new(big.Rat).Mul(exactOf(max), exactOf(num))
	return out.Quo(out, d)
}

// roundExact rounds half up (away from zero on .5) to two decimals and
// returns the nearest float to that decimal, so JSON prints it with at most
// two decimals.
func roundExact(r *big.Rat) float64 {
	if r == nil {
		return 0
	}
	neg := r.Sign() < 0
	x := new(big.Rat).Abs(r)
	x.Mul(x, big.NewRat(100, 1))
	x.Add(x, big.NewRat(1, 2))
	q := new(big.Int).Quo(x.Num(), x.Denom()) // floor for a positive x
	if neg {
		q.Neg(q)
	}
	f, _ := strconv.ParseFloat(new(big.Rat).SetFrac(q, big.NewInt(100)).FloatString(2), 64)
	return f
}

// Round2 rounds a float half up to two decimals, reading it as its
// shortest decimal (79.995 → 80, 69.99000000000001 → 69.99). Use it for
// numbers that were not computed exactly (differences of rounded scores).
func Round2(v float64) float64 {
	if !finite(v) {
		return 0
	}
	return roundExact(exactOf(v))
}

// clampExact keeps r within [lo, hi].
func clampExact(r *big.Rat, lo, hi float64) *big.Rat {
	if r.Cmp(exactOf(lo)) < 0 {
		return exactOf(lo)
	}
	if r.Cmp(exactOf(hi)) > 0 {
		return exactOf(hi)
	}
	return r
}

// floatOf is a rational's nearest float, for the unrounded working values.
func floatOf(r *big.Rat) float64 {
	f, _ := r.Float64()
	if math.IsInf(f, 0) {
		return 0
	}
	return f
}
