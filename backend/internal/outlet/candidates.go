package outlet

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/aftersales/aftersales/backend/internal/apperr"
)

// Candidate is an outlet that may take a work order, with what ranked it.
type Candidate struct {
	OutletID uint64
	Code     string
	Name     string
	// CoverageLevel is the most specific coverage that matched the
	// customer's region: 3 district, 2 city, 1 province.
	CoverageLevel int
	// Capacity is the outlet's daily capacity; Load the work it already
	// holds that day.
	Capacity int
	Load     int
}

// Remaining is the capacity left on the day.
func (c Candidate) Remaining() int { return c.Capacity - c.Load }

// Candidates returns the outlets that may take a work order for a unit of
// categoryID at an address in regionCode on the calendar day of day, best
// first. An outlet qualifies when it is active; when it is entrusted, its
// contract is in force on that day (an outlet without a valid contract may
// not be sent work); its coverage includes the region (region.Directory
// Covers: the district itself, its city or its province); it is authorised
// for the category (an outlet with no categories is authorised for none);
// it has capacity left that day; and it is not in exclude (outlets that
// already rejected or timed out). Ranking: the most specific coverage
// first, then the lowest load ratio (load ÷ capacity), then the code.
//
// It does not apply the caller's data scope: dispatch runs on behalf of the
// enterprise. Errors: validation (unknown region), internal.
func (s *Service) Candidates(ctx context.Context, regionCode string, categoryID uint64, day time.Time, exclude []uint64) ([]Candidate, error) {
	path := s.o.Regions.Path(regionCode)
	if path == nil {
		return nil, apperr.FieldErr("region_code", apperr.Unknown(regionCode))
	}
	if categoryID == 0 {
		return nil, apperr.FieldErr("category_id", apperr.Required())
	}
	levels := make(map[string]int, len(path))
	codes := make([]string, 0, len(path))
	for _, r := range path {
		// Covers is the definition; Path gives exactly the codes it accepts.
		if s.o.Regions.Covers(r.Code, regionCode) {
			levels[r.Code] = int(r.Level)
			codes = append(codes, r.Code)
		}
	}
	date := s.DateOf(day)
	type row struct {
		ID            uint64
		Code          string
		Name          string
		DailyCapacity int
		RegionCode    string
	}
	// The coverage rows of at most three codes drive the query. CROSS JOIN
	// makes SQLite keep that order (its planner otherwise starts from every
	// active outlet); MySQL reads it as an inner join and plans the same.
	q := s.o.DB.WithContext(ctx).Table("outlet_coverages AS c").
		Select("o.id, o.code, o.name, o.daily_capacity, c.region_code").
		Joins("CROSS JOIN outlets AS o").
		Joins("CROSS JOIN outlet_categories AS k").
		Where("c.region_code IN ?", codes).
		Where("o.id = c.outlet_id AND k.outlet_id = c.outlet_id AND k.category_id = ?", categoryID).
		Where("o.status = ?", StatusActive).
		Where("(o.kind = ? OR (o.contract_valid_from <= ? AND o.contract_valid_to >= ?))", KindOwn, date, date)
	if len(exclude) > 0 {
		q = q.Where("o.id NOT IN ?", exclude)
	}
	var rows []row
	if err := q.Scan(&rows).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("candidates: %w", err))
	}
	byID := map[uint64]*Candidate{}
	var ids []uint64
	for _, r := range rows {
		c := byID[r.ID]
		if c == nil {
			c = &Candidate{OutletID: r.ID, Code: r.Code, Name: r.Name, Capacity: r.DailyCapacity}
			byID[r.ID] = c
			ids = append(ids, r.ID)
		}
		c.CoverageLevel = max(c.CoverageLevel, levels[r.RegionCode])
	}
	if len(ids) == 0 {
		return []Candidate{}, nil
	}
	slices.Sort(ids)
	var load map[uint64]int
	if s.o.LoadCounter != nil {
		var err error
		if load, err = s.o.LoadCounter(ctx, ids, day); err != nil {
			return nil, apperr.Internal(fmt.Errorf("candidates: count load: %w", err))
		}
	}
	out := make([]Candidate, 0, len(ids))
	for _, id := range ids {
		c := byID[id]
		c.Load = load[id]
		if c.Remaining() > 0 {
			out = append(out, *c)
		}
	}
	Rank(out)
	return out, nil
}

// Rank orders candidates best first: most specific coverage, then lowest
// load ratio, then code. Ratios are compared by cross-multiplication so
// 1/3 and 2/6 tie exactly.
func Rank(cs []Candidate) {
	sort.SliceStable(cs, func(i, j int) bool {
		a, b := cs[i], cs[j]
		if a.CoverageLevel != b.CoverageLevel {
			return a.CoverageLevel > b.CoverageLevel
		}
		// a.Load/a.Capacity < b.Load/b.Capacity, capacities positive.
		l, r := int64(a.Load)*int64(max(b.Capacity, 1)), int64(b.Load)*int64(max(a.Capacity, 1))
		if l != r {
			return l < r
		}
		return a.Code < b.Code
	})
}
