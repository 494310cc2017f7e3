package repair

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/parts"
)

// RemovePart takes a part line recorded by mistake off a repair: the piece
// goes back into the outlet's stock with a ledger movement (kind return,
// note "returned: recorded in error"), the line's amount leaves the parts
// total, and the removal is audited with the line as it was, all in one
// transaction. A completed (or declined, or cancelled) repair keeps its
// lines: 409 invalid_transition. Errors: validation, not_found, conflict.
func (s *Service) RemovePart(ctx context.Context, id, lineID uint64, version int64, reason string) (Order, error) {
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > 255 {
		return Order{}, apperr.FieldErr("reason", apperr.TooLong(255))
	}
	if s.o.Stock == nil {
		return Order{}, apperr.NotFound("part line")
	}
	note := parts.NoteRecordedInError
	if reason != "" {
		note += "（" + reason + "）"
	}
	o, _, err := s.mutate(ctx, id, version, "", "remove_part", func(tx *gorm.DB, o *Order, now time.Time) (*effects, error) {
		switch o.Status {
		case StatusCompleted, StatusDeclined, StatusCancelled:
			return nil, apperr.Conflict("invalid_transition", "the repair is "+o.Status+": its part lines can no longer change").
				WithDetail("allowed", Allowed(o.Status)).WithDetail("status", o.Status)
		}
		var line PartLine
		if err := db.Take(tx.Where("id = ? AND repair_id = ?", lineID, o.ID), &line, "part line"); err != nil {
			return nil, err
		}
		if line.OldPartStatus == OldPartReturned {
			return nil, apperr.Conflict("old_part_returned", "the old part of this line was already returned: the part was really used")
		}
		m, err := s.o.Stock.ReturnTx(ctx, tx, line.PartID, line.LocationID, line.Qty, "repair:"+idStr(o.ID), line.ReplacementSerial, note)
		if err != nil {
			return nil, err
		}
		if err := tx.Where("id = ?", line.ID).Delete(&PartLine{}).Error; err != nil {
			return nil, err
		}
		o.PartsFen -= line.AmountFen
		return nil, s.o.Audit.Record(ctx, tx, audit.Entry{Action: "remove_part", Entity: "repair_part", EntityID: idStr(line.ID),
			Before: line, After: map[string]any{"removed": true, "reason": reason, "movement_id": m.ID, "returned_qty": line.Qty,
				"location_id": line.LocationID, "repair_id": o.ID}})
	})
	if err != nil {
		return Order{}, err
	}
	return o, nil
}
