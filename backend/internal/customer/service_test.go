package customer

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/region"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

var (
	dirOnce sync.Once
	dir     *region.Directory
)

func regions(t testing.TB) *region.Directory {
	t.Helper()
	dirOnce.Do(func() {
		var err error
		if dir, err = region.Load(); err != nil {
			panic(err)
		}
	})
	return dir
}

type recorder struct {
	mu     sync.Mutex
	events []event.Event
}

func (r *recorder) names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.events {
		out = append(out, e.Name)
	}
	return out
}

func newService(t testing.TB, db *gorm.DB) (*Service, context.Context, *recorder) {
	t.Helper()
	bus := event.NewMemoryBus()
	rec := &recorder{}
	bus.Subscribe(func(e event.Event) { rec.mu.Lock(); rec.events = append(rec.events, e); rec.mu.Unlock() })
	s := New(Options{DB: db, Audit: audit.New(nil), Bus: bus, Regions: regions(t)})
	return s, actor.With(context.Background(), actor.Actor{UserID: 3, Username: "agent"}), rec
}

func zhang(phones ...string) NewCustomer {
	in := NewCustomer{Name: "张 三", Addresses: []NewAddress{{RegionCode: "440305", Detail: "科技园南路 18 号 2 栋 1201"}}, ConsentSurvey: true}
	for _, p := range phones {
		in.Phones = append(in.Phones, NewPhone{Number: p})
	}
	return in
}

func TestCreateAndFindByPhone(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		s, ctx, rec := newService(t, db)
		p, err := s.Create(ctx, NewCustomer{Name: " 张  三 ", Phones: []NewPhone{{Number: "0755 8600 1234", Label: "办公室"}, {Number: "+86 138-1234-5678", Label: "本人", Primary: true}},
			Addresses: []NewAddress{{RegionCode: "440305", Detail: "科技园南路 18 号"}}, ConsentSMS: true})
		if err != nil {
			t.Fatal(err)
		}
		if p.Customer.Name != "张 三" || p.Customer.Kind != KindPerson || p.Customer.Version != 1 {
			t.Fatalf("customer %+v", p.Customer)
		}
		if p.Phones[1].Number != "13812345678" || !p.Phones[1].IsPrimary || p.Phones[1].Kind != PhoneMobile || p.Phones[0].Number != "0755-86001234" || p.Phones[0].IsPrimary {
			t.Fatalf("phones %+v", p.Phones)
		}
		if !p.Addresses[0].IsDefault {
			t.Fatalf("the only address must be the default: %+v", p.Addresses)
		}
		for _, typed := range []string{"13812345678", "+86 138-1234-5678", "0086 138 1234 5678", "８６１３８１２３４５６７８", "(0755) 8600-1234"} {
			c, err := s.FindByPhone(ctx, typed)
			if err != nil || c.ID != p.Customer.ID {
				t.Errorf("FindByPhone(%q) = %v, %v; want customer %d", typed, c.ID, err, p.Customer.ID)
			}
		}
		prof, err := s.ProfileByPhone(ctx, "138 1234 5678")
		if err != nil || len(prof.Phones) != 2 || prof.Phones[0].Number != "13812345678" || len(prof.Addresses) != 1 {
			t.Fatalf("profile by phone (primary first): %+v %v", prof, err)
		}
		_, err = s.FindByPhone(ctx, "12345")
		testutil.WantErr(t, err, apperr.KindValidation, "validation_failed", "phone")
		_, err = s.FindByPhone(ctx, "13900000000")
		testutil.WantErr(t, err, apperr.KindNotFound, "not_found", "")

		var recs []audit.Record
		db.Where("entity = ? AND entity_id = ?", "customer", idStr(p.Customer.ID)).Find(&recs)
		if len(recs) != 1 || recs[0].Action != "create" || !strings.Contains(recs[0].After, "138****5678") || strings.Contains(recs[0].After, "13812345678") {
			t.Errorf("audit record must exist and hold only masked phones: %+v", recs)
		}
		if n := rec.names(); len(n) != 1 || n[0] != "customer.created" {
			t.Errorf("events %v", n)
		}
		if n, err := s.CustomerCount(ctx); err != nil || n != 1 {
			t.Errorf("count %d %v", n, err)
		}
	})
}

