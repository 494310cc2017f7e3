package region

import (
	"errors"
	"strings"
	"testing"
)

func loadDirectory(t *testing.T) *Directory {
	t.Helper()
	d, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return d
}

func codes(rs []Region) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Code
	}
	return out
}

func TestLookupKnownCodes(t *testing.T) {
	d := loadDirectory(t)
	tests := []Region{
		{Code: "110000", Name: "北京市", Level: LevelProvince},
		{Code: "440000", Name: "广东省", Level: LevelProvince},
		{Code: "440300", Name: "深圳市", ParentCode: "440000", Level: LevelCity},
		{Code: "440305", Name: "南山区", ParentCode: "440300", Level: LevelDistrict},
		{Code: "110101", Name: "东城区", ParentCode: "110100", Level: LevelDistrict},
		{Code: "429004", Name: "仙桃市", ParentCode: "429000", Level: LevelDistrict},
		{Code: "441900", Name: "东莞市", ParentCode: "440000", Level: LevelCity},
		{Code: "810000", Name: "香港特别行政区", Level: LevelProvince},
	}
	for _, want := range tests {
		got, ok := d.Lookup(want.Code)
		if !ok || got != want {
			t.Errorf("Lookup(%s) = %+v, %v; want %+v", want.Code, got, ok, want)
		}
		if err := d.Validate(want.Code); err != nil {
			t.Errorf("Validate(%s) = %v", want.Code, err)
		}
	}
}

func TestValidateUnknown(t *testing.T) {
	d := loadDirectory(t)
	for _, code := range []string{"", "999999", "440399", "44030", "4403050", "44o305", " 440305"} {
		err := d.Validate(code)
		if !errors.Is(err, ErrUnknownRegion) {
			t.Errorf("Validate(%q) = %v, want ErrUnknownRegion", code, err)
			continue
		}
		if !strings.Contains(err.Error(), `"`+code+`"`) {
			t.Errorf("Validate(%q) error %q does not name the code", code, err)
		}
		if _, ok := d.Lookup(code); ok {
			t.Errorf("Lookup(%q) found a region", code)
		}
	}
}

func TestPathAndFullName(t *testing.T) {
	d := loadDirectory(t)
	tests := []struct {
		code     string
		path     string
		fullName string
	}{
		{"440305", "440000 440300 440305", "广东省 深圳市 南山区"},
		{"440300", "440000 440300", "广东省 深圳市"},
		{"440000", "440000", "广东省"},
		{"110101", "110000 110100 110101", "北京市 东城区"},
		{"310115", "310000 310100 310115", "上海市 浦东新区"},
		{"120101", "120000 120100 120101", "天津市 和平区"},
		{"500103", "500000 500100 500103", "重庆市 渝中区"},
		{"500229", "500000 500200 500229", "重庆市 城口县"},
		{"429004", "420000 429000 429004", "湖北省 仙桃市"},
		{"469001", "460000 469000 469001", "海南省 五指山市"},
		{"659001", "650000 659000 659001", "新疆维吾尔自治区 石河子市"},
		{"441900", "440000 441900", "广东省 东莞市"},
		{"620201", "620000 620200 620201", "甘肃省 嘉峪关市"}, // data names the district like its city
		{"999999", "", ""},
	}
	for _, tt := range tests {
		if got := strings.Join(codes(d.Path(tt.code)), " "); got != tt.path {
			t.Errorf("Path(%s) = %q, want %q", tt.code, got, tt.path)
		}
		if got := d.FullName(tt.code); got != tt.fullName {
			t.Errorf("FullName(%s) = %q, want %q", tt.code, got, tt.fullName)
		}
	}
}

// TestMunicipalityChain checks that the four municipalities reach their
// districts through grouping rows, like every other province reaches its
// districts through cities.
func TestMunicipalityChain(t *testing.T) {
	d := loadDirectory(t)
	for _, m := range []string{"110000", "120000", "310000", "500000"} {
		groups := d.Children(m)
		if len(groups) == 0 {
			t.Fatalf("Children(%s) is empty", m)
		}
		for _, g := range groups {
			if g.Level != LevelCity || !g.IsGrouping() {
				t.Errorf("%s child %+v is not a city-level grouping row", m, g)
			}
			districts := d.Children(g.Code)
			if len(districts) == 0 {
				t.Errorf("grouping %s %s has no districts", g.Code, g.Name)
			}
			for _, x := range districts {
				if x.Level != LevelDistrict || !d.Covers(m, x.Code) {
					t.Errorf("%s: district %+v not covered by its municipality", m, x)
				}
			}
		}
	}
	if r, _ := d.Lookup("440300"); r.IsGrouping() {
		t.Error("深圳市 reported as a grouping row")
	}
}

