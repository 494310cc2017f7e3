package audit_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

func appendN(t *testing.T, g *gorm.DB, tr *audit.Trail, n int) {
	t.Helper()
	ctx := actor.With(context.Background(), actor.Actor{UserID: 7, Username: "agent", RequestID: "req-1"})
	for i := 0; i < n; i++ {
		err := g.Transaction(func(tx *gorm.DB) error {
			return tr.Record(ctx, tx, audit.Entry{Action: "update", Entity: "ticket", EntityID: fmt.Sprint(i),
				Before: map[string]any{"status": "new"}, After: map[string]any{"status": "assigned"}})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// logFixture is a trail configured like the server's (a signing key, a
// file sink) and its sequencer.
type logFixture struct {
	tr   *audit.Trail
	seq  *audit.Sequencer
	key  ed25519.PrivateKey
	sink audit.Sink
}

func newLog(t *testing.T, g *gorm.DB, tune func(*audit.SequencerOptions)) *logFixture {
	t.Helper()
	key, _, err := audit.LoadOrCreateKey(filepath.Join(t.TempDir(), "k"))
	if err != nil {
		t.Fatal(err)
	}
	sink := &audit.FileSink{Path: filepath.Join(t.TempDir(), "sink", "checkpoints.log")}
	tr := audit.New(nil)
	tr.Configure(audit.TrailOptions{Keys: []ed25519.PublicKey{key.Public().(ed25519.PublicKey)}, Sink: sink})
	o := audit.SequencerOptions{DB: g, Key: key, Sink: sink, CheckpointEvery: 5, GapGrace: time.Nanosecond}
	if tune != nil {
		tune(&o)
	}
	return &logFixture{tr: tr, seq: audit.NewSequencer(o), key: key, sink: sink}
}

func (f *logFixture) sequence(t *testing.T) audit.Round {
	t.Helper()
	r, err := f.seq.RunOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (f *logFixture) verify(t *testing.T, g *gorm.DB) audit.VerifyResult {
	t.Helper()
	res, err := f.tr.Verify(context.Background(), g)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestWritesAreLeavesUntilSequenced(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		f := newLog(t, g, nil)
		appendN(t, g, f.tr, 3)
		recs, err := f.tr.List(context.Background(), g, audit.Filter{Entity: "ticket"})
		if err != nil || len(recs) != 3 || recs[0].Seq != 0 || recs[0].LeafHash == "" || recs[0].Hash != "" || recs[0].EntityID != "2" {
			t.Fatalf("unsequenced leaves, newest first: %+v %v", recs, err)
		}
		if res := f.verify(t, g); !res.OK || res.Checked != 0 || res.Unsequenced != 3 {
			t.Fatalf("young leaves are fine: %+v", res)
		}
		r := f.sequence(t)
		if r.Sequenced != 3 || r.Head != 3 || r.Checkpoint == nil || r.Checkpoint.Seq != 3 {
			t.Fatalf("round: %+v", r)
		}
		recs, _ = f.tr.List(context.Background(), g, audit.Filter{Entity: "ticket"})
		if recs[0].Seq != 3 || recs[2].Seq != 1 || recs[0].PrevHash != recs[1].Hash {
			t.Fatalf("sequenced in leaf order: %+v", recs)
		}
		if res := f.verify(t, g); !res.OK || res.Checked != 3 || res.Checkpoints != 1 || res.Unsequenced != 0 {
			t.Fatalf("verify: %+v", res)
		}
	})
}

func TestTrailVerifyDetectsTampering(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		f := newLog(t, g, nil)
		appendN(t, g, f.tr, 10)
		f.sequence(t)
		if res := f.verify(t, g); !res.OK || res.Checked != 10 {
			t.Fatalf("intact chain: %+v", res)
		}
		// Alter record 4's after-image as an insider with SQL access would.
		if err := g.Exec("UPDATE audit_records SET after = ? WHERE seq = 4", `{"status":"closed"}`).Error; err != nil {
			t.Fatal(err)
		}
		if res := f.verify(t, g); res.OK || res.BrokenAtSeq != 4 || !strings.Contains(res.Reason, "altered") {
			t.Fatalf("altered record: %+v", res)
		}
	})
}

func TestTrailVerifyDetectsDeletion(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		f := newLog(t, g, func(o *audit.SequencerOptions) { o.CheckpointEvery = 1000 })
		appendN(t, g, f.tr, 5)
		f.sequence(t) // first checkpoint at 5
		appendN(t, g, f.tr, 3)
		f.sequence(t) // 8, not checkpointed yet
		if err := g.Exec("DELETE FROM audit_records WHERE seq = 3").Error; err != nil {
			t.Fatal(err)
		}
		if res := f.verify(t, g); res.OK || res.BrokenAtSeq != 3 {
			t.Fatalf("deleted middle: %+v", res)
		}
		if err := g.Exec("DELETE FROM audit_records WHERE seq >= 3").Error; err != nil {
			t.Fatal(err)
		}
		if res := f.verify(t, g); res.OK || res.BrokenAtSeq != 3 {
			t.Fatalf("deleted tail: %+v", res)
		}
		// Even with the head rewritten to match, the signed checkpoint at 5
		// says five records existed.
		var last audit.Record
		g.Where("seq = 2").Take(&last)
		g.Exec("UPDATE audit_chains SET seq = 2, hash = ? WHERE id = 1", last.Hash)
		if res := f.verify(t, g); res.OK || !strings.Contains(res.Reason, "removed") {
			t.Fatalf("truncated with the head rewritten: %+v", res)
		}
	})
}

