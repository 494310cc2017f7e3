package outlet_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/i18n"
	"github.com/aftersales/aftersales/backend/internal/outlet"
	"github.com/aftersales/aftersales/backend/internal/region"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

var regions = func() *region.Directory {
	d, err := region.Load()
	if err != nil {
		panic(err)
	}
	return d
}()

func newService(g *gorm.DB, load map[uint64]int) *outlet.Service {
	return outlet.New(outlet.Options{DB: g, Audit: audit.New(nil), Regions: regions,
		LoadCounter: func(_ context.Context, ids []uint64, _ time.Time) (map[uint64]int, error) { return load, nil }})
}

func sysCtx() context.Context { return actor.With(context.Background(), actor.System("test")) }

func date(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &t
}

// own returns a valid own-outlet input.
func own(code string, coverage []string, cats []uint64, capacity int) outlet.NewOutlet {
	return outlet.NewOutlet{Code: code, Name: "网点 " + code, Kind: outlet.KindOwn, RegionCode: "440305", Address: "深圳市南山区科苑路1号",
		Phone: "0755-86001234", Coverage: coverage, CategoryIDs: cats, DailyCapacity: capacity}
}

func mustCreate(t *testing.T, s *outlet.Service, in outlet.NewOutlet) outlet.Outlet {
	t.Helper()
	o, err := s.Create(sysCtx(), in)
	if err != nil {
		t.Fatalf("create %s: %v", in.Code, err)
	}
	return o
}

func TestCandidatesRanking(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		load := map[uint64]int{}
		s := newService(g, load)
		ctx := sysCtx()
		today := s.Today()
		province := mustCreate(t, s, own("PROV", []string{"440000"}, []uint64{1}, 10))
		district := mustCreate(t, s, own("DIST", []string{"440305"}, []uint64{1, 2}, 10))
		cityBusy := mustCreate(t, s, own("CITY-B", []string{"440300"}, []uint64{1}, 10))
		cityIdle := mustCreate(t, s, own("CITY-C", []string{"440300"}, []uint64{1}, 10))
		// Same ratio as cityIdle (1/10 = 2/20): the code decides.
		cityTie := mustCreate(t, s, own("CITY-A", []string{"440300"}, []uint64{1}, 20))
		// Province and district rows: counted once, at the district level.
		both := mustCreate(t, s, own("BOTH", []string{"440000", "440305"}, []uint64{1}, 10))
		full := mustCreate(t, s, own("FULL", []string{"440305"}, []uint64{1}, 5))
		otherCat := mustCreate(t, s, own("CAT2", []string{"440305"}, []uint64{2}, 10))
		noCats := mustCreate(t, s, own("NOCAT", []string{"440305"}, nil, 10))
		suspended := mustCreate(t, s, own("SUSP", []string{"440305"}, []uint64{1}, 10))
		if _, err := s.Suspend(ctx, suspended.ID, "整改", 0); err != nil {
			t.Fatal(err)
		}
		expired := own("EXPIRED", []string{"440305"}, []uint64{1}, 10)
		expired.Kind, expired.ContractNo = outlet.KindEntrusted, "HT-1"
		expired.ContractValidFrom, expired.ContractValidTo = ptr(today.AddDate(-2, 0, 0)), ptr(today.AddDate(0, 0, -1))
		mustCreate(t, s, expired)
		entrusted := own("ENTR", []string{"440305"}, []uint64{1}, 10)
		entrusted.Kind, entrusted.ContractNo = outlet.KindEntrusted, "HT-2"
		entrusted.ContractValidFrom, entrusted.ContractValidTo = ptr(today.AddDate(-1, 0, 0)), ptr(today)
		entr := mustCreate(t, s, entrusted)
		excluded := mustCreate(t, s, own("EXCL", []string{"440305"}, []uint64{1}, 10))
		mustCreate(t, s, own("BEIJING", []string{"110000"}, []uint64{1}, 10))

		load[cityBusy.ID] = 9
		load[cityIdle.ID] = 1
		load[cityTie.ID] = 2
		load[full.ID] = 5
		load[both.ID] = 3
		load[entr.ID] = 1

		got, err := s.Candidates(ctx, "440305", 1, time.Now(), []uint64{excluded.ID})
		if err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, c := range got {
			codes = append(codes, fmt.Sprintf("%s/%d/%d", c.Code, c.CoverageLevel, c.Load))
		}
		want := []string{"DIST/3/0", "ENTR/3/1", "BOTH/3/3", "CITY-A/2/2", "CITY-C/2/1", "CITY-B/2/9", "PROV/1/0"}
		if strings.Join(codes, " ") != strings.Join(want, " ") {
			t.Fatalf("candidates\n got %v\nwant %v", codes, want)
		}
		_ = province
		_ = otherCat
		_ = noCats
		_ = district
		// Category 2: only the outlets authorised for it.
		got, err = s.Candidates(ctx, "440305", 2, time.Now(), nil)
		if err != nil || len(got) != 2 || got[0].Code != "CAT2" || got[1].Code != "DIST" {
			t.Fatalf("category 2: %+v %v", got, err)
		}
		// A district elsewhere in 广东 is served only by the province
		// outlets, the idle one first.
		got, err = s.Candidates(ctx, "440106", 1, time.Now(), nil)
		if err != nil || len(got) != 2 || got[0].Code != "PROV" || got[1].Code != "BOTH" || got[1].CoverageLevel != 1 {
			t.Fatalf("广州天河: %+v %v", got, err)
		}
		if _, err := s.Candidates(ctx, "999999", 1, time.Now(), nil); !apperr.IsKind(err, apperr.KindValidation) {
			t.Fatalf("unknown region: %v", err)
		}
	})
}