func TestDuplicatePhone(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		s, ctx, _ := newService(t, db)
		first, err := s.Create(ctx, zhang("13812345678"))
		if err != nil {
			t.Fatal(err)
		}
		in := zhang("13700001111", "+86 138 1234 5678")
		in.Name = "李四"
		_, err = s.Create(ctx, in)
		e := testutil.WantErr(t, err, apperr.KindConflict, "duplicate_phone", "")
		if e.Details["customer_id"] != first.Customer.ID || e.Details["field"] != "phones[1].number" {
			t.Fatalf("details %v, want customer_id %d and field phones[1].number", e.Details, first.Customer.ID)
		}
		if n, _ := s.CustomerCount(ctx); n != 1 {
			t.Fatalf("a refused create must leave nothing behind: %d customers", n)
		}
		_, err = s.Create(ctx, zhang("13700001111", "137-0000-1111"))
		testutil.WantErr(t, err, apperr.KindValidation, "", "phones[1].number")
		_, err = s.Create(ctx, NewCustomer{Name: "无电话"})
		testutil.WantErr(t, err, apperr.KindValidation, "", "phones")
		_, err = s.Create(ctx, zhang("12345"))
		testutil.WantErr(t, err, apperr.KindValidation, "", "phones[0].number")

		second, err := s.Create(ctx, NewCustomer{Name: "李四", Phones: []NewPhone{{Number: "13900002222"}}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.AddPhone(ctx, second.Customer.ID, NewPhone{Number: "138 1234 5678"})
		e = testutil.WantErr(t, err, apperr.KindConflict, "duplicate_phone", "")
		if e.Details["customer_id"] != first.Customer.ID {
			t.Fatalf("details %v", e.Details)
		}
		ph, err := s.AddPhone(ctx, second.Customer.ID, NewPhone{Number: "020-3888 1234", Label: "家里", Primary: true})
		if err != nil || ph.Number != "020-38881234" || !ph.IsPrimary || ph.Kind != PhoneLandline {
			t.Fatalf("add phone %+v %v", ph, err)
		}
		prof, _ := s.Profile(ctx, second.Customer.ID)
		if len(prof.Phones) != 2 || prof.Phones[0].ID != ph.ID || prof.Phones[1].IsPrimary {
			t.Fatalf("a new primary phone demotes the old one: %+v", prof.Phones)
		}
		_, err = s.AddPhone(ctx, 999999, NewPhone{Number: "13600000000"})
		testutil.WantErr(t, err, apperr.KindNotFound, "", "")
	})
}

func TestAddressRegions(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		s, ctx, _ := newService(t, db)
		in := zhang("13812345678")
		in.Addresses = []NewAddress{{RegionCode: "999999", Detail: "某路 1 号"}, {RegionCode: "440000", Detail: "某路 2 号"}, {RegionCode: "440305"}}
		_, err := s.Create(ctx, in)
		e := testutil.WantErr(t, err, apperr.KindValidation, "", "addresses[0].region_code")
		if e.Fields["addresses[1].region_code"].Code == "" || e.Fields["addresses[2].detail"].Code == "" {
			t.Fatalf("want a province refused and a missing detail reported: %v", e.Fields)
		}
		// 东莞市 has no districts: the city itself is a valid address region.
		in.Addresses = []NewAddress{{RegionCode: "441900", Detail: "南城街道 鸿福路 200 号"}}
		p, err := s.Create(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if r, err := s.PrimaryRegion(ctx, p.Customer.ID); err != nil || r != "441900" {
			t.Fatalf("primary region %q %v", r, err)
		}
		_, err = s.AddAddress(ctx, p.Customer.ID, NewAddress{RegionCode: "12345x", Detail: "x"})
		testutil.WantErr(t, err, apperr.KindValidation, "", "region_code")
		a, err := s.AddAddress(ctx, p.Customer.ID, NewAddress{RegionCode: "110101", Detail: "东直门内大街 5 号", Default: true})
		if err != nil || !a.IsDefault {
			t.Fatalf("add address %+v %v", a, err)
		}
		if r, _ := s.PrimaryRegion(ctx, p.Customer.ID); r != "110101" {
			t.Fatalf("the new default address decides the region, got %q", r)
		}
		none, err := s.Create(ctx, NewCustomer{Name: "无地址", Phones: []NewPhone{{Number: "13911112222"}}})
		if err != nil {
			t.Fatal(err)
		}
		if r, err := s.PrimaryRegion(ctx, none.Customer.ID); err != nil || r != "" {
			t.Fatalf("no address: %q %v", r, err)
		}
		_, err = s.PrimaryRegion(ctx, 999999)
		testutil.WantErr(t, err, apperr.KindNotFound, "", "")
	})
}

