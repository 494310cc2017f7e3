package demo

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/complaint"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/survey"
)

// surveyGen builds invitations, 回访, attempts and responses.
type surveyGen struct {
	// loader, when set, writes the rows (seed --scale).
	loader                           *db.Loader
	r                                *rand.Rand
	d                                QualityDeps
	tpl, rel                         survey.Template
	nextInv, nextResp, nextFU, nextA uint64
	invs                             []survey.Invitation
	resps                            []survey.Response
	fus                              []survey.Followup
	attempts                         []survey.Attempt
	withAttempts                     bool
}

func newSurveyGen(ctx context.Context, d QualityDeps, r *rand.Rand) (*surveyGen, error) {
	sctx := actor.With(ctx, actor.System("seed"))
	if err := d.Surveys.EnsureDefaultTemplates(sctx); err != nil {
		return nil, err
	}
	g := &surveyGen{r: r, d: d, withAttempts: true}
	for _, k := range []struct {
		kind string
		dst  *survey.Template
	}{{survey.KindTransactional, &g.tpl}, {survey.KindRelationship, &g.rel}} {
		list, err := d.Surveys.ListTemplates(ctx, k.kind, true)
		if err != nil || len(list) == 0 {
			return nil, fmt.Errorf("no active %s survey template: %v", k.kind, err)
		}
		t, err := d.Surveys.GetTemplate(ctx, list[0].ID)
		if err != nil {
			return nil, err
		}
		*k.dst = t
	}
	var err error
	for _, x := range []struct {
		table string
		dst   *uint64
	}{{"survey_invitations", &g.nextInv}, {"survey_responses", &g.nextResp}, {"survey_followups", &g.nextFU}, {"survey_followup_attempts", &g.nextA}} {
		if *x.dst, err = maxID(ctx, d.DB, x.table); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// score draws a 1–5 rating: mostly 4–5, a few 1–2.
func (g *surveyGen) score() int {
	switch x := g.r.IntN(1000); {
	case x < 600:
		return 5
	case x < 910:
		return 4
	case x < 985:
		return 3
	case x < 995:
		return 2
	}
	return 1
}

// nps draws a 0–10 recommendation that goes with an overall rating.
func (g *surveyGen) nps(overall int) int {
	switch overall {
	case 5:
		return 8 + g.r.IntN(3)
	case 4:
		return 6 + g.r.IntN(4)
	case 3:
		return 4 + g.r.IntN(4)
	}
	return g.r.IntN(5)
}

var demoComments = map[bool][]string{
	true:  {"师傅很专业，准时上门", "客服态度很好", "处理速度快，满意", "维修后运行正常", "", "", "", ""},
	false: {"上门太慢，等了三天", "修完还是有问题", "客服一直推脱", "收费不透明", "师傅态度差"},
}

// answers draws the answers of tpl and returns them with the raw map.
func (g *surveyGen) answers(tpl survey.Template, withTechnician bool) []survey.Answer {
	overall := g.score()
	var out []survey.Answer
	for _, q := range tpl.Questions {
		a := survey.Answer{Code: q.Code, Type: q.Type, Target: q.Target, Question: q.Text}
		switch q.Type {
		case survey.TypeCSAT:
			v := overall
			if q.Target != survey.TargetOverall {
				if q.Target == survey.TargetTechnician && !withTechnician {
					continue
				}
				// Sub-ratings follow the overall one; a happy customer
				// rarely marks the agent or technician down to 1–2.
				if g.r.IntN(100) < 20 {
					v = min(5, max(1, overall+g.r.IntN(3)-1))
					if overall >= 4 {
						v = max(v, 3)
					}
				}
			}
			a.Score = &v
		case survey.TypeNPS:
			if !q.Required && g.r.IntN(100) < 25 {
				continue
			}
			v := g.nps(overall)
			a.Score = &v
		case survey.TypeYesNo:
			v := overall >= 3 || g.r.IntN(100) < 30
			a.Yes = &v
		case survey.TypeText:
			a.Text = custPick(g.r, demoComments[overall >= 3])
			if a.Text == "" {
				continue
			}
		}
		out = append(out, a)
	}
	return out
}

func randomTokenHash(r *rand.Rand) *string {
	var b [32]byte
	for i := 0; i < 4; i++ {
		binary.LittleEndian.PutUint64(b[i*8:], r.Uint64())
	}
	h := sha256.Sum256(b[:])
	s := hex.EncodeToString(h[:])
	return &s
}

// respond records a response to inv at at and returns it.
func (g *surveyGen) respond(inv *survey.Invitation, at time.Time, fuID *uint64, tpl survey.Template, by string) *survey.Response {
	as := g.answers(tpl, inv.TechnicianID != nil || inv.OutletID != nil || g.r.IntN(100) < 60)
	sc := survey.ScoresOf(as)
	js, _ := json.Marshal(as)
	g.nextResp++
	resp := survey.Response{ID: g.nextResp, RespondentKey: inv.RespondentKey, InvitationID: inv.ID, FollowupID: fuID, TemplateID: tpl.ID,
		Kind: inv.Kind, Channel: inv.Channel, TicketID: inv.TicketID, CustomerID: inv.CustomerID, UnitID: inv.UnitID, OutletID: inv.OutletID,
		AgentID: inv.AgentID, TechnicianID: inv.TechnicianID, AnsweredAt: at, Csat: sc.CSAT, Nps: sc.NPS, AgentScore: sc.Agent,
		TechnicianScore: sc.Technician, MinScore: sc.Min, Answers: string(js), RecordedBy: by, CreatedAt: at}
	if survey.Dissatisfied(sc, g.d.DissatisfiedAtOrBelow) {
		resp.Dissatisfied, resp.Action, resp.ActionStatus = true, survey.ActionComplaint, "done"
	}
	inv.Status, inv.AnsweredAt, inv.ResponseID = survey.InvAnswered, &at, &resp.ID
	inv.Version++
	inv.UpdatedAt = at
	g.resps = append(g.resps, resp)
	return &g.resps[len(g.resps)-1]
}

func (g *surveyGen) attempt(fu *survey.Followup, at time.Time, outcome, by, note string) {
	fu.Attempts++
	fu.LastAttemptAt, fu.LastOutcome, fu.UpdatedAt = &at, outcome, at
	fu.Version++
	if !g.withAttempts {
		return
	}
	g.nextA++
	g.attempts = append(g.attempts, survey.Attempt{ID: g.nextA, FollowupID: fu.ID, At: at, ActorName: by, Outcome: outcome, Note: note})
}

var demoAgents = []string{"王芳", "张丽", "刘婷", "陈晨", "杨洋"}

// ticket generates the survey history of one closed ticket.
func (g *surveyGen) ticket(t closedTicket, linkRate float64) {
	r, now := g.r, g.d.Now
	rk := fmt.Sprintf("t:%d:c:%d", t.ID, t.CustomerID)
	closed := t.ClosedAt.UTC().Truncate(time.Second)
	tid := t.ID
	base := survey.Invitation{RespondentKey: rk, TemplateID: g.tpl.ID, Kind: survey.KindTransactional, TicketID: &tid, TicketNumber: t.Number,
		CustomerID: t.CustomerID, UnitID: t.UnitID, OutletID: t.OutletID, AgentID: t.AssigneeID, ClosedAt: &closed, Version: 1,
		CreatedAt: closed, UpdatedAt: closed}
	var link *survey.Invitation
	var linkAnswered time.Time
	if survey.Sampled(rk+":link", linkRate) {
		g.nextInv++
		inv := base
		inv.ID, inv.DedupeKey, inv.Channel, inv.SendAt = g.nextInv, rk+":link", survey.ChannelLink, closed.Add(2*time.Hour)
		inv.Status = survey.InvScheduled
		if !inv.SendAt.After(now) {
			exp := inv.SendAt.Add(7 * 24 * time.Hour)
			inv.Status, inv.SentAt, inv.ExpiresAt, inv.TokenHash = survey.InvSent, &inv.SendAt, &exp, randomTokenHash(r)
			if at := inv.SendAt.Add(time.Duration(10+r.IntN(48*60)) * time.Minute); r.IntN(100) < 25 && at.Before(now) {
				g.respond(&inv, at, nil, g.tpl, "customer:link")
				linkAnswered = at
			}
		}
		g.invs = append(g.invs, inv)
		link = &g.invs[len(g.invs)-1]
	}
	// The 回访 call.
	g.nextInv++
	phone := base
	phone.ID, phone.DedupeKey, phone.Channel, phone.Status = g.nextInv, rk+":phone", survey.ChannelPhone, survey.InvSent
	phone.SendAt, phone.SentAt = closed, &closed
	g.nextFU++
	invID := phone.ID
	fu := survey.Followup{ID: g.nextFU, DedupeKey: "after_close:" + rk, Kind: survey.FollowupAfterClose, Status: survey.FUDue,
		InvitationID: &invID, TemplateID: g.tpl.ID, TicketID: &tid, TicketNumber: t.Number, CustomerID: t.CustomerID, UnitID: t.UnitID,
		OutletID: t.OutletID, AgentID: t.AssigneeID, ClosedAt: &closed, DueAt: closed.Add(72 * time.Hour), Version: 1, CreatedAt: closed, UpdatedAt: closed}
	caller := custPick(r, demoAgents)
	first := closed.Add(time.Duration(2*60+r.IntN(58*60)) * time.Minute) // mostly within the 3 days
	if r.IntN(100) < 9 {
		first = closed.Add(time.Duration(73+r.IntN(70)) * time.Hour) // late 回访
	}
	switch {
	case !linkAnswered.IsZero():
		// The link was answered: calls made before that went unanswered,
		// then the 回访 was closed (one response per respondent).
		at := first
		for n := 0; n < 2 && at.Before(linkAnswered); n++ {
			g.attempt(&fu, at, survey.OutcomeNoAnswer, caller, "")
			at = at.Add(time.Duration(3*60+r.IntN(20*60)) * time.Minute)
		}
		phone.Status = survey.InvCancelled
		fu.Status, fu.CompletedAt, fu.Note = survey.FUCancelled, &linkAnswered, "客户已通过其他渠道完成评价"
	default:
		g.call(&phone, &fu, first, caller, link)
	}
	g.invs = append(g.invs, phone)
	g.fus = append(g.fus, fu)
}

// call plays the calls of a 回访 from first on, stopping at now.
func (g *surveyGen) call(phone *survey.Invitation, fu *survey.Followup, first time.Time, caller string, link *survey.Invitation) {
	r, now := g.r, g.d.Now
	finish := func(status string, at time.Time) {
		fu.Status, fu.CompletedAt, fu.CompletedBy = status, &at, caller
	}
	outcome := r.IntN(100)
	at := first
	for n := 1; n <= 3; n++ {
		if at.After(now) {
			return // not yet called (again)
		}
		switch {
		case outcome < 52 && (n == 1 && outcome < 39 || n == 2 && outcome < 49 || n == 3):
			g.attempt(fu, at, survey.OutcomeReached, caller, "")
			resp := g.respond(phone, at, &fu.ID, g.tpl, caller)
			fu.ResponseID = &resp.ID
			finish(survey.FUAnswered, at)
			if link != nil && (link.Status == survey.InvSent || link.Status == survey.InvScheduled) {
				link.Status = survey.InvCancelled
			}
			return
		case outcome >= 90 && n == 1:
			g.attempt(fu, at, survey.OutcomeRefused, caller, "客户表示没时间，不愿参加回访")
			phone.Status = survey.InvRefused
			finish(survey.FURefused, at)
			return
		case outcome >= 87 && outcome < 90 && n == 1:
			g.attempt(fu, at, survey.OutcomeWrongNumber, caller, "号码为空号")
			phone.Status = survey.InvUnreachable
			finish(survey.FUUnreachable, at)
			return
		default:
			g.attempt(fu, at, custPick(r, []string{survey.OutcomeNoAnswer, survey.OutcomeNoAnswer, survey.OutcomeBusy}), caller, "")
			if n == 3 {
				phone.Status = survey.InvUnreachable
				finish(survey.FUUnreachable, at)
				return
			}
		}
		at = at.Add(time.Duration(3*60+r.IntN(20*60)) * time.Minute)
	}
}

// callbacks schedules (and mostly completes) the supervisor call-back of
// every dissatisfied response, and opens its complaint through cg.
func (g *surveyGen) callbacks(cg *complaintGen) {
	r, now := g.r, g.d.Now
	for i := range g.resps {
		resp := &g.resps[i]
		if !resp.Dissatisfied {
			continue
		}
		rid := resp.ID
		var lowest string
		var as []survey.Answer
		_ = json.Unmarshal([]byte(resp.Answers), &as)
		best := 6
		for _, a := range as {
			if a.Type == survey.TypeCSAT && a.Score != nil && *a.Score < best {
				best, lowest = *a.Score, a.Target
			}
		}
		category := map[string]string{survey.TargetAgent: "service_attitude", survey.TargetTechnician: "repair_quality",
			survey.TargetProduct: "product_quality"}[lowest]
		if category == "" {
			category = "other"
		}
		channel := map[string]string{survey.ChannelLink: "评价链接", survey.ChannelPhone: "电话回访"}[resp.Channel]
		title := fmt.Sprintf("满意度评价不满意（最低 %d 分，%s）", best, channel)
		c := cg.add(complaintSpec{Source: complaint.SourceSurvey, CustomerID: resp.CustomerID, TicketID: resp.TicketID, UnitID: resp.UnitID,
			OutletID: resp.OutletID, Category: category, Severity: complaint.SeverityNormal, Title: title,
			Description: "客户在满意度评价中表示不满意", ReceivedAt: resp.AnsweredAt.Add(time.Second), SurveyResponseID: &rid})
		cid := c.ID
		resp.ComplaintID = &cid
		g.nextFU++
		cb := survey.Followup{ID: g.nextFU, DedupeKey: fmt.Sprintf("callback:%d", rid), Kind: survey.FollowupSupervisorCallback, Status: survey.FUDue,
			SourceResponseID: &rid, TemplateID: resp.TemplateID, TicketID: resp.TicketID, CustomerID: resp.CustomerID, UnitID: resp.UnitID,
			OutletID: resp.OutletID, AgentID: resp.AgentID, DueAt: resp.AnsweredAt.Add(24 * time.Hour), Version: 1,
			CreatedAt: resp.AnsweredAt, UpdatedAt: resp.AnsweredAt}
		at := resp.AnsweredAt.Add(time.Duration(2*60+r.IntN(18*60)) * time.Minute)
		if r.IntN(100) < 8 {
			at = resp.AnsweredAt.Add(time.Duration(26+r.IntN(40)) * time.Hour) // a late call-back
		}
		if at.Before(now) {
			g.attempt(&cb, at, survey.OutcomeReached, "quality", "主管回电致歉并跟进处理")
			cb.Status, cb.CompletedAt, cb.CompletedBy, cb.Note = survey.FUDone, &at, "quality", "已向客户致歉，约定二次上门处理"
		}
		g.fus = append(g.fus, cb)
	}
}

// relationship adds the annual relationship survey sent at sendAt to a
// sample of the customers seen.
func (g *surveyGen) relationship(customers []uint64, sendAt time.Time) {
	r, now := g.r, g.d.Now
	year := sendAt.In(g.d.Location).Year()
	for _, cid := range customers {
		rk := fmt.Sprintf("r:%d:c:%d", year, cid)
		if !survey.Sampled(rk, 0.2) {
			continue
		}
		g.nextInv++
		exp := sendAt.Add(7 * 24 * time.Hour)
		inv := survey.Invitation{ID: g.nextInv, DedupeKey: rk + ":link", RespondentKey: rk, TemplateID: g.rel.ID, Kind: survey.KindRelationship,
			Channel: survey.ChannelLink, Status: survey.InvSent, CustomerID: cid, SendAt: sendAt, SentAt: &sendAt, ExpiresAt: &exp,
			TokenHash: randomTokenHash(r), Version: 1, CreatedAt: sendAt, UpdatedAt: sendAt}
		if at := sendAt.Add(time.Duration(30+r.IntN(6*24*60)) * time.Minute); r.IntN(100) < 30 && at.Before(now) {
			g.respond(&inv, at, nil, g.rel, "customer:link")
		}
		g.invs = append(g.invs, inv)
	}
}

// insert writes the generated rows without audit records (seeded history
// is not a change anyone made) and clears them.
func (g *surveyGen) insert(ctx context.Context) error {
	if g.loader != nil {
		var err error
		for _, rows := range []any{g.invs, g.resps, g.fus, g.attempts} {
			if err = g.loader.LoadModels(ctx, g.d.DB, rows); err != nil {
				err = fmt.Errorf("surveys: %w", err)
				break
			}
		}
		g.invs, g.resps, g.fus, g.attempts = g.invs[:0], g.resps[:0], g.fus[:0], g.attempts[:0]
		return err
	}
	db := g.d.DB.WithContext(ctx).Session(&gorm.Session{SkipHooks: true})
	batch := qualityBatch(db)
	err := db.Transaction(func(tx *gorm.DB) error {
		if len(g.invs) > 0 {
			if err := tx.CreateInBatches(&g.invs, batch).Error; err != nil {
				return fmt.Errorf("invitations: %w", err)
			}
		}
		if len(g.resps) > 0 {
			if err := tx.CreateInBatches(&g.resps, batch).Error; err != nil {
				return fmt.Errorf("responses: %w", err)
			}
		}
		if len(g.fus) > 0 {
			if err := tx.CreateInBatches(&g.fus, batch).Error; err != nil {
				return fmt.Errorf("follow-ups: %w", err)
			}
		}
		if len(g.attempts) > 0 {
			if err := tx.CreateInBatches(&g.attempts, batch).Error; err != nil {
				return fmt.Errorf("attempts: %w", err)
			}
		}
		return nil
	})
	g.invs, g.resps, g.fus, g.attempts = g.invs[:0], g.resps[:0], g.fus[:0], g.attempts[:0]
	return err
}

// SeedSurveys creates a year of satisfaction history for the demo
// enterprise's closed tickets: a 回访 call for each (most within the 3
// days, some late, some unreachable or refused) and a link for three in ten
// (a quarter answered, the rest expired), about 35–50 % response overall,
// ratings mostly 4–5; each dissatisfied answer (≤ 2) opened a complaint
// (source survey) and got a supervisor call-back, a few of them late. Plus
// this year's relationship survey. Tickets are read with plain queries and
// must be seeded first; without closed tickets only the templates are
// created. It does nothing when responses exist. Rows are bulk-inserted
// without audit records.
func SeedSurveys(ctx context.Context, d QualityDeps) error {
	d = d.norm()
	var n int64
	if err := d.DB.WithContext(ctx).Model(&survey.Response{}).Count(&n).Error; err != nil {
		return fmt.Errorf("count survey responses: %w", err)
	}
	if n > 0 {
		return nil
	}
	r := rand.New(rand.NewPCG(20260601, 9))
	g, err := newSurveyGen(ctx, d, r)
	if err != nil {
		return err
	}
	cg, err := newComplaintGen(ctx, d, r, true)
	if err != nil {
		return err
	}
	seen := map[uint64]bool{}
	var customers []uint64
	var after uint64
	for {
		ts, err := closedTickets(ctx, d.DB, d.Now.AddDate(-1, 0, 0), after, 5000)
		if err != nil {
			return err
		}
		if len(ts) == 0 {
			break
		}
		for _, t := range ts {
			g.ticket(t, 0.3)
			if !seen[t.CustomerID] {
				seen[t.CustomerID] = true
				customers = append(customers, t.CustomerID)
			}
		}
		after = ts[len(ts)-1].ID
	}
	if y := d.Now.In(d.Location).Year(); len(customers) > 0 {
		sendAt := time.Date(y, 1, 2, 10, 0, 0, 0, d.Location).UTC()
		if sendAt.Before(d.Now) {
			g.relationship(customers, sendAt)
		}
	}
	g.callbacks(cg)
	if err := cg.insert(ctx); err != nil {
		return fmt.Errorf("seed survey complaints: %w", err)
	}
	if err := g.insert(ctx); err != nil {
		return fmt.Errorf("seed surveys: %w", err)
	}
	// The rows went in without the service: bring the KPI rollups in line.
	return d.Surveys.RebuildStats(ctx)
}

// ScaleSurveyResponsesFor is the number of survey responses `seed --scale`
// aims at: half the tickets (500,000 for 1,000,000).
func ScaleSurveyResponsesFor(tickets int) int { return tickets / 2 }

// ScaleSurveys generates one invitation per ticket (a link or a 回访 call,
// half each), half of them answered (ScaleSurveyResponsesFor), with a
// follow-up row for each call; attempts are counted on the follow-up
// without attempt rows, and dissatisfied answers are marked done without a
// complaint of their own (ScaleComplaints makes the complaints). Chunks of
// 5,000 tickets per transaction, no audit records. Without tickets it makes
// synthetic ones from the customer scale range. It is skipped when enough
// responses exist.
func ScaleSurveys(ctx context.Context, d QualityDeps, tickets int) error {
	d = d.norm()
	var have int64
	if err := d.DB.WithContext(ctx).Model(&survey.Response{}).Count(&have).Error; err != nil {
		return fmt.Errorf("count survey responses: %w", err)
	}
	if have >= int64(ScaleSurveyResponsesFor(tickets)) {
		return nil
	}
	r := rand.New(rand.NewPCG(uint64(tickets), 13))
	g, err := newSurveyGen(ctx, d, r)
	if err != nil {
		return err
	}
	g.withAttempts = false
	rng, err := ScaleRangeOf(ctx, d.DB)
	if err != nil {
		return err
	}
	now := d.Now
	capNow := func(t time.Time) time.Time {
		if t.After(now) {
			return now.Add(-time.Minute)
		}
		return t
	}
	one := func(t closedTicket) {
		g.nextInv++
		closed := t.ClosedAt.UTC().Truncate(time.Second)
		rk := fmt.Sprintf("t:%d:c:%d", t.ID, t.CustomerID)
		var tid *uint64
		if t.ID != 0 {
			id := t.ID
			tid = &id
		} else {
			rk = fmt.Sprintf("scale:%d:c:%d", g.nextInv, t.CustomerID)
		}
		inv := survey.Invitation{ID: g.nextInv, RespondentKey: rk, TemplateID: g.tpl.ID, Kind: survey.KindTransactional, TicketID: tid,
			TicketNumber: t.Number, CustomerID: t.CustomerID, UnitID: t.UnitID, OutletID: t.OutletID, AgentID: t.AssigneeID, ClosedAt: &closed,
			Status: survey.InvSent, Version: 1, CreatedAt: closed, UpdatedAt: closed}
		answered := r.IntN(100) < 50
		if r.IntN(2) == 0 {
			inv.DedupeKey, inv.Channel = rk+":link", survey.ChannelLink
			inv.SendAt = closed.Add(2 * time.Hour)
			exp := inv.SendAt.Add(7 * 24 * time.Hour)
			// No token: nobody holds one, and a random unique key per row is
			// the costliest index to fill at a million rows.
			inv.SentAt, inv.ExpiresAt = &inv.SendAt, &exp
			if answered {
				g.respond(&inv, capNow(inv.SendAt.Add(time.Duration(10+r.IntN(48*60))*time.Minute)), nil, g.tpl, "customer:link")
			}
			g.invs = append(g.invs, inv)
			return
		}
		inv.DedupeKey, inv.Channel, inv.SendAt, inv.SentAt = rk+":phone", survey.ChannelPhone, closed, &closed
		g.nextFU++
		invID := inv.ID
		fu := survey.Followup{ID: g.nextFU, DedupeKey: "after_close:" + rk, Kind: survey.FollowupAfterClose, Status: survey.FUDue,
			InvitationID: &invID, TemplateID: g.tpl.ID, TicketID: tid, TicketNumber: t.Number, CustomerID: t.CustomerID, UnitID: t.UnitID,
			OutletID: t.OutletID, AgentID: t.AssigneeID, ClosedAt: &closed, DueAt: closed.Add(72 * time.Hour), Version: 1, CreatedAt: closed, UpdatedAt: closed}
		at := capNow(closed.Add(time.Duration(2*60+r.IntN(80*60)) * time.Minute))
		caller := custPick(r, demoAgents)
		switch {
		case answered:
			g.attempt(&fu, at, survey.OutcomeReached, caller, "")
			resp := g.respond(&inv, at, &fu.ID, g.tpl, caller)
			fu.ResponseID = &resp.ID
			fu.Status, fu.CompletedAt, fu.CompletedBy = survey.FUAnswered, &at, caller
		case r.IntN(4) == 0:
			g.attempt(&fu, at, survey.OutcomeRefused, caller, "")
			inv.Status = survey.InvRefused
			fu.Status, fu.CompletedAt, fu.CompletedBy = survey.FURefused, &at, caller
		default:
			for k := 0; k < 3; k++ {
				g.attempt(&fu, at, survey.OutcomeNoAnswer, caller, "")
			}
			inv.Status = survey.InvUnreachable
			fu.Status, fu.CompletedAt, fu.CompletedBy = survey.FUUnreachable, &at, caller
		}
		g.invs = append(g.invs, inv)
		g.fus = append(g.fus, fu)
	}
	want := ScaleSurveyResponsesFor(tickets)
	// Tickets surveyed already (the demo's) keep their one response each.
	var after uint64
	var last *uint64
	if err := d.DB.WithContext(ctx).Model(&survey.Invitation{}).Select("MAX(ticket_id)").Scan(&last).Error; err != nil {
		return fmt.Errorf("scale surveys: %w", err)
	}
	if last != nil {
		after = *last
	}
	first := after
	err = withLoader(ctx, d.DB, []string{"survey_invitations", "survey_responses", "survey_followups"}, func(l *db.Loader) error {
		g.loader = l
		for {
			ts, err := scaleTickets(ctx, d.DB, after, 20000)
			if err != nil {
				return err
			}
			if len(ts) == 0 {
				break
			}
			for _, t := range ts {
				one(t)
			}
			if err := g.insert(ctx); err != nil {
				return fmt.Errorf("scale surveys: %w", err)
			}
			after = ts[len(ts)-1].ID
		}
		if after == first && rng.LastCustomer > 0 {
			for done := 0; done < want*2; done += 5000 {
				for _, t := range syntheticTickets(r, rng, done, min(5000, want*2-done), d.Now) {
					one(t)
				}
				if err := g.insert(ctx); err != nil {
					return fmt.Errorf("scale surveys: %w", err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	// The rows went in without the service: bring the KPI rollups in line.
	return d.Surveys.RebuildStats(ctx)
}