func ptr[T any](v T) *T { return &v }

func TestRank(t *testing.T) {
	cases := []struct {
		name string
		in   []outlet.Candidate
		want string
	}{
		{"district beats city beats province, whatever the load",
			[]outlet.Candidate{{Code: "P", CoverageLevel: 1, Capacity: 10}, {Code: "D", CoverageLevel: 3, Capacity: 10, Load: 9}, {Code: "C", CoverageLevel: 2, Capacity: 10}},
			"D C P"},
		{"same level: lower load ratio first (3/10 before 1/2)",
			[]outlet.Candidate{{Code: "A", CoverageLevel: 2, Capacity: 2, Load: 1}, {Code: "B", CoverageLevel: 2, Capacity: 10, Load: 3}},
			"B A"},
		{"equal ratios 1/3 and 2/6: by code",
			[]outlet.Candidate{{Code: "Z", CoverageLevel: 3, Capacity: 3, Load: 1}, {Code: "M", CoverageLevel: 3, Capacity: 6, Load: 2}},
			"M Z"},
		{"an idle big outlet before a busy small one",
			[]outlet.Candidate{{Code: "S", CoverageLevel: 3, Capacity: 5, Load: 4}, {Code: "L", CoverageLevel: 3, Capacity: 50, Load: 0}},
			"L S"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			outlet.Rank(c.in)
			var got []string
			for _, x := range c.in {
				got = append(got, x.Code)
			}
			if strings.Join(got, " ") != c.want {
				t.Fatalf("got %v want %s", got, c.want)
			}
		})
	}
}

func TestContractState(t *testing.T) {
	today := *date(2026, 3, 1)
	cases := []struct {
		from, to *time.Time
		want     string
	}{
		{date(2025, 1, 1), date(2026, 12, 31), outlet.ContractValid},
		{date(2025, 1, 1), date(2026, 4, 15), outlet.ContractExpiring},
		{date(2025, 1, 1), date(2026, 3, 1), outlet.ContractExpiring}, // last day is still in force
		{date(2025, 1, 1), date(2026, 2, 28), outlet.ContractExpired},
		{date(2026, 3, 2), date(2027, 3, 1), outlet.ContractNotStarted},
	}
	for _, c := range cases {
		o := outlet.Outlet{Kind: outlet.KindEntrusted, ContractValidFrom: c.from, ContractValidTo: c.to}
		if got := o.ContractState(today); got != c.want {
			t.Errorf("%v–%v: got %q want %q", c.from.Format(time.DateOnly), c.to.Format(time.DateOnly), got, c.want)
		}
	}
	if got := (outlet.Outlet{Kind: outlet.KindOwn}).ContractState(today); got != outlet.ContractNone {
		t.Errorf("own outlet: %q", got)
	}
}

func fieldsOf(t *testing.T, err error) apperr.Fields {
	t.Helper()
	if !apperr.IsKind(err, apperr.KindValidation) {
		t.Fatalf("want a validation error, got %v", err)
	}
	return apperr.As(err).Fields
}

