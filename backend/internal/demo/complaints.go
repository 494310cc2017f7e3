package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/capa"
	"github.com/aftersales/aftersales/backend/internal/complaint"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/survey"
)

// QualityDeps are what the complaint and survey demo needs. Tickets,
// customers and units are read with plain queries (seeding is the
// documented exception to "through the service").
type QualityDeps struct {
	DB        *gorm.DB
	Surveys   *survey.Service
	Now       time.Time
	Location  *time.Location
	Deadlines complaint.Deadlines
	Chain     []string
	// DissatisfiedAtOrBelow is the survey threshold (config survey.dissatisfied_at_or_below).
	DissatisfiedAtOrBelow int
}

func (d QualityDeps) norm() QualityDeps {
	if d.Now.IsZero() {
		d.Now = time.Now()
	}
	d.Now = d.Now.UTC().Truncate(time.Second)
	if d.Location == nil {
		d.Location = time.UTC
	}
	if d.Deadlines == nil {
		d.Deadlines = complaint.DefaultDeadlines()
	}
	if len(d.Chain) == 0 {
		d.Chain = []string{"quality_manager", "admin"}
	}
	if d.DissatisfiedAtOrBelow == 0 {
		d.DissatisfiedAtOrBelow = 2
	}
	return d
}

// closedTicket is what the quality demo reads of a closed ticket.
type closedTicket struct {
	ID         uint64
	Number     string
	CustomerID uint64
	UnitID     *uint64
	AssigneeID *uint64
	OutletID   *uint64
	ClosedAt   time.Time
}

// closedTickets reads the tickets closed since from (plain query on the
// tickets table; none when the table does not exist yet).
func closedTickets(ctx context.Context, db *gorm.DB, from time.Time, afterID uint64, limit int) ([]closedTicket, error) {
	if !db.Migrator().HasTable("tickets") {
		return nil, nil
	}
	var out []closedTicket
	err := db.WithContext(ctx).Table("tickets").Select("id, number, customer_id, unit_id, assignee_id, outlet_id, closed_at").
		Where("status = ? AND closed_at IS NOT NULL AND closed_at >= ? AND merged_into_id IS NULL AND id > ?", "closed", from, afterID).
		Order("id").Limit(limit).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("read closed tickets: %w", err)
	}
	return out, nil
}

// ownedUnit is a unit with its owner.
type ownedUnit struct {
	ID         uint64
	CustomerID uint64
}

func ownedUnits(ctx context.Context, db *gorm.DB, limit int) ([]ownedUnit, error) {
	var out []ownedUnit
	if err := db.WithContext(ctx).Table("units").Select("id, customer_id").Where("customer_id IS NOT NULL").Order("id").Limit(limit).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("read units: %w", err)
	}
	return out, nil
}

func maxID(ctx context.Context, db *gorm.DB, table string) (uint64, error) {
	var id *uint64
	if err := db.WithContext(ctx).Table(table).Select("MAX(id)").Scan(&id).Error; err != nil {
		return 0, fmt.Errorf("max id of %s: %w", table, err)
	}
	if id == nil {
		return 0, nil
	}
	return *id, nil
}

// qualityBatch is the multi-row INSERT size: placeholders are cheap on
// MySQL and quadratic in the pure-Go SQLite driver.
func qualityBatch(db *gorm.DB) int {
	if db.Dialector.Name() == "mysql" {
		return 1000
	}
	return 100
}

// complaintSpec is one complaint to generate.
type complaintSpec struct {
	Source, ExternalChannel, SourceRef string
	CustomerID                         uint64
	TicketID, UnitID, OutletID         *uint64
	Category, Severity                 string
	Title, Description                 string
	ReceivedAt                         time.Time
	SurveyResponseID                   *uint64
}

// complaintGen builds complaints with a realistic history up to now: most
// acknowledged within 2 h and resolved within 24 h, some late (and then
// marked overdue and escalated as the job would have), customers confirming
// or not, follow-up calls; recent ones still open.
type complaintGen struct {
	r         *rand.Rand
	d         QualityDeps
	chain     complaint.Chain
	nextID    uint64
	nextLog   uint64
	withLogs  bool
	rows      []complaint.Complaint
	logs      []complaint.Log
	escs      []complaint.Escalation
	actions   []capa.Action
	nextActID uint64
	// loader, when set, writes the rows (seed --scale).
	loader *db.Loader
}

