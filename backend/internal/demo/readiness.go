package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/certification"
	"github.com/aftersales/aftersales/backend/internal/readiness"
)

// ReadinessDeps are what the readiness demo needs. It runs last: the score
// reads every other domain's demo data.
type ReadinessDeps struct {
	DB            *gorm.DB
	Readiness     *readiness.Service
	Certification *certification.Service
	Now           time.Time
	Location      *time.Location
}

// demoDoc is one evidence document of the demo enterprise. Ages and
// expiries are relative to the seeding date so the demo stays current.
type demoDoc struct {
	docType, title, approver string
	// effectiveMonths ago; expiresInDays from now (0: open-ended).
	effectiveMonths, expiresInDays int
	draft                          bool
}

// demoDocs: most types in force and approved; the training plan expires
// before the next surveillance audit; the crisis plan is there; the online
// FAQ (5.2.2.2) is missing; a new supervision report waits for approval
// while the previous one still counts; the service manual has an older,
// superseded version.
var demoDocs = []demoDoc{
	{"org_chart", "售后服务组织架构图及岗位职责（2025版）", "总经理 赵敏", 8, 0, false},
	{"service_fund", "2026年度售后服务专项资金预算及质量问题准备金", "财务总监 孙立", 5, 0, false},
	{"training_plan", "2025-2026年度服务人员培训计划及培训记录", "人力资源部 周婷", 10, 45, false},
	{"recognition_policy", "服务之星评选及员工关怀办法", "总经理 赵敏", 20, 0, false},
	{"service_manual", "售后服务手册（第2版）", "总经理 赵敏", 26, 0, false},
	{"service_manual", "售后服务手册（第3版）", "总经理 赵敏", 9, 0, false},
	{"laws_register", "适用法律法规及标准清单（2026年更新）", "法务部 吴敏", 4, 0, false},
	{"supervision_body", "关于成立售后服务监督办公室的决定", "总经理 赵敏", 30, 0, false},
	{"supervision_report", "2025年度售后服务监督考核报告", "监督办公室 郑洁", 7, 0, false},
	{"supervision_report", "2026年上半年售后服务监督考核报告（待审批）", "监督办公室 郑洁", 0, 0, true},
	{"service_analysis", "2026年第一季度服务数据与顾客反馈分析报告", "质量部 陈静", 3, 0, false},
	{"service_commitment", "售后服务承诺书（官网及门店公示）", "总经理 赵敏", 14, 0, false},
	{"service_targets", "2026年度售后服务目标", "总经理 赵敏", 6, 0, false},
	{"product_info", "产品说明书及技术参数汇编", "技术部 冯磊", 12, 0, false},
	{"service_terms", "三包及服务条款公示（门店、官网、说明书）", "质量部 陈静", 12, 0, false},
	{"price_list", "配件及维修收费标准（2026版）", "财务总监 孙立", 5, 0, false},
	{"warranty_policy", "产品质量保证（三包）管理制度", "质量部 陈静", 18, 0, false},
	{"service_channels", "400服务热线及在线服务渠道公示", "客服中心 王芳", 16, 0, false},
	{"data_protection_policy", "顾客信息保护及保密管理制度", "法务部 吴敏", 15, 0, false},
	{"complaint_procedure", "顾客投诉处理程序", "质量部 陈静", 17, 0, false},
	{"crisis_plan", "重大投诉及危机事件处理预案", "总经理 赵敏", 11, 0, false},
	{"crisis_drill", "2025年度危机处理预案演练记录", "质量部 陈静", 8, 0, false},
}

// demoPDF is a minimal valid PDF naming the document, so the evidence
// library, the download and the audit pack have a real file.
func demoPDF(title, docType string) []byte {
	text := fmt.Sprintf("Demo evidence: %s", docType)
	stream := fmt.Sprintf("BT /F1 14 Tf 72 720 Td (%s) Tj ET", text)
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	b.WriteString("1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n")
	b.WriteString("2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n")
	b.WriteString("3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj\n")
	fmt.Fprintf(&b, "4 0 obj<</Length %d>>stream\n%s\nendstream endobj\n", len(stream), stream)
	b.WriteString("5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n")
	fmt.Fprintf(&b, "%% %s\ntrailer<</Root 1 0 R>>\n%%%%EOF\n", title)
	return b.Bytes()
}

