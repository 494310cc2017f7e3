package ticket

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/i18n"
	"github.com/aftersales/aftersales/backend/internal/sla"
)

// MaxExportRows bounds one export; narrow the filter for more. (Excel
// itself stops at 1,048,576 rows.)
const MaxExportRows = 200_000

// exportBatch is how many tickets are read and evaluated at a time.
const exportBatch = 500

// Names are the readable values an export row shows instead of ids. Phone
// is already masked or cleared as the caller may see it.
type Names struct {
	Customer   string
	Phone      string
	Serial     string
	Model      string
	Category   string
	Region     string
	Outlet     string
	Technician string
	Assignee   string
}

// ExportNames resolves the names of one batch of tickets, by ticket id (a
// ticket missing from the map shows its ids' cells empty). The reporting
// layer implements it (report.Reads.TicketNames); the caller decides the
// phone masking and records unmasked reads before returning them.
type ExportNames func(ctx context.Context, batch []Ticket) (map[uint64]Names, error)

// ExportOptions shape one export.
type ExportOptions struct {
	// MaxRows caps the rows (0 or more than MaxExportRows: MaxExportRows).
	MaxRows int
	// Names, when set, fills the name columns; nil leaves them empty.
	Names ExportNames
	// Progress, when set, is told the rows written so far after each batch.
	Progress func(rows int)
	// Text is the reader's language for the sheet's name, headers and code
	// labels (the zero Translator: zh-CN).
	Text i18n.Translator
}

// ExportResult reports what an export wrote.
type ExportResult struct {
	Rows      int
	Truncated bool
}

// exportHeaderIDs are the message ids of the export's header row before
// the SLA clock columns. Codes are shown as their labels and parties by
// name (the customer's phone as the caller may see it), so a manager reads
// the sheet without a lookup table.
var exportHeaderIDs = []string{"export.tickets.number", "export.tickets.channel", "export.tickets.type", "export.tickets.priority",
	"export.tickets.status", "export.tickets.customer", "export.tickets.customer_phone", "export.tickets.serial", "export.tickets.model",
	"export.tickets.category", "export.tickets.fault_code", "export.tickets.description", "export.tickets.region", "export.tickets.outlet",
	"export.tickets.technician", "export.tickets.assignee", "export.tickets.team", "export.tickets.reopen_count",
	"export.tickets.close_reason", "export.tickets.merged_into", "export.tickets.created_at", "export.tickets.first_response_at",
	"export.tickets.assigned_at", "export.tickets.resolved_at", "export.tickets.closed_at", "export.tickets.updated_at",
	"export.tickets.sla_policy", "export.tickets.sla_breached"}

// ExportHeader is the export's header row before the SLA clock columns,
// in tr's language.
func ExportHeader(tr i18n.Translator) []string {
	out := make([]string, len(exportHeaderIDs))
	for i := range exportHeaderIDs {
		out[i] = tr.T(exportHeaderIDs[i])
	}
	return out
}

// ExportSheetName is the name of the export's sheet in tr's language.
func ExportSheetName(tr i18n.Translator) string { return tr.T("export.tickets.sheet") }

