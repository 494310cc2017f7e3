package parts

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/event"
)

// MaxQty bounds one movement's quantity.
const MaxQty = 1_000_000

// Take is a request to remove parts from a location's stock.
type Take struct {
	PartID     uint64
	LocationID uint64
	Qty        int64
	Kind       string // KindConsume, KindIssue, KindTransferOut, KindAdjust
	Ref        string
	Serial     string
	Note       string
}

// Taken reports a completed take: the movement and the balance before and
// after, so the caller can publish low-stock events after its commit.
type Taken struct {
	Movement Movement
	Before   int64
	After    int64
	MinLevel int64
}

// CrossedLow reports whether this take brought the balance to its reorder
// point or below (from above it).
func (t Taken) CrossedLow() bool {
	return t.MinLevel > 0 && t.After <= t.MinLevel && t.Before > t.MinLevel
}

// ErrOutOfStock builds the 409 for a take the stock cannot cover.
func ErrOutOfStock(p Part, location uint64, onHand, want int64) *apperr.Error {
	return apperr.Conflict("out_of_stock", fmt.Sprintf("not enough %s (%s) at %s: %d on hand, %d wanted", p.Name, p.Code, LocationName(location), onHand, want)).
		WithDetail("part_id", p.ID).WithDetail("part_code", p.Code).WithDetail("location_id", location).
		WithDetail("on_hand", onHand).WithDetail("wanted", want)
}

// TakeTx removes t.Qty of a part from a location inside the caller's
// transaction and writes the ledger movement. It never lets stock go
// negative: the decrement is a guarded UPDATE, so of two concurrent takes of
// the last part exactly one succeeds and the other gets 409 out_of_stock.
// The caller records the audit entry of the business change it belongs to
// and passes the result to EnqueueTaken in the same transaction.
func (s *Service) TakeTx(ctx context.Context, tx *gorm.DB, t Take) (Taken, error) {
	if t.Qty <= 0 || t.Qty > MaxQty {
		return Taken{}, apperr.FieldErr("qty", apperr.OutOfRange(1, MaxQty))
	}
	var p Part
	if err := db.Take(tx.WithContext(ctx).Where("id = ?", t.PartID), &p, "part"); err != nil {
		return Taken{}, err
	}
	now := s.o.Now().UTC()
	res := tx.WithContext(ctx).Exec("UPDATE stock_balances SET on_hand = on_hand - ?, updated_at = ? WHERE part_id = ? AND location_id = ? AND on_hand >= ?",
		t.Qty, now, t.PartID, t.LocationID, t.Qty)
	if res.Error != nil {
		return Taken{}, res.Error
	}
	var b Balance
	err := tx.WithContext(ctx).Where("part_id = ? AND location_id = ?", t.PartID, t.LocationID).Take(&b).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return Taken{}, err
	}
	if res.RowsAffected != 1 {
		return Taken{}, ErrOutOfStock(p, t.LocationID, b.OnHand, t.Qty)
	}
	m, err := s.writeMovement(ctx, tx, t.PartID, t.LocationID, -t.Qty, b.OnHand, t.Kind, t.Ref, t.Serial, t.Note)
	if err != nil {
		return Taken{}, err
	}
	return Taken{Movement: m, Before: b.OnHand + t.Qty, After: b.OnHand, MinLevel: b.MinLevel}, nil
}

// NoteRecordedInError is the ledger note of a part line removed from a
// repair because it was recorded by mistake.
const NoteRecordedInError = "returned: recorded in error"

// ReturnTx puts qty pieces of a part back into a location's stock inside
// the caller's transaction, with a ledger movement of kind return (ref,
// serial and note as given): the reverse of a take recorded in error. The
// caller records the audit entry of the business change it belongs to.
// Errors: validation (qty), not_found (part).
func (s *Service) ReturnTx(ctx context.Context, tx *gorm.DB, partID, location uint64, qty int64, ref, serial, note string) (Movement, error) {
	if qty <= 0 || qty > MaxQty {
		return Movement{}, apperr.FieldErr("qty", apperr.OutOfRange(1, MaxQty))
	}
	var n int64
	if err := tx.WithContext(ctx).Model(&Part{}).Where("id = ?", partID).Count(&n).Error; err != nil {
		return Movement{}, err
	}
	if n == 0 {
		return Movement{}, apperr.NotFound("part")
	}
	return s.addTx(ctx, tx, partID, location, qty, KindReturn, ref, serial, note)
}