// recomputeChain is what an insider with write access to the database can
// do after editing a record: recompute every hash after it, and the head,
// so the chain is internally consistent again.
func recomputeChain(t *testing.T, g *gorm.DB) {
	t.Helper()
	var recs []audit.Record
	if err := g.Where("seq IS NOT NULL").Order("seq").Find(&recs).Error; err != nil {
		t.Fatal(err)
	}
	prev := ""
	for _, r := range recs {
		if r.LeafHash != "" {
			r.LeafHash = audit.LeafHash(r)
		}
		r.PrevHash = prev
		r.Hash = audit.HashOf(r)
		if err := g.Exec("UPDATE audit_records SET leaf_hash = ?, prev_hash = ?, hash = ? WHERE leaf_id = ?", r.LeafHash, r.PrevHash, r.Hash, r.LeafID).Error; err != nil {
			t.Fatal(err)
		}
		prev = r.Hash
	}
	if err := g.Exec("UPDATE audit_chains SET seq = ?, hash = ? WHERE id = 1", len(recs), prev).Error; err != nil {
		t.Fatal(err)
	}
}

// writeLegacyChain writes records the way the trail did before migration
// 0060: one hash over sequence number, content and previous hash, and the
// audit_chains head.
func writeLegacyChain(t *testing.T, g *gorm.DB, n int) {
	t.Helper()
	prev := ""
	at := time.Now().UTC().Truncate(time.Millisecond)
	for i := 1; i <= n; i++ {
		r := audit.Record{LeafID: uint64(i), Seq: uint64(i), At: at, ActorName: "agent", Action: "update", Entity: "ticket",
			EntityID: fmt.Sprint(i), After: `{"status":"assigned"}`, PrevHash: prev}
		r.Hash = audit.HashOf(r)
		if err := g.Create(&r).Error; err != nil {
			t.Fatal(err)
		}
		prev = r.Hash
	}
	if err := g.Exec("DELETE FROM audit_chains").Error; err != nil {
		t.Fatal(err)
	}
	if err := g.Exec("INSERT INTO audit_chains (id, seq, hash, leaf_watermark) VALUES (1, ?, ?, ?)", n, prev, n).Error; err != nil {
		t.Fatal(err)
	}
}

// The first tamper test: edit a record and recompute every hash in
// the database. Done to the old chain (no checkpoints), it verifies as
// intact; with signed checkpoints it is detected, and the database's
// checkpoints cannot be rewritten to match without the sink noticing.
func TestRecomputedChainIsDetectedByCheckpoints(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		// The old chain: the edit goes unnoticed.
		writeLegacyChain(t, g, 6)
		old := audit.New(nil)
		if res, err := old.Verify(context.Background(), g); err != nil || !res.OK || res.Checked != 6 {
			t.Fatalf("legacy chain: %+v %v", res, err)
		}
		g.Exec("UPDATE audit_records SET after = ? WHERE seq = 4", `{"status":"closed"}`)
		recomputeChain(t, g)
		if res, _ := old.Verify(context.Background(), g); !res.OK {
			t.Fatalf("the old chain should NOT have detected a recomputed edit (that is the flaw): %+v", res)
		}

		// The sequenced log with checkpoints.
		testutil.Truncate(g)
		f := newLog(t, g, nil)
		appendN(t, g, f.tr, 12)
		f.sequence(t) // checkpoint at 12
		appendN(t, g, f.tr, 3)
		f.sequence(t) // 15, below checkpoint_every: not checkpointed
		g.Exec("UPDATE audit_records SET after = ? WHERE seq = 7", `{"status":"closed"}`)
		recomputeChain(t, g)
		res := f.verify(t, g)
		if res.OK || res.BrokenAtSeq != 1 || !strings.Contains(res.Reason, "records 1–12 were altered and their hashes recomputed") {
			t.Fatalf("recomputed edit: %+v", res)
		}

		// The insider also rewrites the database's checkpoint: its signature fails.
		var r12 audit.Record
		g.Where("seq = 12").Take(&r12)
		g.Exec("UPDATE audit_checkpoints SET hash = ? WHERE seq = 12", r12.Hash)
		if res := f.verify(t, g); res.OK || !strings.Contains(res.Reason, "bad signature") {
			t.Fatalf("rewritten checkpoint: %+v", res)
		}
		// An insider holding the signing key re-signs it: the sink's copy differs.
		var cp audit.Checkpoint
		g.Where("seq = 12").Take(&cp)
		forged := audit.Checkpoint{Seq: 12, Hash: r12.Hash, At: cp.At, KeyID: cp.KeyID}
		forged.Signature = signB64(f.key, forged.Body())
		g.Exec("UPDATE audit_checkpoints SET signature = ? WHERE seq = 12", forged.Signature)
		if res := f.verify(t, g); res.OK || !strings.Contains(res.Reason, "differs between the database and the sink") {
			t.Fatalf("re-signed checkpoint: %+v", res)
		}
		// And removing it from the database is seen too.
		g.Exec("DELETE FROM audit_checkpoints WHERE seq = 12")
		if res := f.verify(t, g); res.OK || !strings.Contains(res.Reason, "removed from the database") {
			t.Fatalf("removed checkpoint: %+v", res)
		}
	})
}

