package customer

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		raw  string
		want string
		kind PhoneType
	}{
		// Mobile.
		{"13812345678", "13812345678", PhoneMobile},
		{"138 1234 5678", "13812345678", PhoneMobile},
		{"138-1234-5678", "13812345678", PhoneMobile},
		{" (138) 1234.5678 ", "13812345678", PhoneMobile},
		{"+86 138 1234 5678", "13812345678", PhoneMobile},
		{"+8613812345678", "13812345678", PhoneMobile},
		{"+86-13812345678", "13812345678", PhoneMobile},
		{"0086 13812345678", "13812345678", PhoneMobile},
		{"008613812345678", "13812345678", PhoneMobile},
		{"86 138 1234 5678", "13812345678", PhoneMobile},
		{"8613812345678", "13812345678", PhoneMobile},
		{"(+86) 199-0000-1111", "19900001111", PhoneMobile},
		{"１３８１２３４５６７８", "13812345678", PhoneMobile},   // full-width digits
		{"138　1234　5678", "13812345678", PhoneMobile}, // ideographic spaces
		{"138–1234—5678", "13812345678", PhoneMobile}, // en and em dashes
		{"14712345678", "14712345678", PhoneMobile},
		{"16612345678", "16612345678", PhoneMobile},
		{"17012345678", "17012345678", PhoneMobile},

		// Landline.
		{"0755-86001234", "0755-86001234", PhoneLandline},
		{"0755 8600 1234", "0755-86001234", PhoneLandline},
		{"(0755) 86001234", "0755-86001234", PhoneLandline},
		{"（0755）86001234", "0755-86001234", PhoneLandline}, // full-width parentheses
		{"075586001234", "0755-86001234", PhoneLandline},
		{"010-62345678", "010-62345678", PhoneLandline},
		{"01062345678", "010-62345678", PhoneLandline},
		{"021 5888 1234", "021-58881234", PhoneLandline},
		{"0931-8123456", "0931-8123456", PhoneLandline}, // 7-digit subscriber
		{"+86 755 8600 1234", "0755-86001234", PhoneLandline},
		{"+86 (0)755 86001234", "0755-86001234", PhoneLandline},
		{"+86 10 6234 5678", "010-62345678", PhoneLandline},
		{"0086-21-58881234", "021-58881234", PhoneLandline},
		{"86 755 86001234", "0755-86001234", PhoneLandline},
		{"0755-86001234-801", "0755-86001234-801", PhoneLandline},
		{"0755-8600-1234-801", "0755-86001234-801", PhoneLandline},
		{"0755-86001234转801", "0755-86001234-801", PhoneLandline},
		{"0755 8600 1234 转 801", "0755-86001234-801", PhoneLandline},
		{"0755-86001234 分机 801", "0755-86001234-801", PhoneLandline},
		{"0755-86001234 ext. 801", "0755-86001234-801", PhoneLandline},
		{"0755-86001234 EXT:801", "0755-86001234-801", PhoneLandline},
		{"0755-86001234ext801", "0755-86001234-801", PhoneLandline},
		{"010-62345678-1", "010-62345678-1", PhoneLandline},
		{"0931 812 3456", "0931-8123456", PhoneLandline},
		{"0931-8123456-1", "0931-8123456-1", PhoneLandline}, // canonical 7-digit subscriber with extension
		{"0931-8123456 转 12", "0931-8123456-12", PhoneLandline},

		// Service.
		{"4008123456", "4008123456", PhoneService},
		{"400-812-3456", "4008123456", PhoneService},
		{"800 810 1234", "8008101234", PhoneService},
		{"+86 400 812 3456", "4008123456", PhoneService},
	}
	for _, tt := range tests {
		got, err := NormalizePhone(tt.raw)
		if err != nil || got != tt.want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", tt.raw, got, err, tt.want)
			continue
		}
		if again, err := NormalizePhone(got); err != nil || again != got {
			t.Errorf("NormalizePhone(%q) = %q, %v; not idempotent", got, again, err)
		}
		if k := PhoneKind(got); k != tt.kind {
			t.Errorf("PhoneKind(%q) = %q, want %q", got, k, tt.kind)
		}
	}
}

