package ticket_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/sla"
	"github.com/aftersales/aftersales/backend/internal/testutil"
	"github.com/aftersales/aftersales/backend/internal/ticket"
)

func benchService(b *testing.B, g *gorm.DB) (*ticket.Service, context.Context) {
	b.Helper()
	bus := event.NewMemoryBus()
	store := sla.New(sla.Options{DB: g, Audit: audit.New(nil), Bus: bus})
	if err := store.EnsureDefaults(context.Background()); err != nil {
		b.Fatal(err)
	}
	svc := ticket.New(ticket.Options{DB: g, Audit: audit.New(nil), Bus: bus, SLA: store})
	ctx := actor.With(context.Background(), actor.Actor{UserID: 7, Username: "agent", Roles: []string{"hotline_agent"}})
	return svc, ctx
}

// BenchmarkTicketCreate measures opening a ticket through the service
// (policy selection, day number, ticket, timeline, SLA log, audit record in
// one transaction), from 64 concurrent goroutines (the API target's 64
// clients), whatever GOMAXPROCS is.
func BenchmarkTicketCreate(b *testing.B) {
	for _, driver := range []string{testutil.SQLite, testutil.MySQL} {
		b.Run(driver, func(b *testing.B) {
			g := testutil.BenchDB(b, driver, 64)
			svc, ctx := benchService(b, g)
			b.ReportAllocs()
			b.SetParallelism(max(1, 64/runtime.GOMAXPROCS(0)))
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					_, _, err := svc.Create(ctx, ticket.NewTicket{Channel: ticket.ChannelPhone, Type: ticket.TypeRepair, CustomerID: 1 + uint64(rand.IntN(1000)),
						RegionCode: "440305", Description: "空调不制冷"})
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkTicketListByStatusOutlet measures the first page of the list
// filtered by status and outlet (an outlet manager's queue) over
// BENCH_TICKETS tickets (default 200,000; `aftersales seed --scale` and
// scripts/bench-api.sh measure it at 1,000,000 through HTTP).
func BenchmarkTicketListByStatusOutlet(b *testing.B) {
	n := 200_000
	if v, err := strconv.Atoi(os.Getenv("BENCH_TICKETS")); err == nil && v > 0 {
		n = v
	}
	for _, driver := range []string{testutil.SQLite, testutil.MySQL} {
		b.Run(fmt.Sprintf("%s/%d", driver, n), func(b *testing.B) {
			g := testutil.BenchDB(b, driver, 64)
			svc, _ := benchService(b, g)
			const outlets = 2000
			fillTickets(b, g, n, outlets)
			statuses := []string{ticket.StatusInProgress, ticket.StatusClosed, ticket.StatusAssigned}
			b.ReportAllocs()
			b.ResetTimer()
			i := 0
			for b.Loop() {
				i++
				outletID := uint64(1 + i%outlets)
				ctx := actor.With(context.Background(), actor.Actor{UserID: 9, Username: "om", Roles: []string{"outlet_manager"}, OutletID: &outletID})
				p, err := svc.List(ctx, ticket.Filter{Statuses: []string{statuses[i%len(statuses)]}, Size: 50})
				if err != nil {
					b.Fatal(err)
				}
				_ = p
			}
		})
	}
}

// fillTickets bulk-inserts n tickets over the last year: 40 % dispatched
// to one of outlets outlets, statuses as in a year of operation.
func fillTickets(b *testing.B, g *gorm.DB, n, outlets int) {
	b.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	now := time.Now().UTC().Truncate(time.Millisecond)
	cols := []string{"number", "channel", "type", "priority", "priority_rank", "status", "customer_id", "region_code", "description",
		"outlet_id", "sla_policy", "sla_calendar", "sla_checked_at", "version", "created_at", "updated_at"}
	per := 600 / len(cols)
	if g.Dialector.Name() == "mysql" {
		per = 1000
	}
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") + ")"
	statuses := []string{ticket.StatusClosed, ticket.StatusClosed, ticket.StatusClosed, ticket.StatusClosed, ticket.StatusClosed, ticket.StatusClosed,
		ticket.StatusClosed, ticket.StatusResolved, ticket.StatusInProgress, ticket.StatusAssigned}
	err := g.Transaction(func(tx *gorm.DB) error {
		for start := 0; start < n; start += per {
			end := min(start+per, n)
			var sb strings.Builder
			sb.WriteString("INSERT INTO tickets (" + strings.Join(cols, ",") + ") VALUES ")
			args := make([]any, 0, (end-start)*len(cols))
			for i := start; i < end; i++ {
				if i > start {
					sb.WriteByte(',')
				}
				sb.WriteString(row)
				at := now.Add(-time.Duration(n-i) * 30 * time.Second)
				var outlet any
				if r.IntN(10) < 4 {
					outlet = 1 + r.IntN(outlets)
				}
				args = append(args, fmt.Sprintf("B%09d", i), "phone", "repair", "normal", 2, statuses[r.IntN(len(statuses))], 1+r.IntN(300000),
					"440305", "空调不制冷", outlet, "standard", "cn-service-daily", at, 1, at, at)
			}
			if err := tx.Exec(sb.String(), args...).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
