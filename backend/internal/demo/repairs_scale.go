package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/parts"
	"github.com/aftersales/aftersales/backend/internal/repair"
	"github.com/aftersales/aftersales/backend/internal/workorder"
)

// ScaleRepairsFor is the number of repairs `seed --scale` generates for a
// number of tickets: 300,000 for 1,000,000 tickets.
func ScaleRepairsFor(tickets int) int { return tickets * 3 / 10 }

// scaleRepairChunk is how many repairs go in one transaction.
const scaleRepairChunk = 10_000

// ScaleRepairs tops the repairs up to ScaleRepairsFor(tickets) for the KPI
// benchmarks (first-time fix, repeat repair): one completed repair per
// completed repair work order (spread over the year as the work orders
// are), then walk-ins on random units and outlets, about 8 % of them a
// repeat of a repair completed less than 30 days before; in or out of
// warranty, with part lines (faulty and replacement serials) on about 70 %.
// It seeds the parts catalogue and labour rates if they are missing. What
// it leaves out, to stay fast: quotes and the stock ledger (the demo data
// set has those). Rows go in multi-row INSERTs, 10,000 repairs per
// transaction, without audit records.
func ScaleRepairs(ctx context.Context, d ServiceOpsDeps, tickets int) error {
	ctx = actor.With(ctx, actor.System("seed"))
	gdb := d.DB.WithContext(ctx).Session(&gorm.Session{SkipHooks: true})
	var have int64
	if err := gdb.Model(&repair.Order{}).Count(&have).Error; err != nil {
		return fmt.Errorf("count repairs: %w", err)
	}
	want := int64(ScaleRepairsFor(tickets)) - have
	if want <= 0 {
		return nil
	}
	if d.Location == nil {
		d.Location = time.UTC
	}
	g := &opsGen{d: d, r: rand.New(rand.NewPCG(uint64(tickets), 44)), now: d.Now.UTC(), parts: map[string]parts.Part{}, labour: map[string]repair.LabourRate{}}
	var np int64
	if err := gdb.Model(&parts.Part{}).Count(&np).Error; err != nil {
		return err
	}
	if np == 0 {
		if err := g.catalogue(ctx); err != nil {
			return err
		}
	} else {
		var ps []parts.Part
		var ls []repair.LabourRate
		if err := gdb.Find(&ps).Error; err != nil {
			return err
		}
		if err := gdb.Find(&ls).Error; err != nil {
			return err
		}
		for _, p := range ps {
			g.parts[p.Code] = p
		}
		for _, l := range ls {
			g.labour[l.Code] = l
		}
	}
	var catalogue []parts.Part
	for _, dp := range demoParts {
		if p, ok := g.parts[dp.Code]; ok {
			catalogue = append(catalogue, p)
		}
	}
	if len(catalogue) == 0 || len(g.labour) == 0 {
		return fmt.Errorf("seed --scale repairs: no parts catalogue")
	}
	var outlets []uint64
	if err := gdb.Table("outlets").Where("status = ?", "active").Order("id").Pluck("id", &outlets).Error; err != nil {
		return fmt.Errorf("outlets: %w", err)
	}
	rng, err := ScaleRangeOf(ctx, d.DB)
	if err != nil {
		return err
	}
	if len(outlets) == 0 || rng.LastUnit == 0 {
		return fmt.Errorf("seed --scale repairs: generate customers, units and outlets first")
	}
	nextID, err := maxIDOf(ctx, d.DB, "repair_orders")
	if err != nil {
		return err
	}
	nextLine, err := maxIDOf(ctx, d.DB, "repair_parts")
	if err != nil {
		return err
	}
	s := &scaleRepairs{g: g, db: gdb, catalogue: catalogue, nextID: nextID + 1, nextLine: nextLine + 1}
	labours := []repair.LabourRate{}
	for _, l := range demoLabour {
		labours = append(labours, g.labour[l.Code])
	}
	s.labours = labours

	// Plan every repair first (unit, outlet, times), so the derived visit
	// links can be computed across all of them, then emit in chunks.
	var plan []scaleSkel
	// Completed repair work orders without a repair, in id order.
	var after uint64
	for int64(len(plan)) < want {
		var wos []opsWorkOrder
		err := gdb.Table("work_orders").Select("id, ticket_id, outlet_id, unit_id, technician_staff_id, status, accepted_at, arrived_at, completed_at, result").
			Where("id > ? AND kind = ? AND completed_at IS NOT NULL AND unit_id IS NOT NULL AND outlet_id IS NOT NULL", after, "repair").
			// A work order that found no fault has no repair (workorder.ResultAgrees).
			Where("result <> ?", workorder.ResultNoFault).
			Where("NOT EXISTS (SELECT 1 FROM repair_orders r WHERE r.work_order_id = work_orders.id)").
			Order("id").Limit(int(min(want-int64(len(plan)), 20_000))).Scan(&wos).Error
		if err != nil {
			return fmt.Errorf("work orders: %w", err)
		}
		if len(wos) == 0 {
			break
		}
		for _, w := range wos {
			received := w.CompletedAt.Add(-time.Duration(1+g.r.IntN(48)) * time.Hour)
			if w.ArrivedAt != nil && w.ArrivedAt.Before(*w.CompletedAt) {
				received = *w.ArrivedAt
			}
			plan = append(plan, scaleSkel{unit: w.UnitID, outlet: w.OutletID, wo: w.ID, ticket: w.TicketID, received: received,
				completed: *w.CompletedAt, notFixed: w.Result == "not_fixed" || w.Result == "parts_required"})
		}
		after = wos[len(wos)-1].ID
	}
	// Walk-ins for the rest, some of them repeats.
	span := int64(rng.LastUnit - rng.FirstUnit + 1)
	recent := make([]int, 0, 5000)
	for int64(len(plan)) < want {
		r := g.r
		unit := rng.FirstUnit + uint64(r.Int64N(span))
		outletID := opsPick(r, outlets)
		received := g.now.Add(-time.Duration(1+r.IntN(365*24)) * time.Hour)
		if len(recent) > 0 && r.IntN(100) < 8 {
			p := plan[recent[r.IntN(len(recent))]]
			unit, outletID = p.unit, p.outlet
			received = p.completed.Add(time.Duration(24+r.IntN(27*24)) * time.Hour)
		}
		if received.After(g.now) {
			received = g.now.Add(-time.Hour)
		}
		completed := received.Add(time.Duration(2+r.IntN(70)) * time.Hour)
		plan = append(plan, scaleSkel{unit: unit, outlet: outletID, received: received, completed: completed, notFixed: r.IntN(100) < 6})
		if len(recent) < cap(recent) {
			recent = append(recent, len(plan)-1)
		} else {
			recent[r.IntN(len(recent))] = len(plan) - 1
		}
	}
	linkScaleVisits(plan)
	return withLoader(ctx, d.DB, []string{"repair_orders", "repair_parts"}, func(l *db.Loader) error {
		s.loader = l
		for i := range plan {
			s.add(plan[i])
			if err := s.flushIfFull(ctx); err != nil {
				return err
			}
		}
		return s.flush(ctx)
	})
}

