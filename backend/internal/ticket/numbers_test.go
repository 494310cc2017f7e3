package ticket_test

import (
	"context"
	"regexp"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/testutil"
	"github.com/aftersales/aftersales/backend/internal/ticket"
)

var numberRE = regexp.MustCompile(`^T20261124-\d{6,}$`)

// HiLo numbering: two instances (two Sequences on one database) handing
// out numbers concurrently never give the same number; each reserves a
// block in its own short statement, so the counter row moves once per block.
func TestHiLoNumbersAreUniqueAcrossInstances(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		at := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
		a, b := &ticket.Sequences{Block: 7}, &ticket.Sequences{Block: 7}
		const workers, each = 8, 40
		var mu sync.Mutex
		seen := map[string]bool{}
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				q := a
				if w%2 == 1 {
					q = b
				}
				for i := 0; i < each; i++ {
					num, err := q.Next(context.Background(), g, "T", at, time.UTC)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					if seen[num] || !numberRE.MatchString(num) {
						t.Errorf("duplicate or malformed %s", num)
					}
					seen[num] = true
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(seen) != workers*each {
			t.Fatalf("%d numbers", len(seen))
		}
		var counter ticket.NumberSequence
		if err := g.Where("name = ?", "T20261124").Take(&counter).Error; err != nil {
			t.Fatal(err)
		}
		// Each instance used 160 numbers: ⌈160/7⌉ = 23 blocks each.
		if counter.Value != 2*23*7 {
			t.Fatalf("counter %d, want %d (one update per block)", counter.Value, 2*23*7)
		}
		// The next day starts its own counter (the row is created on demand).
		num, err := a.Next(context.Background(), g, "T", at.Add(24*time.Hour), time.UTC)
		if err != nil || num != "T20261125-000001" {
			t.Fatalf("next day: %s %v", num, err)
		}
	})
}
