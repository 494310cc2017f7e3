package testutil

import (
	"errors"
	"testing"

	"github.com/aftersales/aftersales/backend/internal/apperr"
)

// WantErr fails the test unless err is an *apperr.Error of kind (and code,
// unless empty) that names field (unless empty), and returns it.
func WantErr(t *testing.T, err error, kind apperr.Kind, code, field string) *apperr.Error {
	t.Helper()
	var e *apperr.Error
	if !errors.As(err, &e) {
		t.Fatalf("want %s error, got %v", kind, err)
	}
	if e.Kind != kind || (code != "" && e.Code != code) {
		t.Fatalf("want %s/%s, got %s/%s: %v", kind, code, e.Kind, e.Code, e)
	}
	if field != "" && e.Fields[field].Code == "" {
		t.Fatalf("want a message on field %s, got %v", field, e.Fields)
	}
	return e
}

// Code returns the apperr code of err ("internal" for an error that is no
// *apperr.Error), or "" for nil.
func Code(err error) string {
	if err == nil {
		return ""
	}
	return apperr.As(err).Code
}
