package audit_test

import (
	"bytes"
	"crypto/ed25519"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/migrations"
	"github.com/aftersales/aftersales/backend/internal/scheduler"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

// One sequencer at a time: a second instance waits for the lease and takes
// over when the first stops (or its lease lapses).
func TestSequencerLeaseAndTakeover(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		a := newLog(t, g, func(o *audit.SequencerOptions) { o.Leases = scheduler.New(g, time.Minute, log) })
		b := newLog(t, g, func(o *audit.SequencerOptions) {
			o.Leases = scheduler.New(g, time.Minute, log)
			o.Key, o.Sink = a.key, a.sink
		})
		appendN(t, g, a.tr, 2)
		if r := a.sequence(t); !r.Held || r.Sequenced != 2 {
			t.Fatalf("a: %+v", r)
		}
		appendN(t, g, a.tr, 2)
		if r := b.sequence(t); r.Held || r.Sequenced != 0 {
			t.Fatalf("b ran while a holds the lease: %+v", r)
		}
		a.seq.Stop() // final round, then the lease is released
		appendN(t, g, a.tr, 1)
		if r := b.sequence(t); !r.Held || r.Sequenced != 1 || r.Head != 5 {
			t.Fatalf("b did not take over: %+v", r)
		}
		if res := a.verify(t, g); !res.OK || res.Checked != 5 {
			t.Fatalf("%+v", res)
		}
		// A crashed holder: its lease lapses after the TTL.
		c := newLog(t, g, func(o *audit.SequencerOptions) {
			o.Leases = scheduler.New(g, time.Minute, log)
			o.Key, o.Sink, o.LeaseTTL = a.key, a.sink, time.Second
		})
		g.Exec("UPDATE job_locks SET locked_until = ? WHERE name = ?", time.Now().UTC().Add(-time.Millisecond), audit.LeaseName)
		if r := c.sequence(t); !r.Held {
			t.Fatalf("c could not take a lapsed lease: %+v", r)
		}
	})
}

// The sink may be an HTTP endpoint: POST appends JSON lines, GET returns them.
func TestHTTPSink(t *testing.T) {
	var mu sync.Mutex
	var stored bytes.Buffer
	var posts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.Method == http.MethodPost {
			posts.Add(1)
			_, _ = io.Copy(&stored, r.Body)
			return
		}
		_, _ = w.Write(stored.Bytes())
	}))
	defer srv.Close()
	g := testutil.SQLiteDB(t)
	sink, err := audit.OpenSink(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	f := newLog(t, g, func(o *audit.SequencerOptions) { o.Sink = sink })
	f.tr.Configure(audit.TrailOptions{Keys: []ed25519.PublicKey{f.key.Public().(ed25519.PublicKey)}, Sink: sink})
	appendN(t, g, f.tr, 7)
	f.sequence(t)
	if res := f.verify(t, g); !res.OK || res.Checkpoints != 1 || posts.Load() != 1 || res.Sink != srv.URL {
		t.Fatalf("%+v posts=%d", res, posts.Load())
	}
	mu.Lock()
	stored.Reset() // the endpoint lost them
	mu.Unlock()
	if res := f.verify(t, g); res.OK {
		t.Fatalf("checkpoints missing from the sink went unnoticed: %+v", res)
	}
}

// A database written by the old trail migrates forward: its chain becomes
// the first checkpointed segment and new leaves continue it.
func TestLegacyChainMigratesForward(t *testing.T) {
	for _, driver := range []string{testutil.SQLite, testutil.MySQL} {
		t.Run(driver, func(t *testing.T) {
			var g *gorm.DB
			if driver == testutil.SQLite {
				g = testutil.SQLiteDBAt(t, "0030_pii_access_log")
			} else {
				g = mysqlAt(t, "0030_pii_access_log")
			}
			// The old code's records: seq primary key, no leaf columns.
			prev := ""
			at := time.Now().UTC().Truncate(time.Millisecond)
			for i := uint64(1); i <= 4; i++ {
				r := audit.Record{Seq: i, At: at, ActorName: "old", Action: "create", Entity: "ticket", EntityID: "1", After: "{}", PrevHash: prev}
				r.Hash = audit.HashOf(r)
				if err := g.Exec("INSERT INTO audit_records (seq, at, actor_name, action, entity, entity_id, `before`, `after`, request_id, ip, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
					r.Seq, r.At, r.ActorName, r.Action, r.Entity, r.EntityID, "", r.After, "", "", r.PrevHash, r.Hash).Error; err != nil {
					t.Fatal(err)
				}
				prev = r.Hash
			}
			if err := g.Exec("INSERT INTO audit_chains (id, seq, hash) VALUES (1, 4, ?)", prev).Error; err != nil {
				t.Fatal(err)
			}
			if err := migrations.Migrate(g); err != nil {
				t.Fatal(err)
			}
			if err := migrations.Migrate(g); err != nil {
				t.Fatal(err)
			}
			f := newLog(t, g, func(o *audit.SequencerOptions) { o.CheckpointEvery = 1000 })
			r := f.sequence(t)
			if r.Checkpoint == nil || r.Checkpoint.Seq != 4 || r.Checkpoint.Hash != prev || r.Gaps != 0 {
				t.Fatalf("the old chain is not the first checkpointed segment: %+v", r)
			}
			appendN(t, g, f.tr, 3)
			if r := f.sequence(t); r.Sequenced != 3 || r.Head != 7 || r.Gaps != 0 {
				t.Fatalf("new leaves after the old chain: %+v", r)
			}
			if res := f.verify(t, g); !res.OK || res.Checked != 7 {
				t.Fatalf("%+v", res)
			}
			g.Exec("UPDATE audit_records SET entity_id = '2' WHERE seq = 2")
			if res := f.verify(t, g); res.OK || res.BrokenAtSeq != 2 {
				t.Fatalf("edit in the old segment: %+v", res)
			}
		})
	}
}

func mysqlAt(t *testing.T, id string) *gorm.DB {
	t.Helper()
	g := testutil.Open(t, testutil.MySQL) // skips (or fails under REQUIRE_MYSQL) without MySQL
	_ = g
	name, err := testutil.CreateMySQLDatabase(mysqlDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	og, err := openMySQL(testutil.WithDatabase(mysqlDSN(t), name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		og.Exec("DROP DATABASE " + name)
		if s, err := og.DB(); err == nil {
			_ = s.Close()
		}
	})
	if err := migrations.MigrateTo(og, id); err != nil {
		t.Fatal(err)
	}
	return og
}
