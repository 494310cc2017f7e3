package ticket

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/db"
)

// Ticket statuses.
const (
	StatusNew             = "new"
	StatusAssigned        = "assigned"
	StatusInProgress      = "in_progress"
	StatusWaitingCustomer = "waiting_customer"
	StatusWaitingParts    = "waiting_parts"
	StatusResolved        = "resolved"
	StatusClosed          = "closed"
)

// Statuses lists the statuses in the order of a ticket's life.
func Statuses() []string {
	return []string{StatusNew, StatusAssigned, StatusInProgress, StatusWaitingCustomer, StatusWaitingParts, StatusResolved, StatusClosed}
}

// transitions is the status machine. Leaving resolved or closed for
// in_progress is a reopen (it needs a reason and counts); a ticket reaches
// assigned through an assignment. Closing is only possible from resolved,
// so every closed ticket passed through resolution.
var transitions = map[string][]string{
	StatusNew:             {StatusAssigned, StatusInProgress, StatusResolved},
	StatusAssigned:        {StatusInProgress, StatusResolved},
	StatusInProgress:      {StatusWaitingCustomer, StatusWaitingParts, StatusResolved},
	StatusWaitingCustomer: {StatusInProgress, StatusWaitingParts, StatusResolved},
	StatusWaitingParts:    {StatusInProgress, StatusWaitingCustomer, StatusResolved},
	StatusResolved:        {StatusClosed, StatusInProgress},
	StatusClosed:          {StatusInProgress},
}

// Allowed returns the statuses a ticket may move to next. A ticket merged
// into another is finished: nothing is allowed.
func (t Ticket) Allowed() []string {
	if t.MergedIntoID != nil {
		return []string{}
	}
	return slices.Clone(transitions[t.Status])
}

// CanMove reports whether the status machine allows from → to.
func CanMove(from, to string) bool { return slices.Contains(transitions[from], to) }

// isReopen reports whether from → to is a reopen.
func isReopen(from, to string) bool {
	return (from == StatusResolved || from == StatusClosed) && to == StatusInProgress
}

// errTransition is the 409 naming the allowed statuses.
func errTransition(t Ticket, to string) error {
	allowed := t.Allowed()
	msg := fmt.Sprintf("a %s ticket cannot move to %s", t.Status, to)
	if t.MergedIntoID != nil {
		msg = "the ticket was merged into another ticket and cannot change"
	}
	return apperr.Conflict("invalid_transition", msg).WithDetail("allowed", allowed).WithDetail("status", t.Status)
}

// Sequences hands out human-readable numbers such as "T20261126-000123".
// It is safe for concurrent use; one value serves a whole process.
//
// Numbers are allocated HiLo: the process reserves a block of Block numbers
// (default 20) per prefix and day in one short statement of its own
// (number_sequences.value += Block), then hands them out from memory. No
// business transaction holds the counter row, so creations on several
// instances never queue on it. Numbers stay unique (blocks are disjoint; the
// tables keep their unique index) and readable (T<date>-<n>), but:
//   - they have gaps: a block's unused rest (and the next block, reserved
//     ahead once the current one is half used, so that no creation waits for
//     the counter) is lost when the process stops or the day ends, and a
//     creation that rolls back loses its number;
//   - across instances they are not in creation order (each instance counts
//     up through its own block).
type Sequences struct {
	ensured sync.Map // counter names known to exist
	// Block is how many numbers one reservation takes (0: 20).
	Block  uint64
	mu     sync.Mutex
	blocks map[string]*numberBlock
}

type numberBlock struct {
	first, next, last uint64
	// ahead delivers the block reserved in the background once this one
	// was half used (nil: not requested yet). Before, the creation that
	// used a block up reserved the next one while holding mu, so every
	// creation of the process waited for that round trip (20 of 64 requests
	// at a time with a database 10 ms away).
	ahead chan reservedBlock
}

type reservedBlock struct {
	last uint64
	err  error
}

// Prepare makes sure the counter row of prefix for the local day of at
// exists (once per process and day it costs an insert-or-ignore).
func (q *Sequences) Prepare(ctx context.Context, db *gorm.DB, prefix string, at time.Time, loc *time.Location) error {
	name := prefix + at.In(orUTC(loc)).Format("20060102")
	if _, ok := q.ensured.Load(name); ok {
		return nil
	}
	if err := db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&NumberSequence{Name: name, Value: 0}).Error; err != nil {
		return fmt.Errorf("number %s: %w", name, err)
	}
	q.ensured.Store(name, true)
	return nil
}

