package migrations_test

import "github.com/aftersales/aftersales/backend/internal/outbox"

// The outbox's models, checked against migration 0050.
func init() {
	extraModels = append(extraModels, &outbox.Record{}, &outbox.Processed{})
}
