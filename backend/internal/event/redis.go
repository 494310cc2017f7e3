package event

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
	"gorm.io/gorm"
)

// RedisBus publishes to a Redis channel and delivers every message received
// on it (including its own) to local handlers, so all instances see the same
// stream in the same way.
type RedisBus struct {
	local   *MemoryBus
	client  *redis.Client
	channel string
	log     *slog.Logger
	cancel  context.CancelFunc
	done    chan struct{}
}

var _ Bus = (*RedisBus)(nil)

// NewRedisBus connects to addr and starts receiving on channel.
func NewRedisBus(addr, channel string, log *slog.Logger) (*RedisBus, error) {
	client := redis.NewClient(&redis.Options{Addr: addr})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("event: redis %s: %w", addr, err)
	}
	sub := client.Subscribe(ctx, channel)
	if _, err := sub.Receive(ctx); err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("event: subscribe %s: %w", channel, err)
	}
	rctx, rcancel := context.WithCancel(context.Background())
	b := &RedisBus{local: NewMemoryBus(), client: client, channel: channel, log: log, cancel: rcancel, done: make(chan struct{})}
	go func() {
		defer close(b.done)
		ch := sub.Channel()
		for {
			select {
			case <-rctx.Done():
				_ = sub.Close()
				return
			case m, ok := <-ch:
				if !ok {
					return
				}
				if e, ok := Decode([]byte(m.Payload), log); ok {
					b.local.deliver(e)
				}
			}
		}
	}()
	return b, nil
}

// Publish sends e to every instance. If Redis is down the event is still
// delivered locally and the failure logged.
func (b *RedisBus) Publish(ctx context.Context, e Event) {
	if e.At.IsZero() {
		e.At = time.Now().UTC()
	}
	payload, err := Encode(e)
	if err != nil {
		b.log.Error("event: encode", "name", e.Name, "err", err)
		return
	}
	if err := b.client.Publish(ctx, b.channel, payload).Err(); err != nil {
		b.log.Error("event: redis publish failed; delivering locally only", "name", e.Name, "err", err)
		b.local.deliver(e)
	}
}

// Enqueue publishes events at once (no outbox; see outbox.Outbox).
func (b *RedisBus) Enqueue(_ *gorm.DB, events ...Event) error {
	for _, e := range events {
		b.Publish(context.Background(), e)
	}
	return nil
}

// Subscribe registers h for events from every instance.
func (b *RedisBus) Subscribe(h Handler) func() { return b.local.Subscribe(h) }

// Close stops receiving and closes the client.
func (b *RedisBus) Close() error {
	b.cancel()
	<-b.done
	return b.client.Close()
}
