package migrations_test

import (
	"github.com/aftersales/aftersales/backend/internal/messaging"
	"github.com/aftersales/aftersales/backend/internal/repair"
)

// The customer-message models, checked against migration 0085, and the
// quote links against 0086.
func init() {
	extraModels = append(extraModels, &messaging.Message{}, &messaging.Template{}, &messaging.Delivery{}, &repair.QuoteLink{})
}
