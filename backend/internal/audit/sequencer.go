package audit

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/aftersales/aftersales/backend/internal/db"
)

// LeaseName is the job_locks row the sequencer holds.
const LeaseName = "audit_sequencer"

// Leases is the scheduler's lease API (scheduler.Scheduler).
type Leases interface {
	Hold(ctx context.Context, name string, ttl time.Duration) (bool, error)
	Release(name string)
}

// SequencerOptions configures a Sequencer.
type SequencerOptions struct {
	DB     *gorm.DB
	Leases Leases             // nil: no lease (a test that runs the only sequencer)
	Key    ed25519.PrivateKey // nil: no checkpoints are signed
	Sink   Sink               // nil: checkpoints stay in the database only
	// Interval between rounds (≤ 250 ms); LeaseTTL is how long a crashed
	// holder keeps others out.
	Interval time.Duration
	LeaseTTL time.Duration
	// A checkpoint is signed every CheckpointEvery leaves or, when anything
	// was sequenced since the last one, after CheckpointInterval.
	CheckpointEvery    int
	CheckpointInterval time.Duration
	// GapGrace: a leaf id that is still missing this long after a later leaf
	// was written is recorded in the log as a gap (its transaction rolled
	// back, or the leaf was deleted before it was sequenced). 0 disables gap
	// detection (Galera: auto-increment offsets leave ids unused by design).
	GapGrace time.Duration
	Batch    int
	Now      func() time.Time
	Log      *slog.Logger
}

// Sequencer integrates unsequenced leaves into the chain.
type Sequencer struct {
	o        SequencerOptions
	mu       sync.Mutex
	stop     chan struct{}
	done     chan struct{}
	started  bool
	stopOnce sync.Once
	// gapsOff: auto-increment steps by more than 1 (Galera's
	// wsrep_auto_increment_control, or a multi-primary setup), so unused
	// leaf ids are normal and gap detection is off.
	gapsOff, incrementChecked bool
}

// NewSequencer fills defaults.
func NewSequencer(o SequencerOptions) *Sequencer {
	if o.Interval <= 0 {
		o.Interval = 250 * time.Millisecond
	}
	if o.LeaseTTL <= 0 {
		o.LeaseTTL = 5 * time.Second
	}
	if o.CheckpointEvery <= 0 {
		o.CheckpointEvery = 1000
	}
	if o.CheckpointInterval <= 0 {
		o.CheckpointInterval = time.Minute
	}
	if o.Batch <= 0 {
		o.Batch = 2000
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Sequencer{o: o, stop: make(chan struct{}), done: make(chan struct{})}
}

// Start runs a round every Interval until Stop.
func (s *Sequencer) Start() {
	s.started = true
	go func() {
		defer close(s.done)
		t := time.NewTicker(s.o.Interval)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				if _, err := s.RunOnce(context.Background()); err != nil {
					s.o.Log.Warn("audit sequencer", "err", err)
				}
			}
		}
	}()
}

