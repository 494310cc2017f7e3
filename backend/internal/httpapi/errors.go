package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/db"
)

// ErrorBody is the one error shape of the API.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail says what went wrong: a machine code the UI translates with
// details as its params, an English message for logs and API users, and the
// offending fields, each with its own code and params
// ({"description":{"code":"too_long","params":{"max":4000},"message":"…"}}).
type ErrorDetail struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Fields  apperr.Fields  `json:"fields,omitempty"`
	Details map[string]any `json:"details,omitempty"`
}

// statusFor is the single mapping from error kind to HTTP status.
func statusFor(k apperr.Kind) int {
	switch k {
	case apperr.KindInvalid:
		return http.StatusBadRequest
	case apperr.KindValidation:
		return http.StatusUnprocessableEntity
	case apperr.KindUnauthenticated:
		return http.StatusUnauthorized
	case apperr.KindForbidden:
		return http.StatusForbidden
	case apperr.KindNotFound:
		return http.StatusNotFound
	case apperr.KindConflict:
		return http.StatusConflict
	case apperr.KindGone:
		return http.StatusGone
	case apperr.KindRateLimited:
		return http.StatusTooManyRequests
	case apperr.KindTooLarge:
		return http.StatusRequestEntityTooLarge
	case apperr.KindUnsupported:
		return http.StatusUnsupportedMediaType
	case apperr.KindUnavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// statusClientClosed is logged when the client closed the connection first.
const statusClientClosed = 499

// handle adapts a route's handler to gin: a returned error is written by
// fail, so no handler writes an error itself.
func (s *Server) handle(h HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			s.fail(c, err)
		}
	}
}

// fail writes err in the error shape and aborts. Internal causes are logged
// with the request id and never sent to the client.
func (s *Server) fail(c *gin.Context, err error) {
	// The client went away: nobody reads the answer and it is not our fault,
	// so it is an info line, not an ERROR 500 (499 is nginx's name for it).
	if errors.Is(err, context.Canceled) && c.Request.Context().Err() != nil {
		s.log.InfoContext(c.Request.Context(), "client_closed", "path", c.FullPath(), "request_id", c.GetString(ctxRequestID))
		c.AbortWithStatus(statusClientClosed)
		return
	}
	// A raw storage error reaching here is classified like the domains do: an
	// outage is a 503 with Retry-After, never a 500.
	e := apperr.As(db.Classify(err, ""))
	status := statusFor(e.Kind)
	if status >= 500 {
		s.log.ErrorContext(c.Request.Context(), "request failed", "err", err, "path", c.FullPath(), "request_id", c.GetString(ctxRequestID))
	}
	if e.RetryAfterSeconds > 0 {
		c.Header("Retry-After", strconv.Itoa(e.RetryAfterSeconds))
	}
	c.AbortWithStatusJSON(status, ErrorBody{Error: ErrorDetail{Code: e.Code, Message: e.Message, Fields: e.Fields, Details: e.Details}})
}

// bindJSON decodes the body into dst and names the problem on failure:
// malformed JSON (with the offset), a wrong type (with the field), an
// empty body, or a body over the size limit.
func bindJSON(c *gin.Context, dst any) error {
	if c.Request.Body == nil {
		return apperr.Invalid("request body is required")
	}
	dec := json.NewDecoder(c.Request.Body)
	dec.UseNumber()
	if err := dec.Decode(dst); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		var tooBig *http.MaxBytesError
		switch {
		case errors.Is(err, io.EOF):
			return apperr.Invalid("request body is required")
		case errors.As(err, &tooBig):
			return apperr.TooLarge(tooBig.Limit)
		case errors.As(err, &syn):
			return apperr.Invalid(fmt.Sprintf("malformed JSON at byte %d: %s", syn.Offset, syn.Error()))
		case errors.As(err, &typ):
			field := typ.Field
			if field == "" {
				field = "body"
			}
			e := apperr.Invalid(fmt.Sprintf("field %s: expected %s, got JSON %s", field, typ.Type.String(), typ.Value))
			e.Fields = apperr.Fields{field: apperr.Code("wrong_type", "expected "+typ.Type.String()).With("type", typ.Type.String())}
			return e
		case errors.Is(err, io.ErrUnexpectedEOF):
			return apperr.Invalid("malformed JSON: unexpected end of input")
		default:
			return apperr.Invalid("malformed JSON: " + err.Error())
		}
	}
	if dec.More() {
		return apperr.Invalid("malformed JSON: more than one value in the body")
	}
	return nil
}

// pathID parses a numeric path parameter; a bad one is a 404 (no such record).
func pathID(c *gin.Context, name string) (uint64, error) {
	v, err := strconv.ParseUint(c.Param(name), 10, 64)
	if err != nil || v == 0 {
		return 0, apperr.NotFound(strings.TrimSuffix(name, "_id"))
	}
	return v, nil
}

// paging reads page/size (page-based lists) with bounds.
func paging(c *gin.Context, defSize, maxSize int) (page, size int, err error) {
	page, size = 1, defSize
	if v := c.Query("page"); v != "" {
		p, e := strconv.Atoi(v)
		if e != nil || p < 1 || p > 1_000_000 {
			return 0, 0, fieldErr("page", apperr.InvalidFormat(apperr.FormatPositiveInteger))
		}
		page = p
	}
	if v := c.Query("size"); v != "" {
		sz, e := strconv.Atoi(v)
		if e != nil || sz < 1 || sz > maxSize {
			return 0, 0, fieldErr("size", apperr.OutOfRange(1, maxSize))
		}
		size = sz
	}
	return page, size, nil
}