var (
	complaintTitles = map[string][]string{
		"product_quality":  {"空调使用半年压缩机异响", "洗衣机脱水时剧烈震动", "冰箱冷藏室结冰", "热水器出水忽冷忽热", "油烟机吸力明显下降", "净水器漏水泡坏地板"},
		"service_attitude": {"热线客服态度生硬", "师傅上门不穿鞋套、态度差", "多次来电无人回复", "客服推诿，要求客户自行联系网点"},
		"repair_quality":   {"维修后同一故障再次出现", "更换配件后仍不制冷", "维修时损坏门体外观", "维修不彻底，需二次上门"},
		"delay":            {"预约上门时间一再推迟", "报修三天无人联系", "等待配件超过两周", "超过承诺时间未到达"},
		"charges":          {"保修期内被收取上门费", "配件收费高于公示价格", "未事先报价即收费", "收费后未开具发票"},
		"other":            {"要求提供维修记录被拒", "安装时未告知需要另购配件", "延保卡信息与实际不符"},
	}
	complaintRootCauses = map[string][]string{
		"product_quality":  {"同批次压缩机轴承供应商来料不良", "控制板软件版本缺陷", "密封圈材质老化过快", "出厂检测漏检"},
		"service_attitude": {"新入职坐席培训不足", "网点技师服务规范执行不到位", "高峰期人手不足、回访跟进遗漏"},
		"repair_quality":   {"技师对新机型不熟悉，误判故障", "更换配件型号错误", "维修作业规范未执行", "首次维修未做功能复检"},
		"delay":            {"网点排班不足，周末无技师", "配件中心库缺货、调拨周期长", "派工系统未及时提醒网点", "网点超负荷接单"},
		"charges":          {"网点未按公示价格收费", "保修判定错误，误收费", "收费标准未在现场公示"},
		"other":            {"信息登记错误", "服务告知不充分"},
	}
	complaintResolutions = map[string][]string{
		"product_quality":  {"更换压缩机并延长整机保修一年", "上门更换主控板并升级软件", "为客户办理换机", "更换密封件并赠送清洁服务"},
		"service_attitude": {"当事坐席已致歉并接受再培训", "网点经理上门致歉", "安排专人跟进并回复客户"},
		"repair_quality":   {"安排资深技师二次上门免费维修", "更换正确配件并复检", "赔偿外观损失并免费维修"},
		"delay":            {"当日改派就近网点完成维修", "从中心库加急调拨配件并完成维修", "上门致歉并赠送延保"},
		"charges":          {"全额退还上门费", "退还差价并向客户致歉", "补开发票并退还多收费用"},
		"other":            {"补发维修记录并致歉", "更正延保信息并致歉"},
	}
	complaintCategoryWeights = []struct {
		c string
		w int
	}{{"delay", 30}, {"repair_quality", 25}, {"product_quality", 20}, {"service_attitude", 12}, {"charges", 8}, {"other", 5}}
	demoOwners = []string{"陈静", "李强", "王芳", "赵敏", "刘洋", "孙立", "周涛"}
)

func newComplaintGen(ctx context.Context, d QualityDeps, r *rand.Rand, withLogs bool) (*complaintGen, error) {
	g := &complaintGen{r: r, d: d, chain: complaint.Chain(d.Chain), withLogs: withLogs}
	var err error
	if g.nextID, err = maxID(ctx, d.DB, "complaints"); err != nil {
		return nil, err
	}
	if g.nextLog, err = maxID(ctx, d.DB, "complaint_logs"); err != nil {
		return nil, err
	}
	if g.nextActID, err = maxID(ctx, d.DB, "corrective_actions"); err != nil {
		return nil, err
	}
	return g, nil
}

func (g *complaintGen) pickCategory() string {
	i := custWeighted(g.r, len(complaintCategoryWeights), func(i int) int { return complaintCategoryWeights[i].w })
	return complaintCategoryWeights[i].c
}

// minutes returns a duration of between lo and hi minutes.
func (g *complaintGen) minutes(lo, hi int) time.Duration {
	if hi < lo {
		hi = lo
	}
	return time.Duration(lo+g.r.IntN(hi-lo+1)) * time.Minute
}

func (g *complaintGen) log(c *complaint.Complaint, at time.Time, kind, from, to, by, outcome, note string) {
	if !g.withLogs {
		return
	}
	g.nextLog++
	g.logs = append(g.logs, complaint.Log{ID: g.nextLog, ComplaintID: c.ID, At: at, Kind: kind, FromStatus: from, ToStatus: to,
		ActorName: by, Outcome: outcome, Note: note})
}

func (g *complaintGen) escalate(c *complaint.Complaint, at time.Time, reason string) {
	level, up := g.chain.Next(c.EscalationLevel)
	if !up {
		return
	}
	c.EscalationLevel, c.EscalatedAt = level, ptrTime(at)
	if g.withLogs {
		g.escs = append(g.escs, complaint.Escalation{ComplaintID: c.ID, Level: level, Reason: reason, NotifiedRole: g.chain.RoleAt(level),
			At: at, ActorName: "system:complaint.escalation"})
		g.log(c, at, "escalated", "", "", "system:complaint.escalation", "", fmt.Sprintf("升级至第 %d 级（%s）", level, g.chain.RoleAt(level)))
	}
}

