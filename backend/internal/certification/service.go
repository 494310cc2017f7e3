package certification

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/attachment"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/i18n"
	"github.com/aftersales/aftersales/backend/internal/readiness"
)

// Topic is the live channel certification and evidence events go to (the
// readiness screens show them).
const Topic = "readiness"

// EventReminder is the name of event.CertificationReminderDue. The other
// certification and evidence events are typed in package event
// (event.EvidenceUploaded, event.CertificationCycleChanged, …) and recorded
// in the transaction of the change.
const EventReminder = "certification.reminder"

// Readiness is what certification asks of the readiness engine (satisfied
// by *readiness.Service).
type Readiness interface {
	// CurrentStandard returns the active standard (document types, bands,
	// indicator tree).
	CurrentStandard(ctx context.Context) (*readiness.Standard, error)
	// ProjectAt returns our projected score for a date (the run of that
	// day for a past date); nil when nothing can be projected.
	ProjectAt(ctx context.Context, at time.Time) (*readiness.ProjectedScore, error)
	// Latest returns the latest run with its ledger (404 before the first).
	Latest(ctx context.Context, code string) (*readiness.RunDetail, error)
}

// Options are the service's dependencies.
type Options struct {
	DB        *gorm.DB
	Audit     *audit.Trail
	Bus       event.Bus
	Log       *slog.Logger
	Readiness Readiness
	// StorageDir is where files are kept (config storage.dir); it must not
	// be served by a web server.
	StorageDir string
	// MaxUploadBytes limits one evidence file (storage.max_upload_mib).
	MaxUploadBytes int64
	// SurveillanceMonths is the interval between surveillance audits after
	// the certificate (at least yearly; default 12).
	SurveillanceMonths int
	// SurveillanceWindowDays is the certification body's window either
	// side of a surveillance due date (default 60).
	SurveillanceWindowDays int
	// ValidityYears is the certificate's validity (default 3).
	ValidityYears int
	// ReminderDays are the lead times of reminders (default 90, 30, 7).
	ReminderDays []int
	Location     *time.Location
	Now          func() time.Time
	// Holder identifies this instance on audit packs it builds.
	Holder string
	// Text is the message catalogue audit packs are written from (in the
	// language each pack was asked in); nil: the embedded one.
	Text *i18n.Catalogue
}

// Service is the evidence library, the certification cycles and the audit
// packs.
type Service struct {
	o     Options
	db    *gorm.DB
	trail *audit.Trail
	log   *slog.Logger
	now   func() time.Time
	loc   *time.Location
	// packs waits for audit-pack builders when closing.
	packs chan struct{}
	// files is the shared upload store under StorageDir (evidence/).
	files *attachment.Files
}

// New returns the service.
func New(o Options) (*Service, error) {
	if o.DB == nil {
		return nil, errors.New("certification: no database")
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Bus == nil {
		o.Bus = event.Discard
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Audit == nil {
		o.Audit = audit.New(nil)
	}
	if o.Text == nil {
		text, err := i18n.New()
		if err != nil {
			return nil, err
		}
		o.Text = text
	}
	if o.MaxUploadBytes <= 0 {
		o.MaxUploadBytes = 20 << 20
	}
	if o.SurveillanceMonths <= 0 {
		o.SurveillanceMonths = 12
	}
	if o.SurveillanceWindowDays < 0 {
		o.SurveillanceWindowDays = 0
	} else if o.SurveillanceWindowDays == 0 {
		o.SurveillanceWindowDays = 60
	}
	if o.ValidityYears <= 0 {
		o.ValidityYears = 3
	}
	if len(o.ReminderDays) == 0 {
		o.ReminderDays = []int{90, 30, 7}
	}
	days := append([]int(nil), o.ReminderDays...)
	sort.Sort(sort.Reverse(sort.IntSlice(days)))
	o.ReminderDays = days
	if o.StorageDir == "" {
		o.StorageDir = "./data/files"
	}
	abs, err := filepath.Abs(o.StorageDir)
	if err != nil {
		return nil, fmt.Errorf("certification: storage dir: %w", err)
	}
	// Directories are created on first use, so a server that never stores
	// a file leaves no trace on disk.
	o.StorageDir = abs
	files, err := attachment.NewFiles(abs)
	if err != nil {
		return nil, err
	}
	if o.Holder == "" {
		host, _ := os.Hostname()
		o.Holder = fmt.Sprintf("%s:%d", host, os.Getpid())
	}
	return &Service{o: o, db: o.DB, trail: o.Audit, log: o.Log, now: o.Now, loc: o.Location, packs: make(chan struct{}, 2), files: files}, nil
}

// SetReadiness wires the readiness engine after construction.
func (s *Service) SetReadiness(r Readiness) { s.o.Readiness = r }

// enqueue records e in tx, the transaction of the change: the event
// commits or rolls back with it.
func (s *Service) enqueue(tx *gorm.DB, e event.Event) error {
	return s.o.Bus.Enqueue(tx, e)
}

// today is the local calendar date at 00:00 UTC.
func (s *Service) today() time.Time { return localDay(s.now(), s.loc) }

// localDay is the calendar date of t in loc at 00:00 UTC.
func localDay(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// startOf is the instant a calendar date begins in the enterprise zone.
func (s *Service) startOf(day time.Time) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, s.loc).UTC()
}

// endOf is the instant after a calendar date ends in the enterprise zone.
func (s *Service) endOf(day time.Time) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, s.loc).UTC()
}

// MaxUploadBytes is the size limit of one evidence file.
func (s *Service) MaxUploadBytes() int64 { return s.o.MaxUploadBytes }