func TestOutletValidation(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newService(g, nil)
		ctx := sysCtx()
		in := own("E1", []string{"440305"}, []uint64{1}, 10)
		in.Kind = outlet.KindEntrusted
		_, err := s.Create(ctx, in)
		f := fieldsOf(t, err)
		for _, k := range []string{"contract_no", "contract_valid_from", "contract_valid_to"} {
			if f[k].Code == "" {
				t.Errorf("entrusted without contract: no error on %s (%v)", k, f)
			}
		}
		in.ContractNo, in.ContractValidFrom, in.ContractValidTo = "HT-9", date(2026, 1, 1), date(2025, 12, 31)
		if f := fieldsOf(t, func() error { _, err := s.Create(ctx, in); return err }()); f["contract_valid_to"].Code == "" {
			t.Errorf("contract ends before it starts: %v", f)
		}
		in.ContractValidTo = date(2027, 12, 31)
		e1, err := s.Create(ctx, in)
		if err != nil || e1.ContractNo != "HT-9" || e1.Code != "E1" {
			t.Fatalf("valid entrusted: %+v %v", e1, err)
		}
		// Own outlets never keep a contract.
		mine := own("o-2", []string{"440305"}, nil, 5)
		mine.ContractNo, mine.ContractValidTo = "X", date(2027, 1, 1)
		o, err := s.Create(ctx, mine)
		if err != nil || o.ContractNo != "" || o.ContractValidTo != nil || o.Code != "O-2" {
			t.Fatalf("own with contract: %+v %v", o, err)
		}
		bad := outlet.NewOutlet{Code: "bad code", Kind: "franchise", RegionCode: "440399", Phone: "12345", Coverage: []string{"440305", "000000"},
			Latitude: ptr(0.0), Longitude: ptr(0.0), DailyCapacity: 0}
		f = fieldsOf(t, func() error { _, err := s.Create(ctx, bad); return err }())
		for _, k := range []string{"code", "name", "kind", "region_code", "address", "phone", "coverage", "latitude", "longitude", "daily_capacity"} {
			if f[k].Code == "" {
				t.Errorf("no error on %s: %v", k, f)
			}
		}
		if _, err := s.Create(ctx, own("E1", []string{"440305"}, nil, 5)); !apperr.IsKind(err, apperr.KindConflict) || apperr.As(err).Code != "duplicate_code" {
			t.Fatalf("duplicate code: %v", err)
		}
		// Switching to own clears the contract.
		upd, err := s.Update(ctx, e1.ID, outlet.OutletPatch{Kind: ptr(outlet.KindOwn), Version: 1})
		if err != nil || upd.ContractNo != "" || upd.Version != 2 {
			t.Fatalf("entrusted → own: %+v %v", upd, err)
		}
	})
}

func TestVersionConflictAndTransitions(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newService(g, nil)
		ctx := sysCtx()
		o := mustCreate(t, s, own("V1", []string{"440305"}, []uint64{1}, 10))
		if _, err := s.Update(ctx, o.ID, outlet.OutletPatch{Name: ptr("新名称"), Version: o.Version}); err != nil {
			t.Fatal(err)
		}
		_, err := s.Update(ctx, o.ID, outlet.OutletPatch{Name: ptr("旧版本的修改"), Version: o.Version})
		if e := apperr.As(err); e.Kind != apperr.KindConflict || e.Code != "version_conflict" {
			t.Fatalf("stale version: %v", err)
		}
		got, _ := s.Get(ctx, o.ID)
		if got.Name != "新名称" || got.Version != 2 {
			t.Fatalf("lost update: %+v", got)
		}
		cov := []string{"440300", "440000"}
		got, err = s.Update(ctx, o.ID, outlet.OutletPatch{Coverage: &cov, Version: 2})
		if err != nil || strings.Join(got.Coverage, ",") != "440000,440300" || len(got.CategoryIDs) != 1 {
			t.Fatalf("coverage replaced, categories kept: %+v %v", got, err)
		}
		if _, err := s.Suspend(ctx, o.ID, "合同纠纷", 0); err != nil {
			t.Fatal(err)
		}
		_, err = s.Suspend(ctx, o.ID, "", 0)
		if e := apperr.As(err); e.Code != "invalid_transition" || fmt.Sprint(e.Details["allowed"]) != "[activate]" {
			t.Fatalf("suspend twice: %v %v", err, e.Details)
		}
		if got, err := s.Activate(ctx, o.ID, 4); err != nil || got.Status != outlet.StatusActive || got.StatusReason != "" {
			t.Fatalf("activate: %+v %v", got, err)
		}
		var n int64
		g.Model(&audit.Record{}).Where("entity = ? AND entity_id = ?", "outlet", fmt.Sprint(o.ID)).Count(&n)
		if n != 5 { // create, 2 updates, suspend, activate
			t.Fatalf("audit records: %d", n)
		}
	})
}

