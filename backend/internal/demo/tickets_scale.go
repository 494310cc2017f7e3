package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/sla"
	"github.com/aftersales/aftersales/backend/internal/ticket"
	"github.com/aftersales/aftersales/backend/internal/workorder"
)

// ScaleWorkOrderShare is the share of scale tickets that get a work order.
const ScaleWorkOrderShare = 0.4

// scaleChunk is how many tickets go in one transaction.
const scaleChunk = 10_000

// ScaleTickets tops the tickets up to n for benchmarks, spread over the last
// twelve months in order of creation (ids follow created_at), on the
// customers, units and outlets present (run it after their generators):
// realistic status, type, priority and channel mixes (most old tickets are
// closed; the last week's are still open), the customer's region and the
// unit's category, and for ScaleWorkOrderShare of them a work order with
// its offer at a covering outlet (some rejected first), in a status that
// fits the ticket's. Numbers continue the day counters.
//
// A closed ticket gets the SLA result frozen at its close (sla_results,
// computed by the SLA engine from its creation, first response, resolution
// and close on its policy's calendar) and its sla_breached flag is that
// result's; open tickets carry a random sla_breached summary (7 %).
// What it leaves out, to stay fast: the timeline (ticket_events) and the
// SLA event log (sla_events; sla_next_check_at stays empty so the SLA job
// does not scan the tickets) — the
// demo data set (SeedTickets) has those. Rows go through a db.Loader
// (LOAD DATA on MySQL, literal multi-row INSERTs on SQLite), 10,000
// tickets per load, the tables' non-unique indexes built after the load,
// without audit records (SeedScale records one audit event per step).
func ScaleTickets(ctx context.Context, d TicketDeps, n int) error {
	var have int64
	if err := d.DB.WithContext(ctx).Model(&ticket.Ticket{}).Count(&have).Error; err != nil {
		return fmt.Errorf("count tickets: %w", err)
	}
	if int(have) >= n {
		return nil
	}
	g, err := newScaleGen(ctx, d)
	if err != nil {
		return err
	}
	if len(g.units) == 0 && len(g.regions) == 0 {
		return fmt.Errorf("seed --scale tickets: no customers (generate customers and units first)")
	}
	return withLoader(ctx, d.DB, []string{"tickets", "work_orders", "work_order_offers"}, func(l *db.Loader) error {
		return g.run(ctx, l, n-int(have))
	})
}

type scaleUnit struct{ id, customer, category uint64 }

type scaleGen struct {
	d        TicketDeps
	r        *rand.Rand
	now      time.Time
	loc      *time.Location
	units    []scaleUnit
	regions  map[uint64]string
	cust     []uint64
	world    *ticketGen
	agentID  *uint64
	seq      map[string]uint64
	policies map[string]scaleRules
	// results are the frozen SLA results of the closed tickets of a chunk.
	results []sla.ResultRow

	nextTicket, nextWO, nextOffer uint64
}

func newScaleGen(ctx context.Context, d TicketDeps) (*scaleGen, error) {
	// The customers, units, outlet network and ids are read as for the demo.
	w, err := newTicketGen(ctx, d, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		return nil, err
	}
	if d.AcceptTimeout <= 0 {
		d.AcceptTimeout = 30 * time.Minute
	}
	g := &scaleGen{d: d, r: rand.New(rand.NewPCG(uint64(d.Now.Unix()/86400), 27922)), now: w.now, loc: w.loc, regions: map[uint64]string{},
		world: w, agentID: w.agentID, seq: map[string]uint64{}, policies: map[string]scaleRules{},
		nextTicket: w.nextTicket, nextWO: w.nextWO, nextOffer: w.nextOffer}
	for _, c := range w.customers {
		g.regions[c.id] = c.region
		g.cust = append(g.cust, c.id)
		for _, u := range c.units {
			g.units = append(g.units, scaleUnit{id: u.id, customer: c.id, category: u.category})
		}
	}
	var seqs []ticket.NumberSequence
	if err := d.DB.WithContext(ctx).Find(&seqs).Error; err != nil {
		return nil, fmt.Errorf("number counters: %w", err)
	}
	for _, s := range seqs {
		g.seq[s.Name] = s.Value
	}
	return g, nil
}

