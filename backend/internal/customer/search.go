package customer

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
)

// The search index of customers' names and address details (table
// customer_search_grams, migration 0071): a name is stored as its single
// characters and its pairs of adjacent characters, an address detail as its
// pairs, each lowercased with spaces and punctuation dropped. A fragment is
// found by the grams it is made of (one B-tree range per gram) and then
// checked against the text itself, so a hit always contains the fragment.
//
// The rows of a customer are rewritten by reindex inside every transaction
// of this package that changes the name or the addresses (Create, Update,
// AddAddress, BulkInsert): they are never stale. A new write path on names
// or addresses (corrections, merges, anonymisation) must call reindex in its
// transaction too; TestSearchGramsFollowEveryWrite checks the ones here.

// Gram fields.
const (
	gramName    = 1
	gramAddress = 2
)

// MinAddressFragment is the shortest address fragment searched (address
// details are indexed as pairs of characters).
const MinAddressFragment = 2

// searchGram is one row of customer_search_grams.
type searchGram struct {
	Field      int    `gorm:"primaryKey;autoIncrement:false"`
	Gram       string `gorm:"primaryKey"`
	CustomerID uint64 `gorm:"primaryKey;autoIncrement:false"`
}

// TableName pins the table of migration 0071.
func (searchGram) TableName() string { return "customer_search_grams" }

