package demo

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/attachment"
)

// AttachmentDeps are what the attachments demo uses.
type AttachmentDeps struct {
	DB          *gorm.DB
	Attachments *attachment.Service
}

// demoAttachmentJobs is how many finished work orders get photos and the
// customer's signature, and how many tickets a purchase invoice.
const demoAttachmentJobs = 12

// SeedAttachments attaches fault and after photos and the customer's
// signature to the newest finished work orders, and a purchase invoice
// image to their tickets. The images are small and drawn here (a unit's
// panel with a fault mark, a handwritten-looking signature stroke); they go
// through the attachments service like an upload would, so they are stored
// under storage.dir/attachments with thumbnails and audit records (the
// signature's hash included). Nothing happens when attachments exist.
func SeedAttachments(ctx context.Context, d AttachmentDeps) error {
	ctx = actor.With(ctx, actor.System("seed"))
	var n int64
	if err := d.DB.WithContext(ctx).Table("attachments").Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	var jobs []struct {
		ID       uint64
		TicketID uint64
	}
	if err := d.DB.WithContext(ctx).Table("work_orders").Select("id, ticket_id").Where("status IN ?", []string{"completed", "signed_off"}).
		Order("id DESC").Limit(demoAttachmentJobs).Find(&jobs).Error; err != nil {
		return err
	}
	for i, j := range jobs {
		files := []struct {
			parent, kind, name, note string
			id                       uint64
			content                  []byte
		}{
			{attachment.ParentWorkOrder, attachment.KindFaultPhoto, fmt.Sprintf("fault_%d.jpg", j.ID), "故障部位", j.ID, demoPhoto(i, true)},
			{attachment.ParentWorkOrder, attachment.KindAfterPhoto, fmt.Sprintf("after_%d.jpg", j.ID), "维修完成", j.ID, demoPhoto(i, false)},
			{attachment.ParentWorkOrder, attachment.KindSignature, "signature.png", "客户签字确认", j.ID, demoSignature(i)},
			{attachment.ParentTicket, attachment.KindPurchaseInvoice, fmt.Sprintf("invoice_%d.png", j.TicketID), "购机发票", j.TicketID, demoInvoice(i)},
		}
		for _, f := range files {
			if _, _, err := d.Attachments.Upload(ctx, attachment.UploadInput{ParentType: f.parent, ParentID: f.id, Kind: f.kind,
				Note: f.note, FileName: f.name, Content: bytes.NewReader(f.content)}); err != nil {
				return fmt.Errorf("demo attachment %s of %s %d: %w", f.kind, f.parent, f.id, err)
			}
		}
	}
	return nil
}

// demoPhoto draws a 480×360 "photo" of an appliance panel: a grey
// housing, a display, and (fault) a red burn mark or (after) a green tick.
func demoPhoto(seed int, fault bool) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 480, 360))
	for y := 0; y < 360; y++ {
		for x := 0; x < 480; x++ {
			shade := uint8(200 - y/6 + (x+seed*13)%7)
			img.Set(x, y, color.RGBA{shade, shade, uint8(int(shade) + 8), 255})
		}
	}
	fill(img, image.Rect(60, 50, 420, 310), color.RGBA{235, 236, 238, 255})
	fill(img, image.Rect(180, 90, 300, 130), color.RGBA{30, 40, 60, 255})
	mark := color.RGBA{60, 160, 70, 255}
	if fault {
		mark = color.RGBA{180, 40, 30, 255}
	}
	cx, cy := 240+(seed%5)*20-40, 220
	for y := -30; y <= 30; y++ {
		for x := -30; x <= 30; x++ {
			if x*x+y*y <= 900 {
				img.Set(cx+x, cy+y, mark)
			}
		}
	}
	var out bytes.Buffer
	_ = jpeg.Encode(&out, img, &jpeg.Options{Quality: 80})
	return out.Bytes()
}

// demoSignature draws a signature-like stroke on a transparent 600×200
// canvas, as the signature pad exports it.
func demoSignature(seed int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 600, 200))
	ink := color.NRGBA{20, 30, 90, 255}
	for t := 0.0; t < 1; t += 0.0004 {
		x := 40 + t*520
		y := 100 + 45*math.Sin(t*(14+float64(seed%4)))*math.Cos(t*5) + 20*math.Sin(t*40)
		for dx := -2; dx <= 2; dx++ {
			for dy := -2; dy <= 2; dy++ {
				img.Set(int(x)+dx, int(y)+dy, ink)
			}
		}
	}
	var out bytes.Buffer
	_ = png.Encode(&out, img)
	return out.Bytes()
}

// demoInvoice draws a 400×560 receipt-like image (white with ruled lines
// and a red stamp).
func demoInvoice(seed int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 400, 560))
	fill(img, img.Bounds(), color.RGBA{252, 252, 248, 255})
	fill(img, image.Rect(30, 30, 370, 60), color.RGBA{90, 110, 150, 255})
	for y := 90; y < 480; y += 28 {
		fill(img, image.Rect(30, y, 370-(y*7+seed*11)%90, y+6), color.RGBA{170, 170, 170, 255})
	}
	for y := -40; y <= 40; y++ {
		for x := -40; x <= 40; x++ {
			if r := x*x + y*y; r <= 1600 && r >= 1200 {
				img.Set(300+x, 480+y, color.RGBA{200, 30, 30, 255})
			}
		}
	}
	var out bytes.Buffer
	_ = png.Encode(&out, img)
	return out.Bytes()
}

func fill(img *image.RGBA, r image.Rectangle, c color.RGBA) {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			img.Set(x, y, c)
		}
	}
}
