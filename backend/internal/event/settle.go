package event

import (
	"context"
	"sync/atomic"
)

type recordingKey struct{}

// WithRecording returns a context under which Bus.Enqueue notes that an
// event was recorded, and the flag it sets. The HTTP layer uses it to
// settle the request's events before answering (see Settler).
func WithRecording(ctx context.Context) (context.Context, *atomic.Bool) {
	f := new(atomic.Bool)
	return context.WithValue(ctx, recordingKey{}, f), f
}

// NoteRecorded marks ctx (when it came from WithRecording) as having
// recorded an event.
func NoteRecorded(ctx context.Context) {
	if ctx == nil {
		return
	}
	if f, ok := ctx.Value(recordingKey{}).(*atomic.Bool); ok {
		f.Store(true)
	}
}

// Settler is implemented by the outbox: Settle relays what is committed
// now, so a request's consumers (survey invitations, live boards, inbox
// notifications) have acted before its response is sent. It returns at once
// when another instance holds the relay lease.
type Settler interface {
	Settle(ctx context.Context)
}
