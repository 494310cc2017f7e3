// Package privacy keeps the PIPL access log: every unmasked read of a
// customer's phone or address is recorded (who, which customer, through
// which work order, when), and admins and auditors can list it. Reads that
// cannot be recorded are refused by the caller: personal data is not shown
// without its trace.
package privacy

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/db"
)

// Purposes of a read (why the data was shown).
const (
	// PurposeCustomerRecord: a hotline agent, quality manager, auditor or
	// admin opened the customer (GET /customers/{id}, screen-pop, passport).
	PurposeCustomerRecord = "customer_record"
	// PurposeWorkOrder: an outlet user saw the customer through a job of
	// their outlet (work-order contact, unit passport owner).
	PurposeWorkOrder = "work_order"
)

// Fields read.
const (
	FieldPhone   = "phone"
	FieldAddress = "address"
)

// Access is one recorded read.
type Access struct {
	ID          uint64 `gorm:"primaryKey"`
	ReadAt      time.Time
	UserID      uint64
	Username    string
	OutletID    *uint64
	CustomerID  uint64
	WorkOrderID *uint64
	// Fields is a comma-separated list of FieldPhone, FieldAddress.
	Fields    string
	Purpose   string
	RequestID string
	IP        string
}

// TableName pins the table of migration 0030.
func (Access) TableName() string { return "pii_access_log" }

// Log records and lists reads of personal data.
type Log struct {
	db  *gorm.DB
	now func() time.Time
}

// New returns a Log on db.
func New(db *gorm.DB) *Log { return &Log{db: db, now: time.Now} }

// Read describes a read about to be shown to the actor in ctx.
type Read struct {
	CustomerID  uint64
	WorkOrderID *uint64
	Fields      []string
	Purpose     string
}

// Record writes one entry per read for the actor in ctx. Reads without
// fields are not recorded. Errors: internal (the caller must then not show
// the data).
func (l *Log) Record(ctx context.Context, reads ...Read) error {
	a := actor.From(ctx)
	now := l.now().UTC()
	var rows []Access
	for _, r := range reads {
		if len(r.Fields) == 0 || r.CustomerID == 0 {
			continue
		}
		rows = append(rows, Access{ReadAt: now, UserID: a.UserID, Username: clip(a.Username, 64), OutletID: a.OutletID,
			CustomerID: r.CustomerID, WorkOrderID: r.WorkOrderID, Fields: strings.Join(r.Fields, ","), Purpose: r.Purpose,
			RequestID: clip(a.RequestID, 64), IP: clip(a.IP, 64)})
	}
	if len(rows) == 0 {
		return nil
	}
	if err := l.db.WithContext(ctx).Create(&rows).Error; err != nil {
		return apperr.Internal(fmt.Errorf("pii access log: %w", err))
	}
	return nil
}

// Filter selects entries, newest first (keyset: BeforeID).
type Filter struct {
	CustomerID  uint64
	UserID      uint64
	WorkOrderID uint64
	From, To    time.Time
	BeforeID    uint64
	Size        int
}

// List returns a page of entries, newest first. Errors: validation.
func (l *Log) List(ctx context.Context, f Filter) ([]Access, error) {
	if f.Size <= 0 || f.Size > 500 {
		f.Size = 100
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		return nil, apperr.FieldErr("to", apperr.Code("before_from", "must not be before from"))
	}
	q := l.db.WithContext(ctx).Model(&Access{})
	if f.CustomerID != 0 {
		q = q.Where("customer_id = ?", f.CustomerID)
	}
	if f.UserID != 0 {
		q = q.Where("user_id = ?", f.UserID)
	}
	if f.WorkOrderID != 0 {
		q = q.Where("work_order_id = ?", f.WorkOrderID)
	}
	if !f.From.IsZero() {
		q = q.Where("read_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("read_at < ?", f.To.UTC())
	}
	out := []Access{}
	if err := db.NewestFirst(q, f.BeforeID, f.Size).Find(&out).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("list pii access log: %w", err))
	}
	return out, nil
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