// Next returns the next number for prefix on the local day of at. Pass the
// database, not a transaction: when this process's block is used up, the
// next block is reserved in its own autocommitted statement, so the counter
// row is locked only for that statement.
func (q *Sequences) Next(ctx context.Context, db *gorm.DB, prefix string, at time.Time, loc *time.Location) (string, error) {
	day := at.In(orUTC(loc)).Format("20060102")
	name := prefix + day
	q.mu.Lock()
	defer q.mu.Unlock()
	size := q.Block
	if size == 0 {
		size = 20
	}
	b := q.blocks[name]
	if b == nil || b.next > b.last {
		last, err := q.nextBlock(ctx, db, name, size, b)
		if err != nil {
			return "", err
		}
		if q.blocks == nil {
			q.blocks = map[string]*numberBlock{}
		}
		for k := range q.blocks { // yesterday's blocks are of no further use
			if strings.HasPrefix(k, prefix) && k != name {
				delete(q.blocks, k)
			}
		}
		b = &numberBlock{first: last - size + 1, next: last - size + 1, last: last}
		q.blocks[name] = b
	}
	n := b.next
	b.next++
	if b.ahead == nil && b.next-b.first >= (size+1)/2 {
		ahead := make(chan reservedBlock, 1)
		b.ahead = ahead
		go func() {
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			last, err := q.reserve(ctx, db, name, size)
			ahead <- reservedBlock{last, err}
		}()
	}
	return format(prefix, day, n), nil
}

// nextBlock returns the last number of the block after used: the one
// reserved ahead when it is there (waiting for it if it is on its way), or
// a block reserved now.
func (q *Sequences) nextBlock(ctx context.Context, db *gorm.DB, name string, size uint64, used *numberBlock) (uint64, error) {
	if used != nil && used.ahead != nil {
		select {
		case r := <-used.ahead:
			if r.err == nil {
				return r.last, nil
			}
			// The reservation ahead failed: try again now, in this request.
		case <-ctx.Done():
			return 0, fmt.Errorf("number %s: %w", name, ctx.Err())
		}
	}
	return q.reserve(ctx, db, name, size)
}

// reserve adds size to the counter of name and returns the new value, the
// last number of the reserved block. On a Galera cluster two nodes
// reserving at once make one fail certification (1213): the statement
// changed nothing, so it is simply run again.
func (q *Sequences) reserve(ctx context.Context, g *gorm.DB, name string, size uint64) (uint64, error) {
	var last uint64
	var err error
	for attempt := 0; attempt < 20; attempt++ {
		if last, err = q.reserveOnce(ctx, g, name, size); err == nil || !db.IsRetryable(err) {
			return last, err
		}
		time.Sleep(time.Duration(1+rand.IntN(min(5*(attempt+1), 50))) * time.Millisecond)
	}
	return last, err
}

func (q *Sequences) reserveOnce(ctx context.Context, db *gorm.DB, name string, size uint64) (uint64, error) {
	for attempt := 0; attempt < 2; attempt++ {
		switch db.Dialector.Name() {
		case "mysql":
			// LAST_INSERT_ID(expr) hands the new value back with the
			// statement's result: one statement, no SELECT.
			sqlDB, err := db.DB()
			if err != nil {
				return 0, fmt.Errorf("number %s: %w", name, err)
			}
			res, err := sqlDB.ExecContext(ctx, "UPDATE number_sequences SET value = LAST_INSERT_ID(value + ?) WHERE name = ?", size, name)
			if err != nil {
				return 0, fmt.Errorf("number %s: %w", name, err)
			}
			if n, _ := res.RowsAffected(); n == 1 {
				v, err := res.LastInsertId()
				if err != nil {
					return 0, fmt.Errorf("number %s: %w", name, err)
				}
				return uint64(v), nil
			}
		default:
			var value uint64
			if err := db.WithContext(ctx).Raw("UPDATE number_sequences SET value = value + ? WHERE name = ? RETURNING value", size, name).Scan(&value).Error; err != nil {
				return 0, fmt.Errorf("number %s: %w", name, err)
			}
			if value > 0 {
				return value, nil
			}
		}
		// Not prepared (midnight passed in between): create the row, retry.
		if err := db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&NumberSequence{Name: name, Value: 0}).Error; err != nil {
			return 0, fmt.Errorf("number %s: %w", name, err)
		}
	}
	return 0, fmt.Errorf("number %s: counter row missing", name)
}

func orUTC(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}

func format(prefix, day string, n uint64) string {
	s := strconv.FormatUint(n, 10)
	if len(s) < 6 {
		s = strings.Repeat("0", 6-len(s)) + s
	}
	return prefix + day + "-" + s
}
