package demo

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/auth"
	"github.com/aftersales/aftersales/backend/internal/outlet"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

func TestSeedOutlets(t *testing.T) {
	regions, _ := demoWorld(t)
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		ctx := actor.With(context.Background(), actor.System("test"))
		trail := audit.New(nil)
		svc := outlet.New(outlet.Options{DB: g, Audit: trail, Regions: regions})
		a := auth.New(auth.Options{DB: g, Audit: trail, BcryptCost: 4})
		d := OutletDeps{DB: g, Outlets: svc, Regions: regions, Auth: a}
		// Two product categories, as the product seeding would leave them.
		now := time.Now().UTC()
		for _, code := range []string{"AC", "WH"} {
			if err := g.Exec("INSERT INTO product_categories (code, name, return_days, exchange_days, repair_warranty_months, replace_after_repairs, version, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
				code, code, 7, 15, 12, 2, 1, now, now).Error; err != nil {
				t.Fatal(err)
			}
		}
		var cat uint64 // ids continue across tests: DELETE does not reset them
		if err := g.Table("product_categories").Where("code = ?", "AC").Select("id").Scan(&cat).Error; err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if err := SeedOutlets(ctx, d); err != nil {
			t.Fatal(err)
		}
		t.Logf("demo network seeded in %s", time.Since(start))
		if err := SeedOutlets(ctx, d); err != nil { // idempotent
			t.Fatal(err)
		}
		one, err := svc.Get(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if one.Kind != outlet.KindOwn || one.Status != outlet.StatusActive || one.RegionCode[:4] != "4403" || len(one.Coverage) != 9 || len(one.CategoryIDs) != 2 {
			t.Fatalf("outlet 1: %+v", one)
		}
		var outlets, entrusted, suspended, expired int64
		g.Model(&outlet.Outlet{}).Count(&outlets)
		g.Model(&outlet.Outlet{}).Where("kind = ?", outlet.KindEntrusted).Count(&entrusted)
		g.Model(&outlet.Outlet{}).Where("status = ?", outlet.StatusSuspended).Count(&suspended)
		g.Model(&outlet.Outlet{}).Where("contract_valid_to < ?", svc.Today()).Count(&expired)
		var dupNames int64
		g.Raw("SELECT COUNT(*) FROM (SELECT name FROM outlets GROUP BY name HAVING COUNT(*) > 1) d").Scan(&dupNames)
		if dupNames != 0 {
			t.Fatalf("%d outlet names are used more than once", dupNames)
		}
		if outlets != 60 || entrusted < 20 || entrusted > 45 || suspended != 2 || expired < 2 {
			t.Fatalf("outlets %d, entrusted %d, suspended %d, expired contracts %d", outlets, entrusted, suspended, expired)
		}
		// Every district of the ten provinces has a candidate outlet.
		for _, p := range []string{"440000", "320000", "330000", "370000", "510000", "420000", "410000", "110000", "310000", "350000"} {
			for _, c := range regions.Children(p) {
				for _, dist := range regions.Children(c.Code) {
					cs, err := svc.Candidates(ctx, dist.Code, cat, time.Now(), nil)
					if err != nil || len(cs) == 0 {
						t.Fatalf("no candidate for %s %s: %v", dist.Code, regions.FullName(dist.Code), err)
					}
				}
			}
		}
		cs, _ := svc.Candidates(ctx, "440305", cat, time.Now(), nil)
		if cs[0].OutletID != 1 && cs[1].OutletID != 1 {
			t.Fatalf("南山区 candidates do not include outlet 1 first: %+v", cs)
		}
		sum, err := svc.Staffing(ctx, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		share := float64(sum.ManagementHeadcount) / float64(sum.ActiveStaff)
		need := int(math.Ceil(0.1 * float64(sum.ManagementHeadcount)))
		if sum.ActiveStaff < 360 || sum.ActiveStaff > 440 || share < 0.12 || share > 0.15 || sum.CertifiedManagers == 0 || sum.CertifiedManagers >= need {
			t.Fatalf("staffing %+v (management share %.3f, need %d)", sum, share, need)
		}
		expiring := 0
		for _, c := range sum.ManagerCertificates {
			if c.ExpiresOn != nil && c.ExpiresOn.Before(svc.Today().AddDate(0, 3, 0)) {
				expiring++
			}
		}
		if expiring == 0 || sum.TrainedLastYear == sum.ActiveStaff || sum.OutletsWithoutTechnician != 0 {
			t.Fatalf("expiring 管理师 %d, trained %d of %d, outlets without technician %d", expiring, sum.TrainedLastYear, sum.ActiveStaff, sum.OutletsWithoutTechnician)
		}
		var noCert int64
		g.Model(&outlet.StaffMember{}).Where("post = ? AND id NOT IN (?)", outlet.PostTechnician, g.Model(&outlet.StaffCertificate{}).Select("staff_id")).Count(&noCert)
		if noCert == 0 {
			t.Fatal("every technician holds a certificate: sampling would find nothing")
		}
		t.Logf("outlets %d: entrusted %d, suspended %d, expired contracts %d", outlets, entrusted, suspended, expired)
		t.Logf("staff %d, management %d (%.1f%%), 管理师 %d of %d needed, trained %d", sum.ActiveStaff, sum.ManagementHeadcount, share*100,
			sum.CertifiedManagers, need, sum.TrainedLastYear)

		// Link the demo logins.
		if err := SeedUsers(ctx, Deps{Auth: a, Password: "demo123456", Now: now}); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2; i++ {
			if err := LinkOutletLogins(ctx, d); err != nil {
				t.Fatal(err)
			}
		}
		techs, _ := svc.TechniciansOfOutlet(ctx, 1)
		u, _ := a.FindByUsername(ctx, "technician")
		linked := false
		for _, m := range techs {
			if m.Name == "张伟" && m.UserID != nil && *m.UserID == u.ID {
				linked = true
			}
		}
		if !linked {
			t.Fatalf("technician not linked: %+v", techs)
		}
	})
}

