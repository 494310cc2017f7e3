package readiness

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// The SQL definitions of the measures declared in the standards. Each one
// follows the numerator/denominator text of its MeasureDefinition; where a
// definition says "sampled", the whole population is evaluated (a 100%
// sample is a superset of any auditor's sample) and the note says so.
// Boolean columns are compared with bound parameters so that SQLite (0/1)
// and MySQL behave alike; instants are compared through window.at (julianday
// on SQLite, where times are stored as text).

// certServiceManager is the certificate kind of a 售后服务管理师 (package
// outlet, CertServiceManager).
const certServiceManager = "service_manager"

// fieldKinds are the post kinds whose staff need a trade certificate
// (package outlet, FieldKinds): the rule attaches to the kind, whatever
// the post is called.
var fieldKinds = []string{"technician", "installer"}

// Defaults of the [I] parameters the measure texts name; configurable
// through SQLMeasures fields (config readiness.parts_lead_hours and
// readiness.complaint_legal_days).
const (
	defaultPartsLead          = 24 * time.Hour
	defaultComplaintLegalDays = 7
	repeatRepairDays          = 30
	// defaultManagerValidYears is the validity of a 售后服务管理师
	// certificate (config certificates.manager.valid_years).
	defaultManagerValidYears = 3
)

func measureSpecs() map[string]measureSpec {
	return map[string]measureSpec{
		"region_coverage": {
			needs:        []string{"units.purchase_date", "customer_addresses", "product_models", "outlets", "outlet_coverages", "outlet_categories"},
			custom:       regionCoverage,
			slowChanging: true,
		},
		"staff_qualified": {
			needs: []string{"staff_members.post_kind", "staff_certificates", "staff_trainings"},
			build: func(w window) measureQuery {
				return measureQuery{
					from:       "staff_members s",
					population: "s.active = ?",
					popArgs:    []any{true},
					conforming: `EXISTS (SELECT 1 FROM staff_trainings t WHERE t.staff_id = s.id AND t.passed = ? AND t.completed_at >= ? AND t.completed_at <= ?)
						AND (s.post_kind NOT IN (?) OR EXISTS (SELECT 1 FROM staff_certificates c WHERE c.staff_id = s.id AND c.kind <> ?
							AND c.issued_at <= ? AND (c.expires_at IS NULL OR c.expires_at >= ?)))`,
					confArgs:    []any{true, w.FromDay, w.AsOfDay, fieldKinds, certServiceManager, w.AsOfDay, w.AsOfDay},
					id:          "s.id",
					ref:         "staff",
					order:       "s.id",
					note:        "field staff need a valid trade certificate and a training passed in the window, office staff a training passed in the window;",
					sampledNote: true,
					sampleTable: "staff_members",
					sampleID:    "s.id",
				}
			},
		},
		"customer_record_complete": {
			needs: []string{"customers", "customer_phones", "customer_addresses", "units.purchase_date"},
			build: func(w window) measureQuery {
				// A systematic sample of customers: the conformance test
				// probes three tables per customer.
				pop := probe("SELECT 1 FROM units u WHERE u.customer_id = c.id AND u.purchase_date >= ? AND u.purchase_date <= ?")
				args := []any{w.FromDay, w.ToDay}
				if w.has("tickets.customer_id") {
					pop = "(" + pop + " OR " + probe("SELECT 1 FROM tickets t WHERE t.customer_id = c.id AND t.created_at >= ? AND t.created_at < ?") + ")"
					args = append(args, w.From, w.To)
				}
				return measureQuery{
					from:       "customers c",
					population: pop,
					popArgs:    args,
					conforming: `c.name <> '' AND EXISTS (SELECT 1 FROM customer_phones ph WHERE ph.customer_id = c.id)
						AND EXISTS (SELECT 1 FROM customer_addresses a WHERE a.customer_id = c.id AND a.region_code <> '')
						AND EXISTS (SELECT 1 FROM units u2 WHERE u2.customer_id = c.id AND u2.serial <> '')`,
					id:          "c.id",
					ref:         "customer",
					order:       "c.id DESC",
					sampleTable: "customers",
					sampleID:    "c.id",
				}
			},
		},
		"spare_parts_fill_rate": {
			needs: []string{"part_requisitions.received_at"},
			build: func(w window) measureQuery {
				lead := w.partsLead.Seconds()
				return measureQuery{
					from: "part_requisitions r",
					population: fmt.Sprintf("r.requested_at >= ? AND r.requested_at < ? AND r.cancelled_at IS NULL AND (r.received_at IS NOT NULL OR %s > %f)",
						w.secondsBetween("r.requested_at", "?"), lead),
					popArgs:    []any{w.From, w.To, w.AsOf},
					conforming: fmt.Sprintf("r.received_at IS NOT NULL AND %s <= %f", w.secondsBetween("r.requested_at", "r.received_at"), lead),
					id:         "r.id",
					ref:        "requisition",
					order:      "r.requested_at DESC",
					bucket:     "r.requested_at",
					recent:     "r.requested_at",
				}
			},
		},
		"repair_first_time_fix": {
			needs: []string{"repair_orders.completed_at", "repair_orders.visits"},
			build: func(w window) measureQuery {
				// Fixed (or replaced under 三包) at the first visit, and no
				// repair of the same unit received within 30 days after. The
				// repair domain keeps next_received_at up to date in SQL; read
				// it when present (an index-only scan), probe otherwise.
				repeat := fmt.Sprintf(`NOT EXISTS (SELECT 1 FROM repair_orders r2 WHERE r2.unit_id = r.unit_id AND r2.id <> r.id
						AND r2.received_at > r.completed_at AND %s <= %s)`, w.at("r2.received_at"), w.plusDays("r.completed_at", fmt.Sprint(repeatRepairDays)))
				if w.has("repair_orders.next_received_at") {
					repeat = fmt.Sprintf("(r.next_received_at IS NULL OR %s > %s)", w.at("r.next_received_at"), w.plusDays("r.completed_at", fmt.Sprint(repeatRepairDays)))
				}
				return measureQuery{
					from:       "repair_orders r",
					population: "r.completed_at >= ? AND r.completed_at < ? AND r.status = 'completed'",
					popArgs:    []any{w.From, w.To},
					conforming: "r.visits <= 1 AND r.result IN ('fixed', 'replaced') AND " + repeat,
					id:         "r.id",
					ref:        "repair",
					order:      "r.completed_at DESC",
					recent:     "r.completed_at",
					bucket:     "r.completed_at",
				}
			},
		},
		"repair_record_complete": {
			needs: []string{"repair_orders.closed_at", "repair_parts"},
			build: func(w window) measureQuery {
				q := measureQuery{
					from:       "repair_orders r",
					population: "r.closed_at >= ? AND r.closed_at < ? AND " + w.noIndex("r.status") + " = 'completed'",
					popArgs:    []any{w.From, w.To},
					conforming: `(r.fault_code <> '' OR r.diagnosis <> '') AND r.cause <> '' AND r.customer_confirmed = ?
						AND (r.in_warranty = ? OR r.charge_fen > 0 OR r.quote_fen > 0)
						AND NOT EXISTS (SELECT 1 FROM repair_parts p WHERE p.repair_id = r.id AND (p.faulty_serial = '' OR p.replacement_serial = ''))`,
					confArgs:    []any{true, true},
					id:          "r.id",
					ref:         "repair",
					order:       "r.closed_at DESC",
					sampledNote: true,
					sampleTable: "repair_orders",
					sampleID:    "r.id",
				}
				// The repair domain judges completeness at completion
				// (record_complete: fault, cause, parts with both serials,
				// charges, the customer's confirmation); read its verdict
				// over every record when present.
				if w.has("repair_orders.record_complete") {
					q.conforming, q.confArgs = "r.record_complete = ?", []any{true}
					q.sampleTable, q.sampleID, q.sampledNote = "", "", true
					q.recent, q.bucket = "r.closed_at", "r.closed_at"
				}
				return q
			},
		},
		"return_within_legal_window": {
			needs: []string{"return_requests.refused_within_window"},
			build: func(w window) measureQuery {
				return measureQuery{
					from: "return_requests r",
					// Eligible at the request date, not withdrawn, and either
					// decided or past the legal period.
					population: "r.requested_on >= ? AND r.requested_on <= ? AND r.eligible = ? AND r.cancelled_at IS NULL AND (r.decided_at IS NOT NULL OR r.window_until < ?)",
					popArgs:    []any{w.FromDay, w.ToDay, true, w.AsOfDay},
					conforming: "r.refused_within_window = ? AND r.decided_at IS NOT NULL AND r.decision = 'accepted'",
					confArgs:   []any{false},
					id:         "r.id",
					ref:        "return",
					order:      "r.requested_on DESC",
					bucket:     "r.requested_on",
					dateBucket: true,
				}
			},
		},
		"recall_completion": {
			needs: []string{"recall_units.remedied_at", "recall_campaigns.activated_at"},
			build: func(w window) measureQuery {
				return measureQuery{
					from: "recall_units u JOIN recall_campaigns c ON c.id = u.campaign_id",
					population: `c.activated_at IS NOT NULL AND c.activated_at <= ? AND (c.closed_at IS NULL OR c.closed_at >= ?)
						AND u.status NOT IN ('excluded', 'not_applicable', 'cancelled')`,
					popArgs:    []any{w.AsOf, w.From},
					conforming: "u.remedied_at IS NOT NULL AND u.remedied_at <= ?",
					confArgs:   []any{w.AsOf},
					id:         "u.id",
					ref:        "recall_unit",
					order:      "u.id",
				}
			},
		},
		"first_response_on_time": {
			needs:  []string{"tickets.first_response_at", "sla_alerts"},
			custom: firstResponse,
		},
		"delivery_on_time":     workOrderDone("delivery"),
		"installation_on_time": workOrderDone("installation"),
		"outlet_accept_on_time": {
			needs:  []string{"work_orders.accepted_at", "work_orders.attempts", "work_order_kinds.accept_minutes"},
			custom: outletAccept,
		},
		"onsite_arrival_on_time": {
			needs: []string{"work_orders.arrival_due_at", "work_orders.arrival_on_time"},
			build: func(w window) measureQuery {
				return measureQuery{
					from: "work_orders o",
					population: `o.arrival_due_at >= ? AND o.arrival_due_at < ?
						AND (o.cancelled_at IS NULL OR o.cancelled_at > o.arrival_due_at)`,
					popArgs: []any{w.From, w.To},
					// arrival_on_time is frozen at check-in against the
					// distance band's deadline with paused time excluded.
					conforming: fmt.Sprintf("o.arrived_at IS NOT NULL AND (o.arrival_on_time = ? OR (o.arrival_on_time IS NULL AND %s <= %s))",
						w.at("o.arrived_at"), w.at("o.arrival_due_at")),
					confArgs: []any{true},
					id:       "o.id",
					ref:      "work_order",
					order:    "o.arrival_due_at DESC",
					bucket:   "o.arrival_due_at",
					recent:   "o.arrival_due_at",
				}
			},
		},
		"survey_response_rate": {
			needs: []string{"survey_invitations.sent_at"},
			build: func(w window) measureQuery {
				return measureQuery{
					from: "survey_invitations i",
					// Sent in the window; decided: answered, unreachable, or
					// a link past its expiry. Cancelled invitations (answered
					// through another channel) leave the population: one per
					// respondent.
					population: `i.sent_at >= ? AND i.sent_at < ? AND i.status <> 'cancelled'
						AND (i.answered_at IS NOT NULL OR i.status = 'unreachable' OR (i.expires_at IS NOT NULL AND i.expires_at < ?))`,
					popArgs:    []any{w.From, w.To, w.AsOf},
					conforming: "i.answered_at IS NOT NULL",
					id:         "i.id",
					ref:        "survey_invitation",
					order:      "i.sent_at DESC",
					bucket:     "i.sent_at",
					recent:     "i.sent_at",
				}
			},
		},
		"survey_satisfaction": {
			needs: []string{"survey_responses.csat"},
			build: func(w window) measureQuery {
				return measureQuery{
					from:       "survey_responses r",
					population: "r.answered_at >= ? AND r.answered_at < ? AND r.csat IS NOT NULL",
					popArgs:    []any{w.From, w.To},
					conforming: "r.csat >= 4",
					id:         "r.id",
					ref:        "survey_response",
					order:      "r.answered_at DESC",
					bucket:     "r.answered_at",
					recent:     "r.answered_at",
				}
			},
		},
		"followup_within_3d": {
			needs:  []string{"tickets.closed_at", "survey_followups.closed_at"},
			custom: followupWithin3d,
		},
		"corrective_action_closed": {
			needs: []string{"corrective_actions.closed_on_time"},
			build: func(w window) measureQuery {
				return measureQuery{
					from:       "corrective_actions a",
					population: "a.due_date >= ? AND a.due_date < ?",
					popArgs:    []any{w.FromDay, w.AsOfDay},
					conforming: "a.closed_on_time = ? AND a.checked_at IS NOT NULL AND a.checked_at <= ?",
					confArgs:   []any{true, w.AsOf},
					id:         "a.id",
					ref:        "corrective_action",
					order:      "a.due_date DESC",
					bucket:     "a.due_date",
					dateBucket: true,
				}
			},
		},
		"complaint_ack_within_limit": {
			needs: []string{"complaints.ack_due_at"},
			build: func(w window) measureQuery {
				return measureQuery{
					from:       "complaints c",
					population: "c.received_at >= ? AND c.received_at < ? AND (c.ack_at IS NOT NULL OR c.ack_due_at < ?)",
					popArgs:    []any{w.From, w.To, w.AsOf},
					conforming: fmt.Sprintf("c.ack_at IS NOT NULL AND %s <= %s", w.at("c.ack_at"), w.at("c.ack_due_at")),
					id:         "c.id",
					ref:        "complaint",
					order:      "c.received_at DESC",
					bucket:     "c.received_at",
					recent:     "c.received_at",
				}
			},
		},
		"complaint_resolved_within_limit": {
			needs: []string{"complaints.resolve_due_at"},
			build: func(w window) measureQuery {
				return measureQuery{
					from:       "complaints c",
					population: "c.resolve_due_at >= ? AND c.resolve_due_at < ?",
					popArgs:    []any{w.From, w.To},
					conforming: fmt.Sprintf("c.resolved_at IS NOT NULL AND %s <= %s", w.at("c.resolved_at"), w.at("c.resolve_due_at")),
					id:         "c.id",
					ref:        "complaint",
					order:      "c.resolve_due_at DESC",
					bucket:     "c.resolve_due_at",
					recent:     "c.resolve_due_at",
				}
			},
		},
		"complaint_record_complete": {
			needs: []string{"complaints.root_cause", "complaints.closed_at"},
			build: func(w window) measureQuery {
				return measureQuery{
					from:       "complaints c",
					population: "c.closed_at >= ? AND c.closed_at < ?",
					popArgs:    []any{w.From, w.To},
					conforming: `c.category <> '' AND c.severity <> '' AND c.root_cause <> '' AND c.resolution <> ''
						AND (c.customer_confirmed IS NOT NULL OR c.close_without_confirmation <> '')`,
					id:          "c.id",
					ref:         "complaint",
					order:       "c.closed_at DESC",
					sampledNote: true,
					sampleTable: "complaints",
					sampleID:    "c.id",
				}
			},
		},
	}
}

