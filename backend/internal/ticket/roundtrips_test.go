package ticket_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/migrations"
	"github.com/aftersales/aftersales/backend/internal/outbox"
	"github.com/aftersales/aftersales/backend/internal/sla"
	"github.com/aftersales/aftersales/backend/internal/testutil"
	"github.com/aftersales/aftersales/backend/internal/ticket"
)

// writes counts the commands sent to MariaDB by every connection dialled
// through the "countedtcp" network: each is one round trip (the client
// waits for its answer), the application's pool and the batch pool alike.
var writes atomic.Int64

type countedConn struct{ net.Conn }

func (c countedConn) Write(b []byte) (int, error) {
	writes.Add(1)
	return c.Conn.Write(b)
}

func init() {
	mysql.RegisterDialContext("countedtcp", func(ctx context.Context, addr string) (net.Conn, error) {
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, err
		}
		return countedConn{c}, nil
	})
}

// A ticket creation with an idempotency key, through the outbox, costs the
// service three round trips to MariaDB: the key's lookup, and the creating
// transaction in two (START TRANSACTION with the ticket's INSERT; the key,
// timeline line, SLA log, audit leaf and outbox row with COMMIT). Before
// the batch it was eleven (BEGIN, six INSERTs, COMMIT and the lookup). The
// SLA policies are cached and the number comes from this process's block.
func TestCreateTakesThreeRoundTripsOnMariaDB(t *testing.T) {
	dsn := os.Getenv("TEST_MYSQL_DSN")
	if dsn == "" {
		if os.Getenv("REQUIRE_MYSQL") != "" {
			t.Fatal("TEST_MYSQL_DSN is not set")
		}
		t.Skip("TEST_MYSQL_DSN is not set")
	}
	name, err := testutil.CreateMySQLDatabase(dsn)
	if err != nil {
		t.Fatal(err)
	}
	counted := strings.Replace(testutil.WithDatabase(dsn, name), "@tcp(", "@countedtcp(", 1)
	g, err := db.Open(db.Options{Driver: "mysql", DSN: counted, MaxOpenConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Exec("DROP DATABASE " + name)
	if err := migrations.Migrate(g); err != nil {
		t.Fatal(err)
	}
	bus := event.NewMemoryBus()
	var delivered atomic.Int64
	bus.Subscribe(func(e event.Event) {
		if event.TicketCreated.Is(e) {
			delivered.Add(1)
		}
	})
	box := outbox.New(outbox.Options{DB: g, Bus: bus})
	store := sla.New(sla.Options{DB: g, Audit: audit.New(nil), Bus: box})
	if err := store.EnsureDefaults(context.Background()); err != nil {
		t.Fatal(err)
	}
	svc := ticket.New(ticket.Options{DB: g, Audit: audit.New(nil), Bus: box, SLA: store})
	defer svc.Close()
	ctx := actor.With(context.Background(), actor.Actor{UserID: 7, Username: "agent", Roles: []string{"hotline_agent"}})
	n := 0
	create := func() ticket.Detail {
		n++
		d, created, err := svc.Create(ctx, ticket.NewTicket{Channel: ticket.ChannelPhone, Type: ticket.TypeRepair, CustomerID: 1,
			RegionCode: "440305", Description: "空调不制冷", IdempotencyKey: fmt.Sprintf("rt-%d-%d", time.Now().UnixNano(), n)})
		if err != nil || !created {
			t.Fatalf("create: %v (created %v)", err, created)
		}
		return d
	}
	for i := 0; i < 20; i++ { // warm the caches, the number block and both pools
		create()
	}
	const creates = 200
	before := writes.Load()
	var last ticket.Detail
	for i := 0; i < creates; i++ {
		last = create()
	}
	perCreate := float64(writes.Load()-before) / creates
	t.Logf("%.2f round trips per create", perCreate)
	if perCreate > 3.2 {
		t.Errorf("a create took %.2f round trips; want 3 (key lookup, then the transaction in two)", perCreate)
	}
	// Everything the batch wrote reads back as written.
	got, err := svc.Get(ctx, last.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Number != last.Number || got.Description != last.Description || !got.CreatedAt.Equal(last.CreatedAt) || got.SLAPolicy != last.SLAPolicy {
		t.Errorf("read back %+v; created %+v", got, last.Ticket)
	}
	box.Settle(context.Background())
	if d := delivered.Load(); d != 20+creates {
		t.Errorf("%d ticket.created delivered through the outbox; want %d", d, 20+creates)
	}
}
