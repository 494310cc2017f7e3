package demo

import (
	"context"
	"os"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/slastore"
)

func TestZZTicketSeedProfile(t *testing.T) {
	path := os.Getenv("TK_DB")
	if path == "" {
		t.Skip()
	}
	g, err := db.Open(db.Options{Driver: "sqlite", DSN: path, MaxOpenConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	for _, tbl := range []string{"tickets", "ticket_events", "sla_events", "sla_results", "work_orders", "work_order_offers", "number_sequences", "survey_followups", "survey_invitations", "survey_responses", "complaints"} {
		g.Exec("DELETE FROM " + tbl)
	}
	store := slastore.New(slastore.Options{DB: g})
	if err := store.EnsureDefaults(context.Background()); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Create("/tmp/tk.prof")
	pprof.StartCPUProfile(f)
	start := time.Now()
	err = SeedTickets(context.Background(), TicketDeps{DB: g, SLA: store, Now: time.Now().UTC(), AcceptTimeout: 30 * time.Minute})
	pprof.StopCPUProfile()
	t.Log(time.Since(start), err)
}
