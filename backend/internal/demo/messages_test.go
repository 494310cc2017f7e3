package demo

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/messaging"
	"github.com/aftersales/aftersales/backend/internal/testutil"
	"github.com/aftersales/aftersales/backend/internal/ticket"
	"github.com/aftersales/aftersales/backend/internal/workorder"
)

type demoContacts struct{}

func (demoContacts) Contact(_ context.Context, id uint64) (messaging.Contact, error) {
	// Customer 2 gave no SMS consent.
	return messaging.Contact{Name: fmt.Sprintf("客户%d", id), Mobile: "13800138000", ConsentSMS: id != 2, ConsentSurvey: true}, nil
}

// TestSeedMessages: the past week's appointments and arrivals become
// messages at the times they happened, sent by the worker (log only, no
// credentials); a customer without consent gets a suppressed message; older
// work is left alone; a second run adds nothing.
func TestSeedMessages(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		sh, _ := time.LoadLocation("Asia/Shanghai")
		now := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC) // 16:00 in Shanghai
		for i := uint64(1); i <= 3; i++ {
			tk := ticket.Ticket{ID: 100 + i, Number: fmt.Sprintf("T20261201-%04d", i), Channel: "hotline", Type: "repair", Priority: "normal",
				Status: "closed", CustomerID: i, Version: 1, CreatedAt: now, UpdatedAt: now}
			if err := db.Session(&gorm.Session{SkipHooks: true}).Create(&tk).Error; err != nil {
				t.Fatal(err)
			}
			// Customers 1 and 2: set two days ago at 10:00 Shanghai, arrived the next day;
			// customer 3: ten days ago, outside the week.
			set := now.Add(-48*time.Hour - 6*time.Hour)
			if i == 3 {
				set = now.Add(-240 * time.Hour)
			}
			at, arrived := set.Add(24*time.Hour), set.Add(24*time.Hour+30*time.Minute)
			w := workorder.WorkOrder{ID: i, Number: fmt.Sprintf("WO0000%d", i), TicketID: tk.ID, Kind: "repair", Status: workorder.StatusSignedOff,
				CustomerID: i, AppointmentAt: &at, AppointmentSetAt: &set, ArrivedAt: &arrived, Version: 1, CreatedAt: set, UpdatedAt: set}
			if err := db.Session(&gorm.Session{SkipHooks: true}).Create(&w).Error; err != nil {
				t.Fatal(err)
			}
		}
		svc := messaging.New(messaging.Options{DB: db, Audit: audit.New(nil), Customers: demoContacts{}, Location: sh,
			Quiet: messaging.QuietHours{Start: 21 * time.Hour, End: 8 * time.Hour, Loc: sh}})
		if err := svc.EnsureDefaults(context.Background()); err != nil {
			t.Fatal(err)
		}
		d := MessageDeps{DB: db, Messages: svc, Now: now}
		for run := 0; run < 2; run++ {
			if err := SeedMessages(context.Background(), d); err != nil {
				t.Fatal(err)
			}
		}
		var ms []messaging.Message
		db.Order("id").Find(&ms)
		got := map[string]int{}
		for _, m := range ms {
			got[fmt.Sprintf("%s/%d/%s", m.Trigger, m.CustomerID, m.Status)]++
			if m.CreatedAt.Before(now.Add(-7*24*time.Hour)) || m.CreatedAt.After(now) {
				t.Errorf("message %d at %s, outside the past week", m.ID, m.CreatedAt)
			}
			if m.Status == messaging.StatusLogOnly && (m.SentAt == nil || m.SentAt.Sub(m.CreatedAt) > time.Hour) {
				t.Errorf("message %d was not sent by the worker at its time: created %s sent %v", m.ID, m.CreatedAt, m.SentAt)
			}
		}
		want := map[string]int{
			"appointment_confirmed/1/log_only": 1, "technician_on_the_way/1/log_only": 1,
			"appointment_confirmed/2/suppressed": 1, "technician_on_the_way/2/suppressed": 1,
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("messages %v, want %v", got, want)
		}
	})
}
