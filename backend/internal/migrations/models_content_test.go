package migrations_test

import "github.com/aftersales/aftersales/backend/internal/content"

// The content domain's models, checked against migration 0008.
func init() {
	extraModels = append(extraModels, &content.Article{}, &content.Manual{})
}
