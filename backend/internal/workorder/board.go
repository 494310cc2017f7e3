package workorder

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/passport"
)

// boardLimit bounds each list of the board.
const boardLimit = 200

// BoardOffer is an offer waiting for the outlet's answer.
type BoardOffer struct {
	WorkOrder   WorkOrder
	ExpiresAt   time.Time
	SecondsLeft int64
}

// BoardOverdue is accepted work whose promised arrival has passed.
type BoardOverdue struct {
	WorkOrder      WorkOrder
	OverdueSeconds int64
}

// TechnicianLoad is one technician's open work.
type TechnicianLoad struct {
	StaffID uint64
	Name    string
	// Open counts assigned, scheduled and on-site work; Today the
	// appointments of the local day.
	Open  int
	Today int
}

// Board is an outlet manager's live view.
type Board struct {
	OutletID          uint64
	At                time.Time
	Offers            []BoardOffer
	AppointmentsToday []WorkOrder
	ArrivalsOverdue   []BoardOverdue
	Technicians       []TechnicianLoad
}

// checkOutlet applies the caller's data scope to an outlet id (an outlet
// user asking for another outlet gets not_found) and checks that the
// outlet exists.
func (s *Service) checkOutlet(ctx context.Context, outletID uint64) error {
	if own, ok := actor.From(ctx).OutletScoped(); ok && own != outletID {
		return apperr.NotFound("outlet")
	}
	if s.o.Outlets != nil {
		if _, err := s.o.Outlets.Outlet(ctx, outletID); err != nil {
			return err
		}
	}
	return nil
}

// dayBounds returns the UTC instants of the start and end of the local day
// of t.
func (s *Service) dayBounds(t time.Time) (time.Time, time.Time) {
	l := t.In(s.loc)
	start := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, s.loc)
	return start.UTC(), start.AddDate(0, 0, 1).UTC()
}

// Board returns the outlet's offers waiting (with time left), today's
// appointments (local day), arrivals overdue and each technician's load.
// Errors: not_found (another outlet, for outlet users).
func (s *Service) Board(ctx context.Context, outletID uint64) (Board, error) {
	if err := s.checkOutlet(ctx, outletID); err != nil {
		return Board{}, err
	}
	now := s.now()
	b := Board{OutletID: outletID, At: now, Offers: []BoardOffer{}, AppointmentsToday: []WorkOrder{}, ArrivalsOverdue: []BoardOverdue{}, Technicians: []TechnicianLoad{}}
	db := s.o.DB.WithContext(ctx)
	var offered []WorkOrder
	if err := db.Where("outlet_id = ? AND status = ?", outletID, StatusOffered).Order("offer_expires_at, id").Limit(boardLimit).Find(&offered).Error; err != nil {
		return Board{}, apperr.Internal(fmt.Errorf("board offers: %w", err))
	}
	for _, w := range offered {
		o := BoardOffer{WorkOrder: w}
		if w.OfferExpiresAt != nil {
			o.ExpiresAt = *w.OfferExpiresAt
			o.SecondsLeft = int64(w.OfferExpiresAt.Sub(now) / time.Second)
		}
		b.Offers = append(b.Offers, o)
	}
	from, to := s.dayBounds(now)
	if err := db.Where("outlet_id = ? AND appointment_at >= ? AND appointment_at < ? AND status IN ?", outletID, from, to,
		[]string{StatusAssigned, StatusScheduled, StatusOnSite, StatusCompleted, StatusSignedOff}).
		Order("appointment_at, id").Limit(boardLimit).Find(&b.AppointmentsToday).Error; err != nil {
		return Board{}, apperr.Internal(fmt.Errorf("board appointments: %w", err))
	}
	var late []WorkOrder
	if err := db.Where("outlet_id = ? AND status IN ? AND arrived_at IS NULL AND arrival_due_at < ?", outletID,
		[]string{StatusAccepted, StatusAssigned, StatusScheduled}, now).Order("arrival_due_at, id").Limit(boardLimit).Find(&late).Error; err != nil {
		return Board{}, apperr.Internal(fmt.Errorf("board overdue: %w", err))
	}
	for _, w := range late {
		b.ArrivalsOverdue = append(b.ArrivalsOverdue, BoardOverdue{WorkOrder: w, OverdueSeconds: int64(now.Sub(*w.ArrivalDueAt) / time.Second)})
	}
	type loadRow struct {
		StaffID uint64
		NOpen   int
		NToday  int
	}
	var loads []loadRow
	if err := db.Model(&WorkOrder{}).Select("technician_staff_id AS staff_id, COUNT(*) AS n_open, "+
		"SUM(CASE WHEN appointment_at >= ? AND appointment_at < ? THEN 1 ELSE 0 END) AS n_today", from, to).
		Where("outlet_id = ? AND status IN ? AND technician_staff_id IS NOT NULL", outletID, []string{StatusAssigned, StatusScheduled, StatusOnSite}).
		Group("technician_staff_id").Scan(&loads).Error; err != nil {
		return Board{}, apperr.Internal(fmt.Errorf("board load: %w", err))
	}
	byID := map[uint64]*TechnicianLoad{}
	if s.o.Staff != nil {
		techs, err := s.o.Staff.Technicians(ctx, outletID)
		if err != nil {
			return Board{}, err
		}
		for _, t := range techs {
			b.Technicians = append(b.Technicians, TechnicianLoad{StaffID: t.ID, Name: t.Name})
		}
	}
	for i := range b.Technicians {
		byID[b.Technicians[i].StaffID] = &b.Technicians[i]
	}
	for _, l := range loads {
		if t, ok := byID[l.StaffID]; ok {
			t.Open, t.Today = l.NOpen, l.NToday
			continue
		}
		b.Technicians = append(b.Technicians, TechnicianLoad{StaffID: l.StaffID, Open: l.NOpen, Today: l.NToday})
	}
	return b, nil
}

