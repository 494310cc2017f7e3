package httpapi

// Page is one page of an offset-paged list (?page=&size=): the items, the
// number of matching rows and the page that was asked for. Every page-based
// list answers this shape; the frontend's Page type is generated from it.
type Page[T any] struct {
	Items []T   `json:"items"`
	Total int64 `json:"total"`
	Page  int   `json:"page"`
	Size  int   `json:"size"`
}

// Keyset is one page of a list paged by id, newest first: pass
// next_before_id as ?before_id= for the next page; null on the last page.
type Keyset[T any] struct {
	Items        []T     `json:"items"`
	NextBeforeID *uint64 `json:"next_before_id"`
}

// List is a complete, unpaged list.
type List[T any] struct {
	Items []T `json:"items"`
}

// nonNil returns s, or an empty slice for nil, so a list field is sent as []
// (the document says it is an array, never null).
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
