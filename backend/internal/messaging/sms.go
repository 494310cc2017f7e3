package messaging

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/url"
)

// SMS is one text to one mobile number. TemplateID and Params are what a
// provider with approved templates (Tencent Cloud SMS) sends; Body is the
// rendered text (what a log-only channel writes and the UI shows).
type SMS struct {
	Phone      string
	Body       string
	TemplateID string
	Params     []string
	// Session is echoed back by the provider (our message id).
	Session string
}

// Receipt is a provider's answer to a sent SMS.
type Receipt struct {
	// Ref is the provider's id of the SMS (Tencent: SerialNo).
	Ref string
}

// Provider sends SMS. Send returns a *ProviderError for a refusal that a
// retry cannot fix (bad number, template not approved); any other error is
// retried.
type Provider interface {
	Name() string
	// LogOnly reports that nothing leaves the server (no credentials).
	LogOnly() bool
	Send(ctx context.Context, m SMS) (Receipt, error)
}

// ProviderError is a provider's refusal of one SMS.
type ProviderError struct {
	Code    string
	Message string
}

func (e *ProviderError) Error() string { return "sms provider: " + e.Code + ": " + e.Message }

// permanent reports whether err is a refusal rather than a transient failure.
func permanent(err error) bool {
	var pe *ProviderError
	return errors.As(err, &pe)
}

// LogOnly is the SMS channel without credentials: it writes the text to the
// server log and sends nothing.
type LogOnly struct{ Log *slog.Logger }

var _ Provider = LogOnly{}

// Name is "log".
func (LogOnly) Name() string { return "log" }

// LogOnly is true.
func (LogOnly) LogOnly() bool { return true }

// Send logs the message (the number masked).
func (l LogOnly) Send(_ context.Context, m SMS) (Receipt, error) {
	log := l.Log
	if log == nil {
		log = slog.Default()
	}
	log.Info("customer message (log only: no SMS credentials)", "phone", MaskPhone(m.Phone), "session", m.Session, "body", m.Body)
	return Receipt{}, nil
}

func newToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// redactURL drops credentials, path and query from a URL for display.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host + "/…"
}