// addTx adds qty (> 0) to a location's stock (creating the balance row) and
// writes the movement.
func (s *Service) addTx(ctx context.Context, tx *gorm.DB, partID, location uint64, qty int64, kind, ref, serial, note string) (Movement, error) {
	now := s.o.Now().UTC()
	row := Balance{PartID: partID, LocationID: location, OnHand: qty, UpdatedAt: now}
	err := tx.WithContext(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "part_id"}, {Name: "location_id"}},
		DoUpdates: clause.Assignments(map[string]any{
			"on_hand":    gorm.Expr("on_hand + ?", qty),
			"updated_at": now,
		}),
	}).Create(&row).Error
	if err != nil {
		return Movement{}, err
	}
	var b Balance
	if err := tx.WithContext(ctx).Where("part_id = ? AND location_id = ?", partID, location).Take(&b).Error; err != nil {
		return Movement{}, err
	}
	return s.writeMovement(ctx, tx, partID, location, qty, b.OnHand, kind, ref, serial, note)
}

func (s *Service) writeMovement(ctx context.Context, tx *gorm.DB, partID, location uint64, qty, after int64, kind, ref, serial, note string) (Movement, error) {
	a := actor.From(ctx)
	m := Movement{PartID: partID, LocationID: location, Qty: qty, BalanceAfter: after, Kind: kind, Ref: ref, Serial: serial,
		Note: note, ActorName: a.Username, At: s.o.Now().UTC()}
	if a.UserID != 0 {
		id := a.UserID
		m.ActorID = &id
	}
	if err := tx.WithContext(ctx).Create(&m).Error; err != nil {
		return Movement{}, err
	}
	return m, nil
}

// EnqueueTaken records parts.low_stock, in tx, for every take that brought
// a balance to its reorder point: the event commits or rolls back with the
// take. Topic: outlet:<location> (outlet:0 is the central warehouse).
func (s *Service) EnqueueTaken(ctx context.Context, tx *gorm.DB, taken ...Taken) error {
	return s.o.Bus.Enqueue(tx, s.lowStock(tx.WithContext(ctx), taken)...)
}

func (s *Service) lowStock(db *gorm.DB, taken []Taken) []event.Event {
	var out []event.Event
	for _, t := range taken {
		if !t.CrossedLow() {
			continue
		}
		var p Part
		_ = db.Select("id", "code", "name").Where("id = ?", t.Movement.PartID).Take(&p).Error
		out = append(out, event.PartsLowStock.New(LocationTopic(t.Movement.LocationID), event.LowStock{
			PartID: t.Movement.PartID, PartCode: p.Code, PartName: p.Name, LocationID: t.Movement.LocationID,
			OnHand: t.After, MinLevel: t.MinLevel}))
	}
	return out
}

// StockChange is the input of Receive, Issue and Adjust.
type StockChange struct {
	PartID     uint64
	LocationID uint64
	Qty        int64 // > 0 for Receive and Issue; signed, non-zero, for Adjust
	Ref        string
	Serial     string
	Note       string
}

func (s *Service) checkLocation(ctx context.Context, location uint64, scoped bool) error {
	if scoped {
		if own, ok := actor.From(ctx).OutletScoped(); ok && own != location {
			return apperr.NotFound("location")
		}
	}
	if location != LocationCentral && s.o.Outlets != nil {
		if err := s.o.Outlets(ctx, location); err != nil {
			if apperr.IsKind(err, apperr.KindNotFound) {
				return apperr.FieldErr("location_id", apperr.NoSuch("outlet"))
			}
			return err
		}
	}
	return nil
}

