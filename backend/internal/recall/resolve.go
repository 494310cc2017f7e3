package recall

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/event"
)

// serialPattern is the product domain's canonical serial (upper case).
var serialPattern = regexp.MustCompile(`^[A-Z0-9][A-Z0-9._-]{3,63}$`)

// NormalizeSerial trims and upper-cases a serial and reports whether it is
// a well-formed serial number.
func NormalizeSerial(s string) (string, bool) {
	n := strings.ToUpper(strings.TrimSpace(s))
	return n, serialPattern.MatchString(n)
}

// SerialRange is a validated range of same-length serials sharing Prefix.
type SerialRange struct {
	From, To string
	// Prefix is the longest common prefix of From and To: every serial in
	// the range starts with it, which lets the database use the serial
	// index for the range.
	Prefix string
}

// ParseRange validates a serial range: both ends well-formed, the same
// length (so lexicographic order is the numeric order of the varying
// tail), and From ≤ To. Serials of another length never fall inside.
func ParseRange(from, to string) (SerialRange, apperr.Fields) {
	fields := apperr.Fields{}
	f, okF := NormalizeSerial(from)
	t, okT := NormalizeSerial(to)
	if !okF {
		fields["serial_from"] = apperr.Identifier(4, 64)
	}
	if !okT {
		fields["serial_to"] = apperr.Identifier(4, 64)
	}
	if len(fields) > 0 {
		return SerialRange{}, fields
	}
	if len(f) != len(t) {
		fields["serial_to"] = apperr.Code("serial_length_mismatch", "must have the same length as serial_from")
		return SerialRange{}, fields
	}
	if f > t {
		fields["serial_to"] = apperr.Code("before_field", "must not sort before serial_from").With("field", "serial_from")
		return SerialRange{}, fields
	}
	i := 0
	for i < len(f) && f[i] == t[i] {
		i++
	}
	return SerialRange{From: f, To: t, Prefix: f[:i]}, nil
}

// Contains reports whether serial falls in the range (the same test the SQL
// makes), for tests and previews.
func (r SerialRange) Contains(serial string) bool {
	return len(serial) == len(r.From) && strings.HasPrefix(serial, r.Prefix) && serial >= r.From && serial <= r.To
}

// SelectorInput defines a selector: a filter (any of ModelID,
// ProductionLot, SerialFrom+SerialTo, ANDed) or a list of Serials. A
// ProductionLot ending in * selects every lot starting with the rest (a
// lot family such as L2503*).
type SelectorInput struct {
	ModelID       *uint64
	ProductionLot string
	SerialFrom    string
	SerialTo      string
	Serials       []string
	Note          string
}

// Resolution reports what a selector added.
type Resolution struct {
	Selector Selector
	// Unmatched are up to 20 listed serials no unit has (list selectors).
	Unmatched      []string
	UnmatchedCount int64
}

