package parts_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/parts"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

type events struct {
	mu  sync.Mutex
	got []event.Event
}

func (e *events) names(name string) []event.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []event.Event
	for _, ev := range e.got {
		if ev.Name == name {
			out = append(out, ev)
		}
	}
	return out
}

func setup(t *testing.T, db *gorm.DB) (*parts.Service, *testutil.Clock, *events, context.Context) {
	t.Helper()
	bus := event.NewMemoryBus()
	ev := &events{}
	bus.Subscribe(func(e event.Event) { ev.mu.Lock(); ev.got = append(ev.got, e); ev.mu.Unlock() })
	clk := testutil.NewClock(time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC))
	s := parts.New(parts.Options{DB: db, Audit: audit.New(nil), Bus: bus, Now: clk.Now})
	ctx := actor.With(context.Background(), actor.Actor{UserID: 1, Username: "admin", Roles: []string{"admin"}})
	return s, clk, ev, ctx
}

func technician(outlet uint64, name string) context.Context {
	o := outlet
	return actor.With(context.Background(), actor.Actor{UserID: 7, Username: name, Roles: []string{"technician"}, OutletID: &o})
}

// TestLastPartRace: technicians at one outlet take the last pieces at the
// same moment; exactly as many succeed as there are pieces, the rest get
// 409 out_of_stock, stock never goes negative and the ledger sums to the
// balance.
func TestLastPartRace(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		s, _, ev, ctx := setup(t, db)
		p, err := s.CreatePart(ctx, parts.NewPart{Code: "cmp-1", Name: "压缩机", PriceFen: 80000})
		if err != nil {
			t.Fatal(err)
		}
		if p.Code != "CMP-1" {
			t.Fatalf("code not normalised: %s", p.Code)
		}
		for _, tc := range []struct {
			name          string
			stock, takers int
		}{{"last piece, two technicians", 1, 2}, {"three pieces, twelve technicians", 3, 12}} {
			t.Run(tc.name, func(t *testing.T) {
				const outlet = 5
				if _, err := s.SetMinLevel(ctx, p.ID, outlet, 0); err != nil {
					t.Fatal(err)
				}
				if _, err := s.Receive(ctx, parts.StockChange{PartID: p.ID, LocationID: outlet, Qty: int64(tc.stock)}); err != nil {
					t.Fatal(err)
				}
				var wg sync.WaitGroup
				errs := make([]error, tc.takers)
				start := make(chan struct{})
				for i := range tc.takers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						_, errs[i] = s.Issue(technician(outlet, "tech"), parts.StockChange{PartID: p.ID, LocationID: outlet, Qty: 1, Ref: "job"})
					}()
				}
				close(start)
				wg.Wait()
				ok, out := 0, 0
				for _, err := range errs {
					switch testutil.Code(err) {
					case "":
						ok++
					case "out_of_stock":
						out++
						if e := apperr.As(err); e.Kind != apperr.KindConflict || e.Details["part_code"] != "CMP-1" {
							t.Errorf("out_of_stock error shape: %+v", e)
						}
					default:
						t.Errorf("unexpected error: %v", err)
					}
				}
				if ok != tc.stock || out != tc.takers-tc.stock {
					t.Fatalf("%d succeeded, %d out of stock; want %d and %d", ok, out, tc.stock, tc.takers-tc.stock)
				}
				rows, _, err := s.Balances(ctx, parts.BalanceFilter{PartID: p.ID, LocationID: ptr(uint64(outlet))})
				if err != nil || len(rows) != 1 || rows[0].OnHand != 0 {
					t.Fatalf("balance after race: %+v %v", rows, err)
				}
				bad, err := s.LedgerCheck(ctx)
				if err != nil || len(bad) != 0 {
					t.Fatalf("ledger disagrees with balances: %v %v", bad, err)
				}
			})
		}
		_ = ev
	})
}

func ptr[T any](v T) *T { return &v }

