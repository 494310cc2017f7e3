package migrations_test

import "github.com/aftersales/aftersales/backend/internal/idempotency"

// The kept answers of Idempotency-Key writes, checked against migration 0091.
func init() {
	extraModels = append(extraModels, &idempotency.Response{})
}
