#!/usr/bin/env bash
# Write-path benchmark (issue 14): ticket creation over HTTP with 64 wrk clients against a MariaDB of its own
# (innodb_flush_log_at_trx_commit=1, a private datadir and port, so its counters and CPU are this run's alone),
# directly and with 5 ms one-way latency added by scripts/delayproxy, each beside the ceiling: the raw single-row
# INSERT rate of the same server through the same path (scripts/insertceiling).
# Per creation it reports server CPU, mariadbd CPU, statements (Questions), prepares and redo-log writes
# (Innodb_log_writes; below 1.0 means commits were grouped).
#
# With the delay it also times creates from one client, one at a time: each database round trip then costs 2 × 5 ms,
# so the p50 over 10 ms is the number of sequential round trips per create (the server's CPU is ~1 ms of it).
#
#   WRITE_CLIENTS (64)  WRITE_DURATION (10s)  WRITE_DELAYS ("0 5")  WRITE_SCALE (5000 tickets seeded)
#   WRITE_PROFILE_DIR (unset): write a CPU profile and two goroutine dumps of the server per run there
#     (the server's /debug/pprof on its metrics address, port 18313)
# Ports 18310 (mariadbd), 18311 (proxy), 18312 (server). Stops only what it started. Called by scripts/bench.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
clients="${WRITE_CLIENTS:-64}" duration="${WRITE_DURATION:-10s}" delays="${WRITE_DELAYS:-0 5}" scale="${WRITE_SCALE:-5000}"
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
WORK=$(mktemp -d /tmp/aftersales-writebench.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done; kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
go build -o "$WORK/aftersales" ./backend/cmd/aftersales
go build -o "$WORK/delayproxy" ./scripts/delayproxy
go build -o "$WORK/insertceiling" ./scripts/insertceiling

mkdir -p "$WORK/db"
mariadb-install-db --no-defaults --datadir="$WORK/db" --user=root --auth-root-authentication-method=normal >/dev/null 2>&1
/usr/sbin/mariadbd --no-defaults --datadir="$WORK/db" --socket="$WORK/db.sock" --port=18310 --bind-address=127.0.0.1 \
  --user=root --pid-file="$WORK/db.pid" --log-error="$WORK/db.err" --skip-name-resolve --performance-schema=OFF \
  --innodb-flush-log-at-trx-commit=1 --innodb-buffer-pool-size=512M --max-connections=500 &
DBPID=$!
PIDS+=($DBPID)
sql() { mariadb -uroot -h127.0.0.1 -P18310 -N -e "$1"; }
for _ in $(seq 1 60); do sql "select 1" >/dev/null 2>&1 && break; sleep 0.5; done
sql "create database aftersales character set utf8mb4 collate utf8mb4_unicode_ci"
"$WORK/delayproxy" -listen 127.0.0.1:18311 -upstream 127.0.0.1:18310 -delay 5ms 2>"$WORK/proxy.log" &
PROXYPID=$!
PIDS+=($PROXYPID)
# Commands the proxy has forwarded to mariadbd so far (each is a round trip).
forwarded() { kill -USR1 "$PROXYPID"; sleep 0.3; grep -o 'requests [0-9]*' "$WORK/proxy.log" | tail -1 | cut -d' ' -f2; }

metrics=
if [ -n "${WRITE_PROFILE_DIR:-}" ]; then mkdir -p "$WRITE_PROFILE_DIR"; metrics=127.0.0.1:18313; fi
export AFTERSALES_DB_DRIVER=mysql AFTERSALES_LOG_LEVEL=warn AFTERSALES_SCHEDULER_ENABLED=false AFTERSALES_METRICS_ADDR=$metrics \
  AFTERSALES_DB_MAX_OPEN_CONNS=$clients AFTERSALES_DB_MAX_IDLE_CONNS=$clients AFTERSALES_DB_SLOW_QUERY=5s \
  AFTERSALES_HTTP_ADDR=127.0.0.1:18312
AFTERSALES_DB_DSN='root@tcp(127.0.0.1:18310)/aftersales' "$WORK/aftersales" seed --scale "$scale" >/dev/null 2>&1
password="bench-$(date +%s)"
AFTERSALES_DB_DSN='root@tcp(127.0.0.1:18310)/aftersales' "$WORK/aftersales" users create --username bench \
  --password "$password" --roles hotline_agent >/dev/null
customers=$((scale * 3 / 10))

cpu_ms() { awk '{printf "%d", ($14 + $15) * 10}' "/proc/$1/stat"; } # utime+stime, 100 ticks/s
status() { sql "show global status where Variable_name in ('Innodb_log_writes','Questions','Com_stmt_prepare')" |
  awk '{printf "%s=%s ", $1, $2}'; }
get() { echo "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1==k {print $2}'; }

echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $clients clients, $duration per run"
for delay in $delays; do
  if [ "$delay" = 0 ]; then port=18310; else port=18311; fi
  dsn="root@tcp(127.0.0.1:$port)/aftersales"
  if [ "$delay" != 0 ] && [ "$delay" != 5 ]; then echo "only 0 and 5 ms are wired"; exit 2; fi
  echo "== +${delay} ms one-way"
  "$WORK/insertceiling" -dsn "$dsn" -clients "$clients" -duration "$duration" | sed 's/^/RESULT ceiling +'"$delay"'ms: /'
  AFTERSALES_METRICS_PPROF=$([ -n "$metrics" ] && echo true || echo false) AFTERSALES_DB_DSN="$dsn" "$WORK/aftersales" serve >"$WORK/server-$delay.log" 2>&1 &
  SPID=$!
  PIDS+=($SPID)
  for _ in $(seq 1 100); do curl -sf http://127.0.0.1:18312/readyz >/dev/null && break; sleep 0.2; done
  token=$(curl -s -XPOST http://127.0.0.1:18312/api/v1/auth/login -H 'Content-Type: application/json' \
    -d "{\"username\":\"bench\",\"password\":\"$password\"}" | sed -E 's/.*"token":"([^"]+)".*/\1/')
  # Warm-up (prepared statements, caches, HiLo blocks), then the measured run.
  wrk -t2 -c"$clients" -d2s --timeout 10s -s scripts/wrk/ticket_create.lua http://127.0.0.1:18312 -- "$token" "$customers" 1 >/dev/null
  if [ "$delay" != 0 ]; then
    f0=$(forwarded)
    one=$(wrk -t1 -c1 -d3s --timeout 10s -s scripts/wrk/ticket_create.lua http://127.0.0.1:18312 -- "$token" "$customers" 1 | grep -E '^requests')
    f1=$(forwarded)
    p50=$(echo "$one" | sed -E 's/.*p50 ([0-9.]+) ms.*/\1/')
    done1=$(echo "$one" | sed -E 's/^requests ([0-9]+) .*/\1/')
    echo "RESULT one client +${delay}ms: $one; p50 ≈ $(awk -v p="$p50" -v d="$delay" 'BEGIN { printf "%.1f", p / (2 * d) }') round trips;" \
      "$(awk -v a="$f0" -v b="$f1" -v n="$done1" 'BEGIN { if (n > 0) printf "%.1f", (b - a) / n; else print "n/a" }') commands to mariadbd per create (with the relay, audit sequencer and jobs)"
  fi
  profilers=()
  if [ -n "$metrics" ]; then
    secs=${duration%s}
    curl -s -o "$WRITE_PROFILE_DIR/cpu-$delay.pprof" "http://$metrics/debug/pprof/profile?seconds=$((secs - 2))" &
    profilers+=($!)
    (sleep $((secs / 2)); curl -s -o "$WRITE_PROFILE_DIR/goroutines-$delay-a.txt" "http://$metrics/debug/pprof/goroutine?debug=1"
      sleep 1; curl -s -o "$WRITE_PROFILE_DIR/goroutines-$delay-b.txt" "http://$metrics/debug/pprof/goroutine?debug=1") &
    profilers+=($!)
  fi
  t0=$(sql "select count(*) from aftersales.tickets"); s0=$(status); c0=$(cpu_ms $SPID); d0=$(cpu_ms $DBPID)
  res=$(wrk -t2 -c"$clients" -d"$duration" --timeout 10s -s scripts/wrk/ticket_create.lua http://127.0.0.1:18312 -- "$token" "$customers" 1 |
    grep -E '^requests')
  t1=$(sql "select count(*) from aftersales.tickets"); s1=$(status); c1=$(cpu_ms $SPID); d1=$(cpu_ms $DBPID)
  n=$((t1 - t0))
  per() { awk -v a="$1" -v n="$n" 'BEGIN { if (n > 0) printf "%.2f", a / n; else print "n/a" }'; }
  echo "RESULT ticket create +${delay}ms: $res"
  echo "RESULT per creation +${delay}ms: $n created; server CPU $(per $((c1 - c0))) ms, mariadbd CPU $(per $((d1 - d0))) ms," \
    "statements $(per $(( $(get "$s1" Questions) - $(get "$s0" Questions) ))), prepares $(per $(( $(get "$s1" Com_stmt_prepare) - $(get "$s0" Com_stmt_prepare) )))," \
    "redo-log writes $(per $(( $(get "$s1" Innodb_log_writes) - $(get "$s0" Innodb_log_writes) )))"
  for p in "${profilers[@]}"; do wait "$p"; done
  kill "$SPID"; wait "$SPID" 2>/dev/null || true
done
