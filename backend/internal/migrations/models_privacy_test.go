package migrations_test

import "github.com/aftersales/aftersales/backend/internal/privacy"

// The PIPL access log, checked against migration 0030.
func init() {
	extraModels = append(extraModels, &privacy.Access{})
}
