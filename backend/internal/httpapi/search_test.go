package httpapi_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/customer"
	"github.com/aftersales/aftersales/backend/internal/privacy"
)

// The one search, ticket numbers in ticket routes and the ticket list's
// number and q filters, on both databases.
func TestSearchFindsEachKindWithinScope(t *testing.T) {
	onBothDatabases(t, searchFindsEachKind)
}

type searchResult struct {
	groups []map[string]any
}

func (h *harness) search(t *testing.T, token, q string) searchResult {
	t.Helper()
	r := h.expect(200, "GET", "/api/v1/search?q="+url.QueryEscape(q), token, nil)
	var out searchResult
	for _, g := range r.JSON(t)["groups"].([]any) {
		out.groups = append(out.groups, g.(map[string]any))
	}
	return out
}

// hits returns "kind:title:match" of every hit, groups in order.
func (s searchResult) hits() []string {
	var out []string
	for _, g := range s.groups {
		for _, h := range g["hits"].([]any) {
			m := h.(map[string]any)
			out = append(out, fmt.Sprintf("%s:%s:%s", m["kind"], m["title"], m["match"]))
		}
	}
	return out
}

func (s searchResult) first() string {
	if h := s.hits(); len(h) > 0 {
		return h[0]
	}
	return ""
}

func (s searchResult) has(hit string) bool {
	for _, h := range s.hits() {
		if h == hit {
			return true
		}
	}
	return false
}

