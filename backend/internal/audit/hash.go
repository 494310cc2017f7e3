package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"strconv"
)

// Hashes are SHA-256 over length-prefixed parts ("<len>:<bytes>"), so no
// two different field lists hash alike.

func writeParts(h hash.Hash, parts ...string) {
	for _, part := range parts {
		h.Write([]byte(strconv.Itoa(len(part))))
		h.Write([]byte{':'})
		h.Write([]byte(part))
	}
}

func actorIDString(r Record) string {
	if r.ActorID == nil {
		return ""
	}
	return strconv.FormatUint(*r.ActorID, 10)
}

const timeFormat = "2006-01-02T15:04:05.000Z"

// LeafHash is a leaf's content hash: every field a business transaction
// writes, nothing the sequencer assigns.
func LeafHash(r Record) string {
	h := sha256.New()
	writeParts(h, "leaf-v1", r.At.UTC().Format(timeFormat), actorIDString(r), r.ActorName,
		r.Action, r.Entity, r.EntityID, r.Before, r.After, r.RequestID, r.IP)
	return hex.EncodeToString(h.Sum(nil))
}

// ChainHash links a sequenced leaf to its predecessor: it covers the
// sequence number, the leaf's content hash and the previous chain hash.
func ChainHash(seq uint64, leafHash, prevHash string) string {
	h := sha256.New()
	writeParts(h, "chain-v1", strconv.FormatUint(seq, 10), leafHash, prevHash)
	return hex.EncodeToString(h.Sum(nil))
}

// HashOf computes a record's chain hash. Records written before migration
// 0060 (empty LeafHash) keep the original scheme: one hash over the
// sequence number, the content and the previous hash.
func HashOf(r Record) string {
	if r.LeafHash != "" {
		return ChainHash(r.Seq, r.LeafHash, r.PrevHash)
	}
	h := sha256.New()
	writeParts(h, strconv.FormatUint(r.Seq, 10), r.At.UTC().Format(timeFormat), actorIDString(r), r.ActorName,
		r.Action, r.Entity, r.EntityID, r.Before, r.After, r.RequestID, r.IP, r.PrevHash)
	return hex.EncodeToString(h.Sum(nil))
}
