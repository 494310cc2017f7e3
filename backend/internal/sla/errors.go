package sla

import (
	"fmt"
	"strings"

	"github.com/aftersales/aftersales/backend/internal/apperr"
)

// Error is the type of the package's sentinel errors. It is a string type so
// that the sentinels can be constants rather than mutable package variables.
type Error string

// Error returns the message.
func (e Error) Error() string { return string(e) }

// The package's sentinel errors; compare with errors.Is.
const (
	// ErrInvalid is matched (errors.Is) by every *ValidationError, so the
	// service layer can map any invalid calendar, policy or rule set to its
	// "validation" error kind with one check.
	ErrInvalid Error = "sla: invalid"

	// ErrNoWorkingTime is returned by [Calendar.Add] when the requested
	// working time cannot be reached inside the search window: either the
	// calendar has no working time at all, or it is closed for more than
	// [MaxClosedDays] consecutive days, or the result would lie more than
	// [MaxSpan] after the start.
	ErrNoWorkingTime Error = "sla: not enough working time within the search window"

	// ErrNegativeDuration is returned by [Calendar.Add] for a negative
	// duration: working time cannot be subtracted.
	ErrNegativeDuration Error = "sla: negative duration"
)

// FieldError is one problem found by a Validate function. Field names the
// offending field in snake_case with indexes, e.g. "weekly[Tuesday][1]" or
// "makeup_workdays[0]", so a form can highlight it.
type FieldError struct {
	Field string
	// Code and Params are what the UI translates (apperr's field codes);
	// Problem is the English.
	Code    string
	Params  map[string]any
	Problem string
}

// String returns "field: problem".
func (f FieldError) String() string { return f.Field + ": " + f.Problem }

// ValidationError lists every problem found in one calendar, policy or rule
// set. It matches [ErrInvalid] with errors.Is.
type ValidationError struct {
	// Subject says what was validated: "calendar", "policy" or "policy rules".
	Subject  string
	Problems []FieldError
}

// Error returns all problems in one line, e.g.
// "sla: invalid calendar: weekly[Monday][1]: overlaps 08:30-12:00".
func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return fmt.Sprintf("sla: invalid %s: %s", e.Subject, strings.Join(parts, "; "))
}

// Is reports whether target is [ErrInvalid].
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// Fields returns the problems keyed by field, the shape an API error's
// field map wants. When one field has several problems they are joined
// with "; ".
func (e *ValidationError) Fields() apperr.Fields {
	m := make(apperr.Fields, len(e.Problems))
	for _, p := range e.Problems {
		if _, ok := m[p.Field]; ok {
			continue // the first problem of a field is the one to fix first
		}
		m[p.Field] = apperr.FieldError{Code: p.Code, Params: p.Params, Message: p.Problem}
	}
	return m
}

// problems collects Fields while validating.
type problems struct {
	subject string
	list    []FieldError
}

// add records a problem: code and params for the UI (a field code of
// apperr's catalogue), format and args for its English.
func (p *problems) add(field, code string, params map[string]any, format string, args ...any) {
	p.list = append(p.list, FieldError{Field: field, Code: code, Params: params, Problem: fmt.Sprintf(format, args...)})
}

// err returns nil when nothing was found, so callers can `return p.err()`.
func (p *problems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	return &ValidationError{Subject: p.subject, Problems: p.list}
}
