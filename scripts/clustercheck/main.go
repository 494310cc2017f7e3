// Command clustercheck drives the checks of scripts/cluster-test.sh that a
// shell cannot: a WebSocket that must see another instance's event, a socket
// that must close when its session is revoked elsewhere, and a ticket load
// that records every acknowledged write and every answer.
//
//	clustercheck live   -login URL -create URL -ws URL -user U -pass P
//	clustercheck revoke -login URL -ws URL -logout URL -user U -pass P
//	clustercheck load   -targets URL[,URL] -clients N -duration D -out FILE -user U -pass P
//
// It talks to loopback addresses only and stops by itself (bounded waits).
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: clustercheck live|revoke|load [flags]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	login := fs.String("login", "", "base URL to log in at")
	create := fs.String("create", "", "base URL to create the ticket at")
	wsURL := fs.String("ws", "", "base URL whose /api/v1/ws is watched")
	logout := fs.String("logout", "", "base URL to log out at")
	targets := fs.String("targets", "", "comma-separated base URLs the load goes to, round robin")
	clients := fs.Int("clients", 16, "concurrent clients")
	duration := fs.Duration("duration", 20*time.Second, "how long the load runs")
	out := fs.String("out", "", "file for the acknowledged tickets (JSON)")
	user := fs.String("user", "admin", "username")
	pass := fs.String("pass", "", "password")
	customer := fs.Uint64("customer", 1, "customer id the tickets are for")
	_ = fs.Parse(os.Args[2:])

	var err error
	switch os.Args[1] {
	case "live":
		err = live(*login, *create, *wsURL, *user, *pass, *customer)
	case "revoke":
		err = revoke(*login, *wsURL, *logout, *user, *pass)
	case "load":
		err = load(strings.Split(*targets, ","), *clients, *duration, *out, *user, *pass, *customer)
	default:
		err = fmt.Errorf("unknown check %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		os.Exit(1)
	}
}

var httpClient = &http.Client{Timeout: 30 * time.Second}

func call(method, url, token string, body any, out any) (int, error) {
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := httpClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	if out != nil && res.StatusCode < 300 {
		if err := json.NewDecoder(res.Body).Decode(out); err != nil {
			return res.StatusCode, fmt.Errorf("decode %s %s: %w", method, url, err)
		}
	}
	return res.StatusCode, nil
}

func logIn(base, user, pass string) (string, error) {
	var res struct {
		Token string `json:"token"`
	}
	code, err := call("POST", base+"/api/v1/auth/login", "", map[string]string{"username": user, "password": pass}, &res)
	if err != nil || code != 200 || res.Token == "" {
		return "", fmt.Errorf("log in at %s: %d %v", base, code, err)
	}
	return res.Token, nil
}

// subscribe opens base's WebSocket with token and subscribes to topic,
// waiting for the server's acknowledgement.
func subscribe(base, token, topic string) (*websocket.Conn, error) {
	u := "ws" + strings.TrimPrefix(base, "http") + "/api/v1/ws"
	h := http.Header{"Authorization": {"Bearer " + token}}
	conn, _, err := websocket.DefaultDialer.Dial(u, h)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", u, err)
	}
	if err := conn.WriteJSON(map[string]any{"type": "subscribe", "topics": []string{topic}}); err != nil {
		return nil, err
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		var m map[string]any
		if err := conn.ReadJSON(&m); err != nil {
			return nil, fmt.Errorf("await subscription: %w", err)
		}
		if m["type"] == "subscribed" {
			return conn, nil
		}
	}
}

type ticketAnswer struct {
	Ticket struct {
		ID     uint64 `json:"id"`
		Number string `json:"number"`
	} `json:"ticket"`
	ID     uint64 `json:"id"`
	Number string `json:"number"`
}

func (t ticketAnswer) ids() (uint64, string) {
	if t.Ticket.ID != 0 {
		return t.Ticket.ID, t.Ticket.Number
	}
	return t.ID, t.Number
}

func newTicket(customer uint64) map[string]any {
	return map[string]any{"channel": "phone", "type": "repair", "customer_id": customer, "region_code": "440305", "description": "空调不制冷（集群测试）"}
}