// regionCoverage counts the sales regions (districts of the default
// address of customers who bought a unit in the window) and those where,
// for every product category sold there, an active outlet authorised for
// the category covers the district, its city or its province. One query
// returns a row per sales region (bounded by the ~2,900 county-level
// divisions of GB/T 2260, not by sales volume); they are counted here.
func regionCoverage(ctx context.Context, m *SQLMeasures, w window) (Measure, error) {
	// The covered (region, category) pairs of active outlets, and the
	// sales pairs, each built once; a sales pair is covered when the
	// district, its city or its province is.
	city := w.concat("SUBSTR(p.region, 1, 4)", "'00'")
	prov := w.concat("SUBSTR(p.region, 1, 2)", "'0000'")
	q := fmt.Sprintf(`WITH covered AS (
			SELECT DISTINCT oc.region_code AS region, cat.category_id AS category FROM outlet_coverages oc
			JOIN outlets o ON o.id = oc.outlet_id AND o.status = 'active'
			JOIN outlet_categories cat ON cat.outlet_id = oc.outlet_id),
		sales AS (
			SELECT DISTINCT a.region_code AS region, pm.category_id AS category
			FROM (SELECT DISTINCT u.customer_id AS customer_id, u.model_id AS model_id
				FROM units u WHERE u.purchase_date >= ? AND u.purchase_date <= ? AND u.customer_id IS NOT NULL) x
			JOIN customer_addresses a ON a.customer_id = x.customer_id
			JOIN product_models pm ON pm.id = x.model_id
			WHERE a.is_default = ? AND a.region_code <> '')
		SELECT p.region AS region, SUM(CASE WHEN c1.region IS NULL AND c2.region IS NULL AND c3.region IS NULL THEN 1 ELSE 0 END) AS uncovered
		FROM sales p
		LEFT JOIN covered c1 ON c1.region = p.region AND c1.category = p.category
		LEFT JOIN covered c2 ON c2.region = %s AND c2.category = p.category
		LEFT JOIN covered c3 ON c3.region = %s AND c3.category = p.category
		GROUP BY p.region ORDER BY p.region`, city, prov)
	var rows []struct {
		Region    string
		Uncovered int64
	}
	if err := m.db.WithContext(ctx).Raw(q, w.FromDay, w.ToDay, true).Scan(&rows).Error; err != nil {
		return Measure{}, err
	}
	res := Measure{Known: true, Denominator: float64(len(rows))}
	for _, r := range rows {
		if r.Uncovered == 0 {
			res.Numerator++
		} else if len(res.RecordIDs) < topRecords {
			res.RecordIDs = append(res.RecordIDs, "region:"+r.Region)
		}
	}
	return res, nil
}

