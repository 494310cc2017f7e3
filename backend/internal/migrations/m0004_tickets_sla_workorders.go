package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0004TicketsSLAWorkOrders creates the hotline's tables: tickets with their
// timeline and day counters; the SLA data (calendars and policies as
// editable data, the per-ticket event log, results frozen at close, alerts
// raised once); and dispatch (work orders, the offers made to outlets, and
// the promised times per work-order kind).
//
// Why these indexes: the ticket list is filtered by status, outlet,
// assignee or customer and ordered by created_at (keyset on created_at,
// id), so each of those filters leads a composite index ending in
// (created_at, id) and a first page is an index range scan at millions of
// rows. sla_next_check_at lets the SLA job read only tickets that can cross
// a threshold now. Work orders are read by outlet and status (boards,
// lists), by status and offer expiry (the timeout job) and by unit (first
// time fix, passport).
func m0004TicketsSLAWorkOrders() *gormigrate.Migration {
	type Ticket struct {
		ID              uint64     `gorm:"primaryKey"`
		Number          string     `gorm:"size:24;not null;uniqueIndex:ux_tickets_number"`
		Channel         string     `gorm:"size:16;not null"`
		Type            string     `gorm:"size:24;not null"`
		Priority        string     `gorm:"size:8;not null"`
		PriorityRank    int        `gorm:"not null;index:ix_tickets_status_priority,priority:2"`
		Status          string     `gorm:"size:24;not null;index:ix_tickets_status_created,priority:1;index:ix_tickets_outlet_status_created,priority:2;index:ix_tickets_assignee_status_created,priority:2;index:ix_tickets_status_priority,priority:1"`
		CustomerID      uint64     `gorm:"not null;index:ix_tickets_customer_created,priority:1"`
		UnitID          *uint64    `gorm:"index:ix_tickets_unit"`
		CategoryID      *uint64    ``
		FaultCode       string     `gorm:"size:32;not null;default:''"`
		RegionCode      string     `gorm:"size:6;not null;default:''"`
		Description     string     `gorm:"type:text"`
		AssigneeID      *uint64    `gorm:"index:ix_tickets_assignee_status_created,priority:1"`
		Team            string     `gorm:"size:64;not null;default:''"`
		OutletID        *uint64    `gorm:"index:ix_tickets_outlet_status_created,priority:1"`
		DistanceBand    string     `gorm:"size:16;not null;default:''"`
		MergedIntoID    *uint64    `gorm:"index:ix_tickets_merged"`
		ReopenCount     int        `gorm:"not null;default:0"`
		CloseReason     string     `gorm:"size:1000;not null;default:''"`
		SLAPolicy       string     `gorm:"column:sla_policy;size:64;not null;default:''"`
		SLACalendar     string     `gorm:"column:sla_calendar;size:64;not null;default:''"`
		SLADueAt        *time.Time `gorm:"column:sla_due_at"`
		SLABreached     bool       `gorm:"column:sla_breached;not null;default:false"`
		SLANextCheckAt  *time.Time `gorm:"column:sla_next_check_at;index:ix_tickets_next_check"`
		SLACheckedAt    time.Time  `gorm:"column:sla_checked_at;not null"`
		FirstResponseAt *time.Time
		AssignedAt      *time.Time
		ResolvedAt      *time.Time
		ClosedAt        *time.Time
		CreatedBy       uint64    `gorm:"not null;default:0"`
		Version         int64     `gorm:"not null;default:1"`
		CreatedAt       time.Time `gorm:"not null;index:ix_tickets_status_created,priority:2;index:ix_tickets_outlet_status_created,priority:3;index:ix_tickets_assignee_status_created,priority:3;index:ix_tickets_customer_created,priority:2;index:ix_tickets_created,priority:1;index:ix_tickets_status_priority,priority:3"`
		UpdatedAt       time.Time `gorm:"not null"`
	}
	type TicketEvent struct {
		ID        uint64    `gorm:"primaryKey"`
		TicketID  uint64    `gorm:"not null;index:ix_ticket_events_ticket"`
		Kind      string    `gorm:"size:24;not null"`
		ActorID   *uint64   ``
		ActorName string    `gorm:"size:64;not null;default:''"`
		Body      string    `gorm:"type:text"`
		Data      string    `gorm:"type:text"`
		At        time.Time `gorm:"not null"`
	}
	type NumberSequence struct {
		Name  string `gorm:"size:32;primaryKey"`
		Value uint64 `gorm:"not null;default:0"`
	}
	type SlaCalendar struct {
		ID             uint64    `gorm:"primaryKey"`
		Code           string    `gorm:"size:64;not null;uniqueIndex:ux_sla_calendars_code"`
		Name           string    `gorm:"size:128;not null"`
		Timezone       string    `gorm:"size:64;not null"`
		AlwaysOpen     bool      `gorm:"not null;default:false"`
		Weekly         string    `gorm:"type:text"`
		Holidays       string    `gorm:"type:text"`
		MakeupWorkdays string    `gorm:"type:text"`
		MakeupAs       int       `gorm:"not null;default:0"`
		Note           string    `gorm:"type:text"`
		Version        int64     `gorm:"not null;default:1"`
		CreatedAt      time.Time `gorm:"not null"`
		UpdatedAt      time.Time `gorm:"not null"`
	}
	type SlaPolicy struct {
		ID            uint64    `gorm:"primaryKey"`
		Code          string    `gorm:"size:64;not null;uniqueIndex:ux_sla_policies_code"`
		Name          string    `gorm:"size:128;not null"`
		TicketType    string    `gorm:"size:24;not null;default:''"`
		Priority      string    `gorm:"size:8;not null;default:''"`
		Region        string    `gorm:"size:6;not null;default:''"`
		Targets       string    `gorm:"type:text"`
		ArrivalByBand string    `gorm:"type:text"`
		PauseStatuses string    `gorm:"type:text"`
		WarnAt        float64   `gorm:"not null;default:0"`
		CalendarCode  string    `gorm:"size:64;not null"`
		Active        bool      `gorm:"not null;default:true"`
		Version       int64     `gorm:"not null;default:1"`
		CreatedAt     time.Time `gorm:"not null"`
		UpdatedAt     time.Time `gorm:"not null"`
	}
	type SlaEvent struct {
		ID          uint64    `gorm:"primaryKey"`
		TicketID    uint64    `gorm:"not null;index:ix_sla_events_ticket"`
		At          time.Time `gorm:"not null"`
		Kind        string    `gorm:"size:16;not null"`
		Target      string    `gorm:"size:32;not null;default:''"`
		Reason      string    `gorm:"size:64;not null;default:''"`
		Actor       string    `gorm:"size:64;not null;default:''"`
		PolicyID    string    `gorm:"size:64;not null;default:''"`
		DurationSec int64     `gorm:"not null;default:0"`
		WarnAt      float64   `gorm:"not null;default:0"`
		Band        string    `gorm:"size:16;not null;default:''"`
	}
	type SlaResult struct {
		TicketID  uint64    `gorm:"primaryKey;autoIncrement:false"`
		ClosedAt  time.Time `gorm:"not null"`
		Result    string    `gorm:"type:text"`
		UpdatedAt time.Time `gorm:"not null"`
	}
	type SlaAlert struct {
		ID       uint64     `gorm:"primaryKey"`
		TicketID uint64     `gorm:"not null;uniqueIndex:ux_sla_alerts_once,priority:1"`
		Target   string     `gorm:"size:32;not null;uniqueIndex:ux_sla_alerts_once,priority:2"`
		Segment  int        `gorm:"not null;uniqueIndex:ux_sla_alerts_once,priority:3"`
		Kind     string     `gorm:"size:16;not null;uniqueIndex:ux_sla_alerts_once,priority:4"`
		DueAt    *time.Time ``
		OutletID *uint64    `gorm:"index:ix_sla_alerts_outlet"`
		RaisedAt time.Time  `gorm:"not null;index:ix_sla_alerts_raised"`
	}
	type WorkOrder struct {
		ID                   uint64     `gorm:"primaryKey"`
		Number               string     `gorm:"size:24;not null;uniqueIndex:ux_work_orders_number"`
		TicketID             uint64     `gorm:"not null;index:ix_work_orders_ticket"`
		Kind                 string     `gorm:"size:24;not null"`
		Status               string     `gorm:"size:16;not null;index:ix_work_orders_outlet_status,priority:2;index:ix_work_orders_status_expiry,priority:1;index:ix_work_orders_status,priority:1"`
		OutletID             *uint64    `gorm:"index:ix_work_orders_outlet_status,priority:1;index:ix_work_orders_outlet_accepted,priority:1;index:ix_work_orders_outlet_appointment,priority:1;index:ix_work_orders_outlet_completed,priority:1"`
		CustomerID           uint64     `gorm:"not null"`
		UnitID               *uint64    `gorm:"index:ix_work_orders_unit_created,priority:1"`
		CategoryID           *uint64    ``
		RegionCode           string     `gorm:"size:6;not null;default:''"`
		DistanceBand         string     `gorm:"size:16;not null;default:''"`
		Note                 string     `gorm:"size:1000;not null;default:''"`
		OfferID              *uint64    ``
		Attempts             int        `gorm:"not null;default:0"`
		OfferedAt            *time.Time ``
		OfferExpiresAt       *time.Time `gorm:"index:ix_work_orders_status_expiry,priority:2"`
		AcceptedAt           *time.Time `gorm:"index:ix_work_orders_outlet_accepted,priority:2"`
		TechnicianStaffID    *uint64    ``
		TechnicianAssignedAt *time.Time ``
		AppointmentAt        *time.Time `gorm:"index:ix_work_orders_outlet_appointment,priority:2"`
		AppointmentUntil     *time.Time ``
		AppointmentSetAt     *time.Time ``
		ContactedAt          *time.Time ``
		ArrivedAt            *time.Time ``
		ArrivalOnTime        *bool      ``
		CompletedAt          *time.Time `gorm:"index:ix_work_orders_outlet_completed,priority:2"`
		Result               string     `gorm:"size:24;not null;default:''"`
		ResultNotes          string     `gorm:"type:text"`
		RepeatUntil          *time.Time ``
		SignedOffAt          *time.Time ``
		SignedBy             string     `gorm:"size:64;not null;default:''"`
		CancelledAt          *time.Time ``
		CancelReason         string     `gorm:"size:1000;not null;default:''"`
		ContactDueAt         *time.Time ``
		ArrivalDueAt         *time.Time ``
		CompleteDueAt        *time.Time ``
		CreatedBy            uint64     `gorm:"not null;default:0"`
		Version              int64      `gorm:"not null;default:1"`
		CreatedAt            time.Time  `gorm:"not null;index:ix_work_orders_unit_created,priority:2"`
		UpdatedAt            time.Time  `gorm:"not null"`
	}
	type WorkOrderOffer struct {
		ID              uint64     `gorm:"primaryKey"`
		WorkOrderID     uint64     `gorm:"not null;index:ix_work_order_offers_wo"`
		OutletID        uint64     `gorm:"not null;index:ix_work_order_offers_outlet,priority:1"`
		Attempt         int        `gorm:"not null"`
		CoverageLevel   int        `gorm:"not null;default:0"`
		OfferedAt       time.Time  `gorm:"not null;index:ix_work_order_offers_outlet,priority:2"`
		ExpiresAt       time.Time  `gorm:"not null"`
		Response        string     `gorm:"size:16;not null"`
		RespondedAt     *time.Time ``
		ResponseSeconds *int64     ``
		Reason          string     `gorm:"size:1000;not null;default:''"`
		RespondedBy     string     `gorm:"size:64;not null;default:''"`
	}
	type WorkOrderKind struct {
		Kind                 string    `gorm:"size:24;primaryKey"`
		Name                 string    `gorm:"size:64;not null"`
		AcceptMinutes        int       `gorm:"not null;default:0"`
		ContactMinutes       int       `gorm:"not null;default:0"`
		ArrivalCityMinutes   int       `gorm:"column:arrival_city_minutes;not null;default:0"`
		Arrival200kmMinutes  int       `gorm:"column:arrival_200km_minutes;not null;default:0"`
		Arrival500kmMinutes  int       `gorm:"column:arrival_500km_minutes;not null;default:0"`
		ArrivalRemoteMinutes int       `gorm:"column:arrival_remote_minutes;not null;default:0"`
		CompleteMinutes      int       `gorm:"not null;default:0"`
		Version              int64     `gorm:"not null;default:1"`
		UpdatedAt            time.Time `gorm:"not null"`
	}
	return &gormigrate.Migration{
		ID: "0004_tickets_sla_workorders",
		Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&Ticket{}, &TicketEvent{}, &NumberSequence{}, &SlaCalendar{}, &SlaPolicy{}, &SlaEvent{},
				&SlaResult{}, &SlaAlert{}, &WorkOrder{}, &WorkOrderOffer{}, &WorkOrderKind{})
		},
	}
}
