package survey

import (
	"context"
	"fmt"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
)

// tallies are the raw counts behind a KPI; tallies of adjacent periods add up.
type tallies struct {
	inv  map[string]*invTally // by channel
	resp respTally
	fu   fuTally
}

type invTally struct{ Sent, Answered, Unreachable, Refused, Expired, Pending int64 }

type respTally struct {
	Responses, CsatN, CsatSum, Satisfied, NpsN, Promoters, Detractors, AgentN, AgentSum, TechN, TechSum, Dissatisfied int64
}

type fuTally struct {
	Total, Answered, Unreachable, Refused, Cancelled, Open, OpenOverdue, Within, Attempts int64
	CB, CBDone, CBLate                                                                    int64
}

func newTallies() *tallies { return &tallies{inv: map[string]*invTally{}} }

func (t *tallies) channel(ch string) *invTally {
	c := t.inv[ch]
	if c == nil {
		c = &invTally{}
		t.inv[ch] = c
	}
	return c
}

// KPI computes the figures of [from, to). Whole hours are read from the
// hourly rollups (8,760 rows a year), the partial hours at either end and the
// rows still open (pending links, 回访 still due) from the tables; the three
// parts run side by side. An outlet user gets the figures of their outlet's
// tickets, computed from the rows (rollups are enterprise-wide). Errors:
// validation (to not after from).
func (s *Service) KPI(ctx context.Context, from, to time.Time) (KPI, error) {
	if !to.After(from) {
		return KPI{}, apperr.FieldErr("to", apperr.Code("before_from", "must be after from"))
	}
	// Microseconds at most: the MySQL driver sends a time parameter with
	// nanoseconds as a 9-digit fraction, which MariaDB does not compare
	// through the index (a full index scan instead of a range).
	from, to = from.UTC().Truncate(time.Microsecond), to.UTC().Truncate(time.Microsecond)
	if _, scoped := actor.From(ctx).OutletScoped(); scoped {
		return s.KPIExact(ctx, from, to)
	}
	h1 := from.Truncate(time.Hour)
	if h1.Before(from) {
		h1 = h1.Add(time.Hour)
	}
	h2 := to.Truncate(time.Hour)
	if !h2.After(h1) {
		return s.KPIExact(ctx, from, to)
	}
	t := newTallies()
	var mu sync.Mutex
	// One job per table (three connections): the edge hours from the rows,
	// then the whole hours from the rollup.
	edges := func(x *tallies, base func(a, b time.Time, x *tallies) error) error {
		for _, r := range [][2]time.Time{{from, h1}, {h2, to}} {
			if r[1].After(r[0]) {
				if err := base(r[0], r[1], x); err != nil {
					return err
				}
			}
		}
		return nil
	}
	jobs := []func(*tallies) error{
		func(x *tallies) error {
			if err := edges(x, func(a, b time.Time, x *tallies) error { return s.baseInvitations(ctx, a, b, x) }); err != nil {
				return err
			}
			return s.rolledInvitations(ctx, h1, h2, x)
		},
		func(x *tallies) error {
			// Responses: the edges are scanned into their own tallies
			// because the scan overwrites the struct.
			for _, r := range [][2]time.Time{{from, h1}, {h2, to}} {
				if r[1].After(r[0]) {
					part := newTallies()
					if err := s.baseResponses(ctx, r[0], r[1], part); err != nil {
						return err
					}
					x.add(part)
				}
			}
			part := newTallies()
			if err := s.rolledResponses(ctx, h1, h2, part); err != nil {
				return err
			}
			x.add(part)
			return nil
		},
		func(x *tallies) error {
			if err := edges(x, func(a, b time.Time, x *tallies) error { return s.baseFollowups(ctx, a, b, x) }); err != nil {
				return err
			}
			return s.rolledFollowups(ctx, h1, h2, x)
		},
	}
	if err := runTallies(jobs, t, &mu); err != nil {
		return KPI{}, err
	}
	return t.kpi(from, to), nil
}