// scaleSkel is one planned repair with its derived visit links.
type scaleSkel struct {
	unit, outlet, wo, ticket uint64
	received, completed      time.Time
	notFixed                 bool
	prev, next               *time.Time
}

// linkScaleVisits computes prev_completed_at and next_received_at across
// the plan (existing repairs of the same units are not consulted: the
// scale set is generated in one go).
func linkScaleVisits(plan []scaleSkel) {
	byUnit := make(map[uint64][]int, len(plan))
	for i, p := range plan {
		byUnit[p.unit] = append(byUnit[p.unit], i)
	}
	for _, idx := range byUnit {
		if len(idx) < 2 {
			continue
		}
		sort.Slice(idx, func(a, b int) bool { return plan[idx[a]].received.Before(plan[idx[b]].received) })
		for _, i := range idx {
			for _, j := range idx {
				if i == j {
					continue
				}
				r, o := &plan[i], plan[j]
				if !o.completed.After(r.received) && (r.prev == nil || o.completed.After(*r.prev)) {
					c := o.completed
					r.prev = &c
				}
				if o.received.After(r.completed) && (r.next == nil || o.received.Before(*r.next)) {
					n := o.received
					r.next = &n
				}
			}
		}
	}
}

func maxIDOf(ctx context.Context, db *gorm.DB, table string) (uint64, error) {
	var id *uint64
	if err := db.WithContext(ctx).Table(table).Select("MAX(id)").Scan(&id).Error; err != nil {
		return 0, fmt.Errorf("max id of %s: %w", table, err)
	}
	if id == nil {
		return 0, nil
	}
	return *id, nil
}

type scaleRepairs struct {
	g                *opsGen
	db               *gorm.DB
	catalogue        []parts.Part
	labours          []repair.LabourRate
	nextID, nextLine uint64
	loader           *db.Loader
	rows             []repair.Order
	lines            []repair.PartLine
}

var scaleFaults = []string{"E1", "E4", "F1", "P5", "H6", "E21", "E45", "UE", "NB", "RB", "I1", "W1"}

