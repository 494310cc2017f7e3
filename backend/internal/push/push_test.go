package push_test

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	webpush "github.com/SherClockHolmes/webpush-go"
	"golang.org/x/crypto/hkdf"
	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/push"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

var b64 = base64.RawURLEncoding

// browser is what a browser keeps of its subscription: the private half of
// the p256dh key and the auth secret (RFC 8291 §2).
type browser struct {
	key  *ecdh.PrivateKey
	auth []byte
}

func newBrowser(t *testing.T) browser {
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	auth := make([]byte, 16)
	_, _ = rand.Read(auth)
	return browser{key: k, auth: auth}
}

func (b browser) p256dh() string { return b64.EncodeToString(b.key.PublicKey().Bytes()) }

// decrypt opens an aes128gcm body (RFC 8188 §2, keys per RFC 8291 §3.3-3.4)
// as the browser would, and returns the plaintext without its padding.
func (b browser) decrypt(t *testing.T, body []byte) []byte {
	t.Helper()
	if len(body) < 21 {
		t.Fatalf("body of %d bytes has no aes128gcm header", len(body))
	}
	salt, rs, idlen := body[:16], binary.BigEndian.Uint32(body[16:20]), int(body[20])
	if idlen != 65 {
		t.Fatalf("keyid length %d, want the 65-byte application server key", idlen)
	}
	asPublic, ciphertext := body[21:21+idlen], body[21+idlen:]
	if uint32(len(ciphertext)) > rs {
		t.Fatalf("one record of %d bytes exceeds rs %d", len(ciphertext), rs)
	}
	peer, err := ecdh.P256().NewPublicKey(asPublic)
	if err != nil {
		t.Fatalf("application server key: %v", err)
	}
	secret, err := b.key.ECDH(peer)
	if err != nil {
		t.Fatal(err)
	}
	expand := func(secret, salt, info []byte, n int) []byte {
		out := make([]byte, n)
		if _, err := io.ReadFull(hkdf.New(sha256.New, secret, salt, info), out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	keyInfo := append(append([]byte("WebPush: info\x00"), b.key.PublicKey().Bytes()...), asPublic...)
	ikm := expand(secret, b.auth, keyInfo, 32)
	cek := expand(ikm, salt, []byte("Content-Encoding: aes128gcm\x00"), 16)
	nonce := expand(ikm, salt, []byte("Content-Encoding: nonce\x00"), 12)
	block, err := aes.NewCipher(cek)
	if err != nil {
		t.Fatal(err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := gcm.Open(nil, nonce, ciphertext, nil)
	if err != nil {
		t.Fatalf("decrypt: %v", err)
	}
	// The last record ends with the delimiter 0x02 then zero padding.
	plain = []byte(strings.TrimRight(string(plain), "\x00"))
	if len(plain) == 0 || plain[len(plain)-1] != 2 {
		t.Fatalf("no last-record delimiter in %q", plain)
	}
	return plain[:len(plain)-1]
}

// verifyVAPID checks the Authorization header of RFC 8292: "vapid t=<JWT>,
// k=<public key>", the JWT signed ES256 with that key, aud the endpoint's
// origin, exp within 24 h, sub the operator's contact.
func verifyVAPID(t *testing.T, header, wantKey, origin string) {
	t.Helper()
	rest, ok := strings.CutPrefix(header, "vapid ")
	if !ok {
		t.Fatalf("Authorization %q is not the vapid scheme", header)
	}
	params := map[string]string{}
	for _, p := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		params[k] = v
	}
	if params["k"] != wantKey {
		t.Fatalf("k = %q, want the configured public key %q", params["k"], wantKey)
	}
	parts := strings.Split(params["t"], ".")
	if len(parts) != 3 {
		t.Fatalf("t is not a JWT: %q", params["t"])
	}
	var head struct{ Alg, Typ string }
	hb, _ := b64.DecodeString(parts[0])
	if err := json.Unmarshal(hb, &head); err != nil || head.Alg != "ES256" {
		t.Fatalf("JWT header %s: want alg ES256", hb)
	}
	pub, err := b64.DecodeString(params["k"])
	if err != nil || len(pub) != 65 {
		t.Fatalf("k is not an uncompressed P-256 point")
	}
	key, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), pub)
	if err != nil {
		t.Fatalf("k: %v", err)
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		t.Fatalf("ES256 signature must be 64 bytes r||s")
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if !ecdsa.Verify(key, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		t.Fatal("the VAPID JWT's signature does not verify with k")
	}
	var claims struct {
		Aud string `json:"aud"`
		Exp int64  `json:"exp"`
		Sub string `json:"sub"`
	}
	cb, _ := b64.DecodeString(parts[1])
	if err := json.Unmarshal(cb, &claims); err != nil {
		t.Fatal(err)
	}
	if claims.Aud != origin {
		t.Errorf("aud = %q, want the push service's origin %q", claims.Aud, origin)
	}
	now := time.Now().Unix()
	if claims.Exp <= now || claims.Exp > now+24*3600 {
		t.Errorf("exp %d not within 24 h of now %d", claims.Exp, now)
	}
	if claims.Sub != "mailto:ops@example.com" {
		t.Errorf("sub = %q, want mailto:ops@example.com", claims.Sub)
	}
}

// pushService is a local push service: /live/* accepts, /gone/* answers 410,
// /missing/* 404; every accepted request is checked and decrypted.
type pushService struct {
	mu       sync.Mutex
	srv      *httptest.Server
	browsers map[string]browser // path → the browser holding its keys
	got      []push.Message
}

func TestWebPushSignsWithVAPIDEncryptsThePayloadAndDropsExpiredSubscriptions(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		priv, pub, err := webpush.GenerateVAPIDKeys()
		if err != nil {
			t.Fatal(err)
		}
		ps := &pushService{browsers: map[string]browser{}}
		ps.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ps.mu.Lock()
			defer ps.mu.Unlock()
			body, _ := io.ReadAll(r.Body)
			switch {
			case strings.HasPrefix(r.URL.Path, "/gone/"):
				w.WriteHeader(http.StatusGone)
				return
			case strings.HasPrefix(r.URL.Path, "/missing/"):
				w.WriteHeader(http.StatusNotFound)
				return
			}
			verifyVAPID(t, r.Header.Get("Authorization"), pub, ps.srv.URL)
			if ce := r.Header.Get("Content-Encoding"); ce != "aes128gcm" {
				t.Errorf("Content-Encoding %q, want aes128gcm", ce)
			}
			if r.Header.Get("TTL") != "3600" {
				t.Errorf("TTL %q, want 3600", r.Header.Get("TTL"))
			}
			var m push.Message
			if err := json.Unmarshal(ps.browsers[r.URL.Path].decrypt(t, body), &m); err != nil {
				t.Errorf("payload: %v", err)
			}
			ps.got = append(ps.got, m)
			w.WriteHeader(http.StatusCreated)
		}))
		defer ps.srv.Close()

		trail := audit.New(nil)
		svc := push.New(push.Options{DB: g, Audit: trail, VAPIDPublicKey: pub, VAPIDPrivateKey: priv,
			Subject: "mailto:ops@example.com", TTL: time.Hour, HTTPClient: ps.srv.Client()})
		ctx := context.Background()
		subscribe := func(user uint64, path string) {
			b := newBrowser(t)
			ps.browsers[path] = b
			if _, err := svc.Subscribe(ctx, user, push.Input{Endpoint: ps.srv.URL + path, P256dh: b.p256dh(), Auth: b64.EncodeToString(b.auth)}); err != nil {
				t.Fatalf("subscribe %s: %v", path, err)
			}
		}
		subscribe(7, "/live/phone")
		subscribe(7, "/gone/old-phone")
		subscribe(7, "/missing/tablet")
		subscribe(8, "/live/someone-else")

		msg := push.Message{ID: 41, Kind: "offer_waiting", Title: "新派工待接单：WO-1", Body: "剩 30 分钟", Link: "/m/offers", Unread: 3}
		res, err := svc.Send(ctx, 7, msg)
		if err != nil {
			t.Fatal(err)
		}
		if res.Sent != 1 || res.Expired != 2 || res.Failed != 0 {
			t.Fatalf("result %+v, want 1 sent and 2 expired", res)
		}
		if len(ps.got) != 1 || ps.got[0] != msg {
			t.Fatalf("the push service decrypted %+v, want exactly %+v", ps.got, msg)
		}
		if n, _ := svc.Count(ctx, 7); n != 1 {
			t.Fatalf("user 7 keeps %d subscriptions, want 1 (404 and 410 removed)", n)
		}
		if n, _ := svc.Count(ctx, 8); n != 1 {
			t.Fatalf("another user's subscription was touched")
		}
		var expired int64
		g.Table("audit_records").Where("entity = ? AND action = ?", "push_subscription", "expire").Count(&expired)
		if expired != 2 {
			t.Errorf("%d expiries audited, want 2", expired)
		}
		// Sending again reaches the live phone only.
		if res, _ := svc.Send(ctx, 7, msg); res.Sent != 1 || res.Expired != 0 {
			t.Fatalf("second send %+v", res)
		}
	})
}