func cleanChange(c *StockChange, fields apperr.Fields) {
	c.Ref = strings.TrimSpace(c.Ref)
	c.Serial = strings.TrimSpace(c.Serial)
	c.Note = strings.TrimSpace(c.Note)
	if c.PartID == 0 {
		fields["part_id"] = apperr.Required()
	}
	if utf8.RuneCountInString(c.Ref) > 64 {
		fields["ref"] = apperr.TooLong(64)
	}
	if utf8.RuneCountInString(c.Serial) > 64 {
		fields["serial"] = apperr.TooLong(64)
	}
	if utf8.RuneCountInString(c.Note) > 255 {
		fields["note"] = apperr.TooLong(255)
	}
}

// checkMove cleans a receipt or an issue and checks it: a quantity of 1 to
// MaxQty, and a location the caller may book at (scoped: an outlet user only at
// their own outlet, as checkLocation).
func (s *Service) checkMove(ctx context.Context, c *StockChange, scoped bool) error {
	fields := apperr.Fields{}
	cleanChange(c, fields)
	if c.Qty <= 0 || c.Qty > MaxQty {
		fields["qty"] = apperr.OutOfRange(1, MaxQty)
	}
	if len(fields) > 0 {
		return apperr.FieldsErr(fields)
	}
	return s.checkLocation(ctx, c.LocationID, scoped)
}

// Receive books goods in (from a supplier) at a location. Errors:
// validation, not_found (part).
func (s *Service) Receive(ctx context.Context, c StockChange) (Movement, error) {
	if err := s.checkMove(ctx, &c, false); err != nil {
		return Movement{}, err
	}
	var m Movement
	err := Retry(func() error {
		return s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			if _, err := s.loadPart(ctx, tx, c.PartID); err != nil {
				return err
			}
			var err error
			m, err = s.addTx(ctx, tx, c.PartID, c.LocationID, c.Qty, KindReceipt, c.Ref, c.Serial, c.Note)
			if err != nil {
				return err
			}
			return s.o.Audit.Record(ctx, tx, audit.Entry{Action: "receive", Entity: "stock", EntityID: stockKey(c.PartID, c.LocationID),
				Before: map[string]any{"on_hand": m.BalanceAfter - c.Qty}, After: movementSnapshot(m)})
		})
	})
	if err != nil {
		return Movement{}, wrap(err, "receive stock")
	}
	return m, nil
}

// Issue takes parts from a location for a job that has no repair record
// (e.g. an installation); outlet users may only issue from their own
// outlet. Errors: validation, not_found, conflict out_of_stock.
func (s *Service) Issue(ctx context.Context, c StockChange) (Movement, error) {
	if err := s.checkMove(ctx, &c, true); err != nil {
		return Movement{}, err
	}
	var taken Taken
	err := Retry(func() error {
		return s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			var err error
			taken, err = s.TakeTx(ctx, tx, Take{PartID: c.PartID, LocationID: c.LocationID, Qty: c.Qty, Kind: KindIssue, Ref: c.Ref, Serial: c.Serial, Note: c.Note})
			if err != nil {
				return err
			}
			if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: "issue", Entity: "stock", EntityID: stockKey(c.PartID, c.LocationID),
				Before: map[string]any{"on_hand": taken.Before}, After: movementSnapshot(taken.Movement)}); err != nil {
				return err
			}
			return s.EnqueueTaken(ctx, tx, taken)
		})
	})
	if err != nil {
		return Movement{}, wrap(err, "issue stock")
	}
	return taken.Movement, nil
}

