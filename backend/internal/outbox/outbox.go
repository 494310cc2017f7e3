// Package outbox is the transactional outbox: a service records its events
// in the same transaction as the change (Enqueue), so an event exists if and
// only if the change committed. A relay publishes the stored events in id
// order to the bus and marks them sent; it holds a database lease, so on
// several instances exactly one relays. Delivery is at least once (a crash
// after publishing and before marking republishes the row); consumers are
// made idempotent, keyed by event id, with Once and OnceTx.
package outbox

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/event"
)

// Record is one stored event.
type Record struct {
	ID        uint64 `gorm:"primaryKey"`
	Topic     string
	Name      string
	Data      string // JSON object
	CreatedAt time.Time
	SentAt    *time.Time
}

// TableName pins the table of migration 0050.
func (Record) TableName() string { return "outbox_events" }

// Processed records that a consumer handled an event.
type Processed struct {
	Consumer    string `gorm:"primaryKey"`
	EventID     uint64 `gorm:"primaryKey;autoIncrement:false"`
	ProcessedAt time.Time
}

// TableName pins the table of migration 0050.
func (Processed) TableName() string { return "processed_events" }

// LeaseName is the job_locks row the relay holds.
const LeaseName = "outbox_relay"

// Leaser takes and renews a named database lease (scheduler.Scheduler).
type Leaser interface {
	Hold(ctx context.Context, name string, ttl time.Duration) (bool, error)
	Release(name string)
}

// Options configures an Outbox.
type Options struct {
	DB *gorm.DB
	// Bus is the delivering bus (memory or Redis) the relay publishes to.
	Bus    event.Bus
	Leases Leaser
	Log    *slog.Logger
	// Interval is how often the relay looks for unsent events besides being
	// woken by Enqueue (default 250ms).
	Interval time.Duration
	// LeaseTTL is how long a crashed relay's lease blocks the others (default 15s).
	LeaseTTL time.Duration
	// Batch is how many rows one query reads (default 200).
	Batch int
	// Keep is how long sent events and consumer marks are kept (default 7 days).
	Keep time.Duration
	// Hook, for tests only, is called after an event was published and
	// before it is marked sent (point "published").
	Hook func(point string, e event.Event)
	Now  func() time.Time
}

// Outbox is the services' event.Bus: Enqueue stores, the relay delivers,
// Subscribe listens on the delivering bus.
type Outbox struct {
	o        Options
	wake     chan struct{}
	stop     chan struct{}
	done     chan struct{}
	started  atomic.Bool
	stopOnce sync.Once
	relayMu  sync.Mutex
	pending  atomic.Uint64 // highest id enqueued by this process
	relayed  atomic.Uint64 // highest id this process relayed or saw sent
	pruned   time.Time
	// leaseUntil is when the relay lease this process holds expires (unix
	// ns; 0 = not held). The lease row is renewed only past half its TTL,
	// so relaying does not write the one job_locks row on every request.
	leaseUntil atomic.Int64
	reads      readClock
}

// readClock numbers the relay's reads of unsent events, so that a Settle
// caller waits for the first read that started after it arrived to be
// published, whoever runs that read: the relay loop or another caller.
// (Before, each caller waited for a whole round of its own group, and a
// round read again until nothing was left: under steady load at 10 ms per
// database round trip a request waited for several reads after its own
// event had been delivered.) One relay runs at a time: the loop or one
// Settle caller holds the claim; the others wait for its reads.
type readClock struct {
	mu      sync.Mutex
	cond    *sync.Cond
	claimed bool // a relay (loop or Settle caller) is running
	// started counts reads begun; published is the last read whose rows
	// have all been published.
	started, published uint64
	// partial holds recent reads that did not deliver everything committed
	// before they started: they read a full batch (more rows may wait), or
	// while they were published this process enqueued events (a consumer
	// recording events of its own, such as an inbox notification). A caller
	// waiting for such a read waits for the next one as well.
	partial map[uint64]bool
}

// next is the number the next read will have.
func (c *readClock) next() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.started + 1
}

func (c *readClock) begin() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.started++
	return c.started
}

func (c *readClock) done(read uint64, partial bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if read > c.published {
		c.published = read
	}
	if partial {
		c.partial[read] = true
	}
	for r := range c.partial {
		if r+4096 < read {
			delete(c.partial, r)
		}
	}
	c.cond.Broadcast()
}

// satisfied reports (under mu) whether a read at or after *need that
// delivered everything committed before it started has been published; it
// moves *need past the partial reads published since.
func (c *readClock) satisfied(need *uint64) bool {
	for c.published >= *need && c.partial[*need] {
		*need++
	}
	return c.published >= *need
}

