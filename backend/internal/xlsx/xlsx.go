// Package xlsx is the one way the platform opens an uploaded .xlsx
// workbook: with a bound on what it may unpack to and a cap on the rows
// read, so that a 1 MB "zip bomb" holding a gigabyte of zeros is a 422
// naming the limit instead of gigabytes of memory or temporary files.
package xlsx

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/aftersales/aftersales/backend/internal/apperr"
)

// Limits bound one workbook.
type Limits struct {
	// UnzipBytes bounds the whole unpacked workbook (the sum of its parts'
	// sizes; archive/zip refuses a part that inflates past its declared size).
	UnzipBytes int64
	// XMLBytes bounds one sheet or the shared strings kept in memory;
	// a larger part is streamed from a temporary file (within UnzipBytes).
	XMLBytes int64
	// Rows bounds the rows read from one sheet, blank rows included.
	Rows int
	// RawValues reads cell values without their number formats.
	RawValues bool
}

// DefaultLimits fit every import of the platform: 64 MiB unpacked (the
// largest legitimate import, 200,000 serials, unpacks to about 12 MiB),
// 16 MiB of one part in memory, 250,000 rows.
var DefaultLimits = Limits{UnzipBytes: 64 << 20, XMLBytes: 16 << 20, Rows: 250_000}

// Workbook is an opened workbook and its limits.
type Workbook struct {
	*excelize.File
	limits Limits
}

// Open reads a workbook from r within l (zero fields take DefaultLimits).
// The field named field carries the errors. Errors: validation (not a
// readable workbook; over a limit, naming it).
func Open(r io.Reader, field string, l Limits) (*Workbook, error) {
	if l.UnzipBytes <= 0 {
		l.UnzipBytes = DefaultLimits.UnzipBytes
	}
	if l.XMLBytes <= 0 {
		l.XMLBytes = DefaultLimits.XMLBytes
	}
	l.XMLBytes = min(l.XMLBytes, l.UnzipBytes)
	if l.Rows <= 0 {
		l.Rows = DefaultLimits.Rows
	}
	f, err := excelize.OpenReader(r, excelize.Options{RawCellValue: l.RawValues, UnzipSizeLimit: l.UnzipBytes, UnzipXMLSizeLimit: l.XMLBytes})
	if err != nil {
		if strings.Contains(err.Error(), "unzip size exceeds") {
			e := apperr.FieldErr(field, apperr.Code("workbook_too_large", fmt.Sprintf("the workbook unpacks to more than the %d MiB limit", l.UnzipBytes>>20)).With("max_mib", l.UnzipBytes>>20))
			e.Code = "workbook_too_large"
			return nil, e.WithDetail("limit_bytes", l.UnzipBytes)
		}
		return nil, apperr.FieldErr(field, apperr.InvalidFormat(apperr.FormatXLSX))
	}
	return &Workbook{File: f, limits: l}, nil
}

// Rows iterates over the rows of sheet, at most the row limit.
type Rows struct {
	*excelize.Rows
	field string
	max   int
	n     int
	err   error
}

// Rows opens sheet for reading row by row. Errors: validation.
func (w *Workbook) Rows(sheet, field string) (*Rows, error) {
	rows, err := w.File.Rows(sheet)
	if err != nil {
		return nil, apperr.FieldErr(field, apperr.Code("sheet_unreadable", "cannot read sheet "+sheet).With("sheet", sheet))
	}
	return &Rows{Rows: rows, field: field, max: w.limits.Rows}, nil
}

// Next advances to the next row; it stops (and Err says why) past the
// row limit.
func (r *Rows) Next() bool {
	if r.err != nil || !r.Rows.Next() {
		return false
	}
	r.n++
	if r.n > r.max {
		e := apperr.FieldErr(r.field, apperr.Code("too_many_rows", fmt.Sprintf("the sheet has more than the %d-row limit", r.max)).With("max", r.max))
		e.Code = "workbook_too_large"
		r.err = e.WithDetail("limit_rows", r.max)
		return false
	}
	return true
}

// Err is the reason iteration stopped early, or nil at the sheet's end.
func (r *Rows) Err() error {
	if r.err != nil {
		return r.err
	}
	if err := r.Rows.Error(); err != nil && !errors.Is(err, io.EOF) {
		return apperr.FieldErr(r.field, apperr.Code("sheet_unreadable", "the sheet cannot be read"))
	}
	return nil
}
