package certification

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/i18n"
	"github.com/aftersales/aftersales/backend/internal/readiness"
)

// sampleSize is how many records of each kind an audit pack samples,
// spread evenly over the window (every k-th id).
const sampleSize = 500

// maxPackSpan bounds an observation window (the audit samples 1–3 years).
const maxPackSpan = 3*366*24*time.Hour + 24*time.Hour

// recordSheet is a kind of operational record sampled into the pack. The
// pack reads these tables read-only (reporting exception) and dumps their
// columns as they are, so it follows the other domains' schemas without
// code changes; phone columns are masked.
type recordSheet struct {
	table, timeColumn string
}

// recordSheets are the records an auditor samples.
var recordSheets = []recordSheet{
	{"repair_orders", "received_at"},
	{"complaints", "received_at"},
	{"survey_responses", "answered_at"},
	{"survey_followups", "created_at"},
}

// recordTitles are the message ids of the record kinds' titles, which name
// both the sheet and its file.
var recordTitles = map[string]string{"repair_orders": "pack.records.repairs", "complaints": "pack.records.complaints",
	"survey_responses": "pack.records.surveys", "survey_followups": "pack.records.followups"}

// The message ids of the codes the pack shows as words (an unknown code
// shows as itself).
var (
	indicatorStates = map[string]string{string(readiness.StateComputed): "label.readiness.state.computed",
		string(readiness.StateUnknown): "label.readiness.state.unknown", string(readiness.StateNotApplicable): "label.readiness.state.not_applicable",
		string(readiness.StateOverridden): "label.readiness.state.overridden"}
	freshnessLabels = map[string]string{FreshDraft: "label.evidence.freshness.draft", FreshNotYet: "label.evidence.freshness.not_yet_effective",
		FreshInForce: "label.evidence.freshness.in_force", FreshExpiring: "label.evidence.freshness.expiring",
		FreshExpired: "label.evidence.freshness.expired", FreshSuperseded: "label.evidence.freshness.superseded"}
	outletStatuses = map[string]string{"active": "label.outlet.status.active", "suspended": "label.outlet.status.suspended"}
)

// packNames are the pack's file and folder names in one language.
type packNames struct {
	readme, score, evidence, register, outlets, staff, records string
}

func namesIn(tr i18n.Translator) packNames {
	return packNames{readme: tr.T("pack.file.readme") + ".txt", score: tr.T("pack.file.score") + ".xlsx", evidence: tr.T("pack.folder.evidence"),
		register: tr.T("pack.file.evidence_register") + ".xlsx", outlets: tr.T("pack.file.outlets") + ".xlsx",
		staff: tr.T("pack.file.staff") + ".xlsx", records: tr.T("pack.folder.records")}
}

// titleIn is the record kind's title in tr's language.
func (rs recordSheet) titleIn(tr i18n.Translator) string { return tr.T(recordTitles[rs.table]) }

// CreatePack queues an audit pack for the window [from, to] (calendar
// dates) and starts building it in the background; its progress is stored,
// so any instance can report it. The pack is written in tr's language (its
// fixed words, sheet and file names; the standard's own texts stay as the
// standard has them), which is stored with it for whichever instance
// builds it.
func (s *Service) CreatePack(ctx context.Context, from, to time.Time, tr i18n.Translator) (*AuditPack, error) {
	fields := apperr.Fields{}
	if from.IsZero() {
		fields["from"] = apperr.Required()
	}
	if to.IsZero() {
		fields["to"] = apperr.Required()
	}
	if len(fields) == 0 {
		switch {
		case to.Before(from):
			fields["to"] = apperr.Code("before_from", "must not be before from")
		case to.Sub(from) > maxPackSpan:
			fields["to"] = apperr.Code("span_too_long", "the window may span at most three years").With("years", 3)
		case dateOnly(from).After(s.today()):
			fields["from"] = apperr.Code("in_future", "must not be in the future")
		}
	}
	if len(fields) > 0 {
		return nil, apperr.FieldsErr(fields)
	}
	a := actor.From(ctx)
	now := s.now().UTC()
	p := AuditPack{FromDate: dateOnly(from), ToDate: dateOnly(to), Status: PackQueued, Step: tr.T("pack.step.queued"), Lang: tr.Lang(), RequestedByID: a.UserID,
		RequestedBy: truncateRunes(a.Username, 64), CreatedAt: now, UpdatedAt: now}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&p).Error; err != nil {
			return err
		}
		return s.trail.Record(ctx, tx, audit.Entry{Action: "create", Entity: "audit_pack", EntityID: fmt.Sprint(p.ID),
			After: map[string]any{"from": p.FromDate.Format(time.DateOnly), "to": p.ToDate.Format(time.DateOnly)}})
	})
	if err != nil {
		return nil, apperr.Internal(fmt.Errorf("certification: create audit pack: %w", err))
	}
	go s.build(p.ID)
	return &p, nil
}

