package httpapi_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aftersales/aftersales/backend/internal/httpapi"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

// scopeCase says how a route with a path parameter is checked for data
// scope: record names the outlet-A record whose id goes into the path (the
// caller, of outlet B, must get 404), or exempt says why the route holds no
// outlet-scoped record. listOwnOnly: the route is a list scoped to the
// caller's outlet (outlet B gets 200 with no items).
type scopeCase struct {
	record      string
	exempt      string
	listOwnOnly bool
	// body is a valid request body (so the answer is about scope, not
	// about validation); version 1 is added.
	body map[string]any
}

// scopeCases covers every route with a path parameter that an outlet role
// (outlet manager, technician) may call. A new such route fails
// TestOutletScopeWalksTheRouteTable until it has a case here, just as a new
// permission fails TestRouteTablePermissions until it has its expectations.
var scopeCases = map[string]scopeCase{
	"GET /api/v1/units/:serial":                                        {exempt: "a unit's passport is not an outlet's record; its owner follows the customer rule (TestOutletSeesTheCustomerThroughItsJob)"},
	"GET /api/v1/outlets/:id":                                          {record: "outlet"},
	"GET /api/v1/staff/:id":                                            {record: "staff"},
	"GET /api/v1/tickets/:id":                                          {record: "ticket"},
	"GET /api/v1/tickets/:id/events":                                   {record: "ticket"},
	"GET /api/v1/work-orders/:id":                                      {record: "work_order"},
	"GET /api/v1/work-orders/:id/contact":                              {record: "work_order"},
	"POST /api/v1/work-orders/:id/accept":                              {record: "work_order"},
	"POST /api/v1/work-orders/:id/reject":                              {record: "work_order", body: map[string]any{"reason": "忙"}},
	"POST /api/v1/work-orders/:id/assign":                              {record: "work_order", body: map[string]any{"technician_staff_id": 1}},
	"POST /api/v1/work-orders/:id/appointment":                         {record: "work_order", body: map[string]any{"at": time.Now().Add(24 * time.Hour).Format(time.RFC3339)}},
	"POST /api/v1/work-orders/:id/contact":                             {record: "work_order"},
	"POST /api/v1/work-orders/:id/check-in":                            {record: "work_order"},
	"POST /api/v1/work-orders/:id/on-the-way":                          {record: "work_order"},
	"POST /api/v1/work-orders/:id/complete":                            {record: "work_order", body: map[string]any{"result": "done"}},
	"POST /api/v1/work-orders/:id/sign-off":                            {record: "work_order"},
	"GET /api/v1/outlets/:id/board":                                    {record: "outlet"},
	"GET /api/v1/outlets/:id/scorecard":                                {record: "outlet"},
	"GET /api/v1/sla/calendars/:id":                                    {exempt: "business calendars are enterprise configuration"},
	"GET /api/v1/sla/policies/:id":                                     {exempt: "SLA policies are enterprise configuration"},
	"GET /api/v1/repairs/:id":                                          {record: "repair"},
	"POST /api/v1/repairs/:id/diagnose":                                {record: "repair", body: map[string]any{"diagnosis": "d", "fault_code": "E1"}},
	"POST /api/v1/repairs/:id/quote":                                   {record: "repair", body: map[string]any{"lines": []any{map[string]any{"kind": "labour", "code": "L0", "qty": 1}}}},
	"POST /api/v1/repairs/:id/quote/approve":                           {record: "repair", body: map[string]any{"approved_by": "王", "channel": "phone"}},
	"POST /api/v1/repairs/:id/quote/decline":                           {record: "repair", body: map[string]any{"reason": "贵"}},
	"POST /api/v1/repairs/:id/start":                                   {record: "repair"},
	"POST /api/v1/repairs/:id/parts":                                   {record: "repair", body: map[string]any{"part_id": 1, "qty": 1}},
	"POST /api/v1/repairs/:id/parts/:line_id/old-part-returned":        {record: "repair"},
	"DELETE /api/v1/repairs/:id/parts/:line_id":                        {record: "repair"},
	"POST /api/v1/repairs/:id/complete":                                {record: "repair", body: map[string]any{"result": "fixed"}},
	"POST /api/v1/repairs/:id/cancel":                                  {record: "repair", body: map[string]any{"reason": "取消"}},
	"GET /api/v1/parts/:id":                                            {exempt: "the spare-parts catalogue is enterprise-wide"},
	"GET /api/v1/requisitions/:id":                                     {record: "requisition"},
	"POST /api/v1/requisitions/:id/receive":                            {record: "requisition"},
	"POST /api/v1/requisitions/:id/cancel":                             {record: "requisition", body: map[string]any{"reason": "取消"}},
	"GET /api/v1/returns/:id":                                          {record: "return"},
	"GET /api/v1/recalls/:id":                                          {exempt: "a recall campaign concerns every outlet; its units are scoped (recall-units)"},
	"GET /api/v1/recalls/:id/selectors":                                {exempt: "how a campaign's affected set is defined holds no outlet record"},
	"GET /api/v1/recalls/:id/units":                                    {record: "recall", listOwnOnly: true},
	"GET /api/v1/recalls/:id/progress":                                 {exempt: "campaign totals by week, no unit or owner"},
	"GET /api/v1/recall-units/:id":                                     {record: "recall_unit"},
	"POST /api/v1/recall-units/:id/remedy":                             {record: "recall_unit"},
	"GET /api/v1/tickets/:id/attachments":                              {record: "ticket"},
	"POST /api/v1/tickets/:id/attachments":                             {record: "ticket"},
	"GET /api/v1/tickets/:id/attachments/:attachment_id/file":          {record: "ticket"},
	"GET /api/v1/tickets/:id/attachments/:attachment_id/thumbnail":     {record: "ticket"},
	"DELETE /api/v1/tickets/:id/attachments/:attachment_id":            {record: "ticket"},
	"GET /api/v1/work-orders/:id/attachments":                          {record: "work_order"},
	"POST /api/v1/work-orders/:id/attachments":                         {record: "work_order"},
	"GET /api/v1/work-orders/:id/attachments/:attachment_id/file":      {record: "work_order"},
	"GET /api/v1/work-orders/:id/attachments/:attachment_id/thumbnail": {record: "work_order"},
	"DELETE /api/v1/work-orders/:id/attachments/:attachment_id":        {record: "work_order"},
	"GET /api/v1/repairs/:id/attachments":                              {record: "repair"},
	"POST /api/v1/repairs/:id/attachments":                             {record: "repair"},
	"GET /api/v1/repairs/:id/attachments/:attachment_id/file":          {record: "repair"},
	"GET /api/v1/repairs/:id/attachments/:attachment_id/thumbnail":     {record: "repair"},
	"DELETE /api/v1/repairs/:id/attachments/:attachment_id":            {record: "repair"},
	"GET /api/v1/returns/:id/attachments":                              {record: "return"},
	"POST /api/v1/returns/:id/attachments":                             {record: "return"},
	"GET /api/v1/returns/:id/attachments/:attachment_id/file":          {record: "return"},
	"GET /api/v1/returns/:id/attachments/:attachment_id/thumbnail":     {record: "return"},
	"DELETE /api/v1/returns/:id/attachments/:attachment_id":            {record: "return"},
	"GET /api/v1/work-orders/:id/print":                                {record: "work_order"},
	"GET /api/v1/repairs/:id/print":                                    {record: "repair"},
	"GET /api/v1/returns/:id/print":                                    {record: "return"},
	"GET /api/v1/recall-units/:id/print":                               {record: "recall_unit"},
	"POST /api/v1/notifications/:id/read":                              {exempt: "a notification belongs to one user, whatever the outlet: another user's id is 404 (TestMyNotificationsThroughAPI)"},
}