// firstResponse counts the requests of the window whose first-response
// clock was met or breached, and those met on time. The SLA job raises a
// breach alert once for every clock that crosses its deadline (paused time
// excluded), so: answered = A, breached and answered = B1, breached and
// unanswered = B0; population A + B0, on time A − B1. A reads one covering
// index; B only the (few) breach alerts.
func firstResponse(ctx context.Context, m *SQLMeasures, w window) (Measure, error) {
	db := m.db.WithContext(ctx)
	av, err := m.aggregate(ctx, aggQuery{key: "first_response_on_time:answered", exprs: []string{"COUNT(*)"}, from: "tickets",
		where:     "created_at >= ? AND created_at < ? AND " + w.noIndex("merged_into_id") + " IS NULL AND first_response_at IS NOT NULL",
		whereArgs: []any{w.From, w.To}, bucket: "created_at"}, w)
	if err != nil {
		return Measure{}, err
	}
	if fillFrom(ctx) != nil {
		return Measure{}, nil // building the rollups only
	}
	a := int64(av[0])
	breached := `FROM tickets t WHERE t.id IN (SELECT al.ticket_id FROM sla_alerts al WHERE al.target = 'first_response'
		AND al.kind = 'breach' AND al.raised_at >= ?) AND t.created_at >= ? AND t.created_at < ? AND t.merged_into_id IS NULL`
	var b struct{ B1, B0 *int64 }
	if err := db.Raw(`SELECT SUM(CASE WHEN t.first_response_at IS NOT NULL THEN 1 ELSE 0 END) AS b1,
		SUM(CASE WHEN t.first_response_at IS NULL THEN 1 ELSE 0 END) AS b0 `+breached, w.From, w.From, w.To).Scan(&b).Error; err != nil {
		return Measure{}, err
	}
	b1, b0 := deref(b.B1), deref(b.B0)
	res := Measure{Known: true, Numerator: float64(a - b1), Denominator: float64(a + b0)}
	if b1+b0 > 0 {
		var ids []uint64
		if err := db.Raw("SELECT t.id "+breached+" ORDER BY t.created_at DESC LIMIT ?", w.From, w.From, w.To, topRecords).Scan(&ids).Error; err != nil {
			return Measure{}, err
		}
		for _, id := range ids {
			res.RecordIDs = append(res.RecordIDs, fmt.Sprintf("ticket:%d", id))
		}
	}
	return res, nil
}

