package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/customer"
	"github.com/aftersales/aftersales/backend/internal/privacy"
	"github.com/aftersales/aftersales/backend/internal/rbac"
	"github.com/aftersales/aftersales/backend/internal/report"
	"github.com/aftersales/aftersales/backend/internal/ticket"
)

// The managers' reports (docs/reports.md): each is a JSON API and the same
// figures as an Excel workbook (…/export). Every report takes ?from&to
// (local dates or RFC 3339; default the last 30 days) and ?outlet_id; an
// outlet user always gets their own outlet.

// ReportPeriod is the period and outlet a report answered for.
type ReportPeriod struct {
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	OutletID *uint64   `json:"outlet_id"`
}

// VolumeReportResponse is GET /reports/volume.
type VolumeReportResponse struct {
	ReportPeriod
	report.Volume
}

// FailureRateReportResponse is GET /reports/failure-rate.
type FailureRateReportResponse struct {
	ReportPeriod
	report.FailureRate
}

// TechnicianReportResponse is GET /reports/technicians.
type TechnicianReportResponse struct {
	ReportPeriod
	report.Technicians
}

// reportFilter reads ?from&to&outlet_id and confines it to the caller's outlet.
func (s *Server) reportFilter(c *gin.Context) (report.Filter, ReportPeriod, error) {
	from, to, err := s.queryPeriod(c)
	if err != nil {
		return report.Filter{}, ReportPeriod{}, err
	}
	outletID, err := queryUint(c, "outlet_id")
	if err != nil {
		return report.Filter{}, ReportPeriod{}, err
	}
	f, err := report.Scope(c.Request.Context(), report.Filter{From: from, To: to, OutletID: outletID})
	if err != nil {
		return report.Filter{}, ReportPeriod{}, err
	}
	p := ReportPeriod{From: f.From, To: f.To}
	if _, scoped := actor.From(c.Request.Context()).OutletScoped(); scoped || f.OutletID != 0 {
		id := f.OutletID
		p.OutletID = &id
	}
	return f, p, nil
}

func (s *Server) volumeReport(c *gin.Context) error {
	f, p, err := s.reportFilter(c)
	if err != nil {
		return err
	}
	v, err := s.Reports.Volume(c.Request.Context(), c.DefaultQuery("by", report.ByProduct), f)
	if err != nil {
		return err
	}
	if c.GetBool(ctxExport) {
		sheet := v.Sheet(s.text(c))
		return s.sendSheet(c, sheet.Name+"-"+v.Dimension, p, sheet)
	}
	c.JSON(http.StatusOK, VolumeReportResponse{ReportPeriod: p, Volume: v})
	return nil
}

func (s *Server) failureRateReport(c *gin.Context) error {
	f, p, err := s.reportFilter(c)
	if err != nil {
		return err
	}
	var threshold float64
	if v := c.Query("threshold"); v != "" {
		threshold, err = strconv.ParseFloat(v, 64)
		if err != nil || threshold <= 0 || threshold > 1 {
			return fieldErr("threshold", apperr.OutOfRange(0, 1))
		}
	}
	r, err := s.Reports.FailureRate(c.Request.Context(), f, threshold)
	if err != nil {
		return err
	}
	if c.GetBool(ctxExport) {
		sheet := r.Sheet(s.text(c))
		return s.sendSheet(c, sheet.Name, p, sheet)
	}
	c.JSON(http.StatusOK, FailureRateReportResponse{ReportPeriod: p, FailureRate: r})
	return nil
}

func (s *Server) technicianReport(c *gin.Context) error {
	f, p, err := s.reportFilter(c)
	if err != nil {
		return err
	}
	r, err := s.Reports.Technicians(c.Request.Context(), f)
	if err != nil {
		return err
	}
	if c.GetBool(ctxExport) {
		sheet := r.Sheet(s.text(c))
		return s.sendSheet(c, sheet.Name, p, sheet)
	}
	c.JSON(http.StatusOK, TechnicianReportResponse{ReportPeriod: p, Technicians: r})
	return nil
}

// ctxExport marks a report request that answers the workbook.
const ctxExport = "report_export"

// The export routes answer their report as a workbook. They are named
// methods (not a wrapping closure) so that the query-parameter table
// (TestQueryParamsAreTheOnesHandlersRead) sees the parameters they read.
func (s *Server) volumeReportExport(c *gin.Context) error {
	c.Set(ctxExport, true)
	return s.volumeReport(c)
}

func (s *Server) failureRateReportExport(c *gin.Context) error {
	c.Set(ctxExport, true)
	return s.failureRateReport(c)
}

func (s *Server) technicianReportExport(c *gin.Context) error {
	c.Set(ctxExport, true)
	return s.technicianReport(c)
}

// sendSheet answers a report workbook with its length, so the browser's
// download shows a progress bar.
func (s *Server) sendSheet(c *gin.Context, title string, p ReportPeriod, sheet report.Sheet) error {
	var buf bytes.Buffer
	if err := report.WriteXLSX(&buf, sheet); err != nil {
		return err
	}
	last := p.To.Add(-time.Second)
	name := fmt.Sprintf("%s-%s-%s.xlsx", title, p.From.In(s.Location).Format("20060102"), last.In(s.Location).Format("20060102"))
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="report.xlsx"; filename*=UTF-8''%s`, url.PathEscape(name)))
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("X-Export-Rows", strconv.Itoa(len(sheet.Rows)))
	// Declared up front: net/http adds it by itself only to small bodies,
	// and without it the browser's progress bar has no total.
	c.Header("Content-Length", strconv.Itoa(buf.Len()))
	c.Data(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buf.Bytes())
	return nil
}

// exportNames resolves the tickets export's names by the one rule of who
// sees a customer (handlers_privacy.go): callers not scoped to an outlet
// with customer:read see names, phones masked unless they hold
// customer:phone_unmasked, and every unmasked phone is written to the PIPL
// access log before it is returned; anyone else sees no customer at all.
func (s *Server) exportNames(c *gin.Context) ticket.ExportNames {
	_, scoped := actor.From(c.Request.Context()).OutletScoped()
	mayRead := !scoped && s.allowed(c, rbac.CustomerRead)
	unmasked := mayRead && s.phonesUnmasked(c)
	return func(ctx context.Context, batch []ticket.Ticket) (map[uint64]ticket.Names, error) {
		names, err := s.Reports.TicketNames(ctx, batch)
		if err != nil {
			return nil, err
		}
		var reads []privacy.Read
		seen := map[uint64]bool{}
		for _, t := range batch {
			n := names[t.ID]
			switch {
			case !mayRead:
				n.Customer, n.Phone = "", ""
			case !unmasked:
				if n.Phone != "" {
					n.Phone = customer.MaskPhone(n.Phone)
				}
			case n.Phone != "" && !seen[t.CustomerID]:
				seen[t.CustomerID] = true
				reads = append(reads, privacy.Read{CustomerID: t.CustomerID, Fields: []string{privacy.FieldPhone}, Purpose: privacy.PurposeCustomerRecord})
			}
			names[t.ID] = n
		}
		if err := s.Privacy.Record(ctx, reads...); err != nil {
			return nil, err
		}
		return names, nil
	}
}