var _ event.Bus = (*Outbox)(nil)

// New returns an Outbox; call Start to run its relay.
func New(o Options) *Outbox {
	if o.Interval <= 0 {
		o.Interval = 250 * time.Millisecond
	}
	if o.LeaseTTL <= 0 {
		o.LeaseTTL = 15 * time.Second
	}
	if o.Batch <= 0 {
		o.Batch = 200
	}
	if o.Keep <= 0 {
		o.Keep = 7 * 24 * time.Hour
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	x := &Outbox{o: o, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	x.reads.cond = sync.NewCond(&x.reads.mu)
	x.reads.partial = map[uint64]bool{}
	return x
}

// Enqueue stores events in tx, in order. They are relayed after tx commits
// and never if it rolls back.
func (x *Outbox) Enqueue(tx *gorm.DB, events ...event.Event) error {
	if len(events) == 0 {
		return nil
	}
	rows := make([]Record, 0, len(events))
	now := x.o.Now().UTC()
	for _, e := range events {
		at := e.At
		if at.IsZero() {
			at = now
		}
		data, err := json.Marshal(e.Data)
		if err != nil {
			return fmt.Errorf("outbox: encode %s: %w", e.Name, err)
		}
		rows = append(rows, Record{Topic: e.Topic, Name: e.Name, Data: string(data), CreatedAt: at.UTC()})
	}
	if err := tx.Create(&rows).Error; err != nil {
		return fmt.Errorf("outbox: store events: %w", err)
	}
	event.NoteRecorded(tx.Statement.Context)
	ids := make([]uint64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	x.notePending(ids)
	return nil
}

// recordColumns are the columns EnqueueStmts writes.
var recordColumns = []string{"topic", "name", "data", "created_at"}

// EnqueueStmts is Enqueue as statements, for a transaction run as a batch
// (db.Batcher): one INSERT per event. Call the returned function with the
// generated ids (the batch's, in order) once the transaction committed,
// and settle as after Enqueue.
func (x *Outbox) EnqueueStmts(ctx context.Context, events ...event.Event) ([]db.Stmt, func(ids []uint64), error) {
	now := x.o.Now().UTC()
	stmts := make([]db.Stmt, 0, len(events))
	for _, e := range events {
		at := e.At
		if at.IsZero() {
			at = now
		}
		data, err := json.Marshal(e.Data)
		if err != nil {
			return nil, nil, fmt.Errorf("outbox: encode %s: %w", e.Name, err)
		}
		stmts = append(stmts, db.Insert(Record{}.TableName(), recordColumns, e.Topic, e.Name, string(data), at.UTC()))
	}
	return stmts, func(ids []uint64) {
		// Committed now: any read that starts from here on sees the rows.
		event.NoteCommitted(ctx, x.reads.next())
		x.notePending(ids)
	}, nil
}

// notePending raises pending to the highest of ids and wakes the relay.
func (x *Outbox) notePending(ids []uint64) {
	for _, id := range ids {
		for {
			p := x.pending.Load()
			if id <= p || x.pending.CompareAndSwap(p, id) {
				break
			}
		}
	}
	x.poke()
}

// Publish stores an event that belongs to no business transaction (a job's
// finding, an import summary) in its own transaction and wakes the relay.
func (x *Outbox) Publish(ctx context.Context, e event.Event) {
	if err := x.Enqueue(x.o.DB.WithContext(ctx), e); err != nil {
		x.o.Log.Error("outbox: publish", "name", e.Name, "err", err)
	}
}

// Subscribe registers h on the delivering bus.
func (x *Outbox) Subscribe(h event.Handler) func() { return x.o.Bus.Subscribe(h) }

// Close stops the relay (after a last round) and closes the delivering bus.
func (x *Outbox) Close() error {
	x.Stop()
	return x.o.Bus.Close()
}

func (x *Outbox) poke() {
	select {
	case x.wake <- struct{}{}:
	default:
	}
}

// Start runs the relay until Stop.
func (x *Outbox) Start() {
	if !x.started.CompareAndSwap(false, true) {
		return
	}
	go x.loop()
}

// Stop ends the relay: it relays what is committed once more and releases
// the lease so another instance takes over at once.
func (x *Outbox) Stop() {
	x.stopOnce.Do(func() {
		close(x.stop)
		if x.started.Load() {
			<-x.done
		} else if x.o.Leases != nil {
			x.leaseUntil.Store(0)
			x.o.Leases.Release(LeaseName)
		}
	})
}

func (x *Outbox) loop() {
	defer close(x.done)
	t := time.NewTicker(x.o.Interval)
	defer t.Stop()
	ctx := context.Background()
	for {
		select {
		case <-x.stop:
			if _, err := x.RelayOnce(ctx); err != nil {
				x.o.Log.Warn("outbox: final relay", "err", err)
			}
			if x.o.Leases != nil {
				x.leaseUntil.Store(0)
				x.o.Leases.Release(LeaseName)
			}
			return
		case <-t.C:
		case <-x.wake:
		}
		x.round(ctx)
	}
}

// round relays; when this process enqueued rows it has not seen committed
// yet (their transaction is still open), it looks again shortly, so an
// event follows its commit within milliseconds rather than an interval.
// While a Settle caller relays, the loop leaves it to that caller (which
// wakes the loop again when it stops with rows possibly left).
func (x *Outbox) round(ctx context.Context) {
	for attempt := 0; ; attempt++ {
		if !x.claim() {
			return
		}
		held, err := x.relay(ctx, nil)
		x.unclaim()
		if err != nil {
			x.o.Log.Warn("outbox: relay", "err", err)
			return
		}
		if !held || x.relayed.Load() >= x.pending.Load() {
			return
		}
		if attempt >= 8 {
			// The transaction rolled back (or is very slow): stop waiting
			// for it; the interval picks it up if it commits after all.
			x.relayed.Store(x.pending.Load())
			return
		}
		select {
		case <-x.stop:
			return
		case <-time.After(time.Duration(1<<attempt) * time.Millisecond):
		}
	}
}

// claim takes the right to run the relay in this process; false when the
// loop or a Settle caller has it.
func (x *Outbox) claim() bool {
	c := &x.reads
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.claimed {
		return false
	}
	c.claimed = true
	return true
}

func (x *Outbox) unclaim() {
	c := &x.reads
	c.mu.Lock()
	c.claimed = false
	c.cond.Broadcast()
	c.mu.Unlock()
}

// Settle relays what is committed now, in the caller's goroutine (the HTTP
// layer calls it after a request that recorded events, before answering).
// It returns once a read of unsent events that started after the call has
// been published (and, when that read was a full batch or publishing it made
// this process record more events, the reads after it until one was not),
// whoever ran them: concurrent callers
// and the relay loop share reads. When the request's events were written
// by a batched transaction (EnqueueStmts), a read that started after their
// commit serves, also one started before this call. It returns at once
// when another instance holds the relay lease.
func (x *Outbox) Settle(ctx context.Context) {
	c := &x.reads
	c.mu.Lock()
	defer c.mu.Unlock()
	need := c.started + 1
	// Events whose commit the outbox saw (EnqueueStmts) are served by a
	// read that started after that commit, even before this call.
	if m, ok := event.CommittedMark(ctx); ok && m < need {
		need = m
	}
	for !c.satisfied(&need) {
		if c.claimed {
			c.cond.Wait()
			continue
		}
		c.claimed = true
		c.mu.Unlock()
		held, err := x.relay(context.WithoutCancel(ctx), func() bool {
			c.mu.Lock()
			defer c.mu.Unlock()
			return c.satisfied(&need)
		})
		c.mu.Lock()
		c.claimed = false
		c.cond.Broadcast()
		// Rows committed after this caller's last read are the loop's.
		x.poke()
		if err != nil {
			x.o.Log.Warn("outbox: settle", "err", err)
			return
		}
		if !held {
			return
		}
	}
}

var _ event.Settler = (*Outbox)(nil)

// RelayOnce takes the lease and relays every committed unsent event. It
// reports whether this instance held the lease.
func (x *Outbox) RelayOnce(ctx context.Context) (bool, error) {
	return x.relay(ctx, nil)
}

// relay is RelayOnce, stopping early when enough reports true after a read
// was published (a Settle caller has what it waited for).
func (x *Outbox) relay(ctx context.Context, enough func() bool) (bool, error) {
	if x.o.Leases != nil {
		now := x.o.Now()
		if until := x.leaseUntil.Load(); until == 0 || now.UnixNano() > until-int64(x.o.LeaseTTL/2) {
			ok, err := x.o.Leases.Hold(ctx, LeaseName, x.o.LeaseTTL)
			if err != nil || !ok {
				x.leaseUntil.Store(0)
				return false, err
			}
			x.leaseUntil.Store(now.Add(x.o.LeaseTTL).UnixNano())
		}
	}
	x.relayMu.Lock()
	_, err := x.flush(ctx, enough)
	x.relayMu.Unlock()
	x.prune(ctx)
	return true, err
}

// Flush publishes the unsent events in id order and marks each sent. The
// caller must hold the lease (RelayOnce) or be the only relay (tests).
func (x *Outbox) Flush(ctx context.Context) (int, error) {
	x.relayMu.Lock()
	defer x.relayMu.Unlock()
	return x.flush(ctx, nil)
}

// flush is Flush under relayMu, stopping early when enough says so.
func (x *Outbox) flush(ctx context.Context, enough func() bool) (int, error) {
	n := 0
	for {
		read := x.reads.begin()
		var rows []Record
		if err := x.o.DB.WithContext(ctx).Where("sent_at IS NULL").Order("id").Limit(x.o.Batch).Find(&rows).Error; err != nil {
			x.reads.done(read, false)
			return n, fmt.Errorf("outbox: read: %w", err)
		}
		ids := make([]uint64, 0, len(rows))
		before := x.pending.Load()
		for _, r := range rows {
			e := event.Event{ID: r.ID, Topic: r.Topic, Name: r.Name, At: r.CreatedAt}
			if err := json.Unmarshal([]byte(r.Data), &e.Data); err != nil {
				x.o.Log.Error("outbox: dropping undecodable event", "id", r.ID, "name", r.Name, "err", err)
			} else {
				x.o.Bus.Publish(ctx, e)
				if x.o.Hook != nil {
					x.o.Hook("published", e)
				}
			}
			ids = append(ids, r.ID)
		}
		// Consumers may have recorded events of their own while this read
		// was published (an inbox push after a notification): the callers
		// waiting for this read wait for the next one too. (An unrelated
		// request enqueuing meanwhile makes them wait one read more, no
		// less.) Waiters are released before the mark below: delivery is
		// what they wait for.
		x.reads.done(read, len(rows) == x.o.Batch || x.pending.Load() != before)
		// One UPDATE marks the whole batch sent; a crash before it
		// republishes the batch, which the consumers' marks absorb.
		if len(ids) > 0 {
			if err := x.o.DB.WithContext(ctx).Model(&Record{}).Where("id IN ?", ids).Update("sent_at", x.o.Now().UTC()).Error; err != nil {
				return n, fmt.Errorf("outbox: mark %d..%d sent: %w", ids[0], ids[len(ids)-1], err)
			}
			if last := ids[len(ids)-1]; last > x.relayed.Load() {
				x.relayed.Store(last)
			}
			n += len(ids)
		}
		// Look again until nothing is left (the loop), or until the Settle
		// caller running this relay has its read.
		if len(rows) == 0 {
			if max := x.pending.Load(); max > x.relayed.Load() {
				// Rows this process enqueued may have been sent by another
				// instance's relay; count those as seen.
				var sent int64
				if err := x.o.DB.WithContext(ctx).Model(&Record{}).Where("id = ? AND sent_at IS NOT NULL", max).Count(&sent).Error; err == nil && sent == 1 {
					x.relayed.Store(max)
				}
			}
			return n, nil
		}
		if enough != nil && enough() {
			return n, nil
		}
	}
}

// prune deletes sent events and consumer marks older than Keep, at most hourly.
func (x *Outbox) prune(ctx context.Context) {
	now := x.o.Now().UTC()
	// RelayOnce runs on the loop and on request goroutines (Settle): guard
	// the hourly timestamp so only one of them prunes.
	x.relayMu.Lock()
	due := now.Sub(x.pruned) >= time.Hour
	if due {
		x.pruned = now
	}
	x.relayMu.Unlock()
	if !due {
		return
	}
	cut := now.Add(-x.o.Keep)
	if err := x.o.DB.WithContext(ctx).Where("sent_at IS NOT NULL AND sent_at < ?", cut).Delete(&Record{}).Error; err != nil {
		x.o.Log.Warn("outbox: prune events", "err", err)
	}
	if err := x.o.DB.WithContext(ctx).Where("processed_at < ?", cut).Delete(&Processed{}).Error; err != nil {
		x.o.Log.Warn("outbox: prune marks", "err", err)
	}
}

// Pending counts stored events not yet sent (for health checks and tests).
func (x *Outbox) Pending(ctx context.Context) (int64, error) {
	var n int64
	err := x.o.DB.WithContext(ctx).Model(&Record{}).Where("sent_at IS NULL").Count(&n).Error
	return n, err
}