// TestParentChain walks every region: a city's parent is a province, a
// district's parent a city, and codes share their parent's prefix.
func TestParentChain(t *testing.T) {
	d := loadDirectory(t)
	for _, r := range d.regions {
		path := d.Path(r.Code)
		if len(path) != int(r.Level) || path[len(path)-1] != r {
			t.Fatalf("Path(%s) = %v", r.Code, path)
		}
		for i, p := range path {
			if p.Level != Level(i+1) {
				t.Fatalf("Path(%s)[%d] = %+v, want level %d", r.Code, i, p, i+1)
			}
		}
		if r.Level == LevelProvince && r.Code[2:] != "0000" {
			t.Errorf("province %s does not end in 0000", r.Code)
		}
	}
}

func TestCounts(t *testing.T) {
	d := loadDirectory(t)
	provinces, cities, districts := d.Len(LevelProvince), d.Len(LevelCity), d.Len(LevelDistrict)
	t.Logf("provinces %d, cities %d, districts %d", provinces, cities, districts)
	if provinces != 34 {
		t.Errorf("provinces = %d, want 34 (31 mainland + 台湾, 香港, 澳门)", provinces)
	}
	if cities < 330 || cities > 360 {
		t.Errorf("cities = %d, want about 340", cities)
	}
	if districts < 2800 || districts > 3000 {
		t.Errorf("districts = %d, want about 2850", districts)
	}
	if got := len(d.Provinces()); got != provinces {
		t.Errorf("len(Provinces()) = %d, want %d", got, provinces)
	}
	if d.Len(Level(0)) != 0 || d.Len(Level(4)) != 0 {
		t.Error("Len of an invalid level is not 0")
	}
}

func TestChildren(t *testing.T) {
	d := loadDirectory(t)
	sz := d.Children("440300")
	if !contains(codes(sz), "440305") || len(sz) < 9 {
		t.Errorf("Children(440300) = %v", codes(sz))
	}
	for i := 1; i < len(sz); i++ {
		if sz[i-1].Code >= sz[i].Code {
			t.Fatalf("Children(440300) not sorted: %v", codes(sz))
		}
	}
	gd := d.Children("440000")
	if !contains(codes(gd), "440300") || contains(codes(gd), "440305") {
		t.Errorf("Children(440000) = %v", codes(gd))
	}
	for _, code := range []string{"440305", "441900", "810000", "999999", ""} {
		if got := d.Children(code); len(got) != 0 {
			t.Errorf("Children(%q) = %v, want none", code, codes(got))
		}
	}
	// The result is a copy: changing it must not change the directory.
	sz[0].Name = "changed"
	if d.Children("440300")[0].Name == "changed" {
		t.Error("Children returned the directory's own slice")
	}
	ps := d.Provinces()
	ps[0].Name = "changed"
	if d.Provinces()[0].Name == "changed" {
		t.Error("Provinces returned the directory's own slice")
	}
}

func TestCovers(t *testing.T) {
	d := loadDirectory(t)
	tests := []struct {
		coverage, target string
		want             bool
	}{
		{"440000", "440305", true},  // province covers district
		{"440000", "440300", true},  // province covers city
		{"440300", "440305", true},  // city covers district
		{"440305", "440305", true},  // a region covers itself
		{"440000", "440000", true},  //
		{"440305", "440300", false}, // district does not cover its city
		{"440300", "440000", false}, // city does not cover its province
		{"440300", "440106", false}, // 深圳 does not cover 广州 天河区
		{"440100", "440305", false}, // 广州 does not cover 深圳 南山区
		{"110000", "110101", true},  // municipality covers its districts
		{"110100", "110101", true},  // so does its grouping row
		{"500000", "500229", true},  // 重庆 covers its counties
		{"500100", "500229", false}, // 重庆 市辖区 does not cover 重庆 县
		{"420000", "429004", true},  // 湖北 covers 仙桃 (省直辖)
		{"429000", "429004", true},  //
		{"420100", "429004", false}, // 武汉 does not cover 仙桃
		{"999999", "440305", false}, // unknown coverage
		{"440000", "440399", false}, // unknown target under a known prefix
		{"", "440305", false},
		{"440000", "", false},
	}
	for _, tt := range tests {
		if got := d.Covers(tt.coverage, tt.target); got != tt.want {
			t.Errorf("Covers(%q, %q) = %v, want %v", tt.coverage, tt.target, got, tt.want)
		}
	}
}