func TestRequisitionFlowAndFillRate(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		s, clk, ev, ctx := setup(t, db)
		p, _ := s.CreatePart(ctx, parts.NewPart{Code: "PCB-9", Name: "主控板", PriceFen: 30000})
		q, _ := s.CreatePart(ctx, parts.NewPart{Code: "FAN-2", Name: "风扇电机", PriceFen: 12000})
		tech := technician(3, "tech3")

		// An outlet user requests for their own outlet; another outlet is not theirs.
		if _, err := s.CreateRequisition(tech, parts.NewRequisition{OutletID: 4, Lines: []parts.NewLine{{PartID: p.ID, Qty: 1}}}); testutil.Code(err) != "not_found" {
			t.Fatalf("other outlet: %v", err)
		}
		if _, err := s.CreateRequisition(tech, parts.NewRequisition{Lines: []parts.NewLine{{PartID: 0, Qty: 0}}}); !apperr.IsKind(err, apperr.KindValidation) {
			t.Fatalf("bad lines: %v", err)
		}
		r1, err := s.CreateRequisition(tech, parts.NewRequisition{Lines: []parts.NewLine{{PartID: p.ID, Qty: 2}, {PartID: q.ID, Qty: 1}, {PartID: p.ID, Qty: 1}}})
		if err != nil {
			t.Fatal(err)
		}
		if r1.OutletID != 3 || len(r1.Lines) != 2 || r1.Lines[0].Qty != 3 {
			t.Fatalf("requisition: %+v", r1)
		}
		// Receiving before shipping is not a transition.
		if _, err := s.ReceiveRequisition(tech, r1.ID, 0); testutil.Code(err) != "invalid_transition" {
			t.Fatalf("receive before ship: %v", err)
		} else if allowed := apperr.As(err).Details["allowed"]; len(allowed.([]string)) != 2 {
			t.Fatalf("allowed: %v", allowed)
		}
		// The central warehouse has nothing: the whole shipment is refused.
		if _, err := s.Ship(ctx, r1.ID, 0); testutil.Code(err) != "out_of_stock" {
			t.Fatalf("ship without stock: %v", err)
		}
		if _, err := s.Receive(ctx, parts.StockChange{PartID: p.ID, LocationID: parts.LocationCentral, Qty: 4}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Ship(ctx, r1.ID, 0); testutil.Code(err) != "out_of_stock" {
			t.Fatalf("ship with one line short: %v", err)
		}
		if _, err := s.Receive(ctx, parts.StockChange{PartID: q.ID, LocationID: parts.LocationCentral, Qty: 2}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetMinLevel(ctx, q.ID, parts.LocationCentral, 1); err != nil {
			t.Fatal(err)
		}
		// Another outlet's user cannot see it.
		if _, err := s.Requisition(technician(9, "x"), r1.ID); testutil.Code(err) != "not_found" {
			t.Fatalf("scope: %v", err)
		}
		clk.Add(2 * time.Hour)
		r1, err = s.Ship(ctx, r1.ID, r1.Version)
		if err != nil {
			t.Fatal(err)
		}
		if len(ev.names("parts.low_stock")) != 1 {
			t.Fatalf("central FAN-2 fell from 2 to 1 <= min 1: want one low-stock event, got %v", ev.names("parts.low_stock"))
		}
		if e := ev.names("parts.low_stock")[0]; e.Topic != "outlet:0" || e.Data["part_code"] != "FAN-2" {
			t.Fatalf("low stock event: %+v", e)
		}
		if _, err := s.Ship(ctx, r1.ID, 0); testutil.Code(err) != "invalid_transition" {
			t.Fatalf("ship twice: %v", err)
		}
		if _, err := s.ReceiveRequisition(tech, r1.ID, r1.Version-1); testutil.Code(err) != "version_conflict" {
			t.Fatalf("stale version: %v", err)
		}
		clk.Add(3 * time.Hour)
		r1, err = s.ReceiveRequisition(tech, r1.ID, r1.Version)
		if err != nil {
			t.Fatal(err)
		}
		if r1.Status != parts.ReqReceived || r1.FulfilSeconds == nil || *r1.FulfilSeconds != 5*3600 {
			t.Fatalf("received: %+v", r1)
		}
		rows, _, _ := s.Balances(tech, parts.BalanceFilter{})
		if len(rows) != 2 || rows[0].LocationID != 3 {
			t.Fatalf("outlet stock after receipt: %+v", rows)
		}

		// A slow one: received 30 h after the request.
		r2, _ := s.CreateRequisition(tech, parts.NewRequisition{Lines: []parts.NewLine{{PartID: p.ID, Qty: 1}}})
		clk.Add(30 * time.Hour)
		r2, _ = s.Ship(ctx, r2.ID, 0)
		if _, err := s.ReceiveRequisition(tech, r2.ID, 0); err != nil {
			t.Fatal(err)
		}
		// One open past its deadline, one fresh (not due yet), one cancelled.
		open, _ := s.CreateRequisition(tech, parts.NewRequisition{Lines: []parts.NewLine{{PartID: p.ID, Qty: 1}}})
		clk.Add(25 * time.Hour)
		fresh, _ := s.CreateRequisition(tech, parts.NewRequisition{Lines: []parts.NewLine{{PartID: p.ID, Qty: 1}}})
		gone, _ := s.CreateRequisition(tech, parts.NewRequisition{Lines: []parts.NewLine{{PartID: p.ID, Qty: 1}}})
		if _, err := s.CancelRequisition(tech, gone.ID, 0, ""); !apperr.IsKind(err, apperr.KindValidation) {
			t.Fatalf("cancel without reason: %v", err)
		}
		if _, err := s.CancelRequisition(tech, gone.ID, 0, "客户改约"); err != nil {
			t.Fatal(err)
		}
		_ = fresh
		fr, err := s.FillRateOf(ctx, clk.Now().Add(-30*24*time.Hour), clk.Now().Add(time.Hour), clk.Now(), 0)
		if err != nil {
			t.Fatal(err)
		}
		// Due: r1 (on time), r2 (late), open (late, not received) = 3; fresh is not due yet.
		if fr.Due != 3 || fr.OnTime != 1 || fr.Open != 1 || fr.Rate == nil || *fr.Rate < 0.33 || *fr.Rate > 0.34 {
			t.Fatalf("fill rate: %+v", fr)
		}
		if fr.AvgHoursToPart == nil || *fr.AvgHoursToPart != (5+30)/2.0 {
			t.Fatalf("time to part: %v", *fr.AvgHoursToPart)
		}
		if len(fr.LateIDs) != 2 || fr.LateIDs[1] != "requisition:"+strconv.FormatUint(open.ID, 10) {
			t.Fatalf("late ids: %v", fr.LateIDs)
		}
		bad, err := s.LedgerCheck(ctx)
		if err != nil || len(bad) != 0 {
			t.Fatalf("ledger: %v %v", bad, err)
		}
		mv, err := s.Movements(tech, parts.MovementFilter{Size: 50})
		if err != nil || len(mv) == 0 {
			t.Fatalf("outlet movements: %v %v", mv, err)
		}
		for _, m := range mv {
			if m.LocationID != 3 {
				t.Fatalf("outlet user sees another location's movement: %+v", m)
			}
		}
	})
}

