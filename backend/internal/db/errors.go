package db

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/go-sql-driver/mysql"
	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
)

// This file is the one place that classifies database errors, so that no two
// domains decide differently what a deadlock, a duplicate key or an outage is.

// unavailableRetryAfter is what a 503 tells clients to wait before retrying.
const unavailableRetryAfter = 2

// IsRetryable reports whether err means the transaction was rolled back whole
// and may simply run again: a MySQL/MariaDB deadlock (1213, also Galera's
// certification conflict), a lock-wait timeout (1205), or SQLite's busy.
func IsRetryable(err error) bool {
	if err == nil {
		return false
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1213 || me.Number == 1205
	}
	msg := err.Error()
	return strings.Contains(msg, "database is locked") || strings.Contains(msg, "SQLITE_BUSY")
}

// IsDuplicate reports whether err is a unique-key violation on either database.
func IsDuplicate(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return true
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1062
	}
	return strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// IsUnavailable reports whether err means the database could not be reached
// (connection refused or reset, a dropped connection, a server going away, a
// deadline passed): the request may succeed later, so the client gets a 503
// with Retry-After, never a 500.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, mysql.ErrInvalidConn) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		// 1040 too many connections, 1053 server shutdown, 2006/2013 gone away / lost,
		// 1047/1180/1927 Galera node not ready or connection killed.
		switch me.Number {
		case 1040, 1047, 1053, 1180, 1927, 2006, 2013:
			return true
		}
	}
	msg := err.Error()
	return strings.Contains(msg, "connection refused") || strings.Contains(msg, "invalid connection") ||
		strings.Contains(msg, "bad connection") || strings.Contains(msg, "database is closed") ||
		strings.Contains(msg, "WSREP has not yet prepared node")
}

// Classify maps a storage error to the application's error vocabulary:
// application errors pass through (an internal one whose cause is an outage
// becomes unavailable); retryable contention is a 409 busy; a duplicate key a
// 409 duplicate; an outage a 503 unavailable; a value too long for its
// MariaDB column a 422 naming it (TooLong); anything else is internal,
// wrapped with what was being done. A cancelled request stays recognisable
// with errors.Is(err, context.Canceled).
func Classify(err error, what string) error {
	if err == nil {
		return nil
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		if ae.Kind == apperr.KindInternal && IsUnavailable(ae) {
			return apperr.Unavailable(unavailableRetryAfter).WithCause(err)
		}
		if ae.Kind == apperr.KindInternal {
			if v := TooLong(ae); v != nil {
				return v
			}
		}
		return ae
	}
	if what != "" {
		err = fmt.Errorf("%s: %w", what, err)
	}
	switch {
	case errors.Is(err, context.Canceled):
		return err
	case IsUnavailable(err):
		return apperr.Unavailable(unavailableRetryAfter).WithCause(err)
	case IsRetryable(err):
		return apperr.Conflict("busy", "the record is busy; retry").WithCause(err)
	case IsDuplicate(err):
		return apperr.Conflict("duplicate", "a record with the same key exists").WithCause(err)
	}
	if v := TooLong(err); v != nil {
		return v
	}
	return apperr.Internal(err)
}

// Retry runs fn, a whole transaction, again (up to three attempts) when it
// failed with a retryable error (deadlock, lock-wait timeout, Galera
// certification conflict, SQLite busy). The transaction was rolled back
// whole, so running it again is safe.
func Retry(ctx context.Context, fn func() error) error {
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		if err = fn(); err == nil || !IsRetryable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(5*(attempt+1)) * time.Millisecond):
		}
	}
	return err
}

// Take reads the first row of q into dst. No row is apperr.NotFound(entity);
// any other error comes back as it is.
func Take(q *gorm.DB, dst any, entity string) error {
	err := q.Take(dst).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return apperr.NotFound(entity)
	}
	return err
}
