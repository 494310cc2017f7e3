package survey

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/db"
)

// InvitationStat is the hourly rollup of invitations by the hour they were
// sent (a link when issued, a 回访 when queued) and channel; cancelled
// invitations are taken out again. Expired and pending are not stored: they
// depend on the time of asking and are derived from the few rows still open.
type InvitationStat struct {
	Hour        time.Time `gorm:"primaryKey;autoIncrement:false"`
	Channel     string    `gorm:"primaryKey"`
	Sent        int64
	Answered    int64
	Unreachable int64
	Refused     int64
}

// TableName pins the table of migration 0005.
func (InvitationStat) TableName() string { return "survey_invitation_stats" }

// ResponseStat is the hourly rollup of responses by the hour answered.
type ResponseStat struct {
	Hour         time.Time `gorm:"primaryKey;autoIncrement:false"`
	Responses    int64
	CsatN        int64
	CsatSum      int64
	Satisfied    int64
	NpsN         int64
	Promoters    int64
	Detractors   int64
	AgentN       int64
	AgentSum     int64
	TechN        int64
	TechSum      int64
	Dissatisfied int64
}

// TableName pins the table of migration 0005.
func (ResponseStat) TableName() string { return "survey_response_stats" }

// FollowupStat is the hourly rollup of follow-ups by the hour created and
// kind. OnTime and Late count those that ended (answered, unreachable,
// refused, done) by or after their due time; open ones are derived.
type FollowupStat struct {
	Hour        time.Time `gorm:"primaryKey;autoIncrement:false"`
	Kind        string    `gorm:"primaryKey"`
	Total       int64
	Answered    int64
	Unreachable int64
	Refused     int64
	Cancelled   int64
	Done        int64
	OnTime      int64
	Late        int64
	Attempts    int64
}

// TableName pins the table of migration 0005.
func (FollowupStat) TableName() string { return "survey_followup_stats" }

// hourOf is the rollup bucket of an instant.
func hourOf(t time.Time) time.Time { return t.UTC().Truncate(time.Hour) }

// bump adds incs to the rollup row of table at keys, inside tx. Names are
// package constants, never input.
func bump(tx *gorm.DB, table string, keys [][2]any, incs map[string]int64) error {
	cols := make([]string, 0, len(keys)+len(incs))
	args := make([]any, 0, len(keys)+len(incs))
	var keyCols, addCols []string
	for _, k := range keys {
		cols = append(cols, k[0].(string))
		keyCols = append(keyCols, k[0].(string))
		args = append(args, k[1])
	}
	for c, v := range incs {
		if v == 0 {
			continue
		}
		cols = append(cols, c)
		addCols = append(addCols, c)
		args = append(args, v)
	}
	if len(addCols) == 0 {
		return nil
	}
	q := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES (" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")" +
		db.OnDuplicateKeyAdd(tx, keyCols, addCols)
	return tx.Exec(q, args...).Error
}

func bumpInvitation(tx *gorm.DB, sentAt time.Time, channel string, incs map[string]int64) error {
	return bump(tx, "survey_invitation_stats", [][2]any{{"hour", hourOf(sentAt)}, {"channel", channel}}, incs)
}

func bumpFollowup(tx *gorm.DB, createdAt time.Time, kind string, incs map[string]int64) error {
	return bump(tx, "survey_followup_stats", [][2]any{{"hour", hourOf(createdAt)}, {"kind", kind}}, incs)
}

// responseIncs are the rollup increments of one response.
func responseIncs(r Response) map[string]int64 {
	m := map[string]int64{"responses": 1}
	if r.Csat != nil {
		m["csat_n"], m["csat_sum"] = 1, int64(*r.Csat)
		if *r.Csat >= 4 {
			m["satisfied"] = 1
		}
	}
	if r.Nps != nil {
		m["nps_n"] = 1
		switch {
		case *r.Nps >= 9:
			m["promoters"] = 1
		case *r.Nps <= 6:
			m["detractors"] = 1
		}
	}
	if r.AgentScore != nil {
		m["agent_n"], m["agent_sum"] = 1, int64(*r.AgentScore)
	}
	if r.TechnicianScore != nil {
		m["tech_n"], m["tech_sum"] = 1, int64(*r.TechnicianScore)
	}
	if r.Dissatisfied {
		m["dissatisfied"] = 1
	}
	return m
}

// endedIncs are the follow-up rollup increments of a follow-up ending with
// status at completedAt.
func endedIncs(status string, completedAt, dueAt time.Time) map[string]int64 {
	m := map[string]int64{}
	switch status {
	case FUAnswered:
		m["answered"] = 1
	case FUUnreachable:
		m["unreachable"] = 1
	case FURefused:
		m["refused"] = 1
	case FUDone:
		m["done"] = 1
	case FUCancelled:
		m["cancelled"] = 1
		return m
	default:
		return m
	}
	if completedAt.After(dueAt) {
		m["late"] = 1
	} else {
		m["on_time"] = 1
	}
	return m
}

