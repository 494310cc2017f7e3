package config

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Messages configures the messages to customers (messages.*): quiet hours
// in the enterprise zone (app.timezone), the per-phone rate limit, the
// delivery worker and the enterprise's outbound webhook.
type Messages struct {
	// QuietStart and QuietEnd ("21:00", "08:00", local clock) bound the
	// nightly window in which non-urgent SMS wait until QuietEnd.
	QuietStart string `koanf:"quiet_start"`
	QuietEnd   string `koanf:"quiet_end"`
	// RateLimit messages per phone within RateWindow; more are deferred.
	RateLimit  int           `koanf:"rate_limit"`
	RateWindow time.Duration `koanf:"rate_window"`
	// WorkerInterval is how often each instance's delivery worker looks for
	// due messages; ClaimTTL is how long a claimed row is held.
	WorkerInterval time.Duration `koanf:"worker_interval"`
	ClaimTTL       time.Duration `koanf:"claim_ttl"`
	// MaxAttempts failed provider calls before a message is failed;
	// RetryAfter is the wait after the first failure (doubling).
	MaxAttempts int           `koanf:"max_attempts"`
	RetryAfter  time.Duration `koanf:"retry_after"`
	// QuoteLinkValidFor: a public quote approval link expires after this.
	QuoteLinkValidFor time.Duration `koanf:"quote_link_valid_for"`
	// WebhookURL (empty: none) receives every message, signed with
	// WebhookSecret (HMAC-SHA256, docs/messages.md); a delivery is retried
	// with exponential backoff from WebhookBackoff and dead-lettered after
	// WebhookMaxAttempts.
	WebhookURL         string        `koanf:"webhook_url"`
	WebhookSecret      string        `koanf:"webhook_secret"`
	WebhookMaxAttempts int           `koanf:"webhook_max_attempts"`
	WebhookBackoff     time.Duration `koanf:"webhook_backoff"`
}

// SMS configures the SMS provider (sms.*).
type SMS struct {
	Tencent TencentSMS `koanf:"tencent"`
}

// TencentSMS holds the Tencent Cloud SMS credentials and settings. Without
// a secret id and key the SMS channel is "log only".
type TencentSMS struct {
	SecretID  string `koanf:"secret_id"`
	SecretKey string `koanf:"secret_key"`
	SDKAppID  string `koanf:"sdk_app_id"`
	SignName  string `koanf:"sign_name"`
	Region    string `koanf:"region"`
	// Endpoint is the API host (sms.tencentcloudapi.com); an http:// or
	// https:// URL also sets the scheme (tests point it at a local server).
	Endpoint string `koanf:"endpoint"`
	// StatusToken is the secret last segment of the delivery-report
	// callback URL given to Tencent's console
	// (/api/v1/public/sms/tencent/status/<token>): Tencent does not sign its
	// callbacks, so the URL itself is the credential. Empty: no callback.
	StatusToken string `koanf:"status_token"`
}

// Configured reports whether credentials are present.
func (t TencentSMS) Configured() bool { return t.SecretID != "" && t.SecretKey != "" }

// ClockOffset parses "HH:MM" into the offset from midnight.
func ClockOffset(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("want HH:MM, got %q", s)
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

// validateMessages checks the messages.* and sms.* keys.
func (c *Config) validateMessages() error {
	bad := func(key, why string) error { return fmt.Errorf("config: %s: %s", key, why) }
	m := c.Messages
	if _, err := ClockOffset(m.QuietStart); err != nil {
		return bad("messages.quiet_start", err.Error())
	}
	if _, err := ClockOffset(m.QuietEnd); err != nil {
		return bad("messages.quiet_end", err.Error())
	}
	if m.RateLimit < 1 {
		return bad("messages.rate_limit", "at least 1")
	}
	if m.RateWindow < time.Minute {
		return bad("messages.rate_window", "at least 1m")
	}
	if m.WorkerInterval < 100*time.Millisecond {
		return bad("messages.worker_interval", "at least 100ms")
	}
	if m.ClaimTTL < 10*time.Second {
		return bad("messages.claim_ttl", "at least 10s")
	}
	if m.MaxAttempts < 1 || m.MaxAttempts > 20 {
		return bad("messages.max_attempts", "between 1 and 20")
	}
	if m.RetryAfter < time.Second {
		return bad("messages.retry_after", "at least 1s")
	}
	if m.QuoteLinkValidFor < time.Hour {
		return bad("messages.quote_link_valid_for", "at least 1h")
	}
	if m.WebhookURL != "" {
		u, err := url.Parse(m.WebhookURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return bad("messages.webhook_url", "an http(s) URL")
		}
		if len(m.WebhookSecret) < 16 {
			return bad("messages.webhook_secret", "at least 16 characters when messages.webhook_url is set")
		}
	}
	if m.WebhookMaxAttempts < 1 || m.WebhookMaxAttempts > 20 {
		return bad("messages.webhook_max_attempts", "between 1 and 20")
	}
	if m.WebhookBackoff < time.Second {
		return bad("messages.webhook_backoff", "at least 1s")
	}
	t := c.SMS.Tencent
	if (t.SecretID == "") != (t.SecretKey == "") {
		return bad("sms.tencent.secret_key", "set both sms.tencent.secret_id and sms.tencent.secret_key, or neither")
	}
	if t.Configured() && (t.SDKAppID == "" || t.SignName == "") {
		return bad("sms.tencent.sdk_app_id", "sdk_app_id and sign_name are required with credentials")
	}
	if strings.TrimSpace(t.Endpoint) == "" {
		return bad("sms.tencent.endpoint", "required (sms.tencentcloudapi.com)")
	}
	if tok := t.StatusToken; tok != "" && len(tok) < 24 {
		return bad("sms.tencent.status_token", "at least 24 characters (it is the callback's only credential)")
	}
	return nil
}

// messagesDefaults are the built-in messages.* and sms.* keys.
func messagesDefaults() map[string]any {
	return map[string]any{
		"messages.quiet_start":          "21:00",
		"messages.quiet_end":            "08:00",
		"messages.rate_limit":           5,
		"messages.rate_window":          "1h",
		"messages.worker_interval":      "2s",
		"messages.claim_ttl":            "1m",
		"messages.max_attempts":         3,
		"messages.retry_after":          "1m",
		"messages.quote_link_valid_for": "72h",
		"messages.webhook_url":          "",
		"messages.webhook_secret":       "",
		"messages.webhook_max_attempts": 6,
		"messages.webhook_backoff":      "30s",
		"sms.tencent.secret_id":         "",
		"sms.tencent.secret_key":        "",
		"sms.tencent.sdk_app_id":        "",
		"sms.tencent.sign_name":         "",
		"sms.tencent.region":            "ap-guangzhou",
		"sms.tencent.endpoint":          "sms.tencentcloudapi.com",
		"sms.tencent.status_token":      "",
	}
}