// scopeWorld creates one record of each outlet-scoped kind at outlet 1
// (outlet A) and returns their ids by kind.
func scopeWorld(t *testing.T, h *harness) map[string]uint64 {
	t.Helper()
	w := buildWorld(t, h)
	agent, om, admin, quality := h.login("agent"), h.login("outlet_manager"), h.login("admin"), h.login("quality")
	ids := map[string]uint64{"outlet": 1, "staff": w.technicianID}
	must := func(r response, status int, what string) map[string]any {
		t.Helper()
		if r.Status != status {
			t.Fatalf("%s: %d %s", what, r.Status, r.Body)
		}
		return r.JSON(t)
	}
	woID, v := jobFor(t, h, w, agent)
	must(h.do("POST", fmt.Sprintf("/api/v1/work-orders/%d/accept", woID), om, map[string]any{"version": v}), 200, "accept")
	ids["work_order"] = woID
	ids["ticket"] = num(t, must(h.do("GET", fmt.Sprintf("/api/v1/work-orders/%d", woID), om, nil), 200, "work order")["ticket_id"])
	ids["repair"] = num(t, must(h.do("POST", "/api/v1/repairs", om, map[string]any{"serial": "AC2026000001", "complaint": "不制冷"}), 201, "repair")["id"])
	must(h.do("POST", "/api/v1/labour-rates", admin, map[string]any{"code": "L0", "name": "检测", "price_fen": 0}), 201, "labour rate")
	part := must(h.do("POST", "/api/v1/parts", admin, map[string]any{"code": "CAP-1", "name": "电容", "price_fen": 1200}), 201, "part")
	ids["requisition"] = num(t, must(h.do("POST", "/api/v1/requisitions", om, map[string]any{"lines": []any{map[string]any{"part_id": part["id"], "qty": 1}}}), 201, "requisition")["id"])
	ids["return"] = num(t, must(h.do("POST", "/api/v1/returns", agent, map[string]any{"kind": "exchange", "serial": "AC2026000001", "reason": "噪音大", "outlet_id": 1}), 201, "return")["id"])
	c := must(h.do("POST", "/api/v1/recalls", quality, map[string]any{"title": "电源板召回", "reason": "电容过热", "hazard_level": "high",
		"remedy": "repair", "start_date": time.Now().Format(time.DateOnly)}), 201, "campaign")
	cp := fmt.Sprintf("/api/v1/recalls/%d", num(t, c["id"]))
	ids["recall"] = num(t, c["id"])
	must(h.do("POST", cp+"/selectors", quality, map[string]any{"serial_from": "AC2026000001", "serial_to": "AC2026000001"}), 201, "selector")
	must(h.do("POST", cp+"/activate", quality, nil), 200, "activate")
	units := must(h.do("GET", cp+"/units", agent, nil), 200, "units")["items"].([]any)
	ru := num(t, units[0].(map[string]any)["id"])
	must(h.do("POST", fmt.Sprintf("/api/v1/recall-units/%d/appointment", ru), agent,
		map[string]any{"at": time.Now().Add(48 * time.Hour).Format(time.RFC3339), "outlet_id": 1}), 200, "book")
	ids["recall_unit"] = ru
	// An image attachment on each of outlet A's records (its id goes into
	// :attachment_id), so outlet B is refused a real attachment.
	for kind, seg := range map[string]string{"ticket": "tickets", "work_order": "work-orders", "repair": "repairs", "return": "returns"} {
		tok := om
		if kind == "ticket" || kind == "return" {
			tok = agent
		}
		r := h.uploadWith(fmt.Sprintf("/api/v1/%s/%d/attachments", seg, ids[kind]), tok, map[string]string{"kind": "fault_photo"}, "p.png", testutil.PNG(t, 8, 8))
		ids["attachment_"+kind] = num(t, must(r, 201, kind+" attachment")["id"])
		if r := h.do("GET", fmt.Sprintf("/api/v1/%s/%d/attachments/%d/thumbnail", seg, ids[kind], ids["attachment_"+kind]), om, nil); r.Status != 200 {
			t.Fatalf("outlet A reads its %s attachment: %d %s", kind, r.Status, r.Body)
		}
	}
	// Outlet A itself can reach every record (the ids are right).
	for _, p := range []string{"/api/v1/work-orders/%d", "/api/v1/repairs/%d", "/api/v1/requisitions/%d", "/api/v1/returns/%d", "/api/v1/recall-units/%d"} {
		kind := map[string]string{"work-orders": "work_order", "repairs": "repair", "requisitions": "requisition", "returns": "return", "recall-units": "recall_unit"}[strings.Split(p, "/")[3]]
		must(h.do("GET", fmt.Sprintf(p, ids[kind]), om, nil), 200, "outlet A reads its "+kind)
	}
	return ids
}

