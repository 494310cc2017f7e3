package app

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/auth"
	"github.com/aftersales/aftersales/backend/internal/demo"
)

// SeedDemoIfEmpty seeds the demo enterprise when no user exists yet.
func (a *App) SeedDemoIfEmpty(ctx context.Context) (seeded bool, skipped string, err error) {
	var n int64
	if err := a.DB.WithContext(ctx).Model(&auth.User{}).Count(&n).Error; err != nil {
		return false, "", fmt.Errorf("seed: count users: %w", err)
	}
	if n > 0 {
		return false, fmt.Sprintf("the database already has %d user(s); the demo enterprise is seeded only into an empty database "+
			"(run `aftersales seed --demo` to complete an existing demo, or start on an empty database)", n), nil
	}
	return true, "", a.SeedDemo(ctx)
}

// SeedDemo creates (or completes) the deterministic demo enterprise.
func (a *App) SeedDemo(ctx context.Context) error {
	now := time.Now().UTC()
	// Order matters: later domains refer to earlier ones' records.
	steps := []struct {
		name string
		run  func() error
	}{
		// == Demo data of each domain, in dependency order: products, outlets and staff, customers and units, tickets and work orders, …
		{"products", func() error { return demo.SeedProducts(ctx, demo.ProductDeps{Products: a.Products}) }},
		// Outlets read the product categories seeded above; outlet 1 is the demo outlet users' outlet.
		{"outlets and staff", func() error {
			return demo.SeedOutlets(ctx, demo.OutletDeps{DB: a.DB, Outlets: a.Outlets, Regions: a.Regions, Auth: a.Auth})
		}},
		{"customers and units", func() error {
			return demo.SeedCustomers(ctx, demo.CustomerDeps{DB: a.DB, Customers: a.Customers, Products: a.Products, Regions: a.Regions,
				Now: now, Location: a.Cfg.Location()})
		}},
		{"users", func() error {
			return demo.SeedUsers(ctx, demo.Deps{Auth: a.Auth, Password: a.Cfg.Demo.Password, Now: now})
		}},
		{"outlet staff logins", func() error {
			return demo.LinkOutletLogins(ctx, demo.OutletDeps{DB: a.DB, Outlets: a.Outlets, Regions: a.Regions, Auth: a.Auth})
		}},
		// Tickets and work orders run after customers, outlets and users (the agent is the assignee).
		{"tickets and work orders", func() error {
			return demo.SeedTickets(ctx, demo.TicketDeps{DB: a.DB, SLA: a.SLA, Now: now, Location: a.Cfg.Location(), AcceptTimeout: a.Cfg.Dispatch.AcceptTimeout})
		}},
		// Surveys and complaints read the tickets seeded before them (keep these after tickets and work orders);
		// surveys first: their dissatisfied answers open complaints, and the complaint step tops the year up to 1 %.
		{"surveys and follow-ups", func() error { return demo.SeedSurveys(ctx, a.qualityDeps(now)) }},
		{"complaints and corrective actions", func() error { return demo.SeedComplaints(ctx, a.qualityDeps(now)) }},
		// FAQ articles and manuals of the public pages name product categories.
		{"faq and manuals", func() error { return demo.SeedContent(ctx, demo.ContentDeps{Content: a.Content, Products: a.Products}) }},
		// Repairs (on the repair work orders), spare parts and stock, returns and the recall campaign.
		{"repairs, parts, returns and recalls", func() error {
			return demo.SeedServiceOps(ctx, demo.ServiceOpsDeps{DB: a.DB, Parts: a.Parts, Repairs: a.Repairs, Recalls: a.Recalls, Now: now,
				Location: a.Cfg.Location()})
		}},
		// Photos, signatures and invoices on the finished work orders and their tickets.
		{"attachments and signatures", func() error {
			return demo.SeedAttachments(ctx, demo.AttachmentDeps{DB: a.DB, Attachments: a.Attachments})
		}},
		// A week of customer messages, replayed through the message queue and worker (log only without SMS credentials).
		{"customer messages", func() error {
			return demo.SeedMessages(ctx, demo.MessageDeps{DB: a.DB, Messages: a.Messages, Now: now})
		}},
		// Readiness last: the evidence, the certification cycle and the first score read every domain's data.
		{"readiness and certification", func() error {
			return demo.SeedReadiness(ctx, demo.ReadinessDeps{DB: a.DB, Readiness: a.Readiness, Certification: a.Certification,
				Now: now, Location: a.Cfg.Location()})
		}},
	}
	for _, s := range steps {
		start := time.Now()
		if err := s.run(); err != nil {
			return fmt.Errorf("seed %s: %w", s.name, err)
		}
		a.Log.Info("seeded", "step", s.name, "ms", time.Since(start).Milliseconds())
	}
	return nil
}

