package event

import (
	"encoding/json"
	"reflect"
	"strings"
)

// Type names one kind of event and fixes its payload type P. Publishers
// build events with New and consumers read them with Of, so a consumer
// cannot misspell a name or read a key the publisher does not send: both
// sides name the same variable (TicketClosed, SLAWarning, …).
type Type[P any] struct{ name string }

// Define declares an event type. Names are dotted "domain.fact" strings and
// must be unique; they are what the WebSocket clients receive as "name".
func Define[P any](name string) Type[P] { return Type[P]{name: name} }

// Name returns the wire name.
func (t Type[P]) Name() string { return t.name }

// New builds the event on topic with payload p. Data holds p's JSON fields
// with their Go values (the wire format the web app reads is unchanged).
func (t Type[P]) New(topic string, p P) Event {
	return Event{Topic: topic, Name: t.name, Data: Fields(p), payload: p}
}

// Is reports whether e is of this type.
func (t Type[P]) Is(e Event) bool { return e.Name == t.name }

// Of returns e's payload when e is of this type. In process it is the value
// the publisher passed; after the outbox or Redis it is decoded from Data.
func (t Type[P]) Of(e Event) (P, bool) {
	var p P
	if e.Name != t.name {
		return p, false
	}
	if v, ok := e.payload.(P); ok {
		return v, true
	}
	b, err := json.Marshal(e.Data)
	if err != nil {
		return p, false
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return p, false
	}
	return p, true
}

// Fields flattens a payload struct into the Data map by its json tags:
// embedded structs are inlined, "-" is skipped, omitempty drops zero values
// and a nil pointer becomes an untyped nil (so Data[k] == nil holds).
func Fields(p any) map[string]any {
	out := map[string]any{}
	fill(out, reflect.ValueOf(p))
	return out
}

func fill(out map[string]any, v reflect.Value) {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	if v.Kind() == reflect.Map {
		for _, k := range v.MapKeys() {
			out[k.String()] = v.MapIndex(k).Interface()
		}
		return
	}
	if v.Kind() != reflect.Struct {
		return
	}
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		fv := v.Field(i)
		if f.Anonymous && name == "" {
			fill(out, fv)
			continue
		}
		if name == "" {
			name = f.Name
		}
		if strings.Contains(opts, "omitempty") && fv.IsZero() {
			continue
		}
		if (fv.Kind() == reflect.Pointer || fv.Kind() == reflect.Map || fv.Kind() == reflect.Slice || fv.Kind() == reflect.Interface) && fv.IsNil() {
			out[name] = nil
			continue
		}
		out[name] = fv.Interface()
	}
}
