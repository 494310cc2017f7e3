package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"unicode/utf8"
)

// The trail never stores an unbounded string: whatever a caller passes
// (a 30-million-character "username" from the login form included), each
// field is cut to its column's size here, in the one place every record
// goes through.
const (
	// MaxShortField is the size of actor, action, entity, entity id,
	// request id and IP (characters).
	MaxShortField = 64
	// MaxSnapshotBytes bounds a before/after snapshot. A larger one is
	// replaced by a small JSON object with its size, its SHA-256 and its
	// beginning, so the record still proves what was there.
	MaxSnapshotBytes = 256 << 10
	snapshotHead     = 4 << 10
)

// boundShort cuts s to MaxShortField characters. A cut value ends in "…"
// and 8 hex digits of the whole value's SHA-256, so two long values that
// share a beginning stay distinguishable.
func boundShort(s string) string {
	if utf8.RuneCountInString(s) <= MaxShortField && utf8.ValidString(s) {
		return s
	}
	sum := sha256.Sum256([]byte(s))
	tail := "…" + hex.EncodeToString(sum[:4])
	return cutRunes(s, MaxShortField-utf8.RuneCountInString(tail)) + tail
}

// boundSnapshot keeps a snapshot up to MaxSnapshotBytes and summarises a larger one.
func boundSnapshot(s string) string {
	if len(s) <= MaxSnapshotBytes {
		return s
	}
	sum := sha256.Sum256([]byte(s))
	b, _ := json.Marshal(map[string]any{"_truncated": true, "bytes": len(s), "sha256": hex.EncodeToString(sum[:]), "head": cutRunes(s, snapshotHead)})
	return string(b)
}

// cutRunes returns at most n characters of s, as valid UTF-8.
func cutRunes(s string, n int) string {
	out := make([]rune, 0, n)
	for _, r := range s {
		if len(out) == n {
			break
		}
		out = append(out, r)
	}
	return string(out)
}