// Export writes the tickets matching f (visible to the caller, in f's
// order) as an Excel workbook to w: one row per ticket (ExportHeader) with
// every timestamp and, per SLA clock, its state, due instant, met instant
// and whether it breached (frozen results for closed tickets). Times are in
// the enterprise zone. It streams (excelize's StreamWriter) and reads the
// tickets in keyset batches, so memory does not grow with the row count.
// Errors: validation.
func (s *Service) Export(ctx context.Context, f Filter, w io.Writer, o ExportOptions) (ExportResult, error) {
	maxRows := o.MaxRows
	f.Size = 0
	if err := f.Validate(); err != nil {
		return ExportResult{}, err
	}
	f.Size = exportBatch
	if maxRows <= 0 || maxRows > MaxExportRows {
		maxRows = MaxExportRows
	}
	book := excelize.NewFile()
	defer book.Close()
	tr := o.Text
	sheet := ExportSheetName(tr)
	if err := book.SetSheetName("Sheet1", sheet); err != nil {
		return ExportResult{}, apperr.Internal(err)
	}
	sw, err := book.NewStreamWriter(sheet)
	if err != nil {
		return ExportResult{}, apperr.Internal(err)
	}
	header := make([]any, 0, len(exportHeaderIDs)+4*len(sla.Targets()))
	for _, h := range ExportHeader(tr) {
		header = append(header, h)
	}
	for _, t := range sla.Targets() {
		clock := map[string]any{"Clock": clockTargetLabel(tr, t)}
		header = append(header, tr.T("export.tickets.clock_state", clock), tr.T("export.tickets.clock_due", clock),
			tr.T("export.tickets.clock_met", clock), tr.T("export.tickets.clock_breached", clock))
	}
	if err := sw.SetRow("A1", header); err != nil {
		return ExportResult{}, apperr.Internal(err)
	}
	_ = sw.SetColWidth(1, 1, 20)
	loc := s.o.Location
	ts := func(t *time.Time) any {
		if t == nil {
			return ""
		}
		return t.In(loc).Format("2006-01-02 15:04:05")
	}
	ptr := func(v *uint64) any {
		if v == nil {
			return ""
		}
		return *v
	}
	res := ExportResult{}
	rowNo := 2
	var next string
	for {
		f.Cursor = next
		page, err := s.page(ctx, f)
		if err != nil {
			return res, err
		}
		ids := make([]uint64, len(page.Items))
		for i, t := range page.Items {
			ids[i] = t.ID
		}
		logs, err := s.o.SLA.Logs(ctx, ids)
		if err != nil {
			return res, apperr.Internal(err)
		}
		results, err := s.o.SLA.Results(ctx, ids)
		if err != nil {
			return res, apperr.Internal(err)
		}
		names := map[uint64]Names{}
		if o.Names != nil && len(page.Items) > 0 {
			if names, err = o.Names(ctx, page.Items); err != nil {
				return res, err
			}
		}
		now := s.now()
		for _, t := range page.Items {
			if res.Rows >= maxRows {
				res.Truncated = true
				break
			}
			cal, err := s.o.SLA.CalendarByCode(ctx, t.SLACalendar)
			if err != nil {
				return res, apperr.Internal(err)
			}
			clocks := sla.Evaluate(logs[t.ID], cal, now)
			if fr, ok := results[t.ID]; ok {
				clocks = fr.Merge(clocks)
			}
			created := t.CreatedAt
			updated := t.UpdatedAt
			n := names[t.ID]
			region := n.Region
			if region == "" {
				region = t.RegionCode
			}
			row := []any{t.Number, ChannelLabel(tr, t.Channel), TypeLabel(tr, t.Type), PriorityLabel(tr, t.Priority), StatusName(tr, t.Status), n.Customer, n.Phone,
				n.Serial, n.Model, n.Category, t.FaultCode, t.Description, region, n.Outlet, n.Technician, n.Assignee, t.Team, t.ReopenCount,
				CloseReasonLabel(tr, t.CloseReason), ptr(t.MergedIntoID), ts(&created), ts(t.FirstResponseAt), ts(t.AssignedAt), ts(t.ResolvedAt),
				ts(t.ClosedAt), ts(&updated), t.SLAPolicy, yesNo(tr, t.SLABreached)}
			for _, c := range clocks {
				if !c.Target.Valid() {
					continue
				}
				breached := c.Breached
				for _, p := range c.Previous {
					breached = breached || p.Breached
				}
				row = append(row, clockStateLabel(tr, c.State), ts(c.DueAt), ts(c.MetAt), yesNo(tr, breached))
			}
			cell, _ := excelize.CoordinatesToCellName(1, rowNo)
			if err := sw.SetRow(cell, row); err != nil {
				return res, apperr.Internal(fmt.Errorf("export row: %w", err))
			}
			rowNo++
			res.Rows++
		}
		if o.Progress != nil {
			o.Progress(res.Rows)
		}
		if res.Truncated || page.NextCursor == "" {
			break
		}
		if err := ctx.Err(); err != nil {
			return res, apperr.Internal(err)
		}
		next = page.NextCursor
	}
	if err := sw.Flush(); err != nil {
		return res, apperr.Internal(err)
	}
	if err := book.Write(w); err != nil {
		return res, apperr.Internal(fmt.Errorf("write workbook: %w", err))
	}
	return res, nil
}
