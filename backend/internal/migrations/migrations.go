// Package migrations holds the numbered, append-only schema changes. Each
// migration declares frozen copies of the structs it touches, so a later
// change to a domain model never rewrites history. Applied migrations are
// recorded in the schema_migrations table. DDL does not roll back on MySQL, so
// every migration must be safe to re-run (AutoMigrate and IF NOT EXISTS are).
package migrations

import (
	"fmt"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// All returns every migration in order. Append only: never edit or reorder.
func All() []*gormigrate.Migration {
	return []*gormigrate.Migration{
		m0001Platform(),
		m0002CustomersProducts(),
		m0003OutletsStaff(),
		m0004TicketsSLAWorkOrders(),
		m0005ComplaintsSurveys(),
		m0006RepairsPartsReturnsRecalls(),
		m0007ReadinessCertification(),
		m0008Content(),
		m0009PolicyRemovals(),
		m0020LoginAddresses(),
		m0050Outbox(),
		m0030PIIAccessLog(),
		m0051Notifications(),
		m0010ReadinessAuditGrade(),
		m0040Consistency(),
		m0060AuditLog(),
		m0115JobTicks(),
		m0095Reports(),
		m0080Attachments(),
		m0090CheckInLocation(),
		m0091IdempotentResponses(),
		m0100ReadinessAsyncRuns(),
		m0101ReadinessRollups(),
		m0070SearchTails(),
		m0071CustomerSearchGrams(),
		m0096OutletNamesUnique(),
		m0085CustomerMessages(),
		m0086RepairQuoteLinks(),
		m0130PhonePush(),
		m0075MasterDataCorrections(),
		m0120SearchCoveringIndexes(),
		m0121CustomerNamePrefixIndex(),
		m0140TicketEventBodyCodes(),
		m0160ReadinessWindowIndexes(),
		m0161ReadinessSlowMeasures(),
		m0145AuditPackLanguage(),
	}
}

// Migrate applies all pending migrations.
func Migrate(db *gorm.DB) error {
	m := gormigrate.New(db, &gormigrate.Options{
		TableName:                 "schema_migrations",
		IDColumnName:              "id",
		IDColumnSize:              64,
		UseTransaction:            false,
		ValidateUnknownMigrations: true,
	}, All())
	if err := m.Migrate(); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// Applied lists the IDs recorded as applied.
func Applied(db *gorm.DB) ([]string, error) {
	var ids []string
	if !db.Migrator().HasTable("schema_migrations") {
		return nil, nil
	}
	if err := db.Table("schema_migrations").Order("id").Pluck("id", &ids).Error; err != nil {
		return nil, fmt.Errorf("list applied migrations: %w", err)
	}
	return ids, nil
}

// MigrateTo applies migrations up to and including id (used to test that a
// database created by an older version upgrades cleanly).
func MigrateTo(db *gorm.DB, id string) error {
	m := gormigrate.New(db, &gormigrate.Options{TableName: "schema_migrations", IDColumnName: "id", IDColumnSize: 64}, All())
	if err := m.MigrateTo(id); err != nil {
		return fmt.Errorf("migrate to %s: %w", id, err)
	}
	return nil
}