// fieldErr is the 400 invalid_parameter of a query parameter.
func fieldErr(field string, fe apperr.FieldError) error { return apperr.BadParam(field, fe) }

func logAttrs(c *gin.Context) []any {
	return []any{slog.String("request_id", c.GetString(ctxRequestID))}
}

// requestVersion returns the optimistic-concurrency version from the body
// or, when the body has none, from the If-Match header ("3", "\"3\"" or
// W/"3"); 0 when neither is sent (the service then decides whether a
// version is required). A negative body version is a 422 on "version"; a
// malformed header is a 400 naming If-Match.
func requestVersion(c *gin.Context, body int64) (int64, error) {
	if body != 0 {
		if body < 0 {
			return 0, apperr.FieldErr("version", apperr.InvalidFormat(apperr.FormatPositiveInteger))
		}
		return body, nil
	}
	h := strings.TrimSpace(c.GetHeader("If-Match"))
	if h == "" {
		return 0, nil
	}
	v, err := strconv.ParseInt(strings.Trim(strings.TrimPrefix(h, "W/"), `"`), 10, 64)
	if err != nil || v <= 0 {
		e := apperr.Invalid("If-Match must be the version number you read")
		e.Fields = apperr.Fields{"If-Match": apperr.InvalidFormat(apperr.FormatPositiveInteger)}
		return 0, e
	}
	return v, nil
}

// decodeBody is how a handler reads its body: bindJSON, or bindOptionalJSON
// for actions that may be posted without one.
type decodeBody func(c *gin.Context, dst any) error

// bindWithID reads the numeric path parameter name and decodes the JSON
// body into dst: the start of every handler that changes one record.
func bindWithID(c *gin.Context, name string, dst any) (uint64, error) {
	return withID(c, name, dst, bindJSON)
}

// bindOptionalWithID is bindWithID for actions whose body may be left out.
func bindOptionalWithID(c *gin.Context, name string, dst any) (uint64, error) {
	return withID(c, name, dst, bindOptionalJSON)
}

// bindVersioned is bindWithID for a change at a version: *bodyVersion is
// read after decoding (the body's version, else If-Match; requestVersion).
func bindVersioned(c *gin.Context, name string, dst any, bodyVersion *int64) (uint64, int64, error) {
	return versionedWithID(c, name, dst, bodyVersion, bindJSON)
}

// bindOptionalVersioned is bindVersioned for version-only actions (suspend,
// approve, activate …) that may be posted without a body.
func bindOptionalVersioned(c *gin.Context, name string, dst any, bodyVersion *int64) (uint64, int64, error) {
	return versionedWithID(c, name, dst, bodyVersion, bindOptionalJSON)
}

// bindVersion decodes the JSON body into dst and returns the version of the
// change: *bodyVersion after decoding, else If-Match (requestVersion).
func bindVersion(c *gin.Context, dst any, bodyVersion *int64) (int64, error) {
	if err := bindJSON(c, dst); err != nil {
		return 0, err
	}
	return requestVersion(c, *bodyVersion)
}

func withID(c *gin.Context, name string, dst any, decode decodeBody) (uint64, error) {
	id, err := pathID(c, name)
	if err != nil {
		return 0, err
	}
	return id, decode(c, dst)
}

func versionedWithID(c *gin.Context, name string, dst any, bodyVersion *int64, decode decodeBody) (uint64, int64, error) {
	id, err := withID(c, name, dst, decode)
	if err != nil {
		return 0, 0, err
	}
	v, err := requestVersion(c, *bodyVersion)
	return id, v, err
}

// respondVersioned answers one versioned record: its version is also sent as
// the ETag, the If-Match a later change sends back.
func respondVersioned[T any](c *gin.Context, status int, version int64, v T) error {
	c.Header("ETag", etag(version))
	c.JSON(status, v)
	return nil
}

// respond answers v with status, or returns err.
func respond[T any](c *gin.Context, status int, v T, err error) error {
	if err != nil {
		return err
	}
	c.JSON(status, v)
	return nil
}

// answerWith adapts a service call's (value, error) to the reply: the error,
// or view(value) with status — return answerWith(c, http.StatusOK, view)(call).
func answerWith[T, R any](c *gin.Context, status int, view func(T) R) func(T, error) error {
	return func(v T, err error) error {
		if err != nil {
			return err
		}
		return respond(c, status, view(v), nil)
	}
}

// answerByID answers the record of the path's id: load(ctx, id) seen
// through view, with status (the handlers that read one record by id).
func answerByID[T, R any](c *gin.Context, status int, load func(context.Context, uint64) (T, error), view func(T) R) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return answerWith(c, status, view)(load(c.Request.Context(), id))
}

// changeByID is the frame of a versioned change to the record of the path:
// the id, the body req with its version (*bodyVersion after decoding, else
// If-Match), the change, and the answer view(result) with 200.
func changeByID[T, R any](c *gin.Context, req any, bodyVersion *int64, change func(ctx context.Context, id uint64, version int64) (T, error), view func(T) R) error {
	id, v, err := bindVersioned(c, "id", req, bodyVersion)
	if err != nil {
		return err
	}
	return answerWith(c, http.StatusOK, view)(change(c.Request.Context(), id, v))
}

// bindOptionalJSON decodes a body when there is one: version-only actions
// (suspend, approve, cancel …) may be posted without a body.
func bindOptionalJSON(c *gin.Context, dst any) error {
	if c.Request.Body == nil || c.Request.ContentLength == 0 {
		return nil
	}
	return bindJSON(c, dst)
}
