package httpapi

import (
	"encoding"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aftersales/aftersales/backend/internal/auth"
	"github.com/aftersales/aftersales/backend/internal/rbac"
)

// APIVersion is the contract's version in the OpenAPI document (info.version).
// It changes when a response shape changes incompatibly, not with each build.
const APIVersion = "1"

var ginParam = regexp.MustCompile(`[:*]([a-zA-Z_]+)`)

// OpenAPIPath turns a gin route path (/tickets/:id) into the document's form
// (/tickets/{id}).
func OpenAPIPath(p string) string { return ginParam.ReplaceAllString(p, "{$1}") }

// OpenAPI builds the OpenAPI 3.0 document from the route table, so the two
// cannot drift: a route added to the table appears here with the request and
// response types it declares (Route.Types), its permission (x-permission)
// and the error body for each error status it can answer.
func (s *Server) OpenAPI() map[string]any {
	return Document(s.Routes())
}

// Document builds the OpenAPI document of the given routes. The output is
// deterministic (encoding/json sorts map keys), so the committed copy
// (docs/openapi.json) and the generated frontend types can be diffed in CI.
func Document(routes []Route) map[string]any {
	reg := newSchemaRegistry()
	for name, values := range namedEnums() {
		reg.schemas[name] = map[string]any{"type": "string", "enum": values}
	}
	errRef := reg.ref(typeOf[ErrorBody](), false)
	paths := map[string]any{}
	for _, rt := range routes {
		p := OpenAPIPath(rt.Path)
		item, _ := paths[p].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[p] = item
		}
		types, _ := rt.Types.(Types)
		op := map[string]any{
			"operationId":  operationID(rt),
			"summary":      rt.Summary,
			"tags":         []string{rt.Tag},
			"x-permission": rt.Permission,
		}
		responses := map[string]any{}
		for _, st := range types.successStatuses() {
			responses[strconv.Itoa(st)] = successResponse(reg, types, st)
		}
		for _, st := range errorStatuses(rt, types) {
			responses[strconv.Itoa(st)] = map[string]any{"$ref": "#/components/responses/Error"}
		}
		responses["default"] = map[string]any{"$ref": "#/components/responses/Error"}
		op["responses"] = responses
		if rt.Permission != Public {
			op["security"] = []any{map[string]any{"bearer": []string{}}, map[string]any{"cookie": []string{}}}
		}
		var params []any
		for _, m := range ginParam.FindAllStringSubmatch(rt.Path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if body := requestBody(reg, types); body != nil {
			op["requestBody"] = body
		}
		item[strings.ToLower(rt.Method)] = op
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info":    map[string]any{"title": "After-sales service operations API", "version": APIVersion},
		"paths":   paths,
		"components": map[string]any{
			"schemas": reg.schemas,
			"responses": map[string]any{"Error": map[string]any{
				"description": "The error shape: a machine code the UI translates, a message, the offending fields",
				"content":     map[string]any{"application/json": map[string]any{"schema": errRef}},
			}},
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer"},
				"cookie": map[string]any{"type": "apiKey", "in": "cookie", "name": SessionCookie},
			},
		},
	}
}

// namedEnums are the string sets fields refer to by name (tag
// schema:"Permission"), so the frontend gets one union type for each.
func namedEnums() map[string][]string {
	return map[string][]string{
		"Permission": rbac.KnownPermissions(),
		"Role":       slices.Clone(auth.AllRoles),
	}
}

// operationID names an operation after its handler's method and path, e.g.
// "get /api/v1/tickets/{id}" → "get_api_v1_tickets_id".
func operationID(rt Route) string {
	p := strings.NewReplacer("/", "_", ":", "", "-", "_", ".", "_").Replace(strings.TrimPrefix(rt.Path, "/"))
	return strings.ToLower(rt.Method) + "_" + p
}

func successResponse(reg *schemaRegistry, t Types, status int) map[string]any {
	r := map[string]any{"description": http.StatusText(status)}
	switch {
	case t.ResponseMedia != "":
		r["content"] = map[string]any{t.ResponseMedia: map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}}
	case t.Response != nil && status != http.StatusNoContent:
		r["content"] = map[string]any{"application/json": map[string]any{"schema": reg.ref(t.Response, false)}}
	}
	return r
}

