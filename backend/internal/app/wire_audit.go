package app

import (
	"crypto/ed25519"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/scheduler"
)

// wireAudit builds the trail (with the keys and sink Verify trusts) and the
// sequencer (not started). The signing key comes from audit.signing_key,
// else audit.signing_key_file, else <data dir>/audit-signing.key, generated
// on first start (logged at warn: back it up, or configure one).
func (a *App) wireAudit(leases *scheduler.Scheduler) error {
	c := a.Cfg.Audit
	var key ed25519.PrivateKey
	var err error
	switch {
	case c.SigningKey != "":
		if key, err = audit.ParseKey(c.SigningKey); err != nil {
			return err
		}
	default:
		path := c.SigningKeyFile
		if path == "" {
			path = filepath.Join(a.Cfg.DataDir(), "audit-signing.key")
		}
		var created bool
		if key, created, err = audit.LoadOrCreateKey(path); err != nil {
			return err
		}
		if created {
			a.Log.Warn("audit: generated a checkpoint signing key; back it up, or set audit.signing_key_file to a key every instance shares",
				"path", path, "key_id", audit.KeyID(key.Public().(ed25519.PublicKey)))
		}
	}
	keys := []ed25519.PublicKey{key.Public().(ed25519.PublicKey)}
	for _, s := range strings.Split(c.VerifyKeys, ",") {
		if strings.TrimSpace(s) == "" {
			continue
		}
		pub, err := audit.ParsePublicKey(s)
		if err != nil {
			return fmt.Errorf("audit.verify_keys: %w", err)
		}
		keys = append(keys, pub)
	}
	spec := c.CheckpointSink
	if spec == "" {
		spec = filepath.Join(a.Cfg.DataDir(), "audit-checkpoints.log")
	}
	sink, err := audit.OpenSink(spec)
	if err != nil {
		return err
	}
	a.Audit = audit.New(nil)
	a.Audit.Configure(audit.TrailOptions{Keys: keys, Sink: sink, StaleAfter: c.StaleAfter})
	a.Sequencer = audit.NewSequencer(audit.SequencerOptions{DB: a.DB, Leases: leases, Key: key, Sink: sink,
		Interval: c.SequencerInterval, LeaseTTL: c.SequencerLease, CheckpointEvery: c.CheckpointEvery,
		CheckpointInterval: c.CheckpointInterval, GapGrace: c.GapGrace, Log: a.Log})
	return nil
}