// Fold returns text as the search index sees it: letters and digits only,
// lowercased.
func Fold(text string) string {
	var b strings.Builder
	for _, r := range text {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// Grams returns the grams of text: its pairs of adjacent characters and,
// with singles, each character (after Fold).
func Grams(text string, singles bool) []string {
	rs := []rune(Fold(text))
	var out []string
	if singles {
		for _, r := range rs {
			out = append(out, string(r))
		}
	}
	for i := 0; i+1 < len(rs); i++ {
		out = append(out, string(rs[i:i+2]))
	}
	return out
}

// gramRows are the index rows of one customer.
func gramRows(id uint64, name string, details []string) []searchGram {
	seen := map[[2]string]bool{}
	var out []searchGram
	add := func(field int, gs []string) {
		for _, g := range gs {
			k := [2]string{fmt.Sprint(field), g}
			if !seen[k] {
				seen[k] = true
				out = append(out, searchGram{Field: field, Gram: g, CustomerID: id})
			}
		}
	}
	add(gramName, Grams(name, true))
	for _, d := range details {
		add(gramAddress, Grams(d, false))
	}
	return out
}

// reindex rewrites the search grams of customers ids from their stored name
// and addresses, in tx (the transaction that changed them).
func reindex(tx *gorm.DB, ids ...uint64) error {
	if len(ids) == 0 {
		return nil
	}
	if err := tx.Where("customer_id IN ?", ids).Delete(&searchGram{}).Error; err != nil {
		return fmt.Errorf("reindex customers: %w", err)
	}
	var cs []Customer
	// Merged and erased customers are not found by name or address.
	if err := tx.Select("id", "name").Where("id IN ? AND merged_into_id IS NULL AND erased_at IS NULL", ids).Find(&cs).Error; err != nil {
		return fmt.Errorf("reindex customers: %w", err)
	}
	var as []Address
	if err := tx.Select("customer_id", "detail").Where("customer_id IN ?", ids).Find(&as).Error; err != nil {
		return fmt.Errorf("reindex customers: %w", err)
	}
	var rows []searchGram
	for _, c := range cs {
		var details []string
		for _, a := range as {
			if a.CustomerID == c.ID {
				details = append(details, a.Detail)
			}
		}
		rows = append(rows, gramRows(c.ID, c.Name, details)...)
	}
	if len(rows) == 0 {
		return nil
	}
	if err := tx.CreateInBatches(rows, 500).Error; err != nil {
		return fmt.Errorf("reindex customers: %w", err)
	}
	return nil
}

// Match is a customer found by Search and why.
type Match struct {
	CustomerID uint64
	// By is what matched: "phone", "phone_tail", "name", "address"; with a
	// phone tail and a name both, "phone_tail+name".
	By string
	// Exact is true for a whole-name match (a name hit ranked first).
	Exact bool
}

// Query is what Search looks for; empty parts are not used. With both a
// phone tail and a name, a customer must match both.
type Query struct {
	// Phone is a whole phone number (normalised first).
	Phone string
	// PhoneTail is the last four digits of a phone.
	PhoneTail string
	// Text is a name fragment or, alone, an address fragment.
	Text  string
	Limit int
}

// maxCandidates bounds the rows one gram lookup reads before the texts are
// checked.
const maxCandidates = 200

// Search finds customers by a whole phone, the last four digits of a
// phone (optionally with a name fragment), a name fragment (whole names
// first, then names starting with it, then containing it) or an address
// fragment. Every lookup is an index probe or range: the unique phone
// index, the generated phone_tail column, the name index, the gram table.
// It returns at most q.Limit matches, best first. It does not apply any
// data scope: callers show a match only to whom may see that customer.
//
// Errors: internal.
func (s *Service) Search(ctx context.Context, q Query) ([]Match, error) {
	if q.Limit <= 0 || q.Limit > MaxPageSize {
		q.Limit = DefaultPageSize
	}
	g := s.hot.WithContext(ctx)
	var out []Match
	seen := map[uint64]bool{}
	add := func(id uint64, by string, exact bool) {
		if !seen[id] && len(out) < q.Limit {
			seen[id] = true
			out = append(out, Match{CustomerID: id, By: by, Exact: exact})
		}
	}
	text := strings.TrimSpace(q.Text)
	if q.Phone != "" {
		if n, err := NormalizePhone(q.Phone); err == nil {
			var ids []uint64
			if err := g.Model(&Phone{}).Where("phone = ?", n).Pluck("customer_id", &ids).Error; err != nil {
				return nil, apperr.Internal(fmt.Errorf("search customers by phone: %w", err))
			}
			for _, id := range ids {
				add(id, "phone", true)
			}
		}
	}
	if q.PhoneTail != "" {
		var ids []uint64
		if err := g.Model(&Phone{}).Where("phone_tail = ?", q.PhoneTail).Order("customer_id DESC").Limit(maxCandidates).
			Pluck("customer_id", &ids).Error; err != nil {
			return nil, apperr.Internal(fmt.Errorf("search customers by phone tail: %w", err))
		}
		if text == "" {
			for _, id := range ids {
				add(id, "phone_tail", false)
			}
			return out, nil
		}
		var cs []Customer
		if len(ids) > 0 {
			if err := g.Select("id", "name").Where("id IN ?", ids).Order("id DESC").Find(&cs).Error; err != nil {
				return nil, apperr.Internal(fmt.Errorf("search customers by phone tail: %w", err))
			}
		}
		f := Fold(text)
		for _, c := range cs {
			if strings.Contains(Fold(c.Name), f) {
				add(c.ID, "phone_tail+name", Fold(c.Name) == f)
			}
		}
		return out, nil
	}
	if text == "" {
		return out, nil
	}
	full := func() bool { return len(out) >= q.Limit }
	if err := s.searchName(g, text, q.Limit, add, full); err != nil {
		return nil, err
	}
	if f := Fold(text); len([]rune(f)) >= MinAddressFragment && !full() {
		err := s.walkGramCandidates(g, gramAddress, Grams(text, false), q.Limit, func(ids []uint64) (bool, error) {
			ids, err := s.addressesContaining(g, ids, f)
			for _, id := range ids {
				add(id, "address", false)
			}
			return full(), err
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// searchName adds customers whose name is text, starts with it, or
// contains it, in that order (newest first within each), until full.
func (s *Service) searchName(g *gorm.DB, text string, limit int, add func(uint64, string, bool), full func() bool) error {
	var exact []uint64
	if err := g.Model(&Customer{}).Where("name = ?", text).Order("id DESC").Limit(maxCandidates).Pluck("id", &exact).Error; err != nil {
		return apperr.Internal(fmt.Errorf("search customers by name: %w", err))
	}
	for _, id := range exact {
		add(id, "name", true)
	}
	if full() {
		return nil
	}
	// At most limit of the matches so far (the exact ones among them)
	// start with text too, so the first limit prefix rows fill the rest.
	var prefix []uint64
	if err := s.namePrefix(g.Model(&Customer{}), text).Order("name, id DESC").Limit(min(limit, maxCandidates)).Pluck("id", &prefix).Error; err != nil {
		return apperr.Internal(fmt.Errorf("search customers by name: %w", err))
	}
	for _, id := range prefix {
		add(id, "name", false)
	}
	if full() {
		return nil
	}
	f := Fold(text)
	return s.walkGramCandidates(g, gramName, Grams(text, len([]rune(f)) == 1), limit, func(ids []uint64) (bool, error) {
		var cs []Customer
		if err := g.Select("id", "name").Where("id IN ?", ids).Order("id DESC").Find(&cs).Error; err != nil {
			return false, apperr.Internal(fmt.Errorf("search customers by name: %w", err))
		}
		for _, c := range cs {
			if strings.Contains(Fold(c.Name), f) {
				add(c.ID, "name", false)
			}
		}
		return full(), nil
	})
}

// addressesContaining keeps the customers of ids (order kept) with an
// address detail containing the folded fragment f.
func (s *Service) addressesContaining(g *gorm.DB, ids []uint64, f string) ([]uint64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var as []Address
	if err := g.Select("customer_id", "detail").Where("customer_id IN ?", ids).Find(&as).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("search customers by address: %w", err))
	}
	ok := map[uint64]bool{}
	for _, a := range as {
		if strings.Contains(Fold(a.Detail), f) {
			ok[a.CustomerID] = true
		}
	}
	var out []uint64
	for _, id := range ids {
		if ok[id] {
			out = append(out, id)
		}
	}
	return out, nil
}

// maxQueryGrams bounds the grams of one lookup (a long fragment is checked
// against the text afterwards anyway).
const maxQueryGrams = 6

// walkGramCandidates passes to visit, newest first and in batches of
// batch, the first maxCandidates customers that have every gram of gs in
// field, until visit says it has enough. It walks the rarest gram's range
// (the postings of each gram are counted up to a cap first, unless there
// is only one; of grams past the cap, the first) and probes the primary key for the others; each batch
// continues the walk below the last customer of the one before, so a
// search that fills on its first batch reads no more than that.
func (s *Service) walkGramCandidates(g *gorm.DB, field int, gs []string, batch int, visit func(ids []uint64) (done bool, err error)) error {
	gs = distinct(gs)
	if len(gs) == 0 {
		return nil
	}
	if len(gs) > maxQueryGrams { // keep both ends and spread the rest
		picked := make([]string, 0, maxQueryGrams)
		for i := 0; i < maxQueryGrams; i++ {
			picked = append(picked, gs[i*(len(gs)-1)/(maxQueryGrams-1)])
		}
		gs = distinct(picked)
	}
	if len(gs) > 1 {
		// Counting is the dearest step of a common fragment (科技园: two
		// postings of 15,000 at 300,000 customers took 35 ms, the walk
		// under 1 ms), so the cap is low: past it a gram is common and
		// the walk is bounded by what the page needs anyway.
		const countCap = 2000
		type counted struct {
			gram string
			n    int64
		}
		cs := make([]counted, 0, len(gs))
		for _, gr := range gs {
			var n int64
			err := g.Raw("SELECT COUNT(*) FROM (SELECT 1 AS one FROM customer_search_grams WHERE field = ? AND gram = ? LIMIT ?) capped",
				field, gr, countCap).Scan(&n).Error
			if err != nil {
				return apperr.Internal(fmt.Errorf("search grams: %w", err))
			}
			if n == 0 {
				return nil
			}
			cs = append(cs, counted{gr, n})
		}
		slices.SortStableFunc(cs, func(a, b counted) int { return int(a.n - b.n) })
		for i, c := range cs {
			gs[i] = c.gram
		}
	}
	batch = max(1, min(batch, maxCandidates))
	var below uint64
	for seen := 0; seen < maxCandidates; {
		sql := "SELECT d.customer_id FROM customer_search_grams d WHERE d.field = ? AND d.gram = ?"
		args := []any{field, gs[0]}
		if below > 0 {
			sql += " AND d.customer_id < ?"
			args = append(args, below)
		}
		for _, gr := range gs[1:] {
			sql += " AND EXISTS (SELECT 1 FROM customer_search_grams e WHERE e.field = ? AND e.gram = ? AND e.customer_id = d.customer_id)"
			args = append(args, field, gr)
		}
		n := min(batch, maxCandidates-seen)
		sql += " ORDER BY d.customer_id DESC LIMIT ?"
		args = append(args, n)
		var ids []uint64
		if err := g.Raw(sql, args...).Scan(&ids).Error; err != nil {
			return apperr.Internal(fmt.Errorf("search grams: %w", err))
		}
		if len(ids) == 0 {
			return nil
		}
		done, err := visit(ids)
		if err != nil || done || len(ids) < n {
			return err
		}
		seen += len(ids)
		below = ids[len(ids)-1]
	}
	return nil
}

func distinct(xs []string) []string {
	seen := map[string]bool{}
	out := xs[:0:0]
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// ParseQuery splits what a caller said into a Query: four digits are a
// phone tail, a token that is a whole phone number is a phone, the rest is
// a name or address fragment ("张 1234" is the name 张 with a phone ending in
// 1234).
func ParseQuery(text string, limit int) Query {
	q := Query{Limit: limit}
	var rest []string
	for _, tok := range strings.Fields(text) {
		switch {
		case len(tok) == 4 && allDigits(tok):
			q.PhoneTail = tok
		case len(strings.Trim(tok, "+-0123456789 ")) == 0 && len(tok) >= 7 && validPhone(tok):
			q.Phone = tok
		default:
			rest = append(rest, tok)
		}
	}
	q.Text = strings.Join(rest, " ")
	return q
}

func validPhone(s string) bool {
	_, err := NormalizePhone(s)
	return err == nil
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// Profiles returns the profiles of ids in the order given (ids that do not
// exist are left out). Errors: internal.
func (s *Service) Profiles(ctx context.Context, ids []uint64) ([]Profile, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var cs []Customer
	if err := s.o.DB.WithContext(ctx).Where("id IN ?", ids).Find(&cs).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("load customers: %w", err))
	}
	pos := map[uint64]int{}
	for i, id := range ids {
		if _, ok := pos[id]; !ok {
			pos[id] = i
		}
	}
	slices.SortFunc(cs, func(a, b Customer) int { return pos[a.ID] - pos[b.ID] })
	return s.profiles(ctx, cs)
}
