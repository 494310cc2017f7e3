package app

import (
	"context"
	"fmt"
	"time"

	"github.com/aftersales/aftersales/backend/internal/db"
)

// startupDefault is one idempotent step that gives a new installation its
// starting configuration (default SLA calendars, work-order kinds, message
// templates). Each inserts only what is missing, with insert-or-ignore.
type startupDefault struct {
	name string
	run  func(context.Context) error
}

// startupAttempts bounds the retries of one startup default. Two instances
// started together on a Galera cluster both insert the same rows on
// different nodes; the loser of the certification gets a deadlock (1213) at
// commit, and running its step again finds the winner's rows and does
// nothing. A single retry round (db.Retry, 3 attempts within 30 ms) was
// not always enough while the other node was still applying its write set,
// so startup waits longer: it runs once per instance start.
const startupAttempts = 8

// ensureDefaults runs each step, again after a retryable conflict, and
// fails the start with the step's name when it cannot complete.
func ensureDefaults(ctx context.Context, steps []startupDefault) error {
	for _, s := range steps {
		var err error
		for attempt := 0; attempt < startupAttempts; attempt++ {
			if err = s.run(ctx); err == nil || !db.IsRetryable(err) {
				break
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("startup defaults %s: %w", s.name, err)
			case <-time.After(time.Duration(20*(attempt+1)) * time.Millisecond):
			}
		}
		if err != nil {
			return fmt.Errorf("startup defaults %s: %w", s.name, err)
		}
	}
	return nil
}
