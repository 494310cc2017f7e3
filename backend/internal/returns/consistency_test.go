package returns_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/product"
	"github.com/aftersales/aftersales/backend/internal/returns"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

// lifecycle is the app's adapter from returns to the product service.
type lifecycle struct{ p *product.Service }

func (l lifecycle) Returned(ctx context.Context, tx *gorm.DB, id uint64, on time.Time) error {
	_, err := l.p.MarkReturned(ctx, tx, id, on)
	return err
}

func (l lifecycle) Exchanged(ctx context.Context, tx *gorm.DB, id uint64, serial string, on time.Time, restart bool, proof string) (uint64, error) {
	n, err := l.p.Exchange(ctx, tx, id, serial, on, restart, proof)
	return n.ID, err
}

func (lifecycle) Published(context.Context, uint64, *uint64) {}

// Defect 3: a refunded unit stayed active with its warranty, and an
// exchange's replacement serial was never registered. A completed return
// marks the unit returned and ends its warranty; a completed exchange
// registers the replacement for the same owner, links both ways, marks the
// old unit exchanged and restarts the replacement's 三包 periods; both
// passports show it.
func TestReturnsAndExchangesChangeTheUnit(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		now := time.Date(2026, 3, 5, 2, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		loc := time.FixedZone("CST", 8*3600)
		tr := audit.New(clock)
		ps := product.New(product.Options{DB: db, Audit: tr, Location: loc, Now: clock})
		admin := actor.With(context.Background(), actor.Actor{UserID: 1, Username: "admin", Roles: []string{"admin"}})
		cat, err := ps.CreateCategory(admin, product.NewCategory{Code: "AC", Name: "空调"})
		if err != nil {
			t.Fatal(err)
		}
		m, err := ps.CreateModel(admin, product.NewModel{Code: "KFR-35", Name: "KFR-35GW", CategoryID: cat.ID})
		if err != nil {
			t.Fatal(err)
		}
		owner := uint64(7)
		bought := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		reg := func(serial string) product.Unit {
			u, err := ps.RegisterUnit(admin, product.NewUnit{Serial: serial, ModelID: m.ID, CustomerID: &owner, PurchaseDate: &bought})
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		refunded, swapped := reg("AC-RET-0001"), reg("AC-EXC-0001")
		s := returns.New(returns.Options{DB: db, Audit: tr, Location: loc, Now: clock, Lifecycle: lifecycle{ps}, ExchangeRestartsWarranty: true,
			Units: func(ctx context.Context, id uint64, serial string) (returns.Unit, error) {
				u, err := ps.Unit(ctx, id)
				if err != nil {
					return returns.Unit{}, err
				}
				return returns.Unit{ID: u.ID, Serial: u.Serial, CustomerID: u.CustomerID, PurchaseDate: u.PurchaseDate}, nil
			},
			Windows: func(ctx context.Context, id uint64) (returns.Windows, error) {
				u, _ := ps.Unit(ctx, id)
				st, _, err := ps.WarrantyOfUnit(ctx, u, now)
				return returns.Windows{ReturnUntil: st.ReturnUntil, ExchangeUntil: st.ExchangeUntil}, err
			}})
		agent := actor.With(context.Background(), actor.Actor{UserID: 2, Username: "agent", Roles: []string{"hotline_agent"}})
		finish := func(kind string, unit uint64, c returns.Completion) returns.Request {
			t.Helper()
			r, err := s.Create(agent, returns.NewRequest{Kind: kind, UnitID: unit, Reason: "开箱故障"})
			if err != nil {
				t.Fatal(err)
			}
			if r, err = s.Decide(agent, r.ID, r.Version, returns.DecisionAccepted, "符合三包"); err != nil {
				t.Fatal(err)
			}
			if r, err = s.Complete(agent, r.ID, r.Version, c); err != nil {
				t.Fatal(err)
			}
			return r
		}

		finish(returns.KindReturn, refunded.ID, returns.Completion{RefundFen: 329900})
		u, _ := ps.Unit(admin, refunded.ID)
		st, _, _ := ps.WarrantyOfUnit(admin, u, now)
		if u.Status != product.UnitReturned || u.WarrantyEndedOn == nil || st.State != product.StateEnded {
			t.Fatalf("returned unit %+v warranty %s", u, st.State)
		}
		if p, err := ps.Passport(admin, refunded.Serial, now); err != nil || len(p.History) < 2 {
			t.Fatalf("the returned unit's history is kept: %v %+v", err, p.History)
		}

		now = now.Add(48 * time.Hour) // exchanged on 7 March
		finish(returns.KindExchange, swapped.ID, returns.Completion{ReplacementSerial: "ac-new-0001"})
		old, _ := ps.Unit(admin, swapped.ID)
		n, err := ps.UnitBySerial(admin, "AC-NEW-0001")
		if err != nil {
			t.Fatalf("the replacement is not registered: %v", err)
		}
		if old.Status != product.UnitExchanged || old.ReplacedByUnitID == nil || *old.ReplacedByUnitID != n.ID {
			t.Fatalf("exchanged-out unit %+v", old)
		}
		if n.ReplacesUnitID == nil || *n.ReplacesUnitID != old.ID || n.CustomerID == nil || *n.CustomerID != owner || n.ModelID != m.ID ||
			n.Status != product.UnitActive {
			t.Fatalf("replacement %+v", n)
		}
		nst, _, _ := ps.WarrantyOfUnit(admin, n, now)
		if n.WarrantyStart == nil || !n.WarrantyStart.Equal(time.Date(2026, 3, 7, 0, 0, 0, 0, time.UTC)) || nst.State != product.StateReturn ||
			!nst.RepairUntil.Equal(time.Date(2027, 3, 7, 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("replacement warranty start %v status %+v", n.WarrantyStart, nst)
		}
		for serial, want := range map[string]string{old.Serial: "AC-NEW-0001", n.Serial: old.Serial} {
			p, err := ps.Passport(admin, serial, now)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, e := range p.History {
				found = found || (e.Kind == "exchange" && e.TitleParams["serial"] == want)
			}
			if !found {
				t.Fatalf("passport of %s does not show the exchange with %s: %+v", serial, want, p.History)
			}
		}
		cards, _ := ps.UnitCards(admin, owner, now)
		shown := false
		for _, c := range cards {
			shown = shown || c.Unit.ID == n.ID
		}
		if !shown {
			t.Fatal("the screen-pop does not show the new unit")
		}
	})
}
