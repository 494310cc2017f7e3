package complaint

import (
	"context"
	"fmt"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/passport"
)

var _ passport.Source = (*Service)(nil)

// StatusLabels are the Chinese names of the statuses, for passports and exports.
var StatusLabels = map[string]string{StatusReceived: "已受理", StatusAcknowledged: "已确认", StatusInvestigating: "调查中",
	StatusResolved: "已解决", StatusConfirmed: "客户已确认", StatusClosed: "已关闭"}

// SeverityLabels are the Chinese names of the severities.
var SeverityLabels = map[string]string{SeverityNormal: "一般", SeverityMajor: "重大", SeverityCrisis: "危机"}

// CategoryLabels are the Chinese names of the categories.
var CategoryLabels = map[string]string{"product_quality": "产品质量", "service_attitude": "服务态度", "repair_quality": "维修质量",
	"delay": "处理延误", "charges": "收费问题", "other": "其他"}

// PassportEntries lists the complaints about a unit (newest 200), for the
// unit passport.
func (s *Service) PassportEntries(ctx context.Context, unitID uint64) ([]passport.Entry, error) {
	var cs []Complaint
	if err := s.o.DB.WithContext(ctx).Where("unit_id = ?", unitID).Order("received_at DESC").Limit(200).Find(&cs).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("complaint passport: %w", err))
	}
	out := make([]passport.Entry, 0, len(cs))
	for _, c := range cs {
		out = append(out, passport.Entry{At: c.ReceivedAt, Kind: "complaint",
			Title: fmt.Sprintf("投诉 %s（%s，%s）— %s", c.Number, CategoryLabels[c.Category], SeverityLabels[c.Severity], StatusLabels[c.Status]),
			Ref:   fmt.Sprintf("complaint:%d", c.ID),
			Data:  map[string]any{"status": c.Status, "severity": c.Severity, "category": c.Category, "ticket_id": c.TicketID}})
	}
	return out, nil
}
