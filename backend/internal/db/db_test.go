package db

import (
	"strings"
	"testing"
)

// Queries with arguments are interpolated on the client (one round trip)
// unless the operator's DSN says otherwise.
func TestMySQLDSNInterpolatesParameters(t *testing.T) {
	dsn, err := MySQLDSN("u@tcp(db:3306)/x")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"interpolateParams=true", "charset=utf8mb4", "parseTime=true"} {
		if !strings.Contains(dsn, want) {
			t.Errorf("%s lacks %s", dsn, want)
		}
	}
	dsn, err = MySQLDSN("u@tcp(db:3306)/x?interpolateParams=false")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(dsn, "interpolateParams=false") {
		t.Errorf("an operator's interpolateParams=false was overwritten: %s", dsn)
	}
}
