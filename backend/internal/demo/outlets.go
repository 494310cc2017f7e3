package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/auth"
	"github.com/aftersales/aftersales/backend/internal/outlet"
	"github.com/aftersales/aftersales/backend/internal/region"
)

// OutletDeps are what the outlet and staff seeding uses.
type OutletDeps struct {
	DB      *gorm.DB
	Outlets *outlet.Service
	Regions *region.Directory
	Auth    *auth.Service // for linking the demo outlet logins
}

// cityPlan places outlets in one city (or one district of a municipality).
type cityPlan struct {
	Code     string
	Outlets  int
	Area     string // telephone area code
	Lat, Lon float64
}

// provincePlan lists a province's outlet cities; the first outlet of Hub
// also covers the whole province, so every address there has a candidate.
type provincePlan struct {
	Code   string
	Hub    string
	Cities []cityPlan
}

// networkPlan is the demo network: 60 outlets in ten provinces. 深圳 comes
// first so that outlet 1, where the demo outlet users work, is in 深圳.
var networkPlan = []provincePlan{
	{"440000", "440100", []cityPlan{{"440300", 3, "0755", 22.543, 114.058}, {"440100", 3, "020", 23.129, 113.264}, {"440600", 1, "0757", 23.022, 113.122},
		{"441900", 1, "0769", 23.021, 113.752}, {"440400", 1, "0756", 22.271, 113.577}, {"441300", 1, "0752", 23.112, 114.416},
		{"440500", 1, "0754", 23.354, 116.682}, {"440700", 1, "0750", 22.579, 113.082}}},
	{"320000", "320100", []cityPlan{{"320100", 2, "025", 32.060, 118.797}, {"320500", 2, "0512", 31.299, 120.585}, {"320200", 1, "0510", 31.491, 120.312},
		{"320400", 1, "0519", 31.811, 119.974}, {"320600", 1, "0513", 31.980, 120.894}}},
	{"330000", "330100", []cityPlan{{"330100", 2, "0571", 30.274, 120.155}, {"330200", 2, "0574", 29.868, 121.544}, {"330300", 1, "0577", 27.994, 120.699},
		{"330700", 1, "0579", 29.079, 119.647}, {"330600", 1, "0575", 30.030, 120.580}}},
	{"370000", "370100", []cityPlan{{"370100", 2, "0531", 36.651, 117.120}, {"370200", 2, "0532", 36.067, 120.383}, {"370600", 1, "0535", 37.464, 121.448},
		{"370700", 1, "0536", 36.707, 119.161}}},
	{"510000", "510100", []cityPlan{{"510100", 3, "028", 30.573, 104.066}, {"510700", 1, "0816", 31.468, 104.679}, {"511300", 1, "0817", 30.837, 106.110}}},
	{"420000", "420100", []cityPlan{{"420100", 3, "027", 30.593, 114.305}, {"420500", 1, "0717", 30.692, 111.286}, {"420600", 1, "0710", 32.009, 112.122}}},
	{"410000", "410100", []cityPlan{{"410100", 2, "0371", 34.747, 113.625}, {"410300", 1, "0379", 34.619, 112.454}, {"410700", 1, "0373", 35.303, 113.927},
		{"411300", 1, "0377", 32.991, 112.528}}},
	{"110000", "110105", []cityPlan{{"110105", 1, "010", 39.921, 116.443}, {"110108", 1, "010", 39.960, 116.298}, {"110106", 1, "010", 39.858, 116.287},
		{"110114", 1, "010", 40.221, 116.231}}},
	{"310000", "310115", []cityPlan{{"310115", 1, "021", 31.221, 121.544}, {"310104", 1, "021", 31.188, 121.437}, {"310112", 1, "021", 31.112, 121.382},
		{"310113", 1, "021", 31.405, 121.490}, {"310107", 1, "021", 31.249, 121.397}}},
	{"350000", "350100", []cityPlan{{"350100", 2, "0591", 26.074, 119.296}, {"350200", 1, "0592", 24.480, 118.089}, {"350500", 1, "0595", 24.874, 118.676}}},
}

