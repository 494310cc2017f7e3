package readiness

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/event"
)

// JobName is the scheduler name of the cron run. Runs themselves are
// serialised per standard by their run row (see Start), whatever started
// them.
const JobName = "readiness.run"

// Topic is the live channel readiness events are published on.
const Topic = "readiness"

// EvidenceSource gives the evidence register for scoring (implemented by the
// certification service).
type EvidenceSource interface {
	// DocumentsForScoring returns every evidence document by type, with
	// calendar dates turned into instants in the enterprise zone and a
	// version's expiry cut at the approval of its successor. An error is
	// internal; the document indicators are then unknown.
	DocumentsForScoring(ctx context.Context) (map[string][]Document, error)
}

// AuditCalendar gives the date of the next certification audit
// (implemented by the certification service).
type AuditCalendar interface {
	// NextAuditDate returns the due (or agreed) date of the next planned
	// audit on or after a day, nil when none is planned.
	NextAuditDate(ctx context.Context, after time.Time) (*time.Time, error)
}

// Options are the service's dependencies.
type Options struct {
	DB    *gorm.DB
	Audit *audit.Trail
	Bus   event.Bus
	Log   *slog.Logger
	// StandardFile is the active standard, loaded (and versioned) at start.
	StandardFile string
	// StandardsDir holds further standard files, versioned when listed.
	StandardsDir string
	// Shipped holds the standards embedded in the binary (configs.Standards);
	// with StandardFile empty, ShippedStandard from it is the active one.
	Shipped         fs.FS
	ShippedStandard string
	// WindowMonths is the rolling window for the engine's own look-backs
	// (suggested deductions, plausibility); rules use their standard's.
	WindowMonths int
	Evidence     EvidenceSource
	Calendar     AuditCalendar
	// Holder names this instance on the leases of the runs it executes
	// (the scheduler's holder); empty: host, process and a random part.
	Holder string
	// Debounce is how long after the last relevant change a run starts.
	Debounce time.Duration
	// Measures computes operational measures; nil uses SQL over DB.
	Measures MeasureSource
	Location *time.Location
	Now      func() time.Time
}

// Service is the readiness engine's store and service: standard versions,
// runs and their ledgers, the quality manager's inputs, explanations and
// live events.
type Service struct {
	db       *gorm.DB
	trail    *audit.Trail
	bus      event.Bus
	log      *slog.Logger
	st       store
	measures MeasureSource
	evidence EvidenceSource
	calendar AuditCalendar
	audits   AuditRecords
	holder   string
	loc      *time.Location
	now      func() time.Time
	window   int
	dir      string
	file     string
	shipped  fs.FS
	// shippedOnce stores the shipped standards at the first listing;
	// shippedProblems are the ones that did not load.
	shippedOnce     sync.Once
	shippedProblems []string
	active          string // code of the active standard

	mu     sync.Mutex
	parsed map[uint64]*Standard // version id → parsed standard

	debounce *debouncer

	// Runs executing in this process: their end, by run id.
	runsMu sync.Mutex
	local  map[uint64]*localRun
	runsWG sync.WaitGroup
	// base is cancelled by Close, stopping the runs in progress.
	base       context.Context
	baseCancel context.CancelFunc
}

