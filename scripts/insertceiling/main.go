// Command insertceiling measures the ceiling that ticket creation is
// compared with (issue 14): MariaDB's rate of single-row autocommitted
// INSERTs from as many clients as the HTTP benchmark uses, on the same
// server and through the same path (direct or the delay proxy), with the
// redo-log writes per INSERT (Innodb_log_writes; below 1.0 = group commit).
//
//	insertceiling -dsn 'root@tcp(127.0.0.1:3306)/aftersales_bench_write' -clients 64 -duration 10s
package main

import (
	"database/sql"
	"flag"
	"fmt"
	"log"
	"sort"
	"sync"
	"time"

	_ "github.com/go-sql-driver/mysql"
)

func main() {
	dsn := flag.String("dsn", "root@tcp(127.0.0.1:3306)/test", "MySQL/MariaDB DSN")
	clients := flag.Int("clients", 64, "concurrent clients")
	duration := flag.Duration("duration", 10*time.Second, "how long to insert")
	flag.Parse()

	db, err := sql.Open("mysql", *dsn)
	if err != nil {
		log.Fatal(err)
	}
	db.SetMaxOpenConns(*clients)
	db.SetMaxIdleConns(*clients)
	if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS bench_raw_insert (
		id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
		number VARCHAR(32) NOT NULL,
		payload VARCHAR(255) NOT NULL,
		created_at DATETIME(3) NOT NULL,
		UNIQUE KEY ux_bench_raw_insert_number (number)) ENGINE=InnoDB`); err != nil {
		log.Fatal(err)
	}
	logWrites := func() int64 {
		var name string
		var v int64
		if err := db.QueryRow("SHOW GLOBAL STATUS LIKE 'Innodb_log_writes'").Scan(&name, &v); err != nil {
			log.Fatal(err)
		}
		return v
	}
	before := logWrites()
	var (
		mu   sync.Mutex
		lat  []time.Duration
		errs int
		wg   sync.WaitGroup
	)
	start := time.Now()
	end := start.Add(*duration)
	for c := 0; c < *clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			var mine []time.Duration
			bad := 0
			for n := 0; time.Now().Before(end); n++ {
				t0 := time.Now()
				_, err := db.Exec("INSERT INTO bench_raw_insert (number, payload, created_at) VALUES (?, ?, ?)",
					fmt.Sprintf("R%d-%d-%d", start.UnixNano(), c, n), "压测：空调不制冷", t0.UTC())
				if err != nil {
					bad++
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			errs += bad
			mu.Unlock()
		}(c)
	}
	wg.Wait()
	elapsed := time.Since(start)
	writes := logWrites() - before
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000
	}
	perInsert := 0.0
	if len(lat) > 0 {
		perInsert = float64(writes) / float64(len(lat))
	}
	fmt.Printf("raw INSERT, %d clients, %s: %d rows, %.0f/s, p50 %.1f ms, p99 %.1f ms, errors %d, Innodb_log_writes per insert %.2f\n",
		*clients, duration.String(), len(lat), float64(len(lat))/elapsed.Seconds(), pct(0.5), pct(0.99), errs, perInsert)
}
