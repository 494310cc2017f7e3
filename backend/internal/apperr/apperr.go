// Package apperr is the one error vocabulary of the application. Domain
// services return these errors; the HTTP layer maps each Kind to a status in
// exactly one place (httpapi.statusFor). Internal causes are wrapped for logs
// and never sent to a client.
package apperr

import (
	"errors"
	"fmt"
)

// Kind classifies an error for the client. The set is closed.
type Kind string

// The closed set of error kinds.
const (
	KindInvalid         Kind = "invalid"         // malformed request (400)
	KindValidation      Kind = "validation"      // well-formed but semantically wrong (422)
	KindUnauthenticated Kind = "unauthenticated" // no or bad credentials (401)
	KindForbidden       Kind = "forbidden"       // authenticated but not allowed (403)
	KindNotFound        Kind = "not_found"       // no such record, or not visible to the caller (404)
	KindConflict        Kind = "conflict"        // state or version conflict (409)
	KindGone            Kind = "gone"            // existed but expired (410)
	KindRateLimited     Kind = "rate_limited"    // too many attempts (429)
	KindTooLarge        Kind = "too_large"       // request body over its limit (413)
	KindUnsupported     Kind = "unsupported"     // request body of a refused media type (415)
	KindUnavailable     Kind = "unavailable"     // a dependency (the database) is down; retry later (503)
	KindInternal        Kind = "internal"        // our fault (500); never caused by input
)

// Error is an application error with a machine code, an English message and
// the offending fields. Code (with Details as its params) is what the UI
// translates (e.g. "validation_failed", "version_conflict"); Message is for
// logs and API users.
type Error struct {
	Kind    Kind
	Code    string
	Message string
	// Fields names each offending field with a code and params.
	Fields Fields
	// Details carries structured, client-safe extras (e.g. allowed transitions).
	Details map[string]any
	// RetryAfterSeconds is set for rate-limited errors.
	RetryAfterSeconds int
	cause             error
}

func (e *Error) Error() string {
	if e.cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.cause)
	}
	return e.Code + ": " + e.Message
}

// Unwrap returns the internal cause.
func (e *Error) Unwrap() error { return e.cause }

// WithCause attaches an internal cause that is logged but not shown.
func (e *Error) WithCause(err error) *Error { e.cause = err; return e }

// WithDetail attaches a client-safe detail.
func (e *Error) WithDetail(key string, v any) *Error {
	if e.Details == nil {
		e.Details = map[string]any{}
	}
	e.Details[key] = v
	return e
}

// Invalid is a 400: the request cannot be parsed.
func Invalid(msg string) *Error { return &Error{Kind: KindInvalid, Code: "bad_request", Message: msg} }

// NotFound is a 404 for an entity; the entity (a code the UI names, e.g.
// "ticket") travels in details.entity.
func NotFound(entity string) *Error {
	return &Error{Kind: KindNotFound, Code: "not_found", Message: entity + " not found", Details: map[string]any{"entity": entity}}
}

// Conflict is a 409 with a specific code (e.g. "version_conflict").
func Conflict(code, msg string) *Error { return &Error{Kind: KindConflict, Code: code, Message: msg} }

// Forbidden is a 403.
func Forbidden(msg string) *Error {
	return &Error{Kind: KindForbidden, Code: "forbidden", Message: msg}
}

// Unauthenticated is a 401.
func Unauthenticated(msg string) *Error {
	return &Error{Kind: KindUnauthenticated, Code: "unauthenticated", Message: msg}
}

// Gone is a 410.
func Gone(code, msg string) *Error { return &Error{Kind: KindGone, Code: code, Message: msg} }

// RateLimited is a 429 with the seconds to wait.
func RateLimited(msg string, retryAfter int) *Error {
	return &Error{Kind: KindRateLimited, Code: "rate_limited", Message: msg, RetryAfterSeconds: retryAfter}
}

// TooLarge is a 413: the request body exceeds limit bytes.
func TooLarge(limit int64) *Error {
	return &Error{Kind: KindTooLarge, Code: "body_too_large", Message: fmt.Sprintf("request body exceeds %d bytes", limit),
		Details: map[string]any{"limit_bytes": limit}}
}

// Unsupported is a 415: the body's media type is refused here.
func Unsupported(msg string) *Error {
	return &Error{Kind: KindUnsupported, Code: "unsupported_media_type", Message: msg}
}

// Unavailable is a dependency outage: the client should retry after
// retryAfter seconds (503 with Retry-After).
func Unavailable(retryAfter int) *Error {
	return &Error{Kind: KindUnavailable, Code: "unavailable", Message: "the service is temporarily unavailable; retry later",
		RetryAfterSeconds: retryAfter}
}

// Internal wraps an unexpected failure; the message shown is generic.
func Internal(err error) *Error {
	return &Error{Kind: KindInternal, Code: "internal", Message: "internal error", cause: err}
}

// ErrVersionConflict is returned when an optimistic-concurrency version does not match.
func ErrVersionConflict(entity string) *Error {
	return Conflict("version_conflict", entity+" was changed by someone else; reload and retry").WithDetail("entity", entity)
}

// As extracts an *Error; any other error becomes Internal.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Internal(err)
}

// IsKind reports whether err is an *Error of kind k.
func IsKind(err error, k Kind) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == k
}
