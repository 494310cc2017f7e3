package ticket_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/migrations"
	"github.com/aftersales/aftersales/backend/internal/testutil"
	"github.com/aftersales/aftersales/backend/internal/ticket"
)

// TestHiLoAcrossGaleraNodes: with TEST_GALERA_DSNS (comma-separated DSNs of
// two or more nodes of one Galera cluster), processes on different nodes
// reserve blocks concurrently; certification conflicts (1213) are retried
// and every number is unique. Skipped without a cluster.
func TestHiLoAcrossGaleraNodes(t *testing.T) {
	dsns := strings.Split(os.Getenv("TEST_GALERA_DSNS"), ",")
	if len(dsns) < 2 {
		t.Skip("TEST_GALERA_DSNS is not set")
	}
	name, err := testutil.CreateMySQLDatabase(dsns[0])
	if err != nil {
		t.Fatal(err)
	}
	var nodes []*gorm.DB
	for i, dsn := range dsns {
		g, err := db.Open(db.Options{Driver: "mysql", DSN: testutil.WithDatabase(dsn, name), MaxOpenConns: 8})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if err := migrations.Migrate(g); err != nil {
				t.Fatal(err)
			}
			defer g.Exec("DROP DATABASE " + name)
		}
		nodes = append(nodes, g)
	}
	at := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	seen := map[string]bool{}
	// One process (Sequences) per node, eight goroutines each.
	procs := make([]*ticket.Sequences, len(nodes))
	for i := range procs {
		procs[i] = &ticket.Sequences{Block: 3}
	}
	var wg sync.WaitGroup
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			q, g := procs[w%len(nodes)], nodes[w%len(nodes)]
			for i := 0; i < 60; i++ {
				num, err := q.Next(context.Background(), g, "T", at, time.UTC)
				mu.Lock()
				if err != nil {
					t.Error(err)
				} else if seen[num] {
					t.Errorf("duplicate %s", num)
				}
				seen[num] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != 16*60 {
		t.Fatalf("%d numbers", len(seen))
	}
}