func TestDataScope(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newService(g, nil)
		a := mustCreate(t, s, own("S1", []string{"440305"}, nil, 10))
		b := mustCreate(t, s, own("S2", []string{"440305"}, nil, 10))
		sa, err := s.CreateStaff(sysCtx(), outlet.NewStaff{Name: "甲", OutletID: &a.ID, Post: outlet.PostTechnician, Phone: "13800000001"})
		if err != nil {
			t.Fatal(err)
		}
		sb, err := s.CreateStaff(sysCtx(), outlet.NewStaff{Name: "乙", OutletID: &b.ID, Post: outlet.PostTechnician, Phone: "13800000002"})
		if err != nil {
			t.Fatal(err)
		}
		mgr := actor.With(context.Background(), actor.Actor{UserID: 7, Username: "m", Roles: []string{"outlet_manager"}, OutletID: &a.ID})
		if _, err := s.Visible(mgr, b.ID); !apperr.IsKind(err, apperr.KindNotFound) {
			t.Fatalf("other outlet: %v", err)
		}
		if _, err := s.Visible(mgr, a.ID); err != nil {
			t.Fatal(err)
		}
		list, total, err := s.List(mgr, outlet.OutletFilter{})
		if err != nil || total != 1 || list[0].ID != a.ID {
			t.Fatalf("scoped list: %v %d %v", list, total, err)
		}
		if _, err := s.VisibleStaff(mgr, sb.ID); !apperr.IsKind(err, apperr.KindNotFound) {
			t.Fatalf("other outlet's staff: %v", err)
		}
		staff, total, err := s.ListStaff(mgr, outlet.StaffFilter{})
		if err != nil || total != 1 || staff[0].ID != sa.ID {
			t.Fatalf("scoped staff: %v %d %v", staff, total, err)
		}
		if _, err := s.Update(mgr, b.ID, outlet.OutletPatch{Name: ptr("x")}); !apperr.IsKind(err, apperr.KindNotFound) {
			t.Fatalf("update other outlet: %v", err)
		}
	})
}

func TestListFilters(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newService(g, nil)
		ctx := sysCtx()
		sz := own("SZ-1", []string{"440305"}, nil, 10)
		mustCreate(t, s, sz)
		gz := own("GZ-1", []string{"440100"}, nil, 10)
		gz.RegionCode, gz.Name = "440106", "广州天河中心"
		mustCreate(t, s, gz)
		bj := own("BJ-1", []string{"110000"}, nil, 10)
		bj.RegionCode = "110105"
		mustCreate(t, s, bj)
		for _, c := range []struct {
			f    outlet.OutletFilter
			want string
		}{
			{outlet.OutletFilter{Region: "440000"}, "GZ-1 SZ-1"},
			{outlet.OutletFilter{Region: "440300"}, "SZ-1"},
			{outlet.OutletFilter{Covers: "440106"}, "GZ-1"},
			{outlet.OutletFilter{Covers: "110105"}, "BJ-1"},
			{outlet.OutletFilter{Query: "天河"}, "GZ-1"},
			{outlet.OutletFilter{Query: "sz"}, "SZ-1"},
			{outlet.OutletFilter{Query: "%"}, ""},
			{outlet.OutletFilter{Sort: "-code"}, "SZ-1 GZ-1 BJ-1"},
		} {
			list, _, err := s.List(ctx, c.f)
			if err != nil {
				t.Fatalf("%+v: %v", c.f, err)
			}
			var got []string
			for _, o := range list {
				got = append(got, o.Code)
			}
			if strings.Join(got, " ") != c.want {
				t.Errorf("%+v: got %v want %q", c.f, got, c.want)
			}
		}
		for _, f := range []outlet.OutletFilter{{Region: "12"}, {Status: "closed"}, {Sort: "phone"}} {
			if _, _, err := s.List(ctx, f); !apperr.IsKind(err, apperr.KindValidation) {
				t.Errorf("%+v: want validation error, got %v", f, err)
			}
		}
	})
}

