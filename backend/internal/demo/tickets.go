package demo

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/outlet"
	"github.com/aftersales/aftersales/backend/internal/sla"
	"github.com/aftersales/aftersales/backend/internal/ticket"
	"github.com/aftersales/aftersales/backend/internal/workorder"
)

// TicketDeps are what the ticket and work-order demo needs. Customers,
// units, outlets, staff and users are read with plain queries (this is
// seeding, not a domain reading another's tables at run time).
type TicketDeps struct {
	DB  *gorm.DB
	SLA *sla.Store
	// Now is the end of the simulated year: history stops there, so the
	// last days' tickets are still open.
	Now      time.Time
	Location *time.Location
	// AcceptTimeout is dispatch.accept_timeout.
	AcceptTimeout time.Duration
	// Days is how many days of history SeedTickets simulates; 0 means
	// DemoTicketDays (tests use fewer).
	Days int
}

// Demo volume: about 66 tickets a day over the last year (~24,000), more in
// the air-conditioning summer, fewer at the Spring Festival.
const (
	DemoTicketDays    = 365
	demoTicketsPerDay = 66
	tkActorAgent      = "agent"
	tkActorOutlet     = "outlet_manager"
	tkActorTechnician = "technician"
	tkLiveOffers      = 4
)

// SeedTickets simulates twelve months of hotline work over the demo
// customers, units and outlets: tickets with their timeline, SLA event log
// and frozen results, work orders with their offers (some rejected or timed
// out and re-dispatched), appointments, arrivals, completions. Every
// timestamp comes from a simulated course of events replayed through the
// same rules the services apply (policy selection, clocks started, paused,
// met, restarted; results frozen at close by sla.Freeze), cut off at
// d.Now: the last days' tickets are still open, and outlet 1 has offers
// waiting, appointments today and an arrival overdue, so its board is
// alive. Mostly on time, about 5–10 % of tickets breach a clock, some are
// reopened. It does nothing when tickets exist. Rows are bulk-inserted
// (CreateInBatches) without audit records: seeded history is not a change
// anyone made.
func SeedTickets(ctx context.Context, d TicketDeps) error {
	db := d.DB.WithContext(ctx)
	var n int64
	if err := db.Model(&ticket.Ticket{}).Count(&n).Error; err != nil {
		return fmt.Errorf("count tickets: %w", err)
	}
	if n > 0 {
		return nil
	}
	g, err := newTicketGen(ctx, d, rand.New(rand.NewPCG(27922, 3)))
	if err != nil {
		return err
	}
	if len(g.customers) == 0 {
		return fmt.Errorf("seed tickets: no customers (seed customers and units first)")
	}
	g.simulate(ctx)
	return g.insert(ctx)
}

// ---- the world the tickets happen in

type tkUnit struct {
	id, category uint64
	since        time.Time
}

type tkCustomer struct {
	id     uint64
	region string
	units  []tkUnit
}

type tkOutlet struct {
	id         uint64
	name       string
	coverage   []string
	categories map[uint64]bool
	techs      []uint64
}

type tkCandidate struct {
	outlet *tkOutlet
	level  int
}

type ticketGen struct {
	d          TicketDeps
	r          *rand.Rand
	now        time.Time
	loc        *time.Location
	customers  []tkCustomer
	outlets    []*tkOutlet
	byID       map[uint64]*tkOutlet
	byCoverage map[string][]*tkOutlet
	cands      map[string][]tkCandidate
	agentID    *uint64
	kinds      map[string]workorder.KindPolicy
	rules      func(typ, prio, region string) (sla.Policy, *sla.Calendar)

	nextTicket, nextWO, nextOffer, nextEvent uint64
	seq                                      map[string]uint64

	tickets  []ticket.Ticket
	events   []ticket.Event
	slaLog   []sla.EventRow
	results  []sla.ResultRow
	wos      []workorder.WorkOrder
	offers   []workorder.Offer
	outlet1  []int // customers served by outlet 1
	category map[uint64]bool
}

func newTicketGen(ctx context.Context, d TicketDeps, r *rand.Rand) (*ticketGen, error) {
	db := d.DB.WithContext(ctx)
	loc := d.Location
	if loc == nil {
		loc = sla.DefaultLocation()
	}
	if d.AcceptTimeout <= 0 {
		d.AcceptTimeout = 30 * time.Minute
	}
	g := &ticketGen{d: d, r: r, now: d.Now.UTC().Truncate(time.Millisecond), loc: loc, byID: map[uint64]*tkOutlet{},
		cands: map[string][]tkCandidate{}, seq: map[string]uint64{}, kinds: map[string]workorder.KindPolicy{}, category: map[uint64]bool{}}
	type addr struct {
		CustomerID uint64
		RegionCode string
	}
	var addrs []addr
	if err := db.Table("customer_addresses").Select("customer_id, region_code").Where("is_default = ?", true).Order("customer_id").Scan(&addrs).Error; err != nil {
		return nil, fmt.Errorf("demo tickets: customers: %w", err)
	}
	pos := map[uint64]int{}
	for _, a := range addrs {
		if _, ok := pos[a.CustomerID]; ok {
			continue
		}
		pos[a.CustomerID] = len(g.customers)
		g.customers = append(g.customers, tkCustomer{id: a.CustomerID, region: a.RegionCode})
	}
	type unitRow struct {
		ID, CustomerID, CategoryID uint64
		CreatedAt                  time.Time
	}
	var units []unitRow
	if err := db.Table("units AS u").Select("u.id, u.customer_id, m.category_id, u.created_at").
		Joins("JOIN product_models m ON m.id = u.model_id").Where("u.customer_id IS NOT NULL").Order("u.id").Scan(&units).Error; err != nil {
		return nil, fmt.Errorf("demo tickets: units: %w", err)
	}
	for _, u := range units {
		if i, ok := pos[u.CustomerID]; ok {
			g.customers[i].units = append(g.customers[i].units, tkUnit{id: u.ID, category: u.CategoryID, since: u.CreatedAt.UTC()})
		}
	}
	var outletRows []struct {
		ID   uint64
		Name string
	}
	if err := db.Table("outlets").Select("id, name").Where("status = ?", outlet.StatusActive).Order("id").Scan(&outletRows).Error; err != nil {
		return nil, fmt.Errorf("demo tickets: outlets: %w", err)
	}
	for _, r := range outletRows {
		o := &tkOutlet{id: r.ID, name: r.Name, categories: map[uint64]bool{}}
		g.outlets = append(g.outlets, o)
		g.byID[r.ID] = o
	}
	type pair struct {
		OutletID   uint64
		RegionCode string
		CategoryID uint64
		ID         uint64
	}
	var cov, cats, techs []pair
	if err := db.Table("outlet_coverages").Select("outlet_id, region_code").Scan(&cov).Error; err != nil {
		return nil, fmt.Errorf("demo tickets: coverage: %w", err)
	}
	if err := db.Table("outlet_categories").Select("outlet_id, category_id").Scan(&cats).Error; err != nil {
		return nil, fmt.Errorf("demo tickets: categories: %w", err)
	}
	if err := db.Table("staff_members").Select("id, outlet_id").Where("outlet_id IS NOT NULL AND active = ? AND post IN ?", true, outlet.TechnicianPosts).
		Order("id").Scan(&techs).Error; err != nil {
		return nil, fmt.Errorf("demo tickets: technicians: %w", err)
	}
	g.byCoverage = map[string][]*tkOutlet{}
	for _, c := range cov {
		if o := g.byID[c.OutletID]; o != nil {
			o.coverage = append(o.coverage, c.RegionCode)
			g.byCoverage[c.RegionCode] = append(g.byCoverage[c.RegionCode], o)
		}
	}
	for _, c := range cats {
		if o := g.byID[c.OutletID]; o != nil {
			o.categories[c.CategoryID] = true
		}
	}
	for _, t := range techs {
		if o := g.byID[t.OutletID]; o != nil {
			o.techs = append(o.techs, t.ID)
		}
	}
	var agent []uint64
	if err := db.Table("users").Where("username = ?", "agent").Pluck("id", &agent).Error; err != nil {
		return nil, fmt.Errorf("demo tickets: users: %w", err)
	}
	if len(agent) == 1 {
		g.agentID = &agent[0]
	}
	var kinds []workorder.KindPolicy
	if err := db.Find(&kinds).Error; err != nil {
		return nil, fmt.Errorf("demo tickets: kinds: %w", err)
	}
	for _, k := range kinds {
		g.kinds[k.Kind] = k
	}
	for _, k := range workorder.DefaultKindPolicies() {
		if _, ok := g.kinds[k.Kind]; !ok {
			g.kinds[k.Kind] = k
		}
	}
	g.rules = func(typ, prio, region string) (sla.Policy, *sla.Calendar) {
		p, cal, _, err := d.SLA.Select(ctx, typ, prio, region)
		if err != nil {
			return sla.Policy{}, nil
		}
		return p, cal
	}
	for _, tbl := range []struct {
		name string
		next *uint64
	}{{"tickets", &g.nextTicket}, {"work_orders", &g.nextWO}, {"work_order_offers", &g.nextOffer}, {"ticket_events", &g.nextEvent}} {
		var maxID uint64
		if err := db.Table(tbl.name).Select("COALESCE(MAX(id), 0)").Row().Scan(&maxID); err != nil {
			return nil, fmt.Errorf("demo tickets: %s ids: %w", tbl.name, err)
		}
		*tbl.next = maxID
	}
	for i, c := range g.customers {
		for _, cand := range g.candidates(c.region, 0) {
			if cand.outlet.id == 1 {
				g.outlet1 = append(g.outlet1, i)
				break
			}
		}
	}
	return g, nil
}