// RebuildStats recomputes the hourly rollups from the rows: after a bulk
// import or seeding (which write rows without going through the service),
// or to repair them. It streams the rows in id order and replaces the
// rollup tables in one transaction.
func (s *Service) RebuildStats(ctx context.Context) error {
	inv := map[[2]any]*InvitationStat{}
	resp := map[time.Time]*ResponseStat{}
	fus := map[[2]any]*FollowupStat{}
	db := s.o.DB.WithContext(ctx)
	const batch = 20000
	var last uint64
	for {
		var rows []Invitation
		if err := db.Select("id, channel, status, sent_at").Where("id > ? AND sent_at IS NOT NULL AND status <> ?", last, InvCancelled).
			Order("id").Limit(batch).Find(&rows).Error; err != nil {
			return fmt.Errorf("rebuild survey stats: invitations: %w", err)
		}
		for _, r := range rows {
			k := [2]any{hourOf(*r.SentAt), r.Channel}
			st := inv[k]
			if st == nil {
				st = &InvitationStat{Hour: hourOf(*r.SentAt), Channel: r.Channel}
				inv[k] = st
			}
			st.Sent++
			switch r.Status {
			case InvAnswered:
				st.Answered++
			case InvUnreachable:
				st.Unreachable++
			case InvRefused:
				st.Refused++
			}
		}
		if len(rows) < batch {
			break
		}
		last = rows[len(rows)-1].ID
	}
	last = 0
	for {
		var rows []Response
		if err := db.Select("id, answered_at, csat, nps, agent_score, technician_score, dissatisfied").Where("id > ?", last).
			Order("id").Limit(batch).Find(&rows).Error; err != nil {
			return fmt.Errorf("rebuild survey stats: responses: %w", err)
		}
		for _, r := range rows {
			h := hourOf(r.AnsweredAt)
			st := resp[h]
			if st == nil {
				st = &ResponseStat{Hour: h}
				resp[h] = st
			}
			for c, v := range responseIncs(r) {
				addStat(st, c, v)
			}
		}
		if len(rows) < batch {
			break
		}
		last = rows[len(rows)-1].ID
	}
	last = 0
	for {
		var rows []Followup
		if err := db.Select("id, kind, status, created_at, due_at, completed_at, attempts").Where("id > ?", last).
			Order("id").Limit(batch).Find(&rows).Error; err != nil {
			return fmt.Errorf("rebuild survey stats: follow-ups: %w", err)
		}
		for _, r := range rows {
			k := [2]any{hourOf(r.CreatedAt), r.Kind}
			st := fus[k]
			if st == nil {
				st = &FollowupStat{Hour: hourOf(r.CreatedAt), Kind: r.Kind}
				fus[k] = st
			}
			st.Total++
			st.Attempts += int64(r.Attempts)
			if r.CompletedAt != nil {
				for c, v := range endedIncs(r.Status, *r.CompletedAt, r.DueAt) {
					addFollowupStat(st, c, v)
				}
			}
		}
		if len(rows) < batch {
			break
		}
		last = rows[len(rows)-1].ID
	}
	return db.Transaction(func(tx *gorm.DB) error {
		for _, t := range []any{&InvitationStat{}, &ResponseStat{}, &FollowupStat{}} {
			if err := tx.Session(&gorm.Session{AllowGlobalUpdate: true}).Delete(t).Error; err != nil {
				return fmt.Errorf("rebuild survey stats: clear: %w", err)
			}
		}
		is := make([]InvitationStat, 0, len(inv))
		for _, v := range inv {
			is = append(is, *v)
		}
		rs := make([]ResponseStat, 0, len(resp))
		for _, v := range resp {
			rs = append(rs, *v)
		}
		fs := make([]FollowupStat, 0, len(fus))
		for _, v := range fus {
			fs = append(fs, *v)
		}
		write := func(n int, rows any) error {
			if n == 0 {
				return nil
			}
			if err := tx.CreateInBatches(rows, 500).Error; err != nil {
				return fmt.Errorf("rebuild survey stats: write: %w", err)
			}
			return nil
		}
		if err := write(len(is), &is); err != nil {
			return err
		}
		if err := write(len(rs), &rs); err != nil {
			return err
		}
		return write(len(fs), &fs)
	})
}

func addStat(st *ResponseStat, col string, v int64) {
	switch col {
	case "responses":
		st.Responses += v
	case "csat_n":
		st.CsatN += v
	case "csat_sum":
		st.CsatSum += v
	case "satisfied":
		st.Satisfied += v
	case "nps_n":
		st.NpsN += v
	case "promoters":
		st.Promoters += v
	case "detractors":
		st.Detractors += v
	case "agent_n":
		st.AgentN += v
	case "agent_sum":
		st.AgentSum += v
	case "tech_n":
		st.TechN += v
	case "tech_sum":
		st.TechSum += v
	case "dissatisfied":
		st.Dissatisfied += v
	}
}

func addFollowupStat(st *FollowupStat, col string, v int64) {
	switch col {
	case "answered":
		st.Answered += v
	case "unreachable":
		st.Unreachable += v
	case "refused":
		st.Refused += v
	case "cancelled":
		st.Cancelled += v
	case "done":
		st.Done += v
	case "on_time":
		st.OnTime += v
	case "late":
		st.Late += v
	}
}
