package messaging_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/messaging"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

const (
	tcSecretID  = "AKIDtestSecretId0000000000000000"
	tcSecretKey = "testSecretKey00000000000000000000"
)

// tencentSMS is a local stand-in for sms.tencentcloudapi.com that checks
// every request the way Tencent Cloud documents API 3.0 (签名方法 v3): the
// headers, the SendSms body, and the TC3-HMAC-SHA256 signature, recomputed
// here from the documented algorithm (not with the SDK's signer). Each
// checked request is answered like SendSms; answer overrides the reply.
type tencentSMS struct {
	t        *testing.T
	mu       sync.Mutex
	problems []string
	bodies   []map[string]any
	sessions map[string]int
	answer   func(n int, body map[string]any) (int, string)
}

func newTencentSMS(t *testing.T) (*tencentSMS, *httptest.Server) {
	ts := &tencentSMS{t: t, sessions: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(ts.serve))
	t.Cleanup(srv.Close)
	return ts, srv
}

func (ts *tencentSMS) fail(format string, args ...any) {
	ts.problems = append(ts.problems, fmt.Sprintf(format, args...))
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

func sha256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func (ts *tencentSMS) serve(w http.ResponseWriter, r *http.Request) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	raw, _ := io.ReadAll(r.Body)
	n := len(ts.bodies)
	// Public request headers (公共参数, placed in the headers for v3).
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		ts.fail("request %s %s, want POST /", r.Method, r.URL.Path)
	}
	for h, want := range map[string]string{"X-TC-Action": "SendSms", "X-TC-Version": "2021-01-11", "X-TC-Region": "ap-guangzhou"} {
		if got := r.Header.Get(h); got != want {
			ts.fail("%s = %q, want %q", h, got, want)
		}
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		ts.fail("Content-Type %q", r.Header.Get("Content-Type"))
	}
	tsHeader := r.Header.Get("X-TC-Timestamp")
	stamp, err := strconv.ParseInt(tsHeader, 10, 64)
	if err != nil || time.Since(time.Unix(stamp, 0)).Abs() > 5*time.Minute {
		ts.fail("X-TC-Timestamp %q is not within 5 minutes of now", tsHeader)
	}
	// Authorization: TC3-HMAC-SHA256 Credential=<id>/<date>/<service>/tc3_request, SignedHeaders=…, Signature=…
	auth := r.Header.Get("Authorization")
	algo, rest, _ := strings.Cut(auth, " ")
	parts := map[string]string{}
	for _, p := range strings.Split(rest, ", ") {
		k, v, _ := strings.Cut(p, "=")
		parts[k] = v
	}
	date := time.Unix(stamp, 0).UTC().Format("2006-01-02")
	scope := date + "/sms/tc3_request"
	if algo != "TC3-HMAC-SHA256" || parts["Credential"] != tcSecretID+"/"+scope {
		ts.fail("Authorization %q: want TC3-HMAC-SHA256 Credential=%s/%s", auth, tcSecretID, scope)
	}
	signed := strings.Split(parts["SignedHeaders"], ";")
	if parts["SignedHeaders"] == "" || !containsAll(signed, "content-type", "host") {
		ts.fail("SignedHeaders %q must include content-type and host", parts["SignedHeaders"])
	}
	// 1. CanonicalRequest: method, URI, query, headers (lower-case name:
	// trimmed lower-case value, each line ending \n), signed header names,
	// hex SHA-256 of the payload.
	var canonHeaders strings.Builder
	for _, name := range signed {
		v := r.Header.Get(name)
		if name == "host" {
			v = r.Host
		}
		canonHeaders.WriteString(name + ":" + strings.ToLower(strings.TrimSpace(v)) + "\n")
	}
	canonical := strings.Join([]string{"POST", "/", "", canonHeaders.String(), parts["SignedHeaders"], sha256Hex(string(raw))}, "\n")
	// 2. StringToSign.
	toSign := strings.Join([]string{"TC3-HMAC-SHA256", tsHeader, scope, sha256Hex(canonical)}, "\n")
	// 3. Signature: derived key over date, service, "tc3_request".
	kDate := hmacSHA256([]byte("TC3"+tcSecretKey), date)
	kService := hmacSHA256(kDate, "sms")
	kSigning := hmacSHA256(kService, "tc3_request")
	want := hex.EncodeToString(hmacSHA256(kSigning, toSign))
	if parts["Signature"] != want {
		ts.fail("Signature %s, recomputed %s", parts["Signature"], want)
	}
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		ts.fail("body is not JSON: %s", raw)
	}
	ts.bodies = append(ts.bodies, body)
	phones, _ := body["PhoneNumberSet"].([]any)
	session, _ := body["SessionContext"].(string)
	ts.sessions[session]++
	if body["SmsSdkAppId"] != "1400000001" || body["SignName"] != "售后服务" || len(phones) != 1 {
		ts.fail("SendSms body %s", raw)
	}
	w.Header().Set("Content-Type", "application/json")
	if ts.answer != nil {
		if status, reply := ts.answer(n, body); reply != "" {
			w.WriteHeader(status)
			_, _ = io.WriteString(w, reply)
			return
		}
	}
	phone := ""
	if len(phones) == 1 {
		phone, _ = phones[0].(string)
	}
	_, _ = fmt.Fprintf(w, `{"Response":{"SendStatusSet":[{"SerialNo":"2019:%d","PhoneNumber":%q,"Fee":1,"SessionContext":%q,"Code":"Ok","Message":"send success","IsoCode":"CN"}],"RequestId":"req-%d"}}`,
		n+1, phone, session, n+1)
}

