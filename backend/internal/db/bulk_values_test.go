package db

import (
	"bytes"
	"database/sql"
	"testing"
	"time"
)

type loaderStatus string

type loaderLevel int8

// Values of types the encoders do not switch on (types defined on a basic
// kind, pointers, driver.Valuers, nil pointers) are written exactly as the
// plain value they stand for, by both encoders.
func TestLoaderEncodesDefinedTypesPointersAndValuersAsTheirPlainValue(t *testing.T) {
	n, at := int64(-12), time.Date(2026, 3, 1, 8, 30, 0, 0, time.UTC)
	var noTime *time.Time
	var noNull *sql.NullString
	for _, c := range []struct{ v, plain any }{
		{loaderStatus("open\tnow"), "open\tnow"},
		{loaderLevel(-3), int64(-3)},
		{uint16(7), uint64(7)},
		{float32(0.5), float64(0.5)},
		{&n, n},
		{&at, at},
		{noTime, nil},
		{sql.NullString{String: "x", Valid: true}, "x"},
		{sql.NullInt64{}, nil},
		{noNull, nil},
	} {
		var got, want bytes.Buffer
		if err := writeTSV(&got, c.v); err != nil {
			t.Fatalf("writeTSV(%#v): %v", c.v, err)
		}
		if err := writeTSV(&want, c.plain); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("writeTSV(%#v) = %q, want %q", c.v, got.String(), want.String())
		}
		sv, err := toSQLiteValue(c.v)
		if err != nil {
			t.Fatalf("toSQLiteValue(%#v): %v", c.v, err)
		}
		if sw, _ := toSQLiteValue(c.plain); sv != sw {
			t.Errorf("toSQLiteValue(%#v) = %+v, want %+v", c.v, sv, sw)
		}
	}
	for _, v := range []any{struct{}{}, []int{1}} {
		if err := writeTSV(&bytes.Buffer{}, v); err == nil {
			t.Errorf("writeTSV(%#v) wrote it", v)
		}
		if _, err := toSQLiteValue(v); err == nil {
			t.Errorf("toSQLiteValue(%#v) converted it", v)
		}
	}
}
