package migrations_test

import "github.com/aftersales/aftersales/backend/internal/audit"

func init() {
	extraModels = append(extraModels, &audit.Record{}, &audit.Checkpoint{})
}
