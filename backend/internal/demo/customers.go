package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/customer"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/product"
	"github.com/aftersales/aftersales/backend/internal/region"
)

// DemoCustomers is the number of customers of the demo enterprise.
const DemoCustomers = 5000

// CustomerDeps are what the customer and unit demo needs.
type CustomerDeps struct {
	DB        *gorm.DB
	Customers *customer.Service
	Products  *product.Service
	Regions   *region.Directory
	Now       time.Time
	// Location is the business time zone (purchase dates are local dates).
	Location *time.Location
}

// DemoProvinces are the provinces the demo customers live in, with their
// weight (how many customers) and the area code of the capital for the
// landlines. The outlet network of the demo covers the same provinces.
var DemoProvinces = []struct {
	Code, Name, AreaCode string
	Weight               int
}{
	{"440000", "广东省", "020", 18},
	{"320000", "江苏省", "025", 13},
	{"330000", "浙江省", "0571", 12},
	{"370000", "山东省", "0531", 11},
	{"510000", "四川省", "028", 9},
	{"420000", "湖北省", "027", 8},
	{"410000", "河南省", "0371", 9},
	{"110000", "北京市", "010", 7},
	{"310000", "上海市", "021", 7},
	{"350000", "福建省", "0591", 6},
}

// SeedCustomers creates the demo customers (DemoCustomers of them, each
// with a mobile phone, some with a landline, an address in one of
// DemoProvinces) and their 1–2 units bought over the last three years. It
// does nothing when customers exist already. Products must be seeded first.
//
// The rows are bulk-inserted without audit records: seeded history is not
// a change anyone made.
func SeedCustomers(ctx context.Context, d CustomerDeps) error {
	n, err := d.Customers.CustomerCount(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	g, err := newCustomerGen(ctx, d, rand.New(rand.NewPCG(20260101, 3)))
	if err != nil {
		return err
	}
	g.landlines = true
	_, err = g.insert(ctx, d, DemoCustomers, g.demoPhone)
	return err
}

// ScaleRange is the id ranges of the customers and units in the database
// (dense: bulk seeding numbers them consecutively), for the bulk
// generators of other domains that custPick owners and units.
type ScaleRange struct {
	FirstCustomer, LastCustomer uint64
	FirstUnit, LastUnit         uint64
}

// ScaleCustomersFor is the number of customers `seed --scale` generates for
// a number of tickets: 300,000 for 1,000,000 tickets.
func ScaleCustomersFor(tickets int) int { return tickets * 3 / 10 }

// ScaleCustomers tops the customers up to ScaleCustomersFor(tickets), each
// with a mobile phone, an address and 1–2 units (about 1.3 per customer),
// seeding the demo catalogue first if needed. Rows go in with multi-row
// INSERTs, 10,000 customers per transaction, without audit records. It
// returns the id ranges of all customers and units afterwards.
func ScaleCustomers(ctx context.Context, d CustomerDeps, tickets int) (ScaleRange, error) {
	if err := SeedProducts(ctx, ProductDeps{Products: d.Products}); err != nil {
		return ScaleRange{}, err
	}
	have, err := d.Customers.CustomerCount(ctx)
	if err != nil {
		return ScaleRange{}, err
	}
	if want := int64(ScaleCustomersFor(tickets)); have < want {
		g, err := newCustomerGen(ctx, d, rand.New(rand.NewPCG(uint64(tickets), 7)))
		if err != nil {
			return ScaleRange{}, err
		}
		err = withLoader(ctx, d.DB, append(append([]string{}, customer.BulkTables...), product.Unit{}.TableName()), func(l *db.Loader) error {
			g.loader = l
			_, err := g.insert(ctx, d, int(want-have), custScalePhone)
			return err
		})
		if err != nil {
			return ScaleRange{}, err
		}
	}
	return ScaleRangeOf(ctx, d.DB)
}

// withLoader runs load with a bulk loader, the non-unique indexes of
// tables dropped for the load and rebuilt after it (also when it fails).
func withLoader(ctx context.Context, g *gorm.DB, tables []string, load func(l *db.Loader) error) (err error) {
	idx, err := db.DeferIndexes(ctx, g, tables...)
	// Deferred after the loader's Close below, so it runs once every
	// queued chunk is written.
	defer func() { err = errors.Join(err, idx.Restore(context.WithoutCancel(ctx))) }()
	if err != nil {
		return err
	}
	l, err := db.NewLoader(ctx, g)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, l.Close()) }()
	return load(l)
}

