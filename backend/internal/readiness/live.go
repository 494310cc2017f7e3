package readiness

import (
	"context"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/event"
)

// Live event names, all on Topic "readiness".
const (
	// EventScore carries the latest score after every run; the hub retains
	// it so a client that (re)connects first receives the latest state.
	EventScore = "readiness.score"
	// EventScoreChanged: the total moved since the previous run.
	EventScoreChanged = "readiness.score_changed"
	// EventBandChanged: the band (or fail) changed.
	EventBandChanged = "readiness.band_changed"
	// EventMarginLow: the margin above the current band's threshold fell
	// below MarginLow points (published when it becomes low).
	EventMarginLow = "readiness.margin_low"
	// EventIndicatorDropped: a leaf lost points since the previous run.
	EventIndicatorDropped = "readiness.indicator_dropped"
	// EventInputChanged: a quality manager changed an input (assessment,
	// deletion, deduction, bonus); it also triggers a debounced run.
	EventInputChanged = "readiness.input_changed"
)

// MarginLow is the margin above the current band's threshold under which
// readiness.margin_low is published.
const MarginLow = 1.0

// scoreData is the payload of readiness.score.
func scoreData(r *Run) map[string]any {
	return map[string]any{
		"run_id": r.ID, "standard": r.StandardCode, "standard_version": r.StandardVersion,
		"total": RoundForDisplay(r.Total), "low": RoundForDisplay(r.Low), "high": RoundForDisplay(r.High),
		"band": r.Band, "low_band": r.LowBand, "high_band": r.HighBand, "band_low": r.LowBand, "band_high": r.HighBand, "next_band": r.NextBand,
		"to_next_band": RoundForDisplay(r.ToNextBand), "above_band": RoundForDisplay(r.AboveBand),
		"complete": r.Complete, "failed": r.Failed, "as_of": r.AsOf.UTC().Format(time.RFC3339),
	}
}

// LatestScoreEvent returns the readiness.score event of the latest run of
// the active standard, for the hub to retain at start-up; false before the
// first run.
func (s *Service) LatestScoreEvent(ctx context.Context) (event.Event, bool, error) {
	r, err := s.st.latestRun(ctx, s.db, s.active)
	if err != nil || r == nil {
		return event.Event{}, false, err
	}
	return event.Event{Topic: Topic, Name: EventScore, Data: scoreData(r), At: r.CreatedAt}, true, nil
}

// publishRun tells live screens what the run changed compared with the
// previous run of the same standard.
func (s *Service) publishRun(ctx context.Context, r *Run, res Result, prev *Run, prevRes *Result) {
	if s.bus == nil {
		return
	}
	// Only the active standard drives the live score; runs of another
	// standard are history and comparisons.
	if r.StandardCode != s.active {
		return
	}
	s.publish(ctx, EventScore, scoreData(r))
	if prev == nil {
		return
	}
	if math.Abs(r.Total-prev.Total) > scoreEpsilon {
		s.publish(ctx, EventScoreChanged, map[string]any{
			"run_id": r.ID, "previous_run_id": prev.ID, "total": RoundForDisplay(r.Total),
			"previous_total": RoundForDisplay(prev.Total), "delta": RoundForDisplay(r.Total - prev.Total), "band": r.Band,
		})
	}
	if r.Band != prev.Band {
		s.publish(ctx, EventBandChanged, map[string]any{
			"run_id": r.ID, "previous_run_id": prev.ID, "from": prev.Band, "to": r.Band,
			"total": RoundForDisplay(r.Total), "up": r.Total > prev.Total,
		})
	}
	low := !r.Failed && r.AboveBand < MarginLow
	wasLow := !prev.Failed && prev.AboveBand < MarginLow && prev.Band == r.Band
	if low && !wasLow {
		s.publish(ctx, EventMarginLow, map[string]any{
			"run_id": r.ID, "band": r.Band, "total": RoundForDisplay(r.Total), "margin": RoundForDisplay(r.AboveBand),
		})
	}
	if prevRes == nil {
		return
	}
	before := map[string]IndicatorResult{}
	for _, ir := range prevRes.Indicators {
		before[ir.Clause] = ir
	}
	for _, ir := range res.Indicators {
		b, ok := before[ir.Clause]
		if !ir.Leaf || !ok || ir.Points >= b.Points-pointsTolerance {
			continue
		}
		s.publish(ctx, EventIndicatorDropped, map[string]any{
			"run_id": r.ID, "clause": ir.Clause, "name": ir.Name.Zh, "before": RoundForDisplay(b.Points),
			"after": RoundForDisplay(ir.Points), "delta": RoundForDisplay(ir.Points - b.Points), "state": ir.State,
			"reason_codes": ir.ReasonCodes, "reason": ir.Reason.Zh, "record_ids": ir.RecordIDs,
		})
	}
}