func TestUniqueNameNumbersBranches(t *testing.T) {
	taken := map[string]bool{}
	got := []string{uniqueName(taken, "深圳安和家电维修部"), uniqueName(taken, "深圳安和家电维修部"), uniqueName(taken, "深圳安和家电维修部"),
		uniqueName(taken, "深圳南山区服务中心")}
	want := []string{"深圳安和家电维修部", "深圳安和家电维修部二店", "深圳安和家电维修部三店", "深圳南山区服务中心"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v", got)
	}
}

func TestScaleOutlets(t *testing.T) {
	regions, _ := demoWorld(t)
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		ctx := context.Background()
		start := time.Now()
		if err := ScaleOutlets(ctx, g, regions, 100_000); err != nil {
			t.Fatal(err)
		}
		t.Logf("200 outlets with staff in %s", time.Since(start))
		if err := ScaleOutlets(ctx, g, regions, 100_000); err != nil { // skipped the second time
			t.Fatal(err)
		}
		var outlets, staff int64
		g.Model(&outlet.Outlet{}).Count(&outlets)
		g.Model(&outlet.StaffMember{}).Count(&staff)
		if outlets != 200 || staff != 2000 {
			t.Fatalf("outlets %d staff %d", outlets, staff)
		}
		// Ids continue after the explicit ones.
		o := outlet.Outlet{Code: "AFTER", Name: "x", Kind: outlet.KindOwn, RegionCode: "440305", Address: "x", Phone: "x", DailyCapacity: 1,
			Status: outlet.StatusActive, Version: 1, CreatedAt: time.Now(), UpdatedAt: time.Now()}
		if err := g.Create(&o).Error; err != nil {
			t.Fatal(err)
		}
		var maxID uint64
		g.Model(&outlet.Outlet{}).Where("code LIKE ?", "SC%").Select("MAX(id)").Scan(&maxID)
		if o.ID <= maxID {
			t.Fatalf("new id %d after scale max %d", o.ID, maxID)
		}
	})
}
