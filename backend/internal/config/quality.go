package config

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Complaint sets the complaint time limits per severity and the escalation
// chain (complaint.*).
type Complaint struct {
	AckWithin           time.Duration `koanf:"ack_within"`
	ResolveWithin       time.Duration `koanf:"resolve_within"`
	MajorAckWithin      time.Duration `koanf:"major_ack_within"`
	MajorResolveWithin  time.Duration `koanf:"major_resolve_within"`
	CrisisAckWithin     time.Duration `koanf:"crisis_ack_within"`
	CrisisResolveWithin time.Duration `koanf:"crisis_resolve_within"`
	// EscalationChain is a comma-separated list of roles notified at levels
	// 1, 2, … when a complaint is overdue or escalated by hand.
	EscalationChain string `koanf:"escalation_chain"`
}

// Chain returns the escalation roles in order.
func (c Complaint) Chain() []string {
	var out []string
	for _, r := range strings.Split(c.EscalationChain, ",") {
		if r = strings.TrimSpace(r); r != "" {
			out = append(out, r)
		}
	}
	return out
}

// Survey sets when and how customers are surveyed (survey.*).
type Survey struct {
	Delay                 time.Duration `koanf:"delay"`
	LinkRate              float64       `koanf:"link_rate"`
	FollowupRate          float64       `koanf:"followup_rate"`
	FollowupWithin        time.Duration `koanf:"followup_within"`
	LinkValidFor          time.Duration `koanf:"link_valid_for"`
	MaxAttempts           int           `koanf:"max_attempts"`
	DissatisfiedAtOrBelow int           `koanf:"dissatisfied_at_or_below"`
	DissatisfiedAction    string        `koanf:"dissatisfied_action"`
	CallbackWithin        time.Duration `koanf:"callback_within"`
	RelationshipRate      float64       `koanf:"relationship_rate"`
}

// validateQuality checks the complaint and survey keys and their jobs.
func (c *Config) validateQuality() error {
	bad := func(key, why string) error { return fmt.Errorf("config: %s: %s", key, why) }
	cp := c.Complaint
	for _, d := range []struct {
		ack, resolve   time.Duration
		ackKey, resKey string
	}{
		{cp.AckWithin, cp.ResolveWithin, "complaint.ack_within", "complaint.resolve_within"},
		{cp.MajorAckWithin, cp.MajorResolveWithin, "complaint.major_ack_within", "complaint.major_resolve_within"},
		{cp.CrisisAckWithin, cp.CrisisResolveWithin, "complaint.crisis_ack_within", "complaint.crisis_resolve_within"},
	} {
		if d.ack < time.Minute {
			return bad(d.ackKey, "must be at least 1m")
		}
		if d.resolve < d.ack {
			return bad(d.resKey, "must not be shorter than "+d.ackKey)
		}
	}
	if len(cp.Chain()) == 0 {
		return bad("complaint.escalation_chain", "name at least one role, e.g. quality_manager,admin")
	}
	s := c.Survey
	if s.Delay < 0 {
		return bad("survey.delay", "must not be negative")
	}
	for key, r := range map[string]float64{"survey.link_rate": s.LinkRate, "survey.followup_rate": s.FollowupRate, "survey.relationship_rate": s.RelationshipRate} {
		if r < 0 || r > 1 {
			return bad(key, "a share between 0 and 1")
		}
	}
	if s.FollowupWithin < time.Hour {
		return bad("survey.followup_within", "must be at least 1h")
	}
	if s.LinkValidFor < time.Hour {
		return bad("survey.link_valid_for", "must be at least 1h")
	}
	if s.MaxAttempts < 1 || s.MaxAttempts > 10 {
		return bad("survey.max_attempts", "between 1 and 10")
	}
	if s.DissatisfiedAtOrBelow < 1 || s.DissatisfiedAtOrBelow > 4 {
		return bad("survey.dissatisfied_at_or_below", "between 1 and 4 (on the 1–5 scale)")
	}
	if s.DissatisfiedAction != "complaint" && s.DissatisfiedAction != "reopen_ticket" {
		return bad("survey.dissatisfied_action", "complaint or reopen_ticket")
	}
	if s.CallbackWithin < time.Hour {
		return bad("survey.callback_within", "must be at least 1h")
	}
	parser := cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
	for key, spec := range map[string]string{"scheduler.complaint_escalation": c.Scheduler.ComplaintEscalation,
		"scheduler.survey_dispatch": c.Scheduler.SurveyDispatch, "scheduler.survey_relationship": c.Scheduler.SurveyRelationship} {
		if _, err := parser.Parse(spec); err != nil {
			return bad(key, "bad cron spec: "+err.Error())
		}
	}
	return nil
}
