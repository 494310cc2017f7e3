// Package region is the directory of China's administrative regions
// (GB/T 2260 codes): provinces, cities and districts, keyed by their six-digit
// codes.
//
// The data is generated from a pinned npm package by scripts/regions/gen.mjs
// and embedded from data/regions.json, so the binary needs no files or
// network at run time; data/SOURCE names the package and version and
// docs/regions.md explains how to regenerate it.
//
// Every city's parent is a province and every district's parent is a city.
// Municipalities (北京, 天津, 上海, 重庆) and province-administered counties
// reach that shape through GB/T 2260's grouping rows at the city level, for
// example 110000 北京市 → 110100 市辖区 → 110101 东城区 and 420000 湖北省 →
// 429000 省直辖县级行政区划 → 429004 仙桃市; see [Region.IsGrouping].
package region

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
)

//go:embed data/regions.json
var regionsJSON []byte

// ErrUnknownRegion is wrapped by every error that reports a code which is not
// in the directory, including codes that are not six digits.
var ErrUnknownRegion = errors.New("unknown region code")

// Level is a region's place in the hierarchy.
type Level int

// The three levels of the directory.
const (
	LevelProvince Level = 1 // 省级: province, autonomous region, municipality, SAR
	LevelCity     Level = 2 // 地级: prefecture-level city, prefecture, league, or a grouping row
	LevelDistrict Level = 3 // 县级: district, county, county-level city, banner
)

// String returns "province", "city" or "district", or "Level(n)" for other
// values.
func (l Level) String() string {
	switch l {
	case LevelProvince:
		return "province"
	case LevelCity:
		return "city"
	case LevelDistrict:
		return "district"
	}
	return fmt.Sprintf("Level(%d)", int(l))
}

// Region is one administrative region. ParentCode is empty for provinces.
type Region struct {
	Code       string
	Name       string
	ParentCode string
	Level      Level
}

// IsGrouping reports whether r is a city-level grouping row (市辖区, 县,
// 省直辖县级行政区划, 自治区直辖县级行政区划) rather than a real city. Such rows
// keep the province → city → district chain uniform; they are left out of
// [Directory.FullName] and of name matches in [Directory.Search].
func (r Region) IsGrouping() bool {
	if r.Level != LevelCity {
		return false
	}
	switch r.Name {
	case "市辖区", // districts of a municipality
		"县",           // counties of 重庆
		"省直辖县级行政区划",   // county-level units directly under a province
		"自治区直辖县级行政区划": // the same under an autonomous region
		return true
	}
	return false
}

// Directory answers questions about regions. It is immutable once built and
// safe for concurrent use. Build one with [Load] when the application starts
// and pass it to whoever needs it.
type Directory struct {
	regions   []Region            // sorted by code
	index     map[string]int      // code → position in regions
	children  map[string][]Region // parent code → children sorted by code
	provinces []Region
	counts    [LevelDistrict + 1]int // regions per level
}

// Load parses the embedded region data and builds the lookup maps. It fails
// only if the embedded data is malformed, which the package tests rule out;
// callers should still treat an error as fatal at start-up.
func Load() (*Directory, error) {
	return parse(regionsJSON)
}

// parse builds a Directory from rows of [code, name, parentCode, level] and
// checks the invariants the methods rely on.
func parse(data []byte) (*Directory, error) {
	var rows [][]any
	if err := json.Unmarshal(data, &rows); err != nil {
		return nil, fmt.Errorf("region: decode data: %w", err)
	}
	d := &Directory{
		regions:  make([]Region, 0, len(rows)),
		index:    make(map[string]int, len(rows)),
		children: make(map[string][]Region),
	}
	for i, row := range rows {
		r, err := decodeRow(row)
		if err != nil {
			return nil, fmt.Errorf("region: row %d: %w", i, err)
		}
		d.regions = append(d.regions, r)
	}
	sort.Slice(d.regions, func(i, j int) bool { return d.regions[i].Code < d.regions[j].Code })
	for i, r := range d.regions {
		if _, dup := d.index[r.Code]; dup {
			return nil, fmt.Errorf("region: duplicate code %s", r.Code)
		}
		d.index[r.Code] = i
	}
	for _, r := range d.regions {
		if err := d.checkParent(r); err != nil {
			return nil, err
		}
		d.counts[r.Level]++
		if r.Level == LevelProvince {
			d.provinces = append(d.provinces, r)
		} else {
			d.children[r.ParentCode] = append(d.children[r.ParentCode], r)
		}
	}
	return d, nil
}