// Adjust corrects a location's stock after a count (signed quantity, with a
// reason). A negative adjustment is guarded like any take. Errors:
// validation, not_found, conflict out_of_stock.
func (s *Service) Adjust(ctx context.Context, c StockChange) (Movement, error) {
	fields := apperr.Fields{}
	cleanChange(&c, fields)
	if c.Qty == 0 || c.Qty > MaxQty || c.Qty < -MaxQty {
		fields["qty"] = apperr.Code("nonzero_range", fmt.Sprintf("must be non-zero, between -%d and %d", MaxQty, MaxQty)).With("min", -MaxQty).With("max", MaxQty)
	}
	if c.Note == "" {
		fields["note"] = apperr.Required()
	}
	if len(fields) > 0 {
		return Movement{}, apperr.FieldsErr(fields)
	}
	if err := s.checkLocation(ctx, c.LocationID, false); err != nil {
		return Movement{}, err
	}
	var taken Taken
	err := Retry(func() error {
		return s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			if _, err := s.loadPart(ctx, tx, c.PartID); err != nil {
				return err
			}
			var err error
			if c.Qty > 0 {
				taken = Taken{}
				taken.Movement, err = s.addTx(ctx, tx, c.PartID, c.LocationID, c.Qty, KindAdjust, c.Ref, c.Serial, c.Note)
				taken.After = taken.Movement.BalanceAfter
				taken.Before = taken.After - c.Qty
			} else {
				taken, err = s.TakeTx(ctx, tx, Take{PartID: c.PartID, LocationID: c.LocationID, Qty: -c.Qty, Kind: KindAdjust, Ref: c.Ref, Serial: c.Serial, Note: c.Note})
			}
			if err != nil {
				return err
			}
			if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: "adjust", Entity: "stock", EntityID: stockKey(c.PartID, c.LocationID),
				Before: map[string]any{"on_hand": taken.Before}, After: movementSnapshot(taken.Movement)}); err != nil {
				return err
			}
			return s.EnqueueTaken(ctx, tx, taken)
		})
	})
	if err != nil {
		return Movement{}, wrap(err, "adjust stock")
	}
	return taken.Movement, nil
}

// SetMinLevel sets a location's reorder point for a part (creating the
// balance row at zero stock if needed). Errors: validation, not_found.
func (s *Service) SetMinLevel(ctx context.Context, partID, location uint64, minLevel int64) (Balance, error) {
	if partID == 0 {
		return Balance{}, apperr.FieldErr("part_id", apperr.Required())
	}
	if minLevel < 0 || minLevel > MaxQty {
		return Balance{}, apperr.FieldErr("min_level", apperr.OutOfRange(0, MaxQty))
	}
	if err := s.checkLocation(ctx, location, false); err != nil {
		return Balance{}, err
	}
	var out Balance
	err := Retry(func() error {
		return s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			if _, err := s.loadPart(ctx, tx, partID); err != nil {
				return err
			}
			now := s.o.Now().UTC()
			var before Balance
			if err := tx.Where("part_id = ? AND location_id = ?", partID, location).Take(&before).Error; err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
				return err
			}
			row := Balance{PartID: partID, LocationID: location, MinLevel: minLevel, UpdatedAt: now}
			if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "part_id"}, {Name: "location_id"}},
				DoUpdates: clause.Assignments(map[string]any{"min_level": minLevel, "updated_at": now})}).Create(&row).Error; err != nil {
				return err
			}
			if err := tx.Where("part_id = ? AND location_id = ?", partID, location).Take(&out).Error; err != nil {
				return err
			}
			return s.o.Audit.Record(ctx, tx, audit.Entry{Action: "set_min_level", Entity: "stock", EntityID: stockKey(partID, location),
				Before: map[string]any{"min_level": before.MinLevel}, After: map[string]any{"min_level": out.MinLevel, "on_hand": out.OnHand}})
		})
	})
	if err != nil {
		return Balance{}, wrap(err, "set min level")
	}
	return out, nil
}

// BalanceRow is a balance with its part's code and name.
type BalanceRow struct {
	PartID     uint64
	PartCode   string
	PartName   string
	LocationID uint64
	OnHand     int64
	MinLevel   int64
	UpdatedAt  time.Time
}

// BalanceFilter selects balances. Outlet users see only their outlet.
type BalanceFilter struct {
	LocationID *uint64
	PartID     uint64
	LowOnly    bool
	Page, Size int
}

