package migrations_test

import (
	"github.com/aftersales/aftersales/backend/internal/customer"
	"github.com/aftersales/aftersales/backend/internal/product"
)

// Master-data corrections, checked against migration 0075.
func init() {
	extraModels = append(extraModels, &customer.ErasureRequest{}, &product.Transfer{})
}