func ptrTime(t time.Time) *time.Time { return &t }

// add generates one complaint's history up to now and returns it.
func (g *complaintGen) add(s complaintSpec) *complaint.Complaint {
	r, now := g.r, g.d.Now
	g.nextID++
	rcv := s.ReceivedAt.UTC().Truncate(time.Second)
	ackDue, resDue := g.d.Deadlines.Due(s.Severity, rcv)
	agent := custPick(r, []string{"agent", "王芳", "张丽", "刘婷"})
	quality := "quality"
	c := complaint.Complaint{ID: g.nextID, Number: complaint.Number(rcv.In(g.d.Location), g.nextID), Source: s.Source,
		ExternalChannel: s.ExternalChannel, SourceRef: s.SourceRef, TicketID: s.TicketID, CustomerID: s.CustomerID, UnitID: s.UnitID,
		OutletID: s.OutletID, Category: s.Category, Severity: s.Severity, Status: complaint.StatusReceived, Title: s.Title,
		Description: s.Description, ReceivedAt: rcv, AckDueAt: ackDue, ResolveDueAt: resDue, SurveyResponseID: s.SurveyResponseID,
		CreatedBy: agent, Version: 1, CreatedAt: rcv, UpdatedAt: rcv}
	g.log(&c, rcv, "created", "", complaint.StatusReceived, agent, "", s.Description)
	if s.Severity == complaint.SeverityCrisis {
		c.ResponsibleName = "陈静（质量经理）"
		c.CrisisPlan = "1. 2 小时内成立危机处理小组（质量部牵头，客服中心、法务、公关参加）；2. 统一对外口径，24 小时内回应媒体；" +
			"3. 排查同批次产品并评估是否启动召回；4. 每日向总经理汇报进展直至结案。"
		c.EscalationLevel, c.EscalatedAt = len(g.chain), ptrTime(rcv)
		if g.withLogs {
			g.escs = append(g.escs, complaint.Escalation{ComplaintID: c.ID, Level: c.EscalationLevel, Reason: "crisis",
				NotifiedRole: g.chain.RoleAt(c.EscalationLevel), At: rcv, ActorName: agent})
			g.log(&c, rcv, "escalated", "", "", agent, "", "危机投诉，直接升级")
		}
	}
	// Acknowledgement: mostly within the limit, one in seven late.
	ackIn := g.minutes(5, int(ackDue.Sub(rcv).Minutes())-5)
	if s.Severity == complaint.SeverityNormal && r.IntN(100) < 14 {
		ackIn = ackDue.Sub(rcv) + g.minutes(5, 360)
	}
	ackAt := rcv.Add(ackIn)
	if ackAt.After(now) {
		if now.After(ackDue) {
			c.AckOverdueAt = ptrTime(ackDue.Add(time.Minute))
			g.log(&c, *c.AckOverdueAt, "overdue", "", "", "system:complaint.escalation", "acknowledgement", "确认时限已过")
			g.escalate(&c, *c.AckOverdueAt, "acknowledgement_overdue")
		}
		return g.finish(c, now)
	}
	if ackAt.After(ackDue) {
		c.AckOverdueAt = ptrTime(ackDue.Add(time.Minute))
		g.log(&c, *c.AckOverdueAt, "overdue", "", "", "system:complaint.escalation", "acknowledgement", "确认时限已过")
		g.escalate(&c, *c.AckOverdueAt, "acknowledgement_overdue")
	}
	c.AckAt, c.Status = &ackAt, complaint.StatusAcknowledged
	g.log(&c, ackAt, "acknowledged", complaint.StatusReceived, complaint.StatusAcknowledged, agent, "", "已致电客户致歉并说明处理流程")
	invAt := ackAt.Add(g.minutes(5, 90))
	if invAt.After(now) {
		return g.finish(c, now)
	}
	c.Status = complaint.StatusInvestigating
	c.Investigation = "调取工单、通话录音及网点派工记录，联系网点与技师核实情况。"
	g.log(&c, invAt, "investigation_started", complaint.StatusAcknowledged, complaint.StatusInvestigating, quality, "", "")
	// Resolution: mostly within 24 h, about one in eight late.
	resAt := invAt.Add(g.minutes(60, int(resDue.Sub(invAt).Minutes())-10))
	if r.IntN(100) < 12 || s.Severity == complaint.SeverityCrisis && r.IntN(2) == 0 {
		resAt = resDue.Add(g.minutes(30, 72*60))
	}
	if !resAt.After(invAt) {
		resAt = invAt.Add(30 * time.Minute)
	}
	lateRes := resAt.After(resDue)
	if lateRes && resDue.Before(now) {
		c.ResolveOverdueAt = ptrTime(resDue.Add(time.Minute))
		g.log(&c, *c.ResolveOverdueAt, "overdue", "", "", "system:complaint.escalation", "resolution", "处理时限已过")
		g.escalate(&c, *c.ResolveOverdueAt, "resolution_overdue")
	}
	if resAt.After(now) {
		return g.finish(c, now)
	}
	c.RootCause = custPick(r, complaintRootCauses[s.Category])
	c.RootCauseCategory = map[string]string{"product_quality": "product", "service_attitude": "people", "repair_quality": "method",
		"delay": "resource", "charges": "process", "other": "process"}[s.Category]
	c.Resolution = custPick(r, complaintResolutions[s.Category])
	c.ResolvedAt, c.Status = &resAt, complaint.StatusResolved
	g.log(&c, resAt, "resolved", complaint.StatusInvestigating, complaint.StatusResolved, quality, "", c.Resolution)
	// Follow-up call one to three days later (most complaints).
	if r.IntN(100) < 82 {
		if at := resAt.Add(g.minutes(18*60, 72*60)); at.Before(now) {
			sat := r.IntN(100) < 88
			c.FollowupAt, c.FollowupSatisfied = &at, &sat
			g.log(&c, at, "followup_call", "", "", custPick(r, []string{"王芳", "张丽", "刘婷"}), "reached", "回访客户，了解处理结果")
		}
	}
	// The customer's confirmation.
	confAt := resAt.Add(g.minutes(60, 30*60))
	if confAt.After(now) {
		return g.finish(c, now)
	}
	switch x := r.IntN(100); {
	case x < 80:
		yes := true
		c.CustomerConfirmed, c.ConfirmedAt, c.Status = &yes, &confAt, complaint.StatusConfirmed
		g.log(&c, confAt, "customer_confirmed", complaint.StatusResolved, complaint.StatusConfirmed, agent, "", "客户认可处理结果")
	case x < 88:
		closeAt := confAt.Add(g.minutes(48*60, 96*60))
		if closeAt.After(now) {
			return g.finish(c, now)
		}
		c.CloseWithoutConfirmation = "客户三次未接通，按规定结案"
		c.ClosedAt, c.Status = &closeAt, complaint.StatusClosed
		g.log(&c, closeAt, "closed", complaint.StatusResolved, complaint.StatusClosed, quality, "", c.CloseWithoutConfirmation)
		return g.finish(c, now)
	default:
		// Not accepted at first: investigated again and resolved a second time.
		no := false
		c.CustomerConfirmed = &no
		g.log(&c, confAt, "customer_rejected", complaint.StatusResolved, complaint.StatusInvestigating, agent, "", "客户对处理结果不满意")
		again := confAt.Add(g.minutes(12*60, 72*60))
		if again.After(now) {
			c.Status = complaint.StatusInvestigating
			return g.finish(c, now)
		}
		c.Resolution = custPick(r, complaintResolutions[s.Category]) + "（二次处理）"
		g.log(&c, again, "resolved", complaint.StatusInvestigating, complaint.StatusResolved, quality, "", c.Resolution)
		confAt = again.Add(g.minutes(60, 24*60))
		if confAt.After(now) {
			return g.finish(c, now)
		}
		yes := true
		c.CustomerConfirmed, c.ConfirmedAt, c.Status = &yes, &confAt, complaint.StatusConfirmed
		g.log(&c, confAt, "customer_confirmed", complaint.StatusResolved, complaint.StatusConfirmed, agent, "", "客户认可二次处理结果")
	}
	closeAt := confAt.Add(g.minutes(10, 48*60))
	if closeAt.After(now) {
		return g.finish(c, now)
	}
	c.ClosedAt, c.Status = &closeAt, complaint.StatusClosed
	g.log(&c, closeAt, "closed", complaint.StatusConfirmed, complaint.StatusClosed, quality, "", "结案")
	return g.finish(c, now)
}

