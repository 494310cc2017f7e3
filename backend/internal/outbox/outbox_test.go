package outbox_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/migrations"
	"github.com/aftersales/aftersales/backend/internal/outbox"
	"github.com/aftersales/aftersales/backend/internal/scheduler"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

// order is the "business change" of these tests.
type order struct {
	ID     uint64 `gorm:"primaryKey"`
	Number string
}

func (order) TableName() string { return "outbox_test_orders" }

// effect is what a consumer does with an event; counting rows per
// (consumer, event) shows how often each consumer acted.
type effect struct {
	ID       uint64 `gorm:"primaryKey"`
	Consumer string
	EventID  uint64
}

func (effect) TableName() string { return "outbox_test_effects" }

type placed struct {
	OrderID uint64 `json:"order_id"`
	Number  string `json:"number"`
}

var orderPlaced = event.Define[placed]("test.order_placed")

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// place writes an order and its event in one transaction.
func place(g *gorm.DB, x *outbox.Outbox, number string) error {
	return g.Transaction(func(tx *gorm.DB) error {
		o := order{Number: number}
		if err := tx.Create(&o).Error; err != nil {
			return err
		}
		return x.Enqueue(tx, orderPlaced.New("tests", placed{OrderID: o.ID, Number: o.Number}))
	})
}

// consumers subscribes two consumers to bus: "ledger" records its effect in
// the mark's transaction (OnceTx), "mailer" after it (Once).
func consumers(g *gorm.DB, bus event.Bus) {
	bus.Subscribe(outbox.OnceTx(g, "ledger", quiet, func(_ context.Context, tx *gorm.DB, e event.Event) error {
		if _, ok := orderPlaced.Of(e); !ok {
			return nil
		}
		return tx.Create(&effect{Consumer: "ledger", EventID: e.ID}).Error
	}))
	bus.Subscribe(outbox.Once(g, "mailer", quiet, func(ctx context.Context, e event.Event) error {
		if _, ok := orderPlaced.Of(e); !ok {
			return nil
		}
		return g.WithContext(ctx).Create(&effect{Consumer: "mailer", EventID: e.ID}).Error
	}))
}

func effects(t *testing.T, g *gorm.DB) map[string]int64 {
	t.Helper()
	var rows []struct {
		Consumer string
		N        int64
	}
	if err := g.Model(&effect{}).Select("consumer, COUNT(*) AS n").Group("consumer").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, r := range rows {
		out[r.Consumer] = r.N
	}
	return out
}

// crashDB is a database a child process can open too.
type crashDB struct{ driver, dsn string }