// ScaleRangeOf returns the id ranges of the customers and units present.
func ScaleRangeOf(ctx context.Context, db *gorm.DB) (ScaleRange, error) {
	var r ScaleRange
	row := db.WithContext(ctx).Model(&customer.Customer{}).Select("COALESCE(MIN(id), 0), COALESCE(MAX(id), 0)").Row()
	if err := row.Scan(&r.FirstCustomer, &r.LastCustomer); err != nil {
		return r, fmt.Errorf("customer id range: %w", err)
	}
	row = db.WithContext(ctx).Model(&product.Unit{}).Select("COALESCE(MIN(id), 0), COALESCE(MAX(id), 0)").Row()
	if err := row.Scan(&r.FirstUnit, &r.LastUnit); err != nil {
		return r, fmt.Errorf("unit id range: %w", err)
	}
	return r, nil
}

// customerGen generates customers and units deterministically from r.
type customerGen struct {
	r          *rand.Rand
	now        time.Time
	loc        *time.Location
	provinces  [][]string // per DemoProvinces entry: district codes (cities custWeighted)
	cityNames  map[string]string
	models     [][]catalogModel
	catWeights []int
	usedPhones map[string]bool
	// landlines gives some customers a landline too. The scale generator
	// leaves them out: its numbers are derived from ids so that they never
	// collide with the demo's, and random landlines could.
	landlines bool
	// loader, when set, writes the rows (seed --scale); else multi-row INSERTs.
	loader *db.Loader
}

func newCustomerGen(ctx context.Context, d CustomerDeps, r *rand.Rand) (*customerGen, error) {
	models, weights, err := catalogModels(ctx, d.Products)
	if err != nil {
		return nil, err
	}
	loc := d.Location
	if loc == nil {
		loc = time.UTC
	}
	now := d.Now
	if now.IsZero() {
		now = time.Now()
	}
	g := &customerGen{r: r, now: now.UTC(), loc: loc, models: models, catWeights: weights, cityNames: map[string]string{}, usedPhones: map[string]bool{}}
	for _, p := range DemoProvinces {
		codes := custAddressRegions(d.Regions, p.Code, g.cityNames)
		if len(codes) == 0 {
			return nil, fmt.Errorf("region directory has no districts under %s %s", p.Code, p.Name)
		}
		g.provinces = append(g.provinces, codes)
	}
	return g, nil
}

// custBigCities are large cities besides the provincial capitals; like
// the capitals they get four times the customers of other cities.
var custBigCities = map[string]bool{"440300": true, "440600": true, "441900": true, "320500": true, "320200": true,
	"330200": true, "370200": true, "350200": true}

// custAddressRegions lists the districts of a province (and cities without
// districts), listing those of the provincial capital (the first city) and
// of custBigCities four times, so that customers cluster where people live.
func custAddressRegions(dir *region.Directory, province string, cityNames map[string]string) []string {
	var out []string
	provName := dir.FullName(province)
	for i, city := range dir.Children(province) {
		districts := dir.Children(city.Code)
		codes := []string{city.Code}
		if len(districts) > 0 {
			codes = codes[:0]
			for _, dd := range districts {
				codes = append(codes, dd.Code)
				switch {
				case !city.IsGrouping():
					cityNames[dd.Code] = city.Name
				case strings.HasSuffix(dd.Name, "市"): // 仙桃市, directly under the province
					cityNames[dd.Code] = dd.Name
				default: // a municipality's district
					cityNames[dd.Code] = provName
				}
			}
		} else {
			cityNames[city.Code] = city.Name
		}
		repeat := 1
		if i == 0 || custBigCities[city.Code] {
			repeat = 4
		}
		for k := 0; k < repeat; k++ {
			out = append(out, codes...)
		}
	}
	return out
}

