package event

import (
	"context"
	"sync/atomic"
)

type recordingKey struct{}

// recording is what a request's context carries for its settle.
type recording struct {
	any atomic.Bool
	// inTx is set when an event was recorded inside a transaction whose
	// commit the bus does not see (Bus.Enqueue): the settle then counts
	// from its own call.
	inTx atomic.Bool
	// after is the highest relay mark noted at a commit (NoteCommitted).
	after atomic.Uint64
}

// WithRecording returns a context under which Bus.Enqueue notes that an
// event was recorded, and the flag it sets. The HTTP layer uses it to
// settle the request's events before answering (see Settler).
func WithRecording(ctx context.Context) (context.Context, *atomic.Bool) {
	r := new(recording)
	return context.WithValue(ctx, recordingKey{}, r), &r.any
}

// NoteRecorded marks ctx (when it came from WithRecording) as having
// recorded an event inside a transaction not yet committed.
func NoteRecorded(ctx context.Context) {
	if ctx == nil {
		return
	}
	if r, ok := ctx.Value(recordingKey{}).(*recording); ok {
		r.inTx.Store(true)
		r.any.Store(true)
	}
}

// NoteCommitted marks ctx as having recorded events whose transaction has
// committed when the bus's relay had reached mark (the outbox's read
// count): a settle is served by any relay read numbered mark or later,
// including one that started between the commit and the settle.
func NoteCommitted(ctx context.Context, mark uint64) {
	if ctx == nil {
		return
	}
	if r, ok := ctx.Value(recordingKey{}).(*recording); ok {
		for {
			m := r.after.Load()
			if mark <= m || r.after.CompareAndSwap(m, mark) {
				break
			}
		}
		r.any.Store(true)
	}
}

// CommittedMark returns the mark of NoteCommitted; ok is false when none
// was noted or an event was also recorded inside an open transaction.
func CommittedMark(ctx context.Context) (uint64, bool) {
	r, ok := ctx.Value(recordingKey{}).(*recording)
	if !ok || r.inTx.Load() {
		return 0, false
	}
	m := r.after.Load()
	return m, m > 0
}

// Settler is implemented by the outbox: Settle relays what is committed
// now, so a request's consumers (survey invitations, live boards, inbox
// notifications) have acted before its response is sent. It returns at once
// when another instance holds the relay lease.
type Settler interface {
	Settle(ctx context.Context)
}