func openDB(t testing.TB, c crashDB) *gorm.DB {
	g, err := db.Open(db.Options{Driver: c.driver, DSN: c.dsn, MaxOpenConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func crashDBs(t *testing.T) []crashDB {
	out := []crashDB{{driver: "sqlite", dsn: filepath.Join(t.TempDir(), "crash.db")}}
	dsn := os.Getenv("TEST_MYSQL_DSN")
	if dsn == "" {
		if os.Getenv("REQUIRE_MYSQL") == "1" {
			t.Fatal("mysql required (REQUIRE_MYSQL=1) but TEST_MYSQL_DSN is not set")
		}
		return out
	}
	name, err := testutil.CreateMySQLDatabase(dsn)
	if err != nil {
		if os.Getenv("REQUIRE_MYSQL") == "1" {
			t.Fatal(err)
		}
		return out
	}
	return append(out, crashDB{driver: "mysql", dsn: testutil.WithDatabase(dsn, name)})
}

// TestCrashChild is the process that gets killed; it runs only when
// started by the crash tests below.
func TestCrashChild(t *testing.T) {
	mode := os.Getenv("OUTBOX_CRASH_MODE")
	if mode == "" {
		t.Skip("child process of the crash tests")
	}
	g := openDB(t, crashDB{driver: os.Getenv("OUTBOX_CRASH_DRIVER"), dsn: os.Getenv("OUTBOX_CRASH_DSN")})
	kill := func(string, event.Event) { _ = syscall.Kill(os.Getpid(), syscall.SIGKILL) }
	bus := event.NewMemoryBus()
	consumers(g, bus)
	sch := scheduler.New(g, time.Minute, quiet)
	switch mode {
	case "after_commit":
		// The change commits, and the process dies before any relay ran.
		x := outbox.New(outbox.Options{DB: g, Bus: bus, Leases: sch, Log: quiet})
		if err := place(g, x, "A-1"); err != nil {
			t.Fatal(err)
		}
		kill("", event.Event{})
	case "after_publish":
		// The relay publishes (the consumers act) and the process dies
		// before the row is marked sent.
		x := outbox.New(outbox.Options{DB: g, Bus: bus, Leases: sch, Log: quiet, LeaseTTL: time.Second, Hook: kill})
		if err := place(g, x, "B-1"); err != nil {
			t.Fatal(err)
		}
		_, _ = x.RelayOnce(context.Background())
	}
	t.Fatal("the child should have been killed")
}

func runChild(t *testing.T, c crashDB, mode string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "OUTBOX_CRASH_MODE="+mode, "OUTBOX_CRASH_DRIVER="+c.driver, "OUTBOX_CRASH_DSN="+c.dsn)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child was not killed: %v\n%s", err, out)
	}
}

// restart is the new process: the relay of a fresh instance with the same
// consumers; it waits for the dead holder's lease to lapse.
func restart(t *testing.T, g *gorm.DB) *outbox.Outbox {
	t.Helper()
	bus := event.NewMemoryBus()
	consumers(g, bus)
	x := outbox.New(outbox.Options{DB: g, Bus: bus, Leases: scheduler.New(g, time.Minute, quiet), Log: quiet, LeaseTTL: time.Second})
	deadline := time.Now().Add(10 * time.Second)
	for {
		held, err := x.RelayOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if held {
			return x
		}
		if time.Now().After(deadline) {
			t.Fatal("the crashed relay's lease never lapsed")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestKilledBetweenCommitAndPublishDeliversOnceAfterRestart(t *testing.T) {
	for _, mode := range []string{"after_commit", "after_publish"} {
		for _, c := range crashDBs(t) {
			t.Run(mode+"/"+c.driver, func(t *testing.T) {
				g := openDB(t, c)
				if err := migrations.Migrate(g); err != nil {
					t.Fatal(err)
				}
				if err := g.AutoMigrate(&order{}, &effect{}); err != nil {
					t.Fatal(err)
				}
				for _, tbl := range []string{"outbox_test_orders", "outbox_test_effects", "outbox_events", "processed_events", "job_locks"} {
					if err := g.Exec("DELETE FROM " + tbl).Error; err != nil {
						t.Fatal(err)
					}
				}
				runChild(t, c, mode)
				var orders int64
				g.Model(&order{}).Count(&orders)
				if orders != 1 {
					t.Fatalf("the change did not commit: %d orders", orders)
				}
				before := effects(t, g)
				if mode == "after_commit" && len(before) != 0 {
					t.Fatalf("consumers acted before any relay: %v", before)
				}
				if mode == "after_publish" && (before["ledger"] != 1 || before["mailer"] != 1) {
					t.Fatalf("the killed relay should have delivered once before dying: %v", before)
				}
				x := restart(t, g)
				if _, err := x.RelayOnce(context.Background()); err != nil { // a second round delivers nothing again
					t.Fatal(err)
				}
				if got := effects(t, g); got["ledger"] != 1 || got["mailer"] != 1 {
					t.Fatalf("each consumer must act exactly once, got %v", got)
				}
				if n, _ := x.Pending(context.Background()); n != 0 {
					t.Fatalf("%d events still unsent", n)
				}
			})
		}
	}
}

func TestRolledBackChangeHasNoEvent(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		bus := event.NewMemoryBus()
		var got []event.Event
		bus.Subscribe(func(e event.Event) { got = append(got, e) })
		x := outbox.New(outbox.Options{DB: g, Bus: bus, Log: quiet})
		err := g.Transaction(func(tx *gorm.DB) error {
			if err := x.Enqueue(tx, orderPlaced.New("tests", placed{OrderID: 1})); err != nil {
				return err
			}
			return errors.New("business rule refused")
		})
		if err == nil {
			t.Fatal("expected the error")
		}
		if _, err := x.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		if len(got) != 0 {
			t.Fatalf("a rolled-back change published %v", got)
		}
	})
}

func TestRelayPublishesInOrderWithTypedPayloads(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		bus := event.NewMemoryBus()
		var mu sync.Mutex
		var got []placed
		bus.Subscribe(func(e event.Event) {
			if p, ok := orderPlaced.Of(e); ok && e.ID != 0 {
				mu.Lock()
				got = append(got, p)
				mu.Unlock()
			}
		})
		x := outbox.New(outbox.Options{DB: g, Bus: bus, Leases: scheduler.New(g, time.Minute, quiet), Log: quiet, Interval: 20 * time.Millisecond})
		x.Start()
		defer x.Stop()
		for i := 1; i <= 30; i++ {
			if err := g.Transaction(func(tx *gorm.DB) error {
				return x.Enqueue(tx, orderPlaced.New("tests", placed{OrderID: uint64(i), Number: fmt.Sprintf("N-%d", i)}))
			}); err != nil {
				t.Fatal(err)
			}
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			mu.Lock()
			n := len(got)
			mu.Unlock()
			if n == 30 || time.Now().After(deadline) {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(got) != 30 {
			t.Fatalf("relayed %d of 30", len(got))
		}
		for i, p := range got {
			if p.OrderID != uint64(i+1) || p.Number != fmt.Sprintf("N-%d", i+1) {
				t.Fatalf("event %d out of order or mangled: %+v", i, p)
			}
		}
	})
}

func TestOnlyTheLeaseHolderRelays(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		a := outbox.New(outbox.Options{DB: g, Bus: event.NewMemoryBus(), Leases: scheduler.New(g, time.Minute, quiet), Log: quiet})
		b := outbox.New(outbox.Options{DB: g, Bus: event.NewMemoryBus(), Leases: scheduler.New(g, time.Minute, quiet), Log: quiet})
		heldA, err := a.RelayOnce(context.Background())
		if err != nil || !heldA {
			t.Fatalf("first relay should take the lease: %v %v", heldA, err)
		}
		if heldB, err := b.RelayOnce(context.Background()); err != nil || heldB {
			t.Fatalf("second instance relayed while the first held the lease: %v %v", heldB, err)
		}
		if held, err := a.RelayOnce(context.Background()); err != nil || !held {
			t.Fatalf("the holder must keep its lease: %v %v", held, err)
		}
		a.Stop() // releases
		if heldB, err := b.RelayOnce(context.Background()); err != nil || !heldB {
			t.Fatalf("after the holder stopped the other takes over: %v %v", heldB, err)
		}
	})
}

