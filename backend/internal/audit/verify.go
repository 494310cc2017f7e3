package audit

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"sort"
	"time"

	"gorm.io/gorm"
)

// TrailOptions configures what Verify trusts.
type TrailOptions struct {
	// Keys are the public keys whose checkpoint signatures are accepted
	// (the signing key's own, plus retired ones after a rotation).
	Keys []ed25519.PublicKey
	// Sink is the external copy of the checkpoints (nil: not compared).
	Sink Sink
	// StaleAfter: an unsequenced leaf older than this fails verification
	// (default 10 s).
	StaleAfter time.Duration
}

// Configure sets the keys, the sink and the staleness bound.
func (t *Trail) Configure(o TrailOptions) {
	t.keys = nil
	for _, k := range o.Keys {
		t.keys = append(t.keys, trustedKey{id: KeyID(k), pub: k})
	}
	t.sink = o.Sink
	if o.StaleAfter > 0 {
		t.stale = o.StaleAfter
	}
}

// VerifyResult reports the outcome of a verification.
type VerifyResult struct {
	Checked     uint64 `json:"checked"` // sequenced records whose hashes were checked
	OK          bool   `json:"ok"`
	BrokenAtSeq uint64 `json:"broken_at_seq,omitempty"`
	Reason      string `json:"reason,omitempty"`
	// Checkpoints verified (signature, sink copy, chain hash).
	Checkpoints    int    `json:"checkpoints"`
	LastCheckpoint uint64 `json:"last_checkpoint_seq,omitempty"`
	Sink           string `json:"sink,omitempty"`
	// Unsequenced leaves now; StaleLeaves those older than the bound.
	Unsequenced int64    `json:"unsequenced"`
	StaleLeaves []uint64 `json:"stale_leaves,omitempty"`
	// Gaps are leaf ids the sequencer recorded as never integrated.
	Gaps []string `json:"gaps,omitempty"`
}

func (r VerifyResult) broken(seq uint64, format string, args ...any) VerifyResult {
	r.OK, r.BrokenAtSeq, r.Reason = false, seq, fmt.Sprintf(format, args...)
	return r
}

