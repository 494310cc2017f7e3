package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/customer"
	"github.com/aftersales/aftersales/backend/internal/outlet"
	"github.com/aftersales/aftersales/backend/internal/product"
)

// serviceWorld is what the hotline test needs: a customer with a phone and
// an address in Shenzhen Nanshan, a unit, outlet 1 (Nanshan, the demo
// outlet users' outlet) and outlet 2 (all of Shenzhen), a technician of
// outlet 1.
type serviceWorld struct {
	customerID, unitID, technicianID uint64
	phone                            string
}

func buildWorld(t *testing.T, h *harness) serviceWorld {
	t.Helper()
	ctx := actor.With(context.Background(), actor.Actor{UserID: 1, Username: "admin", Roles: []string{"admin"}})
	cat, err := h.app.Products.CreateCategory(ctx, product.NewCategory{Code: "AC", Name: "空调"})
	if err != nil {
		t.Fatal("category:", err, apperr.As(err).Fields)
	}
	model, err := h.app.Products.CreateModel(ctx, product.NewModel{Code: "KFR-35GW", Name: "挂式空调 1.5匹", CategoryID: cat.ID})
	if err != nil {
		t.Fatal("model:", err, apperr.As(err).Fields)
	}
	w := serviceWorld{phone: "13800138000"}
	prof, err := h.app.Customers.Create(ctx, customer.NewCustomer{Name: "王建国",
		Phones:    []customer.NewPhone{{Number: w.phone, Primary: true}},
		Addresses: []customer.NewAddress{{RegionCode: "440305", Detail: "科技园南区 1 栋 101", Default: true}}})
	if err != nil {
		t.Fatal("customer:", err, apperr.As(err).Fields)
	}
	w.customerID = prof.Customer.ID
	bought := time.Now().AddDate(0, -2, 0)
	unit, err := h.app.Products.RegisterUnit(ctx, product.NewUnit{Serial: "AC2026000001", ModelID: model.ID, CustomerID: &w.customerID, PurchaseDate: &bought})
	if err != nil {
		t.Fatal("unit:", err, apperr.As(err).Fields)
	}
	w.unitID = unit.ID
	for i, o := range []outlet.NewOutlet{
		{Code: "SZ-NS", Name: "深圳南山服务网点", Kind: outlet.KindOwn, RegionCode: "440305", Address: "南山区科苑路 8 号", Phone: "0755-86001234", Coverage: []string{"440305"}, CategoryIDs: []uint64{cat.ID}, DailyCapacity: 20},
		{Code: "SZ-FT", Name: "深圳福田服务网点", Kind: outlet.KindOwn, RegionCode: "440304", Address: "福田区深南大道 1 号", Phone: "0755-83001234", Coverage: []string{"440300"}, CategoryIDs: []uint64{cat.ID}, DailyCapacity: 20},
	} {
		got, err := h.app.Outlets.Create(ctx, o)
		if err != nil {
			t.Fatal("outlet:", err, apperr.As(err).Fields)
		}
		if got.ID != uint64(i+1) {
			t.Fatalf("outlet %s has id %d; the test needs outlet 1 to be the demo outlet users' outlet", o.Code, got.ID)
		}
	}
	one := uint64(1)
	// The demo technician's login is this staff member (a technician acts
	// only on work assigned to their staff record).
	login, err := h.app.Auth.FindByUsername(ctx, "technician")
	if err != nil {
		t.Fatal(err)
	}
	tech, err := h.app.Outlets.CreateStaff(ctx, outlet.NewStaff{Name: "张伟", OutletID: &one, Post: outlet.PostTechnician, Phone: "13900139000", UserID: &login.ID})
	if err != nil {
		t.Fatal("staff:", err, apperr.As(err).Fields)
	}
	w.technicianID = tech.ID
	return w
}

func num(t *testing.T, v any) uint64 {
	t.Helper()
	f, ok := v.(float64)
	if !ok {
		t.Fatalf("not a number: %v", v)
	}
	return uint64(f)
}

