package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	gormmysql "gorm.io/driver/mysql"
	"gorm.io/gorm"
)

// Stmt is one SQL statement and its arguments, written for both databases:
// `?` placeholders and back-quoted identifiers (SQLite accepts both).
type Stmt struct {
	SQL  string
	Args []any
}

// Insert returns the single-row INSERT of values into table's columns.
func Insert(table string, columns []string, values ...any) Stmt {
	return InsertRows(table, columns, values)
}

// InsertRows returns one INSERT of several rows (each as many values as
// columns).
func InsertRows(table string, columns []string, rows ...[]any) Stmt {
	var b strings.Builder
	b.WriteString("INSERT INTO `")
	b.WriteString(table)
	b.WriteString("` (")
	for i, c := range columns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("`" + c + "`")
	}
	b.WriteString(") VALUES ")
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(columns)), ", ") + ")"
	args := make([]any, 0, len(columns)*len(rows))
	for i, r := range rows {
		if len(r) != len(columns) {
			panic(fmt.Sprintf("db: insert into %s: %d values for %d columns", table, len(r), len(columns)))
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(one)
		args = append(args, r...)
	}
	return Stmt{SQL: b.String(), Args: args}
}

// Batcher runs a write transaction of fixed statements in as few round
// trips as the database allows. On MySQL/MariaDB that is two: the first
// statement (whose generated id the others need) with START TRANSACTION,
// then all the others with COMMIT, each as one multi-statement query over a
// pool of its own (the application's pool never accepts several statements
// in one query). On SQLite, where a round trip is a function call, the
// statements run one by one in a transaction of the application's pool.
// Statements are built by the code (InsertRows) with placeholders; their
// values are escaped by the driver (interpolateParams), never spliced.
type Batcher struct {
	g     *gorm.DB
	multi *sql.DB // MySQL only
}

// NewBatcher returns the Batcher of g. On MySQL it opens the second pool
// (as large as g's; idle connections close after a minute) with the same
// DSN plus multiStatements; when g has no DSN to derive it from (a pool
// handed in ready-made), the statements run one by one as on SQLite.
func NewBatcher(g *gorm.DB) *Batcher {
	b := &Batcher{g: g}
	if !IsMySQL(g) {
		return b
	}
	d, ok := g.Dialector.(*gormmysql.Dialector)
	if !ok || d.DSN == "" {
		return b
	}
	cfg, err := mysql.ParseDSN(d.DSN)
	if err != nil {
		return b
	}
	cfg.MultiStatements = true
	// Placeholders must be filled in on the client: a server-side prepared
	// statement holds one statement.
	cfg.InterpolateParams = true
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return b
	}
	multi := sql.OpenDB(conn)
	if main, err := g.DB(); err == nil {
		n := main.Stats().MaxOpenConnections
		multi.SetMaxOpenConns(n)
		multi.SetMaxIdleConns(n)
	}
	multi.SetConnMaxLifetime(30 * time.Minute)
	multi.SetConnMaxIdleTime(time.Minute)
	b.multi = multi
	return b
}

// Batched reports whether Tx takes two round trips (MySQL's multi-statement
// pool) rather than one per statement.
func (b *Batcher) Batched() bool { return b.multi != nil }

// Close closes the MySQL multi-statement pool.
func (b *Batcher) Close() error {
	if b.multi == nil {
		return nil
	}
	return b.multi.Close()
}

// Tx runs first, then the statements rest builds from first's generated id,
// as one transaction, and returns the generated id of each of rest's
// statements (its first row's). Nothing is committed when any statement
// fails; the error is the failing statement's (IsDuplicate, IsRetryable and
// Classify read it).
func (b *Batcher) Tx(ctx context.Context, first Stmt, rest func(id uint64) ([]Stmt, error)) (uint64, []uint64, error) {
	if b.multi == nil {
		return b.sequential(ctx, first, rest)
	}
	conn, err := b.multi.Conn(ctx)
	if err != nil {
		return 0, nil, fmt.Errorf("db: batch connection: %w", err)
	}
	defer conn.Close()
	var id uint64
	var ids []uint64
	err = conn.Raw(func(dc any) error {
		ex, ok := dc.(driver.ExecerContext)
		if !ok {
			return errors.New("db: batch: the MySQL driver connection cannot execute")
		}
		firstArgs, err := named(first.Args)
		if err != nil {
			return err
		}
		res, err := ex.ExecContext(ctx, "START TRANSACTION; "+first.SQL, firstArgs)
		if err != nil {
			return b.rollback(ctx, ex, err)
		}
		last, err := res.LastInsertId()
		if err != nil {
			return b.rollback(ctx, ex, err)
		}
		id = uint64(last)
		stmts, err := rest(id)
		if err != nil {
			return b.rollback(ctx, ex, err)
		}
		var q strings.Builder
		var args []any
		for _, s := range stmts {
			q.WriteString(s.SQL)
			q.WriteString("; ")
			args = append(args, s.Args...)
		}
		q.WriteString("COMMIT")
		restArgs, err := named(args)
		if err != nil {
			return b.rollback(ctx, ex, err)
		}
		res, err = ex.ExecContext(ctx, q.String(), restArgs)
		if err != nil {
			return b.rollback(ctx, ex, err)
		}
		all, ok := res.(mysql.Result)
		if !ok {
			return errors.New("db: batch: the MySQL driver does not report each statement's id")
		}
		for _, v := range all.AllLastInsertIds()[:len(stmts)] {
			ids = append(ids, uint64(v))
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	return id, ids, nil
}

// rollback ends the transaction a failed statement left open (MySQL stops a
// multi-statement query at its first error, inside the transaction) and
// returns the statement's error. A connection that cannot roll back is
// dropped, which rolls back on the server.
func (b *Batcher) rollback(ctx context.Context, ex driver.ExecerContext, cause error) error {
	if _, err := ex.ExecContext(context.WithoutCancel(ctx), "ROLLBACK", nil); err != nil {
		return errors.Join(cause, driver.ErrBadConn)
	}
	return cause
}

func (b *Batcher) sequential(ctx context.Context, first Stmt, rest func(id uint64) ([]Stmt, error)) (uint64, []uint64, error) {
	var id uint64
	var ids []uint64
	err := b.g.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		pool := tx.Statement.ConnPool
		res, err := pool.ExecContext(ctx, first.SQL, first.Args...)
		if err != nil {
			return err
		}
		last, err := res.LastInsertId()
		if err != nil {
			return err
		}
		id = uint64(last)
		stmts, err := rest(id)
		if err != nil {
			return err
		}
		ids = ids[:0]
		for _, s := range stmts {
			res, err := pool.ExecContext(ctx, s.SQL, s.Args...)
			if err != nil {
				return err
			}
			// SQLite reports the last row's id; a caller that needs each
			// row's id inserts one row per statement.
			v, err := res.LastInsertId()
			if err != nil {
				return err
			}
			ids = append(ids, uint64(v))
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	return id, ids, nil
}

// named converts arguments as database/sql would before handing them to
// the driver (pointers dereferenced, nil pointers NULL, Valuers called,
// integers as int64), since Raw hands them to the driver directly.
func named(args []any) ([]driver.NamedValue, error) {
	out := make([]driver.NamedValue, len(args))
	for i, a := range args {
		v, err := driver.DefaultParameterConverter.ConvertValue(a)
		if err != nil {
			return nil, fmt.Errorf("db: batch argument %d: %w", i+1, err)
		}
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return out, nil
}