// New loads and validates the active standard file, stores it as a version
// when its content changed, and returns the service. A bad standard file
// stops start-up with a message naming the clause.
func New(ctx context.Context, o Options) (*Service, error) {
	if o.DB == nil {
		return nil, errors.New("readiness: no database")
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.WindowMonths <= 0 {
		o.WindowMonths = defaultWindowMonths
	}
	if o.Debounce <= 0 {
		o.Debounce = 30 * time.Second
	}
	if o.Audit == nil {
		o.Audit = audit.New(nil)
	}
	s := &Service{
		db: o.DB, trail: o.Audit, bus: o.Bus, log: o.Log, measures: o.Measures, evidence: o.Evidence,
		calendar: o.Calendar, holder: o.Holder, loc: o.Location, now: o.Now, window: o.WindowMonths,
		dir: resolvePath(o.StandardsDir), parsed: map[uint64]*Standard{},
	}
	if s.holder == "" {
		s.holder = defaultHolder()
	}
	s.local = map[uint64]*localRun{}
	s.base, s.baseCancel = context.WithCancel(context.Background())
	if s.measures == nil {
		s.measures = NewSQLMeasures(o.DB, o.Location, o.Log)
	}
	s.debounce = newDebouncer(o.Debounce, s.debouncedRun)
	s.shipped = o.Shipped
	var v *StandardVersion
	var err error
	switch {
	case o.StandardFile != "":
		s.file = resolvePath(o.StandardFile)
		v, err = s.syncFile(actor.With(ctx, actor.System("readiness")), s.file)
	case o.Shipped != nil && o.ShippedStandard != "":
		v, err = s.syncShipped(actor.With(ctx, actor.System("readiness")), o.ShippedStandard)
	default:
		return nil, errors.New("readiness: no standard configured (readiness.standard_file) and none shipped")
	}
	if err != nil {
		return nil, err
	}
	s.active = v.Code
	return s, nil
}

// SetEvidence wires the evidence register after construction (the
// certification service is built after readiness).
func (s *Service) SetEvidence(e EvidenceSource) { s.evidence = e }

// SetCalendar wires the audit calendar after construction.
func (s *Service) SetCalendar(c AuditCalendar) { s.calendar = c }

// ActiveStandard returns the code of the standard scored by default.
func (s *Service) ActiveStandard() string { return s.active }

// resolvePath finds a relative path from the working directory or one of
// its parents, so the server and the tests (run from a package directory)
// find configs/ alike. An absolute or unfound path is returned as is.
func resolvePath(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	if _, err := os.Stat(p); err == nil {
		return p
	}
	dir, err := os.Getwd()
	if err != nil {
		return p
	}
	for i := 0; i < 8; i++ {
		cand := filepath.Join(dir, p)
		if _, err := os.Stat(cand); err == nil {
			return cand
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return p
}

// syncFile loads a standard file and stores it as a new version when its
// content was never stored before for that code. So an unchanged file never
// overwrites an edit made through the API at the next start; changing the
// file to new content does create a version.
func (s *Service) syncFile(ctx context.Context, path string) (*StandardVersion, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("readiness: read standard %s: %w", path, err)
	}
	return s.syncData(ctx, data, path, "file:"+filepath.Base(path))
}

// syncShipped is syncFile for a standard embedded in the binary.
func (s *Service) syncShipped(ctx context.Context, name string) (*StandardVersion, error) {
	data, err := fs.ReadFile(s.shipped, name)
	if err != nil {
		return nil, fmt.Errorf("readiness: read shipped standard %s: %w", name, err)
	}
	return s.syncData(ctx, data, name, "shipped:"+name)
}

func (s *Service) syncData(ctx context.Context, data []byte, path, source string) (*StandardVersion, error) {
	std, err := LoadStandard(data)
	if err != nil {
		return nil, fmt.Errorf("readiness: %s: %w", path, err)
	}
	var seen int64
	if err := s.db.WithContext(ctx).Model(&StandardVersion{}).Where("code = ? AND fingerprint = ?", std.ID, std.Fingerprint()).
		Count(&seen).Error; err != nil {
		return nil, fmt.Errorf("readiness: look up standard %s: %w", std.ID, err)
	}
	if seen > 0 {
		latest, err := s.st.latestVersion(ctx, s.db, std.ID)
		if err != nil {
			return nil, err
		}
		if latest != nil {
			return latest, nil
		}
	}
	v, _, err := s.storeVersion(ctx, std, data, source, "loaded at start-up from "+source)
	return v, err
}

// storeVersion writes a new version of std unless the latest version has
// the same content. It reports whether a version was created.
func (s *Service) storeVersion(ctx context.Context, std *Standard, data []byte, source, justification string) (*StandardVersion, bool, error) {
	fp := std.Fingerprint()
	for attempt := 0; attempt < 3; attempt++ {
		latest, err := s.st.latestVersion(ctx, s.db, std.ID)
		if err != nil {
			return nil, false, err
		}
		if latest != nil && latest.Fingerprint == fp {
			return latest, false, nil
		}
		next := 1
		if latest != nil {
			next = latest.Version + 1
		}
		a := actor.From(ctx)
		v := StandardVersion{Code: std.ID, Version: next, Title: truncate(std.Code, 128), Fingerprint: fp, Content: string(data),
			Source: truncate(source, 255), Justification: strings.TrimSpace(justification), CreatedBy: truncate(a.Username, 64), CreatedAt: s.now().UTC()}
		err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			if err := tx.Create(&v).Error; err != nil {
				return err
			}
			return s.trail.Record(ctx, tx, audit.Entry{Action: "create", Entity: "readiness_standard", EntityID: fmt.Sprint(v.ID),
				After: map[string]any{"code": v.Code, "version": v.Version, "fingerprint": v.Fingerprint, "source": v.Source, "justification": v.Justification}})
		})
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			continue // another instance stored the same version number first
		}
		if err != nil {
			return nil, false, apperr.Internal(fmt.Errorf("readiness: store standard %s v%d: %w", v.Code, v.Version, err))
		}
		return &v, true, nil
	}
	return nil, false, apperr.Conflict("standard_busy", "the standard is being changed concurrently; retry")
}

