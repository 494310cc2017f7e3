package ticket

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/db"
)

// Sort orders of List. The default is newest first.
const (
	SortCreatedDesc  = "-created_at"
	SortCreatedAsc   = "created_at"
	SortPriorityDesc = "-priority"
	SortPriorityAsc  = "priority"
)

// Sorts lists the accepted sort orders.
func Sorts() []string {
	return []string{SortCreatedDesc, SortCreatedAsc, SortPriorityDesc, SortPriorityAsc}
}

// Filter selects tickets. Zero values do not filter. Every combination of
// status, outlet, assignee and customer with the created_at order is served
// by a composite index (see migration 0004), so a first page stays fast at
// millions of tickets.
type Filter struct {
	Statuses    []string
	Type        string
	Priority    string
	OutletID    uint64
	AssigneeID  uint64
	CustomerID  uint64
	UnitID      uint64
	CreatedFrom *time.Time
	CreatedTo   *time.Time // exclusive
	// Number is a whole ticket number or its last digits (db.ParseNumber):
	// the unique number index or the number_tail index.
	Number string
	// CustomerIDs, when not nil, keeps the tickets of these customers only
	// (an empty list matches nothing).
	CustomerIDs []uint64
	Sort        string
	// Cursor is the opaque NextCursor of the previous page.
	Cursor string
	Size   int
}

// Page is one page of a keyset-paginated list.
type Page struct {
	Items []Ticket
	// NextCursor fetches the following page; empty on the last page.
	NextCursor string
}

// cursor is the position after the last row of a page.
type cursor struct {
	rank    int
	created time.Time
	id      uint64
}

func (c cursor) encode() string {
	raw := fmt.Sprintf("%d.%d.%d", c.rank, c.created.UnixMilli(), c.id)
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func decodeCursor(s string) (cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, err
	}
	parts := strings.Split(string(b), ".")
	if len(parts) != 3 {
		return cursor{}, fmt.Errorf("cursor has %d parts", len(parts))
	}
	rank, err1 := strconv.Atoi(parts[0])
	ms, err2 := strconv.ParseInt(parts[1], 10, 64)
	id, err3 := strconv.ParseUint(parts[2], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return cursor{}, fmt.Errorf("bad cursor")
	}
	return cursor{rank: rank, created: time.UnixMilli(ms).UTC(), id: id}, nil
}

// Validate checks the filter's values. Errors: validation.
func (f *Filter) Validate() error {
	fields := apperr.Fields{}
	for _, st := range f.Statuses {
		if !slices.Contains(Statuses(), st) {
			fields["status"] = apperr.OneOf(Statuses()...)
		}
	}
	if f.Type != "" && !slices.Contains(Types(), f.Type) {
		fields["type"] = apperr.OneOf(Types()...)
	}
	if f.Priority != "" && !slices.Contains(Priorities(), f.Priority) {
		fields["priority"] = apperr.OneOf(Priorities()...)
	}
	if f.Sort == "" {
		f.Sort = SortCreatedDesc
	}
	if !slices.Contains(Sorts(), f.Sort) {
		fields["sort"] = apperr.OneOf(Sorts()...)
	}
	if f.Cursor != "" {
		if _, err := decodeCursor(f.Cursor); err != nil {
			fields["cursor"] = apperr.InvalidFormat(apperr.FormatCursor)
		}
	}
	if f.Number != "" {
		if _, ok := db.ParseNumber(f.Number, NumberPrefix); !ok {
			fields["number"] = apperr.Code("ticket_number", fmt.Sprintf("a ticket number (T20261124-000042) or at least its last %d digits", db.MinNumberTail)).With("min_digits", db.MinNumberTail)
		}
	}
	if len(f.CustomerIDs) > 1000 {
		fields["q"] = apperr.Code("too_many_matches", "matches too many customers: say more")
	}
	if f.Size <= 0 {
		f.Size = 50
	}
	if f.Size > 200 {
		fields["size"] = apperr.OutOfRange(1, 200)
	}
	if len(fields) > 0 {
		return apperr.FieldsErr(fields)
	}
	return nil
}

