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

// Entry is one line of a unit's history.
type Entry struct {
	At    time.Time      `json:"at"`
	Kind  string         `json:"kind"`  // ticket, work_order, repair, part_replaced, return, recall, survey, …
	Title string         `json:"title"` // human summary, e.g. "维修工单 WO20260101-0001 已完成"
	Ref   string         `json:"ref"`   // entity:id, e.g. "ticket:123"
	Data  map[string]any `json:"data,omitempty"`
}

// Source contributes entries for a unit. Implementations return entries in
// any order; the product service sorts and merges them.
type Source interface {
	PassportEntries(ctx context.Context, unitID uint64) ([]Entry, error)
}

// Flag is a standing condition shown on the passport and on the agent's
// screen-pop, e.g. an open recall or a replacement entitlement.
type Flag struct {
	Kind  string `json:"kind"` // recall_open, replacement_entitled, …
	Title string `json:"title"`
	Ref   string `json:"ref"`
}

// FlagSource contributes standing flags for units (batched for screen-pop).
type FlagSource interface {
	UnitFlags(ctx context.Context, unitIDs []uint64) (map[uint64][]Flag, error)
}