// candidates returns the outlets covering region (and authorised for
// category unless 0), most specific coverage first, as the outlet service
// ranks them (load is not simulated).
func (g *ticketGen) candidates(region string, category uint64) []tkCandidate {
	key := fmt.Sprintf("%s/%d", region, category)
	if c, ok := g.cands[key]; ok {
		return c
	}
	levels := map[*tkOutlet]int{}
	var order []*tkOutlet
	if len(region) == 6 {
		for level, code := range map[int]string{3: region, 2: region[:4] + "00", 1: region[:2] + "0000"} {
			for _, o := range g.byCoverage[code] {
				if category != 0 && !o.categories[category] {
					continue
				}
				if _, seen := levels[o]; !seen {
					order = append(order, o)
				}
				levels[o] = max(levels[o], level)
			}
		}
	}
	slices.SortFunc(order, func(a, b *tkOutlet) int { return cmp.Compare(a.id, b.id) })
	out := make([]tkCandidate, 0, len(order))
	for _, o := range order {
		out = append(out, tkCandidate{outlet: o, level: levels[o]})
	}
	slices.SortStableFunc(out, func(a, b tkCandidate) int { return cmp.Compare(b.level, a.level) })
	g.cands[key] = out
	return out
}

// ---- the simulation of one ticket

// tkSim replays one ticket's course of events with the services' rules. An
// action dated after the cut-off (now) does not happen, nor does anything
// after it: the ticket stays as it was at now.
type tkSim struct {
	g        *ticketGen
	t        ticket.Ticket
	policy   sla.Policy
	cal      *sla.Calendar
	log      []sla.Event
	started  map[sla.Target]bool
	frozen   *sla.FinalResult
	cutoff   bool
	wos      []*workorder.WorkOrder
	lastTime time.Time
}

func (s *tkSim) happens(at time.Time) bool {
	if s.cutoff || at.After(s.g.now) {
		s.cutoff = true
		return false
	}
	if at.After(s.lastTime) {
		s.lastTime = at
	}
	return true
}

// work adds d of working time of the ticket's calendar to at.
func (s *tkSim) work(at time.Time, d time.Duration) time.Time {
	if t, err := s.cal.Add(at, d); err == nil {
		return t.UTC().Truncate(time.Millisecond)
	}
	return at.Add(d)
}

func (s *tkSim) note(at time.Time, kind, who, body string, data map[string]any) {
	s.g.nextEvent++
	ev := ticket.Event{ID: s.g.nextEvent, TicketID: s.t.ID, Kind: kind, ActorName: who, Body: body, Data: tkJSON(data), At: at}
	if who == tkActorAgent {
		ev.ActorID = s.g.agentID
	}
	s.g.events = append(s.g.events, ev)
}

// sla appends to the log at the stored precision (milliseconds), so the
// results frozen from it are what the stored log replays to.
func (s *tkSim) sla(ev sla.Event) {
	ev.At = ev.At.UTC().Truncate(time.Millisecond)
	s.log = append(s.log, ev)
}

func (s *tkSim) startOrRestart(at time.Time, target sla.Target, d time.Duration, reason, who string) {
	kind := sla.KindStarted
	if s.started[target] {
		kind = sla.KindRestarted
	}
	s.started[target] = true
	s.sla(sla.Event{At: at, Kind: kind, Target: target, Duration: d, Reason: reason, Actor: who})
}

