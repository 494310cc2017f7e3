package report

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"github.com/aftersales/aftersales/backend/internal/apperr"
)

// dimensionLabels name the volume report's dimensions in the workbook.
var dimensionLabels = map[string]string{ByProduct: "产品型号", ByFaultCode: "故障代码", ByRegion: "地区", ByLot: "生产批次"}

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

// Sheet returns the volume report as a sheet.
func (v Volume) Sheet() Sheet {
	s := Sheet{Name: "工单量与积压", Header: []string{dimensionLabels[v.Dimension], "编码", "新建工单量", "期末积压"}}
	for _, r := range v.Rows {
		s.Rows = append(s.Rows, []any{r.Label, r.Key, r.Volume, r.Backlog})
	}
	s.Rows = append(s.Rows, []any{v.Total.Label, "", v.Total.Volume, v.Total.Backlog})
	return s
}

// Sheet returns the failure-rate report as a sheet.
func (f FailureRate) Sheet() Sheet {
	s := Sheet{Name: "批次故障率", Header: []string{"生产批次", "型号", "在用台数", "维修单数", "维修台数", "故障率",
		fmt.Sprintf("预警（≥%.2f%%）", f.Threshold*100)}}
	for _, r := range f.Rows {
		warn := ""
		if r.Warning {
			warn = "预警"
		}
		s.Rows = append(s.Rows, []any{r.Lot, r.Model, r.Installed, r.Repairs, r.UnitsRepaired, pct(r.Rate), warn})
	}
	return s
}

// Sheet returns the technician-productivity report as a sheet.
func (t Technicians) Sheet() Sheet {
	s := Sheet{Name: "技师效率", Header: []string{"技师", "网点", "完工单数", "一次修复可计单数", "一次修复单数", "一次修复率", "平均在场时长（分钟）"}}
	for _, r := range t.Rows {
		s.Rows = append(s.Rows, []any{r.Name, r.Outlet, r.Completed, r.FirstTimeFixEligible, r.FirstTimeFixed, pct(r.FirstTimeFixRate), num(r.AvgOnSiteMinutes)})
	}
	return s
}