var (
	surnames   = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万严武戴莫孔汤")
	givenNames = []string{"伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞", "平", "刚", "辉", "鹏",
		"秀英", "桂英", "建华", "志强", "海燕", "晓东", "文博", "子豪", "浩然", "雨涵", "俊杰", "欣怡", "宇航", "思远", "建国", "国强",
		"红梅", "丽娟", "春燕", "小龙", "永刚", "德明", "志伟", "海涛", "金凤", "立新", "玉兰", "少华", "家豪", "晨曦"}
	streets   = []string{"人民路", "解放路", "中山路", "建设路", "科技路", "工业大道", "新华路", "长江路", "黄河路", "环城东路", "文化路", "迎宾大道", "滨江路", "和平路", "光明街"}
	partners  = []string{"顺达", "鑫诚", "万家", "惠民", "安泰", "恒通", "诚信", "华安", "金牌", "优家", "佳联", "德信", "益民", "正泰", "宏达"}
	partnerTy = []string{"家电服务有限公司", "电器维修服务部", "家电安装服务有限公司", "机电服务有限公司"}
	courses   = []struct {
		Name  string
		Hours float64
	}{{"新员工入职培训", 16}, {"售后服务规范与礼仪", 4}, {"安全用电与防护", 4}, {"空调安装规范", 8}, {"新品技术培训", 6}, {"投诉处理技巧", 3},
		{"三包政策解读", 2}, {"高处作业安全", 4}, {"客户信息保护", 2}, {"GB/T 27922 标准宣贯", 3}}
)

// Fixed identities of the demo outlet users' staff rows at outlet 1.
const (
	demoManagerPhone    = "13802550001"
	demoTechnicianPhone = "13802550002"
)

type certPlan struct {
	staff int // index into the staff slice
	cert  outlet.StaffCertificate
}

type trainingPlan struct {
	staff int
	t     outlet.StaffTraining
}

// networkGen carries the generator's state.
type networkGen struct {
	rng       *rand.Rand
	today     time.Time
	now       time.Time
	regions   *region.Directory
	phones    map[string]bool
	names     map[string]bool // outlet names given so far: each is unique
	staff     []outlet.StaffMember
	certs     []certPlan
	trainings []trainingPlan
	certSeq   int
}

func (g *networkGen) name() string {
	return string(surnames[g.rng.IntN(len(surnames))]) + givenNames[g.rng.IntN(len(givenNames))]
}

// mobile returns a unique, valid mainland mobile number. 199 is left to the
// scale generator.
func (g *networkGen) mobile() string {
	prefixes := []string{"130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156", "157", "158", "159", "176", "177", "180", "181", "186", "187", "188", "189"}
	for {
		p := fmt.Sprintf("%s%08d", prefixes[g.rng.IntN(len(prefixes))], g.rng.IntN(100_000_000))
		if !g.phones[p] {
			g.phones[p] = true
			return p
		}
	}
}

func (g *networkGen) daysAgo(minDays, maxDays int) *time.Time {
	d := g.today.AddDate(0, 0, -(minDays + g.rng.IntN(maxDays-minDays+1)))
	return &d
}

// addStaff appends a staff member and returns its index.
func (g *networkGen) addStaff(name string, outletID *uint64, dept, post string, mgmt bool, phone string) int {
	if phone == "" {
		phone = g.mobile()
	}
	g.staff = append(g.staff, outlet.StaffMember{Name: name, OutletID: outletID, HQDepartment: dept, Post: post, PostKind: demoPosts.Kind(post), IsServiceManagement: mgmt,
		Phone: phone, Active: true, HiredAt: g.daysAgo(180, 12*365), Version: 1, CreatedAt: g.now, UpdatedAt: g.now})
	return len(g.staff) - 1
}

// demoPosts classifies the demo's post titles (the shipped defaults).
var demoPosts, _ = outlet.NewPostIndex(outlet.DefaultPostTitles())