func TestCatalogueAndAdjustments(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		s, _, _, ctx := setup(t, db)
		if _, err := s.CreatePart(ctx, parts.NewPart{Code: "bad code!", Name: "", PriceFen: -1}); !apperr.IsKind(err, apperr.KindValidation) ||
			len(apperr.As(err).Fields) != 3 {
			t.Fatalf("validation: %v", err)
		}
		p, err := s.CreatePart(ctx, parts.NewPart{Code: "SEAL-1", Name: "门封条", PriceFen: 3500, CategoryIDs: []uint64{2, 1, 2}})
		if err != nil || len(p.CategoryIDs) != 2 {
			t.Fatalf("create: %+v %v", p, err)
		}
		if _, err := s.CreatePart(ctx, parts.NewPart{Code: "seal-1", Name: "x"}); testutil.Code(err) != "part_code_taken" {
			t.Fatalf("duplicate: %v", err)
		}
		price := int64(4000)
		p, err = s.UpdatePart(ctx, p.ID, p.Version, parts.PartPatch{PriceFen: &price})
		if err != nil || p.PriceFen != 4000 || p.Version != 2 {
			t.Fatalf("update: %+v %v", p, err)
		}
		if _, err := s.UpdatePart(ctx, p.ID, 1, parts.PartPatch{PriceFen: &price}); testutil.Code(err) != "version_conflict" {
			t.Fatalf("stale update: %v", err)
		}
		list, total, err := s.ListParts(ctx, parts.PartFilter{Query: "se", CategoryID: 1})
		if err != nil || total != 1 || len(list) != 1 {
			t.Fatalf("list: %v %d %v", list, total, err)
		}
		if _, err := s.Adjust(ctx, parts.StockChange{PartID: p.ID, LocationID: 2, Qty: -1, Note: "盘亏"}); testutil.Code(err) != "out_of_stock" {
			t.Fatalf("negative adjustment below zero: %v", err)
		}
		if _, err := s.Adjust(ctx, parts.StockChange{PartID: p.ID, LocationID: 2, Qty: 5}); !apperr.IsKind(err, apperr.KindValidation) {
			t.Fatalf("adjust without reason: %v", err)
		}
		if _, err := s.Adjust(ctx, parts.StockChange{PartID: p.ID, LocationID: 2, Qty: 5, Note: "盘盈"}); err != nil {
			t.Fatal(err)
		}
		m, err := s.Adjust(ctx, parts.StockChange{PartID: p.ID, LocationID: 2, Qty: -2, Note: "盘亏"})
		if err != nil || m.BalanceAfter != 3 {
			t.Fatalf("adjust down: %+v %v", m, err)
		}
		if _, err := s.Issue(technician(9, "t"), parts.StockChange{PartID: p.ID, LocationID: 2, Qty: 1}); testutil.Code(err) != "not_found" {
			t.Fatalf("issue from another outlet: %v", err)
		}
		var audits int64
		db.Table("audit_records").Where("entity = ?", "stock").Count(&audits)
		if audits != 2 {
			t.Fatalf("stock audit records: %d", audits)
		}
	})
}
