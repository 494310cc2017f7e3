package httpapi

import (
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/attachment"
)

// AttachmentResponse is one attachment of a service record. FileURL and
// ThumbnailURL are the paths to fetch it with the same session.
type AttachmentResponse struct {
	ID               uint64    `json:"id"`
	ParentType       string    `json:"parent_type"`
	ParentID         uint64    `json:"parent_id"`
	Kind             string    `json:"kind"`
	Note             string    `json:"note"`
	FileName         string    `json:"file_name"`
	ContentType      string    `json:"content_type"`
	Size             int64     `json:"size"`
	SHA256           string    `json:"sha256"`
	IsImage          bool      `json:"is_image"`
	Width            int       `json:"width"`
	Height           int       `json:"height"`
	MetadataStripped bool      `json:"metadata_stripped"`
	UploadedBy       string    `json:"uploaded_by"`
	CreatedAt        time.Time `json:"created_at"`
	Version          int64     `json:"version"`
	FileURL          string    `json:"file_url"`
	ThumbnailURL     *string   `json:"thumbnail_url"`
}

// attachmentPath is the collection path of a parent type (attachmentParents).
func attachmentPath(parentType string) string {
	for _, p := range attachmentParents {
		if p.parent == parentType {
			return p.path
		}
	}
	return ""
}

func attachmentResponse(a attachment.Attachment) AttachmentResponse {
	base := fmt.Sprintf("%s/%d/attachments/%d", attachmentPath(a.ParentType), a.ParentID, a.ID)
	out := AttachmentResponse{ID: a.ID, ParentType: a.ParentType, ParentID: a.ParentID, Kind: a.Kind, Note: a.Note, FileName: a.FileName,
		ContentType: a.ContentType, Size: a.Size, SHA256: a.SHA256, IsImage: a.IsImage(), Width: a.Width, Height: a.Height,
		MetadataStripped: a.MetadataStripped, UploadedBy: a.UploadedBy, CreatedAt: a.CreatedAt, Version: a.Version, FileURL: base + "/file"}
	if a.IsImage() {
		t := base + "/thumbnail"
		out.ThumbnailURL = &t
	}
	return out
}

// GET /api/v1/{parent}/:id/attachments — the parent's attachments, oldest
// first, with the accepted types and the size limit for the upload form.
func (s *Server) listAttachments(parentType string) HandlerFunc {
	return func(c *gin.Context) error {
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		list, err := s.Attachments.List(c.Request.Context(), parentType, id)
		if err != nil {
			return err
		}
		items := make([]AttachmentResponse, 0, len(list))
		for _, a := range list {
			items = append(items, attachmentResponse(a))
		}
		c.JSON(http.StatusOK, gin.H{"items": items, "kinds": attachment.Kinds(), "extensions": s.Attachments.Extensions(),
			"max_bytes": s.Attachments.MaxBytes()})

		return nil
	}
}

// POST /api/v1/{parent}/:id/attachments — multipart/form-data with kind,
// note and the file in "file". 413 file_too_large, 415
// file_type_not_accepted / content_mismatch, 422 names the field. With an
// Idempotency-Key header a repeat answers 200 with the first upload.
func (s *Server) uploadAttachment(parentType string) HandlerFunc {
	return func(c *gin.Context) error {
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		// A record out of the caller's scope is a 404 before the body is read.
		if err := s.Attachments.Visible(c.Request.Context(), parentType, id); err != nil {
			return err
		}
		form, err := readUpload(c, s.Attachments.MaxBytes())
		if err != nil {
			return err
		}
		defer form.close()
		if form.file == nil {
			return apperr.FieldErr("file", apperr.Required())
		}
		a, replayed, err := s.Attachments.Upload(c.Request.Context(), attachment.UploadInput{ParentType: parentType, ParentID: id,
			Kind: strings.TrimSpace(form.value("kind")), Note: form.value("note"), FileName: form.header.Filename, Content: form.file,
			IdempotencyKey: c.GetHeader("Idempotency-Key")})
		if err != nil {
			return err
		}
		status := http.StatusCreated
		if replayed {
			status = http.StatusOK
		}
		c.JSON(status, attachmentResponse(a))

		return nil
	}
}

