package migrations_test

import "github.com/aftersales/aftersales/backend/internal/notification"

// The inbox model, checked against migration 0051.
func init() {
	extraModels = append(extraModels, &notification.Notification{})
}
