package migrations

import (
	"fmt"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// m0060AuditLog turns the audit trail into a sequenced log (issue 14).
// Why: every audited write took the audit_chains row lock until commit, so
// the whole platform's write rate was bounded by one row lock. Now:
//   - audit_records gets its own identity (leaf_id, auto-increment primary
//     key); seq becomes NULL until the sequencer assigns it (unique), and
//     leaf_hash holds a leaf's content hash; prev_hash/hash default to ”.
//   - audit_chains (the sequencer's head) gets leaf_watermark: every leaf id
//     up to it is sequenced or recorded as a gap.
//   - audit_checkpoints holds the signed checkpoints.
//
// Existing records keep their seq and hashes (the original hash scheme,
// recognised by an empty leaf_hash): the old chain is the first segment,
// which the sequencer signs as the first checkpoint when it starts.
// Re-runnable: each step checks whether it is done (MySQL DDL does not roll back).
func m0060AuditLog() *gormigrate.Migration {
	type AuditCheckpoint struct {
		Seq        uint64    `gorm:"primaryKey;autoIncrement:false"`
		Hash       string    `gorm:"size:64;not null"`
		At         time.Time `gorm:"not null"`
		KeyID      string    `gorm:"size:16;not null"`
		Signature  string    `gorm:"size:128;not null"`
		ExportedAt *time.Time
	}
	type AuditChain struct {
		ID            int    `gorm:"primaryKey;autoIncrement:false"`
		Seq           uint64 `gorm:"not null"`
		Hash          string `gorm:"size:64;not null"`
		LeafWatermark uint64 `gorm:"not null;default:0"`
	}
	return &gormigrate.Migration{
		ID: "0060_audit_log",
		Migrate: func(tx *gorm.DB) error {
			if !tx.Migrator().HasColumn("audit_records", "leaf_id") {
				if err := reshapeAuditRecords(tx); err != nil {
					return err
				}
			}
			if err := tx.AutoMigrate(&AuditChain{}, &AuditCheckpoint{}); err != nil {
				return err
			}
			// The head row exists from the start; every existing record is
			// sequenced, so the watermark covers them.
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&AuditChain{ID: 1}).Error; err != nil {
				return err
			}
			return tx.Exec("UPDATE audit_chains SET leaf_watermark = (SELECT COALESCE(MAX(leaf_id), 0) FROM audit_records) WHERE id = 1 AND leaf_watermark = 0").Error
		},
	}
}

func reshapeAuditRecords(tx *gorm.DB) error {
	if tx.Dialector.Name() == "mysql" {
		// One ALTER (atomic in InnoDB). The new auto-increment column numbers
		// the existing rows in primary-key (seq) order.
		err := tx.Exec("ALTER TABLE audit_records DROP PRIMARY KEY," +
			" ADD COLUMN leaf_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY FIRST," +
			" MODIFY seq BIGINT UNSIGNED NULL," +
			" ADD COLUMN leaf_hash VARCHAR(64) NOT NULL DEFAULT ''," +
			" MODIFY prev_hash VARCHAR(64) NOT NULL DEFAULT ''," +
			" MODIFY hash VARCHAR(64) NOT NULL DEFAULT ''," +
			" ADD UNIQUE INDEX ux_audit_records_seq (seq)").Error
		if err != nil {
			return fmt.Errorf("0060: reshape audit_records: %w", err)
		}
		return nil
	}
	// SQLite cannot change a primary key: rebuild the table in one transaction.
	return tx.Transaction(func(tx *gorm.DB) error {
		for _, q := range []string{
			"CREATE TABLE `audit_records_0060` (`leaf_id` integer PRIMARY KEY AUTOINCREMENT,`seq` integer," +
				"`at` datetime NOT NULL,`actor_id` integer,`actor_name` text NOT NULL,`action` text NOT NULL," +
				"`entity` text NOT NULL,`entity_id` text NOT NULL,`before` text,`after` text,`request_id` text,`ip` text," +
				"`leaf_hash` text NOT NULL DEFAULT '',`prev_hash` text NOT NULL DEFAULT '',`hash` text NOT NULL DEFAULT '')",
			"INSERT INTO `audit_records_0060` (`leaf_id`,`seq`,`at`,`actor_id`,`actor_name`,`action`,`entity`,`entity_id`," +
				"`before`,`after`,`request_id`,`ip`,`leaf_hash`,`prev_hash`,`hash`) SELECT `seq`,`seq`,`at`,`actor_id`,`actor_name`," +
				"`action`,`entity`,`entity_id`,`before`,`after`,`request_id`,`ip`,'',`prev_hash`,`hash` FROM `audit_records` ORDER BY `seq`",
			"DROP TABLE `audit_records`",
			"ALTER TABLE `audit_records_0060` RENAME TO `audit_records`",
			"CREATE UNIQUE INDEX `ux_audit_records_seq` ON `audit_records`(`seq`)",
			"CREATE INDEX `ix_audit_entity` ON `audit_records`(`entity`,`entity_id`)",
			"CREATE INDEX `idx_audit_records_action` ON `audit_records`(`action`)",
			"CREATE INDEX `idx_audit_records_actor_id` ON `audit_records`(`actor_id`)",
			"CREATE INDEX `idx_audit_records_at` ON `audit_records`(`at`)",
		} {
			if err := tx.Exec(q).Error; err != nil {
				return fmt.Errorf("0060: rebuild audit_records: %w", err)
			}
		}
		return nil
	})
}
