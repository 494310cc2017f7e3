package db

import "testing"

func TestParseNumberReadsWholeNumbersAndLastDigits(t *testing.T) {
	for _, c := range []struct {
		text, prefix string
		want         NumberQuery
		ok           bool
	}{
		{"T20261124-000042", "T", NumberQuery{Whole: "T20261124-000042", Digits: "20261124000042"}, true},
		{"t20261124000042", "T", NumberQuery{Whole: "T20261124-000042", Digits: "20261124000042"}, true},
		{"20261124-000042", "WO", NumberQuery{Whole: "WO20261124-000042", Digits: "20261124000042"}, true},
		{"0042", "T", NumberQuery{Tail: "0042", Digits: "0042"}, true},
		{"1124000042", "T", NumberQuery{Tail: "000042", Digits: "1124000042"}, true},
		{"42", "T", NumberQuery{}, false},
		{"TS20261124-000042", "T", NumberQuery{}, false},
		{"张伟", "T", NumberQuery{}, false},
		{"T0042", "T", NumberQuery{}, false},
	} {
		got, ok := ParseNumber(c.text, c.prefix)
		if ok != c.ok || got != c.want {
			t.Errorf("ParseNumber(%q, %q) = %+v %v, want %+v %v", c.text, c.prefix, got, ok, c.want, c.ok)
		}
	}
	if !NumberMatches("T20261124-000042", NumberQuery{Tail: "000042", Digits: "1124000042"}) ||
		NumberMatches("T20261125-000042", NumberQuery{Tail: "000042", Digits: "1124000042"}) {
		t.Error("NumberMatches checks every digit typed")
	}
}
