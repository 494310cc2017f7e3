package httpapi

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/ratelimit"
)

// The rate limits of the customer's public pages, and the actor they act as.

// Rate limits per client IP. Generous for a person at a browser; they stop
// scripts that would flood the hotline with tickets or guess ticket numbers
// and phones. The counts live in Options.Limiter: Redis when several
// instances run (events.driver=redis), else this process.
var (
	publicRequestsLimit = ratelimit.Limit{Name: "public.requests", Burst: 5, Period: 10 * time.Minute}  // service requests
	publicLookupsLimit  = ratelimit.Limit{Name: "public.lookups", Burst: 30, Period: 10 * time.Minute}  // ticket status lookups
	publicWarrantyLimit = ratelimit.Limit{Name: "public.warranty", Burst: 60, Period: 10 * time.Minute} // warranty checks
)

// RateLimiter counts calls per key (ratelimit.Local or ratelimit.Redis).
type RateLimiter = ratelimit.Limiter

// publicLimits holds the counter of the public calls' limits.
type publicLimits struct {
	counter RateLimiter
}

func newPublicLimits(counter RateLimiter) *publicLimits {
	if counter == nil {
		counter = ratelimit.NewLocal(nil)
	}
	return &publicLimits{counter: counter}
}

// limited returns the 429 when the caller's IP is over l. A
// failing counter store lets the call through (and is logged): the public
// pages must not go down with Redis.
func (s *Server) limited(c *gin.Context, l ratelimit.Limit) error {
	ok, wait, err := s.publicLimits.counter.Allow(c.Request.Context(), l, c.ClientIP())
	if err != nil {
		s.log.Warn("rate limit store", "err", err, "limit", l.Name)
		return nil
	}
	if !ok {
		return apperr.RateLimited("too many requests from your network; please try again later", max(int((wait+time.Second-1)/time.Second), 1))
	}
	return nil
}

// publicActor names the customer on the web as the actor of what the
// public pages change (the audit trail shows "customer:web" and the IP).
func publicActor(c *gin.Context) {
	a := actor.From(c.Request.Context())
	a.UserID, a.Username, a.Roles, a.OutletID = 0, "customer:web", nil, nil
	c.Request = c.Request.WithContext(actor.With(c.Request.Context(), a))
}
