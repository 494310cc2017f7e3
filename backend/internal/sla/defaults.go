package sla

import (
	"context"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// China's 2026 public holidays and 调休 make-up working days.
//
// INFERRED DATA: transcribed from memory of the State Council's notice on
// the 2026 holiday arrangement (元旦 1/1–1/3, 春节 2/15–2/23, 清明 4/4–4/6,
// 劳动节 5/1–5/5, 端午 6/19–6/21, 中秋 9/25–9/27, 国庆 10/1–10/7; make-up
// days 1/4, 2/14, 2/28, 5/9, 9/20, 10/10), not loaded from an official
// file. Calendars are data: an administrator checks and corrects them via
// PUT /api/v1/sla/calendars/{id}, and adds the next year when it is
// published.
var (
	cnHolidays2026 = []string{
		"2026-01-01", "2026-01-02", "2026-01-03",
		"2026-02-15", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20", "2026-02-21", "2026-02-22", "2026-02-23",
		"2026-04-04", "2026-04-05", "2026-04-06",
		"2026-05-01", "2026-05-02", "2026-05-03", "2026-05-04", "2026-05-05",
		"2026-06-19", "2026-06-20", "2026-06-21",
		"2026-09-25", "2026-09-26", "2026-09-27",
		"2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05", "2026-10-06", "2026-10-07",
	}
	cnMakeupWorkdays2026 = []string{"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"}
)

const inferredNote = "2026 holidays and make-up workdays are INFERRED (transcribed, not loaded from the State Council notice); verify and edit. " +
	"2026年法定节假日与调休上班日为推断数据，请核对国务院办公厅通知后修改。"

// DefaultCalendars are created when no calendar exists yet.
func DefaultCalendars() []CalendarData {
	weekdays := []string{"08:30-12:00", "13:30-17:30"}
	daily := []string{"08:00-12:00", "13:00-20:00"}
	return []CalendarData{
		{Code: "cn-24x7", Name: "全天候 7×24（热线、紧急服务）", Timezone: "Asia/Shanghai", AlwaysOpen: true,
			Note: "Always open: urgent tickets and the hotline are measured around the clock."},
		{Code: "cn-workdays", Name: "工作日（法定节假日休息、调休上班）", Timezone: "Asia/Shanghai",
			Weekly:   map[string][]string{"monday": weekdays, "tuesday": weekdays, "wednesday": weekdays, "thursday": weekdays, "friday": weekdays},
			Holidays: cnHolidays2026, MakeupWorkdays: cnMakeupWorkdays2026, MakeupAs: "monday", Note: inferredNote},
		{Code: "cn-service-daily", Name: "网点服务时间（每日 08:00–20:00，午休一小时，除夕至初二休息）", Timezone: "Asia/Shanghai",
			Weekly: map[string][]string{"monday": daily, "tuesday": daily, "wednesday": daily, "thursday": daily, "friday": daily,
				"saturday": daily, "sunday": daily},
			Holidays: []string{"2026-02-16", "2026-02-17", "2026-02-18"},
			Note:     "Outlets serve every day; closed from Spring Festival eve to the second day (2026 dates INFERRED, verify)."},
	}
}

// DefaultPolicies are created when no policy exists yet. Targets are in
// working minutes of the policy's calendar; the service calendar has 11
// working hours a day, the workday calendar 7.5. Every default policy is
// active, warns at 80% of a target and pauses while the ticket waits for
// the customer or for parts.
func DefaultPolicies() []PolicyData {
	policies := []PolicyData{
		{Code: "urgent", Name: "紧急（7×24）", Priority: "urgent", CalendarCode: "cn-24x7",
			TargetsMinutes:       map[string]int{"first_response": 15, "outlet_accept": 30, "customer_contact": 60, "onsite_arrival": 240, "resolution": 1440},
			ArrivalByBandMinutes: map[string]int{"city": 240, "within_200km": 480, "within_500km": 720, "remote": 1440}},
		{Code: "high", Name: "高优先级", Priority: "high", CalendarCode: "cn-service-daily",
			TargetsMinutes:       map[string]int{"first_response": 30, "outlet_accept": 30, "customer_contact": 60, "onsite_arrival": 330, "resolution": 1650},
			ArrivalByBandMinutes: map[string]int{"city": 330, "within_200km": 660, "within_500km": 1320, "remote": 2640}},
		{Code: "installation", Name: "安装服务", TicketType: "installation", CalendarCode: "cn-service-daily",
			TargetsMinutes:       map[string]int{"first_response": 60, "outlet_accept": 60, "customer_contact": 120, "onsite_arrival": 660, "resolution": 2640},
			ArrivalByBandMinutes: map[string]int{"city": 660, "within_200km": 1320, "within_500km": 2200, "remote": 4400}},
		{Code: "recall", Name: "召回补救（按召回计划预约）", TicketType: "recall", CalendarCode: "cn-service-daily",
			TargetsMinutes:       map[string]int{"first_response": 120, "outlet_accept": 240, "customer_contact": 660, "onsite_arrival": 3300, "resolution": 6600},
			ArrivalByBandMinutes: map[string]int{"city": 3300, "within_200km": 4400, "within_500km": 5500, "remote": 7700}},
		{Code: "complaint", Name: "投诉（工作日计时）", TicketType: "complaint", CalendarCode: "cn-workdays",
			TargetsMinutes:       map[string]int{"first_response": 120, "outlet_accept": 60, "customer_contact": 120, "onsite_arrival": 450, "resolution": 2250},
			ArrivalByBandMinutes: map[string]int{"city": 450, "within_200km": 900, "within_500km": 1350, "remote": 2250}},
		{Code: "consultation", Name: "咨询", TicketType: "consultation", CalendarCode: "cn-24x7",
			TargetsMinutes: map[string]int{"first_response": 30, "resolution": 480}},
		{Code: "standard", Name: "标准服务（默认）", CalendarCode: "cn-service-daily",
			TargetsMinutes:       map[string]int{"first_response": 60, "outlet_accept": 60, "customer_contact": 120, "onsite_arrival": 660, "resolution": 2640},
			ArrivalByBandMinutes: map[string]int{"city": 660, "within_200km": 1320, "within_500km": 2200, "remote": 4400}},
	}
	for i := range policies {
		policies[i].WarnAt = 0.8
		policies[i].PauseStatuses = []string{"waiting_customer", "waiting_parts"}
		policies[i].Active = true
	}
	return policies
}

// EnsureDefaults creates the default calendars and policies when their
// tables are empty, so a new installation has working clocks. It never
// touches existing data (an administrator's edits stay); two servers
// starting at once insert each code once (unique code, insert-or-ignore).
// Seeded configuration is not audited: it is the installation's starting
// point, not a user's change.
func (s *Store) EnsureDefaults(ctx context.Context) error {
	db := s.o.DB.WithContext(ctx)
	err := insertIfEmpty(db, &CalendarRow{}, "calendar", DefaultCalendars(), func(d CalendarData) (string, any, error) {
		if f := d.validate(); len(f) > 0 {
			return d.Code, nil, fmt.Errorf("invalid: %v", f)
		}
		row := d.row()
		row.Version = 1
		return d.Code, &row, nil
	})
	if err != nil {
		return err
	}
	err = insertIfEmpty(db, &PolicyRow{}, "policy", DefaultPolicies(), func(d PolicyData) (string, any, error) {
		if err := d.policy().Validate(); err != nil {
			return d.Code, nil, err
		}
		row := d.row()
		row.Version = 1
		return d.Code, &row, nil
	})
	if err != nil {
		return err
	}
	s.invalidate()
	return nil
}

// insertIfEmpty inserts the rows made from defaults when table has no row
// yet, each insert-or-ignore on its unique code. toRow checks one default
// and returns its code and the row to insert.
func insertIfEmpty[D any](db *gorm.DB, table any, kind string, defaults []D, toRow func(D) (string, any, error)) error {
	var n int64
	if err := db.Model(table).Count(&n).Error; err != nil {
		return fmt.Errorf("sla defaults: %s: %w", kind, err)
	}
	if n > 0 {
		return nil
	}
	for _, d := range defaults {
		code, row, err := toRow(d)
		if err == nil {
			err = db.Clauses(clause.OnConflict{DoNothing: true}).Create(row).Error
		}
		if err != nil {
			return fmt.Errorf("sla defaults: %s %s: %w", kind, code, err)
		}
	}
	return nil
}
