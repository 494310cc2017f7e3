package httpapi

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/complaint"
	"github.com/aftersales/aftersales/backend/internal/customer"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/product"
	"github.com/aftersales/aftersales/backend/internal/rbac"
	"github.com/aftersales/aftersales/backend/internal/ticket"
	"github.com/aftersales/aftersales/backend/internal/workorder"
)

// The one search (GET /search?q=): whatever the caller reads out — a
// ticket, work order or complaint number or its last digits, a phone or its
// last four digits (with a name: "张 1234"), a serial, a name or address
// fragment — answered with typed hits grouped by kind, best group first.
// Each kind is looked up by its own domain through an index (docs/search.md)
// and within the caller's data scope; customers are shown by the one rule of
// handlers_privacy.go (ownerView: masking, outlet users only through a job
// of their outlet, every shown profile in the PIPL access log).

// Search limits.
const (
	// MaxSearchLen bounds q (characters).
	MaxSearchLen = 64
	// searchPerKind is the most hits of one kind.
	searchPerKind = 10
)

// Scores of what matched, highest first; a group is ranked by its best hit.
const (
	scoreWholeNumber = 100
	scorePhone       = 95
	scorePhoneName   = 90
	scoreSerial      = 88
	scoreNameExact   = 80
	scoreNumberTail  = 75
	scorePhoneTail   = 70
	scoreSerialStart = 65
	scoreName        = 60
	scoreAddress     = 50
)

// SearchHit is one thing found. Kind is ticket, work_order, complaint,
// customer or unit; ID opens it (a unit by its serial in Title); Match says
// what matched (number, number_tail, phone, phone_tail, phone_tail+name,
// serial, name, address). Customer carries the profile as GET
// /customers/{id} shows it to the caller.
type SearchHit struct {
	Kind     string                   `json:"kind"`
	ID       uint64                   `json:"id"`
	Title    string                   `json:"title"`
	Subtitle string                   `json:"subtitle"`
	Status   string                   `json:"status,omitempty"`
	Match    string                   `json:"match"`
	Score    int                      `json:"score"`
	Customer *CustomerProfileResponse `json:"customer,omitempty"`
	// TicketID is a complaint's ticket (the UI opens the complaint there).
	TicketID *uint64 `json:"ticket_id,omitempty"`
}

// SearchGroup is the hits of one kind, best first.
type SearchGroup struct {
	Kind string      `json:"kind"`
	Hits []SearchHit `json:"hits"`
}

// SearchResponse is GET /search: the groups, best first.
type SearchResponse struct {
	Q      string        `json:"q"`
	Groups []SearchGroup `json:"groups"`
}

func (s *Server) search(c *gin.Context) error {
	q := strings.TrimSpace(c.Query("q"))
	if q == "" {
		return fieldErr("q", apperr.Required())
	}
	if utf8.RuneCountInString(q) > MaxSearchLen {
		return fieldErr("q", apperr.TooLong(MaxSearchLen))
	}
	// Only the lookups that the query's shape can answer run, side by side
	// (each reads through the pool on its own connection).
	finds := searchLookups(s, q)
	found := make([][]SearchHit, len(finds))
	errs := make([]error, len(finds))
	var wg sync.WaitGroup
	for i, find := range finds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			found[i], errs[i] = find(c, q)
		}()
	}
	wg.Wait()
	var hits []SearchHit
	for i := range finds {
		if errs[i] != nil {
			return errs[i]
		}
		hits = append(hits, found[i]...)
	}
	c.JSON(http.StatusOK, SearchResponse{Q: q, Groups: groupHits(hits)})
	return nil
}

// searchLookups routes q by its shape (docs/search.md, "What one search
// costs"): numbers only when a token is a number of some kind (whole or
// its last 3+ digits), units only for one serial-shaped token, customers
// unless q is numbers alone (a whole phone or four digits are customers
// too). A lookup left out could not have found anything: each one also
// checks the shape itself before it queries.
func searchLookups(s *Server, q string) []func(*gin.Context, string) ([]SearchHit, error) {
	var out []func(*gin.Context, string) ([]SearchHit, error)
	for _, tok := range strings.Fields(q) {
		if isNumberToken(tok) {
			out = append(out, s.searchNumbers)
			break
		}
	}
	if _, ok := product.NormalizeSerial(q); ok && !strings.ContainsRune(q, ' ') {
		out = append(out, s.searchUnits)
	}
	if cq := customer.ParseQuery(q, 0); cq.Phone != "" || cq.PhoneTail != "" || !onlyNumberish(cq.Text) {
		out = append(out, s.searchCustomers)
	}
	return out
}

// isNumberToken reports whether tok is a ticket, work order or complaint
// number or its last digits.
func isNumberToken(tok string) bool {
	for _, prefix := range []string{ticket.NumberPrefix, workorder.NumberPrefix, complaint.NumberPrefix} {
		if _, ok := db.ParseNumber(tok, prefix); ok {
			return true
		}
	}
	return false
}