// countingLeaser counts the lease writes the relay makes.
type countingLeaser struct {
	outbox.Leaser
	mu    sync.Mutex
	holds int
}

func (c *countingLeaser) Hold(ctx context.Context, name string, ttl time.Duration) (bool, error) {
	c.mu.Lock()
	c.holds++
	c.mu.Unlock()
	return c.Leaser.Hold(ctx, name, ttl)
}

// Many requests settling at once (the HTTP layer settles each request that
// recorded events) share relay rounds, and the relay does not write its
// lease row for each of them: before, each Settle renewed the one
// job_locks row and ran its own round behind a process-wide mutex, which
// capped an instance's writes at about 20/s with 10 ms database round trips.
// Each caller still finds its own event delivered when Settle returns.
func TestConcurrentSettlesShareRelayRoundsAndLeaseWrites(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		// Every read of unsent events takes 20 ms, as across a slow network.
		var delivered sync.Map
		var reads int64
		var rmu sync.Mutex
		if err := g.Callback().Query().Before("gorm:query").Register("test:slow_outbox_read", func(d *gorm.DB) {
			if d.Statement.Table == "outbox_events" {
				rmu.Lock()
				reads++
				rmu.Unlock()
				time.Sleep(20 * time.Millisecond)
			}
		}); err != nil {
			t.Fatal(err)
		}
		defer func() { _ = g.Callback().Query().Remove("test:slow_outbox_read") }()
		bus := event.NewMemoryBus()
		bus.Subscribe(func(e event.Event) {
			if p, ok := orderPlaced.Of(e); ok {
				delivered.Store(p.Number, true)
			}
		})
		leases := &countingLeaser{Leaser: scheduler.New(g, time.Minute, quiet)}
		x := outbox.New(outbox.Options{DB: g, Bus: bus, Leases: leases, Log: quiet})
		const callers = 24
		start := make(chan struct{})
		errs := make(chan error, callers)
		var wg sync.WaitGroup
		for i := 0; i < callers; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				<-start
				number := fmt.Sprintf("S-%d", i)
				if err := db.Retry(context.Background(), func() error {
					return g.Transaction(func(tx *gorm.DB) error {
						return x.Enqueue(tx, orderPlaced.New("tests", placed{OrderID: uint64(i + 1), Number: number}))
					})
				}); err != nil {
					errs <- err
					return
				}
				x.Settle(context.Background())
				if _, ok := delivered.Load(number); !ok {
					errs <- fmt.Errorf("%s was not delivered when its Settle returned", number)
				}
			}(i)
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if leases.holds > 2 {
			t.Errorf("%d settles wrote the relay lease %d times; want it renewed only past half its TTL", callers, leases.holds)
		}
		// Each round reads at least twice (a batch, then nothing left):
		// unshared, 24 settles would read ≥ 48 times.
		if reads >= callers {
			t.Errorf("%d settles read the outbox %d times; concurrent settles must share rounds", callers, reads)
		}
		t.Logf("%d settles: %d lease writes, %d outbox reads", callers, leases.holds, reads)
	})
}

