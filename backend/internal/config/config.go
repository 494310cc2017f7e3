// Package config loads the server configuration: built-in defaults, then the
// YAML file (configs/aftersales.yaml), then AFTERSALES_* environment variables.
// A bad value stops start-up with an error naming the key.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/confmap"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/providers/rawbytes"

	"github.com/aftersales/aftersales/configs"
	"github.com/knadh/koanf/v2"
	"github.com/robfig/cron/v3"
)

// EnvPrefix prefixes every environment override, e.g. AFTERSALES_DB_DRIVER.
const EnvPrefix = "AFTERSALES_"

// Config is the whole server configuration. Keys are documented in
// configs/aftersales.yaml and docs/configuration.md.
type Config struct {
	App       App       `koanf:"app"`
	HTTP      HTTP      `koanf:"http"`
	Metrics   Metrics   `koanf:"metrics"`
	DB        DB        `koanf:"db"`
	Auth      Auth      `koanf:"auth"`
	Log       Log       `koanf:"log"`
	Events    Events    `koanf:"events"`
	Scheduler Scheduler `koanf:"scheduler"`
	Storage   Storage   `koanf:"storage"`
	Demo      Demo      `koanf:"demo"`
	Readiness Readiness `koanf:"readiness"`
	Dispatch  Dispatch  `koanf:"dispatch"`
	// Push configures Web Push to the phones (docs/configuration.md).
	Push      Push      `koanf:"push"`
	Complaint Complaint `koanf:"complaint"`
	Survey    Survey    `koanf:"survey"`

	// Certification configures certification cycles and reminders.
	Certification Certification `koanf:"certification"`

	// Repair configures repair KPIs (repeat-repair window).
	Repair Repair `koanf:"repair"`

	// Privacy configures what outlet users see of customers (PIPL).
	Privacy Privacy `koanf:"privacy"`

	// Reports configures the managers' reports (docs/reports.md).
	Reports Reports `koanf:"reports"`

	// Certificates configures certificate validity rules.
	Certificates Certificates `koanf:"certificates"`

	// Staff configures post kinds (qualification rules attach to a kind).
	Staff Staff `koanf:"staff"`

	// Returns configures 三包 returns and exchanges.
	Returns Returns `koanf:"returns"`

	// Audit configures the sequenced audit log and its signed checkpoints.
	Audit Audit `koanf:"audit"`

	// Messages configures the messages to customers; SMS their provider.
	Messages Messages `koanf:"messages"`
	SMS      SMS      `koanf:"sms"`
}

// Certificates configures certificate validity rules.
type Certificates struct {
	Manager ManagerCertificates `koanf:"manager"`
}

// ManagerCertificates configures the 售后服务管理师 certificate.
type ManagerCertificates struct {
	// ValidYears: a certificate is valid from its issue date for this many
	// years (the scheme says 3); a longer recorded expiry is refused.
	ValidYears int `koanf:"valid_years"`
}

// Staff configures staff posts.
type Staff struct {
	// PostKinds maps each post kind (technician, installer, outlet_manager,
	// agent, manager, quality, trainer) to the comma-separated post titles
	// of that kind.
	PostKinds map[string]string `koanf:"post_kinds"`
}

// Returns configures the returns domain.
type Returns struct {
	// ExchangeRestartsWarranty: a replacement unit's 三包 periods start on
	// the exchange date rather than the original purchase date. Inferred
	// from 部分商品修理更换退货责任规定 (换货后三包有效期自换货之日起重新计算);
	// confirm with the enterprise's legal reading before relying on it.
	ExchangeRestartsWarranty bool `koanf:"exchange_restarts_warranty"`
}

// Audit configures the audit log's sequencer, checkpoint key and sink.
type Audit struct {
	// SigningKey is a base64 ed25519 seed (prefer the environment variable
	// or SigningKeyFile); SigningKeyFile holds one. With neither, a key is
	// generated into <data dir>/audit-signing.key.
	SigningKey     string `koanf:"signing_key"`
	SigningKeyFile string `koanf:"signing_key_file"`
	// VerifyKeys: comma-separated base64 public keys of retired signing keys.
	VerifyKeys string `koanf:"verify_keys"`
	// CheckpointSink: a file path or an http(s) URL; default
	// <data dir>/audit-checkpoints.log.
	CheckpointSink     string        `koanf:"checkpoint_sink"`
	CheckpointEvery    int           `koanf:"checkpoint_every"`
	CheckpointInterval time.Duration `koanf:"checkpoint_interval"`
	SequencerInterval  time.Duration `koanf:"sequencer_interval"`
	SequencerLease     time.Duration `koanf:"sequencer_lease"`
	StaleAfter         time.Duration `koanf:"stale_after"`
	GapGrace           time.Duration `koanf:"gap_grace"`
}