// insert generates n customers numbered after the existing ones and their
// units, in chunks of 10,000 customers per transaction.
func (g *customerGen) insert(ctx context.Context, d CustomerDeps, n int, phone func(id uint64) string) (ScaleRange, error) {
	firstC, err := customer.MaxID(ctx, d.DB)
	if err != nil {
		return ScaleRange{}, err
	}
	firstU, err := product.MaxUnitID(ctx, d.DB)
	if err != nil {
		return ScaleRange{}, err
	}
	rng := ScaleRange{FirstCustomer: firstC + 1, FirstUnit: firstU + 1}
	nextC, nextU := firstC+1, firstU+1
	const chunk = 10000
	for done := 0; done < n; done += chunk {
		size := min(chunk, n-done)
		ps := make([]customer.Profile, 0, size)
		units := make([]product.Unit, 0, size*4/3)
		for i := 0; i < size; i++ {
			p, us := g.customer(nextC, &nextU, phone)
			ps = append(ps, p)
			units = append(units, us...)
			nextC++
		}
		if g.loader != nil {
			if err := customer.BulkLoad(ctx, g.loader, ps); err != nil {
				return rng, err
			}
			if err := product.BulkLoadUnits(ctx, g.loader, units); err != nil {
				return rng, err
			}
			continue
		}
		if err := customer.BulkInsert(ctx, d.DB, ps); err != nil {
			return rng, err
		}
		if err := product.BulkInsertUnits(ctx, d.DB, units); err != nil {
			return rng, err
		}
	}
	rng.LastCustomer, rng.LastUnit = nextC-1, nextU-1
	return rng, nil
}

// customer generates customer id with 1–2 units numbered from *nextUnit.
func (g *customerGen) customer(id uint64, nextUnit *uint64, phone func(id uint64) string) (customer.Profile, []product.Unit) {
	r := g.r
	prov := custWeighted(r, len(DemoProvinces), func(i int) int { return DemoProvinces[i].Weight })
	regionCode := custPick(r, g.provinces[prov])

	nUnits := 1
	if r.IntN(10) < 3 {
		nUnits = 2
	}
	var units []product.Unit
	var firstSeen time.Time
	for k := 0; k < nUnits; k++ {
		u := g.unit(*nextUnit, id)
		*nextUnit++
		units = append(units, u)
		if firstSeen.IsZero() || u.CreatedAt.Before(firstSeen) {
			firstSeen = u.CreatedAt
		}
	}

	kind, name := customer.KindPerson, custPersonName(r)
	if r.IntN(100) < 3 {
		kind, name = customer.KindCompany, custCompanyName(r, g.cityNames[regionCode])
	}
	p := customer.Profile{
		Customer: customer.Customer{ID: id, Name: name, Kind: kind, ConsentSMS: r.IntN(100) < 80, ConsentSurvey: r.IntN(100) < 70,
			ConsentMarketing: r.IntN(100) < 25, Version: 1, CreatedAt: firstSeen, UpdatedAt: firstSeen},
		Phones: []customer.Phone{{Number: phone(id), Kind: customer.PhoneMobile, Label: "本人", IsPrimary: true, CreatedAt: firstSeen}},
		Addresses: []customer.Address{{RegionCode: regionCode, Detail: custStreetAddress(r, kind), IsDefault: true,
			CreatedAt: firstSeen}},
	}
	if kind == customer.KindCompany {
		p.Phones[0].Label = "联系人"
	}
	// Some households also leave a landline.
	if g.landlines && r.IntN(100) < 6 {
		if l := g.landline(DemoProvinces[prov].AreaCode); l != "" {
			p.Phones = append(p.Phones, customer.Phone{Number: l, Kind: customer.PhoneLandline, Label: "家里", CreatedAt: firstSeen})
		}
	}
	return p, units
}

// unit generates one unit bought within the last three years.
func (g *customerGen) unit(id, owner uint64) product.Unit {
	r := g.r
	cat := custWeighted(r, len(g.models), func(i int) int { return g.catWeights[i] })
	m := custPick(r, g.models[cat])
	today := product.LocalDate(g.now, g.loc)
	bought := today.AddDate(0, 0, -r.IntN(3*365))
	produced := bought.AddDate(0, 0, -(10 + r.IntN(140)))
	lot := fmt.Sprintf("L%s%c", produced.Format("0601"), 'A'+rune(r.IntN(4)))
	u := product.Unit{ID: id, Serial: fmt.Sprintf("%s%s%08d", m.prefix, produced.Format("0601"), id), ModelID: m.id, CustomerID: &owner,
		ProductionLot: lot, ProductionDate: &produced, Version: 1}
	// Registered when sold (the sales feed) or at installation.
	u.CreatedAt = bought.Add(time.Duration(10+r.IntN(10)) * time.Hour).Add(-8 * time.Hour)
	switch x := r.IntN(100); {
	case x < 2: // no purchase date known: warranty "unknown" until proof is shown
	case x < 7: // a date but no proof kept
		u.PurchaseDate = &bought
	default:
		u.PurchaseDate = &bought
		u.PurchaseProof = custPurchaseProof(r, bought)
	}
	if m.installed {
		at := bought.AddDate(0, 0, r.IntN(4)).Add(time.Duration(9+r.IntN(9))*time.Hour - 8*time.Hour).Add(time.Duration(r.IntN(60)) * time.Minute)
		if !at.After(g.now) { // bought in the last days: not installed yet
			u.InstalledAt = &at
			if at.After(u.CreatedAt) {
				u.CreatedAt = at
			}
		}
	}
	if u.CreatedAt.After(g.now) {
		u.CreatedAt = g.now.Add(-time.Hour)
	}
	u.UpdatedAt = u.CreatedAt
	return u
}