// followupWithin3d counts the services (tickets) closed in the window,
// leaving out the last three days, and those with an after-close follow-up
// call recorded within three days of closing: reached (answered),
// unreachable after the scripted attempts, refused, or answered by link
// meanwhile (cancelled). The follow-up keeps the ticket's closing time, so
// each count reads one covering index; the numerator is bounded by the
// denominator (a ticket reopened and closed again counts once).
func followupWithin3d(ctx context.Context, m *SQLMeasures, w window) (Measure, error) {
	db := m.db.WithContext(ctx)
	to := w.AsOf.AddDate(0, 0, -3)
	dv, err := m.aggregate(ctx, aggQuery{key: "followup_within_3d:closed", exprs: []string{"COUNT(*)"}, from: "tickets",
		where:     "status = 'closed' AND closed_at >= ? AND closed_at < ? AND merged_into_id IS NULL",
		whereArgs: []any{w.From, to}, bucket: "closed_at", until: to}, w)
	if err != nil {
		return Measure{}, err
	}
	done := "COALESCE(f.completed_at, f.last_attempt_at)"
	inTime := fmt.Sprintf(`f.kind = 'after_close' AND f.status IN ('answered', 'unreachable', 'refused', 'cancelled')
		AND %[1]s IS NOT NULL AND %[2]s <= %[3]s`, done, w.at(done), w.plusDays("f.closed_at", "3"))
	// A ticket has one after-close follow-up, closed on one day, so the
	// distinct counts of the days add up.
	nv, err := m.aggregate(ctx, aggQuery{key: "followup_within_3d:followed", exprs: []string{"COUNT(DISTINCT f.ticket_id)"},
		from: "survey_followups f", where: "f.closed_at >= ? AND f.closed_at < ? AND " + inTime, whereArgs: []any{w.From, to},
		bucket: "f.closed_at", until: to}, w)
	if err != nil {
		return Measure{}, err
	}
	if fillFrom(ctx) != nil {
		return Measure{}, nil // building the rollups only
	}
	// The per-ticket probe must use the ticket index: on SQLite the kind
	// test is kept off the index ("+"), else it scans every follow-up.
	probeTime := inTime
	if w.sqlite {
		probeTime = "+" + inTime
	}
	den, num := int64(dv[0]), int64(nv[0])
	res := Measure{Known: true, Numerator: float64(min(num, den)), Denominator: float64(den)}
	if res.Numerator < res.Denominator {
		// The newest first: the last week before the cut, then the month.
		var ids []uint64
		for _, recent := range []time.Time{to.AddDate(0, 0, -7), w.recentStart()} {
			if recent.Before(w.recentStart()) {
				recent = w.recentStart()
			}
			ids = ids[:0]
			if err := db.Raw(`SELECT t.id FROM tickets t WHERE t.status = 'closed' AND t.closed_at >= ? AND t.closed_at < ? AND t.merged_into_id IS NULL
			AND NOT `+probe("SELECT 1 FROM survey_followups f WHERE f.ticket_id = t.id AND "+probeTime)+`
			ORDER BY t.closed_at DESC LIMIT ?`, recent, to, topRecords).Scan(&ids).Error; err != nil {
				return Measure{}, err
			}
			if len(ids) >= topRecords {
				break
			}
		}
		for _, id := range ids {
			res.RecordIDs = append(res.RecordIDs, fmt.Sprintf("ticket:%d", id))
		}
	}
	return res, nil
}