// searchKinds orders groups of equal best score: what a caller most often
// reads out first.
var searchKinds = []string{"ticket", "work_order", "complaint", "customer", "unit"}

// groupHits groups hits by kind (keeping their order within a kind) and
// orders the groups by their best score, then as searchKinds.
func groupHits(hits []SearchHit) []SearchGroup {
	groups := []SearchGroup{}
	at := map[string]int{}
	for _, h := range hits {
		i, ok := at[h.Kind]
		if !ok {
			i = len(groups)
			at[h.Kind] = i
			groups = append(groups, SearchGroup{Kind: h.Kind})
		}
		groups[i].Hits = append(groups[i].Hits, h)
	}
	best := func(g SearchGroup) int {
		b := 0
		for _, h := range g.Hits {
			b = max(b, h.Score)
		}
		return b
	}
	for i := range groups {
		slices.SortStableFunc(groups[i].Hits, func(a, b SearchHit) int { return b.Score - a.Score })
	}
	slices.SortStableFunc(groups, func(a, b SearchGroup) int {
		if d := best(b) - best(a); d != 0 {
			return d
		}
		return slices.Index(searchKinds, a.Kind) - slices.Index(searchKinds, b.Kind)
	})
	return groups
}

func numberScore(whole bool) (int, string) {
	if whole {
		return scoreWholeNumber, "number"
	}
	return scoreNumberTail, "number_tail"
}

// searchNumbers finds tickets, work orders and complaints by number or
// last digits, each within the caller's scope and permission.
func (s *Server) searchNumbers(c *gin.Context, q string) ([]SearchHit, error) {
	ctx := c.Request.Context()
	var out []SearchHit
	for _, tok := range strings.Fields(q) {
		ts, err := s.Tickets.FindByNumber(ctx, tok, searchPerKind)
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			sc, m := numberScore(t.Number == strings.ToUpper(tok) || strings.Contains(tok, "-"))
			out = append(out, SearchHit{Kind: "ticket", ID: t.ID, Title: t.Number, Subtitle: t.Type, Status: t.Status, Match: m, Score: sc})
		}
		if s.allowed(c, rbac.WorkOrderRead) {
			ws, err := s.WorkOrders.FindByNumber(ctx, tok, searchPerKind)
			if err != nil {
				return nil, err
			}
			for _, w := range ws {
				sc, m := numberScore(w.Number == strings.ToUpper(tok) || strings.Contains(tok, "-"))
				out = append(out, SearchHit{Kind: "work_order", ID: w.ID, Title: w.Number, Subtitle: w.Kind, Status: w.Status, Match: m, Score: sc})
			}
		}
		if s.allowed(c, rbac.ComplaintRead) {
			cs, err := s.Complaints.FindByNumber(ctx, tok, searchPerKind)
			if err != nil {
				return nil, err
			}
			for _, cp := range cs {
				sc, m := numberScore(cp.Number == strings.ToUpper(tok) || strings.Contains(tok, "-"))
				out = append(out, SearchHit{Kind: "complaint", ID: cp.ID, Title: cp.Number, Subtitle: cp.Title, Status: cp.Status, Match: m, Score: sc, TicketID: cp.TicketID})
			}
		}
	}
	return out, nil
}

// searchUnits finds units by serial (whole or its start).
func (s *Server) searchUnits(c *gin.Context, q string) ([]SearchHit, error) {
	if !s.allowed(c, rbac.ProductRead) || strings.ContainsRune(q, ' ') {
		return nil, nil
	}
	ctx := c.Request.Context()
	us, err := s.Products.FindBySerial(ctx, q, searchPerKind)
	if err != nil || len(us) == 0 {
		return nil, err
	}
	mids := make([]uint64, 0, len(us))
	for _, u := range us {
		mids = append(mids, u.ModelID)
	}
	models, err := s.Products.ModelsByIDs(ctx, mids)
	if err != nil {
		return nil, err
	}
	out := make([]SearchHit, 0, len(us))
	for _, u := range us {
		sc, m := scoreSerialStart, "serial_prefix"
		if u.Serial == strings.ToUpper(q) {
			sc, m = scoreSerial, "serial"
		}
		md := models[u.ModelID]
		out = append(out, SearchHit{Kind: "unit", ID: u.ID, Title: u.Serial, Subtitle: strings.TrimSpace(md.Code + " " + md.Name), Match: m, Score: sc})
	}
	return out, nil
}