// Mobile prefixes of the demo customers; the scale generator uses the
// disjoint set below, so scale data never collides with the demo's phones.
var (
	custMobilePrefixes = []string{"130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152", "153",
		"155", "156", "157", "158", "159", "166", "177", "180", "181", "182", "183", "184", "185", "186", "187", "188", "189", "191", "198", "199"}
	custScaleMobilePrefixes = []string{"145", "147", "162", "165", "167", "171", "172", "173", "175", "176", "178", "192", "193", "195", "196", "197"}
)

// demoPhone draws a random unused mobile number.
func (g *customerGen) demoPhone(uint64) string {
	for {
		n := custPick(g.r, custMobilePrefixes) + fmt.Sprintf("%08d", g.r.IntN(100_000_000))
		if !g.usedPhones[n] {
			g.usedPhones[n] = true
			return n
		}
	}
}

// custScalePhone derives a mobile number from the customer id: the prefix
// cycles through custScaleMobilePrefixes and the last eight digits are a
// bijection of id/16 modulo 10^8 (48271 is prime to 10^8), so numbers are
// unique for any id below 1.6 billion, without remembering them.
func custScalePhone(id uint64) string {
	k := len(custScaleMobilePrefixes)
	x := (id/uint64(k)*48271 + 12345) % 100_000_000
	return custScaleMobilePrefixes[id%uint64(k)] + fmt.Sprintf("%08d", x)
}

// landline draws an unused landline of the capital (area code + 8 digits).
func (g *customerGen) landline(area string) string {
	for tries := 0; tries < 10; tries++ {
		n := fmt.Sprintf("%s-%d%07d", area, 2+g.r.IntN(7), g.r.IntN(10_000_000))
		if !g.usedPhones[n] {
			g.usedPhones[n] = true
			return n
		}
	}
	return ""
}

