package product

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/customer"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/passport"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

// owners is a fake customer directory: customer 1 exists.
type owners struct{}

func (owners) Get(_ context.Context, id uint64) (customer.Customer, error) {
	if id == 1 {
		return customer.Customer{ID: 1, Name: "张三"}, nil
	}
	return customer.Customer{}, apperr.NotFound("customer")
}

var testNow = time.Date(2025, 6, 15, 4, 0, 0, 0, time.UTC) // 12:00 in Shanghai

func newService(t *testing.T, db *gorm.DB) (*Service, context.Context) {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	s := New(Options{DB: db, Audit: audit.New(nil), Bus: event.NewMemoryBus(), Owners: owners{}, Location: loc,
		Now: func() time.Time { return testNow }})
	return s, actor.With(context.Background(), actor.Actor{UserID: 7, Username: "tester"})
}

func ptr[T any](v T) *T { return &v }

// seedCatalog creates category AC (defaults) and a model that overrides the
// repair warranty to three years.
func seedCatalog(t *testing.T, s *Service, ctx context.Context) (Category, Model) {
	t.Helper()
	c, err := s.CreateCategory(ctx, NewCategory{Code: "ac", Name: "空调"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.CreateModel(ctx, NewModel{Code: "KFR-35GW/A1", Name: "静悦 1.5匹 变频挂机", CategoryID: c.ID,
		Overrides: PolicyInput{RepairWarrantyMonths: ptr(36)}})
	if err != nil {
		t.Fatal(err)
	}
	return c, m
}

func TestCategoriesAndModels(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		s, ctx := newService(t, db)
		c, m := seedCatalog(t, s, ctx)
		if c.Code != "AC" || c.Policy() != DefaultPolicy() {
			t.Fatalf("category = %+v, want code AC with the 三包 defaults", c)
		}
		if got := m.Policy(c.Policy()); got.RepairWarrantyMonths != 36 || got.ReturnDays != 7 {
			t.Fatalf("effective policy %+v", got)
		}

		_, err := s.CreateCategory(ctx, NewCategory{Code: "AC", Name: "重复"})
		testutil.WantErr(t, err, apperr.KindConflict, "duplicate_code", "")
		_, err = s.CreateCategory(ctx, NewCategory{Code: "WM", Name: "洗衣机", Policy: PolicyInput{ReturnDays: ptr(20), ExchangeDays: ptr(15)}})
		testutil.WantErr(t, err, apperr.KindValidation, "", "exchange_days")
		_, err = s.CreateCategory(ctx, NewCategory{Code: "WM", Name: "", Policy: PolicyInput{RepairWarrantyMonths: ptr(-1)}})
		e := testutil.WantErr(t, err, apperr.KindValidation, "", "repair_warranty_months")
		if e.Fields["name"].Code == "" {
			t.Errorf("want name required too: %v", e.Fields)
		}
		_, err = s.CreateModel(ctx, NewModel{Code: "X1", Name: "x", CategoryID: 999})
		testutil.WantErr(t, err, apperr.KindValidation, "", "category_id")
		_, err = s.CreateModel(ctx, NewModel{Code: "KFR-35GW/A1", Name: "dup", CategoryID: c.ID})
		testutil.WantErr(t, err, apperr.KindConflict, "duplicate_code", "")

		// Category policy change reaches the model (not overridden fields).
		c2, err := s.UpdateCategory(ctx, c.ID, c.Version, CategoryPatch{Policy: PolicyInput{ReturnDays: ptr(10), ExchangeDays: ptr(20)}})
		if err != nil {
			t.Fatal(err)
		}
		if c2.Version != 2 || c2.ReturnDays != 10 {
			t.Fatalf("updated category %+v", c2)
		}
		_, err = s.UpdateCategory(ctx, c.ID, c.Version, CategoryPatch{Name: ptr("旧版本")})
		testutil.WantErr(t, err, apperr.KindConflict, "version_conflict", "")

		// Clearing an override makes the model inherit again.
		m2, err := s.UpdateModel(ctx, m.ID, m.Version, ModelPatch{RepairWarrantyMonths: Override{Set: true}, Name: ptr("静悦 新款")})
		if err != nil {
			t.Fatal(err)
		}
		if m2.RepairWarrantyMonths != nil || m2.Name != "静悦 新款" || m2.Version != 2 {
			t.Fatalf("updated model %+v", m2)
		}
		_, err = s.UpdateModel(ctx, m.ID, m.Version, ModelPatch{Name: ptr("x")})
		testutil.WantErr(t, err, apperr.KindConflict, "version_conflict", "")
		_, err = s.UpdateModel(ctx, m.ID, m2.Version, ModelPatch{ReturnDays: Override{Set: true, Value: ptr(30)}})
		testutil.WantErr(t, err, apperr.KindValidation, "", "exchange_days")

		ms, total, err := s.Models(ctx, ModelFilter{CategoryID: c.ID, CodePrefix: "KFR"})
		if err != nil || total != 1 || len(ms) != 1 {
			t.Fatalf("models by prefix: %d %v %v", total, ms, err)
		}
		var n int64
		db.Model(&audit.Record{}).Where("entity IN ?", []string{"product_category", "product_model"}).Count(&n)
		if n != 4 {
			t.Errorf("audit records = %d, want 4 (2 creates, 2 updates)", n)
		}
	})
}

