package readiness

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFixedRulesOfGBT27922 is defect 5: the rules the standard itself fixes
// cannot be edited away in a gbt27922-* version; inferred parameters can.
func TestFixedRulesOfGBT27922(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(standardsDir, "gbt27922-2011.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	base := string(data)
	tests := []struct {
		name     string
		old, new string
		want     string // empty: accepted
	}{
		{"the bonus raised to 5 points, 3 times", "    points: 1\n    max_count: 1", "    points: 5\n    max_count: 3", "scoring.bonus: points 5, max_count 3: the bonus is at most 1 point, once"},
		{"the bonus claimed twice", "    max_count: 1", "    max_count: 2", "scoring.bonus"},
		{"the pass band lowered", "      min: 70", "      min: 65", "scoring.bands: bands at 65/80/90/95"},
		{"a fifth star band", "      min: 95\n      name: {zh: 五星, en: Five stars}", "      min: 95\n      name: {zh: 五星, en: Five stars}\n    - code: six_star\n      min: 99\n      name: {zh: 六星, en: Six stars}", "scoring.bands"},
		{"the fail gate moved", "fail_at: 5", "fail_at: 6", "scoring.special_deductions: fail_at 6"},
		{"deductions halved", "points_each: 1", "points_each: 0.5", "scoring.special_deductions: points_each 0.5"},
		{"5.1 moved to 41 and 5.2 to 34", "", "", "clause 5.1: points 41: 5.1 is fixed by GB/T 27922 at 40"},
		{"a clause made deletable", "            rule: {kind: document, document_type: org_chart}", "            deletable: true\n            rule: {kind: document, document_type: org_chart}", "clause 5.1.1.1: may not be declared deletable: only 5.2.6 may be deleted"},
		{"5.2.6 made non-deletable", "        deletable: true\n", "", "clause 5.2.6: must stay deletable"},
		{"the sourced 5 points of 5.1.2.2", "", "", "clause 5.1.2.2: points 4: 5.1.2.2 is fixed by GB/T 27922 at 5"},
		// Inferred parameters may change.
		{"a target moves", "measure: first_response_on_time, target: 0.95", "measure: first_response_on_time, target: 0.9", ""},
		{"a window moves", "window_months: 12\n\nscoring:", "window_months: 24\n\nscoring:", ""},
		{"the bonus enabled at the standard's own 1 point", "enabled: false # one widely", "enabled: true # one widely", ""},
	}
	// Edits that keep every sum right but move a fixed total.
	moves := map[string][][2]string{
		"5.1 moved to 41 and 5.2 to 34": {
			{"    points: 40\n    children:\n      - clause: \"5.1.1\"\n        name: {zh: 组织架构, en: Organisation}\n        points: 6", "    points: 41\n    children:\n      - clause: \"5.1.1\"\n        name: {zh: 组织架构, en: Organisation}\n        points: 7"},
			{"            name: {zh: 售后服务部门, en: Dedicated after-sales department}\n            points: 3", "            name: {zh: 售后服务部门, en: Dedicated after-sales department}\n            points: 4"},
			{"    points: 35\n", "    points: 34\n"},
			{"        name: {zh: 废弃商品回收, en: Take-back of discarded goods}\n        points: 3", "        name: {zh: 废弃商品回收, en: Take-back of discarded goods}\n        points: 2"},
		},
		"the sourced 5 points of 5.1.2.2": {
			{"            name: {zh: 服务人员, en: Qualified service staff}\n            points: 5", "            name: {zh: 服务人员, en: Qualified service staff}\n            points: 6"},
			{"            name: {zh: 售后服务管理师, en: Certified after-sales service managers}\n            points: 5", "            name: {zh: 售后服务管理师, en: Certified after-sales service managers}\n            points: 4"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			edited := base
			for _, m := range append(moves[tt.name], [2]string{tt.old, tt.new}) {
				if !strings.Contains(edited, m[0]) {
					t.Fatalf("case does not apply: %q", m[0])
				}
				edited = strings.Replace(edited, m[0], m[1], 1)
			}
			_, err := LoadStandard([]byte(edited))
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && err == nil:
				t.Errorf("accepted, want %q", tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Errorf("err = %v\nwant it to contain %q", err, tt.want)
			}
		})
	}
	// The same edit on another standard's id is not bound by GB/T 27922.
	other := strings.Replace(strings.Replace(base, "id: gbt27922-2011", "id: acme-2026", 1), "fail_at: 5", "fail_at: 6", 1)
	if _, err := LoadStandard([]byte(other)); err != nil {
		t.Errorf("a non-GB/T standard refused: %v", err)
	}
	// A version stored by an earlier release still reads (its runs display).
	legacy := strings.Replace(base, "target: 0.95}", "target: 0.95, floor: 0.6, if_empty: full}", 1)
	if _, err := LoadStandard([]byte(legacy)); err == nil {
		t.Error("if_empty: full accepted")
	}
	if _, err := LoadStoredStandard([]byte(legacy)); err != nil {
		t.Errorf("stored legacy version: %v", err)
	}
}