// tradeCerts gives field staff their trade certificates (特种作业操作证,
// valid six years): most hold at least one, some have lapsed, a few end
// within three months.
func (g *networkGen) tradeCerts(i int, regionCode string) {
	post := g.staff[i].Post
	if post != outlet.PostTechnician && post != outlet.PostInstaller {
		return
	}
	if g.rng.Float64() < 0.15 {
		return // no certificate at all: what staff sampling (5.1.2.1) finds
	}
	kinds := []string{outlet.CertElectrician}
	if g.rng.Float64() < 0.5 {
		kinds = append(kinds, outlet.CertRefrigeration)
	}
	if post == outlet.PostInstaller || g.rng.Float64() < 0.3 {
		kinds = append(kinds, outlet.CertHeightWork)
	}
	for _, k := range kinds {
		g.certSeq++
		issued := g.daysAgo(30, 7*365)
		if g.rng.Float64() < 0.06 {
			// Ends within the next three months: renew soon.
			d := g.today.AddDate(-6, 0, 20+g.rng.IntN(60))
			issued = &d
		}
		expires := issued.AddDate(6, 0, -1)
		g.certs = append(g.certs, certPlan{staff: i, cert: outlet.StaffCertificate{Kind: k, Number: fmt.Sprintf("T%s%08d", regionCode, g.certSeq),
			IssuedAt: *issued, ExpiresAt: &expires, CreatedAt: g.now}})
	}
}

// trainingsFor gives a person 1–4 courses over the last year; about one in
// eight has had none.
func (g *networkGen) trainingsFor(i int) {
	if g.rng.Float64() < 0.12 {
		return
	}
	n := 1 + g.rng.IntN(4)
	for _, k := range g.rng.Perm(len(courses))[:n] {
		c := courses[k]
		g.trainings = append(g.trainings, trainingPlan{staff: i, t: outlet.StaffTraining{Course: c.Name, Hours: c.Hours,
			CompletedAt: *g.daysAgo(5, 360), Passed: g.rng.Float64() < 0.93, CreatedAt: g.now}})
	}
}

func (g *networkGen) managerCert(i int, issued time.Time, expires time.Time) {
	g.certSeq++
	g.certs = append(g.certs, certPlan{staff: i, cert: outlet.StaffCertificate{Kind: outlet.CertServiceManager,
		Number: fmt.Sprintf("SHFW-GLS-%d-%05d", issued.Year(), g.certSeq), IssuedAt: issued, ExpiresAt: &expires, CreatedAt: g.now}})
}

