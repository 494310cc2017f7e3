package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0145AuditPackLanguage records the language an audit pack is written in.
// Why: a pack is built in the background, possibly by another instance,
// after the request that asked for it is gone; its sheet names, headers
// and file names follow the asker's language (issue 9), so the language is
// stored with the pack. Existing packs keep an empty one (zh-CN, what they were
// built in).
func m0145AuditPackLanguage() *gormigrate.Migration {
	type CertificationAuditPack struct {
		Lang string `gorm:"size:16;not null;default:''"`
	}
	return &gormigrate.Migration{
		ID: "0145_audit_pack_language",
		Migrate: func(tx *gorm.DB) error {
			m := tx.Migrator()
			if !m.HasColumn(&CertificationAuditPack{}, "Lang") {
				return m.AddColumn(&CertificationAuditPack{}, "Lang")
			}
			return nil
		},
	}
}
