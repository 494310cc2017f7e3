package report

import (
	"context"
	"sort"
)

// FailureRow is one production lot of the failure-rate report.
type FailureRow struct {
	Lot   string `json:"lot"`
	Model string `json:"model"`
	// Installed is the lot's installed base at the end of the period: its
	// units in the field, i.e. with a service start before To — the
	// installation instant, else the purchase date, else (a unit sold to a
	// customer whose dates nobody recorded) its registration — whatever
	// their status since (a returned or exchanged unit was in the field and
	// may have failed there). Units without an owner or a date are stock.
	Installed int64 `json:"installed"`
	// Repairs counts the repair orders received in the period on the
	// lot's units (not cancelled); UnitsRepaired the distinct units.
	Repairs       int64 `json:"repairs"`
	UnitsRepaired int64 `json:"units_repaired"`
	// Rate is Repairs / Installed (nil without installed units); Warning
	// says Rate reached the threshold.
	Rate    *float64 `json:"rate"`
	Warning bool     `json:"warning"`
}

// FailureRate is the failure-rate report: the lots with repairs in the
// period or units in the field, worst first.
type FailureRate struct {
	Threshold float64      `json:"threshold"`
	Rows      []FailureRow `json:"rows"`
}

// FailureRate computes repairs per installed unit for every production
// lot with installed units or repairs in the period; units without a lot
// are not reported. For an outlet the repairs are those received at the
// outlet (the denominator stays the lot's whole installed base). A
// threshold ≤ 0 uses the configured one. Errors: validation (period).
func (r *Reads) FailureRate(ctx context.Context, f Filter, threshold float64) (FailureRate, error) {
	f, err := Scope(ctx, f)
	if err != nil {
		return FailureRate{}, err
	}
	if threshold <= 0 {
		threshold = r.o.FailureRateWarning
	}
	db := r.o.DB.WithContext(ctx)
	var installed []struct {
		Lot   string
		Model string
		N     int64
	}
	if err := db.Raw(`SELECT u.production_lot AS lot, MIN(m.name) AS model, COUNT(*) AS n
FROM units u JOIN product_models m ON m.id = u.model_id
WHERE u.production_lot <> '' AND (u.installed_at < ? OR (u.installed_at IS NULL AND (u.purchase_date < ?
  OR (u.purchase_date IS NULL AND u.customer_id IS NOT NULL AND u.created_at < ?))))
GROUP BY u.production_lot`, f.To, f.To, f.To).Scan(&installed).Error; err != nil {
		return FailureRate{}, wrap(err, "installed base")
	}
	q := `SELECT u.production_lot AS lot, MIN(m.name) AS model, COUNT(*) AS repairs, COUNT(DISTINCT r.unit_id) AS units
FROM repair_orders r JOIN units u ON u.id = r.unit_id JOIN product_models m ON m.id = u.model_id
WHERE r.received_at >= ? AND r.received_at < ? AND r.status <> 'cancelled' AND u.production_lot <> ''`
	args := []any{f.From, f.To}
	if id, ok := f.outlet(); ok {
		q += ` AND r.outlet_id = ?`
		args = append(args, id)
	}
	var repairs []struct {
		Lot     string
		Model   string
		Repairs int64
		Units   int64
	}
	if err := db.Raw(q+` GROUP BY u.production_lot`, args...).Scan(&repairs).Error; err != nil {
		return FailureRate{}, wrap(err, "repairs per lot")
	}
	lots := map[string]*FailureRow{}
	for _, x := range installed {
		lots[x.Lot] = &FailureRow{Lot: x.Lot, Model: x.Model, Installed: x.N}
	}
	for _, x := range repairs {
		row := lots[x.Lot]
		if row == nil {
			row = &FailureRow{Lot: x.Lot, Model: x.Model}
			lots[x.Lot] = row
		}
		row.Repairs, row.UnitsRepaired = x.Repairs, x.Units
	}
	out := FailureRate{Threshold: threshold, Rows: []FailureRow{}}
	for _, row := range lots {
		row.Rate = rate(row.Repairs, row.Installed)
		row.Warning = row.Rate != nil && *row.Rate >= threshold
		out.Rows = append(out.Rows, *row)
	}
	sort.Slice(out.Rows, func(i, j int) bool {
		a, b := out.Rows[i], out.Rows[j]
		ra, rb := -1.0, -1.0
		if a.Rate != nil {
			ra = *a.Rate
		}
		if b.Rate != nil {
			rb = *b.Rate
		}
		if ra != rb {
			return ra > rb
		}
		if a.Repairs != b.Repairs {
			return a.Repairs > b.Repairs
		}
		return a.Lot < b.Lot
	})
	return out, nil
}