func TestRegisterUnit(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		s, ctx := newService(t, db)
		_, m := seedCatalog(t, s, ctx)
		owner := uint64(1)
		u, err := s.RegisterUnit(ctx, NewUnit{Serial: " kfr35a1-2501-000001 ", ModelID: m.ID, CustomerID: &owner,
			PurchaseDate: ptr(date("2025-06-10")), PurchaseProof: "增值税发票 44031234", ProductionDate: ptr(date("2025-05-02")),
			ProductionLot: "l2505a"})
		if err != nil {
			t.Fatal(err)
		}
		if u.Serial != "KFR35A1-2501-000001" || u.ProductionLot != "L2505A" {
			t.Fatalf("serial/lot not normalised: %+v", u)
		}
		got, err := s.UnitBySerial(ctx, "kfr35a1-2501-000001")
		if err != nil || got.ID != u.ID {
			t.Fatalf("lookup by lower-case serial: %v %v", got, err)
		}
		if got.PurchaseDate.Format(time.DateOnly) != "2025-06-10" {
			t.Fatalf("purchase date round trip: %v", got.PurchaseDate)
		}

		_, err = s.RegisterUnit(ctx, NewUnit{Serial: "KFR35A1-2501-000001", ModelID: m.ID})
		e := testutil.WantErr(t, err, apperr.KindConflict, "duplicate_serial", "")
		if e.Details["unit_id"] != u.ID {
			t.Errorf("duplicate_serial details = %v, want unit_id %d", e.Details, u.ID)
		}
		// 2025-06-16 is tomorrow in Shanghai.
		_, err = s.RegisterUnit(ctx, NewUnit{Serial: "SN-FUTURE-1", ModelID: m.ID, PurchaseDate: ptr(date("2025-06-16"))})
		testutil.WantErr(t, err, apperr.KindValidation, "", "purchase_date")
		_, err = s.RegisterUnit(ctx, NewUnit{Serial: "SN-2", ModelID: 999, CustomerID: ptr(uint64(2))})
		e = testutil.WantErr(t, err, apperr.KindValidation, "", "model_id")
		if e.Fields["customer_id"].Code == "" {
			t.Errorf("unknown customer not reported: %v", e.Fields)
		}
		_, err = s.RegisterUnit(ctx, NewUnit{Serial: "a/b", ModelID: m.ID})
		testutil.WantErr(t, err, apperr.KindValidation, "", "serial")
		_, err = s.RegisterUnit(ctx, NewUnit{Serial: "SN-3", ModelID: m.ID, PurchaseDate: ptr(date("2025-01-10")), ProductionDate: ptr(date("2025-02-01"))})
		testutil.WantErr(t, err, apperr.KindValidation, "", "production_date")

		// Warranty: bought 10 June, asked on 15 June (day 5): return window.
		st, pol, err := s.WarrantyOfUnit(ctx, u, testNow)
		if err != nil || st.State != StateReturn || pol.RepairWarrantyMonths != 36 || st.RepairUntil.Format(time.DateOnly) != "2028-06-10" {
			t.Fatalf("warranty %+v %+v %v", st, pol, err)
		}
		cards, err := s.UnitCards(ctx, owner, testNow)
		if err != nil || len(cards) != 1 || cards[0].Model.ID != m.ID || cards[0].Category.Code != "AC" || cards[0].Warranty.State != StateReturn {
			t.Fatalf("unit cards %+v %v", cards, err)
		}
		byID, err := s.UnitsByIDs(ctx, []uint64{u.ID, 999})
		if err != nil || len(byID) != 1 || byID[u.ID].Serial != u.Serial {
			t.Fatalf("units by ids %v %v", byID, err)
		}
		var n int64
		db.Model(&audit.Record{}).Where("entity = ? AND entity_id = ?", "unit", idStr(u.ID)).Count(&n)
		if n != 1 {
			t.Errorf("unit audit records = %d, want 1", n)
		}
	})
}

