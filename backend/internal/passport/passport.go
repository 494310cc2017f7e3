// Package passport defines the unit passport: everything that happened to one
// serial-numbered unit, contributed by every domain that touches units
// (tickets, work orders, repairs, parts, returns, recalls, surveys). The
// product service owns the passport endpoint and asks each registered Source
// for its entries; domains never read each other's tables for it.
package passport

import (
	"context"
	"time"
)

// Params are the values a title code is said with. A value whose name the
// UI's catalogue lists under labels.values (ticket_status, repair_result,
// campaign_status …) is itself a code and is translated before it is put in;
// other values (numbers, serials, free text) are shown as they are.
type Params map[string]any

// Entry is one line of a unit's history. The server writes no sentence: the
// UI says TitleCode (labels.passport.<code> in frontend/src/i18n) with
// TitleParams in the user's language (docs/architecture.md, "Labels in the
// user's language").
type Entry struct {
	At          time.Time      `json:"at"`
	Kind        string         `json:"kind"`         // ticket, work_order, repair, part_replaced, return, recall, survey, …
	TitleCode   string         `json:"title_code"`   // e.g. "work_order_result"
	TitleParams Params         `json:"title_params"` // e.g. {"number":"WO20260101-0001","work_order_kind":"repair",…}
	Ref         string         `json:"ref"`          // entity:id, e.g. "ticket:123"
	Data        map[string]any `json:"data,omitempty"`
}

// Source contributes entries for a unit. Implementations return entries in
// any order; the product service sorts and merges them.
type Source interface {
	PassportEntries(ctx context.Context, unitID uint64) ([]Entry, error)
}

// Flag is a standing condition shown on the passport and on the agent's
// screen-pop, e.g. an open recall or a replacement entitlement.
// Its title is a code and params as an Entry's (labels.passport.<code>).
type Flag struct {
	Kind        string `json:"kind"` // recall_open, replacement_entitled, …
	TitleCode   string `json:"title_code"`
	TitleParams Params `json:"title_params"`
	Ref         string `json:"ref"`
}

// FlagSource contributes standing flags for units (batched for screen-pop).
type FlagSource interface {
	UnitFlags(ctx context.Context, unitIDs []uint64) (map[uint64][]Flag, error)
}
