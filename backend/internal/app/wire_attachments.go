package app

import (
	"context"

	"github.com/aftersales/aftersales/backend/internal/attachment"
)

// wireAttachments builds the attachments service. Its files share
// storage.dir with evidence and manuals (under attachments/). Each parent
// type is checked through its own service's Get, which applies the caller's
// data scope: whoever cannot see a record cannot see its attachments.
func (a *App) wireAttachments() error {
	files, err := attachment.NewFiles(a.Cfg.Storage.Dir)
	if err != nil {
		return err
	}
	a.Attachments, err = attachment.New(attachment.Options{DB: a.DB, Audit: a.Audit, Files: files,
		MaxBytes: a.Cfg.Storage.AttachmentMaxMiB << 20, Types: a.Cfg.Storage.AttachmentTypeList(),
		MaxPixels: a.Cfg.Storage.ImageMaxMegapixels * 1_000_000, ThumbPx: a.Cfg.Storage.ThumbnailPx,
		Parents: map[string]attachment.ParentCheck{
			attachment.ParentTicket:    func(ctx context.Context, id uint64) error { _, err := a.Tickets.Get(ctx, id); return err },
			attachment.ParentWorkOrder: func(ctx context.Context, id uint64) error { _, err := a.WorkOrders.Get(ctx, id); return err },
			attachment.ParentRepair:    func(ctx context.Context, id uint64) error { _, err := a.Repairs.Get(ctx, id); return err },
			attachment.ParentComplaint: func(ctx context.Context, id uint64) error { _, err := a.Complaints.Get(ctx, id); return err },
			attachment.ParentReturn:    func(ctx context.Context, id uint64) error { _, err := a.Returns.Get(ctx, id); return err },
		}})
	return err
}
