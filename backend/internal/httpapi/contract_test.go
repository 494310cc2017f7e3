package httpapi_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/aftersales/aftersales/backend/internal/httpapi"
)

// untypedResponses lists the routes whose JSON answer is still declared as
// httpapi.Untyped, each with the reason. A new route must declare its
// response type (docs/architecture.md, "The API contract").
var untypedResponses = map[string]string{
	"GET /api/v1/readiness/runs/:id":                             "answers RunStateResponse while the run is in progress and RunResponse when done (one schema with both in a next increment)",
	"GET /api/v1/mobile/jobs":                                    "gin.H answer, typed in the next increments",
	"GET /api/v1/tickets/:id/attachments":                        "gin.H answer, typed in the next increments",
	"GET /api/v1/work-orders/:id/attachments":                    "gin.H answer, typed in the next increments",
	"GET /api/v1/repairs/:id/attachments":                        "gin.H answer, typed in the next increments",
	"GET /api/v1/complaints/:id/attachments":                     "gin.H answer, typed in the next increments",
	"GET /api/v1/returns/:id/attachments":                        "gin.H answer, typed in the next increments",
	"DELETE /api/v1/repairs/:id/parts/:line_id:":                 "gin.H answer, typed in the next increments",
	"GET /api/v1/audit":                                          "gin.H answer, typed in the next increments",
	"GET /api/v1/certification/audit-packs":                      "gin.H answer, typed in the next increments",
	"GET /api/v1/certification/audits":                           "gin.H answer, typed in the next increments",
	"GET /api/v1/certification/cycles":                           "gin.H answer, typed in the next increments",
	"GET /api/v1/certification/next-audit":                       "gin.H answer, typed in the next increments",
	"GET /api/v1/complaints":                                     "gin.H answer, typed in the next increments",
	"GET /api/v1/corrective-actions":                             "gin.H answer, typed in the next increments",
	"GET /api/v1/crisis-drills":                                  "gin.H answer, typed in the next increments",
	"GET /api/v1/customers":                                      "gin.H answer, typed in the next increments",
	"GET /api/v1/evidence":                                       "gin.H answer, typed in the next increments",
	"GET /api/v1/evidence/:id":                                   "gin.H answer, typed in the next increments",
	"GET /api/v1/evidence/types":                                 "gin.H answer, typed in the next increments",
	"GET /api/v1/faq-articles":                                   "gin.H answer, typed in the next increments",
	"GET /api/v1/followups":                                      "gin.H answer, typed in the next increments",
	"GET /api/v1/jobs/runs":                                      "gin.H answer, typed in the next increments",
	"GET /api/v1/labour-rates":                                   "gin.H answer, typed in the next increments",
	"GET /api/v1/manuals":                                        "gin.H answer, typed in the next increments",
	"GET /api/v1/notifications":                                  "gin.H answer, typed in the next increments",
	"GET /api/v1/notifications/unread-count":                     "gin.H answer, typed in the next increments",
	"GET /api/v1/old-parts":                                      "gin.H answer, typed in the next increments",
	"GET /api/v1/outlets":                                        "gin.H answer, typed in the next increments",
	"GET /api/v1/parts":                                          "gin.H answer, typed in the next increments",
	"GET /api/v1/price-list":                                     "gin.H answer, typed in the next increments",
	"GET /api/v1/privacy/access-log":                             "gin.H answer, typed in the next increments",
	"GET /api/v1/product-categories":                             "gin.H answer, typed in the next increments",
	"GET /api/v1/product-models":                                 "gin.H answer, typed in the next increments",
	"GET /api/v1/public/faq":                                     "gin.H answer, typed in the next increments",
	"GET /api/v1/public/manuals":                                 "gin.H answer, typed in the next increments",
	"GET /api/v1/public/regions":                                 "gin.H answer, typed in the next increments",
	"GET /api/v1/readiness/assessments":                          "gin.H answer, typed in the next increments",
	"GET /api/v1/readiness/bonus":                                "gin.H answer, typed in the next increments",
	"GET /api/v1/readiness/deductions":                           "gin.H answer, typed in the next increments",
	"GET /api/v1/readiness/deletions":                            "gin.H answer, typed in the next increments",
	"GET /api/v1/readiness/gaps":                                 "gin.H answer, typed in the next increments",
	"GET /api/v1/readiness/overrides":                            "gin.H answer, typed in the next increments",
	"GET /api/v1/readiness/projection":                           "gin.H answer, typed in the next increments",
	"GET /api/v1/readiness/runs":                                 "gin.H answer, typed in the next increments",
	"GET /api/v1/readiness/runs/:id/diff/:other":                 "gin.H answer, typed in the next increments",
	"GET /api/v1/readiness/standards":                            "gin.H answer, typed in the next increments",
	"GET /api/v1/readiness/standards/:code":                      "gin.H answer, typed in the next increments",
	"GET /api/v1/recalls":                                        "gin.H answer, typed in the next increments",
	"GET /api/v1/recalls/:id/owners":                             "gin.H answer, typed in the next increments",
	"GET /api/v1/recalls/:id/owners/:customer_id/notifications":  "gin.H answer, typed in the next increments",
	"GET /api/v1/recalls/:id/progress":                           "gin.H answer, typed in the next increments",
	"GET /api/v1/recalls/:id/selectors":                          "gin.H answer, typed in the next increments",
	"GET /api/v1/recalls/:id/units":                              "gin.H answer, typed in the next increments",
	"GET /api/v1/regions":                                        "gin.H answer, typed in the next increments",
	"GET /api/v1/regions/search":                                 "gin.H answer, typed in the next increments",
	"GET /api/v1/repairs":                                        "gin.H answer, typed in the next increments",
	"GET /api/v1/replacement-entitlements":                       "gin.H answer, typed in the next increments",
	"GET /api/v1/requisitions":                                   "gin.H answer, typed in the next increments",
	"GET /api/v1/returns":                                        "gin.H answer, typed in the next increments",
	"GET /api/v1/roles":                                          "gin.H answer, typed in the next increments",
	"GET /api/v1/sla/alerts":                                     "gin.H answer, typed in the next increments",
	"GET /api/v1/sla/calendars":                                  "gin.H answer, typed in the next increments",
	"GET /api/v1/sla/policies":                                   "gin.H answer, typed in the next increments",
	"GET /api/v1/sla/work-order-kinds":                           "gin.H answer, typed in the next increments",
	"GET /api/v1/staff":                                          "gin.H answer, typed in the next increments",
	"GET /api/v1/stock":                                          "gin.H answer, typed in the next increments",
	"GET /api/v1/stock/movements":                                "gin.H answer, typed in the next increments",
	"GET /api/v1/survey-invitations":                             "gin.H answer, typed in the next increments",
	"GET /api/v1/survey-responses":                               "gin.H answer, typed in the next increments",
	"GET /api/v1/survey-templates":                               "gin.H answer, typed in the next increments",
	"GET /api/v1/tickets/:id/events":                             "gin.H answer, typed in the next increments",
	"GET /api/v1/units":                                          "gin.H answer, typed in the next increments",
	"GET /api/v1/users":                                          "gin.H answer, typed in the next increments",
	"GET /api/v1/work-orders":                                    "gin.H answer, typed in the next increments",
	"GET /healthz":                                               "gin.H answer, typed in the next increments",
	"GET /readyz":                                                "gin.H answer, typed in the next increments",
	"POST /api/v1/auth/login":                                    "gin.H answer, typed in the next increments",
	"POST /api/v1/notifications/read-all":                        "gin.H answer, typed in the next increments",
	"POST /api/v1/public/surveys/:token":                         "gin.H answer, typed in the next increments",
	"POST /api/v1/readiness/standards/import":                    "gin.H answer, typed in the next increments",
	"POST /api/v1/readiness/what-if":                             "gin.H answer, typed in the next increments",
	"POST /api/v1/recall-units/:id/remedy":                       "gin.H answer, typed in the next increments",
	"POST /api/v1/recalls/:id/owners/:customer_id/notifications": "gin.H answer, typed in the next increments",
	"PUT /api/v1/readiness/standards/:code":                      "gin.H answer, typed in the next increments",
	"PUT /api/v1/stock/levels":                                   "gin.H answer, typed in the next increments",
}

