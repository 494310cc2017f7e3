package ticket

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/passport"
)

// passportLimit bounds the tickets one unit shows on its passport.
const passportLimit = 500

var _ passport.Source = (*Service)(nil)

// PassportEntries lists the tickets opened for a unit (its passport lines).
// The passport is a unit's history, so it is not narrowed to the caller's
// outlet.
func (s *Service) PassportEntries(ctx context.Context, unitID uint64) ([]passport.Entry, error) {
	var rows []Ticket
	if err := s.o.DB.WithContext(ctx).Where("unit_id = ?", unitID).Order("created_at DESC").Limit(passportLimit).Find(&rows).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("ticket passport: %w", err))
	}
	out := make([]passport.Entry, 0, len(rows))
	for _, t := range rows {
		out = append(out, passport.Entry{At: t.CreatedAt, Kind: "ticket", TitleCode: "ticket",
			TitleParams: passport.Params{"number": t.Number, "ticket_type": t.Type, "ticket_status": t.Status}, Ref: "ticket:" + strconv.FormatUint(t.ID, 10),
			Data: map[string]any{"number": t.Number, "type": t.Type, "status": t.Status, "fault_code": t.FaultCode,
				"reopen_count": t.ReopenCount, "sla_breached": t.SLABreached}})
	}
	return out, nil
}
