package complaint

import (
	"context"
	"fmt"
	"time"
)

// OutletCounts are the complaints about one outlet received in a period:
// all of them, and those naming a technician, per technician (the staff id a
// complaint raised from a survey answer about the visit carries).
type OutletCounts struct {
	Total        int
	ByTechnician map[uint64]int
}

// CountForOutlet counts the complaints linked to an outlet and received in
// [from, to), for the outlet's scorecard (the dispatch domain asks through
// an interface wired in app). It is not scoped: the asking domain has
// checked the caller may see the outlet.
func (s *Service) CountForOutlet(ctx context.Context, outletID uint64, from, to time.Time) (OutletCounts, error) {
	type row struct {
		TechnicianID *uint64
		N            int
	}
	var rows []row
	if err := s.o.DB.WithContext(ctx).Model(&Complaint{}).Select("technician_id, COUNT(*) AS n").
		Where("outlet_id = ? AND received_at >= ? AND received_at < ?", outletID, from.UTC(), to.UTC()).
		Group("technician_id").Scan(&rows).Error; err != nil {
		return OutletCounts{}, fmt.Errorf("complaints of outlet %d: %w", outletID, err)
	}
	out := OutletCounts{ByTechnician: map[uint64]int{}}
	for _, r := range rows {
		out.Total += r.N
		if r.TechnicianID != nil {
			out.ByTechnician[*r.TechnicianID] += r.N
		}
	}
	return out, nil
}
