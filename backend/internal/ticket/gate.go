package ticket

import (
	"context"
	"sync"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/db"
)

// WriteGate queues a process's write transactions on SQLite. SQLite admits
// one writer at a time; the others wait in its busy handler, which sleeps
// and retries (1, 2, 5 … 100 ms), so under load some writers wait seconds
// while the lock is free half the time. Queuing them on a mutex first (Go's
// mutex turns fair under contention) keeps the lock busy and the wait
// short. On MySQL, whose row locks queue waiters themselves, it does
// nothing. The work-order service shares the ticket service's gate, as its
// transactions write tickets too.
type WriteGate struct {
	on bool
	mu sync.Mutex
}

// NewWriteGate returns the gate for g: active on SQLite only.
func NewWriteGate(g *gorm.DB) *WriteGate {
	return &WriteGate{on: db.IsSQLite(g)}
}

// Transaction runs fn in a transaction of db, queued behind the other
// write transactions of this process on SQLite.
func (g *WriteGate) Transaction(ctx context.Context, db *gorm.DB, fn func(tx *gorm.DB) error) error {
	return g.transaction(ctx, db, fn)
}

func (g *WriteGate) transaction(ctx context.Context, db *gorm.DB, fn func(tx *gorm.DB) error) error {
	if g.on {
		g.mu.Lock()
		defer g.mu.Unlock()
	}
	return db.WithContext(ctx).Transaction(fn)
}

// hold queues the caller behind this process's other write transactions
// on SQLite (as transaction does) until release is called.
func (g *WriteGate) hold() (release func()) {
	if !g.on {
		return func() {}
	}
	g.mu.Lock()
	return g.mu.Unlock
}

// WriteGate returns the service's gate, for services whose transactions
// write tickets (work orders).
func (s *Service) WriteGate() *WriteGate { return s.gate }
