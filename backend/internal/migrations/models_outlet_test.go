package migrations_test

import "github.com/aftersales/aftersales/backend/internal/outlet"

// The outlet domain's models, checked against migration 0003.
func init() {
	extraModels = append(extraModels, &outlet.Outlet{}, &outlet.OutletCoverage{}, &outlet.OutletCategory{},
		&outlet.StaffMember{}, &outlet.StaffCertificate{}, &outlet.StaffTraining{})
}
