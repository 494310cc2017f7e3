package readiness

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/i18n"
)

// SheetImport is the outcome of a scoring-sheet import.
type SheetImport struct {
	// Version is the stored version (the latest, unchanged, when the sheet
	// holds the same content).
	Version StandardInfo
	Created bool
	// Rows is how many indicator rows were read.
	Rows int
	// Inferred and Leaves count the leaves of the new version still marked
	// inferred, of all leaves.
	Inferred int
	Leaves   int
}

// ImportSheet reads the certification body's scoring sheet and stores it
// as a new version of a standard (the sheet's meta id, else code, else the
// active standard): the sheet gives the indicator tree, the latest version
// the rest (identity, scoring rules, measures, document types). The result
// is validated like a standard file, including the rules GB/T 27922 fixes.
// Errors: validation sheet_invalid with one entry per row in details.rows;
// validation justification when a changed version has no justification.
func (s *Service) ImportSheet(ctx context.Context, r io.Reader, code, justification string) (*SheetImport, error) {
	id, lines, err := ReadSheet(r)
	if err != nil {
		return nil, err
	}
	if code == "" {
		code = id
	}
	if code == "" {
		code = s.active
	}
	if id != "" && id != code {
		return nil, apperr.FieldErr("standard", apperr.Code("sheet_other_standard", fmt.Sprintf("the sheet is for %s, not %s", id, code)).With("sheet", id).With("standard", code))
	}
	_, base, err := s.current(ctx, code)
	if err != nil {
		return nil, err
	}
	data, std, rowErrs := ApplySheet(base, lines)
	if len(rowErrs) > 0 {
		fields := apperr.Fields{}
		for _, e := range rowErrs {
			key := "file"
			if e.Row > 0 {
				key = fmt.Sprintf("row %d", e.Row)
			}
			msg := e.Message
			if e.Column != "" {
				msg = e.Column + ": " + msg
			}
			if e.Clause != "" {
				msg = "clause " + e.Clause + ": " + msg
			}
			if prev, ok := fields[key]; ok {
				msg = prev.Message + "; " + msg
			}
			// Row-level sheet checks speak English only; the rows are in
			// details.rows.
			fields[key] = apperr.Code("sheet_row_invalid", msg).With("detail", msg)
		}
		ae := apperr.FieldsErr(fields).WithDetail("rows", rowErrs)
		ae.Code = "sheet_invalid"
		ae.Message = fmt.Sprintf("the scoring sheet has %d problems", len(rowErrs))
		return nil, ae
	}
	info, created, err := s.putLoaded(ctx, code, std, data, "sheet", strings.TrimSpace(justification))
	if err != nil {
		return nil, err
	}
	out := &SheetImport{Version: *info, Created: created, Rows: len(lines)}
	for _, leaf := range std.Leaves() {
		out.Leaves++
		if leaf.Inferred {
			out.Inferred++
		}
	}
	return out, nil
}

// ExportSheet writes the latest version of a standard as a scoring sheet
// in tr's language, with its file name.
func (s *Service) ExportSheet(ctx context.Context, code string, tr i18n.Translator) ([]byte, string, error) {
	v, std, err := s.current(ctx, code)
	if err != nil {
		return nil, "", err
	}
	b, err := ExportSheet(std, v.Version, tr)
	if err != nil {
		return nil, "", apperr.Internal(fmt.Errorf("readiness: export %s: %w", v.Code, err))
	}
	return b, SheetFileName(tr, v.Code, v.Version), nil
}
