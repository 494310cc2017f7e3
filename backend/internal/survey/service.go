package survey

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/event"
)

// Topic is the live channel survey events are published on.
const Topic = "quality"

// Dissatisfied actions (config survey.dissatisfied_action).
const (
	ActionComplaint    = "complaint"
	ActionReopenTicket = "reopen_ticket"
)

// Settings are the survey rules from config (survey.*).
type Settings struct {
	Delay                 time.Duration // a link is sent this long after the ticket closes
	LinkRate              float64       // share of closed tickets that get a link (sampling)
	FollowupRate          float64       // share of closed tickets that get a 回访 call
	FollowupWithin        time.Duration // a 回访 is due this long after close (3 days)
	LinkValidFor          time.Duration // a link expires this long after it is sent
	MaxAttempts           int           // unanswered calls before a 回访 is unreachable
	DissatisfiedAtOrBelow int           // a 1–5 rating at or below this is dissatisfied
	DissatisfiedAction    string        // complaint or reopen_ticket
	CallbackWithin        time.Duration // a supervisor call-back is due this long after the answer
	RelationshipRate      float64       // share of last year's customers in the annual survey
	BaseURL               string        // public base URL for links
}

// DefaultSettings are the built-in rules.
func DefaultSettings() Settings {
	return Settings{Delay: 2 * time.Hour, LinkRate: 0.3, FollowupRate: 1, FollowupWithin: 72 * time.Hour,
		LinkValidFor: 7 * 24 * time.Hour, MaxAttempts: 3, DissatisfiedAtOrBelow: 2, DissatisfiedAction: ActionComplaint,
		CallbackWithin: 24 * time.Hour, RelationshipRate: 0.2, BaseURL: "http://localhost:8080"}
}

// Dissatisfaction describes a dissatisfied response for the complaint opener.
type Dissatisfaction struct {
	ResponseID   uint64
	CustomerID   uint64
	TicketID     *uint64
	TicketNumber string
	UnitID       *uint64
	OutletID     *uint64
	Channel      string
	MinScore     int
	// LowestTarget is what the dissatisfaction was about (see
	// DecidingTarget): agent, technician, product or overall, so the
	// complaint gets a fitting category.
	LowestTarget string
	// Unsolved: the customer said the problem was not solved.
	Unsolved bool
	// WorkOrderID and TechnicianID are the visit and the technician the
	// answer was about (from the invitation).
	WorkOrderID  *uint64
	TechnicianID *uint64
	Comment      string
}

// ComplaintOpener opens a complaint (source survey) for a dissatisfied
// response and returns its id. It must be idempotent per ResponseID, because
// a failed attempt is retried by the dispatch job.
type ComplaintOpener interface {
	OpenFromSurvey(ctx context.Context, d Dissatisfaction) (uint64, error)
}

// TicketReopener reopens a closed ticket (ticket.Service satisfies it).
type TicketReopener interface {
	Reopen(ctx context.Context, id uint64, reason string) error
}

// Sender delivers a survey link to the customer (the customer-message
// outbox, package messaging). It is called inside tx, the transaction that
// issues the link's token, so the message is queued exactly when the link
// is: the plain token exists only here and never travels on the event bus.
// Returning an error leaves the invitation scheduled for the next run.
type Sender interface {
	SendSurveyLink(ctx context.Context, tx *gorm.DB, inv Invitation, url string) error
}

// Facts completes what a ticket.closed or workorder.completed event does not
// carry (workorder.completed has no customer; neither names the technician
// user). Implementations return a zero Closed field for an unknown fact.
type Facts interface {
	TicketFacts(ctx context.Context, ticketID uint64) (Closed, error)
	WorkOrderFacts(ctx context.Context, workOrderID uint64) (Closed, error)
}

// Options are the service's dependencies.
type Options struct {
	DB         *gorm.DB
	Audit      *audit.Trail
	Bus        event.Bus
	Log        *slog.Logger
	Now        func() time.Time
	Location   *time.Location
	Settings   Settings
	Complaints ComplaintOpener // wired in app
	Tickets    TicketReopener  // wired in app when the ticket service exists
	Sender     Sender          // nil: links are only logged (no SMS gateway configured)
	Facts      Facts           // wired in app when tickets and work orders exist
	// Supervisor reports whether the actor holds the supervisor permission
	// (followup:supervise), which completing a supervisor call-back needs.
	// Wired in app from the role policy; nil: nobody but the system does.
	Supervisor func(a actor.Actor) bool
}

// Service runs surveys and follow-ups.
type Service struct{ o Options }

