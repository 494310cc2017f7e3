package customer

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ErrInvalidPhone is wrapped by every error NormalizePhone returns; the
// wrapping error adds a human-readable reason. Reasons never repeat the input,
// so they are safe to log.
var ErrInvalidPhone = errors.New("invalid phone number")

// PhoneType is the kind of a normalised mainland China phone number.
type PhoneType string

// The kinds of phone number NormalizePhone accepts. PhoneUnknown is what
// PhoneKind reports for anything that is not a normalised number.
const (
	PhoneUnknown  PhoneType = ""
	PhoneMobile   PhoneType = "mobile"   // 13812345678
	PhoneLandline PhoneType = "landline" // 0755-86001234, 0755-86001234-801
	PhoneService  PhoneType = "service"  // 4008123456, 8008123456
)

// phoneMaxInput bounds the raw input; real numbers with country code,
// separators and an extension stay far below it.
const phoneMaxInput = 128

// NormalizePhone turns a mainland China phone number as people type it into
// one canonical form, or returns an error wrapping ErrInvalidPhone.
//
// It accepts spaces, dashes, dots and parentheses anywhere, full-width digits
// and punctuation, and a +86, 0086 or 86 country prefix (after which a
// landline's leading 0 may be left out, as in +86 755 8600 1234). The
// canonical forms are:
//
//   - mobile: 11 digits starting 13–19, "13812345678";
//   - landline: area code (010, 02X, or 0XXX) "-" subscriber of 7–8 digits,
//     with an optional extension of 1–6 digits written as 转, 分机, ext or a
//     final "-" group: "0755-86001234" or "0755-86001234-801";
//   - service: 10-digit 400/800 numbers, "4008123456".
//
// A canonical form is returned unchanged, so NormalizePhone is idempotent.
func NormalizePhone(raw string) (string, error) {
	if len(raw) > phoneMaxInput {
		return "", phoneInvalid("too long")
	}
	s := strings.TrimSpace(phoneFold(raw))
	if s == "" {
		return "", phoneInvalid("empty")
	}

	number, ext, hasExt := phoneCutExtension(s)
	if hasExt {
		ext = strings.TrimLeft(ext, " .:-")
		if !phoneAllDigits(ext) || len(ext) < 1 || len(ext) > 6 {
			return "", phoneInvalid("extension must be 1–6 digits")
		}
	}

	groups, plus, err := phoneGroups(number)
	if err != nil {
		return "", err
	}
	if len(groups) == 0 {
		return "", phoneInvalid("no digits")
	}
	national, err := phoneNational(groups, plus)
	if err != nil {
		return "", err
	}

	switch {
	case national[0] == '1':
		if hasExt {
			return "", phoneInvalid("mobile numbers have no extension")
		}
		return phoneMobile(national)
	case strings.HasPrefix(national, "400") || strings.HasPrefix(national, "800"):
		if hasExt {
			return "", phoneInvalid("service numbers have no extension")
		}
		if len(national) != 10 {
			return "", phoneInvalid(fmt.Sprintf("400/800 service numbers have 10 digits, got %d", len(national)))
		}
		return national, nil
	case national[0] == '0':
		return phoneLandline(national, ext, hasExt, groups)
	case len(national) == 7 || len(national) == 8:
		return "", phoneInvalid("landline numbers need an area code, such as 0755")
	}
	return "", phoneInvalid("not a mobile, landline or 400/800 number")
}

// PhoneKind reports the kind of a number in the canonical form NormalizePhone
// returns, or PhoneUnknown for any other string.
func PhoneKind(normalised string) PhoneType {
	n, err := NormalizePhone(normalised)
	if err != nil || n != normalised {
		return PhoneUnknown
	}
	switch n[0] {
	case '1':
		return PhoneMobile
	case '0':
		return PhoneLandline
	}
	return PhoneService
}

// MaskPhone hides the middle of a number for display to people who need to
// recognise it but not dial it: "138****5678" for a mobile, "0755-****1234"
// (extension kept) for a landline. Service numbers are public and returned
// as they are. Input that is not canonical is normalised first; input that
// is not a phone number at all comes back as "****", so MaskPhone never
// reveals more than the last four digits.
func MaskPhone(normalised string) string {
	n, err := NormalizePhone(normalised)
	if err != nil {
		return "****"
	}
	switch PhoneKind(n) {
	case PhoneMobile:
		return n[:3] + "****" + n[7:]
	case PhoneLandline:
		parts := strings.SplitN(n, "-", 3)
		parts[1] = "****" + parts[1][len(parts[1])-4:]
		return strings.Join(parts, "-")
	}
	return n
}

func phoneInvalid(reason string) error {
	return fmt.Errorf("%w: %s", ErrInvalidPhone, reason)
}

// phoneFold maps full-width ASCII (as typed with a Chinese input method),
// the ideographic space and dash look-alikes to ASCII, and lower-cases ASCII
// letters, so later steps only deal with ASCII punctuation.
func phoneFold(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E: // full-width ！ to ～
			r -= 0xFEE0
		case r == 0x3000 || r == '\t':
			return ' '
		case r >= 0x2010 && r <= 0x2015, r == 0x2212: // hyphens, dashes, minus
			return '-'
		}
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	}, s)
}

