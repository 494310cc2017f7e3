// Package app is the one place that knows every other package: it wires
// configuration, database, services, scheduler and HTTP server, and runs or
// stops them.
package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/attachment"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/auth"
	"github.com/aftersales/aftersales/backend/internal/capa"
	"github.com/aftersales/aftersales/backend/internal/certification"
	"github.com/aftersales/aftersales/backend/internal/complaint"
	"github.com/aftersales/aftersales/backend/internal/config"
	"github.com/aftersales/aftersales/backend/internal/content"
	"github.com/aftersales/aftersales/backend/internal/customer"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/httpapi"
	"github.com/aftersales/aftersales/backend/internal/i18n"
	"github.com/aftersales/aftersales/backend/internal/idempotency"
	"github.com/aftersales/aftersales/backend/internal/messaging"
	"github.com/aftersales/aftersales/backend/internal/notification"
	"github.com/aftersales/aftersales/backend/internal/outbox"
	"github.com/aftersales/aftersales/backend/internal/outlet"
	"github.com/aftersales/aftersales/backend/internal/parts"
	"github.com/aftersales/aftersales/backend/internal/privacy"
	"github.com/aftersales/aftersales/backend/internal/product"
	"github.com/aftersales/aftersales/backend/internal/push"
	"github.com/aftersales/aftersales/backend/internal/ratelimit"
	"github.com/aftersales/aftersales/backend/internal/rbac"
	"github.com/aftersales/aftersales/backend/internal/readiness"
	"github.com/aftersales/aftersales/backend/internal/realtime"
	"github.com/aftersales/aftersales/backend/internal/recall"
	"github.com/aftersales/aftersales/backend/internal/region"
	"github.com/aftersales/aftersales/backend/internal/repair"
	"github.com/aftersales/aftersales/backend/internal/report"
	"github.com/aftersales/aftersales/backend/internal/returns"
	"github.com/aftersales/aftersales/backend/internal/scheduler"
	"github.com/aftersales/aftersales/backend/internal/servicerequest"
	"github.com/aftersales/aftersales/backend/internal/sla"
	"github.com/aftersales/aftersales/backend/internal/survey"
	"github.com/aftersales/aftersales/backend/internal/ticket"
	"github.com/aftersales/aftersales/backend/internal/workorder"
	"github.com/aftersales/aftersales/frontend"
)

// Version is set at build time with -ldflags "-X …/app.Version=…".
var Version = "dev"

// App is the wired application.
type App struct {
	Cfg *config.Config
	Log *slog.Logger
	DB  *gorm.DB
	// Bus is the services' bus: the transactional outbox, which relays to
	// the delivering bus (memory or Redis) that consumers subscribe to.
	Bus    event.Bus
	Outbox *outbox.Outbox
	// Notifications are the users' in-app inboxes (see wire_notifications.go).
	Notifications *notification.Service
	// Push sends the notifications to the phones by Web Push.
	Push  *push.Service
	Hub   *realtime.Hub
	Audit *audit.Trail
	// Sequencer integrates audit leaves (one instance at a time, by lease).
	Sequencer *audit.Sequencer
	Auth      *auth.Service
	RBAC      *rbac.Authorizer
	Sched     *scheduler.Scheduler
	HTTP      *httpapi.Server
	// RateLimit counts rate-limited calls (Redis when events.driver=redis).
	RateLimit      ratelimit.Limiter
	closeRateLimit func() error
	// == Domain services
	// FAQ articles and product manuals of the public pages (see wire_content.go).
	Content *content.Service
	// Attachments of tickets, work orders, repairs, complaints and returns
	// (see wire_attachments.go).
	Attachments *attachment.Service
	// Repairs, spare parts, returns and recalls (see wire_ops.go).
	Repairs *repair.Service
	Parts   *parts.Service
	Returns *returns.Service
	Recalls *recall.Service

	Regions    *region.Directory
	Customers  *customer.Service
	Products   *product.Service
	Outlets    *outlet.Service
	SLA        *sla.Store
	Tickets    *ticket.Service
	WorkOrders *workorder.Service
	// ServiceRequests are the customers' requests from the public web form:
	// customer and ticket in one transaction.
	ServiceRequests *servicerequest.Service
	// Complaints, corrective and preventive actions (capa) and surveys.
	Complaints        *complaint.Service
	CorrectiveActions *capa.Service
	Surveys           *survey.Service

	// Text is the message catalogue of the server's own words (exports,
	// audit packs) in each language.
	Text *i18n.Catalogue
	// Readiness engine, evidence and certification (see wire_readiness.go).
	Readiness     *readiness.Service
	Certification *certification.Service

	// Messages are the messages to customers: SMS and webhook (wire_messages.go).
	Messages *messaging.Service

	// stopLive ends the WebSocket session re-check (wire_live.go).
	stopLive func()
}

