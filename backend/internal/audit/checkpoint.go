package audit

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Checkpoint is a signed statement of the log's head: "record Seq has chain
// hash Hash", at time At, signed by the key KeyID. It is stored in
// audit_checkpoints and appended to the external sink.
type Checkpoint struct {
	Seq        uint64     `gorm:"primaryKey;autoIncrement:false" json:"seq"`
	Hash       string     `json:"hash"`
	At         time.Time  `json:"at"`
	KeyID      string     `json:"key_id"`
	Signature  string     `json:"signature"` // base64 ed25519 over Body()
	ExportedAt *time.Time `json:"-"`         // when the sink acknowledged it
}

// TableName pins the table created by migration 0060.
func (Checkpoint) TableName() string { return "audit_checkpoints" }

// Body is the signed text.
func (c Checkpoint) Body() []byte {
	return fmt.Appendf(nil, "aftersales audit checkpoint v1\n%d\n%s\n%s\n", c.Seq, c.Hash, c.At.UTC().Format(timeFormat))
}

// same reports whether two copies of a checkpoint agree in every signed part.
func (c Checkpoint) same(o Checkpoint) bool {
	return c.Seq == o.Seq && c.Hash == o.Hash && c.At.Equal(o.At) && c.KeyID == o.KeyID && c.Signature == o.Signature
}

// KeyID names a public key: the first 16 hex digits of its SHA-256.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

type trustedKey struct {
	id  string
	pub ed25519.PublicKey
}

func (t *Trail) verifySignature(c Checkpoint) error {
	sig, err := base64.StdEncoding.DecodeString(c.Signature)
	if err != nil {
		return fmt.Errorf("checkpoint %d: signature is not base64", c.Seq)
	}
	for _, k := range t.keys {
		if k.id == c.KeyID {
			if !ed25519.Verify(k.pub, c.Body(), sig) {
				return fmt.Errorf("checkpoint %d: bad signature", c.Seq)
			}
			return nil
		}
	}
	return fmt.Errorf("checkpoint %d: signed by unknown key %s", c.Seq, c.KeyID)
}

func sign(key ed25519.PrivateKey, seq uint64, hash string, at time.Time) Checkpoint {
	c := Checkpoint{Seq: seq, Hash: hash, At: at.UTC().Truncate(time.Millisecond), KeyID: KeyID(key.Public().(ed25519.PublicKey))}
	c.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(key, c.Body()))
	return c
}

// ParseKey reads a private key given as base64 of its 32-byte seed or of
// the 64-byte private key.
func ParseKey(s string) (ed25519.PrivateKey, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, errors.New("audit signing key: not base64")
	}
	switch len(b) {
	case ed25519.SeedSize:
		return ed25519.NewKeyFromSeed(b), nil
	case ed25519.PrivateKeySize:
		return ed25519.NewKeyFromSeed(b[:ed25519.SeedSize]), nil
	}
	return nil, fmt.Errorf("audit signing key: %d bytes, want a 32-byte ed25519 seed", len(b))
}

// ParsePublicKey reads a base64 ed25519 public key.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, errors.New("audit public key: want base64 of 32 bytes")
	}
	return ed25519.PublicKey(b), nil
}

// LoadOrCreateKey reads the key file at path (base64 seed), creating it
// with a fresh key (mode 0600) when it does not exist. created reports
// whether this call generated it. Two processes starting together agree
// on one key (O_EXCL).
func LoadOrCreateKey(path string) (key ed25519.PrivateKey, created bool, err error) {
	for attempt := 0; attempt < 3; attempt++ {
		b, err := os.ReadFile(path)
		if err == nil && len(bytes.TrimSpace(b)) > 0 {
			k, err := ParseKey(string(b))
			return k, false, err
		}
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, false, fmt.Errorf("audit signing key: %w", err)
		}
		if err == nil { // empty: a concurrent creator is writing it
			time.Sleep(50 * time.Millisecond)
			continue
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, false, fmt.Errorf("audit signing key: %w", err)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		if err != nil {
			return nil, false, fmt.Errorf("audit signing key: %w", err)
		}
		seed := make([]byte, ed25519.SeedSize)
		if _, err := rand.Read(seed); err != nil {
			f.Close()
			return nil, false, err
		}
		_, werr := f.WriteString(base64.StdEncoding.EncodeToString(seed) + "\n")
		if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
			return nil, false, fmt.Errorf("audit signing key: %w", err)
		}
		return ed25519.NewKeyFromSeed(seed), true, nil
	}
	return nil, false, fmt.Errorf("audit signing key: %s stays empty", path)
}

