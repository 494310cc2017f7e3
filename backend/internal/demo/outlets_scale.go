package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/outlet"
	"github.com/aftersales/aftersales/backend/internal/region"
)

// ScaleOutletsPerTicket sets the network size of the scale data: one outlet
// per 500 tickets, so 2,000 outlets at 1,000,000 tickets.
const ScaleOutletsPerTicket = 500

// ScaleOutlets generates the service network for benchmarks: tickets/500
// outlets (at least one) spread round-robin over every city of the country
// (and every district of the municipalities), each covering its city and one
// district, the first outlet of each province also covering the province;
// authorised for every product category; about ten staff each (a manager,
// six technicians, two installers, an agent) with trade certificates for a
// third of the field staff, a 售后服务管理师 certificate for one manager in
// twelve and a training record for seven in ten. Outlets are coded
// SC000001…; the step is skipped when such outlets exist. Rows go in
// multi-row inserts of 1,000–5,000 with explicit ids, without audit records
// (generated data, not changes).
func ScaleOutlets(ctx context.Context, db *gorm.DB, regions *region.Directory, tickets int) error {
	db = db.WithContext(ctx)
	var n int64
	if err := db.Model(&outlet.Outlet{}).Where("code LIKE ?", "SC%").Count(&n).Error; err != nil {
		return fmt.Errorf("count scale outlets: %w", err)
	}
	if n > 0 {
		return nil
	}
	count := max(1, tickets/ScaleOutletsPerTicket)
	cats, err := productCategoryIDs(db)
	if err != nil {
		return err
	}
	type unit struct {
		code      string
		province  string
		districts []region.Region
	}
	var units []unit
	for _, p := range regions.Provinces() {
		for _, c := range regions.Children(p.Code) {
			if c.IsGrouping() {
				for _, d := range regions.Children(c.Code) {
					units = append(units, unit{code: d.Code, province: p.Code})
				}
				continue
			}
			units = append(units, unit{code: c.Code, province: p.Code, districts: regions.Children(c.Code)})
		}
	}
	var maxOutlet, maxStaff uint64
	if err := db.Model(&outlet.Outlet{}).Select("COALESCE(MAX(id), 0)").Scan(&maxOutlet).Error; err != nil {
		return fmt.Errorf("scale outlets: %w", err)
	}
	if err := db.Model(&outlet.StaffMember{}).Select("COALESCE(MAX(id), 0)").Scan(&maxStaff).Error; err != nil {
		return fmt.Errorf("scale outlets: %w", err)
	}
	rng := rand.New(rand.NewPCG(uint64(tickets), 27922))
	now := time.Now().UTC().Truncate(time.Second)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	var (
		outlets   []outlet.Outlet
		coverage  []outlet.OutletCoverage
		authz     []outlet.OutletCategory
		staff     []outlet.StaffMember
		certs     []outlet.StaffCertificate
		trainings []outlet.StaffTraining
	)
	hubDone := map[string]bool{}
	staffID := maxStaff
	phone := 0
	posts := []string{outlet.PostOutletManager, outlet.PostTechnician, outlet.PostTechnician, outlet.PostTechnician, outlet.PostTechnician,
		outlet.PostTechnician, outlet.PostTechnician, outlet.PostInstaller, outlet.PostInstaller, outlet.PostCustomerAgent}
	for i := 0; i < count; i++ {
		u := units[i%len(units)]
		id := maxOutlet + uint64(i) + 1
		where, cov := u.code, []string{u.code}
		if len(u.districts) > 0 {
			d := u.districts[(i/len(units))%len(u.districts)]
			where = d.Code
			cov = append(cov, d.Code)
		}
		if !hubDone[u.province] {
			hubDone[u.province] = true
			cov = append(cov, u.province)
		}
		kind := outlet.KindOwn
		o := outlet.Outlet{ID: id, Code: fmt.Sprintf("SC%06d", i+1), Name: fmt.Sprintf("%s服务网点%d", regions.FullName(where), i+1),
			RegionCode: where, Address: regions.FullName(where) + streets[i%len(streets)] + fmt.Sprintf("%d号", 1+rng.IntN(399)),
			Phone: fmt.Sprintf("400%07d", i+1), DailyCapacity: 20 + rng.IntN(41), Status: outlet.StatusActive, Version: 1, CreatedAt: now, UpdatedAt: now}
		if i%5 != 0 {
			kind = outlet.KindEntrusted
			from, to := today.AddDate(-1, 0, 0), today.AddDate(1+rng.IntN(2), 0, 0)
			o.ContractNo, o.ContractValidFrom, o.ContractValidTo = fmt.Sprintf("SCWT-%06d", i+1), &from, &to
		}
		o.Kind = kind
		outlets = append(outlets, o)
		for _, c := range cov {
			coverage = append(coverage, outlet.OutletCoverage{OutletID: id, RegionCode: c})
		}
		for _, c := range cats {
			authz = append(authz, outlet.OutletCategory{OutletID: id, CategoryID: c})
		}
		for k, post := range posts {
			staffID++
			phone++
			oid := id
			hired := today.AddDate(0, 0, -(90 + rng.IntN(3000)))
			m := outlet.StaffMember{ID: staffID, Name: string(surnames[rng.IntN(len(surnames))]) + givenNames[rng.IntN(len(givenNames))],
				OutletID: &oid, Post: post, PostKind: demoPosts.Kind(post), IsServiceManagement: k == 0 && (kind == outlet.KindOwn || rng.IntN(2) == 0),
				Phone: fmt.Sprintf("199%08d", phone), Active: true, HiredAt: &hired, Version: 1, CreatedAt: now, UpdatedAt: now}
			staff = append(staff, m)
			if (post == outlet.PostTechnician || post == outlet.PostInstaller) && rng.IntN(3) == 0 {
				issued := today.AddDate(0, 0, -rng.IntN(6*365))
				exp := issued.AddDate(6, 0, -1)
				certs = append(certs, outlet.StaffCertificate{StaffID: staffID, Kind: outlet.CertElectrician, Number: fmt.Sprintf("SCT%09d", staffID),
					IssuedAt: issued, ExpiresAt: &exp, CreatedAt: now})
			}
			if m.IsServiceManagement && rng.IntN(12) == 0 {
				issued := today.AddDate(-1, 0, -rng.IntN(700))
				exp := issued.AddDate(4, 0, 0)
				certs = append(certs, outlet.StaffCertificate{StaffID: staffID, Kind: outlet.CertServiceManager, Number: fmt.Sprintf("SCGL%09d", staffID),
					IssuedAt: issued, ExpiresAt: &exp, CreatedAt: now})
			}
			if rng.IntN(10) < 7 {
				c := courses[rng.IntN(len(courses))]
				trainings = append(trainings, outlet.StaffTraining{StaffID: staffID, Course: c.Name, Hours: c.Hours,
					CompletedAt: today.AddDate(0, 0, -rng.IntN(360)), Passed: rng.IntN(20) != 0, CreatedAt: now})
			}
		}
	}
	return db.Transaction(func(tx *gorm.DB) error {
		for _, step := range []struct {
			name  string
			rows  any
			batch int
			empty bool
		}{
			{"outlets", outlets, 1000, false},
			{"coverage", coverage, 5000, false},
			{"categories", authz, 5000, len(authz) == 0},
			{"staff", staff, 1000, false},
			{"certificates", certs, 2000, len(certs) == 0},
			{"trainings", trainings, 2000, len(trainings) == 0},
		} {
			if step.empty {
				continue
			}
			if err := tx.CreateInBatches(step.rows, step.batch).Error; err != nil {
				return fmt.Errorf("scale %s: %w", step.name, err)
			}
		}
		return nil
	})
}
