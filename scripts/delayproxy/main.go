// Command delayproxy is a TCP proxy that adds a fixed one-way delay in each
// direction, to measure the server as if its database sat across a network
// (issue 14: ticket creation with +5 ms between server and MariaDB).
//
//	delayproxy -listen 127.0.0.1:13306 -upstream 127.0.0.1:3306 -delay 5ms
//
// Each chunk read is delivered delay after it was read, in order, without
// waiting for the chunk before it to be delivered first: the link keeps its
// throughput (pipelined requests overlap) and only gains latency, as a real
// network path does. A round trip therefore costs 2 × delay more.
//
// On SIGUSR1 it prints to stderr how many chunks it has forwarded towards the
// upstream ("requests N"): each MySQL command is one write by the client, so
// the difference between two prints counts the round trips in between.
package main

import (
	"flag"
	"log"
	"net"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"
)

// requests counts the chunks read from clients (forwarded upstream).
var requests atomic.Int64

func main() {
	listen := flag.String("listen", "127.0.0.1:13306", "address to accept on")
	upstream := flag.String("upstream", "127.0.0.1:3306", "address to forward to")
	delay := flag.Duration("delay", 5*time.Millisecond, "one-way delay added in each direction")
	flag.Parse()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("delayproxy %s -> %s, +%s each way", *listen, *upstream, *delay)
	usr1 := make(chan os.Signal, 1)
	signal.Notify(usr1, syscall.SIGUSR1)
	go func() {
		for range usr1 {
			log.Printf("requests %d", requests.Load())
		}
	}()
	for {
		down, err := ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go func() {
			up, err := net.Dial("tcp", *upstream)
			if err != nil {
				log.Printf("dial %s: %v", *upstream, err)
				_ = down.Close()
				return
			}
			go pipe(up, down, *delay, &requests)
			pipe(down, up, *delay, nil)
		}()
	}
}

type chunk struct {
	data []byte
	due  time.Time
}

// pipe copies src to dst, each chunk delay after it was read. The reader
// never waits for the writer, so delays overlap instead of adding up.
// When count is set, each chunk read is counted.
func pipe(dst, src net.Conn, delay time.Duration, count *atomic.Int64) {
	queue := make(chan chunk, 4096)
	go func() {
		defer close(queue)
		for {
			buf := make([]byte, 32<<10)
			n, err := src.Read(buf)
			if n > 0 {
				if count != nil {
					count.Add(1)
				}
				queue <- chunk{buf[:n], time.Now().Add(delay)}
			}
			if err != nil {
				return
			}
		}
	}()
	for c := range queue {
		if d := time.Until(c.due); d > 0 {
			time.Sleep(d)
		}
		if _, err := dst.Write(c.data); err != nil {
			break
		}
	}
	// Close both ends (the reader then fails and stops) and drain what it
	// had queued so it is not left blocked on a full queue.
	_ = src.Close()
	_ = dst.Close()
	for range queue {
	}
}
