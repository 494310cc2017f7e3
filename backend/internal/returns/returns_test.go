package returns_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/product"
	"github.com/aftersales/aftersales/backend/internal/returns"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

func d(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestWindowEdges: bought on 1 March, the 7-day return window ends on
// 8 March ("day 7") and the 15-day exchange window on 16 March ("day 15"),
// as product.Warranty computes them under the civil-law rule.
func TestWindowEdges(t *testing.T) {
	purchase := d("2026-03-01")
	st := product.Warranty(product.DefaultPolicy(), purchase, purchase, time.UTC)
	for _, c := range []struct {
		kind, on string
		day      int
		eligible bool
	}{
		{returns.KindReturn, "2026-03-01", 0, true},
		{returns.KindReturn, "2026-03-08", 7, true},
		{returns.KindReturn, "2026-03-09", 8, false},
		{returns.KindExchange, "2026-03-09", 8, true},
		{returns.KindExchange, "2026-03-16", 15, true},
		{returns.KindExchange, "2026-03-17", 16, false},
		{returns.KindReturn, "2026-02-28", -1, false}, // before the purchase
	} {
		w := returns.Evaluate(c.kind, purchase, d(c.on), st.ReturnUntil, st.ExchangeUntil)
		if w.DaysSincePurchase != c.day || w.Eligible != c.eligible {
			t.Errorf("%s on %s: day %d eligible %v; want day %d eligible %v", c.kind, c.on, w.DaysSincePurchase, w.Eligible, c.day, c.eligible)
		}
	}
	// A policy without a return window: nothing is eligible for return.
	if w := returns.Evaluate(returns.KindReturn, purchase, purchase, time.Time{}, st.ExchangeUntil); w.Eligible {
		t.Error("no return window")
	}
}

func TestDecisionFlags(t *testing.T) {
	until := d("2026-03-08")
	in := returns.Window{Eligible: true, Until: until}
	out := returns.Window{Eligible: false, Until: until}
	for _, c := range []struct {
		name     string
		w        returns.Window
		decision string
		on       string
		want     returns.Flags
	}{
		{"accepted in time", in, returns.DecisionAccepted, "2026-03-08", returns.Flags{}},
		{"accepted late", in, returns.DecisionAccepted, "2026-03-09", returns.Flags{OutsideLegalWindow: true}},
		{"refused in time", in, returns.DecisionRefused, "2026-03-05", returns.Flags{RefusedWithinWindow: true}},
		{"refused late", in, returns.DecisionRefused, "2026-03-12", returns.Flags{OutsideLegalWindow: true, RefusedWithinWindow: true}},
		{"not eligible, refused", out, returns.DecisionRefused, "2026-03-20", returns.Flags{}},
		{"not eligible, goodwill acceptance", out, returns.DecisionAccepted, "2026-03-20", returns.Flags{}},
	} {
		if got := returns.DecisionFlags(c.w, c.decision, d(c.on)); got != c.want {
			t.Errorf("%s: %+v want %+v", c.name, got, c.want)
		}
	}
}

// at10 is 10:00 in Shanghai on day, the time the requests below are made.
func at10(day string) time.Time { return d(day).Add(2 * time.Hour) }

func TestRequestsAtTheEdges(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		loc, _ := time.LoadLocation("Asia/Shanghai")
		clk := testutil.NewClock(time.Time{})
		purchase := d("2026-03-01")
		units := func(_ context.Context, id uint64, serial string) (returns.Unit, error) {
			if id == 0 && strings.ToUpper(serial) == "RT0001" {
				id = 1
			}
			switch id {
			case 1:
				c := uint64(50)
				return returns.Unit{ID: 1, Serial: "RT0001", CustomerID: &c, PurchaseDate: &purchase}, nil
			case 2:
				return returns.Unit{ID: 2, Serial: "RT0002"}, nil // purchase date unknown
			}
			return returns.Unit{}, apperr.NotFound("unit")
		}
		windows := func(_ context.Context, id uint64) (returns.Windows, error) {
			st := product.Warranty(product.DefaultPolicy(), purchase, purchase, loc)
			return returns.Windows{ReturnUntil: st.ReturnUntil, ExchangeUntil: st.ExchangeUntil}, nil
		}
		bus := event.NewMemoryBus()
		var decided []event.Event
		bus.Subscribe(func(e event.Event) {
			if e.Name == "return.decided" {
				decided = append(decided, e)
			}
		})
		s := returns.New(returns.Options{DB: db, Audit: audit.New(nil), Bus: bus, Units: units, Windows: windows, Location: loc, Now: clk.Now})
		ctx := actor.With(context.Background(), actor.Actor{UserID: 2, Username: "agent", Roles: []string{"hotline_agent"}})
		create := func(kind, on string) returns.Request {
			t.Helper()
			clk.Set(at10(on))
			r, err := s.Create(ctx, returns.NewRequest{Kind: kind, Serial: "rt0001", Reason: "开箱噪音大"})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		decide := func(r returns.Request, decision, on string) returns.Request {
			t.Helper()
			clk.Set(at10(on))
			r, err := s.Decide(ctx, r.ID, r.Version, decision, "核实后处理")
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		// Day 7 return: eligible, accepted the same day, no flag.
		r7 := create(returns.KindReturn, "2026-03-08")
		if !r7.Eligible || r7.DaysSincePurchase != 7 || r7.WindowUntil == nil || !r7.WindowUntil.Equal(d("2026-03-08")) {
			t.Fatalf("day 7: %+v", r7)
		}
		r7 = decide(r7, returns.DecisionAccepted, "2026-03-08")
		if r7.OutsideLegalWindow || r7.RefusedWithinWindow || r7.Status != returns.StatusAccepted {
			t.Fatalf("day 7 accepted: %+v", r7)
		}
		// Day 8 return: not eligible; refusing it is lawful and not flagged.
		r8 := create(returns.KindReturn, "2026-03-09")
		if r8.Eligible || r8.DaysSincePurchase != 8 {
			t.Fatalf("day 8: %+v", r8)
		}
		r8 = decide(r8, returns.DecisionRefused, "2026-03-09")
		if r8.OutsideLegalWindow || r8.RefusedWithinWindow {
			t.Fatalf("day 8 refused: %+v", r8)
		}
		// Day 15 / day 16 exchange.
		if x := create(returns.KindExchange, "2026-03-16"); !x.Eligible {
			t.Fatalf("day 15 exchange: %+v", x)
		}
		x16 := create(returns.KindExchange, "2026-03-17")
		if x16.Eligible {
			t.Fatalf("day 16 exchange: %+v", x16)
		}
		// Refused inside the window: flagged.
		r5 := decide(create(returns.KindReturn, "2026-03-05"), returns.DecisionRefused, "2026-03-06")
		if !r5.RefusedWithinWindow || r5.OutsideLegalWindow {
			t.Fatalf("refused within the window: %+v", r5)
		}
		// Asked on day 6, decided on day 10: decided outside the legal window.
		late := decide(create(returns.KindReturn, "2026-03-06"), returns.DecisionAccepted, "2026-03-10")
		if !late.OutsideLegalWindow || late.RefusedWithinWindow {
			t.Fatalf("decided late: %+v", late)
		}
		if len(decided) != 4 || decided[3].Data["outside_legal_window"] != true {
			t.Fatalf("events: %+v", decided)
		}
		// Recorded later than asked: the request day counts, not the recording day.
		clk.Set(at10("2026-03-12"))
		back, err := s.Create(ctx, returns.NewRequest{Kind: returns.KindReturn, UnitID: 1, Reason: "电话申请", RequestedOn: d("2026-03-07")})
		if err != nil || !back.Eligible {
			t.Fatalf("requested on day 6, recorded on day 11: %+v %v", back, err)
		}
		if _, err := s.Create(ctx, returns.NewRequest{Kind: returns.KindReturn, UnitID: 1, Reason: "x", RequestedOn: d("2026-04-01")}); testutil.Code(err) != "validation_failed" {
			t.Fatalf("future request day: %v", err)
		}
		if _, err := s.Create(ctx, returns.NewRequest{Kind: "swap", UnitID: 2}); !apperr.IsKind(err, apperr.KindValidation) || len(apperr.As(err).Fields) != 2 {
			t.Fatalf("validation: %v", err)
		}
		if _, err := s.Create(ctx, returns.NewRequest{Kind: returns.KindReturn, UnitID: 2, Reason: "x"}); apperr.As(err).Fields["unit_id"].Code == "" {
			t.Fatalf("unknown purchase date: %v", err)
		}

		// Completion: a return needs the refund, an exchange the new serial.
		if _, err := s.Complete(ctx, r7.ID, 0, returns.Completion{}); apperr.As(err).Fields["refund_fen"].Code == "" {
			t.Fatalf("return without refund: %v", err)
		}
		done, err := s.Complete(ctx, r7.ID, 0, returns.Completion{RefundFen: 329900})
		if err != nil || done.Status != returns.StatusCompleted || done.RefundFen != 329900 {
			t.Fatalf("completed: %+v %v", done, err)
		}
		if _, err := s.Decide(ctx, r8.ID, 0, returns.DecisionAccepted, "改判"); testutil.Code(err) != "invalid_transition" {
			t.Fatalf("decide twice: %v", err)
		}
		if _, err := s.Decide(ctx, x16.ID, 99, returns.DecisionAccepted, "x"); testutil.Code(err) != "version_conflict" {
			t.Fatalf("stale version: %v", err)
		}

		// KPI over March: eligible = r7, x15, r5, late, back (5); honoured in
		// time = r7 only; x15 and back are still undecided but back's window
		// has passed by 12 March (x15's has not).
		clk.Set(at10("2026-03-12"))
		k, err := s.KPIOf(ctx, d("2026-03-01"), d("2026-04-01"))
		if err != nil {
			t.Fatal(err)
		}
		if k.Requests != 7 || k.Eligible != 5 || k.Honoured != 1 || k.RefusedWithinWindow != 1 || k.OutsideLegalWindow != 1 || k.Undecided != 1 || k.RefundFen != 329900 {
			t.Fatalf("kpi: %+v", k)
		}
		if len(k.NonConformingIDs) != 3 {
			t.Fatalf("non-conforming: %v", k.NonConformingIDs)
		}
		list, total, err := s.List(ctx, returns.Filter{Flag: "refused_within_window"})
		if err != nil || total != 1 || list[0].ID != r5.ID {
			t.Fatalf("flag filter: %v %d %v", list, total, err)
		}
		entries, err := s.PassportEntries(ctx, 1)
		if err != nil || len(entries) != 7 {
			t.Fatalf("passport: %d %v", len(entries), err)
		}
		// An outlet user sees only requests taken at their outlet.
		o := uint64(3)
		if _, err := s.Get(actor.With(context.Background(), actor.Actor{UserID: 3, Roles: []string{"outlet_manager"}, OutletID: &o}), r7.ID); testutil.Code(err) != "not_found" {
			t.Fatalf("scope: %v", err)
		}
	})
}