func containsAll(xs []string, want ...string) bool {
	for _, w := range want {
		found := false
		for _, x := range xs {
			found = found || x == w
		}
		if !found {
			return false
		}
	}
	return true
}

func (ts *tencentSMS) check() {
	ts.t.Helper()
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for _, p := range ts.problems {
		ts.t.Error("tencent: " + p)
	}
}

func tencentProvider(srv *httptest.Server) *messaging.Tencent {
	return messaging.NewTencent(messaging.TencentOptions{SecretID: tcSecretID, SecretKey: tcSecretKey, SDKAppID: "1400000001",
		SignName: "售后服务", Region: "ap-guangzhou", Endpoint: srv.URL, Timeout: 5 * time.Second})
}

// A message goes to Tencent Cloud SMS as a correctly signed SendSms with
// the template id and its parameters in order; a refusal fails the
// message, a server error is retried.
func TestTencentSMSRequestAndSignature(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		ctx := context.Background()
		ts, srv := newTencentSMS(t)
		c := testutil.NewClock(time.Now().UTC())
		if r := (messaging.QuietHours{Start: 21 * time.Hour, End: 8 * time.Hour, Loc: shanghai}).Release(c.Now()); r.After(c.Now()) {
			c.Set(r) // the signature's timestamp is real; only the quiet-hours check reads this clock
		}
		s := newService(t, g, c, func(o *messaging.Options) { o.SMS = tencentProvider(srv) })
		pid, params := "1234567", "name,number,amount"
		if _, err := s.UpdateTemplate(ctx, messaging.TriggerRepairCompleted, 1, messaging.TemplatePatch{ProviderTemplateID: &pid, Params: &params}); err != nil {
			t.Fatal(err)
		}
		m := queue(t, g, s, messaging.Draft{Trigger: messaging.TriggerRepairCompleted, CustomerID: 1, DedupeKey: "a",
			Params: map[string]string{"number": "R7", "amount": "99.00"}})
		if n, err := s.DeliverDue(ctx); err != nil || n != 1 {
			t.Fatalf("deliver %d %v", n, err)
		}
		ts.check()
		b := ts.bodies[0]
		if fmt.Sprint(b["PhoneNumberSet"]) != "[+8613800138000]" || b["TemplateId"] != "1234567" ||
			fmt.Sprint(b["TemplateParamSet"]) != "[王建国 R7 99.00]" || b["SessionContext"] != strconv.FormatUint(m.ID, 10) {
			t.Errorf("SendSms body %v", b)
		}
		got, _ := s.Get(ctx, m.ID)
		if got.Status != messaging.StatusSent || got.ProviderRef != "2019:1" || got.Provider != "tencent" || got.Attempts != 1 {
			t.Errorf("after Ok: %s ref %q provider %s attempts %d", got.Status, got.ProviderRef, got.Provider, got.Attempts)
		}

		// A refusal in the send status (an unapproved template) fails at once.
		ts.answer = func(n int, _ map[string]any) (int, string) {
			return 200, `{"Response":{"SendStatusSet":[{"SerialNo":"","PhoneNumber":"+8613800138000","Fee":0,"SessionContext":"","Code":"FailedOperation.TemplateIncorrectOrUnapproved","Message":"template unapproved","IsoCode":"CN"}],"RequestId":"r"}}`
		}
		m2 := queue(t, g, s, messaging.Draft{Trigger: messaging.TriggerRepairCompleted, CustomerID: 1, DedupeKey: "b"})
		if _, err := s.DeliverDue(ctx); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Get(ctx, m2.ID); got.Status != messaging.StatusFailed || !strings.Contains(got.Error, "TemplateIncorrectOrUnapproved") {
			t.Errorf("refused: %s %q", got.Status, got.Error)
		}
		// An API error (bad signature) is a refusal too.
		ts.answer = func(int, map[string]any) (int, string) {
			return 200, `{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"bad"},"RequestId":"r"}}`
		}
		m3 := queue(t, g, s, messaging.Draft{Trigger: messaging.TriggerRepairCompleted, CustomerID: 1, DedupeKey: "c"})
		if _, err := s.DeliverDue(ctx); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Get(ctx, m3.ID); got.Status != messaging.StatusFailed || !strings.Contains(got.Error, "AuthFailure.SignatureFailure") {
			t.Errorf("api error: %s %q", got.Status, got.Error)
		}
		// A 502 is retried after retry_after, then sent.
		ts.answer = func(n int, _ map[string]any) (int, string) {
			if n == 3 {
				return 502, "bad gateway"
			}
			return 0, ""
		}
		m4 := queue(t, g, s, messaging.Draft{Trigger: messaging.TriggerRepairCompleted, CustomerID: 1, DedupeKey: "d"})
		if _, err := s.DeliverDue(ctx); err != nil {
			t.Fatal(err)
		}
		got, _ = s.Get(ctx, m4.ID)
		if got.Status != messaging.StatusQueued || got.Attempts != 1 || !got.NotBefore.After(c.Now()) {
			t.Fatalf("after a 502: %s attempts %d not before %s (%s)", got.Status, got.Attempts, got.NotBefore, got.Error)
		}
		c.Set(got.NotBefore)
		if _, err := s.DeliverDue(ctx); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Get(ctx, m4.ID); got.Status != messaging.StatusSent || got.Attempts != 2 {
			t.Errorf("retried: %s attempts %d", got.Status, got.Attempts)
		}
		ts.check()
	})
}

