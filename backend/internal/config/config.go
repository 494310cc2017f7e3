// Package config loads the server configuration: built-in defaults, then the
// YAML file (configs/aftersales.yaml), then AFTERSALES_* environment variables.
// A bad value stops start-up with an error naming the key.
package config

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/confmap"
	"github.com/knadh/koanf/providers/file"
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
	DB        DB        `koanf:"db"`
	Auth      Auth      `koanf:"auth"`
	Log       Log       `koanf:"log"`
	Events    Events    `koanf:"events"`
	Scheduler Scheduler `koanf:"scheduler"`
	Storage   Storage   `koanf:"storage"`
	Demo      Demo      `koanf:"demo"`
	Readiness Readiness `koanf:"readiness"`
	Dispatch  Dispatch  `koanf:"dispatch"`
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
	CookieSecure    bool          `koanf:"cookie_secure"`
	MaxBodyBytes    int64         `koanf:"max_body_bytes"`
}

// DB selects the database.
type DB struct {
	Driver       string        `koanf:"driver"`
	DSN          string        `koanf:"dsn"`
	MaxOpenConns int           `koanf:"max_open_conns"`
	MaxIdleConns int           `koanf:"max_idle_conns"`
	SlowQuery    time.Duration `koanf:"slow_query"`
}

// Auth holds session and lockout policy.
type Auth struct {
	SessionTTL    time.Duration `koanf:"session_ttl"`
	SlowdownAfter int           `koanf:"slowdown_after"`
	LockoutAfter  int           `koanf:"lockout_after"`
	LockoutFor    time.Duration `koanf:"lockout_for"`
	FailureWindow time.Duration `koanf:"failure_window"`
	BcryptCost    int           `koanf:"bcrypt_cost"`
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
}

// Scheduler toggles cron jobs in this instance.
type Scheduler struct {
	Enabled          bool          `koanf:"enabled"`
	LockTTL          time.Duration `koanf:"lock_ttl"`
	SLACheck         string        `koanf:"sla_check"`
	DispatchTimeouts string        `koanf:"dispatch_timeouts"`
}

// Storage is where uploaded evidence files live (outside any web root).
type Storage struct {
	Dir          string `koanf:"dir"`
	MaxUploadMiB int64  `koanf:"max_upload_mib"`
}

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
}

// Dispatch configures outlet offers.
type Dispatch struct {
	AcceptTimeout time.Duration `koanf:"accept_timeout"`
}

// Defaults returns the built-in configuration.
func Defaults() map[string]any {
	return map[string]any{
		"app.name":                    "售后服务运营平台",
		"app.timezone":                "Asia/Shanghai",
		"app.base_url":                "http://localhost:8080",
		"http.addr":                   ":8080",
		"http.shutdown_timeout":       "15s",
		"http.cookie_secure":          false,
		"http.max_body_bytes":         int64(1 << 20),
		"db.driver":                   "sqlite",
		"db.dsn":                      "./data/aftersales.db",
		"db.max_open_conns":           16,
		"db.max_idle_conns":           8,
		"db.slow_query":               "200ms",
		"auth.session_ttl":            "12h",
		"auth.slowdown_after":         3,
		"auth.lockout_after":          8,
		"auth.lockout_for":            "15m",
		"auth.failure_window":         "15m",
		"auth.bcrypt_cost":            10,
		"log.level":                   "info",
		"log.format":                  "text",
		"events.driver":               "memory",
		"events.redis_addr":           "127.0.0.1:6379",
		"events.channel":              "aftersales.events",
		"scheduler.enabled":           true,
		"scheduler.lock_ttl":          "10m",
		"scheduler.sla_check":         "@every 1m",
		"scheduler.dispatch_timeouts": "@every 1m",
		"storage.dir":                 "./data/files",
		"storage.max_upload_mib":      int64(20),
		"demo.password":               "demo123456",
		"readiness.schedule":          "*/5 * * * *",
		"readiness.standard_file":     "configs/standards/gbt27922-2011.yaml",
		"readiness.standards_dir":     "configs/standards",
		"readiness.window_months":     12,
		"dispatch.accept_timeout":     "30m",
	}
}

// Load reads defaults, then the file at path (if non-empty and present), then
// the environment. It validates the result.
func Load(path string) (*Config, error) {
	k := koanf.New(".")
	defaults := Defaults()
	if err := k.Load(confmap.Provider(defaults, "."), nil); err != nil {
		return nil, fmt.Errorf("config defaults: %w", err)
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
	if c.Auth.LockoutFor <= 0 || c.Auth.FailureWindow <= 0 {
		return bad("auth.lockout_for", "lockout_for and failure_window must be positive")
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
	parser := cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
	for key, spec := range map[string]string{"readiness.schedule": c.Readiness.Schedule, "scheduler.sla_check": c.Scheduler.SLACheck, "scheduler.dispatch_timeouts": c.Scheduler.DispatchTimeouts} {
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
	if len(c.Demo.Password) < 8 {
		return bad("demo.password", "must be at least 8 characters")
	}
	if c.Readiness.WindowMonths < 1 || c.Readiness.WindowMonths > 60 {
		return bad("readiness.window_months", "must be between 1 and 60")
	}
	if c.Dispatch.AcceptTimeout < time.Minute {
		return bad("dispatch.accept_timeout", "must be at least 1m")
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