func TestSearch(t *testing.T) {
	d := loadDirectory(t)

	got := d.Search("南山区", 0)
	if len(got) == 0 || got[0].Name != "南山区" || !contains(codes(got), "440305") {
		t.Errorf("Search(南山区) = %v", got)
	}
	for i, r := range d.Search(" 深圳 ", 5) {
		if i == 0 && r.Code != "440300" {
			t.Errorf("Search(深圳) first = %+v, want 440300 深圳市", r)
		}
	}
	// Exact matches rank before prefix matches, which rank before substrings.
	got = d.Search("朝阳", 50)
	rank := func(r Region) int {
		switch {
		case r.Name == "朝阳":
			return 0
		case strings.HasPrefix(r.Name, "朝阳"):
			return 1
		}
		return 2
	}
	for i := 1; i < len(got); i++ {
		if rank(got[i-1]) > rank(got[i]) {
			t.Fatalf("Search(朝阳) out of order: %v", got)
		}
	}
	if !contains(codes(got), "110105") || !contains(codes(got), "211300") {
		t.Errorf("Search(朝阳) = %v, want 北京 朝阳区 and 朝阳市", codes(got))
	}

	got = d.Search("4403", 100)
	if len(got) == 0 || got[0].Code != "440300" {
		t.Fatalf("Search(4403) = %v", codes(got))
	}
	for _, r := range got {
		if !strings.HasPrefix(r.Code, "4403") {
			t.Errorf("Search(4403) returned %s", r.Code)
		}
	}
	if got := d.Search("1", 3); len(got) != 3 {
		t.Errorf("Search(1, 3) returned %d results", len(got))
	}
	if got := d.Search("区", 0); len(got) != DefaultSearchLimit {
		t.Errorf("Search(区, 0) returned %d results, want %d", len(got), DefaultSearchLimit)
	}
	if got := d.Search("区", 1000); len(got) != MaxSearchLimit {
		t.Errorf("Search(区, 1000) returned %d results, want %d", len(got), MaxSearchLimit)
	}
	for _, r := range d.Search("市辖区", 0) {
		if r.IsGrouping() {
			t.Errorf("Search(市辖区) returned grouping row %+v", r)
		}
	}
	for _, q := range []string{"", "   ", "不存在的地方", "999"} {
		if got := d.Search(q, 0); len(got) != 0 {
			t.Errorf("Search(%q) = %v, want none", q, got)
		}
	}
}

func TestParseRejectsBadData(t *testing.T) {
	tests := map[string]string{
		"not json":          `{`,
		"short row":         `[["110000","北京市",""]]`,
		"wrong types":       `[["110000","北京市","","1"]]`,
		"bad code":          `[["11000","北京市","",1]]`,
		"empty name":        `[["110000","","",1]]`,
		"bad level":         `[["110000","北京市","",4]]`,
		"fractional level":  `[["110000","北京市","",1.5]]`,
		"duplicate":         `[["110000","北京市","",1],["110000","北京","",1]]`,
		"missing parent":    `[["110101","东城区","110100",3]]`,
		"province parent":   `[["110000","北京市","100000",1]]`,
		"skipped level":     `[["110000","北京市","",1],["110101","东城区","110000",3]]`,
		"foreign prefix":    `[["110000","北京市","",1],["120100","市辖区","110000",2]]`,
		"province not 0000": `[["110100","北京市","",1]]`,
	}
	for name, data := range tests {
		if _, err := parse([]byte(data)); err == nil {
			t.Errorf("%s: parse(%s) succeeded", name, data)
		}
	}
	d, err := parse([]byte(`[["110101","东城区","110100",3],["110000","北京市","",1],["110100","市辖区","110000",2]]`))
	if err != nil {
		t.Fatalf("parse of unsorted valid rows: %v", err)
	}
	if got := d.FullName("110101"); got != "北京市 东城区" {
		t.Errorf("FullName = %q", got)
	}
}

func TestLevelString(t *testing.T) {
	for l, want := range map[Level]string{LevelProvince: "province", LevelCity: "city", LevelDistrict: "district", 7: "Level(7)"} {
		if got := l.String(); got != want {
			t.Errorf("Level(%d).String() = %q, want %q", int(l), got, want)
		}
	}
}

func BenchmarkLookupPath(b *testing.B) {
	d, err := Load()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		_ = d.FullName("440305")
		_ = d.Covers("440000", "440305")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestIsAddressRegion(t *testing.T) {
	d := loadDirectory(t)
	for code, want := range map[string]bool{
		"440305": true,  // 南山区, a district
		"441900": true,  // 东莞市, a city without districts
		"440300": false, // 深圳市 has districts
		"440000": false, // a province
		"110100": false, // 市辖区, a grouping row
		"999999": false, // unknown
		"":       false,
	} {
		if got := d.IsAddressRegion(code); got != want {
			t.Errorf("IsAddressRegion(%q) = %v, want %v", code, got, want)
		}
	}
}