// SeedReadiness creates the certification side of the demo enterprise: the
// evidence library, a certification cycle whose certificate was issued
// about fourteen months ago with the first surveillance audit done (the
// auditor's score recorded) and the next one agreed for about ten weeks
// ahead, a quality manager's assessments and deletion, and one readiness
// run. It is idempotent: it does nothing when evidence exists. Documents
// and the cycle go through the services (audited like any upload).
func SeedReadiness(ctx context.Context, d ReadinessDeps) error {
	ctx = actor.With(ctx, actor.Actor{Username: "quality", Roles: []string{"quality_manager"}})
	if d.Location == nil {
		d.Location = time.UTC
	}
	var n int64
	if err := d.DB.WithContext(ctx).Model(&certification.Document{}).Count(&n).Error; err != nil {
		return fmt.Errorf("demo readiness: count evidence: %w", err)
	}
	if n > 0 {
		return nil
	}
	y, m, dd := d.Now.In(d.Location).Date()
	today := time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)

	chains := map[string]uint64{}
	for _, doc := range demoDocs {
		eff := today.AddDate(0, -doc.effectiveMonths, 0)
		in := certification.UploadInput{DocType: doc.docType, Title: doc.title, Approver: doc.approver, EffectiveOn: eff,
			FileName: doc.docType + ".pdf", Content: bytes.NewReader(demoPDF(doc.title, doc.docType))}
		if doc.expiresInDays > 0 {
			exp := today.AddDate(0, 0, doc.expiresInDays)
			in.ExpiresOn = &exp
		}
		if prev, ok := chains[doc.docType]; ok {
			in.SupersedesID = &prev
		}
		up, err := d.Certification.Upload(ctx, in)
		if err != nil {
			return fmt.Errorf("demo readiness: upload %s: %w", doc.docType, err)
		}
		chains[doc.docType] = up.ID
		if doc.draft {
			continue
		}
		if _, err := d.Certification.Approve(ctx, up.ID, 0); err != nil {
			return fmt.Errorf("demo readiness: approve %s: %w", doc.docType, err)
		}
	}

	// The certification cycle: applied 16 months ago, certificate issued
	// 14 months ago, first surveillance two months ago.
	issued := today.AddDate(0, -14, 0)
	c, err := d.Certification.CreateCycle(ctx, certification.CycleInput{Body: "中质协质量保证中心（CAQ）", Responsible: "质量经理 陈静",
		AppliedOn: issued.AddDate(0, -2, -5), Notes: "首次认证；星级目标：四星"})
	if err != nil {
		return fmt.Errorf("demo readiness: cycle: %w", err)
	}
	for _, st := range []struct {
		to string
		on time.Time
	}{
		{certification.StatusContract, issued.AddDate(0, -2, 5)},
		{certification.StatusStage1, issued.AddDate(0, -1, -10)},
		{certification.StatusStage2, issued.AddDate(0, 0, -25)},
		{certification.StatusCommittee, issued.AddDate(0, 0, -8)},
	} {
		if _, err := d.Certification.Advance(ctx, c.ID, certification.AdvanceInput{To: st.to, On: st.on}); err != nil {
			return fmt.Errorf("demo readiness: %s: %w", st.to, err)
		}
	}
	if _, err := d.Certification.Advance(ctx, c.ID, certification.AdvanceInput{To: certification.StatusCertified, On: issued,
		CertificateNo: fmt.Sprintf("CAQ-ASC-%d-0417", issued.Year())}); err != nil {
		return fmt.Errorf("demo readiness: certificate: %w", err)
	}
	cycle, err := d.Certification.CycleByID(ctx, c.ID)
	if err != nil {
		return err
	}
	var done, next bool
	for _, a := range cycle.Audits {
		if a.Kind != certification.AuditSurveillance {
			continue
		}
		switch {
		case !done:
			held := a.DueOn.AddDate(0, 0, 6)
			points, err := demoAuditPoints(ctx, d.Readiness)
			if err != nil {
				return err
			}
			if _, err := d.Certification.RecordResult(ctx, a.ID, certification.ResultInput{HeldOn: held, Score: 84.5, Band: "three_star",
				Indicators: points, LeadAuditor: "审核组长 何建国", Findings: "1. 部分网点回访记录不完整；2. 两名售后服务管理师证书即将到期，需安排复审；3. 危机预案演练记录未覆盖委托网点。"}); err != nil {
				return fmt.Errorf("demo readiness: first surveillance: %w", err)
			}
			done = true
		case !next:
			// The certification body agreed an earlier date for the second
			// surveillance (about ten months after the first).
			when := today.AddDate(0, 0, 75)
			lead, who := "审核组长 何建国", "质量经理 陈静"
			if _, err := d.Certification.ScheduleAudit(ctx, a.ID, certification.ScheduleInput{ScheduledOn: &when, LeadAuditor: &lead, Responsible: &who}); err != nil {
				return fmt.Errorf("demo readiness: schedule surveillance: %w", err)
			}
			next = true
		}
	}

	// The quality manager's inputs.
	// 5.1.7.3 is judged met or not met: 7 of 18 staff could not state the
	// commitment, so it is not met (0 points, not a fraction).
	if _, err := d.Readiness.Assess(ctx, readiness.AssessInput{Clause: "5.1.7.3", Points: 0,
		Justification: "未达到：抽查 6 个网点访谈 18 名员工，仅 11 人能复述服务承诺，委托网点员工对服务理念不熟悉",
		ExpiresAt:     readinessTime(d.Now.AddDate(0, 6, 0))}); err != nil {
		return fmt.Errorf("demo readiness: assessment: %w", err)
	}
	if _, err := d.Readiness.MarkNotApplicable(ctx, "", "5.2.6",
		"本企业产品（小家电）不在《废弃电器电子产品处理目录》内，无法定回收义务；回收按自愿以旧换新活动执行"); err != nil {
		return fmt.Errorf("demo readiness: deletion: %w", err)
	}
	if _, err := d.Readiness.RecordDeduction(ctx, readiness.DeductionInput{Clause: "5.2.4.5",
		Finding: "第一次监督审核发现：华东区一家委托网点未公示配件收费标准", FoundOn: cycle.Audits[2].DueOn.AddDate(0, 0, 6),
		CorrectedAt: readinessTime(time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, d.Location).AddDate(0, -1, 0))}); err != nil {
		return fmt.Errorf("demo readiness: deduction: %w", err)
	}
	if _, err := d.Readiness.RunNow(ctx, readiness.TriggerSeed, ""); err != nil {
		var ae *apperr.Error
		if errors.As(err, &ae) && ae.Code == "run_in_progress" {
			return nil // the scheduler of another instance is scoring it
		}
		return fmt.Errorf("demo readiness: run: %w", err)
	}
	return nil
}