type fakeSource struct {
	entries []passport.Entry
	err     error
}

func (f fakeSource) PassportEntries(context.Context, uint64) ([]passport.Entry, error) {
	return f.entries, f.err
}

type fakeFlags map[uint64][]passport.Flag

func (f fakeFlags) UnitFlags(_ context.Context, ids []uint64) (map[uint64][]passport.Flag, error) {
	out := map[uint64][]passport.Flag{}
	for _, id := range ids {
		out[id] = f[id]
	}
	return out, nil
}

// TestPassportMergesSources: the passport shows the unit's own lines and
// every source's, newest first; a failing source is named, not fatal.
func TestPassportMergesSources(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		s, ctx := newService(t, db)
		_, m := seedCatalog(t, s, ctx)
		u, err := s.RegisterUnit(ctx, NewUnit{Serial: "SN-PASS-1", ModelID: m.ID, PurchaseDate: ptr(date("2024-06-01"))})
		if err != nil {
			t.Fatal(err)
		}
		at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
		s.AddPassportSource("tickets", fakeSource{entries: []passport.Entry{
			{At: at("2025-01-05T02:00:00Z"), Kind: "ticket", TitleCode: "ticket", Ref: "ticket:1"},
			{At: at("2025-03-01T02:00:00Z"), Kind: "ticket", TitleCode: "ticket", Ref: "ticket:2"},
		}})
		s.AddPassportSource("repairs", fakeSource{entries: []passport.Entry{
			{At: at("2025-01-06T08:00:00Z"), Kind: "repair", TitleCode: "repair", Ref: "repair:9"},
		}})
		s.AddPassportSource("recalls", fakeSource{err: errors.New("recall store down")})
		s.AddFlagSource(fakeFlags{u.ID: {{Kind: "replacement_entitled", TitleCode: "replacement_entitled_open", Ref: "repair:9"}}})

		p, err := s.Passport(ctx, "sn-pass-1", testNow)
		if err != nil {
			t.Fatal(err)
		}
		var refs []string
		for _, e := range p.History {
			refs = append(refs, e.Kind+":"+e.Ref)
		}
		want := []string{"unit:unit:" + idStr(u.ID), "ticket:ticket:2", "repair:repair:9", "ticket:ticket:1", "purchase:unit:" + idStr(u.ID)}
		if len(refs) != len(want) {
			t.Fatalf("history = %v, want %v", refs, want)
		}
		for i := range want {
			if refs[i] != want[i] {
				t.Fatalf("history = %v, want %v", refs, want)
			}
		}
		if len(p.Unavailable) != 1 || p.Unavailable[0] != "recalls" {
			t.Errorf("unavailable = %v, want [recalls]", p.Unavailable)
		}
		if len(p.Flags) != 1 || p.Flags[0].Kind != "replacement_entitled" {
			t.Errorf("flags = %v", p.Flags)
		}
		// Bought 2024-06-01 with a 36-month override: repair until 2027-06-01.
		if p.Warranty.State != StateRepair || p.Policy.RepairWarrantyMonths != 36 {
			t.Errorf("warranty %+v policy %+v", p.Warranty, p.Policy)
		}
		if _, err := s.Passport(ctx, "NO-SUCH-SERIAL", testNow); !apperr.IsKind(err, apperr.KindNotFound) {
			t.Errorf("unknown serial: %v", err)
		}
	})
}