// NewLogger returns the structured logger configured by cfg.
func NewLogger(cfg *config.Config) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(cfg.Log.Level))
	opts := &slog.HandlerOptions{Level: lvl}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

// New opens the database, applies pending migrations and wires services.
func New(ctx context.Context, cfg *config.Config, log *slog.Logger) (*App, error) {
	g, err := openMigrated(cfg, log)
	if err != nil {
		return nil, err
	}
	a := &App{Cfg: cfg, Log: log, DB: g}
	var delivery event.Bus
	switch cfg.Events.Driver {
	case "redis":
		rb, err := event.NewRedisBus(cfg.Events.RedisAddr, cfg.Events.Channel, log)
		if err != nil {
			return nil, err
		}
		delivery = rb
	default:
		delivery = event.NewMemoryBus()
	}
	// Rate limits are shared through Redis exactly when live events are
	// (several instances); a single instance counts in memory.
	if cfg.Events.Driver == "redis" {
		rl, err := ratelimit.NewRedis(cfg.Events.RedisAddr, cfg.Events.Channel+":ratelimit:")
		if err != nil {
			return nil, err
		}
		a.RateLimit, a.closeRateLimit = rl, rl.Close
	} else {
		a.RateLimit = ratelimit.NewLocal(nil)
	}
	a.Sched = scheduler.New(g, cfg.Scheduler.LockTTL, log)
	// Instances starting together take turns through their startup writes
	// (defaults, the shipped standard, the policy sync), see defaults.go.
	releaseStartup, err := holdStartup(ctx, a.Sched, log)
	if err != nil {
		return nil, err
	}
	defer releaseStartup()
	a.Outbox = outbox.New(outbox.Options{DB: g, Bus: delivery, Leases: a.Sched, Log: log,
		Interval: cfg.Events.RelayInterval, LeaseTTL: cfg.Events.RelayLease})
	a.Bus = a.Outbox
	a.Hub = realtime.NewHub(256, "readiness.score")
	a.Bus.Subscribe(a.Hub.Publish)
	if err := a.wireAudit(a.Sched); err != nil {
		return nil, err
	}
	a.RBAC, err = rbac.New(ctx, rbac.Options{DB: g, Audit: a.Audit, Bus: a.Bus, Log: log})
	if err != nil {
		return nil, err
	}
	// An admin's grant or revoke on another instance reaches this one here.
	a.Bus.Subscribe(func(e event.Event) {
		if rbac.PolicyChanged.Is(e) {
			if err := a.RBAC.Reload(); err != nil {
				log.Error("rbac reload", "err", err)
			}
		}
	})
	a.Auth = newAuth(cfg, g, a.Audit, a.Bus)
	a.wireLiveSessions()
	// == Domain services (construct here, then pass to httpapi.Options below)
	if a.Regions, err = region.Load(); err != nil {
		return nil, err
	}
	a.Customers = customer.New(customer.Options{DB: g, Audit: a.Audit, Bus: a.Bus, Regions: a.Regions})
	a.Products = product.New(product.Options{DB: g, Audit: a.Audit, Bus: a.Bus, Owners: a.Customers, Log: log, Location: cfg.Location()})
	posts, badKinds := outlet.NewPostIndex(cfg.Staff.PostKinds)
	if len(badKinds) > 0 {
		return nil, fmt.Errorf("config staff.post_kinds: unknown kinds %v (want %v)", badKinds, outlet.PostKinds)
	}
	a.Outlets = outlet.New(outlet.Options{DB: g, Audit: a.Audit, Bus: a.Bus, Regions: a.Regions, Categories: outletCategories(a.Products),
		Users: outletUsers(a.Auth), Location: cfg.Location(), LoadCounter: workorder.LoadCounts(g, cfg.Location()),
		PostKinds: posts, ManagerValidYears: cfg.Certificates.Manager.ValidYears})
	// Users are bound only to outlets that exist (issue 10 item 16).
	a.Auth.CheckOutletsWith(func(ctx context.Context, id uint64) error { _, err := a.Outlets.Get(ctx, id); return err })
	a.SLA = sla.New(sla.Options{DB: g, Audit: a.Audit, Bus: a.Bus, TicketTypes: ticket.Types(), Priorities: ticket.Priorities(), Statuses: ticket.Statuses()})
	if err := ensureDefaults(ctx, []startupDefault{{"sla calendars and policies", a.SLA.EnsureDefaults}}); err != nil {
		return nil, err
	}
	a.Tickets = ticket.New(ticket.Options{DB: g, Audit: a.Audit, Bus: a.Bus, SLA: a.SLA, Customers: a.Customers, Units: ticketUnits{a.Products},
		Users: a.Auth, Regions: a.Regions, Location: cfg.Location(), Log: log})
	a.WorkOrders = workorder.New(workorder.Options{DB: g, Audit: a.Audit, Bus: a.Bus, Tickets: a.Tickets, Outlets: dispatchOutlets{a.Outlets},
		Staff: dispatchStaff{a.Outlets}, AcceptTimeout: cfg.Dispatch.AcceptTimeout, Log: log})
	if err := ensureDefaults(ctx, []startupDefault{{"work-order kind policies", a.WorkOrders.EnsureDefaults}}); err != nil {
		return nil, err
	}
	// A resolved, closed or merged ticket withdraws its open field work.
	a.Tickets.SetOpenWork(a.WorkOrders)
	a.ServiceRequests = servicerequest.New(servicerequest.Options{DB: g, Customers: a.Customers, Products: a.Products, Tickets: a.Tickets, Regions: a.Regions})
	a.Products.AddPassportSource("tickets", a.Tickets)
	a.Products.AddPassportSource("work_orders", a.WorkOrders)
	// Complaints, corrective actions, surveys and follow-ups (see wire_quality.go).
	a.Complaints = complaint.New(complaint.Options{DB: g, Audit: a.Audit, Bus: a.Bus, Log: log, Location: cfg.Location(),
		Deadlines: complaintDeadlines(cfg.Complaint), Chain: cfg.Complaint.Chain(), Customers: customerExists(a.Customers),
		Tickets: ticketExists(a.Tickets), Units: unitExists(a.Products), InstalledBase: a.Products.InstalledBase,
		RoleHolders: roleHolders(a.Auth)})
	a.Surveys = survey.New(survey.Options{DB: g, Audit: a.Audit, Bus: a.Bus, Log: log, Location: cfg.Location(), Settings: surveySettings(cfg),
		Complaints: complaintOpener{a.Complaints}, Tickets: a.Tickets, Facts: surveyFacts{a.Tickets, a.WorkOrders},
		Supervisor: holds(a.RBAC, rbac.FollowupSupervise)})
	a.CorrectiveActions = capa.New(capa.Options{DB: g, Audit: a.Audit, Location: cfg.Location(),
		Sources: map[string]capa.SourceCheck{capa.SourceComplaint: a.Complaints.Exists, capa.SourceSurvey: a.Surveys.ResponseExists}})
	// Survey invitations: once per event id, whichever instance receives it.
	invite := outbox.Once(g, "survey_invitations", log, func(_ context.Context, e event.Event) error {
		a.Surveys.HandleEvent(e)
		return nil
	})
	a.Bus.Subscribe(func(e event.Event) {
		if event.TicketClosed.Is(e) || event.WorkOrderCompleted.Is(e) {
			invite(e)
		}
	})
	a.Products.AddPassportSource("complaints", a.Complaints)
	a.Products.AddPassportSource("surveys", a.Surveys)
	a.wireNotifications()
	a.wireServiceOps()
	if err := a.wireMessages(ctx); err != nil {
		return nil, err
	}
	a.wireContent()
	if err := a.wireAttachments(); err != nil {
		return nil, err
	}
	if a.Text, err = i18n.New(); err != nil {
		return nil, err
	}
	if err := a.wireReadiness(ctx); err != nil {
		return nil, err
	}
	a.wireMasterData()

	var ui fs.FS
	if sub, err := fs.Sub(frontend.Dist, "dist"); err == nil {
		if _, err := fs.Stat(sub, "index.html"); err == nil {
			ui = sub
		}
	}
	a.HTTP = httpapi.New(httpapi.Options{DB: g, Auth: a.Auth, RBAC: a.RBAC, Audit: a.Audit, Bus: a.Bus, Hub: a.Hub, Scheduler: a.Sched,
		Log: log, UI: ui, SecureCookies: cfg.HTTP.SecureCookies || cfg.HTTP.CookieSecure, MaxBodyBytes: cfg.HTTP.MaxBodyBytes,
		MaxUploadBytes: max(cfg.Storage.MaxUploadMiB<<20, 20<<20) + 1<<20, TrustedProxies: cfg.HTTP.TrustedProxyList(),
		AllowedOrigins: cfg.HTTP.AllowedOriginList(), MetricsToken: cfg.Metrics.Token, Pprof: cfg.Metrics.Pprof, Limiter: a.RateLimit, RequestTimeout: cfg.HTTP.RequestTimeout,
		Location: cfg.Location(), Version: Version, Text: a.Text,
		// == Domain services into the HTTP server
		Content: a.Content, Attachments: a.Attachments,
		Repairs: a.Repairs, Parts: a.Parts, Returns: a.Returns, Recalls: a.Recalls,
		Readiness: a.Readiness, Certification: a.Certification,
		SLA: a.SLA, Tickets: a.Tickets, WorkOrders: a.WorkOrders, ServiceRequests: a.ServiceRequests,
		Complaints: a.Complaints, CorrectiveActions: a.CorrectiveActions, Surveys: a.Surveys,
		Regions: a.Regions, Customers: a.Customers, Products: a.Products,
		Outlets: a.Outlets, Notifications: a.Notifications, Push: a.Push, Messages: a.Messages, SMSStatusToken: cfg.SMS.Tencent.StatusToken,
		Privacy: privacy.New(g), OutletContactDays: cfg.Privacy.OutletContactDays, Idempotency: idempotency.New(g, nil),
		Reports: report.New(report.Options{DB: g, Regions: a.Regions, FailureRateWarning: cfg.Reports.FailureRateWarning}),
	})
	// The relay runs in every process that changes data (serve, seed, the
	// HTTP tests); the lease lets one instance relay at a time.
	a.Outbox.Start()
	a.Sequencer.Start()
	if ui == nil {
		log.Warn("web app not built: the server answers / with build instructions (run `make ui`)")
	}
	return a, nil
}