// Pack returns an audit pack with its progress.
func (s *Service) Pack(ctx context.Context, id uint64) (*AuditPack, error) {
	var p AuditPack
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&p).Error; err != nil {
		return nil, mapErr(err, "audit pack")
	}
	return &p, nil
}

// Packs lists recent audit packs, newest first.
func (s *Service) Packs(ctx context.Context) ([]AuditPack, error) {
	var out []AuditPack
	if err := s.db.WithContext(ctx).Order("id DESC").Limit(50).Find(&out).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("certification: list audit packs: %w", err))
	}
	return out, nil
}

// PackFile returns a finished pack and the path of its ZIP; 409 while it is
// being built.
func (s *Service) PackFile(ctx context.Context, id uint64) (*AuditPack, string, error) {
	p, err := s.Pack(ctx, id)
	if err != nil {
		return nil, "", err
	}
	if p.Status != PackDone {
		return nil, "", apperr.Conflict("not_ready", fmt.Sprintf("the audit pack is %s (%d%%)", p.Status, p.Progress))
	}
	path, err := s.storagePath(p.StorageKey)
	if err != nil {
		return nil, "", err
	}
	return p, path, nil
}

// resumePacks builds packs queued for more than a minute (their instance
// stopped before starting them).
func (s *Service) resumePacks(ctx context.Context) {
	var ids []uint64
	if err := s.db.WithContext(ctx).Model(&AuditPack{}).Where("status = ? AND created_at < ?", PackQueued, s.now().UTC().Add(-time.Minute)).
		Limit(5).Pluck("id", &ids).Error; err != nil {
		s.log.Warn("certification: queued packs", "err", err)
		return
	}
	for _, id := range ids {
		go s.build(id)
	}
}

// WaitPacks blocks until the packs this instance is building are done
// (used at shutdown and by tests).
func (s *Service) WaitPacks() {
	for i := 0; i < cap(s.packs); i++ {
		s.packs <- struct{}{}
	}
	for i := 0; i < cap(s.packs); i++ {
		<-s.packs
	}
}

// build claims a queued pack and writes the ZIP, recording progress.
func (s *Service) build(id uint64) {
	s.packs <- struct{}{}
	defer func() { <-s.packs }()
	ctx := actor.With(context.Background(), actor.System("audit-pack"))
	now := s.now().UTC()
	res := s.db.WithContext(ctx).Model(&AuditPack{}).Where("id = ? AND status = ?", id, PackQueued).
		Updates(map[string]any{"status": PackRunning, "holder": truncateRunes(s.o.Holder, 128), "started_at": now, "updated_at": now})
	if res.Error != nil || res.RowsAffected == 0 {
		return // another instance took it, or it is gone
	}
	var p AuditPack
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&p).Error; err != nil {
		return
	}
	tr := s.o.Text.For(p.Lang)
	s.progress(ctx, id, 0, tr.T("pack.step.started"))
	key := filepath.Join("packs", fmt.Sprintf("audit-pack-%d.zip", id))
	size, sum, err := s.writePack(ctx, &p, tr, filepath.Join(s.o.StorageDir, key))
	fin := s.now().UTC()
	upd := map[string]any{"finished_at": fin, "updated_at": fin}
	if err != nil {
		s.log.Error("certification: audit pack failed", "id", id, "err", err)
		upd["status"], upd["error"], upd["step"] = PackFailed, truncateRunes(err.Error(), 2000), tr.T("pack.step.failed")
	} else {
		upd["status"], upd["progress"], upd["step"], upd["storage_key"], upd["size"], upd["sha256"] = PackDone, 100, tr.T("pack.step.done"), key, size, sum
	}
	built := err == nil
	if err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&AuditPack{}).Where("id = ?", id).Updates(upd).Error; err != nil {
			return err
		}
		if !built {
			return nil
		}
		return s.enqueue(tx, event.CertificationPackReady.New(Topic, event.CertificationPack{ID: id, Status: PackDone}))
	}); err != nil {
		s.log.Error("certification: finish audit pack", "id", id, "err", err)
	}
}

