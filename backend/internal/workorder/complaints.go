package workorder

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/aftersales/aftersales/backend/internal/apperr"
)

// ComplaintCounts are the complaints about an outlet in a period, as the
// complaint domain counts them: all, and per technician (staff id).
type ComplaintCounts struct {
	Total        int
	ByTechnician map[uint64]int
}

// Complaints is what the scorecard needs from the complaint domain (wired
// in app): it owns the complaints table, which dispatch never reads.
type Complaints interface {
	ComplaintsOfOutlet(ctx context.Context, outletID uint64, from, to time.Time) (ComplaintCounts, error)
}

// SetComplaints wires the complaint domain (app, once both services exist).
func (s *Service) SetComplaints(c Complaints) { s.o.Complaints = c }

// TechnicianComplaints is one technician's complaint count on a scorecard.
type TechnicianComplaints struct {
	StaffID    uint64
	Name       string // from the staff register; empty when unknown
	Complaints int
}

// scoreComplaints fills the scorecard's complaint figures; left nil when
// no complaint domain is wired (unknown, not zero).
func (s *Service) scoreComplaints(ctx context.Context, sc *Scorecard) error {
	if s.o.Complaints == nil {
		return nil
	}
	c, err := s.o.Complaints.ComplaintsOfOutlet(ctx, sc.OutletID, sc.From, sc.To)
	if err != nil {
		return apperr.Internal(fmt.Errorf("scorecard complaints: %w", err))
	}
	total := c.Total
	sc.Complaints = &total
	sc.TechnicianComplaints = []TechnicianComplaints{}
	for id, n := range c.ByTechnician {
		tc := TechnicianComplaints{StaffID: id, Complaints: n}
		if s.o.Staff != nil {
			if m, err := s.o.Staff.StaffMember(ctx, id); err == nil {
				tc.Name = m.Name
			}
		}
		sc.TechnicianComplaints = append(sc.TechnicianComplaints, tc)
	}
	slices.SortFunc(sc.TechnicianComplaints, func(a, b TechnicianComplaints) int {
		if a.Complaints != b.Complaints {
			return b.Complaints - a.Complaints
		}
		return cmp.Compare(a.StaffID, b.StaffID)
	})
	return nil
}