// New returns a Service.
func New(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Bus == nil {
		o.Bus = event.Discard
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Settings == (Settings{}) {
		o.Settings = DefaultSettings()
	}
	if o.Settings.MaxAttempts < 1 {
		o.Settings.MaxAttempts = 1
	}
	return &Service{o: o}
}

// SetComplaintOpener wires the complaint side (app, after both exist).
func (s *Service) SetComplaintOpener(c ComplaintOpener) { s.o.Complaints = c }

// SetTicketReopener wires the ticket service for reopen_ticket.
func (s *Service) SetTicketReopener(t TicketReopener) { s.o.Tickets = t }

// SetFacts wires the ticket and work-order lookups.
func (s *Service) SetFacts(f Facts) { s.o.Facts = f }

// SetSender wires a link sender.
func (s *Service) SetSender(x Sender) { s.o.Sender = x }

// Settings returns the rules in force.
func (s *Service) Settings() Settings { return s.o.Settings }

func (s *Service) now() time.Time { return s.o.Now().UTC().Truncate(time.Millisecond) }

func idStr(v uint64) string { return strconv.FormatUint(v, 10) }

// wrap classifies a storage error (db.Classify: busy, duplicate,
// unavailable, internal) with what was being done.
func wrap(err error, what string) error { return db.Classify(err, what) }

// ---- Templates ----

var codePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// TemplateInput creates or replaces a template and its questions.
type TemplateInput struct {
	Name      string
	Kind      string
	Intro     string
	Active    bool
	Questions []Question // Position is taken from the order
}

func validateTemplate(in *TemplateInput) apperr.Fields {
	f := apperr.Fields{}
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 128 {
		f["name"] = apperr.RequiredMax(128)
	}
	if in.Kind != KindTransactional && in.Kind != KindRelationship {
		f["kind"] = apperr.OneOf("transactional", "relationship")
	}
	if utf8.RuneCountInString(in.Intro) > 2000 {
		f["intro"] = apperr.TooLong(2000)
	}
	if len(in.Questions) == 0 || len(in.Questions) > 30 {
		f["questions"] = apperr.Code("question_count", "between 1 and 30 questions").With("min", 1).With("max", 30)
	}
	seen := map[string]bool{}
	rating := false
	for i := range in.Questions {
		q := &in.Questions[i]
		key := fmt.Sprintf("questions[%d]", i)
		q.Code = strings.TrimSpace(q.Code)
		q.Text = strings.TrimSpace(q.Text)
		if q.Target == "" {
			q.Target = TargetOverall
		}
		switch {
		case !codePattern.MatchString(q.Code):
			f[key+".code"] = apperr.Identifier(1, 32)
		case seen[q.Code]:
			f[key+".code"] = apperr.Duplicate(q.Code)
		}
		seen[q.Code] = true
		if q.Text == "" || utf8.RuneCountInString(q.Text) > 500 {
			f[key+".text"] = apperr.RequiredMax(500)
		}
		if !slices.Contains(QuestionTypes, q.Type) {
			f[key+".type"] = apperr.OneOf(QuestionTypes...)
		}
		if !slices.Contains(Targets, q.Target) {
			f[key+".target"] = apperr.OneOf(Targets...)
		}
		if q.Type == TypeCSAT || q.Type == TypeNPS {
			rating = true
		}
		q.Position = i + 1
		q.ID, q.TemplateID = 0, 0
	}
	if len(in.Questions) > 0 && !rating {
		f["questions"] = apperr.Code("rating_question_required", "a survey needs at least one rating question (csat or nps)")
	}
	return f
}

// CreateTemplate adds a template. Errors: validation.
func (s *Service) CreateTemplate(ctx context.Context, in TemplateInput) (Template, error) {
	if f := validateTemplate(&in); len(f) > 0 {
		return Template{}, apperr.FieldsErr(f)
	}
	now := s.now()
	t := Template{Name: in.Name, Kind: in.Kind, Intro: strings.TrimSpace(in.Intro), Active: in.Active, Version: 1,
		CreatedBy: actor.From(ctx).Username, CreatedAt: now, UpdatedAt: now}
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&t).Error; err != nil {
			return err
		}
		for i := range in.Questions {
			in.Questions[i].TemplateID = t.ID
		}
		if err := tx.Create(&in.Questions).Error; err != nil {
			return err
		}
		t.Questions = in.Questions
		return s.o.Audit.Record(ctx, tx, audit.Entry{Action: "create", Entity: "survey_template", EntityID: idStr(t.ID), After: t})
	})
	if err != nil {
		return Template{}, wrap(err, "create survey template")
	}
	return t, nil
}

// UpdateTemplate replaces a template's fields and questions. Answers already
// recorded keep the questions as they were asked (responses store them).
// Errors: not found, validation, conflict (version_conflict).
func (s *Service) UpdateTemplate(ctx context.Context, tid uint64, version int64, in TemplateInput) (Template, error) {
	if f := validateTemplate(&in); len(f) > 0 {
		return Template{}, apperr.FieldsErr(f)
	}
	var out Template
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		before, err := s.loadTemplate(tx, tid)
		if err != nil {
			return err
		}
		if version != 0 && version != before.Version {
			return apperr.ErrVersionConflict("survey template")
		}
		t := before
		t.Name, t.Kind, t.Intro, t.Active = in.Name, in.Kind, strings.TrimSpace(in.Intro), in.Active
		t.Version, t.UpdatedAt = before.Version+1, s.now()
		if err := db.UpdateVersioned(tx, &Template{}, tid, before.Version, "survey template", map[string]any{"name": t.Name, "kind": t.Kind, "intro": t.Intro, "active": t.Active, "version": t.Version, "updated_at": t.UpdatedAt}); err != nil {
			return err
		}
		if err := tx.Where("template_id = ?", tid).Delete(&Question{}).Error; err != nil {
			return err
		}
		for i := range in.Questions {
			in.Questions[i].TemplateID = tid
		}
		if err := tx.Create(&in.Questions).Error; err != nil {
			return err
		}
		t.Questions = in.Questions
		out = t
		return s.o.Audit.Record(ctx, tx, audit.Entry{Action: "update", Entity: "survey_template", EntityID: idStr(tid), Before: before, After: t})
	})
	if err != nil {
		return Template{}, wrap(err, "update survey template")
	}
	return out, nil
}