// standardOf parses (once) and returns a stored version.
func (s *Service) standardOf(v *StandardVersion) (*Standard, error) {
	s.mu.Lock()
	std, ok := s.parsed[v.ID]
	s.mu.Unlock()
	if ok {
		return std, nil
	}
	if v.Content == "" {
		full, err := s.st.version(context.Background(), s.db, v.ID)
		if err != nil {
			return nil, err
		}
		v = full
	}
	// A version that still loads under today's rules means what they say;
	// only one stored by an earlier release falls back to its old meaning.
	std, err := LoadStandard([]byte(v.Content))
	if err != nil {
		std, err = LoadStoredStandard([]byte(v.Content))
	}
	if err != nil {
		return nil, apperr.Internal(fmt.Errorf("readiness: stored standard %s v%d no longer loads: %w", v.Code, v.Version, err))
	}
	s.mu.Lock()
	s.parsed[v.ID] = std
	s.mu.Unlock()
	return std, nil
}

// current returns the latest version of a standard code (the active one
// when code is empty) and the parsed standard.
func (s *Service) current(ctx context.Context, code string) (*StandardVersion, *Standard, error) {
	if code == "" {
		code = s.active
	}
	v, err := s.st.latestVersion(ctx, s.db, code)
	if err != nil {
		return nil, nil, apperr.Internal(err)
	}
	if v == nil {
		return nil, nil, apperr.NotFound("standard " + code)
	}
	std, err := s.standardOf(v)
	if err != nil {
		return nil, nil, err
	}
	return v, std, nil
}

// StandardInfo describes one stored standard version.
type StandardInfo struct {
	ID          uint64
	Code        string
	Version     int
	Title       string
	Fingerprint string
	Source      string
	// Justification says why the version changed inferred parameters.
	Justification string
	CreatedBy     string
	CreatedAt     time.Time
	// Latest is true for the newest version of its code (the one scored).
	Latest bool
	// Active is true for the standard scored by default.
	Active bool
}

// Standards loads every file of the standards directory (storing a new
// version for each changed one) and lists all stored versions, newest
// first per code. A file that does not load is reported in problems and
// skipped; it never replaces a good version.
func (s *Service) Standards(ctx context.Context) (versions []StandardInfo, problems []string, err error) {
	// The shipped files are built into the binary and cannot change while it
	// runs: they are stored once, at the first listing.
	s.shippedOnce.Do(func() {
		if s.shipped == nil {
			return
		}
		names, _ := fs.Glob(s.shipped, "*.yaml")
		for _, name := range names {
			if _, serr := s.syncShipped(actor.With(ctx, actor.System("readiness")), name); serr != nil {
				s.shippedProblems = append(s.shippedProblems, serr.Error())
			}
		}
	})
	problems = append(problems, s.shippedProblems...)
	if s.dir != "" {
		entries, rerr := os.ReadDir(s.dir)
		if rerr == nil {
			for _, e := range entries {
				name := e.Name()
				if e.IsDir() || !(strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")) {
					continue
				}
				if _, serr := s.syncFile(actor.With(ctx, actor.System("readiness")), filepath.Join(s.dir, name)); serr != nil {
					problems = append(problems, serr.Error())
				}
			}
		}
	}
	rows, err := s.st.versions(ctx, s.db, "")
	if err != nil {
		return nil, nil, err
	}
	seen := map[string]bool{}
	for _, v := range rows {
		info := StandardInfo{ID: v.ID, Code: v.Code, Version: v.Version, Title: v.Title, Fingerprint: v.Fingerprint,
			Source: v.Source, Justification: v.Justification, CreatedBy: v.CreatedBy, CreatedAt: v.CreatedAt, Latest: !seen[v.Code], Active: v.Code == s.active}
		seen[v.Code] = true
		versions = append(versions, info)
	}
	return versions, problems, nil
}

