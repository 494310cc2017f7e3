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
	"GET /api/v1/tickets/:id/attachments":                        "gin.H answer, typed in the next increments",
	"GET /api/v1/work-orders/:id/attachments":                    "gin.H answer, typed in the next increments",
	"GET /api/v1/repairs/:id/attachments":                        "gin.H answer, typed in the next increments",
	"GET /api/v1/complaints/:id/attachments":                     "gin.H answer, typed in the next increments",
	"GET /api/v1/returns/:id/attachments":                        "gin.H answer, typed in the next increments",
	"DELETE /api/v1/repairs/:id/parts/:line_id:":                 "gin.H answer, typed in the next increments",
	"GET /api/v1/certification/next-audit":                       "gin.H answer, typed in the next increments",
	"GET /api/v1/customers":                                      "gin.H answer, typed in the next increments",
	"GET /api/v1/evidence":                                       "gin.H answer, typed in the next increments",
	"GET /api/v1/evidence/:id":                                   "gin.H answer, typed in the next increments",
	"GET /api/v1/notifications":                                  "gin.H answer, typed in the next increments",
	"GET /api/v1/notifications/unread-count":                     "gin.H answer, typed in the next increments",
	"GET /api/v1/price-list":                                     "gin.H answer, typed in the next increments",
	"GET /api/v1/readiness/bonus":                                "gin.H answer, typed in the next increments",
	"GET /api/v1/readiness/gaps":                                 "gin.H answer, typed in the next increments",
	"GET /api/v1/readiness/projection":                           "gin.H answer, typed in the next increments",
	"GET /api/v1/readiness/runs/:id/diff/:other":                 "gin.H answer, typed in the next increments",
	"GET /api/v1/readiness/standards":                            "gin.H answer, typed in the next increments",
	"GET /api/v1/readiness/standards/:code":                      "gin.H answer, typed in the next increments",
	"GET /api/v1/recalls/:id/progress":                           "gin.H answer, typed in the next increments",
	"GET /api/v1/repairs":                                        "gin.H answer, typed in the next increments",
	"GET /api/v1/roles":                                          "gin.H answer, typed in the next increments",
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