func (s *Service) loadTemplate(g *gorm.DB, tid uint64) (Template, error) {
	var t Template
	if err := db.Take(g.Where("id = ?", tid), &t, "survey template"); err != nil {
		return Template{}, err
	}
	if err := g.Where("template_id = ?", tid).Order("position").Find(&t.Questions).Error; err != nil {
		return Template{}, err
	}
	return t, nil
}

// GetTemplate returns a template with its questions. Errors: not found.
func (s *Service) GetTemplate(ctx context.Context, tid uint64) (Template, error) {
	t, err := s.loadTemplate(s.o.DB.WithContext(ctx), tid)
	if err != nil {
		return Template{}, wrap(err, "get survey template")
	}
	return t, nil
}

// ListTemplates returns templates (without questions), newest first.
func (s *Service) ListTemplates(ctx context.Context, kind string, activeOnly bool) ([]Template, error) {
	q := s.o.DB.WithContext(ctx).Model(&Template{})
	if kind != "" {
		q = q.Where("kind = ?", kind)
	}
	if activeOnly {
		q = q.Where("active = ?", true)
	}
	var out []Template
	if err := q.Order("id DESC").Limit(500).Find(&out).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("list survey templates: %w", err))
	}
	return out, nil
}

// activeTemplate returns the template used for new invitations of kind: the
// newest active one. ok is false when there is none.
func (s *Service) activeTemplate(db *gorm.DB, kind string) (Template, bool, error) {
	var t Template
	err := db.Where("kind = ? AND active = ?", kind, true).Order("id DESC").Take(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Template{}, false, nil
	}
	if err != nil {
		return Template{}, false, err
	}
	return t, true, nil
}

// EnsureDefaultTemplates creates the standard transactional and
// relationship templates when no active template of that kind exists (demo
// seeding and first start of a new enterprise).
func (s *Service) EnsureDefaultTemplates(ctx context.Context) error {
	defaults := []TemplateInput{
		{Name: "服务满意度回访", Kind: KindTransactional, Active: true,
			Intro: "感谢您使用我们的售后服务。为了持续改进服务质量，请您花一分钟对本次服务进行评价。",
			Questions: []Question{
				{Code: "overall", Text: "您对本次售后服务的总体满意度如何？（1 很不满意 — 5 非常满意）", Type: TypeCSAT, Target: TargetOverall, Required: true},
				{Code: "agent", Text: "您对热线客服人员的服务满意度如何？", Type: TypeCSAT, Target: TargetAgent, Required: true},
				{Code: "technician", Text: "您对上门/网点维修技师的服务满意度如何？", Type: TypeCSAT, Target: TargetTechnician, Required: false},
				{Code: "solved", Text: "您的问题是否已经解决？", Type: TypeYesNo, Target: TargetOverall, Required: true},
				{Code: "recommend", Text: "您有多大可能向亲友推荐我们的产品和服务？（0—10）", Type: TypeNPS, Target: TargetOverall, Required: false},
				{Code: "comment", Text: "您还有什么意见或建议？", Type: TypeText, Target: TargetOther, Required: false},
			}},
		{Name: "年度客户关系调查", Kind: KindRelationship, Active: true,
			Intro: "感谢您过去一年对我们的信任。请对我们的产品与售后服务整体进行评价。",
			Questions: []Question{
				{Code: "recommend", Text: "您有多大可能向亲友推荐我们的品牌？（0—10）", Type: TypeNPS, Target: TargetOverall, Required: true},
				{Code: "overall", Text: "您对过去一年我们售后服务的总体满意度如何？", Type: TypeCSAT, Target: TargetOverall, Required: true},
				{Code: "product", Text: "您对产品质量的满意度如何？", Type: TypeCSAT, Target: TargetProduct, Required: true},
				{Code: "comment", Text: "您希望我们在哪些方面改进？", Type: TypeText, Target: TargetOther, Required: false},
			}},
	}
	for _, d := range defaults {
		_, ok, err := s.activeTemplate(s.o.DB.WithContext(ctx), d.Kind)
		if err != nil {
			return fmt.Errorf("survey default templates: %w", err)
		}
		if ok {
			continue
		}
		if _, err := s.CreateTemplate(ctx, d); err != nil {
			return fmt.Errorf("survey default template %s: %w", d.Kind, err)
		}
	}
	return nil
}
