// Package ratelimit counts calls per key against a limit: in this process
// (golang.org/x/time/rate) for a single instance, or in Redis
// (github.com/go-redis/redis_rate, GCRA) when several instances must share
// one budget (events.driver=redis).
package ratelimit

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"
)

// Limit is Burst calls at once, refilled at Burst per Period.
type Limit struct {
	Name   string // names the budget; keys of different limits never share one
	Burst  int
	Period time.Duration
}

// Limiter decides whether a call by key is within limit. RetryAfter is how
// long to wait when it is not. An error means the store failed; callers
// decide whether to fail open.
type Limiter interface {
	Allow(ctx context.Context, l Limit, key string) (ok bool, retryAfter time.Duration, err error)
}

// maxLocalKeys bounds the local limiter's memory: a flood of distinct keys
// must not grow it without end.
const maxLocalKeys = 100_000

// Local is a per-process token bucket per (limit, key).
type Local struct {
	mu   sync.Mutex
	now  func() time.Time
	keys map[string]*localEntry
}

type localEntry struct {
	lim  *rate.Limiter
	seen time.Time
}

var _ Limiter = (*Local)(nil)

// NewLocal returns a Local limiter; now may be nil (time.Now).
func NewLocal(now func() time.Time) *Local {
	if now == nil {
		now = time.Now
	}
	return &Local{now: now, keys: map[string]*localEntry{}}
}

// Allow implements Limiter.
func (l *Local) Allow(_ context.Context, lim Limit, key string) (bool, time.Duration, error) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	k := lim.Name + "\x00" + key
	e := l.keys[k]
	if e == nil {
		if len(l.keys) >= maxLocalKeys {
			l.forget(now, lim.Period)
		}
		e = &localEntry{lim: rate.NewLimiter(rate.Every(lim.Period/time.Duration(max(lim.Burst, 1))), max(lim.Burst, 1))}
		l.keys[k] = e
	}
	e.seen = now
	r := e.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d, nil
	}
	return true, 0, nil
}

// forget drops keys idle for a whole period (a full bucket again), and
// everything if that is not enough.
func (l *Local) forget(now time.Time, period time.Duration) {
	for k, e := range l.keys {
		if now.Sub(e.seen) >= period {
			delete(l.keys, k)
		}
	}
	if len(l.keys) >= maxLocalKeys {
		l.keys = map[string]*localEntry{}
	}
}

// Redis shares every budget between the instances using one Redis.
type Redis struct {
	client *redis.Client
	lim    *redis_rate.Limiter
	prefix string
}

// Close closes the Redis connection.
func (r *Redis) Close() error { return r.client.Close() }

var _ Limiter = (*Redis)(nil)

// NewRedis returns a limiter on the Redis at addr; prefix namespaces its keys.
func NewRedis(addr, prefix string) (*Redis, error) {
	c := redis.NewClient(&redis.Options{Addr: addr})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		return nil, fmt.Errorf("ratelimit: redis %s: %w", addr, err)
	}
	return &Redis{client: c, lim: redis_rate.NewLimiter(c), prefix: prefix}, nil
}

// Allow implements Limiter.
func (r *Redis) Allow(ctx context.Context, l Limit, key string) (bool, time.Duration, error) {
	burst := max(l.Burst, 1)
	res, err := r.lim.Allow(ctx, r.prefix+l.Name+":"+key, redis_rate.Limit{Rate: burst, Burst: burst, Period: l.Period})
	if err != nil {
		return false, 0, fmt.Errorf("ratelimit: %w", err)
	}
	if res.Allowed > 0 {
		return true, 0, nil
	}
	return false, time.Duration(math.Max(float64(res.RetryAfter), float64(time.Second))), nil
}
