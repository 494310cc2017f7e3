package rbac

import (
	"fmt"
	"strings"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// rule is a casbin policy line. We keep our own adapter (instead of
// casbin/gorm-adapter) because that one links every GORM driver into the
// binary and its v3.40+ releases target casbin v3.
type rule struct {
	ID    uint64 `gorm:"primaryKey"`
	Ptype string
	V0    string
	V1    string
	V2    string
}

func (rule) TableName() string { return "casbin_rules" }

type adapter struct{ db *gorm.DB }

var _ persist.Adapter = (*adapter)(nil)

func (a *adapter) LoadPolicy(m model.Model) error {
	var rules []rule
	if err := a.db.Order("id").Find(&rules).Error; err != nil {
		return fmt.Errorf("rbac: load policy: %w", err)
	}
	for _, r := range rules {
		parts := []string{r.Ptype, r.V0, r.V1}
		if r.V2 != "" {
			parts = append(parts, r.V2)
		}
		if err := persist.LoadPolicyArray(parts, m); err != nil {
			return fmt.Errorf("rbac: load rule %d: %w", r.ID, err)
		}
	}
	return nil
}

func (a *adapter) SavePolicy(m model.Model) error {
	return a.db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("1 = 1").Delete(&rule{}).Error; err != nil {
			return err
		}
		for ptype, ast := range m["p"] {
			for _, p := range ast.Policy {
				if err := tx.Create(toRule(ptype, p)).Error; err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func toRule(ptype string, v []string) *rule {
	r := &rule{Ptype: ptype}
	if len(v) > 0 {
		r.V0 = v[0]
	}
	if len(v) > 1 {
		r.V1 = v[1]
	}
	if len(v) > 2 {
		r.V2 = strings.Join(v[2:], ",")
	}
	return r
}

func (a *adapter) AddPolicy(_ string, ptype string, p []string) error {
	return a.db.Clauses(clause.OnConflict{DoNothing: true}).Create(toRule(ptype, p)).Error
}

func (a *adapter) RemovePolicy(_ string, ptype string, p []string) error {
	r := toRule(ptype, p)
	return a.db.Where("ptype = ? AND v0 = ? AND v1 = ? AND v2 = ?", r.Ptype, r.V0, r.V1, r.V2).Delete(&rule{}).Error
}

func (a *adapter) RemoveFilteredPolicy(_ string, ptype string, fieldIndex int, fieldValues ...string) error {
	q := a.db.Where("ptype = ?", ptype)
	cols := []string{"v0", "v1", "v2"}
	for i, v := range fieldValues {
		if idx := fieldIndex + i; v != "" && idx < len(cols) {
			q = q.Where(cols[idx]+" = ?", v)
		}
	}
	return q.Delete(&rule{}).Error
}
