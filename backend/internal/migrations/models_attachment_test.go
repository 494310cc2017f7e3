package migrations_test

import "github.com/aftersales/aftersales/backend/internal/attachment"

// The attachment domain's model, checked against migration 0080.
func init() {
	extraModels = append(extraModels, &attachment.Attachment{})
}