func (s *Service) progress(ctx context.Context, id uint64, pct int, step string) {
	if err := s.db.WithContext(ctx).Model(&AuditPack{}).Where("id = ?", id).
		Updates(map[string]any{"progress": pct, "step": step, "updated_at": s.now().UTC()}).Error; err != nil {
		s.log.Warn("certification: pack progress", "id", id, "err", err)
	}
}

// writePack writes the ZIP to path through a temporary file and returns its
// size and SHA-256.
func (s *Service) writePack(ctx context.Context, p *AuditPack, tr i18n.Translator, path string) (int64, string, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return 0, "", err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "pack-*")
	if err != nil {
		return 0, "", err
	}
	tmpName := tmp.Name()
	defer func() { _ = os.Remove(tmpName) }()
	h := sha256.New()
	zw := zip.NewWriter(io.MultiWriter(tmp, h))
	if err := s.packContents(ctx, p, tr, zw); err != nil {
		_ = tmp.Close()
		return 0, "", err
	}
	if err := zw.Close(); err != nil {
		_ = tmp.Close()
		return 0, "", err
	}
	info, err := tmp.Stat()
	if err != nil {
		_ = tmp.Close()
		return 0, "", err
	}
	if err := tmp.Close(); err != nil {
		return 0, "", err
	}
	if err := os.Rename(tmpName, path); err != nil {
		return 0, "", err
	}
	return info.Size(), hex.EncodeToString(h.Sum(nil)), nil
}

func (s *Service) packContents(ctx context.Context, p *AuditPack, tr i18n.Translator, zw *zip.Writer) error {
	from, to := s.startOf(p.FromDate), s.endOf(p.ToDate)
	n := namesIn(tr)
	readme := tr.T("pack.readme", map[string]any{"From": p.FromDate.Format(time.DateOnly), "To": p.ToDate.Format(time.DateOnly),
		"At": s.now().In(s.loc).Format("2006-01-02 15:04"), "Score": n.score, "Evidence": n.evidence, "Outlets": n.outlets,
		"Staff": n.staff, "Records": n.records})
	if err := writeEntry(zw, n.readme, []byte(readme)); err != nil {
		return err
	}
	s.progress(ctx, p.ID, 5, tr.T("pack.step.score"))
	if err := s.packScore(ctx, tr, zw, n); err != nil {
		return fmt.Errorf("score report: %w", err)
	}
	s.progress(ctx, p.ID, 20, tr.T("pack.step.evidence"))
	if err := s.packEvidence(ctx, tr, zw, n, p.FromDate, p.ToDate); err != nil {
		return fmt.Errorf("evidence: %w", err)
	}
	s.progress(ctx, p.ID, 45, tr.T("pack.step.outlets"))
	if err := s.packOutlets(ctx, tr, zw, n); err != nil {
		return fmt.Errorf("outlets: %w", err)
	}
	s.progress(ctx, p.ID, 55, tr.T("pack.step.staff"))
	if err := s.packStaff(ctx, tr, zw, n); err != nil {
		return fmt.Errorf("staff: %w", err)
	}
	for i, rs := range recordSheets {
		s.progress(ctx, p.ID, 60+i*9, rs.titleIn(tr))
		if err := s.packRecords(ctx, tr, zw, n, rs, from, to); err != nil {
			return fmt.Errorf("%s: %w", rs.table, err)
		}
	}
	s.progress(ctx, p.ID, 98, tr.T("pack.step.zip"))
	return nil
}