// readinessTime is a pointer to a time (a helper of this file, so the demo
// files stay independent of each other).
func readinessTime(t time.Time) *time.Time { return &t }

// demoAuditLosses are the points the auditors took off at the first
// surveillance audit (15 of the 97 applicable points: 82/97 = 84.5), per
// leaf, as their report lists them; every other applicable leaf was met.
var demoAuditLosses = map[string]float64{
	"5.1.2.1": 1,   // two sampled technicians without a valid trade certificate
	"5.1.2.2": 5,   // fewer 售后服务管理师 than 10 % of the management staff
	"5.1.3.3": 1,   // spare parts late at remote outlets
	"5.1.6.2": 1,   // corrective actions closed late
	"5.1.7.3": 1,   // entrusted outlets' staff did not know the commitment
	"5.2.3.1": 1,   // deliveries outside the agreed slot
	"5.2.4.3": 1,   // repeat repairs
	"5.2.5.2": 0.5, // recall completion behind plan
	"5.3.1.5": 1.5, // follow-up records incomplete at some outlets
	"5.3.2.2": 1,   // complaints acknowledged late
	"5.3.2.5": 1,   // crisis drill did not cover the entrusted outlets
}

// demoAuditPoints is the auditor's per-indicator sheet of the first
// surveillance audit, for calibrating the projection (5.2.6 was deleted).
func demoAuditPoints(ctx context.Context, r *readiness.Service) (map[string]float64, error) {
	std, err := r.CurrentStandard(ctx)
	if err != nil {
		return nil, fmt.Errorf("demo readiness: standard: %w", err)
	}
	out := map[string]float64{}
	for _, leaf := range std.Leaves() {
		if leaf.Clause == "5.2.6" {
			continue
		}
		out[leaf.Clause] = leaf.Points - demoAuditLosses[leaf.Clause]
	}
	return out, nil
}
