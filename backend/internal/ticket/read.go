package ticket

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/sla"
)

// Get returns a ticket the caller may see. Outlet users see only tickets
// dispatched to their outlet; another one is not_found.
func (s *Service) Get(ctx context.Context, id uint64) (Ticket, error) {
	return s.get(ctx, s.hot, id)
}

func (s *Service) get(ctx context.Context, db *gorm.DB, id uint64) (Ticket, error) {
	var t Ticket
	q := scope(ctx, db.WithContext(ctx)).Where("id = ?", id)
	if err := q.Take(&t).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return Ticket{}, apperr.NotFound("ticket")
		}
		return Ticket{}, apperr.Internal(fmt.Errorf("get ticket: %w", err))
	}
	return t, nil
}

// scope restricts a query on tickets to the caller's data scope.
func scope(ctx context.Context, q *gorm.DB) *gorm.DB {
	if outletID, ok := actor.From(ctx).OutletScoped(); ok {
		return q.Where("outlet_id = ?", outletID)
	}
	return q
}

// Detail is a ticket with every SLA clock.
type Detail struct {
	Ticket
	Clocks []sla.ClockState
	// Frozen reports that the clocks settled at close come from the frozen
	// result, not from a fresh evaluation.
	Frozen bool
}

// Detail returns a ticket with its clocks evaluated now; segments settled
// at close are shown as frozen then. Errors: not_found.
func (s *Service) Detail(ctx context.Context, id uint64) (Detail, error) {
	t, err := s.Get(ctx, id)
	if err != nil {
		return Detail{}, err
	}
	clocks, frozen, err := s.Clocks(ctx, t)
	if err != nil {
		return Detail{}, err
	}
	return Detail{Ticket: t, Clocks: clocks, Frozen: frozen}, nil
}

// Clocks evaluates a ticket's clocks now.
func (s *Service) Clocks(ctx context.Context, t Ticket) ([]sla.ClockState, bool, error) {
	log, err := s.o.SLA.Log(ctx, nil, t.ID)
	if err != nil {
		return nil, false, apperr.Internal(err)
	}
	cal, err := s.o.SLA.CalendarByCode(ctx, t.SLACalendar)
	if err != nil {
		return nil, false, apperr.Internal(err)
	}
	states := sla.Evaluate(log, cal, s.now())
	fr, err := s.o.SLA.Result(ctx, nil, t.ID)
	if err != nil {
		return nil, false, apperr.Internal(err)
	}
	if fr != nil {
		return fr.Merge(states), true, nil
	}
	return states, false, nil
}

// OpenByCustomer returns the customer's tickets that are not resolved or
// closed, newest first (at most 20): the agent's screen-pop.
func (s *Service) OpenByCustomer(ctx context.Context, customerID uint64) ([]Ticket, error) {
	var out []Ticket
	q := scope(ctx, s.hot.WithContext(ctx)).Where("customer_id = ? AND status NOT IN ?", customerID, []string{StatusResolved, StatusClosed})
	if err := q.Order("created_at DESC, id DESC").Limit(20).Find(&out).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("open tickets of customer: %w", err))
	}
	return out, nil
}

// OpenByCustomers returns the open tickets of several customers (batched
// screen-pop for a phone shared by several customers).
func (s *Service) OpenByCustomers(ctx context.Context, customerIDs []uint64) (map[uint64][]Ticket, error) {
	out := map[uint64][]Ticket{}
	if len(customerIDs) == 0 {
		return out, nil
	}
	var rows []Ticket
	q := scope(ctx, s.o.DB.WithContext(ctx)).Where("customer_id IN ? AND status NOT IN ?", customerIDs, []string{StatusResolved, StatusClosed})
	if err := q.Order("created_at DESC, id DESC").Limit(200).Find(&rows).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("open tickets of customers: %w", err))
	}
	for _, t := range rows {
		out[t.CustomerID] = append(out[t.CustomerID], t)
	}
	return out, nil
}