func requestBody(reg *schemaRegistry, t Types) map[string]any {
	switch {
	case t.RequestMedia == mediaMultipart:
		schema := map[string]any{"type": "object"}
		if t.Request != nil {
			schema = reg.ref(t.Request, true)
		}
		return map[string]any{"required": true, "content": map[string]any{mediaMultipart: map[string]any{"schema": schema}}}
	case t.RequestMedia != "":
		return map[string]any{"required": true, "content": map[string]any{t.RequestMedia: map[string]any{"schema": map[string]any{"type": "string"}}}}
	case t.Request != nil:
		return map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": reg.ref(t.Request, true)}}}
	}
	return nil
}

// errorStatuses derives the error statuses a route can answer from its shape:
// 401 and 403 behind a login, 404 with a path parameter, 400/413/415/422 with
// a body, 409 for a change, 503 always (the database is down); plus those the
// route declares (Types.errors).
func errorStatuses(rt Route, t Types) []int {
	set := map[int]bool{http.StatusBadRequest: true, http.StatusServiceUnavailable: true}
	if rt.Permission != Public {
		set[http.StatusUnauthorized] = true
		set[http.StatusForbidden] = true
	}
	if strings.Contains(rt.Path, ":") {
		set[http.StatusNotFound] = true
	}
	if t.Request != nil || t.RequestMedia != "" {
		set[http.StatusRequestEntityTooLarge] = true
		set[http.StatusUnsupportedMediaType] = true
		set[http.StatusUnprocessableEntity] = true
	}
	if rt.Method != http.MethodGet {
		set[http.StatusConflict] = true
		set[http.StatusUnprocessableEntity] = true
	}
	for _, c := range t.Errors {
		set[c] = true
	}
	out := make([]int, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	sort.Ints(out)
	return out
}

// schemaRegistry collects the named schemas (components/schemas) while the
// document is built: each Go struct type becomes one schema, named after the
// type (httpapi types by their name, others prefixed with their package).
type schemaRegistry struct {
	schemas map[string]any
	names   map[reflect.Type]string
	owner   map[string]reflect.Type
	// request marks the types built for request bodies: their fields are
	// required only when tagged required:"true"; in responses every field
	// without omitempty is always sent, so it is required.
	request map[reflect.Type]bool
}

func newSchemaRegistry() *schemaRegistry {
	return &schemaRegistry{schemas: map[string]any{}, names: map[reflect.Type]string{}, owner: map[string]reflect.Type{}, request: map[reflect.Type]bool{}}
}

var (
	timeType          = typeOf[time.Time]()
	rawMessageType    = typeOf[json.RawMessage]()
	textMarshalerType = typeOf[encoding.TextMarshaler]()
	jsonMarshalerType = typeOf[json.Marshaler]()
)

// ref returns the schema of t: a $ref for named structs (building the
// component the first time), inline for everything else.
func (r *schemaRegistry) ref(t reflect.Type, request bool) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t.Name() == "" || customJSON(t) != nil {
		return r.schemaOf(t, request)
	}
	name, ok := r.names[t]
	if ok && (!request || r.request[t]) {
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	if !ok {
		name = schemaName(t)
		if prev, taken := r.owner[name]; taken && prev != t {
			name = schemaName(t) + "_" + strings.ReplaceAll(t.PkgPath(), "/", "_")
		}
		r.names[t] = name
		r.owner[name] = t
	}
	if request {
		r.request[t] = true
	}
	r.schemas[name] = map[string]any{"type": "object"} // placeholder against recursion
	r.schemas[name] = r.schemaOf(t, request || r.request[t])
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

var genericArgs = regexp.MustCompile(`[\w./-]+\.(\w+)`)

// schemaName names a struct's schema: TicketResponse, Page_TicketResponse
// for Page[TicketResponse], ReadinessResult for readiness.Result.
func schemaName(t reflect.Type) string {
	name := t.Name()
	prefix := ""
	if pkg := t.PkgPath(); pkg != "" && !strings.HasSuffix(pkg, "/httpapi") {
		base := pkg[strings.LastIndex(pkg, "/")+1:]
		prefix = strings.ToUpper(base[:1]) + base[1:]
	}
	if i := strings.Index(name, "["); i >= 0 {
		args := genericArgs.FindAllStringSubmatch(name[i:], -1)
		parts := []string{name[:i]}
		for _, a := range args {
			parts = append(parts, a[1])
		}
		return prefix + strings.Join(parts, "_")
	}
	return prefix + name
}

func (r *schemaRegistry) schemaOf(t reflect.Type, request bool) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if s := customJSON(t); s != nil {
		return s
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return map[string]any{"type": "integer"}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer", "minimum": 0}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 && t.Kind() == reflect.Slice {
			return map[string]any{"type": "string", "format": "byte"}
		}
		return map[string]any{"type": "array", "items": r.fieldSchema(t.Elem(), request, "")}
	case reflect.Map:
		// A nil map encodes as null.
		return map[string]any{"type": "object", "additionalProperties": r.fieldSchema(t.Elem(), request, ""), "nullable": true}
	case reflect.Interface:
		return map[string]any{"nullable": true}
	case reflect.Struct:
		props := map[string]any{}
		var required []string
		r.fields(t, request, props, &required)
		out := map[string]any{"type": "object", "properties": props}
		if len(required) > 0 {
			sort.Strings(required)
			out["required"] = required
		}
		return out
	}
	panic(fmt.Sprintf("openapi: no schema for %s (kind %s)", t, t.Kind()))
}