func (s *tkSim) create(at time.Time, channel, typ, prio string, c tkCustomer, unit *tkUnit, desc string) {
	s.policy, s.cal = s.g.rules(typ, prio, c.region)
	s.started = map[sla.Target]bool{sla.TargetFirstResponse: true, sla.TargetResolution: true}
	s.lastTime = at
	t := ticket.Ticket{ID: s.t.ID, Number: s.t.Number, Channel: channel, Type: typ, Priority: prio, PriorityRank: ticket.PriorityRank(prio),
		Status: ticket.StatusNew, CustomerID: c.id, RegionCode: c.region, Description: desc, SLAPolicy: s.policy.ID,
		SLACalendar: s.policy.CalendarID, CreatedAt: at, UpdatedAt: at, Version: 1, FaultCode: ""}
	if s.g.agentID != nil {
		t.CreatedBy = *s.g.agentID
	}
	if unit != nil {
		id, cat := unit.id, unit.category
		t.UnitID, t.CategoryID = &id, &cat
	}
	s.t = t
	s.log = append(s.log, s.policy.Apply(at, tkActorAgent, "")...)
	s.sla(sla.Event{At: at, Kind: sla.KindStarted, Target: sla.TargetFirstResponse, Actor: tkActorAgent})
	s.sla(sla.Event{At: at, Kind: sla.KindStarted, Target: sla.TargetResolution, Actor: tkActorAgent})
	s.note(at, ticket.EventCreated, tkActorAgent, "工单已创建", map[string]any{"channel": channel, "type": typ, "priority": prio, "sla_policy": s.policy.ID})
	if channel == ticket.ChannelPhone || channel == ticket.ChannelWalkIn {
		s.sla(sla.Event{At: at, Kind: sla.KindMet, Target: sla.TargetFirstResponse, Actor: tkActorAgent})
		s.t.FirstResponseAt = &at
	}
}

// move changes the status as ticket.Service does (pause, resume, first
// response, resolution, close) and notes it.
func (s *tkSim) move(at time.Time, to, who, reason string) bool {
	if !s.happens(at) {
		return false
	}
	from := s.t.Status
	if from == to || !ticket.CanMove(from, to) {
		return true
	}
	wasPaused, willPause := s.policy.Pauses(from), s.policy.Pauses(to)
	switch {
	case !wasPaused && willPause:
		s.sla(sla.Event{At: at, Kind: sla.KindPaused, Reason: to, Actor: who})
	case wasPaused && !willPause:
		s.sla(sla.Event{At: at, Kind: sla.KindResumed, Reason: from, Actor: who})
	}
	firstResponse := func() {
		if s.t.FirstResponseAt == nil {
			s.sla(sla.Event{At: at, Kind: sla.KindMet, Target: sla.TargetFirstResponse, Actor: who})
			s.t.FirstResponseAt = &at
		}
	}
	reopen := (from == ticket.StatusResolved || from == ticket.StatusClosed) && to == ticket.StatusInProgress
	switch {
	case reopen:
		s.sla(sla.Event{At: at, Kind: sla.KindRestarted, Target: sla.TargetResolution, Reason: "reopened", Actor: who})
		s.t.ReopenCount++
		s.t.ResolvedAt, s.t.ClosedAt, s.t.CloseReason = nil, nil, ""
	case to == ticket.StatusAssigned:
		s.t.AssignedAt = &at
	case to == ticket.StatusInProgress:
		firstResponse()
	case to == ticket.StatusResolved:
		firstResponse()
		s.sla(sla.Event{At: at, Kind: sla.KindMet, Target: sla.TargetResolution, Actor: who})
		s.t.ResolvedAt = &at
	case to == ticket.StatusClosed:
		s.sla(sla.Event{At: at, Kind: sla.KindStopped, Reason: "closed", Actor: who})
		s.t.ClosedAt, s.t.CloseReason = &at, "resolved"
		states := sla.Evaluate(s.log, s.cal, at)
		if s.frozen != nil {
			states = s.frozen.Merge(states)
		}
		fr := sla.Freeze(states, at)
		s.frozen = &fr
	}
	s.t.Status = to
	body := "状态：" + ticket.StatusLabel(from) + " → " + ticket.StatusLabel(to)
	if reason != "" {
		body += "（" + reason + "）"
	}
	data := map[string]any{"from": from, "to": to}
	if reopen {
		data["reopen"], data["reason"] = true, reason
	}
	s.note(at, ticket.EventStatusChange, who, body, data)
	s.t.UpdatedAt, s.t.Version = at, s.t.Version+1
	return true
}

func (s *tkSim) assign(at time.Time, team string) bool {
	if !s.happens(at) {
		return false
	}
	s.t.AssigneeID, s.t.Team = s.g.agentID, team
	s.note(at, ticket.EventAssignment, tkActorAgent, "已分派（班组 "+team+"）", map[string]any{"assignee_id": s.g.agentID, "team": team})
	return s.move(at, ticket.StatusAssigned, tkActorAgent, "")
}

// ---- work orders

type tkVisit struct {
	kind      string
	kp        workorder.KindPolicy
	w         *workorder.WorkOrder
	band      sla.DistanceBand
	firstSent time.Time
}

func tkBand(level int) sla.DistanceBand {
	switch {
	case level >= 2:
		return sla.BandCity
	case level == 1:
		return sla.BandWithin200km
	}
	return sla.BandWithin500km
}

// dispatch creates a work order at at and offers it to cand (nil: nobody,
// it waits unassigned).
func (s *tkSim) dispatch(at time.Time, kind string, cand *tkCandidate) *tkVisit {
	if !s.happens(at) {
		return nil
	}
	g := s.g
	kp := g.kinds[kind]
	g.nextWO++
	day := at.In(g.loc).Format("20060102")
	g.seq["WO"+day]++
	w := &workorder.WorkOrder{ID: g.nextWO, Number: fmt.Sprintf("WO%s-%06d", day, g.seq["WO"+day]), TicketID: s.t.ID, Kind: kind,
		Status: workorder.StatusUnassigned, CustomerID: s.t.CustomerID, UnitID: s.t.UnitID, CategoryID: s.t.CategoryID, RegionCode: s.t.RegionCode,
		CreatedBy: s.t.CreatedBy, Version: 1, CreatedAt: at, UpdatedAt: at}
	if kp.CompleteMinutes > 0 {
		due := s.work(at, time.Duration(kp.CompleteMinutes)*time.Minute)
		w.CompleteDueAt = &due
	}
	s.wos = append(s.wos, w)
	v := &tkVisit{kind: kind, kp: kp, w: w}
	s.startOrRestart(at, sla.TargetOutletAccept, time.Duration(kp.AcceptMinutes)*time.Minute, "new_work_order", tkActorAgent)
	if cand == nil {
		s.note(at, ticket.EventDispatch, tkActorAgent, fmt.Sprintf("创建工单 %s，暂无可派网点", w.Number), map[string]any{"work_order_id": w.ID, "number": w.Number})
		s.t.OutletID = nil
		return v
	}
	s.offer(at, v, cand, "自动派单")
	return v
}

// outletLabel names an outlet in timeline text as the work-order service
// does: 网点「name」.
func (g *ticketGen) outletLabel(id uint64) string {
	if o := g.byID[id]; o != nil && o.name != "" {
		return "网点「" + o.name + "」"
	}
	return fmt.Sprintf("网点 #%d", id)
}

