package recall

import (
	"context"
	"fmt"
	"time"

	"github.com/aftersales/aftersales/backend/internal/passport"
)

type unitCampaign struct {
	AffectedUnit
	Number         string
	Title          string
	CampaignStatus string
}

// PassportEntries implements passport.Source: every campaign the unit is
// in, with its progress on the unit.
func (s *Service) PassportEntries(ctx context.Context, unitID uint64) ([]passport.Entry, error) {
	var rows []unitCampaign
	err := s.o.DB.WithContext(ctx).Raw(`SELECT ru.*, c.number, c.title, c.status AS campaign_status FROM recall_units ru
		JOIN recall_campaigns c ON c.id = ru.campaign_id WHERE ru.unit_id = ? ORDER BY ru.id`, unitID).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("recall passport: %w", err)
	}
	out := make([]passport.Entry, 0, len(rows))
	for _, r := range rows {
		at := r.CreatedAt
		if r.RemediedAt != nil {
			at = *r.RemediedAt
		}
		out = append(out, passport.Entry{At: at, Kind: "recall",
			TitleCode: "recall_campaign", TitleParams: passport.Params{"number": r.Number, "title": r.Title,
				"campaign_status": r.CampaignStatus, "recall_unit_status": r.Status},
			Ref: "recall_campaign:" + idStr(r.CampaignID),
			Data: map[string]any{"campaign_id": r.CampaignID, "recall_unit_id": r.ID, "status": r.Status, "notified_at": r.NotifiedAt,
				"appointment_at": r.AppointmentAt, "appointment_outlet_id": r.AppointmentOutletID, "remedied_at": r.RemediedAt,
				"remedied_outlet_id": r.RemediedOutletID}})
	}
	return out, nil
}

// UnitFlags implements passport.FlagSource: a unit in an active campaign
// whose remedy is not done shows recall_open (for the agent's screen-pop).
// One query for any number of units.
func (s *Service) UnitFlags(ctx context.Context, unitIDs []uint64) (map[uint64][]passport.Flag, error) {
	out := map[uint64][]passport.Flag{}
	if len(unitIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		ID, UnitID, CampaignID uint64
		Number, Title          string
		AppointmentAt          *time.Time
	}
	err := s.o.DB.WithContext(ctx).Raw(`SELECT ru.id, ru.unit_id, ru.campaign_id, c.number, c.title, ru.appointment_at FROM recall_units ru
		JOIN recall_campaigns c ON c.id = ru.campaign_id
		WHERE ru.unit_id IN ? AND ru.status <> ? AND c.status = ? ORDER BY ru.id`, unitIDs, UnitRemedied, StatusActive).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("recall flags: %w", err)
	}
	for _, r := range rows {
		code := "recall_open"
		if r.AppointmentAt != nil {
			code = "recall_open_booked"
		}
		// Ref names the affected-unit record (its recall notice prints from it).
		out[r.UnitID] = append(out[r.UnitID], passport.Flag{Kind: "recall_open", TitleCode: code,
			TitleParams: passport.Params{"number": r.Number, "title": r.Title}, Ref: "recall_unit:" + idStr(r.ID)})
	}
	return out, nil
}

var (
	_ passport.Source     = (*Service)(nil)
	_ passport.FlagSource = (*Service)(nil)
)
