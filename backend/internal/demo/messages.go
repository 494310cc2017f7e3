package demo

import (
	"context"
	"fmt"
	"sort"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/messaging"
)

// MessageDeps are what the customer-messages demo uses.
type MessageDeps struct {
	DB       *gorm.DB
	Messages *messaging.Service
	Now      time.Time
}

// demoMessageWeek is how far back the demo's messages go, and
// demoMessagesPerDay bounds each trigger's messages on one day (the demo
// enterprise sets some 50 appointments a day; a sample keeps seeding fast).
const (
	demoMessageWeek    = 7 * 24 * time.Hour
	demoMessagesPerDay = 6
)

// pastEvent is a business event of the past week that tells a customer
// something, at the time it happened.
type pastEvent struct {
	at time.Time
	e  event.Event
}

// SeedMessages gives the demo enterprise a week of customer messages: the
// appointment confirmations, "technician on the way" notices, completed
// repairs and acknowledged complaints of the past seven days. Each is
// replayed through the messaging service on a clock set to the moment it
// happened (queue, then the worker one minute later), so templates,
// consent, quiet hours, the rate limit and the audit trail apply as they
// would have; without SMS credentials the worker logs them (status
// log_only). Nothing happens when messages exist.
func SeedMessages(ctx context.Context, d MessageDeps) error {
	ctx = actor.With(ctx, actor.System("seed"))
	var n int64
	if err := d.DB.WithContext(ctx).Table("customer_messages").Count(&n).Error; err != nil {
		return fmt.Errorf("demo messages: count: %w", err)
	}
	if n > 0 {
		return nil
	}
	events, err := pastCustomerEvents(ctx, d.DB, d.Now.Add(-demoMessageWeek), d.Now)
	if err != nil {
		return err
	}
	for _, pe := range events {
		at := pe.at
		queue := d.Messages.OnClock(func() time.Time { return at })
		if err := d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return queue.Feed(ctx, tx, pe.e) }); err != nil {
			return fmt.Errorf("demo messages: %s at %s: %w", pe.e.Name, at.Format(time.RFC3339), err)
		}
		later := at.Add(time.Minute)
		if _, err := d.Messages.OnClock(func() time.Time { return later }).DeliverDue(ctx); err != nil {
			return fmt.Errorf("demo messages: deliver: %w", err)
		}
	}
	// Messages deferred by quiet hours or the rate limit go out when due.
	if _, err := d.Messages.OnClock(func() time.Time { return d.Now }).DeliverDue(ctx); err != nil {
		return fmt.Errorf("demo messages: deliver: %w", err)
	}
	return nil
}

// pastCustomerEvents rebuilds, from the seeded records, the events of
// [from, to) that queue a customer message, at most demoMessagesPerDay of
// each kind per day, in time order.
func pastCustomerEvents(ctx context.Context, g *gorm.DB, from, to time.Time) ([]pastEvent, error) {
	db := g.WithContext(ctx)
	var out []pastEvent
	perDay := map[string]int{}
	keep := func(kind string, at time.Time) bool {
		k := kind + at.Format("2006-01-02")
		perDay[k]++
		return perDay[k] <= demoMessagesPerDay
	}

	type workOrderRow struct {
		ID               uint64
		Number           string
		TicketID         uint64
		CustomerID       uint64
		AppointmentAt    *time.Time
		AppointmentUntil *time.Time
		AppointmentSetAt *time.Time
		ArrivedAt        *time.Time
	}
	var wos []workOrderRow
	if err := db.Table("work_orders").
		Select("work_orders.id, work_orders.number, work_orders.ticket_id, tickets.customer_id, work_orders.appointment_at, "+
			"work_orders.appointment_until, work_orders.appointment_set_at, work_orders.arrived_at").
		Joins("JOIN tickets ON tickets.id = work_orders.ticket_id").
		Where("work_orders.appointment_set_at >= ? AND work_orders.appointment_set_at < ?", from, to).
		Order("work_orders.appointment_set_at, work_orders.id").Scan(&wos).Error; err != nil {
		return nil, fmt.Errorf("demo messages: work orders: %w", err)
	}
	for _, w := range wos {
		p := event.WorkOrder{WorkOrderID: w.ID, Number: w.Number, TicketID: w.TicketID, CustomerID: w.CustomerID,
			AppointmentAt: w.AppointmentAt, AppointmentUntil: w.AppointmentUntil}
		if keep("appointment", *w.AppointmentSetAt) {
			out = append(out, pastEvent{*w.AppointmentSetAt, event.WorkOrderAppointmentSet.New(event.TopicTickets, p)})
		}
		// The technician set off about forty minutes before arriving.
		if w.ArrivedAt != nil && w.ArrivedAt.Before(to) {
			left := w.ArrivedAt.Add(-40 * time.Minute)
			if left.After(*w.AppointmentSetAt) && keep("on_the_way", left) {
				out = append(out, pastEvent{left, event.WorkOrderOnTheWay.New(event.TopicTickets, p)})
			}
		}
	}

	type repairRow struct {
		ID          uint64
		Number      string
		CustomerID  *uint64
		ChargeFen   int64
		InWarranty  bool
		CompletedAt time.Time
	}
	var reps []repairRow
	if err := db.Table("repair_orders").Select("id, number, customer_id, charge_fen, in_warranty, completed_at").
		Where("completed_at >= ? AND completed_at < ? AND customer_id IS NOT NULL", from, to).
		Order("completed_at, id").Scan(&reps).Error; err != nil {
		return nil, fmt.Errorf("demo messages: repairs: %w", err)
	}
	for _, r := range reps {
		if keep("repair", r.CompletedAt) {
			out = append(out, pastEvent{r.CompletedAt, event.RepairCompleted.New(event.TopicTickets,
				event.Repair{ID: r.ID, Number: r.Number, CustomerID: r.CustomerID, ChargeFen: r.ChargeFen, InWarranty: r.InWarranty, Status: "completed"})})
		}
	}

	type complaintRow struct {
		ID         uint64
		Number     string
		Severity   string
		CustomerID uint64
		AckAt      time.Time
	}
	var cs []complaintRow
	if err := db.Table("complaints").Select("id, number, severity, customer_id, ack_at").
		Where("ack_at >= ? AND ack_at < ? AND customer_id IS NOT NULL AND customer_id > 0", from, to).
		Order("ack_at, id").Scan(&cs).Error; err != nil {
		return nil, fmt.Errorf("demo messages: complaints: %w", err)
	}
	for _, c := range cs {
		if keep("complaint", c.AckAt) {
			out = append(out, pastEvent{c.AckAt, event.ComplaintAcknowledged.New(event.TopicQuality,
				event.ComplaintAck{ComplaintID: c.ID, Number: c.Number, Severity: c.Severity, CustomerID: c.CustomerID})})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].at.Before(out[j].at) })
	return out, nil
}
