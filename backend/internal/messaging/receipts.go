package messaging

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/audit"
)

// TencentReport is one entry of Tencent Cloud SMS's status callback
// (短信下发状态回调): a JSON array POSTed to the callback URL configured in
// the SMS console; one request may carry several reports. Sid is the
// SerialNo SendSms returned, kept as the message's provider_ref.
type TencentReport struct {
	UserReceiveTime string `json:"user_receive_time"`
	NationCode      string `json:"nationcode"`
	Mobile          string `json:"mobile"`
	ReportStatus    string `json:"report_status"`
	ErrMsg          string `json:"errmsg"`
	Description     string `json:"description"`
	Sid             string `json:"sid"`
}

// ReceiptOutcome counts what a batch of delivery reports did.
type ReceiptOutcome struct {
	Delivered int `json:"delivered"`
	Failed    int `json:"failed"`
	// Unknown reports name no message sent through Tencent (another
	// application's, or one purged); Repeated ones were applied before.
	Unknown  int `json:"unknown"`
	Repeated int `json:"repeated"`
}

// tencentTimeLayout is user_receive_time's layout, in Beijing time.
const tencentTimeLayout = "2006-01-02 15:04:05"

// ApplyTencentReports records the carrier's delivery reports: a sent
// message becomes delivered (SUCCESS, at the time the phone received it)
// or failed (FAIL, with the status code and its description). Each change
// is audited. A report is applied once: Tencent retries a callback it did
// not see answered, and a repeated report changes nothing.
func (s *Service) ApplyTencentReports(ctx context.Context, reports []TencentReport) (ReceiptOutcome, error) {
	var out ReceiptOutcome
	beijing := time.FixedZone("CST", 8*3600)
	for _, r := range reports {
		sid := strings.TrimSpace(r.Sid)
		if sid == "" {
			out.Unknown++
			continue
		}
		err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			var m Message
			res := tx.Where("provider = ? AND provider_ref = ?", ProviderTencent, sid).Limit(1).Find(&m)
			if res.Error != nil {
				return fmt.Errorf("delivery report %s: %w", sid, res.Error)
			}
			if res.RowsAffected == 0 {
				out.Unknown++
				return nil
			}
			if m.Status != StatusSent {
				out.Repeated++
				return nil
			}
			before := m.snapshot()
			upd := map[string]any{"version": m.Version + 1, "updated_at": s.now()}
			if strings.EqualFold(r.ReportStatus, "SUCCESS") {
				at, err := time.ParseInLocation(tencentTimeLayout, strings.TrimSpace(r.UserReceiveTime), beijing)
				if err != nil {
					at = s.now()
				}
				upd["status"], upd["delivered_at"], upd["error"] = StatusDelivered, at.UTC(), ""
				m.Status, m.DeliveredAt = StatusDelivered, &at
				out.Delivered++
			} else {
				reason := clip(strings.TrimSpace(r.ErrMsg+" "+r.Description), 500)
				upd["status"], upd["error"] = StatusFailed, reason
				m.Status, m.Error = StatusFailed, reason
				out.Failed++
			}
			res = tx.Model(&Message{}).Where("id = ? AND version = ?", m.ID, m.Version).Updates(upd)
			if res.Error != nil {
				return fmt.Errorf("delivery report %s: %w", sid, res.Error)
			}
			if res.RowsAffected != 1 {
				// A worker or a resend changed the row meanwhile: Tencent
				// retries an unanswered callback, so fail it and take the retry.
				return fmt.Errorf("delivery report %s: message %d changed meanwhile", sid, m.ID)
			}
			m.Version++
			return s.o.Audit.Record(ctx, tx, audit.Entry{Action: "delivery_report", Entity: "customer_message", EntityID: idStr(m.ID),
				Before: before, After: m.snapshot()})
		})
		if err != nil {
			return out, err
		}
	}
	return out, nil
}