func decodeRow(row []any) (Region, error) {
	if len(row) != 4 {
		return Region{}, fmt.Errorf("want 4 fields, got %d", len(row))
	}
	code, ok1 := row[0].(string)
	name, ok2 := row[1].(string)
	parent, ok3 := row[2].(string)
	level, ok4 := row[3].(float64)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return Region{}, fmt.Errorf("want [string, string, string, number], got %v", row)
	}
	if !isCode(code) {
		return Region{}, fmt.Errorf("code %q is not six digits", code)
	}
	if name == "" {
		return Region{}, fmt.Errorf("code %s has an empty name", code)
	}
	if l := Level(level); float64(l) != level || l < LevelProvince || l > LevelDistrict {
		return Region{}, fmt.Errorf("code %s has level %v", code, level)
	}
	return Region{Code: code, Name: name, ParentCode: parent, Level: Level(level)}, nil
}

// checkParent enforces the chain district → city → province, with each code
// sharing its parent's prefix (two digits for a city, four for a district).
func (d *Directory) checkParent(r Region) error {
	if r.Level == LevelProvince {
		if r.ParentCode != "" || !strings.HasSuffix(r.Code, "0000") {
			return fmt.Errorf("region: province %s must end in 0000 and have no parent", r.Code)
		}
		return nil
	}
	i, ok := d.index[r.ParentCode]
	if !ok {
		return fmt.Errorf("region: %s %s: parent %q not found", r.Code, r.Name, r.ParentCode)
	}
	p := d.regions[i]
	if p.Level != r.Level-1 {
		return fmt.Errorf("region: %s %s is a %s under %s %s, a %s", r.Code, r.Name, r.Level, p.Code, p.Name, p.Level)
	}
	prefix := 2
	if r.Level == LevelDistrict {
		prefix = 4
	}
	if r.Code[:prefix] != p.Code[:prefix] {
		return fmt.Errorf("region: %s %s does not share the code prefix of its parent %s", r.Code, r.Name, p.Code)
	}
	return nil
}

