package app

import (
	"context"

	"github.com/aftersales/aftersales/backend/internal/content"
)

// wireContent constructs the FAQ and manuals service of the customer's
// public pages. Manual files share storage.dir and its upload limit with
// the evidence library (under manuals/).
func (a *App) wireContent() {
	a.Content = content.New(content.Options{DB: a.DB, Audit: a.Audit, Bus: a.Bus, StorageDir: a.Cfg.Storage.Dir,
		MaxUploadBytes: a.Cfg.Storage.MaxUploadMiB << 20,
		Categories: func(ctx context.Context, id uint64) error {
			_, err := a.Products.Category(ctx, id)
			return err
		}})
}
