package readiness

import (
	"context"
	"fmt"
	"time"

	"github.com/aftersales/aftersales/backend/internal/apperr"
)

// Plausibility check statuses.
const (
	CheckOK      = "ok"
	CheckWarning = "warning"
	CheckUnknown = "unknown"
)

// minStaffPerOutlet is the fewest active staff an outlet is expected to
// have before an auditor asks how it serves customers (a manager and a
// technician).
const minStaffPerOutlet = 2

// Check is one plausibility check an auditor would make in advance.
type Check struct {
	Code   string `json:"code"`
	Status string `json:"status"`
	Title  Text   `json:"title"`
	Detail Text   `json:"detail"`
	// Actual and Expected are the compared figures.
	Actual    float64  `json:"actual"`
	Expected  float64  `json:"expected"`
	RecordIDs []string `json:"record_ids,omitempty"`
}

// PlausibilityReport lists the checks at a date.
type PlausibilityReport struct {
	AsOf time.Time `json:"as_of"`
	// NextAudit is the date certificate expiries are checked against.
	NextAudit *time.Time `json:"next_audit,omitempty"`
	Checks    []Check    `json:"checks"`
	Warnings  int        `json:"warnings"`
}

// Plausibility runs the checks an auditor raises before scoring: management
// headcount against outlets, staff per outlet, the 管理师 ratio, outlets
// against the sales regions, entrusted outlets with expired contracts, and
// 管理师 certificates expiring before the next audit. Every figure is an
// SQL aggregate over the outlet and staff tables (read-only).
func (s *Service) Plausibility(ctx context.Context) (*PlausibilityReport, error) {
	_, std, err := s.current(ctx, "")
	if err != nil {
		return nil, err
	}
	asOf := s.now().UTC()
	today := localDay(asOf, s.loc)
	rep := &PlausibilityReport{AsOf: asOf}
	if s.calendar != nil {
		next, err := s.calendar.NextAuditDate(ctx, today)
		if err != nil {
			return nil, apperr.Internal(err)
		}
		rep.NextAudit = next
	}
	schema := newSchemaCache(s.db)
	db := s.db.WithContext(ctx)
	unknown := func(code string, title Text, missing string) Check {
		return Check{Code: code, Status: CheckUnknown, Title: title,
			Detail: Text{Zh: "数据尚不可用：" + missing, En: "data not available yet: " + missing}}
	}
	ids := func(prefix, sql string, args ...any) []string {
		var raw []uint64
		if err := db.Raw(sql+" LIMIT 10", args...).Scan(&raw).Error; err != nil {
			return nil
		}
		out := make([]string, 0, len(raw))
		for _, id := range raw {
			out = append(out, fmt.Sprintf("%s:%d", prefix, id))
		}
		return out
	}

	// 1. At least one service-management person per active outlet.
	title := Text{Zh: "每个网点至少一名服务管理人员", En: "At least one service manager per outlet"}
	if m := schema.missing(ctx, []string{"outlets", "staff_members"}); m != "" {
		rep.Checks = append(rep.Checks, unknown("managers_per_outlet", title, m))
	} else {
		var c struct{ Outlets, Managers, Without int64 }
		err := db.Raw(`SELECT
			(SELECT COUNT(*) FROM outlets WHERE status = 'active') AS outlets,
			(SELECT COUNT(*) FROM staff_members WHERE active = ? AND is_service_management = ?) AS managers,
			(SELECT COUNT(*) FROM outlets o WHERE o.status = 'active' AND NOT EXISTS (
				SELECT 1 FROM staff_members m WHERE m.outlet_id = o.id AND m.active = ? AND m.is_service_management = ?)) AS without`,
			true, true, true, true).Scan(&c).Error
		if err != nil {
			return nil, apperr.Internal(fmt.Errorf("readiness: plausibility managers: %w", err))
		}
		ch := Check{Code: "managers_per_outlet", Status: CheckOK, Title: title, Actual: float64(c.Managers), Expected: float64(c.Outlets),
			Detail: Text{Zh: fmt.Sprintf("服务管理人员 %d 名，在营网点 %d 个", c.Managers, c.Outlets),
				En: fmt.Sprintf("%d service-management staff for %d active outlets", c.Managers, c.Outlets)}}
		if c.Outlets == 0 {
			// Nothing to check is not a pass.
			ch.Status = CheckUnknown
			ch.Detail = Text{Zh: "没有在营网点，无从核对", En: "no active outlet: nothing to check"}
		} else if c.Managers < c.Outlets || c.Without > 0 {
			ch.Status = CheckWarning
			ch.Detail.Zh += fmt.Sprintf("；%d 个网点没有服务管理人员", c.Without)
			ch.Detail.En += fmt.Sprintf("; %d outlets have no service manager", c.Without)
			ch.RecordIDs = ids("outlet", `SELECT o.id FROM outlets o WHERE o.status = 'active' AND NOT EXISTS (
				SELECT 1 FROM staff_members m WHERE m.outlet_id = o.id AND m.active = ? AND m.is_service_management = ?) ORDER BY o.id`, true, true)
		}
		rep.Checks = append(rep.Checks, ch)
	}

	// 2. Staff per outlet.
	title = Text{Zh: "网点人员配置", En: "Staff per outlet"}
	if m := schema.missing(ctx, []string{"outlets", "staff_members"}); m != "" {
		rep.Checks = append(rep.Checks, unknown("staff_per_outlet", title, m))
	} else {
		var c struct {
			Outlets, Staff, Thin int64
		}
		err := db.Raw(`SELECT
			(SELECT COUNT(*) FROM outlets WHERE status = 'active') AS outlets,
			(SELECT COUNT(*) FROM staff_members s JOIN outlets o ON o.id = s.outlet_id WHERE s.active = ? AND o.status = 'active') AS staff,
			(SELECT COUNT(*) FROM outlets o WHERE o.status = 'active' AND (SELECT COUNT(*) FROM staff_members s WHERE s.outlet_id = o.id AND s.active = ?) < ?) AS thin`,
			true, true, minStaffPerOutlet).Scan(&c).Error
		if err != nil {
			return nil, apperr.Internal(fmt.Errorf("readiness: plausibility staff: %w", err))
		}
		avg := 0.0
		if c.Outlets > 0 {
			avg = float64(c.Staff) / float64(c.Outlets)
		}
		ch := Check{Code: "staff_per_outlet", Status: CheckOK, Title: title, Actual: avg, Expected: minStaffPerOutlet,
			Detail: Text{Zh: fmt.Sprintf("网点人员 %d 名，平均每网点 %.1f 名", c.Staff, avg),
				En: fmt.Sprintf("%d outlet staff, %.1f per outlet on average", c.Staff, avg)}}
		if c.Outlets == 0 {
			ch.Status = CheckUnknown
			ch.Detail = Text{Zh: "没有在营网点，无从核对", En: "no active outlet: nothing to check"}
		} else if c.Thin > 0 || avg < minStaffPerOutlet {
			ch.Status = CheckWarning
			ch.Detail.Zh += fmt.Sprintf("；%d 个网点人员少于 %d 名，审核员会质疑人数的真实性", c.Thin, minStaffPerOutlet)
			ch.Detail.En += fmt.Sprintf("; %d outlets have fewer than %d staff: an auditor will question the headcount", c.Thin, minStaffPerOutlet)
			ch.RecordIDs = ids("outlet", `SELECT o.id FROM outlets o WHERE o.status = 'active' AND
				(SELECT COUNT(*) FROM staff_members s WHERE s.outlet_id = o.id AND s.active = ?) < ? ORDER BY o.id`, true, minStaffPerOutlet)
		}
		rep.Checks = append(rep.Checks, ch)
	}

	// 3. The 管理师 ratio.
	title = Text{Zh: "售后服务管理师比例", En: "Certified manager ratio"}
	st, err := s.measures.Staffing(ctx, asOf)
	if err != nil || !st.Known {
		rep.Checks = append(rep.Checks, unknown("manager_ratio", title, "staff_members / staff_certificates"))
	} else {
		ratio, minimum := 0.10, 1
		for _, leaf := range std.Leaves() {
			if leaf.Rule != nil && leaf.Rule.Kind == RuleRatio {
				ratio, minimum = leaf.Rule.Ratio, leaf.Rule.Minimum
				break
			}
		}
		need := RequiredManagers(ratio, minimum, st.ManagementHeadcount)
		ch := Check{Code: "manager_ratio", Status: CheckOK, Title: title, Actual: float64(st.CertifiedManagers), Expected: float64(need),
			Detail: Text{Zh: fmt.Sprintf("持证管理师 %d 名，%d 名服务管理人员需 %d 名", st.CertifiedManagers, st.ManagementHeadcount, need),
				En: fmt.Sprintf("%d certified managers; %d management staff need %d", st.CertifiedManagers, st.ManagementHeadcount, need)}}
		switch {
		case st.ManagementHeadcount == 0:
			// 5.1.2.2 is unknown then; an auditor would ask at once.
			ch.Status = CheckWarning
			ch.Detail = Text{Zh: "未登记服务管理人员：无法核对管理师比例（5.1.2.2 为未知）", En: "no management staff recorded: the ratio cannot be checked (5.1.2.2 is unknown)"}
		case st.CertifiedManagers < need:
			ch.Status = CheckWarning
		}
		rep.Checks = append(rep.Checks, ch)
	}

	// 4. Outlets cover the sales regions.
	title = Text{Zh: "网点覆盖销售区域", En: "Outlets cover the sales regions"}
	cov := s.measures.Measures(ctx, asOf, []MeasureRequest{{Measure: "region_coverage", WindowMonths: s.window}})["region_coverage"]
	if !cov.Known {
		rep.Checks = append(rep.Checks, unknown("region_coverage", title, cov.Note))
	} else {
		ch := Check{Code: "region_coverage", Status: CheckOK, Title: title, Actual: cov.Numerator, Expected: cov.Denominator,
			Detail: Text{Zh: fmt.Sprintf("有销售的区域 %s 个，其中 %s 个有在营网点覆盖", formatPoints(cov.Denominator), formatPoints(cov.Numerator)),
				En: fmt.Sprintf("%s of %s sales regions are covered by an active outlet", formatPoints(cov.Numerator), formatPoints(cov.Denominator))}}
		switch {
		case cov.Denominator == 0:
			// "0 of 0 sales regions" is nothing to check, not ok.
			ch.Status = CheckUnknown
			ch.Detail = Text{Zh: "窗口内没有销售区域，无从核对", En: "no sales region in the window: nothing to check"}
		case cov.Numerator < cov.Denominator:
			ch.Status = CheckWarning
			ch.RecordIDs = cov.RecordIDs
		}
		rep.Checks = append(rep.Checks, ch)
	}

	// 5. Entrusted outlets with an expired contract still active.
	title = Text{Zh: "委托网点合同有效", En: "Entrusted outlets under a valid contract"}
	if m := schema.missing(ctx, []string{"outlets.contract_valid_to"}); m != "" {
		rep.Checks = append(rep.Checks, unknown("entrusted_contracts", title, m))
	} else {
		where := `FROM outlets WHERE status = 'active' AND kind = 'entrusted' AND (contract_valid_to IS NULL OR contract_valid_to < ?)`
		var n, entrusted int64
		if err := db.Raw("SELECT COUNT(*) "+where, today).Scan(&n).Error; err != nil {
			return nil, apperr.Internal(fmt.Errorf("readiness: plausibility contracts: %w", err))
		}
		if err := db.Raw("SELECT COUNT(*) FROM outlets WHERE status = 'active' AND kind = 'entrusted'").Scan(&entrusted).Error; err != nil {
			return nil, apperr.Internal(fmt.Errorf("readiness: plausibility contracts: %w", err))
		}
		ch := Check{Code: "entrusted_contracts", Status: CheckOK, Title: title, Actual: float64(n),
			Detail: Text{Zh: "在营委托网点的合同均在有效期内", En: "every active entrusted outlet has a contract in force"}}
		if entrusted == 0 {
			ch.Status = CheckUnknown
			ch.Detail = Text{Zh: "没有在营委托网点，无从核对", En: "no active entrusted outlet: nothing to check"}
		}
		if n > 0 {
			ch.Status = CheckWarning
			ch.Detail = Text{Zh: fmt.Sprintf("%d 个在营委托网点合同已过期或缺失", n), En: fmt.Sprintf("%d active entrusted outlets have an expired or missing contract", n)}
			ch.RecordIDs = ids("outlet", "SELECT id "+where+" ORDER BY id", today)
		}
		rep.Checks = append(rep.Checks, ch)
	}

	// 6. 管理师 certificates expiring before the next audit.
	title = Text{Zh: "管理师证书在审核日前到期", En: "Manager certificates expiring before the audit"}
	switch {
	case rep.NextAudit == nil:
		rep.Checks = append(rep.Checks, Check{Code: "certificates_before_audit", Status: CheckUnknown, Title: title,
			Detail: Text{Zh: "尚未安排审核", En: "no audit is planned"}})
	case schema.missing(ctx, []string{"staff_certificates", "staff_members"}) != "":
		rep.Checks = append(rep.Checks, unknown("certificates_before_audit", title, "staff_certificates"))
	default:
		// The certificates counted for 5.1.2.2, with expiries derived
		// from the issue date where none is recorded.
		var n int
		var refs []string
		if err == nil {
			for _, c := range st.CertifiedExpiring {
				if c.ExpiresAt.Before(*rep.NextAudit) {
					n++
					if len(refs) < 10 {
						refs = append(refs, "staff:"+c.HolderID)
					}
				}
			}
		}
		ch := Check{Code: "certificates_before_audit", Status: CheckOK, Title: title, Actual: float64(n),
			Detail: Text{Zh: fmt.Sprintf("审核日 %s 前没有管理师证书到期", day(*rep.NextAudit)), En: fmt.Sprintf("no manager certificate expires before the audit on %s", day(*rep.NextAudit))}}
		switch {
		case err != nil || !st.Known || st.CertifiedManagers == 0:
			ch.Status = CheckUnknown
			ch.Detail = Text{Zh: "没有有效的管理师证书，无从核对", En: "no valid manager certificate: nothing to check"}
		case n > 0:
			ch.Status = CheckWarning
			ch.Detail = Text{Zh: fmt.Sprintf("%d 张管理师证书将在审核日 %s 前到期", n, day(*rep.NextAudit)),
				En: fmt.Sprintf("%d manager certificates expire before the audit on %s", n, day(*rep.NextAudit))}
			ch.RecordIDs = refs
		}
		rep.Checks = append(rep.Checks, ch)
	}
	for _, c := range rep.Checks {
		if c.Status == CheckWarning {
			rep.Warnings++
		}
	}
	return rep, nil
}