func isCode(s string) bool {
	if len(s) != 6 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Len returns the number of regions at level l.
func (d *Directory) Len(l Level) int {
	if l < LevelProvince || l > LevelDistrict {
		return 0
	}
	return d.counts[l]
}

// Lookup returns the region with the given code.
func (d *Directory) Lookup(code string) (Region, bool) {
	i, ok := d.index[code]
	if !ok {
		return Region{}, false
	}
	return d.regions[i], true
}

// IsAddressRegion reports whether code can be the region of an address: a
// district, or a city without districts (东莞市), so that dispatch can match
// it against outlet coverage. Unknown codes, provinces, cities with
// districts and grouping rows cannot.
func (d *Directory) IsAddressRegion(code string) bool {
	r, ok := d.Lookup(code)
	switch {
	case !ok:
		return false
	case r.Level == LevelDistrict:
		return true
	default:
		return r.Level == LevelCity && !r.IsGrouping() && len(d.Children(code)) == 0
	}
}

// Validate returns nil if code is in the directory, at any level. Otherwise
// it returns an error that wraps [ErrUnknownRegion] and quotes the code.
func (d *Directory) Validate(code string) error {
	if _, ok := d.index[code]; ok {
		return nil
	}
	if !isCode(code) {
		return fmt.Errorf("region code %q is not six digits: %w", code, ErrUnknownRegion)
	}
	return fmt.Errorf("region code %q: %w", code, ErrUnknownRegion)
}

// Path returns the chain from the province down to code itself, for example
// [440000 广东省, 440300 深圳市, 440305 南山区]. It returns nil for an unknown
// code.
func (d *Directory) Path(code string) []Region {
	i, ok := d.index[code]
	if !ok {
		return nil
	}
	r := d.regions[i]
	path := make([]Region, r.Level)
	for {
		path[r.Level-1] = r
		if r.ParentCode == "" {
			return path
		}
		r = d.regions[d.index[r.ParentCode]]
	}
}

// FullName returns the names along [Directory.Path] joined by spaces, as
// written on an address: "广东省 深圳市 南山区". Grouping rows are left out
// ("北京市 东城区", "湖北省 仙桃市"), and so is a name that repeats its
// parent's. It returns "" for an unknown code.
func (d *Directory) FullName(code string) string {
	var names []string
	for _, r := range d.Path(code) {
		if r.IsGrouping() || (len(names) > 0 && names[len(names)-1] == r.Name) {
			continue
		}
		names = append(names, r.Name)
	}
	return strings.Join(names, " ")
}

// Children returns the regions directly under code, sorted by code: the
// cities of a province or the districts of a city. It returns nil for a
// district, for an unknown code, and for a city without districts (东莞市,
// 中山市, 儋州市) or a province without cities (台湾省, 香港, 澳门). The
// returned slice is the caller's to keep or modify.
func (d *Directory) Children(code string) []Region {
	return slices.Clone(d.children[code])
}

// Provinces returns every provincial-level region, sorted by code. The
// returned slice is the caller's to keep or modify.
func (d *Directory) Provinces() []Region {
	return slices.Clone(d.provinces)
}

// Covers reports whether the region coverageCode contains targetCode: a
// province covers its cities and districts, a city its districts, and every
// region covers itself. It is false if either code is unknown. This is the
// test for "does an outlet whose service area is coverageCode serve an
// address in targetCode".
func (d *Directory) Covers(coverageCode, targetCode string) bool {
	if _, ok := d.index[coverageCode]; !ok {
		return false
	}
	i, ok := d.index[targetCode]
	if !ok {
		return false
	}
	for r := d.regions[i]; ; r = d.regions[d.index[r.ParentCode]] {
		if r.Code == coverageCode {
			return true
		}
		if r.ParentCode == "" {
			return false
		}
	}
}

// DefaultSearchLimit is the number of results [Directory.Search] returns when
// asked for limit <= 0; MaxSearchLimit caps any larger request.
const (
	DefaultSearchLimit = 20
	MaxSearchLimit     = 100
)

// Search finds regions for a type-ahead box. A query of digits matches code
// prefixes, in code order ("4403" finds 440300 and its districts). Any other
// query matches names: exact matches first, then names starting with the
// query, then names containing it, each group in code order; grouping rows
// are skipped. Surrounding spaces are ignored; an empty query finds nothing.
// At most limit results are returned (see [DefaultSearchLimit]).
func (d *Directory) Search(query string, limit int) []Region {
	q := strings.TrimSpace(query)
	if q == "" {
		return nil
	}
	if limit <= 0 {
		limit = DefaultSearchLimit
	}
	limit = min(limit, MaxSearchLimit)

	if strings.Trim(q, "0123456789") == "" {
		var out []Region
		start := sort.Search(len(d.regions), func(i int) bool { return d.regions[i].Code >= q })
		for _, r := range d.regions[start:] {
			if !strings.HasPrefix(r.Code, q) || len(out) == limit {
				break
			}
			out = append(out, r)
		}
		return out
	}

	var exact, prefix, contains []Region
	for _, r := range d.regions {
		switch {
		case r.IsGrouping():
		case r.Name == q:
			exact = append(exact, r)
		case strings.HasPrefix(r.Name, q):
			prefix = append(prefix, r)
		case strings.Contains(r.Name, q):
			contains = append(contains, r)
		}
	}
	out := slices.Concat(exact, prefix, contains)
	if len(out) > limit {
		out = out[:limit:limit]
	}
	return out
}