// Stop ends the loop, sequences what is committed (when this instance can
// take the lease) and gives the lease up so another instance takes over at
// once.
func (s *Sequencer) Stop() {
	s.stopOnce.Do(func() {
		close(s.stop)
		if s.started {
			<-s.done
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if held, err := s.RunOnce(ctx); err != nil {
			s.o.Log.Warn("audit sequencer: final round", "err", err)
		} else if held.Held && s.o.Leases != nil {
			s.o.Leases.Release(LeaseName)
		}
	})
}

// Round reports one RunOnce.
type Round struct {
	Held       bool        // this instance held the lease
	Sequenced  int         // leaves integrated
	Gaps       int         // gap records written
	Head       uint64      // last sequence number
	Checkpoint *Checkpoint // signed in this round, if any
}

// RunOnce takes (or renews) the lease, integrates every committed leaf and
// exports pending checkpoints to the sink.
func (s *Sequencer) RunOnce(ctx context.Context) (Round, error) {
	if s.o.Leases != nil {
		ok, err := s.o.Leases.Hold(ctx, LeaseName, s.o.LeaseTTL)
		if err != nil || !ok {
			return Round{}, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.incrementChecked && s.o.GapGrace > 0 && db.IsMySQL(s.o.DB) {
		var step int64
		if err := s.o.DB.WithContext(ctx).Raw("SELECT @@auto_increment_increment").Scan(&step).Error; err != nil {
			return Round{}, fmt.Errorf("audit sequencer: auto_increment_increment: %w", err)
		}
		s.incrementChecked, s.gapsOff = true, step > 1
		if s.gapsOff {
			s.o.Log.Warn("audit: auto_increment_increment > 1 (Galera?): leaf-id gap detection is off", "increment", step)
		}
	}
	total := Round{Held: true}
	for {
		r, full, err := s.integrate(ctx)
		total.Sequenced += r.Sequenced
		total.Gaps += r.Gaps
		total.Head = r.Head
		if r.Checkpoint != nil {
			total.Checkpoint = r.Checkpoint
		}
		if err != nil {
			return total, err
		}
		if !full {
			break
		}
	}
	return total, s.export(ctx)
}

// integrate runs one transaction: sequence up to Batch leaves, record gaps,
// sign a checkpoint when due, advance the head. full reports a full batch.
func (s *Sequencer) integrate(ctx context.Context) (r Round, full bool, err error) {
	now := s.o.Now().UTC()
	// On MySQL the round runs at READ COMMITTED: it takes no gap locks, so
	// a business transaction inserting a leaf never waits for (or
	// deadlocks with) the sequencer. The head row lock serialises rounds.
	var opts []*sql.TxOptions
	if db.IsMySQL(s.o.DB) {
		opts = append(opts, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	}
	err = s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		head, err := lockHead(tx)
		if err != nil {
			return err
		}
		var rows []struct {
			LeafID   uint64
			LeafHash string
		}
		if err := tx.Model(&Record{}).Select("leaf_id, leaf_hash").Where("seq IS NULL").Order("leaf_id").Limit(s.o.Batch).Find(&rows).Error; err != nil {
			return fmt.Errorf("audit sequencer: read leaves: %w", err)
		}
		full = len(rows) == s.o.Batch
		type assigned struct {
			leafID     uint64
			seq        uint64
			prev, hash string
		}
		out := make([]assigned, 0, len(rows))
		for _, l := range rows {
			lh := l.LeafHash
			if lh == "" { // written by something other than Record: hash its content now
				var rec Record
				if err := tx.Where("leaf_id = ?", l.LeafID).Take(&rec).Error; err != nil {
					return fmt.Errorf("audit sequencer: read leaf %d: %w", l.LeafID, err)
				}
				lh = LeafHash(rec)
				if err := tx.Model(&Record{}).Where("leaf_id = ?", l.LeafID).Update("leaf_hash", lh).Error; err != nil {
					return fmt.Errorf("audit sequencer: hash leaf %d: %w", l.LeafID, err)
				}
			}
			a := assigned{leafID: l.LeafID, seq: head.Seq + 1, prev: head.Hash}
			a.hash = ChainHash(a.seq, lh, a.prev)
			head.Seq, head.Hash = a.seq, a.hash
			out = append(out, a)
		}
		for i := 0; i < len(out); i += 300 {
			chunk := out[i:min(i+300, len(out))]
			var sb strings.Builder
			args := make([]any, 0, len(chunk)*7)
			cases := func(col string, val func(assigned) any) {
				sb.WriteString(col + " = CASE leaf_id")
				for _, a := range chunk {
					sb.WriteString(" WHEN ? THEN ?")
					args = append(args, a.leafID, val(a))
				}
				sb.WriteString(" END")
			}
			sb.WriteString("UPDATE audit_records SET ")
			cases("seq", func(a assigned) any { return a.seq })
			sb.WriteString(", ")
			cases("prev_hash", func(a assigned) any { return a.prev })
			sb.WriteString(", ")
			cases("hash", func(a assigned) any { return a.hash })
			sb.WriteString(" WHERE seq IS NULL AND leaf_id IN (?" + strings.Repeat(",?", len(chunk)-1) + ")")
			for _, a := range chunk {
				args = append(args, a.leafID)
			}
			res := tx.Exec(sb.String(), args...)
			if res.Error != nil {
				return fmt.Errorf("audit sequencer: assign: %w", res.Error)
			}
			if res.RowsAffected != int64(len(chunk)) {
				return errors.New("audit sequencer: leaves were sequenced concurrently")
			}
		}
		r.Sequenced = len(out)
		if s.o.GapGrace > 0 && !s.gapsOff {
			n, err := s.recordGaps(tx, &head, now)
			if err != nil {
				return err
			}
			r.Gaps = n
		}
		if s.o.Key != nil {
			cp, err := s.maybeCheckpoint(tx, head, now)
			if err != nil {
				return err
			}
			r.Checkpoint = cp
		}
		r.Head = head.Seq
		if err := tx.Model(&chainHead{}).Where("id = 1").
			Updates(map[string]any{"seq": head.Seq, "hash": head.Hash, "leaf_watermark": head.LeafWatermark}).Error; err != nil {
			return fmt.Errorf("audit sequencer: advance head: %w", err)
		}
		return nil
	}, opts...)
	return r, full, err
}

func lockHead(tx *gorm.DB) (chainHead, error) {
	var n int64
	if err := tx.Model(&chainHead{}).Where("id = 1").Count(&n).Error; err != nil {
		return chainHead{}, fmt.Errorf("audit sequencer: head row: %w", err)
	}
	if n == 0 {
		// Migration 0060 creates the head; it is missing only on a database
		// emptied by tests. Leaf ids start where the first present leaf is.
		var minID *uint64
		if err := tx.Model(&Record{}).Select("MIN(leaf_id)").Scan(&minID).Error; err != nil {
			return chainHead{}, fmt.Errorf("audit sequencer: head row: %w", err)
		}
		h := chainHead{ID: 1}
		if minID != nil && *minID > 0 {
			h.LeafWatermark = *minID - 1
		}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&h).Error; err != nil {
			return chainHead{}, fmt.Errorf("audit sequencer: head row: %w", err)
		}
	}
	q := db.ForUpdate(tx)
	var head chainHead
	if err := q.Where("id = 1").Take(&head).Error; err != nil {
		return head, fmt.Errorf("audit sequencer: read head: %w", err)
	}
	return head, nil
}

// recordGaps advances the leaf watermark over consecutive leaf ids and
// writes a sequenced "gap" record for ids missing longer than GapGrace.
func (s *Sequencer) recordGaps(tx *gorm.DB, head *chainHead, now time.Time) (int, error) {
	var rows []struct {
		LeafID uint64
		At     time.Time
		Seq    *uint64
	}
	if err := tx.Model(&Record{}).Select("leaf_id, at, seq").Where("leaf_id > ?", head.LeafWatermark).
		Order("leaf_id").Limit(s.o.Batch).Find(&rows).Error; err != nil {
		return 0, fmt.Errorf("audit sequencer: leaf ids: %w", err)
	}
	var gaps [][2]uint64
	w := head.LeafWatermark
	for _, r := range rows {
		if r.Seq == nil {
			break
		}
		if r.LeafID > w+1 {
			if now.Sub(r.At) < s.o.GapGrace {
				break
			}
			gaps = append(gaps, [2]uint64{w + 1, r.LeafID - 1})
		}
		w = r.LeafID
	}
	head.LeafWatermark = w
	for _, g := range gaps {
		id := fmt.Sprint(g[0])
		if g[1] != g[0] {
			id = fmt.Sprintf("%d-%d", g[0], g[1])
		}
		after, _ := json.Marshal(map[string]any{"from_leaf_id": g[0], "to_leaf_id": g[1],
			"meaning": "never integrated: the writing transaction rolled back, or the leaf was deleted before it was sequenced"})
		rec := Record{At: now.Truncate(time.Millisecond), ActorName: "audit-sequencer", Action: GapAction, Entity: GapEntity, EntityID: id, After: string(after)}
		rec.LeafHash = LeafHash(rec)
		rec.Seq, rec.PrevHash = head.Seq+1, head.Hash
		rec.Hash = ChainHash(rec.Seq, rec.LeafHash, rec.PrevHash)
		if err := tx.Create(&rec).Error; err != nil {
			return 0, fmt.Errorf("audit sequencer: gap record: %w", err)
		}
		head.Seq, head.Hash = rec.Seq, rec.Hash
		s.o.Log.Warn("audit: leaf ids never integrated", "leaf_ids", id, "record", rec.Seq)
	}
	return len(gaps), nil
}

// GapAction and GapEntity mark the sequencer's gap records.
const (
	GapAction = "gap"
	GapEntity = "audit_leaf"
)

func (s *Sequencer) maybeCheckpoint(tx *gorm.DB, head chainHead, now time.Time) (*Checkpoint, error) {
	if head.Seq == 0 {
		return nil, nil
	}
	var last []Checkpoint
	if err := tx.Order("seq DESC").Limit(1).Find(&last).Error; err != nil {
		return nil, fmt.Errorf("audit sequencer: last checkpoint: %w", err)
	}
	if len(last) == 1 {
		l := last[0]
		if head.Seq <= l.Seq || (head.Seq-l.Seq < uint64(s.o.CheckpointEvery) && now.Sub(l.At) < s.o.CheckpointInterval) {
			return nil, nil
		}
	}
	cp := sign(s.o.Key, head.Seq, head.Hash, now)
	if err := tx.Create(&cp).Error; err != nil {
		return nil, fmt.Errorf("audit sequencer: store checkpoint: %w", err)
	}
	return &cp, nil
}

// export appends checkpoints the sink has not acknowledged yet.
func (s *Sequencer) export(ctx context.Context) error {
	if s.o.Sink == nil {
		return nil
	}
	var pend []Checkpoint
	if err := s.o.DB.WithContext(ctx).Where("exported_at IS NULL").Order("seq").Limit(500).Find(&pend).Error; err != nil {
		return fmt.Errorf("audit sequencer: pending checkpoints: %w", err)
	}
	if len(pend) == 0 {
		return nil
	}
	if err := s.o.Sink.Append(ctx, pend); err != nil {
		return err
	}
	seqs := make([]uint64, len(pend))
	for i, c := range pend {
		seqs[i] = c.Seq
	}
	if err := s.o.DB.WithContext(ctx).Model(&Checkpoint{}).Where("seq IN ?", seqs).Update("exported_at", s.o.Now().UTC()).Error; err != nil {
		return fmt.Errorf("audit sequencer: mark exported: %w", err)
	}
	return nil
}
