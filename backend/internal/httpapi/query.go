package httpapi

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aftersales/aftersales/backend/internal/apperr"
)

// The one set of query-parameter and date parsers of the API (it replaces
// the ops*, quality* and query* copies that each handler family had).

// queryUint reads an optional non-negative integer query parameter (0 if
// absent): ids, where 0 matches nothing, and cursors such as ?after=0.
func queryUint(c *gin.Context, name string) (uint64, error) {
	v := c.Query(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, fieldErr(name, apperr.Code("non_negative", "must be a non-negative integer"))
	}
	return n, nil
}

// queryOptionalUint reads an optional positive integer query parameter (nil if absent).
func queryOptionalUint(c *gin.Context, name string) (*uint64, error) {
	v := c.Query(name)
	if v == "" {
		return nil, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n == 0 {
		return nil, fieldErr(name, apperr.InvalidFormat(apperr.FormatPositiveInteger))
	}
	return &n, nil
}

// queryBool reads an optional boolean query parameter.
func queryBool(c *gin.Context, name string) (*bool, error) {
	v := c.Query(name)
	if v == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return nil, fieldErr(name, apperr.OneOf("true", "false"))
	}
	return &b, nil
}

// parseDate parses a required "YYYY-MM-DD" value into a stored calendar date
// (00:00 UTC of that date).
func parseDate(v, field string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(v))
	if err != nil {
		return time.Time{}, apperr.FieldErr(field, apperr.InvalidFormat(apperr.FormatDate))
	}
	return t, nil
}

// parseOptionalDate is parseDate where empty gives the zero time.
func parseOptionalDate(v, field string) (time.Time, error) {
	if strings.TrimSpace(v) == "" {
		return time.Time{}, nil
	}
	return parseDate(v, field)
}

// formatDay formats a calendar date, or nil.
func formatDay(t *time.Time) *string {
	if t == nil || t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.DateOnly)
	return &s
}

// queryInstant parses a from/to query value: a local date (the enterprise
// zone; with endOfDay that whole day is included) or an RFC 3339 instant.
func (s *Server) queryInstant(c *gin.Context, name string, endOfDay bool) (*time.Time, error) {
	v := strings.TrimSpace(c.Query(name))
	if v == "" {
		return nil, nil
	}
	if d, err := time.ParseInLocation(time.DateOnly, v, s.Location); err == nil {
		if endOfDay {
			d = d.AddDate(0, 0, 1)
		}
		u := d.UTC()
		return &u, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return nil, fieldErr(name, apperr.InvalidFormat(apperr.FormatDate))
	}
	u := t.UTC()
	return &u, nil
}

// queryPeriod reads ?from&to for KPIs: by default the last 30 local days
// including today; at most 5 years.
func (s *Server) queryPeriod(c *gin.Context) (time.Time, time.Time, error) {
	from, err := s.queryInstant(c, "from", false)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	to, err := s.queryInstant(c, "to", true)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	if to == nil {
		now := time.Now().In(s.Location)
		d := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, s.Location).AddDate(0, 0, 1).UTC()
		to = &d
	}
	if from == nil {
		d := to.AddDate(0, 0, -30)
		from = &d
	}
	if !to.After(*from) {
		return time.Time{}, time.Time{}, fieldErr("to", apperr.Code("before_from", "must be after from"))
	}
	if to.Sub(*from) > 5*366*24*time.Hour {
		return time.Time{}, time.Time{}, fieldErr("from", apperr.Code("span_too_long", "the period may span at most 5 years").With("years", 5))
	}
	return *from, *to, nil
}

// checkQuery refuses a request with a query parameter its route's handler
// does not read (queryParams, generated from the handlers' code and checked
// by TestQueryParamsAreTheOnesHandlersRead): 400 unknown_query_parameter
// naming each unknown field, so a misspelt or unsupported filter is never
// silently ignored.
func (s *Server) checkQuery(rt Route) gin.HandlerFunc {
	allowed, ok := queryParams[rt.Method+" "+rt.Path]
	return func(c *gin.Context) {
		if !ok || c.Request.URL.RawQuery == "" {
			c.Next()
			return
		}
		fields := apperr.Fields{}
		var names []string
		for name := range c.Request.URL.Query() {
			if !slices.Contains(allowed, name) {
				names = append(names, name)
				if len(allowed) == 0 {
					fields[name] = apperr.Code("unknown_query_parameter", "unknown query parameter: this route takes none")
				} else {
					fields[name] = apperr.Code("unknown_query_parameter", "unknown query parameter: this route takes "+strings.Join(allowed, ", ")).With("allowed", allowed)
				}
			}
		}
		if len(fields) == 0 {
			c.Next()
			return
		}
		slices.Sort(names)
		e := apperr.Invalid("unknown query parameter: " + strings.Join(names, ", "))
		e.Code = "unknown_query_parameter"
		e.Fields = fields
		s.fail(c, e)
		c.Abort()
	}
}