// Balances pages stock balances by location and part code.
func (s *Service) Balances(ctx context.Context, f BalanceFilter) ([]BalanceRow, int64, error) {
	q := s.o.DB.WithContext(ctx).Table("stock_balances b").Joins("JOIN parts p ON p.id = b.part_id")
	if own, ok := actor.From(ctx).OutletScoped(); ok {
		if f.LocationID != nil && *f.LocationID != own {
			return []BalanceRow{}, 0, nil
		}
		q = q.Where("b.location_id = ?", own)
	} else if f.LocationID != nil {
		q = q.Where("b.location_id = ?", *f.LocationID)
	}
	if f.PartID != 0 {
		q = q.Where("b.part_id = ?", f.PartID)
	}
	if f.LowOnly {
		q = q.Where("b.min_level > 0 AND b.on_hand <= b.min_level")
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, apperr.Internal(fmt.Errorf("count balances: %w", err))
	}
	page, size := bound(f.Page, f.Size)
	out := []BalanceRow{}
	if err := q.Select("b.part_id, p.code AS part_code, p.name AS part_name, b.location_id, b.on_hand, b.min_level, b.updated_at").
		Order("b.location_id, p.code").Offset((page - 1) * size).Limit(size).Scan(&out).Error; err != nil {
		return nil, 0, apperr.Internal(fmt.Errorf("list balances: %w", err))
	}
	return out, total, nil
}

// MovementFilter selects ledger lines, newest first (keyset on id).
type MovementFilter struct {
	PartID     uint64
	LocationID *uint64
	Ref        string
	BeforeID   uint64
	Size       int
}

// Movements returns ledger lines newest first. Outlet users see only their
// outlet's.
func (s *Service) Movements(ctx context.Context, f MovementFilter) ([]Movement, error) {
	q := s.o.DB.WithContext(ctx).Model(&Movement{})
	if own, ok := actor.From(ctx).OutletScoped(); ok {
		if f.LocationID != nil && *f.LocationID != own {
			return []Movement{}, nil
		}
		q = q.Where("location_id = ?", own)
	} else if f.LocationID != nil {
		q = q.Where("location_id = ?", *f.LocationID)
	}
	if f.PartID != 0 {
		q = q.Where("part_id = ?", f.PartID)
	}
	if f.Ref != "" {
		q = q.Where("ref = ?", f.Ref)
	}
	_, size := bound(1, f.Size)
	out := []Movement{}
	if err := db.NewestFirst(q, f.BeforeID, size).Find(&out).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("list movements: %w", err))
	}
	return out, nil
}

// LedgerCheck compares each balance with the sum of its movements and
// returns the (part, location) keys that disagree; empty means the ledger
// is consistent. Tests and the stock audit use it.
func (s *Service) LedgerCheck(ctx context.Context) ([]string, error) {
	type row struct {
		PartID, LocationID uint64
		OnHand, Ledger     int64
	}
	var rows []row
	err := s.o.DB.WithContext(ctx).Raw(`SELECT b.part_id, b.location_id, b.on_hand,
		COALESCE((SELECT SUM(m.qty) FROM stock_movements m WHERE m.part_id = b.part_id AND m.location_id = b.location_id), 0) AS ledger
		FROM stock_balances b`).Scan(&rows).Error
	if err != nil {
		return nil, apperr.Internal(fmt.Errorf("ledger check: %w", err))
	}
	var bad []string
	for _, r := range rows {
		if r.OnHand != r.Ledger || r.OnHand < 0 {
			bad = append(bad, fmt.Sprintf("%s on_hand=%d ledger=%d", stockKey(r.PartID, r.LocationID), r.OnHand, r.Ledger))
		}
	}
	sort.Strings(bad)
	return bad, nil
}

func stockKey(partID, location uint64) string { return idStr(partID) + "@" + idStr(location) }

func movementSnapshot(m Movement) map[string]any {
	return map[string]any{"movement_id": m.ID, "part_id": m.PartID, "location_id": m.LocationID, "qty": m.Qty,
		"balance_after": m.BalanceAfter, "kind": m.Kind, "ref": m.Ref, "serial": m.Serial, "note": m.Note}
}