func clocksByTarget(t *testing.T, body map[string]any) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	list, _ := body["clocks"].([]any)
	for _, c := range list {
		m := c.(map[string]any)
		out[m["target"].(string)] = m
	}
	if len(out) != 5 {
		t.Fatalf("want every clock on the ticket, got %v", body["clocks"])
	}
	return out
}

// TestAgentTakesACall walks the hotline's day through the API: the caller
// is found by phone, a ticket is opened (once, despite a double submit),
// dispatched to outlet 1, accepted by its manager, a technician is
// assigned and visits, the work is completed and the ticket closed, with
// every SLA clock visible on the ticket.
func TestAgentTakesACall(t *testing.T) {
	h := newHarness(t)
	w := buildWorld(t, h)
	agent, om, tech := h.login("agent"), h.login("outlet_manager"), h.login("technician")

	r := h.expect(200, "GET", "/api/v1/customers?phone="+w.phone, agent, nil)
	pop := r.JSON(t)
	if open, ok := pop["open_tickets"].([]any); !ok || len(open) != 0 {
		t.Fatalf("open_tickets %v", pop["open_tickets"])
	}
	customerID := num(t, pop["customer"].(map[string]any)["id"])

	body := map[string]any{"channel": "phone", "type": "repair", "priority": "normal", "customer_id": customerID, "unit_id": w.unitID,
		"fault_code": "E1", "description": "空调不制冷，室外机不转"}
	r = h.expect(201, "POST", "/api/v1/tickets", agent, body, "Idempotency-Key", "call-0001")
	tk := r.JSON(t)
	id := num(t, tk["id"])
	if tk["region_code"] != "440305" || tk["category_id"] == nil || tk["status"] != "new" {
		t.Fatalf("ticket did not take the customer's region and the unit's category: %s", r.Body)
	}
	clocks := clocksByTarget(t, tk)
	if clocks["first_response"]["state"] != "met" || clocks["resolution"]["state"] != "running" || clocks["resolution"]["due_at"] == nil {
		t.Fatalf("clocks at creation %v", clocks)
	}
	// A double submit with the same key answers the original, not a second ticket.
	r = h.do("POST", "/api/v1/tickets", agent, body, "Idempotency-Key", "call-0001")
	if r.Status != 200 || num(t, r.JSON(t)["id"]) != id {
		t.Fatalf("idempotent repeat %d %s", r.Status, r.Body)
	}
	r = h.do("GET", "/api/v1/customers?phone="+w.phone, agent, nil)
	if open := r.JSON(t)["open_tickets"].([]any); len(open) != 1 || num(t, open[0].(map[string]any)["id"]) != id {
		t.Fatalf("screen-pop open tickets %v", open)
	}

	// Dispatch: outlet 1 covers the district, so it gets the offer.
	r = h.expect(201, "POST", fmt.Sprintf("/api/v1/tickets/%d/dispatch", id), agent, map[string]any{"kind": "repair"})
	wo := r.JSON(t)
	woID := num(t, wo["id"])
	if num(t, wo["outlet_id"]) != 1 || wo["status"] != "offered" || wo["distance_band"] != "city" {
		t.Fatalf("offer %s", r.Body)
	}
	r = h.do("GET", "/api/v1/outlets/1/board", om, nil)
	if r.Status != 200 || len(r.JSON(t)["offers_waiting"].([]any)) != 1 {
		t.Fatalf("board %d %s", r.Status, r.Body)
	}
	if r = h.do("GET", "/api/v1/outlets/2/board", om, nil); r.Status != 404 {
		t.Fatalf("another outlet's board: %d", r.Status)
	}
	if r = h.do("POST", fmt.Sprintf("/api/v1/work-orders/%d/accept", woID), tech, nil); r.Status != 403 {
		t.Fatalf("technician accepting: %d %s", r.Status, r.Body)
	}
	r = h.do("POST", fmt.Sprintf("/api/v1/work-orders/%d/accept", woID), om, map[string]any{"version": wo["version"]})
	if r.Status != 200 || r.JSON(t)["status"] != "accepted" {
		t.Fatalf("accept %d %s", r.Status, r.Body)
	}
	steps := []struct {
		who, step string
		body      any
		status    string
	}{
		{om, "assign", map[string]any{"technician_staff_id": w.technicianID}, "assigned"},
		{om, "appointment", map[string]any{"at": time.Now().Add(2 * time.Hour).Format(time.RFC3339)}, "scheduled"},
		{tech, "contact", map[string]any{"note": "已电话联系客户"}, "scheduled"},
		{tech, "check-in", nil, "on_site"},
		{tech, "complete", map[string]any{"result": "done", "notes": "更换启动电容"}, "completed"},
		{tech, "sign-off", map[string]any{"signed_by": "王建国"}, "signed_off"},
	}
	for _, s := range steps {
		r = h.do("POST", fmt.Sprintf("/api/v1/work-orders/%d/%s", woID, s.step), s.who, s.body)
		if r.Status != 200 || r.JSON(t)["status"] != s.status {
			t.Fatalf("%s: %d %s", s.step, r.Status, r.Body)
		}
	}
	// An illegal step is a 409 naming what is allowed.
	r = h.do("POST", fmt.Sprintf("/api/v1/work-orders/%d/check-in", woID), tech, nil)
	if r.Status != 409 || r.errCode(t) != "invalid_transition" {
		t.Fatalf("check-in after sign-off: %d %s", r.Status, r.Body)
	}

	r = h.do("GET", fmt.Sprintf("/api/v1/tickets/%d", id), agent, nil)
	tk = r.JSON(t)
	if tk["status"] != "resolved" || num(t, tk["outlet_id"]) != 1 {
		t.Fatalf("ticket after the visit %s", r.Body)
	}
	clocks = clocksByTarget(t, tk)
	for _, target := range []string{"first_response", "outlet_accept", "customer_contact", "onsite_arrival", "resolution"} {
		c := clocks[target]
		if c["state"] != "met" || c["met_at"] == nil || c["due_at"] == nil || c["breached"] != false {
			t.Errorf("clock %s: %v", target, c)
		}
	}
	r = h.do("POST", fmt.Sprintf("/api/v1/tickets/%d/transition", id), agent, map[string]any{"status": "closed"}, "If-Match", r.Header.Get("ETag"))
	if r.Status != 200 || r.JSON(t)["status"] != "closed" || r.JSON(t)["sla_frozen"] != true {
		t.Fatalf("close %d %s", r.Status, r.Body)
	}
	// closed → waiting_parts is illegal: 409 with the allowed statuses.
	r = h.do("POST", fmt.Sprintf("/api/v1/tickets/%d/transition", id), agent, map[string]any{"status": "waiting_parts"})
	if r.Status != 409 || r.errCode(t) != "invalid_transition" {
		t.Fatalf("illegal transition %d %s", r.Status, r.Body)
	}
	details := r.JSON(t)["error"].(map[string]any)["details"].(map[string]any)
	if allowed := details["allowed"].([]any); len(allowed) != 1 || allowed[0] != "in_progress" {
		t.Fatalf("allowed %v", allowed)
	}
	// The unit's passport shows the ticket and the work order.
	r = h.do("GET", "/api/v1/units/AC2026000001", agent, nil)
	if r.Status == 200 && !bytes.Contains(r.Body, []byte("ticket:"+strconv.FormatUint(id, 10))) {
		t.Errorf("passport lacks the ticket: %s", r.Body)
	}
	// The scorecard counts the visit.
	r = h.do("GET", "/api/v1/outlets/1/scorecard", om, nil)
	if sc := r.JSON(t); r.Status != 200 || sc["accepted"].(float64) != 1 || sc["completed"].(float64) != 1 {
		t.Fatalf("scorecard %d %s", r.Status, r.Body)
	}
}