func TestUpdateVersion(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		s, ctx, _ := newService(t, db)
		p, err := s.Create(ctx, zhang("13812345678"))
		if err != nil {
			t.Fatal(err)
		}
		name, company, no := "深圳市张三贸易有限公司", KindCompany, false
		c, err := s.Update(ctx, p.Customer.ID, 1, Patch{Name: &name, Kind: &company, ConsentSurvey: &no})
		if err != nil {
			t.Fatal(err)
		}
		if c.Version != 2 || c.Name != name || c.Kind != KindCompany || c.ConsentSurvey {
			t.Fatalf("updated %+v", c)
		}
		// A second agent still holding version 1 must not overwrite.
		other := "张三"
		_, err = s.Update(ctx, p.Customer.ID, 1, Patch{Name: &other})
		testutil.WantErr(t, err, apperr.KindConflict, "version_conflict", "")
		_, err = s.Update(ctx, p.Customer.ID, 0, Patch{Name: &other})
		testutil.WantErr(t, err, apperr.KindValidation, "", "version")
		bad := Kind("robot")
		_, err = s.Update(ctx, p.Customer.ID, 2, Patch{Kind: &bad})
		testutil.WantErr(t, err, apperr.KindValidation, "", "kind")
		_, err = s.Update(ctx, 999999, 1, Patch{Name: &other})
		testutil.WantErr(t, err, apperr.KindNotFound, "", "")
		got, _ := s.Get(ctx, p.Customer.ID)
		if got.Name != name || got.Version != 2 {
			t.Fatalf("refused updates changed the record: %+v", got)
		}
		var rec audit.Record
		db.Where("entity = ? AND action = ?", "customer", "update").Take(&rec)
		if !strings.Contains(rec.Before, `"version":1`) || !strings.Contains(rec.After, `"version":2`) {
			t.Errorf("update audit before/after: %+v", rec)
		}
	})
}

func TestListByNamePrefix(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		s, ctx, _ := newService(t, db)
		for i, n := range []string{"张三", "李四", "张三丰", "张伟", "王五"} {
			in := zhang("1380000000" + string(rune('0'+i)))
			in.Name = n
			if _, err := s.Create(ctx, in); err != nil {
				t.Fatal(err)
			}
		}
		pg, err := s.List(ctx, Filter{NamePrefix: "张三"})
		if err != nil {
			t.Fatal(err)
		}
		if pg.Total == nil || *pg.Total != 2 || len(pg.Items) != 2 || pg.Items[0].Customer.Name != "张三" || pg.Items[1].Customer.Name != "张三丰" {
			t.Fatalf("prefix 张三: %+v", pg)
		}
		if len(pg.Items[0].Phones) != 1 || len(pg.Items[0].Addresses) != 1 {
			t.Fatalf("list items carry phones and addresses: %+v", pg.Items[0])
		}
		pg, _ = s.List(ctx, Filter{NamePrefix: "张", Size: 2})
		if *pg.Total != 3 || len(pg.Items) != 2 || !pg.HasMore {
			t.Fatalf("prefix 张 page 1: total %v, %d items, more %v", *pg.Total, len(pg.Items), pg.HasMore)
		}
		pg, _ = s.List(ctx, Filter{NamePrefix: "张", Size: 2, Page: 2})
		if len(pg.Items) != 1 || pg.HasMore || pg.Items[0].Customer.Name != "张伟" {
			t.Fatalf("prefix 张 page 2: %+v", pg.Items)
		}
		pg, _ = s.List(ctx, Filter{})
		if pg.Total != nil || len(pg.Items) != 5 || pg.Items[0].Customer.Name != "王五" {
			t.Fatalf("all, newest first: %+v", pg)
		}
		pg, _ = s.List(ctx, Filter{NamePrefix: "100%"})
		if *pg.Total != 0 {
			t.Fatalf("wildcards are literal: %v", *pg.Total)
		}
	})
}

func TestBulkInsert(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		s, ctx, _ := newService(t, db)
		now := time.Now().UTC()
		var ps []Profile
		for i := 1; i <= 2500; i++ {
			ps = append(ps, Profile{Customer: Customer{ID: uint64(i), Name: "客户", Kind: KindPerson, Version: 1, CreatedAt: now, UpdatedAt: now},
				Phones:    []Phone{{Number: "1390000" + leftPad(i, 4), Kind: PhoneMobile, IsPrimary: true, CreatedAt: now}},
				Addresses: []Address{{RegionCode: "440305", Detail: "x", IsDefault: true, CreatedAt: now}}})
		}
		if err := BulkInsert(ctx, db, ps); err != nil {
			t.Fatal(err)
		}
		if max, err := MaxID(ctx, db); err != nil || max != 2500 {
			t.Fatalf("max id %d %v", max, err)
		}
		c, err := s.FindByPhone(ctx, "139 0000 2000")
		if err != nil || c.ID != 2000 {
			t.Fatalf("find bulk-inserted: %v %v", c.ID, err)
		}
		// The service numbers new customers after the bulk-inserted ones.
		p, err := s.Create(ctx, zhang("13812345678"))
		if err != nil || p.Customer.ID <= 2500 {
			t.Fatalf("create after bulk: %v %v", p.Customer.ID, err)
		}
	})
}

func leftPad(i, n int) string {
	s := strings.Repeat("0", n) + itoa(i)
	return s[len(s)-n:]
}

func itoa(i int) string { return idStr(uint64(i)) }