// StandardDetail is a stored version with its content and parsed tree.
type StandardDetail struct {
	Info     StandardInfo
	Content  string
	Standard *Standard
}

// Standard returns a stored version of a code (the latest when version is
// 0) with its YAML and parsed indicator tree.
func (s *Service) Standard(ctx context.Context, code string, version int) (*StandardDetail, error) {
	var v StandardVersion
	q := s.db.WithContext(ctx).Where("code = ?", code)
	if version > 0 {
		q = q.Where("version = ?", version)
	}
	err := q.Order("version DESC").Limit(1).Take(&v).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, apperr.NotFound("standard")
	}
	if err != nil {
		return nil, apperr.Internal(fmt.Errorf("readiness: standard %s: %w", code, err))
	}
	std, err := s.standardOf(&v)
	if err != nil {
		return nil, err
	}
	latest, err := s.st.latestVersion(ctx, s.db, code)
	if err != nil {
		return nil, apperr.Internal(err)
	}
	return &StandardDetail{
		Info: StandardInfo{ID: v.ID, Code: v.Code, Version: v.Version, Title: v.Title, Fingerprint: v.Fingerprint, Source: v.Source,
			Justification: v.Justification, CreatedBy: v.CreatedBy, CreatedAt: v.CreatedAt, Latest: latest != nil && latest.ID == v.ID, Active: v.Code == s.active},
		Content: v.Content, Standard: std,
	}, nil
}

// PutStandard validates a standard file sent through the API and stores it
// as a new version of code (nothing is stored when the content is the same
// as the latest version). A file that does not load is refused with a 422
// naming the clause; its id must equal code; a new version of an existing
// standard needs a justification, stored with it. Old runs keep their
// version.
func (s *Service) PutStandard(ctx context.Context, code string, data []byte, justification string) (*StandardInfo, bool, error) {
	std, err := LoadStandard(data)
	if err != nil {
		return nil, false, standardInvalid(err)
	}
	return s.putLoaded(ctx, code, std, data, "api", justification)
}

// standardInvalid turns a load failure into a 422 naming each clause.
func standardInvalid(err error) error {
	var verr *ValidationError
	if !errors.As(err, &verr) {
		return apperr.FieldErr("standard", apperr.Code("standard_invalid", err.Error()).With("detail", err.Error()))
	}
	fields := apperr.Fields{}
	problems := make([]map[string]string, 0, len(verr.Problems))
	for _, p := range verr.Problems {
		key := "standard"
		switch {
		case p.Clause != "":
			key = "clause " + p.Clause
		case p.Field != "":
			key = p.Field
		}
		msg := p.Message
		if prev, ok := fields[key]; ok {
			msg = prev.Message + "; " + msg
		}
		// The standard file's own checks speak English only; their
		// structured form is in details.problems.
		fields[key] = apperr.Code("standard_invalid", msg).With("detail", msg)
		problems = append(problems, map[string]string{"clause": p.Clause, "field": p.Field, "message": p.Message})
	}
	e := apperr.FieldsErr(fields).WithDetail("problems", problems)
	e.Code = "standard_invalid"
	e.Message = verr.Error()
	return e
}

// putLoaded stores a validated standard as a new version of code.
func (s *Service) putLoaded(ctx context.Context, code string, std *Standard, data []byte, source, justification string) (*StandardInfo, bool, error) {
	if std.ID != code {
		return nil, false, apperr.FieldErr("id", apperr.Code("id_mismatch", fmt.Sprintf("the file's id %q does not match %q in the path", std.ID, code)).With("id", std.ID).With("path", code))
	}
	latest, err := s.st.latestVersion(ctx, s.db, code)
	if err != nil {
		return nil, false, apperr.Internal(err)
	}
	if latest != nil && latest.Fingerprint != std.Fingerprint() && strings.TrimSpace(justification) == "" {
		return nil, false, apperr.FieldErr("justification", apperr.Code("justification_required", "a new version must say why its parameters changed"))
	}
	v, created, err := s.storeVersion(ctx, std, data, source, justification)
	if err != nil {
		return nil, false, err
	}
	if created {
		s.publish(ctx, "readiness.standard_changed", map[string]any{"code": v.Code, "version": v.Version})
		s.Trigger()
	}
	return &StandardInfo{ID: v.ID, Code: v.Code, Version: v.Version, Title: v.Title, Fingerprint: v.Fingerprint, Source: v.Source,
		Justification: v.Justification, CreatedBy: v.CreatedBy, CreatedAt: v.CreatedAt, Latest: true, Active: v.Code == s.active}, created, nil
}