// TestOfferMovesOnWhenRejectedOrTimedOut: outlet 1 rejects one offer and
// lets another expire; outlet 2 receives both.
func TestOfferMovesOnWhenRejectedOrTimedOut(t *testing.T) {
	h := newHarness(t)
	w := buildWorld(t, h)
	agent, om, admin := h.login("agent"), h.login("outlet_manager"), h.login("admin")
	open := func() uint64 {
		r := h.do("POST", "/api/v1/tickets", agent, map[string]any{"channel": "web", "type": "repair", "customer_id": w.customerID,
			"unit_id": w.unitID, "description": "遥控失灵"})
		if r.Status != 201 {
			t.Fatalf("create %d %s", r.Status, r.Body)
		}
		id := num(t, r.JSON(t)["id"])
		r = h.do("POST", fmt.Sprintf("/api/v1/tickets/%d/dispatch", id), agent, map[string]any{"kind": "repair"})
		if r.Status != 201 || num(t, r.JSON(t)["outlet_id"]) != 1 {
			t.Fatalf("dispatch %d %s", r.Status, r.Body)
		}
		return num(t, r.JSON(t)["id"])
	}
	rejected := open()
	if r := h.do("POST", fmt.Sprintf("/api/v1/work-orders/%d/reject", rejected), om, map[string]any{}); r.Status != 422 {
		t.Fatalf("reject without reason %d", r.Status)
	}
	h.expect(200, "POST", fmt.Sprintf("/api/v1/work-orders/%d/reject", rejected), om, map[string]any{"reason": "本周技师满负荷"})
	r := h.do("GET", fmt.Sprintf("/api/v1/work-orders/%d", rejected), admin, nil)
	if num(t, r.JSON(t)["outlet_id"]) != 2 {
		t.Fatalf("after rejection: %s", r.Body)
	}
	// Outlet 1 no longer sees the work order it rejected: 404, not 403.
	if r = h.do("GET", fmt.Sprintf("/api/v1/work-orders/%d", rejected), om, nil); r.Status != 404 {
		t.Fatalf("outlet manager asking for another outlet's work order: %d", r.Status)
	}
	expired := open()
	// The timeout job, run as of just after both pending offers lapse (30
	// working minutes of the ticket's calendar after they were made: at
	// night that is the next morning).
	var asOf time.Time
	for _, id := range []uint64{rejected, expired} {
		r := h.do("GET", fmt.Sprintf("/api/v1/work-orders/%d", id), admin, nil)
		exp, err := time.Parse(time.RFC3339Nano, r.JSON(t)["offer_expires_at"].(string))
		if err != nil {
			t.Fatal(err)
		}
		if exp.After(asOf) {
			asOf = exp
		}
	}
	if n, _ := h.app.WorkOrders.ExpireOffersAsOf(context.Background(), asOf.Add(-time.Minute)); n != 0 {
		t.Fatalf("expired %d offers before their time", n)
	}
	n, err := h.app.WorkOrders.ExpireOffersAsOf(context.Background(), asOf.Add(time.Second))
	if err != nil || n != 2 {
		t.Fatalf("expired %d %v", n, err)
	}
	r = h.do("GET", fmt.Sprintf("/api/v1/work-orders/%d", expired), admin, nil)
	wo := r.JSON(t)
	offers := wo["offers"].([]any)
	if num(t, wo["outlet_id"]) != 2 || len(offers) != 2 || offers[0].(map[string]any)["response"] != "timeout" {
		t.Fatalf("after timeout: %s", r.Body)
	}
	// The first one was offered to 1 (rejected) and 2 (timed out): nobody is left.
	r = h.do("GET", fmt.Sprintf("/api/v1/work-orders/%d", rejected), admin, nil)
	if r.JSON(t)["status"] != "unassigned" {
		t.Fatalf("want unassigned: %s", r.Body)
	}
	r = h.do("GET", "/api/v1/work-orders?status=offered", om, nil)
	if items := r.JSON(t)["items"].([]any); r.Status != 200 || len(items) != 0 {
		t.Fatalf("outlet 1's offers: %s", r.Body)
	}
}

