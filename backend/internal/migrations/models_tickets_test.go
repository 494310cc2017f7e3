package migrations_test

import (
	"github.com/aftersales/aftersales/backend/internal/sla"
	"github.com/aftersales/aftersales/backend/internal/ticket"
	"github.com/aftersales/aftersales/backend/internal/workorder"
)

// The ticket, SLA and work-order models, checked against migration 0004.
func init() {
	extraModels = append(extraModels, &ticket.Ticket{}, &ticket.Event{}, &ticket.NumberSequence{},
		&sla.CalendarRow{}, &sla.PolicyRow{}, &sla.EventRow{}, &sla.ResultRow{}, &sla.Alert{},
		&workorder.WorkOrder{}, &workorder.Offer{}, &workorder.KindPolicy{})
}