// RunDetail is a stored run with its scored result rebuilt from the ledger.
type RunDetail struct {
	Run    Run
	Result Result
	// Standard is the version the run used.
	Standard *Standard
}

// Job is the scheduled run (cron, readiness.schedule): it starts a run, or
// joins the one in progress, and waits for it.
func (s *Service) Job(ctx context.Context) error {
	_, err := s.RunNow(actor.With(ctx, actor.System("readiness")), TriggerSchedule, "")
	if errors.Is(err, ErrBuilding) {
		s.log.Info("readiness: scheduled run skipped while the rollups are built")
		return nil
	}
	return err
}

// execute gathers the inputs of a claimed run, scores them, stores the
// result on the run row and publishes the live events; on failure the row
// ends in RunError. Scheduled runs are not written to the audit trail: they
// change no business state, are themselves immutable records, and auditing
// them would move the data watermark at every run. A manual run is audited
// (who asked for it).
func (s *Service) execute(ctx context.Context, r *Run, v *StandardVersion, std *Standard) (out *RunDetail, err error) {
	start := time.Now()
	p := &progress{s: s, ctx: ctx, r: r, last: time.Now()}
	stop, beating := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(beating)
		p.heartbeat(stop)
	}()
	defer func() {
		close(stop)
		<-beating
		if rec := recover(); rec != nil {
			err = fmt.Errorf("readiness: run %d panicked: %v", r.ID, rec)
		}
		if err != nil {
			s.fail(r, err)
		}
	}()
	asOf := r.AsOf
	if err := s.refreshSuggestions(ctx, asOf); err != nil {
		s.log.Warn("readiness: suggested deductions", "err", err)
	}
	tSuggest := time.Since(start)
	seq, err := s.st.auditWatermark(ctx, s.db)
	if err != nil {
		return nil, apperr.Internal(err)
	}
	in, err := s.gather(withMeasureProgress(ctx, p.measureDone), std, asOf, true)
	if err != nil {
		return nil, err
	}
	tGather := time.Since(start)
	res := Score(std, in, asOf)
	p.set(r.ProgressTotal, "")
	rows, hash := ledgerRows(std, res)
	prev, err := s.st.latestRun(ctx, s.db, v.Code)
	if err != nil {
		return nil, apperr.Internal(err)
	}
	deds := append(append([]Deduction{}, res.Deductions...), res.SuggestedDeductions...)
	p.mu.Lock()
	r.AuditSeq, r.Total, r.Normalised, r.Actual = seq, res.Total, res.Normalised, res.Actual
	r.Applicable, r.DeductionPoints, r.BonusPoints = res.Applicable, res.DeductionPoints, res.BonusPoints
	r.Low, r.High, r.Band, r.LowBand, r.HighBand = res.Range.Low, res.Range.High, res.Band, res.Range.LowBand, res.Range.HighBand
	r.NextBand, r.ToNextBand, r.AboveBand, r.Failed, r.Complete = res.NextBand, res.ToNextBand, res.AboveBand, res.Failed, res.Complete
	r.FailReasons, r.Counts, r.Deductions = mustJSON(nonNil(res.FailReasons)), mustJSON(res.Counts), mustJSON(deds)
	r.Notices, r.Inputs, r.LedgerHash, r.CreatedAt = mustJSON(res.Notices), mustJSON(in), hash, s.now().UTC()
	r.DurationMS = time.Since(start).Milliseconds()
	fin := *r
	p.mu.Unlock()
	if err := s.st.finishRun(ctx, s.db, &fin, rows, prev); err != nil {
		if errors.Is(err, errLeaseLost) {
			return nil, err
		}
		return nil, apperr.Internal(err)
	}
	p.mu.Lock()
	*r = fin
	p.mu.Unlock()
	s.log.Info("readiness run", "run", r.ID, "trigger", r.Trigger, "total", RoundForDisplay(r.Total), "band", r.Band,
		"suggestions_ms", tSuggest.Milliseconds(), "gather_ms", (tGather - tSuggest).Milliseconds(),
		"store_ms", (time.Since(start) - tGather).Milliseconds())
	if r.Trigger == TriggerManual {
		if err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			return s.trail.Record(ctx, tx, audit.Entry{Action: "run", Entity: "readiness_run", EntityID: fmt.Sprint(r.ID),
				After: map[string]any{"standard": r.StandardCode, "version": r.StandardVersion, "total": r.Total, "band": r.Band}})
		}); err != nil {
			s.log.Warn("readiness: audit manual run", "err", err)
		}
	}
	var prevRes *Result
	if prev != nil {
		prevRows, err := s.st.ledger(ctx, s.db, prev)
		if err == nil {
			pr := resultOf(prev, prevRows)
			prevRes = &pr
		}
	}
	s.publishRun(ctx, r, res, prev, prevRes)
	s.publishProgress(ctx, r)
	return &RunDetail{Run: *r, Result: res, Standard: std}, nil
}

