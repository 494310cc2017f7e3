package ticket

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/aftersales/aftersales/backend/internal/apperr"
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
type Sequences struct {
	ensured sync.Map // counter names known to exist
}

// Prepare makes sure the counter row of prefix for the local day of at
// exists. Call it before opening the transaction that calls Next (once per
// process and day it costs an insert-or-ignore): two MySQL transactions
// that both found no row and both inserted it would otherwise deadlock on
// the gap lock of the first number of the day, and on SQLite a second
// connection cannot write while the transaction holds the lock.
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

// Next returns the next number for prefix on the local day of at. The
// counter row (prefix+date) is incremented inside tx, so numbers are unique
// and gap-free per committed transaction on both databases and across
// servers: the UPDATE takes the row lock on MySQL and SQLite serialises
// writers. Numbers sort by day, then by counter.
func (q *Sequences) Next(ctx context.Context, tx *gorm.DB, prefix string, at time.Time, loc *time.Location) (string, error) {
	day := at.In(orUTC(loc)).Format("20060102")
	name := prefix + day
	t := tx.WithContext(ctx)
	if tx.Dialector.Name() == "sqlite" {
		// One statement instead of two: SQLite has UPDATE … RETURNING
		// (MariaDB does not).
		var value uint64
		err := t.Raw("UPDATE number_sequences SET value = value + 1 WHERE name = ? RETURNING value", name).Scan(&value).Error
		if err != nil {
			return "", fmt.Errorf("number %s: %w", name, err)
		}
		if value > 0 {
			return format(prefix, day, value), nil
		}
	}
	res := t.Model(&NumberSequence{}).Where("name = ?", name).Update("value", gorm.Expr("value + 1"))
	if res.Error != nil {
		return "", fmt.Errorf("number %s: %w", name, res.Error)
	}
	if res.RowsAffected == 0 {
		// Not prepared (midnight passed in between): create it here.
		if err := t.Create(&NumberSequence{Name: name, Value: 1}).Error; err != nil {
			return "", fmt.Errorf("number %s: %w", name, err)
		}
		return format(prefix, day, 1), nil
	}
	var seq NumberSequence
	if err := t.Where("name = ?", name).Take(&seq).Error; err != nil {
		return "", fmt.Errorf("number %s: %w", name, err)
	}
	return format(prefix, day, seq.Value), nil
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