// Scorecard is an outlet's response figures over [From, To).
type Scorecard struct {
	OutletID uint64
	From, To time.Time
	// Offers made (by offer time) and how they were answered.
	Offers, Accepted, Rejected, TimedOut int
	// AcceptSecondsAvg and AcceptSecondsP90 measure offer → acceptance;
	// nil without acceptances.
	AcceptSecondsAvg *float64
	AcceptSecondsP90 *int64
	// Arrivals checked in (by arrival time) and those on time.
	Arrivals, ArrivalsOnTime int
	OnTimeArrivalRate        *float64
	// Completed work (by completion time). FirstTimeFixEligible is the
	// completed work on a known unit; FirstTimeFixed those done (or no
	// fault found) without another work order on the same unit within
	// FirstTimeFixWindow. Work completed less than the window ago may
	// still lose its first-time fix.
	Completed, FirstTimeFixEligible, FirstTimeFixed int
	FirstTimeFixRate                                *float64
	// Complaints linked to the outlet (by receipt time), and per technician
	// those naming one (most first); nil when no complaint domain is wired.
	Complaints           *int
	TechnicianComplaints []TechnicianComplaints
}

// Scorecard computes an outlet's figures in SQL. Errors: not_found
// (another outlet), validation (range).
func (s *Service) Scorecard(ctx context.Context, outletID uint64, from, to time.Time) (Scorecard, error) {
	if err := s.checkOutlet(ctx, outletID); err != nil {
		return Scorecard{}, err
	}
	if !to.After(from) || to.Sub(from) > 366*24*time.Hour {
		return Scorecard{}, apperr.FieldErr("to", apperr.Code("span_after_from", "after from, at most 366 days later").With("days", 366))
	}
	// Millisecond bounds: MariaDB skips the index for a nanosecond parameter.
	from, to = from.UTC().Truncate(time.Millisecond), to.UTC().Truncate(time.Millisecond)
	sc := Scorecard{OutletID: outletID, From: from, To: to}
	db := s.o.DB.WithContext(ctx)
	type respRow struct {
		Response string
		N        int
		AvgSecs  *float64
	}
	var resp []respRow
	if err := db.Model(&Offer{}).Select("response, COUNT(*) AS n, AVG(response_seconds) AS avg_secs").
		Where("outlet_id = ? AND offered_at >= ? AND offered_at < ?", outletID, from, to).Group("response").Scan(&resp).Error; err != nil {
		return sc, apperr.Internal(fmt.Errorf("scorecard offers: %w", err))
	}
	for _, r := range resp {
		sc.Offers += r.N
		switch r.Response {
		case ResponseAccepted:
			sc.Accepted, sc.AcceptSecondsAvg = r.N, roundPtr(r.AvgSecs)
		case ResponseRejected:
			sc.Rejected = r.N
		case ResponseTimeout:
			sc.TimedOut = r.N
		}
	}
	if sc.Accepted > 0 {
		// p90 by the nearest-rank method: the ceil(0.9 n)-th fastest.
		rank := int(math.Ceil(0.9 * float64(sc.Accepted)))
		var p90 []int64
		if err := db.Model(&Offer{}).Where("outlet_id = ? AND offered_at >= ? AND offered_at < ? AND response = ?", outletID, from, to, ResponseAccepted).
			Order("response_seconds").Offset(rank-1).Limit(1).Pluck("response_seconds", &p90).Error; err != nil {
			return sc, apperr.Internal(fmt.Errorf("scorecard p90: %w", err))
		}
		if len(p90) == 1 {
			sc.AcceptSecondsP90 = &p90[0]
		}
	}
	var arr struct {
		N      int
		OnTime int
	}
	if err := db.Model(&WorkOrder{}).Select("COUNT(*) AS n, COALESCE(SUM(CASE WHEN arrival_on_time = ? THEN 1 ELSE 0 END), 0) AS on_time", true).
		Where("outlet_id = ? AND arrived_at >= ? AND arrived_at < ?", outletID, from, to).Scan(&arr).Error; err != nil {
		return sc, apperr.Internal(fmt.Errorf("scorecard arrivals: %w", err))
	}
	sc.Arrivals, sc.ArrivalsOnTime = arr.N, arr.OnTime
	sc.OnTimeArrivalRate = rate(arr.OnTime, arr.N)
	var done struct {
		Completed int
		Eligible  int
		Fixed     int
	}
	if err := db.Raw(`SELECT COUNT(*) AS completed,
  COALESCE(SUM(CASE WHEN w.unit_id IS NOT NULL THEN 1 ELSE 0 END), 0) AS eligible,
  COALESCE(SUM(CASE WHEN w.unit_id IS NOT NULL AND w.result IN (?, ?) AND NOT EXISTS (
      SELECT 1 FROM work_orders r WHERE r.unit_id = w.unit_id AND r.id <> w.id AND r.status <> ?
        AND r.created_at > w.completed_at AND r.created_at <= w.repeat_until) THEN 1 ELSE 0 END), 0) AS fixed
FROM work_orders w WHERE w.outlet_id = ? AND w.completed_at >= ? AND w.completed_at < ?`,
		ResultDone, ResultNoFault, StatusCancelled, outletID, from, to).Scan(&done).Error; err != nil {
		return sc, apperr.Internal(fmt.Errorf("scorecard first-time fix: %w", err))
	}
	sc.Completed, sc.FirstTimeFixEligible, sc.FirstTimeFixed = done.Completed, done.Eligible, done.Fixed
	sc.FirstTimeFixRate = rate(done.Fixed, done.Eligible)
	if err := s.scoreComplaints(ctx, &sc); err != nil {
		return sc, err
	}
	return sc, nil
}