// Latest returns the newest run of a standard (the active one when code is
// empty) with its ledger; 404 before the first run.
func (s *Service) Latest(ctx context.Context, code string) (*RunDetail, error) {
	if code == "" {
		code = s.active
	}
	r, err := s.st.latestRun(ctx, s.db, code)
	if err != nil {
		return nil, apperr.Internal(err)
	}
	if r == nil {
		return nil, apperr.NotFound("readiness run")
	}
	return s.detail(ctx, r)
}

// RunByID returns a stored run with its ledger.
func (s *Service) RunByID(ctx context.Context, id uint64) (*RunDetail, error) {
	r, err := s.st.run(ctx, s.db, id)
	if err != nil {
		return nil, err
	}
	return s.detail(ctx, r)
}

func (s *Service) detail(ctx context.Context, r *Run) (*RunDetail, error) {
	rows, err := s.st.ledger(ctx, s.db, r)
	if err != nil {
		return nil, err
	}
	v, err := s.st.version(ctx, s.db, r.StandardVersionID)
	if err != nil {
		return nil, err
	}
	std, err := s.standardOf(v)
	if err != nil {
		return nil, err
	}
	res := resultOf(r, rows)
	fillNames(std, &res)
	return &RunDetail{Run: *r, Result: res, Standard: std}, nil
}

// fillNames sets band names from the standard (they are not stored per run).
func fillNames(std *Standard, res *Result) {
	if b, ok := std.Band(res.Band); ok {
		res.BandName = b.Name
	} else if res.Band == std.Scoring.Fail.Code {
		res.BandName = std.Scoring.Fail.Name
	}
	if b, ok := std.Band(res.NextBand); ok {
		res.NextBandName = b.Name
	}
}

// Runs pages through the run history of a standard, newest first.
func (s *Service) Runs(ctx context.Context, code string, page, size int) ([]Run, int64, error) {
	if code == "" {
		code = s.active
	}
	return s.st.listRuns(ctx, s.db, code, page, size)
}

// RunDiff says per indicator what moved between run a and run b and why.
type RunDiff struct {
	From    Run
	To      Run
	Delta   float64
	Changes []IndicatorChange
	// StandardChanged is set when the runs used different standard
	// versions: part of the movement comes from the standard itself.
	StandardChanged bool
}

// Diff compares two stored runs.
func (s *Service) Diff(ctx context.Context, a, b uint64) (*RunDiff, error) {
	ra, err := s.RunByID(ctx, a)
	if err != nil {
		return nil, err
	}
	rb, err := s.RunByID(ctx, b)
	if err != nil {
		return nil, err
	}
	for _, r := range []*RunDetail{ra, rb} {
		if r.Run.Status != RunDone {
			return nil, apperr.Conflict("run_not_finished", fmt.Sprintf("run %d is %s; compare finished runs", r.Run.ID, r.Run.Status)).
				WithDetail("run_id", r.Run.ID)
		}
	}
	return &RunDiff{From: ra.Run, To: rb.Run, Delta: rb.Run.Total - ra.Run.Total, Changes: Diff(ra.Result, rb.Result),
		StandardChanged: ra.Run.StandardVersionID != rb.Run.StandardVersionID}, nil
}

// CurrentStandard returns the latest version of the active standard, for
// other domains that need its document types and indicator tree.
func (s *Service) CurrentStandard(ctx context.Context) (*Standard, error) {
	_, std, err := s.current(ctx, "")
	return std, err
}