// policy is the policy a ticket would get (cached by criteria).
func (g *scaleGen) policy(ctx context.Context, typ, prio, region string) scaleRules {
	key := typ + "/" + prio + "/" + region
	if p, ok := g.policies[key]; ok {
		return p
	}
	p, cal, _, _ := g.d.SLA.Select(ctx, typ, prio, region)
	g.policies[key] = scaleRules{p, cal}
	return g.policies[key]
}

// scaleRules are the SLA policy and calendar a ticket gets.
type scaleRules struct {
	policy sla.Policy
	cal    *sla.Calendar
}

// freeze computes a closed ticket's SLA result as the ticket service
// freezes it at close: the clocks of the policy started at creation, the
// first response and the resolution met, stopped at close, evaluated on
// the policy's calendar. It returns whether a clock was breached.
func (g *scaleGen) freeze(id uint64, rules scaleRules, created, firstResponse, resolved, closed time.Time) bool {
	ms := func(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }
	log := rules.policy.Apply(ms(created), tkActorAgent, "")
	log = append(log,
		sla.Event{At: ms(created), Kind: sla.KindStarted, Target: sla.TargetFirstResponse, Actor: tkActorAgent},
		sla.Event{At: ms(created), Kind: sla.KindStarted, Target: sla.TargetResolution, Actor: tkActorAgent},
		sla.Event{At: ms(firstResponse), Kind: sla.KindMet, Target: sla.TargetFirstResponse, Actor: tkActorAgent},
		sla.Event{At: ms(resolved), Kind: sla.KindMet, Target: sla.TargetResolution, Actor: tkActorAgent},
		sla.Event{At: ms(closed), Kind: sla.KindStopped, Reason: "closed", Actor: tkActorAgent})
	states := sla.Evaluate(log, rules.cal, ms(closed))
	fr := sla.Freeze(states, ms(closed))
	g.results = append(g.results, sla.ResultRow{TicketID: id, ClosedAt: fr.ClosedAt, Result: tkJSON(fr), UpdatedAt: fr.ClosedAt})
	t := ticket.Ticket{SLACheckedAt: ms(closed)}
	ticket.Summarise(&t, states)
	return t.SLABreached
}

var (
	ticketCols = []string{"id", "number", "channel", "type", "priority", "priority_rank", "status", "customer_id", "unit_id", "category_id",
		"fault_code", "region_code", "description", "assignee_id", "team", "outlet_id", "distance_band", "merged_into_id", "reopen_count",
		"close_reason", "sla_policy", "sla_calendar", "sla_due_at", "sla_breached", "sla_next_check_at", "sla_checked_at",
		"first_response_at", "assigned_at", "resolved_at", "closed_at", "created_by", "version", "created_at", "updated_at"}
	woCols = []string{"id", "number", "ticket_id", "kind", "status", "outlet_id", "customer_id", "unit_id", "category_id", "region_code",
		"distance_band", "note", "offer_id", "attempts", "offered_at", "offer_expires_at", "accepted_at", "technician_staff_id",
		"technician_assigned_at", "appointment_at", "appointment_until", "appointment_set_at", "contacted_at", "arrived_at", "arrival_on_time",
		"completed_at", "result", "result_notes", "repeat_until", "signed_off_at", "signed_by", "cancelled_at", "cancel_reason",
		"contact_due_at", "arrival_due_at", "complete_due_at", "created_by", "version", "created_at", "updated_at"}
	offerCols = []string{"id", "work_order_id", "outlet_id", "attempt", "coverage_level", "offered_at", "expires_at", "response",
		"responded_at", "response_seconds", "reason", "responded_by"}
)

// bulkInsert writes rows with multi-row INSERTs (see rowsPerStatement).
func bulkInsert(tx *gorm.DB, table string, cols []string, rows [][]any) error {
	per := rowsPerStatement(tx, len(cols))
	head := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES "
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	for start := 0; start < len(rows); start += per {
		end := min(start+per, len(rows))
		var sb strings.Builder
		sb.WriteString(head)
		args := make([]any, 0, (end-start)*len(cols))
		for i := start; i < end; i++ {
			if i > start {
				sb.WriteString(", ")
			}
			sb.WriteString(one)
			args = append(args, rows[i]...)
		}
		if err := tx.Exec(sb.String(), args...).Error; err != nil {
			return fmt.Errorf("insert %s: %w", table, err)
		}
	}
	return nil
}

