package servicerequest_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/customer"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/product"
	"github.com/aftersales/aftersales/backend/internal/region"
	"github.com/aftersales/aftersales/backend/internal/servicerequest"
	"github.com/aftersales/aftersales/backend/internal/sla"
	"github.com/aftersales/aftersales/backend/internal/testutil"
	"github.com/aftersales/aftersales/backend/internal/ticket"
)

type fixture struct {
	db        *gorm.DB
	svc       *servicerequest.Service
	customers *customer.Service
	tickets   *ticket.Service
	ctx       context.Context
}

func newFixture(t *testing.T, g *gorm.DB) fixture {
	t.Helper()
	regions, err := region.Load()
	if err != nil {
		t.Fatal(err)
	}
	trail, bus := audit.New(nil), event.NewMemoryBus()
	store := sla.New(sla.Options{DB: g, Audit: trail, Bus: bus, CacheTTL: time.Nanosecond,
		TicketTypes: ticket.Types(), Priorities: ticket.Priorities(), Statuses: ticket.Statuses()})
	if err := store.EnsureDefaults(context.Background()); err != nil {
		t.Fatal(err)
	}
	customers := customer.New(customer.Options{DB: g, Audit: trail, Bus: bus, Regions: regions})
	products := product.New(product.Options{DB: g, Audit: trail, Bus: bus, Owners: customers})
	tickets := ticket.New(ticket.Options{DB: g, Audit: trail, Bus: bus, SLA: store, Customers: customers, Regions: regions})
	svc := servicerequest.New(servicerequest.Options{DB: g, Customers: customers, Products: products, Tickets: tickets, Regions: regions})
	ctx := actor.With(context.Background(), actor.Actor{Username: "customer:web"})
	return fixture{db: g, svc: svc, customers: customers, tickets: tickets, ctx: ctx}
}

func form(phone string) servicerequest.Request {
	return servicerequest.Request{Name: "王建国", Phone: phone, RegionCode: "440305", Address: "科技园南区 1 栋 101",
		Serial: "SN-UNKNOWN-1", Description: "空调不制冷，外机不转", PreferredTime: "周六上午"}
}

func (f fixture) count(t *testing.T, table string) int64 {
	t.Helper()
	var n int64
	if err := f.db.Table(table).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSubmitRegistersTheCustomerAndOpensTheWebTicket(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		f := newFixture(t, g)
		res, err := f.svc.Submit(f.ctx, form("138 0013 8000"))
		if err != nil {
			t.Fatal(err)
		}
		d := res.Ticket
		if !res.Created || d.Channel != ticket.ChannelWeb || d.Type != ticket.TypeRepair || d.Status != ticket.StatusNew || !strings.HasPrefix(d.Number, "T") {
			t.Fatalf("ticket %+v created=%v", d.Ticket, res.Created)
		}
		for _, want := range []string{"空调不制冷", "来源：网页自助报修", "联系人：王建国", "科技园南区 1 栋 101", "产品序列号：SN-UNKNOWN-1（待核实）", "期望上门时间：周六上午"} {
			if !strings.Contains(d.Description, want) {
				t.Errorf("description lacks %q:\n%s", want, d.Description)
			}
		}
		cu, err := f.customers.FindByPhone(f.ctx, "13800138000")
		if err != nil {
			t.Fatal(err)
		}
		if cu.ID != d.CustomerID || cu.Name != "王建国" {
			t.Fatalf("customer %+v, ticket's customer %d", cu, d.CustomerID)
		}
		// The same phone again: the same customer, a second ticket.
		again, err := f.svc.Submit(f.ctx, form("13800138000"))
		if err != nil {
			t.Fatal(err)
		}
		if again.Ticket.CustomerID != cu.ID || again.Ticket.ID == d.ID {
			t.Fatalf("second request: customer %d ticket %d, want customer %d and a new ticket", again.Ticket.CustomerID, again.Ticket.ID, cu.ID)
		}
		if n := f.count(t, "customers"); n != 1 {
			t.Fatalf("%d customers, want 1", n)
		}
	})
}

func TestSubmitWithTheSameKeyAnswersTheFirstTicket(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		f := newFixture(t, g)
		r := form("13900139000")
		r.IdempotencyKey = "req-1"
		first, err := f.svc.Submit(f.ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		second, err := f.svc.Submit(f.ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		if !first.Created || second.Created || second.Ticket.Number != first.Ticket.Number {
			t.Fatalf("first %s created=%v, second %s created=%v", first.Ticket.Number, first.Created, second.Ticket.Number, second.Created)
		}
		if n := f.count(t, "tickets"); n != 1 {
			t.Fatalf("%d tickets, want 1", n)
		}
		r.IdempotencyKey = "bad key with spaces"
		if _, err := f.svc.Submit(f.ctx, r); !apperr.IsKind(err, apperr.KindInvalid) {
			t.Fatalf("malformed key: %v, want invalid", err)
		}
	})
}

// A failure while storing the ticket — the last step — rolls the new
// customer back with it: no customer, phone, address or audit record
// is left without the ticket the customer asked for.
func TestSubmitFailingAtTheTicketLeavesNoCustomerBehind(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		f := newFixture(t, g)
		boom := errors.New("ticket insert refused by the test")
		const cb = "test:refuse_ticket_insert"
		if err := g.Callback().Create().Before("gorm:create").Register(cb, func(tx *gorm.DB) {
			if tx.Statement.Table == "tickets" {
				_ = tx.AddError(boom)
			}
		}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = g.Callback().Create().Remove(cb) })
		before := map[string]int64{}
		tables := []string{"customers", "customer_phones", "customer_addresses", "customer_search_grams", "tickets", "audit_records"}
		for _, tb := range tables {
			before[tb] = f.count(t, tb)
		}
		_, err := f.svc.Submit(f.ctx, form("13700137000"))
		if !errors.Is(err, boom) {
			t.Fatalf("submit: %v, want the refused insert", err)
		}
		for _, tb := range tables {
			if n := f.count(t, tb); n != before[tb] {
				t.Errorf("%s: %d rows after the failed request, %d before", tb, n, before[tb])
			}
		}
		if _, err := f.customers.FindByPhone(f.ctx, "13700137000"); !apperr.IsKind(err, apperr.KindNotFound) {
			t.Fatalf("the phone's customer survived the rollback: %v", err)
		}
		// Once the ticket can be stored, the same request goes through whole.
		_ = g.Callback().Create().Remove(cb)
		res, err := f.svc.Submit(f.ctx, form("13700137000"))
		if err != nil || !res.Created {
			t.Fatalf("retry: %v", err)
		}
	})
}

// A form error is named by the form's field, and nothing is written.
func TestSubmitNamesTheFormFields(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		f := newFixture(t, g)
		r := form("12345")
		r.Name, r.RegionCode, r.Description = "", "440000", "坏"
		_, err := f.svc.Submit(f.ctx, r)
		e := apperr.As(err)
		if e.Kind != apperr.KindValidation {
			t.Fatalf("err %v, want validation", err)
		}
		for _, field := range []string{"name", "phone", "region_code", "description"} {
			if _, ok := e.Fields[field]; !ok {
				t.Errorf("no %s in %v", field, e.Fields)
			}
		}
		if n := f.count(t, "customers"); n != 0 {
			t.Fatalf("%d customers after a refused form", n)
		}
	})
}
