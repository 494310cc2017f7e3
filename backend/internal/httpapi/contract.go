package httpapi

import (
	"net/http"
	"reflect"
	"slices"
)

// Types is what a route accepts and answers: the request body type, the
// response body type and the success statuses. The OpenAPI document (and
// from it the frontend's generated types) is built from these, so a route's
// contract is declared once, beside its permission in the route table.
//
// Build one with reply[Resp]() (no request body) or takes[Req, Resp](), and
// adjust it with status, upload or errors. A response type of any
// documents an untyped JSON body; TestRoutesDeclareTypes allows that only
// for the routes it lists with a reason.
type Types struct {
	// Request is the JSON request body type; nil when the route takes none.
	Request reflect.Type
	// RequestMedia is the request body's media type when it is not JSON
	// (multipart/form-data uploads, a YAML file).
	RequestMedia string
	// Response is the success body type; nil when the answer has no JSON body
	// (a file download, 204, the WebSocket upgrade).
	Response reflect.Type
	// ResponseMedia is the success body's media type when it is not JSON.
	ResponseMedia string
	// Statuses are the success statuses (default 200).
	Statuses []int
	// Errors are error statuses this route answers beyond those derived from
	// its shape (see errorStatuses).
	Errors []int
}

// typeOf returns the reflect.Type of T (also for interface types such as any).
func typeOf[T any]() reflect.Type { return reflect.TypeFor[T]() }

// NoContent is the response type of a route that answers 204 with no body.
type NoContent struct{}

// reply declares a route without a request body that answers T as JSON
// (NoContent: 204 without a body).
func reply[T any]() Types { return answer[T](Types{}) }

// takes declares a route whose JSON request body is Req and that answers T.
func takes[Req, T any]() Types { return answer[T](Types{Request: typeOf[Req]()}) }

func answer[T any](t Types) Types {
	if typeOf[T]() == typeOf[NoContent]() {
		t.Statuses = []int{http.StatusNoContent}
		return t
	}
	t.Response = typeOf[T]()
	return t
}

// download declares a route without a request body that answers a file of
// the given media type (an .xlsx export, a ZIP, a manual).
func download(media string) Types { return Types{ResponseMedia: media} }

// upgrade declares the WebSocket route: 101 Switching Protocols.
func upgrade() Types { return Types{Statuses: []int{http.StatusSwitchingProtocols}} }

// status replaces the success statuses (e.g. 201 for a create, 201 and 200
// when an idempotent repeat answers the original).
func (t Types) status(codes ...int) Types { t.Statuses = codes; return t }

// upload sets the request body's media type (multipart/form-data with the
// fields described by the request type, or a raw file such as YAML).
func (t Types) upload(media string) Types { t.RequestMedia = media; return t }

// errors adds error statuses beyond the derived ones (410 for an expired
// link, 429 for a rate-limited public route).
func (t Types) errors(codes ...int) Types {
	t.Errors = append(slices.Clone(t.Errors), codes...)
	return t
}

// successStatuses are the declared success statuses, 200 by default.
func (t Types) successStatuses() []int {
	if len(t.Statuses) == 0 {
		return []int{http.StatusOK}
	}
	return t.Statuses
}

// Media types of the files the API sends.
const (
	mediaXLSX      = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	mediaZIP       = "application/zip"
	mediaAny       = "*/*" // a stored file sent with its own type (manuals, evidence)
	mediaMultipart = "multipart/form-data"
	mediaYAML      = "application/yaml"
)

// Untyped is the response type of a route whose JSON body is not described
// yet; TestRoutesDeclareTypes lists the routes allowed to use it.
type Untyped = any