func TestSubscribeRefusesWhatTheServerShouldNotPostTo(t *testing.T) {
	g := testutil.SQLiteDB(t)
	priv, pub, _ := webpush.GenerateVAPIDKeys()
	svc := push.New(push.Options{DB: g, Audit: audit.New(nil), VAPIDPublicKey: pub, VAPIDPrivateKey: priv})
	b := newBrowser(t)
	good := push.Input{Endpoint: "https://push.example.com/x", P256dh: b.p256dh(), Auth: b64.EncodeToString(b.auth)}
	for name, in := range map[string]push.Input{
		"http endpoint": {Endpoint: "http://127.0.0.1:6379/x", P256dh: good.P256dh, Auth: good.Auth},
		"file endpoint": {Endpoint: "file:///etc/passwd", P256dh: good.P256dh, Auth: good.Auth},
		"short p256dh":  {Endpoint: good.Endpoint, P256dh: "AAAA", Auth: good.Auth},
		"auth not 16 B": {Endpoint: good.Endpoint, P256dh: good.P256dh, Auth: "AAAA"},
	} {
		if _, err := svc.Subscribe(context.Background(), 1, in); !apperr.IsKind(err, apperr.KindInvalid) && !apperr.IsKind(err, apperr.KindValidation) {
			t.Errorf("%s: err %v, want a validation error", name, err)
		}
	}
	if _, err := svc.Subscribe(context.Background(), 1, good); err != nil {
		t.Fatal(err)
	}
	// The same browser subscribed by another user moves to that user.
	if _, err := svc.Subscribe(context.Background(), 2, good); err != nil {
		t.Fatal(err)
	}
	if n, _ := svc.Count(context.Background(), 1); n != 0 {
		t.Fatal("the endpoint stayed with its first user")
	}
	if err := svc.Unsubscribe(context.Background(), 1, good.Endpoint); !apperr.IsKind(err, apperr.KindNotFound) {
		t.Fatalf("another user's unsubscribe: %v, want not_found", err)
	}
	if err := svc.Unsubscribe(context.Background(), 2, good.Endpoint); err != nil {
		t.Fatal(err)
	}
	off := push.New(push.Options{DB: g, Audit: audit.New(nil)})
	if _, err := off.Subscribe(context.Background(), 1, good); apperr.As(err) == nil || apperr.As(err).Code != "push_disabled" {
		t.Fatalf("without keys: %v, want push_disabled", err)
	}
}