// TestOutletScopeWalksTheRouteTable: for every route with a path parameter
// that an outlet role may call, a user of outlet B asking for outlet A's
// record gets 404 (a scoped list: no items). A route without a case fails.
func TestOutletScopeWalksTheRouteTable(t *testing.T) {
	h := newHarness(t)
	ids := scopeWorld(t, h)
	callers := map[string]string{"outlet_manager": h.addUser("scope_b_manager", "outlet_manager", 2), "technician": h.addUser("scope_b_tech", "technician", 2)}
	checked := 0
	for _, rt := range h.app.HTTP.Routes() {
		if !strings.Contains(rt.Path, "/:") || rt.Permission == httpapi.Public {
			continue
		}
		key := rt.Method + " " + rt.Path
		var roles []string
		for _, role := range []string{"outlet_manager", "technician"} {
			ok := rt.Permission == httpapi.Authenticated
			if !ok {
				var err error
				if ok, err = h.app.RBAC.Allowed([]string{role}, rt.Permission); err != nil {
					t.Fatal(err)
				}
			}
			if ok {
				roles = append(roles, role)
			}
		}
		if len(roles) == 0 {
			continue // no outlet role may call it (TestRouteTablePermissions)
		}
		sc, ok := scopeCases[key]
		if !ok {
			t.Errorf("%s: an outlet role may call it and it has a path parameter, but no scope case in scopeCases", key)
			continue
		}
		if sc.exempt != "" {
			continue
		}
		id, ok := ids[sc.record]
		if !ok {
			t.Fatalf("%s: no %s record in the scope world", key, sc.record)
		}
		path := strings.Replace(rt.Path, ":id", fmt.Sprint(id), 1)
		path = strings.Replace(path, ":attachment_id", fmt.Sprint(ids["attachment_"+sc.record]), 1)
		path = pathParam.ReplaceAllString(path, "1")
		var body any
		if rt.Method != "GET" {
			b := map[string]any{"version": 1}
			for k, v := range sc.body {
				b[k] = v
			}
			body = b
		}
		checked++
		for _, caller := range roles {
			r := h.do(rt.Method, path, callers[caller], body)
			if sc.listOwnOnly {
				if r.Status != 200 || len(r.JSON(t)["items"].([]any)) != 0 {
					t.Errorf("%s as outlet B's %s: want 200 with no items, got %d %s", key, caller, r.Status, r.Body)
				}
				continue
			}
			if r.Status != 404 {
				t.Errorf("%s as outlet B's %s on outlet A's %s: want 404, got %d %s", key, caller, sc.record, r.Status, r.Body)
			}
		}
	}
	for key := range scopeCases {
		found := false
		for _, rt := range h.app.HTTP.Routes() {
			if rt.Method+" "+rt.Path == key {
				found = true
			}
		}
		if !found {
			t.Errorf("scope case for a route that no longer exists: %s", key)
		}
	}
	t.Logf("%d routes checked against another outlet's records", checked)
}
