package audit_test

import (
	"crypto/ed25519"
	"encoding/base64"
	"os"
	"testing"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/db"
)

func signB64(k ed25519.PrivateKey, body []byte) string {
	return base64.StdEncoding.EncodeToString(ed25519.Sign(k, body))
}

func mysqlDSN(t *testing.T) string {
	t.Helper()
	return os.Getenv("TEST_MYSQL_DSN")
}

func openMySQL(dsn string) (*gorm.DB, error) {
	return db.Open(db.Options{Driver: "mysql", DSN: dsn, MaxOpenConns: 4})
}
