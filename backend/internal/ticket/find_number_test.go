package ticket_test

import (
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/testutil"
	"github.com/aftersales/aftersales/backend/internal/ticket"
)

// Typing more digits than the tail index holds (7–13: the end of the date
// and the sequence) finds the one number they name, however many newer
// numbers share its last six digits. Before the fix the lookup took the
// newest `limit` rows by the 6-digit tail and only then checked every digit,
// so the 1st of November's T20261101-000042 was never found behind the 14
// newer …-000042 tickets.
func TestFindByNumberWithMoreDigitsThanTheTail(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		now := time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)
		for day := 1; day <= 15; day++ {
			tk := ticket.Ticket{Number: fmt.Sprintf("T202611%02d-000042", day), Channel: ticket.ChannelWeb, Type: ticket.TypeRepair,
				Priority: "normal", Status: "new", CustomerID: 1, Version: 1, CreatedAt: now, UpdatedAt: now}
			if err := db.Session(&gorm.Session{SkipHooks: true}).Create(&tk).Error; err != nil {
				t.Fatal(err)
			}
		}
		for _, typed := range []string{"1101000042", "01000042", "61101000042"} {
			got, err := f.svc.FindByNumber(f.ctx, typed, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].Number != "T20261101-000042" {
				t.Errorf("FindByNumber(%q) = %d tickets %v, want T20261101-000042", typed, len(got), numbers(got))
			}
		}
		// Six digits or fewer still list the newest first, up to the limit.
		if got, _ := f.svc.FindByNumber(f.ctx, "000042", 10); len(got) != 10 || got[0].Number != "T20261115-000042" {
			t.Errorf("FindByNumber(000042) = %v", numbers(got))
		}
	})
}

func numbers(ts []ticket.Ticket) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Number
	}
	return out
}