// offer makes the next offer of v to cand.
func (s *tkSim) offer(at time.Time, v *tkVisit, cand *tkCandidate, why string) {
	g, w := s.g, v.w
	first := w.Attempts == 0
	w.Attempts++
	g.nextOffer++
	expires := workorder.OfferExpiry(s.cal, at, g.d.AcceptTimeout)
	g.offers = append(g.offers, workorder.Offer{ID: g.nextOffer, WorkOrderID: w.ID, OutletID: cand.outlet.id, Attempt: w.Attempts,
		CoverageLevel: cand.level, OfferedAt: at, ExpiresAt: expires, Response: workorder.ResponsePending})
	oid, offerID := cand.outlet.id, g.nextOffer
	w.Status, w.OutletID, w.OfferID, w.OfferedAt, w.OfferExpiresAt = workorder.StatusOffered, &oid, &offerID, &at, &expires
	s.t.OutletID = &oid
	if s.t.AssignedAt == nil { // the first dispatch is the ticket's 分派 (as ticket.ApplyWorkOrderStep)
		s.t.AssignedAt = &at
	}
	band := tkBand(cand.level)
	if string(band) != s.t.DistanceBand {
		ev := s.policy.SetBand(band, at, tkActorAgent)
		if d := tkArrival(v.kp, band); d > 0 {
			ev.Duration = d
		}
		s.sla(ev)
		s.t.DistanceBand = string(band)
	}
	if string(band) != w.DistanceBand {
		w.DistanceBand = string(band)
		if d := tkArrival(v.kp, band); d > 0 {
			due := s.work(w.CreatedAt, d)
			w.ArrivalDueAt = &due
		}
	}
	v.band = band
	if first {
		v.firstSent = at
		s.startOrRestart(at, sla.TargetOnsiteArrival, tkArrival(v.kp, band), "new_work_order", tkActorAgent)
	}
	s.note(at, ticket.EventDispatch, tkActorAgent, fmt.Sprintf("工单 %s 派给%s（%s）", w.Number, s.g.outletLabel(oid), why),
		map[string]any{"work_order_id": w.ID, "number": w.Number, "outlet_id": oid, "attempt": w.Attempts, "expires_at": expires})
}

func tkArrival(k workorder.KindPolicy, band sla.DistanceBand) time.Duration {
	m := map[sla.DistanceBand]int{sla.BandCity: k.ArrivalCityMinutes, sla.BandWithin200km: k.Arrival200kmMinutes,
		sla.BandWithin500km: k.Arrival500kmMinutes, sla.BandRemote: k.ArrivalRemoteMinutes}[band]
	return time.Duration(m) * time.Minute
}

// respond closes the current offer.
func (s *tkSim) respond(at time.Time, v *tkVisit, response, reason, who string) {
	o := &s.g.offers[len(s.g.offers)-1]
	for i := len(s.g.offers) - 1; i >= 0; i-- {
		if s.g.offers[i].ID == *v.w.OfferID {
			o = &s.g.offers[i]
			break
		}
	}
	secs := int64(at.Sub(o.OfferedAt) / time.Second)
	o.Response, o.RespondedAt, o.ResponseSeconds, o.Reason, o.RespondedBy = response, &at, &secs, reason, who
}

// refuse is a rejection (or, with reason "", a timeout at the expiry)
// followed by the offer to the next candidate.
func (s *tkSim) refuse(at time.Time, v *tkVisit, reason string, next *tkCandidate) bool {
	if !s.happens(at) {
		return false
	}
	prev := *v.w.OutletID
	if reason == "" {
		s.respond(at, v, workorder.ResponseTimeout, "超时未接单", "system:dispatch_timeouts")
		s.note(at, ticket.EventDispatch, "system:dispatch_timeouts", fmt.Sprintf("%s 超时未接单", s.g.outletLabel(prev)), map[string]any{"work_order_id": v.w.ID})
	} else {
		s.respond(at, v, workorder.ResponseRejected, reason, tkActorOutlet)
		s.note(at, ticket.EventDispatch, tkActorOutlet, fmt.Sprintf("%s 拒单（%s）", s.g.outletLabel(prev), reason), map[string]any{"work_order_id": v.w.ID, "reason": reason})
	}
	s.startOrRestart(at, sla.TargetOutletAccept, time.Duration(v.kp.AcceptMinutes)*time.Minute, "redispatched", tkActorAgent)
	if next == nil {
		v.w.Status, v.w.OutletID, v.w.OfferID, v.w.OfferExpiresAt = workorder.StatusUnassigned, nil, nil, nil
		s.t.OutletID = nil
		s.note(at, ticket.EventDispatch, tkActorAgent, fmt.Sprintf("工单 %s 暂无可派网点", v.w.Number), map[string]any{"work_order_id": v.w.ID})
		return true
	}
	s.offer(at, v, next, "改派")
	return true
}

func (s *tkSim) accept(at time.Time, v *tkVisit) bool {
	if !s.happens(at) {
		return false
	}
	s.respond(at, v, workorder.ResponseAccepted, "", tkActorOutlet)
	w := v.w
	w.Status, w.AcceptedAt, w.OfferExpiresAt = workorder.StatusAccepted, &at, nil
	if v.kp.ContactMinutes > 0 {
		due := s.work(at, time.Duration(v.kp.ContactMinutes)*time.Minute)
		w.ContactDueAt = &due
	}
	s.sla(sla.Event{At: at, Kind: sla.KindMet, Target: sla.TargetOutletAccept, Actor: tkActorOutlet})
	s.startOrRestart(at, sla.TargetCustomerContact, time.Duration(v.kp.ContactMinutes)*time.Minute, "new_work_order", tkActorOutlet)
	s.note(at, ticket.EventWorkOrder, tkActorOutlet, fmt.Sprintf("%s 已接单（工单 %s）", s.g.outletLabel(*w.OutletID), w.Number), map[string]any{"work_order_id": w.ID, "step": "accept"})
	return s.move(at, ticket.StatusInProgress, tkActorOutlet, "")
}

func (s *tkSim) step(at time.Time, v *tkVisit, step, body string, fn func()) bool {
	if !s.happens(at) {
		return false
	}
	fn()
	v.w.UpdatedAt, v.w.Version = at, v.w.Version+1
	s.note(at, ticket.EventWorkOrder, tkActorTechnician, body, map[string]any{"work_order_id": v.w.ID, "step": step})
	return true
}

// cancel withdraws a work order, as workorder.Service.Cancel does.
func (s *tkSim) cancel(at time.Time, v *tkVisit, reason string) bool {
	if !s.happens(at) {
		return false
	}
	w := v.w
	w.Status, w.CancelledAt, w.CancelReason, w.OfferExpiresAt, w.OutletID = workorder.StatusCancelled, &at, reason, nil, nil
	states := sla.Evaluate(s.log, s.cal, at)
	for _, c := range states {
		if c.Open && (c.Target == sla.TargetOutletAccept || c.Target == sla.TargetCustomerContact || c.Target == sla.TargetOnsiteArrival) {
			s.sla(sla.Event{At: at, Kind: sla.KindStopped, Target: c.Target, Reason: "work_order_cancelled", Actor: tkActorAgent})
		}
	}
	s.t.OutletID = nil
	s.note(at, ticket.EventWorkOrder, tkActorAgent, fmt.Sprintf("工单 %s 已取消：%s", w.Number, reason), map[string]any{"work_order_id": w.ID, "step": "cancel"})
	return true
}