func (g *complaintGen) finish(c complaint.Complaint, now time.Time) *complaint.Complaint {
	last := c.CreatedAt
	for _, t := range []*time.Time{c.AckAt, c.ResolvedAt, c.ConfirmedAt, c.ClosedAt, c.EscalatedAt, c.FollowupAt} {
		if t != nil && t.After(last) {
			last = *t
		}
	}
	c.UpdatedAt = last
	g.rows = append(g.rows, c)
	return &g.rows[len(g.rows)-1]
}

// action adds a corrective (or preventive) action created at created,
// due after dueDays, with a realistic outcome: most closed on time and
// found effective, some closed late, some still open (a few overdue).
func (g *complaintGen) action(kind, sourceKind string, sourceID *uint64, title string, created time.Time, dueDays int) {
	r, now := g.r, g.d.Now
	g.nextActID++
	owner := custPick(r, demoOwners)
	due := capa.LocalDate(created.Add(time.Duration(dueDays)*24*time.Hour), g.d.Location)
	a := capa.Action{ID: g.nextActID, SourceKind: sourceKind, SourceID: sourceID, Kind: kind, Title: title,
		Description: "责任人按期完成整改并提交证据，质量部复核。", OwnerName: owner, DueDate: due, Status: capa.StatusOpen,
		CreatedBy: "quality", Version: 1, CreatedAt: created, UpdatedAt: created}
	var closeAt time.Time
	switch x := r.IntN(100); {
	case x < 72:
		closeAt = created.Add(time.Duration(1+r.IntN(max(1, dueDays-1))) * 24 * time.Hour)
	case x < 88:
		closeAt = due.Add(time.Duration(2+r.IntN(20)) * 24 * time.Hour)
	default:
		closeAt = now.Add(time.Hour) // still open
	}
	if closeAt.Before(now) {
		onTime := !capa.LocalDate(closeAt, g.d.Location).After(due)
		a.Status, a.ClosedAt, a.ClosingNote, a.ClosedOnTime = capa.StatusClosed, ptrTime(closeAt), "整改已完成，附培训签到表/检查记录", &onTime
		a.UpdatedAt = closeAt
		if check := closeAt.Add(time.Duration(20+r.IntN(25)) * 24 * time.Hour); check.Before(now) && r.IntN(100) < 85 {
			eff := r.IntN(100) < 88
			a.CheckedAt, a.Effective, a.CheckedBy = &check, &eff, "quality"
			a.Status, a.EffectivenessNote = capa.StatusVerified, "复查近一个月同类问题未再发生"
			if !eff {
				a.Status, a.EffectivenessNote = capa.StatusIneffective, "同类问题仍有发生，需重新制定措施"
			}
			a.UpdatedAt = check
		}
	}
	g.actions = append(g.actions, a)
}