// Verify checks, in order: every sequenced record's content hash and chain
// link (naming the first altered or removed record); every checkpoint's
// signature, in the database and in the sink; that the two sets of
// checkpoints agree; that the chain still has, at each checkpoint, the hash
// that was signed (an edit whose hashes were all recomputed fails here);
// and that no leaf has waited longer than the bound to be sequenced.
func (t *Trail) Verify(ctx context.Context, db *gorm.DB) (VerifyResult, error) {
	var res VerifyResult
	db = db.WithContext(ctx)
	// Sink, then database checkpoints, then the head: each is written
	// after the one that follows it, so a concurrent sequencer cannot make
	// a consistent log look truncated.
	var sinkCPs []Checkpoint
	if t.sink != nil {
		res.Sink = t.sink.String()
		var err error
		if sinkCPs, err = t.sink.Read(ctx); err != nil {
			return res, fmt.Errorf("audit verify: %w", err)
		}
	}
	var dbCPs []Checkpoint
	if err := db.Order("seq").Find(&dbCPs).Error; err != nil {
		return res, fmt.Errorf("audit verify: checkpoints: %w", err)
	}
	var head chainHead
	if err := db.Where("id = 1").Take(&head).Error; err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return res, fmt.Errorf("audit verify: head: %w", err)
	}
	want := map[uint64]bool{head.Seq: true}
	for _, c := range dbCPs {
		want[c.Seq] = true
	}
	for _, c := range sinkCPs {
		want[c.Seq] = true
	}
	hashAt := map[uint64]string{0: ""}

	// 1. The chain.
	var gapRecs []Record
	prevHash := ""
	var expectSeq uint64 = 1
	newFormat := false
	for {
		var batch []Record
		if err := db.Where("seq >= ?", expectSeq).Order("seq").Limit(2000).Find(&batch).Error; err != nil {
			return res, fmt.Errorf("audit verify: read: %w", err)
		}
		if len(batch) == 0 {
			break
		}
		for _, r := range batch {
			switch {
			case r.Seq != expectSeq:
				return res.broken(expectSeq, "record %d is missing (next present is %d)", expectSeq, r.Seq), nil
			case r.PrevHash != prevHash:
				return res.broken(r.Seq, "record %d does not link to record %d", r.Seq, r.Seq-1), nil
			case r.LeafHash != "" && LeafHash(r) != r.LeafHash:
				return res.broken(r.Seq, "record %d was altered (content does not match its leaf hash)", r.Seq), nil
			case r.LeafHash == "" && newFormat:
				return res.broken(r.Seq, "record %d was altered (leaf hash removed)", r.Seq), nil
			case HashOf(r) != r.Hash:
				return res.broken(r.Seq, "record %d was altered (hash mismatch)", r.Seq), nil
			}
			newFormat = newFormat || r.LeafHash != ""
			if r.Action == GapAction && r.Entity == GapEntity && r.ActorName == "audit-sequencer" {
				gapRecs = append(gapRecs, r)
			}
			if want[r.Seq] {
				hashAt[r.Seq] = r.Hash
			}
			prevHash = r.Hash
			expectSeq++
			res.Checked++
		}
	}
	for _, r := range gapRecs {
		g, err := describeGap(db, r)
		if err != nil {
			return res, err
		}
		res.Gaps = append(res.Gaps, g)
	}
	if res.Checked < head.Seq || hashAt[head.Seq] != head.Hash {
		return res.broken(res.Checked+1, "chain head says %d records but %d are present: trailing records were removed", head.Seq, res.Checked), nil
	}

	// 2. Checkpoints: signatures, the sink's copy, the signed hashes.
	if len(dbCPs)+len(sinkCPs) > 0 && len(t.keys) == 0 {
		return res.broken(0, "no trusted public key is configured to check %d checkpoints", max(len(dbCPs), len(sinkCPs))), nil
	}
	for _, c := range dbCPs {
		if err := t.verifySignature(c); err != nil {
			return res.broken(c.Seq, "database %v", err), nil
		}
	}
	bySeq := map[uint64]Checkpoint{}
	for _, c := range dbCPs {
		bySeq[c.Seq] = c
	}
	inSink := map[uint64]bool{}
	for _, c := range sinkCPs {
		if err := t.verifySignature(c); err != nil {
			return res.broken(c.Seq, "sink %v", err), nil
		}
		inSink[c.Seq] = true
		d, ok := bySeq[c.Seq]
		if !ok {
			return res.broken(c.Seq, "checkpoint %d is in the sink but was removed from the database", c.Seq), nil
		}
		if !d.same(c) {
			return res.broken(c.Seq, "checkpoint %d differs between the database and the sink", c.Seq), nil
		}
	}
	now := t.now().UTC()
	if t.sink != nil {
		for _, c := range dbCPs {
			if inSink[c.Seq] {
				continue
			}
			if c.ExportedAt != nil || now.Sub(c.At) > t.stale {
				return res.broken(c.Seq, "checkpoint %d is not in the external sink %s", c.Seq, t.sink), nil
			}
		}
	}
	all := append(append([]Checkpoint{}, sinkCPs...), dbCPs...)
	sort.Slice(all, func(i, j int) bool { return all[i].Seq < all[j].Seq })
	var prevCP uint64
	for _, c := range all {
		h, ok := hashAt[c.Seq]
		if !ok {
			return res.broken(res.Checked+1, "checkpoint %d signed %d records but only %d are present: records were removed", c.Seq, c.Seq, res.Checked), nil
		}
		if h != c.Hash {
			return res.broken(prevCP+1, "records %d–%d were altered and their hashes recomputed: record %d no longer has the hash signed in checkpoint %d",
				prevCP+1, c.Seq, c.Seq, c.Seq), nil
		}
		prevCP = c.Seq
		res.LastCheckpoint = c.Seq
	}
	res.Checkpoints = len(dbCPs)

	// 3. Leaves waiting too long for the sequencer.
	if err := db.Model(&Record{}).Where("seq IS NULL").Count(&res.Unsequenced).Error; err != nil {
		return res, fmt.Errorf("audit verify: unsequenced: %w", err)
	}
	if res.Unsequenced > 0 {
		if err := db.Model(&Record{}).Where("seq IS NULL AND at < ?", now.Add(-t.stale)).Order("leaf_id").Limit(20).
			Pluck("leaf_id", &res.StaleLeaves).Error; err != nil {
			return res, fmt.Errorf("audit verify: stale leaves: %w", err)
		}
		if len(res.StaleLeaves) > 0 {
			return res.broken(0, "leaf %d (and %d more) waited more than %s to be sequenced: is the sequencer running?",
				res.StaleLeaves[0], len(res.StaleLeaves)-1, t.stale), nil
		}
	}
	res.OK = true
	return res, nil
}

// describeGap words a gap record; leaf ids of the gap that exist after all
// belong to a transaction that committed after the grace (a slow writer,
// not a deletion).
func describeGap(db *gorm.DB, r Record) (string, error) {
	var from, to uint64
	if n, _ := fmt.Sscanf(r.EntityID, "%d-%d", &from, &to); n == 1 {
		to = from
	} else if n != 2 {
		return fmt.Sprintf("gap record %d names no leaf ids (%q)", r.Seq, r.EntityID), nil
	}
	var late []uint64
	if err := db.Model(&Record{}).Where("leaf_id BETWEEN ? AND ?", from, to).Order("leaf_id").Limit(20).Pluck("leaf_id", &late).Error; err != nil {
		return "", fmt.Errorf("audit verify: gap %s: %w", r.EntityID, err)
	}
	msg := fmt.Sprintf("leaf ids %s never integrated (record %d, %s): rolled back, or deleted before sequencing", r.EntityID, r.Seq, r.At.UTC().Format(time.RFC3339))
	if len(late) > 0 {
		msg += fmt.Sprintf("; leaf ids %v of it committed later and were sequenced (a slow transaction, not a deletion)", late)
	}
	return msg, nil
}