// DataDir is where generated state lives by default: the SQLite database's
// directory, else the parent of storage.dir.
func (c *Config) DataDir() string {
	if c.DB.Driver == "sqlite" {
		p := strings.TrimPrefix(c.DB.DSN, "file:")
		if i := strings.IndexByte(p, '?'); i >= 0 {
			p = p[:i]
		}
		return filepath.Dir(p)
	}
	return filepath.Dir(filepath.Clean(c.Storage.Dir))
}

// Reports configures the managers' reports.
type Reports struct {
	// FailureRateWarning: a production lot whose repairs per installed
	// unit reach this rate is flagged on the failure-rate report.
	FailureRateWarning float64 `koanf:"failure_rate_warning"`
}

// Privacy configures the outlet's view of customers.
type Privacy struct {
	// OutletContactDays: an outlet user sees a customer's name, phone and
	// service address through a work order of their outlet while it is open
	// and for this many days after it closed.
	OutletContactDays int `koanf:"outlet_contact_days"`
}

// Repair configures the repairs domain.
type Repair struct {
	// RepeatWindowDays: a repair received within this many days after the
	// completion of the unit's previous repair is a repeat repair, and the
	// previous one was not a first-time fix.
	RepeatWindowDays int `koanf:"repeat_window_days"`
	// MaxBackdateDays: a repair's received_at may lie at most this many days
	// in the past (a repair recorded late); older dates are refused.
	MaxBackdateDays int `koanf:"max_backdate_days"`
}

// App holds enterprise-wide settings.
type App struct {
	Name     string `koanf:"name"`
	Timezone string `koanf:"timezone"`
	BaseURL  string `koanf:"base_url"`
}

// HTTP holds the listener settings.
type HTTP struct {
	Addr            string        `koanf:"addr"`
	ShutdownTimeout time.Duration `koanf:"shutdown_timeout"`
	// CookieSecure is the older name of SecureCookies (either turns it on).
	CookieSecure bool  `koanf:"cookie_secure"`
	MaxBodyBytes int64 `koanf:"max_body_bytes"`
	// RequestTimeout bounds each API request (streams and exports excepted).
	RequestTimeout time.Duration `koanf:"request_timeout"`
	// SecureCookies marks the session cookie Secure even when the request
	// reached us over plain HTTP (TLS terminated by a proxy). A request
	// that came over TLS always gets a Secure cookie.
	SecureCookies bool `koanf:"secure_cookies"`
	// TrustedProxies lists the addresses or CIDR ranges (comma-separated)
	// whose X-Forwarded-For is believed. Empty: the peer address is the
	// client address, whatever the header says.
	TrustedProxies string `koanf:"trusted_proxies"`
	// AllowedOrigins lists further origins (comma-separated, e.g.
	// https://service.example.com) from which a cookie-authenticated
	// browser may change state. The request's own host is always allowed.
	AllowedOrigins string `koanf:"allowed_origins"`
}

// TrustedProxyList returns http.trusted_proxies as a list.
func (h HTTP) TrustedProxyList() []string { return splitList(h.TrustedProxies) }

// AllowedOriginList returns http.allowed_origins as a list.
func (h HTTP) AllowedOriginList() []string { return splitList(h.AllowedOrigins) }

