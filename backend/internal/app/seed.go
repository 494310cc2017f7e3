package app

import (
	"context"
	"fmt"
	"time"

	"github.com/aftersales/aftersales/backend/internal/auth"
	"github.com/aftersales/aftersales/backend/internal/demo"
)

// SeedDemoIfEmpty seeds the demo enterprise when no user exists yet.
func (a *App) SeedDemoIfEmpty(ctx context.Context) (bool, error) {
	var n int64
	if err := a.DB.WithContext(ctx).Model(&auth.User{}).Count(&n).Error; err != nil {
		return false, fmt.Errorf("seed: count users: %w", err)
	}
	if n > 0 {
		return false, nil
	}
	return true, a.SeedDemo(ctx)
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
		{"users", func() error {
			return demo.SeedUsers(ctx, demo.Deps{Auth: a.Auth, Password: a.Cfg.Demo.Password, Now: now})
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

// SeedScale generates benchmark data.
func (a *App) SeedScale(ctx context.Context, tickets int) error {
	steps := []struct {
		name string
		run  func() error
	}{
		// == Bulk generators of each domain (sizes proportional to tickets)
	}
	if len(steps) == 0 {
		return fmt.Errorf("seed --scale: no domain data generators are wired yet")
	}
	for _, s := range steps {
		start := time.Now()
		if err := s.run(); err != nil {
			return fmt.Errorf("scale %s: %w", s.name, err)
		}
		a.Log.Info("scale data", "step", s.name, "ms", time.Since(start).Milliseconds())
	}
	return nil
}