// insert writes everything generated, without audit records: seeded
// history is not a change anyone made.
func (g *complaintGen) insert(ctx context.Context) error {
	if g.loader != nil {
		for _, rows := range []any{g.rows, g.logs, g.escs, g.actions} {
			if err := g.loader.LoadModels(ctx, g.d.DB, rows); err != nil {
				return fmt.Errorf("complaints: %w", err)
			}
		}
		return nil
	}
	db := g.d.DB.WithContext(ctx).Session(&gorm.Session{SkipHooks: true})
	batch := qualityBatch(db)
	return db.Transaction(func(tx *gorm.DB) error {
		if len(g.rows) > 0 {
			if err := tx.CreateInBatches(&g.rows, batch).Error; err != nil {
				return fmt.Errorf("complaints: %w", err)
			}
		}
		if len(g.logs) > 0 {
			if err := tx.CreateInBatches(&g.logs, batch).Error; err != nil {
				return fmt.Errorf("complaint logs: %w", err)
			}
		}
		if len(g.escs) > 0 {
			if err := tx.CreateInBatches(&g.escs, batch).Error; err != nil {
				return fmt.Errorf("complaint escalations: %w", err)
			}
		}
		if len(g.actions) > 0 {
			if err := tx.CreateInBatches(&g.actions, batch).Error; err != nil {
				return fmt.Errorf("corrective actions: %w", err)
			}
		}
		return nil
	})
}

// localTime returns day (a local date) at a random working time 08:00–21:00, in UTC.
func localTime(r *rand.Rand, day time.Time, loc *time.Location) time.Time {
	y, m, dd := day.In(loc).Date()
	return time.Date(y, m, dd, 8, 0, 0, 0, loc).Add(time.Duration(r.IntN(13*60)) * time.Minute).UTC()
}