// The second tamper test: a leaf deleted before it is sequenced is
// recorded as a gap by the next round, before (and so inside) the next
// checkpoint, and verify names it.
func TestDeletedUnsequencedLeafIsDetected(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		if g.Dialector.Name() == "mysql" {
			var step int64
			g.Raw("SELECT @@auto_increment_increment").Scan(&step)
			if step > 1 {
				t.Skip("auto_increment_increment > 1 (Galera): leaf-id gap detection is off there (docs/audit.md)")
			}
		}
		f := newLog(t, g, func(o *audit.SequencerOptions) { o.CheckpointEvery = 1 })
		appendN(t, g, f.tr, 2)
		f.sequence(t)
		appendN(t, g, f.tr, 3)
		var victim audit.Record
		if err := g.Where("seq IS NULL").Order("leaf_id").Offset(1).Take(&victim).Error; err != nil {
			t.Fatal(err)
		}
		if err := g.Exec("DELETE FROM audit_records WHERE leaf_id = ?", victim.LeafID).Error; err != nil {
			t.Fatal(err)
		}
		r := f.sequence(t)
		if r.Sequenced != 2 || r.Gaps != 1 || r.Checkpoint == nil || r.Checkpoint.Seq != r.Head {
			t.Fatalf("round after the deletion: %+v", r)
		}
		var gap audit.Record
		if err := g.Where("action = ? AND entity = ?", audit.GapAction, audit.GapEntity).Take(&gap).Error; err != nil {
			t.Fatal(err)
		}
		if gap.EntityID != fmt.Sprint(victim.LeafID) || gap.Seq > r.Checkpoint.Seq {
			t.Fatalf("gap record %+v, checkpoint %+v", gap, r.Checkpoint)
		}
		res := f.verify(t, g)
		if len(res.Gaps) != 1 || !strings.Contains(res.Gaps[0], fmt.Sprintf("leaf ids %d never integrated", victim.LeafID)) {
			t.Fatalf("verify does not name the deleted leaf: %+v", res)
		}
		// A leaf that only looked deleted (its transaction committed after
		// the grace) is sequenced when it appears, and verify says so.
		victim.Seq, victim.PrevHash, victim.Hash = 0, "", ""
		if err := g.Omit("seq", "prev_hash", "hash").Create(&victim).Error; err != nil {
			t.Fatal(err)
		}
		if r := f.sequence(t); r.Sequenced != 1 {
			t.Fatalf("late leaf: %+v", r)
		}
		res = f.verify(t, g)
		if !res.OK || len(res.Gaps) != 1 || !strings.Contains(res.Gaps[0], "committed later") {
			t.Fatalf("late leaf after a gap: %+v", res)
		}
		// The gap record itself is now protected like any other record.
		g.Exec("DELETE FROM audit_records WHERE leaf_id = ?", gap.LeafID)
		if res := f.verify(t, g); res.OK {
			t.Fatalf("deleting the gap record went unnoticed: %+v", res)
		}
	})
}

func TestStaleLeavesAreNamed(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		f := newLog(t, g, nil)
		appendN(t, g, f.tr, 2)
		var first audit.Record
		g.Order("leaf_id").Take(&first)
		g.Exec("UPDATE audit_records SET at = ? WHERE leaf_id = ?", time.Now().UTC().Add(-11*time.Second), first.LeafID)
		res := f.verify(t, g)
		if res.OK || len(res.StaleLeaves) != 1 || res.StaleLeaves[0] != first.LeafID || !strings.Contains(res.Reason, "sequencer running") {
			t.Fatalf("stale leaf: %+v", res)
		}
	})
}

func TestConcurrentAppendsWhileSequencing(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		f := newLog(t, g, func(o *audit.SequencerOptions) { o.Interval = 5 * time.Millisecond; o.GapGrace = 0 })
		f.seq.Start()
		var wg sync.WaitGroup
		errs := make(chan error, 80)
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 10; i++ {
					errs <- g.Transaction(func(tx *gorm.DB) error {
						return f.tr.Record(context.Background(), tx, audit.Entry{Action: "create", Entity: "x", EntityID: "1"})
					})
				}
			}()
		}
		wg.Wait()
		f.seq.Stop()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if res := f.verify(t, g); !res.OK || res.Checked != 80 || res.Unsequenced != 0 {
			t.Fatalf("%+v", res)
		}
	})
}