func TestStaffAndStaffing(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newService(g, nil)
		ctx := sysCtx()
		today := s.Today()
		o := mustCreate(t, s, own("ST-1", []string{"440305"}, nil, 10))
		mustCreate(t, s, own("ST-EMPTY", []string{"440305"}, nil, 10))
		if _, err := s.CreateStaff(ctx, outlet.NewStaff{Name: "双重", OutletID: &o.ID, HQDepartment: "售后服务部", Post: "维修技师", Phone: "13800000009"}); fieldsOf(t, err)["outlet_id"].Code == "" {
			t.Fatal("outlet and HQ both set")
		}
		mk := func(name, post string, mgmt bool, phone string, outletID *uint64) outlet.StaffMember {
			in := outlet.NewStaff{Name: name, OutletID: outletID, Post: post, IsServiceManagement: mgmt, Phone: phone}
			if outletID == nil {
				in.HQDepartment = "售后服务部"
			}
			m, err := s.CreateStaff(ctx, in)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			return m
		}
		mgr := mk("李强", outlet.PostOutletManager, true, "13800000010", &o.ID)
		tech := mk("张伟", outlet.PostTechnician, false, "138 0000 0011", &o.ID)
		hq1 := mk("陈静", outlet.PostServiceManager, true, "13800000012", nil)
		hq2 := mk("王芳", outlet.PostQuality, true, "13800000013", nil)
		if tech.Phone != "13800000011" {
			t.Fatalf("phone not normalised: %q", tech.Phone)
		}
		if _, err := s.CreateStaff(ctx, outlet.NewStaff{Name: "重号", OutletID: &o.ID, Post: "维修技师", Phone: "13800000011"}); apperr.As(err).Code != "duplicate_phone" {
			t.Fatalf("duplicate phone: %v", err)
		}
		add := func(m outlet.StaffMember, kind, num string, issued, expires *time.Time) error {
			_, err := s.AddCertificate(ctx, m.ID, outlet.NewCertificate{Kind: kind, Number: num, IssuedAt: *issued, ExpiresAt: expires})
			return err
		}
		if err := add(mgr, outlet.CertServiceManager, "GL-1", ptr(today.AddDate(-2, 0, 0)), ptr(today.AddDate(0, 2, 0))); err != nil {
			t.Fatal(err)
		}
		// hq1's certificate expired yesterday: not counted.
		if err := add(hq1, outlet.CertServiceManager, "GL-2", ptr(today.AddDate(-3, 0, 0)), ptr(today.AddDate(0, 0, -1))); err != nil {
			t.Fatal(err)
		}
		// A technician's 管理师 certificate does not count: not management.
		if err := add(tech, outlet.CertServiceManager, "GL-3", ptr(today.AddDate(-1, 0, 0)), nil); err != nil {
			t.Fatal(err)
		}
		if err := add(tech, outlet.CertElectrician, "DG-1", ptr(today.AddDate(-1, 0, 0)), nil); err != nil {
			t.Fatal(err)
		}
		if err := add(hq2, outlet.CertElectrician, "DG-1", ptr(today.AddDate(-1, 0, 0)), nil); apperr.As(err).Code != "duplicate_certificate" {
			t.Fatalf("duplicate certificate number: %v", err)
		}
		if err := add(hq2, "pilot", "", ptr(today.AddDate(0, 0, 1)), nil); len(fieldsOf(t, err)) != 3 {
			t.Fatalf("bad certificate: %v", err)
		}
		if _, err := s.AddTraining(ctx, tech.ID, outlet.NewTraining{Course: "空调安装规范", Hours: 8, CompletedAt: today.AddDate(0, -2, 0), Passed: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddTraining(ctx, mgr.ID, outlet.NewTraining{Course: "x", Hours: 0, CompletedAt: today.AddDate(0, 0, 1)}); len(fieldsOf(t, err)) != 2 {
			t.Fatalf("bad training: %v", err)
		}
		sum, err := s.Staffing(ctx, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if sum.ActiveOutlets != 2 || sum.ActiveStaff != 4 || sum.OutletStaff != 2 || sum.HQStaff != 2 || sum.ManagementHeadcount != 3 ||
			sum.CertifiedManagers != 1 || sum.ManagerCertificates[0].Number != "GL-1" || sum.OutletsWithoutStaff != 1 ||
			sum.OutletsWithoutTechnician != 1 || sum.TrainedLastYear != 1 {
			t.Fatalf("staffing: %+v", sum)
		}
		if vu := sum.ManagerCertificates[0].ValidUntil; vu == nil || !vu.After(today.AddDate(0, 2, 0)) {
			t.Fatalf("valid until: %v", vu)
		}
		certified := true
		list, total, err := s.ListStaff(ctx, outlet.StaffFilter{Certified: &certified})
		if err != nil || total != 2 { // mgr and tech hold valid 管理师 certificates
			t.Fatalf("certified filter: %d %v", total, err)
		}
		mgmt := true
		if _, total, _ := s.ListStaff(ctx, outlet.StaffFilter{Management: &mgmt, Certified: &certified}); total != 1 {
			t.Fatalf("certified management: %d", total)
		}
		if _, total, _ := s.ListStaff(ctx, outlet.StaffFilter{HQ: true}); total != 2 {
			t.Fatalf("HQ filter: %d", total)
		}
		if list, _, _ := s.ListStaff(ctx, outlet.StaffFilter{Query: "138-0000-0010"}); len(list) != 1 || list[0].ID != mgr.ID {
			t.Fatalf("phone query: %v", list)
		}
		_ = list
		techs, err := s.TechniciansOfOutlet(ctx, o.ID)
		if err != nil || len(techs) != 1 || techs[0].ID != tech.ID || len(techs[0].Certificates) != 2 {
			t.Fatalf("technicians: %+v %v", techs, err)
		}
		// Move the technician to HQ with a stale version, then a fresh one.
		if _, err := s.UpdateStaff(ctx, tech.ID, outlet.StaffPatch{HQDepartment: ptr("培训部"), Version: 9}); apperr.As(err).Code != "version_conflict" {
			t.Fatalf("stale staff version: %v", err)
		}
		moved, err := s.UpdateStaff(ctx, tech.ID, outlet.StaffPatch{HQDepartment: ptr("培训部"), Version: tech.Version})
		if err != nil || moved.OutletID != nil || moved.HQDepartment != "培训部" || len(moved.Trainings) != 1 {
			t.Fatalf("move to HQ: %+v %v", moved, err)
		}
	})
}

// workbook builds an .xlsx with the given rows on a sheet.
func workbook(t *testing.T, sheet string, rows [][]any) *bytes.Buffer {
	t.Helper()
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if err := f.SetSheetRow(sheet, fmt.Sprintf("A%d", i+1), &r); err != nil {
			t.Fatal(err)
		}
	}
	b, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var outletHeader = []any{"网点编码*", "网点名称*", "网点类型*", "委托合同编号", "合同生效日期", "合同到期日期", "所在地区编码*", "详细地址*", "纬度", "经度", "联系电话*", "覆盖地区编码*", "授权品类（编码或ID）", "日服务能力*"}

func errorsByRow(rep outlet.ImportReport) map[int][]string {
	m := map[int][]string{}
	for _, e := range rep.Errors {
		m[e.Row] = append(m[e.Row], e.Field)
	}
	return m
}

func TestImportOutlets(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newService(g, nil)
		ctx := sysCtx()
		mustCreate(t, s, own("EXISTING", []string{"440305"}, nil, 10))
		rows := [][]any{
			outletHeader,
			{"IMP-1", "南山服务站", "自营", "", "", "", "440305", "南山区科苑路1号", "22.54", "113.95", "0755-86001234", "440305,440306", "1,2", "30"},
			{"IMP-2", "坏地区", "自营", "", "", "", "449999", "某地", "", "", "0755-86001235", "440305", "1", "30"},
			{"IMP-3", "缺合同", "委托", "", "", "", "440305", "某地", "", "", "0755-86001236", "440305", "1", "30"},
			{}, // blank rows are skipped, not counted
			{"IMP-1", "重复编码", "自营", "", "", "", "440305", "某地", "", "", "0755-86001237", "440305", "1", "30"},
			{"EXISTING", "已存在", "自营", "", "", "", "440305", "某地", "", "", "0755-86001238", "440305", "1", "30"},
			{"IMP-4", "委托网点", "委托", "HT-2025-1", 45658, "2027/12/31", 440106, "天河路1号", "", "", 13800138000, "440106、440100", "", "15"},
			{"IMP-5", "坏品类和能力", "自营", "", "", "", "440305", "某地", "", "", "0755-86001239", "440305", "空调", "很多"},
		}
		rep, err := s.ImportOutlets(ctx, workbook(t, "网点", rows), zh)
		if err != nil {
			t.Fatal(err)
		}
		byRow := errorsByRow(rep)
		if rep.Total != 7 || rep.Imported != 2 || rep.Failed != 5 {
			t.Fatalf("report: %+v", rep)
		}
		want := map[int]string{3: "region_code", 4: "contract_no contract_valid_from contract_valid_to", 6: "code", 7: "code", 9: "category_ids daily_capacity"}
		for row, fields := range want {
			if strings.Join(byRow[row], " ") != fields {
				t.Errorf("row %d: got %v want %s", row, byRow[row], fields)
			}
		}
		if len(byRow) != len(want) {
			t.Errorf("errors on unexpected rows: %+v", rep.Errors)
		}
		list, _, _ := s.List(ctx, outlet.OutletFilter{Query: "IMP"})
		if len(list) != 2 || list[0].Code != "IMP-1" || list[1].Code != "IMP-4" {
			t.Fatalf("imported: %+v", list)
		}
		imp4 := list[1]
		if imp4.Kind != outlet.KindEntrusted || dateOnly(imp4.ContractValidFrom) != "2025-01-01" || dateOnly(imp4.ContractValidTo) != "2027-12-31" ||
			imp4.Phone != "13800138000" || strings.Join(imp4.Coverage, ",") != "440100,440106" || len(imp4.CategoryIDs) != 0 {
			t.Fatalf("IMP-4 fields: %+v", imp4)
		}
		if *list[0].Latitude != 22.54 || fmt.Sprint(list[0].CategoryIDs) != "[1 2]" {
			t.Fatalf("IMP-1 fields: %+v", list[0])
		}
		var n int64
		g.Model(&audit.Record{}).Where("action = ? AND entity = ?", "import", "outlet").Count(&n)
		if n != 2 {
			t.Fatalf("import audit records: %d", n)
		}
		// Re-running the same file: the rows that landed are now duplicates.
		rep, err = s.ImportOutlets(ctx, workbook(t, "网点", rows), zh)
		if err != nil {
			t.Fatal(err)
		}
		byRow = errorsByRow(rep)
		if rep.Imported != 0 || rep.Failed != 7 || strings.Join(byRow[2], " ") != "code" || strings.Join(byRow[8], " ") != "code" {
			t.Fatalf("rerun: %+v", rep)
		}
		// A file without the required columns is refused as a whole.
		_, err = s.ImportOutlets(ctx, workbook(t, "网点", [][]any{{"网点编码", "名称"}, {"X", "Y"}}), zh)
		if f := fieldsOf(t, err); !strings.Contains(f["file"].Message, "网点类型") {
			t.Fatalf("missing columns: %v", f)
		}
		if _, err := s.ImportOutlets(ctx, strings.NewReader("not a zip"), zh); fieldsOf(t, err)["file"].Code == "" {
			t.Fatal("garbage accepted")
		}
	})
}

