package app

import "github.com/aftersales/aftersales/backend/internal/httpapi"

// OpenAPIDocument is the API's OpenAPI document, built from the route table
// without configuration or a database (`aftersales openapi`). The handlers
// in the table are method values of a zero Server; none is called.
func OpenAPIDocument() map[string]any {
	return httpapi.Document((&httpapi.Server{}).Routes())
}