// Two workers (two instances) draining one queue at the same time send
// every message exactly once.
func TestTwoWorkersSendEachMessageOnce(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		ctx := context.Background()
		ts, srv := newTencentSMS(t)
		c := testutil.NewClock(local(2026, 3, 5, 10, 0))
		edit := func(holder string) func(*messaging.Options) {
			return func(o *messaging.Options) { o.SMS, o.Holder, o.RateLimit = tencentProvider(srv), holder, 1000 }
		}
		a, b := newService(t, g, c, edit("instance-a")), newService(t, g, c, edit("instance-b"))
		const total = 60
		for i := 0; i < total; i++ {
			queue(t, g, a, messaging.Draft{Trigger: messaging.TriggerRecallNotice, CustomerID: 1, Urgent: true, DedupeKey: fmt.Sprint("m", i)})
		}
		var wg sync.WaitGroup
		counts := make([]int, 2)
		for i, w := range []*messaging.Service{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for round := 0; round < 10; round++ {
					n, err := w.DeliverDue(ctx)
					if err != nil {
						t.Error(err)
						return
					}
					counts[i] += n
				}
			}()
		}
		wg.Wait()
		ts.check()
		if counts[0]+counts[1] != total {
			t.Errorf("workers finished %v, want %d in all", counts, total)
		}
		if len(ts.sessions) != total || len(ts.bodies) != total {
			t.Errorf("provider got %d requests for %d messages", len(ts.bodies), len(ts.sessions))
		}
		for s, n := range ts.sessions {
			if n != 1 {
				t.Errorf("message %s sent %d times", s, n)
			}
		}
		if left := messages(t, a, messaging.Filter{Status: messaging.StatusQueued}); len(left) != 0 {
			t.Errorf("%d left queued", len(left))
		}
		t.Logf("instance a sent %d, instance b sent %d", counts[0], counts[1])
	})
}