// SeedComplaints creates a year of complaints of the demo enterprise, about
// 1 % of the installed base: mostly normal, a few major, one crisis with its
// responsible person, plan and two drill records; from the hotline, tickets,
// online and external channels (12315, consumer association, media); with
// realistic imperfections (some acknowledged late, some resolved past the
// 24 h, some corrective actions overdue). Complaints opened by dissatisfied
// survey answers are made by SeedSurveys, which runs first; this tops the
// year up to 1 %. It does nothing when complaints other than those exist.
// Rows are bulk-inserted without audit records.
func SeedComplaints(ctx context.Context, d QualityDeps) error {
	d = d.norm()
	var n, fromSurveys int64
	if err := d.DB.WithContext(ctx).Model(&complaint.Complaint{}).Where("source <> ?", complaint.SourceSurvey).Count(&n).Error; err != nil {
		return fmt.Errorf("count complaints: %w", err)
	}
	if n > 0 {
		return nil
	}
	if err := d.DB.WithContext(ctx).Model(&complaint.Complaint{}).Count(&fromSurveys).Error; err != nil {
		return fmt.Errorf("count complaints: %w", err)
	}
	units, err := ownedUnits(ctx, d.DB, 100000)
	if err != nil {
		return err
	}
	if len(units) == 0 {
		return nil // nothing to complain about without customers and units
	}
	tickets, err := closedTickets(ctx, d.DB, d.Now.AddDate(-1, 0, 0), 0, 100000)
	if err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(20260401, 5))
	g, err := newComplaintGen(ctx, d, r, true)
	if err != nil {
		return err
	}
	count := max(30, len(units)/100-int(fromSurveys))
	crisisAt := count / 3 // the crisis happened about eight months ago
	majorAt := map[int]bool{count / 6: true, count / 2: true, 2 * count / 3: true, 5 * count / 6: true}
	for i := 0; i < count; i++ {
		day := d.Now.AddDate(0, 0, -365+i*365/count)
		rcv := localTime(r, day, d.Location)
		if i >= count-3 { // the last few arrived today and are still being worked on
			rcv = d.Now.Add(-time.Duration(20+r.IntN(26*60)) * time.Minute)
		}
		if rcv.After(d.Now) {
			rcv = d.Now.Add(-time.Duration(1+r.IntN(120)) * time.Minute)
		}
		u := custPick(r, units)
		s := complaintSpec{CustomerID: u.CustomerID, UnitID: &u.ID, Category: g.pickCategory(), Severity: complaint.SeverityNormal, ReceivedAt: rcv}
		switch x := r.IntN(100); {
		case x < 28 && len(tickets) > 0:
			t := custPick(r, tickets)
			s.Source, s.TicketID, s.CustomerID, s.UnitID, s.OutletID = complaint.SourceTicket, &t.ID, t.CustomerID, t.UnitID, t.OutletID
			if t.ClosedAt.Before(rcv) {
				s.ReceivedAt = t.ClosedAt.Add(time.Duration(1+r.IntN(72)) * time.Hour)
				if s.ReceivedAt.After(d.Now) {
					s.ReceivedAt = d.Now.Add(-time.Hour)
				}
			}
		case x < 70:
			s.Source = complaint.SourceHotline
		case x < 86:
			s.Source = complaint.SourceOnline
			s.SourceRef = fmt.Sprintf("WX%s%04d", rcv.In(d.Location).Format("20060102"), r.IntN(10000))
		default:
			s.Source = complaint.SourceExternal
			switch y := r.IntN(10); {
			case y < 6:
				s.ExternalChannel, s.SourceRef = "12315", fmt.Sprintf("12315-%s-%06d", rcv.In(d.Location).Format("2006"), r.IntN(1000000))
			case y < 8:
				s.ExternalChannel, s.SourceRef = "consumer_association", fmt.Sprintf("消协转办 %s 第 %d 号", rcv.In(d.Location).Format("2006"), 100+r.IntN(900))
			case y < 9:
				s.ExternalChannel = "regulator"
			default:
				s.ExternalChannel = "media"
			}
		}
		if i == crisisAt {
			s.Severity, s.Category, s.Source, s.ExternalChannel = complaint.SeverityCrisis, "product_quality", complaint.SourceExternal, "media"
			s.SourceRef, s.TicketID = "", nil
			s.Title = "多名用户反映热水器使用中漏电，当地电视台报道"
			s.Description = "电视台民生栏目报道两起热水器漏电事件，涉及同一生产批次，客户要求赔偿并召回。"
		} else if majorAt[i] {
			// Major complaints: mostly the ones that went to 12315 or the consumer association.
			s.Severity, s.Source, s.TicketID = complaint.SeverityMajor, complaint.SourceExternal, nil
			s.ExternalChannel = custPick(r, []string{"12315", "12315", "consumer_association"})
			s.SourceRef = fmt.Sprintf("12315-%s-%06d", rcv.In(d.Location).Format("2006"), r.IntN(1000000))
			if s.ExternalChannel != "12315" {
				s.SourceRef = fmt.Sprintf("消协转办 %s 第 %d 号", rcv.In(d.Location).Format("2006"), 100+r.IntN(900))
			}
		}
		if s.Title == "" {
			s.Title = custPick(r, complaintTitles[s.Category])
			s.Description = "客户来电反映：" + s.Title + "，要求尽快处理并给予说法。"
		}
		c := g.add(s)
		// Corrective actions for the serious ones and for a share of the
		// quality problems (5.1.6 is scored on them).
		if c.Severity != complaint.SeverityNormal || (c.RootCause != "" && r.IntN(100) < 25 &&
			(c.Category == "product_quality" || c.Category == "repair_quality" || c.Category == "delay")) {
			cid := c.ID
			created := c.ReceivedAt.Add(36 * time.Hour)
			if c.ResolvedAt != nil {
				created = c.ResolvedAt.Add(4 * time.Hour)
			}
			if created.Before(d.Now) {
				title := "针对“" + c.RootCause + "”的纠正措施"
				if c.RootCause == "" {
					title = "针对投诉 " + c.Number + " 的纠正措施"
				}
				g.action(capa.KindCorrective, capa.SourceComplaint, &cid, title, created, 14+r.IntN(17))
			}
		}
	}
	// Internal supervision: a monthly service inspection, some preventive.
	for m := 11; m >= 0; m-- {
		created := localTime(r, d.Now.AddDate(0, -m, -r.IntN(20)), d.Location)
		if created.After(d.Now) {
			continue
		}
		kind, title := capa.KindCorrective, custPick(r, []string{"网点服务规范抽查问题整改", "热线录音抽检问题整改",
			"回访记录不完整整改", "配件出入库记录核对差异整改", "收费公示检查问题整改"})
		if m%3 == 0 {
			kind, title = capa.KindPreventive, custPick(r, []string{"旺季前网点技师扩充与培训", "新机型上市前技师培训", "投诉趋势分析与预防措施"})
		}
		g.action(kind, capa.SourceSupervision, nil, title, created, 21+r.IntN(20))
	}
	if err := g.insert(ctx); err != nil {
		return fmt.Errorf("seed complaints: %w", err)
	}
	// Crisis drills kept as evidence: the annual drill, and the review after the real crisis.
	crisis := g.rows[crisisAt]
	drills := []complaint.Drill{
		{HeldOn: capa.LocalDate(d.Now.AddDate(0, -10, 0), d.Location), Scenario: "年度危机演练：某批次洗衣机门锁故障导致儿童被困，媒体与 12315 同时介入",
			Participants: "总经理、质量部（陈静）、客服中心（王芳）、法务部、公关部、华南区网点代表", Findings: "媒体口径审批链过长（4 小时），需授权质量经理先行发布初步声明；12315 对接人未指定。",
			CreatedBy: "quality", CreatedAt: d.Now.AddDate(0, -10, 1)},
		{HeldOn: capa.LocalDate(crisis.ReceivedAt.AddDate(0, 1, 0), d.Location), Scenario: "复盘演练：热水器漏电媒体曝光事件的处置流程",
			Participants: "质量部、客服中心、法务部、公关部、生产部", Findings: "同批次追溯用时 2 天，需在系统中按批次一键查询受影响用户；已纳入纠正措施。",
			ComplaintID: &crisis.ID, CreatedBy: "quality", CreatedAt: crisis.ReceivedAt.AddDate(0, 1, 1)},
	}
	for i := range drills {
		if drills[i].CreatedAt.After(d.Now) {
			drills[i].CreatedAt = d.Now
		}
		if drills[i].HeldOn.After(capa.LocalDate(d.Now, d.Location)) {
			drills[i].HeldOn = capa.LocalDate(d.Now, d.Location)
		}
	}
	if err := d.DB.WithContext(ctx).Session(&gorm.Session{SkipHooks: true}).Create(&drills).Error; err != nil {
		return fmt.Errorf("seed crisis drills: %w", err)
	}
	return nil
}

