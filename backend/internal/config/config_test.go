package config_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/rawbytes"
	"github.com/knadh/koanf/v2"

	"github.com/aftersales/aftersales/backend/internal/config"
	"github.com/aftersales/aftersales/configs"
)

func TestDefaultsAreValid(t *testing.T) {
	c, err := config.Load("")
	if err != nil {
		t.Fatal(err)
	}
	if c.DB.Driver != "sqlite" || c.DB.DSN != "./data/aftersales.db" || c.HTTP.Addr != ":8080" || c.Location().String() != "Asia/Shanghai" {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestShippedFileMatchesDefaults(t *testing.T) {
	c, err := config.Load(filepath.Join("..", "..", "..", "configs", "aftersales.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	d, _ := config.Load("")
	if c.HTTP != d.HTTP || c.DB != d.DB || c.Auth != d.Auth || c.Readiness != d.Readiness {
		t.Fatalf("configs/aftersales.yaml drifted from the built-in defaults:\n file %+v\n code %+v", c, d)
	}
}

func TestEnvironmentOverrides(t *testing.T) {
	t.Setenv("AFTERSALES_DB_DRIVER", "mysql")
	t.Setenv("AFTERSALES_DB_DSN", "u:p@tcp(db:3306)/aftersales")
	t.Setenv("AFTERSALES_HTTP_SHUTDOWN_TIMEOUT", "3s")
	t.Setenv("AFTERSALES_DEMO_PASSWORD", "another-secret")
	c, err := config.Load("")
	if err != nil {
		t.Fatal(err)
	}
	if c.DB.Driver != "mysql" || c.DB.DSN != "u:p@tcp(db:3306)/aftersales" || c.HTTP.ShutdownTimeout != 3*time.Second || c.Demo.Password != "another-secret" {
		t.Fatalf("env not applied: %+v", c)
	}
}

func TestBadValuesNameTheKey(t *testing.T) {
	cases := map[string][2]string{
		"driver":   {"AFTERSALES_DB_DRIVER", "postgres"},
		"addr":     {"AFTERSALES_HTTP_ADDR", "8080"},
		"duration": {"AFTERSALES_AUTH_SESSION_TTL", "forever"},
		"tz":       {"AFTERSALES_APP_TIMEZONE", "Mars/Olympus"},
		"cron":     {"AFTERSALES_READINESS_SCHEDULE", "every now and then"},
		"unknown":  {"AFTERSALES_NO_SUCH_KEY", "x"},
	}
	want := map[string]string{"driver": "db.driver", "addr": "http.addr", "duration": "session_ttl", "tz": "app.timezone",
		"cron": "readiness.schedule", "unknown": "AFTERSALES_NO_SUCH_KEY"}
	for name, kv := range cases {
		t.Run(name, func(t *testing.T) {
			t.Setenv(kv[0], kv[1])
			_, err := config.Load("")
			if err == nil || !strings.Contains(err.Error(), want[name]) {
				t.Fatalf("want an error naming %s, got %v", want[name], err)
			}
		})
	}
}

func TestBadFileIsRefused(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(p, []byte("db:\n  driver: oracle\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := config.Load(p); err == nil || !strings.Contains(err.Error(), "db.driver") {
		t.Fatalf("got %v", err)
	}
}

// The embedded configs/aftersales.yaml documents every key with exactly the
// default the code uses; a binary started anywhere gets the same values.
func TestEmbeddedDefaultConfigMatchesDefaults(t *testing.T) {
	k := koanf.New(".")
	if err := k.Load(rawbytes.Provider(configs.DefaultConfig()), yaml.Parser()); err != nil {
		t.Fatal(err)
	}
	file := k.All()
	for key, want := range config.Defaults() {
		got, ok := file[key]
		if !ok {
			t.Errorf("configs/aftersales.yaml does not document %s", key)
			continue
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: configs/aftersales.yaml says %v, the code default is %v", key, got, want)
		}
	}
	for key := range file {
		if _, ok := config.Defaults()[key]; !ok {
			t.Errorf("configs/aftersales.yaml has %s, which is not a key", key)
		}
	}
}
