package apperr

import (
	"fmt"
	"sort"
	"strings"
)

// FieldError says what is wrong with one field: a machine code that the UI
// translates with its params (e.g. {"code":"too_long","params":{"max":4000}}),
// and an English message for logs and API users. The UI never shows Message
// to a person; it translates Code.
type FieldError struct {
	Code    string         `json:"code"`
	Params  map[string]any `json:"params,omitempty"`
	Message string         `json:"message"`
}

// Fields maps a field name (as the client sent it: "phones[1].number") to
// what is wrong with it. Domains collect problems in one and return
// FieldsErr(fields) when it is not empty.
type Fields map[string]FieldError

// With returns fe with one more param.
func (fe FieldError) With(key string, v any) FieldError {
	params := make(map[string]any, len(fe.Params)+1)
	for k, p := range fe.Params {
		params[k] = p
	}
	params[key] = v
	fe.Params = params
	return fe
}

// The common field codes. Each has a zh-CN and an English entry in the UI's
// error catalogue (frontend/src/i18n/locales/errors.*.json); a test fails
// when one is missing.

// Required: the field is missing or empty.
func Required() FieldError { return FieldError{Code: "required", Message: "is required"} }

// TooLong: the text is over max characters.
func TooLong(max int) FieldError {
	return FieldError{Code: "too_long", Params: map[string]any{"max": max}, Message: fmt.Sprintf("at most %d characters", max)}
}

// RequiredMax: the text is required and at most max characters, and it is
// one or the other.
func RequiredMax(max int) FieldError {
	return FieldError{Code: "required_max", Params: map[string]any{"max": max}, Message: fmt.Sprintf("required, at most %d characters", max)}
}

// TooMany: a list has more than max entries.
func TooMany(max int) FieldError {
	return FieldError{Code: "too_many", Params: map[string]any{"max": max}, Message: fmt.Sprintf("at most %d entries", max)}
}

// OneOf: the value is not one of allowed.
func OneOf(allowed ...string) FieldError {
	return FieldError{Code: "one_of", Params: map[string]any{"allowed": allowed}, Message: "one of " + strings.Join(allowed, ", ")}
}

// OutOfRange: the number lies outside min..max (inclusive).
func OutOfRange(min, max any) FieldError {
	return FieldError{Code: "out_of_range", Params: map[string]any{"min": min, "max": max}, Message: fmt.Sprintf("must be between %v and %v", min, max)}
}

// InvalidFormat: the value cannot be read as format, one of the Format
// constants (the UI names the format in the user's language).
func InvalidFormat(format Format) FieldError {
	return FieldError{Code: "invalid_format", Params: map[string]any{"format": string(format)}, Message: "must be " + formatEnglish[format]}
}

// Format is the kind of value a field must hold, for InvalidFormat.
type Format string

// The formats a field can be required to have.
const (
	FormatDate            Format = "date"             // YYYY-MM-DD
	FormatDateTime        Format = "datetime"         // RFC 3339
	FormatPositiveInteger Format = "positive_integer" // 1, 2, 3 …
	FormatInteger         Format = "integer"
	FormatNumber          Format = "number"
	FormatBoolean         Format = "boolean" // true or false
	FormatPhone           Format = "phone"   // mainland mobile, landline or 400/800
	FormatURL             Format = "url"
	FormatSerial          Format = "serial"
	FormatXLSX            Format = "xlsx" // an .xlsx workbook
	FormatText            Format = "text"
	FormatCursor          Format = "cursor"     // a cursor this list returned
	FormatRegion          Format = "region"     // a six-digit GB/T 2260 code
	FormatTimeRange       Format = "time_range" // HH:MM-HH:MM
)

var formatEnglish = map[Format]string{
	FormatDate: "a date YYYY-MM-DD", FormatDateTime: "an RFC 3339 time",
	FormatPositiveInteger: "a positive integer", FormatInteger: "a whole number", FormatNumber: "a number",
	FormatBoolean: "true or false", FormatPhone: "a mainland mobile, landline or 400/800 number", FormatURL: "an http(s) link",
	FormatSerial: "a serial number", FormatXLSX: "an .xlsx workbook", FormatText: "text", FormatCursor: "a cursor returned by this list",
	FormatRegion: "a six-digit GB/T 2260 code", FormatTimeRange: "a time range HH:MM-HH:MM",
}

// Formats lists every Format, for the catalogue completeness test.
func Formats() []Format {
	out := make([]Format, 0, len(formatEnglish))
	for f := range formatEnglish {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// NoSuch: the field refers to a record that does not exist (or that the
// caller cannot see). entity is a code the UI names ("unit", "outlet" …).
func NoSuch(entity string) FieldError {
	return FieldError{Code: "no_such", Params: map[string]any{"entity": entity}, Message: "no such " + strings.ReplaceAll(entity, "_", " ")}
}

// Code is a domain-specific field problem: code is what the UI translates
// (it must be a string literal, so the catalogue test finds it), message the
// English for logs. Add params with With.
func Code(code, message string) FieldError { return FieldError{Code: code, Message: message} }

// FieldErr is a 422 for a single field.
func FieldErr(field string, fe FieldError) *Error { return FieldsErr(Fields{field: fe}) }

// FieldsErr is a 422 naming every offending field.
func FieldsErr(fields Fields) *Error {
	return &Error{Kind: KindValidation, Code: "validation_failed", Message: "some fields are invalid", Fields: fields}
}

// BadParam is a 400 for a query or header parameter that cannot be read.
func BadParam(name string, fe FieldError) *Error {
	return &Error{Kind: KindInvalid, Code: "invalid_parameter", Message: name + ": " + fe.Message, Fields: Fields{name: fe}}
}

// VersionRequired: an update came without the optimistic-concurrency
// version the client read (in the body or the If-Match header).
func VersionRequired() FieldError {
	return FieldError{Code: "version_required", Message: "required: send the version you read, in the body or the If-Match header"}
}

// Identifier: the value is not a code of min–max letters, digits, dot, dash
// or underscore (usernames, outlet codes, serials …).
func Identifier(min, max int) FieldError {
	return FieldError{Code: "identifier", Params: map[string]any{"min": min, "max": max},
		Message: fmt.Sprintf("%d–%d letters, digits, dot, dash or underscore", min, max)}
}

// Duplicate: the value repeats another (params.of names where: a field, or a row).
func Duplicate(of any) FieldError {
	return FieldError{Code: "duplicate", Params: map[string]any{"of": of}, Message: fmt.Sprintf("duplicate of %v", of)}
}

// Unknown: the value is not one the system knows (params.value echoes it),
// e.g. an unknown region code or product category.
func Unknown(value any) FieldError {
	return FieldError{Code: "unknown_value", Params: map[string]any{"value": value}, Message: fmt.Sprintf("unknown value %v", value)}
}