// ScaleStep is one step of SeedScale: its name, how long it took and how
// many rows the tables it fills gained.
type ScaleStep struct {
	Name     string
	Duration time.Duration
	Rows     int64
}

// SeedScale generates benchmark data: tickets tickets and proportional
// customers, units, outlets, repairs, complaints and surveys, written
// through db.Loader (LOAD DATA LOCAL INFILE on MySQL/MariaDB, literal
// multi-row INSERTs on SQLite) with the big tables' non-unique indexes
// built after each load. The rows get no audit record each; instead every
// step is recorded as one audited seeding event (action "seed", entity
// "scale_data", the step and its row counts), written when the step has
// finished. report, when not nil, is called after each step.
func (a *App) SeedScale(ctx context.Context, tickets int, report func(ScaleStep)) error {
	ctx = actor.With(ctx, actor.System("seed"))
	type step struct {
		name   string
		tables []string
		run    func() error
	}
	steps := []step{
		// == Bulk generators of each domain (sizes proportional to tickets)
		// Customers and units first: later generators pick owners and units
		// from demo.ScaleRangeOf.
		{"customers and units", []string{"customers", "customer_phones", "customer_addresses", "customer_search_grams", "units"}, func() error {
			_, err := demo.ScaleCustomers(ctx, demo.CustomerDeps{DB: a.DB, Customers: a.Customers, Products: a.Products, Regions: a.Regions,
				Now: time.Now().UTC(), Location: a.Cfg.Location()}, tickets)
			return err
		}},
		{"outlets and staff", []string{"outlets", "outlet_coverages", "staff_members"}, func() error { return demo.ScaleOutlets(ctx, a.DB, a.Regions, tickets) }},
		// Tickets (and work orders for 40 %) on the customers, units and outlets above.
		{"tickets and work orders", []string{"tickets", "work_orders", "work_order_offers", "sla_results"}, func() error {
			return demo.ScaleTickets(ctx, demo.TicketDeps{DB: a.DB, SLA: a.SLA, Now: time.Now().UTC(), Location: a.Cfg.Location(),
				AcceptTimeout: a.Cfg.Dispatch.AcceptTimeout}, tickets)
		}},
		// Repairs (30 %): one per completed repair work order, then walk-ins.
		{"repairs", []string{"repair_orders", "repair_parts"}, func() error {
			return demo.ScaleRepairs(ctx, demo.ServiceOpsDeps{DB: a.DB, Parts: a.Parts, Repairs: a.Repairs, Recalls: a.Recalls,
				Now: time.Now().UTC(), Location: a.Cfg.Location()}, tickets)
		}},
		// Complaints (5 %) and survey responses (50 %) read the tickets generated before them.
		{"complaints", []string{"complaints", "complaint_logs"}, func() error { return demo.ScaleComplaints(ctx, a.qualityDeps(time.Now().UTC()), tickets) }},
		{"surveys and follow-ups", []string{"survey_invitations", "survey_responses", "survey_followups"}, func() error {
			return demo.ScaleSurveys(ctx, a.qualityDeps(time.Now().UTC()), tickets)
		}},
	}
	for _, s := range steps {
		before, err := a.countRows(ctx, s.tables)
		if err != nil {
			return fmt.Errorf("scale %s: %w", s.name, err)
		}
		start := time.Now()
		if err := s.run(); err != nil {
			return fmt.Errorf("scale %s: %w", s.name, err)
		}
		took := time.Since(start)
		after, err := a.countRows(ctx, s.tables)
		if err != nil {
			return fmt.Errorf("scale %s: %w", s.name, err)
		}
		added := map[string]int64{}
		var total int64
		for t, n := range after {
			added[t] = n - before[t]
			total += n - before[t]
		}
		err = a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			return a.Audit.Record(ctx, tx, audit.Entry{Action: "seed", Entity: "scale_data", EntityID: s.name,
				After: map[string]any{"tickets": tickets, "rows": added, "ms": took.Milliseconds()}})
		})
		if err != nil {
			return fmt.Errorf("scale %s: audit: %w", s.name, err)
		}
		a.Log.Info("scale data", "step", s.name, "ms", took.Milliseconds(), "rows", total)
		if report != nil {
			report(ScaleStep{Name: s.name, Duration: took, Rows: total})
		}
	}
	return nil
}

// countRows counts the rows of tables (a seeding step's before and after).
func (a *App) countRows(ctx context.Context, tables []string) (map[string]int64, error) {
	out := make(map[string]int64, len(tables))
	for _, t := range tables {
		var n int64
		if err := a.DB.WithContext(ctx).Table(t).Count(&n).Error; err != nil {
			return nil, fmt.Errorf("count %s: %w", t, err)
		}
		out[t] = n
	}
	return out, nil
}
