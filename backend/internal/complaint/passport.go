package complaint

import (
	"context"
	"fmt"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/passport"
)

var _ passport.Source = (*Service)(nil)

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
			TitleCode: "complaint", TitleParams: passport.Params{"number": c.Number, "complaint_category": c.Category,
				"complaint_severity": c.Severity, "complaint_status": c.Status},
			Ref:  fmt.Sprintf("complaint:%d", c.ID),
			Data: map[string]any{"status": c.Status, "severity": c.Severity, "category": c.Category, "ticket_id": c.TicketID}})
	}
	return out, nil
}
