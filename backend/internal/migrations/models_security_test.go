package migrations_test

import "github.com/aftersales/aftersales/backend/internal/auth"

func init() {
	extraModels = append(extraModels, &auth.LoginAddress{})
}
