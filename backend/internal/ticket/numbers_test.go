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
		// Each instance used 160 numbers: ⌈160/7⌉ = 23 blocks each, and
		// reserves the next block ahead once one is half used (its 24th may
		// still be on its way): one update per block.
		if counter.Value%7 != 0 || counter.Value < 2*23*7 || counter.Value > 2*24*7 {
			t.Fatalf("counter %d, want 23 or 24 blocks of 7 per instance (%d–%d; one update per block)", counter.Value, 2*23*7, 2*24*7)
		}
		// The next day starts its own counter (the row is created on demand).
		num, err := a.Next(context.Background(), g, "T", at.Add(24*time.Hour), time.UTC)
		if err != nil || num != "T20261125-000001" {
			t.Fatalf("next day: %s %v", num, err)
		}
	})
}

// The next block is reserved ahead, once the current one is half used: the
// creation that uses a block up takes the next without a round trip to
// the counter (before, it reserved it holding the process's lock, and every
// creation waited).
func TestNextBlockIsReservedAhead(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		at := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
		q := &ticket.Sequences{Block: 10}
		counter := func() uint64 {
			var c ticket.NumberSequence
			if err := g.Where("name = ?", "T20261124").Take(&c).Error; err != nil {
				t.Fatal(err)
			}
			return c.Value
		}
		next := func() string {
			num, err := q.Next(context.Background(), g, "T", at, time.UTC)
			if err != nil {
				t.Fatal(err)
			}
			return num
		}
		for i := 1; i <= 4; i++ {
			next()
		}
		if c := counter(); c != 10 {
			t.Fatalf("counter %d after 4 of 10 numbers; want 10 (no block ahead yet)", c)
		}
		next() // half used
		deadline := time.Now().Add(10 * time.Second)
		for counter() != 20 {
			if time.Now().After(deadline) {
				t.Fatalf("counter %d: the next block was not reserved ahead", counter())
			}
			time.Sleep(10 * time.Millisecond)
		}
		for i := 6; i <= 10; i++ {
			next()
		}
		if num := next(); num != "T20261124-000011" {
			t.Fatalf("the 11th number is %s; want the first of the block reserved ahead", num)
		}
		if c := counter(); c != 20 {
			t.Fatalf("counter %d when the block ahead was taken; want 20 (no reservation in the request)", c)
		}
	})
}