func attachmentRef(c *gin.Context, parentType string) (attachment.Ref, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return attachment.Ref{}, err
	}
	aid, err := pathID(c, "attachment_id")
	if err != nil {
		return attachment.Ref{}, err
	}
	return attachment.Ref{ParentType: parentType, ParentID: id, ID: aid}, nil
}

// GET /api/v1/{parent}/:id/attachments/:attachment_id/file (thumb false)
// and …/thumbnail (thumb true). An image is served inline (for the preview);
// a document as a download. ?download=1 downloads an image too.
func (s *Server) attachmentFile(parentType string, thumb bool) HandlerFunc {
	return func(c *gin.Context) error {
		ref, err := attachmentRef(c, parentType)
		if err != nil {
			return err
		}
		a, path, err := s.Attachments.Open(c.Request.Context(), ref, thumb)
		if err != nil {
			return err
		}
		if !thumb && (!a.IsImage() || c.Query("download") == "1") {
			sendFileAttachment(c, path, a.FileName, a.ContentType)
			return nil
		}
		contentType := a.ContentType
		if thumb {
			contentType = "image/jpeg"
		}
		c.Header("Content-Disposition", fmt.Sprintf(`inline; filename*=UTF-8''%s`, url.PathEscape(filepath.Base(a.FileName))))
		c.Header("X-Content-Type-Options", "nosniff")
		// Stored files never change under an attachment id.
		c.Header("Cache-Control", "private, max-age=86400")
		c.Header("Content-Security-Policy", "default-src 'none'; sandbox")
		c.Header("Content-Type", contentType)
		c.File(path)

		return nil
	}
}

// DELETE /api/v1/{parent}/:id/attachments/:attachment_id — soft delete,
// audited; If-Match (or ?version=) checks the version read (409).
func (s *Server) deleteAttachment(parentType string) HandlerFunc {
	return func(c *gin.Context) error {
		ref, err := attachmentRef(c, parentType)
		if err != nil {
			return err
		}
		version, err := requestVersion(c, 0)
		if err != nil {
			return err
		}
		if err := s.Attachments.Delete(c.Request.Context(), ref, version); err != nil {
			return err
		}
		c.Status(http.StatusNoContent)

		return nil
	}
}

// uploadForm is a parsed multipart upload: text fields and the file in
// "file" (nil when absent). close removes its temporary files.
type uploadForm struct {
	header *multipart.FileHeader
	file   multipart.File
	values map[string][]string
	closer func()
}

func (f *uploadForm) value(k string) string {
	if v := f.values[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func (f *uploadForm) close() { f.closer() }

// readUpload parses a multipart/form-data body whose file may be at most
// limit bytes (the body a little more, for the other fields). Errors: 415
// for another media type, 413 file_too_large, 400 for a malformed form.
func readUpload(c *gin.Context, limit int64) (*uploadForm, error) {
	if !isMultipart(c) {
		return nil, apperr.Unsupported("send the file as multipart/form-data in the field \"file\"")
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit+1<<20)
	if err := c.Request.ParseMultipartForm(8 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, attachment.TooLarge(limit)
		}
		return nil, apperr.Invalid("malformed multipart form: " + err.Error())
	}
	mf := c.Request.MultipartForm
	form := &uploadForm{values: mf.Value}
	form.closer = func() {
		if form.file != nil {
			_ = form.file.Close()
		}
		_ = mf.RemoveAll()
	}
	if file, header, err := c.Request.FormFile("file"); err == nil {
		if header.Size > limit {
			_ = file.Close()
			_ = mf.RemoveAll()
			return nil, attachment.TooLarge(limit)
		}
		form.file, form.header = file, header
	}
	return form, nil
}