// Sink is the external, append-only copy of the checkpoints.
type Sink interface {
	Append(ctx context.Context, cps []Checkpoint) error
	Read(ctx context.Context) ([]Checkpoint, error)
	String() string
}

// OpenSink returns the sink named by spec: an http(s) URL, or a file path
// (optionally prefixed "file:").
func OpenSink(spec string) (Sink, error) {
	switch {
	case strings.HasPrefix(spec, "http://") || strings.HasPrefix(spec, "https://"):
		return &HTTPSink{URL: spec, Client: &http.Client{Timeout: 10 * time.Second}}, nil
	case spec == "":
		return nil, errors.New("audit checkpoint sink: empty")
	}
	return &FileSink{Path: strings.TrimPrefix(spec, "file:")}, nil
}

// FileSink appends one JSON line per checkpoint to a file (put it on
// another volume or a write-once mount than the database).
type FileSink struct{ Path string }

func (s *FileSink) String() string { return "file:" + s.Path }

// Append writes the checkpoints and fsyncs.
func (s *FileSink) Append(_ context.Context, cps []Checkpoint) error {
	if err := os.MkdirAll(filepath.Dir(s.Path), 0o700); err != nil {
		return fmt.Errorf("audit sink: %w", err)
	}
	f, err := os.OpenFile(s.Path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("audit sink: %w", err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, c := range cps {
		if err := enc.Encode(c); err != nil {
			f.Close()
			return err
		}
	}
	_, werr := f.Write(buf.Bytes())
	if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
		return fmt.Errorf("audit sink: %w", err)
	}
	return nil
}

// Read returns every checkpoint in the file (none when it does not exist).
func (s *FileSink) Read(_ context.Context) ([]Checkpoint, error) {
	f, err := os.Open(s.Path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("audit sink: %w", err)
	}
	defer f.Close()
	return readLines(f)
}

func readLines(r io.Reader) ([]Checkpoint, error) {
	var out []Checkpoint
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var c Checkpoint
		if err := json.Unmarshal(line, &c); err != nil {
			return nil, fmt.Errorf("audit sink: line %d: %w", n, err)
		}
		out = append(out, c)
	}
	return out, sc.Err()
}

// HTTPSink POSTs each batch of checkpoints as JSON lines
// (application/x-ndjson) to URL and reads them back with GET URL, which must
// answer every checkpoint it holds as JSON lines.
type HTTPSink struct {
	URL    string
	Client *http.Client
}

func (s *HTTPSink) String() string { return s.URL }

// Append POSTs the checkpoints; any answer but 2xx is an error.
func (s *HTTPSink) Append(ctx context.Context, cps []Checkpoint) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, c := range cps {
		if err := enc.Encode(c); err != nil {
			return err
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, &buf)
	if err != nil {
		return fmt.Errorf("audit sink: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	resp, err := s.Client.Do(req)
	if err != nil {
		return fmt.Errorf("audit sink: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("audit sink: POST %s: %s", s.URL, resp.Status)
	}
	return nil
}

// Read GETs every checkpoint the endpoint holds.
func (s *HTTPSink) Read(ctx context.Context) ([]Checkpoint, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("audit sink: %w", err)
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("audit sink: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("audit sink: GET %s: %s", s.URL, resp.Status)
	}
	return readLines(resp.Body)
}
