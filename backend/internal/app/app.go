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

	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/auth"
	"github.com/aftersales/aftersales/backend/internal/config"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/httpapi"
	"github.com/aftersales/aftersales/backend/internal/migrations"
	"github.com/aftersales/aftersales/backend/internal/rbac"
	"github.com/aftersales/aftersales/backend/internal/realtime"
	"github.com/aftersales/aftersales/backend/internal/scheduler"
	"github.com/aftersales/aftersales/frontend"
)

// Version is set at build time with -ldflags "-X …/app.Version=…".
var Version = "dev"

// App is the wired application.
type App struct {
	Cfg   *config.Config
	Log   *slog.Logger
	DB    *gorm.DB
	Bus   event.Bus
	Hub   *realtime.Hub
	Audit *audit.Trail
	Auth  *auth.Service
	RBAC  *rbac.Authorizer
	Sched *scheduler.Scheduler
	HTTP  *httpapi.Server
	// == Domain services
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
	g, err := db.Open(db.Options{Driver: cfg.DB.Driver, DSN: cfg.DB.DSN, MaxOpenConns: cfg.DB.MaxOpenConns,
		MaxIdleConns: cfg.DB.MaxIdleConns, SlowQuery: cfg.DB.SlowQuery, Logger: log})
	if err != nil {
		return nil, err
	}
	if err := migrations.Migrate(g); err != nil {
		return nil, err
	}
	a := &App{Cfg: cfg, Log: log, DB: g}
	switch cfg.Events.Driver {
	case "redis":
		rb, err := event.NewRedisBus(cfg.Events.RedisAddr, cfg.Events.Channel, log)
		if err != nil {
			return nil, err
		}
		a.Bus = rb
	default:
		a.Bus = event.NewMemoryBus()
	}
	a.Hub = realtime.NewHub(256, "readiness.score")
	a.Bus.Subscribe(a.Hub.Publish)
	a.Audit = audit.New(nil)
	a.RBAC, err = rbac.New(ctx, g)
	if err != nil {
		return nil, err
	}
	a.Bus.Subscribe(func(e event.Event) {
		if e.Name == "rbac.policy_changed" {
			if err := a.RBAC.Reload(); err != nil {
				log.Error("rbac reload", "err", err)
			}
		}
	})
	a.Auth = auth.New(auth.Options{DB: g, Audit: a.Audit, Bus: a.Bus, SessionTTL: cfg.Auth.SessionTTL, SlowdownAfter: cfg.Auth.SlowdownAfter,
		LockoutAfter: cfg.Auth.LockoutAfter, LockoutFor: cfg.Auth.LockoutFor, FailureWindow: cfg.Auth.FailureWindow, BcryptCost: cfg.Auth.BcryptCost})
	a.Sched = scheduler.New(g, cfg.Scheduler.LockTTL, log)
	// == Domain services (construct here, then pass to httpapi.Options below)

	var ui fs.FS
	if sub, err := fs.Sub(frontend.Dist, "dist"); err == nil {
		if _, err := fs.Stat(sub, "index.html"); err == nil {
			ui = sub
		}
	}
	a.HTTP = httpapi.New(httpapi.Options{DB: g, Auth: a.Auth, RBAC: a.RBAC, Audit: a.Audit, Bus: a.Bus, Hub: a.Hub, Scheduler: a.Sched,
		Log: log, UI: ui, CookieSecure: cfg.HTTP.CookieSecure, MaxBodyBytes: cfg.HTTP.MaxBodyBytes, Location: cfg.Location(), Version: Version,
		// == Domain services into the HTTP server
	})
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
	}
	srv := &http.Server{Addr: a.Cfg.HTTP.Addr, Handler: a.HTTP.Handler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	a.Log.Info("listening", "addr", a.Cfg.HTTP.Addr, "db", a.Cfg.DB.Driver, "version", Version)
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
	}
	for _, j := range jobs {
		if err := a.Sched.Add(j.name, j.spec, j.job); err != nil {
			return err
		}
	}
	return nil
}

// Close releases the bus and the database.
func (a *App) Close() {
	if a.Bus != nil {
		_ = a.Bus.Close()
	}
	if s, err := a.DB.DB(); err == nil {
		_ = s.Close()
	}
}
