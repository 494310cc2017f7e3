package consistency_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/consistency"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

// TestCheckerNamesEveryViolatingRecord plants one violation of each
// invariant directly in the tables and expects the checker to name exactly
// those records; a clean database passes.
func TestCheckerNamesEveryViolatingRecord(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		rep, err := consistency.New(db, consistency.Options{}).Run(ctx)
		if err != nil || !rep.OK() || len(rep.Results) != 6 {
			t.Fatalf("empty database: %v %+v", err, rep)
		}
		now := time.Date(2026, 5, 1, 2, 0, 0, 0, time.UTC)
		exec := func(sql string, args ...any) {
			t.Helper()
			if err := db.Exec(sql, args...).Error; err != nil {
				t.Fatalf("%s: %v", sql, err)
			}
		}
		ticket := func(id uint64, number, status string) {
			exec(`INSERT INTO tickets (id, number, channel, type, priority, priority_rank, status, customer_id, description, created_by, version,
				created_at, updated_at, sla_checked_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
				id, number, "phone", "repair", "normal", 2, status, 1, "x", 1, 1, now, now, now)
		}
		workOrder := func(id, ticketID uint64, number, status, result string) {
			exec(`INSERT INTO work_orders (id, number, ticket_id, kind, status, customer_id, result, created_by, version, created_at, updated_at)
				VALUES (?,?,?,?,?,?,?,?,?,?,?)`, id, number, ticketID, "repair", status, 1, result, 1, 1, now, now)
		}
		// 1. an offer left on a closed ticket
		ticket(1, "T1", "closed")
		exec("INSERT INTO sla_results (ticket_id, closed_at, result, updated_at) VALUES (?,?,?,?)", 1, now, "{}", now)
		workOrder(11, 1, "WO11", "offered", "")
		// 2. done over a not-fixed repair
		ticket(2, "T2", "in_progress")
		workOrder(12, 2, "WO12", "completed", "done")
		exec(`INSERT INTO repair_orders (id, number, work_order_id, outlet_id, unit_id, serial, model_id, channel, status, result, visits,
			received_at, version, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			21, "RP21", 12, 1, 31, "SN31", 1, "work_order", "completed", "not_fixed", 1, now, 1, now, now)
		// 3. a completed return whose unit is still active
		exec(`INSERT INTO units (id, serial, model_id, status, version, created_at, updated_at) VALUES (?,?,?,?,?,?,?)`, 31, "SN31", 1, "active", 1, now, now)
		exec(`INSERT INTO return_requests (id, number, kind, unit_id, serial, reason, purchase_date, requested_on, days_since_purchase,
			eligible, status, refund_fen, version, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			41, "RT41", "return", 31, "SN31", "x", now, now, 1, true, "completed", 100, 1, now, now)
		// 4. a survey complaint that lost its ticket
		exec(`INSERT INTO survey_responses (id, respondent_key, invitation_id, template_id, kind, channel, ticket_id, customer_id, answered_at,
			answers, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)`, 51, "t:2:c:1", 1, 1, "transactional", "link", 2, 1, now, "[]", now)
		exec(`INSERT INTO complaints (id, number, source, customer_id, category, severity, status, title, received_at, ack_due_at,
			resolve_due_at, survey_response_id, version, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			61, "C61", "survey", 1, "other", "normal", "received", "x", now, now, now, 51, 1, now, now)
		// 5. stock that disagrees with its ledger
		exec("INSERT INTO stock_balances (part_id, location_id, on_hand, updated_at) VALUES (?,?,?,?)", 71, 3, 5, now)
		exec(`INSERT INTO stock_movements (part_id, location_id, qty, balance_after, kind, at) VALUES (?,?,?,?,?,?)`, 71, 3, 4, 4, "receipt", now)
		// 6. a closed ticket without its frozen SLA result
		ticket(3, "T3", "closed")

		rep, err = consistency.New(db, consistency.Options{}).Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]uint64{consistency.NoLiveWorkOnClosedTicket: 11, consistency.WorkOrderResultAgreesRepair: 12,
			consistency.ReturnedUnitHasStatus: 41, consistency.SurveyComplaintLinksTicket: 61, consistency.StockEqualsLedger: 71,
			consistency.ClosedTicketSLALogClosed: 3}
		for _, r := range rep.Results {
			if r.Count != 1 || len(r.Violations) != 1 || r.Violations[0].ID != want[r.Invariant] {
				t.Errorf("%s: %+v", r.Invariant, r)
			}
		}
		if rep.Violations != 6 || !strings.Contains(rep.Text(), "FAIL") {
			t.Fatalf("report %d\n%s", rep.Violations, rep.Text())
		}
	})
}