// live: a ticket created on one instance reaches a socket on the other.
func live(login, create, wsBase, user, pass string, customer uint64) error {
	token, err := logIn(login, user, pass)
	if err != nil {
		return err
	}
	conn, err := subscribe(wsBase, token, "tickets")
	if err != nil {
		return err
	}
	defer conn.Close()
	var t ticketAnswer
	start := time.Now()
	code, err := call("POST", create+"/api/v1/tickets", token, newTicket(customer), &t)
	if err != nil || code != 201 {
		return fmt.Errorf("create ticket on %s: %d %v", create, code, err)
	}
	_, number := t.ids()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		var m struct {
			Name string         `json:"name"`
			Data map[string]any `json:"data"`
		}
		if err := conn.ReadJSON(&m); err != nil {
			return fmt.Errorf("ticket %s created on %s never reached the socket on %s: %w", number, create, wsBase, err)
		}
		if m.Name == "ticket.created" && fmt.Sprint(m.Data["number"]) == number {
			fmt.Printf("   ticket %s created via %s seen live on %s after %d ms\n", number, create, wsBase, time.Since(start).Milliseconds())
			return nil
		}
	}
}

// revoke: logging out on one instance closes the session's socket on the other.
func revoke(login, wsBase, logoutBase, user, pass string) error {
	token, err := logIn(login, user, pass)
	if err != nil {
		return err
	}
	conn, err := subscribe(wsBase, token, "tickets")
	if err != nil {
		return err
	}
	defer conn.Close()
	start := time.Now()
	if code, err := call("POST", logoutBase+"/api/v1/auth/logout", token, nil, nil); err != nil || code >= 300 {
		return fmt.Errorf("log out on %s: %d %v", logoutBase, code, err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(15 * time.Second))
	for {
		if _, _, err := conn.ReadMessage(); err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) && ce.Code == 4401 {
				fmt.Printf("   session revoked via %s: socket on %s closed (4401) after %d ms\n", logoutBase, wsBase, time.Since(start).Milliseconds())
				return nil
			}
			return fmt.Errorf("socket on %s after the logout on %s: %w (want close 4401)", wsBase, logoutBase, err)
		}
	}
}

// load creates tickets from clients goroutines, round robin over targets,
// and writes every acknowledged ticket to out. It fails on any 500.
func load(targets []string, clients int, d time.Duration, out, user, pass string, customer uint64) error {
	token, err := logIn(targets[0], user, pass)
	if err != nil {
		return err
	}
	type acked struct {
		ID     uint64 `json:"id"`
		Number string `json:"number"`
	}
	var (
		mu    sync.Mutex
		ack   []acked
		codes = map[string]int{}
		wg    sync.WaitGroup
	)
	end := time.Now().Add(d)
	start := time.Now()
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for n := 0; time.Now().Before(end); n++ {
				base := targets[(i+n)%len(targets)]
				var t ticketAnswer
				code, err := call("POST", base+"/api/v1/tickets", token, newTicket(customer), &t)
				key := fmt.Sprint(code)
				if err != nil {
					key = "transport error"
					if code != 0 {
						key = fmt.Sprintf("%d (%v)", code, err)
					}
				}
				mu.Lock()
				codes[key]++
				if code == 201 && err == nil {
					id, num := t.ids()
					ack = append(ack, acked{id, num})
				}
				mu.Unlock()
				if code != 201 {
					time.Sleep(50 * time.Millisecond)
				}
			}
		}(i)
	}
	wg.Wait()
	keys := make([]string, 0, len(codes))
	for k := range codes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s×%d", k, codes[k]))
	}
	fmt.Printf("   %d acknowledged in %.1fs (%.0f/s); answers: %s\n", len(ack), time.Since(start).Seconds(),
		float64(len(ack))/time.Since(start).Seconds(), strings.Join(parts, " "))
	b, _ := json.Marshal(ack)
	if err := os.WriteFile(out, b, 0o644); err != nil {
		return err
	}
	if codes["500"] > 0 {
		return fmt.Errorf("%d answers were 500", codes["500"])
	}
	if len(ack) == 0 {
		return errors.New("nothing was acknowledged")
	}
	return nil
}