// outletAccept counts work orders first offered in the window and those an
// outlet accepted within its kind's limit. A work order is created and
// first offered in one transaction, so the clock runs from its creation
// and the time lost in rejections and re-dispatch counts against the limit;
// work never offered to an outlet is left out. The limits (a handful of
// kinds) are read first and inlined as a CASE, so the count reads one
// covering index of work_orders instead of joining per row.
func outletAccept(ctx context.Context, m *SQLMeasures, w window) (Measure, error) {
	var kinds []struct {
		Kind          string
		AcceptMinutes int
	}
	if err := m.db.WithContext(ctx).Raw("SELECT kind, accept_minutes FROM work_order_kinds WHERE accept_minutes > 0 ORDER BY kind").
		Scan(&kinds).Error; err != nil {
		return Measure{}, err
	}
	if len(kinds) == 0 {
		return Measure{Known: true}, nil
	}
	limit := "CASE o.kind"
	var args []any
	for _, k := range kinds {
		limit += " WHEN ? THEN ?"
		args = append(args, k.Kind, k.AcceptMinutes*60)
	}
	limit += " END"
	kindList := make([]string, 0, len(kinds))
	for _, k := range kinds {
		kindList = append(kindList, k.Kind)
	}
	// On SQLite the kind test is kept off the index ("+"): with it the
	// planner reads every work order of those kinds instead of the range.
	kindTerm := "o.kind"
	if w.sqlite {
		kindTerm = "+o.kind"
	}
	pop := fmt.Sprintf(`o.created_at >= ? AND o.created_at < ? AND o.attempts >= 1 AND `+kindTerm+` IN (?)
		AND (o.cancelled_at IS NULL OR %s > %s) AND (o.accepted_at IS NOT NULL OR %s > %s)`,
		w.secondsBetween("o.created_at", "o.cancelled_at"), limit, w.secondsBetween("o.created_at", "?"), limit)
	popArgs := append([]any{w.From, w.To, kindList}, args...)
	popArgs = append(popArgs, w.AsOf)
	popArgs = append(popArgs, args...)
	q := measureQuery{
		from:       "work_orders o",
		population: pop,
		popArgs:    popArgs,
		conforming: fmt.Sprintf("o.accepted_at IS NOT NULL AND %s <= %s", w.secondsBetween("o.created_at", "o.accepted_at"), limit),
		confArgs:   args,
		id:         "o.id",
		ref:        "work_order",
		order:      "o.created_at DESC",
		recent:     "o.created_at",
		recentFrom: w.recentStart(),
		bucket:     "o.created_at",
		key:        "outlet_accept_on_time",
		window:     w,
	}
	return m.generic(ctx, q)
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// Staffing implements MeasureSource: active service-management staff, and
// those of them holding a 售后服务管理师 certificate valid on the as-of date
// (issued on or before it, last valid day on or after it). Certificates
// that expire are listed with the first instant they no longer count (the
// local midnight after their last valid day).
func (m *SQLMeasures) Staffing(ctx context.Context, asOf time.Time) (Staffing, error) {
	schema := newSchemaCache(m.db)
	if miss := schema.missing(ctx, []string{"staff_members.is_service_management", "staff_certificates"}); miss != "" {
		return Staffing{}, nil
	}
	db := m.db.WithContext(ctx)
	today := localDay(asOf, m.loc)
	var head int64
	if err := db.Raw("SELECT COUNT(*) FROM staff_members WHERE active = ? AND is_service_management = ?", true, true).Scan(&head).Error; err != nil {
		return Staffing{}, fmt.Errorf("readiness: management headcount: %w", err)
	}
	// Every 售后服务管理师 certificate of an active management person issued
	// by the as-of day; validity is issue date + valid_years (a missing
	// expiry is derived, a longer one cut), computed here so that rows
	// recorded before the rule was enforced are judged by it too. Bounded
	// by the number of certificate holders, not by operational volume.
	var rows []struct {
		ID        uint64
		Name      string
		IssuedAt  sqlTime
		ExpiresAt sqlTime
	}
	err := db.Raw(`SELECT m.id AS id, m.name AS name, c.issued_at AS issued_at, c.expires_at AS expires_at
		FROM staff_members m JOIN staff_certificates c ON c.staff_id = m.id
		WHERE m.active = ? AND m.is_service_management = ? AND c.kind = ? AND c.issued_at <= ?
		ORDER BY m.id`, true, true, certServiceManager, today).Scan(&rows).Error
	if err != nil {
		return Staffing{}, fmt.Errorf("readiness: certified managers: %w", err)
	}
	years := m.ManagerValidYears
	if years <= 0 {
		years = defaultManagerValidYears
	}
	lastDay := map[uint64]time.Time{}
	names := map[uint64]string{}
	var order []uint64
	for _, r := range rows {
		if !r.IssuedAt.Valid {
			continue
		}
		is := r.IssuedAt.T.UTC()
		end := time.Date(is.Year()+years, is.Month(), is.Day()-1, 0, 0, 0, 0, time.UTC)
		if r.ExpiresAt.Valid {
			if ex := r.ExpiresAt.T.UTC(); ex.Before(end) {
				end = time.Date(ex.Year(), ex.Month(), ex.Day(), 0, 0, 0, 0, time.UTC)
			}
		}
		if end.Before(today) {
			continue // expired: never counts
		}
		if prev, ok := lastDay[r.ID]; !ok || end.After(prev) {
			if !ok {
				order = append(order, r.ID)
			}
			lastDay[r.ID], names[r.ID] = end, r.Name
		}
	}
	st := Staffing{Known: true, ManagementHeadcount: int(head), CertifiedManagers: len(order)}
	for _, id := range order {
		ld := lastDay[id]
		until := time.Date(ld.Year(), ld.Month(), ld.Day()+1, 0, 0, 0, 0, m.loc).UTC()
		st.CertifiedExpiring = append(st.CertifiedExpiring, Certificate{HolderID: fmt.Sprint(id), Holder: names[id], ExpiresAt: until})
	}
	sort.Slice(st.CertifiedExpiring, func(i, j int) bool {
		return st.CertifiedExpiring[i].ExpiresAt.Before(st.CertifiedExpiring[j].ExpiresAt)
	})
	return st, nil
}

// Suggestions implements MeasureSource.
func (m *SQLMeasures) Suggestions(ctx context.Context, asOf time.Time, windowMonths, limit int) ([]Suggestion, error) {
	schema := newSchemaCache(m.db)
	w := m.window(asOf, windowMonths)
	db := m.db.WithContext(ctx)
	var out []Suggestion
	if schema.missing(ctx, []string{"return_requests.refused_within_window"}) == "" {
		var rows []struct {
			ID          uint64
			Number      string
			RequestedOn time.Time
		}
		if err := db.Raw(`SELECT id, number, requested_on FROM return_requests
			WHERE refused_within_window = ? AND requested_on >= ? AND requested_on <= ? ORDER BY requested_on, id LIMIT ?`,
			true, w.FromDay, w.ToDay, limit).Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("readiness: refused returns: %w", err)
		}
		for _, r := range rows {
			ref := r.Number
			if ref == "" {
				ref = fmt.Sprint(r.ID)
			}
			out = append(out, Suggestion{
				Key: fmt.Sprintf("return:%d", r.ID), Source: SourceReturnRefused, Clause: "5.2.5.1", RecordRef: fmt.Sprintf("return:%d", r.ID),
				Finding: fmt.Sprintf("三包退换货申请 %s 在法定期限内被拒绝（违反三包规定）", ref), FoundOn: localDay(r.RequestedOn, time.UTC),
			})
		}
	}
	if schema.missing(ctx, []string{"complaints.resolve_due_at"}) == "" {
		legal := m.ComplaintLegalDays
		if legal <= 0 {
			legal = defaultComplaintLegalDays
		}
		var rows []struct {
			ID         uint64
			Number     string
			ReceivedAt time.Time
		}
		// Past the legal limit: unresolved more than `legal` days after
		// receipt, or resolved only after that.
		limitExpr := w.plusDays("c.received_at", fmt.Sprint(legal))
		q := fmt.Sprintf(`SELECT c.id AS id, c.number AS number, c.received_at AS received_at FROM complaints c
			WHERE c.received_at >= ? AND c.received_at < ? AND (
				(c.resolved_at IS NULL AND %[1]s < %[2]s) OR (c.resolved_at IS NOT NULL AND %[3]s > %[1]s))
			ORDER BY c.received_at, c.id LIMIT ?`, limitExpr, w.at("?"), w.at("c.resolved_at"))
		if err := db.Raw(q, w.From, w.To, w.AsOf, limit).Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("readiness: overdue complaints: %w", err)
		}
		for _, r := range rows {
			ref := r.Number
			if ref == "" {
				ref = fmt.Sprint(r.ID)
			}
			out = append(out, Suggestion{
				Key: fmt.Sprintf("complaint:%d", r.ID), Source: SourceComplaintOverdue, Clause: "5.3.2.3", RecordRef: fmt.Sprintf("complaint:%d", r.ID),
				Finding: fmt.Sprintf("投诉 %s 超过法定处理时限（%d 天）仍未解决", ref, legal), FoundOn: localDay(r.ReceivedAt.AddDate(0, 0, legal), m.loc),
			})
		}
	}
	return out, nil
}

