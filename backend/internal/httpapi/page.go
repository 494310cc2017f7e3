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

// pageOf builds a Page; a nil items slice is sent as [] (never null).
func pageOf[T any](items []T, total int64, page, size int) Page[T] {
	return Page[T]{Items: nonNil(items), Total: total, Page: page, Size: size}
}

// keysetOf builds a Keyset; a nil items slice is sent as [].
func keysetOf[T any](items []T, next *uint64) Keyset[T] {
	return Keyset[T]{Items: nonNil(items), NextBeforeID: next}
}

// listOf builds a List; a nil items slice is sent as [].
func listOf[T any](items []T) List[T] {
	return List[T]{Items: nonNil(items)}
}

// views maps each stored item to its API image: the list handlers'
// make-and-append loop, once. An empty input gives an empty (non-nil) slice.
func views[S ~[]T, T, R any](in S, view func(T) R) []R {
	out := make([]R, 0, len(in))
	for _, v := range in {
		out = append(out, view(v))
	}
	return out
}

// nextBeforeID is the next_before_id of a page of list paged by id: the last
// item's id (id reads it) when the page is full (size items), nil on the
// last page.
func nextBeforeID[T any](list []T, size int, id func(T) uint64) *uint64 {
	if len(list) != size || size == 0 {
		return nil
	}
	last := id(list[len(list)-1])
	return &last
}