// TestRoutesDeclareTypes fails for a route of the table that does not say
// what it takes and answers, with the fix in the message.
func TestRoutesDeclareTypes(t *testing.T) {
	h := newHarness(t)
	for _, rt := range h.app.HTTP.Routes() {
		key := rt.Method + " " + rt.Path
		types, ok := rt.Types.(httpapi.Types)
		if !ok {
			t.Errorf("route %s declares no types (its last field is %s): write reply[Resp]() for a route without a request body, "+
				"or takes[Req, Resp]() with the request and response types (see docs/architecture.md, \"The API contract\")", key, describe(rt.Types))
			continue
		}
		if types.Response == nil && types.ResponseMedia == "" && !onlyStatus(types, http.StatusSwitchingProtocols, http.StatusNoContent) {
			t.Errorf("route %s declares no response: reply[Resp](), takes[Req, Resp]() or download(media)", key)
		}
		if types.Response != nil && types.Response.Kind().String() == "interface" {
			if _, listed := untypedResponses[key]; !listed {
				t.Errorf("route %s answers httpapi.Untyped: declare its response type (a struct, Page[T], List[T]) in routes.go", key)
			}
		} else if _, listed := untypedResponses[key]; listed {
			t.Errorf("route %s is typed now: remove it from untypedResponses", key)
		}
		if rt.Method == http.MethodGet && types.Request != nil {
			t.Errorf("route %s: a GET has no request body; use reply[Resp]()", key)
		}
	}
}

func onlyStatus(t httpapi.Types, codes ...int) bool {
	for _, s := range t.Statuses {
		for _, c := range codes {
			if s == c {
				return true
			}
		}
	}
	return false
}

func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "nil"
	case string:
		return fmt.Sprintf("the string %q", x)
	default:
		return fmt.Sprintf("a %T", v)
	}
}
