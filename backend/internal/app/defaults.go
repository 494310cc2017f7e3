package app

import (
	"context"
	"fmt"
	"log/slog"
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

// startupLease names the lease an instance holds while it starts, and
// startupLeaseTTL bounds it: an instance that dies while starting frees it
// after that long.
const (
	startupLease    = "startup"
	startupLeaseTTL = 2 * time.Minute
	startupWait     = 3 * time.Minute
)

// leaseHolder is the part of the scheduler holdStartup uses.
type leaseHolder interface {
	Hold(ctx context.Context, name string, ttl time.Duration) (bool, error)
	Release(name string)
}

// holdStartup waits for the startup lease and returns its release. Startup
// writes the installation's defaults, the shipped standard and the role
// policy; two instances started together on a Galera cluster wrote the same
// rows on different nodes, and the loser of each certification stopped on
// a deadlock (1213) at commit — first on the message templates, then on the
// readiness standard. Retrying each write (ensureDefaults) fixed one place
// at a time; taking turns fixes the cause: the second instance starts once
// the first has written, and its own writes find the rows in place.
func holdStartup(ctx context.Context, leases leaseHolder, log *slog.Logger) (func(), error) {
	deadline := time.Now().Add(startupWait)
	logged := false
	for {
		ok, err := leases.Hold(ctx, startupLease, startupLeaseTTL)
		if err != nil && !db.IsRetryable(err) {
			return nil, fmt.Errorf("startup lease: %w", err)
		}
		if ok {
			return func() { leases.Release(startupLease) }, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("startup lease: another instance has been starting for %s", startupWait)
		}
		if !logged && err == nil {
			log.Info("waiting for another instance to finish starting")
			logged = true
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("startup lease: %w", ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}