// TestTicketEditsConflictMergeAndExport: concurrent edits (one wins),
// merge keeping history, export with one row per ticket.
func TestTicketEditsConflictMergeAndExport(t *testing.T) {
	h := newHarness(t)
	w := buildWorld(t, h)
	agent := h.login("agent")
	create := func(desc string) map[string]any {
		r := h.do("POST", "/api/v1/tickets", agent, map[string]any{"channel": "wechat", "type": "consultation", "customer_id": w.customerID, "description": desc})
		if r.Status != 201 {
			t.Fatalf("create %d %s", r.Status, r.Body)
		}
		return r.JSON(t)
	}
	a := create("咨询保修期")
	id := num(t, a["id"])
	version := a["version"]
	if r := h.do("PATCH", fmt.Sprintf("/api/v1/tickets/%d", id), agent, map[string]any{"priority": "high"}); r.Status != 422 {
		t.Fatalf("patch without version: %d", r.Status)
	}
	h.noopPatch(t, fmt.Sprintf("/api/v1/tickets/%d", id), agent, map[string]any{"priority": a["priority"], "description": a["description"]}, version)
	h.noopPatch(t, fmt.Sprintf("/api/v1/tickets/%d", id), agent, map[string]any{}, version)
	var wg sync.WaitGroup
	statuses := make(chan int, 6)
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := h.do("PATCH", fmt.Sprintf("/api/v1/tickets/%d", id), agent, map[string]any{"description": fmt.Sprintf("改 %d", i), "version": version})
			statuses <- r.Status
		}()
	}
	wg.Wait()
	close(statuses)
	var got []int
	for s := range statuses {
		got = append(got, s)
	}
	slices.Sort(got)
	if !slices.Equal(got, []int{200, 409, 409, 409, 409, 409}) {
		t.Fatalf("concurrent PATCHes: %v", got)
	}

	dup := create("重复来电：咨询保修期")
	dupID := num(t, dup["id"])
	if r := h.do("POST", fmt.Sprintf("/api/v1/tickets/%d/events", dupID), agent, map[string]any{"kind": "call", "body": "客户再次来电"}); r.Status != 201 {
		t.Fatalf("event %d %s", r.Status, r.Body)
	}
	if r := h.do("POST", fmt.Sprintf("/api/v1/tickets/%d/merge", id), agent, map[string]any{"source_id": dupID, "reason": "重复"}); r.Status != 200 {
		t.Fatalf("merge %d %s", r.Status, r.Body)
	}
	r := h.do("GET", fmt.Sprintf("/api/v1/tickets/%d/events", id), agent, nil)
	found := false
	for _, e := range r.JSON(t)["items"].([]any) {
		m := e.(map[string]any)
		found = found || (num(t, m["ticket_id"]) == dupID && m["kind"] == "call")
	}
	if !found {
		t.Fatalf("merged history missing: %s", r.Body)
	}
	r = h.do("GET", fmt.Sprintf("/api/v1/tickets/%d", dupID), agent, nil)
	if m := r.JSON(t); m["status"] != "closed" || num(t, m["merged_into_id"]) != id {
		t.Fatalf("source after merge: %s", r.Body)
	}

	h.expect(200, "GET", "/api/v1/tickets?status=new,assigned&sort=-priority&size=1", agent, nil)
	if r = h.do("GET", "/api/v1/tickets?status=nope", agent, nil); r.Status != 422 {
		t.Fatalf("bad filter %d", r.Status)
	}
	r = h.do("GET", "/api/v1/tickets/export", agent, nil)
	if r.Status != 200 || r.Header.Get("X-Export-Rows") != "2" {
		t.Fatalf("export %d %v", r.Status, r.Header)
	}
	book, err := excelize.OpenReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := book.GetRows("工单")
	if len(rows) != 3 {
		t.Fatalf("want header + 2 tickets, got %d rows", len(rows))
	}
	if r = h.do("GET", "/api/v1/tickets/export", h.login("auditor"), nil); r.Status != http.StatusForbidden {
		t.Fatalf("auditor export %d", r.Status)
	}
}

// The ticket timeline's cursor starts at 0 (the UI's first request sends
// ?after=0); a refused 0 broke the live timeline.
func TestTicketEventsCursorStartsAtZero(t *testing.T) {
	h := newHarness(t)
	tok := h.login("agent")
	if r := h.do("GET", "/api/v1/tickets/1/events?after=0", tok, nil); r.Status == 422 || r.Status == 400 {
		t.Fatalf("after=0 refused: %d %s", r.Status, r.Body)
	}
	if r := h.do("GET", "/api/v1/tickets/1/events?after=-1", tok, nil); r.Status != 400 || r.errCode(t) != "invalid_parameter" {
		t.Fatalf("after=-1: want 400 invalid_parameter, got %d %s", r.Status, r.Body)
	}
}
