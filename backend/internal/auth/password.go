package auth

import (
	"bufio"
	_ "embed"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/aftersales/aftersales/backend/internal/apperr"
)

// Password policy (issue 10 item 15): at least MinPasswordLength
// characters, at most 72 bytes (bcrypt reads no further), not one of the
// 10,000 most common passwords, and — on a change — not the current one
// (service.go, setPassword).
const (
	// MinPasswordLength is the fewest characters a password may have.
	MinPasswordLength = 10
	maxPasswordBytes  = 72
)

//go:embed common_passwords.txt
var commonPasswordsText string

var (
	commonOnce      sync.Once
	commonPasswords map[string]struct{}
)

// IsCommonPassword reports whether pw (ignoring case and surrounding
// spaces) is on the embedded list of the 10,000 most common passwords.
func IsCommonPassword(pw string) bool {
	commonOnce.Do(func() {
		commonPasswords = make(map[string]struct{}, 10_000)
		sc := bufio.NewScanner(strings.NewReader(commonPasswordsText))
		for sc.Scan() {
			if w := strings.TrimSpace(sc.Text()); w != "" && !strings.HasPrefix(w, "#") {
				commonPasswords[strings.ToLower(w)] = struct{}{}
			}
		}
	})
	_, ok := commonPasswords[strings.ToLower(strings.TrimSpace(pw))]
	return ok
}

// PasswordProblem returns why pw is not acceptable; its Code is "" when pw
// is acceptable.
func PasswordProblem(pw string) apperr.FieldError {
	switch {
	case utf8.RuneCountInString(pw) < MinPasswordLength:
		return apperr.Code("too_short", "must be at least 10 characters").With("min", MinPasswordLength)
	case len(pw) > maxPasswordBytes:
		return apperr.Code("too_many_bytes", "must be at most 72 bytes").With("max", maxPasswordBytes)
	case IsCommonPassword(pw):
		return apperr.Code("common_password", "is one of the 10,000 most common passwords; choose another")
	}
	return apperr.FieldError{}
}