var (
	// Common custSurnames, roughly in order of frequency, with weights.
	custSurnames = []struct {
		s string
		w int
	}{
		{"王", 72}, {"李", 71}, {"张", 68}, {"刘", 54}, {"陈", 46}, {"杨", 31}, {"黄", 23}, {"赵", 20}, {"吴", 20}, {"周", 19},
		{"徐", 14}, {"孙", 13}, {"马", 12}, {"朱", 12}, {"胡", 11}, {"郭", 11}, {"何", 10}, {"林", 10}, {"高", 10}, {"罗", 9},
		{"郑", 9}, {"梁", 8}, {"谢", 7}, {"宋", 6}, {"唐", 6}, {"许", 6}, {"韩", 6}, {"邓", 6}, {"冯", 6}, {"曹", 5},
		{"彭", 5}, {"曾", 5}, {"肖", 5}, {"田", 5}, {"董", 5}, {"潘", 4}, {"袁", 4}, {"蔡", 4}, {"蒋", 4}, {"余", 4},
		{"于", 4}, {"杜", 4}, {"叶", 4}, {"程", 4}, {"魏", 3}, {"苏", 3}, {"吕", 3}, {"丁", 3}, {"任", 3}, {"卢", 3},
		{"姚", 3}, {"沈", 3}, {"钟", 3}, {"姜", 3}, {"崔", 3}, {"谭", 3}, {"陆", 3}, {"范", 2}, {"汪", 2}, {"廖", 2},
		{"石", 2}, {"金", 2}, {"韦", 2}, {"贾", 2}, {"夏", 2}, {"付", 2}, {"方", 2}, {"邹", 2}, {"熊", 2}, {"白", 2},
		{"孟", 2}, {"秦", 2}, {"邱", 2}, {"侯", 2}, {"江", 2}, {"尹", 2}, {"薛", 2}, {"闫", 2}, {"段", 2}, {"雷", 2},
		{"龙", 1}, {"黎", 1}, {"史", 1}, {"陶", 1}, {"贺", 1}, {"毛", 1}, {"郝", 1}, {"顾", 1}, {"龚", 1}, {"邵", 1},
		{"万", 1}, {"覃", 1}, {"武", 1}, {"钱", 1}, {"戴", 1}, {"严", 1}, {"欧阳", 1}, {"上官", 1}, {"司马", 1}, {"诸葛", 1},
	}
	// Given names: single characters and common two-character names of
	// several generations.
	custGivenOne = []string{"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "霞",
		"平", "刚", "华", "丹", "玲", "红", "斌", "鹏", "辉", "健", "波", "宁", "琳", "雪", "梅", "婷", "亮", "飞", "鑫", "凯", "浩", "颖"}
	custGivenTwo = []string{"秀英", "桂英", "建华", "建国", "志强", "海燕", "晓明", "子轩", "浩然", "欣怡", "梓涵", "一诺", "宇航", "思远",
		"佳怡", "俊杰", "雨欣", "婷婷", "文博", "嘉怡", "晨阳", "浩宇", "紫涵", "家豪", "志伟", "丽娟", "春梅", "国强", "红梅", "玉兰",
		"建军", "晓燕", "海涛", "文静", "明辉", "雅琴", "淑珍", "振华", "立新", "慧敏", "晓东", "永刚", "秀兰", "金凤", "德华", "美玲"}
	custCompanyWords = []string{"恒达", "金源", "华美", "鸿运", "新星", "宏图", "嘉禾", "永安", "瑞丰", "天宇", "盛世", "远航", "福临", "锦程", "祥和"}
	custCompanyKinds = []string{"酒店管理有限公司", "餐饮管理有限公司", "物业服务有限公司", "商贸有限公司", "科技有限公司", "实业有限公司", "幼儿园", "健身服务有限公司"}
	custStreets      = []string{"人民路", "解放路", "中山路", "建设路", "和平路", "新华路", "胜利路", "文化路", "光明路", "长江路", "黄河路", "朝阳路",
		"东风路", "青年路", "工业大道", "科技路", "滨江路", "湖滨路", "学府路", "府前街", "迎宾大道", "幸福路", "南京路", "北京路", "花园路"}
	custEstates = []string{"阳光花园", "锦绣家园", "翠湖苑", "金色家园", "幸福里", "华府", "名都", "春江花园", "世纪新城", "御景湾", "丽水湾", "书香门第",
		"绿地小区", "东方明珠苑", "桂花园", "龙湖苑", "滨江一号", "未来城", "香樟园", "和谐家园"}
	custProofs = []string{"电子发票", "增值税普通发票", "京东订单", "天猫订单", "苏宁订单", "门店销售小票", "国美订单"}
)

func custPersonName(r *rand.Rand) string {
	s := custSurnames[custWeighted(r, len(custSurnames), func(i int) int { return custSurnames[i].w })].s
	if r.IntN(100) < 30 {
		return s + custPick(r, custGivenOne)
	}
	return s + custPick(r, custGivenTwo)
}

// custCompanyName names a company after its city as registered: 成都市…,
// 凉山彝族自治州….
func custCompanyName(r *rand.Rand, city string) string {
	return city + custPick(r, custCompanyWords) + custPick(r, custCompanyKinds)
}

func custStreetAddress(r *rand.Rand, kind customer.Kind) string {
	if kind == customer.KindCompany {
		return fmt.Sprintf("%s %d 号 %s大厦 %d 层", custPick(r, custStreets), 1+r.IntN(600), custPick(r, custCompanyWords), 1+r.IntN(30))
	}
	return fmt.Sprintf("%s %d 号 %s %d 栋 %d 单元 %d%02d 室", custPick(r, custStreets), 1+r.IntN(999), custPick(r, custEstates),
		1+r.IntN(30), 1+r.IntN(4), 1+r.IntN(32), 1+r.IntN(6))
}

func custPurchaseProof(r *rand.Rand, bought time.Time) string {
	kind := custPick(r, custProofs)
	switch kind {
	case "电子发票", "增值税普通发票":
		return fmt.Sprintf("%s No.%08d", kind, r.IntN(100_000_000))
	case "门店销售小票":
		return fmt.Sprintf("%s %s-%04d", kind, bought.Format("20060102"), r.IntN(10000))
	}
	return fmt.Sprintf("%s %d%010d", kind, 2+r.IntN(7), r.Int64N(10_000_000_000))
}

func custPick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// custWeighted draws an index in [0, n) with probability proportional to w(i).
func custWeighted(r *rand.Rand, n int, w func(i int) int) int {
	total := 0
	for i := 0; i < n; i++ {
		total += w(i)
	}
	x := r.IntN(total)
	for i := 0; i < n; i++ {
		if x -= w(i); x < 0 {
			return i
		}
	}
	return n - 1
}
