package db

import (
	"errors"
	"strings"

	"github.com/go-sql-driver/mysql"

	"github.com/aftersales/aftersales/backend/internal/apperr"
)

// TooLong returns the 422 for err when it is MySQL/MariaDB refusing a value
// too long for its column (error 1406 in strict mode), naming the column;
// nil for any other error. The statement failed, so its transaction rolls
// back and nothing was written. It is the safety net under the domains'
// own length checks (issue 10): a long value is never a 500. SQLite stores
// any length; there the request body limit bounds a value.
func TooLong(err error) *apperr.Error {
	var me *mysql.MySQLError
	if err == nil || !errors.As(err, &me) || me.Number != 1406 {
		return nil
	}
	col := "value"
	if _, rest, ok := strings.Cut(me.Message, "column '"); ok {
		if name, _, ok := strings.Cut(rest, "'"); ok && name != "" {
			col = name
		}
	}
	e := apperr.FieldErr(col, apperr.Code("too_long_text", "too long"))
	e.Message = "a value is longer than its field allows: " + col
	return e.WithCause(err)
}
