package consistency

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/complaint"
	"github.com/aftersales/aftersales/backend/internal/product"
	"github.com/aftersales/aftersales/backend/internal/repair"
	"github.com/aftersales/aftersales/backend/internal/returns"
	"github.com/aftersales/aftersales/backend/internal/ticket"
	"github.com/aftersales/aftersales/backend/internal/workorder"
)

// countAndName runs SELECT COUNT(*) <from> and SELECT <cols> <from> LIMIT
// limit into rows; name turns each row into a violation.
func countAndName[T any](db *gorm.DB, limit int, add func(Violation), cols, from string, args []any, name func(T) Violation) (int64, error) {
	var n int64
	if err := db.Raw("SELECT COUNT(*) "+from, args...).Scan(&n).Error; err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, nil
	}
	var rows []T
	if err := db.Raw("SELECT "+cols+" "+from+" ORDER BY 1 LIMIT ?", append(args, limit)...).Scan(&rows).Error; err != nil {
		return 0, err
	}
	for _, r := range rows {
		add(name(r))
	}
	return n, nil
}

// unstartedWork are the work-order statuses a finished ticket must not have
// (workorder's own list of work nobody has started on site).
var unstartedWork = []string{workorder.StatusOffered, workorder.StatusUnassigned, workorder.StatusAccepted,
	workorder.StatusAssigned, workorder.StatusScheduled}

func liveWorkOnClosedTickets(_ context.Context, db *gorm.DB, limit int, add func(Violation)) (int64, error) {
	type row struct {
		ID           uint64
		Number       string
		Status       string
		TicketID     uint64
		TicketNumber string
		TicketStatus string
	}
	return countAndName(db, limit, add, "w.id, w.number, w.status, t.id AS ticket_id, t.number AS ticket_number, t.status AS ticket_status",
		"FROM work_orders w JOIN tickets t ON t.id = w.ticket_id WHERE w.status IN ? AND (t.status IN ? OR t.merged_into_id IS NOT NULL)",
		[]any{unstartedWork, []string{ticket.StatusResolved, ticket.StatusClosed}},
		func(r row) Violation {
			return Violation{Entity: "work_order", ID: r.ID, Ref: r.Number,
				Detail: fmt.Sprintf("work order is %s while ticket %s (#%d) is %s", r.Status, r.TicketNumber, r.TicketID, r.TicketStatus)}
		})
}

// workOrderResultsVsRepairs applies workorder.ResultAgrees to every
// completed work order that has a repair, a keyset batch at a time.
func workOrderResultsVsRepairs(ctx context.Context, db *gorm.DB, limit int, add func(Violation)) (int64, error) {
	type row struct {
		ID           uint64
		Number       string
		Result       string
		RepairID     uint64
		RepairNumber string
		RepairStatus string
		RepairResult string
	}
	var n int64
	var last uint64
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		var rows []row
		if err := db.Raw(`SELECT w.id, w.number, w.result, r.id AS repair_id, r.number AS repair_number, r.status AS repair_status,
			r.result AS repair_result FROM work_orders w JOIN repair_orders r ON r.work_order_id = w.id
			WHERE w.status IN ? AND w.id > ? ORDER BY w.id LIMIT ?`,
			[]string{workorder.StatusCompleted, workorder.StatusSignedOff}, last, workOrderRepairBatch).Scan(&rows).Error; err != nil {
			return n, err
		}
		for _, r := range rows {
			outcome := repair.Outcome(r.RepairStatus, r.RepairResult)
			if !workorder.ResultAgrees(r.Result, outcome) {
				n++
				add(Violation{Entity: "work_order", ID: r.ID, Ref: r.Number,
					Detail: fmt.Sprintf("result %s but repair %s (#%d) is %s (%s)", r.Result, r.RepairNumber, r.RepairID, r.RepairStatus, outcome)})
			}
			last = r.ID
		}
		if len(rows) < workOrderRepairBatch {
			return n, nil
		}
	}
}

