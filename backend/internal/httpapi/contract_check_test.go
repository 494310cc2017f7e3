package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/aftersales/aftersales/backend/internal/httpapi"
)

// contract validates every answer the harness receives against the OpenAPI
// document generated from the route table (kin-openapi's openapi3filter), so
// the package's whole test suite checks the declared response types against
// real responses. It also records which routes answered with a 2xx, for
// TestMain's coverage check.
type contract struct {
	doc    *openapi3.T
	routes []contractRoute
	mu     sync.Mutex
	hits   map[string]bool // "GET /api/v1/tickets/:id" answered 2xx and was validated
	seen   map[string]bool // answered at all
}

type contractRoute struct {
	route httpapi.Route
	re    *regexp.Regexp
	// static counts the path's literal segments: gin prefers /outlets/export
	// over /outlets/:id, and so does match.
	static int
}

var (
	contractOnce sync.Once
	theContract  *contract
	contractErr  error
)

// loadContract builds the document from the route table once per test binary
// and checks that it is a valid OpenAPI document.
func loadContract(routes []httpapi.Route) (*contract, error) {
	contractOnce.Do(func() {
		raw, err := json.Marshal(httpapi.Document(routes))
		if err != nil {
			contractErr = err
			return
		}
		doc, err := openapi3.NewLoader().LoadFromData(raw)
		if err != nil {
			contractErr = fmt.Errorf("load the generated document: %w", err)
			return
		}
		if err := doc.Validate(context.Background()); err != nil {
			contractErr = fmt.Errorf("the generated document is not valid OpenAPI: %w", err)
			return
		}
		c := &contract{doc: doc, hits: map[string]bool{}, seen: map[string]bool{}}
		for _, rt := range routes {
			pat := "^" + regexp.MustCompile(`[:*][a-zA-Z_]+`).ReplaceAllString(regexp.QuoteMeta(rt.Path), `[^/]+`) + "$"
			static := 0
			for _, seg := range strings.Split(rt.Path, "/") {
				if !strings.HasPrefix(seg, ":") {
					static++
				}
			}
			c.routes = append(c.routes, contractRoute{route: rt, re: regexp.MustCompile(pat), static: static})
		}
		theContract = c
	})
	return theContract, contractErr
}

// match finds the route table entry gin would pick for method and path.
func (c *contract) match(method, path string) (httpapi.Route, bool) {
	best, found := contractRoute{static: -1}, false
	for _, r := range c.routes {
		if r.route.Method == method && r.re.MatchString(path) && r.static > best.static {
			best, found = r, true
		}
	}
	return best.route, found
}

// check validates one answer. It returns "" when the answer follows the
// document, else what is wrong.
func (c *contract) check(req *http.Request, status int, header http.Header, body []byte) string {
	rt, ok := c.match(req.Method, req.URL.Path)
	if !ok {
		return "" // not a route of the table (SPA, /metrics, 404 route_not_found)
	}
	key := rt.Method + " " + rt.Path
	p := httpapi.OpenAPIPath(rt.Path)
	item := c.doc.Paths.Value(p)
	op := item.GetOperation(rt.Method)
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: req,
			Route:   &routers.Route{Spec: c.doc, Path: p, PathItem: item, Method: rt.Method, Operation: op},
		},
		Status: status,
		Header: header,
		Body:   io.NopCloser(bytes.NewReader(body)),
		Options: &openapi3filter.Options{
			IncludeResponseStatus: true,
			MultiError:            true,
		},
	}
	if types, _ := rt.Types.(httpapi.Types); status == statusClientClosed || slices.Contains(types.Statuses, http.StatusSwitchingProtocols) {
		return "" // the WebSocket upgrade answers in its own protocol (gorilla writes plain-text refusals)
	}
	err := openapi3filter.ValidateResponse(context.Background(), in)
	c.mu.Lock()
	c.seen[key] = true
	if err == nil && status < 300 {
		c.hits[key] = true
	}
	c.mu.Unlock()
	if err != nil {
		msg := err.Error()
		if len(msg) > 1500 {
			msg = msg[:1500] + "…"
		}
		return fmt.Sprintf("%s %s answered %d that does not follow the OpenAPI document (fix the handler or the route's declared type in routes.go): %s",
			req.Method, req.URL.Path, status, msg)
	}
	return ""
}

const statusClientClosed = 499

// uncovered lists the routes that never answered a validated 2xx in this run.
func (c *contract) uncovered() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, r := range c.routes {
		key := r.route.Method + " " + r.route.Path
		if !c.hits[key] {
			out = append(out, key)
		}
	}
	sort.Strings(out)
	return out
}

// checkContract is called by harness.do for every answer.
func (h *harness) checkContract(req *http.Request, res *http.Response, body []byte) {
	h.t.Helper()
	c, err := loadContract(h.app.HTTP.Routes())
	if err != nil {
		h.t.Fatal(err)
	}
	if msg := c.check(req, res.StatusCode, res.Header, body); msg != "" {
		h.t.Error(msg)
	}
}

// TestOpenAPIDocumentIsValid loads the generated document with kin-openapi
// and validates it (every $ref resolves, every schema is well-formed).
func TestOpenAPIDocumentIsValid(t *testing.T) {
	h := newHarness(t)
	if _, err := loadContract(h.app.HTTP.Routes()); err != nil {
		t.Fatal(err)
	}
}