func writeEntry(zw *zip.Writer, name string, data []byte) error {
	w, err := zw.Create(name)
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

// sheet is one worksheet: a header and rows.
type sheet struct {
	name   string
	header []string
	rows   [][]any
}

// headers says the message ids of a header row in tr's language.
func headers(tr i18n.Translator, ids ...string) []string {
	out := make([]string, len(ids))
	for i := range ids {
		out[i] = tr.T(ids[i])
	}
	return out
}

// writeWorkbook streams sheets into an .xlsx entry of the ZIP.
func writeWorkbook(zw *zip.Writer, name string, sheets []sheet) error {
	f := excelize.NewFile()
	defer func() { _ = f.Close() }()
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	for i, sh := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sh.name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(sh.name); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(sh.name)
		if err != nil {
			return err
		}
		_ = sw.SetColWidth(1, max(1, len(sh.header)), 18)
		head := make([]any, len(sh.header))
		for j, h := range sh.header {
			head[j] = excelize.Cell{StyleID: bold, Value: h}
		}
		if err := sw.SetRow("A1", head); err != nil {
			return err
		}
		for r, row := range sh.rows {
			cell, _ := excelize.CoordinatesToCellName(1, r+2)
			if err := sw.SetRow(cell, row); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	w, err := zw.Create(name)
	if err != nil {
		return err
	}
	return f.Write(w)
}

// packScore writes the latest run: summary, the points ledger and the gaps.
// Indicator names and clauses are the standard's (zh-CN); the reasons and
// actions the engine writes follow tr's language.
func (s *Service) packScore(ctx context.Context, tr i18n.Translator, zw *zip.Writer, n packNames) error {
	d, err := s.o.Readiness.Latest(ctx, "")
	if err != nil {
		if apperr.IsKind(err, apperr.KindNotFound) {
			return writeWorkbook(zw, n.score, []sheet{{name: tr.T("pack.sheet.overview"), header: headers(tr, "pack.col.note"),
				rows: [][]any{{tr.T("pack.score.none")}}}})
		}
		return err
	}
	r, res := d.Run, d.Result
	say := func(t readiness.Text) string { return inLanguage(tr, t) }
	summary := sheet{name: tr.T("pack.sheet.overview"), header: headers(tr, "pack.col.item", "pack.col.value"), rows: [][]any{
		{tr.T("pack.score.run_id"), r.ID}, {tr.T("pack.score.as_of"), r.AsOf.In(s.loc).Format("2006-01-02 15:04")},
		{tr.T("pack.score.standard"), tr.T("pack.score.standard_version", map[string]any{"Code": r.StandardCode, "Version": r.StandardVersion})},
		{tr.T("pack.score.total"), readiness.RoundForDisplay(r.Total)}, {tr.T("pack.score.range"), fmt.Sprintf("%.2f … %.2f", r.Low, r.High)},
		{tr.T("pack.score.band"), bandName(d.Standard, r.Band)}, {tr.T("pack.score.next_band"), bandName(d.Standard, r.NextBand)},
		{tr.T("pack.score.to_next_band"), readiness.RoundForDisplay(r.ToNextBand)},
		{tr.T("pack.score.applicable"), readiness.RoundForDisplay(r.Applicable)}, {tr.T("pack.score.deductions"), readiness.RoundForDisplay(r.DeductionPoints)},
		{tr.T("pack.score.bonus"), readiness.RoundForDisplay(r.BonusPoints)}, {tr.T("pack.score.watermark"), r.AuditSeq},
		{tr.T("pack.col.note"), tr.T("pack.score.disclaimer")},
	}}
	ledger := sheet{name: tr.T("pack.sheet.ledger"), header: headers(tr, "pack.col.clause", "pack.col.indicator", "pack.ledger.level",
		"pack.ledger.rule", "pack.ledger.state", "pack.ledger.points", "pack.ledger.max", "pack.ledger.applicable", "pack.ledger.recoverable",
		"pack.ledger.numerator", "pack.ledger.denominator", "pack.ledger.value", "pack.ledger.target", "pack.col.reason", "pack.col.action",
		"pack.col.records", "pack.ledger.inferred")}
	for _, ir := range res.Indicators {
		ledger.rows = append(ledger.rows, []any{ir.Clause, ir.Name.Zh, ir.Level, string(ir.Kind), tr.Label(indicatorStates, string(ir.State)),
			readiness.RoundForDisplay(ir.Points), ir.Max, ir.Applicable, readiness.RoundForDisplay(ir.Recoverable),
			ir.Inputs.Numerator, ir.Inputs.Denominator, readiness.RoundForDisplay(ir.Inputs.Value * 100), ir.Inputs.Target,
			say(ir.Reason), say(ir.Action), strings.Join(ir.RecordIDs, " "), yesNo(tr, ir.Inferred)})
	}
	gaps := sheet{name: tr.T("pack.sheet.gaps"), header: headers(tr, "pack.col.clause", "pack.col.indicator", "pack.gaps.lost",
		"pack.gaps.score_gain", "pack.col.reason", "pack.col.action", "pack.col.records")}
	for _, g := range readiness.Gaps(res) {
		gaps.rows = append(gaps.rows, []any{g.Clause, g.Name.Zh, readiness.RoundForDisplay(g.Recoverable), readiness.RoundForDisplay(g.ScoreGain),
			say(g.Reason), say(g.Action), strings.Join(g.RecordIDs, " ")})
	}
	deds := sheet{name: tr.T("pack.sheet.deductions"), header: headers(tr, "pack.col.id", "pack.col.clause", "pack.deductions.fact", "pack.col.status")}
	for _, dd := range res.Deductions {
		deds.rows = append(deds.rows, []any{dd.ID, dd.Clause, dd.Reason, tr.T("pack.deductions.confirmed")})
	}
	for _, dd := range res.SuggestedDeductions {
		deds.rows = append(deds.rows, []any{dd.ID, dd.Clause, dd.Reason, tr.T("pack.deductions.suggested")})
	}
	return writeWorkbook(zw, n.score, []sheet{summary, ledger, gaps, deds})
}

// inLanguage picks the English of a text the engine wrote when tr speaks
// English and there is one, its zh-CN otherwise.
func inLanguage(tr i18n.Translator, t readiness.Text) string {
	if t.En != "" && tr.Lang() == "en" {
		return t.En
	}
	return t.Zh
}

func bandName(std *readiness.Standard, code string) string {
	if std == nil || code == "" {
		return code
	}
	if b, ok := std.Band(code); ok {
		return b.Name.Zh
	}
	if code == std.Scoring.Fail.Code {
		return std.Scoring.Fail.Name.Zh
	}
	return code
}

// yesNo says yes in tr's language, and nothing for no.
func yesNo(tr i18n.Translator, b bool) string {
	if b {
		return tr.T("label.common.yes")
	}
	return ""
}

// packEvidence copies the approved documents in force at some point of the
// window into one folder per indicator, with a register of all documents.
func (s *Service) packEvidence(ctx context.Context, tr i18n.Translator, zw *zip.Writer, n packNames, from, to time.Time) error {
	std, err := s.standard(ctx)
	if err != nil {
		return err
	}
	var docs []Document
	if err := s.db.WithContext(ctx).Order("doc_type, chain_id, revision").Find(&docs).Error; err != nil {
		return err
	}
	supersededAt, err := s.supersession(ctx)
	if err != nil {
		return err
	}
	clauses := s.clausesByType(ctx)
	labels := map[string]string{}
	for _, dt := range std.DocumentTypes {
		labels[dt.Type] = dt.Label.Zh
	}
	register := sheet{name: tr.T("pack.sheet.evidence_register"), header: headers(tr, "pack.col.id", "pack.evidence.type", "pack.evidence.title",
		"pack.evidence.revision", "pack.evidence.effective", "pack.col.valid_until", "pack.evidence.approver", "pack.evidence.approved",
		"pack.col.status", "pack.evidence.sha256", "pack.evidence.file", "pack.evidence.clauses", "pack.evidence.included")}
	for _, d := range docs {
		v := s.view(d, supersededAt, clauses)
		inWindow := d.ApprovedAt != nil && !d.EffectiveAt.After(to) && (d.ExpiresAt == nil || !d.ExpiresAt.Before(from))
		exp := ""
		if d.ExpiresAt != nil {
			exp = d.ExpiresAt.Format(time.DateOnly)
		}
		approved := ""
		if d.ApprovedAt != nil {
			approved = d.ApprovedAt.In(s.loc).Format("2006-01-02") + " " + d.ApprovedBy
		}
		register.rows = append(register.rows, []any{d.ID, labels[d.DocType], d.Title, d.Revision, d.EffectiveAt.Format(time.DateOnly), exp,
			d.Approver, approved, tr.Label(freshnessLabels, v.Freshness), d.SHA256, d.FileName, strings.Join(clauses[d.DocType], " "), yesNo(tr, inWindow)})
		if !inWindow {
			continue
		}
		path, err := s.storagePath(d.StorageKey)
		if err != nil {
			continue // listed in the register; the file itself is missing
		}
		for _, clause := range clauses[d.DocType] {
			ind, _ := std.Indicator(clause)
			folder := clause
			if ind != nil {
				folder = clause + "_" + safeName(ind.Name.Zh)
			}
			name := fmt.Sprintf("%s/%s/v%d_%s", n.evidence, folder, d.Revision, safeName(d.FileName))
			if err := copyIntoZip(zw, name, path); err != nil {
				return err
			}
		}
	}
	return writeWorkbook(zw, n.evidence+"/"+n.register, []sheet{register})
}

func copyIntoZip(zw *zip.Writer, name, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w, err := zw.Create(name)
	if err != nil {
		return err
	}
	_, err = io.Copy(w, f)
	return err
}

// safeName keeps a file or folder name portable inside a ZIP.
func safeName(s string) string {
	r := strings.NewReplacer("/", "_", "\\", "_", ":", "_", "*", "_", "?", "_", "\"", "_", "<", "_", ">", "_", "|", "_")
	s = strings.TrimSpace(r.Replace(s))
	if s == "" {
		return "_"
	}
	return truncateRunes(s, 80)
}

// packOutlets lists the outlets, own or entrusted, with their contracts.
func (s *Service) packOutlets(ctx context.Context, tr i18n.Translator, zw *zip.Writer, n packNames) error {
	sh := sheet{name: tr.T("pack.sheet.outlets"), header: headers(tr, "pack.col.id", "pack.outlets.code", "pack.outlets.name", "pack.outlets.kind",
		"pack.outlets.contract_no", "pack.outlets.contract_from", "pack.outlets.contract_to", "pack.outlets.contract_state", "pack.outlets.region",
		"pack.outlets.address", "pack.outlets.phone", "pack.col.status", "pack.outlets.staff")}
	if !s.db.Migrator().HasTable("outlets") {
		sh.rows = append(sh.rows, []any{tr.T("pack.outlets.unavailable")})
		return writeWorkbook(zw, n.outlets, []sheet{sh})
	}
	rows, err := s.db.WithContext(ctx).Raw(`SELECT o.id, o.code, o.name, o.kind, o.contract_no, o.contract_valid_from, o.contract_valid_to,
		o.region_code, o.address, o.phone, o.status,
		(SELECT COUNT(*) FROM staff_members m WHERE m.outlet_id = o.id AND m.active = ?) AS staff
		FROM outlets o ORDER BY o.id`, true).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	today := s.today()
	for rows.Next() {
		var o struct {
			ID                     uint64
			Code, Name, Kind, No   string
			From, To               sqlDate
			Region, Addr, Phone, S string
			Staff                  int64
		}
		if err := rows.Scan(&o.ID, &o.Code, &o.Name, &o.Kind, &o.No, &o.From, &o.To, &o.Region, &o.Addr, &o.Phone, &o.S, &o.Staff); err != nil {
			return err
		}
		kind, state := tr.T("pack.outlets.kind_own"), ""
		if o.Kind == "entrusted" {
			kind = tr.T("pack.outlets.kind_entrusted")
			switch {
			case !o.To.Valid:
				state = tr.T("pack.outlets.contract_missing")
			case o.To.T.Before(today):
				state = tr.T("pack.state.expired")
			default:
				state = tr.T("pack.state.valid")
			}
		}
		sh.rows = append(sh.rows, []any{o.ID, o.Code, o.Name, kind, o.No, o.From.String(), o.To.String(), state, o.Region, o.Addr,
			maskPhone(o.Phone), tr.Label(outletStatuses, o.S), o.Staff})
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return writeWorkbook(zw, n.outlets, []sheet{sh})
}

// packStaff lists the active staff and their certificates.
func (s *Service) packStaff(ctx context.Context, tr i18n.Translator, zw *zip.Writer, n packNames) error {
	staff := sheet{name: tr.T("pack.sheet.staff"), header: headers(tr, "pack.col.id", "pack.staff.name", "pack.staff.outlet", "pack.staff.department",
		"pack.staff.post", "pack.staff.management", "pack.staff.active", "pack.staff.hired")}
	certs := sheet{name: tr.T("pack.sheet.certificates"), header: headers(tr, "pack.certs.staff_id", "pack.staff.name", "pack.certs.kind",
		"pack.certs.number", "pack.certs.issued", "pack.col.valid_until", "pack.col.status")}
	if !s.db.Migrator().HasTable("staff_members") {
		staff.rows = append(staff.rows, []any{tr.T("pack.staff.unavailable")})
		return writeWorkbook(zw, n.staff, []sheet{staff, certs})
	}
	rows, err := s.db.WithContext(ctx).Raw(`SELECT m.id, m.name, COALESCE(o.name, ''), m.hq_department, m.post, m.is_service_management, m.active, m.hired_at
		FROM staff_members m LEFT JOIN outlets o ON o.id = m.outlet_id ORDER BY m.id`).Rows()
	if err != nil {
		return err
	}
	for rows.Next() {
		var id uint64
		var name, outlet, dept, post string
		var mgmt, active bool
		var hired sqlDate
		if err := rows.Scan(&id, &name, &outlet, &dept, &post, &mgmt, &active, &hired); err != nil {
			rows.Close()
			return err
		}
		staff.rows = append(staff.rows, []any{id, name, outlet, dept, post, yesNo(tr, mgmt), yesNo(tr, active), hired.String()})
	}
	rows.Close()
	today := s.today()
	crow, err := s.db.WithContext(ctx).Raw(`SELECT c.staff_id, m.name, c.kind, c.number, c.issued_at, c.expires_at
		FROM staff_certificates c JOIN staff_members m ON m.id = c.staff_id ORDER BY c.staff_id, c.id`).Rows()
	if err != nil {
		return err
	}
	defer crow.Close()
	for crow.Next() {
		var id uint64
		var name, kind, number string
		var issued, expires sqlDate
		if err := crow.Scan(&id, &name, &kind, &number, &issued, &expires); err != nil {
			return err
		}
		state := tr.T("pack.state.valid")
		if expires.Valid && expires.T.Before(today) {
			state = tr.T("pack.state.expired")
		}
		if kind == "service_manager" {
			kind = tr.T("pack.certs.service_manager")
		}
		certs.rows = append(certs.rows, []any{id, name, kind, number, issued.String(), expires.String(), state})
	}
	if err := crow.Err(); err != nil {
		return err
	}
	return writeWorkbook(zw, n.staff, []sheet{staff, certs})
}

// packRecords samples up to sampleSize records of a kind in the window,
// every k-th id so the sample spreads over the window, with all columns.
func (s *Service) packRecords(ctx context.Context, tr i18n.Translator, zw *zip.Writer, n packNames, rs recordSheet, from, to time.Time) error {
	title := rs.titleIn(tr)
	file := n.records + "/" + title + ".xlsx"
	sh := sheet{name: title}
	m := s.db.Migrator()
	if !m.HasTable(rs.table) || !m.HasColumn(rs.table, rs.timeColumn) {
		sh.header = headers(tr, "pack.col.note")
		sh.rows = [][]any{{tr.T("pack.records.unavailable", map[string]any{"Title": title})}}
		return writeWorkbook(zw, file, []sheet{sh})
	}
	db := s.db.WithContext(ctx)
	var total int64
	where := fmt.Sprintf("%s >= ? AND %s < ?", rs.timeColumn, rs.timeColumn)
	if err := db.Table(rs.table).Where(where, from, to).Count(&total).Error; err != nil {
		return err
	}
	k := int64(1)
	if total > sampleSize {
		k = (total + sampleSize - 1) / sampleSize
	}
	rows, err := db.Raw(fmt.Sprintf("SELECT * FROM %s WHERE %s AND (id %% ?) = 0 ORDER BY id LIMIT ?", rs.table, where), from, to, k, sampleSize).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	sh.header = cols
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		out := make([]any, len(cols))
		for i, v := range vals {
			out[i] = s.cellValue(cols[i], v)
		}
		sh.rows = append(sh.rows, out)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	window := tr.T("pack.sampling.range", map[string]any{"From": from.In(s.loc).Format(time.DateOnly),
		"To": to.Add(-time.Second).In(s.loc).Format(time.DateOnly)})
	info := sheet{name: tr.T("pack.sheet.sampling"), header: headers(tr, "pack.col.item", "pack.col.value"), rows: [][]any{
		{tr.T("pack.sampling.window"), window}, {tr.T("pack.sampling.total"), total}, {tr.T("pack.sampling.interval"), k},
		{tr.T("pack.sampling.count"), len(sh.rows)}, {tr.T("pack.col.note"), tr.T("pack.sampling.masked")},
	}}
	return writeWorkbook(zw, file, []sheet{sh, info})
}

// cellValue converts a database value for a spreadsheet cell: text as
// text, times in the enterprise zone, phone columns masked.
func (s *Service) cellValue(col string, v any) any {
	switch x := v.(type) {
	case nil:
		return ""
	case []byte:
		v = string(x)
	case time.Time:
		return x.In(s.loc).Format("2006-01-02 15:04:05")
	}
	if str, ok := v.(string); ok {
		if strings.Contains(strings.ToLower(col), "phone") {
			return maskPhone(str)
		}
		return str
	}
	return v
}

// maskPhone keeps the first three and last four digits.
func maskPhone(p string) string {
	r := []rune(p)
	if len(r) < 8 {
		return p
	}
	return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
}

// sqlDate scans a nullable date that SQLite may return as text.
type sqlDate struct {
	T     time.Time
	Valid bool
}

// Scan implements sql.Scanner.
func (d *sqlDate) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		d.Valid = false
		return nil
	case time.Time:
		d.T, d.Valid = x, true
		return nil
	case []byte:
		return d.parse(string(x))
	case string:
		return d.parse(x)
	}
	return errors.New("certification: cannot scan a date")
}

func (d *sqlDate) parse(s string) error {
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05Z07:00", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			d.T, d.Valid = t, true
			return nil
		}
	}
	return fmt.Errorf("certification: cannot parse date %q", s)
}

// String prints the date as YYYY-MM-DD, empty when null.
func (d sqlDate) String() string {
	if !d.Valid {
		return ""
	}
	return d.T.UTC().Format(time.DateOnly)
}