// visit plays an accepted work order to its end: technician, contact,
// appointment, arrival (late or on time), completion with result, sign-off.
// It returns the result and when the work was completed.
func (s *tkSim) visit(at time.Time, v *tkVisit, late, wait bool, result string) (string, time.Time, bool) {
	r, w := s.g.r, v.w
	o := s.g.byID[*w.OutletID]
	contactAt := s.work(at, time.Duration(5+r.IntN(max(1, v.kp.ContactMinutes*8/10)))*time.Minute)
	if r.IntN(1000) < 15 {
		contactAt = s.work(at, time.Duration(v.kp.ContactMinutes+20+r.IntN(120))*time.Minute)
	}
	if len(o.techs) > 0 && !s.step(contactAt, v, "assign", "已指派技师", func() {
		tech := o.techs[r.IntN(len(o.techs))]
		w.TechnicianStaffID, w.TechnicianAssignedAt, w.Status = &tech, &contactAt, workorder.StatusAssigned
	}) {
		return "", time.Time{}, false
	}
	if !s.step(contactAt, v, "contact", "网点已联系客户", func() {
		w.ContactedAt = &contactAt
		s.sla(sla.Event{At: contactAt, Kind: sla.KindMet, Target: sla.TargetCustomerContact, Actor: tkActorOutlet})
	}) {
		return "", time.Time{}, false
	}
	// Now and then the customer, once contacted, asks to wait (the clocks
	// pause while the ticket waits for the customer).
	from, paused := contactAt, time.Duration(0)
	if wait {
		stop := contactAt.Add(5 * time.Minute)
		if !s.move(stop, ticket.StatusWaitingCustomer, tkActorAgent, "客户出差，约定回来后上门") {
			return "", time.Time{}, false
		}
		back := stop.Add(time.Duration(24+r.IntN(72)) * time.Hour)
		if !s.move(back, ticket.StatusInProgress, tkActorAgent, "") {
			return "", time.Time{}, false
		}
		from, paused = back, s.cal.WorkingBetween(stop, back)
	}
	// The appointment falls before the promised arrival, except when late.
	due := s.work(v.firstSent, tkArrival(v.kp, v.band)+paused)
	earliest := s.work(from, 90*time.Minute)
	var arrive time.Time
	if late || !due.After(earliest) {
		arrive = s.work(maxTime(due, earliest), time.Duration(20+r.IntN(240))*time.Minute)
	} else {
		span := due.Sub(earliest)
		arrive = earliest.Add(time.Duration(r.Int64N(int64(span)*8/10 + 1)))
		if !s.cal.IsWorkingAt(arrive) {
			arrive = s.work(arrive, time.Minute)
			if arrive.After(due) {
				arrive = earliest
			}
		}
	}
	arrive = arrive.Truncate(time.Millisecond)
	apptAt := arrive.Add(-time.Duration(r.IntN(60)) * time.Minute).Truncate(30 * time.Minute)
	apptUntil := apptAt.Add(2 * time.Hour)
	if late {
		apptUntil = apptAt.Add(30 * time.Minute)
		arrive = apptUntil.Add(time.Duration(20+r.IntN(120)) * time.Minute)
	}
	if !s.step(from, v, "appointment", "已预约上门："+apptAt.In(s.g.loc).Format("01-02 15:04"), func() {
		w.AppointmentAt, w.AppointmentUntil, w.AppointmentSetAt, w.ArrivalDueAt, w.Status = &apptAt, &apptUntil, &from, &apptUntil, workorder.StatusScheduled
	}) {
		return "", time.Time{}, false
	}
	if !s.step(arrive, v, "check_in", "技师已到达现场", func() {
		onTime := !arrive.After(apptUntil)
		w.ArrivedAt, w.ArrivalOnTime, w.Status = &arrive, &onTime, workorder.StatusOnSite
		s.sla(sla.Event{At: arrive, Kind: sla.KindMet, Target: sla.TargetOnsiteArrival, Actor: tkActorTechnician})
	}) {
		return "", time.Time{}, false
	}
	done := arrive.Add(time.Duration(30+r.IntN(120)) * time.Minute)
	if !s.step(done, v, "complete", "工单已完工："+result, func() {
		repeat := done.Add(workorder.FirstTimeFixWindow)
		w.CompletedAt, w.Result, w.RepeatUntil, w.Status = &done, result, &repeat, workorder.StatusCompleted
		w.ResultNotes = tkResultNotes[result][r.IntN(len(tkResultNotes[result]))]
	}) {
		return "", time.Time{}, false
	}
	if r.IntN(100) < 92 {
		signed := done.Add(time.Duration(1+r.IntN(10)) * time.Minute)
		s.step(signed, v, "sign_off", "客户已签字确认", func() {
			w.SignedOffAt, w.SignedBy, w.Status = &signed, "客户本人", workorder.StatusSignedOff
		})
	}
	return result, done, true
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

var tkResultNotes = map[string][]string{
	workorder.ResultDone:          {"更换启动电容，试机正常", "清洗滤网及蒸发器", "更换排水泵", "重新加注冷媒", "更换主板", "安装调试完成，已讲解使用", "紧固管路接头", "更换门封条"},
	workorder.ResultNoFault:       {"现场检测无故障，已指导客户使用", "电源插座接触不良，非产品故障"},
	workorder.ResultPartsRequired: {"需更换压缩机，已申请备件", "主板故障，待备件到货", "电机损坏，已下备件订单"},
	workorder.ResultNotFixed:      {"故障间歇出现，未能复现", "需返厂检测"},
}

// ---- the year

var (
	tkTypes = []struct {
		typ string
		w   int
	}{{ticket.TypeRepair, 42}, {ticket.TypeInstallation, 20}, {ticket.TypeConsultation, 20}, {ticket.TypeComplaint, 5},
		{ticket.TypeReturnExchange, 5}, {ticket.TypeRecall, 3}, {ticket.TypeOther, 5}}
	tkChannels = []struct {
		ch string
		w  int
	}{{ticket.ChannelPhone, 58}, {ticket.ChannelWeChat, 16}, {ticket.ChannelOnline, 12}, {ticket.ChannelWeb, 8}, {ticket.ChannelWalkIn, 6}}
	tkPriorities = []struct {
		p string
		w int
	}{{ticket.PriorityNormal, 72}, {ticket.PriorityHigh, 14}, {ticket.PriorityLow, 10}, {ticket.PriorityUrgent, 4}}
	tkDescriptions = map[string][]string{
		ticket.TypeRepair:         {"空调不制冷", "空调室外机噪音大", "冰箱冷藏室不制冷", "洗衣机不脱水", "洗衣机漏水", "热水器不出热水", "油烟机吸力变小", "电视机无信号", "空调显示E1故障码", "冰箱结霜严重"},
		ticket.TypeInstallation:   {"新购空调预约安装", "热水器安装", "油烟机安装", "洗衣机上门安装调试", "嵌入式冰箱安装"},
		ticket.TypeConsultation:   {"咨询保修期限", "咨询遥控器使用方法", "咨询清洗服务价格", "咨询发票开具", "咨询延保服务", "咨询安装收费标准"},
		ticket.TypeComplaint:      {"投诉上门迟到", "投诉维修后再次故障", "投诉安装师傅乱收费", "投诉服务态度差"},
		ticket.TypeReturnExchange: {"七日内申请退货", "十五日内质量问题换货", "外包装破损申请换货"},
		ticket.TypeRecall:         {"召回批次主板更换预约", "召回：电源线组件更换"},
		ticket.TypeOther:          {"预约年度保养", "以旧换新回收旧机", "申请上门检测"},
	}
	tkFaults = []string{"E1", "E2", "E4", "F3", "P1", "H6", "U4", "LEAK", "NOISE", "NOCOOL", "NOHEAT", "DRAIN", "BOARD"}
	tkTeams  = []string{"热线一组", "热线二组", "热线三组"}
)

func tkPickW[T any](r *rand.Rand, xs []T, w func(T) int) T {
	total := 0
	for _, x := range xs {
		total += w(x)
	}
	n := r.IntN(total)
	for _, x := range xs {
		if n -= w(x); n < 0 {
			return x
		}
	}
	return xs[len(xs)-1]
}

// tkKind is the work a ticket type needs ("" for none).
func tkKind(r *rand.Rand, typ string) string {
	switch typ {
	case ticket.TypeRepair:
		if r.IntN(100) < 6 {
			return workorder.KindInspection
		}
		return workorder.KindRepair
	case ticket.TypeInstallation:
		if r.IntN(100) < 25 {
			return workorder.KindDelivery
		}
		return workorder.KindInstallation
	case ticket.TypeReturnExchange:
		return workorder.KindDelivery
	case ticket.TypeRecall:
		return workorder.KindRecallRemedy
	case ticket.TypeComplaint:
		if r.IntN(100) < 35 {
			return workorder.KindInspection
		}
	case ticket.TypeOther:
		if r.IntN(100) < 60 {
			return workorder.KindMaintenance
		}
	}
	return ""
}

// dayWeight shapes the volume: air-conditioning summer, Spring Festival
// dip, quieter Sundays.
func (g *ticketGen) dayWeight(day time.Time) float64 {
	w := 1.0
	switch day.Month() {
	case time.June, time.July, time.August:
		w = 1.45
	case time.May, time.September:
		w = 1.15
	case time.January, time.February:
		w = 0.8
	}
	if day.Weekday() == time.Sunday {
		w *= 0.8
	}
	md := day.Month()*100 + time.Month(day.Day())
	if md >= 215 && md <= 223 {
		w *= 0.35
	}
	return w
}

// simulate plans the year's tickets in order of creation and plays each.
func (g *ticketGen) simulate(ctx context.Context) {
	r := g.r
	type plan struct{ at time.Time }
	var plans []plan
	end := g.now.In(g.loc)
	days := g.d.Days
	if days <= 0 {
		days = DemoTicketDays
	}
	first := time.Date(end.Year(), end.Month(), end.Day(), 0, 0, 0, 0, g.loc).AddDate(0, 0, -days)
	for day := first; !day.After(end); day = day.AddDate(0, 0, 1) {
		n := int(math.Round(demoTicketsPerDay * g.dayWeight(day) * (0.85 + 0.3*r.Float64())))
		for range n {
			// 7:30–22:00 mostly, a few at night (online channels).
			minute := 450 + r.IntN(870)
			if r.IntN(100) < 4 {
				minute = r.IntN(1440)
			}
			at := day.Add(time.Duration(minute)*time.Minute + time.Duration(r.IntN(60))*time.Second).UTC()
			if at.Before(g.now.Add(-2 * time.Hour)) {
				plans = append(plans, plan{at: at})
			}
		}
	}
	slices.SortFunc(plans, func(a, b plan) int { return a.at.Compare(b.at) })
	for _, p := range plans {
		if ctx.Err() != nil {
			return
		}
		c := g.customers[r.IntN(len(g.customers))]
		g.play(p.at, c, "", nil)
	}
	g.live()
}

// ticketNumber gives the next number of at's local day.
func (g *ticketGen) ticketNumber(at time.Time) string {
	day := at.In(g.loc).Format("20060102")
	g.seq["T"+day]++
	return fmt.Sprintf("T%s-%06d", day, g.seq["T"+day])
}

// forced shapes a live ticket for outlet 1's board.
type forced struct {
	state       string // offer, scheduled, overdue, done_today
	appointment time.Time
}

// play simulates one ticket created at at.
func (g *ticketGen) play(at time.Time, c tkCustomer, typ string, f *forced) {
	r := g.r
	at = at.UTC().Truncate(time.Millisecond)
	if typ == "" {
		typ = tkPickW(r, tkTypes, func(x struct {
			typ string
			w   int
		}) int {
			return x.w
		}).typ
	}
	var unit *tkUnit
	var owned []tkUnit
	for _, u := range c.units {
		if !u.since.After(at) {
			owned = append(owned, u)
		}
	}
	if typ != ticket.TypeConsultation || r.IntN(100) < 40 {
		if len(owned) > 0 {
			u := owned[r.IntN(len(owned))]
			unit = &u
		} else if typ != ticket.TypeConsultation && typ != ticket.TypeComplaint {
			typ = ticket.TypeConsultation
		}
	}
	channel := tkPickW(r, tkChannels, func(x struct {
		ch string
		w  int
	}) int {
		return x.w
	}).ch
	prio := tkPickW(r, tkPriorities, func(x struct {
		p string
		w int
	}) int {
		return x.w
	}).p
	if f != nil {
		channel, prio = ticket.ChannelPhone, ticket.PriorityNormal
	}
	// Deliveries, installations and recalls are booked, not rushed.
	if (typ == ticket.TypeInstallation || typ == ticket.TypeRecall || typ == ticket.TypeReturnExchange) &&
		(prio == ticket.PriorityHigh || prio == ticket.PriorityUrgent) {
		prio = ticket.PriorityNormal
	}
	g.nextTicket++
	s := &tkSim{g: g}
	s.t.ID, s.t.Number = g.nextTicket, g.ticketNumber(at)
	descs := tkDescriptions[typ]
	s.create(at, channel, typ, prio, c, unit, descs[r.IntN(len(descs))])
	if typ == ticket.TypeRepair {
		s.t.FaultCode = tkFaults[r.IntN(len(tkFaults))]
	}
	defer g.finish(s)

	// The hotline: phone calls are assigned at once; other channels wait
	// for an agent (now and then past the first-response target).
	if channel == ticket.ChannelPhone || channel == ticket.ChannelWalkIn {
		if !s.assign(at, tkTeams[r.IntN(len(tkTeams))]) {
			return
		}
	}
	respond := s.work(at, time.Duration(2+r.IntN(25))*time.Minute)
	if f != nil {
		respond = at
	} else if fr := s.policy.Targets[sla.TargetFirstResponse]; fr > 0 && r.IntN(1000) < 25 {
		respond = s.work(at, fr+time.Duration(5+r.IntN(90))*time.Minute)
	}
	if !s.move(respond, ticket.StatusInProgress, tkActorAgent, "") {
		return
	}
	kind := tkKind(r, typ)
	if f != nil {
		kind = workorder.KindRepair
	}
	resolvedAt := respond
	if kind == "" {
		resolvedAt = s.work(respond, time.Duration(10+r.IntN(240))*time.Minute)
		if res := s.policy.Targets[sla.TargetResolution]; res > 0 && r.IntN(100) < 2 {
			resolvedAt = s.work(at, res+time.Duration(30+r.IntN(600))*time.Minute)
		}
		if !s.move(resolvedAt, ticket.StatusResolved, tkActorAgent, "") {
			return
		}
	} else {
		var ok bool
		if resolvedAt, ok = g.fieldWork(s, respond, kind, c, f); !ok {
			return
		}
	}
	closeAt := resolvedAt.Add(time.Duration(2+r.IntN(70)) * time.Hour)
	if !s.move(closeAt, ticket.StatusClosed, tkActorAgent, "") {
		return
	}
	// A few come back: the customer is not satisfied at the follow-up call.
	if r.IntN(100) < 3 {
		again := closeAt.Add(time.Duration(24+r.IntN(240)) * time.Hour)
		if !s.move(again, ticket.StatusInProgress, tkActorAgent, "回访客户不满意，重新处理") {
			return
		}
		res := s.work(again, time.Duration(60+r.IntN(1200))*time.Minute)
		if !s.move(res, ticket.StatusResolved, tkActorAgent, "") {
			return
		}
		s.move(res.Add(time.Duration(4+r.IntN(40))*time.Hour), ticket.StatusClosed, tkActorAgent, "")
	}
}

// fieldWork dispatches and plays the work orders of a ticket and returns
// when the ticket was resolved.
func (g *ticketGen) fieldWork(s *tkSim, from time.Time, kind string, c tkCustomer, f *forced) (time.Time, bool) {
	r := g.r
	var category uint64
	if s.t.CategoryID != nil {
		category = *s.t.CategoryID
	}
	cands := g.candidates(c.region, category)
	if f != nil {
		for i := range cands {
			if cands[i].outlet.id == 1 {
				cands = append([]tkCandidate{cands[i]}, slices.Delete(slices.Clone(cands), i, i+1)...)
				break
			}
		}
	}
	pickFirst := func(exclude []uint64) *tkCandidate {
		for i := range cands {
			if !slices.Contains(exclude, cands[i].outlet.id) {
				// Among the equally specific, the load decides: spread them.
				best := []int{i}
				for j := i + 1; j < len(cands) && cands[j].level == cands[i].level && f == nil; j++ {
					if !slices.Contains(exclude, cands[j].outlet.id) {
						best = append(best, j)
					}
				}
				return &cands[best[r.IntN(len(best))]]
			}
		}
		return nil
	}
	dispatchAt := s.work(from, time.Duration(3+r.IntN(20))*time.Minute)
	if f != nil {
		dispatchAt = from
	}
	visits := 0
	for {
		visits++
		cand := pickFirst(nil)
		v := s.dispatch(dispatchAt, kind, cand)
		if v == nil {
			return time.Time{}, false
		}
		if f != nil && f.state == "offer" {
			return time.Time{}, false // waits for outlet 1
		}
		var tried []uint64
		at := dispatchAt
		for v.w.Status == workorder.StatusOffered {
			tried = append(tried, *v.w.OutletID)
			roll := r.IntN(100)
			// Outlets refuse when another can take it (most regions have
			// several candidates); the last one left takes it.
			if f != nil || len(tried) >= 3 || pickFirst(tried) == nil {
				roll = 0
			}
			switch {
			case roll < 90:
				answer := s.work(at, time.Duration(1+r.IntN(int(float64(v.kp.AcceptMinutes)*0.8)+1))*time.Minute)
				if r.IntN(1000) < 15 && f == nil {
					answer = s.work(at, time.Duration(v.kp.AcceptMinutes+5+r.IntN(40))*time.Minute)
				}
				if !s.accept(answer, v) {
					return time.Time{}, false
				}
				at = answer
			case roll < 96:
				answer := s.work(at, time.Duration(2+r.IntN(20))*time.Minute)
				reason := []string{"技师已满负荷", "不在服务范围内", "该品类无备件", "暂停接单（人员培训）"}[r.IntN(4)]
				if !s.refuse(answer, v, reason, pickFirst(tried)) {
					return time.Time{}, false
				}
				at = answer
			default:
				at = *v.w.OfferExpiresAt
				if !s.refuse(at, v, "", pickFirst(tried)) {
					return time.Time{}, false
				}
			}
		}
		if v.w.Status == workorder.StatusUnassigned {
			// Nobody can take it: the agent cancels the work order (its
			// dispatch clocks stop) and solves it by phone.
			res := s.work(at, time.Duration(30+r.IntN(300))*time.Minute)
			if !s.cancel(res, v, "无可派网点，改为电话远程指导") {
				return time.Time{}, false
			}
			return res, s.move(res, ticket.StatusResolved, tkActorAgent, "电话远程指导解决")
		}
		if f != nil {
			return g.forcedVisit(s, v, f)
		}
		result := workorder.ResultDone
		switch roll := r.IntN(100); {
		case visits > 1:
		case roll < 7:
			result = workorder.ResultPartsRequired
		case roll < 10:
			result = workorder.ResultNotFixed
		case roll < 15:
			result = workorder.ResultNoFault
		}
		late := r.IntN(1000) < 25
		res, done, ok := s.visit(at, v, late, r.IntN(100) < 4, result)
		if !ok {
			return time.Time{}, false
		}
		switch res {
		case workorder.ResultDone, workorder.ResultNoFault:
			return done, s.move(done, ticket.StatusResolved, tkActorTechnician, "")
		case workorder.ResultPartsRequired:
			if !s.move(done, ticket.StatusWaitingParts, tkActorTechnician, "") {
				return time.Time{}, false
			}
			arrived := done.Add(time.Duration(24+r.IntN(96)) * time.Hour)
			if !s.move(arrived, ticket.StatusInProgress, tkActorAgent, "备件已到货") {
				return time.Time{}, false
			}
			dispatchAt = arrived
		default:
			dispatchAt = s.work(done, time.Duration(60+r.IntN(300))*time.Minute)
		}
	}
}

// forcedVisit shapes an accepted work order of outlet 1 around now.
func (g *ticketGen) forcedVisit(s *tkSim, v *tkVisit, f *forced) (time.Time, bool) {
	w := v.w
	at := w.AcceptedAt.Add(20 * time.Minute)
	o := g.byID[1]
	if len(o.techs) > 0 {
		s.step(at, v, "assign", "已指派技师", func() {
			tech := o.techs[0]
			w.TechnicianStaffID, w.TechnicianAssignedAt, w.Status = &tech, &at, workorder.StatusAssigned
		})
	}
	s.step(at, v, "contact", "网点已联系客户", func() {
		w.ContactedAt = &at
		s.sla(sla.Event{At: at, Kind: sla.KindMet, Target: sla.TargetCustomerContact, Actor: tkActorOutlet})
	})
	appt, until := f.appointment, f.appointment.Add(2*time.Hour)
	s.step(at, v, "appointment", "已预约上门："+appt.In(g.loc).Format("01-02 15:04"), func() {
		w.AppointmentAt, w.AppointmentUntil, w.AppointmentSetAt, w.ArrivalDueAt, w.Status = &appt, &until, &at, &until, workorder.StatusScheduled
	})
	if f.state != "done_today" {
		return time.Time{}, false
	}
	arrive := appt.Add(40 * time.Minute)
	s.step(arrive, v, "check_in", "技师已到达现场", func() {
		onTime := true
		w.ArrivedAt, w.ArrivalOnTime, w.Status = &arrive, &onTime, workorder.StatusOnSite
		s.sla(sla.Event{At: arrive, Kind: sla.KindMet, Target: sla.TargetOnsiteArrival, Actor: tkActorTechnician})
	})
	done := arrive.Add(50 * time.Minute)
	s.step(done, v, "complete", "工单已完工", func() {
		repeat := done.Add(workorder.FirstTimeFixWindow)
		w.CompletedAt, w.Result, w.RepeatUntil, w.Status, w.ResultNotes = &done, workorder.ResultDone, &repeat, workorder.StatusCompleted, "更换启动电容，试机正常"
	})
	return done, s.move(done, ticket.StatusResolved, tkActorTechnician, "")
}

// live adds outlet 1's current work: offers waiting, appointments today
// (one done, one to come) and an arrival overdue.
func (g *ticketGen) live() {
	if g.byID[1] == nil || len(g.outlet1) == 0 {
		return
	}
	r := g.r
	pick := func() tkCustomer {
		for range 50 {
			c := g.customers[g.outlet1[r.IntN(len(g.outlet1))]]
			for _, u := range c.units {
				if g.byID[1].categories[u.category] && !u.since.After(g.now) {
					return c
				}
			}
		}
		return g.customers[g.outlet1[0]]
	}
	for i := range tkLiveOffers {
		g.play(g.now.Add(-time.Duration(6+i*5)*time.Minute), pick(), ticket.TypeRepair, &forced{state: "offer"})
	}
	yesterday := g.now.Add(-20 * time.Hour)
	g.play(yesterday, pick(), ticket.TypeRepair, &forced{state: "done_today", appointment: g.now.Add(-5 * time.Hour)})
	g.play(yesterday.Add(time.Hour), pick(), ticket.TypeRepair, &forced{state: "scheduled", appointment: g.now.Add(90 * time.Minute)})
	g.play(yesterday.Add(2*time.Hour), pick(), ticket.TypeInstallation, &forced{state: "overdue", appointment: g.now.Add(-4 * time.Hour)})
}

// finish freezes the ticket as of now and queues its rows.
func (g *ticketGen) finish(s *tkSim) {
	t := s.t
	t.SLACheckedAt = g.now
	ticket.Summarise(&t, sla.Evaluate(s.log, s.cal, g.now))
	if t.UpdatedAt.Before(t.CreatedAt) {
		t.UpdatedAt = t.CreatedAt
	}
	g.tickets = append(g.tickets, t)
	for _, e := range s.log {
		g.slaLog = append(g.slaLog, sla.Row(t.ID, e))
	}
	if s.frozen != nil { // kept after a reopen, as the service keeps it
		g.results = append(g.results, sla.ResultRow{TicketID: t.ID, ClosedAt: s.frozen.ClosedAt, Result: tkJSON(s.frozen), UpdatedAt: s.frozen.ClosedAt})
	}
	for _, w := range s.wos {
		if w.UpdatedAt.Before(w.CreatedAt) {
			w.UpdatedAt = w.CreatedAt
		}
		g.wos = append(g.wos, *w)
	}
}

// insert writes everything in batches, ids explicit, and moves the number
// counters past the seeded numbers.
func (g *ticketGen) insert(ctx context.Context) error {
	db := g.d.DB.WithContext(ctx)
	return db.Transaction(func(tx *gorm.DB) error {
		if err := tx.CreateInBatches(g.tickets, rowsPerStatement(tx, 34)).Error; err != nil {
			return fmt.Errorf("insert tickets: %w", err)
		}
		if err := tx.CreateInBatches(g.events, rowsPerStatement(tx, 8)).Error; err != nil {
			return fmt.Errorf("insert ticket events: %w", err)
		}
		if err := tx.CreateInBatches(g.slaLog, rowsPerStatement(tx, 11)).Error; err != nil {
			return fmt.Errorf("insert sla events: %w", err)
		}
		if err := tx.CreateInBatches(g.results, rowsPerStatement(tx, 4)).Error; err != nil {
			return fmt.Errorf("insert sla results: %w", err)
		}
		if err := tx.CreateInBatches(g.wos, rowsPerStatement(tx, 41)).Error; err != nil {
			return fmt.Errorf("insert work orders: %w", err)
		}
		if err := tx.CreateInBatches(g.offers, rowsPerStatement(tx, 12)).Error; err != nil {
			return fmt.Errorf("insert offers: %w", err)
		}
		seqs := make([]ticket.NumberSequence, 0, len(g.seq))
		for name, v := range g.seq {
			seqs = append(seqs, ticket.NumberSequence{Name: name, Value: v})
		}
		slices.SortFunc(seqs, func(a, b ticket.NumberSequence) int { return strings.Compare(a.Name, b.Name) })
		if err := tx.CreateInBatches(seqs, rowsPerStatement(tx, 2)).Error; err != nil {
			return fmt.Errorf("insert number counters: %w", err)
		}
		return nil
	})
}

func tkJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "null"
	}
	return string(b)
}

// rowsPerStatement sizes multi-row INSERTs. The pure-Go SQLite driver binds
// parameters in time quadratic in their number per statement, so SQLite
// statements stay near 600 parameters; MySQL takes up to 1,000 rows.
func rowsPerStatement(db *gorm.DB, cols int) int {
	if db.Dialector.Name() == "mysql" {
		return max(1, min(1000, 60000/cols))
	}
	return max(1, 600/cols)
}