// workOrderDone is the measure of a kind of field work (delivery,
// installation) due in the window and completed by its committed time with
// the work done.
func workOrderDone(kind string) measureSpec {
	return measureSpec{
		needs: []string{"work_orders.complete_due_at"},
		build: func(w window) measureQuery {
			return measureQuery{
				from: "work_orders o",
				population: `o.kind = ? AND o.complete_due_at >= ? AND o.complete_due_at < ?
					AND (o.cancelled_at IS NULL OR o.cancelled_at > o.complete_due_at)`,
				popArgs:    []any{kind, w.From, w.To},
				conforming: fmt.Sprintf("o.completed_at IS NOT NULL AND %s <= %s AND o.result = 'done'", w.at("o.completed_at"), w.at("o.complete_due_at")),
				id:         "o.id",
				ref:        "work_order",
				order:      "o.complete_due_at DESC",
				bucket:     "o.complete_due_at",
				recent:     "o.complete_due_at",
			}
		},
	}
}

// noIndex keeps a column's test off SQLite's index choice (unary "+"):
// without statistics its planner prefers an equality on a low-selectivity
// column (status, kind, merged_into_id IS NULL) to the time range, and reads
// most of the table. MySQL chooses well and gets the column as is.
func (w window) noIndex(col string) string {
	if w.sqlite {
		return "+" + col
	}
	return col
}

// probe is an existence test evaluated per outer row: a scalar subquery
// with LIMIT 1, which MariaDB never turns into a materialised semi-join
// (it does so with EXISTS, scanning the whole inner table once per query,
// which is far slower when only a sample of outer rows is tested).
func probe(sql string) string { return "(" + sql + " LIMIT 1) IS NOT NULL" }