// Serve runs the HTTP server and the scheduler until ctx is cancelled, then
// shuts down gracefully, finishing in-flight requests.
func (a *App) Serve(ctx context.Context) error {
	if a.Cfg.Scheduler.Enabled {
		if err := a.registerJobs(); err != nil {
			return err
		}
		a.Sched.Start()
		defer a.Sched.Stop()
		// After a migration or on a fresh database the readiness rollups
		// are built in the background at once (one instance, by lease);
		// runs answer "building" meanwhile.
		go func() {
			if _, err := a.Sched.RunNow(ctx, readiness.JobRollups, a.Readiness.BuildRollups); err != nil {
				a.Log.Warn("readiness: rollup build", "err", err)
			}
		}()
	}
	// Every instance delivers messages to customers (row claims, no lease).
	wctx, stopWorker := context.WithCancel(context.Background())
	workerDone := make(chan struct{})
	go func() { defer close(workerDone); a.runMessageWorker(wctx) }()
	defer func() { stopWorker(); <-workerDone }()
	srv := &http.Server{Addr: a.Cfg.HTTP.Addr, Handler: a.HTTP.Handler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	a.Log.Info("listening", "addr", a.Cfg.HTTP.Addr, "db", a.Cfg.DB.Driver, "version", Version)
	// /metrics has its own listener (metrics.addr, loopback by default),
	// never the public port anonymously.
	var msrv *http.Server
	if a.Cfg.Metrics.Addr != "" {
		msrv = &http.Server{Addr: a.Cfg.Metrics.Addr, Handler: a.HTTP.MetricsHandler(), ReadHeaderTimeout: 10 * time.Second}
		go func() {
			// A taken metrics port must not take the service down with it.
			if err := msrv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				a.Log.Error("metrics listener failed; /metrics is not served", "addr", a.Cfg.Metrics.Addr, "err", err)
			}
		}()
		a.Log.Info("metrics listening", "addr", a.Cfg.Metrics.Addr)
	}
	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("http: %w", err)
	case <-ctx.Done():
	}
	a.Log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), a.Cfg.HTTP.ShutdownTimeout)
	defer cancel()
	if msrv != nil {
		_ = msrv.Shutdown(sctx)
	}
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("http shutdown: %w", err)
	}
	return nil
}

