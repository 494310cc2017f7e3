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
	return demo.SeedUsers(ctx, demo.Deps{Auth: a.Auth, Password: a.Cfg.Demo.Password, Now: time.Now().UTC()})
}

// SeedScale generates benchmark data.
func (a *App) SeedScale(ctx context.Context, tickets int) error {
	return fmt.Errorf("seed --scale: no domain data generators are wired yet")
}
