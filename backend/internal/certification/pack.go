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
	file, title, table, timeColumn string
}

// recordSheets are the records an auditor samples.
var recordSheets = []recordSheet{
	{"03_记录抽样/维修记录.xlsx", "维修记录", "repair_orders", "received_at"},
	{"03_记录抽样/投诉记录.xlsx", "投诉记录", "complaints", "received_at"},
	{"03_记录抽样/满意度调查.xlsx", "满意度调查", "survey_responses", "answered_at"},
	{"03_记录抽样/回访记录.xlsx", "回访记录", "survey_followups", "created_at"},
}

// CreatePack queues an audit pack for the window [from, to] (calendar
// dates) and starts building it in the background; its progress is stored,
// so any instance can report it.
func (s *Service) CreatePack(ctx context.Context, from, to time.Time) (*AuditPack, error) {
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
	p := AuditPack{FromDate: dateOnly(from), ToDate: dateOnly(to), Status: PackQueued, Step: "排队中", RequestedByID: a.UserID,
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
		Updates(map[string]any{"status": PackRunning, "holder": truncateRunes(s.o.Holder, 128), "started_at": now, "updated_at": now, "step": "开始"})
	if res.Error != nil || res.RowsAffected == 0 {
		return // another instance took it, or it is gone
	}
	var p AuditPack
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&p).Error; err != nil {
		return
	}
	key := filepath.Join("packs", fmt.Sprintf("audit-pack-%d.zip", id))
	size, sum, err := s.writePack(ctx, &p, filepath.Join(s.o.StorageDir, key))
	fin := s.now().UTC()
	upd := map[string]any{"finished_at": fin, "updated_at": fin}
	if err != nil {
		s.log.Error("certification: audit pack failed", "id", id, "err", err)
		upd["status"], upd["error"], upd["step"] = PackFailed, truncateRunes(err.Error(), 2000), "失败"
	} else {
		upd["status"], upd["progress"], upd["step"], upd["storage_key"], upd["size"], upd["sha256"] = PackDone, 100, "完成", key, size, sum
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
func (s *Service) writePack(ctx context.Context, p *AuditPack, path string) (int64, string, error) {
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
	if err := s.packContents(ctx, p, zw); err != nil {
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

func (s *Service) packContents(ctx context.Context, p *AuditPack, zw *zip.Writer) error {
	from, to := s.startOf(p.FromDate), s.endOf(p.ToDate)
	readme := fmt.Sprintf("审核资料包\n观察期：%s 至 %s\n生成时间：%s\n\n00_评分报告.xlsx  最新评分及逐项得分台账、差距\n01_证据/  按指标分类的证据文件及证据清单\n02_网点清单.xlsx  网点（自建/委托）及委托合同\n02_人员名册.xlsx  人员及证书\n03_记录抽样/  维修、投诉、满意度调查、回访记录抽样\n\n本资料包中的评分为系统预测，不代表认证机构的审核结论。\n",
		p.FromDate.Format(time.DateOnly), p.ToDate.Format(time.DateOnly), s.now().In(s.loc).Format("2006-01-02 15:04"))
	if err := writeEntry(zw, "说明.txt", []byte(readme)); err != nil {
		return err
	}
	s.progress(ctx, p.ID, 5, "评分报告")
	if err := s.packScore(ctx, zw); err != nil {
		return fmt.Errorf("score report: %w", err)
	}
	s.progress(ctx, p.ID, 20, "证据文件")
	if err := s.packEvidence(ctx, zw, p.FromDate, p.ToDate); err != nil {
		return fmt.Errorf("evidence: %w", err)
	}
	s.progress(ctx, p.ID, 45, "网点清单")
	if err := s.packOutlets(ctx, zw); err != nil {
		return fmt.Errorf("outlets: %w", err)
	}
	s.progress(ctx, p.ID, 55, "人员名册")
	if err := s.packStaff(ctx, zw); err != nil {
		return fmt.Errorf("staff: %w", err)
	}
	for i, rs := range recordSheets {
		s.progress(ctx, p.ID, 60+i*9, rs.title)
		if err := s.packRecords(ctx, zw, rs, from, to); err != nil {
			return fmt.Errorf("%s: %w", rs.title, err)
		}
	}
	s.progress(ctx, p.ID, 98, "打包")
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
func (s *Service) packScore(ctx context.Context, zw *zip.Writer) error {
	d, err := s.o.Readiness.Latest(ctx, "")
	if err != nil {
		if apperr.IsKind(err, apperr.KindNotFound) {
			return writeWorkbook(zw, "00_评分报告.xlsx", []sheet{{name: "总览", header: []string{"说明"}, rows: [][]any{{"尚无评分记录：请先运行评分"}}}})
		}
		return err
	}
	r, res := d.Run, d.Result
	summary := sheet{name: "总览", header: []string{"项目", "值"}, rows: [][]any{
		{"评分编号", r.ID}, {"评价日", r.AsOf.In(s.loc).Format("2006-01-02 15:04")}, {"标准", fmt.Sprintf("%s 第 %d 版", r.StandardCode, r.StandardVersion)},
		{"总分", readiness.RoundForDisplay(r.Total)}, {"区间（未知项 0 分 … 满分）", fmt.Sprintf("%.2f … %.2f", r.Low, r.High)},
		{"等级", bandName(d.Standard, r.Band)}, {"下一等级", bandName(d.Standard, r.NextBand)}, {"距下一等级", readiness.RoundForDisplay(r.ToNextBand)},
		{"适用分值", readiness.RoundForDisplay(r.Applicable)}, {"特别扣分", readiness.RoundForDisplay(r.DeductionPoints)},
		{"特别加分", readiness.RoundForDisplay(r.BonusPoints)}, {"数据水位（审计序号）", r.AuditSeq},
		{"说明", "本评分为系统依据标准数据化版本所作预测；标记为推断的指标分值与条款为重构，非标准原文"},
	}}
	ledger := sheet{name: "指标台账", header: []string{"条款", "指标", "层级", "规则", "状态", "得分", "满分", "适用分", "可恢复", "分子", "分母", "实际值", "目标", "原因", "改进措施", "相关记录", "推断"}}
	for _, ir := range res.Indicators {
		ledger.rows = append(ledger.rows, []any{ir.Clause, ir.Name.Zh, ir.Level, string(ir.Kind), string(ir.State),
			readiness.RoundForDisplay(ir.Points), ir.Max, ir.Applicable, readiness.RoundForDisplay(ir.Recoverable),
			ir.Inputs.Numerator, ir.Inputs.Denominator, readiness.RoundForDisplay(ir.Inputs.Value * 100), ir.Inputs.Target,
			ir.Reason.Zh, ir.Action.Zh, strings.Join(ir.RecordIDs, " "), yesNo(ir.Inferred)})
	}
	gaps := sheet{name: "差距", header: []string{"条款", "指标", "失分", "折合总分", "原因", "改进措施", "相关记录"}}
	for _, g := range readiness.Gaps(res) {
		gaps.rows = append(gaps.rows, []any{g.Clause, g.Name.Zh, readiness.RoundForDisplay(g.Recoverable), readiness.RoundForDisplay(g.ScoreGain),
			g.Reason.Zh, g.Action.Zh, strings.Join(g.RecordIDs, " ")})
	}
	deds := sheet{name: "特别扣分", header: []string{"编号", "条款", "事实", "状态"}}
	for _, dd := range res.Deductions {
		deds.rows = append(deds.rows, []any{dd.ID, dd.Clause, dd.Reason, "已确认"})
	}
	for _, dd := range res.SuggestedDeductions {
		deds.rows = append(deds.rows, []any{dd.ID, dd.Clause, dd.Reason, "系统建议（待确认）"})
	}
	return writeWorkbook(zw, "00_评分报告.xlsx", []sheet{summary, ledger, gaps, deds})
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

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return ""
}

// packEvidence copies the approved documents in force at some point of the
// window into one folder per indicator, with a register of all documents.
func (s *Service) packEvidence(ctx context.Context, zw *zip.Writer, from, to time.Time) error {
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
	register := sheet{name: "证据清单", header: []string{"编号", "类型", "名称", "版本", "生效日", "有效至", "签批人", "系统批准", "状态", "SHA-256", "文件", "对应条款", "收入本包"}}
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
			d.Approver, approved, v.Freshness, d.SHA256, d.FileName, strings.Join(clauses[d.DocType], " "), yesNo(inWindow)})
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
			name := fmt.Sprintf("01_证据/%s/v%d_%s", folder, d.Revision, safeName(d.FileName))
			if err := copyIntoZip(zw, name, path); err != nil {
				return err
			}
		}
	}
	return writeWorkbook(zw, "01_证据/证据清单.xlsx", []sheet{register})
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
func (s *Service) packOutlets(ctx context.Context, zw *zip.Writer) error {
	sh := sheet{name: "网点清单", header: []string{"编号", "网点代码", "网点名称", "类型", "合同编号", "合同起", "合同止", "合同状态", "所在区划", "地址", "电话", "状态", "在岗人数"}}
	if !s.db.Migrator().HasTable("outlets") {
		sh.rows = append(sh.rows, []any{"网点数据尚不可用"})
		return writeWorkbook(zw, "02_网点清单.xlsx", []sheet{sh})
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
		kind, state := "自建", ""
		if o.Kind == "entrusted" {
			kind = "委托"
			switch {
			case !o.To.Valid:
				state = "缺少合同"
			case o.To.T.Before(today):
				state = "已过期"
			default:
				state = "有效"
			}
		}
		sh.rows = append(sh.rows, []any{o.ID, o.Code, o.Name, kind, o.No, o.From.String(), o.To.String(), state, o.Region, o.Addr,
			maskPhone(o.Phone), o.S, o.Staff})
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return writeWorkbook(zw, "02_网点清单.xlsx", []sheet{sh})
}

// packStaff lists the active staff and their certificates.
func (s *Service) packStaff(ctx context.Context, zw *zip.Writer) error {
	staff := sheet{name: "人员名册", header: []string{"编号", "姓名", "网点", "总部部门", "岗位", "服务管理人员", "在岗", "入职日"}}
	certs := sheet{name: "证书", header: []string{"人员编号", "姓名", "证书类别", "证书编号", "发证日", "有效至", "状态"}}
	if !s.db.Migrator().HasTable("staff_members") {
		staff.rows = append(staff.rows, []any{"人员数据尚不可用"})
		return writeWorkbook(zw, "02_人员名册.xlsx", []sheet{staff, certs})
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
		staff.rows = append(staff.rows, []any{id, name, outlet, dept, post, yesNo(mgmt), yesNo(active), hired.String()})
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
		state := "有效"
		if expires.Valid && expires.T.Before(today) {
			state = "已过期"
		}
		if kind == "service_manager" {
			kind = "售后服务管理师"
		}
		certs.rows = append(certs.rows, []any{id, name, kind, number, issued.String(), expires.String(), state})
	}
	if err := crow.Err(); err != nil {
		return err
	}
	return writeWorkbook(zw, "02_人员名册.xlsx", []sheet{staff, certs})
}

// packRecords samples up to sampleSize records of a kind in the window,
// every k-th id so the sample spreads over the window, with all columns.
func (s *Service) packRecords(ctx context.Context, zw *zip.Writer, rs recordSheet, from, to time.Time) error {
	sh := sheet{name: rs.title}
	m := s.db.Migrator()
	if !m.HasTable(rs.table) || !m.HasColumn(rs.table, rs.timeColumn) {
		sh.header = []string{"说明"}
		sh.rows = [][]any{{rs.title + "数据尚不可用"}}
		return writeWorkbook(zw, rs.file, []sheet{sh})
	}
	db := s.db.WithContext(ctx)
	var n int64
	where := fmt.Sprintf("%s >= ? AND %s < ?", rs.timeColumn, rs.timeColumn)
	if err := db.Table(rs.table).Where(where, from, to).Count(&n).Error; err != nil {
		return err
	}
	k := int64(1)
	if n > sampleSize {
		k = (n + sampleSize - 1) / sampleSize
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
	info := sheet{name: "抽样说明", header: []string{"项目", "值"}, rows: [][]any{
		{"观察期", from.In(s.loc).Format(time.DateOnly) + " 至 " + to.Add(-time.Second).In(s.loc).Format(time.DateOnly)},
		{"总数", n}, {"抽样间隔（按编号每 k 条取 1 条）", k}, {"抽样数", len(sh.rows)}, {"说明", "电话号码已脱敏"},
	}}
	return writeWorkbook(zw, rs.file, []sheet{sh, info})
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
