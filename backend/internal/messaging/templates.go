package messaging

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/db"
)

// Variables lists the placeholders each trigger's template may use.
var Variables = map[string][]string{
	TriggerAppointmentConfirmed:  {"name", "number", "time"},
	TriggerTechnicianOnTheWay:    {"name", "number", "time"},
	TriggerQuoteWaiting:          {"name", "number", "amount", "link", "expires"},
	TriggerRepairCompleted:       {"name", "number", "amount"},
	TriggerSurveyLink:            {"name", "number", "link"},
	TriggerRecallNotice:          {"name", "campaign", "number", "remedy"},
	TriggerComplaintAcknowledged: {"name", "number"},
}

// DefaultTemplates are seeded on first start (EnsureDefaults); admins edit
// them afterwards.
var DefaultTemplates = []Template{
	{Trigger: TriggerAppointmentConfirmed, Name: "预约确认", Params: "name,number,time",
		Body: "{{name}}您好，您的服务工单{{number}}已预约上门时间：{{time}}。如需改约请致电服务热线。"},
	{Trigger: TriggerTechnicianOnTheWay, Name: "技师出发", Params: "name,number,time",
		Body: "{{name}}您好，服务工单{{number}}的技师已出发，预计{{time}}前到达，请保持电话畅通。"},
	{Trigger: TriggerQuoteWaiting, Name: "报价待确认", Params: "name,number,amount,link,expires",
		Body: "{{name}}您好，您的维修单{{number}}已出保修期，维修报价{{amount}}元。请于{{expires}}前点击查看并确认：{{link}}"},
	{Trigger: TriggerRepairCompleted, Name: "维修完成", Params: "name,number,amount",
		Body: "{{name}}您好，您的维修单{{number}}已维修完成，应付费用{{amount}}元。感谢您的耐心等待。"},
	{Trigger: TriggerSurveyLink, Name: "满意度评价", Params: "name,number,link",
		Body: "{{name}}您好，您的服务单{{number}}已完成，请花一分钟为本次服务评价：{{link}}"},
	{Trigger: TriggerRecallNotice, Name: "召回通知", Params: "name,campaign,number,remedy",
		Body: "{{name}}您好，您的产品属于召回活动“{{campaign}}”（{{number}}），存在安全隐患，请停止使用并联系我们免费{{remedy}}。"},
	{Trigger: TriggerComplaintAcknowledged, Name: "投诉受理", Params: "name,number",
		Body: "{{name}}您好，您的投诉{{number}}已受理，我们将尽快处理并与您联系。"},
}

var placeholder = regexp.MustCompile(`\{\{\s*([a-z_]+)\s*\}\}`)

// Render fills body's {{variable}} placeholders from params; a placeholder
// without a value renders empty.
func Render(body string, params map[string]string) string {
	return placeholder.ReplaceAllStringFunc(body, func(m string) string {
		return params[placeholder.FindStringSubmatch(m)[1]]
	})
}

// checkTemplate returns the field errors of a template for trigger.
func checkTemplate(trigger string, t Template) apperr.Fields {
	fields := apperr.Fields{}
	allowed := Variables[trigger]
	if strings.TrimSpace(t.Body) == "" || utf8.RuneCountInString(t.Body) > 500 {
		fields["body"] = apperr.RequiredMax(500)
	} else {
		for _, m := range placeholder.FindAllStringSubmatch(t.Body, -1) {
			if !slices.Contains(allowed, m[1]) {
				fields["body"] = apperr.Code("unknown_variable", fmt.Sprintf("unknown variable {{%s}}; allowed: %s", m[1], strings.Join(allowed, ", "))).
					With("variable", m[1]).With("allowed", allowed)
				break
			}
		}
	}
	if n := strings.TrimSpace(t.Name); n == "" || utf8.RuneCountInString(n) > 64 {
		fields["name"] = apperr.RequiredMax(64)
	}
	if len(t.ProviderTemplateID) > 32 {
		fields["provider_template_id"] = apperr.TooLong(32)
	}
	for _, p := range splitParams(t.Params) {
		if !slices.Contains(allowed, p) {
			fields["params"] = apperr.OneOf(allowed...)
			break
		}
	}
	return fields
}

func splitParams(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// EnsureDefaults inserts the default template of every trigger that has
// none (an admin's edits are never overwritten).
func (s *Service) EnsureDefaults(ctx context.Context) error {
	now := s.now()
	for _, t := range DefaultTemplates {
		t.Enabled, t.Version, t.CreatedAt, t.UpdatedAt = true, 1, now, now
		if err := s.o.DB.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&t).Error; err != nil {
			return fmt.Errorf("messaging: default template %s: %w", t.Trigger, err)
		}
	}
	return nil
}

// Templates lists the templates in trigger order.
func (s *Service) Templates(ctx context.Context) ([]Template, error) {
	var ts []Template
	if err := s.o.DB.WithContext(ctx).Find(&ts).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("message templates: %w", err))
	}
	order := Triggers()
	slices.SortFunc(ts, func(a, b Template) int { return slices.Index(order, a.Trigger) - slices.Index(order, b.Trigger) })
	return ts, nil
}

// TemplatePatch is an admin's edit of a template.
type TemplatePatch struct {
	Name               *string
	Body               *string
	ProviderTemplateID *string
	Params             *string
	Enabled            *bool
}

// UpdateTemplate edits trigger's template at version (audited). Errors:
// not_found, validation (unknown variables), conflict (version).
func (s *Service) UpdateTemplate(ctx context.Context, trigger string, version int64, p TemplatePatch) (Template, error) {
	if _, ok := Variables[trigger]; !ok {
		return Template{}, apperr.NotFound("message_template")
	}
	var out Template
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var t Template
		if err := db.Take(tx.Where("trigger_code = ?", trigger), &t, "message_template"); err != nil {
			return err
		}
		if version != t.Version {
			return apperr.ErrVersionConflict("message_template")
		}
		before := t
		if p.Name != nil {
			t.Name = strings.TrimSpace(*p.Name)
		}
		if p.Body != nil {
			t.Body = strings.TrimSpace(*p.Body)
		}
		if p.ProviderTemplateID != nil {
			t.ProviderTemplateID = strings.TrimSpace(*p.ProviderTemplateID)
		}
		if p.Params != nil {
			t.Params = strings.Join(splitParams(*p.Params), ",")
		}
		if p.Enabled != nil {
			t.Enabled = *p.Enabled
		}
		if f := checkTemplate(trigger, t); len(f) > 0 {
			return apperr.FieldsErr(f)
		}
		if t.Name == before.Name && t.Body == before.Body && t.ProviderTemplateID == before.ProviderTemplateID &&
			t.Params == before.Params && t.Enabled == before.Enabled {
			out = t
			return nil
		}
		t.Version, t.UpdatedAt = before.Version+1, s.now()
		if err := db.UpdateVersioned(tx, &Template{}, t.ID, before.Version, "message_template", map[string]any{
			"name": t.Name, "body": t.Body, "provider_template_id": t.ProviderTemplateID, "params": t.Params,
			"enabled": t.Enabled, "version": t.Version, "updated_at": t.UpdatedAt}); err != nil {
			return err
		}
		out = t
		return s.o.Audit.Record(ctx, tx, audit.Entry{Action: "update", Entity: "message_template", EntityID: trigger,
			Before: before, After: t})
	})
	if err != nil {
		return Template{}, wrap(err, "update message template")
	}
	return out, nil
}