// AddSelector adds a selector to a draft or active campaign and resolves
// it at once in SQL: one INSERT … SELECT from the units table adds every
// matching unit not yet in the campaign, with its owner. Errors:
// validation, not_found, conflict invalid_transition (closed campaign).
func (s *Service) AddSelector(ctx context.Context, campaignID uint64, in SelectorInput) (Resolution, error) {
	sel := Selector{CampaignID: campaignID, Note: strings.TrimSpace(in.Note), CreatedBy: actor.From(ctx).Username}
	fields := apperr.Fields{}
	if utf8.RuneCountInString(sel.Note) > 255 {
		fields["note"] = apperr.TooLong(255)
	}
	var rng SerialRange
	var serials []string
	isList := len(in.Serials) > 0
	if isList {
		sel.Kind = SelectorList
		if in.ModelID != nil || strings.TrimSpace(in.ProductionLot) != "" || in.SerialFrom != "" || in.SerialTo != "" {
			fields["serials"] = apperr.Code("list_selector_exclusive", "a list selector cannot also filter by model, lot or range")
		}
		if len(in.Serials) > s.o.MaxListSerials {
			fields["serials"] = apperr.TooMany(s.o.MaxListSerials)
		} else {
			var bad []string
			seen := make(map[string]struct{}, len(in.Serials))
			for i, raw := range in.Serials {
				n, ok := NormalizeSerial(raw)
				if !ok {
					if len(bad) < 5 {
						bad = append(bad, fmt.Sprintf("#%d %q", i+1, truncate(raw, 40)))
					}
					continue
				}
				if _, dup := seen[n]; !dup {
					seen[n] = struct{}{}
					serials = append(serials, n)
				}
			}
			if len(bad) > 0 {
				fields["serials"] = apperr.Code("not_serials", "not serial numbers: "+strings.Join(bad, ", ")).With("values", bad)
			}
		}
		sel.ListSize = len(serials)
	} else {
		sel.Kind = SelectorFilter
		sel.ModelID = in.ModelID
		if in.ModelID != nil && *in.ModelID == 0 {
			fields["model_id"] = apperr.InvalidFormat(apperr.FormatPositiveInteger)
		}
		sel.ProductionLot = strings.TrimSpace(in.ProductionLot)
		if utf8.RuneCountInString(sel.ProductionLot) > 64 {
			fields["production_lot"] = apperr.TooLong(64)
		}
		if p, ok := strings.CutSuffix(sel.ProductionLot, "*"); ok && (p == "" || strings.Contains(p, "*")) {
			fields["production_lot"] = apperr.Code("lot_pattern", "a lot, or a lot prefix followed by * (e.g. L2503*)")
		}
		if in.SerialFrom != "" || in.SerialTo != "" {
			r, fs := ParseRange(in.SerialFrom, in.SerialTo)
			for k, v := range fs {
				fields[k] = v
			}
			rng = r
			sel.SerialFrom, sel.SerialTo = r.From, r.To
		}
		if in.ModelID == nil && sel.ProductionLot == "" && sel.SerialFrom == "" && len(fields) == 0 {
			fields["model_id"] = apperr.Code("selector_empty", "give a model, a production lot, a serial range (serial_from and serial_to) or a list of serials")
		}
	}
	if len(fields) > 0 {
		return Resolution{}, apperr.FieldsErr(fields)
	}
	insertVerb := db.InsertIgnoreInto(s.o.DB)
	var res Resolution
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		c, err := s.loadCampaign(ctx, tx, campaignID)
		if err != nil {
			return err
		}
		if c.Status == StatusClosed {
			return apperr.Conflict("invalid_transition", "a closed campaign's affected set cannot change").WithDetail("allowed", []string{})
		}
		now := s.o.Now().UTC()
		sel.CreatedAt = now
		if err := tx.Create(&sel).Error; err != nil {
			return err
		}
		var from, where string
		var args []any
		if isList {
			rows := make([]SelectorSerial, 0, len(serials))
			for _, sn := range serials {
				rows = append(rows, SelectorSerial{SelectorID: sel.ID, Serial: sn})
			}
			// Placeholders are cheap on MySQL and costly in the pure-Go
			// SQLite driver: smaller statements there.
			batch := 2 * db.InsertBatchRows(tx)
			if err := tx.CreateInBatches(rows, batch).Error; err != nil {
				return err
			}
			from, where, args = "recall_selector_serials s JOIN units u ON u.serial = s.serial", "s.selector_id = ?", []any{sel.ID}
		} else {
			from = "units u"
			var conds []string
			if sel.ModelID != nil {
				conds = append(conds, "u.model_id = ?")
				args = append(args, *sel.ModelID)
			}
			if prefix, ok := strings.CutSuffix(sel.ProductionLot, "*"); ok {
				// "L25*": every lot of a family (index-friendly prefix match).
				conds = append(conds, "u.production_lot LIKE ? ESCAPE '!'")
				args = append(args, likeEscape(prefix)+"%")
			} else if sel.ProductionLot != "" {
				conds = append(conds, "u.production_lot = ?")
				args = append(args, sel.ProductionLot)
			}
			if sel.SerialFrom != "" {
				conds = append(conds, "u.serial >= ? AND u.serial <= ? AND LENGTH(u.serial) = ?")
				args = append(args, rng.From, rng.To, len(rng.From))
				if rng.Prefix != "" {
					conds = append(conds, "u.serial LIKE ? ESCAPE '!'")
					args = append(args, likeEscape(rng.Prefix)+"%")
				}
			}
			where = strings.Join(conds, " AND ")
		}
		if err := tx.Raw("SELECT COUNT(*) FROM "+from+" WHERE "+where, args...).Scan(&sel.Matched).Error; err != nil {
			return err
		}
		ins := tx.Exec(insertVerb+` recall_units (campaign_id, unit_id, serial, model_id, customer_id, selector_id, status, version, created_at, updated_at)
			SELECT ?, u.id, u.serial, u.model_id, u.customer_id, ?, 'pending', 1, ?, ? FROM `+from+` WHERE `+where,
			append([]any{c.ID, sel.ID, now, now}, args...)...)
		if ins.Error != nil {
			return ins.Error
		}
		sel.Added = ins.RowsAffected
		if err := tx.Model(&Selector{}).Where("id = ?", sel.ID).Updates(map[string]any{"matched": sel.Matched, "added": sel.Added}).Error; err != nil {
			return err
		}
		if isList {
			res.UnmatchedCount = int64(len(serials)) - sel.Matched
			if res.UnmatchedCount > 0 {
				if err := tx.Raw(`SELECT s.serial FROM recall_selector_serials s LEFT JOIN units u ON u.serial = s.serial
					WHERE s.selector_id = ? AND u.id IS NULL ORDER BY s.serial LIMIT 20`, sel.ID).Scan(&res.Unmatched).Error; err != nil {
					return err
				}
			}
		}
		if err := s.o.Audit.Record(ctx, tx, audit.Entry{Action: "add_selector", Entity: "recall_campaign", EntityID: idStr(c.ID),
			After: map[string]any{"selector_id": sel.ID, "kind": sel.Kind, "model_id": sel.ModelID, "production_lot": sel.ProductionLot,
				"serial_from": sel.SerialFrom, "serial_to": sel.SerialTo, "list_size": sel.ListSize, "matched": sel.Matched,
				"added": sel.Added, "note": sel.Note}}); err != nil {
			return err
		}
		return s.enqueue(tx, event.RecallUnitsResolved.New(Topic, event.RecallSelection{CampaignID: campaignID, SelectorID: sel.ID,
			Matched: sel.Matched, Added: sel.Added}))
	})
	if err != nil {
		return Resolution{}, wrap(err, "add recall selector")
	}
	if res.Unmatched == nil {
		res.Unmatched = []string{}
	}
	res.Selector = sel
	return res, nil
}

// Selectors lists a campaign's selectors in order. Errors: not_found.
func (s *Service) Selectors(ctx context.Context, campaignID uint64) ([]Selector, error) {
	if _, err := s.loadCampaign(ctx, s.o.DB, campaignID); err != nil {
		return nil, wrap(err, "recall selectors")
	}
	out := []Selector{}
	if err := s.o.DB.WithContext(ctx).Where("campaign_id = ?", campaignID).Order("id").Find(&out).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("recall selectors: %w", err))
	}
	return out, nil
}

func likeEscape(s string) string {
	return strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(s)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
