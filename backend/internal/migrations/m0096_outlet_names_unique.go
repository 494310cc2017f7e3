package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0096OutletNamesUnique makes outlet names unique (issue 12: dispatch
// lists, timelines and reports name outlets, so two outlets must not share
// a name). Why a rename first: existing installs may hold duplicates (the
// demo generator made some); the lowest id keeps the name and every other
// outlet of that name gets its unique code appended, 名称（编码）, so no
// outlet is lost and the rename is visible to the people who know it.
//
// Re-runnable: the rename finds nothing the second time and AutoMigrate only
// adds a missing index.
func m0096OutletNamesUnique() *gormigrate.Migration {
	type Outlet struct {
		ID   uint64 `gorm:"primaryKey"`
		Name string `gorm:"size:128;not null;uniqueIndex:ux_outlets_name"`
	}
	return &gormigrate.Migration{
		ID: "0096_outlet_names_unique",
		Migrate: func(tx *gorm.DB) error {
			var dups []struct {
				ID   uint64
				Name string
				Code string
			}
			if err := tx.Raw(`SELECT o.id, o.name, o.code FROM outlets o
WHERE EXISTS (SELECT 1 FROM outlets p WHERE p.name = o.name AND p.id < o.id) ORDER BY o.id`).Scan(&dups).Error; err != nil {
				return err
			}
			for _, d := range dups {
				name := []rune(d.Name + "（" + d.Code + "）")
				if len(name) > 128 {
					name = append(name[:128-len([]rune("（"+d.Code+"）"))], []rune("（"+d.Code+"）")...)
				}
				if err := tx.Exec("UPDATE outlets SET name = ? WHERE id = ?", string(name), d.ID).Error; err != nil {
					return err
				}
			}
			return tx.Table("outlets").AutoMigrate(&Outlet{})
		},
	}
}