func TestNormalizePhoneRejects(t *testing.T) {
	tests := []struct {
		raw    string
		reason string // a fragment of the error message
	}{
		{"", "empty"},
		{"   ", "empty"},
		{"138123", "11 digits, got 6"},                    // too short
		{"1381234567", "11 digits, got 10"},               // one digit short
		{"138123456789", "11 digits, got 12"},             // 12-digit mobile
		{"+86 138123456789", "11 digits, got 12"},         // 12-digit mobile with country code
		{"10012345678", "start with 13–19"},               // 1[0-2] prefix
		{"11012345678", "start with 13–19"},               //
		{"12012345678", "start with 13–19"},               //
		{"1", "11 digits, got 1"},                         //
		{"138abcd5678", "unexpected character"},           // letters
		{"tel:13812345678", "unexpected character"},       //
		{"138 1234 567８x", "unexpected character"},        //
		{"13812345678 转 8", "mobile numbers have no ext"}, //
		{"1381234+5678", `"+" may only start`},
		{"++8613812345678", `"+" may only start`},
		{"+44 20 7946 0000", "only mainland China"},
		{"0044 20 7946 0000", "only mainland China"},
		{"+86", "no digits after the country code"},
		{"+", "no digits"},
		{"()-. ", "no digits"},
		{"86001234", "need an area code"},
		{"8600123", "need an area code"},
		{"0755-860012", "7–8 digits after the area code, got 6"},
		{"0755-860012345", "7–8 digits after the area code, got 9"},
		{"0755-06001234", "cannot start with 0 or 1"},
		{"011-86001234", "unknown area code"},
		{"0", "too short"},
		{"0755", "got 0"},
		{"0755-86001234 转", "extension must be 1–6 digits"},
		{"0755-86001234 转 1234567", "extension must be 1–6 digits"},
		{"0755-86001234 ext 80a", "extension must be 1–6 digits"},
		{"转801", "no digits"},
		{"400812345", "10 digits, got 9"},
		{"400-812-3456 转 2", "service numbers have no ext"},
		{"55512345678", "not a mobile, landline"},
		{"138\xff12345678", "not valid UTF-8"},
		{strings.Repeat("1", 129), "too long"},
	}
	for _, tt := range tests {
		got, err := NormalizePhone(tt.raw)
		if err == nil {
			t.Errorf("NormalizePhone(%q) = %q, want an error", tt.raw, got)
			continue
		}
		if !errors.Is(err, ErrInvalidPhone) {
			t.Errorf("NormalizePhone(%q) error %v does not wrap ErrInvalidPhone", tt.raw, err)
		}
		if !strings.Contains(err.Error(), tt.reason) {
			t.Errorf("NormalizePhone(%q) error %q, want it to mention %q", tt.raw, err, tt.reason)
		}
		if got != "" {
			t.Errorf("NormalizePhone(%q) returned %q with its error", tt.raw, got)
		}
	}
}

func TestPhoneKindRejectsNonCanonical(t *testing.T) {
	for _, s := range []string{"", "138 1234 5678", "+8613812345678", "075586001234", "0755-86001234 转 801", "400-812-3456", "hello"} {
		if k := PhoneKind(s); k != PhoneUnknown {
			t.Errorf("PhoneKind(%q) = %q, want PhoneUnknown", s, k)
		}
	}
}

func TestMaskPhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"13812345678", "138****5678"},
		{"0755-86001234", "0755-****1234"},
		{"010-62345678", "010-****5678"},
		{"0931-8123456", "0931-****3456"},
		{"0755-86001234-801", "0755-****1234-801"},
		{"4008123456", "4008123456"},
		{"+86 138 1234 5678", "138****5678"}, // normalised first
		{"", "****"},
		{"not a phone", "****"},
		{"12345", "****"},
	}
	for _, tt := range tests {
		if got := MaskPhone(tt.in); got != tt.want {
			t.Errorf("MaskPhone(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzNormalizePhone checks that no input panics and that every accepted
// number is canonical: idempotent, of a known kind, made of digits and
// dashes, and masked without revealing the middle digits. Only the seed
// corpus runs under plain `go test`.
func FuzzNormalizePhone(f *testing.F) {
	for _, seed := range []string{
		"", "13812345678", "+86 138 1234 5678", "0086-755-8600-1234", "0755-86001234-801",
		"0755 8600 1234 转 801", "(010) 6234 5678 ext. 9", "4008123456", "800-810-1234",
		"86 10 62345678", "+86 (0)21 5888 1234", "１３８１２３４５６７８", "+", "转", "ext",
		"0", "00", "+860", "861", "0755-", "--", "12012345678", "138\xff", "0755-86001234-8012345",
		"07002000000转0", // once normalised to a form that did not re-parse to itself
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		n, err := NormalizePhone(raw)
		if err != nil {
			if !errors.Is(err, ErrInvalidPhone) {
				t.Fatalf("NormalizePhone(%q) error %v does not wrap ErrInvalidPhone", raw, err)
			}
			if n != "" {
				t.Fatalf("NormalizePhone(%q) = %q with error", raw, n)
			}
			return
		}
		if strings.Trim(n, "0123456789-") != "" {
			t.Fatalf("NormalizePhone(%q) = %q, has characters other than digits and dashes", raw, n)
		}
		again, err := NormalizePhone(n)
		if err != nil || again != n {
			t.Fatalf("NormalizePhone(%q) = %q, %v; not idempotent (from %q)", n, again, err, raw)
		}
		kind := PhoneKind(n)
		if kind == PhoneUnknown {
			t.Fatalf("PhoneKind(%q) is unknown (from %q)", n, raw)
		}
		if m := MaskPhone(n); kind != PhoneService && (m == n || !strings.Contains(m, "****")) {
			t.Fatalf("MaskPhone(%q) = %q", n, m)
		}
	})
}
