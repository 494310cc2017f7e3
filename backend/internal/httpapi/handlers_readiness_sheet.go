package httpapi

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/aftersales/aftersales/backend/internal/apperr"
)

// The certification body's scoring sheet (import, export) and the
// calibration against recorded audits.

// maxSheetBytes bounds an uploaded scoring sheet (a 44-row sheet is ~10 KiB).
const maxSheetBytes = 2 << 20

// POST /api/v1/readiness/standards/import (multipart: file, justification,
// standard) — a new version from the scoring sheet; 422 sheet_invalid with
// details.rows, one entry per row.
func (s *Server) importStandardSheet(c *gin.Context) error {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxSheetBytes+64<<10)
	fh, err := c.FormFile("file")
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return apperr.FieldErr("file", apperr.Code("file_too_large", "the sheet exceeds 2 MiB").With("limit_bytes", 2<<20).With("limit_bytes", 2<<20))
		}
		return apperr.FieldErr("file", apperr.Required())
	}
	if fh.Size > maxSheetBytes {
		return apperr.FieldErr("file", apperr.Code("file_too_large", "the sheet exceeds 2 MiB").With("limit_bytes", 2<<20).With("limit_bytes", 2<<20))
	}
	f, err := fh.Open()
	if err != nil {
		return apperr.FieldErr("file", apperr.Code("file_unreadable", "cannot be read"))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSheetBytes+1))
	if err != nil {
		return apperr.FieldErr("file", apperr.Code("file_unreadable", "cannot be read"))
	}
	res, err := s.Readiness.ImportSheet(c.Request.Context(), bytes.NewReader(data), c.PostForm("standard"), c.PostForm("justification"))
	if err != nil {
		return err
	}
	status := http.StatusOK
	if res.Created {
		status = http.StatusCreated
	}
	c.JSON(status, gin.H{"version": standardVersionResponse(res.Version), "created": res.Created, "rows": res.Rows,
		"inferred": res.Inferred, "leaves": res.Leaves})
	return nil
}

// GET /api/v1/readiness/standards/:code/export — the latest version as a
// scoring sheet (.xlsx) in the import layout.
func (s *Server) exportStandardSheet(c *gin.Context) error {
	b, name, err := s.Readiness.ExportSheet(c.Request.Context(), c.Param("code"), s.text(c))
	if err != nil {
		return err
	}
	c.Header("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b)
	return nil
}

// GET /api/v1/readiness/calibration — recorded audits against the
// projection for their dates: per-indicator difference, mean absolute
// error, the indicators the engine got most wrong.
func (s *Server) readinessCalibration(c *gin.Context) error {
	rep, err := s.Readiness.Calibration(c.Request.Context())
	return respond(c, http.StatusOK, rep, err)
}