// registerJobs schedules the cron jobs of every domain.
func (a *App) registerJobs() error {
	jobs := []struct {
		name, spec string
		job        scheduler.Job
	}{
		// == Scheduled jobs of each domain: {"name", a.Cfg.Scheduler.X, a.Service.Job},
		{readiness.JobName, a.Cfg.Readiness.Schedule, a.Readiness.Job},
		// Builds the rollups when missing (a no-op once built), prunes old dirty marks.
		{readiness.JobRollups, "@every 1m", a.Readiness.BuildRollups},
		{"certification.reminders", a.Cfg.Certification.ReminderSchedule, a.Certification.ReminderJob},
		{"complaint_escalation", a.Cfg.Scheduler.ComplaintEscalation, a.Complaints.EscalateOverdue},
		{"survey_dispatch", a.Cfg.Scheduler.SurveyDispatch, a.Surveys.Dispatch},
		{"survey_relationship", a.Cfg.Scheduler.SurveyRelationship, a.Surveys.RunRelationshipJob},
		{"sla_check", a.Cfg.Scheduler.SLACheck, func(ctx context.Context) error { _, err := a.Tickets.CheckSLA(ctx); return err }},
		{"dispatch_timeouts", a.Cfg.Scheduler.DispatchTimeouts, func(ctx context.Context) error { _, err := a.WorkOrders.ExpireOffers(ctx); return err }},
		{"offer_reminders", a.Cfg.Scheduler.OfferReminders, func(ctx context.Context) error { _, err := a.WorkOrders.RemindOffers(ctx); return err }},
	}
	for _, j := range jobs {
		if err := a.Sched.Add(j.name, j.spec, j.job); err != nil {
			return err
		}
	}
	// The readiness job also runs (debounced, under the same lease) after
	// relevant changes; only on a serving instance that runs jobs, never
	// during `seed`.
	a.Bus.Subscribe(a.Readiness.OnEvent)
	return nil
}

// Close releases the bus and the database.
func (a *App) Close() {
	if a.stopLive != nil {
		a.stopLive()
	}
	if a.Readiness != nil {
		a.Readiness.Close() // a pending debounced run must not outlive the database
	}
	if a.Certification != nil {
		a.Certification.WaitPacks()
	}
	if a.Sequencer != nil {
		a.Sequencer.Stop() // sequences what is committed, then gives the lease up
	}
	if a.Bus != nil {
		_ = a.Bus.Close()
	}
	if a.closeRateLimit != nil {
		_ = a.closeRateLimit()
	}
	if a.Tickets != nil {
		_ = a.Tickets.Close()
	}
	if s, err := a.DB.DB(); err == nil {
		_ = s.Close()
	}
}