func searchFindsEachKind(t *testing.T, h *harness) {
	w := buildWorld(t, h)
	agent, om, quality := h.login("agent"), h.login("outlet_manager"), h.login("quality")
	omB := h.addUser("search_mgr_b", "outlet_manager", 2)
	ctx := actor.With(context.Background(), actor.Actor{UserID: 1, Username: "admin", Roles: []string{"admin"}})
	li, err := h.app.Customers.Create(ctx, customer.NewCustomer{Name: "李伟", Phones: []customer.NewPhone{{Number: "13912341234"}},
		Addresses: []customer.NewAddress{{RegionCode: "440305", Detail: "科技园路 9 号"}}})
	if err != nil {
		t.Fatal(err)
	}
	woID, v := jobFor(t, h, w, agent)
	wo := h.do("GET", fmt.Sprintf("/api/v1/work-orders/%d", woID), agent, nil).JSON(t)
	tk := h.do("GET", fmt.Sprintf("/api/v1/tickets/%d", num(t, wo["ticket_id"])), agent, nil).JSON(t)
	number, woNumber := tk["number"].(string), wo["number"].(string)
	tail := number[len(number)-6:]
	r := h.expect(201, "POST", "/api/v1/complaints", agent, map[string]any{"source": "hotline", "customer_id": w.customerID, "category": "delay", "title": "上门迟到"})
	cpNumber := r.JSON(t)["number"].(string)

	for _, c := range []struct{ q, want string }{
		{number, "ticket:" + number + ":number"},
		{strings.ToLower(number), "ticket:" + number + ":number"},
		{tail, "ticket:" + number + ":number_tail"},
		{woNumber, "work_order:" + woNumber + ":number"},
		{cpNumber, "complaint:" + cpNumber + ":number"},
		{"13800138000", "customer:王建国:phone"},
		{"8000", "customer:王建国:phone_tail"},
		{"王 8000", "customer:王建国:phone_tail+name"},
		{"王建国", "customer:王建国:name"},
		{"伟", "customer:李伟:name"},
		{"建国", "customer:王建国:name"},
		{"科技园", "customer:李伟:address"},
		{"AC2026000001", "unit:AC2026000001:serial"},
		{"ac2026", "unit:AC2026000001:serial_prefix"},
	} {
		if got := h.search(t, agent, c.q); got.first() != c.want {
			t.Errorf("search %q: first hit %q, want %q (all: %v)", c.q, got.first(), c.want, got.hits())
		}
	}
	if got := h.search(t, agent, cpNumber[len(cpNumber)-6:]); !got.has("complaint:" + cpNumber + ":number_tail") {
		t.Errorf("complaint by last digits: %v", got.hits())
	}
	// An address fragment finds both customers who live there; a name
	// with a phone tail only the one matching both.
	if got := h.search(t, agent, "科技园"); !got.has("customer:王建国:address") || !got.has("customer:李伟:address") {
		t.Errorf("科技园: %v", got.hits())
	}
	// Every customer shown is written to the PIPL access log (one row
	// each, written together); none for a search that shows nobody.
	var before, after int64
	h.app.DB.Model(&privacy.Access{}).Count(&before)
	shown := h.search(t, agent, "科技园").hits()
	h.app.DB.Model(&privacy.Access{}).Count(&after)
	var logged []privacy.Access
	h.app.DB.Order("id DESC").Limit(int(after - before)).Find(&logged)
	if after-before != 2 || len(shown) != 2 || len(logged) != 2 || logged[0].Purpose != privacy.PurposeCustomerRecord || logged[0].Fields == "" {
		t.Errorf("科技园 showed %v and logged %d: %+v", shown, after-before, logged)
	}
	h.app.DB.Model(&privacy.Access{}).Count(&before)
	if got := h.search(t, agent, "李 8000"); len(got.hits()) != 0 {
		t.Errorf("李 8000 matches nobody: %v", got.hits())
	}
	if h.app.DB.Model(&privacy.Access{}).Count(&after); after != before {
		t.Errorf("a search that shows nobody logged %d reads", after-before)
	}
	// Ranking: the whole name before a name containing it.
	if _, err := h.app.Customers.Create(ctx, customer.NewCustomer{Name: "王建国强", Phones: []customer.NewPhone{{Number: "13700001111"}}}); err != nil {
		t.Fatal(err)
	}
	if got := h.search(t, agent, "王建国").hits(); len(got) < 2 || got[0] != "customer:王建国:name" || got[1] != "customer:王建国强:name" {
		t.Errorf("王建国 ranking: %v", got)
	}
	// Phones are shown as GET /customers shows them: masked for quality.
	r = h.do("GET", "/api/v1/search?q=13800138000", quality, nil)
	if !strings.Contains(string(r.Body), "138****8000") || strings.Contains(string(r.Body), `"number":"13800138000"`) {
		t.Errorf("quality sees %s", r.Body)
	}

	// Scope: outlet B's manager finds neither outlet A's ticket nor its
	// customer; outlet A's manager finds the ticket, and the customer once
	// the job is accepted.
	for _, q := range []string{number, tail, "王建国", "8000", woNumber} {
		if got := h.search(t, omB, q); len(got.hits()) != 0 {
			t.Errorf("outlet B searching %q: %v", q, got.hits())
		}
	}
	if got := h.search(t, om, "王建国"); len(got.hits()) != 0 {
		t.Errorf("outlet A before accepting sees the customer: %v", got.hits())
	}
	if r := h.do("POST", fmt.Sprintf("/api/v1/work-orders/%d/accept", woID), om, map[string]any{"version": v}); r.Status != 200 {
		t.Fatalf("accept %d %s", r.Status, r.Body)
	}
	if got := h.search(t, om, number); got.first() != "ticket:"+number+":number" {
		t.Errorf("outlet A searching its ticket: %v", got.hits())
	}
	if got := h.search(t, om, "王建国"); got.first() != "customer:王建国:name" || got.has("customer:李伟:name") {
		t.Errorf("outlet A searching its job's customer: %v", got.hits())
	}
	var last privacy.Access
	h.app.DB.Order("id DESC").Take(&last)
	if last.Purpose != privacy.PurposeWorkOrder || last.WorkOrderID == nil || *last.WorkOrderID != woID {
		t.Errorf("outlet A's search is logged as %+v, want purpose %s through work order %d", last, privacy.PurposeWorkOrder, woID)
	}
	if got := h.search(t, om, "伟"); len(got.hits()) != 0 {
		t.Errorf("outlet A sees a customer without a job: %v", got.hits())
	}

	// GET /tickets/{number}.
	if r := h.do("GET", "/api/v1/tickets/"+number, agent, nil); r.Status != 200 || num(t, r.JSON(t)["id"]) != num(t, tk["id"]) {
		t.Errorf("ticket by number: %d %s", r.Status, r.Body)
	}
	if r := h.do("GET", "/api/v1/tickets/"+number+"/events", agent, nil); r.Status != 200 {
		t.Errorf("ticket events by number: %d %s", r.Status, r.Body)
	}
	if r := h.do("GET", "/api/v1/tickets/"+number, omB, nil); r.Status != 404 {
		t.Errorf("outlet B reads outlet A's ticket by number: %d", r.Status)
	}
	if r := h.do("GET", "/api/v1/tickets/T19990101-000001", agent, nil); r.Status != 404 {
		t.Errorf("unknown number: %d", r.Status)
	}

	// GET /tickets?number= and ?q=.
	count := func(token, query string) int {
		t.Helper()
		r := h.do("GET", "/api/v1/tickets?"+query, token, nil)
		if r.Status != 200 {
			t.Fatalf("tickets?%s: %d %s", query, r.Status, r.Body)
		}
		return len(r.JSON(t)["items"].([]any))
	}
	for _, c := range []struct {
		token, query string
		want         int
	}{
		{agent, "number=" + number, 1},
		{agent, "number=" + tail, 1},
		{agent, "number=T19990101-000001", 0},
		{agent, "q=" + url.QueryEscape(number), 1},
		{agent, "q=" + url.QueryEscape("王建国"), 1},
		{agent, "q=" + url.QueryEscape("王 8000"), 1},
		{agent, "q=" + url.QueryEscape("李伟"), 0},
		{omB, "number=" + number, 0},
	} {
		if got := count(c.token, c.query); got != c.want {
			t.Errorf("tickets?%s: %d items, want %d", c.query, got, c.want)
		}
	}
	if r := h.do("GET", "/api/v1/tickets?number=abc", agent, nil); r.Status != 422 {
		t.Errorf("number=abc: %d %s", r.Status, r.Body)
	}

	// GET /customers?q= finds fragments; a renamed customer is found by
	// the new name only (the index follows the edit).
	names := func(q string) []string {
		t.Helper()
		r := h.do("GET", "/api/v1/customers?q="+url.QueryEscape(q), agent, nil)
		if r.Status != 200 {
			t.Fatalf("customers?q=%s: %d %s", q, r.Status, r.Body)
		}
		var out []string
		for _, it := range r.JSON(t)["items"].([]any) {
			out = append(out, it.(map[string]any)["customer"].(map[string]any)["name"].(string))
		}
		return out
	}
	if got := names("伟"); len(got) != 1 || got[0] != "李伟" {
		t.Errorf("customers?q=伟: %v", got)
	}
	if got := names("科技园"); len(got) != 2 {
		t.Errorf("customers?q=科技园: %v", got)
	}
	r = h.expect(200, "PATCH", fmt.Sprintf("/api/v1/customers/%d", li.Customer.ID), agent, map[string]any{"version": 1, "name": "李晓明"})
	if got := names("伟"); len(got) != 0 {
		t.Errorf("old name still found: %v", got)
	}
	if got := names("晓明"); len(got) != 1 {
		t.Errorf("new name not found: %v", got)
	}
	r = h.expect(201, "POST", fmt.Sprintf("/api/v1/customers/%d/addresses", li.Customer.ID), agent, map[string]any{"region_code": "440305", "detail": "蛇口渔港 3 号"})
	if got := names("渔港"); len(got) != 1 {
		t.Errorf("new address not found: %v", got)
	}
	// q is required and bounded.
	if r := h.do("GET", "/api/v1/search", agent, nil); r.Status != 400 {
		t.Errorf("no q: %d", r.Status)
	}
}

// Every route refuses a query parameter its handler does not read, naming
// it; the list filters it does read still work.
func TestUnknownQueryParametersAreRefused(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin")
	for _, rt := range h.app.HTTP.Routes() {
		if rt.Method != "GET" {
			continue
		}
		path := pathParam.ReplaceAllString(rt.Path, "1")
		r := h.do("GET", path+"?zz_unknown=1&size=1", admin, nil)
		if r.Status != 400 || r.errCode(t) != "unknown_query_parameter" || !strings.Contains(string(r.Body), `"zz_unknown"`) {
			t.Errorf("GET %s?zz_unknown=1: %d %s", rt.Path, r.Status, r.Body)
		}
	}
	if r := h.do("GET", "/api/v1/tickets?status=new&numbr=T1", admin, nil); r.Status != 400 || r.errCode(t) != "unknown_query_parameter" {
		t.Errorf("misspelt filter: %d %s", r.Status, r.Body)
	}
	if r := h.do("GET", "/api/v1/tickets?status=new&size=5", admin, nil); r.Status != 200 {
		t.Errorf("known filters: %d %s", r.Status, r.Body)
	}
}