// Events written by a batched transaction (EnqueueStmts) note the relay's
// read count at their commit: a read that started after the commit (the
// relay loop, woken by it) serves the request's Settle, which then reads
// nothing itself; without the note it would wait for a read of its own.
func TestSettleAfterABatchUsesAReadStartedAfterTheCommit(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		var reads atomic.Int64
		if err := g.Callback().Query().Before("gorm:query").Register("test:count_outbox_reads", func(d *gorm.DB) {
			if d.Statement.Table == "outbox_events" {
				reads.Add(1)
			}
		}); err != nil {
			t.Fatal(err)
		}
		defer func() { _ = g.Callback().Query().Remove("test:count_outbox_reads") }()
		if err := g.AutoMigrate(&order{}); err != nil {
			t.Fatal(err)
		}
		bus := event.NewMemoryBus()
		var delivered atomic.Int64
		bus.Subscribe(func(e event.Event) {
			if orderPlaced.Is(e) {
				delivered.Add(1)
			}
		})
		x := outbox.New(outbox.Options{DB: g, Bus: bus, Log: quiet})
		b := db.NewBatcher(g)
		defer b.Close()
		ctx, recorded := event.WithRecording(context.Background())
		var after func([]uint64)
		_, ids, err := b.Tx(ctx, db.Insert("outbox_test_orders", []string{"number"}, "B-1"), func(id uint64) ([]db.Stmt, error) {
			stmts, done, err := x.EnqueueStmts(ctx, orderPlaced.New("tests", placed{OrderID: id, Number: "B-1"}))
			after = done
			return stmts, err
		})
		if err != nil {
			t.Fatal(err)
		}
		after(ids)
		if !recorded.Load() {
			t.Fatal("the request's context does not know it recorded an event")
		}
		if _, err := x.Flush(context.Background()); err != nil { // the loop's read, after the commit
			t.Fatal(err)
		}
		r0 := reads.Load()
		x.Settle(ctx)
		if delivered.Load() != 1 {
			t.Fatalf("%d delivered", delivered.Load())
		}
		if n := reads.Load() - r0; n != 0 {
			t.Errorf("the settle read the outbox %d times; the read after the commit serves it", n)
		}
		// A settle without the note counts from its own call.
		x.Settle(context.Background())
		if n := reads.Load() - r0; n == 0 {
			t.Error("a settle without a commit mark did not read")
		}
	})
}

// A Settle delivers everything committed before it, also when more events
// wait than one read takes (a full batch is followed by the next read).
func TestSettleDeliversMoreThanOneBatch(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		if err := g.AutoMigrate(&order{}); err != nil {
			t.Fatal(err)
		}
		bus := event.NewMemoryBus()
		var delivered atomic.Int64
		bus.Subscribe(func(e event.Event) {
			if orderPlaced.Is(e) {
				delivered.Add(1)
			}
		})
		x := outbox.New(outbox.Options{DB: g, Bus: bus, Log: quiet, Batch: 5})
		for i := 0; i < 12; i++ {
			if err := place(g, x, fmt.Sprintf("M-%d", i)); err != nil {
				t.Fatal(err)
			}
		}
		x.Settle(context.Background())
		if n := delivered.Load(); n != 12 {
			t.Errorf("%d of 12 events delivered when Settle returned (batches of 5)", n)
		}
	})
}

