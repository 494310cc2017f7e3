package report

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/i18n"
)

// dimensionMessages are the message ids of the volume report's dimensions.
var dimensionMessages = map[string]string{ByProduct: "report.dimension.product", ByFaultCode: "report.dimension.fault_code",
	ByRegion: "report.dimension.region", ByLot: "report.dimension.lot"}

// Sheet is one report as a table: the workbook's only sheet.
type Sheet struct {
	Name   string
	Header []string
	Rows   [][]any
}

// WriteXLSX writes s as an Excel workbook to w (the report sheets are
// small: one row per group, so the workbook is built in memory).
func WriteXLSX(w io.Writer, s Sheet) error {
	book := excelize.NewFile()
	defer book.Close()
	if err := book.SetSheetName("Sheet1", s.Name); err != nil {
		return apperr.Internal(err)
	}
	sw, err := book.NewStreamWriter(s.Name)
	if err != nil {
		return apperr.Internal(err)
	}
	head := make([]any, len(s.Header))
	for i, h := range s.Header {
		head[i] = h
	}
	if err := sw.SetRow("A1", head); err != nil {
		return apperr.Internal(err)
	}
	for i, row := range s.Rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row); err != nil {
			return apperr.Internal(fmt.Errorf("report row: %w", err))
		}
	}
	if err := sw.Flush(); err != nil {
		return apperr.Internal(err)
	}
	if err := book.Write(w); err != nil {
		return apperr.Internal(fmt.Errorf("write report workbook: %w", err))
	}
	return nil
}

func pct(v *float64) any {
	if v == nil {
		return ""
	}
	return fmt.Sprintf("%.2f%%", *v*100)
}

func num(v *float64) any {
	if v == nil {
		return ""
	}
	return *v
}

// Sheet returns the volume report as a sheet, its words in tr's language.
func (v Volume) Sheet(tr i18n.Translator) Sheet {
	s := Sheet{Name: tr.T("report.volume.sheet"), Header: []string{tr.T(dimensionMessages[v.Dimension]), tr.T("report.code"),
		tr.T("report.volume.created"), tr.T("report.volume.backlog")}}
	for _, r := range v.Rows {
		s.Rows = append(s.Rows, []any{r.Label, r.Key, r.Volume, r.Backlog})
	}
	s.Rows = append(s.Rows, []any{tr.T("report.total"), "", v.Total.Volume, v.Total.Backlog})
	return s
}

// Sheet returns the failure-rate report as a sheet, its words in tr's language.
func (f FailureRate) Sheet(tr i18n.Translator) Sheet {
	s := Sheet{Name: tr.T("report.failure.sheet"), Header: []string{tr.T("report.failure.lot"), tr.T("report.failure.model"),
		tr.T("report.failure.installed"), tr.T("report.failure.repairs"), tr.T("report.failure.units_repaired"), tr.T("report.failure.rate"),
		tr.T("report.failure.warning_header", map[string]any{"Threshold": fmt.Sprintf("%.2f%%", f.Threshold*100)})}}
	for _, r := range f.Rows {
		warn := ""
		if r.Warning {
			warn = tr.T("report.failure.warning")
		}
		s.Rows = append(s.Rows, []any{r.Lot, r.Model, r.Installed, r.Repairs, r.UnitsRepaired, pct(r.Rate), warn})
	}
	return s
}

// Sheet returns the technician-productivity report as a sheet, its words in tr's language.
func (t Technicians) Sheet(tr i18n.Translator) Sheet {
	s := Sheet{Name: tr.T("report.technicians.sheet"), Header: []string{tr.T("report.technicians.name"), tr.T("report.technicians.outlet"),
		tr.T("report.technicians.completed"), tr.T("report.technicians.ftf_eligible"), tr.T("report.technicians.ftf"),
		tr.T("report.technicians.ftf_rate"), tr.T("report.technicians.on_site")}}
	for _, r := range t.Rows {
		s.Rows = append(s.Rows, []any{r.Name, r.Outlet, r.Completed, r.FirstTimeFixEligible, r.FirstTimeFixed, pct(r.FirstTimeFixRate), num(r.AvgOnSiteMinutes)})
	}
	return s
}