// SeedOutlets creates the demo service network if there is no outlet yet:
// about 60 outlets (own and entrusted; some entrusted contracts expired or
// ending soon, two outlets suspended), each covering its city or some
// districts and authorised for most product categories; about 400 staff
// of whom 12–15% are service-management staff; trade certificates;
// fewer 售后服务管理师 certificates than the 10% rule needs (some ending
// within three months), and training over the last year. Outlet 1 is an
// own, active outlet in 深圳 covering the city's districts.
//
// Seeded history is bulk-inserted with CreateInBatches and not audited row
// by row: it is the starting state of the demo, not a change anyone made.
func SeedOutlets(ctx context.Context, d OutletDeps) error {
	db := d.DB.WithContext(ctx)
	var n int64
	if err := db.Model(&outlet.Outlet{}).Count(&n).Error; err != nil {
		return fmt.Errorf("count outlets: %w", err)
	}
	if n > 0 {
		return nil
	}
	cats, err := productCategoryIDs(db)
	if err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Second)
	g := &networkGen{rng: rand.New(rand.NewPCG(27922, 2011)), today: d.Outlets.Today(), now: now, regions: d.Regions, phones: map[string]bool{}, names: map[string]bool{}}
	var (
		outlets  []outlet.Outlet
		coverage []outlet.OutletCoverage
		authz    []outlet.OutletCategory
	)
	entrusted := 0
	for _, prov := range networkPlan {
		for _, city := range prov.Cities {
			districts := d.Regions.Children(city.Code)
			muni := len(districts) == 0 && d.Regions.Path(city.Code)[0].Code != city.Code && len(d.Regions.Path(city.Code)) == 3
			for k := 0; k < city.Outlets; k++ {
				id := uint64(len(outlets) + 1)
				hub := city.Code == prov.Hub && k == 0
				var where string
				var cov []string
				switch {
				case muni:
					// A district of 北京 or 上海: it and its neighbours.
					where = city.Code
					sib := d.Regions.Children(d.Regions.Path(city.Code)[1].Code)
					at := slices.IndexFunc(sib, func(r region.Region) bool { return r.Code == city.Code })
					cov = []string{city.Code}
					for _, off := range []int{1, 2} {
						cov = append(cov, sib[(at+off)%len(sib)].Code)
					}
				case len(districts) == 0:
					where, cov = city.Code, []string{city.Code} // 东莞: no districts
				case city.Outlets == 1:
					where, cov = districts[g.rng.IntN(len(districts))].Code, []string{city.Code}
				case id == 1:
					// The demo outlet serves every district of 深圳.
					where = "440305"
					for _, r := range districts {
						cov = append(cov, r.Code)
					}
				default:
					for j, r := range districts {
						if j%city.Outlets == k {
							cov = append(cov, r.Code)
						}
					}
					where = cov[0]
				}
				if hub {
					cov = append(cov, prov.Code)
				}
				o := g.outlet(id, city, where, hub || id == 1, &entrusted)
				o.Name = uniqueName(g.names, o.Name)
				outlets = append(outlets, o)
				for _, c := range cov {
					coverage = append(coverage, outlet.OutletCoverage{OutletID: id, RegionCode: c})
				}
				for _, c := range cats {
					// Most categories: a few partners are not authorised for one or two.
					if id != 1 && o.Kind == outlet.KindEntrusted && g.rng.Float64() < 0.12 {
						continue
					}
					authz = append(authz, outlet.OutletCategory{OutletID: id, CategoryID: c})
				}
				g.outletStaff(o, city)
			}
		}
	}
	g.hqStaff()
	g.managerCertificates()
	return d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.CreateInBatches(outlets, 500).Error; err != nil {
			return fmt.Errorf("outlets: %w", err)
		}
		if err := tx.CreateInBatches(coverage, 1000).Error; err != nil {
			return fmt.Errorf("coverage: %w", err)
		}
		if len(authz) > 0 {
			if err := tx.CreateInBatches(authz, 1000).Error; err != nil {
				return fmt.Errorf("categories: %w", err)
			}
		}
		if err := tx.CreateInBatches(g.staff, 500).Error; err != nil {
			return fmt.Errorf("staff: %w", err)
		}
		certs := make([]outlet.StaffCertificate, len(g.certs))
		for i, c := range g.certs {
			c.cert.StaffID = g.staff[c.staff].ID
			certs[i] = c.cert
		}
		if err := tx.CreateInBatches(certs, 500).Error; err != nil {
			return fmt.Errorf("certificates: %w", err)
		}
		trainings := make([]outlet.StaffTraining, len(g.trainings))
		for i, t := range g.trainings {
			t.t.StaffID = g.staff[t.staff].ID
			trainings[i] = t.t
		}
		if err := tx.CreateInBatches(trainings, 500).Error; err != nil {
			return fmt.Errorf("trainings: %w", err)
		}
		return nil
	})
}

// productCategoryIDs reads the product categories the product seeding
// created (a read-only demo lookup; none yet means outlets get none).
func productCategoryIDs(db *gorm.DB) ([]uint64, error) {
	if !db.Migrator().HasTable("product_categories") {
		return nil, nil
	}
	var ids []uint64
	if err := db.Table("product_categories").Order("id").Pluck("id", &ids).Error; err != nil {
		return nil, fmt.Errorf("read product categories: %w", err)
	}
	return ids, nil
}

// branchNumerals number a second, third … outlet of the same name.
var branchNumerals = []string{"二", "三", "四", "五", "六", "七", "八", "九", "十"}

// uniqueName returns name, or when taken name with a branch suffix (二店,
// 三店 …), and marks the result taken: a partner may run two outlets in one
// city, but the network must tell them apart by name (dispatch lists,
// timelines, reports).
func uniqueName(taken map[string]bool, name string) string {
	n := name
	for i := 0; taken[n]; i++ {
		if i < len(branchNumerals) {
			n = name + branchNumerals[i] + "店"
		} else {
			n = fmt.Sprintf("%s%d店", name, i+2)
		}
	}
	taken[n] = true
	return n
}