// Under a steady stream of events a Settle returns after the read that
// started after it (and at most one more), not when a read finds nothing
// left: before, the settling request's round read again and again while
// other requests kept committing events, so at 10 ms per round trip every
// request waited for many reads after its own event had been delivered.
func TestSettleUnderSteadyLoadWaitsForOneReadNotAnEmptyOne(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		if err := g.AutoMigrate(&order{}); err != nil {
			t.Fatal(err)
		}
		var reads atomic.Int64
		if err := g.Callback().Query().Before("gorm:query").Register("test:slow_outbox_read", func(d *gorm.DB) {
			if d.Statement.Table == "outbox_events" {
				reads.Add(1)
				time.Sleep(20 * time.Millisecond)
			}
		}); err != nil {
			t.Fatal(err)
		}
		defer func() { _ = g.Callback().Query().Remove("test:slow_outbox_read") }()
		bus := event.NewMemoryBus()
		var delivered sync.Map
		bus.Subscribe(func(e event.Event) {
			if p, ok := orderPlaced.Of(e); ok {
				delivered.Store(p.Number, true)
			}
		})
		x := outbox.New(outbox.Options{DB: g, Bus: bus, Leases: scheduler.New(g, time.Minute, quiet), Log: quiet})
		// Other requests commit an event every 5 ms, more than one per read.
		stop := make(chan struct{})
		var producer sync.WaitGroup
		producer.Add(1)
		go func() {
			defer producer.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				case <-time.After(5 * time.Millisecond):
				}
				_ = db.Retry(context.Background(), func() error { return place(g, x, fmt.Sprintf("B-%d", i)) })
			}
		}()
		defer func() { close(stop); producer.Wait() }()
		// Keep a read of the background stream going, as the relay loop would.
		go x.Settle(context.Background())
		time.Sleep(50 * time.Millisecond)
		for i := 0; i < 5; i++ {
			number := fmt.Sprintf("S-%d", i)
			if err := place(g, x, number); err != nil {
				t.Fatal(err)
			}
			r0 := reads.Load()
			settled := make(chan struct{})
			go func() { x.Settle(context.Background()); close(settled) }()
			select {
			case <-settled:
			case <-time.After(10 * time.Second):
				t.Fatalf("settle %d did not return within 10 s under a steady stream", i)
			}
			if _, ok := delivered.Load(number); !ok {
				t.Fatalf("%s was not delivered when its Settle returned", number)
			}
			// The read running when it arrived, the one after it, and one
			// more when publishing recorded events: never "until empty".
			if n := reads.Load() - r0; n > 3 {
				t.Errorf("settle %d waited for %d outbox reads under a steady stream; want ≤ 3", i, n)
			}
		}
	})
}

// A consumer that loses a deadlock (1213: two instances racing for one
// event's mark on MariaDB or Galera) runs again instead of logging "consumer
// failed" and dropping the event; its effect and mark commit once.
func TestOnceTxRunsAgainAfterADeadlock(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		calls := 0
		var logged bytes.Buffer
		h := outbox.OnceTx(g, "deadlock_victim", slog.New(slog.NewTextHandler(&logged, nil)), func(_ context.Context, tx *gorm.DB, e event.Event) error {
			calls++
			if calls == 1 {
				return &mysql.MySQLError{Number: 1213, Message: "Deadlock found when trying to get lock; try restarting transaction"}
			}
			return nil
		})
		e := event.Event{ID: 4125, Name: "ticket.created", Topic: event.TopicTickets}
		h(e)
		h(e) // a redelivery: already marked
		var marks int64
		g.Model(&outbox.Processed{}).Where("consumer = ? AND event_id = ?", "deadlock_victim", 4125).Count(&marks)
		if calls != 2 || marks != 1 || strings.Contains(logged.String(), "consumer failed") {
			t.Fatalf("calls=%d marks=%d log=%q; want the handler run again once, one mark, nothing logged", calls, marks, logged.String())
		}
	})
}