func dateOnly(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.DateOnly)
}

func TestImportStaff(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newService(g, nil)
		ctx := sysCtx()
		mustCreate(t, s, own("WD-1", []string{"440305"}, nil, 10))
		header := []any{"姓名*", "所属网点编码", "总部部门", "岗位*", "服务管理人员", "手机号*", "入职日期", "证书类型", "证书编号", "发证日期", "证书到期日期"}
		rows := [][]any{
			header,
			{"张伟", "wd-1", "", "维修技师", "否", "13800000001", "2021-03-15", "电工证", "DG-001", "2022-05-10", "2028-05-09"},
			{"李强", "WD-1", "", "网点经理", "是", "13800000002", "", "售后服务管理师", "GL-001", "2024-01-01", ""},
			{"陈静", "", "售后服务部", "售后经理", "是", "13800000003", "", "", "", "", ""},
			{"无网点", "WD-404", "", "维修技师", "否", "13800000004", "", "", "", "", ""},
			{"重号", "WD-1", "", "安装工", "否", "13800000001", "", "", "", "", ""},
			{"坏证书", "WD-1", "", "安装工", "也许", "13800000005", "明天", "电工证", "", "2099-01-01", ""},
			{"重证", "WD-1", "", "安装工", "否", "13800000006", "", "电工证", "DG-001", "2022-01-01", ""},
			{"两处", "WD-1", "质量部", "质量专员", "否", "13800000007", "", "", "", "", ""},
			// Issue 13 defect 11: free-text posts map to a kind; an unknown one is a per-row error.
			{"周工", "WD-1", "", "上门维修工程师", "否", "13800000008", "", "", "", "", ""},
			{"怪岗", "WD-1", "", "首席体验官", "否", "13800000009", "", "", "", "", ""},
		}
		rep, err := s.ImportStaff(ctx, workbook(t, "人员", rows), zh)
		if err != nil {
			t.Fatal(err)
		}
		byRow := errorsByRow(rep)
		if rep.Total != 10 || rep.Imported != 4 || rep.Failed != 6 {
			t.Fatalf("report: %+v", rep)
		}
		want := map[int]string{5: "outlet_code", 6: "phone", 7: "is_service_management hired_at certificate_number certificate_issued_at",
			8: "certificate_number", 9: "outlet_code", 11: "post"}
		for row, fields := range want {
			if strings.Join(byRow[row], " ") != fields {
				t.Errorf("row %d: got %v want %s", row, byRow[row], fields)
			}
		}
		if len(byRow) != len(want) {
			t.Errorf("errors on unexpected rows: %+v", rep.Errors)
		}
		list, total, _ := s.ListStaff(ctx, outlet.StaffFilter{})
		if total != 4 || list[3].PostKind != outlet.KindTechnician || list[0].PostKind != outlet.KindTechnician || list[1].PostKind != outlet.KindOutletManager {
			t.Fatalf("post kinds: %+v", list)
		}
		if total != 4 || list[0].Name != "张伟" || len(list[0].Certificates) != 1 || list[1].Certificates[0].Kind != outlet.CertServiceManager ||
			!list[1].IsServiceManagement || list[2].HQDepartment != "售后服务部" {
			t.Fatalf("imported staff: %+v", list)
		}
		rep, err = s.ImportStaff(ctx, workbook(t, "人员", rows[:4]), zh)
		if err != nil || rep.Imported != 0 || rep.Failed != 3 || strings.Join(errorsByRow(rep)[2], " ") != "phone" {
			t.Fatalf("rerun: %+v %v", rep, err)
		}
	})
}

