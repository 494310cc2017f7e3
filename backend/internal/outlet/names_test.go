package outlet_test

import (
	"testing"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/outlet"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

// TestOutletNamesAreUnique: a second outlet may not take a name in use, on
// creation or by renaming (409 duplicate_name on the name field); renaming
// an outlet to its own name or to a free one is fine.
func TestOutletNamesAreUnique(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newService(g, nil)
		a := mustCreate(t, s, own("NA", []string{"440305"}, nil, 5))
		b := mustCreate(t, s, own("NB", []string{"440305"}, nil, 5))
		twin := own("NC", []string{"440305"}, nil, 5)
		twin.Name = a.Name
		_, err := s.Create(sysCtx(), twin)
		if e := apperr.As(err); e == nil || e.Kind != apperr.KindConflict || e.Code != "duplicate_name" || e.Details["field"] != "name" {
			t.Fatalf("second outlet named %q: %v", a.Name, err)
		}
		taken := a.Name
		if _, err := s.Update(sysCtx(), b.ID, outlet.OutletPatch{Name: &taken, Version: b.Version}); apperr.As(err) == nil || apperr.As(err).Code != "duplicate_name" {
			t.Fatalf("renaming onto another outlet's name: %v", err)
		}
		free := "深圳南山科苑服务中心"
		got, err := s.Update(sysCtx(), b.ID, outlet.OutletPatch{Name: &free, Version: b.Version})
		if err != nil || got.Name != free {
			t.Fatalf("renaming to a free name: %v %+v", err, got)
		}
		same := a.Name
		if _, err := s.Update(sysCtx(), a.ID, outlet.OutletPatch{Name: &same, Version: a.Version}); err != nil {
			t.Fatalf("keeping one's own name: %v", err)
		}
	})
}
