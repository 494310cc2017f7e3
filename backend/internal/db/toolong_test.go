package db

import (
	"errors"
	"fmt"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/aftersales/aftersales/backend/internal/apperr"
)

func TestTooLongNamesTheColumn(t *testing.T) {
	err := fmt.Errorf("save: %w", &mysql.MySQLError{Number: 1406, Message: "Data too long for column 'display_name' at row 1"})
	e := TooLong(apperr.Internal(err))
	if e == nil || e.Kind != apperr.KindValidation || e.Fields["display_name"].Code != "too_long_text" {
		t.Fatalf("1406: %+v", e)
	}
	for _, other := range []error{nil, errors.New("syntax"), &mysql.MySQLError{Number: 1062}} {
		if TooLong(other) != nil {
			t.Errorf("%v classified as too long", other)
		}
	}
}