// searchCustomers finds customers by phone, phone tail (with a name), name
// or address fragment, and shows each one as GET /customers/{id} would show
// it to the caller (nothing for those the caller may not see): the first
// searchPerKind the caller may see, read as one page (customerViews).
func (s *Server) searchCustomers(c *gin.Context, q string) ([]SearchHit, error) {
	cq := customer.ParseQuery(q, searchPerKind*3)
	if cq.Phone == "" && cq.PhoneTail == "" && onlyNumberish(cq.Text) {
		return nil, nil
	}
	ms, err := s.Customers.Search(c.Request.Context(), cq)
	if err != nil {
		return nil, err
	}
	ids := make([]uint64, 0, len(ms))
	by := make(map[uint64]customer.Match, len(ms))
	for _, m := range ms {
		ids = append(ids, m.CustomerID)
		by[m.CustomerID] = m
	}
	views, err := s.customerViews(c, ids, searchPerKind)
	if err != nil {
		return nil, err
	}
	out := make([]SearchHit, 0, len(views))
	for _, view := range views {
		m := by[view.Customer.ID]
		h := SearchHit{Kind: "customer", ID: m.CustomerID, Title: view.Customer.Name, Match: m.By, Customer: view}
		switch m.By {
		case "phone":
			h.Score = scorePhone
		case "phone_tail+name":
			h.Score = scorePhoneName
		case "phone_tail":
			h.Score = scorePhoneTail
		case "address":
			h.Score = scoreAddress
		default:
			h.Score = scoreName
			if m.Exact {
				h.Score = scoreNameExact
			}
		}
		if len(view.Phones) > 0 {
			h.Subtitle = view.Phones[0].Number
		}
		if len(view.Addresses) > 0 {
			h.Subtitle = strings.TrimSpace(h.Subtitle + " " + view.Addresses[0].RegionName + view.Addresses[0].Detail)
		}
		out = append(out, h)
	}
	return out, nil
}

// onlyNumberish reports whether text is only digits, dashes and number
// prefixes (it was a number, not a name).
func onlyNumberish(text string) bool {
	for _, tok := range strings.Fields(text) {
		if _, ok := db.ParseNumber(tok, ticket.NumberPrefix); ok {
			continue
		}
		if strings.Trim(tok, "0123456789-") != "" {
			return false
		}
	}
	return true
}

// ticketRef reads the :id of a ticket route: the id, or the ticket number
// (T20261124-000042) the caller may see.
func (s *Server) ticketRef(c *gin.Context) (uint64, error) {
	v := c.Param("id")
	if id, err := strconv.ParseUint(v, 10, 64); err == nil && id > 0 {
		return id, nil
	}
	nq, ok := db.ParseNumber(v, ticket.NumberPrefix)
	if !ok || nq.Whole == "" {
		return 0, apperr.NotFound("ticket")
	}
	t, err := s.Tickets.GetByNumber(c.Request.Context(), nq.Whole)
	if err != nil {
		return 0, err
	}
	return t.ID, nil
}

// ticketText reads ?number= and ?q= of the ticket list: number is a whole
// ticket number or its last digits; q is a number too, or else whatever
// finds customers in the one search (name, phone, phone tail with a name,
// address fragment), whose tickets are listed.
func (s *Server) ticketText(c *gin.Context, f *ticket.Filter) error {
	f.Number = strings.TrimSpace(c.Query("number"))
	q := strings.TrimSpace(c.Query("q"))
	if q == "" {
		return nil
	}
	if utf8.RuneCountInString(q) > MaxSearchLen {
		return fieldErr("q", apperr.TooLong(MaxSearchLen))
	}
	if _, ok := db.ParseNumber(q, ticket.NumberPrefix); ok {
		if f.Number != "" && f.Number != q {
			return fieldErr("q", apperr.Code("number_or_q", "use either number or a number in q"))
		}
		f.Number = q
		return nil
	}
	if !s.allowed(c, rbac.CustomerRead) {
		return fieldErr("q", apperr.Code("ticket_number_only", "only a ticket number or its last digits (your role does not search customers)"))
	}
	ms, err := s.Customers.Search(c.Request.Context(), customer.ParseQuery(q, 200))
	if err != nil {
		return err
	}
	f.CustomerIDs = make([]uint64, 0, len(ms))
	for _, m := range ms {
		f.CustomerIDs = append(f.CustomerIDs, m.CustomerID)
	}
	return nil
}

// searchCustomerPage is GET /customers?q=: a page of the customers
// customer.Search finds, best first. It reads at most customer.MaxPageSize
// matches; Total counts them when there are fewer (else null: say more).
func (s *Server) searchCustomerPage(c *gin.Context, q string, page, size int) (customer.Page, error) {
	if utf8.RuneCountInString(q) > MaxSearchLen {
		return customer.Page{}, fieldErr("q", apperr.TooLong(MaxSearchLen))
	}
	ms, err := s.Customers.Search(c.Request.Context(), customer.ParseQuery(q, customer.MaxPageSize))
	if err != nil {
		return customer.Page{}, err
	}
	var out customer.Page
	if len(ms) < customer.MaxPageSize {
		n := int64(len(ms))
		out.Total = &n
	}
	from := (page - 1) * size
	if from >= len(ms) {
		return out, nil
	}
	ms = ms[from:]
	if len(ms) > size {
		ms, out.HasMore = ms[:size], true
	}
	ids := make([]uint64, 0, len(ms))
	for _, m := range ms {
		ids = append(ids, m.CustomerID)
	}
	out.Items, err = s.Customers.Profiles(c.Request.Context(), ids)
	return out, err
}