// Metrics configures the Prometheus endpoint. It is never served
// anonymously on the public port.
type Metrics struct {
	// Addr is the separate listen address of /metrics (empty: none).
	Addr string `koanf:"addr"`
	// Token, when set, also serves /metrics on the public port to a
	// request with "Authorization: Bearer <token>".
	Token string `koanf:"token"`
	// Pprof serves Go's profiler (/debug/pprof/) on Addr beside /metrics,
	// never on the public port. Off by default: a CPU profile costs CPU
	// and a heap profile names the code's allocation sites.
	Pprof bool `koanf:"pprof"`
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// DB selects the database.
type DB struct {
	Driver       string        `koanf:"driver"`
	DSN          string        `koanf:"dsn"`
	MaxOpenConns int           `koanf:"max_open_conns"`
	MaxIdleConns int           `koanf:"max_idle_conns"`
	SlowQuery    time.Duration `koanf:"slow_query"`
	// LockWaitTimeout bounds one row-lock wait on MySQL/MariaDB
	// (innodb_lock_wait_timeout, whole seconds); IOTimeout bounds a read or
	// write on a connection, so a hung server never holds a request forever.
	LockWaitTimeout time.Duration `koanf:"lock_wait_timeout"`
	IOTimeout       time.Duration `koanf:"io_timeout"`
}

// Auth holds session and lockout policy.
type Auth struct {
	SessionTTL     time.Duration `koanf:"session_ttl"`
	SlowdownAfter  int           `koanf:"slowdown_after"`
	LockoutAfter   int           `koanf:"lockout_after"`
	IPLockoutAfter int           `koanf:"ip_lockout_after"`
	LockoutFor     time.Duration `koanf:"lockout_for"`
	FailureWindow  time.Duration `koanf:"failure_window"`
	BcryptCost     int           `koanf:"bcrypt_cost"`
	// SlowdownBase is the first delay of the per-account slow-down; each
	// further failure doubles it, up to LockoutFor.
	SlowdownBase time.Duration `koanf:"slowdown_base"`
	// KnownAddressDays: an address from which the account logged in
	// successfully within this many days skips the per-account slow-down.
	KnownAddressDays int `koanf:"known_address_days"`
}

// Log selects structured logging.
type Log struct {
	Level  string `koanf:"level"`
	Format string `koanf:"format"`
}

// Events selects the event bus implementation.
type Events struct {
	Driver    string `koanf:"driver"`
	RedisAddr string `koanf:"redis_addr"`
	Channel   string `koanf:"channel"`
	// SessionCheck is how often each instance re-checks the sessions behind
	// its open WebSockets (the fallback for a lost revocation message).
	SessionCheck time.Duration `koanf:"session_check"`
	// RelayInterval is how often the outbox relay looks for unsent events
	// (it is also woken by every enqueue in this instance).
	RelayInterval time.Duration `koanf:"relay_interval"`
	// RelayLease is how long a crashed relay blocks the other instances.
	RelayLease time.Duration `koanf:"relay_lease"`
}

// Scheduler toggles cron jobs in this instance.
type Scheduler struct {
	Enabled          bool          `koanf:"enabled"`
	LockTTL          time.Duration `koanf:"lock_ttl"`
	SLACheck         string        `koanf:"sla_check"`
	DispatchTimeouts string        `koanf:"dispatch_timeouts"`
	// OfferReminders tells outlets of offers at 50% and 80% of their time.
	OfferReminders string `koanf:"offer_reminders"`
	// ComplaintEscalation marks overdue complaints and escalates them.
	ComplaintEscalation string `koanf:"complaint_escalation"`
	// SurveyDispatch sends scheduled survey links and retries dissatisfied actions.
	SurveyDispatch string `koanf:"survey_dispatch"`
	// SurveyRelationship runs the annual relationship survey.
	SurveyRelationship string `koanf:"survey_relationship"`
}

// Storage is where uploaded files live (outside any web root): evidence,
// manuals and attachments, and the attachments' limits.
type Storage struct {
	Dir          string `koanf:"dir"`
	MaxUploadMiB int64  `koanf:"max_upload_mib"`
	// AttachmentMaxMiB bounds one attachment of a service record (at most
	// max(max_upload_mib, 20), the upload routes' body limit).
	AttachmentMaxMiB int64 `koanf:"attachment_max_mib"`
	// AttachmentTypes are the accepted attachment extensions, comma
	// separated, each one of jpg, jpeg, png, pdf.
	AttachmentTypes string `koanf:"attachment_types"`
	// ImageMaxMegapixels refuses larger images before decoding them.
	ImageMaxMegapixels int `koanf:"image_max_megapixels"`
	// ThumbnailPx is the longer side of an image attachment's thumbnail.
	ThumbnailPx int `koanf:"thumbnail_px"`
}

// AttachmentTypeList is storage.attachment_types split.
func (s Storage) AttachmentTypeList() []string { return splitList(s.AttachmentTypes) }

// Demo holds the demo enterprise settings.
type Demo struct {
	Password string `koanf:"password"`
}

// Readiness configures the certification readiness engine.
type Readiness struct {
	Schedule     string `koanf:"schedule"`
	StandardFile string `koanf:"standard_file"`
	StandardsDir string `koanf:"standards_dir"`
	WindowMonths int    `koanf:"window_months"`
	// Debounce is how long after the last relevant change a run starts.
	Debounce time.Duration `koanf:"debounce"`
	// PartsLeadHours is the committed spare-parts lead time of the
	// spare_parts_fill_rate measure.
	PartsLeadHours int `koanf:"parts_lead_hours"`
	// ComplaintLegalDays is the legal limit past which an unresolved
	// complaint is suggested as a special deduction.
	ComplaintLegalDays int `koanf:"complaint_legal_days"`
}

// Certification configures certification cycles and their reminders.
type Certification struct {
	SurveillanceMonths     int    `koanf:"surveillance_months"`
	SurveillanceWindowDays int    `koanf:"surveillance_window_days"`
	ValidityYears          int    `koanf:"validity_years"`
	ReminderDays           string `koanf:"reminder_days"`
	ReminderSchedule       string `koanf:"reminder_schedule"`
}

// ReminderDayList parses certification.reminder_days ("90,30,7").
func (c Certification) ReminderDayList() ([]int, error) {
	var out []int
	for _, f := range strings.Split(c.ReminderDays, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 || n > 366 {
			return nil, fmt.Errorf("want days between 1 and 366, got %q", f)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, errors.New("at least one lead time is required")
	}
	return out, nil
}

// Push configures Web Push (RFC 8030/8291/8292): the VAPID key pair the
// application server signs with, as the browser's PushManager expects them
// (base64url, uncompressed P-256 public point and the 32-byte private
// scalar), and the contact sent as the JWT's sub. With no keys, Web Push is
// off and the phone app polls while it is open.
type Push struct {
	VAPIDPublicKey  string `koanf:"vapid_public_key"`
	VAPIDPrivateKey string `koanf:"vapid_private_key"`
	// Subject is a mailto: address or https: URL of the operator.
	Subject string `koanf:"subject"`
	// TTL is how long the push service keeps an undelivered message.
	TTL time.Duration `koanf:"ttl"`
}

// Enabled reports whether both VAPID keys are set.
func (p Push) Enabled() bool { return p.VAPIDPublicKey != "" && p.VAPIDPrivateKey != "" }

// Dispatch configures outlet offers.
type Dispatch struct {
	AcceptTimeout time.Duration `koanf:"accept_timeout"`
}

// Defaults returns the built-in configuration.
func Defaults() map[string]any {
	d := map[string]any{
		"app.name":                        "售后服务运营平台",
		"app.timezone":                    "Asia/Shanghai",
		"app.base_url":                    "http://localhost:8080",
		"http.addr":                       ":8080",
		"http.shutdown_timeout":           "15s",
		"http.cookie_secure":              false,
		"http.max_body_bytes":             int64(1 << 20),
		"http.secure_cookies":             false,
		"http.trusted_proxies":            "",
		"http.allowed_origins":            "",
		"metrics.addr":                    "127.0.0.1:9090",
		"metrics.token":                   "",
		"metrics.pprof":                   false,
		"auth.slowdown_base":              "1s",
		"auth.known_address_days":         90,
		"http.request_timeout":            "15s",
		"db.lock_wait_timeout":            "10s",
		"db.io_timeout":                   "120s",
		"db.driver":                       "sqlite",
		"db.dsn":                          "./data/aftersales.db",
		"db.max_open_conns":               16,
		"db.max_idle_conns":               8,
		"db.slow_query":                   "200ms",
		"auth.session_ttl":                "12h",
		"auth.slowdown_after":             3,
		"auth.lockout_after":              8,
		"auth.ip_lockout_after":           50,
		"auth.lockout_for":                "15m",
		"auth.failure_window":             "15m",
		"auth.bcrypt_cost":                10,
		"log.level":                       "info",
		"log.format":                      "text",
		"events.driver":                   "memory",
		"events.redis_addr":               "127.0.0.1:6379",
		"events.channel":                  "aftersales.events",
		"events.session_check":            "5s",
		"events.relay_interval":           "250ms",
		"audit.signing_key":               "",
		"audit.signing_key_file":          "",
		"audit.verify_keys":               "",
		"audit.checkpoint_sink":           "",
		"audit.checkpoint_every":          1000,
		"audit.checkpoint_interval":       "1m",
		"audit.sequencer_interval":        "250ms",
		"audit.sequencer_lease":           "5s",
		"audit.stale_after":               "10s",
		"audit.gap_grace":                 "60s",
		"events.relay_lease":              "15s",
		"scheduler.enabled":               true,
		"scheduler.lock_ttl":              "10m",
		"scheduler.sla_check":             "@every 1m",
		"scheduler.dispatch_timeouts":     "@every 1m",
		"scheduler.offer_reminders":       "@every 1m",
		"push.vapid_public_key":           "",
		"push.vapid_private_key":          "",
		"push.subject":                    "mailto:ops@example.com",
		"push.ttl":                        "1h",
		"storage.dir":                     "./data/files",
		"storage.max_upload_mib":          int64(20),
		"storage.attachment_max_mib":      int64(10),
		"storage.attachment_types":        "jpg,jpeg,png,pdf",
		"storage.image_max_megapixels":    50,
		"storage.thumbnail_px":            320,
		"demo.password":                   "demo123456",
		"readiness.schedule":              "*/5 * * * *",
		"readiness.standard_file":         "",
		"readiness.standards_dir":         "",
		"readiness.window_months":         12,
		"dispatch.accept_timeout":         "30m",
		"scheduler.complaint_escalation":  "@every 1m",
		"scheduler.survey_dispatch":       "@every 1m",
		"scheduler.survey_relationship":   "0 3 2 1 *",
		"complaint.ack_within":            "2h",
		"complaint.resolve_within":        "24h",
		"complaint.major_ack_within":      "1h",
		"complaint.major_resolve_within":  "24h",
		"complaint.crisis_ack_within":     "30m",
		"complaint.crisis_resolve_within": "24h",
		"complaint.escalation_chain":      "quality_manager,admin",
		"survey.delay":                    "2h",
		"survey.link_rate":                0.3,
		"survey.followup_rate":            1.0,
		"survey.followup_within":          "72h",
		"survey.link_valid_for":           "168h",
		"survey.max_attempts":             3,
		"survey.dissatisfied_at_or_below": 2,
		"survey.dissatisfied_action":      "complaint",
		"survey.callback_within":          "24h",
		"survey.relationship_rate":        0.2,

		// Readiness engine and certification (see docs/configuration.md).
		"readiness.debounce":                     "30s",
		"readiness.parts_lead_hours":             24,
		"readiness.complaint_legal_days":         7,
		"certification.surveillance_months":      12,
		"certification.surveillance_window_days": 60,
		"certification.validity_years":           3,
		"certification.reminder_days":            "90,30,7",
		"certification.reminder_schedule":        "0 8 * * *",

		// Repairs (see docs/configuration.md).
		"repair.repeat_window_days": 30,
		"repair.max_backdate_days":  7,

		// Privacy (see docs/configuration.md and docs/security.md).
		"privacy.outlet_contact_days": 30,

		// Reports (see docs/configuration.md and docs/reports.md).
		"reports.failure_rate_warning": 0.05,

		// Certificates and staff posts (see docs/configuration.md and docs/readiness.md).
		"certificates.manager.valid_years": 3,
		"staff.post_kinds.technician":      "维修技师,上门维修工程师,维修工程师,维修工,服务工程师,技术员",
		"staff.post_kinds.installer":       "安装工,安装技师,安装工程师",
		"staff.post_kinds.outlet_manager":  "网点经理,网点负责人,站长",
		"staff.post_kinds.agent":           "客服专员,客服,热线坐席,接线员",
		"staff.post_kinds.manager":         "售后经理,售后主管,服务经理,售后总监",
		"staff.post_kinds.quality":         "质量专员,质量经理,质检员",
		"staff.post_kinds.trainer":         "培训专员,培训师",

		// Returns and exchanges (see docs/configuration.md).
		"returns.exchange_restarts_warranty": true,
	}
	// Messages to customers and the SMS provider (see config/messages.go).
	for k, v := range messagesDefaults() {
		d[k] = v
	}
	return d
}

// Load reads defaults, then the file at path (if non-empty and present), then
// the environment. It validates the result.
func Load(path string) (*Config, error) {
	k := koanf.New(".")
	defaults := Defaults()
	if err := k.Load(confmap.Provider(defaults, "."), nil); err != nil {
		return nil, fmt.Errorf("config defaults: %w", err)
	}
	// The shipped configs/aftersales.yaml is embedded, so a binary started
	// from any directory has the documented defaults (a test keeps the file
	// and Defaults() equal).
	if err := k.Load(rawbytes.Provider(configs.DefaultConfig()), yaml.Parser()); err != nil {
		return nil, fmt.Errorf("embedded default config: %w", err)
	}
	if path != "" {
		if _, err := os.Stat(path); err == nil {
			if err := k.Load(file.Provider(path), yaml.Parser()); err != nil {
				return nil, fmt.Errorf("config file %s: %w", path, err)
			}
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("config file %s: %w", path, err)
		}
	}
	// Environment: AFTERSALES_HTTP_SHUTDOWN_TIMEOUT is ambiguous by itself
	// (http.shutdown.timeout?), so it is matched against the known keys.
	known := map[string]string{}
	for key := range defaults {
		known[EnvPrefix+strings.ToUpper(strings.ReplaceAll(key, ".", "_"))] = key
	}
	env := map[string]any{}
	for _, kv := range os.Environ() {
		name, val, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, EnvPrefix) {
			continue
		}
		key, ok := known[name]
		if !ok {
			return nil, fmt.Errorf("config: unknown environment variable %s (no such key)", name)
		}
		env[key] = val
	}
	if err := k.Load(confmap.Provider(env, "."), nil); err != nil {
		return nil, fmt.Errorf("config env: %w", err)
	}
	var c Config
	if err := k.UnmarshalWithConf("", &c, koanf.UnmarshalConf{Tag: "koanf"}); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Validate checks every key and names the first bad one.
func (c *Config) Validate() error {
	bad := func(key, why string) error { return fmt.Errorf("config: %s: %s", key, why) }
	if _, err := time.LoadLocation(c.App.Timezone); err != nil {
		return bad("app.timezone", "unknown time zone "+c.App.Timezone)
	}
	if _, _, err := net.SplitHostPort(c.HTTP.Addr); err != nil {
		return bad("http.addr", fmt.Sprintf("want host:port, got %q", c.HTTP.Addr))
	}
	if c.HTTP.ShutdownTimeout <= 0 {
		return bad("http.shutdown_timeout", "must be positive")
	}
	if c.HTTP.MaxBodyBytes < 1024 {
		return bad("http.max_body_bytes", "must be at least 1024")
	}
	for _, p := range c.HTTP.TrustedProxyList() {
		if net.ParseIP(p) == nil {
			if _, _, err := net.ParseCIDR(p); err != nil {
				return bad("http.trusted_proxies", fmt.Sprintf("want IP addresses or CIDR ranges, got %q", p))
			}
		}
	}
	for _, o := range c.HTTP.AllowedOriginList() {
		if u, err := url.Parse(o); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return bad("http.allowed_origins", fmt.Sprintf("want origins like https://host[:port], got %q", o))
		}
	}
	if c.Metrics.Addr != "" {
		if _, _, err := net.SplitHostPort(c.Metrics.Addr); err != nil {
			return bad("metrics.addr", fmt.Sprintf("want host:port or empty, got %q", c.Metrics.Addr))
		}
		if c.Metrics.Addr == c.HTTP.Addr {
			return bad("metrics.addr", "must differ from http.addr (metrics are never public)")
		}
	}
	if c.Metrics.Token != "" && len(c.Metrics.Token) < 16 {
		return bad("metrics.token", "must be at least 16 characters")
	}
	if c.Audit.SequencerInterval < time.Millisecond || c.Audit.SequencerInterval > 250*time.Millisecond {
		return bad("audit.sequencer_interval", "must be between 1ms and 250ms")
	}
	if c.Audit.SequencerLease < time.Second || c.Audit.CheckpointInterval < time.Second || c.Audit.StaleAfter < time.Second {
		return bad("audit.sequencer_lease", "audit.sequencer_lease, checkpoint_interval and stale_after must be at least 1s")
	}
	if c.Audit.CheckpointEvery < 1 || c.Audit.GapGrace < 0 {
		return bad("audit.checkpoint_every", "must be at least 1 (and audit.gap_grace not negative)")
	}
	if c.HTTP.RequestTimeout < 0 {
		return bad("http.request_timeout", "must not be negative (0 turns the deadline off)")
	}
	if c.DB.LockWaitTimeout < time.Second {
		return bad("db.lock_wait_timeout", "must be at least 1s")
	}
	if c.DB.IOTimeout < time.Second {
		return bad("db.io_timeout", "must be at least 1s")
	}
	switch c.DB.Driver {
	case "sqlite", "mysql":
	default:
		return bad("db.driver", fmt.Sprintf("want sqlite or mysql, got %q", c.DB.Driver))
	}
	if c.DB.DSN == "" {
		return bad("db.dsn", "must not be empty")
	}
	if c.DB.MaxOpenConns < 1 {
		return bad("db.max_open_conns", "must be at least 1")
	}
	if c.Auth.SessionTTL < time.Minute {
		return bad("auth.session_ttl", "must be at least 1m")
	}
	if c.Auth.LockoutAfter < 1 || c.Auth.SlowdownAfter < 0 || c.Auth.SlowdownAfter > c.Auth.LockoutAfter {
		return bad("auth.lockout_after", "must be >= 1 and >= auth.slowdown_after")
	}
	if c.Auth.IPLockoutAfter < c.Auth.LockoutAfter {
		return bad("auth.ip_lockout_after", "must be >= auth.lockout_after")
	}
	if c.Auth.LockoutFor <= 0 || c.Auth.FailureWindow <= 0 {
		return bad("auth.lockout_for", "lockout_for and failure_window must be positive")
	}
	if c.Auth.SlowdownBase < 10*time.Millisecond || c.Auth.SlowdownBase > c.Auth.LockoutFor {
		return bad("auth.slowdown_base", "must be between 10ms and auth.lockout_for")
	}
	if c.Auth.KnownAddressDays < 1 {
		return bad("auth.known_address_days", "must be at least 1")
	}
	if c.Auth.BcryptCost < 4 || c.Auth.BcryptCost > 16 {
		return bad("auth.bcrypt_cost", "must be between 4 and 16")
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		return bad("log.level", "want debug, info, warn or error")
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		return bad("log.format", "want text or json")
	}
	switch c.Events.Driver {
	case "memory", "redis":
	default:
		return bad("events.driver", "want memory or redis")
	}
	if c.Events.RelayInterval < time.Millisecond || c.Events.RelayInterval > time.Minute {
		return bad("events.relay_interval", "want between 1ms and 1m")
	}
	if c.Events.RelayLease < time.Second {
		return bad("events.relay_lease", "want at least 1s")
	}
	parser := cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
	for key, spec := range map[string]string{"readiness.schedule": c.Readiness.Schedule, "scheduler.sla_check": c.Scheduler.SLACheck, "scheduler.dispatch_timeouts": c.Scheduler.DispatchTimeouts, "scheduler.offer_reminders": c.Scheduler.OfferReminders} {
		if _, err := parser.Parse(spec); err != nil {
			return bad(key, "bad cron spec: "+err.Error())
		}
	}
	if c.Scheduler.LockTTL < time.Second {
		return bad("scheduler.lock_ttl", "must be at least 1s")
	}
	if c.Storage.MaxUploadMiB < 1 {
		return bad("storage.max_upload_mib", "must be at least 1")
	}
	// The upload routes' body limit is max(storage.max_upload_mib, 20) MiB
	// plus the envelope (app.New); an attachment must fit in it.
	if c.Storage.AttachmentMaxMiB < 1 || c.Storage.AttachmentMaxMiB > max(c.Storage.MaxUploadMiB, 20) {
		return bad("storage.attachment_max_mib", "must be between 1 and max(storage.max_upload_mib, 20)")
	}
	for _, t := range c.Storage.AttachmentTypeList() {
		if !slices.Contains([]string{"jpg", "jpeg", "png", "pdf"}, strings.ToLower(strings.TrimPrefix(t, "."))) {
			return bad("storage.attachment_types", "each one of jpg, jpeg, png, pdf")
		}
	}
	if len(c.Storage.AttachmentTypeList()) == 0 {
		return bad("storage.attachment_types", "name at least one type")
	}
	if c.Storage.ImageMaxMegapixels < 1 || c.Storage.ImageMaxMegapixels > 200 {
		return bad("storage.image_max_megapixels", "must be between 1 and 200")
	}
	if c.Storage.ThumbnailPx < 32 || c.Storage.ThumbnailPx > 1024 {
		return bad("storage.thumbnail_px", "must be between 32 and 1024")
	}
	if len([]rune(c.Demo.Password)) < 10 {
		return bad("demo.password", "must be at least 10 characters (the password policy)")
	}
	if c.Readiness.WindowMonths < 1 || c.Readiness.WindowMonths > 60 {
		return bad("readiness.window_months", "must be between 1 and 60")
	}
	if c.Readiness.Debounce < time.Second {
		return bad("readiness.debounce", "must be at least 1s")
	}
	if c.Certificates.Manager.ValidYears < 1 || c.Certificates.Manager.ValidYears > 10 {
		return bad("certificates.manager.valid_years", "must be between 1 and 10")
	}
	if c.Readiness.PartsLeadHours < 1 {
		return bad("readiness.parts_lead_hours", "must be at least 1")
	}
	if c.Readiness.ComplaintLegalDays < 1 {
		return bad("readiness.complaint_legal_days", "must be at least 1")
	}
	if c.Certification.SurveillanceMonths < 1 || c.Certification.SurveillanceMonths > 12 {
		return bad("certification.surveillance_months", "must be between 1 and 12 (surveillance is at least yearly)")
	}
	if c.Certification.SurveillanceWindowDays < 0 || c.Certification.SurveillanceWindowDays > 180 {
		return bad("certification.surveillance_window_days", "must be between 0 and 180")
	}
	if c.Certification.ValidityYears < 1 || c.Certification.ValidityYears > 10 {
		return bad("certification.validity_years", "must be between 1 and 10")
	}
	if _, err := c.Certification.ReminderDayList(); err != nil {
		return bad("certification.reminder_days", err.Error())
	}
	if _, err := parser.Parse(c.Certification.ReminderSchedule); err != nil {
		return bad("certification.reminder_schedule", "bad cron spec: "+err.Error())
	}
	if (c.Push.VAPIDPublicKey == "") != (c.Push.VAPIDPrivateKey == "") {
		return bad("push.vapid_private_key", "set both VAPID keys or neither")
	}
	if c.Push.TTL < 0 {
		return bad("push.ttl", "must not be negative")
	}
	if c.Dispatch.AcceptTimeout < time.Minute {
		return bad("dispatch.accept_timeout", "must be at least 1m")
	}
	if err := c.validateMessages(); err != nil {
		return err
	}
	if err := c.validateQuality(); err != nil {
		return err
	}
	if c.Repair.RepeatWindowDays < 1 || c.Repair.RepeatWindowDays > 365 {
		return bad("repair.repeat_window_days", "must be between 1 and 365")
	}
	if c.Repair.MaxBackdateDays < 0 || c.Repair.MaxBackdateDays > 365 {
		return bad("repair.max_backdate_days", "must be between 0 and 365")
	}
	if c.Reports.FailureRateWarning <= 0 || c.Reports.FailureRateWarning > 1 {
		return bad("reports.failure_rate_warning", "must be above 0 and at most 1")
	}
	if c.Privacy.OutletContactDays < 0 || c.Privacy.OutletContactDays > 365 {
		return bad("privacy.outlet_contact_days", "must be between 0 and 365")
	}
	if c.Events.SessionCheck < time.Second || c.Events.SessionCheck > 5*time.Minute {
		return bad("events.session_check", "must be between 1s and 5m")
	}
	return nil
}

// Location returns the enterprise time zone (validated at load).
func (c *Config) Location() *time.Location {
	loc, err := time.LoadLocation(c.App.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}
