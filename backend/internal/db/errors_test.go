package db

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
	"testing"

	"github.com/go-sql-driver/mysql"
	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
)

func TestClassify(t *testing.T) {
	cases := []struct {
		name string
		err  error
		kind apperr.Kind
		code string
	}{
		{"mysql deadlock", &mysql.MySQLError{Number: 1213, Message: "Deadlock found"}, apperr.KindConflict, "busy"},
		{"lock wait timeout", &mysql.MySQLError{Number: 1205}, apperr.KindConflict, "busy"},
		{"sqlite busy", errors.New("database is locked (5) (SQLITE_BUSY)"), apperr.KindConflict, "busy"},
		{"mysql duplicate", &mysql.MySQLError{Number: 1062}, apperr.KindConflict, "duplicate"},
		{"gorm duplicate", gorm.ErrDuplicatedKey, apperr.KindConflict, "duplicate"},
		{"sqlite unique", errors.New("constraint failed: UNIQUE constraint failed: tickets.number (2067)"), apperr.KindConflict, "duplicate"},
		{"connection refused", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, apperr.KindUnavailable, "unavailable"},
		{"bad conn", driver.ErrBadConn, apperr.KindUnavailable, "unavailable"},
		{"invalid conn", mysql.ErrInvalidConn, apperr.KindUnavailable, "unavailable"},
		{"server gone away", &mysql.MySQLError{Number: 2006}, apperr.KindUnavailable, "unavailable"},
		{"galera not ready", &mysql.MySQLError{Number: 1047, Message: "WSREP has not yet prepared node for application use"}, apperr.KindUnavailable, "unavailable"},
		{"deadline", context.DeadlineExceeded, apperr.KindUnavailable, "unavailable"},
		{"internal wrapping an outage", apperr.Internal(fmt.Errorf("load: %w", driver.ErrBadConn)), apperr.KindUnavailable, "unavailable"},
		{"value too long for its column", &mysql.MySQLError{Number: 1406, Message: "Data too long for column 'name' at row 1"}, apperr.KindValidation, "validation_failed"},
		{"internal wrapping a too-long value", apperr.Internal(fmt.Errorf("save: %w", &mysql.MySQLError{Number: 1406, Message: "Data too long for column 'name' at row 1"})), apperr.KindValidation, "validation_failed"},
		{"app error passes", apperr.NotFound("ticket"), apperr.KindNotFound, "not_found"},
		{"anything else", errors.New("syntax error"), apperr.KindInternal, "internal"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := apperr.As(Classify(tc.err, "load ticket"))
			if got.Kind != tc.kind || got.Code != tc.code {
				t.Fatalf("Classify(%v) = %s/%s, want %s/%s", tc.err, got.Kind, got.Code, tc.kind, tc.code)
			}
			if tc.kind == apperr.KindUnavailable && got.RetryAfterSeconds <= 0 {
				t.Fatal("unavailable without Retry-After")
			}
		})
	}
	if Classify(nil, "x") != nil {
		t.Fatal("nil must stay nil")
	}
	// A cancelled request stays recognisable (the HTTP layer logs client_closed).
	if err := Classify(context.Canceled, "x"); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	// The cause is kept for the log, with what was being done.
	if err := Classify(errors.New("boom"), "load ticket"); !strings.Contains(err.Error(), "load ticket: boom") {
		t.Fatalf("context lost: %v", err)
	}
}

func TestRetryRunsARolledBackTransactionAgain(t *testing.T) {
	calls := 0
	err := Retry(context.Background(), func() error {
		calls++
		if calls < 3 {
			return &mysql.MySQLError{Number: 1213}
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Fatalf("calls=%d err=%v", calls, err)
	}
	calls = 0
	_ = Retry(context.Background(), func() error { calls++; return errors.New("not retryable") })
	if calls != 1 {
		t.Fatalf("a non-retryable error ran %d times", calls)
	}
}

func TestMySQLConnectionsAreBounded(t *testing.T) {
	dsn := withTimeouts("u@tcp(db:3306)/x?charset=utf8mb4", 10e9, 120e9)
	for _, want := range []string{"timeout=5s", "readTimeout=2m0s", "writeTimeout=2m0s", "innodb_lock_wait_timeout=10"} {
		if !strings.Contains(dsn, want) {
			t.Errorf("%s lacks %s", dsn, want)
		}
	}
	if got := withTimeouts("u@tcp(db:3306)/x?readTimeout=5s", 10e9, 120e9); !strings.Contains(got, "readTimeout=5s") {
		t.Errorf("an operator's readTimeout was overwritten: %s", got)
	}
}
