package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0140TicketEventBodyCodes lets a ticket timeline line the server writes
// carry a code and params instead of a sentence (issue 9 item 12). Why: the
// timeline stored its system lines ("状态：新建 → 已分派", "工单 … 已完工")
// as Chinese text, so an English user read Chinese and the words could never
// change; the UI now says body_code with body_params (JSON) in the user's
// language. Notes and calls people type stay in body. Old rows keep their
// stored body (body_code ”). Both columns have defaults so that adding them
// to a large table is a metadata change on MariaDB and MySQL.
func m0140TicketEventBodyCodes() *gormigrate.Migration {
	type TicketEvent struct {
		BodyCode   string `gorm:"size:64;not null;default:''"`
		BodyParams string `gorm:"size:2000;not null;default:''"`
	}
	return &gormigrate.Migration{
		ID: "0140_ticket_event_body_codes",
		Migrate: func(tx *gorm.DB) error {
			m := tx.Migrator()
			for _, col := range []string{"BodyCode", "BodyParams"} {
				if !m.HasColumn(&TicketEvent{}, col) {
					if err := m.AddColumn(&TicketEvent{}, col); err != nil {
						return err
					}
				}
			}
			return nil
		},
	}
}
