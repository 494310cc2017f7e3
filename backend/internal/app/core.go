package app

import (
	"context"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/auth"
	"github.com/aftersales/aftersales/backend/internal/config"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/migrations"
	"github.com/aftersales/aftersales/backend/internal/outlet"
	"github.com/aftersales/aftersales/backend/internal/scheduler"
)

// OpenCore opens what the maintenance subcommands (`migrate`, `audit
// verify`, `users`) need and nothing more: the migrated database, the audit
// trail and the identity service. Unlike New it loads no standard, regions
// or domain services, so these commands work from any directory and do not
// fail on a problem of an unrelated part.
func OpenCore(_ context.Context, cfg *config.Config, log *slog.Logger) (*App, error) {
	g, err := openMigrated(cfg, log)
	if err != nil {
		return nil, err
	}
	a := &App{Cfg: cfg, Log: log, DB: g, Bus: event.NewMemoryBus()}
	// The sequencer is not started: Close runs one round (under the lease)
	// so what a subcommand recorded is sequenced before it exits.
	if err := a.wireAudit(scheduler.New(g, cfg.Scheduler.LockTTL, log)); err != nil {
		_ = closeDB(g)
		return nil, err
	}
	a.Auth = newAuth(cfg, g, a.Audit, a.Bus)
	// The users command binds users to outlets too: check them against the
	// outlet service (its Get needs only the database).
	outlets := outlet.New(outlet.Options{DB: g, Audit: a.Audit, Bus: a.Bus})
	a.Auth.CheckOutletsWith(func(ctx context.Context, id uint64) error { _, err := outlets.Get(ctx, id); return err })
	return a, nil
}

func openMigrated(cfg *config.Config, log *slog.Logger) (*gorm.DB, error) {
	g, err := db.Open(db.Options{Driver: cfg.DB.Driver, DSN: cfg.DB.DSN, MaxOpenConns: cfg.DB.MaxOpenConns,
		MaxIdleConns: cfg.DB.MaxIdleConns, SlowQuery: cfg.DB.SlowQuery, Logger: log,
		LockWaitTimeout: cfg.DB.LockWaitTimeout, IOTimeout: cfg.DB.IOTimeout})
	if err != nil {
		return nil, err
	}
	if err := migrations.Migrate(g); err != nil {
		if s, derr := g.DB(); derr == nil {
			_ = s.Close()
		}
		return nil, err
	}
	return g, nil
}

func newAuth(cfg *config.Config, g *gorm.DB, trail *audit.Trail, bus event.Bus) *auth.Service {
	return auth.New(auth.Options{DB: g, Audit: trail, Bus: bus, SessionTTL: cfg.Auth.SessionTTL, SlowdownAfter: cfg.Auth.SlowdownAfter,
		LockoutAfter: cfg.Auth.LockoutAfter, IPLockoutAfter: cfg.Auth.IPLockoutAfter, LockoutFor: cfg.Auth.LockoutFor,
		FailureWindow: cfg.Auth.FailureWindow, BcryptCost: cfg.Auth.BcryptCost,
		SlowdownBase: cfg.Auth.SlowdownBase, KnownAddressFor: time.Duration(cfg.Auth.KnownAddressDays) * 24 * time.Hour})
}

func closeDB(g *gorm.DB) error {
	s, err := g.DB()
	if err != nil {
		return err
	}
	return s.Close()
}
