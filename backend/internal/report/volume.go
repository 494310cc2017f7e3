package report

import (
	"context"
	"sort"

	"github.com/aftersales/aftersales/backend/internal/apperr"
)

// Dimensions of the volume report.
const (
	ByProduct   = "product"
	ByFaultCode = "fault_code"
	ByRegion    = "region"
	ByLot       = "lot"
)

// Dimensions lists the volume report's dimensions.
func Dimensions() []string { return []string{ByProduct, ByFaultCode, ByRegion, ByLot} }

// VolumeRow is one group of the volume report.
type VolumeRow struct {
	// Key is the group's code (model code, fault code, city region code,
	// lot); "" is the group of tickets without one. Label is its readable
	// name (model name, region name); it equals Key where there is none.
	Key   string `json:"key"`
	Label string `json:"label"`
	// Volume counts the tickets created in the period; Backlog those open
	// at its end (created before To, not resolved by then, not merged).
	Volume  int64 `json:"volume"`
	Backlog int64 `json:"backlog"`
}

// Volume is the backlog-and-volume report for one dimension.
type Volume struct {
	Dimension string      `json:"dimension"`
	Rows      []VolumeRow `json:"rows"`
	// Total sums the rows; its Key is the code "total" and its Label is
	// empty: the UI names it in the reader's language (reports.volume.total).
	Total VolumeRow `json:"total"`
}

// volumeKeys are the grouping expressions and the joins they need.
var volumeKeys = map[string]struct{ key, label, joins string }{
	ByProduct:   {"COALESCE(m.code, '')", "COALESCE(m.name, '')", "LEFT JOIN units u ON u.id = t.unit_id LEFT JOIN product_models m ON m.id = u.model_id"},
	ByFaultCode: {"t.fault_code", "''", ""},
	ByRegion:    {"t.region_code", "''", ""},
	ByLot:       {"COALESCE(u.production_lot, '')", "''", "LEFT JOIN units u ON u.id = t.unit_id"},
}

// Volume counts tickets by dimension: created in the period (volume) and
// open at its end (backlog). Merged tickets count in neither (their work
// continues in the ticket they were merged into). Regions are reported per
// city (prefecture-level code). Rows are ordered by volume, then backlog,
// descending. Errors: validation (dimension, period).
func (r *Reads) Volume(ctx context.Context, dimension string, f Filter) (Volume, error) {
	k, ok := volumeKeys[dimension]
	if !ok {
		return Volume{}, apperr.FieldErr("by", apperr.OneOf(Dimensions()...))
	}
	f, err := Scope(ctx, f)
	if err != nil {
		return Volume{}, err
	}
	type row struct {
		K       string
		L       string
		Volume  int64
		Backlog int64
	}
	q := `SELECT ` + k.key + ` AS k, ` + k.label + ` AS l,
  SUM(CASE WHEN t.created_at >= ? THEN 1 ELSE 0 END) AS volume,
  SUM(CASE WHEN t.resolved_at IS NULL OR t.resolved_at >= ? THEN 1 ELSE 0 END) AS backlog
FROM tickets t ` + k.joins + `
WHERE t.created_at < ? AND t.merged_into_id IS NULL AND (t.created_at >= ? OR t.resolved_at IS NULL OR t.resolved_at >= ?)`
	args := []any{f.From, f.To, f.To, f.From, f.To}
	if id, ok := f.outlet(); ok {
		q += ` AND t.outlet_id = ?`
		args = append(args, id)
	}
	q += ` GROUP BY ` + k.key + `, ` + k.label
	var rows []row
	if err := r.o.DB.WithContext(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return Volume{}, wrap(err, "volume")
	}
	groups := map[string]*VolumeRow{}
	out := Volume{Dimension: dimension, Rows: []VolumeRow{}, Total: VolumeRow{Key: "total"}}
	for _, x := range rows {
		key, label := x.K, x.L
		if dimension == ByRegion {
			key, label = r.city(x.K)
		}
		if label == "" {
			label = key
		}
		g := groups[key]
		if g == nil {
			g = &VolumeRow{Key: key, Label: label}
			groups[key] = g
		}
		g.Volume += x.Volume
		g.Backlog += x.Backlog
		out.Total.Volume += x.Volume
		out.Total.Backlog += x.Backlog
	}
	for _, g := range groups {
		if g.Volume == 0 && g.Backlog == 0 {
			continue
		}
		out.Rows = append(out.Rows, *g)
	}
	sort.Slice(out.Rows, func(i, j int) bool {
		a, b := out.Rows[i], out.Rows[j]
		if a.Volume != b.Volume {
			return a.Volume > b.Volume
		}
		if a.Backlog != b.Backlog {
			return a.Backlog > b.Backlog
		}
		return a.Key < b.Key
	})
	return out, nil
}

// city folds a district code into its city (prefecture) and names it; a
// municipality's districts fold into the municipality. Unknown codes stay
// as they are.
func (r *Reads) city(code string) (string, string) {
	if r.o.Regions == nil || len(code) != 6 {
		return code, code
	}
	for _, c := range []string{code[:4] + "00", code[:2] + "0000", code} {
		if _, ok := r.o.Regions.Lookup(c); ok {
			return c, r.o.Regions.FullName(c)
		}
	}
	return code, code
}
