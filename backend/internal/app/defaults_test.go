package app

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/scheduler"
	"github.com/aftersales/aftersales/backend/internal/testutil"
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

// Two instances starting on one database take turns: the second waits for
// the startup lease until the first releases it, then proceeds (on both
// databases, with the real scheduler leases).
func TestInstancesTakeTurnsThroughStartup(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
		first, second := scheduler.New(g, time.Minute, quiet), scheduler.New(g, time.Minute, quiet)
		release, err := holdStartup(context.Background(), first, quiet)
		if err != nil {
			t.Fatal(err)
		}
		got := make(chan time.Time, 1)
		go func() {
			r, err := holdStartup(context.Background(), second, quiet)
			if err != nil {
				t.Error(err)
				close(got)
				return
			}
			got <- time.Now()
			r()
		}()
		time.Sleep(400 * time.Millisecond)
		select {
		case <-got:
			t.Fatal("the second instance started while the first held the startup lease")
		default:
		}
		released := time.Now()
		release()
		select {
		case at, ok := <-got:
			if !ok || at.Before(released) {
				t.Fatalf("second instance: ok=%v at %v (released %v)", ok, at, released)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the second instance never took the startup lease")
		}
	})
}
