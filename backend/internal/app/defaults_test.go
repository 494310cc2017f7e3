package app

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
)

// Two instances started together on Galera: the node that loses the
// certification of a default template's insert answers 1213 at commit.
// Before startup defaults were retried, that error stopped the instance
// ("messaging: default template appointment_confirmed: Error 1213"), and the
// cluster test's instance A never became ready.
func TestStartupDefaultsAreRetriedAfterACertificationConflict(t *testing.T) {
	calls := 0
	err := ensureDefaults(context.Background(), []startupDefault{{"message templates", func(context.Context) error {
		calls++
		if calls <= 4 {
			return &mysql.MySQLError{Number: 1213, Message: "Deadlock found when trying to get lock; try restarting transaction"}
		}
		return nil
	}}})
	if err != nil || calls != 5 {
		t.Fatalf("err=%v after %d calls; want success on the 5th", err, calls)
	}
}

func TestStartupDefaultsFailWithTheStepNameOnOtherErrors(t *testing.T) {
	calls := 0
	boom := errors.New("table missing")
	err := ensureDefaults(context.Background(), []startupDefault{{"work-order kind policies", func(context.Context) error {
		calls++
		return boom
	}}})
	if !errors.Is(err, boom) || calls != 1 || !strings.Contains(err.Error(), "work-order kind policies") {
		t.Fatalf("err=%v calls=%d; want one call and the step named", err, calls)
	}
	calls = 0
	err = ensureDefaults(context.Background(), []startupDefault{{"sla", func(context.Context) error {
		calls++
		return &mysql.MySQLError{Number: 1213}
	}}})
	if err == nil || calls != startupAttempts {
		t.Fatalf("err=%v calls=%d; want failure after %d attempts", err, calls, startupAttempts)
	}
}