func rate(n, d int) *float64 {
	if d == 0 {
		return nil
	}
	r := math.Round(float64(n)/float64(d)*10000) / 10000
	return &r
}

func roundPtr(v *float64) *float64 {
	if v == nil {
		return nil
	}
	r := math.Round(*v*10) / 10
	return &r
}

// LoadCounts counts, per outlet, the work it holds on the local day of day:
// offers pending now plus work accepted that day (not cancelled). It is the
// outlet domain's LoadCounter (capacity check of Candidates); it reads only
// this package's tables. Two indexed queries: (outlet_id, status) and
// (outlet_id, accepted_at).
func LoadCounts(db *gorm.DB, loc *time.Location) func(ctx context.Context, outletIDs []uint64, day time.Time) (map[uint64]int, error) {
	return func(ctx context.Context, outletIDs []uint64, day time.Time) (map[uint64]int, error) {
		out := map[uint64]int{}
		if len(outletIDs) == 0 {
			return out, nil
		}
		l := day.In(loc)
		start := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc).UTC()
		end := start.Add(24 * time.Hour)
		type row struct {
			OutletID uint64
			N        int
		}
		var pending, accepted []row
		if err := db.WithContext(ctx).Model(&WorkOrder{}).Select("outlet_id, COUNT(*) AS n").
			Where("outlet_id IN ? AND status = ?", outletIDs, StatusOffered).Group("outlet_id").Scan(&pending).Error; err != nil {
			return nil, fmt.Errorf("load: offers: %w", err)
		}
		if err := db.WithContext(ctx).Model(&WorkOrder{}).Select("outlet_id, COUNT(*) AS n").
			Where("outlet_id IN ? AND accepted_at >= ? AND accepted_at < ? AND status <> ?", outletIDs, start, end, StatusCancelled).
			Group("outlet_id").Scan(&accepted).Error; err != nil {
			return nil, fmt.Errorf("load: accepted: %w", err)
		}
		for _, r := range append(pending, accepted...) {
			out[r.OutletID] += r.N
		}
		return out, nil
	}
}

var _ passport.Source = (*Service)(nil)

// PassportEntries lists the work orders done on a unit (its passport).
func (s *Service) PassportEntries(ctx context.Context, unitID uint64) ([]passport.Entry, error) {
	var rows []WorkOrder
	if err := s.o.DB.WithContext(ctx).Where("unit_id = ?", unitID).Order("created_at DESC").Limit(500).Find(&rows).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("work order passport: %w", err))
	}
	out := make([]passport.Entry, 0, len(rows))
	for _, w := range rows {
		at := w.CreatedAt
		if w.CompletedAt != nil {
			at = *w.CompletedAt
		}
		code, params := "work_order", passport.Params{"number": w.Number, "work_order_kind": w.Kind, "work_order_status": w.Status}
		if w.Result != "" {
			code = "work_order_result"
			params["work_order_result"] = w.Result
		}
		out = append(out, passport.Entry{At: at, Kind: "work_order", TitleCode: code, TitleParams: params, Ref: "work_order:" + strconv.FormatUint(w.ID, 10),
			Data: map[string]any{"number": w.Number, "kind": w.Kind, "status": w.Status, "outlet_id": w.OutletID, "ticket_id": w.TicketID,
				"result": w.Result, "arrived_at": w.ArrivedAt, "completed_at": w.CompletedAt}})
	}
	return out, nil
}