// scaleTickets reads tickets for the bulk generators, keyset-paged: any
// status, with the close time or, for open tickets, the creation time.
func scaleTickets(ctx context.Context, db *gorm.DB, afterID uint64, limit int) ([]closedTicket, error) {
	if !db.Migrator().HasTable("tickets") {
		return nil, nil
	}
	// Both columns are read: COALESCE loses the column type on SQLite.
	var rows []struct {
		ID                           uint64
		Number                       string
		CustomerID                   uint64
		UnitID, AssigneeID, OutletID *uint64
		ClosedAt                     *time.Time
		CreatedAt                    time.Time
	}
	err := db.WithContext(ctx).Table("tickets").
		Select("id, number, customer_id, unit_id, assignee_id, outlet_id, closed_at, created_at").
		Where("id > ?", afterID).Order("id").Limit(limit).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("read tickets: %w", err)
	}
	out := make([]closedTicket, len(rows))
	for i, r := range rows {
		out[i] = closedTicket{ID: r.ID, Number: r.Number, CustomerID: r.CustomerID, UnitID: r.UnitID, AssigneeID: r.AssigneeID,
			OutletID: r.OutletID, ClosedAt: r.CreatedAt}
		if r.ClosedAt != nil {
			out[i].ClosedAt = *r.ClosedAt
		}
	}
	return out, nil
}

