package httpapi_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/aftersales/aftersales/backend/internal/auth"
	"github.com/aftersales/aftersales/backend/internal/httpapi"
	"github.com/aftersales/aftersales/backend/internal/rbac"
)

// roleUser maps each role to its demo login.
var roleUser = map[string]string{
	auth.RoleAdmin: "admin", auth.RoleHotlineAgent: "agent", auth.RoleOutletManager: "outlet_manager",
	auth.RoleTechnician: "technician", auth.RoleQualityManager: "quality", auth.RoleAuditor: "auditor",
}

// A and D spell out the expectation matrix below.
const (
	A = true
	D = false
)

// expectations is the allow/deny decision per permission for every role,
// in the order admin, hotline_agent, outlet_manager, technician,
// quality_manager, auditor. It is written by hand, not derived from the
// policy, so a policy change that widens access makes this test fail.
var expectations = map[string][6]bool{
	rbac.UserManage:          {A, D, D, D, D, D},
	rbac.AuditRead:           {A, D, D, D, A, A},
	rbac.TicketRead:          {A, A, A, D, A, A},
	rbac.TicketCreate:        {A, A, D, D, D, D},
	rbac.TicketUpdate:        {A, A, D, D, D, D},
	rbac.TicketExport:        {A, A, D, D, A, D},
	rbac.CustomerRead:        {A, A, D, D, A, A},
	rbac.CustomerUpdate:      {A, A, D, D, D, D},
	rbac.CustomerErase:       {A, D, D, D, D, D},
	rbac.ProductRead:         {A, A, A, A, A, A},
	rbac.ProductManage:       {A, D, D, D, D, D},
	rbac.OutletRead:          {A, A, A, D, A, A},
	rbac.OutletManage:        {A, D, D, D, D, D},
	rbac.WorkOrderRead:       {A, A, A, A, A, A},
	rbac.WorkOrderDispatch:   {A, A, D, D, D, D},
	rbac.WorkOrderRespond:    {A, D, A, A, D, D},
	rbac.SLAManage:           {A, D, D, D, D, D},
	rbac.ReadinessRead:       {A, D, D, D, A, A},
	rbac.ReadinessRun:        {A, D, D, D, A, D},
	rbac.ReadinessManage:     {A, D, D, D, A, D},
	rbac.EvidenceRead:        {A, D, D, D, A, A},
	rbac.EvidenceManage:      {A, D, D, D, A, D},
	rbac.CertificationRead:   {A, D, D, D, A, A},
	rbac.CertificationManage: {A, D, D, D, A, D},
	rbac.SurveyManage:        {A, D, D, D, A, D},
	rbac.SurveyRead:          {A, A, D, D, A, A},
	rbac.FollowupWork:        {A, A, D, D, A, D},
	rbac.FollowupSupervise:   {A, D, D, D, A, D},
	rbac.ConsistencyCheck:    {A, D, D, D, D, D},
	rbac.ComplaintRead:       {A, A, D, D, A, A},
	rbac.ComplaintManage:     {A, A, D, D, A, D},
	rbac.KPIRead:             {A, D, A, D, A, A},
	rbac.JobRead:             {A, D, D, D, A, D},
	rbac.RecallManage:        {A, D, D, D, A, D},
	rbac.MessageRead:         {A, A, D, D, A, D},
	rbac.MessageSend:         {A, A, D, D, A, D},
	rbac.MessageManage:       {A, D, D, D, D, D},
}

var roleOrder = []string{auth.RoleAdmin, auth.RoleHotlineAgent, auth.RoleOutletManager, auth.RoleTechnician, auth.RoleQualityManager, auth.RoleAuditor}

var pathParam = regexp.MustCompile(`:[a-zA-Z_]+`)

// TestRouteTablePermissions walks the route table: every route has an access
// level, every permission has an expectation for every role, and a real
// request by each role is refused (403) exactly when the matrix says deny.
func TestRouteTablePermissions(t *testing.T) {
	h := newHarness(t)
	routes := h.app.HTTP.Routes()
	seen := map[string]bool{}
	for _, rt := range routes {
		key := rt.Method + " " + rt.Path
		if seen[key] {
			t.Errorf("duplicate route %s", key)
		}
		seen[key] = true
		if rt.Permission == "" {
			t.Errorf("route %s has no permission", key)
			continue
		}
		if rt.Permission == httpapi.Public || rt.Permission == httpapi.Authenticated {
			continue
		}
		if _, ok := expectations[rt.Permission]; !ok {
			t.Errorf("route %s: permission %s has no allow/deny expectation per role", key, rt.Permission)
		}
	}
	// The seeded policy must agree with the matrix.
	for perm, exp := range expectations {
		for i, role := range roleOrder {
			ok, err := h.app.RBAC.Allowed([]string{role}, perm)
			if err != nil || ok != exp[i] {
				t.Errorf("policy: %s %s = %v (err %v), expected %v", role, perm, ok, err, exp[i])
			}
		}
	}
	for _, rt := range routes {
		if rt.Permission == httpapi.Public {
			continue
		}
		path := pathParam.ReplaceAllString(rt.Path, "999999999")
		body := any(nil)
		if rt.Method == "POST" || rt.Method == "PUT" || rt.Method == "PATCH" {
			body = "{}"
		}
		if r := h.do(rt.Method, path, "", body); r.Status != 401 || r.errCode(t) != "unauthenticated" {
			t.Errorf("%s %s without login: %d %s", rt.Method, rt.Path, r.Status, r.Body)
		}
		for i, role := range roleOrder {
			allowed := true
			if rt.Permission != httpapi.Authenticated {
				allowed = expectations[rt.Permission][i]
			}
			tok := h.login(roleUser[role])
			r := h.do(rt.Method, path, tok, body)
			if allowed && (r.Status == 403 || r.Status == 401 || r.Status >= 500) {
				t.Errorf("%s %s as %s: want allowed, got %d %s", rt.Method, rt.Path, role, r.Status, r.Body)
			}
			if !allowed && r.Status != 403 {
				t.Errorf("%s %s as %s: want 403, got %d %s", rt.Method, rt.Path, role, r.Status, r.Body)
			}
		}
	}
}

// TestOpenAPICoversRouteTable fails when a route is missing from the document.
func TestOpenAPICoversRouteTable(t *testing.T) {
	h := newHarness(t)
	r := h.expect(200, "GET", "/api/v1/openapi.json", "", nil)
	paths := r.JSON(t)["paths"].(map[string]any)
	for _, rt := range h.app.HTTP.Routes() {
		p := pathParam.ReplaceAllStringFunc(rt.Path, func(s string) string { return "{" + s[1:] + "}" })
		item, ok := paths[p].(map[string]any)
		if !ok || item[strings.ToLower(rt.Method)] == nil {
			t.Errorf("route %s %s missing from openapi.json", rt.Method, rt.Path)
		}
	}
}
