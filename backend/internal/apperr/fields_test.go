package apperr_test

import (
	"encoding/json"
	"testing"

	"github.com/aftersales/aftersales/backend/internal/apperr"
)

func TestFieldErrorsCarryACodeAndParams(t *testing.T) {
	for _, c := range []struct {
		got  apperr.FieldError
		code string
		want string // params as JSON
	}{
		{apperr.Required(), "required", `null`},
		{apperr.TooLong(4000), "too_long", `{"max":4000}`},
		{apperr.OneOf("phone", "sms"), "one_of", `{"allowed":["phone","sms"]}`},
		{apperr.OutOfRange(1, 200), "out_of_range", `{"max":200,"min":1}`},
		{apperr.InvalidFormat(apperr.FormatDate), "invalid_format", `{"format":"date"}`},
		{apperr.NoSuch("work_order"), "no_such", `{"entity":"work_order"}`},
		{apperr.Code("before_purchase", "cannot be before the purchase date").With("days", 3), "before_purchase", `{"days":3}`},
	} {
		b, _ := json.Marshal(c.got.Params)
		if c.got.Code != c.code || string(b) != c.want || c.got.Message == "" {
			t.Errorf("%s: got code %s params %s message %q", c.code, c.got.Code, b, c.got.Message)
		}
	}
}

func TestWithDoesNotShareParams(t *testing.T) {
	base := apperr.TooLong(10)
	a, b := base.With("x", 1), base.With("x", 2)
	if a.Params["x"] != 1 || b.Params["x"] != 2 || base.Params["x"] != nil {
		t.Fatalf("With changed a shared map: %v %v %v", base.Params, a.Params, b.Params)
	}
}

func TestAFieldErrorHasTheWireShape(t *testing.T) {
	e := apperr.FieldsErr(apperr.Fields{"description": apperr.TooLong(4000)})
	b, _ := json.Marshal(e.Fields["description"])
	if e.Code != "validation_failed" || e.Kind != apperr.KindValidation ||
		string(b) != `{"code":"too_long","params":{"max":4000},"message":"at most 4000 characters"}` {
		t.Fatalf("%s %s %s", e.Kind, e.Code, b)
	}
	p := apperr.BadParam("size", apperr.OutOfRange(1, 200))
	if p.Kind != apperr.KindInvalid || p.Code != "invalid_parameter" || p.Fields["size"].Code != "out_of_range" {
		t.Fatalf("%+v", p)
	}
}