func returnedUnits(_ context.Context, db *gorm.DB, limit int, add func(Violation)) (int64, error) {
	type row struct {
		ID                uint64
		Number            string
		Kind              string
		UnitID            uint64
		UnitStatus        string
		ReplacementSerial string
		NewUnitID         *uint64
		NewReplaces       *uint64
		ReplacedBy        *uint64
	}
	// A completed return: the unit is returned. A completed exchange: the
	// unit is exchanged, the replacement serial is registered, and the two
	// point at each other.
	return countAndName(db, limit, add,
		"q.id, q.number, q.kind, q.unit_id, u.status AS unit_status, q.replacement_serial, n.id AS new_unit_id, n.replaces_unit_id AS new_replaces, u.replaced_by_unit_id AS replaced_by",
		`FROM return_requests q JOIN units u ON u.id = q.unit_id LEFT JOIN units n ON n.serial = q.replacement_serial AND q.replacement_serial <> ''
		WHERE q.status = ? AND (
		  (q.kind = ? AND u.status <> ?) OR
		  (q.kind = ? AND (u.status <> ? OR n.id IS NULL OR n.replaces_unit_id IS NULL OR n.replaces_unit_id <> u.id
		     OR u.replaced_by_unit_id IS NULL OR u.replaced_by_unit_id <> n.id)))`,
		[]any{returns.StatusCompleted, returns.KindReturn, product.UnitReturned, returns.KindExchange, product.UnitExchanged},
		func(r row) Violation {
			d := fmt.Sprintf("%s completed but unit #%d is %s", r.Kind, r.UnitID, r.UnitStatus)
			if r.Kind == returns.KindExchange {
				switch {
				case r.NewUnitID == nil:
					d += fmt.Sprintf("; replacement %q is not registered", r.ReplacementSerial)
				case r.NewReplaces == nil || *r.NewReplaces != r.UnitID || r.ReplacedBy == nil || *r.ReplacedBy != *r.NewUnitID:
					d += fmt.Sprintf("; replacement #%d and unit #%d are not linked both ways", *r.NewUnitID, r.UnitID)
				}
			}
			return Violation{Entity: "return_request", ID: r.ID, Ref: r.Number, Detail: d}
		})
}

func surveyComplaints(_ context.Context, db *gorm.DB, limit int, add func(Violation)) (int64, error) {
	type row struct {
		ID             uint64
		Number         string
		TicketID       *uint64
		ResponseID     uint64
		ResponseTicket uint64
	}
	return countAndName(db, limit, add, "c.id, c.number, c.ticket_id, r.id AS response_id, r.ticket_id AS response_ticket",
		`FROM complaints c JOIN survey_responses r ON r.id = c.survey_response_id
		WHERE c.source = ? AND r.ticket_id IS NOT NULL AND (c.ticket_id IS NULL OR c.ticket_id <> r.ticket_id)`,
		[]any{complaint.SourceSurvey},
		func(r row) Violation {
			d := fmt.Sprintf("raised from survey response #%d about ticket #%d but links no ticket", r.ResponseID, r.ResponseTicket)
			if r.TicketID != nil {
				d = fmt.Sprintf("raised from survey response #%d about ticket #%d but links ticket #%d", r.ResponseID, r.ResponseTicket, *r.TicketID)
			}
			return Violation{Entity: "complaint", ID: r.ID, Ref: r.Number, Detail: d}
		})
}

func stockVsLedger(_ context.Context, db *gorm.DB, limit int, add func(Violation)) (int64, error) {
	type row struct {
		PartID     uint64
		LocationID uint64
		OnHand     int64
		Ledger     int64
	}
	// One grouped pass over the ledger instead of a sub-query per balance.
	return countAndName(db, limit, add, "b.part_id, b.location_id, b.on_hand, COALESCE(m.total, 0) AS ledger",
		`FROM stock_balances b LEFT JOIN (SELECT part_id, location_id, SUM(qty) AS total FROM stock_movements GROUP BY part_id, location_id) m
		ON m.part_id = b.part_id AND m.location_id = b.location_id
		WHERE b.on_hand <> COALESCE(m.total, 0) OR b.on_hand < 0`, nil,
		func(r row) Violation {
			return Violation{Entity: "stock_balance", ID: r.PartID, Ref: fmt.Sprintf("part %d @ location %d", r.PartID, r.LocationID),
				Detail: fmt.Sprintf("on hand %d, ledger sum %d", r.OnHand, r.Ledger)}
		})
}

func closedTicketSLA(_ context.Context, db *gorm.DB, limit int, add func(Violation)) (int64, error) {
	type row struct {
		ID       uint64
		Number   string
		Frozen   *uint64
		SLADueAt *time.Time
	}
	return countAndName(db, limit, add, "t.id, t.number, s.ticket_id AS frozen, t.sla_due_at",
		`FROM tickets t LEFT JOIN sla_results s ON s.ticket_id = t.id
		WHERE t.status = ? AND (s.ticket_id IS NULL OR t.sla_due_at IS NOT NULL)`,
		[]any{ticket.StatusClosed},
		func(r row) Violation {
			d := "closed with a clock still running (sla_due_at set)"
			if r.Frozen == nil {
				d = "closed without a frozen SLA result"
			}
			return Violation{Entity: "ticket", ID: r.ID, Ref: r.Number, Detail: d}
		})
}