// syntheticTickets stands in for tickets when the ticket generator has not
// run: n tickets spread over the last year, owned by customers of rng.
func syntheticTickets(r *rand.Rand, rng ScaleRange, from, n int, now time.Time) []closedTicket {
	out := make([]closedTicket, 0, n)
	for i := 0; i < n; i++ {
		t := closedTicket{ID: 0, CustomerID: rng.FirstCustomer + uint64(r.Int64N(int64(rng.LastCustomer-rng.FirstCustomer+1))),
			ClosedAt: now.Add(-time.Duration(r.Int64N(int64(365 * 24 * time.Hour))))}
		if rng.LastUnit >= rng.FirstUnit && rng.LastUnit > 0 {
			u := rng.FirstUnit + uint64(r.Int64N(int64(rng.LastUnit-rng.FirstUnit+1)))
			t.UnitID = &u
		}
		out = append(out, t)
	}
	return out
}

// ScaleComplaintsFor is the number of complaints `seed --scale` generates:
// 5 % of the tickets (50,000 for 1,000,000).
func ScaleComplaintsFor(tickets int) int { return tickets * 5 / 100 }

// ScaleComplaints tops the complaints up to ScaleComplaintsFor(tickets),
// one for every twentieth ticket (received after its close), with the same
// lifecycle as the demo ones but without timeline rows, in chunks of 5,000
// per transaction, without audit records. Without tickets it draws
// customers and units from the customer scale range.
func ScaleComplaints(ctx context.Context, d QualityDeps, tickets int) error {
	d = d.norm()
	var have int64
	if err := d.DB.WithContext(ctx).Model(&complaint.Complaint{}).Count(&have).Error; err != nil {
		return fmt.Errorf("count complaints: %w", err)
	}
	want := int64(ScaleComplaintsFor(tickets))
	if have >= want {
		return nil
	}
	r := rand.New(rand.NewPCG(uint64(tickets), 11))
	g, err := newComplaintGen(ctx, d, r, false)
	if err != nil {
		return err
	}
	rng, err := ScaleRangeOf(ctx, d.DB)
	if err != nil {
		return err
	}
	return withLoader(ctx, d.DB, []string{"complaints", "complaint_logs"}, func(l *db.Loader) error {
		g.loader = l
		return g.scale(ctx, d, r, rng, have, want)
	})
}

// scale generates complaints from have up to want (ScaleComplaints).
func (g *complaintGen) scale(ctx context.Context, d QualityDeps, r *rand.Rand, rng ScaleRange, have, want int64) error {
	made := have
	emit := func(t closedTicket) error {
		s := complaintSpec{CustomerID: t.CustomerID, UnitID: t.UnitID, OutletID: t.OutletID, Category: g.pickCategory(),
			Severity: complaint.SeverityNormal, Source: complaint.SourceHotline}
		if t.ID != 0 {
			id := t.ID
			s.Source, s.TicketID = complaint.SourceTicket, &id
		}
		if r.IntN(100) < 3 {
			s.Severity = complaint.SeverityMajor
		}
		s.ReceivedAt = t.ClosedAt.Add(time.Duration(1+r.IntN(72)) * time.Hour)
		if s.ReceivedAt.After(d.Now) {
			s.ReceivedAt = d.Now.Add(-time.Duration(1+r.IntN(600)) * time.Minute)
		}
		s.Title = custPick(r, complaintTitles[s.Category])
		g.add(s)
		made++
		if len(g.rows) >= 5000 {
			if err := g.insert(ctx); err != nil {
				return err
			}
			g.rows, g.actions = g.rows[:0], g.actions[:0]
		}
		return nil
	}
	var after uint64
	i := 0
	for made < want {
		ts, err := scaleTickets(ctx, d.DB, after, 5000)
		if err != nil {
			return err
		}
		if len(ts) == 0 {
			if after == 0 && rng.LastCustomer > 0 {
				// No tickets at all: synthetic references.
				for made < want {
					for _, t := range syntheticTickets(r, rng, 0, int(min(5000, want-made)), d.Now) {
						if err := emit(t); err != nil {
							return err
						}
					}
				}
			}
			break
		}
		for _, t := range ts {
			if i++; i%20 == 0 && made < want {
				if err := emit(t); err != nil {
					return err
				}
			}
		}
		after = ts[len(ts)-1].ID
	}
	if len(g.rows) > 0 {
		return g.insert(ctx)
	}
	return nil
}
