package migrations_test

import (
	"github.com/aftersales/aftersales/backend/internal/certification"
	"github.com/aftersales/aftersales/backend/internal/readiness"
)

// The readiness and certification models checked by TestModelsMatchSchema
// (migrations 0007, 0101).
func init() {
	extraModels = append(extraModels,
		&readiness.StandardVersion{}, &readiness.Run{}, &readiness.LedgerRow{}, &readiness.AssessmentRecord{},
		&readiness.Deletion{}, &readiness.DeductionRecord{}, &readiness.BonusClaim{}, &readiness.Rollup{}, &readiness.RollupDirty{}, &readiness.RollupBuild{},
		&certification.Document{}, &certification.Cycle{}, &certification.Audit{}, &certification.Reminder{},
		&certification.AuditPack{})
}