// KPIExact computes the figures of [from, to) from the rows alone, without
// the rollups: the reference the rollups are checked against, and what an
// outlet user's figures use.
func (s *Service) KPIExact(ctx context.Context, from, to time.Time) (KPI, error) {
	if !to.After(from) {
		return KPI{}, apperr.FieldErr("to", apperr.Code("before_from", "must be after from"))
	}
	from, to = from.UTC().Truncate(time.Microsecond), to.UTC().Truncate(time.Microsecond)
	t := newTallies()
	var mu sync.Mutex
	err := runTallies([]func(*tallies) error{
		func(x *tallies) error { return s.baseInvitations(ctx, from, to, x) },
		func(x *tallies) error { return s.baseResponses(ctx, from, to, x) },
		func(x *tallies) error { return s.baseFollowups(ctx, from, to, x) },
	}, t, &mu)
	if err != nil {
		return KPI{}, err
	}
	return t.kpi(from, to), nil
}

// runTallies runs the jobs side by side, each into its own tallies, and adds
// them up.
func runTallies(jobs []func(*tallies) error, into *tallies, mu *sync.Mutex) error {
	errs := make([]error, len(jobs))
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			part := newTallies()
			if errs[i] = j(part); errs[i] == nil {
				mu.Lock()
				into.add(part)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func (t *tallies) add(o *tallies) {
	for ch, c := range o.inv {
		d := t.channel(ch)
		d.Sent += c.Sent
		d.Answered += c.Answered
		d.Unreachable += c.Unreachable
		d.Refused += c.Refused
		d.Expired += c.Expired
		d.Pending += c.Pending
	}
	r, q := &t.resp, o.resp
	r.Responses += q.Responses
	r.CsatN += q.CsatN
	r.CsatSum += q.CsatSum
	r.Satisfied += q.Satisfied
	r.NpsN += q.NpsN
	r.Promoters += q.Promoters
	r.Detractors += q.Detractors
	r.AgentN += q.AgentN
	r.AgentSum += q.AgentSum
	r.TechN += q.TechN
	r.TechSum += q.TechSum
	r.Dissatisfied += q.Dissatisfied
	f, g := &t.fu, o.fu
	f.Total += g.Total
	f.Answered += g.Answered
	f.Unreachable += g.Unreachable
	f.Refused += g.Refused
	f.Cancelled += g.Cancelled
	f.Open += g.Open
	f.OpenOverdue += g.OpenOverdue
	f.Within += g.Within
	f.Attempts += g.Attempts
	f.CB += g.CB
	f.CBDone += g.CBDone
	f.CBLate += g.CBLate
}

// kpi turns tallies into the reported figures.
func (t *tallies) kpi(from, to time.Time) KPI {
	k := KPI{From: from, To: to, ByChannel: map[string]ChannelKPI{}}
	for ch, c := range t.inv {
		if c.Sent == 0 {
			continue
		}
		k.ByChannel[ch] = ChannelKPI{Sent: c.Sent, Answered: c.Answered, ResponseRate: rate(c.Answered, c.Sent)}
		k.Sent += c.Sent
		k.Answered += c.Answered
		k.Unreachable += c.Unreachable
		k.Refused += c.Refused
		k.Expired += c.Expired
		k.Pending += c.Pending
	}
	k.NonResponse = k.Expired + k.Unreachable + k.Refused
	k.ResponseRate = rate(k.Answered, k.Sent)
	r := t.resp
	k.Responses, k.CSATCount, k.CSATSatisfied = r.Responses, r.CsatN, r.Satisfied
	k.NPSCount, k.Promoters, k.Detractors = r.NpsN, r.Promoters, r.Detractors
	k.Passives = k.NPSCount - k.Promoters - k.Detractors
	k.AgentCount, k.TechnicianCount, k.Dissatisfied = r.AgentN, r.TechN, r.Dissatisfied
	k.CSATAverage, k.AgentAverage, k.TechnicianAverage = avg(r.CsatSum, r.CsatN), avg(r.AgentSum, r.AgentN), avg(r.TechSum, r.TechN)
	k.CSATSatisfiedRate = rate(k.CSATSatisfied, k.CSATCount)
	k.NPS = NPS(k.Promoters, k.Detractors, k.NPSCount)
	f := t.fu
	k.Followups = FollowupKPI{Total: f.Total, Answered: f.Answered, Unreachable: f.Unreachable, Refused: f.Refused,
		Cancelled: f.Cancelled, Open: f.Open, OpenOverdue: f.OpenOverdue, Measured: f.Answered + f.Unreachable + f.Refused + f.OpenOverdue,
		WithinLimit: f.Within, Callbacks: f.CB, CallbacksDone: f.CBDone, CallbacksLate: f.CBLate}
	k.Followups.WithinRate = rate(k.Followups.WithinLimit, k.Followups.Measured)
	if f.Total > 0 {
		x := float64(f.Attempts) / float64(f.Total)
		k.Followups.AttemptsPerFUP = &x
	}
	return k
}

// kpiScope restricts a KPI query to the caller's outlet.
func kpiScope(ctx context.Context, q *gorm.DB) *gorm.DB {
	if outlet, ok := actor.From(ctx).OutletScoped(); ok {
		return q.Where("outlet_id = ?", outlet)
	}
	return q
}

// baseInvitations counts the invitations sent in [a, b) from the rows, in
// one pass over the covering index (sent_at, status, channel, expires_at),
// grouped by channel, status and whether the expiry has passed (about ten
// groups: each row is hashed once rather than compared a dozen times).
func (s *Service) baseInvitations(ctx context.Context, a, b time.Time, t *tallies) error {
	now := s.now()
	var rows []struct {
		Channel, Status string
		Expired         bool
		N               int64
	}
	err := kpiScope(ctx, s.o.DB.WithContext(ctx).Model(&Invitation{})).
		Where("sent_at >= ? AND sent_at < ? AND status <> ?", a, b, InvCancelled).
		Select("channel, status, CASE WHEN expires_at <= ? THEN 1 ELSE 0 END AS expired, COUNT(*) AS n", now).
		Group("channel, status, expired").Scan(&rows).Error
	if err != nil {
		return apperr.Internal(fmt.Errorf("survey kpi: invitations: %w", err))
	}
	for _, r := range rows {
		c := t.channel(r.Channel)
		c.Sent += r.N
		switch {
		case r.Status == InvAnswered:
			c.Answered += r.N
		case r.Status == InvUnreachable:
			c.Unreachable += r.N
		case r.Status == InvRefused:
			c.Refused += r.N
		case r.Status == InvSent && r.Channel == ChannelLink && r.Expired:
			c.Expired += r.N
		case r.Status == InvSent:
			c.Pending += r.N
		}
	}
	return nil
}

// rolledInvitations reads whole hours [h1, h2) from the rollup; pending
// links (a few days' worth, found by the (status, expires_at) index) are
// counted from the rows, and the rest of the unanswered links are expired.
// A 回访 invitation not yet ended is pending.
func (s *Service) rolledInvitations(ctx context.Context, h1, h2 time.Time, t *tallies) error {
	db := s.o.DB.WithContext(ctx)
	var rows []InvitationStat
	if err := db.Model(&InvitationStat{}).Where("hour >= ? AND hour < ?", h1, h2).
		Select("channel, SUM(sent) AS sent, SUM(answered) AS answered, SUM(unreachable) AS unreachable, SUM(refused) AS refused").
		Group("channel").Scan(&rows).Error; err != nil {
		return apperr.Internal(fmt.Errorf("survey kpi: invitation rollup: %w", err))
	}
	var pendingLinks int64
	if err := db.Model(&Invitation{}).Where("status = ? AND expires_at > ? AND channel = ? AND sent_at >= ? AND sent_at < ?",
		InvSent, s.now(), ChannelLink, h1, h2).Count(&pendingLinks).Error; err != nil {
		return apperr.Internal(fmt.Errorf("survey kpi: pending links: %w", err))
	}
	for _, r := range rows {
		c := t.channel(r.Channel)
		c.Sent += r.Sent
		c.Answered += r.Answered
		c.Unreachable += r.Unreachable
		c.Refused += r.Refused
		open := r.Sent - r.Answered - r.Unreachable - r.Refused
		if r.Channel == ChannelLink {
			c.Pending += pendingLinks
			c.Expired += open - pendingLinks
		} else {
			c.Pending += open
		}
	}
	return nil
}

// baseResponses sums the scores of the responses answered in [a, b) from
// the rows (covering index on answered_at and the score columns).
func (s *Service) baseResponses(ctx context.Context, a, b time.Time, t *tallies) error {
	err := kpiScope(ctx, s.o.DB.WithContext(ctx).Model(&Response{})).Where("answered_at >= ? AND answered_at < ?", a, b).
		Select(`COUNT(*) AS responses, COUNT(csat) AS csat_n, COALESCE(SUM(csat), 0) AS csat_sum,
			COALESCE(SUM(CASE WHEN csat >= 4 THEN 1 ELSE 0 END), 0) AS satisfied, COUNT(nps) AS nps_n,
			COALESCE(SUM(CASE WHEN nps >= 9 THEN 1 ELSE 0 END), 0) AS promoters,
			COALESCE(SUM(CASE WHEN nps <= 6 THEN 1 ELSE 0 END), 0) AS detractors,
			COUNT(agent_score) AS agent_n, COALESCE(SUM(agent_score), 0) AS agent_sum,
			COUNT(technician_score) AS tech_n, COALESCE(SUM(technician_score), 0) AS tech_sum,
			COALESCE(SUM(CASE WHEN dissatisfied = 1 THEN 1 ELSE 0 END), 0) AS dissatisfied`).
		Scan(&t.resp).Error
	if err != nil {
		return apperr.Internal(fmt.Errorf("survey kpi: responses: %w", err))
	}
	return nil
}

// rolledResponses sums whole hours [h1, h2) from the rollup.
func (s *Service) rolledResponses(ctx context.Context, h1, h2 time.Time, t *tallies) error {
	err := s.o.DB.WithContext(ctx).Model(&ResponseStat{}).Where("hour >= ? AND hour < ?", h1, h2).
		Select(`COALESCE(SUM(responses), 0) AS responses, COALESCE(SUM(csat_n), 0) AS csat_n, COALESCE(SUM(csat_sum), 0) AS csat_sum,
			COALESCE(SUM(satisfied), 0) AS satisfied, COALESCE(SUM(nps_n), 0) AS nps_n, COALESCE(SUM(promoters), 0) AS promoters,
			COALESCE(SUM(detractors), 0) AS detractors, COALESCE(SUM(agent_n), 0) AS agent_n, COALESCE(SUM(agent_sum), 0) AS agent_sum,
			COALESCE(SUM(tech_n), 0) AS tech_n, COALESCE(SUM(tech_sum), 0) AS tech_sum, COALESCE(SUM(dissatisfied), 0) AS dissatisfied`).
		Scan(&t.resp).Error
	if err != nil {
		return apperr.Internal(fmt.Errorf("survey kpi: response rollup: %w", err))
	}
	return nil
}

// baseFollowups counts the follow-ups created in [a, b) from the rows, in
// one pass over the covering index (created_at, kind, status, due_at,
// completed_at, attempts), grouped by kind, status and two timeliness flags.
func (s *Service) baseFollowups(ctx context.Context, a, b time.Time, t *tallies) error {
	now := s.now()
	var rows []struct {
		Kind, Status    string
		PastDue, OnTime bool
		N, Attempts     int64
	}
	err := kpiScope(ctx, s.o.DB.WithContext(ctx).Model(&Followup{})).Where("created_at >= ? AND created_at < ?", a, b).
		Select(`kind, status, CASE WHEN due_at < ? THEN 1 ELSE 0 END AS past_due,
			CASE WHEN completed_at IS NOT NULL AND completed_at <= due_at THEN 1 ELSE 0 END AS on_time,
			COUNT(*) AS n, SUM(attempts) AS attempts`, now).
		Group("kind, status, past_due, on_time").Scan(&rows).Error
	if err != nil {
		return apperr.Internal(fmt.Errorf("survey kpi: follow-ups: %w", err))
	}
	f := &t.fu
	for _, r := range rows {
		ended := r.Status == FUAnswered || r.Status == FUUnreachable || r.Status == FURefused || r.Status == FUDone
		if r.Kind == FollowupSupervisorCallback {
			f.CB += r.N
			if ended {
				f.CBDone += r.N
				if !r.OnTime {
					f.CBLate += r.N
				}
			}
			if r.Status == FUDue && r.PastDue {
				f.CBLate += r.N
			}
			continue
		}
		f.Total += r.N
		f.Attempts += r.Attempts
		switch r.Status {
		case FUAnswered:
			f.Answered += r.N
		case FUUnreachable:
			f.Unreachable += r.N
		case FURefused:
			f.Refused += r.N
		case FUCancelled:
			f.Cancelled += r.N
		case FUDue:
			f.Open += r.N
			if r.PastDue {
				f.OpenOverdue += r.N
			}
		}
		if ended && r.OnTime {
			f.Within += r.N
		}
	}
	return nil
}

// rolledFollowups reads whole hours [h1, h2) from the rollup; the follow-ups
// still due (few, by the (status, due_at, created_at, kind) index) are
// counted from the rows.
func (s *Service) rolledFollowups(ctx context.Context, h1, h2 time.Time, t *tallies) error {
	db := s.o.DB.WithContext(ctx)
	var rows []FollowupStat
	if err := db.Model(&FollowupStat{}).Where("hour >= ? AND hour < ?", h1, h2).
		Select(`kind, SUM(total) AS total, SUM(answered) AS answered, SUM(unreachable) AS unreachable, SUM(refused) AS refused,
			SUM(cancelled) AS cancelled, SUM(done) AS done, SUM(on_time) AS on_time, SUM(late) AS late, SUM(attempts) AS attempts`).
		Group("kind").Scan(&rows).Error; err != nil {
		return apperr.Internal(fmt.Errorf("survey kpi: follow-up rollup: %w", err))
	}
	var open []struct {
		Kind    string
		PastDue bool
		N       int64
	}
	if err := db.Model(&Followup{}).Where("status = ? AND created_at >= ? AND created_at < ?", FUDue, h1, h2).
		Select("kind, CASE WHEN due_at < ? THEN 1 ELSE 0 END AS past_due, COUNT(*) AS n", s.now()).
		Group("kind, past_due").Scan(&open).Error; err != nil {
		return apperr.Internal(fmt.Errorf("survey kpi: open follow-ups: %w", err))
	}
	f := &t.fu
	for _, r := range rows {
		if r.Kind == FollowupSupervisorCallback {
			f.CB += r.Total
			f.CBDone += r.Done + r.Refused + r.Unreachable
			f.CBLate += r.Late
			continue
		}
		f.Total += r.Total
		f.Answered += r.Answered
		f.Unreachable += r.Unreachable
		f.Refused += r.Refused
		f.Cancelled += r.Cancelled
		f.Within += r.OnTime
		f.Attempts += r.Attempts
	}
	for _, r := range open {
		if r.Kind == FollowupSupervisorCallback {
			if r.PastDue {
				f.CBLate += r.N
			}
			continue
		}
		f.Open += r.N
		if r.PastDue {
			f.OpenOverdue += r.N
		}
	}
	return nil
}