// phoneCutExtension splits s at the first extension marker.
func phoneCutExtension(s string) (number, ext string, found bool) {
	at, size := -1, 0
	for _, marker := range []string{"转", "分机", "ext"} {
		if i := strings.Index(s, marker); i >= 0 && (at < 0 || i < at) {
			at, size = i, len(marker)
		}
	}
	if at < 0 {
		return s, "", false
	}
	return strings.TrimSpace(s[:at]), strings.TrimSpace(s[at+size:]), true
}

// phoneGroups splits s into runs of digits, dropping separators. plus
// reports a leading "+".
func phoneGroups(s string) (groups []string, plus bool, err error) {
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			groups = append(groups, cur.String())
			cur.Reset()
		}
	}
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			cur.WriteRune(r)
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
			flush()
		case r == '+':
			if plus || len(groups) > 0 || cur.Len() > 0 {
				return nil, false, phoneInvalid(`"+" may only start the number`)
			}
			plus = true
		case r == utf8.RuneError:
			return nil, false, phoneInvalid("not valid UTF-8")
		default:
			return nil, false, phoneInvalid(fmt.Sprintf("unexpected character %q", r))
		}
	}
	flush()
	return groups, plus, nil
}

// phoneNational strips a +86, 0086 or 86 prefix from the digits and restores
// a landline's trunk 0 that the international form drops.
func phoneNational(groups []string, plus bool) (string, error) {
	digits := strings.Join(groups, "")
	intl := false
	switch {
	case plus:
		if !strings.HasPrefix(digits, "86") {
			return "", phoneInvalid("only mainland China (+86) numbers are supported")
		}
		digits, intl = digits[2:], true
	case strings.HasPrefix(digits, "0086"):
		digits, intl = digits[4:], true
	case strings.HasPrefix(digits, "00"):
		return "", phoneInvalid("only mainland China (+86) numbers are supported")
	case strings.HasPrefix(digits, "86") && len(digits) >= 12:
		// Without + or 00, "86" is a country code only if what follows is
		// long enough to be a full national number (10+ digits).
		digits, intl = digits[2:], true
	}
	if digits == "" {
		return "", phoneInvalid("no digits after the country code")
	}
	if intl {
		switch {
		case strings.HasPrefix(digits, "10"):
			// Beijing's area code without its trunk 0; no mobile starts 10.
			digits = "0" + digits
		case digits[0] == '1' || digits[0] == '0':
		case (strings.HasPrefix(digits, "400") || strings.HasPrefix(digits, "800")) && len(digits) == 10:
		default:
			digits = "0" + digits
		}
	}
	return digits, nil
}

func phoneMobile(n string) (string, error) {
	if len(n) >= 2 && n[1] < '3' {
		return "", phoneInvalid("mobile numbers start with 13–19")
	}
	if len(n) != 11 {
		return "", phoneInvalid(fmt.Sprintf("mobile numbers have 11 digits, got %d", len(n)))
	}
	return n, nil
}

// phoneLandline splits n (starting with 0) into area code and subscriber
// number. Without an explicit extension, a final digit group of 1–6 digits
// is taken as the extension when the rest is a valid subscriber number and
// either the whole would be too long for one ("0755-8600-1234-801") or the
// subscriber number was written as one group, as in the canonical form
// ("0931-8123456-1"). groups are the digit groups as typed.
func phoneLandline(n, ext string, hasExt bool, groups []string) (string, error) {
	var areaLen int
	switch {
	case len(n) < 3:
		return "", phoneInvalid("too short")
	case n[1] == '1' && n[2] == '0', n[1] == '2': // 010, 02X
		areaLen = 3
	case n[1] >= '3' && n[1] <= '9':
		areaLen = 4
	default:
		return "", phoneInvalid("unknown area code")
	}
	if len(n) < areaLen {
		return "", phoneInvalid("too short")
	}
	area, sub := n[:areaLen], n[areaLen:]
	if k := len(groups); !hasExt && k >= 2 && len(groups[k-1]) <= 6 && len(groups[k-1]) < len(sub) {
		last := groups[k-1]
		head := sub[:len(sub)-len(last)]
		if len(head) >= 7 && len(head) <= 8 && (len(sub) > 8 || head == groups[k-2]) {
			sub, ext, hasExt = head, last, true
		}
	}
	if len(sub) < 7 || len(sub) > 8 {
		return "", phoneInvalid(fmt.Sprintf("landline numbers have 7–8 digits after the area code, got %d", len(sub)))
	}
	if sub[0] == '0' || sub[0] == '1' {
		return "", phoneInvalid("landline numbers cannot start with 0 or 1 after the area code")
	}
	out := area + "-" + sub
	if hasExt {
		out += "-" + ext
	}
	return out, nil
}

func phoneAllDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