// zh is the default language (the zero Translator).
var zh i18n.Translator

func TestTemplatesRoundTrip(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newService(g, nil)
		ctx := sysCtx()
		var b bytes.Buffer
		if err := outlet.OutletTemplate(&b, zh); err != nil {
			t.Fatal(err)
		}
		rep, err := s.ImportOutlets(ctx, &b, zh)
		if err != nil || rep.Imported != 1 {
			t.Fatalf("outlet template example row: %+v %v", rep, err)
		}
		b.Reset()
		if err := outlet.StaffTemplate(&b, zh); err != nil {
			t.Fatal(err)
		}
		rep, err = s.ImportStaff(ctx, &b, zh)
		if err != nil || rep.Imported != 1 {
			t.Fatalf("staff template example row: %+v %v", rep, err)
		}
		b.Reset()
		if err := s.ExportOutlets(ctx, &b, outlet.OutletFilter{}, zh); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&b)
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := f.GetRows("网点")
		if len(rows) != 2 || rows[1][0] != "WD-SZ-101" || rows[1][2] != "委托" || rows[1][14] != "启用" {
			t.Fatalf("export: %v", rows)
		}
	})
}

// TestEnglishTemplatesRoundTrip: the English templates (headers, sheet
// names, yes/no, kinds and certificate names in English) import as the
// Chinese ones do, an import of a Chinese template reports its columns in
// English to an English reader, and the English export says its words in
// English.
func TestEnglishTemplatesRoundTrip(t *testing.T) {
	text, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	en := text.For("en")
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newService(g, nil)
		ctx := sysCtx()
		var b bytes.Buffer
		if err := outlet.OutletTemplate(&b, en); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(bytes.NewReader(b.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if got := f.GetSheetList(); len(got) != 2 || got[0] != "Outlets" || got[1] != "Instructions" {
			t.Fatalf("English outlet template sheets: %v", got)
		}
		head, _ := f.GetRows("Outlets")
		if head[0][0] != "Outlet code*" || head[1][2] != "Entrusted" {
			t.Fatalf("English outlet template: %v", head)
		}
		rep, err := s.ImportOutlets(ctx, &b, zh)
		if err != nil || rep.Imported != 1 {
			t.Fatalf("English outlet template example row: %+v %v", rep, err)
		}
		b.Reset()
		if err := outlet.StaffTemplate(&b, en); err != nil {
			t.Fatal(err)
		}
		rep, err = s.ImportStaff(ctx, &b, zh)
		if err != nil || rep.Imported != 1 {
			t.Fatalf("English staff template example row: %+v %v", rep, err)
		}
		// A Chinese file, an English reader: the bad row's column is named in English.
		b.Reset()
		if err := outlet.OutletTemplate(&b, zh); err != nil {
			t.Fatal(err)
		}
		rep, err = s.ImportOutlets(ctx, &b, en) // WD-SZ-101 exists now
		if err != nil || rep.Failed != 1 || len(rep.Errors) == 0 || rep.Errors[0].Column != "Outlet code" {
			t.Fatalf("Chinese file, English report: %+v %v", rep, err)
		}
		b.Reset()
		if err := s.ExportOutlets(ctx, &b, outlet.OutletFilter{}, en); err != nil {
			t.Fatal(err)
		}
		x, err := excelize.OpenReader(&b)
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := x.GetRows("Outlets")
		if len(rows) != 2 || rows[0][14] != "Status" || rows[1][2] != "Entrusted" || rows[1][14] != "Active" {
			t.Fatalf("English export: %v", rows)
		}
	})
}
