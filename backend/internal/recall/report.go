package recall

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/i18n"
	"github.com/aftersales/aftersales/backend/internal/xlsx"
)

// The message ids (package i18n) of the codes the report shows as words.
var (
	hazardLabels = map[string]string{"high": "label.recall.hazard.high", "medium": "label.recall.hazard.medium", "low": "label.recall.hazard.low"}
	remedyLabels = map[string]string{"repair": "label.recall.remedy.repair", "replace": "label.recall.remedy.replace",
		"refund": "label.recall.remedy.refund", "inspect": "label.recall.remedy.inspect"}
	campaignStatusLabels = map[string]string{StatusDraft: "label.recall.status.draft", StatusActive: "label.recall.status.active",
		StatusClosed: "label.recall.status.closed"}
	unitStatusLabels = map[string]string{UnitPending: "label.recall.unit.pending", UnitNotified: "label.recall.unit.notified",
		UnitScheduled: "label.recall.unit.scheduled", UnitRemedied: "label.recall.unit.remedied"}
	channelLabels = map[string]string{"phone": "label.recall.channel.phone", "sms": "label.recall.channel.sms", "letter": "label.recall.channel.letter"}
	outcomeLabels = map[string]string{"reached": "label.recall.outcome.reached", "no_answer": "label.recall.outcome.no_answer",
		"busy": "label.recall.outcome.busy", "wrong_number": "label.recall.outcome.wrong_number", "refused": "label.recall.outcome.refused",
		"delivered": "label.recall.outcome.delivered", "failed": "label.recall.outcome.failed", "sent": "label.recall.outcome.sent",
		"returned": "label.recall.outcome.returned"}
)

// ReportFileName is the report's file name (without .xlsx) in tr's
// language.
func ReportFileName(tr i18n.Translator, number string) string {
	return tr.T("report.recall.file", map[string]any{"Number": number})
}

// Report writes the campaign's Excel report for the regulator: a summary
// (campaign, totals, completion rate), progress by week, every affected
// unit with its owner, notification, appointment and remedy, and every
// notification attempt. Units and attempts are streamed in id order, so
// a campaign of 100,000 units does not sit in memory. Sheet names, headers
// and code labels are in tr's language. Errors: not_found.
func (s *Service) Report(ctx context.Context, campaignID uint64, w io.Writer, tr i18n.Translator) error {
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
	summary := tr.T("report.recall.summary")
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
	label := tr.Label // an unknown code shows as itself
	rows := [][]any{
		{tr.T("report.recall.number"), c.Number}, {tr.T("report.recall.title"), c.Title}, {tr.T("report.recall.reason"), c.Reason},
		{tr.T("report.recall.hazard"), label(hazardLabels, c.HazardLevel)}, {tr.T("report.recall.remedy"), label(remedyLabels, c.Remedy)},
		{tr.T("report.recall.remedy_description"), c.RemedyDescription}, {tr.T("report.recall.regulator_ref"), c.RegulatorRef},
		{tr.T("report.recall.start_date"), c.StartDate.Format("2006-01-02")}, {tr.T("report.recall.status"), label(campaignStatusLabels, c.Status)},
		{tr.T("report.recall.closed_at"), date(c.ClosedAt)},
		{}, {tr.T("report.recall.affected"), counts.Affected}, {tr.T("report.recall.owners"), counts.Owners},
		{tr.T("report.recall.no_owner"), counts.NoOwner}, {tr.T("report.recall.notified"), counts.Notified},
		{tr.T("report.recall.scheduled"), counts.Scheduled}, {tr.T("report.recall.remedied"), counts.Remedied},
		{tr.T("report.recall.completion_rate"), rate(counts.CompletionRate)}, {}, {tr.T("report.recall.generated_at"), date(ptr(s.o.Now().UTC()))},
	}
	for i, r := range rows {
		if err := f.SetSheetRow(summary, fmt.Sprintf("A%d", i+1), &r); err != nil {
			return fail(err)
		}
	}
	_ = f.SetColWidth(summary, "A", "A", 20)
	_ = f.SetColWidth(summary, "B", "B", 60)

	weekly := tr.T("report.recall.weekly")
	if _, err := f.NewSheet(weekly); err != nil {
		return fail(err)
	}
	sw, err := f.NewStreamWriter(weekly)
	if err != nil {
		return fail(err)
	}
	if err := sw.SetRow("A1", row(tr, "report.recall.week", "report.recall.week_start", "report.recall.week_notified",
		"report.recall.cum_notified", "report.recall.week_remedied", "report.recall.cum_remedied", "report.recall.completion_rate")); err != nil {
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

	detail := tr.T("report.recall.detail")
	if _, err := f.NewSheet(detail); err != nil {
		return fail(err)
	}
	sw, err = f.NewStreamWriter(detail)
	if err != nil {
		return fail(err)
	}
	if err := sw.SetRow("A1", row(tr, "report.recall.serial", "report.recall.model_id", "report.recall.customer_id", "report.recall.status",
		"report.recall.notified_at", "report.recall.appointment_at", "report.recall.appointment_outlet_id", "report.recall.remedied_at",
		"report.recall.remedied_outlet_id", "report.recall.remedied_by", "report.recall.remedy_note")); err != nil {
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
			if err := sw.SetRow(fmt.Sprintf("A%d", line), []any{u.Serial, u.ModelID, optID(u.CustomerID), label(unitStatusLabels, u.Status),
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

	attempts := tr.T("report.recall.attempts")
	if _, err := f.NewSheet(attempts); err != nil {
		return fail(err)
	}
	sw, err = f.NewStreamWriter(attempts)
	if err != nil {
		return fail(err)
	}
	if err := sw.SetRow("A1", row(tr, "report.recall.customer_id", "report.recall.channel", "report.recall.outcome", "report.recall.at",
		"report.recall.recorded_by", "report.recall.note")); err != nil {
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
			if err := sw.SetRow(fmt.Sprintf("A%d", line), []any{n.CustomerID, label(channelLabels, n.Channel), label(outcomeLabels, n.Outcome), date(&at), n.ActorName, n.Note}); err != nil {
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

// row is a header row of message ids in tr's language.
func row(tr i18n.Translator, ids ...string) []any {
	out := make([]any, len(ids))
	for i := range ids {
		out[i] = tr.T(ids[i])
	}
	return out
}

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
