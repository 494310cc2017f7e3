package recall

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/xlsx"
)

var hazardTitle = map[string]string{"high": "高（一级）", "medium": "中（二级）", "low": "低（三级）"}
var remedyTitle = map[string]string{"repair": "修理", "replace": "更换", "refund": "退货退款", "inspect": "检查"}

// Report writes the campaign's Excel report for the regulator: a summary
// (campaign, totals, completion rate), progress by week, every affected
// unit with its owner, notification, appointment and remedy, and every
// notification attempt. Units and attempts are streamed in id order, so
// a campaign of 100,000 units does not sit in memory. Errors: not_found.
func (s *Service) Report(ctx context.Context, campaignID uint64, w io.Writer) error {
	counts, weeks, err := s.Progress(ctx, campaignID)
	if err != nil {
		return err
	}
	c, err := s.loadCampaign(ctx, s.o.DB, campaignID)
	if err != nil {
		return wrap(err, "recall report")
	}
	f := excelize.NewFile()
	defer func() { _ = f.Close() }()
	fail := func(err error) error { return apperr.Internal(fmt.Errorf("recall report: %w", err)) }
	const summary = "概况"
	if err := f.SetSheetName("Sheet1", summary); err != nil {
		return fail(err)
	}
	date := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(s.o.Location).Format("2006-01-02 15:04")
	}
	rate := func(r *float64) string {
		if r == nil {
			return "—"
		}
		return fmt.Sprintf("%.1f%%", *r*100)
	}
	rows := [][]any{
		{"召回活动编号", c.Number}, {"名称", c.Title}, {"召回原因", c.Reason}, {"危害等级", hazardTitle[c.HazardLevel]},
		{"处理方式", remedyTitle[c.Remedy]}, {"处理措施说明", c.RemedyDescription}, {"备案编号", c.RegulatorRef},
		{"开始日期", c.StartDate.Format("2006-01-02")}, {"状态", campaignStatusTitle[c.Status]}, {"结束时间", date(c.ClosedAt)},
		{}, {"涉及产品数量", counts.Affected}, {"涉及用户数", counts.Owners}, {"无登记用户的产品", counts.NoOwner},
		{"已通知产品数", counts.Notified}, {"已预约产品数", counts.Scheduled}, {"已完成处理产品数", counts.Remedied},
		{"完成率", rate(counts.CompletionRate)}, {}, {"报告生成时间", date(ptr(s.o.Now().UTC()))},
	}
	for i, r := range rows {
		if err := f.SetSheetRow(summary, fmt.Sprintf("A%d", i+1), &r); err != nil {
			return fail(err)
		}
	}
	_ = f.SetColWidth(summary, "A", "A", 20)
	_ = f.SetColWidth(summary, "B", "B", 60)

	const weekly = "周进度"
	if _, err := f.NewSheet(weekly); err != nil {
		return fail(err)
	}
	sw, err := f.NewStreamWriter(weekly)
	if err != nil {
		return fail(err)
	}
	if err := sw.SetRow("A1", []any{"周次", "起始日期", "本周通知", "累计通知", "本周完成", "累计完成", "完成率"}); err != nil {
		return fail(err)
	}
	for i, wk := range weeks {
		if err := sw.SetRow(fmt.Sprintf("A%d", i+2), []any{wk.Week + 1, wk.StartsOn.Format("2006-01-02"), wk.Notified, wk.CumNotified,
			wk.Remedied, wk.CumRemedied, rate(wk.CompletionRate)}); err != nil {
			return fail(err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fail(err)
	}

	const detail = "召回明细"
	if _, err := f.NewSheet(detail); err != nil {
		return fail(err)
	}
	sw, err = f.NewStreamWriter(detail)
	if err != nil {
		return fail(err)
	}
	if err := sw.SetRow("A1", []any{"序列号", "型号ID", "用户ID", "状态", "通知时间", "预约时间", "预约网点ID", "完成时间", "处理网点ID", "处理人", "处理说明"}); err != nil {
		return fail(err)
	}
	line := 2
	var after uint64
	for {
		var batch []AffectedUnit
		if err := s.o.DB.WithContext(ctx).Where("campaign_id = ? AND id > ?", campaignID, after).Order("id").Limit(5000).Find(&batch).Error; err != nil {
			return fail(err)
		}
		if len(batch) == 0 {
			break
		}
		for _, u := range batch {
			if err := sw.SetRow(fmt.Sprintf("A%d", line), []any{u.Serial, u.ModelID, optID(u.CustomerID), unitStatusTitle[u.Status],
				date(u.NotifiedAt), date(u.AppointmentAt), optID(u.AppointmentOutletID), date(u.RemediedAt), optID(u.RemediedOutletID),
				u.RemediedBy, u.RemedyNote}); err != nil {
				return fail(err)
			}
			line++
		}
		after = batch[len(batch)-1].ID
	}
	if err := sw.Flush(); err != nil {
		return fail(err)
	}

	const attempts = "通知记录"
	if _, err := f.NewSheet(attempts); err != nil {
		return fail(err)
	}
	sw, err = f.NewStreamWriter(attempts)
	if err != nil {
		return fail(err)
	}
	if err := sw.SetRow("A1", []any{"用户ID", "方式", "结果", "时间", "记录人", "备注"}); err != nil {
		return fail(err)
	}
	line, after = 2, 0
	for {
		var batch []Notification
		if err := s.o.DB.WithContext(ctx).Where("campaign_id = ? AND id > ?", campaignID, after).Order("id").Limit(5000).Find(&batch).Error; err != nil {
			return fail(err)
		}
		if len(batch) == 0 {
			break
		}
		for _, n := range batch {
			at := n.At
			if err := sw.SetRow(fmt.Sprintf("A%d", line), []any{n.CustomerID, channelTitle[n.Channel], outcomeTitle[n.Outcome], date(&at), n.ActorName, n.Note}); err != nil {
				return fail(err)
			}
			line++
		}
		after = batch[len(batch)-1].ID
	}
	if err := sw.Flush(); err != nil {
		return fail(err)
	}
	if err := f.Write(w); err != nil {
		return fail(err)
	}
	return nil
}

var channelTitle = map[string]string{"phone": "电话", "sms": "短信", "letter": "信函"}
var outcomeTitle = map[string]string{"reached": "已接通", "no_answer": "无人接听", "busy": "占线", "wrong_number": "号码错误",
	"refused": "接通但拒绝", "delivered": "已送达", "failed": "发送失败", "sent": "已寄出", "returned": "被退回"}

func optID(id *uint64) any {
	if id == nil {
		return ""
	}
	return *id
}

func ptr(t time.Time) *time.Time { return &t }

// ParseSerialsXLSX reads serial numbers from the first column of the first
// sheet of an .xlsx file; a first row that is not a serial (a header such
// as 序列号 or serial) is skipped, as are empty cells. At most max serials
// are read. The workbook is opened through package xlsx (unzip limits, row
// cap). Errors: invalid (too many serials, none); validation (not an xlsx
// file, over a size or row limit).
func ParseSerialsXLSX(r io.Reader, max int) ([]string, error) {
	f, err := xlsx.Open(r, "file", xlsx.Limits{Rows: max*2 + 1000})
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, apperr.Invalid("file: the workbook has no sheet")
	}
	rows, err := f.Rows(sheets[0], "file")
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	var out []string
	first := true
	for rows.Next() {
		cols, err := rows.Columns()
		if err != nil {
			return nil, apperr.Invalid("file: cannot read a row of the first sheet")
		}
		if len(cols) == 0 || strings.TrimSpace(cols[0]) == "" {
			first = false
			continue
		}
		v := strings.TrimSpace(cols[0])
		if first {
			first = false
			if _, ok := NormalizeSerial(v); !ok {
				continue
			}
		}
		out = append(out, v)
		if len(out) > max {
			return nil, apperr.Invalid(fmt.Sprintf("file: more than %d serials", max))
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, apperr.Invalid("file: no serials in the first column of the first sheet")
	}
	return out, nil
}

// MaxListSerials is the configured bound of an imported list.
func (s *Service) MaxListSerials() int { return s.o.MaxListSerials }
