package app

import (
	"context"
	"github.com/aftersales/aftersales/configs"
	"time"

	"github.com/aftersales/aftersales/backend/internal/certification"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/outbox"
	"github.com/aftersales/aftersales/backend/internal/readiness"
)

// wireReadiness builds the readiness engine and the certification service
// (evidence, cycles, audit packs), which need each other: readiness reads
// the evidence register and the next audit date from certification, and
// certification reads the standard and our projections from readiness.
// It also retains the latest score in the hub, so a client that connects
// before the next run still receives the current state first. (The
// debounced run is subscribed in registerJobs, on serving instances.)
func (a *App) wireReadiness(ctx context.Context) error {
	cfg := a.Cfg
	measures := readiness.NewSQLMeasures(a.DB, cfg.Location(), a.Log)
	measures.PartsLead = time.Duration(cfg.Readiness.PartsLeadHours) * time.Hour
	measures.ComplaintLegalDays = cfg.Readiness.ComplaintLegalDays
	measures.ManagerValidYears = cfg.Certificates.Manager.ValidYears
	r, err := readiness.New(ctx, readiness.Options{DB: a.DB, Audit: a.Audit, Bus: a.Bus, Log: a.Log,
		StandardFile: cfg.Readiness.StandardFile, StandardsDir: cfg.Readiness.StandardsDir,
		Shipped: configs.Standards(), ShippedStandard: configs.ShippedStandard, WindowMonths: cfg.Readiness.WindowMonths,
		Holder: a.Sched.Holder(), Debounce: cfg.Readiness.Debounce, Measures: measures, Location: cfg.Location()})
	if err != nil {
		return err
	}
	days, err := cfg.Certification.ReminderDayList()
	if err != nil {
		return err
	}
	c, err := certification.New(certification.Options{DB: a.DB, Audit: a.Audit, Bus: a.Bus, Log: a.Log, Readiness: r,
		StorageDir: cfg.Storage.Dir, MaxUploadBytes: cfg.Storage.MaxUploadMiB << 20,
		SurveillanceMonths: cfg.Certification.SurveillanceMonths, SurveillanceWindowDays: cfg.Certification.SurveillanceWindowDays,
		ValidityYears: cfg.Certification.ValidityYears, ReminderDays: days, Location: cfg.Location(), Holder: a.Sched.Holder(),
		Text: a.Text})
	if err != nil {
		return err
	}
	r.SetEvidence(c)
	r.SetCalendar(c)
	r.SetAudits(c)
	if ev, ok, err := r.LatestScoreEvent(ctx); err != nil {
		a.Log.Warn("readiness: latest score for the live hub", "err", err)
	} else if ok {
		a.Hub.Retain(ev)
	}
	// Late changes to old records mark their days' rollups stale, once per
	// event (never a counter in the business transaction); events that
	// cannot (a ticket created today) run no consumer transaction.
	mark := outbox.OnceTx(a.DB, "readiness_rollups", a.Log, r.MarkDirty)
	a.Bus.Subscribe(func(e event.Event) {
		if r.MayMark(e) {
			mark(e)
		}
	})
	a.Readiness, a.Certification = r, c
	return nil
}