func (s *scaleRepairs) add(p scaleSkel) {
	unit, outletID, received, completed, notFixed := p.unit, p.outlet, p.received, p.completed, p.notFixed
	var wo, ticket *uint64
	if p.wo != 0 {
		w, t := p.wo, p.ticket
		wo, ticket = &w, &t
	}
	r := s.g.r
	id := s.nextID
	s.nextID++
	inW := r.IntN(100) < 65
	lab := opsPick(r, s.labours)
	o := repair.Order{ID: id, Number: fmt.Sprintf("RP%s%06d", received.In(s.g.d.Location).Format("20060102"), id), WorkOrderID: wo, TicketID: ticket,
		OutletID: outletID, UnitID: unit, Channel: repair.ChannelWalkIn, TechnicianName: "维修技师",
		Status: repair.StatusCompleted, Complaint: "报修", Diagnosis: "检测确认故障", FaultCode: opsPick(r, scaleFaults), Cause: "元件老化",
		InWarranty: inW, WarrantyState: "repair", LabourCode: lab.Code, LabourFen: lab.PriceFen, Result: repair.ResultFixed, Visits: 1,
		CustomerConfirmed: r.IntN(100) < 95, ReceivedAt: received, Version: 5, CreatedAt: received, UpdatedAt: completed}
	if wo != nil {
		o.Channel = repair.ChannelWorkOrder
	}
	if !inW {
		o.WarrantyState, o.QuoteApprovedBy, o.QuoteChannel = "expired", "客户", "signature"
	}
	if notFixed {
		o.Result = repair.ResultNotFixed
	}
	if r.IntN(100) < 9 {
		o.Visits = 2
	}
	started := received.Add(30 * time.Minute)
	o.DiagnosedAt, o.StartedAt, o.CompletedAt, o.ClosedAt = &received, &started, &completed, &completed
	o.PrevCompletedAt, o.NextReceivedAt = p.prev, p.next
	if r.IntN(100) < 70 {
		p := opsPick(r, s.catalogue)
		l := repair.PartLine{ID: s.nextLine, RepairID: id, PartID: p.ID, PartCode: p.Code, PartName: p.Name, Qty: 1, UnitFen: p.PriceFen,
			AmountFen: p.PriceFen, LocationID: outletID, FaultySerial: fmt.Sprintf("%s-F%08d", p.Code, s.nextLine),
			ReplacementSerial: fmt.Sprintf("%s-R%08d", p.Code, s.nextLine), UnderWarranty: inW, ChargeTo: repair.ChargeCustomer,
			OldPartStatus: repair.OldPartNotRequired, CreatedAt: started}
		s.nextLine++
		if inW {
			l.ChargeTo, l.OldPartStatus = repair.ChargeWarranty, repair.OldPartReturned
			back := time.Date(completed.Year(), completed.Month(), completed.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 5)
			l.OldPartReturnedOn = &back
		}
		o.PartsFen = l.AmountFen
		s.lines = append(s.lines, l)
	}
	total := o.PartsFen + o.LabourFen
	if inW {
		o.ClaimFen = total
	} else {
		o.ChargeFen, o.QuoteFen = total, total
		decided := received.Add(20 * time.Minute)
		o.QuoteDecidedAt = &decided
	}
	var mine []repair.PartLine
	if n := len(s.lines); n > 0 && s.lines[n-1].RepairID == id {
		mine = s.lines[n-1:]
	}
	o.RecordComplete = len(repair.Missing(o, mine)) == 0
	s.rows = append(s.rows, o)
}

func (s *scaleRepairs) flushIfFull(ctx context.Context) error {
	if len(s.rows) < scaleRepairChunk {
		return nil
	}
	return s.flush(ctx)
}

func (s *scaleRepairs) flush(ctx context.Context) error {
	if len(s.rows) == 0 {
		return nil
	}
	// The units' serials (and models), read 1,000 ids at a time.
	ids := make([]uint64, 0, len(s.rows))
	for _, o := range s.rows {
		ids = append(ids, o.UnitID)
	}
	type unitRow struct {
		ID, ModelID uint64
		Serial      string
	}
	byID := make(map[uint64]unitRow, len(ids))
	for i := 0; i < len(ids); i += 1000 {
		var us []unitRow
		if err := s.db.Table("units").Select("id, model_id, serial").Where("id IN ?", ids[i:min(i+1000, len(ids))]).Scan(&us).Error; err != nil {
			return fmt.Errorf("scale repairs: units: %w", err)
		}
		for _, u := range us {
			byID[u.ID] = u
		}
	}
	for i := range s.rows {
		if u, ok := byID[s.rows[i].UnitID]; ok {
			s.rows[i].Serial, s.rows[i].ModelID = u.Serial, u.ModelID
		}
	}
	err := s.loader.LoadModels(ctx, s.db, s.rows)
	if err == nil {
		err = s.loader.LoadModels(ctx, s.db, s.lines)
	}
	if err != nil {
		err = fmt.Errorf("scale repairs: %w", err)
	}
	s.rows, s.lines = s.rows[:0], s.lines[:0]
	return err
}