// customJSON is the schema of a type that encodes itself: time.Time as a
// date-time string, a TextMarshaler (sla.Date) as a string, a json.Marshaler
// or json.RawMessage as any JSON; nil for the others.
func customJSON(t reflect.Type) map[string]any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == rawMessageType, t.Implements(jsonMarshalerType), reflect.PointerTo(t).Implements(jsonMarshalerType):
		return map[string]any{"nullable": true}
	case t.Implements(textMarshalerType), reflect.PointerTo(t).Implements(textMarshalerType):
		return map[string]any{"type": "string"}
	}
	return nil
}

// fieldSchema is the schema of a value of type t where a pointer (or a slice
// or map, which encode as null when nil) may be null.
func (r *schemaRegistry) fieldSchema(t reflect.Type, request bool, enum string) map[string]any {
	nullable := false
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
		nullable = true
	}
	s := r.ref(t, request)
	if enum != "" {
		vals := strings.Split(enum, ",")
		if t.Kind() == reflect.Slice {
			items := r.ref(t.Elem(), request)
			items["enum"] = vals
			s["items"] = items
		} else {
			s["enum"] = vals
		}
	}
	if nullable {
		if _, isRef := s["$ref"]; isRef {
			return map[string]any{"allOf": []any{s}, "nullable": true}
		}
		s["nullable"] = true
	}
	return s
}

// fields adds t's JSON fields to props as encoding/json writes them:
// embedded structs without a JSON name are flattened, "-" is skipped, and a
// field without omitempty is required in a response (always sent).
func (r *schemaRegistry) fields(t reflect.Type, request bool, props map[string]any, required *[]string) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			et := f.Type
			for et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				r.fields(et, request, props, required)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		var s map[string]any
		if named := f.Tag.Get("schema"); named != "" {
			s = map[string]any{"$ref": "#/components/schemas/" + named}
			if f.Type.Kind() == reflect.Slice {
				s = map[string]any{"type": "array", "items": s}
			}
		} else if strings.Contains(","+opts+",", ",string,") {
			s = map[string]any{"type": "string"}
		} else {
			s = r.fieldSchema(f.Type, request, f.Tag.Get("enum"))
		}
		if d := f.Tag.Get("doc"); d != "" {
			s["description"] = d
		}
		props[name] = s
		omitempty := strings.Contains(","+opts+",", ",omitempty,") || strings.Contains(","+opts+",", ",omitzero,")
		if request {
			if f.Tag.Get("required") == "true" {
				*required = append(*required, name)
			}
		} else if !omitempty {
			*required = append(*required, name)
		}
	}
}

func (s *Server) openapi(c *gin.Context) error {
	c.JSON(http.StatusOK, s.OpenAPI())
	return nil
}