func (g *scaleGen) run(ctx context.Context, l *db.Loader, n int) error {
	r := g.r
	span := 365 * 24 * time.Hour
	startAt := g.now.Add(-span)
	step := span / time.Duration(n+1)
	at := startAt
	var tickets, wos, offers [][]any
	flush := func() error {
		err := l.Load(ctx, "tickets", ticketCols, tickets)
		if err == nil {
			err = l.Load(ctx, "work_orders", woCols, wos)
		}
		if err == nil {
			err = l.Load(ctx, "work_order_offers", offerCols, offers)
		}
		if err == nil {
			err = l.LoadModels(ctx, g.d.DB, g.results)
		}
		g.results = g.results[:0]
		tickets, wos, offers = tickets[:0], wos[:0], offers[:0]
		return err
	}
	for i := 0; i < n; i++ {
		// Evenly spread with jitter, so ids follow created_at.
		at = at.Add(step/2 + time.Duration(r.Int64N(int64(step)+1)))
		if at.After(g.now) {
			at = g.now.Add(-time.Second)
		}
		created := at.Truncate(time.Millisecond)
		t, w, o := g.ticket(ctx, created)
		tickets = append(tickets, t)
		if w != nil {
			wos = append(wos, w)
			offers = append(offers, o...)
		}
		if len(tickets) >= scaleChunk {
			if err := flush(); err != nil {
				return err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
	if len(tickets) > 0 {
		if err := flush(); err != nil {
			return err
		}
	}
	// Move the day counters past the numbers used.
	return g.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		names := make([]string, 0, len(g.seq))
		rows := make([][]any, 0, len(g.seq))
		for name, v := range g.seq {
			names = append(names, name)
			rows = append(rows, []any{name, v})
		}
		for start := 0; start < len(names); start += 500 {
			if err := tx.Where("name IN ?", names[start:min(start+500, len(names))]).Delete(&ticket.NumberSequence{}).Error; err != nil {
				return err
			}
		}
		return bulkInsert(tx, "number_sequences", []string{"name", "value"}, rows)
	})
}

// ticket generates one ticket (and maybe its work order and offers) as
// rows in column order.
func (g *scaleGen) ticket(ctx context.Context, created time.Time) ([]any, []any, [][]any) {
	r := g.r
	g.nextTicket++
	id := g.nextTicket
	day := created.In(g.loc).Format("20060102")
	g.seq["T"+day]++
	number := fmt.Sprintf("T%s-%06d", day, g.seq["T"+day])

	var customerID uint64
	var unitID, categoryID *uint64
	typ := tkPickW(r, tkTypes, func(x struct {
		typ string
		w   int
	}) int {
		return x.w
	}).typ
	if len(g.units) > 0 && (typ != ticket.TypeConsultation || r.IntN(100) < 40) {
		u := g.units[r.IntN(len(g.units))]
		customerID, unitID, categoryID = u.customer, &u.id, &u.category
	} else {
		customerID = g.cust[r.IntN(len(g.cust))]
		if typ != ticket.TypeComplaint {
			typ = ticket.TypeConsultation
		}
	}
	region := g.regions[customerID]
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
	rules := g.policy(ctx, typ, prio, region)
	pol := rules.policy
	descs := tkDescriptions[typ]

	// Status by age: the last week is still being worked on.
	age := g.now.Sub(created)
	status := ticket.StatusClosed
	roll := r.IntN(1000)
	switch {
	case age < 4*time.Hour:
		status = []string{ticket.StatusNew, ticket.StatusAssigned, ticket.StatusInProgress}[r.IntN(3)]
	case age < 7*24*time.Hour:
		status = []string{ticket.StatusAssigned, ticket.StatusInProgress, ticket.StatusInProgress, ticket.StatusWaitingCustomer,
			ticket.StatusWaitingParts, ticket.StatusResolved, ticket.StatusClosed, ticket.StatusClosed}[r.IntN(8)]
	case roll < 15:
		status = ticket.StatusInProgress
	case roll < 20:
		status = ticket.StatusWaitingParts
	case roll < 35:
		status = ticket.StatusResolved
	}
	minute := func(a, b int) time.Duration { return time.Duration(a+r.IntN(b-a+1)) * time.Minute }
	var firstResponse, assigned, resolved, closed *time.Time
	fr := created
	if channel != ticket.ChannelPhone && channel != ticket.ChannelWalkIn {
		fr = created.Add(minute(2, 50))
	}
	if status != ticket.StatusNew {
		firstResponse, assigned = &fr, &fr
	}
	res := created.Add(minute(120, 4*24*60))
	if status == ticket.StatusResolved || status == ticket.StatusClosed {
		if res.After(g.now) {
			res = g.now.Add(-time.Minute)
		}
		resolved = &res
	}
	if status == ticket.StatusClosed {
		c := res.Add(minute(60, 3*24*60))
		if c.After(g.now) {
			c = g.now
		}
		closed = &c
	}
	updated := created
	for _, t := range []*time.Time{firstResponse, resolved, closed} {
		if t != nil && t.After(updated) {
			updated = *t
		}
	}
	var assignee any
	team := ""
	if status != ticket.StatusNew && g.agentID != nil {
		assignee, team = *g.agentID, tkTeams[r.IntN(len(tkTeams))]
	}
	reopen, closeReason := 0, ""
	if closed != nil {
		closeReason = "resolved"
		if r.IntN(100) < 3 {
			reopen = 1
		}
	}
	breached := r.IntN(100) < 7
	if closed != nil && rules.cal != nil {
		// A closed ticket carries the result frozen at its close, and its
		// breach flag is that result's.
		breached = g.freeze(id, rules, created, fr, *resolved, *closed)
	}

	// A work order for 40 % (field work types, their outlet covering the region).
	var outletID, band any
	var wo []any
	var offers [][]any
	if kind := tkKind(r, typ); kind != "" && r.Float64() < ScaleWorkOrderShare/0.75 && status != ticket.StatusNew {
		var category uint64
		if categoryID != nil {
			category = *categoryID
		}
		cands := g.world.candidates(region, category)
		if len(cands) > 0 {
			wo, offers, outletID, band = g.workOrder(id, kind, status, customerID, unitID, categoryID, region, cands, fr, resolved)
		}
	}
	row := []any{id, number, channel, typ, prio, ticket.PriorityRank(prio), status, customerID, unitID, categoryID,
		tkFault(r, typ), region, descs[r.IntN(len(descs))], assignee, team, outletID, orEmpty(band), nil, reopen,
		closeReason, pol.ID, pol.CalendarID, nil, breached, nil, created,
		firstResponse, assigned, resolved, closed, orZero(g.agentID), 1, created, updated}
	return row, wo, offers
}

func tkFault(r *rand.Rand, typ string) string {
	if typ != ticket.TypeRepair {
		return ""
	}
	return tkFaults[r.IntN(len(tkFaults))]
}

func orEmpty(v any) any {
	if v == nil {
		return ""
	}
	return v
}

func orZero(p *uint64) uint64 {
	if p == nil {
		return 0
	}
	return *p
}

// workOrder generates a ticket's work order and offers, in a status that
// fits the ticket's.
func (g *scaleGen) workOrder(ticketID uint64, kind, status string, customerID uint64, unitID, categoryID *uint64, region string,
	cands []tkCandidate, from time.Time, resolved *time.Time) ([]any, [][]any, any, any) {
	r := g.r
	g.nextWO++
	id := g.nextWO
	offered := from.Add(time.Duration(3+r.IntN(20)) * time.Minute)
	day := offered.In(g.loc).Format("20060102")
	g.seq["WO"+day]++
	number := fmt.Sprintf("WO%s-%06d", day, g.seq["WO"+day])
	best := cands[0].level
	var pool []tkCandidate
	for _, c := range cands {
		if c.level == best {
			pool = append(pool, c)
		}
	}
	var offers [][]any
	attempt := 0
	at := offered
	var chosen tkCandidate
	// One in ten is rejected first by another outlet.
	if r.IntN(100) < 10 && len(cands) > 1 {
		first := pool[r.IntN(len(pool))]
		g.nextOffer++
		attempt++
		answer := at.Add(time.Duration(2+r.IntN(20)) * time.Minute)
		secs := int64(answer.Sub(at) / time.Second)
		offers = append(offers, []any{g.nextOffer, id, first.outlet.id, attempt, first.level, at, at.Add(g.d.AcceptTimeout), workorder.ResponseRejected,
			answer, secs, "技师已满负荷", tkActorOutlet})
		at = answer
		for _, c := range cands {
			if c.outlet.id != first.outlet.id {
				chosen = c
				break
			}
		}
	} else {
		chosen = pool[r.IntN(len(pool))]
	}
	g.nextOffer++
	attempt++
	offerID := g.nextOffer
	oid := chosen.outlet.id
	bandV := string(tkBand(chosen.level))
	kp := g.world.kinds[kind]
	expires := at.Add(g.d.AcceptTimeout)
	woStatus := workorder.StatusSignedOff
	switch status {
	case ticket.StatusAssigned:
		woStatus = workorder.StatusOffered
	case ticket.StatusInProgress, ticket.StatusWaitingCustomer:
		woStatus = []string{workorder.StatusOffered, workorder.StatusAccepted, workorder.StatusAssigned, workorder.StatusScheduled, workorder.StatusOnSite}[r.IntN(5)]
	case ticket.StatusWaitingParts:
		woStatus = workorder.StatusCompleted
	}
	if woStatus == workorder.StatusOffered && at.Before(g.now.Add(-g.d.AcceptTimeout)) {
		woStatus = workorder.StatusAccepted // an old offer would have timed out: call it accepted
	}
	var accepted, tech, techAt, appt, apptUntil, apptSet, contacted, arrived, onTime, completed, repeat, signed any
	result, notes, signedBy := "", "", ""
	var offerResp any = workorder.ResponsePending
	var respAt, respSecs any
	var offerExp any = expires
	arrivalDue := at.Add(time.Duration(kp.ArrivalCityMinutes) * time.Minute * 2)
	if woStatus != workorder.StatusOffered {
		acc := at.Add(time.Duration(1+r.IntN(25)) * time.Minute)
		accepted, offerResp, respAt, respSecs, offerExp = acc, workorder.ResponseAccepted, acc, int64(acc.Sub(at)/time.Second), nil
		if techs := chosen.outlet.techs; len(techs) > 0 {
			tech, techAt = techs[r.IntN(len(techs))], acc.Add(30*time.Minute)
		}
		c := acc.Add(time.Duration(10+r.IntN(80)) * time.Minute)
		contacted = c
		ap := acc.Add(time.Duration(3+r.IntN(30)) * time.Hour).Truncate(30 * time.Minute)
		appt, apptUntil, apptSet = ap, ap.Add(2*time.Hour), c
		arrivalDue = ap.Add(2 * time.Hour)
		if woStatus == workorder.StatusOnSite || woStatus == workorder.StatusCompleted || woStatus == workorder.StatusSignedOff {
			late := r.IntN(100) < 8
			ar := ap.Add(time.Duration(r.IntN(110)) * time.Minute)
			if late {
				ar = ap.Add(time.Duration(130+r.IntN(200)) * time.Minute)
			}
			arrived, onTime = ar, !late
			if woStatus != workorder.StatusOnSite {
				done := ar.Add(time.Duration(30+r.IntN(120)) * time.Minute)
				if resolved != nil && done.After(*resolved) {
					done = *resolved
				}
				completed, repeat = done, done.Add(workorder.FirstTimeFixWindow)
				result = workorder.ResultDone
				if status == ticket.StatusWaitingParts {
					result = workorder.ResultPartsRequired
				} else if r.IntN(100) < 5 {
					result = workorder.ResultNoFault
				}
				notes = tkResultNotes[result][r.IntN(len(tkResultNotes[result]))]
				if woStatus == workorder.StatusSignedOff {
					signed, signedBy = done.Add(5*time.Minute), "客户本人"
				}
			}
		}
	}
	offers = append(offers, []any{offerID, id, oid, attempt, chosen.level, at, expires, offerResp, respAt, respSecs, "", respondedBy(offerResp)})
	var expiresCol any = offerExp
	if woStatus != workorder.StatusOffered {
		expiresCol = nil
	}
	updated := at
	for _, t := range []any{accepted, contacted, arrived, completed, signed} {
		if tt, ok := t.(time.Time); ok && tt.After(updated) {
			updated = tt
		}
	}
	row := []any{id, number, ticketID, kind, woStatus, oid, customerID, unitID, categoryID, region,
		bandV, "", offerID, attempt, at, expiresCol, accepted, tech,
		techAt, appt, apptUntil, apptSet, contacted, arrived, onTime,
		completed, result, notes, repeat, signed, signedBy, nil, "",
		nil, arrivalDue, nil, orZero(g.agentID), 1, offered, updated}
	return row, offers, oid, bandV
}

func respondedBy(resp any) string {
	if resp == workorder.ResponseAccepted {
		return tkActorOutlet
	}
	return ""
}