func (s *Service) publish(ctx context.Context, name string, data map[string]any) {
	if s.bus == nil {
		return
	}
	s.bus.Publish(ctx, event.Event{Topic: Topic, Name: name, Data: data})
}

// triggerPrefixes are the event names (or name prefixes ending in ".") that
// can move the score: operational records closing, complaints, surveys and
// follow-ups, evidence, staff and certificates, and the quality manager's
// inputs.
var triggerPrefixes = []string{
	"ticket.closed", "ticket.resolved", "complaint.", "survey.", "followup.", "corrective_action.", "capa.",
	"workorder.completed", "work_order.completed", "repair.", "return.", "recall.", "requisition.", "parts.",
	"evidence.", "staff.", "certificate.", "outlet.", "customer.", EventInputChanged, "readiness.standard_changed",
}

// relevant reports whether an event can move the score.
func relevant(name string) bool {
	for _, p := range triggerPrefixes {
		if name == p || (strings.HasSuffix(p, ".") && strings.HasPrefix(name, p)) {
			return true
		}
	}
	return false
}

// OnEvent is the bus handler: a relevant change (re)starts the debounce
// timer. It never blocks the publisher.
func (s *Service) OnEvent(e event.Event) {
	// An outlet's coverage moves region coverage at once; customers' new
	// addresses move it only slowly, so those wait for the background
	// refresh (at most SlowTTL) instead of making every run on a busy
	// hotline compute it again.
	if strings.HasPrefix(e.Name, "outlet.") {
		if inv, ok := s.measures.(interface{ Invalidate() }); ok {
			go inv.Invalidate() // a database write: never in the publisher's path
		}
	}
	if relevant(e.Name) {
		s.debounce.poke()
	}
}

// Trigger asks for a debounced run.
func (s *Service) Trigger() { s.debounce.poke() }

// debouncedRun starts a run through the same path as "run now". With
// several instances each one debounces the same bus events; when a run is
// already in progress (here or on another instance) it may have read the
// data before the change, so the debouncer tries once more a debounce
// later.
func (s *Service) debouncedRun(retry bool) bool {
	ctx := actor.With(context.Background(), actor.System("readiness"))
	st, err := s.Start(ctx, TriggerEvent, "")
	if err != nil {
		s.log.Warn("readiness: debounced run", "err", err)
		return retry
	}
	return !st.Joined || retry
}

// Close stops a pending debounced run and the runs executing in this
// process (their rows end in error; the next request starts afresh).
func (s *Service) Close() {
	s.debounce.stop()
	s.baseCancel()
	s.runsWG.Wait()
}

// debouncer calls fn once, delay after the last poke. When fn reports it
// could not run (lease taken), it is retried once after another delay.
type debouncer struct {
	delay   time.Duration
	fn      func(retry bool) bool
	mu      sync.Mutex
	timer   *time.Timer
	stopped bool
}

func newDebouncer(delay time.Duration, fn func(retry bool) bool) *debouncer {
	return &debouncer{delay: delay, fn: fn}
}

func (d *debouncer) poke() { d.schedule(false) }

func (d *debouncer) schedule(retry bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stopped {
		return
	}
	if d.timer != nil {
		d.timer.Stop()
	}
	d.timer = time.AfterFunc(d.delay, func() {
		if !d.fn(retry) && !retry {
			d.schedule(true)
		}
	})
}

func (d *debouncer) stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stopped = true
	if d.timer != nil {
		d.timer.Stop()
	}
}