// outlet builds one demo outlet.
func (g *networkGen) outlet(id uint64, city cityPlan, where string, own bool, entrusted *int) outlet.Outlet {
	r, _ := g.regions.Lookup(where)
	cityName := g.regions.Path(city.Code)[len(g.regions.Path(city.Code))-1].Name
	if len(g.regions.Path(city.Code)) == 3 { // municipality district: use the municipality's name
		cityName = g.regions.Path(city.Code)[0].Name
	}
	short := []rune(cityName)
	short = short[:len(short)-1] // 深圳市 → 深圳
	district := r.Name
	if where == city.Code && len(g.regions.Path(city.Code)) == 2 {
		district = ""
	}
	o := outlet.Outlet{ID: id, Code: fmt.Sprintf("WD%04d", id), RegionCode: where, DailyCapacity: 10 + g.rng.IntN(31),
		Status: outlet.StatusActive, Version: 1, CreatedAt: g.now, UpdatedAt: g.now,
		Address: fmt.Sprintf("%s%s%s%d号", cityName, district, streets[g.rng.IntN(len(streets))], 1+g.rng.IntN(399)),
		Phone:   fmt.Sprintf("%s-%d", city.Area, 80000000+g.rng.IntN(9999999))}
	lat, lon := city.Lat+(g.rng.Float64()-0.5)*0.1, city.Lon+(g.rng.Float64()-0.5)*0.1
	o.Latitude, o.Longitude = &lat, &lon
	if own || g.rng.Float64() < 0.3 {
		o.Kind = outlet.KindOwn
		o.Name = fmt.Sprintf("%s%s服务中心", string(short), district)
		o.DailyCapacity += 20
		return o
	}
	j := *entrusted
	*entrusted++
	o.Kind = outlet.KindEntrusted
	o.Name = fmt.Sprintf("%s%s%s", string(short), partners[g.rng.IntN(len(partners))], partnerTy[g.rng.IntN(len(partnerTy))])
	var to time.Time
	switch {
	case j%11 == 3:
		to = g.today.AddDate(0, 0, -(15 + g.rng.IntN(100))) // lapsed, not renewed
	case j%9 == 4:
		to = g.today.AddDate(0, 0, 10+g.rng.IntN(45)) // ends within 60 days
	default:
		to = g.today.AddDate(0, 4+g.rng.IntN(26), 0)
	}
	from := to.AddDate(-2-g.rng.IntN(2), 0, 1)
	o.ContractNo = fmt.Sprintf("WT-%d-%03d", from.Year(), id)
	o.ContractValidFrom, o.ContractValidTo = &from, &to
	switch j {
	case 3:
		o.Status, o.StatusReason = outlet.StatusSuspended, "委托合同到期未续签"
	case 7:
		o.Status, o.StatusReason = outlet.StatusSuspended, "服务质量整改"
	}
	return o
}

// outletStaff staffs one outlet: a manager, 3–5 technicians (more at own
// outlets), 0–2 installers and sometimes a service agent. Managers of own
// outlets and about half of the partners' are service-management staff.
func (g *networkGen) outletStaff(o outlet.Outlet, city cityPlan) {
	id := o.ID
	mgrName, mgrPhone := g.name(), ""
	if id == 1 {
		mgrName, mgrPhone = "李强", demoManagerPhone
	}
	mgmt := o.Kind == outlet.KindOwn || g.rng.Float64() < 0.55
	i := g.addStaff(mgrName, &id, "", outlet.PostOutletManager, mgmt, mgrPhone)
	g.trainingsFor(i)
	techs := 3 + g.rng.IntN(2)
	if o.Kind == outlet.KindOwn {
		techs++
	}
	for k := 0; k < techs; k++ {
		name, phone := g.name(), ""
		if id == 1 && k == 0 {
			name, phone = "张伟", demoTechnicianPhone
		}
		i := g.addStaff(name, &id, "", outlet.PostTechnician, false, phone)
		g.tradeCerts(i, o.RegionCode)
		g.trainingsFor(i)
	}
	for k := g.rng.IntN(3); k > 0; k-- {
		i := g.addStaff(g.name(), &id, "", outlet.PostInstaller, false, "")
		g.tradeCerts(i, o.RegionCode)
		g.trainingsFor(i)
	}
	if g.rng.Float64() < 0.4 {
		i := g.addStaff(g.name(), &id, "", outlet.PostCustomerAgent, false, "")
		g.trainingsFor(i)
	}
}