// query applies the filter (not the cursor nor the order) and the caller's
// data scope.
func (s *Service) query(ctx context.Context, f Filter) *gorm.DB {
	q := scope(ctx, s.hot.WithContext(ctx).Model(&Ticket{}))
	q = db.WhereOneOf(q, "status", f.Statuses)
	if f.Type != "" {
		q = q.Where("type = ?", f.Type)
	}
	if f.Priority != "" {
		q = q.Where("priority = ?", f.Priority)
	}
	if f.OutletID != 0 {
		q = q.Where("outlet_id = ?", f.OutletID)
	}
	if f.AssigneeID != 0 {
		q = q.Where("assignee_id = ?", f.AssigneeID)
	}
	if f.CustomerID != 0 {
		q = q.Where("customer_id = ?", f.CustomerID)
	}
	if f.UnitID != 0 {
		q = q.Where("unit_id = ?", f.UnitID)
	}
	if nq, ok := db.ParseNumber(f.Number, NumberPrefix); ok {
		if nq.Whole != "" {
			q = q.Where("number = ?", nq.Whole)
		} else {
			q = db.WhereNumberTail(q, "number_tail", nq.Tail)
		}
	}
	if f.CustomerIDs != nil {
		if len(f.CustomerIDs) == 0 {
			q = q.Where("1 = 0")
		} else {
			q = q.Where("customer_id IN ?", f.CustomerIDs)
		}
	}
	if f.CreatedFrom != nil {
		q = q.Where("created_at >= ?", f.CreatedFrom.UTC().Truncate(time.Millisecond))
	}
	if f.CreatedTo != nil {
		q = q.Where("created_at < ?", f.CreatedTo.UTC().Truncate(time.Millisecond))
	}
	return q
}

// order applies the sort order and the keyset position.
func order(q *gorm.DB, sort string, c *cursor) *gorm.DB {
	desc := strings.HasPrefix(sort, "-")
	cmp, dir := ">", "ASC"
	if desc {
		cmp, dir = "<", "DESC"
	}
	byPriority := strings.HasSuffix(sort, "priority")
	if c != nil {
		if byPriority {
			q = q.Where(fmt.Sprintf("(priority_rank %[1]s ? OR (priority_rank = ? AND (created_at %[1]s ? OR (created_at = ? AND id %[1]s ?))))", cmp),
				c.rank, c.rank, c.created, c.created, c.id)
		} else {
			q = q.Where(fmt.Sprintf("(created_at %[1]s ? OR (created_at = ? AND id %[1]s ?))", cmp), c.created, c.created, c.id)
		}
	}
	if byPriority {
		q = q.Order("priority_rank " + dir)
	}
	return q.Order("created_at " + dir).Order("id " + dir)
}

// List returns a page of tickets visible to the caller. Errors: validation.
func (s *Service) List(ctx context.Context, f Filter) (Page, error) {
	if err := f.Validate(); err != nil {
		return Page{}, err
	}
	return s.page(ctx, f)
}

// page reads one page of a validated filter.
func (s *Service) page(ctx context.Context, f Filter) (Page, error) {
	var c *cursor
	if f.Cursor != "" {
		cur, _ := decodeCursor(f.Cursor)
		c = &cur
	}
	var rows []Ticket
	if err := order(s.query(ctx, f), f.Sort, c).Limit(f.Size + 1).Find(&rows).Error; err != nil {
		return Page{}, apperr.Internal(fmt.Errorf("list tickets: %w", err))
	}
	p := Page{Items: rows}
	if len(rows) > f.Size {
		p.Items = rows[:f.Size]
		last := p.Items[len(p.Items)-1]
		p.NextCursor = cursor{rank: last.PriorityRank, created: last.CreatedAt, id: last.ID}.encode()
	}
	return p, nil
}
