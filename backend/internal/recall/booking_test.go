package recall_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/recall"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

// remedyOrders is a fake dispatch: it hands out work-order ids and records
// what was opened and withdrawn.
type remedyOrders struct {
	next      uint64
	opened    []recall.RemedyOrder
	withdrawn []uint64
}

func (r *remedyOrders) Open(_ context.Context, o recall.RemedyOrder) (uint64, error) {
	if o.CustomerID == nil {
		return 0, apperr.FieldErr("unit", apperr.Code("unit_no_owner", "no owner"))
	}
	r.next++
	r.opened = append(r.opened, o)
	return 500 + r.next, nil
}

func (r *remedyOrders) Withdraw(_ context.Context, id uint64, _ string) error {
	r.withdrawn = append(r.withdrawn, id)
	return nil
}

// Defect 11: recall bookings were invisible to outlets. Booking a unit
// opens a recall_remedy work order at the chosen outlet (moving it to
// another outlet withdraws the first); completing that work order records
// the remedy on the campaign with the same 409 rules.
func TestBookingOpensARemedyWorkOrderAndItsCompletionRecordsTheRemedy(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		insertUnits(t, db, []unitRow{{serial: "RB26A000001", model: 7, customer: 3001, lot: "L2601"},
			{serial: "RB26A000002", model: 7, customer: 3002, lot: "L2601"}})
		clk := testutil.NewClock(time.Date(2026, 5, 4, 1, 0, 0, 0, time.UTC))
		orders := &remedyOrders{}
		loc, _ := time.LoadLocation("Asia/Shanghai")
		s := recall.New(recall.Options{DB: db, Audit: audit.New(nil), Bus: event.NewMemoryBus(), Location: loc, Now: clk.Now, RemedyOrders: orders})
		c, err := s.Create(admin, recall.CampaignInput{Title: "RB 电源召回", Reason: "过热", HazardLevel: "high", Remedy: "repair",
			RemedyDescription: "更换电源板", StartDate: time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddSelector(admin, c.ID, recall.SelectorInput{SerialFrom: "RB26A000001", SerialTo: "RB26A000002"}); err != nil {
			t.Fatal(err)
		}
		if c, err = s.Activate(admin, c.ID, 0); err != nil {
			t.Fatal(err)
		}
		units, _, _ := s.Units(admin, c.ID, recall.UnitFilter{Size: 10})
		u := units[0]
		at := clk.Now().Add(48 * time.Hour)
		u, err = s.Book(admin, u.ID, u.Version, at, 3)
		if err != nil || u.WorkOrderID == nil || *u.WorkOrderID != 501 || len(orders.opened) != 1 || orders.opened[0].OutletID != 3 ||
			orders.opened[0].CustomerID == nil || *orders.opened[0].CustomerID != *u.CustomerID {
			t.Fatalf("book: %v %+v %+v", err, u, orders.opened)
		}
		// The same outlet again moves the appointment only; another outlet
		// opens a new order and withdraws the first.
		if u, err = s.Book(admin, u.ID, u.Version, at.Add(time.Hour), 3); err != nil || len(orders.opened) != 1 {
			t.Fatalf("rebook same outlet: %v %+v", err, orders.opened)
		}
		if u, err = s.Book(admin, u.ID, u.Version, at, 4); err != nil || *u.WorkOrderID != 502 || len(orders.withdrawn) != 1 || orders.withdrawn[0] != 501 {
			t.Fatalf("rebook elsewhere: %v %+v %v", err, u, orders.withdrawn)
		}
		// Completing the work order records the remedy, once.
		done := func() error {
			return db.Transaction(func(tx *gorm.DB) error {
				_, found, err := s.RemedyForWorkOrder(admin, tx, 502, 4, "完工")
				if err == nil && !found {
					t.Fatal("the work order's unit was not found")
				}
				return err
			})
		}
		if err := done(); err != nil {
			t.Fatal(err)
		}
		got, _ := s.AffectedUnit(admin, u.ID)
		if got.Status != recall.UnitRemedied || got.RemediedOutletID == nil || *got.RemediedOutletID != 4 {
			t.Fatalf("remedied %+v", got)
		}
		if err := done(); testutil.Code(err) != "invalid_transition" {
			t.Fatalf("remedy twice: %v", err)
		}
		// A closed campaign refuses the completion of its other booking.
		other := units[1]
		if other, err = s.Book(admin, other.ID, other.Version, at, 3); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Close(admin, c.ID, 0, "提前结束"); err != nil {
			t.Fatal(err)
		}
		err = db.Transaction(func(tx *gorm.DB) error {
			_, _, err := s.RemedyForWorkOrder(admin, tx, *other.WorkOrderID, 3, "完工")
			return err
		})
		if testutil.Code(err) != "campaign_not_active" {
			t.Fatalf("remedy in a closed campaign: %v", err)
		}
		// No unit names an unknown work order.
		_ = db.Transaction(func(tx *gorm.DB) error {
			if _, found, err := s.RemedyForWorkOrder(admin, tx, 999, 3, ""); found || err != nil {
				t.Fatalf("unknown work order: %v %v", found, err)
			}
			return nil
		})
	})
}