// hqStaff adds the HQ departments: after-sales management, the hotline,
// quality, training, spare parts and technical support.
func (g *networkGen) hqStaff() {
	for _, d := range []struct {
		dept, post string
		n, mgmt    int
	}{
		{"售后服务部", outlet.PostServiceManager, 3, 3},
		{"客户服务中心", "客服主管", 2, 2},
		{"客户服务中心", outlet.PostCustomerAgent, 8, 0},
		{"质量部", outlet.PostQuality, 3, 3},
		{"培训部", outlet.PostTrainer, 2, 1},
		{"备件中心", "备件专员", 3, 0},
		{"技术支持部", "技术工程师", 3, 0},
	} {
		for k := 0; k < d.n; k++ {
			i := g.addStaff(g.name(), nil, d.dept, d.post, k < d.mgmt, "")
			g.trainingsFor(i)
		}
	}
}

// managerCertificates hands out 售后服务管理师 certificates: four valid
// ones among the management staff (two ending within three months), one
// lapsed, and one held by a technical engineer who is not management and so
// does not count. That is below the 10% the standard asks for.
func (g *networkGen) managerCertificates() {
	var mgmt []int
	engineer := -1
	for i, m := range g.staff {
		if m.IsServiceManagement {
			mgmt = append(mgmt, i)
		}
		if m.Post == "技术工程师" && engineer < 0 {
			engineer = i
		}
	}
	if len(mgmt) < 6 {
		return
	}
	hq := func(k int) int { // the k-th management person at HQ
		n := 0
		for _, i := range mgmt {
			if g.staff[i].OutletID == nil {
				if n == k {
					return i
				}
				n++
			}
		}
		return mgmt[k]
	}
	t := g.today
	g.managerCert(hq(0), t.AddDate(-3, -2, 0), t.AddDate(1, 10, 0)) // 售后经理
	g.managerCert(mgmt[0], t.AddDate(-2, 0, 0), t.AddDate(2, 0, 0)) // 李强, outlet 1
	g.managerCert(hq(3), t.AddDate(-4, 0, 25), t.AddDate(0, 0, 25)) // ends in 25 days
	g.managerCert(mgmt[len(mgmt)/2], t.AddDate(-4, 2, 20), t.AddDate(0, 2, 20))
	g.managerCert(hq(1), t.AddDate(-4, -2, 0), t.AddDate(0, -2, 0)) // lapsed two months ago
	if engineer >= 0 {
		g.managerCert(engineer, t.AddDate(-1, 0, 0), t.AddDate(3, 0, 0))
	}
}

// LinkOutletLogins links the demo logins outlet_manager and technician to
// their staff rows at outlet 1 (李强 and 张伟), through the outlet service so
// the link is validated and audited. It is idempotent and does nothing when
// the users or the rows are missing.
func LinkOutletLogins(ctx context.Context, d OutletDeps) error {
	ctx = actor.With(ctx, actor.System("seed"))
	for _, l := range []struct{ username, phone string }{{"outlet_manager", demoManagerPhone}, {"technician", demoTechnicianPhone}} {
		u, err := d.Auth.FindByUsername(ctx, l.username)
		if apperr.IsKind(err, apperr.KindNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		list, _, err := d.Outlets.ListStaff(ctx, outlet.StaffFilter{Query: l.phone, Size: 1})
		if err != nil {
			return err
		}
		if len(list) == 0 || (list[0].UserID != nil && *list[0].UserID == u.ID) {
			continue
		}
		id := u.ID
		if _, err := d.Outlets.UpdateStaff(ctx, list[0].ID, outlet.StaffPatch{UserID: &id, Version: list[0].Version}); err != nil {
			return fmt.Errorf("link %s: %w", l.username, err)
		}
	}
	return nil
}
